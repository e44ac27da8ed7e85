/* The report's section "Mechanisms" (docs/mechanisms.md): the mechanisms family's conditions
 * (the paper's cell, adaptation and momentum as trained, and each mechanism switched on or off
 * offline only) and the untrained control, per task, from the main root's mech_ files (the main
 * family's layouts keyed by the conditions: docs/science.md §8, docs/probes.md §5, docs/replay.md
 * §7) and the trained runs' test metrics; the claims o1-o3 (judged in report_claims.c, listed
 * here); the sizes the files' `settings` say were run; and fig_mechanisms. Absent altogether when
 * no task has the family's files. The numbers come from rp_eval like every table's. */
#include <stdio.h>
#include <string.h>

#include "report/report_internal.h"

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

/* The rows: each condition in the family's order, then the untrained control (its quiescent
 * outputs under its own noise, as in every family's files). */
static int rows_of(rp_row *rows) {
  int n = 0;
  for (int i = 0; i < rx_mechanism_condition_count(); i++) {
    const rx_mechanism_condition *mc = rx_mechanism_condition_get(i);
    rp_row *r = &rows[n++];
    r->run = rp_condition_run(mc);
    r->cond = NULL;
    r->prefix = RX_RESULTS_MECH;
    snprintf(r->label, sizeof r->label, "%s", mc->label);
  }
  rp_row *r = &rows[n++];
  r->run = (rp_run){-1, RX_RESULTS_RANDOM};
  r->cond = NULL;
  r->prefix = RX_RESULTS_MECH;
  snprintf(r->label, sizeof r->label, "untrained network (control)");
  return n;
}

/* The paper cell as trained: whose awake outputs the control's quiescent outputs are compared
 * with in the KL column (as claim a does in the main family). */
static rp_run paper_cell(void) { return rp_condition_run(rx_mechanism_condition_get(0)); }

/* One row of the task's table. */
static int row_cells(rp_ctx *c, rp_doc *d, rx_task_kind task, const rp_row *r, rx_error *err) {
  const int control = r->run.exp < 0;
  rp_cell(d, r->label);
  int rc = 0;
  if (control) { /* not trained: no test metrics */
    rp_cell(d, "—");
  } else {
    const rp_qty error = {RP_MAIN, task,     0, RX_RESULTS_MAIN, r->run, RP_NO_RUN,
                          "error", RP_FINAL, 0};
    rc = rp_qty_cell(c, d, &error, err);
  }
  /* file[key] of variance; then the fields of distance, diffusion and replay */
  static const struct {
    int analysis;
    const char *what;
  } cols[] = {
      {RX_RESULTS_VARIANCE, ""},
      {RX_RESULTS_DISTANCE, "quiescent"},
      {RX_RESULTS_DIFFUSION, "quiescent.alpha"},
      {RX_RESULTS_REPLAY, "quiescent.quiescent.fraction_significant"},
      {RX_RESULTS_REPLAY, "quiescent.quiescent.median_abs_speed"},
      {RX_RESULTS_REPLAY, "quiescent.compression"},
  };
  for (int k = 0; k < COUNT(cols) && !rc; k++)
    rc = rp_row_cell(c, d, task, cols[k].analysis, r, cols[k].what, err);
  if (!rc && task == RX_TASK_SPATIAL) { /* KL(q ‖ own a): file[key][key] */
    const rp_qty kl = {RP_MAIN,
                       task,
                       RX_RESULTS_KL,
                       RX_RESULTS_MECH,
                       r->run,
                       control ? paper_cell() : r->run,
                       NULL,
                       RP_VALUE,
                       0};
    rc = rp_qty_cell(c, d, &kl, err);
  }
  return rc;
}

static int table(rp_ctx *c, rp_doc *d, rx_task_kind task, rx_error *err) {
  static const char *const headers[2][9] = {
      {"condition", "final decoding error (pos_mse, m²)", "quiescent variance (m²)",
       "step distance, quiescent (m)", "α quiescent", "significant, quiescent",
       "median |v|, significant (m/s)", "compression", "KL(q ‖ own a) (nats)"},
      {"condition", "final decoding error (hd_mse, rad²)", "circular variance, quiescent",
       "step distance, quiescent (rad)", "α quiescent", "significant, quiescent",
       "median |v|, significant (rad/s)", "compression", NULL}};
  const int hd = task == RX_TASK_HEAD_DIRECTION;
  rp_row rows[RP_MAX_ROWS];
  const int n = rows_of(rows);
  rp_table_begin(d, hd ? 8 : 9, headers[hd]);
  for (int i = 0; i < n; i++) {
    int rc = row_cells(c, d, task, &rows[i], err);
    if (rc) return rc;
  }
  rp_table_end(d);
  return 0;
}

/* The sizes of the two files that record theirs (diffusion, replay: the others take the
 * analysis config's), each in words and as written. */
static int sizes(rp_ctx *c, rp_doc *d, const rp_set *s, rx_error *err) {
  static const int analyses[2] = {RX_RESULTS_DIFFUSION, RX_RESULTS_REPLAY};
  int shown = 0;
  for (int a = 0; a < 2; a++) {
    int seeds[RX_REPORT_MAX_SEEDS], n;
    const cJSON *first;
    int rc = rp_files_of(c, s, analyses[a], RX_RESULTS_MECH, seeds, &n, &first, err);
    if (rc || !n) {
      if (rc) return rc;
      continue;
    }
    if (!shown++)
      rp_para(d, "The sizes run, as the diffusion and replay files of the family record them "
                 "(first α, then replay; the variance, distance and KL files record none: they "
                 "are the analysis config's, as for the paper's analyses):");
    char words[1200] = "";
    if (analyses[a] == RX_RESULTS_DIFFUSION)
      rc = rp_probe_sizes_words(c, s, analyses[a], RX_RESULTS_MECH, seeds, first, words,
                                sizeof words, err);
    else
      rp_replay_sizes_words(first, words, sizeof words);
    if (!rc) rc = rp_sizes_para(c, d, s, analyses[a], RX_RESULTS_MECH, seeds, n, words, err);
    if (rc) return rc;
  }
  return 0;
}

static int mechanisms_of_task(rp_ctx *c, rp_doc *d, rx_task_kind task, const rp_set *s,
                              rx_error *err) {
  const int hd = task == RX_TASK_HEAD_DIRECTION;
  if (!s->mech) {
    char name[200];
    rx_results_analysis_pattern(RX_RESULTS_VARIANCE, RX_RESULTS_MECH, s->where.noise, "json", name,
                                sizeof name);
    rp_para(d,
            "Not measured: none of the family's files (%s and the others with mech_) is in %s. "
            "Train noisy_unbiased_adaptation and noisy_unbiased_momentum next to noisy_unbiased, "
            "then reactivate analyze kl variance distance diffusion replay mechanisms=true%s "
            "writes them (reactivate reproduce --profile mechanisms does both).",
            name, s->where.dir, hd ? " task=head_direction" : "");
    return 0;
  }
  int rc = table(c, d, task, err);
  if (!rc) rc = sizes(c, d, s, err);
  if (!rc) rp_figure_if_exists(s, d, RP_MECHANISMS_FIGURE);
  return rc;
}

int rp_section_mechanisms(rp_ctx *c, rp_doc *d, const rp_claim_result *res, int n, rx_error *err) {
  if (!rp_has_mechanisms(c)) return 0; /* results from before the family: no section */
  rp_heading(d, 2, "Mechanisms");
  rp_para(d, "Two mechanisms of the vanilla cell beyond the paper (docs/mechanisms.md): "
             "adaptation, a slow negative-feedback trace of each unit's activity subtracted "
             "from its input, and momentum, second-order (underdamped) dynamics of the hidden "
             "state. Casco-Rodriguez, Krishna & Baraniuk (2026) report that adaptation enhances "
             "exploration but slows replay, and that second-order dynamics give temporally "
             "compressed replay; here they are measured with this report's analyses. The noisy "
             "unbiased network of each task is trained three times, as the paper's cell, with "
             "adaptation and with momentum, and each is run quiescent as trained. Then a "
             "mechanism is switched offline only: the paper's cell is given the other runs' "
             "adaptation or momentum (their settings), and the trained mechanisms are switched "
             "off. What the dynamics do offline is told apart from what training with them "
             "built into the weights: an effect that the paper's cell shows with a mechanism "
             "given offline comes from the dynamics; one that remains with the mechanism "
             "switched off was learnt. These are findings beyond the paper: a claim that does "
             "not hold is a result about these networks, not a failed reproduction.");
  rp_para(d, "o1–o3 compare the runs as trained, judged from means over seeds on each task "
             "that has the family's files: a claim holds when it holds on every task measured, "
             "and the numbers of each task are shown.");
  rp_claims_table(d, res, n, 0, RP_GROUP_MECHANISMS);
  rp_para(d, "Reading the columns (mean ± s.d. over seeds; n/a: the file or the condition is "
             "missing, or the number is undefined):");
  rp_list_begin(d);
  rp_list_item(d, "Final decoding error: the last test step of the trained run "
                  "(test_metrics.json); the offline conditions share their run's, as they "
                  "share its weights.");
  rp_list_item(d, "Quiescent variance (exploration, docs/science.md §6.2): the total variance of "
                  "each quiescent trajectory's decoded outputs, averaged over trajectories (head "
                  "direction: the circular variance 1 − R); step distance (smoothness, §6.3): "
                  "the mean distance between consecutive decoded outputs.");
  rp_list_item(d, "α: the exponent of the quiescent outputs' mean squared displacement, MSD ∝ "
                  "τ^α (1 diffusive, 2 ballistic; docs/probes.md §1).");
  rp_list_item(d, "Replay (docs/replay.md): the fraction of the quiescent events that are "
                  "significant, the median |v| of those events (slower replay: a smaller |v|), "
                  "and the compression, that median over the network's awake decoded speed "
                  "(more compressed: larger). A network without significant events has no "
                  "median and no compression (n/a).");
  rp_list_item(d, "Spatial navigation: KL(q ‖ own a), the divergence of the condition's "
                  "quiescent decoded positions from its own awake ones (the control: from the "
                  "paper cell's awake ones, the baseline of claim a).");
  rp_list_end(d);
  return rp_each_task(c, d, mechanisms_of_task, err);
}
