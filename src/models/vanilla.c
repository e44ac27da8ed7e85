/* The continuous-time vanilla RNN cell (docs/science.md §3.1) and its mechanisms, adaptation and
 * momentum (§3.6): forward recurrence and its exact BPTT, side by side; with the mechanisms off
 * the paper's cell runs its own loops. The start of a pass (encoder, noisy inputs; encoder.c) and
 * the readout with its output noise (readout.c) are shared with the GRU. Trajectories are
 * independent, so the batch is cut into tiles (one per core) and each tile runs through all T steps
 * on one thread (single-threaded GEMMs, no barrier per step); every weight gradient is one product
 * over all T B rows afterwards. */
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

/* The same step with the mechanisms (rnn.h, docs/science.md §3.6); A: a_{t-1} -> a_t and
 * V: v_{t-1} -> v_t, one row of ws->mech each:
 *   u = a + b_in + b_rec - A                                          (adaptation)
 *   h_new = (1 - alpha) h_prev + alpha f(u) + noise                   (no momentum)
 *   V <- lambda V + alpha (f(u) - h_prev) + noise;  h_new = h_prev + V  (momentum)
 *   A <- (1 - alpha_a) A + alpha_a b h_new                            (adaptation)
 *   a <- f'(u).
 * ADAPT and MOM are constants at each call (mech_row), so each combination compiles to its own
 * loops without the other's work; u (or the clamped exp argument) is formed in a first pass and
 * the update in a second, so that both vectorise (activation.h). */
static inline __attribute__((always_inline)) void mech_row_impl(
    rx_activation act, int N, float alpha, const rx_mechanism *m, const float *restrict bsum,
    const float *restrict hp /* (N) */, float *restrict hn /* (N) */, float *restrict a /* (N) */,
    float *restrict A /* (N) */, float *restrict V /* (N) */, const int ADAPT, const int MOM) {
  const float leak = 1.0f - alpha, lambda = m->momentum;
  const float keep_a = 1.0f - m->adaptation_alpha,
              gain_a = m->adaptation_alpha * m->adaptation_strength;
  const float scale = act == RX_ACT_TANH ? 2.0f : act == RX_ACT_SIGMOID ? -1.0f : 1.0f;
  if (act == RX_ACT_TANH || act == RX_ACT_SIGMOID)
    for (int j = 0; j < N; j++)
      a[j] = rxm_exp_arg(scale * (a[j] + bsum[j] - (ADAPT ? A[j] : 0.0f)));
  else
    for (int j = 0; j < N; j++)
      a[j] = a[j] + bsum[j] - (ADAPT ? A[j] : 0.0f);
#define RX_MECH_LOOP(ON, F, FP)                                                                    \
  for (int j = 0; j < N; j++) {                                                                    \
    const float u = a[j];                                                                          \
    const int on = (ON); /* relu's active set, as one int: its two selects then vectorise */       \
    (void)on;                                                                                      \
    const float f = (F);                                                                           \
    float h;                                                                                       \
    if (MOM) {                                                                                     \
      const float v = lambda * V[j] + alpha * (f - hp[j]) + hn[j];                                 \
      V[j] = v;                                                                                    \
      h = hp[j] + v;                                                                               \
    } else {                                                                                       \
      h = leak * hp[j] + alpha * f + hn[j];                                                        \
    }                                                                                              \
    hn[j] = h;                                                                                     \
    if (ADAPT) A[j] = keep_a * A[j] + gain_a * h;                                                  \
    a[j] = (FP);                                                                                   \
  }
  switch (act) {
  case RX_ACT_RELU:
    RX_MECH_LOOP(u > 0.0f, on ? u : 0.0f, (float)on) break;
  case RX_ACT_TANH:
    RX_MECH_LOOP(1, rxm_tanh_t(u), 1.0f - f * f) break;
  case RX_ACT_SIGMOID:
    RX_MECH_LOOP(1, rxm_sigmoid_t(u), f * (1.0f - f)) break;
  default:
    RX_MECH_LOOP(1, u, 1.0f) break;
  }
#undef RX_MECH_LOOP
}

/* mech_row_impl for the mechanisms that are on (at least one). A, V: (N) each. */
static void mech_row(rx_activation act, int N, float alpha, const rx_mechanism *m,
                     const float *restrict bsum, const float *restrict hp, float *restrict hn,
                     float *restrict a, float *restrict A, float *restrict V) {
  const int adapt = m->adaptation_strength > 0.0f, mom = m->momentum > 0.0f;
  if (adapt && mom)
    mech_row_impl(act, N, alpha, m, bsum, hp, hn, a, A, V, 1, 1);
  else if (adapt)
    mech_row_impl(act, N, alpha, m, bsum, hp, hn, a, A, V, 1, 0);
  else
    mech_row_impl(act, N, alpha, m, bsum, hp, hn, a, A, V, 0, 1);
}

/* Forward: for t = 1..T
 *   a_t (B, N) = h_{t-1} (B, N) W_rec^T + xn_t (B, I) W_in^T        [ws->pre, step t]
 *   h_t (B, N) = (1 - alpha) h_{t-1} + alpha f(a_t + b) + sigma_rec xi_rec    [ws->h]
 * or, with a mechanism on, mech_row's step, the state (B, 2N) carried in ws->mech. */
void rxm_vanilla_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, T = ws->T, N = s->n_rec, I = s->n_in;
  const size_t BN = (size_t)B * N;
  const float *W_in = rnn->w + L.in_w;   /* (N, I) */
  const float *W_rec = rnn->w + L.rec_w; /* (N, N) */
  const rx_noise *nz = run->noise;
  const float sigma = nz ? nz->sigma_rec : 0.0f;
  const int mech = rx_mechanism_active(&s->mech);
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
        if (mech) {
          float *st = ws->mech + (size_t)(b0 + r) * 2 * N; /* (2N) a_{t-1} | v_{t-1} */
          mech_row(s->act, N, s->alpha, &s->mech, ws->bsum, hp + (size_t)r * N, hr, ar, st, st + N);
        } else {
          vanilla_row(s->act, N, s->alpha, ws->bsum, hp + (size_t)r * N, hr, ar);
        }
      }
    }
  }
}

/* Backward of one step's element-wise work with the mechanisms, over n = nb N elements; a
 * enters u linearly and a_t, v_t are linear in h_t, so f'(u_t) (kept in p) is all it needs.
 * With c = dL/dh_t, ca = dL/da_t, cv = dL/dv_t from later steps (zero at T):
 *   H = dh_t + c + alpha_a b ca                 total dL/dh_t (a_t reads h_t)
 *   V = H + cv                                  dL/dv_t (momentum: h_t = h_{t-1} + v_t)
 *   du_t = alpha f'(u_t) V                      [overwrites f'(u_t) in p]
 *   c <- H - alpha V (momentum) or (1 - alpha) H, before + du_t W_rec (the caller's product)
 *   ca <- (1 - alpha_a) ca - du_t               (u_t reads -a_{t-1})
 *   cv <- lambda V
 * Without momentum V = H and the formulas are the paper cell's plus the adaptation terms. */
static inline __attribute__((always_inline)) void
mech_back_impl(size_t n, float alpha, const rx_mechanism *m, const float *restrict dh /* (n) */,
               float *restrict p /* (n) */, float *restrict c /* (n) */,
               float *restrict ca /* (n) */, float *restrict cv /* (n) */, const int ADAPT,
               const int MOM) {
  const float leak = 1.0f - alpha, lambda = m->momentum;
  const float keep_a = 1.0f - m->adaptation_alpha,
              gain_a = m->adaptation_alpha * m->adaptation_strength;
  for (size_t e = 0; e < n; e++) {
    const float H = dh[e] + c[e] + (ADAPT ? gain_a * ca[e] : 0.0f);
    const float V = MOM ? H + cv[e] : H;
    const float du = alpha * p[e] * V;
    p[e] = du;
    c[e] = MOM ? H - alpha * V : leak * H;
    if (ADAPT) ca[e] = keep_a * ca[e] - du;
    if (MOM) cv[e] = lambda * V;
  }
}

static void mech_back(size_t n, float alpha, const rx_mechanism *m, const float *restrict dh,
                      float *restrict p, float *restrict c, float *restrict ca,
                      float *restrict cv) {
  const int adapt = m->adaptation_strength > 0.0f, mom = m->momentum > 0.0f;
  if (adapt && mom)
    mech_back_impl(n, alpha, m, dh, p, c, ca, cv, 1, 1);
  else if (adapt)
    mech_back_impl(n, alpha, m, dh, p, c, ca, cv, 1, 0);
  else
    mech_back_impl(n, alpha, m, dh, p, c, ca, cv, 0, 1);
}

/* Backward: ws->dh holds dL/dh_t through the readout. For t = T..1, with carry = dL/dh_t from
 * later steps (zero at T):
 *   d = dh_t + carry;  du_t = alpha f'(u_t) d            [overwrites f'(u_t) in ws->pre]
 *   carry (B, N) = (1 - alpha) d + du_t (B, N) W_rec (N, N)
 * (with a mechanism on, mech_back's element-wise step and its carries ws->carry_a, carry_v)
 * then dW_rec = du^T h_{0..T-1}, dW_in = du^T xn, b_in and b_rec get column sums of du, and the
 * carry left is dL/dh_0 for the encoder (the mechanisms' state at 0 gets no gradient). */
void rxm_vanilla_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, T = ws->T, N = s->n_rec, I = s->n_in;
  const size_t BN = (size_t)B * N;
  const float alpha = s->alpha, leak = 1.0f - alpha;
  const float *W_rec = rnn->w + L.rec_w; /* (N, N) */
  const int mech = rx_mechanism_active(&s->mech);
  const int tiles = RXM_TILES_BATCH(B);
#pragma omp parallel for schedule(static)
  for (int tile = 0; tile < tiles; tile++) {
    int b0, b1;
    rx_tile_rows(B, tiles, tile, &b0, &b1);
    const int nb = b1 - b0;
    float *c = ws->carry + (size_t)b0 * N;    /* (nb, N) */
    float *ca = ws->carry_a + (size_t)b0 * N; /* (nb, N) mechanisms only */
    float *cv = ws->carry_v + (size_t)b0 * N; /* (nb, N) mechanisms only */
    if (nb > 0) memset(c, 0, (size_t)nb * N * sizeof(float));
    if (nb > 0 && mech) {
      memset(ca, 0, (size_t)nb * N * sizeof(float));
      memset(cv, 0, (size_t)nb * N * sizeof(float));
    }
    for (int t = T - 1; t >= 0 && nb > 0; t--) {
      const float *dh = ws->dh + t * BN + (size_t)b0 * N; /* (nb, N) */
      float *a = ws->pre + t * BN + (size_t)b0 * N;       /* (nb, N) f'(u) -> du */
      if (mech)
        mech_back((size_t)nb * N, alpha, &s->mech, dh, a, c, ca, cv);
      else
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
