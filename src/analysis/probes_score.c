/* Drift versus score (docs/probes.md §4, §5): the drift of each run's quiescent outputs (the
 * awake-start runs of mixing, after score.t_skip steps) binned over the arena or the ring,
 * against the exact score of the run's awake KDE at each bin's mean. The comparison itself is a
 * function of arrays (probes_score_stats), shared with `analyze score --trajectories`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probes_internal.h"
#include "reactivate/analysis.h"
#include "reactivate/rng.h"

void rxa_score_json(cJSON *obj, const rx_drift_field *f, const rx_drift_score *s) {
  cJSON_AddNumberToObject(obj, "n_samples", (double)f->n_samples);
  cJSON_AddNumberToObject(obj, "n_bins_used", f->n_used);
  rxa_json_number(obj, "cosine", s->cos_weighted);
  rxa_json_number(obj, "cosine_centered", s->cos_centered_weighted);
  rxa_json_number(obj, "p_value", s->p_value);
  rxa_json_number(obj, "p_value_centered", s->p_value_centered);
  rxa_json_number(obj, "null_mean", s->null_mean);
  rxa_json_number(obj, "null_sd", s->null_sd);
  rxa_json_number(obj, "c", s->c);
  rxa_json_number(obj, "r2", s->r2);
  rxa_json_number(obj, "drift_noise_var", s->noise_var);
  rxa_json_number(obj, "beta", s->beta);
  cJSON_AddItemToObject(obj, "mean_drift", rxa_json_array(s->mean_drift, f->dim));
  cJSON_AddBoolToObject(obj, "aligned",
                        isfinite(s->p_value) && s->cos_weighted > RX_SCORE_ALIGNED_COSINE &&
                            s->p_value < RX_SCORE_ALIGNED_P);
}

/* Per-bin arrays of a comparison into the list: (ny, nx[, dim]) in the plane, (nx[, 1]) on the
 * ring or the line, NaN at unused bins (count and density everywhere). density (n_bins,) may be
 * NULL. */
void rxa_score_arrays(npz_list *l, const char *run, const char *cond, const rx_drift_field *f,
                      const double *score, const rx_drift_score *s, const double *density) {
  const int nb = f->n_bins, d = f->dim;
  const int plane = f->ny > 1 || d == 2;
  const int64_t d0 = plane ? f->ny : f->nx, d1 = plane ? f->nx : d;
  double *count = malloc(sizeof(double) * nb), *cos = malloc(sizeof(double) * nb);
  double *mean = malloc(sizeof(double) * nb * d), *drift = malloc(sizeof(double) * nb * d);
  double *sc = malloc(sizeof(double) * nb * d);
  if (count && cos && mean && drift && sc) {
    for (int b = 0; b < nb; b++) {
      const int u = f->used[b];
      count[b] = (double)f->count[b];
      cos[b] = u ? s->cosine[b] : NAN;
      for (int k = 0; k < d; k++) {
        mean[b * d + k] = u ? f->mean[b * d + k] : NAN;
        drift[b * d + k] = u ? f->drift[b * d + k] : NAN;
        sc[b * d + k] = u ? score[b * d + k] : NAN;
      }
    }
    char what[160];
#define ADD(name, data, nd, a0, a1, a2)                                                            \
  do {                                                                                             \
    const int64_t shape_[3] = {a0, a1, a2};                                                        \
    size_t n_ = 1;                                                                                 \
    for (int i_ = 0; i_ < (nd); i_++)                                                              \
      n_ *= (size_t)shape_[i_];                                                                    \
    snprintf(what, sizeof what, "%s%s%s", cond, *cond ? "." : "", name);                           \
    rxa_npz_add(l, run, what, rxa_to_float(data, n_), nd, a0, a1, a2);                             \
  } while (0)
    /* per bin: (ny, nx) in the plane, (nx,) on the ring; vectors (…, dim) */
    const int nd = plane ? 2 : 1;
    ADD("count", count, nd, d0, plane ? f->nx : 0, 0);
    ADD("cosine", cos, nd, d0, plane ? f->nx : 0, 0);
    ADD("mean", mean, nd + 1, d0, d1, plane ? d : 0);
    ADD("drift", drift, nd + 1, d0, d1, plane ? d : 0);
    ADD("score", sc, nd + 1, d0, d1, plane ? d : 0);
    if (density) ADD("density", density, nd, d0, plane ? f->nx : 0, 0);
#undef ADD
  }
  free(count);
  free(cos);
  free(mean);
  free(drift);
  free(sc);
}

void rxa_score_edges(npz_list *l, const rx_drift_field *f) {
  for (int axis = 0; axis < f->dim; axis++) {
    const int n = axis ? f->ny : f->nx;
    double *e = malloc(sizeof(double) * (n + 1));
    if (!e) return;
    for (int i = 0; i <= n; i++)
      e[i] = f->lo[axis] + (f->hi[axis] - f->lo[axis]) * i / (double)n;
    rxa_npz_add(l, "settings", axis ? "edges_y" : "edges_x", rxa_to_float(e, (size_t)n + 1), 1,
                n + 1, 0, 0);
    free(e);
  }
}

int rxa_score_compare(const rx_drift_field *f, const struct rx_density *kde,
                      const struct rx_circular_kde *ckde, int n_perm, uint32_t seed,
                      double **score_out, rx_drift_score *out, rx_error *err) {
  const int d = f->dim;
  double *score = malloc(sizeof(double) * (size_t)f->n_bins * d);
  double *pts = malloc(sizeof(double) * (size_t)f->n_bins * d);
  int *idx = malloc(sizeof(int) * (size_t)f->n_bins);
  if (!score || !pts || !idx) {
    free(score);
    free(pts);
    free(idx);
    return rx_fail(err, RX_ENOMEM, "out of memory");
  }
  /* The score at the used bins' means only (unused bins have no mean). */
  int m = 0;
  for (int b = 0; b < f->n_bins; b++) {
    for (int k = 0; k < d; k++)
      score[b * d + k] = NAN;
    if (!f->used[b]) continue;
    memcpy(pts + (size_t)m * d, f->mean + (size_t)b * d, sizeof(double) * d);
    idx[m++] = b;
  }
  double *sm = malloc(sizeof(double) * (size_t)(m ? m : 1) * d);
  int rc = sm ? 0 : rx_fail(err, RX_ENOMEM, "out of memory");
  if (!rc) {
    if (ckde)
      rx_circular_kde_score(ckde, pts, (size_t)m, sm);
    else
      rx_density_score(kde, pts, (size_t)m, sm);
    for (int i = 0; i < m; i++)
      memcpy(score + (size_t)idx[i] * d, sm + (size_t)i * d, sizeof(double) * d);
    rc = rx_drift_score_compare(f, score, n_perm, seed, RX_STREAM_ANALYSIS + 1, out, err);
  }
  free(sm);
  free(pts);
  free(idx);
  if (rc)
    free(score);
  else
    *score_out = score;
  return rc;
}

/* The awake density at the bin centres, for the figures' background; with a mask (an arena's
 * bins, may be NULL) NaN at the bins masked out and normalised over the others
 * (rx_density_grid). NULL when it cannot be had. */
static double *bin_density(const rx_drift_field *f, const probe_cache *c,
                           const unsigned char *mask) {
  const int nb = f->n_bins;
  double *out = malloc(sizeof(double) * nb);
  if (!out) return NULL;
  if (!c->ckde) {
    rx_error e = {{0}};
    if (rx_density_grid(c->kde, f->lo, f->hi, f->nx, f->ny, mask, out, NULL, &e)) {
      free(out);
      return NULL;
    }
    return out;
  }
  double *pts = malloc(sizeof(double) * nb);
  if (!pts) {
    free(out);
    return NULL;
  }
  for (int ix = 0; ix < f->nx; ix++)
    pts[ix] = f->lo[0] + (f->hi[0] - f->lo[0]) * (ix + 0.5) / f->nx;
  rx_circular_kde_eval(c->ckde, pts, (size_t)nb, out);
  free(pts);
  return out;
}

/* The bins: the ring, or score.bins x score.bins over the arena's bounding box (the box's
 * W x H), those centred outside the arena masked (*mask, malloc'd; NULL: every bin). */
static int probe_opts(const analysis_ctx *a, const rx_checkpoint *ck, rx_drift_opts *out,
                      unsigned char **mask, rx_error *err) {
  const int circ = rxa_is_circular(a);
  rx_drift_opts o = rx_drift_opts_default(circ ? 1 : 2, circ);
  o.t_skip = a->cfg->score.t_skip;
  o.nx = a->cfg->score.bins;
  o.ny = circ ? 1 : a->cfg->score.bins;
  o.min_count = (size_t)a->cfg->score.min_count;
  *mask = NULL;
  if (!circ) {
    rx_arena ar;
    int rc = rxa_arena(&ck->cfg, &ar, err);
    if (rc) return rc;
    o.has_box = 1;
    o.lo[0] = ar.lo[0], o.hi[0] = ar.hi[0];
    o.lo[1] = ar.lo[1], o.hi[1] = ar.hi[1];
    int n_in;
    *mask = rxa_arena_mask(&ar, o.nx, o.ny, &n_in);
    if (n_in < 0) return rx_fail(err, RX_ENOMEM, "out of memory for %d bins", o.nx * o.ny);
    o.mask = *mask;
  }
  *out = o;
  return RX_OK;
}

static int score_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, void *state,
                     rx_error *err) {
  int *edges = state;
  probe_cond conds[2];
  const int n_cond = rxa_probe_conditions(a, r, conds);
  const probe_cache *c;
  int rc = rxa_probe_awake(a, r, &c, err);
  if (rc) return rc;
  cJSON *run = cJSON_AddObjectToObject(root, r->name);
  for (int ci = 0; ci < n_cond && !rc; ci++) {
    const rx_sim_result *s;
    rx_sim_result storage;
    int owned;
    rc = rxa_probe_run(a, r, &conds[ci], ci, START_ACTIVE, &s, &storage, &owned, err);
    if (rc) break;
    cJSON *obj = cJSON_AddObjectToObject(run, conds[ci].name);
    rxa_json_number(obj, "noise_variance", conds[ci].noise_variance);
    rx_drift_opts o;
    unsigned char *mask = NULL;
    if ((rc = probe_opts(a, &r->ck, &o, &mask, err))) {
      if (owned) rx_sim_result_free(&storage);
      break;
    }
    rx_drift_field f;
    rx_drift_score cmp;
    memset(&cmp, 0, sizeof cmp);
    double *score = NULL;
    rx_error why = {{0}};
    /* A comparison that cannot be made (a network without noise standing still fills no bin,
     * or moves nowhere) is a result, written with its reason, not a failure of the analysis. */
    int bad = rx_drift_field_compute(&f, s->decoded, s->T, s->B, s->dim, &o, &why);
    if (!bad)
      bad = rxa_score_compare(&f, c->kde, c->ckde, a->cfg->score.n_perm, (uint32_t)a->cfg->seed,
                              &score, &cmp, &why);
    if (bad == RX_ENOMEM) rc = rx_fail(err, RX_ENOMEM, "%s", why.msg);
    if (!bad) {
      rxa_score_json(obj, &f, &cmp);
      double *dens = bin_density(&f, c, mask);
      rxa_score_arrays(arrays, r->name, conds[ci].name, &f, score, &cmp, dens);
      free(dens);
      if (!*edges) rxa_score_edges(arrays, &f), *edges = 1;
      rxa_log(a, "score: %s (%s): cosine %.3f (centred %.3f), p %.3g, c %.3g, beta %.3g", r->name,
              conds[ci].name, cmp.cos_weighted, cmp.cos_centered_weighted, cmp.p_value, cmp.c,
              cmp.beta);
    } else if (!rc) {
      rxa_json_number(obj, "cosine", NAN);
      cJSON_AddBoolToObject(obj, "aligned", 0);
      cJSON_AddStringToObject(obj, "undefined", why.msg);
      rxa_log(a, "score: %s (%s): undefined: %s", r->name, conds[ci].name, why.msg);
    }
    free(score);
    free(mask);
    rx_drift_score_free(&cmp);
    rx_drift_field_free(&f);
    if (owned) rx_sim_result_free(&storage);
  }
  return rc;
}

static void score_settings(analysis_ctx *a, cJSON *set, npz_list *arrays, void *state) {
  (void)arrays, (void)state;
  const rx_analysis_config *cfg = a->cfg;
  cJSON_AddNumberToObject(set, "batch_size", cfg->mixing.batch_size);
  cJSON_AddNumberToObject(set, "t_total", cfg->mixing.t_total);
  cJSON_AddNumberToObject(set, "t_skip", cfg->score.t_skip);
  cJSON_AddNumberToObject(set, "bins", cfg->score.bins);
  cJSON_AddNumberToObject(set, "min_count", cfg->score.min_count);
  cJSON_AddNumberToObject(set, "n_perm", cfg->score.n_perm);
}

int rxa_score(analysis_ctx *a, rx_error *err) {
  int edges = 0; /* the bins' edges are written once, with the first field */
  return rxa_probe_each(a, RX_RESULTS_SCORE, score_settings, score_run, &edges, err);
}
