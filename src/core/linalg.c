/* rx_gemm over OpenBLAS's cblas_sgemm, and the shared thread count. */
#include "reactivate/linalg.h"

#include <cblas.h>
#include <omp.h>
#include <strings.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

void rx_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc) {
  if (m <= 0 || n <= 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void rx_set_threads(int n) {
  if (n <= 0) n = omp_get_num_procs();
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
  rx_flush_denormals();
}

void rx_flush_denormals(void) {
#if defined(__SSE__)
  const unsigned ftz_daz = 0x8040; /* MXCSR bits FTZ (15) and DAZ (6) */
  _mm_setcsr(_mm_getcsr() | ftz_daz);
#pragma omp parallel
  _mm_setcsr(_mm_getcsr() | ftz_daz);
#endif
}

int rx_get_threads(void) { return omp_get_max_threads(); }

const char *rx_blas_kernel(void) { return openblas_get_corename(); }

const char *rx_blas_better_kernel(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  const char *core = openblas_get_corename();
  const int avx2_kernel = core && (!strcasecmp(core, "haswell") || !strcasecmp(core, "zen"));
  if (avx2_kernel && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512cd"))
    return "SkylakeX";
#endif
  return NULL;
}
