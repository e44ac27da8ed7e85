/* One formatter for the library's log callbacks (see log_line.h). */
#include "core/log_line.h"

#include <stdio.h>

void rx_log_vprintf(rx_line_fn log, void *ctx, const char *fmt, va_list ap) {
  if (!log) return;
  char line[3000];
  vsnprintf(line, sizeof line, fmt, ap);
  log(ctx, line);
}
