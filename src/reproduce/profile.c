/* Reproduction profiles: configs/reproduce/<name>.yml (or a user's file) read into a checked
 * rxp_profile. A profile says which experiments of each task to train, which seeds, the dotted
 * overrides that shrink them (for every run of a task, and per experiment), the analysis
 * overrides, and whether to train the noisy spatial runs again with zero-mean Gaussian noise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "reproduce/reproduce_internal.h"

static const char *const top_keys[] = {"description",        "extends",        "seeds", "gaussian",
                                       "spatial_navigation", "head_direction", NULL};
static const char *const task_keys[] = {"experiments", "train", "analysis", "experiment_train",
                                        NULL};

static int known(const char *const *keys, const char *k) {
  for (; *keys; keys++)
    if (!strcmp(*keys, k)) return 1;
  return 0;
}

static int check_keys(const rxcf_ynode *map, const char *const *keys, const char *const *more,
                      const char *kind, const char *where, rx_error *err) {
  for (int i = 0; i < map->n; i++)
    if (!known(keys, map->items[i]->key) && !(more && known(more, map->items[i]->key)))
      return rxcf_ynode_fail(map->items[i], map->items[i]->key, err, RX_EINVAL,
                             "unknown %s key in %s", kind, where);
  return 0;
}

/* A sequence of scalars (or null: empty) into a NULL-terminated array of pointers into the tree. */
static int read_list(const rxcf_ynode *node, const char *key, const char ***out, int *n,
                     rx_error *err) {
  *out = NULL;
  *n = 0;
  if (!node || node->kind == RXCF_YNODE_NULL) return 0;
  if (node->kind != RXCF_YNODE_SEQ)
    return rxcf_ynode_fail(node, key, err, RX_EINVAL, "expected a list, e.g. [a, b]");
  *out = calloc((size_t)node->n + 1, sizeof(char *));
  if (!*out) return rx_fail(err, RX_ENOMEM, "out of memory reading a profile");
  for (int i = 0; i < node->n; i++) {
    if (node->items[i]->kind != RXCF_YNODE_SCALAR || !*node->items[i]->text)
      return rxcf_ynode_fail(node->items[i], key, err, RX_EINVAL, "list items must be plain words");
    (*out)[(*n)++] = node->items[i]->text;
  }
  return 0;
}

/* Overrides must look like key=value: catch a typo here, with the profile line, before any run. */
static int check_overrides(const rxcf_ynode *node, const char *key, const char *const *list, int n,
                           rx_error *err) {
  for (int i = 0; i < n; i++)
    if (!strchr(list[i], '=') || list[i][0] == '=')
      return rxcf_ynode_fail(node->items[i], key, err, RX_EINVAL,
                             "'%s' is not a key=value override", list[i]);
  return 0;
}

static int read_task(const rxcf_ynode *node, rxp_task *t, const char *kind, int narrow,
                     rx_error *err) {
  if (node->kind != RXCF_YNODE_MAP)
    return rxcf_ynode_fail(node, node->key, err, RX_EINVAL,
                           "expected a mapping of experiments, train, analysis");
  int rc = check_keys(node, task_keys, NULL, kind, node->key, err);
  if (!rc)
    rc = read_list(rxcf_ynode_get(node, "experiments"), "experiments", &t->experiments,
                   &t->n_experiments, err);
  if (!rc) rc = read_list(rxcf_ynode_get(node, "train"), "train", &t->train, &t->n_train, err);
  if (!rc) rc = check_overrides(rxcf_ynode_get(node, "train"), "train", t->train, t->n_train, err);
  if (!rc)
    rc = read_list(rxcf_ynode_get(node, "analysis"), "analysis", &t->analysis, &t->n_analysis, err);
  if (!rc)
    rc = check_overrides(rxcf_ynode_get(node, "analysis"), "analysis", t->analysis, t->n_analysis,
                         err);
  if (rc) return rc;
  if (!t->n_experiments)
    return rxcf_ynode_fail(node, node->key, err, RX_EINVAL, "no experiments listed");
  t->extra = calloc((size_t)t->n_experiments, sizeof *t->extra);
  t->n_extra = calloc((size_t)t->n_experiments, sizeof *t->n_extra);
  if (!t->extra || !t->n_extra) return rx_fail(err, RX_ENOMEM, "out of memory reading a profile");
  const rxcf_ynode *per = rxcf_ynode_get(node, "experiment_train");
  if (!per || per->kind == RXCF_YNODE_NULL) return 0;
  if (per->kind != RXCF_YNODE_MAP)
    return rxcf_ynode_fail(per, "experiment_train", err, RX_EINVAL,
                           "expected a mapping from experiment names to override lists");
  for (int i = 0; i < per->n && !rc; i++) {
    const rxcf_ynode *item = per->items[i];
    int e = 0;
    while (e < t->n_experiments && strcmp(t->experiments[e], item->key))
      e++;
    if (e == t->n_experiments && narrow) continue; /* an experiment the file left out */
    if (e == t->n_experiments)
      return rxcf_ynode_fail(item, item->key, err, RX_EINVAL, "not one of this task's experiments");
    rc = read_list(item, item->key, &t->extra[e], &t->n_extra[e], err);
    if (!rc) rc = check_overrides(item, item->key, t->extra[e], t->n_extra[e], err);
  }
  return rc;
}

static int read_seeds(const rxcf_ynode *node, rxp_profile *p, rx_error *err) {
  if (!node) {
    p->n_seeds = 1;
    p->seeds[0] = 0;
    return 0;
  }
  if (node->kind == RXCF_YNODE_SCALAR) {
    rx_error e2 = {{0}};
    if (rx_seed_list_parse(node->text, p->seeds, RX_PLAN_MAX_SEEDS, &p->n_seeds, NULL, &e2))
      return rxcf_ynode_fail(node, "seeds", err, RX_EINVAL, "%s", e2.msg);
    return 0;
  }
  if (node->kind != RXCF_YNODE_SEQ || node->n == 0 || node->n > RX_PLAN_MAX_SEEDS)
    return rxcf_ynode_fail(node, "seeds", err, RX_EINVAL,
                           "expected a list of seeds or a range like 0-4");
  char text[4096] = "";
  size_t len = 0;
  for (int i = 0; i < node->n; i++) {
    const char *s = node->items[i]->text ? node->items[i]->text : "";
    int w = snprintf(text + len, sizeof text - len, "%s%s", i ? "," : "", s);
    if (w < 0 || (size_t)w >= sizeof text - len)
      return rxcf_ynode_fail(node, "seeds", err, RX_EINVAL, "seed list too long");
    len += (size_t)w;
  }
  rx_error e2 = {{0}};
  if (rx_seed_list_parse(text, p->seeds, RX_PLAN_MAX_SEEDS, &p->n_seeds, NULL, &e2))
    return rxcf_ynode_fail(node, "seeds", err, RX_EINVAL, "%s", e2.msg);
  return 0;
}

static int is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A bundled name (configs/reproduce/<name>.yml) or a file path. */
static int find_profile(const char *name, char *path, size_t n, rx_error *err) {
  if (strchr(name, '/') || strstr(name, ".yml") || strstr(name, ".yaml")) {
    if (!is_file(name)) return rx_fail(err, RX_EIO, "profile file %s not found", name);
    if ((size_t)snprintf(path, n, "%s", name) >= n)
      return rx_fail(err, RX_EINVAL, "profile path too long");
    return 0;
  }
  char dir[2048];
  int rc = rx_config_dir(dir, sizeof dir, err);
  if (rc) return rc;
  if ((size_t)snprintf(path, n, "%s/reproduce/%s.yml", dir, name) >= n)
    return rx_fail(err, RX_EINVAL, "profile name too long: %s", name);
  if (!is_file(path))
    return rx_fail(err, RX_EINVAL,
                   "unknown profile '%s' (bundled: quick, paper, mechanisms, mini; or give a YAML "
                   "file)",
                   name);
  return 0;
}

/* The profile's tree with what it `extends` merged under it (the named profile first, this
 * one's keys over it: mappings key by key, lists replaced), up to a few levels deep. */
static int load_tree(rxp_profile *p, const char *name, int depth, char *path, size_t n_path,
                     char **text, rxcf_ynode **root, rx_error *err) {
  size_t len = 0;
  int rc = find_profile(name, path, n_path, err);
  if (!rc) rc = rx_read_file(path, text, &len, 1 << 20, err);
  if (!rc) rc = rxcf_yaml_parse(root, *text, len, path, 4 - depth, err); /* bases: lower layers */
  if (rc) return rc;
  if (depth == 0 && p) { /* what the file itself says, before what it extends is merged in */
    for (int t = 0; t < 2; t++)
      p->own_task[t] = rxcf_ynode_get(*root, p->tasks[t].name) != NULL;
    p->own_gaussian = rxcf_ynode_get(*root, "gaussian") != NULL;
    p->own_description = rxcf_ynode_get(*root, "description") != NULL;
  }
  const rxcf_ynode *ext = rxcf_ynode_get(*root, "extends");
  if (!ext) return 0;
  if (ext->kind != RXCF_YNODE_SCALAR || !*ext->text)
    return rxcf_ynode_fail(ext, "extends", err, RX_EINVAL, "expected a profile name, e.g. quick");
  if (depth >= 4)
    return rxcf_ynode_fail(ext, "extends", err, RX_EINVAL,
                           "profiles extend each other more than 4 levels deep (a cycle?)");
  char base_path[2048];
  char *base_text = NULL;
  rxcf_ynode *base = NULL;
  rc = load_tree(NULL, ext->text, depth + 1, base_path, sizeof base_path, &base_text, &base, err);
  free(base_text); /* the tree holds copies of its strings */
  if (!rc) {
    rc = rxcf_ynode_merge(base, *root, err); /* consumes *root */
    *root = base;
  } else {
    rxcf_ynode_free(base);
  }
  return rc;
}

int rxp_profile_load(rxp_profile *p, const char *name, const rxp_load_opts *opts, rx_error *err) {
  memset(p, 0, sizeof *p);
  p->tasks[0].name = "spatial_navigation";
  p->tasks[1].name = "head_direction";
  const char *kind = opts && opts->kind ? opts->kind : "profile";
  int rc = load_tree(p, name, 0, p->path, sizeof p->path, &p->text, &p->root, err);
  if (rc) return rc;
  const rxcf_ynode *root = p->root;
  char where[64];
  snprintf(where, sizeof where, "the %s%s", kind, opts ? " file" : "");
  if ((rc = check_keys(root, top_keys, opts ? opts->extra_keys : NULL, kind, where, err)))
    return rc;
  const rxcf_ynode *d = rxcf_ynode_get(root, "description");
  if (d && d->kind == RXCF_YNODE_SCALAR)
    snprintf(p->description, sizeof p->description, "%s", d->text);
  if ((rc = read_seeds(rxcf_ynode_get(root, "seeds"), p, err))) return rc;
  const rxcf_ynode *g = rxcf_ynode_get(root, "gaussian");
  if (g) {
    if (g->kind == RXCF_YNODE_SCALAR && !strcmp(g->text, "true"))
      p->gaussian = 1;
    else if (!(g->kind == RXCF_YNODE_SCALAR && !strcmp(g->text, "false")))
      return rxcf_ynode_fail(g, "gaussian", err, RX_EINVAL, "expected true or false");
  }
  int any = 0;
  for (int t = 0; t < 2 && !rc; t++) {
    const rxcf_ynode *node = rxcf_ynode_get(root, p->tasks[t].name);
    if (!node) continue;
    p->tasks[t].present = any = 1;
    rc = read_task(node, &p->tasks[t], kind, opts && opts->narrow, err);
  }
  if (!rc && !any)
    rc = rx_fail(err, RX_EINVAL, "%s: the %s names no task (spatial_navigation, head_direction)",
                 p->path, kind);
  return rc;
}

void rxp_profile_free(rxp_profile *p) {
  for (int t = 0; t < 2; t++) {
    rxp_task *k = &p->tasks[t];
    for (int e = 0; k->extra && e < k->n_experiments; e++)
      free((void *)k->extra[e]);
    free(k->extra);
    free(k->n_extra);
    free((void *)k->experiments);
    free((void *)k->train);
    free((void *)k->analysis);
  }
  rxcf_ynode_free(p->root);
  free(p->text);
  memset(p, 0, sizeof *p);
}
