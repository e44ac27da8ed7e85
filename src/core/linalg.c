/* rx_gemm over OpenBLAS's cblas_sgemm, the shared thread count, the floating-point mode of the
 * step loops, and what OpenBLAS says about itself. The tiled products are in linalg_tiled.c. */
#include "reactivate/linalg.h"

#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
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
}

int rx_get_threads(void) { return omp_get_max_threads(); }

void rx_flush_denormals(void) {
#if defined(__SSE__)
  const unsigned ftz_daz = 0x8040; /* MXCSR bits FTZ (15) and DAZ (6) */
  _mm_setcsr(_mm_getcsr() | ftz_daz);
#pragma omp parallel
  _mm_setcsr(_mm_getcsr() | ftz_daz);
#endif
}

/* Copies src (or "unknown" when it is NULL or empty) into dst[n]. */
static void copy_or_unknown(char *dst, size_t n, const char *src) {
  snprintf(dst, n, "%s", src && *src ? src : "unknown");
}

void rx_blas_describe(rx_blas_info *info) {
  memset(info, 0, sizeof *info);
  const char *config = openblas_get_config(); /* "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..." */
  copy_or_unknown(info->config, sizeof info->config, config);
  /* the library and its version: the config's first two words */
  size_t len = 0;
  for (int words = 0; config && config[len] && words < 2; words++) {
    while (config[len] == ' ')
      len++;
    while (config[len] && config[len] != ' ')
      len++;
  }
  snprintf(info->library, sizeof info->library, "%.*s", (int)len, config ? config : "");
  if (!info->library[0]) copy_or_unknown(info->library, sizeof info->library, NULL);
  copy_or_unknown(info->core, sizeof info->core, openblas_get_corename());
  static const char *const threading[3] = {"sequential", "pthreads", "openmp"};
  const int par = openblas_get_parallel();
  copy_or_unknown(info->threading, sizeof info->threading,
                  par >= 0 && par < 3 ? threading[par] : NULL);
  info->threads = openblas_get_num_threads();
}

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
