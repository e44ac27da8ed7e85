/* The Bayesian posterior of replay analysis (docs/replay.md §2, replay.h): over bins, from outputs
 * and the population code at the bin centres, with the cross term as a float32 product (rx_gemm)
 * and the normalisation in float64; and the posterior mean of each row. The bins are
 * replay_grid.c's, the scores of events replay_line.c's and replay_path.c's. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "reactivate/linalg.h"
#include "reactivate/replay.h"
#include "stats/fast_exp.h"
#include "stats/stats_internal.h"

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

/* Whether row (B,) is fine: finite values >= 0 (x <= FLT_MAX fails on NaN and +inf), one > 0.
 * Branch-free so that it vectorises. */
static int row_ok(const float *row, int B) {
  int bad = 0, mass = 0;
  for (int b = 0; b < B; b++) {
    bad |= !(row[b] >= 0.0f && row[b] <= FLT_MAX);
    mass |= row[b] > 0.0f;
  }
  return !bad && mass;
}

int rxst_rows_ok(const float *rows, size_t n, int B) {
  int ok = 1;
  for (size_t r = 0; r < n; r++)
    ok &= row_ok(rows + r * (size_t)B, B);
  return ok;
}

int rxst_check_posterior(const float *post, size_t n_events, int T, int B, const char *what,
                         rx_error *err) {
  const size_t rows = n_events * (size_t)T;
  int bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad)
  for (size_t r = 0; r < rows; r++)
    bad |= !row_ok(post + r * (size_t)B, B);
  if (!bad) return RX_OK;
  for (size_t r = 0; r < rows; r++) { /* the first fault, for the message */
    const float *row = post + r * (size_t)B;
    if (row_ok(row, B)) continue;
    const size_t e = r / (size_t)T;
    const int t = (int)(r % (size_t)T);
    for (int b = 0; b < B; b++)
      if (!(row[b] >= 0) || !isfinite(row[b]))
        return rx_fail(err, isfinite(row[b]) ? RX_EINVAL : RX_ENUMERIC,
                       "%s: posterior [event %zu, step %d, bin %d] is %g; must be finite and "
                       ">= 0",
                       what, e, t, b, (double)row[b]);
    return rx_fail(err, RX_EINVAL, "%s: posterior [event %zu, step %d] has no mass", what, e, t);
  }
  return RX_OK;
}

/* Log-ratios to the best bin below this give probabilities exp(x) < 2^-150 (exp(-104) = 6.8e-46),
 * which round to 0 in float32 whatever the normalisation (the sum is >= 1). Blocks of 8 bins all
 * below it are skipped, and lanes below it are raised to it: this keeps subnormal doubles (below
 * exp(-708)) out of the arithmetic, where each costs the CPU a slow microcode assist. The float64
 * sum then moves by less than 2e-42, which cannot change its rounding short of a coincidence of
 * that size; the float32 probabilities are 0 either way. */
#define RX_POSTERIOR_FLOOR (-104.0)

/* row (n_bins,) = the normalised posterior from the cross terms c (n_bins,) = y_t . F_b:
 * logit_b = (c_b - half_b) / s2, half_b = ||F_b||^2 / 2; buf holds n_bins rounded up to 8, then
 * one flag per 8 bins. Written to vectorise: the divisions and the maximum in vectors (the
 * maximum of the quotients is the quotient of the maximum: rounding is monotone), exp only for
 * blocks of 8 with a lane above the floor, and the sum over those blocks in bin order. */
static void normalise_row(float *row, const double *half, int n_bins, double s2, double *buf) {
  const int padded = (n_bins + 7) & ~7, blocks = padded / 8;
  double *live = buf + padded;
  for (int b = 0; b < n_bins; b++)
    buf[b] = ((double)row[b] - half[b]) / s2;
  for (int b = n_bins; b < padded; b++)
    buf[b] = -INFINITY;
  double mx = -INFINITY;
#if defined(__AVX2__)
  __m256d m0 = _mm256_set1_pd(-INFINITY), m1 = m0;
  for (int b = 0; b < padded; b += 8) {
    m0 = _mm256_max_pd(_mm256_loadu_pd(buf + b), m0);
    m1 = _mm256_max_pd(_mm256_loadu_pd(buf + b + 4), m1);
  }
  double m[4];
  _mm256_storeu_pd(m, _mm256_max_pd(m0, m1));
  for (int i = 0; i < 4; i++)
    mx = m[i] > mx ? m[i] : mx;
#else
  for (int b = 0; b < n_bins; b++)
    mx = buf[b] > mx ? buf[b] : mx;
#endif
  for (int k = 0; k < blocks; k++) {
    double *x = buf + 8 * (size_t)k;
    /* lanes below the floor are raised to it (padding lanes, -inf, too): exp(-104) is a normal
     * double, and x * inv rounds it to 0 in float32 */
#if defined(__AVX2__)
    const __m256d fl = _mm256_set1_pd(RX_POSTERIOR_FLOOR), m = _mm256_set1_pd(mx);
    const __m256d a = _mm256_sub_pd(_mm256_loadu_pd(x), m);
    const __m256d b = _mm256_sub_pd(_mm256_loadu_pd(x + 4), m);
    const int any = _mm256_movemask_pd(_mm256_cmp_pd(a, fl, _CMP_GE_OQ)) |
                    _mm256_movemask_pd(_mm256_cmp_pd(b, fl, _CMP_GE_OQ));
    live[k] = any ? 1.0 : 0.0;
    if (!any) continue;
    _mm256_storeu_pd(x, _mm256_max_pd(a, fl));
    _mm256_storeu_pd(x + 4, _mm256_max_pd(b, fl));
#else
    int any = 0;
    for (int i = 0; i < 8; i++) {
      x[i] -= mx;
      any |= x[i] >= RX_POSTERIOR_FLOOR;
      x[i] = x[i] >= RX_POSTERIOR_FLOOR ? x[i] : RX_POSTERIOR_FLOOR;
    }
    live[k] = any ? 1.0 : 0.0;
    if (!any) continue;
#endif
    rxst_v8d v;
    memcpy(&v, x, sizeof v);
    rx_exp_v8d(&v);
    memcpy(x, &v, sizeof v);
  }
  double sum = 0;
  for (int k = 0; k < blocks; k++)
    if (live[k] != 0)
      for (int b = 8 * k; b < 8 * k + 8 && b < n_bins; b++)
        sum += buf[b];
  const double inv = 1.0 / sum; /* sum >= 1: the best bin contributes exp(0) */
  for (int k = 0; k < blocks; k++) {
    const int b1 = 8 * k + 8 < n_bins ? 8 * k + 8 : n_bins;
    if (live[k] != 0)
      for (int b = 8 * k; b < b1; b++)
        row[b] = (float)(buf[b] * inv);
    else
      for (int b = 8 * k; b < b1; b++)
        row[b] = 0.0f;
  }
}

void rx_replay_decoder_free(rx_replay_decoder *d) {
  if (!d) return;
  free(d->code);
  free(d->half);
  memset(d, 0, sizeof *d);
}

int rx_replay_decoder_mask(rx_replay_decoder *d, const unsigned char *inside, rx_error *err) {
  if (!d || !d->half || !inside) return rx_fail(err, RX_EINVAL, "replay posterior: NULL mask");
  int n_in = 0;
  for (int b = 0; b < d->n_bins; b++)
    n_in += inside[b] != 0;
  if (!n_in)
    return rx_fail(err, RX_EINVAL, "replay posterior: none of the %d bins is inside the arena",
                   d->n_bins);
  for (int b = 0; b < d->n_bins; b++)
    if (!inside[b]) d->half[b] = INFINITY;
  return RX_OK;
}

void rx_replay_marginal_x(const float *post, size_t n, int nx, int ny, float *out) {
  for (size_t i = 0; i < n; i++) {
    const float *row = post + i * (size_t)nx * ny;
    for (int ix = 0; ix < nx; ix++) {
      double s = 0;
      for (int iy = 0; iy < ny; iy++)
        s += row[(size_t)iy * nx + ix];
      out[i * (size_t)nx + ix] = (float)s;
    }
  }
}

/* The codebook's checks and half_b = ||F_b||^2 / 2 (float64), shared by both decoders. */
static int decoder_start(rx_replay_decoder *d, const float *code, int n_bins, int n_out, int n_in,
                         rx_error *err) {
  memset(d, 0, sizeof *d);
  if (!code) return rx_fail(err, RX_EINVAL, "replay posterior: NULL code");
  if (n_out < 1 || n_bins < 1 || n_in < 1)
    return rx_fail(err, RX_EINVAL,
                   "replay posterior: %d bins of %d outputs (%d columns decoded); each must be "
                   ">= 1",
                   n_bins, n_out, n_in);
  size_t r;
  int c;
  if (find_nonfinite(code, (size_t)n_bins, n_out, &r, &c))
    return rx_fail(err, RX_ENUMERIC, "replay posterior: code [bin %zu, unit %d] is %g", r, c,
                   (double)code[r * (size_t)n_out + c]);
  d->n_in = n_in;
  d->n_bins = n_bins;
  d->code = malloc((size_t)n_bins * n_in * sizeof *d->code);
  d->half = malloc((size_t)n_bins * sizeof *d->half);
  if (!d->code || !d->half) {
    rx_replay_decoder_free(d);
    return rx_fail(err, RX_ENOMEM, "replay posterior: out of memory for %d bins", n_bins);
  }
  for (int b = 0; b < n_bins; b++) {
    double sq = 0;
    const float *f = code + (size_t)b * n_out;
    for (int k = 0; k < n_out; k++)
      sq += (double)f[k] * f[k];
    d->half[b] = 0.5 * sq;
  }
  return RX_OK;
}

int rx_replay_decoder_outputs(rx_replay_decoder *d, const float *code, int n_bins, int n_out,
                              rx_error *err) {
  int rc = decoder_start(d, code, n_bins, n_out, n_out, err);
  if (!rc) memcpy(d->code, code, (size_t)n_bins * n_out * sizeof *code);
  return rc;
}

int rx_replay_decoder_readout(rx_replay_decoder *d, const float *code, int n_bins, int n_out,
                              const float *w, const float *bias, int n_rec, rx_error *err) {
  if (!w) return rx_fail(err, RX_EINVAL, "replay posterior: NULL readout weights");
  size_t r;
  int c;
  if (n_rec >= 1 && n_out >= 1 && find_nonfinite(w, (size_t)n_out, n_rec, &r, &c))
    return rx_fail(err, RX_ENUMERIC, "replay posterior: readout weight [%zu, %d] is %g", r, c,
                   (double)w[r * (size_t)n_rec + c]);
  if (bias && n_out >= 1 && find_nonfinite(bias, 1, n_out, &r, &c))
    return rx_fail(err, RX_ENUMERIC, "replay posterior: readout bias [%d] is %g", c,
                   (double)bias[c]);
  int rc = decoder_start(d, code, n_bins, n_out, n_rec, err);
  if (rc) return rc;
  d->folded = 1;
  /* the folded codebook F W (n_bins, n_rec); y . F_b = h . (F W)_b + bias . F_b. In fixed
   * blocks of bins, one single-threaded product each, so its bits do not depend on the thread
   * count (a threaded product may split the work differently) */
  const int blocks = (n_bins + RX_REPLAY_POSTERIOR_ROWS - 1) / RX_REPLAY_POSTERIOR_ROWS;
#pragma omp parallel for schedule(dynamic, 1)
  for (int blk = 0; blk < blocks; blk++) {
    const int b0 = blk * RX_REPLAY_POSTERIOR_ROWS;
    const int nb = n_bins - b0 < RX_REPLAY_POSTERIOR_ROWS ? n_bins - b0 : RX_REPLAY_POSTERIOR_ROWS;
    rx_gemm(0, 0, nb, n_rec, n_out, 1.0f, code + (size_t)b0 * n_out, n_out, w, n_rec, 0.0f,
            d->code + (size_t)b0 * n_rec, n_rec);
  }
  if (bias)
    for (int b = 0; b < n_bins; b++) {
      double o = 0;
      const float *f = code + (size_t)b * n_out;
      for (int k = 0; k < n_out; k++)
        o += (double)bias[k] * f[k];
      d->half[b] -= o;
    }
  return RX_OK;
}

int rx_replay_decode(const rx_replay_decoder *d, const float *x, size_t n, double s2, float *post,
                     rx_error *err) {
  if (!d || !d->code || !x || !post) return rx_fail(err, RX_EINVAL, "replay posterior: NULL array");
  const int n_in = d->n_in, n_bins = d->n_bins;
  if (n < 1)
    return rx_fail(err, RX_EINVAL, "replay posterior: %zu rows to decode; must be >= 1", n);
  if (!isfinite(s2) || !(s2 > 0))
    return rx_fail(err, RX_EINVAL,
                   "replay posterior: noise variance s2 = %g, must be finite and > 0", s2);
  size_t r;
  int c;
  if (find_nonfinite(x, n, n_in, &r, &c))
    return rx_fail(err, RX_ENUMERIC, "replay posterior: %s [%zu, %d] is %g",
                   d->folded ? "hidden state" : "output", r, c, (double)x[r * (size_t)n_in + c]);
  const size_t blocks = (n + RX_REPLAY_POSTERIOR_ROWS - 1) / RX_REPLAY_POSTERIOR_ROWS;
  int nomem = 0;
#pragma omp parallel reduction(| : nomem)
  {
    double *buf = malloc((size_t)((n_bins + 7) & ~7) / 8 * 9 * sizeof *buf); /* bins, flags */
    nomem = !buf;
#pragma omp for schedule(dynamic, 1)
    for (size_t blk = 0; blk < blocks; blk++) {
      if (!buf) continue;
      const size_t r0 = blk * RX_REPLAY_POSTERIOR_ROWS;
      const size_t r1 = r0 + RX_REPLAY_POSTERIOR_ROWS < n ? r0 + RX_REPLAY_POSTERIOR_ROWS : n;
      float *out = post + r0 * (size_t)n_bins;
      /* one single-threaded product per block (inside a parallel region OpenBLAS does not
       * thread), so a row's bits depend only on its block */
      rx_gemm(0, 1, (int)(r1 - r0), n_bins, n_in, 1.0f, x + r0 * (size_t)n_in, n_in, d->code, n_in,
              0.0f, out, n_bins);
      for (size_t i = r0; i < r1; i++)
        normalise_row(post + i * (size_t)n_bins, d->half, n_bins, s2, buf);
    }
    free(buf);
  }
  if (nomem)
    return rx_fail(err, RX_ENOMEM, "replay posterior: out of memory for a row of %d bins", n_bins);
  return RX_OK;
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
  rx_replay_decoder d;
  int rc = rx_replay_decoder_outputs(&d, code, n_bins, n_out, err);
  if (!rc) rc = rx_replay_decode(&d, y, n, s2, post, err);
  rx_replay_decoder_free(&d);
  return rc;
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
