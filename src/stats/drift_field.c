/* The drift of trajectories binned by position (plane, line or circle): per bin the count, the
 * sample mean, the mean increment and the increments' variance. What the drift is compared with
 * is score_compare.c's; the densities whose score it is are elsewhere (kde_score.c,
 * circular_kde.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/score.h"
#include "reactivate/task.h" /* rx_wrap_angle */

enum { RX_DRIFT_MAX_BINS_PER_AXIS = 4096 };

rx_drift_opts rx_drift_opts_default(int dim, int circular) {
  rx_drift_opts o;
  memset(&o, 0, sizeof o);
  o.circular = circular;
  o.nx = circular ? 36 : 24;
  o.ny = dim == 2 ? 24 : 1;
  o.min_count = 50;
  return o;
}

void rx_drift_field_free(rx_drift_field *f) {
  if (!f) return;
  free(f->count);
  free(f->used);
  free(f->mean);
  free(f->drift);
  free(f->noise_var);
  memset(f, 0, sizeof *f);
}

/* Bin of value v along an axis of n bins over [lo, hi] (the last closed), or -1 outside. */
static int axis_bin(double v, double lo, double hi, int n) {
  if (!(v >= lo && v <= hi)) return -1;
  long i = (long)floor((v - lo) / (hi - lo) * n);
  return i < 0 ? 0 : i >= n ? n - 1 : (int)i;
}

int rx_drift_field_compute(rx_drift_field *f, const float *y, int T, int B, int dim,
                           const rx_drift_opts *opts, rx_error *err) {
  memset(f, 0, sizeof *f);
  const rx_drift_opts o = opts ? *opts : rx_drift_opts_default(dim, 0);
  /* the options and the shape */
  if (dim != 1 && dim != 2)
    return rx_fail(err, RX_EINVAL, "drift field: dim = %d, expected 1 (line or circle) or 2", dim);
  if (o.circular && dim != 1)
    return rx_fail(err, RX_EINVAL, "drift field: circular needs dim 1 (headings), got dim %d", dim);
  if (B < 1) return rx_fail(err, RX_EINVAL, "drift field: B = %d trajectories, need >= 1", B);
  if (o.t_skip < 0)
    return rx_fail(err, RX_EINVAL, "drift field: t_skip = %d is negative", o.t_skip);
  if (T - o.t_skip < 2)
    return rx_fail(err, RX_EINVAL,
                   "drift field: T = %d steps with t_skip = %d leaves no pair (y_t, y_t+1)", T,
                   o.t_skip);
  const int ny_want = dim == 2 ? o.ny : 1;
  if (o.nx < 1 || o.nx > RX_DRIFT_MAX_BINS_PER_AXIS || ny_want < 1 ||
      ny_want > RX_DRIFT_MAX_BINS_PER_AXIS)
    return rx_fail(err, RX_EINVAL, "drift field: %d x %d bins, each axis must be 1 to %d", o.nx,
                   ny_want, RX_DRIFT_MAX_BINS_PER_AXIS);
  if (o.min_count < 1) return rx_fail(err, RX_EINVAL, "drift field: min_count = 0, need >= 1");
  if (o.has_box && !o.circular)
    for (int k = 0; k < dim; k++)
      if (!isfinite(o.lo[k]) || !isfinite(o.hi[k]) || !(o.hi[k] > o.lo[k]))
        return rx_fail(err, RX_EINVAL, "drift field: box axis %d is [%g, %g], need lo < hi", k,
                       o.lo[k], o.hi[k]);
  if (!y) return rx_fail(err, RX_EINVAL, "drift field: no trajectories (NULL)");
  const size_t Bs = (size_t)B, ds = (size_t)dim;
  /* every sample read must be finite: y_t for t >= t_skip */
  for (int t = o.t_skip; t < T; t++)
    for (size_t b = 0; b < Bs; b++)
      for (size_t k = 0; k < ds; k++) {
        const float v = y[((size_t)t * Bs + b) * ds + k];
        if (!isfinite(v))
          return rx_fail(err, RX_ENUMERIC,
                         "drift field: sample t = %d, trajectory %zu, axis %zu is %g", t, b, k,
                         (double)v);
      }
  f->dim = dim;
  f->circular = o.circular;
  f->nx = o.nx;
  f->ny = dim == 2 ? o.ny : 1;
  f->n_bins = f->nx * f->ny;
  f->min_count = o.min_count;
  const int n_axes_binned = dim;
  const int bins_of[2] = {f->nx, f->ny};
  if (o.circular) {
    f->lo[0] = -M_PI;
    f->hi[0] = M_PI;
  } else if (o.has_box) {
    for (int k = 0; k < dim; k++) {
      f->lo[k] = o.lo[k];
      f->hi[k] = o.hi[k];
    }
  } else { /* the range of the samples y_t that are binned */
    for (int k = 0; k < dim; k++) {
      double lo = INFINITY, hi = -INFINITY;
      for (int t = o.t_skip; t + 1 < T; t++)
        for (size_t b = 0; b < Bs; b++) {
          const double v = y[((size_t)t * Bs + b) * ds + k];
          lo = v < lo ? v : lo;
          hi = v > hi ? v : hi;
        }
      if (!(hi > lo))
        return rx_fail(err, RX_EINVAL,
                       "drift field: axis %d of the samples spans [%g, %g], no width to bin", k, lo,
                       hi);
      f->lo[k] = lo;
      f->hi[k] = hi;
    }
  }
  const size_t nb = (size_t)f->n_bins;
  f->count = calloc(nb, sizeof *f->count);
  f->used = calloc(nb, sizeof *f->used);
  f->mean = calloc(nb * ds, sizeof *f->mean);
  f->drift = calloc(nb * ds, sizeof *f->drift);
  f->noise_var = calloc(nb, sizeof *f->noise_var);
  if (!f->count || !f->used || !f->mean || !f->drift || !f->noise_var) {
    rx_drift_field_free(f);
    return rx_fail(err, RX_ENOMEM, "drift field: out of memory for %zu bins", nb);
  }
  /* Welford's running mean and squared deviations, pair by pair in (t, b) order */
  for (int t = o.t_skip; t + 1 < T; t++)
    for (size_t b = 0; b < Bs; b++) {
      const float *y0 = y + ((size_t)t * Bs + b) * ds, *y1 = y0 + Bs * ds;
      double p[2] = {0, 0}, inc[2] = {0, 0};
      for (size_t k = 0; k < ds; k++) {
        p[k] = y0[k];
        inc[k] = (double)y1[k] - (double)y0[k];
      }
      if (o.circular) {
        p[0] = rx_wrap_angle(p[0]);
        inc[0] = rx_wrap_angle(inc[0]);
      }
      int bin = 0;
      for (int k = n_axes_binned - 1; k >= 0; k--) {
        const int i = axis_bin(p[k], f->lo[k], f->hi[k], bins_of[k]);
        if (i < 0) {
          bin = -1;
          break;
        }
        bin = bin * bins_of[k] + i;
      }
      if (bin < 0 || (o.mask && !o.mask[bin])) {
        f->n_outside++;
        continue;
      }
      f->n_samples++;
      const double n = (double)++f->count[bin];
      double *mean = f->mean + (size_t)bin * ds, *drift = f->drift + (size_t)bin * ds;
      for (size_t k = 0; k < ds; k++) {
        mean[k] += (p[k] - mean[k]) / n;
        const double dev = inc[k] - drift[k];
        drift[k] += dev / n;
        f->noise_var[bin] += dev * (inc[k] - drift[k]);
      }
    }
  size_t best = 0;
  for (size_t b = 0; b < nb; b++) {
    const size_t c = f->count[b];
    best = c > f->count[best] ? b : best;
    f->used[b] = c >= f->min_count;
    f->n_used += f->used[b];
    f->noise_var[b] = c >= 2 ? f->noise_var[b] / ((double)(c - 1) * dim) : NAN;
    if (c == 0)
      for (size_t k = 0; k < ds; k++)
        f->mean[b * ds + k] = f->drift[b * ds + k] = NAN;
  }
  if (f->n_samples == 0) {
    const size_t out = f->n_outside;
    rx_drift_field_free(f);
    return rx_fail(err, RX_EINVAL, "drift field: all %zu pairs lie outside the box", out);
  }
  if (f->n_used == 0) {
    const size_t c = f->count[best], n = f->n_samples, want = f->min_count;
    const int ix = (int)(best % (size_t)f->nx), iy = (int)(best / (size_t)f->nx);
    const int nx = f->nx, ny = f->ny;
    rx_drift_field_free(f);
    return rx_fail(err, RX_EINVAL,
                   "drift field: no bin of %d x %d holds min_count = %zu of the %zu pairs (the "
                   "fullest, (%d, %d), holds %zu); use fewer bins or more data",
                   nx, ny, want, n, ix, iy, c);
  }
  return 0;
}
