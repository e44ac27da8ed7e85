/* PCA of hidden states: mean and covariance (ddof 1) accumulated in float64, the products of
 * centred rows done in float32 blocks by rx_gemm, eigen-decomposition by LAPACK's dsyevd
 * (OpenBLAS exports it); components by decreasing variance, each signed so that its largest
 * entry is positive (sklearn's convention). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/linalg.h"
#include "stats/stats_internal.h"

/* LAPACK (Fortran interface, 32-bit integers as in Debian's OpenBLAS); the trailing arguments
 * are the hidden lengths gfortran passes for the two character arguments. */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
                    double *w, double *work, const int *lwork, int *iwork, const int *liwork,
                    int *info, size_t jobz_len, size_t uplo_len);

/* Rows per block, both for the mean's partial sums (fixed blocks summed in order: the result
 * does not depend on the thread count) and for the float32 products. */
enum { PCA_BLOCK = 4096 };
/* Side of the output tiles of the covariance products. */
enum { PCA_TILE = 128 };

void rx_pca_free(rx_pca *pca) {
  if (!pca) return;
  free(pca->mean);
  free(pca->components);
  free(pca->explained);
  memset(pca, 0, sizeof *pca);
}

/* RX_ENUMERIC naming the first non-finite value of x (n, p) in row order. (Sums of finite floats
 * in double cannot overflow, so a non-finite column sum always has one.) */
static int non_finite(const float *x, size_t n, int p, rx_error *err) {
  size_t i = 0;
  while (i + 1 < n * (size_t)p && isfinite(x[i]))
    i++;
  return rx_fail(err, RX_ENUMERIC, "PCA: the data hold %s at row %zu, feature %zu",
                 isnan(x[i]) ? "NaN"
                 : x[i] > 0  ? "+Inf"
                             : "-Inf",
                 i / (size_t)p, i % (size_t)p);
}

/* mean (p,) of x (n, p). RX_OK, RX_ENUMERIC (a NaN or Inf, named) or RX_ENOMEM. */
static int column_means(const float *x, size_t n, int p, double *mean, rx_error *err) {
  const size_t n_blocks = (n + PCA_BLOCK - 1) / PCA_BLOCK;
  double *part = calloc(n_blocks * p, sizeof(double));
  if (!part)
    return rx_fail(err, RX_ENOMEM, "PCA: out of memory for the partial sums of %zu x %d values",
                   n_blocks, p);
  int bad = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(| : bad)
  for (size_t blk = 0; blk < n_blocks; blk++) {
    double *s = part + blk * p;
    const size_t end = (blk + 1) * PCA_BLOCK < n ? (blk + 1) * PCA_BLOCK : n;
    for (size_t i = blk * PCA_BLOCK; i < end; i++)
      for (int l = 0; l < p; l++)
        s[l] += x[i * p + l];
    for (int l = 0; l < p; l++)
      bad |= !isfinite(s[l]);
  }
  for (int l = 0; l < p; l++)
    mean[l] = 0;
  for (size_t blk = 0; blk < n_blocks; blk++)
    for (int l = 0; l < p; l++)
      mean[l] += part[blk * p + l];
  for (int l = 0; l < p; l++)
    mean[l] /= (double)n;
  free(part);
  return bad ? non_finite(x, n, p, err) : RX_OK;
}

/* cov (p, p) = sum_i (x_i - mean)(x_i - mean)^T, unnormalised. Each block of rows is centred
 * in float64, rounded to float32 (relative error 6e-8 per entry) and multiplied by rx_gemm
 * (float32 products accumulated over at most PCA_BLOCK rows: relative error ~ sqrt(4096) x 6e-8
 * = 4e-6 of the block's sums of |products|, in practice far less); the blocks are added in
 * float64. Centring first removes the cancellation of a large mean; an error of 1e-6 of the
 * variances moves the explained ratios (reported to 3 digits) by less than 1e-6.
 * OpenBLAS's own threading of these products changes their rounding with the thread count, so
 * the upper-triangle tiles are spread over our threads instead: OpenBLAS (OpenMP build) runs
 * single-threaded inside a parallel region, and with one thread, so every tile is the same
 * single-threaded product whatever the thread count. */
static int covariance(const float *x, size_t n, int p, const double *mean, double *cov,
                      rx_error *err) {
  float *xc = malloc((size_t)PCA_BLOCK * p * sizeof(float));
  float *cb = malloc((size_t)p * p * sizeof(float));
  if (!xc || !cb) {
    free(xc);
    free(cb);
    return rx_fail(err, RX_ENOMEM, "PCA: out of memory for the covariance of %d features", p);
  }
  memset(cov, 0, (size_t)p * p * sizeof(double));
  const int nt = (p + PCA_TILE - 1) / PCA_TILE, n_tiles = nt * (nt + 1) / 2;
  for (size_t r0 = 0; r0 < n; r0 += PCA_BLOCK) {
    const int rows = (int)(n - r0 < PCA_BLOCK ? n - r0 : PCA_BLOCK);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < rows; i++)
      for (int l = 0; l < p; l++)
        xc[(size_t)i * p + l] = (float)((double)x[(r0 + i) * p + l] - mean[l]);
#pragma omp parallel for schedule(dynamic, 1)
    for (int t = 0; t < n_tiles; t++) {
      int ti = 0, tj = t; /* t -> (ti, tj), ti <= tj, row by row of the upper triangle */
      while (tj >= nt - ti)
        tj -= nt - ti, ti++;
      tj += ti;
      const int i0 = ti * PCA_TILE, j0 = tj * PCA_TILE;
      const int mi = p - i0 < PCA_TILE ? p - i0 : PCA_TILE,
                nj = p - j0 < PCA_TILE ? p - j0 : PCA_TILE;
      float *c = cb + (size_t)i0 * p + j0;
      rx_gemm(1, 0, mi, nj, rows, 1.0f, xc + i0, p, xc + j0, p, 0.0f, c, p);
      for (int i = 0; i < mi; i++)
        for (int j = 0; j < nj; j++)
          cov[(size_t)(i0 + i) * p + j0 + j] += c[(size_t)i * p + j];
    }
  }
  for (int i = 0; i < p; i++) /* mirror the upper triangle */
    for (int j = 0; j < i; j++)
      cov[(size_t)i * p + j] = cov[(size_t)j * p + i];
  free(xc);
  free(cb);
  return RX_OK;
}

int rx_pca_fit(rx_pca *pca, const float *x, size_t n, int p, int k, rx_error *err) {
  if (!pca) return rx_fail(err, RX_EINVAL, "PCA: no output given");
  memset(pca, 0, sizeof *pca);
  if (p < 1 || !x) return rx_fail(err, RX_EINVAL, "PCA: feature dimension %d must be >= 1", p);
  if (n < 2) return rx_fail(err, RX_EINVAL, "PCA: needs at least 2 rows, got %zu", n);
  if (k < 1 || k > p)
    return rx_fail(err, RX_EINVAL, "PCA: components kept k = %d must be in [1, %d]", k, p);
  double *cov = malloc((size_t)p * p * sizeof(double)), *w = malloc((size_t)p * sizeof(double));
  pca->mean = malloc((size_t)p * sizeof(double));
  pca->components = malloc((size_t)k * p * sizeof(double));
  pca->explained = malloc((size_t)k * sizeof(double));
  double *work = NULL;
  int *iwork = NULL, rc = 0;
  if (!cov || !w || !pca->mean || !pca->components || !pca->explained) {
    rc = rx_fail(err, RX_ENOMEM, "PCA: out of memory for %d features", p);
    goto done;
  }
  if ((rc = column_means(x, n, p, pca->mean, err))) goto done;
  if ((rc = covariance(x, n, p, pca->mean, cov, err))) goto done;
  double trace = 0;
  for (size_t j = 0; j < (size_t)p * p; j++)
    cov[j] /= (double)(n - 1);
  for (int l = 0; l < p; l++)
    trace += cov[(size_t)l * p + l];
  /* dsyevd: workspace query, then eigenvalues ascending in w, eigenvectors in the columns of
   * the (column-major) matrix, i.e. the rows of cov as stored here */
  int info = 0, lwork = -1, liwork = -1, iq = 0;
  double wq = 0;
  dsyevd_("V", "U", &p, cov, &p, w, &wq, &lwork, &iq, &liwork, &info, 1, 1);
  if (info) {
    rc = rx_fail(err, RX_EINVAL, "PCA: dsyevd's workspace query failed (info %d, %d features)",
                 info, p);
    goto done;
  }
  lwork = (int)wq;
  liwork = iq;
  work = malloc((size_t)(lwork > 1 ? lwork : 1) * sizeof(double));
  iwork = malloc((size_t)(liwork > 1 ? liwork : 1) * sizeof(int));
  if (!work || !iwork) {
    rc = rx_fail(err, RX_ENOMEM,
                 "PCA: out of memory for the eigen-decomposition's workspace (%d + %d words)",
                 lwork, liwork);
    goto done;
  }
  /* OpenBLAS's threaded level-2 kernels inside dsytrd sum partial results per thread, which
   * makes the eigenvectors depend on the thread count: decompose on one thread (p = 512: about
   * 0.1 s). OpenBLAS's OpenMP build follows OpenMP's thread count at each call. */
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  dsyevd_("V", "U", &p, cov, &p, w, work, &lwork, iwork, &liwork, &info, 1, 1);
  omp_set_num_threads(threads);
  if (info) {
    rc = rx_fail(err, RX_ENUMERIC, "PCA: eigen-decomposition failed (dsyevd info %d)", info);
    goto done;
  }
  pca->p = p;
  pca->k = k;
  pca->total_var = trace;
  for (int j = 0; j < k; j++) {
    const double *v = cov + (size_t)(p - 1 - j) * p;
    double *c = pca->components + (size_t)j * p;
    int big = 0;
    for (int l = 1; l < p; l++)
      big = fabs(v[l]) > fabs(v[big]) ? l : big;
    const double sign = v[big] < 0 ? -1.0 : 1.0;
    for (int l = 0; l < p; l++)
      c[l] = sign * v[l];
    const double lambda = w[p - 1 - j] > 0 ? w[p - 1 - j] : 0; /* round-off below 0 */
    pca->explained[j] = trace > 0 ? lambda / trace : 0;
  }
done:
  free(cov);
  free(w);
  free(work);
  free(iwork);
  if (rc) rx_pca_free(pca);
  return rc;
}

void rx_pca_project(const rx_pca *pca, const float *x, size_t n, double *out) {
  const int p = pca->p, k = pca->k;
#pragma omp parallel
  {
    double *c = malloc((size_t)p * sizeof(double));
#pragma omp for schedule(static)
    for (size_t i = 0; i < n; i++) {
      if (c)
        for (int l = 0; l < p; l++)
          c[l] = (double)x[i * p + l] - pca->mean[l];
      for (int j = 0; j < k; j++) {
        const double *v = pca->components + (size_t)j * p;
        double s = 0;
        if (c)
          for (int l = 0; l < p; l++)
            s += c[l] * v[l];
        else
          for (int l = 0; l < p; l++)
            s += ((double)x[i * p + l] - pca->mean[l]) * v[l];
        out[i * k + j] = s;
      }
    }
    free(c);
  }
}
