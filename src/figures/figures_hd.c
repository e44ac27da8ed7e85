/* Head-direction figures (docs/science.md §7): Fig. 3 (decoded heading distributions as polar
 * histograms; hidden states on the active PCs coloured by heading, a ring) and C.5 (the biased
 * network's decoded heading over time; angular-velocity histograms, biased vs unbiased, with their
 * means). Data: heading_<noise>_<seed>.npz and pca_<noise>_<seed>.npz. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"
#include "reactivate/analysis.h"
#include "reactivate/plot.h"

/* The noisy networks, unbiased (0) and biased (1). */
static const rx_experiment *noisy(int biased) {
  return rx_experiment_get(RX_TASK_HEAD_DIRECTION,
                           biased ? RX_EXP_NOISY_BIASED : RX_EXP_NOISY_UNBIASED);
}
static const fg_variant hd_main = {
    "fig", RX_RESULTS_MAIN, NULL, "", "reactivate analyze all task=head_direction", 0, 0, {0}, 0,
    0};

/* "heading_<noise>_<seed>.npz", for messages. */
static void heading_pattern(const fg_ctx *c, char *buf, size_t n) {
  rx_results_analysis_pattern(RX_RESULTS_HEADING, RX_RESULTS_MAIN, c->set.noise, "npz", buf, n);
}

typedef struct pooled_f {
  float *v;
  size_t n;
  int seeds[RX_FIGURES_MAX_SEEDS], n_seeds;
} pooled_f;

/* Pools the decoded headings <run>.<what> (B, T, 1) of heading npz files over the seeds;
 * with angular != 0, their angular velocities (rad/s) instead, as floats. */
static int pool_headings(fg_ctx *c, const rx_experiment *cond, const char *what, int angular,
                         pooled_f *out, rx_error *err) {
  *out = (pooled_f){0};
  for (int k = 0; k < c->n_seeds; k++) {
    const rx_npz *z;
    const rx_array *a;
    char run[600];
    int rc = fg_analysis_npz(c, RX_RESULTS_HEADING, RX_RESULTS_MAIN, c->seeds[k], &z, err);
    if (rc) return rc;
    fg_run_name(c, cond, c->seeds[k], run, sizeof run);
    rc = fg_array(c, z, RX_RESULTS_HEADING, RX_RESULTS_MAIN, c->seeds[k], run, what, 3, 1, &a, err);
    if (rc < 0) return rc;
    if (!rc) continue;
    const int B = (int)a->shape[0], T = (int)a->shape[1];
    if (angular && T < 2) continue;
    size_t add = angular ? (size_t)(T - 1) * B : a->size;
    float *nv = realloc(out->v, (out->n + add) * sizeof *nv + 1);
    if (!nv) return rx_fail(err, RX_ENOMEM, "out of memory");
    out->v = nv;
    if (angular) {
      float *tm = fg_time_major(a->data, B, T, 1, B);
      double *w = malloc(add * sizeof *w);
      if (!tm || !w) {
        free(tm), free(w);
        return rx_fail(err, RX_ENOMEM, "out of memory");
      }
      rx_angular_velocity(tm, T, B, c->dt, w);
      for (size_t i = 0; i < add; i++)
        out->v[out->n++] = (float)w[i];
      free(tm), free(w);
    } else {
      memcpy(out->v + out->n, a->data, add * sizeof(float));
      out->n += add;
    }
    out->seeds[out->n_seeds++] = c->seeds[k];
  }
  return 0;
}

/* ---- Fig. 3a/b: decoded heading distributions ---- */

static int fig_headings(fg_ctx *c, rx_error *err) {
  const char *name = "fig3ab_headings";
  const rx_experiment *cond = noisy(0);
  pooled_f p[2] = {{0}, {0}};
  int rc = pool_headings(c, cond, "active", 0, &p[0], err);
  if (!rc) rc = pool_headings(c, cond, "quiescent", 0, &p[1], err);
  if (!rc && (!p[0].n || !p[1].n)) {
    char pat[200];
    heading_pattern(c, pat, sizeof pat);
    rc = fg_skip(c, name,
                 "no %s decoded headings (active and quiescent) in %s for any seed (%s heading)",
                 cond->name, pat, hd_main.hint);
  } else if (!rc) {
    char seeds[300], title[700];
    rx_seed_list_format(p[1].seeds, p[1].n_seeds, ", ", seeds, sizeof seeds);
    snprintf(title, sizeof title,
             "Fig. 3a/b: decoded heading distributions of the %s RNN (%s), seed%s %s", cond->desc,
             cond->label, p[1].n_seeds == 1 ? "" : "s", seeds);
    rx_angle_set s[2] = {{"active", p[0].v, p[0].n, RX_COLOUR_ACTIVE},
                         {"quiescent", p[1].v, p[1].n, RX_COLOUR_QUIESCENT}};
    rx_polar_spec ps[2] = {{0}, {0}};
    ps[0].title = "a  active: fraction of time per heading";
    ps[0].sets = &s[0];
    ps[0].n_sets = 1;
    ps[0].n_bins = 20;
    ps[0].legend = RX_LEGEND_NONE;
    ps[1] = ps[0];
    ps[1].title = "b  quiescent: fraction of time per heading";
    ps[1].sets = &s[1];
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, 2, 1, title, 560, 440, err);
    for (int q = 0; q < 2 && !rc; q++)
      rc = rx_fig_add_polar(fig, &ps[q], err);
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  free(p[0].v), free(p[1].v);
  return rc;
}

/* ---- C.5: biased heading over time ---- */

static int fig_c5_trajectories(fg_ctx *c, rx_error *err) {
  const char *name = "figC5_trajectories";
  const rx_experiment *cond = noisy(1);
  const char *what[2] = {"active", "quiescent"};
  const rx_array *a[2];
  int seed,
      rc = fg_first_arrays(c, &hd_main, cond, RX_RESULTS_HEADING, what, 2, 3, 1, a, &seed, err);
  if (rc < 0) return rc;
  if (!rc) {
    char pat[200];
    heading_pattern(c, pat, sizeof pat);
    return fg_skip(c, name,
                   "no %s decoded headings (active and quiescent) in %s for any seed (%s heading)",
                   cond->name, pat, hd_main.hint);
  }
  char title[700], pt[2][200];
  snprintf(title, sizeof title, "Fig. C.5: decoded heading over time, %s RNN (%s), seed %d",
           cond->desc, cond->label, seed);
  float *tm[2] = {NULL, NULL};
  rx_traj_spec s[2] = {{0}, {0}};
  rc = 0;
  for (int q = 0; q < 2; q++) {
    int B = (int)a[q]->shape[0], T = (int)a[q]->shape[1], keep = B < 3 ? B : 3;
    if (!(tm[q] = fg_time_major(a[q]->data, B, T, 1, keep))) rc = RX_ENOMEM;
    snprintf(pt[q], sizeof pt[q], "%s (%d trajectories)", what[q], keep);
    s[q].title = pt[q];
    s[q].x_label = "time (s)";
    s[q].y_label = "decoded heading (rad)";
    s[q].x = tm[q];
    s[q].T = T, s[q].B = keep, s[q].dim = 1, s[q].n_show = keep;
    s[q].dt = c->dt;
    s[q].colour = q ? RX_COLOUR_QUIESCENT : RX_COLOUR_ACTIVE;
  }
  rx_fig *fig = NULL;
  if (rc) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  if (!rc) rc = fg_fig_create(c, &fig, name, 2, 1, title, 560, 440, err);
  for (int q = 0; q < 2 && !rc; q++)
    rc = rx_fig_add_traj(fig, &s[q], err);
  rc = fg_fig_save(c, fig, name, rc, err);
  free(tm[0]), free(tm[1]);
  return rc;
}

/* ---- C.5: angular velocities, biased vs unbiased ---- */

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

static int fig_c5_angular_velocity(fg_ctx *c, rx_error *err) {
  const char *name = "figC5_angular_velocity";
  pooled_f p[2][2]; /* [condition][active, quiescent] */
  memset(p, 0, sizeof p);
  int rc = 0, n_panels = 0;
  unsigned char used[RX_FIGURES_MAX_SEEDS] = {0};
  for (int i = 0; i < 2 && !rc; i++)
    for (int q = 0; q < 2 && !rc; q++) {
      rc = pool_headings(c, noisy(i), q ? "quiescent" : "active", 1, &p[i][q], err);
      for (int s = 0; s < p[i][q].n_seeds; s++)
        for (int k = 0; k < c->n_seeds; k++)
          used[k] |= c->seeds[k] == p[i][q].seeds[s];
    }
  for (int i = 0; i < 2; i++)
    n_panels += p[i][0].n > 0 || p[i][1].n > 0;
  if (!rc && !n_panels) {
    char pat[200];
    heading_pattern(c, pat, sizeof pat);
    rc = fg_skip(c, name, "no decoded headings of %s or %s in %s for any seed (%s heading)",
                 noisy(0)->name, noisy(1)->name, pat, hd_main.hint);
  } else if (!rc) {
    /* one bin range for all panels: the central 99% of every value, symmetric about 0 */
    size_t total = 0;
    for (int i = 0; i < 2; i++)
      for (int q = 0; q < 2; q++)
        total += p[i][q].n;
    float *all = malloc(total * sizeof *all + 1);
    if (!all) {
      rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
    } else {
      size_t k = 0;
      for (int i = 0; i < 2; i++)
        for (int q = 0; q < 2; q++)
          for (size_t j = 0; j < p[i][q].n; j++)
            if (isfinite(p[i][q].v[j])) all[k++] = p[i][q].v[j];
      qsort(all, k, sizeof *all, cmp_float);
      double lim = k ? fmax(fabs(all[(size_t)(0.005 * (double)(k - 1))]),
                            fabs(all[(size_t)(0.995 * (double)(k - 1))]))
                     : 1;
      if (!(lim > 0)) lim = 1;
      free(all);
      char title[700], pt[2][200], seeds[400];
      fg_pooled_text(c, used, seeds, sizeof seeds);
      snprintf(title, sizeof title,
               "Fig. C.5: angular velocity of decoded headings, unbiased vs biased (%s)", seeds);
      rx_value_set sets[2][2];
      double *dv[2][2] = {{NULL}};
      rx_hist_spec hs[2];
      int np = 0;
      for (int i = 0; i < 2 && !rc; i++) {
        if (!p[i][0].n && !p[i][1].n) continue;
        int ns = 0;
        for (int q = 0; q < 2; q++) {
          if (!p[i][q].n) continue;
          if (!(dv[i][q] = malloc(p[i][q].n * sizeof(double)))) {
            rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
            break;
          }
          for (size_t j = 0; j < p[i][q].n; j++)
            dv[i][q][j] = p[i][q].v[j];
          sets[i][ns++] = (rx_value_set){q ? "quiescent" : "active", dv[i][q], p[i][q].n,
                                         q ? RX_COLOUR_QUIESCENT : RX_COLOUR_ACTIVE};
        }
        snprintf(pt[i], sizeof pt[i], "%s (%s)", i ? "biased" : "unbiased", noisy(i)->label);
        hs[np] = (rx_hist_spec){0};
        hs[np].title = pt[i];
        hs[np].x_label = "angular velocity (rad/s)";
        hs[np].y_label = "probability density (s/rad)";
        hs[np].sets = sets[i];
        hs[np].n_sets = ns;
        hs[np].n_bins = 60;
        hs[np].x_min = -lim, hs[np].x_max = lim;
        hs[np].show_mean = 1;
        hs[np].legend = RX_LEGEND_TOP_LEFT;
        np++;
      }
      rx_fig *fig = NULL;
      if (!rc) rc = fg_fig_create(c, &fig, name, np, 1, title, 560, 440, err);
      for (int i = 0; i < np && !rc; i++)
        rc = rx_fig_add_hist(fig, &hs[i], err);
      rc = fg_fig_save(c, fig, name, rc, err);
      for (int i = 0; i < 2; i++)
        free(dv[i][0]), free(dv[i][1]);
    }
  }
  for (int i = 0; i < 2; i++)
    free(p[i][0].v), free(p[i][1].v);
  return rc;
}

int fg_hd_figures(fg_ctx *c, rx_error *err) {
  int rc = fig_headings(c, err);
  if (!rc) rc = fg_fig_pcs(c, &hd_main, noisy(0), "3cd_pcs", "3c/d", "cd", 1, err);
  if (!rc) rc = fig_c5_trajectories(c, err);
  if (!rc) rc = fig_c5_angular_velocity(c, err);
  return rc;
}
