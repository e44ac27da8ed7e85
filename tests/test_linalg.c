/* src/core/linalg*.c: what rx_blas_describe says about the BLAS in use (every field filled, the
 * kernel the one OPENBLAS_CORETYPE forces, which OpenBLAS reads only when it loads, so a child
 * process started with it set is asked), and the tiled products against plain ones, bit for bit
 * for any thread count. */
#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reactivate/linalg.h"
#include "test_util.h"

extern char **environ;

/* Every field filled; when OPENBLAS_CORETYPE is set, the core is the one it names. */
static void test_blas_describe_fills_every_field_and_follows_coretype(void) {
  rx_blas_info b;
  memset(&b, 'x', sizeof b); /* no field may keep what was there */
  rx_blas_describe(&b);
  CHECK_MSG(!strncmp(b.library, "OpenBLAS ", 9) && strlen(b.library) > 9, "library '%s'",
            b.library);
  CHECK_MSG(strstr(b.config, b.library) == b.config, "config '%s'", b.config);
  CHECK_MSG(b.core[0] && strcmp(b.core, "unknown") && strstr(b.config, b.core), "core '%s'",
            b.core);
  CHECK_MSG(!strcmp(b.threading, "openmp"), "threading '%s'", b.threading); /* as CMake links */
  CHECK(b.threads >= 1);
  const char *forced = getenv("OPENBLAS_CORETYPE");
  if (forced) CHECK_MSG(!strcasecmp(b.core, forced), "core %s, forced %s", b.core, forced);
  rx_set_threads(1);
  rx_blas_describe(&b);
  CHECK(b.threads == 1);
  rx_set_threads(0);
}

/* OpenBLAS picks its kernel when it loads: this program again, in a child with
 * OPENBLAS_CORETYPE naming another kernel than ours, must report that kernel. */
static void test_blas_core_is_the_one_openblas_coretype_names(void) {
#if defined(__x86_64__)
  rx_blas_info self;
  rx_blas_describe(&self);
  const char *other = strcasecmp(self.core, "Nehalem") ? "Nehalem" : "Sandybridge";
  char env_var[64], exe[4096];
  snprintf(env_var, sizeof env_var, "OPENBLAS_CORETYPE=%s", other);
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  REQUIRE(n > 0);
  exe[n] = '\0';
  /* the environment with OPENBLAS_CORETYPE replaced */
  const char *envp[512];
  int k = 0;
  for (char **e = environ; *e && k < 510; e++)
    if (strncmp(*e, "OPENBLAS_CORETYPE=", 18)) envp[k++] = *e;
  envp[k++] = env_var;
  envp[k] = NULL;
  char *argv[] = {exe, "test_blas_describe_fills_every_field_and_follows_coretype", NULL};
  pid_t pid;
  REQUIRE(posix_spawn(&pid, exe, NULL, NULL, argv, (char **)envp) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child with %s failed", env_var);
#else
  fprintf(stderr, "  SKIP: the kernels named here are x86-64 ones\n");
#endif
}

static void fill(float *a, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    a[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
  }
}

/* rx_gemm_tiled and rx_colsum against plain loops in double, and the same bits on 1 and 2
 * threads; tiles cover the rows exactly once. */
static void test_tiled_products_are_exact_and_thread_independent(void) {
  const int m = 301, n = 37, k = 53;
  float *a = malloc((size_t)m * k * sizeof(float)), *b = malloc((size_t)k * n * sizeof(float));
  float *c1 = malloc((size_t)m * n * sizeof(float)), *c2 = malloc((size_t)m * n * sizeof(float));
  float *s1 = malloc(n * sizeof(float)), *s2 = malloc(n * sizeof(float));
  REQUIRE(a && b && c1 && c2 && s1 && s2);
  fill(a, (size_t)m * k, 1);
  fill(b, (size_t)k * n, 2);
  const int tiles = rx_tile_count(m, 64, 128);
  CHECK(tiles >= 3); /* at most 128 rows each */
  int covered = 0, prev = 0;
  for (int i = 0; i < tiles; i++) {
    int r0, r1;
    rx_tile_rows(m, tiles, i, &r0, &r1);
    covered += r0 == prev && r1 > r0 && r1 - r0 <= 128;
    prev = r1;
  }
  CHECK(covered == tiles && prev == m);
  rx_set_threads(1);
  rx_gemm_tiled(tiles, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, c1, n);
  rx_colsum(c1, (size_t)m, n, n, s1);
  rx_set_threads(2);
  rx_gemm_tiled(tiles, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, c2, n);
  rx_colsum(c2, (size_t)m, n, n, s2);
  rx_set_threads(0);
  CHECK(!memcmp(c1, c2, (size_t)m * n * sizeof(float)) && !memcmp(s1, s2, n * sizeof(float)));
  double worst = 0, worst_sum = 0;
  for (int j = 0; j < n; j++) {
    double col = 0;
    for (int i = 0; i < m; i++) {
      double ref = 0;
      for (int l = 0; l < k; l++)
        ref += (double)a[(size_t)i * k + l] * b[(size_t)l * n + j];
      worst = fmax(worst, fabs(c1[(size_t)i * n + j] - ref));
      col += c1[(size_t)i * n + j];
    }
    worst_sum = fmax(worst_sum, fabs(s1[j] - col));
  }
  CHECK_MSG(worst < 1e-5, "product off by %.3g", worst);
  CHECK_MSG(worst_sum < 1e-5, "column sums off by %.3g", worst_sum);
  free(a), free(b), free(c1), free(c2), free(s1), free(s2);
}

RX_TEST_MAIN(TEST(test_blas_describe_fills_every_field_and_follows_coretype),
             TEST(test_blas_core_is_the_one_openblas_coretype_names),
             TEST(test_tiled_products_are_exact_and_thread_independent))
