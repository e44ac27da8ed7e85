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
    if (rx_pl_finite(g->v[i]) && (!log_y || g->v[i] > 0)) out[m++] = g->v[i];
  qsort(out, m, sizeof *out, cmp_double);
  return m;
}

static int draw_box(const void *spec, const rx_pl_rect *cell) {
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
  rx_pl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  f.grid = 1;
  f.x.lo = 0.4, f.x.hi = G + 0.6, f.x.step = 1;
  f.x_ticks_custom = 1;
  int fy = s->y_min < s->y_max;
  rx_pl_axis_make(&f.y, fy ? s->y_min : lo, fy ? s->y_max : hi, s->log_y, fy ? 0 : 0.06);
  double slot = fmax(3.0, 0.95 * (cell->x1 - cell->x0) / rx_pl_cw(1.0) / (G + 0.6));
  int lines = rx_pl_x_labels(labels, xs, G, slot, 0);
  f.bottom_extra = 0.4 + 1.2 * (lines ? lines : 1) + 0.1;
  rx_pl_rect vp;
  rx_pl_frame_begin(&f, cell, &vp);
  cJSON *rec = rx_pl_rec(), *rec_groups = rx_pl_rec_arr(rec, "groups");
  cJSON *rec_x = rx_pl_rec_obj(rec, "x_axis");
  rx_pl_rec_nums(rec_x, "ticks", xs, (size_t)G, 1);
  rx_pl_rec_strs(rec_x, "tick_labels", labels, G);
  double sx, sy;
  rx_pl_world_per_mm(&sx, &sy);
  for (int g = 0; g < G; g++) {
    size_t m = usable_sorted(&s->groups[g], s->log_y, v);
    int col = rx_pl_colour_index(s->groups[g].colour, g);
    cJSON *it = rx_pl_rec_item(rec_groups);
    rx_pl_rec_str(it, "label", s->groups[g].label);
    rx_pl_rec_colour(it, "colour", col);
    rx_pl_rec_num(it, "x", xs[g]);
    rx_pl_rec_num(it, "n", (double)m);
    size_t finite = 0;
    for (size_t i = 0; i < s->groups[g].n; i++)
      finite += rx_pl_finite(s->groups[g].v[i]);
    rx_pl_rec_num(it, "n_left_out", (double)(finite - m)); /* <= 0 on a log axis */
    box_stats st = m ? box_of(v, m) : (box_stats){NAN, NAN, NAN, NAN, NAN};
    rx_pl_rec_num(it, "median", st.med);
    rx_pl_rec_num(it, "q1", st.q1);
    rx_pl_rec_num(it, "q3", st.q3);
    rx_pl_rec_num(it, "whisker_low", st.wlo);
    rx_pl_rec_num(it, "whisker_high", st.whi);
    cJSON *rec_out = rx_pl_rec_arr(it, "outliers");
    for (size_t i = 0; i < m; i++)
      if (v[i] < st.wlo || v[i] > st.whi) rx_pl_rec_num(rec_out, NULL, v[i]);
    if (!m) continue;
    double q1 = st.q1, med = st.med, q3 = st.q3, wlo = st.wlo, whi = st.whi;
#define Y(val) rx_pl_axis_map(&f.y, (val))
    double x = g + 1, hw = 0.3, cw = 0.15;
    PLFLT bx[5] = {x - hw, x + hw, x + hw, x - hw, x - hw};
    PLFLT by[5] = {Y(q1), Y(q1), Y(q3), Y(q3), Y(q1)};
    rx_pl_col(rx_pl_light(col));
    plfill(4, bx, by);
    rx_pl_col(col);
    plwidth(1.5);
    plline(5, bx, by);
    PLFLT wx[2] = {x, x}, w1[2] = {Y(wlo), Y(q1)}, w2[2] = {Y(q3), Y(whi)};
    plline(2, wx, w1);
    plline(2, wx, w2);
    PLFLT cx[2] = {x - cw, x + cw}, c1[2] = {Y(wlo), Y(wlo)}, c2[2] = {Y(whi), Y(whi)};
    plline(2, cx, c1);
    plline(2, cx, c2);
    rx_pl_col(RX_PL_FG);
    plwidth(2.2);
    PLFLT mx[2] = {x - hw, x + hw}, my[2] = {Y(med), Y(med)};
    plline(2, mx, my);
    plwidth(1.0);
    for (size_t i = 0; i < m; i++)
      if (v[i] < wlo || v[i] > whi) {
        rx_pl_col(col);
        rx_pl_marker(RX_PL_CIRCLE, x, Y(v[i]), 1.6, 0);
      }
#undef Y
  }
  rx_pl_col(RX_PL_FG);
  rx_pl_text_scale(1.0);
  rx_pl_x_labels(labels, xs, G, slot, 1);
  rx_pl_frame_end(&f, &vp);
  free(v), free(xs), free(labels);
  return 0;
}

rx_value_set *rx_pl_copy_sets(rx_fig *fig, const rx_value_set *sets, int n, int *oom) {
  rx_value_set *c = rx_pl_memdup(fig, sets, (size_t)n * sizeof *sets, oom);
  for (int k = 0; c && k < n; k++) {
    c[k].label = rx_pl_strdup(fig, sets[k].label, oom);
    c[k].v = c[k].n ? rx_pl_memdup(fig, sets[k].v, sets[k].n * sizeof(double), oom) : NULL;
  }
  return c;
}

int rx_pl_check_sets(const rx_fig *fig, const rx_value_set *sets, int n, int positive,
                     const char *what, rx_error *err) {
  if (!sets || n < 1) return rx_pl_fail(fig, err, RX_EINVAL, "%s panel without groups", what);
  if (n > 32)
    return rx_pl_fail(fig, err, RX_EINVAL, "%s panel with %d groups (at most 32)", what, n);
  size_t total = 0, good = 0;
  for (int k = 0; k < n; k++) {
    const rx_value_set *g = &sets[k];
    if (g->n && !g->v)
      return rx_pl_fail(fig, err, RX_EINVAL, "%s group %d '%s' has %zu values but no array", what,
                        k, g->label ? g->label : "", g->n);
    if ((unsigned)g->colour >= RX_COLOUR_COUNT)
      return rx_pl_fail(fig, err, RX_EINVAL, "%s group %d: unknown colour %d", what, k,
                        (int)g->colour);
    total += g->n;
    for (size_t i = 0; i < g->n; i++)
      good += rx_pl_finite(g->v[i]) && (!positive || g->v[i] > 0);
  }
  if (!total) return rx_pl_fail(fig, err, RX_EINVAL, "%s panel has no values", what);
  if (!good)
    return rx_pl_fail(fig, err, RX_ENUMERIC, "%s panel has no finite%s values", what,
                      positive ? " positive" : "");
  return 0;
}

int rx_fig_add_box(rx_fig *fig, const rx_box_spec *s, rx_error *err) {
  int rc = rx_pl_check_room(fig, err);
  if (rc) return rc;
  if (!s) return rx_pl_fail(fig, err, RX_EINVAL, "box panel without a spec");
  if ((rc = rx_pl_check_sets(fig, s->groups, s->n_groups, s->log_y, "box", err))) return rc;
  if (!rx_pl_finite(s->y_min) || !rx_pl_finite(s->y_max) ||
      (s->log_y && s->y_min < s->y_max && s->y_min <= 0))
    return rx_pl_fail(fig, err, RX_EINVAL, "y range [%g, %g] is not usable", s->y_min, s->y_max);
  int oom = 0;
  rx_box_spec *c = rx_pl_memdup(fig, s, sizeof *s, &oom);
  if (oom) return rx_pl_oom(fig, err);
  c->groups = rx_pl_copy_sets(fig, s->groups, s->n_groups, &oom);
  c->title = rx_pl_strdup(fig, s->title, &oom);
  c->x_label = rx_pl_strdup(fig, s->x_label, &oom);
  c->y_label = rx_pl_strdup(fig, s->y_label, &oom);
  if (oom) return rx_pl_oom(fig, err);
  return rx_pl_push(fig, "box", draw_box, c, err);
}
