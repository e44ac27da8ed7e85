/* Displacements of trajectories x (T, B, dim), float32, time-major: the mean squared
 * displacement over lags (docs/probes.md §1), step lengths with their histogram, mean and 99th
 * percentile, and the mean distance from the start over time (§2). Headings (circular, dim 1)
 * wrap their differences into [-pi, pi). Fitting the MSD's exponent is power_law.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/sampling.h"
#include "reactivate/task.h" /* rx_wrap_angle */

/* Shape and values of x (T, B, dim): T >= t_min, B >= 1, dim >= 1 (1 when circular), every value
 * finite (the first that is not is named by its index [t, b, k]). `what` names the statistic. */
static int check_trajectories(const char *what, const float *x, int T, int B, int dim, int circular,
                              int t_min, rx_error *err) {
  if (!x) return rx_fail(err, RX_EINVAL, "%s: trajectories are NULL", what);
  if (T < t_min)
    return rx_fail(err, RX_EINVAL, "%s: T = %d time steps, need at least %d", what, T, t_min);
  if (B < 1) return rx_fail(err, RX_EINVAL, "%s: B = %d trajectories, need at least 1", what, B);
  if (dim < 1) return rx_fail(err, RX_EINVAL, "%s: dim = %d, need at least 1", what, dim);
  if (circular && dim != 1)
    return rx_fail(err, RX_EINVAL, "%s: headings (circular) need dim 1, got dim %d", what, dim);
  const size_t n = (size_t)T * (size_t)B * (size_t)dim;
  for (size_t i = 0; i < n; i++) {
    if (isfinite(x[i])) continue;
    const size_t k = i % (size_t)dim, b = i / (size_t)dim % (size_t)B;
    const size_t t = i / (size_t)dim / (size_t)B;
    return rx_fail(err, RX_ENUMERIC,
                   "%s: trajectories hold %s at [t=%zu, b=%zu, k=%zu]; they "
                   "must be finite",
                   what,
                   isnan(x[i]) ? "NaN"
                   : x[i] > 0  ? "+Inf"
                               : "-Inf",
                   t, b, k);
  }
  return RX_OK;
}

/* Trajectory b of x copied to u (T, dim) in float64; headings unwrapped: u_0 = x_0,
 * u_{t+1} = u_t + wrap(x_{t+1} - x_t). */
static void gather(const float *x, int T, int B, int dim, int circular, int b, double *u) {
  if (circular) {
    double prev = x[b], acc = prev;
    u[0] = acc;
    for (int t = 1; t < T; t++) {
      const double cur = x[(size_t)t * B + b];
      acc += rx_wrap_angle(cur - prev);
      u[t] = acc;
      prev = cur;
    }
    return;
  }
  for (int t = 0; t < T; t++)
    for (int k = 0; k < dim; k++)
      u[(size_t)t * dim + k] = x[((size_t)t * B + b) * dim + k];
}

/* sum_{t < T - tau} |u_{t+tau} - u_t|^2 for u (T, dim): one flat sum over (T - tau) dim terms,
 * four fixed interleaved partial sums (no dependence on anything but the data). */
static double lag_sum(const double *u, int T, int dim, int tau) {
  const size_t m = (size_t)(T - tau) * dim, off = (size_t)tau * dim;
  double s[4] = {0, 0, 0, 0};
  size_t j = 0;
  for (; j + 4 <= m; j += 4)
    for (int r = 0; r < 4; r++) {
      const double e = u[j + r + off] - u[j + r];
      s[r] += e * e;
    }
  for (; j < m; j++) {
    const double e = u[j + off] - u[j];
    s[0] += e * e;
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}

int rx_msd(const float *x, int T, int B, int dim, int circular, int tau_max, double *msd,
           double *msd_per_traj, rx_error *err) {
  int rc = check_trajectories("MSD", x, T, B, dim, circular, 2, err);
  if (rc) return rc;
  if (!msd) return rx_fail(err, RX_EINVAL, "MSD: output is NULL");
  if (tau_max < 1 || tau_max >= T)
    return rx_fail(err, RX_EINVAL, "MSD: tau_max = %d, need 1 <= tau_max < T = %d", tau_max, T);
  /* per-trajectory sums (B, tau_max): the caller's msd_per_traj when given */
  double *sums = msd_per_traj ? msd_per_traj : malloc((size_t)B * tau_max * sizeof(double));
  if (!sums) return rx_fail(err, RX_ENOMEM, "MSD: out of memory for %d x %d sums", B, tau_max);
  int failed = 0;
#pragma omp parallel
  {
    double *u =
        calloc((size_t)T * dim, sizeof(double)); /* gather sets it all; calloc for clang-analyzer */
    if (!u) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(static)
    for (int b = 0; b < B; b++) {
      if (!u) continue;
      gather(x, T, B, dim, circular, b, u);
      for (int tau = 1; tau <= tau_max; tau++)
        sums[(size_t)b * tau_max + tau - 1] = lag_sum(u, T, dim, tau);
    }
    free(u);
  }
  if (failed) {
    if (!msd_per_traj) free(sums);
    return rx_fail(err, RX_ENOMEM, "MSD: out of memory for a trajectory of %d x %d", T, dim);
  }
  for (int tau = 1; tau <= tau_max; tau++) {
    double s = 0; /* trajectory order: the same bits for any thread count */
    for (int b = 0; b < B; b++)
      s += sums[(size_t)b * tau_max + tau - 1];
    msd[tau - 1] = s / ((double)B * (T - tau));
  }
  if (msd_per_traj) {
    for (int b = 0; b < B; b++)
      for (int tau = 1; tau <= tau_max; tau++)
        msd_per_traj[(size_t)b * tau_max + tau - 1] /= (double)(T - tau);
  } else {
    free(sums);
  }
  return RX_OK;
}

/* Length of the step from p to q (dim,); headings: |wrap(q - p)|. */
static double step_length(const float *p, const float *q, int dim, int circular) {
  if (circular) return fabs(rx_wrap_angle((double)q[0] - (double)p[0]));
  double s = 0;
  for (int k = 0; k < dim; k++) {
    const double e = (double)q[k] - (double)p[k];
    s += e * e;
  }
  return sqrt(s);
}

static int check_edges(const double *edges, int n_bins, const double *counts, rx_error *err) {
  if (!edges && n_bins == 0) return RX_OK;
  if (!edges || !counts || n_bins < 1)
    return rx_fail(err, RX_EINVAL,
                   "step sizes: histogram needs edges, counts and n_bins >= 1 (got n_bins %d)",
                   n_bins);
  for (int i = 0; i <= n_bins; i++) {
    if (!isfinite(edges[i]))
      return rx_fail(err, RX_ENUMERIC, "step sizes: edges[%d] = %g, must be finite", i, edges[i]);
    if (i > 0 && !(edges[i] > edges[i - 1]))
      return rx_fail(err, RX_EINVAL,
                     "step sizes: edges must increase strictly, but edges[%d] = %g <= edges[%d] "
                     "= %g",
                     i, edges[i], i - 1, edges[i - 1]);
  }
  return RX_OK;
}

/* Bin of v among edges (n_bins + 1,) as numpy.histogram: [e_i, e_{i+1}), the last bin closed;
 * -1 outside. */
static int bin_of(double v, const double *edges, int n_bins) {
  if (v < edges[0] || v > edges[n_bins]) return -1;
  if (v == edges[n_bins]) return n_bins - 1;
  int lo = 0, hi = n_bins; /* edges[lo] <= v < edges[hi] */
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    if (v >= edges[mid])
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

int rx_step_sizes(const float *x, int T, int B, int dim, int circular, const double *edges,
                  int n_bins, double *counts, rx_step_summary *out, rx_error *err) {
  int rc = check_trajectories("step sizes", x, T, B, dim, circular, 2, err);
  if (!rc) rc = check_edges(edges, n_bins, counts, err);
  if (rc) return rc;
  if (!out) return rx_fail(err, RX_EINVAL, "step sizes: output is NULL");
  const size_t n = (size_t)(T - 1) * (size_t)B;
  double *steps = malloc(n * sizeof(double));
  if (!steps) return rx_fail(err, RX_ENOMEM, "step sizes: out of memory for %zu steps", n);
  memset(out, 0, sizeof *out);
  if (edges)
    for (int i = 0; i < n_bins; i++)
      counts[i] = 0;
  double sum = 0, max = 0;
  for (size_t i = 0; i < n; i++) { /* i = t B + b: step from x[t, b] to x[t + 1, b] */
    const double s = step_length(x + i * dim, x + (i + (size_t)B) * dim, dim, circular);
    steps[i] = s;
    sum += s;
    max = s > max ? s : max;
    if (!edges) continue;
    const int k = bin_of(s, edges, n_bins);
    if (k < 0)
      out->n_outside++;
    else
      counts[k] += 1.0;
  }
  out->n = n;
  out->mean = sum / (double)n;
  out->max = max;
  rc = rx_percentile(steps, n, 99.0, &out->p99, err);
  free(steps);
  return rc;
}

int rx_distance_from_start(const float *x, int T, int B, int dim, int circular, double *out,
                           rx_error *err) {
  int rc = check_trajectories("distance from start", x, T, B, dim, circular, 1, err);
  if (rc) return rc;
  if (!out) return rx_fail(err, RX_EINVAL, "distance from start: output is NULL");
#pragma omp parallel for schedule(static)
  for (int t = 0; t < T; t++) {
    double s = 0; /* trajectory order */
    for (int b = 0; b < B; b++)
      s += step_length(x + (size_t)b * dim, x + ((size_t)t * B + b) * dim, dim, circular);
    out[t] = s / B;
  }
  return RX_OK;
}
