/* Philox4x32-10 wrappers: uniform, normal and Rayleigh draws from a positioned counter. */
#include "reactivate/rng.h"

#include <Random123/philox.h>
#include <math.h>

void rx_rng_init(rx_rng *rng, uint32_t seed, uint32_t stream, uint32_t i, uint32_t j, uint32_t k) {
  rng->key[0] = seed;
  rng->key[1] = stream;
  rng->ctr[0] = 0;
  rng->ctr[1] = i;
  rng->ctr[2] = j;
  rng->ctr[3] = k;
  rng->avail = 0;
}

static void refill(rx_rng *rng) {
  philox4x32_ctr_t c = {{rng->ctr[0], rng->ctr[1], rng->ctr[2], rng->ctr[3]}};
  philox4x32_key_t k = {{rng->key[0], rng->key[1]}};
  philox4x32_ctr_t r = philox4x32(c, k);
  for (int n = 0; n < 4; n++)
    rng->buf[n] = r.v[n];
  rng->ctr[0]++;
  rng->avail = 4;
}

uint32_t rx_rng_u32(rx_rng *rng) {
  if (rng->avail == 0) refill(rng);
  return rng->buf[4 - rng->avail--];
}

double rx_rng_uniform(rx_rng *rng) {
  uint64_t hi = rx_rng_u32(rng) >> 5, lo = rx_rng_u32(rng) >> 6; /* 27 + 26 bits */
  return (double)(hi * 67108864u + lo) * (1.0 / 9007199254740992.0);
}

float rx_rng_uniformf(rx_rng *rng) { return (float)(rx_rng_u32(rng) >> 8) * (1.0f / 16777216.0f); }

double rx_rng_normal(rx_rng *rng) {
  double u1 = 1.0 - rx_rng_uniform(rng); /* (0, 1]: log is finite */
  double u2 = rx_rng_uniform(rng);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double rx_rng_rayleigh(rx_rng *rng, double scale) {
  double u = 1.0 - rx_rng_uniform(rng);
  return scale * sqrt(-2.0 * log(u));
}

void rx_rng_fill_uniformf(rx_rng *rng, float *out, size_t n, float scale) {
  for (size_t i = 0; i < n; i++)
    out[i] = scale * rx_rng_uniformf(rng);
}

/* Both Box-Muller outputs are used; n odd wastes one. float math: the noise is float32 anyway. */
void rx_rng_fill_normalf(rx_rng *rng, float *out, size_t n, float scale) {
  size_t i = 0;
  for (; i + 1 < n; i += 2) {
    float u1 = 1.0f - rx_rng_uniformf(rng), u2 = rx_rng_uniformf(rng);
    float r = scale * sqrtf(-2.0f * logf(u1));
    float a = 6.2831853071795864f * u2;
    out[i] = r * cosf(a);
    out[i + 1] = r * sinf(a);
  }
  if (i < n) {
    float u1 = 1.0f - rx_rng_uniformf(rng), u2 = rx_rng_uniformf(rng);
    out[i] = scale * sqrtf(-2.0f * logf(u1)) * cosf(6.2831853071795864f * u2);
  }
}
