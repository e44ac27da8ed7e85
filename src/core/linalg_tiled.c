/* Products cut into fixed row tiles or row groups, and column sums in row order: results with
 * the same bits for any number of threads (see linalg.h). The network passes (src/models) run
 * every large product through these. */
#include <omp.h>

#include "reactivate/linalg.h"

int rx_tile_count(int rows, int min_rows, int max_rows) {
  int procs = omp_get_num_procs(), t = rows / (min_rows > 0 ? min_rows : 1);
  if (t > procs) t = procs;
  if (t < 1) t = 1;
  if (max_rows > 0 && rows / t > max_rows) /* more tiles, a multiple of the core count */
    t = ((rows + max_rows - 1) / max_rows + procs - 1) / procs * procs;
  return t;
}

void rx_tile_rows(int rows, int tiles, int i, int *r0, int *r1) {
  *r0 = (int)((long)rows * i / tiles);
  *r1 = (int)((long)rows * (i + 1) / tiles);
}

void rx_gemm_tiled(int tiles, int trans_a, int trans_b, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb, float beta, float *c,
                   int ldc) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < tiles; i++) {
    int r0, r1;
    rx_tile_rows(m, tiles, i, &r0, &r1);
    if (r1 > r0)
      rx_gemm(trans_a, trans_b, r1 - r0, n, k, alpha, trans_a ? a + r0 : a + (size_t)r0 * lda, lda,
              b, ldb, beta, c + (size_t)r0 * ldc, ldc);
  }
}

int rx_sum_rows_groups(int k) {
  const int g = rx_tile_count(k, 128, 0);
  return g < RX_SUM_ROWS_MAX_GROUPS ? g : RX_SUM_ROWS_MAX_GROUPS;
}

void rx_gemm_sum_rows(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                      float *c, int ldc, float *part) {
  const int groups = rx_sum_rows_groups(k);
  const size_t mn = (size_t)m * n;
#pragma omp parallel for schedule(static)
  for (int g = 0; g < groups; g++) {
    int r0, r1;
    rx_tile_rows(k, groups, g, &r0, &r1);
    float *dst = g ? part + (size_t)(g - 1) * mn : c;
    rx_gemm(1, 0, m, n, r1 - r0, 1.0f, a + (size_t)r0 * lda, lda, b + (size_t)r0 * ldb, ldb, 0.0f,
            dst, g ? n : ldc);
  }
  if (groups > 1) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; i++)
      for (int g = 1; g < groups; g++) {
        const float *src = part + (size_t)(g - 1) * mn + (size_t)i * n;
        float *dst = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++)
          dst[j] += src[j];
      }
  }
}

void rx_colsum(const float *a, size_t rows, int cols, int lda, float *out) {
  enum { W = 64 };
  const int nblk = (cols + W - 1) / W;
#pragma omp parallel for schedule(static)
  for (int blk = 0; blk < nblk; blk++) {
    double acc[W] = {0};
    const int j0 = blk * W, w = cols - j0 < W ? cols - j0 : W;
    for (size_t r = 0; r < rows; r++) {
      const float *row = a + r * (size_t)lda + j0;
      for (int j = 0; j < w; j++)
        acc[j] += row[j];
    }
    for (int j = 0; j < w; j++)
      out[j0 + j] = (float)acc[j];
  }
}
