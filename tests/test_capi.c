/* The flat C API for bindings (capi.h): a network trained, loaded and run through it gives the
 * library's own results in the batch-major layout `simulate` writes; progress can stop training;
 * errors land in the caller's buffer, cut short to fit; the caller's floating-point mode is given
 * back. (python/tests checks the same calls against the CLI bit for bit.) */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "reactivate/capi.h"
#include "reactivate/checkpoint.h"
#include "reactivate/rng.h"
#include "reactivate/simulate.h"
#include "test_util.h"

static const char *const tiny[] = {"rnn.n_rec=16",        "task.place_cells_num=24",
                                   "task.batch_size=8",   "task.sequence_length=10",
                                   "trainer.n_epochs=6",  "trainer.save_freq=3",
                                   "trainer.test_freq=3", NULL};
enum { N_TINY = 7 };

typedef struct progress_log {
  int calls, stop_at;
  int64_t last_step;
} progress_log;

static int on_progress(void *ctx, int64_t step, int64_t n_steps, double loss, double error,
                       int tested, double test_loss, double test_error, const char *note) {
  progress_log *p = ctx;
  (void)n_steps, (void)error, (void)tested, (void)test_loss, (void)test_error, (void)note;
  p->calls++;
  p->last_step = step;
  return isfinite(loss) && p->stop_at > 0 && step >= p->stop_at;
}

/* Trains the tiny run under root through the API (progress stops it at stop_at when > 0). */
static int train_tiny(const char *root, int stop_at, progress_log *log, int *interrupted,
                      char *run_dir, size_t n) {
  char path[400];
  snprintf(path, sizeof path, "path=%s", root);
  const char *ov[N_TINY + 1];
  for (int i = 0; i < N_TINY; i++)
    ov[i] = tiny[i];
  ov[N_TINY] = path;
  char msg[1024] = "";
  log->stop_at = stop_at;
  int rc = rx_capi_train("spatial_navigation/noisy_unbiased", N_TINY + 1, ov, 0, 0, on_progress,
                         log, interrupted, run_dir, n, msg, sizeof msg);
  if (rc) fprintf(stderr, "  train: %s\n", msg);
  return rc;
}

static int file_exists(const char *dir, const char *name) {
  char p[4200];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return stat(p, &st) == 0;
}

/* The arrays handed back are rx_simulate's own, made batch-major: hidden[b, t] is the run's
 * (T, B, n_rec) hidden[t, b]; the parameters and the config are the checkpoint's. */
static void test_capi_simulate_hands_back_the_librarys_results_batch_major(void) {
  char root[256], run[4096], ckpath[4200], msg[1024] = "";
  rx_test_tmpdir(root, sizeof root, "capi");
  progress_log log = {0};
  int interrupted = -1;
  REQUIRE(train_tiny(root, 0, &log, &interrupted, run, sizeof run) == 0);
  CHECK(interrupted == 0 && log.last_step == 6 && log.calls >= 6);
  CHECK(strstr(run, "spatial_navigation/noisy_unbiased_0.0001_0") != NULL);
  snprintf(ckpath, sizeof ckpath, "%s/model_6.npz", run);

  rx_capi_network *net = NULL;
  REQUIRE(rx_capi_network_load(ckpath, &net, msg, sizeof msg) == 0);
  rx_checkpoint ck;
  REQUIRE(rx_checkpoint_load(ckpath, &ck, NULL) == 0);
  CHECK(rx_capi_network_step(net) == 6);
  REQUIRE(rx_capi_network_n_params(net) == ck.rnn->n_params);
  for (int i = 0; i < ck.rnn->n_params; i++) {
    const char *name;
    int ndim;
    int64_t shape[2];
    const float *data;
    REQUIRE(rx_capi_network_param(net, i, &name, &ndim, shape, &data, msg, sizeof msg) == 0);
    const rx_param *p = &ck.rnn->params[i];
    CHECK(!strcmp(name, p->name) && ndim == p->ndim && shape[0] == p->shape[0]);
    CHECK(memcmp(data, ck.rnn->w + p->offset, p->size * sizeof(float)) == 0);
  }
  CHECK(rx_capi_network_param(net, ck.rnn->n_params, &(const char *){0}, &(int){0}, (int64_t[2]){0},
                              &(const float *){0}, msg, sizeof msg) == RX_EINVAL);
  cJSON *cfg = cJSON_Parse(rx_capi_network_config_json(net));
  REQUIRE(cfg != NULL);
  const cJSON *rnn = cJSON_GetObjectItem(cfg, "rnn");
  CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(rnn, "n_rec")) == 16);
  CHECK(cJSON_IsBool(cJSON_GetObjectItem(rnn, "bias")));
  CHECK(fabs(cJSON_GetNumberValue(cJSON_GetObjectItem(rnn, "sigma2_rec")) - 1e-4) < 1e-12);
  cJSON_Delete(cfg);

  /* quiescent, 5 trajectories x 12 steps, seed 4: against rx_simulate's time-major arrays */
  const int B = 5, T = 12, N = 16;
  rx_capi_arrays *arr = NULL;
  REQUIRE(rx_capi_simulate(net, B, T, 4, 1, 0, 1, -1, -1, -1, 0, NULL, NULL, 0, 0, NULL, NULL, 0, 0,
                           NULL, &arr, msg, sizeof msg) == 0);
  rx_sim_request req = rx_sim_request_default(B, T, 4);
  req.quiescent = 1;
  req.rule = rx_quiescent_default_rule(ck.rnn->spec.kind);
  req.keep_hidden = req.keep_outputs = 1;
  rx_sim_result res;
  REQUIRE(rx_simulate(&ck, &req, &res, NULL) == 0);
  const char *want[] = {"hidden", "outputs", "decoded", "positions", "init_positions", "init"};
  REQUIRE(rx_capi_arrays_count(arr) == 6);
  for (int i = 0; i < 6; i++) {
    const char *name;
    int ndim;
    int64_t shape[8];
    const float *data;
    REQUIRE(rx_capi_arrays_get(arr, i, &name, &ndim, shape, &data, msg, sizeof msg) == 0);
    CHECK_MSG(!strcmp(name, want[i]), "array %d is %s", i, name);
    if (!strcmp(name, "hidden")) {
      CHECK(ndim == 3 && shape[0] == B && shape[1] == T && shape[2] == N);
      int same = 1;
      for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
          same &= !memcmp(data + ((size_t)b * T + t) * N, res.hidden + ((size_t)t * B + b) * N,
                          N * sizeof(float));
      CHECK(same);
    }
    if (!strcmp(name, "init")) CHECK(!memcmp(data, res.init_codes, (size_t)B * 24 * 4));
  }
  CHECK(rx_capi_arrays_get(arr, 6, &(const char *){0}, &(int){0}, (int64_t[8]){0},
                           &(const float *){0}, msg, sizeof msg) == RX_EINVAL);
  rx_sim_result_free(&res);
  rx_capi_arrays_free(arr);

  /* float64 inputs give float32's bits; a wrong shape names the expected one */
  float x[3 * 4 * 2];
  double xd[3 * 4 * 2];
  for (int i = 0; i < 24; i++)
    x[i] = 0.01f * (float)(i % 7) - 0.02f, xd[i] = x[i];
  const int64_t sh[3] = {3, 4, 2}, bad[3] = {3, 4, 5};
  rx_capi_arrays *a32 = NULL, *a64 = NULL;
  REQUIRE(rx_capi_simulate(net, 0, 0, 1, 0, 0, 1, -1, -1, -1, 0, NULL, x, RX_CAPI_F32, 3, sh, NULL,
                           0, 0, NULL, &a32, msg, sizeof msg) == 0);
  REQUIRE(rx_capi_simulate(net, 0, 0, 1, 0, 0, 1, -1, -1, -1, 0, NULL, xd, RX_CAPI_F64, 3, sh, NULL,
                           0, 0, NULL, &a64, msg, sizeof msg) == 0);
  const float *d32, *d64;
  int64_t s32[8], s64[8];
  REQUIRE(rx_capi_arrays_get(a32, 1, &(const char *){0}, &(int){0}, s32, &d32, msg, sizeof msg) ==
          0);
  REQUIRE(rx_capi_arrays_get(a64, 1, &(const char *){0}, &(int){0}, s64, &d64, msg, sizeof msg) ==
          0);
  CHECK(s32[0] == 3 && s32[1] == 4 && s32[2] == 24 && !memcmp(d32, d64, 3 * 4 * 24 * 4));
  rx_capi_arrays_free(a32);
  rx_capi_arrays_free(a64);
  rx_capi_arrays *none = (rx_capi_arrays *)&none;
  float xbad[3 * 4 * 5] = {0}; /* the buffer the shape says: the API trusts it */
  CHECK(rx_capi_simulate(net, 0, 0, 1, 0, 0, 1, -1, -1, -1, 0, NULL, xbad, RX_CAPI_F32, 3, bad,
                         NULL, 0, 0, NULL, &none, msg, sizeof msg) == RX_EINVAL);
  CHECK_MSG(strstr(msg, "inputs: expected shape (any, any, 2), got (3, 4, 5)"), "%s", msg);
  CHECK(none == NULL);
  CHECK(rx_capi_simulate(net, 0, 0, 1, 0, 0, 1, -1, -1, -1, 0, NULL, x, 7, 3, sh, NULL, 0, 0, NULL,
                         &none, msg, sizeof msg) == RX_EINVAL);
  CHECK_MSG(strstr(msg, "inputs: dtype code 7"), "%s", msg);
  CHECK(rx_capi_simulate(net, 0, 0, 1, 0, 0, 1, 1, -1, -1, 0, NULL, NULL, 0, 0, NULL, NULL, 0, 0,
                         NULL, &none, msg, sizeof msg) == RX_EINVAL);
  CHECK_MSG(strstr(msg, "--rule applies to --quiescent runs only"), "%s", msg);
  rx_capi_network_free(net);
  rx_capi_network_free(NULL);
  rx_checkpoint_free(&ck);
  rx_test_rm_rf(root);
}

/* A progress callback returning non-zero stops training after a checkpoint (interrupted);
 * errors fill the caller's buffer, NUL-terminated and cut short when it is small. */
static void test_capi_progress_stops_training_and_errors_fill_the_buffer(void) {
  char root[256], run[4096], msg[1024] = "";
  rx_test_tmpdir(root, sizeof root, "capi_stop");
  progress_log log = {0};
  int interrupted = 0;
  REQUIRE(train_tiny(root, 2, &log, &interrupted, run, sizeof run) == 0);
  CHECK(interrupted == 1 && log.last_step == 2);
  CHECK(file_exists(run, "model_2.npz") && !file_exists(run, "model_6.npz"));

  rx_capi_network *net = (rx_capi_network *)&net;
  char path[4300];
  snprintf(path, sizeof path, "%s/model_9.npz", run);
  CHECK(rx_capi_network_load(path, &net, msg, sizeof msg) == RX_EIO);
  CHECK_MSG(strstr(msg, path) && !strchr(msg, '\n'), "%s", msg);
  CHECK(net == NULL);
  char small[16];
  memset(small, 'x', sizeof small);
  CHECK(rx_capi_network_load(path, &net, small, sizeof small) == RX_EIO);
  CHECK(strlen(small) == sizeof small - 1 && !strncmp(small, msg, sizeof small - 1));
  const char *bad[] = {"rnn.n_recc=3"};
  CHECK(rx_capi_train("spatial_navigation/noisy_unbiased", 1, bad, 0, 0, NULL, NULL, NULL, run,
                      sizeof run, msg, sizeof msg) == RX_EINVAL);
  CHECK_MSG(strstr(msg, "unknown key 'rnn.n_recc'"), "%s", msg);
  CHECK(rx_capi_train("spatial_navigation/nope", 0, NULL, 0, 0, NULL, NULL, NULL, run, sizeof run,
                      msg, sizeof msg) < 0);
  CHECK_MSG(strstr(msg, "nope"), "%s", msg);
  rx_test_rm_rf(root);
}

/* analyze writes the analysis' JSON where `reactivate analyze` does and names it; an analysis
 * unknown, or not of the task, is refused. The caller's floating-point mode is given back. */
static void test_capi_analyze_names_its_json_and_keeps_the_callers_fp_mode(void) {
  char root[256], run[4096], msg[1024] = "", json[4096] = "";
  rx_test_tmpdir(root, sizeof root, "capi_an");
  progress_log log = {0};
  REQUIRE(train_tiny(root, 0, &log, NULL, run, sizeof run) == 0);
  char p[300];
  snprintf(p, sizeof p, "path=%s", root);
  const char *set[] = {p, "variance.batch_size=6", "variance.t_total=20", "variance.t_skip=5"};
#if defined(__SSE__)
  const unsigned before = _mm_getcsr() & ~0x8040u;
  _mm_setcsr(before);
#endif
  REQUIRE_MSG(rx_capi_analyze("variance", 4, set, NULL, NULL, json, sizeof json, msg, sizeof msg) ==
                  0,
              "%s", msg);
#if defined(__SSE__)
  CHECK(_mm_getcsr() == before);
#endif
  char want[400];
  snprintf(want, sizeof want, "%s/spatial_navigation/variance_0.0001_0.json", root);
  CHECK_MSG(!strcmp(json, want), "%s", json);
  char *text = rx_test_read_text(root, "spatial_navigation/variance_0.0001_0.json");
  CHECK(text && strstr(text, "noisy_unbiased_0.0001_0"));
  free(text);
  CHECK(rx_capi_analyze("vairance", 1, set, NULL, NULL, json, sizeof json, msg, sizeof msg) ==
        RX_EINVAL);
  CHECK_MSG(strstr(msg, "unknown analysis 'vairance'"), "%s", msg);
  CHECK(rx_capi_analyze("heading", 1, set, NULL, NULL, json, sizeof json, msg, sizeof msg) ==
        RX_EINVAL);
  CHECK_MSG(strstr(msg, "heading does not apply to spatial_navigation"), "%s", msg);
  CHECK(!strcmp(rx_capi_version(), "0.1.0") || strlen(rx_capi_version()) > 0);
  rx_test_rm_rf(root);
}

RX_TEST_MAIN(TEST(test_capi_simulate_hands_back_the_librarys_results_batch_major),
             TEST(test_capi_progress_stops_training_and_errors_fill_the_buffer),
             TEST(test_capi_analyze_names_its_json_and_keeps_the_callers_fp_mode))
