/* What the four "is it sampling?" probes share (docs/probes.md §5): the runs they visit (the
 * loaded runs and the untrained control), each run's noise conditions, its awake outputs and
 * densities, the quiescent runs from the three starts (the long awake-start run cached, since
 * mixing, score and diffusion all read it), and the window KL. The probes themselves are in
 * probes_mixing.c, probes_score.c, probes_temperature.c and probes_diffusion.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reactivation_internal.h"
#include "reactivate/analysis.h"
#include "reactivate/population.h"
#include "reactivate/rng.h"
#include "reactivate/score.h"

const char *const rxa_start_names[N_STARTS] = {"active", "point", "zero"};

/* The random control: a network of the first loaded run's shape with PyTorch-default weights
 * from that run's seed (the network rxa_simulate_random runs for the KL matrix), its own test
 * batch and population code; judged against the awake density of that run. */
static int build_random(analysis_ctx *a, rx_error *err) {
  const run_slot *any = NULL;
  for (int i = 0; i < a->n_runs && !any; i++)
    if (a->runs[i].loaded) any = &a->runs[i];
  if (!any) return rx_fail(err, RX_EINVAL, "no trained run loaded");
  run_slot *r = &a->random;
  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", RX_RESULTS_RANDOM);
  rx_rnn_spec spec = any->ck.rnn->spec;
  memset(&spec.mech, 0, sizeof spec.mech); /* the control is the paper's cell */
  int rc = rx_rnn_create(&r->owned_rnn, &spec, err);
  if (rc) return rc;
  rx_rnn_init_default(r->owned_rnn, (uint32_t)any->ck.cfg.seed);
  r->ck = any->ck; /* shares the config and the population code; not freed through r */
  r->ck.rnn = r->owned_rnn;
  r->ck.adam = NULL;
  r->reference = any;
  r->loaded = 1;
  return RX_OK;
}

int rxa_probe_slots(analysis_ctx *a, run_slot **slots, int *n, rx_error *err) {
  *n = 0;
  for (int i = 0; i < a->n_runs; i++)
    if (a->runs[i].loaded) slots[(*n)++] = &a->runs[i];
  if (!a->random.loaded) {
    int rc = build_random(a, err);
    if (rc) return rc;
  }
  slots[(*n)++] = &a->random;
  return RX_OK;
}

int rxa_probe_conditions(const analysis_ctx *a, const run_slot *r, probe_cond *conds) {
  const rx_rnn_spec *spec = &r->ck.rnn->spec;
  const double ref = a->cfg->probes.noise;
  const probe_cond absolute = {"absolute_noise", RX_QUIESCENT_ABSOLUTE, ref, 2 * ref};
  if (r->owned_rnn) { /* the random control: only the probes' noise */
    conds[0] = absolute;
    conds[0].name = "quiescent";
    return 1;
  }
  const rx_quiescent_rule rule = rxa_rule(a, &r->ck);
  const double s = rx_quiescent_sigma(spec, rule, 0);
  conds[0] = (probe_cond){"quiescent", rule, 0, s * s};
  if (r->ck.cfg.rnn.sigma2_rec != 0) return 1;
  conds[1] = absolute;
  return 2;
}

static void cache_free(probe_cache *c) {
  if (c->has_awake) rx_sim_result_free(&c->awake);
  rx_density_free(c->kde);
  rx_circular_kde_free(c->ckde);
  free(c->hist);
  for (int i = 0; i < 2; i++)
    if (c->has_long[i]) rx_sim_result_free(&c->long_run[i]);
  memset(c, 0, sizeof *c);
}

void rxa_probe_free(analysis_ctx *a) {
  for (int i = 0; i < a->n_runs; i++)
    cache_free(&a->runs[i].probe);
  cache_free(&a->random.probe);
  rx_rnn_free(a->random.owned_rnn);
  memset(&a->random, 0, sizeof a->random);
}

int rxa_probe_awake(analysis_ctx *a, run_slot *r, const probe_cache **out, rx_error *err) {
  if (r->reference) r = (run_slot *)r->reference;
  probe_cache *c = &r->probe;
  *out = c;
  if (c->has_awake) return RX_OK;
  /* The test batch as the KL analysis simulates it (same noise index): the same awake outputs. */
  int rc = rxa_simulate(a, &r->ck, a->cfg->batch_size, r->ck.cfg.task.sequence_length, 0, 0, 0, 0,
                        SIM_ACTIVE, &c->awake, err);
  if (rc) return rc;
  c->has_awake = 1;
  const size_t n = (size_t)c->awake.T * c->awake.B;
  double *x = rxa_to_double(c->awake.decoded, n * c->awake.dim);
  if (!x) return rx_fail(err, RX_ENOMEM, "out of memory");
  char what[400];
  snprintf(what, sizeof what, "active outputs of %s", r->name);
  if (rxa_is_circular(a)) {
    rc = rx_circular_kde_create(&c->ckde, x, n, what, err);
    c->hist = calloc((size_t)a->cfg->hd.bins, sizeof(double));
    if (!rc && !c->hist) rc = rx_fail(err, RX_ENOMEM, "out of memory");
    if (!rc) rx_circular_histogram(c->awake.decoded, n, a->cfg->hd.bins, c->hist);
  } else {
    rc = rx_density_kde(&c->kde, x, n, 2, what, err);
  }
  free(x);
  return rc;
}

void rxa_arena_start_point(const rx_arena *ar, double p[2]) {
  for (int k = 0; k < 2; k++)
    p[k] = 0.5 * (ar->lo[k] + ar->hi[k]) + 0.8 * 0.5 * (ar->lo[k] - ar->hi[k]);
  if (rx_arena_contains(ar, p[0], p[1])) return;
  double d, theta; /* the distance to the nearest boundary point and the direction towards it */
  rx_arena_nearest_wall(ar, p[0], p[1], &d, &theta);
  if (ar->kind == RX_ARENA_CIRCLE) /* outside the circle: d = r - |p| < 0, theta outwards */
    d = -d, theta += M_PI;
  double m = 0.1 * fmin(ar->hi[0] - ar->lo[0], ar->hi[1] - ar->lo[1]);
  for (int i = 0; i < 40; i++, m *= 0.5) {
    const double x = p[0] + (d + m) * cos(theta), y = p[1] + (d + m) * sin(theta);
    if (rx_arena_contains(ar, x, y)) {
      p[0] = x, p[1] = y;
      return;
    }
  }
}

/* Initial population codes of the point start: every trajectory from the code of one position
 * (default (-0.8 W/2, -0.8 H/2), near a corner of the box; in another arena
 * rxa_arena_start_point's) or
 * heading (default pi). */
void rxa_probe_point(const analysis_ctx *a, const rx_checkpoint *ck, double p0[2]) {
  p0[1] = 0;
  rx_arena ar;
  if (a->cfg->mixing.has_point) {
    p0[0] = a->cfg->mixing.point[0];
    p0[1] = a->cfg->mixing.point[1];
  } else if (rxa_is_circular(a)) {
    p0[0] = M_PI;
  } else if (ck->cfg.task.arena != RX_ARENA_BOX && !rxa_arena(&ck->cfg, &ar, NULL)) {
    rxa_arena_start_point(&ar, p0);
  } else {
    p0[0] = -0.8 * ck->cfg.task.box_width / 2;
    p0[1] = -0.8 * ck->cfg.task.box_height / 2;
  }
}

static float *point_codes(const analysis_ctx *a, const rx_checkpoint *ck, int B) {
  const rx_population *pop = ck->pop;
  double p[2];
  rxa_probe_point(a, ck, p);
  const float p0[2] = {(float)p[0], (float)p[1]};
  float *codes = malloc((size_t)B * ck->rnn->spec.n_init * sizeof(float) + 1);
  if (!codes) return NULL;
  rx_population_encode(pop, p0, 1, codes);
  for (int b = 1; b < B; b++)
    memcpy(codes + (size_t)b * ck->rnn->spec.n_init, codes,
           (size_t)ck->rnn->spec.n_init * sizeof(float));
  return codes;
}

/* Copies trajectory 0 of s to all B (the runs of a start every trajectory shares, without
 * noise, are the same B times over). */
static int broadcast_one(rx_sim_result *s, int B, rx_error *err) {
  const size_t row = (size_t)s->dim, T = (size_t)s->T_decoded;
  float *y = malloc(T * B * row * sizeof *y + 1);
  if (!y) return rx_fail(err, RX_ENOMEM, "out of memory");
  for (size_t t = 0; t < T; t++)
    for (int b = 0; b < B; b++)
      memcpy(y + (t * B + b) * row, s->decoded + t * row, row * sizeof *y);
  free(s->decoded);
  s->decoded = y;
  s->B = B;
  return RX_OK;
}

int rxa_probe_run(analysis_ctx *a, run_slot *r, const probe_cond *c, int ci, probe_start start,
                  const rx_sim_result **out, rx_sim_result *storage, int *owned, rx_error *err) {
  const int B = a->cfg->mixing.batch_size, T = a->cfg->mixing.t_total;
  *owned = 0;
  if (start == START_ACTIVE && r->probe.has_long[ci]) {
    *out = &r->probe.long_run[ci];
    return RX_OK;
  }
  /* A foreign start without any noise: its B trajectories share a start and stay the same, so
   * one is run and copied B times. */
  const rx_rnn_spec *spec = &r->ck.rnn->spec;
  const int one = start != START_ACTIVE && c->noise_variance == 0 && spec->sigma_in == 0 &&
                  spec->sigma_out == 0;
  rx_sim_request req = rx_sim_request_default(one ? 1 : B, T, (uint32_t)a->cfg->seed);
  req.batch_seed = (uint32_t)r->ck.cfg.seed;
  req.batch_stream = RX_STREAM_TEST_TASK; /* the awake start: the test batch's initial states */
  req.quiescent = 1;
  req.quiescent_mechanism = rxa_offline_of(a, &r->ck);
  req.rule = c->rule;
  req.rule_variance = c->rule_var;
  req.noise_index = (uint32_t)(SIM_PROBE + 8 * ci + (int)start);
  /* The awake start's run is shared with score and diffusion, which use every step; mixing
   * alone, and the foreign starts, use every mixing.stride-th. Each step is read out on its own
   * either way, so the steps mixing uses have the same bits whether or not the others ran. */
  req.decode_every = start == START_ACTIVE && a->probe_every_step ? 1 : a->cfg->mixing.stride;
  float *codes = NULL, *h0 = NULL;
  if (start == START_POINT && !(req.init = codes = point_codes(a, &r->ck, req.B)))
    return rx_fail(err, RX_ENOMEM, "out of memory");
  if (start == START_ZERO && !(req.h0 = h0 = calloc((size_t)req.B * spec->n_rec, sizeof(float))))
    return rx_fail(err, RX_ENOMEM, "out of memory");
  rx_sim_result *dst = start == START_ACTIVE ? &r->probe.long_run[ci] : storage;
  int rc = rx_simulate(&r->ck, &req, dst, err);
  free(codes);
  free(h0);
  if (!rc && one && (rc = broadcast_one(dst, B, err))) rx_sim_result_free(dst);
  if (rc) return rc;
  if (start == START_ACTIVE)
    r->probe.has_long[ci] = 1;
  else
    *owned = 1;
  *out = dst;
  return RX_OK;
}

int rxa_probe_kl(analysis_ctx *a, run_slot *r, const float *x, size_t n, double *out,
                 rx_error *err) {
  const probe_cache *c;
  int rc = rxa_probe_awake(a, r, &c, err);
  if (rc) return rc;
  if (rxa_is_circular(a)) {
    const int bins = a->cfg->hd.bins;
    double *h = calloc((size_t)bins, sizeof(double));
    if (!h) return rx_fail(err, RX_ENOMEM, "out of memory");
    rx_circular_histogram(x, n, bins, h);
    rc = rx_kl_discrete(h, c->hist, bins, out, err);
    free(h);
    return rc;
  }
  double *xd = rxa_to_double(x, 2 * n);
  rx_density *q = NULL;
  if (!xd) return rx_fail(err, RX_ENOMEM, "out of memory");
  rc = rx_density_kde(&q, xd, n, 2, "quiescent outputs of a probe window", err);
  free(xd);
  if (rc == RX_EINVAL && n >= 2) {
    /* Samples all at one point (or on one line): a network without noise that has settled. No
     * KDE exists; the divergence from any density is infinite, and the estimator's clipping
     * (ratios at most 1e7) caps it at log 1e7, which is what it is given. */
    *out = log(1e7);
    return RX_OK;
  }
  if (!rc)
    rc = rx_kl_matrix((const rx_density *const *)&q, 1, (const rx_density *const *)&c->kde, 1,
                      (size_t)a->cfg->mixing.kl_samples, (uint32_t)a->cfg->seed, RX_STREAM_ANALYSIS,
                      out, err);
  rx_density_free(q);
  return rc;
}

int rxa_probe_each(analysis_ctx *a, int analysis,
                   void (*settings)(analysis_ctx *a, cJSON *set, npz_list *arrays, void *state),
                   probe_run_fn per_run, void *state, rx_error *err) {
  run_slot *slots[RX_RESULTS_MAX_RUNS + 1];
  int n;
  int rc = rxa_probe_slots(a, slots, &n, err);
  if (rc) return rc;
  cJSON *root = cJSON_CreateObject();
  npz_list *arrays = calloc(1, sizeof *arrays);
  if (!root || !arrays) rc = rx_fail(err, RX_ENOMEM, "out of memory");
  if (!rc) {
    cJSON *set = cJSON_AddObjectToObject(root, "settings");
    cJSON_AddNumberToObject(set, "probes_noise", a->cfg->probes.noise);
    settings(a, set, arrays, state);
  }
  for (int i = 0; i < n && !rc; i++)
    rc = per_run(a, slots[i], root, arrays, state, err);
  return rxa_finish_files(a, analysis, root, arrays, rc, err);
}

void rxa_json_number(cJSON *obj, const char *key, double v) {
  if (isfinite(v))
    cJSON_AddNumberToObject(obj, key, v);
  else
    cJSON_AddNullToObject(obj, key);
}

cJSON *rxa_json_array(const double *v, int n) {
  cJSON *arr = cJSON_CreateArray();
  for (int i = 0; arr && i < n; i++)
    cJSON_AddItemToArray(arr, isfinite(v[i]) ? cJSON_CreateNumber(v[i]) : cJSON_CreateNull());
  return arr;
}
