/* Result files for the figures, through the shared results reader (src/results): run and
 * analysis file names (docs/science.md §8) of the figures' set, typed look-ups of arrays and
 * numbers, and the little arithmetic the figures need (means over seeds, KDE grids). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"
#include "reactivate/analysis.h"

void fg_variant_conds(fg_variant *v, rx_task_kind task) {
  v->n_conds = 0;
  v->biased = -1;
  for (int i = 0; i < rx_experiment_count(task); i++) {
    const rx_experiment *e = rx_experiment_get(task, i);
    if (e->gru != v->gru) continue;
    if (e->biased && v->biased < 0) v->biased = v->n_conds;
    v->conds[v->n_conds++] = e;
  }
}

void fg_run_name(const fg_ctx *c, const rx_experiment *cond, int seed, char *buf, size_t n) {
  rx_results_experiment_run(&c->set, cond, seed, buf, n);
}

void fg_analysis_path(const fg_ctx *c, int analysis, const char *file_prefix, int seed,
                      const char *ext, char *buf, size_t n) {
  rx_results_analysis_path(&c->set, analysis, file_prefix, seed, ext, buf, n);
}

int fg_analysis_json(fg_ctx *c, int analysis, const char *file_prefix, int seed, const cJSON **out,
                     rx_error *err) {
  return rxr_analysis_json(&c->rd, &c->set, analysis, file_prefix, seed, out, err);
}

int fg_analysis_npz(fg_ctx *c, int analysis, const char *file_prefix, int seed, const rx_npz **out,
                    rx_error *err) {
  return rxr_analysis_npz(&c->rd, &c->set, analysis, file_prefix, seed, out, err);
}

int fg_array(const fg_ctx *c, const rx_npz *z, int analysis, const char *file_prefix, int seed,
             const char *run, const char *what, int ndim, int last_dim, const rx_array **out,
             rx_error *err) {
  *out = NULL;
  if (!z) return 0;
  char name[400];
  snprintf(name, sizeof name, "%s.%s", run, what);
  const rx_array *a = rx_npz_get(z, name);
  if (!a) return 0;
  char path[2600];
  fg_analysis_path(c, analysis, file_prefix, seed, "npz", path, sizeof path);
  int64_t shape[RX_MAX_DIMS];
  for (int i = 0; i < RX_MAX_DIMS; i++)
    shape[i] = -1;
  if (last_dim > 0) shape[ndim - 1] = last_dim;
  int rc = rx_npz_expect(z, path, name, RX_F32, ndim, shape, out, err);
  if (rc) return rc;
  for (int i = 0; i < ndim; i++)
    if (a->shape[i] < 1)
      return rx_fail(err, RX_EFORMAT, "%s: array '%s' is empty (dimension %d has size %lld)", path,
                     name, i, (long long)a->shape[i]);
  return 1;
}

int fg_json_number(const cJSON *root, const char *path, const char *key, const char *key2,
                   double *v, rx_error *err) {
  if (!root) return 0;
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, key);
  if (!o) return 0;
  if (key2) {
    if (!cJSON_IsObject(o))
      return rx_fail(err, RX_EFORMAT, "%s: '%s' should be an object", path, key);
    o = cJSON_GetObjectItemCaseSensitive(o, key2);
    if (!o) return 0;
  }
  if (cJSON_IsNull(o)) { /* cJSON writes NaN and Inf as null */
    *v = NAN;
    return 1;
  }
  if (!cJSON_IsNumber(o))
    return rx_fail(err, RX_EFORMAT, "%s: '%s%s%s' should be a number", path, key, key2 ? "." : "",
                   key2 ? key2 : "");
  *v = o->valuedouble;
  return 1;
}

/* ---- numbers ---- */

void fg_mean_sd(const double *v, int n, double *mean, double *sd) {
  double m = 0, s = 0;
  for (int i = 0; i < n; i++)
    m += v[i];
  m = n > 0 ? m / n : NAN;
  for (int i = 0; i < n; i++)
    s += (v[i] - m) * (v[i] - m);
  *mean = m;
  *sd = n > 1 ? sqrt(s / n) : 0;
}

float *fg_time_major(const float *x, int B, int T, int d, int n_keep) {
  if (n_keep > B) n_keep = B;
  float *y = malloc((size_t)T * n_keep * d * sizeof *y + 1);
  if (!y) return NULL;
  for (int b = 0; b < n_keep; b++)
    for (int t = 0; t < T; t++)
      memcpy(y + ((size_t)t * n_keep + b) * d, x + ((size_t)b * T + t) * d, (size_t)d * sizeof *y);
  return y;
}

void fg_range(const float *x, size_t n, int stride, int col, double frac, double *lo, double *hi) {
  double a = INFINITY, b = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    double v = x[i * (size_t)stride + col];
    if (isfinite(v)) a = fmin(a, v), b = fmax(b, v);
  }
  if (!(a <= b)) a = 0, b = 1;
  double w = b - a > 0 ? b - a : (fabs(a) > 0 ? fabs(a) : 1);
  *lo = a - frac * w;
  *hi = b + frac * w;
}

int fg_kde_grid(const float *xy, size_t n, double x0, double x1, double y0, double y1, int nx,
                int ny, const rx_arena *arena, double *z, const char *what, char *why,
                size_t why_n) {
  size_t m = n < FG_KDE_POINTS ? n : FG_KDE_POINTS, k = 0;
  double *pts = malloc((m ? m : 1) * 2 * sizeof *pts);
  double *grid = malloc((size_t)nx * ny * 2 * sizeof *grid);
  if (!pts || !grid) {
    free(pts), free(grid);
    return RX_ENOMEM;
  }
  for (size_t i = 0; i < m; i++) {
    size_t j = (size_t)((double)i * (double)n / (double)m);
    if (isfinite(xy[2 * j]) && isfinite(xy[2 * j + 1])) {
      pts[2 * k] = xy[2 * j];
      pts[2 * k + 1] = xy[2 * j + 1];
      k++;
    }
  }
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      grid[2 * ((size_t)j * nx + i)] = x0 + (i + 0.5) * (x1 - x0) / nx;
      grid[2 * ((size_t)j * nx + i) + 1] = y0 + (j + 0.5) * (y1 - y0) / ny;
    }
  rx_density *q = NULL;
  rx_error e = {{0}};
  int rc = rx_density_kde(&q, pts, k, 2, what, &e);
  if (rc == RX_ENOMEM) {
    free(pts), free(grid);
    return rc;
  }
  if (rc) {
    snprintf(why, why_n, "%s", e.msg);
    free(pts), free(grid);
    return 1;
  }
  if (!arena || arena->kind == RX_ARENA_BOX) { /* the box's figures as they were */
    rx_density_eval(q, grid, (size_t)nx * ny, z);
    rx_density_free(q);
    free(pts), free(grid);
    return 0;
  }
  free(pts), free(grid);
  const double lo[2] = {x0, y0}, hi[2] = {x1, y1};
  unsigned char *in = malloc((size_t)nx * ny);
  if (!in) {
    rx_density_free(q);
    return RX_ENOMEM;
  }
  rx_arena_grid_mask(arena, lo, hi, nx, ny, in);
  rc = rx_density_grid(q, lo, hi, nx, ny, in, z, NULL, &e);
  rx_density_free(q);
  free(in);
  if (rc == RX_ENOMEM) return rc;
  if (rc) {
    snprintf(why, why_n, "%s", e.msg);
    return 1;
  }
  return 0;
}
