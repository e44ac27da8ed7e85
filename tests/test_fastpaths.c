/* The fast paths of a training step against plain references: vectorised noise rows against the
 * scalar generator (bit for bit), the screened top-k against a plain scan (ties, NaNs, -inf, odd
 * lengths). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/rnn_internal.h"
#include "reactivate/rng.h"
#include "reactivate/train.h"
#include "tasks/population_internal.h"
#include "test_util.h"

static void test_noise_rows_equal_the_scalar_generator_bit_for_bit(void) {
  const size_t lens[] = {1, 2, 3, 4, 5, 127, 128, 255, 256, 257, 1000, 1025};
  float fast[1100], slow[1100];
  for (int gauss = 0; gauss < 2; gauss++)
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
      const size_t n = lens[li];
      rx_rng r;
      rx_rng_init(&r, 7, 6, 11, 3, (uint32_t)li);
      if (gauss)
        rx_rng_fill_normalf(&r, slow, n, 0.3f);
      else
        rx_rng_fill_uniformf(&r, slow, n, 0.3f);
      rxm_noise_fill(7, 6, 11, 3, (uint32_t)li, gauss, 0.3f, fast, n);
      CHECK_MSG(!memcmp(fast, slow, n * sizeof(float)), "%s, n = %zu", gauss ? "normal" : "uniform",
                n);
    }
}

static float frand(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / 16777216.0f - 0.5f;
}

/* The plain one-pass scan the screened top-k must agree with. */
static void topk_plain(const float *row, int n, int k, int *idx) {
  float best[64];
  for (int j = 0; j < k; j++)
    best[j] = -INFINITY, idx[j] = j;
  for (int i = 0; i < n; i++)
    if (row[i] > best[k - 1]) rxtk_topk_insert(row[i], i, k, best, idx);
}

static void test_screened_topk_equals_plain_scan(void) {
  const int lens[] = {1, 5, 16, 17, 31, 100, 512, 513};
  const int ks[] = {1, 2, 3, 16, 17, 40};
  float row[600];
  uint32_t seed = 3;
  int cases = 0;
  for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
    for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
      for (int kind = 0; kind < 5; kind++) {
        const int n = lens[li], k = ks[ki];
        if (k > n) continue;
        for (int i = 0; i < n; i++) {
          float v = frand(&seed);
          if (kind == 1) v = roundf(v * 4.0f); /* many ties */
          if (kind == 2 && i % 7 == 3) v = NAN;
          if (kind == 3) v = i % 5 ? -INFINITY : v; /* few finite cells */
          if (kind == 4) v = NAN;                   /* nothing selectable */
          row[i] = v;
        }
        int got[64], want[64];
        rxtk_topk(row, n, k, got);
        topk_plain(row, n, k, want);
        CHECK_MSG(!memcmp(got, want, sizeof(int) * k), "n %d k %d kind %d", n, k, kind);
        cases++;
      }
  CHECK(cases > 100);
}

RX_TEST_MAIN(TEST(test_noise_rows_equal_the_scalar_generator_bit_for_bit),
             TEST(test_screened_topk_equals_plain_scan))
