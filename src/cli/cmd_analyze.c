/* reactivate analyze: the offline-reactivation analyses of one (task, seed, noise) over the runs
 * found in the results directory; the work is rx_analyze's, this file parses and reports. */
#include <math.h>
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
    "       reactivate analyze replay --posterior F.npz [--key K] [--circular] --out R.json\n"
    "       reactivate analyze replay --trajectories F.npz [--key K] [--track L] --out R.json\n"
    "\n"
    "ANALYSIS: kl, variance, distance, pca, heading (the paper's, docs/science.md §6), mixing,\n"
    "score, temperature, diffusion (the \"is it sampling?\" probes, docs/probes.md), replay\n"
    "(sequences in quiescent activity, docs/replay.md), or all.\n"
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
    "Replay decodes each network's quiescent outputs (200 trajectories x 1000 steps after\n"
    "200) and its awake test batch to a posterior over 5 cm or 5-degree bins, cuts them into\n"
    "events of 25 steps and scores each against shuffles (the line score on the ring, the\n"
    "constant-velocity path score in the plane): the fraction of significant events, replay\n"
    "speeds and the compression over the awake speed. Default quiescence rule only.\n"
    "Families: gru=true analyses the GRU runs; mechanisms=true the paper cell and the runs\n"
    "trained with adaptation and momentum, as trained and switched on or off offline\n"
    "(files *_mech_*, docs/mechanisms.md). rnn.adaptation_strength, rnn.adaptation_tau and\n"
    "rnn.momentum replace the trained mechanism in every quiescent run analysed (files\n"
    "*_offline_<settings>_*), e.g. rnn.momentum=0.5 gives the paper's networks momentum.\n"
    "\n"
    "With --trajectories, diffusion and score analyse trajectories from a file instead\n"
    "(recorded or synthetic): array K (default decoded, as `simulate` writes it) of shape\n"
    "(B, T, 2) positions or (B, T) headings; score compares their drift with the score of\n"
    "the KDE of an independent sample --reference G.npz. Writes R.json and R.npz.\n"
    "Replay scores events from a file, one event per row: --posterior F.npz, array K\n"
    "(default posterior) of shape (events, steps, bins), with the line score (--circular:\n"
    "the bins are a ring; speeds in bins per step); or --trajectories F.npz, array K\n"
    "(default decoded) of (events, steps, 2) points (the path score) or (events, steps)\n"
    "headings in radians (one-hot over 5-degree bins, the circular line score); with\n"
    "--track L, positions along a linear track of L m centred on 0 ((events, steps), or\n"
    "the x of (events, steps, 2)), one-hot over 5 cm bins, the line score without wrap.\n"
    "\n"
    "Settings (defaults in configs/analysis/base.yml, all overridable), e.g.:\n"
    "  task=spatial_navigation seed=0 noise=0.0001 epoch=2500 path=results\n"
    "  t_quiescent=1000 batch_size=200 kl.n_samples=2500 gru=true\n"
    "  mixing.t_total=5000 score.n_perm=200 temperature.k=0.5,1,2,4,8 diffusion.tau_max=100\n"
    "  replay.batch_size=200 replay.event_steps=25 replay.n_shuffles=200 replay.bin_size=0.05\n"
    "\n"
    "options:\n"
    "  --quiet       print nothing but errors\n"
    "  --threads N   threads (default: all cores)\n";

#define ANALYSES                                                                                   \
  "kl, variance, distance, pca, heading, mixing, score, temperature, diffusion, replay, all"

/* The options of the data-from-a-file forms, taken out of argv before the settings are
 * parsed. */
typedef struct file_opts {
  const char *trajectories, *key, *reference, *reference_key, *out, *posterior, *track;
  int circular, given;
} file_opts;

static int take_file_opts(int *argc, char **argv, file_opts *f) {
  enum { N = 7 };
  static const char *const names[N] = {"--trajectories",  "--key", "--reference",
                                       "--reference-key", "--out", "--posterior",
                                       "--track"};
  const char **slots[N] = {&f->trajectories, &f->key,       &f->reference, &f->reference_key,
                           &f->out,          &f->posterior, &f->track};
  memset(f, 0, sizeof *f);
  int n = 1;
  for (int i = 1; i < *argc; i++) {
    if (!strcmp(argv[i], "--circular")) {
      f->circular = f->given = 1;
      continue;
    }
    int k = 0;
    while (k < N && strcmp(argv[i], names[k]))
      k++;
    if (k == N) {
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

/* What is wrong with the file options for analysis `which` (-1: not exactly one), or NULL. */
static const char *file_opts_problem(const file_opts *f, int which) {
  if (which == RX_RESULTS_REPLAY) {
    if (!f->trajectories == !f->posterior)
      return "analyze replay: give one of --posterior F.npz or --trajectories F.npz";
    if (f->reference || f->reference_key) return "analyze replay: --reference goes with score";
    if (f->circular && !f->posterior)
      return "analyze replay: --circular goes with --posterior (headings are always on the ring)";
    if (f->track && !f->trajectories)
      return "analyze replay: --track goes with --trajectories (a posterior's bins are given)";
    return NULL;
  }
  if (f->track) return "analyze: --track goes with replay --trajectories";
  if (!f->trajectories && !f->posterior)
    return "analyze: --key, --reference and --out go with --trajectories F.npz";
  if (which != RX_RESULTS_DIFFUSION && which != RX_RESULTS_SCORE)
    return "analyze: --trajectories and its options go with exactly one of diffusion, score or "
           "replay";
  if (f->posterior || f->circular) return "analyze: --posterior and --circular go with replay";
  return NULL;
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
    const char *problem = file_opts_problem(&fo, which);
    if (problem) {
      cli_settings_free(&args);
      return cli_error("%s", problem) + 1;
    }
    cli_set_threads((int)args.threads);
    rx_error err = {{0}};
    rx_analysis_config cfg;
    rc = rx_analysis_config_load(&cfg, args.n_settings, args.settings, &err);
    const int quiet = args.quiet;
    cli_settings_free(&args);
    if (rc) return cli_error("%s", err.msg);
    double track = 0;
    if (fo.track) {
      char *end = NULL;
      track = strtod(fo.track, &end);
      if (!end || *end || !(track > 0) || !isfinite(track))
        return cli_error("analyze replay: --track %s: the track's length must be a number > 0 (m)",
                         fo.track) +
               1;
    }
    rx_probe_file_request req = {which,        fo.trajectories,  fo.key,
                                 fo.reference, fo.reference_key, fo.out,
                                 fo.posterior, fo.circular,      track};
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
