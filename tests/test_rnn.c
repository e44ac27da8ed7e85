/* Vanilla RNN and GRU (src/models): gradients against central finite differences for every
 * activation, bias and noise setting, and for the vanilla cell's mechanisms (adaptation,
 * momentum, both); the optimised forward against a naive double-precision reference written
 * straight from docs/science.md §3 (§3.6 for the mechanisms); the training path (readout, loss
 * and readout backward tile by tile) against forward + backward and finite differences; the
 * mechanisms switched off giving the paper cell's bits, and their closed forms; noise statistics
 * and addressing; initialisation; bit-identical results across thread counts; spec validation. */
#include <float.h>
#include <omp.h>
#include <stdint.h>

#include "models/rnn_internal.h"
#include "reactivate/linalg.h"
#include "reactivate/rng.h"
#include "reactivate/rnn.h"
#include "test_util.h"

/* ------------------------------------------------------------------ helpers */

static rx_rnn_spec small_spec(rx_model_kind kind, rx_activation act, int bias) {
  rx_rnn_spec s = {.kind = kind,
                   .n_in = 2,
                   .n_rec = 7,
                   .n_out = 5,
                   .n_init = 6,
                   .alpha = 0.3f,
                   .bias = bias,
                   .act = act,
                   .noise = RX_NOISE_UNIFORM};
  return s;
}

/* The mechanisms of the tests (bit 0 adaptation, bit 1 momentum): strong enough to change the
 * trajectories of a few steps clearly (the finite-difference tests must see a wrong carry). */
enum { MECH_ADAPT = 1, MECH_MOMENTUM = 2, MECH_BOTH = 3 };
static rx_rnn_spec with_mechanism(rx_rnn_spec s, int mech) {
  if (mech & MECH_ADAPT) s.mech.adaptation_strength = 1.5f, s.mech.adaptation_alpha = 0.3f;
  if (mech & MECH_MOMENTUM) s.mech.momentum = 0.6f;
  return s;
}
static const char *mechanism_name(int mech) {
  static const char *const names[4] = {"none", "adaptation", "momentum", "both"};
  return names[mech & 3];
}

static void fill_uniform(float *a, size_t n, uint32_t key, float lo, float hi) {
  rx_rng r;
  rx_rng_init(&r, 99, RX_STREAM_ANALYSIS + 7, key, 0, 0);
  for (size_t i = 0; i < n; i++)
    a[i] = lo + (hi - lo) * rx_rng_uniformf(&r);
}

static const float *param(const rx_rnn *rnn, const char *name) {
  const rx_param *p = rx_rnn_find_param(rnn, name);
  return p ? rnn->w + p->offset : NULL;
}

static double act_ref(rx_activation act, double u) {
  switch (act) {
  case RX_ACT_RELU:
    return u > 0 ? u : 0;
  case RX_ACT_TANH:
    return tanh(u);
  case RX_ACT_SIGMOID:
    return 1.0 / (1.0 + exp(-u));
  default:
    return u;
  }
}

/* One row of noise as docs/science.md §3 / rnn.h address it: trajectory b, local step t, K = 0
 * input, 1 recurrent, 2 output (always Gaussian); zeros without noise. */
static void ref_noise(const rx_rnn_run *run, int K, int b, int t, float *out, int n) {
  const rx_noise *nz = run->noise;
  float sigma = !nz ? 0.0f : K == 0 ? nz->sigma_in : K == 1 ? nz->sigma_rec : nz->sigma_out;
  if (sigma <= 0.0f) {
    for (int i = 0; i < n; i++)
      out[i] = 0.0f;
    return;
  }
  rx_rng r;
  rx_rng_init(&r, nz->seed, nz->stream + (uint32_t)K, nz->index, (uint32_t)b,
              (uint32_t)(run->t0 + t));
  if (K == 2 || nz->kind == RX_NOISE_GAUSSIAN)
    rx_rng_fill_normalf(&r, out, (size_t)n, sigma);
  else
    rx_rng_fill_uniformf(&r, out, (size_t)n, sigma);
}

/* Naive reference in double, straight from the equations, reading the weights by their PyTorch
 * names only (independent of the flat layout). y (T, B, O), hs (T, B, N) h_1..h_T; mask (T, B, N)
 * (may be NULL) gets 1 where the activation's argument u > 0 (relu's active set). */
static void ref_forward(const rx_rnn *rnn, const rx_rnn_run *run, double *y, double *hs,
                        unsigned char *mask) {
  const rx_rnn_spec *s = &rnn->spec;
  const int B = run->B, T = run->T, N = s->n_rec, I = s->n_in, O = s->n_out, C = s->n_init;
  const int gru = s->kind == RX_MODEL_GRU;
  const float *E = param(rnn, "encoder.weight"), *bE = param(rnn, "encoder.bias");
  const float *Wo = param(rnn, gru ? "decoder.weight" : "w_out.weight");
  const float *bo = param(rnn, gru ? "decoder.bias" : "w_out.bias");
  double *h = calloc((size_t)N, sizeof(double)), *hn = calloc((size_t)N, sizeof(double));
  double *gh = calloc((size_t)N, sizeof(double)), *z = calloc((size_t)N, sizeof(double));
  double *xin = calloc((size_t)I, sizeof(double));
  float *nin = calloc((size_t)I, sizeof(float)), *nrec = calloc((size_t)N, sizeof(float));
  float *nout = calloc((size_t)O, sizeof(float));
  /* the mechanisms' state (docs/science.md §3.6): a (adaptation) and v (momentum) */
  const int adapt = s->mech.adaptation_strength > 0, mom = s->mech.momentum > 0;
  const double b_a = s->mech.adaptation_strength, alpha_a = s->mech.adaptation_alpha;
  const double lambda = s->mech.momentum;
  double *A = calloc((size_t)N, sizeof(double)), *V = calloc((size_t)N, sizeof(double));
  for (int b = 0; b < B; b++) {
    for (int j = 0; j < N; j++) {
      const float *st = run->state0 ? run->state0 + (size_t)b * 2 * N : NULL;
      A[j] = st && adapt ? st[j] : 0.0;
      V[j] = st && mom ? st[N + j] : 0.0;
    }
    for (int j = 0; j < N; j++) {
      if (run->h0) {
        h[j] = run->h0[(size_t)b * N + j];
      } else {
        double a = bE ? bE[j] : 0.0;
        for (int k = 0; k < C; k++)
          a += (double)E[j * C + k] * run->c[(size_t)b * C + k];
        h[j] = a;
      }
    }
    for (int t = 0; t < T; t++) {
      ref_noise(run, 0, b, t, nin, I);
      ref_noise(run, 1, b, t, nrec, N);
      ref_noise(run, 2, b, t, nout, O);
      for (int k = 0; k < I; k++)
        xin[k] = (run->x ? run->x[((size_t)t * B + b) * I + k] : 0.0) + nin[k];
      size_t row = (size_t)t * B + b;
      if (!gru) {
        const float *Wi = param(rnn, "w_in.weight"), *bi = param(rnn, "w_in.bias");
        const float *Wr = param(rnn, "w_rec.weight"), *br = param(rnn, "w_rec.bias");
        for (int j = 0; j < N; j++) {
          double u = (bi ? bi[j] : 0.0) + (br ? br[j] : 0.0);
          for (int i = 0; i < N; i++)
            u += (double)Wr[j * N + i] * h[i];
          for (int k = 0; k < I; k++)
            u += (double)Wi[j * I + k] * xin[k];
          u -= A[j]; /* zero without adaptation */
          if (mask) mask[row * N + j] = u > 0;
          if (mom) {
            V[j] = lambda * V[j] + s->alpha * (act_ref(s->act, u) - h[j]) + nrec[j];
            hn[j] = h[j] + V[j];
          } else {
            hn[j] = (1.0 - s->alpha) * h[j] + s->alpha * act_ref(s->act, u) + nrec[j];
          }
        }
        if (adapt)
          for (int j = 0; j < N; j++)
            A[j] = (1.0 - alpha_a) * A[j] + alpha_a * b_a * hn[j];
      } else {
        const float *Wz = param(rnn, "w_z.weight"), *Uz = param(rnn, "u_z.weight");
        const float *Wr = param(rnn, "w_r.weight"), *Ur = param(rnn, "u_r.weight");
        const float *Wh = param(rnn, "w_h.weight"), *Uh = param(rnn, "u_h.weight");
        const float *bwz = param(rnn, "w_z.bias"), *buz = param(rnn, "u_z.bias");
        const float *bwr = param(rnn, "w_r.bias"), *bur = param(rnn, "u_r.bias");
        const float *bwh = param(rnn, "w_h.bias"), *buh = param(rnn, "u_h.bias");
        for (int j = 0; j < N; j++) {
          double az = (bwz ? bwz[j] + (double)buz[j] : 0.0),
                 ar = (bwr ? bwr[j] + (double)bur[j] : 0.0);
          for (int k = 0; k < I; k++) {
            az += (double)Wz[j * I + k] * xin[k];
            ar += (double)Wr[j * I + k] * xin[k];
          }
          for (int i = 0; i < N; i++) {
            az += (double)Uz[j * N + i] * h[i];
            ar += (double)Ur[j * N + i] * h[i];
          }
          z[j] = 1.0 / (1.0 + exp(-az));
          gh[j] = h[j] / (1.0 + exp(-ar));
        }
        for (int j = 0; j < N; j++) {
          double u = (bwh ? bwh[j] + (double)buh[j] : 0.0);
          for (int k = 0; k < I; k++)
            u += (double)Wh[j * I + k] * xin[k];
          for (int i = 0; i < N; i++)
            u += (double)Uh[j * N + i] * gh[i];
          if (mask) mask[row * N + j] = u > 0;
          hn[j] = h[j] + s->alpha * (1.0 - z[j]) * (act_ref(s->act, u) - h[j]) + nrec[j];
        }
      }
      for (int j = 0; j < N; j++) {
        h[j] = hn[j];
        if (hs) hs[row * N + j] = h[j];
      }
      if (y)
        for (int o = 0; o < O; o++) {
          double a = (bo ? bo[o] : 0.0) + nout[o];
          for (int j = 0; j < N; j++)
            a += (double)Wo[o * N + j] * h[j];
          y[row * O + o] = a;
        }
    }
  }
  free(h), free(hn), free(gh), free(z), free(xin), free(nin), free(nrec), free(nout);
  free(A), free(V);
}

/* A small problem: network, workspace, inputs, codes, noise. */
typedef struct problem {
  rx_rnn *rnn;
  rx_rnn_workspace *ws;
  int B, T;
  float *x, *c, *h0, *y, *R;
  float *s0; /* (B, 2N) a mechanism state to start from (run.state0 when a test sets it) */
  rx_noise noise;
  rx_rnn_run run;
} problem;

/* noise: 0 none, 1 uniform, 2 gaussian. */
static int problem_make(problem *p, const rx_rnn_spec *spec, int B, int T, int noise, int from_h0,
                        int no_x, uint32_t seed) {
  memset(p, 0, sizeof *p);
  rx_flush_denormals(); /* as every step loop runs (linalg.h) */
  rx_error err;
  if (rx_rnn_create(&p->rnn, spec, &err) || rx_rnn_workspace_create(&p->ws, spec, B, T, &err)) {
    fprintf(stderr, "  %s\n", err.msg);
    return -1;
  }
  rx_rnn_init_default(p->rnn, seed);
  p->B = B, p->T = T;
  const size_t TB = (size_t)T * B;
  p->x = malloc(TB * spec->n_in * sizeof(float));
  p->c = malloc((size_t)B * spec->n_init * sizeof(float));
  p->h0 = malloc((size_t)B * spec->n_rec * sizeof(float));
  p->y = malloc(TB * spec->n_out * sizeof(float));
  p->R = malloc(TB * spec->n_out * sizeof(float));
  p->s0 = malloc((size_t)B * 2 * spec->n_rec * sizeof(float));
  fill_uniform(p->s0, (size_t)B * 2 * spec->n_rec, seed + 5, -0.3f, 0.3f);
  fill_uniform(p->x, TB * spec->n_in, seed + 1, -1.0f, 1.0f);
  fill_uniform(p->c, (size_t)B * spec->n_init, seed + 2, 0.0f, 1.0f);
  fill_uniform(p->h0, (size_t)B * spec->n_rec, seed + 3, -0.5f, 0.5f);
  fill_uniform(p->R, TB * spec->n_out, seed + 4, -1.0f, 1.0f);
  p->noise = (rx_noise){.seed = 11,
                        .stream = RX_STREAM_NOISE,
                        .index = 3,
                        .sigma_in = 0.3f,
                        .sigma_rec = 0.2f,
                        .sigma_out = 0.1f,
                        .kind = noise == 2 ? RX_NOISE_GAUSSIAN : RX_NOISE_UNIFORM};
  p->run = (rx_rnn_run){.B = B,
                        .T = T,
                        .x = no_x ? NULL : p->x,
                        .c = p->c,
                        .h0 = from_h0 ? p->h0 : NULL,
                        .noise = noise ? &p->noise : NULL,
                        .t0 = 2};
  return 0;
}

static void problem_free(problem *p) {
  rx_rnn_free(p->rnn);
  rx_rnn_workspace_free(p->ws);
  free(p->x), free(p->c), free(p->h0), free(p->y), free(p->R), free(p->s0);
}

/* L = sum(y * R), accumulated in double. */
static double problem_loss(problem *p) {
  CHECK(rx_rnn_forward(p->rnn, p->ws, &p->run, p->y, NULL) == 0);
  const size_t n = (size_t)p->T * p->B * p->rnn->spec.n_out;
  double L = 0;
  for (size_t i = 0; i < n; i++)
    L += (double)p->y[i] * p->R[i];
  return L;
}

/* L = sum(y * R) through rx_rnn_forward_loss: rows() adds each tile's share to its own slot
 * (tiles run on several threads) and, for the gradient, writes dL/dy = R over the tile. */
typedef struct tile_sums {
  const float *R;
  int n_out;
  double part[128]; /* per RX_LOSS_ALIGN-row chunk */
} tile_sums;

static void tile_sums_rows(void *ctx, size_t r0, size_t m, float *y, int want_grad) {
  tile_sums *ts = ctx;
  const size_t n = (size_t)ts->n_out, first = r0 * n;
  CHECK(r0 % RX_LOSS_ALIGN == 0 && m >= 1 && m <= RXM_READOUT_TILE);
  for (size_t c = 0; c * RX_LOSS_ALIGN < m; c++) {
    double L = 0;
    const size_t c1 = (c + 1) * RX_LOSS_ALIGN < m ? (c + 1) * RX_LOSS_ALIGN : m;
    for (size_t i = c * RX_LOSS_ALIGN * n; i < c1 * n; i++)
      L += (double)y[i] * ts->R[first + i];
    ts->part[r0 / RX_LOSS_ALIGN + c] = L;
  }
  if (want_grad) memcpy(y, ts->R + first, m * n * sizeof(float));
}

/* L of the problem through rx_rnn_forward_loss, with the gradient into grad unless NULL. */
static double problem_loss_tiled(problem *p, float *grad) {
  tile_sums ts = {.R = p->R, .n_out = p->rnn->spec.n_out};
  for (size_t i = 0; i < 128; i++)
    ts.part[i] = NAN; /* a chunk never handed over spoils the sum */
  rx_row_loss fn = {.rows = tile_sums_rows, .ctx = &ts};
  CHECK(rx_rnn_forward_loss(p->rnn, p->ws, &p->run, &fn, grad, NULL) == 0);
  const size_t chunks = ((size_t)p->T * p->B + RX_LOSS_ALIGN - 1) / RX_LOSS_ALIGN;
  if (chunks > 128) {
    CHECK(chunks <= 128);
    return NAN;
  }
  double L = 0;
  for (size_t i = 0; i < chunks; i++)
    L += ts.part[i];
  return L;
}

/* L = scale sum (y - t)^2 with low-rank targets t = F Z (features F: rows x n_feat, random but
 * fixed), through rx_rnn_forward_loss; low_rank: tell it the targets' structure (the readout
 * then never forms dL/dy), or not (rows() writes dL/dy over each tile). */
enum { LR_FEAT = 5 };
typedef struct lr_sums {
  const float *F, *Z;
  int n_out;
  float scale;
  int grad_tiles;   /* tiles handed over with want_grad: dL/dy formed */
  double part[128]; /* per RX_LOSS_ALIGN-row chunk */
} lr_sums;

static void lr_rows(void *ctx, size_t r0, size_t m, float *y, int want_grad) {
  lr_sums *ls = ctx;
  const size_t n = (size_t)ls->n_out;
  for (size_t c = 0; c * RX_LOSS_ALIGN < m; c++) {
    double L = 0;
    const size_t c1 = (c + 1) * RX_LOSS_ALIGN < m ? (c + 1) * RX_LOSS_ALIGN : m;
    for (size_t r = c * RX_LOSS_ALIGN; r < c1; r++)
      for (size_t o = 0; o < n; o++) {
        double t = 0;
        for (int f = 0; f < LR_FEAT; f++)
          t += (double)ls->F[(r0 + r) * LR_FEAT + f] * ls->Z[f * n + o];
        const double d = y[r * n + o] - t;
        L += d * d;
        if (want_grad) y[r * n + o] = (float)(2.0 * ls->scale * d);
      }
    ls->part[r0 / RX_LOSS_ALIGN + c] = ls->scale * L;
  }
#pragma omp atomic
  ls->grad_tiles += want_grad;
}

static void lr_features(void *ctx, size_t r0, size_t m, float *f) {
  const lr_sums *ls = ctx;
  memcpy(f, ls->F + r0 * LR_FEAT, m * LR_FEAT * sizeof(float));
}

static double problem_loss_low_rank(problem *p, float *grad, int low_rank, int *grad_tiles) {
  const size_t rows = (size_t)p->T * p->B, n = (size_t)p->rnn->spec.n_out;
  float *F = malloc(rows * LR_FEAT * sizeof(float)), *Z = malloc(LR_FEAT * n * sizeof(float));
  fill_uniform(F, rows * LR_FEAT, 51, -1.0f, 1.0f);
  fill_uniform(Z, LR_FEAT * n, 52, -1.0f, 1.0f);
  lr_sums ls = {.F = F, .Z = Z, .n_out = (int)n, .scale = 0.5f};
  for (size_t i = 0; i < 128; i++)
    ls.part[i] = NAN;
  rx_row_loss fn = {.rows = lr_rows, .ctx = &ls};
  if (low_rank)
    fn.low_rank.z = Z, fn.low_rank.n_feat = LR_FEAT, fn.low_rank.scale = ls.scale,
    fn.low_rank.features = lr_features;
  CHECK(rx_rnn_forward_loss(p->rnn, p->ws, &p->run, &fn, grad, NULL) == 0);
  const size_t chunks = (rows + RX_LOSS_ALIGN - 1) / RX_LOSS_ALIGN;
  double L = 0;
  for (size_t i = 0; i < chunks && i < 128; i++)
    L += ls.part[i];
  CHECK(chunks <= 128);
  if (grad_tiles) *grad_tiles = ls.grad_tiles;
  free(F), free(Z);
  return L;
}

/* ------------------------------------------------------------------ finite differences */

typedef struct fd_case {
  rx_model_kind kind;
  rx_activation act;
  int bias, noise, from_h0, no_x;
  int tiled;  /* through rx_rnn_forward_loss (the training path): 1 L = sum(y * R); 2 the
               * low-rank-target loss, its structure given (the readout never forms dL/dy) */
  int mech;   /* MECH_*: the vanilla cell's mechanisms (with_mechanism) */
  int state0; /* the run starts from a given mechanism state (p.s0) */
} fd_case;

/* Compares the analytic gradient of L = sum(y * R) (dy = R), times grad_scale, with central
 * differences (L(w + eps) - L(w - eps)) / (2 eps) for EVERY weight, noise held fixed (the same
 * rx_noise key in every forward). eps = 1e-2 against weights of scale 1/sqrt(fan_in) ~ 0.4:
 * float32 rounding in L (~1e-6 over 90 terms, summed in double) contributes ~5e-5 to the
 * difference quotient, truncation O(eps^2 L''') about as much; observed errors are <= 3e-5.
 * An element passes when
 *   |analytic - numeric| <= 3e-4 (1 + |numeric|),
 * which a gradient 1% off fails wherever |numeric| > 0.03, i.e. for most elements (see
 * test_finite_difference_check_rejects_a_gradient_one_percent_off).
 * relu has a kink at 0: a perturbation that moves any pre-activation u across 0 makes the
 * difference quotient meaningless there. For relu each perturbed forward's active set (from the
 * double reference, same noise) is compared with the unperturbed one; where a sign flips the
 * element is retried with eps / 4 (float noise 4x larger, still well inside the tolerance) and
 * skipped if a sign still flips (counted; at most a quarter may be skipped).
 * Returns the worst |a - n| / (3e-4 (1 + |n|)): the case passes when it is <= 1. */
/* Under RX_TEST_SMALL (rx_test_small, .ci/valgrind.sh) the exhaustive loops below visit every
 * k-th case instead of every one (each visited case is checked exactly as in a full run). */
static size_t test_stride(size_t k) { return rx_test_small() ? k : 1; }

static double fd_worst(const fd_case *k, float grad_scale, int *n_checked) {
  rx_rnn_spec spec = with_mechanism(small_spec(k->kind, k->act, k->bias), k->mech);
  problem p;
  const int B = 3, T = 6;
  if (problem_make(&p, &spec, B, T, k->noise, k->from_h0, k->no_x, 5)) return INFINITY;
  if (k->tiled == 2) p.noise.sigma_out = 0.0f; /* else the low-rank path is not taken */
  if (k->state0) p.run.state0 = p.s0;
  int param_checked[RX_MAX_PARAMS] = {0}; /* elements checked per parameter block */
  const size_t nw = p.rnn->n_weights, nu = (size_t)T * B * spec.n_rec;
  float *grad = malloc(nw * sizeof(float));
  unsigned char *m0 = malloc(nu), *m1 = malloc(nu);
  if (k->tiled == 2) {
    problem_loss_low_rank(&p, grad, 1, NULL);
  } else if (k->tiled) {
    problem_loss_tiled(&p, grad);
  } else {
    problem_loss(&p);
    CHECK(rx_rnn_backward(p.rnn, p.ws, p.R, grad, NULL) == 0);
  }
  const int relu = k->act == RX_ACT_RELU;
  if (relu) ref_forward(p.rnn, &p.run, NULL, NULL, m0);
  double worst = 0;
  int skipped = 0, checked = 0, visited = 0;
  for (size_t i = 0; i < nw; i += test_stride(19), visited++) {
    const float w0 = p.rnn->w[i];
    double Lp = 0, Lm = 0, step = 1;
    int flips = 1;
    for (int attempt = 0; attempt < 2 && flips; attempt++) {
      const float eps = attempt ? 2.5e-3f : 1e-2f;
      flips = 0;
      p.rnn->w[i] = w0 + eps;
      if (relu) ref_forward(p.rnn, &p.run, NULL, NULL, m1), flips |= memcmp(m0, m1, nu) != 0;
      Lp = k->tiled == 2 ? problem_loss_low_rank(&p, NULL, 1, NULL)
           : k->tiled    ? problem_loss_tiled(&p, NULL)
                         : problem_loss(&p);
      p.rnn->w[i] = w0 - eps;
      if (relu) ref_forward(p.rnn, &p.run, NULL, NULL, m1), flips |= memcmp(m0, m1, nu) != 0;
      Lm = k->tiled == 2 ? problem_loss_low_rank(&p, NULL, 1, NULL)
           : k->tiled    ? problem_loss_tiled(&p, NULL)
                         : problem_loss(&p);
      /* the perturbation is applied to a float weight: divide by the step actually taken */
      step = (double)(w0 + eps) - (double)(w0 - eps);
    }
    p.rnn->w[i] = w0;
    if (flips) {
      skipped++;
      continue;
    }
    const double num = (Lp - Lm) / step;
    const double ana = (double)grad[i] * grad_scale;
    const double r = fabs(ana - num) / (3e-4 * (1 + fabs(num)));
    if (r > worst) worst = r;
    checked++;
    for (int q = 0; q < p.rnn->n_params; q++)
      if (i >= p.rnn->params[q].offset && i < p.rnn->params[q].offset + p.rnn->params[q].size)
        param_checked[q]++;
  }
  CHECK_MSG(skipped * 4 <= visited, "%d of %d weights skipped at relu kinks", skipped, visited);
  /* every parameter block was compared (a full run visits every weight) */
  for (int q = 0; q < p.rnn->n_params && !rx_test_small(); q++)
    CHECK_MSG(param_checked[q] > 0, "%s: no element of %s checked", mechanism_name(k->mech),
              p.rnn->params[q].name);
  if (getenv("RX_TEST_VERBOSE"))
    fprintf(stderr,
            "    %s %s bias %d noise %d h0 %d tiled %d mech %s state0 %d: worst %.3g, %d checked, "
            "%d skipped\n",
            rx_model_kind_name(k->kind), rx_activation_name(k->act), k->bias, k->noise, k->from_h0,
            k->tiled, mechanism_name(k->mech), k->state0, worst, checked, skipped);
  if (n_checked) *n_checked = checked;
  free(grad), free(m0), free(m1);
  problem_free(&p);
  return worst;
}

static void fd_all(rx_model_kind kind) {
  const rx_activation acts[4] = {RX_ACT_RELU, RX_ACT_TANH, RX_ACT_SIGMOID, RX_ACT_IDENTITY};
  for (int a = 0; a < 4; a++)
    for (int bias = 0; bias < 2; bias++)
      for (int noise = 0; noise < 3; noise++) {
        /* rx_test_small: each noise kind once per cell type, with the activations and bias
         * settings spread over them (both cell types get relu, all four activations run) */
        if (rx_test_small() && (a != (noise + 2 * (int)kind) % 4 || bias != noise % 2)) continue;
        fd_case k = {kind, acts[a], bias, noise, 0, 0, 0, 0, 0};
        int n = 0;
        double w = fd_worst(&k, 1.0f, &n);
        CHECK_MSG(w <= 1.0, "%s %s bias %d noise %d: worst error ratio %.3g",
                  rx_model_kind_name(kind), rx_activation_name(acts[a]), bias, noise, w);
        CHECK(n > 0);
      }
  /* continuing from a given h0 (encoder gradient zero) and with only input noise as input */
  fd_case k1 = {kind, RX_ACT_TANH, 1, 2, 1, 1, 0, 0, 0};
  CHECK_MSG(fd_worst(&k1, 1.0f, NULL) <= 1.0, "from h0, no x");
  /* the training path: readout, loss and readout backward tile by tile (rx_rnn_forward_loss) */
  /* the low-rank path needs no output bias and no output noise */
  fd_case tiled[3] = {{kind, RX_ACT_RELU, 1, 2, 0, 0, 1, 0, 0},
                      {kind, RX_ACT_TANH, 0, 1, 0, 0, 1, 0, 0},
                      {kind, RX_ACT_TANH, 0, 1, 0, 0, 2, 0, 0}};
  for (int i = 0; i < 3; i++)
    CHECK_MSG(fd_worst(&tiled[i], 1.0f, NULL) <= 1.0, "tiled %d %s", tiled[i].tiled,
              rx_activation_name(tiled[i].act));
}

static void test_vanilla_backward_matches_finite_differences(void) { fd_all(RX_MODEL_VANILLA); }
static void test_gru_backward_matches_finite_differences(void) { fd_all(RX_MODEL_GRU); }

/* BPTT through the mechanisms (the carries dL/da_t, dL/dv_t of vanilla.c): {adaptation, momentum,
 * both} x every activation x {uniform, gaussian} noise (held fixed; recurrent and input noise
 * on, so the noise also enters v_t), biases on for half of them, every weight of every block
 * against central differences; then from a given h0 and mechanism state (state0 held fixed),
 * and through the training path (tile by tile, and with low-rank targets). */
static void test_mechanism_backward_matches_finite_differences(void) {
  const rx_activation acts[4] = {RX_ACT_RELU, RX_ACT_TANH, RX_ACT_SIGMOID, RX_ACT_IDENTITY};
  const int mechs[3] = {MECH_ADAPT, MECH_MOMENTUM, MECH_BOTH};
  for (int m = 0; m < 3; m++)
    for (int a = 0; a < 4; a++)
      for (int noise = 1; noise <= 2; noise++) {
        /* rx_test_small: each activation once, the mechanisms and noises spread over them */
        if (rx_test_small() && (a + m + noise) % 3 != 0) continue;
        fd_case k = {RX_MODEL_VANILLA, acts[a], (a + noise) % 2, noise, 0, 0, 0, mechs[m], 0};
        int n = 0;
        double w = fd_worst(&k, 1.0f, &n);
        CHECK_MSG(w <= 1.0, "%s %s noise %d: worst error ratio %.3g", mechanism_name(mechs[m]),
                  rx_activation_name(acts[a]), noise, w);
        CHECK(n > 0);
      }
  for (int m = 0; m < 3; m++) {
    fd_case cases[3] = {{RX_MODEL_VANILLA, RX_ACT_TANH, 1, 2, 1, 1, 0, mechs[m], 1},
                        {RX_MODEL_VANILLA, RX_ACT_RELU, 1, 2, 0, 0, 1, mechs[m], 0},
                        {RX_MODEL_VANILLA, RX_ACT_TANH, 0, 1, 0, 0, 2, mechs[m], 0}};
    for (int i = 0; i < 3; i++)
      CHECK_MSG(fd_worst(&cases[i], 1.0f, NULL) <= 1.0, "%s: from h0 and state0 %d, tiled %d",
                mechanism_name(mechs[m]), cases[i].state0, cases[i].tiled);
  }
}

/* The comparison above must be able to fail: a gradient scaled by 1.01 or 0.99 is rejected. */
static void test_finite_difference_check_rejects_a_gradient_one_percent_off(void) {
  const fd_case ks[3] = {{RX_MODEL_VANILLA, RX_ACT_TANH, 1, 1, 0, 0, 0, 0, 0},
                         {RX_MODEL_GRU, RX_ACT_TANH, 1, 2, 0, 0, 1, 0, 0},
                         {RX_MODEL_VANILLA, RX_ACT_TANH, 1, 2, 0, 0, 0, MECH_BOTH, 0}};
  for (int i = 0; i < 3; i++) {
    CHECK(fd_worst(&ks[i], 1.0f, NULL) <= 1.0);
    CHECK(fd_worst(&ks[i], 1.01f, NULL) > 1.0);
    CHECK(fd_worst(&ks[i], 0.99f, NULL) > 1.0);
  }
}

/* When the run starts from h0 and has no inputs and no input noise, the encoder and input maps
 * get exactly zero gradient. */
static void test_backward_gives_zero_gradient_to_unused_maps(void) {
  for (int kind = 0; kind < 2; kind++) {
    rx_rnn_spec spec = small_spec((rx_model_kind)kind, RX_ACT_TANH, 1);
    problem p;
    REQUIRE(problem_make(&p, &spec, 3, 4, 1, 1, 1, 7) == 0);
    p.noise.sigma_in = 0.0f;
    float *grad = malloc(p.rnn->n_weights * sizeof(float));
    problem_loss(&p);
    REQUIRE(rx_rnn_backward(p.rnn, p.ws, p.R, grad, NULL) == 0);
    for (int q = 0; q < p.rnn->n_params; q++) {
      const rx_param *pr = &p.rnn->params[q];
      int unused = strncmp(pr->name, "encoder", 7) == 0 || strncmp(pr->name, "w_", 2) == 0;
      if (!kind) unused = strncmp(pr->name, "encoder", 7) == 0 || strncmp(pr->name, "w_in", 4) == 0;
      if (!unused) continue;
      double s = 0;
      for (size_t i = 0; i < pr->size; i++)
        s += fabs(grad[pr->offset + i]);
      /* the biases of the input maps still act (they are added every step) */
      if (pr->ndim == 1 && strncmp(pr->name, "encoder", 7) != 0)
        CHECK(s > 0);
      else
        CHECK_MSG(s == 0, "%s", pr->name);
    }
    free(grad);
    problem_free(&p);
  }
}

/* ------------------------------------------------------------------ forward vs reference */

/* Both cells, and the vanilla cell with each mechanism (from a given mechanism state too). */
static void test_forward_matches_naive_reference(void) {
  const rx_activation acts[4] = {RX_ACT_RELU, RX_ACT_TANH, RX_ACT_SIGMOID, RX_ACT_IDENTITY};
  for (int kind = 0; kind < 2; kind++)
    for (int mech = 0; mech < (kind == RX_MODEL_VANILLA ? 4 : 1); mech++)
      for (int a = 0; a < 4; a++)
        for (int noise = 0; noise < 3; noise++) {
          rx_rnn_spec spec =
              with_mechanism(small_spec((rx_model_kind)kind, acts[a], (a + noise) % 2), mech);
          spec.n_rec = 37, spec.n_out = 11; /* not multiples of any vector width */
          problem p;
          REQUIRE(problem_make(&p, &spec, 5, 9, noise, noise == 2, 0, 21) == 0);
          if (mech && noise == 1) p.run.state0 = p.s0;
          REQUIRE(rx_rnn_forward(p.rnn, p.ws, &p.run, p.y, NULL) == 0);
          const size_t ny = (size_t)p.T * p.B * spec.n_out, nh = (size_t)p.T * p.B * spec.n_rec;
          double *yr = malloc(ny * sizeof(double)), *hr = malloc(nh * sizeof(double));
          ref_forward(p.rnn, &p.run, yr, hr, NULL);
          const float *h = rx_rnn_workspace_hidden(p.ws);
          double ey = 0, eh = 0;
          for (size_t i = 0; i < ny; i++)
            ey = fmax(ey, fabs(p.y[i] - yr[i]) / (1 + fabs(yr[i])));
          for (size_t i = 0; i < nh; i++)
            eh = fmax(eh, fabs(h[i] - hr[i]) / (1 + fabs(hr[i])));
          CHECK_MSG(ey < 1e-5 && eh < 1e-5, "%s %s %s noise %d: y error %.3g, h error %.3g",
                    rx_model_kind_name(spec.kind), mechanism_name(mech),
                    rx_activation_name(acts[a]), noise, ey, eh);
          free(yr), free(hr);
          problem_free(&p);
        }
}

/* ------------------------------------------------------------------ tiled readout and loss */

/* max |g - ref| over n elements; *ref_max = max |ref|. */
static double max_deviation(const float *g, const float *ref, size_t n, double *ref_max) {
  double worst = 0, big = 0;
  for (size_t i = 0; i < n; i++) {
    big = fmax(big, fabs(ref[i]));
    worst = fmax(worst, fabs(g[i] - ref[i]));
  }
  *ref_max = big;
  return worst;
}

/* rx_rnn_forward_loss against rx_rnn_forward + rx_rnn_backward on 740 rows (several tiles, the
 * last one short, shared between groups): the same hidden states bit for bit, the same loss and
 * gradient to float rounding (the readout's products are cut into different calls, and dW_out
 * is summed per group of tiles), the loss alone the same bits as with the gradient; protocol. */
static void test_forward_loss_equals_forward_then_backward(void) {
  for (int kind = 0; kind < 2; kind++)
    for (int bias = 0; bias < 2; bias++) {
      rx_rnn_spec spec = small_spec((rx_model_kind)kind, kind ? RX_ACT_TANH : RX_ACT_RELU, bias);
      spec.n_rec = 37, spec.n_out = 11;
      problem p;
      const int B = 37, T = 20;
      REQUIRE(problem_make(&p, &spec, B, T, 2, 0, 0, 23) == 0);
      const size_t nw = p.rnn->n_weights, nh = (size_t)T * B * spec.n_rec;
      float *g_ref = malloc(nw * sizeof(float)), *g = malloc(nw * sizeof(float));
      float *h_ref = malloc(nh * sizeof(float));
      const double L_ref = problem_loss(&p);
      memcpy(h_ref, rx_rnn_workspace_hidden(p.ws), nh * sizeof(float));
      REQUIRE(rx_rnn_backward(p.rnn, p.ws, p.R, g_ref, NULL) == 0);
      const double L = problem_loss_tiled(&p, g);
      CHECK(memcmp(h_ref, rx_rnn_workspace_hidden(p.ws), nh * sizeof(float)) == 0);
      CHECK_MSG(fabs(L - L_ref) <= 1e-6 * (1 + fabs(L_ref)), "loss %.9g vs %.9g", L, L_ref);
      double gmax = 0;
      const double worst = max_deviation(g, g_ref, nw, &gmax);
      CHECK_MSG(gmax > 0 && worst <= 1e-5 * gmax, "%s bias %d: gradient off by %.3g (max %.3g)",
                rx_model_kind_name(spec.kind), bias, worst, gmax);
      /* every parameter got its gradient (the output map's came from the tiles) */
      for (int q = 0; q < p.rnn->n_params; q++) {
        const rx_param *pr = &p.rnn->params[q];
        double sq = 0;
        for (size_t i = 0; i < pr->size; i++)
          sq += fabs(g[pr->offset + i]);
        CHECK_MSG(sq > 0, "%s has no gradient", pr->name);
      }
      const double L_only = problem_loss_tiled(&p, NULL);
      CHECK(memcmp(&L_only, &L, sizeof L) == 0);
      /* no outputs were kept: rx_rnn_backward refuses; no loss function: refused */
      rx_error err;
      CHECK(rx_rnn_backward(p.rnn, p.ws, p.R, g, &err) == RX_EINVAL &&
            strstr(err.msg, "no forward pass with outputs"));
      rx_row_loss none = {0};
      CHECK(rx_rnn_forward_loss(p.rnn, p.ws, &p.run, &none, g, &err) == RX_EINVAL &&
            strstr(err.msg, "no rows() function"));
      free(g_ref), free(g), free(h_ref);
      problem_free(&p);
    }
}

/* Low-rank targets: the readout's backward pass from h^T h and F^T h (dL/dy never formed)
 * against the tile-by-tile path on the same loss (rows() writing dL/dy), on 740 rows: the same
 * loss bit for bit, the same gradient to float rounding, the same bits on 1 and 2 threads. With
 * an output bias or output noise the structure is ignored and dL/dy is formed. */
static void test_low_rank_targets_give_the_tiled_gradient(void) {
  for (int kind = 0; kind < 2; kind++)
    for (int bias = 0; bias < 2; bias++) {
      rx_rnn_spec spec = small_spec((rx_model_kind)kind, RX_ACT_TANH, bias);
      spec.n_rec = 37, spec.n_out = 41;
      problem p;
      REQUIRE(problem_make(&p, &spec, 37, 20, 1, 0, 0, 29) == 0);
      p.noise.sigma_out = 0.0f;
      const size_t nw = p.rnn->n_weights;
      float *g_ref = malloc(nw * sizeof(float)), *g = malloc(nw * sizeof(float));
      int formed_ref = 0, formed = 0;
      const double L_ref = problem_loss_low_rank(&p, g_ref, 0, &formed_ref);
      const double L = problem_loss_low_rank(&p, g, 1, &formed);
      CHECK(formed_ref > 0 && (bias ? formed == formed_ref : formed == 0));
      CHECK(memcmp(&L, &L_ref, sizeof L) == 0);
      double gmax = 0;
      const double worst = max_deviation(g, g_ref, nw, &gmax);
      CHECK_MSG(gmax > 0 && worst <= 2e-5 * gmax, "%s bias %d: gradient off by %.3g (max %.3g)",
                rx_model_kind_name(spec.kind), bias, worst, gmax);
      /* the same bits on one thread (the row groups stay those of the core count) */
      float *g1 = malloc(nw * sizeof(float));
      rx_set_threads(1);
      const double L1 = problem_loss_low_rank(&p, g1, 1, NULL);
      rx_set_threads(0);
      CHECK(memcmp(&L1, &L, sizeof L) == 0 && memcmp(g1, g, nw * sizeof(float)) == 0);
      free(g1);
      /* output noise: the structure is ignored too */
      p.noise.sigma_out = 0.1f;
      formed = 0;
      problem_loss_low_rank(&p, g, 1, &formed);
      CHECK(formed > 0);
      free(g_ref), free(g);
      problem_free(&p);
    }
}

/* rx_gemm_sum_rows (the weight gradients' sums over all T B rows, cut into row groups) against a
 * double-precision product, on a C narrower than its leading dimension. */
static void test_sum_over_row_groups_equals_the_product(void) {
  rx_rnn_spec spec = small_spec(RX_MODEL_GRU, RX_ACT_TANH, 0);
  spec.n_rec = 24;
  rx_rnn_workspace *ws;
  rx_error err;
  const int B = 50, T = 20, k = B * T, m = 3 * 24, n = 24, ldc = 30;
  REQUIRE(rx_rnn_workspace_create(&ws, &spec, B, T, &err) == 0);
  if (omp_get_num_procs() > 1) CHECK(rx_sum_rows_groups(k) > 1); /* the groups are exercised */
  float *a = malloc((size_t)k * m * sizeof(float)), *b = malloc((size_t)k * n * sizeof(float));
  float *c = malloc((size_t)m * ldc * sizeof(float));
  fill_uniform(a, (size_t)k * m, 41, -1.0f, 1.0f);
  fill_uniform(b, (size_t)k * n, 42, -1.0f, 1.0f);
  for (int i = 0; i < m * ldc; i++)
    c[i] = 7.0f; /* overwritten inside the m x n block, untouched beyond it */
  rx_gemm_sum_rows(m, n, k, a, m, b, n, c, ldc, ws->kpart);
  double worst = 0;
  int outside_ok = 1;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < ldc; j++) {
      if (j >= n) {
        outside_ok &= c[i * ldc + j] == 7.0f;
        continue;
      }
      double ref = 0;
      for (int r = 0; r < k; r++)
        ref += (double)a[(size_t)r * m + i] * b[(size_t)r * n + j];
      worst = fmax(worst, fabs(c[i * ldc + j] - ref));
    }
  CHECK_MSG(worst < 1e-4, "worst error %.3g", worst); /* sums of 1000 products of size ~1 */
  CHECK(outside_ok);
  free(a), free(b), free(c);
  rx_rnn_workspace_free(ws);
}

/* ------------------------------------------------------------------ noise */

/* Vanilla, identity, alpha = 1, W_rec = 0, no inputs: h_t = W_in xn_t + sigma_rec xi_rec and
 * y_t = sigma_out xi_out exactly. With W_in[j][k] = (j == k) and sigma_rec = 0, h_t[0..1] is the
 * input noise; with sigma_in = 0, h_t is the recurrent noise. */
static void noise_moments(rx_noise_kind kind, int which, double *mean, double *var, long *count) {
  rx_rnn_spec s = {.kind = RX_MODEL_VANILLA,
                   .n_in = 2,
                   .n_rec = 64,
                   .n_out = 32,
                   .n_init = 4,
                   .alpha = 1.0f,
                   .act = RX_ACT_IDENTITY,
                   .noise = kind};
  rx_rnn *rnn;
  rx_rnn_workspace *ws;
  rx_error err;
  /* under rx_test_small 10x fewer draws: the 5-standard-error tolerances below scale with n */
  const int B = rx_test_small() ? 20 : 200, T = 100;
  if (rx_rnn_create(&rnn, &s, &err) || rx_rnn_workspace_create(&ws, &s, B, T, &err)) return;
  const rx_param *wi = rx_rnn_find_param(rnn, "w_in.weight");
  rnn->w[wi->offset + 0] = 1.0f, rnn->w[wi->offset + 3] = 1.0f;
  float *c = calloc((size_t)B * 4, sizeof(float)), *y = malloc((size_t)T * B * 32 * sizeof(float));
  rx_noise nz = {.seed = 3, .stream = RX_STREAM_NOISE, .index = 1, .kind = kind};
  if (which == 0) nz.sigma_in = 0.5f;
  if (which == 1) nz.sigma_rec = 0.5f;
  if (which == 2) nz.sigma_out = 0.5f;
  rx_rnn_run run = {.B = B, .T = T, .c = c, .noise = &nz};
  rx_rnn_forward(rnn, ws, &run, y, NULL);
  const float *h = rx_rnn_workspace_hidden(ws);
  double s1 = 0, s2 = 0;
  long n = 0;
  for (long r = 0; r < (long)T * B; r++) {
    const int m = which == 0 ? 2 : which == 1 ? 64 : 32;
    for (int j = 0; j < m; j++) {
      double v = which == 2 ? y[r * 32 + j] : h[r * 64 + j];
      s1 += v, s2 += v * v, n++;
    }
  }
  *mean = s1 / n;
  *var = s2 / n - *mean * *mean;
  *count = n;
  free(c), free(y);
  rx_rnn_free(rnn);
  rx_rnn_workspace_free(ws);
}

/* Tolerances are 5 standard errors: of the mean sd / sqrt(n); of the sample variance
 * var sqrt(2 / n) (Gaussian) or var sqrt(0.8 / n) (uniform: kurtosis 1.8). */
static void test_noise_has_the_specified_moments(void) {
  const double sg = 0.5;
  for (int which = 0; which < 3; which++)
    for (int kind = 0; kind < 2; kind++) {
      double m, v;
      long n = 0;
      noise_moments((rx_noise_kind)kind, which, &m, &v, &n);
      REQUIRE(n > 0);
      const int uniform = kind == RX_NOISE_UNIFORM && which < 2; /* output noise: always Gaussian */
      const double em = uniform ? sg / 2 : 0.0, ev = uniform ? sg * sg / 12 : sg * sg;
      CHECK_MSG(fabs(m - em) <= 5 * sqrt(ev / n), "noise %d kind %d: mean %.5g, expected %.5g",
                which, kind, m, em);
      CHECK_MSG(fabs(v - ev) <= 5 * ev * sqrt((uniform ? 0.8 : 2.0) / n),
                "noise %d kind %d: variance %.5g, expected %.5g", which, kind, v, ev);
    }
}

static void test_noise_same_key_reproduces_and_other_index_differs(void) {
  for (int kind = 0; kind < 2; kind++) {
    rx_rnn_spec spec = small_spec((rx_model_kind)kind, RX_ACT_TANH, 1);
    problem p;
    REQUIRE(problem_make(&p, &spec, 4, 5, 1, 0, 0, 9) == 0);
    const size_t ny = (size_t)p.T * p.B * spec.n_out;
    float *y1 = malloc(ny * sizeof(float));
    rx_rnn_forward(p.rnn, p.ws, &p.run, y1, NULL);
    rx_rnn_forward(p.rnn, p.ws, &p.run, p.y, NULL);
    CHECK(memcmp(y1, p.y, ny * sizeof(float)) == 0);
    p.noise.index++;
    rx_rnn_forward(p.rnn, p.ws, &p.run, p.y, NULL);
    size_t same = 0;
    for (size_t i = 0; i < ny; i++)
      same += y1[i] == p.y[i];
    CHECK(same == 0);
    p.noise.index--, p.noise.stream += 3;
    rx_rnn_forward(p.rnn, p.ws, &p.run, p.y, NULL);
    same = 0;
    for (size_t i = 0; i < ny; i++)
      same += y1[i] == p.y[i];
    CHECK(same == 0);
    free(y1);
    problem_free(&p);
  }
}

/* One run of T = 10 equals two chained runs of 5: the second starts from h_5 with t0 = 5 and,
 * with the mechanisms, from their state after step 5 (rx_rnn_workspace_state). Without that
 * state the mechanisms' second half differs (a_5, v_5 matter). The paper cell's state is zero
 * and a state given to it is not read. */
static void test_chained_runs_equal_one_run(void) {
  for (int kind = 0; kind < 2; kind++)
    for (int mech = 0; mech < (kind == RX_MODEL_VANILLA ? 4 : 1); mech++) {
      rx_rnn_spec spec = with_mechanism(small_spec((rx_model_kind)kind, RX_ACT_RELU, 1), mech);
      spec.n_rec = 33;
      problem p;
      REQUIRE(problem_make(&p, &spec, 6, 10, 2, 0, 0, 13) == 0);
      p.run.t0 = 0;
      const int B = 6, N = spec.n_rec, O = spec.n_out, I = spec.n_in;
      const size_t ny = (size_t)10 * B * O, nh = (size_t)10 * B * N, ns = (size_t)B * 2 * N;
      float *y1 = malloc(ny * sizeof(float)), *h1 = malloc(nh * sizeof(float));
      float *y2 = malloc(ny * sizeof(float)), *h2 = malloc(nh * sizeof(float));
      float *st = malloc(ns * sizeof(float)), *h3 = malloc(nh / 2 * sizeof(float));
      rx_rnn_forward(p.rnn, p.ws, &p.run, y1, NULL);
      memcpy(h1, rx_rnn_workspace_hidden(p.ws), nh * sizeof(float));
      rx_rnn_run a = p.run;
      a.T = 5;
      rx_rnn_forward(p.rnn, p.ws, &a, y2, NULL);
      memcpy(h2, rx_rnn_workspace_hidden(p.ws), nh / 2 * sizeof(float));
      memcpy(st, rx_rnn_workspace_state(p.ws), ns * sizeof(float));
      double s_abs = 0; /* the state after step 5: zero exactly where no mechanism keeps one */
      for (size_t i = 0; i < ns; i++)
        s_abs += fabs(st[i]);
      CHECK_MSG(mech ? s_abs > 0 : s_abs == 0, "%s: state sum %g", mechanism_name(mech), s_abs);
      rx_rnn_run b = a;
      b.x = p.x + (size_t)5 * B * I, b.h0 = h2 + (size_t)4 * B * N, b.t0 = 5, b.state0 = st;
      rx_rnn_forward(p.rnn, p.ws, &b, y2 + ny / 2, NULL);
      memcpy(h2 + nh / 2, rx_rnn_workspace_hidden(p.ws), nh / 2 * sizeof(float));
      /* the recurrence does the same float operations on the same numbers: bit-identical. The
       * readout is one product over T B rows, cut into different calls for T = 10 and T = 5, and
       * some BLAS kernels round a row differently depending on its place in the call: y agrees
       * to float rounding. */
      CHECK_MSG(memcmp(h1, h2, nh * sizeof(float)) == 0, "%s", mechanism_name(mech));
      double ey = 0;
      for (size_t i = 0; i < ny; i++)
        ey = fmax(ey, fabs(y1[i] - y2[i]) / (1 + fabs(y1[i])));
      CHECK_MSG(ey < 1e-6, "y differs by %.3g", ey);
      /* the second half from a zero state: different with a mechanism; the paper cell ignores
       * whatever state it is given */
      fill_uniform(st, ns, 3, -1.0f, 1.0f);
      b.state0 = mech ? NULL : st;
      rx_rnn_forward(p.rnn, p.ws, &b, NULL, NULL);
      memcpy(h3, rx_rnn_workspace_hidden(p.ws), nh / 2 * sizeof(float));
      const int same = memcmp(h3, h1 + nh / 2, nh / 2 * sizeof(float)) == 0;
      CHECK_MSG(mech ? !same : same, "%s: second half from another state", mechanism_name(mech));
      free(y1), free(h1), free(y2), free(h2), free(st), free(h3);
      problem_free(&p);
    }
}

/* ------------------------------------------------------------------ closed forms */

/* Identity activation, no noise, no input. W_rec = I: h_t = (1 - a) h + a h = h_0 for all t
 * (a fixed point stays put). W_rec = 0: h_t = (1 - a)^t E c. */
static void test_noiseless_fixed_point_stays_and_decay_is_closed_form(void) {
  rx_rnn_spec s = {.kind = RX_MODEL_VANILLA,
                   .n_in = 2,
                   .n_rec = 16,
                   .n_out = 3,
                   .n_init = 5,
                   .alpha = 0.2f,
                   .act = RX_ACT_IDENTITY};
  rx_rnn *rnn;
  rx_rnn_workspace *ws;
  rx_error err;
  const int B = 4, T = 30, N = 16, C = 5;
  REQUIRE(rx_rnn_create(&rnn, &s, &err) == 0);
  REQUIRE(rx_rnn_workspace_create(&ws, &s, B, T, &err) == 0);
  rx_rnn_init_default(rnn, 1);
  const rx_param *wr = rx_rnn_find_param(rnn, "w_rec.weight");
  const float *E = rx_rnn_find_param(rnn, "encoder.weight")->offset + rnn->w;
  float c[4 * 5];
  fill_uniform(c, 20, 77, 0.0f, 1.0f);
  double h0[4 * 16];
  for (int b = 0; b < B; b++)
    for (int j = 0; j < N; j++) {
      h0[b * N + j] = 0;
      for (int k = 0; k < C; k++)
        h0[b * N + j] += (double)E[j * C + k] * c[b * C + k];
    }
  rx_rnn_run run = {.B = B, .T = T, .c = c};
  for (int mode = 0; mode < 2; mode++) {
    memset(rnn->w + wr->offset, 0, wr->size * sizeof(float));
    if (mode == 0)
      for (int j = 0; j < N; j++)
        rnn->w[wr->offset + j * N + j] = 1.0f;
    REQUIRE(rx_rnn_forward(rnn, ws, &run, NULL, NULL) == 0);
    const float *h = rx_rnn_workspace_hidden(ws);
    double worst = 0;
    for (int t = 1; t <= T; t++)
      for (int i = 0; i < B * N; i++) {
        double expect = mode == 0 ? h0[i] : pow(1.0 - (double)s.alpha, t) * h0[i];
        worst = fmax(worst, fabs(h[(size_t)(t - 1) * B * N + i] - expect));
      }
    CHECK_MSG(worst < 1e-5, "mode %d: worst deviation %.3g", mode, worst);
  }
  rx_rnn_free(rnn);
  rx_rnn_workspace_free(ws);
}

/* With identity activation, no noise and no inputs each unit is a two-variable linear system
 * (its state and its mechanism's), iterated here in double:
 *   momentum, W_rec = 0:   v_t = lambda v - alpha h,  h_t = h + v_t
 *     alpha 0.2, lambda 0.8: eigenvalues of modulus sqrt(lambda) at angle acos((1.6 / 2) /
 *     sqrt(0.8)): underdamped, h rings through zero (the paper's cell decays as (1 - alpha)^t
 *     and never crosses it);
 *   adaptation, W_rec = I: h_t = h - alpha a_{t-1},  a_t = (1 - alpha_a) a + alpha_a b h_t
 *     (the paper's cell sits still at h_0 here): the state is pushed away from where it sits.
 * The optimised pass follows the iteration to float rounding. */
static void test_mechanisms_follow_their_linear_closed_forms(void) {
  const int B = 4, T = 30, N = 16, C = 5;
  for (int mech = MECH_ADAPT; mech <= MECH_MOMENTUM; mech++) {
    rx_rnn_spec s = {.kind = RX_MODEL_VANILLA,
                     .n_in = 2,
                     .n_rec = N,
                     .n_out = 3,
                     .n_init = C,
                     .alpha = 0.2f,
                     .act = RX_ACT_IDENTITY};
    if (mech == MECH_ADAPT) s.mech.adaptation_strength = 1.0f, s.mech.adaptation_alpha = 0.2f;
    if (mech == MECH_MOMENTUM) s.mech.momentum = 0.8f;
    rx_rnn *rnn;
    rx_rnn_workspace *ws;
    rx_error err;
    REQUIRE(rx_rnn_create(&rnn, &s, &err) == 0);
    REQUIRE(rx_rnn_workspace_create(&ws, &s, B, T, &err) == 0);
    rx_rnn_init_default(rnn, 2);
    const rx_param *wr = rx_rnn_find_param(rnn, "w_rec.weight");
    memset(rnn->w + wr->offset, 0, wr->size * sizeof(float));
    if (mech == MECH_ADAPT)
      for (int j = 0; j < N; j++)
        rnn->w[wr->offset + (size_t)j * N + j] = 1.0f;
    float c[4 * 5];
    fill_uniform(c, 20, 78, 0.0f, 1.0f);
    rx_rnn_run run = {.B = B, .T = T, .c = c};
    REQUIRE(rx_rnn_forward(rnn, ws, &run, NULL, NULL) == 0);
    const float *h = rx_rnn_workspace_hidden(ws);
    const float *E = rx_rnn_find_param(rnn, "encoder.weight")->offset + rnn->w;
    const double al = s.alpha, aa = s.mech.adaptation_alpha, bs = s.mech.adaptation_strength;
    const double lam = s.mech.momentum;
    double worst = 0, shrink = 0;
    int crossed = 0, units = 0;
    for (int b = 0; b < B; b++)
      for (int j = 0; j < N; j++) {
        double h0 = 0;
        for (int k = 0; k < C; k++)
          h0 += (double)E[j * C + k] * c[b * C + k];
        double x = h0, m = 0; /* (h, a) or (h, v) */
        int sign_change = 0;
        for (int t = 1; t <= T; t++) {
          if (mech == MECH_ADAPT) {
            x = x - al * m;
            m = (1 - aa) * m + aa * bs * x;
          } else {
            m = lam * m - al * x;
            x = x + m;
          }
          sign_change |= x * h0 < 0;
          worst = fmax(worst, fabs(h[((size_t)(t - 1) * B + b) * N + j] - x));
        }
        if (fabs(h0) > 0.05) {
          units++;
          crossed += sign_change;
          shrink = fmax(shrink, fabs(x / h0));
        }
      }
    CHECK_MSG(worst < 1e-5, "%s: worst deviation %.3g", mechanism_name(mech), worst);
    CHECK(units > 10);
    if (mech == MECH_MOMENTUM) CHECK_MSG(crossed == units, "%d of %d rang", crossed, units);
    if (mech == MECH_ADAPT) CHECK_MSG(shrink < 0.5, "|h_T / h_0| up to %.3g", shrink);
    rx_rnn_free(rnn);
    rx_rnn_workspace_free(ws);
  }
}

/* A mechanism at zero strength (adaptation with tau_a set but b = 0, momentum 0) is the paper's
 * cell: the same outputs, hidden states and gradients (both backward paths), bit for bit, as a
 * spec whose mechanism fields were never touched; its state stays zero. */
static void test_mechanisms_at_zero_strength_give_the_paper_cells_bits(void) {
  for (int a = 0; a < 2; a++) {
    rx_rnn_spec paper = small_spec(RX_MODEL_VANILLA, a ? RX_ACT_TANH : RX_ACT_RELU, a);
    paper.n_rec = 37;
    rx_rnn_spec off = paper;
    off.mech.adaptation_alpha = 0.25f; /* tau_a set, b = 0 */
    CHECK(!rx_mechanism_active(&off.mech));
    problem p[2];
    REQUIRE(problem_make(&p[0], &paper, 9, 8, 2, 0, 0, 31) == 0);
    REQUIRE(problem_make(&p[1], &off, 9, 8, 2, 0, 0, 31) == 0);
    const size_t ny = (size_t)8 * 9 * paper.n_out, nh = (size_t)8 * 9 * paper.n_rec;
    const size_t nw = p[0].rnn->n_weights;
    float *g[2], *gt[2], *h[2];
    double L[2];
    for (int i = 0; i < 2; i++) {
      g[i] = malloc(nw * sizeof(float)), gt[i] = malloc(nw * sizeof(float));
      h[i] = malloc(nh * sizeof(float));
      problem_loss(&p[i]);
      memcpy(h[i], rx_rnn_workspace_hidden(p[i].ws), nh * sizeof(float));
      CHECK(rx_rnn_backward(p[i].rnn, p[i].ws, p[i].R, g[i], NULL) == 0);
      L[i] = problem_loss_tiled(&p[i], gt[i]);
      const float *st = rx_rnn_workspace_state(p[i].ws);
      int zero = 1;
      for (size_t e = 0; e < (size_t)9 * 2 * paper.n_rec; e++)
        zero &= st[e] == 0.0f;
      CHECK(zero);
    }
    CHECK(memcmp(p[0].y, p[1].y, ny * sizeof(float)) == 0);
    CHECK(memcmp(h[0], h[1], nh * sizeof(float)) == 0);
    CHECK(memcmp(g[0], g[1], nw * sizeof(float)) == 0);
    CHECK(memcmp(gt[0], gt[1], nw * sizeof(float)) == 0);
    CHECK(L[0] == L[1]); /* finite sums: equal values are equal bits here */
    /* and a real strength does change them */
    p[1].rnn->spec.mech.adaptation_strength = 0.5f;
    problem_loss(&p[1]);
    CHECK(memcmp(p[0].y, p[1].y, ny * sizeof(float)) != 0);
    for (int i = 0; i < 2; i++) {
      free(g[i]), free(gt[i]), free(h[i]);
      problem_free(&p[i]);
    }
  }
}

/* ------------------------------------------------------------------ parameters, init */

static void test_params_have_pytorch_names_and_shapes_and_tile_the_weights(void) {
  for (int kind = 0; kind < 2; kind++)
    for (int bias = 0; bias < 2; bias++) {
      rx_rnn_spec s = small_spec((rx_model_kind)kind, RX_ACT_TANH, bias);
      rx_rnn *rnn;
      rx_error err;
      REQUIRE(rx_rnn_create(&rnn, &s, &err) == 0);
      const char *van[4] = {"encoder", "w_in", "w_rec", "w_out"};
      const char *gru[8] = {"encoder", "w_z", "u_z", "w_r", "u_r", "w_h", "u_h", "decoder"};
      const int nm = kind ? 8 : 4;
      CHECK(rnn->n_params == nm * (bias ? 2 : 1));
      for (int m = 0; m < nm; m++) {
        const char *map = kind ? gru[m] : van[m];
        char name[40];
        snprintf(name, sizeof name, "%s.weight", map);
        const rx_param *w = rx_rnn_find_param(rnn, name);
        REQUIRE(w);
        int out = strcmp(map, "w_out") == 0 || strcmp(map, "decoder") == 0 ? s.n_out : s.n_rec;
        const int input_map = strcmp(map, "w_in") == 0 || (kind && map[0] == 'w');
        int in = strcmp(map, "encoder") == 0 ? s.n_init : input_map ? s.n_in : s.n_rec;
        CHECK_MSG(w->ndim == 2 && w->shape[0] == out && w->shape[1] == in, "%s", name);
        snprintf(name, sizeof name, "%s.bias", map);
        const rx_param *b = rx_rnn_find_param(rnn, name);
        CHECK(bias ? b && b->ndim == 1 && b->shape[0] == out && b->size == (size_t)out : !b);
      }
      /* the readout's weights are the output map's, of either model */
      const float *rw, *rb;
      rx_rnn_readout_weights(rnn, &rw, &rb);
      const rx_param *ow = rx_rnn_find_param(rnn, kind ? "decoder.weight" : "w_out.weight");
      const rx_param *ob = rx_rnn_find_param(rnn, kind ? "decoder.bias" : "w_out.bias");
      CHECK(ow && rw == rnn->w + ow->offset);
      CHECK(bias ? ob && rb == rnn->w + ob->offset : rb == NULL);
      /* every weight belongs to exactly one parameter */
      int *owner = calloc(rnn->n_weights, sizeof(int));
      for (int q = 0; q < rnn->n_params; q++)
        for (size_t i = 0; i < rnn->params[q].size; i++)
          owner[rnn->params[q].offset + i]++;
      int ok = 1;
      for (size_t i = 0; i < rnn->n_weights; i++)
        ok &= owner[i] == 1;
      CHECK(ok);
      free(owner);
      rx_rnn_free(rnn);
    }
}

static void test_init_default_is_uniform_in_fan_in_bound_and_reproducible(void) {
  rx_rnn_spec s = {.kind = RX_MODEL_GRU,
                   .n_in = 2,
                   .n_rec = 128,
                   .n_out = 64,
                   .n_init = 96,
                   .alpha = 0.2f,
                   .bias = 1,
                   .act = RX_ACT_TANH};
  rx_rnn *a, *b;
  rx_error err;
  REQUIRE(rx_rnn_create(&a, &s, &err) == 0);
  REQUIRE(rx_rnn_create(&b, &s, &err) == 0);
  rx_rnn_init_default(a, 42);
  rx_rnn_init_default(b, 42);
  CHECK(memcmp(a->w, b->w, a->n_weights * sizeof(float)) == 0);
  rx_rnn_init_default(b, 43);
  size_t same = 0;
  for (size_t i = 0; i < a->n_weights; i++)
    same += a->w[i] == b->w[i];
  CHECK(same < a->n_weights / 1000);
  for (int q = 0; q < a->n_params; q++) {
    const rx_param *p = &a->params[q];
    const int fan_in = p->ndim == 2 ? p->shape[1] : a->params[q - 1].shape[1];
    const double bound = 1.0 / sqrt(fan_in);
    double s1 = 0, s2 = 0;
    int inside = 1;
    for (size_t i = 0; i < p->size; i++) {
      double w = a->w[p->offset + i];
      inside &= fabs(w) <= bound;
      s1 += w, s2 += w * w;
    }
    CHECK_MSG(inside, "%s outside +-1/sqrt(%d)", p->name, fan_in);
    const double n = (double)p->size, var = s2 / n - (s1 / n) * (s1 / n),
                 expect = bound * bound / 3;
    /* the sample variance of n uniforms has relative s.d. ~ sqrt(0.8 / n) */
    CHECK_MSG(fabs(var - expect) <= 5 * sqrt(0.8 / n) * expect, "%s variance %.4g, expected %.4g",
              p->name, var, expect);
  }
  rx_rnn_free(a);
  rx_rnn_free(b);
}

/* ------------------------------------------------------------------ threads */

/* Batch and hidden size: under rx_test_small 24 and 128 instead of 100 and 256 (work still split
 * between the two threads); n_out is half the hidden size. */
static int threads_batch(void) { return rx_test_small() ? 24 : 100; }
static int threads_n_rec(void) { return rx_test_small() ? 128 : 256; }

static void run_once(rx_model_kind kind, int mech, int threads, float *y, float *h, float *grad,
                     float *grad_tiled, double *loss_tiled) {
  rx_set_threads(threads);
  rx_rnn_spec s = {.kind = kind,
                   .n_in = 2,
                   .n_rec = threads_n_rec(),
                   .n_out = threads_n_rec() / 2,
                   .n_init = 64,
                   .alpha = 0.2f,
                   .bias = 1,
                   .act = kind ? RX_ACT_TANH : RX_ACT_RELU};
  s = with_mechanism(s, mech);
  problem p;
  const int B = threads_batch();
  if (problem_make(&p, &s, B, 12, 1, 0, 0, 17)) return;
  p.noise.sigma_out = 0.05f;
  rx_rnn_forward(p.rnn, p.ws, &p.run, p.y, NULL);
  memcpy(y, p.y, (size_t)12 * B * s.n_out * sizeof(float));
  memcpy(h, rx_rnn_workspace_hidden(p.ws), (size_t)12 * B * s.n_rec * sizeof(float));
  rx_rnn_backward(p.rnn, p.ws, p.R, grad, NULL);
  *loss_tiled = problem_loss_tiled(&p, grad_tiled);
  problem_free(&p);
}

/* Both cells, and the vanilla cell with both mechanisms on. */
static void test_forward_and_backward_are_bit_identical_with_1_and_2_threads(void) {
  for (int run = 0; run < 3; run++) {
    const int kind = run == 2 ? RX_MODEL_GRU : RX_MODEL_VANILLA, mech = run == 1 ? MECH_BOTH : 0;
    const size_t B = (size_t)threads_batch(), N = (size_t)threads_n_rec();
    const size_t ny = 12 * B * (N / 2), nh = 12 * B * N, nw = 800000;
    float *y[2], *h[2], *g[2], *gt[2];
    double lt[2];
    for (int i = 0; i < 2; i++) {
      y[i] = malloc(ny * sizeof(float)), h[i] = malloc(nh * sizeof(float));
      g[i] = calloc(nw, sizeof(float)), gt[i] = calloc(nw, sizeof(float));
      run_once((rx_model_kind)kind, mech, i + 1, y[i], h[i], g[i], gt[i], &lt[i]);
    }
    CHECK_MSG(memcmp(y[0], y[1], ny * sizeof(float)) == 0, "run %d", run);
    CHECK_MSG(memcmp(h[0], h[1], nh * sizeof(float)) == 0, "run %d", run);
    CHECK_MSG(memcmp(g[0], g[1], nw * sizeof(float)) == 0, "run %d", run);
    /* the tiled training path */
    CHECK_MSG(memcmp(gt[0], gt[1], nw * sizeof(float)) == 0, "run %d", run);
    CHECK_MSG(memcmp(&lt[0], &lt[1], sizeof lt[0]) == 0, "run %d", run);
    double gs = 0;
    for (size_t i = 0; i < nw; i++)
      gs += fabs(g[0][i]);
    CHECK(gs > 0);
    for (int i = 0; i < 2; i++)
      free(y[i]), free(h[i]), free(g[i]), free(gt[i]);
  }
  rx_set_threads(0);
}

/* ------------------------------------------------------------------ validation */

static void expect_rejected(rx_rnn_spec s, const char *key) {
  rx_error err = {{0}};
  rx_rnn *rnn = NULL;
  CHECK(rx_rnn_spec_check(&s, &err) == RX_EINVAL);
  CHECK_MSG(strstr(err.msg, key) != NULL, "message '%s' does not name %s", err.msg, key);
  CHECK(rx_rnn_create(&rnn, &s, &err) == RX_EINVAL && rnn == NULL);
}

/* rows() of a loss that no pass reaches (its run or its structure is refused first). */
static void lr_rows_unused(void *ctx, size_t r0, size_t m, float *y, int want_grad) {
  (void)ctx, (void)r0, (void)m, (void)y, (void)want_grad;
  CHECK(!"rows() called on a refused pass");
}

static void test_spec_validation_names_the_key_at_fault(void) {
  rx_rnn_spec ok = small_spec(RX_MODEL_VANILLA, RX_ACT_RELU, 0);
  rx_error err;
  CHECK(rx_rnn_spec_check(&ok, &err) == 0);
  rx_rnn_spec s = ok;
  s.n_rec = 0, expect_rejected(s, "rnn.n_rec");
  s = ok, s.n_rec = -3, expect_rejected(s, "rnn.n_rec");
  s = ok, s.n_in = 0, expect_rejected(s, "rnn.n_in");
  s = ok, s.n_out = 0, expect_rejected(s, "rnn.n_out");
  s = ok, s.n_init = 0, expect_rejected(s, "rnn.n_init");
  s = ok, s.alpha = 0.0f, expect_rejected(s, "rnn.dt/rnn.tau");
  s = ok, s.alpha = 1.5f, expect_rejected(s, "rnn.dt/rnn.tau");
  s = ok, s.alpha = NAN, expect_rejected(s, "rnn.dt/rnn.tau");
  s = ok, s.alpha = 1.0f;
  CHECK(rx_rnn_spec_check(&s, &err) == 0);
  s = ok, s.sigma_in = -0.1f, expect_rejected(s, "rnn.sigma2_in");
  s = ok, s.sigma_rec = -0.1f, expect_rejected(s, "rnn.sigma2_rec");
  s = ok, s.sigma_out = NAN, expect_rejected(s, "rnn.sigma2_out");
  s = ok, s.act = (rx_activation)9, expect_rejected(s, "rnn.activation_fn");
  s = ok, s.kind = (rx_model_kind)5, expect_rejected(s, "rnn.model");
  s = ok, s.noise = (rx_noise_kind)2, expect_rejected(s, "rnn.noise");
  /* the mechanisms, each naming its config key and range */
  s = ok, s.mech.adaptation_strength = -0.5f, expect_rejected(s, "rnn.adaptation_strength");
  s = ok, s.mech.adaptation_strength = NAN, expect_rejected(s, "rnn.adaptation_strength");
  s = ok, s.mech.adaptation_strength = INFINITY, expect_rejected(s, "rnn.adaptation_strength");
  s = ok, s.mech.adaptation_strength = 1.0f, s.mech.adaptation_alpha = 0.0f;
  expect_rejected(s, "rnn.adaptation_tau");
  s.mech.adaptation_alpha = 1.5f, expect_rejected(s, "rnn.adaptation_tau"); /* tau_a < dt */
  s.mech.adaptation_alpha = NAN, expect_rejected(s, "rnn.adaptation_tau");
  s.mech.adaptation_alpha = 1.0f;
  CHECK(rx_rnn_spec_check(&s, &err) == 0);
  s = ok, s.mech.adaptation_alpha = 7.0f; /* no adaptation: alpha_a is not read */
  CHECK(rx_rnn_spec_check(&s, &err) == 0);
  s = ok, s.mech.momentum = 1.0f, expect_rejected(s, "rnn.momentum");
  CHECK(rx_rnn_spec_check(&s, &err) == RX_EINVAL && strstr(err.msg, "in [0, 1)"));
  s = ok, s.mech.momentum = -0.1f, expect_rejected(s, "rnn.momentum");
  s = ok, s.mech.momentum = NAN, expect_rejected(s, "rnn.momentum");
  s = ok, s.mech.momentum = 0.99f;
  CHECK(rx_rnn_spec_check(&s, &err) == 0);
  rx_rnn_spec gru = small_spec(RX_MODEL_GRU, RX_ACT_TANH, 0);
  s = gru, s.mech.momentum = 0.5f, expect_rejected(s, "rnn.momentum");
  CHECK(rx_rnn_spec_check(&s, &err) == RX_EINVAL && strstr(err.msg, "vanilla cell only"));
  s = gru, s.mech.adaptation_strength = 1.0f, s.mech.adaptation_alpha = 0.2f;
  expect_rejected(s, "rnn.adaptation_strength");
  s = gru, s.mech.adaptation_alpha = 0.2f; /* b = 0: the GRU as ever */
  CHECK(rx_rnn_spec_check(&s, &err) == 0);
  /* workspace sizes, run sizes and the forward/backward protocol */
  rx_rnn_workspace *ws = NULL;
  CHECK(rx_rnn_workspace_create(&ws, &ok, 0, 5, &err) == RX_EINVAL && !ws);
  problem p;
  REQUIRE(problem_make(&p, &ok, 3, 4, 0, 0, 0, 1) == 0);
  float *grad = malloc(p.rnn->n_weights * sizeof(float));
  CHECK(rx_rnn_backward(p.rnn, p.ws, p.R, grad, &err) == RX_EINVAL &&
        strstr(err.msg, "rnn backward: no forward pass")); /* no forward yet */
  rx_rnn_run big = p.run;
  big.B = 4;
  CHECK(rx_rnn_forward(p.rnn, p.ws, &big, p.y, &err) == RX_EINVAL &&
        strstr(err.msg, "run.B = 4 trajectories, the workspace holds 1 to 3"));
  big = p.run, big.T = 5;
  CHECK(rx_rnn_forward(p.rnn, p.ws, &big, p.y, &err) == RX_EINVAL &&
        strstr(err.msg, "run.T = 5 steps, the workspace holds 1 to 4"));
  big = p.run, big.c = NULL, big.h0 = NULL;
  CHECK(rx_rnn_forward(p.rnn, p.ws, &big, p.y, &err) == RX_EINVAL &&
        strstr(err.msg, "neither initial codes"));
  big = p.run, big.t0 = -1;
  CHECK(rx_rnn_forward(p.rnn, p.ws, &big, p.y, &err) == RX_EINVAL && strstr(err.msg, "run.t0"));
  CHECK(rx_rnn_forward(p.rnn, p.ws, &p.run, NULL, NULL) == 0);
  CHECK(rx_rnn_backward(p.rnn, p.ws, p.R, grad, NULL) == RX_EINVAL); /* no readout */
  CHECK(rx_rnn_forward(p.rnn, p.ws, &p.run, p.y, NULL) == 0);
  CHECK(rx_rnn_backward(p.rnn, p.ws, p.R, grad, NULL) == 0);
  /* the training pass names its faults too: the run, then an incomplete low-rank loss */
  rx_row_loss fn = {.rows = lr_rows_unused, .low_rank = {.n_feat = 3}};
  big = p.run, big.B = 4;
  CHECK(rx_rnn_forward_loss(p.rnn, p.ws, &big, &fn, grad, &err) == RX_EINVAL &&
        strstr(err.msg, "rnn forward_loss: run.B = 4"));
  CHECK(rx_rnn_forward_loss(p.rnn, p.ws, &p.run, &fn, grad, &err) == RX_EINVAL &&
        strstr(err.msg, "low-rank targets (n_feat = 3) need both z and features()"));
  /* a workspace made for another network */
  rx_rnn_spec other = ok;
  other.n_rec = 8;
  rx_rnn_workspace *ws8 = NULL;
  REQUIRE(rx_rnn_workspace_create(&ws8, &other, 3, 4, &err) == 0);
  CHECK(rx_rnn_forward(p.rnn, ws8, &p.run, p.y, &err) == RX_EINVAL &&
        strstr(err.msg, "workspace was made for a vanilla of 2 inputs, 8 units"));
  rx_rnn_workspace_free(ws8);
  free(grad);
  problem_free(&p);
}

static void test_train_flops_count_every_gemm(void) {
  rx_rnn_spec v = {.kind = RX_MODEL_VANILLA,
                   .n_in = 2,
                   .n_rec = 512,
                   .n_out = 512,
                   .n_init = 512,
                   .alpha = 0.2f};
  const double TB = 100.0 * 200, N = 512;
  /* per row: forward 2 N (I + N + O), backward 2 N (O + O + N + N + I); encoder 2 x 2 B N C */
  double expect =
      2 * TB * N * (2 + N + 512) + 2 * TB * N * (512 + 512 + N + N + 2) + 4 * 200 * N * 512;
  CHECK_NEAR(rx_rnn_train_flops(&v, 200, 100), expect, 1.0);
  CHECK(rx_rnn_train_flops(&v, 200, 100) > 62e9 && rx_rnn_train_flops(&v, 200, 100) < 64e9);
  /* low-rank targets: dh and dW_out from N- and F-wide products instead of two O-wide ones */
  rx_rnn_spec hd = v;
  hd.n_rec = 128, hd.n_in = 1;
  const double full = rx_rnn_train_flops(&hd, 200, 100), N2 = 128, O2 = 512, F = 29;
  rx_row_loss plain = {0}, low_rank = {.low_rank = {.n_feat = 29}};
  CHECK(rx_rnn_forward_loss_flops(&hd, 200, 100, NULL) == full);
  CHECK(rx_rnn_forward_loss_flops(&hd, 200, 100, &plain) == full);
  CHECK_NEAR(rx_rnn_forward_loss_flops(&hd, 200, 100, &low_rank),
             full - 4 * TB * O2 * N2 + 4 * TB * (N2 * N2 + F * N2) +
                 4 * (N2 * N2 * O2 + F * N2 * O2),
             1.0);
  /* an output bias or output noise: dL/dy is formed, the full count */
  rx_rnn_spec hd_bias = hd, hd_noise = hd;
  hd_bias.bias = 1, hd_noise.sigma_out = 0.1f;
  CHECK(rx_rnn_forward_loss_flops(&hd_bias, 200, 100, &low_rank) ==
        rx_rnn_train_flops(&hd_bias, 200, 100));
  CHECK(rx_rnn_forward_loss_flops(&hd_noise, 200, 100, &low_rank) == full);
  CHECK(strcmp(rx_activation_name(RX_ACT_SIGMOID), "sigmoid") == 0);
  CHECK(strcmp(rx_model_kind_name(RX_MODEL_GRU), "gru") == 0);
}

RX_TEST_MAIN(TEST(test_vanilla_backward_matches_finite_differences),
             TEST(test_gru_backward_matches_finite_differences),
             TEST(test_mechanism_backward_matches_finite_differences),
             TEST(test_finite_difference_check_rejects_a_gradient_one_percent_off),
             TEST(test_backward_gives_zero_gradient_to_unused_maps),
             TEST(test_forward_matches_naive_reference),
             TEST(test_forward_loss_equals_forward_then_backward),
             TEST(test_low_rank_targets_give_the_tiled_gradient),
             TEST(test_sum_over_row_groups_equals_the_product),
             TEST(test_noise_has_the_specified_moments),
             TEST(test_noise_same_key_reproduces_and_other_index_differs),
             TEST(test_chained_runs_equal_one_run),
             TEST(test_noiseless_fixed_point_stays_and_decay_is_closed_form),
             TEST(test_mechanisms_follow_their_linear_closed_forms),
             TEST(test_mechanisms_at_zero_strength_give_the_paper_cells_bits),
             TEST(test_params_have_pytorch_names_and_shapes_and_tile_the_weights),
             TEST(test_init_default_is_uniform_in_fan_in_bound_and_reproducible),
             TEST(test_forward_and_backward_are_bit_identical_with_1_and_2_threads),
             TEST(test_spec_validation_names_the_key_at_fault),
             TEST(test_train_flops_count_every_gemm))
