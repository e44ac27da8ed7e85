/* Vector-field panels: arrows drawn by PLplot's plvect, through a transform that puts the i-th
 * arrow at (x[i], y[i]) so that any set of points works (a grid is one case), over an optional
 * scalar grid shaded in light greys, with a key arrow of a round length under the plot area
 * (drift and score fields, docs/probes.md §4). The vectors are the caller's; this file only
 * scales and draws them. */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

static int has_box(const double b[4]) { return b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 0; }

static int arrow_ok(const rx_vector_spec *s, size_t i) {
  return rxpl_finite(s->x[i]) && rxpl_finite(s->y[i]) && rxpl_finite(s->u[i]) &&
         rxpl_finite(s->v[i]) && (s->u[i] != 0 || s->v[i] != 0);
}

/* plvect's transform: the i-th "grid column" is the i-th arrow drawn. */
typedef struct places {
  const double *x, *y;
} places;
static void place(PLFLT i, PLFLT j, PLFLT *tx, PLFLT *ty, PLPointer data) {
  const places *p = data;
  (void)j;
  *tx = p->x[(size_t)i];
  *ty = p->y[(size_t)i];
}

/* The arrow's shape in plvect's units, where 1 is half the vector: from -1 (tail) to 1 (tip),
 * so each arrow is centred on its point and scale x |(u, v)| long; a filled head a third of it
 * (heads scale with their arrows, so the short ones of a dense field stay legible). */
static void set_arrow(void) {
  static const PLFLT ax[6] = {-1.0, 0.35, 0.35, 1.0, 0.35, 0.35};
  static const PLFLT ay[6] = {0.0, 0.0, 0.24, 0.0, -0.24, 0.0};
  plsvect(ax, ay, 6, 1);
}

/* The largest of 1, 2, 5 x 10^k not above m (m > 0). */
static double round_below(double m) {
  double p = pow(10.0, floor(log10(m)));
  double f = m / p;
  return (f >= 5 ? 5 : f >= 2 ? 2 : 1) * p;
}

/* A round value as text: "0.02", "500", "2×10#u−5#d". */
static void round_text(double v, char *buf, size_t n) {
  if (v >= 1e-3 && v < 1e5) {
    snprintf(buf, n, "%g", v);
    return;
  }
  int e = (int)floor(log10(v) + 1e-9);
  double m = v / pow(10.0, e);
  if (fabs(m - 1) < 1e-9)
    snprintf(buf, n, "10#u%s%d#d", e < 0 ? "−" : "", abs(e));
  else
    snprintf(buf, n, "%.0f×10#u%s%d#d", m, e < 0 ? "−" : "", abs(e));
}

/* Draws the arrows of (x, y, u, v) (n of them, all drawable) at this scale, in the current
 * viewport and window. Returns 0 or RX_ENOMEM. */
static int arrows(const double *x, const double *y, const double *u, const double *v, size_t n,
                  double scale) {
  if (!n) return 0;
  const PLFLT **ur = malloc(n * sizeof *ur), **vr = malloc(n * sizeof *vr);
  if (!ur || !vr) {
    free(ur), free(vr);
    return RX_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) /* plvect's (nx, 1) grid: u[i][0] */
    ur[i] = u + i, vr[i] = v + i;
  places p = {x, y};
  set_arrow();
  plvect((PLFLT_MATRIX)ur, (PLFLT_MATRIX)vr, (PLINT)n, 1, scale, place, &p);
  plsvect(NULL, NULL, 0, 0); /* PLplot's default arrow again */
  free(ur), free(vr);
  return 0;
}

static int draw_vectors(const void *spec, const rxpl_rect *cell) {
  const rx_vector_spec *s = spec;
  /* the drawable arrows, compacted */
  double *ax = malloc((s->n ? s->n : 1) * 4 * sizeof *ax);
  if (!ax) return RX_ENOMEM;
  double *ay = ax + s->n, *au = ay + s->n, *av = au + s->n;
  size_t m = 0;
  double longest = 0, x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (size_t i = 0; i < s->n; i++) {
    if (!arrow_ok(s, i)) continue;
    ax[m] = s->x[i], ay[m] = s->y[i], au[m] = s->u[i], av[m] = s->v[i];
    longest = fmax(longest, hypot(au[m], av[m]));
    x0 = fmin(x0, ax[m]), x1 = fmax(x1, ax[m]), y0 = fmin(y0, ay[m]), y1 = fmax(y1, ay[m]);
    m++;
  }
  if (s->z) {
    x0 = fmin(x0, s->z_x_min), x1 = fmax(x1, s->z_x_max);
    y0 = fmin(y0, s->z_y_min), y1 = fmax(y1, s->z_y_max);
  }
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  int fx = s->x_min < s->x_max, fy = s->y_min < s->y_max;
  rxpl_axis_make(&f.x, fx ? s->x_min : x0, fx ? s->x_max : x1, 0, fx || s->z ? 0.0 : 0.05);
  rxpl_axis_make(&f.y, fy ? s->y_min : y0, fy ? s->y_max : y1, 0, fy || s->z ? 0.0 : 0.05);
  if (s->equal_aspect) f.aspect = (f.y.hi - f.y.lo) / (f.x.hi - f.x.lo);
  const double scale = s->scale > 0  ? s->scale
                       : longest > 0 ? 0.9 * (f.x.hi - f.x.lo) / ceil(sqrt((double)m)) / longest
                                     : 1.0;
  rxpl_axis ca;
  if (s->z) {
    double lo = 0, hi = 0;
    for (size_t k = 0; k < (size_t)s->nx * s->ny; k++)
      if (rxpl_finite(s->z[k])) hi = fmax(hi, s->z[k]);
    if (s->z_min < s->z_max) lo = s->z_min, hi = s->z_max;
    rxpl_axis_make(&ca, lo, hi, 0, 0.0);
    f.right_extra = rxpl_colourbar_margin(&ca, s->z_label);
  }
  if (m) f.below_extra = 1.5; /* the key */
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  cJSON *rec = rxpl_rec();
  const int col = s->colour == RX_COLOUR_AUTO ? RX_PL_FG : rxpl_colour_index(s->colour, 0);
  if (s->z) {
    const int nx = s->nx, ny = s->ny;
    rxpl_cmap_set(RXPL_MAP_GREYS);
    if (rxpl_image_cells(s->z, nx, ny, s->z_x_min, s->z_x_max, s->z_y_min, s->z_y_max, ca.lo, ca.hi,
                         0)) {
      free(ax);
      return RX_ENOMEM;
    }
    cJSON *g = rxpl_rec_obj(rec, "grid");
    double extent[4] = {s->z_x_min, s->z_x_max, s->z_y_min, s->z_y_max};
    rxpl_rec_num(g, "nx", nx);
    rxpl_rec_num(g, "ny", ny);
    rxpl_rec_nums(g, "extent", extent, 4, 1);
    rxpl_rec_matrix(g, "z", s->z, ny, nx);
  }
  if (s->arena) {
    rxpl_arena_draw(s->arena, 1.5);
    if (has_box(s->box)) rxpl_rec_nums(rec, "arena", s->box, 4, 1);
  } else if (has_box(s->box)) {
    PLFLT bx[5] = {s->box[0], s->box[1], s->box[1], s->box[0], s->box[0]};
    PLFLT by[5] = {s->box[2], s->box[2], s->box[3], s->box[3], s->box[2]};
    rxpl_col(RX_PL_MUTED);
    plwidth(1.5);
    plline(5, bx, by);
    plwidth(1.0);
    rxpl_rec_nums(rec, "arena", s->box, 4, 1);
  }
  rxpl_rec_colour(rec, "colour", col);
  rxpl_rec_num(rec, "scale", scale);
  rxpl_rec_num(rec, "n_arrows", (double)m);
  rxpl_rec_nums(rec, "x", s->x, s->n, 1);
  rxpl_rec_nums(rec, "y", s->y, s->n, 1);
  rxpl_rec_nums(rec, "u", s->u, s->n, 1);
  rxpl_rec_nums(rec, "v", s->v, s->n, 1);
  rxpl_col(col);
  plwidth(1.2);
  int rc = arrows(ax, ay, au, av, m, scale);
  plwidth(1.0);
  rxpl_frame_end(&f, &vp);
  if (s->z) rxpl_colourbar(&vp, &ca, s->z_label, RXPL_MAP_GREYS);
  if (!rc && m) {
    /* the key, under the x axis label at the right: an arrow of a round length, then its value;
     * a strip of the page with the plot's x scale */
    const double key = round_below(longest);
    char num[48], text[200];
    round_text(key, num, sizeof num);
    snprintf(text, sizeof text, "%s%s%s", num, s->units && s->units[0] ? " " : "",
             s->units ? s->units : "");
    const double ky1 = vp.y0 - rxpl_ch(1.7 + (f.x_label && f.x_label[0] ? 1.5 : 0.0) + 0.1);
    const double ky0 = ky1 - rxpl_ch(1.4);
    plvpor(vp.x0, vp.x1, ky0, ky1);
    plwind(f.x.lo, f.x.hi, 0, 1);
    const double per_page = (f.x.hi - f.x.lo) / (vp.x1 - vp.x0); /* window x per page width */
    rxpl_text_scale(0.95);
    const double tw = rxpl_cw(0.95 * rxpl_text_width(text)) * per_page;
    const double len = key * scale, tip = f.x.hi - tw - rxpl_cw(0.5) * per_page;
    double kx = tip - 0.5 * len, ky = 0.5, ku = key, kv = 0;
    rxpl_col(col);
    plwidth(1.2);
    rc = arrows(&kx, &ky, &ku, &kv, 1, scale);
    plwidth(1.0);
    rxpl_col(RX_PL_FG);
    plptex(f.x.hi, 0.5, 1, 0, 1.0, text);
    rxpl_text_scale(1.0);
    cJSON *k = rxpl_rec_obj(rec, "key");
    rxpl_rec_num(k, "value", key);
    rxpl_rec_num(k, "length", len);
    rxpl_rec_str(k, "text", text);
    plvpor(vp.x0, vp.x1, vp.y0, vp.y1);
    plwind(f.x.lo, f.x.hi, f.y.lo, f.y.hi);
  }
  free(ax);
  return rc;
}

int rx_fig_add_vectors(rx_fig *fig, const rx_vector_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s) return rxpl_fail(fig, err, RX_EINVAL, "vector panel without a spec");
  if (s->n && (!s->x || !s->y || !s->u || !s->v))
    return rxpl_fail(fig, err, RX_EINVAL, "vector panel with %zu points but no x, y, u or v", s->n);
  if (s->n > 1000000)
    return rxpl_fail(fig, err, RX_EINVAL, "vector panel with %zu arrows (at most 10^6)", s->n);
  if (!s->n && !s->z) return rxpl_fail(fig, err, RX_EINVAL, "vector panel without arrows or grid");
  if (!rxpl_finite(s->scale) || s->scale < 0)
    return rxpl_fail(fig, err, RX_EINVAL, "arrow scale %g (0: automatic, or > 0)", s->scale);
  double r[6] = {s->x_min, s->x_max, s->y_min, s->y_max, s->z_min, s->z_max};
  for (int i = 0; i < 6; i++)
    if (!rxpl_finite(r[i]))
      return rxpl_fail(fig, err, RX_EINVAL, "vector panel axis or shading range is not finite");
  for (int i = 0; i < 4; i++)
    if (!rxpl_finite(s->box[i])) return rxpl_fail(fig, err, RX_EINVAL, "arena box is not finite");
  if ((unsigned)s->colour >= RX_COLOUR_COUNT)
    return rxpl_fail(fig, err, RX_EINVAL, "unknown arrow colour %d", (int)s->colour);
  size_t good = 0;
  for (size_t i = 0; i < s->n; i++)
    good += arrow_ok(s, i);
  if (s->z) {
    if (s->nx < 2 || s->ny < 2 || s->nx > 4096 || s->ny > 4096)
      return rxpl_fail(fig, err, RX_EINVAL,
                       "vector background grid of %d x %d cells (2..4096 each)", s->nx, s->ny);
    double e[4] = {s->z_x_min, s->z_x_max, s->z_y_min, s->z_y_max};
    for (int i = 0; i < 4; i++)
      if (!rxpl_finite(e[i]))
        return rxpl_fail(fig, err, RX_EINVAL, "vector background grid extent is not finite");
    if (!(s->z_x_min < s->z_x_max && s->z_y_min < s->z_y_max))
      return rxpl_fail(fig, err, RX_EINVAL, "vector background grid extent [%g, %g] x [%g, %g]",
                       s->z_x_min, s->z_x_max, s->z_y_min, s->z_y_max);
    for (size_t k = 0; k < (size_t)s->nx * s->ny; k++)
      good += rxpl_finite(s->z[k]);
  }
  if (!good)
    return rxpl_fail(fig, err, RX_ENUMERIC, "vector panel '%s' has no finite arrow or grid value",
                     s->title ? s->title : "");
  int oom = 0;
  rx_vector_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  if (oom) return rxpl_oom(fig, err);
  const size_t bytes = s->n * sizeof(double);
  c->x = s->n ? rxpl_memdup(fig, s->x, bytes, &oom) : NULL;
  c->y = s->n ? rxpl_memdup(fig, s->y, bytes, &oom) : NULL;
  c->u = s->n ? rxpl_memdup(fig, s->u, bytes, &oom) : NULL;
  c->v = s->n ? rxpl_memdup(fig, s->v, bytes, &oom) : NULL;
  c->z = s->z ? rxpl_memdup(fig, s->z, (size_t)s->nx * s->ny * sizeof *s->z, &oom) : NULL;
  c->arena = rxpl_arena_copy(fig, s->arena, &oom);
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  c->units = rxpl_strdup(fig, s->units, &oom);
  c->z_label = rxpl_strdup(fig, s->z_label, &oom);
  if (oom) return rxpl_oom(fig, err);
  return rxpl_push(fig, "vectors", draw_vectors, c, err);
}
