/* Error reporting for libreactivate: every fallible function returns 0 or a negative rx_status
 * and, when given an rx_error, fills it with one line naming the file, key or value at fault.
 * The library never prints or exits; the CLI decides what to do with the message. */
#ifndef RX_ERROR_H
#define RX_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rx_status {
  RX_OK = 0,
  RX_EINVAL = -1,  /* bad argument, config key or value */
  RX_EIO = -2,     /* file cannot be opened, read, written or renamed */
  RX_ENOMEM = -3,  /* allocation failed */
  RX_EFORMAT = -4, /* file exists but its content is malformed, truncated or of the wrong kind */
  RX_ENUMERIC = -5 /* NaN or Inf where a finite number was required */
} rx_status;

typedef struct rx_error {
  char msg[1024];
} rx_error;

/* Formats the message into err (if not NULL) and returns code, so callers can write
 * `return rx_fail(err, RX_EINVAL, "...", ...);`. */
int rx_fail(rx_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepends "context: " to an existing message (e.g. the file being loaded). Returns code. */
int rx_error_prefix(rx_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The static analyzer (clang-tidy; docs/development.md) sees one file at a time, so it cannot
 * know that these two return their code and would follow error paths as if they had returned 0.
 * This model tells it; compilers never see it. */
#ifdef __clang_analyzer__
#define rx_fail(err, code, ...) (rx_fail((err), (code), __VA_ARGS__), (code))
#define rx_error_prefix(err, code, ...) (rx_error_prefix((err), (code), __VA_ARGS__), (code))
#endif

void rx_error_clear(rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
