/* Drawing helpers shared by every panel: page metrics in em of the rendered text, nice ticks and
 * their labels, the frame (margins sized from the labels so nothing is clipped), legend, colour
 * bar and markers drawn as polygons (exact sizes, identical in PNG and SVG). Panels: fig_*.c.
 * The frame, legend and colour bar also enter what they draw in the data record (plot_data.c). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

/* ---- page metrics ---- */

static struct {
  double w_mm, h_mm; /* page */
  double def_mm;     /* PLplot's default character height */
  double base;       /* figure-wide text scale */
} page;

void rxpl_page_init(double base_scale) {
  PLFLT x0, x1, y0, y1, def, ht;
  plgspa(&x0, &x1, &y0, &y1);
  plgchr(&def, &ht);
  page.w_mm = x1 - x0;
  page.h_mm = y1 - y0;
  page.def_mm = def;
  page.base = base_scale;
  rxpl_text_scale(1.0);
}

/* PLplot lays cairo pages out at 72 dpi, but pango renders the font size it is given (in points)
 * at 96 dpi: text comes out 4/3 larger than PLplot's character height. All layout here is in
 * "em" of the rendered base text; PLplot's own units (plmtex displacements) are converted. */
#define EM (96.0 / 72.0)
static double cur_scale = 1.0;

/* A character height of 3.4 mm (PLplot units) renders at 12.85 px: the base text (tick labels)
 * of a 560 x 440 panel. */
static double base_scale_factor(void) { return 3.4 / page.def_mm * page.base; }
void rxpl_text_scale(double s) {
  cur_scale = s;
  plschr(0, base_scale_factor() * s);
}
double rxpl_char_mm(void) { return page.def_mm * base_scale_factor() * EM; }
double rxpl_cw(double n) { return n * rxpl_char_mm() / page.w_mm; }
double rxpl_ch(double n) { return n * rxpl_char_mm() / page.h_mm; }
void rxpl_mtex(const char *side, double disp_em, double pos, double just, const char *text) {
  plmtex(side, disp_em * EM / cur_scale, pos, just, text);
}

/* Advance widths of DejaVu Sans in em, roughly: digits 0.64, narrow punctuation 0.32. */
double rxpl_text_width(const char *s) {
  double w = 0;
  if (!s) return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '#' && p[1]) { /* PLplot escape: "#u", "#d", "##" */
      p++;
      if (*p == '#') w += 0.84;
      continue;
    }
    if ((*p & 0xC0) == 0x80) continue; /* UTF-8 continuation byte */
    if (*p == ' ' || *p == '.' || *p == ',' || *p == ':' || *p == 'i' || *p == 'l' || *p == '(' ||
        *p == ')' || *p == '|' || *p == '\'')
      w += 0.34;
    else if (*p == 'm' || *p == 'w' || *p == 'M' || *p == 'W')
      w += 0.9;
    else if (*p >= 'A' && *p <= 'Z')
      w += 0.7;
    else
      w += 0.62;
  }
  return w;
}

/* ---- axes ---- */

static double nice_step(double range, int target) {
  double raw = range / target;
  double mag = pow(10.0, floor(log10(raw)));
  double f = raw / mag;
  return (f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0) * mag;
}

void rxpl_axis_make(rxpl_axis *a, double dmin, double dmax, int log, double pad) {
  memset(a, 0, sizeof *a);
  if (log) {
    /* The data's range padded in log units when it holds two decade ticks or more (minor ticks
     * at 2..9 show the scale between them), else widened to whole decades. */
    a->log = 1;
    double lo = dmin > 0 ? log10(dmin) : 0, hi = dmax > 0 ? log10(dmax) : 1;
    if (!(hi > lo)) lo -= 0.5, hi += 0.5;
    double p = (pad > 0 ? pad : 0.0) * (hi - lo);
    lo -= p, hi += p;
    if (floor(hi + 1e-9) - ceil(lo - 1e-9) < 1) lo = floor(lo + 1e-9), hi = ceil(hi - 1e-9);
    a->lo = lo;
    a->hi = hi;
    a->step = fmax(1.0, ceil((hi - lo) / 6.0));
    a->nsub = 0;
    return;
  }
  if (!(dmax > dmin)) {
    double d = fabs(dmin) > 1e-12 ? 0.1 * fabs(dmin) : 1.0;
    dmin -= d;
    dmax += d;
  }
  double r = dmax - dmin;
  a->lo = dmin - pad * r;
  a->hi = dmax + pad * r;
  a->step = nice_step(a->hi - a->lo, 5);
  double lead = a->step / pow(10.0, floor(log10(a->step) + 1e-9));
  a->nsub = lead > 1.5 && lead < 3 ? 4 : 5;
  double big = fmax(fabs(a->lo), fabs(a->hi));
  if (big >= 1e6 || a->step < 1e-4)
    a->decimals = -1;
  else
    a->decimals = a->step >= 1 ? 0 : (int)ceil(-log10(a->step) - 1e-9);
}

void rxpl_axis_angle(rxpl_axis *a) {
  memset(a, 0, sizeof *a);
  a->lo = -M_PI;
  a->hi = M_PI;
  a->step = M_PI / 2;
  a->nsub = 2;
  a->angle = 1;
}

double rxpl_axis_map(const rxpl_axis *a, double v) { return a->log ? log10(v) : v; }

void rxpl_axis_label(const rxpl_axis *a, double v, char *buf, size_t n) {
  if (a->angle) {
    static const char *names[] = {"−2π", "−3π/2", "−π", "−π/2", "0", "π/2", "π", "3π/2", "2π"};
    long k = lround(v / (M_PI / 2));
    if (k >= -4 && k <= 4)
      snprintf(buf, n, "%s", names[k + 4]);
    else
      snprintf(buf, n, "%ldπ/2", k);
    return;
  }
  if (a->log) {
    long k = lround(v);
    if (k == 0)
      snprintf(buf, n, "1");
    else if (k == 1)
      snprintf(buf, n, "10");
    else
      snprintf(buf, n, "10#u%s%ld#d", k < 0 ? "−" : "", labs(k));
    return;
  }
  char tmp[48];
  if (fabs(v) < 1e-9 * a->step) v = 0.0; /* no "-0.0" or "1e-17" */
  if (a->decimals < 0)
    snprintf(tmp, sizeof tmp, "%.3g", v);
  else
    snprintf(tmp, sizeof tmp, "%.*f", a->decimals, v);
  if (tmp[0] == '-')
    snprintf(buf, n, "−%s", tmp + 1); /* a real minus sign */
  else
    snprintf(buf, n, "%s", tmp);
}

double rxpl_axis_label_width(const rxpl_axis *a) {
  double w = 0;
  char buf[64];
  double first = ceil(a->lo / a->step - 1e-9) * a->step;
  for (int i = 0; i < 100; i++) {
    double v = first + i * a->step;
    if (v > a->hi + 1e-9 * a->step) break;
    rxpl_axis_label(a, v, buf, sizeof buf);
    double t = rxpl_text_width(buf);
    if (a->log && fabs(v) > 1.5) /* "10" and a superscript exponent at ~0.65 size */
      t = 1.28 + 0.65 * 0.62 * (double)snprintf(buf, sizeof buf, "%ld", lround(v));
    if (t > w) w = t;
  }
  return w;
}

/* PLplot calls this for tick labels of axes drawn with the "o" option. */
static const rxpl_axis *label_axes[4];
static void label_cb(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data) {
  (void)data;
  const rxpl_axis *a = axis >= 1 && axis <= 3 ? label_axes[axis] : NULL;
  if (!a) {
    snprintf(label, (size_t)length, "%g", value);
    return;
  }
  rxpl_axis_label(a, value, label, (size_t)length); /* log axes get log10 values */
}

/* ---- frame ---- */

/* Where PLplot puts tick labels (plbox: bottom labels centred 1.5 character heights below the
 * axis, left "v" labels ending 0.5 from it), in em, and the room they take. */
#define TICK_X_END 1.7   /* bottom of the x tick labels */
#define TICK_Y_GAP 0.375 /* between the axis and the y tick labels */

static double y_ticks_width(const rxpl_frame *f) {
  return f->y_ticks_custom ? f->y_custom_width : rxpl_axis_label_width(&f->y);
}
static double x_ticks_end(const rxpl_frame *f) {
  return f->x_ticks_custom ? f->bottom_extra : TICK_X_END;
}

void rxpl_frame_begin(const rxpl_frame *f, const rxpl_rect *cell, rxpl_rect *vp) {
  int has_x = f->x_label && f->x_label[0], has_y = f->y_label && f->y_label[0];
  double left = f->no_box ? 0.5 : TICK_Y_GAP + y_ticks_width(f) + (has_y ? 1.9 : 0.0) + 0.3;
  double right = 0.8 + f->right_extra;
  double top = f->title && f->title[0] ? 1.85 : 0.7;
  double bottom = f->no_box ? 1.3 : x_ticks_end(f) + (has_x ? 1.5 : 0.0) + 0.55 + f->below_extra;
  if (!f->no_box && !f->x_ticks_custom) {
    /* The last x tick label is centred on the right edge. */
    double half = 0.5 * rxpl_axis_label_width(&f->x) + 0.2;
    if (right < half + f->right_extra) right = half + f->right_extra;
  }
  double x0 = cell->x0 + rxpl_cw(left), x1 = cell->x1 - rxpl_cw(right);
  double y0 = cell->y0 + rxpl_ch(bottom), y1 = cell->y1 - rxpl_ch(top);
  if (x1 < x0 + 0.05) x1 = x0 + 0.05;
  if (y1 < y0 + 0.05) y1 = y0 + 0.05;
  if (f->aspect > 0) {
    /* plvpas works in physical units: shrink one side and centre the area in its box. */
    double wmm = (x1 - x0) * page.w_mm, hmm = (y1 - y0) * page.h_mm;
    if (hmm / wmm > f->aspect) {
      double nh = wmm * f->aspect / page.h_mm, c = 0.5 * (y0 + y1);
      y0 = c - 0.5 * nh;
      y1 = c + 0.5 * nh;
    } else {
      double nw = hmm / f->aspect / page.w_mm, c = 0.5 * (x0 + x1);
      x0 = c - 0.5 * nw;
      x1 = c + 0.5 * nw;
    }
  }
  vp->x0 = x0;
  vp->x1 = x1;
  vp->y0 = y0;
  vp->y1 = y1;
  cJSON *rec = rxpl_rec();
  rxpl_rec_str(rec, "title", f->title);
  if (!f->no_box) {
    rxpl_rec_str(rec, "x_label", f->x_label);
    rxpl_rec_str(rec, "y_label", f->y_label);
    rxpl_rec_axis(rec, "x_axis", &f->x, !f->x_ticks_custom);
    rxpl_rec_axis(rec, "y_axis", &f->y, !f->y_ticks_custom);
  }
  plvpor(x0, x1, y0, y1);
  plwind(f->x.lo, f->x.hi, f->y.lo, f->y.hi);
  if (f->grid && !f->no_box) {
    rxpl_col(RX_PL_GRID);
    plwidth(0.8);
    plbox(f->x_ticks_custom ? ""
          : f->x.log        ? "gl"
                            : "g",
          f->x.step, 0,
          f->y_ticks_custom ? ""
          : f->y.log        ? "gl"
                            : "g",
          f->y.step, 0);
    plwidth(1.0);
  }
  rxpl_col(RX_PL_FG);
}

void rxpl_frame_end(const rxpl_frame *f, const rxpl_rect *vp) {
  plvpor(vp->x0, vp->x1, vp->y0, vp->y1);
  plwind(f->x.lo, f->x.hi, f->y.lo, f->y.hi);
  rxpl_col(RX_PL_FG);
  pllsty(1);
  plwidth(1.0);
  rxpl_text_scale(1.0);
  if (!f->no_box) {
    char xo[16], yo[16];
    snprintf(xo, sizeof xo, "%s", f->x_ticks_custom ? "bc" : f->x.log ? "bcnstol" : "bcnsto");
    snprintf(yo, sizeof yo, "%s", f->y_ticks_custom ? "bc" : f->y.log ? "bcnstvol" : "bcnstvo");
    label_axes[PL_X_AXIS] = &f->x;
    label_axes[PL_Y_AXIS] = &f->y;
    plslabelfunc(label_cb, NULL);
    plbox(xo, f->x.step, f->x.log ? 0 : f->x.nsub, yo, f->y.step, f->y.log ? 0 : f->y.nsub);
    plslabelfunc(NULL, NULL);
    rxpl_text_scale(1.1);
    if (f->x_label && f->x_label[0])
      rxpl_mtex("b", x_ticks_end(f) + 0.25 + 0.6, 0.5, 0.5, f->x_label);
    if (f->y_label && f->y_label[0])
      rxpl_mtex("l", TICK_Y_GAP + y_ticks_width(f) + 0.35 + 0.6, 0.5, 0.5, f->y_label);
  }
  if (f->title && f->title[0]) {
    rxpl_text_scale(1.2);
    rxpl_mtex("t", 0.9, 0.5, 0.5, f->title);
  }
  rxpl_text_scale(1.0);
}

/* ---- group labels ---- */

/* Splits one label into at most 4 lines of at most 127 bytes. */
enum { LINE = 128 };
static int wrap_label(const char *label, double width, char lines[4][LINE]) {
  int n = 0;
  const char *p = label ? label : "";
  while (*p && n < 4) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char para[256];
    snprintf(para, sizeof para, "%.*s", (int)(len < 255 ? len : 255), p);
    /* greedy word wrap of para */
    char *w = para, cur[LINE] = "", cand[LINE];
    while (*w && n < 4) {
      char *sp = strchr(w, ' ');
      int wl = (int)(sp ? (size_t)(sp - w) : strlen(w));
      if (cur[0])
        snprintf(cand, sizeof cand, "%.60s %.*s", cur, wl < 60 ? wl : 60, w);
      else
        snprintf(cand, sizeof cand, "%.*s", wl < 60 ? wl : 60, w);
      if (cur[0] && rxpl_text_width(cand) > width) {
        memcpy(lines[n++], cur, LINE);
        snprintf(cur, sizeof cur, "%.*s", wl < 60 ? wl : 60, w);
      } else {
        memcpy(cur, cand, LINE);
      }
      w += wl;
      while (*w == ' ')
        w++;
    }
    if (n < 4) memcpy(lines[n++], cur, LINE);
    p += len;
    if (*p == '\n') p++;
  }
  return n;
}

int rxpl_x_labels(const char *const *labels, const double *x, int n, double slot_width, int draw) {
  int most = 0;
  PLFLT wx0, wx1, wy0, wy1;
  plgvpw(&wx0, &wx1, &wy0, &wy1);
  for (int i = 0; labels && i < n; i++) {
    char lines[4][LINE];
    int m = wrap_label(labels[i], slot_width, lines);
    if (m > most) most = m;
    for (int k = 0; draw && k < m; k++)
      rxpl_mtex("b", 0.9 + 1.2 * k, (x[i] - wx0) / (wx1 - wx0), 0.5, lines[k]);
  }
  return most;
}

/* ---- colour bar ---- */

double rxpl_colourbar_margin(const rxpl_axis *c, const char *label) {
  return 0.9 + 0.9 + TICK_Y_GAP + rxpl_axis_label_width(c) + (label && label[0] ? 1.9 : 0.0) + 0.3;
}

void rxpl_colourbar(const rxpl_rect *vp, const rxpl_axis *c, const char *label, int map) {
  rxpl_colourbar_steps(vp, c, label, map, 128);
}

void rxpl_colourbar_steps(const rxpl_rect *vp, const rxpl_axis *c, const char *label, int map,
                          int bands) {
  double x0 = vp->x1 + rxpl_cw(0.9), x1 = x0 + rxpl_cw(0.9);
  rxpl_cmap_set(map);
  plvpor(x0, x1, vp->y0, vp->y1);
  plwind(0, 1, c->lo, c->hi);
  /* bands rather than plgradient, whose cairo driver leaks its pattern on every call */
  for (int i = 0; i < bands; i++) {
    double a = c->lo + (c->hi - c->lo) * i / bands, b = c->lo + (c->hi - c->lo) * (i + 1) / bands;
    PLFLT xs[4] = {0, 1, 1, 0}, ys[4] = {a, a, b, b};
    plcol1((i + 0.5) / bands);
    plfill(4, xs, ys);
  }
  rxpl_col(RX_PL_FG);
  rxpl_text_scale(1.0);
  label_axes[PL_Y_AXIS] = c;
  plslabelfunc(label_cb, NULL);
  plbox("bc", 0, 0, "bcmstvo", c->step, c->nsub);
  plslabelfunc(NULL, NULL);
  cJSON *rec = rxpl_rec();
  rxpl_rec_axis(rec, "colour_axis", c, 1);
  rxpl_rec_str(rxpl_rec_obj(rec, "colour_axis"), "label", label);
  rxpl_rec_str(rxpl_rec_obj(rec, "colour_axis"), "map", rxpl_cmap_name(map));
  if (label && label[0]) {
    rxpl_text_scale(1.1);
    rxpl_mtex("r", TICK_Y_GAP + rxpl_axis_label_width(c) + 0.35 + 0.6, 0.5, 0.5, label);
    rxpl_text_scale(1.0);
  }
}

/* ---- legend ---- */

#define LEG_TEXT 0.95 /* text scale */
#define LEG_ROW 1.35  /* row height, em */
#define LEG_PAD 0.5
#define LEG_SAMPLE 2.0
#define LEG_GAP 0.5
#define LEG_OFF 0.9 /* from the viewport edges, clear of the tick marks */

double rxpl_legend_width(const rxpl_legend_entry *e, int n) {
  double w = 0;
  for (int i = 0; i < n; i++)
    w = fmax(w, rxpl_text_width(e[i].text) * LEG_TEXT);
  return 2 * LEG_PAD + LEG_SAMPLE + LEG_GAP + w;
}

void rxpl_legend(rx_legend_pos pos, const rxpl_legend_entry *e, int n, const double *px,
                 const double *py, size_t np) {
  if (pos == RX_LEGEND_NONE || n <= 0) return;
  int shown = 0;
  for (int i = 0; i < n; i++)
    shown += e[i].text && e[i].text[0];
  if (!shown) return;
  PLFLT vx0, vx1, vy0, vy1, wx0, wx1, wy0, wy1;
  plgvpd(&vx0, &vx1, &vy0, &vy1);
  plgvpw(&wx0, &wx1, &wy0, &wy1);
  double lw = rxpl_cw(rxpl_legend_width(e, n)), lh = rxpl_ch(2 * LEG_PAD + shown * LEG_ROW);
  double ox = rxpl_cw(LEG_OFF), oy = rxpl_ch(LEG_OFF);
  if (pos == RX_LEGEND_AUTO) {
    /* The corner whose legend-sized rectangle covers the fewest data points. */
    static const rx_legend_pos order[4] = {RX_LEGEND_TOP_RIGHT, RX_LEGEND_TOP_LEFT,
                                           RX_LEGEND_BOTTOM_RIGHT, RX_LEGEND_BOTTOM_LEFT};
    size_t count[4] = {0, 0, 0, 0};
    size_t stride = np > 20000 ? np / 20000 : 1;
    double fw = (lw + 2 * ox) / (vx1 - vx0), fh = (lh + 2 * oy) / (vy1 - vy0);
    for (size_t i = 0; i < np; i += stride) {
      double u = (px[i] - wx0) / (wx1 - wx0), v = (py[i] - wy0) / (wy1 - wy0);
      if (!rxpl_finite(u) || !rxpl_finite(v)) continue;
      if (v >= 1 - fh && u >= 1 - fw) count[0]++;
      if (v >= 1 - fh && u <= fw) count[1]++;
      if (v <= fh && u >= 1 - fw) count[2]++;
      if (v <= fh && u <= fw) count[3]++;
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
      if (count[k] < count[best]) best = k;
    pos = order[best];
  }
  static const char *const pos_names[] = {
      "auto", "top right", "top left", "bottom right", "bottom left", "outside right", "none"};
  cJSON *rec = rxpl_rec_obj(rxpl_rec(), "legend");
  rxpl_rec_str(rec, "position", pos_names[pos]);
  cJSON *entries = rxpl_rec_arr(rec, "entries");
  for (int i = 0; i < n; i++) {
    if (!e[i].text || !e[i].text[0]) continue;
    cJSON *it = rxpl_rec_item(entries);
    rxpl_rec_str(it, "text", e[i].text);
    rxpl_rec_colour(it, "colour", e[i].colour);
  }
  /* top-left corner of the legend, normalised page coordinates */
  double x0, y1;
  switch (pos) {
  case RX_LEGEND_TOP_LEFT:
    x0 = vx0 + ox, y1 = vy1 - oy;
    break;
  case RX_LEGEND_BOTTOM_RIGHT:
    x0 = vx1 - ox - lw, y1 = vy0 + oy + lh;
    break;
  case RX_LEGEND_BOTTOM_LEFT:
    x0 = vx0 + ox, y1 = vy0 + oy + lh;
    break;
  case RX_LEGEND_OUTSIDE:
    x0 = vx1 + ox, y1 = vy1;
    break;
  default:
    x0 = vx1 - ox - lw, y1 = vy1 - oy;
    break;
  }
  plvpor(0, 1, 0, 1);
  plwind(0, 1, 0, 1);
  PLFLT bx[5] = {x0, x0 + lw, x0 + lw, x0, x0}, by[5] = {y1 - lh, y1 - lh, y1, y1, y1 - lh};
  rxpl_col(RX_PL_LEGEND_BG);
  plfill(4, bx, by);
  rxpl_col(RX_PL_MUTED);
  plwidth(0.8);
  plline(5, bx, by);
  double sx0 = x0 + rxpl_cw(LEG_PAD), sx1 = sx0 + rxpl_cw(LEG_SAMPLE);
  double tx = sx1 + rxpl_cw(LEG_GAP);
  int row = 0;
  for (int i = 0; i < n; i++) {
    if (!e[i].text || !e[i].text[0]) continue;
    double yc = y1 - rxpl_ch(LEG_PAD + (row + 0.5) * LEG_ROW);
    double hh = rxpl_ch(0.35);
    row++;
    if (e[i].box) {
      PLFLT qx[5] = {sx0, sx1, sx1, sx0, sx0},
            qy[5] = {yc - hh, yc - hh, yc + hh, yc + hh, yc - hh};
      /* a named colour's translucent copy; any other colour (a band's grey) as it is */
      const int named =
          e[i].colour >= RX_PL_NAMED && e[i].colour < RX_PL_NAMED + RX_COLOUR_COUNT - 1;
      rxpl_col(named ? rxpl_light(e[i].colour) : e[i].colour);
      plfill(4, qx, qy);
      if (!e[i].line) {
        rxpl_col(named ? e[i].colour : RX_PL_MUTED);
        plwidth(1.2);
        plline(5, qx, qy);
      }
    }
    if (e[i].line) {
      PLFLT lx[2] = {sx0, sx1}, ly[2] = {yc, yc};
      rxpl_col(e[i].colour);
      plwidth(1.8);
      rxpl_line_style(e[i].dashed);
      plline(2, lx, ly);
      pllsty(1);
    }
    plwidth(1.0);
    if (e[i].marker) {
      double size = e[i].marker == RX_PL_CIRCLE ? 2.2 : 2.6;
      rxpl_col(e[i].colour);
      if (e[i].open)
        rxpl_marker_open(e[i].marker, 0.5 * (sx0 + sx1), yc, size, e[i].colour);
      else
        rxpl_marker(e[i].marker, 0.5 * (sx0 + sx1), yc, size, 0);
    }
    rxpl_col(RX_PL_FG);
    rxpl_text_scale(LEG_TEXT);
    plptex(tx, yc, 1, 0, 0, e[i].text);
  }
  rxpl_text_scale(1.0);
  rxpl_col(RX_PL_FG);
  plvpor(vx0, vx1, vy0, vy1);
  plwind(wx0, wx1, wy0, wy1);
}

/* ---- images ---- */

/* The colour step (0 .. RXPL_COMPACT_STEPS - 1) of value v in [lo, lo + span]. */
static int colour_step(double v, double lo, double span) {
  const int q = (int)floor(RXPL_COMPACT_STEPS * fmin(fmax((v - lo) / span, 0.0), 1.0));
  return q < RXPL_COMPACT_STEPS ? q : RXPL_COMPACT_STEPS - 1;
}

int rxpl_image_cells(const double *z, int nx, int ny, double x0, double x1, double y0, double y1,
                     double lo, double hi, int compact) {
  const double dx = (x1 - x0) / nx, dy = (y1 - y0) / ny, span = hi > lo ? hi - lo : 1.0;
  if (compact) { /* runs of one colour step up each column, one rectangle each */
    /* with every value finite, the image is first filled with the lowest step and that step's
     * runs are not drawn again: a peaked image (a posterior) is mostly that step */
    int all_finite = 1;
    for (size_t i = 0; i < (size_t)nx * ny && all_finite; i++)
      all_finite = rxpl_finite(z[i]);
    if (all_finite) {
      PLFLT px[4] = {x0, x1, x1, x0}, py[4] = {y0, y0, y1, y1};
      plcol1(0.5 / RXPL_COMPACT_STEPS);
      plfill(4, px, py);
    }
    for (int i = 0; i < nx; i++)
      for (int j = 0; j < ny;) {
        const double v = z[(size_t)j * nx + i];
        if (!rxpl_finite(v)) {
          j++;
          continue;
        }
        const int q = colour_step(v, lo, span);
        int k = j + 1;
        while (k < ny && rxpl_finite(z[(size_t)k * nx + i]) &&
               colour_step(z[(size_t)k * nx + i], lo, span) == q)
          k++;
        /* overlaps as below: into the next column everywhere it is drawn (it is drawn later) */
        const int right = i + 1 < nx;
        const double a = x0 + i * dx, b = a + dx * (right ? 1.02 : 1.0);
        const double c = y0 + j * dy,
                     d = y0 + k * dy +
                         (k < ny && rxpl_finite(z[(size_t)k * nx + i]) ? 0.02 * dy : 0);
        PLFLT px[4] = {a, b, b, a}, py[4] = {c, c, d, d};
        if (!(all_finite && q == 0)) {
          plcol1((q + 0.5) / RXPL_COMPACT_STEPS); /* the colour bar's band */
          plfill(4, px, py);
        }
        j = k;
      }
    return 0;
  }
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      const double v = z[(size_t)j * nx + i];
      if (!rxpl_finite(v)) continue;
      /* a cell reaches 2% into the next one (drawn over it later) when that one is drawn, so
       * antialiased neighbours leave no seam */
      const int right = i + 1 < nx && rxpl_finite(z[(size_t)j * nx + i + 1]);
      const int up = j + 1 < ny && rxpl_finite(z[(size_t)(j + 1) * nx + i]);
      const double a = x0 + i * dx, b = a + dx * (right ? 1.02 : 1.0);
      const double c = y0 + j * dy, d = c + dy * (up ? 1.02 : 1.0);
      PLFLT px[4] = {a, b, b, a}, py[4] = {c, c, d, d};
      plcol1(fmin(fmax((v - lo) / span, 0.0), 1.0));
      plfill(4, px, py);
    }
  return 0;
}

/* ---- markers and lines ---- */

void rxpl_world_per_mm(double *sx, double *sy) {
  PLFLT vx0, vx1, vy0, vy1, wx0, wx1, wy0, wy1;
  plgvpd(&vx0, &vx1, &vy0, &vy1);
  plgvpw(&wx0, &wx1, &wy0, &wy1);
  *sx = (wx1 - wx0) / ((vx1 - vx0) * page.w_mm);
  *sy = (wy1 - wy0) / ((vy1 - vy0) * page.h_mm);
}

void rxpl_marker(int shape, double x, double y, double size_mm, int outline) {
  double sx, sy;
  rxpl_world_per_mm(&sx, &sy);
  PLFLT xs[17], ys[17];
  int n;
  double r = 0.5 * size_mm;
  if (shape == RX_PL_TRIANGLE) {
    n = 3;
    r *= 1.25;
    for (int i = 0; i < 3; i++) {
      double a = M_PI / 2 + i * 2 * M_PI / 3;
      xs[i] = x + r * cos(a) * sx;
      ys[i] = y + (r * sin(a) + 0.15 * r) * sy;
    }
  } else if (shape == RX_PL_SQUARE) {
    n = 4;
    r *= 0.9;
    double dx[4] = {-1, 1, 1, -1}, dy[4] = {-1, -1, 1, 1};
    for (int i = 0; i < 4; i++) {
      xs[i] = x + r * dx[i] * sx;
      ys[i] = y + r * dy[i] * sy;
    }
  } else {
    n = size_mm < 1.5 ? 6 : 16;
    for (int i = 0; i < n; i++) {
      double a = 2 * M_PI * i / n;
      xs[i] = x + r * cos(a) * sx;
      ys[i] = y + r * sin(a) * sy;
    }
  }
  plfill(n, xs, ys);
  if (outline) {
    xs[n] = xs[0];
    ys[n] = ys[0];
    rxpl_col(outline < 0 ? -outline : RX_PL_FG);
    plwidth(outline < 0 ? 1.3 : 0.8);
    plline(n + 1, xs, ys);
    plwidth(1.0);
  }
}

void rxpl_marker_open(int shape, double x, double y, double size_mm, int colour) {
  rxpl_col(RX_PL_WHITE);
  rxpl_marker(shape, x, y, size_mm, -colour); /* a negative outline: ringed in that colour */
  rxpl_col(colour);
}

void rxpl_line_style(int dashed) {
  if (dashed == 2) { /* dots: 0.5 mm marks 1.2 mm apart */
    PLINT mark = 500, space = 1200;
    plstyl(1, &mark, &space);
  } else {
    pllsty(dashed ? 3 : 1);
  }
}

void rxpl_polyline(const double *x, const double *y, size_t n) {
  enum { CHUNK = 4096 };
  PLFLT bx[CHUNK], by[CHUNK];
  size_t k = 0;
  for (size_t i = 0; i <= n; i++) {
    int ok = i < n && rxpl_finite(x[i]) && rxpl_finite(y[i]);
    if (ok) {
      bx[k] = x[i];
      by[k] = y[i];
      k++;
    }
    if (!ok || k == CHUNK) {
      if (k >= 2) plline((PLINT)k, bx, by);
      if (k == 1 && !ok && !(i >= 2 && rxpl_finite(x[i - 2]) && rxpl_finite(y[i - 2])))
        rxpl_marker(RX_PL_CIRCLE, bx[0], by[0], 1.4, 0); /* an isolated point: a dot */
      if (ok) {                                          /* continue the run from the last point */
        bx[0] = bx[k - 1];
        by[0] = by[k - 1];
        k = 1;
      } else {
        k = 0;
      }
    }
  }
}
