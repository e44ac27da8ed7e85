/* rx_analyze end to end on tiny trained runs: every analysis writes its JSON in the docs/science.md
 * §8 layout (keyed by run name, plus random / uniform for the KL) with the documented keys, missing
 * runs are reported and skipped, results are reproducible, and bad settings are refused. */
#include <cjson/cJSON.h>

#include "reactivate/analyze.h"
#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "reactivate/train.h"
#include "test_util.h"

static char root[256];
static char log_text[16384];

static void collect(void *ctx, const char *line) {
  (void)ctx;
  strncat(log_text, line, sizeof log_text - strlen(log_text) - 2);
  strcat(log_text, "\n");
}

static const char *tiny_settings[] = {
    NULL /* path= */, "t_quiescent=40", "batch_size=16", "kl.n_samples=200",
    "variance.batch_size=16", "variance.t_total=60", "variance.t_skip=20",
    "distance.t_quiescent=20", "pca.batch_size=16", "pca.t_active=10", "pca.t_quiescent=20",
    "pca.k=4",
    /* the probes, tiny (tests/test_probes.c checks them) */
    "mixing.batch_size=8", "mixing.t_total=40", "mixing.window=10", "mixing.kl_samples=50",
    "score.t_skip=5", "score.bins=4", "score.min_count=4", "score.n_perm=10",
    "temperature.batch_size=8", "temperature.t_total=20", "temperature.t_skip=10",
    "temperature.grid=16", "diffusion.t_skip=10", "diffusion.tau_max=12",
    "diffusion.tau_max_active=5",
    /* replay, tiny (tests/test_replay_driver.c checks it) */
    "replay.batch_size=4", "replay.t_burn=10", "replay.t_total=20", "replay.event_steps=5",
    "replay.n_shuffles=20", "replay.n_speeds=21", "replay.bin_size=0.1"};
enum { N_TINY = sizeof tiny_settings / sizeof tiny_settings[0] };

static int load_cfg(rx_analysis_config *cfg, const char *extra1, const char *extra2,
                    rx_error *err) {
  char path[300];
  snprintf(path, sizeof path, "path=%s", root);
  const char *ov[N_TINY + 2];
  memcpy(ov, tiny_settings, sizeof tiny_settings);
  ov[0] = path;
  int n = N_TINY;
  if (extra1) ov[n++] = extra1;
  if (extra2) ov[n++] = extra2;
  return rx_analysis_config_load(cfg, n, ov, err);
}

static cJSON *read_json(const char *name) {
  char p[800], *text = NULL;
  size_t n;
  snprintf(p, sizeof p, "%s/%s", root, name);
  if (rx_read_file(p, &text, &n, 1 << 24, NULL)) return NULL;
  cJSON *j = cJSON_Parse(text);
  free(text);
  return j;
}

static void test_spatial_analyses_write_documented_keys(void) {
  rx_test_tmpdir(root, sizeof root, "analyze");
  /* Three of the four runs: no-noise_biased is missing on purpose. */
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_unbiased", 0, 0) == 0);
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/no-noise_unbiased", 0, 0) == 0);
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_biased", 0, 0) == 0);
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, NULL, NULL, &err) == 0);
  log_text[0] = '\0';
  int rc = rx_analyze(&cfg, RX_ANALYZE_ALL, collect, NULL, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  CHECK(strstr(log_text, "skipping no-noise_biased_0"));
  const char *runs[] = {"noisy_unbiased_0.0001_0", "no-noise_unbiased_0", "noisy_biased_0.0001_0"};
  cJSON *kl = read_json("spatial_navigation/kl_0.0001_0.json");
  REQUIRE(kl);
  const char *sources[] = {runs[0], runs[1], runs[2], "random", "uniform"};
  CHECK(cJSON_GetArraySize(kl) == 5);
  for (int i = 0; i < 5; i++) {
    cJSON *row = cJSON_GetObjectItem(kl, sources[i]);
    CHECK_MSG(row && cJSON_GetArraySize(row) == 3, "row %s", sources[i]);
    for (int j = 0; j < 3 && row; j++) {
      cJSON *v = cJSON_GetObjectItem(row, runs[j]);
      CHECK_MSG(cJSON_IsNumber(v) && isfinite(v->valuedouble), "%s -> %s", sources[i], runs[j]);
      /* KL estimates are clipped means of log ratios in [log 1e-7, log 1e7]. */
      CHECK(v && fabs(v->valuedouble) <= log(1e7) + 1e-9);
    }
  }
  cJSON_Delete(kl);
  cJSON *var = read_json("spatial_navigation/variance_0.0001_0.json");
  cJSON *dist = read_json("spatial_navigation/distance_0.0001_0.json");
  cJSON *pca = read_json("spatial_navigation/pca_0.0001_0.json");
  REQUIRE(var && dist && pca);
  for (int i = 0; i < 3; i++) {
    cJSON *v = cJSON_GetObjectItem(var, runs[i]);
    CHECK(cJSON_IsNumber(v) && v->valuedouble >= 0);
    cJSON *d = cJSON_GetObjectItem(dist, runs[i]);
    CHECK(d && cJSON_IsNumber(cJSON_GetObjectItem(d, "active")) &&
          cJSON_IsNumber(cJSON_GetObjectItem(d, "quiescent")));
    /* Only the noiseless run is also run offline with noise. */
    CHECK((cJSON_GetObjectItem(d, "quiescent_noisy") != NULL) == (i == 1));
    cJSON *p = cJSON_GetObjectItem(pca, runs[i]);
    cJSON *pa = cJSON_GetObjectItem(p, "active"), *pq = cJSON_GetObjectItem(p, "quiescent");
    REQUIRE(cJSON_GetArraySize(pa) == 4 && cJSON_GetArraySize(pq) == 4);
    for (int k = 1; k < 4; k++) /* cumulative explained variance rises to <= 1 */
      CHECK(cJSON_GetArrayItem(pa, k)->valuedouble >= cJSON_GetArrayItem(pa, k - 1)->valuedouble);
    CHECK(cJSON_GetArrayItem(pa, 3)->valuedouble <= 1 + 1e-9);
  }
  /* The noiseless run is deterministic offline: its quiescent trajectories barely move. */
  cJSON *nd = cJSON_GetObjectItem(dist, runs[1]);
  CHECK(cJSON_GetObjectItem(nd, "quiescent")->valuedouble <
        cJSON_GetObjectItem(nd, "quiescent_noisy")->valuedouble);
  cJSON_Delete(var);
  cJSON_Delete(dist);
  cJSON_Delete(pca);
  /* Arrays for the figures. */
  char p[600];
  snprintf(p, sizeof p, "%s/spatial_navigation/kl_0.0001_0.npz", root);
  rx_npz z;
  REQUIRE(rx_npz_read(p, &z, &err) == 0);
  int64_t act[3] = {16, 10, 2}, q[3] = {16, 40, 2};
  CHECK(rx_npz_expect(&z, p, "noisy_unbiased_0.0001_0.active", RX_F32, 3, act, NULL, &err) == 0);
  CHECK(rx_npz_expect(&z, p, "noisy_unbiased_0.0001_0.quiescent", RX_F32, 3, q, NULL, &err) == 0);
  CHECK(rx_npz_expect(&z, p, "random.quiescent", RX_F32, 3, q, NULL, &err) == 0);
  rx_npz_free(&z);

  /* Same seed and settings: the same numbers. */
  cJSON *a = read_json("spatial_navigation/variance_0.0001_0.json");
  REQUIRE(rx_analyze(&cfg, RX_ANALYZE_VARIANCE, NULL, NULL, &err) == 0);
  cJSON *b = read_json("spatial_navigation/variance_0.0001_0.json");
  CHECK(a && b && cJSON_Compare(a, b, 1));
  cJSON_Delete(a);
  cJSON_Delete(b);
}

static void test_head_direction_heading_statistics(void) {
  rx_test_tmpdir(root, sizeof root, "analyze_hd");
  REQUIRE(rx_test_train_tiny(root, "head_direction/noisy_unbiased", 1, 1) == 0);
  REQUIRE(rx_test_train_tiny(root, "head_direction/noisy_biased", 1, 1) == 0);
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, "task=head_direction", "seed=1", &err) == 0);
  CHECK_NEAR(cfg.noise, 0.01, 1e-12); /* configs/analysis/head_direction.yml */
  log_text[0] = '\0';
  REQUIRE(rx_analyze(&cfg, RX_ANALYZE_ALL, collect, NULL, &err) == 0);
  CHECK(strstr(log_text, "kl: skipped"));
  cJSON *h = read_json("head_direction/heading_0.01_1.json");
  REQUIRE(h);
  cJSON *r = cJSON_GetObjectItem(h, "noisy_biased_0.01_1");
  REQUIRE(r);
  cJSON *hist = cJSON_GetObjectItem(r, "quiescent_histogram");
  REQUIRE(cJSON_GetArraySize(hist) == 20);
  double total = 0;
  for (int i = 0; i < 20; i++)
    total += cJSON_GetArrayItem(hist, i)->valuedouble;
  CHECK_NEAR(total, 1.0, 1e-9); /* fractions of all decoded headings */
  CHECK(cJSON_IsNumber(cJSON_GetObjectItem(r, "active_mean_angular_velocity")));
  /* The untrained control of claim g1: its quiescent headings, a histogram of all of them, and
   * not a copy of a trained network's. */
  cJSON *rnd = cJSON_GetObjectItem(h, "random");
  REQUIRE(rnd);
  cJSON *rh = cJSON_GetObjectItem(rnd, "quiescent_histogram");
  REQUIRE(cJSON_GetArraySize(rh) == 20);
  double rtotal = 0, diff = 0;
  for (int i = 0; i < 20; i++) {
    rtotal += cJSON_GetArrayItem(rh, i)->valuedouble;
    diff += fabs(cJSON_GetArrayItem(rh, i)->valuedouble - cJSON_GetArrayItem(hist, i)->valuedouble);
  }
  CHECK_NEAR(rtotal, 1.0, 1e-9);
  CHECK(diff > 0);
  CHECK(cJSON_IsNumber(cJSON_GetObjectItem(rnd, "quiescent_mean_angular_velocity")));
  CHECK(!cJSON_GetObjectItem(rnd, "active_histogram")); /* it has no awake run */
  cJSON_Delete(h);
  char p[600];
  snprintf(p, sizeof p, "%s/head_direction/variance_0.01_1.json", root);
  CHECK(rx_file_exists(p));
}

static double number_at(const char *file, const char *key) {
  cJSON *j = read_json(file);
  cJSON *v = j ? cJSON_GetObjectItem(j, key) : NULL;
  double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
  cJSON_Delete(j);
  return x;
}

/* The mechanisms family (docs/mechanisms.md): its conditions in order, each keyed by run and
 * suffix; a condition that borrows a missing run's mechanism is skipped; switching a mechanism
 * on offline is the same simulation as the rnn.* settings give, and a zero mechanism offline is
 * the paper's cell bit for bit. */
static void test_mechanisms_family_and_offline_switches(void) {
  rx_test_tmpdir(root, sizeof root, "analyze_mech");
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_unbiased", 0, 0) == 0);
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_unbiased_adaptation", 0, 0) == 0);
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, "mechanisms=true", NULL, &err) == 0);
  log_text[0] = '\0';
  REQUIRE(rx_analyze(&cfg, RX_ANALYZE_VARIANCE, collect, NULL, &err) == 0);
  CHECK(strstr(log_text, "skipping noisy_unbiased_momentum_0.0001_0: no checkpoint"));
  CHECK(strstr(log_text, "skipping noisy_unbiased_0.0001_0+momentum: it borrows the mechanism of "
                         "noisy_unbiased_momentum"));
  REQUIRE(rx_test_train_tiny(root, "spatial_navigation/noisy_unbiased_momentum", 0, 0) == 0);
  REQUIRE(rx_analyze(&cfg, RX_ANALYZE_VARIANCE, NULL, NULL, &err) == 0);
  cJSON *v = read_json("spatial_navigation/variance_mech_0.0001_0.json");
  REQUIRE(v);
  static const char *const keys[] = {"noisy_unbiased_0.0001_0",
                                     "noisy_unbiased_adaptation_0.0001_0",
                                     "noisy_unbiased_momentum_0.0001_0",
                                     "noisy_unbiased_0.0001_0+adaptation",
                                     "noisy_unbiased_0.0001_0+momentum",
                                     "noisy_unbiased_adaptation_0.0001_0+off",
                                     "noisy_unbiased_momentum_0.0001_0+off"};
  CHECK(cJSON_GetArraySize(v) == 7);
  for (int i = 0; i < 7; i++) {
    cJSON *item = cJSON_GetArrayItem(v, i);
    CHECK_MSG(item && !strcmp(item->string, keys[i]) && isfinite(item->valuedouble) &&
                  item->valuedouble > 0,
              "condition %d: %s", i, item ? item->string : "(none)");
  }
  const double paper = cJSON_GetObjectItem(v, keys[0])->valuedouble;
  const double paper_momentum = cJSON_GetObjectItem(v, keys[4])->valuedouble;
  const double momentum = cJSON_GetObjectItem(v, keys[2])->valuedouble;
  const double momentum_off = cJSON_GetObjectItem(v, keys[6])->valuedouble;
  CHECK(paper_momentum != paper);  /* switching momentum on changes the quiescent runs */
  CHECK(momentum_off != momentum); /* and so does switching it off */
  cJSON_Delete(v);

  /* The main family with rnn.momentum set as the momentum run was trained
   * (configs/train/spatial_navigation/noisy_unbiased_momentum.yml): the same runs as the
   * condition that borrows it. */
  rx_train_config mc;
  REQUIRE(rx_config_load(&mc, "spatial_navigation/noisy_unbiased_momentum", 0, NULL, &err) == 0);
  char setting[64];
  snprintf(setting, sizeof setting, "rnn.momentum=%.17g", mc.rnn.momentum);
  REQUIRE(load_cfg(&cfg, setting, NULL, &err) == 0);
  char prefix[256], file[400];
  REQUIRE(rx_analysis_prefix(&cfg, prefix, sizeof prefix) == 0);
  CHECK(!strncmp(prefix, "offline_momentum", 16));
  REQUIRE(rx_analyze(&cfg, RX_ANALYZE_VARIANCE, NULL, NULL, &err) == 0);
  snprintf(file, sizeof file, "spatial_navigation/variance_%s0.0001_0.json", prefix);
  CHECK(number_at(file, keys[0]) == paper_momentum);
  /* A zero mechanism offline is the paper's cell: the main family's numbers, bit for bit. */
  REQUIRE(load_cfg(&cfg, NULL, NULL, &err) == 0);
  REQUIRE(rx_analyze(&cfg, RX_ANALYZE_VARIANCE, NULL, NULL, &err) == 0);
  REQUIRE(load_cfg(&cfg, "rnn.momentum=0", "rnn.adaptation_strength=0", &err) == 0);
  REQUIRE(rx_analysis_prefix(&cfg, prefix, sizeof prefix) == 0);
  CHECK(!strcmp(prefix, "offline_adaptation0.0-momentum0.0_"));
  REQUIRE(rx_analyze(&cfg, RX_ANALYZE_VARIANCE, NULL, NULL, &err) == 0);
  snprintf(file, sizeof file, "spatial_navigation/variance_%s0.0001_0.json", prefix);
  CHECK(number_at(file, keys[0]) ==
        number_at("spatial_navigation/variance_0.0001_0.json", keys[0]));
  CHECK(number_at("spatial_navigation/variance_0.0001_0.json", keys[0]) == paper);

  /* Settings the cell cannot run fail naming the run and the key; nothing is written. */
  REQUIRE(load_cfg(&cfg, "rnn.adaptation_strength=1", "rnn.adaptation_tau=0.01", &err) == 0);
  CHECK(rx_analyze(&cfg, RX_ANALYZE_VARIANCE, NULL, NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "noisy_unbiased_0.0001_0") && strstr(err.msg, "rnn.adaptation_tau"));
  CHECK(load_cfg(&cfg, "rnn.momentum=1", NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "rnn.momentum"));
  CHECK(load_cfg(&cfg, "gru=true", "rnn.momentum=0.5", &err) == RX_EINVAL &&
        strstr(err.msg, "GRU"));
  CHECK(load_cfg(&cfg, "gru=true", "mechanisms=true", &err) == RX_EINVAL &&
        strstr(err.msg, "mechanisms"));
}

static void test_no_runs_and_bad_settings_are_refused(void) {
  rx_test_tmpdir(root, sizeof root, "analyze_none");
  rx_analysis_config cfg;
  rx_error err;
  REQUIRE(load_cfg(&cfg, NULL, NULL, &err) == 0);
  CHECK(rx_analyze(&cfg, RX_ANALYZE_KL, NULL, NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "no trained runs"));
  CHECK(load_cfg(&cfg, "kl.n_sample=5", NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "kl.n_samples"));
  CHECK(load_cfg(&cfg, "variance.t_skip=59", NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "variance.t_skip"));
  CHECK(load_cfg(&cfg, "task=elsewhere", NULL, &err) == RX_EINVAL && strstr(err.msg, "task"));
  CHECK(load_cfg(&cfg, "noise=-1", NULL, &err) == RX_EINVAL && strstr(err.msg, "noise"));
}

RX_TEST_MAIN(TEST(test_spatial_analyses_write_documented_keys),
             TEST(test_head_direction_heading_statistics),
             TEST(test_mechanisms_family_and_offline_switches),
             TEST(test_no_runs_and_bad_settings_are_refused))
