/* The `simulate` command's options made into a request (rx_simulate_options): the checks, the
 * defaults and the batch-major arrays it writes, in the library so that the CLI and the bindings
 * (capi.h) run one code path. Reading and writing files is the callers'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/config.h"
#include "reactivate/rng.h"
#include "reactivate/simulate.h"

rx_sim_options rx_sim_options_default(void) {
  rx_sim_options o;
  memset(&o, 0, sizeof o);
  o.keep_hidden = 1;
  o.rule_var = -1;
  o.noise_var = -1;
  return o;
}

int rx_sim_options_check(const rx_sim_options *o, rx_error *err) {
  if (o->batch < 0 || o->batch > 1 << 20)
    return rx_fail(err, RX_EINVAL, "--batch needs an integer in [1, %d] (got %d)", 1 << 20,
                   o->batch);
  if (o->steps < 0 || o->steps > 1 << 24)
    return rx_fail(err, RX_EINVAL, "--steps needs an integer in [1, %d] (got %d)", 1 << 24,
                   o->steps);
  if (o->noise_var >= 0 && !(o->noise_var < 1e300))
    return rx_fail(err, RX_EINVAL, "--noise-var needs a finite number (got %g)", o->noise_var);
  if (o->rule_var >= 0 && !(o->rule_var < 1e300))
    return rx_fail(err, RX_EINVAL, "--rule-var needs a finite number (got %g)", o->rule_var);
  if (o->rule_given && (o->rule < RX_QUIESCENT_SCALED || o->rule > RX_QUIESCENT_ABSOLUTE))
    return rx_fail(err, RX_EINVAL, "--rule must be scaled, same or absolute (got %d)",
                   (int)o->rule);
  if (o->rule_given && o->rule == RX_QUIESCENT_ABSOLUTE && o->rule_var < 0)
    return rx_fail(err, RX_EINVAL, "--rule absolute needs --rule-var V");
  if (o->rule_given && !o->quiescent)
    return rx_fail(err, RX_EINVAL, "--rule applies to --quiescent runs only");
  if (o->quiescent && o->inputs)
    return rx_fail(err, RX_EINVAL, "--quiescent and --inputs contradict each other");
  if (o->n_settings > RX_SIM_MAX_SETTINGS)
    return rx_fail(err, RX_EINVAL, "simulate: too many key=value settings (at most %d)",
                   RX_SIM_MAX_SETTINGS);
  if (o->n_settings && !o->quiescent)
    return rx_fail(err, RX_EINVAL,
                   "simulate: %s: mechanism settings (" RX_MECHANISM_KEYS_TEXT
                   ") apply to --quiescent runs only",
                   o->settings[0]);
  return RX_OK;
}

static void format_shape(char *buf, size_t n, const int64_t *shape, int ndim) {
  size_t len = 0;
  buf[0] = '\0';
  for (int d = 0; d < ndim && len < n; d++) {
    int w = shape[d] < 0
                ? snprintf(buf + len, n - len, "%sany", d ? ", " : "")
                : snprintf(buf + len, n - len, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (w < 0) break;
    len += (size_t)w;
  }
}

/* a: float32, of ndim dimensions and the given shape (entries < 0: any), every value finite. */
static int check_array(const rx_array *a, const char *what, int ndim, const int64_t *shape,
                       rx_error *err) {
  if (a->dtype != RX_F32)
    return rx_fail(err, RX_EINVAL, "%s: dtype %s (%s), expected float32 (<f4)", what,
                   rx_dtype_name(a->dtype), rx_dtype_descr(a->dtype));
  int ok = a->ndim == ndim;
  for (int d = 0; ok && d < ndim; d++)
    ok = shape[d] < 0 || a->shape[d] == shape[d];
  for (int d = 0; ok && d < ndim; d++)
    ok = a->shape[d] > 0 && a->shape[d] <= (d == 1 ? 1 << 24 : 1 << 20);
  if (!ok) {
    char want[128], got[128];
    format_shape(want, sizeof want, shape, ndim);
    format_shape(got, sizeof got, a->shape, a->ndim);
    return rx_fail(err, RX_EINVAL, "%s: expected shape (%s), got (%s)", what, want, got);
  }
  return rx_array_check_finite(a, what, err);
}

/* (T, B, k) time-major -> (B, T, k) batch-major. */
static float *to_batch_major(const float *src, int T, int B, int k) {
  float *dst = malloc((size_t)T * B * k * sizeof(float) + 1);
  if (!dst) return NULL;
  for (int t = 0; t < T; t++)
    for (int b = 0; b < B; b++)
      memcpy(dst + ((size_t)b * T + t) * k, src + ((size_t)t * B + b) * k,
             (size_t)k * sizeof(float));
  return dst;
}

/* (B, T, k) -> (T, B, k). */
static float *to_time_major(const float *src, int B, int T, int k) {
  float *dst = malloc((size_t)T * B * k * sizeof(float) + 1);
  if (!dst) return NULL;
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      memcpy(dst + ((size_t)t * B + b) * k, src + ((size_t)b * T + t) * k,
             (size_t)k * sizeof(float));
  return dst;
}

/* Appends an owned float32 array named name of shape (ndim, shape) holding data (taken over;
 * NULL: out of memory). */
static int add_array(rx_sim_output *out, const char *name, float *data, int ndim,
                     const int64_t *shape, rx_error *err) {
  if (!data) return rx_fail(err, RX_ENOMEM, "simulate: out of memory for %s", name);
  rx_array *a = &out->arrays[out->n++];
  memset(a, 0, sizeof *a);
  snprintf(a->name, sizeof a->name, "%s", name);
  a->dtype = RX_F32;
  a->ndim = ndim;
  a->size = 1;
  for (int d = 0; d < ndim; d++) {
    a->shape[d] = shape[d];
    a->size *= (size_t)shape[d];
  }
  a->data = data;
  return RX_OK;
}

static float *copy_floats(const float *src, size_t n) {
  float *dst = malloc(n * sizeof(float) + 1);
  if (dst) memcpy(dst, src, n * sizeof(float));
  return dst;
}

int rx_simulate_options(const rx_checkpoint *ck, const rx_sim_options *o, rx_sim_output *out,
                        rx_error *err) {
  memset(out, 0, sizeof *out);
  int rc = rx_sim_options_check(o, err);
  if (rc) return rc;
  const rx_rnn_spec *spec = &ck->rnn->spec;
  int B = o->batch > 0 ? o->batch : ck->cfg.task.batch_size;
  int T = o->steps > 0 ? o->steps : ck->cfg.task.sequence_length;
  float *x_tm = NULL;
  if (o->inputs) {
    const int64_t shape[3] = {o->batch > 0 ? o->batch : -1, o->steps > 0 ? o->steps : -1,
                              spec->n_in};
    rc = check_array(o->inputs, o->inputs_what ? o->inputs_what : "inputs", 3, shape, err);
    if (rc) return rc;
    B = (int)o->inputs->shape[0];
    T = (int)o->inputs->shape[1];
    if (!(x_tm = to_time_major(o->inputs->data, B, T, spec->n_in)))
      return rx_fail(err, RX_ENOMEM, "simulate: out of memory for the inputs");
  }
  if (o->init) {
    const int64_t shape[2] = {o->inputs || o->batch > 0 ? B : -1, spec->n_init};
    rc = check_array(o->init, o->init_what ? o->init_what : "init", 2, shape, err);
    if (rc) goto done;
    B = (int)o->init->shape[0];
  }
  rx_mechanism mech;
  if (o->n_settings) {
    rc = rx_config_mechanism_overrides(&ck->cfg, o->settings_origin ? o->settings_origin : "config",
                                       o->n_settings, o->settings, &mech, err);
    if (rc) goto done;
  }
  rx_sim_request req = rx_sim_request_default(B, T, o->seed);
  req.quiescent_mechanism = o->n_settings ? &mech : NULL;
  req.inputs = x_tm;
  req.init = o->init ? o->init->data : NULL;
  req.quiescent = o->quiescent;
  req.rule = o->rule_given ? o->rule : rx_quiescent_default_rule(spec->kind);
  req.rule_variance = o->rule_var;
  req.noise_var = o->noise_var;
  req.keep_hidden = o->keep_hidden;
  req.keep_outputs = 1;
  if (o->test_batch) {
    req.batch_seed = (uint32_t)ck->cfg.seed;
    req.batch_stream = RX_STREAM_TEST_TASK;
  }
  rx_sim_result res;
  rc = rx_simulate(ck, &req, &res, err);
  if (rc) goto done;

  out->B = B;
  out->T = T;
  out->rule = req.rule;
  out->sigma_rec = res.sigma_rec;
  out->mechanism = res.mechanism;
  const int64_t sh_h[3] = {B, T, spec->n_rec}, sh_y[3] = {B, T, spec->n_out},
                sh_d[3] = {B, T, res.dim}, sh_c[2] = {B, spec->n_init}, sh_p[2] = {B, res.dim};
  if (res.hidden)
    rc = add_array(out, "hidden", to_batch_major(res.hidden, T, B, spec->n_rec), 3, sh_h, err);
  if (!rc)
    rc = add_array(out, "outputs", to_batch_major(res.outputs, T, B, spec->n_out), 3, sh_y, err);
  if (!rc) rc = add_array(out, "decoded", to_batch_major(res.decoded, T, B, res.dim), 3, sh_d, err);
  if (res.has_batch) {
    const int64_t sh_x[3] = {B, T, res.batch.dim};
    if (!rc && !o->quiescent && !o->inputs)
      rc = add_array(out, "inputs", to_batch_major(res.batch.inputs, T, B, res.batch.dim), 3, sh_x,
                     err);
    if (!rc)
      rc = add_array(out, "positions", to_batch_major(res.batch.targets, T, B, res.batch.dim), 3,
                     sh_d, err);
    if (!rc)
      rc = add_array(out, "init_positions", copy_floats(res.batch.init, (size_t)B * res.dim), 2,
                     sh_p, err);
  }
  if (!rc)
    rc =
        add_array(out, "init", copy_floats(res.init_codes, (size_t)B * spec->n_init), 2, sh_c, err);
  rx_sim_result_free(&res);
  if (rc) rx_sim_output_free(out);
done:
  free(x_tm);
  return rc;
}

void rx_sim_output_free(rx_sim_output *out) {
  if (!out) return;
  for (int i = 0; i < out->n; i++)
    free(out->arrays[i].data);
  memset(out, 0, sizeof *out);
}
