/* Place cells (docs/science.md §2.1): softmax of Gaussian bumps, optionally a difference of
 * Gaussians, and the top-k decoder. Float loops written for gcc's vectoriser; rows in parallel.
 * Validation and centre drawing are population.c's. */
#include <math.h>
#include <stddef.h>

#include "tasks/population_internal.h"
#include "tasks/tasks_internal.h"

/* out (n) = logits -|s - c_i|^2 / (2 sigma^2); returns their maximum. */
static float logits(float *restrict out, const float *restrict c, int n, float x, float y,
                    float inv) {
  float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int i = 0; i < n; i++) {
    float dx = x - c[2 * (size_t)i], dy = y - c[2 * (size_t)i + 1];
    float l = -(dx * dx + dy * dy) * inv;
    out[i] = l;
    mx = mx > l ? mx : l;
  }
  return mx;
}

/* out (n): logits - mx, floored for rxtk_expf_neg (its own loop: see tasks_internal.h). */
static void shift_row(float *restrict out, int n, float mx) {
#pragma omp simd
  for (int i = 0; i < n; i++)
    out[i] = rxtk_expf_floor(out[i] - mx);
}

/* out (n): shifted logits on entry, their softmax on exit. */
static void softmax_row(float *restrict out, int n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int i = 0; i < n; i++) {
    float e = rxtk_expf_neg(out[i]);
    out[i] = e;
    s += e;
  }
  float sc = 1.0f / s;
#pragma omp simd
  for (int i = 0; i < n; i++)
    out[i] *= sc;
}

/* softmax(l) - softmax(l / q), q = surround_scale > 1 (variance q sigma^2, so the surround's
 * logits are l / q and their maximum mx / q), shifted by its minimum and normalised. out holds
 * the shifted logits d = l - mx on entry (d / q >= d needs no floor of its own); the
 * exponentials are recomputed rather than buffered so no scratch row is needed. */
static void dog_row(float *restrict out, int n, float q) {
  const float iq = 1.0f / q;
  float s1 = 0, s2 = 0;
#pragma omp simd reduction(+ : s1, s2)
  for (int i = 0; i < n; i++) {
    s1 += rxtk_expf_neg(out[i]);
    s2 += rxtk_expf_neg(out[i] * iq);
  }
  const float a1 = 1.0f / s1, a2 = 1.0f / s2;
  float mn = INFINITY;
#pragma omp simd reduction(min : mn)
  for (int i = 0; i < n; i++) {
    float v = a1 * rxtk_expf_neg(out[i]) - a2 * rxtk_expf_neg(out[i] * iq);
    out[i] = v;
    mn = mn < v ? mn : v;
  }
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int i = 0; i < n; i++) {
    out[i] -= mn;
    s += out[i];
  }
  if (!(s > 0)) { /* all cells equal (e.g. n = 1): no centre-surround contrast left */
    for (int i = 0; i < n; i++)
      out[i] = 1.0f / (float)n;
    return;
  }
  float sc = 1.0f / s;
#pragma omp simd
  for (int i = 0; i < n; i++)
    out[i] *= sc;
}

void rxtk_place_encode_row(const rx_population *pop, const float *pos, float *code) {
  const int n = pop->n;
  const float inv = (float)(1.0 / (2.0 * pop->sigma * pop->sigma));
  shift_row(code, n, logits(code, pop->centers, n, pos[0], pos[1], inv));
  if (pop->dog)
    dog_row(code, n, (float)pop->surround_scale);
  else
    softmax_row(code, n);
}

/* pos: (m, 2); code: (m, n) */
void rxtk_place_encode(const rx_population *pop, const float *pos, size_t m, float *code) {
#pragma omp parallel for schedule(static)
  for (size_t r = 0; r < m; r++)
    rxtk_place_encode_row(pop, pos + 2 * r, code + r * (size_t)pop->n);
}

void rxtk_place_decode_row(const rx_population *pop, const float *code, float *pos) {
  const int k = pop->k;
  int idx[RXTK_MAX_K];
  rxtk_topk(code, pop->n, k, idx);
  double x = 0, y = 0;
  for (int j = 0; j < k; j++) {
    x += pop->centers[2 * (size_t)idx[j]];
    y += pop->centers[2 * (size_t)idx[j] + 1];
  }
  pos[0] = (float)(x / k);
  pos[1] = (float)(y / k);
}

/* code: (m, n); pos: (m, 2) = mean centre of the k most active cells */
void rxtk_place_decode(const rx_population *pop, const float *code, size_t m, float *pos) {
#pragma omp parallel for schedule(static)
  for (size_t r = 0; r < m; r++)
    rxtk_place_decode_row(pop, code + r * (size_t)pop->n, pos + 2 * r);
}
