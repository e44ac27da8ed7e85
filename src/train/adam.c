/* Adam with PyTorch's update rule (bias-corrected step size, eps added after the bias-corrected
 * square root, weight decay as an L2 term on the gradient). */
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
