/* reactivate analyze: the offline-reactivation analyses of one (task, seed, noise) over the runs
 * found in the results directory; the work is rx_analyze's, this file parses and reports. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/analyze.h"

static const char help[] =
    "usage: reactivate analyze kl|variance|distance|pca|heading|all [key=value ...] [options]\n"
    "\n"
    "Analyses the runs of one seed found under <path>/<task>/ (SPEC §6): the distribution\n"
    "match KL(quiescent || active) against the random-network and uniform controls (kl),\n"
    "quiescent exploration (variance), step-wise distance (distance), dimensionality and\n"
    "geometry of hidden states (pca) and, for head direction, heading distributions and\n"
    "angular velocities (heading). Missing runs are reported and skipped. Writes\n"
    "<analysis>_<noise>_<seed>.json (keyed by run name, and random / uniform) and an .npz\n"
    "of the arrays the figures use, into <path>/<task>/.\n"
    "\n"
    "Settings (defaults in configs/analysis/base.yml, all overridable), e.g.:\n"
    "  task=spatial_navigation seed=0 noise=0.0001 epoch=2500 path=results\n"
    "  t_quiescent=1000 batch_size=200 kl.n_samples=2500 gru=true\n"
    "\n"
    "options:\n"
    "  --quiet       print nothing but errors\n"
    "  --threads N   threads (default: all cores)\n";

static void print_line(void *ctx, const char *line) {
  double t0 = *(const double *)ctx;
  fprintf(stderr, "[%7.1fs] %s\n", omp_get_wtime() - t0, line);
}

int cmd_analyze(int argc, char **argv) {
  static const struct {
    const char *name;
    unsigned kinds;
  } which[] = {{"kl", RX_ANALYZE_KL},       {"variance", RX_ANALYZE_VARIANCE},
               {"distance", RX_ANALYZE_DISTANCE}, {"pca", RX_ANALYZE_PCA},
               {"heading", RX_ANALYZE_HEADING},   {"all", RX_ANALYZE_ALL}};
  unsigned kinds = 0;
  int quiet = 0, n_over = 0;
  long long threads = 0;
  const char **over = calloc((size_t)argc + 1, sizeof(char *));
  if (!over) return cli_error("out of memory");
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) {
      fputs(help, stdout);
      free(over);
      return 0;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      quiet = 1;
    } else if (!strcmp(a, "--threads")) {
      rc = cli_parse_int("--threads", i + 1 < argc ? argv[++i] : NULL, 0, 1024, &threads) ? 2 : 0;
    } else if (strchr(a, '=')) {
      over[n_over++] = a;
    } else if (a[0] == '-') {
      rc = cli_error("analyze: unknown option '%s' (see reactivate analyze --help)", a) + 1;
    } else {
      unsigned k = 0;
      for (size_t w = 0; w < sizeof which / sizeof which[0]; w++)
        if (!strcmp(a, which[w].name)) k = which[w].kinds;
      if (!k)
        rc = cli_error("analyze: unknown analysis '%s' (kl, variance, distance, pca, heading, all)", a) + 1;
      kinds |= k;
    }
  }
  if (!rc && !kinds) rc = cli_error("analyze: name an analysis (kl, variance, distance, pca, heading, all)") + 1;
  if (rc) {
    free(over);
    return rc;
  }
  cli_set_threads((int)threads);
  rx_error err = {{0}};
  rx_analysis_config cfg;
  rc = rx_analysis_config_load(&cfg, n_over, over, &err);
  free(over);
  if (rc) return cli_error("%s", err.msg);
  double t0 = omp_get_wtime();
  if (rx_analyze(&cfg, kinds, quiet ? NULL : print_line, &t0, &err)) return cli_error("%s", err.msg);
  return 0;
}
