/* Tests for the training config (src/config): the bundled experiments against docs/science.md
 * §8/§10, layer order, overrides, every rejection path and its message, pi expressions, the YAML
 * round trip, Python float formatting and run names. Fixtures live in tests/data/config/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"
#include "reactivate/config.h"
#include "test_util.h"

#ifndef RX_TEST_SOURCE_DIR /* compiled by hand rather than by CMake */
#ifdef RX_SOURCE_CONFIG_DIR
#define RX_TEST_SOURCE_DIR RX_SOURCE_CONFIG_DIR "/.."
#else
#define RX_TEST_SOURCE_DIR "."
#endif
#endif
#define FIXTURE(p) RX_TEST_SOURCE_DIR "/tests/data/config/" p

static const double PI = 3.14159265358979323846;

static void use_bundled_configs(void) {
  setenv("REACTIVATE_CONFIG_DIR", RX_TEST_SOURCE_DIR "/configs", 1);
}

static int load(rx_train_config *cfg, const char *name, int n, const char *const *ov,
                rx_error *err) {
  use_bundled_configs();
  rx_error_clear(err);
  return rx_config_load(cfg, name, n, ov, err);
}

typedef struct experiment_case {
  const char *name;
  rx_task_kind task;
  double sigma2_rec;
  int biased;
  rx_model_kind model;
  rx_activation act;
  int n_epochs, n_rec, n_in;
  float alpha;
  const char *run_name; /* seed 0 */
} experiment_case;

static void test_every_bundled_experiment_loads_with_spec_values(void) {
  static const experiment_case cases[] = {
      {"spatial_navigation/noisy_unbiased", RX_TASK_SPATIAL, 1e-4, 0, RX_MODEL_VANILLA, RX_ACT_RELU,
       2500, 512, 2, 0.2f, "noisy_unbiased_0.0001_0"},
      {"spatial_navigation/noisy_biased", RX_TASK_SPATIAL, 1e-4, 1, RX_MODEL_VANILLA, RX_ACT_RELU,
       2500, 512, 2, 0.2f, "noisy_biased_0.0001_0"},
      {"spatial_navigation/no-noise_unbiased", RX_TASK_SPATIAL, 0, 0, RX_MODEL_VANILLA, RX_ACT_RELU,
       2500, 512, 2, 0.2f, "no-noise_unbiased_0"},
      {"spatial_navigation/no-noise_biased", RX_TASK_SPATIAL, 0, 1, RX_MODEL_VANILLA, RX_ACT_RELU,
       2500, 512, 2, 0.2f, "no-noise_biased_0"},
      {"spatial_navigation/noisy_unbiased_gru", RX_TASK_SPATIAL, 1e-4, 0, RX_MODEL_GRU, RX_ACT_TANH,
       2500, 512, 2, 0.2f, "noisy_unbiased_gru_0.0001_0"},
      {"spatial_navigation/noisy_biased_gru", RX_TASK_SPATIAL, 1e-4, 1, RX_MODEL_GRU, RX_ACT_TANH,
       2500, 512, 2, 0.2f, "noisy_biased_gru_0.0001_0"},
      {"head_direction/noisy_unbiased", RX_TASK_HEAD_DIRECTION, 0.01, 0, RX_MODEL_VANILLA,
       RX_ACT_RELU, 20000, 128, 1, 0.5f, "noisy_unbiased_0.01_0"},
      {"head_direction/noisy_biased", RX_TASK_HEAD_DIRECTION, 0.01, 1, RX_MODEL_VANILLA,
       RX_ACT_RELU, 20000, 128, 1, 0.5f, "noisy_biased_0.01_0"},
      {"head_direction/no-noise_unbiased", RX_TASK_HEAD_DIRECTION, 0, 0, RX_MODEL_VANILLA,
       RX_ACT_RELU, 20000, 128, 1, 0.5f, "no-noise_unbiased_0"},
      {"head_direction/no-noise_biased", RX_TASK_HEAD_DIRECTION, 0, 1, RX_MODEL_VANILLA,
       RX_ACT_RELU, 20000, 128, 1, 0.5f, "no-noise_biased_0"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const experiment_case *c = &cases[i];
    rx_train_config cfg;
    rx_error err;
    int rc = load(&cfg, c->name, 0, NULL, &err);
    CHECK_MSG(rc == 0, "%s: %s", c->name, err.msg);
    if (rc) continue;
    CHECK(strcmp(cfg.config, c->name) == 0);
    CHECK(cfg.task_kind == c->task);
    CHECK(cfg.rnn.sigma2_rec == c->sigma2_rec);
    CHECK(cfg.task.biased == c->biased);
    CHECK(cfg.rnn.model == c->model);
    CHECK(cfg.rnn.activation_fn == c->act);
    CHECK(cfg.rnn.noise == RX_NOISE_UNIFORM); /* the published experiments' noise */
    CHECK(cfg.trainer.n_epochs == c->n_epochs);
    CHECK(cfg.rnn.n_rec == c->n_rec && cfg.rnn.n_in == c->n_in);
    CHECK(cfg.rnn.n_out == 512 && cfg.rnn.n_init == 512);
    CHECK(cfg.rnn.sigma2_in == 0 && cfg.rnn.sigma2_out == 0 && !cfg.rnn.bias);
    CHECK(cfg.trainer.lr == 0.001 && cfg.trainer.weight_decay == 0);
    CHECK(cfg.trainer.test_freq == 100 && cfg.trainer.save_freq == 100);
    CHECK(cfg.trainer.compute_all_metrics == 1);
    CHECK(cfg.seed == 0 && strcmp(cfg.path, "results") == 0);
    CHECK(cfg.task.dt == 0.02 && cfg.task.mu == 0 && cfg.task.sigma == 11.52);
    CHECK(cfg.task.sequence_length == 100 && cfg.task.batch_size == 200);
    CHECK(cfg.task.decode_k == 3 && cfg.task.init_zero == 0);
    rx_rnn_spec spec;
    rx_config_rnn_spec(&cfg, &spec);
    CHECK(spec.alpha == c->alpha);
    if (c->task == RX_TASK_SPATIAL) {
      CHECK(cfg.task.box_width == 2.2 && cfg.task.box_height == 2.2);
      CHECK(cfg.task.border_region == 0.03 && cfg.task.border_slow_factor == 0.25);
      CHECK(cfg.task.drift_const == 0.05);
      CHECK(cfg.task.anchor_point[0] == 0 && cfg.task.anchor_point[1] == 0);
      CHECK(cfg.task.b == 0.26 * PI);
      CHECK(cfg.task.use_place_cells && cfg.task.place_cells_num == 512);
      CHECK(cfg.task.place_cells_sigma == 0.2 && !cfg.task.place_cells_dog);
      CHECK(cfg.task.place_cells_surround_scale == 2);
    } else {
      CHECK(cfg.task.use_hd_cells && cfg.task.hd_cells_num == 512);
      CHECK(cfg.task.hd_cells_angular_spread == PI / 6);
    }
    char run[256];
    CHECK(rx_config_run_name(&cfg, run, sizeof run) == 0);
    CHECK_MSG(strcmp(run, c->run_name) == 0, "%s: run name %s", c->name, run);
  }
}

static void test_merge_order_experiment_beats_task_base_beats_base_and_override_beats_all(void) {
  setenv("REACTIVATE_CONFIG_DIR", FIXTURE("layers"), 1);
  rx_train_config cfg;
  rx_error err;
  int rc = rx_config_load(&cfg, "spatial_navigation/exp", 0, NULL, &err);
  REQUIRE(rc == 0 || (fprintf(stderr, "  %s\n", err.msg), 0));
  CHECK(cfg.trainer.weight_decay == 0.5); /* base only */
  CHECK(cfg.trainer.test_freq == 2);      /* task base over base */
  CHECK(cfg.trainer.save_freq == 3);      /* experiment over task base */
  CHECK(cfg.trainer.lr == 0.3);
  CHECK(cfg.task.anchor_point[0] == 0.5 &&
        cfg.task.anchor_point[1] == -0.5); /* sequence replaced */
  const char *ov[] = {"trainer.lr=0.4", "seed=1", "seed=2", "task.anchor_point=[0.25, pi]"};
  rc = rx_config_load(&cfg, "spatial_navigation/exp", 4, ov, &err);
  REQUIRE(rc == 0 || (fprintf(stderr, "  %s\n", err.msg), 0));
  CHECK(cfg.trainer.lr == 0.4);      /* override over every file */
  CHECK(cfg.seed == 2);              /* the later override wins */
  CHECK(cfg.trainer.save_freq == 3); /* untouched keys keep their layer's value */
  CHECK(cfg.task.anchor_point[0] == 0.25 && cfg.task.anchor_point[1] == PI);
  use_bundled_configs();
}

static void test_issue_example_resolves_n_out_from_cells_and_names_the_run(void) {
  const char *ov[] = {"seed=2", "rnn.sigma2_rec=0.0003", "trainer.n_epochs=1000",
                      "task.place_cells_num=256"};
  rx_train_config cfg;
  rx_error err;
  int rc = load(&cfg, "spatial_navigation/noisy_unbiased", 4, ov, &err);
  REQUIRE(rc == 0 || (fprintf(stderr, "  %s\n", err.msg), 0));
  CHECK(cfg.seed == 2 && cfg.trainer.n_epochs == 1000 && cfg.rnn.sigma2_rec == 0.0003);
  CHECK(cfg.task.place_cells_num == 256 && cfg.rnn.n_out == 256 && cfg.rnn.n_init == 256);
  char run[256], dir[512];
  CHECK(rx_config_run_name(&cfg, run, sizeof run) == 0);
  CHECK_MSG(strcmp(run, "noisy_unbiased_0.0003_2") == 0, "%s", run);
  CHECK(rx_config_run_dir(&cfg, dir, sizeof dir) == 0);
  CHECK_MSG(strcmp(dir, "results/spatial_navigation/noisy_unbiased_0.0003_2") == 0, "%s", dir);
}

typedef struct reject_case {
  const char *name;
  const char *ov[3];
  int n_ov;
  const char *expect[2]; /* substrings of the message */
} reject_case;

static void test_every_rejection_names_the_key_and_its_origin(void) {
  static const char *const sn = "spatial_navigation/noisy_unbiased";
  static const reject_case cases[] = {
      {sn,
       {"rnn.sigma_rec=1"},
       1,
       {"command line: rnn.sigma_rec=1: unknown key 'rnn.sigma_rec' (did you mean "
        "'rnn.sigma2_rec'?)"}},
      {sn,
       {"n_rec=64"},
       1,
       {"command line: n_rec=64: unknown key 'n_rec' (did you mean 'rnn.n_rec'?)"}},
      {FIXTURE("spatial_navigation/bad_unknown.yml"),
       {0},
       0,
       {"bad_unknown.yml:3: unknown key 'rnn.sigma_rec' (did you mean 'rnn.sigma2_rec'?)"}},
      {"head_direction/noisy_unbiased",
       {"task.box_width=2"},
       1,
       {"command line: task.box_width=2: unknown key 'task.box_width' for head_direction"}},
      {sn, {"task.hd_cells_num=64"}, 1, {"unknown key 'task.hd_cells_num' for spatial_navigation"}},
      {sn, {"rnn.bias=3"}, 1, {"command line: rnn.bias=3: must be true or false"}},
      {sn, {"rnn.n_rec=abc"}, 1, {"command line: rnn.n_rec=abc: must be an integer"}},
      {sn, {"rnn.n_rec={a: 1}"}, 1, {"command line: rnn.n_rec={a: 1}: expected a single value"}},
      {sn, {"trainer.n_epochs=2.5"}, 1, {"command line: trainer.n_epochs=2.5: must be an integer"}},
      {sn, {"rnn.n_rec=-5"}, 1, {"command line: rnn.n_rec=-5: must be a positive integer"}},
      {sn, {"trainer.n_epochs=-1"}, 1, {"trainer.n_epochs=-1: must be a non-negative integer"}},
      {sn, {"rnn.sigma2_rec=-1e-4"}, 1, {"command line: rnn.sigma2_rec=-1e-4: must be >= 0"}},
      {sn, {"trainer.lr=0"}, 1, {"command line: trainer.lr=0: must be > 0"}},
      {sn, {"task.border_slow_factor=1.5"}, 1, {"task.border_slow_factor=1.5: must be in [0, 1]"}},
      {sn,
       {"task.decode_k=600"},
       1,
       {"command line: task.decode_k=600: must be <= task.place_cells_num (512)"}},
      {sn,
       {"task.place_cells_num=2"},
       1,
       {"command line: task.place_cells_num=2: must be >= task.decode_k (3)"}},
      {"head_direction/noisy_unbiased",
       {"task.hd_cells_num=1", "task.decode_k=1"},
       2,
       {"command line: task.hd_cells_num=1: must be >= 2"}},
      {sn,
       {"rnn.n_out=100"},
       1,
       {"command line: rnn.n_out=100: must equal task.place_cells_num (512)"}},
      {sn,
       {"rnn.n_init=2", "task.place_cells_num=256"},
       2,
       {"command line: rnn.n_init=2: must equal task.place_cells_num (256)"}},
      {sn, {"rnn.n_in=3"}, 1, {"command line: rnn.n_in=3: must be 2"}},
      {FIXTURE("spatial_navigation/bad_enum.yml"),
       {0},
       0,
       {"bad_enum.yml:7: rnn.activation_fn: 'relux' is not one of relu, tanh, sigmoid, identity"}},
      {sn, {"task.init_pos=center"}, 1, {"'center' is not one of uniform, zero"}},
      {sn, {"rnn.n_rec"}, 1, {"command line: 'rnn.n_rec': expected key=value"}},
      {sn, {"=5"}, 1, {"command line: '=5': empty key"}},
      {sn, {"rnn..n_rec=5"}, 1, {"command line: 'rnn..n_rec=5': malformed key"}},
      {sn, {"rnn.n_rec="}, 1, {"command line: rnn.n_rec=: missing value"}},
      {sn,
       {"task.anchor_point=[1,"},
       1,
       {"command line: task.anchor_point=[1,: YAML syntax error"}},
      {sn, {"task.anchor_point=1"}, 1, {"task.anchor_point=1: must be a pair [x, y]"}},
      {sn, {"task.anchor_point=[1, 2, 3]"}, 1, {"must be a pair [x, y]"}},
      {sn, {"rnn=5"}, 1, {"command line: rnn=5: expected a mapping of rnn.* keys"}},
      {sn, {"task.b=2*pie"}, 1, {"command line: task.b=2*pie: must be a finite number"}},
      {sn, {"task.b=1/0"}, 1, {"command line: task.b=1/0: must be a finite number"}},
      /* the mechanisms (docs/science.md §3.6) */
      {sn,
       {"rnn.adaptation_strength=-1"},
       1,
       {"command line: rnn.adaptation_strength=-1: must be >= 0"}},
      {sn, {"rnn.adaptation_tau=0"}, 1, {"command line: rnn.adaptation_tau=0: must be > 0"}},
      {sn, {"rnn.adaptation_tau=-2"}, 1, {"command line: rnn.adaptation_tau=-2: must be > 0"}},
      {sn,
       {"rnn.adaptation_strength=1", "rnn.adaptation_tau=0.1"},
       2,
       {"command line: rnn.adaptation_tau=0.1: must be >= rnn.dt (0.2) when "
        "rnn.adaptation_strength > 0"}},
      {sn,
       {"rnn.adaptation_strength=1", "rnn.dt=6"},
       2,
       {"base.yml:", "rnn.adaptation_tau: must be >= rnn.dt (6.0)"}},
      {sn, {"rnn.momentum=1"}, 1, {"command line: rnn.momentum=1: must be in [0, 1)"}},
      {sn, {"rnn.momentum=-0.1"}, 1, {"command line: rnn.momentum=-0.1: must be in [0, 1)"}},
      {sn, {"rnn.momentum=fast"}, 1, {"command line: rnn.momentum=fast: must be a finite number"}},
      {"spatial_navigation/noisy_unbiased_gru",
       {"rnn.momentum=0.5"},
       1,
       {"command line: rnn.momentum=0.5: is for the vanilla cell only (rnn.model is gru)"}},
      {sn,
       {"rnn.model=gru", "rnn.adaptation_strength=2"},
       2,
       {"command line: rnn.adaptation_strength=2: is for the vanilla cell only"}},
      {sn, {"rnn.adaptation=1"}, 1, {"unknown key 'rnn.adaptation'"}},
      /* arenas (docs/arenas.md) */
      {"head_direction/noisy_unbiased",
       {"task.arena=circle"},
       1,
       {"command line: task.arena=circle: unknown key 'task.arena' for head_direction"}},
      {sn,
       {"task.arena=hexagon"},
       1,
       {"command line: task.arena=hexagon: 'hexagon' is not one of box, circle, polygon, t_maze, "
        "linear_track"}},
      {sn, {"task.arena_radius=0"}, 1, {"command line: task.arena_radius=0: must be > 0"}},
      {sn,
       {"task.arena=polygon", "task.arena_vertices=[[-1,-1],[1,1],[1,-1],[-1,1]]"},
       2,
       {"command line: task.arena_vertices=[[-1,-1],[1,1],[1,-1],[-1,1]]: edges 1 and 3 cross"}},
      {sn,
       {"task.arena=polygon"},
       1,
       {"command line: task.arena=polygon: task.arena_vertices: a polygon needs at least 3 "
        "vertices (got 0)"}},
      {sn,
       {"task.arena_vertices=[[0, 0], [1]]"},
       1,
       {"command line: task.arena_vertices=[[0, 0], [1]]: row 2 must be [x, y] of finite numbers"}},
      {sn, {"task.arena_vertices=5"}, 1, {"task.arena_vertices=5: must be a list of [x, y]"}},
      {sn,
       {"task.walls=[[0, 0, 1, pie]]"},
       1,
       {"task.walls=[[0, 0, 1, pie]]: row 1 must be [x1, y1, x2, y2] of finite numbers"}},
      {sn,
       {"task.walls=[[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,"
        "0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,"
        "0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,"
        "0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0]]"},
       1,
       {"has 33 rows, at most 32 allowed"}},
      {sn, {"task.walls=[[0, 0, 2, 0]]"}, 1, {"wall 1 has its end (2, 0) outside the arena"}},
      {sn,
       {"task.arena=circle", "task.wall_cut=false"},
       2,
       {"command line: task.wall_cut=false: false is for the plain box only"}},
      {sn,
       {"task.walls=[[0, 0, 0.5, 0]]", "task.wall_cut=false"},
       2,
       {"command line: task.wall_cut=false: false is for the plain box only (the paper's model): "
        "a box with task.walls cuts"}},
      {sn,
       {"task.arena=circle", "task.border_region=2"},
       2,
       {"command line: task.border_region=2: task.arena_radius: the circle's diameter 2.2 m is "
        "too small for task.border_region = 2"}},
      {sn,
       {"task.arena=polygon", "task.arena_vertices=[[1,1],[2,1],[2,2]]", "task.init_pos=zero"},
       3,
       {"command line: task.init_pos=zero: zero starts the agent at the origin, which is outside "
        "the arena"}},
      {sn,
       {"config=head_direction/x"},
       1,
       {"command line: config=head_direction/x: the task cannot change"}},
      {sn,
       {"config=nonsense"},
       1,
       {"command line: config=nonsense: 'nonsense' is not <task>/<name>"}},
      {FIXTURE("spatial_navigation/bad_syntax.yml"),
       {0},
       0,
       {"bad_syntax.yml:3:", "YAML syntax error: mapping values are not allowed"}},
      {FIXTURE("spatial_navigation/duplicate.yml"),
       {0},
       0,
       {"duplicate.yml:4: duplicate key 'rnn.n_rec'"}},
      {"spatial_navigation/nope",
       {0},
       0,
       {"unknown experiment 'spatial_navigation/nope' (available for spatial_navigation: ",
        "no-noise_biased, no-noise_unbiased, noisy_biased, noisy_biased_gru, noisy_unbiased, "
        "noisy_unbiased_adaptation, noisy_unbiased_gru, noisy_unbiased_linear_track, "
        "noisy_unbiased_momentum, noisy_unbiased_tmaze, noisy_unbiased_triangle)"}},
      {"cooking/noisy", {0}, 0, {"unknown experiment 'cooking/noisy': expected <task>/<name>"}},
      {"noisy_unbiased", {0}, 0, {"unknown experiment 'noisy_unbiased'"}},
      {"/nonexistent/dir/my.yml", {0}, 0, {"/nonexistent/dir/my.yml: cannot open: "}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const reject_case *c = &cases[i];
    rx_train_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.seed = 12345; /* a failed load leaves cfg alone */
    rx_error err;
    int rc = load(&cfg, c->name, c->n_ov, c->ov, &err);
    CHECK_MSG(rc < 0, "case %zu (%s %s) was accepted", i, c->name, c->n_ov ? c->ov[0] : "");
    CHECK(cfg.seed == 12345);
    CHECK_MSG(strchr(err.msg, '\n') == NULL, "case %zu: message spans lines", i);
    for (int j = 0; j < 2; j++)
      if (c->expect[j])
        CHECK_MSG(strstr(err.msg, c->expect[j]) != NULL, "case %zu: got \"%s\", want \"%s\"", i,
                  err.msg, c->expect[j]);
  }
}

static void test_user_file_without_a_task_is_refused(void) {
  char dir[256], path[320];
  rx_test_tmpdir(dir, sizeof dir, "config");
  snprintf(path, sizeof path, "%s/my.yml", dir);
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  fputs("rnn:\n  sigma2_rec: 0.0001\n", f);
  fclose(f);
  rx_train_config cfg;
  rx_error err;
  CHECK(load(&cfg, path, 0, NULL, &err) < 0);
  CHECK_MSG(strstr(err.msg, "cannot tell the task of") && strstr(err.msg, "my.yml") &&
                strstr(err.msg, "config: spatial_navigation/<name>"),
            "%s", err.msg);
  remove(path);
  remove(dir);
}

static void test_user_yaml_file_merges_over_the_task_bases(void) {
  rx_train_config cfg;
  rx_error err;
  /* task from the directory's name, experiment name from the file's */
  int rc = load(&cfg, FIXTURE("spatial_navigation/my_run.yml"), 0, NULL, &err);
  REQUIRE(rc == 0 || (fprintf(stderr, "  %s\n", err.msg), 0));
  CHECK(strcmp(cfg.config, "spatial_navigation/my_run") == 0);
  CHECK(cfg.rnn.n_rec == 64 && cfg.rnn.sigma2_rec == 2e-4);
  CHECK(cfg.task.place_cells_num == 128 && cfg.rnn.n_out == 128);
  CHECK(cfg.trainer.n_epochs == 2500 && cfg.trainer.lr == 0.001); /* from the bases */
  CHECK(cfg.rnn.noise == RX_NOISE_GAUSSIAN);                      /* base.yml's default */
  char run[128];
  CHECK(rx_config_run_name(&cfg, run, sizeof run) == 0 && strcmp(run, "my_run_0.0002_0") == 0);

  /* task from the file's own `config` key, anywhere on disk */
  char dir[256], path[320];
  rx_test_tmpdir(dir, sizeof dir, "config");
  snprintf(path, sizeof path, "%s/anything.yaml", dir);
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  fputs("config: head_direction/my_hd\nrnn:\n  n_rec: 32\ntask:\n  init_hd: zero\n", f);
  fclose(f);
  const char *ov[] = {"seed=4"};
  rc = load(&cfg, path, 1, ov, &err);
  CHECK_MSG(rc == 0, "%s", err.msg);
  CHECK(cfg.task_kind == RX_TASK_HEAD_DIRECTION && strcmp(cfg.config, "head_direction/my_hd") == 0);
  CHECK(cfg.rnn.n_rec == 32 && cfg.task.init_zero == 1 && cfg.seed == 4);
  CHECK(cfg.trainer.n_epochs == 20000 && cfg.rnn.n_in == 1);
  remove(path);
  remove(dir);
}

static void test_pi_expressions_and_plain_numbers_parse(void) {
  static const struct {
    const char *text;
    double value;
  } good[] = {
      {"2", 2.0},           {".5", 0.5},      {"1e-4", 1e-4},
      {"-3.5E+2", -350.0},  {"pi", PI},       {"-pi", -PI},
      {"2*pi", 2 * PI},     {"pi/6", PI / 6}, {"0.26*pi", 0.26 * PI},
      {" pi / 6 ", PI / 6}, {"1/3", 1.0 / 3}, {"pi/6*2", PI / 6 * 2},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    double v = -1;
    CHECK_MSG(rxcf_parse_number(good[i].text, &v) == 0 && v == good[i].value, "%s -> %.17g",
              good[i].text, v);
  }
  static const char *const bad[] = {"",     "pi*", "2pi", "*2",   "1/0", "e5",  "1e", "--1",
                                    "0x10", "nan", "inf", ".inf", "1,5", "pie", "2 3"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    double v;
    CHECK_MSG(rxcf_parse_number(bad[i], &v) != 0, "'%s' was accepted", bad[i]);
  }
  /* through the config: keys accept expressions on the command line too */
  const char *ov[] = {"task.b=0.26*pi", "task.mu=-pi", "task.sigma=2*pi", "trainer.n_epochs=1e3"};
  rx_train_config cfg;
  rx_error err;
  int rc = load(&cfg, "spatial_navigation/noisy_biased", 4, ov, &err);
  REQUIRE(rc == 0 || (fprintf(stderr, "  %s\n", err.msg), 0));
  CHECK(cfg.task.b == 0.26 * PI && cfg.task.mu == -PI && cfg.task.sigma == 2 * PI);
  CHECK(cfg.trainer.n_epochs == 1000);
}

static void check_round_trip(const char *name, int n, const char *const *ov) {
  rx_train_config a, b;
  memset(&b, 0xff, sizeof b);
  rx_error err;
  int rc = load(&a, name, n, ov, &err);
  CHECK_MSG(rc == 0, "%s: %s", name, err.msg);
  if (rc) return;
  char *text = NULL, *again = NULL;
  REQUIRE(rx_config_to_yaml(&a, &text, &err) == 0);
  rc = rx_config_from_yaml(&b, text, "saved.yml", &err);
  CHECK_MSG(rc == 0, "%s: %s\n%s", name, err.msg, text);
  if (!rc) {
    /* the writer is injective (shortest round-trip floats, quoted strings), so equal text means
     * equal values; spot-check the floats bit for bit as well */
    CHECK(rx_config_to_yaml(&b, &again, &err) == 0 && strcmp(text, again) == 0);
    CHECK(strcmp(a.config, b.config) == 0 && strcmp(a.path, b.path) == 0);
    CHECK(a.task_kind == b.task_kind && a.seed == b.seed && a.rnn.n_out == b.rnn.n_out);
    CHECK(a.rnn.sigma2_rec == b.rnn.sigma2_rec && a.rnn.dt == b.rnn.dt && a.task.b == b.task.b);
    CHECK(a.task.mu == b.task.mu &&
          a.task.hd_cells_angular_spread == b.task.hd_cells_angular_spread);
    CHECK(a.task.anchor_point[0] == b.task.anchor_point[0] &&
          a.task.anchor_point[1] == b.task.anchor_point[1]);
    CHECK(a.task.arena == b.task.arena && a.task.wall_cut == b.task.wall_cut &&
          a.task.arena_n_vertices == b.task.arena_n_vertices && a.task.n_walls == b.task.n_walls);
    CHECK(memcmp(a.task.arena_vertices, b.task.arena_vertices, sizeof a.task.arena_vertices) == 0);
    CHECK(memcmp(a.task.walls, b.task.walls, sizeof a.task.walls) == 0);
    if (a.task.arena == RX_ARENA_T_MAZE)
      CHECK(a.task.arena_stem_length == b.task.arena_stem_length &&
            a.task.arena_corridor_width == b.task.arena_corridor_width);
  }
  free(text);
  free(again);
}

static void test_to_yaml_from_yaml_round_trip_is_exact_for_both_tasks(void) {
  static const char *const names[] = {
      "spatial_navigation/noisy_unbiased", "spatial_navigation/noisy_biased_gru",
      "spatial_navigation/no-noise_biased", "head_direction/noisy_biased",
      "head_direction/no-noise_unbiased"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    check_round_trip(names[i], 0, NULL);
  const char *sp[] = {"rnn.sigma2_rec=0.1*0.001",         "task.anchor_point=[0.1, -pi/3]",
                      "path='res ults/#x: \"q\" \\ end'", "seed=7",
                      "task.use_place_cells=false",       "rnn.bias=yes",
                      "task.place_cells_dog=true",        "rnn.noise=gaussian"};
  check_round_trip("spatial_navigation/noisy_unbiased", 8, sp);
  const char *arenas[][3] = {
      {"task.arena=polygon", "task.arena_vertices=[[-1, -1], [1, -1], [0, pi/3]]",
       "task.walls=[[0, -0.5, 0, 0.1], [-0.5, -0.9, 0.5, -0.9]]"},
      {"task.arena=circle", "task.arena_radius=0.9", "task.walls=[[0.1, 0.2, 0.3, 0.4]]"},
      {"task.arena=t_maze", "task.arena_stem_length=1/3", "task.arena_corridor_width=0.25"},
      {"task.arena=linear_track", "task.arena_length=3", "task.arena_width=0.1"},
      {"task.wall_cut=true", "task.box_width=3", "task.init_pos=zero"}};
  for (int i = 0; i < 5; i++)
    check_round_trip("spatial_navigation/noisy_unbiased", 3, arenas[i]);
  const char *hd[] = {"rnn.sigma2_rec=1/3",    "task.init_hd=zero",         "task.mu=-pi/7",
                      "task.hd_cells_num=100", "rnn.activation_fn=sigmoid", "path=/tmp/r"};
  check_round_trip("head_direction/noisy_unbiased", 6, hd);

  /* head-direction output holds no spatial keys, and the reverse */
  rx_train_config cfg;
  rx_error err;
  char *text = NULL;
  REQUIRE(load(&cfg, "head_direction/noisy_unbiased", 0, NULL, &err) == 0);
  REQUIRE(rx_config_to_yaml(&cfg, &text, &err) == 0);
  CHECK(strstr(text, "box_width") == NULL && strstr(text, "init_pos") == NULL);
  CHECK(strstr(text, "  init_hd: uniform\n") && strstr(text, "  sigma2_rec: 0.01\n"));
  CHECK(strstr(text, "config: \"head_direction/noisy_unbiased\"\n"));
  free(text);
  REQUIRE(load(&cfg, "spatial_navigation/noisy_unbiased", 0, NULL, &err) == 0);
  REQUIRE(rx_config_to_yaml(&cfg, &text, &err) == 0);
  CHECK(strstr(text, "hd_cells") == NULL && strstr(text, "  b: 0.8168140899333463\n"));
  CHECK(strstr(text, "  anchor_point: [0.0, 0.0]\n") && strstr(text, "  sigma2_rec: 0.0001\n"));
  free(text);
}

/* Whether two objects have the same bytes (specs made by memset and then filled: padding
 * included). */
static int same_bytes(const void *a, const void *b, size_t n) { return memcmp(a, b, n) == 0; }

/* The mechanisms' keys (docs/science.md §3.6): defaults b 0, tau_a 5, lambda 0 (the paper's
 * cell); alpha_a = rnn.dt / tau_a in the spec (0 while b is 0, so b = 0 with any tau_a gives the
 * default spec byte for byte); the resolved text lists the three keys only when a mechanism is
 * on (the paper cell's text is what it was), round-trips when they are, and a text without them
 * (every checkpoint written before them) loads as the paper's cell. */
static void test_mechanism_keys_default_off_and_are_written_only_when_on(void) {
  rx_train_config paper, tau_only, on, back;
  rx_error err;
  REQUIRE(load(&paper, "spatial_navigation/noisy_unbiased", 0, NULL, &err) == 0);
  CHECK(paper.rnn.adaptation_strength == 0 && paper.rnn.adaptation_tau == 5 &&
        paper.rnn.momentum == 0);
  const char *tau3[] = {"rnn.adaptation_tau=3"};
  REQUIRE(load(&tau_only, "spatial_navigation/noisy_unbiased", 1, tau3, &err) == 0);
  rx_rnn_spec s_paper, s_tau, s_on;
  rx_config_rnn_spec(&paper, &s_paper);
  rx_config_rnn_spec(&tau_only, &s_tau);
  CHECK(same_bytes(&s_paper, &s_tau, sizeof s_paper)); /* both memset, then filled */
  CHECK(!rx_mechanism_active(&s_paper.mech) && s_paper.mech.adaptation_alpha == 0);
  char *t_paper = NULL, *t_tau = NULL, *t_on = NULL, *again = NULL;
  REQUIRE(rx_config_to_yaml(&paper, &t_paper, &err) == 0);
  REQUIRE(rx_config_to_yaml(&tau_only, &t_tau, &err) == 0);
  CHECK(strcmp(t_paper, t_tau) == 0);
  CHECK(strstr(t_paper, "adaptation") == NULL && strstr(t_paper, "momentum") == NULL);
  /* the paper's resolved text (as checkpoints store it) has no mechanism keys: loads as off */
  REQUIRE(rx_config_from_yaml(&back, t_paper, "old.npz[config]", &err) == 0);
  CHECK(back.rnn.adaptation_strength == 0 && back.rnn.momentum == 0 &&
        back.rnn.adaptation_tau == 5);

  const char *mech[] = {"rnn.adaptation_strength=0.5", "rnn.adaptation_tau=2", "rnn.momentum=0.3"};
  REQUIRE(load(&on, "spatial_navigation/noisy_unbiased", 3, mech, &err) == 0);
  rx_config_rnn_spec(&on, &s_on);
  CHECK(s_on.mech.adaptation_strength == 0.5f && s_on.mech.momentum == 0.3f);
  CHECK(s_on.mech.adaptation_alpha == (float)(0.2 / 2.0));
  REQUIRE(rx_config_to_yaml(&on, &t_on, &err) == 0);
  CHECK(strstr(t_on, "  noise: uniform\n  adaptation_strength: 0.5\n  adaptation_tau: 2.0\n"
                     "  momentum: 0.3\ntrainer:\n"));
  REQUIRE(rx_config_from_yaml(&back, t_on, "new.npz[config]", &err) == 0);
  REQUIRE(rx_config_to_yaml(&back, &again, &err) == 0);
  CHECK(strcmp(t_on, again) == 0);
  CHECK(back.rnn.adaptation_strength == 0.5 && back.rnn.adaptation_tau == 2 &&
        back.rnn.momentum == 0.3);
  free(again);
  /* momentum alone also lists all three (tau_a at its value) */
  const char *mom[] = {"rnn.momentum=0.25"};
  REQUIRE(load(&on, "head_direction/noisy_unbiased", 1, mom, &err) == 0);
  REQUIRE(rx_config_to_yaml(&on, &again, &err) == 0);
  CHECK(strstr(again, "  adaptation_strength: 0.0\n  adaptation_tau: 5.0\n  momentum: 0.25\n"));
  free(again);
  free(t_paper), free(t_tau), free(t_on);
}

/* The arena keys (docs/arenas.md): a config without them (every checkpoint written before them)
 * is the paper's box without the cut; each is written only where it matters, so a box run's text
 * is what it was; the cut is implied everywhere but the plain box; the specs carry the arena. */
static void test_arena_keys_default_to_the_box_and_are_written_only_where_they_matter(void) {
  rx_train_config box, back, c;
  rx_error err;
  char *text = NULL;
  REQUIRE(load(&box, "spatial_navigation/noisy_unbiased", 0, NULL, &err) == 0);
  CHECK(box.task.arena == RX_ARENA_BOX && box.task.wall_cut == 0 && box.task.n_walls == 0);
  CHECK(box.task.arena_radius == 1.1 && box.task.arena_corridor_width == 0.4);
  REQUIRE(rx_config_to_yaml(&box, &text, &err) == 0);
  CHECK(strstr(text, "arena") == NULL && strstr(text, "wall") == NULL);
  CHECK(strstr(text, "  border_slow_factor: 0.25\n  init_pos: uniform\n") != NULL);
  REQUIRE(rx_config_from_yaml(&back, text, "old.npz[config]", &err) == 0);
  CHECK(back.task.arena == RX_ARENA_BOX && back.task.wall_cut == 0);
  rx_task_spec ts;
  rx_config_task_spec(&back, &ts);
  CHECK(ts.arena.kind == RX_ARENA_BOX && ts.arena.n_walls == 0 && ts.wall_cut == 0);
  free(text);

  const char *circle[] = {"task.arena=circle", "task.arena_radius=0.8"};
  REQUIRE(load(&c, "spatial_navigation/noisy_unbiased", 2, circle, &err) == 0);
  CHECK(c.task.wall_cut == 1);
  REQUIRE(rx_config_to_yaml(&c, &text, &err) == 0);
  CHECK(strstr(text, "  border_slow_factor: 0.25\n  arena: circle\n  arena_radius: 0.8\n"
                     "  init_pos: uniform\n") != NULL);
  free(text);
  rx_population_spec ps;
  rx_config_task_spec(&c, &ts);
  rx_config_population_spec(&c, &ps);
  CHECK(ts.arena.kind == RX_ARENA_CIRCLE && ts.arena.radius == 0.8 && ts.wall_cut == 1);
  CHECK(ps.arena.kind == RX_ARENA_CIRCLE && ps.arena.radius == 0.8);

  const char *cut[] = {"task.wall_cut=true"};
  REQUIRE(load(&c, "spatial_navigation/noisy_unbiased", 1, cut, &err) == 0);
  REQUIRE(rx_config_to_yaml(&c, &text, &err) == 0);
  CHECK(strstr(text, "  border_slow_factor: 0.25\n  wall_cut: true\n  init_pos") != NULL);
  free(text);
  const char *walls[] = {"task.walls=[[0, -0.5, 0, 0.5]]", "task.wall_cut=true"};
  REQUIRE(load(&c, "spatial_navigation/noisy_unbiased", 2, walls, &err) == 0);
  REQUIRE(rx_config_to_yaml(&c, &text, &err) == 0);
  CHECK(strstr(text, "  walls: [[0.0, -0.5, 0.0, 0.5]]\n  init_pos") != NULL); /* cut implied */
  REQUIRE(rx_config_from_yaml(&back, text, "walls.yml", &err) == 0);
  CHECK(back.task.wall_cut == 1 && back.task.n_walls == 1 && back.task.walls[0][3] == 0.5);
  free(text);
}

/* rx_config_mechanism_overrides: the three keys over a run's config, read and checked as in
 * training (pi expressions, ranges, tau_a >= the run's rnn.dt, none on a GRU), alpha_a from the
 * run's rnn.dt, the run's own settings kept where not overridden; any other key refused naming
 * it and the three; no overrides: the run's mechanism. */
static void test_mechanism_overrides_apply_to_a_runs_config(void) {
  rx_train_config sn, hd, adapted, gru;
  rx_error err;
  const char *tau4[] = {"rnn.adaptation_strength=0.8", "rnn.adaptation_tau=4"};
  const char *mom_gru[] = {"rnn.momentum=0.5"};
  REQUIRE(load(&sn, "spatial_navigation/noisy_unbiased", 0, NULL, &err) == 0);
  REQUIRE(load(&hd, "head_direction/noisy_unbiased", 0, NULL, &err) == 0);
  REQUIRE(load(&adapted, "spatial_navigation/noisy_unbiased", 2, tau4, &err) == 0);
  REQUIRE(load(&gru, "spatial_navigation/noisy_unbiased_gru", 0, NULL, &err) == 0);
  rx_mechanism m;
  memset(&m, 0x7f, sizeof m);
  REQUIRE(rx_config_mechanism_overrides(&sn, "run", 0, NULL, &m, &err) == 0);
  CHECK(!rx_mechanism_active(&m) && m.adaptation_alpha == 0);
  const char *a1[] = {"rnn.adaptation_strength=1", " rnn.momentum = 0.5 "};
  REQUIRE_MSG(rx_config_mechanism_overrides(&sn, "run", 2, a1, &m, &err) == 0, "%s", err.msg);
  CHECK(m.adaptation_strength == 1.0f && m.momentum == 0.5f);
  CHECK(m.adaptation_alpha == (float)(0.2 / 5.0)); /* the default tau_a, the run's dt */
  const char *a2[] = {"rnn.adaptation_strength=2/3", "rnn.adaptation_tau=pi"};
  REQUIRE(rx_config_mechanism_overrides(&hd, "run", 2, a2, &m, &err) == 0);
  CHECK(m.adaptation_strength == (float)(2.0 / 3.0) && m.momentum == 0);
  CHECK(m.adaptation_alpha == (float)(0.5 / PI)); /* head direction: dt 0.5 */
  /* the run's own mechanism stays where not overridden */
  const char *a3[] = {"rnn.momentum=0.2"};
  REQUIRE(rx_config_mechanism_overrides(&adapted, "run", 1, a3, &m, &err) == 0);
  CHECK(m.adaptation_strength == 0.8f && m.adaptation_alpha == (float)(0.2 / 4.0) &&
        m.momentum == 0.2f);
  const char *a4[] = {"rnn.adaptation_strength=0"};
  REQUIRE(rx_config_mechanism_overrides(&adapted, "run", 1, a4, &m, &err) == 0);
  CHECK(!rx_mechanism_active(&m));
  CHECK(rx_mechanism_override_key("rnn.momentum=1") &&
        rx_mechanism_override_key(" rnn.momentum=1"));
  CHECK(!rx_mechanism_override_key("rnn.momentum") && !rx_mechanism_override_key("rnn.tau=1"));
  struct {
    const rx_train_config *cfg;
    const char *arg, *expect;
  } bad[] = {
      {&sn, "rnn.sigma2_rec=0.1",
       "rnn.sigma2_rec: a trained run's setting cannot change offline, except the mechanisms' "
       "(rnn.adaptation_strength, rnn.adaptation_tau, rnn.momentum)"},
      {&sn, "seed=3", "seed: a trained run's setting cannot change offline"},
      {&sn, "rnn.momentum",
       "'rnn.momentum': expected key=value with key one of "
       "rnn.adaptation_strength, rnn.adaptation_tau, rnn.momentum"},
      {&sn, "rnn.momentum=1", "command line: rnn.momentum=1: must be in [0, 1)"},
      {&sn, "rnn.momentum=-0.1", "command line: rnn.momentum=-0.1: must be in [0, 1)"},
      {&sn, "rnn.adaptation_strength=-1", "rnn.adaptation_strength=-1: must be >= 0"},
      {&sn, "rnn.adaptation_tau=0", "command line: rnn.adaptation_tau=0: must be > 0"},
      {&adapted, "rnn.adaptation_tau=0.1",
       "command line: rnn.adaptation_tau=0.1: must be >= rnn.dt (0.2)"},
      {&sn, "rnn.momentum=", "command line: rnn.momentum=: missing value"},
      {&sn, "rnn.momentum=x", "rnn.momentum=x: must be a finite number"},
      {&gru, mom_gru[0], "command line: rnn.momentum=0.5: is for the vanilla cell only"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rx_error_clear(&err);
    const rx_mechanism before = m;
    CHECK_MSG(rx_config_mechanism_overrides(bad[i].cfg, "run", 1, &bad[i].arg, &m, &err) ==
                  RX_EINVAL,
              "%s accepted", bad[i].arg);
    CHECK_MSG(strstr(err.msg, bad[i].expect) && !strchr(err.msg, '\n'), "%s: got \"%s\"",
              bad[i].arg, err.msg);
    CHECK(same_bytes(&before, &m, sizeof m)); /* left alone on error */
  }
}

static void test_from_yaml_names_its_origin_in_errors(void) {
  rx_train_config cfg;
  rx_error err;
  CHECK(rx_config_from_yaml(&cfg, "config: spatial_navigation/x\nsed: 3\n", "ckpt.yml", &err) < 0);
  CHECK_MSG(strstr(err.msg, "ckpt.yml:2: unknown key 'sed' (did you mean 'seed'?)"), "%s", err.msg);
  CHECK(rx_config_from_yaml(&cfg, "config: spatial_navigation/x\nseed: 3\n", "ckpt.yml", &err) < 0);
  CHECK_MSG(strstr(err.msg, "ckpt.yml: missing key 'path'"), "%s", err.msg);
  CHECK(rx_config_from_yaml(&cfg, "seed: 3\n", "ckpt.yml", &err) < 0);
  CHECK_MSG(strstr(err.msg, "ckpt.yml: missing key 'config'"), "%s", err.msg);
  CHECK(rx_config_from_yaml(&cfg, "a: &x 1\nb: *x\n", "ckpt.yml", &err) < 0);
  CHECK_MSG(strstr(err.msg, "ckpt.yml:1: a: an anchor"), "%s", err.msg);
  CHECK(rx_config_from_yaml(&cfg, "- 1\n- 2\n", "ckpt.yml", &err) < 0);
  CHECK_MSG(strstr(err.msg, "ckpt.yml: expected a mapping"), "%s", err.msg);
  CHECK(rx_config_from_yaml(&cfg, "a: 1\n---\nb: 2\n", "ckpt.yml", &err) < 0);
  CHECK_MSG(strstr(err.msg, "ckpt.yml:2: only one YAML document"), "%s", err.msg);
}

static void test_format_py_float_matches_python_repr(void) {
  /* right-hand sides printed by python3 -c 'print(repr(x))' */
  static const struct {
    double v;
    const char *py;
  } table[] = {
      {0.0001, "0.0001"},
      {1e-05, "1e-05"},
      {0.01, "0.01"},
      {0.0003, "0.0003"},
      {2.0, "2.0"},
      {1e16, "1e+16"},
      {1.5e-7, "1.5e-07"},
      {0.1, "0.1"},
      {123456789.0, "123456789.0"},
      {123.456, "123.456"},
      {1e15, "1000000000000000.0"},
      {100.0, "100.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {-2.5, "-2.5"},
      {0x1.a36e2eb1c432dp-14, "0.0001"},                 /* 0.1*0.001 in Python: same double */
      {0x1.3a92a30553262p-12, "0.00030000000000000003"}, /* 1e-4*3 */
      {0x1.3333333333334p-2, "0.30000000000000004"},     /* 0.1+0.2 */
      {0x1.179ec9cbd821ep-15, "3.3333333333333335e-05"}, /* 1e-4/3 */
      {0x1.5555555555555p-2, "0.3333333333333333"},
      {0x1.a23574d659f8ap-1, "0.8168140899333463"}, /* 0.26*pi */
      {0x1.18b54f22aeb03p+50, "1234567890123456.8"},
      {0x1.0000000000000p+53, "9007199254740992.0"},
      {1e100, "1e+100"},
      {0.00012345, "0.00012345"},
      {0x0.0000000000001p-1022, "5e-324"},
      {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"},
      {0x1.0000000000000p-1022, "2.2250738585072014e-308"},
      {INFINITY, "inf"},
      {-INFINITY, "-inf"},
      {NAN, "nan"},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    char buf[64];
    rx_format_py_float(table[i].v, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, table[i].py) == 0, "%a: got %s, Python %s", table[i].v, buf, table[i].py);
  }
  CHECK(0.1 * 0.001 == 0x1.a36e2eb1c432dp-14); /* C computes the same double as Python */
}

static void test_run_names_follow_spec_layout(void) {
  rx_train_config cfg;
  rx_error err;
  char run[128], dir[256];
  const char *ov1[] = {"seed=3"};
  REQUIRE(load(&cfg, "spatial_navigation/no-noise_biased", 1, ov1, &err) == 0);
  CHECK(rx_config_run_name(&cfg, run, sizeof run) == 0 && strcmp(run, "no-noise_biased_3") == 0);
  const char *ov2[] = {"rnn.sigma2_rec=1e-5", "path=out/x"};
  REQUIRE(load(&cfg, "head_direction/noisy_unbiased", 2, ov2, &err) == 0);
  CHECK(rx_config_run_name(&cfg, run, sizeof run) == 0 &&
        strcmp(run, "noisy_unbiased_1e-05_0") == 0);
  CHECK(rx_config_run_dir(&cfg, dir, sizeof dir) == 0);
  CHECK_MSG(strcmp(dir, "out/x/head_direction/noisy_unbiased_1e-05_0") == 0, "%s", dir);
  CHECK(rx_config_run_name(&cfg, run, 8) != 0); /* truncation is reported */
  CHECK(rx_config_run_dir(&cfg, dir, 10) != 0);
}

static void test_specs_carry_alpha_sigma_and_population_settings(void) {
  rx_train_config cfg;
  rx_error err;
  REQUIRE(load(&cfg, "spatial_navigation/noisy_biased_gru", 0, NULL, &err) == 0);
  rx_rnn_spec r;
  rx_population_spec p;
  rx_task_spec t;
  rx_config_rnn_spec(&cfg, &r);
  CHECK(r.kind == RX_MODEL_GRU && r.act == RX_ACT_TANH && r.noise == RX_NOISE_UNIFORM);
  CHECK(r.n_in == 2 && r.n_rec == 512 && r.n_out == 512 && r.n_init == 512 && !r.bias);
  CHECK(r.alpha == 0.2f && r.sigma_rec == (float)sqrt(1e-4) && r.sigma_in == 0 && r.sigma_out == 0);
  rx_config_population_spec(&cfg, &p);
  CHECK(p.kind == RX_TASK_SPATIAL && p.n == 512 && p.k == 3 && !p.identity && !p.dog);
  CHECK(p.sigma == 0.2 && p.surround_scale == 2 && p.box_width == 2.2 && p.box_height == 2.2);
  rx_config_task_spec(&cfg, &t);
  CHECK(t.kind == RX_TASK_SPATIAL && t.seq_len == 100 && t.batch_size == 200 && t.biased);
  CHECK(t.dt == 0.02 && t.sigma == 11.52 && t.b == 0.26 * PI && t.drift_const == 0.05);
  CHECK(t.border_region == 0.03 && t.border_slow_factor == 0.25 && !t.init_zero);

  const char *ov[] = {"task.use_hd_cells=false", "task.init_hd=zero"};
  REQUIRE(load(&cfg, "head_direction/noisy_unbiased", 2, ov, &err) == 0);
  CHECK(cfg.rnn.n_out == 2 && cfg.rnn.n_init == 2); /* (cos, sin) without cells */
  rx_config_population_spec(&cfg, &p);
  CHECK(p.kind == RX_TASK_HEAD_DIRECTION && p.identity && p.n == 2);
  CHECK(p.spread == PI / 6);
  rx_config_rnn_spec(&cfg, &r);
  CHECK(r.alpha == 0.5f && r.sigma_rec == 0.1f && r.n_in == 1);
  rx_config_task_spec(&cfg, &t);
  CHECK(t.kind == RX_TASK_HEAD_DIRECTION && t.init_zero == 1 && !t.biased);
}

static void test_config_dir_prefers_the_environment_then_falls_back(void) {
  char dir[4096];
  rx_error err;
  use_bundled_configs();
  CHECK(rx_config_dir(dir, sizeof dir, &err) == 0 &&
        strcmp(dir, RX_TEST_SOURCE_DIR "/configs") == 0);
  setenv("REACTIVATE_CONFIG_DIR", "/nonexistent/reactivate", 1);
  int rc = rx_config_dir(dir, sizeof dir, &err); /* the build's own configs */
  CHECK_MSG(rc == 0, "%s", err.msg);
  if (rc == 0) {
    char base[4200];
    snprintf(base, sizeof base, "%s/train/base.yml", dir);
    FILE *f = fopen(base, "r");
    CHECK(f != NULL);
    if (f) fclose(f);
  }
  CHECK(rx_config_dir(dir, 4, &err) < 0); /* too small a buffer */
  use_bundled_configs();
}

RX_TEST_MAIN(TEST(test_every_bundled_experiment_loads_with_spec_values),
             TEST(test_merge_order_experiment_beats_task_base_beats_base_and_override_beats_all),
             TEST(test_issue_example_resolves_n_out_from_cells_and_names_the_run),
             TEST(test_every_rejection_names_the_key_and_its_origin),
             TEST(test_user_file_without_a_task_is_refused),
             TEST(test_user_yaml_file_merges_over_the_task_bases),
             TEST(test_pi_expressions_and_plain_numbers_parse),
             TEST(test_to_yaml_from_yaml_round_trip_is_exact_for_both_tasks),
             TEST(test_mechanism_keys_default_off_and_are_written_only_when_on),
             TEST(test_arena_keys_default_to_the_box_and_are_written_only_where_they_matter),
             TEST(test_mechanism_overrides_apply_to_a_runs_config),
             TEST(test_from_yaml_names_its_origin_in_errors),
             TEST(test_format_py_float_matches_python_repr),
             TEST(test_run_names_follow_spec_layout),
             TEST(test_specs_carry_alpha_sigma_and_population_settings),
             TEST(test_config_dir_prefers_the_environment_then_falls_back))
