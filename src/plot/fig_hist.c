/* Histogram panels: overlaid translucent step histograms (probability density by default, so
 * sets of different sizes compare) with a dashed line at each set's mean, given in the legend
 * (C.5 angular velocity of decoded headings, biased vs unbiased). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

static void set_range(const rx_hist_spec *s, double *lo, double *hi) {
  *lo = INFINITY, *hi = -INFINITY;
  for (int k = 0; k < s->n_sets; k++)
    for (size_t i = 0; i < s->sets[k].n; i++) {
      double v = s->sets[k].v[i];
      if (rxpl_finite(v)) *lo = fmin(*lo, v), *hi = fmax(*hi, v);
    }
  if (s->x_min < s->x_max) *lo = s->x_min, *hi = s->x_max;
  if (!(*hi > *lo)) { /* all values equal: one bin around them */
    double d = fabs(*lo) > 0 ? 0.1 * fabs(*lo) : 1.0;
    *lo -= d, *hi += d;
  }
}

static int draw_hist(const void *spec, const rxpl_rect *cell) {
  const rx_hist_spec *s = spec;
  int nb = s->n_bins ? s->n_bins : 40, K = s->n_sets;
  double lo, hi;
  set_range(s, &lo, &hi);
  double w = (hi - lo) / nb;
  double *h = calloc((size_t)K * nb, sizeof *h), *mean = calloc((size_t)K, sizeof *mean);
  if (!h || !mean) {
    free(h), free(mean);
    return RX_ENOMEM;
  }
  double top = 0;
  cJSON *rec = rxpl_rec(), *rec_sets = rxpl_rec_arr(rec, "sets");
  rxpl_rec_num(rec, "n_bins", nb);
  rxpl_rec_bool(rec, "density", !s->counts);
  rxpl_rec_bool(rec, "show_mean", s->show_mean);
  if (rec) { /* bin b covers [edge b, edge b + 1); the last one includes its right edge */
    cJSON *edges = rxpl_rec_arr(rec, "bin_edges");
    for (int b = 0; b <= nb; b++)
      rxpl_rec_num(edges, NULL, b < nb ? lo + b * w : hi);
  }
  for (int k = 0; k < K; k++) {
    size_t n = 0, in = 0;
    double sum = 0;
    for (size_t i = 0; i < s->sets[k].n; i++) {
      double v = s->sets[k].v[i];
      if (!rxpl_finite(v)) continue;
      n++, sum += v;
      if (v < lo || v > hi) continue;
      int b = (int)((v - lo) / w);
      h[(size_t)k * nb + (b >= nb ? nb - 1 : b)] += 1;
      in++;
    }
    mean[k] = n ? sum / n : NAN;
    cJSON *it = rxpl_rec_item(rec_sets);
    rxpl_rec_str(it, "label", s->sets[k].label);
    rxpl_rec_colour(it, "colour", rxpl_colour_index(s->sets[k].colour, k));
    rxpl_rec_num(it, "n", (double)n);
    rxpl_rec_num(it, "n_in_range", (double)in);
    rxpl_rec_num(it, "mean", mean[k]);
    rxpl_rec_nums(it, "counts", h + (size_t)k * nb, (size_t)nb, 1);
    for (int b = 0; b < nb; b++) {
      double *c = &h[(size_t)k * nb + b];
      if (!s->counts) *c = n ? *c / (n * w) : 0;
      top = fmax(top, *c);
    }
    rxpl_rec_nums(it, "heights", h + (size_t)k * nb, (size_t)nb, 1);
  }
  rxpl_frame f = {0};
  f.title = s->title;
  f.x_label = s->x_label;
  f.y_label = s->y_label ? s->y_label : s->counts ? "count" : "probability density";
  f.grid = 1;
  rxpl_axis_make(&f.x, lo, hi, 0, 0.0);
  rxpl_axis_make(&f.y, 0, top > 0 ? top * 1.08 : 1, 0, 0.0);
  char text[32][160];
  rxpl_legend_entry ent[32];
  int ne = 0;
  for (int k = 0; k < K && ne < 32; k++) {
    const char *label = s->sets[k].label ? s->sets[k].label : "";
    if (s->show_mean && rxpl_finite(mean[k]))
      snprintf(text[ne], sizeof text[ne], "%.120s%smean %s%.3g", label, label[0] ? ", " : "",
               mean[k] < 0 ? "−" : "", fabs(mean[k]));
    else
      snprintf(text[ne], sizeof text[ne], "%s", label);
    if (!text[ne][0]) continue;
    rxpl_legend_entry e = {text[ne], rxpl_colour_index(s->sets[k].colour, k), 1, 0, 1, 0, 0};
    ent[ne++] = e;
  }
  if (s->legend == RX_LEGEND_OUTSIDE) f.right_extra = rxpl_legend_width(ent, ne) + 0.8;
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  PLFLT *px = malloc((size_t)(2 * nb + 2) * sizeof *px),
        *py = malloc((size_t)(2 * nb + 2) * sizeof *py);
  double *lx = malloc((size_t)K * nb * sizeof *lx + 1),
         *ly = malloc((size_t)K * nb * sizeof *ly + 1);
  if (!px || !py || !lx || !ly) {
    free(px), free(py), free(lx), free(ly), free(h), free(mean);
    return RX_ENOMEM;
  }
  size_t np = 0;
  for (int k = 0; k < K; k++) {
    int col = rxpl_colour_index(s->sets[k].colour, k);
    int m = 0;
    px[m] = lo, py[m++] = 0;
    for (int b = 0; b < nb; b++) {
      double c = h[(size_t)k * nb + b];
      px[m] = lo + b * w, py[m++] = c;
      px[m] = lo + (b + 1) * w, py[m++] = c;
      lx[np] = lo + (b + 0.5) * w, ly[np++] = c;
    }
    px[m] = hi, py[m++] = 0;
    rxpl_col(rxpl_light(col));
    plfill(m, px, py);
    rxpl_col(col);
    plwidth(1.6);
    plline(m, px, py);
    plwidth(1.0);
  }
  for (int k = 0; s->show_mean && k < K; k++) { /* on top of every histogram */
    if (!rxpl_finite(mean[k]) || mean[k] < lo || mean[k] > hi) continue;
    PLFLT mx[2] = {mean[k], mean[k]}, my[2] = {0, f.y.hi};
    rxpl_col(rxpl_colour_index(s->sets[k].colour, k));
    pllsty(3);
    plwidth(2.0);
    plline(2, mx, my);
    pllsty(1);
    plwidth(1.0);
  }
  rxpl_legend(s->legend, ent, ne, lx, ly, np);
  rxpl_frame_end(&f, &vp);
  free(px), free(py), free(lx), free(ly), free(h), free(mean);
  return 0;
}

int rx_fig_add_hist(rx_fig *fig, const rx_hist_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s) return rxpl_fail(fig, err, RX_EINVAL, "histogram panel without a spec");
  if ((rc = rxpl_check_sets(fig, s->sets, s->n_sets, 0, "histogram", err))) return rc;
  if (s->n_bins < 0 || s->n_bins > 1000)
    return rxpl_fail(fig, err, RX_EINVAL, "%d bins (1..1000, 0: 40)", s->n_bins);
  if (!rxpl_finite(s->x_min) || !rxpl_finite(s->x_max))
    return rxpl_fail(fig, err, RX_EINVAL, "bin range is not finite");
  if ((unsigned)s->legend > RX_LEGEND_NONE)
    return rxpl_fail(fig, err, RX_EINVAL, "unknown legend position %d", (int)s->legend);
  int oom = 0;
  rx_hist_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  if (oom) return rxpl_oom(fig, err);
  c->sets = rxpl_copy_sets(fig, s->sets, s->n_sets, &oom);
  c->title = rxpl_strdup(fig, s->title, &oom);
  c->x_label = rxpl_strdup(fig, s->x_label, &oom);
  c->y_label = rxpl_strdup(fig, s->y_label, &oom);
  if (oom) return rxpl_oom(fig, err);
  return rxpl_push(fig, "hist", draw_hist, c, err);
}
