/* The library never prints: drivers hand each progress or skip line to the caller's callback
 * (rx_analysis_log_fn, rx_figures_log_fn, rx_report_log_fn all have this shape). */
#ifndef RX_CORE_LOG_LINE_H
#define RX_CORE_LOG_LINE_H

#include <stdarg.h>

typedef void (*rxc_line_fn)(void *ctx, const char *line);

/* Formats one line (cut at 3000 bytes) and passes it to log; nothing when log is NULL. */
void rxc_log_vprintf(rxc_line_fn log, void *ctx, const char *fmt, va_list ap);

#endif
