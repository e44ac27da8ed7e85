/* The reactivate binary as users meet it: --help everywhere, one clear line and a non-zero exit
 * for bad input, train then simulate on generated, quiescent and user-given inputs, and
 * checkpoints that numpy reads. */
#include <cjson/cJSON.h>
#include <strings.h>

#include "cli_runner.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "test_util.h"

static void test_every_command_has_help(void) {
  const char *cmds[] = {"--help",         "train --help",   "simulate --help",
                        "analyze --help", "figures --help", "bench --help"};
  for (int i = 0; i < 6; i++) {
    CHECK_MSG(run_cli("%s", cmds[i]) == 0, "%s", cmds[i]);
    char *o = output();
    CHECK_MSG(strstr(o, "usage:"), "%s", cmds[i]);
    free(o);
  }
  CHECK(run_cli("frobnicate") != 0);
  /* simulate documents its offline mechanism settings */
  REQUIRE(run_cli("simulate --help") == 0);
  char *o = output();
  CHECK(strstr(o, "rnn.adaptation_strength=") && strstr(o, "rnn.adaptation_tau=") &&
        strstr(o, "rnn.momentum="));
  free(o);
}

/* Each bad input: non-zero exit, exactly one line, naming the culprit. */
static void test_bad_input_gives_one_clear_line(void) {
  struct {
    const char *args, *must_name;
  } cases[] = {
      {"train spatial_navigation/noisy_unbiased rnn.sigm2_rec=1 --dry-run", "rnn.sigm2_rec"},
      {"train spatial_navigation/noisy_unbiased rnn.n_rec=-3 --dry-run", "rnn.n_rec"},
      {"train spatial_navigation/noisy_unbiased task.decode_k=9999 --dry-run", "task.decode_k"},
      {"train spatial_navigation/no_such_experiment --dry-run", "no_such_experiment"},
      {"train spatial_navigation/noisy_unbiased rnn.n_rec --dry-run", "rnn.n_rec"},
      {"train --bogus", "--bogus"},
      {"simulate /nonexistent/model_5.npz --out /tmp/x.npz", "/nonexistent/model_5.npz"},
      {"simulate --out /tmp/x.npz", "checkpoint"},
      {"bench --reps zero", "--reps"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int rc = run_cli("%s", cases[i].args);
    char *o = output();
    CHECK_MSG(rc != 0, "'%s' exited 0", cases[i].args);
    CHECK_MSG(count_lines(o) == 1, "'%s' printed %d lines: %s", cases[i].args, count_lines(o), o);
    CHECK_MSG(strstr(o, cases[i].must_name), "'%s' does not name '%s': %s", cases[i].args,
              cases[i].must_name, o);
    free(o);
  }
}

static int numpy_available(void) {
  return system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0;
}

static void test_train_then_simulate_writes_expected_arrays(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "cli");
  int rc = run_cli("train spatial_navigation/noisy_unbiased path=%s rnn.n_rec=16 "
                   "task.place_cells_num=32 task.batch_size=8 task.sequence_length=10 "
                   "trainer.n_epochs=10 trainer.save_freq=5 --quiet",
                   root);
  REQUIRE(rc == 0);
  char ck[512];
  snprintf(ck, sizeof ck, "%s/spatial_navigation/noisy_unbiased_0.0001_0/model_10.npz", root);
  REQUIRE(rx_file_exists(ck));

  /* Generated batch. */
  char out[512];
  snprintf(out, sizeof out, "%s/gen.npz", root);
  REQUIRE(run_cli("simulate %s --batch 4 --steps 7 --out %s", ck, out) == 0);
  rx_npz z;
  REQUIRE(rx_npz_read(out, &z, NULL) == 0);
  struct {
    const char *name;
    int ndim;
    int64_t shape[3];
  } want[] = {{"hidden", 3, {4, 7, 16}}, {"outputs", 3, {4, 7, 32}},  {"decoded", 3, {4, 7, 2}},
              {"inputs", 3, {4, 7, 2}},  {"positions", 3, {4, 7, 2}}, {"init", 2, {4, 32}}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    CHECK_MSG(
        rx_npz_expect(&z, out, want[i].name, RX_F32, want[i].ndim, want[i].shape, NULL, NULL) == 0,
        "%s", want[i].name);
  rx_npz_free(&z);

  /* Quiescent from the run's test batch: no inputs; with --noise-var 0 the noise seed is
   * irrelevant (fully deterministic). */
  char q1[512], q2[512];
  snprintf(q1, sizeof q1, "%s/q1.npz", root);
  snprintf(q2, sizeof q2, "%s/q2.npz", root);
  REQUIRE(run_cli("simulate %s --test-batch --quiescent --batch 3 --steps 50 --noise-var 0 --seed "
                  "1 --out %s",
                  ck, q1) == 0);
  REQUIRE(run_cli("simulate %s --test-batch --quiescent --batch 3 --steps 50 --noise-var 0 --seed "
                  "2 --out %s",
                  ck, q2) == 0);
  rx_npz a, b;
  REQUIRE(rx_npz_read(q1, &a, NULL) == 0);
  REQUIRE(rx_npz_read(q2, &b, NULL) == 0);
  CHECK(rx_npz_get(&a, "inputs") == NULL);
  const rx_array *ha = rx_npz_get(&a, "hidden"), *hb = rx_npz_get(&b, "hidden");
  REQUIRE(ha && hb && ha->size == hb->size);
  CHECK(memcmp(ha->data, hb->data, ha->size * sizeof(float)) == 0);
  rx_npz_free(&b);

  /* The mechanisms switched on offline (key=value settings, quiescent runs only): other hidden
   * states; other keys, awake runs and bad values: one line naming the setting. */
  char q3[512];
  snprintf(q3, sizeof q3, "%s/q3.npz", root);
  REQUIRE(run_cli("simulate %s --test-batch --quiescent --batch 3 --steps 50 --noise-var 0 --out "
                  "%s rnn.momentum=0.5 rnn.adaptation_strength=1",
                  ck, q3) == 0);
  char *o = output();
  CHECK_MSG(strstr(o, "adaptation b 1 alpha_a 0.04, momentum 0.5"), "%s", o);
  free(o);
  REQUIRE(rx_npz_read(q3, &b, NULL) == 0);
  hb = rx_npz_get(&b, "hidden");
  REQUIRE(hb && ha->size == hb->size);
  CHECK(memcmp(ha->data, hb->data, ha->size * sizeof(float)) != 0);
  rx_npz_free(&a);
  rx_npz_free(&b);
  struct {
    const char *args, *says;
  } bad_settings[] = {
      {"--quiescent rnn.sigma2_rec=1",
       "rnn.sigma2_rec: a trained run's setting cannot change offline, except the mechanisms' "
       "(rnn.adaptation_strength, rnn.adaptation_tau, rnn.momentum)"},
      {"rnn.momentum=0.5", "rnn.momentum=0.5: mechanism settings"},
      {"--quiescent rnn.momentum=1", "command line: rnn.momentum=1: must be in [0, 1)"},
      {"--quiescent rnn.adaptation_strength=1 rnn.adaptation_tau=0.05",
       "rnn.adaptation_tau=0.05: must be >= rnn.dt (0.2)"},
  };
  for (size_t i = 0; i < sizeof bad_settings / sizeof bad_settings[0]; i++) {
    rc = run_cli("simulate %s --batch 2 --steps 5 --out %s %s", ck, q3, bad_settings[i].args);
    o = output();
    CHECK_MSG(rc != 0 && count_lines(o) == 1 && strstr(o, bad_settings[i].says), "%s: rc %d, %s",
              bad_settings[i].args, rc, o);
    free(o);
  }

  /* User inputs: a (3, 5, 2) float32 .npy; a wrong shape is refused with one line. */
  char xin[512], xbad[512], xo[512];
  snprintf(xin, sizeof xin, "%s/x.npy", root);
  snprintf(xbad, sizeof xbad, "%s/xbad.npy", root);
  snprintf(xo, sizeof xo, "%s/x_out.npz", root);
  float x[3 * 5 * 2];
  for (int i = 0; i < 30; i++)
    x[i] = 0.01f * (float)(i % 5);
  int64_t sh[3] = {3, 5, 2}, shbad[3] = {3, 5, 3};
  rx_array arr = rx_array_f32("x", x, 3, sh);
  REQUIRE(rx_npy_write(xin, &arr, NULL) == 0);
  float xb[45] = {0};
  rx_array arrb = rx_array_f32("x", xb, 3, shbad);
  REQUIRE(rx_npy_write(xbad, &arrb, NULL) == 0);
  REQUIRE(run_cli("simulate %s --inputs %s --out %s", ck, xin, xo) == 0);
  REQUIRE(rx_npz_read(xo, &a, NULL) == 0);
  int64_t dsh[3] = {3, 5, 2};
  CHECK(rx_npz_expect(&a, xo, "decoded", RX_F32, 3, dsh, NULL, NULL) == 0);
  rx_npz_free(&a);
  rc = run_cli("simulate %s --inputs %s --out %s", ck, xbad, xo);
  o = output();
  CHECK(rc != 0 && count_lines(o) == 1 && strstr(o, "xbad.npy"));
  free(o);

  /* A corrupt checkpoint: one line naming it. */
  char bad[512];
  snprintf(bad, sizeof bad, "%s/model_99.npz", root);
  REQUIRE(rx_write_file_atomic(bad, "PK\003\004garbage", 11, NULL) == 0);
  rc = run_cli("simulate %s --out %s", bad, xo);
  o = output();
  CHECK(rc != 0 && count_lines(o) == 1 && strstr(o, "model_99.npz"));
  free(o);

  if (!numpy_available()) {
    fprintf(stderr, "  numpy not available: skipping the numpy.load check\n");
    return;
  }
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 -c \"import numpy as np; f = np.load('%s', allow_pickle=False); "
           "assert f['w_rec.weight'].shape == (16, 16) and f['w_rec.weight'].dtype == np.float32; "
           "assert f['encoder.weight'].shape == (16, 32) and f['w_out.weight'].shape == (32, 16); "
           "assert f['w_in.weight'].shape == (16, 2) and f['population.centers'].shape == (32, 2); "
           "assert 'rnn:' in str(f['config']) and int(f['step']) == 10\"",
           ck);
  CHECK(system(cmd) == 0);
}

/* Writes a (n0, n1[, n2]) array of the given dtype to path; data holds its values. */
static int write_npy(const char *path, rx_dtype dtype, void *data, int ndim, const int64_t *shape) {
  rx_array a = rx_array_f32("x", NULL, ndim, shape);
  a.dtype = dtype;
  a.data = data;
  return rx_npy_write(path, &a, NULL);
}

/* simulate's --inputs and --init files: a NaN or Inf is refused naming the option, the file and
 * the value's index in the file; another dtype is refused naming it (numpy's name and descr);
 * float64 is rounded to float32 (with a note) when finite and in range, giving the float32
 * file's results bit for bit, and refused naming the value when out of range. */
static void test_simulate_input_files_are_checked_by_value_and_dtype(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "cli_in");
  REQUIRE(run_cli("train spatial_navigation/noisy_unbiased path=%s rnn.n_rec=16 "
                  "task.place_cells_num=32 task.batch_size=8 task.sequence_length=10 "
                  "trainer.n_epochs=2 --quiet",
                  root) == 0);
  char ck[512], path[512], out[512];
  snprintf(ck, sizeof ck, "%s/spatial_navigation/noisy_unbiased_0.0001_0/model_2.npz", root);
  snprintf(out, sizeof out, "%s/out.npz", root);
  int64_t sh[3] = {3, 5, 2}, shc[2] = {3, 32};
  float x[30], c[96] = {0};
  double xd[30];
  int32_t xi[30];
  for (int i = 0; i < 30; i++)
    x[i] = 0.01f * (float)(i % 5), xd[i] = x[i], xi[i] = i % 5;
  struct {
    const char *name, *opt;
    rx_dtype dtype;
    void *data;
    int ndim;
    const int64_t *shape;
    int poke;     /* element set to value before writing (-1: none) */
    double value; /* as a double; written in the file's dtype */
    const char *says;
  } cases[] = {
      {"x_nan.npy", "--inputs", RX_F32, x, 3, sh, 1 * 10 + 3 * 2 + 0, NAN, "NaN at [1, 3, 0]"},
      {"x_inf.npy", "--inputs", RX_F64, xd, 3, sh, 2 * 10 + 4 * 2 + 1, -INFINITY,
       "-Inf at [2, 4, 1]"},
      {"x_big.npy", "--inputs", RX_F64, xd, 3, sh, 7, 1e300,
       "float64 value 1e+300 at [0, 3, 1] is beyond float32's range"},
      {"x_int.npy", "--inputs", RX_I32, xi, 3, sh, -1, 0,
       "dtype int32 (<i4), expected float32 (<f4)"},
      {"c_inf.npy", "--init", RX_F32, c, 2, shc, 2 * 32 + 5, INFINITY, "+Inf at [2, 5]"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    snprintf(path, sizeof path, "%s/%s", root, cases[k].name);
    const int i = cases[k].poke;
    float keep_f = 0;
    double keep_d = 0;
    if (i >= 0 && cases[k].dtype == RX_F32) {
      keep_f = ((float *)cases[k].data)[i];
      ((float *)cases[k].data)[i] = (float)cases[k].value;
    } else if (i >= 0) {
      keep_d = ((double *)cases[k].data)[i];
      ((double *)cases[k].data)[i] = cases[k].value;
    }
    REQUIRE(write_npy(path, cases[k].dtype, cases[k].data, cases[k].ndim, cases[k].shape) == 0);
    if (i >= 0 && cases[k].dtype == RX_F32) ((float *)cases[k].data)[i] = keep_f;
    if (i >= 0 && cases[k].dtype == RX_F64) ((double *)cases[k].data)[i] = keep_d;
    const int rc = run_cli("simulate %s %s %s --out %s", ck, cases[k].opt, path, out);
    char *o = output();
    CHECK_MSG(rc != 0 && count_lines(o) == 1 && strstr(o, cases[k].opt) && strstr(o, path) &&
                  strstr(o, cases[k].says),
              "%s: exit %d: %s", cases[k].name, rc, o);
    free(o);
  }
  /* float64 within range: rounded to float32, the float32 file's results bit for bit */
  char out32[512];
  snprintf(out32, sizeof out32, "%s/out32.npz", root);
  snprintf(path, sizeof path, "%s/x32.npy", root);
  REQUIRE(write_npy(path, RX_F32, x, 3, sh) == 0);
  REQUIRE(run_cli("simulate %s --inputs %s --out %s", ck, path, out32) == 0);
  snprintf(path, sizeof path, "%s/x64.npy", root);
  REQUIRE(write_npy(path, RX_F64, xd, 3, sh) == 0);
  REQUIRE(run_cli("simulate %s --inputs %s --out %s", ck, path, out) == 0);
  char *o = output();
  CHECK_MSG(strstr(o, "x64.npy: float64 values rounded to float32"), "%s", o);
  free(o);
  rx_npz a, b;
  REQUIRE(rx_npz_read(out32, &a, NULL) == 0);
  REQUIRE(rx_npz_read(out, &b, NULL) == 0);
  const rx_array *da = rx_npz_get(&a, "outputs"), *db = rx_npz_get(&b, "outputs");
  REQUIRE(da && db && da->size == db->size && da->size == 3 * 5 * 32);
  CHECK(memcmp(da->data, db->data, da->size * sizeof(float)) == 0);
  rx_npz_free(&a);
  rx_npz_free(&b);
}

/* bench names the BLAS in use, in its text and under "blas" in its JSON: library, config, core,
 * threading and threads, every one filled; the core is the kernel OPENBLAS_CORETYPE forces
 * (OpenBLAS reads it when it loads, so only a new process shows it: the CLI is one). The
 * smallest workload, one step. */
static void test_bench_reports_the_blas_in_use(void) {
#if !defined(__x86_64__)
  fprintf(stderr, "  SKIP: the kernel forced here (Sandybridge) is an x86-64 one\n");
  return;
#endif
  if (rx_test_small()) { /* valgrind: a paper-size step takes minutes there; the Release and
                            ASan+UBSan runs assert this, test_linalg the forced core */
    fprintf(stderr, "  RX_TEST_SMALL: bench runs skipped (asserted in the full-size runs)\n");
    return;
  }
  const char *had = getenv("OPENBLAS_CORETYPE");
  char keep[64] = "";
  if (had) snprintf(keep, sizeof keep, "%s", had);
  REQUIRE(setenv("OPENBLAS_CORETYPE", "Sandybridge", 1) == 0); /* for the child only */
  const int rc_json = run_cli("bench --only hd_rnn128 --reps 1 --json");
  char *json = output();
  const int rc_text = run_cli("bench --only hd_rnn128 --reps 1");
  char *text = output();
  if (had)
    setenv("OPENBLAS_CORETYPE", keep, 1);
  else
    unsetenv("OPENBLAS_CORETYPE");
  CHECK_MSG(rc_json == 0 && rc_text == 0, "exit %d, %d", rc_json, rc_text);
  cJSON *root = cJSON_Parse(json);
  const cJSON *blas = cJSON_GetObjectItemCaseSensitive(root, "blas");
  CHECK_MSG(cJSON_IsObject(blas), "no \"blas\" object in: %s", json);
  const char *keys[4] = {"library", "config", "core", "threading"};
  for (int i = 0; i < 4 && blas; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(blas, keys[i]);
    CHECK_MSG(cJSON_IsString(v) && v->valuestring[0] && strcmp(v->valuestring, "unknown"),
              "blas.%s", keys[i]);
  }
  const cJSON *core = blas ? cJSON_GetObjectItemCaseSensitive(blas, "core") : NULL;
  const cJSON *threads = blas ? cJSON_GetObjectItemCaseSensitive(blas, "threads") : NULL;
  CHECK(cJSON_IsString(core) && !strcasecmp(core->valuestring, "Sandybridge"));
  CHECK(cJSON_IsNumber(threads) && threads->valueint >= 1);
  CHECK_MSG(strstr(text, "\n  blas                 OpenBLAS ") && strstr(text, "core Sandybridge"),
            "%s", text);
  cJSON_Delete(root);
  free(json);
  free(text);
}

int main(int argc, char **argv) {
  cli_runner_init("cli");
  static const rx_test_case tests[] = {
      TEST(test_every_command_has_help), TEST(test_bad_input_gives_one_clear_line),
      TEST(test_train_then_simulate_writes_expected_arrays),
      TEST(test_simulate_input_files_are_checked_by_value_and_dtype),
      TEST(test_bench_reports_the_blas_in_use)};
  int rc = rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
  remove(cli_out_path);
  return rc;
}
