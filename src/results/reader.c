/* Reading saved results for the figures and the report (see reader.h): the file cache and the
 * discovery of noise and seeds from the names in a task's results folder. */
#include "results/reader.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/config.h"
#include "reactivate/fileio.h"

/* The largest results JSON file read. */
#define MAX_JSON_BYTES ((size_t)1 << 30)

void rxr_log(rxr_reader *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rxc_log_vprintf(r->log, r->log_ctx, fmt, ap);
  va_end(ap);
}

/* ---- the cache ---- */

static rxr_file *cache_find(rxr_reader *r, const char *path) {
  for (int i = 0; i < r->n_files; i++)
    if (!strcmp(r->files[i].path, path)) return &r->files[i];
  return NULL;
}

static rxr_file *cache_add(rxr_reader *r, const char *path, int is_npz) {
  if (r->n_files == r->cap_files) {
    int cap = r->cap_files ? 2 * r->cap_files : 64;
    rxr_file *f = realloc(r->files, (size_t)cap * sizeof *f);
    if (!f) return NULL;
    r->files = f;
    r->cap_files = cap;
  }
  rxr_file *f = &r->files[r->n_files];
  memset(f, 0, sizeof *f);
  if (!(f->path = strdup(path))) return NULL;
  f->is_npz = is_npz;
  r->n_files++;
  return f;
}

/* A results file that must hold one JSON object; a missing file is 0 with *out NULL. */
static int read_json_object(const char *path, cJSON **out, rx_error *err) {
  *out = NULL;
  if (!rx_file_exists(path)) return 0;
  char *text = NULL;
  size_t n = 0;
  int rc = rx_read_file(path, &text, &n, MAX_JSON_BYTES, err);
  if (rc) return rc;
  cJSON *json = cJSON_ParseWithLength(text, n);
  free(text);
  if (!json || !cJSON_IsObject(json)) {
    cJSON_Delete(json);
    return rx_fail(err, RX_EFORMAT, "%s: not a JSON object (malformed or truncated results file)",
                   path);
  }
  *out = json;
  return 0;
}

int rxr_json(rxr_reader *r, const char *path, const cJSON **out, rx_error *err) {
  *out = NULL;
  rxr_file *f = cache_find(r, path);
  if (f) {
    *out = f->json;
    return 0;
  }
  if (!(f = cache_add(r, path, 0)))
    return rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
  int rc = read_json_object(path, &f->json, err);
  if (rc || !f->json) return rc;
  f->present = 1;
  *out = f->json;
  return 0;
}

int rxr_npz(rxr_reader *r, const char *path, const rx_npz **out, rx_error *err) {
  *out = NULL;
  rxr_file *f = cache_find(r, path);
  if (f) {
    *out = f->present ? &f->npz : NULL;
    return 0;
  }
  if (!(f = cache_add(r, path, 1)))
    return rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
  if (!rx_file_exists(path)) return 0;
  int rc = rx_npz_read(path, &f->npz, err);
  if (rc) return rc;
  f->present = 1;
  *out = &f->npz;
  return 0;
}

int rxr_analysis_json(rxr_reader *r, const rx_results_set *s, int analysis, const char *prefix,
                      int seed, const cJSON **out, rx_error *err) {
  char path[2600];
  rx_results_analysis_path(s, analysis, prefix, seed, "json", path, sizeof path);
  return rxr_json(r, path, out, err);
}

int rxr_analysis_npz(rxr_reader *r, const rx_results_set *s, int analysis, const char *prefix,
                     int seed, const rx_npz **out, rx_error *err) {
  char path[2600];
  rx_results_analysis_path(s, analysis, prefix, seed, "npz", path, sizeof path);
  return rxr_npz(r, path, out, err);
}

int rxr_run_json(rxr_reader *r, const rx_results_set *s, const rx_experiment *e, int seed,
                 const char *file, const cJSON **out, rx_error *err) {
  char path[3000];
  rx_results_experiment_file(s, e, seed, file, path, sizeof path);
  return rxr_json(r, path, out, err);
}

void rxr_reader_free(rxr_reader *r) {
  for (int i = 0; i < r->n_files; i++) {
    free(r->files[i].path);
    cJSON_Delete(r->files[i].json);
    if (r->files[i].is_npz && r->files[i].present) rx_npz_free(&r->files[i].npz);
  }
  free(r->files);
  r->files = NULL;
  r->n_files = r->cap_files = 0;
}

/* ---- discovery ---- */

static void strip_ext(const char *name, char *stem, size_t n) {
  snprintf(stem, n, "%s", name);
  size_t k = strlen(stem);
  if (k > 5 && !strcmp(stem + k - 5, ".json"))
    stem[k - 5] = '\0';
  else if (k > 4 && !strcmp(stem + k - 4, ".npz"))
    stem[k - 4] = '\0';
}

/* "<noise>_<seed>": 1 and the noise text when the noise is a positive number. */
static int split_noise_seed(const char *rest, char *noise, size_t n) {
  const char *us = strrchr(rest, '_');
  if (!us || us == rest || !us[1]) return 0;
  for (const char *p = us + 1; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  size_t len = (size_t)(us - rest);
  if (len >= n) return 0;
  memcpy(noise, rest, len);
  noise[len] = '\0';
  char *end;
  double v = strtod(noise, &end);
  return *end == '\0' && isfinite(v) && v > 0 && (noise[0] >= '0' && noise[0] <= '9');
}

/* The noise of a directory entry that names one (a noisy vanilla run, or an analysis file of
 * the main family), else 0. */
static int entry_noise(rx_task_kind task, const char *name, char *noise, size_t n) {
  char stem[512], head[300];
  strip_ext(name, stem, sizeof stem);
  for (int i = 0; i < rx_experiment_count(task); i++) {
    const rx_experiment *e = rx_experiment_get(task, i);
    if (!e->noisy || e->gru) continue;
    size_t k = (size_t)snprintf(head, sizeof head, "%s_", e->name);
    if (!strncmp(stem, head, k) && split_noise_seed(stem + k, noise, n)) return 1;
  }
  for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++) {
    size_t k =
        (size_t)snprintf(head, sizeof head, "%s_%s", rx_results_analysis_name(a), RX_RESULTS_MAIN);
    if (!strncmp(stem, head, k) && split_noise_seed(stem + k, noise, n)) return 1;
  }
  return 0;
}

int rxr_find_noise(rx_results_set *s, char (*others)[64], int max_others, int *n_others) {
  char fallback[64];
  rx_format_py_float(rx_results_default_noise(s->task), fallback, sizeof fallback);
  *n_others = 0;
  DIR *dir = opendir(s->dir);
  if (!dir) {
    snprintf(s->noise, sizeof s->noise, "%s", fallback);
    return -1;
  }
  char names[16][64];
  int counts[16] = {0}, n = 0;
  struct dirent *e;
  while ((e = readdir(dir))) {
    char noise[64];
    if (!entry_noise(s->task, e->d_name, noise, sizeof noise)) continue;
    int i = 0;
    while (i < n && strcmp(names[i], noise))
      i++;
    if (i == n) {
      if (n == 16) continue;
      snprintf(names[n++], sizeof names[0], "%s", noise);
    }
    counts[i]++;
  }
  closedir(dir);
  int best = -1;
  for (int i = 0; i < n; i++)
    if (best < 0 || counts[i] > counts[best] ||
        (counts[i] == counts[best] &&
         (!strcmp(names[i], fallback) ||
          (strcmp(names[best], fallback) && strcmp(names[i], names[best]) < 0))))
      best = i;
  snprintf(s->noise, sizeof s->noise, "%s", best >= 0 ? names[best] : fallback);
  for (int i = 0; i < n; i++)
    if (i != best && *n_others < max_others)
      snprintf(others[(*n_others)++], sizeof others[0], "%s", names[i]);
  return 0;
}

/* Does the entry belong to a seed: a run directory of s's experiments or an analysis file of
 * any family, with s's noise? */
static int entry_seed(const rx_results_set *s, const char *name, int *seed) {
  char stem[512];
  strip_ext(name, stem, sizeof stem);
  const char *us = strrchr(stem, '_');
  if (!us || !us[1] || strlen(us + 1) > 9) return 0;
  for (const char *p = us + 1; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  const int k = atoi(us + 1);
  char want[700];
  for (int i = 0; i < rx_experiment_count(s->task); i++) {
    rx_results_experiment_run(s, rx_experiment_get(s->task, i), k, want, sizeof want);
    if (!strcmp(want, stem)) return *seed = k, 1;
  }
  for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++)
    for (int gru = 0; gru < 2; gru++)
      for (int rule = 0; rule < 3; rule++) {
        rx_results_analysis_stem(a, rx_results_prefix(gru, rule), s->noise, k, want, sizeof want);
        if (!strcmp(want, stem)) return *seed = k, 1;
      }
  return 0;
}

int rxr_find_seeds(const rx_results_set *s, const int *want, int n_want, int *seeds, int max,
                   int *n, int *more) {
  *n = *more = 0;
  DIR *dir = opendir(s->dir);
  if (!dir) return -1;
  struct dirent *e;
  while ((e = readdir(dir))) {
    int k, wanted = !want, known = 0;
    if (!entry_seed(s, e->d_name, &k)) continue;
    for (int i = 0; i < n_want && !wanted; i++)
      wanted = want[i] == k;
    for (int i = 0; i < *n && !known; i++)
      known = seeds[i] == k;
    if (!wanted || known) continue;
    if (*n == max) {
      *more = 1;
      continue;
    }
    int i = (*n)++;
    for (; i > 0 && seeds[i - 1] > k; i--)
      seeds[i] = seeds[i - 1];
    seeds[i] = k;
  }
  closedir(dir);
  return 0;
}
