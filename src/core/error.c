/* rx_error: one-line error messages filled by the library and printed by the CLI. */
#include "reactivate/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages are one line: control characters from echoed input (a newline in a key, a file
 * name, a command-line argument) become '?'. */
static void one_line(char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = *s == '\t' ? ' ' : '?';
}

/* Names in parentheses: not expanded as error.h's model of them for the static analyzer. */
int(rx_fail)(rx_error *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    one_line(err->msg);
  }
  return code;
}

int(rx_error_prefix)(rx_error *err, int code, const char *fmt, ...) {
  if (!err) return code;
  char prefix[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  /* Shift the old message right by the prefix and ": ", truncating at the end. */
  size_t lp = strlen(prefix), lo = strlen(err->msg), cap = sizeof err->msg - 1;
  if (lp + 2 > cap) lp = cap - 2;
  if (lp + 2 + lo > cap) lo = cap - lp - 2;
  memmove(err->msg + lp + 2, err->msg, lo);
  memcpy(err->msg, prefix, lp);
  err->msg[lp] = ':';
  err->msg[lp + 1] = ' ';
  err->msg[lp + 2 + lo] = '\0';
  one_line(err->msg);
  return code;
}

void rx_error_clear(rx_error *err) {
  if (err) err->msg[0] = '\0';
}
