/* Finding and layering training configs: rx_config_dir locates the bundled configs, and
 * rx_config_load merges train/base.yml, train/<task>/base.yml and the experiment (or the user's
 * own file), then the command-line overrides, and resolves the result (train_schema.c). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/train_config.h"

#define TASK_LIST "spatial_navigation, head_direction"

static int is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int has_train_base(const char *dir) {
  char path[PATH_MAX + 32];
  int len = snprintf(path, sizeof path, "%s/train/base.yml", dir);
  return len > 0 && (size_t)len < sizeof path && is_file(path);
}

static int copy_dir(const char *dir, char *buf, size_t n, rx_error *err) {
  if (strlen(dir) >= n) return rx_fail(err, RX_EINVAL, "config directory path too long: %s", dir);
  strcpy(buf, dir);
  return 0;
}

int rx_config_dir(char *buf, size_t n, rx_error *err) {
  const char *env = getenv("REACTIVATE_CONFIG_DIR");
  if (env && *env && has_train_base(env)) return copy_dir(env, buf, n, err);
  char exe[PATH_MAX], cand[PATH_MAX + 64];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      snprintf(cand, sizeof cand, "%s/../share/reactivate/configs", exe);
      if (has_train_base(cand)) return copy_dir(cand, buf, n, err);
    }
  }
#ifdef RX_INSTALL_CONFIG_DIR
  if (has_train_base(RX_INSTALL_CONFIG_DIR)) return copy_dir(RX_INSTALL_CONFIG_DIR, buf, n, err);
#endif
#ifdef RX_SOURCE_CONFIG_DIR
  if (has_train_base(RX_SOURCE_CONFIG_DIR)) return copy_dir(RX_SOURCE_CONFIG_DIR, buf, n, err);
#endif
  return rx_fail(err, RX_EIO,
                 "cannot find the bundled configs (a directory holding train/base.yml): set "
                 "REACTIVATE_CONFIG_DIR%s",
                 env && *env ? " (it is set, but has no train/base.yml)" : "");
}

static int cmp_names(const void *a, const void *b) { return strcmp(a, b); }

/* "a, b, c": the experiments of a task (its .yml files other than base.yml), sorted. */
static void list_experiments(const char *dir, const char *task, char *buf, size_t n) {
  char path[PATH_MAX + 64], names[64][128];
  int count = 0;
  buf[0] = '\0';
  snprintf(path, sizeof path, "%s/train/%s", dir, task);
  DIR *d = opendir(path);
  if (!d) return;
  for (struct dirent *e; (e = readdir(d)) && count < 64;) {
    size_t len = strlen(e->d_name);
    if (len < 5 || len - 4 >= sizeof names[0] || strcmp(e->d_name + len - 4, ".yml") != 0 ||
        strcmp(e->d_name, "base.yml") == 0)
      continue;
    memcpy(names[count], e->d_name, len - 4);
    names[count++][len - 4] = '\0';
  }
  closedir(d);
  qsort(names, (size_t)count, sizeof names[0], cmp_names);
  for (int i = 0; i < count; i++) {
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "%s%s", i ? ", " : "", names[i]);
  }
}

static int unknown_experiment(const char *dir, const char *name, rx_error *err) {
  const char *slash = strchr(name, '/');
  rx_task_kind kind;
  if (!slash || rxcf_task_lookup(name, (size_t)(slash - name), &kind))
    return rx_fail(err, RX_EINVAL,
                   "unknown experiment '%s': expected <task>/<name> with task one of " TASK_LIST
                   " (e.g. spatial_navigation/noisy_unbiased), or a path to a .yml file",
                   name);
  char list[1024];
  list_experiments(dir, rxcf_task_name(kind), list, sizeof list);
  return rx_fail(err, RX_EINVAL, "unknown experiment '%s' (available for %s: %s)", name,
                 rxcf_task_name(kind), *list ? list : "none");
}

static int ends_with(const char *s, const char *suffix) {
  size_t ls = strlen(s), lx = strlen(suffix);
  return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* The task of a user's file: its `config` key, else the name of the directory holding it (then
 * config_name receives "<task>/<file name without .yml>"). */
static int task_of_user_file(const rxcf_ynode *file, const char *path, rx_task_kind *kind,
                             char *config_name, size_t n, rx_error *err) {
  const rxcf_ynode *c = rxcf_ynode_get(file, "config");
  if (c && c->kind != RXCF_YNODE_NULL) {
    if (c->kind == RXCF_YNODE_SCALAR && !rxcf_task_of(c->text, kind)) return 0;
    return rxcf_ynode_fail(c, "config", err, RX_EINVAL,
                           "'%s' is not <task>/<name> with task one of " TASK_LIST, c->text);
  }
  char *real = realpath(path, NULL);
  const char *full = real ? real : path;
  const char *base = strrchr(full, '/'), *parent = full;
  base = base ? base + 1 : full;
  for (const char *p = full; p + 1 < base; p++)
    if (*p == '/') parent = p + 1;
  size_t stem = strlen(base) - (ends_with(base, ".yaml") ? 5 : ends_with(base, ".yml") ? 4 : 0);
  int rc = 0;
  if (base > full && !rxcf_task_lookup(parent, (size_t)(base - 1 - parent), kind)) {
    int len = snprintf(config_name, n, "%s/%.*s", rxcf_task_name(*kind), (int)stem, base);
    if (len < 0 || (size_t)len >= n || rxcf_task_of(config_name, kind))
      rc = rx_fail(err, RX_EINVAL,
                   "%s: the file name cannot serve as the experiment name: set `config: %s/<name>`",
                   path, rxcf_task_name(*kind));
  } else {
    rc = rx_fail(err, RX_EINVAL,
                 "cannot tell the task of %s: set `config: spatial_navigation/<name>` or "
                 "`config: head_direction/<name>` in it",
                 path);
  }
  free(real);
  return rc;
}

int rx_config_load(rx_train_config *cfg, const char *name_or_path, int n_overrides,
                   const char *const *overrides, rx_error *err) {
  if (!name_or_path || !*name_or_path)
    return rx_fail(err, RX_EINVAL,
                   "no experiment given (e.g. spatial_navigation/noisy_unbiased, or a .yml file)");
  char dir[PATH_MAX], path[PATH_MAX + 512], config_name[256] = "";
  int rc = rx_config_dir(dir, sizeof dir, err);
  if (rc) return rc;
  int is_path =
      ends_with(name_or_path, ".yml") || ends_with(name_or_path, ".yaml") || is_file(name_or_path);
  rxcf_ynode *root = NULL, *layer = NULL;
  rx_task_kind kind = RX_TASK_SPATIAL;
  if (is_path) {
    if ((rc = rxcf_yaml_parse_file(&layer, name_or_path, 2, err))) goto done;
    rc = task_of_user_file(layer, name_or_path, &kind, config_name, sizeof config_name, err);
  } else if (rxcf_task_of(name_or_path, &kind) || strlen(name_or_path) >= sizeof config_name) {
    rc = unknown_experiment(dir, name_or_path, err);
  } else {
    snprintf(path, sizeof path, "%s/train/%s.yml", dir, name_or_path);
    if (!is_file(path)) {
      rc = unknown_experiment(dir, name_or_path, err);
    } else {
      strcpy(config_name, name_or_path);
      rc = rxcf_yaml_parse_file(&layer, path, 2, err);
    }
  }
  if (rc) goto done;

  /* base, task base, experiment: each merged over the last */
  snprintf(path, sizeof path, "%s/train/base.yml", dir);
  if ((rc = rxcf_yaml_parse_file(&root, path, 0, err))) goto done;
  rxcf_ynode *task_base;
  snprintf(path, sizeof path, "%s/train/%s/base.yml", dir, rxcf_task_name(kind));
  if ((rc = rxcf_yaml_parse_file(&task_base, path, 1, err))) goto done;
  if ((rc = rxcf_ynode_merge(root, task_base, err))) goto done;
  rc = rxcf_ynode_merge(root, layer, err);
  layer = NULL;
  if (rc) goto done;
  if (*config_name &&
      (rc = rxcf_ynode_set_scalar(root, "config", config_name,
                                  is_path ? name_or_path : "experiment name", 2, err)))
    goto done;
  for (int i = 0; i < n_overrides; i++)
    if ((rc = rxcf_yaml_apply_override(root, overrides[i], 3 + i, err))) goto done;

  /* the base files are those of the task: an override of `config` may rename, not change it */
  const rxcf_ynode *c = rxcf_ynode_get(root, "config");
  rx_task_kind final;
  if (c && c->kind == RXCF_YNODE_SCALAR && !rxcf_task_of(c->text, &final) && final != kind) {
    rc = rxcf_ynode_fail(c, "config", err, RX_EINVAL,
                         "the task cannot change from %s (its base files are loaded): load a %s "
                         "experiment instead",
                         rxcf_task_name(kind), rxcf_task_name(final));
    goto done;
  }
  rc = rxcf_resolve(cfg, root, name_or_path, err);
done:
  rxcf_ynode_free(layer);
  rxcf_ynode_free(root);
  return rc;
}
