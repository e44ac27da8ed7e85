/* The Bayesian posterior of replay analysis (docs/replay.md §2, replay.h): over bins, from outputs
 * and the population code at the bin centres, with the cross term as a float32 product (rx_gemm)
 * and the normalisation in float64; and the posterior mean of each row. The bins are
 * replay_grid.c's, the scores of events replay_line.c's and replay_path.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/linalg.h"
#include "reactivate/replay.h"
#include "stats/fast_exp.h"

/* The first non-finite value of a (rows, cols), as its row and column; 0 when there is none. */
static int find_nonfinite(const float *a, size_t rows, int cols, size_t *row, int *col) {
  const size_t n = rows * (size_t)cols;
  int bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad)
  for (size_t i = 0; i < n; i++)
    bad |= !isfinite(a[i]);
  if (!bad) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(a[i])) {
      *row = i / (size_t)cols;
      *col = (int)(i % (size_t)cols);
      return 1;
    }
  return 0;
}

/* row (n_bins,) = the normalised posterior from the cross terms c (n_bins,) = y_t . F_b:
 * logit_b = (c_b - half_b) / s2, half_b = ||F_b||^2 / 2; buf holds n_bins rounded up to 8. */
static void normalise_row(float *row, const double *half, int n_bins, double s2, double *buf) {
  double mx = -INFINITY;
  for (int b = 0; b < n_bins; b++) {
    buf[b] = ((double)row[b] - half[b]) / s2;
    mx = buf[b] > mx ? buf[b] : mx;
  }
  const int padded = (n_bins + 7) & ~7;
  for (int b = 0; b < padded; b++)
    buf[b] = b < n_bins ? buf[b] - mx : -1000.0; /* padding lanes: exp gives exactly 0 */
  double sum = 0;
  for (int b = 0; b < padded; b += 8) {
    rxst_v8d v;
    memcpy(&v, buf + b, sizeof v);
    rx_exp_v8d(&v);
    memcpy(buf + b, &v, sizeof v);
  }
  for (int b = 0; b < n_bins; b++)
    sum += buf[b];
  const double inv = 1.0 / sum; /* sum >= 1: the best bin contributes exp(0) */
  for (int b = 0; b < n_bins; b++)
    row[b] = (float)(buf[b] * inv);
}

int rx_replay_posterior(const float *y, size_t n, int n_out, const float *code, int n_bins,
                        double s2, float *post, rx_error *err) {
  if (!y || !code || !post) return rx_fail(err, RX_EINVAL, "replay posterior: NULL array");
  if (n < 1 || n_out < 1 || n_bins < 1)
    return rx_fail(err, RX_EINVAL,
                   "replay posterior: %zu rows of %d outputs over %d bins; each must be >= 1", n,
                   n_out, n_bins);
  if (!isfinite(s2) || !(s2 > 0))
    return rx_fail(err, RX_EINVAL,
                   "replay posterior: noise variance s2 = %g, must be finite and > 0", s2);
  size_t r;
  int c;
  if (find_nonfinite(y, n, n_out, &r, &c))
    return rx_fail(err, RX_ENUMERIC, "replay posterior: output [%zu, %d] is %g", r, c,
                   (double)y[r * (size_t)n_out + c]);
  if (find_nonfinite(code, (size_t)n_bins, n_out, &r, &c))
    return rx_fail(err, RX_ENUMERIC, "replay posterior: code [bin %zu, unit %d] is %g", r, c,
                   (double)code[r * (size_t)n_out + c]);
  double *half = malloc((size_t)n_bins * sizeof *half);
  if (!half) return rx_fail(err, RX_ENOMEM, "replay posterior: out of memory for %d bins", n_bins);
  for (int b = 0; b < n_bins; b++) {
    double s = 0;
    const float *f = code + (size_t)b * n_out;
    for (int k = 0; k < n_out; k++)
      s += (double)f[k] * f[k];
    half[b] = 0.5 * s;
  }
  const size_t blocks = (n + RX_REPLAY_POSTERIOR_ROWS - 1) / RX_REPLAY_POSTERIOR_ROWS;
  int nomem = 0;
#pragma omp parallel reduction(| : nomem)
  {
    double *buf = malloc((size_t)((n_bins + 7) & ~7) * sizeof *buf);
    nomem = !buf;
#pragma omp for schedule(dynamic, 1)
    for (size_t blk = 0; blk < blocks; blk++) {
      if (!buf) continue;
      const size_t r0 = blk * RX_REPLAY_POSTERIOR_ROWS;
      const size_t r1 = r0 + RX_REPLAY_POSTERIOR_ROWS < n ? r0 + RX_REPLAY_POSTERIOR_ROWS : n;
      float *out = post + r0 * (size_t)n_bins;
      /* one single-threaded product per block (inside a parallel region OpenBLAS does not
       * thread), so a row's bits depend only on its block */
      rx_gemm(0, 1, (int)(r1 - r0), n_bins, n_out, 1.0f, y + r0 * (size_t)n_out, n_out, code, n_out,
              0.0f, out, n_bins);
      for (size_t i = r0; i < r1; i++)
        normalise_row(post + i * (size_t)n_bins, half, n_bins, s2, buf);
    }
    free(buf);
  }
  free(half);
  if (nomem)
    return rx_fail(err, RX_ENOMEM, "replay posterior: out of memory for a row of %d bins", n_bins);
  return RX_OK;
}

int rx_replay_posterior_mean(const float *post, size_t n, int n_bins, const float *centers, int dim,
                             int circular, double *mean, rx_error *err) {
  if (!post || !centers || !mean) return rx_fail(err, RX_EINVAL, "posterior mean: NULL array");
  if (n < 1 || n_bins < 1)
    return rx_fail(err, RX_EINVAL, "posterior mean: %zu rows over %d bins; each must be >= 1", n,
                   n_bins);
  if (dim != 1 && dim != 2)
    return rx_fail(err, RX_EINVAL, "posterior mean: dim = %d, expected 1 or 2", dim);
  if (circular && dim != 1)
    return rx_fail(err, RX_EINVAL, "posterior mean: circular needs dim 1, got %d", dim);
  for (size_t i = 0; i < (size_t)n_bins * dim; i++)
    if (!isfinite(centers[i]))
      return rx_fail(err, RX_ENUMERIC, "posterior mean: centre of bin %zu is %g", i / dim,
                     (double)centers[i]);
  for (size_t t = 0; t < n; t++) {
    const float *p = post + t * (size_t)n_bins;
    double w = 0, a = 0, b = 0;
    for (int j = 0; j < n_bins; j++) {
      if (!(p[j] >= 0) || !isfinite(p[j]))
        return rx_fail(err, isfinite(p[j]) ? RX_EINVAL : RX_ENUMERIC,
                       "posterior mean: posterior [%zu, %d] is %g; must be finite and >= 0", t, j,
                       (double)p[j]);
      w += p[j];
      if (circular) {
        a += p[j] * cos(centers[j]);
        b += p[j] * sin(centers[j]);
      } else {
        a += p[j] * (double)centers[(size_t)j * dim];
        if (dim == 2) b += p[j] * (double)centers[(size_t)j * dim + 1];
      }
    }
    if (!(w > 0))
      return rx_fail(err, RX_EINVAL, "posterior mean: row %zu has no mass (sums to 0)", t);
    if (circular)
      mean[t] = a == 0 && b == 0 ? 0.0 : atan2(b, a);
    else {
      mean[t * dim] = a / w;
      if (dim == 2) mean[t * dim + 1] = b / w;
    }
  }
  return RX_OK;
}
