/* reactivate reproduce: the paper end to end. The plan (profile → train / analyze / figures
 * command lines, what is already done) is the library's; the executor (plan_run.c) runs it on a
 * pool of child processes of this same binary with progress; this file writes the report at the
 * end. Every step resumes or is skipped when finished, so an interrupted reproduction continues
 * where it stopped when run again. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/report.h"
#include "reactivate/reproduce.h"

static const char help[] =
    "usage: reactivate reproduce [--profile quick|paper|mechanisms|mini|FILE] [--seeds LIST]\n"
    "                            [--jobs N] [--out DIR] [--threads N] [--mpi] [--dry-run]\n"
    "                            [--quiet]\n"
    "\n"
    "Reproduces the paper end to end: trains every run of the experiment set that is not\n"
    "finished yet (resuming partial ones), runs every analysis, draws every figure and writes\n"
    "DIR/report.html and DIR/report.md with the run table, the KL matrix, variance and\n"
    "distance tables, the figures and a checklist of the paper's claims judged from the\n"
    "measured numbers. Safe to interrupt (Ctrl-C) at any time: it stops with exit status\n"
    "130 (128 + the signal; SIGTERM: 143); run the same command again to continue, and the\n"
    "results are the same as those of an uninterrupted run.\n"
    "\n"
    "options:\n"
    "  --profile P   quick (default: reduced sizes, one seed, 7-8 minutes on 2 cores),\n"
    "                paper (published sizes, 5 seeds, plus zero-mean Gaussian noise),\n"
    "                mechanisms (quick, plus adaptation and momentum trained and switched\n"
    "                offline: docs/mechanisms.md, about 3 minutes more),\n"
    "                mini (seconds, for smoke tests), or a profile YAML file of your own\n"
    "                (configs/reproduce/*.yml show the format)\n"
    "  --seeds LIST  seeds instead of the profile's, in any order, each once: 3, 0-4,\n"
    "                0,2,5-7\n"
    "  --jobs N      steps run at the same time, as separate processes (default: one per\n"
    "                core, at most 8); the threads are shared out between them\n"
    "  --out DIR     results root (default: results/<profile>, e.g. results/quick)\n"
    "  --threads N   threads in all (default: all cores)\n"
    "  --mpi         run the steps over MPI ranks: mpirun -np N reactivate reproduce ... --mpi;\n"
    "                rank 0 hands out the steps as their dependencies finish and writes the\n"
    "                report, every rank runs steps; --jobs and --threads are then per rank\n"
    "                (default: 1 step at a time on OMP_NUM_THREADS threads, else the node's\n"
    "                cores over its ranks); DIR must be on a filesystem all nodes share; the\n"
    "                results are those of a local run (docs/cluster.md)\n"
    "  --dry-run     print the plan (each step's command and whether it is done) and stop\n"
    "  --quiet       print only errors and the final summary\n"
    "\n"
    "Each step's output goes to DIR/logs/. Results layout: docs/formats.md; the report:\n"
    "docs/report.md.\n";

static void report_log(void *ctx, const char *line) { cli_plan_say(ctx, "report: %s", line); }

int cmd_reproduce(int argc, char **argv) {
  const char *profile = "quick", *out = NULL, *seeds_text = NULL;
  long long jobs = 0, threads = 0;
  int dry_run = 0, quiet = 0, mpi = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (cli_is_help(a)) {
      fputs(help, stdout);
      return 0;
    } else if (!strcmp(a, "--profile") || !strcmp(a, "--out") || !strcmp(a, "--seeds")) {
      if (!next) return cli_error("reproduce: %s needs a value", a) + 1;
      *(!strcmp(a, "--profile") ? &profile : !strcmp(a, "--out") ? &out : &seeds_text) = next;
      i++;
    } else if (!strcmp(a, "--jobs")) {
      if (cli_parse_int("--jobs", next, 1, 256, &jobs)) return 2;
      i++;
    } else if (!strcmp(a, "--threads")) {
      if (cli_parse_int("--threads", next, 0, 1024, &threads)) return 2;
      i++;
    } else if (!strcmp(a, "--mpi")) {
      mpi = 1;
    } else if (!strcmp(a, "--dry-run")) {
      dry_run = 1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      quiet = 1;
    } else {
      return cli_error("reproduce: unknown argument '%s' (see reactivate reproduce --help)", a) + 1;
    }
  }
  /* Each profile its own root: a quick run must never be resumed as a paper-size one. */
  char default_out[600];
  if (!out) {
    const char *base = strrchr(profile, '/') ? strrchr(profile, '/') + 1 : profile;
    size_t len = strcspn(base, ".");
    snprintf(default_out, sizeof default_out, "results/%.*s", (int)(len < 500 ? len : 500), base);
    out = default_out;
  }
  if (mpi && cli_plan_check_mpi("reproduce")) return 1;
  rx_error err = {{0}};
  int seeds[RX_PLAN_MAX_SEEDS], n_seeds = 0;
  if (seeds_text && rx_seed_list_parse(seeds_text, seeds, RX_PLAN_MAX_SEEDS, &n_seeds, NULL, &err))
    return cli_error("reproduce: --seeds: %s", err.msg) + 1;
  rx_plan *plan = NULL;
  if (rx_plan_create(&plan, profile, out, seeds, n_seeds, &err)) return cli_error("%s", err.msg);
  if (dry_run) {
    cli_plan_print(plan);
    rx_plan_free(plan);
    return 0;
  }

  cli_plan_run run = {.command = "reproduce",
                      .kind = "profile",
                      .jobs = (int)jobs,
                      .threads = (int)threads,
                      .quiet = quiet,
                      .mpi = mpi};
  int rc = cli_plan_run_steps(plan, &run);
  if (run.rank > 0) { /* an MPI worker: rank 0 has the outcome and writes the report */
    rc = rc ? rc : cli_plan_stopped() ? 128 + cli_plan_stopped() : 0;
    cli_plan_end(&run);
    rx_plan_free(plan);
    return rc;
  }
  char wall[32];
  cli_format_duration(run.wall_s, wall, sizeof wall);
  if (!rc && cli_plan_stopped()) {
    fprintf(stderr,
            "reactivate: reproduce stopped by signal after %s; finished steps are kept and running "
            "trainings saved a checkpoint: run the same command again to continue\n",
            wall);
    rc = 128 + cli_plan_stopped();
  } else if (!rc) {
    rx_report_config rc_cfg;
    rx_report_config_default(&rc_cfg);
    snprintf(rc_cfg.path, sizeof rc_cfg.path, "%s", plan->out);
    snprintf(rc_cfg.gaussian, sizeof rc_cfg.gaussian, "%s", plan->gaussian_out);
    snprintf(rc_cfg.profile, sizeof rc_cfg.profile, "%s", profile);
    rc_cfg.settings = plan->settings;
    rc_cfg.n_seeds = plan->n_seeds;
    memcpy(rc_cfg.seeds, plan->seeds, (size_t)plan->n_seeds * sizeof plan->seeds[0]);
    rc_cfg.wall_s = run.wall_s;
    rc_cfg.machine = run.machine;
    if (rx_report_write(&rc_cfg, quiet ? NULL : report_log, &run, &err)) {
      rc = cli_error("%s", err.msg);
    } else if (cli_plan_stopped()) { /* the signal came while the report was written */
      fprintf(stderr,
              "reactivate: reproduce stopped by signal after %s, while the report was written; "
              "run the same command again to finish it\n",
              wall);
      rc = 128 + cli_plan_stopped();
    } else if (run.n_failed) {
      rc = cli_error("reproduce: %d step%s failed (see the messages above and %s/logs/); the "
                     "report covers what finished: %s/report.html",
                     run.n_failed, run.n_failed > 1 ? "s" : "", out, out);
    } else {
      fprintf(stderr, "reproduce: finished in %s; report: %s/report.html (and report.md)\n", wall,
              out);
    }
  }
  cli_plan_end(&run);
  rx_plan_free(plan);
  return rc;
}
