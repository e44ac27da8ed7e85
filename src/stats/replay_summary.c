/* Summaries of scored replay events (docs/replay.md §1, replay.h): the fraction significant and the
 * median speeds, for the line and path scores alike. Speeds are converted to m/s or rad/s, and
 * compression computed, by the caller. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/replay.h"
#include "reactivate/sampling.h" /* rx_percentile */

/* The summary of n events whose significant flag (int) and speed (double) lie at sig and speed
 * in the first of n structs of `stride` bytes. */
static int summarize(const char *sig, const char *speed, size_t stride, size_t n,
                     rx_replay_summary *out, rx_error *err) {
  if (!out) return rx_fail(err, RX_EINVAL, "replay summary: NULL summary");
  if (n == 0) return rx_fail(err, RX_EINVAL, "replay summary: no events");
  double *sel = malloc(n * sizeof *sel), *abs_sel = malloc(n * sizeof *abs_sel);
  double *abs_all = malloc(n * sizeof *abs_all);
  if (!sel || !abs_sel || !abs_all) {
    free(sel);
    free(abs_sel);
    free(abs_all);
    return rx_fail(err, RX_ENOMEM, "replay summary: out of memory for %zu events", n);
  }
  size_t ns = 0;
  for (size_t i = 0; i < n; i++) {
    int s;
    double v;
    memcpy(&s, sig + i * stride, sizeof s);
    memcpy(&v, speed + i * stride, sizeof v);
    abs_all[i] = fabs(v);
    if (s) {
      sel[ns] = v;
      abs_sel[ns++] = fabs(v);
    }
  }
  memset(out, 0, sizeof *out);
  out->n_events = n;
  out->n_significant = ns;
  out->fraction_significant = (double)ns / (double)n;
  out->median_speed = rx_median_finite(sel, ns);
  out->median_abs_speed = rx_median_finite(abs_sel, ns);
  out->median_abs_speed_all = rx_median_finite(abs_all, n);
  free(sel);
  free(abs_sel);
  free(abs_all);
  return RX_OK;
}

int rx_replay_summarize_line(const rx_line_score *s, size_t n, rx_replay_summary *out,
                             rx_error *err) {
  if (!s) return rx_fail(err, RX_EINVAL, "replay summary: NULL scores");
  const char *b = (const char *)s;
  return summarize(b + offsetof(rx_line_score, significant), b + offsetof(rx_line_score, speed),
                   sizeof *s, n, out, err);
}

int rx_replay_summarize_path(const rx_path_score *s, size_t n, rx_replay_summary *out,
                             rx_error *err) {
  if (!s) return rx_fail(err, RX_EINVAL, "replay summary: NULL scores");
  const char *b = (const char *)s;
  return summarize(b + offsetof(rx_path_score, significant), b + offsetof(rx_path_score, speed),
                   sizeof *s, n, out, err);
}
