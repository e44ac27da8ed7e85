/* Noise temperature (docs/probes.md §3, §5): each run quiescent at noise variance k sigma^2 for
 * every k of temperature.k; the exponent beta_k of the awake density p whose tilt p^beta / Z
 * best explains the quiescent outputs, next to the Langevin prediction 2 / k; KL(q_k || p) and
 * the exploration (variance) against k; the slope of log beta_k against log k (theory: -1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probes_internal.h"
#include "reactivate/analysis.h"
#include "reactivate/rng.h"

/* log p of the awake density on the probe's grid: the plane, grid x grid cell centres over the
 * arena's bounding box (the box's W x H), cells centred outside the arena taking no part (log p
 * -inf: p^beta / Z is normalised over the inside cells); the ring, grid bins over [-pi, pi).
 * Returns the grid (malloc'd) and its cell measure. */
typedef struct tgrid {
  int nx, ny;
  double lo[2], hi[2], cell;
  double *p;        /* (ny, nx) density at the cell centres */
  double *log_p;    /* (ny, nx) its log (-inf where p underflows to 0, and outside the arena) */
  double log_floor; /* the smallest finite log p of the grid's cells in the arena */
} tgrid;

static int grid_build(const analysis_ctx *a, const run_slot *r, const probe_cache *c, tgrid *g,
                      rx_error *err) {
  memset(g, 0, sizeof *g);
  const int n = a->cfg->temperature.grid, circ = rxa_is_circular(a);
  g->nx = n;
  g->ny = circ ? 1 : n;
  unsigned char *mask = NULL;
  int n_in = g->nx * g->ny;
  if (circ) {
    g->lo[0] = -M_PI, g->hi[0] = M_PI;
  } else {
    rx_arena ar;
    int rc = rxa_arena(&r->ck.cfg, &ar, err);
    if (rc) return rc;
    g->lo[0] = ar.lo[0], g->hi[0] = ar.hi[0];
    g->lo[1] = ar.lo[1], g->hi[1] = ar.hi[1];
    mask = rxa_arena_mask(&ar, g->nx, g->ny, &n_in);
    if (n_in < 0) return rx_fail(err, RX_ENOMEM, "out of memory for a %d-point grid", n * n);
  }
  const size_t m = (size_t)g->nx * g->ny;
  const int d = circ ? 1 : 2;
  double *pts = malloc(sizeof(double) * m * d);
  g->p = malloc(sizeof(double) * m);
  g->log_p = malloc(sizeof(double) * m);
  if (!pts || !g->p || !g->log_p) {
    free(pts);
    free(mask);
    return rx_fail(err, RX_ENOMEM, "out of memory for a %d-point grid", (int)m);
  }
  const double wx = (g->hi[0] - g->lo[0]) / g->nx, wy = circ ? 1 : (g->hi[1] - g->lo[1]) / g->ny;
  g->cell = wx * wy;
  for (int iy = 0; iy < g->ny; iy++)
    for (int ix = 0; ix < g->nx; ix++) {
      const size_t i = (size_t)iy * g->nx + ix;
      pts[i * d] = g->lo[0] + (ix + 0.5) * wx;
      if (!circ) pts[i * d + 1] = g->lo[1] + (iy + 0.5) * wy;
    }
  if (circ)
    rx_circular_kde_eval(c->ckde, pts, m, g->p);
  else
    rx_density_eval(c->kde, pts, m, g->p);
  free(pts);
  g->log_floor = INFINITY;
  for (size_t i = 0; i < m; i++) {
    /* p stays at every cell (interpolation near the arena's edge reads it) */
    g->log_p[i] = g->p[i] > 0 && (!mask || mask[i]) ? log(g->p[i]) : -INFINITY;
    if (isfinite(g->log_p[i]) && g->log_p[i] < g->log_floor) g->log_floor = g->log_p[i];
  }
  free(mask);
  if (!isfinite(g->log_floor))
    return rx_fail(err, RX_ENUMERIC, "the awake density of %s is 0 over the whole grid", r->name);
  return RX_OK;
}

static void grid_free(tgrid *g) {
  free(g->p);
  free(g->log_p);
}

/* p at a point, by bilinear interpolation between cell centres (linear and periodic on the
 * ring; clamped at the arena's edge cells). The grid is fine against the KDE's bandwidth, and
 * interpolating keeps E_q[log p] consistent with the grid that normalises p^beta. */
static double grid_p(const tgrid *g, const float *y, int circ) {
  const double wx = (g->hi[0] - g->lo[0]) / g->nx;
  double fx = (y[0] - g->lo[0]) / wx - 0.5;
  if (circ) {
    fx -= g->nx * floor(fx / g->nx);
    const int i0 = (int)fx % g->nx, i1 = (i0 + 1) % g->nx;
    const double t = fx - floor(fx);
    return (1 - t) * g->p[i0] + t * g->p[i1];
  }
  const double wy = (g->hi[1] - g->lo[1]) / g->ny;
  double fy = (y[1] - g->lo[1]) / wy - 0.5;
  fx = fx < 0 ? 0 : fx > g->nx - 1 ? g->nx - 1 : fx;
  fy = fy < 0 ? 0 : fy > g->ny - 1 ? g->ny - 1 : fy;
  int ix = (int)fx, iy = (int)fy;
  if (ix > g->nx - 2) ix = g->nx - 2;
  if (iy > g->ny - 2) iy = g->ny - 2;
  const double tx = fx - ix, ty = fy - iy;
  const double *p = g->p + (size_t)iy * g->nx + ix;
  return (1 - ty) * ((1 - tx) * p[0] + tx * p[1]) + ty * ((1 - tx) * p[g->nx] + tx * p[g->nx + 1]);
}

/* E_q[log p] over the samples, log p floored at the grid's smallest finite value (a sample where
 * the awake density underflows would otherwise make the mean -inf). Summed in order. */
static double mean_log_p(const tgrid *g, const float *x, size_t n, int dim, int circ) {
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    const double p = grid_p(g, x + i * dim, circ);
    const double lp = p > 0 ? log(p) : -INFINITY;
    s += lp > g->log_floor ? lp : g->log_floor;
  }
  return s / (double)n;
}

static int temperature_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, void *state,
                           rx_error *err) {
  (void)arrays, (void)state;
  const rx_analysis_config *cfg = a->cfg;
  const int nk = cfg->temperature.n_k, B = cfg->temperature.batch_size;
  const int T = cfg->temperature.t_total, skip = cfg->temperature.t_skip;
  const int circ = rxa_is_circular(a);
  const probe_cache *c;
  int rc = rxa_probe_awake(a, r, &c, err);
  if (rc) return rc;
  tgrid g;
  rc = grid_build(a, r, c, &g, err);
  /* The base variance: the trained sigma2_rec, or the probes' noise for the noiseless runs and
   * the control. At k the recurrent noise has variance k x base (the absolute rule's argument
   * is half the variance: sigma = sqrt(2 v)). */
  const double base =
      !r->owned_rnn && r->ck.cfg.rnn.sigma2_rec != 0 ? r->ck.cfg.rnn.sigma2_rec : cfg->probes.noise;
  double var[RX_TEMPERATURE_MAX_K] = {0}, beta[RX_TEMPERATURE_MAX_K] = {0};
  double bound[RX_TEMPERATURE_MAX_K] = {0}, theory[RX_TEMPERATURE_MAX_K] = {0};
  double kl[RX_TEMPERATURE_MAX_K] = {0}, expl[RX_TEMPERATURE_MAX_K] = {0};
  for (int i = 0; i < nk && !rc; i++) {
    const double k = cfg->temperature.ks[i];
    var[i] = k * base;
    theory[i] = 2 / k;
    rx_sim_request req = rx_sim_request_default(B, T, (uint32_t)cfg->seed);
    req.batch_seed = (uint32_t)r->ck.cfg.seed;
    req.batch_stream = RX_STREAM_TEST_TASK;
    req.quiescent = 1;
    req.quiescent_mechanism = rxa_offline_of(a, &r->ck);
    req.rule = RX_QUIESCENT_ABSOLUTE;
    req.rule_variance = var[i] / 2;
    req.noise_index = (uint32_t)(SIM_PROBE_TEMPERATURE + i);
    rx_sim_result q;
    if ((rc = rx_simulate(&r->ck, &req, &q, err))) break;
    const float *x = q.decoded + (size_t)skip * B * q.dim;
    const size_t n = (size_t)(T - skip) * B;
    int at = 0;
    double log_z;
    rc = rx_tempering_fit(g.log_p, (size_t)g.nx * g.ny, g.cell, mean_log_p(&g, x, n, q.dim, circ),
                          &beta[i], &log_z, &at, err);
    bound[i] = at;
    if (!rc) rc = rxa_probe_kl(a, r, x, n, &kl[i], err);
    if (!rc) expl[i] = rx_total_variance(q.decoded, T, B, q.dim, skip, circ, NULL);
    rx_sim_result_free(&q);
  }
  if (!rc) {
    double slope = NAN, r2 = NAN;
    rx_error why = {{0}};
    if (rx_loglog_fit(cfg->temperature.ks, beta, (size_t)nk, &slope, NULL, &r2, &why))
      slope = r2 = NAN;
    int decreasing = 1;
    for (int i = 1; i < nk; i++)
      decreasing &= beta[i] < beta[i - 1];
    cJSON *obj = cJSON_AddObjectToObject(root, r->name);
    rxa_json_number(obj, "base_variance", base);
    cJSON_AddItemToObject(obj, "k", rxa_json_array(cfg->temperature.ks, nk));
    cJSON_AddItemToObject(obj, "noise_variance", rxa_json_array(var, nk));
    cJSON_AddItemToObject(obj, "beta", rxa_json_array(beta, nk));
    cJSON_AddItemToObject(obj, "beta_at_bound", rxa_json_array(bound, nk));
    cJSON_AddItemToObject(obj, "theory", rxa_json_array(theory, nk));
    cJSON_AddItemToObject(obj, "kl", rxa_json_array(kl, nk));
    cJSON_AddItemToObject(obj, "variance", rxa_json_array(expl, nk));
    rxa_json_number(obj, "slope", slope);
    rxa_json_number(obj, "slope_r2", r2);
    cJSON_AddBoolToObject(obj, "decreasing", decreasing);
    rxa_log(a, "temperature: %s: beta %.3g at k = %g ... %.3g at k = %g, slope %.3f", r->name,
            beta[0], cfg->temperature.ks[0], beta[nk - 1], cfg->temperature.ks[nk - 1], slope);
  }
  grid_free(&g);
  return rc;
}

static void temperature_settings(analysis_ctx *a, cJSON *set, npz_list *arrays, void *state) {
  (void)arrays, (void)state;
  const rx_analysis_config *cfg = a->cfg;
  cJSON_AddItemToObject(set, "k", rxa_json_array(cfg->temperature.ks, cfg->temperature.n_k));
  cJSON_AddNumberToObject(set, "batch_size", cfg->temperature.batch_size);
  cJSON_AddNumberToObject(set, "t_total", cfg->temperature.t_total);
  cJSON_AddNumberToObject(set, "t_skip", cfg->temperature.t_skip);
  cJSON_AddNumberToObject(set, "grid", cfg->temperature.grid);
  cJSON_AddStringToObject(set, "estimator", rxa_is_circular(a) ? "histogram" : "kde");
}

int rxa_temperature(analysis_ctx *a, rx_error *err) {
  return rxa_probe_each(a, RX_RESULTS_TEMPERATURE, temperature_settings, temperature_run, NULL,
                        err);
}
