/* The bins of replay analysis (replay.h): plane, ring and line grids, their centres, and the bin
 * of a position. The posterior over them is replay_posterior.c's; the population code evaluated
 * at the centres is the caller's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/replay.h"
#include "reactivate/task.h" /* rx_wrap_angle */

enum { MAX_PER_AXIS = 10000, MAX_BINS = 4000000 };

void rx_replay_grid_free(rx_replay_grid *g) {
  if (!g) return;
  free(g->centers);
  memset(g, 0, sizeof *g);
}

/* Bins of about `size` along [lo, hi]: the nearest integer count, at least 1. */
static int axis_count(double lo, double hi, double size, const char *what, const char *axis, int *n,
                      rx_error *err) {
  if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
    return rx_fail(err, RX_EINVAL, "%s: the %s span [%g, %g] is empty or not finite", what, axis,
                   lo, hi);
  if (!isfinite(size) || !(size > 0))
    return rx_fail(err, RX_EINVAL, "%s: bin size %g, must be finite and > 0", what, size);
  const double c = floor((hi - lo) / size + 0.5);
  if (!(c <= MAX_PER_AXIS))
    return rx_fail(err, RX_EINVAL, "%s: %g bins of %g along %s, at most %d", what, c, size, axis,
                   MAX_PER_AXIS);
  *n = c < 1 ? 1 : (int)c;
  return RX_OK;
}

/* Fills g for nx x ny bins over [lo, hi] (dim 1: ny = 1) and computes the centres. */
static int grid_fill(rx_replay_grid *g, rx_replay_grid_kind kind, int dim, int nx, int ny,
                     const double *lo, const double *hi, const char *what, rx_error *err) {
  if ((long)nx * ny > MAX_BINS)
    return rx_fail(err, RX_EINVAL, "%s: %d x %d bins, at most %d in all", what, nx, ny, MAX_BINS);
  g->kind = kind;
  g->dim = dim;
  g->nx = nx;
  g->ny = ny;
  g->n_bins = nx * ny;
  for (int k = 0; k < dim; k++) {
    g->lo[k] = lo[k];
    g->hi[k] = hi[k];
    g->width[k] = (hi[k] - lo[k]) / (k ? ny : nx);
  }
  g->centers = malloc((size_t)g->n_bins * dim * sizeof(float));
  if (!g->centers) {
    memset(g, 0, sizeof *g);
    return rx_fail(err, RX_ENOMEM, "%s: out of memory for %d bin centres", what, nx * ny);
  }
  for (int iy = 0; iy < ny; iy++)
    for (int ix = 0; ix < nx; ix++) {
      float *c = g->centers + ((size_t)iy * nx + ix) * dim;
      c[0] = (float)(lo[0] + (ix + 0.5) * g->width[0]);
      if (dim == 2) c[1] = (float)(lo[1] + (iy + 0.5) * g->width[1]);
    }
  return RX_OK;
}

int rx_replay_grid_plane(rx_replay_grid *g, double x0, double x1, double y0, double y1, double size,
                         rx_error *err) {
  memset(g, 0, sizeof *g);
  int nx = 0, ny = 0, rc;
  if ((rc = axis_count(x0, x1, size, "plane bins", "x", &nx, err)) ||
      (rc = axis_count(y0, y1, size, "plane bins", "y", &ny, err)))
    return rc;
  const double lo[2] = {x0, y0}, hi[2] = {x1, y1};
  return grid_fill(g, RX_REPLAY_PLANE, 2, nx, ny, lo, hi, "plane bins", err);
}

int rx_replay_grid_ring(rx_replay_grid *g, double size, rx_error *err) {
  memset(g, 0, sizeof *g);
  int n = 0, rc;
  if ((rc = axis_count(-M_PI, M_PI, size, "ring bins", "angle", &n, err))) return rc;
  const double lo[1] = {-M_PI}, hi[1] = {M_PI};
  return grid_fill(g, RX_REPLAY_RING, 1, n, 1, lo, hi, "ring bins", err);
}

int rx_replay_grid_line(rx_replay_grid *g, double x0, double x1, double size, rx_error *err) {
  memset(g, 0, sizeof *g);
  int n = 0, rc;
  if ((rc = axis_count(x0, x1, size, "line bins", "x", &n, err))) return rc;
  const double lo[1] = {x0}, hi[1] = {x1};
  return grid_fill(g, RX_REPLAY_LINE, 1, n, 1, lo, hi, "line bins", err);
}

/* Bin of v along an axis of n bins over [lo, hi] (the last closed), or -1 outside. */
static int axis_bin(double v, double lo, double hi, int n) {
  if (!(v >= lo && v <= hi)) return -1;
  const long i = (long)floor((v - lo) / (hi - lo) * n);
  return i < 0 ? 0 : i >= n ? n - 1 : (int)i;
}

int rx_replay_grid_index(const rx_replay_grid *g, const double *pos) {
  if (!g || !g->n_bins || !pos) return -1;
  if (g->kind == RX_REPLAY_RING) {
    if (!isfinite(pos[0])) return -1;
    const double a = rx_wrap_angle(pos[0]); /* [-pi, pi) */
    return axis_bin(a, -M_PI, M_PI, g->nx);
  }
  const int ix = axis_bin(pos[0], g->lo[0], g->hi[0], g->nx);
  if (ix < 0 || g->dim == 1) return ix;
  const int iy = axis_bin(pos[1], g->lo[1], g->hi[1], g->ny);
  return iy < 0 ? -1 : iy * g->nx + ix;
}
