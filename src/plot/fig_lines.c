/* Line panels: series of mean +- s.d. against x, the s.d. as a translucent band or as error bars
 * (learning curves, Fig. 1b; cumulative explained variance, Fig. 1c); series drawn as points,
 * as step histograms from their counts or as bars, and a shaded x band (the probes' figures).
 * Loading metrics and averaging over seeds are the caller's; this file only draws. */
#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

static int usable(const rx_lines_spec *s, const rx_series *r, size_t i) {
  double x = r->x[i], y = r->y[i];
  if (!rxpl_finite(x) || !rxpl_finite(y)) return 0;
  if (s->log_x && x <= 0) return 0;
  if (s->log_y && y <= 0) return 0;
  return 1;
}

/* Window coordinates of y +- sd, or NaN where it cannot be drawn. */
static double band_edge(const rx_lines_spec *s, const rxpl_axis *ay, double y, double sd,
                        double sign) {
  if (!rxpl_finite(sd)) return NAN;
  double v = y + sign * fabs(sd);
  if (s->log_y) return v > 0 ? log10(v) : ay->lo;
  return v;
}

/* The plot's marker shape for an rx_marker, and whether it is drawn open. */
static int marker_shape(int m) {
  return m == RX_MARKER_SQUARE     ? RX_PL_SQUARE
         : m == RX_MARKER_TRIANGLE ? RX_PL_TRIANGLE
         : m                       ? RX_PL_CIRCLE
                                   : RX_PL_NO_MARKER;
}

static const char *marker_name(int m) {
  static const char *const names[] = {NULL, "circle", "open circle", "square", "triangle"};
  return m >= 0 && m <= RX_MARKER_TRIANGLE ? names[m] : NULL;
}

static const char *style_name(rx_series_style st) {
  static const char *const names[] = {"line", "points", "steps", "bars"};
  return names[st];
}

/* Half the extent a bar or step takes each side of point i, in x (data units on a linear axis;
 * log10 units on a log axis), from the neighbours' x (steps) or the smallest gap (bars). */
static double x_of(const rx_lines_spec *s, double x) { return s->log_x ? log10(x) : x; }
static int x_ok(const rx_lines_spec *s, double x) { return rxpl_finite(x) && (!s->log_x || x > 0); }

static double bar_half_width(const rx_lines_spec *s, const rx_series *r) {
  double gap = INFINITY;
  for (size_t i = 0; i + 1 < r->n; i++)
    if (x_ok(s, r->x[i]) && x_ok(s, r->x[i + 1])) {
      double g = fabs(x_of(s, r->x[i + 1]) - x_of(s, r->x[i]));
      if (g > 0) gap = fmin(gap, g);
    }
  if (!rxpl_finite(gap)) gap = 1;
  return 0.4 * gap;
}

/* Left and right edges of step i (window units): midway to the neighbours. */
static void step_edges(const rx_lines_spec *s, const rx_series *r, size_t i, double *l,
                       double *rt) {
  double c = x_of(s, r->x[i]);
  int has_prev = i > 0 && x_ok(s, r->x[i - 1]), has_next = i + 1 < r->n && x_ok(s, r->x[i + 1]);
  double pv = has_prev ? x_of(s, r->x[i - 1]) : NAN, nx = has_next ? x_of(s, r->x[i + 1]) : NAN;
  double half_l = has_prev ? 0.5 * (c - pv) : has_next ? 0.5 * (nx - c) : 0.5;
  double half_r = has_next ? 0.5 * (nx - c) : has_prev ? 0.5 * (c - pv) : 0.5;
  *l = c - half_l;
  *rt = c + half_r;
}

static int draw_lines(const void *spec, const rxpl_rect *cell) {
  const rx_lines_spec *s = spec;
  /* data range */
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  size_t total = 0;
  int zero_base = 0; /* a bar or step series: the linear y axis shows 0 */
  for (int k = 0; k < s->n_series; k++) {
    const rx_series *r = &s->series[k];
    const int wide = r->style == RX_SERIES_BARS || r->style == RX_SERIES_STEPS;
    const double hw = r->style == RX_SERIES_BARS ? bar_half_width(s, r) : 0;
    for (size_t i = 0; i < r->n; i++) {
      if (!usable(s, r, i)) continue;
      double y = r->y[i], lo = y, hi = y;
      if (r->sd && rxpl_finite(r->sd[i])) {
        lo = y - fabs(r->sd[i]);
        hi = y + fabs(r->sd[i]);
        if (s->log_y && lo <= 0) lo = y;
      }
      double xl = r->x[i], xr = r->x[i];
      if (wide) { /* the bar's or step's extent, back in data units */
        double l = x_of(s, xl) - hw, rt = x_of(s, xr) + hw;
        if (r->style == RX_SERIES_STEPS) step_edges(s, r, i, &l, &rt);
        xl = s->log_x ? pow(10, l) : l, xr = s->log_x ? pow(10, rt) : rt;
        zero_base |= !s->log_y;
      }
      x0 = fmin(x0, xl);
      x1 = fmax(x1, xr);
      y0 = fmin(y0, lo);
      y1 = fmax(y1, hi);
      total++;
    }
  }
  if (zero_base && total) y0 = fmin(y0, 0), y1 = fmax(y1, 0);
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  f.grid = 1;
  int fx = s->x_min < s->x_max, fy = s->y_min < s->y_max;
  rxpl_axis_make(&f.x, fx ? s->x_min : x0, fx ? s->x_max : x1, s->log_x, fx ? 0 : 0.02);
  rxpl_axis_make(&f.y, fy ? s->y_min : y0, fy ? s->y_max : y1, s->log_y, fy ? 0 : 0.05);
  rxpl_legend_entry ent[33];
  int ne = 0;
  const int band = s->band_x_min < s->band_x_max;
  const int band_col = RX_PL_GRID; /* the grid's light grey */
  for (int k = 0; k < s->n_series && ne < 32; k++) {
    const rx_series *r = &s->series[k];
    if (!r->label || !r->label[0]) continue;
    const int line = r->style == RX_SERIES_LINE || r->style == RX_SERIES_STEPS;
    const int marker = r->style == RX_SERIES_POINTS && !r->markers ? RX_PL_CIRCLE
                       : r->style == RX_SERIES_BARS                ? RX_PL_NO_MARKER
                                                                   : marker_shape(r->markers);
    rxpl_legend_entry e = {r->label,
                           rxpl_colour_index(r->colour, k),
                           line,
                           r->dashed,
                           (r->sd && !r->sd_bars && line) || r->style == RX_SERIES_BARS,
                           marker,
                           r->markers == RX_MARKER_OPEN_CIRCLE};
    ent[ne++] = e;
  }
  if (band && s->band_label && s->band_label[0]) {
    rxpl_legend_entry e = {s->band_label, band_col, 0, 0, 1, 0, 0};
    ent[ne++] = e;
  }
  if (s->legend == RX_LEGEND_OUTSIDE) f.right_extra = rxpl_legend_width(ent, ne) + 0.8;
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);

  size_t cap = 0;
  for (int k = 0; k < s->n_series; k++)
    cap = s->series[k].n > cap ? s->series[k].n : cap;
  double *wx = malloc(2 * cap * sizeof *wx + 1), *wy = malloc(2 * cap * sizeof *wy + 1);
  double *px = malloc(3 * total * sizeof *px + 1), *py = malloc(3 * total * sizeof *py + 1);
  if (!wx || !wy || !px || !py) {
    free(wx), free(wy), free(px), free(py);
    return RX_ENOMEM;
  }
  size_t np = 0;
  double sx, sy;
  rxpl_world_per_mm(&sx, &sy);
  if (band) { /* behind everything but the grid */
    double a = s->log_x ? (s->band_x_min > 0 ? log10(s->band_x_min) : f.x.lo) : s->band_x_min;
    double b = s->log_x ? (s->band_x_max > 0 ? log10(s->band_x_max) : f.x.lo) : s->band_x_max;
    a = fmax(a, f.x.lo), b = fmin(b, f.x.hi);
    if (b > a) {
      PLFLT bx[4] = {a, b, b, a}, by[4] = {f.y.lo, f.y.lo, f.y.hi, f.y.hi};
      rxpl_col(band_col);
      plfill(4, bx, by);
    }
    cJSON *rb = rxpl_rec_obj(rxpl_rec(), "band");
    rxpl_rec_num(rb, "x_min", s->band_x_min);
    rxpl_rec_num(rb, "x_max", s->band_x_max);
    rxpl_rec_str(rb, "label", s->band_label);
  }
  /* the y of a bar's or step's base, in window units */
  const double base = s->log_y ? f.y.lo : fmin(fmax(0.0, f.y.lo), f.y.hi);
  cJSON *rec_series = rxpl_rec_arr(rxpl_rec(), "series");
  for (int k = 0; k < s->n_series; k++) {
    const rx_series *r = &s->series[k];
    int col = rxpl_colour_index(r->colour, k);
    cJSON *it = rxpl_rec_item(rec_series);
    rxpl_rec_str(it, "label", r->label);
    rxpl_rec_colour(it, "colour", col);
    rxpl_rec_nums(it, "x", r->x, r->n, 1);
    rxpl_rec_nums(it, "y", r->y, r->n, 1);
    if (r->sd)
      rxpl_rec_nums(it, "sd", r->sd, r->n, 1);
    else
      rxpl_rec_str(it, "sd", NULL);
    rxpl_rec_str(it, "sd_style", !r->sd ? NULL : r->sd_bars ? "bars" : "band");
    rxpl_rec_bool(it, "dashed", r->dashed);
    rxpl_rec_bool(it, "markers", r->markers);
    if (r->dashed == 2) rxpl_rec_bool(it, "dotted", 1);
    if (r->markers) rxpl_rec_str(it, "marker", marker_name(r->markers));
    if (r->style != RX_SERIES_LINE) rxpl_rec_str(it, "style", style_name(r->style));
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
      wx[i] = usable(s, r, i) ? rxpl_axis_map(&f.x, r->x[i]) : NAN;
      wy[i] = usable(s, r, i) ? rxpl_axis_map(&f.y, r->y[i]) : NAN;
      if (rxpl_finite(wx[i])) {
        px[np] = wx[i], py[np++] = wy[i];
        if (r->sd && rxpl_finite(r->sd[i])) {
          px[np] = wx[i], py[np++] = band_edge(s, &f.y, r->y[i], r->sd[i], 1);
          px[np] = wx[i], py[np++] = band_edge(s, &f.y, r->y[i], r->sd[i], -1);
        }
      }
      m++;
    }
    if (r->sd && !r->sd_bars) { /* band: one polygon per run of drawable points */
      rxpl_col(rxpl_light(col));
      size_t i = 0;
      while (i < m) {
        while (i < m && !(rxpl_finite(wx[i]) && rxpl_finite(r->sd[i])))
          i++;
        size_t j = i;
        while (j < m && rxpl_finite(wx[j]) && rxpl_finite(r->sd[j]))
          j++;
        if (j - i >= 2) {
          PLFLT *bx = malloc(2 * (j - i) * sizeof *bx), *by = malloc(2 * (j - i) * sizeof *by);
          if (!bx || !by) {
            free(bx), free(by), free(wx), free(wy), free(px), free(py);
            return RX_ENOMEM;
          }
          size_t q = 0;
          for (size_t t = i; t < j; t++)
            bx[q] = wx[t], by[q++] = band_edge(s, &f.y, r->y[t], r->sd[t], 1);
          for (size_t t = j; t-- > i;)
            bx[q] = wx[t], by[q++] = band_edge(s, &f.y, r->y[t], r->sd[t], -1);
          plfill((PLINT)q, bx, by);
          free(bx), free(by);
        }
        i = j;
      }
    }
    rxpl_col(col);
    plwidth(1.8);
    rxpl_line_style(r->dashed);
    if (r->style == RX_SERIES_LINE) rxpl_polyline(wx, wy, m);
    if (r->style == RX_SERIES_STEPS) { /* one outline per run of drawable bins */
      size_t i = 0;
      while (i < m) {
        while (i < m && !rxpl_finite(wx[i]))
          i++;
        size_t j = i;
        while (j < m && rxpl_finite(wx[j]))
          j++;
        if (j > i) {
          PLFLT *qx = malloc((2 * (j - i) + 2) * sizeof *qx),
                *qy = malloc((2 * (j - i) + 2) * sizeof *qy);
          if (!qx || !qy) {
            free(qx), free(qy), free(wx), free(wy), free(px), free(py);
            return RX_ENOMEM;
          }
          size_t q = 0;
          for (size_t t = i; t < j; t++) {
            double l, rt;
            step_edges(s, r, t, &l, &rt);
            if (t == i) qx[q] = l, qy[q++] = base;
            qx[q] = l, qy[q++] = wy[t];
            qx[q] = rt, qy[q++] = wy[t];
            if (t + 1 == j) qx[q] = rt, qy[q++] = base;
          }
          plline((PLINT)q, qx, qy);
          free(qx), free(qy);
        }
        i = j;
      }
    }
    pllsty(1);
    if (r->style == RX_SERIES_BARS) {
      const double hw = bar_half_width(s, r);
      for (size_t i = 0; i < m; i++) {
        if (!rxpl_finite(wx[i])) continue;
        PLFLT qx[5] = {wx[i] - hw, wx[i] + hw, wx[i] + hw, wx[i] - hw, wx[i] - hw};
        PLFLT qy[5] = {base, base, wy[i], wy[i], base};
        rxpl_col(rxpl_light(col));
        plfill(4, qx, qy);
        rxpl_col(col);
        plwidth(1.2);
        plline(5, qx, qy);
      }
    }
    plwidth(1.2);
    if (r->sd && r->sd_bars) {
      for (size_t i = 0; i < m; i++) {
        if (!rxpl_finite(wx[i]) || !rxpl_finite(r->sd[i])) continue;
        PLFLT ex[2] = {wx[i], wx[i]};
        PLFLT ey[2] = {band_edge(s, &f.y, r->y[i], r->sd[i], -1),
                       band_edge(s, &f.y, r->y[i], r->sd[i], 1)};
        plline(2, ex, ey);
        for (int e = 0; e < 2; e++) {
          PLFLT cx[2] = {wx[i] - 1.0 * sx, wx[i] + 1.0 * sx}, cy[2] = {ey[e], ey[e]};
          plline(2, cx, cy);
        }
      }
    }
    const int shape = r->style == RX_SERIES_POINTS && !r->markers ? RX_PL_CIRCLE
                      : r->style == RX_SERIES_BARS                ? RX_PL_NO_MARKER
                                                                  : marker_shape(r->markers);
    for (size_t i = 0; shape && i < m; i++) {
      if (!rxpl_finite(wx[i])) continue;
      double size = shape == RX_PL_CIRCLE ? 2.0 : 2.4;
      if (r->markers == RX_MARKER_OPEN_CIRCLE)
        rxpl_marker_open(shape, wx[i], wy[i], 2.4, col);
      else
        rxpl_marker(shape, wx[i], wy[i], size, 0);
    }
    plwidth(1.0);
  }
  rxpl_legend(s->legend, ent, ne, px, py, np);
  rxpl_frame_end(&f, &vp);
  free(wx), free(wy), free(px), free(py);
  return 0;
}

static int check_range(const rx_fig *fig, rx_error *err, const char *what, double lo, double hi) {
  if (!rxpl_finite(lo) || !rxpl_finite(hi))
    return rxpl_fail(fig, err, RX_EINVAL, "%s range [%g, %g] is not finite", what, lo, hi);
  return 0;
}

int rx_fig_add_lines(rx_fig *fig, const rx_lines_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s || !s->series || s->n_series < 1)
    return rxpl_fail(fig, err, RX_EINVAL, "line panel without series");
  if (s->n_series > 32)
    return rxpl_fail(fig, err, RX_EINVAL, "line panel with %d series (at most 32)", s->n_series);
  if ((rc = check_range(fig, err, "x", s->x_min, s->x_max)) ||
      (rc = check_range(fig, err, "y", s->y_min, s->y_max)))
    return rc;
  if (!rxpl_finite(s->band_x_min) || !rxpl_finite(s->band_x_max))
    return rxpl_fail(fig, err, RX_EINVAL, "band [%g, %g] is not finite", s->band_x_min,
                     s->band_x_max);
  if ((s->log_x && s->x_min < s->x_max && s->x_min <= 0) ||
      (s->log_y && s->y_min < s->y_max && s->y_min <= 0))
    return rxpl_fail(fig, err, RX_EINVAL, "a logarithmic axis range must be positive");
  if ((unsigned)s->legend > RX_LEGEND_NONE)
    return rxpl_fail(fig, err, RX_EINVAL, "unknown legend position %d", (int)s->legend);
  size_t total = 0, good = 0;
  for (int k = 0; k < s->n_series; k++) {
    const rx_series *r = &s->series[k];
    const char *name = r->label ? r->label : "(unlabelled)";
    if (r->n && (!r->x || !r->y))
      return rxpl_fail(fig, err, RX_EINVAL, "series %d '%s' has %zu points but no x or y array", k,
                       name, r->n);
    if ((unsigned)r->colour >= RX_COLOUR_COUNT)
      return rxpl_fail(fig, err, RX_EINVAL, "series %d '%s': unknown colour %d", k, name,
                       (int)r->colour);
    if ((unsigned)r->style > RX_SERIES_BARS || r->markers < 0 || r->markers > RX_MARKER_TRIANGLE ||
        r->dashed < 0 || r->dashed > 2)
      return rxpl_fail(fig, err, RX_EINVAL,
                       "series %d '%s': style %d, markers %d or dashed %d out of range", k, name,
                       (int)r->style, r->markers, r->dashed);
    total += r->n;
    for (size_t i = 0; i < r->n; i++)
      good += usable(s, r, i);
  }
  if (total == 0) return rxpl_fail(fig, err, RX_EINVAL, "line panel has no points");
  if (good == 0)
    return rxpl_fail(fig, err, RX_ENUMERIC, "line panel '%s' has no finite%s points",
                     s->title ? s->title : "", s->log_x || s->log_y ? " positive" : "");
  int oom = 0;
  rx_lines_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  rx_series *ser = rxpl_memdup(fig, s->series, (size_t)s->n_series * sizeof *ser, &oom);
  if (oom) return rxpl_oom(fig, err);
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  c->band_label = rxpl_strdup(fig, s->band_label, &oom);
  for (int k = 0; k < s->n_series; k++) {
    size_t bytes = ser[k].n * sizeof(double);
    ser[k].label = rxpl_strdup(fig, ser[k].label, &oom);
    ser[k].x = rxpl_memdup(fig, ser[k].x, bytes, &oom);
    ser[k].y = rxpl_memdup(fig, ser[k].y, bytes, &oom);
    ser[k].sd = ser[k].n ? rxpl_memdup(fig, ser[k].sd, bytes, &oom) : NULL;
  }
  if (oom) return rxpl_oom(fig, err);
  c->series = ser;
  return rxpl_push(fig, "lines", draw_lines, c, err);
}

int rx_fig_add_explained_variance(rx_fig *fig, const char *title, int k, const double *active_mean,
                                  const double *active_sd, const double *quiescent_mean,
                                  const double *quiescent_sd, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (k < 1 || k > 10000 || !active_mean || !quiescent_mean)
    return rxpl_fail(fig, err, RX_EINVAL,
                     "explained variance needs k >= 1 components and both mean arrays (k = %d)", k);
  double *x = malloc((size_t)k * sizeof *x);
  if (!x) return rxpl_oom(fig, err);
  for (int i = 0; i < k; i++)
    x[i] = i + 1;
  rx_series ser[2] = {
      {"active", x, active_mean, active_sd, (size_t)k, RX_COLOUR_ACTIVE, 1, 1, 0, RX_SERIES_LINE},
      {"quiescent", x, quiescent_mean, quiescent_sd, (size_t)k, RX_COLOUR_QUIESCENT, 1, 1, 0,
       RX_SERIES_LINE}};
  rx_lines_spec s = {0};
  s.title = title;
  s.x_label = "number of principal components";
  s.y_label = "cumulative explained variance";
  s.series = ser;
  s.n_series = 2;
  s.x_min = 0.5;
  s.x_max = k + 0.5;
  s.legend = RX_LEGEND_BOTTOM_RIGHT;
  rc = rx_fig_add_lines(fig, &s, err);
  free(x);
  return rc;
}
