/* Minimal test harness: each tests/test_<module>.c defines test functions, lists them in a table
 * and calls rx_test_main; a failed CHECK prints file:line and the condition and marks the test
 * failed. The closing line is "N passed, N failed", which CTest logs show. Test names given on
 * the command line pick the tests to run; a name that is not in the table fails the run (exit
 * 2, naming it and listing the known ones) before anything runs. */
#ifndef RX_TEST_UTIL_H
#define RX_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "reactivate/train.h"

static int rx_test_failed_;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                   \
      rx_test_failed_ = 1;                                                                         \
    }                                                                                              \
  } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "  %s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);                   \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      rx_test_failed_ = 1;                                                                         \
    }                                                                                              \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
  do {                                                                                             \
    double a_ = (double)(a), b_ = (double)(b);                                                     \
    if (!(fabs(a_ - b_) <= (tol))) {                                                               \
      fprintf(stderr, "  %s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g, tol %.3g\n", __FILE__,    \
              __LINE__, #a, a_, #b, b_, (double)(tol));                                            \
      rx_test_failed_ = 1;                                                                         \
    }                                                                                              \
  } while (0)

/* Stops the current test: for results later checks depend on (e.g. a create that failed). */
#define REQUIRE(cond)                                                                              \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "  %s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);                 \
      rx_test_failed_ = 1;                                                                         \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

#define REQUIRE_MSG(cond, ...)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "  %s:%d: REQUIRE failed: %s: ", __FILE__, __LINE__, #cond);                 \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      rx_test_failed_ = 1;                                                                         \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

typedef struct rx_test_case {
  const char *name;
  void (*fn)(void);
} rx_test_case;

#define TEST(fn)                                                                                   \
  { #fn, fn }

/* Runs all tests, or only those named on the command line (exit 2 if a name is unknown). */
static inline int rx_test_main(int argc, char **argv, const rx_test_case *tests, int n) {
  int unknown = 0;
  for (int a = 1; a < argc; a++) {
    int known = 0;
    for (int i = 0; i < n && !known; i++)
      known = strcmp(argv[a], tests[i].name) == 0;
    if (!known) fprintf(stderr, "%s: unknown test '%s'\n", argv[0], argv[a]);
    unknown += !known;
  }
  if (unknown) {
    fprintf(stderr, "known tests:\n");
    for (int i = 0; i < n; i++)
      fprintf(stderr, "  %s\n", tests[i].name);
    return 2;
  }
  int passed = 0, failed = 0;
  for (int i = 0; i < n; i++) {
    if (argc > 1) {
      int wanted = 0;
      for (int a = 1; a < argc; a++)
        wanted |= strcmp(argv[a], tests[i].name) == 0;
      if (!wanted) continue;
    }
    rx_test_failed_ = 0;
    fprintf(stderr, "[ RUN  ] %s\n", tests[i].name);
    tests[i].fn();
    fprintf(stderr, "[ %s ] %s\n", rx_test_failed_ ? "FAIL" : " OK ", tests[i].name);
    if (rx_test_failed_)
      failed++;
    else
      passed++;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

#define RX_TEST_MAIN(...)                                                                          \
  int main(int argc, char **argv) {                                                                \
    static const rx_test_case tests_[] = {__VA_ARGS__};                                            \
    return rx_test_main(argc, argv, tests_, (int)(sizeof tests_ / sizeof tests_[0]));              \
  }

/* Whether the threads of the OpenMP pool flush denormals to zero: 1 all, 0 none, -1 some
 * (the step loops' explicit rx_flush_denormals, checked by test_train and test_simulate). */
static inline int rx_test_pool_flushes(void) {
  int all = 1, none = 1;
#pragma omp parallel reduction(&& : all, none)
  {
    volatile float tiny = 1e-37f;
    volatile float product = tiny * 1e-3f; /* 1e-40 is a denormal unless flushed */
    all = all && product == 0.0f;
    none = none && product != 0.0f;
  }
  return all ? 1 : none ? 0 : -1;
}

/* RX_TEST_SMALL set and not "0" (.ci/valgrind.sh sets it): the slowest tests then visit fewer
 * cases or use smaller sizes; every check that runs asserts exactly what it asserts in a full run.
 * The only place the variable is read. */
static inline int rx_test_small(void) {
  const char *s = getenv("RX_TEST_SMALL");
  return s && *s && strcmp(s, "0") != 0;
}

/* A fresh empty directory under /tmp for a test's files (path in buf). */
static inline void rx_test_tmpdir(char *buf, size_t n, const char *tag) {
  snprintf(buf, n, "/tmp/rx_test_%s_XXXXXX", tag);
  if (!mkdtemp(buf)) {
    perror("mkdtemp");
    exit(2);
  }
}

/* Removes path and everything under it, as `rm -rf` does, without starting a shell (under
 * valgrind a shell is one more traced process); a link is removed, not followed. 0 when nothing
 * is left (or there was nothing), -1 otherwise. */
static inline int rx_test_rmtree(const char *path) {
  struct stat st;
  if (lstat(path, &st)) return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode)) return unlink(path) ? -1 : 0;
  DIR *d = opendir(path);
  if (!d) return -1;
  int rc = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char sub[4096];
    if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub)
      rc = -1;
    else if (rx_test_rmtree(sub))
      rc = -1;
  }
  closedir(d);
  return rmdir(path) ? -1 : rc;
}

/* rx_test_rmtree, saying so on stderr when something could not be removed. */
static inline void rx_test_rm_rf(const char *path) {
  if (rx_test_rmtree(path)) fprintf(stderr, "  (could not remove %s)\n", path);
}

/* The whole text of <dir>/<name> (malloc'd; up to 64 MB), or NULL. */
static inline char *rx_test_read_text(const char *dir, const char *name) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *text = NULL;
  size_t n;
  if (rx_read_file(path, &text, &n, (size_t)1 << 26, NULL)) return NULL;
  return text;
}

/* Trains a tiny run of experiment ("spatial_navigation/noisy_unbiased") under root: 16 units,
 * 24 cells (place cells, or head-direction cells with hd), batches of 16 trajectories of 10
 * steps, 20 steps, one checkpoint at the end. 0, or the error (printed). */
static inline int rx_test_train_tiny(const char *root, const char *experiment, int seed, int hd) {
  char path[300], seed_arg[32];
  snprintf(path, sizeof path, "path=%s", root);
  snprintf(seed_arg, sizeof seed_arg, "seed=%d", seed);
  const char *ov[] = {path,
                      seed_arg,
                      "rnn.n_rec=16",
                      hd ? "task.hd_cells_num=24" : "task.place_cells_num=24",
                      "task.batch_size=16",
                      "task.sequence_length=10",
                      "trainer.n_epochs=20",
                      "trainer.save_freq=10",
                      "trainer.test_freq=10"};
  rx_train_config cfg;
  rx_error err;
  int rc = rx_config_load(&cfg, experiment, 9, ov, &err);
  if (!rc) rc = rx_train(&cfg, NULL, NULL, &err);
  if (rc) fprintf(stderr, "  %s: %s\n", experiment, err.msg);
  return rc;
}

/* The spatial task's defaults (docs/science.md §1.1) in the paper's box, batch_size trajectories.
 */
static inline rx_task_spec rx_test_spatial_spec(int batch_size) {
  return (rx_task_spec){.kind = RX_TASK_SPATIAL,
                        .seq_len = 100,
                        .batch_size = batch_size,
                        .dt = 0.02,
                        .mu = 0,
                        .sigma = 11.52,
                        .box_width = 2.2,
                        .box_height = 2.2,
                        .border_region = 0.03,
                        .border_slow_factor = 0.25,
                        .b = 0.26 * M_PI,
                        .drift_const = 0.05,
                        .anchor = {0, 0}};
}

#endif
