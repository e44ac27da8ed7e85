/* The report's tables of measured numbers (runs, KL matrices, variance, step-wise distance,
 * head direction), each next to the numbers the authors' code gave (docs/science.md §11: seed 0,
 * paper size), and the figures found on disk with their captions. Numbers come from rp_eval; the
 * reference numbers are docs/science.md §11's, copied here as text. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/fileio.h"
#include "report/report_internal.h"

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))
#define REF "authors' code, seed 0, paper size"

/* A row or column of the tables: an experiment (its label unique within the task, as the paper
 * writes it) or a control of the KL results. */
typedef struct cond {
  const char *label;
  const char *desc;
  rp_run run;
  int noisy, gru; /* of the experiment */
} cond;

/* The paper's order: U-σ, B-σ, U, B. */
static const int vanilla_ids[4] = {RX_EXP_NOISY_UNBIASED, RX_EXP_NOISY_BIASED,
                                   RX_EXP_NO_NOISE_UNBIASED, RX_EXP_NO_NOISE_BIASED};
static const int gru_ids[2] = {RX_EXP_NOISY_UNBIASED_GRU, RX_EXP_NOISY_BIASED_GRU};
static const cond controls[] = {
    {RX_RESULTS_RANDOM, "untrained network", {-1, RX_RESULTS_RANDOM}, 0, 0},
    {RX_RESULTS_UNIFORM, "uniform density 1/(W H)", {-1, RX_RESULTS_UNIFORM}, 0, 0},
};

/* The experiment as a table row (the labels are the same for both tasks). */
static cond cond_of(int id) {
  const rx_experiment *e = rx_experiment_get(RX_TASK_SPATIAL, id);
  cond c = {e->full_label, e->desc, {id, NULL}, e->noisy, e->gru};
  return c;
}

static void conds_of(const int *ids, int n, cond *out) {
  for (int i = 0; i < n; i++)
    out[i] = cond_of(ids[i]);
}

static rp_qty value_qty(int root, rx_task_kind task, int analysis, const char *prefix, rp_run a,
                        rp_run b, const char *field) {
  rp_qty q = {root, task, analysis, prefix, a, b, field, RP_VALUE, 0};
  return q;
}

static const rp_run no_run = RP_NO_RUN;

/* Appends the cell "mean ± s.d." of q; returns the number of seeds that had it (or < 0). */
static int stat_cell(rp_ctx *c, rp_doc *d, rp_qty q, rx_error *err) {
  rp_stat s;
  int rc = rp_eval(c, &q, &s, err);
  if (rc) return rc;
  char t[96];
  rp_stat_text(&s, c->n_seeds, t, sizeof t);
  rp_cell(d, t);
  return s.n;
}

/* ---- runs ---- */

static int run_table(rp_ctx *c, rp_doc *d, int root, rx_task_kind task, rx_error *err) {
  const rp_set *s = &c->sets[root][task];
  const int spatial = task == RX_TASK_SPATIAL;
  char head[200];
  snprintf(head, sizeof head, "%s%s", rx_task_name(task),
           root == RP_GAUSS ? ", zero-mean Gaussian noise" : "");
  rp_heading(d, 3, head);
  if (!s->exists) {
    rp_para(d, "Not measured: no results in %s.", s->where.dir);
    return 0;
  }
  const char *error_name =
      spatial ? "final decoding error (pos_mse, m²)" : "final decoding error (hd_mse, rad²)";
  const char *headers[] = {"experiment",          "run directories", "seeds",
                           "final step",          "final test loss", error_name,
                           (REF ": loss / error")};
  rp_table_begin(d, root == RP_MAIN && spatial ? 7 : 6, headers);
  const rx_experiment *all[6];
  int n = 0;
  for (int i = 0; i < 4; i++) {
    const rx_experiment *e = rx_experiment_get(task, vanilla_ids[i]);
    if (root == RP_MAIN || e->noisy) all[n++] = e;
  }
  for (int i = 0; i < 2 && spatial && root == RP_MAIN; i++)
    all[n++] = rx_experiment_get(task, gru_ids[i]);
  for (int i = 0; i < n; i++) {
    char name[700], label[200];
    rx_results_experiment_pattern(&s->where, all[i], name, sizeof name);
    snprintf(label, sizeof label, "%s (%s)", all[i]->name, all[i]->full_label);
    rp_cell(d, label);
    rp_cell(d, name);
    rp_qty loss = {root, task, 0, RX_RESULTS_MAIN, {all[i]->id, NULL}, no_run, "loss", RP_FINAL, 0};
    rp_qty step = loss, error = loss;
    step.field = "step";
    error.field = "error";
    rp_stat st, sl;
    int rc = rp_eval(c, &step, &st, err);
    if (!rc) rc = rp_eval(c, &loss, &sl, err);
    if (rc) return rc;
    char t[96];
    snprintf(t, sizeof t, "%d", sl.n);
    rp_cell(d, t);
    if (st.n)
      snprintf(t, sizeof t, "%.0f", st.mean);
    else
      snprintf(t, sizeof t, "n/a");
    rp_cell(d, t);
    rp_stat_text(&sl, c->n_seeds, t, sizeof t);
    rp_cell(d, t);
    if ((rc = stat_cell(c, d, error, err)) < 0) return rc;
    if (root == RP_MAIN && spatial)
      rp_cell(d, !all[i]->gru ? (all[i]->noisy ? "6e-6 / 0.0036" : "7e-7 / 0.0016") : "—");
  }
  rp_table_end(d);
  return 0;
}

int rp_section_runs(rp_ctx *c, rp_doc *d, rx_error *err) {
  rp_heading(d, 2, "Runs");
  rp_para(d, "Final test loss and decoding error per experiment: the last entry of each run's "
             "test_metrics.json (the fixed test batch), mean ± s.d. over the seeds that have it "
             "(\"seeds\"). U-σ / B-σ: trained with recurrent noise, unbiased / biased behaviour; "
             "U / B: trained without noise.");
  for (int t = 0; t < 2; t++) {
    int rc = run_table(c, d, RP_MAIN, (rx_task_kind)t, err);
    if (rc) return rc;
  }
  if (c->cfg->gaussian[0])
    for (int t = 0; t < 2; t++) {
      if (t == RX_TASK_HEAD_DIRECTION && !c->sets[RP_GAUSS][t].exists) continue;
      int rc = run_table(c, d, RP_GAUSS, (rx_task_kind)t, err);
      if (rc) return rc;
    }
  return 0;
}

/* ---- KL matrices ---- */

/* The KL matrix of one family of files: rows (quiescent sources) then the controls, columns
 * (active targets); no table when no cell has data (*any = 0). */
static int kl_matrix(rp_ctx *c, rp_doc *d, int root, const char *prefix, const cond *rows,
                     int n_rows, const cond *cols, int n_cols, int *any, rx_error *err) {
  rp_stat st[6][4];
  *any = 0;
  for (int i = 0; i < n_rows + 2; i++) {
    const cond *r = i < n_rows ? &rows[i] : &controls[i - n_rows];
    for (int j = 0; j < n_cols; j++) {
      rp_qty q = value_qty(root, RX_TASK_SPATIAL, RX_RESULTS_KL, prefix, r->run, cols[j].run, NULL);
      int rc = rp_eval(c, &q, &st[i][j], err);
      if (rc) return rc;
      *any |= st[i][j].n > 0;
    }
  }
  if (!*any) return 0;
  const char *headers[5] = {"quiescent \\ active"};
  char names[4][64];
  for (int j = 0; j < n_cols; j++) {
    snprintf(names[j], sizeof names[j], "a %s", cols[j].label);
    headers[j + 1] = names[j];
  }
  rp_table_begin(d, n_cols + 1, headers);
  for (int i = 0; i < n_rows + 2; i++) {
    const cond *r = i < n_rows ? &rows[i] : &controls[i - n_rows];
    char label[200], t[96];
    snprintf(label, sizeof label, "%s%s (%s)", r->run.exp >= 0 ? "q " : "", r->label, r->desc);
    rp_cell(d, label);
    for (int j = 0; j < n_cols; j++) {
      rp_stat_text(&st[i][j], c->n_seeds, t, sizeof t);
      rp_cell(d, t);
    }
  }
  rp_table_end(d);
  return 0;
}

static void ref_table(rp_doc *d, const char *const *headers, int n_cols, const char *const *cells,
                      int n_cells) {
  rp_table_begin(d, n_cols, headers);
  for (int i = 0; i < n_cells; i++)
    rp_cell(d, cells[i]);
  rp_table_end(d);
}

/* "<dir>/<analysis>_<prefix><noise>_<seed>.json" of a set, or without the directory. */
static void file_pattern(const rp_set *s, int with_dir, int analysis, const char *prefix, char *buf,
                         size_t n) {
  char name[700];
  rx_results_analysis_pattern(analysis, prefix, s->where.noise, "json", name, sizeof name);
  if (with_dir)
    snprintf(buf, n, "%s/%s", s->where.dir, name);
  else
    snprintf(buf, n, "%s", name);
}

int rp_section_kl(rp_ctx *c, rp_doc *d, rx_error *err) {
  const rp_set *sp = &c->sets[RP_MAIN][RX_TASK_SPATIAL];
  cond vanilla[4], grus[2];
  conds_of(vanilla_ids, 4, vanilla);
  conds_of(gru_ids, 2, grus);
  char file[3000];
  file_pattern(sp, 1, RX_RESULTS_KL, RX_RESULTS_MAIN, file, sizeof file);
  rp_heading(d, 2, "Distribution match: KL(quiescent ‖ active)");
  rp_para(d,
          "KL divergence in nats of each quiescent distribution (row) from each active one "
          "(column) of the decoded positions (docs/science.md §6), mean ± s.d. over seeds, from "
          "%s. Low on the diagonal and high elsewhere is reactivation; the "
          "untrained random network and the uniform density are controls.",
          file);
  int any, rc = kl_matrix(c, d, RP_MAIN, RX_RESULTS_MAIN, vanilla, 4, vanilla, 4, &any, err);
  if (rc) return rc;
  if (!any) rp_para(d, "Not measured: no KL results found (run reactivate analyze all).");
  rp_para(d, "The same matrix from the " REF
             " (docs/science.md §11), including the uniform row as the "
             "published code computed it (a 1-D density per coordinate):");
  static const char *const ref_headers[] = {"quiescent \\ active", "a U-σ", "a B-σ", "a U", "a B"};
  static const char *const ref_cells[] = {"q U-σ",
                                          "1.20",
                                          "2.58",
                                          "0.99",
                                          "1.86",
                                          "q B-σ",
                                          "2.93",
                                          "0.56",
                                          "2.53",
                                          "0.62",
                                          "q U",
                                          "0.26",
                                          "7.51",
                                          "0.29",
                                          "5.78",
                                          "q B",
                                          "2.03",
                                          "1.56",
                                          "1.66",
                                          "1.18",
                                          "random",
                                          "4.39",
                                          "2.35",
                                          "3.94",
                                          "2.39",
                                          "uniform (published 1-D density)",
                                          "0.95",
                                          "5.43",
                                          "0.91",
                                          "3.98",
                                          "uniform (correct 2-D density)",
                                          "0.16",
                                          "4.71",
                                          "0.12",
                                          "3.20"};
  ref_table(d, ref_headers, 5, ref_cells, COUNT(ref_cells));
  rp_para(d, "Caveat (docs/science.md §11.5): quiescent runs start from the active states' "
             "distribution and explore slowly, so a low KL can also mean that the network stayed "
             "where it started.");

  rp_heading(d, 3, "Without the doubled quiescent noise (docs/science.md §7.1, C.1, rule=same)");
  if ((rc = kl_matrix(c, d, RP_MAIN, RX_RESULTS_SAME, vanilla, 4, vanilla, 4, &any, err)))
    return rc;
  file_pattern(sp, 0, RX_RESULTS_KL, RX_RESULTS_SAME, file, sizeof file);
  if (!any) rp_para(d, "Not measured: no %s (run reactivate analyze all rule=same).", file);

  rp_heading(d, 3, "GRU networks (docs/science.md §7.1, C.2, quiescent noise not doubled)");
  if ((rc = kl_matrix(c, d, RP_MAIN, RX_RESULTS_GRU, grus, 2, grus, 2, &any, err))) return rc;
  file_pattern(sp, 0, RX_RESULTS_KL, RX_RESULTS_GRU, file, sizeof file);
  if (!any)
    rp_para(d,
            "Not measured: no %s (train the *_gru experiments and run reactivate analyze all "
            "gru=true).",
            file);
  rp_para(d, REF " (docs/science.md §11, its \"unbiased / biased\" pairs read as rows):");
  static const char *const gru_headers[] = {"quiescent \\ active", "a GRU U-σ", "a GRU B-σ"};
  static const char *const gru_cells[] = {"q GRU U-σ", "0.27",   "9.47", "q GRU B-σ", "2.91",
                                          "0.99",      "random", "4.51", "2.54"};
  ref_table(d, gru_headers, 3, gru_cells, COUNT(gru_cells));

  rp_heading(d, 3,
             "Zero-mean Gaussian noise next to the published uniform noise (docs/science.md §11)");
  if (!c->cfg->gaussian[0]) {
    rp_para(d, "Not measured: no Gaussian-noise results root was given (gaussian=DIR; the paper "
               "profile of reactivate reproduce trains the noisy spatial runs again with "
               "rnn.noise=gaussian).");
  } else {
    const rp_set *g = &c->sets[RP_GAUSS][RX_TASK_SPATIAL];
    file_pattern(g, 1, RX_RESULTS_KL, RX_RESULTS_MAIN, file, sizeof file);
    rp_para(
        d, "KL matrix of the noisy runs trained and run with zero-mean Gaussian noise (%s):", file);
    if ((rc = kl_matrix(c, d, RP_GAUSS, RX_RESULTS_MAIN, vanilla, 2, vanilla, 2, &any, err)))
      return rc;
    if (!any) rp_para(d, "Not measured: no KL results in %s.", g->where.dir);
  }
  rp_para(d, "Side by side: own-distribution match and quiescent variance with each noise.");
  static const char *const side_headers[] = {
      "noise",           "KL(q U-σ ‖ a U-σ)", "KL(q B-σ ‖ a B-σ)", "KL(random ‖ a U-σ)",
      "variance(q U-σ)", "variance(q B-σ)"};
  rp_table_begin(d, 6, side_headers);
  for (int root = 0; root < 2; root++) {
    if (root == RP_GAUSS && !c->cfg->gaussian[0]) continue;
    rp_cell(d, root == RP_MAIN ? "uniform in [0, 1) × σ (published), this reproduction"
                               : "zero-mean Gaussian, this reproduction");
    const rp_run us = vanilla[0].run, bs = vanilla[1].run;
    const char *m = RX_RESULTS_MAIN;
    rp_qty qs[] = {value_qty(root, RX_TASK_SPATIAL, RX_RESULTS_KL, m, us, us, NULL),
                   value_qty(root, RX_TASK_SPATIAL, RX_RESULTS_KL, m, bs, bs, NULL),
                   value_qty(root, RX_TASK_SPATIAL, RX_RESULTS_KL, m, controls[0].run, us, NULL),
                   value_qty(root, RX_TASK_SPATIAL, RX_RESULTS_VARIANCE, m, us, no_run, NULL),
                   value_qty(root, RX_TASK_SPATIAL, RX_RESULTS_VARIANCE, m, bs, no_run, NULL)};
    for (int k = 0; k < COUNT(qs); k++)
      if ((rc = stat_cell(c, d, qs[k], err)) < 0) return rc;
  }
  static const char *const side_ref[] = {
      ("uniform, " REF),
      "1.20",
      "0.56",
      "4.39",
      "0.0056",
      "0.0080",
      ("zero-mean Gaussian (sigma2 1e-4 or variance-matched 8.3e-6), " REF),
      "3.1–3.3",
      "1.2–1.6",
      "—",
      "0.04–0.10",
      "—"};
  for (int i = 0; i < COUNT(side_ref); i++)
    rp_cell(d, side_ref[i]);
  rp_table_end(d);
  return 0;
}

/* ---- exploration and smoothness ---- */

int rp_section_variance(rp_ctx *c, rp_doc *d, rx_error *err) {
  rp_heading(d, 2, "Exploration: quiescent variance");
  rp_para(d, "Total variance of the decoded quiescent positions over time (after the first "
             "steps are dropped), averaged over trajectories (docs/science.md §6), mean ± s.d. "
             "over seeds.");
  static const char *const headers[] = {"condition", "this reproduction",
                                        "without doubled noise (C.1)", REF};
  rp_table_begin(d, 4, headers);
  static const char *const refs[] = {"0.0056", "0.0080", "0.0021", "0.0013"};
  cond vanilla[4], grus[2];
  conds_of(vanilla_ids, 4, vanilla);
  conds_of(gru_ids, 2, grus);
  int rc;
  for (int i = 0; i < 4; i++) {
    char label[200];
    snprintf(label, sizeof label, "%s (%s)", vanilla[i].label, vanilla[i].desc);
    rp_cell(d, label);
    if ((rc = stat_cell(c, d,
                        value_qty(RP_MAIN, RX_TASK_SPATIAL, RX_RESULTS_VARIANCE, RX_RESULTS_MAIN,
                                  vanilla[i].run, no_run, NULL),
                        err)) < 0)
      return rc;
    if ((rc = stat_cell(c, d,
                        value_qty(RP_MAIN, RX_TASK_SPATIAL, RX_RESULTS_VARIANCE, RX_RESULTS_SAME,
                                  vanilla[i].run, no_run, NULL),
                        err)) < 0)
      return rc;
    rp_cell(d, refs[i]);
  }
  static const char *const gru_refs[] = {"0.017", "0.0055"};
  for (int i = 0; i < 2; i++) {
    char label[200];
    snprintf(label, sizeof label, "%s (%s, noise not doubled)", grus[i].label, grus[i].desc);
    rp_cell(d, label);
    if ((rc = stat_cell(c, d,
                        value_qty(RP_MAIN, RX_TASK_SPATIAL, RX_RESULTS_VARIANCE, RX_RESULTS_GRU,
                                  grus[i].run, no_run, NULL),
                        err)) < 0)
      return rc;
    rp_cell(d, "—");
    rp_cell(d, gru_refs[i]);
  }
  for (int i = 0; i < 2 && c->cfg->gaussian[0]; i++) {
    char label[200];
    snprintf(label, sizeof label, "%s (%s), zero-mean Gaussian noise", vanilla[i].label,
             vanilla[i].desc);
    rp_cell(d, label);
    if ((rc = stat_cell(c, d,
                        value_qty(RP_GAUSS, RX_TASK_SPATIAL, RX_RESULTS_VARIANCE, RX_RESULTS_MAIN,
                                  vanilla[i].run, no_run, NULL),
                        err)) < 0)
      return rc;
    rp_cell(d, "—");
    rp_cell(d, i == 0 ? "0.04–0.10" : "—");
  }
  rp_table_end(d);
  return 0;
}

int rp_section_distance(rp_ctx *c, rp_doc *d, rx_error *err) {
  rp_heading(d, 2, "Smoothness: step-wise distance");
  rp_para(
      d, "Mean distance between consecutive decoded positions per trajectory (docs/science.md §6), "
         "awake and quiescent, and for the noiseless-trained networks quiescent with noise "
         "of variance 2e-4 added offline; mean ± s.d. over seeds.");
  static const char *const headers[] = {"condition", "active", "quiescent",
                                        "quiescent, noise given offline",
                                        (REF ": active / quiescent / noise offline")};
  static const char *const refs[] = {"0.0245 / 0.0173 / —", "0.0212 / 0.0153 / —",
                                     "0.0223 / 0.0010 / 0.227", "0.0193 / 0.0030 / 0.029"};
  cond vanilla[4];
  conds_of(vanilla_ids, 4, vanilla);
  rp_table_begin(d, 5, headers);
  for (int i = 0; i < 4; i++) {
    char label[200];
    snprintf(label, sizeof label, "%s (%s)", vanilla[i].label, vanilla[i].desc);
    rp_cell(d, label);
    static const char *const fields[] = {"active", "quiescent", "quiescent_noisy"};
    for (int k = 0; k < 3; k++) {
      if (k == 2 && vanilla[i].noisy) {
        rp_cell(d, "—");
        continue;
      }
      int rc = stat_cell(c, d,
                         value_qty(RP_MAIN, RX_TASK_SPATIAL, RX_RESULTS_DISTANCE, RX_RESULTS_MAIN,
                                   vanilla[i].run, no_run, fields[k]),
                         err);
      if (rc < 0) return rc;
    }
    rp_cell(d, refs[i]);
  }
  rp_table_end(d);
  return 0;
}

int rp_section_head_direction(rp_ctx *c, rp_doc *d, rx_error *err) {
  const rp_set *s = &c->sets[RP_MAIN][RX_TASK_HEAD_DIRECTION];
  char file[3000];
  file_pattern(s, 1, RX_RESULTS_HEADING, RX_RESULTS_MAIN, file, sizeof file);
  rp_heading(d, 2, "Head direction");
  rp_para(d,
          "From %s, %s_… and %s_…. KL∘ is the divergence of the quiescent heading histogram "
          "(docs/science.md §6.7: 20 bins) from the awake one of the same network, or, for the "
          "untrained network, from the noisy unbiased network's; the effective coverage "
          "exp(-KL∘) is the fraction of the awake ring the quiescent headings effectively "
          "occupy (claim g1, docs/science.md §7.2). Bins ≥ %g uniform share: the fraction of "
          "the bins holding at least that share of the quiescent headings (for reference). ω is "
          "the mean angular velocity of the decoded headings (rad/s, counter-clockwise "
          "positive); the variance is circular. The authors' code published no head-direction "
          "numbers (docs/science.md §11).",
          file, rx_results_analysis_name(RX_RESULTS_VARIANCE),
          rx_results_analysis_name(RX_RESULTS_DISTANCE), RP_COVERAGE_MIN_SHARE);
  if (!s->exists) {
    rp_para(d, "Not measured: no head-direction results in %s.", s->where.dir);
    return 0;
  }
  static const char *const headers[] = {"condition",
                                        "KL∘(q ‖ a)",
                                        "effective coverage",
                                        "bins ≥ share, quiescent",
                                        "ω active (rad/s)",
                                        "ω quiescent (rad/s)",
                                        "circular variance, quiescent",
                                        "step distance, active",
                                        "step distance, quiescent"};
  rp_table_begin(d, 9, headers);
  const rx_task_kind hd = RX_TASK_HEAD_DIRECTION;
  const int H = RX_RESULTS_HEADING, V = RX_RESULTS_VARIANCE, D = RX_RESULTS_DISTANCE;
  const char *m = RX_RESULTS_MAIN;
  cond vanilla[4];
  conds_of(vanilla_ids, 4, vanilla);
  for (int i = 0; i <= 4; i++) {
    /* row 4: the untrained control, against the noisy unbiased network's awake headings */
    const int control = i == 4;
    const rp_run r = control ? (rp_run){-1, RX_RESULTS_RANDOM} : vanilla[i].run;
    const rp_run target = vanilla[0].run;
    char label[200];
    if (control)
      snprintf(label, sizeof label, "untrained network (against a %s)", vanilla[0].label);
    else
      snprintf(label, sizeof label, "%s (%s)", vanilla[i].label, vanilla[i].desc);
    rp_cell(d, label);
    rp_qty qs[] = {value_qty(RP_MAIN, hd, H, m, r, control ? target : r, NULL),
                   value_qty(RP_MAIN, hd, H, m, r, control ? target : r, NULL),
                   value_qty(RP_MAIN, hd, H, m, r, no_run, "quiescent_histogram"),
                   value_qty(RP_MAIN, hd, H, m, r, no_run, "active_mean_angular_velocity"),
                   value_qty(RP_MAIN, hd, H, m, r, no_run, "quiescent_mean_angular_velocity"),
                   value_qty(RP_MAIN, hd, V, m, r, no_run, NULL),
                   value_qty(RP_MAIN, hd, D, m, r, no_run, "active"),
                   value_qty(RP_MAIN, hd, D, m, r, no_run, "quiescent")};
    qs[0].kind = RP_RING_KL;
    qs[1].kind = RP_RING_EFF;
    qs[2].kind = RP_COVERAGE;
    for (int k = 0; k < COUNT(qs); k++) {
      if (control && (k == 3 || k >= 5)) { /* the control has no awake run, variance, distance */
        rp_cell(d, "—");
        continue;
      }
      int rc = stat_cell(c, d, qs[k], err);
      if (rc < 0) return rc;
    }
  }
  rp_table_end(d);
  return 0;
}

/* ---- the authors' numbers ---- */

void rp_section_reference(rp_doc *d) {
  rp_heading(d, 2, "Reference: the authors' code (docs/science.md §11)");
  rp_para(d, "Measured with the authors' published code: seed 0, full paper sizes, one H100. "
             "Orders of magnitude, not targets to match digit by digit (one seed, different "
             "random streams). The KL matrices, variances and distances are shown next to this "
             "reproduction's above; the rest:");
  rp_list_begin(d);
  rp_list_item(d, "Final test loss / position MSE: noisy 6e-6 / 0.0036, noiseless 7e-7 / 0.0016.");
  rp_list_item(d, "GRU (noise not doubled): KL to own active 0.27 (unbiased), 0.99 (biased); "
                  "cross 9.47 / 2.91; random 4.51 / 2.54; variance 0.017 / 0.0055.");
  rp_list_item(d, "Zero-mean Gaussian noise instead (same sigma2 1e-4, or variance-matched "
                  "8.3e-6): noisy-unbiased KL to own active rose to 3.1–3.3 and quiescent "
                  "variance to 0.04–0.10; noisy-biased 1.2–1.6. The match the paper shows "
                  "depends on the noise's non-zero mean.");
  rp_list_item(d, "A reduced probe (128 units, 600 steps, Gaussian noise) showed almost no "
                  "effect (noisy-unbiased KL 2.05 vs random 2.47; quiescent variance 0.0003): "
                  "small networks trained briefly need not show the paper's results.");
  rp_list_item(d, "Quiescent runs start from the active states' distribution and explore slowly "
                  "(variance 0.006 vs 0.8 for the whole box), so a low KL can also mean "
                  "\"stayed where it started\".");
  rp_list_end(d);
}

/* ---- figures ---- */

static const struct {
  const char *key, *label, *caption;
} captions[] = {
    {"1b_learning_curves", "1b", "test loss and decoding error vs training step"},
    {"1c_explained_variance", "1c",
     "cumulative explained variance of the hidden states' PCs, active vs quiescent"},
    {"1de_trajectories", "1d/e",
     "decoded trajectories of the noisy unbiased network, active (blue) and quiescent (red)"},
    {"1fg_pcs", "1f/g",
     "hidden states on the first two active PCs, coloured by decoded distance "
     "from the centre"},
    {"1hk_densities", "1h-k",
     "densities of decoded positions and of the first two PCs, active "
     "vs quiescent"},
    {"2ab_positions", "2a/b",
     "decoded positions of the noisy biased network, active and "
     "quiescent"},
    {"2cd_densities", "2c/d",
     "densities of the biased network's decoded positions, active vs "
     "quiescent"},
    {"2e_kl_matrix", "2e", "KL(quiescent ‖ active) matrix"},
    {"2f_variance", "2f", "quiescent variance of the trained conditions"},
    {"C3_example_trajectories", "C.3",
     "example quiescent trajectories: noisy/noisy, noiseless/noiseless, noiseless/noisy"},
    {"C4_step_distance", "C.4",
     "step-wise distance, active and quiescent, and noiseless "
     "networks given noise offline"},
    {"3ab_headings", "3a/b", "decoded heading distributions, active vs quiescent"},
    {"3cd_pcs", "3c/d", "hidden states on the first two PCs, coloured by decoded heading"},
    {"C5_trajectories", "C.5", "decoded heading trajectories, biased head-direction network"},
    {"C5_angular_velocity", "C.5", "angular velocities of decoded headings, biased vs unbiased"},
    /* the probes (docs/probes.md), beyond the paper */
    {"probe_mixing", "mixing probe",
     "KL of each quiescent window against the awake density, from the awake states, a far "
     "point and h = 0 (docs/probes.md §2)"},
    {"probe_score", "score probe",
     "quiescent drift and the score of the awake density, per bin (docs/probes.md §4)"},
    {"probe_temperature", "temperature probe",
     "the exponent β_k of the awake density the quiescent outputs follow at noise k σ², "
     "against 2/k (docs/probes.md §3)"},
    {"probe_diffusion", "diffusion probe",
     "mean squared displacement against the lag and step sizes, quiescent and awake "
     "(docs/probes.md §1)"},
    /* replay (docs/replay.md), beyond the paper */
    {"replay_examples", "replay examples",
     "the posteriors of the best significant and of typical quiescent events, under their best "
     "line (ring) or with their fitted path (arena) (docs/replay.md §7)"},
    {"replay_scores", "replay scores",
     "the events' scores and p-values, quiescent and awake, per network (docs/replay.md §4–5)"},
    {"replay_speeds", "replay speeds",
     "the speeds of the significant events, quiescent and awake, per network (docs/replay.md "
     "§7)"},
    {"replay_paths", "replay paths",
     "the decoded paths of example events in the arena (docs/replay.md §5)"},
    /* the mechanisms (docs/mechanisms.md), beyond the paper */
    {"mechanisms", "mechanisms",
     "the paper's cell, adaptation and momentum, as trained and switched on or off offline: "
     "quiescent variance and step distance per trajectory, diffusion exponent α, median |v| and "
     "compression of the significant quiescent events, and (arena) the KL to the own awake "
     "outputs (docs/mechanisms.md)"},
};

void rp_figure_caption(const char *stem, int gaussian, char *buf, size_t n) {
  const char *key = NULL, *variant = "";
  if (!strncmp(stem, "figC1_", 6))
    key = stem + 6, variant = "C.1: as ";
  else if (!strncmp(stem, "figC2_", 6))
    key = stem + 6, variant = "C.2: as ";
  else if (!strncmp(stem, "fig", 3))
    key = stem + 3 + (stem[3] == '_'); /* "fig_probe_mixing": the probes' figures */
  int found = -1;
  for (int i = 0; key && i < COUNT(captions); i++)
    if (!strcmp(key, captions[i].key)) found = i;
  const char *note = !strcmp(variant, "C.1: as ")   ? ", quiescent noise not doubled"
                     : !strcmp(variant, "C.2: as ") ? ", GRU networks"
                                                    : "";
  if (found < 0)
    snprintf(buf, n, "%s%s", stem, gaussian ? " (zero-mean Gaussian noise)" : "");
  else
    snprintf(buf, n, "Fig. %s%s: %s%s%s (%s)", variant, captions[found].label,
             captions[found].caption, note, gaussian ? ", zero-mean Gaussian noise" : "", stem);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* File names listed from a folder (each malloc'd), sorted by name_list_sort. */
typedef struct name_list {
  char **v;
  int n, cap;
} name_list;

/* Adds the first len characters of name: 0, or RX_ENOMEM (err names the folder dir). */
static int name_list_add(name_list *l, const char *name, size_t len, const char *dir,
                         rx_error *err) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 16;
    char **p = realloc(l->v, (size_t)cap * sizeof *p);
    if (!p) return rx_fail(err, RX_ENOMEM, "out of memory listing %s", dir);
    l->v = p, l->cap = cap;
  }
  if (!(l->v[l->n] = strndup(name, len)))
    return rx_fail(err, RX_ENOMEM, "out of memory listing %s", dir);
  l->n++;
  return 0;
}

static void name_list_sort(name_list *l) {
  if (l->n) qsort(l->v, (size_t)l->n, sizeof *l->v, cmp_names);
}

static void name_list_free(name_list *l) {
  for (int i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
}

/* <stem>.png of the figures folder dir_path (rel_dir from the report), captioned, with a link
 * to <stem>.svg when that exists. */
static void show_figure(rp_doc *d, const char *dir_path, const char *rel_dir, const char *stem,
                        int gaussian) {
  char src[3000], svg[3000], svg_path[3000], cap[1200];
  snprintf(src, sizeof src, "%s/%s.png", rel_dir, stem);
  snprintf(svg, sizeof svg, "%s/%s.svg", rel_dir, stem);
  snprintf(svg_path, sizeof svg_path, "%s/%s.svg", dir_path, stem);
  rp_figure_caption(stem, gaussian, cap, sizeof cap);
  rp_figure(d, src, cap, rx_file_exists(svg_path) ? svg : NULL);
}

static int figures_of(rp_ctx *c, rp_doc *d, int root, rx_task_kind task, rx_error *err) {
  const rp_set *s = &c->sets[root][task];
  char dir_path[2400], head[200];
  char rel_dir[2400];
  rx_results_figures_dir(s->where.dir, dir_path, sizeof dir_path);
  rx_results_figures_dir(s->rel, rel_dir, sizeof rel_dir);
  snprintf(head, sizeof head, "%s%s", rx_task_name(task),
           root == RP_GAUSS ? ", zero-mean Gaussian noise" : "");
  rp_heading(d, 3, head);
  DIR *dir = s->exists ? opendir(dir_path) : NULL;
  if (!dir) {
    rp_para(d, "No figures: %s does not exist (run reactivate figures task=%s).", dir_path,
            rx_task_name(task));
    return 0;
  }
  name_list names = {0};
  int rc = 0, n_probe = 0, n_replay = 0, n_mech = 0;
  struct dirent *e;
  while ((e = readdir(dir))) {
    size_t k = strlen(e->d_name);
    if (k <= 4 || strcmp(e->d_name + k - 4, ".png") || e->d_name[0] == '.') continue;
    /* the main root's probe figures are shown in "Is it sampling?", its replay figures in
     * "Replay" */
    if (root == RP_MAIN &&
        !strncmp(e->d_name, RP_PROBE_FIGURE_PREFIX, strlen(RP_PROBE_FIGURE_PREFIX))) {
      n_probe++;
      continue;
    }
    if (root == RP_MAIN &&
        (!strncmp(e->d_name, RP_REPLAY_FIGURE_PREFIX, strlen(RP_REPLAY_FIGURE_PREFIX)) ||
         !strncmp(e->d_name, RP_REPLAY_GRU_FIGURE_PREFIX, strlen(RP_REPLAY_GRU_FIGURE_PREFIX)))) {
      n_replay++;
      continue;
    }
    if (root == RP_MAIN && !strcmp(e->d_name, RP_MECHANISMS_FIGURE ".png")) {
      n_mech++; /* shown in "Mechanisms" */
      continue;
    }
    if ((rc = name_list_add(&names, e->d_name, k, dir_path, err))) break;
  }
  closedir(dir);
  if (!rc) name_list_sort(&names);
  const int n = names.n;
  if (!rc && !n && !n_probe && !n_replay && !n_mech)
    rp_para(d, "No figures in %s (run reactivate figures task=%s).", dir_path, rx_task_name(task));
  if (!rc && n_probe)
    rp_para(d, "The probes' figures (%d) are shown in \"Is it sampling?\".", n_probe);
  if (!rc && n_replay) rp_para(d, "The replay figures (%d) are shown in \"Replay\".", n_replay);
  if (!rc && n_mech) rp_para(d, "The mechanisms figure is shown in \"Mechanisms\".");
  if (!rc && n && !s->rel[0])
    rp_para(d, "The figures in %s cannot be linked: no relative path from %s.", dir_path,
            c->cfg->path);
  for (int i = 0; i < n && !rc && s->rel[0]; i++) {
    char stem[512];
    snprintf(stem, sizeof stem, "%.*s", (int)strlen(names.v[i]) - 4, names.v[i]);
    show_figure(d, dir_path, rel_dir, stem, root == RP_GAUSS);
  }
  name_list_free(&names);
  return rc;
}

int rp_figure_if_exists(const rp_set *s, rp_doc *d, const char *stem) {
  char dir_path[2400], rel_dir[2400], path[3000];
  if (!s->exists || !s->rel[0]) return 0;
  rx_results_figures_dir(s->where.dir, dir_path, sizeof dir_path);
  rx_results_figures_dir(s->rel, rel_dir, sizeof rel_dir);
  snprintf(path, sizeof path, "%s/%s.png", dir_path, stem);
  if (!rx_file_exists(path)) return 0;
  show_figure(d, dir_path, rel_dir, stem, 0);
  return 1;
}

int rp_figures_with_prefix(const rp_set *s, rp_doc *d, const char *prefix, const char *const *order,
                           int n_order, rx_error *err) {
  char dir_path[2400], rel_dir[2400];
  if (!s->exists || !s->rel[0]) return 0;
  rx_results_figures_dir(s->where.dir, dir_path, sizeof dir_path);
  rx_results_figures_dir(s->rel, rel_dir, sizeof rel_dir);
  DIR *dir = opendir(dir_path);
  if (!dir) return 0;
  const size_t lp = strlen(prefix);
  name_list stems = {0};
  int rc = 0, shown = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    size_t k = strlen(e->d_name);
    if (k <= lp + 4 || strncmp(e->d_name, prefix, lp) || strcmp(e->d_name + k - 4, ".png"))
      continue;
    if ((rc = name_list_add(&stems, e->d_name, k - 4, dir_path, err))) break;
  }
  closedir(dir);
  if (!rc) name_list_sort(&stems);
  char **names = stems.v;
  const int n = stems.n;
  /* those of order first, in its order (each marked shown by emptying it); then the rest */
  for (int o = 0; o < n_order && !rc; o++)
    for (int i = 0; i < n; i++)
      if (names[i][0] && !strcmp(names[i] + lp, order[o])) {
        show_figure(d, dir_path, rel_dir, names[i], 0);
        names[i][0] = '\0';
        shown++;
      }
  for (int i = 0; i < n && !rc; i++)
    if (names[i][0]) {
      show_figure(d, dir_path, rel_dir, names[i], 0);
      shown++;
    }
  name_list_free(&stems);
  return rc ? rc : shown;
}

int rp_section_figures(rp_ctx *c, rp_doc *d, rx_error *err) {
  rp_heading(d, 2, "Figures");
  rp_para(d, "Every figure found under <root>/<task>/figures/ (drawn by reactivate figures; "
             "awake activity blue, quiescent red).");
  for (int root = 0; root < 2; root++) {
    if (root == RP_GAUSS && !c->cfg->gaussian[0]) continue;
    for (int t = 0; t < 2; t++) {
      if (root == RP_GAUSS && !c->sets[root][t].exists) continue;
      int rc = figures_of(c, d, root, (rx_task_kind)t, err);
      if (rc) return rc;
    }
  }
  return 0;
}
