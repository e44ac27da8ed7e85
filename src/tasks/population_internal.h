/* Private to src/tasks: the place-cell and head-direction-cell kernels population.c dispatches
 * to (whole blocks of rows, or one row at a time), the codes' low-rank form, and the single-pass
 * top-k selection both decoders share. Helpers shared in src/tasks carry the prefix rxtk_. */
#ifndef RX_POPULATION_INTERNAL_H
#define RX_POPULATION_INTERNAL_H

#include <math.h>
#include <stddef.h>

#include "reactivate/population.h"

/* Largest decode_k accepted: the decoders keep the k best on the stack. */
#define RXTK_MAX_K 1024

void rxtk_place_encode(const rx_population *pop, const float *pos, size_t m, float *code);
void rxtk_place_decode(const rx_population *pop, const float *code, size_t m, float *pos);
void rxtk_hd_encode(const rx_population *pop, const float *pos, size_t m, float *code);
void rxtk_hd_decode(const rx_population *pop, const float *code, size_t m, float *pos);
int rxtk_hd_low_rank(const rx_population *pop, int max_feat, float *z);
void rxtk_hd_low_rank_features(int n_feat, const float *pos, size_t m, float *f);

/* A low-rank form of the code, code = F Z, where one exists with at most max_feat features:
 * head-direction cells, exp(kappa (cos(s - theta_i) - 1)) = e^-kappa (I_0(kappa) + 2 sum_m
 * I_m(kappa) cos(m (s - theta_i))) (Jacobi-Anger), cut after the M harmonics beyond which the
 * code changes by less than 1e-9: F = (1, cos s, sin s, ..., cos Ms, sin Ms), n_feat = 2M + 1.
 * Returns n_feat and fills z (n_feat, n) when z is not NULL; 0 where there is none (place
 * cells, identity codes, or tuning so narrow that it needs more than max_feat features). The
 * training loss offers it to the readout (population_loss.c, rx_row_loss.low_rank). */
int rxtk_low_rank(const rx_population *pop, int max_feat, float *z);
/* f (m, n_feat) = the features of positions pos (m, dim) for rxtk_low_rank's form. */
void rxtk_low_rank_features(const rx_population *pop, int n_feat, const float *pos, size_t m,
                            float *f);

/* One row at a time, the same bits as the block calls above. pos: dim floats; code: n floats.
 * rxtk_hd_tables fills, for cells i0 .. i0 + len - 1, what the head-direction rows read: ct, st
 * (cos, sin of half the preferred angle; encoding) and cx, cy (cos, sin of the preferred angle;
 * decoding); either pair may be NULL. rxtk_hd_decode_row takes cx = cy = NULL too (then it calls
 * cos and sin per selected cell). */
void rxtk_place_encode_row(const rx_population *pop, const float *pos, float *code);
void rxtk_place_decode_row(const rx_population *pop, const float *code, float *pos);
void rxtk_hd_tables(const rx_population *pop, int i0, int len, float *ct, float *st, double *cx,
                    double *cy);
void rxtk_hd_encode_row(const rx_population *pop, const float *ct, const float *st, float pos,
                        float *code);
float rxtk_hd_decode_row(const rx_population *pop, const double *cx, const double *cy,
                         const float *code);

/* Any code (place, head-direction or identity), one row at a time: rxtk_rows_init computes
 * once what every row reads (the head-direction tables), then rows may be encoded and decoded
 * from any thread; rxtk_rows_free releases it. */
typedef struct rxtk_rows {
  const rx_population *pop;
  float *ct, *st;  /* head direction: cos, sin of half the preferred angles (n) */
  double *cx, *cy; /* head direction: cos, sin of the preferred angles (n) */
} rxtk_rows;
int rxtk_rows_init(rxtk_rows *rw, const rx_population *pop, rx_error *err);
void rxtk_rows_free(rxtk_rows *rw);
void rxtk_encode_row(const rxtk_rows *rw, const float *pos, float *code);
void rxtk_decode_row(const rxtk_rows *rw, const float *code, float *pos);

/* idx[0..k) = indices of the k largest of row[0..n), largest first; ties keep the lower index
 * (a stable sort by value, cut at k). 1 <= k <= min(n, RXTK_MAX_K). NaNs are never selected.
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
static inline void rxtk_topk_insert(float v, int i, int k, float *best, int *idx) {
  int j = k - 1;
  for (; j > 0 && v > best[j - 1]; j--) {
    best[j] = best[j - 1];
    idx[j] = idx[j - 1];
  }
  best[j] = v;
  idx[j] = i;
}

/* Inserts the cells >= thr among row[j0 .. j0 + 16) (a full block), in index order. */
static inline void rxtk_topk_block(const float *row, int j0, float thr, int k, float *best,
                                   int *idx) {
  unsigned mk = 0;
#pragma omp simd reduction(| : mk)
  for (int l = 0; l < 16; l++)
    mk |= (unsigned)(row[j0 + l] >= thr) << l;
  while (mk) {
    const int i = j0 + __builtin_ctz(mk);
    mk &= mk - 1;
    if (row[i] > best[k - 1]) rxtk_topk_insert(row[i], i, k, best, idx);
  }
}

static inline void rxtk_topk(const float *row, int n, int k, int *idx) {
  enum { W = 16, SEG = 32 * W };
  float best[RXTK_MAX_K];
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
          rxtk_topk_block(row, j0, thr, k, best, idx);
        }
      }
      for (int i = nfull; i < n; i++)
        if (row[i] >= thr && row[i] > best[k - 1]) rxtk_topk_insert(row[i], i, k, best, idx);
      return;
    }
  }
  for (int i = 0; i < n; i++)
    if (row[i] > best[k - 1]) rxtk_topk_insert(row[i], i, k, best, idx);
}

#endif
