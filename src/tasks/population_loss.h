/* The training loss on population codes (SPEC §4) in one pass over the outputs: targets encoded
 * row by row as they are needed, never stored. Used by the training loop (src/train). */
#ifndef RX_POPULATION_LOSS_H
#define RX_POPULATION_LOSS_H

#include <stddef.h>

#include "reactivate/error.h"
#include "reactivate/population.h"

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

#endif
