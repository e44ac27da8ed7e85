/* The start of a network pass, shared by both cells: the initial state h_0 from population codes
 * through the encoder (or a given state), the noisy inputs and the summed recurrent biases; and,
 * at the end of the backward pass, the encoder's gradient. The recurrences are in vanilla.c and
 * gru.c. */
#include <string.h>

#include "models/rnn_internal.h"
#include "reactivate/linalg.h"

void rxm_forward_begin(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = run->B, T = run->T, N = s->n_rec, I = s->n_in, GN = L.G * N;
  ws->B = B;
  ws->T = T;
  ws->fwd_ok = 0;
  ws->from_codes = run->h0 == NULL;
  /* h_0 (B, N) = c (B, n_init) E^T (+ b_E), or the given state */
  if (run->h0) {
    memcpy(ws->h, run->h0, (size_t)B * N * sizeof(float));
  } else {
    memcpy(ws->c, run->c, (size_t)B * s->n_init * sizeof(float));
    rx_gemm_tiled(RXM_TILES_TB(B), 0, 1, B, N, s->n_init, 1.0f, ws->c, s->n_init, rnn->w + L.enc_w,
                  s->n_init, 0.0f, ws->h, N);
    if (s->bias) {
      const float *be = rnn->w + L.enc_b;
      for (int b = 0; b < B; b++)
        for (int j = 0; j < N; j++)
          ws->h[(size_t)b * N + j] += be[j];
    }
  }
  /* mech (B, 2N): a_0 then v_0 per row, from state0 where that mechanism is on, else zero */
  const size_t N2 = 2 * (size_t)N;
  if (run->state0 && run->state0 != ws->mech) memcpy(ws->mech, run->state0, B * N2 * sizeof(float));
  if (!run->state0 || !(s->mech.adaptation_strength > 0.0f) || !(s->mech.momentum > 0.0f))
    for (int b = 0; b < B; b++) {
      float *st = ws->mech + b * N2;
      if (!run->state0 || !(s->mech.adaptation_strength > 0.0f))
        memset(st, 0, (size_t)N * sizeof(float));
      if (!run->state0 || !(s->mech.momentum > 0.0f)) memset(st + N, 0, (size_t)N * sizeof(float));
    }
  /* xn (T, B, I) = x + sigma_in xi_in */
  const rx_noise *nz = run->noise;
  const float sigma_in = nz ? nz->sigma_in : 0.0f;
  ws->has_input = run->x != NULL || sigma_in > 0.0f;
  if (ws->has_input) {
    const long rows = (long)T * B;
#pragma omp parallel for schedule(static)
    for (long r = 0; r < rows; r++) {
      float *xr = ws->xn + (size_t)r * I;
      if (nz && sigma_in > 0.0f)
        rxm_noise_row(nz, run, 0, (int)(r % B), (int)(r / B), sigma_in, xr, (size_t)I);
      else
        memset(xr, 0, (size_t)I * sizeof(float));
      if (run->x)
        for (int k = 0; k < I; k++)
          xr[k] += run->x[(size_t)r * I + k];
    }
  }
  /* bsum (G N): the recurrent pre-activation's biases, b_in + b_rec (per gate for the GRU) */
  for (int j = 0; j < GN; j++)
    ws->bsum[j] = s->bias ? rnn->w[L.in_b + j] + rnn->w[L.rec_b + j] : 0.0f;
}

void rxm_encoder_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, N = s->n_rec, C = s->n_init;
  if (!ws->from_codes) {
    memset(grad + L.enc_w, 0, (size_t)N * C * sizeof(float));
    if (s->bias) memset(grad + L.enc_b, 0, (size_t)N * sizeof(float));
    return;
  }
  /* dE (N, C) = dh_0^T (N, B) c (B, C) */
  rx_gemm_tiled(RXM_TILES_W(N), 1, 0, N, C, B, 1.0f, ws->carry, N, ws->c, C, 0.0f, grad + L.enc_w,
                C);
  if (s->bias) rx_colsum(ws->carry, (size_t)B, N, N, grad + L.enc_b);
}
