/* Noise temperature (docs/probes.md §3): the exponent beta for which p^beta / Z_beta, p a density
 * known on a grid, is closest in KL to a sample q. Everything is done with log p shifted by its
 * maximum, so neither p^beta nor Z_beta overflows or underflows for beta up to 50. The grid and
 * the densities are the caller's (a KDE evaluated on it, analysis.h). */
#include <math.h>
#include <stdlib.h>

#include "reactivate/sampling.h"

/* Under the tilted weights w_i = exp(b d_i), d_i = log p_i - max log p (terms with p_i = 0 weigh
 * nothing): the mean and variance of d, and log sum_i w_i. Summed in grid order. */
typedef struct tilt {
  double mean, var, lse;
} tilt;

static tilt tilted(const double *d, size_t n, double b) {
  double sw = 0, swd = 0;
  for (size_t i = 0; i < n; i++) {
    if (d[i] == -INFINITY) continue;
    const double w = exp(b * d[i]);
    sw += w;
    swd += w * d[i];
  }
  const double mean = swd / sw; /* sw >= 1: the maximum has d = 0 */
  double sv = 0;
  for (size_t i = 0; i < n; i++) {
    if (d[i] == -INFINITY) continue;
    const double e = d[i] - mean;
    sv += exp(b * d[i]) * e * e;
  }
  return (tilt){mean, sv / sw, log(sw)};
}

static int check_grid(const double *log_p, size_t n, double cell, double m, double *lmax,
                      rx_error *err) {
  if (n < 2) return rx_fail(err, RX_EINVAL, "tempering fit: %zu grid point(s), need >= 2", n);
  if (!(cell > 0) || !isfinite(cell))
    return rx_fail(err, RX_EINVAL, "tempering fit: cell measure %g, must be finite and > 0", cell);
  if (!isfinite(m))
    return rx_fail(err, RX_ENUMERIC,
                   "tempering fit: mean log p at the samples is %g, must be finite (p = 0 at a "
                   "sample?)",
                   m);
  double hi = -INFINITY, lo = INFINITY;
  for (size_t i = 0; i < n; i++) {
    const double l = log_p[i];
    if (isnan(l) || l == INFINITY)
      return rx_fail(err, RX_ENUMERIC,
                     "tempering fit: log p at grid point %zu is %g; must be finite or -inf", i, l);
    if (l == -INFINITY) continue;
    hi = l > hi ? l : hi;
    lo = l < lo ? l : lo;
  }
  if (!(hi > lo))
    return rx_fail(err, RX_EINVAL,
                   "tempering fit: log p is constant (%g) where p > 0 on the grid; beta is not "
                   "identifiable",
                   hi);
  *lmax = hi;
  return RX_OK;
}

int rx_tempering_fit(const double *log_p_grid, size_t n_grid, double cell, double mean_log_p_q,
                     double *beta, double *log_z, int *at_bound, rx_error *err) {
  if (!log_p_grid || !beta || !log_z)
    return rx_fail(err, RX_EINVAL, "tempering fit: NULL argument");
  double lmax = 0;
  int rc = check_grid(log_p_grid, n_grid, cell, mean_log_p_q, &lmax, err);
  if (rc) return rc;
  double *d = malloc(n_grid * sizeof(double));
  if (!d)
    return rx_fail(err, RX_ENOMEM, "tempering fit: out of memory for %zu grid points", n_grid);
  for (size_t i = 0; i < n_grid; i++)
    d[i] = log_p_grid[i] - lmax; /* -inf stays -inf */
  /* f(b) = -b m + log Z_b is convex, f'(b) = E_b[log p] - m increasing (f'' = Var_b[log p]):
   * the minimum is the root of g(b) = E_b[d] - (m - lmax), or a bound when g keeps its sign. */
  const double target = mean_log_p_q - lmax;
  double lo = RX_TEMPERING_BETA_MIN, hi = RX_TEMPERING_BETA_MAX, b;
  int bound = 0;
  if (tilted(d, n_grid, lo).mean - target >= 0) {
    b = lo;
    bound = -1;
  } else if (tilted(d, n_grid, hi).mean - target <= 0) {
    b = hi;
    bound = 1;
  } else {
    b = 1.0; /* beta = 1: q is p itself; lo < 1 < hi */
    for (int it = 0; it < 200; it++) {
      const tilt s = tilted(d, n_grid, b);
      const double g = s.mean - target;
      if (g == 0) break;
      if (g < 0)
        lo = b;
      else
        hi = b;
      double nb = b - g / s.var; /* Newton, kept inside the bracket; else bisect in log b */
      if (!(s.var > 0) || !(nb > lo && nb < hi)) nb = sqrt(lo * hi);
      const double step = fabs(nb - b);
      b = nb;
      if (step <= 1e-14 * b || hi - lo <= 1e-14 * hi) break;
    }
  }
  *beta = b;
  *log_z = b * lmax + tilted(d, n_grid, b).lse + log(cell);
  if (at_bound) *at_bound = bound;
  free(d);
  return RX_OK;
}
