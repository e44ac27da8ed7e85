/* What a resolved rx_train_config means to the other modules: the task, population-code and
 * network specs they are created from, and the run name and directory of docs/science.md §8. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/train_config.h"
#include "reactivate/results.h"

/* The arena of a config (a zeroed spec, the box, for head direction). */
static void arena_spec(const rx_train_config *cfg, rx_arena_spec *a) {
  memset(a, 0, sizeof *a);
  if (cfg->task_kind != RX_TASK_SPATIAL) return;
  a->kind = cfg->task.arena;
  a->radius = cfg->task.arena_radius;
  a->length = cfg->task.arena_length;
  a->width = cfg->task.arena_width;
  a->stem_length = cfg->task.arena_stem_length;
  a->arm_length = cfg->task.arena_arm_length;
  a->corridor_width = cfg->task.arena_corridor_width;
  a->n_vertices = cfg->task.arena_n_vertices;
  memcpy(a->vertices, cfg->task.arena_vertices, sizeof a->vertices);
  a->n_walls = cfg->task.n_walls;
  memcpy(a->walls, cfg->task.walls, sizeof a->walls);
}

void rx_config_task_spec(const rx_train_config *cfg, rx_task_spec *spec) {
  memset(spec, 0, sizeof *spec);
  spec->kind = cfg->task_kind;
  spec->seq_len = cfg->task.sequence_length;
  spec->batch_size = cfg->task.batch_size;
  spec->dt = cfg->task.dt;
  spec->mu = cfg->task.mu;
  spec->sigma = cfg->task.sigma;
  spec->biased = cfg->task.biased;
  spec->init_zero = cfg->task.init_zero;
  spec->box_width = cfg->task.box_width;
  spec->box_height = cfg->task.box_height;
  spec->border_region = cfg->task.border_region;
  spec->border_slow_factor = cfg->task.border_slow_factor;
  spec->b = cfg->task.b;
  spec->drift_const = cfg->task.drift_const;
  spec->anchor[0] = cfg->task.anchor_point[0];
  spec->anchor[1] = cfg->task.anchor_point[1];
  arena_spec(cfg, &spec->arena);
  spec->wall_cut = cfg->task.wall_cut;
  memcpy(spec->trajectories, cfg->task.trajectories, sizeof spec->trajectories);
  spec->n_held_out = cfg->task.trajectories[0] ? cfg->task.batch_size : 0;
}

void rx_config_population_spec(const rx_train_config *cfg, rx_population_spec *spec) {
  memset(spec, 0, sizeof *spec);
  int spatial = cfg->task_kind == RX_TASK_SPATIAL;
  spec->kind = cfg->task_kind;
  spec->identity = !(spatial ? cfg->task.use_place_cells : cfg->task.use_hd_cells);
  spec->n = spec->identity ? 2 : spatial ? cfg->task.place_cells_num : cfg->task.hd_cells_num;
  spec->k = cfg->task.decode_k;
  spec->sigma = cfg->task.place_cells_sigma;
  spec->surround_scale = cfg->task.place_cells_surround_scale;
  spec->dog = cfg->task.place_cells_dog;
  spec->spread = cfg->task.hd_cells_angular_spread;
  spec->box_width = cfg->task.box_width;
  spec->box_height = cfg->task.box_height;
  arena_spec(cfg, &spec->arena);
}

void rx_config_rnn_spec(const rx_train_config *cfg, rx_rnn_spec *spec) {
  memset(spec, 0, sizeof *spec);
  spec->kind = cfg->rnn.model;
  spec->n_in = cfg->rnn.n_in;
  spec->n_rec = cfg->rnn.n_rec;
  spec->n_out = cfg->rnn.n_out;
  spec->n_init = cfg->rnn.n_init;
  spec->alpha = (float)(cfg->rnn.dt / cfg->rnn.tau);
  spec->bias = cfg->rnn.bias;
  spec->act = cfg->rnn.activation_fn;
  spec->sigma_in = (float)sqrt(cfg->rnn.sigma2_in);
  spec->sigma_rec = (float)sqrt(cfg->rnn.sigma2_rec);
  spec->sigma_out = (float)sqrt(cfg->rnn.sigma2_out);
  spec->noise = cfg->rnn.noise;
  rx_config_mechanism(cfg, &spec->mech);
}

void rx_config_mechanism(const rx_train_config *cfg, rx_mechanism *m) {
  memset(m, 0, sizeof *m);
  m->adaptation_strength = (float)cfg->rnn.adaptation_strength;
  m->momentum = (float)cfg->rnn.momentum;
  /* alpha_a matters only with adaptation on; left 0 otherwise, so that every config of the
   * paper's cell gives the same spec */
  if (cfg->rnn.adaptation_strength > 0)
    m->adaptation_alpha = (float)(cfg->rnn.dt / cfg->rnn.adaptation_tau);
}

/* Run names and directories are the results layout's (reactivate/results.h). */
int rx_config_run_name(const rx_train_config *cfg, char *buf, size_t n) {
  const char *slash = strrchr(cfg->config, '/');
  const char *base = slash ? slash + 1 : cfg->config;
  return rx_results_run_name_sigma(base, cfg->rnn.sigma2_rec, cfg->seed, buf, n);
}

int rx_config_run_dir(const rx_train_config *cfg, char *buf, size_t n) {
  char run[512];
  if (!rxcf_task_name(cfg->task_kind) || rx_config_run_name(cfg, run, sizeof run)) return RX_EINVAL;
  return rx_results_run_dir(cfg->path, cfg->task_kind, run, buf, n);
}
