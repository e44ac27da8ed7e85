/* Network noise rows from Philox4x32-10, many counter blocks at a time: the same words, in the
 * same order, as a fresh rx_rng positioned at the row's (seed, stream; index, b, t) hands out
 * one by one, so the noise is bit-identical to rx_rng_fill_uniformf / rx_rng_fill_normalf; only
 * the generation is vectorised (the scalar generator spends ~10 cycles per word on buffer
 * bookkeeping; here the rounds of 8 blocks run side by side in each AVX2 register, or of a
 * batch under `omp simd` elsewhere). */
#include <math.h>
#include <stdint.h>

#include "models/rnn_internal.h"

enum { BLK = 64 }; /* counter blocks per batch: 256 words on the stack */

#if defined(__AVX2__)
#include <immintrin.h>

/* The high and low words of the 32 x 32 -> 64-bit products a * m in each of 8 lanes (m the
 * same in every lane): even lanes from one vpmuludq, odd lanes from another. */
static inline void mulhilo8(__m256i a, __m256i m, __m256i *hi, __m256i *lo) {
  const __m256i pe = _mm256_mul_epu32(a, m), po = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  *lo = _mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xAA);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xAA);
}

/* w[4 b + i] = word i of Philox4x32-10 at counter (c0 + b, c1, c2, c3), key (k0, k1), for b up
 * to nb rounded up to a multiple of 8 (w holds 4 BLK words): 8 blocks per AVX2 register, the
 * rounds of philox_words below, then a 4 x 8 transpose into the generator's word order. */
static void philox_words(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2,
                         uint32_t c3, int nb, uint32_t *restrict w) {
  const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u), m1 = _mm256_set1_epi32((int)0xCD9E8D57u);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int g = 0; g < nb; g += 8) {
    __m256i x0 = _mm256_add_epi32(_mm256_set1_epi32((int)(c0 + (uint32_t)g)), lane);
    __m256i x1 = _mm256_set1_epi32((int)c1), x2 = _mm256_set1_epi32((int)c2);
    __m256i x3 = _mm256_set1_epi32((int)c3);
    uint32_t ka = k0, kb = k1;
    for (int r = 0; r < 10; r++) {
      __m256i h0, l0, h1, l1;
      mulhilo8(x0, m0, &h0, &l0);
      mulhilo8(x2, m1, &h1, &l1);
      x0 = _mm256_xor_si256(_mm256_xor_si256(h1, x1), _mm256_set1_epi32((int)ka));
      x2 = _mm256_xor_si256(_mm256_xor_si256(h0, x3), _mm256_set1_epi32((int)kb));
      x1 = l1;
      x3 = l0;
      ka += 0x9E3779B9u;
      kb += 0xBB67AE85u;
    }
    const __m256i t0 = _mm256_unpacklo_epi32(x0, x1), t1 = _mm256_unpackhi_epi32(x0, x1);
    const __m256i t2 = _mm256_unpacklo_epi32(x2, x3), t3 = _mm256_unpackhi_epi32(x2, x3);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    __m256i *o = (__m256i *)(w + 4 * (size_t)g);
    _mm256_storeu_si256(o, _mm256_permute2x128_si256(u0, u1, 0x20));     /* blocks 0, 1 */
    _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(u2, u3, 0x20)); /* blocks 2, 3 */
    _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(u0, u1, 0x31)); /* blocks 4, 5 */
    _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(u2, u3, 0x31)); /* blocks 6, 7 */
  }
}
#else
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
#endif

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
