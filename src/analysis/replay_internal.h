/* Internal to src/analysis: what the replay driver over the runs (replay.c) and the replay of
 * data from a file (replay_file.c) share (replay_events.c): scoring a data set's events chunk by
 * chunk, keeping a few example events for figures, and writing their numbers and arrays under the
 * same names whichever source they came from (docs/replay.md §7). The statistics themselves are
 * replay.h's. */
#ifndef RX_ANALYSIS_REPLAY_INTERNAL_H
#define RX_ANALYSIS_REPLAY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/reactivation_internal.h"
#include "reactivate/replay.h"

/* Events scored per call: 256 events of any length start at rows that are multiples of
 * RX_REPLAY_POSTERIOR_ROWS, so a posterior's bits do not depend on the chunking. */
#define RXA_REPLAY_CHUNK 256
#define RXA_REPLAY_MAX_EXAMPLES 64

/* How a data set is scored. */
typedef struct rxa_replay_opts {
  int line;              /* 1: the line score (rx_replay_line_scores); 0: the path score */
  int points;            /* path score of points (events, steps, 2) rather than of a posterior */
  rx_line_score_opts lo; /* line */
  rx_path_score_opts po; /* path */
  int n_examples;        /* examples kept of each kind (significant, not), <= MAX_EXAMPLES */
} rxa_replay_opts;

/* The scored events of one data set and its examples. Examples (docs/replay.md §7): the
 * n_examples significant events with the highest score (R, or R^2), best first, ties to the lower
 * index; and the first event that is not significant at or after each of the positions
 * j n / n_examples (j = 0 ..), i.e. spread evenly over the events: typical ones. Both can be
 * chosen while the events stream past, so only their posteriors (or points) are kept. */
typedef struct rxa_replay_set {
  rxa_replay_opts o;
  size_t n;          /* events */
  int steps;         /* per event */
  int width;         /* values per step: bins (posterior) or 2 (points) */
  rx_line_score *ls; /* (n,) line */
  rx_path_score *ps; /* (n,) path */
  int n_best, n_typical;
  size_t best[RXA_REPLAY_MAX_EXAMPLES], typical[RXA_REPLAY_MAX_EXAMPLES];
  float *best_data, *typical_data; /* (n_examples, steps, width) each */
} rxa_replay_set;

int rxa_replay_set_init(rxa_replay_set *s, const rxa_replay_opts *o, size_t n, int steps, int width,
                        rx_error *err);
void rxa_replay_set_free(rxa_replay_set *s);
/* Scores events e0 .. e0 + ne - 1 of s from data (ne, steps, width): a posterior (each step's
 * row normalised or not) or points; centers (width, 2) the bins' centres for the path score of a
 * posterior (else unused). Their ids are first_id + their index in the chunk (replay.h). Then
 * offers them as examples. Chunks must come in order, e0 = the events scored so far. */
int rxa_replay_score(rxa_replay_set *s, const float *data, size_t e0, size_t ne, uint32_t first_id,
                     const float *centers, rx_error *err);

/* What the numbers of a set mean: speeds times speed_scale (bins or the centres' units per step
 * to rad/s, m/s, rad per step...). */
typedef struct rxa_replay_units {
  double speed_scale;
  const float *centers; /* (width, 2) for the posterior means of 2-D examples, else NULL */
} rxa_replay_units;

/* The summary into obj (docs/replay.md §7): n_events, n_significant, fraction_significant,
 * median_speed, median_abs_speed, median_abs_speed_all; line: median_score,
 * fraction_significant_column, fraction_significant_time; path: median_r2, median_path_length,
 * median_straightness, median_max_jump; examples {significant, not_significant} (indices).
 * sum (may be NULL) gets the summary with its speeds scaled. */
int rxa_replay_json(cJSON *obj, const rxa_replay_set *s, const rxa_replay_units *u,
                    rx_replay_summary *sum, rx_error *err);
/* The same fields with n_events 0 and null numbers, for a data set too short to hold an event. */
void rxa_replay_json_empty(cJSON *obj);
/* Per-event arrays into obj (the file mode's "events"): score, speed, p_time, significant, and
 * p_column, start (line) or path_length, straightness, max_jump (path). */
void rxa_replay_json_events(cJSON *obj, const rxa_replay_set *s, const rxa_replay_units *u);
/* The arrays "<prefix>.<what>" (prefix NULL: "<what>"): the per-event arrays above, and the
 * examples: examples.index, examples.significant (k,), examples.posterior (k, steps, bins) or
 * examples.points (k, steps, 2), examples.line (k, 3: start bin, speed in bins per step, R) or
 * examples.path (k, 5: x0, y0, vx, vy per step in the centres' units, R^2), and for a 2-D
 * posterior examples.mean (k, steps, 2), the posterior mean of each step. */
int rxa_replay_arrays(npz_list *l, const char *prefix, const rxa_replay_set *s,
                      const rxa_replay_units *u, rx_error *err);

/* `analyze replay` from a file (replay_file.c); over the runs: rxa_replay (replay.c,
 * reactivation_internal.h). npz_path: R.npz, checked not to be the input. */
int rxa_replay_file(const rx_analysis_config *cfg, const rx_probe_file_request *req,
                    const char *npz_path, rx_analysis_log_fn log, void *ctx, rx_error *err);

#endif
