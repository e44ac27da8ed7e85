/* The mechanisms family's figure (docs/mechanisms.md; the report's "Mechanisms"): fig_mechanisms
 * of a task, from its mech_ files (`reactivate analyze kl variance distance diffusion replay
 * mechanisms=true`: the main family's layouts keyed by the family's conditions, results.h). One
 * box panel per measure, one box per condition (the paper's cell, adaptation and momentum, as
 * trained and switched on or off offline) and the untrained control, in the same places in every
 * panel: per quiescent trajectory pooled over seeds (variance, step distance: the .npz arrays),
 * or one value per seed (α, median |v| and compression of the significant events, and in the
 * arena the KL to the own awake outputs: the JSON). A task without any mech_ file draws nothing
 * and says nothing, so the other families' figures are as before. Nothing is computed here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"
#include "reactivate/fileio.h"

#define NAME "fig_mechanisms" /* the report shows it in "Mechanisms" (RP_MECHANISMS_FIGURE) */

enum { MAX_GROUPS = RX_RESULTS_MAX_RUNS + 1 }; /* the conditions and the control */

/* The analyses of the family, whose files make the figure. */
static const int family[] = {RX_RESULTS_VARIANCE, RX_RESULTS_DISTANCE, RX_RESULTS_DIFFUSION,
                             RX_RESULTS_REPLAY, RX_RESULTS_KL};
#define N_FAMILY (int)(sizeof family / sizeof family[0])

/* One panel: an array per trajectory (<key>.<what> of the npz), or a number per seed at the
 * JSON keys <key>.<what> ('.'-separated; KL: what NULL, file[key][key]). */
typedef struct measure {
  int analysis;
  const char *what;
  int per_trajectory;
  const char *title;
  const char *y_label[2]; /* spatial navigation, head direction */
  int positive;           /* values > 0: a log axis when every value is */
} measure;

static const measure measures[] = {
    {RX_RESULTS_VARIANCE,
     "quiescent",
     1,
     "exploration: variance of each quiescent trajectory",
     {"total variance of decoded position (m²)", "circular variance of decoded heading"},
     1},
    {RX_RESULTS_DISTANCE,
     "quiescent",
     1,
     "smoothness: step-wise distance of each quiescent trajectory",
     {"mean step of decoded position (m)", "mean step of decoded heading (rad)"},
     1},
    {RX_RESULTS_DIFFUSION,
     "quiescent.alpha",
     0,
     "diffusion exponent α of the quiescent outputs, per seed",
     {"α (MSD ∝ τ#uα#d)", "α (MSD ∝ τ#uα#d)"},
     0},
    {RX_RESULTS_REPLAY,
     "quiescent.quiescent.median_abs_speed",
     0,
     "replay speed: median |v| of the significant quiescent events, per seed",
     {"median |v| (m/s)", "median |v| (rad/s)"},
     0},
    {RX_RESULTS_REPLAY,
     "quiescent.compression",
     0,
     "temporal compression of replay, per seed",
     {"median |v| significant / awake decoded speed",
      "median |v| significant / awake decoded speed"},
     0},
    {RX_RESULTS_KL,
     NULL,
     0,
     "KL of the quiescent outputs to the own awake outputs, per seed",
     {"KL(q ‖ own a) (nats)", NULL},
     0},
};
#define N_MEASURES (int)(sizeof measures / sizeof measures[0])

/* A box: a condition (mc) or the control (mc NULL), and its values for one panel. */
typedef struct group {
  const rx_mechanism_condition *mc;
  rx_colour colour;
  double *v;
  size_t n;
} group;

/* The condition's key in the files of seed (the control's: "random"). */
static void key_of(const fg_ctx *c, const rx_mechanism_condition *mc, int seed, char *buf,
                   size_t n) {
  if (mc)
    rx_results_condition_key(&c->set, mc, seed, buf, n);
  else
    snprintf(buf, n, "%s", RX_RESULTS_RANDOM);
}

/* Colours say which dynamics run offline: the paper's cell green (as trained, or a mechanism
 * switched off), adaptation orange, momentum purple (as trained, or given to the paper's cell),
 * the control grey. */
static rx_colour colour_of(const fg_ctx *c, const rx_mechanism_condition *mc) {
  if (!mc) return RX_COLOUR_GREY;
  const rx_experiment *e =
      rx_experiment_get(c->set.task, mc->offline == RX_OFFLINE_FROM ? mc->from : mc->run);
  const int m = mc->offline == RX_OFFLINE_OFF || !e ? 0 : e->mechanism;
  return m == 1 ? RX_COLOUR_ORANGE : m == 2 ? RX_COLOUR_PURPLE : RX_COLOUR_GREEN;
}

/* The number at root[key][what's keys] (what NULL: root[key][key2]): 1 and *v (NaN for null),
 * 0 when absent, negative when something on the way is not an object or not a number. */
static int json_value(const cJSON *root, const char *key, const char *key2, const char *what,
                      const char *path, double *v, rx_error *err) {
  *v = NAN;
  const cJSON *o;
  int rc = fg_json_object(root, key, path, "", &o, err);
  if (rc <= 0) return rc;
  char trail[700];
  snprintf(trail, sizeof trail, "%s", key);
  if (!what) return fg_json_num(o, key2, path, trail, v, err);
  for (const char *f = what;;) {
    const char *dot = strchr(f, '.');
    char k[128];
    snprintf(k, sizeof k, "%.*s", dot ? (int)(dot - f) : (int)strlen(f), f);
    if (!dot) return fg_json_num(o, k, path, trail, v, err);
    if ((rc = fg_json_object(o, k, path, trail, &o, err)) <= 0) return rc;
    size_t l = strlen(trail);
    snprintf(trail + l, sizeof trail - l, ".%s", k);
    f = dot + 1;
  }
}

/* The values of measure m for group g over the seeds, into g->v (bag memory), g->n of them;
 * used[k] set for the seeds that gave one. Per trajectory: the npz arrays of every seed, one
 * after the other; per seed: the JSON number of each seed that has it. */
static int values_of(fg_ctx *c, const measure *m, group *g, fg_bag *b, unsigned char *used,
                     rx_error *err) {
  g->n = 0;
  g->v = NULL;
  for (int k = 0; k < c->n_seeds; k++) {
    const int seed = c->seeds[k];
    char key[700];
    key_of(c, g->mc, seed, key, sizeof key);
    size_t n_new = 0;
    double *grown = NULL;
    if (m->per_trajectory) {
      const rx_npz *z = NULL;
      const rx_array *a = NULL;
      int rc = fg_analysis_npz(c, m->analysis, RX_RESULTS_MECH, seed, &z, err);
      if (!rc) rc = fg_array(c, z, m->analysis, RX_RESULTS_MECH, seed, key, m->what, 1, 0, &a, err);
      if (rc < 0) return rc;
      if (!rc || !a) continue;
      if (!(grown = fg_bag_doubles(b, g->n + a->size)))
        return rx_fail(err, RX_ENOMEM, "out of memory drawing " NAME);
      const float *f = a->data;
      for (size_t i = 0; i < a->size; i++)
        grown[g->n + i] = f[i];
      n_new = a->size;
    } else {
      const cJSON *j;
      char path[2600], own[700];
      int rc = fg_analysis_json(c, m->analysis, RX_RESULTS_MECH, seed, &j, err);
      if (rc) return rc;
      fg_analysis_path(c, m->analysis, RX_RESULTS_MECH, seed, "json", path, sizeof path);
      /* KL: the control against the paper cell's awake outputs */
      key_of(c, g->mc ? g->mc : rx_mechanism_condition_get(0), seed, own, sizeof own);
      double v;
      if ((rc = json_value(j, key, own, m->what, path, &v, err)) < 0) return rc;
      if (!rc || !isfinite(v)) continue;
      if (!(grown = fg_bag_doubles(b, g->n + 1)))
        return rx_fail(err, RX_ENOMEM, "out of memory drawing " NAME);
      grown[g->n] = v;
      n_new = 1;
    }
    if (g->n) memcpy(grown, g->v, g->n * sizeof *grown); /* the earlier seeds' values first */
    g->v = grown, g->n += n_new;
    used[k] = 1;
  }
  return 0;
}

/* "paper cell + adaptation offline", and "(not measured)" under a group without values. */
static void group_label(const group *g, char *buf, size_t n) {
  snprintf(buf, n, "%s%s", g->mc ? g->mc->label : "untrained (control)",
           g->n ? "" : "\n(not measured)");
}

/* Whether any task file of the family exists for a seed of c. */
static int has_files(fg_ctx *c) {
  for (int k = 0; k < c->n_seeds; k++)
    for (int a = 0; a < N_FAMILY; a++) {
      char path[2600];
      if (!rx_results_analysis_applies(family[a], c->set.task)) continue;
      fg_analysis_path(c, family[a], RX_RESULTS_MECH, c->seeds[k], "json", path, sizeof path);
      if (rx_file_exists(path)) return 1;
    }
  return 0;
}

int fg_mechanisms_figure(fg_ctx *c, rx_error *err) {
  if (!has_files(c)) return 0; /* results without the family: nothing to say */
  const int hd = c->set.task == RX_TASK_HEAD_DIRECTION;
  const int n_groups = rx_mechanism_condition_count() + 1;
  group groups[N_MEASURES][MAX_GROUPS];
  int drawable[N_MEASURES] = {0}, n_panels = 0, any = 0, rc = 0;
  unsigned char used[RX_FIGURES_MAX_SEEDS] = {0};
  fg_bag b = {0};
  for (int p = 0; p < N_MEASURES && !rc; p++) {
    const measure *m = &measures[p];
    if (!rx_results_analysis_applies(m->analysis, c->set.task)) continue;
    n_panels++;
    for (int i = 0; i < n_groups && !rc; i++) {
      group *g = &groups[p][i];
      g->mc = i < n_groups - 1 ? rx_mechanism_condition_get(i) : NULL;
      g->colour = colour_of(c, g->mc);
      rc = values_of(c, m, g, &b, used, err);
      for (size_t k = 0; k < g->n && !rc; k++)
        drawable[p] |= isfinite(g->v[k]) != 0;
    }
    any |= drawable[p];
  }
  if (rc) {
    fg_bag_free(&b);
    return rc;
  }
  if (!any) {
    fg_bag_free(&b);
    char pat[300];
    rx_results_analysis_pattern(RX_RESULTS_VARIANCE, RX_RESULTS_MECH, c->set.noise, "json", pat,
                                sizeof pat);
    return fg_skip(c, NAME,
                   "the mechanisms family's files (%s and the others with mech_) hold no value "
                   "for any condition",
                   pat);
  }
  char seeds[400], title[900];
  fg_pooled_text(c, used, seeds, sizeof seeds);
  snprintf(title, sizeof title,
           "Mechanisms: the paper's cell, adaptation and momentum, as trained and switched on or "
           "off offline (green: the paper's dynamics offline, orange: adaptation, purple: "
           "momentum), %s",
           seeds);
  const int cols = 2, rows = (n_panels + cols - 1) / cols;
  rx_fig *fig = NULL;
  rc = fg_fig_create(c, &fig, NAME, cols, rows, title, 150 + 105 * n_groups, 470, err);
  for (int p = 0; p < N_MEASURES && !rc; p++) {
    const measure *m = &measures[p];
    if (!rx_results_analysis_applies(m->analysis, c->set.task)) continue;
    if (!drawable[p]) {
      fg_log(c, "%s: panel '%s' left empty: no value for any condition", NAME, m->title);
      rc = rx_fig_skip(fig, err);
      continue;
    }
    rx_value_set sets[MAX_GROUPS];
    char labels[MAX_GROUPS][200];
    int positive = m->positive;
    for (int i = 0; i < n_groups; i++) {
      const group *g = &groups[p][i];
      group_label(g, labels[i], sizeof labels[i]);
      sets[i] = (rx_value_set){labels[i], g->v, g->n, g->colour};
      for (size_t k = 0; k < g->n; k++)
        positive &= !isfinite(g->v[k]) || g->v[k] > 0;
    }
    rx_box_spec s = {0};
    s.title = m->title;
    s.y_label = m->y_label[hd];
    s.groups = sets, s.n_groups = n_groups;
    s.log_y = positive;
    s.points = !m->per_trajectory; /* a value per seed: each one shown */
    rc = rx_fig_add_box(fig, &s, err);
  }
  rc = fg_fig_save(c, fig, NAME, rc, err);
  fg_bag_free(&b);
  return rc;
}
