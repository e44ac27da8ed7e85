/* reactivate analyze: the offline-reactivation analyses of one (task, seed, noise) over the runs
 * found in the results directory; the work is rx_analyze's, this file parses and reports. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/analyze.h"
#include "reactivate/results.h"

static const char help[] =
    "usage: reactivate analyze kl|variance|distance|pca|heading|all [key=value ...] [options]\n"
    "\n"
    "Analyses the runs of one seed found under <path>/<task>/: the distribution match\n"
    "KL(quiescent || active) against the random-network and uniform controls (kl),\n"
    "quiescent exploration (variance), step-wise distance (distance), dimensionality and\n"
    "geometry of hidden states (pca) and, for head direction, heading distributions and\n"
    "angular velocities (heading); docs/science.md §6 gives each one's formula and\n"
    "defaults. Missing runs are reported and skipped. Writes\n"
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

/* A bare word names an analysis (its file name, results.h) or all; ctx accumulates the mask. */
static int add_analysis(void *ctx, const char *w) {
  const int a = rx_results_analysis_find(w);
  if (a >= 0 || !strcmp(w, "all")) {
    *(unsigned *)ctx |= a >= 0 ? 1u << a : (unsigned)RX_ANALYZE_ALL;
    return 0;
  }
  return cli_error("analyze: unknown analysis '%s' (kl, variance, distance, pca, heading, all)",
                   w) +
         1;
}

int cmd_analyze(int argc, char **argv) {
  unsigned kinds = 0;
  cli_settings_args args;
  int rc = cli_parse_settings_args(argc, argv, "analyze", help, add_analysis, &kinds, &args);
  if (rc) return rc < 0 ? 0 : rc;
  if (!kinds) {
    cli_settings_free(&args);
    return cli_error("analyze: name an analysis (kl, variance, distance, pca, heading, all)") + 1;
  }
  cli_set_threads((int)args.threads);
  rx_error err = {{0}};
  rx_analysis_config cfg;
  rc = rx_analysis_config_load(&cfg, args.n_settings, args.settings, &err);
  cli_settings_free(&args);
  if (rc) return cli_error("%s", err.msg);
  double t0 = omp_get_wtime();
  if (rx_analyze(&cfg, kinds, args.quiet ? NULL : cli_log_line, &t0, &err))
    return cli_error("%s", err.msg);
  return 0;
}
