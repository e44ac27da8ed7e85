/* reactivate reproduce: the plan a profile expands to (steps, commands, dependencies, what is
 * done), profile and seed-list errors, and the miniature profile end to end through the CLI:
 * every expected file, a report listing every claim with numbers, nothing redone on a second
 * run; a reproduction interrupted by SIGINT exits 130 and, run again, resumes to results
 * byte-identical to an uninterrupted one (the same in RX_TEST_SMALL runs). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli_runner.h"
#include "reactivate/linalg.h"
#include "reactivate/reproduce.h"
#include "test_util.h"
#include "tree_compare.h"

static char root[256];

static int count_kind(const rx_plan *p, rx_step_kind kind) {
  int n = 0;
  for (int i = 0; i < p->n_steps; i++)
    n += p->steps[i].kind == kind;
  return n;
}

static const rx_step *find_step(const rx_plan *p, const char *label) {
  for (int i = 0; i < p->n_steps; i++)
    if (!strcmp(p->steps[i].label, label)) return &p->steps[i];
  return NULL;
}

static int has_arg(const rx_step *s, const char *arg) {
  for (int a = 0; a < s->argc; a++)
    if (!strcmp(s->argv[a], arg)) return 1;
  return 0;
}

/* The miniature profile: 6 spatial + 2 Gaussian-noise + 4 head-direction trainings; analyses
 * main, C.1, C.2, Gaussian and head direction; three figure sets. */
static void test_plan_of_mini_profile(void) {
  rx_plan *p = NULL;
  rx_error err = {{0}};
  char out[300];
  snprintf(out, sizeof out, "%s/plan", root);
  int seeds[] = {1, 3};
  REQUIRE(rx_plan_create(&p, "mini", out, seeds, 2, &err) == 0);
  CHECK(p->n_seeds == 2 && p->seeds[1] == 3);
  CHECK(count_kind(p, RX_STEP_TRAIN) == 2 * 12);
  CHECK(count_kind(p, RX_STEP_ANALYZE) == 2 * 5);
  CHECK(count_kind(p, RX_STEP_FIGURES) == 3);
  CHECK(strstr(p->gaussian_out, "/plan/gaussian") != NULL);
  CHECK(p->settings && strstr(p->settings, "seeds used: [1, 3]"));
  for (int i = 0; i < p->n_steps; i++) {
    CHECK(!p->steps[i].done); /* nothing on disk yet */
    CHECK(p->steps[i].work > 0);
    for (int d = 0; d < p->steps[i].n_deps; d++)
      CHECK(p->steps[i].deps[d] < i); /* plan order */
  }
  const rx_step *t = find_step(p, "train spatial_navigation/noisy_unbiased_0.0001_3");
  REQUIRE(t);
  CHECK(!strcmp(t->argv[0], "train") && !strcmp(t->argv[1], "spatial_navigation/noisy_unbiased"));
  CHECK(has_arg(t, "seed=3") && has_arg(t, "--resume") && has_arg(t, "rnn.n_rec=16"));
  CHECK(t->n_steps == 30 && strstr(t->dir, "/plan/spatial_navigation/noisy_unbiased_0.0001_3"));
  const rx_step *g =
      find_step(p, "train spatial_navigation/noisy_biased_0.0001_1 (Gaussian noise)");
  REQUIRE(g);
  CHECK(has_arg(g, "rnn.noise=gaussian") && strstr(g->dir, "/plan/gaussian/spatial_navigation/"));
  CHECK(!find_step(p, "train spatial_navigation/no-noise_biased_1 (Gaussian noise)"));
  CHECK(!find_step(p, "train spatial_navigation/noisy_unbiased_gru_0.0001_1 (Gaussian noise)"));

  /* C.2 analyses exactly the two GRU runs of its seed; the main analysis the four vanilla runs. */
  const rx_step *gru = find_step(p, "analyze spatial_navigation seed 3 (gru=true)");
  const rx_step *main_a = find_step(p, "analyze spatial_navigation seed 3");
  REQUIRE(gru && main_a);
  CHECK(gru->n_deps == 2 && main_a->n_deps == 4);
  for (int d = 0; d < gru->n_deps; d++)
    CHECK(strstr(p->steps[gru->deps[d]].label, "_gru_0.0001_3"));
  for (int d = 0; d < main_a->n_deps; d++) {
    CHECK(!strstr(p->steps[main_a->deps[d]].label, "gru"));
    CHECK(strstr(p->steps[main_a->deps[d]].label, "_3") != NULL);
  }
  CHECK(has_arg(main_a, "noise=0.0001") && has_arg(main_a, "kl.n_samples=100"));
  const rx_step *hd = find_step(p, "analyze head_direction seed 1");
  REQUIRE(hd);
  CHECK(has_arg(hd, "noise=0.01") && hd->n_deps == 4);
  const rx_step *fig = find_step(p, "figures spatial_navigation");
  REQUIRE(fig);
  CHECK(fig->n_deps == 2 * 3 && has_arg(fig, "seeds=1,3")); /* main, C.1, C.2 per seed */
  rx_plan_free(p);
}

/* The mechanisms profile extends quick (its sizes, its GRU steps) and adds the mechanism runs
 * with their own steps; its mechanisms analysis depends on exactly the paper cell and the two
 * mechanism runs and runs the family's analyses; the Gaussian root gets no mechanism run. */
static void test_plan_of_mechanisms_profile_extends_quick(void) {
  char out[400];
  snprintf(out, sizeof out, "%s/mech", root);
  rx_plan *p = NULL;
  rx_error err = {{0}};
  int rc = rx_plan_create(&p, "mechanisms", out, NULL, 0, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  const rx_step *paper = find_step(p, "train spatial_navigation/noisy_unbiased_0.0001_0");
  const rx_step *ad = find_step(p, "train spatial_navigation/noisy_unbiased_adaptation_0.0001_0");
  const rx_step *mo = find_step(p, "train head_direction/noisy_unbiased_momentum_0.01_0");
  const rx_step *gru = find_step(p, "train spatial_navigation/noisy_unbiased_gru_0.0001_0");
  REQUIRE(paper && ad && mo && gru);
  CHECK(has_arg(paper, "rnn.n_rec=128") && paper->n_steps == 800); /* quick's sizes */
  CHECK(has_arg(ad, "rnn.n_rec=128") && has_arg(ad, "trainer.n_epochs=1600") &&
        ad->n_steps == 1600);
  CHECK(gru->n_steps == 600); /* quick's experiment_train, merged under this profile's */
  CHECK(!find_step(p, "train spatial_navigation/noisy_unbiased_adaptation_0.0001_0 (Gaussian "
                      "noise)"));
  const rx_step *m = find_step(p, "analyze spatial_navigation seed 0 (mechanisms=true)");
  const rx_step *mh = find_step(p, "analyze head_direction seed 0 (mechanisms=true)");
  const rx_step *main_a = find_step(p, "analyze spatial_navigation seed 0");
  REQUIRE(m && mh && main_a);
  CHECK(m->n_deps == 3 && mh->n_deps == 3 && main_a->n_deps == 4);
  for (int d = 0; d < m->n_deps; d++)
    CHECK(strstr(p->steps[m->deps[d]].label, "noisy_unbiased"));
  for (int d = 0; d < main_a->n_deps; d++) /* the paper's family keeps the paper's runs */
    CHECK(!strstr(p->steps[main_a->deps[d]].label, "adaptation") &&
          !strstr(p->steps[main_a->deps[d]].label, "momentum"));
  CHECK(has_arg(m, "kl") && has_arg(m, "variance") && has_arg(m, "diffusion") &&
        has_arg(m, "replay") && !has_arg(m, "all") && !has_arg(m, "pca") && !has_arg(m, "heading"));
  CHECK(has_arg(mh, "heading") && !has_arg(mh, "kl") && has_arg(mh, "replay"));
  CHECK(has_arg(m, "mechanisms=true") && has_arg(m, "replay.batch_size=50"));
  rx_plan_free(p);
  /* The quick profile trains no mechanism: no mechanisms analysis. */
  REQUIRE(rx_plan_create(&p, "quick", out, NULL, 0, &err) == 0);
  CHECK(!find_step(p, "analyze spatial_navigation seed 0 (mechanisms=true)"));
  rx_plan_free(p);
}

/* Profile mistakes fail before anything runs, naming the file, line and key. */
static void test_profile_errors(void) {
  struct {
    const char *yaml, *expect;
  } cases[] = {
      {"seeds: [0]\nspatial_navigation:\n  experiments: [noisy_unbiased]\n  trian: []\n", "trian"},
      {"seeds: [0]\nsptial_navigation: {experiments: [noisy_unbiased]}\n", "sptial_navigation"},
      {"seeds: [0]\nspatial_navigation:\n  experiments: [noisy_unbiassed]\n", "noisy_unbiassed"},
      {"seeds: [0]\nspatial_navigation:\n  experiments: [noisy_unbiased]\n  train: [rnn.n_rec]\n",
       "rnn.n_rec"},
      {"seeds: [0]\nspatial_navigation:\n  experiments: [noisy_unbiased]\n  train: "
       "[rnn.n_rec=-3]\n",
       "n_rec"},
      {"seeds: [0]\nspatial_navigation:\n  experiments: [noisy_unbiased]\n  analysis: "
       "[kl.n_sample=3]\n",
       "n_sample"},
      {"seeds: [1, 1]\nspatial_navigation: {experiments: [noisy_unbiased]}\n", "seeds"},
      {"seeds: [0]\ngaussian: maybe\nspatial_navigation: {experiments: [noisy_unbiased]}\n",
       "gaussian"},
      {"seeds: [0]\n", "no task"},
      {"seeds: [0]\nspatial_navigation:\n  experiments: [noisy_unbiased]\n  experiment_train:\n"
       "    noisy_biased: [trainer.lr=0.01]\n",
       "noisy_biased"},
      {"extends: no_such_base\nspatial_navigation: {experiments: [noisy_unbiased]}\n",
       "unknown profile 'no_such_base'"},
      {"extends: [quick]\n", "extends"},
      /* a profile that extends itself: stopped, not followed forever */
      {"extends: PATH\nspatial_navigation: {experiments: [noisy_unbiased]}\n", "4 levels"},
      /* the base's keys are checked too, and this profile's mistakes are still found */
      {"extends: quick\nspatial_navigation:\n  experiments: [noisy_unbiased]\n  trian: []\n",
       "trian"},
  };
  char path[400];
  snprintf(path, sizeof path, "%s/profile.yml", root);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char yaml[1200];
    const char *at = strstr(cases[i].yaml, "PATH");
    if (at)
      snprintf(yaml, sizeof yaml, "%.*s%s%s", (int)(at - cases[i].yaml), cases[i].yaml, path,
               at + 4);
    else
      snprintf(yaml, sizeof yaml, "%s", cases[i].yaml);
    REQUIRE(rx_write_file_atomic(path, yaml, strlen(yaml), NULL) == 0);
    rx_plan *p = NULL;
    rx_error err = {{0}};
    int rc = rx_plan_create(&p, path, root, NULL, 0, &err);
    CHECK_MSG(rc != 0 && p == NULL && strstr(err.msg, cases[i].expect) &&
                  strstr(err.msg, "profile"),
              "case %zu: rc %d, message '%s'", i, rc, err.msg);
    rx_plan_free(p);
  }
  rx_plan *p = NULL;
  rx_error err = {{0}};
  CHECK(rx_plan_create(&p, "no_such_profile", root, NULL, 0, &err) != 0 &&
        strstr(err.msg, "unknown profile 'no_such_profile'"));
  CHECK(rx_plan_create(&p, "/nonexistent/p.yml", root, NULL, 0, &err) != 0 &&
        strstr(err.msg, "/nonexistent/p.yml"));
}

static double mtime_of(const char *path) {
  struct stat st;
  if (stat(path, &st)) return -1;
  return (double)st.st_mtim.tv_sec + 1e-9 * (double)st.st_mtim.tv_nsec;
}

static int count_files(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  size_t ls = strlen(suffix);
  for (struct dirent *e; (e = readdir(d));) {
    size_t l = strlen(e->d_name);
    n += l > ls && !strcmp(e->d_name + l - ls, suffix);
  }
  closedir(d);
  return n;
}

static void check_outputs(const char *out) {
  static const char *runs[] = {"spatial_navigation/noisy_unbiased_0.0001_0",
                               "spatial_navigation/noisy_biased_0.0001_0",
                               "spatial_navigation/no-noise_unbiased_0",
                               "spatial_navigation/no-noise_biased_0",
                               "spatial_navigation/noisy_unbiased_gru_0.0001_0",
                               "spatial_navigation/noisy_biased_gru_0.0001_0",
                               "gaussian/spatial_navigation/noisy_unbiased_0.0001_0",
                               "gaussian/spatial_navigation/noisy_biased_0.0001_0",
                               "head_direction/noisy_unbiased_0.01_0",
                               "head_direction/noisy_biased_0.01_0",
                               "head_direction/no-noise_unbiased_0",
                               "head_direction/no-noise_biased_0"};
  char path[600];
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
    static const char *files[] = {"model_30.npz", "train_metrics.json", "test_metrics.json",
                                  "config.yaml"};
    for (int f = 0; f < 4; f++) {
      snprintf(path, sizeof path, "%s/%s/%s", out, runs[i], files[f]);
      CHECK_MSG(rx_file_exists(path), "missing %s", path);
    }
  }
  static const char *analyses[] = {"spatial_navigation/kl_0.0001_0.json",
                                   "spatial_navigation/variance_0.0001_0.json",
                                   "spatial_navigation/distance_0.0001_0.json",
                                   "spatial_navigation/pca_0.0001_0.json",
                                   "spatial_navigation/kl_same_0.0001_0.json",
                                   "spatial_navigation/kl_gru_0.0001_0.json",
                                   "spatial_navigation/variance_gru_0.0001_0.json",
                                   "gaussian/spatial_navigation/kl_0.0001_0.json",
                                   "gaussian/spatial_navigation/variance_0.0001_0.json",
                                   "head_direction/heading_0.01_0.json",
                                   "head_direction/variance_0.01_0.json",
                                   "head_direction/pca_0.01_0.json",
                                   "report.md",
                                   "report.html"};
  for (size_t i = 0; i < sizeof analyses / sizeof analyses[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", out, analyses[i]);
    CHECK_MSG(rx_file_exists(path), "missing %s", path);
  }
  snprintf(path, sizeof path, "%s/spatial_navigation/figures", out);
  CHECK(count_files(path, ".png") >= 8 && count_files(path, ".svg") >= 8);
  snprintf(path, sizeof path, "%s/head_direction/figures", out);
  CHECK(count_files(path, ".png") >= 2);
  snprintf(path, sizeof path, "%s/logs", out);
  CHECK(count_files(path, ".log") >= 12);
  /* No temporary file left behind anywhere we looked. */
  snprintf(path, sizeof path, "%s/spatial_navigation", out);
  CHECK(count_files(path, ".tmp") == 0);
}

/* The report lists every claim of its checklist with a verdict and numbers. */
static void check_report(const char *out) {
  char path[600], *md = NULL;
  size_t n;
  snprintf(path, sizeof path, "%s/report.md", out);
  REQUIRE(rx_read_file(path, &md, &n, 1 << 24, NULL) == 0);
  /* what produced the numbers: the BLAS, the kernel it picked and the threads (issue: a kernel
   * can move the last bits of trained weights, so the report names it) */
  rx_blas_info blas;
  rx_blas_describe(&blas);
  char want[200];
  snprintf(want, sizeof want, "- Machine: %s (%s threading), kernel %s", blas.library,
           blas.threading, blas.core);
  CHECK_MSG(strstr(md, want) != NULL, "no '%s' in report.md", want);
  CHECK(strstr(md, "steps ran as up to 2 processes sharing") != NULL);
  int claims = 0, with_numbers = 0;
  for (char *line = strtok(md, "\n"); line; line = strtok(NULL, "\n")) {
    if (line[0] != '|' || !(strstr(line, "| holds |") || strstr(line, "| does not hold |") ||
                            strstr(line, "| not measured")))
      continue;
    claims++;
    for (const char *c = line; *c; c++)
      if (c[0] >= '0' && c[0] <= '9' && c[1] == '.' && c[2] >= '0' && c[2] <= '9') {
        with_numbers++;
        break;
      }
  }
  CHECK_MSG(claims >= 14, "%d claim lines", claims); /* the checklist of docs/report.md */
  CHECK_MSG(with_numbers == claims, "%d of %d claim lines show numbers", with_numbers, claims);
  free(md);
}

/* The number at file[k0][k1]...[k4] of a JSON file, formatted as the report writes numbers
 * (%.3g); "" when absent. */
static void json_number_text(const char *path, const char *const keys[5], char *buf, size_t n) {
  char *text = NULL;
  size_t len = 0;
  buf[0] = '\0';
  if (rx_read_file(path, &text, &len, 1 << 24, NULL)) return;
  cJSON *root = cJSON_Parse(text);
  const cJSON *x = root;
  for (int k = 0; k < 5 && keys[k] && x; k++)
    x = cJSON_GetObjectItemCaseSensitive(x, keys[k]);
  if (cJSON_IsNumber(x)) snprintf(buf, n, "%.3g", x->valuedouble);
  cJSON_Delete(root);
  free(text);
}

/* "Replay" (docs/report.md): after "Is it sampling?", its claims n1, n2 measured there and counted
 * with the findings beyond the paper, and its table showing the replay file's numbers. */
static void check_report_replay(const char *out) {
  char path[600], *md = NULL;
  size_t n;
  snprintf(path, sizeof path, "%s/report.md", out);
  REQUIRE(rx_read_file(path, &md, &n, 1 << 24, NULL) == 0);
  const char *probes = strstr(md, "\n## Is it sampling?\n"), *sec = strstr(md, "\n## Replay\n"),
             *figs = strstr(md, "\n## Figures\n");
  REQUIRE_MSG(probes && sec && figs && probes < sec && sec < figs, "no section Replay in place");
  static const char *const ids[] = {"n1", "n2 (spatial)", "n2 (head direction)"};
  for (int i = 0; i < 3; i++) {
    char head[64];
    snprintf(head, sizeof head, "\n| %s | ", ids[i]);
    const char *row = strstr(md, head), *end = row ? strchr(row + 1, '\n') : NULL;
    CHECK_MSG(row && row > sec && row < figs, "claim %s not in Replay", ids[i]);
    char line[4000] = "";
    if (row && end) snprintf(line, sizeof line, "%.*s", (int)(end - row), row);
    CHECK_MSG(strstr(line, "| holds |") || strstr(line, "| does not hold |"),
              "claim %s not judged: %s", ids[i], line);
  }
  CHECK_MSG(strstr(md, "the replay scores of \"Replay\"): 10 checked; ") != NULL,
            "the findings do not count n1, n2");
  /* the noisy unbiased network's fractions of significant events, quiescent and awake, as the
   * file has them */
  char q[64], a[64], want[300];
  snprintf(path, sizeof path, "%s/spatial_navigation/replay_0.0001_0.json", out);
  const char *kq[5] = {"noisy_unbiased_0.0001_0", "quiescent", "quiescent", "fraction_significant",
                       NULL};
  const char *ka[5] = {"noisy_unbiased_0.0001_0", "quiescent", "awake", "fraction_significant",
                       NULL};
  json_number_text(path, kq, q, sizeof q);
  json_number_text(path, ka, a, sizeof a);
  snprintf(want, sizeof want, "\n| U-σ (noisy, unbiased) | %s | %s | ", q, a);
  const char *sp = strstr(sec, "\n### Spatial navigation\n"), *row = sp ? strstr(sp, want) : NULL;
  CHECK_MSG(q[0] && a[0] && row && row < figs, "no row starting '%s' in Replay", want + 1);
  free(md);
}

static void test_mini_end_to_end(void) {
  char out[300];
  snprintf(out, sizeof out, "%s/e2e", root);
  int rc = run_cli("reproduce --profile mini --out %s --jobs 2", out);
  char *o = output();
  CHECK_MSG(rc == 0, "exit %d: %s", rc, o);
  CHECK(strstr(o, "done   train spatial_navigation/noisy_unbiased_0.0001_0") != NULL);
  CHECK(strstr(o, "ETA") != NULL && strstr(o, "finished in") != NULL);
  free(o);
  check_outputs(out);
  check_report_replay(out);
  check_report(out);

  /* Run again: everything is finished, so nothing is trained, analysed or drawn again. */
  char ck[600];
  snprintf(ck, sizeof ck, "%s/spatial_navigation/noisy_unbiased_0.0001_0/model_30.npz", out);
  double before = mtime_of(ck);
  char kl[600];
  snprintf(kl, sizeof kl, "%s/spatial_navigation/kl_0.0001_0.json", out);
  double kl_before = mtime_of(kl);
  rc = run_cli("reproduce --profile mini --out %s", out);
  o = output();
  CHECK_MSG(rc == 0, "exit %d: %s", rc, o);
  CHECK(strstr(o, "12 trainings (12 finished)") != NULL);
  CHECK(strstr(o, "start") == NULL);
  free(o);
  CHECK(mtime_of(ck) == before && mtime_of(kl) == kl_before);

  rc = run_cli("reproduce --profile mini --out %s --dry-run", out);
  o = output();
  CHECK(rc == 0 && strstr(o, "[done]  train head_direction/no-noise_biased_0") &&
        !strstr(o, "[todo]"));
  free(o);
}

/* ---- interrupted, then resumed: exit 130, and the same bytes as an uninterrupted run ---- */

/* Two head-direction trainings at the mini profile's sizes, their analysis (the probes' and
 * replay's too, at the mini sizes: at their defaults they take minutes; one replay example of
 * each kind per network) and figures: a few seconds, so the interruption test runs as it is
 * under RX_TEST_SMALL (valgrind) too. */
static const char two_runs_profile[] =
    "description: two head-direction runs, their analysis and figures (test_reproduce)\n"
    "seeds: [0]\n"
    "gaussian: false\n"
    "head_direction:\n"
    "  experiments: [noisy_unbiased, noisy_biased]\n"
    "  train: [rnn.n_rec=16, task.hd_cells_num=32, task.batch_size=16, task.sequence_length=10,\n"
    "          trainer.n_epochs=30, trainer.test_freq=10, trainer.save_freq=10]\n"
    "  analysis: [t_quiescent=30, batch_size=16, variance.batch_size=16, variance.t_total=40,\n"
    "             variance.t_skip=20, distance.t_quiescent=20, pca.batch_size=16,\n"
    "             pca.t_active=10, pca.t_quiescent=20, mixing.batch_size=8, mixing.t_total=40,\n"
    "             mixing.window=10, mixing.stride=2, score.t_skip=5, score.bins=4,\n"
    "             score.min_count=4, score.n_perm=10, temperature.batch_size=8,\n"
    "             temperature.t_total=20, temperature.t_skip=10, temperature.grid=16,\n"
    "             diffusion.t_skip=10, diffusion.tau_max=12, diffusion.tau_max_active=5,\n"
    "             replay.batch_size=4, replay.t_burn=10, replay.t_total=20,\n"
    "             replay.event_steps=5, replay.n_shuffles=20, replay.n_speeds=21,\n"
    "             replay.n_examples=1]\n";

static void sleep_ms(int ms) {
  struct timespec ts = {0, ms * 1000L * 1000L};
  nanosleep(&ts, NULL);
}

/* Starts `reproduce --profile <profile> --out <out> --jobs 1` in a process group of its own
 * (SIGINT at its default, as from a terminal), waits until the first training has written its
 * step-10 checkpoint, then freezes the group, notes whether that training had finished, and
 * interrupts it as Ctrl-C does (SIGINT to the group, then SIGCONT). Returns the exit status of
 * the reproduction (-1: killed by a signal or not started; -2: it ended before the
 * checkpoint appeared). *mid_training: the first training was still running when interrupted. */
static int interrupt_a_reproduction(const char *profile, const char *out, int *mid_training) {
  char cmd[2048], first[600], last[600];
  snprintf(cmd, sizeof cmd, "exec %s reproduce --profile %s --out %s --jobs 1 > %s.log 2>&1",
           RX_TEST_CLI, profile, out, out);
  snprintf(first, sizeof first, "%s/head_direction/noisy_unbiased_0.01_0/model_10.npz", out);
  snprintf(last, sizeof last, "%s/head_direction/noisy_unbiased_0.01_0/model_30.npz", out);
  *mid_training = 0;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  setpgid(pid, pid);
  int st = 0, ended = 0;
  for (int i = 0; i < 300000 && !rx_file_exists(first); i++) { /* 2 ms polls, up to 10 min */
    if (waitpid(pid, &st, WNOHANG) == pid) {
      ended = 1;
      break;
    }
    sleep_ms(2);
  }
  if (ended) return -2;
  kill(-pid, SIGSTOP);
  *mid_training = !rx_file_exists(last);
  kill(-pid, SIGINT);
  kill(-pid, SIGCONT);
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_interrupted_reproduction_exits_130_and_resumes_bit_identical(void) {
  char profile[400], out[400], ref[400], log[500], path[600];
  snprintf(profile, sizeof profile, "%s/two_runs.yml", root);
  snprintf(out, sizeof out, "%s/two_runs", root);
  snprintf(ref, sizeof ref, "%s/two_runs_uninterrupted", root);
  snprintf(log, sizeof log, "%s.log", out);
  REQUIRE(rx_write_file_atomic(profile, two_runs_profile, strlen(two_runs_profile), NULL) == 0);

  /* the reference, in the same path (run directories record it), then moved aside */
  int rc = run_cli("reproduce --profile %s --out %s --jobs 1", profile, out);
  char *o = output();
  REQUIRE_MSG(rc == 0, "uninterrupted run: exit %d: %s", rc, o);
  free(o);
  REQUIRE(rename(out, ref) == 0);

  int mid = 0;
  rc = interrupt_a_reproduction(profile, out, &mid);
  char *text = NULL;
  size_t n = 0;
  rx_read_file(log, &text, &n, 1 << 24, NULL);
  CHECK_MSG(rc == 130,
            "interrupted reproduction: exit %d (130 = 128 + SIGINT expected; -2: it "
            "finished before it could be interrupted): %s",
            rc, text ? text : "");
  CHECK_MSG(text && strstr(text, "reproduce stopped by signal"), "no stop message: %s",
            text ? text : "");
  free(text);
  snprintf(path, sizeof path, "%s/report.md", out);
  CHECK_MSG(!rx_file_exists(path), "the interrupted run wrote its report");

  rc = run_cli("reproduce --profile %s --out %s --jobs 1", profile, out);
  o = output();
  CHECK_MSG(rc == 0, "resumed run: exit %d: %s", rc, o);
  /* stopped while the first training ran: that training resumes from its checkpoint */
  if (mid)
    CHECK_MSG(strstr(o, "start  train head_direction/noisy_unbiased_0.01_0 (resuming at step"),
              "the interrupted training did not resume from a checkpoint: %s", o);
  else
    fprintf(stderr, "  (the first training had finished when the signal came)\n");
  free(o);
  snprintf(path, sizeof path, "%s/report.md", out);
  CHECK(rx_file_exists(path));

  int same = 0, extra = 0;
  compare_trees(ref, out, "", &same, &extra);
  CHECK_MSG(same >= 25, "only %d files compared", same);
  fprintf(stderr, "  %d files byte-identical; %d extra checkpoint%s from the interruption\n", same,
          extra, extra == 1 ? "" : "s");
}

int main(int argc, char **argv) {
  cli_runner_init("reproduce");
  rx_test_tmpdir(root, sizeof root, "reproduce");
  static const rx_test_case tests[] = {
      TEST(test_plan_of_mini_profile), TEST(test_plan_of_mechanisms_profile_extends_quick),
      TEST(test_profile_errors), TEST(test_mini_end_to_end),
      TEST(test_interrupted_reproduction_exits_130_and_resumes_bit_identical)};
  int rc = rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
  if (!getenv("RX_REPRODUCE_KEEP")) {
    rx_test_rm_rf(root);
    rx_test_rm_rf(cli_out_path);
  } else {
    fprintf(stderr, "results kept in %s\n", root);
  }
  return rc;
}
