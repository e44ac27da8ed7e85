/* Internal to src/analysis: what the offline-reactivation drivers share (the runs of one
 * (task, seed, noise), simulation of a run awake or quiescent, JSON and .npz output). The
 * analyses themselves are in reactivation_kl.c and reactivation_runs.c. */
#ifndef RX_ANALYSIS_REACTIVATION_INTERNAL_H
#define RX_ANALYSIS_REACTIVATION_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "reactivate/analysis.h"
#include "reactivate/analyze.h"
#include "reactivate/arena.h"
#include "reactivate/checkpoint.h"
#include "reactivate/npz.h"
#include "reactivate/results.h"
#include "reactivate/simulate.h"

/* Noise indices of the simulations, so that no two share noise samples. */
enum {
  SIM_ACTIVE = 1,
  SIM_QUIESCENT,
  SIM_VARIANCE,
  SIM_DIST_ACTIVE,
  SIM_DIST_QUIESCENT,
  SIM_DIST_NOISY,
  SIM_PCA_ACTIVE,
  SIM_PCA_QUIESCENT,
  SIM_RANDOM,
  /* The probes: SIM_PROBE + 8 condition + start for the mixing starts (the active start shared
   * with score and diffusion), SIM_PROBE_TEMPERATURE + i for the i-th noise multiplier. */
  SIM_PROBE = 16,
  SIM_PROBE_TEMPERATURE = 48,
  /* Replay (replay.c): SIM_REPLAY + condition for the quiescent runs (the awake events are the
   * test batch's, SIM_ACTIVE). */
  SIM_REPLAY = SIM_PROBE_TEMPERATURE + RX_TEMPERATURE_MAX_K
};

struct rx_density;
struct rx_circular_kde;

/* What the probes keep of a run between them (probes.c): its awake outputs and densities, and
 * the long quiescent runs from the awake start, one per noise condition. */
typedef struct probe_cache {
  int has_awake;
  rx_sim_result awake;          /* the test batch, decoded (as the KL analysis simulates it) */
  struct rx_density *kde;       /* plane: KDE of the awake outputs */
  struct rx_circular_kde *ckde; /* ring: von Mises KDE of the awake headings */
  double *hist;                 /* ring: awake heading histogram (hd.bins) */
  int has_long[2];
  rx_sim_result long_run[2]; /* quiescent from the awake start, mixing.t_total steps */
} probe_cache;

typedef struct run_slot {
  const rx_experiment *exp; /* which of the task's experiments */
  char name[256];           /* run name, e.g. noisy_unbiased_0.0001_0 */
  rx_checkpoint ck;
  int loaded;
  probe_cache probe;
  struct rx_rnn *owned_rnn;         /* the random control's network (ck.rnn), freed with the slot */
  const struct run_slot *reference; /* whose awake density the random control is judged on */
  int has_offline;                  /* quiescence runs with offline instead of the trained */
  rx_mechanism offline;             /* mechanism (mechanisms family; rnn.* settings) */
} run_slot;

typedef struct analysis_ctx {
  const rx_analysis_config *cfg;
  rx_analysis_log_fn log;
  void *log_ctx;
  run_slot runs[RX_RESULTS_MAX_RUNS];
  int n_runs;
  int family;           /* rx_results_family */
  rx_results_set set;   /* <path>/<task> and the noise the run names carry */
  char prefix[256];     /* of the files written (rx_analysis_prefix): "", "gru_", "same_", ... */
  run_slot random;      /* the untrained control for the probes (probes.c), built on first use */
  int probe_every_step; /* score or diffusion runs: the awake-start runs are read out at every
                           step (else at mixing.stride, all mixing uses) */
} analysis_ctx;

/* The mechanism the quiescent runs of ck's slot use instead of the trained one, or NULL (as
 * trained, or ck is no slot's: the random control). */
const rx_mechanism *rxa_offline_of(const analysis_ctx *a, const rx_checkpoint *ck);

/* Arrays for the figures, next to the JSON: <analysis>_<prefix><noise>_<seed>.npz. */
#define NPZ_LIST_MAX 512
typedef struct npz_list {
  rx_array arrays[NPZ_LIST_MAX];
  char names[NPZ_LIST_MAX][320];
  int64_t shapes[NPZ_LIST_MAX][3];
  void *owned[NPZ_LIST_MAX];
  int n;
} npz_list;

/* One analysis over the loaded runs: per_run adds each run's results to the JSON object and
 * the figure arrays; then both files are written. */
typedef int (*per_run_fn)(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays,
                          rx_error *err);

void rxa_log(analysis_ctx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Simulates ck: awake on its test batch (quiescent == 0) or quiescent from the same initial
 * states, B trajectories of T steps; index tells the simulations' noise apart. */
int rxa_simulate(const analysis_ctx *a, const rx_checkpoint *ck, int B, int T, int quiescent,
                 rx_quiescent_rule rule, double rule_var, int keep_hidden, uint32_t index,
                 rx_sim_result *out, rx_error *err);
rx_quiescent_rule rxa_rule(const analysis_ctx *a, const rx_checkpoint *ck);
int rxa_is_circular(const analysis_ctx *a);
double *rxa_to_double(const float *x, size_t n);
float *rxa_to_float(const double *x, size_t n);
float *rxa_batch_major_first(const float *src, int T, int B, int keep, int k);
float *rxa_batch_major(const float *src, int T, int B, int k);
/* analysis: rx_results_analysis */
int rxa_write_json(analysis_ctx *a, int analysis, cJSON *root, rx_error *err);
void rxa_npz_add(npz_list *l, const char *run, const char *what, float *data, int ndim, int64_t d0,
                 int64_t d1, int64_t d2);
int rxa_npz_flush(analysis_ctx *a, int analysis, npz_list *l, rx_error *err);
void rxa_npz_discard(npz_list *l);
/* After the runs, controls (may be NULL) adds the controls' results, given any loaded run's
 * checkpoint (the untrained control takes its shape and seed). */
typedef int (*controls_fn)(analysis_ctx *a, const rx_checkpoint *any, cJSON *root, npz_list *arrays,
                           rx_error *err);
int rxa_for_each_run(analysis_ctx *a, int analysis, per_run_fn per_run, controls_fn controls,
                     rx_error *err);
/* Writes root and arrays as analysis's JSON and .npz when rc is 0, frees both (either may be
 * NULL), and returns rc or the writing's error. */
int rxa_finish_files(analysis_ctx *a, int analysis, cJSON *root, npz_list *arrays, int rc,
                     rx_error *err);
/* The KL's uniform control for the runs of cfg (reactivation_kl.c): uniform in their arena,
 * density 1 / its area (the box's own uniform density in the box, walls or not). */
int rxa_uniform_control(const rx_train_config *cfg, rx_density **out, rx_error *err);
/* The arena of a run's spatial task (rx_arena_init with its task's settings; the box of
 * box_width x box_height by default). */
int rxa_arena(const rx_train_config *cfg, rx_arena *out, rx_error *err);
/* rx_arena_grid_mask over the arena's bounding box (docs/arenas.md §4): a malloc'd (ny, nx)
 * array of 0/1 flags, or NULL when every centre is inside (the box, the linear track) and
 * *n_inside = nx ny. NULL with *n_inside = -1: out of memory. */
unsigned char *rxa_arena_mask(const rx_arena *ar, int nx, int ny, int *n_inside);
/* The untrained control run quiescent (see reactivation.c). */
int rxa_simulate_random(const analysis_ctx *a, const rx_checkpoint *ck, rx_sim_result *out,
                        rx_error *err);

/* ---- the probes (probes*.c; docs/probes.md) ---- */

/* A noise condition of a run: its default quiescent noise ("quiescent"), or for noiseless runs
 * also the absolute noise of the probes ("absolute_noise"). */
typedef struct probe_cond {
  const char *name;
  rx_quiescent_rule rule;
  double rule_var;       /* for RX_QUIESCENT_ABSOLUTE */
  double noise_variance; /* of the recurrent noise per step, as run */
} probe_cond;

typedef enum probe_start { START_ACTIVE = 0, START_POINT, START_ZERO, N_STARTS } probe_start;
extern const char *const rxa_start_names[N_STARTS];

/* The runs the probes visit: the loaded runs, then the random control (built from the first
 * loaded run). *n set; the array is a->... pointers valid until the ctx is freed. */
int rxa_probe_slots(analysis_ctx *a, run_slot **slots, int *n, rx_error *err);
/* The point start's position (plane) or heading (p0[0]) for runs of ck. */
void rxa_probe_point(const analysis_ctx *a, const rx_checkpoint *ck, double p0[2]);
/* The mixing probe's default point start in an arena other than the box: 80 % of the way from
 * the centre of its bounding box to the lower-left corner (the box's rule); when that lies
 * outside the arena (a circle's, a T-maze's), the nearest point of the boundary moved inwards
 * by a tenth of the bounding box's smaller side, halved until it lies inside (a corridor). */
void rxa_arena_start_point(const rx_arena *ar, double p[2]);
/* The conditions of slot r (1 or 2). */
int rxa_probe_conditions(const analysis_ctx *a, const run_slot *r, probe_cond *conds);
/* Cached awake outputs and densities of r (the random control: of its reference run). */
int rxa_probe_awake(analysis_ctx *a, run_slot *r, const probe_cache **out, rx_error *err);
/* Quiescent run of r under condition c (index ci) from a start, B x T; the awake start with
 * mixing's sizes is cached and returned borrowed (*owned = 0); others are the caller's. */
int rxa_probe_run(analysis_ctx *a, run_slot *r, const probe_cond *c, int ci, probe_start start,
                  const rx_sim_result **out, rx_sim_result *storage, int *owned, rx_error *err);
/* KL(q || awake of r) of the samples x (n, dim): plane, §6.1's KDE Monte-Carlo estimator with
 * mixing.kl_samples samples; ring, the discrete KL of hd.bins-bin histograms. */
int rxa_probe_kl(analysis_ctx *a, run_slot *r, const float *x, size_t n, double *out,
                 rx_error *err);
/* One probe's file: settings(a, the "settings" object, arrays, state) first, then per_run on every
 * loaded run and the random control in order (rxa_probe_slots), then the JSON and the .npz. */
typedef int (*probe_run_fn)(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays,
                            void *state, rx_error *err);
int rxa_probe_each(analysis_ctx *a, int analysis,
                   void (*settings)(analysis_ctx *a, cJSON *set, npz_list *arrays, void *state),
                   probe_run_fn per_run, void *state, rx_error *err);
/* Numbers that may be undefined (NaN: null). */
void rxa_json_number(cJSON *obj, const char *key, double v);
cJSON *rxa_json_array(const double *v, int n);
void rxa_probe_free(analysis_ctx *a);

int rxa_mixing(analysis_ctx *a, rx_error *err);
int rxa_score(analysis_ctx *a, rx_error *err);
int rxa_temperature(analysis_ctx *a, rx_error *err);
int rxa_diffusion(analysis_ctx *a, rx_error *err);
/* Replay (replay.c; docs/replay.md §7). */
int rxa_replay(analysis_ctx *a, rx_error *err);

/* The analyses. */
int rxa_kl(analysis_ctx *a, rx_error *err);
int rxa_variance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_distance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_pca_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_heading_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_heading_controls(analysis_ctx *a, const rx_checkpoint *any, cJSON *root, npz_list *arrays,
                         rx_error *err);

#endif
