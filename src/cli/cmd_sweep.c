/* reactivate sweep: a grid of config overrides × seeds, each point trained and analysed as in
 * a reproduction. The sweep and its plan are the library's (reactivate/sweep.h); the executor
 * (plan_run.c) runs the plan as `reproduce` does, resuming and skipping finished steps; this
 * file writes the sweep report at the end. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/sweep.h"

static const char help[] =
    "usage: reactivate sweep FILE.yml [--seeds LIST] [--jobs N] [--out DIR] [--threads N]\n"
    "                        [--mpi] [--dry-run] [--quiet]\n"
    "\n"
    "Runs a sweep: every point of the grid in FILE.yml (the cartesian product of the values\n"
    "of its keys, e.g. rnn.sigma2_rec: [1.0e-5, 1.0e-4, 1.0e-3]) times the seeds, on the\n"
    "experiments it names, each point trained and analysed as in a reproduction of the\n"
    "profile it extends, under DIR/points/<key=value,...>/. Then writes DIR/sweep.json,\n"
    "DIR/sweep.md and DIR/sweep.html: every summary statistic of the analyses (KL to the\n"
    "own awake outputs, variance, step distance, mixing plateau, score cosine, alpha,\n"
    "replay's significant events, ...) per point, task and experiment, mean ± s.d. over\n"
    "seeds, and a figure per statistic against the swept values (DIR/figures/). Safe to\n"
    "interrupt (Ctrl-C): run the same command again to continue; finished steps are\n"
    "skipped, so a rerun of a finished sweep only rewrites the same report.\n"
    "\n"
    "options:\n"
    "  FILE.yml      the sweep file (configs/sweep/*.yml show the format; docs/sweep.md)\n"
    "  --seeds LIST  seeds instead of the file's, in any order, each once: 3, 0-4, 0,2,5-7\n"
    "  --jobs N      steps run at the same time, as separate processes (default: one per\n"
    "                core, at most 8); the threads are shared out between them\n"
    "  --out DIR     results root (default: results/sweep_<file name>)\n"
    "  --threads N   threads in all (default: all cores)\n"
    "  --dry-run     print the plan (each step's command and whether it is done) and stop\n"
    "  --quiet       print only errors and the final summary\n"
    "  --mpi         run the steps over MPI ranks: mpirun -np N reactivate sweep ... --mpi;\n"
    "                rank 0 hands out the steps and writes the report, every rank runs\n"
    "                steps; --jobs and --threads are then per rank; DIR must be on a\n"
    "                filesystem all nodes share; the results are those of a local run\n"
    "                (docs/cluster.md)\n"
    "\n"
    "Each step's output goes to DIR/points/<point>/logs/. The format, the layout and the\n"
    "report: docs/sweep.md.\n";

static void report_log(void *ctx, const char *line) { cli_plan_say(ctx, "report: %s", line); }

typedef struct sweep_run {
  const rx_sweep *sw;
  int quiet;
} sweep_run;

static int write_report(void *ctx, cli_plan_run *run, rx_error *err) {
  const sweep_run *s = ctx;
  return rx_sweep_report_write(s->sw, s->quiet ? NULL : report_log, run, err);
}

int cmd_sweep(int argc, char **argv) {
  const char *file = NULL;
  cli_plan_options o = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int status;
    if (cli_is_help(a)) {
      fputs(help, stdout);
      return 0;
    } else if (cli_plan_option(&o, "sweep", argc, argv, &i, &status)) {
      if (status) return status;
    } else if (a[0] == '-' || file) {
      return cli_error("sweep: unknown argument '%s' (see reactivate sweep --help)", a) + 1;
    } else {
      file = a;
    }
  }
  if (!file) return cli_error("sweep: no sweep file (see reactivate sweep --help)") + 1;
  int seeds[RX_PLAN_MAX_SEEDS], n_seeds = 0;
  int rc = cli_plan_prepare(&o, "sweep", file, "sweep_", seeds, &n_seeds);
  if (rc) return rc;
  rx_error err = {{0}};
  rx_sweep *sw = NULL;
  if (rx_sweep_create(&sw, file, o.out, seeds, n_seeds, &err)) return cli_error("%s", err.msg);
  if (o.dry_run) {
    cli_plan_print(sw->plan);
    rx_sweep_free(sw);
    return 0;
  }
  sweep_run sr = {.sw = sw, .quiet = o.quiet};
  cli_plan_report report = {.write = write_report,
                            .ctx = &sr,
                            .also = "sweep.html, sweep.json",
                            .logs = "the points' logs/"};
  snprintf(report.main, sizeof report.main, "%s/sweep.md", o.out);
  rc = cli_plan_execute(sw->plan, &o, "sweep", "sweep", &report);
  rx_sweep_free(sw);
  return rc;
}
