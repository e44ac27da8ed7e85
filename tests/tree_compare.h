/* Compares two results trees file by file, byte for byte (test_reproduce: an interrupted and
 * resumed run against an uninterrupted one; test_plan_mpi: a run over MPI against a local one).
 * Needs test_util.h first. */
#ifndef RX_TEST_TREE_COMPARE_H
#define RX_TEST_TREE_COMPARE_H

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reactivate/fileio.h"

/* "model_<digits>.npz" */
static inline int is_checkpoint(const char *name) {
  if (strncmp(name, "model_", 6)) return 0;
  const char *p = name + 6;
  if (*p < '0' || *p > '9') return 0;
  while (*p >= '0' && *p <= '9')
    p++;
  return !strcmp(p, ".npz");
}

/* Compares the tree under a (the reference) with the one under b, from the relative path rel:
 * every file of a but logs/ (any level) and report.md/.html (they hold times) has the same bytes in
 * b; b has no other file but checkpoints of an interrupted training (model_<step>.npz, written when
 * the signal stopped it between checkpoints). Counts the files compared and the extra checkpoints.
 */
static inline void compare_trees(const char *a, const char *b, const char *rel, int *n_same,
                                 int *n_extra) {
  char da[1200], db[1200];
  snprintf(da, sizeof da, "%s%s", a, rel);
  snprintf(db, sizeof db, "%s%s", b, rel);
  for (int side = 0; side < 2; side++) {
    DIR *d = opendir(side ? db : da);
    CHECK_MSG(d != NULL, "cannot list %s", side ? db : da);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      if (!strcmp(e->d_name, "logs") || /* <root>/logs, <root>/gaussian/logs */
          (!rel[0] && (!strcmp(e->d_name, "report.md") || !strcmp(e->d_name, "report.html"))))
        continue;
      char sub[1200], pa[1400], pb[1400];
      snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
      snprintf(pa, sizeof pa, "%s%s", a, sub);
      snprintf(pb, sizeof pb, "%s%s", b, sub);
      struct stat sa, sb;
      int in_a = stat(pa, &sa) == 0, in_b = stat(pb, &sb) == 0;
      if (side == 1) { /* only what the reference lacks */
        if (!in_a) {
          CHECK_MSG(is_checkpoint(e->d_name), "%s has %s, the reference %s not", b, sub, a);
          *n_extra += is_checkpoint(e->d_name);
        }
        continue;
      }
      CHECK_MSG(in_b, "%s lacks %s (in the reference %s)", b, sub, a);
      if (!in_b) continue;
      if (S_ISDIR(sa.st_mode)) {
        compare_trees(a, b, sub, n_same, n_extra);
        continue;
      }
      char *x = NULL, *y = NULL;
      size_t nx = 0, ny = 0;
      int ok = rx_read_file(pa, &x, &nx, (size_t)1 << 28, NULL) == 0 &&
               rx_read_file(pb, &y, &ny, (size_t)1 << 28, NULL) == 0 && nx == ny &&
               !memcmp(x, y, nx);
      CHECK_MSG(ok, "%s differs between the reference %s and %s", sub, a, b);
      *n_same += ok;
      free(x), free(y);
    }
    closedir(d);
  }
}

#endif
