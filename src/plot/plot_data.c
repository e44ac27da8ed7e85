/* The data record of a figure (docs/formats.md, "Figure data"): while a figure is rendered the
 * first time, each panel, and the frame, legend and colour-bar helpers it draws with, add the
 * numbers they draw to a JSON object; rx_fig_save writes it as <base>.data.json. Recording only
 * fills cJSON objects and never calls PLplot, so the pictures are the same with it on or off. */
#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

/* ---- the switch ---- */

static int process_setting = -1; /* -1: not set, REACTIVATE_PLOT_DATA decides */

void rx_plot_set_data_record(int on) { process_setting = on < 0 ? -1 : on != 0; }

int rx_plot_data_record(void) {
  if (process_setting >= 0) return process_setting;
  const char *e = getenv("REACTIVATE_PLOT_DATA");
  return e && e[0] && strcmp(e, "0") != 0;
}

int rx_fig_set_data_record(rx_fig *fig, int on, rx_error *err) {
  if (!fig) return rx_fail(err, RX_EINVAL, "cannot set a figure's data record: no figure");
  if (on < -1 || on > 1)
    return rxpl_fail(fig, err, RX_EINVAL, "data record setting %d (1 on, 0 off, -1 default)", on);
  fig->record = on;
  return 0;
}

int rxpl_fig_records(const rx_fig *fig) {
  return fig->record >= 0 ? fig->record : rx_plot_data_record();
}

/* ---- the record being written ---- */

static struct {
  cJSON *panel; /* the panel being drawn, or NULL: not recording */
  int oom;      /* an allocation failed since rxpl_rec_figure */
} rec;

cJSON *rxpl_rec(void) { return rec.panel; }

/* Adds item to o under key (arrays: appended), noting a failed allocation. */
static cJSON *add(cJSON *o, const char *key, cJSON *item) {
  if (!item || (key ? !cJSON_AddItemToObject(o, key, item) : !cJSON_AddItemToArray(o, item))) {
    cJSON_Delete(item);
    rec.oom = 1;
    return NULL;
  }
  return item;
}

/* A finite number as the shortest text that reads back as the same double (cJSON's own printing
 * keeps 15 digits when they come within a relative 2^-52, which is not always the same double);
 * non-finite: null. */
static cJSON *number(double v) {
  if (!rxpl_finite(v)) return cJSON_CreateNull();
  char buf[40];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
  return cJSON_CreateRaw(buf);
}

cJSON *rxpl_rec_obj(cJSON *o, const char *key) {
  if (!o) return NULL;
  cJSON *c = cJSON_GetObjectItemCaseSensitive(o, key);
  return c ? c : add(o, key, cJSON_CreateObject());
}

cJSON *rxpl_rec_arr(cJSON *o, const char *key) {
  if (!o) return NULL;
  cJSON *c = cJSON_GetObjectItemCaseSensitive(o, key);
  return c ? c : add(o, key, cJSON_CreateArray());
}

cJSON *rxpl_rec_item(cJSON *arr) { return arr ? add(arr, NULL, cJSON_CreateObject()) : NULL; }

cJSON *rxpl_rec_list(cJSON *arr) { return arr ? add(arr, NULL, cJSON_CreateArray()) : NULL; }

void rxpl_rec_num(cJSON *o, const char *key, double v) {
  if (o) add(o, key, number(v));
}

void rxpl_rec_bool(cJSON *o, const char *key, int b) {
  if (o) add(o, key, cJSON_CreateBool(b != 0));
}

void rxpl_rec_str(cJSON *o, const char *key, const char *s) {
  if (o) add(o, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

void rxpl_rec_nums(cJSON *o, const char *key, const double *v, size_t n, size_t stride) {
  cJSON *a = o ? add(o, key, cJSON_CreateArray()) : NULL;
  for (size_t i = 0; a && i < n; i++)
    add(a, NULL, number(v[i * stride]));
}

void rxpl_rec_floats(cJSON *o, const char *key, const float *v, size_t n, size_t stride) {
  cJSON *a = o ? add(o, key, cJSON_CreateArray()) : NULL;
  for (size_t i = 0; a && i < n; i++)
    add(a, NULL, number(v[i * stride]));
}

void rxpl_rec_matrix(cJSON *o, const char *key, const double *v, int rows, int cols) {
  cJSON *a = o ? add(o, key, cJSON_CreateArray()) : NULL;
  for (int r = 0; a && r < rows; r++)
    rxpl_rec_nums(a, NULL, v + (size_t)r * cols, (size_t)cols, 1);
}

void rxpl_rec_strs(cJSON *o, const char *key, const char *const *s, int n) {
  cJSON *a = o ? add(o, key, cJSON_CreateArray()) : NULL;
  for (int i = 0; a && i < n; i++)
    add(a, NULL, s && s[i] ? cJSON_CreateString(s[i]) : cJSON_CreateNull());
}

void rxpl_rec_colour(cJSON *o, const char *key, int idx) {
  if (!o) return;
  unsigned char rgb[3];
  rxpl_colour_rgb(idx, rgb);
  char hex[8];
  snprintf(hex, sizeof hex, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  rxpl_rec_str(o, key, hex);
}

/* A tick's value without the rounding noise of lo + i * step (0.6, not 0.6000000000000001);
 * values that are not short decimals (multiples of pi) stay as they are. */
static double clean(double v, double step) {
  if (fabs(v) < 1e-9 * step) return 0.0;
  char buf[40];
  snprintf(buf, sizeof buf, "%.12g", v);
  double c = strtod(buf, NULL);
  return fabs(c - v) <= 4 * DBL_EPSILON * fabs(v) ? c : v;
}

int rxpl_axis_ticks(const rxpl_axis *a, double *ticks, int max) {
  int n = 0;
  double first = ceil(a->lo / a->step - 1e-9) * a->step;
  for (int i = 0; n < max; i++) {
    double v = first + i * a->step;
    if (v > a->hi + 1e-9 * a->step) break;
    ticks[n++] = v;
  }
  return n;
}

void rxpl_rec_axis(cJSON *o, const char *key, const rxpl_axis *a, int with_ticks) {
  cJSON *ax = rxpl_rec_obj(o, key);
  if (!ax) return;
  rxpl_rec_num(ax, "min", a->log ? pow(10.0, a->lo) : a->lo);
  rxpl_rec_num(ax, "max", a->log ? pow(10.0, a->hi) : a->hi);
  rxpl_rec_bool(ax, "log", a->log);
  if (!with_ticks) return;
  enum { MAXT = 100 };
  double t[MAXT], v[MAXT];
  char labels[MAXT][48];
  const char *lp[MAXT];
  int n = rxpl_axis_ticks(a, t, MAXT);
  for (int i = 0; i < n; i++) {
    v[i] = a->log ? clean(pow(10.0, t[i]), pow(10.0, t[i])) : clean(t[i], a->step);
    rxpl_axis_label(a, t[i], labels[i], sizeof labels[i]);
    lp[i] = labels[i];
  }
  rxpl_rec_nums(ax, "ticks", v, (size_t)n, 1);
  rxpl_rec_strs(ax, "tick_labels", lp, n);
}

/* ---- figure and panels ---- */

cJSON *rxpl_rec_figure(const rx_fig *fig) {
  rec.oom = 0;
  rec.panel = NULL;
  cJSON *doc = cJSON_CreateObject();
  if (!doc) return NULL;
  const char *slash = strrchr(fig->base, '/');
  rxpl_rec_str(doc, "format", "reactivate figure data");
  rxpl_rec_num(doc, "version", 1);
  rxpl_rec_str(doc, "figure", slash ? slash + 1 : fig->base);
  rxpl_rec_str(doc, "title", fig->title);
  rxpl_rec_num(doc, "columns", fig->n_cols);
  rxpl_rec_num(doc, "rows", fig->n_rows);
  rxpl_rec_num(doc, "panel_width_px", fig->panel_w);
  rxpl_rec_num(doc, "panel_height_px", fig->panel_h);
  rxpl_rec_arr(doc, "panels");
  if (rec.oom) {
    cJSON_Delete(doc);
    return NULL;
  }
  return doc;
}

void rxpl_rec_panel_begin(cJSON *doc, const char *kind, int row, int col) {
  cJSON *p = rxpl_rec_item(rxpl_rec_arr(doc, "panels"));
  rxpl_rec_str(p, "kind", kind);
  rxpl_rec_num(p, "row", row);
  rxpl_rec_num(p, "column", col);
  rec.panel = p;
}

void rxpl_rec_panel_end(void) { rec.panel = NULL; }

int rxpl_rec_failed(void) { return rec.oom; }
