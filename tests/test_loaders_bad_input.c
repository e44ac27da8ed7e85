/* Bad input to every loader, one case per fault the fuzzers (fuzz/) found or the reliability
 * issue names: truncated, oversized, wrong-dtype and wrong-shape files, configs and overrides.
 * Each must fail with one line naming the file (or key) and must not allocate what it claims. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reactivate/analyze.h"
#include "reactivate/checkpoint.h"
#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "test_util.h"

#ifndef RX_TEST_SOURCE_DIR
#define RX_TEST_SOURCE_DIR "."
#endif
#define CORPUS RX_TEST_SOURCE_DIR "/fuzz/corpus"

/* ---- helpers ---- */

static int spit(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = n ? fwrite(data, 1, n, f) : 0;
  return fclose(f) == 0 && w == n ? 0 : -1;
}

static unsigned char *slurp(const char *path, size_t *n) {
  char *buf = NULL;
  rx_error err;
  if (rx_read_file(path, &buf, n, (size_t)1 << 30, &err) != 0) return NULL;
  return (unsigned char *)buf;
}

static int contains(const char *s, const char *part) { return strstr(s, part) != NULL; }

/* A refusal: negative code, one line, naming every part. */
#define CHECK_REFUSED(rc, err, ...)                                                                \
  do {                                                                                             \
    const char *parts_[] = {__VA_ARGS__};                                                          \
    CHECK_MSG((rc) < 0, "accepted");                                                               \
    CHECK_MSG(strchr((err).msg, '\n') == NULL, "message spans lines: %s", (err).msg);              \
    for (size_t k_ = 0; k_ < sizeof parts_ / sizeof parts_[0]; k_++)                               \
      CHECK_MSG(contains((err).msg, parts_[k_]), "'%s' lacks '%s'", (err).msg, parts_[k_]);        \
  } while (0)

static void put32(unsigned char *p, uint32_t v) {
  for (int k = 0; k < 4; k++)
    p[k] = (unsigned char)(v >> (8 * k));
}

/* Offset of the first central-directory entry of a ZIP written by rx_npz_write. */
static size_t central_dir(const unsigned char *buf, size_t n) {
  size_t end = n - 22;
  return (size_t)buf[end + 16] | (size_t)buf[end + 17] << 8 | (size_t)buf[end + 18] << 16 |
         (size_t)buf[end + 19] << 24;
}

/* ---- .npy / .npz ---- */

static void test_npy_claiming_1e15_elements_is_refused_without_allocating(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "bad_npy_big");
  snprintf(path, sizeof path, "%s/huge.npy", dir);
  /* (1e8, 1e7) float32: 4e15 bytes claimed, 16 present. Under ASan, an attempt to allocate
   * this would abort the test. */
  const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 10000000), }";
  unsigned char buf[256];
  size_t dl = strlen(dict), hl = dl + 1;
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  buf[8] = (unsigned char)hl, buf[9] = 0;
  memcpy(buf + 10, dict, dl);
  buf[10 + dl] = '\n';
  memset(buf + 10 + hl, 0, 16);
  REQUIRE(spit(path, buf, 10 + hl + 16) == 0);
  rx_array a;
  rx_error err;
  int rc = rx_npy_read(path, &a, &err);
  CHECK_REFUSED(rc, err, path, "truncated", "4000000000000000 bytes");
  CHECK(a.data == NULL);
  rx_test_rm_rf(dir);
}

static void test_npy_with_wrong_dtype_is_refused_naming_the_dtype(void) {
  rx_array a;
  rx_error err;
  /* numpy's big-endian float64 seed file and a complex64 header */
  int rc = rx_npy_read(RX_TEST_SOURCE_DIR "/tests/data/npz/bigendian.npy", &a, &err);
  CHECK_REFUSED(rc, err, "bigendian.npy", "big-endian dtype '>");
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "bad_npy_dtype");
  snprintf(path, sizeof path, "%s/c8.npy", dir);
  const char *dict = "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }\n";
  unsigned char buf[256];
  size_t dl = strlen(dict);
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  buf[8] = (unsigned char)dl, buf[9] = 0;
  memcpy(buf + 10, dict, dl);
  memset(buf + 10 + dl, 0, 16);
  REQUIRE(spit(path, buf, 10 + dl + 16) == 0);
  rc = rx_npy_read(path, &a, &err);
  CHECK_REFUSED(rc, err, path, "unsupported dtype '<c8'");
  rx_test_rm_rf(dir);
}

/* Fuzzer finding: a header key holding a newline was echoed into a two-line message. */
static void test_npy_key_with_a_newline_gives_a_one_line_message(void) {
  rx_array a;
  rx_error err;
  int rc = rx_npy_read(CORPUS "/fuzz_npy/regress_newline_in_key.npy", &a, &err);
  CHECK_REFUSED(rc, err, "regress_newline_in_key.npy", "unexpected key 's?hape'");
}

static void test_truncated_npz_is_refused_naming_the_file(void) {
  rx_npz z;
  rx_error err;
  int rc = rx_npz_read(CORPUS "/fuzz_npz/truncated_5000_checkpoint_vanilla.npz", &z, &err);
  CHECK_REFUSED(rc, err, "truncated_5000_checkpoint_vanilla.npz", "truncated");
  CHECK(z.n == 0 && z.arrays == NULL);
}

/* A stored member whose directory entry claims 4 GiB - 2 bytes: refused by comparing with the
 * bytes present, never allocated. */
static void test_zip_member_claiming_4gib_is_refused(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "bad_zip_4g");
  snprintf(path, sizeof path, "%s/claim.npz", dir);
  float v[4] = {1, 2, 3, 4};
  int64_t s[] = {4};
  rx_array x = rx_array_f32("x", v, 1, s);
  rx_error err;
  REQUIRE(rx_npz_write(path, &x, 1, &err) == 0);
  size_t n;
  unsigned char *buf = slurp(path, &n);
  REQUIRE(buf != NULL && n > 22 + 46);
  size_t cd = central_dir(buf, n);
  REQUIRE(cd + 46 < n && buf[cd] == 'P' && buf[cd + 1] == 'K' && buf[cd + 2] == 1);
  put32(buf + cd + 20, 0xFFFFFFFEu); /* compressed size */
  put32(buf + cd + 24, 0xFFFFFFFEu); /* uncompressed size */
  REQUIRE(spit(path, buf, n) == 0);
  rx_npz z;
  int rc = rx_npz_read(path, &z, &err);
  CHECK_REFUSED(rc, err, path, "'x.npy'", "needs 4294967294 bytes");
  /* The same claim in a deflated member: the ratio check refuses it. */
  buf[cd + 10] = 8;
  put32(buf + cd + 20, 100); /* of the 144 bytes present */
  REQUIRE(spit(path, buf, n) == 0);
  rc = rx_npz_read(path, &z, &err);
  CHECK_REFUSED(rc, err, path, "'x.npy'", "claims 4294967294 bytes from 100 compressed");
  free(buf);
  rx_test_rm_rf(dir);
}

static void test_expect_names_file_and_array_for_wrong_dtype_and_shape(void) {
  rx_npz z;
  rx_error err;
  const char *path = CORPUS "/fuzz_npz/mixed.npz";
  REQUIRE(rx_npz_read(path, &z, &err) == 0);
  const rx_array *a;
  int64_t shape23[2] = {2, 3}, shape32[2] = {3, 2};
  CHECK(rx_npz_expect(&z, path, "a", RX_F32, 2, shape23, &a, &err) == 0);
  int rc = rx_npz_expect(&z, path, "a", RX_F64, 2, shape23, &a, &err);
  CHECK_REFUSED(rc, err, path, "'a'", "dtype float32 (<f4), expected float64 (<f8)");
  CHECK(a == NULL);
  rc = rx_npz_expect(&z, path, "a", RX_F32, 2, shape32, &a, &err);
  CHECK_REFUSED(rc, err, path, "'a'", "shape (2, 3), expected (3, 2)");
  rc = rx_npz_expect(&z, path, "a", RX_F32, 1, NULL, &a, &err);
  CHECK_REFUSED(rc, err, path, "'a'", "expected 1 dimensions");
  rx_npz_free(&z);
}

/* ---- checkpoints ---- */

/* Rewrites src into dst with array `name` replaced by repl (NULL: dropped). */
static int rewrite_npz(const char *src, const char *dst, const char *name, const rx_array *repl) {
  rx_npz z;
  rx_error err;
  if (rx_npz_read(src, &z, &err)) return -1;
  rx_array *out = calloc((size_t)z.n, sizeof *out);
  int n = 0;
  for (int i = 0; i < z.n; i++) {
    if (strcmp(z.arrays[i].name, name) != 0)
      out[n++] = z.arrays[i];
    else if (repl)
      out[n++] = *repl;
  }
  int rc = rx_npz_write(dst, out, n, &err);
  if (rc) fprintf(stderr, "  rewrite: %s\n", err.msg);
  free(out);
  rx_npz_free(&z);
  return rc;
}

#define CK_SEED CORPUS "/fuzz_npz/checkpoint_vanilla.npz"

static void test_seed_checkpoint_loads(void) {
  rx_checkpoint ck;
  rx_error err;
  int rc = rx_checkpoint_load(CK_SEED, &ck, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  if (rc) return;
  CHECK(ck.rnn->spec.n_rec == 6 && ck.step == 2 && ck.adam != NULL);
  rx_checkpoint_free(&ck);
}

/* A config claiming a network of 2e9 units (n_rec^2 = 4e18 floats) is refused from the weights
 * the file actually holds, before anything that size is allocated (ASan would abort). */
static void test_checkpoint_config_claiming_a_huge_network_is_refused(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "bad_ck_huge");
  snprintf(path, sizeof path, "%s/model_2.npz", dir);
  rx_npz z;
  rx_error err;
  REQUIRE(rx_npz_read(CK_SEED, &z, &err) == 0);
  const rx_array *cfg = rx_npz_get(&z, "config");
  REQUIRE(cfg != NULL && cfg->dtype == RX_STR);
  const char *at = strstr(cfg->data, "n_rec: 6\n");
  REQUIRE(at != NULL);
  size_t len = strlen(cfg->data), pre = (size_t)(at - (const char *)cfg->data);
  char *text = malloc(len + 32);
  REQUIRE(text != NULL);
  snprintf(text, len + 32, "%.*sn_rec: 2000000000\n%s", (int)pre, (const char *)cfg->data,
           at + strlen("n_rec: 6\n"));
  rx_array repl = rx_array_str("config", text);
  REQUIRE(rewrite_npz(CK_SEED, path, "config", &repl) == 0);
  free(text);
  rx_npz_free(&z);
  rx_checkpoint ck;
  int rc = rx_checkpoint_load(path, &ck, &err);
  CHECK_REFUSED(rc, err, path, "rnn.n_rec=2000000000", "float32 values");
  CHECK(ck.rnn == NULL && ck.pop == NULL && ck.adam == NULL);
  rx_test_rm_rf(dir);
}

static void test_checkpoint_with_wrong_dtype_shape_or_missing_weights_is_refused(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "bad_ck_shape");
  snprintf(path, sizeof path, "%s/model_2.npz", dir);
  rx_checkpoint ck;
  rx_error err;
  /* w_rec.weight as float64 (6, 6) */
  double w64[36] = {0};
  rx_array a64 = rx_array_f32("w_rec.weight", NULL, 2, (const int64_t[]){6, 6});
  a64.dtype = RX_F64;
  a64.data = w64;
  REQUIRE(rewrite_npz(CK_SEED, path, "w_rec.weight", &a64) == 0);
  int rc = rx_checkpoint_load(path, &ck, &err);
  CHECK_REFUSED(rc, err, path, "'w_rec.weight'", "dtype float64 (<f8), expected float32 (<f4)");
  /* w_rec.weight of shape (6, 5) */
  float w[36] = {0};
  rx_array a65 = rx_array_f32("w_rec.weight", w, 2, (const int64_t[]){6, 5});
  REQUIRE(rewrite_npz(CK_SEED, path, "w_rec.weight", &a65) == 0);
  rc = rx_checkpoint_load(path, &ck, &err);
  CHECK_REFUSED(rc, err, path, "'w_rec.weight'", "shape (6, 5), expected (6, 6)");
  /* no w_out.weight; a step of the wrong dtype */
  REQUIRE(rewrite_npz(CK_SEED, path, "w_out.weight", NULL) == 0);
  rc = rx_checkpoint_load(path, &ck, &err);
  CHECK_REFUSED(rc, err, path, "'w_out.weight' is missing");
  float step = 2;
  rx_array s = rx_array_f32("step", &step, 0, NULL);
  REQUIRE(rewrite_npz(CK_SEED, path, "step", &s) == 0);
  rc = rx_checkpoint_load(path, &ck, &err);
  CHECK_REFUSED(rc, err, path, "'step'", "expected int64");
  CHECK(ck.rnn == NULL && ck.pop == NULL && ck.adam == NULL);
  rx_test_rm_rf(dir);
}

/* ---- configs and overrides ---- */

static int load_file(const char *path, rx_error *err) {
  rx_train_config cfg;
  return rx_config_load(&cfg, path, 0, NULL, err);
}

static void test_oversized_config_file_is_refused_unread(void) {
  char dir[256], sub[300], path[400];
  rx_test_tmpdir(dir, sizeof dir, "bad_cfg_big");
  snprintf(sub, sizeof sub, "%s/spatial_navigation", dir);
  REQUIRE(mkdir(sub, 0777) == 0);
  snprintf(path, sizeof path, "%s/big.yml", sub);
  size_t n = (1 << 20) + 100;
  char *text = malloc(n);
  REQUIRE(text != NULL);
  memset(text, '#', n); /* one long comment: valid YAML, just too large */
  REQUIRE(spit(path, text, n) == 0);
  free(text);
  rx_error err;
  int rc = load_file(path, &err);
  CHECK_REFUSED(rc, err, path, "too large for a config file");
  rx_test_rm_rf(dir);
}

/* Fuzzer-style finding: deeply nested YAML made the recursive parser overflow the stack. */
static void test_deeply_nested_config_is_refused(void) {
  const char *path = CORPUS "/fuzz_config/regress_deep_nesting.yml";
  rx_error err;
  char *text = NULL;
  size_t n;
  REQUIRE(rx_read_file(path, &text, &n, 1 << 20, &err) == 0);
  rx_train_config cfg;
  int rc = rx_config_from_yaml(&cfg, text, path, &err);
  CHECK_REFUSED(rc, err, "regress_deep_nesting.yml:1: a[0][0]", "nesting deeper than 32 levels");
  free(text);
  /* The same as an override value. */
  const char *ov[1];
  char arg[8200];
  int len = snprintf(arg, sizeof arg, "task.anchor_point=");
  for (int i = 0; i < 4000; i++)
    arg[len++] = '[';
  for (int i = 0; i < 4000; i++)
    arg[len++] = ']';
  arg[len] = '\0';
  ov[0] = arg;
  rc = rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 1, ov, &err);
  CHECK_REFUSED(rc, err, "command line: task.anchor_point=[[[", "...: ", "nesting deeper");
}

static void test_truncated_config_is_refused_naming_file_and_line(void) {
  char dir[256], sub[300], path[400];
  rx_test_tmpdir(dir, sizeof dir, "bad_cfg_cut");
  snprintf(sub, sizeof sub, "%s/spatial_navigation", dir);
  REQUIRE(mkdir(sub, 0777) == 0);
  snprintf(path, sizeof path, "%s/cut.yml", sub);
  const char *text = "rnn:\n  n_rec: 64\ntask:\n  anchor_point: [0.5, ";
  REQUIRE(spit(path, text, strlen(text)) == 0);
  rx_error err;
  int rc = load_file(path, &err);
  char where[420];
  snprintf(where, sizeof where, "%s:5:", path);
  CHECK_REFUSED(rc, err, where, "YAML syntax error");
  /* A resolved config cut short (inside "uniform") parses, but the value is wrong: named. */
  char *full = NULL;
  size_t n;
  REQUIRE(rx_read_file(CORPUS "/fuzz_config/truncated_resolved_spatial.yaml", &full, &n, 1 << 20,
                       &err) == 0);
  rx_train_config cfg;
  rc = rx_config_from_yaml(&cfg, full, "model_2.npz[config]", &err);
  CHECK_REFUSED(rc, err, "model_2.npz[config]:19: rnn.noise: 'u' is not one of");
  free(full);
  rx_test_rm_rf(dir);
}

static void test_wrong_type_and_shape_in_a_config_file_name_file_line_and_key(void) {
  static const struct {
    const char *text, *expect;
  } cases[] = {
      {"rnn:\n  n_rec: [64]\n", "fuzz.yml:2: rnn.n_rec: expected a single value, got a sequence"},
      {"task:\n  anchor_point: [0.5, 0.5, 0.5]\n", "fuzz.yml:2: task.anchor_point: must be a pair"},
      {"task:\n  anchor_point: {x: 1}\n", "fuzz.yml:2: task.anchor_point: must be a pair"},
      {"seed: 1.5\n", "fuzz.yml:1: seed: must be an integer, got '1.5'"},
      {"rnn: 3\n", "fuzz.yml:1: rnn: expected a mapping of rnn.* keys"},
      {"\"rnn\\n.n_rec\": 3\n", "fuzz.yml:1: unknown key 'rnn?.n_rec'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, "config: spatial_navigation/x\n%s", cases[i].text);
    rx_train_config cfg;
    rx_error err;
    int rc = rx_config_from_yaml(&cfg, text, "fuzz.yml", &err);
    /* line numbers in the cases count from the line after `config:` */
    char want[256];
    const char *colon = strchr(cases[i].expect, ':');
    int line = atoi(colon + 1) + 1;
    const char *rest = strchr(colon + 1, ':');
    snprintf(want, sizeof want, "fuzz.yml:%d%s", line, rest);
    CHECK_REFUSED(rc, err, want);
  }
}

/* Fuzzer finding: a value that is not UTF-8 was accepted, and the resolved config then could
 * not be read back (libyaml refuses invalid UTF-8). Also too-long keys. */
static void test_override_with_invalid_utf8_or_overlong_key_is_refused(void) {
  rx_train_config cfg;
  rx_error err;
  const char *ov1[] = {"path=results\xff\xfe"};
  int rc = rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 1, ov1, &err);
  CHECK_REFUSED(rc, err, "command line: path=...", "not valid UTF-8");
  const char *ov2[] = {"path=r\xc3\xa9sultats"}; /* "résultats": valid UTF-8 is fine */
  rc = rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 1, ov2, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  char *yaml = NULL;
  if (rc == 0) {
    rx_train_config back;
    REQUIRE(rx_config_to_yaml(&cfg, &yaml, &err) == 0);
    CHECK_MSG(rx_config_from_yaml(&back, yaml, "round trip", &err) == 0, "%s", err.msg);
    CHECK(strcmp(back.path, "r\xc3\xa9sultats") == 0);
    free(yaml);
  }
  char key[400];
  memset(key, 'a', 300);
  snprintf(key + 300, sizeof key - 300, "=1");
  const char *ov3[] = {key};
  rc = rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 1, ov3, &err);
  CHECK_REFUSED(rc, err, "command line: key 'aaaa", "too long (300 characters, at most 255)");
  /* Arguments around the length where messages cut them (200): each length is named cleanly
   * (a fuzzer found a one-byte overflow of the message buffer at 201). */
  for (int len = 190; len <= 230; len++) {
    char arg[300];
    int k = snprintf(arg, sizeof arg, "rnn.activation_fn=");
    memset(arg + k, 'x', (size_t)(len - k));
    arg[len] = '\0';
    const char *ov4[] = {arg};
    rc = rx_config_load(&cfg, "spatial_navigation/noisy_unbiased", 1, ov4, &err);
    CHECK_MSG(rc != 0 && strstr(err.msg, "command line: rnn.activation_fn=xxx") &&
                  strchr(err.msg, '\n') == NULL,
              "length %d: rc %d, '%s'", len, rc, err.msg);
  }
  /* The analysis config reads overrides the same way. */
  rx_analysis_config acfg;
  rc = rx_analysis_config_load(&acfg, 1, ov1, &err);
  CHECK_REFUSED(rc, err, "command line: path=...", "not valid UTF-8");
}

/* Every seed and regression input of the fuzzers loads or fails cleanly here too (so the
 * ordinary and sanitizer test runs replay them without libFuzzer). */
static void test_fuzz_corpus_inputs_load_or_fail_in_one_line(void) {
  static const char *const npz[] = {"checkpoint_gru_hd.npz", "checkpoint_vanilla_compressed.npz",
                                    "truncated_300_mixed.npz", "truncated_200_mixed_compressed.npz",
                                    "empty.npz"};
  for (size_t i = 0; i < sizeof npz / sizeof npz[0]; i++) {
    char path[600];
    snprintf(path, sizeof path, CORPUS "/fuzz_npz/%s", npz[i]);
    rx_checkpoint ck;
    rx_error err = {{0}};
    int rc = rx_checkpoint_load(path, &ck, &err);
    int want_ok = strncmp(npz[i], "checkpoint_", 11) == 0;
    CHECK_MSG(want_ok ? rc == 0 : rc < 0, "%s: rc %d %s", npz[i], rc, err.msg);
    if (rc == 0) {
      rx_checkpoint_free(&ck);
    } else {
      CHECK(strchr(err.msg, '\n') == NULL && contains(err.msg, npz[i]));
    }
  }
  rx_train_config cfg;
  rx_error err;
  int rc = load_file(CORPUS "/fuzz_config/regress_newline_in_key.yml", &err);
  CHECK_REFUSED(rc, err, "regress_newline_in_key.yml:2", "unknown key 'rnn?.n_rec'");
  (void)cfg;
}

RX_TEST_MAIN(TEST(test_npy_claiming_1e15_elements_is_refused_without_allocating),
             TEST(test_npy_with_wrong_dtype_is_refused_naming_the_dtype),
             TEST(test_npy_key_with_a_newline_gives_a_one_line_message),
             TEST(test_truncated_npz_is_refused_naming_the_file),
             TEST(test_zip_member_claiming_4gib_is_refused),
             TEST(test_expect_names_file_and_array_for_wrong_dtype_and_shape),
             TEST(test_seed_checkpoint_loads),
             TEST(test_checkpoint_config_claiming_a_huge_network_is_refused),
             TEST(test_checkpoint_with_wrong_dtype_shape_or_missing_weights_is_refused),
             TEST(test_oversized_config_file_is_refused_unread),
             TEST(test_deeply_nested_config_is_refused),
             TEST(test_truncated_config_is_refused_naming_file_and_line),
             TEST(test_wrong_type_and_shape_in_a_config_file_name_file_line_and_key),
             TEST(test_override_with_invalid_utf8_or_overlong_key_is_refused),
             TEST(test_fuzz_corpus_inputs_load_or_fail_in_one_line))
