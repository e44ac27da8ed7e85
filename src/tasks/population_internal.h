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

/* idx[0..k) = indices of the k largest of row[0..n), largest first, in one pass; ties keep the
 * lower index. 1 <= k <= min(n, RX_POP_MAX_K). NaNs are never selected. Most cells fail the
 * first comparison, so the pass runs at about the speed of reading the row. */
static inline void rx_topk(const float *row, int n, int k, int *idx) {
  float best[RX_POP_MAX_K];
  for (int j = 0; j < k; j++) {
    best[j] = -INFINITY;
    idx[j] = j;
  }
  for (int i = 0; i < n; i++) {
    float v = row[i];
    if (!(v > best[k - 1]))
      continue;
    int j = k - 1;
    for (; j > 0 && v > best[j - 1]; j--) {
      best[j] = best[j - 1];
      idx[j] = idx[j - 1];
    }
    best[j] = v;
    idx[j] = i;
  }
}

#endif
