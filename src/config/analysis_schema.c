/* The analysis config (configs/analysis/ YAML files + overrides) resolved with the same schema
 * mechanism as training configs: unknown keys, wrong types and impossible values are refused
 * with one line naming the key and where it came from. */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config/schema.h"
#include "config/train_config.h"
#include "reactivate/analyze.h"
#include "reactivate/config.h"

static const char *const task_names[] = {"spatial_navigation", "head_direction", NULL};
static const char *const rule_names[] = {"default", "scaled", "same", NULL};

#define AT(f) .offset = offsetof(rx_analysis_config, f)
#define INT(n, f, r)                                                                               \
  { .name = (n), .type = RXCF_KEY_INT, AT(f), .range = RXCF_RANGE_##r }
#define FLT(n, f, r)                                                                               \
  { .name = (n), .type = RXCF_KEY_FLOAT, AT(f), .range = RXCF_RANGE_##r }
#define STR(n, f)                                                                                  \
  { .name = (n), .type = RXCF_KEY_STRING, AT(f), .size = sizeof(((rx_analysis_config *)0)->f) }

static const rxcf_key analysis_keys[] = {
    {.name = "task", .type = RXCF_KEY_ENUM, AT(task), .names = task_names},
    INT("seed", seed, NONNEG),
    FLT("noise", noise, POSITIVE),
    INT("epoch", epoch, ANY),
    {.name = "path",
     .type = RXCF_KEY_STRING,
     AT(path),
     .size = sizeof(((rx_analysis_config *)0)->path)},
    {.name = "gru", .type = RXCF_KEY_BOOL, AT(gru)},
    {.name = "mechanisms", .type = RXCF_KEY_BOOL, AT(mechanisms)},
    {.name = "rnn.adaptation_strength",
     .type = RXCF_KEY_FLOAT,
     AT(offline.adaptation_strength),
     .range = RXCF_RANGE_NONNEG,
     .optional = 1},
    {.name = "rnn.adaptation_tau",
     .type = RXCF_KEY_FLOAT,
     AT(offline.adaptation_tau),
     .range = RXCF_RANGE_POSITIVE,
     .optional = 1},
    {.name = "rnn.momentum",
     .type = RXCF_KEY_FLOAT,
     AT(offline.momentum),
     .range = RXCF_RANGE_NONNEG,
     .optional = 1},
    {.name = "rule", .type = RXCF_KEY_ENUM, AT(rule), .names = rule_names},
    INT("t_quiescent", t_quiescent, POSITIVE),
    INT("batch_size", batch_size, POSITIVE),
    INT("kl.n_samples", kl.n_samples, POSITIVE),
    FLT("random.absolute_noise", random.absolute_noise, NONNEG),
    INT("variance.batch_size", variance.batch_size, POSITIVE),
    INT("variance.t_total", variance.t_total, POSITIVE),
    INT("variance.t_skip", variance.t_skip, NONNEG),
    INT("distance.t_quiescent", distance.t_quiescent, POSITIVE),
    FLT("distance.absolute_noise", distance.absolute_noise, NONNEG),
    INT("pca.batch_size", pca.batch_size, POSITIVE),
    INT("pca.t_active", pca.t_active, POSITIVE),
    INT("pca.t_quiescent", pca.t_quiescent, POSITIVE),
    INT("pca.k", pca.k, POSITIVE),
    INT("hd.bins", hd.bins, POSITIVE),
    FLT("probes.noise", probes.noise, POSITIVE),
    INT("mixing.batch_size", mixing.batch_size, POSITIVE),
    INT("mixing.t_total", mixing.t_total, POSITIVE),
    INT("mixing.window", mixing.window, POSITIVE),
    INT("mixing.kl_samples", mixing.kl_samples, POSITIVE),
    INT("mixing.stride", mixing.stride, POSITIVE),
    STR("mixing.start_point", mixing.start_point),
    INT("score.t_skip", score.t_skip, NONNEG),
    INT("score.bins", score.bins, POSITIVE),
    INT("score.min_count", score.min_count, POSITIVE),
    INT("score.n_perm", score.n_perm, NONNEG),
    STR("temperature.k", temperature.k),
    INT("temperature.batch_size", temperature.batch_size, POSITIVE),
    INT("temperature.t_total", temperature.t_total, POSITIVE),
    INT("temperature.t_skip", temperature.t_skip, NONNEG),
    INT("temperature.grid", temperature.grid, POSITIVE),
    INT("diffusion.t_skip", diffusion.t_skip, NONNEG),
    INT("diffusion.tau_max", diffusion.tau_max, POSITIVE),
    INT("diffusion.tau_max_active", diffusion.tau_max_active, POSITIVE),
    FLT("replay.bin_size", replay.bin_size, POSITIVE),
    FLT("replay.bin_degrees", replay.bin_degrees, POSITIVE),
    INT("replay.batch_size", replay.batch_size, POSITIVE),
    INT("replay.t_burn", replay.t_burn, NONNEG),
    INT("replay.t_total", replay.t_total, POSITIVE),
    INT("replay.event_steps", replay.event_steps, POSITIVE),
    INT("replay.n_shuffles", replay.n_shuffles, POSITIVE),
    FLT("replay.alpha", replay.alpha, POSITIVE),
    INT("replay.n_speeds", replay.n_speeds, POSITIVE),
    FLT("replay.v_max", replay.v_max, NONNEG),
    INT("replay.band", replay.band, NONNEG),
    INT("replay.n_examples", replay.n_examples, NONNEG),
};
enum { N_KEYS = sizeof analysis_keys / sizeof analysis_keys[0] };
static const char *const no_variants[] = {NULL};
static const rxcf_schema analysis_schema = {analysis_keys, N_KEYS, no_variants};

/* Parses "a,b,..." (numbers, spaces allowed) into at most max values; returns the count, or -1
 * with what is wrong in why. */
static int parse_numbers(const char *text, double *v, int max, char *why, size_t n_why) {
  int n = 0;
  const char *p = text;
  while (1) {
    char item[64];
    size_t len = strcspn(p, ",");
    while (len && (*p == ' '))
      p++, len--;
    while (len && p[len - 1] == ' ')
      len--;
    if (!len || len >= sizeof item) {
      snprintf(why, n_why, "item %d is %s", n + 1, len ? "too long" : "empty");
      return -1;
    }
    memcpy(item, p, len);
    item[len] = 0;
    if (n == max) {
      snprintf(why, n_why, "more than %d values", max);
      return -1;
    }
    if (rxcf_parse_number(item, &v[n])) {
      snprintf(why, n_why, "'%s' is not a number", item);
      return -1;
    }
    n++;
    p += strcspn(p, ",");
    if (!*p) return n;
    p++;
  }
}

/* The probes' list-valued and text keys: temperature.k (positive, ascending, distinct) and
 * mixing.start_point ("default", or one value per output dimension). */
static int check_probes(rx_analysis_config *c, const rxcf_ynode *const *set_by, rx_error *err) {
  char why[128];
  int i_k = rxcf_schema_find(&analysis_schema, "temperature.k");
  c->temperature.n_k =
      parse_numbers(c->temperature.k, c->temperature.ks, RX_TEMPERATURE_MAX_K, why, sizeof why);
  if (c->temperature.n_k < 0)
    return rxcf_ynode_fail(set_by[i_k], "temperature.k", err, RX_EINVAL,
                           "must be a list of noise multipliers like 0.5,1,2,4,8: %s", why);
  for (int i = 0; i < c->temperature.n_k; i++)
    if (!(c->temperature.ks[i] > 0) || (i && c->temperature.ks[i] <= c->temperature.ks[i - 1]))
      return rxcf_ynode_fail(set_by[i_k], "temperature.k", err, RX_EINVAL,
                             "must be positive and ascending (got %s)", c->temperature.k);
  if (c->temperature.n_k < 2)
    return rxcf_ynode_fail(set_by[i_k], "temperature.k", err, RX_EINVAL,
                           "needs at least 2 values to fit a slope (got %s)", c->temperature.k);
  int i_p = rxcf_schema_find(&analysis_schema, "mixing.start_point");
  c->mixing.has_point = strcmp(c->mixing.start_point, "default") != 0;
  if (c->mixing.has_point) {
    const int dim = c->task == RX_TASK_HEAD_DIRECTION ? 1 : 2;
    int n = parse_numbers(c->mixing.start_point, c->mixing.point, 2, why, sizeof why);
    if (n != dim)
      return rxcf_ynode_fail(set_by[i_p], "mixing.start_point", err, RX_EINVAL,
                             "must be default or %s (got %s%s%s)",
                             dim == 2 ? "x,y in metres" : "a heading in radians",
                             c->mixing.start_point, n < 0 ? ": " : "", n < 0 ? why : "");
  }
  if (c->temperature.grid < 8) {
    int k = rxcf_schema_find(&analysis_schema, "temperature.grid");
    return rxcf_ynode_fail(set_by[k], "temperature.grid", err, RX_EINVAL,
                           "must be at least 8 points per axis (got %d)", c->temperature.grid);
  }
  if (c->mixing.window % c->mixing.stride || c->mixing.t_total % c->mixing.stride) {
    int k = rxcf_schema_find(&analysis_schema, "mixing.stride");
    return rxcf_ynode_fail(set_by[k], "mixing.stride", err, RX_EINVAL,
                           "must divide mixing.window (%d) and mixing.t_total (%d) (got %d)",
                           c->mixing.window, c->mixing.t_total, c->mixing.stride);
  }
  struct {
    const char *key;
    int skip, total;
  } windows[] = {
      {"mixing.window", c->mixing.window * 4, c->mixing.t_total},
      {"score.t_skip", c->score.t_skip + 2, c->mixing.t_total},
      {"diffusion.t_skip", c->diffusion.t_skip + c->diffusion.tau_max + 1, c->mixing.t_total},
      {"temperature.t_skip", c->temperature.t_skip + 2, c->temperature.t_total}};
  for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++)
    if (windows[i].skip > windows[i].total) {
      int k = rxcf_schema_find(&analysis_schema, windows[i].key);
      return rxcf_ynode_fail(set_by[k], windows[i].key, err, RX_EINVAL,
                             "does not fit in %s steps (%d): %s",
                             i < 3 ? "mixing.t_total" : "temperature.t_total", windows[i].total,
                             i == 0   ? "the plateau needs 4 windows"
                             : i == 2 ? "it must leave diffusion.tau_max + 1 steps"
                                      : "it must leave at least 2 steps");
    }
  return RX_OK;
}

/* Replay's settings (docs/replay.md §7): events that fit, ids that stay unique, nulls that can
 * reach significance, ring bins the line's band does not cover. */
#define REPLAY_MAX_EVENTS (1 << 25) /* event ids: the index in the low 25 bits (replay.c) */
static int check_replay(const rx_analysis_config *c, const rxcf_ynode *const *set_by,
                        rx_error *err) {
#define REPLAY_FAIL(key, ...)                                                                      \
  rxcf_ynode_fail(set_by[rxcf_schema_find(&analysis_schema, key)], key, err, RX_EINVAL, __VA_ARGS__)
  const int E = c->replay.event_steps;
  if (E < 3 || E > 65536)
    return REPLAY_FAIL("replay.event_steps",
                       "must be 3 to 65536 steps (a path fit needs 3 points) (got %d)", E);
  if (c->replay.t_total % E)
    return REPLAY_FAIL("replay.t_total",
                       "must be a multiple of replay.event_steps (%d): events are the "
                       "non-overlapping windows (got %d)",
                       E, c->replay.t_total);
  const int windows = c->replay.t_total / E; /* exact: t_total is a multiple of E */
  const double events = (double)c->replay.batch_size * windows;
  if (events >= REPLAY_MAX_EVENTS)
    return REPLAY_FAIL("replay.batch_size",
                       "gives %.0f events per network (replay.batch_size x replay.t_total / "
                       "replay.event_steps), at most %d",
                       events, REPLAY_MAX_EVENTS - 1);
  if (!(c->replay.alpha <= 1))
    return REPLAY_FAIL("replay.alpha", "must be in (0, 1] (got %g)", c->replay.alpha);
  if (c->replay.n_shuffles > 1000000)
    return REPLAY_FAIL("replay.n_shuffles", "must be at most 1000000 (got %d)",
                       c->replay.n_shuffles);
  if (!(1.0 / (c->replay.n_shuffles + 1) < c->replay.alpha))
    return REPLAY_FAIL("replay.n_shuffles",
                       "%d shuffles give p-values of at least 1/%d, never below replay.alpha %g",
                       c->replay.n_shuffles, c->replay.n_shuffles + 1, c->replay.alpha);
  if (c->replay.n_speeds > 100001)
    return REPLAY_FAIL("replay.n_speeds", "must be 1 to 100001 (got %d)", c->replay.n_speeds);
  if (c->replay.n_examples > 64)
    return REPLAY_FAIL("replay.n_examples", "must be 0 to 64 (got %d)", c->replay.n_examples);
  const double ring = 360.0 / c->replay.bin_degrees;
  if (!(ring >= 0.5 && ring < 10000.5) || (int)lround(ring) <= 2 * c->replay.band + 1)
    return REPLAY_FAIL("replay.bin_degrees",
                       "%g degrees give %.0f ring bins; the line's band (+-%d, replay.band) "
                       "needs more than %d, and at most 10000",
                       c->replay.bin_degrees, ring, c->replay.band, 2 * c->replay.band + 1);
  if (c->replay.v_max > lround(ring))
    return REPLAY_FAIL("replay.v_max", "must be at most the %ld ring bins (got %g)", lround(ring),
                       c->replay.v_max);
  return RX_OK;
#undef REPLAY_FAIL
}

/* Cross-field checks, blaming the key that was set last. */
static int check_cross(rx_analysis_config *c, const rxcf_ynode *const *set_by, rx_error *err) {
  int i_skip = rxcf_schema_find(&analysis_schema, "variance.t_skip");
  if (c->variance.t_skip + 2 > c->variance.t_total)
    return rxcf_ynode_fail(set_by[i_skip], "variance.t_skip", err, RX_EINVAL,
                           "must leave at least 2 of variance.t_total (%d) steps (got %d)",
                           c->variance.t_total, c->variance.t_skip);
  int i_k = rxcf_schema_find(&analysis_schema, "pca.k");
  if (c->pca.k > 512)
    return rxcf_ynode_fail(set_by[i_k], "pca.k", err, RX_EINVAL, "must be <= 512 (got %d)",
                           c->pca.k);
  if (c->epoch < -1) {
    int i = rxcf_schema_find(&analysis_schema, "epoch");
    return rxcf_ynode_fail(set_by[i], "epoch", err, RX_EINVAL,
                           "must be a step number >= 0, or -1 for each run's last (got %d)",
                           c->epoch);
  }
  if (c->gru && c->mechanisms) {
    int i = rxcf_schema_find(&analysis_schema, "mechanisms");
    return rxcf_ynode_fail(set_by[i], "mechanisms", err, RX_EINVAL,
                           "and gru=true name two families: analyse one at a time");
  }
  static const char *const offline_keys[3] = {"rnn.adaptation_strength", "rnn.adaptation_tau",
                                              "rnn.momentum"};
  c->offline.set = 0;
  for (unsigned k = 0; k < 3; k++)
    if (set_by[rxcf_schema_find(&analysis_schema, offline_keys[k])]) c->offline.set |= 1u << k;
  if ((c->offline.set & 4u) && !(c->offline.momentum < 1)) {
    int i = rxcf_schema_find(&analysis_schema, "rnn.momentum");
    return rxcf_ynode_fail(set_by[i], "rnn.momentum", err, RX_EINVAL, "must be in [0, 1) (got %g)",
                           c->offline.momentum);
  }
  if (c->offline.set && c->gru) {
    const char *key = offline_keys[c->offline.set & 1u ? 0 : c->offline.set & 2u ? 1 : 2];
    return rxcf_ynode_fail(set_by[rxcf_schema_find(&analysis_schema, key)], key, err, RX_EINVAL,
                           "applies to the vanilla cell only, not to the GRU runs (gru=true)");
  }
  int rc = check_probes(c, set_by, err);
  return rc ? rc : check_replay(c, set_by, err);
}

int rx_analysis_family(const rx_analysis_config *cfg) {
  return cfg->gru ? RX_FAMILY_GRU : cfg->mechanisms ? RX_FAMILY_MECHANISMS : RX_FAMILY_MAIN;
}

int rx_analysis_prefix(const rx_analysis_config *cfg, char *buf, size_t n) {
  const char *family = rx_results_prefix(rx_analysis_family(cfg), cfg->rule);
  if (!family) return RX_EINVAL;
  size_t len = (size_t)snprintf(buf, n, "%s", family);
  if (cfg->offline.set) {
    static const char *const tags[3] = {"adaptation", "adaptationtau", "momentum"};
    const double values[3] = {cfg->offline.adaptation_strength, cfg->offline.adaptation_tau,
                              cfg->offline.momentum};
    const char *sep = "offline_";
    for (int k = 0; k < 3 && len < n; k++)
      if (cfg->offline.set & (1u << k)) {
        char v[64];
        rx_format_py_float(values[k], v, sizeof v);
        len += (size_t)snprintf(buf + len, n - len, "%s%s%s", sep, tags[k], v);
        sep = "-";
      }
    if (len < n) len += (size_t)snprintf(buf + len, n - len, "_");
  }
  return len < n ? RX_OK : RX_EINVAL;
}

/* The task named by a "task=..." override, else spatial navigation (picks analysis/<task>.yml). */
static const char *task_from_overrides(int n, const char *const *ov) {
  const char *task = task_names[0];
  for (int i = 0; i < n; i++)
    if (!strncmp(ov[i], "task=", 5))
      for (int t = 0; task_names[t]; t++)
        if (!strcmp(ov[i] + 5, task_names[t])) task = task_names[t];
  return task;
}

int rx_analysis_config_load(rx_analysis_config *cfg, int n_overrides, const char *const *overrides,
                            rx_error *err) {
  char dir[PATH_MAX], path[PATH_MAX + 64];
  int rc = rx_config_dir(dir, sizeof dir, err);
  if (rc) return rc;
  rxcf_ynode *root = NULL, *layer = NULL;
  snprintf(path, sizeof path, "%s/analysis/base.yml", dir);
  if ((rc = rxcf_yaml_parse_file(&root, path, 0, err))) return rc;
  snprintf(path, sizeof path, "%s/analysis/%s.yml", dir,
           task_from_overrides(n_overrides, overrides));
  if ((rc = rxcf_yaml_parse_file(&layer, path, 1, err)) ||
      (rc = rxcf_ynode_merge(root, layer, err))) {
    rxcf_ynode_free(root);
    return rc;
  }
  for (int i = 0; i < n_overrides && !rc; i++)
    rc = rxcf_yaml_apply_override(root, overrides[i], 2 + i, err);
  rx_analysis_config tmp;
  memset(&tmp, 0, sizeof tmp);
  const rxcf_ynode *set_by[N_KEYS];
  if (!rc)
    rc = rxcf_schema_resolve(&analysis_schema, 1u, root, "analysis config", &tmp, set_by, err);
  if (!rc) rc = check_cross(&tmp, set_by, err);
  rxcf_ynode_free(root);
  if (!rc) *cfg = tmp;
  return rc;
}
