/* Drift versus score: per-bin cosines between a binned drift (drift_field.c) and a score given
 * at the bins' sample means, their count-weighted means with and without the mean drift, the
 * regression d ~ c s, and a permutation null. The score itself is computed elsewhere
 * (rx_density_score, rx_circular_kde_score). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/rng.h"
#include "reactivate/score.h"

void rx_drift_score_free(rx_drift_score *r) {
  if (!r) return;
  free(r->cosine);
  free(r->cosine_centered);
  memset(r, 0, sizeof *r);
}

/* cos(a - off, s) in dim dims (off may be NULL); 0 when either vector is zero. */
static double cosine(const double *a, const double *off, const double *s, int dim) {
  double ab = 0, aa = 0, ss = 0;
  for (int k = 0; k < dim; k++) {
    const double v = a[k] - (off ? off[k] : 0.0);
    ab += v * s[k];
    aa += v * v;
    ss += s[k] * s[k];
  }
  return aa > 0 && ss > 0 ? ab / (sqrt(aa) * sqrt(ss)) : 0.0;
}

int rx_drift_score_compare(const rx_drift_field *f, const double *score, int n_perm, uint32_t seed,
                           uint32_t stream, rx_drift_score *out, rx_error *err) {
  memset(out, 0, sizeof *out);
  if (!f || !f->count || f->n_bins < 1)
    return rx_fail(err, RX_EINVAL, "drift vs score: the drift field is empty");
  if (f->dim != 1 && f->dim != 2)
    return rx_fail(err, RX_EINVAL, "drift vs score: the drift field has dim %d, expected 1 or 2",
                   f->dim);
  if (!f->used || !f->drift || !f->noise_var || f->nx < 1 || f->n_bins != f->nx * f->ny)
    return rx_fail(err, RX_EINVAL,
                   "drift vs score: the drift field's arrays or %d x %d bins are "
                   "inconsistent (n_bins %d)",
                   f->nx, f->ny, f->n_bins);
  if (!score) return rx_fail(err, RX_EINVAL, "drift vs score: no score (NULL)");
  if (n_perm < 0 || n_perm > 10000000)
    return rx_fail(err, RX_EINVAL, "drift vs score: n_perm = %d, expected 0 to 10000000", n_perm);
  const int dim = f->dim, nb = f->n_bins;
  /* the used bins, in bin order */
  int nu = 0;
  for (int b = 0; b < nb; b++)
    nu += f->used[b] != 0;
  if (nu == 0)
    return rx_fail(err, RX_EINVAL,
                   "drift vs score: no bin holds min_count = %zu samples; nothing to compare",
                   f->min_count);
  int *idx = malloc((size_t)nu * sizeof *idx);
  int *perm = malloc((size_t)nu * sizeof *perm);
  out->cosine = malloc((size_t)nb * sizeof(double));
  out->cosine_centered = malloc((size_t)nb * sizeof(double));
  if (!idx || !perm || !out->cosine || !out->cosine_centered) {
    free(idx);
    free(perm);
    rx_drift_score_free(out);
    return rx_fail(err, RX_ENOMEM, "drift vs score: out of memory for %d bins", nb);
  }
  nu = 0;
  for (int b = 0; b < nb; b++)
    if (f->used[b]) idx[nu++] = b;
  for (int j = 0; j < nu; j++)
    for (int k = 0; k < dim; k++) {
      const int b = idx[j];
      const double s = score[(size_t)b * dim + k];
      if (!isfinite(s)) {
        const int ix = b % f->nx, iy = b / f->nx;
        free(idx);
        free(perm);
        rx_drift_score_free(out);
        return rx_fail(err, RX_ENUMERIC,
                       "drift vs score: the score at bin (%d, %d), axis %d, is %g (the bin's "
                       "mean is outside the density's support?)",
                       ix, iy, k, s);
      }
    }
  out->n_bins = nb;
  out->dim = dim;
  out->n_used = nu;

  /* count-weighted means over the used bins */
  double wsum = 0, dbar[2] = {0, 0}, noise = 0, wnoise = 0;
  for (int j = 0; j < nu; j++) {
    const int b = idx[j];
    const double w = (double)f->count[b];
    wsum += w;
    if (f->count[b] >= 2) { /* a variance needs two increments */
      noise += w * f->noise_var[b];
      wnoise += w;
    }
    for (int k = 0; k < dim; k++)
      dbar[k] += w * f->drift[(size_t)b * dim + k];
  }
  for (int k = 0; k < dim; k++)
    out->mean_drift[k] = dbar[k] /= wsum;
  out->noise_var = wnoise > 0 ? noise / wnoise : NAN;

  double cw = 0, ccw = 0, ds = 0, ss = 0, dd = 0;
  for (int b = 0; b < nb; b++)
    out->cosine[b] = out->cosine_centered[b] = NAN;
  for (int j = 0; j < nu; j++) {
    const int b = idx[j];
    const double w = (double)f->count[b];
    const double *d = f->drift + (size_t)b * dim, *s = score + (size_t)b * dim;
    out->cosine[b] = cosine(d, NULL, s, dim);
    out->cosine_centered[b] = cosine(d, dbar, s, dim);
    cw += w * out->cosine[b];
    ccw += w * out->cosine_centered[b];
    for (int k = 0; k < dim; k++) {
      ds += w * d[k] * s[k];
      ss += w * s[k] * s[k];
      dd += w * d[k] * d[k];
    }
  }
  out->cos_weighted = cw / wsum;
  out->cos_centered_weighted = ccw / wsum;
  out->c = ss > 0 ? ds / ss : NAN;
  /* SSR = dd - 2 c ds + c^2 ss = dd - ds^2 / ss at the least-squares c */
  out->r2 = ss > 0 && dd > 0 ? 1.0 - (dd - out->c * ds) / dd : NAN;
  out->beta = out->noise_var > 0 ? 2.0 * out->c / out->noise_var : NAN;

  /* permutation null: drift vector j (with its weight) moves to bin perm[j]; the weighted mean
   * drift is unchanged by a permutation, so the centred statistic keeps the same dbar */
  out->n_perm = n_perm;
  if (n_perm == 0) {
    out->p_value = out->p_value_centered = out->null_mean = out->null_sd = NAN;
  } else {
    long ge = 0, ge_c = 0;
    double mean = 0, m2 = 0; /* Welford over the null's weighted cosines */
    for (int p = 0; p < n_perm; p++) {
      rx_rng rng;
      rx_rng_init(&rng, seed, stream, (uint32_t)p, 0, 0);
      for (int j = 0; j < nu; j++)
        perm[j] = j;
      for (int j = nu - 1; j > 0; j--) { /* Fisher-Yates */
        int r = (int)(rx_rng_uniform(&rng) * (j + 1));
        r = r > j ? j : r;
        const int t = perm[j];
        perm[j] = perm[r];
        perm[r] = t;
      }
      double c0 = 0, c1 = 0;
      for (int j = 0; j < nu; j++) {
        const int from = idx[perm[j]], to = idx[j];
        const double w = (double)f->count[from];
        const double *d = f->drift + (size_t)from * dim, *s = score + (size_t)to * dim;
        c0 += w * cosine(d, NULL, s, dim);
        c1 += w * cosine(d, dbar, s, dim);
      }
      c0 /= wsum;
      c1 /= wsum;
      ge += c0 >= out->cos_weighted;
      ge_c += c1 >= out->cos_centered_weighted;
      const double dev = c0 - mean;
      mean += dev / (p + 1);
      m2 += dev * (c0 - mean);
    }
    out->p_value = (1.0 + (double)ge) / (1.0 + n_perm);
    out->p_value_centered = (1.0 + (double)ge_c) / (1.0 + n_perm);
    out->null_mean = mean;
    out->null_sd = n_perm > 1 ? sqrt(m2 / (n_perm - 1)) : 0.0;
  }
  free(idx);
  free(perm);
  return 0;
}
