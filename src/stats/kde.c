/* Building a Gaussian KDE with scipy.stats.gaussian_kde's semantics (covariance with ddof 1,
 * Scott's factor n^(-1/(d+4)), kernel covariance = covariance x factor^2), whitened and sorted
 * into a grid of cells for exact, pruned evaluation (kde_eval.c). Sampling is in density.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_internal.h"

/* Side of a grid cell in whitened units (a kernel is exp(-|u|^2) there, so 1.5 is about two
 * kernel standard deviations), and the most cells along an axis (outliers widen the cells). */
#define RX_KDE_CELL 1.5
#define RX_KDE_MAX_CELLS_PER_AXIS 64
/* Padding points sit this far away: their kernel is exp(-1e300) = 0 exactly. */
#define RX_KDE_PAD 1e150

static void *alloc_aligned(size_t n_doubles) {
  void *p = NULL;
  if (posix_memalign(&p, 64, (n_doubles ? n_doubles : 1) * sizeof(double))) return NULL;
  return p;
}

/* Lower Cholesky factor of the d x d matrix a; -1 when a pivot is not clearly positive, i.e.
 * the covariance is singular to working precision (collinear or identical points). */
static int cholesky(int d, double a[RXST_DENSITY_MAX_D][RXST_DENSITY_MAX_D],
                    double l[RXST_DENSITY_MAX_D][RXST_DENSITY_MAX_D]) {
  memset(l, 0, sizeof(double) * RXST_DENSITY_MAX_D * RXST_DENSITY_MAX_D);
  for (int j = 0; j < d; j++) {
    double s = a[j][j];
    for (int k = 0; k < j; k++)
      s -= l[j][k] * l[j][k];
    if (!(a[j][j] > 0) || !(s > 1e-12 * a[j][j])) return -1;
    l[j][j] = sqrt(s);
    for (int i = j + 1; i < d; i++) {
      double t = a[i][j];
      for (int k = 0; k < j; k++)
        t -= l[i][k] * l[j][k];
      l[i][j] = t / l[j][j];
    }
  }
  return 0;
}

/* Inverse of a lower triangular matrix by forward substitution. */
static void invert_lower(int d, double l[RXST_DENSITY_MAX_D][RXST_DENSITY_MAX_D],
                         double w[RXST_DENSITY_MAX_D][RXST_DENSITY_MAX_D]) {
  memset(w, 0, sizeof(double) * RXST_DENSITY_MAX_D * RXST_DENSITY_MAX_D);
  for (int j = 0; j < d; j++) {
    w[j][j] = 1.0 / l[j][j];
    for (int i = j + 1; i < d; i++) {
      double s = 0;
      for (int k = j; k < i; k++)
        s += l[i][k] * w[k][j];
      w[i][j] = -s / l[i][i];
    }
  }
}

/* Sorts the whitened points u (n, d) into the grid: non-empty cells in grid order, each padded
 * to a multiple of RXST_KDE_LANES, with the bounding box of its points. */
static int build_grid(rx_density *q, const double *u) {
  const int d = q->d, g = d >= 2 ? 2 : 1;
  const size_t n = q->n;
  double lo[2], width[2];
  int cells[2] = {1, 1};
  for (int k = 0; k < g; k++) {
    double mn = u[k], mx = u[k];
    for (size_t i = 1; i < n; i++) {
      mn = fmin(mn, u[i * d + k]);
      mx = fmax(mx, u[i * d + k]);
    }
    double span = mx - mn, c = ceil(span / RX_KDE_CELL);
    /* 1 to RX_KDE_MAX_CELLS_PER_AXIS cells: capped before the conversion, floored after it */
    const int m = c > RX_KDE_MAX_CELLS_PER_AXIS ? RX_KDE_MAX_CELLS_PER_AXIS : (int)c;
    cells[k] = m < 1 ? 1 : m;
    lo[k] = mn;
    width[k] = span > 0 ? span / cells[k] : 1.0;
  }
  const size_t n_grid = (size_t)cells[0] * cells[1];
  size_t *grid_count = calloc(n_grid, sizeof *grid_count);
  size_t *cell_of = malloc(n * sizeof *cell_of);
  int *compact = malloc(n_grid * sizeof *compact);
  int rc = -1;
  if (!grid_count || !cell_of || !compact) goto done;
  for (size_t i = 0; i < n; i++) {
    size_t id = 0;
    for (int k = g - 1; k >= 0; k--) {
      long c = (long)((u[i * d + k] - lo[k]) / width[k]);
      c = c < 0 ? 0 : c >= cells[k] ? cells[k] - 1 : c;
      id = id * (size_t)cells[k] + (size_t)c;
    }
    cell_of[i] = id;
    grid_count[id]++;
  }
  int n_cells = 0;
  for (size_t c = 0; c < n_grid; c++)
    compact[c] = grid_count[c] ? n_cells++ : -1;
  q->n_cells = n_cells;
  q->start = malloc((n_cells + 1) * sizeof *q->start);
  q->count = calloc(n_cells, sizeof *q->count);
  q->box_lo = malloc((size_t)n_cells * d * sizeof(double));
  q->box_hi = malloc((size_t)n_cells * d * sizeof(double));
  if (!q->start || !q->count || !q->box_lo || !q->box_hi) goto done;
  q->start[0] = 0;
  for (size_t c = 0; c < n_grid; c++) {
    if (compact[c] < 0) continue;
    size_t len = grid_count[c],
           padded = (len + RXST_KDE_LANES - 1) / RXST_KDE_LANES * RXST_KDE_LANES;
    q->start[compact[c] + 1] = q->start[compact[c]] + padded;
  }
  const size_t total = q->start[n_cells];
  for (int k = 0; k < d; k++) {
    if (!(q->u[k] = alloc_aligned(total))) goto done;
    for (size_t j = 0; j < total; j++)
      q->u[k][j] = RX_KDE_PAD;
  }
  for (size_t j = 0; j < (size_t)n_cells * d; j++) {
    q->box_lo[j] = INFINITY;
    q->box_hi[j] = -INFINITY;
  }
  for (size_t i = 0; i < n; i++) { /* stable: points keep their order within a cell */
    int c = compact[cell_of[i]];
    size_t j = q->start[c] + q->count[c]++;
    for (int k = 0; k < d; k++) {
      double v = u[i * d + k];
      q->u[k][j] = v;
      q->box_lo[(size_t)c * d + k] = fmin(q->box_lo[(size_t)c * d + k], v);
      q->box_hi[(size_t)c * d + k] = fmax(q->box_hi[(size_t)c * d + k], v);
    }
  }
  rc = 0;
done:
  free(grid_count);
  free(cell_of);
  free(compact);
  return rc;
}

int rx_density_kde(rx_density **out, const double *x, size_t n, int d, const char *what,
                   rx_error *err) {
  *out = NULL;
  if (!what) what = "KDE data";
  if (d < 1 || d > RXST_DENSITY_MAX_D)
    return rx_fail(err, RX_EINVAL, "%s: KDE dimension %d not supported (1 to %d)", what, d,
                   RXST_DENSITY_MAX_D);
  if (n < 2 || !x)
    return rx_fail(err, RX_EINVAL, "%s: a KDE needs at least 2 points, got %zu", what, n);
  for (size_t i = 0; i < n * d; i++)
    if (!isfinite(x[i]))
      return rx_fail(err, RX_ENUMERIC, "%s: point %zu, coordinate %d is %g", what, i / d,
                     (int)(i % d), x[i]);
  /* mean and covariance (ddof 1), two passes in float64 */
  double mean[RXST_DENSITY_MAX_D] = {0}, cov[RXST_DENSITY_MAX_D][RXST_DENSITY_MAX_D] = {{0}};
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < d; k++)
      mean[k] += x[i * d + k];
  for (int k = 0; k < d; k++)
    mean[k] /= (double)n;
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < d; k++)
      for (int l = 0; l <= k; l++)
        cov[k][l] += (x[i * d + k] - mean[k]) * (x[i * d + l] - mean[l]);
  const double factor = pow((double)n, -1.0 / (d + 4));
  for (int k = 0; k < d; k++)
    for (int l = 0; l <= k; l++)
      cov[l][k] = cov[k][l] = cov[k][l] / (double)(n - 1) * factor * factor;

  rx_density *q = calloc(1, sizeof *q);
  if (!q) return rx_fail(err, RX_ENOMEM, "%s: out of memory for the KDE", what);
  q->kind = RXST_DENSITY_KDE;
  q->d = d;
  q->n = n;
  memcpy(q->mean, mean, sizeof mean);
  if (cholesky(d, cov, q->chol)) {
    rx_density_free(q);
    return rx_fail(err, RX_EINVAL,
                   "%s: the covariance of the %zu points is singular (all equal or collinear); "
                   "a KDE cannot be fitted",
                   what, n);
  }
  invert_lower(d, q->chol, q->white);
  double det = 1.0;
  for (int k = 0; k < d; k++)
    det *= q->chol[k][k];
  for (int k = 0; k < d; k++)
    for (int l = 0; l <= k; l++)
      q->white[k][l] *= M_SQRT1_2;
  q->norm = 1.0 / ((double)n * pow(2.0 * M_PI, 0.5 * d) * det);
  /* the largest pruning cut, above the nearest cell's squared distance: kernels beyond it sum
   * to at most n e^-cut of that scale, 1e-12 e^-2 with this cut (kde_eval.c checks per point) */
  q->prune_cut = log((double)n) + 12.0 * M_LN10 + 2.0;

  q->x = malloc(n * d * sizeof(double));
  double *u = malloc(n * d * sizeof(double));
  if (!q->x || !u) {
    free(u);
    rx_density_free(q);
    return rx_fail(err, RX_ENOMEM, "%s: out of memory for a KDE of %zu points", what, n);
  }
  memcpy(q->x, x, n * d * sizeof(double));
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < d; k++) {
      double s = 0;
      for (int l = 0; l <= k; l++)
        s += q->white[k][l] * (x[i * d + l] - mean[l]);
      u[i * d + k] = s;
    }
  int rc = build_grid(q, u);
  free(u);
  if (rc) {
    rx_density_free(q);
    return rx_fail(err, RX_ENOMEM, "%s: out of memory for a KDE of %zu points", what, n);
  }
  *out = q;
  return 0;
}
