/* rx_simulate: a trained network run in chunks of time on given or generated inputs, or
 * quiescent; decodes its outputs through the model's population code. */
#include "reactivate/simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/config.h"
#include "reactivate/linalg.h"
#include "reactivate/rng.h"

enum { SIM_CHUNK = 100 }; /* time steps per forward call: bounds the workspace */

rx_quiescent_rule rx_quiescent_default_rule(rx_model_kind kind) {
  return kind == RX_MODEL_GRU ? RX_QUIESCENT_SAME : RX_QUIESCENT_SCALED;
}

float rx_quiescent_sigma(const rx_rnn_spec *spec, rx_quiescent_rule rule, double variance) {
  switch (rule) {
  case RX_QUIESCENT_SCALED:
    return (float)(sqrt(2.0) * spec->sigma_rec);
  case RX_QUIESCENT_SAME:
    return spec->sigma_rec;
  case RX_QUIESCENT_ABSOLUTE:
    return (float)sqrt(2.0 * (variance > 0 ? variance : 0));
  }
  return spec->sigma_rec;
}

const char *rx_quiescent_rule_name(rx_quiescent_rule rule) {
  static const char *names[] = {"scaled", "same", "absolute"};
  return (unsigned)rule < 3 ? names[rule] : "?";
}

rx_sim_request rx_sim_request_default(int B, int T, uint32_t seed) {
  rx_sim_request r = {.B = B,
                      .T = T,
                      .noise_var = -1,
                      .seed = seed,
                      .batch_seed = seed,
                      .batch_stream = RX_STREAM_SIMULATE_TASK};
  return r;
}

void rx_sim_result_free(rx_sim_result *res) {
  if (!res) return;
  free(res->hidden);
  free(res->outputs);
  free(res->decoded);
  free(res->init_codes);
  if (res->has_batch) rx_batch_free(&res->batch);
  memset(res, 0, sizeof *res);
}

/* Refuses a non-finite value in an array of shape (d[0], d[1], d[2]) (d[2] = 1 for 2-d), naming
 * it and the value's index. */
static int check_finite(const float *a, const int d[3], const char *what, rx_error *err) {
  if (!a) return RX_OK;
  const size_t n = (size_t)d[0] * d[1] * d[2];
  for (size_t i = 0; i < n; i++) {
    if (isfinite(a[i])) continue;
    const char *v = isnan(a[i]) ? "NaN" : a[i] > 0 ? "+Inf" : "-Inf";
    const size_t k = i % (size_t)d[2], j = i / (size_t)d[2] % (size_t)d[1];
    const size_t r = i / (size_t)d[2] / (size_t)d[1];
    if (d[2] == 1)
      return rx_fail(err, RX_ENUMERIC, "%s hold %s at [%zu, %zu]; they must be finite", what, v, r,
                     j);
    return rx_fail(err, RX_ENUMERIC, "%s hold %s at [%zu, %zu, %zu]; they must be finite", what, v,
                   r, j, k);
  }
  return RX_OK;
}

static int check_request(const rx_checkpoint *ck, const rx_sim_request *req, rx_error *err) {
  if (req->B <= 0) return rx_fail(err, RX_EINVAL, "batch size must be > 0 (got %d)", req->B);
  if (req->T <= 0) return rx_fail(err, RX_EINVAL, "number of steps must be > 0 (got %d)", req->T);
  if (req->decode_every < 0 || (req->decode_every > 1 && req->T % req->decode_every))
    return rx_fail(err, RX_EINVAL,
                   "decoding every %d steps needs a number of steps that is a multiple of it "
                   "(got %d)",
                   req->decode_every, req->T);
  if (req->hidden_only && (!req->keep_hidden || req->keep_outputs || req->decode_every))
    return rx_fail(err, RX_EINVAL,
                   "a run of hidden states alone keeps them (keep_hidden), and no outputs or "
                   "decoded positions (keep_outputs 0, decode_every 0)");
  if (req->quiescent && req->inputs)
    return rx_fail(err, RX_EINVAL,
                   "a quiescent run takes no inputs (drop --inputs or --quiescent)");
  if (req->rule == RX_QUIESCENT_ABSOLUTE && !(req->rule_variance >= 0))
    return rx_fail(err, RX_EINVAL, "absolute quiescent noise needs a variance >= 0");
  if (!isfinite(req->noise_var))
    return rx_fail(err, RX_EINVAL, "noise variance must be a finite number");
  const rx_rnn_spec *spec = &ck->rnn->spec;
  int rc = RX_OK;
  if (req->quiescent_mechanism) {
    if (!req->quiescent)
      return rx_fail(err, RX_EINVAL,
                     "mechanism overrides (" RX_MECHANISM_KEYS_TEXT ") apply to quiescent runs "
                     "only");
    rx_rnn_spec with = *spec;
    with.mech = *req->quiescent_mechanism;
    if ((rc = rx_rnn_spec_check(&with, err))) return rc;
  }
  const int in_shape[3] = {req->T, req->B, spec->n_in}, init_shape[3] = {req->B, spec->n_init, 1};
  if (!req->quiescent) rc = check_finite(req->inputs, in_shape, "inputs (T, B, n_in)", err);
  if (!rc) rc = check_finite(req->init, init_shape, "initial codes (B, n_init)", err);
  return rc;
}

static int alloc_floats(float **p, size_t n, rx_error *err) {
  *p = malloc((n ? n : 1) * sizeof(float));
  if (!*p) return rx_fail(err, RX_ENOMEM, "out of memory for %zu values of simulation output", n);
  return RX_OK;
}

int rx_simulate(const rx_checkpoint *ck, const rx_sim_request *req, rx_sim_result *out,
                rx_error *err) {
  memset(out, 0, sizeof *out);
  int rc = check_request(ck, req, err);
  if (rc) return rc;
  rx_flush_denormals(); /* the step loop's floating-point mode (linalg.h) */
  /* the trained network, or a view of its weights with other mechanisms (offline only) */
  rx_rnn net = *ck->rnn;
  if (req->quiescent_mechanism) net.spec.mech = *req->quiescent_mechanism;
  const rx_rnn *rnn = &net;
  const rx_rnn_spec *spec = &rnn->spec;
  out->mechanism = spec->mech;
  const int B = req->B, T = req->T, dim = rx_task_dim(ck->cfg.task_kind);
  const int every = req->decode_every > 1 ? req->decode_every : 1;
  const int per_step = req->decode_every >= 1; /* each step's readout on its own */
  out->B = B;
  out->T = T;
  out->dim = dim;
  out->decode_every = every;
  out->T_decoded = req->hidden_only ? 0 : T / every;

  /* Noise actually used. */
  out->sigma_in = spec->sigma_in;
  out->sigma_out = spec->sigma_out;
  out->sigma_rec =
      req->quiescent ? rx_quiescent_sigma(spec, req->rule, req->rule_variance) : spec->sigma_rec;
  if (req->noise_var >= 0) {
    out->sigma_rec = (float)sqrt(req->noise_var);
    if (req->noise_var == 0) out->sigma_in = out->sigma_out = 0;
  }

  /* Inputs and initial codes: given, or from a generated batch. */
  const float *inputs = req->quiescent ? NULL : req->inputs;
  const float *init = req->init;
  if ((!req->quiescent && !req->inputs) || !req->init) {
    rx_task_spec ts;
    rx_config_task_spec(&ck->cfg, &ts);
    ts.batch_size = B;
    ts.seq_len = T;
    if ((rc = rx_batch_alloc(&out->batch, &ts, err))) goto fail;
    out->has_batch = 1;
    if ((rc = rx_task_generate(&ts, req->batch_seed, req->batch_stream, req->batch_index,
                               &out->batch, err)))
      goto fail;
    if (!req->quiescent && !inputs) inputs = out->batch.inputs;
  }
  if ((rc = alloc_floats(&out->init_codes, (size_t)B * spec->n_init, err))) goto fail;
  if (init)
    memcpy(out->init_codes, init, (size_t)B * spec->n_init * sizeof(float));
  else
    rx_population_encode(ck->pop, out->batch.init, (size_t)B, out->init_codes);

  const size_t rows = (size_t)B * T, rows_decoded = (size_t)B * out->T_decoded;
  if (!req->hidden_only && (rc = alloc_floats(&out->decoded, rows_decoded * dim, err))) goto fail;
  if (req->keep_hidden && (rc = alloc_floats(&out->hidden, rows * spec->n_rec, err))) goto fail;
  if (req->keep_outputs && (rc = alloc_floats(&out->outputs, rows_decoded * spec->n_out, err)))
    goto fail;

  const int chunk = T < SIM_CHUNK ? T : SIM_CHUNK;
  rx_rnn_workspace *ws = NULL;
  float *y = NULL, *h = NULL, *state = NULL;
  if ((rc = rx_rnn_workspace_create(&ws, spec, B, chunk, err))) goto fail;
  if ((rc = alloc_floats(&y, (size_t)chunk * B * spec->n_out, err)) ||
      (rc = alloc_floats(&h, (size_t)B * spec->n_rec, err)) ||
      (rc = alloc_floats(&state, (size_t)B * 2 * spec->n_rec, err))) {
    rx_rnn_workspace_free(ws);
    free(y);
    free(h);
    goto fail;
  }
  rx_noise noise = {.seed = req->seed,
                    .stream = RX_STREAM_SIMULATE_NOISE,
                    .index = req->noise_index,
                    .sigma_in = out->sigma_in,
                    .sigma_rec = out->sigma_rec,
                    .sigma_out = out->sigma_out,
                    .kind = spec->noise};
  for (int t0 = 0; t0 < T && !rc; t0 += chunk) {
    const int tc = T - t0 < chunk ? T - t0 : chunk;
    const size_t off = (size_t)t0 * B;
    rx_rnn_run run = {.B = B,
                      .T = tc,
                      .x = inputs ? inputs + off * spec->n_in : NULL,
                      .c = out->init_codes,
                      .h0 = t0 > 0 ? h : req->h0,
                      .noise = &noise,
                      .t0 = t0,
                      .state0 = t0 > 0 ? state : NULL}; /* a_0 = v_0 = 0 */
    rc = rx_rnn_forward(rnn, ws, &run, per_step || req->hidden_only ? NULL : y, err);
    if (rc) break;
    const float *hid = rx_rnn_workspace_hidden(ws);
    const size_t n_h = (size_t)B * spec->n_rec;
    /* continue from h_T and the mechanisms' state (a_T, v_T) */
    memcpy(h, hid + (size_t)(tc - 1) * n_h, n_h * sizeof(float));
    memcpy(state, rx_rnn_workspace_state(ws), 2 * n_h * sizeof(float));
    if (out->hidden) memcpy(out->hidden + off * spec->n_rec, hid, (size_t)tc * n_h * sizeof(float));
    if (req->hidden_only) continue;
    if (!per_step) {
      rx_population_decode(ck->pop, y, (size_t)tc * B, out->decoded + off * dim);
      if (out->outputs)
        memcpy(out->outputs + off * spec->n_out, y, (size_t)tc * B * spec->n_out * sizeof(float));
      continue;
    }
    /* only the steps t = 0 mod k: their readout alone, then their decoding */
    for (int tl = (every - t0 % every) % every; tl < tc && !rc; tl += every) {
      const size_t at = (size_t)((t0 + tl) / every) * B;
      rc = rx_rnn_readout_step(rnn, ws, &run, tl, y, err);
      if (rc) break;
      rx_population_decode(ck->pop, y, (size_t)B, out->decoded + at * dim);
      if (out->outputs)
        memcpy(out->outputs + at * spec->n_out, y, (size_t)B * spec->n_out * sizeof(float));
    }
  }
  rx_rnn_workspace_free(ws);
  free(y);
  free(h);
  free(state);
  if (rc) goto fail;
  return RX_OK;
fail:
  rx_sim_result_free(out);
  return rc;
}
