/* The probes' figures (docs/probes.md §6) from synthetic files in the layout of docs/probes.md
 * §5, written here for a tiny set (spatial navigation: U-σ, U and the random control, and one
 * GRU file; head direction: U-σ and the random control), then drawn by rx_figures with the data
 * record on. The record shows that each figure plots the files' numbers: KL per window at
 * window x steps, the distance from the start, mixing times; drift and score arrows at the bin
 * centres over the density and the cosine map; β_k against the theory 2/k and the points at a
 * search bound; MSD against the lag with the fit range, step-size densities from the counts;
 * the ring's drift, score and sign agreement. A null is recorded as null (not drawn), absent
 * files skip their figures with a reason, a malformed one fails naming the file and key.
 * Set RX_FIGURES_KEEP=1 to keep the folder for looking at. */
#include <stdarg.h>
#include <unistd.h>

#include "plot_record.h"
#include "reactivate/figures.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"
#include "reactivate/plot.h"
#include "reactivate/results.h"
#include "test_util.h"

/* LeakSanitizer (RX_SANITIZE builds): fontconfig's one-time font cache, as in test_figures.c. */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}

static char root[256];

/* ---- the log of a drawing ---- */

static char log_text[1 << 16];
static void collect(void *ctx, const char *line) {
  (void)ctx;
  size_t n = strlen(log_text);
  snprintf(log_text + n, sizeof log_text - n, "%s\n", line);
}

/* ---- writing the files ---- */

/* A number written so that it reads back as the same double (NaN: null, as the drivers write an
 * undefined number). */
static cJSON *exact(double v) {
  if (isnan(v)) return cJSON_CreateNull();
  char buf[40];
  snprintf(buf, sizeof buf, "%.17g", v);
  return cJSON_CreateRaw(buf);
}

static cJSON *nums(const double *v, int n) {
  cJSON *a = cJSON_CreateArray();
  for (int i = 0; i < n; i++)
    cJSON_AddItemToArray(a, exact(v[i]));
  return a;
}

static void add_num(cJSON *o, const char *key, double v) {
  cJSON_AddItemToObject(o, key, exact(v));
}

static int write_json(const char *path, cJSON *doc) {
  char *text = cJSON_Print(doc);
  FILE *f = fopen(path, "w");
  int ok = text && f && fputs(text, f) >= 0;
  if (f) fclose(f);
  free(text);
  cJSON_Delete(doc);
  CHECK_MSG(ok, "cannot write %s", path);
  return ok ? 0 : -1;
}

static int write_npz(const char *path, const rx_array *a, int n) {
  rx_error err = {{0}};
  int rc = rx_npz_write(path, a, n, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  return rc;
}

/* <root>/<task>/<analysis>_<prefix><noise>_<seed>.<ext> */
static void file_path(const rx_results_set *s, int analysis, const char *prefix, int seed,
                      const char *ext, char *buf, size_t n) {
  rx_results_analysis_path(s, analysis, prefix, seed, ext, buf, n);
}

static void run_of(const rx_results_set *s, int id, int seed, char *buf, size_t n) {
  rx_results_experiment_run(s, rx_experiment_get(s->task, id), seed, buf, n);
}

/* ---- the synthetic numbers, shared by the writers and the checks ---- */

enum { NW = 6, TD = 20, SNX = 4, SNY = 3, NK = 5, NMSD = 12, NMSD_A = 10, NB = 5, RNX = 8 };
static const double window_steps = 250;
/* KL per window: U-σ quiescent from each start; point has an undefined window (null) */
static const double kl_active[NW] = {0.40, 0.30, 0.25, 0.21, 0.20, 0.20};
static const double kl_point[NW] = {3.0, 1.1, NAN, 0.3, 0.22, 0.21};
static const double kl_zero[NW] = {2.0, 1.5, 0.9, 0.5, 0.3, 0.25};
static const double kl_abs[NW] = {1.0, 0.9, 0.8, 0.85, 0.8, 0.8};
static float dist_active[TD];
/* score grid: 4 x 3 bins over the arena, bin (0, 0) unused */
static double sedges_x[SNX + 1], sedges_y[SNY + 1];
static float drift[SNY][SNX][2], score[SNY][SNX][2], cosine[SNY][SNX], density[SNY][SNX];
/* temperature */
static const double tk[NK] = {0.5, 1, 2, 4, 8};
static const double tbeta_u[NK] = {3.9, 2.1, NAN, 0.52, 0.001}, tbound_u[NK] = {0, 0, 0, 0, -1};
static const double tbeta_n[NK] = {1.2, 1.0, 0.9, 0.85, 0.8}, tbound_n[NK] = {0, 0, 0, 0, 0};
static const double tkl_u[NK] = {0.1, 0.05, 0.07, NAN, 0.4};
/* diffusion: U-σ quiescent and awake, U without noise (a zero and a null) and with */
static double msd_q[NMSD], msd_a[NMSD_A], msd_nn[NMSD], msd_abs[NMSD];
static const double step_edges[NB + 1] = {0, 0.01, 0.02, 0.03, 0.04, 0.05};
static float counts_q[NB] = {10, 40, 30, 15, 5}, counts_a[NB] = {0, 5, 20, 50, 25};
/* the ring: 8 bins over [-pi, pi) */
static double redges[RNX + 1];
static float rdrift[RNX], rscore[RNX], rcos[RNX];

static void make_numbers(void) {
  for (int t = 0; t < TD; t++)
    dist_active[t] = (float)(0.5 * (1 - exp(-t / 5.0)));
  for (int i = 0; i <= SNX; i++)
    sedges_x[i] = -1.1 + 2.2 * i / SNX;
  for (int j = 0; j <= SNY; j++)
    sedges_y[j] = -1.1 + 2.2 * j / SNY;
  for (int j = 0; j < SNY; j++)
    for (int i = 0; i < SNX; i++) {
      double x = 0.5 * (sedges_x[i] + sedges_x[i + 1]), y = 0.5 * (sedges_y[j] + sedges_y[j + 1]);
      int unused = i == 0 && j == 0;
      drift[j][i][0] = unused ? NAN : (float)(-0.01 * x + 0.001 * i);
      drift[j][i][1] = unused ? NAN : (float)(-0.01 * y);
      score[j][i][0] = unused ? NAN : (float)(-x / 0.25);
      score[j][i][1] = unused ? NAN : (float)(-y / 0.25);
      cosine[j][i] = unused ? NAN : (float)(0.9 - 0.3 * i + 0.1 * j);
      density[j][i] = (float)(exp(-(x * x + y * y) / 0.5) / (M_PI * 0.5));
    }
  for (int t = 0; t < NMSD; t++) {
    msd_q[t] = 1e-4 * (t + 1);
    msd_nn[t] = t == 3 ? NAN : t == 0 ? 0 : 1e-6 * (t + 1);
    msd_abs[t] = 2e-4 * pow(t + 1, 0.5);
  }
  for (int t = 0; t < NMSD_A; t++)
    msd_a[t] = 1e-4 * (t + 1) * (t + 1);
  for (int i = 0; i <= RNX; i++)
    redges[i] = -M_PI + 2 * M_PI * i / RNX;
  for (int i = 0; i < RNX; i++) {
    double th = 0.5 * (redges[i] + redges[i + 1]);
    rdrift[i] = i == 5 ? NAN : (float)(-0.02 * sin(th));
    rscore[i] = (float)(-2 * sin(th));
    rcos[i] = i == 5 ? NAN : i == 2 ? -1.0f : 1.0f;
  }
}

/* mixing: {"<cond>": {"noise_variance", "<start>": {...}}} */
static cJSON *mix_start(const double *kl, double plateau, double mw, int mixes) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "kl", nums(kl, NW));
  add_num(o, "plateau", plateau);
  add_num(o, "tolerance", 0.25);
  add_num(o, "mixing_window", mw);
  add_num(o, "mixing_step", isnan(mw) ? NAN : mw * window_steps);
  add_num(o, "settled_window", mw);
  add_num(o, "settled_step", isnan(mw) ? NAN : mw * window_steps);
  add_num(o, "final_distance", 0.4);
  if (mixes >= 0) cJSON_AddBoolToObject(o, "mixes", mixes);
  return o;
}

static int write_spatial(void) {
  rx_results_set s;
  rx_error err = {{0}};
  if (rx_results_set_init(&s, root, RX_TASK_SPATIAL, 1e-4, &err)) {
    CHECK_MSG(0, "%s", err.msg);
    return -1;
  }
  char cmd[600], path[2600], us[200], u[200];
  snprintf(cmd, sizeof cmd, "mkdir -p %.580s", s.dir);
  if (system(cmd)) return -1;
  run_of(&s, RX_EXP_NOISY_UNBIASED, 0, us, sizeof us);
  run_of(&s, RX_EXP_NO_NOISE_UNBIASED, 0, u, sizeof u);

  /* mixing */
  cJSON *doc = cJSON_CreateObject(), *set = cJSON_AddObjectToObject(doc, "settings");
  cJSON_AddNumberToObject(set, "window", window_steps);
  cJSON *q = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, us), "quiescent");
  cJSON_AddNumberToObject(q, "noise_variance", 2e-4);
  cJSON_AddItemToObject(q, "active", mix_start(kl_active, 0.2, 0, -1));
  cJSON_AddItemToObject(q, "point", mix_start(kl_point, 0.21, 3, 1));
  cJSON_AddItemToObject(q, "zero", mix_start(kl_zero, 0.25, 4, 1));
  cJSON *un = cJSON_AddObjectToObject(doc, u);
  q = cJSON_AddObjectToObject(un, "quiescent");
  cJSON_AddNumberToObject(q, "noise_variance", 0);
  cJSON_AddItemToObject(q, "active", mix_start(kl_active, 0.2, NAN, -1));
  q = cJSON_AddObjectToObject(un, "absolute_noise");
  cJSON_AddNumberToObject(q, "noise_variance", 2e-4);
  cJSON_AddItemToObject(q, "point", mix_start(kl_abs, 0.8, NAN, 0));
  q = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "random"), "quiescent");
  cJSON_AddItemToObject(q, "active", mix_start(kl_zero, 0.25, 4, -1));
  file_path(&s, RX_RESULTS_MIXING, RX_RESULTS_MAIN, 0, "json", path, sizeof path);
  if (write_json(path, doc)) return -1;
  char name[400];
  snprintf(name, sizeof name, "%s.quiescent.active.distance", us);
  int64_t sh_t[1] = {TD};
  rx_array da = rx_array_f32(name, dist_active, 1, sh_t);
  file_path(&s, RX_RESULTS_MIXING, RX_RESULTS_MAIN, 0, "npz", path, sizeof path);
  if (write_npz(path, &da, 1)) return -1;
  /* seed 1 has a mixing file too: seed 0 is drawn, the title says which */
  doc = cJSON_CreateObject();
  cJSON_AddObjectToObject(doc, "settings");
  file_path(&s, RX_RESULTS_MIXING, RX_RESULTS_MAIN, 1, "json", path, sizeof path);
  if (write_json(path, doc)) return -1;

  /* score: U-σ quiescent and U absolute_noise */
  doc = cJSON_CreateObject();
  const char *srun[2] = {us, u}, *scond[2] = {"quiescent", "absolute_noise"};
  for (int r = 0; r < 2; r++) {
    q = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, srun[r]), scond[r]);
    add_num(q, "cosine", r ? NAN : 0.62);
    add_num(q, "cosine_centered", 0.8);
    add_num(q, "p_value", 1.0 / 201);
    add_num(q, "c", 4e-4);
    add_num(q, "beta", 1.1);
    add_num(q, "n_bins_used", 11);
  }
  file_path(&s, RX_RESULTS_SCORE, RX_RESULTS_MAIN, 0, "json", path, sizeof path);
  if (write_json(path, doc)) return -1;
  float ex[SNX + 1], ey[SNY + 1];
  for (int i = 0; i <= SNX; i++)
    ex[i] = (float)sedges_x[i];
  for (int j = 0; j <= SNY; j++)
    ey[j] = (float)sedges_y[j];
  int64_t shx[1] = {SNX + 1}, shy[1] = {SNY + 1}, sh3[3] = {SNY, SNX, 2}, sh2[2] = {SNY, SNX};
  char names[10][400];
  rx_array arr[10];
  int na = 0;
  arr[na++] = rx_array_f32("settings.edges_x", ex, 1, shx);
  arr[na++] = rx_array_f32("settings.edges_y", ey, 1, shy);
  for (int r = 0; r < 2; r++) {
    static const char *what[4] = {"drift", "score", "cosine", "density"};
    const float *data[4] = {&drift[0][0][0], &score[0][0][0], &cosine[0][0], &density[0][0]};
    for (int k = 0; k < 4; k++) {
      snprintf(names[4 * r + k], sizeof names[0], "%s.%s.%s", srun[r], scond[r], what[k]);
      arr[na++] = rx_array_f32(names[4 * r + k], data[k], k < 2 ? 3 : 2, k < 2 ? sh3 : sh2);
    }
  }
  file_path(&s, RX_RESULTS_SCORE, RX_RESULTS_MAIN, 0, "npz", path, sizeof path);
  if (write_npz(path, arr, na)) return -1;

  /* temperature: U-σ (a null β, one at a bound), U, the random network (no β at all) */
  doc = cJSON_CreateObject();
  const char *trun[3] = {us, u, "random"};
  for (int r = 0; r < 3; r++) {
    cJSON *o = cJSON_AddObjectToObject(doc, trun[r]);
    double th[NK], nb[NK] = {NAN, NAN, NAN, NAN, NAN};
    for (int i = 0; i < NK; i++)
      th[i] = 2 / tk[i];
    cJSON_AddItemToObject(o, "k", nums(tk, NK));
    cJSON_AddItemToObject(o, "beta", nums(r == 0 ? tbeta_u : r == 1 ? tbeta_n : nb, NK));
    cJSON_AddItemToObject(o, "beta_at_bound", nums(r == 0 ? tbound_u : tbound_n, NK));
    cJSON_AddItemToObject(o, "theory", nums(th, NK));
    cJSON_AddItemToObject(o, "kl", nums(r == 0 ? tkl_u : tbeta_n, NK));
    add_num(o, "slope", r == 2 ? NAN : -0.98);
  }
  file_path(&s, RX_RESULTS_TEMPERATURE, RX_RESULTS_MAIN, 0, "json", path, sizeof path);
  if (write_json(path, doc)) return -1;

  /* diffusion */
  doc = cJSON_CreateObject();
  cJSON *o = cJSON_AddObjectToObject(doc, us);
  q = cJSON_AddObjectToObject(o, "quiescent");
  cJSON_AddItemToObject(q, "msd", nums(msd_q, NMSD));
  add_num(q, "alpha", 1.0);
  q = cJSON_AddObjectToObject(o, "active");
  cJSON_AddItemToObject(q, "msd", nums(msd_a, NMSD_A));
  add_num(q, "alpha", 2.0);
  o = cJSON_AddObjectToObject(doc, u);
  q = cJSON_AddObjectToObject(o, "quiescent");
  cJSON_AddItemToObject(q, "msd", nums(msd_nn, NMSD));
  add_num(q, "alpha", NAN);
  q = cJSON_AddObjectToObject(o, "absolute_noise");
  cJSON_AddItemToObject(q, "msd", nums(msd_abs, NMSD));
  add_num(q, "alpha", 0.5);
  file_path(&s, RX_RESULTS_DIFFUSION, RX_RESULTS_MAIN, 0, "json", path, sizeof path);
  if (write_json(path, doc)) return -1;
  float fe[NB + 1];
  for (int i = 0; i <= NB; i++)
    fe[i] = (float)step_edges[i];
  int64_t she[1] = {NB + 1}, shc[1] = {NB};
  snprintf(names[0], sizeof names[0], "%s.quiescent.step_counts", us);
  snprintf(names[1], sizeof names[1], "%s.active.step_counts", us);
  arr[0] = rx_array_f32("settings.step_edges", fe, 1, she);
  arr[1] = rx_array_f32(names[0], counts_q, 1, shc);
  arr[2] = rx_array_f32(names[1], counts_a, 1, shc);
  file_path(&s, RX_RESULTS_DIFFUSION, RX_RESULTS_MAIN, 0, "npz", path, sizeof path);
  if (write_npz(path, arr, 3)) return -1;

  /* the GRU family: a temperature file only */
  char gru[200];
  run_of(&s, RX_EXP_NOISY_UNBIASED_GRU, 0, gru, sizeof gru);
  doc = cJSON_CreateObject();
  o = cJSON_AddObjectToObject(doc, gru);
  cJSON_AddItemToObject(o, "k", nums(tk, NK));
  cJSON_AddItemToObject(o, "beta", nums(tbeta_n, NK));
  file_path(&s, RX_RESULTS_TEMPERATURE, RX_RESULTS_GRU, 0, "json", path, sizeof path);
  return write_json(path, doc);
}

static int write_head_direction(void) {
  rx_results_set s;
  rx_error err = {{0}};
  if (rx_results_set_init(&s, root, RX_TASK_HEAD_DIRECTION, 0.01, &err)) {
    CHECK_MSG(0, "%s", err.msg);
    return -1;
  }
  char cmd[600], path[2600], us[200];
  snprintf(cmd, sizeof cmd, "mkdir -p %.580s", s.dir);
  if (system(cmd)) return -1;
  run_of(&s, RX_EXP_NOISY_UNBIASED, 0, us, sizeof us);
  /* mixing without a window in the settings: 300 steps from mixing_step / mixing_window */
  cJSON *doc = cJSON_CreateObject();
  cJSON *q = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, us), "quiescent");
  cJSON *st = mix_start(kl_zero, 0.25, 2, 1);
  cJSON_ReplaceItemInObject(st, "mixing_step", cJSON_CreateNumber(600));
  cJSON_AddItemToObject(q, "point", st);
  file_path(&s, RX_RESULTS_MIXING, RX_RESULTS_MAIN, 0, "json", path, sizeof path);
  if (write_json(path, doc)) return -1;
  /* score on the ring: drift (8, 1), score and cosine (8,) */
  doc = cJSON_CreateObject();
  q = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, us), "quiescent");
  add_num(q, "cosine", 0.75);
  add_num(q, "p_value", 0.01);
  add_num(q, "c", 0.01);
  file_path(&s, RX_RESULTS_SCORE, RX_RESULTS_MAIN, 0, "json", path, sizeof path);
  if (write_json(path, doc)) return -1;
  float fe[RNX + 1];
  for (int i = 0; i <= RNX; i++)
    fe[i] = (float)redges[i];
  int64_t she[1] = {RNX + 1}, sh2[2] = {RNX, 1}, sh1[1] = {RNX};
  char names[3][400];
  snprintf(names[0], sizeof names[0], "%s.quiescent.drift", us);
  snprintf(names[1], sizeof names[1], "%s.quiescent.score", us);
  snprintf(names[2], sizeof names[2], "%s.quiescent.cosine", us);
  rx_array arr[4] = {rx_array_f32("settings.edges_x", fe, 1, she),
                     rx_array_f32(names[0], rdrift, 2, sh2), rx_array_f32(names[1], rscore, 1, sh1),
                     rx_array_f32(names[2], rcos, 1, sh1)};
  file_path(&s, RX_RESULTS_SCORE, RX_RESULTS_MAIN, 0, "npz", path, sizeof path);
  return write_npz(path, arr, 4);
}

/* ---- drawing ---- */

static int drawn_spatial = -1, drawn_hd = -1;

static int draw(rx_task_kind task) {
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  cfg.task = task;
  snprintf(cfg.path, sizeof cfg.path, "%s", root);
  rx_error err = {{0}};
  log_text[0] = '\0';
  rx_plot_set_data_record(1);
  int rc = rx_figures(&cfg, collect, NULL, &err);
  rx_plot_set_data_record(-1);
  CHECK_MSG(rc == 0, "%s", err.msg);
  return rc;
}

static char spatial_log[sizeof log_text], hd_log[sizeof log_text];

static int setup(void) {
  if (drawn_spatial >= 0) return drawn_spatial || drawn_hd;
  rx_test_tmpdir(root, sizeof root, "figures_probes");
  make_numbers();
  if (write_spatial() || write_head_direction()) return drawn_spatial = drawn_hd = -1;
  drawn_spatial = draw(RX_TASK_SPATIAL);
  memcpy(spatial_log, log_text, sizeof log_text);
  drawn_hd = draw(RX_TASK_HEAD_DIRECTION);
  memcpy(hd_log, log_text, sizeof log_text);
  return drawn_spatial || drawn_hd;
}

static cJSON *record(rx_task_kind task, const char *fig) {
  char base[600];
  snprintf(base, sizeof base, "%s/%s/figures/%s", root, rx_task_name(task), fig);
  return record_load(base);
}

/* The series of a lines panel whose label starts with prefix (-1 when none). */
static int series_index(const cJSON *panel, const char *prefix) {
  const cJSON *a = rec_at(panel, "series");
  for (int i = 0; i < cJSON_GetArraySize(a); i++) {
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(a, i), "label");
    if (cJSON_IsString(l) && !strncmp(l->valuestring, prefix, strlen(prefix))) return i;
  }
  CHECK_MSG(0, "no series '%s...' in panel '%s'", prefix, rec_str(panel, "title"));
  return -1;
}

/* series.<i>.<key> holds want (n). */
static void check_series(const cJSON *panel, int i, const char *key, const double *want, int n,
                         double tol) {
  char path[64];
  snprintf(path, sizeof path, "series.%d.%s", i, key);
  if (i >= 0) rec_check_nums(panel, path, want, n, tol);
}

/* ---- the tests ---- */

static void test_mixing_figure_plots_kl_per_window_distance_and_mixing_times(void) {
  REQUIRE(setup() == 0);
  cJSON *doc = record(RX_TASK_SPATIAL, "fig_probe_mixing");
  REQUIRE(doc);
  /* 3 networks with KL, 2 rows (the distance row from the npz); seed 0 of 0-1 */
  CHECK(rec_num(doc, "columns") == 3 && rec_num(doc, "rows") == 2);
  CHECK_MSG(strstr(rec_str(doc, "title"), "seed 0 (the first of seeds 0, 1)"), "%s",
            rec_str(doc, "title"));
  const cJSON *p = rec_at(doc, "panels.0");
  CHECK(!strncmp(rec_str(p, "title"), "U-σ", strlen("U-σ")));
  double x[NW];
  for (int w = 0; w < NW; w++)
    x[w] = w * window_steps;
  int a = series_index(p, "active: plateau 0.20"),
      pt = series_index(p, "point: plateau 0.21, mixes");
  check_series(p, a, "x", x, NW, 0);
  check_series(p, a, "y", kl_active, NW, 0);
  check_series(p, pt, "y", kl_point, NW, 0); /* the null window is null: not drawn */
  check_series(p, series_index(p, "zero"), "y", kl_zero, NW, 0);
  /* mixing times at (window x steps, KL there): active 0, point 3, zero 4 */
  int m = series_index(p, "mixing time");
  double mx[3] = {0, 3 * window_steps, 4 * window_steps},
         my[3] = {kl_active[0], kl_point[3], kl_zero[4]};
  check_series(p, m, "x", mx, 3, 0);
  check_series(p, m, "y", my, 3, 0);
  /* U: no noise solid, absolute noise dotted, "does not mix" */
  p = rec_at(doc, "panels.1");
  int d = series_index(p, "point (abs. noise): plateau 0.80, does not mix");
  check_series(p, d, "y", kl_abs, NW, 0);
  char key[64];
  snprintf(key, sizeof key, "series.%d.dotted", d);
  CHECK(d >= 0 && cJSON_IsTrue(rec_at(p, key)));
  CHECK(series_index(p, "active (no noise): plateau 0.20") >= 0);
  /* the distance row: U-σ's mean distance from the start at every step; the others empty */
  p = rec_at(doc, "panels.3");
  double t[TD], dd[TD];
  for (int i = 0; i < TD; i++)
    t[i] = i, dd[i] = dist_active[i];
  check_series(p, 0, "x", t, TD, 0);
  check_series(p, 0, "y", dd, TD, 0);
  CHECK(!strcmp(rec_str(doc, "panels.4.kind"), "empty"));
  CHECK_MSG(strstr(spatial_log, "fig_probe_mixing: panel 'U: noiseless, unbiased' left empty"),
            "%s", spatial_log);
  cJSON_Delete(doc);
}

static void test_score_figure_draws_drift_and_score_arrows_over_the_density(void) {
  REQUIRE(setup() == 0);
  cJSON *doc = record(RX_TASK_SPATIAL, "fig_probe_score");
  REQUIRE(doc);
  CHECK(rec_num(doc, "columns") == 3 && rec_num(doc, "rows") == 2);
  const int n = SNX * SNY;
  double xc[n], yc[n], du[n], dv[n], su[n], sv[n], cz[SNX], dz[SNX];
  for (int j = 0; j < SNY; j++)
    for (int i = 0; i < SNX; i++) {
      int k = j * SNX + i;
      xc[k] = 0.5 * (sedges_x[i] + sedges_x[i + 1]), yc[k] = 0.5 * (sedges_y[j] + sedges_y[j + 1]);
      du[k] = drift[j][i][0], dv[k] = drift[j][i][1], su[k] = score[j][i][0],
      sv[k] = score[j][i][1];
    }
  for (int row = 0; row < 2; row++) {
    char key[64];
    snprintf(key, sizeof key, "panels.%d", 3 * row);
    const cJSON *p = rec_at(doc, key), *q;
    CHECK(!strcmp(rec_str(p, "kind"), "vectors"));
    /* drift: arrows at the bin centres, (u, v) the file's drift, NaN (unused bin) null */
    rec_check_nums(p, "x", xc, n, 1e-6);
    rec_check_nums(p, "y", yc, n, 1e-6);
    rec_check_nums(p, "u", du, n, 0);
    rec_check_nums(p, "v", dv, n, 0);
    CHECK_NEAR(rec_num(p, "n_arrows"), n - 1, 0);
    CHECK(!strcmp(rec_str(p, "colour"), "#d62728"));
    CHECK(strstr(rec_str(p, "key.text"), "m per step") != NULL);
    /* scaled so that the longest arrow is 0.9 of the narrower bin (2.2 / 4) */
    double longest = 0;
    for (int k = 0; k < n; k++)
      if (!isnan(du[k])) longest = fmax(longest, hypot(du[k], dv[k]));
    CHECK_NEAR(rec_num(p, "scale"), 0.9 * (2.2 / 4) / longest, 1e-6 * rec_num(p, "scale"));
    /* over the awake density */
    for (int j = 0; j < SNY; j++) {
      for (int i = 0; i < SNX; i++)
        dz[i] = density[j][i];
      snprintf(key, sizeof key, "grid.z.%d", j);
      rec_check_nums(p, key, dz, SNX, 0);
    }
    snprintf(key, sizeof key, "panels.%d", 3 * row + 1);
    q = rec_at(doc, key);
    rec_check_nums(q, "u", su, n, 0);
    rec_check_nums(q, "v", sv, n, 0);
    CHECK(strstr(rec_str(q, "key.text"), "1/m") && !strcmp(rec_str(q, "colour"), "#1f77b4"));
    /* the cosine map, -1..1 diverging, null where the bin is unused */
    snprintf(key, sizeof key, "panels.%d", 3 * row + 2);
    q = rec_at(doc, key);
    CHECK(!strcmp(rec_str(q, "kind"), "image"));
    for (int j = 0; j < SNY; j++) {
      for (int i = 0; i < SNX; i++)
        cz[i] = cosine[j][i];
      snprintf(key, sizeof key, "z.%d", j);
      rec_check_nums(q, key, cz, SNX, 0);
    }
    CHECK(!strcmp(rec_str(q, "colour_axis.map"), "diverging"));
    CHECK(rec_num(q, "colour_axis.min") == -1 && rec_num(q, "colour_axis.max") == 1);
  }
  /* titles carry the JSON's numbers; an undefined cosine reads n/a */
  CHECK_MSG(strstr(rec_str(doc, "panels.2.title"), "weighted 0.62, p 0.00498"), "%s",
            rec_str(doc, "panels.2.title"));
  CHECK_MSG(strstr(rec_str(doc, "panels.5.title"), "weighted n/a"), "%s",
            rec_str(doc, "panels.5.title"));
  CHECK(strstr(rec_str(doc, "panels.3.title"), "U (abs. noise)") != NULL);
  cJSON_Delete(doc);
}

static void test_temperature_figure_plots_beta_against_two_over_k(void) {
  REQUIRE(setup() == 0);
  cJSON *doc = record(RX_TASK_SPATIAL, "fig_probe_temperature");
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0");
  CHECK(cJSON_IsTrue(rec_at(p, "x_axis.log")) && cJSON_IsTrue(rec_at(p, "y_axis.log")));
  double th[NK];
  for (int i = 0; i < NK; i++)
    th[i] = 2 / tk[i];
  int t = series_index(p, "theory β = 2/k");
  check_series(p, t, "x", tk, NK, 0);
  check_series(p, t, "y", th, NK, 1e-15);
  int u = series_index(p, "U-σ (slope -0.98)");
  check_series(p, u, "x", tk, NK, 0);
  check_series(p, u, "y", tbeta_u, NK, 0); /* the null β_2 is null */
  check_series(p, series_index(p, "U (slope"), "y", tbeta_n, NK, 0);
  /* the random network has no β: its series is all null (nothing drawn), slope n/a */
  double none[NK] = {NAN, NAN, NAN, NAN, NAN};
  check_series(p, series_index(p, "R (untrained) (slope n/a)"), "y", none, NK, 0);
  /* the point at a bound (k = 8, β = 0.001), an open circle */
  int b = series_index(p, "β at a search bound");
  double bx[1] = {8}, by[1] = {0.001};
  check_series(p, b, "x", bx, 1, 0);
  check_series(p, b, "y", by, 1, 0);
  char key[64];
  snprintf(key, sizeof key, "series.%d.marker", b);
  CHECK(b >= 0 && !strcmp(rec_str(p, key), "open circle"));
  /* KL(q_k || a) against k on a log axis */
  p = rec_at(doc, "panels.1");
  CHECK(cJSON_IsTrue(rec_at(p, "x_axis.log")) && !cJSON_IsTrue(rec_at(p, "y_axis.log")));
  check_series(p, series_index(p, "U-σ"), "y", tkl_u, NK, 0);
  cJSON_Delete(doc);
  /* the GRU family's file gives its own figure */
  doc = record(RX_TASK_SPATIAL, "figC2_probe_temperature");
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  check_series(p, series_index(p, "U-σ (slope n/a)"), "y", tbeta_n, NK, 0);
  CHECK(strstr(rec_str(doc, "title"), "GRU runs") != NULL);
  cJSON_Delete(doc);
}

static void test_diffusion_figure_plots_msd_with_fit_range_and_step_sizes(void) {
  REQUIRE(setup() == 0);
  cJSON *doc = record(RX_TASK_SPATIAL, "fig_probe_diffusion");
  REQUIRE(doc);
  const cJSON *p = rec_at(doc, "panels.0"), *h = rec_at(doc, "panels.1");
  CHECK(cJSON_IsTrue(rec_at(p, "x_axis.log")) && cJSON_IsTrue(rec_at(p, "y_axis.log")));
  CHECK(rec_num(p, "band.x_min") == 1 && rec_num(p, "band.x_max") == 10); /* tau 1..10 */
  /* the MSD series, in the order the file has them: U-σ quiescent, awake, U no noise, abs. */
  double lag[NMSD];
  for (int i = 0; i < NMSD; i++)
    lag[i] = i + 1;
  check_series(p, 0, "x", lag, NMSD, 0);
  check_series(p, 0, "y", msd_q, NMSD, 0);
  check_series(p, 1, "x", lag, NMSD_A, 0);
  check_series(p, 1, "y", msd_a, NMSD_A, 0);
  check_series(p, 2, "y", msd_nn, NMSD, 0); /* null at lag 4 recorded null; 0 cannot be drawn */
  check_series(p, 3, "y", msd_abs, NMSD, 0);
  CHECK(cJSON_IsTrue(rec_at(p, "series.1.dashed")) && !cJSON_IsTrue(rec_at(p, "series.1.dotted")));
  CHECK(cJSON_IsTrue(rec_at(p, "series.3.dotted")));
  /* reference slopes 1 and 2 through the geometric mean of the positive MSD(1)s */
  const double g = exp((log(msd_q[0]) + log(msd_a[0]) + log(msd_abs[0])) / 3);
  double r1[2] = {g, g * NMSD}, r2[2] = {g, g * NMSD * NMSD};
  check_series(p, series_index(p, "∝ τ (diffusive)"), "y", r1, 2, 1e-12);
  check_series(p, series_index(p, "∝ τ² (ballistic)"), "y", r2, 2, 1e-12);
  /* step sizes: densities counts / (sum x width) at the bin centres, labelled with α */
  double cx[NB], dq[NB], da[NB], sq = 0, sa = 0;
  for (int i = 0; i < NB; i++)
    sq += counts_q[i], sa += counts_a[i];
  for (int i = 0; i < NB; i++) {
    cx[i] = 0.5 * (step_edges[i] + step_edges[i + 1]);
    double w = (float)step_edges[i + 1] - (float)step_edges[i];
    dq[i] = counts_q[i] / (sq * w), da[i] = counts_a[i] / (sa * w);
  }
  int q = series_index(h, "U-σ: α 1.00"), w = series_index(h, "U-σ awake: α 2.00");
  check_series(h, q, "x", cx, NB, 1e-6);
  check_series(h, q, "y", dq, NB, 1e-12);
  check_series(h, w, "y", da, NB, 1e-12);
  char key[64];
  snprintf(key, sizeof key, "series.%d.style", q);
  CHECK(q >= 0 && !strcmp(rec_str(h, key), "steps"));
  CHECK(cJSON_IsTrue(rec_at(h, "y_axis.log")));
  cJSON_Delete(doc);
}

static void test_head_direction_probes_on_the_ring(void) {
  REQUIRE(setup() == 0);
  cJSON *doc = record(RX_TASK_HEAD_DIRECTION, "fig_probe_score");
  REQUIRE(doc);
  CHECK(rec_num(doc, "columns") == 3 && rec_num(doc, "rows") == 1);
  double x[RNX], d[RNX], sc[RNX], cs[RNX], co[RNX];
  for (int i = 0; i < RNX; i++)
    x[i] = 0.5 * (redges[i] + redges[i + 1]), d[i] = rdrift[i], sc[i] = rscore[i],
    cs[i] = 0.01 * rscore[i], co[i] = rcos[i];
  const cJSON *p = rec_at(doc, "panels.0");
  check_series(p, series_index(p, "drift d"), "x", x, RNX, 1e-6);
  check_series(p, series_index(p, "drift d"), "y", d, RNX, 0);
  check_series(p, series_index(p, "c s, c = 0.01"), "y", cs, RNX, 1e-15);
  p = rec_at(doc, "panels.1");
  check_series(p, series_index(p, "score s"), "y", sc, RNX, 0);
  p = rec_at(doc, "panels.2");
  int b = series_index(p, "cos(d, s)");
  check_series(p, b, "y", co, RNX, 0);
  CHECK(b >= 0 && !strcmp(rec_str(p, "series.0.style"), "bars"));
  CHECK_MSG(strstr(rec_str(p, "title"), "sign agreement per bin: weighted 0.75, p 0.01"), "%s",
            rec_str(p, "title"));
  cJSON_Delete(doc);
  /* mixing: the window size from mixing_step / mixing_window (600 / 2) */
  doc = record(RX_TASK_HEAD_DIRECTION, "fig_probe_mixing");
  REQUIRE(doc);
  p = rec_at(doc, "panels.0");
  double xs[NW];
  for (int w = 0; w < NW; w++)
    xs[w] = 300.0 * w;
  check_series(p, series_index(p, "point"), "x", xs, NW, 0);
  CHECK_MSG(strstr(rec_str(doc, "title"), "per window of 300 steps"), "%s", rec_str(doc, "title"));
  cJSON_Delete(doc);
}

static void test_missing_probe_files_are_skipped_with_a_reason(void) {
  REQUIRE(setup() == 0);
  /* GRUs: only temperature; head direction: no temperature, no diffusion */
  const char *want[] = {
      "skipped figC2_probe_mixing: no mixing_gru_0.0001_<seed>.json for any seed (reactivate "
      "analyze mixing gru=true)",
      "skipped figC2_probe_diffusion: no diffusion_gru_0.0001_<seed>.json",
      "wrote ", /* the figures that have their files */
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    CHECK_MSG(strstr(spatial_log, want[i]), "no '%s' in: %s", want[i], spatial_log);
  CHECK_MSG(strstr(hd_log, "skipped fig_probe_temperature: no temperature_0.01_<seed>.json for any "
                           "seed (reactivate analyze temperature task=head_direction)"),
            "%s", hd_log);
  CHECK_MSG(strstr(hd_log, "skipped fig_probe_diffusion:"), "%s", hd_log);
  char path[600];
  snprintf(path, sizeof path, "%s/head_direction/figures/fig_probe_diffusion.png", root);
  CHECK(!rx_file_exists(path));
  snprintf(path, sizeof path, "%s/spatial_navigation/figures/figC2_probe_mixing.png", root);
  CHECK(!rx_file_exists(path));
  /* the figures written, PNG and SVG */
  static const char *const spatial[] = {"fig_probe_mixing", "fig_probe_score",
                                        "fig_probe_temperature", "fig_probe_diffusion",
                                        "figC2_probe_temperature"};
  for (size_t i = 0; i < sizeof spatial / sizeof spatial[0]; i++)
    for (int e = 0; e < 2; e++) {
      snprintf(path, sizeof path, "%s/spatial_navigation/figures/%s.%s", root, spatial[i],
               e ? "svg" : "png");
      CHECK_MSG(rx_file_exists(path), "%s not written", path);
    }
}

/* The JSON files without their .npz: the score figure is skipped naming the missing file, the
 * mixing figure draws its KL row alone; then a malformed number stops the drawing with one
 * line naming the file and the key. */
static void test_missing_npz_skips_and_malformed_file_fails_naming_file_and_key(void) {
  REQUIRE(setup() == 0);
  char bad[300], cmd[1600];
  snprintf(bad, sizeof bad, "%s/bad", root);
  snprintf(cmd, sizeof cmd,
           "rm -rf %s && mkdir -p %s/spatial_navigation && cp %s/spatial_navigation/*.json "
           "%s/spatial_navigation/",
           bad, bad, root, bad);
  REQUIRE(system(cmd) == 0);
  rx_figures_config cfg;
  rx_figures_config_default(&cfg);
  snprintf(cfg.path, sizeof cfg.path, "%s", bad);
  rx_error err = {{0}};
  log_text[0] = '\0';
  rx_plot_set_data_record(1);
  int rc = rx_figures(&cfg, collect, NULL, &err);
  rx_plot_set_data_record(-1);
  CHECK_MSG(rc == 0, "%s", err.msg);
  CHECK_MSG(strstr(log_text, "skipped fig_probe_score: no ") &&
                strstr(log_text, "score_0.0001_0.npz (the binned drift and score) next to"),
            "%s", log_text);
  char base[600];
  snprintf(base, sizeof base, "%s/spatial_navigation/figures/fig_probe_mixing", bad);
  cJSON *doc = record_load(base);
  CHECK(doc && rec_num(doc, "rows") == 1 && rec_num(doc, "columns") == 3);
  cJSON_Delete(doc);

  char path[700];
  snprintf(path, sizeof path, "%s/spatial_navigation/temperature_0.0001_0.json", bad);
  REQUIRE(write_json(path, cJSON_Parse("{\"random\": {\"k\": [1, \"two\"]}}")) == 0);
  rc = rx_figures(&cfg, NULL, NULL, &err);
  CHECK(rc == RX_EFORMAT);
  CHECK_MSG(strstr(err.msg, "temperature_0.0001_0.json") && strstr(err.msg, "'random.k'[1]"), "%s",
            err.msg);
}

static void cleanup(void) {
  if (root[0] && !getenv("RX_FIGURES_KEEP")) {
    rx_test_rm_rf(root);
  } else if (root[0]) {
    fprintf(stderr, "  results kept in %s\n", root);
  }
}

int main(int argc, char **argv) {
  unsetenv("REACTIVATE_PLOT_DATA");
  static const rx_test_case tests[] = {
      TEST(test_mixing_figure_plots_kl_per_window_distance_and_mixing_times),
      TEST(test_score_figure_draws_drift_and_score_arrows_over_the_density),
      TEST(test_temperature_figure_plots_beta_against_two_over_k),
      TEST(test_diffusion_figure_plots_msd_with_fit_range_and_step_sizes),
      TEST(test_head_direction_probes_on_the_ring),
      TEST(test_missing_probe_files_are_skipped_with_a_reason),
      TEST(test_missing_npz_skips_and_malformed_file_fails_naming_file_and_key),
  };
  int rc = rx_test_main(argc, argv, tests, (int)(sizeof tests / sizeof tests[0]));
  cleanup();
  return rc;
}
