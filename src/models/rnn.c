/* Network creation, parameter table, PyTorch-default initialisation, workspaces, and what both
 * cells share: encoder, input noise, bias sums, row tiles and weight-gradient sums, dispatch and
 * FLOP counts. The recurrences themselves are in vanilla.c and gru.c, the readout (with output
 * noise, and tile by tile with a loss) in readout.c. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/rnn_internal.h"
#include "reactivate/linalg.h"

/* ---------------------------------------------------------------- spec, layout, parameters */

int rx_rnn_spec_check(const rx_rnn_spec *s, rx_error *err) {
  if (!s) return rx_fail(err, RX_EINVAL, "rnn: no spec given");
  if (s->kind != RX_MODEL_VANILLA && s->kind != RX_MODEL_GRU)
    return rx_fail(err, RX_EINVAL, "rnn.model must be vanilla or gru (got %d)", (int)s->kind);
  if (s->n_in <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_in must be > 0 (got %d)", s->n_in);
  if (s->n_rec <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_rec must be > 0 (got %d)", s->n_rec);
  if (s->n_out <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_out must be > 0 (got %d)", s->n_out);
  if (s->n_init <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_init must be > 0 (got %d)", s->n_init);
  if (!(s->alpha > 0.0f && s->alpha <= 1.0f))
    return rx_fail(err, RX_EINVAL, "rnn.dt/rnn.tau (alpha) must be in (0, 1] (got %g)",
                   (double)s->alpha);
  if ((unsigned)s->act > RX_ACT_IDENTITY)
    return rx_fail(err, RX_EINVAL,
                   "rnn.activation_fn must be relu, tanh, sigmoid or identity (got %d)",
                   (int)s->act);
  const float sig[3] = {s->sigma_in, s->sigma_rec, s->sigma_out};
  const char *key[3] = {"rnn.sigma2_in", "rnn.sigma2_rec", "rnn.sigma2_out"};
  for (int i = 0; i < 3; i++)
    if (!(sig[i] >= 0.0f) || !isfinite(sig[i]))
      return rx_fail(err, RX_EINVAL, "%s must be >= 0 and finite (got noise s.d. %g)", key[i],
                     (double)sig[i]);
  if (s->noise != RX_NOISE_UNIFORM && s->noise != RX_NOISE_GAUSSIAN)
    return rx_fail(err, RX_EINVAL, "rnn.noise must be uniform or gaussian (got %d)", (int)s->noise);
  return RX_OK;
}

rx_rnn_layout rx_rnn_layout_of(const rx_rnn_spec *s) {
  rx_rnn_layout L;
  size_t N = (size_t)s->n_rec, bias = s->bias ? 1 : 0;
  L.G = s->kind == RX_MODEL_GRU ? 3 : 1;
  size_t GN = (size_t)L.G * N;
  L.enc_w = 0;
  L.enc_b = L.enc_w + N * (size_t)s->n_init;
  L.in_w = L.enc_b + bias * N;
  L.in_b = L.in_w + GN * (size_t)s->n_in;
  L.rec_w = L.in_b + bias * GN;
  L.rec_b = L.rec_w + GN * N;
  L.out_w = L.rec_b + bias * GN;
  L.out_b = L.out_w + (size_t)s->n_out * N;
  L.n = L.out_b + bias * (size_t)s->n_out;
  return L;
}

static void add_param(rx_rnn *rnn, const char *name, int out, int in, size_t offset) {
  rx_param *p = &rnn->params[rnn->n_params++];
  snprintf(p->name, sizeof p->name, "%s", name);
  p->ndim = in > 0 ? 2 : 1;
  p->shape[0] = out;
  p->shape[1] = in > 0 ? in : 0;
  p->offset = offset;
  p->size = (size_t)out * (size_t)(in > 0 ? in : 1);
}

/* One linear map: "<map>.weight" (out, in) and, with bias, "<map>.bias" (out). The order of the
 * table is PyTorch's named_parameters() order; it also numbers the init streams. */
static void add_map(rx_rnn *rnn, const char *map, int out, int in, size_t w_off, size_t b_off) {
  char name[32];
  snprintf(name, sizeof name, "%s.weight", map);
  add_param(rnn, name, out, in, w_off);
  if (rnn->spec.bias) {
    snprintf(name, sizeof name, "%s.bias", map);
    add_param(rnn, name, out, 0, b_off);
  }
}

int rx_rnn_create(rx_rnn **out, const rx_rnn_spec *spec, rx_error *err) {
  *out = NULL;
  int rc = rx_rnn_spec_check(spec, err);
  if (rc) return rc;
  rx_rnn *rnn = calloc(1, sizeof *rnn);
  if (!rnn) return rx_fail(err, RX_ENOMEM, "rnn: out of memory");
  rnn->spec = *spec;
  rx_rnn_layout L = rx_rnn_layout_of(spec);
  const int N = spec->n_rec, I = spec->n_in;
  const size_t NN = (size_t)N * N, NI = (size_t)N * I;
  add_map(rnn, "encoder", N, spec->n_init, L.enc_w, L.enc_b);
  if (spec->kind == RX_MODEL_VANILLA) {
    add_map(rnn, "w_in", N, I, L.in_w, L.in_b);
    add_map(rnn, "w_rec", N, N, L.rec_w, L.rec_b);
    add_map(rnn, "w_out", spec->n_out, N, L.out_w, L.out_b);
  } else {
    const char *gate[3] = {"z", "r", "h"};
    for (int g = 0; g < 3; g++) {
      char wname[8], uname[8];
      snprintf(wname, sizeof wname, "w_%s", gate[g]);
      snprintf(uname, sizeof uname, "u_%s", gate[g]);
      add_map(rnn, wname, N, I, L.in_w + g * NI, L.in_b + (size_t)g * N);
      add_map(rnn, uname, N, N, L.rec_w + g * NN, L.rec_b + (size_t)g * N);
    }
    add_map(rnn, "decoder", spec->n_out, N, L.out_w, L.out_b);
  }
  rnn->n_weights = L.n;
  rnn->w = calloc(L.n, sizeof(float));
  if (!rnn->w) {
    free(rnn);
    return rx_fail(err, RX_ENOMEM, "rnn: out of memory for %zu weights", L.n);
  }
  *out = rnn;
  return RX_OK;
}

void rx_rnn_free(rx_rnn *rnn) {
  if (!rnn) return;
  free(rnn->w);
  free(rnn);
}

/* Uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)); a bias has the fan_in of its weight, which
 * precedes it in the table. */
void rx_rnn_init_default(rx_rnn *rnn, uint32_t seed) {
  for (int p = 0; p < rnn->n_params; p++) {
    const rx_param *q = &rnn->params[p];
    int fan_in = q->ndim == 2 ? q->shape[1] : rnn->params[p - 1].shape[1];
    double bound = 1.0 / sqrt((double)fan_in);
    rx_rng r;
    rx_rng_init(&r, seed, RX_STREAM_INIT, (uint32_t)p, 0, 0);
    float *w = rnn->w + q->offset;
    for (size_t i = 0; i < q->size; i++)
      w[i] = (float)((2.0 * rx_rng_uniform(&r) - 1.0) * bound);
  }
}

const rx_param *rx_rnn_find_param(const rx_rnn *rnn, const char *name) {
  for (int p = 0; p < rnn->n_params; p++)
    if (strcmp(rnn->params[p].name, name) == 0) return &rnn->params[p];
  return NULL;
}

/* ---------------------------------------------------------------- workspace */

static float *alloc_floats(size_t n) {
  void *p = NULL;
  if (posix_memalign(&p, 64, (n ? n : 1) * sizeof(float))) return NULL;
  return p;
}

int rx_rnn_workspace_create(rx_rnn_workspace **out, const rx_rnn_spec *spec, int B, int T,
                            rx_error *err) {
  *out = NULL;
  int rc = rx_rnn_spec_check(spec, err);
  if (rc) return rc;
  if (B <= 0) return rx_fail(err, RX_EINVAL, "rnn workspace: batch size must be > 0 (got %d)", B);
  rx_flush_denormals(); /* before any network pass (see linalg.h) */
  if (T <= 0)
    return rx_fail(err, RX_EINVAL, "rnn workspace: sequence length must be > 0 (got %d)", T);
  rx_rnn_workspace *ws = calloc(1, sizeof *ws);
  if (!ws) return rx_fail(err, RX_ENOMEM, "rnn workspace: out of memory");
  ws->spec = *spec;
  ws->cap_B = B;
  ws->cap_T = T;
  const size_t N = (size_t)spec->n_rec, G = spec->kind == RX_MODEL_GRU ? 3 : 1;
  const size_t TB = (size_t)T * B;
  ws->h = alloc_floats((TB + B) * N);
  ws->xn = alloc_floats(TB * spec->n_in);
  ws->c = alloc_floats((size_t)B * spec->n_init);
  ws->pre = alloc_floats(TB * G * N);
  ws->gh = G == 3 ? alloc_floats(TB * N) : NULL;
  ws->dh = alloc_floats(TB * N);
  ws->carry = alloc_floats((size_t)B * N);
  ws->bsum = alloc_floats(G * N);
  const size_t in = (size_t)spec->n_in > N ? (size_t)spec->n_in : N;
  ws->kpart = alloc_floats((size_t)(rx_kgroups((int)TB) - 1) * G * N * in);
  if (!ws->h || !ws->xn || !ws->c || !ws->pre || (G == 3 && !ws->gh) || !ws->dh || !ws->carry ||
      !ws->bsum || !ws->kpart) {
    rx_rnn_workspace_free(ws);
    return rx_fail(err, RX_ENOMEM, "rnn workspace: out of memory for B = %d, T = %d", B, T);
  }
  *out = ws;
  return RX_OK;
}

void rx_rnn_workspace_free(rx_rnn_workspace *ws) {
  if (!ws) return;
  free(ws->h);
  free(ws->xn);
  free(ws->c);
  free(ws->pre);
  free(ws->gh);
  free(ws->dh);
  free(ws->carry);
  free(ws->bsum);
  free(ws->kpart);
  free(ws->tile_y);
  free(ws->tile_dw);
  free(ws->tile_db);
  free(ws->lr_f);
  free(ws->lr_hh);
  free(ws->lr_fh);
  free(ws->lr_g);
  free(ws->lr_c);
  free(ws);
}

const float *rx_rnn_workspace_hidden(const rx_rnn_workspace *ws) {
  return ws->h + (size_t)ws->B * ws->spec.n_rec;
}

/* ---------------------------------------------------------------- shared pieces */

/* Row tiles. A GEMM row's bits depend on how the rows were split into calls (OpenBLAS processes
 * each call's rows in kernel-sized blocks from its first row; its own threading splits them by
 * thread count), so every product here is cut into a fixed set of row tiles that depends only on
 * the problem's shape and the machine's core count, never on the number of threads: each tile is
 * one single-threaded rx_gemm call, and threads just share the tiles out. Results are therefore
 * bit-identical for any rx_set_threads (test_forward_and_backward_are_bit_identical_...). */
int rx_tiles(int rows, int min_rows, int max_rows) {
  int procs = omp_get_num_procs(), t = rows / (min_rows > 0 ? min_rows : 1);
  if (t > procs) t = procs;
  if (t < 1) t = 1;
  if (max_rows > 0 && rows / t > max_rows) /* more tiles, a multiple of the core count */
    t = ((rows + max_rows - 1) / max_rows + procs - 1) / procs * procs;
  return t;
}

void rx_tile_rows(int rows, int tiles, int i, int *r0, int *r1) {
  *r0 = (int)((long)rows * i / tiles);
  *r1 = (int)((long)rows * (i + 1) / tiles);
}

void rx_gemm_tiled(int tiles, int trans_a, int trans_b, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb, float beta, float *c,
                   int ldc) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < tiles; i++) {
    int r0, r1;
    rx_tile_rows(m, tiles, i, &r0, &r1);
    if (r1 > r0)
      rx_gemm(trans_a, trans_b, r1 - r0, n, k, alpha, trans_a ? a + r0 : a + (size_t)r0 * lda, lda,
              b, ldb, beta, c + (size_t)r0 * ldc, ldc);
  }
}

int rx_kgroups(int k) {
  const int g = rx_tiles(k, 128, 0);
  return g < RX_MAX_KGROUPS ? g : RX_MAX_KGROUPS;
}

void rx_gemm_sum_rows(rx_rnn_workspace *ws, int m, int n, int k, const float *a, int lda,
                      const float *b, int ldb, float *c, int ldc) {
  const int groups = rx_kgroups(k);
  const size_t mn = (size_t)m * n;
#pragma omp parallel for schedule(static)
  for (int g = 0; g < groups; g++) {
    int r0, r1;
    rx_tile_rows(k, groups, g, &r0, &r1);
    float *dst = g ? ws->kpart + (size_t)(g - 1) * mn : c;
    rx_gemm(1, 0, m, n, r1 - r0, 1.0f, a + (size_t)r0 * lda, lda, b + (size_t)r0 * ldb, ldb, 0.0f,
            dst, g ? n : ldc);
  }
  if (groups > 1) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; i++)
      for (int g = 1; g < groups; g++) {
        const float *src = ws->kpart + (size_t)(g - 1) * mn + (size_t)i * n;
        float *dst = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++)
          dst[j] += src[j];
      }
  }
}

void rx_colsum(const float *a, size_t rows, int cols, int lda, float *out) {
  enum { W = 64 };
  const int nblk = (cols + W - 1) / W;
#pragma omp parallel for schedule(static)
  for (int blk = 0; blk < nblk; blk++) {
    double acc[W] = {0};
    const int j0 = blk * W, w = cols - j0 < W ? cols - j0 : W;
    for (size_t r = 0; r < rows; r++) {
      const float *row = a + r * (size_t)lda + j0;
      for (int j = 0; j < w; j++)
        acc[j] += row[j];
    }
    for (int j = 0; j < w; j++)
      out[j0 + j] = (float)acc[j];
  }
}

void rx_rnn_forward_begin(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run) {
  const rx_rnn_spec *s = &rnn->spec;
  const rx_rnn_layout L = rx_rnn_layout_of(s);
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
    rx_gemm_tiled(RX_TILES_TB(B), 0, 1, B, N, s->n_init, 1.0f, ws->c, s->n_init, rnn->w + L.enc_w,
                  s->n_init, 0.0f, ws->h, N);
    if (s->bias) {
      const float *be = rnn->w + L.enc_b;
      for (int b = 0; b < B; b++)
        for (int j = 0; j < N; j++)
          ws->h[(size_t)b * N + j] += be[j];
    }
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
      if (sigma_in > 0.0f)
        rx_noise_row(nz, run, 0, (int)(r % B), (int)(r / B), sigma_in, xr, (size_t)I);
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

void rx_rnn_encoder_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad) {
  const rx_rnn_spec *s = &rnn->spec;
  const rx_rnn_layout L = rx_rnn_layout_of(s);
  const int B = ws->B, N = s->n_rec, C = s->n_init;
  if (!ws->from_codes) {
    memset(grad + L.enc_w, 0, (size_t)N * C * sizeof(float));
    if (s->bias) memset(grad + L.enc_b, 0, (size_t)N * sizeof(float));
    return;
  }
  /* dE (N, C) = dh_0^T (N, B) c (B, C) */
  rx_gemm_tiled(RX_TILES_W(N), 1, 0, N, C, B, 1.0f, ws->carry, N, ws->c, C, 0.0f, grad + L.enc_w,
                C);
  if (s->bias) rx_colsum(ws->carry, (size_t)B, N, N, grad + L.enc_b);
}

/* ---------------------------------------------------------------- dispatch */

static int same_shape(const rx_rnn_spec *a, const rx_rnn_spec *b) {
  return a->kind == b->kind && a->n_in == b->n_in && a->n_rec == b->n_rec && a->n_out == b->n_out &&
         a->n_init == b->n_init;
}

/* Checks a run against the network and workspace; RX_OK or RX_EINVAL. */
static int run_check(const rx_rnn *rnn, const rx_rnn_workspace *ws, const rx_rnn_run *run) {
  if (!rnn || !ws || !run || !same_shape(&rnn->spec, &ws->spec)) return RX_EINVAL;
  if (run->B <= 0 || run->B > ws->cap_B || run->T <= 0 || run->T > ws->cap_T) return RX_EINVAL;
  if (!run->c && !run->h0) return RX_EINVAL;
  if (run->t0 < 0) return RX_EINVAL;
  const rx_noise *nz = run->noise;
  if (nz && (!(nz->sigma_in >= 0.0f) || !(nz->sigma_rec >= 0.0f) || !(nz->sigma_out >= 0.0f)))
    return RX_EINVAL;
  return RX_OK;
}

/* The recurrence of either cell, after the shared start. */
static void cell_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run) {
  rx_rnn_forward_begin(rnn, ws, run);
  if (rnn->spec.kind == RX_MODEL_GRU)
    rx_gru_forward(rnn, ws, run);
  else
    rx_vanilla_forward(rnn, ws, run);
}

/* Backpropagation through time from ws->dh (dL/dh_t through the readout), then the encoder. */
static void cell_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad) {
  if (rnn->spec.kind == RX_MODEL_GRU)
    rx_gru_backward(rnn, ws, grad);
  else
    rx_vanilla_backward(rnn, ws, grad);
  rx_rnn_encoder_backward(rnn, ws, grad);
}

int rx_rnn_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run, float *y) {
  int rc = run_check(rnn, ws, run);
  if (rc) return rc;
  cell_forward(rnn, ws, run);
  if (y) {
    rx_rnn_readout_forward(rnn, ws, run, y);
    ws->fwd_ok = 1;
  }
  return RX_OK;
}

int rx_rnn_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, const float *dy, float *grad) {
  if (!rnn || !ws || !dy || !grad || !same_shape(&rnn->spec, &ws->spec)) return RX_EINVAL;
  if (!ws->fwd_ok) return RX_EINVAL; /* no forward with readout since the last backward */
  memset(grad, 0, rnn->n_weights * sizeof(float));
  rx_rnn_readout_backward(rnn, ws, dy, grad);
  cell_backward(rnn, ws, grad);
  ws->fwd_ok = 0; /* backward consumed the stored activations */
  return RX_OK;
}

int rx_rnn_forward_loss(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                        const rx_rnn_loss *loss, float *grad) {
  int rc = run_check(rnn, ws, run);
  if (rc) return rc;
  if (!loss || !loss->rows) return RX_EINVAL;
  cell_forward(rnn, ws, run);
  if (grad) memset(grad, 0, rnn->n_weights * sizeof(float));
  if ((rc = rx_rnn_readout_loss(rnn, ws, run, loss, grad))) return rc;
  if (grad) cell_backward(rnn, ws, grad);
  return RX_OK;
}

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

double rx_rnn_train_flops_low_rank(const rx_rnn_spec *s, int B, int T, int n_feat) {
  const double full = rx_rnn_train_flops(s, B, T);
  if (n_feat <= 0 || !rx_readout_low_rank_ok(s, s->sigma_out)) return full;
  const double N = s->n_rec, O = s->n_out, F = n_feat, TB = (double)T * B;
  return full - 2 * (2 * TB * O * N)             /* no dh = dy W_out, no dW_out = dy^T h */
         + 2 * (2 * TB * N * N + 2 * TB * F * N) /* h G and F C; h^T h and F^T h */
         + 2 * (2 * N * N * O + 2 * F * N * O);  /* G, C; W_out (h^T h), Z^T (F^T h) */
}

const char *rx_activation_name(rx_activation act) {
  switch (act) {
  case RX_ACT_RELU:
    return "relu";
  case RX_ACT_TANH:
    return "tanh";
  case RX_ACT_SIGMOID:
    return "sigmoid";
  case RX_ACT_IDENTITY:
    return "identity";
  }
  return "unknown";
}

const char *rx_model_kind_name(rx_model_kind kind) {
  switch (kind) {
  case RX_MODEL_VANILLA:
    return "vanilla";
  case RX_MODEL_GRU:
    return "gru";
  }
  return "unknown";
}
