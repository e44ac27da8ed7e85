/* Training configuration (docs/science.md §10): YAML files merged in order (configs/train/base.yml,
 * configs/train/<task>/base.yml, the experiment file) and then dotted key=value overrides from
 * the command line, resolved into a typed, validated rx_train_config. Unknown keys, wrong types
 * and impossible values are refused with one line naming the key and where it came from. */
#ifndef RX_CONFIG_H
#define RX_CONFIG_H

#include <stddef.h>

#include "reactivate/error.h"
#include "reactivate/population.h"
#include "reactivate/rnn.h"
#include "reactivate/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rx_train_config {
  char config[256]; /* experiment name, "<task>/<experiment>", e.g.
                       "spatial_navigation/noisy_biased" */
  int seed;
  char path[2048]; /* results root (default "results"); runs go to <path>/<task>/<run name> */
  rx_task_kind task_kind; /* from the first component of `config` */
  struct {
    rx_model_kind model;
    int n_in, n_rec, n_out, n_init;
    double sigma2_in, sigma2_rec, sigma2_out; /* noise variances */
    double dt, tau;                           /* alpha = dt / tau */
    int bias;
    rx_activation activation_fn;
    rx_noise_kind noise;
    /* the vanilla cell's mechanisms (docs/science.md §3.6), off by default: adaptation
     * strength b >= 0 and time constant tau_a (alpha_a = dt / tau_a, in rnn.tau's units),
     * momentum lambda in [0, 1). Written to the resolved config only when one is on. */
    double adaptation_strength, adaptation_tau, momentum;
  } rnn;
  struct {
    int n_epochs;
    double lr, weight_decay;
    int compute_all_metrics;
    int test_freq, save_freq;
  } trainer;
  struct {
    /* both tasks */
    int biased;
    int init_zero; /* spatial: init_pos (uniform | zero); head direction: init_hd (uniform | zero)
                    */
    double dt, mu, sigma;
    int sequence_length, batch_size, decode_k;
    /* spatial */
    double box_width, box_height, border_region, border_slow_factor;
    double drift_const;
    double anchor_point[2];
    double b;
    /* the arena (docs/arenas.md): optional keys (a config without them is the paper's box),
     * each written to the resolved config only where it matters */
    rx_arena_kind arena;
    double arena_radius;                                              /* circle */
    double arena_length, arena_width;                                 /* linear_track */
    double arena_stem_length, arena_arm_length, arena_corridor_width; /* t_maze */
    int arena_n_vertices;                                             /* polygon */
    double arena_vertices[RX_ARENA_MAX_VERTICES][2];
    int n_walls;
    double walls[RX_ARENA_MAX_WALLS][4];
    int wall_cut; /* resolved: 1 wherever the cut acts (every arena but the plain box) */
    /* recorded trajectories (.npz) instead of the motion model; "" (unset, not written to the
     * resolved config): the motion model */
    char trajectories[1024];
    int use_place_cells, place_cells_num, place_cells_dog;
    double place_cells_sigma, place_cells_surround_scale;
    /* head direction */
    int use_hd_cells, hd_cells_num;
    double hd_cells_angular_spread;
  } task;
} rx_train_config;

/* Directory holding the bundled configs (train/, analysis/): $REACTIVATE_CONFIG_DIR, then
 * <exe>/../share/reactivate/configs, the install prefix, then the source tree of this build. */
int rx_config_dir(char *buf, size_t n, rx_error *err);

/* name_or_path: an experiment name ("spatial_navigation/noisy_unbiased") looked up under
 * <config dir>/train/, or a path to a YAML file (merged on top of the base files of the task
 * named by its `config` key or its parent directory). overrides: "key.sub=value" strings. */
int rx_config_load(rx_train_config *cfg, const char *name_or_path, int n_overrides,
                   const char *const *overrides, rx_error *err);
/* Parses a complete resolved config (as rx_config_to_yaml writes, e.g. from a checkpoint);
 * origin names the source in messages. */
int rx_config_from_yaml(rx_train_config *cfg, const char *yaml_text, const char *origin,
                        rx_error *err);
/* The resolved config as YAML text (malloc'd; caller frees). */
int rx_config_to_yaml(const rx_train_config *cfg, char **out, rx_error *err);

void rx_config_task_spec(const rx_train_config *cfg, rx_task_spec *spec);
void rx_config_population_spec(const rx_train_config *cfg, rx_population_spec *spec);
void rx_config_rnn_spec(const rx_train_config *cfg, rx_rnn_spec *spec);
/* The vanilla cell's mechanisms of a config (part of rx_config_rnn_spec): b, alpha_a =
 * rnn.dt / rnn.adaptation_tau (0 when b is 0) and lambda. */
void rx_config_mechanism(const rx_train_config *cfg, rx_mechanism *m);

/* The three keys an offline mechanism override may set (docs/science.md §3.6), and them as one
 * line for messages and --help: "rnn.adaptation_strength, rnn.adaptation_tau, rnn.momentum". */
extern const char *const rx_mechanism_keys[3];
#define RX_MECHANISM_KEYS_TEXT "rnn.adaptation_strength, rnn.adaptation_tau, rnn.momentum"
/* Whether a "key=value" argument names one of them (the key before '=', spaces trimmed). */
int rx_mechanism_override_key(const char *arg);
/* A trained run's mechanism with "key=value" overrides of those keys applied, for simulating
 * it offline with a mechanism switched on, off or to another strength: the run's config cfg
 * (origin names it in messages, e.g. "model_2500.npz[config]") with the overrides on top, read
 * and checked as training configs are (numbers with pi expressions; b >= 0, tau_a > 0 and
 * >= rnn.dt when b > 0, lambda in [0, 1), none on a GRU), alpha_a from the run's rnn.dt. Any
 * other key is refused, naming it and the three allowed. *out is the result (the run's own
 * mechanism for n = 0); RX_OK or RX_EINVAL with one line naming the argument at fault. */
int rx_config_mechanism_overrides(const rx_train_config *cfg, const char *origin, int n,
                                  const char *const *overrides, rx_mechanism *out, rx_error *err);

/* docs/science.md §8 run name: "<experiment>_<seed>" without recurrent noise, else
 * "<experiment>_<sigma2_rec>_<seed>" with the variance written as Python's str(float)
 * (rx_results_run_name_sigma, results.h, for the config's experiment). */
int rx_config_run_name(const rx_train_config *cfg, char *buf, size_t n);
/* <path>/<task>/<run name> (rx_results_run_dir) */
int rx_config_run_dir(const rx_train_config *cfg, char *buf, size_t n);
/* Python's str(float): 0.0001, 1e-05, 0.01, 2.0, 1e+16 ... */
void rx_format_py_float(double v, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
