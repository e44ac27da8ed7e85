/* The events of one replay data set scored chunk by chunk, with its example events chosen as they
 * stream past, and their summary, per-event numbers and arrays under the names of docs/replay.md
 * §7. Shared by the driver over the runs (replay.c) and the file mode (replay_file.c); the
 * statistics are replay.h's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/probes_internal.h" /* rxa_json_number, rxa_json_array */
#include "analysis/replay_internal.h"
#include "reactivate/sampling.h" /* rx_percentile */

int rxa_replay_set_init(rxa_replay_set *s, const rxa_replay_opts *o, size_t n, int steps, int width,
                        rx_error *err) {
  memset(s, 0, sizeof *s);
  s->o = *o;
  if (s->o.n_examples > RXA_REPLAY_MAX_EXAMPLES) s->o.n_examples = RXA_REPLAY_MAX_EXAMPLES;
  if (s->o.n_examples < 0) s->o.n_examples = 0;
  s->n = n;
  s->steps = steps;
  s->width = width;
  const size_t ex = (size_t)s->o.n_examples * steps * width;
  if (o->line)
    s->ls = calloc(n ? n : 1, sizeof *s->ls);
  else
    s->ps = calloc(n ? n : 1, sizeof *s->ps);
  s->best_data = malloc((ex ? ex : 1) * sizeof(float));
  s->typical_data = malloc((ex ? ex : 1) * sizeof(float));
  if ((!s->ls && !s->ps) || !s->best_data || !s->typical_data) {
    rxa_replay_set_free(s);
    return rx_fail(err, RX_ENOMEM, "replay: out of memory for %zu events", n);
  }
  return RX_OK;
}

void rxa_replay_set_free(rxa_replay_set *s) {
  free(s->ls);
  free(s->ps);
  free(s->best_data);
  free(s->typical_data);
  memset(s, 0, sizeof *s);
}

static int significant(const rxa_replay_set *s, size_t e) {
  return s->o.line ? s->ls[e].significant : s->ps[e].significant;
}

static double score_of(const rxa_replay_set *s, size_t e) {
  return s->o.line ? s->ls[e].score : s->ps[e].r2;
}

/* Offers event e (its data at d) as an example. */
static void offer(rxa_replay_set *s, size_t e, const float *d) {
  const int k = s->o.n_examples;
  const size_t one = (size_t)s->steps * s->width;
  if (!k) return;
  if (significant(s, e)) {
    /* keep the k best, best first; a later event replaces only when strictly better */
    const double v = score_of(s, e);
    int at = s->n_best;
    while (at > 0 && v > score_of(s, s->best[at - 1]))
      at--;
    if (at >= k) return;
    const int last = s->n_best < k ? s->n_best : k - 1; /* the slot that is dropped or filled */
    memmove(s->best + at + 1, s->best + at, (size_t)(last - at) * sizeof s->best[0]);
    memmove(s->best_data + (at + 1) * one, s->best_data + at * one,
            (size_t)(last - at) * one * sizeof(float));
    s->best[at] = e;
    memcpy(s->best_data + at * one, d, one * sizeof(float));
    if (s->n_best < k) s->n_best++;
    return;
  }
  /* the first non-significant event at or after position j n / k */
  const int j = s->n_typical;
  if (j < k && e >= (size_t)((double)j * (double)s->n / k)) {
    s->typical[j] = e;
    memcpy(s->typical_data + j * one, d, one * sizeof(float));
    s->n_typical++;
  }
}

int rxa_replay_score(rxa_replay_set *s, const float *data, size_t e0, size_t ne, uint32_t first_id,
                     const float *centers, rx_error *err) {
  int rc;
  if (s->o.line)
    rc = rx_replay_line_scores(data, ne, s->steps, s->width, &s->o.lo, first_id, s->ls + e0, NULL,
                               NULL, err);
  else if (s->o.points)
    rc =
        rx_replay_path_scores_points(data, ne, s->steps, &s->o.po, first_id, s->ps + e0, NULL, err);
  else
    rc = rx_replay_path_scores(data, ne, s->steps, s->width, centers, &s->o.po, first_id,
                               s->ps + e0, NULL, err);
  if (rc) return rc;
  const size_t one = (size_t)s->steps * s->width;
  for (size_t i = 0; i < ne; i++)
    offer(s, e0 + i, data + i * one);
  return RX_OK;
}

/* ---- summaries ---- */

static void examples_json(cJSON *obj, const rxa_replay_set *s) {
  cJSON *ex = cJSON_AddObjectToObject(obj, "examples");
  double idx[RXA_REPLAY_MAX_EXAMPLES];
  for (int i = 0; i < s->n_best; i++)
    idx[i] = (double)s->best[i];
  cJSON_AddItemToObject(ex, "significant", rxa_json_array(idx, s->n_best));
  for (int i = 0; i < s->n_typical; i++)
    idx[i] = (double)s->typical[i];
  cJSON_AddItemToObject(ex, "not_significant", rxa_json_array(idx, s->n_typical));
}

int rxa_replay_json(cJSON *obj, const rxa_replay_set *s, const rxa_replay_units *u,
                    rx_replay_summary *out, rx_error *err) {
  rx_replay_summary sum;
  int rc = s->o.line ? rx_replay_summarize_line(s->ls, s->n, &sum, err)
                     : rx_replay_summarize_path(s->ps, s->n, &sum, err);
  if (rc) return rc;
  double *v = malloc(s->n * sizeof *v);
  if (!v) return rx_fail(err, RX_ENOMEM, "replay: out of memory for %zu events", s->n);
  const double k = u->speed_scale;
  sum.median_speed *= k;
  sum.median_abs_speed *= fabs(k);
  sum.median_abs_speed_all *= fabs(k);
  if (out) *out = sum;
  cJSON_AddNumberToObject(obj, "n_events", (double)sum.n_events);
  cJSON_AddNumberToObject(obj, "n_significant", (double)sum.n_significant);
  cJSON_AddNumberToObject(obj, "fraction_significant", sum.fraction_significant);
  rxa_json_number(obj, "median_speed", sum.median_speed);
  rxa_json_number(obj, "median_abs_speed", sum.median_abs_speed);
  rxa_json_number(obj, "median_abs_speed_all", sum.median_abs_speed_all);
  const double alpha = s->o.line ? s->o.lo.alpha : s->o.po.alpha;
  if (s->o.line) {
    size_t col = 0, tim = 0;
    for (size_t e = 0; e < s->n; e++) {
      v[e] = s->ls[e].score;
      col += s->ls[e].p_column < alpha;
      tim += s->ls[e].p_time < alpha;
    }
    rxa_json_number(obj, "median_score", rx_median_finite(v, s->n));
    cJSON_AddNumberToObject(obj, "fraction_significant_column", (double)col / (double)s->n);
    cJSON_AddNumberToObject(obj, "fraction_significant_time", (double)tim / (double)s->n);
  } else {
    static const char *const keys[4] = {"median_r2", "median_path_length", "median_straightness",
                                        "median_max_jump"};
    for (int f = 0; f < 4; f++) {
      for (size_t e = 0; e < s->n; e++) {
        const rx_path_score *p = &s->ps[e];
        v[e] = f == 0 ? p->r2 : f == 1 ? p->path_length : f == 2 ? p->straightness : p->max_jump;
      }
      rxa_json_number(obj, keys[f], rx_median_finite(v, s->n));
    }
  }
  free(v);
  examples_json(obj, s);
  return RX_OK;
}

void rxa_replay_json_empty(cJSON *obj) {
  static const char *const keys[] = {"median_speed", "median_abs_speed", "median_abs_speed_all"};
  cJSON_AddNumberToObject(obj, "n_events", 0);
  cJSON_AddNumberToObject(obj, "n_significant", 0);
  cJSON_AddNullToObject(obj, "fraction_significant");
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    cJSON_AddNullToObject(obj, keys[i]);
}

/* Field f of every event as doubles (v: (n,)); returns the field's name. Speeds are scaled. */
static const char *field(const rxa_replay_set *s, int f, double scale, double *v) {
  static const char *const line_names[] = {"score",       "speed",    "p_time",
                                           "significant", "p_column", "start"};
  static const char *const path_names[] = {"score",       "speed",        "p_time",  "significant",
                                           "path_length", "straightness", "max_jump"};
  for (size_t e = 0; e < s->n; e++) {
    if (s->o.line) {
      const rx_line_score *p = &s->ls[e];
      const double x[6] = {p->score,       p->speed * scale, p->p_time,
                           p->significant, p->p_column,      p->start};
      v[e] = x[f];
    } else {
      const rx_path_score *p = &s->ps[e];
      const double x[7] = {p->r2,          p->speed * scale, p->p_time,  p->significant,
                           p->path_length, p->straightness,  p->max_jump};
      v[e] = x[f];
    }
  }
  return s->o.line ? line_names[f] : path_names[f];
}

static int n_fields(const rxa_replay_set *s) { return s->o.line ? 6 : 7; }

void rxa_replay_json_events(cJSON *obj, const rxa_replay_set *s, const rxa_replay_units *u) {
  double *v = malloc((s->n ? s->n : 1) * sizeof *v);
  for (int f = 0; v && f < n_fields(s); f++) {
    const char *name = field(s, f, u->speed_scale, v);
    if (f == 3) { /* significant: booleans */
      cJSON *arr = cJSON_AddArrayToObject(obj, name);
      for (size_t e = 0; arr && e < s->n; e++)
        cJSON_AddItemToArray(arr, cJSON_CreateBool(v[e] != 0));
    } else {
      cJSON_AddItemToObject(obj, name, rxa_json_array(v, (int)s->n));
    }
  }
  free(v);
}

static void add(npz_list *l, const char *prefix, const char *what, float *data, int ndim,
                int64_t d0, int64_t d1, int64_t d2) {
  rxa_npz_add(l, prefix, what, data, ndim, d0, d1, d2);
}

int rxa_replay_arrays(npz_list *l, const char *prefix, const rxa_replay_set *s,
                      const rxa_replay_units *u, rx_error *err) {
  double *v = malloc((s->n ? s->n : 1) * sizeof *v);
  if (!v) return rx_fail(err, RX_ENOMEM, "replay: out of memory for %zu events", s->n);
  for (int f = 0; f < n_fields(s); f++) {
    const char *name = field(s, f, u->speed_scale, v);
    add(l, prefix, name, rxa_to_float(v, s->n), 1, (int64_t)s->n, 0, 0);
  }
  free(v);
  const int k = s->n_best + s->n_typical, T = s->steps, W = s->width;
  if (!k) return RX_OK;
  const size_t one = (size_t)T * W;
  float *index = malloc((size_t)k * sizeof(float)), *sig = malloc((size_t)k * sizeof(float));
  float *data = malloc((size_t)k * one * sizeof(float));
  float *fit = malloc((size_t)k * 5 * sizeof(float));
  int rc = index && sig && data && fit ? RX_OK : rx_fail(err, RX_ENOMEM, "replay: out of memory");
  for (int i = 0; !rc && i < k; i++) {
    const int best = i < s->n_best;
    const size_t e = best ? s->best[i] : s->typical[i - s->n_best];
    index[i] = (float)e;
    sig[i] = (float)best;
    memcpy(data + i * one,
           (best ? s->best_data + i * one : s->typical_data + (i - s->n_best) * one),
           one * sizeof(float));
    if (s->o.line) {
      const rx_line_score *p = &s->ls[e];
      fit[(size_t)i * 3] = (float)p->start;
      fit[(size_t)i * 3 + 1] = (float)p->speed;
      fit[(size_t)i * 3 + 2] = (float)p->score;
    } else {
      const rx_path_score *p = &s->ps[e];
      const double x[5] = {p->start[0], p->start[1], p->velocity[0], p->velocity[1], p->r2};
      for (int j = 0; j < 5; j++)
        fit[(size_t)i * 5 + j] = (float)x[j];
    }
  }
  /* the decoded paths of 2-D posterior examples: each step's posterior mean */
  float *mean = NULL;
  if (!rc && !s->o.line && !s->o.points && u->centers) {
    double *m = malloc((size_t)k * T * 2 * sizeof *m);
    rc = m ? rx_replay_posterior_mean(data, (size_t)k * T, W, u->centers, 2, 0, m, err)
           : rx_fail(err, RX_ENOMEM, "replay: out of memory");
    if (!rc) mean = rxa_to_float(m, (size_t)k * T * 2);
    free(m);
  }
  if (rc) {
    free(index);
    free(sig);
    free(data);
    free(fit);
    free(mean);
    return rc;
  }
  add(l, prefix, "examples.index", index, 1, k, 0, 0);
  add(l, prefix, "examples.significant", sig, 1, k, 0, 0);
  add(l, prefix, s->o.points ? "examples.points" : "examples.posterior", data, 3, k, T, W);
  add(l, prefix, s->o.line ? "examples.line" : "examples.path", fit, 2, k, s->o.line ? 3 : 5, 0);
  if (mean) add(l, prefix, "examples.mean", mean, 3, k, T, 2);
  return RX_OK;
}
