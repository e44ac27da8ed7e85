/* The local executor of a plan (reactivate/reproduce.h): its unfinished steps run on a pool of
 * child processes of this same binary, as many at a time as --jobs, in an order that respects
 * their dependencies; the threads are shared out among them. It shows the progress line, passes
 * Ctrl-C / SIGTERM on to the steps (which save a checkpoint and stop) and leaves a state that the
 * same command resumes. `reproduce` and `sweep` both run their plans here. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
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
} runner;

enum { WAITING, RUNNING, DONE, FAILED, SKIPPED };

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

/* share: how many steps the threads are shared among (those running and ready to start). */
static int start_step(runner *r, int i, int share) {
  rx_step *s = &r->plan->steps[i];
  if (make_parent_dir(s->log)) return -1;
  char threads[16];
  snprintf(threads, sizeof threads, "%d", r->threads / share > 0 ? r->threads / share : 1);
  char *argv[RX_STEP_MAX_ARGS + 8];
  int n = 0;
  argv[n++] = "reactivate";
  for (int a = 0; a < s->argc; a++)
    argv[n++] = s->argv[a];
  argv[n++] = "--threads";
  argv[n++] = threads;
  argv[n] = NULL;

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
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
  pid_t pid;
  int rc = posix_spawn(&pid, self, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc) {
    say(r, "FAILED %s: cannot start a process: %s", s->label, strerror(rc));
    return -1;
  }
  r->pid[i] = pid;
  r->state[i] = RUNNING;
  r->started[i] = omp_get_wtime();
  if (s->kind == RX_STEP_TRAIN && s->steps_done > 0)
    say(r, "start  %s (resuming at step %lld of %lld)", s->label, (long long)s->steps_done,
        (long long)s->n_steps);
  else
    say(r, "start  %s", s->label);
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

static int run_plan(runner *r) {
  rx_plan *p = r->plan;
  for (;;) {
    int running = 0, waiting = 0, n_ready = 0;
    for (int i = 0; i < p->n_steps; i++) {
      running += r->state[i] == RUNNING;
      n_ready += r->state[i] == WAITING && ready(r, i) == 1;
    }
    /* A step started when few others can run gets more threads (results do not depend on it). */
    int share = running + n_ready < r->jobs ? running + n_ready : r->jobs;
    for (int i = 0; i < p->n_steps && !stop_signal; i++) {
      if (r->state[i] != WAITING) continue;
      int rd = ready(r, i);
      if (rd < 0) {
        r->state[i] = SKIPPED;
        say(r, "skip   %s: a step it needs failed", p->steps[i].label);
        continue;
      }
      waiting++;
      if (rd && running < r->jobs) {
        if (start_step(r, i, share > 0 ? share : 1)) {
          r->state[i] = FAILED;
          r->n_failed++;
        } else {
          running++;
        }
        waiting--;
      }
    }
    if (!running && (!waiting || stop_signal)) break;
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (int i = 0; i < p->n_steps; i++)
        if (r->pid[i] == pid) finish_step(r, i, status);
    } else if (pid < 0 && errno != EINTR && errno != ECHILD) {
      return cli_error("%s: waiting for the steps failed: %s", r->run->command, strerror(errno));
    } else {
      if (stop_signal &&
          !r->forwarded) { /* a terminal's Ctrl-C reaches them anyway; kill may not */
        for (int i = 0; i < p->n_steps; i++)
          if (r->pid[i] > 0) kill(r->pid[i], stop_signal);
        r->forwarded = 1;
      }
      show_progress(r);
      struct timespec ts = {0, 100L * 1000 * 1000}; /* 0.1 s */
      nanosleep(&ts, NULL);
    }
  }
  return 0;
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
  snprintf(buf, n,
           "%s (%s threading), kernel %s%s; steps ran as up to %d process%s sharing %d thread%s "
           "(results do not depend on the thread count); %s, %ld cores online",
           b.library, b.threading, b.core,
           getenv("OPENBLAS_CORETYPE") ? " (OPENBLAS_CORETYPE)" : "", r->jobs,
           r->jobs > 1 ? "es" : "", r->threads, r->threads > 1 ? "s" : "", cpu,
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

int cli_plan_run_steps(rx_plan *plan, cli_plan_run *run) {
  int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
  int total_threads = run->threads > 0 ? run->threads : (cores > 0 ? cores : 1);
  /* Default: one single-threaded step per core (up to 8). Independent small trainings use the
   * cores better side by side than one at a time on all of them (no barriers, no idle phases). */
  int jobs = run->jobs > 0 ? run->jobs : (total_threads < 8 ? total_threads : 8);
  runner r = {
      .plan = plan, .run = run, .jobs = jobs, .quiet = run->quiet, .tty = isatty(STDERR_FILENO)};
  r.threads = total_threads;
  r.pid = calloc((size_t)plan->n_steps + 1, sizeof *r.pid);
  r.state = calloc((size_t)plan->n_steps + 1, sizeof *r.state);
  r.started = calloc((size_t)plan->n_steps + 1, sizeof *r.started);
  r.work0 = calloc((size_t)plan->n_steps + 1, sizeof *r.work0);
  if (!r.pid || !r.state || !r.started || !r.work0) {
    free(r.pid), free(r.state), free(r.started), free(r.work0);
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
  if (!run->quiet)
    fprintf(stderr,
            "%s: %s %s (%s); seeds %d; %d trainings (%d finished), %d analysis and "
            "figure steps (%d finished); up to %d at a time on %d thread%s; results in %s\n",
            run->command, run->kind, plan->profile, plan->description, plan->n_seeds, n_train,
            n_train_done, n_other, n_other_done, r.jobs, r.threads, r.threads > 1 ? "s" : "",
            plan->out);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  int rc = run_plan(&r);
  clear_line(&r);
  run->wall_s = omp_get_wtime() - r.t0;
  run->n_failed = r.n_failed;
  describe_machine(&r, run->machine, sizeof run->machine);
  free(r.pid), free(r.state), free(r.started), free(r.work0);
  return rc;
}
