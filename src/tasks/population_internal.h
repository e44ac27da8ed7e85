/* Private to src/tasks: the place-cell and head-direction-cell kernels population.c dispatches
 * to, and the single-pass top-k selection both decoders share. */
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

/* idx[0..k) = indices of the k largest of row[0..n), largest first; ties keep the lower index
 * (a stable sort by value, cut at k). 1 <= k <= min(n, RX_POP_MAX_K). NaNs are never selected.
 *
 * Cells are dealt into 16 groups by index mod 16, and one vectorised pass (lane-wise maxima,
 * no horizontal work) takes each group's maximum. The k-th largest group maximum, thr, is a
 * lower bound on the k-th largest cell (k different groups reach it), so cells below thr cannot
 * be among the k best. A second vectorised pass finds the blocks of 16 cells that reach thr;
 * only those are walked, in index order, inserting cells >= thr. The k best of those cells are
 * the k best of the row, in the same order, at about the cost of reading the row twice from L1
 * (a plain scan is one long dependency chain of compares). k > 16 and rows without a finite
 * bound (all -inf or NaN) take the plain scan. */
static inline void rx_topk_insert(float v, int i, int k, float *best, int *idx) {
  int j = k - 1;
  for (; j > 0 && v > best[j - 1]; j--) {
    best[j] = best[j - 1];
    idx[j] = idx[j - 1];
  }
  best[j] = v;
  idx[j] = i;
}

static inline void rx_topk(const float *row, int n, int k, int *idx) {
  enum { W = 16 };
  float best[RX_POP_MAX_K];
  for (int j = 0; j < k; j++) {
    best[j] = -INFINITY;
    idx[j] = j;
  }
  if (k <= W) {
    float g[W];
    for (int l = 0; l < W; l++)
      g[l] = -INFINITY;
    const int nfull = n / W * W;
    for (int i0 = 0; i0 < nfull; i0 += W)
#pragma omp simd
      for (int l = 0; l < W; l++)
        g[l] = row[i0 + l] > g[l] ? row[i0 + l] : g[l];
    for (int i = nfull; i < n; i++)
      g[i - nfull] = row[i] > g[i - nfull] ? row[i] : g[i - nfull];
    /* thr = the k-th largest group maximum, found with best[] as scratch */
    for (int l = 0; l < W; l++)
      if (g[l] > best[k - 1])
        rx_topk_insert(g[l], l, k, best, idx);
    const float thr = best[k - 1];
    for (int j = 0; j < k; j++) {
      best[j] = -INFINITY;
      idx[j] = j;
    }
    if (thr > -INFINITY) {
      for (int i0 = 0; i0 < n; i0 += W) {
        const int i1 = i0 + W < n ? i0 + W : n;
        if (i1 - i0 == W) {
          int any = 0;
#pragma omp simd reduction(| : any)
          for (int l = 0; l < W; l++)
            any |= row[i0 + l] >= thr;
          if (!any)
            continue;
        }
        for (int i = i0; i < i1; i++)
          if (row[i] >= thr && row[i] > best[k - 1])
            rx_topk_insert(row[i], i, k, best, idx);
      }
      return;
    }
  }
  for (int i = 0; i < n; i++)
    if (row[i] > best[k - 1])
      rx_topk_insert(row[i], i, k, best, idx);
}

#endif
