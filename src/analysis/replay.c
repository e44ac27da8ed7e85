/* `reactivate analyze replay` (docs/replay.md §7; docs/science.md §13): per network of a seed
 * (the trained runs and the untrained control) and noise condition, the posterior over position
 * or heading bins of its quiescent outputs from the awake start and of its awake test batch, cut
 * into events, scored (the line score on the ring, the path score in the plane) and summarised,
 * with the temporal compression against the awake decoded speed. The statistics are replay.h's;
 * scoring a data set's events and its examples is replay_events.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probes_internal.h"
#include "analysis/replay_internal.h"
#include "reactivate/arena.h"
#include "reactivate/config.h"
#include "reactivate/population.h"
#include "reactivate/rng.h"
#include "reactivate/sampling.h"
#include "reactivate/task.h"

/* What every run of the file shares: the bins and how events are scored. The posterior is
 * decoded over g: the ring, or plane bins over the arena's bounding box, those centred outside
 * the arena masked out (inside, NULL when every bin is inside). On a linear track (line) the
 * plane posterior is marginalised over the track's width onto lg, bins along its long axis, and
 * gets the line score without wrap (docs/replay.md §2, §4). */
typedef struct replay_state {
  int ring, line;
  rx_replay_grid g;      /* decoded: ring or plane */
  rx_replay_grid lg;     /* line: the long axis's bins (lg.nx == g.nx) */
  unsigned char *inside; /* plane: (g.n_bins,) bins centred in the arena, or NULL (all) */
  int n_inside;
  rxa_replay_opts o;
  rx_arena arena; /* plane and line: the first run's arena */
} replay_state;

/* The bins the events are scored over: the line's or the decoded ones. */
static const rx_replay_grid *scored_grid(const replay_state *st) {
  return st->line ? &st->lg : &st->g;
}

/* Event ids (replay.h: the shuffles of an event are keyed by its id): the run in bits 27-29 (its
 * experiment id, 7 for the control), the condition in bit 26, awake events in bit 25, the event's
 * index (trajectory x windows + window) below, so that no two events of a file, and no two runs'
 * events, share their shuffles. */
static uint32_t event_id0(const run_slot *r, int ci, int awake) {
  const uint32_t slot = r->exp ? (uint32_t)r->exp->id : 7u;
  return slot << 27 | (uint32_t)ci << 26 | (uint32_t)awake << 25;
}

/* Refuses networks whose outputs cannot be turned into a posterior over positions: identity
 * codes (task.use_place_cells / use_hd_cells false), whose outputs are the position itself. */
static int check_run(const analysis_ctx *a, const run_slot *r, const replay_state *st,
                     rx_error *err) {
  const rx_population *pop = r->ck.pop;
  if (!pop || pop->identity)
    return rx_fail(err, RX_EINVAL,
                   "replay: %s has no population code to decode (task.%s: false; its outputs "
                   "are the %s itself): the posterior needs %s cells",
                   r->name, rxa_is_circular(a) ? "use_hd_cells" : "use_place_cells",
                   rxa_is_circular(a) ? "heading" : "position",
                   rxa_is_circular(a) ? "head-direction" : "place");
  if (!st->ring) {
    rx_arena ar;
    int rc = rxa_arena(&r->ck.cfg, &ar, err);
    if (rc) return rc;
    const rx_arena *f = &st->arena;
    if (ar.kind != f->kind || ar.lo[0] != f->lo[0] || ar.hi[0] != f->hi[0] ||
        ar.lo[1] != f->lo[1] || ar.hi[1] != f->hi[1] || ar.area != f->area)
      return rx_fail(err, RX_EINVAL,
                     "replay: %s's arena (%s over [%g, %g] x [%g, %g] m) differs from the first "
                     "run's (%s over [%g, %g] x [%g, %g] m); the runs of one file share their bins",
                     r->name, rx_arena_name(ar.kind), ar.lo[0], ar.hi[0], ar.lo[1], ar.hi[1],
                     rx_arena_name(f->kind), f->lo[0], f->hi[0], f->lo[1], f->hi[1]);
  }
  if (!(r->ck.cfg.task.dt > 0))
    return rx_fail(err, RX_EINVAL, "replay: %s's task.dt is %g; speeds need dt > 0", r->name,
                   r->ck.cfg.task.dt);
  return RX_OK;
}

/* Scores the events of y (T, B, n) (outputs, or hidden states for a folded decoder), time-major:
 * trajectory b's window w (0 .. W - 1) is event b W + w, its steps t0 + w E .. t0 + (w + 1) E - 1.
 * RXA_REPLAY_CHUNK events at a time: their rows gathered in event order, their posterior, their
 * scores. */
static int score_outputs(const replay_state *st, const float *y, int B,
                         const rx_replay_decoder *dec, int t0, int W, int E, double s2,
                         uint32_t id0, rxa_replay_set *set, rx_error *err) {
  const int n_out = dec->n_in; /* the width of y's rows: outputs, or hidden states (folded) */
  const size_t n = (size_t)B * W, bins = (size_t)st->g.n_bins;
  const rx_replay_grid *sg = scored_grid(st);
  int rc = rxa_replay_set_init(set, &st->o, n, E, sg->n_bins, err);
  if (rc) return rc;
  const size_t cap = n < RXA_REPLAY_CHUNK ? n : RXA_REPLAY_CHUNK;
  float *buf = malloc(cap * E * (size_t)n_out * sizeof *buf);
  float *post = malloc(cap * E * bins * sizeof *post);
  float *marg = st->line ? malloc(cap * E * (size_t)sg->n_bins * sizeof *marg) : NULL;
  if (!buf || !post || (st->line && !marg))
    rc = rx_fail(err, RX_ENOMEM, "replay: out of memory for %zu events", cap);
  for (size_t e0 = 0; !rc && e0 < n; e0 += cap) {
    const size_t ne = n - e0 < cap ? n - e0 : cap;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < ne; i++) {
      const size_t b = (e0 + i) / W, w = (e0 + i) % W;
      for (int s = 0; s < E; s++) {
        const size_t t = (size_t)t0 + w * E + s;
        memcpy(buf + (i * E + s) * n_out, y + (t * B + b) * n_out, (size_t)n_out * sizeof *buf);
      }
    }
    rc = rx_replay_decode(dec, buf, ne * E, s2, post, err);
    if (!rc && st->line) rx_replay_marginal_x(post, ne * E, st->g.nx, st->g.ny, marg);
    if (!rc)
      rc = rxa_replay_score(set, st->line ? marg : post, e0, ne, id0 + (uint32_t)e0, sg->centers,
                            err);
  }
  free(buf);
  free(post);
  free(marg);
  if (rc) rxa_replay_set_free(set);
  return rc;
}

/* The median |speed| of every event of a set, in the set's units per step (NaN when none is
 * finite): the awake events' decoded speed, measured by the same fit as the replay speeds. */
static double median_abs_speed(const rxa_replay_set *set) {
  double *v = malloc((set->n ? set->n : 1) * sizeof *v);
  if (!v) return NAN;
  for (size_t i = 0; i < set->n; i++)
    v[i] = fabs(set->o.line ? set->ls[i].speed : set->ps[i].speed);
  const double med = rx_median_finite(v, set->n);
  free(v);
  return med;
}

/* The run's awake test batch (as the other analyses simulate it: the same outputs) with its
 * outputs kept. */
static int simulate_awake(const analysis_ctx *a, const run_slot *r, rx_sim_result *out,
                          rx_error *err) {
  rx_sim_request req = rx_sim_request_default(a->cfg->batch_size, r->ck.cfg.task.sequence_length,
                                              (uint32_t)a->cfg->seed);
  req.batch_seed = (uint32_t)r->ck.cfg.seed;
  req.batch_stream = RX_STREAM_TEST_TASK;
  req.noise_index = SIM_ACTIVE;
  req.keep_outputs = 1;
  return rx_simulate(&r->ck, &req, out, err);
}

/* Quiescent from the awake start (the test batch's initial states), replay.t_burn +
 * replay.t_total steps, outputs kept. */
static int simulate_quiescent(const analysis_ctx *a, const run_slot *r, const probe_cond *c, int ci,
                              int hidden_only, rx_sim_result *out, rx_error *err) {
  const int T = a->cfg->replay.t_burn + a->cfg->replay.t_total;
  rx_sim_request req = rx_sim_request_default(a->cfg->replay.batch_size, T, (uint32_t)a->cfg->seed);
  req.batch_seed = (uint32_t)r->ck.cfg.seed;
  req.batch_stream = RX_STREAM_TEST_TASK;
  req.quiescent = 1;
  req.quiescent_mechanism = rxa_offline_of(a, &r->ck);
  req.rule = c->rule;
  req.rule_variance = c->rule_var;
  req.noise_index = (uint32_t)(SIM_REPLAY + ci);
  req.keep_outputs = !hidden_only;
  req.keep_hidden = req.hidden_only = hidden_only;
  return rx_simulate(&r->ck, &req, out, err);
}

/* The median of v (n,) (sorted in place), or NaN. */
static double median(double *v, size_t n) {
  double med = NAN;
  if (!n || rx_percentile(v, n, 50.0, &med, NULL)) med = NAN;
  return med;
}

/* The median speed per step of the true positions or headings of a test batch (T, B, dim); on a
 * linear track (line) along its long axis, |dx|. */
static double true_speed(const rx_batch *bt, int ring, int line) {
  if (bt->T < 2) return NAN;
  const size_t n = (size_t)(bt->T - 1) * bt->B;
  double *v = malloc(n * sizeof *v);
  if (!v) return NAN;
  for (int t = 0; t + 1 < bt->T; t++)
    for (int b = 0; b < bt->B; b++) {
      const float *p = bt->targets + ((size_t)t * bt->B + b) * bt->dim;
      const float *q = p + (size_t)bt->B * bt->dim;
      v[(size_t)t * bt->B + b] = ring   ? fabs(rx_wrap_angle((double)q[0] - p[0]))
                                 : line ? fabs((double)q[0] - p[0])
                                        : hypot((double)q[0] - p[0], (double)q[1] - p[1]);
    }
  const double med = median(v, n);
  free(v);
  return med;
}

/* One source's results (the quiescent or the awake events of a condition) into the condition's
 * object and the arrays "<run>.<condition>.<source>.<what>". */
static int write_source(cJSON *cond, npz_list *arrays, const char *run, const char *cname,
                        const char *source, const rxa_replay_set *set, const rxa_replay_units *u,
                        rx_replay_summary *sum, rx_error *err) {
  cJSON *obj = cJSON_AddObjectToObject(cond, source);
  if (!set) {
    rxa_replay_json_empty(obj);
    memset(sum, 0, sizeof *sum);
    sum->fraction_significant = sum->median_speed = sum->median_abs_speed = NAN;
    sum->median_abs_speed_all = NAN;
    return RX_OK;
  }
  int rc = rxa_replay_json(obj, set, u, sum, err);
  char prefix[400];
  snprintf(prefix, sizeof prefix, "%s.%s.%s", run, cname, source);
  if (!rc) rc = rxa_replay_arrays(arrays, prefix, set, u, err);
  return rc;
}

static int replay_run(analysis_ctx *a, run_slot *r, cJSON *root, npz_list *arrays, void *state,
                      rx_error *err) {
  const replay_state *st = state;
  const rx_analysis_config *cfg = a->cfg;
  const rx_population *pop = r->ck.pop;
  const int n_out = r->ck.rnn->spec.n_out, E = cfg->replay.event_steps;
  const double dt = r->ck.cfg.task.dt;
  const rx_replay_grid *sg = scored_grid(st);
  float *code = malloc((size_t)st->g.n_bins * n_out * sizeof *code);
  if (!code)
    return rx_fail(err, RX_ENOMEM, "replay: out of memory for the code of %d bins", st->g.n_bins);
  rx_population_encode(pop, st->g.centers, (size_t)st->g.n_bins, code);
  /* The awake events are decoded from the outputs. The quiescent runs, without output noise,
   * from their hidden states through the readout folded into the code (docs/replay.md §2):
   * their outputs are then never formed, which spares the readout's product over every step
   * (a third of a quiescent run's arithmetic at the paper's sizes). */
  rx_replay_decoder dec_out, dec_q;
  memset(&dec_q, 0, sizeof dec_q); /* freed on any failure below */
  const float *w_out, *b_out;
  rx_rnn_readout_weights(r->ck.rnn, &w_out, &b_out);
  const int fold = r->ck.rnn->spec.sigma_out == 0;
  int rc = rx_replay_decoder_outputs(&dec_out, code, st->g.n_bins, n_out, err);
  if (!rc && fold)
    rc = rx_replay_decoder_readout(&dec_q, code, st->g.n_bins, n_out, w_out, b_out,
                                   r->ck.rnn->spec.n_rec, err);
  free(code);
  if (!rc && st->inside) rc = rx_replay_decoder_mask(&dec_out, st->inside, err);
  if (!rc && st->inside && fold) rc = rx_replay_decoder_mask(&dec_q, st->inside, err);
  if (rc) {
    rx_replay_decoder_free(&dec_out);
    if (fold) rx_replay_decoder_free(&dec_q);
    return rc;
  }
  const rx_replay_decoder *dq = fold ? &dec_q : &dec_out;

  /* s^2 and the awake events, from the test batch */
  rx_sim_result awake;
  rxa_replay_set awake_set;
  int has_awake_set = 0;
  double s2 = NAN;
  rc = simulate_awake(a, r, &awake, err);
  if (!rc) {
    const size_t m = (size_t)awake.T * awake.B;
    rc = rx_population_mse(pop, awake.outputs, awake.batch.targets, m, NULL, &s2, NULL, err);
    if (!rc && !(s2 > 0 && isfinite(s2)))
      rc = rx_fail(err, RX_EINVAL,
                   "replay: %s's awake outputs give a mean squared error of %g per unit; the "
                   "posterior needs a finite one > 0",
                   r->name, s2);
  }
  const int W_awake = rc ? 0 : awake.T / E;
  if (!rc && (double)awake.B * W_awake >= (double)(1u << 25))
    rc = rx_fail(err, RX_EINVAL,
                 "replay: %d test trajectories x %d windows are more awake events than the %u "
                 "event ids hold (batch_size)",
                 awake.B, W_awake, 1u << 25);
  double awake_v = NAN, behaviour_v = NAN;
  if (!rc) behaviour_v = true_speed(&awake.batch, st->ring, st->line) / dt;
  if (!rc && W_awake > 0) {
    rc = score_outputs(st, awake.outputs, awake.B, &dec_out, 0, W_awake, E, s2, event_id0(r, 0, 1),
                       &awake_set, err);
    has_awake_set = !rc;
    if (!rc) awake_v = median_abs_speed(&awake_set) * (st->o.line ? sg->width[0] : 1.0) / dt;
  } else if (!rc) {
    rxa_log(a, "replay: %s: the test batch's %d steps hold no event of %d steps (no awake events)",
            r->name, awake.T, E);
  }
  rx_sim_result_free(&awake);

  const rxa_replay_units u = {st->o.line ? sg->width[0] / dt : 1.0 / dt,
                              st->o.line ? NULL : st->g.centers};
  cJSON *run = cJSON_AddObjectToObject(root, r->name);
  if (!rc) {
    cJSON_AddNumberToObject(run, "dt", dt);
    cJSON_AddNumberToObject(run, "s2", s2);
    cJSON_AddNumberToObject(run, "awake_windows", W_awake);
    rxa_json_number(run, "awake_decoded_speed", awake_v);
    rxa_json_number(run, "awake_true_speed", behaviour_v);
  }
  probe_cond conds[2];
  const int n_cond = rc ? 0 : rxa_probe_conditions(a, r, conds);
  const int W = cfg->replay.t_total / E;
  for (int ci = 0; ci < n_cond && !rc; ci++) {
    rx_sim_result q;
    rxa_replay_set set;
    rc = simulate_quiescent(a, r, &conds[ci], ci, fold, &q, err);
    if (rc) break;
    rc = score_outputs(st, fold ? q.hidden : q.outputs, q.B, dq, cfg->replay.t_burn, W, E, s2,
                       event_id0(r, ci, 0), &set, err);
    rx_sim_result_free(&q);
    if (rc) break;
    cJSON *cond = cJSON_AddObjectToObject(run, conds[ci].name);
    rxa_json_number(cond, "noise_variance", conds[ci].noise_variance);
    rx_replay_summary sq, sa;
    rc = write_source(cond, arrays, r->name, conds[ci].name, "quiescent", &set, &u, &sq, err);
    /* the awake events are the run's: the same under each condition */
    if (!rc)
      rc = write_source(cond, arrays, r->name, conds[ci].name, "awake",
                        has_awake_set ? &awake_set : NULL, &u, &sa, err);
    if (!rc) {
      /* temporal compression: replay speed of the significant quiescent events over the awake
       * decoded speed */
      const double compression = sq.median_abs_speed / awake_v;
      rxa_json_number(cond, "compression", compression);
      char aw[96] = "no awake events";
      if (has_awake_set)
        snprintf(aw, sizeof aw, "awake %.1f %% of %zu", 100 * sa.fraction_significant, sa.n_events);
      rxa_log(a,
              "replay: %s (%s): %.1f %% of %zu quiescent events significant (%s), median "
              "|speed| %.3g %s, compression %.3g",
              r->name, conds[ci].name, 100 * sq.fraction_significant, sq.n_events, aw,
              sq.median_abs_speed, st->ring ? "rad/s" : "m/s", compression);
    }
    rxa_replay_set_free(&set);
  }
  if (has_awake_set) rxa_replay_set_free(&awake_set);
  rx_replay_decoder_free(&dec_out);
  if (fold) rx_replay_decoder_free(&dec_q);
  return rc;
}

static void replay_settings(analysis_ctx *a, cJSON *set, npz_list *arrays, void *state) {
  const rx_analysis_config *cfg = a->cfg;
  const replay_state *st = state;
  const rx_replay_grid *g = scored_grid(st);
  const int E = cfg->replay.event_steps, W = cfg->replay.t_total / E;
  cJSON *bins = cJSON_AddObjectToObject(set, "bins");
  cJSON_AddStringToObject(bins, "kind", st->ring ? "ring" : st->line ? "line" : "plane");
  cJSON_AddNumberToObject(bins, "n_bins", g->n_bins);
  cJSON_AddNumberToObject(bins, "nx", g->nx);
  cJSON_AddNumberToObject(bins, "ny", g->ny);
  cJSON_AddItemToObject(bins, "x", rxa_json_array((const double[]){g->lo[0], g->hi[0]}, 2));
  if (st->line) {
    /* decoded over the track's plane bins, then summed across its width */
    cJSON_AddItemToObject(bins, "width", rxa_json_array(g->width, 1));
    cJSON_AddNumberToObject(bins, "bin_size", cfg->replay.bin_size);
    cJSON_AddItemToObject(bins, "marginal_y",
                          rxa_json_array((const double[]){st->g.lo[1], st->g.hi[1]}, 2));
    cJSON_AddNumberToObject(bins, "marginal_ny", st->g.ny);
  } else if (!st->ring) {
    cJSON_AddItemToObject(bins, "y", rxa_json_array((const double[]){g->lo[1], g->hi[1]}, 2));
    cJSON_AddItemToObject(bins, "width", rxa_json_array(g->width, 2));
    cJSON_AddNumberToObject(bins, "bin_size", cfg->replay.bin_size);
  } else {
    cJSON_AddItemToObject(bins, "width", rxa_json_array(g->width, 1));
    cJSON_AddNumberToObject(bins, "bin_degrees", cfg->replay.bin_degrees);
  }
  cJSON_AddNumberToObject(set, "batch_size", cfg->replay.batch_size);
  cJSON_AddNumberToObject(set, "t_burn", cfg->replay.t_burn);
  cJSON_AddNumberToObject(set, "t_total", cfg->replay.t_total);
  cJSON_AddNumberToObject(set, "event_steps", E);
  cJSON_AddNumberToObject(set, "n_windows", W);
  cJSON_AddNumberToObject(set, "n_events", (double)cfg->replay.batch_size * W);
  cJSON_AddNumberToObject(set, "awake_batch_size", cfg->batch_size);
  if (!st->ring && st->arena.kind != RX_ARENA_BOX) { /* the box's settings are as they were */
    cJSON_AddStringToObject(bins, "arena", rx_arena_name(st->arena.kind));
    cJSON_AddNumberToObject(bins, "n_inside", st->n_inside);
  }
  cJSON_AddStringToObject(set, "score", st->o.line ? "line" : "path");
  cJSON_AddNumberToObject(set, "n_shuffles", cfg->replay.n_shuffles);
  cJSON_AddNumberToObject(set, "alpha", cfg->replay.alpha);
  if (st->o.line) {
    cJSON_AddNumberToObject(set, "n_speeds", cfg->replay.n_speeds);
    cJSON_AddNumberToObject(set, "v_max", cfg->replay.v_max);
    cJSON_AddNumberToObject(set, "band", cfg->replay.band);
  }
  cJSON_AddNumberToObject(set, "n_examples", st->o.n_examples);
  cJSON_AddNumberToObject(set, "seed", cfg->seed);
  cJSON_AddStringToObject(set, "speed_unit", st->ring ? "rad/s" : "m/s");
  double *c = malloc((size_t)g->n_bins * g->dim * sizeof *c);
  for (int i = 0; c && i < g->n_bins * g->dim; i++)
    c[i] = g->centers[i];
  if (c)
    rxa_npz_add(arrays, "settings", "centers", rxa_to_float(c, (size_t)g->n_bins * g->dim),
                g->dim == 2 ? 2 : 1, g->n_bins, g->dim == 2 ? 2 : 0, 0);
  free(c);
  if (st->inside) { /* plane bins centred outside the arena: never decoded (probability 0) */
    double *in = malloc((size_t)g->n_bins * sizeof *in);
    for (int i = 0; in && i < g->n_bins; i++)
      in[i] = st->inside[i];
    if (in)
      rxa_npz_add(arrays, "settings", "inside", rxa_to_float(in, g->n_bins), 2, g->ny, g->nx, 0);
    free(in);
  }
}

/* The bins of the spatial task: plane bins of replay.bin_size over the arena's bounding box (the
 * box's W x H for the box), a mask of those centred in it, and on a linear track the line bins
 * along its long axis (x). */
static int spatial_bins(replay_state *st, double size, rx_error *err) {
  const rx_arena *ar = &st->arena;
  int rc = rx_replay_grid_plane(&st->g, ar->lo[0], ar->hi[0], ar->lo[1], ar->hi[1], size, err);
  st->line = ar->kind == RX_ARENA_LINEAR_TRACK;
  if (!rc && st->line) rc = rx_replay_grid_line(&st->lg, ar->lo[0], ar->hi[0], size, err);
  if (rc) return rc;
  if (st->line && st->lg.nx != st->g.nx) /* the same span and size: never */
    return rx_fail(err, RX_EINVAL, "%d line bins for %d plane columns", st->lg.nx, st->g.nx);
  st->inside = rxa_arena_mask(ar, st->g.nx, st->g.ny, &st->n_inside);
  if (st->n_inside < 0) return rx_fail(err, RX_ENOMEM, "out of memory for %d bins", st->g.n_bins);
  if (!st->n_inside)
    return rx_fail(err, RX_EINVAL, "no bin of %g m is centred in the %s arena", size,
                   rx_arena_name(ar->kind));
  return RX_OK;
}

int rxa_replay(analysis_ctx *a, rx_error *err) {
  const rx_analysis_config *cfg = a->cfg;
  run_slot *slots[RX_RESULTS_MAX_RUNS + 1];
  int n;
  int rc = rxa_probe_slots(a, slots, &n, err);
  if (rc) return rc;
  replay_state st;
  memset(&st, 0, sizeof st);
  st.ring = rxa_is_circular(a);
  if (!st.ring) rc = rxa_arena(&slots[0]->ck.cfg, &st.arena, err);
  for (int i = 0; i < n && !rc; i++)
    rc = check_run(a, slots[i], &st, err);
  if (rc) return rc;
  if (st.ring)
    rc = rx_replay_grid_ring(&st.g, cfg->replay.bin_degrees * M_PI / 180, err);
  else
    rc = spatial_bins(&st, cfg->replay.bin_size, err);
  if (rc) {
    rx_replay_grid_free(&st.g);
    rx_replay_grid_free(&st.lg);
    free(st.inside);
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return rx_fail(err, rc, "replay.%s: %s", st.ring ? "bin_degrees" : "bin_size", why);
  }
  st.o.line = st.ring || st.line;
  st.o.lo = rx_line_score_opts_default();
  st.o.lo.circular = st.ring; /* the track's ends do not meet: no wrap */
  st.o.lo.n_speeds = cfg->replay.n_speeds;
  st.o.lo.v_max = cfg->replay.v_max;
  st.o.lo.band = cfg->replay.band;
  st.o.lo.n_shuffles = cfg->replay.n_shuffles;
  st.o.lo.alpha = cfg->replay.alpha;
  st.o.lo.seed = (uint32_t)cfg->seed;
  st.o.lo.stream = RX_STREAM_REPLAY;
  st.o.po = rx_path_score_opts_default();
  st.o.po.n_shuffles = cfg->replay.n_shuffles;
  st.o.po.alpha = cfg->replay.alpha;
  st.o.po.seed = (uint32_t)cfg->seed;
  st.o.po.stream = RX_STREAM_REPLAY;
  st.o.n_examples = cfg->replay.n_examples;
  rc = rxa_probe_each(a, RX_RESULTS_REPLAY, replay_settings, replay_run, &st, err);
  rx_replay_grid_free(&st.g);
  rx_replay_grid_free(&st.lg);
  free(st.inside);
  return rc;
}
