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

/* The data sets of a run: each noise condition's awake-start quiescent run after
 * diffusion.t_skip steps, and the run's own awake test batch (the control has none). Writes at
 * most 3 into sets; the quiescent runs are the cache's (rxa_probe_run). */
typedef struct data_set {
  const char *key;
  double noise_variance; /* NaN: awake */
  const float *x;
  int T, B, dim, tau_max;
} data_set;

static int run_sets(analysis_ctx *a, run_slot *r, data_set *sets, int *n, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  probe_cond conds[2];
  const int n_cond = rxa_probe_conditions(a, r, conds);
  *n = 0;
  for (int ci = 0; ci < n_cond; ci++) {
    const rx_sim_result *s;
    rx_sim_result storage;
    int owned;
    int rc = rxa_probe_run(a, r, &conds[ci], ci, START_ACTIVE, &s, &storage, &owned, err);
    if (rc) return rc;
    const int skip = cfg->diffusion.t_skip;
    sets[(*n)++] = (data_set){conds[ci].name,
                              conds[ci].noise_variance,
                              s->decoded + (size_t)skip * s->B * s->dim,
                              s->T - skip,
                              s->B,
                              s->dim,
                              cfg->diffusion.tau_max};
  }
  if (r->owned_rnn) return RX_OK;
  const probe_cache *c;
  int rc = rxa_probe_awake(a, r, &c, err);
  if (!rc)
    sets[(*n)++] = (data_set){"active",
                              NAN,
                              c->awake.decoded,
                              c->awake.T,
                              c->awake.B,
                              c->awake.dim,
                              cfg->diffusion.tau_max_active};
  return rc;
}

/* The step-size histograms share their edges: STEP_BINS bins from 0 to the longest step of any
 * data set of the file, found in a first pass. */
typedef struct diffusion_state {
  double edges[STEP_BINS + 1];
} diffusion_state;

static int diffusion_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, void *state,
                         rx_error *err) {
  const diffusion_state *ds = state;
  data_set sets[3];
  int n;
  int rc = run_sets(a, r, sets, &n, err);
  cJSON *run = cJSON_AddObjectToObject(root, r->name);
  for (int i = 0; i < n && !rc; i++) {
    const data_set *d = &sets[i];
    double counts[STEP_BINS];
    rxa_diffusion_stats st;
    rc = rxa_diffusion_compute(d->x, d->T, d->B, d->dim, rxa_is_circular(a), d->tau_max, ds->edges,
                               STEP_BINS, counts, &st, err);
    if (rc) break;
    cJSON *obj = cJSON_AddObjectToObject(run, d->key);
    if (!isnan(d->noise_variance)) rxa_json_number(obj, "noise_variance", d->noise_variance);
    rxa_diffusion_json(obj, &st);
    char what[128];
    snprintf(what, sizeof what, "%s.step_counts", d->key);
    rxa_npz_add(arrays, r->name, what, rxa_to_float(counts, STEP_BINS), 1, STEP_BINS, 0, 0);
    rxa_log(a, "diffusion: %s (%s): alpha %.3f (%s), mean step %.3g", r->name, d->key, st.alpha,
            rx_diffusion_class_name(rx_diffusion_classify(st.alpha)), st.steps.mean);
    rxa_diffusion_stats_free(&st);
  }
  return rc;
}

static void diffusion_settings(analysis_ctx *a, cJSON *set, npz_list *arrays, void *state) {
  const rx_analysis_config *cfg = a->cfg;
  const diffusion_state *ds = state;
  cJSON_AddNumberToObject(set, "batch_size", cfg->mixing.batch_size);
  cJSON_AddNumberToObject(set, "t_total", cfg->mixing.t_total);
  cJSON_AddNumberToObject(set, "t_skip", cfg->diffusion.t_skip);
  cJSON_AddNumberToObject(set, "tau_max", cfg->diffusion.tau_max);
  cJSON_AddNumberToObject(set, "tau_max_active", cfg->diffusion.tau_max_active);
  cJSON_AddItemToObject(set, "fit",
                        rxa_json_array((const double[]){RX_MSD_TAU_LO, RX_MSD_TAU_HI}, 2));
  rxa_npz_add(arrays, "settings", "step_edges", rxa_to_float(ds->edges, STEP_BINS + 1), 1,
              STEP_BINS + 1, 0, 0);
}

int rxa_diffusion(analysis_ctx *a, rx_error *err) {
  run_slot *slots[RX_RESULTS_MAX_RUNS + 1];
  int n;
  int rc = rxa_probe_slots(a, slots, &n, err);
  double longest = 0;
  for (int i = 0; i < n && !rc; i++) {
    data_set sets[3];
    int n_sets;
    rc = run_sets(a, slots[i], sets, &n_sets, err);
    for (int k = 0; k < n_sets && !rc; k++) {
      rx_step_summary s;
      rc = rx_step_sizes(sets[k].x, sets[k].T, sets[k].B, sets[k].dim, rxa_is_circular(a), NULL, 0,
                         NULL, &s, err);
      if (!rc && s.max > longest) longest = s.max;
    }
  }
  if (rc) return rc;
  diffusion_state ds;
  for (int i = 0; i <= STEP_BINS; i++)
    ds.edges[i] = (longest > 0 ? longest : 1) * i / STEP_BINS;
  return rxa_probe_each(a, RX_RESULTS_DIFFUSION, diffusion_settings, diffusion_run, &ds, err);
}
