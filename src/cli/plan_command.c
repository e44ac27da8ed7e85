/* What the commands that run a plan (reproduce, sweep) share: their options, their default
 * results root, and running the plan to the end: the executor (plan_run.c), then, on rank 0
 * only, the stop message, or the command's report and the summary line. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cli_plan_option(cli_plan_options *o, const char *command, int argc, char **argv, int *i,
                    int *status) {
  const char *a = argv[*i], *next = *i + 1 < argc ? argv[*i + 1] : NULL;
  *status = 0;
  if (!strcmp(a, "--out") || !strcmp(a, "--seeds")) {
    if (!next) {
      *status = cli_error("%s: %s needs a value", command, a) + 1;
      return 1;
    }
    *(!strcmp(a, "--out") ? &o->out : &o->seeds_text) = next;
    ++*i;
  } else if (!strcmp(a, "--jobs") || !strcmp(a, "--threads")) {
    const int jobs = !strcmp(a, "--jobs");
    if (cli_parse_int(a, next, jobs ? 1 : 0, jobs ? 256 : 1024, jobs ? &o->jobs : &o->threads))
      *status = 2;
    ++*i;
  } else if (!strcmp(a, "--mpi")) {
    o->mpi = 1;
  } else if (!strcmp(a, "--dry-run")) {
    o->dry_run = 1;
  } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
    o->quiet = 1;
  } else {
    return 0;
  }
  return 1;
}

int cli_plan_prepare(cli_plan_options *o, const char *command, const char *file, const char *prefix,
                     int *seeds, int *n_seeds) {
  /* Each profile or sweep file its own root: a quick run must never be resumed as a paper-size
   * one. */
  if (!o->out) {
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    size_t len = strcspn(base, ".");
    snprintf(o->default_out, sizeof o->default_out, "results/%s%.*s", prefix,
             (int)(len < 500 ? len : 500), base);
    o->out = o->default_out;
  }
  if (o->mpi && cli_plan_check_mpi(command)) return 1;
  *n_seeds = 0;
  rx_error err = {{0}};
  if (o->seeds_text &&
      rx_seed_list_parse(o->seeds_text, seeds, RX_PLAN_MAX_SEEDS, n_seeds, NULL, &err))
    return cli_error("%s: --seeds: %s", command, err.msg) + 1;
  return 0;
}

int cli_plan_execute(rx_plan *plan, const cli_plan_options *o, const char *command,
                     const char *kind, const cli_plan_report *report) {
  cli_plan_run run = {.command = command,
                      .kind = kind,
                      .jobs = (int)o->jobs,
                      .threads = (int)o->threads,
                      .quiet = o->quiet,
                      .mpi = o->mpi};
  int rc = cli_plan_run_steps(plan, &run);
  if (run.rank > 0) { /* an MPI worker: rank 0 has the outcome and writes the report */
    rc = rc ? rc : cli_plan_stopped() ? 128 + cli_plan_stopped() : 0;
    cli_plan_end(&run);
    return rc;
  }
  char wall[32];
  cli_format_duration(run.wall_s, wall, sizeof wall);
  rx_error err = {{0}};
  if (!rc && cli_plan_stopped()) {
    fprintf(stderr,
            "reactivate: %s stopped by signal after %s; finished steps are kept and running "
            "trainings saved a checkpoint: run the same command again to continue\n",
            command, wall);
    rc = 128 + cli_plan_stopped();
  } else if (!rc) {
    if (report->write(report->ctx, &run, &err)) {
      rc = cli_error("%s", err.msg);
    } else if (cli_plan_stopped()) { /* the signal came while the report was written */
      fprintf(stderr,
              "reactivate: %s stopped by signal after %s, while the report was written; run the "
              "same command again to finish it\n",
              command, wall);
      rc = 128 + cli_plan_stopped();
    } else if (run.n_failed) {
      rc =
          cli_error("%s: %d step%s failed (see the messages above and %s); the report covers "
                    "what finished: %s",
                    command, run.n_failed, run.n_failed > 1 ? "s" : "", report->logs, report->main);
    } else {
      fprintf(stderr, "%s: finished in %s; report: %s (and %s)\n", command, wall, report->main,
              report->also);
    }
  }
  cli_plan_end(&run);
  return rc;
}
