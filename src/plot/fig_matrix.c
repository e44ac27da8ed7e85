/* Annotated matrix panels: one coloured cell per value with the value printed in it (white on
 * dark cells, black on light ones), row and column labels and a colour bar (Fig. 2e, the KL
 * matrix averaged over seeds). Arranging rows and columns is the caller's. */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

/* Parses "%.<d>f|g|e"; 0 on anything else. */
static int parse_format(const char *fmt, int *digits, char *conv) {
  if (!fmt) {
    *digits = 2, *conv = 'f';
    return 1;
  }
  if (fmt[0] != '%' || fmt[1] != '.' || fmt[2] < '0' || fmt[2] > '9') return 0;
  if (!strchr("fge", fmt[3]) || !fmt[3] || fmt[4]) return 0;
  *digits = fmt[2] - '0';
  *conv = fmt[3];
  return 1;
}

static void format_value(double v, int digits, char conv, char *buf, size_t n) {
  char tmp[48];
  if (!rxpl_finite(v)) {
    snprintf(buf, n, "n/a");
    return;
  }
  if (conv == 'g')
    snprintf(tmp, sizeof tmp, "%.*g", digits, v);
  else if (conv == 'e')
    snprintf(tmp, sizeof tmp, "%.*e", digits, v);
  else
    snprintf(tmp, sizeof tmp, "%.*f", digits, v);
  if (tmp[0] == '-')
    snprintf(buf, n, "−%s", tmp + 1);
  else
    snprintf(buf, n, "%s", tmp);
}

static int draw_matrix(const void *spec, const rxpl_rect *cell) {
  const rx_matrix_spec *s = spec;
  int R = s->n_rows, C = s->n_cols, digits = 2;
  char conv = 'f';
  parse_format(s->format, &digits, &conv);
  double lo = INFINITY, hi = -INFINITY;
  for (size_t k = 0; k < (size_t)R * C; k++)
    if (rxpl_finite(s->v[k])) lo = fmin(lo, s->v[k]), hi = fmax(hi, s->v[k]);
  if (s->z_min < s->z_max) lo = s->z_min, hi = s->z_max;
  rxpl_axis ca;
  rxpl_axis_make(&ca, lo, hi, 0, 0.0);
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label;
  f.x.lo = 0, f.x.hi = C, f.x.step = 1;
  f.y.lo = 0, f.y.hi = R, f.y.step = 1;
  f.x_ticks_custom = f.y_ticks_custom = 1;
  f.aspect = (double)R / C;
  for (int r = 0; s->row_labels && r < R; r++)
    f.y_custom_width = fmax(f.y_custom_width, rxpl_text_width(s->row_labels[r]));
  /* columns: wrap to the cell width, estimated before the viewport exists */
  double slot = fmax(3.0, 0.9 * (cell->x1 - cell->x0) / rxpl_cw(1.0) / (C + 3));
  double *xs = malloc((size_t)C * sizeof *xs);
  if (!xs) return RX_ENOMEM;
  for (int c = 0; c < C; c++)
    xs[c] = c + 0.5;
  int lines = rxpl_x_labels(s->col_labels, xs, C, slot, 0);
  f.bottom_extra = lines ? 0.4 + 1.2 * lines + 0.1 : 0.3;
  f.right_extra = rxpl_colourbar_margin(&ca, s->z_label);
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  cJSON *rec = rxpl_rec();
  rxpl_rec_num(rec, "n_rows", R);
  rxpl_rec_num(rec, "n_columns", C);
  rxpl_rec_strs(rec, "row_labels", s->row_labels, s->row_labels ? R : 0);
  rxpl_rec_strs(rec, "column_labels", s->col_labels, s->col_labels ? C : 0);
  rxpl_rec_matrix(rec, "values", s->v, R, C);
  cJSON *rec_text = rxpl_rec_arr(rec, "cell_text"); /* (n_rows, n_columns) as printed */
  if (rec) { /* columns at x = c + 0.5, rows from the top at y = R - r - 0.5 */
    double *ys = malloc((size_t)R * sizeof *ys);
    if (!ys) {
      free(xs);
      return RX_ENOMEM;
    }
    for (int r = 0; r < R; r++)
      ys[r] = R - r - 0.5;
    rxpl_rec_nums(rxpl_rec_obj(rec, "x_axis"), "ticks", xs, (size_t)C, 1);
    rxpl_rec_strs(rxpl_rec_obj(rec, "x_axis"), "tick_labels", s->col_labels, s->col_labels ? C : 0);
    rxpl_rec_nums(rxpl_rec_obj(rec, "y_axis"), "ticks", ys, (size_t)R, 1);
    rxpl_rec_strs(rxpl_rec_obj(rec, "y_axis"), "tick_labels", s->row_labels, s->row_labels ? R : 0);
    free(ys);
  }
  rxpl_cmap_sequential();
  /* text size: fit the widest value in a cell */
  double cell_chars = (vp.x1 - vp.x0) / C / rxpl_cw(1.0), widest = 0;
  char buf[64];
  for (size_t k = 0; k < (size_t)R * C; k++) {
    format_value(s->v[k], digits, conv, buf, sizeof buf);
    widest = fmax(widest, rxpl_text_width(buf));
  }
  double tscale = fmin(1.05, 0.8 * cell_chars / fmax(widest, 1.0));
  double cell_h_chars = (vp.y1 - vp.y0) / R / rxpl_ch(1.0);
  tscale = fmin(tscale, 0.55 * cell_h_chars);
  for (int r = 0; r < R; r++) {
    cJSON *rec_row = rxpl_rec_list(rec_text);
    for (int c = 0; c < C; c++) {
      double v = s->v[(size_t)r * C + c], y0 = R - 1 - r;
      PLFLT px[4] = {c, c + 1, c + 1, c}, py[4] = {y0, y0, y0 + 1, y0 + 1};
      double u = rxpl_finite(v) ? (fmin(fmax(v, ca.lo), ca.hi) - ca.lo) / (ca.hi - ca.lo) : 0;
      if (rxpl_finite(v))
        plcol1(u);
      else
        rxpl_col(RX_PL_MUTED);
      plfill(4, px, py);
      format_value(v, digits, conv, buf, sizeof buf);
      rxpl_rec_str(rec_row, NULL, buf);
      rxpl_col(rxpl_finite(v) && rxpl_cmap_luminance(u, 0) < 0.45 ? RX_PL_WHITE : RX_PL_FG);
      rxpl_text_scale(tscale);
      plptex(c + 0.5, y0 + 0.5, 1, 0, 0.5, buf);
    }
  }
  rxpl_text_scale(1.0);
  rxpl_col(RX_PL_WHITE); /* thin separators between cells */
  plwidth(1.5);
  for (int c = 1; c < C; c++) {
    PLFLT lx[2] = {c, c}, ly[2] = {0, R};
    plline(2, lx, ly);
  }
  for (int r = 1; r < R; r++) {
    PLFLT lx[2] = {0, C}, ly[2] = {r, r};
    plline(2, lx, ly);
  }
  plwidth(1.0);
  rxpl_col(RX_PL_FG);
  rxpl_x_labels(s->col_labels, xs, C, slot, 1);
  for (int r = 0; s->row_labels && r < R; r++)
    rxpl_mtex("lv", 0.375, (R - r - 0.5) / R, 1.0, s->row_labels[r] ? s->row_labels[r] : "");
  rxpl_frame_end(&f, &vp);
  rxpl_colourbar(&vp, &ca, s->z_label, 0);
  free(xs);
  return 0;
}

int rx_fig_add_matrix(rx_fig *fig, const rx_matrix_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s || !s->v) return rxpl_fail(fig, err, RX_EINVAL, "matrix panel without values");
  if (s->n_rows < 1 || s->n_cols < 1 || s->n_rows > 64 || s->n_cols > 64)
    return rxpl_fail(fig, err, RX_EINVAL, "matrix of %d x %d cells (1..64 each)", s->n_rows,
                     s->n_cols);
  int digits = 2;
  char conv = 'f';
  if (!parse_format(s->format, &digits, &conv))
    return rxpl_fail(fig, err, RX_EINVAL, "cell format '%s' (use %%.<d>f, %%.<d>g or %%.<d>e)",
                     s->format);
  if (!rxpl_finite(s->z_min) || !rxpl_finite(s->z_max))
    return rxpl_fail(fig, err, RX_EINVAL, "colour range is not finite");
  size_t n = (size_t)s->n_rows * s->n_cols, good = 0;
  for (size_t k = 0; k < n; k++)
    good += rxpl_finite(s->v[k]);
  if (!good)
    return rxpl_fail(fig, err, RX_ENUMERIC, "matrix panel '%s' has no finite values",
                     s->title ? s->title : "");
  int oom = 0;
  rx_matrix_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  if (oom) return rxpl_oom(fig, err);
  c->v = rxpl_memdup(fig, s->v, n * sizeof *s->v, &oom);
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  c->z_label = rxpl_strdup(fig, s->z_label, &oom);
  c->format = rxpl_strdup(fig, s->format, &oom);
  const char **rl = s->row_labels ? rxpl_alloc(fig, (size_t)s->n_rows * sizeof *rl) : NULL;
  const char **cl = s->col_labels ? rxpl_alloc(fig, (size_t)s->n_cols * sizeof *cl) : NULL;
  if ((s->row_labels && !rl) || (s->col_labels && !cl)) return rxpl_oom(fig, err);
  for (int r = 0; rl && r < s->n_rows; r++)
    rl[r] = rxpl_strdup(fig, s->row_labels[r], &oom);
  for (int k = 0; cl && k < s->n_cols; k++)
    cl[k] = rxpl_strdup(fig, s->col_labels[k], &oom);
  if (oom) return rxpl_oom(fig, err);
  c->row_labels = rl;
  c->col_labels = cl;
  return rxpl_push(fig, "matrix", draw_matrix, c, err);
}
