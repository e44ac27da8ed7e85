/* The readout y = W_out h + b_out + sigma_out xi_out, its backward pass, and the two together
 * with the loss in between, tile by tile (rx_rnn_forward_loss).
 *
 * Why tiles: at the paper's sizes the outputs of a step are T B n_out = 20000 x 512 floats
 * (41 MB). Written by the readout, read and overwritten by the loss, then read twice more by the
 * readout's backward pass (dh = dy W_out and dW_out = dy^T h), they cross the memory bus five
 * times; the three products are otherwise at the BLAS's full rate. Taken RXM_READOUT_TILE rows at
 * a time, a tile's outputs (512 KB) stay in cache from the product that makes them to the two
 * that consume them, and the full outputs are never stored.
 *
 * With targets of low rank (t = F Z, the head-direction cells' code), the backward pass does not
 * need dL/dy at all: dh and dW_out follow from W_out^T W_out, Z W_out, h^T h and F^T h, products
 * n_rec and n_feat wide instead of n_out (loss.h, rx_row_loss.low_rank). */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "models/rnn_internal.h"
#include "reactivate/linalg.h"

/* Row r of the outputs before the product adds W_out h: output noise plus bias, or zeros.
 * Returns the beta the product then needs (1: add to this row; 0: the row may be overwritten). */
static float readout_prefill_row(const rx_rnn *rnn, const rx_rnn_run *run, int B, long r,
                                 float *yr) {
  const rx_rnn_spec *s = &rnn->spec;
  const int O = s->n_out;
  const rx_noise *nz = run->noise;
  const float sigma = nz ? nz->sigma_out : 0.0f;
  if (sigma <= 0.0f && !s->bias) return 0.0f;
  if (nz && sigma > 0.0f)
    rxm_noise_row(nz, run, 2, (int)(r % B), (int)(r / B), sigma, yr, (size_t)O);
  else
    memset(yr, 0, (size_t)O * sizeof(float));
  if (s->bias) {
    const float *bo = rnn->w + rxm_layout_of(s).out_b;
    for (int j = 0; j < O; j++)
      yr[j] += bo[j];
  }
  return 1.0f;
}

void rxm_readout_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run, float *y) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, N = s->n_rec, O = s->n_out;
  const long rows = (long)ws->T * B;
  const float beta = readout_prefill_row(rnn, run, B, 0, y);
  if (beta != 0.0f) {
#pragma omp parallel for schedule(static)
    for (long r = 1; r < rows; r++)
      readout_prefill_row(rnn, run, B, r, y + (size_t)r * O);
  }
  /* y (T B, O) += h_1..T (T B, N) W_out^T */
  rx_gemm_tiled(RXM_TILES_TB((int)rows), 0, 1, (int)rows, O, N, 1.0f, ws->h + (size_t)B * N, N,
                rnn->w + L.out_w, N, beta, y, O);
}

int rx_rnn_readout_step(const rx_rnn *rnn, const rx_rnn_workspace *ws, const rx_rnn_run *run, int t,
                        float *y, rx_error *err) {
  if (!ws || !run || !y || ws->spec.n_rec != rnn->spec.n_rec || ws->spec.n_out != rnn->spec.n_out)
    return rx_fail(err, RX_EINVAL, "rnn readout step: no run, output or matching workspace");
  if (run->B != ws->B || t < 0 || t >= ws->T)
    return rx_fail(err, RX_EINVAL,
                   "rnn readout step: step %d of a pass of %d steps and %d trajectories (run.B %d)",
                   t, ws->T, ws->B, run->B);
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, N = s->n_rec, O = s->n_out;
  /* rows t B .. t B + B - 1 of the pass's outputs: the same noise rows rx_rnn_forward adds */
  float beta = 0.0f;
  for (int b = 0; b < B; b++)
    beta = readout_prefill_row(rnn, run, B, (long)t * B + b, y + (size_t)b * O);
  /* y (B, O) += h_{t+1} (B, N) W_out^T */
  rx_gemm_tiled(RXM_TILES_TB(B), 0, 1, B, O, N, 1.0f, ws->h + (size_t)(t + 1) * B * N, N,
                rnn->w + L.out_w, N, beta, y, O);
  return RX_OK;
}

void rxm_readout_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, const float *dy, float *grad) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, N = s->n_rec, O = s->n_out, rows = ws->T * B;
  /* dh (T B, N) = dy (T B, O) W_out (O, N) */
  rx_gemm_tiled(RXM_TILES_TB(rows), 0, 0, rows, N, O, 1.0f, dy, O, rnn->w + L.out_w, N, 0.0f,
                ws->dh, N);
  /* dW_out (O, N) = dy^T (O, T B) h_1..T (T B, N) */
  rx_gemm_tiled(RXM_TILES_W(O), 1, 0, O, N, rows, 1.0f, dy, O, ws->h + (size_t)B * N, N, 0.0f,
                grad + L.out_w, N);
  if (s->bias) rx_colsum(dy, (size_t)rows, O, O, grad + L.out_b);
}

/* ---------------------------------------------------------------- tiles with the loss */

/* Groups of consecutive rows, each run by one thread in tiles, with its own tile buffer and its
 * own partial dW_out and b_out sums. Their number depends on the problem and the core count
 * only (rx_tile_count: a group per core, of at least one tile), never on the thread count, and the
 * partial sums are added in group order, so the gradient has the same bits for any number of
 * threads. */
static int readout_groups(long rows) { return rx_tile_count((int)rows, RXM_READOUT_TILE, 0); }

/* The group buffers, sized for the workspace's capacity, made on first use. */
static int readout_buffers(rx_rnn_workspace *ws, rx_error *err) {
  if (ws->tile_y) return RX_OK;
  const rx_rnn_spec *s = &ws->spec;
  const size_t O = (size_t)s->n_out, N = (size_t)s->n_rec;
  const size_t G = (size_t)readout_groups((long)ws->cap_T * ws->cap_B);
  void *y = NULL, *dw = NULL;
  double *db = NULL;
  if (posix_memalign(&y, 64, G * RXM_READOUT_TILE * O * sizeof(float)) ||
      posix_memalign(&dw, 64, G * O * N * sizeof(float)) ||
      !(db = malloc(G * O * sizeof(double)))) {
    free(y);
    free(dw);
    return rx_fail(err, RX_ENOMEM,
                   "rnn readout: out of memory for %zu groups of a %d x %zu output tile and a "
                   "%zu x %zu gradient",
                   G, RXM_READOUT_TILE, O, O, N);
  }
  ws->tile_y = y;
  ws->tile_dw = dw;
  ws->tile_db = db;
  ws->tile_groups = (int)G;
  return RX_OK;
}

/* Group g's rows [*g0, *g1): r_g = 16 floor(n16 g / groups), n16 the number of 16-row chunks, so
 * the groups are as even as whole chunks allow. */
static void group_rows(const rx_rnn_workspace *ws, int g, int groups, long *g0, long *g1) {
  const long rows = (long)ws->T * ws->B, chunks = (rows + RX_LOSS_ALIGN - 1) / RX_LOSS_ALIGN;
  *g0 = chunks * g / groups * RX_LOSS_ALIGN;
  *g1 = g + 1 == groups ? rows : chunks * (g + 1) / groups * RX_LOSS_ALIGN;
}

/* Adds the groups' partial sums (n floats each, `stride` apart) into the first, in group
 * order. */
static void sum_groups(float *part, size_t n, size_t stride, int groups) {
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    float acc = part[i];
    for (int g = 1; g < groups; g++)
      acc += part[(size_t)g * stride + i];
    part[i] = acc;
  }
}

/* Group g's rows in tiles of up to RXM_READOUT_TILE: outputs, loss and (with_grad) dL/dy in the
 * tile buffer, then dh for its rows (into ws->dh) and the group's partial sums of
 * dW_out = dy^T h and of b_out's gradient. */
static void readout_group(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                          const rx_row_loss *loss, int with_grad, int g, int groups) {
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int B = ws->B, N = s->n_rec, O = s->n_out;
  long g0, g1;
  group_rows(ws, g, groups, &g0, &g1);
  const float *W_out = rnn->w + L.out_w, *h = ws->h + (size_t)B * N; /* h_1..T */
  float *y = ws->tile_y + (size_t)g * RXM_READOUT_TILE * O, *dw = ws->tile_dw + (size_t)g * O * N;
  double *db = ws->tile_db + (size_t)g * O;
  if (with_grad) {
    memset(dw, 0, (size_t)O * N * sizeof(float)); /* for a group without rows */
    if (s->bias) memset(db, 0, (size_t)O * sizeof(double));
  }
  for (long r0 = g0; r0 < g1; r0 += RXM_READOUT_TILE) {
    const int m = (int)(g1 - r0 < RXM_READOUT_TILE ? g1 - r0 : RXM_READOUT_TILE);
    const float *hr = h + (size_t)r0 * N;
    float beta = 0.0f;
    for (int i = 0; i < m; i++)
      beta = readout_prefill_row(rnn, run, B, r0 + i, y + (size_t)i * O);
    rx_gemm(0, 1, m, O, N, 1.0f, hr, N, W_out, N, beta, y, O);
    loss->rows(loss->ctx, (size_t)r0, (size_t)m, y, with_grad);
    if (!with_grad) continue;
    rx_gemm(0, 0, m, N, O, 1.0f, y, O, W_out, N, 0.0f, ws->dh + (size_t)r0 * N, N);
    rx_gemm(1, 0, O, N, m, 1.0f, y, O, hr, N, r0 == g0 ? 0.0f : 1.0f, dw, N);
    if (s->bias)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < O; j++)
          db[j] += y[(size_t)i * O + j];
  }
}

/* ---------------------------------------------------------------- low-rank targets */

/* The buffers of the low-rank path for n_feat features (made, or remade larger, on first use). */
static int low_rank_buffers(rx_rnn_workspace *ws, int n_feat, rx_error *err) {
  if (ws->lr_cap >= n_feat) return RX_OK;
  const size_t N = (size_t)ws->spec.n_rec, F = (size_t)n_feat, G = (size_t)ws->tile_groups;
  float *f = malloc(G * RXM_READOUT_TILE * F * sizeof(float));
  float *hh = malloc(G * N * N * sizeof(float)), *fh = malloc(G * F * N * sizeof(float));
  float *g = malloc(N * N * sizeof(float)), *c = malloc(F * N * sizeof(float));
  if (!f || !hh || !fh || !g || !c) {
    free(f), free(hh), free(fh), free(g), free(c);
    return rx_fail(err, RX_ENOMEM,
                   "rnn readout: out of memory for the low-rank targets' buffers (%d features, "
                   "%zu units, %zu groups)",
                   n_feat, N, G);
  }
  free(ws->lr_f), free(ws->lr_hh), free(ws->lr_fh), free(ws->lr_g), free(ws->lr_c);
  ws->lr_f = f, ws->lr_hh = hh, ws->lr_fh = fh, ws->lr_g = g, ws->lr_c = c;
  ws->lr_cap = n_feat;
  return RX_OK;
}

/* Group g's rows as readout_group, with dL/dy = 2 scale (y - F Z) never formed:
 *   dh = 2 scale (h G - F C)    with G = W_out^T W_out, C = Z W_out (made by the caller);
 * and the group's partial sums of h^T h and F^T h, from which the caller makes dW_out. */
static void low_rank_group(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_row_loss *loss, int g,
                           int groups) {
  const rx_rnn_spec *s = &rnn->spec;
  const int B = ws->B, N = s->n_rec, O = s->n_out, F = loss->low_rank.n_feat;
  long g0, g1;
  group_rows(ws, g, groups, &g0, &g1);
  const float *W_out = rnn->w + rxm_layout_of(s).out_w, *h = ws->h + (size_t)B * N;
  const float two_scale = 2.0f * loss->low_rank.scale;
  float *y = ws->tile_y + (size_t)g * RXM_READOUT_TILE * O;
  float *f = ws->lr_f + (size_t)g * RXM_READOUT_TILE * F;
  float *hh = ws->lr_hh + (size_t)g * N * N, *fh = ws->lr_fh + (size_t)g * F * N;
  memset(hh, 0, (size_t)N * N * sizeof(float)); /* for a group without rows */
  memset(fh, 0, (size_t)F * N * sizeof(float));
  for (long r0 = g0; r0 < g1; r0 += RXM_READOUT_TILE) {
    const int m = (int)(g1 - r0 < RXM_READOUT_TILE ? g1 - r0 : RXM_READOUT_TILE);
    const float *hr = h + (size_t)r0 * N;
    float *dh = ws->dh + (size_t)r0 * N;
    const float beta = r0 == g0 ? 0.0f : 1.0f;
    rx_gemm(0, 1, m, O, N, 1.0f, hr, N, W_out, N, 0.0f, y, O);
    loss->rows(loss->ctx, (size_t)r0, (size_t)m, y, 0);
    loss->low_rank.features(loss->ctx, (size_t)r0, (size_t)m, f);
    rx_gemm(0, 0, m, N, N, two_scale, hr, N, ws->lr_g, N, 0.0f, dh, N);
    rx_gemm(0, 0, m, N, F, -two_scale, f, F, ws->lr_c, N, 1.0f, dh, N);
    rx_gemm(1, 0, N, N, m, 1.0f, hr, N, hr, N, beta, hh, N);
    rx_gemm(1, 0, F, N, m, 1.0f, f, F, hr, N, beta, fh, N);
  }
}

static int readout_low_rank(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_row_loss *loss,
                            float *grad, int groups, rx_error *err) {
  int rc = low_rank_buffers(ws, loss->low_rank.n_feat, err);
  if (rc) return rc;
  const rx_rnn_spec *s = &rnn->spec;
  const int N = s->n_rec, O = s->n_out, F = loss->low_rank.n_feat;
  const float *W_out = rnn->w + rxm_layout_of(s).out_w;
  /* G (N, N) = W_out^T W_out; C (F, N) = Z W_out */
  rx_gemm_tiled(rx_tile_count(N, 64, 0), 1, 0, N, N, O, 1.0f, W_out, N, W_out, N, 0.0f, ws->lr_g,
                N);
  rx_gemm_tiled(rx_tile_count(F, 64, 0), 0, 0, F, N, O, 1.0f, loss->low_rank.z, O, W_out, N, 0.0f,
                ws->lr_c, N);
#pragma omp parallel for schedule(static)
  for (int g = 0; g < groups; g++)
    low_rank_group(rnn, ws, loss, g, groups);
  sum_groups(ws->lr_hh, (size_t)N * N, (size_t)N * N, groups);
  sum_groups(ws->lr_fh, (size_t)F * N, (size_t)F * N, groups);
  /* dW_out (O, N) = 2 scale (W_out (h^T h) - Z^T (F^T h)) */
  const float two_scale = 2.0f * loss->low_rank.scale;
  float *dw = grad + rxm_layout_of(s).out_w;
  const int tiles = rx_tile_count(O, 64, 0);
  rx_gemm_tiled(tiles, 0, 0, O, N, N, two_scale, W_out, N, ws->lr_hh, N, 0.0f, dw, N);
  rx_gemm_tiled(tiles, 1, 0, O, N, F, -two_scale, loss->low_rank.z, O, ws->lr_fh, N, 1.0f, dw, N);
  return RX_OK;
}

int rxm_readout_loss(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                     const rx_row_loss *loss, float *grad, rx_error *err) {
  int rc = readout_buffers(ws, err);
  if (rc) return rc;
  const rx_rnn_spec *s = &rnn->spec;
  const rxm_layout L = rxm_layout_of(s);
  const int O = s->n_out, N = s->n_rec;
  const int groups = readout_groups((long)ws->T * ws->B);
  const rx_noise *nz = run->noise;
  if (grad && loss->low_rank.n_feat > 0 && rxm_low_rank_ok(s, nz ? nz->sigma_out : 0.0f))
    return readout_low_rank(rnn, ws, loss, grad, groups, err);
#pragma omp parallel for schedule(static)
  for (int g = 0; g < groups; g++)
    readout_group(rnn, ws, run, loss, grad != NULL, g, groups);
  if (!grad) return RX_OK;
  /* dW_out and b_out's gradient: the groups' partial sums, added in group order */
  const size_t n_w = (size_t)O * N;
  sum_groups(ws->tile_dw, n_w, n_w, groups);
  memcpy(grad + L.out_w, ws->tile_dw, n_w * sizeof(float));
  if (s->bias)
    for (int j = 0; j < O; j++) {
      double acc = 0;
      for (int g = 0; g < groups; g++)
        acc += ws->tile_db[(size_t)g * O + j];
      grad[L.out_b + j] = (float)acc;
    }
  return RX_OK;
}
