/* reactivate bench --only scheduler: what the plan executor (plan_run.c) costs per step, locally
 * or over MPI (--mpi under mpirun), on synthetic plans of independent steps of the hidden
 * subcommand `reactivate _sleep MS` (it waits MS milliseconds and exits):
 *   - no-op steps (0 ms), 8 per slot: the wall time per step per slot is the executor's
 *     overhead (hand-out, process start of this binary, noticing the end, report); less the
 *     time the same processes take when a plain loop on each rank starts them as many at a
 *     time (run right after, on all ranks at once), it is the scheduling's share;
 *   - equal steps of 1000 ms, 4 per slot: the wall time against the ideal, total work / slots.
 * A slot is one step at a time: ranks x --jobs over MPI, --jobs locally. Medians over --reps
 * (default 3). docs/cluster.md and docs/performance.md give the figures. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <omp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plan_exec.h"
#include "reactivate/sampling.h"

int cmd_sleep(int argc, char **argv) {
  long long ms = 0;
  if (argc < 2 || cli_parse_int("_sleep", argv[1], 0, 3600000, &ms)) return 2;
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000L * 1000L};
  while (nanosleep(&ts, &ts))
    ;
  return 0;
}

/* Every rank must name the same directory (the steps' logs): the job's id where there is one. */
static void bench_dir(char *buf, size_t n) {
  const char *ids[] = {"PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid", "SLURM_JOB_ID"};
  const char *id = NULL;
  for (size_t i = 0; i < sizeof ids / sizeof ids[0] && !id; i++)
    id = getenv(ids[i]);
  char pid[32];
  snprintf(pid, sizeof pid, "%d", (int)getpid());
  snprintf(buf, n, "/tmp/reactivate-bench-scheduler-%s", id ? id : pid);
  for (char *c = buf + strlen("/tmp/"); *c; c++)
    if (*c == '/' || *c == ' ') *c = '_';
}

/* k independent steps of `_sleep ms`, their logs under dir. */
static rx_plan *sleep_plan(const char *dir, int k, int ms) {
  rx_plan *p = calloc(1, sizeof *p);
  if (!p || !(p->steps = calloc((size_t)k, sizeof *p->steps))) {
    free(p);
    return NULL;
  }
  snprintf(p->profile, sizeof p->profile, "scheduler");
  snprintf(p->description, sizeof p->description, "%d steps of %d ms", k, ms);
  snprintf(p->out, sizeof p->out, "%s", dir);
  for (int i = 0; i < k; i++) {
    rx_step *s = &p->steps[p->n_steps++];
    char arg[32];
    snprintf(arg, sizeof arg, "%d", ms);
    s->kind = RX_STEP_ANALYZE;
    s->argc = 2;
    s->argv[0] = strdup("_sleep");
    s->argv[1] = strdup(arg);
    if (!s->argv[0] || !s->argv[1]) {
      rx_plan_free(p);
      return NULL;
    }
    snprintf(s->label, sizeof s->label, "sleep %d", i);
    snprintf(s->log, sizeof s->log, "%s/logs/step_%d.log", dir, i);
    s->work = ms + 1.0;
  }
  return p;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

/* the library's median (numpy's rule): the timings are all finite */
static double median(double *v, int n) { return rx_median_finite(v, (size_t)n); }

extern char **environ;

/* The baseline of the no-op steps: k of them (`_sleep 0`) started by a plain loop on each rank,
 * jobs at a time, each as soon as one ends (no scheduler, no logs, no polling, no messages),
 * all ranks at once as in the executor's run; wall time between two barriers, in s. */
static double plain_pool_s(int k, int jobs, int mpi) {
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return -1;
  self[len] = 0;
  char *argv[] = {"reactivate", "_sleep", "0", NULL};
  if (mpi) cli_mpi_barrier();
  double t0 = omp_get_wtime();
  int started = 0, running = 0, st, rc = 0;
  while (started < k || running) {
    for (pid_t pid; running < jobs && started < k && !rc; started++, running++)
      rc = posix_spawn(&pid, self, NULL, NULL, argv, environ);
    if (rc || wait(&st) < 0) break;
    running--;
  }
  if (mpi) cli_mpi_barrier();
  return rc ? -1 : omp_get_wtime() - t0;
}

/* One run of a k-step plan of ms-ms steps; its wall time (rank 0's), or < 0 after an error. */
static double time_plan(const char *dir, int k, int ms, cli_plan_run *run) {
  rx_plan *p = sleep_plan(dir, k, ms);
  if (!p) return cli_error("out of memory"), -1;
  run->n_failed = 0;
  int rc = cli_plan_run_steps(p, run);
  rx_plan_free(p);
  if (rc || run->n_failed || cli_plan_stopped()) return -1;
  return run->wall_s;
}

int cli_bench_scheduler(int reps, int json, int mpi, int jobs, int threads) {
  enum { NOOP_PER_SLOT = 8, EQUAL_PER_SLOT = 4, EQUAL_MS = 1000 };
  if (mpi && cli_plan_check_mpi("bench")) return 1;
  char dir[512];
  bench_dir(dir, sizeof dir);
  cli_plan_run run = {.command = "bench",
                      .kind = "scheduler",
                      .jobs = jobs,
                      .threads = threads,
                      .quiet = 1,
                      .mpi = mpi};
  /* the first run says how many slots there are: every later plan is sized by it */
  double w = time_plan(dir, 1, 0, &run);
  if (w < 0 || run.n_ranks < 1) {
    cli_plan_end(&run);
    return cli_error("bench: the scheduler's plan failed (see above)");
  }
  int slots = run.slots, jobs_per_rank = run.slots / run.n_ranks;
  /* per rep, interleaved: the executor's no-op plan, the plain loop, the plan of equal steps */
  double noop[16], plain[16], sched[16], equal[16];
  for (int r = 0; r < reps && w >= 0; r++) {
    w = time_plan(dir, NOOP_PER_SLOT * slots, 0, &run);
    noop[r] = 1e3 * w / NOOP_PER_SLOT; /* wall x slots / steps */
    double p = w >= 0 ? plain_pool_s(NOOP_PER_SLOT * jobs_per_rank, jobs_per_rank, mpi) : -1;
    plain[r] = 1e3 * p / NOOP_PER_SLOT;
    sched[r] = noop[r] - plain[r];
    if (w >= 0 && p < 0) {
      cli_error("bench: cannot start reactivate _sleep 0");
      w = -1;
    }
    if (w >= 0) w = time_plan(dir, EQUAL_PER_SLOT * slots, EQUAL_MS, &run);
    equal[r] = w;
  }
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  cli_plan_end(&run);
  if (w < 0) return cli_error("bench: the scheduler's plan failed (see above)");
  if (run.rank > 0) return 0;
  double overhead_ms = median(noop, reps), wall = median(equal, reps);
  double start_ms = median(plain, reps), sched_ms = median(sched, reps);
  double ideal = EQUAL_PER_SLOT * EQUAL_MS / 1e3;
  if (json)
    printf("{\"scheduler\": {\"mpi\": %s, \"ranks\": %d, \"slots\": %d, \"reps\": %d, "
           "\"noop_steps\": %d, \"overhead_ms_per_step\": %.2f, \"process_start_ms\": %.2f, "
           "\"scheduling_ms_per_step\": %.2f, \"equal_steps\": %d, "
           "\"step_ms\": %d, \"wall_s\": %.3f, \"ideal_s\": %.3f, \"ratio\": %.4f}}\n",
           mpi ? "true" : "false", run.n_ranks, slots, reps, NOOP_PER_SLOT * slots, overhead_ms,
           start_ms, sched_ms, EQUAL_PER_SLOT * slots, EQUAL_MS, wall, ideal, wall / ideal);
  else
    printf("reactivate bench --only scheduler: %s, %d slot%s (steps at a time), median of %d\n"
           "  no-op steps     %3d: %.1f ms per step (wall x slots / steps), of which %.1f ms to "
           "start them by a plain loop: scheduling %.1f ms (median of the differences)\n"
           "  %4d ms steps  %3d: wall %.3f s, ideal %.3f s (total work / slots), ratio %.3f\n",
           mpi ? "over MPI" : "local process pool", slots, slots > 1 ? "s" : "", reps,
           NOOP_PER_SLOT * slots, overhead_ms, start_ms, sched_ms, EQUAL_MS, EQUAL_PER_SLOT * slots,
           wall, ideal, wall / ideal);
  return 0;
}
