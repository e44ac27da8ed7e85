/* The paper's figures (docs/science.md §7) and the probes' (docs/probes.md §6) drawn from saved
 * results: the run directories `reactivate train` writes and the <analysis>_<suffix>.json / .npz
 * files `reactivate analyze` writes under <path>/<task>/ (docs/science.md §8). Finds which seeds
 * have which files, draws every figure it has data for into <path>/<task>/figures/ (as <name>.png
 * and <name>.svg) and reports each figure written or skipped through a log callback. What it is
 * not: an analysis. Nothing is simulated here; the only numbers computed are means and s.d. over
 * seeds, pooled samples, KDEs on a grid for the density images and angular velocities of saved
 * decoded headings. */
#ifndef RX_FIGURES_H
#define RX_FIGURES_H

#include "reactivate/error.h"
#include "reactivate/results.h"
#include "reactivate/task.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RX_FIGURES_MAX_SEEDS RX_SEED_LIST_MAX

typedef struct rx_figures_config {
  rx_task_kind task;
  char path[2048]; /* results root: runs and analyses in <path>/<task>/ ("results") */
  double noise;    /* sigma2_rec of the noisy runs, as in their names; < 0: the task's default
                      (1e-4 spatial navigation, 0.01 head direction) */
  int all_seeds;   /* 1: every seed that has a run or analysis file (the default) */
  int n_seeds;     /* else these seeds, ascending and distinct */
  int seeds[RX_FIGURES_MAX_SEEDS];
  char only[1024]; /* "": every figure; else the figures named, comma-separated, a trailing '*'
                      matching any ending (only=fig2e_kl_matrix,fig_probe_*) */
} rx_figures_config;

/* spatial_navigation, path "results", the task's noise, all seeds. */
void rx_figures_config_default(rx_figures_config *cfg);
/* Applies key=value settings: task=spatial_navigation|head_direction, path=DIR, noise=X,
 * seeds=all or a seed list (rx_seed_list_parse: seeds=0-2,4; any order, each seed once),
 * only=NAME[,NAME...] (the figures drawn; the others are not written).
 * Unknown keys and bad values are refused naming the argument. */
int rx_figures_config_parse(rx_figures_config *cfg, int n, const char *const *args, rx_error *err);

/* Receives one line per figure written ("wrote …") or skipped ("skipped <name>: <reason>"). */
typedef void (*rx_figures_log_fn)(void *ctx, const char *line);

/* Draws every figure of cfg->task that the results support. Missing runs or analyses skip the
 * figures that need them (logged, not fatal). Fails (one line naming the file) when a file that
 * is present cannot be read or is malformed, when a figure cannot be written, or when there is
 * no data at all (no figure drawn). */
int rx_figures(const rx_figures_config *cfg, rx_figures_log_fn log, void *ctx, rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
