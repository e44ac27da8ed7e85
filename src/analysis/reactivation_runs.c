/* The per-run analyses (docs/science.md §6): quiescent exploration (variance), smoothness
 * (step-wise distance), dimensionality and geometry (PCA of hidden states), and head-direction
 * heading statistics; each adds one run's results to the JSON object and the figure arrays. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reactivation_internal.h"
#include "reactivate/analysis.h"
#include "reactivate/rng.h"

int rxa_variance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err) {
  const int B = a->cfg->variance.batch_size, T = a->cfg->variance.t_total;
  rx_sim_result q;
  int rc = rxa_simulate(a, &r->ck, B, T, 1, rxa_rule(a, &r->ck), 0, 0, SIM_VARIANCE, &q, err);
  if (rc) return rc;
  double *per = malloc((size_t)B * sizeof(double));
  if (!per) {
    rx_sim_result_free(&q);
    return rx_fail(err, RX_ENOMEM, "out of memory");
  }
  double v =
      rx_total_variance(q.decoded, T, B, q.dim, a->cfg->variance.t_skip, rxa_is_circular(a), per);
  cJSON_AddNumberToObject(root, r->name, v);
  rxa_npz_add(arrays, r->name, "quiescent", rxa_to_float(per, (size_t)B), 1, B, 0, 0);
  free(per);
  rx_sim_result_free(&q);
  rxa_log(a, "variance: %s %.4g", r->name, v);
  return RX_OK;
}

/* Step-wise distance of one simulation: mean, and per trajectory into the figure arrays. */
static int distance_of(analysis_ctx *a, run_slot *r, int T, int quiescent, rx_quiescent_rule rule,
                       double var, uint32_t index, const char *what, cJSON *obj, npz_list *arrays,
                       rx_error *err) {
  rx_sim_result s;
  const int B = a->cfg->batch_size;
  int rc = rxa_simulate(a, &r->ck, B, T, quiescent, rule, var, 0, index, &s, err);
  if (rc) return rc;
  double *per = malloc((size_t)B * sizeof(double));
  if (!per) {
    rx_sim_result_free(&s);
    return rx_fail(err, RX_ENOMEM, "out of memory");
  }
  double d = rx_step_distance(s.decoded, T, B, s.dim, rxa_is_circular(a), per);
  cJSON_AddNumberToObject(obj, what, d);
  rxa_npz_add(arrays, r->name, what, rxa_to_float(per, (size_t)B), 1, B, 0, 0);
  /* A few decoded trajectories for the example figures (docs/science.md §7.1, C.3). */
  const int keep = B < 10 ? B : 10;
  char traj_name[64];
  snprintf(traj_name, sizeof traj_name, "%s_trajectories", what);
  rxa_npz_add(arrays, r->name, traj_name, rxa_batch_major_first(s.decoded, T, B, keep, s.dim), 3,
              keep, T, s.dim);
  free(per);
  rx_sim_result_free(&s);
  return RX_OK;
}

int rxa_distance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err) {
  cJSON *obj = cJSON_AddObjectToObject(root, r->name);
  int rc = distance_of(a, r, r->ck.cfg.task.sequence_length, 0, 0, 0, SIM_DIST_ACTIVE, "active",
                       obj, arrays, err);
  if (!rc)
    rc = distance_of(a, r, a->cfg->distance.t_quiescent, 1, rxa_rule(a, &r->ck), 0,
                     SIM_DIST_QUIESCENT, "quiescent", obj, arrays, err);
  /* Noiseless-trained networks given noise offline (docs/science.md §6.3, C.4). */
  if (!rc && r->ck.cfg.rnn.sigma2_rec == 0)
    rc = distance_of(a, r, a->cfg->distance.t_quiescent, 1, RX_QUIESCENT_ABSOLUTE,
                     a->cfg->distance.absolute_noise, SIM_DIST_NOISY, "quiescent_noisy", obj,
                     arrays, err);
  if (!rc) rxa_log(a, "distance: %s done", r->name);
  return rc;
}

/* ---- dimensionality and geometry (PCA of hidden states) ---- */

static cJSON *cumulative(const rx_pca *p) {
  cJSON *arr = cJSON_CreateArray();
  double c = 0;
  for (int i = 0; i < p->k; i++)
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(c += p->explained[i]));
  return arr;
}

/* Colour of each point in the geometry figures: decoded distance from the box centre, or the
 * decoded heading. (T, B, dim) -> (B_keep, T) batch-major. */
static float *colour_values(const rx_sim_result *s, int b_keep) {
  float *c = malloc((size_t)b_keep * s->T * sizeof(float) + 1);
  if (!c) return NULL;
  for (int b = 0; b < b_keep; b++)
    for (int t = 0; t < s->T; t++) {
      const float *x = s->decoded + ((size_t)t * s->B + b) * s->dim;
      c[(size_t)b * s->T + t] = s->dim == 2 ? sqrtf(x[0] * x[0] + x[1] * x[1]) : x[0];
    }
  return c;
}

/* First two PCs of hidden (T, B, n) for the first b_keep trajectories, batch-major (b_keep, T, 2).
 */
static float *project2(const rx_pca *p, const float *hidden, int T, int B, int n, int b_keep) {
  double *proj = malloc((size_t)T * B * p->k * sizeof(double));
  float *out = malloc((size_t)b_keep * T * 2 * sizeof(float) + 1);
  if (!proj || !out) {
    free(proj);
    free(out);
    return NULL;
  }
  rx_pca_project(p, hidden, (size_t)T * B, proj);
  (void)n;
  for (int b = 0; b < b_keep; b++)
    for (int t = 0; t < T; t++)
      for (int c = 0; c < 2; c++)
        out[((size_t)b * T + t) * 2 + c] = (float)proj[((size_t)t * B + b) * p->k + c];
  free(proj);
  return out;
}

int rxa_pca_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  const int B = cfg->pca.batch_size, n = r->ck.rnn->spec.n_rec;
  const int k = cfg->pca.k < n ? cfg->pca.k : n, b_keep = B < 100 ? B : 100;
  rx_sim_result act, q;
  int rc = rxa_simulate(a, &r->ck, B, cfg->pca.t_active, 0, 0, 0, 1, SIM_PCA_ACTIVE, &act, err);
  if (rc) return rc;
  rc = rxa_simulate(a, &r->ck, B, cfg->pca.t_quiescent, 1, rxa_rule(a, &r->ck), 0, 1,
                    SIM_PCA_QUIESCENT, &q, err);
  if (rc) {
    rx_sim_result_free(&act);
    return rc;
  }
  rx_pca pa = {0}, pq = {0};
  rc = rx_pca_fit(&pa, act.hidden, (size_t)act.T * B, n, k, err);
  if (!rc) rc = rx_pca_fit(&pq, q.hidden, (size_t)q.T * B, n, k, err);
  if (!rc) {
    cJSON *obj = cJSON_AddObjectToObject(root, r->name);
    cJSON_AddItemToObject(obj, "active", cumulative(&pa));
    cJSON_AddItemToObject(obj, "quiescent", cumulative(&pq));
    /* Geometry: both projected on the active PCs (docs/science.md §6). */
    rxa_npz_add(arrays, r->name, "active_pcs", project2(&pa, act.hidden, act.T, B, n, b_keep), 3,
                b_keep, act.T, 2);
    rxa_npz_add(arrays, r->name, "quiescent_pcs", project2(&pa, q.hidden, q.T, B, n, b_keep), 3,
                b_keep, q.T, 2);
    rxa_npz_add(arrays, r->name, "active_colour", colour_values(&act, b_keep), 2, b_keep, act.T, 0);
    rxa_npz_add(arrays, r->name, "quiescent_colour", colour_values(&q, b_keep), 2, b_keep, q.T, 0);
    rxa_log(a, "pca: %s: %d PCs explain %.3f (active), %.3f (quiescent)", r->name, k,
            cJSON_GetArrayItem(cJSON_GetObjectItem(obj, "active"), k - 1)->valuedouble,
            cJSON_GetArrayItem(cJSON_GetObjectItem(obj, "quiescent"), k - 1)->valuedouble);
  }
  rx_pca_free(&pa);
  rx_pca_free(&pq);
  rx_sim_result_free(&act);
  rx_sim_result_free(&q);
  return rc;
}

/* ---- head direction: heading distributions and angular velocities ---- */

static cJSON *histogram_json(const float *theta, size_t n, int bins) {
  double *counts = calloc((size_t)bins, sizeof(double));
  cJSON *arr = cJSON_CreateArray();
  if (counts) {
    rx_circular_histogram(theta, n, bins, counts);
    for (int i = 0; i < bins; i++)
      cJSON_AddItemToArray(arr, cJSON_CreateNumber(counts[i] / (double)n));
  }
  free(counts);
  return arr;
}

static double mean_angular_velocity(const rx_sim_result *s, double dt) {
  size_t n = (size_t)(s->T - 1) * s->B;
  double *w = malloc((n ? n : 1) * sizeof(double)), m = NAN;
  if (w && n) {
    rx_angular_velocity(s->decoded, s->T, s->B, dt, w);
    m = 0;
    for (size_t i = 0; i < n; i++)
      m += w[i];
    m /= (double)n;
  }
  free(w);
  return m;
}

int rxa_heading_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  const int B = cfg->batch_size;
  rx_sim_result act, q;
  int rc =
      rxa_simulate(a, &r->ck, B, r->ck.cfg.task.sequence_length, 0, 0, 0, 0, SIM_ACTIVE, &act, err);
  if (rc) return rc;
  rc = rxa_simulate(a, &r->ck, B, cfg->t_quiescent, 1, rxa_rule(a, &r->ck), 0, 0, SIM_QUIESCENT, &q,
                    err);
  if (rc) {
    rx_sim_result_free(&act);
    return rc;
  }
  const double dt = r->ck.cfg.task.dt;
  cJSON *obj = cJSON_AddObjectToObject(root, r->name);
  cJSON_AddItemToObject(obj, "active_histogram",
                        histogram_json(act.decoded, (size_t)act.T * B, cfg->hd.bins));
  cJSON_AddItemToObject(obj, "quiescent_histogram",
                        histogram_json(q.decoded, (size_t)q.T * B, cfg->hd.bins));
  cJSON_AddNumberToObject(obj, "active_mean_angular_velocity", mean_angular_velocity(&act, dt));
  cJSON_AddNumberToObject(obj, "quiescent_mean_angular_velocity", mean_angular_velocity(&q, dt));
  rxa_npz_add(arrays, r->name, "active", rxa_batch_major(act.decoded, act.T, B, 1), 3, B, act.T, 1);
  rxa_npz_add(arrays, r->name, "quiescent", rxa_batch_major(q.decoded, q.T, B, 1), 3, B, q.T, 1);
  rx_sim_result_free(&act);
  rx_sim_result_free(&q);
  rxa_log(a, "heading: %s done", r->name);
  return RX_OK;
}

/* The untrained control's quiescent headings (rxa_simulate_random), as "random": claim g1
 * (docs/science.md §7.2) compares the trained networks' match on the ring with its. */
int rxa_heading_controls(analysis_ctx *a, const rx_checkpoint *any, cJSON *root, npz_list *arrays,
                         rx_error *err) {
  rx_sim_result q;
  int rc = rxa_simulate_random(a, any, &q, err);
  if (rc) return rc;
  cJSON *obj = cJSON_AddObjectToObject(root, "random");
  cJSON_AddItemToObject(obj, "quiescent_histogram",
                        histogram_json(q.decoded, (size_t)q.T * q.B, a->cfg->hd.bins));
  cJSON_AddNumberToObject(obj, "quiescent_mean_angular_velocity",
                          mean_angular_velocity(&q, any->cfg.task.dt));
  rxa_npz_add(arrays, "random", "quiescent", rxa_batch_major(q.decoded, q.T, q.B, 1), 3, q.B, q.T,
              1);
  rx_sim_result_free(&q);
  rxa_log(a, "heading: random network done");
  return RX_OK;
}
