/* `reactivate analyze replay` end to end (docs/replay.md §7): on tiny trained runs of both tasks it
 * writes every run, condition and the random control with consistent summaries, per-event arrays
 * and examples, the same bytes on 1 and 2 threads, skips non-default rules and refuses networks
 * without a population code; from files it gives the known answers (a travelling bump is
 * significant at its speed, on the ring and on a track; a straight 2-D path has R^2 > 0.95; a
 * heading turning at a constant rate is significant at its rate; random posteriors are rarely
 * significant) and refuses bad files with one line, writing nothing; its settings are checked. */
#include <cjson/cJSON.h>

#include "cli_runner.h"
#include "reactivate/analyze.h"
#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "reactivate/linalg.h"
#include "reactivate/npz.h"
#include "reactivate/rng.h"
#include "reactivate/train.h"
#include "test_util.h"

static char root[256];
static char log_text[16384];

static void collect(void *ctx, const char *line) {
  (void)ctx;
  strncat(log_text, line, sizeof log_text - strlen(log_text) - 2);
  strcat(log_text, "\n");
}

/* Tiny replay sizes: 8 trajectories x 50 steps after 10 -> 80 events of 5 steps per condition;
 * the awake test batch (16 x 10 steps) -> 32 events; 40 shuffles. Under RX_TEST_SMALL (valgrind)
 * 4 trajectories x 25 steps (20 events), 4 awake ones (8 events), 20 shuffles, 10 cm bins. */
static int n_windows(void) { return rx_test_small() ? 5 : 10; }
static int n_quiescent(void) { return rx_test_small() ? 20 : 80; }
static int n_awake(void) { return rx_test_small() ? 8 : 32; }

static int load_cfg(rx_analysis_config *cfg, const char *task, const char *extra, rx_error *err) {
  char path[300];
  snprintf(path, sizeof path, "path=%s", root);
  const int small = rx_test_small();
  const char *ov[] = {path,
                      task,
                      small ? "batch_size=4" : "batch_size=16",
                      small ? "replay.batch_size=4" : "replay.batch_size=8",
                      "replay.t_burn=10",
                      small ? "replay.t_total=25" : "replay.t_total=50",
                      "replay.event_steps=5",
                      small ? "replay.n_shuffles=20" : "replay.n_shuffles=40",
                      small ? "replay.bin_size=0.1" : "replay.bin_size=0.05",
                      extra};
  const int n = (int)(sizeof ov / sizeof ov[0]);
  return rx_analysis_config_load(cfg, extra ? n : n - 1, ov, err);
}

static cJSON *read_json(const char *name) {
  char *text = rx_test_read_text(root, name);
  cJSON *j = text ? cJSON_Parse(text) : NULL;
  free(text);
  return j;
}

static double num(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItem(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The float32 array "<prefix>.<what>" of z, checked to have the given shape (NULL: failed). */
static const float *array(const rx_npz *z, const char *prefix, const char *what, int ndim,
                          const int64_t *shape) {
  char name[400];
  snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", what);
  const rx_array *a = NULL;
  rx_error err;
  if (rx_npz_expect(z, "replay.npz", name, RX_F32, ndim, shape, &a, &err)) {
    fprintf(stderr, "  %s\n", err.msg);
    return NULL;
  }
  return a->data;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One source's summary against its arrays: counts, fractions, p-values, flags, speeds (line
 * scores, ring: on the line score's grid of 1/15 bin per step, times the bin width w over dt),
 * the examples. */
static void check_source_w(const cJSON *src, const rx_npz *z, const char *prefix, int ring,
                           double w, int n_events, int steps, int bins, double alpha) {
  REQUIRE_MSG(src, "%s", prefix);
  CHECK_MSG(num(src, "n_events") == n_events, "%s: %g events", prefix, num(src, "n_events"));
  const double f = num(src, "fraction_significant");
  CHECK_MSG(f >= 0 && f <= 1, "%s: fraction %g", prefix, f);
  const int64_t ev[1] = {n_events};
  const float *sig = array(z, prefix, "significant", 1, ev);
  const float *pt = array(z, prefix, "p_time", 1, ev);
  const float *pc = ring ? array(z, prefix, "p_column", 1, ev) : NULL;
  const float *score = array(z, prefix, "score", 1, ev);
  REQUIRE(sig && pt && score && (pc || !ring));
  const float *speed = array(z, prefix, "speed", 1, ev);
  REQUIRE(speed);
  double *abs_speed = malloc(sizeof(double) * n_events);
  for (int e = 0; e < n_events; e++) {
    abs_speed[e] = fabs(speed[e]);
    const double grid = speed[e] * 0.02 / w * 15; /* dt 0.02 s */
    if (ring)
      CHECK_MSG(fabs(grid - round(grid)) < 1e-3, "%s: speed %g off the grid", prefix, speed[e]);
  }
  qsort(abs_speed, n_events, sizeof *abs_speed, cmp_double);
  const double med = n_events % 2 ? abs_speed[n_events / 2]
                                  : 0.5 * (abs_speed[n_events / 2 - 1] + abs_speed[n_events / 2]);
  CHECK_NEAR(num(src, "median_abs_speed_all"), med, 1e-6 * med + 1e-12);
  free(abs_speed);
  int n_sig = 0;
  for (int e = 0; e < n_events; e++) {
    const int want = ring ? pc[e] < alpha && pt[e] < alpha : pt[e] < alpha;
    CHECK_MSG((sig[e] == 1) == want && (sig[e] == 0 || sig[e] == 1), "%s: event %d", prefix, e);
    n_sig += sig[e] == 1;
    CHECK_MSG(!(pt[e] <= 0) && !(pt[e] > 1) && (isfinite(pt[e]) || !ring), "%s: p_time %g", prefix,
              pt[e]);
    if (ring) CHECK_MSG(pc[e] > 0 && pc[e] <= 1, "%s: p_column %g", prefix, pc[e]);
    if (ring) CHECK(score[e] >= 0 && score[e] <= 1);
  }
  CHECK_MSG(num(src, "n_significant") == n_sig, "%s: %g vs %d significant", prefix,
            num(src, "n_significant"), n_sig);
  CHECK_NEAR(f, (double)n_sig / n_events, 1e-15);
  if (ring) {
    int col = 0;
    for (int e = 0; e < n_events; e++)
      col += pc[e] < alpha;
    CHECK_NEAR(num(src, "fraction_significant_column"), (double)col / n_events, 1e-15);
  } else {
    CHECK(array(z, prefix, "path_length", 1, ev) && array(z, prefix, "max_jump", 1, ev));
  }
  /* examples: the best significant ones first (by score), then typical non-significant ones */
  const cJSON *ex = cJSON_GetObjectItem(src, "examples");
  const cJSON *best = cJSON_GetObjectItem(ex, "significant");
  const cJSON *typ = cJSON_GetObjectItem(ex, "not_significant");
  REQUIRE(cJSON_IsArray(best) && cJSON_IsArray(typ));
  const int nb = cJSON_GetArraySize(best), nt = cJSON_GetArraySize(typ), k = nb + nt;
  CHECK_MSG(nb == (n_sig < 4 ? n_sig : 4) && nt <= 4 && (nt == 4 || n_events - n_sig < 16),
            "%s: %d + %d examples", prefix, nb, nt);
  for (int i = 0; i < nb; i++) {
    const int e = cJSON_GetArrayItem(best, i)->valueint;
    CHECK(sig[e] == 1);
    if (i) CHECK(score[e] <= score[cJSON_GetArrayItem(best, i - 1)->valueint]);
  }
  for (int i = 0; i < nt; i++)
    CHECK(sig[cJSON_GetArrayItem(typ, i)->valueint] == 0);
  if (!k) return;
  const int64_t kk[1] = {k}, post[3] = {k, steps, bins}, fit[2] = {k, ring ? 3 : 5};
  const int64_t mean[3] = {k, steps, 2};
  const float *idx = array(z, prefix, "examples.index", 1, kk);
  const float *p = array(z, prefix, "examples.posterior", 3, post);
  CHECK(array(z, prefix, ring ? "examples.line" : "examples.path", 2, fit) != NULL);
  if (!ring) CHECK(array(z, prefix, "examples.mean", 3, mean) != NULL);
  REQUIRE(idx && p);
  CHECK(idx[0] ==
        (nb ? cJSON_GetArrayItem(best, 0)->valueint : cJSON_GetArrayItem(typ, 0)->valueint));
  for (int t = 0; t < steps; t++) { /* each step of an example's posterior sums to 1 */
    double s = 0;
    for (int b = 0; b < bins; b++)
      s += p[(size_t)t * bins + b];
    CHECK_NEAR(s, 1.0, 1e-4);
  }
}

static void check_source(const cJSON *src, const rx_npz *z, const char *prefix, int ring,
                         int n_events, int steps, int bins, double alpha) {
  check_source_w(src, z, prefix, ring, 2 * M_PI / 72, n_events, steps, bins, alpha);
}

/* Trains the runs, analyses them, and checks every run, condition and the control. */
static void check_task(int hd) {
  const char *task = hd ? "head_direction" : "spatial_navigation";
  const char *noise = hd ? "0.01" : "0.0001";
  char exp[128], file[128];
  snprintf(exp, sizeof exp, "%s/noisy_unbiased", task);
  REQUIRE(rx_test_train_tiny(root, exp, 0, hd) == 0);
  snprintf(exp, sizeof exp, "%s/no-noise_unbiased", task);
  REQUIRE(rx_test_train_tiny(root, exp, 0, hd) == 0);
  rx_analysis_config cfg;
  rx_error err;
  char task_arg[64];
  snprintf(task_arg, sizeof task_arg, "task=%s", task);
  REQUIRE(load_cfg(&cfg, task_arg, NULL, &err) == 0);
  log_text[0] = 0;
  int rc = rx_analyze(&cfg, RX_ANALYZE_REPLAY, collect, NULL, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  CHECK(strstr(log_text, "replay: random (quiescent)") != NULL);
  snprintf(file, sizeof file, "%s/replay_%s_0.json", task, noise);
  cJSON *j = read_json(file);
  REQUIRE(j);
  const cJSON *set = cJSON_GetObjectItem(j, "settings");
  const int bins = hd ? 72 : rx_test_small() ? 484 : 1936;
  CHECK(num(cJSON_GetObjectItem(set, "bins"), "n_bins") == bins);
  CHECK(num(set, "n_events") == n_quiescent() && num(set, "n_windows") == n_windows() &&
        num(set, "event_steps") == 5);
  CHECK(!strcmp(cJSON_GetObjectItem(set, "speed_unit")->valuestring, hd ? "rad/s" : "m/s"));
  char npz_path[600];
  snprintf(npz_path, sizeof npz_path, "%s/%s/replay_%s_0.npz", root, task, noise);
  rx_npz z;
  REQUIRE(rx_npz_read(npz_path, &z, &err) == 0);
  char runs[3][64];
  snprintf(runs[0], sizeof runs[0], "noisy_unbiased_%s_0", noise);
  snprintf(runs[1], sizeof runs[1], "no-noise_unbiased_0");
  snprintf(runs[2], sizeof runs[2], "random");
  for (int i = 0; i < 3; i++) {
    const cJSON *run = cJSON_GetObjectItem(j, runs[i]);
    REQUIRE_MSG(run, "run %s", runs[i]);
    const int n_cond = i == 1 ? 2 : 1;
    CHECK(num(run, "s2") > 0 && num(run, "dt") == 0.02 && num(run, "awake_decoded_speed") > 0);
    const char *conds[2] = {"quiescent", "absolute_noise"};
    CHECK((cJSON_GetObjectItem(run, "absolute_noise") != NULL) == (n_cond == 2));
    for (int c = 0; c < n_cond; c++) {
      const cJSON *cond = cJSON_GetObjectItem(run, conds[c]);
      REQUIRE(cond);
      /* noisy: scaled (2 x sigma2); noiseless: none, then 2 x probes.noise; control: the latter */
      CHECK_NEAR(num(cond, "noise_variance"), i == 1 && c == 0 ? 0 : hd ? 0.02 : 2e-4, 1e-8);
      char prefix[300];
      for (int s = 0; s < 2; s++) {
        const char *source = s ? "awake" : "quiescent";
        snprintf(prefix, sizeof prefix, "%s.%s.%s", runs[i], conds[c], source);
        check_source(cJSON_GetObjectItem(cond, source), &z, prefix, hd,
                     s ? n_awake() : n_quiescent(), 5, bins, 0.05);
      }
      /* the awake decoded speed: the awake events' median |fitted speed|, as the replay speeds */
      const double aw = num(cJSON_GetObjectItem(cond, "awake"), "median_abs_speed_all");
      CHECK_MSG(fabs(num(run, "awake_decoded_speed") - aw) <= 1e-12 * aw,
                "%s: awake decoded speed %g, the awake events' median |speed| %g", runs[i],
                num(run, "awake_decoded_speed"), aw);
      /* compression: the significant quiescent events' median |speed| over the awake one */
      const double v = num(cJSON_GetObjectItem(cond, "quiescent"), "median_abs_speed");
      const cJSON *comp = cJSON_GetObjectItem(cond, "compression");
      if (isfinite(v))
        CHECK_NEAR(comp->valuedouble, v / num(run, "awake_decoded_speed"), 1e-12 * fabs(v) + 1e-15);
      else
        CHECK(cJSON_IsNull(comp));
    }
    if (n_cond == 2) { /* the awake events are the run's: the same under each condition */
      char *a =
          cJSON_PrintUnformatted(cJSON_GetObjectItem(cJSON_GetObjectItem(run, conds[0]), "awake"));
      char *b =
          cJSON_PrintUnformatted(cJSON_GetObjectItem(cJSON_GetObjectItem(run, conds[1]), "awake"));
      CHECK(a && b && !strcmp(a, b));
      cJSON_free(a);
      cJSON_free(b);
    }
  }
  rx_npz_free(&z);
  cJSON_Delete(j);

  /* one thread: the same bytes */
  char *json2 = rx_test_read_text(root, file);
  char npz_name[128];
  snprintf(npz_name, sizeof npz_name, "%s/replay_%s_0.npz", task, noise);
  char *npz2 = NULL;
  size_t npz2_n = 0, npz1_n = 0;
  REQUIRE(rx_read_file(npz_path, &npz2, &npz2_n, 1 << 26, NULL) == 0);
  const int threads = rx_get_threads();
  rx_set_threads(1);
  rc = rx_analyze(&cfg, RX_ANALYZE_REPLAY, NULL, NULL, &err);
  rx_set_threads(threads);
  REQUIRE(rc == 0);
  char *json1 = rx_test_read_text(root, file), *npz1 = NULL;
  REQUIRE(rx_read_file(npz_path, &npz1, &npz1_n, 1 << 26, NULL) == 0);
  CHECK_MSG(json1 && json2 && !strcmp(json1, json2), "%s differs on one thread", file);
  CHECK_MSG(npz1_n == npz2_n && !memcmp(npz1, npz2, npz1_n), "%s differs on one thread", npz_name);
  free(json1);
  free(json2);
  free(npz1);
  free(npz2);
}

static void test_replay_writes_every_run_condition_and_control_in_the_plane(void) {
  rx_test_tmpdir(root, sizeof root, "replay");
  check_task(0);
  /* rule=same skips replay with a log line and writes nothing */
  rx_analysis_config same;
  rx_error err;
  REQUIRE(load_cfg(&same, "task=spatial_navigation", "rule=same", &err) == 0);
  log_text[0] = 0;
  REQUIRE(rx_analyze(&same, RX_ANALYZE_REPLAY, collect, NULL, &err) == 0);
  CHECK(strstr(log_text, "replay: skipped") != NULL);
  char p[600];
  snprintf(p, sizeof p, "%s/spatial_navigation/replay_same_0.0001_0.json", root);
  CHECK(!rx_file_exists(p));
}

static void test_replay_writes_every_run_condition_and_control_on_the_ring(void) {
  rx_test_tmpdir(root, sizeof root, "replay_hd");
  check_task(1);
}

static void test_replay_refuses_a_network_without_a_population_code(void) {
  rx_test_tmpdir(root, sizeof root, "replay_identity");
  char path[300];
  snprintf(path, sizeof path, "path=%s", root);
  const char *ov[] = {path,
                      "rnn.n_rec=16",
                      "task.use_place_cells=false",
                      "task.batch_size=16",
                      "task.sequence_length=10",
                      "trainer.n_epochs=10",
                      "trainer.save_freq=10",
                      "trainer.test_freq=10"};
  rx_train_config tc;
  rx_error err;
  REQUIRE(rx_config_load(&tc, "spatial_navigation/noisy_unbiased", 8, ov, &err) == 0);
  REQUIRE(rx_train(&tc, NULL, NULL, &err) == 0);
  rx_analysis_config cfg;
  REQUIRE(load_cfg(&cfg, "task=spatial_navigation", NULL, &err) == 0);
  err.msg[0] = 0;
  CHECK(rx_analyze(&cfg, RX_ANALYZE_REPLAY, NULL, NULL, &err) == RX_EINVAL);
  CHECK_MSG(strstr(err.msg, "noisy_unbiased_0.0001_0 has no population code") &&
                strstr(err.msg, "use_place_cells") && !strchr(err.msg, '\n'),
            "%s", err.msg);
  char p[600];
  snprintf(p, sizeof p, "%s/spatial_navigation/replay_0.0001_0.json", root);
  CHECK(!rx_file_exists(p));
}

/* ---- arenas (docs/arenas.md §4) ---- */

/* A tiny noisy run (as rx_test_train_tiny) in task.arena=<arena>. */
static int train_in(const char *arena) {
  char path[300], ar[64];
  snprintf(path, sizeof path, "path=%s", root);
  snprintf(ar, sizeof ar, "task.arena=%s", arena);
  const char *ov[] = {path,
                      "rnn.n_rec=16",
                      "task.place_cells_num=24",
                      "task.batch_size=16",
                      "task.sequence_length=10",
                      "trainer.n_epochs=20",
                      "trainer.save_freq=10",
                      "trainer.test_freq=10",
                      ar};
  rx_train_config tc;
  rx_error err;
  int rc = rx_config_load(&tc, "spatial_navigation/noisy_unbiased", 9, ov, &err);
  if (!rc) rc = rx_train(&tc, NULL, NULL, &err);
  if (rc) fprintf(stderr, "  %s: %s\n", arena, err.msg);
  return rc;
}

static void test_replay_on_a_linear_track_scores_its_long_axis(void) {
  /* the track (2.2 m x 0.2 m): line bins of replay.bin_size along x, the plane posterior summed
   * across the width, the line score without wrap, speeds in m/s on its grid */
  rx_test_tmpdir(root, sizeof root, "replay_track");
  REQUIRE(train_in("linear_track") == 0);
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, "task=spatial_navigation", NULL, &err) == 0);
  int rc = rx_analyze(&cfg, RX_ANALYZE_REPLAY, NULL, NULL, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  cJSON *j = read_json("spatial_navigation/replay_0.0001_0.json");
  REQUIRE(j);
  const double size = rx_test_small() ? 0.1 : 0.05;
  const int nx = (int)lround(2.2 / size), ny = (int)lround(0.2 / size);
  const cJSON *set = cJSON_GetObjectItem(j, "settings"), *bins = cJSON_GetObjectItem(set, "bins");
  CHECK(!strcmp(cJSON_GetObjectItem(bins, "kind")->valuestring, "line"));
  CHECK(num(bins, "n_bins") == nx && num(bins, "nx") == nx && num(bins, "ny") == 1);
  CHECK(num(bins, "marginal_ny") == ny && num(bins, "n_inside") == nx * ny);
  CHECK(!strcmp(cJSON_GetObjectItem(bins, "arena")->valuestring, "linear_track"));
  CHECK(!strcmp(cJSON_GetObjectItem(set, "score")->valuestring, "line"));
  CHECK(!strcmp(cJSON_GetObjectItem(set, "speed_unit")->valuestring, "m/s"));
  CHECK(num(set, "band") == 2 && num(set, "n_speeds") == 121);
  char npz_path[600];
  snprintf(npz_path, sizeof npz_path, "%s/spatial_navigation/replay_0.0001_0.npz", root);
  rx_npz z;
  REQUIRE(rx_npz_read(npz_path, &z, &err) == 0);
  const int64_t cs[1] = {nx};
  const float *c = array(&z, "settings", "centers", 1, cs);
  REQUIRE(c);
  for (int i = 0; i < nx; i++)
    CHECK_NEAR(c[i], -1.1 + (i + 0.5) * size, 1e-6);
  CHECK(rx_npz_get(&z, "settings.inside") == NULL); /* every plane bin of the track is inside */
  const char *runs[2] = {"noisy_unbiased_0.0001_0", "random"};
  for (int i = 0; i < 2; i++) {
    const cJSON *cond = cJSON_GetObjectItem(cJSON_GetObjectItem(j, runs[i]), "quiescent");
    REQUIRE_MSG(cond, "%s", runs[i]);
    for (int s = 0; s < 2; s++) {
      char prefix[300];
      snprintf(prefix, sizeof prefix, "%s.quiescent.%s", runs[i], s ? "awake" : "quiescent");
      check_source_w(cJSON_GetObjectItem(cond, s ? "awake" : "quiescent"), &z, prefix, 1, size,
                     s ? n_awake() : n_quiescent(), 5, nx, 0.05);
    }
  }
  rx_npz_free(&z);
  cJSON_Delete(j);
}

/* Whether (x, y) lies in the default T-maze (stem 1.8, bar 2.2, corridors 0.4: docs/arenas.md). */
static int in_t_maze(double x, double y) {
  return (fabs(x) <= 0.2 && y >= -1.1 && y <= 0.7) || (fabs(x) <= 1.1 && y >= 0.7 && y <= 1.1);
}

static void test_replay_in_a_t_maze_decodes_no_bin_outside_it(void) {
  /* the T-maze: plane bins over its bounding box, those centred outside masked (settings.inside)
   * and never given any probability */
  rx_test_tmpdir(root, sizeof root, "replay_tmaze");
  REQUIRE(train_in("t_maze") == 0);
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, "task=spatial_navigation", NULL, &err) == 0);
  int rc = rx_analyze(&cfg, RX_ANALYZE_REPLAY, NULL, NULL, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  cJSON *j = read_json("spatial_navigation/replay_0.0001_0.json");
  REQUIRE(j);
  const double size = rx_test_small() ? 0.1 : 0.05;
  const int n = (int)lround(2.2 / size), nb = n * n;
  unsigned char *want = malloc(nb);
  int n_in = 0;
  for (int iy = 0; iy < n; iy++)
    for (int ix = 0; ix < n; ix++)
      n_in += want[iy * n + ix] =
          (unsigned char)in_t_maze(-1.1 + (ix + 0.5) * size, -1.1 + (iy + 0.5) * size);
  CHECK(n_in == (rx_test_small() ? 160 : 640)); /* the stem's columns and the bar's rows */
  const cJSON *set = cJSON_GetObjectItem(j, "settings"), *bins = cJSON_GetObjectItem(set, "bins");
  CHECK(!strcmp(cJSON_GetObjectItem(bins, "kind")->valuestring, "plane"));
  CHECK(num(bins, "n_bins") == nb && num(bins, "n_inside") == n_in);
  CHECK(!strcmp(cJSON_GetObjectItem(set, "score")->valuestring, "path"));
  char npz_path[600];
  snprintf(npz_path, sizeof npz_path, "%s/spatial_navigation/replay_0.0001_0.npz", root);
  rx_npz z;
  REQUIRE(rx_npz_read(npz_path, &z, &err) == 0);
  const int64_t is[2] = {n, n};
  const float *inside = array(&z, "settings", "inside", 2, is);
  REQUIRE(inside);
  for (int b = 0; b < nb; b++)
    CHECK_MSG(inside[b] == want[b], "bin %d: inside %g, expected %d", b, inside[b], want[b]);
  const char *runs[2] = {"noisy_unbiased_0.0001_0", "random"};
  int checked = 0;
  for (int i = 0; i < 2; i++)
    for (int s = 0; s < 2; s++) {
      char prefix[300];
      snprintf(prefix, sizeof prefix, "%s.quiescent.%s", runs[i], s ? "awake" : "quiescent");
      const cJSON *cond = cJSON_GetObjectItem(cJSON_GetObjectItem(j, runs[i]), "quiescent");
      check_source(cJSON_GetObjectItem(cond, s ? "awake" : "quiescent"), &z, prefix, 0,
                   s ? n_awake() : n_quiescent(), 5, nb, 0.05);
      char name[400];
      snprintf(name, sizeof name, "%s.examples.posterior", prefix);
      const rx_array *a = rx_npz_get(&z, name);
      if (!a) continue;
      const float *p = a->data;
      for (size_t r = 0; r < (size_t)(a->shape[0] * a->shape[1]); r++) {
        double out = 0;
        for (int b = 0; b < nb; b++)
          out += want[b] ? 0 : p[r * nb + b];
        CHECK_MSG(out == 0, "%s row %zu: mass %g outside the maze", name, r, out);
        checked++;
      }
    }
  CHECK(checked > 0);
  free(want);
  rx_npz_free(&z);
  cJSON_Delete(j);
}

/* ---- from files ---- */

static void write_npz(const char *name, const char *key, const float *y, int ndim, int64_t d0,
                      int64_t d1, int64_t d2) {
  char p[600];
  snprintf(p, sizeof p, "%s/%s", root, name);
  const int64_t shape[3] = {d0, d1, d2};
  rx_array a = rx_array_f32(key, y, ndim, shape);
  rx_error err;
  REQUIRE(rx_npz_write(p, &a, 1, &err) == 0);
}

/* `analyze replay` of root/<post> or root/<traj> (array key) into root/<out>; track: the
 * --track length (0: none). */
static int run_file_track(const char *post, const char *traj, const char *key, int circular,
                          double track, const char *out, const char *setting, rx_error *err) {
  char t[600], q[600], o[600];
  snprintf(t, sizeof t, "%s/%s", root, traj ? traj : "");
  snprintf(q, sizeof q, "%s/%s", root, post ? post : "");
  snprintf(o, sizeof o, "%s/%s", root, out);
  rx_analysis_config cfg;
  if (rx_analysis_config_load(&cfg, setting ? 1 : 0, &setting, err)) return -100;
  rx_probe_file_request req = {RX_RESULTS_REPLAY, traj ? t : NULL, key,  NULL, NULL, o,
                               post ? q : NULL,   circular,        track};
  return rx_analyze_file(&cfg, &req, NULL, NULL, err);
}

static int run_file(const char *post, const char *traj, const char *key, int circular,
                    const char *out, const char *setting, rx_error *err) {
  return run_file_track(post, traj, key, circular, 0, out, setting, err);
}

/* A bump of s.d. 1 bin centred at c0 + v t, over `bins` bins (wrapped on a ring), per step. */
static void bump(float *row, int bins, double c, int ring) {
  double s = 0;
  for (int b = 0; b < bins; b++) {
    double d = b - c;
    if (ring) d -= bins * floor(d / bins + 0.5);
    row[b] = (float)exp(-0.5 * d * d);
    s += row[b];
  }
  for (int b = 0; b < bins; b++)
    row[b] = (float)(row[b] / s);
}

static void test_file_travelling_bumps_are_significant_at_their_speed(void) {
  rx_test_tmpdir(root, sizeof root, "replay_bump");
  enum { T = 25, BINS = 72 };
  const int n = rx_test_small() ? 6 : 24;
  float *p = malloc(sizeof(float) * n * T * BINS);
  double *v = malloc(sizeof(double) * n);
  for (int ring = 0; ring < 2; ring++) {
    for (int e = 0; e < n; e++) {
      /* speeds from -2.5 to 2.5 bins per step, forwards and backwards, most of them off the
       * speed grid (steps of 1/15); on the ring every bump crosses the seam */
      v[e] = -2.5 + 5.0 * e / (n - 1);
      if (fabs(v[e]) < 0.5) v[e] = v[e] < 0 ? -0.5 : 0.5;
      const double c0 = ring ? (v[e] > 0 ? 60 : 10) : v[e] > 0 ? 4 : 67;
      for (int t = 0; t < T; t++)
        bump(p + ((size_t)e * T + t) * BINS, BINS, c0 + v[e] * t, ring);
    }
    write_npz("bump.npz", "posterior", p, 3, n, T, BINS);
    rx_error err;
    const char *out = ring ? "bump_ring.json" : "bump_line.json";
    int rc = run_file("bump.npz", NULL, NULL, ring, out, "replay.n_shuffles=100", &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    REQUIRE(rc == 0);
    cJSON *j = read_json(out);
    REQUIRE(j);
    const cJSON *sum = cJSON_GetObjectItem(j, "summary");
    CHECK_MSG(num(sum, "fraction_significant") == 1, "%s: %g", out,
              num(sum, "fraction_significant"));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "source"), "circular")) == ring);
    const cJSON *ev = cJSON_GetObjectItem(j, "events");
    REQUIRE(cJSON_GetArraySize(cJSON_GetObjectItem(ev, "speed")) == n);
    for (int e = 0; e < n; e++) {
      const double s = cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "speed"), e)->valuedouble;
      CHECK_MSG(fabs(s - v[e]) <= 8.0 / 120 + 1e-9, "%s event %d: speed %g, true %g", out, e, s,
                v[e]);
      CHECK(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "p_column"), e)->valuedouble < 0.05);
      /* a bump of s.d. 1 bin holds 95 % of its mass within the band of +-2 bins, on the ring
       * across the seam too */
      CHECK_MSG(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "score"), e)->valuedouble > 0.9,
                "%s event %d: R %g", out, e,
                cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "score"), e)->valuedouble);
      CHECK(cJSON_IsTrue(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "significant"), e)));
    }
    cJSON_Delete(j);
  }
  /* the arrays beside R.json: the examples with their posteriors and fitted lines */
  char path[600];
  snprintf(path, sizeof path, "%s/bump_ring.npz", root);
  rx_npz z;
  rx_error err;
  REQUIRE(rx_npz_read(path, &z, &err) == 0);
  const int64_t k[1] = {4}, post[3] = {4, T, BINS}, line[2] = {4, 3}, ev[1] = {n};
  CHECK(array(&z, NULL, "examples.index", 1, k) && array(&z, NULL, "examples.posterior", 3, post));
  const float *fit = array(&z, NULL, "examples.line", 2, line),
              *sp = array(&z, NULL, "speed", 1, ev);
  const float *idx = array(&z, NULL, "examples.index", 1, k);
  REQUIRE(fit && sp && idx);
  for (int i = 0; i < 4; i++)
    CHECK(fit[i * 3 + 1] == sp[(int)idx[i]]); /* the example's line is its event's */
  rx_npz_free(&z);
  free(p);
  free(v);
}

static void test_file_random_posteriors_are_rarely_significant(void) {
  /* A rate needs its 200 events; under RX_TEST_SMALL (valgrind, where the line score's vector
   * code runs ~300x slower) it is skipped: the bump test runs the same code, and the Release and
   * ASan+UBSan runs assert it. */
  if (rx_test_small()) {
    fprintf(stderr, "  RX_TEST_SMALL: the false-positive rate skipped (asserted in full runs)\n");
    return;
  }
  rx_test_tmpdir(root, sizeof root, "replay_random");
  enum { T = 25, BINS = 72 };
  const int n = 200;
  float *p = malloc(sizeof(float) * n * T * BINS);
  rx_rng r;
  rx_rng_init(&r, 9, RX_STREAM_ANALYSIS, 0, 0, 0);
  for (int i = 0; i < n * T; i++)
    bump(p + (size_t)i * BINS, BINS, floor(rx_rng_uniform(&r) * BINS), 1);
  write_npz("random.npz", "p", p, 3, n, T, BINS);
  rx_error err;
  int rc = run_file("random.npz", NULL, "p", 1, "random_r.json", "replay.n_shuffles=100", &err);
  REQUIRE_MSG(rc == 0, "%s", err.msg);
  cJSON *j = read_json("random_r.json");
  REQUIRE(j);
  /* about 3.5 % (docs/replay.md §4): significant under both nulls, so never more often than
   * under either alone */
  const cJSON *sum = cJSON_GetObjectItem(j, "summary");
  const double f = num(sum, "fraction_significant");
  CHECK_MSG(f <= 0.075, "fraction significant %g", f);
  const double alpha = num(cJSON_GetObjectItem(j, "settings"), "alpha");
  const cJSON *ev = cJSON_GetObjectItem(j, "events");
  CHECK(alpha == 0.05 && cJSON_GetArraySize(cJSON_GetObjectItem(ev, "significant")) == n);
  for (int e = 0; e < n; e++) { /* significant: p < alpha under both nulls */
    const int want =
        cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "p_column"), e)->valuedouble < alpha &&
        cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "p_time"), e)->valuedouble < alpha;
    CHECK_MSG(cJSON_IsTrue(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "significant"), e)) == want,
              "event %d", e);
  }
  CHECK(f <= num(sum, "fraction_significant_column") && f <= num(sum, "fraction_significant_time"));
  cJSON_Delete(j);
  free(p);
}

static void test_file_straight_paths_fit_and_turning_headings_are_significant(void) {
  rx_test_tmpdir(root, sizeof root, "replay_paths");
  enum { T = 25, MAX = 20 };
  const int N = rx_test_small() ? 8 : MAX;
  float pts[MAX * T * 2], hd[MAX * T];
  rx_rng r;
  rx_rng_init(&r, 4, RX_STREAM_ANALYSIS, 0, 0, 0);
  double speed[MAX], omega[MAX];
  for (int e = 0; e < N; e++) {
    const double a = 2 * M_PI * e / N, x0 = rx_rng_uniform(&r) - 0.5, y0 = rx_rng_uniform(&r) - 0.5;
    speed[e] = 0.02 + 0.002 * e;                     /* metres per step */
    omega[e] = (e % 2 ? 1 : -1) * (0.05 + 0.01 * e); /* radians per step, both ways */
    for (int t = 0; t < T; t++) {
      pts[(e * T + t) * 2] = (float)(x0 + speed[e] * t * cos(a) + 0.002 * rx_rng_normal(&r));
      pts[(e * T + t) * 2 + 1] = (float)(y0 + speed[e] * t * sin(a) + 0.002 * rx_rng_normal(&r));
      hd[e * T + t] = (float)(a + omega[e] * t); /* any angle: binned on the ring */
    }
  }
  write_npz("paths.npz", "decoded", pts, 3, N, T, 2);
  write_npz("headings.npz", "decoded", hd, 2, N, T, 0);
  rx_error err;
  int rc = run_file(NULL, "paths.npz", NULL, 0, "paths_r.json", NULL, &err);
  REQUIRE_MSG(rc == 0, "%s", err.msg);
  rc = run_file(NULL, "headings.npz", NULL, 0, "headings_r.json", "replay.n_shuffles=100", &err);
  REQUIRE_MSG(rc == 0, "%s", err.msg);
  cJSON *j = read_json("paths_r.json"), *h = read_json("headings_r.json");
  REQUIRE(j && h);
  CHECK(!strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "source"), "kind")->valuestring,
                "points"));
  CHECK(num(cJSON_GetObjectItem(j, "summary"), "fraction_significant") == 1);
  const cJSON *ev = cJSON_GetObjectItem(j, "events");
  for (int e = 0; e < N; e++) {
    CHECK(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "score"), e)->valuedouble > 0.95);
    CHECK_NEAR(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "speed"), e)->valuedouble, speed[e],
               0.001);
  }
  /* headings: one-hot over 5-degree bins, so every line whose band (+-2 bins) holds each step
   * scores R = 1, and the tie rule reports the slowest of them: the speed (radians per step) is
   * known to within the band's 4 bins (plus a bin of rounding) over the 24 steps, never faster */
  CHECK(num(cJSON_GetObjectItem(h, "settings"), "bins") == 72);
  CHECK(num(cJSON_GetObjectItem(h, "summary"), "fraction_significant") == 1);
  ev = cJSON_GetObjectItem(h, "events");
  const double bin = 2 * M_PI / 72;
  for (int e = 0; e < N; e++) {
    const double s = cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "speed"), e)->valuedouble;
    CHECK_MSG(s * omega[e] > 0 && fabs(s) <= fabs(omega[e]) + 8.0 / 120 * bin &&
                  fabs(s) >= fabs(omega[e]) - 5.0 / (T - 1) * bin,
              "event %d: speed %g rad/step, true %g", e, s, omega[e]);
    CHECK(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "score"), e)->valuedouble == 1);
  }
  cJSON_Delete(j);
  cJSON_Delete(h);
}

static void test_file_track_positions_are_scored_without_wrap(void) {
  /* positions along a 2.2 m track (--track 2.2): one-hot over 44 bins of 5 cm, the line score
   * without wrap. Runs at constant speeds both ways are lines of R = 1 at their speed (to within
   * the band, as the headings' one-hot lines), the same as (events, steps, 2) points' x; a run
   * carried past the +x end and on from the -x end (a wrap: a line only on a ring) is not */
  rx_test_tmpdir(root, sizeof root, "replay_track_file");
  enum { T = 25, N = 9 };
  float x[N * T], pts[N * T * 2];
  double v[N];
  for (int e = 0; e < N; e++) {
    const int last = e == N - 1;                                /* the wrapped one */
    v[e] = last ? 0.06 : (e % 2 ? 1 : -1) * (0.02 + 0.008 * e); /* m per step, <= 1.9 m in all */
    const double x0 = last ? 0.5 : v[e] > 0 ? -1.0 : 1.0;
    for (int t = 0; t < T; t++) {
      double p = x0 + v[e] * t;
      if (last && p > 1.1) p -= 2.2; /* the wrap: 0.5 .. 1.1, then -1.1 .. -0.16 */
      x[e * T + t] = (float)p;
      pts[(e * T + t) * 2] = (float)p;
      pts[(e * T + t) * 2 + 1] = (float)(0.05 * sin(t + e)); /* across the track: ignored */
    }
  }
  write_npz("track.npz", "decoded", x, 2, N, T, 0);
  write_npz("track2.npz", "decoded", pts, 3, N, T, 2);
  rx_error err;
  int rc = run_file_track(NULL, "track.npz", NULL, 0, 2.2, "track_r.json", "replay.n_shuffles=100",
                          &err);
  REQUIRE_MSG(rc == 0, "%s", err.msg);
  rc = run_file_track(NULL, "track2.npz", NULL, 0, 2.2, "track2_r.json", "replay.n_shuffles=100",
                      &err);
  REQUIRE_MSG(rc == 0, "%s", err.msg);
  cJSON *j = read_json("track_r.json"), *j2 = read_json("track2_r.json");
  REQUIRE(j && j2);
  const cJSON *src = cJSON_GetObjectItem(j, "source"), *set = cJSON_GetObjectItem(j, "settings");
  CHECK(!strcmp(cJSON_GetObjectItem(src, "kind")->valuestring, "track"));
  CHECK(cJSON_IsFalse(cJSON_GetObjectItem(src, "circular")));
  CHECK(num(set, "bins") == 44 && num(set, "track_length") == 2.2 && num(set, "bin_size") == 0.05);
  CHECK(!strcmp(cJSON_GetObjectItem(set, "speed_unit")->valuestring, "m/step"));
  const cJSON *ev = cJSON_GetObjectItem(j, "events");
  const double bin = 0.05;
  for (int e = 0; e < N; e++) {
    const double s = cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "speed"), e)->valuedouble;
    const double R = cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "score"), e)->valuedouble;
    if (e == N - 1) {
      /* 11 steps before the end, 14 after: no line holds both parts */
      CHECK_MSG(R < 0.7, "the wrapped run: R %g", R);
      continue;
    }
    CHECK_MSG(s * v[e] > 0 && fabs(s) <= fabs(v[e]) + 8.0 / 120 * bin &&
                  fabs(s) >= fabs(v[e]) - 5.0 / (T - 1) * bin,
              "event %d: speed %g m/step, true %g", e, s, v[e]);
    CHECK_MSG(R == 1 && cJSON_IsTrue(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "significant"), e)),
              "event %d: R %g", e, R);
  }
  /* the points' x: the same events, the same numbers */
  char *a = cJSON_PrintUnformatted(ev),
       *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(j2, "events"));
  CHECK(a && b && !strcmp(a, b));
  cJSON_free(a);
  cJSON_free(b);
  cJSON_Delete(j);
  cJSON_Delete(j2);
  /* the command line: --track goes with --trajectories and takes a length > 0 */
  cli_runner_init("replay_track");
  CHECK(run_cli("analyze replay --trajectories %s/track.npz --track 2.2 --out %s/c.json --quiet",
                root, root) == 0);
  j = read_json("c.json");
  CHECK(j && num(cJSON_GetObjectItem(j, "settings"), "track_length") == 2.2);
  cJSON_Delete(j);
  CHECK(run_cli("analyze replay --trajectories %s/track.npz --track -1 --out %s/c.json", root,
                root) == 2);
  char *o = output();
  CHECK_MSG(strstr(o, "--track -1: the track's length must be a number > 0") && count_lines(o) == 1,
            "%s", o);
  free(o);
  CHECK(run_cli("analyze replay --posterior %s/track.npz --track 2.2 --out %s/c.json", root,
                root) == 2);
  o = output();
  CHECK_MSG(strstr(o, "--track goes with --trajectories") && count_lines(o) == 1, "%s", o);
  free(o);
  remove(cli_out_path);
}

static void test_bad_replay_files_get_one_line_and_write_nothing(void) {
  rx_test_tmpdir(root, sizeof root, "replay_bad");
  float y[4 * 6 * 8];
  for (int i = 0; i < 4 * 6 * 8; i++)
    y[i] = 1.0f / 8;
  write_npz("ok.npz", "posterior", y, 3, 4, 6, 8);
  write_npz("flat.npz", "posterior", y, 2, 4, 48, 0);
  write_npz("empty.npz", "posterior", y, 3, 0, 6, 8);
  write_npz("narrow.npz", "posterior", y, 3, 4, 12, 4);
  write_npz("short.npz", "decoded", y, 3, 4, 2, 2);
  write_npz("wide.npz", "decoded", y, 3, 4, 6, 3);
  y[9] = -0.5f;
  write_npz("negative.npz", "posterior", y, 3, 4, 6, 8);
  y[9] = NAN;
  write_npz("nan.npz", "posterior", y, 3, 4, 6, 8);
  for (int b = 0; b < 8; b++)
    y[(2 * 6 + 3) * 8 + b] = 0;
  y[9] = 0.125f;
  write_npz("nomass.npz", "posterior", y, 3, 4, 6, 8);
  struct {
    const char *post, *traj, *key, *out, *want;
  } bad[] = {
      {"missing.npz", NULL, NULL, "r.json", "missing.npz"},
      {"ok.npz", NULL, "nope", "r.json", "no array 'nope'"},
      {"flat.npz", NULL, NULL, "r.json",
       "'posterior' of shape (4, 48): expected (events, steps, bins)"},
      {"empty.npz", NULL, NULL, "r.json", "of shape (0, 6, 8): it is empty"},
      {"narrow.npz", NULL, NULL, "r.json", "of shape (4, 12, 4): 4 bins"},
      {NULL, "short.npz", NULL, "r.json", "of shape (4, 2, 2): events need at least 3 steps"},
      {NULL, "wide.npz", NULL, "r.json", "of shape (4, 6, 3): expected (events, steps, 2)"},
      {"negative.npz", NULL, NULL, "r.json", "of shape (4, 6, 8): -0.5 at [0, 1, 1]"},
      {"nan.npz", NULL, NULL, "r.json", "of shape (4, 6, 8): NaN at [0, 1, 1]"},
      {"nomass.npz", NULL, NULL, "r.json", "of shape (4, 6, 8): step [2, 3] has no mass"},
      {"ok.npz", NULL, NULL, "r.txt", "must name a .json"},
      {"ok.npz", NULL, NULL, "ok.json", "would overwrite the input"},
      {"ok.npz", "ok.npz", NULL, "r.json", "one of --posterior F.npz or --trajectories"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rx_error err;
    err.msg[0] = 0;
    int rc = run_file(bad[i].post, bad[i].traj, bad[i].key, 1, bad[i].out, NULL, &err);
    CHECK_MSG(rc < 0 && strstr(err.msg, bad[i].want) && !strchr(err.msg, '\n'),
              "case %zu: rc %d, '%s'", i, rc, err.msg);
    const char *in = bad[i].post ? bad[i].post : bad[i].traj;
    if (i < 10) CHECK_MSG(strstr(err.msg, in), "case %zu names no file: %s", i, err.msg);
  }
  char p[600];
  snprintf(p, sizeof p, "%s/r.json", root);
  CHECK(!rx_file_exists(p));
  snprintf(p, sizeof p, "%s/r.npz", root);
  CHECK(!rx_file_exists(p));
  rx_npz z;
  rx_error err;
  snprintf(p, sizeof p, "%s/ok.npz", root);
  REQUIRE(rx_npz_read(p, &z, &err) == 0); /* not overwritten */
  CHECK(z.n == 1 && rx_npz_get(&z, "posterior") != NULL);
  rx_npz_free(&z);
  /* the command line: --circular goes with --posterior; the file form runs */
  cli_runner_init("replay");
  CHECK(run_cli("analyze replay --trajectories %s/ok.npz --circular --out %s/r.json", root, root) ==
        2);
  char *o = output();
  CHECK_MSG(strstr(o, "--circular goes with --posterior") && count_lines(o) == 1, "%s", o);
  free(o);
  CHECK(run_cli("analyze replay --posterior %s/ok.npz --circular --out %s/c.json "
                "replay.band=1 replay.v_max=2 --quiet",
                root, root) == 0);
  cJSON *j = read_json("c.json");
  CHECK(j && cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "source"), "circular")) &&
        num(cJSON_GetObjectItem(j, "settings"), "band") == 1);
  cJSON_Delete(j);
  remove(cli_out_path);
}

static void test_replay_settings_are_checked(void) {
  struct {
    const char *setting, *want;
  } bad[] = {
      {"replay.t_total=1001", "replay.t_total=1001: must be a multiple of replay.event_steps (25)"},
      {"replay.event_steps=2", "replay.event_steps=2: must be 3 to 65536"},
      {"replay.n_shuffles=10", "replay.n_shuffles=10: 10 shuffles give p-values of at least 1/11"},
      {"replay.alpha=1.5", "replay.alpha=1.5: must be in (0, 1]"},
      {"replay.alpha=0", "replay.alpha"},
      {"replay.bin_degrees=100", "replay.bin_degrees=100: 100 degrees give 4 ring bins"},
      {"replay.v_max=80", "replay.v_max=80: must be at most the 72 ring bins"},
      {"replay.batch_size=1000000", "replay.batch_size=1000000: gives 40000000 events"},
      {"replay.n_examples=65", "replay.n_examples=65: must be 0 to 64"},
      {"replay.bin_size=-0.05", "replay.bin_size"},
      {"replay.n_speeds=0", "replay.n_speeds"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rx_analysis_config cfg;
    rx_error err;
    err.msg[0] = 0;
    CHECK_MSG(rx_analysis_config_load(&cfg, 1, &bad[i].setting, &err) == RX_EINVAL &&
                  strstr(err.msg, bad[i].want),
              "%s: '%s'", bad[i].setting, err.msg);
  }
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(rx_analysis_config_load(&cfg, 0, NULL, &err) == 0);
  CHECK(cfg.replay.bin_size == 0.05 && cfg.replay.bin_degrees == 5 &&
        cfg.replay.batch_size == 200 && cfg.replay.t_burn == 200 && cfg.replay.t_total == 1000 &&
        cfg.replay.event_steps == 25 && cfg.replay.n_shuffles == 200 && cfg.replay.alpha == 0.05 &&
        cfg.replay.n_speeds == 121 && cfg.replay.v_max == 4 && cfg.replay.band == 2 &&
        cfg.replay.n_examples == 4);
  /* a plane bin size that cannot tile the arena is named when the bins are made */
  rx_test_tmpdir(root, sizeof root, "replay_bins");
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_unbiased", 0, 0) == 0);
  REQUIRE(load_cfg(&cfg, "task=spatial_navigation", "replay.bin_size=0.0001", &err) == 0);
  CHECK(rx_analyze(&cfg, RX_ANALYZE_REPLAY, NULL, NULL, &err) == RX_EINVAL);
  CHECK_MSG(strstr(err.msg, "replay.bin_size: ") != NULL, "%s", err.msg);
}

RX_TEST_MAIN(TEST(test_replay_writes_every_run_condition_and_control_in_the_plane),
             TEST(test_replay_writes_every_run_condition_and_control_on_the_ring),
             TEST(test_replay_refuses_a_network_without_a_population_code),
             TEST(test_replay_on_a_linear_track_scores_its_long_axis),
             TEST(test_replay_in_a_t_maze_decodes_no_bin_outside_it),
             TEST(test_file_travelling_bumps_are_significant_at_their_speed),
             TEST(test_file_random_posteriors_are_rarely_significant),
             TEST(test_file_straight_paths_fit_and_turning_headings_are_significant),
             TEST(test_file_track_positions_are_scored_without_wrap),
             TEST(test_bad_replay_files_get_one_line_and_write_nothing),
             TEST(test_replay_settings_are_checked))
