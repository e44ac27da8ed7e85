/* Mixing from a foreign start (docs/probes.md §2, §5): every run quiescent from its awake states,
 * from one point of the arena and from h = 0; the KL of each window of mixing.window steps from
 * the run's awake density, its plateau and mixing time, and whether the foreign starts reach the
 * awake start's plateau. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reactivation_internal.h"
#include "reactivate/sampling.h"

/* The decoded outputs at steps 0, k, 2k, ... (k = mixing.stride), (T / k, B, dim): the run's
 * own when it was read out only there, else a copy of those rows (*owned then set). */
static const float *every_kth(const rx_sim_result *s, int k, float **owned) {
  *owned = NULL;
  if (s->decode_every == k) return s->decoded;
  const size_t row = (size_t)s->B * s->dim, n = (size_t)(s->T / k);
  float *y = malloc(n * row * sizeof *y + 1);
  if (!y) return NULL;
  for (size_t i = 0; i < n; i++)
    memcpy(y + i * row, s->decoded + i * (size_t)k * row, row * sizeof *y);
  *owned = y;
  return y;
}

/* What one start gives, computed before any of it is written (the foreign starts are computed
 * side by side, the results written in start order): the KL of each window (n_win), the distance
 * from the start at each kept step (T), their summary. */
typedef struct start_stats {
  double *kl, *dist;
  int n_win, T;
  rx_mixing mix;
} start_stats;

static void start_stats_free(start_stats *st) {
  free(st->kl);
  free(st->dist);
  memset(st, 0, sizeof *st);
}

/* Runs one start quiescent and computes its statistics into out (freed by the caller, also on
 * failure). */
static int start_compute(analysis_ctx *a, run_slot *r, const probe_cond *c, int ci,
                         probe_start start, start_stats *out, rx_error *err) {
  const rx_sim_result *s;
  rx_sim_result storage;
  int owned;
  int rc = rxa_probe_run(a, r, c, ci, start, &s, &storage, &owned, err);
  if (rc) return rc;
  const int W = a->cfg->mixing.window, k = a->cfg->mixing.stride, n_win = s->T / W;
  const int dim = s->dim, T = s->T / k, per_window = W / k;
  float *copy;
  const float *y = every_kth(s, k, &copy);
  /* into locals, handed to out at the end (also on failure: the caller frees them) */
  double *kl = malloc(sizeof(double) * (size_t)n_win), *dist = malloc(sizeof(double) * T);
  rx_mixing mix;
  memset(&mix, 0, sizeof mix);
  rc = y && kl && dist ? 0 : rx_fail(err, RX_ENOMEM, "out of memory");
  for (int w = 0; w < n_win && !rc; w++)
    rc = rxa_probe_kl(a, r, y + (size_t)w * per_window * s->B * dim, (size_t)per_window * s->B,
                      &kl[w], err);
  if (!rc) rc = rx_mixing_summary(kl, n_win, W, &mix, err);
  if (!rc) rc = rx_distance_from_start(y, T, s->B, dim, rxa_is_circular(a), dist, err);
  out->n_win = n_win;
  out->T = T;
  out->kl = kl;
  out->dist = dist;
  out->mix = mix;
  free(copy);
  if (owned) rx_sim_result_free(&storage);
  return rc;
}

/* The summary of one start into obj, its KL sequence and distance from the start into arrays. */
static void start_emit(run_slot *r, const start_stats *st, cJSON *obj, npz_list *arrays,
                       const char *key) {
  const rx_mixing *mix = &st->mix;
  cJSON_AddItemToObject(obj, "kl", rxa_json_array(st->kl, st->n_win));
  rxa_json_number(obj, "plateau", mix->plateau);
  rxa_json_number(obj, "tolerance", mix->tolerance);
  rxa_json_number(obj, "mixing_window", mix->window >= 0 ? mix->window : NAN);
  rxa_json_number(obj, "mixing_step", mix->window >= 0 ? (double)mix->start_step : NAN);
  rxa_json_number(obj, "settled_window", mix->settled_window >= 0 ? mix->settled_window : NAN);
  rxa_json_number(obj, "settled_step", mix->settled_window >= 0 ? (double)mix->settled_step : NAN);
  rxa_json_number(obj, "final_distance", st->dist[st->T - 1]);
  char what[160];
  snprintf(what, sizeof what, "%.120s.kl", key);
  rxa_npz_add(arrays, r->name, what, rxa_to_float(st->kl, (size_t)st->n_win), 1, st->n_win, 0, 0);
  snprintf(what, sizeof what, "%.120s.distance", key);
  rxa_npz_add(arrays, r->name, what, rxa_to_float(st->dist, (size_t)st->T), 1, st->T, 0, 0);
}

/* The two foreign starts of a condition, each run and judged on its own half of the threads
 * (nested teams where there are more than two): every simulation and KL has the same bits on
 * any number of threads, and two independent runs side by side keep both cores busy where
 * one run's halves wait for each other (a run without noise is one trajectory, one thread). */
static int foreign_starts(analysis_ctx *a, run_slot *r, const probe_cond *c, int ci,
                          start_stats *stats, rx_error *err) {
  const probe_cache *awake; /* built here, once, not by both threads at the same time */
  int rc = rxa_probe_awake(a, r, &awake, err);
  if (rc) return rc;
  const int threads = omp_get_max_threads(), levels = omp_get_max_active_levels();
  if (threads > 2 && levels < 2) omp_set_max_active_levels(2);
  int rcs[2] = {0, 0};
  rx_error errs[2];
  errs[0].msg[0] = errs[1].msg[0] = '\0';
#pragma omp parallel for num_threads(2) schedule(static, 1) if (threads >= 2)
  for (int i = 0; i < 2; i++) {
    omp_set_num_threads(threads / 2 > 1 ? threads / 2 : 1); /* this thread's nested teams */
    rcs[i] = start_compute(a, r, c, ci, (probe_start)(START_POINT + i), &stats[START_POINT + i],
                           &errs[i]);
  }
  if (threads > 2 && levels < 2) omp_set_max_active_levels(levels);
  for (int i = 0; i < 2; i++)
    if (rcs[i]) {
      if (err) *err = errs[i];
      return rcs[i];
    }
  return RX_OK;
}

static int mixing_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, void *state,
                      rx_error *err) {
  (void)state;
  probe_cond conds[2];
  const int n_cond = rxa_probe_conditions(a, r, conds);
  cJSON *run = cJSON_AddObjectToObject(root, r->name);
  int rc = 0;
  for (int ci = 0; ci < n_cond && !rc; ci++) {
    cJSON *cobj = cJSON_AddObjectToObject(run, conds[ci].name);
    rxa_json_number(cobj, "noise_variance", conds[ci].noise_variance);
    /* the active start first: its run may be cached for score and diffusion, and its windows
     * build the awake density the foreign starts' windows share */
    start_stats stats[N_STARTS] = {{0}};
    rc = start_compute(a, r, &conds[ci], ci, START_ACTIVE, &stats[START_ACTIVE], err);
    if (!rc) rc = foreign_starts(a, r, &conds[ci], ci, stats, err);
    for (int st = 0; st < N_STARTS && !rc; st++) {
      cJSON *sobj = cJSON_AddObjectToObject(cobj, rxa_start_names[st]);
      char key[128];
      snprintf(key, sizeof key, "%s.%s", conds[ci].name, rxa_start_names[st]);
      start_emit(r, &stats[st], sobj, arrays, key);
      int mixes = 0;
      if (st != START_ACTIVE) {
        rc = rx_mixes(stats[st].mix.plateau, stats[START_ACTIVE].mix.plateau, &mixes, err);
        cJSON_AddBoolToObject(sobj, "mixes", mixes);
      }
    }
    if (!rc)
      rxa_log(a, "mixing: %s (%s): plateau %.3g from active, %.3g from point (%s), %.3g from zero",
              r->name, conds[ci].name, stats[START_ACTIVE].mix.plateau,
              stats[START_POINT].mix.plateau,
              cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(cobj, "point"), "mixes"))
                  ? "mixes"
                  : "does not mix",
              stats[START_ZERO].mix.plateau);
    for (int st = 0; st < N_STARTS; st++)
      start_stats_free(&stats[st]);
  }
  return rc;
}

static void mixing_settings(analysis_ctx *a, cJSON *set, npz_list *arrays, void *state) {
  (void)arrays, (void)state;
  const rx_analysis_config *cfg = a->cfg;
  cJSON_AddNumberToObject(set, "batch_size", cfg->mixing.batch_size);
  cJSON_AddNumberToObject(set, "t_total", cfg->mixing.t_total);
  cJSON_AddNumberToObject(set, "window_steps", cfg->mixing.window);
  cJSON_AddNumberToObject(set, "stride", cfg->mixing.stride);
  const int n_windows = cfg->mixing.t_total / cfg->mixing.window; /* whole windows only */
  cJSON_AddNumberToObject(set, "n_windows", n_windows);
  cJSON_AddStringToObject(set, "estimator", rxa_is_circular(a) ? "histogram" : "kde");
  if (rxa_is_circular(a))
    cJSON_AddNumberToObject(set, "bins", cfg->hd.bins);
  else
    cJSON_AddNumberToObject(set, "kl_samples", cfg->mixing.kl_samples);
  double p0[2];
  rxa_probe_point(a, &a->random.ck, p0); /* the control shares the first run's arena */
  cJSON_AddItemToObject(set, "start_point", rxa_json_array(p0, rxa_is_circular(a) ? 1 : 2));
}

int rxa_mixing(analysis_ctx *a, rx_error *err) {
  return rxa_probe_each(a, RX_RESULTS_MIXING, mixing_settings, mixing_run, NULL, err);
}
