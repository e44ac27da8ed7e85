/* The training loss on population codes (SPEC §4) in one pass over the outputs: targets encoded
 * row by row as they are needed, never stored. Used by the training loop (src/train). */
#ifndef RX_POPULATION_LOSS_H
#define RX_POPULATION_LOSS_H

#include <stddef.h>

#include "reactivate/error.h"
#include "reactivate/population.h"
#include "tasks/population_internal.h"

/* Over the m rows of outputs y (m, pop->n) against the code of positions pos (m, pop->dim):
 * - *loss = mean over the m n elements of (y - code)^2 (0 for m = 0), code being the bits
 *   rx_population_encode writes for pos;
 * - dy (NULL, or y itself: the gradient then overwrites the outputs) = 2 (y - code) / (m n);
 * - *error (skipped when error is NULL) = rx_population_error of the top-k decode of y against
 *   pos (NaN for m = 0); each row is decoded before dy overwrites it.
 * Rows are cut into fixed chunks of 16, shared out to the threads; each chunk's sums are kept in
 * double (the loss in 16 lanes added pairwise) and the chunks added in order: the same bits for
 * any number of threads. RX_OK, or RX_ENOMEM for the per-call tables. */
int rx_population_mse(const rx_population *pop, const float *y, const float *pos, size_t m,
                      float *dy, double *loss, double *error, rx_error *err);

/* The same loss a block of rows at a time, for a caller that produces the outputs in pieces
 * (the training loop, through rx_rnn_forward_loss). init allocates, once, for up to cap rows;
 * then per pass: start with m <= cap rows of positions pos; rx_mse_tally_rows on blocks
 * [r0, r1) with r0 a multiple of RX_MSE_CHUNK, each row exactly once, from any threads of one
 * OpenMP team (y and dy point at row r0; dy may be y, or NULL for no gradient); total gives
 * what rx_population_mse gives for the same rows, bit for bit. free releases it. */
#define RX_MSE_CHUNK 16 /* rows per partial sum */
typedef struct rx_mse_tally {
  const rx_population *pop;
  const float *pos;
  size_t cap, m, n_chunks, stride;
  int want_error, n_scratch;
  float scale;
  rx_pop_rows rw;
  double *part;   /* (2, n_chunks): per 16-row chunk, the loss and the squared decode error */
  float *scratch; /* (n_scratch, stride): a target row per thread */
} rx_mse_tally;

int rx_mse_tally_init(rx_mse_tally *t, const rx_population *pop, size_t cap, rx_error *err);
void rx_mse_tally_start(rx_mse_tally *t, const float *pos, size_t m, int want_error);
void rx_mse_tally_rows(rx_mse_tally *t, size_t r0, size_t r1, const float *y, float *dy);
void rx_mse_tally_total(const rx_mse_tally *t, double *loss, double *error);
void rx_mse_tally_free(rx_mse_tally *t);

#endif
