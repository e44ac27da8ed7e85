/* Private to src/models: the weight layout, the workspace, and the pieces both cells run. Where
 * each lives: rnn.c creation, initialisation, workspaces and dispatch; encoder.c the start of a
 * pass (encoder, noisy inputs, bias sums) and the encoder's backward; vanilla.c and gru.c the
 * recurrences; readout.c the readout (with output noise, and tile by tile with a loss); noise.c
 * the noise rows; flops.c the FLOP counts. Helpers shared here carry the prefix rxm_. */
#ifndef RX_MODELS_RNN_INTERNAL_H
#define RX_MODELS_RNN_INTERNAL_H

#include <stddef.h>

#include "reactivate/linalg.h"
#include "reactivate/rng.h"
#include "reactivate/rnn.h"

/* Where each block lives in rnn->w. G = 1 gate block (vanilla) or 3 (GRU: z, r, h stacked, so
 * [U_z; U_r] is one (2N, N) matrix and the input maps are one (3N, n_in) matrix):
 *   enc_w (N, n_init), enc_b (N), in_w (G N, n_in), in_b (G N), rec_w (G N, N), rec_b (G N),
 *   out_w (n_out, N), out_b (n_out). Bias offsets are meaningful only when spec.bias. */
typedef struct rxm_layout {
  int G;
  size_t enc_w, enc_b, in_w, in_b, rec_w, rec_b, out_w, out_b, n;
} rxm_layout;

rxm_layout rxm_layout_of(const rx_rnn_spec *spec);

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
  /* The mechanisms (vanilla.c): their state (B, 2N), per row a_t then v_t, set from run->state0
   * (or zero) by rxm_forward_begin and updated in place by the forward pass; and backward's
   * carries (B, N) dL/da_t and dL/dv_t. */
  float *mech, *carry_a, *carry_v;
  float *bsum; /* (G N) summed biases of the recurrent pre-activation */
  /* rx_gemm_sum_rows's partial sums of its row groups after the first, for products up to
   * (G N) x max(N, n_in) */
  float *kpart;
  /* rx_rnn_forward_loss (readout.c), made on its first call: per group of readout tiles, a
   * tile of outputs (RXM_READOUT_TILE, n_out) and partial sums of dW_out (n_out, N) and of the
   * output bias's gradient (n_out, double). */
  int tile_groups;
  float *tile_y, *tile_dw;
  double *tile_db;
  /* rx_rnn_forward_loss with low-rank targets (readout.c), made on first use for up to lr_cap
   * features: per group a tile of features (RXM_READOUT_TILE, n_feat) and partial sums of h^T h
   * (N, N) and F^T h (n_feat, N); W_out^T W_out (N, N) and Z W_out (n_feat, N). */
  int lr_cap;
  float *lr_f, *lr_hh, *lr_fh, *lr_g, *lr_c;
};

/* ---- noise (noise.c) */

/* out (n) = sigma * U[0, 1) (uniform) or sigma * N(0, 1) (gaussian) from Philox4x32-10 keyed
 * (k0, k1) at counters (0.., c1, c2, c3): bit-identical to rx_rng_fill_uniformf/normalf on an
 * rx_rng initialised at (k0, k1; c1, c2, c3), with the words generated 16 blocks at a time. */
void rxm_noise_fill(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, int gaussian,
                    float sigma, float *out, size_t n);

/* Fills out (n,) with one row of noise: trajectory b, local step t, K = 0 input, 1 recurrent,
 * 2 output; the draws of rx_rng(seed, stream + K; index, b, t0 + t). Output noise is always
 * Gaussian. */
static inline void rxm_noise_row(const rx_noise *nz, const rx_rnn_run *run, int K, int b, int t,
                                 float sigma, float *out, size_t n) {
  rxm_noise_fill(nz->seed, nz->stream + (uint32_t)K, nz->index, (uint32_t)b,
                 (uint32_t)(run->t0 + t), K == 2 || nz->kind == RX_NOISE_GAUSSIAN, sigma, out, n);
}

/* ---- tiles: every product of a pass is cut by these (rx_gemm_tiled, linalg.h) */

/* Over T B rows (readout), over weight rows (gradients), and batch tiles of the recurrence
 * (each tile runs its trajectories through all T steps). */
#define RXM_TILES_TB(rows) rx_tile_count((rows), 64, 512)
#define RXM_TILES_W(rows) rx_tile_count((rows), 64, 0)
#define RXM_TILES_BATCH(B) rx_tile_count((B), 32, 0)
/* Rows per readout tile of rx_rnn_forward_loss (a multiple of RX_LOSS_ALIGN). */
#define RXM_READOUT_TILE 256
_Static_assert(RXM_READOUT_TILE % RX_LOSS_ALIGN == 0, "readout tiles cover whole loss chunks");

/* ---- the start and end of a pass (encoder.c) */

/* Sets ws->B, T, flags; h_0 from c (encoder) or h0; the mechanisms' state ws->mech from state0
 * (or zero; zero for a mechanism that is off); noisy inputs into ws->xn; ws->bsum. */
void rxm_forward_begin(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run);
/* grad of encoder from ws->carry = dL/dh_0 (zero when the run started from h0). */
void rxm_encoder_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad);

/* ---- the cells (vanilla.c, gru.c): the recurrence after rxm_forward_begin, and BPTT from
 * ws->dh (dL/dh_t through the readout) */

void rxm_vanilla_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run);
void rxm_vanilla_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad);
void rxm_gru_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run);
void rxm_gru_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad);

/* ---- the readout (readout.c) */

/* y (T, B, n_out) = h_1..T W_out^T + b_out + sigma_out xi_out: one product over T B rows. */
void rxm_readout_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run, float *y);
/* ws->dh (T, B, N) = dy W_out; grad of w_out, b_out. */
void rxm_readout_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, const float *dy, float *grad);
/* Whether the readout's backward pass may use low-rank targets: only without an output bias
 * and output noise (either makes dL/dy more than y - F Z). One rule for readout.c and for the
 * FLOP count. */
static inline int rxm_low_rank_ok(const rx_rnn_spec *s, float sigma_out) {
  return !s->bias && !(sigma_out > 0.0f);
}
/* After the recurrence: the readout, the loss and, when grad is not NULL, the readout's backward
 * pass (ws->dh, grad of w_out and b_out) tile by tile. RX_OK or RX_ENOMEM, with err filled. */
int rxm_readout_loss(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                     const rx_row_loss *loss, float *grad, rx_error *err);

#endif
