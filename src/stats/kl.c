/* Monte-Carlo KL divergences between densities (docs/science.md §6): samples from each source, the
 * source's own density at them computed once, every target evaluated on all sources' samples at
 * once; means summed serially in sample order, so the matrix does not depend on the thread count.
 */
#include <math.h>
#include <stdlib.h>

#include "stats/stats_internal.h"

double rxst_kl_log_ratio(double q, double a) {
  const double lo = 1e-7, hi = 1e7;
  if (!(q > 0)) return log(lo); /* impossible at a source's own samples; guarded */
  if (!(a > 0)) return log(hi);
  double r = q / a; /* may overflow to +inf: clipped */
  return log(r < lo ? lo : r > hi ? hi : r);
}

int rx_kl_matrix(const rx_density *const *q, int n_q, const rx_density *const *a, int n_a,
                 size_t n_samples, uint32_t seed, uint32_t stream, double *out, rx_error *err) {
  if (n_q < 1 || n_a < 1 || !q || !a)
    return rx_fail(err, RX_EINVAL,
                   "KL matrix: needs at least one source and one target (got %d, %d)", n_q, n_a);
  if (n_samples < 1) return rx_fail(err, RX_EINVAL, "KL matrix: n_samples must be at least 1");
  for (int i = 0; i < n_q; i++)
    if (!q[i]) return rx_fail(err, RX_EINVAL, "KL matrix: source %d is NULL", i);
  for (int j = 0; j < n_a; j++)
    if (!a[j]) return rx_fail(err, RX_EINVAL, "KL matrix: target %d is NULL", j);
  const int d = q[0]->d;
  for (int i = 0; i < n_q; i++)
    if (q[i]->d != d)
      return rx_fail(err, RX_EINVAL, "KL matrix: source %d has dimension %d, source 0 has %d", i,
                     q[i]->d, d);
  for (int j = 0; j < n_a; j++)
    if (a[j]->d != d)
      return rx_fail(err, RX_EINVAL, "KL matrix: target %d has dimension %d, the sources have %d",
                     j, a[j]->d, d);
  const size_t m = (size_t)n_q * n_samples;
  double *x = malloc(m * d * sizeof(double)), *qx = malloc(m * sizeof(double));
  double *ax = malloc(m * sizeof(double));
  if (!x || !qx || !ax) {
    free(x);
    free(qx);
    free(ax);
    return rx_fail(err, RX_ENOMEM, "KL matrix: out of memory for %zu samples", m);
  }
  for (int i = 0; i < n_q; i++) {
    double *xi = x + (size_t)i * n_samples * d;
    rx_density_sample(q[i], n_samples, seed, stream + (uint32_t)i, xi);
    rx_density_eval(q[i], xi, n_samples, qx + (size_t)i * n_samples);
  }
  for (int j = 0; j < n_a; j++) {
    rx_density_eval(a[j], x, m, ax);
    for (int i = 0; i < n_q; i++) {
      const double *qi = qx + (size_t)i * n_samples, *ai = ax + (size_t)i * n_samples;
      double sum = 0;
      for (size_t s = 0; s < n_samples; s++)
        sum += rxst_kl_log_ratio(qi[s], ai[s]);
      out[(size_t)i * n_a + j] = sum / (double)n_samples;
    }
  }
  free(x);
  free(qx);
  free(ax);
  return 0;
}

int rx_kl_discrete(const double *q, const double *a, int n, double *out, rx_error *err) {
  if (n < 1 || !q || !a || !out)
    return rx_fail(err, RX_EINVAL, "discrete KL: needs at least one bin (got %d)", n);
  double sq = 0, sa = 0;
  for (int i = 0; i < n; i++) {
    if (!(q[i] >= 0) || !(a[i] >= 0) || !isfinite(q[i]) || !isfinite(a[i]))
      return rx_fail(err, RX_EINVAL,
                     "discrete KL: bin %d holds %g (quiescent) and %g (target); shares must be "
                     "finite and non-negative",
                     i, q[i], a[i]);
    sq += q[i];
    sa += a[i];
  }
  if (!(sq > 0) || !(sa > 0))
    return rx_fail(err, RX_EINVAL, "discrete KL: a histogram is empty (sums %g and %g)", sq, sa);
  double kl = 0;
  for (int i = 0; i < n; i++)
    if (q[i] > 0) kl += q[i] / sq * rxst_kl_log_ratio(q[i] / sq, a[i] / sa);
  *out = kl;
  return 0;
}
