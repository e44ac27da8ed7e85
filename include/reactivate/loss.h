/* A loss on a network's outputs, handed the outputs a block of rows at a time: the contract
 * between what makes the outputs (the readout of rx_rnn_forward_loss, src/models) and what
 * scores them (the population-code loss rx_population_loss, src/tasks, or a caller's own). The
 * two sides know this header and nothing of each other; the trainer only connects them. */
#ifndef RX_LOSS_H
#define RX_LOSS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Blocks start on a multiple of RX_LOSS_ALIGN rows. */
#define RX_LOSS_ALIGN 16

/* rows(ctx, r0, m, y, want_grad): y holds rows [r0, r0 + m) of the (R, n_out) outputs, n_out
 * floats per row (for a network pass, row r is trajectory r mod B at step r / B, R = T B).
 * rows() adds their loss to its own tallies and, when want_grad, overwrites y with dLoss/dy for
 * those rows. r0 is a multiple of RX_LOSS_ALIGN, m >= 1, and every row comes exactly once per
 * pass. Blocks of different rows are handed to several threads at once: keep tallies per
 * RX_LOSS_ALIGN-row chunk (a block covers whole chunks, except at the end) and add them in row
 * order afterwards, for a total that does not depend on the thread count.
 *
 * low_rank (optional, n_feat = 0: none) describes a structure of the loss that a producer may
 * exploit: the loss is scale * sum (y - t)^2 over all rows and outputs, with targets of low rank
 * t = F Z, Z (n_feat, n_out) given, F (R, n_feat) the rows' features, which features(ctx, r0,
 * m, f) writes for rows [r0, r0 + m) into f (m, n_feat) (called like rows()). A producer that
 * uses it calls rows() with want_grad = 0, for the tallies only, and computes the gradient from
 * F and Z itself; one that does not simply ignores it. */
typedef struct rx_row_loss {
  void (*rows)(void *ctx, size_t r0, size_t m, float *y, int want_grad);
  void *ctx;
  struct {
    int n_feat;
    const float *z; /* (n_feat, n_out) */
    float scale;
    void (*features)(void *ctx, size_t r0, size_t m, float *f);
  } low_rank;
} rx_row_loss;

#ifdef __cplusplus
}
#endif
#endif
