/* The one door to matrix products: every GEMM in the program goes through rx_gemm, so a backend
 * (OpenBLAS today, CUDA later) is swapped in one place. Row-major float32 throughout. */
#ifndef RX_LINALG_H
#define RX_LINALG_H

#ifdef __cplusplus
extern "C" {
#endif

/* C (m, n) = alpha * op(A) * op(B) + beta * C; op(A) is (m, k), op(B) is (k, n).
 * trans_a != 0 means A is stored (k, m); trans_b != 0 means B is stored (n, k). */
void rx_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc);

/* Threads used by the BLAS and by our own parallel loops (OpenMP). n <= 0: all cores.
 * Also puts every thread of the pool in flush-to-zero mode (rx_flush_denormals). */
void rx_set_threads(int n);
/* Sets flush-to-zero and denormals-are-zero on the calling thread and every OpenMP thread of the
 * pool. Noiseless networks relax towards fixed points through ever smaller values; as
 * denormals, float arithmetic on them is ~100x slower, and float32 networks never need them.
 * Called by rx_set_threads and when a network workspace is created. */
void rx_flush_denormals(void);
int rx_get_threads(void);

/* Name of the BLAS kernel in use (OpenBLAS core name, e.g. "Haswell", "SkylakeX"). */
const char *rx_blas_kernel(void);
/* A faster OpenBLAS kernel for this CPU than the one it picked, or NULL. OpenBLAS 0.3.21
 * (Debian 12) does not recognise recent AMD CPUs with AVX-512 and falls back to its AVX2
 * kernel, at half the speed. OpenBLAS reads OPENBLAS_CORETYPE when it loads, so a program that
 * wants the better kernel sets it and restarts itself (the reactivate CLI does). */
const char *rx_blas_better_kernel(void);

#ifdef __cplusplus
}
#endif
#endif
