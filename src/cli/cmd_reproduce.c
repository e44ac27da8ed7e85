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

typedef struct reproduction {
  const rx_plan *plan;
  const char *profile;
  int quiet;
} reproduction;

static int write_report(void *ctx, cli_plan_run *run, rx_error *err) {
  const reproduction *r = ctx;
  rx_report_config rc_cfg;
  rx_report_config_default(&rc_cfg);
  snprintf(rc_cfg.path, sizeof rc_cfg.path, "%s", r->plan->out);
  snprintf(rc_cfg.gaussian, sizeof rc_cfg.gaussian, "%s", r->plan->gaussian_out);
  snprintf(rc_cfg.profile, sizeof rc_cfg.profile, "%s", r->profile);
  rc_cfg.settings = r->plan->settings;
  rc_cfg.n_seeds = r->plan->n_seeds;
  memcpy(rc_cfg.seeds, r->plan->seeds, (size_t)r->plan->n_seeds * sizeof r->plan->seeds[0]);
  rc_cfg.wall_s = run->wall_s;
  rc_cfg.machine = run->machine;
  return rx_report_write(&rc_cfg, r->quiet ? NULL : report_log, run, err);
}

int cmd_reproduce(int argc, char **argv) {
  const char *profile = "quick";
  cli_plan_options o = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int status;
    if (cli_is_help(a)) {
      fputs(help, stdout);
      return 0;
    } else if (cli_plan_option(&o, "reproduce", argc, argv, &i, &status)) {
      if (status) return status;
    } else if (!strcmp(a, "--profile")) {
      if (i + 1 >= argc) return cli_error("reproduce: %s needs a value", a) + 1;
      profile = argv[++i];
    } else {
      return cli_error("reproduce: unknown argument '%s' (see reactivate reproduce --help)", a) + 1;
    }
  }
  int seeds[RX_PLAN_MAX_SEEDS], n_seeds = 0;
  int rc = cli_plan_prepare(&o, "reproduce", profile, "", seeds, &n_seeds);
  if (rc) return rc;
  rx_error err = {{0}};
  rx_plan *plan = NULL;
  if (rx_plan_create(&plan, profile, o.out, seeds, n_seeds, &err)) return cli_error("%s", err.msg);
  if (o.dry_run) {
    cli_plan_print(plan);
    rx_plan_free(plan);
    return 0;
  }
  reproduction r = {.plan = plan, .profile = profile, .quiet = o.quiet};
  cli_plan_report report = {.write = write_report, .ctx = &r, .also = "report.md"};
  snprintf(report.main, sizeof report.main, "%s/report.html", o.out);
  snprintf(report.logs, sizeof report.logs, "%s/logs/", o.out);
  rc = cli_plan_execute(plan, &o, "reproduce", "profile", &report);
  rx_plan_free(plan);
  return rc;
}
