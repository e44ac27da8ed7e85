/* Tests for .npy/.npz: bit-exact round trips of every dtype and shape, compatibility with numpy
 * in both directions (numpy-written seed files in tests/data/npz, and /usr/bin/python3 when it
 * has numpy), refusal of truncated, corrupted, misnamed and wrong-typed files, and the checks on
 * the values of a read array. */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "io/io_internal.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "test_util.h"

#ifndef RX_TEST_SOURCE_DIR
#define RX_TEST_SOURCE_DIR "."
#endif
#define SEED_DIR RX_TEST_SOURCE_DIR "/tests/data/npz"
#define PYTHON "/usr/bin/python3"

/* "héllo wörld ☃ 𝄞" and "τ=0.1 ✓ 𝄞" in UTF-8 (U+1D11E needs 4 bytes, so UTF-32 in numpy). */
#define TEXT_NUMPY "h\xc3\xa9llo w\xc3\xb6rld \xe2\x98\x83 \xf0\x9d\x84\x9e"
#define TEXT_C "\xcf\x84=0.1 \xe2\x9c\x93 \xf0\x9d\x84\x9e"

/* ---- helpers ---- */

static unsigned char *slurp(const char *path, size_t *n) {
  char *buf = NULL;
  rx_error err;
  if (rx_read_file(path, &buf, n, (size_t)1 << 30, &err) != 0) {
    fprintf(stderr, "  slurp: %s\n", err.msg);
    return NULL;
  }
  return (unsigned char *)buf;
}

static int spit(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = n ? fwrite(data, 1, n, f) : 0;
  return fclose(f) == 0 && w == n ? 0 : -1;
}

static int have_numpy(void) {
  static int cached = -1;
  if (cached < 0) cached = system(PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0;
  if (!cached) fprintf(stderr, "  SKIP: %s cannot import numpy; numpy checks not run\n", PYTHON);
  return cached;
}

/* Writes script to dir/name and runs python on it with dir as argv[1]; returns the exit code. */
static int run_python(const char *dir, const char *name, const char *script) {
  char path[512], cmd[1200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (spit(path, script, strlen(script)) != 0) return -1;
  snprintf(cmd, sizeof cmd, PYTHON " '%s' '%s'", path, dir);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static rx_array make(const char *name, rx_dtype dtype, int ndim, const int64_t *shape,
                     const void *data) {
  rx_array a;
  memset(&a, 0, sizeof a);
  snprintf(a.name, sizeof a.name, "%s", name);
  a.dtype = dtype;
  a.ndim = ndim;
  a.data = (void *)data;
  a.size = 1;
  for (int i = 0; i < ndim; i++) {
    a.shape[i] = shape[i];
    a.size *= (size_t)shape[i];
  }
  return a;
}

static int same_array(const rx_array *a, const rx_array *b) {
  if (strcmp(a->name, b->name) != 0 || a->dtype != b->dtype || a->ndim != b->ndim ||
      a->size != b->size)
    return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  if (a->dtype == RX_STR) return strcmp(a->data, b->data) == 0;
  return a->size == 0 || memcmp(a->data, b->data, a->size * rx_dtype_size(a->dtype)) == 0;
}

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* A table of arrays covering every dtype, 0-d to 8-d, empty arrays and special float values. */
typedef struct fixture {
  uint32_t f32_bits[24];
  double f64[5];
  int32_t i32;
  int64_t i64[3];
  uint8_t u8[8];
  double deep[2];
  rx_array arrays[11];
  int n;
} fixture;

static void fixture_init(fixture *fx) {
  static const uint32_t specials[] = {0x7fc00001u /* NaN with payload */,
                                      0xffc00000u,
                                      0x80000000u /* -0 */,
                                      0x7f800000u /* inf */,
                                      0xff800000u,
                                      0x00000001u /* denormal */};
  for (int i = 0; i < 24; i++) {
    float v = (float)i * 0.37f - 2.0f;
    memcpy(&fx->f32_bits[i], &v, 4);
  }
  memcpy(fx->f32_bits, specials, sizeof specials);
  const double f64[5] = {0.1, -1e-300, 1e300, -0.0, 4.9e-324};
  memcpy(fx->f64, f64, sizeof f64);
  fx->i32 = -123456;
  fx->i64[0] = INT64_MIN, fx->i64[1] = INT64_MAX, fx->i64[2] = 0;
  for (int i = 0; i < 8; i++)
    fx->u8[i] = (uint8_t)(i * 37);
  fx->deep[0] = 1.5, fx->deep[1] = -2.5;
  static const int64_t s3[] = {2, 3, 4}, s1[] = {5}, s_i64[] = {3}, s_u8[] = {2, 2, 2}, s0[] = {0},
                       s302[] = {3, 0, 2}, s8[] = {1, 1, 1, 1, 1, 1, 1, 2};
  int n = 0;
  fx->arrays[n++] = make("w_rec.weight", RX_F32, 3, s3, fx->f32_bits);
  fx->arrays[n++] = make("f64", RX_F64, 1, s1, fx->f64);
  fx->arrays[n++] = make("i32_scalar", RX_I32, 0, NULL, &fx->i32);
  fx->arrays[n++] = make("i64", RX_I64, 1, s_i64, fx->i64);
  fx->arrays[n++] = make("u8", RX_U8, 3, s_u8, fx->u8);
  fx->arrays[n++] = rx_array_str("config", TEXT_C);
  fx->arrays[n++] = rx_array_str("empty_text", "");
  fx->arrays[n++] = make("empty_f32", RX_F32, 1, s0, NULL);
  fx->arrays[n++] = make("empty_i64", RX_I64, 3, s302, NULL);
  fx->arrays[n++] = make("deep", RX_F64, 8, s8, fx->deep);
  fx->arrays[n++] = rx_array_i64_scalar("step", &fx->i64[1]);
  fx->n = n;
}

/* ---- round trips ---- */

static void test_npy_header_matches_numpy_byte_for_byte(void) {
  /* What numpy 1.24's np.save writes for a float32 array of shape (200, 100, 512). */
  static const char numpy_header[] =
      "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, "
      "'shape': (200, 100, 512), }                                     "
      "            \n";
  int64_t shape[3] = {200, 100, 512};
  rx_array a = rx_array_f32("x", NULL, 3, shape);
  float one = 0;
  a.data = &one; /* only the header is compared */
  rxio_npy_blob b;
  rx_error err;
  REQUIRE(rxio_npy_blob_make(&a, &b, &err) == 0);
  CHECK(b.header_len == 128 && b.header_len % 64 == 0);
  CHECK(sizeof numpy_header - 1 == 128);
  CHECK(memcmp(b.header, numpy_header, 128) == 0);
  CHECK(b.data_len == (size_t)200 * 100 * 512 * 4);
  rxio_npy_blob_free(&b);

  /* 0-d and 1-d shapes print as () and (n,); every header is a multiple of 64 bytes. */
  int64_t n7 = 7;
  rx_array v = rx_array_f32("v", &one, 1, &n7);
  v.size = 7;
  REQUIRE(rxio_npy_blob_make(&v, &b, &err) == 0);
  CHECK(b.header_len % 64 == 0 && b.header[b.header_len - 1] == '\n');
  CHECK(memcmp(b.header + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", 57) ==
        0);
  rxio_npy_blob_free(&b);
  int64_t i = 3;
  rx_array s = rx_array_i64_scalar("s", &i);
  REQUIRE(rxio_npy_blob_make(&s, &b, &err) == 0);
  CHECK(memcmp(b.header + 10, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", 55) == 0);
  rxio_npy_blob_free(&b);
}

static void test_npy_round_trip_every_dtype_is_bit_exact(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npy_rt");
  fixture fx;
  fixture_init(&fx);
  for (int k = 0; k < fx.n; k++) {
    rx_error err;
    snprintf(path, sizeof path, "%s/%s.npy", dir, fx.arrays[k].name);
    int rc = rx_npy_write(path, &fx.arrays[k], &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    rx_array back;
    rc = rx_npy_read(path, &back, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc) continue;
    snprintf(back.name, sizeof back.name, "%s", fx.arrays[k].name); /* .npy files carry no name */
    CHECK_MSG(same_array(&back, &fx.arrays[k]), "array %s", fx.arrays[k].name);
    CHECK(back.data != NULL);
    rx_array_free(&back);
  }
  rx_test_rm_rf(dir);
}

static void test_npz_round_trip_every_dtype_and_shape_is_bit_exact(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_rt");
  snprintf(path, sizeof path, "%s/all.npz", dir);
  fixture fx;
  fixture_init(&fx);
  rx_error err;
  REQUIRE(rx_npz_write(path, fx.arrays, fx.n, &err) == 0);
  rx_npz z;
  int rc = rx_npz_read(path, &z, &err);
  REQUIRE(rc == 0);
  CHECK(z.n == fx.n);
  for (int k = 0; k < fx.n && k < z.n; k++)
    CHECK_MSG(same_array(&z.arrays[k], &fx.arrays[k]), "array %s", fx.arrays[k].name);
  const rx_array *cfg = rx_npz_get(&z, "config");
  REQUIRE(cfg != NULL);
  CHECK(strcmp(cfg->data, TEXT_C) == 0 && cfg->size == strlen(TEXT_C));
  CHECK(rx_npz_get(&z, "nope") == NULL);
  rx_npz_free(&z);
  CHECK(z.n == 0 && z.arrays == NULL);

  /* Writing the same arrays twice gives the same bytes (fixed timestamps). */
  char path2[300];
  snprintf(path2, sizeof path2, "%s/again.npz", dir);
  REQUIRE(rx_npz_write(path2, fx.arrays, fx.n, &err) == 0);
  size_t n1, n2;
  unsigned char *b1 = slurp(path, &n1), *b2 = slurp(path2, &n2);
  CHECK(b1 && b2 && n1 == n2 && memcmp(b1, b2, n1) == 0);
  free(b1);
  free(b2);
  rx_test_rm_rf(dir);
}

static void test_empty_npz_round_trips(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_empty");
  snprintf(path, sizeof path, "%s/none.npz", dir);
  rx_error err;
  REQUIRE(rx_npz_write(path, NULL, 0, &err) == 0);
  rx_npz z;
  REQUIRE(rx_npz_read(path, &z, &err) == 0);
  CHECK(z.n == 0);
  rx_npz_free(&z);
  rx_test_rm_rf(dir);
}

/* ---- numpy compatibility ---- */

static const char *numpy_reads_c_files =
    "import sys, zipfile, numpy as np\n"
    "d = sys.argv[1]\n"
    "assert zipfile.ZipFile(d + '/c.npz').testzip() is None\n"
    "z = np.load(d + '/c.npz', allow_pickle=False)\n"
    "assert sorted(z.files) == sorted(['w', 'x', 'n', 'step', 'mask', 'config', 'e', 'e3']), "
    "z.files\n"
    "w = z['w']\n"
    "assert w.dtype == np.float32 and w.shape == (2, 3, 4)\n"
    "assert (w == np.arange(24, dtype=np.float32).reshape(2, 3, 4) * np.float32(0.25)).all()\n"
    "x = z['x']\n"
    "assert x.dtype == np.float64 and x.shape == (3,) and x.tolist() == [0.1, -1e-300, 1e300]\n"
    "n = z['n']\n"
    "assert n.dtype == np.int32 and n.tolist() == [-1, 0, 1, 2147483647]\n"
    "s = z['step']\n"
    "assert s.dtype == np.int64 and s.shape == () and int(s) == 123456789012345\n"
    "m = z['mask']\n"
    "assert m.dtype == np.uint8 and m.tolist() == [[0, 1], [254, 255]]\n"
    "c = z['config']\n"
    "assert c.shape == () and str(c) == '\\u03c4=0.1 \\u2713 \\U0001d11e', repr(str(c))\n"
    "assert z['e'].dtype == np.float32 and z['e'].shape == (0,)\n"
    "assert z['e3'].dtype == np.int64 and z['e3'].shape == (3, 0, 2)\n"
    "v = np.load(d + '/x.npy', allow_pickle=False)\n"
    "assert v.dtype == np.float64 and v.tolist() == [0.1, -1e-300, 1e300]\n"
    "t = np.load(d + '/s.npy', allow_pickle=False)\n"
    "assert t.dtype.kind == 'U' and t.shape == () and str(t) == '\\u03c4=0.1 \\u2713 \\U0001d11e'\n"
    "import io\n"
    "for name, arr in (('x.npy', v), ('s.npy', t)):\n"
    "    b = io.BytesIO()\n"
    "    np.save(b, arr)\n"
    "    assert open(d + '/' + name, 'rb').read() == b.getvalue(), name + ' differs from np.save'\n"
    "print('numpy read the files written by C')\n";

static void test_numpy_loads_npz_and_npy_written_by_c(void) {
  if (!have_numpy()) return;
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_to_numpy");
  float w[24];
  for (int i = 0; i < 24; i++)
    w[i] = (float)i * 0.25f;
  double x[3] = {0.1, -1e-300, 1e300};
  int32_t n[4] = {-1, 0, 1, 2147483647};
  int64_t step = 123456789012345;
  uint8_t mask[4] = {0, 1, 254, 255};
  int64_t s_w[] = {2, 3, 4}, s_x[] = {3}, s_n[] = {4}, s_m[] = {2, 2}, s_e[] = {0},
          s_e3[] = {3, 0, 2};
  rx_array arrays[8] = {rx_array_f32("w", w, 3, s_w),      make("x", RX_F64, 1, s_x, x),
                        make("n", RX_I32, 1, s_n, n),      rx_array_i64_scalar("step", &step),
                        make("mask", RX_U8, 2, s_m, mask), rx_array_str("config", TEXT_C),
                        rx_array_f32("e", NULL, 1, s_e),   make("e3", RX_I64, 3, s_e3, NULL)};
  rx_error err;
  snprintf(path, sizeof path, "%s/c.npz", dir);
  REQUIRE(rx_npz_write(path, arrays, 8, &err) == 0);
  snprintf(path, sizeof path, "%s/x.npy", dir);
  REQUIRE(rx_npy_write(path, &arrays[1], &err) == 0);
  snprintf(path, sizeof path, "%s/s.npy", dir);
  REQUIRE(rx_npy_write(path, &arrays[5], &err) == 0);
  CHECK(run_python(dir, "check.py", numpy_reads_c_files) == 0);
  rx_test_rm_rf(dir);
}

/* The generator of tests/data/npz (run with the output folder as argv[1]). */
static const char *numpy_writes_files =
    "import sys, numpy as np\n"
    "d = sys.argv[1]\n"
    "arrs = dict(a=np.arange(24, dtype=np.float32).reshape(2, 3, 4) * np.float32(0.5) - "
    "np.float32(3),\n"
    "            b=np.array([1.5, -2.25, 1e300]), c=np.int64(-7), d=np.arange(5, dtype=np.int32) - "
    "2,\n"
    "            e=np.array([0, 255, 7], np.uint8), config=np.array('h\\u00e9llo w\\u00f6rld "
    "\\u2603 \\U0001d11e'),\n"
    "            empty=np.zeros((0, 3), np.float32))\n"
    "np.savez(d + '/savez.npz', **arrs)\n"
    "arrs['big'] = np.tile(np.arange(100, dtype=np.float32), 100)\n"
    "np.savez_compressed(d + '/savez_compressed.npz', **arrs)\n"
    "np.save(d + '/str.npy', arrs['config'])\n"
    "np.save(d + '/f64.npy', arrs['b'])\n"
    "np.save(d + '/fortran.npy', np.asfortranarray(arrs['a'][0]))\n"
    "np.save(d + '/bigendian.npy', arrs['b'].astype('>f8'))\n";

static void check_numpy_npz(const char *path, int compressed) {
  rx_npz z;
  rx_error err;
  int rc = rx_npz_read(path, &z, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  if (rc) return;
  CHECK(z.n == 7 + compressed);
  const rx_array *a;
  int64_t s_a[] = {2, 3, 4}, s_b[] = {3}, s_d[] = {5}, s_e[] = {3}, s_empty[] = {0, 3},
          s_big[] = {10000};
  if (rx_npz_expect(&z, path, "a", RX_F32, 3, s_a, &a, &err) == 0) {
    const float *v = a->data;
    for (int i = 0; i < 24; i++)
      CHECK(v[i] == (float)i * 0.5f - 3.0f);
  } else
    CHECK_MSG(0, "%s", err.msg);
  if (rx_npz_expect(&z, path, "b", RX_F64, 1, s_b, &a, &err) == 0) {
    const double *v = a->data;
    CHECK(v[0] == 1.5 && v[1] == -2.25 && v[2] == 1e300);
  } else
    CHECK_MSG(0, "%s", err.msg);
  if (rx_npz_expect(&z, path, "c", RX_I64, 0, NULL, &a, &err) == 0)
    CHECK(*(const int64_t *)a->data == -7 && a->size == 1);
  else
    CHECK_MSG(0, "%s", err.msg);
  if (rx_npz_expect(&z, path, "d", RX_I32, 1, s_d, &a, &err) == 0) {
    const int32_t *v = a->data;
    for (int i = 0; i < 5; i++)
      CHECK(v[i] == i - 2);
  } else
    CHECK_MSG(0, "%s", err.msg);
  if (rx_npz_expect(&z, path, "e", RX_U8, 1, s_e, &a, &err) == 0) {
    const uint8_t *v = a->data;
    CHECK(v[0] == 0 && v[1] == 255 && v[2] == 7);
  } else
    CHECK_MSG(0, "%s", err.msg);
  if (rx_npz_expect(&z, path, "config", RX_STR, 0, NULL, &a, &err) == 0)
    CHECK_MSG(strcmp(a->data, TEXT_NUMPY) == 0 && a->size == strlen(TEXT_NUMPY), "got '%s'",
              (const char *)a->data);
  else
    CHECK_MSG(0, "%s", err.msg);
  CHECK_MSG(rx_npz_expect(&z, path, "empty", RX_F32, 2, s_empty, &a, &err) == 0 && a->size == 0,
            "%s", err.msg);
  if (compressed) {
    if (rx_npz_expect(&z, path, "big", RX_F32, 1, s_big, &a, &err) == 0) {
      const float *v = a->data;
      int ok = 1;
      for (int i = 0; i < 10000; i++)
        ok &= v[i] == (float)(i % 100);
      CHECK(ok);
    } else
      CHECK_MSG(0, "%s", err.msg);
  }
  rx_npz_free(&z);
}

static void check_numpy_npy(const char *dir) {
  char path[300];
  rx_array a;
  rx_error err;
  snprintf(path, sizeof path, "%s/str.npy", dir);
  int rc = rx_npy_read(path, &a, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  if (!rc) {
    CHECK(a.dtype == RX_STR && a.ndim == 0 && strcmp(a.data, TEXT_NUMPY) == 0);
    rx_array_free(&a);
  }
  snprintf(path, sizeof path, "%s/f64.npy", dir);
  rc = rx_npy_read(path, &a, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  if (!rc) {
    const double *v = a.data;
    CHECK(a.dtype == RX_F64 && a.ndim == 1 && a.shape[0] == 3 && a.size == 3);
    CHECK(v[0] == 1.5 && v[1] == -2.25 && v[2] == 1e300);
    rx_array_free(&a);
  }
  /* numpy's Fortran-order and big-endian files are refused, naming the file and the fault. */
  snprintf(path, sizeof path, "%s/fortran.npy", dir);
  rc = rx_npy_read(path, &a, &err);
  CHECK(rc == RX_EFORMAT && contains(err.msg, path) && contains(err.msg, "fortran_order"));
  snprintf(path, sizeof path, "%s/bigendian.npy", dir);
  rc = rx_npy_read(path, &a, &err);
  CHECK(rc == RX_EFORMAT && contains(err.msg, path) && contains(err.msg, "big-endian"));
}

static void test_c_reads_seed_files_written_by_numpy(void) {
  check_numpy_npz(SEED_DIR "/savez.npz", 0);
  check_numpy_npz(SEED_DIR "/savez_compressed.npz", 1);
  check_numpy_npy(SEED_DIR);
}

static void test_c_reads_files_numpy_writes_now(void) {
  if (!have_numpy()) return;
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "numpy_to_npz");
  REQUIRE(run_python(dir, "gen.py", numpy_writes_files) == 0);
  snprintf(path, sizeof path, "%s/savez.npz", dir);
  check_numpy_npz(path, 0);
  snprintf(path, sizeof path, "%s/savez_compressed.npz", dir);
  check_numpy_npz(path, 1);
  check_numpy_npy(dir);
  rx_test_rm_rf(dir);
}

/* ---- corrupt and truncated files ---- */

/* Every prefix of the file at src (0..n-1 bytes) must be refused with RX_EFORMAT naming the copy.
 */
/* Under RX_TEST_SMALL (rx_test_small, .ci/valgrind.sh) the exhaustive loops below visit every
 * k-th case instead of every one (each visited case is checked exactly as in a full run). */
static size_t test_stride(size_t k) { return rx_test_small() ? k : 1; }

static void check_every_prefix_refused(const char *src, const char *dir, int is_npz) {
  size_t n;
  unsigned char *full = slurp(src, &n);
  REQUIRE(full != NULL);
  char path[300];
  snprintf(path, sizeof path, "%s/cut.%s", dir, is_npz ? "npz" : "npy");
  int bad = 0;
  const size_t stride = test_stride(7); /* prime: cuts land at every offset within structures */
  for (size_t len = 0; len < n; len = len + stride < n || len + 1 == n ? len + stride : n - 1) {
    REQUIRE(spit(path, full, len) == 0);
    rx_error err = {{0}};
    int rc;
    if (is_npz) {
      rx_npz z;
      rc = rx_npz_read(path, &z, &err);
      if (rc == 0) rx_npz_free(&z);
    } else {
      rx_array a;
      rc = rx_npy_read(path, &a, &err);
      if (rc == 0) rx_array_free(&a);
    }
    if (rc != RX_EFORMAT || !contains(err.msg, path)) {
      if (bad++ < 5)
        fprintf(stderr, "  prefix of %zu/%zu bytes: rc %d, '%s'\n", len, n, rc, err.msg);
    }
  }
  CHECK_MSG(bad == 0, "%d prefixes of %s not refused", bad, src);
  free(full);
}

static void test_truncated_files_are_refused_at_every_prefix_length(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_cut");
  fixture fx;
  fixture_init(&fx);
  rx_error err;
  snprintf(path, sizeof path, "%s/all.npz", dir);
  REQUIRE(rx_npz_write(path, fx.arrays, fx.n, &err) == 0);
  check_every_prefix_refused(path, dir, 1);
  check_every_prefix_refused(SEED_DIR "/savez.npz", dir, 1);            /* ZIP64 local headers */
  check_every_prefix_refused(SEED_DIR "/savez_compressed.npz", dir, 1); /* deflate */
  snprintf(path, sizeof path, "%s/w.npy", dir);
  REQUIRE(rx_npy_write(path, &fx.arrays[0], &err) == 0);
  check_every_prefix_refused(path, dir, 0);
  check_every_prefix_refused(SEED_DIR "/str.npy", dir, 0);

  /* A cut inside a member's data names that member. */
  snprintf(path, sizeof path, "%s/all.npz", dir);
  size_t n;
  unsigned char *full = slurp(path, &n);
  REQUIRE(full != NULL);
  char cut[300];
  snprintf(cut, sizeof cut, "%s/cut_in_w.npz", dir);
  REQUIRE(spit(cut, full, 200) == 0); /* w_rec.weight.npy: 30 + 16 + 128 + 96 bytes */
  rx_npz z;
  CHECK(rx_npz_read(cut, &z, &err) == RX_EFORMAT);
  CHECK_MSG(contains(err.msg, cut) && contains(err.msg, "truncated") &&
                contains(err.msg, "'w_rec.weight.npy'"),
            "%s", err.msg);
  free(full);
  rx_test_rm_rf(dir);
}

/* Flipping any one byte is either refused (naming the file) or leaves the arrays unchanged
 * (bytes no reader looks at, such as timestamps); flips in member data fail the CRC. */
static void check_every_flip(const char *src, const char *dir, const rx_npz *want) {
  size_t n;
  unsigned char *buf = slurp(src, &n);
  REQUIRE(buf != NULL);
  char path[300];
  snprintf(path, sizeof path, "%s/flip.npz", dir);
  int bad = 0, refused = 0, tried = 0;
  for (size_t i = 0; i < n; i += test_stride(7), tried++) {
    buf[i] ^= 0xFF;
    REQUIRE(spit(path, buf, n) == 0);
    buf[i] ^= 0xFF;
    rx_npz z;
    rx_error err = {{0}};
    int rc = rx_npz_read(path, &z, &err);
    int ok;
    if (rc == 0) {
      ok = z.n == want->n;
      for (int k = 0; ok && k < z.n; k++)
        ok = same_array(&z.arrays[k], &want->arrays[k]);
      rx_npz_free(&z);
    } else {
      refused++;
      ok = rc == RX_EFORMAT && contains(err.msg, path);
    }
    if (!ok && bad++ < 5) fprintf(stderr, "  flip at %zu/%zu: rc %d '%s'\n", i, n, rc, err.msg);
  }
  CHECK_MSG(bad == 0, "%d flips of %s misread", bad, src);
  CHECK(refused > tried / 2);
  free(buf);
}

static void test_every_single_byte_flip_is_refused_or_harmless(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_flip");
  fixture fx;
  fixture_init(&fx);
  rx_error err;
  snprintf(path, sizeof path, "%s/all.npz", dir);
  REQUIRE(rx_npz_write(path, fx.arrays, fx.n, &err) == 0);
  rx_npz want;
  REQUIRE(rx_npz_read(path, &want, &err) == 0);
  check_every_flip(path, dir, &want);
  rx_npz_free(&want);
  REQUIRE(rx_npz_read(SEED_DIR "/savez_compressed.npz", &want, &err) == 0);
  check_every_flip(SEED_DIR "/savez_compressed.npz", dir, &want);
  rx_npz_free(&want);
  rx_test_rm_rf(dir);
}

static void test_flipped_data_byte_fails_crc(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_crc");
  snprintf(path, sizeof path, "%s/x.npz", dir);
  float v[4] = {1, 2, 3, 4};
  int64_t s[] = {4};
  rx_array a = rx_array_f32("x", v, 1, s);
  rx_error err;
  REQUIRE(rx_npz_write(path, &a, 1, &err) == 0);
  size_t n;
  unsigned char *buf = slurp(path, &n);
  REQUIRE(buf != NULL);
  buf[30 + 5 + 128 + 5] ^= 0x01; /* inside the float data of x.npy */
  REQUIRE(spit(path, buf, n) == 0);
  rx_npz z;
  CHECK(rx_npz_read(path, &z, &err) == RX_EFORMAT);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "CRC") && contains(err.msg, "'x.npy'"),
            "%s", err.msg);
  free(buf);
  rx_test_rm_rf(dir);
}

static void test_deflated_member_claiming_impossible_size_is_refused(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_bomb");
  snprintf(path, sizeof path, "%s/bomb.npz", dir);
  size_t n;
  unsigned char *buf = slurp(SEED_DIR "/savez_compressed.npz", &n);
  REQUIRE(buf != NULL && n > 22);
  size_t end = n - 22,
         cd = (size_t)buf[end + 16] | (size_t)buf[end + 17] << 8 | (size_t)buf[end + 18] << 16;
  REQUIRE(cd + 46 < n && buf[cd] == 'P' && buf[cd + 1] == 'K' && buf[cd + 10] == 8);
  memcpy(buf + cd + 24, "\xfe\xff\xff\x7f", 4); /* uncompressed size 2 GiB from ~100 bytes */
  REQUIRE(spit(path, buf, n) == 0);
  rx_npz z;
  rx_error err;
  CHECK(rx_npz_read(path, &z, &err) == RX_EFORMAT);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "claims 2147483646 bytes"), "%s", err.msg);
  free(buf);
  rx_test_rm_rf(dir);
}

/* Hand-made .npy headers, each refused with RX_EFORMAT and a message naming the file and fault. */
typedef struct bad_npy {
  const char *dict;
  size_t data_len;
  const char *fault; /* expected in the message */
} bad_npy;

static size_t build_npy(unsigned char *out, const char *magic, int major, const char *dict,
                        size_t data_len) {
  size_t dl = strlen(dict), hl = dl + 1;
  memcpy(out, magic, 6);
  out[6] = (unsigned char)major, out[7] = 0;
  out[8] = (unsigned char)hl, out[9] = (unsigned char)(hl >> 8);
  memcpy(out + 10, dict, dl);
  out[10 + dl] = '\n';
  memset(out + 10 + hl, 0, data_len);
  return 10 + hl + data_len;
}

static void test_bad_npy_headers_are_refused(void) {
  static const bad_npy cases[] = {
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, "fortran_order"},
      {"{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "big-endian"},
      {"{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype"},
      {"{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", 2, "unsupported dtype"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, "dtype"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", 8,
       "too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", 8,
       "truncated: data needs 4000000000 bytes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8,
       "overflows"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 0, "negative"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", 4,
       "more than 8"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12, "trailing bytes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4, "truncated"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", 12, "not a tuple"},
      {"{'descr': '<f4', 'shape': (2,), }", 8, "missing key 'fortran_order'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", 8,
       "unexpected key"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8,
       "duplicate key"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8, "malformed header"},
      {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", 8, "fortran_order"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", 8, "text after"},
      {"['descr', '<f4']", 8, "not a dict"},
      {"{'descr': '<U2', 'fortran_order': False, 'shape': (1,), }", 8, "only 0-d"},
      {"{'descr': '<U2', 'fortran_order': False, 'shape': (), }", 4, "truncated"},
  };
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npy_bad");
  snprintf(path, sizeof path, "%s/bad.npy", dir);
  unsigned char buf[512];
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    size_t n = build_npy(buf, "\x93NUMPY", 1, cases[k].dict, cases[k].data_len);
    REQUIRE(spit(path, buf, n) == 0);
    rx_array a;
    rx_error err = {{0}};
    int rc = rx_npy_read(path, &a, &err);
    CHECK_MSG(rc == RX_EFORMAT && contains(err.msg, path) && contains(err.msg, cases[k].fault),
              "case %zu (%s): rc %d, '%s'", k, cases[k].dict, rc, err.msg);
    if (rc == 0) rx_array_free(&a);
  }
  /* Magic, version, header length, and an invalid UTF-32 code point. */
  struct {
    const char *magic;
    int major;
    const char *fault;
  } heads[] = {{"\x93NUMPZ", 1, "bad magic"}, {"\x93NUMPY", 4, "unsupported .npy version 4.0"}};
  const char *ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  for (size_t k = 0; k < 2; k++) {
    size_t n = build_npy(buf, heads[k].magic, heads[k].major, ok_dict, 8);
    REQUIRE(spit(path, buf, n) == 0);
    rx_array a;
    rx_error err;
    int rc = rx_npy_read(path, &a, &err);
    CHECK_MSG(rc == RX_EFORMAT && contains(err.msg, path) && contains(err.msg, heads[k].fault),
              "'%s'", err.msg);
  }
  size_t n = build_npy(buf, "\x93NUMPY", 1, ok_dict, 8);
  buf[8] = 0xFF, buf[9] = 0xFF; /* header length beyond the file */
  REQUIRE(spit(path, buf, n) == 0);
  rx_array a;
  rx_error err;
  CHECK(rx_npy_read(path, &a, &err) == RX_EFORMAT && contains(err.msg, "header needs"));
  n = build_npy(buf, "\x93NUMPY", 1, "{'descr': '<U1', 'fortran_order': False, 'shape': (), }", 4);
  buf[n - 4] = 0x00, buf[n - 3] = 0xD8; /* U+D800, a lone surrogate */
  REQUIRE(spit(path, buf, n) == 0);
  CHECK(rx_npy_read(path, &a, &err) == RX_EFORMAT && contains(err.msg, "code point"));
  /* Version 2.0 (4-byte header length) is read. */
  const char *dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\n";
  size_t dl = strlen(dict);
  memcpy(buf, "\x93NUMPY\x02\x00", 8);
  buf[8] = (unsigned char)dl, buf[9] = buf[10] = buf[11] = 0;
  memcpy(buf + 12, dict, dl);
  memcpy(buf + 12 + dl, "\x2a\x00\x00\x00", 4);
  REQUIRE(spit(path, buf, 12 + dl + 4) == 0);
  CHECK_MSG(rx_npy_read(path, &a, &err) == 0, "%s", err.msg);
  if (a.data) CHECK(a.dtype == RX_I32 && a.ndim == 1 && *(int32_t *)a.data == 42);
  rx_array_free(&a);
  rx_test_rm_rf(dir);
}

static void test_non_npz_files_are_refused_as_bad_magic(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_magic");
  snprintf(path, sizeof path, "%s/text.npz", dir);
  const char *text = "this is not a zip archive, just some text that is long enough to search\n";
  REQUIRE(spit(path, text, strlen(text)) == 0);
  rx_npz z;
  rx_error err;
  CHECK(rx_npz_read(path, &z, &err) == RX_EFORMAT && contains(err.msg, path) &&
        contains(err.msg, "bad magic"));
  /* A .npy handed to the .npz reader says so. */
  CHECK(rx_npz_read(SEED_DIR "/f64.npy", &z, &err) == RX_EFORMAT && contains(err.msg, ".npy file"));
  /* And an .npz handed to the .npy reader. */
  rx_array a;
  CHECK(rx_npy_read(SEED_DIR "/savez.npz", &a, &err) == RX_EFORMAT &&
        contains(err.msg, "bad magic"));
  rx_test_rm_rf(dir);
}

/* Replaces every occurrence of the same-length byte string from with to. */
static void patch_all(unsigned char *buf, size_t n, const char *from, const char *to) {
  size_t len = strlen(from);
  for (size_t i = 0; i + len <= n; i++)
    if (memcmp(buf + i, from, len) == 0) memcpy(buf + i, to, len);
}

static void test_duplicate_and_misnamed_members_are_refused(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_names");
  snprintf(path, sizeof path, "%s/names.npz", dir);
  float v[2] = {1, 2};
  int64_t s[] = {2};
  rx_array arrays[2] = {rx_array_f32("a1", v, 1, s), rx_array_f32("a2", v, 1, s)};
  rx_error err;
  REQUIRE(rx_npz_write(path, arrays, 2, &err) == 0);
  size_t n;
  unsigned char *orig = slurp(path, &n);
  REQUIRE(orig != NULL);
  unsigned char *buf = malloc(n);
  REQUIRE(buf != NULL);
  struct {
    const char *from, *to, *fault;
  } cases[] = {{"a2.npy", "a1.npy", "two members are named 'a1.npy'"},
               {"a2.npy", "a2.npz", "not named '<name>.npy'"},
               {"a2.npy", "a2\n.py", "not named '<name>.npy'"}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    memcpy(buf, orig, n);
    patch_all(buf, n, cases[k].from, cases[k].to);
    REQUIRE(spit(path, buf, n) == 0);
    rx_npz z;
    int rc = rx_npz_read(path, &z, &err);
    CHECK_MSG(rc == RX_EFORMAT && contains(err.msg, path) && contains(err.msg, cases[k].fault),
              "'%s'", err.msg);
    CHECK(!strchr(err.msg, '\n'));
    if (rc == 0) rx_npz_free(&z);
  }
  free(orig);
  free(buf);
  rx_test_rm_rf(dir);
}

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v) { put16(p, v & 0xFFFF), put16(p + 2, v >> 16); }
static void put64(unsigned char *p, uint64_t v) {
  put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32));
}

static void test_zip64_central_directory_is_read(void) {
  /* One stored member whose sizes and offset live only in ZIP64 extra fields, with a ZIP64 end
   * record: what zipfile writes for members over 4 GiB, in miniature. */
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_zip64");
  snprintf(path, sizeof path, "%s/z64.npz", dir);
  float v[3] = {1.5f, -2.5f, 3.25f};
  int64_t s[] = {3};
  rx_array a = rx_array_f32("z", v, 1, s);
  rxio_npy_blob b;
  rx_error err;
  REQUIRE(rxio_npy_blob_make(&a, &b, &err) == 0);
  size_t size = b.header_len + b.data_len;
  unsigned char *npy = malloc(size), *zip = calloc(1, size + 512);
  REQUIRE(npy && zip);
  memcpy(npy, b.header, b.header_len);
  memcpy(npy + b.header_len, b.data, b.data_len);
  rxio_npy_blob_free(&b);
  uint32_t crc = (uint32_t)crc32(0L, npy, (uInt)size);
  unsigned char *p = zip;
  put32(p, 0x04034b50), put16(p + 4, 45), put32(p + 14, crc), put32(p + 18, 0xFFFFFFFF),
      put32(p + 22, 0xFFFFFFFF);
  put16(p + 26, 5), put16(p + 28, 20);
  memcpy(p + 30, "z.npy", 5);
  put16(p + 35, 1), put16(p + 37, 16), put64(p + 39, size), put64(p + 47, size);
  memcpy(p + 55, npy, size);
  p += 55 + size;
  unsigned char *cd = p;
  put32(p, 0x02014b50), put16(p + 4, 45), put16(p + 6, 45), put32(p + 16, crc),
      put32(p + 20, 0xFFFFFFFF);
  put32(p + 24, 0xFFFFFFFF), put16(p + 28, 5), put16(p + 30, 28), put32(p + 42, 0xFFFFFFFF);
  memcpy(p + 46, "z.npy", 5);
  put16(p + 51, 1), put16(p + 53, 24), put64(p + 55, size), put64(p + 63, size), put64(p + 71, 0);
  p += 79;
  uint64_t cd_size = (uint64_t)(p - cd), cd_off = (uint64_t)(cd - zip), z64 = (uint64_t)(p - zip);
  put32(p, 0x06064b50), put64(p + 4, 44), put16(p + 12, 45), put16(p + 14, 45), put64(p + 24, 1),
      put64(p + 32, 1);
  put64(p + 40, cd_size), put64(p + 48, cd_off);
  p += 56;
  put32(p, 0x07064b50), put64(p + 8, z64), put32(p + 16, 1);
  p += 20;
  put32(p, 0x06054b50), put16(p + 8, 0xFFFF), put16(p + 10, 0xFFFF), put32(p + 12, 0xFFFFFFFF);
  put32(p + 16, 0xFFFFFFFF);
  p += 22;
  REQUIRE(spit(path, zip, (size_t)(p - zip)) == 0);
  rx_npz z;
  int rc = rx_npz_read(path, &z, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  if (rc == 0) {
    const rx_array *got;
    CHECK(rx_npz_expect(&z, path, "z", RX_F32, 1, s, &got, &err) == 0 &&
          memcmp(got->data, v, sizeof v) == 0);
    rx_npz_free(&z);
  }
  if (have_numpy()) { /* the hand-made archive is valid ZIP64 by Python's reading too */
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             PYTHON
             " -c \"import numpy as np; assert np.load('%s')['z'].tolist() == [1.5, -2.5, 3.25]\"",
             path);
    CHECK(system(cmd) == 0);
  }
  free(npy);
  free(zip);
  rx_test_rm_rf(dir);
}

/* ---- expectations and I/O failures ---- */

static void test_expect_checks_name_dtype_ndim_and_shape(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_expect");
  snprintf(path, sizeof path, "%s/m.npz", dir);
  float w[12] = {0};
  int64_t s[] = {3, 4};
  rx_array a = rx_array_f32("w_in", w, 2, s);
  rx_error err;
  REQUIRE(rx_npz_write(path, &a, 1, &err) == 0);
  rx_npz z;
  REQUIRE(rx_npz_read(path, &z, &err) == 0);
  const rx_array *got = NULL;
  int64_t exact[] = {3, 4}, wild[] = {-1, 4}, wrong[] = {3, 5}, three[] = {3, 4, 1};
  CHECK(rx_npz_expect(&z, path, "w_in", RX_F32, 2, exact, &got, &err) == 0 && got == &z.arrays[0]);
  CHECK(rx_npz_expect(&z, path, "w_in", RX_F32, 2, wild, &got, &err) == 0 && got != NULL);
  CHECK(rx_npz_expect(&z, path, "w_in", RX_F32, 2, NULL, NULL, &err) == 0);

  CHECK(rx_npz_expect(&z, path, "w_in", RX_F64, 2, exact, &got, &err) == RX_EFORMAT && got == NULL);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "'w_in'") &&
                contains(err.msg, "float32") && contains(err.msg, "float64"),
            "%s", err.msg);
  CHECK(rx_npz_expect(&z, path, "w_in", RX_F32, 2, wrong, &got, &err) == RX_EFORMAT);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "(3, 4)") && contains(err.msg, "(3, 5)"),
            "%s", err.msg);
  CHECK(rx_npz_expect(&z, path, "w_in", RX_F32, 3, three, &got, &err) == RX_EFORMAT);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "(3, 4, 1)"), "%s", err.msg);
  int64_t wild_wrong[] = {-1, 5};
  CHECK(rx_npz_expect(&z, path, "w_in", RX_F32, 2, wild_wrong, &got, &err) == RX_EFORMAT);
  CHECK_MSG(contains(err.msg, "(*, 5)"), "%s", err.msg);
  CHECK(rx_npz_expect(&z, path, "w_rec", RX_F32, 2, exact, &got, &err) == RX_EFORMAT);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "'w_rec'") && contains(err.msg, "missing"),
            "%s", err.msg);
  rx_npz_free(&z);
  rx_test_rm_rf(dir);
}

static void test_missing_file_and_directory_are_refused_with_eio(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_missing");
  snprintf(path, sizeof path, "%s/does_not_exist.npz", dir);
  rx_npz z;
  rx_array a;
  rx_error err;
  CHECK(rx_npz_read(path, &z, &err) == RX_EIO && contains(err.msg, path) &&
        contains(err.msg, "No such file"));
  CHECK(rx_npy_read(path, &a, &err) == RX_EIO && contains(err.msg, path));
  CHECK(rx_npz_read(dir, &z, &err) == RX_EIO && contains(err.msg, dir) &&
        contains(err.msg, "Is a directory"));
  CHECK(rx_npy_read(dir, &a, &err) == RX_EIO && contains(err.msg, dir));
  CHECK(z.n == 0 && z.arrays == NULL && a.data == NULL);
  rx_test_rm_rf(dir);
}

static void test_npz_write_refuses_invalid_arrays(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_badwrite");
  snprintf(path, sizeof path, "%s/bad.npz", dir);
  float v[4] = {0};
  int64_t s2[] = {2}, s9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, neg[] = {-2};
  rx_array twice[2] = {rx_array_f32("x", v, 1, s2), rx_array_f32("x", v, 1, s2)};
  rx_array size_mismatch = rx_array_f32("m", v, 1, s2);
  size_mismatch.size = 3;
  rx_array too_deep = make("deep", RX_F32, 8, s9, v);
  too_deep.ndim = 9;
  rx_array negative = rx_array_f32("neg", v, 1, neg);
  rx_array bad_utf8 = rx_array_str("s", "caf\xc3");
  rx_array unnamed = rx_array_f32("", v, 1, s2);
  rx_array no_data = rx_array_f32("nd", NULL, 1, s2);
  struct {
    const rx_array *arrays;
    int n;
    const char *fault;
  } cases[] = {{twice, 2, "two arrays are named 'x'"},
               {&size_mismatch, 1, "does not match"},
               {&too_deep, 1, "ndim 9"},
               {&negative, 1, "negative"},
               {&bad_utf8, 1, "invalid UTF-8"},
               {&unnamed, 1, "empty or unprintable name"},
               {&no_data, 1, "no data"}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    rx_error err = {{0}};
    int rc = rx_npz_write(path, cases[k].arrays, cases[k].n, &err);
    CHECK_MSG(rc == RX_EINVAL && contains(err.msg, path) && contains(err.msg, cases[k].fault),
              "case %zu: rc %d '%s'", k, rc, err.msg);
    CHECK(!rx_file_exists(path));
  }
  rx_error err;
  char npy[300];
  snprintf(npy, sizeof npy, "%s/bad.npy", dir);
  CHECK(rx_npy_write(npy, &bad_utf8, &err) == RX_EINVAL && contains(err.msg, npy) &&
        !rx_file_exists(npy));
  rx_test_rm_rf(dir);
}

static void test_npz_write_refuses_members_over_4gib_before_touching_data(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "npz_4g");
  snprintf(path, sizeof path, "%s/huge.npz", dir);
  float one = 1;
  int64_t s[] = {(int64_t)1 << 30}; /* 4 GiB of float32: the data pointer is never read */
  rx_array a = rx_array_f32("huge", &one, 1, s);
  rx_error err;
  CHECK(rx_npz_write(path, &a, 1, &err) == RX_EINVAL);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "'huge.npy'") &&
                contains(err.msg, "ZIP64"),
            "%s", err.msg);
  CHECK(!rx_file_exists(path));
  rx_test_rm_rf(dir);
}

static void test_npz_write_to_full_disk_keeps_old_file_and_no_tmp(void) {
  /* The temporary file is path.tmp.<pid>; making it a link to /dev/full makes every write fail
   * with ENOSPC, as a full disk would. */
  char dir[256], path[300], tmp[340];
  rx_test_tmpdir(dir, sizeof dir, "npz_full");
  snprintf(path, sizeof path, "%s/model.npz", dir);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  fixture fx;
  fixture_init(&fx);
  rx_error err;
  REQUIRE(rx_npz_write(path, fx.arrays, 3, &err) == 0);
  size_t n_old;
  unsigned char *old = slurp(path, &n_old);
  REQUIRE(old != NULL);
  REQUIRE(symlink("/dev/full", tmp) == 0);
  CHECK(rx_npz_write(path, fx.arrays, fx.n, &err) == RX_EIO);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "No space left on device"), "%s", err.msg);
  struct stat st;
  CHECK(lstat(tmp, &st) != 0 && errno == ENOENT);
  size_t n_now;
  unsigned char *now = slurp(path, &n_now);
  CHECK(now && n_now == n_old && memcmp(now, old, n_old) == 0);
  free(old);
  free(now);
  rx_test_rm_rf(dir);
}

/* Values read from users' files: the first NaN or Inf named by its C-order index; float64
 * rounded to float32 when finite and in range (else refused, the array left as it was); other
 * dtypes refused by numpy's name and descr. */
static void test_array_values_are_checked_and_float64_rounded(void) {
  rx_error err;
  float f[6] = {0, 1, 2, 3, 4, 5};
  int64_t sh[2] = {2, 3};
  rx_array a = rx_array_f32("x", f, 2, sh);
  CHECK(rx_array_check_finite(&a, "x", &err) == RX_OK);
  f[5] = NAN, f[4] = -INFINITY;
  CHECK(rx_array_check_finite(&a, "x", &err) == RX_ENUMERIC &&
        !strcmp(err.msg, "x: -Inf at [1, 1]; values must be finite"));
  CHECK(rx_array_to_f32(&a, "x", &err) == RX_OK && a.data == f); /* float32: untouched */

  const double d[6] = {0.1, -2.5, 1e-30, 3.0e38, -1e-50, 7};
  rx_array b = rx_array_f32("y", NULL, 2, sh);
  b.dtype = RX_F64;
  b.data = malloc(sizeof d);
  REQUIRE(b.data);
  memcpy(b.data, d, sizeof d);
  ((double *)b.data)[3] = 1e39; /* beyond float32 */
  CHECK(rx_array_to_f32(&b, "y", &err) == RX_ENUMERIC &&
        strstr(err.msg, "y: float64 value 1e+39 at [1, 0] is beyond float32's range"));
  CHECK(b.dtype == RX_F64 && ((double *)b.data)[3] == 1e39);
  ((double *)b.data)[3] = NAN;
  CHECK(rx_array_to_f32(&b, "y", &err) == RX_ENUMERIC && strstr(err.msg, "y: NaN at [1, 0]"));
  memcpy(b.data, d, sizeof d);
  REQUIRE(rx_array_to_f32(&b, "y", &err) == RX_OK);
  CHECK(b.dtype == RX_F32 && b.size == 6);
  int same = 1;
  for (int i = 0; i < 6; i++)
    same &= ((float *)b.data)[i] == (float)d[i];
  CHECK(same);
  rx_array_free(&b);

  int64_t v = 3;
  rx_array c = rx_array_i64_scalar("z", &v);
  CHECK(rx_array_check_finite(&c, "z", &err) == RX_OK);
  CHECK(rx_array_to_f32(&c, "z", &err) == RX_EFORMAT &&
        !strcmp(err.msg, "z: dtype int64 (<i8), expected float32 (<f4) or float64 (<f8)"));
  const rx_dtype all[6] = {RX_F32, RX_F64, RX_I32, RX_I64, RX_U8, RX_STR};
  const char *names[6] = {"float32", "float64", "int32", "int64", "uint8", "str"};
  const char *descrs[6] = {"<f4", "<f8", "<i4", "<i8", "|u1", "<U"};
  for (int i = 0; i < 6; i++)
    CHECK(!strcmp(rx_dtype_name(all[i]), names[i]) && !strcmp(rx_dtype_descr(all[i]), descrs[i]));
}

RX_TEST_MAIN(TEST(test_npy_header_matches_numpy_byte_for_byte),
             TEST(test_array_values_are_checked_and_float64_rounded),
             TEST(test_npy_round_trip_every_dtype_is_bit_exact),
             TEST(test_npz_round_trip_every_dtype_and_shape_is_bit_exact),
             TEST(test_empty_npz_round_trips), TEST(test_numpy_loads_npz_and_npy_written_by_c),
             TEST(test_c_reads_seed_files_written_by_numpy),
             TEST(test_c_reads_files_numpy_writes_now),
             TEST(test_truncated_files_are_refused_at_every_prefix_length),
             TEST(test_every_single_byte_flip_is_refused_or_harmless),
             TEST(test_flipped_data_byte_fails_crc),
             TEST(test_deflated_member_claiming_impossible_size_is_refused),
             TEST(test_bad_npy_headers_are_refused),
             TEST(test_non_npz_files_are_refused_as_bad_magic),
             TEST(test_duplicate_and_misnamed_members_are_refused),
             TEST(test_zip64_central_directory_is_read),
             TEST(test_expect_checks_name_dtype_ndim_and_shape),
             TEST(test_missing_file_and_directory_are_refused_with_eio),
             TEST(test_npz_write_refuses_invalid_arrays),
             TEST(test_npz_write_refuses_members_over_4gib_before_touching_data),
             TEST(test_npz_write_to_full_disk_keeps_old_file_and_no_tmp))
