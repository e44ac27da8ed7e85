/* Exploration (total variance over time) and smoothness (mean step length) of decoded
 * trajectories x (T, B, dim), time-major, per trajectory then averaged; circular variants for
 * headings. Invalid shapes give NaN (these functions have no error channel). */
#include <math.h>
#include <stdlib.h>

#include "reactivate/analysis.h"
#include "reactivate/task.h" /* rx_wrap_angle */

/* Mean of per-trajectory values, summed in trajectory order (thread-count independent). */
static double average(const double *v, int B) {
  double s = 0;
  for (int b = 0; b < B; b++)
    s += v[b];
  return s / B;
}

static double traj_variance(const float *x, int T, int B, int dim, int t_skip, int circular,
                            int b) {
  const int n = T - t_skip;
  if (circular) {
    double s = 0, c = 0;
    for (int t = t_skip; t < T; t++) {
      double a = x[(size_t)t * B + b];
      s += sin(a);
      c += cos(a);
    }
    s /= n;
    c /= n;
    return 1.0 - sqrt(s * s + c * c);
  }
  double trace = 0;
  for (int k = 0; k < dim; k++) {
    double mean = 0, ss = 0;
    for (int t = t_skip; t < T; t++)
      mean += x[((size_t)t * B + b) * dim + k];
    mean /= n;
    for (int t = t_skip; t < T; t++) {
      double e = x[((size_t)t * B + b) * dim + k] - mean;
      ss += e * e;
    }
    trace += ss / (n - 1);
  }
  return trace;
}

/* Shape of one per-trajectory statistic: x (T, B, dim) time-major, trajectory b. */
typedef struct traj_args {
  const float *x;
  int T, B, dim, t_skip, circular;
} traj_args;
typedef double (*traj_stat_fn)(const traj_args *a, int b);

/* The statistic of every trajectory (into per_traj when given), averaged over trajectories in
 * a fixed order; NaN everywhere when the shape is invalid. */
static double mean_over_trajectories(const traj_args *a, int bad, traj_stat_fn stat,
                                     double *per_traj) {
  const int B = a->B;
  double *v = per_traj ? per_traj : malloc((size_t)(B > 0 ? B : 1) * sizeof(double));
  if (bad || !v) {
    if (per_traj)
      for (int b = 0; b < B; b++)
        per_traj[b] = NAN;
    if (!per_traj) free(v);
    return NAN;
  }
#pragma omp parallel for schedule(static)
  for (int b = 0; b < B; b++)
    v[b] = stat(a, b);
  double r = average(v, B);
  if (!per_traj) free(v);
  return r;
}

static double variance_stat(const traj_args *a, int b) {
  return traj_variance(a->x, a->T, a->B, a->dim, a->t_skip, a->circular, b);
}

double rx_total_variance(const float *x, int T, int B, int dim, int t_skip, int circular,
                         double *per_traj) {
  const int bad =
      B < 1 || dim < 1 || t_skip < 0 || (circular && dim != 1) || T - t_skip < (circular ? 1 : 2);
  const traj_args a = {x, T, B, dim, t_skip, circular};
  return mean_over_trajectories(&a, bad, variance_stat, per_traj);
}

static double traj_step(const float *x, int T, int B, int dim, int circular, int b) {
  double total = 0;
  for (int t = 0; t + 1 < T; t++) {
    const float *p = x + ((size_t)t * B + b) * dim, *q = p + (size_t)B * dim;
    if (circular) {
      total += fabs(rx_wrap_angle((double)q[0] - (double)p[0]));
      continue;
    }
    double s = 0;
    for (int k = 0; k < dim; k++) {
      double e = (double)q[k] - (double)p[k];
      s += e * e;
    }
    total += sqrt(s);
  }
  return total / (T - 1);
}

static double step_stat(const traj_args *a, int b) {
  return traj_step(a->x, a->T, a->B, a->dim, a->circular, b);
}

double rx_step_distance(const float *x, int T, int B, int dim, int circular, double *per_traj) {
  const int bad = B < 1 || dim < 1 || T < 2 || (circular && dim != 1);
  const traj_args a = {x, T, B, dim, 0, circular};
  return mean_over_trajectories(&a, bad, step_stat, per_traj);
}
