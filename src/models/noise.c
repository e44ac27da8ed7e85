/* Network noise rows from Philox4x32-10, many counter blocks at a time: the same words, in the
 * same order, as a fresh rx_rng positioned at the row's (seed, stream; index, b, t) hands out
 * one by one, so the noise is bit-identical to rx_rng_fill_uniformf / rx_rng_fill_normalf; only
 * the generation is vectorised (the scalar generator spends ~10 cycles per word on buffer
 * bookkeeping; here the rounds of 16 blocks run side by side in vector registers). */
#include <math.h>
#include <stdint.h>

#include "models/rnn_internal.h"

enum { BLK = 64 }; /* counter blocks per batch: 256 words on the stack */

/* w[4 b + i] = word i of Philox4x32-10 at counter (c0 + b, c1, c2, c3), key (k0, k1), b < nb. */
static void philox_words(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2,
                         uint32_t c3, int nb, uint32_t *restrict w) {
  uint32_t o0[BLK], o1[BLK], o2[BLK], o3[BLK];
#pragma omp simd
  for (int b = 0; b < nb; b++) {
    uint32_t x0 = c0 + (uint32_t)b, x1 = c1, x2 = c2, x3 = c3, ka = k0, kb = k1;
    for (int r = 0; r < 10; r++) {
      const uint64_t p0 = (uint64_t)0xD2511F53u * x0, p1 = (uint64_t)0xCD9E8D57u * x2;
      const uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ ka, y2 = (uint32_t)(p0 >> 32) ^ x3 ^ kb;
      x1 = (uint32_t)p1;
      x3 = (uint32_t)p0;
      x0 = y0;
      x2 = y2;
      ka += 0x9E3779B9u;
      kb += 0xBB67AE85u;
    }
    o0[b] = x0;
    o1[b] = x1;
    o2[b] = x2;
    o3[b] = x3;
  }
  for (int b = 0; b < nb; b++) {
    w[4 * (size_t)b] = o0[b];
    w[4 * (size_t)b + 1] = o1[b];
    w[4 * (size_t)b + 2] = o2[b];
    w[4 * (size_t)b + 3] = o3[b];
  }
}

void rxm_noise_fill(uint32_t k0, uint32_t k1, uint32_t c1, uint32_t c2, uint32_t c3, int gaussian,
                    float sigma, float *out, size_t n) {
  uint32_t w[4 * BLK];
  /* Gaussian: two words per pair of outputs (an odd n uses one more pair, as the scalar path). */
  const size_t words = gaussian ? (n + 1) / 2 * 2 : n;
  size_t done = 0; /* words consumed */
  uint32_t ctr = 0;
  while (done < words) {
    const size_t left = words - done;
    const int nb = left >= (size_t)4 * BLK ? BLK : (int)((left + 3) / 4);
    philox_words(k0, k1, ctr, c1, c2, c3, nb, w);
    ctr += (uint32_t)nb;
    const size_t m = left < 4 * (size_t)nb ? left : 4 * (size_t)nb;
    if (!gaussian) {
      float *o = out + done;
#pragma omp simd
      for (size_t i = 0; i < m; i++)
        o[i] = sigma * ((float)(w[i] >> 8) * (1.0f / 16777216.0f));
    } else {
      /* pairs (u1, u2) -> r cos, r sin, as rx_rng_fill_normalf */
      for (size_t i = 0; i < m; i += 2) {
        const size_t e = done + i;
        const float u1 = 1.0f - (float)(w[i] >> 8) * (1.0f / 16777216.0f);
        const float u2 = (float)(w[i + 1] >> 8) * (1.0f / 16777216.0f);
        const float r = sigma * sqrtf(-2.0f * logf(u1)), a = 6.2831853071795864f * u2;
        if (e + 1 < n) {
          out[e] = r * cosf(a);
          out[e + 1] = r * sinf(a);
        } else {
          out[e] = sigma * sqrtf(-2.0f * logf(u1)) * cosf(a);
        }
      }
    }
    done += m;
  }
}
