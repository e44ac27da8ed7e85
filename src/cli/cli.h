/* Shared pieces of the reactivate command-line program: subcommand entry points, option
 * parsing helpers and the progress line. The CLI is a thin layer: the work is in libreactivate. */
#ifndef RX_CLI_H
#define RX_CLI_H

#include <stdint.h>

#include "reactivate/reproduce.h"

int cmd_train(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_figures(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
/* Hidden: `reactivate _sleep MS` waits MS milliseconds (the steps of the scheduler bench). */
int cmd_sleep(int argc, char **argv);
/* bench --only scheduler (bench_scheduler.c): the plan executor's cost per step. */
int cli_bench_scheduler(int reps, int json, int mpi, int jobs, int threads);

/* Prints "reactivate: <message>" to stderr; returns the exit status to use (1). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#ifdef __clang_analyzer__ /* its result, for the static analyzer (see reactivate/error.h) */
#define cli_error(...) (cli_error(__VA_ARGS__), 1)
#endif
/* Option value parsing with one clear line on failure; return 0 on success. */
int cli_parse_int(const char *opt, const char *s, long long lo, long long hi, long long *out);
int cli_parse_double(const char *opt, const char *s, double *out);
/* The setup of a command that computes, called once before its work: both the BLAS and OpenMP
 * thread counts from --threads (0: all cores), and flush-to-zero mode for the whole process
 * (rx_flush_denormals; the library's step loops set it too, so analyses and figures run in the
 * mode the networks ran in). */
void cli_set_threads(int n);
int cli_is_help(const char *arg);

/* The argument shape of commands configured by key=value settings (analyze, figures):
 * settings, --quiet, --threads N, --help, and bare words handed to `word` (NULL: none allowed),
 * which returns 0 or an exit status after printing its error. */
typedef struct cli_settings_args {
  const char **settings; /* the key=value arguments (malloc'd array; free with cli_settings_free) */
  int n_settings;
  int quiet;
  long long threads;
} cli_settings_args;
/* Returns 0, an exit status after an error, or -1 after printing help. */
int cli_parse_settings_args(int argc, char **argv, const char *command, const char *help,
                            int (*word)(void *ctx, const char *w), void *ctx,
                            cli_settings_args *out);
void cli_settings_free(cli_settings_args *a);
/* A log callback for the library's drivers: "[  12.3s] line" on stderr; ctx points to the
 * start time (omp_get_wtime). */
void cli_log_line(void *ctx, const char *line);

/* A progress line: rewritten in place on a terminal, plain lines every `every` calls otherwise. */
typedef struct cli_progress {
  int tty, quiet;
  double t_start;
  int64_t done_at_start;
  double last_print;
} cli_progress;
void cli_progress_init(cli_progress *p, int quiet);
/* done/total units; text is the per-update detail. */
void cli_progress_update(cli_progress *p, int64_t done, int64_t total, const char *unit,
                         const char *detail, int force_line);
void cli_progress_end(cli_progress *p);
void cli_format_duration(double s, char *buf, int n);

/* The executor of a plan (plan_run.c): runs its unfinished steps as child processes of this
 * binary, `jobs` at a time, sharing `threads` among them, with progress on stderr; Ctrl-C /
 * SIGTERM stop it in a state the same command resumes. Returns 0 when the plan ran (steps may
 * still have failed: n_failed; or a signal stopped it: cli_plan_stopped), else an exit status.
 * With .mpi (under mpirun; docs/cluster.md) every rank calls it with the same plan: rank 0
 * schedules, all ranks run steps (jobs and threads are then per rank: default 1 step at a
 * time, on OMP_NUM_THREADS threads or this node's cores over its ranks); only rank 0 (run.rank)
 * has the outcome and writes reports; every rank calls cli_plan_end before it exits. */
typedef struct cli_plan_run {
  const char *command; /* in: "reproduce", "sweep": the name in messages */
  const char *kind;    /* in: "profile", "sweep": what plan->profile names */
  int jobs;            /* in: steps at a time (0: one per thread, at most 8) */
  int threads;         /* in: threads in all (0: all cores) */
  int quiet;           /* in: only errors */
  int mpi;             /* in: over MPI ranks (a build without MPI refuses with one line) */
  int rank, n_ranks;   /* out: this process's MPI rank and their number (0, 1 locally) */
  int slots;           /* out: steps at a time, all ranks together */
  double t0;           /* out: when the run started (omp_get_wtime) */
  double wall_s;       /* out: its wall time */
  int n_failed;        /* out: steps that failed */
  char machine[1024];  /* out: the BLAS kernel, CPU and thread sharing, for a report */
} cli_plan_run;
int cli_plan_run_steps(rx_plan *plan, cli_plan_run *run);
/* After the run and its report: MPI_Finalize over MPI; nothing locally. */
void cli_plan_end(cli_plan_run *run);
/* 0 when this build can run plans over MPI, else an exit status after one line ("built
 * without MPI: ..."): for commands to refuse --mpi before any work. */
int cli_plan_check_mpi(const char *command);
/* The signal that stopped the run (SIGINT, SIGTERM), 0 when none came. */
int cli_plan_stopped(void);
/* "[elapsed] message" on stderr, as the executor's own lines (nothing when quiet). */
void cli_plan_say(const cli_plan_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The plan on stdout: each step's label, command and whether it is done (--dry-run). */
void cli_plan_print(const rx_plan *p);

/* What the commands that run a plan share (plan_command.c). Their options: --out DIR,
 * --seeds LIST, --jobs N, --threads N, --mpi, --dry-run, --quiet. */
typedef struct cli_plan_options {
  const char *out, *seeds_text;
  long long jobs, threads;
  int mpi, dry_run, quiet;
  char default_out[600]; /* results/<prefix><file's base name>, when no --out */
} cli_plan_options;
/* 1 when argv[*i] is one of those options: taken, with its value (*i advanced); *status is then
 * 0, or an exit status after one line (a missing or bad value). 0 when it is not one. */
int cli_plan_option(cli_plan_options *o, const char *command, int argc, char **argv, int *i,
                    int *status);
/* After the options: the default results root of the profile or sweep file (results/<prefix>
 * <base name without extension>), the refusal of --mpi without MPI, and --seeds parsed into
 * seeds[RX_PLAN_MAX_SEEDS]. Returns 0 or an exit status after one line. */
int cli_plan_prepare(cli_plan_options *o, const char *command, const char *file, const char *prefix,
                     int *seeds, int *n_seeds);
/* The command's report, written on rank 0 once every step ran (write: 0 or an error in err). */
typedef struct cli_plan_report {
  int (*write)(void *ctx, cli_plan_run *run, rx_error *err);
  void *ctx;
  char main[2100];  /* its main file, for the summary line: "<out>/report.html" */
  const char *also; /* its other files: "report.md" */
  char logs[2100];  /* where the steps' logs are: "<out>/logs/" */
} cli_plan_report;
/* Runs the plan (cli_plan_run_steps, with the options' jobs, threads, quiet and mpi; command and
 * kind as in cli_plan_run) and then, on rank 0, prints the stop message, or writes the report
 * and the summary line (a failed step: exit 1). Returns the command's exit status; every rank
 * has ended its part (cli_plan_end). The plan is the caller's. */
int cli_plan_execute(rx_plan *plan, const cli_plan_options *o, const char *command,
                     const char *kind, const cli_plan_report *report);

#endif
