/* One formatter for the library's log callbacks (see log_line.h). */
#include "core/log_line.h"

#include <stdio.h>

void rxc_log_vprintf(rxc_line_fn log, void *ctx, const char *fmt, va_list ap) {
  if (!log) return;
  char line[3000];
  vsnprintf(line, sizeof line, fmt, ap);
  log(ctx, line);
}
