/* Internal to src/config: the training-config schema's resolver (merged YAML tree to a validated
 * rx_train_config) and the task names it reads from `config`, shared by train_schema.c and
 * config_load.c. Kept here so the config module needs nothing from src/tasks. */
#ifndef RX_CONFIG_TRAIN_CONFIG_H
#define RX_CONFIG_TRAIN_CONFIG_H

#include "config/yaml_tree.h"
#include "reactivate/config.h"

/* rnn.adaptation_tau where it is not set (configs/train/base.yml sets the same): 5 in rnn.tau's
 * units (tau is 1 in both tasks), adaptation five times slower than the membrane, as
 * spike-frequency adaptation is slower than the membrane time constant (docs/science.md §3.6). */
#define RXCF_ADAPTATION_TAU_DEFAULT 5.0

/* The arena keys' defaults (configs/train/spatial_navigation/base.yml says the same;
 * docs/arenas.md): a circle as wide as the 2.2 m box, a 2.2 m linear track 0.2 m wide, a T-maze
 * filling the box (a 2.2 m bar on a 1.8 m stem, corridors 0.4 m wide). */
#define RXCF_ARENA_RADIUS_DEFAULT 1.1
#define RXCF_ARENA_LENGTH_DEFAULT 2.2
#define RXCF_ARENA_WIDTH_DEFAULT 0.2
#define RXCF_ARENA_STEM_DEFAULT 1.8
#define RXCF_ARENA_ARM_DEFAULT 2.2
#define RXCF_ARENA_CORRIDOR_DEFAULT 0.4

/* "spatial_navigation" | "head_direction" (NULL for an unknown kind). */
const char *rxcf_task_name(rx_task_kind kind);
/* Looks a task up by name; 0 or -1. */
int rxcf_task_lookup(const char *name, size_t len, rx_task_kind *kind);
/* Task of an experiment name "<task>/<name>" (name: letters, digits, '_', '-', '.'); 0 or -1. */
int rxcf_task_of(const char *config, rx_task_kind *kind);

/* Resolves a merged tree into cfg (left untouched on error): schema types and ranges, then
 * defaults (rnn.n_in, n_out, n_init) and cross-field checks. where names the whole config in
 * "missing key" messages. */
int rxcf_resolve(rx_train_config *cfg, const rxcf_ynode *root, const char *where, rx_error *err);

#endif
