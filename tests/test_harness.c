/* The test harness itself (test_util.h): tests named on the command line run alone; a name that
 * is not a test fails the run before anything runs, naming it and listing the known tests; a
 * failed check fails the run. Each case runs rx_test_main on a table of inner tests, with its
 * stdout and stderr captured in a file. */
#include <fcntl.h>
#include <unistd.h>

#include "test_util.h"

static int ran[3];
static void inner_a(void) { ran[0]++; }
static void inner_b(void) { ran[1]++; }
static void inner_fails(void) {
  ran[2]++;
  CHECK(!"a check that fails, on purpose (inner test)");
}

/* Runs the inner table with argv (argc entries), its output into err_text (malloc'd). */
static int nested(int argc, const char **argv, char **err_text) {
  static const rx_test_case inner[] = {TEST(inner_a), TEST(inner_b), TEST(inner_fails)};
  memset(ran, 0, sizeof ran);
  char path[] = "/tmp/rx_test_harness_XXXXXX";
  int fd = mkstemp(path), saved_failed = rx_test_failed_;
  int saved_err = dup(STDERR_FILENO), saved_out = dup(STDOUT_FILENO);
  fflush(stdout), fflush(stderr);
  dup2(fd, STDERR_FILENO), dup2(fd, STDOUT_FILENO);
  int rc = rx_test_main(argc, (char **)argv, inner, 3);
  fflush(stdout), fflush(stderr);
  dup2(saved_err, STDERR_FILENO), dup2(saved_out, STDOUT_FILENO);
  close(saved_err), close(saved_out);
  rx_test_failed_ = saved_failed;
  off_t n = lseek(fd, 0, SEEK_END);
  *err_text = calloc((size_t)n + 1, 1);
  if (*err_text && n > 0 && pread(fd, *err_text, (size_t)n, 0) != n) (*err_text)[0] = 0;
  close(fd);
  unlink(path);
  return rc;
}

static void test_unknown_test_name_fails_naming_it_and_runs_nothing(void) {
  const char *argv[] = {"test_x", "inner_a", "inner_typo"};
  char *err = NULL;
  int rc = nested(3, argv, &err);
  REQUIRE(err);
  CHECK_MSG(rc == 2, "exit %d", rc);
  CHECK(ran[0] == 0 && ran[1] == 0 && ran[2] == 0);
  CHECK_MSG(strstr(err, "unknown test 'inner_typo'"), "%s", err);
  CHECK_MSG(!strstr(err, "unknown test 'inner_a'"), "%s", err);
  CHECK_MSG(strstr(err, "known tests:") && strstr(err, "inner_a") && strstr(err, "inner_b") &&
                strstr(err, "inner_fails"),
            "%s", err);
  free(err);
}

static void test_named_tests_run_alone_and_a_failed_check_fails_the_run(void) {
  const char *one[] = {"test_x", "inner_b"};
  char *err = NULL;
  CHECK(nested(2, one, &err) == 0);
  CHECK(ran[0] == 0 && ran[1] == 1 && ran[2] == 0);
  free(err);
  const char *all[] = {"test_x"};
  CHECK(nested(1, all, &err) == 1); /* inner_fails fails */
  CHECK(ran[0] == 1 && ran[1] == 1 && ran[2] == 1);
  CHECK_MSG(err && strstr(err, "[ FAIL ] inner_fails"), "%s", err ? err : "");
  free(err);
}

RX_TEST_MAIN(TEST(test_unknown_test_name_fails_naming_it_and_runs_nothing),
             TEST(test_named_tests_run_alone_and_a_failed_check_fails_the_run))
