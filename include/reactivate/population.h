/* Population codes (docs/science.md §2): place cells (softmax of Gaussians, optional difference of
 * Gaussians) and head-direction cells (peak-1 von Mises), with top-k decoders. The code maps
 * positions/headings to the n_out targets the network is trained on, and decodes outputs back. */
#ifndef RX_POPULATION_H
#define RX_POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"
#include "reactivate/loss.h"
#include "reactivate/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rx_population {
  rx_task_kind kind;
  int n;        /* number of cells */
  int dim;      /* 2 (centres x, y) or 1 (preferred angles) */
  int k;        /* decode from the k most active cells */
  double sigma; /* place cells: Gaussian width sigma_pc (m) */
  int dog;      /* place cells: difference of Gaussians */
  double surround_scale;
  double spread;  /* head-direction cells: angular spread (rad); kappa = 1/spread^2 */
  int identity;   /* see rx_population_spec */
  float *centers; /* (n, dim): place-cell centres or preferred angles */
} rx_population;

typedef struct rx_population_spec {
  rx_task_kind kind;
  int n, k;
  double sigma, surround_scale, spread;
  int dog;
  double box_width, box_height; /* place-cell centres are uniform in this box ... */
  rx_arena_spec arena;          /* ... or in this arena (a zeroed spec is that box) */
  /* use_place_cells / use_hd_cells false: no cells; the code is the position itself (x, y)
   * (n = 2) or (cos h, sin h) for a heading (n = 2), decoded exactly (atan2 for headings). */
  int identity;
} rx_population_spec;

/* Creates the code; place-cell centres are drawn from rx_rng(seed, RX_STREAM_POPCODE; 0, 0, 0). */
int rx_population_create(rx_population **out, const rx_population_spec *spec, uint32_t seed,
                         rx_error *err);
/* Creates a code with the given centres (n x dim floats, copied), e.g. from a checkpoint. */
int rx_population_create_with_centers(rx_population **out, const rx_population_spec *spec,
                                      const float *centers, rx_error *err);
void rx_population_free(rx_population *pop);

/* code (m, n) = activations at pos (m, dim). Parallel over rows; deterministic. */
void rx_population_encode(const rx_population *pop, const float *pos, size_t m, float *code);
/* pos (m, dim) = top-k decode of code (m, n). */
void rx_population_decode(const rx_population *pop, const float *code, size_t m, float *pos);
/* Mean over the m*dim elements of the squared difference between decoded and true positions;
 * for headings the difference is wrapped into [-pi, pi) first. */
double rx_population_error(const rx_population *pop, const float *decoded, const float *truth,
                           size_t m);

/* ---- the training loss on population codes (docs/science.md §4) */

/* Over the m rows of outputs y (m, pop->n) against the code of positions pos (m, pop->dim):
 * - *loss = mean over the m n elements of (y - code)^2 (0 for m = 0), code being the bits
 *   rx_population_encode writes for pos;
 * - dy (NULL, or y itself: the gradient then overwrites the outputs) = 2 (y - code) / (m n);
 * - *error (skipped when error is NULL) = rx_population_error of the top-k decode of y against
 *   pos (NaN for m = 0); each row is decoded before dy overwrites it.
 * Targets are encoded row by row as they are needed, never stored. Rows are cut into fixed
 * chunks of 16, shared out to the threads; each chunk's sums are kept in double (the loss in 16
 * lanes added pairwise) and the chunks added in order: the same bits for any number of
 * threads. RX_OK, or RX_ENOMEM for the per-call tables. */
int rx_population_mse(const rx_population *pop, const float *y, const float *pos, size_t m,
                      float *dy, double *loss, double *error, rx_error *err);

/* The same loss a block of rows at a time, for whoever produces the outputs in pieces: the
 * training loop hands rx_population_loss_fn to rx_rnn_forward_loss, which calls it a readout
 * tile at a time while the tile is in cache. create allocates, once, for up to cap rows; then
 * per pass: start with m <= cap rows of positions pos (m, dim), which must stay valid until the
 * pass ends; rows() on blocks [r0, r1) with r0 a multiple of RX_LOSS_ALIGN, each row exactly
 * once, from any threads of one OpenMP team (y and dy point at row r0; dy may be y, or NULL for
 * no gradient); total gives what rx_population_mse gives for the same rows, bit for bit. Where
 * the code has a low-rank form with at most a quarter as many features as cells (head-direction
 * cells: exp(kappa (cos(s - theta_i) - 1)) expanded in harmonics of s), the rx_row_loss says so
 * (low_rank), and a producer may then skip forming dLoss/dy. */
typedef struct rx_population_loss rx_population_loss;
int rx_population_loss_create(rx_population_loss **out, const rx_population *pop, size_t cap,
                              rx_error *err);
void rx_population_loss_free(rx_population_loss *l);
/* RX_OK, or RX_EINVAL when m exceeds the capacity. want_error: also the decoding error. */
int rx_population_loss_start(rx_population_loss *l, const float *pos, size_t m, int want_error,
                             rx_error *err);
void rx_population_loss_rows(rx_population_loss *l, size_t r0, size_t r1, const float *y,
                             float *dy);
/* The loss as an rx_row_loss on l (rows() writes dLoss/dy over y when asked for a gradient). */
const rx_row_loss *rx_population_loss_fn(const rx_population_loss *l);
/* *loss, and *error unless NULL (NaN when the pass did not ask for it), of the rows so far. */
void rx_population_loss_total(const rx_population_loss *l, double *loss, double *error);

#ifdef __cplusplus
}
#endif
#endif
