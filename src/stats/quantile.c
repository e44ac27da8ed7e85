/* Percentiles by numpy's default rule (method "linear", numpy >= 1.22 arithmetic), so a
 * percentile reported here is the one numpy.percentile gives on the same values. */
#include <math.h>
#include <stdlib.h>

#include "reactivate/sampling.h"

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* numpy's _lerp: a + t (b - a), computed from the nearer end so that t = 1 gives b exactly. */
static double lerp(double a, double b, double t) {
  const double d = b - a;
  return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

int rx_percentile(double *v, size_t n, double p, double *out, rx_error *err) {
  if (!v || !out) return rx_fail(err, RX_EINVAL, "percentile: NULL argument");
  if (n == 0) return rx_fail(err, RX_EINVAL, "percentile: no values");
  if (!(p >= 0 && p <= 100))
    return rx_fail(err, RX_EINVAL, "percentile: p = %g, must be in [0, 100]", p);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i]))
      return rx_fail(err, RX_ENUMERIC, "percentile: value [%zu] is %g; values must be finite", i,
                     v[i]);
  qsort(v, n, sizeof(double), cmp_double);
  const double h = (double)(n - 1) * (p / 100.0);
  const double lo = floor(h);
  const size_t i = (size_t)lo;
  *out = i + 1 >= n ? v[n - 1] : lerp(v[i], v[i + 1], h - lo);
  return RX_OK;
}

double rx_median_finite(double *v, size_t n) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) v[m++] = v[i];
  double med = NAN;
  if (m && rx_percentile(v, m, 50.0, &med, NULL)) med = NAN;
  return med;
}
