/* Reliability of training, on the real binary: SIGKILL at random moments then --resume ends
 * bit-identical to an uninterrupted run; SIGTERM/SIGINT stop with a checkpoint and 128+sig; what a
 * kill can leave (temporary files, metrics ahead of or behind the checkpoint, a damaged
 * checkpoint) is repaired on resume; write failures (file size limit, full tmpfs, a path under a
 * regular file) give one line naming the file and keep earlier checkpoints; divergence names the
 * step and the last good checkpoint; the run lock refuses a second trainer and is taken over from
 * a killed one; different runs trained at once into one results directory do not interfere. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reactivate/checkpoint.h"
#include "reactivate/fileio.h"
#include "reactivate/train.h"
#include "test_util.h"

enum { N_STEPS = 80 }; /* save_freq 10, test_freq 1: 9 checkpoints, a progress line per step */

/* ---- running the binary ---- */

/* Starts `reactivate train` on the tiny config into root with seed and n_steps, extra arguments
 * (NULL-terminated) appended; stdout and stderr go to out_fd. fsize_limit > 0 caps the size of
 * any file it writes (RLIMIT_FSIZE, SIGXFSZ ignored, so writes fail with EFBIG). */
static pid_t spawn_train(const char *root, int seed, int n_steps, const char *const *extra,
                         int out_fd, long fsize_limit) {
  char path[400], seed_s[32], steps_s[48];
  snprintf(path, sizeof path, "path=%s", root);
  snprintf(seed_s, sizeof seed_s, "seed=%d", seed);
  snprintf(steps_s, sizeof steps_s, "trainer.n_epochs=%d", n_steps);
  const char *argv[40] = {"reactivate",
                          "train",
                          "spatial_navigation/noisy_unbiased",
                          "rnn.n_rec=16",
                          "task.place_cells_num=16",
                          "task.batch_size=8",
                          "task.sequence_length=10",
                          "trainer.save_freq=10",
                          "trainer.test_freq=1",
                          path,
                          seed_s,
                          steps_s,
                          "--threads",
                          "1"};
  int n = 14;
  for (int i = 0; extra && extra[i] && n < 39; i++)
    argv[n++] = extra[i];
  argv[n] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
    signal(SIGINT, SIG_DFL);          /* as launched from a terminal, whatever runs the tests */
    signal(SIGTERM, SIG_DFL);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    if (fsize_limit > 0) {
      struct rlimit rl = {(rlim_t)fsize_limit, (rlim_t)fsize_limit};
      signal(SIGXFSZ, SIG_IGN);
      setrlimit(RLIMIT_FSIZE, &rl);
    }
    execv(RX_TEST_CLI, (char *const *)argv);
    _exit(127);
  }
  return pid;
}

/* Exit status of pid, or -(signal) when a signal ended it. */
static int wait_status(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1000;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

/* Where a child's output goes. */
static const char *out_path(void) {
  static char path[256];
  if (!path[0]) snprintf(path, sizeof path, "/tmp/rx_test_reliability_out_%d.txt", (int)getpid());
  return path;
}
#define out_file (out_path())

/* Runs training to its end; output in *out (malloc'd) when out is not NULL. */
static int run_train(const char *root, int seed, int n_steps, const char *const *extra,
                     long fsize_limit, char **out) {
  int fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1000;
  pid_t pid = spawn_train(root, seed, n_steps, extra, fd, fsize_limit);
  close(fd);
  int rc = wait_status(pid);
  if (out) {
    size_t n;
    if (rx_read_file(out_file, out, &n, 1 << 24, NULL)) *out = strdup("");
  }
  return rc;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void run_dir_of(char *buf, size_t n, const char *root, int seed) {
  snprintf(buf, n, "%s/spatial_navigation/noisy_unbiased_0.0001_%d", root, seed);
}

/* pid written in <run_dir>/.lock, 0 if none. */
static long lock_pid(const char *run_dir) {
  char path[600], *text = NULL;
  size_t n;
  snprintf(path, sizeof path, "%s/.lock", run_dir);
  if (rx_read_file(path, &text, &n, 4096, NULL)) return 0;
  long pid = 0;
  if (sscanf(text, "%ld", &pid) != 1) pid = 0;
  free(text);
  return pid;
}

static void sleep_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Starts a training whose output goes to a one-page pipe that is not read, and waits until it
 * holds the run lock and has written min_output bytes: from then on it is inside rx_train with
 * its signal handlers installed, and it cannot finish before the pipe is drained (the config
 * and a progress line per step fill the page by step ~27 of N_STEPS; 3000 bytes: step > 15). */
static pid_t spawn_blocked(const char *root, int seed, int min_output, int *pipe_rd) {
  int p[2];
  if (pipe(p) != 0) return -1;
  if (fcntl(p[1], F_SETPIPE_SZ, 4096) < 0) {
    close(p[0]);
    close(p[1]);
    return -1;
  }
  pid_t pid = spawn_train(root, seed, N_STEPS, NULL, p[1], 0);
  close(p[1]);
  *pipe_rd = p[0];
  char dir[512];
  run_dir_of(dir, sizeof dir, root, seed);
  int queued = 0;
  for (int i = 0; i < 200000 && (lock_pid(dir) != pid || queued < min_output); i++) {
    if (ioctl(p[0], FIONREAD, &queued) != 0) queued = 0;
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) return -1; /* ended early: a test failure */
    sleep_us(100);
  }
  return pid;
}

/* Reads the pipe to its end (malloc'd text) and closes it. */
static char *drain(int fd) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n + 4096 > cap) buf = realloc(buf, cap *= 2);
    ssize_t got = read(fd, buf + n, cap - n - 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    n += (size_t)got;
  }
  buf[n] = '\0';
  close(fd);
  return buf;
}

/* ---- comparing runs ---- */

static int same_file(const char *a, const char *b) {
  char *ta = NULL, *tb = NULL;
  size_t na = 0, nb = 0;
  int ok = !rx_read_file(a, &ta, &na, 1 << 26, NULL) && !rx_read_file(b, &tb, &nb, 1 << 26, NULL) &&
           na == nb && memcmp(ta, tb, na) == 0;
  free(ta);
  free(tb);
  return ok;
}

/* The final checkpoint's weights and optimiser state, and both metrics files, bit-identical. */
static void check_same_run(const char *ref_dir, const char *dir, int64_t step) {
  char pa[700], pb[700];
  rx_checkpoint_path(pa, sizeof pa, ref_dir, step);
  rx_checkpoint_path(pb, sizeof pb, dir, step);
  rx_checkpoint a, b;
  rx_error err;
  int ra = rx_checkpoint_load(pa, &a, &err);
  CHECK_MSG(ra == 0, "%s", err.msg);
  int rb = rx_checkpoint_load(pb, &b, &err);
  CHECK_MSG(rb == 0, "%s", err.msg);
  if (!ra && !rb) {
    size_t n = a.rnn->n_weights;
    CHECK_MSG(b.rnn->n_weights == n && !memcmp(a.rnn->w, b.rnn->w, n * sizeof(float)),
              "weights of %s differ from %s", pb, pa);
    CHECK(a.adam && b.adam && a.adam->step == b.adam->step &&
          !memcmp(a.adam->m, b.adam->m, n * sizeof(float)) &&
          !memcmp(a.adam->v, b.adam->v, n * sizeof(float)));
  }
  if (!ra) rx_checkpoint_free(&a);
  if (!rb) rx_checkpoint_free(&b);
  const char *names[] = {"train_metrics.json", "test_metrics.json"};
  for (int i = 0; i < 2; i++) {
    snprintf(pa, sizeof pa, "%s/%s", ref_dir, names[i]);
    snprintf(pb, sizeof pb, "%s/%s", dir, names[i]);
    CHECK_MSG(same_file(pa, pb), "%s differs from %s", pb, pa);
  }
}

/* Files in dir whose name contains s. */
static int count_files_containing(const char *dir, const char *s) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += strstr(e->d_name, s) != NULL;
  closedir(d);
  return n;
}

/* What a kill may leave: every checkpoint loads with finite weights, every metrics file parses. */
static void check_run_dir_consistent(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  for (struct dirent *e; (e = readdir(d));) {
    char p[800];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    if (rx_checkpoint_step_of(e->d_name) >= 0) {
      rx_checkpoint ck;
      rx_error err;
      int rc = rx_checkpoint_load(p, &ck, &err);
      CHECK_MSG(rc == 0, "%s", err.msg);
      if (rc) continue;
      for (size_t i = 0; i < ck.rnn->n_weights; i++)
        if (!isfinite(ck.rnn->w[i])) {
          CHECK_MSG(0, "%s holds a non-finite weight", p);
          break;
        }
      rx_checkpoint_free(&ck);
    } else if (!strcmp(e->d_name, "train_metrics.json") ||
               !strcmp(e->d_name, "test_metrics.json")) {
      char *text = NULL;
      size_t n;
      cJSON *j = rx_read_file(p, &text, &n, 1 << 24, NULL) ? NULL : cJSON_Parse(text);
      CHECK_MSG(j && cJSON_IsObject(j), "%s does not parse", p);
      cJSON_Delete(j);
      free(text);
    }
  }
  closedir(d);
}

/* One uninterrupted run per seed, shared by the tests. */
static const char *reference(int seed) {
  static char dirs[4][512];
  if (!dirs[seed][0]) {
    char root[256];
    rx_test_tmpdir(root, sizeof root, "rel_ref");
    const char *quiet[] = {"--quiet", NULL};
    if (run_train(root, seed, N_STEPS, quiet, 0, NULL) != 0) {
      fprintf(stderr, "  reference run of seed %d failed\n", seed);
      exit(1);
    }
    run_dir_of(dirs[seed], sizeof dirs[seed], root, seed);
  }
  return dirs[seed];
}

static uint32_t lcg_state = 20240501u;
static uint32_t lcg(uint32_t n) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return (lcg_state >> 8) % n;
}

/* ---- tests ---- */

static void test_sigkill_at_random_moments_then_resume_is_bit_identical(void) {
  const char *ref = reference(0);
  char root[256], dir[512];
  rx_test_tmpdir(root, sizeof root, "rel_kill");
  run_dir_of(dir, sizeof dir, root, 0);
  const char *resume[] = {"--resume", "--quiet", NULL};
  int killed = 0, temporaries = 0, stale_locks = 0;
  char landed[256] = "";
  /* rx_test_small (valgrind): 3 kills, one during start-up, instead of 6 */
  const int attempts = rx_test_small() ? 3 : 6;
  for (int attempt = 0; attempt < attempts; attempt++) {
    int fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    pid_t pid = spawn_train(root, 0, N_STEPS, resume, fd, 0);
    close(fd);
    REQUIRE(pid > 0);
    if (attempt == 0) {
      sleep_us(lcg(3000)); /* during start-up */
    } else { /* soon after a (seeded) checkpoint appears, or while it is being written */
      char ck[700];
      int64_t latest = rx_checkpoint_latest(dir);
      int64_t target = (latest < 0 ? 0 : latest / 10 * 10) + 10 * (int64_t)lcg(3);
      rx_checkpoint_path(ck, sizeof ck, dir, target < 70 ? target : 70);
      for (int i = 0; i < 100000 && !rx_file_exists(ck); i++) {
        siginfo_t info = {0};
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
          break; /* ended (not reaped: wait_status below) */
        sleep_us(100);
      }
      sleep_us(lcg(30000));
    }
    kill(pid, SIGKILL);
    int rc = wait_status(pid);
    if (rc == -SIGKILL) {
      killed++;
      size_t used = strlen(landed);
      snprintf(landed + used, sizeof landed - used, " %lld", (long long)rx_checkpoint_latest(dir));
      temporaries += count_files_containing(dir, ".tmp.");
      stale_locks += lock_pid(dir) == pid;
      check_run_dir_consistent(dir);
    } else {
      CHECK_MSG(rc == 0, "attempt %d exited %d", attempt, rc);
      break; /* it finished first */
    }
  }
  fprintf(stderr,
          "  %d kills landed (newest checkpoint after each:%s); they left %d temporary files, %d "
          "stale lock files\n",
          killed, landed, temporaries, stale_locks);
  char *out = NULL;
  int rc = run_train(root, 0, N_STEPS, resume, 0, &out);
  CHECK_MSG(rc == 0, "final resume exited %d: %s", rc, out);
  free(out);
  check_same_run(ref, dir, N_STEPS);
  CHECK(count_files_containing(dir, ".tmp.") == 0);
  CHECK(count_files_containing(dir, ".lock") == 0);
}

static void test_sigterm_and_sigint_stop_with_checkpoint_then_resume_is_identical(void) {
  const char *ref = reference(0);
  const int sigs[] = {SIGTERM, SIGINT};
  for (int k = 0; k < 2; k++) {
    char root[256], dir[512];
    rx_test_tmpdir(root, sizeof root, "rel_sig");
    run_dir_of(dir, sizeof dir, root, 0);
    int rd;
    pid_t pid = spawn_blocked(root, 0, 3000, &rd);
    REQUIRE(pid > 0);
    kill(pid, sigs[k]);
    char *out = drain(rd);
    int rc = wait_status(pid);
    CHECK_MSG(rc == 128 + sigs[k], "signal %d: exit %d", sigs[k], rc);
    CHECK_MSG(strstr(out, "stopped by signal") && strstr(out, "--resume"), "%s", out);
    free(out);
    int64_t last = rx_checkpoint_latest(dir);
    CHECK_MSG(last > 10 && last < N_STEPS, "latest checkpoint %lld", (long long)last);
    fprintf(stderr, "  signal %d: exit %d, checkpoint model_%lld.npz\n", sigs[k], rc,
            (long long)last);
    check_run_dir_consistent(dir);
    CHECK(count_files_containing(dir, ".lock") == 0); /* released on a clean stop */
    const char *resume[] = {"--resume", "--quiet", NULL};
    rc = run_train(root, 0, N_STEPS, resume, 0, &out);
    CHECK_MSG(rc == 0, "resume exited %d: %s", rc, out);
    free(out);
    check_same_run(ref, dir, N_STEPS);
  }
}

/* The library, given the states a kill can leave, resumes to the uninterrupted result. */
static int tiny_config(rx_train_config *cfg, const char *root) {
  char path[400];
  snprintf(path, sizeof path, "path=%s", root);
  const char *ov[] = {path,
                      "rnn.n_rec=16",
                      "task.place_cells_num=16",
                      "task.batch_size=8",
                      "task.sequence_length=10",
                      "trainer.save_freq=10",
                      "trainer.test_freq=1",
                      "trainer.n_epochs=80"};
  rx_error err;
  int rc = rx_config_load(cfg, "spatial_navigation/noisy_unbiased", 8, ov, &err);
  if (rc) fprintf(stderr, "  config: %s\n", err.msg);
  return rc;
}

static int write_text(const char *dir, const char *name, const char *text, size_t n) {
  char p[4400];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return rx_write_file_atomic(p, text, n, NULL);
}

/* Copies <from>/<name> over <to>/<name>, keeping only steps <= max_step when max_step >= 0. */
static int copy_metrics(const char *from, const char *to, const char *name, int max_step) {
  char p[4400], *text = NULL;
  size_t n;
  snprintf(p, sizeof p, "%s/%s", from, name);
  if (rx_read_file(p, &text, &n, 1 << 24, NULL)) return -1;
  cJSON *j = cJSON_Parse(text);
  free(text);
  if (!j) return -1;
  for (cJSON *e = j->child, *next; e; e = next) {
    next = e->next;
    if (max_step >= 0 && atoi(e->string) > max_step) cJSON_Delete(cJSON_DetachItemViaPointer(j, e));
  }
  text = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  int rc = write_text(to, name, text, strlen(text));
  cJSON_free(text);
  return rc;
}

static void test_resume_repairs_what_a_kill_can_leave(void) {
  char ref_root[256];
  rx_test_tmpdir(ref_root, sizeof ref_root, "rel_lib_ref");
  rx_train_config cfg;
  REQUIRE(tiny_config(&cfg, ref_root) == 0);
  rx_train_result ref, res;
  rx_error err;
  REQUIRE(rx_train(&cfg, NULL, &ref, &err) == 0);
  rx_train_options stop35 = {.stop_after = 35}, resume = {.resume = 1};
  /* Damage done to a run stopped at step 35 (checkpoints 0..30 and 35), and the step the repaired
   * resume must start from. */
  enum { STRAY_TEMPORARIES, METRICS_AHEAD, METRICS_BEHIND, DAMAGED_CHECKPOINT, N_CASES };
  const char *what[] = {"stray temporaries", "metrics ahead", "metrics behind",
                        "damaged checkpoint"};
  const int64_t resume_from[] = {35, 35, 30, 30};
  for (int c = 0; c < N_CASES; c++) {
    char root[256];
    rx_test_tmpdir(root, sizeof root, "rel_lib");
    rx_train_config b;
    REQUIRE(tiny_config(&b, root) == 0);
    REQUIRE(rx_train(&b, &stop35, &res, &err) == 0);
    REQUIRE(res.interrupted && res.steps_done == 35);
    const char *dir = res.run_dir;
    char p[4400];
    if (c == STRAY_TEMPORARIES) { /* a half checkpoint and half metrics of a killed writer */
      char half[5000];
      memset(half, 'x', sizeof half);
      REQUIRE(write_text(dir, "model_40.npz.tmp.999999", half, sizeof half) == 0);
      REQUIRE(write_text(dir, "model_99.npz.tmp.12", "PK", 2) == 0);
      REQUIRE(write_text(dir, "train_metrics.json.tmp.77", "{\"1\":", 5) == 0);
      REQUIRE(write_text(dir, "config.yaml.tmp.5", "seed: [", 7) == 0);
    } else if (c == METRICS_AHEAD) { /* metrics of the whole run, past the checkpoint */
      REQUIRE(copy_metrics(ref.run_dir, dir, "train_metrics.json", -1) == 0);
      REQUIRE(copy_metrics(ref.run_dir, dir, "test_metrics.json", -1) == 0);
    } else if (c == METRICS_BEHIND) { /* killed between a checkpoint and its metrics */
      REQUIRE(copy_metrics(ref.run_dir, dir, "train_metrics.json", 33) == 0);
      REQUIRE(copy_metrics(ref.run_dir, dir, "test_metrics.json", 33) == 0);
    } else { /* the newest checkpoint cut short */
      rx_checkpoint_path(p, sizeof p, dir, 35);
      char *data;
      size_t n;
      REQUIRE(rx_read_file(p, &data, &n, 1 << 26, NULL) == 0);
      REQUIRE(rx_write_file_atomic(p, data, n / 2, NULL) == 0);
      free(data);
    }
    int rc = rx_train(&b, &resume, &res, &err);
    CHECK_MSG(rc == 0, "%s: %s", what[c], err.msg);
    if (rc) continue;
    CHECK_MSG(res.resumed_from == resume_from[c], "%s: resumed from %lld", what[c],
              (long long)res.resumed_from);
    fprintf(stderr, "  %s: note: %s\n", what[c], res.note);
    if (c == STRAY_TEMPORARIES) CHECK(strstr(res.note, "removed 4 temporary files"));
    if (c == METRICS_BEHIND)
      CHECK(strstr(res.note, "resuming from model_30.npz, not model_35.npz"));
    if (c == DAMAGED_CHECKPOINT) CHECK(strstr(res.note, "model_35.npz"));
    CHECK(count_files_containing(dir, ".tmp.") == 0);
    check_same_run(ref.run_dir, dir, N_STEPS);
  }
  /* Checkpoints without metrics files (copied alone): continued from the newest, with a note. */
  char root[256], p[4400];
  rx_test_tmpdir(root, sizeof root, "rel_lib_bare");
  rx_train_config b;
  REQUIRE(tiny_config(&b, root) == 0);
  REQUIRE(rx_train(&b, &stop35, &res, &err) == 0);
  snprintf(p, sizeof p, "%s/train_metrics.json", res.run_dir);
  REQUIRE(unlink(p) == 0);
  snprintf(p, sizeof p, "%s/test_metrics.json", res.run_dir);
  REQUIRE(unlink(p) == 0);
  int rc = rx_train(&b, &resume, &res, &err);
  CHECK_MSG(rc == 0 && res.resumed_from == 35 && strstr(res.note, "train_metrics.json is missing"),
            "rc %d, from %lld: %s", rc, (long long)res.resumed_from, rc ? err.msg : res.note);
  /* No checkpoint the metrics reach: refused, never trained from a wrong state. */
  rx_test_tmpdir(root, sizeof root, "rel_lib_none");
  REQUIRE(tiny_config(&b, root) == 0);
  REQUIRE(rx_train(&b, &stop35, &res, &err) == 0);
  rx_checkpoint_path(p, sizeof p, res.run_dir, 0);
  REQUIRE(unlink(p) == 0);
  REQUIRE(write_text(res.run_dir, "train_metrics.json", "{}", 2) == 0);
  rc = rx_train(&b, &resume, &res, &err);
  CHECK_MSG(rc == RX_EFORMAT && strstr(err.msg, "--overwrite") && strstr(err.msg, res.run_dir),
            "rc %d: %s", rc, err.msg);
}

static void test_second_trainer_is_refused_and_stale_lock_taken_over(void) {
  const char *ref = reference(0);
  char root[256], dir[512];
  rx_test_tmpdir(root, sizeof root, "rel_lock");
  run_dir_of(dir, sizeof dir, root, 0);
  int rd;
  pid_t first = spawn_blocked(root, 0, 0, &rd);
  REQUIRE(first > 0);
  char pid_s[32];
  snprintf(pid_s, sizeof pid_s, "process %ld", (long)first);
  const char *variants[3][3] = {
      {"--quiet", NULL}, {"--resume", "--quiet", NULL}, {"--overwrite", "--quiet", NULL}};
  for (int v = 0; v < 3; v++) {
    char *out = NULL;
    int rc = run_train(root, 0, N_STEPS, variants[v], 0, &out);
    CHECK_MSG(rc != 0 && count_lines(out) == 1, "variant %d: exit %d: %s", v, rc, out);
    CHECK_MSG(strstr(out, "is already being trained by") && strstr(out, pid_s) &&
                  strstr(out, "/.lock") && strstr(out, dir),
              "variant %d: %s", v, out);
    free(out);
  }
  char ck0[700];
  rx_checkpoint_path(ck0, sizeof ck0, dir, 0);
  CHECK_MSG(rx_file_exists(ck0), "--overwrite of a locked run deleted %s", ck0);
  /* Killed: the kernel drops its flock, the file stays; the next trainer takes it over. */
  kill(first, SIGKILL);
  CHECK(wait_status(first) == -SIGKILL);
  free(drain(rd));
  CHECK(lock_pid(dir) == first);
  const char *resume[] = {"--resume", NULL};
  char *out = NULL;
  int rc = run_train(root, 0, N_STEPS, resume, 0, &out);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, out);
  CHECK_MSG(strstr(out, "took over the stale lock") && strstr(out, pid_s), "%s", out);
  free(out);
  CHECK(count_files_containing(dir, ".lock") == 0);
  check_same_run(ref, dir, N_STEPS);
}

static void test_different_runs_in_one_results_dir_train_at_once(void) {
  char root[256], dir[512];
  rx_test_tmpdir(root, sizeof root, "rel_conc");
  const char *quiet[] = {"--quiet", NULL};
  pid_t pids[3];
  int fds[3];
  const int n_runs = rx_test_small() ? 2 : 3; /* valgrind (rx_test_small): two at once */
  for (int s = 1; s <= n_runs; s++) {
    char f[300];
    snprintf(f, sizeof f, "%s.%d", out_file, s);
    fds[s - 1] = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fds[s - 1] >= 0);
  }
  for (int s = 1; s <= n_runs; s++)
    pids[s - 1] = spawn_train(root, s, N_STEPS, quiet, fds[s - 1], 0);
  for (int s = 1; s <= n_runs; s++) {
    close(fds[s - 1]);
    CHECK_MSG(wait_status(pids[s - 1]) == 0, "seed %d failed", s);
  }
  for (int s = 1; s <= n_runs; s++) {
    run_dir_of(dir, sizeof dir, root, s);
    check_same_run(reference(s), dir, N_STEPS);
    CHECK(count_files_containing(dir, ".tmp.") == 0 && count_files_containing(dir, ".lock") == 0);
    char f[300];
    snprintf(f, sizeof f, "%s.%d", out_file, s);
    unlink(f);
  }
}

/* A one-line error naming the file, exit 1, earlier checkpoints byte-for-byte as they were. */
static void test_file_size_limit_fails_cleanly_and_resume_completes(void) {
  const char *ref = reference(0);
  char root[256], dir[512], ck30[700];
  rx_test_tmpdir(root, sizeof root, "rel_efbig");
  run_dir_of(dir, sizeof dir, root, 0);
  const char *quiet[] = {"--quiet", NULL}, *resume[] = {"--resume", "--quiet", NULL};
  REQUIRE(run_train(root, 0, 30, quiet, 0, NULL) == 0);
  rx_checkpoint_path(ck30, sizeof ck30, dir, 30);
  char *before = NULL, *after = NULL;
  size_t nb, na;
  REQUIRE(rx_read_file(ck30, &before, &nb, 1 << 26, NULL) == 0);
  /* Extended to N_STEPS with files capped at 8 KiB: the metrics fit, a checkpoint (17 KiB) not. */
  char *out = NULL;
  int rc = run_train(root, 0, N_STEPS, resume, 8192, &out);
  CHECK_MSG(rc == 1 && count_lines(out) == 1, "exit %d: %s", rc, out);
  CHECK_MSG(strstr(out, "model_40.npz") && strstr(out, "File too large") &&
                strstr(out, "last good checkpoint") && strstr(out, "model_30.npz"),
            "%s", out);
  fprintf(stderr, "  %s", out);
  free(out);
  CHECK(rx_checkpoint_latest(dir) == 30);
  CHECK(count_files_containing(dir, ".tmp.") == 0 && count_files_containing(dir, ".lock") == 0);
  REQUIRE(rx_read_file(ck30, &after, &na, 1 << 26, NULL) == 0);
  CHECK(na == nb && memcmp(before, after, na) == 0);
  free(before);
  free(after);
  check_run_dir_consistent(dir);
  rc = run_train(root, 0, N_STEPS, resume, 0, &out);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, out);
  free(out);
  check_same_run(ref, dir, N_STEPS);
}

static void test_unwritable_results_path_names_it(void) {
  char root[256], file[300], under[400];
  rx_test_tmpdir(root, sizeof root, "rel_notdir");
  snprintf(file, sizeof file, "%s/plain_file", root);
  REQUIRE(rx_write_file_atomic(file, "x", 1, NULL) == 0);
  snprintf(under, sizeof under, "%s/results", file);
  const char *quiet[] = {"--quiet", NULL};
  char *out = NULL;
  int rc = run_train(under, 0, N_STEPS, quiet, 0, &out);
  CHECK_MSG(rc == 1 && count_lines(out) == 1 && strstr(out, file) && strstr(out, "Not a directory"),
            "exit %d: %s", rc, out);
  fprintf(stderr, "  %s", out);
  free(out);
  if (geteuid() != 0) { /* root writes through permission bits: only tried as a normal user */
    char ro[300];
    snprintf(ro, sizeof ro, "%s/readonly", root);
    REQUIRE(mkdir(ro, 0555) == 0);
    rc = run_train(ro, 0, N_STEPS, quiet, 0, &out);
    CHECK_MSG(rc == 1 && count_lines(out) == 1 && strstr(out, ro) &&
                  strstr(out, "Permission denied"),
              "exit %d: %s", rc, out);
    free(out);
  }
}

/* A really full filesystem: a 96 KiB tmpfs in a private mount namespace (root only; skipped
 * where unshare or mount is not allowed). The run is copied out before the namespace ends. */
static void test_full_disk_fails_cleanly_and_resume_completes(void) {
  if (geteuid() != 0 || system("unshare -m true > /dev/null 2>&1") != 0) {
    fprintf(stderr, "  skipped: needs root and unshare -m\n");
    return;
  }
  const char *ref = reference(0);
  char mnt[256], copy[256], dir[512], cmd[4096];
  rx_test_tmpdir(mnt, sizeof mnt, "rel_tmpfs");
  rx_test_tmpdir(copy, sizeof copy, "rel_tmpfs_copy");
  snprintf(cmd, sizeof cmd,
           "unshare -m sh -c 'mount -t tmpfs -o size=96k tmpfs %s || exit 77; "
           "%s train spatial_navigation/noisy_unbiased rnn.n_rec=16 task.place_cells_num=16 "
           "task.batch_size=8 task.sequence_length=10 trainer.save_freq=10 trainer.test_freq=1 "
           "trainer.n_epochs=%d seed=0 path=%s --threads 1 --quiet > %s 2>&1; rc=$?; "
           "cp -a %s/. %s/ || exit 78; exit $rc'",
           mnt, RX_TEST_CLI, N_STEPS, mnt, out_file, mnt, copy);
  int st = system(cmd);
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (rc == 77) {
    fprintf(stderr, "  skipped: cannot mount a tmpfs here\n");
    return;
  }
  char *out = NULL;
  size_t n;
  if (rx_read_file(out_file, &out, &n, 1 << 20, NULL)) out = strdup("");
  run_dir_of(dir, sizeof dir, mnt, 0);
  CHECK_MSG(rc == 1 && count_lines(out) == 1, "exit %d: %s", rc, out);
  CHECK_MSG(strstr(out, "No space left on device") && strstr(out, dir) &&
                strstr(out, "last good checkpoint"),
            "%s", out);
  fprintf(stderr, "  %s", out);
  free(out);
  run_dir_of(dir, sizeof dir, copy, 0);
  int64_t last = rx_checkpoint_latest(dir);
  CHECK_MSG(last >= 0 && last < N_STEPS, "latest checkpoint on the full disk: %lld",
            (long long)last);
  CHECK(count_files_containing(dir, ".tmp.") == 0 && count_files_containing(dir, ".lock") == 0);
  check_run_dir_consistent(dir);
  const char *resume[] = {"--resume", "--quiet", NULL};
  rc = run_train(copy, 0, N_STEPS, resume, 0, &out);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, out);
  free(out);
  check_same_run(ref, dir, N_STEPS);
}

static void test_divergence_names_step_and_last_good_checkpoint(void) {
  char root[256], dir[512];
  rx_test_tmpdir(root, sizeof root, "rel_nan");
  run_dir_of(dir, sizeof dir, root, 0);
  const char *huge_lr[] = {"trainer.lr=1e6", "--quiet", NULL};
  char *out = NULL;
  int rc = run_train(root, 0, N_STEPS, huge_lr, 0, &out);
  CHECK_MSG(rc == 1 && count_lines(out) == 1, "exit %d: %s", rc, out);
  CHECK_MSG(strstr(out, "diverged at step") && strstr(out, "trainer.lr = 1e+06") &&
                strstr(out, "last good checkpoint: "),
            "%s", out);
  fprintf(stderr, "  %s", out);
  /* The named checkpoint exists, and no checkpoint holds a non-finite weight. */
  const char *named = strstr(out, "last good checkpoint: ");
  if (named) {
    char path[700];
    snprintf(path, sizeof path, "%s", named + strlen("last good checkpoint: "));
    path[strcspn(path, "\n")] = '\0';
    CHECK_MSG(rx_checkpoint_step_of(strrchr(path, '/') + 1) >= 0 && rx_file_exists(path), "%s",
              path);
  }
  free(out);
  check_run_dir_consistent(dir);
  CHECK(count_files_containing(dir, ".lock") == 0);
}

RX_TEST_MAIN(TEST(test_sigkill_at_random_moments_then_resume_is_bit_identical),
             TEST(test_sigterm_and_sigint_stop_with_checkpoint_then_resume_is_identical),
             TEST(test_resume_repairs_what_a_kill_can_leave),
             TEST(test_second_trainer_is_refused_and_stale_lock_taken_over),
             TEST(test_different_runs_in_one_results_dir_train_at_once),
             TEST(test_file_size_limit_fails_cleanly_and_resume_completes),
             TEST(test_unwritable_results_path_names_it),
             TEST(test_full_disk_fails_cleanly_and_resume_completes),
             TEST(test_divergence_names_step_and_last_good_checkpoint))
