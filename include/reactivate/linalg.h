/* The one door to matrix products: every GEMM in the program goes through rx_gemm, so a backend
 * (OpenBLAS today, CUDA later) is swapped in one place. Row-major float32 throughout. Also here:
 * products cut into fixed row tiles, whose bits do not depend on the thread count; the thread
 * count itself; the floating-point mode of the step loops; and what BLAS is in use. */
#ifndef RX_LINALG_H
#define RX_LINALG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* C (m, n) = alpha * op(A) * op(B) + beta * C; op(A) is (m, k), op(B) is (k, n).
 * trans_a != 0 means A is stored (k, m); trans_b != 0 means B is stored (n, k). */
void rx_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc);

/* ---- products with the same bits for any thread count
 * A GEMM row's bits depend on how the rows were split into calls (OpenBLAS processes each
 * call's rows in kernel-sized blocks from its first row; its own threading splits them by
 * thread count). So these products are cut into a fixed set of row tiles that depends only on
 * the problem's shape and the machine's core count, never on the number of threads: each tile
 * is one single-threaded rx_gemm call, and threads just share the tiles out. */

/* How many tiles of at least min_rows rows (at most max_rows when > 0) to cut rows into: one per
 * core where the rows allow, more (a multiple of the core count) to respect max_rows. */
int rx_tile_count(int rows, int min_rows, int max_rows);
/* Tile i of `tiles` over rows: rows [*r0, *r1), as even as integers allow. */
void rx_tile_rows(int rows, int tiles, int i, int *r0, int *r1);
/* rx_gemm as `tiles` single-threaded calls on row tiles of C, shared out over the threads. */
void rx_gemm_tiled(int tiles, int trans_a, int trans_b, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
/* C (m, n) = A^T B for A (k, m) and B (k, n) with many rows k (a weight gradient summed over
 * all rows of a pass): the rows are cut into rx_sum_rows_groups(k) fixed consecutive groups,
 * one single-threaded product each; the first writes C, the others partial sums into part
 * ((groups - 1) m n floats), added to C in group order. Cutting the long sum rather than C's
 * rows keeps each product the full width of C, which OpenBLAS runs faster. */
void rx_gemm_sum_rows(int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                      float *c, int ldc, float *part);
/* Groups of at least 128 rows, one per core, at most RX_SUM_ROWS_MAX_GROUPS. */
#define RX_SUM_ROWS_MAX_GROUPS 8
int rx_sum_rows_groups(int k);
/* out (cols,) = sum over rows of a (rows, cols; leading dimension lda), summed in row order in
 * double. */
void rx_colsum(const float *a, size_t rows, int cols, int lda, float *out);

/* ---- threads and floating-point mode */

/* Threads used by the BLAS and by our own parallel loops (OpenMP). n <= 0: all cores. */
void rx_set_threads(int n);
int rx_get_threads(void);
/* Sets flush-to-zero and denormals-are-zero on the calling thread and every OpenMP thread of the
 * pool (threads made later inherit the mode). Noiseless networks relax towards fixed points
 * through ever smaller values; as denormals, float arithmetic on them is ~100x slower, and
 * float32 networks never need them. A process-wide change, so it is made explicitly, once, where
 * a step loop starts: rx_train, rx_train_benchmark and rx_simulate call it first thing (so a
 * library caller gets the CLI's bits), and each CLI command that computes calls it once before
 * its work. A caller running its own loop over rx_rnn_forward should call it too. Idempotent. */
void rx_flush_denormals(void);

/* ---- the BLAS in use */

typedef struct rx_blas_info {
  char library[64];   /* name and version, e.g. "OpenBLAS 0.3.21" */
  char config[256];   /* the library's build description (openblas_get_config) */
  char core[64];      /* kernel picked for this CPU when the library loaded, e.g. "Haswell";
                         OPENBLAS_CORETYPE, read at load time only, overrides the choice */
  char threading[16]; /* the library's own threading: "sequential", "pthreads" or "openmp" */
  int threads;        /* threads the BLAS uses now (openblas_get_num_threads) */
} rx_blas_info;
/* Fills info; every string is non-empty ("unknown" where the library does not say). */
void rx_blas_describe(rx_blas_info *info);
/* A faster OpenBLAS kernel for this CPU than the one it picked, or NULL. OpenBLAS 0.3.21
 * (Debian 12) does not recognise recent AMD CPUs with AVX-512 and falls back to its AVX2
 * kernel, at half the speed. OpenBLAS reads OPENBLAS_CORETYPE when it loads, so a program that
 * wants the better kernel sets it and restarts itself (the reactivate CLI does). */
const char *rx_blas_better_kernel(void);

#ifdef __cplusplus
}
#endif
#endif
