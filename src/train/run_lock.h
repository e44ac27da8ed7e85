/* Internal: the lock a training holds on its run directory (<run_dir>/.lock), so two processes
 * never train the same run, and the clean-up of temporary files a killed writer left there. */
#ifndef RX_TRAIN_RUN_LOCK_H
#define RX_TRAIN_RUN_LOCK_H

#include <stddef.h>

#include "reactivate/error.h"

typedef struct rxtr_run_lock {
  int fd; /* -1 when not held */
  char path[4200];
} rxtr_run_lock;

/* Takes an exclusive flock on <run_dir>/.lock (created if missing) and writes "<pid> <host>"
 * into it. The lock belongs to the open file, so it vanishes with a killed process; a lock file
 * left behind is taken over, and note (note_n bytes, may be NULL) says so. Fails at once with
 * RX_EINVAL naming the holding process when another one holds it, RX_EIO when the file cannot be
 * created. On filesystems without flock it proceeds unlocked and says so in note. */
int rxtr_run_lock_acquire(rxtr_run_lock *lk, const char *run_dir, char *note, size_t note_n,
                          rx_error *err);
/* Removes the lock file and releases the lock; a no-op when not held. */
void rxtr_run_lock_release(rxtr_run_lock *lk);

/* Removes the temporary files (<output>.tmp.<digits>) of the trainer's outputs (model_<step>.npz,
 * train_metrics.json, test_metrics.json, config.yaml) from run_dir; call with the lock held.
 * Returns how many were removed. */
int rxtr_remove_stale_temporaries(const char *run_dir);

#endif
