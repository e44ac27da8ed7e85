/* The training-config schema (docs/science.md §10): every key with its type, range and task, the
 * checks that span several keys, and rx_config_from_yaml / rx_config_to_yaml. Finding and merging
 * the files is config_load.c's job. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"
#include "config/train_config.h"

_Static_assert(sizeof(rx_model_kind) == sizeof(int) && sizeof(rx_activation) == sizeof(int) &&
                   sizeof(rx_noise_kind) == sizeof(int) && sizeof(rx_arena_kind) == sizeof(int),
               "enum keys are stored as int");

static const char *const task_names[] = {"spatial_navigation", "head_direction", NULL};
static const char *const model_names[] = {"vanilla", "gru", NULL};
static const char *const activation_names[] = {"relu", "tanh", "sigmoid", "identity", NULL};
static const char *const noise_names[] = {"uniform", "gaussian", NULL};
static const char *const init_names[] = {"uniform", "zero", NULL}; /* index = init_zero */
static const char *const arena_names[] = {"box",    "circle",       "polygon",
                                          "t_maze", "linear_track", NULL}; /* rx_arena_kind */

#define ALL 0u
#define SP (1u << RX_TASK_SPATIAL)
#define HD (1u << RX_TASK_HEAD_DIRECTION)
#define AT(f) .offset = offsetof(rx_train_config, f)
#define INT(n, f, r, v)                                                                            \
  { .name = (n), .type = RXCF_KEY_INT, AT(f), .range = RXCF_RANGE_##r, .variants = (v) }
#define FLT(n, f, r, v)                                                                            \
  { .name = (n), .type = RXCF_KEY_FLOAT, AT(f), .range = RXCF_RANGE_##r, .variants = (v) }
#define BOOL(n, f, v)                                                                              \
  { .name = (n), .type = RXCF_KEY_BOOL, AT(f), .variants = (v) }
#define ENUM(n, f, list, v)                                                                        \
  { .name = (n), .type = RXCF_KEY_ENUM, AT(f), .names = (list), .variants = (v) }
#define STR(n, f)                                                                                  \
  { .name = (n), .type = RXCF_KEY_STRING, AT(f), .size = sizeof(((rx_train_config *)0)->f) }
/* Sizes that default to the task (n_in) or the number of cells (n_out, n_init) when unset. */
#define SIZE_OPT(n, f)                                                                             \
  { .name = (n), .type = RXCF_KEY_INT, AT(f), .range = RXCF_RANGE_POSITIVE, .optional = 1 }

/* The mechanisms' keys (docs/science.md §3.6) came after runs had been written: optional (a
 * config without them is the paper's cell), and written only when a mechanism is on, so that the
 * resolved config of every run of the paper's cell stays byte for byte what it was. */
static int mechanism_on(const void *in) {
  const rx_train_config *c = in;
  return c->rnn.adaptation_strength > 0 || c->rnn.momentum > 0;
}
#define MECH(n, f, r)                                                                              \
  {                                                                                                \
    .name = (n), .type = RXCF_KEY_FLOAT, AT(f), .range = RXCF_RANGE_##r, .variants = ALL,          \
    .optional = 1, .written = mechanism_on                                                         \
  }

/* The arena keys (docs/arenas.md) came after runs had been written too: optional (a config
 * without them is the paper's box), each written only where it matters, so that the resolved
 * config of every box run stays byte for byte what it was. */
static rx_arena_kind arena_of(const void *in) { return ((const rx_train_config *)in)->task.arena; }
static int arena_not_box(const void *in) { return arena_of(in) != RX_ARENA_BOX; }
static int arena_circle(const void *in) { return arena_of(in) == RX_ARENA_CIRCLE; }
static int arena_polygon(const void *in) { return arena_of(in) == RX_ARENA_POLYGON; }
static int arena_t_maze(const void *in) { return arena_of(in) == RX_ARENA_T_MAZE; }
static int arena_track(const void *in) { return arena_of(in) == RX_ARENA_LINEAR_TRACK; }
static int has_trajectories(const void *in) {
  return ((const rx_train_config *)in)->task.trajectories[0] != '\0';
}
static int has_walls(const void *in) { return ((const rx_train_config *)in)->task.n_walls > 0; }
/* the cut is implied (and always on) everywhere but the plain box, where it is a choice */
static int cut_implied(const rx_train_config *c) {
  return c->task.arena != RX_ARENA_BOX || c->task.n_walls > 0;
}
static int cut_chosen(const void *in) {
  const rx_train_config *c = in;
  return c->task.wall_cut && !cut_implied(c);
}
#define ARENA_FLT(n, f, w)                                                                         \
  {                                                                                                \
    .name = (n), .type = RXCF_KEY_FLOAT, AT(f), .range = RXCF_RANGE_POSITIVE, .variants = SP,      \
    .optional = 1, .written = (w)                                                                  \
  }
#define ROWS(n, f, count, max, c, form, w)                                                         \
  {                                                                                                \
    .name = (n), .type = RXCF_KEY_ROWS, AT(f), .size = (max), .cols = (c),                         \
    .count_offset = offsetof(rx_train_config, count), .row = (form), .variants = SP,               \
    .optional = 1, .written = (w)                                                                  \
  }

/* Order here is the order rx_config_to_yaml writes. */
static const rxcf_key train_keys[] = {
    STR("config", config),
    INT("seed", seed, NONNEG, ALL),
    STR("path", path),
    ENUM("rnn.model", rnn.model, model_names, ALL),
    SIZE_OPT("rnn.n_in", rnn.n_in),
    INT("rnn.n_rec", rnn.n_rec, POSITIVE, ALL),
    SIZE_OPT("rnn.n_out", rnn.n_out),
    SIZE_OPT("rnn.n_init", rnn.n_init),
    FLT("rnn.sigma2_in", rnn.sigma2_in, NONNEG, ALL),
    FLT("rnn.sigma2_rec", rnn.sigma2_rec, NONNEG, ALL),
    FLT("rnn.sigma2_out", rnn.sigma2_out, NONNEG, ALL),
    FLT("rnn.dt", rnn.dt, POSITIVE, ALL),
    FLT("rnn.tau", rnn.tau, POSITIVE, ALL),
    BOOL("rnn.bias", rnn.bias, ALL),
    ENUM("rnn.activation_fn", rnn.activation_fn, activation_names, ALL),
    ENUM("rnn.noise", rnn.noise, noise_names, ALL),
    MECH("rnn.adaptation_strength", rnn.adaptation_strength, NONNEG),
    MECH("rnn.adaptation_tau", rnn.adaptation_tau, POSITIVE),
    MECH("rnn.momentum", rnn.momentum, UNIT_OPEN),
    INT("trainer.n_epochs", trainer.n_epochs, NONNEG, ALL),
    FLT("trainer.lr", trainer.lr, POSITIVE, ALL),
    FLT("trainer.weight_decay", trainer.weight_decay, NONNEG, ALL),
    BOOL("trainer.compute_all_metrics", trainer.compute_all_metrics, ALL),
    INT("trainer.test_freq", trainer.test_freq, POSITIVE, ALL),
    INT("trainer.save_freq", trainer.save_freq, POSITIVE, ALL),
    FLT("task.box_width", task.box_width, POSITIVE, SP),
    FLT("task.box_height", task.box_height, POSITIVE, SP),
    FLT("task.border_region", task.border_region, NONNEG, SP),
    FLT("task.border_slow_factor", task.border_slow_factor, UNIT, SP),
    {.name = "task.arena",
     .type = RXCF_KEY_ENUM,
     AT(task.arena),
     .names = arena_names,
     .variants = SP,
     .optional = 1,
     .written = arena_not_box},
    ARENA_FLT("task.arena_radius", task.arena_radius, arena_circle),
    ARENA_FLT("task.arena_length", task.arena_length, arena_track),
    ARENA_FLT("task.arena_width", task.arena_width, arena_track),
    ARENA_FLT("task.arena_stem_length", task.arena_stem_length, arena_t_maze),
    ARENA_FLT("task.arena_arm_length", task.arena_arm_length, arena_t_maze),
    ARENA_FLT("task.arena_corridor_width", task.arena_corridor_width, arena_t_maze),
    ROWS("task.arena_vertices", task.arena_vertices, task.arena_n_vertices, RX_ARENA_MAX_VERTICES,
         2, "[x, y]", arena_polygon),
    ROWS("task.walls", task.walls, task.n_walls, RX_ARENA_MAX_WALLS, 4, "[x1, y1, x2, y2]",
         has_walls),
    {.name = "task.wall_cut",
     .type = RXCF_KEY_BOOL,
     AT(task.wall_cut),
     .variants = SP,
     .optional = 1,
     .written = cut_chosen},
    {.name = "task.trajectories",
     .type = RXCF_KEY_STRING,
     AT(task.trajectories),
     .size = sizeof(((rx_train_config *)0)->task.trajectories),
     .variants = SP,
     .optional = 1,
     .written = has_trajectories},
    ENUM("task.init_pos", task.init_zero, init_names, SP),
    ENUM("task.init_hd", task.init_zero, init_names, HD),
    BOOL("task.biased", task.biased, ALL),
    FLT("task.drift_const", task.drift_const, NONNEG, SP),
    {.name = "task.anchor_point", .type = RXCF_KEY_FLOAT2, AT(task.anchor_point), .variants = SP},
    FLT("task.dt", task.dt, POSITIVE, ALL),
    FLT("task.mu", task.mu, ANY, ALL),
    FLT("task.sigma", task.sigma, NONNEG, ALL),
    FLT("task.b", task.b, POSITIVE, SP),
    BOOL("task.use_place_cells", task.use_place_cells, SP),
    INT("task.place_cells_num", task.place_cells_num, POSITIVE, SP),
    FLT("task.place_cells_sigma", task.place_cells_sigma, POSITIVE, SP),
    BOOL("task.place_cells_dog", task.place_cells_dog, SP),
    FLT("task.place_cells_surround_scale", task.place_cells_surround_scale, POSITIVE, SP),
    BOOL("task.use_hd_cells", task.use_hd_cells, HD),
    INT("task.hd_cells_num", task.hd_cells_num, POSITIVE, HD),
    FLT("task.hd_cells_angular_spread", task.hd_cells_angular_spread, POSITIVE, HD),
    INT("task.sequence_length", task.sequence_length, POSITIVE, ALL),
    INT("task.batch_size", task.batch_size, POSITIVE, ALL),
    INT("task.decode_k", task.decode_k, POSITIVE, ALL),
};
#define N_KEYS ((int)(sizeof train_keys / sizeof train_keys[0]))

static const rxcf_schema train_schema = {train_keys, N_KEYS, task_names};

const char *rxcf_task_name(rx_task_kind kind) {
  return (unsigned)kind < 2 ? task_names[kind] : NULL;
}

int rxcf_task_lookup(const char *name, size_t len, rx_task_kind *kind) {
  for (int i = 0; task_names[i]; i++) {
    if (strlen(task_names[i]) == len && strncmp(task_names[i], name, len) == 0) {
      *kind = (rx_task_kind)i;
      return 0;
    }
  }
  return -1;
}

int rxcf_task_of(const char *config, rx_task_kind *kind) {
  const char *slash = strchr(config, '/');
  if (!slash || rxcf_task_lookup(config, (size_t)(slash - config), kind)) return -1;
  const char *name = slash + 1;
  if (!*name || *name == '.') return -1;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_' || *p == '-' || *p == '.'))
      return -1;
  return 0;
}

/* The node that set a key (NULL when it was left to its default). */
static const rxcf_ynode *set_node(const rxcf_ynode **set_by, const char *key) {
  return set_by[rxcf_schema_find(&train_schema, key)];
}

/* The task spec's own checks (the arena's geometry against task.border_region, a start at the
 * origin inside it), blamed on the key their message starts with where it was set; on
 * task.border_region instead when the message names it and it was set in a later layer (the
 * arena fits the box but not the border asked for); else on task.arena. */
static int check_task(const rx_train_config *cfg, const rxcf_ynode **set_by, rx_error *err) {
  rx_task_spec spec;
  rx_config_task_spec(cfg, &spec);
  rx_error e;
  int rc = rx_task_spec_check(&spec, &e);
  if (!rc) return 0;
  char key[64] = "";
  size_t n = strcspn(e.msg, ": ");
  if (n < sizeof key) memcpy(key, e.msg, n), key[n] = '\0';
  int idx = rxcf_schema_find(&train_schema, key);
  const rxcf_ynode *node = idx >= 0 ? set_by[idx] : NULL, *border;
  if (strstr(e.msg + n, "task.border_region") &&
      (border = set_node(set_by, "task.border_region")) && (!node || border->layer > node->layer))
    return rxcf_ynode_fail(border, NULL, err, rc, "%s", e.msg);
  if (node) {
    const char *rest = e.msg + n;
    rest += *rest == ':';
    while (*rest == ' ')
      rest++;
    return rxcf_ynode_fail(node, key, err, rc, "%s", rest);
  }
  if ((node = set_node(set_by, "task.arena")))
    return rxcf_ynode_fail(node, NULL, err, rc, "%s", e.msg);
  return rx_fail(err, rc, "%s", e.msg);
}

static int check_cross(rx_train_config *cfg, const rxcf_ynode **set_by, rx_error *err) {
  int spatial = cfg->task_kind == RX_TASK_SPATIAL, dim = spatial ? 2 : 1;
  int use_cells = spatial ? cfg->task.use_place_cells : cfg->task.use_hd_cells;
  int n_cells = use_cells ? (spatial ? cfg->task.place_cells_num : cfg->task.hd_cells_num) : 2;
  const char *cells_key = spatial ? "task.place_cells_num" : "task.hd_cells_num";
  const char *use_key = spatial ? "task.use_place_cells" : "task.use_hd_cells";
  const rxcf_ynode *node;

  if ((node = set_node(set_by, "rnn.n_in")) && cfg->rnn.n_in != dim)
    return rxcf_ynode_fail(node, "rnn.n_in", err, RX_EINVAL,
                           "must be %d, the input dimension of the %s task", dim,
                           rxcf_task_name(cfg->task_kind));
  cfg->rnn.n_in = dim;

  static const char *const sized[2] = {"rnn.n_out", "rnn.n_init"};
  int *sizes[2] = {&cfg->rnn.n_out, &cfg->rnn.n_init};
  for (int i = 0; i < 2; i++) {
    if ((node = set_node(set_by, sized[i])) && *sizes[i] != n_cells) {
      if (use_cells)
        return rxcf_ynode_fail(node, sized[i], err, RX_EINVAL, "must equal %s (%d)", cells_key,
                               n_cells);
      return rxcf_ynode_fail(node, sized[i], err, RX_EINVAL,
                             "must be 2 when %s is false (the code is the state itself)", use_key);
    }
    *sizes[i] = n_cells;
  }

  if (cfg->rnn.adaptation_strength > 0 && cfg->rnn.adaptation_tau < cfg->rnn.dt) {
    /* alpha_a = dt / tau_a must be <= 1: blame tau_a where it was set, else the strength */
    char dt[32], ta[32];
    rx_format_py_float(cfg->rnn.dt, dt, sizeof dt);
    rx_format_py_float(cfg->rnn.adaptation_tau, ta, sizeof ta);
    if ((node = set_node(set_by, "rnn.adaptation_tau")))
      return rxcf_ynode_fail(node, "rnn.adaptation_tau", err, RX_EINVAL,
                             "must be >= rnn.dt (%s) when rnn.adaptation_strength > 0 (alpha_a = "
                             "dt / tau_a in (0, 1]), got %s",
                             dt, ta);
    return rxcf_ynode_fail(set_node(set_by, "rnn.adaptation_strength"), "rnn.adaptation_strength",
                           err, RX_EINVAL,
                           "> 0 needs rnn.adaptation_tau >= rnn.dt (%s) (alpha_a = dt / tau_a in "
                           "(0, 1]); rnn.adaptation_tau is %s",
                           dt, ta);
  }
  if (cfg->rnn.model == RX_MODEL_GRU && mechanism_on(cfg)) {
    const char *key = cfg->rnn.adaptation_strength > 0 ? "rnn.adaptation_strength" : "rnn.momentum";
    return rxcf_ynode_fail(set_node(set_by, key), key, err, RX_EINVAL,
                           "is for the vanilla cell only (rnn.model is gru): must be 0");
  }

  if (!spatial && use_cells && cfg->task.hd_cells_num < 2)
    return rxcf_ynode_fail(
        set_node(set_by, cells_key), cells_key, err, RX_EINVAL,
        "must be >= 2 (preferred angles run from -pi to pi, both ends included)");

  if (spatial) {
    const rxcf_ynode *cut = set_node(set_by, "task.wall_cut");
    if (cut && !cfg->task.wall_cut && cut_implied(cfg))
      return rxcf_ynode_fail(cut, "task.wall_cut", err, RX_EINVAL,
                             "false is for the plain box only (the paper's model): %s cuts every "
                             "step at the walls",
                             cfg->task.arena != RX_ARENA_BOX ? "an arena other than the box"
                                                             : "a box with task.walls");
    if (!cut) cfg->task.wall_cut = cut_implied(cfg);
    int rc = check_task(cfg, set_by, err);
    if (rc) return rc;
  }

  if (use_cells && cfg->task.decode_k > n_cells) {
    const rxcf_ynode *k = set_node(set_by, "task.decode_k"), *cells = set_node(set_by, cells_key);
    if (cells->layer > k->layer)
      return rxcf_ynode_fail(cells, cells_key, err, RX_EINVAL, "must be >= task.decode_k (%d)",
                             cfg->task.decode_k);
    return rxcf_ynode_fail(k, "task.decode_k", err, RX_EINVAL, "must be <= %s (%d)", cells_key,
                           n_cells);
  }
  return 0;
}

int rxcf_resolve(rx_train_config *cfg, const rxcf_ynode *root, const char *where, rx_error *err) {
  const rxcf_ynode *c = rxcf_ynode_get(root, "config");
  if (!c || c->kind == RXCF_YNODE_NULL)
    return rx_fail(err, RX_EINVAL,
                   "%s: missing key 'config' (the experiment name, e.g. "
                   "spatial_navigation/noisy_unbiased)",
                   where);
  rx_task_kind kind;
  if (c->kind != RXCF_YNODE_SCALAR || rxcf_task_of(c->text, &kind))
    return rxcf_ynode_fail(
        c, "config", err, RX_EINVAL,
        "'%s' is not <task>/<name> with task spatial_navigation or head_direction "
        "and a name of letters, digits, '_', '-', '.'",
        c->text);
  rx_train_config tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.rnn.adaptation_tau = RXCF_ADAPTATION_TAU_DEFAULT; /* the optional mechanisms' defaults */
  tmp.task.arena_radius = RXCF_ARENA_RADIUS_DEFAULT;    /* and the arenas' */
  tmp.task.arena_length = RXCF_ARENA_LENGTH_DEFAULT;
  tmp.task.arena_width = RXCF_ARENA_WIDTH_DEFAULT;
  tmp.task.arena_stem_length = RXCF_ARENA_STEM_DEFAULT;
  tmp.task.arena_arm_length = RXCF_ARENA_ARM_DEFAULT;
  tmp.task.arena_corridor_width = RXCF_ARENA_CORRIDOR_DEFAULT;
  const rxcf_ynode *set_by[N_KEYS];
  int rc = rxcf_schema_resolve(&train_schema, 1u << kind, root, where, &tmp, set_by, err);
  if (rc) return rc;
  tmp.task_kind = kind;
  if ((rc = check_cross(&tmp, set_by, err))) return rc;
  *cfg = tmp;
  return 0;
}

int rx_config_from_yaml(rx_train_config *cfg, const char *yaml_text, const char *origin,
                        rx_error *err) {
  rxcf_ynode *root;
  int rc = rxcf_yaml_parse(&root, yaml_text, strlen(yaml_text), origin, 0, err);
  if (rc) return rc;
  rc = rxcf_resolve(cfg, root, origin, err);
  rxcf_ynode_free(root);
  return rc;
}

int rx_config_to_yaml(const rx_train_config *cfg, char **out, rx_error *err) {
  *out = NULL;
  if (!rxcf_task_name(cfg->task_kind))
    return rx_fail(err, RX_EINVAL, "config: unknown task kind %d", (int)cfg->task_kind);
  return rxcf_schema_to_yaml(&train_schema, 1u << cfg->task_kind, cfg,
                             "# reactivate training config, fully resolved (each key is explained "
                             "in configs/train/base.yml\n# and configs/train/<task>/base.yml)\n",
                             out, err);
}
