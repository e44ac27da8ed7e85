/* Sweeps (docs/sweep.md): a grid of config overrides (the cartesian product of a few keys'
 * values) times seeds over chosen experiments, each grid point trained and analysed as in a
 * reproduction, summarised in one report. A sweep file is a reproduction profile (it `extends:`
 * one for its sizes) narrowed to the experiments it names, plus `grid:`. rx_sweep_create reads
 * and checks it and expands it into ONE plan (reproduce.h): every point's steps, each point
 * rooted in its own directory <out>/points/<key=value,...>, so a rerun resumes and skips what is
 * finished exactly as `reproduce` does. rx_sweep_report_write summarises the results found on
 * disk: <out>/sweep.json, sweep.md, sweep.html and a figure per statistic. What it is not: an
 * executor (the CLI runs the plan), nor a search (every point of the grid is run). */
#ifndef RX_SWEEP_H
#define RX_SWEEP_H

#include "reactivate/error.h"
#include "reactivate/report.h"
#include "reactivate/reproduce.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RX_SWEEP_MAX_KEYS 6
#define RX_SWEEP_MAX_POINTS 256

typedef struct rx_sweep_key {
  char name[128];  /* dotted training config key ("rnn.sigma2_rec") */
  int n_values;    /* >= 1 */
  char **values;   /* (n_values,) as the sweep file writes them ("1.0e-5") */
  double *numbers; /* (n_values,) each value as a number (NaN when it is not one) */
  int numeric;     /* every value is a number */
} rx_sweep_key;

typedef struct rx_sweep_point {
  char name[256];               /* rx_results_sweep_point_name: "rnn.sigma2_rec=1.0e-5" */
  char dir[2048];               /* its results root: <out>/points/<name> */
  int value[RX_SWEEP_MAX_KEYS]; /* index of its value of each key */
  char noise[2][64];            /* per task: the noise its run and analysis names carry
                                   ("0.0001"; "" when the task is not swept) */
} rx_sweep_point;

typedef struct rx_sweep_task {
  int present; /* the sweep runs this task (spatial_navigation 0, head_direction 1) */
  int n_experiments;
  char **experiments; /* (n_experiments,) names, in the sweep file's order */
} rx_sweep_task;

typedef struct rx_sweep {
  char path[2048]; /* the sweep file as found */
  char description[1024];
  char out[2048]; /* results root of the sweep */
  int n_seeds;
  int seeds[RX_PLAN_MAX_SEEDS];
  int n_keys;
  rx_sweep_key keys[RX_SWEEP_MAX_KEYS]; /* in the file's order */
  int n_points;                         /* the product of the keys' value counts */
  rx_sweep_point *points;               /* the cartesian product, the first key varying slowest (as
                                           itertools.product): point i's value of key k is
                                           (i / prod_{j>k} n_j) % n_k */
  rx_sweep_task tasks[2];
  rx_plan *plan; /* every point's steps (labels prefixed "[<point name>] ") */
} rx_sweep;

/* Reads the sweep file `path`, checks it (unknown keys, an empty or non-list grid value, a key
 * the training config does not know or a value it refuses, for every experiment swept: each one
 * line naming the file, line and key) and builds its plan with results under out_dir.
 * seeds/n_seeds (ascending, distinct) replace the file's seeds when n_seeds > 0. */
int rx_sweep_create(rx_sweep **out, const char *path, const char *out_dir, const int *seeds,
                    int n_seeds, rx_error *err);
void rx_sweep_free(rx_sweep *sw);

/* Writes <out>/sweep.json, sweep.md, sweep.html and <out>/figures/sweep_<statistic>.png/.svg
 * from the results on disk: every summary statistic of each point's analyses (docs/sweep.md §4),
 * per point, task and experiment, mean and s.d. (ddof 0, as the reproduction report) over the
 * seeds that have it. Missing results are "—" (null in the JSON), never an error; a malformed
 * results file is (one line naming it). The files depend on the results alone (no date, no
 * wall time): a rerun over the same results writes the same bytes. */
int rx_sweep_report_write(const rx_sweep *sw, rx_report_log_fn log, void *ctx, rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
