/* rx_analyze: the docs/science.md §6 analyses over the runs of one (task, seed, noise). Loads each
 * run's checkpoint, simulates it awake (its test batch) and quiescent (same initial states, zero
 * input, the quiescence rule), and writes <analysis>_<noise>_<seed>.json (docs/science.md §8
 * layout, keyed by run name) plus an .npz of the arrays the figures need. This file holds the
 * shared machinery and the dispatcher; the analyses are in reactivation_kl.c and
 * reactivation_runs.c, the statistics themselves in analysis.h's functions, the experiment set and
 * every file name in reactivate/results.h. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reactivation_internal.h"
#include "core/log_line.h"
#include "reactivate/analysis.h"
#include "reactivate/analyze.h"
#include "reactivate/checkpoint.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "reactivate/rng.h"
#include "reactivate/simulate.h"

void rxa_log(analysis_ctx *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rxc_log_vprintf(a->log, a->log_ctx, fmt, ap);
  va_end(ap);
}

/* Loads experiment e's checkpoint into the next slot, keyed name (slot.loaded says whether it
 * did). */
static run_slot *load_run(analysis_ctx *a, const rx_experiment *e, const char *name) {
  run_slot *r = &a->runs[a->n_runs++];
  r->exp = e;
  snprintf(r->name, sizeof r->name, "%s", name);
  char dir[2600], ck_path[2800];
  rx_results_experiment_dir(&a->set, e, a->cfg->seed, dir, sizeof dir);
  int64_t step = a->cfg->epoch >= 0 ? a->cfg->epoch : rx_checkpoint_latest(dir);
  rx_results_checkpoint_path(dir, step, ck_path, sizeof ck_path);
  if (step < 0 || !rx_file_exists(ck_path)) {
    rxa_log(a, "skipping %s: no checkpoint %s", r->name,
            step < 0 ? "in its run directory" : ck_path);
    return r;
  }
  rx_error err = {{0}};
  if (rx_checkpoint_load(ck_path, &r->ck, &err)) {
    rxa_log(a, "skipping %s: %s", r->name, err.msg);
    return r;
  }
  r->loaded = 1;
  rxa_log(a, "loaded %s (step %" PRId64 ")", r->name, r->ck.step);
  return r;
}

/* The slot of experiment e loaded as trained, or NULL. */
static const run_slot *trained_slot(const analysis_ctx *a, rx_experiment_id e) {
  for (int i = 0; i < a->n_runs; i++)
    if (a->runs[i].loaded && a->runs[i].exp->id == e && !a->runs[i].has_offline) return &a->runs[i];
  return NULL;
}

/* What quiescence runs with in the mechanisms family's condition c (rx_offline_kind); 0, or -1
 * when the run whose mechanism c borrows was not loaded. */
static int condition_mechanism(const analysis_ctx *a, const rx_mechanism_condition *c,
                               run_slot *r) {
  if (c->offline == RX_OFFLINE_AS_TRAINED) return 0;
  r->has_offline = 1;
  memset(&r->offline, 0, sizeof r->offline); /* RX_OFFLINE_OFF: the paper's cell */
  if (c->offline == RX_OFFLINE_FROM) {
    const run_slot *from = trained_slot(a, c->from);
    if (!from) return -1;
    r->offline = from->ck.rnn->spec.mech;
  }
  return 0;
}

/* The user's rnn.* settings (docs/mechanisms.md §3) over what quiescence runs with. */
static void apply_offline_settings(const analysis_ctx *a, run_slot *r) {
  const unsigned set = a->cfg->offline.set;
  if (!set) return;
  if (!r->has_offline) r->offline = r->ck.rnn->spec.mech;
  r->has_offline = 1;
  if (set & 1u) r->offline.adaptation_strength = (float)a->cfg->offline.adaptation_strength;
  if (set & 2u)
    r->offline.adaptation_alpha = (float)(r->ck.cfg.rnn.dt / a->cfg->offline.adaptation_tau);
  if (set & 4u) r->offline.momentum = (float)a->cfg->offline.momentum;
}

/* The runs of the family analysed, in the experiment set's (or the conditions') order: the
 * order of the runs, and so of the keys, in every file written. */
static void load_runs(analysis_ctx *a) {
  a->n_runs = 0;
  const rx_task_kind task = a->cfg->task;
  if (a->family == RX_FAMILY_MECHANISMS) {
    for (int i = 0; i < rx_mechanism_condition_count(); i++) {
      const rx_mechanism_condition *c = rx_mechanism_condition_get(i);
      char key[300];
      rx_results_condition_key(&a->set, c, a->cfg->seed, key, sizeof key);
      run_slot *r = load_run(a, rx_experiment_get(task, c->run), key);
      if (r->loaded && condition_mechanism(a, c, r)) {
        rxa_log(a, "skipping %s: it borrows the mechanism of %s, which was not loaded", r->name,
                rx_experiment_get(task, c->from)->name);
        rx_checkpoint_free(&r->ck);
        r->loaded = 0;
      }
    }
  } else {
    for (int i = 0; i < rx_experiment_count(task); i++) {
      const rx_experiment *e = rx_experiment_get(task, i);
      if (e->gru != (a->family == RX_FAMILY_GRU)) continue;
      char name[300];
      rx_results_experiment_run(&a->set, e, a->cfg->seed, name, sizeof name);
      load_run(a, e, name);
    }
  }
}

/* The user's offline settings on every loaded run, checked as a trained network's are: a value
 * the cell cannot run (adaptation_tau below the run's rnn.dt, ...) fails naming the run. */
static int apply_offline(analysis_ctx *a, rx_error *err) {
  for (int i = 0; i < a->n_runs; i++) {
    run_slot *r = &a->runs[i];
    if (!r->loaded) continue;
    apply_offline_settings(a, r);
    rx_rnn_spec spec = r->ck.rnn->spec;
    spec.mech = r->offline;
    rx_error e2 = {{0}};
    if (r->has_offline && rx_rnn_spec_check(&spec, &e2))
      return rx_fail(err, RX_EINVAL, "offline settings for %s: %s", r->name, e2.msg);
  }
  return RX_OK;
}

const rx_mechanism *rxa_offline_of(const analysis_ctx *a, const rx_checkpoint *ck) {
  for (int i = 0; i < a->n_runs; i++)
    if (&a->runs[i].ck == ck) return a->runs[i].has_offline ? &a->runs[i].offline : NULL;
  return NULL;
}

/* Simulates ck: awake on its test batch (quiescent == 0) or quiescent from the same initial
 * states, B trajectories of T steps. */
int rxa_simulate(const analysis_ctx *a, const rx_checkpoint *ck, int B, int T, int quiescent,
                 rx_quiescent_rule rule, double rule_var, int keep_hidden, uint32_t index,
                 rx_sim_result *out, rx_error *err) {
  rx_sim_request req = rx_sim_request_default(B, T, (uint32_t)a->cfg->seed);
  req.batch_seed = (uint32_t)ck->cfg.seed;
  req.batch_stream = RX_STREAM_TEST_TASK; /* first trajectories = the run's test batch */
  req.quiescent = quiescent;
  req.rule = rule;
  req.rule_variance = rule_var;
  req.keep_hidden = keep_hidden;
  req.noise_index = index;
  if (quiescent) req.quiescent_mechanism = rxa_offline_of(a, ck);
  return rx_simulate(ck, &req, out, err);
}

/* The configured quiescence rule for this run (analysis key `rule`). */
rx_quiescent_rule rxa_rule(const analysis_ctx *a, const rx_checkpoint *ck) {
  if (a->cfg->rule == 1) return RX_QUIESCENT_SCALED;
  if (a->cfg->rule == 2) return RX_QUIESCENT_SAME;
  return rx_quiescent_default_rule(ck->rnn->spec.kind);
}

/* float (T, B, d) -> double (T B, d) */
double *rxa_to_double(const float *x, size_t n) {
  double *d = malloc((n ? n : 1) * sizeof(double));
  if (d)
    for (size_t i = 0; i < n; i++)
      d[i] = x[i];
  return d;
}

/* The first `keep` trajectories of (T, B, k) time-major float as (keep, T, k) batch-major, the
 * layout users get from simulate. */
float *rxa_batch_major_first(const float *src, int T, int B, int keep, int k) {
  float *dst = malloc((size_t)T * keep * k * sizeof(float) + 1);
  if (!dst) return NULL;
  for (int t = 0; t < T; t++)
    for (int b = 0; b < keep; b++)
      memcpy(dst + ((size_t)b * T + t) * k, src + ((size_t)t * B + b) * k,
             (size_t)k * sizeof(float));
  return dst;
}

float *rxa_batch_major(const float *src, int T, int B, int k) {
  return rxa_batch_major_first(src, T, B, B, k);
}

int rxa_write_json(analysis_ctx *a, int analysis, cJSON *root, rx_error *err) {
  char path[2600];
  if (rx_results_analysis_path(&a->set, analysis, a->prefix, a->cfg->seed, "json", path,
                               sizeof path))
    return rx_fail(err, RX_EINVAL, "results path too long: %.200s...", path);
  char *text = cJSON_Print(root);
  if (!text) return rx_fail(err, RX_ENOMEM, "out of memory writing %s", path);
  int rc = rx_write_file_atomic(path, text, strlen(text), err);
  cJSON_free(text);
  if (!rc) rxa_log(a, "wrote %s", path);
  return rc;
}

void rxa_npz_add(npz_list *l, const char *run, const char *what, float *data, int ndim, int64_t d0,
                 int64_t d1, int64_t d2) {
  if (l->n >= NPZ_LIST_MAX || !data) {
    free(data);
    return;
  }
  if (run && *run)
    snprintf(l->names[l->n], sizeof l->names[0], "%s.%s", run, what);
  else
    snprintf(l->names[l->n], sizeof l->names[0], "%s", what);
  l->shapes[l->n][0] = d0;
  l->shapes[l->n][1] = d1;
  l->shapes[l->n][2] = d2;
  l->arrays[l->n] = rx_array_f32(l->names[l->n], data, ndim, l->shapes[l->n]);
  l->owned[l->n++] = data;
}

int rxa_npz_flush(analysis_ctx *a, int analysis, npz_list *l, rx_error *err) {
  char path[2600];
  int rc = 0;
  if (l->n && rx_results_analysis_path(&a->set, analysis, a->prefix, a->cfg->seed, "npz", path,
                                       sizeof path))
    rc = rx_fail(err, RX_EINVAL, "results path too long: %.200s...", path);
  else if (l->n)
    rc = rx_npz_write(path, l->arrays, l->n, err);
  for (int i = 0; i < l->n; i++)
    free(l->owned[i]);
  l->n = 0;
  return rc;
}

void rxa_npz_discard(npz_list *l) {
  for (int i = 0; i < l->n; i++)
    free(l->owned[i]);
  l->n = 0;
}

float *rxa_to_float(const double *x, size_t n) {
  float *f = malloc((n ? n : 1) * sizeof(float));
  if (f)
    for (size_t i = 0; i < n; i++)
      f[i] = (float)x[i];
  return f;
}

/* ---- exploration (variance) and smoothness (step-wise distance) ---- */

int rxa_is_circular(const analysis_ctx *a) { return a->cfg->task == RX_TASK_HEAD_DIRECTION; }

/* The untrained control: a network of ck's shape with PyTorch-default weights drawn from ck's
 * seed (as its model_0), run quiescent from ck's test-batch initial states with the control's
 * absolute noise (random.absolute_noise). Shared by the KL matrix and the heading analysis so
 * that both judge against the same network. */
int rxa_simulate_random(const analysis_ctx *a, const rx_checkpoint *ck, rx_sim_result *out,
                        rx_error *err) {
  rx_checkpoint rnd = *ck;
  rx_rnn *net = NULL;
  rx_rnn_spec spec = ck->rnn->spec;
  memset(&spec.mech, 0, sizeof spec.mech); /* the control is the paper's cell */
  int rc = rx_rnn_create(&net, &spec, err);
  if (rc) return rc;
  rx_rnn_init_default(net, (uint32_t)ck->cfg.seed);
  rnd.rnn = net;
  rc = rxa_simulate(a, &rnd, a->cfg->batch_size, a->cfg->t_quiescent, 1, RX_QUIESCENT_ABSOLUTE,
                    a->cfg->random.absolute_noise, 0, SIM_RANDOM, out, err);
  rx_rnn_free(net);
  return rc;
}

int rxa_for_each_run(analysis_ctx *a, int analysis, per_run_fn per_run, controls_fn controls,
                     rx_error *err) {
  cJSON *root = cJSON_CreateObject();
  npz_list *arrays = calloc(1, sizeof *arrays);
  int rc = root && arrays ? 0 : rx_fail(err, RX_ENOMEM, "out of memory");
  const rx_checkpoint *any = NULL;
  for (int i = 0; i < a->n_runs && !rc; i++) {
    if (!a->runs[i].loaded) continue;
    any = any ? any : &a->runs[i].ck;
    rc = per_run(a, &a->runs[i], root, arrays, err);
  }
  if (!rc && controls && any) rc = controls(a, any, root, arrays, err);
  return rxa_finish_files(a, analysis, root, arrays, rc, err);
}

int rxa_finish_files(analysis_ctx *a, int analysis, cJSON *root, npz_list *arrays, int rc,
                     rx_error *err) {
  if (!rc) rc = rxa_write_json(a, analysis, root, err);
  if (!rc) rc = rxa_npz_flush(a, analysis, arrays, err);
  if (arrays) rxa_npz_discard(arrays);
  free(arrays);
  cJSON_Delete(root);
  return rc;
}

int rx_analyze(const rx_analysis_config *cfg, unsigned kinds, rx_analysis_log_fn log, void *ctx,
               rx_error *err) {
  analysis_ctx *a = calloc(1, sizeof *a);
  if (!a) return rx_fail(err, RX_ENOMEM, "out of memory");
  a->cfg = cfg;
  a->log = log;
  a->log_ctx = ctx;
  a->family = rx_analysis_family(cfg);
  int rc = rx_results_set_init(&a->set, cfg->path, cfg->task, cfg->noise, err);
  if (!rc && rx_analysis_prefix(cfg, a->prefix, sizeof a->prefix))
    rc = rx_fail(err, RX_EINVAL, "rule %d: not a quiescence rule (0 default, 1 scaled, 2 same)",
                 cfg->rule);
  if (rc) {
    free(a);
    return rc;
  }
  load_runs(a);
  if (!rc) rc = apply_offline(a, err);
  int found = 0;
  for (int i = 0; i < a->n_runs; i++)
    found += a->runs[i].loaded;
  if (!rc && !found)
    rc = rx_fail(err, RX_EINVAL,
                 "no trained runs of seed %d (noise %s) found in %s: train them "
                 "first (reactivate train %s/%s ...)",
                 cfg->seed, a->set.noise, a->set.dir, rx_task_name(cfg->task),
                 rx_experiment_get(cfg->task, RX_EXP_NOISY_UNBIASED)->name);
  if (!rc && (kinds & RX_ANALYZE_KL)) {
    if (!rx_results_analysis_applies(RX_RESULTS_KL, cfg->task))
      rxa_log(a, "kl: skipped (the distribution match is defined for the spatial task)");
    else
      rc = rxa_kl(a, err);
  }
  if (!rc && (kinds & RX_ANALYZE_VARIANCE))
    rc = rxa_for_each_run(a, RX_RESULTS_VARIANCE, rxa_variance_run, NULL, err);
  if (!rc && (kinds & RX_ANALYZE_DISTANCE))
    rc = rxa_for_each_run(a, RX_RESULTS_DISTANCE, rxa_distance_run, NULL, err);
  if (!rc && (kinds & RX_ANALYZE_PCA))
    rc = rxa_for_each_run(a, RX_RESULTS_PCA, rxa_pca_run, NULL, err);
  if (!rc && (kinds & RX_ANALYZE_HEADING) &&
      rx_results_analysis_applies(RX_RESULTS_HEADING, cfg->task))
    rc = rxa_for_each_run(a, RX_RESULTS_HEADING, rxa_heading_run, rxa_heading_controls, err);
  /* The probes (docs/probes.md), which set their own noise levels: the default rule only. */
  a->probe_every_step = (kinds & ((1u << RX_RESULTS_SCORE) | (1u << RX_RESULTS_DIFFUSION))) != 0;
  static int (*const probes[])(analysis_ctx *, rx_error *) = {rxa_mixing, rxa_score,
                                                              rxa_temperature, rxa_diffusion};
  for (int p = RX_RESULTS_MIXING; p <= RX_RESULTS_DIFFUSION && !rc; p++) {
    if (!(kinds & (1u << p))) continue;
    if (!rx_results_analysis_in_family(p, cfg->rule))
      rxa_log(a, "%s: skipped (the probes set their own noise; run them with rule=default)",
              rx_results_analysis_name(p));
    else
      rc = probes[p - RX_RESULTS_MIXING](a, err);
  }
  if (!rc && (kinds & RX_ANALYZE_REPLAY)) {
    if (!rx_results_analysis_in_family(RX_RESULTS_REPLAY, cfg->rule))
      rxa_log(a, "replay: skipped (it sets its own noise, as the probes do; run it with "
                 "rule=default)");
    else
      rc = rxa_replay(a, err);
  }
  rxa_probe_free(a);
  for (int i = 0; i < a->n_runs; i++)
    if (a->runs[i].loaded) rx_checkpoint_free(&a->runs[i].ck);
  free(a);
  return rc;
}
