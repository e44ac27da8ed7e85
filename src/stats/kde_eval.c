/* Exact evaluation of a Gaussian KDE, parallel over evaluation points: each kernel is
 * exp(-|u - u_i|^2) in whitened space, 8 at a time (fast_exp.h), summed in float64 cell by cell;
 * cells too far to matter at 1e-12 relative are skipped, with a check that proves it per point. */
#include <math.h>
#include <stdlib.h>

#include "stats/fast_exp.h"
#include "stats/stats_internal.h"

/* The pruning bound: a cell whose bounding box lies at squared whitened distance D2 from the
 * point holds kernels each <= e^-D2. With m0 the smallest D2 over cells, the cells within
 * m0 + RX_KDE_NEAR are summed first (S_near); then those within the cut T, the smaller of
 * log(n / 1e-12 / S_near) and m0 + prune_cut (kde.c), never below m0 + RX_KDE_NEAR. The n_skip
 * kernels beyond T add at most n_skip e^-T; that is accepted only when n_skip e^-T <= 1e-12 S,
 * S the sum kept (it holds by construction unless T was capped); failing that, the sharper
 * bound sum_c count_c e^-D2_c is tried, and failing that too the skipped cells are evaluated.
 * So a pruned density is never below the exact one by more than a relative 1e-12 (and never
 * above it, up to round-off). Summation order depends on the point only. */
#define RX_KDE_PRUNE_REL 1e-12
#define RX_KDE_NEAR 12.0

/* Sum of the kernels of cell c at the whitened point z; d is a constant after inlining. */
static inline __attribute__((always_inline)) double cell_sum(const rx_density *q, int c,
                                                             const double *z, int d) {
  rxst_v8d zk[RXST_DENSITY_MAX_D];
  for (int k = 0; k < d; k++)
    zk[k] = RXST_V8D(z[k]);
  rxst_v8d acc = RXST_V8D(0.0);
  for (size_t j = q->start[c]; j < q->start[c + 1]; j += RXST_KDE_LANES) {
    rxst_v8d t = *(const rxst_v8d *)(q->u[0] + j) - zk[0];
    rxst_v8d arg = -(t * t);
    for (int k = 1; k < d; k++) {
      t = *(const rxst_v8d *)(q->u[k] + j) - zk[k];
      arg = RXST_V8_FMA(-t, t, arg);
    }
    rx_exp_v8d(&arg);
    acc += arg;
  }
  return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
}

/* Density at x (d,). dist2: scratch (n_cells,), or NULL to evaluate every kernel. */
static inline __attribute__((always_inline)) double eval_point(const rx_density *q, const double *x,
                                                               double *dist2, int d) {
  double z[RXST_DENSITY_MAX_D];
  int finite = 1;
  for (int k = 0; k < d; k++) {
    double s = 0;
    for (int l = 0; l <= k; l++)
      s += q->white[k][l] * (x[l] - q->mean[l]);
    z[k] = s;
    finite &= isfinite(s);
  }
  if (!finite) return NAN;
  const int n_cells = q->n_cells;
  double sum = 0;
  if (!dist2) {
    for (int c = 0; c < n_cells; c++)
      sum += cell_sum(q, c, z, d);
    return sum * q->norm;
  }
  double m0 = INFINITY;
  for (int c = 0; c < n_cells; c++) {
    const double s = rxst_cell_box_dist2(q, c, z, d);
    dist2[c] = s;
    m0 = s < m0 ? s : m0;
  }
  /* near cells first; their sum tells how far the rest must be to be negligible */
  const double near = m0 + RX_KDE_NEAR;
  for (int c = 0; c < n_cells; c++)
    if (dist2[c] <= near) sum += cell_sum(q, c, z, d);
  const double needed = log((double)q->n / RX_KDE_PRUNE_REL) + 0.01 - log(sum);
  double cut = m0 + q->prune_cut;
  cut = needed < cut ? needed : cut;
  cut = cut > near ? cut : near;
  size_t n_skip = 0;
  for (int c = 0; c < n_cells; c++) {
    if (dist2[c] <= near) continue;
    if (dist2[c] <= cut)
      sum += cell_sum(q, c, z, d);
    else
      n_skip += q->count[c];
  }
  if (n_skip && !((double)n_skip * exp(-cut) <= RX_KDE_PRUNE_REL * sum)) {
    double bound = 0;
    for (int c = 0; c < n_cells; c++)
      if (dist2[c] > cut) bound += (double)q->count[c] * exp(-dist2[c]);
    if (!(bound <= RX_KDE_PRUNE_REL * sum))
      for (int c = 0; c < n_cells; c++)
        if (dist2[c] > cut) sum += cell_sum(q, c, z, d);
  }
  return sum * q->norm;
}

static double eval_d1(const rx_density *q, const double *x, double *s) {
  return eval_point(q, x, s, 1);
}
static double eval_d2(const rx_density *q, const double *x, double *s) {
  return eval_point(q, x, s, 2);
}
static double eval_d3(const rx_density *q, const double *x, double *s) {
  return eval_point(q, x, s, 3);
}
static double eval_d4(const rx_density *q, const double *x, double *s) {
  return eval_point(q, x, s, 4);
}

void rxst_kde_eval(const rx_density *q, const double *pts, size_t m, int prune, double *out) {
  double (*const fns[RXST_DENSITY_MAX_D])(const rx_density *, const double *,
                                          double *) = {eval_d1, eval_d2, eval_d3, eval_d4};
  double (*const fn)(const rx_density *, const double *, double *) = fns[q->d - 1];
  const size_t d = (size_t)q->d;
#pragma omp parallel
  {
    /* without scratch (out of memory) every kernel is evaluated: slower, same answer */
    double *dist2 = prune ? malloc((size_t)q->n_cells * sizeof(double)) : NULL;
#pragma omp for schedule(dynamic, 4)
    for (size_t i = 0; i < m; i++)
      out[i] = fn(q, pts + i * d, dist2);
    free(dist2);
  }
}
