/* Mixing from a foreign start (docs/probes.md §2, §5): every run quiescent from its awake states,
 * from one point of the arena and from h = 0; the KL of each window of mixing.window steps from
 * the run's awake density, its plateau and mixing time, and whether the foreign starts reach the
 * awake start's plateau. */
#include <math.h>
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

/* The summary of one start into obj, its KL sequence and distance from the start into arrays. */
static int one_start(analysis_ctx *a, run_slot *r, const rx_sim_result *s, cJSON *obj,
                     npz_list *arrays, const char *key, rx_mixing *mix, rx_error *err) {
  const int W = a->cfg->mixing.window, k = a->cfg->mixing.stride, n_win = s->T / W;
  const int dim = s->dim, T = s->T / k, per_window = W / k;
  float *copy;
  const float *y = every_kth(s, k, &copy);
  double *kl = malloc(sizeof(double) * (size_t)n_win), *dist = malloc(sizeof(double) * T);
  int rc = y && kl && dist ? 0 : rx_fail(err, RX_ENOMEM, "out of memory");
  for (int w = 0; w < n_win && !rc; w++)
    rc = rxa_probe_kl(a, r, y + (size_t)w * per_window * s->B * dim, (size_t)per_window * s->B,
                      &kl[w], err);
  if (!rc) rc = rx_mixing_summary(kl, n_win, W, mix, err);
  if (!rc) rc = rx_distance_from_start(y, T, s->B, dim, rxa_is_circular(a), dist, err);
  if (!rc) {
    cJSON_AddItemToObject(obj, "kl", rxa_json_array(kl, n_win));
    rxa_json_number(obj, "plateau", mix->plateau);
    rxa_json_number(obj, "tolerance", mix->tolerance);
    rxa_json_number(obj, "mixing_window", mix->window >= 0 ? mix->window : NAN);
    rxa_json_number(obj, "mixing_step", mix->window >= 0 ? (double)mix->start_step : NAN);
    rxa_json_number(obj, "settled_window", mix->settled_window >= 0 ? mix->settled_window : NAN);
    rxa_json_number(obj, "settled_step",
                    mix->settled_window >= 0 ? (double)mix->settled_step : NAN);
    rxa_json_number(obj, "final_distance", dist[T - 1]);
    char what[160];
    snprintf(what, sizeof what, "%.120s.kl", key);
    rxa_npz_add(arrays, r->name, what, rxa_to_float(kl, (size_t)n_win), 1, n_win, 0, 0);
    snprintf(what, sizeof what, "%.120s.distance", key);
    rxa_npz_add(arrays, r->name, what, rxa_to_float(dist, (size_t)T), 1, T, 0, 0);
  }
  free(copy);
  free(kl);
  free(dist);
  return rc;
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
    rx_mixing mix[N_STARTS];
    for (int st = 0; st < N_STARTS && !rc; st++) {
      const rx_sim_result *s;
      rx_sim_result storage;
      int owned;
      rc = rxa_probe_run(a, r, &conds[ci], ci, (probe_start)st, &s, &storage, &owned, err);
      if (rc) break;
      cJSON *sobj = cJSON_AddObjectToObject(cobj, rxa_start_names[st]);
      char key[128];
      snprintf(key, sizeof key, "%s.%s", conds[ci].name, rxa_start_names[st]);
      rc = one_start(a, r, s, sobj, arrays, key, &mix[st], err);
      if (owned) rx_sim_result_free(&storage);
      int mixes = 0;
      if (!rc && st != START_ACTIVE) {
        rc = rx_mixes(mix[st].plateau, mix[START_ACTIVE].plateau, &mixes, err);
        cJSON_AddBoolToObject(sobj, "mixes", mixes);
      }
    }
    if (!rc)
      rxa_log(a, "mixing: %s (%s): plateau %.3g from active, %.3g from point (%s), %.3g from zero",
              r->name, conds[ci].name, mix[START_ACTIVE].plateau, mix[START_POINT].plateau,
              cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(cobj, "point"), "mixes"))
                  ? "mixes"
                  : "does not mix",
              mix[START_ZERO].plateau);
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
