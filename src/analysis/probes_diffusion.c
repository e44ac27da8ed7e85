/* Diffusion (docs/probes.md §1, §5): mean squared displacement, its exponent and the step sizes
 * of each run's quiescent outputs (the awake-start runs of mixing, after diffusion.t_skip steps)
 * and of its awake test batch. The statistics of one data set (rxa_diffusion_compute) are shared
 * with `analyze diffusion --trajectories`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probes_internal.h"

#define STEP_BINS 50 /* step-size histogram: 50 bins from 0 to the longest step of any data set */

int rxa_diffusion_compute(const float *x, int T, int B, int dim, int circular, int tau_max,
                          const double *edges, int n_bins, double *counts, rxa_diffusion_stats *s,
                          rx_error *err) {
  memset(s, 0, sizeof *s);
  s->alpha = s->alpha_r2 = NAN;
  if (tau_max >= T) tau_max = T - 1;
  if (tau_max < 2)
    return rx_fail(err, RX_EINVAL, "%d steps leave no lag to fit a diffusion exponent to", T);
  s->tau_max = tau_max;
  s->msd = malloc(sizeof(double) * (size_t)tau_max);
  if (!s->msd) return rx_fail(err, RX_ENOMEM, "out of memory");
  int rc = rx_msd(x, T, B, dim, circular, tau_max, s->msd, NULL, err);
  if (!rc) rc = rx_step_sizes(x, T, B, dim, circular, edges, n_bins, counts, &s->steps, err);
  if (rc) {
    rxa_diffusion_stats_free(s);
    return rc;
  }
  const int hi = tau_max < RX_MSD_TAU_HI ? tau_max : RX_MSD_TAU_HI;
  rx_error why = {{0}};
  if (rx_msd_exponent(s->msd, tau_max, RX_MSD_TAU_LO, hi, &s->alpha, &s->alpha_r2, &why)) {
    /* Outputs that do not move (a network without noise at a fixed point) have no exponent:
     * a result to report, not a failure. */
    s->alpha = s->alpha_r2 = NAN;
    snprintf(s->why, sizeof s->why, "%s", why.msg);
  }
  return RX_OK;
}

void rxa_diffusion_stats_free(rxa_diffusion_stats *s) {
  free(s->msd);
  s->msd = NULL;
}

void rxa_diffusion_json(cJSON *obj, const rxa_diffusion_stats *s) {
  cJSON_AddItemToObject(obj, "msd", rxa_json_array(s->msd, s->tau_max));
  rxa_json_number(obj, "alpha", s->alpha);
  rxa_json_number(obj, "alpha_r2", s->alpha_r2);
  cJSON_AddStringToObject(obj, "class", rx_diffusion_class_name(rx_diffusion_classify(s->alpha)));
  rxa_json_number(obj, "step_mean", s->steps.mean);
  rxa_json_number(obj, "step_p99", s->steps.p99);
  rxa_json_number(obj, "step_max", s->steps.max);
  cJSON_AddNumberToObject(obj, "n_steps", (double)s->steps.n);
  if (s->why[0]) cJSON_AddStringToObject(obj, "undefined", s->why);
}

/* One data set of the file: x (T, B, dim), JSON into parent[key] (with noise_variance unless
 * NaN), its histogram into arrays as <run>.<key>.step_counts. */
typedef struct data_set {
  run_slot *r;
  const char *key;
  double noise_variance;
  const float *x;
  int T, B, dim, tau_max;
  cJSON *parent;
} data_set;

static int longest_step(const analysis_ctx *a, const data_set *d, double *longest, rx_error *err) {
  rx_step_summary s;
  int rc = rx_step_sizes(d->x, d->T, d->B, d->dim, rxa_is_circular(a), NULL, 0, NULL, &s, err);
  if (!rc && s.max > *longest) *longest = s.max;
  return rc;
}

static int one_set(analysis_ctx *a, const data_set *d, const double *edges, npz_list *arrays,
                   rx_error *err) {
  double counts[STEP_BINS];
  rxa_diffusion_stats st;
  int rc = rxa_diffusion_compute(d->x, d->T, d->B, d->dim, rxa_is_circular(a), d->tau_max, edges,
                                 STEP_BINS, counts, &st, err);
  if (rc) return rc;
  cJSON *obj = cJSON_AddObjectToObject(d->parent, d->key);
  if (!isnan(d->noise_variance)) rxa_json_number(obj, "noise_variance", d->noise_variance);
  rxa_diffusion_json(obj, &st);
  char what[128];
  snprintf(what, sizeof what, "%s.step_counts", d->key);
  rxa_npz_add(arrays, d->r->name, what, rxa_to_float(counts, STEP_BINS), 1, STEP_BINS, 0, 0);
  rxa_log(a, "diffusion: %s (%s): alpha %.3f (%s), mean step %.3g", d->r->name, d->key, st.alpha,
          rx_diffusion_class_name(rx_diffusion_classify(st.alpha)), st.steps.mean);
  rxa_diffusion_stats_free(&st);
  return RX_OK;
}

int rxa_diffusion(analysis_ctx *a, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  run_slot *slots[RX_EXP_COUNT + 1];
  int n;
  int rc = rxa_probe_slots(a, slots, &n, err);
  if (rc) return rc;
  cJSON *root = cJSON_CreateObject();
  npz_list *arrays = calloc(1, sizeof *arrays);
  data_set sets[3 * (RX_EXP_COUNT + 1)];
  int n_sets = 0;
  if (!root || !arrays) rc = rx_fail(err, RX_ENOMEM, "out of memory");
  if (!rc) {
    cJSON *set = cJSON_AddObjectToObject(root, "settings");
    cJSON_AddNumberToObject(set, "batch_size", cfg->mixing.batch_size);
    cJSON_AddNumberToObject(set, "t_total", cfg->mixing.t_total);
    cJSON_AddNumberToObject(set, "t_skip", cfg->diffusion.t_skip);
    cJSON_AddNumberToObject(set, "tau_max", cfg->diffusion.tau_max);
    cJSON_AddNumberToObject(set, "tau_max_active", cfg->diffusion.tau_max_active);
    cJSON_AddItemToObject(set, "fit",
                          rxa_json_array((const double[]){RX_MSD_TAU_LO, RX_MSD_TAU_HI}, 2));
    cJSON_AddNumberToObject(set, "probes_noise", cfg->probes.noise);
  }
  /* Every data set first (the quiescent runs are the cached awake-start runs), so that the
   * step histograms can share their edges. */
  for (int i = 0; i < n && !rc; i++) {
    run_slot *r = slots[i];
    probe_cond conds[2];
    const int n_cond = rxa_probe_conditions(a, r, conds);
    cJSON *run = cJSON_AddObjectToObject(root, r->name);
    for (int ci = 0; ci < n_cond && !rc; ci++) {
      const rx_sim_result *s;
      rx_sim_result storage;
      int owned;
      rc = rxa_probe_run(a, r, &conds[ci], ci, START_ACTIVE, &s, &storage, &owned, err);
      if (rc) break;
      const int skip = cfg->diffusion.t_skip;
      sets[n_sets++] = (data_set){r,
                                  conds[ci].name,
                                  conds[ci].noise_variance,
                                  s->decoded + (size_t)skip * s->B * s->dim,
                                  s->T - skip,
                                  s->B,
                                  s->dim,
                                  cfg->diffusion.tau_max,
                                  run};
    }
    if (!rc && !r->owned_rnn) { /* awake: the run's own test batch (the control has none) */
      const probe_cache *c;
      rc = rxa_probe_awake(a, r, &c, err);
      if (!rc)
        sets[n_sets++] =
            (data_set){r,          "active",   NAN,          c->awake.decoded,
                       c->awake.T, c->awake.B, c->awake.dim, cfg->diffusion.tau_max_active,
                       run};
    }
  }
  double longest = 0;
  for (int i = 0; i < n_sets && !rc; i++)
    rc = longest_step(a, &sets[i], &longest, err);
  double edges[STEP_BINS + 1];
  for (int i = 0; i <= STEP_BINS; i++)
    edges[i] = (longest > 0 ? longest : 1) * i / STEP_BINS;
  for (int i = 0; i < n_sets && !rc; i++)
    rc = one_set(a, &sets[i], edges, arrays, err);
  if (!rc) {
    rxa_npz_add(arrays, "settings", "step_edges", rxa_to_float(edges, STEP_BINS + 1), 1,
                STEP_BINS + 1, 0, 0);
    rc = rxa_write_json(a, RX_RESULTS_DIFFUSION, root, err);
  }
  if (!rc) rc = rxa_npz_flush(a, RX_RESULTS_DIFFUSION, arrays, err);
  if (arrays) rxa_npz_discard(arrays);
  free(arrays);
  cJSON_Delete(root);
  return rc;
}
