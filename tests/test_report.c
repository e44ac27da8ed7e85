/* The reproduction report from synthetic results with known numbers: every claim listed with its
 * numbers and the right verdict (a set where all hold, one where some do not, one with missing
 * files), mean ± s.d. over two seeds, the noise found from the names on disk, escaping, a
 * malformed results file failing with one line naming it (library and CLI), and the HTML
 * rendered in headless Chromium with every image loaded. Set RX_REPORT_KEEP=1 to keep the
 * folders for looking at. */
#include <sys/stat.h>
#include <unistd.h>

#include "cli_runner.h"
#include "reactivate/fileio.h"
#include "reactivate/report.h"
#include "report_fixtures.h"
#include "test_util.h"

/* ---- writing synthetic results ---- */

/* The numbers of one seed's results (spatial: U-σ, B-σ, U, B; GRU: U-σ, B-σ). */
typedef struct vals {
  double kl[6][4]; /* rows U-σ, B-σ, U, B, random, uniform; columns U-σ, B-σ, U, B */
  double var[4], dist_active[4], dist_q[4], dist_noisy[2];
  double gru_kl[4][2]; /* rows GRU U-σ, GRU B-σ, random, uniform */
  double gru_var[2];
  double loss[4], err[4];
  int hd_occupied;             /* bins of 20 the unbiased HD network's quiescent headings occupy */
  double hd_w[2];              /* quiescent mean angular velocity, unbiased and biased */
  double g_kl[4][2], g_var[2]; /* Gaussian noise: rows U-σ, B-σ, random, uniform */
} vals;

/* Every claim holds: numbers of the order of docs/science.md §11. */
static vals holding(int seed) {
  vals v = {
      .kl = {{0.3, 5, 1, 2},
             {3, 0.6, 2.5, 0.7},
             {0.2, 7, 0.3, 5},
             {2, 1.5, 1.6, 1.2},
             {3.0, 2.3, 3.9, 2.4},
             {0.16, 4.7, 0.12, 3.2}},
      .var = {0.0056, 0.008, 0.002, 0.001},
      .dist_active = {0.024, 0.021, 0.022, 0.019},
      .dist_q = {0.017, 0.015, 0.001, 0.003},
      .dist_noisy = {0.2, 0.03},
      .gru_kl = {{0.27, 9.47}, {2.91, 0.99}, {4.51, 2.54}, {0.5, 3}},
      .gru_var = {0.017, 0.0055},
      .loss = {1e-5, 2e-5, 1e-6, 2e-6},
      .err = {0.003, 0.004, 0.001, 0.002},
      .hd_occupied = 20,
      .hd_w = {0.1, 2.5},
      .g_kl = {{3.2, 6}, {4, 1.4}, {4.4, 2.4}, {1, 4}},
      .g_var = {0.05, 0.02},
  };
  /* seed 0 and 1 differ in a few numbers, so mean ± s.d. is checkable */
  v.kl[0][0] = seed ? 0.5 : 0.3;  /* 0.4 ± 0.1 */
  v.kl[4][0] = seed ? 3.4 : 3.0;  /* 3.2 ± 0.2 */
  v.loss[0] = seed ? 3e-5 : 1e-5; /* 2e-05 ± 1e-05 */
  return v;
}

static void metrics(const char *dir, const char *run, double loss, const char *err_key, double e) {
  char rel[1000];
  snprintf(rel, sizeof rel, "%s/test_metrics.json", run);
  /* "50" sorts after "100" as text: the last step must be found as a number */
  put(dir, rel,
      "{\"0\": {\"loss\": 1, \"%s\": 1}, \"100\": {\"loss\": %.17g, \"%s\": %.17g}, "
      "\"50\": {\"loss\": 0.5, \"%s\": null}}",
      err_key, loss, err_key, e, err_key);
}

/* Which parts to write. */
enum { W_SPATIAL = 1, W_KL = 2, W_GRU = 4, W_HD = 8, W_GAUSS = 16, W_ALL = 31 };

static void write_seed(const char *root, const char *gauss, const char *noise, int seed,
                       const vals *v, unsigned what) {
  char dir[600], names[4][200], rel[600];
  snprintf(dir, sizeof dir, "%s/spatial_navigation", root);
  for (int i = 0; i < 4; i++)
    row_key(names[i], sizeof names[i], i, noise, seed);
  if (what & W_SPATIAL) {
    for (int i = 0; i < 4; i++)
      metrics(dir, names[i], v->loss[i], "pos_mse", v->err[i]);
    snprintf(rel, sizeof rel, "variance_%s_%d.json", noise, seed);
    put(dir, rel, "{\"%s\": %g, \"%s\": %g, \"%s\": %g, \"%s\": %g}", names[0], v->var[0], names[1],
        v->var[1], names[2], v->var[2], names[3], v->var[3]);
    snprintf(rel, sizeof rel, "distance_%s_%d.json", noise, seed);
    put(dir, rel,
        "{\"%s\": {\"active\": %g, \"quiescent\": %g}, \"%s\": {\"active\": %g, \"quiescent\": "
        "%g}, "
        "\"%s\": {\"active\": %g, \"quiescent\": %g, \"quiescent_noisy\": %g}, "
        "\"%s\": {\"active\": %g, \"quiescent\": %g, \"quiescent_noisy\": %g}}",
        names[0], v->dist_active[0], v->dist_q[0], names[1], v->dist_active[1], v->dist_q[1],
        names[2], v->dist_active[2], v->dist_q[2], v->dist_noisy[0], names[3], v->dist_active[3],
        v->dist_q[3], v->dist_noisy[1]);
  }
  if (what & W_KL) {
    const char *rows[6] = {names[0], names[1], names[2], names[3], "random", "uniform"};
    char text[4000];
    size_t k = (size_t)snprintf(text, sizeof text, "{");
    for (int i = 0; i < 6; i++) {
      k += (size_t)snprintf(text + k, sizeof text - k, "%s\"%s\": {", i ? ", " : "", rows[i]);
      for (int j = 0; j < 4; j++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%s\"%s\": %.17g", j ? ", " : "", names[j],
                              v->kl[i][j]);
      k += (size_t)snprintf(text + k, sizeof text - k, "}");
    }
    snprintf(text + k, sizeof text - k, "}");
    snprintf(rel, sizeof rel, "kl_%s_%d.json", noise, seed);
    put(dir, rel, "%s", text);
  }
  if (what & W_GRU) {
    char g[2][200];
    for (int i = 0; i < 2; i++) {
      snprintf(g[i], sizeof g[i], "%s_gru_%s_%d", stems[i], noise, seed);
      metrics(dir, g[i], 1e-4, "pos_mse", 0.01);
    }
    snprintf(rel, sizeof rel, "kl_gru_%s_%d.json", noise, seed);
    put(dir, rel,
        "{\"%s\": {\"%s\": %g, \"%s\": %g}, \"%s\": {\"%s\": %g, \"%s\": %g}, "
        "\"random\": {\"%s\": %g, \"%s\": %g}, \"uniform\": {\"%s\": %g, \"%s\": %g}}",
        g[0], g[0], v->gru_kl[0][0], g[1], v->gru_kl[0][1], g[1], g[0], v->gru_kl[1][0], g[1],
        v->gru_kl[1][1], g[0], v->gru_kl[2][0], g[1], v->gru_kl[2][1], g[0], v->gru_kl[3][0], g[1],
        v->gru_kl[3][1]);
    snprintf(rel, sizeof rel, "variance_gru_%s_%d.json", noise, seed);
    put(dir, rel, "{\"%s\": %g, \"%s\": %g}", g[0], v->gru_var[0], g[1], v->gru_var[1]);
  }
  if (what & W_HD) {
    char hd[600], h[4][200];
    snprintf(hd, sizeof hd, "%s/head_direction", root);
    for (int i = 0; i < 4; i++) {
      row_key(h[i], sizeof h[i], i, "0.01", seed);
      metrics(hd, h[i], 1e-3, "hd_mse", 0.05);
    }
    char hist[1000], uniform[1000];
    size_t k = 0, u = 0;
    for (int b = 0; b < 20; b++) {
      const double x = b < v->hd_occupied ? 1.0 / v->hd_occupied : 0;
      k += (size_t)snprintf(hist + k, sizeof hist - k, "%s%.17g", b ? ", " : "", x);
      u += (size_t)snprintf(uniform + u, sizeof uniform - u, "%s0.05", b ? ", " : "");
    }
    snprintf(rel, sizeof rel, "heading_0.01_%d.json", seed);
    put(hd, rel,
        "{\"%s\": {\"active_histogram\": [%s], \"quiescent_histogram\": [%s], "
        "\"active_mean_angular_velocity\": 0.01, \"quiescent_mean_angular_velocity\": %g}, "
        "\"%s\": {\"active_histogram\": [%s], \"quiescent_histogram\": [%s], "
        "\"active_mean_angular_velocity\": 3, \"quiescent_mean_angular_velocity\": %g}, "
        "\"random\": {\"quiescent_histogram\": [0.5, 0.5%s], "
        "\"quiescent_mean_angular_velocity\": 0}}",
        h[0], uniform, hist, v->hd_w[0], h[1], uniform, uniform, v->hd_w[1],
        ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0");
    snprintf(rel, sizeof rel, "variance_0.01_%d.json", seed);
    put(hd, rel, "{\"%s\": 0.4, \"%s\": 0.3, \"%s\": 0.01, \"%s\": 0.02}", h[0], h[1], h[2], h[3]);
  }
  if ((what & W_GAUSS) && gauss) {
    char gd[600];
    snprintf(gd, sizeof gd, "%s/spatial_navigation", gauss);
    for (int i = 0; i < 2; i++)
      metrics(gd, names[i], 5e-5, "pos_mse", 0.01);
    snprintf(rel, sizeof rel, "kl_%s_%d.json", noise, seed);
    put(gd, rel,
        "{\"%s\": {\"%s\": %g, \"%s\": %g}, \"%s\": {\"%s\": %g, \"%s\": %g}, "
        "\"random\": {\"%s\": %g, \"%s\": %g}, \"uniform\": {\"%s\": %g, \"%s\": %g}}",
        names[0], names[0], v->g_kl[0][0], names[1], v->g_kl[0][1], names[1], names[0],
        v->g_kl[1][0], names[1], v->g_kl[1][1], names[0], v->g_kl[2][0], names[1], v->g_kl[2][1],
        names[0], v->g_kl[3][0], names[1], v->g_kl[3][1]);
    snprintf(rel, sizeof rel, "variance_%s_%d.json", noise, seed);
    put(gd, rel, "{\"%s\": %g, \"%s\": %g}", names[0], v->g_var[0], names[1], v->g_var[1]);
  }
}

/* ---- reading the report ---- */

static const char *const claim_ids[] = {"a",  "b",  "c",  "d",  "e1", "e2", "f1",
                                        "f2", "g1", "g2", "h1", "h2", "i1", "i2"};
#define N_CLAIMS (int)(sizeof claim_ids / sizeof claim_ids[0])

static void log_to_buf(void *ctx, const char *line) {
  char *b = ctx;
  size_t k = strlen(b);
  if (k + 1 < 32768) snprintf(b + k, 32768 - k, "%s\n", line);
}

static int write_report(const char *root, const char *gauss, const char *profile, rx_error *err,
                        char *log) {
  rx_report_config *cfg = malloc(sizeof *cfg);
  rx_report_config_default(cfg);
  snprintf(cfg->path, sizeof cfg->path, "%s", root);
  if (gauss) snprintf(cfg->gaussian, sizeof cfg->gaussian, "%s", gauss);
  snprintf(cfg->profile, sizeof cfg->profile, "%s", profile);
  cfg->settings = "profile: test\n<script>alert(1)</script> & ```fenced```\n";
  cfg->wall_s = 125;
  if (log) log[0] = '\0';
  int rc = rx_report_write(cfg, log ? log_to_buf : NULL, log, err);
  free(cfg);
  return rc;
}

/* ---- tests ---- */

static void test_report_every_claim_holds_with_its_numbers(void) {
  char root[256], gauss[400];
  rx_test_tmpdir(root, sizeof root, "report_hold");
  snprintf(gauss, sizeof gauss, "%s/gaussian", root);
  for (int s = 0; s < 2; s++) {
    vals v = holding(s);
    write_seed(root, gauss, "0.0001", s, &v, W_ALL);
  }
  rx_error err = {{0}};
  char log[32768];
  REQUIRE(write_report(root, gauss, "paper", &err, log) == 0);
  char *md = rx_test_read_text(root, "report.md"), *html = rx_test_read_text(root, "report.html");
  REQUIRE(md && html);
  char row[2000];
  for (int i = 0; i < N_CLAIMS; i++) {
    row_of(md, claim_ids[i], row, sizeof row);
    CHECK_MSG(!strcmp(verdict_of(row), "holds"), "claim %s: '%s'", claim_ids[i], row);
    CHECK_MSG(strstr(row, " = ") != NULL, "claim %s shows no numbers: '%s'", claim_ids[i], row);
  }
  /* the numbers: means ± s.d. (ddof 0) over the two seeds, as the example reads */
  row_of(md, "a", row, sizeof row);
  CHECK_MSG(strstr(row, "KL(q U-σ ‖ a U-σ) = 0.4 ± 0.1 < KL(random ‖ a U-σ) = 3.2 ± 0.2"), "%s",
            row);
  row_of(md, "c", row, sizeof row);
  CHECK_MSG(strstr(row, "KL(q B-σ ‖ a B-σ) = 0.6 ± 0 < KL(q B-σ ‖ a U-σ) = 3 ± 0"), "%s", row);
  row_of(md, "e1", row, sizeof row);
  CHECK_MSG(strstr(row, "variance(q U) = 0.002 ± 0 < variance(q U-σ) = 0.0056 ± 0"), "%s", row);
  row_of(md, "f2", row, sizeof row);
  CHECK_MSG(strstr(row, "distance(q+noise B) = 0.03 ± 0 > distance(q B-σ) = 0.015 ± 0"), "%s", row);
  row_of(md, "g1", row, sizeof row);
  /* the random network sits in 2 of 20 bins: KL∘ = log 10 against uniform awake headings */
  CHECK_MSG(strstr(row, "KL∘(q U-σ ‖ a U-σ) = 0 ± 0 < KL∘(random ‖ a U-σ) = 2.3 ± 0; and "
                        "effective coverage(q U-σ) = 1 ± 0 ≥ 0.5"),
            "%s", row);
  row_of(md, "g2", row, sizeof row);
  CHECK_MSG(strstr(row, "ω(q B-σ) = 2.5 ± 0 > ω(q U-σ) = 0.1 ± 0; and ω(q B-σ) = 2.5 ± 0 > 0"),
            "%s", row);
  row_of(md, "h2", row, sizeof row);
  CHECK_MSG(strstr(row, "KL(q GRU B-σ ‖ a GRU B-σ) = 0.99 ± 0 < KL(random ‖ a GRU B-σ) = 2.54 ± 0"),
            "%s", row);
  row_of(md, "i1", row, sizeof row);
  CHECK_MSG(strstr(row, "Gaussian = 3.2 ± 0 > KL(q U-σ ‖ a U-σ), uniform = 0.4 ± 0.1"), "%s", row);
  CHECK_MSG(strstr(row, "variance(q U-σ), Gaussian = 0.05 ± 0"), "%s", row);
  CHECK(strstr(md, "The paper's claims (a–h, docs/science.md §7.2): 12 checked; 12 hold, 0 do not "
                   "hold, 0 not measured.") != NULL);
  /* the claims of the probes (j1..m1) and of replay (n1, n2) count with the findings: not
   * measured without their files */
  CHECK(strstr(md, "Findings beyond the paper (ours, docs/science.md §7.2 and §11.4, the probes "
                   "of \"Is it sampling?\" and the replay scores of \"Replay\"): 10 checked; 2 "
                   "hold, 0 do not hold, 8 not measured.") != NULL);
  CHECK(strstr(md, "Every claim of the paper checked holds") != NULL);
  /* the two kinds in their own tables, in that order */
  const char *t_paper = strstr(md, "### The paper's claims"),
             *t_beyond = strstr(md, "### Findings beyond the paper");
  REQUIRE(t_paper && t_beyond && t_paper < t_beyond);
  const char *row_h2 = strstr(md, "| h2 |"), *row_i1 = strstr(md, "| i1 |");
  CHECK(row_h2 && row_h2 > t_paper && row_h2 < t_beyond);
  CHECK(row_i1 && row_i1 > t_beyond);
  /* the run table: final step found as a number (100, not "50"), loss mean ± s.d. */
  CHECK_MSG(strstr(md, "| noisy_unbiased (U-σ) | noisy_unbiased_0.0001_\\<seed> | 2 | 100 | 2e-05 "
                       "± 1e-05 | 0.003 ± 0 | 6e-6 / 0.0036 |"),
            "run table row missing");
  /* the KL matrix, the reference numbers, the Gaussian side-by-side rows */
  CHECK(strstr(md, "| q U-σ (noisy, unbiased) | 0.4 ± 0.1 | 5 ± 0 | 1 ± 0 | 2 ± 0 |") != NULL);
  CHECK(strstr(md, "| uniform (correct 2-D density) | 0.16 | 4.71 | 0.12 | 3.20 |") != NULL);
  CHECK(strstr(md, "| zero-mean Gaussian, this reproduction | 3.2 ± 0 | 1.4 ± 0 | 4.4 ± 0 | 0.05 ± "
                   "0 | 0.02 ± 0 |") != NULL);
  CHECK(strstr(md, "authors' code, seed 0, paper size") != NULL);
  /* configuration verbatim (fenced longer than its own backticks), wall time, profile */
  CHECK(strstr(md, "````text\nprofile: test\n<script>alert(1)</script> & ```fenced```\n````") !=
        NULL);
  CHECK(strstr(md, "Wall time: 2 min 05 s") != NULL);
  CHECK(strstr(md, "# Reproduction report: profile paper") != NULL);
  /* HTML: escaped text, no raw markup from the settings, the verdict classes */
  CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ```fenced```") != NULL);
  CHECK(strstr(html, "<script>alert(1)") == NULL);
  CHECK(strstr(html, "<td class=\"holds\">holds</td>") != NULL);
  CHECK(strstr(log, "wrote ") != NULL);
  free(md);
  free(html);
  cleanup(root);
}

static void test_report_claims_that_fail_are_said_plainly(void) {
  char root[256], gauss[400];
  rx_test_tmpdir(root, sizeof root, "report_fail");
  snprintf(gauss, sizeof gauss, "%s/gaussian", root);
  for (int s = 0; s < 2; s++) {
    vals v = holding(s);
    v.kl[0][0] = s ? 4.4 : 4.0; /* a: 4.2 ± 0.2 > random 3.2; i1: Gaussian 3.2 < 4.2 */
    v.var[2] = 0.01;            /* e1: noiseless explores more */
    v.hd_occupied = 5;          /* g1: 5 of 20 bins */
    v.hd_w[1] = -1;             /* g2: the biased network turns the other way */
    write_seed(root, gauss, "0.0001", s, &v, W_ALL);
  }
  rx_error err = {{0}};
  REQUIRE(write_report(root, gauss, "quick", &err, NULL) == 0);
  char *md = rx_test_read_text(root, "report.md");
  REQUIRE(md);
  static const struct {
    const char *id, *verdict, *numbers;
  } expect[] = {
      {"a", "does not hold", "KL(q U-σ ‖ a U-σ) = 4.2 ± 0.2 < KL(random ‖ a U-σ) = 3.2 ± 0.2"},
      {"b", "holds", "KL(q B-σ ‖ a B-σ) = 0.6 ± 0 < KL(random ‖ a B-σ) = 2.3 ± 0"},
      {"d", "holds", "KL(q U-σ ‖ a B-σ) = 5 ± 0 > KL(q U-σ ‖ a U-σ) = 4.2 ± 0.2"},
      {"e1", "does not hold", "variance(q U) = 0.01 ± 0 < variance(q U-σ) = 0.0056 ± 0"},
      {"e2", "holds", "variance(q B) = 0.001 ± 0 < variance(q B-σ) = 0.008 ± 0"},
      /* 5 of 20 bins: KL∘ = log 4, effective coverage exactly 1/4 */
      {"g1", "does not hold",
       "KL∘(q U-σ ‖ a U-σ) = 1.39 ± 0 < KL∘(random ‖ a U-σ) = 2.3 ± 0; and effective "
       "coverage(q U-σ) = 0.25 ± 0 ≥ 0.5"},
      {"g2", "does not hold", "ω(q B-σ) = -1 ± 0 > ω(q U-σ) = 0.1 ± 0; and ω(q B-σ) = -1 ± 0 > 0"},
      {"i1", "does not hold",
       "KL(q U-σ ‖ a U-σ), Gaussian = 3.2 ± 0 > KL(q U-σ ‖ a U-σ), uniform = 4.2 ± 0.2"},
      {"i2", "holds",
       "KL(q B-σ ‖ a B-σ), Gaussian = 1.4 ± 0 > KL(q B-σ ‖ a B-σ), uniform = 0.6 ± 0"},
  };
  char row[2000];
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
    row_of(md, expect[i].id, row, sizeof row);
    CHECK_MSG(!strcmp(verdict_of(row), expect[i].verdict), "claim %s: want %s: '%s'", expect[i].id,
              expect[i].verdict, row);
    CHECK_MSG(strstr(row, expect[i].numbers) != NULL, "claim %s: want '%s' in '%s'", expect[i].id,
              expect[i].numbers, row);
  }
  for (int i = 0; i < N_CLAIMS; i++)
    CHECK_MSG(strcmp(verdict_of(row_of(md, claim_ids[i], row, sizeof row)), "?"),
              "claim %s missing", claim_ids[i]);
  CHECK(strstr(md, "12 checked; 8 hold, 4 do not hold, 0 not measured") != NULL);
  CHECK(strstr(md, "10 checked; 1 hold, 1 do not hold, 8 not measured") != NULL);
  const char *failed_paper = strstr(md, "These results of the paper did not appear in these runs:"),
             *failed_beyond = strstr(md, "Findings beyond the paper that did not hold");
  REQUIRE(failed_paper && failed_beyond && failed_paper < failed_beyond);
  const char *e1 = strstr(md, "\n- e1. Noiseless networks explore less offline (unbiased)"),
             *i1 = strstr(md, "\n- i1. ");
  CHECK(e1 && e1 > failed_paper && e1 < failed_beyond); /* a claim of the paper */
  CHECK(i1 && i1 > failed_beyond);                      /* a finding, listed apart */
  CHECK(strstr(md, "The quick profile trains reduced networks") != NULL);
  free(md);
  cleanup(root);
}

static void test_report_missing_results_are_not_measured(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "report_missing");
  vals v0 = holding(0), v1 = holding(1);
  write_seed(root, NULL, "0.0001", 0, &v0, W_SPATIAL | W_KL);
  write_seed(root, NULL, "0.0001", 1, &v1, W_SPATIAL); /* no KL for seed 1 */
  rx_error err = {{0}};
  char log[32768];
  REQUIRE(write_report(root, NULL, "quick", &err, log) == 0);
  char *md = rx_test_read_text(root, "report.md");
  REQUIRE(md);
  char row[2000];
  row_of(md, "a", row, sizeof row);
  CHECK_MSG(strstr(row, "KL(q U-σ ‖ a U-σ) = 0.3 (n=1) < KL(random ‖ a U-σ) = 3 (n=1)") &&
                !strcmp(verdict_of(row), "holds"),
            "%s", row);
  row_of(md, "e1", row, sizeof row);
  CHECK_MSG(strstr(row, "variance(q U) = 0.002 ± 0 <") && !strcmp(verdict_of(row), "holds"), "%s",
            row);
  row_of(md, "g1", row, sizeof row);
  CHECK_MSG(!strcmp(verdict_of(row), "not measured") &&
                strstr(row, "/head_direction/heading_0.01_\\<seed>.json") &&
                strstr(row, "effective coverage(q U-σ) = n/a ≥ 0.5"),
            "%s", row);
  row_of(md, "h1", row, sizeof row);
  CHECK_MSG(!strcmp(verdict_of(row), "not measured") &&
                strstr(row, "spatial_navigation/kl_gru_0.0001_\\<seed>.json; needs reactivate "
                            "analyze all gru=true"),
            "%s", row);
  row_of(md, "i2", row, sizeof row);
  CHECK_MSG(!strcmp(verdict_of(row), "not measured") &&
                strstr(row, "no Gaussian-noise results root given"),
            "%s", row);
  CHECK(strstr(md, "12 checked; 8 hold, 0 do not hold, 4 not measured") != NULL);
  CHECK(strstr(md, "10 checked; 0 hold, 0 do not hold, 10 not measured") != NULL);
  CHECK(strstr(md, "Not measured: no head-direction results in") != NULL);
  CHECK(strstr(md, "Not measured: no kl_gru_0.0001_\\<seed>.json") != NULL);
  CHECK(strstr(md, "No figures: ") != NULL);
  /* the run table says how many seeds each number comes from */
  CHECK(strstr(md, "| q U-σ (noisy, unbiased) | 0.3 (n=1) |") != NULL);
  CHECK_MSG(strstr(log, "no KL results (") && strstr(log, "kl_0.0001_<seed>.json) for seed 1"),
            "log: %s", log);
  CHECK(strstr(log, "no head_direction results in") != NULL);
  free(md);
  cleanup(root);
}

static void test_report_noise_is_read_from_the_names_on_disk(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "report_noise");
  vals v = holding(0);
  write_seed(root, NULL, "0.0003", 3, &v, W_SPATIAL | W_KL);
  rx_error err = {{0}};
  REQUIRE(write_report(root, NULL, "", &err, NULL) == 0);
  char *md = rx_test_read_text(root, "report.md");
  REQUIRE(md);
  char row[2000];
  row_of(md, "b", row, sizeof row);
  CHECK_MSG(strstr(row, "KL(q B-σ ‖ a B-σ) = 0.6 < KL(random ‖ a B-σ) = 2.3") &&
                !strcmp(verdict_of(row), "holds"),
            "%s", row);
  CHECK(strstr(md, "noisy_unbiased_0.0003_\\<seed>") != NULL);
  CHECK(strstr(md, "Seeds reported: 3.") != NULL);
  CHECK(strstr(md, "# Reproduction report\n") != NULL);
  free(md);
  cleanup(root);
}

static void test_report_malformed_file_is_one_line_naming_it(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "report_bad");
  for (int s = 0; s < 2; s++) {
    vals v = holding(s);
    write_seed(root, NULL, "0.0001", s, &v, W_SPATIAL | W_KL);
  }
  char bad[600];
  snprintf(bad, sizeof bad, "%s/spatial_navigation/variance_0.0001_1.json", root);
  put(root, "spatial_navigation/variance_0.0001_1.json", "{\"noisy_unbiased_0.0001_1\": 0.1,");
  rx_error err = {{0}};
  CHECK(write_report(root, NULL, "quick", &err, NULL) == RX_EFORMAT);
  CHECK_MSG(strstr(err.msg, bad) != NULL && !strchr(err.msg, '\n'), "%s", err.msg);
  char md_path[600];
  snprintf(md_path, sizeof md_path, "%s/report.md", root);
  CHECK(!rx_file_exists(md_path));
  /* through the CLI: exit 1 and one line */
  snprintf(cli_out_path, sizeof cli_out_path, "%s/cli_out.txt", root);
  CHECK(run_cli("report path=%s --quiet", root) == 1);
  char *o = output();
  CHECK_MSG(count_lines(o) == 1 && strstr(o, bad), "%s", o);
  free(o);
  /* a value of the wrong type names the file and the keys */
  put(root, "spatial_navigation/variance_0.0001_1.json", "{\"noisy_unbiased_0.0001_1\": \"x\"}");
  CHECK(write_report(root, NULL, "quick", &err, NULL) == RX_EFORMAT);
  CHECK_MSG(strstr(err.msg, bad) && strstr(err.msg, "noisy_unbiased_0.0001_1 is not a number"),
            "%s", err.msg);
  cleanup(root);
}

static void test_report_cli_settings_and_help(void) {
  char root[256];
  rx_test_tmpdir(root, sizeof root, "report_cli");
  snprintf(cli_out_path, sizeof cli_out_path, "%s/cli_out.txt", root);
  for (int s = 0; s < 2; s++) {
    vals v = holding(s);
    write_seed(root, NULL, "0.0001", s, &v, W_SPATIAL | W_KL);
  }
  put(root, "settings.txt", "profile: quick\nseeds: 0-1\n");
  CHECK(run_cli("report --help") == 0);
  char *o = output();
  CHECK(strstr(o, "usage: reactivate report") && strstr(o, "gaussian=DIR"));
  free(o);
  CHECK(run_cli("--help") == 0);
  o = output();
  CHECK(strstr(o, "  report ") != NULL);
  free(o);
  CHECK(run_cli("report path=%s profile=quick seeds=1 settings=%s/settings.txt --quiet", root,
                root) == 0);
  o = output();
  CHECK_MSG(!*o, "--quiet printed: %s", o);
  free(o);
  char *md = rx_test_read_text(root, "report.md");
  REQUIRE(md);
  CHECK(strstr(md, "Seeds reported: 1.") != NULL);
  CHECK(strstr(md, "profile: quick\nseeds: 0-1\n") != NULL);
  CHECK(strstr(md, "KL(q U-σ ‖ a U-σ) = 0.5 < KL(random ‖ a U-σ) = 3.4") != NULL);
  free(md);
  CHECK(run_cli("report path=%s colour=red", root) == 2);
  o = output();
  CHECK_MSG(count_lines(o) == 1 && strstr(o, "colour=red"), "%s", o);
  free(o);
  CHECK(run_cli("report path=%s seeds=x", root) == 2);
  o = output();
  CHECK_MSG(count_lines(o) == 1 && strstr(o, "seeds 'x'"), "%s", o);
  free(o);
  CHECK(run_cli("report path=%s/nonexistent", root) == 1);
  o = output();
  CHECK_MSG(count_lines(o) == 1 && strstr(o, "nonexistent"), "%s", o);
  free(o);
  rx_report_config cfg;
  rx_report_config_default(&cfg);
  const char *args[] = {"seeds=0-2,5", "gaussian=none", "profile=paper"};
  rx_error err = {{0}};
  CHECK(rx_report_config_parse(&cfg, 3, args, &err) == 0);
  CHECK(cfg.n_seeds == 4 && cfg.seeds[3] == 5 && cfg.gaussian[0] == '\0' &&
        !strcmp(cfg.profile, "paper"));
  cleanup(root);
}

/* ---- rendering in headless Chromium ---- */

/* Loads report.html in headless Chromium; returns the body's data-images-loaded value
 * ("N/M"), or "" when Chromium did not run or the attribute is absent. */
static void render(const char *dir, char *loaded, size_t n) {
  char cmd[2400], dom[700];
  snprintf(dom, sizeof dom, "%s/dom.html", dir);
  snprintf(cmd, sizeof cmd,
           "cd '%s' && HOME='%s/chromium-home' timeout 90 chromium --headless --no-sandbox "
           "--disable-gpu --user-data-dir='%s/chromium-home' --dump-dom --virtual-time-budget=5000 "
           "'file://%s/report.html' > '%s' 2> '%s/chromium.log'",
           dir, dir, dir, dir, dom, dir);
  loaded[0] = '\0';
  int rc = system(cmd);
  char *text = NULL;
  size_t len;
  if (rx_read_file(dom, &text, &len, (size_t)1 << 26, NULL)) return;
  const char *p = strstr(text, "data-images-loaded=\"");
  if (rc == 0 && p) {
    p += strlen("data-images-loaded=\"");
    size_t k = 0;
    while (p[k] && p[k] != '"' && k + 1 < n) {
      loaded[k] = p[k];
      k++;
    }
    loaded[k] = '\0';
  }
  free(text);
}

static void test_report_html_renders_with_every_image_loaded(void) {
  if (system("command -v chromium > /dev/null 2>&1") != 0) {
    fprintf(stderr, "  chromium not found: the report's rendering test needs Debian's chromium; "
                    "run scripts/setup.sh test (it installs the test dependencies)\n");
    CHECK(!"chromium installed");
    return;
  }
  char base[256], root[400], gauss[400];
  rx_test_tmpdir(base, sizeof base, "report_render");
  /* the Gaussian root next to the results root, so its figures are linked with ../ */
  snprintf(root, sizeof root, "%s/results", base);
  snprintf(gauss, sizeof gauss, "%s/gaussian runs", base);
  for (int s = 0; s < 2; s++) {
    vals v = holding(s);
    write_seed(root, gauss, "0.0001", s, &v, W_ALL);
  }
  char figs[600], gfigs[600];
  snprintf(figs, sizeof figs, "%s/spatial_navigation/figures", root);
  snprintf(gfigs, sizeof gfigs, "%s/spatial_navigation/figures", gauss);
  REQUIRE(copy_png(figs, "fig1de_trajectories.png") == 0);
  REQUIRE(copy_png(gfigs, "fig2e_kl_matrix.png") == 0);
  rx_error err = {{0}};
  REQUIRE(write_report(root, gauss, "quick", &err, NULL) == 0);
  char *html = rx_test_read_text(root, "report.html"), *md = rx_test_read_text(root, "report.md");
  REQUIRE(html && md);
  const int n_img = count_of(html, "<img ");
  CHECK(n_img == 2);
  CHECK(strstr(html, "src=\"spatial_navigation/figures/fig1de_trajectories.png\"") != NULL);
  CHECK(strstr(html, "src=\"../gaussian%20runs/spatial_navigation/figures/fig2e_kl_matrix.png\"") !=
        NULL);
  CHECK(strstr(md, "](spatial_navigation/figures/fig1de_trajectories.png)") != NULL);
  CHECK(strstr(md, "Fig. 1d/e: decoded trajectories") != NULL);
  char loaded[64], want[64];
  snprintf(want, sizeof want, "%d/%d", n_img, n_img);
  render(root, loaded, sizeof loaded);
  CHECK_MSG(!strcmp(loaded, want), "images loaded '%s', want '%s' (see %s/chromium.log)", loaded,
            want, root);
  /* the check can fail: with one image gone, Chromium loads one of two */
  char gone[700];
  snprintf(gone, sizeof gone, "%s/fig2e_kl_matrix.png", gfigs);
  CHECK(remove(gone) == 0);
  render(root, loaded, sizeof loaded);
  snprintf(want, sizeof want, "%d/%d", n_img - 1, n_img);
  CHECK_MSG(!strcmp(loaded, want), "with an image missing: loaded '%s', want '%s'", loaded, want);
  free(html);
  free(md);
  cleanup(base);
}

RX_TEST_MAIN(TEST(test_report_every_claim_holds_with_its_numbers),
             TEST(test_report_claims_that_fail_are_said_plainly),
             TEST(test_report_missing_results_are_not_measured),
             TEST(test_report_noise_is_read_from_the_names_on_disk),
             TEST(test_report_malformed_file_is_one_line_naming_it),
             TEST(test_report_cli_settings_and_help),
             TEST(test_report_html_renders_with_every_image_loaded))
