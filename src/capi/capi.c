/* The flat C API for bindings (capi.h): handles, plain arrays and message buffers over the
 * library's own calls, the same ones the CLI makes. It adds no computation of its own; what it
 * adds is the hygiene of a guest in another program: the floating-point mode of the calling
 * thread is given back as it was found, and messages go into the caller's buffer. */
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "reactivate/analyze.h"
#include "reactivate/capi.h"
#include "reactivate/checkpoint.h"
#include "reactivate/config.h"
#include "reactivate/linalg.h"
#include "reactivate/npz.h"
#include "reactivate/results.h"
#include "reactivate/simulate.h"
#include "reactivate/train.h"

struct rx_capi_network {
  rx_checkpoint ck;
  char *config_json;
  char origin[4200]; /* "<checkpoint>[config]": names its config in messages, as the CLI does */
};

struct rx_capi_arrays {
  rx_sim_output out;
};

/* Copies err's message into the caller's buffer; returns code. */
static int give(int code, const rx_error *err, char *msg, size_t msg_size) {
  if (code && msg && msg_size) snprintf(msg, msg_size, "%s", err->msg[0] ? err->msg : "error");
  return code;
}

/* The calling thread's floating-point mode (MXCSR) around a call that sets flush-to-zero for its
 * step loops (rx_flush_denormals): the host's own arithmetic keeps its denormals. */
typedef struct fp_mode {
  unsigned csr;
} fp_mode;
static fp_mode fp_save(void) {
  fp_mode m = {0};
#if defined(__SSE__)
  m.csr = _mm_getcsr();
#endif
  return m;
}
static void fp_restore(fp_mode m) {
#if defined(__SSE__)
  _mm_setcsr(m.csr);
#else
  (void)m;
#endif
}

const char *rx_capi_version(void) { return RX_VERSION; }

void rx_capi_set_threads(int n) { rx_set_threads(n); }

/* ---- the config as JSON ---- */

/* A plain YAML scalar as YAML 1.1 types it (the subset rx_config_to_yaml writes): null, bool,
 * integer, finite float; else a string. */
static cJSON *scalar_json(const yaml_node_t *n) {
  const char *s = (const char *)n->data.scalar.value;
  if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return cJSON_CreateString(s);
  if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
    return cJSON_CreateNull();
  if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) return cJSON_CreateTrue();
  if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) return cJSON_CreateFalse();
  char *end = NULL;
  double v = strtod(s, &end);
  if (end && !*end && v == v && v - v == 0 && !strchr(s, 'x') && !strchr(s, 'X'))
    return cJSON_CreateNumber(v);
  return cJSON_CreateString(s);
}

static cJSON *node_json(yaml_document_t *doc, yaml_node_t *n, int depth) {
  if (!n || depth > 64) return NULL;
  if (n->type == YAML_SCALAR_NODE) return scalar_json(n);
  if (n->type == YAML_SEQUENCE_NODE) {
    cJSON *a = cJSON_CreateArray();
    for (yaml_node_item_t *it = n->data.sequence.items.start; a && it < n->data.sequence.items.top;
         it++) {
      cJSON *v = node_json(doc, yaml_document_get_node(doc, *it), depth + 1);
      if (!v) {
        cJSON_Delete(a);
        return NULL;
      }
      cJSON_AddItemToArray(a, v);
    }
    return a;
  }
  if (n->type == YAML_MAPPING_NODE) {
    cJSON *o = cJSON_CreateObject();
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; o && p < n->data.mapping.pairs.top;
         p++) {
      yaml_node_t *k = yaml_document_get_node(doc, p->key);
      cJSON *v = node_json(doc, yaml_document_get_node(doc, p->value), depth + 1);
      if (!k || k->type != YAML_SCALAR_NODE || !v) {
        cJSON_Delete(v);
        cJSON_Delete(o);
        return NULL;
      }
      cJSON_AddItemToObject(o, (const char *)k->data.scalar.value, v);
    }
    return o;
  }
  return NULL;
}

/* The YAML text of a resolved config as JSON text (malloc'd), or NULL. */
static char *yaml_to_json(const char *yaml) {
  yaml_parser_t parser;
  yaml_document_t doc;
  char *json = NULL;
  if (!yaml_parser_initialize(&parser)) return NULL;
  yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
  if (yaml_parser_load(&parser, &doc)) {
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    cJSON *j = root ? node_json(&doc, root, 0) : cJSON_CreateObject();
    if (j) json = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  return json;
}

/* ---- networks ---- */

int rx_capi_network_load(const char *path, rx_capi_network **out, char *msg, size_t msg_size) {
  rx_error err = {{0}};
  if (!out)
    return give(rx_fail(&err, RX_EINVAL, "network_load: no output handle"), &err, msg, msg_size);
  *out = NULL;
  if (!path)
    return give(rx_fail(&err, RX_EINVAL, "network_load: no checkpoint path"), &err, msg, msg_size);
  rx_capi_network *net = calloc(1, sizeof *net);
  if (!net) return give(rx_fail(&err, RX_ENOMEM, "out of memory"), &err, msg, msg_size);
  int rc = rx_checkpoint_load(path, &net->ck, &err);
  if (rc) {
    free(net);
    return give(rc, &err, msg, msg_size);
  }
  snprintf(net->origin, sizeof net->origin, "%s[config]", path);
  char *yaml = NULL;
  rc = rx_config_to_yaml(&net->ck.cfg, &yaml, &err);
  if (!rc && !(net->config_json = yaml_to_json(yaml)))
    rc = rx_fail(&err, RX_EFORMAT, "%s: its config could not be given as JSON", path);
  free(yaml);
  if (rc) {
    rx_capi_network_free(net);
    return give(rc, &err, msg, msg_size);
  }
  *out = net;
  return RX_OK;
}

void rx_capi_network_free(rx_capi_network *net) {
  if (!net) return;
  rx_checkpoint_free(&net->ck);
  free(net->config_json);
  free(net);
}

const char *rx_capi_network_config_json(const rx_capi_network *net) {
  return net ? net->config_json : NULL;
}

int64_t rx_capi_network_step(const rx_capi_network *net) { return net ? net->ck.step : -1; }

int rx_capi_network_n_params(const rx_capi_network *net) { return net ? net->ck.rnn->n_params : 0; }

int rx_capi_network_param(const rx_capi_network *net, int i, const char **name, int *ndim,
                          int64_t shape[2], const float **data, char *msg, size_t msg_size) {
  rx_error err = {{0}};
  if (!net || i < 0 || i >= net->ck.rnn->n_params)
    return give(rx_fail(&err, RX_EINVAL, "network_param: no parameter %d (the network has %d)", i,
                        net ? net->ck.rnn->n_params : 0),
                &err, msg, msg_size);
  const rx_param *p = &net->ck.rnn->params[i];
  *name = p->name;
  *ndim = p->ndim;
  shape[0] = p->shape[0];
  shape[1] = p->ndim > 1 ? p->shape[1] : 0;
  *data = net->ck.rnn->w + p->offset;
  return RX_OK;
}

/* ---- arrays ---- */

int rx_capi_arrays_count(const rx_capi_arrays *a) { return a ? a->out.n : 0; }

int rx_capi_arrays_get(const rx_capi_arrays *a, int i, const char **name, int *ndim,
                       int64_t shape[8], const float **data, char *msg, size_t msg_size) {
  rx_error err = {{0}};
  if (!a || i < 0 || i >= a->out.n)
    return give(
        rx_fail(&err, RX_EINVAL, "arrays_get: no array %d (there are %d)", i, a ? a->out.n : 0),
        &err, msg, msg_size);
  const rx_array *x = &a->out.arrays[i];
  *name = x->name;
  *ndim = x->ndim;
  for (int d = 0; d < 8; d++)
    shape[d] = d < x->ndim ? x->shape[d] : 0;
  *data = x->data;
  return RX_OK;
}

void rx_capi_arrays_free(rx_capi_arrays *a) {
  if (!a) return;
  rx_sim_output_free(&a->out);
  free(a);
}

/* ---- simulate ---- */

/* A float32 copy (rx_array_to_f32's rounding for float64) of a caller's array named what. */
static int take_array(const void *data, int dtype, int ndim, const int64_t *shape, const char *what,
                      rx_array *out, rx_error *err) {
  memset(out, 0, sizeof *out);
  if (dtype != RX_CAPI_F32 && dtype != RX_CAPI_F64)
    return rx_fail(err, RX_EINVAL, "%s: dtype code %d, expected float32 or float64", what, dtype);
  if (ndim < 0 || ndim > RX_MAX_DIMS || (ndim && !shape))
    return rx_fail(err, RX_EINVAL, "%s: %d dimensions", what, ndim);
  size_t n = 1;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] < 0 || shape[d] > (1LL << 40))
      return rx_fail(err, RX_EINVAL, "%s: size %lld of dimension %d", what, (long long)shape[d], d);
    n *= (size_t)shape[d];
  }
  if (n > ((size_t)1 << 40)) return rx_fail(err, RX_EINVAL, "%s: %zu values are too many", what, n);
  snprintf(out->name, sizeof out->name, "%s", what);
  out->dtype = dtype == RX_CAPI_F32 ? RX_F32 : RX_F64;
  out->ndim = ndim;
  for (int d = 0; d < ndim; d++)
    out->shape[d] = shape[d];
  out->size = n;
  const size_t bytes = n * rx_dtype_size(out->dtype);
  if (!(out->data = malloc(bytes + 1))) return rx_fail(err, RX_ENOMEM, "%s: out of memory", what);
  if (bytes) memcpy(out->data, data, bytes);
  int rc = rx_array_to_f32(out, what, err);
  if (rc) rx_array_free(out);
  return rc;
}

int rx_capi_simulate(const rx_capi_network *net, int batch, int steps, int64_t seed, int quiescent,
                     int test_batch, int keep_hidden, int rule, double rule_var, double noise_var,
                     int n_settings, const char *const *settings, const void *inputs,
                     int inputs_dtype, int inputs_ndim, const int64_t *inputs_shape,
                     const void *init, int init_dtype, int init_ndim, const int64_t *init_shape,
                     rx_capi_arrays **out, char *msg, size_t msg_size) {
  rx_error err = {{0}};
  if (!out)
    return give(rx_fail(&err, RX_EINVAL, "simulate: no output handle"), &err, msg, msg_size);
  *out = NULL;
  if (!net) return give(rx_fail(&err, RX_EINVAL, "simulate: no network"), &err, msg, msg_size);
  if (seed < 0 || seed > 4294967295LL)
    return give(rx_fail(&err, RX_EINVAL, "simulate: seed must be in [0, 4294967295] (got %lld)",
                        (long long)seed),
                &err, msg, msg_size);
  if (rule < -1 || rule > 2)
    return give(rx_fail(&err, RX_EINVAL, "simulate: rule must be scaled, same or absolute"), &err,
                msg, msg_size);
  if (n_settings < 0 || (n_settings && !settings))
    return give(rx_fail(&err, RX_EINVAL, "simulate: %d settings", n_settings), &err, msg, msg_size);
  rx_array x = {0}, c = {0};
  int rc = RX_OK;
  if (inputs) rc = take_array(inputs, inputs_dtype, inputs_ndim, inputs_shape, "inputs", &x, &err);
  if (!rc && init) rc = take_array(init, init_dtype, init_ndim, init_shape, "init", &c, &err);
  rx_capi_arrays *res = NULL;
  if (!rc && !(res = calloc(1, sizeof *res))) rc = rx_fail(&err, RX_ENOMEM, "out of memory");
  if (!rc) {
    rx_sim_options opt = rx_sim_options_default();
    opt.batch = batch;
    opt.steps = steps;
    opt.seed = (uint32_t)seed;
    opt.inputs = inputs ? &x : NULL;
    opt.init = init ? &c : NULL;
    opt.quiescent = quiescent;
    opt.test_batch = test_batch;
    opt.keep_hidden = keep_hidden;
    opt.rule_given = rule >= 0;
    opt.rule = rule >= 0 ? (rx_quiescent_rule)rule : RX_QUIESCENT_SCALED;
    opt.rule_var = rule_var;
    opt.noise_var = noise_var;
    opt.n_settings = n_settings;
    opt.settings = settings;
    opt.settings_origin = net->origin;
    const fp_mode mode = fp_save();
    rc = rx_simulate_options(&net->ck, &opt, &res->out, &err);
    fp_restore(mode);
  }
  rx_array_free(&x);
  rx_array_free(&c);
  if (rc) {
    free(res);
    return give(rc, &err, msg, msg_size);
  }
  *out = res;
  return RX_OK;
}

/* ---- train ---- */

typedef struct progress_relay {
  rx_capi_progress_fn fn;
  void *ctx;
  volatile sig_atomic_t stop;
} progress_relay;

static void relay_progress(void *ctx, const rx_train_progress *p) {
  progress_relay *r = ctx;
  if (r->fn(r->ctx, p->step, p->n_steps, p->loss, p->error, p->tested, p->test_loss, p->test_error,
            p->note))
    r->stop = 1;
}

static int resolve(const char *experiment, int n, const char *const *overrides,
                   rx_train_config *cfg, char *run_dir, size_t run_dir_size, rx_error *err) {
  if (!experiment) return rx_fail(err, RX_EINVAL, "train: no experiment given");
  if (n < 0 || (n && !overrides)) return rx_fail(err, RX_EINVAL, "train: %d overrides", n);
  int rc = rx_config_load(cfg, experiment, n, overrides, err);
  if (rc) return rc;
  if (run_dir && run_dir_size && rx_config_run_dir(cfg, run_dir, run_dir_size))
    return rx_fail(err, RX_EINVAL, "train: the run directory does not fit %zu bytes", run_dir_size);
  return RX_OK;
}

int rx_capi_run_dir(const char *experiment, int n_overrides, const char *const *overrides,
                    char *run_dir, size_t run_dir_size, char *msg, size_t msg_size) {
  rx_error err = {{0}};
  rx_train_config cfg;
  return give(resolve(experiment, n_overrides, overrides, &cfg, run_dir, run_dir_size, &err), &err,
              msg, msg_size);
}

int rx_capi_train(const char *experiment, int n_overrides, const char *const *overrides, int resume,
                  int overwrite, rx_capi_progress_fn progress, void *ctx, int *interrupted,
                  char *run_dir, size_t run_dir_size, char *msg, size_t msg_size) {
  rx_error err = {{0}};
  rx_train_config cfg;
  if (interrupted) *interrupted = 0;
  if (run_dir && run_dir_size) run_dir[0] = '\0';
  int rc = resolve(experiment, n_overrides, overrides, &cfg, run_dir, run_dir_size, &err);
  if (rc) return give(rc, &err, msg, msg_size);
  if (resume && overwrite)
    return give(rx_fail(&err, RX_EINVAL, "train: resume and overwrite contradict each other"), &err,
                msg, msg_size);
  progress_relay relay = {.fn = progress, .ctx = ctx, .stop = 0};
  rx_train_options opt = {.resume = resume,
                          .overwrite = overwrite,
                          .progress = progress ? relay_progress : NULL,
                          .progress_ctx = &relay,
                          .stop = &relay.stop};
  rx_train_result res;
  const fp_mode mode = fp_save();
  rc = rx_train(&cfg, &opt, &res, &err);
  fp_restore(mode);
  if (!rc && interrupted) *interrupted = res.interrupted;
  return give(rc, &err, msg, msg_size);
}

/* ---- analyze ---- */

int rx_capi_analyze(const char *kind, int n_settings, const char *const *settings,
                    rx_capi_log_fn log, void *ctx, char *json_path, size_t json_path_size,
                    char *msg, size_t msg_size) {
  rx_error err = {{0}};
  const int a = kind ? rx_results_analysis_find(kind) : -1;
  if (a < 0)
    return give(rx_fail(&err, RX_EINVAL,
                        "analyze: unknown analysis '%s' (kl, variance, distance, pca, heading, "
                        "mixing, score, temperature, diffusion, replay)",
                        kind ? kind : ""),
                &err, msg, msg_size);
  if (n_settings < 0 || (n_settings && !settings))
    return give(rx_fail(&err, RX_EINVAL, "analyze: %d settings", n_settings), &err, msg, msg_size);
  rx_analysis_config cfg;
  int rc = rx_analysis_config_load(&cfg, n_settings, settings, &err);
  if (rc) return give(rc, &err, msg, msg_size);
  if (!rx_results_analysis_applies(a, cfg.task))
    return give(
        rx_fail(&err, RX_EINVAL, "analyze: %s does not apply to %s", kind, rx_task_name(cfg.task)),
        &err, msg, msg_size);
  if (!rx_results_analysis_in_family(a, cfg.rule))
    return give(rx_fail(&err, RX_EINVAL,
                        "analyze: %s runs with the default quiescence rule only (rule=%d given)",
                        kind, cfg.rule),
                &err, msg, msg_size);
  rx_results_set set;
  char prefix[512], path[4096];
  rc = rx_results_set_init(&set, cfg.path, cfg.task, cfg.noise, &err);
  if (!rc && rx_analysis_prefix(&cfg, prefix, sizeof prefix))
    rc = rx_fail(&err, RX_EINVAL, "analyze: the files' prefix is too long");
  if (!rc && rx_results_analysis_path(&set, a, prefix, cfg.seed, "json", path, sizeof path))
    rc = rx_fail(&err, RX_EINVAL, "analyze: the result's path is too long");
  if (!rc && json_path && snprintf(json_path, json_path_size, "%s", path) >= (int)json_path_size)
    rc = rx_fail(&err, RX_EINVAL, "analyze: the result's path does not fit %zu bytes",
                 json_path_size);
  if (rc) return give(rc, &err, msg, msg_size);
  const fp_mode mode = fp_save();
  rc = rx_analyze(&cfg, 1u << a, log, ctx, &err);
  fp_restore(mode);
  struct stat st;
  if (!rc && stat(path, &st) != 0) rc = rx_fail(&err, RX_EIO, "analyze: %s was not written", path);
  return give(rc, &err, msg, msg_size);
}
