/* Shared internals of the two cells: the weight layout, the workspace, and the pieces both run
 * (encoder, readout with output noise, noise rows, bias sums, weight-gradient sums). The cells
 * themselves live in vanilla.c and gru.c, the readout in readout.c; rnn.c holds creation,
 * initialisation and dispatch. */
#ifndef RX_MODELS_RNN_INTERNAL_H
#define RX_MODELS_RNN_INTERNAL_H

#include <stddef.h>

#include "reactivate/rng.h"
#include "reactivate/rnn.h"

/* Where each block lives in rnn->w. G = 1 gate block (vanilla) or 3 (GRU: z, r, h stacked, so
 * [U_z; U_r] is one (2N, N) matrix and the input maps are one (3N, n_in) matrix):
 *   enc_w (N, n_init), enc_b (N), in_w (G N, n_in), in_b (G N), rec_w (G N, N), rec_b (G N),
 *   out_w (n_out, N), out_b (n_out). Bias offsets are meaningful only when spec.bias. */
typedef struct rx_rnn_layout {
  int G;
  size_t enc_w, enc_b, in_w, in_b, rec_w, rec_b, out_w, out_b, n;
} rx_rnn_layout;

rx_rnn_layout rx_rnn_layout_of(const rx_rnn_spec *spec);

struct rx_rnn_workspace {
  rx_rnn_spec spec;
  int cap_B, cap_T;
  /* The last forward pass (all arrays use its B, time-major, rows contiguous). */
  int B, T;
  int fwd_ok;     /* a forward with readout ran: backward allowed */
  int has_input;  /* xn holds inputs (x or input noise); otherwise they were zero */
  int from_codes; /* h_0 = E c (+ b): backward fills the encoder gradient */
  float *h;       /* (T+1, B, N) h_0 .. h_T */
  float *xn;      /* (T, B, n_in) noisy inputs */
  float *c;       /* (B, n_init) copy of the initial codes */
  float *pre;     /* (T, B, G N) vanilla: f'(u_t), then du_t; GRU: see gru.c */
  float *gh;      /* (T, B, N) GRU only: g_t * h_{t-1} */
  float *dh;      /* (T, B, N) backward: dL/dh_t through the readout, then scratch */
  float *carry;   /* (B, N) backward: dL/dh_{t-1} carried through time */
  float *bsum;    /* (G N) summed biases of the recurrent pre-activation */
  /* rx_rnn_forward_loss (readout.c), made on its first call: per group of readout tiles, a
   * tile of outputs (RX_READOUT_TILE, n_out) and partial sums of dW_out (n_out, N) and of the
   * output bias's gradient (n_out, double). */
  int tile_groups;
  float *tile_y, *tile_dw;
  double *tile_db;
  float *kpart; /* rx_gemm_sum_rows: the partial sums of its row groups after the first */
  /* rx_rnn_forward_loss with low-rank targets (readout.c), made on first use for up to lr_cap
   * features: per group a tile of features (RX_READOUT_TILE, n_feat) and partial sums of h^T h
   * (N, N) and F^T h (n_feat, N); W_out^T W_out (N, N) and Z W_out (n_feat, N). */
  int lr_cap;
  float *lr_f, *lr_hh, *lr_fh, *lr_g, *lr_c;
};

/* out (n) = sigma * U[0, 1) (uniform) or sigma * N(0, 1) (gaussian) from Philox4x32-10 keyed
 * (k0, k1) at counters (0.., c1, c2, c3): bit-identical to rx_rng_fill_uniformf/normalf on an
 * rx_rng initialised at (k0, k1; c1, c2, c3), with the words generated 16 blocks at a time
 * (noise.c). */
void rx_noise_fill(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, int gaussian,
                   float sigma, float *out, size_t n);

/* Fills out (n,) with one row of noise: trajectory b, local step t, K = 0 input, 1 recurrent,
 * 2 output; the draws of rx_rng(seed, stream + K; index, b, t0 + t). Output noise is always
 * Gaussian. */
static inline void rx_noise_row(const rx_noise *nz, const rx_rnn_run *run, int K, int b, int t,
                                float sigma, float *out, size_t n) {
  rx_noise_fill(nz->seed, nz->stream + (uint32_t)K, nz->index, (uint32_t)b, (uint32_t)(run->t0 + t),
                K == 2 || nz->kind == RX_NOISE_GAUSSIAN, sigma, out, n);
}

/* Shared steps of a forward pass (rnn.c). */
/* Sets ws->B, T, flags; h_0 from c (encoder) or h0; noisy inputs into ws->xn. */
void rx_rnn_forward_begin(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run);
/* y (T, B, n_out) = h_1..T W_out^T + b_out + sigma_out xi_out: one product over T B rows. */
void rx_rnn_readout_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                            float *y);
/* ws->dh (T, B, N) = dy W_out; grad of w_out, b_out. */
void rx_rnn_readout_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, const float *dy, float *grad);
/* Whether the readout's backward pass may use low-rank targets: only without an output bias
 * and output noise (either makes dL/dy more than y - F Z). One rule for readout.c and for the
 * FLOP count. */
static inline int rx_readout_low_rank_ok(const rx_rnn_spec *s, float sigma_out) {
  return !s->bias && !(sigma_out > 0.0f);
}
/* After the recurrence: the readout, the loss and, when grad is not NULL, the readout's backward
 * pass (ws->dh, grad of w_out and b_out) tile by tile (readout.c). RX_OK or RX_ENOMEM. */
int rx_rnn_readout_loss(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                        const rx_rnn_loss *loss, float *grad);
/* grad of encoder from ws->carry = dL/dh_0 (zero when the run started from h0). */
void rx_rnn_encoder_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad);
/* out (cols,) = sum over rows of a (rows, cols; leading dimension lda), summed in row order in
 * double: the same bits whatever the thread count. */
void rx_colsum(const float *a, size_t rows, int cols, int lda, float *out);
/* Row tiles (see rnn.c): how many tiles of at least min_rows rows (at most max_rows when > 0) to
 * cut rows into, and tile i's rows [*r0, *r1). Fixed per shape and machine, never per thread
 * count, so results are bit-identical for any number of threads. */
int rx_tiles(int rows, int min_rows, int max_rows);
void rx_tile_rows(int rows, int tiles, int i, int *r0, int *r1);
/* rx_gemm as `tiles` single-threaded calls on row tiles of C, shared out over the threads. */
void rx_gemm_tiled(int tiles, int trans_a, int trans_b, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
/* C (m, n) = A^T B for A (k, m) and B (k, n) with many rows k (a weight gradient summed over all
 * T B rows): the rows are cut into rx_kgroups(k) fixed consecutive groups, one single-threaded
 * product each; the first writes C, the others partial sums into ws->kpart, added to C in group
 * order (the same bits for any thread count). Cutting the long sum rather than C's rows keeps
 * each product the full width of C, which OpenBLAS runs faster: dW_rec of the 512-unit network
 * 52 ms instead of 63 on 2 cores, of the 128-unit one 3.5 instead of 4.0. m n must fit the
 * workspace's (G N) max(N, n_in). */
void rx_gemm_sum_rows(rx_rnn_workspace *ws, int m, int n, int k, const float *a, int lda,
                      const float *b, int ldb, float *c, int ldc);
#define RX_MAX_KGROUPS 8
/* Groups of at least 128 rows, one per core, at most RX_MAX_KGROUPS. */
int rx_kgroups(int k);
/* Tiles for the big products: over T B rows (readout), and over weight rows (gradients). */
#define RX_TILES_TB(rows) rx_tiles((rows), 64, 512)
#define RX_TILES_W(rows) rx_tiles((rows), 64, 0)
/* Batch tiles of the recurrence: each tile runs its trajectories through all T steps. */
#define RX_TILES_BATCH(B) rx_tiles((B), 32, 0)

void rx_vanilla_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run);
void rx_vanilla_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad);
void rx_gru_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run);
void rx_gru_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad);

#endif
