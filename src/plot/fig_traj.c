/* Trajectory panels: a few decoded trajectories, start marked with a circle and end with a
 * triangle; positions in the plane with equal aspect inside the arena outline (Fig. 1d/e, 2a/b,
 * C.3), or headings against time broken at the +-pi wrap (C.5). Decoding is the caller's. */
#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

/* The copy keeps only what is drawn: x is (T, n_show, dim) with T = the steps shown. */

static int has_box(const double b[4]) { return b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 0; }

static int draw_traj(const void *spec, const rxpl_rect *cell) {
  const rx_traj_spec *s = spec;
  int T = s->T, B = s->n_show, d = s->dim;
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  double *wx = malloc((size_t)(2 * T + 1) * sizeof *wx),
         *wy = malloc((size_t)(2 * T + 1) * sizeof *wy);
  double *px = malloc((size_t)T * B * sizeof *px + 1), *py = malloc((size_t)T * B * sizeof *py + 1);
  if (!wx || !wy || !px || !py) {
    free(wx), free(wy), free(px), free(py);
    return RX_ENOMEM;
  }
  double tscale = s->dt > 0 ? s->dt : 1.0;
  if (d == 2) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < (size_t)T * B; i++) {
      double x = s->x[2 * i], y = s->x[2 * i + 1];
      if (!rxpl_finite(x) || !rxpl_finite(y)) continue;
      x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
    }
    if (s->arena) {
      x0 = fmin(x0, s->arena->lo[0]), x1 = fmax(x1, s->arena->hi[0]);
      y0 = fmin(y0, s->arena->lo[1]), y1 = fmax(y1, s->arena->hi[1]);
    } else if (has_box(s->box)) {
      x0 = fmin(x0, s->box[0]), x1 = fmax(x1, s->box[1]);
      y0 = fmin(y0, s->box[2]), y1 = fmax(y1, s->box[3]);
    }
    /* a square window around the data, so the plane is not stretched */
    double half = 0.5 * fmax(x1 - x0, y1 - y0), cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
    rxpl_axis_make(&f.x, cx - half, cx + half, 0, 0.04);
    rxpl_axis_make(&f.y, cy - half, cy + half, 0, 0.04);
    f.aspect = (f.y.hi - f.y.lo) / (f.x.hi - f.x.lo);
  } else {
    rxpl_axis_make(&f.x, 0, (T - 1) * tscale, 0, 0.02);
    rxpl_axis_angle(&f.y); /* ticks at multiples of pi/2, window a little wider */
    f.y.lo -= 0.06 * M_PI;
    f.y.hi += 0.06 * M_PI;
    f.grid = 1;
  }
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  if (d == 2 && s->arena) {
    rxpl_arena_draw(s->arena, 2.0);
  } else if (d == 2 && has_box(s->box)) {
    PLFLT bx[5] = {s->box[0], s->box[1], s->box[1], s->box[0], s->box[0]};
    PLFLT by[5] = {s->box[2], s->box[2], s->box[3], s->box[3], s->box[2]};
    rxpl_col(RX_PL_MUTED);
    plwidth(2.0);
    plline(5, bx, by);
    plwidth(1.0);
  }
  cJSON *rec = rxpl_rec(), *rec_traj = rxpl_rec_arr(rec, "trajectories");
  rxpl_rec_num(rec, "dim", d);
  if (d == 1) rxpl_rec_num(rec, "dt", s->dt);
  if (d == 2 && has_box(s->box)) rxpl_rec_nums(rec, "arena", s->box, 4, 1);
  size_t np = 0;
  for (int b = 0; b < B; b++) {
    int col = rxpl_colour_index(s->colour, b);
    cJSON *it = rxpl_rec_item(rec_traj);
    rxpl_rec_num(it, "index", s->index ? s->index[b] : b);
    rxpl_rec_colour(it, "colour", col);
    if (it && d == 2) {
      rxpl_rec_floats(it, "x", s->x + (size_t)b * 2, (size_t)T, (size_t)B * 2);
      rxpl_rec_floats(it, "y", s->x + (size_t)b * 2 + 1, (size_t)T, (size_t)B * 2);
    } else if (it) { /* time, and the heading wrapped into [-pi, pi) as drawn */
      cJSON *tx = rxpl_rec_arr(it, "x"), *hy = rxpl_rec_arr(it, "y");
      for (int t = 0; t < T; t++) {
        double y = s->x[(size_t)t * B + b];
        rxpl_rec_num(tx, NULL, t * tscale);
        rxpl_rec_num(hy, NULL, y - 2 * M_PI * floor((y + M_PI) / (2 * M_PI)));
      }
    }
    size_t m = 0;
    double prev = NAN;
    int first = -1, last = -1;
    for (int t = 0; t < T; t++) {
      const float *p = s->x + ((size_t)t * B + b) * d;
      double x = d == 2 ? p[0] : t * tscale, y = d == 2 ? p[1] : p[0];
      if (d == 1 && rxpl_finite(y)) y = y - 2 * M_PI * floor((y + M_PI) / (2 * M_PI));
      if (d == 1 && rxpl_finite(prev) && rxpl_finite(y) && fabs(y - prev) > M_PI) {
        wx[m] = NAN, wy[m++] = NAN; /* wrapped: break the line */
      }
      wx[m] = x, wy[m++] = y;
      if (rxpl_finite(x) && rxpl_finite(y)) {
        if (first < 0) first = (int)m - 1;
        last = (int)m - 1;
        px[np] = x, py[np++] = y;
      }
      prev = y;
    }
    rxpl_col(col);
    plwidth(1.4);
    rxpl_polyline(wx, wy, m);
    plwidth(1.0);
    if (first >= 0) {
      rxpl_col(col);
      rxpl_marker(RX_PL_CIRCLE, wx[first], wy[first], 2.8, 1);
      rxpl_col(col);
      rxpl_marker(RX_PL_TRIANGLE, wx[last], wy[last], 3.0, 1);
    }
  }
  rxpl_legend_entry ent[2] = {{"start", RX_PL_FG, 0, 0, 0, RX_PL_CIRCLE, 0},
                              {"end", RX_PL_FG, 0, 0, 0, RX_PL_TRIANGLE, 0}};
  rxpl_legend(RX_LEGEND_AUTO, ent, 2, px, py, np);
  rxpl_frame_end(&f, &vp);
  free(wx), free(wy), free(px), free(py);
  return 0;
}

int rx_fig_add_traj(rx_fig *fig, const rx_traj_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s || !s->x) return rxpl_fail(fig, err, RX_EINVAL, "trajectory panel without data");
  if (s->T < 1 || s->B < 1 || (s->dim != 1 && s->dim != 2))
    return rxpl_fail(fig, err, RX_EINVAL,
                     "trajectories of shape (T, B, dim) = (%d, %d, %d): need T, B >= 1, dim 1 or 2",
                     s->T, s->B, s->dim);
  int n_show = s->n_show > 0 ? s->n_show : (s->B < 5 ? s->B : 5);
  if (n_show > 64 || (!s->index && n_show > s->B))
    return rxpl_fail(fig, err, RX_EINVAL, "%d trajectories to show of %d (at most 64)", n_show,
                     s->B);
  if (s->t_max < 0 || s->t_max > s->T)
    return rxpl_fail(fig, err, RX_EINVAL, "t_max %d outside 0..T = %d", s->t_max, s->T);
  if (!rxpl_finite(s->dt) || s->dt < 0)
    return rxpl_fail(fig, err, RX_EINVAL, "time step dt = %g", s->dt);
  if ((unsigned)s->colour >= RX_COLOUR_COUNT)
    return rxpl_fail(fig, err, RX_EINVAL, "unknown colour %d", (int)s->colour);
  for (int i = 0; i < 4; i++)
    if (!rxpl_finite(s->box[i])) return rxpl_fail(fig, err, RX_EINVAL, "arena box is not finite");
  if (has_box(s->box) && !(s->box[0] < s->box[1] && s->box[2] < s->box[3]))
    return rxpl_fail(fig, err, RX_EINVAL, "arena box [%g, %g] x [%g, %g] is empty", s->box[0],
                     s->box[1], s->box[2], s->box[3]);
  for (int i = 0; s->index && i < n_show; i++)
    if (s->index[i] < 0 || s->index[i] >= s->B)
      return rxpl_fail(fig, err, RX_EINVAL, "trajectory index %d outside 0..%d", s->index[i],
                       s->B - 1);
  int T = s->t_max ? s->t_max : s->T, d = s->dim;
  int oom = 0;
  rx_traj_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  float *x = rxpl_alloc(fig, (size_t)T * n_show * d * sizeof *x);
  if (oom || !x) return rxpl_oom(fig, err);
  size_t good = 0;
  for (int t = 0; t < T; t++)
    for (int b = 0; b < n_show; b++) {
      int src = s->index ? s->index[b] : b;
      for (int k = 0; k < d; k++) {
        float v = s->x[((size_t)t * s->B + src) * d + k];
        x[((size_t)t * n_show + b) * d + k] = v;
        good += rxpl_finite(v);
      }
    }
  if (!good)
    return rxpl_fail(fig, err, RX_ENUMERIC, "trajectory panel '%s' has no finite values",
                     s->title ? s->title : "");
  c->x = x;
  c->T = T;
  c->B = n_show;
  c->n_show = n_show;
  int *index = rxpl_alloc(fig, (size_t)n_show * sizeof *index);
  if (!index) return rxpl_oom(fig, err);
  for (int b = 0; b < n_show; b++) /* not read by drawing: for the data record */
    index[b] = s->index ? s->index[b] : b;
  c->index = index;
  c->t_max = 0;
  c->arena = d == 2 ? rxpl_arena_copy(fig, s->arena, &oom) : NULL;
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  if (oom) return rxpl_oom(fig, err);
  return rxpl_push(fig, "traj", draw_traj, c, err);
}
