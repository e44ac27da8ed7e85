/* rx_analyze: the SPEC §6 analyses over the runs of one (task, seed, noise). Loads each run's
 * checkpoint, simulates it awake (its test batch) and quiescent (same initial states, zero
 * input, the quiescence rule), and writes <analysis>_<noise>_<seed>.json (SPEC §8 layout, keyed
 * by run name) plus an .npz of the arrays the figures need. Statistics are analysis.h's job. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/analysis.h"
#include "reactivate/analyze.h"
#include "reactivate/checkpoint.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "reactivate/rng.h"
#include "reactivate/simulate.h"

/* Noise indices of the simulations, so that no two share noise samples. */
enum { SIM_ACTIVE = 1, SIM_QUIESCENT, SIM_VARIANCE, SIM_DIST_ACTIVE, SIM_DIST_QUIESCENT,
       SIM_DIST_NOISY, SIM_PCA_ACTIVE, SIM_PCA_QUIESCENT, SIM_RANDOM };

typedef struct run_slot {
  const char *label;      /* U-sigma, U, B-sigma, B */
  const char *experiment; /* noisy_unbiased, ... */
  int noisy;
  char name[256];         /* run name, e.g. noisy_unbiased_0.0001_0 */
  rx_checkpoint ck;
  int loaded;
} run_slot;

typedef struct analysis_ctx {
  const rx_analysis_config *cfg;
  rx_analysis_log_fn log;
  void *log_ctx;
  run_slot runs[4];
  int n_runs;
  char task_dir[2300];
  char suffix[96]; /* "<noise>_<seed>" or "gru_<noise>_<seed>" */
} analysis_ctx;

static void logf_(analysis_ctx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(analysis_ctx *a, const char *fmt, ...) {
  if (!a->log) return;
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  a->log(a->log_ctx, line);
}

static void load_runs(analysis_ctx *a) {
  static const struct { const char *label, *exp; int noisy; } vanilla[] = {
      {"U-sigma", "noisy_unbiased", 1}, {"U", "no-noise_unbiased", 0},
      {"B-sigma", "noisy_biased", 1}, {"B", "no-noise_biased", 0}};
  static const struct { const char *label, *exp; int noisy; } gru[] = {
      {"U-sigma", "noisy_unbiased_gru", 1}, {"B-sigma", "noisy_biased_gru", 1}};
  const int n = a->cfg->gru ? 2 : 4;
  char noise[64];
  rx_format_py_float(a->cfg->noise, noise, sizeof noise);
  for (int i = 0; i < n; i++) {
    run_slot *r = &a->runs[i];
    r->label = a->cfg->gru ? gru[i].label : vanilla[i].label;
    r->experiment = a->cfg->gru ? gru[i].exp : vanilla[i].exp;
    r->noisy = a->cfg->gru ? gru[i].noisy : vanilla[i].noisy;
    if (r->noisy)
      snprintf(r->name, sizeof r->name, "%s_%s_%d", r->experiment, noise, a->cfg->seed);
    else
      snprintf(r->name, sizeof r->name, "%s_%d", r->experiment, a->cfg->seed);
    char dir[2600], ck_path[2800];
    snprintf(dir, sizeof dir, "%s/%s", a->task_dir, r->name);
    int64_t step = a->cfg->epoch >= 0 ? a->cfg->epoch : rx_checkpoint_latest(dir);
    rx_checkpoint_path(ck_path, sizeof ck_path, dir, step);
    if (step < 0 || !rx_file_exists(ck_path)) {
      logf_(a, "skipping %s: no checkpoint %s", r->name,
            step < 0 ? "in its run directory" : ck_path);
      continue;
    }
    rx_error err = {{0}};
    if (rx_checkpoint_load(ck_path, &r->ck, &err)) {
      logf_(a, "skipping %s: %s", r->name, err.msg);
      continue;
    }
    r->loaded = 1;
    logf_(a, "loaded %s (step %" PRId64 ")", r->name, r->ck.step);
  }
  a->n_runs = n;
}

/* Simulates ck: awake on its test batch (quiescent == 0) or quiescent from the same initial
 * states, B trajectories of T steps. */
static int simulate(const analysis_ctx *a, const rx_checkpoint *ck, int B, int T, int quiescent,
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
  return rx_simulate(ck, &req, out, err);
}

/* The configured quiescence rule for this run (analysis key `rule`). */
static rx_quiescent_rule rule_of(const analysis_ctx *a, const rx_checkpoint *ck) {
  if (a->cfg->rule == 1) return RX_QUIESCENT_SCALED;
  if (a->cfg->rule == 2) return RX_QUIESCENT_SAME;
  return rx_quiescent_default_rule(ck->rnn->spec.kind);
}

/* float (T, B, d) -> double (T B, d) */
static double *to_double(const float *x, size_t n) {
  double *d = malloc((n ? n : 1) * sizeof(double));
  if (d)
    for (size_t i = 0; i < n; i++) d[i] = x[i];
  return d;
}

/* The first `keep` trajectories of (T, B, k) time-major float as (keep, T, k) batch-major, the
 * layout users get from simulate. */
static float *batch_major_first(const float *src, int T, int B, int keep, int k) {
  float *dst = malloc((size_t)T * keep * k * sizeof(float) + 1);
  if (!dst) return NULL;
  for (int t = 0; t < T; t++)
    for (int b = 0; b < keep; b++)
      memcpy(dst + ((size_t)b * T + t) * k, src + ((size_t)t * B + b) * k, (size_t)k * sizeof(float));
  return dst;
}

static float *batch_major(const float *src, int T, int B, int k) {
  return batch_major_first(src, T, B, B, k);
}

static int write_json(analysis_ctx *a, const char *analysis, cJSON *root, rx_error *err) {
  char path[2600];
  snprintf(path, sizeof path, "%s/%s_%s.json", a->task_dir, analysis, a->suffix);
  char *text = cJSON_Print(root);
  if (!text) return rx_fail(err, RX_ENOMEM, "out of memory writing %s", path);
  int rc = rx_write_file_atomic(path, text, strlen(text), err);
  cJSON_free(text);
  if (!rc) logf_(a, "wrote %s", path);
  return rc;
}

/* Arrays for the figures, next to the JSON: <analysis>_<suffix>.npz. Frees the data. */
typedef struct npz_list {
  rx_array arrays[64];
  char names[64][320];
  int64_t shapes[64][3];
  void *owned[64];
  int n;
} npz_list;

static void npz_add(npz_list *l, const char *run, const char *what, float *data, int ndim,
                    int64_t d0, int64_t d1, int64_t d2) {
  if (l->n >= 64 || !data) {
    free(data);
    return;
  }
  snprintf(l->names[l->n], sizeof l->names[0], "%s.%s", run, what);
  l->shapes[l->n][0] = d0;
  l->shapes[l->n][1] = d1;
  l->shapes[l->n][2] = d2;
  l->arrays[l->n] = rx_array_f32(l->names[l->n], data, ndim, l->shapes[l->n]);
  l->owned[l->n++] = data;
}

static int npz_flush(analysis_ctx *a, const char *analysis, npz_list *l, rx_error *err) {
  char path[2600];
  snprintf(path, sizeof path, "%s/%s_%s.npz", a->task_dir, analysis, a->suffix);
  int rc = l->n ? rx_npz_write(path, l->arrays, l->n, err) : 0;
  for (int i = 0; i < l->n; i++) free(l->owned[i]);
  l->n = 0;
  return rc;
}

static void npz_discard(npz_list *l) {
  for (int i = 0; i < l->n; i++) free(l->owned[i]);
  l->n = 0;
}

static float *copy_doubles_as_float(const double *x, size_t n) {
  float *f = malloc((n ? n : 1) * sizeof(float));
  if (f)
    for (size_t i = 0; i < n; i++) f[i] = (float)x[i];
  return f;
}

/* ---- KL: distribution match (spatial) ---- */

static int analyze_kl(analysis_ctx *a, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  rx_density *src[6] = {0}, *tgt[4] = {0};
  const char *src_names[6], *tgt_names[4];
  int n_src = 0, n_tgt = 0, rc = 0;
  npz_list *arrays = calloc(1, sizeof *arrays);
  if (!arrays) return rx_fail(err, RX_ENOMEM, "out of memory");
  const rx_checkpoint *any = NULL;
  for (int i = 0; i < a->n_runs && !rc; i++) {
    run_slot *r = &a->runs[i];
    if (!r->loaded) continue;
    any = any ? any : &r->ck;
    const int T_act = r->ck.cfg.task.sequence_length;
    rx_sim_result act, q;
    if ((rc = simulate(a, &r->ck, cfg->batch_size, T_act, 0, 0, 0, 0, SIM_ACTIVE, &act, err))) break;
    rc = simulate(a, &r->ck, cfg->batch_size, cfg->t_quiescent, 1, rule_of(a, &r->ck), 0, 0,
                  SIM_QUIESCENT, &q, err);
    if (rc) {
      rx_sim_result_free(&act);
      break;
    }
    size_t na = (size_t)act.T * act.B, nq = (size_t)q.T * q.B;
    double *xa = to_double(act.decoded, na * 2), *xq = to_double(q.decoded, nq * 2);
    char what[400];
    snprintf(what, sizeof what, "active outputs of %s", r->name);
    if (!xa || !xq) rc = rx_fail(err, RX_ENOMEM, "out of memory for KDE data");
    if (!rc) rc = rx_density_kde(&tgt[n_tgt], xa, na, 2, what, err);
    snprintf(what, sizeof what, "quiescent outputs of %s", r->name);
    if (!rc) rc = rx_density_kde(&src[n_src], xq, nq, 2, what, err);
    if (!rc) {
      tgt_names[n_tgt++] = r->name;
      src_names[n_src++] = r->name;
      npz_add(arrays, r->name, "active", batch_major(act.decoded, act.T, act.B, 2), 3, act.B, act.T, 2);
      npz_add(arrays, r->name, "quiescent", batch_major(q.decoded, q.T, q.B, 2), 3, q.B, q.T, 2);
    }
    free(xa);
    free(xq);
    rx_sim_result_free(&act);
    rx_sim_result_free(&q);
    logf_(a, "kl: simulated %s", r->name);
  }
  /* Controls: an untrained network (PyTorch-default weights, as model_0) and the uniform box. */
  if (!rc && any) {
    rx_checkpoint rnd = *any;
    rx_rnn *net = NULL;
    if ((rc = rx_rnn_create(&net, &any->rnn->spec, err))) goto out;
    rx_rnn_init_default(net, (uint32_t)any->cfg.seed);
    rnd.rnn = net;
    rx_sim_result q;
    rc = simulate(a, &rnd, cfg->batch_size, cfg->t_quiescent, 1, RX_QUIESCENT_ABSOLUTE,
                  cfg->random.absolute_noise, 0, SIM_RANDOM, &q, err);
    rx_rnn_free(net);
    if (rc) goto out;
    size_t nq = (size_t)q.T * q.B;
    double *xq = to_double(q.decoded, nq * 2);
    if (!xq) rc = rx_fail(err, RX_ENOMEM, "out of memory for KDE data");
    if (!rc) rc = rx_density_kde(&src[n_src], xq, nq, 2, "quiescent outputs of the random network", err);
    if (!rc) {
      src_names[n_src++] = "random";
      npz_add(arrays, "random", "quiescent", batch_major(q.decoded, q.T, q.B, 2), 3, q.B, q.T, 2);
    }
    free(xq);
    rx_sim_result_free(&q);
    double lo[2] = {-any->cfg.task.box_width / 2, -any->cfg.task.box_height / 2};
    double hi[2] = {-lo[0], -lo[1]};
    if (!rc) rc = rx_density_uniform_box(&src[n_src], 2, lo, hi, err);
    if (!rc) src_names[n_src++] = "uniform";
  }
  if (!rc && n_tgt > 0) {
    double *kl = malloc((size_t)n_src * n_tgt * sizeof(double));
    if (!kl) {
      rc = rx_fail(err, RX_ENOMEM, "out of memory");
      goto out;
    }
    rc = rx_kl_matrix((const rx_density *const *)src, n_src, (const rx_density *const *)tgt, n_tgt,
                      (size_t)cfg->kl.n_samples, (uint32_t)cfg->seed, RX_STREAM_ANALYSIS, kl, err);
    if (!rc) {
      cJSON *root = cJSON_CreateObject();
      for (int i = 0; i < n_src; i++) {
        cJSON *row = cJSON_AddObjectToObject(root, src_names[i]);
        for (int j = 0; j < n_tgt; j++) cJSON_AddNumberToObject(row, tgt_names[j], kl[(size_t)i * n_tgt + j]);
      }
      rc = write_json(a, "kl", root, err);
      cJSON_Delete(root);
    }
    free(kl);
    if (!rc) rc = npz_flush(a, "kl", arrays, err);
  }
out:
  npz_discard(arrays); /* anything left after an error */
  free(arrays);
  for (int i = 0; i < 6; i++) rx_density_free(src[i]);
  for (int i = 0; i < 4; i++) rx_density_free(tgt[i]);
  return rc;
}

/* ---- exploration (variance) and smoothness (step-wise distance) ---- */

static int is_circular(const analysis_ctx *a) { return a->cfg->task == RX_TASK_HEAD_DIRECTION; }

/* One analysis over the loaded runs: per_run adds each run's results to the JSON object and
 * the figure arrays; then both files are written. */
typedef int (*per_run_fn)(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays,
                          rx_error *err);

static int for_each_run(analysis_ctx *a, const char *analysis, per_run_fn per_run, rx_error *err) {
  cJSON *root = cJSON_CreateObject();
  npz_list *arrays = calloc(1, sizeof *arrays);
  int rc = root && arrays ? 0 : rx_fail(err, RX_ENOMEM, "out of memory");
  for (int i = 0; i < a->n_runs && !rc; i++)
    if (a->runs[i].loaded) rc = per_run(a, &a->runs[i], root, arrays, err);
  if (!rc) rc = write_json(a, analysis, root, err);
  if (!rc) rc = npz_flush(a, analysis, arrays, err);
  if (arrays) npz_discard(arrays);
  free(arrays);
  cJSON_Delete(root);
  return rc;
}

static int variance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays,
                        rx_error *err) {
  const int B = a->cfg->variance.batch_size, T = a->cfg->variance.t_total;
  rx_sim_result q;
  int rc = simulate(a, &r->ck, B, T, 1, rule_of(a, &r->ck), 0, 0, SIM_VARIANCE, &q, err);
  if (rc) return rc;
  double *per = malloc((size_t)B * sizeof(double));
  if (!per) {
    rx_sim_result_free(&q);
    return rx_fail(err, RX_ENOMEM, "out of memory");
  }
  double v = rx_total_variance(q.decoded, T, B, q.dim, a->cfg->variance.t_skip, is_circular(a), per);
  cJSON_AddNumberToObject(root, r->name, v);
  npz_add(arrays, r->name, "quiescent", copy_doubles_as_float(per, (size_t)B), 1, B, 0, 0);
  free(per);
  rx_sim_result_free(&q);
  logf_(a, "variance: %s %.4g", r->name, v);
  return RX_OK;
}

/* Step-wise distance of one simulation: mean, and per trajectory into the figure arrays. */
static int distance_of(analysis_ctx *a, run_slot *r, int T, int quiescent, rx_quiescent_rule rule,
                       double var, uint32_t index, const char *what, cJSON *obj, npz_list *arrays,
                       rx_error *err) {
  rx_sim_result s;
  const int B = a->cfg->batch_size;
  int rc = simulate(a, &r->ck, B, T, quiescent, rule, var, 0, index, &s, err);
  if (rc) return rc;
  double *per = malloc((size_t)B * sizeof(double));
  if (!per) {
    rx_sim_result_free(&s);
    return rx_fail(err, RX_ENOMEM, "out of memory");
  }
  double d = rx_step_distance(s.decoded, T, B, s.dim, is_circular(a), per);
  cJSON_AddNumberToObject(obj, what, d);
  npz_add(arrays, r->name, what, copy_doubles_as_float(per, (size_t)B), 1, B, 0, 0);
  /* A few decoded trajectories for the example figures (SPEC §7 C.3). */
  const int keep = B < 10 ? B : 10;
  char traj_name[64];
  snprintf(traj_name, sizeof traj_name, "%s_trajectories", what);
  npz_add(arrays, r->name, traj_name, batch_major_first(s.decoded, T, B, keep, s.dim), 3, keep, T, s.dim);
  free(per);
  rx_sim_result_free(&s);
  return RX_OK;
}

static int distance_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays,
                        rx_error *err) {
  cJSON *obj = cJSON_AddObjectToObject(root, r->name);
  int rc = distance_of(a, r, r->ck.cfg.task.sequence_length, 0, 0, 0, SIM_DIST_ACTIVE, "active",
                       obj, arrays, err);
  if (!rc)
    rc = distance_of(a, r, a->cfg->distance.t_quiescent, 1, rule_of(a, &r->ck), 0,
                     SIM_DIST_QUIESCENT, "quiescent", obj, arrays, err);
  /* Noiseless-trained networks given noise offline (SPEC §6, C.4). */
  if (!rc && r->ck.cfg.rnn.sigma2_rec == 0)
    rc = distance_of(a, r, a->cfg->distance.t_quiescent, 1, RX_QUIESCENT_ABSOLUTE,
                     a->cfg->distance.absolute_noise, SIM_DIST_NOISY, "quiescent_noisy", obj,
                     arrays, err);
  if (!rc) logf_(a, "distance: %s done", r->name);
  return rc;
}

/* ---- dimensionality and geometry (PCA of hidden states) ---- */

static cJSON *cumulative(const rx_pca *p) {
  cJSON *arr = cJSON_CreateArray();
  double c = 0;
  for (int i = 0; i < p->k; i++) cJSON_AddItemToArray(arr, cJSON_CreateNumber(c += p->explained[i]));
  return arr;
}

/* Colour of each point in the geometry figures: decoded distance from the box centre, or the
 * decoded heading. (T, B, dim) -> (B_keep, T) batch-major. */
static float *colour_values(const rx_sim_result *s, int b_keep) {
  float *c = malloc((size_t)b_keep * s->T * sizeof(float) + 1);
  if (!c) return NULL;
  for (int b = 0; b < b_keep; b++)
    for (int t = 0; t < s->T; t++) {
      const float *x = s->decoded + ((size_t)t * s->B + b) * s->dim;
      c[(size_t)b * s->T + t] = s->dim == 2 ? sqrtf(x[0] * x[0] + x[1] * x[1]) : x[0];
    }
  return c;
}

/* First two PCs of hidden (T, B, n) for the first b_keep trajectories, batch-major (b_keep, T, 2). */
static float *project2(const rx_pca *p, const float *hidden, int T, int B, int n, int b_keep) {
  double *proj = malloc((size_t)T * B * p->k * sizeof(double));
  float *out = malloc((size_t)b_keep * T * 2 * sizeof(float) + 1);
  if (!proj || !out) {
    free(proj);
    free(out);
    return NULL;
  }
  rx_pca_project(p, hidden, (size_t)T * B, proj);
  (void)n;
  for (int b = 0; b < b_keep; b++)
    for (int t = 0; t < T; t++)
      for (int c = 0; c < 2; c++)
        out[((size_t)b * T + t) * 2 + c] = (float)proj[((size_t)t * B + b) * p->k + c];
  free(proj);
  return out;
}

static int pca_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  const int B = cfg->pca.batch_size, n = r->ck.rnn->spec.n_rec;
  const int k = cfg->pca.k < n ? cfg->pca.k : n, b_keep = B < 100 ? B : 100;
  rx_sim_result act, q;
  int rc = simulate(a, &r->ck, B, cfg->pca.t_active, 0, 0, 0, 1, SIM_PCA_ACTIVE, &act, err);
  if (rc) return rc;
  rc = simulate(a, &r->ck, B, cfg->pca.t_quiescent, 1, rule_of(a, &r->ck), 0, 1,
                SIM_PCA_QUIESCENT, &q, err);
  if (rc) {
    rx_sim_result_free(&act);
    return rc;
  }
  rx_pca pa = {0}, pq = {0};
  rc = rx_pca_fit(&pa, act.hidden, (size_t)act.T * B, n, k, err);
  if (!rc) rc = rx_pca_fit(&pq, q.hidden, (size_t)q.T * B, n, k, err);
  if (!rc) {
    cJSON *obj = cJSON_AddObjectToObject(root, r->name);
    cJSON_AddItemToObject(obj, "active", cumulative(&pa));
    cJSON_AddItemToObject(obj, "quiescent", cumulative(&pq));
    /* Geometry: both projected on the active PCs (SPEC §6). */
    npz_add(arrays, r->name, "active_pcs", project2(&pa, act.hidden, act.T, B, n, b_keep), 3,
            b_keep, act.T, 2);
    npz_add(arrays, r->name, "quiescent_pcs", project2(&pa, q.hidden, q.T, B, n, b_keep), 3,
            b_keep, q.T, 2);
    npz_add(arrays, r->name, "active_colour", colour_values(&act, b_keep), 2, b_keep, act.T, 0);
    npz_add(arrays, r->name, "quiescent_colour", colour_values(&q, b_keep), 2, b_keep, q.T, 0);
    logf_(a, "pca: %s: %d PCs explain %.3f (active), %.3f (quiescent)", r->name, k,
          cJSON_GetArrayItem(cJSON_GetObjectItem(obj, "active"), k - 1)->valuedouble,
          cJSON_GetArrayItem(cJSON_GetObjectItem(obj, "quiescent"), k - 1)->valuedouble);
  }
  rx_pca_free(&pa);
  rx_pca_free(&pq);
  rx_sim_result_free(&act);
  rx_sim_result_free(&q);
  return rc;
}

/* ---- head direction: heading distributions and angular velocities ---- */

static cJSON *histogram_json(const float *theta, size_t n, int bins) {
  double *counts = calloc((size_t)bins, sizeof(double));
  cJSON *arr = cJSON_CreateArray();
  if (counts) {
    rx_circular_histogram(theta, n, bins, counts);
    for (int i = 0; i < bins; i++) cJSON_AddItemToArray(arr, cJSON_CreateNumber(counts[i] / (double)n));
  }
  free(counts);
  return arr;
}

static double mean_angular_velocity(const rx_sim_result *s, double dt) {
  size_t n = (size_t)(s->T - 1) * s->B;
  double *w = malloc((n ? n : 1) * sizeof(double)), m = NAN;
  if (w && n) {
    rx_angular_velocity(s->decoded, s->T, s->B, dt, w);
    m = 0;
    for (size_t i = 0; i < n; i++) m += w[i];
    m /= (double)n;
  }
  free(w);
  return m;
}

static int heading_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays,
                       rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  const int B = cfg->batch_size;
  rx_sim_result act, q;
  int rc = simulate(a, &r->ck, B, r->ck.cfg.task.sequence_length, 0, 0, 0, 0, SIM_ACTIVE, &act, err);
  if (rc) return rc;
  rc = simulate(a, &r->ck, B, cfg->t_quiescent, 1, rule_of(a, &r->ck), 0, 0, SIM_QUIESCENT, &q, err);
  if (rc) {
    rx_sim_result_free(&act);
    return rc;
  }
  const double dt = r->ck.cfg.task.dt;
  cJSON *obj = cJSON_AddObjectToObject(root, r->name);
  cJSON_AddItemToObject(obj, "active_histogram", histogram_json(act.decoded, (size_t)act.T * B, cfg->hd.bins));
  cJSON_AddItemToObject(obj, "quiescent_histogram", histogram_json(q.decoded, (size_t)q.T * B, cfg->hd.bins));
  cJSON_AddNumberToObject(obj, "active_mean_angular_velocity", mean_angular_velocity(&act, dt));
  cJSON_AddNumberToObject(obj, "quiescent_mean_angular_velocity", mean_angular_velocity(&q, dt));
  npz_add(arrays, r->name, "active", batch_major(act.decoded, act.T, B, 1), 3, B, act.T, 1);
  npz_add(arrays, r->name, "quiescent", batch_major(q.decoded, q.T, B, 1), 3, B, q.T, 1);
  rx_sim_result_free(&act);
  rx_sim_result_free(&q);
  logf_(a, "heading: %s done", r->name);
  return RX_OK;
}

int rx_analyze(const rx_analysis_config *cfg, unsigned kinds, rx_analysis_log_fn log, void *ctx,
               rx_error *err) {
  analysis_ctx *a = calloc(1, sizeof *a);
  if (!a) return rx_fail(err, RX_ENOMEM, "out of memory");
  a->cfg = cfg;
  a->log = log;
  a->log_ctx = ctx;
  snprintf(a->task_dir, sizeof a->task_dir, "%s/%s", cfg->path, rx_task_name(cfg->task));
  char noise[64];
  rx_format_py_float(cfg->noise, noise, sizeof noise);
  static const char *const rule_prefix[] = {"", "scaled_", "same_"};
  snprintf(a->suffix, sizeof a->suffix, "%s%s%s_%d", cfg->gru ? "gru_" : "", rule_prefix[cfg->rule],
           noise, cfg->seed);
  load_runs(a);
  int rc = 0, found = 0;
  for (int i = 0; i < a->n_runs; i++) found += a->runs[i].loaded;
  if (!found)
    rc = rx_fail(err, RX_EINVAL, "no trained runs of seed %d (noise %s) found in %s: train them "
                 "first (reactivate train %s/noisy_unbiased ...)",
                 cfg->seed, noise, a->task_dir, rx_task_name(cfg->task));
  const int hd = cfg->task == RX_TASK_HEAD_DIRECTION;
  if (!rc && (kinds & RX_ANALYZE_KL)) {
    if (hd) logf_(a, "kl: skipped (the distribution match is defined for the spatial task)");
    else rc = analyze_kl(a, err);
  }
  if (!rc && (kinds & RX_ANALYZE_VARIANCE)) rc = for_each_run(a, "variance", variance_run, err);
  if (!rc && (kinds & RX_ANALYZE_DISTANCE)) rc = for_each_run(a, "distance", distance_run, err);
  if (!rc && (kinds & RX_ANALYZE_PCA)) rc = for_each_run(a, "pca", pca_run, err);
  if (!rc && (kinds & RX_ANALYZE_HEADING) && hd) rc = for_each_run(a, "heading", heading_run, err);
  for (int i = 0; i < a->n_runs; i++)
    if (a->runs[i].loaded) rx_checkpoint_free(&a->runs[i].ck);
  free(a);
  return rc;
}
