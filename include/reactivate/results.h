/* The experiment set and the results layout, in one place: which trained runs each task has
 * (noisy or not, biased or not, GRU or not, the paper's label for each), how runs, run
 * directories, checkpoints and analysis files are named under a results root, and seed lists as
 * people write them ("0-4, 7"). Everything that writes or reads results (train, analyze,
 * figures, report, reproduce) names its files through here. What it is not: a reader or writer
 * of the files' contents (docs/formats.md describes those). */
#ifndef RX_RESULTS_H
#define RX_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"
#include "reactivate/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the experiment set ---- */

/* The paper's trained conditions, in the order the analyses write them. Head direction has the
 * first four; spatial navigation all six. */
typedef enum rx_experiment_id {
  RX_EXP_NOISY_UNBIASED = 0, /* U-σ */
  RX_EXP_NO_NOISE_UNBIASED,  /* U */
  RX_EXP_NOISY_BIASED,       /* B-σ */
  RX_EXP_NO_NOISE_BIASED,    /* B */
  RX_EXP_NOISY_UNBIASED_GRU, /* GRU U-σ */
  RX_EXP_NOISY_BIASED_GRU,   /* GRU B-σ */
  RX_EXP_COUNT,              /* the paper's set ends here */
  /* Beyond the paper, both tasks: the noisy unbiased run with a mechanism of docs/science.md
   * §3.6 trained in (the `mechanisms` family, below). */
  RX_EXP_ADAPTATION = RX_EXP_COUNT, /* U-σ with adaptation */
  RX_EXP_MOMENTUM,                  /* U-σ with momentum */
  RX_EXP_ALL
} rx_experiment_id;

typedef struct rx_experiment {
  rx_experiment_id id;
  const char *name;       /* configs/train/<task>/<name>.yml and the stem of its run names */
  const char *label;      /* the paper's label ("U-σ", "B"); the GRU runs carry the labels of their
                             condition, as in Fig. C.2 */
  const char *full_label; /* unique within a task: the label with the model ("GRU U-σ") */
  const char *desc;       /* "noisy, unbiased", "noisy GRU, biased" */
  int noisy;              /* trained with recurrent noise: its run names carry sigma2_rec */
  int biased;             /* trained on biased behaviour */
  int gru;                /* a GRU rather than the vanilla RNN */
  int mechanism;          /* 0 the paper's cell; 1 adaptation, 2 momentum trained in */
} rx_experiment;

/* How many of the paper's experiments task has (6 spatial navigation, 4 head direction): ids
 * 0 .. count-1. The mechanism experiments (RX_EXP_ADAPTATION, RX_EXP_MOMENTUM) are not counted:
 * they are in the mechanisms family only. */
int rx_experiment_count(rx_task_kind task);
/* Experiment id of task, or NULL when task has no such experiment (the GRUs of head direction). */
const rx_experiment *rx_experiment_get(rx_task_kind task, int id);
/* The experiment of task named name ("noisy_biased", "noisy_unbiased_momentum"), or NULL. */
const rx_experiment *rx_experiment_find(rx_task_kind task, const char *name);

/* ---- the mechanisms family (docs/mechanisms.md) ---- */

/* The conditions `analyze mechanisms=true` compares, each a trained run and what is done to its
 * mechanism for quiescence: as trained, another run's trained mechanism switched on (the paper
 * cell given adaptation offline), or every mechanism switched off. */
typedef enum rx_offline_kind {
  RX_OFFLINE_AS_TRAINED = 0,
  RX_OFFLINE_FROM, /* the mechanism `from` was trained with, instead of the run's own */
  RX_OFFLINE_OFF   /* the paper's cell */
} rx_offline_kind;

typedef struct rx_mechanism_condition {
  const char *suffix; /* added to the run name to key the condition: "", "+adaptation", "+off" */
  const char *label;  /* "paper cell", "adaptation", "paper cell + adaptation offline", ... */
  rx_experiment_id run;
  rx_offline_kind offline;
  rx_experiment_id from; /* RX_OFFLINE_FROM: whose mechanism */
} rx_mechanism_condition;

/* The most runs any family analyses (the mechanisms family's conditions). */
#define RX_RESULTS_MAX_RUNS 8

int rx_mechanism_condition_count(void);
/* Condition i (0 .. count-1, in the order the analyses write them), or NULL. */
const rx_mechanism_condition *rx_mechanism_condition_get(int i);

/* sigma2_rec of the task's noisy runs in the paper: 1e-4 spatial navigation, 0.01 head
 * direction. */
double rx_results_default_noise(rx_task_kind task);

/* Keys of the KL results that are not runs: the quiescent outputs of an untrained network, and
 * the uniform density over the arena (also "random.quiescent" in the KL .npz). */
#define RX_RESULTS_RANDOM "random"
#define RX_RESULTS_UNIFORM "uniform"

/* ---- analyses and their file families ---- */

/* The analysis files; rx_analysis_kind (analyze.h) is the mask 1 << rx_results_analysis. */
typedef enum rx_results_analysis {
  RX_RESULTS_KL = 0,   /* distribution match (spatial navigation) */
  RX_RESULTS_VARIANCE, /* quiescent exploration */
  RX_RESULTS_DISTANCE, /* step-wise distance */
  RX_RESULTS_PCA,      /* dimensionality and geometry of hidden states */
  RX_RESULTS_HEADING,  /* heading statistics (head direction) */
  /* The "is it sampling?" probes (docs/probes.md), run with the default quiescence rule only: */
  RX_RESULTS_MIXING,      /* mixing from foreign starts */
  RX_RESULTS_SCORE,       /* quiescent drift versus the awake score */
  RX_RESULTS_TEMPERATURE, /* stationary density against the noise level */
  RX_RESULTS_DIFFUSION,   /* mean squared displacement, step sizes */
  /* Replay (docs/replay.md), also beyond the paper and run with the default rule only: */
  RX_RESULTS_REPLAY, /* sequences in quiescent activity: line and path scores of events */
  RX_RESULTS_N_ANALYSES
} rx_results_analysis;

/* "kl", "variance", "distance", "pca", "heading", "mixing", "score", "temperature", "diffusion",
 * "replay"; NULL out of range. */
const char *rx_results_analysis_name(int analysis);
/* The analysis named name, or -1. */
int rx_results_analysis_find(const char *name);
/* Whether `reactivate analyze all` writes analysis for task (kl: spatial navigation only;
 * heading: head direction only). */
int rx_results_analysis_applies(int analysis, rx_task_kind task);
/* Whether analysis is one of the probes (RX_RESULTS_MIXING .. RX_RESULTS_DIFFUSION). */
int rx_results_analysis_is_probe(int analysis);
/* Whether analysis goes beyond the paper's analyses: the probes and replay. They set their own
 * noise levels, and `reproduce` runs them on the main results root only. */
int rx_results_analysis_beyond_paper(int analysis);
/* Whether `analyze` writes analysis in the family of quiescence rule `rule` (as
 * rx_analysis_config.rule: 0 default, 1 scaled, 2 same): the analyses beyond the paper (probes,
 * replay) are written for the default rule only; the paper's analyses for every rule. */
int rx_results_analysis_in_family(int analysis, int rule);

/* The families of runs an analysis covers (rx_analysis_config.family). */
typedef enum rx_results_family {
  RX_FAMILY_MAIN = 0,  /* the paper's vanilla runs */
  RX_FAMILY_GRU,       /* the GRU runs (gru=true) */
  RX_FAMILY_MECHANISMS /* the conditions of rx_mechanism_condition (mechanisms=true) */
} rx_results_family;

/* File-name prefixes of the analysis families: the runs analysed and the quiescence rule. */
#define RX_RESULTS_MAIN ""      /* vanilla runs, default rule: the paper's Fig. 1-3 */
#define RX_RESULTS_SAME "same_" /* rule=same, quiescent noise not doubled: Fig. C.1 */
#define RX_RESULTS_GRU "gru_"   /* gru=true, the GRU runs: Fig. C.2 */
#define RX_RESULTS_MECH "mech_" /* mechanisms=true: docs/mechanisms.md */
/* The prefix of the files that `analyze` writes for family (rx_results_family) and rule (as
 * rx_analysis_config.rule: 0 default, 1 scaled, 2 same): "", "scaled_", "same_", "gru_",
 * "gru_scaled_", "gru_same_", "mech_", "mech_scaled_", "mech_same_". NULL for a family or rule
 * out of range. */
const char *rx_results_prefix(int family, int rule);

/* ---- names and paths ---- */

/* One task's results under one root, and the noise its names carry. */
typedef struct rx_results_set {
  rx_task_kind task;
  char dir[2300]; /* <root>/<task> */
  char noise[64]; /* sigma2_rec of the noisy runs as their names write it: "0.0001" */
} rx_results_set;

/* <root>/<task> with noise written as Python's str(float). Fails naming root when the
 * directory name does not fit. */
int rx_results_set_init(rx_results_set *s, const char *root, rx_task_kind task, double noise,
                        rx_error *err);

/* The builders below write into buf (size n) and return 0, or RX_EINVAL when the name did not
 * fit (buf then holds it cut short). */

/* Run name: "<experiment>_<noise>_<seed>", or "<experiment>_<seed>" when noise is NULL or "". */
int rx_results_run_name(const char *experiment, const char *noise, int seed, char *buf, size_t n);
/* The same for a training's sigma2_rec: no noise in the name when it is 0, else Python's
 * str(float) of it ("noisy_unbiased_0.0001_0", "noisy_unbiased_1e-05_0"). */
int rx_results_run_name_sigma(const char *experiment, double sigma2_rec, int seed, char *buf,
                              size_t n);
/* <root>/<task>/<run> */
int rx_results_run_dir(const char *root, rx_task_kind task, const char *run, char *buf, size_t n);
/* <run_dir>/model_<step>.npz (rx_checkpoint_path's name) */
int rx_results_checkpoint_path(const char *run_dir, int64_t step, char *buf, size_t n);
/* <task_dir>/figures: where `reactivate figures` draws (task_dir: rx_results_set.dir). */
int rx_results_figures_dir(const char *task_dir, char *buf, size_t n);
/* <root>/gaussian: the results root of the noisy runs trained with zero-mean Gaussian noise,
 * next to those of root (reactivate reproduce --profile paper). */
int rx_results_gaussian_root(const char *root, char *buf, size_t n);

/* Files the trainer writes in a run directory that the figures and the report read
 * (docs/formats.md). */
#define RX_RESULTS_TEST_METRICS "test_metrics.json"
#define RX_RESULTS_RUN_CONFIG "config.yaml"

/* Experiment e's run of seed in s: its name, its directory (<s->dir>/<run>) and a file in it
 * (RX_RESULTS_TEST_METRICS, RX_RESULTS_RUN_CONFIG). */
int rx_results_experiment_run(const rx_results_set *s, const rx_experiment *e, int seed, char *buf,
                              size_t n);
int rx_results_experiment_dir(const rx_results_set *s, const rx_experiment *e, int seed, char *buf,
                              size_t n);
int rx_results_experiment_file(const rx_results_set *s, const rx_experiment *e, int seed,
                               const char *file, char *buf, size_t n);
/* The key of a mechanisms-family condition in the analyses' files: the run name of c->run with
 * c->suffix ("noisy_unbiased_0.0001_0+adaptation"). */
int rx_results_condition_key(const rx_results_set *s, const rx_mechanism_condition *c, int seed,
                             char *buf, size_t n);
/* "<experiment>_<noise>_<seed>" with the text "<seed>": the run names of e, for messages. */
int rx_results_experiment_pattern(const rx_results_set *s, const rx_experiment *e, char *buf,
                                  size_t n);

/* Analysis file stem "<analysis>_<prefix><noise>_<seed>" ("kl_gru_0.0001_3"). */
int rx_results_analysis_stem(int analysis, const char *prefix, const char *noise, int seed,
                             char *buf, size_t n);
/* <s->dir>/<stem>.<ext> (ext "json" or "npz"). */
int rx_results_analysis_path(const rx_results_set *s, int analysis, const char *prefix, int seed,
                             const char *ext, char *buf, size_t n);
/* "<analysis>_<prefix><noise>_<seed>.<ext>" with the text "<seed>", for messages. */
int rx_results_analysis_pattern(int analysis, const char *prefix, const char *noise,
                                const char *ext, char *buf, size_t n);

/* ---- sweeps (docs/sweep.md) ---- */

/* The directory name of a sweep's grid point: "<key>=<value>" for each of its n_keys keys,
 * joined by ',' ("rnn.sigma2_rec=1.0e-5,rnn.momentum=0.5"), each value as the sweep file writes
 * it with every character other than a letter, digit, '.', '_', '+' or '-' replaced by '_' (so
 * the name is one path component, the same on every run). RX_EINVAL also when the name is longer
 * than 200 bytes. */
int rx_results_sweep_point_name(int n_keys, const char *const *keys, const char *const *values,
                                char *buf, size_t n);
/* <out>/points/<name>: the results root of a grid point (a reproduction's layout below it). */
int rx_results_sweep_point_dir(const char *out, const char *name, char *buf, size_t n);
/* <out>/<file> for the sweep report's files (RX_RESULTS_SWEEP_JSON, _MD, _HTML). */
int rx_results_sweep_file(const char *out, const char *file, char *buf, size_t n);
/* <out>/figures/sweep_<statistic>: a sweep figure's base path (".png" and ".svg" added), and the
 * same relative to <out>, as the report links it. */
int rx_results_sweep_figure(const char *out, const char *statistic, char *buf, size_t n);
int rx_results_sweep_figure_rel(const char *statistic, char *buf, size_t n);
#define RX_RESULTS_SWEEP_JSON "sweep.json"
#define RX_RESULTS_SWEEP_MD "sweep.md"
#define RX_RESULTS_SWEEP_HTML "sweep.html"

/* ---- seed lists ---- */

#define RX_SEED_LIST_MAX 256 /* the most seeds a list may hold */

/* Parses a seed list: seeds (0 .. INT_MAX) and ranges A-B (A <= B) separated by commas, spaces
 * allowed around each: "3", "0-4", "0,2,5-7", "0-4, 7". The list is a set: any order, the
 * result is ascending; a seed named twice (also through overlapping ranges, "0-4,3") is
 * refused, as is an empty list or item. With all non-NULL, "all" is accepted too: *all = 1 and
 * *n = 0 (every seed found); else *all = 0. Fails (naming text and what is wrong) without
 * touching seeds. max: capacity of seeds (at most RX_SEED_LIST_MAX are accepted). */
int rx_seed_list_parse(const char *text, int *seeds, int max, int *n, int *all, rx_error *err);
/* Writes ascending seeds (n >= 0) as a seed list rx_seed_list_parse reads back: runs of three
 * or more consecutive seeds as ranges, items separated by sep (", " for text people read, ","
 * for a command-line argument): "0-4, 7, 9". "" for n = 0. 0, or RX_EINVAL when cut short. */
int rx_seed_list_format(const int *seeds, int n, const char *sep, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
