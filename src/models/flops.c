/* Floating-point operations of a training step's products (2 m n k per GEMM), for
 * `reactivate bench` (GFLOP/s achieved) and the reproduction planner (time estimates). Only the
 * products are counted: the element-wise work is small next to them at the paper's sizes. */
#include "models/rnn_internal.h"

/* 2 m n k for every GEMM of one forward (with readout) and one backward from codes. */
double rx_rnn_train_flops(const rx_rnn_spec *s, int B, int T) {
  const double N = s->n_rec, I = s->n_in, O = s->n_out, C = s->n_init, TB = (double)T * B;
  const double G = s->kind == RX_MODEL_GRU ? 3.0 : 1.0;
  double fwd = 2 * B * N * C        /* encoder */
               + 2 * TB * G * N * I /* input maps */
               + 2 * TB * G * N * N /* recurrence: W_rec, or [U_z; U_r] and U_h */
               + 2 * TB * O * N;    /* readout */
  double bwd = 2 * TB * N * O       /* dh = dy W_out */
               + 2 * O * N * TB     /* dW_out */
               + 2 * TB * G * N * N /* BPTT through the recurrence */
               + 2 * G * N * N * TB /* dW_rec (dU) */
               + 2 * G * N * I * TB /* dW_in */
               + 2 * N * C * B;     /* dE */
  return fwd + bwd;
}

/* With low-rank targets (readout.c, readout_low_rank): dh and dW_out from h^T h and F^T h
 * instead of two products with dL/dy. */
double rx_rnn_forward_loss_flops(const rx_rnn_spec *s, int B, int T, const rx_row_loss *loss) {
  const double full = rx_rnn_train_flops(s, B, T);
  const int n_feat = loss ? loss->low_rank.n_feat : 0;
  if (n_feat <= 0 || !rxm_low_rank_ok(s, s->sigma_out)) return full;
  const double N = s->n_rec, O = s->n_out, F = n_feat, TB = (double)T * B;
  return full - 2 * (2 * TB * O * N)             /* no dh = dy W_out, no dW_out = dy^T h */
         + 2 * (2 * TB * N * N + 2 * TB * F * N) /* h G and F C; h^T h and F^T h */
         + 2 * (2 * N * N * O + 2 * F * N * O);  /* G, C; W_out (h^T h), Z^T (F^T h) */
}
