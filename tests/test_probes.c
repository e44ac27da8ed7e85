/* The "is it sampling?" probes end to end (docs/probes.md §5): `analyze mixing|score|temperature|
 * diffusion` on tiny trained runs write the documented files for every run, condition and the
 * random control, the same bytes whichever probes run together and for any thread count, and
 * skip non-default rules; `--trajectories` gives the known answers on synthetic data (Brownian
 * alpha 1, ballistic alpha 2, an Ornstein-Uhlenbeck drift along its score, a driftless walk not)
 * and refuses bad files with one line, writing nothing. */
#include <cjson/cJSON.h>

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

static int load_cfg(rx_analysis_config *cfg, const char *task, const char *extra, rx_error *err) {
  char path[300];
  snprintf(path, sizeof path, "path=%s", root);
  const char *ov[] = {path,
                      task,
                      "batch_size=16",
                      "mixing.batch_size=8",
                      "mixing.t_total=60",
                      "mixing.window=10",
                      "mixing.stride=2",
                      "mixing.kl_samples=60",
                      "score.t_skip=5",
                      "score.bins=4",
                      "score.min_count=4",
                      "score.n_perm=20",
                      "temperature.batch_size=8",
                      "temperature.t_total=30",
                      "temperature.t_skip=10",
                      "temperature.grid=24",
                      "diffusion.t_skip=10",
                      "diffusion.tau_max=20",
                      "diffusion.tau_max_active=5",
                      extra};
  const int n = (int)(sizeof ov / sizeof ov[0]);
  return rx_analysis_config_load(cfg, extra ? n : n - 1, ov, err);
}

static cJSON *read_json(const char *name) {
  char p[600], *text = NULL;
  size_t n;
  snprintf(p, sizeof p, "%s/%s", root, name);
  if (rx_read_file(p, &text, &n, 1 << 24, NULL)) return NULL;
  cJSON *j = cJSON_Parse(text);
  free(text);
  return j;
}

static const char *const spatial_runs[] = {"noisy_unbiased_0.0001_0", "no-noise_unbiased_0",
                                           "noisy_biased_0.0001_0", "random"};

static void check_mixing_start(cJSON *s, int n_windows, int foreign) {
  REQUIRE(s);
  cJSON *kl = cJSON_GetObjectItem(s, "kl");
  CHECK(cJSON_GetArraySize(kl) == n_windows);
  for (int w = 0; w < cJSON_GetArraySize(kl); w++) {
    const double v = cJSON_GetArrayItem(kl, w)->valuedouble;
    CHECK(cJSON_IsNumber(cJSON_GetArrayItem(kl, w)) && fabs(v) <= log(1e7) + 1e-9);
  }
  /* the plateau is the mean of the last 4 windows */
  double m = 0;
  for (int w = n_windows - 4; w < n_windows; w++)
    m += cJSON_GetArrayItem(kl, w)->valuedouble / 4;
  CHECK_NEAR(cJSON_GetObjectItem(s, "plateau")->valuedouble, m, 1e-12);
  cJSON *mw = cJSON_GetObjectItem(s, "mixing_window");
  CHECK(cJSON_IsNull(mw) || (cJSON_IsNumber(mw) && mw->valueint >= 0 && mw->valueint < n_windows));
  CHECK(cJSON_IsNumber(cJSON_GetObjectItem(s, "final_distance")));
  CHECK((cJSON_GetObjectItem(s, "mixes") != NULL) == foreign);
  if (foreign) CHECK(cJSON_IsBool(cJSON_GetObjectItem(s, "mixes")));
}

static void test_probes_write_every_run_condition_and_control(void) {
  rx_test_tmpdir(root, sizeof root, "probes");
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_unbiased", 0, 0) == 0);
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/no-noise_unbiased", 0, 0) == 0);
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_biased", 0, 0) == 0);
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, "task=spatial_navigation", NULL, &err) == 0);
  log_text[0] = 0;
  const unsigned probes =
      RX_ANALYZE_MIXING | RX_ANALYZE_SCORE | RX_ANALYZE_TEMPERATURE | RX_ANALYZE_DIFFUSION;
  int rc = rx_analyze(&cfg, probes, collect, NULL, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  cJSON *mix = read_json("spatial_navigation/mixing_0.0001_0.json");
  cJSON *sc = read_json("spatial_navigation/score_0.0001_0.json");
  cJSON *te = read_json("spatial_navigation/temperature_0.0001_0.json");
  cJSON *di = read_json("spatial_navigation/diffusion_0.0001_0.json");
  REQUIRE(mix && sc && te && di);
  CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(mix, "settings"), "n_windows")->valueint == 6);
  /* the default point start: (-0.8 W/2, -0.8 H/2) of the 2.2 m box */
  cJSON *p0 = cJSON_GetObjectItem(cJSON_GetObjectItem(mix, "settings"), "start_point");
  CHECK_NEAR(cJSON_GetArrayItem(p0, 0)->valuedouble, -0.88, 1e-12);
  for (int i = 0; i < 4; i++) {
    const char *run = spatial_runs[i];
    const int noiseless = i == 1, n_cond = noiseless ? 2 : 1;
    cJSON *m = cJSON_GetObjectItem(mix, run), *s = cJSON_GetObjectItem(sc, run);
    cJSON *d = cJSON_GetObjectItem(di, run), *t = cJSON_GetObjectItem(te, run);
    REQUIRE_MSG(m && s && d && t, "run %s", run);
    CHECK_MSG(cJSON_GetArraySize(m) == n_cond && cJSON_GetArraySize(s) == n_cond,
              "conditions of %s", run);
    CHECK((cJSON_GetObjectItem(m, "absolute_noise") != NULL) == noiseless);
    /* awake data: the runs', not the control's */
    CHECK((cJSON_GetObjectItem(d, "active") != NULL) == (i < 3));
    const char *conds[2] = {"quiescent", "absolute_noise"};
    for (int c = 0; c < n_cond; c++) {
      cJSON *mc = cJSON_GetObjectItem(m, conds[c]);
      REQUIRE(mc);
      const double v = cJSON_GetObjectItem(mc, "noise_variance")->valuedouble;
      /* noisy: scaled (2 x 1e-4); noiseless: none, then 2 x probes.noise; control: 2e-4 */
      CHECK_NEAR(v, noiseless && c == 0 ? 0 : 2e-4, 1e-9);
      check_mixing_start(cJSON_GetObjectItem(mc, "active"), 6, 0);
      check_mixing_start(cJSON_GetObjectItem(mc, "point"), 6, 1);
      check_mixing_start(cJSON_GetObjectItem(mc, "zero"), 6, 1);
      cJSON *sco = cJSON_GetObjectItem(s, conds[c]);
      REQUIRE(sco);
      cJSON *cos = cJSON_GetObjectItem(sco, "cosine");
      CHECK(cJSON_IsNull(cos) || (cos->valuedouble >= -1 - 1e-12 && cos->valuedouble <= 1 + 1e-12));
      CHECK(cJSON_IsBool(cJSON_GetObjectItem(sco, "aligned")));
      cJSON *dc = cJSON_GetObjectItem(d, conds[c]);
      REQUIRE(dc);
      CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(dc, "msd")) == 20);
      CHECK(cJSON_IsString(cJSON_GetObjectItem(dc, "class")));
    }
    /* temperature: theory 2 / k at every k, variance k x base */
    cJSON *k = cJSON_GetObjectItem(t, "k"), *th = cJSON_GetObjectItem(t, "theory");
    cJSON *nv = cJSON_GetObjectItem(t, "noise_variance"), *b = cJSON_GetObjectItem(t, "beta");
    REQUIRE(cJSON_GetArraySize(k) == 5 && cJSON_GetArraySize(th) == 5 &&
            cJSON_GetArraySize(b) == 5);
    for (int j = 0; j < 5; j++) {
      const double kj = cJSON_GetArrayItem(k, j)->valuedouble;
      CHECK_NEAR(cJSON_GetArrayItem(th, j)->valuedouble, 2 / kj, 1e-15);
      CHECK_NEAR(cJSON_GetArrayItem(nv, j)->valuedouble, kj * 1e-4, 1e-15);
      const double bj = cJSON_GetArrayItem(b, j)->valuedouble;
      CHECK(bj >= 1e-3 && bj <= 50);
    }
    CHECK(cJSON_IsBool(cJSON_GetObjectItem(t, "decreasing")));
  }
  CHECK(!cJSON_GetObjectItem(mix, "no-noise_biased_0")); /* not trained: skipped */
  /* the awake MSD: the test batch's 10 steps allow lags up to 5 */
  CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(di, spatial_runs[0]), "active"), "msd")) == 5);
  cJSON_Delete(mix);
  cJSON_Delete(sc);
  cJSON_Delete(te);
  cJSON_Delete(di);

  /* arrays for the figures */
  char p[600];
  rx_npz z;
  snprintf(p, sizeof p, "%s/spatial_navigation/score_0.0001_0.npz", root);
  REQUIRE(rx_npz_read(p, &z, &err) == 0);
  const int64_t grid[2] = {4, 4}, vec[3] = {4, 4, 2}, edges[1] = {5};
  CHECK(rx_npz_expect(&z, p, "noisy_unbiased_0.0001_0.quiescent.drift", RX_F32, 3, vec, NULL,
                      &err) == 0);
  CHECK(rx_npz_expect(&z, p, "random.quiescent.density", RX_F32, 2, grid, NULL, &err) == 0);
  CHECK(rx_npz_expect(&z, p, "settings.edges_x", RX_F32, 1, edges, NULL, &err) == 0);
  rx_npz_free(&z);
  snprintf(p, sizeof p, "%s/spatial_navigation/mixing_0.0001_0.npz", root);
  REQUIRE(rx_npz_read(p, &z, &err) == 0);
  const int64_t dist[1] = {30}, kl[1] = {6}; /* distances of every 2nd step of 60 */
  CHECK(rx_npz_expect(&z, p, "no-noise_unbiased_0.absolute_noise.zero.distance", RX_F32, 1, dist,
                      NULL, &err) == 0);
  CHECK(rx_npz_expect(&z, p, "random.quiescent.point.kl", RX_F32, 1, kl, NULL, &err) == 0);
  rx_npz_free(&z);

  /* One probe alone writes the same bytes as with the others (the shared awake-start runs are
   * simulated with the same noise whichever probe asks first), and so does one thread. */
  /* Alone, on one thread, each gives the bytes it gave with the others: diffusion simulates the
   * awake-start runs itself; mixing alone reads them out only at its stride. Mixing runs its two
   * foreign starts side by side, each on half of the threads: on 1, 3 (one idle) and 4 (nested
   * teams of 2) threads too, the same bytes. */
  static const char *const alone_files[4] = {
      "spatial_navigation/diffusion_0.0001_0.json", "spatial_navigation/mixing_0.0001_0.json",
      "spatial_navigation/mixing_0.0001_0.json", "spatial_navigation/mixing_0.0001_0.json"};
  static const unsigned alone_kinds[4] = {RX_ANALYZE_DIFFUSION, RX_ANALYZE_MIXING,
                                          RX_ANALYZE_MIXING, RX_ANALYZE_MIXING};
  static const int alone_threads[4] = {1, 1, 3, 4};
  for (int i = 0; i < 4; i++) {
    char *together = rx_test_read_text(root, alone_files[i]);
    const int threads = rx_get_threads();
    rx_set_threads(alone_threads[i]);
    REQUIRE(rx_analyze(&cfg, alone_kinds[i], NULL, NULL, &err) == 0);
    rx_set_threads(threads);
    char *alone = rx_test_read_text(root, alone_files[i]);
    CHECK_MSG(together && alone && !strcmp(together, alone), "%s differs run alone on %d threads",
              alone_files[i], alone_threads[i]);
    free(together);
    free(alone);
  }

  /* Non-default rules skip the probes. */
  rx_analysis_config same;
  REQUIRE(load_cfg(&same, "task=spatial_navigation", "rule=same", &err) == 0);
  log_text[0] = 0;
  REQUIRE(rx_analyze(&same, RX_ANALYZE_MIXING, collect, NULL, &err) == 0);
  CHECK(strstr(log_text, "mixing: skipped"));
  snprintf(p, sizeof p, "%s/spatial_navigation/mixing_same_0.0001_0.json", root);
  CHECK(!rx_file_exists(p));
}

/* Whether (x, y) lies in the default T-maze (stem 1.8, bar 2.2, corridors 0.4: docs/arenas.md). */
static int in_t_maze(double x, double y) {
  return (fabs(x) <= 0.2 && y >= -1.1 && y <= 0.7) || (fabs(x) <= 1.1 && y >= 0.7 && y <= 1.1);
}

static void test_score_and_temperature_grids_in_a_t_maze(void) {
  /* the T-maze: the score probe's 8 x 8 bins over its bounding box; bins centred outside it hold
   * no sample and their density is NaN, the inside ones' density sums to 1 over the bin area;
   * the temperature probe runs on the masked grid */
  rx_test_tmpdir(root, sizeof root, "probes_tmaze");
  char path[300];
  snprintf(path, sizeof path, "path=%s", root);
  const char *tov[] = {path,
                       "rnn.n_rec=16",
                       "task.place_cells_num=24",
                       "task.batch_size=16",
                       "task.sequence_length=10",
                       "trainer.n_epochs=20",
                       "trainer.save_freq=10",
                       "trainer.test_freq=10",
                       "task.arena=t_maze"};
  rx_train_config tc;
  rx_error err;
  REQUIRE(rx_config_load(&tc, "spatial_navigation/noisy_unbiased", 9, tov, &err) == 0);
  REQUIRE(rx_train(&tc, NULL, NULL, &err) == 0);
  const char *ov[] = {path,
                      "task=spatial_navigation",
                      "batch_size=16",
                      "mixing.batch_size=8",
                      "mixing.t_total=60",
                      "mixing.window=10",
                      "mixing.stride=1",
                      "diffusion.t_skip=10",
                      "diffusion.tau_max=20",
                      "score.t_skip=5",
                      "score.bins=8",
                      "score.min_count=1",
                      "score.n_perm=20",
                      "temperature.batch_size=8",
                      "temperature.t_total=30",
                      "temperature.t_skip=10",
                      "temperature.grid=24"};
  rx_analysis_config cfg;
  REQUIRE_MSG(rx_analysis_config_load(&cfg, (int)(sizeof ov / sizeof ov[0]), ov, &err) == 0, "%s",
              err.msg);
  int rc = rx_analyze(&cfg, RX_ANALYZE_SCORE | RX_ANALYZE_TEMPERATURE | RX_ANALYZE_MIXING, NULL,
                      NULL, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  /* mixing's default point start: the box's (-0.88, -0.88) lies left of the stem; its nearest
   * boundary point (-0.2, -0.88), moved inwards by a tenth of the bounding box's side (0.22) */
  cJSON *mix = read_json("spatial_navigation/mixing_0.0001_0.json");
  REQUIRE(mix);
  const cJSON *p0 = cJSON_GetObjectItem(cJSON_GetObjectItem(mix, "settings"), "start_point");
  REQUIRE(cJSON_GetArraySize(p0) == 2);
  CHECK_NEAR(cJSON_GetArrayItem(p0, 0)->valuedouble, 0.02, 1e-9);
  CHECK_NEAR(cJSON_GetArrayItem(p0, 1)->valuedouble, -0.88, 1e-9);
  cJSON_Delete(mix);
  enum { G = 8 };
  const double w = 2.2 / G;
  unsigned char in[G * G];
  int n_in = 0;
  for (int iy = 0; iy < G; iy++)
    for (int ix = 0; ix < G; ix++)
      n_in += in[iy * G + ix] =
          (unsigned char)in_t_maze(-1.1 + (ix + 0.5) * w, -1.1 + (iy + 0.5) * w);
  CHECK(n_in == 22); /* the stem's 2 columns x 7 rows and the bar's top row */
  char p[600];
  rx_npz z;
  snprintf(p, sizeof p, "%s/spatial_navigation/score_0.0001_0.npz", root);
  REQUIRE(rx_npz_read(p, &z, &err) == 0);
  const int64_t grid[2] = {G, G}, edges[1] = {G + 1};
  const rx_array *ex = NULL;
  REQUIRE(rx_npz_expect(&z, p, "settings.edges_x", RX_F32, 1, edges, &ex, &err) == 0);
  CHECK_NEAR(((const float *)ex->data)[0], -1.1, 1e-6);
  CHECK_NEAR(((const float *)ex->data)[G], 1.1, 1e-6);
  const char *runs[2] = {"noisy_unbiased_0.0001_0", "random"};
  int densities = 0;
  for (int r = 0; r < 2; r++) {
    char name[200];
    const rx_array *d = NULL, *cnt = NULL;
    snprintf(name, sizeof name, "%s.quiescent.count", runs[r]);
    if (rx_npz_expect(&z, p, name, RX_F32, 2, grid, &cnt, &err)) continue; /* undefined: no bins */
    snprintf(name, sizeof name, "%s.quiescent.density", runs[r]);
    REQUIRE_MSG(rx_npz_expect(&z, p, name, RX_F32, 2, grid, &d, &err) == 0, "%s", err.msg);
    const float *dv = d->data, *cv = cnt->data;
    double sum = 0;
    for (int b = 0; b < G * G; b++) {
      if (!in[b]) {
        CHECK_MSG(isnan(dv[b]) && cv[b] == 0, "%s bin %d outside: density %g, count %g", runs[r], b,
                  dv[b], cv[b]);
        continue;
      }
      CHECK_MSG(isfinite(dv[b]) && dv[b] >= 0, "%s bin %d: density %g", runs[r], b, dv[b]);
      sum += dv[b];
    }
    CHECK_NEAR(sum * w * w, 1.0, 1e-5); /* float32 values */
    densities++;
  }
  CHECK(densities > 0);
  rx_npz_free(&z);
  cJSON *te = read_json("spatial_navigation/temperature_0.0001_0.json");
  REQUIRE(te);
  const cJSON *beta = cJSON_GetObjectItem(cJSON_GetObjectItem(te, runs[0]), "beta");
  CHECK(cJSON_GetArraySize(beta) > 0 && cJSON_IsNumber(cJSON_GetArrayItem(beta, 0)));
  cJSON_Delete(te);
}

static void test_probes_on_the_ring(void) {
  rx_test_tmpdir(root, sizeof root, "probes_hd");
  REQUIRE(rx_test_train_tiny(root, "head_direction/noisy_unbiased", 0, 1) == 0);
  REQUIRE(rx_test_train_tiny(root, "head_direction/no-noise_unbiased", 0, 1) == 0);
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, "task=head_direction", NULL, &err) == 0);
  /* the probes only: the paper's analyses at their default sizes would take most of the time
   * (`analyze all` with the probes runs end to end in test_reproduce) */
  int rc = rx_analyze(
      &cfg, RX_ANALYZE_MIXING | RX_ANALYZE_SCORE | RX_ANALYZE_TEMPERATURE | RX_ANALYZE_DIFFUSION,
      NULL, NULL, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  cJSON *mix = read_json("head_direction/mixing_0.01_0.json");
  cJSON *sc = read_json("head_direction/score_0.01_0.json");
  cJSON *te = read_json("head_direction/temperature_0.01_0.json");
  REQUIRE(mix && sc && te);
  cJSON *set = cJSON_GetObjectItem(mix, "settings");
  CHECK(!strcmp(cJSON_GetObjectItem(set, "estimator")->valuestring, "histogram"));
  CHECK_NEAR(cJSON_GetArrayItem(cJSON_GetObjectItem(set, "start_point"), 0)->valuedouble, M_PI,
             1e-12);
  /* head direction's probe noise is its sigma2_rec, 0.01 (configs/analysis/head_direction.yml) */
  cJSON *nn =
      cJSON_GetObjectItem(cJSON_GetObjectItem(mix, "no-noise_unbiased_0"), "absolute_noise");
  CHECK(nn && fabs(cJSON_GetObjectItem(nn, "noise_variance")->valuedouble - 0.02) < 1e-9);
  cJSON *t = cJSON_GetObjectItem(te, "noisy_unbiased_0.01_0");
  CHECK(t && fabs(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "noise_variance"), 2)->valuedouble -
                  0.02) < 1e-12);
  char p[600];
  rx_npz z;
  snprintf(p, sizeof p, "%s/head_direction/score_0.01_0.npz", root);
  REQUIRE(rx_npz_read(p, &z, &err) == 0);
  const int64_t bins[1] = {4}, vec[2] = {4, 1};
  CHECK(rx_npz_expect(&z, p, "noisy_unbiased_0.01_0.quiescent.cosine", RX_F32, 1, bins, NULL,
                      &err) == 0);
  CHECK(rx_npz_expect(&z, p, "noisy_unbiased_0.01_0.quiescent.score", RX_F32, 2, vec, NULL, &err) ==
        0);
  rx_npz_free(&z);
  cJSON_Delete(mix);
  cJSON_Delete(sc);
  cJSON_Delete(te);
}

/* ---- trajectories from a file ---- */

/* Under RX_TEST_SMALL (the valgrind CI stage) the large-sample known-answer tests are skipped:
 * they run the code paths of the tiny tests around them on 10^5 samples, and the Release and
 * ASan+UBSan runs assert them; under valgrind each would take minutes. */
static int skipped_in_small_mode(const char *what) {
  if (!rx_test_small()) return 0;
  fprintf(stderr, "  RX_TEST_SMALL: %s skipped (asserted in the full-size runs)\n", what);
  return 1;
}

/* (B, T, dim) batch-major float32 into <root>/<name> under key. */
static void write_npz(const char *name, const char *key, const float *y, int B, int T, int dim) {
  char p[600];
  snprintf(p, sizeof p, "%s/%s", root, name);
  const int64_t shape[3] = {B, T, dim};
  rx_array a = rx_array_f32(key, y, dim ? 3 : 2, shape);
  rx_error err;
  REQUIRE(rx_npz_write(p, &a, 1, &err) == 0);
}

static int run_file(int analysis, const char *traj, const char *key, const char *ref,
                    const char *out, rx_error *err) {
  char t[600], r[600], o[600];
  snprintf(t, sizeof t, "%s/%s", root, traj);
  snprintf(r, sizeof r, "%s/%s", root, ref ? ref : "");
  snprintf(o, sizeof o, "%s/%s", root, out);
  rx_analysis_config cfg;
  const char *ov[] = {"score.n_perm=100"};
  if (rx_analysis_config_load(&cfg, 1, ov, err)) return -100;
  rx_probe_file_request req = {analysis, t, key, ref ? r : NULL, NULL, o, NULL, 0, 0};
  return rx_analyze_file(&cfg, &req, NULL, NULL, err);
}

static double json_number(const char *file, const char *key) {
  cJSON *j = read_json(file);
  cJSON *v = cJSON_GetObjectItem(j, key);
  double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
  cJSON_Delete(j);
  return x;
}

/* Brownian motion (steps N(0, s^2) per axis) or motion at a constant velocity, batch-major. */
static float *walk(int B, int T, int ballistic, uint32_t seed) {
  float *y = malloc(sizeof(float) * (size_t)B * T * 2);
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, RX_STREAM_ANALYSIS, (uint32_t)b, 0, 0);
    double x[2] = {0, 0}, v[2] = {0.01 * rx_rng_normal(&r), 0.01 * rx_rng_normal(&r)};
    for (int t = 0; t < T; t++)
      for (int k = 0; k < 2; k++) {
        y[((size_t)b * T + t) * 2 + k] = (float)x[k];
        x[k] += ballistic ? v[k] : 0.01 * rx_rng_normal(&r);
      }
  }
  return y;
}

static void test_file_diffusion_has_the_known_exponents(void) {
  if (skipped_in_small_mode("Brownian and ballistic exponents from files")) return;
  rx_test_tmpdir(root, sizeof root, "probes_file");
  rx_error err;
  float *bm = walk(200, 300, 0, 1), *ball = walk(50, 120, 1, 2);
  write_npz("bm.npz", "decoded", bm, 200, 300, 2);
  write_npz("ball.npz", "y", ball, 50, 120, 2);
  REQUIRE(run_file(RX_RESULTS_DIFFUSION, "bm.npz", NULL, NULL, "bm_diffusion.json", &err) == 0);
  REQUIRE(run_file(RX_RESULTS_DIFFUSION, "ball.npz", "y", NULL, "ball_diffusion.json", &err) == 0);
  CHECK_NEAR(json_number("bm_diffusion.json", "alpha"), 1.0, 0.05);
  CHECK_NEAR(json_number("ball_diffusion.json", "alpha"), 2.0, 0.05);
  /* Brownian steps of 0.01 per axis: MSD(1) = 2 x 1e-4, mean step 0.01 sqrt(pi / 2) */
  cJSON *j = read_json("bm_diffusion.json");
  REQUIRE(j);
  CHECK_NEAR(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "msd"), 0)->valuedouble, 2e-4, 2e-4 * 0.03);
  CHECK_NEAR(cJSON_GetObjectItem(j, "step_mean")->valuedouble, 0.01 * sqrt(M_PI / 2), 4e-4);
  CHECK(!strcmp(cJSON_GetObjectItem(j, "class")->valuestring, "diffusive"));
  cJSON *src = cJSON_GetObjectItem(j, "source");
  CHECK(src && !strcmp(cJSON_GetObjectItem(src, "key")->valuestring, "decoded") &&
        cJSON_GetArrayItem(cJSON_GetObjectItem(src, "shape"), 1)->valueint == 300);
  cJSON_Delete(j);
  char p[600];
  snprintf(p, sizeof p, "%s/bm.npz", root); /* the input, untouched: R.npz is bm.json's npz */
  rx_npz z;
  REQUIRE(rx_npz_read(p, &z, &err) == 0);
  CHECK(rx_npz_get(&z, "decoded") && !rx_npz_get(&z, "step_counts"));
  rx_npz_free(&z);
  free(bm);
  free(ball);
}

/* An Ornstein-Uhlenbeck process y' = -theta y dt + s dW in the plane, started from its
 * stationary law N(0, s^2 / (2 theta) I); its drift is c grad log p with c = s^2 / 2. */
static float *ou(int B, int T, uint32_t seed, double theta, double s) {
  float *y = malloc(sizeof(float) * (size_t)B * T * 2);
  const double a = exp(-theta), sd = s * sqrt((1 - a * a) / (2 * theta));
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, RX_STREAM_ANALYSIS, (uint32_t)b, 0, 0);
    double x[2];
    for (int k = 0; k < 2; k++)
      x[k] = s / sqrt(2 * theta) * rx_rng_normal(&r);
    for (int t = 0; t < T; t++)
      for (int k = 0; k < 2; k++) {
        y[((size_t)b * T + t) * 2 + k] = (float)x[k];
        x[k] = a * x[k] + sd * rx_rng_normal(&r);
      }
  }
  return y;
}

static void test_file_score_of_ou_aligns_and_of_a_driftless_walk_does_not(void) {
  if (skipped_in_small_mode("drift versus score from files")) return;
  rx_test_tmpdir(root, sizeof root, "probes_score_file");
  rx_error err;
  float *q = ou(200, 400, 3, 0.1, 0.1), *ref = ou(200, 400, 4, 0.1, 0.1);
  write_npz("q.npz", "decoded", q, 200, 400, 2);
  write_npz("ref.npz", "decoded", ref, 200, 400, 2);
  REQUIRE(run_file(RX_RESULTS_SCORE, "q.npz", NULL, "ref.npz", "ou_score.json", &err) == 0);
  CHECK(json_number("ou_score.json", "cosine") > 0.95);
  CHECK(json_number("ou_score.json", "p_value") < 0.02);
  /* A driftless walk against an independent reference: Brownian paths started uniformly over
   * the reference's range, so that every bin is filled and the cosines of pure noise average
   * out (sd about 0.7 / sqrt(576 bins) = 0.03). */
  enum { BW = 2000, TW = 60 };
  float *bm = malloc(sizeof(float) * BW * TW * 2);
  for (int b = 0; b < BW; b++) {
    rx_rng r;
    rx_rng_init(&r, 5, RX_STREAM_ANALYSIS, (uint32_t)b, 0, 0);
    double x[2] = {0.6 * (rx_rng_uniform(&r) - 0.5), 0.6 * (rx_rng_uniform(&r) - 0.5)};
    for (int t = 0; t < TW; t++)
      for (int k = 0; k < 2; k++) {
        bm[((size_t)b * TW + t) * 2 + k] = (float)x[k];
        x[k] += 0.01 * rx_rng_normal(&r);
      }
  }
  write_npz("bm.npz", "decoded", bm, BW, TW, 2);
  REQUIRE(run_file(RX_RESULTS_SCORE, "bm.npz", NULL, "ref.npz", "bm_score.json", &err) == 0);
  CHECK(fabs(json_number("bm_score.json", "cosine")) < 0.1);
  char p[600];
  snprintf(p, sizeof p, "%s/ou_score.npz", root);
  rx_npz z;
  REQUIRE(rx_npz_read(p, &z, &err) == 0);
  const int64_t vec[3] = {24, 24, 2};
  CHECK(rx_npz_expect(&z, p, "drift", RX_F32, 3, vec, NULL, &err) == 0);
  rx_npz_free(&z);
  free(q);
  free(ref);
  free(bm);
}

static void test_bad_trajectory_files_get_one_line_and_write_nothing(void) {
  rx_test_tmpdir(root, sizeof root, "probes_bad");
  rx_error err;
  float y[4 * 3 * 2];
  for (int i = 0; i < 24; i++)
    y[i] = (float)i;
  write_npz("ok.npz", "decoded", y, 4, 3, 2);
  write_npz("empty.npz", "decoded", y, 0, 3, 2);
  write_npz("wide.npz", "decoded", y, 2, 3, 4);
  y[7] = NAN;
  write_npz("nan.npz", "decoded", y, 4, 3, 2);
  struct {
    int analysis;
    const char *traj, *key, *ref, *out, *want;
  } bad[] = {
      {RX_RESULTS_DIFFUSION, "missing.npz", NULL, NULL, "r.json", "missing.npz"},
      {RX_RESULTS_DIFFUSION, "ok.npz", "nope", NULL, "r.json", "no array 'nope'"},
      {RX_RESULTS_DIFFUSION, "empty.npz", NULL, NULL, "r.json", "(0, 3, 2): it is empty"},
      {RX_RESULTS_DIFFUSION, "wide.npz", NULL, NULL, "r.json", "shape (2, 3, 4)"},
      {RX_RESULTS_DIFFUSION, "nan.npz", NULL, NULL, "r.json", "NaN at [1, 0, 1]"},
      {RX_RESULTS_SCORE, "ok.npz", NULL, NULL, "r.json", "needs --reference"},
      {RX_RESULTS_DIFFUSION, "ok.npz", NULL, NULL, "r.txt", "must name a .json"},
      {RX_RESULTS_DIFFUSION, "ok.npz", NULL, NULL, "ok.json", "would overwrite the input"},
      {RX_RESULTS_MIXING, "ok.npz", NULL, NULL, "r.json", "mixing does not take"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err.msg[0] = 0;
    int rc = run_file(bad[i].analysis, bad[i].traj, bad[i].key, bad[i].ref, bad[i].out, &err);
    CHECK_MSG(rc < 0 && strstr(err.msg, bad[i].want) && !strchr(err.msg, '\n'),
              "case %zu: rc %d, '%s'", i, rc, err.msg);
    if (i != 7) CHECK(strstr(err.msg, bad[i].traj) || i >= 5);
  }
  char p[600];
  snprintf(p, sizeof p, "%s/r.json", root);
  CHECK(!rx_file_exists(p));
  snprintf(p, sizeof p, "%s/r.npz", root);
  CHECK(!rx_file_exists(p));
  rx_npz z;
  snprintf(p, sizeof p, "%s/ok.npz", root);
  REQUIRE(rx_npz_read(p, &z, &err) == 0); /* not overwritten */
  CHECK(rx_npz_get(&z, "decoded") != NULL);
  rx_npz_free(&z);
}

static void test_probe_settings_are_checked(void) {
  rx_analysis_config cfg;
  rx_error err;
  CHECK(rx_analysis_config_load(&cfg, 1, (const char *[]){"temperature.k=1,0.5"}, &err) ==
            RX_EINVAL &&
        strstr(err.msg, "temperature.k") && strstr(err.msg, "ascending"));
  CHECK(rx_analysis_config_load(&cfg, 1, (const char *[]){"temperature.k=2"}, &err) == RX_EINVAL &&
        strstr(err.msg, "at least 2"));
  CHECK(rx_analysis_config_load(&cfg, 1, (const char *[]){"temperature.k=1,x"}, &err) ==
            RX_EINVAL &&
        strstr(err.msg, "'x' is not a number"));
  CHECK(rx_analysis_config_load(&cfg, 1, (const char *[]){"mixing.start_point=0.5"}, &err) ==
            RX_EINVAL &&
        strstr(err.msg, "x,y"));
  CHECK(rx_analysis_config_load(&cfg, 1, (const char *[]){"mixing.stride=3"}, &err) == RX_EINVAL &&
        strstr(err.msg, "mixing.stride") && strstr(err.msg, "must divide mixing.window (250)"));
  CHECK(rx_analysis_config_load(&cfg, 1, (const char *[]){"mixing.window=2000"}, &err) ==
            RX_EINVAL &&
        strstr(err.msg, "4 windows"));
  REQUIRE(rx_analysis_config_load(&cfg, 1, (const char *[]){"mixing.start_point=0.1, -0.2"},
                                  &err) == 0);
  CHECK(cfg.mixing.has_point && cfg.mixing.point[0] == 0.1 && cfg.mixing.point[1] == -0.2);
  REQUIRE(rx_analysis_config_load(&cfg, 0, NULL, &err) == 0);
  CHECK(cfg.temperature.n_k == 5 && cfg.temperature.ks[0] == 0.5 && cfg.temperature.ks[4] == 8);
  CHECK(!cfg.mixing.has_point && cfg.mixing.t_total == 5000 && cfg.score.bins == 24);
}

RX_TEST_MAIN(TEST(test_probes_write_every_run_condition_and_control), TEST(test_probes_on_the_ring),
             TEST(test_score_and_temperature_grids_in_a_t_maze),
             TEST(test_file_diffusion_has_the_known_exponents),
             TEST(test_file_score_of_ou_aligns_and_of_a_driftless_walk_does_not),
             TEST(test_bad_trajectory_files_get_one_line_and_write_nothing),
             TEST(test_probe_settings_are_checked))
