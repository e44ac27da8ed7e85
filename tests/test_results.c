/* The experiment set and the results layout (reactivate/results.h): the experiments of each task
 * with their labels and flags, run names with the noise as Python's str(float), run directories
 * and checkpoints (the same names the trainer and the config module produce), analysis file
 * names and families, seed lists (parse / format round trips, each refusal with its message, the
 * same rule for `figures seeds=`, `report seeds=`, `reproduce --seeds` and a profile's seeds),
 * and the shared results reader (src/results/reader.h): noise and seed discovery from the names
 * on disk and the file cache. */
#include <limits.h>
#include <sys/stat.h>

#include "cli_runner.h"
#include "reactivate/analyze.h"
#include "reactivate/checkpoint.h"
#include "reactivate/config.h"
#include "reactivate/figures.h"
#include "reactivate/fileio.h"
#include "reactivate/report.h"
#include "reactivate/reproduce.h"
#include "reactivate/results.h"
#include "results/reader.h"
#include "test_util.h"

/* ---- the experiment set ---- */

static void test_experiment_set_has_the_papers_runs_labels_and_flags(void) {
  static const struct {
    const char *name, *label, *full_label, *desc;
    int noisy, biased, gru;
  } want[RX_EXP_COUNT] = {
      {"noisy_unbiased", "U-σ", "U-σ", "noisy, unbiased", 1, 0, 0},
      {"no-noise_unbiased", "U", "U", "noiseless, unbiased", 0, 0, 0},
      {"noisy_biased", "B-σ", "B-σ", "noisy, biased", 1, 1, 0},
      {"no-noise_biased", "B", "B", "noiseless, biased", 0, 1, 0},
      {"noisy_unbiased_gru", "U-σ", "GRU U-σ", "noisy GRU, unbiased", 1, 0, 1},
      {"noisy_biased_gru", "B-σ", "GRU B-σ", "noisy GRU, biased", 1, 1, 1},
  };
  CHECK(rx_experiment_count(RX_TASK_SPATIAL) == 6);
  CHECK(rx_experiment_count(RX_TASK_HEAD_DIRECTION) == 4);
  for (int t = 0; t < 2; t++)
    for (int i = 0; i < RX_EXP_COUNT; i++) {
      const rx_experiment *e = rx_experiment_get((rx_task_kind)t, i);
      if (i >= rx_experiment_count((rx_task_kind)t)) {
        CHECK_MSG(!e, "task %d has experiment %d", t, i);
        CHECK(!rx_experiment_find((rx_task_kind)t, want[i].name));
        continue;
      }
      REQUIRE(e);
      CHECK((int)e->id == i);
      CHECK_MSG(!strcmp(e->name, want[i].name) && !strcmp(e->label, want[i].label) &&
                    !strcmp(e->full_label, want[i].full_label) && !strcmp(e->desc, want[i].desc),
                "experiment %d: %s %s %s %s", i, e->name, e->label, e->full_label, e->desc);
      CHECK(e->noisy == want[i].noisy && e->biased == want[i].biased && e->gru == want[i].gru);
      CHECK(rx_experiment_find((rx_task_kind)t, e->name) == e);
      for (int j = 0; j < i; j++) /* one label per run: unique within the task */
        CHECK(strcmp(rx_experiment_get((rx_task_kind)t, j)->full_label, e->full_label));
    }
  CHECK(!rx_experiment_get(RX_TASK_SPATIAL, -1) && !rx_experiment_get(RX_TASK_SPATIAL, RX_EXP_ALL));
  CHECK(!rx_experiment_find(RX_TASK_SPATIAL, "noisy_unbiassed"));
  CHECK(!rx_experiment_find(RX_TASK_SPATIAL, NULL));
  CHECK(rx_results_default_noise(RX_TASK_SPATIAL) == 1e-4);
  CHECK(rx_results_default_noise(RX_TASK_HEAD_DIRECTION) == 0.01);
}

/* The mechanism experiments exist for both tasks, outside the paper's count, and the mechanisms
 * family's conditions name runs that exist, with unique keys. */
static void test_mechanism_experiments_and_conditions(void) {
  static const struct {
    int id;
    const char *name;
    int mechanism;
  } want[] = {{RX_EXP_ADAPTATION, "noisy_unbiased_adaptation", 1},
              {RX_EXP_MOMENTUM, "noisy_unbiased_momentum", 2}};
  for (int t = 0; t < 2; t++)
    for (int i = 0; i < 2; i++) {
      const rx_experiment *e = rx_experiment_get((rx_task_kind)t, want[i].id);
      REQUIRE(e);
      CHECK((int)e->id == want[i].id && !strcmp(e->name, want[i].name));
      CHECK(e->mechanism == want[i].mechanism && e->noisy && !e->biased && !e->gru);
      CHECK(want[i].id >= rx_experiment_count((rx_task_kind)t)); /* not in the paper's set */
      CHECK(rx_experiment_find((rx_task_kind)t, want[i].name) == e);
    }
  for (int i = 0; i < RX_EXP_COUNT; i++) /* the paper's cells have none */
    CHECK(rx_experiment_get(RX_TASK_SPATIAL, i)->mechanism == 0);
  CHECK(!rx_experiment_get(RX_TASK_HEAD_DIRECTION, RX_EXP_NOISY_UNBIASED_GRU));

  const int n = rx_mechanism_condition_count();
  CHECK(n == 7 && n <= RX_RESULTS_MAX_RUNS);
  CHECK(!rx_mechanism_condition_get(-1) && !rx_mechanism_condition_get(n));
  rx_results_set s;
  rx_error err = {{0}};
  REQUIRE(rx_results_set_init(&s, "r", RX_TASK_SPATIAL, 1e-4, &err) == 0);
  char keys[8][300];
  int as_trained = 0;
  for (int i = 0; i < n; i++) {
    const rx_mechanism_condition *c = rx_mechanism_condition_get(i);
    REQUIRE(c);
    CHECK(rx_experiment_get(RX_TASK_HEAD_DIRECTION, c->run) != NULL);
    CHECK(c->offline != RX_OFFLINE_FROM || rx_experiment_get(RX_TASK_SPATIAL, c->from)->mechanism);
    as_trained += c->offline == RX_OFFLINE_AS_TRAINED;
    CHECK((c->offline == RX_OFFLINE_AS_TRAINED) == (c->suffix[0] == 0));
    REQUIRE(rx_results_condition_key(&s, c, 3, keys[i], sizeof keys[i]) == 0);
    for (int j = 0; j < i; j++)
      CHECK_MSG(strcmp(keys[i], keys[j]), "conditions %d and %d share the key %s", i, j, keys[i]);
  }
  CHECK(as_trained == 3);
  CHECK(!strcmp(keys[0], "noisy_unbiased_0.0001_3"));
  CHECK(!strcmp(keys[3], "noisy_unbiased_0.0001_3+adaptation"));
  CHECK(!strcmp(keys[5], "noisy_unbiased_adaptation_0.0001_3+off"));
  char small[10];
  CHECK(rx_results_condition_key(&s, rx_mechanism_condition_get(3), 3, small, sizeof small) ==
        RX_EINVAL);
}

/* ---- names and paths ---- */

static void test_run_names_write_the_noise_as_python_str_float(void) {
  static const struct {
    const char *experiment;
    double sigma2;
    int seed;
    const char *want;
  } cases[] = {
      {"noisy_unbiased", 1e-4, 0, "noisy_unbiased_0.0001_0"},
      {"noisy_unbiased", 1e-5, 3, "noisy_unbiased_1e-05_3"},
      {"noisy_biased", 0.01, 12, "noisy_biased_0.01_12"},
      {"noisy_biased", 2, 1, "noisy_biased_2.0_1"},
      {"no-noise_unbiased", 0, 4, "no-noise_unbiased_4"},
      {"my_experiment", 8.3e-06, 2147483647, "my_experiment_8.3e-06_2147483647"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[200];
    CHECK(rx_results_run_name_sigma(cases[i].experiment, cases[i].sigma2, cases[i].seed, buf,
                                    sizeof buf) == 0);
    CHECK_MSG(!strcmp(buf, cases[i].want), "got %s, want %s", buf, cases[i].want);
  }
  char buf[200];
  CHECK(rx_results_run_name("noisy_biased", "0.01", 7, buf, sizeof buf) == 0 &&
        !strcmp(buf, "noisy_biased_0.01_7"));
  CHECK(rx_results_run_name("no-noise_biased", NULL, 7, buf, sizeof buf) == 0 &&
        !strcmp(buf, "no-noise_biased_7"));
  CHECK(rx_results_run_name("no-noise_biased", "", 7, buf, sizeof buf) == 0 &&
        !strcmp(buf, "no-noise_biased_7"));
  /* too small a buffer: refused, never silently cut */
  CHECK(rx_results_run_name("noisy_biased", "0.01", 7, buf, 10) == RX_EINVAL);
  CHECK(rx_results_run_name("noisy_biased", "0.01", 7, buf, 20) == 0);
  CHECK(rx_results_run_name("noisy_biased", "0.01", 7, buf, 19) == RX_EINVAL);
}

static void test_runs_checkpoints_and_roots_are_named_under_the_task(void) {
  char buf[400], want[400];
  CHECK(rx_results_run_dir("res", RX_TASK_HEAD_DIRECTION, "noisy_biased_0.01_2", buf, sizeof buf) ==
            0 &&
        !strcmp(buf, "res/head_direction/noisy_biased_0.01_2"));
  CHECK(rx_results_checkpoint_path("res/spatial_navigation/x_0", 2500, buf, sizeof buf) == 0);
  rx_checkpoint_path(want, sizeof want, "res/spatial_navigation/x_0", 2500);
  CHECK_MSG(!strcmp(buf, want) && !strcmp(buf, "res/spatial_navigation/x_0/model_2500.npz"), "%s",
            buf);
  CHECK(rx_results_checkpoint_path("d", 2500, buf, 10) == RX_EINVAL);
  CHECK(rx_results_gaussian_root("results/paper", buf, sizeof buf) == 0 &&
        !strcmp(buf, "results/paper/gaussian"));
  CHECK(rx_results_figures_dir("r/spatial_navigation", buf, sizeof buf) == 0 &&
        !strcmp(buf, "r/spatial_navigation/figures"));

  rx_results_set s;
  rx_error err = {{0}};
  REQUIRE(rx_results_set_init(&s, "res", RX_TASK_SPATIAL, 1e-4, &err) == 0);
  CHECK(s.task == RX_TASK_SPATIAL && !strcmp(s.dir, "res/spatial_navigation") &&
        !strcmp(s.noise, "0.0001"));
  const rx_experiment *gu = rx_experiment_get(RX_TASK_SPATIAL, RX_EXP_NOISY_UNBIASED_GRU);
  const rx_experiment *un = rx_experiment_get(RX_TASK_SPATIAL, RX_EXP_NO_NOISE_UNBIASED);
  CHECK(rx_results_experiment_run(&s, gu, 3, buf, sizeof buf) == 0 &&
        !strcmp(buf, "noisy_unbiased_gru_0.0001_3"));
  CHECK(rx_results_experiment_run(&s, un, 3, buf, sizeof buf) == 0 &&
        !strcmp(buf, "no-noise_unbiased_3"));
  CHECK(rx_results_experiment_dir(&s, un, 3, buf, sizeof buf) == 0 &&
        !strcmp(buf, "res/spatial_navigation/no-noise_unbiased_3"));
  CHECK(rx_results_experiment_file(&s, gu, 0, "test_metrics.json", buf, sizeof buf) == 0 &&
        !strcmp(buf, "res/spatial_navigation/noisy_unbiased_gru_0.0001_0/test_metrics.json"));
  CHECK(rx_results_experiment_pattern(&s, gu, buf, sizeof buf) == 0 &&
        !strcmp(buf, "noisy_unbiased_gru_0.0001_<seed>"));
  CHECK(rx_results_experiment_pattern(&s, un, buf, sizeof buf) == 0 &&
        !strcmp(buf, "no-noise_unbiased_<seed>"));

  char long_root[2400];
  memset(long_root, 'a', sizeof long_root - 1);
  long_root[sizeof long_root - 1] = '\0';
  err.msg[0] = '\0';
  CHECK(rx_results_set_init(&s, long_root, RX_TASK_SPATIAL, 1e-4, &err) == RX_EINVAL);
  CHECK_MSG(strstr(err.msg, "too long") && strstr(err.msg, "aaaa"), "%s", err.msg);
}

/* The trainer names its run directory through the config module: the same names as the layout's. */
static void test_config_run_names_are_the_layouts(void) {
  static const char *const experiments[] = {
      "spatial_navigation/noisy_unbiased", "spatial_navigation/no-noise_biased",
      "head_direction/noisy_biased", "spatial_navigation/noisy_biased_gru"};
  const char *over[] = {"seed=5", "path=some/root"};
  for (size_t i = 0; i < sizeof experiments / sizeof experiments[0]; i++) {
    rx_train_config cfg;
    rx_error err = {{0}};
    REQUIRE(rx_config_load(&cfg, experiments[i], 2, over, &err) == 0);
    const rx_task_kind task =
        strncmp(experiments[i], "head", 4) ? RX_TASK_SPATIAL : RX_TASK_HEAD_DIRECTION;
    const rx_experiment *e = rx_experiment_find(task, strchr(experiments[i], '/') + 1);
    REQUIRE(e);
    CHECK_MSG((cfg.rnn.sigma2_rec > 0) == e->noisy, "%s: sigma2_rec %g", experiments[i],
              cfg.rnn.sigma2_rec);
    CHECK((cfg.rnn.model == RX_MODEL_GRU) == e->gru);
    rx_results_set s;
    REQUIRE(rx_results_set_init(&s, "some/root", task, cfg.rnn.sigma2_rec, &err) == 0);
    char from_config[600], from_layout[600];
    REQUIRE(rx_config_run_dir(&cfg, from_config, sizeof from_config) == 0);
    REQUIRE(rx_results_experiment_dir(&s, e, 5, from_layout, sizeof from_layout) == 0);
    CHECK_MSG(!strcmp(from_config, from_layout), "%s vs %s", from_config, from_layout);
  }
}

static void test_analysis_files_are_named_by_family(void) {
  static const char *const names[] = {"kl",     "variance", "distance",    "pca",       "heading",
                                      "mixing", "score",    "temperature", "diffusion", "replay"};
  for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++) {
    CHECK(!strcmp(rx_results_analysis_name(a), names[a]));
    CHECK(rx_results_analysis_find(names[a]) == a);
  }
  CHECK(!rx_results_analysis_name(-1) && !rx_results_analysis_name(RX_RESULTS_N_ANALYSES));
  CHECK(rx_results_analysis_find("all") == -1 && rx_results_analysis_find(NULL) == -1);
  /* the analyze mask has one bit per file */
  CHECK(RX_ANALYZE_KL == 1 << RX_RESULTS_KL && RX_ANALYZE_HEADING == 1 << RX_RESULTS_HEADING);
  CHECK(RX_ANALYZE_ALL == 1023 && RX_ANALYZE_REPLAY == 512);
  /* the probes and replay: every task, the default rule's family only */
  for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++) {
    const int probe = a >= RX_RESULTS_MIXING && a <= RX_RESULTS_DIFFUSION;
    const int beyond = a >= RX_RESULTS_MIXING;
    CHECK(rx_results_analysis_is_probe(a) == probe);
    CHECK(rx_results_analysis_beyond_paper(a) == beyond);
    CHECK(rx_results_analysis_in_family(a, 0));
    CHECK(rx_results_analysis_in_family(a, 2) == !beyond);
    if (beyond)
      CHECK(rx_results_analysis_applies(a, RX_TASK_SPATIAL) &&
            rx_results_analysis_applies(a, RX_TASK_HEAD_DIRECTION));
  }
  /* which analyses `analyze all` writes per task */
  CHECK(rx_results_analysis_applies(RX_RESULTS_KL, RX_TASK_SPATIAL));
  CHECK(!rx_results_analysis_applies(RX_RESULTS_KL, RX_TASK_HEAD_DIRECTION));
  CHECK(!rx_results_analysis_applies(RX_RESULTS_HEADING, RX_TASK_SPATIAL));
  CHECK(rx_results_analysis_applies(RX_RESULTS_HEADING, RX_TASK_HEAD_DIRECTION));
  for (int t = 0; t < 2; t++)
    CHECK(rx_results_analysis_applies(RX_RESULTS_PCA, (rx_task_kind)t) &&
          !rx_results_analysis_applies(RX_RESULTS_N_ANALYSES, (rx_task_kind)t));
  /* families: GRU, then the rule when not the default */
  static const char *const prefixes[3][3] = {{"", "scaled_", "same_"},
                                             {"gru_", "gru_scaled_", "gru_same_"},
                                             {"mech_", "mech_scaled_", "mech_same_"}};
  for (int family = 0; family < 3; family++)
    for (int rule = 0; rule < 3; rule++)
      CHECK(!strcmp(rx_results_prefix(family, rule), prefixes[family][rule]));
  CHECK(!rx_results_prefix(0, 3) && !rx_results_prefix(1, -1) && !rx_results_prefix(3, 0) &&
        !rx_results_prefix(-1, 0));
  CHECK(!strcmp(rx_results_prefix(RX_FAMILY_MECHANISMS, 0), RX_RESULTS_MECH));
  CHECK(!strcmp(rx_results_prefix(0, 0), RX_RESULTS_MAIN) &&
        !strcmp(rx_results_prefix(0, 2), RX_RESULTS_SAME) &&
        !strcmp(rx_results_prefix(1, 0), RX_RESULTS_GRU));

  char buf[400];
  CHECK(rx_results_analysis_stem(RX_RESULTS_KL, RX_RESULTS_GRU, "0.0001", 3, buf, sizeof buf) ==
            0 &&
        !strcmp(buf, "kl_gru_0.0001_3"));
  CHECK(rx_results_analysis_stem(RX_RESULTS_PCA, NULL, "0.01", 0, buf, sizeof buf) == 0 &&
        !strcmp(buf, "pca_0.01_0"));
  CHECK(rx_results_analysis_stem(RX_RESULTS_N_ANALYSES, "", "0.01", 0, buf, sizeof buf) ==
            RX_EINVAL &&
        buf[0] == '\0');
  CHECK(rx_results_analysis_pattern(RX_RESULTS_HEADING, "", "0.01", "npz", buf, sizeof buf) == 0 &&
        !strcmp(buf, "heading_0.01_<seed>.npz"));
  rx_results_set s;
  REQUIRE(rx_results_set_init(&s, "/r", RX_TASK_SPATIAL, 1e-4, NULL) == 0);
  CHECK(rx_results_analysis_path(&s, RX_RESULTS_VARIANCE, RX_RESULTS_SAME, 2, "json", buf,
                                 sizeof buf) == 0 &&
        !strcmp(buf, "/r/spatial_navigation/variance_same_0.0001_2.json"));
  CHECK(rx_results_analysis_path(&s, RX_RESULTS_VARIANCE, "", 2, "npz", buf, 20) == RX_EINVAL);
}

/* ---- seed lists ---- */

static void test_seed_list_is_a_set_in_any_order(void) {
  static const struct {
    const char *text;
    int n, seeds[8];
  } cases[] = {
      {"3", 1, {3}},
      {"0-4", 5, {0, 1, 2, 3, 4}},
      {"0,2,5-7", 5, {0, 2, 5, 6, 7}},
      {"2,1", 2, {1, 2}},
      {"7,0-2", 4, {0, 1, 2, 7}},
      {"0-4, 7", 6, {0, 1, 2, 3, 4, 7}},
      {" 5 ,\t3-4 ", 3, {3, 4, 5}},
      {"4-4", 1, {4}},
      {"2147483647,0", 2, {0, INT_MAX}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int seeds[16], n = -1, all = -1;
    rx_error err = {{0}};
    int rc = rx_seed_list_parse(cases[i].text, seeds, 16, &n, &all, &err);
    CHECK_MSG(rc == 0 && all == 0 && n == cases[i].n, "'%s': rc %d n %d: %s", cases[i].text, rc, n,
              err.msg);
    for (int k = 0; k < n && k < cases[i].n; k++)
      CHECK_MSG(seeds[k] == cases[i].seeds[k], "'%s': seed %d is %d", cases[i].text, k, seeds[k]);
    /* the same without "all" allowed */
    CHECK(rx_seed_list_parse(cases[i].text, seeds, 16, &n, NULL, &err) == 0 && n == cases[i].n);
  }
  int seeds[4], n = -1, all = 0;
  CHECK(rx_seed_list_parse("all", seeds, 4, &n, &all, NULL) == 0 && all == 1 && n == 0);
  /* exactly the capacity */
  int many[RX_SEED_LIST_MAX];
  CHECK(rx_seed_list_parse("0-255", many, RX_SEED_LIST_MAX, &n, NULL, NULL) == 0 &&
        n == RX_SEED_LIST_MAX && many[255] == 255);
}

static void test_seed_list_refusals_name_the_list_and_the_fault(void) {
  static const struct {
    const char *text;
    int max, allow_all;
    const char *fault;
  } cases[] = {
      {"", 16, 1, "no seeds"},
      {"   ", 16, 0, "no seeds"},
      {"a", 16, 1, "expected all, a seed (3)"},
      {"all", 16, 0, "expected a seed (3), a range (0-4)"},
      {"3-1", 16, 0, "the range 3-1 goes down (write 1-3)"},
      {"1,1", 16, 0, "seed 1 is listed twice"},
      {"0-4,3", 16, 0, "seed 3 is listed twice"},
      {"2,0-1,1-2", 16, 0, "seed 1 is listed twice"},
      {"-1", 16, 0, "expected a seed"},
      {"1,", 16, 0, "an empty item"},
      {",1", 16, 0, "an empty item"},
      {"1,,2", 16, 0, "an empty item"},
      {"1 2", 16, 0, "expected a seed"},
      {"1-", 16, 0, "expected a seed"},
      {"1--2", 16, 0, "expected a seed"},
      {"0x3", 16, 0, "expected a seed"},
      {"+3", 16, 0, "expected a seed"},
      {"0-99", 16, 0, "more than 16 seeds"},
      {"0-9,10-20", 16, 0, "more than 16 seeds"},
      {"0-300", 1000, 0, "more than 256 seeds"},
      {"0-2147483647", 16, 0, "more than 16 seeds"},
      {"2147483648", 16, 0, "a seed above 2147483647"},
      {"1-99999999999", 16, 0, "a seed above 2147483647"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int seeds[1000], n = 77, all = 5;
    for (int k = 0; k < 4; k++)
      seeds[k] = -9;
    rx_error err = {{0}};
    int rc = rx_seed_list_parse(cases[i].text, seeds, cases[i].max, &n,
                                cases[i].allow_all ? &all : NULL, &err);
    char head[100];
    snprintf(head, sizeof head, "seeds '%s': ", cases[i].text);
    CHECK_MSG(rc == RX_EINVAL, "'%s' accepted", cases[i].text);
    CHECK_MSG(!strncmp(err.msg, head, strlen(head)) && strstr(err.msg, cases[i].fault) &&
                  !strchr(err.msg, '\n'),
              "'%s': message '%s' lacks '%s'", cases[i].text, err.msg, cases[i].fault);
    CHECK_MSG(n == 77 && seeds[0] == -9 && seeds[3] == -9, "'%s': outputs touched", cases[i].text);
    CHECK(!cases[i].allow_all || all == 0);
  }
}

static void test_seed_list_format_round_trips(void) {
  static const struct {
    int n, seeds[10];
    const char *readable, *compact;
  } cases[] = {
      {0, {0}, "", ""},
      {1, {3}, "3", "3"},
      {2, {1, 2}, "1, 2", "1,2"},
      {3, {1, 2, 3}, "1-3", "1-3"},
      {7, {0, 1, 2, 3, 4, 7, 9}, "0-4, 7, 9", "0-4,7,9"},
      {6, {0, 2, 3, 5, 6, 7}, "0, 2, 3, 5-7", "0,2,3,5-7"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[200];
    CHECK(rx_seed_list_format(cases[i].seeds, cases[i].n, ", ", buf, sizeof buf) == 0);
    CHECK_MSG(!strcmp(buf, cases[i].readable), "got '%s', want '%s'", buf, cases[i].readable);
    CHECK(rx_seed_list_format(cases[i].seeds, cases[i].n, ",", buf, sizeof buf) == 0);
    CHECK_MSG(!strcmp(buf, cases[i].compact), "got '%s', want '%s'", buf, cases[i].compact);
  }
  /* every subset of 0..11, written both ways, reads back as itself */
  for (unsigned mask = 1; mask < (1u << 12); mask++) {
    int seeds[12], n = 0;
    for (int k = 0; k < 12; k++)
      if (mask >> k & 1) seeds[n++] = 3 * (k > 6) + k; /* a gap, so not all runs touch */
    for (int sep = 0; sep < 2; sep++) {
      char text[200];
      int back[16], m = -1;
      REQUIRE(rx_seed_list_format(seeds, n, sep ? "," : ", ", text, sizeof text) == 0);
      rx_error err = {{0}};
      REQUIRE(rx_seed_list_parse(text, back, 16, &m, NULL, &err) == 0);
      int same = m == n;
      for (int k = 0; k < n && same; k++)
        same = back[k] == seeds[k];
      if (!same) {
        CHECK_MSG(same, "mask %#x: '%s' read back differently", mask, text);
        return;
      }
    }
  }
  int seeds[3] = {1, 5, 9};
  char small[4];
  CHECK(rx_seed_list_format(seeds, 3, ", ", small, sizeof small) == RX_EINVAL);
  CHECK(rx_seed_list_format(seeds, 3, ",", small, 0) == RX_EINVAL);
}

/* figures seeds=, report seeds=, reproduce --seeds and a profile's seeds: one rule. */
static void test_every_seed_setting_follows_the_one_rule(void) {
  rx_figures_config fc;
  rx_figures_config_default(&fc);
  const char *unordered[] = {"seeds=2,0-1"};
  rx_error err = {{0}};
  REQUIRE(rx_figures_config_parse(&fc, 1, unordered, &err) == 0);
  CHECK(!fc.all_seeds && fc.n_seeds == 3 && fc.seeds[0] == 0 && fc.seeds[2] == 2);
  rx_report_config rc;
  rx_report_config_default(&rc);
  REQUIRE(rx_report_config_parse(&rc, 1, unordered, &err) == 0);
  CHECK(rc.n_seeds == 3 && rc.seeds[0] == 0 && rc.seeds[2] == 2);
  const char *all[] = {"seeds=all"};
  REQUIRE(rx_report_config_parse(&rc, 1, all, &err) == 0);
  CHECK(rc.n_seeds == 0);

  const char *twice[] = {"seeds=0-2,1"};
  char fig_msg[256], rep_msg[256];
  err.msg[0] = '\0';
  CHECK(rx_figures_config_parse(&fc, 1, twice, &err) == RX_EINVAL);
  snprintf(fig_msg, sizeof fig_msg, "%s", err.msg);
  err.msg[0] = '\0';
  CHECK(rx_report_config_parse(&rc, 1, twice, &err) == RX_EINVAL);
  snprintf(rep_msg, sizeof rep_msg, "%s", err.msg);
  CHECK_MSG(!strcmp(fig_msg, "seeds '0-2,1': seed 1 is listed twice") && !strcmp(fig_msg, rep_msg),
            "figures: %s; report: %s", fig_msg, rep_msg);

  /* reproduce: the plan of an unordered list is the ascending one; a repeated seed is refused */
  char root[200], out[300];
  rx_test_tmpdir(root, sizeof root, "results");
  cli_runner_init("results");
  snprintf(out, sizeof out, "%s/out", root);
  CHECK(run_cli("reproduce --profile mini --out %s --seeds 3,1 --dry-run", out) == 0);
  char *o = output();
  CHECK_MSG(strstr(o, "train spatial_navigation/noisy_unbiased_0.0001_1\n") &&
                strstr(o, "train spatial_navigation/noisy_unbiased_0.0001_3\n") &&
                strstr(o, " seeds=1,3") && strstr(o, "analyze spatial_navigation seed 1") &&
                strstr(o, "analyze spatial_navigation seed 3"),
            "%s", o);
  CHECK(strstr(o, "seed 1") < strstr(o, "seed 3"));
  free(o);
  CHECK(run_cli("reproduce --profile mini --out %s --seeds 0-2,1 --dry-run", out) == 2);
  o = output();
  CHECK_MSG(count_lines(o) == 1 && strstr(o, fig_msg), "%s", o);
  free(o);
  CHECK(run_cli("reproduce --profile mini --out %s --seeds all --dry-run", out) == 2);
  o = output();
  CHECK_MSG(count_lines(o) == 1 && strstr(o, "seeds 'all'"), "%s", o);
  free(o);

  /* a profile's seeds, as a list or a scalar */
  static const struct {
    const char *seeds;
    int n, first, last;
  } profiles[] = {{"[2, 0]", 2, 0, 2}, {"4-6", 3, 4, 6}, {"\"3, 0-1\"", 3, 0, 3}};
  char path[400];
  snprintf(path, sizeof path, "%s/profile.yml", root);
  for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
    char yaml[300];
    snprintf(yaml, sizeof yaml, "seeds: %s\nspatial_navigation: {experiments: [noisy_unbiased]}\n",
             profiles[i].seeds);
    REQUIRE(rx_write_file_atomic(path, yaml, strlen(yaml), NULL) == 0);
    rx_plan *p = NULL;
    err.msg[0] = '\0';
    CHECK_MSG(rx_plan_create(&p, path, out, NULL, 0, &err) == 0, "%s: %s", profiles[i].seeds,
              err.msg);
    if (!p) continue;
    CHECK_MSG(p->n_seeds == profiles[i].n && p->seeds[0] == profiles[i].first &&
                  p->seeds[p->n_seeds - 1] == profiles[i].last,
              "%s: %d seeds", profiles[i].seeds, p->n_seeds);
    rx_plan_free(p);
  }
  /* the library call takes a parsed list: ascending, each once */
  const int unsorted[] = {3, 1}, repeated[] = {1, 1};
  rx_plan *q = NULL;
  CHECK(rx_plan_create(&q, "mini", out, unsorted, 2, &err) == RX_EINVAL && !q &&
        strstr(err.msg, "seeds 3 and 1"));
  CHECK(rx_plan_create(&q, "mini", out, repeated, 2, &err) == RX_EINVAL && !q);
  const char *dup = "seeds: [1, 1]\nspatial_navigation: {experiments: [noisy_unbiased]}\n";
  REQUIRE(rx_write_file_atomic(path, dup, strlen(dup), NULL) == 0);
  rx_plan *p = NULL;
  CHECK(rx_plan_create(&p, path, out, NULL, 0, &err) != 0 && !p);
  CHECK_MSG(strstr(err.msg, "seed 1 is listed twice") && strstr(err.msg, "profile.yml"), "%s",
            err.msg);
  CHECK(rx_test_rmtree(root) == 0);
}

/* ---- the shared reader ---- */

static void touch(const char *dir, const char *name, const char *text) {
  char path[2700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (rx_write_file_atomic(path, text, strlen(text), NULL)) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(2);
  }
}

static void subdir(const char *dir, const char *name) {
  char path[2700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (rx_mkdirs(path, NULL)) exit(2);
}

static void test_reader_finds_noise_and_seeds_from_the_names(void) {
  char root[200];
  rx_test_tmpdir(root, sizeof root, "results");
  rx_results_set s;
  REQUIRE(rx_results_set_init(&s, root, RX_TASK_SPATIAL, 0.5, NULL) == 0);
  REQUIRE(rx_mkdirs(s.dir, NULL) == 0);
  subdir(s.dir, "noisy_unbiased_0.0001_0");           /* seed 0, votes 0.0001 */
  subdir(s.dir, "no-noise_biased_1");                 /* seed 1 */
  touch(s.dir, "kl_0.0001_2.json", "{}");             /* seed 2, votes 0.0001 */
  touch(s.dir, "variance_gru_same_0.0001_7.npz", ""); /* seed 7 (any family) */
  subdir(s.dir, "noisy_unbiased_gru_0.0001_4");       /* seed 4 (GRUs do not vote) */
  touch(s.dir, "pca_0.00001_9.json", "{}");           /* another noise, no seed */
  touch(s.dir, "kl_0.0001_x.json", "{}");             /* not a seed */
  touch(s.dir, "kl_0.0001_1234567890.json", "{}");    /* too many digits */
  touch(s.dir, "junk_5", "");
  subdir(s.dir, "figures");
  char others[4][64];
  int n_others = -1;
  REQUIRE(rxr_find_noise(&s, others, 4, &n_others) == 0);
  CHECK_MSG(!strcmp(s.noise, "0.0001"), "noise %s", s.noise);
  CHECK(n_others == 1 && !strcmp(others[0], "0.00001"));
  int seeds[8], n = -1, more = -1;
  REQUIRE(rxr_find_seeds(&s, NULL, 0, seeds, 8, &n, &more) == 0);
  CHECK_MSG(n == 5 && !more && seeds[0] == 0 && seeds[1] == 1 && seeds[2] == 2 && seeds[3] == 4 &&
                seeds[4] == 7,
            "%d seeds: %d %d %d %d %d", n, seeds[0], seeds[1], seeds[2], seeds[3], seeds[4]);
  const int want[] = {1, 3, 7};
  REQUIRE(rxr_find_seeds(&s, want, 3, seeds, 8, &n, &more) == 0);
  CHECK(n == 2 && seeds[0] == 1 && seeds[1] == 7 && !more);
  REQUIRE(rxr_find_seeds(&s, NULL, 0, seeds, 2, &n, &more) == 0);
  CHECK(n == 2 && more == 1);
  /* votes: 0.0001 three (the run, kl_..._2, kl_..._1234567890), 0.00001 one; a tie goes to the
   * task's default noise (though "0.00001" is the smaller text), a majority wins */
  touch(s.dir, "distance_0.00001_9.json", "{}");
  touch(s.dir, "variance_0.00001_9.json", "{}");
  REQUIRE(rxr_find_noise(&s, others, 4, &n_others) == 0);
  CHECK_MSG(!strcmp(s.noise, "0.0001") && n_others == 1, "noise %s", s.noise);
  touch(s.dir, "heading_0.00001_9.json", "{}");
  REQUIRE(rxr_find_noise(&s, others, 4, &n_others) == 0);
  CHECK_MSG(!strcmp(s.noise, "0.00001") && !strcmp(others[0], "0.0001"), "noise %s", s.noise);
  /* no folder: the default noise, and -1 */
  rx_results_set none;
  REQUIRE(rx_results_set_init(&none, root, RX_TASK_HEAD_DIRECTION, 0.5, NULL) == 0);
  CHECK(rxr_find_noise(&none, others, 4, &n_others) == -1 && !strcmp(none.noise, "0.01"));
  CHECK(rxr_find_seeds(&none, NULL, 0, seeds, 8, &n, &more) == -1 && n == 0);
  CHECK(rx_test_rmtree(root) == 0);
}

static void test_reader_reads_each_file_once_and_refuses_malformed_ones(void) {
  char root[200], path[400];
  rx_test_tmpdir(root, sizeof root, "results");
  rxr_reader rd = {0};
  const cJSON *j = (const cJSON *)&rd, *again = NULL;
  rx_error err = {{0}};
  snprintf(path, sizeof path, "%s/missing.json", root);
  CHECK(rxr_json(&rd, path, &j, &err) == 0 && j == NULL);
  snprintf(path, sizeof path, "%s/ok.json", root);
  touch(root, "ok.json", "{\"a\": 1}");
  REQUIRE(rxr_json(&rd, path, &j, &err) == 0 && j);
  CHECK(cJSON_GetObjectItem(j, "a")->valuedouble == 1);
  touch(root, "ok.json", "{\"a\": 2}"); /* read once: the cache answers */
  CHECK(rxr_json(&rd, path, &again, &err) == 0 && again == j);
  static const char *const bad[] = {"[1, 2]", "{\"a\": ", "null"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char name[40];
    snprintf(name, sizeof name, "bad%zu.json", i);
    touch(root, name, bad[i]);
    snprintf(path, sizeof path, "%s/%s", root, name);
    err.msg[0] = '\0';
    CHECK(rxr_json(&rd, path, &j, &err) == RX_EFORMAT);
    CHECK_MSG(strstr(err.msg, path) && strstr(err.msg, "not a JSON object"), "%s", err.msg);
  }
  const rx_npz *z = (const rx_npz *)&rd;
  snprintf(path, sizeof path, "%s/none.npz", root);
  CHECK(rxr_npz(&rd, path, &z, &err) == 0 && z == NULL);
  touch(root, "bad.npz", "not a zip");
  snprintf(path, sizeof path, "%s/bad.npz", root);
  err.msg[0] = '\0';
  CHECK(rxr_npz(&rd, path, &z, &err) < 0 && strstr(err.msg, "bad.npz"));
  rxr_reader_free(&rd);
  CHECK(rd.n_files == 0 && rd.files == NULL);
  CHECK(rx_test_rmtree(root) == 0);
}

RX_TEST_MAIN(TEST(test_experiment_set_has_the_papers_runs_labels_and_flags),
             TEST(test_mechanism_experiments_and_conditions),
             TEST(test_run_names_write_the_noise_as_python_str_float),
             TEST(test_runs_checkpoints_and_roots_are_named_under_the_task),
             TEST(test_config_run_names_are_the_layouts),
             TEST(test_analysis_files_are_named_by_family),
             TEST(test_seed_list_is_a_set_in_any_order),
             TEST(test_seed_list_refusals_name_the_list_and_the_fault),
             TEST(test_seed_list_format_round_trips),
             TEST(test_every_seed_setting_follows_the_one_rule),
             TEST(test_reader_finds_noise_and_seeds_from_the_names),
             TEST(test_reader_reads_each_file_once_and_refuses_malformed_ones))
