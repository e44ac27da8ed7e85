/* reactivate figures end to end: tiny runs trained and analysed through the CLI, then every
 * figure of both tasks drawn (PNG signature and plausible size, complete SVG); figures without
 * data are skipped with a reason and exit 0; a corrupt results file, no results and bad settings
 * each give one line naming the culprit and a non-zero exit. Settings parsing is checked
 * directly. With the data record on, the numbers the figures plot are the analysis results they
 * come from (KL matrix cells, variance box plots, learning curves, explained variance).
 * Set RX_FIGURES_KEEP=1 to keep the results folder for looking at. */
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_runner.h"
#include "plot_record.h"
#include "reactivate/figures.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "reactivate/plot.h"
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
  const char *an =
      "t_quiescent=30 batch_size=16 kl.n_samples=100 variance.batch_size=16 "
      "variance.t_total=40 variance.t_skip=20 distance.t_quiescent=20 "
      "pca.batch_size=16 pca.t_active=10 pca.t_quiescent=20 mixing.batch_size=8 "
      "mixing.t_total=40 mixing.window=10 mixing.stride=2 mixing.kl_samples=50 "
      "score.t_skip=5 "
      "score.bins=4 score.min_count=4 score.n_perm=10 temperature.batch_size=8 "
      "temperature.t_total=20 temperature.t_skip=10 temperature.grid=16 "
      "diffusion.t_skip=10 diffusion.tau_max=12 diffusion.tau_max_active=5 "
      "replay.batch_size=4 replay.t_burn=10 replay.t_total=20 replay.event_steps=5 "
      "replay.n_shuffles=20 replay.n_speeds=21 replay.bin_size=0.1 replay.n_examples=2 --quiet";
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
    "fig1b_learning_curves", "fig1c_explained_variance", "fig1de_trajectories", "fig1fg_pcs",
    "fig1hk_densities", "fig2ab_positions", "fig2cd_densities", "fig2e_kl_matrix", "fig2f_variance",
    "figC3_example_trajectories", "figC4_step_distance",
    /* the probes (docs/probes.md §6), from `analyze all`'s probe files */
    "fig_probe_mixing", "fig_probe_score", "fig_probe_temperature", "fig_probe_diffusion",
    /* replay (docs/replay.md §8), from its files */
    "fig_replay_paths", "fig_replay_scores", "fig_replay_speeds"};
static const char *const hd_figures[] = {
    "fig3ab_headings",     "fig3cd_pcs",        "figC5_trajectories",    "figC5_angular_velocity",
    "fig_probe_mixing",    "fig_probe_score",   "fig_probe_temperature", "fig_probe_diffusion",
    "fig_replay_examples", "fig_replay_scores", "fig_replay_speeds"};

/* The output of `figures path=<root>` from the test below, for the next one under rx_test_small
 * (valgrind), which then does not draw the same figures a second time; and whether that test
 * drew the head-direction figures with their data records, which the replay test then reads
 * under rx_test_small instead of drawing them again. */
static char *spatial_output;
static int hd_records_drawn;

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
  /* no data record unless asked for */
  CHECK(sh("ls %s | grep -q 'data[.]json'", dir) != 0);

  /* REACTIVATE_PLOT_DATA=1: every figure drawn also writes its data record */
  setenv("REACTIVATE_PLOT_DATA", "1", 1);
  hd_records_drawn = run_cli("figures task=head_direction path=%s seeds=0-4", root) == 0;
  CHECK(hd_records_drawn);
  unsetenv("REACTIVATE_PLOT_DATA");
  o = output();
  snprintf(dir, sizeof dir, "%s/head_direction/figures", root);
  for (size_t i = 0; i < sizeof hd_figures / sizeof hd_figures[0]; i++) {
    check_figure(dir, hd_figures[i]);
    char base[700];
    snprintf(base, sizeof base, "%s/%s", dir, hd_figures[i]);
    cJSON *doc = record_load(base);
    CHECK(doc && !strcmp(rec_str(doc, "figure"), hd_figures[i]) && rec_len(doc, "panels") >= 1);
    cJSON_Delete(doc);
  }
  CHECK_MSG(strstr(o, "11 figures written"), "%s", o);
  free(o);
  /* no temporary files left behind */
  CHECK(sh("ls %s/*/figures | grep -q '[.]tmp'", root) != 0);
}

/* A run in a circle with a wall inside: fig_arena shows its outline (the circle's chords and the
 * wall) and five trajectories of its task, every point inside; the box's results (the shared
 * runs) get no fig_arena, and the circle's density-free figures still draw. */
static void test_figures_draw_the_arena_of_a_run_that_is_not_the_box(void) {
  REQUIRE(setup() == 0);
  char dir[400], base[500];
  snprintf(dir, sizeof dir, "%s/circle", root);
  CHECK(run_cli("train spatial_navigation/noisy_unbiased path=%s task.arena=circle "
                "task.arena_radius=1.0 task.walls=[[0,-1,0,-0.2]] rnn.n_rec=16 "
                "task.batch_size=4 task.sequence_length=10 task.place_cells_num=16 "
                "trainer.n_epochs=0 --quiet",
                dir) == 0);
  setenv("REACTIVATE_PLOT_DATA", "1", 1);
  int rc = run_cli("figures path=%s only=fig_arena", dir);
  unsetenv("REACTIVATE_PLOT_DATA");
  CHECK(rc == 0);
  snprintf(base, sizeof base, "%s/spatial_navigation/figures", dir);
  check_figure(base, "fig_arena");
  snprintf(base, sizeof base, "%s/spatial_navigation/figures/fig_arena", dir);
  cJSON *doc = record_load(base);
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  rx_arena a;
  rx_arena_spec sp = {0};
  sp.kind = RX_ARENA_CIRCLE, sp.radius = 1.0, sp.n_walls = 1;
  sp.walls[0][0] = 0, sp.walls[0][1] = -1, sp.walls[0][2] = 0, sp.walls[0][3] = -0.2;
  REQUIRE(rx_arena_init(&a, &sp, 2.2, 2.2, 0, NULL) == 0);
  double seg[RX_PLOT_ARENA_CHORDS + RX_ARENA_MAX_SEGMENTS][4];
  int n = rx_arena_outline(&a, RX_PLOT_ARENA_CHORDS, seg, RX_PLOT_ARENA_CHORDS + 1);
  CHECK_MSG(rec_len(p, "outline") == n, "%d outline segments, %d expected", rec_len(p, "outline"),
            n);
  CHECK(n == RX_PLOT_ARENA_CHORDS + 1);
  rec_check_nums(p, "outline.120", seg[n - 1], 4, 1e-12); /* the wall, last */
  CHECK(rec_len(p, "trajectories") == 5);
  int outside = 0, points = 0;
  for (int b = 0; b < rec_len(p, "trajectories"); b++) {
    char kx[64], ky[64];
    snprintf(kx, sizeof kx, "trajectories.%d.x", b);
    snprintf(ky, sizeof ky, "trajectories.%d.y", b);
    for (int t = 0; t < rec_len(p, kx); t++) {
      char ex[80], ey[80];
      snprintf(ex, sizeof ex, "%s.%d", kx, t);
      snprintf(ey, sizeof ey, "%s.%d", ky, t);
      outside += !rx_arena_contains(&a, rec_num(p, ex), rec_num(p, ey));
      points++;
    }
  }
  CHECK_MSG(points == 5 * 400 && outside == 0, "%d points, %d outside the circle", points, outside);
  cJSON_Delete(doc);
  /* the box: no arena figure */
  snprintf(base, sizeof base, "%s/spatial_navigation/figures/fig_arena.png", root);
  CHECK(!rx_file_exists(base));
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
  CHECK_MSG(strstr(o, "skipped fig_replay_paths: no replay_0.0001_<seed>.json for any seed "
                      "(reactivate analyze replay)"),
            "%s", o);
  CHECK_MSG(strstr(o, "1 figure written"), "%s", o);
  free(o);

  /* a seed asked for that has nothing is reported, the others are drawn (on the runs-only
   * tree: one figure, not every figure a second time) */
  CHECK(run_cli("figures path=%s seeds=0,7", only) == 0);
  o = output();
  CHECK_MSG(strstr(o, "seed 7: no runs or analysis files"), "%s", o);
  CHECK_MSG(strstr(o, "1 figure written"), "%s", o);
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
  const char *c[] = {"only=fig2e_kl_matrix,fig_probe_*"};
  REQUIRE(rx_figures_config_parse(&cfg, 1, c, &err) == 0);
  CHECK(!strcmp(cfg.only, "fig2e_kl_matrix,fig_probe_*"));
  const char *bad[] = {"seeds=3-1", "seeds=1,", "seeds=-2", "seeds=0-100000", "seeds=1,0-2",
                       "noise=abc", "task=",    "path=",    "only=fig 2e",    "only=a/b"};
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

/* ---- the plotted numbers are the analysis results ---- */

static cJSON *read_json(const char *path) {
  char *text = NULL;
  size_t n = 0;
  if (rx_read_file(path, &text, &n, (size_t)1 << 26, NULL)) return NULL;
  cJSON *j = cJSON_Parse(text);
  free(text);
  return j;
}

/* The runs of the spatial conditions as the figures label them (docs/report.md): U-σ noisy
 * unbiased, U noiseless unbiased, B-σ noisy biased, B noiseless biased. */
static void run_of(const char *label, int seed, char *buf, size_t n) {
  static const struct {
    const char *label, *fmt;
  } runs[] = {{"U-σ", "noisy_unbiased_0.0001_%d"},
              {"U", "no-noise_unbiased_%d"},
              {"B-σ", "noisy_biased_0.0001_%d"},
              {"B", "no-noise_biased_%d"},
              {"uniform", "uniform"},
              {"R-σ", "random"}};
  snprintf(buf, n, "?%s", label);
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
    if (!strncmp(label, runs[i].label, strlen(runs[i].label)) &&
        (label[strlen(runs[i].label)] == 0 || label[strlen(runs[i].label)] == '\n'))
      snprintf(buf, n, runs[i].fmt, seed);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* numpy.percentile(v, 100 p) of sorted v (linear interpolation). */
static double percentile(const double *v, size_t n, double p) {
  double h = (n - 1) * p, lo = floor(h);
  size_t i = (size_t)lo;
  return i + 1 < n ? v[i] + (h - lo) * (v[i + 1] - v[i]) : v[n - 1];
}

static void ignore_log(void *ctx, const char *line) { (void)ctx, (void)line; }

/* KL matrix: each cell is the mean over seeds of kl_0.0001_<seed>.json[source][target], its
 * colour scale runs from 0 to the largest cell; the s.d. panel the s.d. where two seeds have it. */
static void check_kl_matrix(const char *fig_dir, const char *task_dir) {
  char base[700], path[700];
  snprintf(base, sizeof base, "%s/fig2e_kl_matrix", fig_dir);
  cJSON *doc = record_load(base), *kl[2];
  REQUIRE(doc);
  for (int s = 0; s < 2; s++) {
    snprintf(path, sizeof path, "%s/kl_0.0001_%d.json", task_dir, s);
    kl[s] = read_json(path);
    CHECK_MSG(kl[s], "cannot read %s", path);
  }
  const cJSON *p = rec_at(doc, "panels.0"), *q = rec_at(doc, "panels.1");
  int R = (int)rec_num(p, "n_rows"), C = (int)rec_num(p, "n_columns"), cells = 0, two = 0;
  CHECK(R == 4 && C == 6);
  double top = 0;
  for (int r = 0; r < R && kl[0] && kl[1]; r++)
    for (int c = 0; c < C; c++) {
      char key[64], src[200], tgt[200];
      snprintf(key, sizeof key, "row_labels.%d", r);
      const char *row = rec_str(p, key);
      snprintf(key, sizeof key, "column_labels.%d", c);
      const char *col = rec_str(p, key);
      double sum = 0, sum2 = 0;
      int n = 0;
      for (int s = 0; s < 2; s++) {
        run_of(row, s, tgt, sizeof tgt);
        run_of(col, s, src, sizeof src);
        const cJSON *v =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(kl[s], src), tgt);
        if (cJSON_IsNumber(v)) sum += v->valuedouble, sum2 += v->valuedouble * v->valuedouble, n++;
      }
      snprintf(key, sizeof key, "values.%d.%d", r, c);
      double got = rec_num(p, key), want = n ? sum / n : NAN;
      CHECK_MSG(n ? fabs(got - want) <= 1e-12 * fmax(1, fabs(want)) : isnan(got),
                "KL cell (%s, %s) = %.17g, kl JSON mean %.17g over %d seeds", row, col, got, want,
                n);
      if (n) top = fmax(top, want), cells++;
      if (n == 2 && q) { /* s.d. over the two seeds */
        double sd = sqrt(fmax(sum2 / 2 - want * want, 0));
        CHECK_NEAR(rec_num(q, key), sd, 1e-9 * fmax(1, sd));
        two++;
      }
    }
  CHECK_MSG(cells == R * C, "%d of %d KL cells have values", cells, R * C);
  CHECK_MSG(two >= 3 && q, "%d cells with two seeds; s.d. panel %s", two, q ? "drawn" : "missing");
  CHECK_NEAR(rec_num(p, "colour_axis.min"), 0, 0);
  CHECK_NEAR(rec_num(p, "colour_axis.max"), top, 1e-12 * top);
  cJSON_Delete(kl[0]), cJSON_Delete(kl[1]), cJSON_Delete(doc);
}

/* Variance box plot: each group's median, quartiles and count are those of the per-trajectory
 * quiescent variances in variance_0.0001_<seed>.npz, pooled over the seeds that have the run.
 * On the log axis the figure uses, zero variances cannot be drawn and are left out of the box
 * (plot.h); the record counts them. */
static void check_variance_box(const char *fig_dir, const char *task_dir) {
  char base[700];
  snprintf(base, sizeof base, "%s/fig2f_variance", fig_dir);
  cJSON *doc = record_load(base);
  REQUIRE(doc);
  rx_npz z[2] = {{0}, {0}};
  for (int s = 0; s < 2; s++) {
    char path[700];
    rx_error err = {{0}};
    snprintf(path, sizeof path, "%s/variance_0.0001_%d.npz", task_dir, s);
    CHECK_MSG(rx_npz_read(path, &z[s], &err) == 0, "%s", err.msg);
  }
  const cJSON *p = rec_at(doc, "panels.0");
  const int log_y = cJSON_IsTrue(rec_at(p, "y_axis.log"));
  int G = rec_len(p, "groups");
  CHECK_MSG(G == 4, "%d groups", G);
  for (int g = 0; g < G; g++) {
    char key[64], run[200];
    double v[4096];
    size_t n = 0, left_out = 0;
    snprintf(key, sizeof key, "groups.%d.label", g);
    const char *label = rec_str(p, key);
    for (int s = 0; s < 2; s++) {
      char name[300];
      run_of(label, s, run, sizeof run);
      snprintf(name, sizeof name, "%s.quiescent", run);
      const rx_array *a = z[s].arrays ? rx_npz_get(&z[s], name) : NULL;
      for (size_t i = 0; a && a->dtype == RX_F32 && i < a->size && n < 4096; i++) {
        double x = ((const float *)a->data)[i];
        if (!log_y || x > 0)
          v[n++] = x;
        else
          left_out++;
      }
    }
    CHECK_MSG(n > 0, "no variances for '%s'", label);
    if (!n) continue;
    qsort(v, n, sizeof *v, cmp_double);
    const char *stat[3] = {"q1", "median", "q3"};
    const double ps[3] = {0.25, 0.5, 0.75};
    for (int k = 0; k < 3; k++) {
      snprintf(key, sizeof key, "groups.%d.%s", g, stat[k]);
      double want = percentile(v, n, ps[k]);
      CHECK_MSG(fabs(rec_num(p, key) - want) <= 1e-12 * fmax(1e-300, fabs(want)),
                "'%s' %s = %.17g, variances give %.17g", label, stat[k], rec_num(p, key), want);
    }
    snprintf(key, sizeof key, "groups.%d.n", g);
    CHECK_NEAR(rec_num(p, key), (double)n, 0);
    snprintf(key, sizeof key, "groups.%d.n_left_out", g);
    CHECK_NEAR(rec_num(p, key), (double)left_out, 0);
  }
  rx_npz_free(&z[0]), rx_npz_free(&z[1]);
  cJSON_Delete(doc);
}

/* Learning curves: x the steps of test_metrics.json, y the mean over both U-σ seeds of the loss
 * and of pos_mse; explained variance: the mean over seeds of pca_0.0001_<seed>.json's curves. */
static void check_curves(const char *fig_dir, const char *task_dir) {
  char base[700], path[700];
  snprintf(base, sizeof base, "%s/fig1b_learning_curves", fig_dir);
  cJSON *doc = record_load(base), *m[2] = {NULL, NULL}, *pca[2] = {NULL, NULL};
  REQUIRE(doc);
  for (int s = 0; s < 2; s++) {
    snprintf(path, sizeof path, "%s/noisy_unbiased_0.0001_%d/test_metrics.json", task_dir, s);
    m[s] = read_json(path);
    snprintf(path, sizeof path, "%s/pca_0.0001_%d.json", task_dir, s);
    pca[s] = read_json(path);
    CHECK(m[s] && pca[s]);
  }
  const char *metric[2] = {"loss", "pos_mse"};
  for (int panel = 0; panel < 2 && m[0] && m[1]; panel++) {
    double x[64], y[64];
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, m[0]) {
      const cJSON *o = cJSON_GetObjectItemCaseSensitive(m[1], e->string);
      const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, metric[panel]);
      const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, metric[panel]);
      if (n < 64 && cJSON_IsNumber(a) && cJSON_IsNumber(b))
        x[n] = atof(e->string), y[n++] = (a->valuedouble + b->valuedouble) / 2;
    }
    for (int i = 1; i < n; i++) /* by step */
      for (int j = i; j > 0 && x[j - 1] > x[j]; j--) {
        double t = x[j];
        x[j] = x[j - 1], x[j - 1] = t, t = y[j], y[j] = y[j - 1], y[j - 1] = t;
      }
    char key[64];
    CHECK_MSG(n >= 3, "%d test steps", n);
    snprintf(key, sizeof key, "panels.%d.series.0.x", panel);
    rec_check_nums(doc, key, x, n, 0);
    snprintf(key, sizeof key, "panels.%d.series.0.y", panel);
    rec_check_nums(doc, key, y, n, 1e-12);
  }
  cJSON_Delete(doc);
  snprintf(base, sizeof base, "%s/fig1c_explained_variance", fig_dir);
  doc = record_load(base);
  const char *part[2] = {"active", "quiescent"};
  for (int k = 0; doc && k < 2 && pca[0] && pca[1]; k++) {
    double y[64], x[64];
    int n = 0;
    const cJSON *a[2];
    for (int s = 0; s < 2; s++) {
      char run[200];
      snprintf(run, sizeof run, "noisy_unbiased_0.0001_%d", s);
      a[s] =
          cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pca[s], run), part[k]);
    }
    int len = cJSON_GetArraySize(a[0]) < cJSON_GetArraySize(a[1]) ? cJSON_GetArraySize(a[0])
                                                                  : cJSON_GetArraySize(a[1]);
    for (int i = 0; i < len && i < 64; i++, n++) {
      x[n] = i + 1;
      y[n] =
          (cJSON_GetArrayItem(a[0], i)->valuedouble + cJSON_GetArrayItem(a[1], i)->valuedouble) / 2;
    }
    char key[64];
    CHECK_MSG(n >= 2, "%d components", n);
    snprintf(key, sizeof key, "panels.0.series.%d.x", k);
    rec_check_nums(doc, key, x, n, 0);
    snprintf(key, sizeof key, "panels.0.series.%d.y", k);
    rec_check_nums(doc, key, y, n, 1e-12);
    snprintf(key, sizeof key, "panels.0.series.%d.label", k);
    CHECK(!strcmp(rec_str(doc, key), part[k]));
  }
  CHECK(doc != NULL);
  for (int s = 0; s < 2; s++)
    cJSON_Delete(m[s]), cJSON_Delete(pca[s]);
  cJSON_Delete(doc);
}

static void test_figure_data_equals_the_analysis_results(void) {
  REQUIRE(setup() == 0);
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  snprintf(cfg.path, sizeof cfg.path, "%s", root);
  /* only the figures checked below (and a wildcard that matches none of the others) */
  snprintf(cfg.only, sizeof cfg.only, "fig2e_kl_matrix,fig2f_variance,fig1b_*,fig1c_*,nothing*");
  rx_error err = {{0}};
  rx_plot_set_data_record(1);
  int rc = rx_figures(&cfg, ignore_log, NULL, &err);
  rx_plot_set_data_record(-1);
  REQUIRE_MSG(rc == 0, "%s", err.msg);
  char fig_dir[500], task_dir[400];
  snprintf(task_dir, sizeof task_dir, "%s/spatial_navigation", root);
  snprintf(fig_dir, sizeof fig_dir, "%s/figures", task_dir);
  check_kl_matrix(fig_dir, task_dir);
  check_variance_box(fig_dir, task_dir);
  check_curves(fig_dir, task_dir);
  /* only= wrote those and left the others alone: no record of a figure not asked for */
  char path[700];
  snprintf(path, sizeof path, "%s/fig2ab_positions.data.json", fig_dir);
  CHECK_MSG(!rx_file_exists(path), "%s written though not asked for", path);
  /* a list that names nothing drawable is an error naming it */
  snprintf(cfg.only, sizeof cfg.only, "fig9_nothing");
  CHECK(rx_figures(&cfg, ignore_log, NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "only=fig9_nothing"));
}

/* ---- the replay figures plot the replay files' numbers (docs/replay.md §8) ---- */

/* The panel drawn at (row, column) of a record, or NULL. */
static const cJSON *panel_at(const cJSON *doc, int row, int col) {
  const cJSON *p;
  cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(doc, "panels")) {
    if (rec_num(p, "row") == row && rec_num(p, "column") == col) return p;
  }
  return NULL;
}

/* A float32 array of z as doubles (malloc'd, *n values), NULL (reported) when absent. */
static double *npz_values(const rx_npz *z, const char *name, size_t *n, const rx_array **arr) {
  const rx_array *a = z->arrays ? rx_npz_get(z, name) : NULL;
  CHECK_MSG(a && a->dtype == RX_F32, "no float32 array '%s'", name);
  if (!a || a->dtype != RX_F32) return NULL;
  double *v = malloc(a->size * sizeof *v + 1);
  for (size_t i = 0; v && i < a->size; i++)
    v[i] = ((const float *)a->data)[i];
  *n = a->size;
  if (arr) *arr = a;
  return v;
}

/* Series k of a lines panel is the probability density of v (n,) over its recorded bins (equal
 * widths, centres x; bin i holds floor((v - lo) / w) = i, the last closed at its right edge). */
static void check_density(const cJSON *panel, int k, const double *v, size_t n, const char *what) {
  char key[64];
  snprintf(key, sizeof key, "series.%d.x", k);
  int nb = rec_len(panel, key);
  REQUIRE_MSG(nb >= 2 && nb <= 256, "%s: %d bins", what, nb);
  double x[256], y[256] = {0}, used = 0;
  for (int i = 0; i < nb; i++) {
    snprintf(key, sizeof key, "series.%d.x.%d", k, i);
    x[i] = rec_num(panel, key);
  }
  const double w = x[1] - x[0], lo = x[0] - w / 2;
  for (size_t e = 0; e < n; e++) {
    if (!isfinite(v[e])) continue;
    double f = floor((v[e] - lo) / w);
    int i = f == nb && v[e] <= lo + nb * w ? nb - 1 : (int)fmax(-1, fmin(f, nb));
    if (i >= 0 && i < nb) y[i]++, used++;
  }
  CHECK_MSG(used == (double)n, "%s: %g of %zu values inside the recorded bins", what, used, n);
  for (int i = 0; i < nb; i++)
    y[i] = used ? y[i] / (used * w) : NAN;
  snprintf(key, sizeof key, "series.%d.y", k);
  CHECK_MSG(rec_check_nums(panel, key, y, nb, 1e-9), "%s: the densities differ", what);
}

/* An image panel's overlay 0 is the line b0 + v t (bins) of an event of T steps on the ring of B
 * bins of w degrees from lo: each segment from t = 0 to T - 1 follows the line exactly (no jump
 * across the image), every point lies on the line modulo 360° and inside [lo, lo + 360], one
 * segment more than the seam crossings. */
static void check_ring_line(const cJSON *panel, double b0, double v, int T, int B, double lo,
                            double w, const char *what) {
  const int n = rec_len(panel, "overlay.0.x");
  REQUIRE_MSG(n >= 2 && n <= 300 && rec_len(panel, "overlay.0.y") == n, "%s: %d line points", what,
              n);
  double x[300], y[300];
  for (int i = 0; i < n; i++) {
    char key[64];
    snprintf(key, sizeof key, "overlay.0.x.%d", i);
    const cJSON *cx = rec_at(panel, key);
    snprintf(key, sizeof key, "overlay.0.y.%d", i);
    const cJSON *cy = rec_at(panel, key);
    x[i] = cJSON_IsNumber(cx) ? cx->valuedouble : NAN;
    y[i] = cJSON_IsNumber(cy) ? cy->valuedouble : NAN;
  }
  CHECK_MSG(x[0] == 0 && fabs(x[n - 1] - (T - 1)) < 1e-9, "%s: the line runs over t = %g..%g", what,
            x[0], x[n - 1]);
  int segments = 0;
  for (int i = 0; i < n; i++) {
    if (!isfinite(x[i])) continue;
    const double on = lo + (b0 + 0.5 + v * x[i]) * w, turns = (y[i] - on) / 360;
    CHECK_MSG(fabs(turns - round(turns)) < 1e-9 && y[i] >= lo - 1e-9 && y[i] <= lo + 360 + 1e-9,
              "%s: point (%g, %g) is not on the line b0 %g + %g t", what, x[i], y[i], b0, v);
    if (i + 1 < n && isfinite(x[i + 1])) {
      segments++;
      CHECK_MSG(fabs(y[i + 1] - y[i] - v * w * (x[i + 1] - x[i])) < 1e-9,
                "%s: segment (%g, %g)-(%g, %g) jumps off the line", what, x[i], y[i], x[i + 1],
                y[i + 1]);
    }
  }
  const double u0 = b0 + 0.5, u1 = u0 + v * (T - 1);
  int crossings = 0;
  for (double k = floor(fmin(u0, u1) / B) - 1; k <= ceil(fmax(u0, u1) / B) + 1; k++)
    crossings += k * B > fmin(u0, u1) && k * B < fmax(u0, u1);
  CHECK_MSG(segments == crossings + 1, "%s: %d segments for %d seam crossings", what, segments,
            crossings);
}

/* Head direction: the example panels of U-σ (row 0) are the posteriors of its quiescent
 * examples under their lines, the score and p-value panels are the densities of its quiescent
 * scores and p_time. Returns the examples' count, 0 when none could be checked. */
static int check_replay_ring(const char *fig_dir, const rx_npz *z) {
  char base[700], name[300];
  const char *run = "noisy_unbiased_0.01_0";
  size_t nc = 0, nl = 0, np = 0, ns = 0, npt = 0;
  const rx_array *pa = NULL;
  double *cen = npz_values(z, "settings.centers", &nc, NULL);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.examples.line", run);
  double *line = npz_values(z, name, &nl, NULL);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.examples.posterior", run);
  double *post = npz_values(z, name, &np, &pa);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.score", run);
  double *score = npz_values(z, name, &ns, NULL);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.p_time", run);
  double *pt = npz_values(z, name, &npt, NULL);
  int k = 0;
  snprintf(base, sizeof base, "%s/fig_replay_examples", fig_dir);
  cJSON *doc = record_load(base);
  if (cen && line && post && pa && doc) {
    const int B = (int)nc, T = (int)pa->shape[1];
    const double w = 360.0 / B, lo = -180; /* the ring [-π, π) of docs/replay.md §2 */
    k = (int)(nl / 3);
    CHECK(B == 72 && pa->shape[0] == k && pa->shape[2] == B &&
          fabs(cen[0] * 180 / M_PI - (lo + w / 2)) < 1e-4);
    for (int e = 0; e < k; e++) {
      const cJSON *p = panel_at(doc, 0, e);
      CHECK_MSG(p && !strcmp(rec_str(p, "kind"), "image"), "no image at row 0, column %d", e);
      if (!p) continue;
      char what[100];
      snprintf(what, sizeof what, "example %d of %s", e, run);
      check_ring_line(p, line[3 * e], line[3 * e + 1], T, B, lo, w, what);
      /* the image: step on x, bin on y, each (step, bin) a cell of the ring [-180°, 180°) */
      const double extent[4] = {-0.5, T - 0.5, lo, lo + 360};
      CHECK_MSG(rec_check_nums(p, "extent", extent, 4, 1e-12) && cJSON_IsTrue(rec_at(p, "cells")),
                "%s: not drawn as cells over steps x the ring", what);
      double *zz = malloc((size_t)T * B * sizeof *zz);
      for (int j = 0; zz && j < B; j++)
        for (int t = 0; t < T; t++)
          zz[(size_t)j * T + t] = post[((size_t)e * T + t) * B + j];
      for (int j = 0; zz && j < B; j += 7) {
        char key[64];
        snprintf(key, sizeof key, "z.%d", j);
        rec_check_nums(p, key, zz + (size_t)j * T, T, 1e-7);
      }
      free(zz);
    }
  }
  cJSON_Delete(doc);
  snprintf(base, sizeof base, "%s/fig_replay_scores", fig_dir);
  doc = record_load(base);
  if (doc && score && pt) {
    check_density(panel_at(doc, 0, 0), 0, score, ns, "U-σ quiescent line scores");
    check_density(panel_at(doc, 0, 1), 0, pt, npt, "U-σ quiescent p_time");
    CHECK(rec_num(doc, "rows") == 3); /* U-σ, B-σ, the control */
  }
  cJSON_Delete(doc);
  free(cen), free(line), free(post), free(score), free(pt);
  return k;
}

/* Spatial navigation: U-σ's paths panel draws each quiescent example's decoded path (its
 * posterior means) and fit y0 + v t from step 0 to T - 1; its speed panel the density of the
 * quiescent speeds. */
static void check_replay_plane(const char *fig_dir, const rx_npz *z) {
  char base[700], name[300];
  const char *run = "noisy_unbiased_0.0001_0";
  size_t nm = 0, nf = 0, nsp = 0;
  const rx_array *ma = NULL;
  snprintf(name, sizeof name, "%s.quiescent.quiescent.examples.mean", run);
  double *mean = npz_values(z, name, &nm, &ma);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.examples.path", run);
  double *fit = npz_values(z, name, &nf, NULL);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.speed", run);
  double *speed = npz_values(z, name, &nsp, NULL);
  snprintf(base, sizeof base, "%s/fig_replay_paths", fig_dir);
  cJSON *doc = record_load(base);
  if (doc && mean && fit && ma) {
    const cJSON *p = panel_at(doc, 0, 0);
    REQUIRE(p);
    const int k = (int)ma->shape[0], T = (int)ma->shape[1];
    CHECK(k >= 1 && T == 5);
    for (int e = 0; e < k; e++) {
      double x[16], y[16], fx[2], fy[2];
      for (int t = 0; t < T; t++)
        x[t] = mean[((size_t)e * T + t) * 2], y[t] = mean[((size_t)e * T + t) * 2 + 1];
      const double *f = fit + 5 * e;
      fx[0] = f[0], fy[0] = f[1], fx[1] = f[0] + f[2] * (T - 1), fy[1] = f[1] + f[3] * (T - 1);
      char key[64];
      snprintf(key, sizeof key, "overlay.%d.x", 2 * e);
      rec_check_nums(p, key, x, T, 0);
      snprintf(key, sizeof key, "overlay.%d.y", 2 * e);
      rec_check_nums(p, key, y, T, 0);
      snprintf(key, sizeof key, "overlay.%d.x", 2 * e + 1);
      rec_check_nums(p, key, fx, 2, 1e-12);
      snprintf(key, sizeof key, "overlay.%d.y", 2 * e + 1);
      rec_check_nums(p, key, fy, 2, 1e-12);
    }
  }
  cJSON_Delete(doc);
  snprintf(base, sizeof base, "%s/fig_replay_speeds", fig_dir);
  doc = record_load(base);
  if (doc && speed) check_density(panel_at(doc, 0, 0), 0, speed, nsp, "U-σ quiescent speeds");
  cJSON_Delete(doc);
  free(mean), free(fit), free(speed);
}

static void test_replay_figures_plot_the_replay_files(void) {
  REQUIRE(setup() == 0);
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  snprintf(cfg.path, sizeof cfg.path, "%s", root);
  snprintf(cfg.only, sizeof cfg.only, "fig_replay_*");
  rx_error err = {{0}};
  rx_plot_set_data_record(1);
  int rc = rx_figures(&cfg, ignore_log, NULL, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  /* head direction: under rx_test_small the records `figures task=head_direction` wrote above
   * (the same files drawn by the same code), else drawn here too */
  cfg.task = RX_TASK_HEAD_DIRECTION;
  int rc2 = rx_test_small() && hd_records_drawn ? 0 : rx_figures(&cfg, ignore_log, NULL, &err);
  rx_plot_set_data_record(-1);
  REQUIRE_MSG(rc == 0 && rc2 == 0, "%s", err.msg);
  char dir[500], path[700];
  rx_npz z = {0};
  for (int t = 0; t < 2; t++) {
    const char *task = t ? "head_direction" : "spatial_navigation";
    snprintf(dir, sizeof dir, "%s/%s/figures", root, task);
    snprintf(path, sizeof path, "%s/%s/replay_%s_0.npz", root, task, t ? "0.01" : "0.0001");
    REQUIRE_MSG(rx_npz_read(path, &z, &err) == 0, "%s", err.msg);
    if (t)
      CHECK_MSG(check_replay_ring(dir, &z) >= 1, "no example events in %s", path);
    else
      check_replay_plane(dir, &z);
    rx_npz_free(&z);
  }
  snprintf(path, sizeof path, "%s/spatial_navigation/figures/fig_replay_examples.png", root);
  CHECK_MSG(!rx_file_exists(path), "%s: the ring's examples drawn for the plane", path);
}

/* A linear track's replay file (bins.kind "line"): its examples are drawn as the ring's are, over
 * the track in metres ([-1.1, 1.1] in 0.1 m bins here), each best line one straight segment on
 * b0 + v t without wrap, inside the track; the paths figure of the plane is not drawn. */
static void test_replay_figures_of_a_linear_track(void) {
  REQUIRE(setup() == 0);
  char dir[400], base[600];
  snprintf(dir, sizeof dir, "%s/track", root);
  REQUIRE(run_cli("train spatial_navigation/noisy_unbiased path=%s task.arena=linear_track "
                  "rnn.n_rec=16 task.batch_size=16 task.sequence_length=10 "
                  "task.place_cells_num=32 trainer.n_epochs=30 trainer.test_freq=10 "
                  "trainer.save_freq=30 --quiet",
                  dir) == 0);
  REQUIRE(run_cli("analyze replay path=%s batch_size=16 replay.batch_size=4 replay.t_burn=10 "
                  "replay.t_total=20 replay.event_steps=5 replay.n_shuffles=20 "
                  "replay.n_speeds=21 replay.bin_size=0.1 replay.n_examples=2 --quiet",
                  dir) == 0);
  setenv("REACTIVATE_PLOT_DATA", "1", 1);
  int rc = run_cli("figures path=%s only=fig_replay_*", dir);
  unsetenv("REACTIVATE_PLOT_DATA");
  REQUIRE(rc == 0);
  snprintf(base, sizeof base, "%s/spatial_navigation/figures", dir);
  check_figure(base, "fig_replay_examples");
  check_figure(base, "fig_replay_speeds");
  char path[700];
  snprintf(path, sizeof path, "%s/fig_replay_paths.png", base);
  CHECK(!rx_file_exists(path));
  snprintf(path, sizeof path, "%s/spatial_navigation/replay_0.0001_0.npz", dir);
  rx_npz z = {0};
  rx_error err = {{0}};
  REQUIRE_MSG(rx_npz_read(path, &z, &err) == 0, "%s", err.msg);
  size_t nc = 0, nl = 0, np = 0;
  const rx_array *pa = NULL;
  const char *run = "noisy_unbiased_0.0001_0";
  char name[300];
  double *cen = npz_values(&z, "settings.centers", &nc, NULL);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.examples.line", run);
  double *line = npz_values(&z, name, &nl, NULL);
  snprintf(name, sizeof name, "%s.quiescent.quiescent.examples.posterior", run);
  double *post = npz_values(&z, name, &np, &pa);
  snprintf(base, sizeof base, "%s/spatial_navigation/figures/fig_replay_examples", dir);
  cJSON *doc = record_load(base);
  REQUIRE(cen && line && post && pa && doc);
  const int B = (int)nc, T = (int)pa->shape[1], k = (int)(nl / 3);
  const double w = 0.1, lo = -1.1;
  CHECK(B == 22 && fabs(cen[0] - (lo + w / 2)) < 1e-6 && k >= 1);
  for (int e = 0; e < k; e++) {
    const cJSON *p = panel_at(doc, 0, e);
    CHECK_MSG(p && !strcmp(rec_str(p, "kind"), "image"), "no image at row 0, column %d", e);
    if (!p) continue;
    const double extent[4] = {-0.5, T - 0.5, lo, lo + B * w};
    CHECK_MSG(rec_check_nums(p, "extent", extent, 4, 1e-6), "example %d: not over the track", e);
    const int n = rec_len(p, "overlay.0.x");
    CHECK_MSG(n == 0 || n == 2, "example %d: %d line points (one segment, no wrap)", e, n);
    for (int i = 0; i < n; i++) {
      char kx[64], ky[64];
      snprintf(kx, sizeof kx, "overlay.0.x.%d", i);
      snprintf(ky, sizeof ky, "overlay.0.y.%d", i);
      const double t = rec_num(p, kx), y = rec_num(p, ky);
      const double on = lo + (line[3 * e] + 0.5 + line[3 * e + 1] * t) * w;
      CHECK_MSG(t >= 0 && t <= T - 1 && fabs(y - on) < 1e-6 && y >= lo - 1e-9 &&
                    y <= lo + B * w + 1e-9,
                "example %d: point (%g, %g) off the line b0 %g + %g t or the track", e, t, y,
                line[3 * e], line[3 * e + 1]);
    }
    char key[64];
    snprintf(key, sizeof key, "z.%d", B / 2); /* a row of the image: bin B/2 over the steps */
    double row[64];
    for (int t = 0; t < T && t < 64; t++)
      row[t] = post[((size_t)e * T + t) * B + B / 2];
    CHECK(rec_check_nums(p, key, row, T, 1e-7));
  }
  cJSON_Delete(doc);
  free(cen), free(line), free(post);
  /* a line that runs off the track's end (up from bin 18 at 1.5 bins per step): drawn up to the
   * end (u = B at t = (22 - 18.5) / 1.5) and not on from the other end, as it would on a ring */
  rx_array *la = NULL;
  snprintf(name, sizeof name, "%s.quiescent.quiescent.examples.line", run);
  for (int i = 0; i < z.n; i++)
    if (!strcmp(z.arrays[i].name, name)) la = &z.arrays[i];
  REQUIRE(la && la->ndim == 2 && la->shape[0] >= 1);
  ((float *)la->data)[0] = 18, ((float *)la->data)[1] = 1.5f;
  char off[500];
  snprintf(off, sizeof off, "%s/track_off/spatial_navigation", root);
  REQUIRE(sh("rm -rf %s && mkdir -p %s && cp -r %s/spatial_navigation/replay_0.0001_0.json "
             "%s/spatial_navigation/noisy_unbiased_0.0001_0 %s/",
             off, off, dir, dir, off) == 0);
  snprintf(path, sizeof path, "%s/replay_0.0001_0.npz", off);
  REQUIRE(rx_npz_write(path, z.arrays, z.n, &err) == 0);
  rx_npz_free(&z);
  setenv("REACTIVATE_PLOT_DATA", "1", 1);
  rc = run_cli("figures path=%s/track_off only=fig_replay_examples", root);
  unsetenv("REACTIVATE_PLOT_DATA");
  REQUIRE(rc == 0);
  snprintf(base, sizeof base, "%s/figures/fig_replay_examples", off);
  doc = record_load(base);
  REQUIRE(doc);
  const cJSON *p0 = panel_at(doc, 0, 0);
  REQUIRE(p0);
  CHECK_MSG(rec_len(p0, "overlay.0.x") == 2, "%d points: the line wraps",
            rec_len(p0, "overlay.0.x"));
  const double t_end = (B - 18.5) / 1.5;
  CHECK_NEAR(rec_num(p0, "overlay.0.x.0"), 0, 1e-12);
  CHECK_NEAR(rec_num(p0, "overlay.0.y.0"), lo + 18.5 * w, 1e-6); /* float32 centres */
  CHECK_NEAR(rec_num(p0, "overlay.0.x.1"), t_end, 1e-6);
  CHECK_NEAR(rec_num(p0, "overlay.0.y.1"), lo + B * w, 1e-6);
  cJSON_Delete(doc);
}

/* The HD replay files copied with the first two example lines of U-σ replaced by lines across
 * the seam (up from bin 70 at 1.5 bins per step, down from bin 1 at -2): each is drawn as two
 * segments that meet the image's edges, not as a line across the image. Then an examples.line
 * of the wrong shape stops `figures` with one line naming the file and the array. */
static void test_replay_lines_wrap_at_the_seam_and_a_malformed_file_fails(void) {
  REQUIRE(setup() == 0);
  char dir[400], path[700], src[700];
  snprintf(dir, sizeof dir, "%s/replay_seam/head_direction", root);
  REQUIRE(sh("rm -rf %s && mkdir -p %s && cp %s/head_direction/replay_0.01_0.json %s/", dir, dir,
             root, dir) == 0);
  snprintf(src, sizeof src, "%s/head_direction/replay_0.01_0.npz", root);
  snprintf(path, sizeof path, "%s/replay_0.01_0.npz", dir);
  rx_npz z = {0};
  rx_error err = {{0}};
  REQUIRE_MSG(rx_npz_read(src, &z, &err) == 0, "%s", err.msg);
  rx_array *line = NULL;
  for (int i = 0; i < z.n; i++)
    if (!strcmp(z.arrays[i].name, "noisy_unbiased_0.01_0.quiescent.quiescent.examples.line"))
      line = &z.arrays[i];
  REQUIRE(line && line->ndim == 2 && line->shape[0] >= 2);
  float *l = line->data;
  l[0] = 70, l[1] = 1.5f, l[3] = 1, l[4] = -2;
  REQUIRE(rx_npz_write(path, z.arrays, z.n, &err) == 0);
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  cfg.task = RX_TASK_HEAD_DIRECTION;
  snprintf(cfg.path, sizeof cfg.path, "%s/replay_seam", root);
  snprintf(cfg.only, sizeof cfg.only, "fig_replay_examples");
  rx_plot_set_data_record(1);
  int rc = rx_figures(&cfg, ignore_log, NULL, &err);
  rx_plot_set_data_record(-1);
  CHECK_MSG(rc == 0, "%s", err.msg);
  char base[700];
  snprintf(base, sizeof base, "%s/figures/fig_replay_examples", dir);
  cJSON *doc = record_load(base);
  const cJSON *p0 = doc ? panel_at(doc, 0, 0) : NULL, *p1 = doc ? panel_at(doc, 0, 1) : NULL;
  if (p0 && p1) {
    const double y0[5] = {70.5 * 5 - 180, 180, NAN, -180, 4.5 * 5 - 180};
    const double y1[5] = {1.5 * 5 - 180, -180, NAN, 180, 180 - 6.5 * 5};
    const double x1[5] = {0, 0.75, NAN, 0.75, 4};
    CHECK(rec_check_nums(p0, "overlay.0.y", y0, 5, 1e-9));
    CHECK(rec_check_nums(p1, "overlay.0.x", x1, 5, 1e-12));
    CHECK(rec_check_nums(p1, "overlay.0.y", y1, 5, 1e-9));
    check_ring_line(p0, 70, 1.5, 5, 72, -180, 5, "up across the seam");
    check_ring_line(p1, 1, -2, 5, 72, -180, 5, "down across the seam");
  }
  CHECK(p0 && p1);
  cJSON_Delete(doc);
  /* examples.line flattened to (3 k,): refused, naming the file and the array */
  line->ndim = 1;
  line->shape[0] *= 3;
  REQUIRE(rx_npz_write(path, z.arrays, z.n, &err) == 0);
  rx_npz_free(&z);
  rc = rx_figures(&cfg, ignore_log, NULL, &err);
  CHECK(rc == RX_EFORMAT);
  CHECK_MSG(strstr(err.msg, "replay_0.01_0.npz") &&
                strstr(err.msg, "noisy_unbiased_0.01_0.quiescent.quiescent.examples.line") &&
                !strchr(err.msg, '\n'),
            "%s", err.msg);
}

static void cleanup(void) {
  if (root[0] && !getenv("RX_FIGURES_KEEP"))
    rx_test_rm_rf(root);
  else if (root[0])
    fprintf(stderr, "  results kept in %s\n", root);
}

int main(int argc, char **argv) {
  unsetenv("REACTIVATE_PLOT_DATA"); /* the record is off unless a test turns it on */
  static const rx_test_case tests[] = {
      TEST(test_settings_parse_seeds_noise_and_task),
      TEST(test_figures_draws_every_figure_the_results_support),
      TEST(test_figures_draw_the_arena_of_a_run_that_is_not_the_box),
      TEST(test_figures_skips_missing_data_with_a_reason),
      TEST(test_corrupt_results_file_gives_one_line_and_fails),
      TEST(test_no_results_or_bad_settings_give_one_line),
      TEST(test_figure_data_equals_the_analysis_results),
      TEST(test_replay_figures_plot_the_replay_files),
      TEST(test_replay_lines_wrap_at_the_seam_and_a_malformed_file_fails),
      TEST(test_replay_figures_of_a_linear_track),
  };
  int rc = rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
  free(spatial_output);
  cleanup();
  return rc;
}
