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
    "usage: reactivate analyze ANALYSIS ... [key=value ...] [options]\n"
    "       reactivate analyze diffusion|score --trajectories F.npz [--key K] [--reference G.npz\n"
    "                          [--reference-key K]] --out R.json [key=value ...]\n"
    "\n"
    "ANALYSIS: kl, variance, distance, pca, heading (the paper's, docs/science.md §6), mixing,\n"
    "score, temperature, diffusion (the \"is it sampling?\" probes, docs/probes.md), or all.\n"
    "\n"
    "Analyses the runs of one seed found under <path>/<task>/: the distribution match\n"
    "KL(quiescent || active) against the random-network and uniform controls (kl),\n"
    "quiescent exploration (variance), step-wise distance (distance), dimensionality and\n"
    "geometry of hidden states (pca) and, for head direction, heading distributions and\n"
    "angular velocities (heading); docs/science.md §6 gives each one's formula and\n"
    "defaults. Missing runs are reported and skipped. Writes\n"
    "<analysis>_<noise>_<seed>.json (keyed by run name, and random / uniform) and an .npz\n"
    "of the arrays the figures use, into <path>/<task>/.\n"
    "The probes run every network of the seed (and the untrained control) quiescent:\n"
    "from three starts for 5000 steps (mixing: KL per window of 250 steps, mixing time),\n"
    "the binned drift against the score of the awake density (score), at noise k x sigma2\n"
    "for k in 0.5..8 (temperature: fitted beta_k against 2/k), and the mean squared\n"
    "displacement and step sizes (diffusion). They use the default quiescence rule only.\n"
    "\n"
    "With --trajectories, diffusion and score analyse trajectories from a file instead\n"
    "(recorded or synthetic): array K (default decoded, as `simulate` writes it) of shape\n"
    "(B, T, 2) positions or (B, T) headings; score compares their drift with the score of\n"
    "the KDE of an independent sample --reference G.npz. Writes R.json and R.npz.\n"
    "\n"
    "Settings (defaults in configs/analysis/base.yml, all overridable), e.g.:\n"
    "  task=spatial_navigation seed=0 noise=0.0001 epoch=2500 path=results\n"
    "  t_quiescent=1000 batch_size=200 kl.n_samples=2500 gru=true\n"
    "  mixing.t_total=5000 score.n_perm=200 temperature.k=0.5,1,2,4,8 diffusion.tau_max=100\n"
    "\n"
    "options:\n"
    "  --quiet       print nothing but errors\n"
    "  --threads N   threads (default: all cores)\n";

#define ANALYSES "kl, variance, distance, pca, heading, mixing, score, temperature, diffusion, all"

/* The options of the trajectories-from-a-file form, taken out of argv before the settings are
 * parsed. */
typedef struct file_opts {
  const char *trajectories, *key, *reference, *reference_key, *out;
  int given;
} file_opts;

static int take_file_opts(int *argc, char **argv, file_opts *f) {
  static const char *const names[] = {"--trajectories", "--key", "--reference", "--reference-key",
                                      "--out"};
  const char **slots[] = {&f->trajectories, &f->key, &f->reference, &f->reference_key, &f->out};
  memset(f, 0, sizeof *f);
  int n = 1;
  for (int i = 1; i < *argc; i++) {
    int k = 0;
    while (k < 5 && strcmp(argv[i], names[k]))
      k++;
    if (k == 5) {
      argv[n++] = argv[i];
      continue;
    }
    if (i + 1 >= *argc || !argv[i + 1][0])
      return cli_error("analyze: %s needs a value", names[k]) + 1;
    *slots[k] = argv[++i];
    f->given = 1;
  }
  *argc = n;
  return 0;
}

/* A bare word names an analysis (its file name, results.h) or all; ctx accumulates the mask. */
static int add_analysis(void *ctx, const char *w) {
  const int a = rx_results_analysis_find(w);
  if (a >= 0 || !strcmp(w, "all")) {
    *(unsigned *)ctx |= a >= 0 ? 1u << a : (unsigned)RX_ANALYZE_ALL;
    return 0;
  }
  return cli_error("analyze: unknown analysis '%s' (" ANALYSES ")", w) + 1;
}

int cmd_analyze(int argc, char **argv) {
  unsigned kinds = 0;
  file_opts fo;
  int rc = take_file_opts(&argc, argv, &fo);
  if (rc) return rc;
  cli_settings_args args;
  rc = cli_parse_settings_args(argc, argv, "analyze", help, add_analysis, &kinds, &args);
  if (rc) return rc < 0 ? 0 : rc;
  if (fo.given) {
    int which = -1;
    for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++)
      if (kinds == 1u << a) which = a;
    if (!fo.trajectories) {
      cli_settings_free(&args);
      return cli_error("analyze: --key, --reference and --out go with --trajectories F.npz") + 1;
    }
    if (which != RX_RESULTS_DIFFUSION && which != RX_RESULTS_SCORE) {
      cli_settings_free(&args);
      return cli_error("analyze: --trajectories and its options go with exactly one of "
                       "diffusion or score") +
             1;
    }
    cli_set_threads((int)args.threads);
    rx_error err = {{0}};
    rx_analysis_config cfg;
    rc = rx_analysis_config_load(&cfg, args.n_settings, args.settings, &err);
    const int quiet = args.quiet;
    cli_settings_free(&args);
    if (rc) return cli_error("%s", err.msg);
    rx_probe_file_request req = {which,        fo.trajectories,  fo.key,
                                 fo.reference, fo.reference_key, fo.out};
    double t0 = omp_get_wtime();
    if (rx_analyze_file(&cfg, &req, quiet ? NULL : cli_log_line, &t0, &err))
      return cli_error("%s", err.msg);
    return 0;
  }
  if (!kinds) {
    cli_settings_free(&args);
    return cli_error("analyze: name an analysis (" ANALYSES ")") + 1;
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
