/* Adam with PyTorch's update rule (bias-corrected step size, eps added after the bias-corrected
 * square root, weight decay as an L2 term on the gradient), and the MSE loss. */
#include <math.h>
#include <stdlib.h>

#include "reactivate/train.h"

int rx_adam_create(rx_adam **out, size_t n, double lr, double weight_decay, rx_error *err) {
  *out = NULL;
  if (!(lr > 0)) return rx_fail(err, RX_EINVAL, "trainer.lr must be > 0 (got %g)", lr);
  if (!(weight_decay >= 0))
    return rx_fail(err, RX_EINVAL, "trainer.weight_decay must be >= 0 (got %g)", weight_decay);
  rx_adam *a = calloc(1, sizeof *a);
  if (!a) return rx_fail(err, RX_ENOMEM, "out of memory for the optimiser");
  a->m = calloc(n ? n : 1, sizeof(float));
  a->v = calloc(n ? n : 1, sizeof(float));
  if (!a->m || !a->v) {
    rx_adam_free(a);
    return rx_fail(err, RX_ENOMEM, "out of memory for the optimiser state (%zu weights)", n);
  }
  a->n = n;
  a->lr = lr;
  a->beta1 = 0.9;
  a->beta2 = 0.999;
  a->eps = 1e-8;
  a->weight_decay = weight_decay;
  *out = a;
  return RX_OK;
}

void rx_adam_free(rx_adam *adam) {
  if (!adam) return;
  free(adam->m);
  free(adam->v);
  free(adam);
}

void rx_adam_step(rx_adam *adam, float *w, const float *grad) {
  adam->step++;
  const double bc1 = 1.0 - pow(adam->beta1, (double)adam->step);
  const double bc2 = 1.0 - pow(adam->beta2, (double)adam->step);
  const float step_size = (float)(adam->lr / bc1);
  const float inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
  const float b1 = (float)adam->beta1, b2 = (float)adam->beta2, eps = (float)adam->eps;
  const float wd = (float)adam->weight_decay;
  float *m = adam->m, *v = adam->v;
  const size_t n = adam->n;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    float g = grad[i] + wd * w[i];
    m[i] = b1 * m[i] + (1.0f - b1) * g;
    v[i] = b2 * v[i] + (1.0f - b2) * g * g;
    float denom = sqrtf(v[i]) * inv_sqrt_bc2 + eps;
    w[i] -= step_size * m[i] / denom;
  }
}

/* Partial sums over fixed-size chunks, each kept in 16 lanes (element i of a chunk goes to lane
 * i mod 16, so the adds vectorise instead of forming one long dependency chain) and the lanes
 * added in a fixed order; chunks are added in chunk order: the same result whatever the number
 * of threads. */
double rx_mse_loss(const float *y, const float *target, size_t n, float *dy) {
  enum { CHUNK = 8192, LANES = 16 };
  const size_t n_chunks = (n + CHUNK - 1) / CHUNK;
  double *partial = malloc((n_chunks ? n_chunks : 1) * sizeof(double));
  if (!partial) return NAN;
  const float scale = n ? 2.0f / (float)n : 0.0f;
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < n_chunks; c++) {
    const size_t lo = c * CHUNK, hi = lo + CHUNK < n ? lo + CHUNK : n;
    double acc[LANES] = {0};
    size_t i = lo;
    if (dy) {
      for (; i + LANES <= hi; i += LANES)
#pragma omp simd
        for (int l = 0; l < LANES; l++) {
          const float d = y[i + l] - target[i + l];
          acc[l] += (double)d * d;
          dy[i + l] = scale * d;
        }
    } else {
      for (; i + LANES <= hi; i += LANES)
#pragma omp simd
        for (int l = 0; l < LANES; l++) {
          const float d = y[i + l] - target[i + l];
          acc[l] += (double)d * d;
        }
    }
    for (int l = 0; i < hi; i++, l++) {
      const float d = y[i] - target[i];
      acc[l] += (double)d * d;
      if (dy) dy[i] = scale * d;
    }
    for (int w = LANES / 2; w > 0; w /= 2) /* pairwise, in a fixed order */
      for (int l = 0; l < w; l++)
        acc[l] += acc[l + w];
    partial[c] = acc[0];
  }
  double total = 0;
  for (size_t c = 0; c < n_chunks; c++)
    total += partial[c];
  free(partial);
  return n ? total / (double)n : 0.0;
}
