/* The fast paths of a training step against plain references: vectorised noise rows against the
 * scalar generator (bit for bit), the screened top-k against a plain scan (ties, NaNs, -inf, odd
 * lengths), and the lane-wise MSE loss against a double sum. */
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
      rx_noise_fill(7, 6, 11, 3, (uint32_t)li, gauss, 0.3f, fast, n);
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
    if (row[i] > best[k - 1]) rx_topk_insert(row[i], i, k, best, idx);
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
        rx_topk(row, n, k, got);
        topk_plain(row, n, k, want);
        CHECK_MSG(!memcmp(got, want, sizeof(int) * k), "n %d k %d kind %d", n, k, kind);
        cases++;
      }
  CHECK(cases > 100);
}

static void test_mse_loss_matches_double_sum_and_gradient(void) {
  const size_t n = 8192 * 3 + 77;
  float *y = malloc(n * sizeof(float)), *t = malloc(n * sizeof(float)),
        *dy = malloc(n * sizeof(float));
  REQUIRE(y && t && dy);
  uint32_t seed = 4;
  double ref = 0;
  for (size_t i = 0; i < n; i++) {
    y[i] = frand(&seed), t[i] = frand(&seed);
    const float d = y[i] - t[i];
    ref += (double)d * d;
  }
  ref /= (double)n;
  const double loss = rx_mse_loss(y, t, n, dy);
  CHECK_NEAR(loss, ref, 1e-12 * ref);
  CHECK(rx_mse_loss(y, t, n, NULL) == loss); /* with or without the gradient: the same sum */
  int exact = 1;
  for (size_t i = 0; i < n; i++)
    exact &= dy[i] == (2.0f / (float)n) * (y[i] - t[i]);
  CHECK(exact);
  free(y), free(t), free(dy);
}

RX_TEST_MAIN(TEST(test_noise_rows_equal_the_scalar_generator_bit_for_bit),
             TEST(test_screened_topk_equals_plain_scan),
             TEST(test_mse_loss_matches_double_sum_and_gradient))
