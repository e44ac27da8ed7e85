/* Analyses of offline reactivation (docs/science.md §6), all in float64: Gaussian KDEs (Scott's
 * rule, full covariance, evaluated exactly over all kernels), Monte-Carlo KL divergences between
 * densities, exploration (total variance), smoothness (step-wise distance), PCA, and circular
 * statistics for headings. Inputs are decoded trajectories or hidden states, time-major (T, B,
 * dim). */
#ifndef RX_ANALYSIS_H
#define RX_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- densities ---- */

/* A density that can be evaluated and sampled: a Gaussian KDE of data points, or the uniform
 * density over an axis-aligned box or a region in one (the "uniform" control; 1 / volume). */
typedef struct rx_density rx_density;

/* KDE of n points x (n, d) (copied); bandwidth factor n^(-1/(d+4)) (Scott), kernel covariance =
 * data covariance (ddof 1, as scipy.stats.gaussian_kde) x factor^2. Fails on n < 2 or a
 * singular covariance, naming `what` (e.g. "quiescent outputs of noisy_biased_0.0001_0"). */
int rx_density_kde(rx_density **out, const double *x, size_t n, int d, const char *what,
                   rx_error *err);
/* Uniform over [lo_i, hi_i] for i < d. */
int rx_density_uniform_box(rx_density **out, int d, const double *lo, const double *hi,
                           rx_error *err);
/* Whether the point x (d,) lies in a region; ctx is the density's copy of the caller's. */
typedef int (*rx_region_fn)(const void *ctx, const double *x);
/* Uniform over a region inside the box [lo_i, hi_i] (e.g. an arena, arena.h): density
 * 1 / volume where inside(ctx, x), 0 elsewhere; volume (the region's, > 0 and at most the box's)
 * is the caller's. ctx (ctx_size bytes, plain data) is copied. Sampling draws points uniform in
 * the box from the sample's generator until one is inside; the score is 0 inside, NaN outside. */
int rx_density_uniform_region(rx_density **out, int d, const double *lo, const double *hi,
                              double volume, rx_region_fn inside, const void *ctx, size_t ctx_size,
                              rx_error *err);
void rx_density_free(rx_density *q);
int rx_density_dim(const rx_density *q);
/* out (m,) = density at pts (m, d); exact (all kernels), parallel, deterministic. */
void rx_density_eval(const rx_density *q, const double *pts, size_t m, double *out);
/* A 2-D density q on a grid (docs/arenas.md §4): z (ny, nx) = q at the cell centres
 * (lo_k + (i + 1/2) (hi_k - lo_k) / n_k), z[iy nx + ix]. With inside (ny, nx) flags (e.g. the
 * cells of an arena's bounding box centred in the arena; NULL: every cell, z is q as is), the
 * cells flagged 0 get NaN and the others are rescaled so that they sum to 1 over the cell area
 * (hi - lo) / n per axis: q restricted to the region and normalised there (a KDE's mass beyond
 * an arena's walls is given back to the inside). *mass (may be NULL) gets the sum before
 * rescaling times the cell area (1 without inside). Fails on d != 2, nx or ny < 1, an empty or
 * non-finite span, no cell flagged, or no mass inside. */
int rx_density_grid(const rx_density *q, const double *lo, const double *hi, int nx, int ny,
                    const unsigned char *inside, double *z, double *mass, rx_error *err);
/* out (m, d) = the score grad log q at pts (m, d), exact for a KDE: with H the kernel
 * covariance, sum_i w_i H^-1 (x_i - y) / sum_i w_i, w_i the kernels at y (a softmax: finite
 * even where the density underflows to 0); kernels too far to matter at 1e-12 of the kernel's
 * scale are skipped, with a check per point. Parallel, the same bits for any thread count.
 * Uniform box: 0 inside (edges included), NaN outside; NaN rows at non-finite points. */
void rx_density_score(const rx_density *q, const double *pts, size_t m, double *out);
/* out (m, d) = m samples; sample i draws from rx_rng(seed, stream; i, 0, 0). */
void rx_density_sample(const rx_density *q, size_t m, uint32_t seed, uint32_t stream, double *out);

/* KL(Q || A) for every source q[i] and target a[j]: draw n_samples from q[i] (seed, stream + i),
 * average log(clip(q(x) / a(x), 1e-7, 1e7)) (docs/science.md §6). out (n_q, n_a), row-major. Each
 * source's samples and q(x) are computed once and shared by all targets. */
int rx_kl_matrix(const rx_density *const *q, int n_q, const rx_density *const *a, int n_a,
                 size_t n_samples, uint32_t seed, uint32_t stream, double *out, rx_error *err);

/* KL(q || a) = sum_i q_i log(q_i / a_i) between two histograms over the same n bins (each
 * normalised to sum 1 here), the ratio clipped to [1e-7, 1e7] as in rx_kl_matrix; bins with
 * q_i = 0 add nothing. Used on the ring's heading histograms (claim g1, docs/science.md §7.2),
 * where exp(-KL) is an effective coverage: q uniform on a fraction f of the bins of a uniform a
 * gives exactly -log f. Fails on n < 1, an empty histogram, or a negative or non-finite share. */
int rx_kl_discrete(const double *q, const double *a, int n, double *out, rx_error *err);

/* ---- trajectory statistics (x: (T, B, dim) float32, time-major) ---- */

/* Exploration: per trajectory the trace of the covariance (ddof 1) over time of x[t_skip..T-1],
 * averaged over trajectories; per-trajectory values in per_traj (B,) if not NULL. Headings
 * (circular != 0, dim 1) use the circular variance 1 - R of each trajectory instead. */
double rx_total_variance(const float *x, int T, int B, int dim, int t_skip, int circular,
                         double *per_traj);
/* Smoothness: per trajectory the mean Euclidean distance between consecutive points (circular:
 * |wrapped angle difference|), averaged over trajectories; per-trajectory values in per_traj. */
double rx_step_distance(const float *x, int T, int B, int dim, int circular, double *per_traj);

/* ---- PCA ---- */

typedef struct rx_pca {
  int p;              /* feature dimension */
  int k;              /* components kept */
  double *mean;       /* (p,) */
  double *components; /* (k, p), rows are unit eigenvectors, by decreasing variance */
  double *explained;  /* (k,) explained variance ratio */
  double total_var;   /* trace of the covariance */
} rx_pca;

/* Fits on n rows x (n, p) (float32: hidden states), covariance in float64 (ddof 1). */
int rx_pca_fit(rx_pca *pca, const float *x, size_t n, int p, int k, rx_error *err);
/* out (n, k) = (x - mean) components^T */
void rx_pca_project(const rx_pca *pca, const float *x, size_t n, double *out);
void rx_pca_free(rx_pca *pca);

/* ---- circular statistics ---- */

/* Mean direction (atan2 of mean sin, mean cos) and resultant length R of n angles. */
void rx_circular_mean(const double *theta, size_t n, double *mean, double *resultant);
/* Histogram of angles in [-pi, pi) into n_bins equal bins (counts). */
void rx_circular_histogram(const float *theta, size_t n, int n_bins, double *counts);
/* Angular velocities (wrapped consecutive differences / dt) of x (T, B, 1) into out ((T-1) B). */
void rx_angular_velocity(const float *x, int T, int B, double dt, double *out);

#ifdef __cplusplus
}
#endif
#endif
