/* Shared by the libFuzzer targets in fuzz/: a private scratch directory per process, writing the
 * fuzzer's bytes to a file there (the loaders under test read paths, as the CLI does), and a
 * hard stop for broken invariants (a crash is what libFuzzer reports and keeps). */
#ifndef RX_FUZZ_COMMON_H
#define RX_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fails the run loudly: libFuzzer saves the input as a crash reproducer. */
#define FUZZ_ASSERT(cond, ...)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "fuzz invariant failed at %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* "$TMPDIR/rx_fuzz_<pid>" (created once; removed at exit with what is in it). */
static char fuzz_dir_[512];

static inline void fuzz_dir_cleanup_(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_);
  if (fuzz_dir_[0]) (void)!system(cmd);
}

static inline const char *fuzz_dir(void) {
  if (!fuzz_dir_[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir_, sizeof fuzz_dir_, "%s/rx_fuzz_%ld", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", fuzz_dir_);
    FUZZ_ASSERT(system(cmd) == 0, "cannot create %s", fuzz_dir_);
    atexit(fuzz_dir_cleanup_);
  }
  return fuzz_dir_;
}

/* Writes data to <fuzz dir>/<name> (subdirectories of name must exist) and returns the path. */
static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t size) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
  FILE *f = fopen(path, "wb");
  FUZZ_ASSERT(f, "cannot create %s", path);
  FUZZ_ASSERT(size == 0 || fwrite(data, 1, size, f) == size, "cannot write %s", path);
  FUZZ_ASSERT(fclose(f) == 0, "cannot close %s", path);
  return path;
}

/* A message is one line, non-empty. */
static inline void fuzz_check_message(const char *msg) {
  FUZZ_ASSERT(msg[0] != '\0', "failure without a message");
  FUZZ_ASSERT(strchr(msg, '\n') == NULL, "message of several lines: %s", msg);
}

#endif
