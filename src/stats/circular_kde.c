/* A KDE on the circle with von Mises kernels, Scott's rule carried over to the circle, and its
 * exact score; the Bessel functions that normalise and match the kernel. Binning drift and
 * comparing it with the score is drift_field.c's and score_compare.c's.
 *
 * Why von Mises and not a wrapped Gaussian: both are smooth, periodic and close for the
 * bandwidths met here, but the von Mises kernel has a closed form (no sum over images whose
 * count grows with the bandwidth), its log is a cosine, so the score and a log-sum-exp shift
 * are exact, and exp(kappa cos(a - x)) = e^kappa exp(-kappa |e(a) - e(x)|^2 / 2), e() the unit
 * vector: a Gaussian kernel on the unit circle seen in the plane. Its concentration is matched
 * to the wrapped Gaussian of Scott's bandwidth by the first trigonometric moment (the circle's
 * analogue of matching the variance; rx_circular_kde in score.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/score.h"
#include "stats/score_internal.h"

struct rx_circular_kde {
  size_t n;
  double kappa, bandwidth;
  double norm;   /* 1 / (2 pi n e^-kappa I0(kappa)): the kernels below are e^kappa-scaled */
  double *c, *s; /* (n,) cos and sin of the data */
};

/* Below this argument the power series, above it the asymptotic expansion (whose smallest term
 * there is ~e^-2x < 1e-17). */
#define RX_BESSEL_SERIES_MAX 20.0

/* e^-x I0(x) and 1 - I1(x)/I0(x) together. Series: I0 = sum q^k / k!^2, I1 = (x/2) sum q^k /
 * (k! (k+1)!), q = x^2 / 4, all terms positive; 1 - I1/I0 >= 0.025 there, so the subtraction
 * loses at most two digits. Asymptotics: e^-x I_v(x) sqrt(2 pi x) = sum_k t_k(v), t_k / t_(k-1)
 * = ((2k-1)^2 - 4 v^2) / (8 k x); 1 - I1/I0 = sum_k (t_k(0) - t_k(1)) / sum_k t_k(0), term by
 * term, so the leading 1 / (2x) is not the difference of two numbers close to 1. */
static void bessel_i01(double x, double *i0e, double *gap) {
  if (x <= RX_BESSEL_SERIES_MAX) {
    const double q = 0.25 * x * x;
    double t0 = 1, t1 = 1, s0 = 1, s1 = 1;
    for (int k = 1; k < 200; k++) {
      t0 *= q / ((double)k * k);
      t1 *= q / ((double)k * (k + 1));
      s0 += t0;
      s1 += t1;
      if (t0 <= 1e-17 * s0 && t1 <= 1e-17 * s1) break;
    }
    if (i0e) *i0e = exp(-x) * s0;
    if (gap) *gap = 1.0 - 0.5 * x * s1 / s0;
    return;
  }
  double t0 = 1, t1 = 1, s0 = 1, diff = 0;
  for (int k = 1; k < 200; k++) {
    const double odd2 = (double)(2 * k - 1) * (2 * k - 1), den = 8.0 * k * x;
    const double n0 = t0 * odd2 / den, n1 = t1 * (odd2 - 4.0) / den;
    if (fabs(n0) > fabs(t0) && k > 1) break; /* the asymptotic series starts to diverge */
    t0 = n0;
    t1 = n1;
    s0 += t0;
    diff += t0 - t1;
    if (fabs(t0) <= 1e-17 * s0 && fabs(t0 - t1) <= 1e-17 * diff) break;
  }
  if (i0e) *i0e = s0 / sqrt(2.0 * M_PI * x);
  if (gap) *gap = diff / s0;
}

double rxst_bessel_i0e(double x) {
  double v;
  bessel_i01(x, &v, NULL);
  return v;
}

double rxst_bessel_ratio_gap(double x) {
  double v;
  bessel_i01(x, NULL, &v);
  return v;
}

/* 1 - I1/I0 falls from 1 at 0 towards 1 / (2 kappa): bracket by doubling, then bisect to the
 * last bit (deterministic, ~110 evaluations, once per KDE). */
double rxst_kappa_for_gap(double gap) {
  if (!(gap < 1.0)) return 0.0;
  if (!(gap > 0)) return INFINITY;
  double lo = 0, hi = 1;
  while (rxst_bessel_ratio_gap(hi) > gap && hi < 1e300) {
    lo = hi;
    hi *= 2;
  }
  for (;;) {
    const double mid = lo + 0.5 * (hi - lo);
    if (!(mid > lo && mid < hi)) break;
    if (rxst_bessel_ratio_gap(mid) > gap)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

int rx_circular_kde_create(rx_circular_kde **out, const double *theta, size_t n, const char *what,
                           rx_error *err) {
  *out = NULL;
  if (!what) what = "headings";
  if (n < 2 || !theta)
    return rx_fail(err, RX_EINVAL, "%s: a circular KDE needs at least 2 headings, got %zu", what,
                   n);
  double sx = 0, sy = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(theta[i]))
      return rx_fail(err, RX_ENUMERIC, "%s: heading %zu is %g", what, i, theta[i]);
    sx += cos(theta[i]);
    sy += sin(theta[i]);
  }
  /* circular variance V = 1 - R = mean (1 - cos(x_i - mu)) = mean 2 sin^2((x_i - mu) / 2),
   * summed without the cancellation of 1 - R for concentrated data */
  const double mu = atan2(sy, sx);
  double v = 0;
  for (size_t i = 0; i < n; i++) {
    const double h = sin(0.5 * (theta[i] - mu));
    v += 2.0 * h * h;
  }
  v /= (double)n;
  if (!(v > 1e-14))
    return rx_fail(err, RX_EINVAL,
                   "%s: the %zu headings are all equal (circular variance %g); a KDE cannot be "
                   "fitted",
                   what, n, v);
  /* Scott: h^2 = sigma^2 n^(-2/5), sigma^2 = -2 ln R; the kernel's 1 - I1/I0 = 1 - e^(-h^2/2) */
  const double f2 = pow((double)n, -0.4);
  const double sigma2 = v < 1.0 ? -2.0 * log1p(-v) : INFINITY;
  const double h2 = sigma2 * f2;
  const double kappa = rxst_kappa_for_gap(-expm1(-0.5 * h2));

  rx_circular_kde *k = calloc(1, sizeof *k);
  if (!k) return rx_fail(err, RX_ENOMEM, "%s: out of memory for a circular KDE", what);
  k->n = n;
  k->kappa = kappa;
  k->bandwidth = sqrt(h2);
  k->norm = 1.0 / (2.0 * M_PI * (double)n * rxst_bessel_i0e(kappa));
  k->c = malloc(n * sizeof(double));
  k->s = malloc(n * sizeof(double));
  if (!k->c || !k->s) {
    rx_circular_kde_free(k);
    return rx_fail(err, RX_ENOMEM, "%s: out of memory for a circular KDE of %zu headings", what, n);
  }
  for (size_t i = 0; i < n; i++) {
    k->c[i] = cos(theta[i]);
    k->s[i] = sin(theta[i]);
  }
  *out = k;
  return 0;
}

void rx_circular_kde_free(rx_circular_kde *k) {
  if (!k) return;
  free(k->c);
  free(k->s);
  free(k);
}

double rx_circular_kde_kappa(const rx_circular_kde *k) { return k->kappa; }
double rx_circular_kde_bandwidth(const rx_circular_kde *k) { return k->bandwidth; }

/* Each kernel is exp(-kappa r^2 / 2), r^2 = |e(a) - e(x_i)|^2 = 2 (1 - cos(a - x_i)): the
 * chord, which keeps its relative precision where the cosine is close to 1. */
void rx_circular_kde_eval(const rx_circular_kde *k, const double *theta, size_t m, double *out) {
  const double half_kappa = 0.5 * k->kappa;
#pragma omp parallel for schedule(dynamic, 4)
  for (size_t j = 0; j < m; j++) {
    if (!isfinite(theta[j])) {
      out[j] = NAN;
      continue;
    }
    const double ca = cos(theta[j]), sa = sin(theta[j]);
    double sum = 0;
    for (size_t i = 0; i < k->n; i++) {
      const double dc = ca - k->c[i], ds = sa - k->s[i];
      sum += exp(-half_kappa * (dc * dc + ds * ds));
    }
    out[j] = sum * k->norm;
  }
}

void rx_circular_kde_score(const rx_circular_kde *k, const double *theta, size_t m, double *out) {
  const double half_kappa = 0.5 * k->kappa;
#pragma omp parallel for schedule(dynamic, 4)
  for (size_t j = 0; j < m; j++) {
    if (!isfinite(theta[j])) {
      out[j] = NAN;
      continue;
    }
    const double ca = cos(theta[j]), sa = sin(theta[j]);
    double r2min = INFINITY;
    for (size_t i = 0; i < k->n; i++) {
      const double dc = ca - k->c[i], ds = sa - k->s[i], r2 = dc * dc + ds * ds;
      r2min = r2 < r2min ? r2 : r2min;
    }
    double sw = 0, ssin = 0;
    for (size_t i = 0; i < k->n; i++) {
      const double dc = ca - k->c[i], ds = sa - k->s[i];
      const double w = exp(-half_kappa * (dc * dc + ds * ds - r2min));
      sw += w;
      ssin += w * (k->s[i] * ca - k->c[i] * sa); /* sin(x_i - a) */
    }
    out[j] = k->kappa * ssin / sw;
  }
}
