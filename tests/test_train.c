/* Training: Adam against a hand-computed step, checkpoints (bit-exact round trip, corrupt files
 * refused), resume == uninterrupted, thread-count independence, divergence detection, the step
 * loop's flush-to-zero mode, and a short training that clearly learns. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <unistd.h>

#include "reactivate/checkpoint.h"
#include "reactivate/fileio.h"
#include "reactivate/linalg.h"
#include "reactivate/npz.h"
#include "reactivate/train.h"
#include "test_util.h"

static void test_adam_matches_hand_computed_steps(void) {
  rx_adam *adam = NULL;
  REQUIRE(rx_adam_create(&adam, 3, 0.1, 0.01, NULL) == 0);
  float w[3] = {1.0f, -2.0f, 0.5f};
  const float g1[3] = {0.5f, -1.0f, 0.0f}, g2[3] = {-0.25f, 2.0f, 1e-3f};
  double m[3] = {0}, v[3] = {0}, ref[3] = {1.0, -2.0, 0.5};
  const float *gs[2] = {g1, g2};
  for (int step = 1; step <= 2; step++) {
    rx_adam_step(adam, w, gs[step - 1]);
    for (int i = 0; i < 3; i++) { /* torch.optim.Adam, written out */
      double g = gs[step - 1][i] + 0.01 * ref[i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      double mhat_step = 0.1 / (1 - pow(0.9, step));
      double denom = sqrt(v[i]) / sqrt(1 - pow(0.999, step)) + 1e-8;
      ref[i] -= mhat_step * m[i] / denom;
    }
    for (int i = 0; i < 3; i++)
      CHECK_NEAR(w[i], ref[i], 1e-5); /* float32 vs double */
  }
  /* First step of Adam moves each weight with a non-zero gradient by about lr. */
  CHECK(adam->step == 2);
  rx_adam_free(adam);
  rx_error err;
  CHECK(rx_adam_create(&adam, 3, -1, 0, &err) == RX_EINVAL && strstr(err.msg, "trainer.lr"));
}

/* A tiny spatial config that trains in well under a second. */
static int tiny_config(rx_train_config *cfg, const char *root, const char *extra1,
                       const char *extra2) {
  char path[512];
  snprintf(path, sizeof path, "path=%s", root);
  const char *ov[] = {path,
                      "rnn.n_rec=16",
                      "task.place_cells_num=32",
                      "task.batch_size=8",
                      "task.sequence_length=10",
                      "trainer.n_epochs=20",
                      "trainer.save_freq=5",
                      "trainer.test_freq=5",
                      extra1 ? extra1 : "seed=3",
                      extra2 ? extra2 : "seed=3"};
  rx_error err;
  int rc = rx_config_load(cfg, "spatial_navigation/noisy_unbiased", 10, ov, &err);
  if (rc) fprintf(stderr, "  config: %s\n", err.msg);
  return rc;
}

static int load_ckpt(const char *dir, int64_t step, rx_checkpoint *ck) {
  char path[4200];
  rx_checkpoint_path(path, sizeof path, dir, step);
  rx_error err;
  int rc = rx_checkpoint_load(path, ck, &err);
  if (rc) fprintf(stderr, "  load: %s\n", err.msg);
  return rc;
}

static int same_floats(const float *a, const float *b, size_t n) {
  return memcmp(a, b, n * sizeof(float)) == 0;
}

static void test_training_writes_published_layout(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "layout");
  rx_train_config cfg;
  REQUIRE(tiny_config(&cfg, root, NULL, NULL) == 0);
  rx_train_result res;
  rx_error err;
  int rc = rx_train(&cfg, NULL, &res, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  char expect[512];
  snprintf(expect, sizeof expect, "%s/spatial_navigation/noisy_unbiased_0.0001_3", root);
  CHECK(strcmp(res.run_dir, expect) == 0);
  CHECK(res.steps_done == 20 && !res.interrupted);
  const char *files[] = {"config.yaml",  "model_0.npz",        "model_5.npz",
                         "model_20.npz", "train_metrics.json", "test_metrics.json"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", expect, files[i]);
    CHECK_MSG(rx_file_exists(p), "%s missing", p);
  }
  char p[1024], *text = NULL;
  size_t n;
  snprintf(p, sizeof p, "%s/train_metrics.json", expect);
  REQUIRE(rx_read_file(p, &text, &n, 1 << 20, NULL) == 0);
  cJSON *train = cJSON_Parse(text);
  free(text);
  REQUIRE(train);
  CHECK(cJSON_GetArraySize(train) == 20);
  cJSON *e = cJSON_GetObjectItem(train, "20");
  CHECK(e && cJSON_IsNumber(cJSON_GetObjectItem(e, "loss")) &&
        cJSON_IsNumber(cJSON_GetObjectItem(e, "pos_mse")));
  cJSON_Delete(train);
  snprintf(p, sizeof p, "%s/test_metrics.json", expect);
  REQUIRE(rx_read_file(p, &text, &n, 1 << 20, NULL) == 0);
  cJSON *test = cJSON_Parse(text);
  free(text);
  REQUIRE(test);
  const char *steps[] = {"0", "5", "10", "15", "20"};
  CHECK(cJSON_GetArraySize(test) == 5);
  for (int i = 0; i < 5; i++)
    CHECK_MSG(cJSON_GetObjectItem(test, steps[i]), "test step %s", steps[i]);
  cJSON_Delete(test);
  /* A second run into the same directory must not silently clobber it. */
  rc = rx_train(&cfg, NULL, &res, &err);
  CHECK(rc == RX_EINVAL && strstr(err.msg, "--resume"));
}

static void test_checkpoint_round_trip_is_bit_exact(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "ckpt");
  rx_train_config cfg;
  REQUIRE(tiny_config(&cfg, root, "rnn.bias=true", NULL) == 0);
  rx_rnn_spec rs;
  rx_population_spec ps;
  rx_config_rnn_spec(&cfg, &rs);
  rx_config_population_spec(&cfg, &ps);
  rx_rnn *rnn;
  rx_population *pop;
  rx_adam *adam;
  REQUIRE(rx_rnn_create(&rnn, &rs, NULL) == 0);
  REQUIRE(rx_population_create(&pop, &ps, 3, NULL) == 0);
  REQUIRE(rx_adam_create(&adam, rnn->n_weights, 1e-3, 0, NULL) == 0);
  rx_rnn_init_default(rnn, 9);
  for (size_t i = 0; i < rnn->n_weights; i++) {
    adam->m[i] = rnn->w[i] * 0.5f;
    adam->v[i] = rnn->w[i] * rnn->w[i];
  }
  adam->step = 17;
  char path[512];
  snprintf(path, sizeof path, "%s/model_17.npz", root);
  rx_error err;
  REQUIRE(rx_checkpoint_save(path, &cfg, rnn, pop, adam, 17, &err) == 0);
  rx_checkpoint ck;
  int rc = rx_checkpoint_load(path, &ck, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  CHECK(ck.step == 17 && ck.adam && ck.adam->step == 17);
  CHECK(ck.rnn->n_weights == rnn->n_weights && same_floats(ck.rnn->w, rnn->w, rnn->n_weights));
  CHECK(same_floats(ck.adam->m, adam->m, rnn->n_weights));
  CHECK(same_floats(ck.adam->v, adam->v, rnn->n_weights));
  CHECK(ck.pop->n == pop->n &&
        same_floats(ck.pop->centers, pop->centers, (size_t)pop->n * pop->dim));
  char *y1, *y2;
  REQUIRE(rx_config_to_yaml(&cfg, &y1, NULL) == 0 && rx_config_to_yaml(&ck.cfg, &y2, NULL) == 0);
  CHECK(strcmp(y1, y2) == 0);
  free(y1);
  free(y2);
  CHECK(rx_checkpoint_latest(root) == 17);
  rx_checkpoint_free(&ck);

  /* Truncated copies are refused with a message naming the file, never loaded. */
  char *data;
  size_t n;
  REQUIRE(rx_read_file(path, &data, &n, 1 << 26, NULL) == 0);
  char bad[600];
  snprintf(bad, sizeof bad, "%s/bad.npz", root);
  const size_t cuts[] = {0, 10, n / 3, n / 2, n - 30, n - 1};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    REQUIRE(rx_write_file_atomic(bad, data, cuts[i], NULL) == 0);
    rc = rx_checkpoint_load(bad, &ck, &err);
    CHECK_MSG(rc < 0 && strstr(err.msg, "bad.npz"), "cut at %zu: rc %d msg %s", cuts[i], rc,
              err.msg);
  }
  free(data);
  rx_rnn_free(rnn);
  rx_population_free(pop);
  rx_adam_free(adam);
}

/* Interrupted and resumed training equals uninterrupted training, for the paper's cell and with
 * both mechanisms on (their settings stored in the checkpoints' config). */
static void test_resume_equals_uninterrupted(void) {
  const char *mech[2] = {"rnn.adaptation_strength=0.5", "rnn.momentum=0.3"};
  for (int with_mech = 0; with_mech < 2; with_mech++) {
    const char *e1 = with_mech ? mech[0] : NULL, *e2 = with_mech ? mech[1] : NULL;
    char root_a[256], root_b[256];
    rx_test_tmpdir(root_a, sizeof root_a, "full");
    rx_test_tmpdir(root_b, sizeof root_b, "resumed");
    rx_train_config a, b;
    REQUIRE(tiny_config(&a, root_a, e1, e2) == 0 && tiny_config(&b, root_b, e1, e2) == 0);
    rx_train_result ra, rb;
    rx_error err;
    REQUIRE(rx_train(&a, NULL, &ra, &err) == 0);
    /* Interrupted after 7 steps (between checkpoints), then resumed twice. */
    rx_train_options stop7 = {.stop_after = 7};
    REQUIRE(rx_train(&b, &stop7, &rb, &err) == 0);
    CHECK(rb.interrupted && rb.steps_done == 7);
    CHECK(rx_checkpoint_latest(rb.run_dir) == 7);
    rx_train_options stop12 = {.resume = 1, .stop_after = 12};
    REQUIRE(rx_train(&b, &stop12, &rb, &err) == 0);
    rx_train_options resume = {.resume = 1};
    int rc = rx_train(&b, &resume, &rb, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    REQUIRE(rc == 0);
    CHECK(rb.steps_done == 20 && !rb.interrupted);
    rx_checkpoint ca, cb;
    REQUIRE(load_ckpt(ra.run_dir, 20, &ca) == 0);
    REQUIRE(load_ckpt(rb.run_dir, 20, &cb) == 0);
    CHECK(same_floats(ca.rnn->w, cb.rnn->w, ca.rnn->n_weights));
    CHECK(same_floats(ca.adam->v, cb.adam->v, ca.rnn->n_weights));
    /* the checkpoint's network has the run's mechanisms */
    const rx_mechanism *m = &cb.rnn->spec.mech;
    CHECK(with_mech ? m->adaptation_strength == 0.5f && m->momentum == 0.3f &&
                          m->adaptation_alpha == (float)(0.2 / 5.0)
                    : !rx_mechanism_active(m));
    rx_checkpoint_free(&ca);
    rx_checkpoint_free(&cb);
    /* Metrics files agree too (same steps, same values). */
    char pa[4200], pb[4200], *ta, *tb;
    size_t na, nb;
    snprintf(pa, sizeof pa, "%s/train_metrics.json", ra.run_dir);
    snprintf(pb, sizeof pb, "%s/train_metrics.json", rb.run_dir);
    REQUIRE(rx_read_file(pa, &ta, &na, 1 << 20, NULL) == 0 &&
            rx_read_file(pb, &tb, &nb, 1 << 20, NULL) == 0);
    CHECK(na == nb && memcmp(ta, tb, na) == 0);
    free(ta);
    free(tb);
    /* Resuming with a different config is refused, naming what differs: another learning
     * rate; another momentum, or none, for the mechanism run */
    rx_train_config d;
    REQUIRE(tiny_config(&d, root_b, with_mech ? e1 : "trainer.lr=0.01",
                        with_mech ? "rnn.momentum=0.4" : NULL) == 0);
    rc = rx_train(&d, &resume, &rb, &err);
    CHECK_MSG(rc == RX_EINVAL && strstr(err.msg, with_mech ? "momentum: 0.3" : "lr"), "rc %d: %s",
              rc, err.msg);
    if (with_mech) {
      REQUIRE(tiny_config(&d, root_b, "seed=0", "rnn.momentum=0") == 0); /* the paper cell */
      rc = rx_train(&d, &resume, &rb, &err);
      CHECK_MSG(rc == RX_EINVAL && strstr(err.msg, "adaptation_strength: 0.5"), "rc %d: %s", rc,
                err.msg);
    }
  }
}

static void test_training_is_identical_across_thread_counts(void) {
  char r1[256], r2[256];
  rx_test_tmpdir(r1, sizeof r1, "thr1");
  rx_test_tmpdir(r2, sizeof r2, "thr2");
  rx_train_config a, b;
  /* Large enough for the BLAS and the loops to split work between threads. */
  REQUIRE(tiny_config(&a, r1, "rnn.n_rec=128", "task.batch_size=64") == 0);
  REQUIRE(tiny_config(&b, r2, "rnn.n_rec=128", "task.batch_size=64") == 0);
  a.trainer.n_epochs = b.trainer.n_epochs = 5;
  rx_train_result ra, rb;
  rx_error err;
  rx_set_threads(1);
  REQUIRE(rx_train(&a, NULL, &ra, &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_train(&b, NULL, &rb, &err) == 0);
  rx_checkpoint ca, cb;
  REQUIRE(load_ckpt(ra.run_dir, 5, &ca) == 0);
  REQUIRE(load_ckpt(rb.run_dir, 5, &cb) == 0);
  CHECK(same_floats(ca.rnn->w, cb.rnn->w, ca.rnn->n_weights));
  CHECK(ra.final_test_loss == rb.final_test_loss);
  rx_checkpoint_free(&ca);
  rx_checkpoint_free(&cb);
  /* with both mechanisms on (docs/science.md §3.6) */
  rx_test_tmpdir(r1, sizeof r1, "thr1m");
  rx_test_tmpdir(r2, sizeof r2, "thr2m");
  REQUIRE(tiny_config(&a, r1, "rnn.n_rec=128", "task.batch_size=64") == 0);
  REQUIRE(tiny_config(&b, r2, "rnn.n_rec=128", "task.batch_size=64") == 0);
  a.trainer.n_epochs = b.trainer.n_epochs = 5;
  a.rnn.adaptation_strength = b.rnn.adaptation_strength = 0.5;
  a.rnn.momentum = b.rnn.momentum = 0.3;
  rx_set_threads(1);
  REQUIRE(rx_train(&a, NULL, &ra, &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_train(&b, NULL, &rb, &err) == 0);
  rx_set_threads(0);
  REQUIRE(load_ckpt(ra.run_dir, 5, &ca) == 0);
  REQUIRE(load_ckpt(rb.run_dir, 5, &cb) == 0);
  CHECK(rx_mechanism_active(&ca.rnn->spec.mech));
  CHECK(same_floats(ca.rnn->w, cb.rnn->w, ca.rnn->n_weights));
  CHECK(ra.final_test_loss == rb.final_test_loss);
  rx_checkpoint_free(&ca);
  rx_checkpoint_free(&cb);
}

static void test_divergence_names_step_and_last_checkpoint(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "diverge");
  rx_train_config cfg;
  REQUIRE(tiny_config(&cfg, root, "trainer.lr=1e12", "rnn.activation_fn=identity") == 0);
  cfg.trainer.n_epochs = 200;
  rx_train_result res;
  rx_error err;
  int rc = rx_train(&cfg, NULL, &res, &err);
  CHECK_MSG(rc == RX_ENUMERIC, "rc %d", rc);
  CHECK(strstr(err.msg, "diverged at step") && strstr(err.msg, "model_"));
}

/* A small network on a small box learns: loss and decoding error fall clearly. Under
 * RX_TEST_SMALL=1 (.ci/valgrind.sh) a smaller one, which learns as clearly (loss and error fall
 * ~7x in 200 steps), so that memcheck's ~50x slowdown stays affordable. */
static void test_short_training_lowers_loss_and_error(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "learn");
  char path[400];
  snprintf(path, sizeof path, "path=%s", root);
  const int is_small = rx_test_small();
  const char *full_ov[] = {path,
                           "rnn.n_rec=64",
                           "task.place_cells_num=64",
                           "task.batch_size=32",
                           "task.sequence_length=20",
                           "trainer.n_epochs=300",
                           "trainer.test_freq=50",
                           "trainer.save_freq=300",
                           "trainer.lr=0.003"};
  const char *small_ov[] = {path,
                            "rnn.n_rec=16",
                            "task.place_cells_num=16",
                            "task.batch_size=8",
                            "task.sequence_length=10",
                            "trainer.n_epochs=200",
                            "trainer.test_freq=50",
                            "trainer.save_freq=200",
                            "trainer.lr=0.01"};
  const char **ov = is_small ? small_ov : full_ov;
  const char *last = is_small ? "200" : "300";
  rx_train_config cfg;
  rx_error err;
  REQUIRE(rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 9, ov, &err) == 0);
  rx_train_result res;
  int rc = rx_train(&cfg, NULL, &res, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  REQUIRE(rc == 0);
  char p[4200], *text;
  size_t n;
  snprintf(p, sizeof p, "%s/test_metrics.json", res.run_dir);
  REQUIRE(rx_read_file(p, &text, &n, 1 << 20, NULL) == 0);
  cJSON *m = cJSON_Parse(text);
  free(text);
  REQUIRE(m);
  double l0 = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "0"), "loss")->valuedouble;
  double l1 = cJSON_GetObjectItem(cJSON_GetObjectItem(m, last), "loss")->valuedouble;
  double e0 = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "0"), "pos_mse")->valuedouble;
  double e1 = cJSON_GetObjectItem(cJSON_GetObjectItem(m, last), "pos_mse")->valuedouble;
  cJSON_Delete(m);
  fprintf(stderr, "  test loss %.3g -> %.3g, pos_mse %.3g -> %.3g\n", l0, l1, e0, e1);
  CHECK(l1 < 0.5 * l0);
  CHECK(e1 < 0.5 * e0);
}

#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
static int running_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
#else
static int running_on_valgrind(void) { return 0; }
#endif

#if defined(__SSE__)
#include <xmmintrin.h>

static void pool_keep_denormals(void) {
  _mm_setcsr(_mm_getcsr() & ~0x8040u);
#pragma omp parallel
  _mm_setcsr(_mm_getcsr() & ~0x8040u);
}

static void probe_mode(void *ctx, const rx_train_progress *p) {
  if (p->step == 1) *(int *)ctx = rx_test_pool_flushes();
}
#endif

/* rx_train and rx_train_benchmark set flush-to-zero on every thread before their step loops
 * (rx_flush_denormals), whatever mode the caller left. */
static void test_training_steps_run_in_flush_to_zero_mode(void) {
#if defined(__SSE__)
  if (running_on_valgrind()) { /* valgrind's CPU ignores the MXCSR flush-to-zero bits */
    fprintf(stderr, "  SKIP: under valgrind, which does not emulate flush-to-zero\n");
    return;
  }
  char root[256];
  rx_test_tmpdir(root, sizeof root, "ftz");
  rx_train_config cfg;
  REQUIRE(tiny_config(&cfg, root, NULL, NULL) == 0);
  pool_keep_denormals();
  REQUIRE(rx_test_pool_flushes() == 0);
  int mode = -2;
  rx_train_options opt = {.progress = probe_mode, .progress_ctx = &mode, .stop_after = 2};
  rx_error err;
  REQUIRE(rx_train(&cfg, &opt, NULL, &err) == 0);
  CHECK_MSG(mode == 1, "step 1 ran in mode %d", mode);
  pool_keep_denormals();
  double seconds[1];
  REQUIRE(rx_train_benchmark(&cfg, 1, seconds, NULL, &err) == 0);
  CHECK(rx_test_pool_flushes() == 1);
#else
  fprintf(stderr, "  SKIP: flush-to-zero is set through SSE's MXCSR only\n");
#endif
}

RX_TEST_MAIN(TEST(test_adam_matches_hand_computed_steps),
             TEST(test_training_writes_published_layout),
             TEST(test_checkpoint_round_trip_is_bit_exact), TEST(test_resume_equals_uninterrupted),
             TEST(test_training_is_identical_across_thread_counts),
             TEST(test_divergence_names_step_and_last_checkpoint),
             TEST(test_training_steps_run_in_flush_to_zero_mode),
             TEST(test_short_training_lowers_loss_and_error))
