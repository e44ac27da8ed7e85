/* Line panels: series of mean +- s.d. against x, the s.d. as a translucent band or as error bars
 * (learning curves, Fig. 1b; cumulative explained variance, Fig. 1c). Loading metrics and
 * averaging over seeds are the caller's; this file only draws. */
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

static int draw_lines(const void *spec, const rxpl_rect *cell) {
  const rx_lines_spec *s = spec;
  /* data range */
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  size_t total = 0;
  for (int k = 0; k < s->n_series; k++) {
    const rx_series *r = &s->series[k];
    for (size_t i = 0; i < r->n; i++) {
      if (!usable(s, r, i)) continue;
      double y = r->y[i], lo = y, hi = y;
      if (r->sd && rxpl_finite(r->sd[i])) {
        lo = y - fabs(r->sd[i]);
        hi = y + fabs(r->sd[i]);
        if (s->log_y && lo <= 0) lo = y;
      }
      x0 = fmin(x0, r->x[i]);
      x1 = fmax(x1, r->x[i]);
      y0 = fmin(y0, lo);
      y1 = fmax(y1, hi);
      total++;
    }
  }
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  f.grid = 1;
  int fx = s->x_min < s->x_max, fy = s->y_min < s->y_max;
  rxpl_axis_make(&f.x, fx ? s->x_min : x0, fx ? s->x_max : x1, s->log_x, fx ? 0 : 0.02);
  rxpl_axis_make(&f.y, fy ? s->y_min : y0, fy ? s->y_max : y1, s->log_y, fy ? 0 : 0.05);
  rxpl_legend_entry ent[32];
  int ne = 0;
  for (int k = 0; k < s->n_series && ne < 32; k++) {
    const rx_series *r = &s->series[k];
    if (!r->label || !r->label[0]) continue;
    rxpl_legend_entry e = {r->label,
                           rxpl_colour_index(r->colour, k),
                           1,
                           r->dashed,
                           r->sd && !r->sd_bars,
                           r->markers ? RX_PL_CIRCLE : 0};
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
    pllsty(r->dashed ? 3 : 1);
    rxpl_polyline(wx, wy, m);
    pllsty(1);
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
    if (r->markers)
      for (size_t i = 0; i < m; i++)
        if (rxpl_finite(wx[i])) rxpl_marker(RX_PL_CIRCLE, wx[i], wy[i], 2.0, 0);
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
      {"active", x, active_mean, active_sd, (size_t)k, RX_COLOUR_ACTIVE, 1, 1, 0},
      {"quiescent", x, quiescent_mean, quiescent_sd, (size_t)k, RX_COLOUR_QUIESCENT, 1, 1, 0}};
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
