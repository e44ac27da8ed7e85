/* Shared internals of the reproduction report (rx_report_write): the text buffers and the
 * document writer that emits Markdown and HTML side by side (report_doc.c), the results found
 * on disk and the numbers read from them (report_data.c), the claims checklist (report_claims.c),
 * the tables of measured and reference numbers (report_tables.c), the section of the probes,
 * "Is it sampling?" (report_probes.c), the section "Replay" (report_replay.c) and the section
 * "Mechanisms" (report_mechanisms.c). report.c puts the sections together and writes the two
 * files. */
#ifndef RX_REPORT_INTERNAL_H
#define RX_REPORT_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "reactivate/report.h"
#include "reactivate/results.h"
#include "reactivate/task.h"
#include "results/reader.h"

/* ---- text (report_doc.c) ---- */

typedef struct rp_buf {
  char *s;
  size_t n, cap;
  int oom; /* an allocation failed: the text is incomplete */
} rp_buf;

void rp_buf_put(rp_buf *b, const char *s, size_t n);
void rp_buf_puts(rp_buf *b, const char *s);
void rp_buf_printf(rp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_buf_free(rp_buf *b);
/* Appends plain text escaped for HTML (text or attribute value). */
void rp_buf_html_text(rp_buf *b, const char *s);

/* The report as it is written: every call appends the same content to both outputs. Text
 * arguments are plain text (escaped here for each format). */
typedef struct rp_doc {
  rp_buf md, html;
  int n_cols, col, header; /* the open table */
  int n_images;
} rp_doc;

void rp_heading(rp_doc *d, int level, const char *text);
void rp_para(rp_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_pre(rp_doc *d, const char *text);
void rp_table_begin(rp_doc *d, int n_cols, const char *const *headers);
void rp_cell(rp_doc *d, const char *text);
/* A cell with an HTML class (e.g. "holds"); the Markdown is the same text. */
void rp_cell_class(rp_doc *d, const char *text, const char *cls);
void rp_table_end(rp_doc *d);
void rp_list_begin(rp_doc *d);
void rp_list_item(rp_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_list_end(rp_doc *d);
/* An image (src relative to the report, '/'-separated), its caption and an optional link to
 * the vector version. */
void rp_figure(rp_doc *d, const char *src, const char *caption, const char *svg_src);
void rp_doc_free(rp_doc *d);
/* Writes the document as Markdown to md_path and as an HTML page titled title (the report's
 * style) to html_path, each atomically (report.c). */
int rp_write_doc(const rp_doc *d, const char *title, const char *md_path, const char *html_path,
                 rx_error *err);

/* Numbers as the report writes them: %.3g ("0.41", "0.0056", "6.2e-06"); "n/a" for NaN. */
void rp_num(double v, char *buf, size_t n);
/* Appends to the string in buf (size n), cut short at its end, never overrun. */
void rp_strcatf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- results on disk (report_data.c) ---- */

enum { RP_MAIN = 0, RP_GAUSS = 1 }; /* the published uniform noise, and zero-mean Gaussian */

typedef struct rp_set { /* one results root and task */
  rx_results_set where; /* <root>/<task>, and the noise of the runs found there */
  char rel[2300];       /* where.dir relative to the report's folder ("" when not reachable) */
  int exists;
  int seeds[RX_REPORT_MAX_SEEDS], n_seeds; /* seeds that have runs or analyses */
  int mech; /* the main root's mechanisms-family files (mech_, docs/mechanisms.md) exist for a
               reported seed: "Mechanisms" and its claims are shown */
} rp_set;

typedef struct rp_ctx {
  const rx_report_config *cfg;
  rxr_reader rd;                           /* the log and the file cache */
  rp_set sets[2][2];                       /* [root][task] */
  int seeds[RX_REPORT_MAX_SEEDS], n_seeds; /* the seeds reported */
} rp_ctx;

void rp_log(rp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Finds the noise and seeds of every root and task, reads every results file the report uses
 * (a malformed one fails here, naming it, before anything is written) and logs what is
 * missing. */
int rp_gather(rp_ctx *c, rx_error *err);
void rp_ctx_free(rp_ctx *c);
/* Whether any task has the mechanisms family's files (rp_set.mech): without them the report
 * has no "Mechanisms" and no claims o1-o3, as before the family existed. */
int rp_has_mechanisms(const rp_ctx *c);

/* A trained run, by its experiment (rx_experiment_id) and, when key is not NULL, one of its
 * conditions in the mechanisms family's files, key being the condition's suffix
 * (rx_mechanism_condition.suffix: "" as trained, "+adaptation", "+off"); or (exp < 0) a literal
 * key of the results (RX_RESULTS_RANDOM, RX_RESULTS_UNIFORM); neither (exp < 0, key NULL): no
 * run. */
typedef struct rp_run {
  int exp;
  const char *key;
} rp_run;

/* The run of a mechanisms-family condition: its key in the mech_ files is the condition's
 * (rx_results_condition_key), its test metrics those of the trained run. */
rp_run rp_condition_run(const rx_mechanism_condition *mc);

#define RP_NO_RUN                                                                                  \
  { -1, NULL }

/* The value of a quantity is found by walking the file's keys: a, then b (runs; skipped when
 * none), then the keys of field, separated by '.' ("quiescent.point.plateau"). */
typedef enum rp_kind {
  RP_VALUE,    /* the number at file[a][b][field] (keys that are NULL are skipped) */
  RP_FLAG,     /* the boolean there, as 1 or 0: its mean over seeds is the share that are true */
  RP_POSITIVE, /* whether the number there is > 0, as 1 or 0 (null, an undefined number such as
                  the median speed of no event, counts as 0): its mean over seeds is the share
                  of seeds where it is positive */
  RP_AT_K,     /* the element of the array there whose sibling array "k" holds the value `at`
                  (the probe temperature's per-k arrays, docs/probes.md §5) */
  RP_COVERAGE, /* fraction of the bins of the histogram at file[a][field] that are occupied */
  RP_RING_KL,  /* heading files: KL(file[a].quiescent_histogram || file[b].active_histogram) */
  RP_RING_EFF, /* exp(-RP_RING_KL): the effective coverage of claim g1 */
  RP_FINAL     /* test_metrics.json of run a: field of the last step ("loss", "error", "step") */
} rp_kind;

/* A bin is occupied when it holds at least this fraction of a uniform histogram's share. */
#define RP_COVERAGE_MIN_SHARE 0.25

/* One measured quantity, read per seed. */
typedef struct rp_qty {
  int root; /* RP_MAIN or RP_GAUSS */
  rx_task_kind task;
  int analysis;       /* rx_results_analysis (unused for RP_FINAL) */
  const char *prefix; /* the analysis family: RX_RESULTS_MAIN, _SAME, _GRU, _MECH */
  rp_run a, b;        /* keys (b: none when RP_NO_RUN) */
  const char *field;  /* last keys, '.'-separated (NULL: none) */
  rp_kind kind;
  double at; /* RP_AT_K: the k whose element is read */
} rp_qty;

typedef struct rp_stat {
  double mean, sd; /* over the seeds that have the value; s.d. with ddof 0 (numpy.std) */
  int n;           /* how many seeds have it */
} rp_stat;

int rp_eval(rp_ctx *c, const rp_qty *q, rp_stat *out, rx_error *err);
/* Where the quantity is read from, relative to the results roots, for "not measured"
 * messages: "spatial_navigation/kl_gru_0.0001_<seed>.json". */
void rp_qty_where(const rp_ctx *c, const rp_qty *q, char *buf, size_t n);
/* The key of run r in s's files for seed: its run name (of a condition: the condition's key), or
 * the literal key. */
void rp_run_name(const rp_set *s, rp_run r, int seed, char *buf, size_t n);
/* "0.41 ± 0.05", "0.41" (one seed), "n/a"; " (n=1)" appended when n < expect. */
void rp_stat_text(const rp_stat *s, int expect, char *buf, size_t n);

/* ---- the claims checklist (report_claims.c) ---- */

typedef enum rp_verdict { RP_NOT_MEASURED = -1, RP_FAILS = 0, RP_HOLDS = 1 } rp_verdict;

/* Where a claim is listed: in the checklist, or next to the tables its files make. */
typedef enum rp_claim_group {
  RP_GROUP_CHECKLIST = 0,
  RP_GROUP_PROBES = 1,    /* judged from the probes' files (docs/probes.md): "Is it sampling?" */
  RP_GROUP_REPLAY = 2,    /* judged from replay's files (docs/replay.md): "Replay" */
  RP_GROUP_MECHANISMS = 3 /* judged from the mechanisms family's (mech_) files: "Mechanisms";
                             left out of the report when no task has them */
} rp_claim_group;

typedef struct rp_claim_result {
  const char *id, *text;
  int paper;            /* a claim of the paper (1) or a finding beyond it (0) */
  rp_claim_group group; /* where it is listed */
  rp_verdict verdict;
  char numbers[1536]; /* the comparison with its numbers */
  char reason[768];   /* why not measured */
} rp_claim_result;

/* How many claims are defined: the most rp_claims_eval writes. */
int rp_claims_count(void);
/* Evaluates the claims into out (room for rp_claims_count()), *n of them: every claim, less those
 * of the mechanisms (RP_GROUP_MECHANISMS) when no task has the family's files. A claim whose
 * comparisons are made on both tasks is judged on the tasks measured: it holds when it holds on
 * each, and is not measured only when neither task is. */
int rp_claims_eval(rp_ctx *c, rp_claim_result *out, int *n, rx_error *err);
const char *rp_verdict_text(rp_verdict v);
/* The checklist table of the claims of one kind (paper 1 / 0) and group (report.c). */
void rp_claims_table(rp_doc *d, const rp_claim_result *res, int n, int paper, rp_claim_group group);

/* ---- sections (report_tables.c) ---- */

int rp_section_runs(rp_ctx *c, rp_doc *d, rx_error *err);
int rp_section_kl(rp_ctx *c, rp_doc *d, rx_error *err);
int rp_section_variance(rp_ctx *c, rp_doc *d, rx_error *err);
int rp_section_distance(rp_ctx *c, rp_doc *d, rx_error *err);
int rp_section_head_direction(rp_ctx *c, rp_doc *d, rx_error *err);
void rp_section_reference(rp_doc *d);
int rp_section_figures(rp_ctx *c, rp_doc *d, rx_error *err);
/* The caption of the figure file stem ("fig1b_learning_curves", "figC2_probe_score"). */
void rp_figure_caption(const char *stem, int gaussian, char *buf, size_t n);
/* Figure <task>/figures/<stem>.png of set s, when it exists (with its SVG when that exists);
 * returns whether it was shown. */
int rp_figure_if_exists(const rp_set *s, rp_doc *d, const char *stem);
/* Every figure of set s whose file name starts with prefix: first <prefix><order[i]> for each
 * name of order that exists, then the others in name order; returns how many were shown, or a
 * negative error. */
int rp_figures_with_prefix(const rp_set *s, rp_doc *d, const char *prefix, const char *const *order,
                           int n_order, rx_error *err);
/* The stem prefix of the probe figures that "Is it sampling?" shows (the main family's):
 * "fig_probe_" (then "mixing", "score", ...); the Figures section leaves them to it. */
#define RP_PROBE_FIGURE_PREFIX "fig_probe_" /* src/figures/figures_probes.c names them so */
/* The stem prefixes of the replay figures that "Replay" shows, the main family's and the GRUs'
 * (src/figures names them fig_replay_examples, figC2_replay_examples, ...); the Figures section
 * leaves them to it. */
#define RP_REPLAY_FIGURE_PREFIX "fig_replay_"
#define RP_REPLAY_GRU_FIGURE_PREFIX "figC2_replay_"
/* The stem of the mechanisms figure that "Mechanisms" shows (src/figures/figures_mechanisms.c);
 * the Figures section leaves it to it. */
#define RP_MECHANISMS_FIGURE "fig_mechanisms"

/* ---- the tables of the files beyond the paper, the probes' and replay's (report_probes.c) ---- */

/* One row: a vanilla run, or the untrained control, in one condition of the file. */
typedef struct rp_row {
  rp_run run;
  const char *cond; /* "quiescent", "absolute_noise"; NULL: the run's object (temperature) */
  char label[200];
  const char *prefix; /* the family of the files read (NULL: the main family, RX_RESULTS_MAIN) */
} rp_row;

#define RP_MAX_ROWS 8

/* The rows of task, in the paper's order (U-σ, B-σ, U, B): each run in condition `quiescent`
 * (the noiseless ones also with noise given offline, `absolute_noise`), then the untrained
 * control (its condition `quiescent`); or (by_condition 0) one row per run. Returns the count. */
int rp_rows_of(rx_task_kind task, int by_condition, rp_row *rows);
/* file[run][cond.what] of the task's file of analysis in the row's family (cond omitted when the
 * row has none; what "" with no cond: file[run] itself), over the seeds. */
int rp_row_eval(rp_ctx *c, rx_task_kind task, int analysis, const rp_row *r, const char *what,
                rp_kind kind, double at, rp_stat *st, rx_error *err);
/* A table cell of that number's mean ± s.d. over seeds. */
int rp_row_cell(rp_ctx *c, rp_doc *d, rx_task_kind task, int analysis, const rp_row *r,
                const char *what, rx_error *err);
/* A table cell of quantity q's mean ± s.d. over seeds. */
int rp_qty_cell(rp_ctx *c, rp_doc *d, const rp_qty *q, rx_error *err);
/* The reported seeds that have the task's file of analysis in family prefix (*n of them), and
 * the first one's contents (NULL when none). */
int rp_files_of(rp_ctx *c, const rp_set *s, int analysis, const char *prefix, int *seeds, int *n,
                const cJSON **first, rx_error *err);
/* A number of a file's settings: settings[key], settings["<group>.<key>"] or
 * settings[group][key]; 1 and *v when found. */
int rp_setting(const cJSON *file, const char *group, const char *key, double *v);
/* "Sizes run: <words>. Settings in the files (...): <every setting, per group of seeds that ran
 * the same>." of the files of analysis in family prefix; words: "; part; part" (the leading "; "
 * is dropped), or "" when not recorded. */
int rp_sizes_para(rp_ctx *c, rp_doc *d, const rp_set *s, int analysis, const char *prefix,
                  const int *seeds, int n_seeds, const char *words, rx_error *err);
/* The sizes a probe's file of family prefix says were run, in words ("; 200 trajectories × ..."),
 * appended to words (size n): from first, the first seed's file (seeds: those that have one). */
int rp_probe_sizes_words(rp_ctx *c, const rp_set *s, int analysis, const char *prefix,
                         const int *seeds, const cJSON *first, char *words, size_t n,
                         rx_error *err);
/* The same for a replay file (docs/replay.md §7), into words (size n) that start empty. */
void rp_replay_sizes_words(const cJSON *first, char *words, size_t n);
/* A section's part for one task, s its main-root results (which exist). */
typedef int (*rp_task_part)(rp_ctx *c, rp_doc *d, rx_task_kind task, const rp_set *s,
                            rx_error *err);
/* For spatial navigation, then head direction: a heading "### <task>", then part, or (no results
 * of the task in the main root) a line saying so. Returns the first part's error, or 0. */
int rp_each_task(rp_ctx *c, rp_doc *d, rp_task_part part, rx_error *err);

/* ---- "Is it sampling?" (report_probes.c) ---- */

/* The probes' claims (res: all claims, judged), and per task the tables of the four probes with
 * the random control, the sizes their files say were run, and their figures. */
int rp_section_probes(rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n, rx_error *err);

/* ---- "Replay" (report_replay.c) ---- */

/* Replay's claims (res: all claims, judged), and per task the tables of the significant events,
 * their speeds and (in the arena) their paths' shape, for the vanilla runs and the untrained
 * control, the sizes the files say were run, and the replay figures. */
int rp_section_replay(rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n, rx_error *err);

/* ---- "Mechanisms" (report_mechanisms.c) ---- */

/* Nothing when no task has the mechanisms family's files (rp_has_mechanisms). Else the claims
 * o1-o3 (res: all claims, judged), and per task the table of the family's conditions (the paper
 * cell, adaptation and momentum, as trained and switched offline) and the untrained control:
 * final decoding error, quiescent variance and step distance, diffusion α, replay's significant
 * events, their median |v| and compression, and in the arena the KL to the own awake outputs;
 * the sizes the files say were run; and fig_mechanisms. */
int rp_section_mechanisms(rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n, rx_error *err);

#endif
