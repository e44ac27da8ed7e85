/* Private to src/tasks: the place-cell and head-direction-cell kernels population.c dispatches
 * to (whole blocks of rows, or one row at a time), and the single-pass top-k selection both
 * decoders share. */
#ifndef RX_POPULATION_INTERNAL_H
#define RX_POPULATION_INTERNAL_H

#include <math.h>
#include <stddef.h>

#include "reactivate/population.h"

/* Largest decode_k accepted: the decoders keep the k best on the stack. */
#define RX_POP_MAX_K 1024

void rx_place_encode(const rx_population *pop, const float *pos, size_t m, float *code);
void rx_place_decode(const rx_population *pop, const float *code, size_t m, float *pos);
void rx_hd_encode(const rx_population *pop, const float *pos, size_t m, float *code);
void rx_hd_decode(const rx_population *pop, const float *code, size_t m, float *pos);
int rx_hd_low_rank(const rx_population *pop, int max_feat, float *z);
void rx_hd_low_rank_features(int n_feat, const float *pos, size_t m, float *f);

/* One row at a time, the same bits as the block calls above. pos: dim floats; code: n floats.
 * rx_hd_tables fills, for cells i0 .. i0 + len - 1, what the head-direction rows read: ct, st
 * (cos, sin of half the preferred angle; encoding) and cx, cy (cos, sin of the preferred angle;
 * decoding); either pair may be NULL. rx_hd_decode_row takes cx = cy = NULL too (then it calls
 * cos and sin per selected cell). */
void rx_place_encode_row(const rx_population *pop, const float *pos, float *code);
void rx_place_decode_row(const rx_population *pop, const float *code, float *pos);
void rx_hd_tables(const rx_population *pop, int i0, int len, float *ct, float *st, double *cx,
                  double *cy);
void rx_hd_encode_row(const rx_population *pop, const float *ct, const float *st, float pos,
                      float *code);
float rx_hd_decode_row(const rx_population *pop, const double *cx, const double *cy,
                       const float *code);

/* Any code (place, head-direction or identity), one row at a time: rx_pop_rows_init computes
 * once what every row reads (the head-direction tables), then rows may be encoded and decoded
 * from any thread; rx_pop_rows_free releases it. */
typedef struct rx_pop_rows {
  const rx_population *pop;
  float *ct, *st;  /* head direction: cos, sin of half the preferred angles (n) */
  double *cx, *cy; /* head direction: cos, sin of the preferred angles (n) */
} rx_pop_rows;
int rx_pop_rows_init(rx_pop_rows *rw, const rx_population *pop, rx_error *err);
void rx_pop_rows_free(rx_pop_rows *rw);
void rx_pop_encode_row(const rx_pop_rows *rw, const float *pos, float *code);
void rx_pop_decode_row(const rx_pop_rows *rw, const float *code, float *pos);

/* idx[0..k) = indices of the k largest of row[0..n), largest first; ties keep the lower index
 * (a stable sort by value, cut at k). 1 <= k <= min(n, RX_POP_MAX_K). NaNs are never selected.
 *
 * Cells are dealt into 16 groups by index mod 16, and one vectorised pass (lane-wise maxima,
 * no horizontal work) takes each group's maximum. The k-th largest group maximum, thr, is a
 * lower bound on the k-th largest cell (k different groups reach it), so cells below thr cannot
 * be among the k best; thr is found without branches, by ranking the 16 maxima against each
 * other. A second vectorised pass marks, per segment of 32 blocks of 16 cells, the blocks that
 * reach thr (one bit per block, ORed lane-wise, so no horizontal work per block); only the
 * cells >= thr of those blocks are visited, in index order, and inserted. The k best of those
 * cells are the k best of the row, in the same order, at about the cost of reading the row
 * twice from L1 (a plain scan is one long dependency chain of compares, and mispredicted
 * branches). k > 16 and rows without a finite bound (all -inf or NaN) take the plain scan. */
static inline void rx_topk_insert(float v, int i, int k, float *best, int *idx) {
  int j = k - 1;
  for (; j > 0 && v > best[j - 1]; j--) {
    best[j] = best[j - 1];
    idx[j] = idx[j - 1];
  }
  best[j] = v;
  idx[j] = i;
}

/* Inserts the cells >= thr among row[j0 .. j0 + 16) (a full block), in index order. */
static inline void rx_topk_block(const float *row, int j0, float thr, int k, float *best,
                                 int *idx) {
  unsigned mk = 0;
#pragma omp simd reduction(| : mk)
  for (int l = 0; l < 16; l++)
    mk |= (unsigned)(row[j0 + l] >= thr) << l;
  while (mk) {
    const int i = j0 + __builtin_ctz(mk);
    mk &= mk - 1;
    if (row[i] > best[k - 1]) rx_topk_insert(row[i], i, k, best, idx);
  }
}

static inline void rx_topk(const float *row, int n, int k, int *idx) {
  enum { W = 16, SEG = 32 * W };
  float best[RX_POP_MAX_K];
  for (int j = 0; j < k; j++) {
    best[j] = -INFINITY;
    idx[j] = j;
  }
  if (k <= W) {
    /* group maxima, in two accumulators (max is exact: the order does not matter) */
    float g[W], h[W];
    for (int l = 0; l < W; l++)
      g[l] = h[l] = -INFINITY;
    const int nfull = n / W * W;
    int i0 = 0;
    for (; i0 + 2 * W <= nfull; i0 += 2 * W)
#pragma omp simd
      for (int l = 0; l < W; l++) {
        g[l] = row[i0 + l] > g[l] ? row[i0 + l] : g[l];
        h[l] = row[i0 + W + l] > h[l] ? row[i0 + W + l] : h[l];
      }
    for (; i0 < nfull; i0 += W)
#pragma omp simd
      for (int l = 0; l < W; l++)
        g[l] = row[i0 + l] > g[l] ? row[i0 + l] : g[l];
#pragma omp simd
    for (int l = 0; l < W; l++)
      g[l] = h[l] > g[l] ? h[l] : g[l];
    for (int i = nfull; i < n; i++)
      g[i - nfull] = row[i] > g[i - nfull] ? row[i] : g[i - nfull];
    /* thr = the k-th largest group maximum: the one ranked k - 1 (no maximum is NaN, and ties
     * are ranked by lane, so the ranks are 0 .. 15, each once) */
    int rank[W];
    for (int l = 0; l < W; l++)
      rank[l] = 0;
    for (int j = 0; j < W; j++) {
      const float gj = g[j];
#pragma omp simd
      for (int l = 0; l < W; l++)
        rank[l] += gj > g[l] || (gj == g[l] && j < l);
    }
    float thr = -INFINITY;
#pragma omp simd reduction(max : thr)
    for (int l = 0; l < W; l++) {
      const float v = rank[l] == k - 1 ? g[l] : -INFINITY;
      thr = v > thr ? v : thr;
    }
    if (thr > -INFINITY) {
      for (int s0 = 0; s0 < nfull; s0 += SEG) {
        const int s1 = s0 + SEG < nfull ? s0 + SEG : nfull;
        unsigned bits[W] = {0}; /* bit b of lane l: cell s0 + 16 b + l reaches thr */
        for (int j0 = s0, b = 0; j0 < s1; j0 += W, b++)
#pragma omp simd
          for (int l = 0; l < W; l++)
            bits[l] |= (unsigned)(row[j0 + l] >= thr) << b;
        unsigned blocks = 0;
#pragma omp simd reduction(| : blocks)
        for (int l = 0; l < W; l++)
          blocks |= bits[l];
        while (blocks) {
          const int j0 = s0 + W * __builtin_ctz(blocks);
          blocks &= blocks - 1;
          rx_topk_block(row, j0, thr, k, best, idx);
        }
      }
      for (int i = nfull; i < n; i++)
        if (row[i] >= thr && row[i] > best[k - 1]) rx_topk_insert(row[i], i, k, best, idx);
      return;
    }
  }
  for (int i = 0; i < n; i++)
    if (row[i] > best[k - 1]) rx_topk_insert(row[i], i, k, best, idx);
}

#endif
