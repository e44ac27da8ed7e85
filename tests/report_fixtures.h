/* Shared by the report tests (test_report, test_report_probes, test_report_replay,
 * test_report_mechanisms): synthetic results files written under a root (the rows of the
 * per-network files and their keys), and the report they give read back (a table row, a claim's
 * verdict); the folders removed unless RX_REPORT_KEEP is set. What the files hold is each test's
 * own. */
#ifndef RX_TEST_REPORT_FIXTURES_H
#define RX_TEST_REPORT_FIXTURES_H

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/fileio.h"
#include "reactivate/report.h"
#include "test_util.h"

/* ---- writing synthetic results ---- */

/* path (its folders created) holding text; exits 2 when it cannot. */
static inline void put_text(const char *path, const char *text) {
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", path);
  *strrchr(parent, '/') = '\0';
  if (rx_mkdirs(parent, NULL)) {
    fprintf(stderr, "cannot create %s\n", parent);
    exit(2);
  }
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0) {
    perror(path);
    exit(2);
  }
  fclose(f);
}

/* <dir>/<rel> (its folders created) with the printf-formatted text; exits 2 when it cannot. */
static inline void put(const char *dir, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void put(const char *dir, const char *rel, const char *fmt, ...) {
  char path[2400];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  const int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *text = len < 0 ? NULL : malloc((size_t)len + 1);
  if (!text) {
    fprintf(stderr, "cannot format %s\n", path);
    exit(2);
  }
  vsnprintf(text, (size_t)len + 1, fmt, again);
  va_end(again);
  put_text(path, text);
  free(text);
}

/* j written unformatted to path, then deleted. */
static inline void put_json_file(const char *path, cJSON *j) {
  char *text = cJSON_PrintUnformatted(j);
  put_text(path, text);
  free(text);
  cJSON_Delete(j);
}

/* j written unformatted to <dir>/<rel>, then deleted. */
static inline void put_json(const char *dir, const char *rel, cJSON *j) {
  char path[2400];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  put_json_file(path, j);
}

/* Rows of the per-network files (the probes', replay's): U-σ, B-σ, U, B (the runs) and the
 * untrained control. */
enum { US, BS, UN, BN, RND, N_ROWS };
static const char *const stems[4] = {"noisy_unbiased", "noisy_biased", "no-noise_unbiased",
                                     "no-noise_biased"};

/* The run name of row (as the files key it): "noisy_unbiased_<noise>_<seed>",
 * "no-noise_biased_<seed>", "random". */
static inline void row_key(char *buf, size_t n, int row, const char *noise, int seed) {
  if (row == RND)
    snprintf(buf, n, "random");
  else if (row < 2)
    snprintf(buf, n, "%s_%s_%d", stems[row], noise, seed);
  else
    snprintf(buf, n, "%s_%d", stems[row], seed);
}

/* What any results root has for one seed of a task (hd: head direction, else spatial
 * navigation), under <root>/<task> (into dir, n): the four runs' test metrics and a variance
 * file. The runs' noise is 0.01 (head direction) or 0.0001. */
static inline void put_runs_and_variance(const char *root, int hd, int seed, char *dir, size_t n) {
  char rel[1000], key[4][200];
  const char *noise = hd ? "0.01" : "0.0001";
  snprintf(dir, n, "%s/%s", root, hd ? "head_direction" : "spatial_navigation");
  for (int r = 0; r < 4; r++) {
    row_key(key[r], sizeof key[r], r, noise, seed);
    snprintf(rel, sizeof rel, "%s/test_metrics.json", key[r]);
    put(dir, rel, "%s",
        hd ? "{\"100\": {\"loss\": 1e-3, \"hd_mse\": 0.05}}"
           : "{\"100\": {\"loss\": 1e-5, \"pos_mse\": 0.003}}");
  }
  snprintf(rel, sizeof rel, "variance_%s_%d.json", noise, seed);
  put(dir, rel, "{\"%s\": 0.005, \"%s\": 0.008, \"%s\": 0.002, \"%s\": 0.001}", key[0], key[1],
      key[2], key[3]);
}

/* ---- reading the report ---- */

/* The Markdown table row that starts with "| <first> | " (after from), copied into buf ("" when
 * absent). */
static inline const char *row_of(const char *from, const char *first, char *buf, size_t n) {
  char head[300];
  snprintf(head, sizeof head, "\n| %s | ", first);
  const char *p = from ? strstr(from, head) : NULL;
  buf[0] = '\0';
  if (!p) return buf;
  p++;
  const char *end = strchr(p, '\n');
  size_t len = end ? (size_t)(end - p) : strlen(p);
  if (len >= n) len = n - 1;
  memcpy(buf, p, len);
  buf[len] = '\0';
  return buf;
}

/* The verdict of a claim's row: "holds", "does not hold", "not measured" or "?". */
static inline const char *verdict_of(const char *row) {
  if (strstr(row, "| not measured (")) return "not measured";
  if (strstr(row, "| does not hold |")) return "does not hold";
  if (strstr(row, "| holds |")) return "holds";
  return "?";
}

/* The report of root with the defaults and profile: rx_report_write's status. */
static inline int write_profile_report(const char *root, const char *profile, rx_error *err) {
  rx_report_config *cfg = malloc(sizeof *cfg);
  if (!cfg) return RX_ENOMEM;
  rx_report_config_default(cfg);
  snprintf(cfg->path, sizeof cfg->path, "%s", root);
  snprintf(cfg->profile, sizeof cfg->profile, "%s", profile);
  int rc = rx_report_write(cfg, NULL, NULL, err);
  free(cfg);
  return rc;
}

static inline int write_quick_report(const char *root, rx_error *err) {
  return write_profile_report(root, "quick", err);
}

/* Writes the report of root (profile) and returns report.md, or NULL (err says why). */
static inline char *report_md_of(const char *root, const char *profile, rx_error *err) {
  if (write_profile_report(root, profile, err)) return NULL;
  return rx_test_read_text(root, "report.md");
}

/* Writes the report of root (write_quick_report) and returns report.md (NULL on failure,
 * reported). */
static inline char *report_md(const char *root) {
  rx_error err = {{0}};
  char *md = report_md_of(root, "quick", &err);
  if (!md) fprintf(stderr, "  rx_report_write: %s\n", err.msg);
  return md;
}

/* A claim's id and numbers its row must show. */
typedef struct claim_numbers {
  const char *id, *numbers;
} claim_numbers;

/* Each finding of ids (n) holds and is listed in its section, between sec and end (not in the
 * checklist's table of findings); each claim of expect (n_expect) shows its numbers. */
static inline void check_findings_hold(const char *md, const char *sec, const char *end,
                                       const char *const *ids, int n, const claim_numbers *expect,
                                       int n_expect) {
  char row[3000];
  for (int i = 0; i < n; i++) {
    row_of(md, ids[i], row, sizeof row);
    CHECK_MSG(!strcmp(verdict_of(row), "holds"), "claim %s: '%s'", ids[i], row);
    const char *at = strstr(md, row);
    CHECK_MSG(at && at > sec && at < end, "claim %s not in the section", ids[i]);
  }
  for (int i = 0; i < n_expect; i++) {
    row_of(md, expect[i].id, row, sizeof row);
    CHECK_MSG(strstr(row, expect[i].numbers), "claim %s: want '%s' in '%s'", expect[i].id,
              expect[i].numbers, row);
  }
}

/* A report (md) in which the finding id alone was made to fail, by case c of a test: each
 * finding of ids (n) holds but id, which does not hold and shows numbers; id is listed in the
 * summary among the findings that did not hold, and the findings are counted as counts says
 * ("10 checked; 4 hold, 1 do not hold, 5 not measured."). */
static inline void check_only_finding_fails(const char *md, const char *const *ids, int n, int c,
                                            const char *id, const char *numbers,
                                            const char *counts) {
  char row[3000];
  for (int i = 0; i < n; i++) {
    row_of(md, ids[i], row, sizeof row);
    const int target = !strcmp(ids[i], id);
    CHECK_MSG(!strcmp(verdict_of(row), target ? "does not hold" : "holds"),
              "case %d (%s): claim %s: '%s'", c, numbers, ids[i], row);
    if (target) CHECK_MSG(strstr(row, numbers), "case %d: want '%s' in '%s'", c, numbers, row);
  }
  /* listed in the summary as a finding that did not hold, a result and not a failure */
  const char *listed = strstr(md, "Findings beyond the paper that did not hold in these runs.");
  char item[64];
  snprintf(item, sizeof item, "\n- %s. ", id);
  CHECK_MSG(listed && strstr(listed, item), "case %d: not listed in the summary", c);
  CHECK_MSG(strstr(md, counts) != NULL, "case %d: no '%s'", c, counts);
}

/* Occurrences of what in s. */
static inline int count_of(const char *s, const char *what) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
    n++;
  return n;
}

/* A real PNG (docs/img/fig1de_trajectories.png) copied to <to_dir>/<name> (to_dir created):
 * 0, or -1. */
static inline int copy_png(const char *to_dir, const char *name) {
  char src[2400], dst[2400];
  snprintf(src, sizeof src, "%s/docs/img/fig1de_trajectories.png", RX_TEST_SOURCE_DIR);
  snprintf(dst, sizeof dst, "%s/%s", to_dir, name);
  char *png = NULL;
  size_t n = 0;
  int rc = rx_mkdirs(to_dir, NULL) || rx_read_file(src, &png, &n, (size_t)1 << 26, NULL) ||
           rx_write_file_atomic(dst, png, n, NULL);
  free(png);
  return rc ? -1 : 0;
}

/* Removes dir, or keeps it (and says so) when RX_REPORT_KEEP is set. */
static inline void cleanup(const char *dir) {
  if (getenv("RX_REPORT_KEEP")) {
    fprintf(stderr, "  kept %s\n", dir);
    return;
  }
  rx_test_rm_rf(dir);
}

#endif
