/* Density image panels: values on a regular grid (a KDE evaluated by the caller) shown through
 * the sequential colour map with a colour bar, optional contour lines and arena outline
 * (Fig. 1h-k, 2c/d), and optional lines and points over it (replay's posteriors under their
 * fitted lines and decoded paths). Non-finite cells stay blank. */
#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

static int has_box(const double b[4]) { return b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 0; }

typedef struct grid_map {
  double x0, dx, y0, dy;
} grid_map;

/* Contour callback: grid index -> cell centre. */
static void cell_centre(PLFLT i, PLFLT j, PLFLT *x, PLFLT *y, PLPointer data) {
  const grid_map *g = data;
  *x = g->x0 + (i + 0.5) * g->dx;
  *y = g->y0 + (j + 0.5) * g->dy;
}

/* The overlay series over the image, in the current window, and their legend. */
static int draw_overlay(const rx_image_spec *s) {
  cJSON *rec = s->n_overlay ? rxpl_rec_arr(rxpl_rec(), "overlay") : NULL;
  rxpl_legend_entry ent[32];
  int ne = 0;
  size_t total = 0;
  for (int k = 0; k < s->n_overlay; k++)
    total += s->overlay[k].n;
  double *px = malloc((total ? total : 1) * sizeof *px),
         *py = malloc((total ? total : 1) * sizeof *py);
  if (!px || !py) {
    free(px), free(py);
    return RX_ENOMEM;
  }
  size_t np = 0;
  for (int k = 0; k < s->n_overlay; k++) {
    const rx_series *r = &s->overlay[k];
    const int col = rxpl_colour_index(r->colour, k);
    const int points = r->style == RX_SERIES_POINTS;
    const int shape = r->markers == RX_MARKER_SQUARE     ? RX_PL_SQUARE
                      : r->markers == RX_MARKER_TRIANGLE ? RX_PL_TRIANGLE
                      : r->markers || points             ? RX_PL_CIRCLE
                                                         : RX_PL_NO_MARKER;
    cJSON *it = rxpl_rec_item(rec);
    rxpl_rec_str(it, "label", r->label);
    rxpl_rec_colour(it, "colour", col);
    rxpl_rec_nums(it, "x", r->x, r->n, 1);
    rxpl_rec_nums(it, "y", r->y, r->n, 1);
    rxpl_rec_str(it, "style", points ? "points" : "line");
    rxpl_rec_bool(it, "dashed", r->dashed);
    if (r->dashed == 2) rxpl_rec_bool(it, "dotted", 1);
    rxpl_col(col);
    if (!points) {
      plwidth(1.8);
      rxpl_line_style(r->dashed);
      rxpl_polyline(r->x, r->y, r->n);
      pllsty(1);
    }
    plwidth(1.0);
    for (size_t i = 0; i < r->n; i++) {
      if (!rxpl_finite(r->x[i]) || !rxpl_finite(r->y[i])) continue;
      px[np] = r->x[i], py[np++] = r->y[i];
      if (shape == RX_PL_NO_MARKER) continue;
      if (r->markers == RX_MARKER_OPEN_CIRCLE)
        rxpl_marker_open(shape, r->x[i], r->y[i], 2.4, col);
      else
        rxpl_marker(shape, r->x[i], r->y[i], shape == RX_PL_CIRCLE ? 2.0 : 2.4, 1);
    }
    if (r->label && r->label[0]) {
      rxpl_legend_entry e = {
          r->label, col, !points, r->dashed, 0, shape, r->markers == RX_MARKER_OPEN_CIRCLE};
      ent[ne++] = e;
    }
  }
  rxpl_legend(s->legend, ent, ne, px, py, np);
  free(px), free(py);
  return 0;
}

static int draw_image(const void *spec, const rxpl_rect *cell) {
  const rx_image_spec *s = spec;
  int nx = s->nx, ny = s->ny;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t k = 0; k < (size_t)nx * ny; k++)
    if (rxpl_finite(s->z[k])) lo = fmin(lo, s->z[k]), hi = fmax(hi, s->z[k]);
  if (s->z_min < s->z_max) lo = s->z_min, hi = s->z_max;
  rxpl_axis ca;
  rxpl_axis_make(&ca, lo, hi, 0, 0.0);
  lo = ca.lo, hi = ca.hi;
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  rxpl_axis_make(&f.x, s->x_min, s->x_max, 0, 0.0);
  rxpl_axis_make(&f.y, s->y_min, s->y_max, 0, 0.0);
  if (s->equal_aspect) f.aspect = (f.y.hi - f.y.lo) / (f.x.hi - f.x.lo);
  f.right_extra = rxpl_colourbar_margin(&ca, s->z_label);

  PLFLT **img = malloc((size_t)nx * sizeof *img), **con = malloc((size_t)nx * sizeof *con);
  PLFLT *buf = malloc(2 * (size_t)nx * ny * sizeof *buf);
  if (!img || !con || !buf) {
    free(img), free(con), free(buf);
    return RX_ENOMEM;
  }
  for (int i = 0; i < nx; i++) {
    img[i] = buf + (size_t)i * ny;
    con[i] = buf + (size_t)(nx + i) * ny;
    for (int j = 0; j < ny; j++) {
      double v = s->z[(size_t)j * nx + i];
      img[i][j] = rxpl_finite(v) ? fmin(fmax(v, lo), hi) : NAN; /* NaN: not drawn */
      con[i][j] = rxpl_finite(v) ? v : lo;
    }
  }
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  cJSON *rec = rxpl_rec();
  double extent[4] = {s->x_min, s->x_max, s->y_min, s->y_max};
  rxpl_rec_num(rec, "nx", nx);
  rxpl_rec_num(rec, "ny", ny);
  rxpl_rec_nums(rec, "extent", extent, 4, 1);
  rxpl_rec_matrix(rec, "z", s->z, ny, nx);
  if (has_box(s->box)) rxpl_rec_nums(rec, "arena", s->box, 4, 1);
  const int map = s->diverging ? RXPL_MAP_DIVERGING : s->greys ? RXPL_MAP_GREYS : RXPL_MAP_VIRIDIS;
  rxpl_cmap_set(map);
  /* colours map [lo, hi] to the whole of cmap1; with cells, cell (i, j) spans
   * x_min + [i, i + 1] dx exactly, else PLplot's image placement (plot.h) */
  if (s->cells) {
    rxpl_rec_bool(rec, "cells", 1);
    if (s->compact) rxpl_rec_bool(rec, "compact", 1);
    if (rxpl_image_cells(s->z, nx, ny, s->x_min, s->x_max, s->y_min, s->y_max, lo, hi,
                         s->compact)) {
      free(img), free(con), free(buf);
      return RX_ENOMEM;
    }
  } else {
    plimagefr((PLFLT_MATRIX)img, nx, ny, s->x_min, s->x_max, s->y_min, s->y_max, lo, hi, lo, hi,
              NULL, NULL);
  }
  if (s->n_contours > 0) {
    PLFLT lev[64];
    int n = s->n_contours < 64 ? s->n_contours : 64;
    for (int k = 0; k < n; k++)
      lev[k] = lo + (k + 1) * (hi - lo) / (n + 1);
    rxpl_rec_nums(rec, "contour_levels", lev, (size_t)n, 1);
    grid_map g = {s->x_min, (s->x_max - s->x_min) / nx, s->y_min, (s->y_max - s->y_min) / ny};
    rxpl_col_alpha(RX_PL_WHITE, 0.7);
    plwidth(0.9);
    plcont((PLFLT_MATRIX)con, nx, ny, 1, nx, 1, ny, lev, n, cell_centre, &g);
    plwidth(1.0);
  }
  if (s->arena) {
    rxpl_arena_draw(s->arena, 1.5);
  } else if (has_box(s->box)) {
    PLFLT bx[5] = {s->box[0], s->box[1], s->box[1], s->box[0], s->box[0]};
    PLFLT by[5] = {s->box[2], s->box[2], s->box[3], s->box[3], s->box[2]};
    rxpl_col(RX_PL_MUTED);
    plwidth(1.5);
    plline(5, bx, by);
    plwidth(1.0);
  }
  if (s->n_overlay && draw_overlay(s)) {
    free(img), free(con), free(buf);
    return RX_ENOMEM;
  }
  rxpl_frame_end(&f, &vp);
  if (s->cells && s->compact)
    rxpl_colourbar_steps(&vp, &ca, s->z_label, map, RXPL_COMPACT_STEPS);
  else
    rxpl_colourbar(&vp, &ca, s->z_label, map);
  free(img), free(con), free(buf);
  return 0;
}

int rx_fig_add_image(rx_fig *fig, const rx_image_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s || !s->z) return rxpl_fail(fig, err, RX_EINVAL, "image panel without values");
  if (s->nx < 2 || s->ny < 2 || s->nx > 4096 || s->ny > 4096)
    return rxpl_fail(fig, err, RX_EINVAL, "image grid of %d x %d cells (2..4096 each)", s->nx,
                     s->ny);
  double r[8] = {s->x_min, s->x_max, s->y_min, s->y_max, s->z_min, s->z_max, 0, 0};
  for (int i = 0; i < 6; i++)
    if (!rxpl_finite(r[i]))
      return rxpl_fail(fig, err, RX_EINVAL, "image extent or colour range is not finite");
  if (!(s->x_min < s->x_max && s->y_min < s->y_max))
    return rxpl_fail(fig, err, RX_EINVAL, "image extent [%g, %g] x [%g, %g] is empty", s->x_min,
                     s->x_max, s->y_min, s->y_max);
  for (int i = 0; i < 4; i++)
    if (!rxpl_finite(s->box[i])) return rxpl_fail(fig, err, RX_EINVAL, "arena box is not finite");
  if (s->n_contours < 0 || s->n_contours > 64)
    return rxpl_fail(fig, err, RX_EINVAL, "%d contour levels (0..64)", s->n_contours);
  size_t n = (size_t)s->nx * s->ny, good = 0;
  for (size_t k = 0; k < n; k++)
    good += rxpl_finite(s->z[k]);
  if (!good)
    return rxpl_fail(fig, err, RX_ENUMERIC, "image panel '%s' has no finite values",
                     s->title ? s->title : "");
  if (s->compact && !s->cells)
    return rxpl_fail(fig, err, RX_EINVAL, "image panel '%s': compact drawing needs cells",
                     s->title ? s->title : "");
  if (s->diverging && s->greys)
    return rxpl_fail(fig, err, RX_EINVAL, "image panel '%s': diverging and greys both asked for",
                     s->title ? s->title : "");
  if (s->n_overlay < 0 || s->n_overlay > 32 || (s->n_overlay && !s->overlay))
    return rxpl_fail(fig, err, RX_EINVAL, "image overlay of %d series (0..32, with an array)",
                     s->n_overlay);
  if ((unsigned)s->legend > RX_LEGEND_NONE || s->legend == RX_LEGEND_OUTSIDE)
    return rxpl_fail(fig, err, RX_EINVAL,
                     "image overlay legend position %d (inside corners, AUTO "
                     "or NONE)",
                     (int)s->legend);
  for (int k = 0; k < s->n_overlay; k++) {
    const rx_series *r = &s->overlay[k];
    const char *name = r->label ? r->label : "(unlabelled)";
    if (r->n && (!r->x || !r->y))
      return rxpl_fail(fig, err, RX_EINVAL, "overlay %d '%s' has %zu points but no x or y array", k,
                       name, r->n);
    if ((unsigned)r->colour >= RX_COLOUR_COUNT ||
        (r->style != RX_SERIES_LINE && r->style != RX_SERIES_POINTS) || r->markers < 0 ||
        r->markers > RX_MARKER_TRIANGLE || r->dashed < 0 || r->dashed > 2)
      return rxpl_fail(fig, err, RX_EINVAL,
                       "overlay %d '%s': colour %d, style %d (line or points), markers %d or "
                       "dashed %d out of range",
                       k, name, (int)r->colour, (int)r->style, r->markers, r->dashed);
  }
  int oom = 0;
  rx_image_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  if (oom) return rxpl_oom(fig, err);
  if (s->n_overlay) {
    rx_series *ov = rxpl_memdup(fig, s->overlay, (size_t)s->n_overlay * sizeof *ov, &oom);
    for (int k = 0; !oom && k < s->n_overlay; k++) {
      ov[k].label = rxpl_strdup(fig, ov[k].label, &oom);
      ov[k].x = rxpl_memdup(fig, ov[k].x, ov[k].n * sizeof(double), &oom);
      ov[k].y = rxpl_memdup(fig, ov[k].y, ov[k].n * sizeof(double), &oom);
      ov[k].sd = NULL;
    }
    c->overlay = ov;
  } else {
    c->overlay = NULL;
  }
  c->z = rxpl_memdup(fig, s->z, n * sizeof *s->z, &oom);
  c->arena = rxpl_arena_copy(fig, s->arena, &oom);
  if (!oom && c->arena) { /* cells centred outside the arena: blank, as non-finite ones */
    double *z = (double *)c->z, dx = (s->x_max - s->x_min) / s->nx,
           dy = (s->y_max - s->y_min) / s->ny;
    for (int j = 0; j < s->ny; j++)
      for (int i = 0; i < s->nx; i++)
        if (!rx_arena_contains(c->arena, s->x_min + (i + 0.5) * dx, s->y_min + (j + 0.5) * dy))
          z[(size_t)j * s->nx + i] = NAN;
    good = 0;
    for (size_t k = 0; k < n; k++)
      good += rxpl_finite(z[k]);
    if (!good)
      return rxpl_fail(fig, err, RX_ENUMERIC, "image panel '%s' has no finite values in its arena",
                       s->title ? s->title : "");
  }
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  c->z_label = rxpl_strdup(fig, s->z_label, &oom);
  if (oom) return rxpl_oom(fig, err);
  return rxpl_push(fig, "image", draw_image, c, err);
}
