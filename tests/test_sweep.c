/* reactivate sweep: a sweep file's grid expanded into one plan (points in the cartesian order,
 * their names, directories and overrides, dependencies re-indexed), bad sweep files refused with
 * one line naming the file and key, the report's statistics (mean ± s.d. over seeds) from
 * fixture results with known numbers, and a 2 x 2 sweep on the mini profile through the CLI:
 * it finishes, writes its report and figures, and a rerun starts nothing and leaves the same
 * bytes. */
#include <math.h>

#include <cjson/cJSON.h>

#include "cli_runner.h"
#include "reactivate/results.h"
#include "reactivate/sweep.h"
#include "test_util.h"

/* LeakSanitizer (RX_SANITIZE builds): the report's figures draw through PLplot's cairo driver,
 * whose fontconfig keeps a one-time font cache that LSan reports (as in test_plot.c). Only that
 * library is suppressed. */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}

static char root[256];

static void write_text(const char *path, const char *text) {
  REQUIRE(rx_write_file_atomic(path, text, strlen(text), NULL) == 0);
}

static int has_arg(const rx_step *s, const char *arg) {
  for (int a = 0; a < s->argc; a++)
    if (!strcmp(s->argv[a], arg)) return 1;
  return 0;
}

/* The step's argument starting with prefix, or NULL. */
static const char *arg_with(const rx_step *s, const char *prefix) {
  for (int a = 0; a < s->argc; a++)
    if (!strncmp(s->argv[a], prefix, strlen(prefix))) return s->argv[a];
  return NULL;
}

/* 3 x 2 points over mini's two noisy spatial networks: the first key varies slowest. */
static void test_grid_expands_in_cartesian_order_with_names_dirs_and_overrides(void) {
  char file[400], out[400];
  snprintf(file, sizeof file, "%s/grid.yml", root);
  snprintf(out, sizeof out, "%s/grid_out", root);
  write_text(file, "description: a 3 x 2 grid\n"
                   "extends: mini\n"
                   "seeds: [0, 2]\n"
                   "spatial_navigation:\n"
                   "  experiments: [noisy_unbiased, noisy_biased]\n"
                   "grid:\n"
                   "  rnn.sigma2_rec: [1.0e-5, 1.0e-4, 1.0e-3]\n"
                   "  rnn.momentum: [0, 0.5]\n");
  rx_sweep *sw = NULL;
  rx_error err = {{0}};
  REQUIRE_MSG(rx_sweep_create(&sw, file, out, NULL, 0, &err) == 0, "%s", err.msg);
  CHECK(sw->n_keys == 2 && sw->n_points == 6 && sw->n_seeds == 2 && sw->seeds[1] == 2);
  CHECK(!strcmp(sw->description, "a 3 x 2 grid"));
  CHECK(sw->tasks[0].present && !sw->tasks[1].present && sw->tasks[0].n_experiments == 2);
  CHECK(sw->keys[0].numeric && sw->keys[0].numbers[2] == 1e-3 &&
        !strcmp(sw->keys[0].values[0], "1.0e-5"));
  static const char *const names[6] = {
      "rnn.sigma2_rec=1.0e-5,rnn.momentum=0", "rnn.sigma2_rec=1.0e-5,rnn.momentum=0.5",
      "rnn.sigma2_rec=1.0e-4,rnn.momentum=0", "rnn.sigma2_rec=1.0e-4,rnn.momentum=0.5",
      "rnn.sigma2_rec=1.0e-3,rnn.momentum=0", "rnn.sigma2_rec=1.0e-3,rnn.momentum=0.5"};
  static const char *const noises[3] = {"1e-05", "0.0001", "0.001"};
  for (int p = 0; p < 6; p++) {
    const rx_sweep_point *pt = &sw->points[p];
    CHECK_MSG(!strcmp(pt->name, names[p]), "point %d: %s", p, pt->name);
    CHECK(pt->value[0] == p / 2 && pt->value[1] == p % 2);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/points/%s", out, names[p]);
    CHECK(!strcmp(pt->dir, dir));
    CHECK(!strcmp(pt->noise[0], noises[p / 2]));
  }
  /* per point and seed: 2 trainings and the main analysis (no rule=same, no figures) */
  const rx_plan *plan = sw->plan;
  REQUIRE(plan->n_steps == 6 * 2 * 3);
  int n_train = 0, n_analyze = 0;
  for (int i = 0; i < plan->n_steps; i++) {
    const rx_step *s = &plan->steps[i];
    int p = -1;
    for (int k = 0; k < 6; k++)
      if (strstr(s->dir, sw->points[k].dir) == s->dir && s->dir[strlen(sw->points[k].dir)] == '/')
        p = k;
    REQUIRE_MSG(p >= 0, "step %s outside every point's root: %s", s->label, s->dir);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "[%s] ", names[p]);
    CHECK_MSG(strstr(s->label, prefix) == s->label, "label %s", s->label);
    CHECK(s->kind != RX_STEP_FIGURES && !arg_with(s, "rule="));
    if (s->kind == RX_STEP_TRAIN) {
      n_train++;
      char sig[64], mom[64], run[200];
      snprintf(sig, sizeof sig, "rnn.sigma2_rec=%s", sw->keys[0].values[p / 2]);
      snprintf(mom, sizeof mom, "rnn.momentum=%s", sw->keys[1].values[p % 2]);
      /* the point's overrides last, after the profile's, before --resume */
      CHECK(s->argc >= 4 && !strcmp(s->argv[s->argc - 3], sig) &&
            !strcmp(s->argv[s->argc - 2], mom) && !strcmp(s->argv[s->argc - 1], "--resume"));
      CHECK(has_arg(s, "rnn.n_rec=16")); /* mini's sizes */
      snprintf(run, sizeof run, "_%s_", noises[p / 2]);
      CHECK_MSG(strstr(s->dir, run) != NULL, "run dir %s", s->dir); /* noisy_unbiased_1e-05_0 */
    } else {
      n_analyze++;
      char noise[64];
      snprintf(noise, sizeof noise, "noise=%s", noises[p / 2]); /* finds the point's runs */
      CHECK(has_arg(s, noise));
      CHECK(s->n_deps == 2);
    }
    for (int d = 0; d < s->n_deps; d++) { /* re-indexed: earlier steps of the same point */
      CHECK(s->deps[d] < i);
      const rx_step *dep = &plan->steps[s->deps[d]];
      CHECK(dep->kind == RX_STEP_TRAIN && strstr(dep->dir, sw->points[p].dir) == dep->dir);
      CHECK(!strcmp(arg_with(dep, "seed="), arg_with(s, "seed=")));
    }
  }
  CHECK(n_train == 24 && n_analyze == 12);
  rx_sweep_free(sw);

  /* --seeds replaces the file's */
  int seeds[1] = {5};
  REQUIRE(rx_sweep_create(&sw, file, out, seeds, 1, &err) == 0);
  CHECK(sw->n_seeds == 1 && sw->seeds[0] == 5 && sw->plan->n_steps == 6 * 3);
  rx_sweep_free(sw);

  /* point names: filesystem-safe and stable */
  char name[300];
  const char *keys[2] = {"task.arena", "rnn.momentum"}, *vals[2] = {"a b/c", "-0.5"};
  CHECK(rx_results_sweep_point_name(2, keys, vals, name, sizeof name) == 0 &&
        !strcmp(name, "task.arena=a_b_c,rnn.momentum=-0.5"));
}

static void test_bad_sweep_files_fail_with_one_line_naming_file_and_key(void) {
  struct {
    const char *yaml, *expect;
  } cases[] = {
      {"extends: mini\ngrd: {rnn.sigma2_rec: [1.0e-5]}\nspatial_navigation: {experiments: "
       "[noisy_unbiased]}\n",
       "grd"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\n", "no grid"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "rnn.sigma2_rec: 1.0e-5\n",
       "rnn.sigma2_rec: expected a non-empty list"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "rnn.sigma2_rec: []\n",
       "rnn.sigma2_rec: expected a non-empty list"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "rnn.sigma2_recc: [1.0e-5]\n",
       "rnn.sigma2_recc: value 1.0e-5 refused"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "rnn.n_rec: [16, -3]\n",
       "rnn.n_rec: value -3 refused"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "rnn.sigma2_rec: [1.0e-5, 1.0e-5]\n",
       "listed twice"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "seed: [1, 2]\n",
       "seed: set by the sweep"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "rnn.sigma2_rec: [[1, 2]]\n",
       "plain scalars"},
      {"extends: mini\ngrid: {rnn.sigma2_rec: [1.0e-5]}\n", "names no task"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiassed]}\ngrid:\n  "
       "rnn.sigma2_rec: [1.0e-5]\n",
       "noisy_unbiassed"},
      {"extends: mini\nspatial_navigation: {experiments: [noisy_unbiased], trian: []}\ngrid:\n  "
       "rnn.sigma2_rec: [1.0e-5]\n",
       "trian"},
      {"extends: no_such_profile\nspatial_navigation: {experiments: [noisy_unbiased]}\ngrid:\n  "
       "rnn.sigma2_rec: [1.0e-5]\n",
       "no_such_profile"},
  };
  char path[400];
  snprintf(path, sizeof path, "%s/bad.yml", root);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    write_text(path, cases[i].yaml);
    rx_sweep *sw = NULL;
    rx_error err = {{0}};
    int rc = rx_sweep_create(&sw, path, root, NULL, 0, &err);
    CHECK_MSG(rc != 0 && sw == NULL && strstr(err.msg, cases[i].expect) &&
                  (strstr(err.msg, path) || strstr(err.msg, "profile")) && !strchr(err.msg, '\n'),
              "case %zu: rc %d, message '%s'", i, rc, err.msg);
    rx_sweep_free(sw);
  }
  /* the CLI: one line, exit 1 */
  write_text(path, cases[4].yaml);
  int rc = run_cli("sweep %s --out %s/cli_bad", path, root);
  char *o = output();
  CHECK_MSG(rc == 1 && count_lines(o) == 1 && strstr(o, "rnn.sigma2_recc"), "exit %d: %s", rc, o);
  free(o);
}

/* ---- the statistics: known numbers in fixture files ---- */

static void write_json_at(const char *dir, const char *name, const char *json) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  write_text(path, json);
}

static const cJSON *get(const cJSON *o, const char *const *keys) {
  for (; o && *keys; keys++)
    o = cJSON_GetObjectItemCaseSensitive(o, *keys);
  return o;
}

static double num(const cJSON *o, const char *const *keys) {
  const cJSON *v = get(o, keys);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Point 0 (sigma2_rec 1e-05), seeds 0, 1, 2: variance of noisy_unbiased 1, 2, 4 (mean 7/3, s.d.
 * sqrt(14/9), ddof 0); its quiescent step distance 1 and 3 (seed 2 has no file: mean 2, s.d. 1,
 * n 2); the final test error of noisy_biased 0.5 at its last step (step 20; step 10 says 9) on
 * seed 1 only. Point 1 has nothing: every statistic missing. */
static void test_report_statistics_are_mean_and_sd_over_seeds_of_fixture_files(void) {
  char file[400], out[400];
  snprintf(file, sizeof file, "%s/stats.yml", root);
  snprintf(out, sizeof out, "%s/stats_out", root);
  write_text(file, "extends: mini\n"
                   "seeds: 0-2\n"
                   "spatial_navigation:\n"
                   "  experiments: [noisy_unbiased, noisy_biased]\n"
                   "grid:\n"
                   "  rnn.sigma2_rec: [1.0e-5, 1.0e-3]\n");
  rx_sweep *sw = NULL;
  rx_error err = {{0}};
  REQUIRE_MSG(rx_sweep_create(&sw, file, out, NULL, 0, &err) == 0, "%s", err.msg);
  char dir[2200];
  snprintf(dir, sizeof dir, "%s/spatial_navigation", sw->points[0].dir);
  REQUIRE(rx_mkdirs(dir, NULL) == 0);
  const double variance[3] = {1, 2, 4}, distance[2] = {1, 3};
  for (int s = 0; s < 3; s++) {
    char name[100], json[300];
    snprintf(name, sizeof name, "variance_1e-05_%d.json", s);
    snprintf(json, sizeof json, "{\"noisy_unbiased_1e-05_%d\": %g}", s, variance[s]);
    write_json_at(dir, name, json);
    if (s < 2) {
      snprintf(name, sizeof name, "distance_1e-05_%d.json", s);
      snprintf(json, sizeof json,
               "{\"noisy_unbiased_1e-05_%d\": {\"active\": 0.5, \"quiescent\": %g}}", s,
               distance[s]);
      write_json_at(dir, name, json);
    }
  }
  char run[2400];
  snprintf(run, sizeof run, "%s/noisy_biased_1e-05_1", dir);
  REQUIRE(rx_mkdirs(run, NULL) == 0);
  write_json_at(run, "test_metrics.json", "{\"10\": {\"pos_mse\": 9}, \"20\": {\"pos_mse\": 0.5}}");
  REQUIRE_MSG(rx_sweep_report_write(sw, NULL, NULL, &err) == 0, "%s", err.msg);

  char path[1200], *text = NULL;
  size_t n;
  snprintf(path, sizeof path, "%s/sweep.json", out);
  REQUIRE(rx_read_file(path, &text, &n, 1 << 24, NULL) == 0);
  cJSON *j = cJSON_Parse(text);
  free(text);
  REQUIRE(j != NULL);
  const cJSON *points = cJSON_GetObjectItemCaseSensitive(j, "points");
  REQUIRE(cJSON_GetArraySize(points) == 2);
  const cJSON *p0 = cJSON_GetArrayItem(points, 0), *p1 = cJSON_GetArrayItem(points, 1);
  const char *var_mean[] = {"results", "spatial_navigation", "noisy_unbiased", "variance", "mean",
                            NULL};
  const char *var_sd[] = {"results", "spatial_navigation", "noisy_unbiased", "variance", "sd",
                          NULL};
  const char *var_n[] = {"results", "spatial_navigation", "noisy_unbiased", "variance", "n", NULL};
  CHECK_NEAR(num(p0, var_mean), 7.0 / 3, 1e-12);
  CHECK_NEAR(num(p0, var_sd), sqrt(14.0 / 9), 1e-12);
  CHECK(num(p0, var_n) == 3);
  const char *d_mean[] = {
      "results", "spatial_navigation", "noisy_unbiased", "distance_quiescent", "mean", NULL};
  const char *d_sd[] = {
      "results", "spatial_navigation", "noisy_unbiased", "distance_quiescent", "sd", NULL};
  const char *d_n[] = {"results", "spatial_navigation", "noisy_unbiased", "distance_quiescent", "n",
                       NULL};
  CHECK_NEAR(num(p0, d_mean), 2, 1e-12);
  CHECK_NEAR(num(p0, d_sd), 1, 1e-12);
  CHECK(num(p0, d_n) == 2);
  const char *e_mean[] = {"results", "spatial_navigation", "noisy_biased", "final_error", "mean",
                          NULL};
  const char *e_sd[] = {"results", "spatial_navigation", "noisy_biased", "final_error", "sd", NULL};
  CHECK(num(p0, e_mean) == 0.5 && num(p0, e_sd) == 0);
  /* missing: null mean and s.d., n 0; head direction (not swept) absent */
  CHECK(cJSON_IsNull(get(p1, var_mean)) && cJSON_IsNull(get(p1, var_sd)) && num(p1, var_n) == 0);
  const char *hd[] = {"results", "head_direction", NULL};
  CHECK(get(p0, hd) == NULL);
  const char *noise[] = {"results", "spatial_navigation", "noise", NULL};
  CHECK(cJSON_IsString(get(p1, noise)) && !strcmp(get(p1, noise)->valuestring, "0.001"));
  const char *ov[] = {"overrides", "rnn.sigma2_rec", NULL},
             *va[] = {"values", "rnn.sigma2_rec", NULL};
  CHECK(!strcmp(get(p1, ov)->valuestring, "1.0e-3") && num(p1, va) == 1e-3);
  cJSON_Delete(j);

  /* the table: mean ± s.d., (n=2) where a seed lacks the file, — where none has it */
  snprintf(path, sizeof path, "%s/sweep.md", out);
  REQUIRE(rx_read_file(path, &text, &n, 1 << 24, NULL) == 0);
  CHECK_MSG(strstr(text, "| quiescent variance | 2.33 ± 1.25 | — |") != NULL, "%s", text);
  CHECK(strstr(text, "| step distance, quiescent | 2 ± 1 (n=2) | — |") != NULL);
  CHECK(strstr(text, "| final decoding error (test) | 0.5 (n=1) | — |") != NULL);
  CHECK(strstr(text, "| statistic | rnn.sigma2_rec = 1.0e-5 | rnn.sigma2_rec = 1.0e-3 |"));
  CHECK(strstr(text, "figures/sweep_variance.png") != NULL);
  CHECK(strstr(text, "figures/sweep_alpha.png") == NULL); /* measured nowhere: no figure */
  free(text);
  snprintf(path, sizeof path, "%s/figures/sweep_variance.svg", out);
  CHECK(rx_file_exists(path));
  snprintf(path, sizeof path, "%s/sweep.html", out);
  CHECK(rx_file_exists(path));
  rx_sweep_free(sw);
}

/* ---- through the CLI ---- */

static int same_bytes(const char *a, const char *b) {
  char *x = NULL, *y = NULL;
  size_t nx = 0, ny = 0;
  int same = rx_read_file(a, &x, &nx, 1 << 26, NULL) == 0 &&
             rx_read_file(b, &y, &ny, 1 << 26, NULL) == 0 && nx == ny && !memcmp(x, y, nx);
  free(x);
  free(y);
  return same;
}

static void test_cli_2x2_mini_sweep_finishes_and_a_rerun_changes_nothing(void) {
  char file[400], out[400];
  snprintf(file, sizeof file, "%s/mini2.yml", root);
  snprintf(out, sizeof out, "%s/cli", root);
  /* under RX_TEST_SMALL (valgrind, every child traced) the noisy unbiased network alone */
  const int small = rx_test_small(), n_train = small ? 4 : 8;
  char yaml[600];
  snprintf(yaml, sizeof yaml,
           "description: 2 x 2 on the mini profile\n"
           "extends: mini\n"
           "spatial_navigation:\n"
           "  experiments: [noisy_unbiased%s]\n"
           "grid:\n"
           "  rnn.sigma2_rec: [1.0e-4, 1.0e-2]\n"
           "  rnn.momentum: [0, 0.5]\n",
           small ? "" : ", noisy_biased");
  write_text(file, yaml);
  int rc = run_cli("sweep %s --out %s --jobs 2", file, out);
  char *o = output();
  CHECK_MSG(rc == 0, "exit %d: %s", rc, o);
  char want[200];
  snprintf(want, sizeof want, "%d trainings (0 finished)", n_train);
  CHECK(strstr(o, want) != NULL);
  CHECK(strstr(o, "done   [rnn.sigma2_rec=1.0e-2,rnn.momentum=0.5] train "
                  "spatial_navigation/noisy_unbiased_0.01_0") != NULL);
  free(o);
  static const char *const files[] = {"sweep.json",
                                      "sweep.md",
                                      "sweep.html",
                                      "figures/sweep_variance.png",
                                      "figures/sweep_alpha.svg",
                                      "figures/sweep_replay_significant.png"};
  enum { N_FILES = sizeof files / sizeof files[0] };
  char path[N_FILES][700], copy[N_FILES][700];
  for (int i = 0; i < N_FILES; i++) {
    snprintf(path[i], sizeof path[i], "%s/%s", out, files[i]);
    snprintf(copy[i], sizeof copy[i], "%s/copy_%d", root, i);
    char *text = NULL;
    size_t n = 0;
    CHECK_MSG(rx_read_file(path[i], &text, &n, 1 << 26, NULL) == 0 && n > 0, "no %s", path[i]);
    if (text) REQUIRE(rx_write_file_atomic(copy[i], text, n, NULL) == 0);
    free(text);
  }
  /* every point measured: each statistic of the spatial task at every point, n = 1 */
  char *text = NULL;
  size_t n;
  REQUIRE(rx_read_file(path[0], &text, &n, 1 << 24, NULL) == 0);
  cJSON *j = cJSON_Parse(text);
  free(text);
  const cJSON *points = cJSON_GetObjectItemCaseSensitive(j, "points");
  CHECK(cJSON_GetArraySize(points) == 4);
  const char *kl[] = {"results", "spatial_navigation", "noisy_unbiased", "kl_own", "n", NULL};
  const char *alpha[] = {"results", "spatial_navigation", "noisy_unbiased", "alpha", "n", NULL};
  const char *mom[] = {"values", "rnn.momentum", NULL};
  for (int p = 0; p < 4; p++) {
    const cJSON *pt = cJSON_GetArrayItem(points, p);
    CHECK(num(pt, kl) == 1 && num(pt, alpha) == 1 && num(pt, mom) == (p % 2 ? 0.5 : 0));
  }
  cJSON_Delete(j);

  /* Again: nothing to do, and the report's bytes are the same */
  rc = run_cli("sweep %s --out %s", file, out);
  o = output();
  snprintf(want, sizeof want,
           "%d trainings (%d finished), 4 analysis and figure steps (4 finished)", n_train,
           n_train);
  CHECK_MSG(rc == 0 && strstr(o, want) && !strstr(o, "start "), "exit %d: %s", rc, o);
  free(o);
  for (int i = 0; i < N_FILES; i++)
    CHECK_MSG(same_bytes(path[i], copy[i]), "%s changed on a rerun", files[i]);

  rc = run_cli("sweep %s --out %s --dry-run", file, out);
  o = output();
  CHECK(rc == 0 && strstr(o, "[done]  [rnn.sigma2_rec=1.0e-4,rnn.momentum=0] train") &&
        !strstr(o, "[todo]"));
  free(o);
  rc = run_cli("sweep --help");
  o = output();
  CHECK(rc == 0 && strstr(o, "usage: reactivate sweep FILE.yml") && strstr(o, "docs/sweep.md"));
  free(o);
  rc = run_cli("sweep %s --bogus", file);
  o = output();
  CHECK(rc == 2 && strstr(o, "--bogus") && count_lines(o) == 1);
  free(o);
}

int main(int argc, char **argv) {
  cli_runner_init("sweep");
  rx_test_tmpdir(root, sizeof root, "sweep");
  static const rx_test_case tests[] = {
      TEST(test_grid_expands_in_cartesian_order_with_names_dirs_and_overrides),
      TEST(test_bad_sweep_files_fail_with_one_line_naming_file_and_key),
      TEST(test_report_statistics_are_mean_and_sd_over_seeds_of_fixture_files),
      TEST(test_cli_2x2_mini_sweep_finishes_and_a_rerun_changes_nothing)};
  int rc = rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
  rx_test_rm_rf(root);
  rx_test_rm_rf(cli_out_path);
  return rc;
}
