/* The report's section "Replay" from synthetic replay files in exactly the layout of
 * docs/replay.md §7: claims n1, n2 hold with their numbers (mean ± s.d. over two seeds), are
 * listed in the section and counted with the findings beyond the paper, and each fails on its
 * own when one of its numbers is moved across its threshold; n1 is judged by the share of seeds
 * (a seed without significant events counts as not turning counter-clockwise); every table cell
 * is the file's number of its own key; the sizes the files' settings say were run; the replay
 * figures shown in the section (not under Figures); files absent or malformed. Set
 * RX_REPORT_KEEP=1 to keep the folders for looking at. */
#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "reactivate/fileio.h"
#include "reactivate/report.h"
#include "report_fixtures.h"
#include "test_util.h"

/* ---- writing synthetic results ---- */

/* One seed's numbers that the claims read, per task (0 spatial, 1 head direction): the fraction
 * of significant quiescent events and their median speed (NAN: none significant, null) in the
 * condition `quiescent`. Every other number is fixed below, distinct per key. */
typedef struct rv {
  double frac[2][N_ROWS], speed[2][N_ROWS];
} rv;

/* Every replay claim holds. Seeds 0 and 1 differ in two numbers, so mean ± s.d. is checkable. */
static rv holding(int seed) {
  rv v = {
      .frac = {{0.3, 0.35, 0.7, 0.75, 0.2}, {0.25, 0.3, 0.1, 0.15, 0.05}},
      .speed = {{0.6, 0.5, 0.01, 0.02, 0.7}, {-0.5, 1, 0.2, 3, 0.4}},
  };
  v.frac[0][US] = seed ? 0.5 : 0.3; /* 0.4 ± 0.1 */
  v.speed[1][BS] = seed ? 2 : 1;    /* 1.5 ± 0.5 */
  return v;
}

static int n_conds(int r) { return r == UN || r == BN ? 2 : 1; }
static const char *const conds[2] = {"quiescent", "absolute_noise"};

static void add_number_or_null(cJSON *o, const char *key, double x) {
  if (isnan(x))
    cJSON_AddNullToObject(o, key);
  else
    cJSON_AddNumberToObject(o, key, x);
}

/* A summary (docs/replay.md §7) whose numbers are distinct per key: base + the row's hundredths
 * (+ 0.005 under absolute_noise), so a table that reads the wrong key shows a wrong number. */
static cJSON *summary(int hd, int r, int k, int awake, double frac, double speed) {
  cJSON *s = cJSON_CreateObject();
  const double o = 0.01 * r + 0.005 * k;
  cJSON_AddNumberToObject(s, "n_events", 64);
  cJSON_AddNumberToObject(s, "n_significant", isnan(speed) ? 0 : round(64 * frac));
  cJSON_AddNumberToObject(s, "fraction_significant", frac);
  add_number_or_null(s, "median_speed", speed);
  add_number_or_null(s, "median_abs_speed", isnan(speed) ? NAN : fabs(speed) + 0.5);
  cJSON_AddNumberToObject(s, "median_abs_speed_all", (awake ? 2.2 : 0.2) + o);
  if (hd) {
    cJSON_AddNumberToObject(s, "median_score", 0.4 + o);
    cJSON_AddNumberToObject(s, "fraction_significant_column", 0.9 + o);
    cJSON_AddNumberToObject(s, "fraction_significant_time", 0.45 + o);
  } else {
    cJSON_AddNumberToObject(s, "median_r2", (awake ? 0.6 : 0.05) + o);
    cJSON_AddNumberToObject(s, "median_path_length", (awake ? 0.09 : 0.04) + o);
    cJSON_AddNumberToObject(s, "median_straightness", (awake ? 0.95 : 0.3) + o);
    cJSON_AddNumberToObject(s, "median_max_jump", (awake ? 0.003 : 0.002) + o / 10);
  }
  cJSON *ex = cJSON_AddObjectToObject(s, "examples");
  cJSON_AddItemToObject(ex, "significant", cJSON_CreateArray());
  cJSON_AddItemToObject(ex, "not_significant", cJSON_CreateArray());
  return s;
}

static cJSON *replay_file(const rv *v, const char *noise, int seed, int hd) {
  cJSON *f = cJSON_CreateObject(), *s = cJSON_AddObjectToObject(f, "settings");
  cJSON_AddNumberToObject(s, "probes_noise", hd ? 0.01 : 1e-4);
  cJSON *bins = cJSON_AddObjectToObject(s, "bins");
  cJSON_AddStringToObject(bins, "kind", hd ? "ring" : "plane");
  cJSON_AddNumberToObject(bins, "n_bins", hd ? 72 : 1936);
  cJSON_AddNumberToObject(bins, "nx", hd ? 72 : 44);
  cJSON_AddNumberToObject(bins, "ny", hd ? 1 : 44);
  cJSON_AddNumberToObject(bins, hd ? "bin_degrees" : "bin_size", hd ? 5 : 0.05);
  cJSON_AddNumberToObject(s, "batch_size", 200);
  cJSON_AddNumberToObject(s, "t_burn", 200);
  cJSON_AddNumberToObject(s, "t_total", 1000);
  cJSON_AddNumberToObject(s, "event_steps", 25);
  cJSON_AddNumberToObject(s, "n_windows", 40);
  cJSON_AddNumberToObject(s, "n_events", 8000);
  cJSON_AddNumberToObject(s, "awake_batch_size", 200);
  cJSON_AddStringToObject(s, "score", hd ? "line" : "path");
  cJSON_AddNumberToObject(s, "n_shuffles", 200);
  cJSON_AddNumberToObject(s, "alpha", 0.05);
  if (hd) {
    cJSON_AddNumberToObject(s, "n_speeds", 121);
    cJSON_AddNumberToObject(s, "v_max", 4);
    cJSON_AddNumberToObject(s, "band", 2);
  }
  cJSON_AddNumberToObject(s, "seed", seed);
  cJSON_AddStringToObject(s, "speed_unit", hd ? "rad/s" : "m/s");
  for (int r = 0; r < N_ROWS; r++) {
    char key[200];
    row_key(key, sizeof key, r, noise, seed);
    cJSON *run = cJSON_AddObjectToObject(f, key);
    cJSON_AddNumberToObject(run, "dt", 0.02);
    cJSON_AddNumberToObject(run, "s2", 0.01);
    cJSON_AddNumberToObject(run, "awake_windows", 4);
    cJSON_AddNumberToObject(run, "awake_decoded_speed", 1.1 + 0.01 * r);
    cJSON_AddNumberToObject(run, "awake_true_speed", 0.9 + 0.01 * r);
    for (int k = 0; k < n_conds(r); k++) {
      cJSON *c = cJSON_AddObjectToObject(run, conds[k]);
      /* with noise given offline: other numbers, never those the claims read */
      const double frac = k ? 0.5 : v->frac[hd][r], speed = k ? -0.25 : v->speed[hd][r];
      cJSON_AddNumberToObject(c, "noise_variance", k || r < 2 || r == RND ? 2e-4 : 0);
      cJSON_AddItemToObject(c, "quiescent", summary(hd, r, k, 0, frac, speed));
      cJSON_AddItemToObject(c, "awake", summary(hd, r, 0, 1, 0.65 + 0.01 * r, 0.8));
      add_number_or_null(c, "compression", isnan(speed) ? NAN : 0.3 + 0.01 * r + 0.005 * k);
    }
  }
  return f;
}

/* One seed of both tasks: the runs' test metrics and a variance file (as any results root has),
 * and (with_replay) the replay files. */
static void write_seed(const char *root, int seed, const rv *v, int with_replay) {
  for (int hd = 0; hd < 2; hd++) {
    char dir[600], rel[1000];
    const char *noise = hd ? "0.01" : "0.0001";
    put_runs_and_variance(root, hd, seed, dir, sizeof dir);
    if (with_replay) {
      snprintf(rel, sizeof rel, "replay_%s_%d.json", noise, seed);
      put_json(dir, rel, replay_file(v, noise, seed, hd));
    }
  }
}

/* ---- reading the report ---- */

static const char *const replay_ids[] = {"n1", "n2 (spatial)", "n2 (head direction)"};
#define N_REPLAY_CLAIMS 3

/* ---- tests ---- */

static void test_replay_claims_hold_with_their_numbers(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "replay_hold");
  for (int s = 0; s < 2; s++) {
    rv v = holding(s);
    write_seed(root, s, &v, 1);
  }
  char *md = report_md(root), *html = rx_test_read_text(root, "report.html");
  REQUIRE(md && html);
  const char *probes = strstr(md, "\n## Is it sampling?\n"), *sec = strstr(md, "\n## Replay\n"),
             *figs = strstr(md, "\n## Figures\n");
  REQUIRE(probes && sec && figs);
  CHECK(probes < sec && sec < figs); /* after "Is it sampling?", before the figures */
  CHECK(strstr(sec, "findings beyond the paper") && strstr(sec, "a failed reproduction"));
  static const claim_numbers expect[] = {
      {"n1", "share of seeds where v(q B-σ) > 0 = 1 (2 of 2 seeds) > 0.5 (shown: v(q B-σ) "
             "(rad/s) = 1.5 ± 0.5, significant(q B-σ) = 0.3 ± 0, v(q U-σ) (rad/s) = -0.5 ± 0)"},
      {"n2 (spatial)", "significant(q U-σ) = 0.4 ± 0.1 > significant(random) = 0.2 ± 0; and "
                       "significant(q B-σ) = 0.35 ± 0 > significant(random) = 0.2 ± 0"},
      {"n2 (head direction)", "significant(q U-σ) = 0.25 ± 0 > significant(random) = 0.05 ± 0; "
                              "and significant(q B-σ) = 0.3 ± 0 > significant(random) = 0.05 ± 0"},
  };
  /* listed in the section, not in the checklist's table of findings */
  check_findings_hold(md, sec, figs, replay_ids, N_REPLAY_CLAIMS, expect,
                      (int)(sizeof expect / sizeof expect[0]));
  char row[3000];
  /* counted with the findings beyond the paper (the probes' j1..m1 and i1, i2: no files) */
  CHECK_MSG(strstr(md, "Findings beyond the paper (ours, docs/science.md §7.2 and §11.4, the "
                       "probes of \"Is it sampling?\" and the replay scores of \"Replay\"): 10 "
                       "checked; 3 hold, 0 do not hold, 7 not measured."),
            "summary counts");
  CHECK(strstr(md, "and those of replay (n1, n2) in \"Replay\"") != NULL);

  /* the tables: every cell the file's number of its own key, mean ± s.d. over the seeds */
  const char *sp = strstr(sec, "\n### Spatial navigation\n"),
             *hd = strstr(sec, "\n### Head direction\n");
  REQUIRE(sp && hd && sp < hd && hd < figs);
  CHECK_MSG(strstr(row_of(sp, "U-σ (noisy, unbiased)", row, sizeof row),
                   "| 0.4 ± 0.1 | 0.65 ± 0 | 0.6 ± 0 | 0.2 ± 0 | 0.3 ± 0 | 1.1 ± 0 | 0.9 ± 0 |"),
            "%s", row);
  CHECK_MSG(
      strstr(row_of(sp, "B (noiseless, biased), no noise", row, sizeof row),
             "| 0.75 ± 0 | 0.68 ± 0 | 0.02 ± 0 | 0.23 ± 0 | 0.33 ± 0 | 1.13 ± 0 | 0.93 ± 0 |"),
      "%s", row);
  CHECK_MSG(
      strstr(row_of(sp, "B (noiseless, biased), noise given offline", row, sizeof row),
             "| 0.5 ± 0 | 0.68 ± 0 | -0.25 ± 0 | 0.235 ± 0 | 0.335 ± 0 | 1.13 ± 0 | 0.93 ± 0 |"),
      "%s", row);
  CHECK_MSG(strstr(row_of(sp, "untrained network (control)", row, sizeof row),
                   "| 0.2 ± 0 | 0.69 ± 0 | 0.7 ± 0 | 0.24 ± 0 | 0.34 ± 0 | 1.14 ± 0 | 0.94 ± 0 |"),
            "%s", row);
  /* the path's shape: R², length, straightness, jump; quiescent then awake */
  const char *shape = strstr(sp, "How path-like");
  REQUIRE(shape);
  CHECK_MSG(strstr(row_of(shape, "B-σ (noisy, biased)", row, sizeof row),
                   "| 0.06 ± 0 | 0.61 ± 0 | 0.05 ± 0 | 0.1 ± 0 | 0.31 ± 0 | 0.96 ± 0 | 0.003 ± 0 | "
                   "0.004 ± 0 |"),
            "%s", row);
  CHECK(strstr(sp, "| network (condition) | significant, quiescent | significant, awake | median "
                   "speed, significant (m/s) |") != NULL);
  CHECK(strstr(sp, "Sizes run: 200 quiescent trajectories × 1000 steps after 200 steps of "
                   "burn-in, cut into events of 25 steps (8000 per network and condition); "
                   "awake, events of the same length from the 200 test trajectories; 44 × 44 "
                   "bins of 0.05 m; 200 shuffles per null, α = 0.05. Settings in the files (as "
                   "written): seeds 0, 1: probes_noise = 0.0001, bins = {kind = plane, n_bins = "
                   "1936, nx = 44, ny = 44, bin_size = 0.05}, batch_size = 200,") != NULL);
  /* the seed a file records is its own, not a setting that differs between seeds */
  CHECK(strstr(sec, "seed = ") == NULL);
  /* head direction: the signed speed and each null alone */
  CHECK_MSG(strstr(row_of(hd, "B-σ (noisy, biased)", row, sizeof row),
                   "| 0.3 ± 0 | 0.66 ± 0 | 0.91 ± 0 | 0.46 ± 0 | 1.5 ± 0.5 | 2 ± 0.5 | 0.21 ± 0 | "
                   "0.31 ± 0 | 1.11 ± 0 | 0.91 ± 0 |"),
            "%s", row);
  CHECK(strstr(hd, "| median v, significant (rad/s) | median \\|v\\|, significant (rad/s) |") !=
        NULL);
  CHECK(strstr(hd, "72 bins of 5° on the ring; 200 shuffles per null, α = 0.05; lines at 121 "
                   "speeds up to ±4 bins per step, band ±2 bins.") != NULL);
  CHECK(strstr(hd, "How path-like") == NULL); /* the ring has no paths */
  /* HTML carries the same section and the verdict classes */
  CHECK(strstr(html, "<h2 id=\"replay\">Replay</h2>"));
  CHECK(strstr(html, "<td>n2 (head direction)</td>"));
  free(md);
  free(html);
  cleanup(root);
}

/* One number moved across one claim's threshold (in every seed): that claim does not hold, with
 * the number shown, and the other replay claims still hold. */
typedef struct failure {
  const char *id, *numbers;
  void (*apply)(rv *v);
} failure;

static void n1_clockwise(rv *v) { v->speed[1][BS] = -1; }
static void n1_no_significant_event(rv *v) { v->speed[1][BS] = NAN; }
static void n2_random_more_in_the_arena(rv *v) { v->frac[0][RND] = 0.45; }
static void n2_equal_on_the_ring(rv *v) { v->frac[1][US] = 0.05; }

static void test_replay_claims_fail_one_at_a_time(void) {
  static const failure cases[] = {
      {"n1",
       "share of seeds where v(q B-σ) > 0 = 0 (0 of 2 seeds) > 0.5 (shown: v(q B-σ) (rad/s) = -1 ± "
       "0",
       n1_clockwise},
      /* a seed without significant events (median speed null) counts as not counter-clockwise */
      {"n1",
       "share of seeds where v(q B-σ) > 0 = 0 (0 of 2 seeds) > 0.5 (shown: v(q B-σ) (rad/s) = n/a",
       n1_no_significant_event},
      {"n2 (spatial)", "significant(q B-σ) = 0.35 ± 0 > significant(random) = 0.45 ± 0",
       n2_random_more_in_the_arena},
      {"n2 (head direction)", "significant(q U-σ) = 0.05 ± 0 > significant(random) = 0.05 ± 0",
       n2_equal_on_the_ring},
  };
  for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
    char root[256];
    rx_test_tmpdir(root, sizeof root, "replay_fail");
    for (int s = 0; s < 2; s++) {
      rv v = holding(s);
      cases[c].apply(&v);
      write_seed(root, s, &v, 1);
    }
    char *md = report_md(root);
    REQUIRE(md);
    check_only_finding_fails(md, replay_ids, N_REPLAY_CLAIMS, c, cases[c].id, cases[c].numbers,
                             "10 checked; 2 hold, 1 do not hold, 7 not measured.");
    free(md);
    cleanup(root);
  }
}

static void test_replay_n1_is_judged_by_the_share_of_seeds(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "replay_share");
  for (int s = 0; s < 3; s++) {
    rv v = holding(s % 2);
    if (s == 2) v.speed[1][BS] = -4; /* counter-clockwise in 2 of 3 seeds; mean -0.333 */
    write_seed(root, s, &v, 1);
  }
  char *md = report_md(root);
  REQUIRE(md);
  char row[3000];
  row_of(md, "n1", row, sizeof row);
  CHECK_MSG(!strcmp(verdict_of(row), "holds") &&
                strstr(row, "share of seeds where v(q B-σ) > 0 = 0.667 (2 of 3 seeds) > 0.5 "
                            "(shown: v(q B-σ) (rad/s) = -0.333 ± 2.62,"),
            "%s", row);
  free(md);
  cleanup(root);
}

static void test_replay_files_absent_are_not_measured(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "replay_absent");
  rv v = holding(0);
  write_seed(root, 0, &v, 0); /* results from before replay */
  char *md = report_md(root);
  REQUIRE(md);
  char row[3000];
  for (int i = 0; i < N_REPLAY_CLAIMS; i++) {
    row_of(md, replay_ids[i], row, sizeof row);
    CHECK_MSG(!strcmp(verdict_of(row), "not measured") &&
                  strstr(row, "needs reactivate analyze all") &&
                  strstr(row, "(it runs replay with the default quiescence rule"),
              "claim %s: '%s'", replay_ids[i], row);
  }
  CHECK_MSG(strstr(row_of(md, "n1", row, sizeof row), "head_direction/replay_0.01_\\<seed>.json"),
            "%s", row);
  CHECK_MSG(strstr(row_of(md, "n2 (spatial)", row, sizeof row),
                   "spatial_navigation/replay_0.0001_\\<seed>.json"),
            "%s", row);
  CHECK(strstr(md, "10 checked; 0 hold, 0 do not hold, 10 not measured.") != NULL);
  const char *sec = strstr(md, "\n## Replay\n"), *figs = strstr(md, "\n## Figures\n");
  REQUIRE(sec && figs);
  CHECK(strstr(sec, "Not measured: no replay_0.0001_\\<seed>.json in ") != NULL);
  CHECK(strstr(sec, "Not measured: no replay_0.01_\\<seed>.json in ") != NULL);
  CHECK(strstr(sec, "reactivate analyze replay task=head_direction writes it).") != NULL);
  const char *table = strstr(sec, "| network (condition) |");
  CHECK(!table || table > figs); /* no empty tables */
  free(md);
  cleanup(root);

  /* no head-direction results at all: that task says so, spatial navigation is judged */
  rx_test_tmpdir(root, sizeof root, "replay_one_task");
  write_seed(root, 0, &v, 1);
  char hd[700];
  snprintf(hd, sizeof hd, "%s/head_direction", root);
  REQUIRE(rx_test_rmtree(hd) == 0);
  md = report_md(root);
  REQUIRE(md);
  CHECK(!strcmp(verdict_of(row_of(md, "n2 (spatial)", row, sizeof row)), "holds"));
  CHECK(!strcmp(verdict_of(row_of(md, "n1", row, sizeof row)), "not measured"));
  sec = strstr(md, "\n## Replay\n");
  REQUIRE(sec);
  CHECK(strstr(sec, "Not measured: no head_direction results in ") != NULL);
  /* one seed: bare numbers */
  CHECK_MSG(strstr(row_of(sec, "U-σ (noisy, unbiased)", row, sizeof row), "| 0.3 | 0.65 | 0.6 |"),
            "%s", row);
  free(md);
  cleanup(root);
}

static void test_replay_figures_are_shown_in_the_section(void) {
  char root[256], figs[400];
  rx_test_tmpdir(root, sizeof root, "replay_figs");
  rv v = holding(0);
  write_seed(root, 0, &v, 1);
  snprintf(figs, sizeof figs, "%s/spatial_navigation/figures", root);
  /* (written out of name order: the listings sort them) */
  static const char *const pngs[] = {
      "fig_replay_speeds.png", "fig_replay_examples.png",   "fig_replay_zz.png",
      "fig_replay_other.png",  "fig_replay_aa.png",         "figC2_replay_examples.png",
      "fig2f_variance.png",    "fig1b_learning_curves.png", "fig2e_kl_matrix.png"};
  for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++)
    REQUIRE(copy_png(figs, pngs[i]) == 0);
  put(figs, "fig_replay_speeds.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  char *md = report_md(root), *html = rx_test_read_text(root, "report.html");
  REQUIRE(md && html);
  const char *sec = strstr(md, "\n## Replay\n"), *figures = strstr(md, "\n## Figures\n");
  REQUIRE(sec && figures);
  const char *hd = strstr(sec, "\n### Head direction\n");
  REQUIRE(hd);
  /* in the spatial part, in the figures' order (examples, speeds), then the others by name,
   * then the GRUs' */
  const char *ex = strstr(sec, "](spatial_navigation/figures/fig_replay_examples.png)"),
             *sp = strstr(sec, "](spatial_navigation/figures/fig_replay_speeds.png)"),
             *aa = strstr(sec, "](spatial_navigation/figures/fig_replay_aa.png)"),
             *other = strstr(sec, "](spatial_navigation/figures/fig_replay_other.png)"),
             *zz = strstr(sec, "](spatial_navigation/figures/fig_replay_zz.png)"),
             *gru = strstr(sec, "](spatial_navigation/figures/figC2_replay_examples.png)");
  CHECK(ex && sp && aa && other && zz && gru);
  CHECK(ex && sec < ex && ex < sp && sp < aa && aa < other && other < zz && zz < gru && gru < hd);
  CHECK(strstr(sec, "Fig. replay speeds: the speeds of the significant events") != NULL);
  CHECK(strstr(sec, "Fig. C.2: as replay examples:") != NULL);
  CHECK(strstr(sec, "([SVG](spatial_navigation/figures/fig_replay_speeds.svg))") != NULL);
  /* each once: the Figures section leaves them to "Replay" and says so */
  CHECK(count_of(md, "fig_replay_examples.png") == 1 &&
        count_of(md, "figC2_replay_examples.png") == 1);
  CHECK(strstr(figures, "The replay figures (6) are shown in \"Replay\".") != NULL);
  /* the others under Figures, by name */
  const char *b1 = strstr(figures, "fig1b_learning_curves.png"),
             *e2 = strstr(figures, "fig2e_kl_matrix.png"),
             *f2 = strstr(figures, "fig2f_variance.png");
  CHECK(b1 && e2 && f2 && b1 < e2 && e2 < f2);
  CHECK(count_of(html, "<img ") == 9);
  free(md);
  free(html);
  cleanup(root);
}

static void test_replay_malformed_file_is_one_line_naming_it(void) {
  char root[256], dir[400], bad[600];
  rx_test_tmpdir(root, sizeof root, "replay_bad");
  rv v = holding(0);
  write_seed(root, 0, &v, 1);
  snprintf(dir, sizeof dir, "%s/head_direction", root);
  /* a fraction that is a string */
  cJSON *f = replay_file(&v, "0.01", 0, 1);
  cJSON *q = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "random"), "quiescent"),
                                 "quiescent");
  cJSON_ReplaceItemInObject(q, "fraction_significant", cJSON_CreateString("0.05"));
  put_json(dir, "replay_0.01_0.json", f);
  rx_error err = {{0}};
  snprintf(bad, sizeof bad, "%s/replay_0.01_0.json", dir);
  CHECK(write_quick_report(root, &err) == RX_EFORMAT);
  CHECK_MSG(strstr(err.msg, bad) &&
                strstr(err.msg, "random → quiescent → quiescent → fraction_significant is not a "
                                "number") &&
                !strchr(err.msg, '\n'),
            "%s", err.msg);
  /* not JSON: named before anything is written */
  put(dir, "replay_0.01_0.json", "{\"random\": ");
  CHECK(write_quick_report(root, &err) == RX_EFORMAT);
  CHECK_MSG(strstr(err.msg, bad) != NULL, "%s", err.msg);
  char md_path[600];
  snprintf(md_path, sizeof md_path, "%s/report.md", root);
  CHECK(!rx_file_exists(md_path));
  cleanup(root);
}

RX_TEST_MAIN(TEST(test_replay_claims_hold_with_their_numbers),
             TEST(test_replay_claims_fail_one_at_a_time),
             TEST(test_replay_n1_is_judged_by_the_share_of_seeds),
             TEST(test_replay_files_absent_are_not_measured),
             TEST(test_replay_figures_are_shown_in_the_section),
             TEST(test_replay_malformed_file_is_one_line_naming_it))
