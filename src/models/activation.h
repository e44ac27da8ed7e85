/* Building blocks of the cells' element-wise loops: a branch-free exp (libm's expf and tanhf
 * are calls, so loops using them do not vectorise) and sigmoid and tanh on top of it. The
 * activations' derivatives are written out in the cells' loops (f' from f for all four). */
#ifndef RX_MODELS_ACTIVATION_H
#define RX_MODELS_ACTIVATION_H

#include <stdint.h>
#include <string.h>

/* Argument range of rxm_expf_nc: outside it exp over- or underflows float anyway. Two plain
 * selects whose result is stored: GCC vectorises that under -ftrapping-math (the default), but
 * not a select whose result feeds more arithmetic in the same loop, so the row loops clamp in
 * one pass and take exp in the next. */
static inline float rxm_exp_arg(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  return x;
}

/* exp(x) within 1 ulp for x in [-87, 88] (no checks): x = n ln2 + r, |r| <= ln2 / 2, exp(r) by
 * the Cephes expf polynomial, 2^n built in the exponent bits. Branch-free, so loops vectorise. */
static inline float rxm_expf_nc(float x) {
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float q = 1.9875691500e-4f * r + 1.3981999507e-3f;
  q = q * r + 8.3334519073e-3f;
  q = q * r + 4.1665795894e-2f;
  q = q * r + 1.6666665459e-1f;
  q = q * r + 5.0000001201e-1f;
  const float p = q * r * r + r + 1.0f;
  const uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/* sigmoid(u) = 1 / (1 + e^t) with t = rxm_exp_arg(-u); tanh(u) = 1 - 2 / (1 + e^t) with
 * t = rxm_exp_arg(2 u) (absolute error ~2e-7 everywhere, exact limits). Row loops compute t in
 * a first pass and call the _t forms in a second. */
static inline float rxm_sigmoid_t(float t) { return 1.0f / (1.0f + rxm_expf_nc(t)); }
static inline float rxm_tanh_t(float t) { return 1.0f - 2.0f / (1.0f + rxm_expf_nc(t)); }

/* a[j] = sigmoid(a[j] + b[j]) for j < n, in two vectorised passes. */
static inline void rxm_sigmoid_row(float *restrict a, const float *restrict b, int n) {
  for (int j = 0; j < n; j++)
    a[j] = rxm_exp_arg(-(a[j] + b[j]));
  for (int j = 0; j < n; j++)
    a[j] = rxm_sigmoid_t(a[j]);
}

#endif
