/* reactivate bench: median wall time of a training step at the paper's sizes, the GFLOP/s it
 * achieves, and its ratio to this machine's measured sgemm rate (the roofline for this work). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "reactivate/config.h"
#include "reactivate/linalg.h"
#include "reactivate/train.h"

static const char help[] =
    "usage: reactivate bench [--json] [--reps N] [--only NAME] [--threads N]\n"
    "\n"
    "Times training steps (fresh batch, forward, loss, BPTT, Adam) at the paper's sizes:\n"
    "  sn_rnn512  spatial navigation, vanilla RNN, 512 units, B=200, T=100\n"
    "  sn_gru512  spatial navigation, GRU, 512 units\n"
    "  hd_rnn128  head direction, vanilla RNN, 128 units, 512 HD cells\n"
    "and prints the median over --reps steps (default 5, after a warm-up), the GFLOP/s of\n"
    "the matrix products achieved, and the fraction of this machine's sgemm rate (measured\n"
    "on 2048 x 2048 products). --json prints one JSON object instead.\n";

typedef struct workload {
  const char *key, *experiment;
} workload;

static const workload workloads[] = {
    {"sn_rnn512", "spatial_navigation/noisy_unbiased"},
    {"sn_gru512", "spatial_navigation/noisy_unbiased_gru"},
    {"hd_rnn128", "head_direction/noisy_unbiased"},
};
enum { N_WORKLOADS = sizeof workloads / sizeof workloads[0] };

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* GFLOP/s of a large square sgemm: what the BLAS can do on this machine with these threads. */
static double measure_sgemm_gflops(int reps) {
  const int n = 2048;
  float *a = malloc((size_t)n * n * sizeof(float)), *b = malloc((size_t)n * n * sizeof(float));
  float *c = malloc((size_t)n * n * sizeof(float));
  double rate = NAN;
  if (a && b && c) {
    for (size_t i = 0; i < (size_t)n * n; i++) a[i] = b[i] = (float)(i % 7) * 0.1f;
    double times[16];
    rx_gemm(0, 0, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); /* warm-up */
    for (int r = 0; r < reps; r++) {
      double t0 = omp_get_wtime();
      rx_gemm(0, 0, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      times[r] = omp_get_wtime() - t0;
    }
    rate = 2.0 * n * n * (double)n / median(times, reps) / 1e9;
  }
  free(a);
  free(b);
  free(c);
  return rate;
}

int cmd_bench(int argc, char **argv) {
  int json = 0;
  long long reps = 5, threads = 0;
  const char *only = NULL;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (cli_is_help(o)) {
      fputs(help, stdout);
      return 0;
    } else if (!strcmp(o, "--json")) {
      json = 1;
    } else if (!strcmp(o, "--reps")) {
      if (cli_parse_int(o, i + 1 < argc ? argv[++i] : NULL, 1, 15, &reps)) return 2;
    } else if (!strcmp(o, "--threads")) {
      if (cli_parse_int(o, i + 1 < argc ? argv[++i] : NULL, 0, 1024, &threads)) return 2;
    } else if (!strcmp(o, "--only")) {
      only = i + 1 < argc ? argv[++i] : "";
      int known = 0;
      for (int w = 0; w < N_WORKLOADS; w++) known |= !strcmp(only, workloads[w].key);
      if (!known) return cli_error("--only: unknown workload '%s' (sn_rnn512, sn_gru512, hd_rnn128)", only), 2;
    } else {
      return cli_error("bench: unknown argument '%s' (see --help)", o), 2;
    }
  }
  cli_set_threads((int)threads);
  const int n_threads = rx_get_threads();
  double ms[N_WORKLOADS], gflops[N_WORKLOADS];
  int ran[N_WORKLOADS] = {0};
  double sgemm = measure_sgemm_gflops((int)reps);
  if (!json)
    printf("reactivate bench: %d threads, BLAS kernel %s, sgemm %.1f GFLOP/s (2048^3), median of "
           "%lld steps\n",
           n_threads, rx_blas_kernel(), sgemm, reps);
  for (int w = 0; w < N_WORKLOADS; w++) {
    if (only && strcmp(only, workloads[w].key)) continue;
    rx_error err = {{0}};
    rx_train_config cfg;
    if (rx_config_load(&cfg, workloads[w].experiment, 0, NULL, &err)) return cli_error("%s", err.msg);
    double times[16];
    if (rx_train_benchmark(&cfg, (int)reps, times, &err)) return cli_error("%s", err.msg);
    rx_rnn_spec spec;
    rx_config_rnn_spec(&cfg, &spec);
    double flops = rx_rnn_train_flops(&spec, cfg.task.batch_size, cfg.task.sequence_length);
    double t = median(times, (int)reps);
    ms[w] = 1e3 * t;
    gflops[w] = flops / t / 1e9;
    ran[w] = 1;
    if (!json)
      printf("  %-10s %9.1f ms/step  %6.1f GFLOP/s (%.1f GFLOP)  %5.1f%% of sgemm\n",
             workloads[w].key, ms[w], gflops[w], flops / 1e9, 100.0 * gflops[w] / sgemm);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (json) {
    printf("{\"train_step_ms\": {");
    for (int w = 0, first = 1; w < N_WORKLOADS; w++)
      if (ran[w]) printf("%s\"%s\": %.3f", first ? "" : ", ", workloads[w].key, ms[w]), first = 0;
    printf("}, \"gflops\": {");
    for (int w = 0, first = 1; w < N_WORKLOADS; w++)
      if (ran[w]) printf("%s\"%s\": %.2f", first ? "" : ", ", workloads[w].key, gflops[w]), first = 0;
    printf("}, \"sgemm_gflops\": %.2f, \"threads\": %d, \"blas_kernel\": \"%s\", \"reps\": %lld, "
           "\"peak_rss_mb\": %.1f}\n",
           sgemm, n_threads, rx_blas_kernel(), reps, ru.ru_maxrss / 1024.0);
  } else {
    printf("  peak resident memory %.0f MB\n", ru.ru_maxrss / 1024.0);
  }
  return 0;
}
