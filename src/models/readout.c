/* The readout y = W_out h + b_out + sigma_out xi_out, its backward pass, and the two together
 * with the loss in between, tile by tile (rx_rnn_forward_loss).
 *
 * Why tiles: at the paper's sizes the outputs of a step are T B n_out = 20000 x 512 floats
 * (41 MB). Written by the readout, read and overwritten by the loss, then read twice more by the
 * readout's backward pass (dh = dy W_out and dW_out = dy^T h), they cross the memory bus five
 * times; the three products are otherwise at the BLAS's full rate. Taken RX_READOUT_TILE rows at
 * a time, a tile's outputs (512 KB) stay in cache from the product that makes them to the two
 * that consume them, and the full outputs are never stored. */
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
  if (sigma > 0.0f)
    rx_noise_row(nz, run, 2, (int)(r % B), (int)(r / B), sigma, yr, (size_t)O);
  else
    memset(yr, 0, (size_t)O * sizeof(float));
  if (s->bias) {
    const float *bo = rnn->w + rx_rnn_layout_of(s).out_b;
    for (int j = 0; j < O; j++)
      yr[j] += bo[j];
  }
  return 1.0f;
}

void rx_rnn_readout_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                            float *y) {
  const rx_rnn_spec *s = &rnn->spec;
  const rx_rnn_layout L = rx_rnn_layout_of(s);
  const int B = ws->B, N = s->n_rec, O = s->n_out;
  const long rows = (long)ws->T * B;
  const float beta = readout_prefill_row(rnn, run, B, 0, y);
  if (beta != 0.0f) {
#pragma omp parallel for schedule(static)
    for (long r = 1; r < rows; r++)
      readout_prefill_row(rnn, run, B, r, y + (size_t)r * O);
  }
  /* y (T B, O) += h_1..T (T B, N) W_out^T */
  rx_gemm_tiled(RX_TILES_TB((int)rows), 0, 1, (int)rows, O, N, 1.0f, ws->h + (size_t)B * N, N,
                rnn->w + L.out_w, N, beta, y, O);
}

void rx_rnn_readout_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, const float *dy,
                             float *grad) {
  const rx_rnn_spec *s = &rnn->spec;
  const rx_rnn_layout L = rx_rnn_layout_of(s);
  const int B = ws->B, N = s->n_rec, O = s->n_out, rows = ws->T * B;
  /* dh (T B, N) = dy (T B, O) W_out (O, N) */
  rx_gemm_tiled(RX_TILES_TB(rows), 0, 0, rows, N, O, 1.0f, dy, O, rnn->w + L.out_w, N, 0.0f, ws->dh,
                N);
  /* dW_out (O, N) = dy^T (O, T B) h_1..T (T B, N) */
  rx_gemm_tiled(RX_TILES_W(O), 1, 0, O, N, rows, 1.0f, dy, O, ws->h + (size_t)B * N, N, 0.0f,
                grad + L.out_w, N);
  if (s->bias) rx_colsum(dy, (size_t)rows, O, O, grad + L.out_b);
}

/* ---------------------------------------------------------------- tiles with the loss */

/* Groups of consecutive rows, each run by one thread in tiles, with its own tile buffer and its
 * own partial dW_out and b_out sums. Their number depends on the problem and the core count
 * only (rx_tiles: a group per core, of at least one tile), never on the thread count, and the
 * partial sums are added in group order, so the gradient has the same bits for any number of
 * threads. */
static int readout_groups(long rows) { return rx_tiles((int)rows, RX_READOUT_TILE, 0); }

/* The group buffers, sized for the workspace's capacity, made on first use. */
static int readout_buffers(rx_rnn_workspace *ws) {
  if (ws->tile_y) return RX_OK;
  const rx_rnn_spec *s = &ws->spec;
  const size_t O = (size_t)s->n_out, N = (size_t)s->n_rec;
  const size_t G = (size_t)readout_groups((long)ws->cap_T * ws->cap_B);
  void *y = NULL, *dw = NULL;
  if (posix_memalign(&y, 64, G * RX_READOUT_TILE * O * sizeof(float)) ||
      posix_memalign(&dw, 64, G * O * N * sizeof(float))) {
    free(y);
    return RX_ENOMEM;
  }
  double *db = malloc(G * O * sizeof(double));
  if (!db) {
    free(y);
    free(dw);
    return RX_ENOMEM;
  }
  ws->tile_y = y;
  ws->tile_dw = dw;
  ws->tile_db = db;
  ws->tile_groups = (int)G;
  return RX_OK;
}

/* Group g's rows, [r_g, r_{g+1}) with r_g = 16 floor(n16 g / groups) (n16 the number of 16-row
 * chunks), so the groups are as even as 16-row chunks allow, in tiles of up to RX_READOUT_TILE
 * rows: outputs, loss and (with_grad) dL/dy in the tile buffer, then dh for its rows (into
 * ws->dh) and the group's partial sums of dW_out = dy^T h and of b_out's gradient. */
static void readout_group(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                          const rx_rnn_loss *loss, int with_grad, int g, int groups) {
  const rx_rnn_spec *s = &rnn->spec;
  const rx_rnn_layout L = rx_rnn_layout_of(s);
  const int B = ws->B, N = s->n_rec, O = s->n_out;
  const long rows = (long)ws->T * B, chunks = (rows + RX_READOUT_ALIGN - 1) / RX_READOUT_ALIGN;
  const long g0 = chunks * g / groups * RX_READOUT_ALIGN;
  const long g1 = g + 1 == groups ? rows : chunks * (g + 1) / groups * RX_READOUT_ALIGN;
  const float *W_out = rnn->w + L.out_w, *h = ws->h + (size_t)B * N; /* h_1..T */
  float *y = ws->tile_y + (size_t)g * RX_READOUT_TILE * O, *dw = ws->tile_dw + (size_t)g * O * N;
  double *db = ws->tile_db + (size_t)g * O;
  if (with_grad) {
    memset(dw, 0, (size_t)O * N * sizeof(float)); /* for a group without rows */
    if (s->bias) memset(db, 0, (size_t)O * sizeof(double));
  }
  for (long r0 = g0; r0 < g1; r0 += RX_READOUT_TILE) {
    const int m = (int)(g1 - r0 < RX_READOUT_TILE ? g1 - r0 : RX_READOUT_TILE);
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

int rx_rnn_readout_loss(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                        const rx_rnn_loss *loss, float *grad) {
  if (readout_buffers(ws)) return RX_ENOMEM;
  const rx_rnn_spec *s = &rnn->spec;
  const rx_rnn_layout L = rx_rnn_layout_of(s);
  const int O = s->n_out, N = s->n_rec;
  const int groups = readout_groups((long)ws->T * ws->B);
#pragma omp parallel for schedule(static)
  for (int g = 0; g < groups; g++)
    readout_group(rnn, ws, run, loss, grad != NULL, g, groups);
  if (!grad) return RX_OK;
  /* dW_out and b_out's gradient: the groups' partial sums, added in group order */
  const size_t n_w = (size_t)O * N;
  float *dw = grad + L.out_w;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n_w; i++) {
    float acc = ws->tile_dw[i];
    for (int g = 1; g < groups; g++)
      acc += ws->tile_dw[(size_t)g * n_w + i];
    dw[i] = acc;
  }
  if (s->bias)
    for (int j = 0; j < O; j++) {
      double acc = 0;
      for (int g = 0; g < groups; g++)
        acc += ws->tile_db[(size_t)g * O + j];
      grad[L.out_b + j] = (float)acc;
    }
  return RX_OK;
}
