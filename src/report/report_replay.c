/* The report's section "Replay": the sequence scores of docs/replay.md on the main root's vanilla
 * runs and the untrained control, per task, from replay_<noise>_<seed>.json (layout:
 * docs/replay.md §7): the fractions of significant events, their speeds and the temporal
 * compression, and in the arena how path-like the events are; the claims n1, n2 (judged in
 * report_claims.c, listed here); the sizes the files' `settings` say were run; and the replay
 * figures found on disk. The numbers come from rp_eval like every table's; nothing is computed
 * here but their means over seeds. */
#include <stdio.h>
#include <string.h>

#include "report/report_internal.h"

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

/* The run's own numbers (not per condition): awake_decoded_speed, awake_true_speed. */
static int run_cell(rp_ctx *c, rp_doc *d, rx_task_kind task, const rp_row *r, const char *what,
                    rx_error *err) {
  rp_row run = *r;
  run.cond = NULL;
  return rp_row_cell(c, d, task, RX_RESULTS_REPLAY, &run, what, err);
}

/* The cells of row r: file[run][cond][field] for each field ("quiescent.fraction_significant",
 * "compression", ...), or the run's own number for the fields starting with '/'. */
static int row_cells(rp_ctx *c, rp_doc *d, rx_task_kind task, const rp_row *r,
                     const char *const *fields, int n, rx_error *err) {
  rp_cell(d, r->label);
  for (int k = 0; k < n; k++) {
    int rc = fields[k][0] == '/' ? run_cell(c, d, task, r, fields[k] + 1, err)
                                 : rp_row_cell(c, d, task, RX_RESULTS_REPLAY, r, fields[k], err);
    if (rc) return rc;
  }
  return 0;
}

static int table_ring(rp_ctx *c, rp_doc *d, rx_error *err) {
  static const char *const headers[] = {"network (condition)",
                                        "significant, quiescent",
                                        "significant, awake",
                                        "quiescent, column-cycle null alone",
                                        "quiescent, time-bin null alone",
                                        "median v, significant (rad/s)",
                                        "median |v|, significant (rad/s)",
                                        "median |v|, all quiescent (rad/s)",
                                        "compression",
                                        "awake decoded speed (rad/s)",
                                        "true awake speed (rad/s)"};
  static const char *const fields[] = {"quiescent.fraction_significant",
                                       "awake.fraction_significant",
                                       "quiescent.fraction_significant_column",
                                       "quiescent.fraction_significant_time",
                                       "quiescent.median_speed",
                                       "quiescent.median_abs_speed",
                                       "quiescent.median_abs_speed_all",
                                       "compression",
                                       "/awake_decoded_speed",
                                       "/awake_true_speed"};
  rp_para(d, "Fractions of the events that are significant: quiescent, the network's quiescent "
             "events in that condition; awake, its events cut from the awake test batch (the "
             "same in every condition). An event is significant when its line score beats both "
             "the column-cycle and the time-bin shuffles; the next two columns give the fraction "
             "under each null alone. v: the speed of the best line, signed (> 0 "
             "counter-clockwise), its median over the significant events; |v| the same without "
             "sign, and over every quiescent event. Compression: the median |v| of the "
             "significant quiescent events over the awake decoded speed (the median |v| of the "
             "awake events, fitted the same way); the true speed is that of the test "
             "trajectories (docs/replay.md §7).");
  rp_row rows[RP_MAX_ROWS];
  const int n = rp_rows_of(RX_TASK_HEAD_DIRECTION, 1, rows);
  rp_table_begin(d, COUNT(headers), headers);
  for (int i = 0; i < n; i++) {
    int rc = row_cells(c, d, RX_TASK_HEAD_DIRECTION, &rows[i], fields, COUNT(fields), err);
    if (rc) return rc;
  }
  rp_table_end(d);
  return 0;
}

static int tables_plane(rp_ctx *c, rp_doc *d, rx_error *err) {
  static const char *const headers[] = {"network (condition)",
                                        "significant, quiescent",
                                        "significant, awake",
                                        "median speed, significant (m/s)",
                                        "median speed, all quiescent (m/s)",
                                        "compression",
                                        "awake decoded speed (m/s)",
                                        "true awake speed (m/s)"};
  static const char *const fields[] = {"quiescent.fraction_significant",
                                       "awake.fraction_significant",
                                       "quiescent.median_speed",
                                       "quiescent.median_abs_speed_all",
                                       "compression",
                                       "/awake_decoded_speed",
                                       "/awake_true_speed"};
  static const char *const path_headers[] = {"network (condition)",
                                             "R², quiescent",
                                             "R², awake",
                                             "path length (m), quiescent",
                                             "path length (m), awake",
                                             "straightness, quiescent",
                                             "straightness, awake",
                                             "largest jump (m), quiescent",
                                             "largest jump (m), awake"};
  static const char *const path_fields[] = {
      "quiescent.median_r2",           "awake.median_r2",
      "quiescent.median_path_length",  "awake.median_path_length",
      "quiescent.median_straightness", "awake.median_straightness",
      "quiescent.median_max_jump",     "awake.median_max_jump"};
  rp_para(d, "Fractions of the events that are significant: quiescent, the network's quiescent "
             "events in that condition; awake, its events cut from the awake test batch (the "
             "same in every condition). An event is significant when the R² of the "
             "constant-velocity path fitted to its posterior beats the time-bin shuffles. "
             "Speeds: the fitted path's |v|, its median over the significant events and over "
             "every quiescent event. Compression: the median speed of the significant quiescent "
             "events over the awake decoded speed (the median |v| of the awake events, fitted "
             "the same way); the true speed is that of the test trajectories (docs/replay.md "
             "§7).");
  rp_row rows[RP_MAX_ROWS];
  const int n = rp_rows_of(RX_TASK_SPATIAL, 1, rows);
  rp_table_begin(d, COUNT(headers), headers);
  for (int i = 0; i < n; i++) {
    int rc = row_cells(c, d, RX_TASK_SPATIAL, &rows[i], fields, COUNT(fields), err);
    if (rc) return rc;
  }
  rp_table_end(d);
  rp_para(d, "How path-like the events are, medians over every event (quiescent in that "
             "condition, and awake): the posterior-weighted R² of the fitted path (a broad "
             "posterior keeps it low even when its means line up), and of the path of the "
             "posterior means its length, straightness (|end − start| / length) and largest "
             "single step (docs/replay.md §5).");
  rp_table_begin(d, COUNT(path_headers), path_headers);
  for (int i = 0; i < n; i++) {
    int rc = row_cells(c, d, RX_TASK_SPATIAL, &rows[i], path_fields, COUNT(path_fields), err);
    if (rc) return rc;
  }
  rp_table_end(d);
  return 0;
}

/* The sizes replay ran, in words, from the first file's settings (docs/replay.md §7). */
void rp_replay_sizes_words(const cJSON *first, char *words, size_t n) {
  const char *g = "replay";
  double b, t, burn, e, ev, v, w;
  if (rp_setting(first, g, "batch_size", &b) && rp_setting(first, g, "t_total", &t)) {
    rp_strcatf(words, n, "; %g quiescent trajectories × %g steps", b, t);
    if (rp_setting(first, g, "t_burn", &burn))
      rp_strcatf(words, n, " after %g steps of burn-in", burn);
  }
  if (rp_setting(first, g, "event_steps", &e)) {
    rp_strcatf(words, n, "%s events of %g steps", words[0] ? ", cut into" : "; ", e);
    if (rp_setting(first, g, "n_events", &ev))
      rp_strcatf(words, n, " (%g per network and condition)", ev);
    if (rp_setting(first, g, "awake_batch_size", &v))
      rp_strcatf(words, n, "; awake, events of the same length from the %g test trajectories", v);
  }
  if (rp_setting(first, "bins", "n_bins", &v)) {
    double nx, ny;
    if (rp_setting(first, "bins", "bin_degrees", &w))
      rp_strcatf(words, n, "; %g bins of %g° on the ring", v, w);
    else if (rp_setting(first, "bins", "nx", &nx) && rp_setting(first, "bins", "ny", &ny) &&
             rp_setting(first, "bins", "bin_size", &w))
      rp_strcatf(words, n, "; %g × %g bins of %g m", nx, ny, w);
    else
      rp_strcatf(words, n, "; %g bins", v);
  }
  if (rp_setting(first, g, "n_shuffles", &v)) {
    rp_strcatf(words, n, "; %g shuffles per null", v);
    if (rp_setting(first, g, "alpha", &w)) rp_strcatf(words, n, ", α = %g", w);
  }
  if (rp_setting(first, g, "n_speeds", &v) && rp_setting(first, g, "v_max", &w)) {
    double band;
    rp_strcatf(words, n, "; lines at %g speeds up to ±%g bins per step", v, w);
    if (rp_setting(first, g, "band", &band)) rp_strcatf(words, n, ", band ±%g bins", band);
  }
}

/* The sizes replay ran, in words, then every setting as written. */
static int sizes_para(rp_ctx *c, rp_doc *d, const rp_set *s, const int *seeds, int n_seeds,
                      const cJSON *first, rx_error *err) {
  char words[1200] = "";
  rp_replay_sizes_words(first, words, sizeof words);
  return rp_sizes_para(c, d, s, RX_RESULTS_REPLAY, RX_RESULTS_MAIN, seeds, n_seeds, words, err);
}

/* The figures: the main family's, then the GRUs' (C.2), each in the figures' order. */
static int figures(const rp_set *s, rp_doc *d, rx_error *err) {
  static const char *const order[] = {"examples", "scores", "speeds", "paths"};
  int rc = rp_figures_with_prefix(s, d, RP_REPLAY_FIGURE_PREFIX, order, COUNT(order), err);
  if (rc >= 0)
    rc = rp_figures_with_prefix(s, d, RP_REPLAY_GRU_FIGURE_PREFIX, order, COUNT(order), err);
  return rc < 0 ? rc : 0;
}

static int replay_of_task(rp_ctx *c, rp_doc *d, rx_task_kind task, const rp_set *s, rx_error *err) {
  const int hd = task == RX_TASK_HEAD_DIRECTION;
  int seeds[RX_REPORT_MAX_SEEDS], n;
  const cJSON *first;
  int rc = rp_files_of(c, s, RX_RESULTS_REPLAY, RX_RESULTS_MAIN, seeds, &n, &first, err);
  if (rc) return rc;
  if (!n) {
    char name[200];
    rx_results_analysis_pattern(RX_RESULTS_REPLAY, RX_RESULTS_MAIN, s->where.noise, "json", name,
                                sizeof name);
    rp_para(d,
            "Not measured: no %s in %s (results analysed before replay existed have none; "
            "reactivate analyze all%s or reactivate analyze replay%s writes it).",
            name, s->where.dir, hd ? " task=head_direction" : "", hd ? " task=head_direction" : "");
    return 0;
  }
  rc = hd ? table_ring(c, d, err) : tables_plane(c, d, err);
  if (!rc) rc = sizes_para(c, d, s, seeds, n, first, err);
  if (!rc) rc = figures(s, d, err);
  return rc;
}

int rp_section_replay(rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n, rx_error *err) {
  rp_heading(d, 2, "Replay");
  rp_para(d, "Hippocampal replay studies ask whether quiescent activity moves along paths, and "
             "faster than awake behaviour does. Each network's quiescent outputs are decoded, "
             "step by step, to a posterior over position bins (heading bins on the ring) through "
             "its own population code, cut into events of consecutive steps and scored against "
             "shuffles of the same events (docs/replay.md): on the ring the line score of "
             "Davidson et al. (2009), in the arena a constant-velocity path fitted to the "
             "posterior. The awake test batch is scored the same way, for comparison. These are "
             "findings beyond the paper: a claim that does not hold is a result about these "
             "networks, not a failed reproduction.");
  rp_para(d, "n1 is judged on head direction, n2 on each task, with the default quiescence rule. "
             "n1's verdict per seed (the median speed of B-σ's significant events is positive; a "
             "seed without significant events counts as not) is judged by the share of seeds in "
             "which it holds, n2 from means over seeds. The tables show the untrained network as "
             "the control and the noiseless networks without noise and, as a control, with "
             "noise given offline.");
  rp_claims_table(d, res, n, 0, RP_GROUP_REPLAY);
  rp_para(d, "Reading the numbers:");
  rp_list_begin(d);
  rp_list_item(d, "In the arena the only null is the time-bin shuffle, which asks whether the "
                  "order of the steps matters, not whether the event is a path: slow drift, or "
                  "relaxation towards a fixed point, is ordered in time and so significant under "
                  "it. A network that barely moves can have most of its events significant; the "
                  "untrained control's fraction is the baseline. Read the fraction with the "
                  "speeds and with the path's shape: R², path length, straightness and jumps "
                  "say how path-like the events are.");
  rp_list_item(d, "On the ring an event is significant only when it beats both nulls: the "
                  "column-cycle shuffle (is the posterior aligned across steps) and the time-bin "
                  "shuffle (is it ordered; a posterior that stands still never beats it). The "
                  "fractions under each null alone show which one rejects.");
  rp_list_item(d, "Speeds are medians over the significant events; a network without significant "
                  "events has none (n/a), and its compression is undefined.");
  rp_list_end(d);
  return rp_each_task(c, d, replay_of_task, err);
}
