/* Spatial-navigation figures (docs/science.md §7): Fig. 1 (noisy unbiased RNN), Fig. 2 (biased
 * behaviour), their C.1 (same_ files: quiescent noise not doubled) and C.2 (gru_ files) versions,
 * and the supplementary C.3 (example quiescent trajectories) and C.4 (step-wise distance). Each
 * figure takes what it needs from the cached result files and is skipped, with the reason, when the
 * data are missing. Active data are blue, quiescent red (plot.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"
#include "reactivate/plot.h"
#include "reactivate/rng.h"

static void fig_name(const fg_variant *v, const char *tag, char *buf, size_t n) {
  snprintf(buf, n, "%s%s", v->prefix, tag);
}

/* The first seed whose <analysis> npz holds every one of <run>.<what[i]> (float32, ndim dims,
 * last dimension last_dim when > 0). Returns 1 (arrays in out, seed in *seed), 0 when no seed
 * has them all, negative on a malformed file. */
int fg_first_arrays(fg_ctx *c, const fg_variant *v, const rx_experiment *cond, int analysis,
                    const char *const *what, int n_what, int ndim, int last_dim,
                    const rx_array **out, int *seed, rx_error *err) {
  for (int k = 0; k < c->n_seeds; k++) {
    const int s = c->seeds[k];
    const rx_npz *z;
    int rc = fg_analysis_npz(c, analysis, v->file_prefix, s, &z, err);
    if (rc < 0) return rc;
    if (!z) continue;
    char run[600];
    fg_run_name(c, cond, s, run, sizeof run);
    int all = 1;
    for (int i = 0; i < n_what && all; i++) {
      rc = fg_array(c, z, analysis, v->file_prefix, s, run, what[i], ndim, last_dim, &out[i], err);
      if (rc < 0) return rc;
      all = rc;
    }
    if (all) {
      *seed = s;
      return 1;
    }
  }
  return 0;
}

/* "<analysis>_<prefix><noise>_<seed>.npz" pattern for skip messages. */
static void file_pattern(const fg_ctx *c, const fg_variant *v, int analysis, const char *ext,
                         char *buf, size_t n) {
  rx_results_analysis_pattern(analysis, v->file_prefix, c->set.noise, ext, buf, n);
}

/* ---- Fig. 1b: learning curves ---- */

typedef struct step_row {
  long long step;
  double loss, error;
} step_row;

static int cmp_row(const void *a, const void *b) {
  long long x = ((const step_row *)a)->step, y = ((const step_row *)b)->step;
  return (x > y) - (x < y);
}

/* Reads a test_metrics.json into rows (malloc'd, sorted by step). */
static int read_metrics(const cJSON *root, const char *path, const char *metric, step_row **rows,
                        int *n, rx_error *err) {
  int cap = cJSON_GetArraySize(root);
  *rows = malloc((size_t)(cap ? cap : 1) * sizeof **rows);
  *n = 0;
  if (!*rows) return rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
  const cJSON *e;
  cJSON_ArrayForEach(e, root) {
    char *end;
    long long step = strtoll(e->string, &end, 10);
    if (end == e->string || *end || step < 0 || !cJSON_IsObject(e)) {
      free(*rows);
      *rows = NULL;
      return rx_fail(err, RX_EFORMAT,
                     "%s: entry '%s' should be a step number holding {\"loss\": …, \"%s\": …}",
                     path, e->string, metric);
    }
    step_row r = {step, NAN, NAN};
    int rc = fg_json_number(root, path, e->string, "loss", &r.loss, err);
    if (rc >= 0) rc = fg_json_number(root, path, e->string, metric, &r.error, err);
    if (rc < 0) {
      free(*rows);
      *rows = NULL;
      return rc;
    }
    (*rows)[(*n)++] = r;
  }
  qsort(*rows, (size_t)*n, sizeof **rows, cmp_row);
  return 0;
}

static int fig_learning_curves(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fig_name(v, "1b_learning_curves", name, sizeof name);
  const rx_experiment *cond = v->conds[0];
  const char *metric = "pos_mse";
  step_row *rows[RX_FIGURES_MAX_SEEDS] = {0};
  int n_rows[RX_FIGURES_MAX_SEEDS] = {0}, used[RX_FIGURES_MAX_SEEDS], n_used = 0, rc = 0;
  size_t total = 0;
  for (int k = 0; k < c->n_seeds && !rc; k++) {
    char path[3000];
    const cJSON *j;
    rx_results_experiment_file(&c->set, cond, c->seeds[k], RX_RESULTS_TEST_METRICS, path,
                               sizeof path);
    if ((rc = rxr_json(&c->rd, path, &j, err)) || !j) continue;
    rc = read_metrics(j, path, metric, &rows[n_used], &n_rows[n_used], err);
    if (!rc && n_rows[n_used] > 0)
      total += (size_t)n_rows[n_used], used[n_used++] = c->seeds[k];
    else if (!rc)
      free(rows[n_used]), rows[n_used] = NULL;
  }
  if (!rc && !n_used) {
    char run[600];
    fg_run_name(c, cond, c->seeds[0], run, sizeof run);
    rc = fg_skip(c, name, "no %s/test_metrics.json for any seed (e.g. %s; train %s first)",
                 cond->name, run, cond->name);
    goto done;
  }
  if (rc) goto done;
  /* union of the steps, then mean and s.d. over the seeds that have each step */
  long long *steps = malloc(total * sizeof *steps);
  double *x = malloc(total * sizeof *x), *m[2], *sd[2], vals[2][RX_FIGURES_MAX_SEEDS];
  m[0] = malloc(total * sizeof(double)), m[1] = malloc(total * sizeof(double));
  sd[0] = malloc(total * sizeof(double)), sd[1] = malloc(total * sizeof(double));
  if (!steps || !x || !m[0] || !m[1] || !sd[0] || !sd[1]) {
    rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  } else {
    size_t ns = 0;
    for (int k = 0; k < n_used; k++)
      for (int i = 0; i < n_rows[k]; i++)
        steps[ns++] = rows[k][i].step;
    for (size_t i = 1; i < ns; i++) /* insertion sort, unique */
      for (size_t j = i; j > 0 && steps[j - 1] > steps[j]; j--) {
        long long t = steps[j];
        steps[j] = steps[j - 1], steps[j - 1] = t;
      }
    size_t nu = 0;
    for (size_t i = 0; i < ns; i++)
      if (!nu || steps[nu - 1] != steps[i]) steps[nu++] = steps[i];
    for (size_t i = 0; i < nu; i++) {
      int nv[2] = {0, 0};
      for (int k = 0; k < n_used; k++)
        for (int r = 0; r < n_rows[k]; r++)
          if (rows[k][r].step == steps[i]) {
            if (isfinite(rows[k][r].loss)) vals[0][nv[0]++] = rows[k][r].loss;
            if (isfinite(rows[k][r].error)) vals[1][nv[1]++] = rows[k][r].error;
            break; /* one value per seed and step */
          }
      x[i] = (double)steps[i];
      for (int q = 0; q < 2; q++)
        if (nv[q])
          fg_mean_sd(vals[q], nv[q], &m[q][i], &sd[q][i]);
        else
          m[q][i] = sd[q][i] = NAN;
    }
    char seeds[400], title[700], head[200];
    fg_seeds_text(used, n_used, seeds, sizeof seeds);
    fg_title_head(v, "1b", head, sizeof head);
    snprintf(title, sizeof title, "%s: test metrics during training, %s (%s), %s", head,
             cond->label, cond->desc, seeds);
    rx_series s0 = {
        cond->label, x, m[0],          n_used > 1 ? sd[0] : NULL, nu, RX_COLOUR_ACTIVE, 0,
        0,           0, RX_SERIES_LINE};
    rx_series s1 = {
        cond->label, x, m[1],          n_used > 1 ? sd[1] : NULL, nu, RX_COLOUR_ACTIVE, 0,
        0,           0, RX_SERIES_LINE};
    rx_lines_spec p[2] = {{0}, {0}};
    p[0].title = "test loss (population-code MSE)";
    p[0].x_label = "training step";
    p[0].y_label = "test loss";
    p[0].series = &s0;
    p[0].n_series = 1;
    p[0].log_y = 1;
    p[0].legend = RX_LEGEND_TOP_RIGHT;
    p[1] = p[0];
    p[1].title = "decoding error (mean squared position error)";
    p[1].y_label = "decoding error (m²)";
    p[1].series = &s1;
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, 2, 1, title, 560, 440, err);
    for (int i = 0; i < 2 && !rc; i++)
      rc = rx_fig_add_lines(fig, &p[i], err);
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  free(steps), free(x), free(m[0]), free(m[1]), free(sd[0]), free(sd[1]);
done:
  for (int k = 0; k < RX_FIGURES_MAX_SEEDS; k++)
    free(rows[k]);
  return rc;
}

/* ---- Fig. 1c: cumulative explained variance ---- */

/* The "<run>": {"active": [...], "quiescent": [...]} arrays of a pca JSON: 1 with n values each
 * copied (at most cap), 0 absent, negative malformed. */
static int pca_curves(const cJSON *root, const char *path, const char *run, double *act,
                      double *qui, int cap, int *n, rx_error *err) {
  const cJSON *o = root ? cJSON_GetObjectItemCaseSensitive(root, run) : NULL;
  if (!o) return 0;
  const char *keys[2] = {"active", "quiescent"};
  double *dst[2] = {act, qui};
  int len[2] = {0, 0};
  for (int q = 0; q < 2; q++) {
    const cJSON *a = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, keys[q]) : NULL;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1)
      return rx_fail(err, RX_EFORMAT, "%s: '%s.%s' should be a non-empty array of numbers", path,
                     run, keys[q]);
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
      if (!cJSON_IsNumber(e) && !cJSON_IsNull(e))
        return rx_fail(err, RX_EFORMAT, "%s: '%s.%s' holds a non-number", path, run, keys[q]);
      if (len[q] < cap) dst[q][len[q]++] = cJSON_IsNull(e) ? NAN : e->valuedouble;
    }
  }
  *n = len[0] < len[1] ? len[0] : len[1];
  return 1;
}

static int fig_explained_variance(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fig_name(v, "1c_explained_variance", name, sizeof name);
  enum { KMAX = 64 };
  /* act[s * KMAX + i], qui[...]: component i of the s-th seed used */
  double *act = malloc(sizeof(double) * RX_FIGURES_MAX_SEEDS * KMAX);
  double *qui = malloc(sizeof(double) * RX_FIGURES_MAX_SEEDS * KMAX);
  const rx_experiment *cond = v->conds[0];
  int used[RX_FIGURES_MAX_SEEDS], n_used = 0, k = KMAX, rc = 0;
  if (!act || !qui) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  for (int i = 0; i < c->n_seeds && !rc; i++) {
    const cJSON *j;
    char run[600], path[2600];
    int n = 0;
    fg_analysis_path(c, RX_RESULTS_PCA, v->file_prefix, c->seeds[i], "json", path, sizeof path);
    if ((rc = rxr_json(&c->rd, path, &j, err))) break;
    fg_run_name(c, cond, c->seeds[i], run, sizeof run);
    int found = pca_curves(j, path, run, act + (size_t)n_used * KMAX, qui + (size_t)n_used * KMAX,
                           KMAX, &n, err);
    if (found < 0)
      rc = found;
    else if (found) {
      used[n_used++] = c->seeds[i];
      if (n < k) k = n;
    }
  }
  if (!rc && !n_used) {
    char pat[200];
    file_pattern(c, v, RX_RESULTS_PCA, "json", pat, sizeof pat);
    rc = fg_skip(c, name, "no %s entry in %s for any seed (%s pca)", cond->name, pat, v->hint);
  } else if (!rc) {
    double am[KMAX], asd[KMAX], qm[KMAX], qsd[KMAX], col[RX_FIGURES_MAX_SEEDS];
    for (int i = 0; i < k; i++) {
      for (int s = 0; s < n_used; s++)
        col[s] = act[(size_t)s * KMAX + i];
      fg_mean_sd(col, n_used, &am[i], &asd[i]);
      for (int s = 0; s < n_used; s++)
        col[s] = qui[(size_t)s * KMAX + i];
      fg_mean_sd(col, n_used, &qm[i], &qsd[i]);
    }
    char seeds[400], title[700], head[200], pt[500];
    fg_seeds_text(used, n_used, seeds, sizeof seeds);
    fg_title_head(v, "1c", head, sizeof head);
    snprintf(title, sizeof title, "%s: hidden-state dimensionality, %s", head, cond->label);
    snprintf(pt, sizeof pt, "PCA of active and of quiescent states, %s", seeds);
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, 1, 1, title, 760, 480, err);
    if (!rc)
      rc = rx_fig_add_explained_variance(fig, pt, k, am, n_used > 1 ? asd : NULL, qm,
                                         n_used > 1 ? qsd : NULL, err);
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  free(act), free(qui);
  return rc;
}

/* ---- Fig. 1d/e, 2a/b: decoded trajectories, active and quiescent ---- */

static int fig_trajectories(fg_ctx *c, const fg_variant *v, const rx_experiment *cond,
                            const char *tag, const char *fig_label, const char *letters[2],
                            rx_error *err) {
  char name[128];
  fig_name(v, tag, name, sizeof name);
  const char *what[2] = {"active", "quiescent"};
  const rx_array *a[2];
  int seed, rc = fg_first_arrays(c, v, cond, RX_RESULTS_KL, what, 2, 3, 2, a, &seed, err);
  if (rc < 0) return rc;
  if (!rc) {
    char pat[200];
    file_pattern(c, v, RX_RESULTS_KL, "npz", pat, sizeof pat);
    return fg_skip(c, name,
                   "no %s.active / .quiescent decoded positions in %s for any seed (%s kl)",
                   cond->name, pat, v->hint);
  }
  char title[700], ptitle[2][200], head[200];
  fg_title_head(v, fig_label, head, sizeof head);
  snprintf(title, sizeof title, "%s: decoded trajectories, %s (%s), seed %d", head, cond->label,
           cond->desc, seed);
  const int n_show = 5;
  float *tm[2] = {NULL, NULL};
  rx_traj_spec p[2] = {{0}, {0}};
  rc = 0;
  for (int q = 0; q < 2 && !rc; q++) {
    int B = (int)a[q]->shape[0], T = (int)a[q]->shape[1];
    int keep = B < n_show ? B : n_show;
    if (!(tm[q] = fg_time_major(a[q]->data, B, T, 2, keep))) rc = RX_ENOMEM;
    snprintf(ptitle[q], sizeof ptitle[q], "%s  %s (%d trajectories, %d steps)", letters[q], what[q],
             keep, T);
    p[q].title = ptitle[q];
    p[q].x_label = "decoded x (m)";
    p[q].y_label = "decoded y (m)";
    p[q].x = tm[q];
    p[q].T = T, p[q].B = keep, p[q].dim = 2, p[q].n_show = keep;
    memcpy(p[q].box, c->box, sizeof p[q].box);
    p[q].arena = &c->arena;
    p[q].colour = q ? RX_COLOUR_QUIESCENT : RX_COLOUR_ACTIVE;
  }
  rx_fig *fig = NULL;
  if (rc) rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  if (!rc) rc = fg_fig_create(c, &fig, name, 2, 1, title, 560, 440, err);
  for (int q = 0; q < 2 && !rc; q++)
    rc = rx_fig_add_traj(fig, &p[q], err);
  rc = fg_fig_save(c, fig, name, rc, err);
  free(tm[0]), free(tm[1]);
  return rc;
}

/* ---- Fig. 1f/g: hidden states on the first two active PCs, coloured by distance ---- */

int fg_fig_pcs(fg_ctx *c, const fg_variant *v, const rx_experiment *cond, const char *tag,
               const char *fig_label, const char *letters, int cyclic, rx_error *err) {
  char name[128];
  fig_name(v, tag, name, sizeof name);
  const char *what[4] = {"active_pcs", "quiescent_pcs", "active_colour", "quiescent_colour"};
  const rx_array *a[4];
  int seed, rc = fg_first_arrays(c, v, cond, RX_RESULTS_PCA, what, 2, 3, 2, a, &seed, err);
  if (rc < 0) return rc;
  if (rc) {
    for (int q = 0; q < 2 && rc > 0; q++) {
      char run[600];
      const rx_npz *z;
      fg_run_name(c, cond, seed, run, sizeof run);
      if ((rc = fg_analysis_npz(c, RX_RESULTS_PCA, v->file_prefix, seed, &z, err))) return rc;
      rc = fg_array(c, z, RX_RESULTS_PCA, v->file_prefix, seed, run, what[2 + q], 2, 0, &a[2 + q],
                    err);
      if (rc < 0) return rc;
      if (rc && (a[2 + q]->shape[0] != a[q]->shape[0] || a[2 + q]->shape[1] != a[q]->shape[1])) {
        char path[2600];
        fg_analysis_path(c, RX_RESULTS_PCA, v->file_prefix, seed, "npz", path, sizeof path);
        return rx_fail(err, RX_EFORMAT, "%s: '%s.%s' does not match the shape of '%s.%s'", path,
                       run, what[2 + q], run, what[q]);
      }
    }
  }
  if (!rc) {
    char pat[200];
    file_pattern(c, v, RX_RESULTS_PCA, "npz", pat, sizeof pat);
    return fg_skip(c, name, "no %s PC projections with colours in %s for any seed (%s pca)",
                   cond->name, pat, v->hint);
  }
  size_t n[2];
  double *xy[2] = {NULL, NULL}, *col[2] = {NULL, NULL};
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY, cmax = 0;
  rc = 0;
  for (int q = 0; q < 2; q++) {
    n[q] = (size_t)a[q]->shape[0] * a[q]->shape[1];
    xy[q] = malloc(2 * n[q] * sizeof(double));
    col[q] = malloc(n[q] * sizeof(double));
    if (!xy[q] || !col[q]) {
      rc = RX_ENOMEM;
      continue;
    }
    const float *p = a[q]->data, *cv = a[2 + q]->data;
    for (size_t i = 0; i < n[q]; i++) {
      xy[q][2 * i] = p[2 * i], xy[q][2 * i + 1] = p[2 * i + 1], col[q][i] = cv[i];
      if (isfinite(cv[i])) cmax = fmax(cmax, cv[i]);
    }
    double lo, hi;
    fg_range(p, n[q], 2, 0, 0, &lo, &hi);
    x0 = fmin(x0, lo), x1 = fmax(x1, hi);
    fg_range(p, n[q], 2, 1, 0, &lo, &hi);
    y0 = fmin(y0, lo), y1 = fmax(y1, hi);
  }
  if (rc) {
    rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  } else {
    char title[700], head[200];
    fg_title_head(v, fig_label, head, sizeof head);
    snprintf(title, sizeof title,
             "%s: hidden states on the first two active-state PCs, %s (%s), seed %d", head,
             cond->label, cond->desc, seed);
    double mx = 0.05 * (x1 - x0), my = 0.05 * (y1 - y0);
    rx_scatter_spec p[2] = {{0}, {0}};
    char pt[2][64];
    for (int q = 0; q < 2; q++) {
      snprintf(pt[q], sizeof pt[q], "%c  %s", letters[q], q ? "quiescent" : "active");
      p[q].title = pt[q];
      p[q].x_label = "PC1 of active states (a.u.)";
      p[q].y_label = "PC2 (a.u.)";
      p[q].c_label = cyclic ? "decoded heading (rad)" : "decoded distance from centre (m)";
      p[q].xy = xy[q], p[q].stride = 2, p[q].c = col[q], p[q].n = n[q];
      p[q].cyclic = cyclic;
      p[q].equal_aspect = 1;
      if (!cyclic) p[q].c_min = 0, p[q].c_max = cmax > 0 ? cmax : 1;
      p[q].x_min = x0 - mx, p[q].x_max = x1 + mx, p[q].y_min = y0 - my, p[q].y_max = y1 + my;
    }
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, 2, 1, title, 560, 440, err);
    for (int q = 0; q < 2 && !rc; q++)
      rc = rx_fig_add_scatter(fig, &p[q], err);
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  for (int q = 0; q < 2; q++)
    free(xy[q]), free(col[q]);
  return rc;
}

/* ---- Fig. 1h-k, 2c/d: KDEs in output and PC space ---- */

/* Adds a KDE image of xy (n, 2) over [x0,x1]x[y0,y1]; 1 (cell left empty, note logged) when no
 * KDE can be fitted. */
static int add_density(fg_ctx *c, rx_fig *fig, const char *name, const float *xy, size_t n,
                       double x0, double x1, double y0, double y1, const double *box,
                       const char *title, const char *xl, const char *yl, const char *zl,
                       rx_error *err) {
  enum { NG = 100 };
  double *z = malloc((size_t)NG * NG * sizeof *z);
  if (!z) return rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
  char why[1100];
  int rc =
      fg_kde_grid(xy, n, x0, x1, y0, y1, NG, NG, box ? &c->arena : NULL, z, title, why, sizeof why);
  if (rc < 0) {
    free(z);
    return rx_fail(err, rc, "out of memory drawing %s", name);
  }
  if (rc == 1) {
    free(z);
    fg_log(c, "%s: panel '%s' left empty: %s", name, title, why);
    rc = rx_fig_skip(fig, err);
    return rc ? rc : 1;
  }
  rx_image_spec s = {0};
  s.title = title, s.x_label = xl, s.y_label = yl, s.z_label = zl;
  s.z = z, s.nx = NG, s.ny = NG;
  s.x_min = x0, s.x_max = x1, s.y_min = y0, s.y_max = y1;
  s.z_min = 0;
  for (size_t i = 0; i < (size_t)NG * NG; i++)
    s.z_max = fmax(s.z_max, z[i]);
  if (!(s.z_max > 0)) s.z_min = s.z_max = 0;
  if (box) memcpy(s.box, box, sizeof s.box), s.equal_aspect = 1, s.arena = &c->arena;
  rc = rx_fig_add_image(fig, &s, err);
  free(z);
  return rc;
}

static int fig_densities(fg_ctx *c, const fg_variant *v, const rx_experiment *cond, int with_pcs,
                         const char *tag, const char *fig_label, const char *letters,
                         rx_error *err) {
  char name[128];
  fig_name(v, tag, name, sizeof name);
  const char *wo[2] = {"active", "quiescent"}, *wp[2] = {"active_pcs", "quiescent_pcs"};
  const rx_array *ao[2], *ap[2];
  int so = -1, sp = -1;
  int rc_o = fg_first_arrays(c, v, cond, RX_RESULTS_KL, wo, 2, 3, 2, ao, &so, err);
  if (rc_o < 0) return rc_o;
  int rc_p = with_pcs ? fg_first_arrays(c, v, cond, RX_RESULTS_PCA, wp, 2, 3, 2, ap, &sp, err) : 0;
  if (rc_p < 0) return rc_p;
  if (!rc_o && !rc_p) {
    char p1[200], p2[200];
    file_pattern(c, v, RX_RESULTS_KL, "npz", p1, sizeof p1);
    file_pattern(c, v, RX_RESULTS_PCA, "npz", p2, sizeof p2);
    return fg_skip(c, name, "no %s decoded positions (%s)%s%s for any seed (%s)", cond->name, p1,
                   with_pcs ? " or PC projections " : "", with_pcs ? p2 : "", v->hint);
  }
  const int rows = rc_o + rc_p;
  char title[700], seeds[120] = "";
  if (rc_o && rc_p && so != sp)
    snprintf(seeds, sizeof seeds, "seeds %d (outputs), %d (PCs)", so, sp);
  else
    snprintf(seeds, sizeof seeds, "seed %d", rc_o ? so : sp);
  char head[200];
  fg_title_head(v, fig_label, head, sizeof head);
  snprintf(title, sizeof title, "%s: Gaussian KDEs, active vs quiescent, %s (%s), %s", head,
           cond->label, cond->desc, seeds);
  rx_fig *fig = NULL;
  int rc = fg_fig_create(c, &fig, name, 2, rows, title, 560, 440, err), drawn = 0, li = 0;
  for (int q = 0; q < 2 && !rc && rc_o; q++) {
    char t[200];
    size_t n = (size_t)ao[q]->shape[0] * ao[q]->shape[1];
    snprintf(t, sizeof t, "%c  %s: decoded positions", letters[li++], wo[q]);
    rc = add_density(c, fig, name, ao[q]->data, n, c->box[0], c->box[1], c->box[2], c->box[3],
                     c->box, t, "decoded x (m)", "decoded y (m)", "density (1/m²)", err);
    if (rc == 0) drawn++;
    if (rc == 1) rc = 0;
  }
  if (rc_p && !rc) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY, lo, hi;
    for (int q = 0; q < 2; q++) {
      size_t n = (size_t)ap[q]->shape[0] * ap[q]->shape[1];
      fg_range(ap[q]->data, n, 2, 0, 0.08, &lo, &hi);
      x0 = fmin(x0, lo), x1 = fmax(x1, hi);
      fg_range(ap[q]->data, n, 2, 1, 0.08, &lo, &hi);
      y0 = fmin(y0, lo), y1 = fmax(y1, hi);
    }
    for (int q = 0; q < 2 && !rc; q++) {
      char t[200];
      size_t n = (size_t)ap[q]->shape[0] * ap[q]->shape[1];
      snprintf(t, sizeof t, "%c  %s: hidden states, PC1-PC2", letters[li++], wo[q]);
      rc = add_density(c, fig, name, ap[q]->data, n, x0, x1, y0, y1, NULL, t,
                       "PC1 of active states (a.u.)", "PC2 (a.u.)", "density (a.u.)", err);
      if (rc == 0) drawn++;
      if (rc == 1) rc = 0;
    }
  }
  if (!rc && !drawn) {
    rx_fig_free(fig);
    return fg_skip(c, name, "no KDE could be fitted (see the notes above)");
  }
  return fg_fig_save(c, fig, name, rc, err);
}

/* ---- Fig. 2e: the KL matrix, mean over seeds ---- */

static int fig_kl_matrix(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fig_name(v, "2e_kl_matrix", name, sizeof name);
  /* rows: active targets = the conditions; columns: quiescent sources = the unbiased
   * conditions, uniform, the biased conditions, the random network (docs/science.md §7) */
  const int nr = v->n_conds, nc = v->n_conds + 2;
  const char *row_labels[8], *col_labels[8];
  int col_cond[8]; /* condition index, -1 uniform, -2 random */
  for (int i = 0; i < nr; i++)
    row_labels[i] = v->conds[i]->label;
  int k = 0;
  for (int i = 0; i < v->biased; i++)
    col_cond[k] = i, col_labels[k++] = v->conds[i]->label;
  col_cond[k] = -1, col_labels[k++] = RX_RESULTS_UNIFORM;
  for (int i = v->biased; i < v->n_conds; i++)
    col_cond[k] = i, col_labels[k++] = v->conds[i]->label;
  col_cond[k] = -2, col_labels[k++] = "R-σ";
  double sum[8][8] = {{0}}, sum2[8][8] = {{0}};
  int cnt[8][8] = {{0}}, used[RX_FIGURES_MAX_SEEDS], n_used = 0;
  for (int s = 0; s < c->n_seeds; s++) {
    const cJSON *j;
    char path[2600];
    fg_analysis_path(c, RX_RESULTS_KL, v->file_prefix, c->seeds[s], "json", path, sizeof path);
    int rc = rxr_json(&c->rd, path, &j, err), any = 0;
    if (rc) return rc;
    if (!j) continue;
    for (int r = 0; r < nr; r++)
      for (int q = 0; q < nc; q++) {
        char src[600], tgt[600];
        fg_run_name(c, v->conds[r], c->seeds[s], tgt, sizeof tgt);
        if (col_cond[q] >= 0)
          fg_run_name(c, v->conds[col_cond[q]], c->seeds[s], src, sizeof src);
        else
          snprintf(src, sizeof src, "%s",
                   col_cond[q] == -1 ? RX_RESULTS_UNIFORM : RX_RESULTS_RANDOM);
        double x;
        rc = fg_json_number(j, path, src, tgt, &x, err);
        if (rc < 0) return rc;
        if (rc && isfinite(x)) sum[r][q] += x, sum2[r][q] += x * x, cnt[r][q]++, any = 1;
      }
    if (any) used[n_used++] = c->seeds[s];
  }
  if (!n_used) {
    char pat[200];
    file_pattern(c, v, RX_RESULTS_KL, "json", pat, sizeof pat);
    return fg_skip(c, name, "no KL values in %s for any seed (%s kl)", pat, v->hint);
  }
  double mean[64], sd[64];
  int multi = 0;
  for (int r = 0; r < nr; r++)
    for (int q = 0; q < nc; q++) {
      int n = cnt[r][q];
      mean[r * nc + q] = n ? sum[r][q] / n : NAN;
      double var = n ? sum2[r][q] / n - mean[r * nc + q] * mean[r * nc + q] : NAN;
      sd[r * nc + q] = n > 1 ? sqrt(fmax(var, 0)) : NAN;
      multi |= n > 1;
    }
  char seeds[400], title[700], head[200];
  fg_seeds_text(used, n_used, seeds, sizeof seeds);
  fg_title_head(v, "2e", head, sizeof head);
  snprintf(title, sizeof title, "%s: distribution match, KL(quiescent ‖ active) in nats, %s", head,
           seeds);
  rx_matrix_spec p[2] = {{0}, {0}};
  p[0].title =
      n_used > 1 ? "e  KL(quiescent ‖ active), mean over seeds" : "e  KL(quiescent ‖ active)";
  p[0].x_label = "quiescent source";
  p[0].y_label = "active target";
  p[0].z_label = "KL (nats)";
  p[0].v = mean, p[0].n_rows = nr, p[0].n_cols = nc;
  p[0].row_labels = row_labels, p[0].col_labels = col_labels;
  p[0].format = "%.2f";
  p[0].z_min = 0;
  for (int i = 0; i < nr * nc; i++)
    if (isfinite(mean[i])) p[0].z_max = fmax(p[0].z_max, mean[i]);
  if (!(p[0].z_max > 0)) p[0].z_min = p[0].z_max = 0;
  p[1] = p[0];
  p[1].title = "s.d. over seeds";
  p[1].z_label = "s.d. of KL (nats)";
  p[1].v = sd;
  p[1].z_min = p[1].z_max = 0;
  rx_fig *fig = NULL;
  int rc = fg_fig_create(c, &fig, name, multi ? 2 : 1, 1, title, multi ? 560 : 640, 440, err);
  for (int i = 0; i < (multi ? 2 : 1) && !rc; i++)
    rc = rx_fig_add_matrix(fig, &p[i], err);
  return fg_fig_save(c, fig, name, rc, err);
}

/* ---- box plots of per-trajectory values pooled over seeds (Fig. 2f, C.4) ---- */

typedef struct pooled {
  double *v;
  size_t n;
  unsigned char used[RX_FIGURES_MAX_SEEDS]; /* used[k]: c->seeds[k] contributed */
} pooled;

/* Pools <run>.<what> (B,) of an analysis npz over the seeds. */
static int pool(fg_ctx *c, const fg_variant *v, const rx_experiment *cond, int analysis,
                const char *what, pooled *out, rx_error *err) {
  memset(out, 0, sizeof *out);
  for (int k = 0; k < c->n_seeds; k++) {
    const rx_npz *z;
    const rx_array *a;
    char run[600];
    int rc = fg_analysis_npz(c, analysis, v->file_prefix, c->seeds[k], &z, err);
    if (rc) return rc;
    fg_run_name(c, cond, c->seeds[k], run, sizeof run);
    rc = fg_array(c, z, analysis, v->file_prefix, c->seeds[k], run, what, 1, 0, &a, err);
    if (rc < 0) return rc;
    if (!rc) continue;
    double *nv = realloc(out->v, (out->n + a->size) * sizeof *nv);
    if (!nv) return rx_fail(err, RX_ENOMEM, "out of memory");
    out->v = nv;
    const float *f = a->data;
    for (size_t i = 0; i < a->size; i++)
      out->v[out->n++] = f[i];
    out->used[k] = 1;
  }
  return 0;
}

/* Whether every group has a positive value, so a log axis shows them all. */
static int all_positive(const rx_value_set *g, int n) {
  for (int i = 0; i < n; i++) {
    int any = 0;
    for (size_t k = 0; k < g[i].n && !any; k++)
      any = g[i].v[k] > 0 && isfinite(g[i].v[k]);
    if (!any) return 0;
  }
  return n > 0;
}

static int fig_variance(fg_ctx *c, const fg_variant *v, rx_error *err) {
  char name[128];
  fig_name(v, "2f_variance", name, sizeof name);
  pooled p[4] = {{0}};
  rx_value_set g[4];
  char labels[4][120];
  int ng = 0, rc = 0;
  unsigned char used[RX_FIGURES_MAX_SEEDS] = {0};
  for (int i = 0; i < v->n_conds && !rc; i++) {
    if ((rc = pool(c, v, v->conds[i], RX_RESULTS_VARIANCE, "quiescent", &p[i], err))) break;
    if (!p[i].n) continue;
    snprintf(labels[i], sizeof labels[i], "%s\n%s", v->conds[i]->label, v->conds[i]->desc);
    g[ng++] = (rx_value_set){labels[i], p[i].v, p[i].n, RX_COLOUR_QUIESCENT};
    for (int k = 0; k < c->n_seeds; k++)
      used[k] |= p[i].used[k];
  }
  if (!rc && !ng) {
    char pat[200];
    file_pattern(c, v, RX_RESULTS_VARIANCE, "npz", pat, sizeof pat);
    rc = fg_skip(c, name, "no per-trajectory quiescent variances in %s for any seed (%s variance)",
                 pat, v->hint);
  } else if (!rc) {
    char title[700], head[200], pt[500], seeds[400];
    fg_title_head(v, "2f", head, sizeof head);
    fg_pooled_text(c, used, seeds, sizeof seeds);
    snprintf(title, sizeof title, "%s: exploration during quiescence", head);
    snprintf(pt, sizeof pt, "f  total variance per quiescent trajectory, %s", seeds);
    rx_box_spec s = {0};
    s.title = pt;
    s.y_label = "total variance of decoded position (m²)";
    s.groups = g, s.n_groups = ng;
    s.log_y = all_positive(g, ng);
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, 1, 1, title, ng > 2 ? 180 + 150 * ng : 640, 480, err);
    if (!rc) rc = rx_fig_add_box(fig, &s, err);
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  for (int i = 0; i < 4; i++)
    free(p[i].v);
  return rc;
}

int fg_spatial_figures(fg_ctx *c, const fg_variant *v, rx_error *err) {
  int rc = 0;
  const char *de[2] = {"d", "e"}, *ab[2] = {"a", "b"};
  if (v->learning_curves) rc = fig_learning_curves(c, v, err);
  if (!rc) rc = fig_explained_variance(c, v, err);
  if (!rc) rc = fig_trajectories(c, v, v->conds[0], "1de_trajectories", "1d/e", de, err);
  if (!rc) rc = fg_fig_pcs(c, v, v->conds[0], "1fg_pcs", "1f/g", "fg", 0, err);
  if (!rc) rc = fig_densities(c, v, v->conds[0], 1, "1hk_densities", "1h-k", "hijk", err);
  if (!rc) rc = fig_trajectories(c, v, v->conds[v->biased], "2ab_positions", "2a/b", ab, err);
  if (!rc) rc = fig_densities(c, v, v->conds[v->biased], 0, "2cd_densities", "2c/d", "cd", err);
  if (!rc) rc = fig_kl_matrix(c, v, err);
  if (!rc) rc = fig_variance(c, v, err);
  return rc;
}

/* ---- C.3: example quiescent trajectories ---- */

/* C.3 and C.4 compare the vanilla runs: vanilla(2 r + k) is the unbiased (r = 0) or biased (r = 1)
 * network, noisy-trained (k = 0) or noiseless-trained (k = 1). */
static const rx_experiment *vanilla(int i) { return rx_experiment_get(RX_TASK_SPATIAL, i); }
static const fg_variant c_main = {
    "fig", RX_RESULTS_MAIN, NULL, "", "reactivate analyze all", 0, 0, {0}, 0, 0};

/* "distance_<noise>_<seed>.npz" of seed (seed < 0: "<seed>"), for messages. */
static void distance_file(const fg_ctx *c, int seed, char *buf, size_t n) {
  char stem[400];
  if (seed < 0) {
    rx_results_analysis_pattern(RX_RESULTS_DISTANCE, RX_RESULTS_MAIN, c->set.noise, "npz", buf, n);
    return;
  }
  rx_results_analysis_stem(RX_RESULTS_DISTANCE, RX_RESULTS_MAIN, c->set.noise, seed, stem,
                           sizeof stem);
  snprintf(buf, n, "%s.npz", stem);
}

int fg_supplement_c3(fg_ctx *c, rx_error *err) {
  const char *name = "figC3_example_trajectories";
  /* per row (unbiased, biased): noisy/noisy, noiseless/noiseless, noiseless/noisy */
  static const struct {
    int cond;
    const char *what, *title;
  } cols[3] = {{0, "quiescent_trajectories", "noisy-trained, noisy offline"},
               {1, "quiescent_trajectories", "noiseless-trained, noiseless offline"},
               {1, "quiescent_noisy_trajectories", "noiseless-trained, noisy offline"}};
  /* the seed with the most of the six panels */
  const rx_array *a[2][3] = {{NULL}};
  int seed = -1, best = 0;
  for (int k = 0; k < c->n_seeds && best < 6; k++) {
    const rx_npz *z;
    const rx_array *t[2][3] = {{NULL}};
    int rc = fg_analysis_npz(c, RX_RESULTS_DISTANCE, RX_RESULTS_MAIN, c->seeds[k], &z, err), n = 0;
    if (rc) return rc;
    if (!z) continue;
    for (int r = 0; r < 2; r++)
      for (int q = 0; q < 3; q++) {
        char run[600];
        fg_run_name(c, vanilla(2 * r + cols[q].cond), c->seeds[k], run, sizeof run);
        rc = fg_array(c, z, RX_RESULTS_DISTANCE, RX_RESULTS_MAIN, c->seeds[k], run, cols[q].what, 3,
                      2, &t[r][q], err);
        if (rc < 0) return rc;
        n += rc;
      }
    if (n > best) best = n, seed = c->seeds[k], memcpy(a, t, sizeof a);
  }
  char file[500];
  if (seed < 0) {
    distance_file(c, -1, file, sizeof file);
    return fg_skip(c, name,
                   "no example quiescent trajectories in %s for any seed (reactivate analyze "
                   "distance)",
                   file);
  }
  distance_file(c, seed, file, sizeof file);
  /* rows and columns that have any panel; a missing panel among them is an empty cell */
  int have_row[2] = {0, 0}, have_col[3] = {0, 0, 0}, n_rows = 0, n_cols = 0, T_show = 0;
  for (int r = 0; r < 2; r++)
    for (int q = 0; q < 3; q++)
      if (a[r][q]) {
        have_row[r] = have_col[q] = 1;
        if ((int)a[r][q]->shape[1] > T_show) T_show = (int)a[r][q]->shape[1];
      }
  for (int r = 0; r < 2; r++)
    n_rows += have_row[r];
  for (int q = 0; q < 3; q++) {
    n_cols += have_col[q];
    if (!have_col[q]) {
      char run[600];
      fg_run_name(c, vanilla(cols[q].cond), seed, run, sizeof run);
      fg_log(c, "%s: no '%s' panels (no %s.%s in %s)", name, cols[q].title, run, cols[q].what,
             file);
    }
  }
  char title[700];
  snprintf(title, sizeof title, "Fig. C.3: example quiescent trajectories (%d steps), seed %d",
           T_show, seed);
  rx_fig *fig = NULL;
  int rc = fg_fig_create(c, &fig, name, n_cols, n_rows, title, 560, 440, err);
  for (int r = 0; r < 2 && !rc; r++) {
    if (!have_row[r]) continue;
    for (int q = 0; q < 3 && !rc; q++) {
      if (!have_col[q]) continue;
      const rx_experiment *cd = vanilla(2 * r + cols[q].cond);
      if (!a[r][q]) {
        char run[600];
        fg_run_name(c, cd, seed, run, sizeof run);
        fg_log(c, "%s: panel '%s: %s' left empty: no %s.%s in %s", name, cd->label, cols[q].title,
               run, cols[q].what, file);
        rc = rx_fig_skip(fig, err);
        continue;
      }
      int B = (int)a[r][q]->shape[0], T = (int)a[r][q]->shape[1], keep = B < 5 ? B : 5;
      float *tm = fg_time_major(a[r][q]->data, B, T, 2, keep);
      if (!tm) {
        rc = rx_fail(err, RX_ENOMEM, "out of memory drawing %s", name);
        break;
      }
      char t[200];
      snprintf(t, sizeof t, "%s: %s", cd->label, cols[q].title);
      rx_traj_spec ts = {0};
      ts.title = t;
      ts.x_label = "decoded x (m)";
      ts.y_label = "decoded y (m)";
      ts.x = tm, ts.T = T, ts.B = keep, ts.dim = 2, ts.n_show = keep;
      memcpy(ts.box, c->box, sizeof ts.box);
      ts.arena = &c->arena;
      ts.colour = RX_COLOUR_QUIESCENT;
      rc = rx_fig_add_traj(fig, &ts, err);
      free(tm);
    }
  }
  return fg_fig_save(c, fig, name, rc, err);
}

/* ---- C.4: step-wise distance ---- */

int fg_supplement_c4(fg_ctx *c, rx_error *err) {
  const char *name = "figC4_step_distance";
  static const struct {
    int cond; /* 0 noisy-trained, 1 noiseless-trained */
    const char *what, *label;
    rx_colour colour;
  } groups[5] = {{0, "active", "NT\nactive", RX_COLOUR_ACTIVE},
                 {0, "quiescent", "NT\nquiescent", RX_COLOUR_QUIESCENT},
                 {1, "active", "DT\nactive", RX_COLOUR_ACTIVE},
                 {1, "quiescent", "DT\nquiescent", RX_COLOUR_QUIESCENT},
                 {1, "quiescent_noisy", "DT noisy\nquiescent", RX_COLOUR_QUIESCENT}};
  pooled p[2][5];
  memset(p, 0, sizeof p);
  rx_value_set g[2][5];
  int ng[2] = {0, 0}, rc = 0;
  unsigned char used[RX_FIGURES_MAX_SEEDS] = {0};
  for (int r = 0; r < 2 && !rc; r++)
    for (int k = 0; k < 5 && !rc; k++) {
      rc = pool(c, &c_main, vanilla(2 * r + groups[k].cond), RX_RESULTS_DISTANCE, groups[k].what,
                &p[r][k], err);
      if (rc || !p[r][k].n) continue;
      g[r][ng[r]++] = (rx_value_set){groups[k].label, p[r][k].v, p[r][k].n, groups[k].colour};
      for (int s = 0; s < c->n_seeds; s++)
        used[s] |= p[r][k].used[s];
    }
  if (!rc && !ng[0] && !ng[1]) {
    char file[500];
    distance_file(c, -1, file, sizeof file);
    rc = fg_skip(c, name,
                 "no per-trajectory step-wise distances in %s for any seed (reactivate analyze "
                 "distance)",
                 file);
  } else if (!rc) {
    char title[700], seeds[400];
    fg_pooled_text(c, used, seeds, sizeof seeds);
    snprintf(title, sizeof title,
             "Fig. C.4: smoothness, mean step-wise distance per trajectory (%s); NT: "
             "noisy-trained, DT: noiseless-trained",
             seeds);
    rx_fig *fig = NULL;
    rc = fg_fig_create(c, &fig, name, (ng[0] > 0) + (ng[1] > 0), 1, title, 640, 480, err);
    /* one y range for both panels, so unbiased and biased compare */
    const int log_y =
        (!ng[0] || all_positive(g[0], ng[0])) && (!ng[1] || all_positive(g[1], ng[1]));
    double lo = INFINITY, hi = -INFINITY;
    for (int r = 0; r < 2; r++)
      for (int k = 0; k < ng[r]; k++)
        for (size_t i = 0; i < g[r][k].n; i++) {
          double x = g[r][k].v[i];
          if (!isfinite(x) || (log_y && x <= 0)) continue;
          lo = fmin(lo, x), hi = fmax(hi, x);
        }
    for (int r = 0; r < 2 && !rc; r++) {
      if (!ng[r]) continue;
      rx_box_spec s = {0};
      char pt[200];
      snprintf(pt, sizeof pt, "%s (NT = %s, DT = %s)", r ? "biased" : "unbiased",
               vanilla(2 * r)->label, vanilla(2 * r + 1)->label);
      s.title = pt;
      s.y_label = "step-wise distance (m per step)";
      s.groups = g[r], s.n_groups = ng[r];
      s.log_y = log_y;
      if (hi > lo) {
        /* whole decades on a log axis, so each end is labelled */
        s.y_min = log_y ? pow(10, floor(log10(lo))) : fmin(0, lo);
        s.y_max = log_y ? pow(10, ceil(log10(hi))) : hi + 0.05 * (hi - s.y_min);
      }
      rc = rx_fig_add_box(fig, &s, err);
    }
    rc = fg_fig_save(c, fig, name, rc, err);
  }
  for (int r = 0; r < 2; r++)
    for (int k = 0; k < 5; k++)
      free(p[r][k].v);
  return rc;
}

int fg_arena_figure(fg_ctx *c, rx_error *err) {
  if (!c->have_task || c->arena.kind == RX_ARENA_BOX) return 0; /* the box: Fig. 1d shows it */
  enum { N_SHOW = 5 };
  const char *name = "fig_arena";
  rx_task_spec ts = c->task;
  ts.batch_size = N_SHOW;
  if (ts.seq_len < 400) ts.seq_len = 400; /* 8 s at the paper's dt: long enough to meet walls */
  rx_batch b = {0};
  int rc = rx_task_open(&ts, err); /* recorded trajectories: as long as they are */
  if (!rc && ts.traj && ts.seq_len > ts.traj->T) ts.seq_len = ts.traj->T;
  if (!rc) rc = rx_batch_alloc(&b, &ts, err);
  if (!rc) rc = rx_task_generate(&ts, (uint32_t)c->task_seed, RX_STREAM_TEST_TASK, 0, &b, err);
  rx_task_close(&ts);
  char title[300], ptitle[300];
  const int nw = c->arena.n_walls - c->arena.n_boundary;
  char walls[40] = "no walls inside";
  if (nw) snprintf(walls, sizeof walls, "%d wall%s inside (dark)", nw, nw == 1 ? "" : "s");
  snprintf(title, sizeof title, "The arena: %s, %s", rx_arena_name(c->arena.kind), walls);
  snprintf(ptitle, sizeof ptitle, "%d trajectories of the task (seed %d, %d steps of %g s)", N_SHOW,
           c->task_seed, ts.seq_len, ts.dt);
  rx_traj_spec p = {0};
  p.title = ptitle;
  p.x_label = "x (m)";
  p.y_label = "y (m)";
  p.x = b.targets;
  p.T = b.T, p.B = b.B, p.dim = 2, p.n_show = b.B;
  p.arena = &c->arena;
  rx_fig *fig = NULL;
  if (!rc) rc = fg_fig_create(c, &fig, name, 1, 1, title, 560, 520, err);
  if (!rc) rc = rx_fig_add_traj(fig, &p, err);
  rc = fg_fig_save(c, fig, name, rc, err);
  rx_batch_free(&b);
  return rc;
}
