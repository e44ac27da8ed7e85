/* Internal to src/analysis: what the offline-reactivation drivers share (the runs of one
 * (task, seed, noise), simulation of a run awake or quiescent, JSON and .npz output). The
 * analyses themselves are in reactivation_kl.c and reactivation_runs.c. */
#ifndef RX_ANALYSIS_REACTIVATION_INTERNAL_H
#define RX_ANALYSIS_REACTIVATION_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "reactivate/analyze.h"
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
  SIM_RANDOM
};

typedef struct run_slot {
  const rx_experiment *exp; /* which of the task's experiments */
  char name[256];           /* run name, e.g. noisy_unbiased_0.0001_0 */
  rx_checkpoint ck;
  int loaded;
} run_slot;

typedef struct analysis_ctx {
  const rx_analysis_config *cfg;
  rx_analysis_log_fn log;
  void *log_ctx;
  run_slot runs[RX_EXP_COUNT];
  int n_runs;
  rx_results_set set; /* <path>/<task> and the noise the run names carry */
  const char *prefix; /* the analysis family written: "", "gru_", "same_", ... */
} analysis_ctx;

/* Arrays for the figures, next to the JSON: <analysis>_<prefix><noise>_<seed>.npz. */
typedef struct npz_list {
  rx_array arrays[64];
  char names[64][320];
  int64_t shapes[64][3];
  void *owned[64];
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
/* The untrained control run quiescent (see reactivation.c). */
int rxa_simulate_random(const analysis_ctx *a, const rx_checkpoint *ck, rx_sim_result *out,
                        rx_error *err);

/* The analyses. */
int rxa_kl(analysis_ctx *a, rx_error *err);
int rxa_variance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_distance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_pca_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_heading_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err);
int rxa_heading_controls(analysis_ctx *a, const rx_checkpoint *any, cJSON *root, npz_list *arrays,
                         rx_error *err);

#endif
