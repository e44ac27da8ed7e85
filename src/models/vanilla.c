/* The continuous-time vanilla RNN cell (docs/science.md §3.1): forward recurrence and its exact
 * BPTT, side by side. The start of a pass (encoder, noisy inputs; encoder.c) and the readout with
 * its output noise (readout.c) are shared with the GRU. Trajectories are independent, so the batch
 * is cut into tiles (one per core) and each tile runs through all T steps on one thread
 * (single-threaded GEMMs, no barrier per step); every weight gradient is one product over all
 * T B rows afterwards. */
#include <string.h>

#include "models/activation.h"
#include "models/rnn_internal.h"
#include "reactivate/linalg.h"

/* One step's element-wise work on a row, after the GEMMs left a = W_rec h + W_in x in place:
 *   u = a + b_in + b_rec;  h_new = (1 - alpha) h_prev + alpha f(u) + noise (already in h_new);
 *   a <- f'(u), kept for backward. One loop per activation (tanh and sigmoid first store their
 *   clamped exp argument in a, see activation.h), so that every loop vectorises. */
static void vanilla_row(rx_activation act, int N, float alpha, const float *restrict bsum,
                        const float *restrict hp /* (N) */, float *restrict hn /* (N) */,
                        float *restrict a /* (N) */) {
  const float leak = 1.0f - alpha;
#define RX_VANILLA_LOOP(U, F, FP)                                                                  \
  for (int j = 0; j < N; j++) {                                                                    \
    const float u = (U);                                                                           \
    const float f = (F);                                                                           \
    hn[j] = leak * hp[j] + alpha * f + hn[j];                                                      \
    a[j] = (FP);                                                                                   \
  }
  switch (act) {
  case RX_ACT_RELU: {
    for (int j = 0; j < N; j++) {
      const float u = a[j] + bsum[j];
      const int on = u > 0.0f;
      hn[j] = leak * hp[j] + alpha * (on ? u : 0.0f) + hn[j];
      a[j] = (float)on;
    }
  } break;
  case RX_ACT_TANH:
    for (int j = 0; j < N; j++)
      a[j] = rxm_exp_arg(2.0f * (a[j] + bsum[j]));
    RX_VANILLA_LOOP(a[j], rxm_tanh_t(u), 1.0f - f * f)
    break;
  case RX_ACT_SIGMOID:
    for (int j = 0; j < N; j++)
      a[j] = rxm_exp_arg(-(a[j] + bsum[j]));
    RX_VANILLA_LOOP(a[j], rxm_sigmoid_t(u), f * (1.0f - f))
    break;
  default:
    RX_VANILLA_LOOP(a[j] + bsum[j], u, 1.0f) break;
  }
#undef RX_VANILLA_LOOP
}

/* Forward: for t = 1..T
 *   a_t (B, N) = h_{t-1} (B, N) W_rec^T + xn_t (B, I) W_in^T        [ws->pre, step t]
 *   h_t (B, N) = (1 - alpha) h_{t-1} + alpha f(a_t + b) + sigma_rec xi_rec    [ws->h]  */
void rxm_vanilla_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, T = ws->T, N = s->n_rec, I = s->n_in;
  const size_t BN = (size_t)B * N;
  const float *W_in = rnn->w + L.in_w;   /* (N, I) */
  const float *W_rec = rnn->w + L.rec_w; /* (N, N) */
  const rx_noise *nz = run->noise;
  const float sigma = nz ? nz->sigma_rec : 0.0f;
  const int tiles = RXM_TILES_BATCH(B);
#pragma omp parallel for schedule(static)
  for (int tile = 0; tile < tiles; tile++) {
    int b0, b1;
    rx_tile_rows(B, tiles, tile, &b0, &b1);
    const int nb = b1 - b0;
    for (int t = 0; t < T && nb > 0; t++) {
      const float *hp = ws->h + t * BN + (size_t)b0 * N; /* (nb, N) h_{t-1} (1-based t) */
      float *hn = ws->h + (t + 1) * BN + (size_t)b0 * N; /* (nb, N) h_t */
      float *a = ws->pre + t * BN + (size_t)b0 * N;      /* (nb, N) */
      rx_gemm(0, 1, nb, N, N, 1.0f, hp, N, W_rec, N, 0.0f, a, N);
      for (int r = 0; r < nb; r++) {
        float *restrict ar = a + (size_t)r * N;
        if (ws->has_input) /* + W_in x: n_in is the task's dimension (1 or 2), so in the row */
          for (int k = 0; k < I; k++) {
            const float xk = ws->xn[((size_t)t * B + b0 + r) * I + k];
            for (int j = 0; j < N; j++)
              ar[j] += xk * W_in[(size_t)j * I + k];
          }
        float *hr = hn + (size_t)r * N;
        if (nz && sigma > 0.0f)
          rxm_noise_row(nz, run, 1, b0 + r, t, sigma, hr, (size_t)N);
        else
          memset(hr, 0, (size_t)N * sizeof(float));
        vanilla_row(s->act, N, s->alpha, ws->bsum, hp + (size_t)r * N, hr, ar);
      }
    }
  }
}

/* Backward: ws->dh holds dL/dh_t through the readout. For t = T..1, with carry = dL/dh_t from
 * later steps (zero at T):
 *   d = dh_t + carry;  du_t = alpha f'(u_t) d            [overwrites f'(u_t) in ws->pre]
 *   carry (B, N) = (1 - alpha) d + du_t (B, N) W_rec (N, N)
 * then dW_rec = du^T h_{0..T-1}, dW_in = du^T xn, b_in and b_rec get column sums of du, and the
 * carry left is dL/dh_0 for the encoder. */
void rxm_vanilla_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, T = ws->T, N = s->n_rec, I = s->n_in;
  const size_t BN = (size_t)B * N;
  const float alpha = s->alpha, leak = 1.0f - alpha;
  const float *W_rec = rnn->w + L.rec_w; /* (N, N) */
  const int tiles = RXM_TILES_BATCH(B);
#pragma omp parallel for schedule(static)
  for (int tile = 0; tile < tiles; tile++) {
    int b0, b1;
    rx_tile_rows(B, tiles, tile, &b0, &b1);
    const int nb = b1 - b0;
    float *c = ws->carry + (size_t)b0 * N; /* (nb, N) */
    if (nb > 0) memset(c, 0, (size_t)nb * N * sizeof(float));
    for (int t = T - 1; t >= 0 && nb > 0; t--) {
      const float *dh = ws->dh + t * BN + (size_t)b0 * N; /* (nb, N) */
      float *a = ws->pre + t * BN + (size_t)b0 * N;       /* (nb, N) f'(u) -> du */
      for (size_t e = 0; e < (size_t)nb * N; e++) {
        const float d = dh[e] + c[e];
        a[e] = alpha * a[e] * d;
        c[e] = leak * d;
      }
      if (t > 0 || ws->from_codes) rx_gemm(0, 0, nb, N, N, 1.0f, a, N, W_rec, N, 1.0f, c, N);
    }
  }
  const int rows = T * B;
  /* dW_rec (N, N) = du^T (N, T B) h_{0..T-1} (T B, N) */
  rx_gemm_sum_rows(N, N, rows, ws->pre, N, ws->h, N, grad + L.rec_w, N, ws->kpart);
  /* dW_in (N, I) = du^T (N, T B) xn (T B, I) */
  if (ws->has_input)
    rx_gemm_sum_rows(N, I, rows, ws->pre, N, ws->xn, I, grad + L.in_w, I, ws->kpart);
  if (s->bias) {
    rx_colsum(ws->pre, (size_t)rows, N, N, grad + L.rec_b);
    memcpy(grad + L.in_b, grad + L.rec_b, (size_t)N * sizeof(float));
  }
}
