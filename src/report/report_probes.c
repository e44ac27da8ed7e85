/* The report's section "Is it sampling?": the probes of docs/probes.md (mixing from a foreign
 * start, drift versus score, noise temperature, diffusion) on the main root's vanilla runs and
 * the untrained control, per task; their claims j1..m1 (judged in report_claims.c, listed here);
 * the sizes each file's `settings` says were run; and the probes' figures found on disk. The
 * numbers come from rp_eval like every table's; nothing is computed here but their means. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/sampling.h"
#include "report/report_internal.h"

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))
#define MAX_K 12 /* temperature columns shown */

/* The paper's order: U-σ, B-σ, U, B. */
static const int vanilla_ids[4] = {RX_EXP_NOISY_UNBIASED, RX_EXP_NOISY_BIASED,
                                   RX_EXP_NO_NOISE_UNBIASED, RX_EXP_NO_NOISE_BIASED};

/* The rows of task: each run in its condition `quiescent` (the noiseless ones also with noise
 * given offline, `absolute_noise`) then the control; or (by_condition 0) one row per run. */
int rp_rows_of(rx_task_kind task, int by_condition, rp_row *rows) {
  int n = 0;
  for (int i = 0; i < 4; i++) {
    const rx_experiment *e = rx_experiment_get(task, vanilla_ids[i]);
    if (!e) continue;
    const int conds = by_condition && !e->noisy ? 2 : 1;
    for (int k = 0; k < conds; k++) {
      rp_row *r = &rows[n++];
      r->run = (rp_run){e->id, NULL};
      r->prefix = NULL;
      r->cond = !by_condition ? NULL : k ? "absolute_noise" : "quiescent";
      snprintf(r->label, sizeof r->label, "%s (%s)%s", e->full_label, e->desc,
               !by_condition || e->noisy ? ""
               : k                       ? ", noise given offline"
                                         : ", no noise");
    }
  }
  rp_row *r = &rows[n++];
  r->run = (rp_run){-1, RX_RESULTS_RANDOM};
  r->prefix = NULL;
  r->cond = by_condition ? "quiescent" : NULL;
  snprintf(r->label, sizeof r->label, "untrained network (control)");
  return n;
}

/* The quantity file[run][cond.what] of the task's file of analysis in the row's family (cond
 * omitted when the row has none). */
static rp_qty row_qty(rx_task_kind task, int analysis, const rp_row *r, const char *what,
                      rp_kind kind, double at, char *field, size_t n) {
  if (r->cond)
    snprintf(field, n, "%s.%s", r->cond, what);
  else
    snprintf(field, n, "%s", what);
  const rp_qty q = {RP_MAIN, task,      analysis, r->prefix ? r->prefix : RX_RESULTS_MAIN,
                    r->run,  RP_NO_RUN, field,    kind,
                    at};
  return q;
}

int rp_row_eval(rp_ctx *c, rx_task_kind task, int analysis, const rp_row *r, const char *what,
                rp_kind kind, double at, rp_stat *st, rx_error *err) {
  char field[300];
  const rp_qty q = row_qty(task, analysis, r, what, kind, at, field, sizeof field);
  return rp_eval(c, &q, st, err);
}

int rp_qty_cell(rp_ctx *c, rp_doc *d, const rp_qty *q, rx_error *err) {
  rp_stat st;
  int rc = rp_eval(c, q, &st, err);
  if (rc) return rc;
  char t[96];
  rp_stat_text(&st, c->n_seeds, t, sizeof t);
  rp_cell(d, t);
  return 0;
}

/* A cell of the mean ± s.d. over seeds. */
int rp_row_cell(rp_ctx *c, rp_doc *d, rx_task_kind task, int analysis, const rp_row *r,
                const char *what, rx_error *err) {
  char field[300];
  const rp_qty q = row_qty(task, analysis, r, what, RP_VALUE, 0, field, sizeof field);
  return rp_qty_cell(c, d, &q, err);
}

/* A cell of a verdict of the files (true / false per seed): "yes" / "no" when one seed is
 * reported, else "k of n seeds" (n: the seeds that have it). */
static int flag_cell(rp_ctx *c, rp_doc *d, rx_task_kind task, int analysis, const rp_row *r,
                     const char *what, rx_error *err) {
  rp_stat st;
  int rc = rp_row_eval(c, task, analysis, r, what, RP_FLAG, 0, &st, err);
  if (rc) return rc;
  char t[96];
  if (!st.n)
    snprintf(t, sizeof t, "n/a");
  else if (c->n_seeds == 1)
    snprintf(t, sizeof t, "%s", st.mean > 0.5 ? "yes" : "no");
  else
    snprintf(t, sizeof t, "%.0f of %d seed%s", st.mean * st.n, st.n, st.n == 1 ? "" : "s");
  rp_cell(d, t);
  return 0;
}

/* ---- the files and their settings ---- */

/* The seeds (of those reported) that have the task's file of analysis in family prefix, and the
 * first one's contents. */
int rp_files_of(rp_ctx *c, const rp_set *s, int analysis, const char *prefix, int *seeds, int *n,
                const cJSON **first, rx_error *err) {
  *n = 0;
  *first = NULL;
  if (!s->exists) return 0;
  for (int k = 0; k < c->n_seeds; k++) {
    const cJSON *j;
    int rc = rxr_analysis_json(&c->rd, &s->where, analysis, prefix, c->seeds[k], &j, err);
    if (rc) return rc;
    if (!j) continue;
    if (!*first) *first = j;
    seeds[(*n)++] = c->seeds[k];
  }
  return 0;
}

/* A setting of a probe file as a number: settings[key], or settings["<probe>.<key>"], or
 * settings[probe][key] (docs/probes.md §5 names them `mixing.batch_size`, ...). */
int rp_setting(const cJSON *file, const char *probe, const char *key, double *v) {
  const cJSON *s = file ? cJSON_GetObjectItemCaseSensitive(file, "settings") : NULL;
  if (!cJSON_IsObject(s)) return 0;
  char dotted[128];
  snprintf(dotted, sizeof dotted, "%s.%s", probe, key);
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(s, key);
  if (!cJSON_IsNumber(x)) x = cJSON_GetObjectItemCaseSensitive(s, dotted);
  if (!cJSON_IsNumber(x)) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, probe);
    x = cJSON_IsObject(p) ? cJSON_GetObjectItemCaseSensitive(p, key) : NULL;
  }
  if (!x || !cJSON_IsNumber(x)) return 0;
  *v = x->valuedouble;
  return 1;
}

/* A JSON value as the report writes settings: numbers %.6g, arrays "(a, b, ...)" (the first
 * 12 values), objects "{key = value, ...}". */
static void value_text(const cJSON *x, char *buf, size_t n) {
  if (cJSON_IsNumber(x)) {
    rp_strcatf(buf, n, "%.6g", x->valuedouble);
  } else if (cJSON_IsString(x)) {
    rp_strcatf(buf, n, "%s", x->valuestring);
  } else if (cJSON_IsBool(x)) {
    rp_strcatf(buf, n, "%s", cJSON_IsTrue(x) ? "true" : "false");
  } else if (cJSON_IsArray(x) || cJSON_IsObject(x)) {
    const int arr = cJSON_IsArray(x), len = cJSON_GetArraySize(x);
    rp_strcatf(buf, n, "%s", arr ? "(" : "{");
    int i = 0;
    for (const cJSON *e = x->child; e && i < 12; e = e->next, i++) {
      rp_strcatf(buf, n, "%s", i ? ", " : "");
      if (!arr) rp_strcatf(buf, n, "%s = ", e->string ? e->string : "");
      value_text(e, buf, n);
    }
    if (len > 12) rp_strcatf(buf, n, ", … %d values", len);
    rp_strcatf(buf, n, "%s", arr ? ")" : "}");
  } else {
    rp_strcatf(buf, n, "null");
  }
}

/* "key = value, ..." of a file's settings; "" when it has none. A `seed` (replay's files
 * record theirs) is the file's own, said with its name: left out, so that seeds that ran the
 * same settings are grouped. */
static void settings_text(const cJSON *file, char *buf, size_t n) {
  buf[0] = '\0';
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(file, "settings");
  if (!cJSON_IsObject(s)) return;
  int first = 1;
  for (const cJSON *e = s->child; e; e = e->next) {
    if (e->string && !strcmp(e->string, "seed")) continue;
    rp_strcatf(buf, n, "%s%s = ", first ? "" : ", ", e->string ? e->string : "");
    first = 0;
    value_text(e, buf, n);
  }
}

/* The sizes a probe ran, in words, from its first file's settings (the trajectories of score and
 * diffusion are the `active`-start runs of mixing: their sizes are read from mixing's settings
 * of the same family when the file does not give them). */
int rp_probe_sizes_words(rp_ctx *c, const rp_set *s, int analysis, const char *prefix,
                         const int *seeds, const cJSON *first, char *words, size_t n,
                         rx_error *err) {
  const char *probe = rx_results_analysis_name(analysis);
  const char *per_axis = s->where.task == RX_TASK_SPATIAL ? " per axis" : " on the ring";
  double b, t, v;
  int have_bt =
      rp_setting(first, probe, "batch_size", &b) && rp_setting(first, probe, "t_total", &t);
  if (!have_bt && (analysis == RX_RESULTS_SCORE || analysis == RX_RESULTS_DIFFUSION)) {
    const cJSON *mixing = NULL;
    int rc =
        rxr_analysis_json(&c->rd, &s->where, RX_RESULTS_MIXING, prefix, seeds[0], &mixing, err);
    if (rc) return rc;
    have_bt = rp_setting(mixing, "mixing", "batch_size", &b) &&
              rp_setting(mixing, "mixing", "t_total", &t);
  }
  switch (analysis) {
  case RX_RESULTS_MIXING:
    if (have_bt)
      rp_strcatf(words, n,
                 "; %g trajectories × %g steps from each start (active, point, "
                 "zero)",
                 b, t);
    if (rp_setting(first, probe, "window_steps", &v) || rp_setting(first, probe, "window", &v))
      rp_strcatf(words, n, "; KL per window of %g steps", v);
    if (rp_setting(first, probe, "n_windows", &v)) rp_strcatf(words, n, " (%g windows)", v);
    if (rp_setting(first, probe, "stride", &v) && v > 1)
      rp_strcatf(words, n, ", each from every %g%s step", v, v == 2 ? "nd" : v == 3 ? "rd" : "th");
    if (rp_setting(first, probe, "kl_samples", &v))
      rp_strcatf(words, n, "; %g Monte-Carlo samples per window's KL", v);
    else if (rp_setting(first, probe, "bins", &v))
      rp_strcatf(words, n, "; KL of %g-bin heading histograms", v);
    break;
  case RX_RESULTS_SCORE:
    if (have_bt) rp_strcatf(words, n, "; %g trajectories × %g steps from the awake states", b, t);
    if (rp_setting(first, probe, "t_skip", &v)) rp_strcatf(words, n, ", the first %g dropped", v);
    if (rp_setting(first, probe, "bins", &v)) rp_strcatf(words, n, "; %g bins%s", v, per_axis);
    if (rp_setting(first, probe, "min_count", &v))
      rp_strcatf(words, n, ", used when holding at least %g steps", v);
    if (rp_setting(first, probe, "n_perm", &v)) rp_strcatf(words, n, "; %g permutations", v);
    break;
  case RX_RESULTS_TEMPERATURE:
    if (have_bt) rp_strcatf(words, n, "; %g trajectories × %g steps per k", b, t);
    if (rp_setting(first, probe, "t_skip", &v)) rp_strcatf(words, n, ", the first %g dropped", v);
    if (rp_setting(first, probe, "grid", &v))
      rp_strcatf(words, n, "; Z_β on a grid of %g points%s", v, per_axis);
    break;
  default: /* diffusion */
    if (have_bt) rp_strcatf(words, n, "; %g trajectories × %g steps from the awake states", b, t);
    if (rp_setting(first, probe, "t_skip", &v)) rp_strcatf(words, n, ", the first %g dropped", v);
    if (rp_setting(first, probe, "tau_max", &v)) rp_strcatf(words, n, "; lags 1–%g", v);
    if (rp_setting(first, probe, "tau_max_active", &v)) rp_strcatf(words, n, " (awake: 1–%g)", v);
    {
      const cJSON *set = cJSON_GetObjectItemCaseSensitive(first, "settings");
      const cJSON *fit = cJSON_IsObject(set) ? cJSON_GetObjectItemCaseSensitive(set, "fit") : NULL;
      if (fit && cJSON_IsArray(fit) && cJSON_GetArraySize(fit) == 2 && cJSON_IsNumber(fit->child) &&
          cJSON_IsNumber(fit->child->next))
        rp_strcatf(words, n, "; α fitted over lags %g–%g", fit->child->valuedouble,
                   fit->child->next->valuedouble);
    }
    break;
  }
  return 0;
}

/* The sizes a probe ran, in words, then every setting as written, per group of seeds with the
 * same settings. */
static int sizes_para(rp_ctx *c, rp_doc *d, const rp_set *s, int analysis, const int *seeds,
                      int n_seeds, const cJSON *first, rx_error *err) {
  char words[1200] = "";
  int rc =
      rp_probe_sizes_words(c, s, analysis, RX_RESULTS_MAIN, seeds, first, words, sizeof words, err);
  return rc ? rc : rp_sizes_para(c, d, s, analysis, RX_RESULTS_MAIN, seeds, n_seeds, words, err);
}

int rp_sizes_para(rp_ctx *c, rp_doc *d, const rp_set *s, int analysis, const char *prefix,
                  const int *seeds, int n_seeds, const char *words, rx_error *err) {
  /* every setting, grouped by seeds that ran the same */
  char text[4][1200], all[4000] = "";
  int group_seeds[4][RX_REPORT_MAX_SEEDS], group_n[4] = {0}, n_groups = 0, more = 0;
  for (int k = 0; k < n_seeds; k++) {
    const cJSON *j = NULL;
    int rc = rxr_analysis_json(&c->rd, &s->where, analysis, prefix, seeds[k], &j, err);
    if (rc) return rc;
    char mine[1200];
    settings_text(j, mine, sizeof mine);
    int g = 0;
    while (g < n_groups && strcmp(text[g], mine))
      g++;
    if (g == n_groups) {
      if (n_groups == COUNT(text)) {
        more = 1;
        continue;
      }
      snprintf(text[n_groups++], sizeof text[0], "%s", mine);
    }
    group_seeds[g][group_n[g]++] = seeds[k];
  }
  for (int g = 0; g < n_groups; g++) {
    char list[300];
    rx_seed_list_format(group_seeds[g], group_n[g], ", ", list, sizeof list);
    rp_strcatf(all, sizeof all, "%sseed%s %s: %s", g ? "; " : "", group_n[g] == 1 ? "" : "s", list,
               text[g][0] ? text[g] : "no settings recorded");
  }
  if (more) rp_strcatf(all, sizeof all, "; more seeds with other settings");
  /* words: "; part; part" */
  rp_para(d, "Sizes run: %s. Settings in the files (%s): %s.",
          words[0] ? words + 2 : "not recorded in the files",
          n_groups > 1 ? "they differ between seeds, per group" : "as written", all);
  return 0;
}

int rp_each_task(rp_ctx *c, rp_doc *d, rp_task_part part, rx_error *err) {
  for (int t = 0; t < 2; t++) {
    const rx_task_kind task = (rx_task_kind)t;
    const rp_set *s = &c->sets[RP_MAIN][task];
    rp_heading(d, 3, task == RX_TASK_HEAD_DIRECTION ? "Head direction" : "Spatial navigation");
    if (!s->exists) {
      rp_para(d, "Not measured: no %s results in %s.", rx_task_name(task), s->where.dir);
      continue;
    }
    int rc = part(c, d, task, s, err);
    if (rc) return rc;
  }
  return 0;
}

/* ---- the four tables ---- */

static int table_mixing(rp_ctx *c, rp_doc *d, rx_task_kind task, rx_error *err) {
  static const char *const headers[] = {
      "network (condition)",          "noise variance",       "KL plateau from active",
      "KL plateau from point",        "KL plateau from zero", "mixing time from point (step)",
      "mixing time from zero (step)", "mixes from point",     "mixes from zero"};
  rp_para(d, "KL(q_w ‖ a) in nats of each window of quiescent outputs against the network's own "
             "awake distribution (the control: against the noisy unbiased network's; headings: "
             "the discrete KL of heading histograms), from three "
             "starts: the awake states (active), a far corner of the arena or the heading π "
             "(point), and h = 0 (zero). Plateau: the mean of the last 4 windows. Mixing time: "
             "the first step of the first window within max(0.25, 25 %%) of the plateau (n/a: "
             "never). Mixes: the plateau from that start within max(0.25, 25 %%) of the plateau "
             "from active (docs/probes.md §2). A plateau of 16.1 nats, the estimator's cap, "
             "means the outputs sat at one point (docs/probes.md §5). Noise variance: per step "
             "of the recurrent noise.");
  rp_row rows[RP_MAX_ROWS];
  const int n = rp_rows_of(task, 1, rows), M = RX_RESULTS_MIXING;
  rp_table_begin(d, COUNT(headers), headers);
  for (int i = 0; i < n; i++) {
    rp_cell(d, rows[i].label);
    static const char *const nums[] = {"noise_variance", "active.plateau",    "point.plateau",
                                       "zero.plateau",   "point.mixing_step", "zero.mixing_step"};
    int rc = 0;
    for (int k = 0; k < COUNT(nums) && !rc; k++)
      rc = rp_row_cell(c, d, task, M, &rows[i], nums[k], err);
    if (!rc) rc = flag_cell(c, d, task, M, &rows[i], "point.mixes", err);
    if (!rc) rc = flag_cell(c, d, task, M, &rows[i], "zero.mixes", err);
    if (rc) return rc;
  }
  rp_table_end(d);
  return 0;
}

static int table_score(rp_ctx *c, rp_doc *d, rx_task_kind task, rx_error *err) {
  static const char *const headers[] = {"network (condition)",
                                        "noise variance",
                                        "bins used",
                                        "cos(drift, score)",
                                        "centred cos",
                                        "p",
                                        "c",
                                        "R²",
                                        "β = 2c/v"};
  rp_para(d, "The quiescent drift, binned by position (heading), against the score ∇log a of the "
             "awake KDE at each bin: the count-weighted cosine, the same with the mean drift "
             "subtracted (centred), the permutation p of the cosine (its floor 1/(n + 1) with n "
             "shuffles), c in drift ≈ c · score and its R², and β = 2c/v with v the measured "
             "noise, the exponent of a that such a drift and noise sample (docs/probes.md §4). "
             "The theory: cosine near 1, c ≈ σ², β = 1.");
  rp_row rows[RP_MAX_ROWS];
  const int n = rp_rows_of(task, 1, rows), S = RX_RESULTS_SCORE;
  rp_table_begin(d, COUNT(headers), headers);
  for (int i = 0; i < n; i++) {
    rp_cell(d, rows[i].label);
    static const char *const nums[] = {"noise_variance", "n_bins_used", "cosine", "cosine_centered",
                                       "p_value",        "c",           "r2",     "beta"};
    for (int k = 0; k < COUNT(nums); k++) {
      int rc = rp_row_cell(c, d, task, S, &rows[i], nums[k], err);
      if (rc) return rc;
    }
  }
  rp_table_end(d);
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The noise multipliers k of the temperature files of the seeds (any run), ascending. */
static int k_values(rp_ctx *c, const rp_set *s, const int *seeds, int n_seeds, double *ks, int *n_k,
                    rx_error *err) {
  *n_k = 0;
  for (int i = 0; i < n_seeds; i++) {
    const cJSON *j;
    int rc = rxr_analysis_json(&c->rd, &s->where, RX_RESULTS_TEMPERATURE, RX_RESULTS_MAIN, seeds[i],
                               &j, err);
    if (rc) return rc;
    for (const cJSON *run = j ? j->child : NULL; run; run = run->next) {
      if (run->string && !strcmp(run->string, "settings")) continue; /* the runs' k: those run */
      const cJSON *k = cJSON_IsObject(run) ? cJSON_GetObjectItemCaseSensitive(run, "k") : NULL;
      for (const cJSON *e = k && cJSON_IsArray(k) ? k->child : NULL; e; e = e->next) {
        if (!cJSON_IsNumber(e)) continue; /* rp_eval names a malformed file */
        int seen = 0;
        for (int m = 0; m < *n_k && !seen; m++)
          seen = fabs(ks[m] - e->valuedouble) <= 1e-9 * fabs(e->valuedouble);
        if (!seen && *n_k < MAX_K) ks[(*n_k)++] = e->valuedouble;
      }
    }
  }
  qsort(ks, (size_t)*n_k, sizeof *ks, cmp_double);
  return 0;
}

static int table_temperature(rp_ctx *c, rp_doc *d, const rp_set *s, const int *seeds, int n_seeds,
                             rx_error *err) {
  const rx_task_kind task = s->where.task;
  double ks[MAX_K];
  int n_k;
  int rc = k_values(c, s, seeds, n_seeds, ks, &n_k, err);
  if (rc) return rc;
  rp_para(d,
          "β_k: the exponent of the awake density a whose normalised power a^β best explains "
          "the quiescent outputs at noise variance k σ² (σ²: the base variance; the bounds of "
          "the search, %g and %g, mean \"as spread as uniform or more\" and \"as concentrated "
          "as a^%g or more\"). A Langevin sampler gives β_k = 2/k, in the headers: the slope of "
          "log β_k against log k is -1 (docs/probes.md §3). Decreasing: β_k strictly decreases "
          "with k.",
          RX_TEMPERING_BETA_MIN, RX_TEMPERING_BETA_MAX, RX_TEMPERING_BETA_MAX);
  const char *headers[4 + MAX_K + 3];
  char names[MAX_K][96];
  int nh = 0;
  headers[nh++] = "network";
  headers[nh++] = "base noise variance σ²";
  for (int i = 0; i < n_k; i++) {
    char k[32], th[32];
    rp_num(ks[i], k, sizeof k);
    rp_num(2 / ks[i], th, sizeof th);
    snprintf(names[i], sizeof names[i], "β, k = %s (2/k = %s)", k, th);
    headers[nh++] = names[i];
  }
  headers[nh++] = "slope of log β_k vs log k";
  headers[nh++] = "R²";
  headers[nh++] = "decreasing";
  rp_row rows[RP_MAX_ROWS];
  const int n = rp_rows_of(task, 0, rows), T = RX_RESULTS_TEMPERATURE;
  rp_table_begin(d, nh, headers);
  for (int i = 0; i < n; i++) {
    rp_cell(d, rows[i].label);
    if ((rc = rp_row_cell(c, d, task, T, &rows[i], "base_variance", err))) return rc;
    for (int k = 0; k < n_k; k++) {
      rp_stat st;
      if ((rc = rp_row_eval(c, task, T, &rows[i], "beta", RP_AT_K, ks[k], &st, err))) return rc;
      char t[96];
      rp_stat_text(&st, c->n_seeds, t, sizeof t);
      rp_cell(d, t);
    }
    if ((rc = rp_row_cell(c, d, task, T, &rows[i], "slope", err))) return rc;
    if ((rc = rp_row_cell(c, d, task, T, &rows[i], "slope_r2", err))) return rc;
    if ((rc = flag_cell(c, d, task, T, &rows[i], "decreasing", err))) return rc;
  }
  rp_table_end(d);
  return 0;
}

static int table_diffusion(rp_ctx *c, rp_doc *d, rx_task_kind task, rx_error *err) {
  static const char *const headers[] = {
      "network (condition)",   "noise variance",   "α quiescent",
      "class (of the mean α)", "α awake",          "step mean, quiescent",
      "step p99, quiescent",   "step mean, awake", "step p99, awake"};
  rp_para(d, "α: the slope of log MSD(τ) against log τ, MSD ∝ τ^α (1: Brownian, 2: ballistic; "
             "sub-diffusive below 0.6, diffusive 0.6–1.4, super-diffusive above), quiescent and "
             "on the awake test batch; the lengths of single steps, their mean and 99th "
             "percentile (a p99 far above the mean: jumps rather than a path; docs/probes.md "
             "§1). Headings: radians, unwrapped.");
  rp_row rows[RP_MAX_ROWS];
  const int n = rp_rows_of(task, 1, rows), D = RX_RESULTS_DIFFUSION;
  rp_table_begin(d, COUNT(headers), headers);
  for (int i = 0; i < n; i++) {
    rp_row awake = rows[i];
    awake.cond = "active";
    rp_cell(d, rows[i].label);
    rp_stat alpha;
    int rc = rp_row_cell(c, d, task, D, &rows[i], "noise_variance", err);
    if (!rc) rc = rp_row_eval(c, task, D, &rows[i], "alpha", RP_VALUE, 0, &alpha, err);
    if (rc) return rc;
    char t[96];
    rp_stat_text(&alpha, c->n_seeds, t, sizeof t);
    rp_cell(d, t);
    rp_cell(d, alpha.n ? rx_diffusion_class_name(rx_diffusion_classify(alpha.mean)) : "n/a");
    if (!rc) rc = rp_row_cell(c, d, task, D, &awake, "alpha", err);
    if (!rc) rc = rp_row_cell(c, d, task, D, &rows[i], "step_mean", err);
    if (!rc) rc = rp_row_cell(c, d, task, D, &rows[i], "step_p99", err);
    if (!rc) rc = rp_row_cell(c, d, task, D, &awake, "step_mean", err);
    if (!rc) rc = rp_row_cell(c, d, task, D, &awake, "step_p99", err);
    if (rc) return rc;
  }
  rp_table_end(d);
  return 0;
}

/* ---- the section ---- */

static const struct {
  int analysis;
  const char *title;
} probes[] = {
    {RX_RESULTS_MIXING, "Mixing from a foreign start"},
    {RX_RESULTS_SCORE, "Drift versus score"},
    {RX_RESULTS_TEMPERATURE, "Noise temperature"},
    {RX_RESULTS_DIFFUSION, "Diffusion"},
};

static int probes_of_task(rp_ctx *c, rp_doc *d, rx_task_kind task, const rp_set *s, rx_error *err) {
  const char *task_arg = task == RX_TASK_HEAD_DIRECTION ? " task=head_direction" : "";
  int seeds[COUNT(probes)][RX_REPORT_MAX_SEEDS], n[COUNT(probes)], any = 0;
  const cJSON *first[COUNT(probes)];
  for (int p = 0; p < COUNT(probes); p++) {
    int rc =
        rp_files_of(c, s, probes[p].analysis, RX_RESULTS_MAIN, seeds[p], &n[p], &first[p], err);
    if (rc) return rc;
    any |= n[p] > 0;
  }
  if (!any) {
    char names[4][200];
    for (int p = 0; p < COUNT(probes); p++)
      rx_results_analysis_pattern(probes[p].analysis, RX_RESULTS_MAIN, s->where.noise, "json",
                                  names[p], sizeof names[p]);
    rp_para(d,
            "Not measured: none of the probes' files (%s, %s, %s, %s) is in %s. Results analysed "
            "before the probes existed have none; reactivate analyze all%s writes them (with "
            "the default quiescence rule: rule=same and rule=scaled skip the probes).",
            names[0], names[1], names[2], names[3], s->where.dir, task_arg);
    return 0;
  }
  for (int p = 0; p < COUNT(probes); p++) {
    const int a = probes[p].analysis;
    rp_heading(d, 4, probes[p].title);
    if (!n[p]) {
      char name[200];
      rx_results_analysis_pattern(a, RX_RESULTS_MAIN, s->where.noise, "json", name, sizeof name);
      rp_para(d, "Not measured: no %s/%s (reactivate analyze %s%s writes it).", s->where.dir, name,
              rx_results_analysis_name(a), task_arg);
      continue;
    }
    int rc = a == RX_RESULTS_MIXING        ? table_mixing(c, d, task, err)
             : a == RX_RESULTS_SCORE       ? table_score(c, d, task, err)
             : a == RX_RESULTS_TEMPERATURE ? table_temperature(c, d, s, seeds[p], n[p], err)
                                           : table_diffusion(c, d, task, err);
    if (!rc) rc = sizes_para(c, d, s, a, seeds[p], n[p], first[p], err);
    if (rc) return rc;
    char stem[200];
    snprintf(stem, sizeof stem, "%s%s", RP_PROBE_FIGURE_PREFIX, rx_results_analysis_name(a));
    rp_figure_if_exists(s, d, stem);
  }
  return 0;
}

int rp_section_probes(rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n, rx_error *err) {
  rp_heading(d, 2, "Is it sampling?");
  rp_para(d, "The theory predicts that a network trained with noise learns a drift along the "
             "score of its awake distribution (by Tweedie's formula), so that offline, without "
             "input, it runs Langevin dynamics and samples that distribution. The KL comparisons "
             "above cannot tell sampling apart from staying near where the quiescent runs "
             "started, the awake states. These probes test the mechanism itself "
             "(docs/probes.md): a sampler forgets a foreign start (mixing), its drift points "
             "along the awake score (score), its stationary density follows the noise level as "
             "a^(2/k) (temperature), and it moves like a diffusion (diffusion). They are findings "
             "beyond the paper: a claim that does not hold is a result about these networks, "
             "not a failed reproduction.");
  rp_para(d, "The claims are judged on spatial navigation with the default quiescence rule, "
             "from means over seeds like the paper's; a verdict of the files that is true or "
             "false per seed (mixes, decreasing) is judged by the share of seeds in which it is "
             "true. The tables show head direction too, and the untrained network as the "
             "control; the noiseless networks are run without noise and, as a control, with "
             "noise given offline (docs/probes.md §5).");
  rp_claims_table(d, res, n, 0, RP_GROUP_PROBES);
  return rp_each_task(c, d, probes_of_task, err);
}
