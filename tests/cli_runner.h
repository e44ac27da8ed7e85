/* Shared by the tests that drive the reactivate binary (RX_TEST_CLI): run it with arguments,
 * capture stdout+stderr in a file, read the output back and count its lines. */
#ifndef RX_TEST_CLI_RUNNER_H
#define RX_TEST_CLI_RUNNER_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reactivate/fileio.h"

/* Where the output of the last run goes; set once per test program (cli_runner_init). */
static char cli_out_path[300];

static inline void cli_runner_init(const char *tag) {
  snprintf(cli_out_path, sizeof cli_out_path, "/tmp/rx_test_%s_out_%d.txt", tag, (int)getpid());
}

/* Runs the CLI with the given arguments (a shell fragment); returns its exit status. */
static int run_cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_cli(const char *fmt, ...) {
  char args[4096], cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "%s %s > %s 2>&1", RX_TEST_CLI, args, cli_out_path);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* stdout+stderr of the last run (malloc'd). */
static inline char *output(void) {
  char *text = NULL;
  size_t n;
  if (rx_read_file(cli_out_path, &text, &n, 1 << 24, NULL)) return strdup("");
  return text;
}

static inline int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

#endif
