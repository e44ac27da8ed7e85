/* Option parsing helpers, error printing and the progress line with rate and ETA. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "reactivate/linalg.h"

/* Name in parentheses: not expanded as cli.h's model of it for the static analyzer. */
int(cli_error)(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("reactivate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

int cli_parse_int(const char *opt, const char *s, long long lo, long long hi, long long *out) {
  char *end = NULL;
  errno = 0;
  long long v = s ? strtoll(s, &end, 10) : 0;
  if (!s || !*s || *end || errno || v < lo || v > hi) {
    cli_error("%s needs an integer in [%lld, %lld] (got '%s')", opt, lo, hi, s ? s : "");
    return 1;
  }
  *out = v;
  return 0;
}

int cli_parse_double(const char *opt, const char *s, double *out) {
  char *end = NULL;
  errno = 0;
  double v = s ? strtod(s, &end) : 0;
  if (!s || !*s || *end || errno || !isfinite(v)) {
    cli_error("%s needs a finite number (got '%s')", opt, s ? s : "");
    return 1;
  }
  *out = v;
  return 0;
}

void cli_set_threads(int n) {
  rx_set_threads(n);
  rx_flush_denormals();
}

int cli_is_help(const char *arg) { return !strcmp(arg, "--help") || !strcmp(arg, "-h"); }

void cli_format_duration(double s, char *buf, int n) {
  if (!isfinite(s) || s < 0) {
    snprintf(buf, n, "?");
  } else if (s < 60) {
    snprintf(buf, n, "%.0fs", s);
  } else if (s < 3600) {
    snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
  } else {
    snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
  }
}

void cli_progress_init(cli_progress *p, int quiet) {
  memset(p, 0, sizeof *p);
  p->tty = isatty(STDERR_FILENO);
  p->quiet = quiet;
  p->t_start = omp_get_wtime();
  p->done_at_start = -1;
  p->last_print = -1e9;
}

void cli_progress_update(cli_progress *p, int64_t done, int64_t total, const char *unit,
                         const char *detail, int force_line) {
  if (p->quiet) return;
  double now = omp_get_wtime();
  if (p->done_at_start < 0) {
    p->done_at_start = done;
    p->t_start = now;
  }
  /* On a terminal redraw at most 10 times a second; otherwise only when asked (e.g. tests). */
  if (p->tty ? (now - p->last_print < 0.1 && done < total && !force_line) : !force_line) return;
  p->last_print = now;
  double elapsed = now - p->t_start;
  double rate = elapsed > 0 ? (double)(done - p->done_at_start) / elapsed : 0;
  char eta[32];
  cli_format_duration(rate > 0 ? (double)(total - done) / rate : NAN, eta, sizeof eta);
  fprintf(stderr, "%s%lld/%lld %s%s%s | %.2f %s/s | ETA %s%s", p->tty ? "\r\033[K" : "",
          (long long)done, (long long)total, unit, detail && *detail ? " | " : "",
          detail ? detail : "", rate, unit, eta, p->tty ? "" : "\n");
  fflush(stderr);
}

void cli_progress_end(cli_progress *p) {
  if (!p->quiet && p->tty) fputc('\n', stderr);
}

int cli_parse_settings_args(int argc, char **argv, const char *command, const char *help,
                            int (*word)(void *ctx, const char *w), void *ctx,
                            cli_settings_args *out) {
  memset(out, 0, sizeof *out);
  out->settings = calloc((size_t)argc + 1, sizeof(char *));
  if (!out->settings) return cli_error("out of memory");
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) {
      fputs(help, stdout);
      rc = -1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      out->quiet = 1;
    } else if (!strcmp(a, "--threads")) {
      rc = cli_parse_int("--threads", i + 1 < argc ? argv[++i] : NULL, 0, 1024, &out->threads) ? 2
                                                                                               : 0;
    } else if (strchr(a, '=')) {
      out->settings[out->n_settings++] = a;
    } else if (a[0] == '-' || !word) {
      rc = cli_error("%s: unknown argument '%s' (see reactivate %s --help)", command, a, command) +
           1;
    } else {
      rc = word(ctx, a);
    }
  }
  if (rc) cli_settings_free(out);
  return rc;
}

void cli_settings_free(cli_settings_args *a) {
  free(a->settings);
  a->settings = NULL;
}

void cli_log_line(void *ctx, const char *line) {
  double t0 = *(const double *)ctx;
  fprintf(stderr, "[%7.1fs] %s\n", omp_get_wtime() - t0, line);
}
