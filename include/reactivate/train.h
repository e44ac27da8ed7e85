/* Training (docs/science.md §4): the Adam optimiser (PyTorch semantics, L2 weight decay added to
 * the gradient) and the training loop that writes checkpoints and metrics in the published layout
 * (docs/science.md §8) and resumes from the last checkpoint with the same random streams. The loss
 * is the population code's (rx_population_loss, population.h). */
#ifndef RX_TRAIN_H
#define RX_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "reactivate/config.h"
#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rx_adam {
  size_t n;
  double lr, beta1, beta2, eps, weight_decay;
  int64_t step; /* number of updates done */
  float *m, *v; /* (n,) first and second moment estimates */
} rx_adam;

int rx_adam_create(rx_adam **out, size_t n, double lr, double weight_decay, rx_error *err);
void rx_adam_free(rx_adam *adam);
/* One update of w (n,) from grad (n,), exactly as torch.optim.Adam (amsgrad off). */
void rx_adam_step(rx_adam *adam, float *w, const float *grad);

/* What the training loop reports, after every step and after every test evaluation. */
typedef struct rx_train_progress {
  int64_t step;       /* steps completed */
  int64_t n_steps;    /* trainer.n_epochs */
  int64_t first_step; /* step the run (re)started from */
  double loss, error; /* last training step; error = decoding error (NaN if not computed) */
  int tested;         /* 1 when test_loss/test_error were just measured */
  double test_loss, test_error;
  double elapsed_s;       /* since this invocation started */
  const char *checkpoint; /* path just written, or NULL */
  const char *note;       /* on the first report only: one line on what the start had to
                             repair or take over (a stale lock, temporary files of a killed
                             run, a checkpoint the metrics do not reach); NULL if nothing */
} rx_train_progress;

typedef void (*rx_progress_fn)(void *ctx, const rx_train_progress *p);

typedef struct rx_train_options {
  int resume;    /* continue from the run directory's last checkpoint */
  int overwrite; /* start over even if the run directory holds checkpoints */
  rx_progress_fn progress;
  void *progress_ctx;
  volatile sig_atomic_t *stop; /* when set non-zero, save a checkpoint and return */
  int64_t stop_after; /* > 0: stop (as if interrupted) after this many steps in total (tests) */
} rx_train_options;

typedef struct rx_train_result {
  int64_t steps_done;   /* steps completed in the run directory */
  int interrupted;      /* stopped early by stop / stop_after */
  int64_t resumed_from; /* step of the checkpoint this invocation started from; -1: fresh start */
  char run_dir[4096];
  char last_checkpoint[4096]; /* newest checkpoint on disk ("" if none), also after an error */
  char note[1024];            /* the progress report's note (see rx_train_progress), "" if none */
  double final_loss, final_test_loss, final_test_error;
} rx_train_result;

/* Trains cfg into rx_config_run_dir(cfg). Puts the process in flush-to-zero mode first
 * (rx_flush_denormals), as every step loop runs. Writes config.yaml, model_<step>.npz (step 0 and
 * every trainer.save_freq steps and at the end), train_metrics.json and test_metrics.json, each
 * atomically (temporary file, fsync, rename), the metrics before the checkpoint of the same step.
 *
 * Reliability:
 * - Lock: the whole training holds an flock on <run_dir>/.lock (holding "<pid> <host>"); a second
 *   trainer of the same run fails at once with RX_EINVAL naming the holder. The kernel drops the
 *   lock of a killed process; the file it leaves is taken over (see note).
 * - Resume after a kill: temporary files of the trainer's outputs are removed, never loaded;
 *   training continues from the newest checkpoint that the metrics files reach (an older one if
 *   the run was killed between writing a checkpoint and its metrics, or the newest is unreadable),
 *   and metrics of later steps are dropped, so the finished run is bit-identical to an
 *   uninterrupted one.
 * - Write failures (disk full, unwritable directory): RX_EIO with the path and strerror; earlier
 *   checkpoints are left as they were.
 * - Divergence: a non-finite loss or weight stops training with RX_ENUMERIC naming the step and
 *   the last good checkpoint; a checkpoint with non-finite weights is never written. */
int rx_train(const rx_train_config *cfg, const rx_train_options *opt, rx_train_result *result,
             rx_error *err);

/* Times `reps` training steps (after one warm-up) of a fresh model of cfg, touching no files;
 * seconds (reps,) receives each step's wall time and *flops (unless NULL) the floating-point
 * operations of the products of one step as the trainer runs it (with the low-rank readout
 * backward where the code has one). Flush-to-zero mode as rx_train. Used by `reactivate bench`. */
int rx_train_benchmark(const rx_train_config *cfg, int reps, double *seconds, double *flops,
                       rx_error *err);

/* Name of the decoding-error metric: "pos_mse" (spatial) or "hd_mse" (head direction). */
const char *rx_error_metric_name(rx_task_kind kind);

#ifdef __cplusplus
}
#endif
#endif
