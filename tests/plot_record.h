/* Shared by the tests that read a figure's data record (<base>.data.json, docs/formats.md
 * "Figure data"): load it, find a panel and its members, compare recorded numbers with the
 * values they should be (null stands for NaN). Failures are reported through test_util.h. */
#ifndef RX_TEST_PLOT_RECORD_H
#define RX_TEST_PLOT_RECORD_H

#include <cjson/cJSON.h>

#include "reactivate/fileio.h"
#include "test_util.h"

/* The parsed <base>.data.json, or NULL (reported) when it is missing or not JSON. */
static inline cJSON *record_load(const char *base) {
  char path[1200], *text = NULL;
  size_t n = 0;
  snprintf(path, sizeof path, "%s.data.json", base);
  if (rx_read_file(path, &text, &n, (size_t)1 << 28, NULL)) {
    CHECK_MSG(0, "no data record %s", path);
    return NULL;
  }
  cJSON *doc = cJSON_Parse(text);
  CHECK_MSG(doc != NULL, "%s is not JSON", path);
  free(text);
  return doc;
}

/* A member by a dotted path ("x_axis.ticks"); arrays are indexed by number ("panels.1"). */
static inline const cJSON *rec_at(const cJSON *o, const char *path) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *tok = strtok(buf, "."); o && tok; tok = strtok(NULL, ".")) {
    if (cJSON_IsArray(o))
      o = cJSON_GetArrayItem(o, atoi(tok));
    else
      o = cJSON_GetObjectItemCaseSensitive(o, tok);
  }
  return o;
}

/* The number at path (NaN when it is null or missing; missing is reported). */
static inline double rec_num(const cJSON *o, const char *path) {
  const cJSON *v = rec_at(o, path);
  CHECK_MSG(v != NULL, "no '%s' in the record", path);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static inline const char *rec_str(const cJSON *o, const char *path) {
  const cJSON *v = rec_at(o, path);
  CHECK_MSG(cJSON_IsString(v), "'%s' is not a string in the record", path);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static inline int rec_len(const cJSON *o, const char *path) {
  const cJSON *v = rec_at(o, path);
  return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
}

/* The array at path holds n numbers equal to want within tol (relative to max(1, |want|));
 * NaN in want: null expected. Returns 1 when all match. */
static inline int rec_check_nums(const cJSON *o, const char *path, const double *want, int n,
                                 double tol) {
  const cJSON *a = rec_at(o, path);
  int len = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
  CHECK_MSG(len == n, "'%s': %d values recorded, %d expected", path, len, n);
  if (len != n) return 0;
  int ok = 1;
  for (int i = 0; i < n; i++) {
    const cJSON *e = cJSON_GetArrayItem(a, i);
    int good = isnan(want[i]) ? cJSON_IsNull(e)
                              : cJSON_IsNumber(e) && fabs(e->valuedouble - want[i]) <=
                                                         tol * fmax(1.0, fabs(want[i]));
    CHECK_MSG(good, "'%s'[%d] = %.17g, expected %.17g", path, i,
              cJSON_IsNumber(e) ? e->valuedouble : NAN, want[i]);
    ok &= good;
  }
  return ok;
}

/* The array at path holds the n strings want. */
static inline void rec_check_strs(const cJSON *o, const char *path, const char *const *want,
                                  int n) {
  const cJSON *a = rec_at(o, path);
  int len = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
  CHECK_MSG(len == n, "'%s': %d strings recorded, %d expected", path, len, n);
  for (int i = 0; i < n && len == n; i++) {
    const cJSON *e = cJSON_GetArrayItem(a, i);
    CHECK_MSG(cJSON_IsString(e) && !strcmp(e->valuestring, want[i]), "'%s'[%d] = '%s', not '%s'",
              path, i, cJSON_IsString(e) ? e->valuestring : "(not a string)", want[i]);
  }
}

#endif
