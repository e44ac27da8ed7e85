/* The "is it sampling?" probes' figures (docs/probes.md §6): mixing from foreign starts, drift
 * versus score, noise temperature and diffusion, drawn from the <probe>_<prefix><noise>_<seed>
 * .json / .npz files of `reactivate analyze` (their layout: docs/probes.md §5) for the main
 * family (fig_probe_*) and the GRUs (figC2_probe_*). Each figure draws the first seed that has
 * its file, and says which. Nothing is fitted or estimated here: the numbers drawn are the
 * files', plus bin centres from bin edges, a histogram's density, 2/k and reference slopes.
 * Opening the files and reading them is figures_json.c's, shared with the replay figures. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"
#include "reactivate/plot.h"
#include "reactivate/sampling.h"

enum { MAX_SERIES = 32 };

/* ---- the probes' arrays ---- */

/* The same, accepting (n,) or (n, 1) (the ring's per-bin arrays). */
static int npz_ring(const fg_netfile *p, const char *run, const char *what, fg_bag *b, double **out,
                    int *n, rx_error *err) {
  const rx_array *a = NULL;
  *n = 0;
  char name[800];
  snprintf(name, sizeof name, "%s.%s", run, what);
  const rx_array *raw = p->npz ? rx_npz_get(p->npz, name) : NULL;
  int rc = fg_netfile_doubles(p, run, what, raw && raw->ndim == 2 ? 2 : 1, b, out, &a, err);
  if (rc <= 0) return rc;
  if (a->ndim == 2 && a->shape[1] != 1)
    return rx_fail(err, RX_EFORMAT,
                   "%s: array '%s' has shape (%lld, %lld), expected (n,) or (n, 1)", p->npz_path,
                   name, (long long)a->shape[0], (long long)a->shape[1]);
  *n = (int)a->shape[0];
  return 1;
}

/* Bin centres from n + 1 edges. */
static double *centres(fg_bag *b, const double *edges, int n) {
  double *x = fg_bag_doubles(b, (size_t)n);
  for (int i = 0; x && i < n; i++)
    x[i] = 0.5 * (edges[i] + edges[i + 1]);
  return x;
}

static const char *space_unit(const fg_ctx *c) {
  return c->cfg->task == RX_TASK_HEAD_DIRECTION ? "rad" : "m";
}

/* ---- 1. mixing from foreign starts ---- */

static const char *const starts[3] = {"active", "point", "zero"};
static const rx_colour start_colours[3] = {RX_COLOUR_ACTIVE, RX_COLOUR_ORANGE, RX_COLOUR_GREEN};

/* Steps per KL window: the settings' (window, mixing.window or mixing: {window}), else
 * mixing_step / mixing_window of any start, else RX_MIXING_WINDOW_STEPS (logged). */
static int mixing_window_steps(fg_ctx *c, const fg_netfile *p, const char *name, double *w,
                               rx_error *err) {
  const cJSON *s = NULL, *m = NULL;
  int rc = fg_json_object(p->json, "settings", p->path, "", &s, err);
  if (rc < 0) return rc;
  double x = NAN;
  static const char *const keys[3] = {"window", "mixing.window", "window_steps"};
  for (int i = 0; i < 3 && !isfinite(x); i++)
    if ((rc = fg_json_num(s, keys[i], p->path, "settings", &x, err)) < 0) return rc;
  if (!isfinite(x) && (rc = fg_json_object(s, "mixing", p->path, "settings", &m, err)) < 0)
    return rc;
  if (!isfinite(x) && m && (rc = fg_json_num(m, "window", p->path, "settings.mixing", &x, err)) < 0)
    return rc;
  for (int i = 0; i < p->n_nets && !(isfinite(x) && x > 0); i++)
    for (int q = 0; q < 2; q++) {
      const cJSON *co = cJSON_GetObjectItemCaseSensitive(p->nets[i].json, fg_conditions[q]);
      for (int k = 0; k < 3; k++) {
        const cJSON *so = cJSON_GetObjectItemCaseSensitive(co, starts[k]);
        double step, win;
        if ((rc = fg_json_num(so, "mixing_step", p->path, starts[k], &step, err)) < 0 ||
            (rc = fg_json_num(so, "mixing_window", p->path, starts[k], &win, err)) < 0)
          return rc;
        if (isfinite(step) && isfinite(win) && win > 0) x = step / win;
      }
    }
  if (!(isfinite(x) && x > 0)) {
    x = RX_MIXING_WINDOW_STEPS;
    fg_log(c, "%s: no window size in %s: taking %d steps per window", name, p->path,
           RX_MIXING_WINDOW_STEPS);
  }
  *w = x;
  return 0;
}

/* One network's panels: KL per window (row 0) and distance from the start (row 1), with how
 * many of each row's series have a finite value. */
typedef struct mix_panel {
  rx_series kl[MAX_SERIES], dist[MAX_SERIES];
  int n_kl, n_dist, drawable_kl, drawable_dist;
  char labels[MAX_SERIES][160], title[200];
  double mx[MAX_SERIES], my[MAX_SERIES]; /* mixing times */
  int n_marks;
} mix_panel;

static int mixing_panel(const fg_netfile *p, const fg_net *n, double window, double stride,
                        fg_bag *b, mix_panel *mp, rx_error *err) {
  memset(mp, 0, sizeof *mp);
  snprintf(mp->title, sizeof mp->title, "%s%s%s", n->label, n->exp ? ": " : "",
           n->exp ? n->exp->desc : "");
  for (int q = 0; q < 2; q++) {
    const cJSON *co;
    char what[700];
    snprintf(what, sizeof what, "%s", n->run);
    int rc = fg_json_object(n->json, fg_conditions[q], p->path, what, &co, err);
    if (rc < 0) return rc;
    if (!co) continue;
    char ct[40];
    fg_cond_text(n, fg_conditions[q], ct, sizeof ct);
    for (int k = 0; k < 3; k++) {
      const cJSON *so;
      snprintf(what, sizeof what, "%s.%s", n->run, fg_conditions[q]);
      if ((rc = fg_json_object(co, starts[k], p->path, what, &so, err)) < 0) return rc;
      if (!so) continue;
      snprintf(what, sizeof what, "%s.%s.%s", n->run, fg_conditions[q], starts[k]);
      double *kl, plateau, mw;
      int nw;
      if ((rc = fg_json_numbers(so, "kl", p->path, what, b, &kl, &nw, err)) < 0) return rc;
      if ((rc = fg_json_num(so, "plateau", p->path, what, &plateau, err)) < 0) return rc;
      if ((rc = fg_json_num(so, "mixing_window", p->path, what, &mw, err)) < 0) return rc;
      int mixes;
      if ((rc = fg_json_bool(so, "mixes", p->path, what, &mixes, err)) < 0) return rc;
      char pt[32];
      fg_num_text(plateau, "%.2f", pt, sizeof pt);
      const int s = mp->n_kl;
      snprintf(mp->labels[s], sizeof mp->labels[s], "%s%s: plateau %s%s", starts[k], ct, pt,
               mixes == 1   ? ", mixes"
               : mixes == 0 ? ", does not mix"
                            : "");
      const int dashed = q == 1 ? 2 : 0;
      if (nw > 0) {
        double *x = fg_bag_doubles(b, (size_t)nw);
        if (!x) return rx_fail(err, RX_ENOMEM, "out of memory drawing the mixing figure");
        for (int i = 0; i < nw; i++)
          x[i] = i * window;
        mp->kl[mp->n_kl++] = fg_series(mp->labels[s], x, kl, (size_t)nw, start_colours[k],
                                       RX_SERIES_LINE, 0, dashed);
        mp->drawable_kl += fg_any_finite(kl, (size_t)nw);
        if (isfinite(mw) && mw >= 0 && mw < nw && mw == floor(mw) && isfinite(kl[(int)mw]) &&
            mp->n_marks < MAX_SERIES)
          mp->mx[mp->n_marks] = x[(int)mw], mp->my[mp->n_marks++] = kl[(int)mw];
      }
      /* the mean distance from the start over time, from the npz */
      char arr[120];
      snprintf(arr, sizeof arr, "%s.%s.distance", fg_conditions[q], starts[k]);
      double *d;
      const rx_array *a;
      if ((rc = fg_netfile_doubles(p, n->run, arr, 1, b, &d, &a, err)) < 0) return rc;
      if (rc && a->size > 0) {
        double *t = fg_bag_doubles(b, a->size);
        if (!t) return rx_fail(err, RX_ENOMEM, "out of memory drawing the mixing figure");
        for (size_t i = 0; i < a->size; i++)
          t[i] = (double)i * stride; /* the distances are of every stride-th step */
        mp->dist[mp->n_dist++] =
            fg_series(mp->labels[s], t, d, a->size, start_colours[k], RX_SERIES_LINE, 0, dashed);
        mp->drawable_dist += fg_any_finite(d, a->size);
      }
    }
  }
  return 0;
}

static int fig_mixing(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fg_netfile p;
  int rc = fg_family_open(c, v, RX_RESULTS_MIXING, "probe_mixing", name, sizeof name, &p, err);
  if (rc <= 0) return rc;
  double window;
  if ((rc = mixing_window_steps(c, &p, name, &window, err))) return rc;
  double stride = 1; /* settings.stride; files written before it was one use every step */
  const int has_stride = fg_json_num(cJSON_GetObjectItemCaseSensitive(p.json, "settings"), "stride",
                                     p.path, "settings", &stride, err);
  if (has_stride < 0) return has_stride;
  if (!(isfinite(stride) && stride >= 1)) stride = 1;
  fg_bag b = {0};
  mix_panel *mp = calloc((size_t)p.n_nets, sizeof *mp);
  if (!mp) return rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  int any_kl = 0, any_dist = 0;
  for (int i = 0; i < p.n_nets && !rc; i++) {
    rc = mixing_panel(&p, &p.nets[i], window, stride, &b, &mp[i], err);
    any_kl += mp[i].drawable_kl > 0;
    any_dist += mp[i].drawable_dist > 0;
  }
  if (!rc && b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  if (!rc && !any_kl && !any_dist) {
    rc = fg_skip(c, name, "no finite KL or distance values in %s", p.path);
  } else if (!rc) {
    char head[64], title[900], wt[32];
    fg_family_head(v, "Probe", head, sizeof head);
    fg_num_text(window, "%g", wt, sizeof wt);
    snprintf(title, sizeof title,
             "%s: mixing from foreign starts, KL(q#dw#u ‖ a) per window of %s steps%s, %s", head,
             wt, any_dist ? " and mean distance from the start" : "", p.seeds);
    const int rows = (any_kl > 0) + (any_dist > 0);
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, p.n_nets, rows, title, 520, 420, err);
    for (int row = 0; row < 2 && !rc; row++) {
      if ((row == 0 && !any_kl) || (row == 1 && !any_dist)) continue;
      for (int i = 0; i < p.n_nets && !rc; i++) {
        mix_panel *m = &mp[i];
        if (!(row == 0 ? m->drawable_kl : m->drawable_dist)) {
          fg_log(c, "%s: panel '%s' left empty: no finite %s values", name, m->title,
                 row == 0 ? "KL" : "distance");
          rc = rx_fig_skip(fig, err);
          continue;
        }
        rx_series ser[MAX_SERIES + 1];
        int ns = row == 0 ? m->n_kl : m->n_dist;
        memcpy(ser, row == 0 ? m->kl : m->dist, (size_t)ns * sizeof *ser);
        if (row == 1)
          for (int s = 0; s < ns; s++) /* the KL row's legend explains the lines */
            ser[s].label = NULL;
        if (row == 0 && m->n_marks)
          ser[ns++] = fg_series("mixing time", m->mx, m->my, (size_t)m->n_marks, RX_COLOUR_BLACK,
                                RX_SERIES_POINTS, RX_MARKER_TRIANGLE, 0);
        char ylab[80];
        snprintf(ylab, sizeof ylab, "mean distance from the start (%s)", space_unit(c));
        rx_lines_spec s = {0};
        s.title = m->title;
        s.x_label = row == 0 ? "quiescent step (window start)" : "quiescent step";
        s.y_label = row == 0 ? "KL(q#dw#u ‖ a) (nats)" : ylab;
        s.series = ser;
        s.n_series = ns;
        s.legend = row == 0 ? RX_LEGEND_AUTO : RX_LEGEND_NONE;
        rc = rx_fig_add_lines(fig, &s, err);
      }
    }
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  free(mp);
  fg_bag_free(&b);
  return rc;
}

/* ---- 2. drift versus score ---- */

/* One row of the score figure: a network under one condition. */
typedef struct score_row {
  const fg_net *n;
  const char *cond;
  double *drift, *score, *cosine, *density; /* plane: (ny, nx, 2), (ny, nx, 2), (ny, nx) each;
                                             * ring: (nx,) each, density may be NULL */
  double cos_w, cos_c, p, c, beta;
  int used;
} score_row;

/* The JSON numbers of a row for its titles. */
static int score_numbers(const fg_netfile *p, score_row *r, rx_error *err) {
  const cJSON *co = cJSON_GetObjectItemCaseSensitive(r->n->json, r->cond);
  char what[700];
  snprintf(what, sizeof what, "%s.%s", r->n->run, r->cond);
  double used;
  int rc = 0;
  if ((rc = fg_json_num(co, "cosine", p->path, what, &r->cos_w, err)) < 0 ||
      (rc = fg_json_num(co, "cosine_centered", p->path, what, &r->cos_c, err)) < 0 ||
      (rc = fg_json_num(co, "p_value", p->path, what, &r->p, err)) < 0 ||
      (rc = fg_json_num(co, "c", p->path, what, &r->c, err)) < 0 ||
      (rc = fg_json_num(co, "beta", p->path, what, &r->beta, err)) < 0 ||
      (rc = fg_json_num(co, "n_bins_used", p->path, what, &used, err)) < 0)
    return rc;
  r->used = isfinite(used) ? (int)used : -1;
  return 0;
}

/* "U-σ (no noise)" */
static void row_label(const score_row *r, char *buf, size_t n) {
  char ct[40];
  fg_cond_text(r->n, r->cond, ct, sizeof ct);
  snprintf(buf, n, "%s%s", r->n->label, ct);
}

/* Longest finite vector of v (m, 2). */
static double longest2(const double *v, size_t m) {
  double l = 0;
  for (size_t i = 0; i < m; i++)
    if (isfinite(v[2 * i]) && isfinite(v[2 * i + 1])) l = fmax(l, hypot(v[2 * i], v[2 * i + 1]));
  return l;
}

/* The plane: drift and score arrows at the bin centres over the awake density, the cosine map.
 * Each panel that has nothing to draw is left empty (logged). */
static int score_row_plane(fg_ctx *c, rx_fig *fig, const char *name, const score_row *r,
                           const double *ex, int nx, const double *ey, int ny, fg_bag *b,
                           rx_error *err) {
  const size_t m = (size_t)nx * ny;
  double *xs = fg_bag_doubles(b, m), *ys = fg_bag_doubles(b, m), *cu = fg_bag_doubles(b, 4 * m);
  if (!xs || !ys || !cu) return rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      xs[(size_t)j * nx + i] = 0.5 * (ex[i] + ex[i + 1]),
                          ys[(size_t)j * nx + i] = 0.5 * (ey[j] + ey[j + 1]);
  double *du = cu, *dv = cu + m, *su = cu + 2 * m, *sv = cu + 3 * m;
  for (size_t k = 0; k < m; k++)
    du[k] = r->drift[2 * k], dv[k] = r->drift[2 * k + 1], su[k] = r->score[2 * k],
    sv[k] = r->score[2 * k + 1];
  /* arrows: the longest 0.9 of the narrower bin */
  double bw = INFINITY;
  for (int i = 0; i < nx; i++)
    bw = fmin(bw, fabs(ex[i + 1] - ex[i]));
  for (int j = 0; j < ny; j++)
    bw = fmin(bw, fabs(ey[j + 1] - ey[j]));
  char label[160], t[3][240];
  row_label(r, label, sizeof label);
  const double *vec[2] = {r->drift, r->score};
  const char *units[2] = {"m per step", "1/m"};
  char used[40] = "";
  if (r->used >= 0) snprintf(used, sizeof used, ", %d bins used", r->used);
  snprintf(t[0], sizeof t[0], "%s: quiescent drift d%s", label, used);
  snprintf(t[1], sizeof t[1], "%s: awake score ∇log a", label);
  int rc = 0;
  for (int q = 0; q < 2 && !rc; q++) {
    const double longest = longest2(vec[q], m);
    if (!(longest > 0) && !r->density) {
      fg_log(c, "%s: panel '%s' left empty: no finite vector", name, t[q]);
      rc = rx_fig_skip(fig, err);
      continue;
    }
    rx_vector_spec s = {0};
    s.title = t[q];
    s.x_label = "decoded x (m)";
    s.y_label = "decoded y (m)";
    s.x = xs, s.y = ys, s.n = m;
    s.u = q ? su : du, s.v = q ? sv : dv;
    s.scale = longest > 0 && isfinite(bw) && bw > 0 ? 0.9 * bw / longest : 0;
    s.units = units[q];
    s.colour = q ? RX_COLOUR_ACTIVE : RX_COLOUR_QUIESCENT;
    if (r->density && fg_any_finite(r->density, m)) {
      s.z = r->density, s.nx = nx, s.ny = ny;
      s.z_x_min = ex[0], s.z_x_max = ex[nx], s.z_y_min = ey[0], s.z_y_max = ey[ny];
      s.z_label = "awake density (1/m²)";
    }
    s.x_min = fmin(ex[0], c->box[0]), s.x_max = fmax(ex[nx], c->box[1]);
    s.y_min = fmin(ey[0], c->box[2]), s.y_max = fmax(ey[ny], c->box[3]);
    memcpy(s.box, c->box, sizeof s.box);
    s.arena = &c->arena;
    s.equal_aspect = 1;
    rc = rx_fig_add_vectors(fig, &s, err);
  }
  if (rc) return rc;
  char cw[32], pv[32];
  fg_num_text(r->cos_w, "%.2f", cw, sizeof cw);
  fg_num_text(r->p, "%.3g", pv, sizeof pv);
  snprintf(t[2], sizeof t[2], "cos(d, s) per bin: weighted %s, p %s", cw, pv);
  if (!r->cosine || !fg_any_finite(r->cosine, m)) {
    fg_log(c, "%s: panel '%s: %s' left empty: no finite cosine", name, label, t[2]);
    return rx_fig_skip(fig, err);
  }
  const double extent[4] = {ex[0], ex[nx], ey[0], ey[ny]};
  rx_image_spec s = fg_image_cells(t[2], "decoded x (m)", "decoded y (m)",
                                   "cosine of drift and score", r->cosine, nx, ny, extent, c->box);
  s.arena = &c->arena;
  s.z_min = -1, s.z_max = 1;
  s.diverging = 1;
  return rx_fig_add_image(fig, &s, err);
}

/* The ring: drift (and c s, the fit) and score against heading, the sign agreement as bars. */
static int score_row_ring(fg_ctx *c, rx_fig *fig, const char *name, const score_row *r,
                          const double *ex, int nx, fg_bag *b, rx_error *err) {
  double *x = centres(b, ex, nx), *cs = fg_bag_doubles(b, (size_t)nx);
  if (!x || !cs) return rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  for (int i = 0; i < nx; i++)
    cs[i] = r->c * r->score[i];
  char label[160], t[3][240], fit[80], cw[32], pv[32], cv[32];
  row_label(r, label, sizeof label);
  fg_num_text(r->c, "%.3g", cv, sizeof cv);
  snprintf(fit, sizeof fit, "c s, c = %s (least squares)", cv);
  snprintf(t[0], sizeof t[0], "%s: quiescent drift d", label);
  snprintf(t[1], sizeof t[1], "%s: awake score ∇log a", label);
  fg_num_text(r->cos_w, "%.2f", cw, sizeof cw);
  fg_num_text(r->p, "%.3g", pv, sizeof pv);
  snprintf(t[2], sizeof t[2], "sign agreement per bin: weighted %s, p %s", cw, pv);
  const double *ys[3] = {r->drift, r->score, r->cosine};
  int rc = 0;
  for (int q = 0; q < 3 && !rc; q++) {
    if (!ys[q] || !fg_any_finite(ys[q], (size_t)nx)) {
      fg_log(c, "%s: panel '%s' left empty: no finite values", name, t[q]);
      rc = rx_fig_skip(fig, err);
      continue;
    }
    rx_series ser[3];
    int ns = 0;
    static const char *const names[3] = {"drift d", "score s", "cos(d, s)"};
    static const rx_colour cols[3] = {RX_COLOUR_QUIESCENT, RX_COLOUR_ACTIVE, RX_COLOUR_PURPLE};
    ser[ns++] = fg_series(names[q], x, ys[q], (size_t)nx, cols[q],
                          q < 2 ? RX_SERIES_LINE : RX_SERIES_BARS, q < 2 ? 1 : 0, 0);
    if (q == 0 && isfinite(r->c) && fg_any_finite(cs, (size_t)nx))
      ser[ns++] = fg_series(fit, x, cs, (size_t)nx, RX_COLOUR_ACTIVE, RX_SERIES_LINE, 0, 1);
    rx_lines_spec s = {0};
    s.title = t[q];
    s.x_label = "decoded heading (rad)";
    s.y_label = q == 0 ? "mean step (rad per step)" : q == 1 ? "∂ log a / ∂θ (1/rad)" : "cosine";
    s.series = ser;
    s.n_series = ns;
    s.x_min = fmin(ex[0], -M_PI), s.x_max = fmax(ex[nx], M_PI);
    if (q == 2) s.y_min = -1.1, s.y_max = 1.1;
    s.legend = q == 0 && ns > 1 ? RX_LEGEND_AUTO : RX_LEGEND_NONE;
    rc = rx_fig_add_lines(fig, &s, err);
  }
  return rc;
}

static int fig_score(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fg_netfile p;
  int rc = fg_family_open(c, v, RX_RESULTS_SCORE, "probe_score", name, sizeof name, &p, err);
  if (rc <= 0) return rc;
  const int ring = c->cfg->task == RX_TASK_HEAD_DIRECTION;
  fg_bag b = {0};
  double *ex = NULL, *ey = NULL;
  const rx_array *a;
  int nx = 0, ny = 1;
  rc = fg_netfile_doubles(&p, "settings", "edges_x", 1, &b, &ex, &a, err);
  if (rc > 0) nx = (int)a->shape[0] - 1;
  if (rc > 0 && !ring) {
    rc = fg_netfile_doubles(&p, "settings", "edges_y", 1, &b, &ey, &a, err);
    if (rc > 0) ny = (int)a->shape[0] - 1;
  }
  if (!p.npz) {
    fg_bag_free(&b);
    return fg_skip(c, name, "no %s (the binned drift and score) next to %s", p.npz_path, p.path);
  }
  if (rc == 0 || (rc > 0 && (nx < 1 || ny < 1))) {
    fg_bag_free(&b);
    return fg_skip(c, name, "no bin edges (settings.edges_x%s) in %s", ring ? "" : ", edges_y",
                   p.npz_path);
  }
  /* the rows: every network and condition with drift and score arrays */
  score_row rows[8];
  int n_rows = 0;
  for (int i = 0; i < p.n_nets && rc >= 0; i++)
    for (int q = 0; q < 2 && rc >= 0; q++) {
      if (!cJSON_GetObjectItemCaseSensitive(p.nets[i].json, fg_conditions[q])) continue;
      score_row r = {&p.nets[i], fg_conditions[q], NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0};
      char w[4][80];
      static const char *const what[4] = {"drift", "score", "cosine", "density"};
      double **dst[4] = {&r.drift, &r.score, &r.cosine, &r.density};
      for (int k = 0; k < 4 && rc >= 0; k++) {
        snprintf(w[k], sizeof w[k], "%s.%s", fg_conditions[q], what[k]);
        int len = 0;
        if (ring) {
          rc = npz_ring(&p, p.nets[i].run, w[k], &b, dst[k], &len, err);
          if (rc > 0 && len != nx)
            rc = rx_fail(err, RX_EFORMAT, "%s: '%s.%s' has %d bins, settings.edges_x %d + 1 edges",
                         p.npz_path, p.nets[i].run, w[k], len, nx);
        } else {
          rc = fg_netfile_doubles(&p, p.nets[i].run, w[k], k < 2 ? 3 : 2, &b, dst[k], &a, err);
          if (rc > 0 && (a->shape[0] != ny || a->shape[1] != nx || (k < 2 && a->shape[2] != 2)))
            rc = rx_fail(err, RX_EFORMAT,
                         "%s: '%s.%s' does not match the %d x %d bins of settings.edges_x/_y%s",
                         p.npz_path, p.nets[i].run, w[k], ny, nx, k < 2 ? " (x 2 components)" : "");
        }
      }
      if (rc < 0) break;
      rc = 0;
      if (!r.drift || !r.score) continue;
      if (n_rows == 8) {
        fg_log(c, "%s: more than 8 rows: %s.%s left out", name, p.nets[i].run, fg_conditions[q]);
        continue;
      }
      if ((rc = score_numbers(&p, &r, err)) < 0) break;
      rows[n_rows++] = r;
    }
  if (rc >= 0 && b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  if (rc < 0) {
    fg_bag_free(&b);
    return rc;
  }
  if (!n_rows) {
    fg_bag_free(&b);
    return fg_skip(c, name, "no <run>.<condition>.drift and .score arrays in %s", p.npz_path);
  }
  char head[64], title[900], grid[80];
  fg_family_head(v, "Probe", head, sizeof head);
  if (ring)
    snprintf(grid, sizeof grid, "on the ring (%d bins)", nx);
  else
    snprintf(grid, sizeof grid, "in %d x %d bins (arrows scaled per panel)", nx, ny);
  snprintf(title, sizeof title,
           "%s: quiescent drift versus awake score %s, per network and condition, %s", head, grid,
           p.seeds);
  rx_fig *fig = NULL;
  rc = fg_fig_create(c, &fig, name, 3, n_rows, title, ring ? 520 : 560, ring ? 400 : 500, err);
  for (int i = 0; i < n_rows && !rc; i++)
    rc = ring ? score_row_ring(c, fig, name, &rows[i], ex, nx, &b, err)
              : score_row_plane(c, fig, name, &rows[i], ex, nx, ey, ny, &b, err);
  return fg_fig_done(c, fig, name, rc, &b, err);
}

/* ---- 3. noise temperature ---- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Whether beta[j] was fitted at a bound of its search (beta_at_bound[j] = -1 or 1) and can be
 * drawn on the log axis. */
static int bound_at(const double *at, const double *beta, size_t j) {
  return at && isfinite(at[j]) && at[j] != 0 && isfinite(beta[j]) && beta[j] > 0;
}

static int fig_temperature(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fg_netfile p;
  int rc =
      fg_family_open(c, v, RX_RESULTS_TEMPERATURE, "probe_temperature", name, sizeof name, &p, err);
  if (rc <= 0) return rc;
  fg_bag b = {0};
  rx_series beta[FG_MAX_NETS + 2], kl[FG_MAX_NETS];
  int nb = 0, nk = 0;
  char labels[FG_MAX_NETS][160];
  double *all_k = NULL, *bx = NULL, *by = NULL;
  int n_all = 0, n_bound = 0, n_at = 0;
  const double *at_of[FG_MAX_NETS]; /* beta_at_bound of beta[i] (NULL: none) */
  rc = 0;
  for (int i = 0; i < p.n_nets && !rc; i++) {
    const fg_net *n = &p.nets[i];
    double *k, *be, *at, *klv, slope;
    int n1, n2, n3, n4;
    if ((rc = fg_json_numbers(n->json, "k", p.path, n->run, &b, &k, &n1, err)) < 0 ||
        (rc = fg_json_numbers(n->json, "beta", p.path, n->run, &b, &be, &n2, err)) < 0 ||
        (rc = fg_json_numbers(n->json, "beta_at_bound", p.path, n->run, &b, &at, &n3, err)) < 0 ||
        (rc = fg_json_numbers(n->json, "kl", p.path, n->run, &b, &klv, &n4, err)) < 0 ||
        (rc = fg_json_num(n->json, "slope", p.path, n->run, &slope, err)) < 0)
      break;
    rc = 0;
    if (!k || n1 < 1) continue;
    if ((be && n2 != n1) || (at && n3 != n1) || (klv && n4 != n1)) {
      rc = rx_fail(err, RX_EFORMAT, "%s: '%s': k, beta, beta_at_bound and kl differ in length",
                   p.path, n->run);
      break;
    }
    double *grown = realloc(all_k, (size_t)(n_all + n1) * sizeof *all_k);
    if (!grown) {
      rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
      break;
    }
    all_k = grown;
    for (int j = 0; j < n1; j++)
      if (isfinite(k[j]) && k[j] > 0) all_k[n_all++] = k[j];
    char st[32];
    fg_num_text(slope, "%.2f", st, sizeof st);
    snprintf(labels[i], sizeof labels[i], "%s (slope %s)", n->label, st);
    if (be) {
      beta[nb++] =
          fg_series(labels[i], k, be, (size_t)n1, n->colour, RX_SERIES_LINE, RX_MARKER_CIRCLE, 0);
      at_of[n_at++] = at;
      for (int j = 0; j < n1; j++) /* count the points at a bound */
        n_bound += bound_at(at, be, (size_t)j);
    }
    if (klv)
      kl[nk++] =
          fg_series(n->label, k, klv, (size_t)n1, n->colour, RX_SERIES_LINE, RX_MARKER_CIRCLE, 0);
  }
  const int nb_nets = nb; /* the networks' series; then the bound points and the theory */
  /* points at a search bound, open circles over the lines */
  if (!rc && n_bound) {
    bx = fg_bag_doubles(&b, (size_t)n_bound), by = fg_bag_doubles(&b, (size_t)n_bound);
    int m = 0;
    for (int i = 0; bx && by && i < n_at; i++)
      for (size_t j = 0; j < beta[i].n; j++)
        if (bound_at(at_of[i], beta[i].y, j)) bx[m] = beta[i].x[j], by[m++] = beta[i].y[j];
    if (bx && by)
      beta[nb++] = fg_series("β at a search bound", bx, by, (size_t)m, RX_COLOUR_BLACK,
                             RX_SERIES_POINTS, RX_MARKER_OPEN_CIRCLE, 0);
  }
  /* the theory 2/k at every k of the file */
  double *tk = NULL, *tb = NULL;
  int nt = 0;
  if (!rc && n_all) {
    qsort(all_k, (size_t)n_all, sizeof *all_k, cmp_double);
    tk = fg_bag_doubles(&b, (size_t)n_all), tb = fg_bag_doubles(&b, (size_t)n_all);
    for (int j = 0; tk && tb && j < n_all; j++)
      if (!nt || all_k[j] != tk[nt - 1]) tk[nt] = all_k[j], tb[nt] = 2.0 / all_k[j], nt++;
    if (tk && tb && nb)
      beta[nb++] =
          fg_series("theory β = 2/k", tk, tb, (size_t)nt, RX_COLOUR_BLACK, RX_SERIES_LINE, 0, 1);
  }
  if (!rc && b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  /* which panels have something to draw (a log axis needs positive values) */
  int have_beta = 0, have_kl = 0;
  for (int i = 0; i < nb_nets; i++)
    for (size_t j = 0; j < beta[i].n; j++)
      have_beta |= isfinite(beta[i].y[j]) && beta[i].y[j] > 0 && beta[i].x[j] > 0;
  for (int i = 0; i < nk; i++)
    for (size_t j = 0; j < kl[i].n; j++)
      have_kl |= isfinite(kl[i].y[j]) && kl[i].x[j] > 0;
  if (!rc && !have_beta && !have_kl) {
    rc = fg_skip(c, name, "no finite β_k or KL values in %s", p.path);
  } else if (!rc) {
    char head[64], title[900];
    fg_family_head(v, "Probe", head, sizeof head);
    snprintf(title, sizeof title,
             "%s: noise temperature, quiescent noise k σ² samples a#uβ#d, theory β = 2/k, %s", head,
             p.seeds);
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, have_beta + have_kl, 1, title, 620, 460, err);
    if (!rc && have_beta) {
      rx_lines_spec s = {0};
      s.title = "fitted β#dk#u (log-log)";
      s.x_label = "noise multiplier k";
      s.y_label = "β#dk#u";
      s.series = beta, s.n_series = nb;
      s.log_x = s.log_y = 1;
      s.legend = RX_LEGEND_AUTO;
      rc = rx_fig_add_lines(fig, &s, err);
    }
    if (!rc && have_kl) {
      rx_lines_spec s = {0};
      s.title = "KL(q#dk#u ‖ a)";
      s.x_label = "noise multiplier k";
      s.y_label = "KL (nats)";
      s.series = kl, s.n_series = nk;
      s.log_x = 1;
      s.legend = RX_LEGEND_AUTO;
      rc = rx_fig_add_lines(fig, &s, err);
    }
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  free(all_k);
  fg_bag_free(&b);
  return rc;
}

/* ---- 4. diffusion ---- */

static int fig_diffusion(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fg_netfile p;
  int rc =
      fg_family_open(c, v, RX_RESULTS_DIFFUSION, "probe_diffusion", name, sizeof name, &p, err);
  if (rc <= 0) return rc;
  fg_bag b = {0};
  static const char *const conds[3] = {"quiescent", "absolute_noise", "active"};
  rx_series msd[3 * FG_MAX_NETS + 2], hist[3 * FG_MAX_NETS];
  char labels[3 * FG_MAX_NETS][160];
  int nm = 0, nh = 0, nl = 0, tau_max = 0;
  double m1 = 0; /* sum of log MSD(1), for the reference lines */
  int n1 = 0;
  double *edges = NULL;
  int n_bins = 0;
  const rx_array *ea;
  rc = fg_netfile_doubles(&p, "settings", "step_edges", 1, &b, &edges, &ea, err);
  if (rc > 0) n_bins = (int)ea->shape[0] - 1;
  rc = rc < 0 ? rc : 0;
  double *hx = n_bins > 0 ? centres(&b, edges, n_bins) : NULL;
  for (int i = 0; i < p.n_nets && !rc; i++) {
    const fg_net *n = &p.nets[i];
    for (int q = 0; q < 3 && !rc; q++) {
      const cJSON *co;
      if ((rc = fg_json_object(n->json, conds[q], p.path, n->run, &co, err)) < 0) break;
      rc = 0;
      if (!co) continue;
      char what[700], ct[40], at[32];
      snprintf(what, sizeof what, "%s.%s", n->run, conds[q]);
      double *y, alpha;
      int len;
      if ((rc = fg_json_numbers(co, "msd", p.path, what, &b, &y, &len, err)) < 0 ||
          (rc = fg_json_num(co, "alpha", p.path, what, &alpha, err)) < 0)
        break;
      rc = 0;
      fg_cond_text(n, conds[q], ct, sizeof ct);
      fg_num_text(alpha, "%.2f", at, sizeof at);
      const int s = nl++; /* one label per network and condition */
      snprintf(labels[s], sizeof labels[s], "%s%s: α %s", n->label, ct, at);
      const int dashed = q == 2 ? 1 : q == 1 ? 2 : 0;
      if (y && len > 0) {
        double *x = fg_bag_doubles(&b, (size_t)len);
        if (!x) break;
        for (int t = 0; t < len; t++)
          x[t] = t + 1; /* msd[t] is the lag t + 1 */
        msd[nm++] = fg_series(labels[s], x, y, (size_t)len, n->colour, RX_SERIES_LINE, 0, dashed);
        if (len > tau_max) tau_max = len;
        if (isfinite(y[0]) && y[0] > 0) m1 += log(y[0]), n1++;
      }
      /* the step-size histogram over the shared edges, as a probability density */
      double *cnt;
      const rx_array *ca;
      char arr[80];
      snprintf(arr, sizeof arr, "%s.step_counts", conds[q]);
      if ((rc = fg_netfile_doubles(&p, n->run, arr, 1, &b, &cnt, &ca, err)) < 0) break;
      if (rc && hx) {
        if ((int)ca->shape[0] != n_bins) {
          rc = rx_fail(err, RX_EFORMAT, "%s: '%s.%s' has %lld bins, settings.step_edges %d + 1",
                       p.npz_path, n->run, arr, (long long)ca->shape[0], n_bins);
          break;
        }
        double total = 0;
        for (int k = 0; k < n_bins; k++)
          total += isfinite(cnt[k]) ? cnt[k] : 0;
        for (int k = 0; k < n_bins; k++)
          cnt[k] = total > 0 ? cnt[k] / (total * (edges[k + 1] - edges[k])) : NAN;
        hist[nh++] =
            fg_series(labels[s], hx, cnt, (size_t)n_bins, n->colour, RX_SERIES_STEPS, 0, dashed);
      }
      rc = 0;
    }
  }
  if (!rc && b.oom) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  int have_msd = 0, have_hist = 0;
  for (int i = 0; i < nm; i++)
    for (size_t j = 0; j < msd[i].n; j++)
      have_msd |= isfinite(msd[i].y[j]) && msd[i].y[j] > 0;
  for (int i = 0; i < nh; i++)
    for (size_t j = 0; j < hist[i].n; j++)
      have_hist |= isfinite(hist[i].y[j]) && hist[i].y[j] > 0;
  if (!rc && !have_msd && !have_hist) {
    rc = fg_skip(c, name, "no finite MSD or step-size histogram in %s", p.path);
  } else if (!rc) {
    /* reference slopes 1 and 2 through the geometric mean of the MSD(1)s */
    const int n_ref = have_msd && n1 ? 2 : 0;
    double rx[2] = {1, tau_max > 1 ? tau_max : 2}, ry[2][2];
    const double a = n1 ? exp(m1 / n1) : 1;
    for (int r = 0; r < n_ref; r++)
      ry[r][0] = a, ry[r][1] = a * pow(rx[1], r + 1);
    if (n_ref) {
      msd[nm++] = fg_series("∝ τ (diffusive)", rx, ry[0], 2, RX_COLOUR_BLACK, RX_SERIES_LINE, 0, 1);
      msd[nm++] =
          fg_series("∝ τ² (ballistic)", rx, ry[1], 2, RX_COLOUR_BLACK, RX_SERIES_LINE, 0, 2);
    }
    char head[64], title[900], band[80], ylab[80], xlab[80];
    fg_family_head(v, "Probe", head, sizeof head);
    snprintf(title, sizeof title,
             "%s: diffusion, solid quiescent, dashed awake, dotted absolute noise, %s", head,
             p.seeds);
    snprintf(band, sizeof band, "fit range τ %d–%d", RX_MSD_TAU_LO, RX_MSD_TAU_HI);
    const char *u = space_unit(c);
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, have_msd + have_hist, 1, title, 720, 480, err);
    if (!rc && have_msd) {
      snprintf(ylab, sizeof ylab, "MSD (%s²)", u);
      rx_lines_spec s = {0};
      s.title = "mean squared displacement";
      s.x_label = "lag τ (steps)";
      s.y_label = ylab;
      s.series = msd, s.n_series = nm;
      s.log_x = s.log_y = 1;
      s.band_x_min = RX_MSD_TAU_LO, s.band_x_max = RX_MSD_TAU_HI, s.band_label = band;
      s.legend = RX_LEGEND_OUTSIDE;
      rc = rx_fig_add_lines(fig, &s, err);
    }
    if (!rc && have_hist) {
      snprintf(ylab, sizeof ylab, "probability density (1/%s)", u);
      snprintf(xlab, sizeof xlab, "step size (%s)", u);
      rx_lines_spec s = {0};
      s.title = "step sizes";
      s.x_label = xlab;
      s.y_label = ylab;
      s.series = hist, s.n_series = nh;
      s.log_y = 1;
      s.legend = have_msd ? RX_LEGEND_NONE : RX_LEGEND_OUTSIDE; /* the lines of the MSD's legend */
      rc = rx_fig_add_lines(fig, &s, err);
    }
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  fg_bag_free(&b);
  return rc;
}

int fg_probe_figures(fg_ctx *c, const fg_variant *v, rx_error *err) {
  int rc = fig_mixing(c, v, err);
  if (!rc) rc = fig_score(c, v, err);
  if (!rc) rc = fig_temperature(c, v, err);
  if (!rc) rc = fig_diffusion(c, v, err);
  return rc;
}
