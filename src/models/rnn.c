/* Network creation, parameter table, PyTorch-default initialisation, workspaces, and the public
 * passes: argument checks, then dispatch to the pieces. The start of a pass (encoder, noisy
 * inputs) is in encoder.c, the recurrences in vanilla.c and gru.c, the readout (with output
 * noise, and tile by tile with a loss) in readout.c, FLOP counts in flops.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/rnn_internal.h"
#include "reactivate/linalg.h"

/* ---------------------------------------------------------------- spec, layout, parameters */

/* The mechanisms' ranges (rnn.h), one line naming the config key; none on a GRU. */
static int mechanism_check(const rx_rnn_spec *s, rx_error *err) {
  const rx_mechanism *m = &s->mech;
  if (!(m->adaptation_strength >= 0.0f) || !isfinite(m->adaptation_strength))
    return rx_fail(err, RX_EINVAL, "rnn.adaptation_strength must be >= 0 and finite (got %g)",
                   (double)m->adaptation_strength);
  if (m->adaptation_strength > 0.0f && !(m->adaptation_alpha > 0.0f && m->adaptation_alpha <= 1.0f))
    return rx_fail(err, RX_EINVAL,
                   "rnn.adaptation_tau must be >= rnn.dt when rnn.adaptation_strength > 0: "
                   "rnn.dt/rnn.adaptation_tau (alpha_a) must be in (0, 1] (got %g)",
                   (double)m->adaptation_alpha);
  if (!(m->momentum >= 0.0f && m->momentum < 1.0f))
    return rx_fail(err, RX_EINVAL, "rnn.momentum must be in [0, 1) (got %g)", (double)m->momentum);
  if (s->kind == RX_MODEL_GRU && rx_mechanism_active(m))
    return rx_fail(err, RX_EINVAL,
                   "rnn.%s is for the vanilla cell only (rnn.model is gru): set it to 0",
                   m->adaptation_strength > 0.0f ? "adaptation_strength" : "momentum");
  return RX_OK;
}

int rx_rnn_spec_check(const rx_rnn_spec *s, rx_error *err) {
  if (!s) return rx_fail(err, RX_EINVAL, "rnn: no spec given");
  if (s->kind != RX_MODEL_VANILLA && s->kind != RX_MODEL_GRU)
    return rx_fail(err, RX_EINVAL, "rnn.model must be vanilla or gru (got %d)", (int)s->kind);
  if (s->n_in <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_in must be > 0 (got %d)", s->n_in);
  if (s->n_rec <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_rec must be > 0 (got %d)", s->n_rec);
  if (s->n_out <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_out must be > 0 (got %d)", s->n_out);
  if (s->n_init <= 0) return rx_fail(err, RX_EINVAL, "rnn.n_init must be > 0 (got %d)", s->n_init);
  if (!(s->alpha > 0.0f && s->alpha <= 1.0f))
    return rx_fail(err, RX_EINVAL, "rnn.dt/rnn.tau (alpha) must be in (0, 1] (got %g)",
                   (double)s->alpha);
  if ((unsigned)s->act > RX_ACT_IDENTITY)
    return rx_fail(err, RX_EINVAL,
                   "rnn.activation_fn must be relu, tanh, sigmoid or identity (got %d)",
                   (int)s->act);
  const float sig[3] = {s->sigma_in, s->sigma_rec, s->sigma_out};
  const char *key[3] = {"rnn.sigma2_in", "rnn.sigma2_rec", "rnn.sigma2_out"};
  for (int i = 0; i < 3; i++)
    if (!(sig[i] >= 0.0f) || !isfinite(sig[i]))
      return rx_fail(err, RX_EINVAL, "%s must be >= 0 and finite (got noise s.d. %g)", key[i],
                     (double)sig[i]);
  if (s->noise != RX_NOISE_UNIFORM && s->noise != RX_NOISE_GAUSSIAN)
    return rx_fail(err, RX_EINVAL, "rnn.noise must be uniform or gaussian (got %d)", (int)s->noise);
  return mechanism_check(s, err);
}

int rx_mechanism_active(const rx_mechanism *m) {
  return m->adaptation_strength > 0.0f || m->momentum > 0.0f;
}

rxm_layout rxm_layout_of(const rx_rnn_spec *s) {
  rxm_layout L;
  size_t N = (size_t)s->n_rec, bias = s->bias ? 1 : 0;
  L.G = s->kind == RX_MODEL_GRU ? 3 : 1;
  size_t GN = (size_t)L.G * N;
  L.enc_w = 0;
  L.enc_b = L.enc_w + N * (size_t)s->n_init;
  L.in_w = L.enc_b + bias * N;
  L.in_b = L.in_w + GN * (size_t)s->n_in;
  L.rec_w = L.in_b + bias * GN;
  L.rec_b = L.rec_w + GN * N;
  L.out_w = L.rec_b + bias * GN;
  L.out_b = L.out_w + (size_t)s->n_out * N;
  L.n = L.out_b + bias * (size_t)s->n_out;
  return L;
}

static void add_param(rx_rnn *rnn, const char *name, int out, int in, size_t offset) {
  rx_param *p = &rnn->params[rnn->n_params++];
  snprintf(p->name, sizeof p->name, "%s", name);
  p->ndim = in > 0 ? 2 : 1;
  p->shape[0] = out;
  p->shape[1] = in > 0 ? in : 0;
  p->offset = offset;
  p->size = (size_t)out * (size_t)(in > 0 ? in : 1);
}

/* One linear map: "<map>.weight" (out, in) and, with bias, "<map>.bias" (out). The order of the
 * table is PyTorch's named_parameters() order; it also numbers the init streams. */
static void add_map(rx_rnn *rnn, const char *map, int out, int in, size_t w_off, size_t b_off) {
  char name[32];
  snprintf(name, sizeof name, "%s.weight", map);
  add_param(rnn, name, out, in, w_off);
  if (rnn->spec.bias) {
    snprintf(name, sizeof name, "%s.bias", map);
    add_param(rnn, name, out, 0, b_off);
  }
}

int rx_rnn_create(rx_rnn **out, const rx_rnn_spec *spec, rx_error *err) {
  *out = NULL;
  int rc = rx_rnn_spec_check(spec, err);
  if (rc) return rc;
  rx_rnn *rnn = calloc(1, sizeof *rnn);
  if (!rnn) return rx_fail(err, RX_ENOMEM, "rnn: out of memory");
  rnn->spec = *spec;
  rxm_layout L = rxm_layout_of(spec);
  const int N = spec->n_rec, I = spec->n_in;
  const size_t NN = (size_t)N * N, NI = (size_t)N * I;
  add_map(rnn, "encoder", N, spec->n_init, L.enc_w, L.enc_b);
  if (spec->kind == RX_MODEL_VANILLA) {
    add_map(rnn, "w_in", N, I, L.in_w, L.in_b);
    add_map(rnn, "w_rec", N, N, L.rec_w, L.rec_b);
    add_map(rnn, "w_out", spec->n_out, N, L.out_w, L.out_b);
  } else {
    const char *gate[3] = {"z", "r", "h"};
    for (int g = 0; g < 3; g++) {
      char wname[8], uname[8];
      snprintf(wname, sizeof wname, "w_%s", gate[g]);
      snprintf(uname, sizeof uname, "u_%s", gate[g]);
      add_map(rnn, wname, N, I, L.in_w + g * NI, L.in_b + (size_t)g * N);
      add_map(rnn, uname, N, N, L.rec_w + g * NN, L.rec_b + (size_t)g * N);
    }
    add_map(rnn, "decoder", spec->n_out, N, L.out_w, L.out_b);
  }
  rnn->n_weights = L.n;
  rnn->w = calloc(L.n, sizeof(float));
  if (!rnn->w) {
    free(rnn);
    return rx_fail(err, RX_ENOMEM, "rnn: out of memory for %zu weights", L.n);
  }
  *out = rnn;
  return RX_OK;
}

void rx_rnn_free(rx_rnn *rnn) {
  if (!rnn) return;
  free(rnn->w);
  free(rnn);
}

/* Uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)); a bias has the fan_in of its weight, which
 * precedes it in the table. */
void rx_rnn_init_default(rx_rnn *rnn, uint32_t seed) {
  for (int p = 0; p < rnn->n_params; p++) {
    const rx_param *q = &rnn->params[p];
    int fan_in = q->ndim == 2 ? q->shape[1] : rnn->params[p - 1].shape[1];
    double bound = 1.0 / sqrt((double)fan_in);
    rx_rng r;
    rx_rng_init(&r, seed, RX_STREAM_INIT, (uint32_t)p, 0, 0);
    float *w = rnn->w + q->offset;
    for (size_t i = 0; i < q->size; i++)
      w[i] = (float)((2.0 * rx_rng_uniform(&r) - 1.0) * bound);
  }
}

void rx_rnn_readout_weights(const rx_rnn *rnn, const float **w, const float **b) {
  const rxm_layout L = rxm_layout_of(&rnn->spec);
  *w = rnn->w + L.out_w;
  *b = rnn->spec.bias ? rnn->w + L.out_b : NULL;
}

const rx_param *rx_rnn_find_param(const rx_rnn *rnn, const char *name) {
  for (int p = 0; p < rnn->n_params; p++)
    if (strcmp(rnn->params[p].name, name) == 0) return &rnn->params[p];
  return NULL;
}

/* ---------------------------------------------------------------- workspace */

static float *alloc_floats(size_t n) {
  void *p = NULL;
  if (posix_memalign(&p, 64, (n ? n : 1) * sizeof(float))) return NULL;
  return p;
}

int rx_rnn_workspace_create(rx_rnn_workspace **out, const rx_rnn_spec *spec, int B, int T,
                            rx_error *err) {
  *out = NULL;
  int rc = rx_rnn_spec_check(spec, err);
  if (rc) return rc;
  if (B <= 0) return rx_fail(err, RX_EINVAL, "rnn workspace: batch size must be > 0 (got %d)", B);
  if (T <= 0)
    return rx_fail(err, RX_EINVAL, "rnn workspace: sequence length must be > 0 (got %d)", T);
  rx_rnn_workspace *ws = calloc(1, sizeof *ws);
  if (!ws) return rx_fail(err, RX_ENOMEM, "rnn workspace: out of memory");
  ws->spec = *spec;
  ws->cap_B = B;
  ws->cap_T = T;
  const size_t N = (size_t)spec->n_rec, G = spec->kind == RX_MODEL_GRU ? 3 : 1;
  const size_t TB = (size_t)T * B;
  ws->h = alloc_floats((TB + B) * N);
  ws->xn = alloc_floats(TB * spec->n_in);
  ws->c = alloc_floats((size_t)B * spec->n_init);
  ws->pre = alloc_floats(TB * G * N);
  ws->gh = G == 3 ? alloc_floats(TB * N) : NULL;
  ws->dh = alloc_floats(TB * N);
  ws->carry = alloc_floats((size_t)B * N);
  ws->mech = alloc_floats((size_t)B * 2 * N);
  ws->carry_a = alloc_floats((size_t)B * N);
  ws->carry_v = alloc_floats((size_t)B * N);
  ws->bsum = alloc_floats(G * N);
  const size_t in = (size_t)spec->n_in > N ? (size_t)spec->n_in : N;
  ws->kpart = alloc_floats((size_t)(rx_sum_rows_groups((int)TB) - 1) * G * N * in);
  if (!ws->h || !ws->xn || !ws->c || !ws->pre || (G == 3 && !ws->gh) || !ws->dh || !ws->carry ||
      !ws->mech || !ws->carry_a || !ws->carry_v || !ws->bsum || !ws->kpart) {
    rx_rnn_workspace_free(ws);
    return rx_fail(err, RX_ENOMEM, "rnn workspace: out of memory for B = %d, T = %d", B, T);
  }
  *out = ws;
  return RX_OK;
}

void rx_rnn_workspace_free(rx_rnn_workspace *ws) {
  if (!ws) return;
  free(ws->h);
  free(ws->xn);
  free(ws->c);
  free(ws->pre);
  free(ws->gh);
  free(ws->dh);
  free(ws->carry);
  free(ws->mech);
  free(ws->carry_a);
  free(ws->carry_v);
  free(ws->bsum);
  free(ws->kpart);
  free(ws->tile_y);
  free(ws->tile_dw);
  free(ws->tile_db);
  free(ws->lr_f);
  free(ws->lr_hh);
  free(ws->lr_fh);
  free(ws->lr_g);
  free(ws->lr_c);
  free(ws);
}

const float *rx_rnn_workspace_hidden(const rx_rnn_workspace *ws) {
  return ws->h + (size_t)ws->B * ws->spec.n_rec;
}

const float *rx_rnn_workspace_state(const rx_rnn_workspace *ws) { return ws->mech; }

/* ---------------------------------------------------------------- dispatch */

static int same_shape(const rx_rnn_spec *a, const rx_rnn_spec *b) {
  return a->kind == b->kind && a->n_in == b->n_in && a->n_rec == b->n_rec && a->n_out == b->n_out &&
         a->n_init == b->n_init;
}

/* The network and workspace belong together; RX_OK or RX_EINVAL naming the mismatch. */
static int check_pair(const rx_rnn *rnn, const rx_rnn_workspace *ws, const char *what,
                      rx_error *err) {
  if (!rnn || !ws)
    return rx_fail(err, RX_EINVAL, "%s: no %s given", what, rnn ? "workspace" : "network");
  if (!same_shape(&rnn->spec, &ws->spec))
    return rx_fail(err, RX_EINVAL,
                   "%s: the workspace was made for a %s of %d inputs, %d units, %d outputs, %d "
                   "initial codes, the network is a %s of %d, %d, %d, %d",
                   what, rx_model_kind_name(ws->spec.kind), ws->spec.n_in, ws->spec.n_rec,
                   ws->spec.n_out, ws->spec.n_init, rx_model_kind_name(rnn->spec.kind),
                   rnn->spec.n_in, rnn->spec.n_rec, rnn->spec.n_out, rnn->spec.n_init);
  return RX_OK;
}

/* Checks a run against the network and workspace; RX_OK or RX_EINVAL naming the field. */
static int check_run(const rx_rnn *rnn, const rx_rnn_workspace *ws, const rx_rnn_run *run,
                     const char *what, rx_error *err) {
  int rc = check_pair(rnn, ws, what, err);
  if (rc) return rc;
  if (!run) return rx_fail(err, RX_EINVAL, "%s: no run given", what);
  if (run->B <= 0 || run->B > ws->cap_B)
    return rx_fail(err, RX_EINVAL, "%s: run.B = %d trajectories, the workspace holds 1 to %d", what,
                   run->B, ws->cap_B);
  if (run->T <= 0 || run->T > ws->cap_T)
    return rx_fail(err, RX_EINVAL, "%s: run.T = %d steps, the workspace holds 1 to %d", what,
                   run->T, ws->cap_T);
  if (!run->c && !run->h0)
    return rx_fail(err, RX_EINVAL, "%s: the run has neither initial codes (c) nor a state (h0)",
                   what);
  if (run->t0 < 0) return rx_fail(err, RX_EINVAL, "%s: run.t0 = %d must be >= 0", what, run->t0);
  const rx_noise *nz = run->noise;
  if (nz && (!(nz->sigma_in >= 0.0f) || !(nz->sigma_rec >= 0.0f) || !(nz->sigma_out >= 0.0f)))
    return rx_fail(err, RX_EINVAL, "%s: noise s.d. must be >= 0 (got in %g, rec %g, out %g)", what,
                   (double)nz->sigma_in, (double)nz->sigma_rec, (double)nz->sigma_out);
  return RX_OK;
}

/* The recurrence of either cell, after the shared start. */
static void cell_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run) {
  rxm_forward_begin(rnn, ws, run);
  if (rnn->spec.kind == RX_MODEL_GRU)
    rxm_gru_forward(rnn, ws, run);
  else
    rxm_vanilla_forward(rnn, ws, run);
}

/* Backpropagation through time from ws->dh (dL/dh_t through the readout), then the encoder. */
static void cell_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, float *grad) {
  if (rnn->spec.kind == RX_MODEL_GRU)
    rxm_gru_backward(rnn, ws, grad);
  else
    rxm_vanilla_backward(rnn, ws, grad);
  rxm_encoder_backward(rnn, ws, grad);
}

int rx_rnn_forward(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run, float *y,
                   rx_error *err) {
  int rc = check_run(rnn, ws, run, "rnn forward", err);
  if (rc) return rc;
  cell_forward(rnn, ws, run);
  if (y) {
    rxm_readout_forward(rnn, ws, run, y);
    ws->fwd_ok = 1;
  }
  return RX_OK;
}

int rx_rnn_backward(const rx_rnn *rnn, rx_rnn_workspace *ws, const float *dy, float *grad,
                    rx_error *err) {
  int rc = check_pair(rnn, ws, "rnn backward", err);
  if (rc) return rc;
  if (!dy || !grad)
    return rx_fail(err, RX_EINVAL, "rnn backward: no %s given", dy ? "gradient buffer" : "dy");
  if (!ws->fwd_ok)
    return rx_fail(err, RX_EINVAL,
                   "rnn backward: no forward pass with outputs on this workspace since the last "
                   "backward pass (rx_rnn_forward with y, not rx_rnn_forward_loss)");
  memset(grad, 0, rnn->n_weights * sizeof(float));
  rxm_readout_backward(rnn, ws, dy, grad);
  cell_backward(rnn, ws, grad);
  ws->fwd_ok = 0; /* backward consumed the stored activations */
  return RX_OK;
}

int rx_rnn_forward_loss(const rx_rnn *rnn, rx_rnn_workspace *ws, const rx_rnn_run *run,
                        const rx_row_loss *loss, float *grad, rx_error *err) {
  int rc = check_run(rnn, ws, run, "rnn forward_loss", err);
  if (rc) return rc;
  if (!loss || !loss->rows)
    return rx_fail(err, RX_EINVAL, "rnn forward_loss: the loss has no rows() function");
  if (loss->low_rank.n_feat < 0 ||
      (loss->low_rank.n_feat > 0 && (!loss->low_rank.z || !loss->low_rank.features)))
    return rx_fail(err, RX_EINVAL,
                   "rnn forward_loss: the loss's low-rank targets (n_feat = %d) need both z and "
                   "features()",
                   loss->low_rank.n_feat);
  cell_forward(rnn, ws, run);
  if (grad) memset(grad, 0, rnn->n_weights * sizeof(float));
  if ((rc = rxm_readout_loss(rnn, ws, run, loss, grad, err))) return rc;
  if (grad) cell_backward(rnn, ws, grad);
  return RX_OK;
}

const char *rx_activation_name(rx_activation act) {
  switch (act) {
  case RX_ACT_RELU:
    return "relu";
  case RX_ACT_TANH:
    return "tanh";
  case RX_ACT_SIGMOID:
    return "sigmoid";
  case RX_ACT_IDENTITY:
    return "identity";
  }
  return "unknown";
}

const char *rx_model_kind_name(rx_model_kind kind) {
  switch (kind) {
  case RX_MODEL_VANILLA:
    return "vanilla";
  case RX_MODEL_GRU:
    return "gru";
  }
  return "unknown";
}
