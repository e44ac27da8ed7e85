/* The exact score (gradient of the log density) of a Gaussian KDE, parallel over evaluation
 * points, on kde.c's grid of whitened cells: a softmax over the kernels (log-sum-exp, shifted by
 * the nearest kernel) so it stays finite where the density itself underflows. rx_density_score
 * (density.c) dispatches here; evaluating the density is kde_eval.c's. */
#include <math.h>
#include <stdlib.h>

#include "stats/fast_exp.h"
#include "stats/stats_internal.h"

/* The kernels of x_i at y are exp(-|z - u_i|^2) with z = W (y - mean), u_i = W (x_i - mean),
 * W = chol^-1 / sqrt(2), so H^-1 (y - x_i) = 2 W^T (z - u_i) and
 *   grad log p(y) = 2 W^T m,   m = sum_i w_i (u_i - z) / sum_i w_i,   w_i = exp(-|z - u_i|^2).
 * The weights are shifted by the exact smallest |z - u_i|^2 (dmin), so the largest is 1.
 *
 * Pruning: a cell whose bounding box lies at squared whitened distance D2 > 0.5 from z holds
 * points whose shifted weight is <= e^-(D2 - dmin) and whose weighted displacement
 * |w_i (u_i - z)| is <= sqrt(D2) e^-(D2 - dmin) (r e^-r^2 falls for r^2 > 1/2). Cells beyond
 * the cut T are skipped when the n_skip points there bound sqrt(T) n_skip e^-(T - dmin) <= 1e-12
 * S (S >= 1 the weight kept; T is chosen so that it holds by construction); failing that (it
 * cannot, short of round-off) the skipped cells are evaluated. Then m moves by less than
 * 1e-12 (1 + |m|): the score is exact to 1e-12 of the kernel's scale. Summation order depends
 * on the point only, so the result does not depend on the thread count. */
#define RX_SCORE_PRUNE_REL 1e-12

/* Smallest |z - u_i|^2 over the points of cell c (padding points give 1e300). */
static inline __attribute__((always_inline)) double cell_min(const rx_density *q, int c,
                                                             const double *z, int d) {
  rxst_v8d zk[RXST_DENSITY_MAX_D];
  for (int k = 0; k < d; k++)
    zk[k] = RXST_V8D(z[k]);
  rxst_v8d best = RXST_V8D(INFINITY);
  for (size_t j = q->start[c]; j < q->start[c + 1]; j += RXST_KDE_LANES) {
    rxst_v8d t = *(const rxst_v8d *)(q->u[0] + j) - zk[0];
    rxst_v8d arg = -(t * t);
    for (int k = 1; k < d; k++) {
      t = *(const rxst_v8d *)(q->u[k] + j) - zk[k];
      arg = RXST_V8_FMA(-t, t, arg);
    }
    const rxst_v8d r2 = -arg;
    const rx_v8l nearer = r2 < best; /* all-ones lanes where r2 is smaller */
    best = (rxst_v8d)(((rx_v8l)r2 & nearer) | ((rx_v8l)best & ~nearer));
  }
  double m = best[0];
  for (int l = 1; l < RXST_KDE_LANES; l++)
    m = best[l] < m ? best[l] : m;
  return m;
}

/* Adds cell c's shifted weights to acc[0] and weighted displacements u_i - z to acc[1..d]. The
 * argument is formed exactly as in cell_min, so arg + dmin <= 0 up to one rounding. */
static inline __attribute__((always_inline)) void
cell_moments(const rx_density *q, int c, const double *z, double dmin, int d, double *acc) {
  rxst_v8d zk[RXST_DENSITY_MAX_D], sum[RXST_DENSITY_MAX_D + 1];
  for (int k = 0; k < d; k++)
    zk[k] = RXST_V8D(z[k]);
  for (int k = 0; k <= d; k++)
    sum[k] = RXST_V8D(0.0);
  for (size_t j = q->start[c]; j < q->start[c + 1]; j += RXST_KDE_LANES) {
    rxst_v8d t[RXST_DENSITY_MAX_D];
    t[0] = *(const rxst_v8d *)(q->u[0] + j) - zk[0];
    rxst_v8d arg = -(t[0] * t[0]);
    for (int k = 1; k < d; k++) {
      t[k] = *(const rxst_v8d *)(q->u[k] + j) - zk[k];
      arg = RXST_V8_FMA(-t[k], t[k], arg);
    }
    arg += RXST_V8D(dmin);
    rx_exp_v8d(&arg); /* padding lanes: exactly 0, and 0 * 1e150 = 0 below */
    sum[0] += arg;
    for (int k = 0; k < d; k++)
      sum[k + 1] = RXST_V8_FMA(arg, t[k], sum[k + 1]);
  }
  for (int k = 0; k <= d; k++) {
    const rxst_v8d a = sum[k];
    acc[k] += ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
  }
}

/* Score at y (d,) into out (d,). dist2: scratch (n_cells,), or NULL to use every kernel. */
static inline __attribute__((always_inline)) void score_point(const rx_density *q, const double *y,
                                                              double *dist2, int d, double *out) {
  double z[RXST_DENSITY_MAX_D];
  int finite = 1;
  for (int k = 0; k < d; k++) {
    double s = 0;
    for (int l = 0; l <= k; l++)
      s += q->white[k][l] * (y[l] - q->mean[l]);
    z[k] = s;
    finite &= isfinite(s);
  }
  if (!finite) {
    for (int k = 0; k < d; k++)
      out[k] = NAN;
    return;
  }
  const int n_cells = q->n_cells;
  double acc[RXST_DENSITY_MAX_D + 1] = {0};
  double dmin = INFINITY;
  if (!dist2) {
    for (int c = 0; c < n_cells; c++) {
      double m = cell_min(q, c, z, d);
      dmin = m < dmin ? m : dmin;
    }
    for (int c = 0; c < n_cells; c++)
      cell_moments(q, c, z, dmin, d, acc);
  } else {
    int c0 = 0;
    for (int c = 0; c < n_cells; c++) {
      const double s = rxst_cell_box_dist2(q, c, z, d);
      dist2[c] = s;
      c0 = s < dist2[c0] ? c : c0;
    }
    /* the exact nearest kernel: only cells whose box is nearer than the best so far */
    dmin = cell_min(q, c0, z, d);
    for (int c = 0; c < n_cells; c++)
      if (c != c0 && dist2[c] < dmin) {
        double m = cell_min(q, c, z, d);
        dmin = m < dmin ? m : dmin;
      }
    /* T - dmin = log(n) + 12 ln 10 + 1 + log(sqrt(T0)) + 1 makes n sqrt(T) e^-(T - dmin) <=
     * 1e-12 e^-2 sqrt(T / T0) < 1e-12 (T / T0 < 1.2 as T0 >= 28) */
    double cut = dmin + log((double)q->n) + 12.0 * M_LN10 + 1.0;
    cut += 0.5 * log(cut > 1.0 ? cut : 1.0) + 1.0;
    size_t n_skip = 0;
    for (int c = 0; c < n_cells; c++) {
      if (dist2[c] <= cut)
        cell_moments(q, c, z, dmin, d, acc);
      else
        n_skip += q->count[c];
    }
    if (n_skip && !((double)n_skip * sqrt(cut) * exp(dmin - cut) <= RX_SCORE_PRUNE_REL * acc[0]))
      for (int c = 0; c < n_cells; c++)
        if (dist2[c] > cut) cell_moments(q, c, z, dmin, d, acc);
  }
  /* out = 2 W^T m, W lower triangular */
  for (int l = 0; l < d; l++) {
    double s = 0;
    for (int k = l; k < d; k++)
      s += q->white[k][l] * (acc[k + 1] / acc[0]);
    out[l] = 2.0 * s;
  }
}

static void score_d1(const rx_density *q, const double *y, double *s, double *out) {
  score_point(q, y, s, 1, out);
}
static void score_d2(const rx_density *q, const double *y, double *s, double *out) {
  score_point(q, y, s, 2, out);
}
static void score_d3(const rx_density *q, const double *y, double *s, double *out) {
  score_point(q, y, s, 3, out);
}
static void score_d4(const rx_density *q, const double *y, double *s, double *out) {
  score_point(q, y, s, 4, out);
}

void rxst_kde_score(const rx_density *q, const double *pts, size_t m, int prune, double *out) {
  void (*const fns[RXST_DENSITY_MAX_D])(const rx_density *, const double *, double *,
                                        double *) = {score_d1, score_d2, score_d3, score_d4};
  void (*const fn)(const rx_density *, const double *, double *, double *) = fns[q->d - 1];
  const size_t d = (size_t)q->d;
#pragma omp parallel
  {
    /* without scratch (out of memory) every kernel is used: slower, same answer to 1e-12 */
    double *dist2 = prune ? malloc((size_t)q->n_cells * sizeof(double)) : NULL;
#pragma omp for schedule(dynamic, 4)
    for (size_t i = 0; i < m; i++)
      fn(q, pts + i * d, dist2, out + i * d);
    free(dist2);
  }
}
