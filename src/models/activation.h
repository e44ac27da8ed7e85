/* Element-wise nonlinearities of the cells: f(u) and its derivative, the latter also from f(u)
 * alone (all four activations allow it), so backward can work from stored outputs. */
#ifndef RX_MODELS_ACTIVATION_H
#define RX_MODELS_ACTIVATION_H

#include <math.h>

#include "reactivate/rnn.h"

static inline float rx_sigmoidf(float u) { return 1.0f / (1.0f + expf(-u)); }

static inline float rx_act(rx_activation act, float u) {
  switch (act) {
  case RX_ACT_RELU: return u > 0.0f ? u : 0.0f;
  case RX_ACT_TANH: return tanhf(u);
  case RX_ACT_SIGMOID: return rx_sigmoidf(u);
  default: return u;
  }
}

/* f'(u) given f = f(u). relu'(0) = 0, as PyTorch. */
static inline float rx_act_grad_from_f(rx_activation act, float f) {
  switch (act) {
  case RX_ACT_RELU: return f > 0.0f ? 1.0f : 0.0f;
  case RX_ACT_TANH: return 1.0f - f * f;
  case RX_ACT_SIGMOID: return f * (1.0f - f);
  default: return 1.0f;
  }
}

#endif
