/* Noisy continuous-time recurrent networks (docs/science.md §3): the vanilla RNN and the GRU, their
 * PyTorch-default initialisation, forward pass and exact backpropagation through time.
 * Weights live in one flat float32 array (so the optimiser and checkpoints see one vector);
 * rx_param names each piece with its PyTorch name and (out_features, in_features) shape. */
#ifndef RX_RNN_H
#define RX_RNN_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"
#include "reactivate/loss.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rx_model_kind { RX_MODEL_VANILLA = 0, RX_MODEL_GRU = 1 } rx_model_kind;
typedef enum rx_activation {
  RX_ACT_RELU = 0,
  RX_ACT_TANH = 1,
  RX_ACT_SIGMOID = 2,
  RX_ACT_IDENTITY = 3
} rx_activation;
/* Input and recurrent noise: sigma * U[0,1) (the published experiments) or sigma * N(0,1)
 * (the theory). Output noise is always Gaussian. */
typedef enum rx_noise_kind { RX_NOISE_UNIFORM = 0, RX_NOISE_GAUSSIAN = 1 } rx_noise_kind;

/* The vanilla cell's mechanisms beyond the paper (docs/science.md §3.6), both off when zero
 * (then the cell is exactly the paper's and runs the paper's code path):
 *   adaptation: u_t = ... - a_{t-1},  a_t = (1 - alpha_a) a_{t-1} + alpha_a b h_t,  a_0 = 0
 *   momentum:   v_t = lambda v_{t-1} + alpha (f(u_t) - h_{t-1}) + sigma_rec xi,  h_t = h_{t-1} +
 * v_t, v_0 = 0 Config keys: rnn.adaptation_strength (b), rnn.adaptation_tau (alpha_a = rnn.dt /
 * tau_a), rnn.momentum (lambda). The GRU has none. */
typedef struct rx_mechanism {
  float adaptation_strength; /* b >= 0; 0: no adaptation */
  float adaptation_alpha;    /* alpha_a = dt / tau_a in (0, 1]; read only when b > 0 */
  float momentum;            /* lambda in [0, 1); 0: first-order, the paper's cell */
} rx_mechanism;

/* Whether any mechanism is on (b > 0 or lambda > 0). */
int rx_mechanism_active(const rx_mechanism *m);

typedef struct rx_rnn_spec {
  rx_model_kind kind;
  int n_in, n_rec, n_out, n_init;
  float alpha;                          /* dt / tau */
  int bias;                             /* linear maps carry biases */
  rx_activation act;                    /* f; the GRU uses tanh */
  float sigma_in, sigma_rec, sigma_out; /* noise s.d. (sqrt of the configured variances) */
  rx_noise_kind noise;
  rx_mechanism mech; /* vanilla only; all zero: the paper's cell */
} rx_rnn_spec;

#define RX_MAX_PARAMS 16

typedef struct rx_param {
  char name[32]; /* PyTorch name, e.g. "w_rec.weight" */
  int ndim;      /* 2 for weights (shape[0] = out, shape[1] = in), 1 for biases */
  int shape[2];
  size_t offset; /* into rx_rnn.w */
  size_t size;   /* number of floats */
} rx_param;

typedef struct rx_rnn {
  rx_rnn_spec spec;
  int n_params;
  rx_param params[RX_MAX_PARAMS];
  size_t n_weights;
  float *w; /* (n_weights,) all parameters */
} rx_rnn;

/* Noise of one forward pass. Draws for trajectory b at time t come from
 * rx_rng(seed, stream + {0: input, 1: recurrent, 2: output}; index, b, t0 + t). */
typedef struct rx_noise {
  uint32_t seed, stream, index;
  float sigma_in, sigma_rec, sigma_out;
  rx_noise_kind kind;
} rx_noise;

/* One forward pass: B trajectories of T steps. Either c (initial population codes, encoded by
 * the encoder) or h0 (hidden state to continue from) gives the initial state; state0 gives the
 * mechanisms' state (a_0, v_0), zero when NULL. A long run cut into chunks continues each chunk
 * from the last one's h_T (h0), mechanism state (state0, rx_rnn_workspace_state) and t0. */
typedef struct rx_rnn_run {
  int B, T;
  const float *x;        /* (T, B, n_in) inputs, or NULL for zero inputs (quiescence) */
  const float *c;        /* (B, n_init) initial population codes */
  const float *h0;       /* (B, n_rec) initial hidden state; overrides c when not NULL */
  const rx_noise *noise; /* NULL: deterministic */
  int t0;                /* time index of the first step, for noise addressing of chunked runs */
  /* (B, 2 n_rec) per row a_0 (adaptation) then v_0 (momentum), or NULL: zero. The half of a
   * mechanism that is off is not read (its state stays zero). Held fixed by the backward pass
   * (no gradient flows into it). */
  const float *state0;
} rx_rnn_run;

typedef struct rx_rnn_workspace rx_rnn_workspace;

/* Checks sizes and values; one-line message naming the field at fault. */
int rx_rnn_spec_check(const rx_rnn_spec *spec, rx_error *err);
int rx_rnn_create(rx_rnn **out, const rx_rnn_spec *spec, rx_error *err); /* weights zeroed */
void rx_rnn_free(rx_rnn *rnn);
/* PyTorch's default for nn.Linear: every weight and bias uniform in +-1/sqrt(fan_in);
 * parameter p draws from rx_rng(seed, RX_STREAM_INIT; p, 0, 0) in row-major order. */
void rx_rnn_init_default(rx_rnn *rnn, uint32_t seed);
const rx_param *rx_rnn_find_param(const rx_rnn *rnn, const char *name);
/* The linear readout y = h W^T + b of either model (vanilla "w_out", GRU "decoder"): W (n_out,
 * n_rec) into *w and b (n_out,) into *b, or NULL when the network has no biases. Pointers into
 * rnn->w. */
void rx_rnn_readout_weights(const rx_rnn *rnn, const float **w, const float **b);

/* Buffers for runs of up to B trajectories of up to T steps (allocated once per run). Passes run
 * fastest in flush-to-zero mode, which is the caller's to set (rx_flush_denormals). */
int rx_rnn_workspace_create(rx_rnn_workspace **out, const rx_rnn_spec *spec, int B, int T,
                            rx_error *err);
void rx_rnn_workspace_free(rx_rnn_workspace *ws);
/* Hidden states h_1..h_T of the last forward pass: (T, B, n_rec), time-major. */
const float *rx_rnn_workspace_hidden(const rx_rnn_workspace *ws);
/* The mechanisms' state after the last forward pass's final step: (B, 2 n_rec), per row a_T
 * then v_T, zero for a mechanism that is off (all zero for the paper's cell and the GRU); the
 * state0 that continues the pass. Valid until the next pass on ws. */
const float *rx_rnn_workspace_state(const rx_rnn_workspace *ws);

/* y: (T, B, n_out) outputs, or NULL to skip the readout. Keeps what backward needs in ws.
 * RX_OK, or RX_EINVAL naming what about the run does not fit the network or the workspace. */
int rx_rnn_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run, float *y,
                   rx_error *err);
/* The outputs of step t (0-based) of the last forward pass on ws, y (B, n_out), output noise
 * included (the rows rx_rnn_forward would have written at step t, to float rounding): after
 * rx_rnn_forward with y NULL, a caller that wants only some steps' outputs pays only for those
 * (the probes decode every k-th step of long quiescent runs). RX_OK, or RX_EINVAL (t outside
 * the pass, run.B not the pass's). */
int rx_rnn_readout_step(const rx_rnn *rnn, const rx_rnn_workspace *ws, const rx_rnn_run *run, int t,
                        float *y, rx_error *err);
/* dy: (T, B, n_out) dLoss/dy of the last forward pass on ws; grad: (n_weights,) overwritten with
 * dLoss/dw, noise samples held fixed. RX_OK, or RX_EINVAL (no forward pass with outputs since the
 * last backward pass, or a workspace of another network). */
int rx_rnn_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, const float *dy, float *grad,
                    rx_error *err);

/* A training step's forward pass, loss and backward pass without storing the outputs (for
 * training, where only the loss and its gradient are wanted): after the recurrence, each tile of
 * output rows is computed, handed to loss->rows (reactivate/loss.h) and, with grad, taken back
 * through the readout (dh = dy W_out, dW_out += dy^T h) while it is still in cache; then
 * backpropagation through time as in rx_rnn_backward. grad (n_weights,) is overwritten with
 * dLoss/dw, or is NULL for the loss alone. Where the loss describes low-rank targets and the
 * network has no output bias and the run no output noise, the readout's backward pass uses them
 * and never forms dL/dy (rows() then only tallies). The gradient equals rx_rnn_forward, the
 * loss's dy and rx_rnn_backward to float rounding (dW_out is summed over groups of tiles), with
 * the same bits for any number of threads. Afterwards rx_rnn_workspace_hidden holds h_1..h_T as
 * after rx_rnn_forward; rx_rnn_backward is not available (no outputs were kept). RX_OK,
 * RX_EINVAL (as rx_rnn_forward, or an incomplete loss) or RX_ENOMEM (the tile buffers, made on
 * the first call), each with its cause in err. */
int rx_rnn_forward_loss(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                        const rx_row_loss *loss, float *grad, rx_error *err);

/* Floating-point operations of the products of one training step (forward + backward) at
 * (B, T), for bench and for planning: rx_rnn_forward, then rx_rnn_backward. */
double rx_rnn_train_flops(const rx_rnn_spec *spec, int B, int T);
/* The same for rx_rnn_forward_loss with a gradient on this loss, as it runs: fewer where the
 * loss's low-rank targets spare the readout's backward pass its products with dL/dy. */
double rx_rnn_forward_loss_flops(const rx_rnn_spec *spec, int B, int T, const rx_row_loss *loss);

const char *rx_activation_name(rx_activation act);
const char *rx_model_kind_name(rx_model_kind kind);

#ifdef __cplusplus
}
#endif
#endif
