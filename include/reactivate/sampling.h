/* Statistics of the "is it sampling?" probes (docs/probes.md; docs/science.md §12): diffusion
 * (mean squared displacement, its exponent, step sizes), mixing (plateau and mixing time of a
 * sequence of per-window KL divergences, distance from the start) and noise temperature (the
 * exponent beta of p^beta that best explains a sample). Pure functions of arrays, float64 results:
 * they know nothing of runs, seeds or files, so they run unchanged on recorded or synthetic data.
 * Trajectories are float32, time-major (T, B, dim) as in analysis.h: a burn-in of t_skip steps is
 * dropped by passing x + t_skip * B * dim and T - t_skip. Headings (circular != 0) have dim 1 and
 * are in radians; differences of headings are wrapped into [-pi, pi) by rx_wrap_angle (task.h).
 * Every fallible function returns 0 or a negative rx_status with a one-line message. */
#ifndef RX_SAMPLING_H
#define RX_SAMPLING_H

#include <stddef.h>

#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- small numerical helpers ---- */

/* Least-squares line log y = intercept + slope log x through n points (x (n,), y (n,), all
 * finite and > 0; n >= 2 and not every x equal). r2 = 1 - SS_res / SS_tot in log space, and 1
 * when every y is equal (the horizontal line fits exactly). intercept and r2 may be NULL. Used for
 * the MSD exponent and for the slope of log beta_k against log k. */
int rx_loglog_fit(const double *x, const double *y, size_t n, double *slope, double *intercept,
                  double *r2, rx_error *err);

/* The p-th percentile (0 <= p <= 100) of v (n,), n >= 1, by numpy's default ("linear") rule:
 * with v sorted ascending and h = (n - 1) p / 100, v[floor h] + (h - floor h) (v[floor h + 1] -
 * v[floor h]). Sorts v in place. Refuses a NaN or infinite value, naming its index. */
int rx_percentile(double *v, size_t n, double p, double *out, rx_error *err);
/* The median (rx_percentile's rule) of the finite values of v (n,), which are moved to the
 * front and sorted in place; NaN when there are none. */
double rx_median_finite(double *v, size_t n);

/* ---- diffusion (docs/probes.md §1) ---- */

/* Mean squared displacement of x (T, B, dim), for tau = 1..tau_max (1 <= tau_max < T):
 *   msd[tau - 1] = 1 / (B (T - tau)) sum_b sum_{t < T - tau} |y_{b,t+tau} - y_{b,t}|^2.
 * msd_per_traj (B, tau_max), if not NULL, gets each trajectory's own mean over t. Headings
 * (circular, dim 1) are first unwrapped along each trajectory, y_{t+1} = y_t + wrap(x_{t+1} -
 * x_t), so every step is taken as the shorter way round and diffusion on the ring grows like
 * diffusion on the line (MSD is not bounded by pi^2). Any other dim >= 1 is Euclidean. Refuses
 * non-finite positions (RX_ENUMERIC, naming [t, b, k]) rather than skipping them: a step to or
 * from a NaN has no length. Parallel over trajectories; per-trajectory sums are added in
 * trajectory order, so the result does not depend on the number of threads. */
int rx_msd(const float *x, int T, int B, int dim, int circular, int tau_max, double *msd,
           double *msd_per_traj, rx_error *err);

/* The defined fitting range for the exponent, and its classification thresholds. */
#define RX_MSD_TAU_LO 1
#define RX_MSD_TAU_HI 10
#define RX_MSD_SUBDIFFUSIVE_BELOW 0.6
#define RX_MSD_SUPERDIFFUSIVE_ABOVE 1.4

/* Diffusion exponent alpha: the least-squares slope of log MSD(tau) against log tau over tau =
 * tau_lo..tau_hi (msd as rx_msd writes it: msd[tau - 1], tau_max entries; 1 <= tau_lo < tau_hi
 * <= tau_max), and its r2 (may be NULL). MSD ~ tau^alpha: Brownian motion 1, ballistic motion 2.
 * Refuses a zero or non-finite MSD in the range (trajectories that do not move). */
int rx_msd_exponent(const double *msd, int tau_max, int tau_lo, int tau_hi, double *alpha,
                    double *r2, rx_error *err);

typedef enum rx_diffusion_class {
  RX_DIFFUSION_UNDEFINED = 0, /* alpha is NaN */
  RX_SUBDIFFUSIVE = 1,        /* alpha < 0.6 */
  RX_DIFFUSIVE = 2,           /* 0.6 <= alpha <= 1.4 */
  RX_SUPERDIFFUSIVE = 3       /* alpha > 1.4 */
} rx_diffusion_class;
rx_diffusion_class rx_diffusion_classify(double alpha);
/* "sub-diffusive", "diffusive", "super-diffusive" or "undefined". */
const char *rx_diffusion_class_name(rx_diffusion_class c);

/* Summary of the step lengths |y_{b,t+1} - y_{b,t}| of x (T, B, dim), T >= 2 (headings:
 * |wrap(x_{t+1} - x_t)|, in [0, pi]). */
typedef struct rx_step_summary {
  size_t n;         /* steps: (T - 1) B */
  double mean;      /* summed in memory order (t-major), so the bits are fixed */
  double p99;       /* 99th percentile, numpy's linear rule (rx_percentile) */
  double max;       /* the longest step */
  size_t n_outside; /* steps outside [edges[0], edges[n_bins]], not in counts */
} rx_step_summary;
/* Histogram counts (n_bins,) over edges (n_bins + 1,), finite and strictly increasing, as
 * numpy.histogram bins them: bin i holds [edges[i], edges[i+1]), the last bin also its right edge;
 * edges NULL and n_bins 0 skip the histogram. Refuses non-finite positions, naming [t, b, k]. */
int rx_step_sizes(const float *x, int T, int B, int dim, int circular, const double *edges,
                  int n_bins, double *counts, rx_step_summary *out, rx_error *err);

/* ---- mixing (docs/probes.md §2) ---- */

/* The probe's mixing constants (docs/probes.md §2): windows of 250 steps; the plateau is the mean
 * of the last 4 windows; "within" means within max(0.25 nats, 25 % of the reference). */
#define RX_MIXING_WINDOW_STEPS 250
#define RX_MIXING_PLATEAU_WINDOWS 4
#define RX_MIXING_TOL_NATS 0.25
#define RX_MIXING_TOL_FRACTION 0.25

/* max(RX_MIXING_TOL_NATS, RX_MIXING_TOL_FRACTION |reference|) */
double rx_mixing_tolerance(double reference);

typedef struct rx_mixing {
  double plateau;     /* mean of the last RX_MIXING_PLATEAU_WINDOWS values */
  double tolerance;   /* rx_mixing_tolerance(plateau) */
  int window;         /* mixing time, the defined rule: the first window w (0-based) with
                         |kl[w] - plateau| <= tolerance; -1 if none is (possible: 0, 0, 0, 4) */
  long start_step;    /* window * window_steps: the step that window starts at; -1 if none */
  int settled_window; /* the first window from which every later window is within tolerance
                         (a stricter rule, reported beside it; -1 if the last is not) */
  long settled_step;  /* settled_window * window_steps; -1 if none */
} rx_mixing;

/* Plateau and mixing time of kl (n_windows,), the divergence of each successive window of
 * window_steps steps from the target (KL(q_w || a), docs/science.md §6.1). Needs n_windows >=
 * RX_MIXING_PLATEAU_WINDOWS, window_steps >= 1 and finite values. */
int rx_mixing_summary(const double *kl, int n_windows, int window_steps, rx_mixing *out,
                      rx_error *err);

/* Verdict "mixes": *mixes = 1 when the plateau from a foreign start (`point`) is within
 * rx_mixing_tolerance(plateau_ref) of the plateau from the reference start (`active`), else 0.
 * Refuses non-finite plateaus. */
int rx_mixes(double plateau_start, double plateau_ref, int *mixes, rx_error *err);

/* Mean distance from each trajectory's start over time: out (T,), out[t] = 1/B sum_b
 * |y_{b,t} - y_{b,0}| (Euclidean; headings: the shorter arc |wrap(x_{b,t} - x_{b,0})| in [0, pi],
 * not unwrapped, so a spread uniform on the ring gives pi/2). T >= 1; refuses non-finite values.
 * Parallel over t, summed over b in order: independent of the thread count. */
int rx_distance_from_start(const float *x, int T, int B, int dim, int circular, double *out,
                           rx_error *err);

/* ---- noise temperature (docs/probes.md §3) ---- */

/* The search interval for beta. */
#define RX_TEMPERING_BETA_MIN 1e-3
#define RX_TEMPERING_BETA_MAX 50.0

/* beta = argmin over beta in [RX_TEMPERING_BETA_MIN, RX_TEMPERING_BETA_MAX] of
 * KL(q || p^beta / Z_beta), for a density p known on a grid and a sample of q summarised by
 * mean_log_p_q = E_q[log p] (the mean of log p at q's samples, finite). log_p_grid (n_grid,) holds
 * log p at the grid's points, each standing for a cell of measure `cell` (2-D: a regular grid over
 * a box, cell = its cell area; the circle: n bins over [-pi, pi), cell = 2 pi / n); -inf (p = 0)
 * is allowed, NaN and +inf are not, and log p must not be constant. Since
 * KL = E_q[log q] - beta E_q[log p] + log Z_beta, the minimiser solves E_{p^beta/Z}[log p] =
 * mean_log_p_q (a convex problem; safeguarded Newton). log_z = log sum_i p_i^beta cell at the
 * optimum (log-sum-exp), so KL - E_q[log q] = log_z - beta mean_log_p_q. at_bound (may be NULL):
 * 0 for an interior minimum, -1 when it lies at or below RX_TEMPERING_BETA_MIN (q more spread
 * than the uniform density over the grid), +1 at or above RX_TEMPERING_BETA_MAX (q more
 * concentrated than p^50); beta is then that bound. */
int rx_tempering_fit(const double *log_p_grid, size_t n_grid, double cell, double mean_log_p_q,
                     double *beta, double *log_z, int *at_bound, rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
