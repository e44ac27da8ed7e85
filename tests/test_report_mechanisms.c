/* The report's section "Mechanisms" and the figure fig_mechanisms, from synthetic files of the
 * mechanisms family in exactly the layout `analyze ... mechanisms=true` writes (the main family's
 * layouts, docs/science.md §8, docs/probes.md §5, docs/replay.md §7, keyed by the family's
 * conditions, include/reactivate/results.h) and the trained runs' test metrics: every table cell
 * is the file's number of its own condition (mean ± s.d. over two seeds); claims o1-o3 hold, fail
 * one at a time when one number is moved across, are judged on the tasks measured and are not
 * measured without their files; a condition that was not run reads n/a; without mech_ files
 * there is no section, no claim o1-o3 and no figure; the figure draws the files' numbers per
 * condition and is shown in the section; a malformed file stops both with one line naming it.
 * Set RX_REPORT_KEEP=1 to keep the folders for looking at. */
#include <cjson/cJSON.h>
#include <unistd.h>

#include "plot_record.h"
#include "reactivate/figures.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "reactivate/plot.h"
#include "reactivate/report.h"
#include "reactivate/results.h"
#include "report_fixtures.h"
#include "test_util.h"

/* LeakSanitizer (RX_SANITIZE builds): fontconfig's one-time font cache, as in test_figures.c. */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}

/* ---- the synthetic numbers: per task (0 spatial, 1 head direction), condition i (0-6, the
 * family's order) and the untrained control (i = 7, CTRL) ---- */

enum { N_CONDS = 7, CTRL = 7, N_KEYS = 8, B = 4 };

typedef struct mv {
  double var[2][N_CONDS], dist[2][N_CONDS]; /* per condition (no control in these files) */
  double alpha[2][N_KEYS], frac[2][N_KEYS], speed[2][N_KEYS], compression[2][N_KEYS];
  double kl_own[N_CONDS], kl_random; /* spatial navigation */
  int skip;                          /* a condition left out of every file, or -1 */
} mv;

/* Every claim holds: adaptation (1) explores more than the paper cell (0) and replays slower,
 * momentum (2) compresses more. Seed 1 moves the paper cell's spatial variance, so that a cell
 * shows a mean ± s.d., and the spatial momentum's α, so that the figure shows two values. */
static mv holding(int seed) {
  mv v;
  for (int t = 0; t < 2; t++)
    for (int i = 0; i < N_KEYS; i++) {
      if (i < N_CONDS) {
        v.var[t][i] = (t ? 0.3 : 0.004) * (1 + 0.25 * i);
        v.dist[t][i] = t ? 0.05 + 0.005 * i : 0.002 + 0.0002 * i;
        v.kl_own[i] = 0.1 * (i + 1);
      }
      v.alpha[t][i] = i == CTRL ? 0.5 : 0.9 + 0.05 * i + 0.01 * t;
      v.frac[t][i] = i == CTRL ? 0.1 : 0.2 + 0.05 * i;
      v.speed[t][i] = i == CTRL ? 0.3 : t ? 2.0 - 0.1 * i : 0.5 - 0.02 * i;
      v.compression[t][i] = i == CTRL ? 1.2 : 1.5 + 0.25 * i + 0.1 * t;
    }
  v.kl_random = 2.5;
  v.var[0][0] = seed ? 0.005 : 0.004; /* 0.0045 ± 0.0005 */
  v.alpha[0][2] = seed ? 1.01 : 0.99; /* 1 ± 0.01 */
  v.skip = -1;
  return v;
}

/* ---- writing them ---- */

static void number_or_null(cJSON *o, const char *key, double x) {
  if (isnan(x))
    cJSON_AddNullToObject(o, key);
  else
    cJSON_AddNumberToObject(o, key, x);
}

/* The key of condition (or control) i in the files of seed. */
static void key_of(const rx_results_set *s, int i, int seed, char *buf, size_t n) {
  if (i == CTRL)
    snprintf(buf, n, "%s", RX_RESULTS_RANDOM);
  else
    rx_results_condition_key(s, rx_mechanism_condition_get(i), seed, buf, n);
}

/* Per-trajectory values whose median is x: x (0.5, 1, 1, 1.5). */
static void per_trajectory(double x, float *out) {
  static const double f[B] = {0.5, 1, 1, 1.5};
  for (int b = 0; b < B; b++)
    out[b] = (float)(x * f[b]);
}

/* The mech_ files of one seed and task (analyses that are absent from skip_analyses), and the
 * three trained runs' test metrics. */
static void write_task(const char *root, int t, int seed, const mv *v, unsigned skip_analyses) {
  rx_results_set s;
  rx_error err = {{0}};
  if (rx_results_set_init(&s, root, t ? RX_TASK_HEAD_DIRECTION : RX_TASK_SPATIAL,
                          rx_results_default_noise(t ? RX_TASK_HEAD_DIRECTION : RX_TASK_SPATIAL),
                          &err))
    exit(2);
  static const int runs[3] = {RX_EXP_NOISY_UNBIASED, RX_EXP_ADAPTATION, RX_EXP_MOMENTUM};
  for (int j = 0; j < 3; j++) {
    char path[3000], text[200];
    rx_results_experiment_file(&s, rx_experiment_get(s.task, runs[j]), seed,
                               RX_RESULTS_TEST_METRICS, path, sizeof path);
    snprintf(text, sizeof text,
             "{\"50\": {\"loss\": 1, \"%s\": 9}, \"100\": {\"loss\": 0.1, \"%s\": %g}}",
             t ? "hd_mse" : "pos_mse", t ? "hd_mse" : "pos_mse",
             t ? 0.05 + 0.01 * j : 0.003 + 0.001 * j);
    put_text(path, text);
  }
  cJSON *var = cJSON_CreateObject(), *dist = cJSON_CreateObject(), *diff = cJSON_CreateObject(),
        *rep = cJSON_CreateObject(), *kl = cJSON_CreateObject();
  cJSON *ds = cJSON_AddObjectToObject(diff, "settings");
  cJSON_AddNumberToObject(ds, "batch_size", 100);
  cJSON_AddNumberToObject(ds, "t_total", 2500);
  cJSON_AddNumberToObject(ds, "t_skip", 500);
  cJSON_AddNumberToObject(ds, "tau_max", 100);
  cJSON *rs = cJSON_AddObjectToObject(rep, "settings");
  cJSON_AddNumberToObject(rs, "batch_size", 50);
  cJSON_AddNumberToObject(rs, "t_burn", 200);
  cJSON_AddNumberToObject(rs, "t_total", 1000);
  cJSON_AddNumberToObject(rs, "event_steps", 25);
  cJSON_AddNumberToObject(rs, "seed", seed);
  rx_array arrays[2][N_CONDS];
  float traj[2][N_CONDS][B];
  char names[2][N_CONDS][800];
  int n_arrays = 0;
  for (int i = 0; i < N_KEYS; i++) {
    if (i == v->skip) continue;
    char key[700];
    key_of(&s, i, seed, key, sizeof key);
    if (i < N_CONDS) {
      cJSON_AddNumberToObject(var, key, v->var[t][i]);
      cJSON *d = cJSON_AddObjectToObject(dist, key);
      cJSON_AddNumberToObject(d, "active", 0.03);
      cJSON_AddNumberToObject(d, "quiescent", v->dist[t][i]);
      for (int a = 0; a < 2; a++) {
        per_trajectory(a ? v->dist[t][i] : v->var[t][i], traj[a][n_arrays]);
        snprintf(names[a][n_arrays], sizeof names[a][n_arrays], "%s.quiescent", key);
        arrays[a][n_arrays] =
            rx_array_f32(names[a][n_arrays], traj[a][n_arrays], 1, (const int64_t[]){B});
      }
      n_arrays++;
    }
    cJSON *q = cJSON_AddObjectToObject(cJSON_AddObjectToObject(diff, key), "quiescent");
    cJSON_AddNumberToObject(q, "noise_variance", 2e-4);
    number_or_null(q, "alpha", v->alpha[t][i]);
    cJSON *r = cJSON_AddObjectToObject(rep, key);
    cJSON_AddNumberToObject(r, "awake_decoded_speed", 0.4);
    cJSON *c = cJSON_AddObjectToObject(r, "quiescent");
    cJSON *sq = cJSON_AddObjectToObject(c, "quiescent");
    cJSON_AddNumberToObject(sq, "fraction_significant", v->frac[t][i]);
    number_or_null(sq, "median_abs_speed", v->speed[t][i]);
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(c, "awake"), "fraction_significant", 0.6);
    number_or_null(c, "compression", v->compression[t][i]);
    cJSON *row = cJSON_AddObjectToObject(kl, key);
    for (int j = 0; j < N_CONDS; j++) { /* KL(q i ‖ a j): only the diagonal is shown */
      char other[700];
      key_of(&s, j, seed, other, sizeof other);
      cJSON_AddNumberToObject(row, other,
                              i == CTRL ? (j ? 3.0 : v->kl_random)
                              : i == j  ? v->kl_own[i]
                                        : 5 + i);
    }
  }
  struct {
    int analysis;
    cJSON *doc;
  } files[5] = {{RX_RESULTS_VARIANCE, var},
                {RX_RESULTS_DISTANCE, dist},
                {RX_RESULTS_DIFFUSION, diff},
                {RX_RESULTS_REPLAY, rep},
                {RX_RESULTS_KL, kl}};
  for (int f = 0; f < 5; f++) {
    char path[3000];
    const int a = files[f].analysis;
    if ((skip_analyses & (1u << a)) || (a == RX_RESULTS_KL && t)) {
      cJSON_Delete(files[f].doc);
      continue;
    }
    rx_results_analysis_path(&s, a, RX_RESULTS_MECH, seed, "json", path, sizeof path);
    put_json_file(path, files[f].doc);
    if (a == RX_RESULTS_VARIANCE || a == RX_RESULTS_DISTANCE) {
      rx_results_analysis_path(&s, a, RX_RESULTS_MECH, seed, "npz", path, sizeof path);
      if (rx_npz_write(path, arrays[a == RX_RESULTS_DISTANCE], n_arrays, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(2);
      }
    }
  }
}

/* Both tasks of seeds 0 and 1 (v: the numbers of each seed, from make). */
static void write_root(const char *root, mv (*make)(int), void (*change)(mv *), unsigned skip) {
  for (int seed = 0; seed < 2; seed++) {
    mv v = make(seed);
    if (change) change(&v);
    for (int t = 0; t < 2; t++)
      write_task(root, t, seed, &v, skip);
  }
}

static const char *const ids[3] = {"o1", "o2", "o3"};

/* A log callback that appends each line to the buffer ctx (64 kB). */
static void collect(void *ctx, const char *line) {
  char *log = ctx;
  size_t n = strlen(log);
  snprintf(log + n, ((size_t)1 << 16) - n, "%s\n", line);
}

/* ---- the section and its claims ---- */

static void test_mechanisms_section_shows_every_condition_with_its_numbers(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "mech_section");
  write_root(root, holding, NULL, 0);
  rx_error err = {{0}};
  char *md = report_md_of(root, "mechanisms", &err), *html = rx_test_read_text(root, "report.html");
  REQUIRE_MSG(md && html, "%s", err.msg);
  const char *replay = strstr(md, "\n## Replay\n"), *sec = strstr(md, "\n## Mechanisms\n"),
             *figs = strstr(md, "\n## Figures\n");
  REQUIRE(replay && sec && figs);
  CHECK(replay < sec && sec < figs); /* after "Replay", before the figures */
  CHECK(strstr(sec, "Casco-Rodriguez, Krishna & Baraniuk (2026)") &&
        strstr(sec, "not a failed reproduction"));
  char row[4000];
  static const char *const numbers[3] = {
      "spatial navigation: variance(q adaptation) = 0.005 ± 0 > variance(q paper cell) = 0.0045 ± "
      "0.0005; and head direction: circular variance(q adaptation) = 0.375 ± 0 > circular "
      "variance(q paper cell) = 0.3 ± 0",
      "spatial navigation: \\|v\\|(q adaptation) (m/s) = 0.48 ± 0 < \\|v\\|(q paper cell) (m/s) = "
      "0.5 ± 0; and head direction: \\|v\\|(q adaptation) (rad/s) = 1.9 ± 0 < \\|v\\|(q paper "
      "cell) (rad/s) = 2 ± 0 (shown: significant(q adaptation), spatial = 0.25 ± 0,",
      "spatial navigation: compression(q momentum) = 2 ± 0 > compression(q paper cell) = 1.5 ± 0; "
      "and head direction: compression(q momentum) = 2.1 ± 0 > compression(q paper cell) = 1.6 ± "
      "0"};
  for (int i = 0; i < 3; i++) {
    row_of(md, ids[i], row, sizeof row);
    CHECK_MSG(!strcmp(verdict_of(row), "holds"), "claim %s: '%s'", ids[i], row);
    CHECK_MSG(strstr(row, numbers[i]), "claim %s: want '%s' in '%s'", ids[i], numbers[i], row);
    const char *at = strstr(md, row); /* listed in the section, not in the checklist */
    CHECK_MSG(at && at > sec && at < figs, "claim %s not in the section", ids[i]);
  }
  /* counted with the findings beyond the paper (the others have no files here) */
  CHECK_MSG(strstr(md, "Findings beyond the paper (ours, docs/science.md §7.2 and §11.4, the "
                       "probes of \"Is it sampling?\", the replay scores of \"Replay\" and the "
                       "mechanisms of \"Mechanisms\"): 13 checked; 3 hold, 0 do not hold, 10 not "
                       "measured."),
            "summary counts");
  CHECK(strstr(md, "The paper's claims (a–h, docs/science.md §7.2): 12 checked; 0 hold, 0 do not "
                   "hold, 12 not measured.") != NULL);
  CHECK(strstr(md, "and those of the mechanisms (o1–o3) in \"Mechanisms\"") != NULL);

  /* the tables: each cell the number of its own condition's key, mean ± s.d. over the seeds */
  const char *sp = strstr(sec, "\n### Spatial navigation\n"),
             *hd = strstr(sec, "\n### Head direction\n");
  REQUIRE(sp && hd && sp < hd && hd < figs);
  CHECK(strstr(sp,
               "| condition | final decoding error (pos_mse, m²) | quiescent variance (m²) | "
               "step distance, quiescent (m) | α quiescent | significant, quiescent | "
               "median \\|v\\|, significant (m/s) | compression | KL(q ‖ own a) (nats) |") != NULL);
  static const struct {
    const char *label, *cells;
  } spatial[] = {
      {"paper cell",
       "| 0.003 ± 0 | 0.0045 ± 0.0005 | 0.002 ± 0 | 0.9 ± 0 | 0.2 ± 0 | 0.5 ± 0 | 1.5 ± 0 | 0.1 ± "
       "0 |"},
      {"adaptation",
       "| 0.004 ± 0 | 0.005 ± 0 | 0.0022 ± 0 | 0.95 ± 0 | 0.25 ± 0 | 0.48 ± 0 | 1.75 ± 0 | 0.2 ± "
       "0 |"},
      /* an offline condition: its run's decoding error, its own numbers */
      {"paper cell + momentum offline",
       "| 0.003 ± 0 | 0.008 ± 0 | 0.0028 ± 0 | 1.1 ± 0 | 0.4 ± 0 | 0.42 ± 0 | 2.5 ± 0 | 0.5 ± 0 |"},
      {"momentum switched off offline",
       "| 0.005 ± 0 | 0.01 ± 0 | 0.0032 ± 0 | 1.2 ± 0 | 0.5 ± 0 | 0.38 ± 0 | 3 ± 0 | 0.7 ± 0 |"},
      /* the control: no trained run, no variance or distance (as in the main family's files),
       * its KL against the paper cell's awake outputs */
      {"untrained network (control)",
       "| — | n/a | n/a | 0.5 ± 0 | 0.1 ± 0 | 0.3 ± 0 | 1.2 ± 0 | 2.5 ± 0 |"},
  };
  for (size_t i = 0; i < sizeof spatial / sizeof spatial[0]; i++)
    CHECK_MSG(strstr(row_of(sp, spatial[i].label, row, sizeof row), spatial[i].cells),
              "%s: want '%s' in '%s'", spatial[i].label, spatial[i].cells, row);
  CHECK(strstr(hd, "| condition | final decoding error (hd_mse, rad²) | circular variance, "
                   "quiescent | step distance, quiescent (rad) | α quiescent |") != NULL);
  CHECK(strstr(hd, "KL(q ‖ own a)") == NULL); /* no KL on the ring */
  CHECK_MSG(strstr(row_of(hd, "momentum", row, sizeof row),
                   "| 0.07 ± 0 | 0.45 ± 0 | 0.06 ± 0 | 1.01 ± 0 | 0.3 ± 0 | 1.8 ± 0 | 2.1 ± 0 |"),
            "%s", row);
  /* the sizes the diffusion and replay files record; the replay file's own seed left out */
  CHECK(strstr(sp, "Sizes run: 100 trajectories × 2500 steps from the awake states, the first "
                   "500 dropped; lags 1–100. Settings in the files (as written): seeds 0, 1: "
                   "batch_size = 100,") != NULL);
  CHECK(strstr(sp, "Sizes run: 50 quiescent trajectories × 1000 steps after 200 steps of burn-in, "
                   "cut into events of 25 steps.") != NULL);
  CHECK(strstr(hd, "seed = ") == NULL);
  CHECK(strstr(html, "<h2 id=\"mechanisms\">Mechanisms</h2>") != NULL);
  free(md);
  free(html);
  cleanup(root);
}

/* One number moved across one claim's comparison on one task (in both seeds): that claim does
 * not hold, with the number shown, and the others still hold. */
static void o1_head_direction_explores_less(mv *v) { v->var[1][1] = 0.29; }
static void o2_arena_adaptation_faster(mv *v) { v->speed[0][1] = 0.55; }
static void o3_ring_momentum_equal(mv *v) { v->compression[1][2] = v->compression[1][0]; }

static void test_mechanism_claims_fail_one_at_a_time(void) {
  static const struct {
    const char *id, *numbers;
    void (*change)(mv *);
  } cases[] = {
      {"o1",
       "head direction: circular variance(q adaptation) = 0.29 ± 0 > circular variance(q "
       "paper cell) = 0.3 ± 0",
       o1_head_direction_explores_less},
      {"o2",
       "spatial navigation: \\|v\\|(q adaptation) (m/s) = 0.55 ± 0 < \\|v\\|(q paper cell) "
       "(m/s) = 0.5 ± 0",
       o2_arena_adaptation_faster},
      {"o3",
       "head direction: compression(q momentum) = 1.6 ± 0 > compression(q paper cell) = 1.6 "
       "± 0",
       o3_ring_momentum_equal},
  };
  for (int k = 0; k < 3; k++) {
    char root[256];
    rx_test_tmpdir(root, sizeof root, "mech_fail");
    write_root(root, holding, cases[k].change, 0);
    rx_error err = {{0}};
    char *md = report_md_of(root, "mechanisms", &err);
    REQUIRE_MSG(md, "%s", err.msg);
    char row[4000];
    for (int i = 0; i < 3; i++) {
      row_of(md, ids[i], row, sizeof row);
      const int target = !strcmp(ids[i], cases[k].id);
      CHECK_MSG(!strcmp(verdict_of(row), target ? "does not hold" : "holds"), "case %s: %s: '%s'",
                cases[k].id, ids[i], row);
      if (target)
        CHECK_MSG(strstr(row, cases[k].numbers), "want '%s' in '%s'", cases[k].numbers, row);
    }
    const char *listed = strstr(md, "Findings beyond the paper that did not hold in these runs.");
    char item[64];
    snprintf(item, sizeof item, "\n- %s. ", cases[k].id);
    CHECK_MSG(listed && strstr(listed, item) &&
                  strstr(listed, "or reported of adaptation and momentum by another study (o1–o3)"),
              "case %s: not listed in the summary", cases[k].id);
    CHECK(strstr(md, "13 checked; 2 hold, 1 do not hold, 10 not measured.") != NULL);
    free(md);
    cleanup(root);
  }
}

static void no_significant_adaptation_event(mv *v) { v->speed[0][1] = NAN; }

/* Removes <root>/<task>/variance_mech_<noise>_<seed>.{json,npz} of both seeds. */
static void remove_variance_files(const char *root, const char *task, const char *noise) {
  for (int seed = 0; seed < 2; seed++)
    for (int e = 0; e < 2; e++) {
      char path[700];
      snprintf(path, sizeof path, "%s/%s/variance_mech_%s_%d.%s", root, task, noise, seed,
               e ? "npz" : "json");
      REQUIRE_MSG(unlink(path) == 0, "%s", path);
    }
}

static void test_mechanism_claims_are_judged_on_the_tasks_measured(void) {
  char root[256], row[4000];
  rx_test_tmpdir(root, sizeof root, "mech_tasks");
  write_root(root, holding, NULL, 0);
  /* head direction without its variance files: o1 judged on the arena, saying why */
  remove_variance_files(root, "head_direction", "0.01");
  rx_error err = {{0}};
  char *md = report_md_of(root, "mechanisms", &err);
  REQUIRE_MSG(md, "%s", err.msg);
  row_of(md, "o1", row, sizeof row);
  CHECK_MSG(!strcmp(verdict_of(row), "holds") &&
                strstr(row, "spatial navigation: variance(q adaptation) = 0.005 ± 0 > ") &&
                strstr(row, "and head direction: circular variance(q adaptation) = n/a > "
                            "circular variance(q paper cell) = n/a (not measured: no ") &&
                strstr(row, "/head_direction/variance_mech_0.01_\\<seed>.json)"),
            "%s", row);
  free(md);
  /* neither task: not measured, with the files and what makes them */
  remove_variance_files(root, "spatial_navigation", "0.0001");
  md = report_md_of(root, "mechanisms", &err);
  REQUIRE_MSG(md, "%s", err.msg);
  row_of(md, "o1", row, sizeof row);
  CHECK_MSG(!strcmp(verdict_of(row), "not measured") &&
                strstr(row, "spatial_navigation/variance_mech_0.0001_\\<seed>.json") &&
                strstr(row, "needs the runs noisy_unbiased_adaptation and "
                            "noisy_unbiased_momentum trained next to noisy_unbiased") &&
                !strstr(row, "(not measured: "), /* said once, in the verdict */
            "%s", row);
  CHECK(!strcmp(verdict_of(row_of(md, "o3", row, sizeof row)), "holds"));
  free(md);
  cleanup(root);

  /* the file is there but holds no number (no significant event: the median is null) */
  rx_test_tmpdir(root, sizeof root, "mech_null");
  write_root(root, holding, no_significant_adaptation_event, 0);
  md = report_md_of(root, "mechanisms", &err);
  REQUIRE_MSG(md, "%s", err.msg);
  row_of(md, "o2", row, sizeof row);
  CHECK_MSG(!strcmp(verdict_of(row), "holds") &&
                strstr(row, "(not measured: no number at "
                            "noisy_unbiased_adaptation_0.0001_\\<seed> → quiescent → quiescent → "
                            "median_abs_speed in "),
            "%s", row);
  const char *sec = strstr(md, "\n## Mechanisms\n");
  REQUIRE(sec);
  CHECK_MSG(strstr(row_of(sec, "adaptation", row, sizeof row), "| 0.25 ± 0 | n/a |"), "%s", row);
  free(md);
  cleanup(root);
}

static void skip_momentum_off(mv *v) { v->skip = 6; }

static void test_condition_not_run_reads_not_available(void) {
  char root[256], row[4000];
  rx_test_tmpdir(root, sizeof root, "mech_skip");
  write_root(root, holding, skip_momentum_off, 0);
  rx_error err = {{0}};
  char *md = report_md_of(root, "mechanisms", &err);
  REQUIRE_MSG(md, "%s", err.msg);
  const char *sec = strstr(md, "\n## Mechanisms\n");
  REQUIRE(sec);
  /* its run's decoding error is there (the run was trained), nothing else */
  CHECK_MSG(strstr(row_of(sec, "momentum switched off offline", row, sizeof row),
                   "| 0.005 ± 0 | n/a | n/a | n/a | n/a | n/a | n/a | n/a |"),
            "%s", row);
  for (int i = 0; i < 3; i++)
    CHECK(!strcmp(verdict_of(row_of(md, ids[i], row, sizeof row)), "holds"));
  free(md);
  cleanup(root);
}

/* Results from before the family: the report is as it was (no section, no o1-o3, the summary's
 * words), and `figures` draws no fig_mechanisms and says nothing of it. */
static void test_without_mech_files_no_section_claims_or_figure(void) {
  char root[256], dir[400], path[700];
  rx_test_tmpdir(root, sizeof root, "without_family");
  snprintf(dir, sizeof dir, "%s/spatial_navigation", root);
  snprintf(path, sizeof path, "%s/noisy_unbiased_0.0001_0/test_metrics.json", dir);
  put_text(path, "{\"100\": {\"loss\": 1e-5, \"pos_mse\": 0.003}}");
  snprintf(path, sizeof path, "%s/variance_0.0001_0.json", dir);
  put_text(path, "{\"noisy_unbiased_0.0001_0\": 0.005}");
  float v[B] = {1, 2, 3, 4};
  rx_array a = rx_array_f32("noisy_unbiased_0.0001_0.quiescent", v, 1, (const int64_t[]){B});
  snprintf(path, sizeof path, "%s/variance_0.0001_0.npz", dir);
  rx_error err = {{0}};
  REQUIRE_MSG(rx_npz_write(path, &a, 1, &err) == 0, "%s", err.msg);
  char *md = report_md_of(root, "mechanisms", &err);
  REQUIRE_MSG(md, "%s", err.msg);
  CHECK(strstr(md, "## Mechanisms") == NULL && strstr(md, "\"Mechanisms\"") == NULL &&
        strstr(md, "mech_") == NULL);
  CHECK(strstr(md, "\n| o1 |") == NULL && strstr(md, "(o1–o3)") == NULL);
  CHECK(strstr(md, "the probes of \"Is it sampling?\" and the replay scores of \"Replay\"): 10 "
                   "checked; 0 hold, 0 do not hold, 10 not measured.") != NULL);
  CHECK(strstr(md, "and those of replay (n1, n2) in \"Replay\", each next to their tables.") !=
        NULL);
  free(md);
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  snprintf(cfg.path, sizeof cfg.path, "%s", root);
  static char log[1 << 16];
  log[0] = '\0';
  REQUIRE_MSG(rx_figures(&cfg, collect, log, &err) == 0, "%s", err.msg);
  CHECK_MSG(strstr(log, "fig2f_variance") && !strstr(log, "mechanisms"), "%s", log);
  snprintf(path, sizeof path, "%s/figures/fig_mechanisms.png", dir);
  CHECK(!rx_file_exists(path));
  cleanup(root);
}

/* ---- the figure ---- */

/* groups.<g>.<key> of panel p is want. */
static void check_group(const cJSON *p, int g, const char *key, double want) {
  char path[80];
  snprintf(path, sizeof path, "groups.%d.%s", g, key);
  const double got = rec_num(p, path);
  CHECK_MSG(fabs(got - want) <= 1e-6 * fmax(1e-3, fabs(want)), "%s = %.9g, want %.9g", path, got,
            want);
}

static void test_figure_draws_each_condition_and_is_shown_in_the_section(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "mech_figure");
  write_root(root, holding, NULL, 0);
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  snprintf(cfg.path, sizeof cfg.path, "%s", root);
  snprintf(cfg.only, sizeof cfg.only, "fig_mechanisms");
  rx_error err = {{0}};
  rx_plot_set_data_record(1);
  for (int t = 0; t < 2; t++) {
    cfg.task = t ? RX_TASK_HEAD_DIRECTION : RX_TASK_SPATIAL;
    int rc = rx_figures(&cfg, NULL, NULL, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
  }
  rx_plot_set_data_record(-1);
  char base[600];
  snprintf(base, sizeof base, "%s/spatial_navigation/figures/fig_mechanisms", root);
  cJSON *doc = record_load(base);
  REQUIRE(doc);
  /* six measures, two columns; every panel a box per condition and the control, in one order */
  CHECK(rec_num(doc, "columns") == 2 && rec_num(doc, "rows") == 3);
  CHECK_MSG(strstr(rec_str(doc, "title"), "pooled over seeds 0, 1"), "%s", rec_str(doc, "title"));
  for (int p = 0; p < 6; p++) {
    char key[64];
    snprintf(key, sizeof key, "panels.%d", p);
    const cJSON *panel = rec_at(doc, key);
    CHECK_MSG(!strcmp(rec_str(panel, "kind"), "box") && rec_len(panel, "groups") == N_KEYS,
              "panel %d", p);
    for (int g = 0; g < N_KEYS; g++) {
      snprintf(key, sizeof key, "groups.%d.label", g);
      const char *want = g < N_CONDS ? rx_mechanism_condition_get(g)->label : "untrained";
      CHECK_MSG(!strncmp(rec_str(panel, key), want, strlen(want)), "panel %d: %s", p,
                rec_str(panel, key));
    }
  }
  /* variance per trajectory, pooled: the paper cell's 8 values of seeds 0 (0.004 x (0.5, 1, 1,
   * 1.5)) and 1 (0.005 x ...): median 0.0045; adaptation's 0.005 */
  const cJSON *p = rec_at(doc, "panels.0");
  check_group(p, 0, "n", 8);
  check_group(p, 0, "median", 0.0045);
  check_group(p, 0, "q1", 0.003625);
  check_group(p, 1, "median", 0.005);
  check_group(p, CTRL, "n", 0); /* the control has no variance */
  CHECK(strstr(rec_str(p, "groups.7.label"), "(not measured)") != NULL);
  p = rec_at(doc, "panels.1"); /* step distance */
  check_group(p, 4, "median", 0.0028);
  CHECK(!rec_at(p, "points")); /* a box of many trajectories */
  p = rec_at(doc, "panels.2"); /* α, one value per seed, each drawn */
  check_group(p, 2, "n", 2);
  check_group(p, 2, "median", 1.0);
  CHECK(cJSON_IsTrue(rec_at(p, "points")));
  rec_check_nums(p, "groups.2.values", (const double[]){0.99, 1.01}, 2, 1e-12);
  check_group(p, CTRL, "median", 0.5);
  p = rec_at(doc, "panels.3"); /* median |v| */
  check_group(p, 1, "median", 0.48);
  p = rec_at(doc, "panels.4"); /* compression */
  check_group(p, 2, "median", 2.0);
  p = rec_at(doc, "panels.5"); /* KL to the own awake outputs; the control's to the paper cell's */
  check_group(p, 3, "median", 0.4);
  check_group(p, CTRL, "median", 2.5);
  /* colours: the dynamics run offline, three apart and the control's a fourth: the paper cell
   * with a mechanism given offline as that mechanism, a mechanism switched off as the paper cell */
  const char *col[N_KEYS];
  for (int g = 0; g < N_KEYS; g++) {
    char key[64];
    snprintf(key, sizeof key, "groups.%d.colour", g);
    col[g] = rec_str(p, key);
  }
  CHECK(strcmp(col[0], col[1]) && strcmp(col[0], col[2]) && strcmp(col[1], col[2]));
  CHECK(!strcmp(col[3], col[1]) && !strcmp(col[4], col[2]) && !strcmp(col[5], col[0]) &&
        !strcmp(col[6], col[0]));
  for (int g = 0; g < 3; g++)
    CHECK(strcmp(col[CTRL], col[g]));
  cJSON_Delete(doc);
  /* head direction: no KL, five panels; circular variance on its own axis */
  snprintf(base, sizeof base, "%s/head_direction/figures/fig_mechanisms", root);
  doc = record_load(base);
  REQUIRE(doc);
  CHECK(rec_len(doc, "panels") >= 5 &&
        !strcmp(rec_str(doc, "panels.0.y_label"), "circular variance of decoded heading"));
  CHECK(!rec_at(doc, "panels.5") || strcmp(rec_str(doc, "panels.5.kind"), "box"));
  check_group(rec_at(doc, "panels.0"), 1, "median", 0.375);
  cJSON_Delete(doc);
  for (int e = 0; e < 2; e++) {
    char path[700];
    snprintf(path, sizeof path, "%s.%s", base, e ? "svg" : "png");
    CHECK_MSG(rx_file_exists(path), "%s not written", path);
  }
  /* the report shows it in the section, once, and not under Figures */
  char *md = report_md_of(root, "mechanisms", &err);
  REQUIRE_MSG(md, "%s", err.msg);
  const char *sec = strstr(md, "\n## Mechanisms\n"), *figs = strstr(md, "\n## Figures\n");
  REQUIRE(sec && figs);
  const char *sp_fig = strstr(sec, "](spatial_navigation/figures/fig_mechanisms.png)"),
             *hd_fig = strstr(sec, "](head_direction/figures/fig_mechanisms.png)");
  CHECK(sp_fig && hd_fig && sp_fig < strstr(sec, "\n### Head direction\n") && hd_fig < figs);
  CHECK(strstr(sec, "Fig. mechanisms: the paper's cell, adaptation and momentum") != NULL);
  CHECK(strstr(figs, "fig_mechanisms.png") == NULL &&
        strstr(figs, "The mechanisms figure is shown in \"Mechanisms\".") != NULL);
  free(md);
  cleanup(root);
}

static void test_malformed_mech_file_is_one_line_naming_it(void) {
  char root[256], path[700];
  rx_test_tmpdir(root, sizeof root, "mech_bad");
  write_root(root, holding, NULL, 0);
  snprintf(path, sizeof path, "%s/head_direction/replay_mech_0.01_1.json", root);
  put_text(path, "{\"random\": {\"quiescent\": {\"compression\": \"fast\"}}}");
  rx_error err = {{0}};
  char *md = report_md_of(root, "mechanisms", &err);
  CHECK(md == NULL);
  free(md);
  CHECK_MSG(strstr(err.msg, path) && strstr(err.msg, "compression") && !strchr(err.msg, '\n'), "%s",
            err.msg);
  snprintf(path, sizeof path, "%s/report.md", root);
  CHECK(!rx_file_exists(path));
  /* not JSON: named before anything is drawn */
  snprintf(path, sizeof path, "%s/head_direction/replay_mech_0.01_1.json", root);
  put_text(path, "{\"random\": ");
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  cfg.task = RX_TASK_HEAD_DIRECTION;
  snprintf(cfg.path, sizeof cfg.path, "%s", root);
  CHECK(rx_figures(&cfg, NULL, NULL, &err) == RX_EFORMAT);
  CHECK_MSG(strstr(err.msg, path) != NULL, "%s", err.msg);
  cleanup(root);
}

int main(int argc, char **argv) {
  unsetenv("REACTIVATE_PLOT_DATA");
  static const rx_test_case tests[] = {
      TEST(test_mechanisms_section_shows_every_condition_with_its_numbers),
      TEST(test_mechanism_claims_fail_one_at_a_time),
      TEST(test_mechanism_claims_are_judged_on_the_tasks_measured),
      TEST(test_condition_not_run_reads_not_available),
      TEST(test_without_mech_files_no_section_claims_or_figure),
      TEST(test_figure_draws_each_condition_and_is_shown_in_the_section),
      TEST(test_malformed_mech_file_is_one_line_naming_it),
  };
  return rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
}
