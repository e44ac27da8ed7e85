/* The rx_density interface: the uniform densities over a box or a region in one, and evaluation
 * / score / sampling dispatched to the KDE (kde.c builds and samples it, kde_eval.c evaluates it,
 * kde_score.c its score). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/rng.h"
#include "stats/stats_internal.h"

int rx_density_uniform_box(rx_density **out, int d, const double *lo, const double *hi,
                           rx_error *err) {
  *out = NULL;
  if (d < 1 || d > RXST_DENSITY_MAX_D)
    return rx_fail(err, RX_EINVAL, "uniform box: dimension %d not supported (1 to %d)", d,
                   RXST_DENSITY_MAX_D);
  double volume = 1.0;
  for (int k = 0; k < d; k++) {
    if (!isfinite(lo[k]) || !isfinite(hi[k]))
      return rx_fail(err, RX_ENUMERIC, "uniform box: bounds of axis %d are not finite", k);
    if (!(hi[k] > lo[k]))
      return rx_fail(err, RX_EINVAL, "uniform box: hi = %g must exceed lo = %g on axis %d", hi[k],
                     lo[k], k);
    volume *= hi[k] - lo[k];
  }
  if (!(volume > 0) || !isfinite(volume))
    return rx_fail(err, RX_EINVAL, "uniform box: volume %g is not a positive finite number",
                   volume);
  rx_density *q = calloc(1, sizeof *q);
  if (!q) return rx_fail(err, RX_ENOMEM, "uniform box: out of memory");
  q->kind = RXST_DENSITY_BOX;
  q->d = d;
  for (int k = 0; k < d; k++) {
    q->lo[k] = lo[k];
    q->hi[k] = hi[k];
  }
  q->inv_volume = 1.0 / volume;
  *out = q;
  return 0;
}

int rx_density_uniform_region(rx_density **out, int d, const double *lo, const double *hi,
                              double volume, rx_region_fn inside, const void *ctx, size_t ctx_size,
                              rx_error *err) {
  *out = NULL;
  if (!inside || !ctx || !ctx_size)
    return rx_fail(err, RX_EINVAL, "uniform region: no region given (inside or its context NULL)");
  rx_density *q;
  int rc = rx_density_uniform_box(&q, d, lo, hi, err);
  if (rc) return rc;
  const double box = 1.0 / q->inv_volume;
  if (!(volume > 0) || !isfinite(volume) || volume > box * (1 + 1e-12)) {
    rx_density_free(q);
    return rx_fail(err, RX_EINVAL,
                   "uniform region: volume %g must be > 0 and at most its box's, %g", volume, box);
  }
  if (!(q->region = malloc(ctx_size))) {
    rx_density_free(q);
    return rx_fail(err, RX_ENOMEM, "uniform region: out of memory");
  }
  memcpy(q->region, ctx, ctx_size);
  q->kind = RXST_DENSITY_REGION;
  q->inside = inside;
  q->inv_volume = 1.0 / volume;
  *out = q;
  return 0;
}

void rx_density_free(rx_density *q) {
  if (!q) return;
  free(q->region);
  free(q->x);
  free(q->start);
  free(q->count);
  for (int k = 0; k < RXST_DENSITY_MAX_D; k++)
    free(q->u[k]);
  free(q->box_lo);
  free(q->box_hi);
  free(q);
}

int rx_density_dim(const rx_density *q) { return q->d; }

/* Whether x (d,) lies in the uniform box q, edges included (NaN lies outside), and in its
 * region if it has one. */
static int in_box(const rx_density *q, const double *x) {
  int inside = 1;
  for (int k = 0; k < q->d; k++)
    inside &= x[k] >= q->lo[k] && x[k] <= q->hi[k];
  return inside && (q->kind != RXST_DENSITY_REGION || q->inside(q->region, x));
}

void rx_density_eval(const rx_density *q, const double *pts, size_t m, double *out) {
  if (q->kind == RXST_DENSITY_KDE) {
    rxst_kde_eval(q, pts, m, 1, out);
    return;
  }
  for (size_t i = 0; i < m; i++)
    out[i] = in_box(q, pts + i * (size_t)q->d) ? q->inv_volume : 0.0;
}

int rx_density_grid(const rx_density *q, const double *lo, const double *hi, int nx, int ny,
                    const unsigned char *inside, double *z, double *mass, rx_error *err) {
  if (!q || !lo || !hi || !z) return rx_fail(err, RX_EINVAL, "density grid: NULL argument");
  if (q->d != 2) return rx_fail(err, RX_EINVAL, "density grid: a %d-D density, expected 2", q->d);
  if (nx < 1 || ny < 1)
    return rx_fail(err, RX_EINVAL, "density grid: %d x %d cells, each must be >= 1", nx, ny);
  for (int k = 0; k < 2; k++)
    if (!isfinite(lo[k]) || !isfinite(hi[k]) || !(hi[k] > lo[k]))
      return rx_fail(err, RX_EINVAL, "density grid: axis %d spans [%g, %g], need lo < hi", k, lo[k],
                     hi[k]);
  const size_t m = (size_t)nx * ny;
  double *pts = malloc(m * 2 * sizeof *pts);
  if (!pts) return rx_fail(err, RX_ENOMEM, "density grid: out of memory for %zu cells", m);
  const double wx = (hi[0] - lo[0]) / nx, wy = (hi[1] - lo[1]) / ny;
  for (int iy = 0; iy < ny; iy++)
    for (int ix = 0; ix < nx; ix++) {
      const size_t i = (size_t)iy * nx + ix;
      pts[2 * i] = lo[0] + (ix + 0.5) * (hi[0] - lo[0]) / nx;
      pts[2 * i + 1] = lo[1] + (iy + 0.5) * (hi[1] - lo[1]) / ny;
    }
  rx_density_eval(q, pts, m, z);
  free(pts);
  if (!inside) {
    if (mass) *mass = 1;
    return RX_OK;
  }
  double s = 0;
  size_t n_in = 0;
  for (size_t i = 0; i < m; i++)
    if (inside[i]) s += z[i], n_in++;
  if (!n_in) return rx_fail(err, RX_EINVAL, "density grid: none of the %zu cells is inside", m);
  s *= wx * wy;
  if (!(s > 0) || !isfinite(s))
    return rx_fail(err, RX_ENUMERIC, "density grid: the density's mass inside is %g", s);
  for (size_t i = 0; i < m; i++)
    z[i] = inside[i] ? z[i] / s : NAN;
  if (mass) *mass = s;
  return RX_OK;
}

/* The box's log density is flat inside and -inf outside: score 0 inside (edges included),
 * NaN outside and at non-finite points. */
void rx_density_score(const rx_density *q, const double *pts, size_t m, double *out) {
  if (q->kind == RXST_DENSITY_KDE) {
    rxst_kde_score(q, pts, m, 1, out);
    return;
  }
  const int d = q->d;
  for (size_t i = 0; i < m; i++) {
    const int inside = in_box(q, pts + i * (size_t)d);
    for (int k = 0; k < d; k++)
      out[i * (size_t)d + k] = inside ? 0.0 : NAN;
  }
}

/* Sample i of either kind draws only from rx_rng(seed, stream; i, 0, 0). */
void rx_density_sample(const rx_density *q, size_t m, uint32_t seed, uint32_t stream, double *out) {
  const int d = q->d;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < m; i++) {
    rx_rng rng;
    rx_rng_init(&rng, seed, stream, (uint32_t)i, 0, 0);
    double *y = out + i * (size_t)d;
    if (q->kind != RXST_DENSITY_KDE) { /* the box; a region: until a point is in it */
      do {
        for (int k = 0; k < d; k++)
          y[k] = q->lo[k] + (q->hi[k] - q->lo[k]) * rx_rng_uniform(&rng);
      } while (q->kind == RXST_DENSITY_REGION && !in_box(q, y));
      continue;
    }
    /* scipy's resample: a data point chosen uniformly plus a N(0, K) draw */
    size_t j = (size_t)(rx_rng_uniform(&rng) * (double)q->n);
    if (j >= q->n) j = q->n - 1;
    double z[RXST_DENSITY_MAX_D];
    for (int k = 0; k < d; k++)
      z[k] = rx_rng_normal(&rng);
    for (int k = 0; k < d; k++) {
      double s = q->x[j * (size_t)d + k];
      for (int l = 0; l <= k; l++)
        s += q->chol[k][l] * z[l];
      y[k] = s;
    }
  }
}
