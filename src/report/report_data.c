/* The results a report is made from: which noise and seeds each results root and task holds
 * (found from the names on disk, SPEC §8), a cache that reads each JSON file once (absent is
 * not an error, malformed is), and typed look-ups of the numbers the tables and claims show,
 * with their mean and s.d. over seeds. Nothing is computed beyond those statistics and the
 * heading-histogram coverage. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log_line.h"
#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "report/report_internal.h"

void rp_log(rp_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rx_log_vprintf(c->log, c->log_ctx, fmt, ap);
  va_end(ap);
}

/* ---- names ---- */

static const rp_run spatial_runs[] = {{"noisy_unbiased", 1},     {"noisy_biased", 1},
                                      {"no-noise_unbiased", 0},  {"no-noise_biased", 0},
                                      {"noisy_unbiased_gru", 1}, {"noisy_biased_gru", 1}};
static const char *const analyses[] = {"kl", "variance", "distance", "pca", "heading"};
static const char *const file_prefixes[] = {"",        "same_",     "gru_",
                                            "scaled_", "gru_same_", "gru_scaled_"};
#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

static int n_runs_of(rx_task_kind task) { return task == RX_TASK_SPATIAL ? 6 : 4; }

void rp_run_name(const rp_set *s, rp_run r, int seed, char *buf, size_t n) {
  if (r.noisy < 0)
    snprintf(buf, n, "%s", r.exp);
  else if (r.noisy)
    snprintf(buf, n, "%s_%s_%d", r.exp, s->noise, seed);
  else
    snprintf(buf, n, "%s_%d", r.exp, seed);
}

static void analysis_path(const rp_set *s, const char *analysis, const char *prefix, int seed,
                          char *buf, size_t n) {
  snprintf(buf, n, "%s/%s_%s%s_%d.json", s->dir, analysis, prefix, s->noise, seed);
}

static void metrics_path(const rp_set *s, rp_run r, int seed, char *buf, size_t n) {
  char run[600];
  rp_run_name(s, r, seed, run, sizeof run);
  snprintf(buf, n, "%s/%s/test_metrics.json", s->dir, run);
}

/* ---- discovery ---- */

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

static void strip_ext(const char *name, char *stem, size_t n) {
  snprintf(stem, n, "%s", name);
  size_t k = strlen(stem);
  if (k > 5 && !strcmp(stem + k - 5, ".json"))
    stem[k - 5] = '\0';
  else if (k > 4 && !strcmp(stem + k - 4, ".npz"))
    stem[k - 4] = '\0';
}

/* The noise of a directory entry that names one (a noisy vanilla run, or an analysis file
 * without prefix), else 0. */
static int entry_noise(const char *name, char *noise, size_t n) {
  char stem[512];
  strip_ext(name, stem, sizeof stem);
  static const char *const heads[] = {"noisy_unbiased_", "noisy_biased_", "kl_",     "variance_",
                                      "distance_",       "pca_",          "heading_"};
  for (int i = 0; i < COUNT(heads); i++) {
    size_t k = strlen(heads[i]);
    if (!strncmp(stem, heads[i], k) && split_noise_seed(stem + k, noise, n)) return 1;
  }
  return 0;
}

static void discover_noise(rp_ctx *c, rp_set *s, rx_task_kind task, DIR *dir) {
  char names[16][64];
  int counts[16] = {0}, n = 0;
  struct dirent *e;
  while ((e = readdir(dir))) {
    char noise[64];
    if (!entry_noise(e->d_name, noise, sizeof noise)) continue;
    int i = 0;
    while (i < n && strcmp(names[i], noise))
      i++;
    if (i == n) {
      if (n == 16) continue;
      snprintf(names[n++], sizeof names[0], "%s", noise);
    }
    counts[i]++;
  }
  char fallback[64];
  rx_format_py_float(task == RX_TASK_SPATIAL ? 1e-4 : 0.01, fallback, sizeof fallback);
  int best = -1;
  for (int i = 0; i < n; i++)
    if (best < 0 || counts[i] > counts[best] ||
        (counts[i] == counts[best] &&
         (!strcmp(names[i], fallback) ||
          (strcmp(names[best], fallback) && strcmp(names[i], names[best]) < 0))))
      best = i;
  snprintf(s->noise, sizeof s->noise, "%s", best >= 0 ? names[best] : fallback);
  for (int i = 0; i < n; i++)
    if (i != best)
      rp_log(c, "%s: also found results for noise %s (not reported; the report uses noise %s)",
             s->dir, names[i], s->noise);
}

static void add_seed(int *seeds, int *n, int s) {
  for (int i = 0; i < *n; i++)
    if (seeds[i] == s) return;
  if (*n == RX_REPORT_MAX_SEEDS) return;
  int i = (*n)++;
  for (; i > 0 && seeds[i - 1] > s; i--)
    seeds[i] = seeds[i - 1];
  seeds[i] = s;
}

/* Does the entry belong to seed s: a run directory or analysis file of this set's noise? */
static int entry_seed(const rp_set *set, rx_task_kind task, const char *name, int *seed) {
  char stem[512];
  strip_ext(name, stem, sizeof stem);
  const char *us = strrchr(stem, '_');
  if (!us || !us[1] || strlen(us + 1) > 9) return 0;
  for (const char *p = us + 1; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  const int s = atoi(us + 1);
  char want[700];
  for (int i = 0; i < n_runs_of(task); i++) {
    rp_run_name(set, spatial_runs[i], s, want, sizeof want);
    if (!strcmp(want, stem)) return *seed = s, 1;
  }
  for (int a = 0; a < COUNT(analyses); a++)
    for (int p = 0; p < COUNT(file_prefixes); p++) {
      snprintf(want, sizeof want, "%s_%s%s_%d", analyses[a], file_prefixes[p], set->noise, s);
      if (!strcmp(want, stem)) return *seed = s, 1;
    }
  return 0;
}

/* The relative path from directory `from` to `to` (both existing), or "" when either cannot
 * be resolved. */
static void relative_path(const char *from, const char *to, char *buf, size_t n) {
  buf[0] = '\0';
  char *a = realpath(from, NULL), *b = realpath(to, NULL);
  if (a && b) {
    if (!strcmp(a, "/")) a[0] = '\0'; /* the root: every absolute path is below it */
    size_t i = 0, common = 0;
    while (a[i] && a[i] == b[i]) {
      if (a[i] == '/') common = i;
      i++;
    }
    if (!a[i] && (b[i] == '/' || !b[i]))
      common = i;
    else if (!b[i] && a[i] == '/')
      common = i;
    size_t k = 0;
    for (const char *p = a + common; *p && k < n; p++)
      if (*p == '/') k += (size_t)snprintf(buf + k, n - k, "../");
    const char *rest = b + common;
    while (*rest == '/')
      rest++;
    if (k < n) snprintf(buf + k, n - k, "%s", *rest ? rest : ".");
    size_t len = strlen(buf);
    if (len > 1 && buf[len - 1] == '/') buf[len - 1] = '\0';
  }
  free(a);
  free(b);
}

static void discover_set(rp_ctx *c, int root, rx_task_kind task) {
  rp_set *s = &c->sets[root][task];
  const char *base = root == RP_MAIN ? c->cfg->path : c->cfg->gaussian;
  snprintf(s->dir, sizeof s->dir, "%s/%s", base, rx_task_name(task));
  DIR *dir = opendir(s->dir);
  if (!dir) {
    rx_format_py_float(task == RX_TASK_SPATIAL ? 1e-4 : 0.01, s->noise, sizeof s->noise);
    if (root == RP_GAUSS && task == RX_TASK_HEAD_DIRECTION) return; /* not expected there */
    rp_log(c, "no %s results%s in %s (%s)", rx_task_name(task),
           root == RP_GAUSS ? " with Gaussian noise" : "", s->dir, strerror(errno));
    return;
  }
  s->exists = 1;
  discover_noise(c, s, task, dir);
  rewinddir(dir);
  struct dirent *e;
  while ((e = readdir(dir))) {
    int seed;
    if (entry_seed(s, task, e->d_name, &seed)) add_seed(s->seeds, &s->n_seeds, seed);
  }
  closedir(dir);
  relative_path(c->cfg->path, s->dir, s->rel, sizeof s->rel);
  char list[300];
  rr_seed_list(s->seeds, s->n_seeds, list, sizeof list);
  rp_log(c, "%s: noise %s, seed%s %s", s->dir, s->noise, s->n_seeds == 1 ? "" : "s",
         s->n_seeds ? list : "none found");
}

/* ---- the cache ---- */

static int cache_get(rp_ctx *c, const char *path, const cJSON **out, rx_error *err) {
  *out = NULL;
  for (int i = 0; i < c->n_files; i++)
    if (!strcmp(c->files[i].path, path)) {
      *out = c->files[i].json;
      return 0;
    }
  if (c->n_files == c->cap_files) {
    int cap = c->cap_files ? 2 * c->cap_files : 64;
    rp_file *f = realloc(c->files, (size_t)cap * sizeof *f);
    if (!f) return rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
    c->files = f;
    c->cap_files = cap;
  }
  rp_file *f = &c->files[c->n_files];
  f->json = NULL;
  if (!(f->path = strdup(path))) return rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
  c->n_files++;
  int rc = rr_read_json_object(path, (size_t)1 << 28, &f->json, err);
  if (rc) return rc;
  *out = f->json;
  return 0;
}

void rp_ctx_free(rp_ctx *c) {
  for (int i = 0; i < c->n_files; i++) {
    free(c->files[i].path);
    cJSON_Delete(c->files[i].json);
  }
  free(c->files);
  c->files = NULL;
  c->n_files = c->cap_files = 0;
}

/* ---- gathering ---- */

/* Reads the files of one family for every seed; logs the seeds that lack it. */
static int preload_family(rp_ctx *c, const rp_set *s, const char *what, const char *analysis,
                          const char *prefix, const rp_run *run, rx_error *err) {
  int missing[RX_REPORT_MAX_SEEDS], n_missing = 0;
  char path[3000];
  for (int k = 0; k < c->n_seeds; k++) {
    if (run)
      metrics_path(s, *run, c->seeds[k], path, sizeof path);
    else
      analysis_path(s, analysis, prefix, c->seeds[k], path, sizeof path);
    const cJSON *j;
    int rc = cache_get(c, path, &j, err);
    if (rc) return rc;
    if (!j) missing[n_missing++] = c->seeds[k];
  }
  if (n_missing) {
    char list[300], pattern[700];
    rr_seed_list(missing, n_missing, list, sizeof list);
    if (run) {
      rp_run_name(s, *run, -1, pattern, sizeof pattern);
      char *tail = strrchr(pattern, '_');
      if (tail) snprintf(tail, sizeof pattern - (size_t)(tail - pattern), "_<seed>");
      rp_log(c, "no %s (%s/%s/test_metrics.json) for seed%s %s", what, s->dir, pattern,
             n_missing == 1 ? "" : "s", list);
    } else {
      rp_log(c, "no %s (%s/%s_%s%s_<seed>.json) for seed%s %s", what, s->dir, analysis, prefix,
             s->noise, n_missing == 1 ? "" : "s", list);
    }
  }
  return 0;
}

int rp_gather(rp_ctx *c, rx_error *err) {
  const rx_report_config *cfg = c->cfg;
  for (int root = 0; root < 2; root++) {
    if (root == RP_GAUSS && !cfg->gaussian[0]) continue;
    for (int t = 0; t < 2; t++)
      discover_set(c, root, (rx_task_kind)t);
  }
  c->n_seeds = 0;
  if (cfg->n_seeds > 0) {
    for (int i = 0; i < cfg->n_seeds && i < RX_REPORT_MAX_SEEDS; i++)
      add_seed(c->seeds, &c->n_seeds, cfg->seeds[i]);
  } else {
    for (int root = 0; root < 2; root++)
      for (int t = 0; t < 2; t++)
        for (int i = 0; i < c->sets[root][t].n_seeds; i++)
          add_seed(c->seeds, &c->n_seeds, c->sets[root][t].seeds[i]);
  }
  if (!c->n_seeds) rp_log(c, "no results found for any seed in %s", cfg->path);
  static const struct {
    const char *what, *analysis, *prefix;
    int spatial_only, main_only;
  } families[] = {
      {"KL results", "kl", "", 1, 0},
      {"variance results", "variance", "", 0, 0},
      {"distance results", "distance", "", 0, 0},
      {"heading results", "heading", "", 0, 0},
      {"KL results without doubled noise (C.1)", "kl", "same_", 1, 1},
      {"variance results without doubled noise (C.1)", "variance", "same_", 1, 1},
      {"GRU KL results", "kl", "gru_", 1, 1},
      {"GRU variance results", "variance", "gru_", 1, 1},
  };
  for (int root = 0; root < 2; root++)
    for (int t = 0; t < 2; t++) {
      const rp_set *s = &c->sets[root][t];
      if (!s->exists) continue;
      const int spatial = t == RX_TASK_SPATIAL;
      for (int f = 0; f < COUNT(families); f++) {
        if ((families[f].spatial_only && !spatial) || (families[f].main_only && root != RP_MAIN))
          continue;
        if (spatial && !strcmp(families[f].analysis, "heading")) continue;
        int rc = preload_family(c, s, families[f].what, families[f].analysis, families[f].prefix,
                                NULL, err);
        if (rc) return rc;
      }
      for (int r = 0; r < n_runs_of((rx_task_kind)t); r++) {
        if (root == RP_GAUSS && r >= 2) continue; /* the Gaussian root: the noisy vanilla runs */
        char what[300];
        snprintf(what, sizeof what, "test metrics of %s", spatial_runs[r].exp);
        int rc = preload_family(c, s, what, NULL, NULL, &spatial_runs[r], err);
        if (rc) return rc;
      }
    }
  return 0;
}

/* ---- quantities ---- */

void rp_qty_where(const rp_ctx *c, const rp_qty *q, char *buf, size_t n) {
  const rp_set *s = &c->sets[q->root][q->task];
  char dir[2400];
  if (s->dir[0])
    snprintf(dir, sizeof dir, "%s", s->dir);
  else
    snprintf(dir, sizeof dir, "%s/%s", q->root == RP_MAIN ? c->cfg->path : "<gaussian root>",
             rx_task_name(q->task));
  if (q->kind == RP_FINAL) {
    char run[600];
    rp_run_name(s, q->a, 0, run, sizeof run);
    size_t k = strlen(run);
    if (k >= 2) run[k - 2] = '\0'; /* drop "_0" */
    snprintf(buf, n, "%s/%s_<seed>/test_metrics.json", dir, run);
  } else {
    snprintf(buf, n, "%s/%s_%s%s_<seed>.json", dir, q->analysis, q->prefix,
             s->noise[0] ? s->noise : "<noise>");
  }
}

static const cJSON *child(const cJSON *node, const char *key, const char *path, int *bad,
                          rx_error *err) {
  if (!cJSON_IsObject(node)) {
    *bad = rx_fail(err, RX_EFORMAT, "%s: the value holding '%s' is not a JSON object", path, key);
    return NULL;
  }
  return cJSON_GetObjectItemCaseSensitive(node, key);
}

/* One seed's value: 1 and *v, 0 when absent (or null), negative on a malformed file. */
static int value_of_seed(rp_ctx *c, const rp_qty *q, int seed, double *v, rx_error *err) {
  const rp_set *s = &c->sets[q->root][q->task];
  if (!s->exists) return 0;
  char path[3000], a[600] = "", b[600] = "";
  if (q->a.exp) rp_run_name(s, q->a, seed, a, sizeof a);
  if (q->b.exp) rp_run_name(s, q->b, seed, b, sizeof b);
  if (q->kind == RP_FINAL)
    metrics_path(s, q->a, seed, path, sizeof path);
  else
    analysis_path(s, q->analysis, q->prefix, seed, path, sizeof path);
  const cJSON *node;
  int rc = cache_get(c, path, &node, err), bad = 0;
  if (rc) return rc;
  if (!node) return 0;
  if (q->kind == RP_FINAL) {
    const cJSON *last = NULL;
    long long last_step = -1;
    for (const cJSON *e = node->child; e; e = e->next) {
      char *end;
      errno = 0;
      long long st = e->string ? strtoll(e->string, &end, 10) : -1;
      if (!e->string || !*e->string || *end || errno || st < 0)
        return rx_fail(err, RX_EFORMAT, "%s: key '%s' is not a step number", path,
                       e->string ? e->string : "");
      if (st > last_step) last_step = st, last = e;
    }
    if (!last) return 0;
    if (!strcmp(q->field, "step")) return *v = (double)last_step, 1;
    const char *key = strcmp(q->field, "error")    ? q->field
                      : q->task == RX_TASK_SPATIAL ? "pos_mse"
                                                   : "hd_mse";
    const cJSON *x = child(last, key, path, &bad, err);
    if (bad) return bad;
    if (!x || cJSON_IsNull(x)) return 0;
    if (!cJSON_IsNumber(x))
      return rx_fail(err, RX_EFORMAT, "%s: step %lld: '%s' is not a number", path, last_step, key);
    return *v = x->valuedouble, 1;
  }
  const char *keys[3] = {q->a.exp ? a : NULL, q->b.exp ? b : NULL, q->field};
  char trail[1500] = "";
  for (int i = 0; i < 3 && node; i++) {
    if (!keys[i]) continue;
    node = child(node, keys[i], path, &bad, err);
    if (bad) return bad;
    size_t k = strlen(trail);
    snprintf(trail + k, sizeof trail - k, "%s%s", k ? " → " : "", keys[i]);
  }
  if (!node || cJSON_IsNull(node)) return 0;
  if (q->kind == RP_COVERAGE) {
    int bins = cJSON_GetArraySize(node), occupied = 0;
    if (!cJSON_IsArray(node) || bins == 0)
      return rx_fail(err, RX_EFORMAT, "%s: %s is not a non-empty array of bin fractions", path,
                     trail);
    for (const cJSON *e = node->child; e; e = e->next) {
      if (!cJSON_IsNumber(e))
        return rx_fail(err, RX_EFORMAT, "%s: %s holds a value that is not a number", path, trail);
      occupied += e->valuedouble >= RP_COVERAGE_MIN_SHARE / bins;
    }
    return *v = (double)occupied / bins, 1;
  }
  if (!cJSON_IsNumber(node)) return rx_fail(err, RX_EFORMAT, "%s: %s is not a number", path, trail);
  return *v = node->valuedouble, 1;
}

int rp_eval(rp_ctx *c, const rp_qty *q, rp_stat *out, rx_error *err) {
  double vals[RX_REPORT_MAX_SEEDS];
  int n = 0;
  for (int k = 0; k < c->n_seeds; k++) {
    double v;
    int rc = value_of_seed(c, q, c->seeds[k], &v, err);
    if (rc < 0) return rc;
    if (rc && isfinite(v)) vals[n++] = v;
  }
  out->n = n;
  out->mean = out->sd = NAN;
  if (!n) return 0;
  double m = 0, ss = 0;
  for (int i = 0; i < n; i++)
    m += vals[i];
  m /= n;
  for (int i = 0; i < n; i++)
    ss += (vals[i] - m) * (vals[i] - m);
  out->mean = m;
  out->sd = sqrt(ss / n);
  return 0;
}

void rp_stat_text(const rp_stat *s, int expect, char *buf, size_t n) {
  char m[32], sd[32];
  rp_num(s->mean, m, sizeof m);
  rp_num(s->sd, sd, sizeof sd);
  if (s->n == 0)
    snprintf(buf, n, "n/a");
  else if (s->n == 1)
    snprintf(buf, n, "%s", m);
  else
    snprintf(buf, n, "%s ± %s", m, sd);
  if (s->n > 0 && s->n < expect) {
    size_t k = strlen(buf);
    snprintf(buf + k, n - k, " (n=%d)", s->n);
  }
}
