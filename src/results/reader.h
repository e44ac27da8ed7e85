/* Internal to the library: reading saved results, shared by the figures (src/figures) and the
 * report (src/report). A reader holds the caller's log callback and a cache that reads each
 * JSON / .npz file once (absent is not an error, malformed is); discovery finds which noise and
 * which seeds a task's results folder holds from the names on disk. File names come from
 * reactivate/results.h; what the numbers mean is the caller's business. */
#ifndef RX_RESULTS_READER_H
#define RX_RESULTS_READER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/log_line.h"
#include "reactivate/npz.h"
#include "reactivate/results.h"

typedef struct rxr_file {
  char *path;
  int is_npz, present;
  cJSON *json;
  rx_npz npz;
} rxr_file;

typedef struct rxr_reader {
  rxc_line_fn log; /* NULL: no log */
  void *log_ctx;
  rxr_file *files;
  int n_files, cap_files;
} rxr_reader;

/* One line to the reader's log callback. */
void rxr_log(rxr_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees the cache (the reader can be used again). */
void rxr_reader_free(rxr_reader *r);

/* ---- the cache ---- */

/* The contents of a JSON file that must hold one object / of an .npz file: 0 with *out NULL
 * when the file does not exist, negative (err names the file) when it exists but cannot be read
 * or parsed. Each file is read once; the pointers live until rxr_reader_free. */
int rxr_json(rxr_reader *r, const char *path, const cJSON **out, rx_error *err);
int rxr_npz(rxr_reader *r, const char *path, const rx_npz **out, rx_error *err);
/* The analysis file of seed in s (family prefix), as above. */
int rxr_analysis_json(rxr_reader *r, const rx_results_set *s, int analysis, const char *prefix,
                      int seed, const cJSON **out, rx_error *err);
int rxr_analysis_npz(rxr_reader *r, const rx_results_set *s, int analysis, const char *prefix,
                     int seed, const rx_npz **out, rx_error *err);
/* A JSON file in experiment e's run of seed (RX_RESULTS_TEST_METRICS), as above. */
int rxr_run_json(rxr_reader *r, const rx_results_set *s, const rx_experiment *e, int seed,
                 const char *file, const cJSON **out, rx_error *err);

/* ---- discovery ---- */

/* The noise that most of the noisy vanilla run directories and main-family analysis files in
 * s->dir carry in their names (a tie goes to the task's default, then to the smallest text),
 * into s->noise; the task's default when none carries one. Up to max_others other noises found
 * go to others (for a note). Returns 0, or -1 with errno set (and the default noise) when s->dir
 * cannot be listed. */
int rxr_find_noise(rx_results_set *s, char (*others)[64], int max_others, int *n_others);
/* The seeds that have a run directory (of s's experiments, with s->noise) or an analysis file
 * (any family, s->noise) in s->dir, ascending, at most max (*more = 1 when others were left
 * out); with want non-NULL only those among want[0 .. n_want-1]. Returns 0, or -1 with errno set
 * when s->dir cannot be listed. */
int rxr_find_seeds(const rx_results_set *s, const int *want, int n_want, int *seeds, int max,
                   int *n, int *more);

#endif
