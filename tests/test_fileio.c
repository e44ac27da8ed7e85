/* Tests for fileio: atomic writes replace content or leave the old file untouched with no
 * temporary file behind (missing folder, parent that is a file, failed rename, full disk via
 * /dev/full and via a tiny tmpfs), capped whole-file reads, mkdir -p. */
#include <dirent.h>
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reactivate/fileio.h"
#include "test_util.h"

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* Number of entries in dir whose name contains ".tmp." (-1 if dir cannot be listed). */
static int count_tmp_files(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += strstr(e->d_name, ".tmp.") != NULL;
  closedir(d);
  return n;
}

static int file_is(const char *path, const char *content) {
  char *data;
  size_t n;
  rx_error err;
  if (rx_read_file(path, &data, &n, 1 << 20, &err) != 0) return 0;
  int same = n == strlen(content) && memcmp(data, content, n) == 0;
  free(data);
  return same;
}

static void test_write_file_atomic_replaces_content_and_leaves_no_tmp(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "fileio_replace");
  snprintf(path, sizeof path, "%s/metrics.json", dir);
  rx_error err;
  CHECK(!rx_file_exists(path));
  REQUIRE(rx_write_file_atomic(path, "old", 3, &err) == 0);
  CHECK(rx_file_exists(path) && file_is(path, "old"));
  REQUIRE(rx_write_file_atomic(path, "new content", 11, &err) == 0);
  CHECK(file_is(path, "new content"));
  REQUIRE(rx_write_file_atomic(path, NULL, 0, &err) == 0); /* empty files are fine */
  CHECK(file_is(path, ""));
  CHECK(count_tmp_files(dir) == 0);

  /* The streaming interface: open, fprintf, commit. */
  rx_atomic_file af;
  REQUIRE(rx_atomic_open(&af, path, &err) == 0);
  CHECK(contains(af.tmp, ".tmp.") && strncmp(af.tmp, path, strlen(path)) == 0);
  fprintf(af.f, "step %d\n", 100);
  CHECK(file_is(path, "")); /* not visible until committed */
  REQUIRE(rx_atomic_commit(&af, &err) == 0);
  CHECK(file_is(path, "step 100\n"));
  CHECK(count_tmp_files(dir) == 0);
  rx_test_rm_rf(dir);
}

static void test_atomic_abort_removes_tmp_and_keeps_old(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "fileio_abort");
  snprintf(path, sizeof path, "%s/x.txt", dir);
  rx_error err;
  REQUIRE(rx_write_file_atomic(path, "old", 3, &err) == 0);
  rx_atomic_file af;
  REQUIRE(rx_atomic_open(&af, path, &err) == 0);
  fputs("half-written", af.f);
  fflush(af.f);
  CHECK(count_tmp_files(dir) == 1);
  rx_atomic_abort(&af);
  rx_atomic_abort(&af); /* twice is harmless */
  CHECK(count_tmp_files(dir) == 0);
  CHECK(file_is(path, "old"));
  CHECK(rx_atomic_commit(&af, &err) == RX_EINVAL); /* nothing left to commit */
  rx_test_rm_rf(dir);
}

/* What a signal handler calls before the process dies: the temporaries of the writes in
 * progress go, finished files and the old content stay; later writes are tracked afresh. */
static void test_remove_temporaries_of_writes_in_progress(void) {
  char dir[256], a[300], b[300], c[300];
  rx_test_tmpdir(dir, sizeof dir, "fileio_signal");
  snprintf(a, sizeof a, "%s/a.txt", dir);
  snprintf(b, sizeof b, "%s/b.txt", dir);
  snprintf(c, sizeof c, "%s/c.txt", dir);
  rx_error err;
  REQUIRE(rx_write_file_atomic(a, "old", 3, &err) == 0);
  rx_atomic_file fa, fb, fc;
  REQUIRE(rx_atomic_open(&fa, a, &err) == 0);
  REQUIRE(rx_atomic_open(&fb, b, &err) == 0);
  REQUIRE(rx_atomic_open(&fc, c, &err) == 0);
  fputs("done", fc.f);
  REQUIRE(rx_atomic_commit(&fc, &err) == 0);
  CHECK(count_tmp_files(dir) == 2);
  rx_atomic_remove_temporaries();
  CHECK(count_tmp_files(dir) == 0);
  CHECK(file_is(a, "old") && file_is(c, "done"));
  rx_atomic_abort(&fa);
  rx_atomic_abort(&fb);
  for (int i = 0; i < 40; i++) { /* more writes than slots, one after the other: all tracked */
    REQUIRE(rx_atomic_open(&fa, a, &err) == 0);
    CHECK(count_tmp_files(dir) == 1);
    if (i == 39) {
      rx_atomic_remove_temporaries();
      CHECK(count_tmp_files(dir) == 0);
    }
    rx_atomic_abort(&fa);
  }
  rx_test_rm_rf(dir);
}

static void test_write_into_missing_directory_fails_naming_path(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "fileio_nodir");
  snprintf(path, sizeof path, "%s/no/such/dir/model.npz", dir);
  rx_error err;
  CHECK(rx_write_file_atomic(path, "x", 1, &err) == RX_EIO);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "No such file or directory"), "%s",
            err.msg);
  CHECK(!rx_file_exists(path));
  CHECK(rx_write_file_atomic("/proc/rx_no_such_entry/x", "x", 1, &err) == RX_EIO);
  CHECK(contains(err.msg, "/proc/rx_no_such_entry/x"));
  rx_test_rm_rf(dir);
}

static void test_write_under_regular_file_fails_and_keeps_old(void) {
  char dir[256], file[300], path[320];
  rx_test_tmpdir(dir, sizeof dir, "fileio_notdir");
  snprintf(file, sizeof file, "%s/plain", dir);
  snprintf(path, sizeof path, "%s/child.txt", file);
  rx_error err;
  REQUIRE(rx_write_file_atomic(file, "old", 3, &err) == 0);
  CHECK(rx_write_file_atomic(path, "new", 3, &err) == RX_EIO);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "Not a directory"), "%s", err.msg);
  CHECK(file_is(file, "old"));
  CHECK(count_tmp_files(dir) == 0);
  rx_test_rm_rf(dir);
}

static void test_failed_rename_removes_tmp_and_keeps_target(void) {
  /* The target is a non-empty directory: everything succeeds up to rename, which fails. */
  char dir[256], path[300], inner[340];
  rx_test_tmpdir(dir, sizeof dir, "fileio_rename");
  snprintf(path, sizeof path, "%s/target", dir);
  snprintf(inner, sizeof inner, "%s/keep.txt", path);
  rx_error err;
  REQUIRE(rx_mkdirs(path, &err) == 0);
  REQUIRE(rx_write_file_atomic(inner, "kept", 4, &err) == 0);
  CHECK(rx_write_file_atomic(path, "new", 3, &err) == RX_EIO);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "rename"), "%s", err.msg);
  CHECK(file_is(inner, "kept"));
  CHECK(count_tmp_files(dir) == 0);
  rx_test_rm_rf(dir);
}

static void check_full_disk(const char *dir, const char *path, size_t n) {
  char *big = malloc(n);
  REQUIRE(big != NULL);
  memset(big, 'x', n);
  rx_error err = {{0}};
  CHECK(rx_write_file_atomic(path, big, n, &err) == RX_EIO);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "No space left on device"),
            "%zu bytes: '%s'", n, err.msg);
  CHECK(file_is(path, "old"));
  CHECK(count_tmp_files(dir) == 0);
  free(big);
}

static void test_full_disk_via_dev_full_reports_enospc_and_keeps_old(void) {
  /* path.tmp.<pid> is a link to /dev/full, so every write fails as on a full disk: a small
   * buffer fails in the commit's fflush, a large one already in fwrite. */
  char dir[256], path[300], tmp[340];
  rx_test_tmpdir(dir, sizeof dir, "fileio_devfull");
  snprintf(path, sizeof path, "%s/log.txt", dir);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  rx_error err;
  REQUIRE(rx_write_file_atomic(path, "old", 3, &err) == 0);
  size_t sizes[2] = {10, 1 << 20};
  for (int k = 0; k < 2; k++) {
    REQUIRE(symlink("/dev/full", tmp) == 0);
    check_full_disk(dir, path, sizes[k]);
    struct stat st;
    CHECK(lstat(tmp, &st) != 0 && errno == ENOENT);
  }
  rx_test_rm_rf(dir);
}

static void test_full_disk_via_small_tmpfs_reports_enospc_and_keeps_old(void) {
  char dir[256], mnt[300], path[340];
  rx_test_tmpdir(dir, sizeof dir, "fileio_tmpfs");
  snprintf(mnt, sizeof mnt, "%s/mnt", dir);
  REQUIRE(mkdir(mnt, 0700) == 0);
  if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
    fprintf(stderr, "  SKIP: cannot mount a tmpfs (%s); /dev/full test covers ENOSPC\n",
            strerror(errno));
    rx_test_rm_rf(dir);
    return;
  }
  snprintf(path, sizeof path, "%s/model.npz", mnt);
  rx_error err;
  if (rx_write_file_atomic(path, "old", 3, &err) == 0)
    check_full_disk(mnt, path, 1 << 20);
  else
    CHECK_MSG(0, "%s", err.msg);
  CHECK(umount(mnt) == 0);
  rx_test_rm_rf(dir);
}

static void test_read_file_reads_whole_file_nul_terminated(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "fileio_read");
  snprintf(path, sizeof path, "%s/a.bin", dir);
  const char content[5] = {'a', '\0', 'b', 'c', 'd'};
  rx_error err;
  REQUIRE(rx_write_file_atomic(path, content, 5, &err) == 0);
  char *data;
  size_t n;
  REQUIRE(rx_read_file(path, &data, &n, 5, &err) == 0);
  CHECK(n == 5 && memcmp(data, content, 5) == 0 && data[5] == '\0');
  free(data);
  /* Special files report size 0; reading grows the buffer until EOF. */
  REQUIRE(rx_read_file("/proc/self/status", &data, &n, 1 << 20, &err) == 0);
  CHECK(n > 0 && strlen(data) == n && contains(data, "Name:"));
  free(data);
  rx_test_rm_rf(dir);
}

static void test_read_file_refuses_missing_directory_and_oversize(void) {
  char dir[256], path[300];
  rx_test_tmpdir(dir, sizeof dir, "fileio_readbad");
  snprintf(path, sizeof path, "%s/missing.yaml", dir);
  char *data = (char *)1;
  size_t n = 7;
  rx_error err;
  CHECK(rx_read_file(path, &data, &n, 100, &err) == RX_EIO && data == NULL && n == 0);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "No such file"), "%s", err.msg);
  CHECK(rx_read_file(dir, &data, &n, 100, &err) == RX_EIO && data == NULL);
  CHECK_MSG(contains(err.msg, dir) && contains(err.msg, "Is a directory"), "%s", err.msg);
  snprintf(path, sizeof path, "%s/big.txt", dir);
  REQUIRE(rx_write_file_atomic(path, "0123456789", 10, &err) == 0);
  CHECK(rx_read_file(path, &data, &n, 9, &err) == RX_EFORMAT && data == NULL);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "10 bytes"), "%s", err.msg);
  CHECK(rx_read_file("/proc/self/status", &data, &n, 16, &err) == RX_EFORMAT && data == NULL);
  CHECK_MSG(contains(err.msg, "/proc/self/status"), "%s", err.msg);
  rx_test_rm_rf(dir);
}

static void test_mkdirs_creates_nested_and_accepts_existing(void) {
  char dir[256], path[340];
  rx_test_tmpdir(dir, sizeof dir, "fileio_mkdirs");
  snprintf(path, sizeof path, "%s/results//ring/seed_1/", dir);
  rx_error err;
  REQUIRE(rx_mkdirs(path, &err) == 0);
  struct stat st;
  CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
  CHECK(rx_mkdirs(path, &err) == 0);
  CHECK(rx_mkdirs(dir, &err) == 0);
  CHECK(rx_mkdirs("/", &err) == 0);
  CHECK(rx_mkdirs("", &err) == RX_EINVAL);
  rx_test_rm_rf(dir);
}

static void test_mkdirs_fails_naming_path_when_a_component_is_a_file(void) {
  char dir[256], file[300], path[340];
  rx_test_tmpdir(dir, sizeof dir, "fileio_mkdirs_bad");
  snprintf(file, sizeof file, "%s/plain", dir);
  rx_error err;
  REQUIRE(rx_write_file_atomic(file, "x", 1, &err) == 0);
  CHECK(rx_mkdirs(file, &err) == RX_EIO);
  CHECK_MSG(contains(err.msg, file) && contains(err.msg, "Not a directory"), "%s", err.msg);
  snprintf(path, sizeof path, "%s/sub/deeper", file);
  CHECK(rx_mkdirs(path, &err) == RX_EIO);
  CHECK_MSG(contains(err.msg, path) && contains(err.msg, "Not a directory"), "%s", err.msg);
  rx_test_rm_rf(dir);
}

static void test_too_long_path_is_refused(void) {
  char path[5000];
  memset(path, 'a', sizeof path - 1);
  path[sizeof path - 1] = '\0';
  rx_error err;
  rx_atomic_file af;
  CHECK(rx_atomic_open(&af, path, &err) == RX_EINVAL && contains(err.msg, "too long") &&
        af.f == NULL);
  CHECK(rx_mkdirs(path, &err) == RX_EINVAL && contains(err.msg, "too long"));
  CHECK(rx_write_file_atomic("", "x", 1, &err) == RX_EINVAL);
}

RX_TEST_MAIN(TEST(test_write_file_atomic_replaces_content_and_leaves_no_tmp),
             TEST(test_atomic_abort_removes_tmp_and_keeps_old),
             TEST(test_remove_temporaries_of_writes_in_progress),
             TEST(test_write_into_missing_directory_fails_naming_path),
             TEST(test_write_under_regular_file_fails_and_keeps_old),
             TEST(test_failed_rename_removes_tmp_and_keeps_target),
             TEST(test_full_disk_via_dev_full_reports_enospc_and_keeps_old),
             TEST(test_full_disk_via_small_tmpfs_reports_enospc_and_keeps_old),
             TEST(test_read_file_reads_whole_file_nul_terminated),
             TEST(test_read_file_refuses_missing_directory_and_oversize),
             TEST(test_mkdirs_creates_nested_and_accepts_existing),
             TEST(test_mkdirs_fails_naming_path_when_a_component_is_a_file),
             TEST(test_too_long_path_is_refused))
