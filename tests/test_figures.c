/* reactivate figures end to end: tiny runs trained and analysed through the CLI, then every
 * figure of both tasks drawn (PNG signature and plausible size, complete SVG); figures without
 * data are skipped with a reason and exit 0; a corrupt results file, no results and bad settings
 * each give one line naming the culprit and a non-zero exit. Settings parsing is checked
 * directly. Set RX_FIGURES_KEEP=1 to keep the results folder for looking at. */
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_runner.h"
#include "reactivate/figures.h"
#include "reactivate/fileio.h"
#include "test_util.h"

/* LeakSanitizer (RX_SANITIZE builds): fontconfig, called by pango inside PLplot's cairo driver,
 * keeps a one-time font cache that LSan reports as leaked; suppress exactly that library. */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}

static char root[256]; /* trained and analysed results, shared by the tests */
static int setup_rc = -1;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return system(cmd);
}

/* Tiny runs: 4 spatial conditions (seed 0) + U-σ seed 1, 2 head-direction runs; analysed with
 * tiny settings. About a second in Release. */
static int setup(void) {
  if (setup_rc >= 0) return setup_rc;
  rx_test_tmpdir(root, sizeof root, "figures");
  snprintf(cli_out_path, sizeof cli_out_path, "%s/out.txt", root);
  const char *tiny = "rnn.n_rec=16 task.batch_size=16 task.sequence_length=10 "
                     "trainer.n_epochs=30 trainer.test_freq=10 trainer.save_freq=30 --quiet";
  static const char *spatial[] = {"noisy_unbiased", "noisy_biased", "no-noise_unbiased",
                                  "no-noise_biased"};
  int rc = 0;
  for (int i = 0; i < 4 && !rc; i++)
    rc = run_cli("train spatial_navigation/%s path=%s task.place_cells_num=32 %s", spatial[i], root,
                 tiny);
  if (!rc)
    rc =
        run_cli("train spatial_navigation/noisy_unbiased seed=1 path=%s task.place_cells_num=32 %s",
                root, tiny);
  for (int i = 0; i < 2 && !rc; i++)
    rc = run_cli("train head_direction/%s path=%s task.hd_cells_num=32 %s", spatial[i], root, tiny);
  const char *an = "t_quiescent=30 batch_size=16 kl.n_samples=100 variance.batch_size=16 "
                   "variance.t_total=40 variance.t_skip=20 distance.t_quiescent=20 "
                   "pca.batch_size=16 pca.t_active=10 pca.t_quiescent=20 --quiet";
  for (int s = 0; s < 2 && !rc; s++)
    rc = run_cli("analyze all path=%s seed=%d %s", root, s, an);
  if (!rc) rc = run_cli("analyze all path=%s task=head_direction %s", root, an);
  if (rc) {
    char *o = output();
    fprintf(stderr, "  setup failed (%d): %s\n", rc, o);
    free(o);
  }
  return setup_rc = rc;
}

/* A PNG with its signature and some content, and a complete SVG. */
static void check_figure(const char *dir, const char *name) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s.png", dir, name);
  char *data = NULL;
  size_t n = 0;
  int rc = rx_read_file(path, &data, &n, (size_t)1 << 26, NULL);
  CHECK_MSG(rc == 0, "%s missing", path);
  if (!rc) {
    CHECK_MSG(n > 8000, "%s is only %zu bytes", path, n);
    CHECK_MSG(n >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8), "%s: no PNG signature", path);
  }
  free(data);
  data = NULL;
  snprintf(path, sizeof path, "%s/%s.svg", dir, name);
  rc = rx_read_file(path, &data, &n, (size_t)1 << 26, NULL);
  CHECK_MSG(rc == 0, "%s missing", path);
  if (!rc) {
    CHECK_MSG(n > 8000 && strstr(data, "<svg") && strstr(data, "</svg>"), "%s incomplete", path);
  }
  free(data);
}

static const char *const spatial_figures[] = {
    "fig1b_learning_curves", "fig1c_explained_variance",   "fig1de_trajectories", "fig1fg_pcs",
    "fig1hk_densities",      "fig2ab_positions",           "fig2cd_densities",    "fig2e_kl_matrix",
    "fig2f_variance",        "figC3_example_trajectories", "figC4_step_distance"};
static const char *const hd_figures[] = {"fig3ab_headings", "fig3cd_pcs", "figC5_trajectories",
                                         "figC5_angular_velocity"};

/* The output of `figures path=<root>` from the test below, for the next one under rx_test_small
 * (valgrind), which then does not draw the same figures a second time. */
static char *spatial_output;

static void test_figures_draws_every_figure_the_results_support(void) {
  REQUIRE(setup() == 0);
  CHECK(run_cli("figures path=%s", root) == 0);
  char *o = output(), dir[400];
  free(spatial_output);
  spatial_output = o ? strdup(o) : NULL;
  snprintf(dir, sizeof dir, "%s/spatial_navigation/figures", root);
  for (size_t i = 0; i < sizeof spatial_figures / sizeof spatial_figures[0]; i++) {
    check_figure(dir, spatial_figures[i]);
    char line[700];
    snprintf(line, sizeof line, "wrote %s/%s.png", dir, spatial_figures[i]);
    CHECK_MSG(strstr(o, line), "no log line '%s' in: %s", line, o);
  }
  /* two seeds of U-σ: the learning curves are a mean over both */
  CHECK_MSG(strstr(o, "seeds 0, 1"), "seeds not reported: %s", o);
  free(o);

  CHECK(run_cli("figures task=head_direction path=%s seeds=0-4", root) == 0);
  o = output();
  snprintf(dir, sizeof dir, "%s/head_direction/figures", root);
  for (size_t i = 0; i < sizeof hd_figures / sizeof hd_figures[0]; i++)
    check_figure(dir, hd_figures[i]);
  CHECK_MSG(strstr(o, "4 figures written"), "%s", o);
  free(o);
  /* no temporary files left behind */
  CHECK(sh("ls %s/*/figures | grep -q '[.]tmp'", root) != 0);
}

static void test_figures_skips_missing_data_with_a_reason(void) {
  REQUIRE(setup() == 0);
  /* no GRU runs and no rule=same analyses: C.1 and C.2 skipped, exit 0 (under rx_test_small the
   * same command's output from the test above, when it ran) */
  char *o;
  if (rx_test_small() && spatial_output) {
    o = strdup(spatial_output);
  } else {
    CHECK(run_cli("figures path=%s", root) == 0);
    o = output();
  }
  REQUIRE(o);
  CHECK_MSG(strstr(o, "skipped figC2_*: no GRU runs or analyses"), "%s", o);
  CHECK_MSG(strstr(o, "skipped figC1_*: no analyses without doubled quiescent noise"), "%s", o);
  free(o);
  char dir[400];
  snprintf(dir, sizeof dir, "%s/spatial_navigation/figures/figC2_2e_kl_matrix.png", root);
  CHECK(!rx_file_exists(dir));

  /* runs only (no analyses): the learning curves are drawn, every analysis figure is skipped */
  char only[300];
  snprintf(only, sizeof only, "%s/runs_only", root);
  REQUIRE(
      sh("mkdir -p %s/spatial_navigation && cp -r %s/spatial_navigation/noisy_unbiased_0.0001_0 "
         "%s/spatial_navigation/",
         only, root, only) == 0);
  CHECK(run_cli("figures path=%s", only) == 0);
  o = output();
  snprintf(dir, sizeof dir, "%s/spatial_navigation/figures", only);
  check_figure(dir, "fig1b_learning_curves");
  CHECK_MSG(strstr(o, "skipped fig2e_kl_matrix: no KL values in kl_0.0001_<seed>.json"), "%s", o);
  CHECK_MSG(strstr(o, "skipped fig1c_explained_variance:"), "%s", o);
  CHECK_MSG(strstr(o, "skipped figC4_step_distance:"), "%s", o);
  CHECK_MSG(strstr(o, "1 figure written"), "%s", o);
  free(o);

  /* a seed asked for that has nothing is reported, the others are drawn */
  CHECK(run_cli("figures path=%s seeds=0,7", root) == 0);
  o = output();
  CHECK_MSG(strstr(o, "seed 7: no runs or analysis files"), "%s", o);
  free(o);
}

static void test_corrupt_results_file_gives_one_line_and_fails(void) {
  REQUIRE(setup() == 0);
  char bad[400];
  snprintf(bad, sizeof bad, "%s/corrupt", root);
  static const struct {
    const char *file, *how;
  } cases[] = {
      {"pca_0.0001_0.json", "printf '{\"noisy_unbiased_0.0001_0\": {\"active\": [0.1, ' >"},
      {"kl_0.0001_0.npz", "head -c 3000 %s/spatial_navigation/kl_0.0001_0.npz >"},
      {"noisy_unbiased_0.0001_1/test_metrics.json", "printf '[1, 2]' >"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char how[600];
    snprintf(how, sizeof how, cases[i].how, root);
    REQUIRE(sh("rm -rf %s && mkdir -p %s && cp -r %s/spatial_navigation %s/ && %s "
               "%s/spatial_navigation/%s",
               bad, bad, root, bad, how, bad, cases[i].file) == 0);
    int rc = run_cli("figures path=%s --quiet", bad);
    char *o = output();
    CHECK_MSG(rc != 0, "%s: exit 0", cases[i].file);
    CHECK_MSG(count_lines(o) == 1, "%s: %d lines: %s", cases[i].file, count_lines(o), o);
    CHECK_MSG(strstr(o, cases[i].file), "%s not named: %s", cases[i].file, o);
    free(o);
    /* with progress lines: still exactly one error line, and no figure drawn */
    rc = run_cli("figures path=%s", bad);
    o = output();
    int errors = 0;
    for (const char *p = o; (p = strstr(p, "reactivate: ")); p++)
      errors++;
    CHECK_MSG(rc != 0 && errors == 1, "%s: rc %d, %d error lines: %s", cases[i].file, rc, errors,
              o);
    CHECK_MSG(!strstr(o, "wrote "), "%s: figures drawn before the error: %s", cases[i].file, o);
    free(o);
  }
}

static void test_no_results_or_bad_settings_give_one_line(void) {
  REQUIRE(setup() == 0);
  struct {
    const char *args, *must_name;
  } cases[] = {
      {"figures path=/nonexistent/results", "/nonexistent/results/spatial_navigation"},
      {"figures path=%s noise=0.5", "noise 0.5"},
      {"figures path=%s seeds=9", "seeds"},
      {"figures path=%s seeds=two", "seeds 'two'"},
      {"figures path=%s seeds=1,1", "seeds '1,1': seed 1 is listed twice"},
      {"figures path=%s noise=-1", "noise=-1"},
      {"figures path=%s task=walking", "task=walking"},
      {"figures path=%s colour=blue", "colour=blue"},
      {"figures path=%s bogus", "bogus"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char args[600];
    snprintf(args, sizeof args, cases[i].args, root);
    int rc = run_cli("%s --quiet", args);
    char *o = output();
    CHECK_MSG(rc != 0, "'%s' exited 0", args);
    CHECK_MSG(count_lines(o) == 1, "'%s' printed %d lines: %s", args, count_lines(o), o);
    CHECK_MSG(strstr(o, cases[i].must_name), "'%s' does not name '%s': %s", args,
              cases[i].must_name, o);
    free(o);
  }
  CHECK(run_cli("figures --help") == 0);
  char *o = output();
  CHECK(strstr(o, "usage: reactivate figures"));
  free(o);
}

static void test_settings_parse_seeds_noise_and_task(void) {
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  CHECK(cfg.all_seeds && cfg.noise < 0 && cfg.task == RX_TASK_SPATIAL);
  const char *a[] = {"task=head_direction", "noise=0.01", "seeds=4,0-2", "path=/tmp/x"};
  rx_error err = {{0}};
  REQUIRE(rx_figures_config_parse(&cfg, 4, a, &err) == 0);
  CHECK(cfg.task == RX_TASK_HEAD_DIRECTION);
  CHECK_NEAR(cfg.noise, 0.01, 0);
  CHECK(!cfg.all_seeds && cfg.n_seeds == 4);
  CHECK(cfg.seeds[0] == 0 && cfg.seeds[1] == 1 && cfg.seeds[2] == 2 && cfg.seeds[3] == 4);
  CHECK(!strcmp(cfg.path, "/tmp/x"));
  const char *b[] = {"seeds=all"};
  REQUIRE(rx_figures_config_parse(&cfg, 1, b, &err) == 0);
  CHECK(cfg.all_seeds);
  const char *bad[] = {"seeds=3-1",   "seeds=1,",  "seeds=-2", "seeds=0-100000",
                       "seeds=1,0-2", "noise=abc", "task=",    "path="};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rx_error e = {{0}};
    CHECK_MSG(rx_figures_config_parse(&cfg, 1, &bad[i], &e) == RX_EINVAL, "%s accepted", bad[i]);
    /* a bad seed list is named as the seed-list parser names it: seeds '<value>' */
    char named[64];
    if (!strncmp(bad[i], "seeds=", 6))
      snprintf(named, sizeof named, "seeds '%s'", bad[i] + 6);
    else
      snprintf(named, sizeof named, "%s", bad[i]);
    CHECK_MSG(strstr(e.msg, named), "'%s' not named: %s", bad[i], e.msg);
  }
}

static void cleanup(void) {
  if (root[0] && !getenv("RX_FIGURES_KEEP"))
    sh("rm -rf '%s'", root);
  else if (root[0])
    fprintf(stderr, "  results kept in %s\n", root);
}

int main(int argc, char **argv) {
  static const rx_test_case tests[] = {
      TEST(test_settings_parse_seeds_noise_and_task),
      TEST(test_figures_draws_every_figure_the_results_support),
      TEST(test_figures_skips_missing_data_with_a_reason),
      TEST(test_corrupt_results_file_gives_one_line_and_fails),
      TEST(test_no_results_or_bad_settings_give_one_line),
  };
  int rc = rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
  free(spatial_output);
  cleanup();
  return rc;
}
