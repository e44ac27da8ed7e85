/* Circular statistics of headings: mean direction and resultant length, histograms over
 * [-pi, pi), wrapped angle differences and angular velocities. */
#include <math.h>

#include "reactivate/analysis.h"
#include "reactivate/task.h" /* rx_wrap_angle */

void rx_circular_mean(const double *theta, size_t n, double *mean, double *resultant) {
  double s = 0, c = 0;
  for (size_t i = 0; i < n; i++) {
    s += sin(theta[i]);
    c += cos(theta[i]);
  }
  if (n == 0) {
    if (mean) *mean = NAN;
    if (resultant) *resultant = NAN;
    return;
  }
  s /= (double)n;
  c /= (double)n;
  if (mean) *mean = atan2(s, c);
  if (resultant) *resultant = sqrt(s * s + c * c);
}

/* Bin b holds [-pi + b w, -pi + (b + 1) w), w = 2 pi / n_bins; angles are wrapped into
 * [-pi, pi) first (pi itself counts in bin 0), non-finite ones are skipped. counts is set,
 * not accumulated. */
void rx_circular_histogram(const float *theta, size_t n, int n_bins, double *counts) {
  if (n_bins < 1) return;
  for (int b = 0; b < n_bins; b++)
    counts[b] = 0;
  for (size_t i = 0; i < n; i++) {
    double a = theta[i];
    if (!isfinite(a)) continue;
    a = rx_wrap_angle(a);
    long b = (long)floor((a + M_PI) / (2.0 * M_PI) * n_bins);
    b = b < 0 ? 0 : b >= n_bins ? n_bins - 1 : b;
    counts[b] += 1.0;
  }
}

void rx_angular_velocity(const float *x, int T, int B, double dt, double *out) {
  for (int t = 0; t + 1 < T; t++)
    for (int b = 0; b < B; b++) {
      size_t i = (size_t)t * B + b;
      out[i] = rx_wrap_angle((double)x[i + B] - (double)x[i]) / dt;
    }
}
