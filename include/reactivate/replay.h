/* Replay analysis (docs/replay.md): the statistics of hippocampal replay studies as
 * functions of arrays. A Bayesian posterior over position or heading bins from population-code
 * outputs; the Davidson et al. (2009) line score of 1-D events with its column-cycle and
 * time-bin shuffle nulls; the constant-velocity score of 2-D events with its time-bin null; small
 * summaries. They know nothing of runs, networks or files: the driver (`reactivate analyze
 * replay`) simulates, cuts events and calls them, and recorded data are scored the same way.
 *
 * Conventions. Posteriors are float32, row-major: a batch of events is (n_events, steps, bins),
 * step t of event e at post + (e * steps + t) * bins. Results are float64. Randomness (the
 * shuffles) comes from rx_rng keyed by (opts.seed, opts.stream) and positioned by (event id,
 * shuffle, null kind), where an event's id is first_id + its index in the batch: an event gets the
 * same result alone or in any batch, on any number of threads. Every fallible function returns 0
 * or a negative rx_status and fills err with one line naming the value at fault. */
#ifndef RX_REPLAY_H
#define RX_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- bins (docs/replay.md §2) ---- */

typedef enum rx_replay_grid_kind {
  RX_REPLAY_PLANE = 0, /* square bins over a box: position in the arena */
  RX_REPLAY_RING = 1,  /* arcs of the circle [-pi, pi): heading */
  RX_REPLAY_LINE = 2   /* segments of an interval: position along a linear track */
} rx_replay_grid_kind;

/* Bins over a box, the circle or an interval. Along an axis of n bins over [lo, hi] bin i covers
 * [lo + i w, lo + (i + 1) w), w = (hi - lo) / n, the last one closed at hi (ring: open, the
 * circle wraps); its centre is lo + (i + 1/2) w. In the plane bin b = iy * nx + ix (ix along x),
 * so a posterior row (n_bins,) reshapes to an image (ny, nx). */
typedef struct rx_replay_grid {
  rx_replay_grid_kind kind;
  int dim;             /* 2 (plane) or 1 (ring, line) */
  int nx, ny;          /* bins along x and y; ny = 1 on the ring and the line */
  int n_bins;          /* nx * ny */
  double lo[2], hi[2]; /* the span binned (ring: -pi, pi); [1] unused in dim 1 */
  double width[2];     /* bin widths (hi - lo) / n per axis */
  float *centers;      /* (n_bins, dim) bin centres: where the caller evaluates the code */
} rx_replay_grid;

/* Plane bins of about `size` over [x0, x1] x [y0, y1]: nx = the nearest integer to
 * (x1 - x0) / size (at least 1), likewise ny, so that the bins tile the box exactly (2.2 m at
 * 5 cm: 44 bins of exactly 5 cm). Fails on a non-finite or empty span, size <= 0, or more than
 * 10000 bins along an axis or 4 million in all. On failure g is left empty (free is safe). */
int rx_replay_grid_plane(rx_replay_grid *g, double x0, double x1, double y0, double y1, double size,
                         rx_error *err);
/* Ring bins of about `size` radians: n = the nearest integer to 2 pi / size (5 degrees: 72),
 * bin i covering [-pi + i w, -pi + (i + 1) w), w = 2 pi / n. Fails as above. */
int rx_replay_grid_ring(rx_replay_grid *g, double size, rx_error *err);
/* Line bins of about `size` over [x0, x1], counted as for the plane. Fails as above. */
int rx_replay_grid_line(rx_replay_grid *g, double x0, double x1, double size, rx_error *err);
void rx_replay_grid_free(rx_replay_grid *g);
/* The bin holding pos (dim,), or -1 outside the span or non-finite. Ring: any angle, wrapped. */
int rx_replay_grid_index(const rx_replay_grid *g, const double *pos);

/* ---- the posterior (docs/replay.md §2) ---- */

/* The Bayesian posterior over bins of each output row, for outputs with isotropic Gaussian noise
 * of variance s2 per unit around the population code:
 *   log P(b | y_t) = -||y_t - F_b||^2 / (2 s2) + const,   normalised so each row sums to 1,
 * for y (n, n_out) outputs, F = code (n_bins, n_out) the population code at each bin centre
 * (computed by the caller, e.g. rx_population_encode at grid->centers) and s2 > 0 (the network's
 * awake mean squared output error per unit). Writes post (n, n_bins).
 * The cross term y F^T is a float32 product through rx_gemm (n ~ 2e5 rows, ~2000 bins, 512 units);
 * ||y_t||^2, equal for every bin, cancels in the normalisation and is never formed; ||F_b||^2 /
 * 2, the maximum subtraction and the exponentials are float64. Log-probabilities are accurate to
 * about 1e-7 (||y_t|| ||F_b|| / s2), the float32 rounding of the product; bins whose probability
 * is below ~1e-308 of the best one's get 0. Rows are processed in fixed blocks of
 * RX_REPLAY_POSTERIOR_ROWS from the first, one single-threaded product each, shared out over the
 * threads: the same bits for any thread count, and for the caller's own row chunks when each
 * starts at a multiple of RX_REPLAY_POSTERIOR_ROWS. Memory beyond post: n_bins doubles per thread.
 * Fails (one line) on n, n_out or n_bins < 1, s2 not finite and > 0, or a non-finite output or
 * code value (naming its row and column). Where events are wanted (below), gather each event's
 * output rows in event order first, so post is the (n_events, steps, bins) array they read. */
#define RX_REPLAY_POSTERIOR_ROWS 256
int rx_replay_posterior(const float *y, size_t n, int n_out, const float *code, int n_bins,
                        double s2, float *post, rx_error *err);

/* The same posterior from a decoder prepared once for many calls (rx_replay_posterior is one
 * decoder of the outputs, used once):
 * - rx_replay_decoder_outputs: rows are outputs y (n, n_out), decoded against code (n_bins,
 *   n_out): rx_replay_posterior exactly, bit for bit.
 * - rx_replay_decoder_readout: rows are the hidden states h (n, n_rec) of a network whose
 *   outputs are the linear readout y = h W^T + bias (W (n_out, n_rec), bias (n_out,) or NULL)
 *   without output noise. Since y . F_b = h . (F W)_b + bias . F_b, the rows are multiplied with
 *   the folded codebook F W (n_bins, n_rec, one float32 product when the decoder is made) and
 *   bias . F_b joins ||F_b||^2 / 2 (float64): the outputs are never formed, so a quiescent run
 *   needs no readout. Log-probabilities equal rx_replay_posterior's of y up to the float32
 *   rounding of the two products (about 1e-6 ||h|| ||F W|| / s2 instead of 1e-7).
 * rx_replay_decode(d, x, n, s2, post): x (n, n_in) rows (n_in = n_out or n_rec), post (n,
 * n_bins); the blocks, bits and failures of rx_replay_posterior (a non-finite row value named as
 * "output" or "hidden state"; the decoders name non-finite code, weight or bias values). */
typedef struct rx_replay_decoder {
  int n_in, n_bins, folded; /* folded: rows are hidden states */
  float *code;              /* (n_bins, n_in) what the rows are multiplied with */
  double *half;             /* (n_bins,) ||F_b||^2 / 2 - bias . F_b */
} rx_replay_decoder;
int rx_replay_decoder_outputs(rx_replay_decoder *d, const float *code, int n_bins, int n_out,
                              rx_error *err);
int rx_replay_decoder_readout(rx_replay_decoder *d, const float *code, int n_bins, int n_out,
                              const float *w, const float *bias, int n_rec, rx_error *err);
int rx_replay_decode(const rx_replay_decoder *d, const float *x, size_t n, double s2, float *post,
                     rx_error *err);
void rx_replay_decoder_free(rx_replay_decoder *d);
/* Restricts a decoder to the bins with inside[b] != 0 (n_bins flags): the others get
 * probability exactly 0 in every row decoded afterwards (their ||F_b||^2 / 2 becomes +inf, so
 * their log-probability is -inf), and the inside bins are normalised among themselves: the
 * posterior under a prior uniform over the arena's bins (docs/replay.md §2). Fails when no bin is
 * inside. */
int rx_replay_decoder_mask(rx_replay_decoder *d, const unsigned char *inside, rx_error *err);

/* The marginal over y of plane posteriors post (n, ny * nx) (bin b = iy nx + ix): out (n, nx),
 * out[i, ix] = sum over iy of post[i, iy nx + ix], summed in float64 in the order of iy and
 * rounded once. A linear track's posterior along its long axis (docs/replay.md §2). */
void rx_replay_marginal_x(const float *post, size_t n, int nx, int ny, float *out);

/* The posterior mean of each row of post (n, n_bins) (rows need not be normalised: each is
 * divided by its sum) over bins with centres (n_bins, dim) float32: the weighted mean position
 * (dim 1 or 2), or, with circular (dim 1, angles), the circular mean atan2(sum p sin, sum p cos)
 * in [-pi, pi] (0 for a row whose resultant is 0). Writes mean (n, dim). Fails on a negative or
 * non-finite value, a row summing to 0, or a non-finite centre. */
int rx_replay_posterior_mean(const float *post, size_t n, int n_bins, const float *centers, int dim,
                             int circular, double *mean, rx_error *err);

/* ---- the 1-D line score (docs/replay.md §4; Davidson, Kloosterman & Wilson 2009) ---- */

typedef struct rx_line_score_opts {
  int n_speeds;    /* speeds on the grid v_k = v_max (2k - (n_speeds - 1)) / (n_speeds - 1): 121 */
  double v_max;    /* bins per step, 0 <= v_max <= bins: 4 */
  int band;        /* the line's band is +-band bins: 2 */
  int circular;    /* 1: bins are the ring, indices wrap mod bins; 0: a line, no wrap: 0 */
  int n_shuffles;  /* shuffles per null, 0 to 1000000 (0: no nulls, p NaN): 200 */
  double alpha;    /* significant when both p-values < alpha, 0 < alpha <= 1: 0.05 */
  uint32_t seed;   /* the shuffles' key: the driver passes the run's seed: 0 */
  uint32_t stream; /* RX_STREAM_REPLAY */
} rx_line_score_opts;

/* The defaults above (docs/replay.md §4), line (circular 0). */
rx_line_score_opts rx_line_score_opts_default(void);

/* One event's line score. Speeds are in bins per step: times the bin width over dt for rad/s
 * (ring) or m/s (line). */
typedef struct rx_line_score {
  double score; /* R in [0, 1]: the best line's mean over steps of the posterior mass in its band */
  double speed; /* v of the best line, bins per step (> 0: towards higher bin indices) */
  int start;    /* b0, the best line's bin at step 0 (line: may lie outside [0, bins)) */
  double p_column; /* (1 + #{column-cycle null >= R}) / (1 + n_shuffles); NaN without shuffles */
  double p_time;   /* the same under the time-bin shuffle */
  int significant; /* p_column < alpha and p_time < alpha */
} rx_line_score;

/* Line scores of n_events events post (n_events, steps, bins), values >= 0, each step normalised
 * to total mass 1 before scoring (a posterior from rx_replay_posterior already is).
 * Lines: b(t) = b0 + v t at steps t = 0 .. steps - 1, v on the speed grid, visiting bin
 * c(t) = b0 + round(v t) (halves away from zero; none occur on the default grid); the band sum
 * S_t(c) = sum over |d| <= band of P_t(c + d). Ring: indices mod bins, every b0 in [0, bins).
 * Line: bins outside [0, bins) hold no mass, and b0 takes every value for which the line's band
 * meets the track at some step, b0 in [-band - max_t round(v t), bins - 1 + band - min_t round(v
 * t)], so lines may enter or leave the track during the event (outside it they collect 0).
 * R = max over lines of (1 / steps) sum_t S_t(c(t)). Ties go to the slowest |v|, then the
 * negative v, then the lowest b0.
 * Exactness: the band sums are rounded once to integers in units of 2^-q, q = 30 - ceil(log2
 * steps) (2^-25 for 25 steps), and every line sum is an exact integer sum: the score is the real
 * definition to within 2^-(q+1) per step, independent of the order of the sums, and a null ties
 * with R exactly when its best line collects the same rounded mass.
 * Nulls, each n_shuffles scorings of a shuffled event:
 *  - column cycle, shuffle s of event id: rx_rng(seed, stream; id, s, 0) draws, for t = 0 ..
 *    steps - 1 in order, r_t = floor(u bins) (u = rx_rng_uniform); step t's posterior is rotated
 *    circularly, P'_t(c) = P_t((c - r_t) mod bins) (on a line too; its band sums are then taken
 *    from the rotated posterior, without wrap);
 *  - time bin, shuffle s: rx_rng(seed, stream; id, s, 1), perm = identity, for j = steps - 1
 *    down to 1: r = floor(u (j + 1)), swap perm[j], perm[r]; step t of the shuffled event is
 *    step perm[t].
 * Writes out (n_events,). null_column and null_time (n_events, n_shuffles), either may be NULL,
 * get each shuffle's R. When both are NULL a shuffle is only settled against R (bounds decide
 * most without summing every line): the same p-values, 1.2 to 1.4x faster. To show the null
 * distributions of a few events, score those again with their ids and the null arrays.
 * Parallel over events (opts NULL: the defaults).
 * Cost: (1 + 2 n_shuffles) n_speeds lines' sums of `steps` values per b0, for bins values of b0
 * (ring) or about bins + v_max steps (line); 16 b0 per vector add. Measured: docs/replay.md §4.
 * Fails (one line, nothing written) on n_events < 1, steps < 2 or > 65536, bins <= 2 band + 1,
 * a bad option, or a negative or non-finite value or a step with no mass (naming event and step).
 */
int rx_replay_line_scores(const float *post, size_t n_events, int steps, int bins,
                          const rx_line_score_opts *opts, uint32_t first_id, rx_line_score *out,
                          double *null_column, double *null_time, rx_error *err);

/* ---- the 2-D constant-velocity score (docs/replay.md §5) ---- */

typedef struct rx_path_score_opts {
  int n_shuffles;  /* time-bin shuffles, 0 to 1000000 (0: p NaN): 200 */
  double alpha;    /* significant when p < alpha: 0.05 */
  uint32_t seed;   /* 0 */
  uint32_t stream; /* RX_STREAM_REPLAY */
} rx_path_score_opts;

rx_path_score_opts rx_path_score_opts_default(void);

/* One 2-D event's score. Units: those of the centres (or points) per step. */
typedef struct rx_path_score {
  double r2;          /* R^2 of the constant-velocity fit, posterior weighted; NaN: nothing moves */
  double start[2];    /* y0, the fitted position at step 0 */
  double velocity[2]; /* v, per step */
  double speed;       /* |v| */
  double path_length; /* sum_t |m_(t+1) - m_t| over the per-step posterior means m_t (or points) */
  double straightness; /* |m_(steps-1) - m_0| / path_length; NaN for a path of length 0 */
  double max_jump;     /* max_t |m_(t+1) - m_t| */
  double p_time;       /* (1 + #{null R^2 >= R^2}) / (1 + n_shuffles); NaN without shuffles or r2 */
  int significant;     /* p_time < alpha */
} rx_path_score;

/* Scores n_events events post (n_events, steps, n_bins) over bins with centres (n_bins, 2)
 * (a plane grid's, or any subset of bins, e.g. those inside a circular arena). Each step is
 * normalised to mass 1, so every step weighs the same. The fit minimises the posterior-weighted
 * squared error SS_res = sum_t sum_b P_t(b) |x_b - y0 - v t|^2; SS_tot = sum_t sum_b P_t(b)
 * |x_b - xbar|^2 (xbar the overall mean); R^2 = 1 - SS_res / SS_tot. Both include the
 * posteriors' own spread, so a diffuse posterior scores low even when its means line up. The
 * null permutes the steps (Fisher-Yates from rx_rng(seed, stream; id, s, 2), as for the line
 * score's time shuffle); a shuffle counts as >= when its R^2 is within 1e-12 (of the total
 * variance of the means, relative) of R^2 or above, so exact ties are not lost to round-off.
 * null_r2 (n_events, n_shuffles) may be NULL. Parallel over events, the same results for any
 * thread count or batch. Fails (one line) on n_events < 1, steps < 3, n_bins < 1, a bad option,
 * a non-finite centre, or a negative or non-finite value or a step with no mass. */
int rx_replay_path_scores(const float *post, size_t n_events, int steps, int n_bins,
                          const float *centers, const rx_path_score_opts *opts, uint32_t first_id,
                          rx_path_score *out, double *null_r2, rx_error *err);

/* The same for decoded points (n_events, steps, 2): each step's mean is its point and its spread
 * 0 (the ordinary least-squares fit). Fails on a non-finite point, naming event and step. */
int rx_replay_path_scores_points(const float *points, size_t n_events, int steps,
                                 const rx_path_score_opts *opts, uint32_t first_id,
                                 rx_path_score *out, double *null_r2, rx_error *err);

/* ---- summaries (docs/replay.md §1) ---- */

typedef struct rx_replay_summary {
  size_t n_events, n_significant;
  double fraction_significant; /* n_significant / n_events */
  /* medians (numpy's rule, rx_percentile) of the significant events' speeds (NaN: none):
   * line scores: signed bins per step, so > 0 means replay towards higher bins (counter-
   * clockwise on the ring); path scores: |v| (median_speed = median_abs_speed) */
  double median_speed, median_abs_speed;
  double median_abs_speed_all; /* median |speed| over every event */
} rx_replay_summary;

/* Summaries of n >= 1 scored events. Fail only on n = 0 or NULL arguments. */
int rx_replay_summarize_line(const rx_line_score *s, size_t n, rx_replay_summary *out,
                             rx_error *err);
int rx_replay_summarize_path(const rx_path_score *s, size_t n, rx_replay_summary *out,
                             rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
