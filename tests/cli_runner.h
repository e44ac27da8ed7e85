/* Shared by the tests that drive the reactivate binary (RX_TEST_CLI): run it with arguments,
 * capture stdout+stderr in a file, read the output back and count its lines. The binary is
 * started directly, without a shell (under valgrind a shell is one more traced process per
 * call). */
#ifndef RX_TEST_CLI_RUNNER_H
#define RX_TEST_CLI_RUNNER_H

#include <errno.h>
#include <fcntl.h>
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

/* Runs the CLI with the given arguments, split at spaces (no shell: an argument holds no space,
 * quotes and redirections are not interpreted), its stdout and stderr into cli_out_path;
 * returns its exit status (-1: it could not be started, or a signal ended it). */
static int run_cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_cli(const char *fmt, ...) {
  char args[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  char *argv[256];
  int argc = 0;
  argv[argc++] = (char *)RX_TEST_CLI;
  for (char *save = NULL, *t = strtok_r(args, " ", &save); t && argc < 255;
       t = strtok_r(NULL, " ", &save))
    argv[argc++] = t;
  argv[argc] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(cli_out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(127);
    close(fd);
    execv(RX_TEST_CLI, argv);
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
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
