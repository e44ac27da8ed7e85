/* Plans over MPI (reproduce --mpi; docs/cluster.md), through mpirun and the CLI:
 * - the mini profile on 3 ranks writes the same bytes as a local run, file by file (logs/ hold
 *   times and thread counts; in report.md only the "Generated", "Wall time" and "Machine" lines
 *   may differ: they hold the date, the wall time and how the steps ran);
 * - a worker rank killed (SIGKILL) mid-run aborts the job, no step outlives it, and a rerun
 *   completes with the same bytes as the local run;
 * - bench --only scheduler over MPI prints sane figures;
 * - a build without MPI refuses --mpi with one line.
 * Skipped (exit 77, reported by CTest as skipped) when the build has no MPI or mpirun is absent.
 * Under AddressSanitizer the processes started by mpirun (and so the steps they start) run
 * without LeakSanitizer: OpenMPI keeps allocations until exit in components it has unloaded by
 * then, which no suppression can name (their frames are "<unknown module>"); the same step
 * commands are leak-checked where test_reproduce runs them locally. Valgrind does not run this
 * test (.ci/valgrind.sh: mpirun and its ranks under memcheck would take many minutes). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>

#include "cli_runner.h"
#include "reactivate/reproduce.h"
#include "test_util.h"
#include "tree_compare.h"

static char root[256];

#ifdef RX_TEST_MPIRUN

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000L * 1000L};
  nanosleep(&ts, NULL);
}

/* Starts `mpirun --oversubscribe -np 3 reactivate <args> --mpi`, args split at spaces, its
 * output into log, in a process group of its own; returns its pid (-1: not started). */
static pid_t start_mpi(const char *log, const char *args) {
  char buf[2048];
  snprintf(buf, sizeof buf, "%s", args);
  char *argv[128];
  int argc = 0;
  argv[argc++] = (char *)RX_TEST_MPIRUN;
  argv[argc++] = "--oversubscribe";
  argv[argc++] = "-np";
  argv[argc++] = "3";
  argv[argc++] = (char *)RX_TEST_CLI;
  for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && argc < 120;
       t = strtok_r(NULL, " ", &save))
    argv[argc++] = t;
  argv[argc++] = "--mpi";
  argv[argc] = NULL;
  fflush(stdout), fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(127);
    /* under AddressSanitizer: no leak check in mpirun's processes (see the top of this file) */
    setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
    execv(RX_TEST_MPIRUN, argv);
    _exit(127);
  }
  if (pid > 0) setpgid(pid, pid);
  return pid;
}

static int wait_exit(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs `reactivate <args> --mpi` under mpirun; its output in <root>/mpi.log (read by output_of).
 */
static char mpi_log[400];
static int run_mpi(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_mpi(const char *fmt, ...) {
  char args[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  pid_t pid = start_mpi(mpi_log, args);
  return pid < 0 ? -1 : wait_exit(pid);
}

static char *mpi_output(void) {
  char *text = NULL;
  size_t n;
  if (rx_read_file(mpi_log, &text, &n, 1 << 24, NULL)) return strdup("");
  return text;
}

/* The scheduler's order in rank 0's output: every step started ("start  <label> on rank k")
 * after all the steps it needs were done ("done   <label> in ..."), or done before the run
 * (plan built now: every step is done; `already` lists those done before this run, or NULL for
 * none). Returns the number of steps started. */
static int check_order(const char *text, const char *profile, const char *out, const int *already) {
  rx_plan *p = NULL;
  rx_error err = {{0}};
  int rc = rx_plan_create(&p, profile, out, NULL, 0, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  if (rc) return -1;
  int *done = calloc((size_t)p->n_steps, sizeof *done), n_started = 0;
  for (int i = 0; i < p->n_steps; i++)
    done[i] = already ? already[i] : 0;
  char *copy = strdup(text);
  for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    const char *start = strstr(line, "] start  "), *fin = strstr(line, "] done   ");
    if (!start && !fin) continue;
    const char *label = (start ? start : fin) + 9;
    const char *end = strstr(label, start ? " on rank " : " in ");
    if (!end) continue;
    int i = 0;
    while (i < p->n_steps && (strlen(p->steps[i].label) != (size_t)(end - label) ||
                              strncmp(p->steps[i].label, label, (size_t)(end - label))))
      i++;
    CHECK_MSG(i < p->n_steps, "no step of the plan in: %s", line);
    if (i == p->n_steps) continue;
    if (fin) {
      done[i] = 1;
      continue;
    }
    n_started++;
    for (int d = 0; d < p->steps[i].n_deps; d++)
      CHECK_MSG(done[p->steps[i].deps[d]], "%s started before %s was done", p->steps[i].label,
                p->steps[p->steps[i].deps[d]].label);
  }
  free(copy), free(done);
  rx_plan_free(p);
  return n_started;
}

/* report.md of a and b: the same lines but those that hold the date, the wall time and how the
 * steps ran. */
static void compare_reports(const char *a, const char *b) {
  char *x = rx_test_read_text(a, "report.md"), *y = rx_test_read_text(b, "report.md");
  CHECK_MSG(x && y, "report.md missing in %s or %s", a, b);
  int n = 0;
  for (char *sx = NULL, *sy = NULL, *lx = x ? strtok_r(x, "\n", &sx) : NULL,
            *ly = y ? strtok_r(y, "\n", &sy) : NULL;
       lx || ly; lx = strtok_r(NULL, "\n", &sx), ly = strtok_r(NULL, "\n", &sy), n++) {
    CHECK_MSG(lx && ly, "report.md: %d lines in one, more in the other", n);
    if (!lx || !ly) break;
    if (!strncmp(lx, "Generated ", 10) || !strncmp(lx, "- Wall time: ", 13) ||
        !strncmp(lx, "- Machine: ", 11))
      continue;
    CHECK_MSG(!strcmp(lx, ly), "report.md line %d differs:\n  %s\n  %s", n + 1, lx, ly);
  }
  CHECK(n > 50);
  free(x), free(y);
}

/* Runs `reactivate <args> --out <out>` locally, moves its results to <out>.local (run
 * directories record their path, so both runs write to the same one), runs it with --mpi under
 * mpirun, and compares the two trees byte for byte (compare_trees, compare_reports). The local
 * tree stays in <out>.local as the reference of later checks. */
static void same_as_local(const char *out, const char *args, int min_same) {
  char ref[400];
  snprintf(ref, sizeof ref, "%s.local", out);
  int rc = run_cli("%s --out %s", args, out);
  char *o = output();
  REQUIRE_MSG(rc == 0, "local %s: exit %d: %s", args, rc, o);
  free(o);
  REQUIRE(rename(out, ref) == 0);
  rc = run_mpi("%s --out %s", args, out);
  o = mpi_output();
  CHECK_MSG(rc == 0, "%s --mpi: exit %d: %s", args, rc, o);
  CHECK_MSG(strstr(o, "on 3 MPI ranks") && strstr(o, "on rank 1") && strstr(o, "on rank 2"),
            "not every rank ran steps: %s", o);
  const char *profile = strstr(args, "--profile ");
  char name[256] = "";
  if (profile) sscanf(profile + 10, "%255s", name);
  if (name[0]) CHECK_MSG(check_order(o, name, out, NULL) >= 20, "too few steps started: %s", o);
  free(o);
  int same = 0, extra = 0;
  compare_trees(ref, out, "", &same, &extra);
  CHECK_MSG(extra == 0, "%d checkpoints more over MPI", extra);
  if (name[0]) compare_reports(ref, out); /* a sweep's report holds no times: in the tree */
  fprintf(stderr, "  %s: %d files byte-identical over MPI and locally\n", args, same);
  CHECK_MSG(same >= min_same, "only %d files compared", same);
}

static void test_mini_over_mpi_same_as_local(void) {
  char out[300];
  snprintf(out, sizeof out, "%s/mini", root);
  same_as_local(out, "reproduce --profile mini", 250);
}

/* A 2 x 2 sweep on the mini profile (the noisy spatial pair): over 3 ranks the same points,
 * checkpoints, analyses, sweep.json/md/html and figures as locally. */
static void test_mini_sweep_over_mpi_same_as_local(void) {
  char file[300], out[300], args[400];
  snprintf(file, sizeof file, "%s/sweep2x2.yml", root);
  snprintf(out, sizeof out, "%s/sweep", root);
  static const char yaml[] = "description: 2 x 2 on the mini profile (test_plan_mpi)\n"
                             "extends: mini\n"
                             "spatial_navigation:\n"
                             "  experiments: [noisy_unbiased, noisy_biased]\n"
                             "grid:\n"
                             "  rnn.sigma2_rec: [1.0e-4, 1.0e-2]\n"
                             "  rnn.momentum: [0, 0.5]\n";
  REQUIRE(rx_write_file_atomic(file, yaml, strlen(yaml), NULL) == 0);
  snprintf(args, sizeof args, "sweep %s", file);
  same_as_local(out, args, 60);
  char path[400];
  snprintf(path, sizeof path, "%s/sweep.md", out);
  CHECK(rx_file_exists(path));
}

/* The pids of the processes whose parent is ppid (from /proc). */
static int children_of(pid_t ppid, pid_t *pids, int max) {
  DIR *d = opendir("/proc");
  if (!d) return 0;
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) && n < max;) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = 0;
    const char *close_paren = strrchr(buf, ')');
    int parent = 0;
    char state = 0;
    if (close_paren && sscanf(close_paren + 1, " %c %d", &state, &parent) == 2 && parent == ppid &&
        state != 'Z')
      pids[n++] = (pid_t)atoi(e->d_name);
  }
  closedir(d);
  return n;
}

/* The MPI rank of process pid (OMPI_COMM_WORLD_RANK in its environment), -1 if none. */
static int rank_of(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  char *env = NULL;
  size_t n = 0;
  if (rx_read_file(path, &env, &n, 1 << 20, NULL)) return -1;
  int rank = -1;
  for (size_t i = 0; i < n; i += strlen(env + i) + 1)
    if (!strncmp(env + i, "OMPI_COMM_WORLD_RANK=", 21)) rank = atoi(env + i + 21);
  free(env);
  return rank;
}

static int alive(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t k = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[k] = 0;
  const char *p = strrchr(buf, ')');
  return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static int count(const char *text, const char *word) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, word)); p++)
    n++;
  return n;
}

/* After the mini run above (its local reference in <root>/mini.local): the same run over MPI
 * again, rank 1 killed while it runs a step once a few steps are done; the job aborts, no step
 * outlives its rank, and a rerun over MPI resumes to the reference's bytes. */
static void test_killed_rank_then_rerun_same_as_local(void) {
  char out[300], ref[400];
  snprintf(out, sizeof out, "%s/mini", root);
  snprintf(ref, sizeof ref, "%s.local", out);
  REQUIRE_MSG(rx_file_exists(ref), "no local reference: the first test failed");
  rx_test_rm_rf(out);
  char args[600];
  snprintf(args, sizeof args, "reproduce --profile mini --out %s", out);
  pid_t mpirun = start_mpi(mpi_log, args);
  REQUIRE(mpirun > 0);
  pid_t victim = 0, steps[64];
  int n_steps = 0, ended = 0, st = 0;
  for (int t = 0; t < 60000 && !victim; t += 5) { /* up to 5 min */
    if (waitpid(mpirun, &st, WNOHANG) == mpirun) {
      ended = 1;
      break;
    }
    char *o = mpi_output();
    int n_done = count(o, "done   ");
    free(o);
    pid_t ranks[16];
    int n_ranks = n_done >= 3 ? children_of(mpirun, ranks, 16) : 0;
    for (int k = 0; k < n_ranks && !victim; k++)
      if (rank_of(ranks[k]) == 1 && children_of(ranks[k], steps, 64) > 0) victim = ranks[k];
    if (!victim) sleep_ms(5);
  }
  REQUIRE_MSG(!ended && victim, "the run ended (%d) before rank 1 ran a step after 3 were done",
              ended);
  /* every step running now, on any rank: none may outlive the job */
  pid_t ranks[16];
  int n_ranks = children_of(mpirun, ranks, 16);
  for (int k = 0; k < n_ranks; k++)
    n_steps += children_of(ranks[k], steps + n_steps, 64 - n_steps);
  kill(victim, SIGKILL);
  int rc = wait_exit(mpirun);
  char *o = mpi_output();
  CHECK_MSG(rc != 0, "mpirun exit %d after a rank was killed: %s", rc, o);
  free(o);
  int survivors = 0;
  for (int t = 0; t < 20000; t += 20) { /* up to 20 s: a training saves a checkpoint first */
    survivors = 0;
    for (int k = 0; k < n_steps; k++)
      survivors += alive(steps[k]);
    if (!survivors) break;
    sleep_ms(20);
  }
  CHECK_MSG(n_steps > 0 && survivors == 0, "%d of the %d running steps outlived the job", survivors,
            n_steps);
  char report[400];
  snprintf(report, sizeof report, "%s/report.md", out);
  CHECK_MSG(!rx_file_exists(report), "the aborted run wrote its report");

  /* the rerun with 4 steps at a time per rank: 12 slots, as many as the trainings, so that a
   * step handed out too early would show */
  rx_plan *before = NULL;
  rx_error err = {{0}};
  REQUIRE_MSG(rx_plan_create(&before, "mini", out, NULL, 0, &err) == 0, "%s", err.msg);
  int already[256] = {0}, n_already = 0;
  for (int i = 0; i < before->n_steps && i < 256; i++)
    n_already += already[i] = before->steps[i].done;
  int n_plan = before->n_steps;
  rx_plan_free(before);
  rc = run_mpi("%s --jobs 4", args);
  o = mpi_output();
  CHECK_MSG(rc == 0, "rerun over MPI: exit %d: %s", rc, o);
  CHECK_MSG(strstr(o, "finished)") != NULL, "%s", o);
  int n_started = check_order(o, "mini", out, already);
  CHECK_MSG(n_already > 0 && n_started == n_plan - n_already,
            "%d steps of %d were done before the rerun, which started %d", n_already, n_plan,
            n_started);
  free(o);
  int same = 0, extra = 0;
  compare_trees(ref, out, "", &same, &extra);
  compare_reports(ref, out);
  CHECK(same >= 250);
  fprintf(stderr,
          "  rank 1 killed with %d steps running; rerun: %d files byte-identical, %d extra "
          "checkpoint%s\n",
          n_steps, same, extra, extra == 1 ? "" : "s");
}

/* bench --only scheduler over MPI, once: 3 slots, 24 no-op steps and 12 of 1 s; the 1-s plan
 * cannot beat total work / slots, and on any machine it stays well within twice that. */
static void test_scheduler_bench(void) {
  int rc = run_mpi("bench --only scheduler --reps 1 --json");
  char *o = mpi_output();
  CHECK_MSG(rc == 0, "exit %d: %s", rc, o);
  const char *j = strstr(o, "{\"scheduler\": {\"mpi\": true, \"ranks\": 3, \"slots\": 3");
  double wall = 0, ideal = 0, ratio = 0, overhead = -1;
  const char *k;
  if (j && (k = strstr(j, "\"overhead_ms_per_step\": "))) overhead = atof(k + 24);
  if (j && (k = strstr(j, "\"wall_s\": "))) wall = atof(k + 10);
  if (j && (k = strstr(j, "\"ideal_s\": "))) ideal = atof(k + 11);
  if (j && (k = strstr(j, "\"ratio\": "))) ratio = atof(k + 9);
  CHECK_MSG(j && strstr(j, "\"noop_steps\": 24") && strstr(j, "\"equal_steps\": 12"), "%s", o);
  CHECK_MSG(overhead > 0 && overhead < 1000, "overhead %g ms: %s", overhead, o);
  CHECK_MSG(ideal == 4.0 && wall >= 0.999 * ideal && ratio >= 0.999 && ratio < 2, "%s", o);
  CHECK(count_lines(o) == 1); /* only rank 0 prints */
  free(o);
}

/* Runs the CLI built without MPI (RX_TEST_CLI_NOMPI: the CLI's sources with RX_HAVE_MPI off)
 * with the arguments, into cli_out_path; its exit status. */
static int run_nompi(const char *a1, const char *a2, const char *a3, const char *a4,
                     const char *a5) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(cli_out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(127);
    execl(RX_TEST_CLI_NOMPI, RX_TEST_CLI_NOMPI, a1, a2, a3, a4, a5, "--mpi", (char *)NULL);
    _exit(127);
  }
  return wait_exit(pid);
}

static void test_build_without_mpi_refuses(void) {
  char out[300];
  snprintf(out, sizeof out, "%s/nompi", root);
  const char *want = "built without MPI: install libopenmpi-dev and rebuild (docs/cluster.md)";
  int rc = run_nompi("reproduce", "--profile", "mini", "--out", out);
  char *o = output();
  CHECK_MSG(rc == 1 && count_lines(o) == 1 && strstr(o, want), "exit %d: %s", rc, o);
  CHECK_MSG(!rx_file_exists(out), "%s was created", out);
  free(o);
  rc = run_nompi("bench", "--only", "scheduler", "--reps", "1");
  o = output();
  CHECK_MSG(rc == 1 && count_lines(o) == 1 && strstr(o, want), "exit %d: %s", rc, o);
  free(o);
}
#endif

int main(int argc, char **argv) {
#ifndef RX_TEST_MPIRUN
  (void)argc, (void)argv;
  printf("SKIP: built without MPI (install libopenmpi-dev and rebuild): reproduce --mpi is not "
         "tested\n");
  return 77;
#else
  if (access(RX_TEST_MPIRUN, X_OK)) {
    printf("SKIP: %s not found (install openmpi-bin): reproduce --mpi is not tested\n",
           RX_TEST_MPIRUN);
    return 77;
  }
  /* mpirun refuses to start ranks as root unless told (CI runs as root) */
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  cli_runner_init("plan_mpi");
  rx_test_tmpdir(root, sizeof root, "plan_mpi");
  snprintf(mpi_log, sizeof mpi_log, "%s/mpi.log", root);
  static const rx_test_case tests[] = {
      TEST(test_mini_over_mpi_same_as_local), TEST(test_mini_sweep_over_mpi_same_as_local),
      TEST(test_killed_rank_then_rerun_same_as_local), TEST(test_scheduler_bench),
      TEST(test_build_without_mpi_refuses)};
  int rc = rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
  if (!getenv("RX_REPRODUCE_KEEP")) {
    rx_test_rm_rf(root);
    rx_test_rm_rf(cli_out_path);
  } else {
    fprintf(stderr, "results kept in %s\n", root);
  }
  return rc;
#endif
}
