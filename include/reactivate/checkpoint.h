/* Checkpoints: one .npz holding the weights under their PyTorch names and shapes, the population
 * code's centres, the resolved config (YAML text, key "config"), the step, and the optimiser
 * state, so that a checkpoint alone rebuilds the model and resumes training bit-exactly. */
#ifndef RX_CHECKPOINT_H
#define RX_CHECKPOINT_H

#include <stdint.h>

#include "reactivate/config.h"
#include "reactivate/error.h"
#include "reactivate/population.h"
#include "reactivate/rnn.h"
#include "reactivate/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rx_checkpoint {
  rx_train_config cfg;
  rx_rnn *rnn;
  rx_population *pop;
  rx_adam *adam; /* NULL when the file holds no optimiser state */
  int64_t step;
} rx_checkpoint;

/* Arrays: every rnn parameter (float32, PyTorch shape); "population.centers" (n, 2) place-cell
 * centres or (n,) preferred angles (absent for identity codes); "config" (0-d string); "step"
 * (int64); "optimizer.step" and "optimizer.exp_avg.<name>" / "optimizer.exp_avg_sq.<name>". */
int rx_checkpoint_save(const char *path, const rx_train_config *cfg, const rx_rnn *rnn,
                       const rx_population *pop, const rx_adam *adam, int64_t step, rx_error *err);
/* Loads and validates everything (shapes against the stored config); refuses corrupt files. */
int rx_checkpoint_load(const char *path, rx_checkpoint *out, rx_error *err);
void rx_checkpoint_free(rx_checkpoint *ck);

/* <step> of a file named exactly model_<step>.npz; -1 for any other name. */
int64_t rx_checkpoint_step_of(const char *filename);
/* Largest <step> of the model_<step>.npz files in dir; -1 if none. Temporary files
 * (model_<step>.npz.tmp.<pid>, left by a killed writer) never count. */
int64_t rx_checkpoint_latest(const char *dir);
/* Largest <step> <= max_step of the model_<step>.npz files in dir; -1 if none. */
int64_t rx_checkpoint_latest_upto(const char *dir, int64_t max_step);
/* "<dir>/model_<step>.npz" */
void rx_checkpoint_path(char *buf, size_t n, const char *dir, int64_t step);

#ifdef __cplusplus
}
#endif
#endif
