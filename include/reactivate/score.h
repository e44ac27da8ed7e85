/* Drift versus score (docs/probes.md §4): is a process's drift the score of a density, as
 * Langevin sampling needs? The statistics only, all float64 functions of arrays that know nothing
 * of runs, seeds, files or networks: a circular KDE for headings and its exact score (the planar
 * KDE's score is rx_density_score, analysis.h), the drift of trajectories binned over space, and
 * the comparison of a binned drift with a score (cosines, regression, permutation null).
 * Trajectories are float32, time-major (T, B, dim) as in analysis.h. */
#ifndef RX_SCORE_H
#define RX_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- a KDE on the circle ---- */

/* A von Mises KDE of headings (radians, any range): p(a) = sum_i exp(kappa cos(a - x_i)) /
 * (2 pi n I0(kappa)), a density on [-pi, pi) that integrates to 1 and is 2 pi periodic. The
 * concentration is Scott's rule on the circle: the data's circular variance sigma^2 =
 * -2 ln R (R the mean resultant length) times the factor^2 n^(-2/5) gives the bandwidth h, and
 * kappa is chosen so that the kernel's mean resultant length I1(kappa) / I0(kappa) equals that
 * of a wrapped Gaussian kernel of variance h^2, e^(-h^2 / 2) = R^(n^(-2/5)) (for small h,
 * kappa ~ 1 / h^2 + 1/2). Data with R = 0 give kappa = 0, the uniform density. */
typedef struct rx_circular_kde rx_circular_kde;

/* KDE of n headings theta (n,) (copied). Fails on n < 2, a non-finite heading, or headings
 * all equal (circular variance below 1e-14), naming `what`. */
int rx_circular_kde_create(rx_circular_kde **out, const double *theta, size_t n, const char *what,
                           rx_error *err);
void rx_circular_kde_free(rx_circular_kde *k);
/* The kernel's concentration kappa and the Scott bandwidth h (radians) it was matched to. */
double rx_circular_kde_kappa(const rx_circular_kde *k);
double rx_circular_kde_bandwidth(const rx_circular_kde *k);
/* out (m,) = density at theta (m,) (per radian); exact (all kernels), parallel, the same bits
 * for any thread count; NaN at non-finite angles. */
void rx_circular_kde_eval(const rx_circular_kde *k, const double *theta, size_t m, double *out);
/* out (m,) = d/da log p at theta (m,): kappa sum_i w_i sin(x_i - a) / sum_i w_i, w_i the
 * kernels at a (shifted by the nearest: finite where p underflows). Exact, parallel, the same
 * bits for any thread count; NaN at non-finite angles. */
void rx_circular_kde_score(const rx_circular_kde *k, const double *theta, size_t m, double *out);

/* ---- binned drift ---- */

/* How trajectories are binned. Plane (dim 2): nx x ny bins over [lo, hi] (has_box) or over the
 * range of the samples binned. Line (dim 1, circular 0): nx bins likewise, ny = 1. Circle
 * (dim 1, circular 1): nx bins over [-pi, pi), angles wrapped there, increments wrapped to
 * [-pi, pi); box ignored. */
typedef struct rx_drift_opts {
  int t_skip;   /* samples y_t with t >= t_skip (and t + 1 < T) are binned */
  int circular; /* headings on the circle (dim 1 only) */
  int nx, ny;   /* bins per axis; ny is 1 in dim 1 */
  int has_box;  /* 1: bin over [lo, hi], samples outside dropped; 0: the data's range */
  double lo[2], hi[2];
  size_t min_count; /* bins with fewer samples are unused */
  /* optional (ny, nx) flags, bin b = iy nx + ix: a pair whose y_t falls in a bin flagged 0 is
   * dropped as if outside the box (counted in n_outside): the bins of an arena's bounding box
   * centred outside the arena (docs/arenas.md §4). NULL: every bin. Borrowed, not copied. */
  const unsigned char *mask;
} rx_drift_opts;

/* Defaults: t_skip 0, 24 x 24 bins (plane), 36 (circle), 24 (line), min_count 50, no box. */
rx_drift_opts rx_drift_opts_default(int dim, int circular);

/* The drift of trajectories binned by position. Bin b = iy * nx + ix (ix along axis 0) holds
 * the pairs (y_t, y_{t+1}) with y_t in it; bin i along an axis covers [lo + i w, lo + (i + 1) w),
 * w = (hi - lo) / n, the last one closed at hi. Per bin: count, the sample mean of y_t, the mean
 * increment d = mean of y_{t+1} - y_t (the drift per step), and the increments' variance around
 * d (ddof 1, averaged over axes: the noise per step). All arrays are NaN where undefined (an
 * empty bin; variance: count < 2). */
typedef struct rx_drift_field {
  int dim, circular, nx, ny, n_bins;
  double lo[2], hi[2]; /* the box binned (circle: -pi, pi) */
  size_t min_count;
  size_t n_samples;    /* pairs binned */
  size_t n_outside;    /* pairs dropped: y_t outside the box */
  int n_used;          /* bins with count >= min_count */
  size_t *count;       /* (n_bins,) */
  unsigned char *used; /* (n_bins,) count >= min_count */
  double *mean;        /* (n_bins, dim) sample mean of y_t (circle: of the wrapped angles) */
  double *drift;       /* (n_bins, dim) mean increment */
  double *noise_var;   /* (n_bins,) variance of the increments per axis */
} rx_drift_field;

/* Bins y (T, B, dim) float32 by opts (NULL: the defaults). Fails, with one line, on a bad
 * shape or option, a non-finite sample (naming t, b and the axis), no pair to bin, a data range
 * of zero width, or no bin reaching min_count (naming the fullest bin). On failure f is left
 * empty (rx_drift_field_free is safe). */
int rx_drift_field_compute(rx_drift_field *f, const float *y, int T, int B, int dim,
                           const rx_drift_opts *opts, rx_error *err);
void rx_drift_field_free(rx_drift_field *f);

/* ---- drift versus score ---- */

/* The comparison of a binned drift d with a score s (the score at each bin's sample mean).
 * In dim 1 the cosine d s / (|d| |s|) is the sign agreement, -1, 0 or 1. A cosine with a zero
 * vector is 0. Per-bin arrays are NaN for unused bins. */
typedef struct rx_drift_score {
  int n_bins, dim, n_used;
  double *cosine;               /* (n_bins,) cos(d_b, s_b) */
  double *cosine_centered;      /* (n_bins,) cos(d_b - dbar, s_b) */
  double mean_drift[2];         /* dbar: the count-weighted mean drift over the used bins */
  double cos_weighted;          /* sum_b n_b cos(d_b, s_b) / sum_b n_b over used bins */
  double cos_centered_weighted; /* the same with dbar removed from every drift */
  double c;                     /* least squares d ~ c s through the origin, weights n_b */
  double r2;                    /* 1 - sum n_b |d_b - c s_b|^2 / sum n_b |d_b|^2 (uncentred) */
  double noise_var;             /* count-weighted mean over used bins of the increments' variance */
  double beta;                  /* 2 c / noise_var: the drift and noise sample p^beta (1: p) */
  int n_perm;                   /* permutations run */
  double p_value;               /* (1 + #{null >= cos_weighted}) / (1 + n_perm) */
  double p_value_centered;      /* the same for cos_centered_weighted */
  double null_mean, null_sd;    /* of the weighted cosine over the permutations */
} rx_drift_score;

/* Compares f's drift with score (n_bins, dim) (rows of unused bins are not read; the score is
 * typically rx_density_score or rx_circular_kde_score at f->mean). The null: n_perm (200 by
 * default in the probe) shuffles of the drift vectors, each with its count as weight, across
 * the used bins; permutation i draws from rx_rng(seed, stream; i, 0, 0). n_perm = 0 skips it
 * (p-values and null statistics NaN). c, r2 and beta are NaN where their denominator is 0
 * (a score or drift of zero everywhere). Fails on a field with no used bin, a non-finite score
 * at a used bin, or n_perm outside [0, 1e7]. Free with rx_drift_score_free. */
int rx_drift_score_compare(const rx_drift_field *f, const double *score, int n_perm, uint32_t seed,
                           uint32_t stream, rx_drift_score *out, rx_error *err);
void rx_drift_score_free(rx_drift_score *r);

#ifdef __cplusplus
}
#endif
#endif
