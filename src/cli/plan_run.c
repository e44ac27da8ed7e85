/* The executor of a plan (reactivate/reproduce.h): its unfinished steps run on a pool of child
 * processes of this same binary, as many at a time as --jobs, in an order that respects their
 * dependencies; the threads are shared out among them. It shows the progress line, passes
 * Ctrl-C / SIGTERM on to the steps (which save a checkpoint and stop) and leaves a state that the
 * same command resumes. `reproduce` and `sweep` both run their plans here.
 * Over MPI (cli_plan_run.mpi; the messages: plan_exec.h, the MPI calls: plan_mpi.c) every rank
 * has the same plan; rank 0 is the scheduler: it hands each step, as its dependencies finish,
 * to a rank with a free slot (itself included: its steps are child processes too, so it stays
 * responsive), and the other ranks run what they are given, as local children, and report how
 * each ended. Each step is the same command line as locally, so the results are the same. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plan_exec.h"
#include "reactivate/fileio.h"
#include "reactivate/linalg.h"

extern char **environ;

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) { stop_signal = sig; }

typedef struct runner {
  rx_plan *plan;
  cli_plan_run *run;
  int jobs, threads, quiet, tty; /* threads: in all, shared out among the running steps */
  pid_t *pid;                    /* per step: running child, 0 */
  int *state;                    /* per step: 0 waiting, 1 running, 2 done, 3 failed, 4 skipped */
  double *started;               /* per step: start time */
  double *work0;                 /* per step: work left when the plan was made */
  double t0, total_work, last_line;
  int n_failed;
  int forwarded; /* the stop signal was passed on to the children */
  /* over MPI (n_ranks > 1): jobs and threads are per rank */
  int rank, n_ranks;
  int *where; /* per step: the rank running it */
  int *busy;  /* per rank: steps running there */
} runner;

enum { WAITING, RUNNING, DONE, FAILED, SKIPPED };

/* The scheduler and the MPI workers look for ended steps and messages this often when nothing
 * happened: every step pays up to one poll before the next one starts (bench --only scheduler). */
#define POLL_NS (2L * 1000 * 1000)

static void clear_line(const runner *r) {
  if (r->tty && !r->quiet) fputs("\r\033[K", stderr);
}

static void vsay(const runner *r, const char *fmt, va_list ap) {
  if (r->quiet) return;
  clear_line(r);
  char when[32];
  cli_format_duration(omp_get_wtime() - r->t0, when, sizeof when);
  fprintf(stderr, "[%8s] ", when);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

static void say(const runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const runner *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsay(r, fmt, ap);
  va_end(ap);
}

/* Overall progress: the share of the estimated work finished (finished steps plus the finished
 * part of running trainings), and the time left at the rate so far. */
typedef struct progress {
  int n_done, n_todo, n_running;
  double frac, eta_s;
} progress;

static progress estimate(runner *r) {
  progress g = {0};
  double done = 0;
  for (int i = 0; i < r->plan->n_steps; i++) {
    if (r->plan->steps[i].done && r->work0[i] == 0) continue; /* finished before we started */
    g.n_todo++;
    if (r->state[i] == DONE || r->state[i] == FAILED || r->state[i] == SKIPPED) {
      done += r->work0[i];
      g.n_done++;
    } else if (r->state[i] == RUNNING) {
      g.n_running++;
      rx_plan_refresh_step(r->plan, i);
      if (r->plan->steps[i].kind == RX_STEP_TRAIN) done += r->work0[i] - r->plan->steps[i].work;
    }
  }
  double elapsed = omp_get_wtime() - r->t0;
  g.frac = r->total_work > 0 ? done / r->total_work : 1;
  g.eta_s = g.frac > 0.002 ? elapsed * (1 - g.frac) / g.frac : NAN;
  return g;
}

static void format_progress(runner *r, char *buf, size_t n) {
  progress g = estimate(r);
  char eta[32];
  cli_format_duration(g.eta_s, eta, sizeof eta);
  snprintf(buf, n, "%.0f%% | %d/%d steps done, %d running | ETA %s", 100 * g.frac, g.n_done,
           g.n_todo, g.n_running, eta);
}

/* On a terminal a line redrawn in place; otherwise a line a minute. */
static void show_progress(runner *r) {
  if (r->quiet) return;
  double now = omp_get_wtime();
  if (now - r->last_line < (r->tty ? 0.5 : 60)) return;
  r->last_line = now;
  char line[256], el[32];
  format_progress(r, line, sizeof line);
  cli_format_duration(now - r->t0, el, sizeof el);
  clear_line(r);
  fprintf(stderr, "[%8s] %s%s", el, line, r->tty ? "" : "\n");
  fflush(stderr);
}

static int make_parent_dir(const char *file) {
  char dir[2048];
  snprintf(dir, sizeof dir, "%s", file);
  char *slash = strrchr(dir, '/');
  if (!slash) return 0;
  *slash = 0;
  rx_error err = {{0}};
  if (rx_mkdirs(dir, &err)) return cli_error("%s", err.msg);
  return 0;
}

/* Starts step s as a child process of this binary with `threads` threads, its output appended
 * to its log. The child gets SIGTERM when this process ends (PR_SET_PDEATHSIG), even by
 * SIGKILL: a training then saves a checkpoint and stops, so no step outlives its executor (an
 * MPI job aborted for a lost rank leaves no orphans). Returns its pid, or -1 after a message. */
static pid_t spawn_step(const rx_step *s, int threads) {
  if (make_parent_dir(s->log)) return -1;
  char nthreads[16];
  snprintf(nthreads, sizeof nthreads, "%d", threads > 0 ? threads : 1);
  char *argv[RX_STEP_MAX_ARGS + 8];
  int n = 0;
  argv[n++] = "reactivate";
  for (int a = 0; a < s->argc; a++)
    argv[n++] = s->argv[a];
  argv[n++] = "--threads";
  argv[n++] = nthreads;
  argv[n] = NULL;
  FILE *log = fopen(s->log, "a");
  if (log) {
    time_t now = time(NULL);
    fprintf(log, "==== %s", ctime(&now));
    for (int a = 0; a < n; a++)
      fprintf(log, "%s%s", a ? " " : "$ ", argv[a]);
    fputc('\n', log);
    fclose(log);
  }
  /* this binary by its path: under valgrind, exec of "/proc/self/exe" would name valgrind's own
   * tool, while readlink gives the program's path */
  char self[4096];
  ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
  if (k > 0)
    self[k] = '\0';
  else
    snprintf(self, sizeof self, "/proc/self/exe");
  pid_t parent = getpid();
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) { /* only async-signal-safe calls until exec */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(127);
    int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (fd < 0 || in < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0 ||
        dup2(in, STDIN_FILENO) < 0)
      _exit(127);
    close(fd), close(in);
    execve(self, argv, environ);
    _exit(127);
  }
  if (pid < 0) cli_error("%s: cannot start a process: %s", s->label, strerror(errno));
  return pid;
}

/* Step i on this process (rank 0 or the local pool); share: how many steps the threads are
 * shared among (those running and ready to start). */
static int start_step(runner *r, int i, int share, int rank) {
  rx_step *s = &r->plan->steps[i];
  if (rank == r->rank) {
    pid_t pid = spawn_step(s, r->threads / share);
    if (pid < 0) return -1;
    r->pid[i] = pid;
  } else {
    cli_mpi_send(rank, CLI_MPI_ORDER, i, 0);
  }
  if (r->where) r->where[i] = rank, r->busy[rank]++;
  r->state[i] = RUNNING;
  r->started[i] = omp_get_wtime();
  char where[32] = "";
  if (r->n_ranks > 1) snprintf(where, sizeof where, " on rank %d", r->where[i]);
  if (s->kind == RX_STEP_TRAIN && s->steps_done > 0)
    say(r, "start  %s%s (resuming at step %lld of %lld)", s->label, where, (long long)s->steps_done,
        (long long)s->n_steps);
  else
    say(r, "start  %s%s", s->label, where);
  return 0;
}

/* The last non-empty line of a log, for a failure message. */
static void last_log_line(const char *path, char *buf, size_t n) {
  buf[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = 0;
    if (len && strncmp(line, "====", 4) && line[0] != '$') snprintf(buf, n, "%s", line);
  }
  fclose(f);
}

static void finish_step(runner *r, int i, int status) {
  rx_step *s = &r->plan->steps[i];
  char took[32];
  cli_format_duration(omp_get_wtime() - r->started[i], took, sizeof took);
  r->pid[i] = 0;
  if (r->where) r->busy[r->where[i]]--;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    rx_error err = {{0}};
    if (rx_plan_step_finished(r->plan, i, &err)) say(r, "warning: %s", err.msg);
    r->state[i] = DONE;
    char overall[256];
    format_progress(r, overall, sizeof overall);
    say(r, "done   %s in %s | %s", s->label, took, overall);
    return;
  }
  if (stop_signal) { /* stopped by the user: not a failure; the next run resumes */
    r->state[i] = WAITING;
    return;
  }
  char last[1024];
  last_log_line(s->log, last, sizeof last);
  r->state[i] = FAILED;
  r->n_failed++;
  if (WIFSIGNALED(status))
    say(r, "FAILED %s: killed by signal %d; log %s", s->label, WTERMSIG(status), s->log);
  else
    say(r, "FAILED %s (exit %d): %s; log %s", s->label, WEXITSTATUS(status), last, s->log);
}

/* 1: every dependency finished; 0: wait; -1: a dependency failed. */
static int ready(const runner *r, int i) {
  const rx_step *s = &r->plan->steps[i];
  int ok = 1;
  for (int d = 0; d < s->n_deps; d++) {
    int st = r->state[s->deps[d]];
    if (st == FAILED || st == SKIPPED) return -1;
    if (st != DONE) ok = 0;
  }
  return ok;
}

/* Over MPI: the rank with the fewest steps running, if one has a free slot (ties: the lowest
 * rank); locally: this process while fewer than jobs run. -1: no free slot. */
static int free_rank(const runner *r, int running) {
  if (!r->busy) return running < r->jobs ? r->rank : -1;
  int best = -1;
  for (int k = 0; k < r->n_ranks; k++)
    if (r->busy[k] < r->jobs && (best < 0 || r->busy[k] < r->busy[best])) best = k;
  return best;
}

/* Passes the stop signal on once: to this process's steps (a terminal's Ctrl-C reaches them
 * anyway; kill may not) and, over MPI, to the other ranks, which pass it to theirs. */
static void forward_stop(runner *r) {
  if (r->forwarded) return;
  for (int i = 0; i < r->plan->n_steps; i++)
    if (r->pid[i] > 0) kill(r->pid[i], stop_signal);
  if (r->rank == 0)
    for (int k = 1; k < r->n_ranks; k++)
      cli_mpi_send(k, CLI_MPI_ORDER, CLI_MPI_STOP, stop_signal);
  r->forwarded = 1;
}

/* The scheduler: runs the plan locally, or, on MPI rank 0, on all ranks. */
static int run_plan(runner *r) {
  rx_plan *p = r->plan;
  for (;;) {
    int running = 0, waiting = 0, n_ready = 0;
    for (int i = 0; i < p->n_steps; i++) {
      running += r->state[i] == RUNNING;
      n_ready += r->state[i] == WAITING && ready(r, i) == 1;
    }
    /* A step started when few others can run gets more threads (results do not depend on it).
     * Over MPI each rank shares its threads among its jobs. */
    int share = r->n_ranks > 1                ? r->jobs
                : running + n_ready < r->jobs ? running + n_ready
                                              : r->jobs;
    for (int i = 0; i < p->n_steps && !stop_signal; i++) {
      if (r->state[i] != WAITING) continue;
      int rd = ready(r, i);
      if (rd < 0) {
        r->state[i] = SKIPPED;
        say(r, "skip   %s: a step it needs failed", p->steps[i].label);
        continue;
      }
      waiting++;
      int rank = rd ? free_rank(r, running) : -1;
      if (rank >= 0) {
        if (start_step(r, i, share > 0 ? share : 1, rank)) {
          r->state[i] = FAILED;
          r->n_failed++;
        } else {
          running++;
        }
        waiting--;
      }
    }
    if (!running && (!waiting || stop_signal)) break;
    int event = 0, status, from, a, b;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      event = 1;
      for (int i = 0; i < p->n_steps; i++)
        if (r->pid[i] == pid) finish_step(r, i, status);
    } else if (pid < 0 && errno != EINTR && errno != ECHILD) {
      return cli_error("%s: waiting for the steps failed: %s", r->run->command, strerror(errno));
    }
    while (r->n_ranks > 1 && cli_mpi_poll(CLI_MPI_REPORT, &from, &a, &b)) {
      event = 1;
      if (a >= 0 && a < p->n_steps && r->state[a] == RUNNING && r->where[a] == from)
        finish_step(r, a, b);
      else if (a == CLI_MPI_STOP && !stop_signal)
        stop_signal = b; /* a worker was signalled: the whole run stops */
    }
    if (stop_signal) forward_stop(r);
    if (!event) {
      show_progress(r);
      struct timespec ts = {0, POLL_NS};
      nanosleep(&ts, NULL);
    }
  }
  for (int k = 1; k < r->n_ranks; k++)
    cli_mpi_send(k, CLI_MPI_ORDER, CLI_MPI_QUIT, 0);
  return 0;
}

/* An MPI rank other than 0: runs the steps rank 0 hands out, jobs at a time, each with
 * threads / jobs threads, and reports how each ended; passes a stop signal on both ways. */
static int run_worker(runner *r) {
  rx_plan *p = r->plan;
  int quit = 0, running = 0, told = 0, from, a, b;
  while (!quit || running) {
    if (stop_signal && !told) { /* this rank was signalled (mpirun passes Ctrl-C on as SIGTERM) */
      cli_mpi_send(0, CLI_MPI_REPORT, CLI_MPI_STOP, stop_signal);
      forward_stop(r);
      told = 1;
    }
    int event = 0;
    while (cli_mpi_poll(CLI_MPI_ORDER, &from, &a, &b)) {
      event = 1;
      if (a == CLI_MPI_QUIT) {
        quit = 1;
      } else if (a == CLI_MPI_STOP) {
        if (!stop_signal) stop_signal = b;
        forward_stop(r);
        told = 1;
      } else if (a >= 0 && a < p->n_steps && stop_signal) { /* crossed our stop: not run */
        cli_mpi_send(0, CLI_MPI_REPORT, a, stop_signal);    /* as "killed by that signal" */
      } else if (a >= 0 && a < p->n_steps) {
        pid_t pid = spawn_step(&p->steps[a], r->threads / r->jobs);
        if (pid < 0) {
          cli_mpi_send(0, CLI_MPI_REPORT, a, 127 << 8); /* as an exit status of 127 */
        } else {
          r->pid[a] = pid;
          running++;
        }
      }
    }
    int status;
    pid_t pid = running ? waitpid(-1, &status, WNOHANG) : 0;
    if (pid > 0) {
      event = 1;
      for (int i = 0; i < p->n_steps; i++)
        if (r->pid[i] == pid) {
          r->pid[i] = 0;
          running--;
          cli_mpi_send(0, CLI_MPI_REPORT, i, status);
        }
    } else if (pid < 0 && errno != EINTR) {
      return cli_error("%s: waiting for the steps failed: %s", r->run->command, strerror(errno));
    }
    if (!event) {
      struct timespec ts = {0, POLL_NS};
      nanosleep(&ts, NULL);
    }
  }
  return 0;
}

/* FNV-1a over the plan's command lines and dependencies: the ranks check they hold one plan. */
static uint64_t plan_hash(const rx_plan *p) {
  uint64_t h = 1469598103934665603ULL;
#define MIX(byte) (h = (h ^ (uint8_t)(byte)) * 1099511628211ULL)
  for (int i = 0; i < p->n_steps; i++) {
    const rx_step *s = &p->steps[i];
    for (int a = 0; a < s->argc; a++)
      for (const char *c = s->argv[a];; c++) {
        MIX(*c);
        if (!*c) break;
      }
    for (int d = 0; d < s->n_deps; d++)
      for (int k = 0; k < 4; k++)
        MIX(s->deps[d] >> (8 * k));
    MIX(0xff);
  }
#undef MIX
  return h;
}

/* What produced the numbers, for the report: the BLAS library and the kernel it picked for this
 * CPU (inherited by every step, which runs this binary in this environment), how the threads
 * were shared, and the CPU. Results do not depend on the thread count; the kernel can move the
 * last bits of trained weights, hence the record. */
static void describe_machine(const runner *r, char *buf, size_t n) {
  rx_blas_info b;
  rx_blas_describe(&b);
  char cpu[256] = "unknown CPU";
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f))
      if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
        const char *v = strchr(line, ':') + 1;
        while (*v == ' ' || *v == '\t')
          v++;
        snprintf(cpu, sizeof cpu, "%.*s", (int)strcspn(v, "\n"), v);
        break;
      }
    fclose(f);
  }
  char ran[160];
  if (r->n_ranks > 1) /* rank 0's machine: the others' are in their steps' logs */
    snprintf(ran, sizeof ran, "on %d MPI ranks, up to %d process%s per rank sharing %d thread%s",
             r->n_ranks, r->jobs, r->jobs > 1 ? "es" : "", r->threads, r->threads > 1 ? "s" : "");
  else
    snprintf(ran, sizeof ran, "as up to %d process%s sharing %d thread%s", r->jobs,
             r->jobs > 1 ? "es" : "", r->threads, r->threads > 1 ? "s" : "");
  snprintf(buf, n,
           "%s (%s threading), kernel %s%s; steps ran %s (results do not depend on the thread "
           "count); %s, %ld cores online",
           b.library, b.threading, b.core,
           getenv("OPENBLAS_CORETYPE") ? " (OPENBLAS_CORETYPE)" : "", ran, cpu,
           sysconf(_SC_NPROCESSORS_ONLN));
}

void cli_plan_print(const rx_plan *p) {
  for (int i = 0; i < p->n_steps; i++) {
    const rx_step *s = &p->steps[i];
    printf("%s  %s\n   $ reactivate", s->done ? "[done]" : "[todo]", s->label);
    for (int a = 0; a < s->argc; a++)
      printf(" %s", s->argv[a]);
    putchar('\n');
  }
}

int cli_plan_stopped(void) { return (int)stop_signal; }

void cli_plan_say(const cli_plan_run *run, const char *fmt, ...) {
  runner r = {.quiet = run->quiet, .tty = isatty(STDERR_FILENO), .t0 = run->t0};
  va_list ap;
  va_start(ap, fmt);
  vsay(&r, fmt, ap);
  va_end(ap);
}

/* Threads per rank over MPI when --threads is not given: OMP_NUM_THREADS (what a batch
 * script sets, e.g. to Slurm's cpus-per-task), else this node's cores shared by its ranks. */
static int threads_per_rank(int cores, int node_ranks) {
  const char *env = getenv("OMP_NUM_THREADS");
  int t = env ? atoi(env) : 0;
  if (t > 0) return t;
  t = cores / (node_ranks > 0 ? node_ranks : 1);
  return t > 0 ? t : 1;
}

int cli_plan_run_steps(rx_plan *plan, cli_plan_run *run) {
  int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1) cores = 1;
  int rank = 0, n_ranks = 1, node_ranks = 1;
  if (run->mpi) {
    int rc = cli_mpi_start(run->command, &rank, &n_ranks, &node_ranks);
    if (rc) return rc;
    if (cli_mpi_agree(plan_hash(plan))) {
      if (rank == 0)
        cli_error("%s --mpi: the ranks built different plans (the same command, binary and "
                  "shared output directory on every node?)",
                  run->command);
      return 1;
    }
  }
  run->rank = rank;
  run->n_ranks = n_ranks;
  int total_threads = run->threads > 0 ? run->threads : cores;
  /* Default: one single-threaded step per core (up to 8). Independent small trainings use the
   * cores better side by side than one at a time on all of them (no barriers, no idle phases).
   * Over MPI: one step at a time per rank, on the rank's threads. */
  int jobs = run->jobs > 0 ? run->jobs : (total_threads < 8 ? total_threads : 8);
  if (run->mpi) {
    total_threads = run->threads > 0 ? run->threads : threads_per_rank(cores, node_ranks);
    jobs = run->jobs > 0 ? run->jobs : 1;
  }
  run->slots = jobs * n_ranks;
  runner r = {.plan = plan,
              .run = run,
              .jobs = jobs,
              .quiet = run->quiet || rank > 0,
              .tty = isatty(STDERR_FILENO),
              .rank = rank,
              .n_ranks = n_ranks};
  r.threads = total_threads;
  r.pid = calloc((size_t)plan->n_steps + 1, sizeof *r.pid);
  r.state = calloc((size_t)plan->n_steps + 1, sizeof *r.state);
  r.started = calloc((size_t)plan->n_steps + 1, sizeof *r.started);
  r.work0 = calloc((size_t)plan->n_steps + 1, sizeof *r.work0);
  if (n_ranks > 1) {
    r.where = calloc((size_t)plan->n_steps + 1, sizeof *r.where);
    r.busy = calloc((size_t)n_ranks, sizeof *r.busy);
  }
  if (!r.pid || !r.state || !r.started || !r.work0 || (n_ranks > 1 && (!r.where || !r.busy))) {
    free(r.pid), free(r.state), free(r.started), free(r.work0), free(r.where), free(r.busy);
    return cli_error("out of memory");
  }
  int n_train = 0, n_train_done = 0, n_other = 0, n_other_done = 0;
  for (int i = 0; i < plan->n_steps; i++) {
    rx_step *s = &plan->steps[i];
    r.state[i] = s->done ? DONE : WAITING;
    r.work0[i] = s->done ? 0 : s->work;
    r.total_work += r.work0[i];
    if (s->kind == RX_STEP_TRAIN)
      n_train++, n_train_done += s->done;
    else
      n_other++, n_other_done += s->done;
  }
  r.t0 = omp_get_wtime();
  run->t0 = r.t0;
  char how[160];
  if (n_ranks > 1)
    snprintf(how, sizeof how, "on %d MPI ranks, up to %d at a time per rank on %d thread%s",
             n_ranks, r.jobs, r.threads, r.threads > 1 ? "s" : "");
  else
    snprintf(how, sizeof how, "up to %d at a time on %d thread%s", r.jobs, r.threads,
             r.threads > 1 ? "s" : "");
  if (!r.quiet)
    fprintf(stderr,
            "%s: %s %s (%s); seeds %d; %d trainings (%d finished), %d analysis and "
            "figure steps (%d finished); %s; results in %s\n",
            run->command, run->kind, plan->profile, plan->description, plan->n_seeds, n_train,
            n_train_done, n_other, n_other_done, how, plan->out);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  int rc = rank > 0 ? run_worker(&r) : run_plan(&r);
  clear_line(&r);
  run->wall_s = omp_get_wtime() - r.t0;
  run->n_failed = r.n_failed;
  describe_machine(&r, run->machine, sizeof run->machine);
  free(r.pid), free(r.state), free(r.started), free(r.work0), free(r.where), free(r.busy);
  return rc;
}

void cli_plan_end(cli_plan_run *run) {
  if (run->mpi) cli_mpi_finalize();
}
