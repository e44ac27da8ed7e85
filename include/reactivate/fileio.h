/* Atomic file writing (temporary file, flush, fsync, rename) and small file helpers, so an
 * interrupted run never leaves a half-written checkpoint, metrics or analysis file. */
#ifndef RX_FILEIO_H
#define RX_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rx_atomic_file {
  FILE *f;
  char path[4096];
  char tmp[4096];
} rx_atomic_file;

/* Opens path.tmp.<pid> for writing. */
int rx_atomic_open(rx_atomic_file *af, const char *path, rx_error *err);
/* Flushes, fsyncs, closes and renames onto path; on any failure removes the temporary file and
 * reports the path and the reason (e.g. "No space left on device"). */
int rx_atomic_commit(rx_atomic_file *af, rx_error *err);
/* Closes and removes the temporary file. */
void rx_atomic_abort(rx_atomic_file *af);
/* Removes the temporary files of the atomic writes in progress in this process (up to 16 at a
 * time are tracked). Async-signal-safe: for a handler of a signal that ends the process (the
 * CLI's, for SIGINT / SIGTERM / SIGHUP), so that a step stopped mid-write leaves neither a
 * partial file (writes are atomic) nor its temporary. */
void rx_atomic_remove_temporaries(void);
/* Writes a whole buffer atomically. */
int rx_write_file_atomic(const char *path, const void *data, size_t n, rx_error *err);
/* Reads a whole file (NUL-terminated, *n without the NUL); max_bytes guards against huge input. */
int rx_read_file(const char *path, char **data, size_t *n, size_t max_bytes, rx_error *err);
/* mkdir -p. */
int rx_mkdirs(const char *path, rx_error *err);
int rx_file_exists(const char *path);

#ifdef __cplusplus
}
#endif
#endif
