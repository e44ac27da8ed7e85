/* Power laws fitted in log-log space: the least-squares line through (log x, log y), the MSD's
 * diffusion exponent over a range of lags and its classification (docs/probes.md §1, §3). The
 * MSD itself is computed in displacement.c. */
#include <math.h>
#include <stdlib.h>

#include "reactivate/sampling.h"

int rx_loglog_fit(const double *x, const double *y, size_t n, double *slope, double *intercept,
                  double *r2, rx_error *err) {
  if (!x || !y || !slope) return rx_fail(err, RX_EINVAL, "log-log fit: NULL argument");
  if (n < 2) return rx_fail(err, RX_EINVAL, "log-log fit: %zu point(s), need at least 2", n);
  for (size_t i = 0; i < n; i++) {
    if (!(x[i] > 0) || !isfinite(x[i]))
      return rx_fail(err, RX_ENUMERIC, "log-log fit: x[%zu] = %g, must be finite and > 0", i, x[i]);
    if (!(y[i] > 0) || !isfinite(y[i]))
      return rx_fail(err, RX_ENUMERIC, "log-log fit: y[%zu] = %g, must be finite and > 0", i, y[i]);
  }
  /* two passes about the means (stable for x spanning decades) */
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; i++) {
    mx += log(x[i]);
    my += log(y[i]);
  }
  mx /= (double)n;
  my /= (double)n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    const double dx = log(x[i]) - mx, dy = log(y[i]) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0))
    return rx_fail(err, RX_EINVAL, "log-log fit: every x equals %g; the slope is undefined", x[0]);
  const double b = sxy / sxx, a = my - b * mx;
  double ss_res = 0;
  for (size_t i = 0; i < n; i++) {
    const double e = log(y[i]) - a - b * log(x[i]);
    ss_res += e * e;
  }
  *slope = b;
  if (intercept) *intercept = a;
  if (r2) *r2 = syy > 0 ? 1.0 - ss_res / syy : 1.0;
  return RX_OK;
}

int rx_msd_exponent(const double *msd, int tau_max, int tau_lo, int tau_hi, double *alpha,
                    double *r2, rx_error *err) {
  if (!msd || !alpha) return rx_fail(err, RX_EINVAL, "MSD exponent: NULL argument");
  if (tau_lo < 1 || tau_hi <= tau_lo || tau_hi > tau_max)
    return rx_fail(err, RX_EINVAL,
                   "MSD exponent: lags %d..%d, need 1 <= tau_lo < tau_hi <= tau_max = %d", tau_lo,
                   tau_hi, tau_max);
  const int n = tau_hi - tau_lo + 1;
  for (int i = 0; i < n; i++) {
    const double m = msd[tau_lo + i - 1];
    if (!(m > 0) || !isfinite(m))
      return rx_fail(err, RX_ENUMERIC,
                     "MSD exponent: MSD(tau = %d) = %g, must be finite and > 0 (do the "
                     "trajectories move?)",
                     tau_lo + i, m);
  }
  double *tau = malloc((size_t)n * sizeof(double));
  if (!tau) return rx_fail(err, RX_ENOMEM, "MSD exponent: out of memory for %d lags", n);
  for (int i = 0; i < n; i++)
    tau[i] = tau_lo + i;
  const int rc = rx_loglog_fit(tau, msd + tau_lo - 1, (size_t)n, alpha, NULL, r2, err);
  free(tau);
  return rc;
}

rx_diffusion_class rx_diffusion_classify(double alpha) {
  if (isnan(alpha)) return RX_DIFFUSION_UNDEFINED;
  if (alpha < RX_MSD_SUBDIFFUSIVE_BELOW) return RX_SUBDIFFUSIVE;
  if (alpha > RX_MSD_SUPERDIFFUSIVE_ABOVE) return RX_SUPERDIFFUSIVE;
  return RX_DIFFUSIVE;
}

const char *rx_diffusion_class_name(rx_diffusion_class c) {
  switch (c) {
  case RX_SUBDIFFUSIVE:
    return "sub-diffusive";
  case RX_DIFFUSIVE:
    return "diffusive";
  case RX_SUPERDIFFUSIVE:
    return "super-diffusive";
  default:
    return "undefined";
  }
}
