/* The continuous-time GRU cell (docs/science.md §3.2): forward recurrence and its exact BPTT, side
 * by side. Gate weights are stacked ([U_z; U_r; U_h] (3N, N), [W_z; W_r; W_h] (3N, n_in)) so each
 * step is two GEMMs; the start of a pass (encoder, noisy inputs; encoder.c) and the readout with
 * its output noise (readout.c) are shared with the vanilla cell. Each batch tile runs through all T
 * steps on one thread; weight gradients are single products. */
#include <string.h>

#include "models/activation.h"
#include "models/rnn_internal.h"
#include "reactivate/linalg.h"

/* ws->pre (T, B, 3N) holds per row [z | g | f(u)] after forward and [da_z | da_r | du] after
 * backward (da = gradient w.r.t. the gate's pre-activation); ws->gh (T, B, N) holds g * h_{t-1}. */

/* Gates of one row: p[0:2N] = W_{z,r} x + U_{z,r} h on entry, z and g on exit; gh = g * hp. */
static void gru_gates_row(int N, const float *restrict bsum, const float *restrict hp /* (N) */,
                          float *restrict p /* (3N) */, float *restrict gh /* (N) */) {
  rxm_sigmoid_row(p, bsum, 2 * N);
  for (int j = 0; j < N; j++)
    gh[j] = p[N + j] * hp[j];
}

/* Candidate and update of one row: p[2N:3N] = W_h x + U_h (g h) on entry, f(u) on exit;
 * h_new = hp + alpha (1 - z) (f - hp) + noise (already in hn). One loop per activation (tanh
 * and sigmoid first store their clamped exp argument, see activation.h), so each vectorises. */
static void gru_update_row(rx_activation act, int N, float alpha, const float *restrict bsum,
                           const float *restrict hp /* (N) */, float *restrict hn /* (N) */,
                           float *restrict p /* (3N) */) {
  const float *restrict z = p, *restrict bh = bsum + 2 * (size_t)N;
  float *restrict a = p + 2 * (size_t)N;
#define RX_GRU_UPDATE_LOOP(U, F)                                                                   \
  for (int j = 0; j < N; j++) {                                                                    \
    const float u = (U);                                                                           \
    const float f = (F);                                                                           \
    hn[j] = hp[j] + alpha * (1.0f - z[j]) * (f - hp[j]) + hn[j];                                   \
    a[j] = f;                                                                                      \
  }
  switch (act) {
  case RX_ACT_RELU:
    RX_GRU_UPDATE_LOOP(a[j] + bh[j], u > 0.0f ? u : 0.0f) break;
  case RX_ACT_TANH:
    for (int j = 0; j < N; j++)
      a[j] = rxm_exp_arg(2.0f * (a[j] + bh[j]));
    RX_GRU_UPDATE_LOOP(a[j], rxm_tanh_t(u))
    break;
  case RX_ACT_SIGMOID:
    for (int j = 0; j < N; j++)
      a[j] = rxm_exp_arg(-(a[j] + bh[j]));
    RX_GRU_UPDATE_LOOP(a[j], rxm_sigmoid_t(u))
    break;
  default:
    RX_GRU_UPDATE_LOOP(a[j] + bh[j], u) break;
  }
#undef RX_GRU_UPDATE_LOOP
}

/* Forward: for t = 1..T (rows of one batch tile)
 *   p_t (B, 3N)       = xn_t (B, I) [W_z; W_r; W_h]^T
 *   p_t[:, 0:2N]     += h_{t-1} (B, N) [U_z; U_r]^T;  z, g = sigmoid(. + b)
 *   p_t[:, 2N:3N]    += (g h_{t-1}) (B, N) U_h^T;     h_t = h_{t-1} + alpha (1 - z)(f - h_{t-1}) */
void rxm_gru_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, T = ws->T, N = s->n_rec, I = s->n_in, N3 = 3 * N;
  const size_t BN = (size_t)B * N;
  const float *W_x = rnn->w + L.in_w;                      /* (3N, I) */
  const float *U_zr = rnn->w + L.rec_w;                    /* (2N, N) */
  const float *U_h = rnn->w + L.rec_w + 2 * (size_t)N * N; /* (N, N) */
  const rx_noise *nz = run->noise;
  const float sigma = nz ? nz->sigma_rec : 0.0f;
  const int tiles = RXM_TILES_BATCH(B);
#pragma omp parallel for schedule(static)
  for (int tile = 0; tile < tiles; tile++) {
    int b0, b1;
    rx_tile_rows(B, tiles, tile, &b0, &b1);
    const int nb = b1 - b0;
    for (int t = 0; t < T && nb > 0; t++) {
      const float *hp = ws->h + t * BN + (size_t)b0 * N;  /* (nb, N) h_{t-1} */
      float *hn = ws->h + (t + 1) * BN + (size_t)b0 * N;  /* (nb, N) h_t */
      float *p = ws->pre + (t * BN + (size_t)b0 * N) * 3; /* (nb, 3N) */
      float *gh = ws->gh + t * BN + (size_t)b0 * N;       /* (nb, N) */
      float beta = 0.0f;
      if (ws->has_input) {
        rx_gemm(0, 1, nb, N3, I, 1.0f, ws->xn + ((size_t)t * B + b0) * I, I, W_x, I, 0.0f, p, N3);
        beta = 1.0f;
      }
      rx_gemm(0, 1, nb, 2 * N, N, 1.0f, hp, N, U_zr, N, beta, p, N3);
      for (int r = 0; r < nb; r++)
        gru_gates_row(N, ws->bsum, hp + (size_t)r * N, p + (size_t)r * N3, gh + (size_t)r * N);
      rx_gemm(0, 1, nb, N, N, 1.0f, gh, N, U_h, N, beta, p + 2 * (size_t)N, N3);
      for (int r = 0; r < nb; r++) {
        float *hr = hn + (size_t)r * N;
        if (nz && sigma > 0.0f)
          rxm_noise_row(nz, run, 1, b0 + r, t, sigma, hr, (size_t)N);
        else
          memset(hr, 0, (size_t)N * sizeof(float));
        gru_update_row(s->act, N, s->alpha, ws->bsum, hp + (size_t)r * N, hr, p + (size_t)r * N3);
      }
    }
  }
}

/* Backward of the update, one row: d = dL/dh_t (dh + carry);
 *   du = d alpha (1 - z) f'(u);  da_z = -d alpha (f - h_{t-1}) z (1 - z);  carry = d (1 - alpha (1
 * - z)) */
static void gru_update_row_backward(rx_activation act, int N, float alpha,
                                    const float *restrict dh /* (N) */,
                                    const float *restrict hp /* (N) */, float *p /* (3N) */,
                                    float *restrict c /* (N) */) {
  float *restrict z = p, *restrict f = p + 2 * (size_t)N;
#define RX_GRU_UPDATE_BACK_LOOP(DU)                                                                \
  for (int j = 0; j < N; j++) {                                                                    \
    const float d = dh[j] + c[j], zj = z[j], fj = f[j], df = d * alpha * (1.0f - zj);              \
    f[j] = (DU);                                                                                   \
    z[j] = -d * alpha * (fj - hp[j]) * zj * (1.0f - zj);                                           \
    c[j] = d * (1.0f - alpha * (1.0f - zj));                                                       \
  }
  switch (act) {
  case RX_ACT_RELU:
    RX_GRU_UPDATE_BACK_LOOP(fj > 0.0f ? df : 0.0f) break; /* scalar: rare */
  case RX_ACT_TANH:
    RX_GRU_UPDATE_BACK_LOOP(df * (1.0f - fj * fj)) break;
  case RX_ACT_SIGMOID:
    RX_GRU_UPDATE_BACK_LOOP(df * (fj * (1.0f - fj))) break;
  default:
    RX_GRU_UPDATE_BACK_LOOP(df) break;
  }
#undef RX_GRU_UPDATE_BACK_LOOP
}

/* Backward of the reset gate, one row: dgh = d(g h_{t-1}) (from du U_h);
 *   da_r = dgh h_{t-1} g (1 - g);  carry += dgh g */
static void gru_gates_row_backward(int N, const float *restrict dgh /* (N) */,
                                   const float *restrict hp /* (N) */, float *p /* (3N) */,
                                   float *restrict c /* (N) */) {
  float *restrict g = p + N;
  for (int j = 0; j < N; j++) {
    const float gj = g[j];
    g[j] = dgh[j] * hp[j] * gj * (1.0f - gj);
    c[j] += dgh[j] * gj;
  }
}

/* Backward: ws->dh holds dL/dh_t through the readout; for t = T..1 (rows of one tile)
 *   update backward -> du, da_z, carry;   dgh (B, N) = du (B, N) U_h (N, N)   [into ws->dh, step t]
 *   gate backward -> da_r, carry;         carry += [da_z | da_r] (B, 2N) [U_z; U_r] (2N, N)
 * then d[U_z; U_r] = [da_z | da_r]^T h_{0..T-1}, dU_h = du^T (g h), dW = [da_z | da_r | du]^T xn,
 * b_w and b_u both get the column sums. */
void rxm_gru_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, T = ws->T, N = s->n_rec, I = s->n_in, N3 = 3 * N;
  const size_t BN = (size_t)B * N;
  const float *U_zr = rnn->w + L.rec_w;                    /* (2N, N) */
  const float *U_h = rnn->w + L.rec_w + 2 * (size_t)N * N; /* (N, N) */
  const int tiles = RXM_TILES_BATCH(B);
#pragma omp parallel for schedule(static)
  for (int tile = 0; tile < tiles; tile++) {
    int b0, b1;
    rx_tile_rows(B, tiles, tile, &b0, &b1);
    const int nb = b1 - b0;
    float *c = ws->carry + (size_t)b0 * N; /* (nb, N) */
    if (nb > 0) memset(c, 0, (size_t)nb * N * sizeof(float));
    for (int t = T - 1; t >= 0 && nb > 0; t--) {
      const float *hp = ws->h + t * BN + (size_t)b0 * N;  /* (nb, N) h_{t-1} */
      float *dh = ws->dh + t * BN + (size_t)b0 * N;       /* (nb, N) dL/dh_t, then dgh */
      float *p = ws->pre + (t * BN + (size_t)b0 * N) * 3; /* (nb, 3N) */
      for (int r = 0; r < nb; r++)
        gru_update_row_backward(s->act, N, s->alpha, dh + (size_t)r * N, hp + (size_t)r * N,
                                p + (size_t)r * N3, c + (size_t)r * N);
      rx_gemm(0, 0, nb, N, N, 1.0f, p + 2 * (size_t)N, N3, U_h, N, 0.0f, dh, N);
      for (int r = 0; r < nb; r++)
        gru_gates_row_backward(N, dh + (size_t)r * N, hp + (size_t)r * N, p + (size_t)r * N3,
                               c + (size_t)r * N);
      if (t > 0 || ws->from_codes) rx_gemm(0, 0, nb, N, 2 * N, 1.0f, p, N3, U_zr, N, 1.0f, c, N);
    }
  }
  const int rows = T * B;
  /* d[U_z; U_r] (2N, N) = [da_z | da_r]^T (2N, T B) h_{0..T-1} (T B, N) */
  rx_gemm_sum_rows(2 * N, N, rows, ws->pre, N3, ws->h, N, grad + L.rec_w, N, ws->kpart);
  /* dU_h (N, N) = du^T (N, T B) gh (T B, N) */
  rx_gemm_sum_rows(N, N, rows, ws->pre + 2 * (size_t)N, N3, ws->gh, N,
                   grad + L.rec_w + 2 * (size_t)N * N, N, ws->kpart);
  /* d[W_z; W_r; W_h] (3N, I) = [da_z | da_r | du]^T (3N, T B) xn (T B, I) */
  if (ws->has_input)
    rx_gemm_sum_rows(N3, I, rows, ws->pre, N3, ws->xn, I, grad + L.in_w, I, ws->kpart);
  if (s->bias) {
    rx_colsum(ws->pre, (size_t)rows, N3, N3, grad + L.rec_b);
    memcpy(grad + L.in_b, grad + L.rec_b, (size_t)N3 * sizeof(float));
  }
}
