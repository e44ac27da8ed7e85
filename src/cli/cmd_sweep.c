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

int cmd_sweep(int argc, char **argv) {
  const char *file = NULL, *out = NULL, *seeds_text = NULL;
  long long jobs = 0, threads = 0;
  int dry_run = 0, quiet = 0;
  cli_plan_run run = {.command = "sweep", .kind = "sweep"};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (cli_is_help(a)) {
      fputs(help, stdout);
      return 0;
    } else if (!strcmp(a, "--out") || !strcmp(a, "--seeds")) {
      if (!next) return cli_error("sweep: %s needs a value", a) + 1;
      *(!strcmp(a, "--out") ? &out : &seeds_text) = next;
      i++;
    } else if (!strcmp(a, "--jobs")) {
      if (cli_parse_int("--jobs", next, 1, 256, &jobs)) return 2;
      i++;
    } else if (!strcmp(a, "--threads")) {
      if (cli_parse_int("--threads", next, 0, 1024, &threads)) return 2;
      i++;
    } else if (!strcmp(a, "--dry-run")) {
      dry_run = 1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      quiet = 1;
    } else if (!strcmp(a, "--mpi")) {
      run.mpi = 1;
    } else if (a[0] == '-' || file) {
      return cli_error("sweep: unknown argument '%s' (see reactivate sweep --help)", a) + 1;
    } else {
      file = a;
    }
  }
  if (!file) return cli_error("sweep: no sweep file (see reactivate sweep --help)") + 1;
  /* Each sweep file its own root: results/sweep_<name> */
  char default_out[600];
  if (!out) {
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    size_t len = strcspn(base, ".");
    snprintf(default_out, sizeof default_out, "results/sweep_%.*s", (int)(len < 500 ? len : 500),
             base);
    out = default_out;
  }
  if (run.mpi && cli_plan_check_mpi("sweep")) return 1;
  rx_error err = {{0}};
  int seeds[RX_PLAN_MAX_SEEDS], n_seeds = 0;
  if (seeds_text && rx_seed_list_parse(seeds_text, seeds, RX_PLAN_MAX_SEEDS, &n_seeds, NULL, &err))
    return cli_error("sweep: --seeds: %s", err.msg) + 1;
  rx_sweep *sw = NULL;
  if (rx_sweep_create(&sw, file, out, seeds, n_seeds, &err)) return cli_error("%s", err.msg);
  if (dry_run) {
    cli_plan_print(sw->plan);
    rx_sweep_free(sw);
    return 0;
  }

  run.jobs = (int)jobs;
  run.threads = (int)threads;
  run.quiet = quiet;
  int rc = cli_plan_run_steps(sw->plan, &run);
  if (run.rank > 0) { /* an MPI worker: rank 0 has the outcome and writes the report */
    rc = rc ? rc : cli_plan_stopped() ? 128 + cli_plan_stopped() : 0;
    cli_plan_end(&run);
    rx_sweep_free(sw);
    return rc;
  }
  char wall[32];
  cli_format_duration(run.wall_s, wall, sizeof wall);
  if (!rc && cli_plan_stopped()) {
    fprintf(stderr,
            "reactivate: sweep stopped by signal after %s; finished steps are kept and running "
            "trainings saved a checkpoint: run the same command again to continue\n",
            wall);
    rc = 128 + cli_plan_stopped();
  } else if (!rc) {
    if (rx_sweep_report_write(sw, quiet ? NULL : report_log, &run, &err)) {
      rc = cli_error("%s", err.msg);
    } else if (cli_plan_stopped()) {
      fprintf(stderr,
              "reactivate: sweep stopped by signal after %s, while the report was written; run "
              "the same command again to finish it\n",
              wall);
      rc = 128 + cli_plan_stopped();
    } else if (run.n_failed) {
      rc = cli_error("sweep: %d step%s failed (see the messages above and the points' logs/); "
                     "the report covers what finished: %s/sweep.md",
                     run.n_failed, run.n_failed > 1 ? "s" : "", out);
    } else {
      fprintf(stderr, "sweep: finished in %s; report: %s/sweep.md (and sweep.html, sweep.json)\n",
              wall, out);
    }
  }
  cli_plan_end(&run);
  rx_sweep_free(sw);
  return rc;
}
