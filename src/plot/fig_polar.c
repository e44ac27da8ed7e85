/* Polar histogram panels: angles binned on [-pi, pi) (20 bins by default), each set drawn as
 * translucent wedges whose radius is the fraction of that set's samples in the bin, over rings
 * and spokes labelled in π (Fig. 3a/b, decoded headings active vs quiescent). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot_internal.h"

static double wrap_angle(double a) { return a - 2 * M_PI * floor((a + M_PI) / (2 * M_PI)); }

static double nice_ring(double top) {
  double mag = pow(10.0, floor(log10(top / 3)));
  double f = top / 3 / mag;
  return (f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0) * mag;
}

/* Radius of ring i (0-based): ring added i + 1 times, the sum the rings have always been drawn
 * at ((i + 1) * ring can differ in the last bit). */
static double ring_radius(double ring, int i) {
  double r = ring;
  for (int k = 0; k < i; k++)
    r += ring;
  return r;
}

static int draw_polar(const void *spec, const rxpl_rect *cell) {
  const rx_polar_spec *s = spec;
  int nb = s->n_bins ? s->n_bins : 20, K = s->n_sets;
  double *frac = calloc((size_t)K * nb, sizeof *frac);
  if (!frac) return RX_ENOMEM;
  double w = 2 * M_PI / nb, top = 0;
  for (int k = 0; k < K; k++) {
    size_t n = 0;
    for (size_t i = 0; i < s->sets[k].n; i++) {
      double a = s->sets[k].theta[i];
      if (!rxpl_finite(a)) continue;
      int b = (int)floor((wrap_angle(a) + M_PI) / w);
      frac[(size_t)k * nb + (b < 0 ? 0 : b >= nb ? nb - 1 : b)] += 1;
      n++;
    }
    for (int b = 0; b < nb; b++) {
      double *c = &frac[(size_t)k * nb + b];
      *c = n ? *c / n : 0;
      top = fmax(top, *c);
    }
  }
  if (!(top > 0)) top = 1;
  const double ring = nice_ring(top);
  const int n_rings = (int)ceil(top / ring - 1e-9); /* 2 to 5 (nice_ring) */
  const double rmax = n_rings * ring;
  cJSON *rec = rxpl_rec();
  if (rec) {
    rxpl_rec_num(rec, "n_bins", nb);
    cJSON *edges = rxpl_rec_arr(rec, "bin_edges");
    for (int b = 0; b <= nb; b++)
      rxpl_rec_num(edges, NULL, -M_PI + b * w);
    cJSON *rings = rxpl_rec_arr(rec, "rings");
    for (int i = 0; i < n_rings; i++)
      rxpl_rec_num(rings, NULL, ring_radius(ring, i));
    rxpl_rec_num(rec, "r_max", rmax);
    cJSON *sets = rxpl_rec_arr(rec, "sets");
    for (int k = 0; k < K; k++) {
      size_t n = 0;
      for (size_t i = 0; i < s->sets[k].n; i++)
        n += rxpl_finite(s->sets[k].theta[i]);
      cJSON *it = rxpl_rec_item(sets);
      rxpl_rec_str(it, "label", s->sets[k].label);
      rxpl_rec_colour(it, "colour", rxpl_colour_index(s->sets[k].colour, k));
      rxpl_rec_num(it, "n", (double)n);
      rxpl_rec_nums(it, "fractions", frac + (size_t)k * nb, (size_t)nb, 1);
    }
  }
  rxpl_frame f = {0};
  f.title = s->title;
  f.no_box = 1;
  f.x.lo = f.y.lo = -1.32;
  f.x.hi = f.y.hi = 1.32;
  f.x.step = f.y.step = 1;
  f.aspect = 1;
  rxpl_rect vp;
  rxpl_frame_begin(&f, cell, &vp);
  /* grid: rings and spokes */
  enum { NC = 181 };
  PLFLT cx[NC], cy[NC];
  rxpl_col(RX_PL_GRID);
  plwidth(0.8);
  for (int k = 0; k < n_rings; k++) {
    const double r = ring_radius(ring, k);
    for (int i = 0; i < NC; i++) {
      double a = 2 * M_PI * i / (NC - 1);
      cx[i] = r / rmax * cos(a), cy[i] = r / rmax * sin(a);
    }
    rxpl_col(r > rmax - 1e-9 * ring ? RX_PL_MUTED : RX_PL_GRID);
    plline(NC, cx, cy);
  }
  rxpl_col(RX_PL_GRID);
  static const char *names[8] = {"0", "π/4", "π/2", "3π/4", "π", "−3π/4", "−π/2", "−π/4"};
  for (int i = 0; i < 8; i++) {
    double a = i * M_PI / 4;
    PLFLT sx[2] = {0, cos(a)}, sy[2] = {0, sin(a)};
    plline(2, sx, sy);
  }
  plwidth(1.0);
  /* wedges */
  enum { ARC = 6 };
  for (int k = 0; k < K; k++) {
    int col = rxpl_colour_index(s->sets[k].colour, k);
    for (int b = 0; b < nb; b++) {
      double r = frac[(size_t)k * nb + b] / rmax;
      if (!(r > 0)) continue;
      PLFLT px[ARC + 3], py[ARC + 3];
      int m = 0;
      px[m] = 0, py[m++] = 0;
      for (int j = 0; j <= ARC; j++) {
        double a = -M_PI + (b + (double)j / ARC) * w;
        px[m] = r * cos(a), py[m++] = r * sin(a);
      }
      rxpl_col(rxpl_light(col));
      plfill(m, px, py);
      px[m] = 0, py[m++] = 0;
      rxpl_col(col);
      plwidth(1.2);
      plline(m, px, py);
      plwidth(1.0);
    }
  }
  /* labels: angles outside the outer ring, ring fractions along a ray between spokes */
  rxpl_col(RX_PL_FG);
  rxpl_text_scale(1.0);
  for (int i = 0; i < 8; i++) {
    double a = i * M_PI / 4;
    double ca = cos(a), sa = sin(a);
    double just = ca > 0.3 ? 0.0 : ca < -0.3 ? 1.0 : 0.5;
    double yoff = sa > 0.3 ? 0.04 : sa < -0.3 ? -0.04 : 0;
    plptex(1.07 * ca, 1.07 * sa + yoff, 1, 0, just, names[i]);
  }
  rxpl_col(RX_PL_FG);
  rxpl_text_scale(0.85);
  rxpl_mtex("b", 0.6, 0.5, 0.5, "radius: fraction of samples per bin");
  double la = M_PI / 8;
  for (int i = 0; i < n_rings; i++) {
    const double r = ring_radius(ring, i);
    char buf[32];
    snprintf(buf, sizeof buf, "%.3g", r);
    plptex(r / rmax * cos(la), r / rmax * sin(la), 1, 0, 0.5, buf);
  }
  rxpl_text_scale(1.0);
  rxpl_col(RX_PL_FG);
  rxpl_legend_entry ent[32];
  int ne = 0;
  for (int k = 0; k < K && ne < 32; k++) {
    if (!s->sets[k].label || !s->sets[k].label[0]) continue;
    rxpl_legend_entry e = {
        s->sets[k].label, rxpl_colour_index(s->sets[k].colour, k), 0, 0, 1, 0, 0};
    ent[ne++] = e;
  }
  double corners_x[1] = {0}, corners_y[1] = {0};
  rxpl_legend(s->legend == RX_LEGEND_AUTO ? RX_LEGEND_TOP_RIGHT : s->legend, ent, ne, corners_x,
              corners_y, 0);
  rxpl_frame_end(&f, &vp);
  free(frac);
  return 0;
}

int rx_fig_add_polar(rx_fig *fig, const rx_polar_spec *s, rx_error *err) {
  int rc = rxpl_check_room(fig, err);
  if (rc) return rc;
  if (!s || !s->sets || s->n_sets < 1 || s->n_sets > 32)
    return rxpl_fail(fig, err, RX_EINVAL, "polar panel needs 1..32 sets of angles");
  if (s->n_bins < 0 || s->n_bins > 720)
    return rxpl_fail(fig, err, RX_EINVAL, "%d bins (1..720, 0: 20)", s->n_bins);
  if ((unsigned)s->legend > RX_LEGEND_NONE)
    return rxpl_fail(fig, err, RX_EINVAL, "unknown legend position %d", (int)s->legend);
  size_t total = 0, good = 0;
  for (int k = 0; k < s->n_sets; k++) {
    const rx_angle_set *a = &s->sets[k];
    if (a->n && !a->theta)
      return rxpl_fail(fig, err, RX_EINVAL, "angle set %d '%s' has %zu values but no array", k,
                       a->label ? a->label : "", a->n);
    if ((unsigned)a->colour >= RX_COLOUR_COUNT)
      return rxpl_fail(fig, err, RX_EINVAL, "angle set %d: unknown colour %d", k, (int)a->colour);
    total += a->n;
    for (size_t i = 0; i < a->n; i++)
      good += rxpl_finite(a->theta[i]);
  }
  if (!total) return rxpl_fail(fig, err, RX_EINVAL, "polar panel has no angles");
  if (!good) return rxpl_fail(fig, err, RX_ENUMERIC, "polar panel has no finite angles");
  int oom = 0;
  rx_polar_spec *c = rxpl_memdup(fig, s, sizeof *s, &oom);
  rx_angle_set *sets = rxpl_memdup(fig, s->sets, (size_t)s->n_sets * sizeof *sets, &oom);
  if (oom) return rxpl_oom(fig, err);
  for (int k = 0; k < s->n_sets; k++) {
    sets[k].label = rxpl_strdup(fig, s->sets[k].label, &oom);
    sets[k].theta =
        sets[k].n ? rxpl_memdup(fig, s->sets[k].theta, sets[k].n * sizeof(float), &oom) : NULL;
  }
  c->sets = sets;
  c->title = rxpl_strdup(fig, s->title, &oom);
  if (oom) return rxpl_oom(fig, err);
  return rxpl_push(fig, "polar", draw_polar, c, err);
}
