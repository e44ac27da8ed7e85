/* The analysis config (configs/analysis/ YAML files + overrides) resolved with the same schema
 * mechanism as training configs: unknown keys, wrong types and impossible values are refused
 * with one line naming the key and where it came from. */
#include <limits.h>
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
};
enum { N_KEYS = sizeof analysis_keys / sizeof analysis_keys[0] };
static const char *const no_variants[] = {NULL};
static const rxcf_schema analysis_schema = {analysis_keys, N_KEYS, no_variants};

/* Cross-field checks, blaming the key that was set last. */
static int check_cross(const rx_analysis_config *c, const rxcf_ynode *const *set_by,
                       rx_error *err) {
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
  return RX_OK;
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
