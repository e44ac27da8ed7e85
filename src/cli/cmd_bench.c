/* reactivate bench: median wall time of a training step at the paper's sizes, the GFLOP/s it
 * achieves, and its ratio to this machine's measured sgemm rate (the roofline for this work). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "reactivate/analysis.h"
#include "reactivate/analyze.h"
#include "reactivate/config.h"
#include "reactivate/linalg.h"
#include "reactivate/rng.h"
#include "reactivate/sampling.h"
#include "reactivate/train.h"

static const char help[] =
    "usage: reactivate bench [--json] [--reps N] [--only NAME|mechanisms|probes|replay]\n"
    "                        [--threads N]\n"
    "       reactivate bench --only scheduler [--jobs N] [--mpi] [--reps N] [--json]\n"
    "\n"
    "Times training steps (fresh batch, forward, loss, BPTT, Adam) at the paper's sizes:\n"
    "  sn_rnn512             spatial navigation, vanilla RNN, 512 units, B=200, T=100\n"
    "  sn_rnn512_adaptation  the same with adaptation (rnn.adaptation_strength=1,\n"
    "                        docs/science.md §3.6)\n"
    "  sn_rnn512_momentum    the same with momentum (rnn.momentum=0.5)\n"
    "  sn_gru512             spatial navigation, GRU, 512 units\n"
    "  hd_rnn128             head direction, vanilla RNN, 128 units, 512 HD cells\n"
    "(--only mechanisms: the first three) and prints the median over --reps steps (default 5,\n"
    "after a warm-up), each mechanism's as a ratio to sn_rnn512's too, the GFLOP/s of\n"
    "the matrix products achieved (those the trainer runs: for head direction, the readout's\n"
    "backward pass uses the cells' low-rank form and does fewer), and the fraction of this\n"
    "machine's sgemm rate (measured on 2048 x 2048 products), then the seconds for the full\n"
    "6 x 4 KL matrix of the offline-reactivation analysis at the paper's sizes (kl_matrix;\n"
    "skipped with --only), and of each \"is it sampling?\" probe (mixing, score, temperature,\n"
    "diffusion; docs/probes.md) at its default sizes over one seed of the spatial set: four\n"
    "untrained 512-unit runs and the control, each probe alone, once (probes_s; skipped with\n"
    "--only NAME; --only probes runs them alone), with its share of the 2-minute budget,\n"
    "and of the replay analysis (docs/replay.md) at its default sizes over one seed of each\n"
    "task, the same untrained runs and control (replay_s; --only replay runs it alone), with\n"
    "its share of the 60-s budget.\n"
    "Memory (skipped with --only): the peak resident memory of a paper-size training (sn_rnn512,\n"
    "50 steps of a real run in a temporary directory, removed afterwards) with its resident\n"
    "memory after step 10 and after step 50 (equal: nothing grows over steps), and of a\n"
    "paper-size analysis (the KL matrix and the exploration variance of 500 x 2000 outputs).\n"
    "Each peak is the process's VmHWM, reset before the workload (/proc/self/clear_refs).\n"
    "It also prints the BLAS in use: library and version, build config, the kernel OpenBLAS\n"
    "picked for this CPU (OPENBLAS_CORETYPE overrides it), its threading and threads (JSON\n"
    "key \"blas\").\n"
    "--json prints one JSON object instead.\n"
    "\n"
    "--only scheduler times the executor of reproduce's plans (docs/cluster.md) instead, on\n"
    "synthetic plans of independent steps that only wait: per slot (one step at a time: --jobs\n"
    "locally, default one per core up to 8; ranks x --jobs over MPI, default 1 per rank) 8\n"
    "no-op steps, whose wall time x slots / steps is the overhead per step, and 4 steps of\n"
    "1 s, whose wall time is compared with the ideal (total work / slots); medians of --reps\n"
    "(default 3). Over MPI: mpirun -np N reactivate bench --only scheduler --mpi.\n";

typedef struct workload {
  const char *key, *experiment;
  const char *setting; /* a key=value override of the experiment, or NULL */
  int mechanism;       /* the paper cell's workload with a mechanism on: reported as a ratio to
                          the first (sn_rnn512), and run by --only mechanisms */
} workload;

static const workload workloads[] = {
    {"sn_rnn512", "spatial_navigation/noisy_unbiased", NULL, 0},
    {"sn_rnn512_adaptation", "spatial_navigation/noisy_unbiased", "rnn.adaptation_strength=1", 1},
    {"sn_rnn512_momentum", "spatial_navigation/noisy_unbiased", "rnn.momentum=0.5", 1},
    {"sn_gru512", "spatial_navigation/noisy_unbiased_gru", NULL, 0},
    {"hd_rnn128", "head_direction/noisy_unbiased", NULL, 0},
};
enum { N_WORKLOADS = sizeof workloads / sizeof workloads[0] };

/* Whether --only (NULL: everything) selects workload w: its name, or "mechanisms" for the paper
 * cell's spatial workload and its mechanism variants. */
static int selected(const char *only, int w) {
  if (!only) return 1;
  if (!strcmp(only, "mechanisms")) return w == 0 || workloads[w].mechanism;
  return !strcmp(only, workloads[w].key);
}

/* the library's median (numpy's rule): the timings are all finite */
static double median(double *v, int n) { return rx_median_finite(v, (size_t)n); }

/* GFLOP/s of a large square sgemm: what the BLAS can do on this machine with these threads. */
static double measure_sgemm_gflops(int reps) {
  const int n = 2048;
  float *a = malloc((size_t)n * n * sizeof(float)), *b = malloc((size_t)n * n * sizeof(float));
  float *c = malloc((size_t)n * n * sizeof(float));
  double rate = NAN;
  if (a && b && c) {
    for (size_t i = 0; i < (size_t)n * n; i++)
      a[i] = b[i] = (float)(i % 7) * 0.1f;
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

/* Seconds for the whole docs/science.md §6 KL matrix at its sizes, on synthetic outputs of those
 * sizes: 5 quiescent KDEs of 200 x 1000 decoded positions (4 trained runs + the random network) and
 * the uniform box, against 4 active KDEs of 200 x 100 positions, 2500 Monte-Carlo samples each.
 * The outputs are random walks in the 2.2 m box, shaped like decoded trajectories. */
static double measure_kl_matrix_s(void) {
  enum { N_Q = 200000, N_A = 20000, N_SRC = 5, N_TGT = 4 };
  rx_density *src[N_SRC + 1] = {0}, *tgt[N_TGT] = {0};
  double *x = malloc((size_t)N_Q * 2 * sizeof(double)), seconds = NAN;
  double lo[2] = {-1.1, -1.1}, hi[2] = {1.1, 1.1};
  int ok = x != NULL;
  for (int s = 0; ok && s < N_SRC + N_TGT; s++) {
    const size_t n = s < N_SRC ? N_Q : N_A;
    rx_rng r;
    rx_rng_init(&r, 12345, RX_STREAM_ANALYSIS, (uint32_t)s, 0, 0);
    double px = 0.3 * s - 0.6, py = 0.0;
    for (size_t i = 0; i < n; i++) { /* a slow walk, reflected at the walls */
      px += 0.02 * rx_rng_normal(&r);
      py += 0.02 * rx_rng_normal(&r);
      if (fabs(px) > 1.1) px = copysign(2.2, px) - px;
      if (fabs(py) > 1.1) py = copysign(2.2, py) - py;
      x[2 * i] = px;
      x[2 * i + 1] = py;
    }
    ok = rx_density_kde(s < N_SRC ? &src[s] : &tgt[s - N_SRC], x, n, 2, "bench data", NULL) == 0;
  }
  ok = ok && rx_density_uniform_box(&src[N_SRC], 2, lo, hi, NULL) == 0;
  if (ok) {
    double kl[(N_SRC + 1) * N_TGT];
    double t0 = omp_get_wtime();
    if (rx_kl_matrix((const rx_density *const *)src, N_SRC + 1, (const rx_density *const *)tgt,
                     N_TGT, 2500, 7, RX_STREAM_ANALYSIS, kl, NULL) == 0)
      seconds = omp_get_wtime() - t0;
  }
  for (int i = 0; i <= N_SRC; i++)
    rx_density_free(src[i]);
  for (int i = 0; i < N_TGT; i++)
    rx_density_free(tgt[i]);
  free(x);
  return seconds;
}

/* ---------------------------------------------------------------- memory */

/* A "Vm...:" line of /proc/self/status in MB, or NAN where there is none. */
static double status_mb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return NAN;
  char line[256];
  double mb = NAN;
  const size_t len = strlen(field);
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, field, len) && line[len] == ':') {
      mb = strtod(line + len + 1, NULL) / 1024.0; /* kB */
      break;
    }
  fclose(f);
  return mb;
}

/* Resets the process's peak resident memory (VmHWM) to its current resident memory, so the
 * next VmHWM is the peak of what runs in between. 0 on success. */
static int reset_peak_rss(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f) return -1;
  int ok = fputs("5", f) >= 0;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

typedef struct mem_probe {
  double rss_step10, rss_step50;
} mem_probe;

static void mem_progress(void *ctx, const rx_train_progress *p) {
  mem_probe *m = ctx;
  if (p->step == 10) m->rss_step10 = status_mb("VmRSS");
  if (p->step == 50) m->rss_step50 = status_mb("VmRSS");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

/* Peak resident memory of a paper-size training: 50 steps of sn_rnn512 as `reactivate train`
 * runs them (checkpoints and metrics into a temporary directory, removed afterwards), with the
 * resident memory after steps 10 and 50. */
static int measure_train_memory(double *peak, mem_probe *probe) {
  *peak = NAN;
  probe->rss_step10 = probe->rss_step50 = NAN;
  rx_error err = {{0}};
  static rx_train_config cfg;
  if (rx_config_load(&cfg, workloads[0].experiment, 0, NULL, &err)) return cli_error("%s", err.msg);
  char dir[] = "/tmp/reactivate-bench-XXXXXX";
  if (!mkdtemp(dir)) return cli_error("bench: cannot create a temporary directory in /tmp"), 1;
  snprintf(cfg.path, sizeof cfg.path, "%s", dir);
  cfg.trainer.n_epochs = 50;
  rx_train_options opt = {.progress = mem_progress, .progress_ctx = probe};
  rx_train_result res;
  const int reset = reset_peak_rss();
  int rc = rx_train(&cfg, &opt, &res, &err);
  if (!reset) *peak = status_mb("VmHWM");
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (rc) return cli_error("bench: memory training run: %s", err.msg);
  return 0;
}

/* Exploration variance at docs/science.md §6 sizes: 500 quiescent trajectories of 2000 decoded
 * positions (random walks in the box), first 1000 steps dropped. Returns NAN when out of memory. */
static double measure_variance(void) {
  enum { T = 2000, B = 500 };
  float *x = malloc((size_t)T * B * 2 * sizeof(float));
  double *per = malloc(B * sizeof(double)), v = NAN;
  if (x && per) {
    for (int b = 0; b < B; b++) {
      rx_rng r;
      rx_rng_init(&r, 12345, RX_STREAM_ANALYSIS + 1, (uint32_t)b, 0, 0);
      double px = 0, py = 0;
      for (int t = 0; t < T; t++) {
        px = fmin(1.1, fmax(-1.1, px + 0.02 * rx_rng_normal(&r)));
        py = fmin(1.1, fmax(-1.1, py + 0.02 * rx_rng_normal(&r)));
        x[((size_t)t * B + b) * 2] = (float)px;
        x[((size_t)t * B + b) * 2 + 1] = (float)py;
      }
    }
    v = rx_total_variance(x, T, B, 2, 1000, 0, per);
  }
  free(x);
  free(per);
  return v;
}

/* Seconds of each probe (docs/probes.md) at its defaults (docs/science.md §12 sizes) over one
 * seed of the spatial set: the four vanilla runs at the paper's size (512 units; untrained,
 * model_0, which costs what a trained network costs) and the untrained control, each probe run
 * alone as `reactivate analyze <probe>` runs it (so score and diffusion each simulate the
 * awake-start runs they share with mixing). In a temporary directory, removed afterwards. */
static int measure_probes(double seconds[4]) {
  static const char *const runs[] = {"noisy_unbiased", "no-noise_unbiased", "noisy_biased",
                                     "no-noise_biased"};
  char dir[] = "/tmp/reactivate-bench-XXXXXX";
  if (!mkdtemp(dir)) return cli_error("bench: cannot create a temporary directory in /tmp"), 1;
  rx_error err = {{0}};
  int rc = 0;
  for (int i = 0; i < 4 && !rc; i++) {
    static rx_train_config cfg;
    char exp[128];
    snprintf(exp, sizeof exp, "spatial_navigation/%s", runs[i]);
    rc = rx_config_load(&cfg, exp, 0, NULL, &err);
    snprintf(cfg.path, sizeof cfg.path, "%s", dir);
    cfg.trainer.n_epochs = 0; /* model_0 and its test metrics only */
    if (!rc) rc = rx_train(&cfg, NULL, NULL, &err);
  }
  char path_arg[64];
  snprintf(path_arg, sizeof path_arg, "path=%s", dir);
  const char *ov[] = {path_arg};
  rx_analysis_config acfg;
  if (!rc) rc = rx_analysis_config_load(&acfg, 1, ov, &err);
  for (int p = 0; p < 4 && !rc; p++) {
    const double t0 = omp_get_wtime();
    rc = rx_analyze(&acfg, 1u << (RX_RESULTS_MIXING + p), NULL, NULL, &err);
    seconds[p] = omp_get_wtime() - t0;
  }
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (rc) return cli_error("bench: probes: %s", err.msg);
  return 0;
}

/* Seconds of the replay analysis (docs/replay.md) at its defaults (docs/science.md §13 sizes) for
 * one seed of each task, as the probes' bench builds its runs: the four vanilla runs at the
 * paper's size (untrained, model_0: 512 units and 512 place cells; 128 units and 512
 * head-direction cells) and the untrained control, `reactivate analyze replay` alone. In a
 * temporary directory, removed afterwards. */
static int measure_replay(double seconds[2]) {
  static const char *const runs[] = {"noisy_unbiased", "no-noise_unbiased", "noisy_biased",
                                     "no-noise_biased"};
  static const rx_task_kind tasks[2] = {RX_TASK_SPATIAL, RX_TASK_HEAD_DIRECTION};
  char dir[] = "/tmp/reactivate-bench-XXXXXX";
  if (!mkdtemp(dir)) return cli_error("bench: cannot create a temporary directory in /tmp"), 1;
  rx_error err = {{0}};
  int rc = 0;
  for (int t = 0; t < 2 && !rc; t++) {
    for (int i = 0; i < 4 && !rc; i++) {
      static rx_train_config cfg;
      char exp[128];
      snprintf(exp, sizeof exp, "%s/%s", rx_task_name(tasks[t]), runs[i]);
      rc = rx_config_load(&cfg, exp, 0, NULL, &err);
      snprintf(cfg.path, sizeof cfg.path, "%s", dir);
      cfg.trainer.n_epochs = 0; /* model_0 and its test metrics only */
      if (!rc) rc = rx_train(&cfg, NULL, NULL, &err);
    }
    char path_arg[64], task_arg[64];
    snprintf(path_arg, sizeof path_arg, "path=%s", dir);
    snprintf(task_arg, sizeof task_arg, "task=%s", rx_task_name(tasks[t]));
    const char *ov[] = {path_arg, task_arg};
    rx_analysis_config acfg;
    if (!rc) rc = rx_analysis_config_load(&acfg, 2, ov, &err);
    const double t0 = omp_get_wtime();
    if (!rc) rc = rx_analyze(&acfg, RX_ANALYZE_REPLAY, NULL, NULL, &err);
    seconds[t] = omp_get_wtime() - t0;
  }
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (rc) return cli_error("bench: replay: %s", err.msg);
  return 0;
}

/* A JSON string: the text with quotes, backslashes and control characters escaped. */
static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    const unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

/* "blas": {"library": ..., "config": ..., "core": ..., "threading": ..., "threads": n} */
static void print_blas_json(const rx_blas_info *b) {
  const char *key[4] = {"library", "config", "core", "threading"};
  const char *val[4] = {b->library, b->config, b->core, b->threading};
  printf("\"blas\": {");
  for (int i = 0; i < 4; i++) {
    printf("%s\"%s\": ", i ? ", " : "", key[i]);
    print_json_string(val[i]);
  }
  printf(", \"threads\": %d}", b->threads);
}

int cmd_bench(int argc, char **argv) {
  int json = 0;
  long long reps = 5, threads = 0, jobs = 0;
  const char *only = NULL;
  int mpi = 0, reps_given = 0;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (cli_is_help(o)) {
      fputs(help, stdout);
      return 0;
    } else if (!strcmp(o, "--json")) {
      json = 1;
    } else if (!strcmp(o, "--reps")) {
      if (cli_parse_int(o, i + 1 < argc ? argv[++i] : NULL, 1, 15, &reps)) return 2;
      reps_given = 1;
    } else if (!strcmp(o, "--jobs")) {
      if (cli_parse_int(o, i + 1 < argc ? argv[++i] : NULL, 1, 256, &jobs)) return 2;
    } else if (!strcmp(o, "--mpi")) {
      mpi = 1;
    } else if (!strcmp(o, "--threads")) {
      if (cli_parse_int(o, i + 1 < argc ? argv[++i] : NULL, 0, 1024, &threads)) return 2;
    } else if (!strcmp(o, "--only")) {
      only = i + 1 < argc ? argv[++i] : "";
      int known = 0;
      for (int w = 0; w < N_WORKLOADS; w++)
        known |= !strcmp(only, workloads[w].key);
      if (!known && strcmp(only, "mechanisms") && strcmp(only, "probes") &&
          strcmp(only, "replay") && strcmp(only, "scheduler"))
        return cli_error("--only: unknown workload '%s' (sn_rnn512, sn_rnn512_adaptation, "
                         "sn_rnn512_momentum, sn_gru512, hd_rnn128, mechanisms, probes, replay, "
                         "scheduler)",
                         only),
               2;
    } else {
      return cli_error("bench: unknown argument '%s' (see --help)", o), 2;
    }
  }
  if (only && !strcmp(only, "scheduler"))
    return cli_bench_scheduler(reps_given ? (int)reps : 3, json, mpi, (int)jobs, (int)threads);
  if (mpi || jobs)
    return cli_error("bench: --mpi and --jobs go with --only scheduler (see --help)"), 2;
  cli_set_threads((int)threads);
  const int n_threads = rx_get_threads();
  rx_blas_info blas;
  rx_blas_describe(&blas);
  double ms[N_WORKLOADS], gflops[N_WORKLOADS];
  int ran[N_WORKLOADS] = {0};
  double sgemm = measure_sgemm_gflops((int)reps);
  if (!json) {
    printf("reactivate bench: %d threads, BLAS kernel %s, sgemm %.1f GFLOP/s (2048^3), median of "
           "%lld steps\n",
           n_threads, blas.core, sgemm, reps);
    printf("  blas                 %s, core %s, %s threading, %d threads; config: %s\n",
           blas.library, blas.core, blas.threading, blas.threads, blas.config);
  }
  for (int w = 0; w < N_WORKLOADS; w++) {
    if (!selected(only, w)) continue;
    rx_error err = {{0}};
    rx_train_config cfg;
    const char *setting = workloads[w].setting;
    if (rx_config_load(&cfg, workloads[w].experiment, setting ? 1 : 0, &setting, &err))
      return cli_error("%s", err.msg);
    double times[16];
    double flops = 0;
    if (rx_train_benchmark(&cfg, (int)reps, times, &flops, &err)) return cli_error("%s", err.msg);
    double t = median(times, (int)reps);
    ms[w] = 1e3 * t;
    gflops[w] = flops / t / 1e9;
    ran[w] = 1;
    if (!json)
      printf("  %-20s %9.1f ms/step  %6.1f GFLOP/s (%.1f GFLOP)  %5.1f%% of sgemm\n",
             workloads[w].key, ms[w], gflops[w], flops / 1e9, 100.0 * gflops[w] / sgemm);
    if (!json && workloads[w].mechanism && ran[0])
      printf("  %-20s %9.3f x sn_rnn512's step (%s)\n", "", ms[w] / ms[0], workloads[w].setting);
  }
  double kl_times[16];
  int kl_reps = only ? 0 : (int)reps;
  /* the peak of the analysis: the KL matrix runs and the exploration variance */
  const int analysis_reset = only ? -1 : reset_peak_rss();
  for (int r = 0; r < kl_reps; r++)
    kl_times[r] = measure_kl_matrix_s();
  if (!only) measure_variance();
  const double analysis_peak = analysis_reset ? NAN : status_mb("VmHWM");
  double kl_s = kl_reps ? median(kl_times, kl_reps) : NAN;
  if (!json && kl_reps)
    printf("  %-20s %9.2f s  (6 x 4 KL matrix, docs/science.md §6 sizes, exact)\n", "kl_matrix",
           kl_s);
  double probes_s[4] = {NAN, NAN, NAN, NAN};
  const int probes = !only || !strcmp(only, "probes");
  if (probes && measure_probes(probes_s)) return 1;
  if (!json && probes)
    for (int p = 0; p < 4; p++)
      printf("  %-20s %9.1f s  (probe %s, docs/science.md §12 sizes, one spatial seed: %.2f of "
             "the 2-minute budget)\n",
             p ? "" : "probes_s", probes_s[p], rx_results_analysis_name(RX_RESULTS_MIXING + p),
             probes_s[p] / 120);
  double replay_s[2] = {NAN, NAN};
  const int replay = !only || !strcmp(only, "replay");
  if (replay && measure_replay(replay_s)) return 1;
  if (!json && replay)
    for (int t = 0; t < 2; t++)
      printf("  %-20s %9.1f s  (replay, docs/science.md §13 sizes, one %s seed: %.2f of the 60-s "
             "budget)\n",
             t ? "" : "replay_s", replay_s[t], t ? "head-direction" : "spatial", replay_s[t] / 60);
  double train_peak = NAN;
  mem_probe probe = {NAN, NAN};
  if (!only && measure_train_memory(&train_peak, &probe)) return 1;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (json) {
    printf("{\"train_step_ms\": {");
    for (int w = 0, first = 1; w < N_WORKLOADS; w++)
      if (ran[w]) printf("%s\"%s\": %.3f", first ? "" : ", ", workloads[w].key, ms[w]), first = 0;
    printf("}, \"gflops\": {");
    for (int w = 0, first = 1; w < N_WORKLOADS; w++)
      if (ran[w])
        printf("%s\"%s\": %.2f", first ? "" : ", ", workloads[w].key, gflops[w]), first = 0;
    printf("}");
    if (ran[0]) { /* each mechanism's step time over the paper cell's */
      int first = 1;
      for (int w = 0; w < N_WORKLOADS; w++)
        if (ran[w] && workloads[w].mechanism)
          printf("%s\"%s\": %.4f", first ? ", \"mechanism_ratio\": {" : ", ", workloads[w].key,
                 ms[w] / ms[0]),
              first = 0;
      if (!first) printf("}");
    }
    if (kl_reps) printf(", \"kl_matrix_s\": %.3f", kl_s);
    if (probes) {
      printf(", \"probes_s\": {");
      for (int p = 0; p < 4; p++)
        printf("%s\"%s\": %.2f", p ? ", " : "", rx_results_analysis_name(RX_RESULTS_MIXING + p),
               probes_s[p]);
      printf("}");
    }
    if (replay)
      printf(", \"replay_s\": {\"spatial_navigation\": %.2f, \"head_direction\": %.2f}",
             replay_s[0], replay_s[1]);
    if (!only) { /* null where /proc gave no figure */
      const char *key[4] = {"train_peak_rss_mb", "train_rss_mb_step10", "train_rss_mb_step50",
                            "analysis_peak_rss_mb"};
      const double val[4] = {train_peak, probe.rss_step10, probe.rss_step50, analysis_peak};
      for (int i = 0; i < 4; i++)
        isfinite(val[i]) ? printf(", \"%s\": %.1f", key[i], val[i])
                         : printf(", \"%s\": null", key[i]);
    }
    printf(", \"sgemm_gflops\": %.2f, \"threads\": %d, \"blas_kernel\": \"%s\", ", sgemm, n_threads,
           blas.core);
    print_blas_json(&blas);
    printf(", \"reps\": %lld, \"peak_rss_mb\": %.1f}\n", reps, ru.ru_maxrss / 1024.0);
  } else {
    if (!only) {
      printf("  memory               training sn_rnn512 (50 steps): peak %.0f MB; resident %.0f MB "
             "after step "
             "10, %.0f MB after step 50\n",
             train_peak, probe.rss_step10, probe.rss_step50);
      printf("  memory               analysis (KL matrix + variance of 500 x 2000 outputs): peak "
             "%.0f MB\n",
             analysis_peak);
    }
    printf("  peak resident memory %.0f MB (whole bench process)\n", ru.ru_maxrss / 1024.0);
  }
  return 0;
}
