/* Scatter panels: 2-D points (e.g. hidden states projected on two principal components) coloured
 * by a scalar through a colour bar; a cyclic map for angles (Fig. 1f/g, 3c/d). Large inputs are
 * thinned to an even stride when the panel is added, so PNG and SVG stay small. */
#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

/* The copy: xy (n, 2) and c (n,) of the points kept; stride 2. The points given and the stride
 * they were thinned with, for the data record. */
typedef struct scatter_copy {
  rx_scatter_spec s; /* first: the panel's spec pointer is the copy's */
  size_t n_given, every;
} scatter_copy;

static double wrap_angle(double a) { return a - 2 * M_PI * floor((a + M_PI) / (2 * M_PI)); }

static void colour_axis(const rx_scatter_spec *s, rxpl_axis *a) {
  if (s->cyclic) {
    rxpl_axis_angle(a);
    return;
  }
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < s->n; i++)
    if (rxpl_finite(s->c[i])) lo = fmin(lo, s->c[i]), hi = fmax(hi, s->c[i]);
  if (s->c_min < s->c_max) lo = s->c_min, hi = s->c_max;
  rxpl_axis_make(a, lo, hi, 0, 0.0);
}

static int draw_scatter(const void *spec, const rxpl_rect *cell) {
  const rx_scatter_spec *s = spec;
  const scatter_copy *copy = spec;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (size_t i = 0; i < s->n; i++) {
    double x = s->xy[2 * i], y = s->xy[2 * i + 1];
    if (!rxpl_finite(x) || !rxpl_finite(y)) continue;
    x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
  }
  if (s->x_min < s->x_max) x0 = s->x_min, x1 = s->x_max;
  if (s->y_min < s->y_max) y0 = s->y_min, y1 = s->y_max;
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  rxpl_axis_make(&f.x, x0, x1, 0, s->x_min < s->x_max ? 0 : 0.05);
  rxpl_axis_make(&f.y, y0, y1, 0, s->y_min < s->y_max ? 0 : 0.05);
  if (s->equal_aspect) f.aspect = (f.y.hi - f.y.lo) / (f.x.hi - f.x.lo);
  rxpl_axis ca;
  if (s->c) {
    colour_axis(s, &ca);
    f.right_extra = rxpl_colourbar_margin(&ca, s->c_label);
  }
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  if (s->c) {
    if (s->cyclic)
      rxpl_cmap_cyclic();
    else
      rxpl_cmap_sequential();
  }
  int col = rxpl_colour_index(s->colour, 0);
  cJSON *rec = rxpl_rec();
  rxpl_rec_num(rec, "n_given", (double)copy->n_given);
  rxpl_rec_num(rec, "every", (double)copy->every);
  rxpl_rec_nums(rec, "x", s->xy, s->n, 2);
  rxpl_rec_nums(rec, "y", s->xy + 1, s->n, 2);
  if (s->c) {
    rxpl_rec_nums(rec, "c", s->c, s->n, 1);
    rxpl_rec_str(rec, "c_label", s->c_label);
    rxpl_rec_bool(rec, "cyclic", s->cyclic);
  } else {
    rxpl_rec_colour(rec, "colour", col);
  }
  double size = s->n > 3000 ? 1.1 : s->n > 300 ? 1.6 : 2.2;
  for (size_t i = 0; i < s->n; i++) {
    double x = s->xy[2 * i], y = s->xy[2 * i + 1];
    if (!rxpl_finite(x) || !rxpl_finite(y)) continue;
    if (s->c) {
      double v = s->c[i];
      if (!rxpl_finite(v)) continue;
      if (s->cyclic) v = wrap_angle(v);
      double u = (v - ca.lo) / (ca.hi - ca.lo);
      plcol1(u < 0 ? 0 : u > 1 ? 1 : u);
    } else {
      rxpl_col(col);
    }
    rxpl_marker(RX_PL_CIRCLE, x, y, size, 0);
  }
  rxpl_frame_end(&f, &vp);
  if (s->c) rxpl_colourbar(&vp, &ca, s->c_label, s->cyclic ? RXPL_MAP_CYCLIC : RXPL_MAP_VIRIDIS);
  return 0;
}

int rx_fig_add_scatter(rx_fig *fig, const rx_scatter_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s || !s->xy || s->n == 0)
    return rxpl_fail(fig, err, RX_EINVAL, "scatter panel without points");
  int stride = s->stride ? s->stride : 2;
  if (stride < 2)
    return rxpl_fail(fig, err, RX_EINVAL, "scatter rows of %d values (need >= 2)", stride);
  double r[6] = {s->x_min, s->x_max, s->y_min, s->y_max, s->c_min, s->c_max};
  for (int i = 0; i < 6; i++)
    if (!rxpl_finite(r[i]))
      return rxpl_fail(fig, err, RX_EINVAL, "axis or colour range is not finite");
  if ((unsigned)s->colour >= RX_COLOUR_COUNT)
    return rxpl_fail(fig, err, RX_EINVAL, "unknown colour %d", (int)s->colour);
  size_t maxp = s->max_points ? s->max_points : 6000;
  size_t step = (s->n + maxp - 1) / maxp, m = (s->n + step - 1) / step;
  int oom = 0;
  scatter_copy *copy = rxpl_alloc(fig, sizeof *copy);
  if (!copy) return rxpl_oom(fig, err);
  copy->s = *s;
  copy->n_given = s->n;
  copy->every = step;
  rx_scatter_spec *c = &copy->s;
  double *xy = rxpl_alloc(fig, 2 * m * sizeof *xy);
  double *cv = s->c ? rxpl_alloc(fig, m * sizeof *cv) : NULL;
  if (oom || !xy || (s->c && !cv)) return rxpl_oom(fig, err);
  size_t good = 0;
  for (size_t k = 0; k < m; k++) {
    size_t i = k * step;
    xy[2 * k] = s->xy[i * stride];
    xy[2 * k + 1] = s->xy[i * stride + 1];
    if (cv) cv[k] = s->c[i];
    good += rxpl_finite(xy[2 * k]) && rxpl_finite(xy[2 * k + 1]) && (!cv || rxpl_finite(cv[k]));
  }
  if (!good)
    return rxpl_fail(fig, err, RX_ENUMERIC, "scatter panel '%s' has no finite points",
                     s->title ? s->title : "");
  c->xy = xy;
  c->c = cv;
  c->n = m;
  c->stride = 2;
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  c->c_label = rxpl_strdup(fig, s->c_label, &oom);
  if (oom) return rxpl_oom(fig, err);
  return rxpl_push(fig, "scatter", draw_scatter, c, err);
}
