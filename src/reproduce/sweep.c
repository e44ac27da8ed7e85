/* Sweep files (docs/sweep.md) read into an rx_sweep: the profile they extend narrowed to the
 * tasks and experiments they name, the grid checked value by value against the training config,
 * and the cartesian product expanded into one plan whose points each have their own results
 * root. Reading profiles and building a point's plan are profile.c's and plan.c's; the names of
 * the points' directories are src/results' (layout.c); the report is src/report's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/config.h"
#include "reactivate/results.h"
#include "reactivate/sweep.h"
#include "reproduce/reproduce_internal.h"

static const char *const sweep_keys[] = {"grid", NULL};

/* Keys the sweep sets itself, per run: never swept. */
static const char *const reserved[] = {"seed", "path", "config", NULL};

static int read_key(const rxp_profile *pr, const rxcf_ynode *node, rx_sweep_key *k, rx_error *err) {
  for (const char *const *r = reserved; *r; r++)
    if (!strcmp(node->key, *r))
      return rxcf_ynode_fail(node, node->key, err, RX_EINVAL,
                             "set by the sweep for each run (seeds: and --seeds, --out): not a "
                             "grid key");
  if (strlen(node->key) >= sizeof k->name || !*node->key)
    return rxcf_ynode_fail(node, node->key, err, RX_EINVAL, "not a config key");
  if (node->kind != RXCF_YNODE_SEQ || node->n == 0)
    return rxcf_ynode_fail(node, node->key, err, RX_EINVAL,
                           "expected a non-empty list of values, e.g. [1.0e-5, 1.0e-4]");
  snprintf(k->name, sizeof k->name, "%s", node->key);
  k->values = calloc((size_t)node->n, sizeof *k->values);
  k->numbers = calloc((size_t)node->n, sizeof *k->numbers);
  if (!k->values || !k->numbers)
    return rx_fail(err, RX_ENOMEM, "out of memory reading %s", pr->path);
  k->numeric = 1;
  for (int i = 0; i < node->n; i++) {
    const rxcf_ynode *v = node->items[i];
    if (v->kind != RXCF_YNODE_SCALAR || !*v->text)
      return rxcf_ynode_fail(v, node->key, err, RX_EINVAL,
                             "grid values are plain scalars (a number or a word)");
    for (int j = 0; j < i; j++)
      if (!strcmp(k->values[j], v->text))
        return rxcf_ynode_fail(v, node->key, err, RX_EINVAL, "value %s listed twice", v->text);
    if (!(k->values[i] = strdup(v->text)))
      return rx_fail(err, RX_ENOMEM, "out of memory reading %s", pr->path);
    k->n_values++;
    char *end;
    double x = strtod(v->text, &end);
    k->numbers[i] = *end || !isfinite(x) ? NAN : x;
    if (isnan(k->numbers[i])) k->numeric = 0;
  }
  return 0;
}

/* The overrides every training of experiment e of task t takes before the grid's. */
static int base_overrides(const rxp_task *t, int e, const char **over, int max) {
  int n = 0;
  for (int i = 0; i < t->n_train && n < max; i++)
    over[n++] = t->train[i];
  for (int i = 0; i < t->n_extra[e] && n < max; i++)
    over[n++] = t->extra[e][i];
  return n;
}

/* Each value of each key on its own, on every experiment swept: a key the config does not know
 * or a value it refuses is named with its line in the sweep file. */
static int check_values(const rxp_profile *pr, const rxcf_ynode *grid, const rx_sweep *sw,
                        rx_error *err) {
  for (int k = 0; k < sw->n_keys; k++) {
    const rxcf_ynode *node = rxcf_ynode_get(grid, sw->keys[k].name);
    for (int v = 0; v < sw->keys[k].n_values; v++)
      for (int t = 0; t < 2; t++) {
        const rxp_task *task = &pr->tasks[t];
        for (int e = 0; task->present && e < task->n_experiments; e++) {
          const char *over[RX_STEP_MAX_ARGS];
          int n = base_overrides(task, e, over, RX_STEP_MAX_ARGS - 1);
          char arg[1200], experiment[512];
          snprintf(arg, sizeof arg, "%s=%s", sw->keys[k].name, sw->keys[k].values[v]);
          over[n++] = arg;
          snprintf(experiment, sizeof experiment, "%s/%s", task->name, task->experiments[e]);
          rx_train_config cfg;
          rx_error e2 = {{0}};
          if (rx_config_load(&cfg, experiment, n, over, &e2)) {
            const char *why = e2.msg, *cl = "command line: ";
            if (!strncmp(why, cl, strlen(cl))) why += strlen(cl); /* the grid's, not argv's */
            return rxcf_ynode_fail(node->items[v], sw->keys[k].name, err, RX_EINVAL,
                                   "value %s refused by the training config of %s: %s",
                                   sw->keys[k].values[v], experiment, why);
          }
        }
      }
  }
  return 0;
}

static int read_grid(const rxp_profile *pr, rx_sweep *sw, rx_error *err) {
  const rxcf_ynode *grid = rxcf_ynode_get(pr->root, "grid");
  if (!grid)
    return rx_fail(err, RX_EINVAL,
                   "%s: no grid (e.g. grid: {rnn.sigma2_rec: [1.0e-5, 1.0e-4, 1.0e-3]})", pr->path);
  if (grid->kind != RXCF_YNODE_MAP || grid->n == 0)
    return rxcf_ynode_fail(grid, "grid", err, RX_EINVAL,
                           "expected a mapping of config keys to lists of values, e.g. "
                           "{rnn.sigma2_rec: [1.0e-5, 1.0e-4]}");
  if (grid->n > RX_SWEEP_MAX_KEYS)
    return rxcf_ynode_fail(grid, "grid", err, RX_EINVAL, "%d keys: at most %d", grid->n,
                           RX_SWEEP_MAX_KEYS);
  long long points = 1;
  for (int i = 0; i < grid->n; i++) {
    int rc = read_key(pr, grid->items[i], &sw->keys[i], err);
    sw->n_keys = i + 1; /* freed with the sweep, also when half read */
    if (rc) return rc;
    points *= sw->keys[i].n_values;
    if (points > RX_SWEEP_MAX_POINTS)
      return rxcf_ynode_fail(grid, "grid", err, RX_EINVAL, "more than %d points",
                             RX_SWEEP_MAX_POINTS);
  }
  sw->n_points = (int)points;
  return check_values(pr, grid, sw, err);
}

/* The tasks and experiments the file names (not those it extends but leaves out). */
static int narrow(rxp_profile *pr, rx_sweep *sw, rx_error *err) {
  int any = 0;
  for (int t = 0; t < 2; t++) {
    rxp_task *task = &pr->tasks[t];
    task->present = task->present && pr->own_task[t];
    any |= task->present;
    if (!task->present) continue;
    rx_sweep_task *st = &sw->tasks[t];
    st->present = 1;
    st->experiments = calloc((size_t)task->n_experiments, sizeof *st->experiments);
    if (!st->experiments) return rx_fail(err, RX_ENOMEM, "out of memory reading %s", pr->path);
    for (int e = 0; e < task->n_experiments; e++) {
      if (!(st->experiments[e] = strdup(task->experiments[e])))
        return rx_fail(err, RX_ENOMEM, "out of memory reading %s", pr->path);
      st->n_experiments++;
    }
  }
  if (!pr->own_gaussian) pr->gaussian = 0; /* a sweep trains Gaussian noise only when asked */
  if (!any)
    return rx_fail(err, RX_EINVAL,
                   "%s: the sweep names no task: add e.g. spatial_navigation: {experiments: "
                   "[noisy_unbiased, noisy_biased]}",
                   pr->path);
  return 0;
}

/* Point i's values, its name and its directory. */
static int point_of(rx_sweep *sw, int i, rx_error *err) {
  rx_sweep_point *p = &sw->points[i];
  const char *keys[RX_SWEEP_MAX_KEYS], *values[RX_SWEEP_MAX_KEYS];
  int rest = i;
  for (int k = sw->n_keys - 1; k >= 0; k--) {
    p->value[k] = rest % sw->keys[k].n_values;
    rest /= sw->keys[k].n_values;
  }
  for (int k = 0; k < sw->n_keys; k++) {
    keys[k] = sw->keys[k].name;
    values[k] = sw->keys[k].values[p->value[k]];
  }
  if (rx_results_sweep_point_name(sw->n_keys, keys, values, p->name, sizeof p->name))
    return rx_fail(err, RX_EINVAL,
                   "%s: the directory name of a grid point is too long (%.60s...): fewer or "
                   "shorter keys",
                   sw->path, p->name);
  for (int j = 0; j < i; j++)
    if (!strcmp(sw->points[j].name, p->name))
      return rx_fail(err, RX_EINVAL,
                     "%s: two grid points would share the directory %s (values that differ only "
                     "in characters other than letters, digits, '.', '_', '+', '-')",
                     sw->path, p->name);
  if (rx_results_sweep_point_dir(sw->out, p->name, p->dir, sizeof p->dir))
    return rx_fail(err, RX_EINVAL, "output directory name too long: %s", sw->out);
  return 0;
}

/* Point i's plan, appended to the sweep's. */
static int add_point(rxp_profile *pr, rx_sweep *sw, int i, const int *seeds, int n_seeds,
                     rx_error *err) {
  rx_sweep_point *p = &sw->points[i];
  char args[RX_SWEEP_MAX_KEYS][1200];
  const char *over[RX_SWEEP_MAX_KEYS];
  for (int k = 0; k < sw->n_keys; k++) {
    snprintf(args[k], sizeof args[k], "%s=%s", sw->keys[k].name, sw->keys[k].values[p->value[k]]);
    over[k] = args[k];
  }
  for (int t = 0; t < 2; t++) {
    pr->tasks[t].point = over;
    pr->tasks[t].n_point = sw->n_keys;
  }
  rx_plan *plan = NULL;
  /* what the sweep report reads: the main analyses, not C.1's rule=same, and no figures of each
   * point (reactivate figures path=<point dir> draws them) */
  rxp_build_opts opts = {.skip_same_rule = 1, .skip_figures = 1};
  rx_error e2 = {{0}};
  int rc = rxp_plan_build(&plan, pr, sw->path, p->dir, seeds, n_seeds, &opts, &e2);
  for (int t = 0; t < 2; t++) {
    pr->tasks[t].point = NULL;
    pr->tasks[t].n_point = 0;
  }
  if (rc) return rx_fail(err, rc, "%s (grid point %s)", e2.msg, p->name);
  for (int t = 0; t < 2; t++)
    if (sw->tasks[t].present)
      rx_format_py_float(opts.noise[t] >= 0 ? opts.noise[t]
                                            : rx_results_default_noise((rx_task_kind)t),
                         p->noise[t], sizeof p->noise[t]);
  for (int s = 0; s < plan->n_steps; s++) { /* "[point] train ...": labels stay unique */
    char label[sizeof p->name + sizeof plan->steps[s].label + 4];
    snprintf(label, sizeof label, "[%s] %s", p->name, plan->steps[s].label);
    label[sizeof plan->steps[s].label - 1] = '\0'; /* cut short, never overrun */
    memcpy(plan->steps[s].label, label, sizeof plan->steps[s].label);
  }
  if (!sw->plan) {
    sw->plan = plan;
    sw->n_seeds = plan->n_seeds;
    memcpy(sw->seeds, plan->seeds, (size_t)plan->n_seeds * sizeof *plan->seeds);
    return 0;
  }
  return rxp_plan_append(sw->plan, plan, err);
}

int rx_sweep_create(rx_sweep **out, const char *path, const char *out_dir, const int *seeds,
                    int n_seeds, rx_error *err) {
  *out = NULL;
  rx_sweep *sw = calloc(1, sizeof *sw);
  if (!sw) return rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
  rxp_profile pr;
  const rxp_load_opts opts = {.kind = "sweep", .extra_keys = sweep_keys, .narrow = 1};
  int rc = rxp_profile_load(&pr, path, &opts, err);
  if (!rc) {
    snprintf(sw->path, sizeof sw->path, "%s", pr.path);
    if (pr.own_description) /* not that of the profile it extends */
      snprintf(sw->description, sizeof sw->description, "%s", pr.description);
    if (strlen(out_dir) >= sizeof sw->out - 300) /* room for points/<name>/... */
      rc = rx_fail(err, RX_EINVAL, "output directory name too long: %s", out_dir);
    else
      snprintf(sw->out, sizeof sw->out, "%s", out_dir);
  }
  if (!rc) rc = narrow(&pr, sw, err);
  if (!rc) rc = read_grid(&pr, sw, err);
  if (!rc && !(sw->points = calloc((size_t)sw->n_points, sizeof *sw->points)))
    rc = rx_fail(err, RX_ENOMEM, "out of memory reading %s", path);
  for (int i = 0; i < sw->n_points && !rc; i++)
    rc = point_of(sw, i, err);
  for (int i = 0; i < sw->n_points && !rc; i++)
    rc = add_point(&pr, sw, i, seeds, n_seeds, err);
  if (!rc) { /* the plan as a whole: the sweep's file, description and root */
    snprintf(sw->plan->profile, sizeof sw->plan->profile, "%s", path);
    snprintf(sw->plan->out, sizeof sw->plan->out, "%s", sw->out);
    snprintf(sw->plan->description, sizeof sw->plan->description, "%s", sw->description);
    sw->plan->gaussian_out[0] = '\0';
    free(sw->plan->settings);
    sw->plan->settings = strdup(pr.text);
  }
  rxp_profile_free(&pr);
  if (rc) {
    rx_sweep_free(sw);
    return rc;
  }
  *out = sw;
  return 0;
}

void rx_sweep_free(rx_sweep *sw) {
  if (!sw) return;
  for (int k = 0; k < sw->n_keys; k++) {
    for (int v = 0; v < sw->keys[k].n_values; v++)
      free(sw->keys[k].values[v]);
    free(sw->keys[k].values);
    free(sw->keys[k].numbers);
  }
  for (int t = 0; t < 2; t++) {
    for (int e = 0; e < sw->tasks[t].n_experiments; e++)
      free(sw->tasks[t].experiments[e]);
    free(sw->tasks[t].experiments);
  }
  free(sw->points);
  rx_plan_free(sw->plan);
  free(sw);
}
