/* Inside src/stats: the rx_density layout (a KDE's data sorted into a grid of cells in
 * whitened space, or a uniform box) and the hooks the tests use to check the pruning and the
 * KL clipping. Not part of the public API. */
#ifndef RX_STATS_INTERNAL_H
#define RX_STATS_INTERNAL_H

#include <stddef.h>

#include "reactivate/analysis.h"

enum { RXST_DENSITY_MAX_D = 4, RXST_KDE_LANES = 8 };

typedef enum rxst_density_kind {
  RXST_DENSITY_KDE,
  RXST_DENSITY_BOX,
  RXST_DENSITY_REGION /* the box's bounds, a region in it and 1 / the region's volume */
} rxst_density_kind;

struct rx_density {
  rxst_density_kind kind;
  int d;
  /* box: [lo, hi] per axis, density 1 / volume inside */
  double lo[RXST_DENSITY_MAX_D], hi[RXST_DENSITY_MAX_D], inv_volume;
  /* region: inside(region, x) (region: the caller's context, copied) */
  rx_region_fn inside;
  void *region;
  /* KDE: kernel covariance K = chol chol^T; whitened point u = white (x - mean), with
   * white = chol^-1 / sqrt(2), so that each kernel is exp(-|u - u_i|^2) */
  size_t n;
  double *x;                                            /* (n, d) the data, for sampling */
  double mean[RXST_DENSITY_MAX_D];                      /* data mean (centres the whitened data) */
  double chol[RXST_DENSITY_MAX_D][RXST_DENSITY_MAX_D];  /* lower triangular */
  double white[RXST_DENSITY_MAX_D][RXST_DENSITY_MAX_D]; /* lower triangular */
  double norm;                                          /* 1 / (n (2 pi)^(d/2) det chol) */
  double prune_cut;                                     /* see kde_eval.c */
  /* grid: n_cells non-empty cells; cell c holds points [start[c], start[c] + count[c]) of the
   * whitened SoA arrays u[k] (k < d), padded with far-away points to start[c + 1], a multiple
   * of RXST_KDE_LANES; box_lo / box_hi (n_cells, d) bound the cell's points */
  int n_cells;
  size_t *start, *count;
  double *u[RXST_DENSITY_MAX_D];
  double *box_lo, *box_hi;
};

/* Grid evaluation (kde_eval.c); prune = 0 evaluates every kernel (tests compare the two). */
void rxst_kde_eval(const rx_density *q, const double *pts, size_t m, int prune, double *out);
/* Score grad log p at pts (m, d) into out (m, d) (kde_score.c); prune = 0 uses every kernel. */
void rxst_kde_score(const rx_density *q, const double *pts, size_t m, int prune, double *out);

/* log(clip(q / a, 1e-7, 1e7)), with a = 0 -> 1e7 and q = 0 -> 1e-7 (docs/science.md §6). */
double rxst_kl_log_ratio(double q, double a);

/* Replay scores' input check (replay_posterior.c): every value of the posterior (n_events, T, B)
 * finite and >= 0, every step with some mass; else one line "<what>: posterior [event e, step t
 * (, bin b)] ..." naming the first fault. Threads share the rows. */
int rxst_check_posterior(const float *post, size_t n_events, int T, int B, const char *what,
                         rx_error *err);
/* Whether the rows (n, B) pass that check: for the scores to check an event while they read it
 * (its rows then come from cache), and to call rxst_check_posterior for the message only when
 * one does not. */
int rxst_rows_ok(const float *rows, size_t n, int B);

/* Squared distance from z (d,) to cell c's bounding box of q (0 inside), in whitened space. */
static inline double rxst_cell_box_dist2(const rx_density *q, int c, const double *z, int d) {
  const double *lo = q->box_lo + (size_t)c * d, *hi = q->box_hi + (size_t)c * d;
  double s = 0;
  for (int k = 0; k < d; k++) {
    double below = lo[k] - z[k], above = z[k] - hi[k];
    double t = below > 0 ? below : above > 0 ? above : 0;
    s += t * t;
  }
  return s;
}

#endif
