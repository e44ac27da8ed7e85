/* Box-plot panels: per group the median, quartiles (linear interpolation, as numpy), whiskers at
 * the furthest points within 1.5 IQR and the points beyond, in the group's colour, labelled
 * under the axis (Fig. 2f quiescent variance, C.4 step-wise distance). */
#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double quantile(const double *v, size_t n, double p) {
  double h = (n - 1) * p;
  size_t i = (size_t)floor(h);
  if (i + 1 >= n) return v[n - 1];
  return v[i] + (h - i) * (v[i + 1] - v[i]);
}

/* What a box shows: median, quartiles and whiskers of m usable values. */
typedef struct box_stats {
  double q1, med, q3, wlo, whi;
} box_stats;

/* v: the m >= 1 usable values, sorted. */
static box_stats box_of(const double *v, size_t m) {
  box_stats b;
  b.q1 = quantile(v, m, 0.25), b.med = quantile(v, m, 0.5), b.q3 = quantile(v, m, 0.75);
  double iqr = b.q3 - b.q1;
  b.wlo = b.q1, b.whi = b.q3;
  for (size_t i = 0; i < m; i++)
    if (v[i] >= b.q1 - 1.5 * iqr) {
      b.wlo = v[i];
      break;
    }
  for (size_t i = m; i-- > 0;)
    if (v[i] <= b.q3 + 1.5 * iqr) {
      b.whi = v[i];
      break;
    }
  return b;
}

/* Sorted usable values of a group (finite, and positive on a log axis). */
static size_t usable_sorted(const rx_value_set *g, int log_y, double *out) {
  size_t m = 0;
  for (size_t i = 0; i < g->n; i++)
    if (rxpl_finite(g->v[i]) && (!log_y || g->v[i] > 0)) out[m++] = g->v[i];
  qsort(out, m, sizeof *out, cmp_double);
  return m;
}

static int draw_box(const void *spec, const rxpl_rect *cell) {
  const rx_box_spec *s = spec;
  int G = s->n_groups;
  size_t cap = 1;
  for (int g = 0; g < G; g++)
    cap = s->groups[g].n > cap ? s->groups[g].n : cap;
  double *v = malloc(cap * sizeof *v), *xs = malloc((size_t)G * sizeof *xs);
  const char **labels = malloc((size_t)G * sizeof *labels);
  if (!v || !xs || !labels) {
    free(v), free(xs), free(labels);
    return RX_ENOMEM;
  }
  double lo = INFINITY, hi = -INFINITY;
  for (int g = 0; g < G; g++) {
    size_t m = usable_sorted(&s->groups[g], s->log_y, v);
    if (m) lo = fmin(lo, v[0]), hi = fmax(hi, v[m - 1]);
    xs[g] = g + 1;
    labels[g] = s->groups[g].label;
  }
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  f.grid = 1;
  f.x.lo = 0.4, f.x.hi = G + 0.6, f.x.step = 1;
  f.x_ticks_custom = 1;
  int fy = s->y_min < s->y_max;
  rxpl_axis_make(&f.y, fy ? s->y_min : lo, fy ? s->y_max : hi, s->log_y, fy ? 0 : 0.06);
  double slot = fmax(3.0, 0.95 * (cell->x1 - cell->x0) / rxpl_cw(1.0) / (G + 0.6));
  int lines = rxpl_x_labels(labels, xs, G, slot, 0);
  f.bottom_extra = 0.4 + 1.2 * (lines ? lines : 1) + 0.1;
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  cJSON *rec = rxpl_rec(), *rec_groups = rxpl_rec_arr(rec, "groups");
  if (s->points) rxpl_rec_bool(rec, "points", 1); /* every value drawn: the groups' "values" */
  cJSON *rec_x = rxpl_rec_obj(rec, "x_axis");
  rxpl_rec_nums(rec_x, "ticks", xs, (size_t)G, 1);
  rxpl_rec_strs(rec_x, "tick_labels", labels, G);
  double sx, sy;
  rxpl_world_per_mm(&sx, &sy);
  for (int g = 0; g < G; g++) {
    size_t m = usable_sorted(&s->groups[g], s->log_y, v);
    int col = rxpl_colour_index(s->groups[g].colour, g);
    cJSON *it = rxpl_rec_item(rec_groups);
    rxpl_rec_str(it, "label", s->groups[g].label);
    rxpl_rec_colour(it, "colour", col);
    rxpl_rec_num(it, "x", xs[g]);
    rxpl_rec_num(it, "n", (double)m);
    size_t finite = 0;
    for (size_t i = 0; i < s->groups[g].n; i++)
      finite += rxpl_finite(s->groups[g].v[i]);
    rxpl_rec_num(it, "n_left_out", (double)(finite - m)); /* <= 0 on a log axis */
    box_stats st = m ? box_of(v, m) : (box_stats){NAN, NAN, NAN, NAN, NAN};
    rxpl_rec_num(it, "median", st.med);
    rxpl_rec_num(it, "q1", st.q1);
    rxpl_rec_num(it, "q3", st.q3);
    rxpl_rec_num(it, "whisker_low", st.wlo);
    rxpl_rec_num(it, "whisker_high", st.whi);
    if (s->points) rxpl_rec_nums(it, "values", v, m, 1); /* ascending, as drawn */
    cJSON *rec_out = rxpl_rec_arr(it, "outliers");
    for (size_t i = 0; i < m; i++)
      if (v[i] < st.wlo || v[i] > st.whi) rxpl_rec_num(rec_out, NULL, v[i]);
    if (!m) continue;
    double q1 = st.q1, med = st.med, q3 = st.q3, wlo = st.wlo, whi = st.whi;
#define Y(val) rxpl_axis_map(&f.y, (val))
    double x = g + 1, hw = 0.3, cw = 0.15;
    PLFLT bx[5] = {x - hw, x + hw, x + hw, x - hw, x - hw};
    PLFLT by[5] = {Y(q1), Y(q1), Y(q3), Y(q3), Y(q1)};
    rxpl_col(rxpl_light(col));
    plfill(4, bx, by);
    rxpl_col(col);
    plwidth(1.5);
    plline(5, bx, by);
    PLFLT wx[2] = {x, x}, w1[2] = {Y(wlo), Y(q1)}, w2[2] = {Y(q3), Y(whi)};
    plline(2, wx, w1);
    plline(2, wx, w2);
    PLFLT cx[2] = {x - cw, x + cw}, c1[2] = {Y(wlo), Y(wlo)}, c2[2] = {Y(whi), Y(whi)};
    plline(2, cx, c1);
    plline(2, cx, c2);
    rxpl_col(RX_PL_FG);
    plwidth(2.2);
    PLFLT mx[2] = {x - hw, x + hw}, my[2] = {Y(med), Y(med)};
    plline(2, mx, my);
    plwidth(1.0);
    for (size_t i = 0; i < m; i++)
      if (s->points || v[i] < wlo || v[i] > whi) {
        rxpl_col(col);
        rxpl_marker(RX_PL_CIRCLE, x, Y(v[i]), s->points ? 2.0 : 1.6, 0);
      }
#undef Y
  }
  rxpl_col(RX_PL_FG);
  rxpl_text_scale(1.0);
  rxpl_x_labels(labels, xs, G, slot, 1);
  rxpl_frame_end(&f, &vp);
  free(v), free(xs), free(labels);
  return 0;
}

rx_value_set *rxpl_copy_sets(rx_fig *fig, const rx_value_set *sets, int n, int *oom) {
  rx_value_set *c = rxpl_memdup(fig, sets, (size_t)n * sizeof *sets, oom);
  for (int k = 0; c && k < n; k++) {
    c[k].label = rxpl_strdup(fig, sets[k].label, oom);
    c[k].v = c[k].n ? rxpl_memdup(fig, sets[k].v, sets[k].n * sizeof(double), oom) : NULL;
  }
  return c;
}

int rxpl_check_sets(const rx_fig *fig, const rx_value_set *sets, int n, int positive,
                    const char *what, rx_error *err) {
  if (!sets || n < 1) return rxpl_fail(fig, err, RX_EINVAL, "%s panel without groups", what);
  if (n > 32)
    return rxpl_fail(fig, err, RX_EINVAL, "%s panel with %d groups (at most 32)", what, n);
  size_t total = 0, good = 0;
  for (int k = 0; k < n; k++) {
    const rx_value_set *g = &sets[k];
    if (g->n && !g->v)
      return rxpl_fail(fig, err, RX_EINVAL, "%s group %d '%s' has %zu values but no array", what, k,
                       g->label ? g->label : "", g->n);
    if ((unsigned)g->colour >= RX_COLOUR_COUNT)
      return rxpl_fail(fig, err, RX_EINVAL, "%s group %d: unknown colour %d", what, k,
                       (int)g->colour);
    total += g->n;
    for (size_t i = 0; i < g->n; i++)
      good += rxpl_finite(g->v[i]) && (!positive || g->v[i] > 0);
  }
  if (!total) return rxpl_fail(fig, err, RX_EINVAL, "%s panel has no values", what);
  if (!good)
    return rxpl_fail(fig, err, RX_ENUMERIC, "%s panel has no finite%s values", what,
                     positive ? " positive" : "");
  return 0;
}

int rx_fig_add_box(rx_fig *fig, const rx_box_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s) return rxpl_fail(fig, err, RX_EINVAL, "box panel without a spec");
  if ((rc = rxpl_check_sets(fig, s->groups, s->n_groups, s->log_y, "box", err))) return rc;
  if (!rxpl_finite(s->y_min) || !rxpl_finite(s->y_max) ||
      (s->log_y && s->y_min < s->y_max && s->y_min <= 0))
    return rxpl_fail(fig, err, RX_EINVAL, "y range [%g, %g] is not usable", s->y_min, s->y_max);
  int oom = 0;
  rx_box_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  if (oom) return rxpl_oom(fig, err);
  c->groups = rxpl_copy_sets(fig, s->groups, s->n_groups, &oom);
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  if (oom) return rxpl_oom(fig, err);
  return rxpl_push(fig, "box", draw_box, c, err);
}
