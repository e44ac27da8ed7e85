/* The results a report is made from: which noise and seeds each results root and task holds
 * (found from the names on disk, docs/science.md §8, by the shared results reader, src/results),
 * every results file read once through its cache (absent is not an error, malformed is), and typed
 * look-ups of the numbers the tables and claims show, with their mean and s.d. over seeds. Nothing
 * is computed beyond those statistics and the heading-histogram coverage. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/analysis.h"
#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "report/report_internal.h"

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

void rp_log(rp_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rxc_log_vprintf(c->rd.log, c->rd.log_ctx, fmt, ap);
  va_end(ap);
}

/* ---- names ---- */

rp_run rp_condition_run(const rx_mechanism_condition *mc) {
  const rp_run r = {mc->run, mc->suffix};
  return r;
}

void rp_run_name(const rp_set *s, rp_run r, int seed, char *buf, size_t n) {
  const rx_experiment *e = rx_experiment_get(s->where.task, r.exp);
  const rx_mechanism_condition *mc = NULL;
  for (int i = 0; e && r.key && !mc && i < rx_mechanism_condition_count(); i++) {
    const rx_mechanism_condition *m = rx_mechanism_condition_get(i);
    if ((int)m->run == r.exp && !strcmp(m->suffix, r.key)) mc = m;
  }
  if (mc)
    rx_results_condition_key(&s->where, mc, seed, buf, n);
  else if (e)
    rx_results_experiment_run(&s->where, e, seed, buf, n);
  else
    snprintf(buf, n, "%s", r.key ? r.key : "");
}

/* ---- discovery ---- */

static void add_seed(int *seeds, int *n, int s) {
  for (int i = 0; i < *n; i++)
    if (seeds[i] == s) return;
  if (*n == RX_REPORT_MAX_SEEDS) return;
  int i = (*n)++;
  for (; i > 0 && seeds[i - 1] > s; i--)
    seeds[i] = seeds[i - 1];
  seeds[i] = s;
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
    if ((!a[i] && (b[i] == '/' || !b[i])) || (!b[i] && a[i] == '/')) common = i;
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

static int discover_set(rp_ctx *c, int root, rx_task_kind task, rx_error *err) {
  rp_set *s = &c->sets[root][task];
  const char *base = root == RP_MAIN ? c->cfg->path : c->cfg->gaussian;
  int rc = rx_results_set_init(&s->where, base, task, rx_results_default_noise(task), err);
  if (rc) return rc;
  char others[16][64];
  int n_others;
  if (rxr_find_noise(&s->where, others, 16, &n_others)) {
    if (root == RP_GAUSS && task == RX_TASK_HEAD_DIRECTION) return 0; /* not expected there */
    rp_log(c, "no %s results%s in %s (%s)", rx_task_name(task),
           root == RP_GAUSS ? " with Gaussian noise" : "", s->where.dir, strerror(errno));
    return 0;
  }
  s->exists = 1;
  for (int i = 0; i < n_others; i++)
    rp_log(c, "%s: also found results for noise %s (not reported; the report uses noise %s)",
           s->where.dir, others[i], s->where.noise);
  int more;
  if (rxr_find_seeds(&s->where, NULL, 0, s->seeds, RX_REPORT_MAX_SEEDS, &s->n_seeds, &more))
    s->n_seeds = 0;
  relative_path(c->cfg->path, s->where.dir, s->rel, sizeof s->rel);
  char list[300];
  rx_seed_list_format(s->seeds, s->n_seeds, ", ", list, sizeof list);
  rp_log(c, "%s: noise %s, seed%s %s", s->where.dir, s->where.noise, s->n_seeds == 1 ? "" : "s",
         s->n_seeds ? list : "none found");
  return 0;
}

void rp_ctx_free(rp_ctx *c) { rxr_reader_free(&c->rd); }

/* The analyses of the mechanisms family (`analyze kl variance distance diffusion replay
 * mechanisms=true`, docs/mechanisms.md). */
static const int mech_analyses[] = {RX_RESULTS_KL, RX_RESULTS_VARIANCE, RX_RESULTS_DISTANCE,
                                    RX_RESULTS_DIFFUSION, RX_RESULTS_REPLAY};

/* Whether a mech_ file of any of those analyses exists for a reported seed in s. */
static int has_mech_files(const rp_ctx *c, const rp_set *s) {
  for (int k = 0; k < c->n_seeds && s->exists; k++)
    for (int a = 0; a < COUNT(mech_analyses); a++) {
      char path[3000];
      if (!rx_results_analysis_applies(mech_analyses[a], s->where.task) ||
          rx_results_analysis_path(&s->where, mech_analyses[a], RX_RESULTS_MECH, c->seeds[k],
                                   "json", path, sizeof path))
        continue;
      if (rx_file_exists(path)) return 1;
    }
  return 0;
}

int rp_has_mechanisms(const rp_ctx *c) {
  return c->sets[RP_MAIN][0].mech || c->sets[RP_MAIN][1].mech;
}

/* ---- gathering ---- */

/* Reads the files of one family (analysis of prefix, or run's test metrics) for every seed;
 * logs the seeds that lack it. */
static int preload_family(rp_ctx *c, const rp_set *s, const char *what, int analysis,
                          const char *prefix, const rx_experiment *run, rx_error *err) {
  int missing[RX_REPORT_MAX_SEEDS], n_missing = 0;
  for (int k = 0; k < c->n_seeds; k++) {
    const cJSON *j;
    int rc =
        run ? rxr_run_json(&c->rd, &s->where, run, c->seeds[k], RX_RESULTS_TEST_METRICS, &j, err)
            : rxr_analysis_json(&c->rd, &s->where, analysis, prefix, c->seeds[k], &j, err);
    if (rc) return rc;
    if (!j) missing[n_missing++] = c->seeds[k];
  }
  if (n_missing) {
    char list[300], pattern[700];
    rx_seed_list_format(missing, n_missing, ", ", list, sizeof list);
    if (run) {
      rx_results_experiment_pattern(&s->where, run, pattern, sizeof pattern);
      rp_log(c, "no %s (%s/%s/%s) for seed%s %s", what, s->where.dir, pattern,
             RX_RESULTS_TEST_METRICS, n_missing == 1 ? "" : "s", list);
    } else {
      rx_results_analysis_pattern(analysis, prefix, s->where.noise, "json", pattern,
                                  sizeof pattern);
      rp_log(c, "no %s (%s/%s) for seed%s %s", what, s->where.dir, pattern,
             n_missing == 1 ? "" : "s", list);
    }
  }
  return 0;
}

/* The report's order of the runs: the paper's (U-σ, B-σ, U, B), then the GRUs, then the runs
 * with a mechanism trained in (read only when the mechanisms family has files). */
static const int run_order[] = {RX_EXP_NOISY_UNBIASED,     RX_EXP_NOISY_BIASED,
                                RX_EXP_NO_NOISE_UNBIASED,  RX_EXP_NO_NOISE_BIASED,
                                RX_EXP_NOISY_UNBIASED_GRU, RX_EXP_NOISY_BIASED_GRU,
                                RX_EXP_ADAPTATION,         RX_EXP_MOMENTUM};

int rp_gather(rp_ctx *c, rx_error *err) {
  const rx_report_config *cfg = c->cfg;
  for (int root = 0; root < 2; root++)
    for (int t = 0; t < 2; t++)
      c->sets[root][t].where.task = (rx_task_kind)t;
  for (int root = 0; root < 2; root++) {
    if (root == RP_GAUSS && !cfg->gaussian[0]) continue;
    for (int t = 0; t < 2; t++) {
      int rc = discover_set(c, root, (rx_task_kind)t, err);
      if (rc) return rc;
    }
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
  for (int t = 0; t < 2; t++) {
    rp_set *s = &c->sets[RP_MAIN][t];
    if ((s->mech = has_mech_files(c, s)))
      rp_log(c, "%s: mechanisms-family files (mech_) found: the report adds \"Mechanisms\"",
             s->where.dir);
  }
  static const struct {
    const char *what;
    int analysis;
    const char *prefix;
    int main_only; /* 1: spatial navigation of the main root only; 2: the main root only; 3: the
                      main root, when its mechanisms family has files (rp_set.mech) */
  } families[] = {
      {"KL results", RX_RESULTS_KL, RX_RESULTS_MAIN, 0},
      {"variance results", RX_RESULTS_VARIANCE, RX_RESULTS_MAIN, 0},
      {"distance results", RX_RESULTS_DISTANCE, RX_RESULTS_MAIN, 0},
      {"heading results", RX_RESULTS_HEADING, RX_RESULTS_MAIN, 0},
      {"KL results without doubled noise (C.1)", RX_RESULTS_KL, RX_RESULTS_SAME, 1},
      {"variance results without doubled noise (C.1)", RX_RESULTS_VARIANCE, RX_RESULTS_SAME, 1},
      {"GRU KL results", RX_RESULTS_KL, RX_RESULTS_GRU, 1},
      {"GRU variance results", RX_RESULTS_VARIANCE, RX_RESULTS_GRU, 1},
      /* the probes (docs/probes.md), "Is it sampling?": the main root's vanilla runs */
      {"mixing probe results", RX_RESULTS_MIXING, RX_RESULTS_MAIN, 2},
      {"score probe results", RX_RESULTS_SCORE, RX_RESULTS_MAIN, 2},
      {"temperature probe results", RX_RESULTS_TEMPERATURE, RX_RESULTS_MAIN, 2},
      {"diffusion probe results", RX_RESULTS_DIFFUSION, RX_RESULTS_MAIN, 2},
      /* replay (docs/replay.md), "Replay": the main root's vanilla runs */
      {"replay results", RX_RESULTS_REPLAY, RX_RESULTS_MAIN, 2},
      /* the mechanisms family (docs/mechanisms.md), "Mechanisms" */
      {"mechanisms-family KL results", RX_RESULTS_KL, RX_RESULTS_MECH, 3},
      {"mechanisms-family variance results", RX_RESULTS_VARIANCE, RX_RESULTS_MECH, 3},
      {"mechanisms-family distance results", RX_RESULTS_DISTANCE, RX_RESULTS_MECH, 3},
      {"mechanisms-family diffusion results", RX_RESULTS_DIFFUSION, RX_RESULTS_MECH, 3},
      {"mechanisms-family replay results", RX_RESULTS_REPLAY, RX_RESULTS_MECH, 3},
  };
  for (int root = 0; root < 2; root++)
    for (int t = 0; t < 2; t++) {
      const rp_set *s = &c->sets[root][t];
      if (!s->exists) continue;
      const int spatial = t == RX_TASK_SPATIAL;
      for (int f = 0; f < COUNT(families); f++) {
        /* C.1 and C.2 are spatial supplements of the main root; the probes are its own */
        if (!rx_results_analysis_applies(families[f].analysis, (rx_task_kind)t) ||
            (families[f].main_only && root != RP_MAIN) ||
            (families[f].main_only == 1 && !spatial) || (families[f].main_only == 3 && !s->mech))
          continue;
        int rc = preload_family(c, s, families[f].what, families[f].analysis, families[f].prefix,
                                NULL, err);
        if (rc) return rc;
      }
      for (int r = 0; r < COUNT(run_order); r++) {
        const rx_experiment *e = rx_experiment_get((rx_task_kind)t, run_order[r]);
        /* the Gaussian root: the noisy vanilla runs; the mechanisms' runs: with their family */
        if (!e || (root == RP_GAUSS && (!e->noisy || e->gru)) || (e->mechanism && !s->mech))
          continue;
        char what[300];
        snprintf(what, sizeof what, "test metrics of %s", e->name);
        int rc = preload_family(c, s, what, 0, NULL, e, err);
        if (rc) return rc;
      }
    }
  return 0;
}

/* ---- quantities ---- */

void rp_qty_where(const rp_ctx *c, const rp_qty *q, char *buf, size_t n) {
  const rp_set *s = &c->sets[q->root][q->task];
  char dir[2400], name[700];
  if (s->where.dir[0])
    snprintf(dir, sizeof dir, "%s", s->where.dir);
  else
    snprintf(dir, sizeof dir, "%s/%s", q->root == RP_MAIN ? c->cfg->path : "<gaussian root>",
             rx_task_name(q->task));
  if (q->kind == RP_FINAL) {
    rx_results_experiment_pattern(&s->where, rx_experiment_get(q->task, q->a.exp), name,
                                  sizeof name);
    snprintf(buf, n, "%s/%s/%s", dir, name, RX_RESULTS_TEST_METRICS);
  } else {
    rx_results_analysis_pattern(q->analysis, q->prefix,
                                s->where.noise[0] ? s->where.noise : "<noise>", "json", name,
                                sizeof name);
    snprintf(buf, n, "%s/%s", dir, name);
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
/* The bin shares at file[run][field] (a heading histogram), allocated into *out; the count, 0
 * when missing, or an error. */
static int histogram_of(const cJSON *root, const char *run, const char *field, const char *path,
                        double **out, rx_error *err) {
  int bad = 0;
  const cJSON *node = child(root, run, path, &bad, err);
  if (!bad && node) node = child(node, field, path, &bad, err);
  if (bad) return bad;
  if (!node || cJSON_IsNull(node)) return 0;
  int n = cJSON_GetArraySize(node);
  if (!cJSON_IsArray(node) || n == 0)
    return rx_fail(err, RX_EFORMAT, "%s: %s → %s is not a non-empty array of bin shares", path, run,
                   field);
  if (!(*out = malloc((size_t)n * sizeof **out))) return rx_fail(err, RX_ENOMEM, "out of memory");
  int i = 0;
  for (const cJSON *e = node->child; e; e = e->next, i++) {
    if (!cJSON_IsNumber(e)) {
      free(*out), *out = NULL;
      return rx_fail(err, RX_EFORMAT, "%s: %s → %s holds a value that is not a number", path, run,
                     field);
    }
    (*out)[i] = e->valuedouble;
  }
  return n;
}

/* Claim g1's divergence on the ring: KL(quiescent headings of run a || awake headings of run b),
 * or its exponential (docs/science.md §7.2). 1 with *v set, 0 when either histogram is missing. */
static int ring_kl(const rp_qty *q, const cJSON *root, const char *a, const char *b,
                   const char *path, double *v, rx_error *err) {
  double *hq = NULL, *ha = NULL, kl = NAN;
  int nq = histogram_of(root, a, "quiescent_histogram", path, &hq, err), na = 0, rc = nq;
  if (nq > 0) rc = na = histogram_of(root, b, "active_histogram", path, &ha, err);
  if (nq > 0 && na > 0) {
    rx_error why = {{0}};
    if (nq != na)
      rc = rx_fail(err, RX_EFORMAT, "%s: %s has %d heading bins and %s has %d", path, a, nq, b, na);
    else if (rx_kl_discrete(hq, ha, nq, &kl, &why))
      rc = rx_fail(err, RX_EFORMAT, "%s: %s against %s: %s", path, a, b, why.msg);
    else
      *v = q->kind == RP_RING_EFF ? exp(-kl) : kl, rc = 1;
  }
  free(hq);
  free(ha);
  return rc;
}

static int value_of_seed(rp_ctx *c, const rp_qty *q, int seed, double *v, rx_error *err) {
  const rp_set *s = &c->sets[q->root][q->task];
  if (!s->exists) return 0;
  char path[3000], a[600] = "", b[600] = "";
  const int has_a = q->a.exp >= 0 || q->a.key, has_b = q->b.exp >= 0 || q->b.key;
  if (has_a) rp_run_name(s, q->a, seed, a, sizeof a);
  if (has_b) rp_run_name(s, q->b, seed, b, sizeof b);
  if (q->kind == RP_FINAL)
    rx_results_experiment_file(&s->where, rx_experiment_get(q->task, q->a.exp), seed,
                               RX_RESULTS_TEST_METRICS, path, sizeof path);
  else
    rx_results_analysis_path(&s->where, q->analysis, q->prefix, seed, "json", path, sizeof path);
  const cJSON *node;
  int rc = rxr_json(&c->rd, path, &node, err), bad = 0;
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
  if (q->kind == RP_RING_KL || q->kind == RP_RING_EFF) return ring_kl(q, node, a, b, path, v, err);
  /* the runs, then the field's keys ("quiescent.point.plateau") */
  const char *keys[2] = {has_a ? a : NULL, has_b ? b : NULL};
  const cJSON *parent = NULL;
  char trail[1500] = "";
  for (int i = 0; i < 2 && node; i++) {
    if (!keys[i]) continue;
    node = child(node, keys[i], path, &bad, err);
    if (bad) return bad;
    size_t k = strlen(trail);
    snprintf(trail + k, sizeof trail - k, "%s%s", k ? " → " : "", keys[i]);
  }
  for (const char *f = q->field; f && *f && node;) {
    const char *dot = strchr(f, '.');
    const int len = dot ? (int)(dot - f) : (int)strlen(f);
    char key[256];
    snprintf(key, sizeof key, "%.*s", len, f);
    parent = node;
    node = child(node, key, path, &bad, err);
    if (bad) return bad;
    size_t k = strlen(trail);
    snprintf(trail + k, sizeof trail - k, "%s%s", k ? " → " : "", key);
    f = dot ? dot + 1 : f + len;
  }
  /* an undefined number (null) is not positive: a seed whose events have no median speed */
  if (q->kind == RP_POSITIVE && node && cJSON_IsNull(node)) return *v = 0, 1;
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
  if (q->kind == RP_FLAG) {
    if (!cJSON_IsBool(node))
      return rx_fail(err, RX_EFORMAT, "%s: %s is not true or false", path, trail);
    return *v = cJSON_IsTrue(node) ? 1.0 : 0.0, 1;
  }
  if (q->kind == RP_AT_K) {
    /* parent holds both arrays: "k" and this one, element for element */
    const cJSON *ks = parent ? cJSON_GetObjectItemCaseSensitive(parent, "k") : NULL;
    const int n = cJSON_GetArraySize(node);
    if (!cJSON_IsArray(node) || !ks || !cJSON_IsArray(ks) || cJSON_GetArraySize(ks) != n)
      return rx_fail(err, RX_EFORMAT, "%s: %s is not an array as long as the array 'k' next to it",
                     path, trail);
    const cJSON *e = node->child;
    for (const cJSON *kk = ks->child; kk; kk = kk->next, e = e->next) {
      if (!cJSON_IsNumber(kk))
        return rx_fail(err, RX_EFORMAT,
                       "%s: the array 'k' next to %s holds a value that is not "
                       "a number",
                       path, trail);
      if (fabs(kk->valuedouble - q->at) > 1e-9 * fabs(q->at)) continue;
      if (cJSON_IsNull(e)) return 0;
      if (!cJSON_IsNumber(e))
        return rx_fail(err, RX_EFORMAT, "%s: %s holds a value that is not a number", path, trail);
      return *v = e->valuedouble, 1;
    }
    return 0; /* this k was not run */
  }
  if (!cJSON_IsNumber(node)) return rx_fail(err, RX_EFORMAT, "%s: %s is not a number", path, trail);
  if (q->kind == RP_POSITIVE) return *v = node->valuedouble > 0 ? 1.0 : 0.0, 1;
  return *v = node->valuedouble, 1;
}

int rp_eval(rp_ctx *c, const rp_qty *q, rp_stat *out, rx_error *err) {
  double vals[RX_REPORT_MAX_SEEDS];
  int n = 0;
  for (int k = 0; k < c->n_seeds; k++) {
    double v = NAN;
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
