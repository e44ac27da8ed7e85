/* rx_figures: settings, discovery of the seeds that have results, one up-front read of every
 * result file found (so a corrupt file stops the run before anything is drawn), the arena and
 * time step from a run's config.yaml, and the list of figures to draw. Drawing is in
 * figures_spatial.c and figures_hd.c. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log_line.h"
#include "reactivate/config.h"
#include "reactivate/figures.h"
#include "reactivate/fileio.h"
#include "report/figures_internal.h"

/* ---- settings ---- */

void rx_figures_config_default(rx_figures_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->task = RX_TASK_SPATIAL;
  snprintf(cfg->path, sizeof cfg->path, "results");
  cfg->noise = -1;
  cfg->all_seeds = 1;
}

static int add_seed(rx_figures_config *cfg, long s, const char *arg, rx_error *err) {
  for (int i = 0; i < cfg->n_seeds; i++)
    if (cfg->seeds[i] == s) return 0;
  if (cfg->n_seeds == RX_FIGURES_MAX_SEEDS)
    return rx_fail(err, RX_EINVAL, "'%s': more than %d seeds", arg, RX_FIGURES_MAX_SEEDS);
  int i = cfg->n_seeds++;
  for (; i > 0 && cfg->seeds[i - 1] > s; i--)
    cfg->seeds[i] = cfg->seeds[i - 1];
  cfg->seeds[i] = (int)s;
  return 0;
}

static int parse_seeds(rx_figures_config *cfg, const char *arg, const char *v, rx_error *err) {
  if (!strcmp(v, "all")) {
    cfg->all_seeds = 1;
    cfg->n_seeds = 0;
    return 0;
  }
  cfg->all_seeds = 0;
  cfg->n_seeds = 0;
  const char *p = v;
  while (1) {
    char *end;
    errno = 0;
    long a = strtol(p, &end, 10), b;
    if (end == p || errno || a < 0 || a > INT_MAX) goto bad;
    b = a;
    if (*end == '-') {
      p = end + 1;
      b = strtol(p, &end, 10);
      if (end == p || errno || b < a || b > INT_MAX) goto bad;
    }
    if (b - a >= RX_FIGURES_MAX_SEEDS)
      return rx_fail(err, RX_EINVAL, "'%s': more than %d seeds", arg, RX_FIGURES_MAX_SEEDS);
    for (long s = a; s <= b; s++)
      if (add_seed(cfg, s, arg, err)) return RX_EINVAL;
    if (*end == '\0') return 0;
    if (*end != ',') goto bad;
    p = end + 1;
  }
bad:
  return rx_fail(err, RX_EINVAL,
                 "'%s': seeds must be 'all', a seed (3), a range (0-4) or a comma-separated list "
                 "of those (0-2,5)",
                 arg);
}

int rx_figures_config_parse(rx_figures_config *cfg, int n, const char *const *args, rx_error *err) {
  for (int i = 0; i < n; i++) {
    const char *arg = args[i], *eq = strchr(arg, '=');
    if (!eq) return rx_fail(err, RX_EINVAL, "'%s': expected key=value", arg);
    size_t kl = (size_t)(eq - arg);
    const char *v = eq + 1;
    if (kl == 4 && !strncmp(arg, "task", kl)) {
      if (!strcmp(v, "spatial_navigation"))
        cfg->task = RX_TASK_SPATIAL;
      else if (!strcmp(v, "head_direction"))
        cfg->task = RX_TASK_HEAD_DIRECTION;
      else
        return rx_fail(err, RX_EINVAL, "'%s': task must be spatial_navigation or head_direction",
                       arg);
    } else if (kl == 4 && !strncmp(arg, "path", kl)) {
      if (!*v || strlen(v) >= sizeof cfg->path)
        return rx_fail(err, RX_EINVAL, "'%s': path must be a non-empty directory name", arg);
      snprintf(cfg->path, sizeof cfg->path, "%s", v);
    } else if (kl == 5 && !strncmp(arg, "noise", kl)) {
      char *end;
      double x = strtod(v, &end);
      if (end == v || *end || !isfinite(x) || x <= 0)
        return rx_fail(err, RX_EINVAL, "'%s': noise must be a positive number (sigma2_rec)", arg);
      cfg->noise = x;
    } else if (kl == 5 && !strncmp(arg, "seeds", kl)) {
      if (parse_seeds(cfg, arg, v, err)) return RX_EINVAL;
    } else {
      return rx_fail(err, RX_EINVAL, "'%s': unknown setting (task, path, noise, seeds)", arg);
    }
  }
  return 0;
}

/* ---- logging ---- */

void fg_log(fg_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rx_log_vprintf(c->log, c->log_ctx, fmt, ap);
  va_end(ap);
}

int fg_skip(fg_ctx *c, const char *name, const char *fmt, ...) {
  char why[2400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  c->n_skipped++;
  fg_log(c, "skipped %s: %s", name, why);
  return 0;
}

void fg_out_base(const fg_ctx *c, const char *name, char *buf, size_t n) {
  snprintf(buf, n, "%s/%s", c->out_dir, name);
}

void fg_wrote(fg_ctx *c, const char *name) {
  c->n_written++;
  fg_log(c, "wrote %s/%s.png and .svg", c->out_dir, name);
}

int fg_fig_create(const fg_ctx *c, rx_fig **fig, const char *name, int n_cols, int n_rows,
                  const char *title, int w, int h, rx_error *err) {
  char base[2600];
  fg_out_base(c, name, base, sizeof base);
  /* the figure title is one line across all columns: ~9.5 px per character at PNG size */
  size_t chars = 0;
  for (const unsigned char *p = (const unsigned char *)title; p && *p; p++)
    chars += (*p & 0xC0) != 0x80;
  const int need = (int)((9.5 * (double)chars + 60 + n_cols - 1) / n_cols);
  if (w < need) w = need;
  *fig = NULL;
  int rc = rx_fig_create(fig, base, n_cols, n_rows, title, err);
  if (!rc && (rc = rx_fig_set_panel_size(*fig, w, h, err))) {
    rx_fig_free(*fig);
    *fig = NULL;
  }
  return rc;
}

int fg_fig_save(fg_ctx *c, rx_fig *fig, const char *name, int rc, rx_error *err) {
  if (!rc && fig) rc = rx_fig_save(fig, err);
  rx_fig_free(fig);
  if (!rc && fig) fg_wrote(c, name);
  return rc;
}

void fg_seeds_text(const int *seeds, int n, char *buf, size_t size) {
  char list[300];
  rr_seed_list(seeds, n, list, sizeof list);
  if (n == 1)
    snprintf(buf, size, "seed %s", list);
  else
    snprintf(buf, size, "mean ± s.d. over %d seeds (%s)", n, list);
}

void fg_title_head(const fg_variant *v, const char *fig, char *buf, size_t n) {
  if (v->clabel)
    snprintf(buf, n, "Fig. %s (as %s, %s)", v->clabel, fig, v->note);
  else
    snprintf(buf, n, "Fig. %s", fig);
}

void fg_pooled_text(const fg_ctx *c, const unsigned char *used, char *buf, size_t size) {
  int s[RX_FIGURES_MAX_SEEDS] = {0}, n = 0;
  for (int k = 0; k < c->n_seeds; k++)
    if (used[k]) s[n++] = c->seeds[k];
  char list[300];
  rr_seed_list(s, n, list, sizeof list);
  snprintf(buf, size, n == 1 ? "seed %s" : "pooled over seeds %s", list);
}

/* ---- the runs and files to look for ---- */

static const fg_cond spatial_conds[] = {
    {"U-σ", "noisy, unbiased", "noisy_unbiased", 1},
    {"U", "noiseless, unbiased", "no-noise_unbiased", 0},
    {"B-σ", "noisy, biased", "noisy_biased", 1},
    {"B", "noiseless, biased", "no-noise_biased", 0},
};
static const fg_cond gru_conds[] = {
    {"U-σ", "noisy GRU, unbiased", "noisy_unbiased_gru", 1},
    {"B-σ", "noisy GRU, biased", "noisy_biased_gru", 1},
};

static const fg_variant variants[] = {
    {"fig", "", NULL, "", "reactivate analyze all", spatial_conds, 4, 2, 1},
    {"figC1_", "same_", "C.1", "quiescent noise not doubled", "reactivate analyze all rule=same",
     spatial_conds, 4, 2, 0},
    {"figC2_", "gru_", "C.2", "GRU", "reactivate analyze all gru=true", gru_conds, 2, 1, 1},
};

static const char *const analyses[] = {"kl", "variance", "distance", "pca", "heading"};
static const char *const file_prefixes[] = {"",        "same_",     "gru_",
                                            "scaled_", "gru_same_", "gru_scaled_"};

/* Does name (a directory entry) belong to seed s: a run directory or an analysis file? */
static int entry_seed(const fg_ctx *c, const char *name, int *seed) {
  size_t n = strlen(name);
  char stem[512];
  if (n >= sizeof stem) return 0;
  memcpy(stem, name, n + 1);
  if (n > 5 && !strcmp(stem + n - 5, ".json"))
    stem[n -= 5] = '\0';
  else if (n > 4 && !strcmp(stem + n - 4, ".npz"))
    stem[n -= 4] = '\0';
  size_t d = n;
  while (d > 0 && stem[d - 1] >= '0' && stem[d - 1] <= '9')
    d--;
  if (d == n || d == 0 || stem[d - 1] != '_' || n - d > 9) return 0;
  int s = atoi(stem + d);
  char want[600];
  for (size_t i = 0; i < sizeof spatial_conds / sizeof spatial_conds[0]; i++) {
    fg_run_name(c, &spatial_conds[i], s, want, sizeof want);
    if (!strcmp(want, stem)) return *seed = s, 1;
  }
  for (size_t i = 0; i < sizeof gru_conds / sizeof gru_conds[0]; i++) {
    fg_run_name(c, &gru_conds[i], s, want, sizeof want);
    if (!strcmp(want, stem)) return *seed = s, 1;
  }
  for (size_t a = 0; a < sizeof analyses / sizeof analyses[0]; a++)
    for (size_t p = 0; p < sizeof file_prefixes / sizeof file_prefixes[0]; p++) {
      snprintf(want, sizeof want, "%s_%s%s_%d", analyses[a], file_prefixes[p], c->noise, s);
      if (!strcmp(want, stem)) return *seed = s, 1;
    }
  return 0;
}

static int discover_seeds(fg_ctx *c, rx_error *err) {
  DIR *dir = opendir(c->task_dir);
  if (!dir)
    return rx_fail(err, RX_EIO, "no results to draw: cannot open %s (%s); train and analyze first",
                   c->task_dir, strerror(errno));
  const rx_figures_config *cfg = c->cfg;
  int found[RX_FIGURES_MAX_SEEDS] = {0}, n_found = 0, extra = 0;
  struct dirent *e;
  int all[RX_FIGURES_MAX_SEEDS], n_all = 0;
  while ((e = readdir(dir))) {
    int s;
    if (!entry_seed(c, e->d_name, &s)) continue;
    if (cfg->all_seeds) {
      int known = 0;
      for (int i = 0; i < n_all; i++)
        known |= all[i] == s;
      if (known) continue;
      if (n_all == RX_FIGURES_MAX_SEEDS) {
        extra = 1;
        continue;
      }
      int i = n_all++;
      for (; i > 0 && all[i - 1] > s; i--)
        all[i] = all[i - 1];
      all[i] = s;
    } else {
      for (int i = 0; i < cfg->n_seeds; i++)
        if (cfg->seeds[i] == s && !found[i]) found[i] = 1, n_found++;
    }
  }
  closedir(dir);
  c->n_seeds = 0;
  if (cfg->all_seeds) {
    memcpy(c->seeds, all, (size_t)n_all * sizeof all[0]);
    c->n_seeds = n_all;
    if (extra) fg_log(c, "more than %d seeds found: using the first %d listed", n_all, n_all);
  } else {
    for (int i = 0; i < cfg->n_seeds; i++)
      if (found[i])
        c->seeds[c->n_seeds++] = cfg->seeds[i];
      else
        fg_log(c, "seed %d: no runs or analysis files in %s", cfg->seeds[i], c->task_dir);
  }
  if (!c->n_seeds)
    return rx_fail(err, RX_EINVAL,
                   "no results to draw: no runs or analysis files for noise %s%s in %s; train "
                   "and analyze first (or set noise=, seeds=)",
                   c->noise, cfg->all_seeds ? "" : " and the seeds asked for", c->task_dir);
  return 0;
}

/* Reads every result file of the seeds found, so that a corrupt one fails before any figure is
 * written; the cache keeps them for drawing. */
static int preload(fg_ctx *c, rx_error *err) {
  for (int k = 0; k < c->n_seeds; k++) {
    const int s = c->seeds[k];
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
      if (c->cfg->task != RX_TASK_SPATIAL && v > 0) break;
      for (size_t a = 0; a < sizeof analyses / sizeof analyses[0]; a++) {
        const cJSON *j;
        const rx_npz *z;
        int rc = fg_analysis_json(c, analyses[a], variants[v].file_prefix, s, &j, err);
        if (!rc) rc = fg_analysis_npz(c, analyses[a], variants[v].file_prefix, s, &z, err);
        if (rc) return rc;
      }
      for (int i = 0; i < variants[v].n_conds && variants[v].learning_curves; i++) {
        char run[600], path[3000];
        const cJSON *j;
        fg_run_name(c, &variants[v].conds[i], s, run, sizeof run);
        snprintf(path, sizeof path, "%s/%s/test_metrics.json", c->task_dir, run);
        int rc = fg_json(c, path, &j, err);
        if (rc) return rc;
      }
    }
  }
  return 0;
}

/* The arena and time step from the first run config found (SPEC defaults otherwise). */
static int read_run_config(fg_ctx *c, rx_error *err) {
  c->box[0] = -1.1, c->box[1] = 1.1, c->box[2] = -1.1, c->box[3] = 1.1;
  c->dt = 0.02;
  for (int k = 0; k < c->n_seeds; k++)
    for (size_t i = 0; i < sizeof spatial_conds / sizeof spatial_conds[0]; i++) {
      char run[600], path[3000];
      fg_run_name(c, &spatial_conds[i], c->seeds[k], run, sizeof run);
      snprintf(path, sizeof path, "%s/%s/config.yaml", c->task_dir, run);
      if (!rx_file_exists(path)) continue;
      char *text = NULL;
      size_t n;
      rx_train_config tc;
      int rc = rx_read_file(path, &text, &n, (size_t)1 << 22, err);
      if (!rc) rc = rx_config_from_yaml(&tc, text, path, err);
      free(text);
      if (rc) return rc;
      if (c->cfg->task == RX_TASK_SPATIAL) {
        c->box[0] = -tc.task.box_width / 2, c->box[1] = tc.task.box_width / 2;
        c->box[2] = -tc.task.box_height / 2, c->box[3] = tc.task.box_height / 2;
      }
      c->dt = tc.task.dt;
      return 0;
    }
  fg_log(c, "no run config.yaml found: using the default arena (2.2 m x 2.2 m) and dt (0.02 s)");
  return 0;
}

/* Whether any file of a variant exists for any seed (else its figures are skipped at once). */
static int variant_has_data(fg_ctx *c, const fg_variant *v) {
  for (int k = 0; k < c->n_seeds; k++) {
    char path[3000];
    for (size_t a = 0; a < sizeof analyses / sizeof analyses[0]; a++) {
      fg_analysis_path(c, analyses[a], v->file_prefix, c->seeds[k], "json", path, sizeof path);
      if (rx_file_exists(path)) return 1;
    }
    for (int i = 0; i < v->n_conds && v->learning_curves; i++) {
      char run[600];
      fg_run_name(c, &v->conds[i], c->seeds[k], run, sizeof run);
      snprintf(path, sizeof path, "%s/%s/test_metrics.json", c->task_dir, run);
      if (rx_file_exists(path)) return 1;
    }
  }
  return 0;
}

int rx_figures(const rx_figures_config *cfg, rx_figures_log_fn log, void *ctx, rx_error *err) {
  if (!cfg) return rx_fail(err, RX_EINVAL, "rx_figures: no settings");
  fg_ctx *c = calloc(1, sizeof *c);
  if (!c) return rx_fail(err, RX_ENOMEM, "out of memory");
  c->cfg = cfg;
  c->log = log;
  c->log_ctx = ctx;
  const int spatial = cfg->task == RX_TASK_SPATIAL;
  const double noise = cfg->noise > 0 ? cfg->noise : spatial ? 1e-4 : 0.01;
  rx_format_py_float(noise, c->noise, sizeof c->noise);
  snprintf(c->task_dir, sizeof c->task_dir, "%s/%s", cfg->path, rx_task_name(cfg->task));
  snprintf(c->out_dir, sizeof c->out_dir, "%s/figures", c->task_dir);
  int rc = discover_seeds(c, err);
  if (!rc) {
    char seeds[300];
    rr_seed_list(c->seeds, c->n_seeds, seeds, sizeof seeds);
    fg_log(c, "%s, noise %s: results of seed%s %s in %s", rx_task_name(cfg->task), c->noise,
           c->n_seeds == 1 ? "" : "s", seeds, c->task_dir);
  }
  if (!rc) rc = preload(c, err);
  if (!rc) rc = read_run_config(c, err);
  if (!rc) rc = rx_mkdirs(c->out_dir, err);
  if (spatial) {
    for (size_t v = 0; v < sizeof variants / sizeof variants[0] && !rc; v++) {
      if (v > 0 && !variant_has_data(c, &variants[v])) {
        char what[64];
        snprintf(what, sizeof what, "%s*", variants[v].prefix);
        fg_skip(c, what, "no %s (<analysis>_%s%s_<seed>.json) for these seeds (%s)",
                variants[v].file_prefix[0] == 'g' ? "GRU runs or analyses"
                                                  : "analyses without doubled quiescent noise",
                variants[v].file_prefix, c->noise, variants[v].hint);
        continue;
      }
      rc = fg_spatial_figures(c, &variants[v], err);
    }
    if (!rc) rc = fg_supplement_c3(c, err);
    if (!rc) rc = fg_supplement_c4(c, err);
  } else if (!rc) {
    rc = fg_hd_figures(c, err);
  }
  if (!rc && !c->n_written)
    rc = rx_fail(err, RX_EINVAL,
                 "no figure drawn: none of the results the figures need are in %s (noise %s); "
                 "run reactivate analyze first",
                 c->task_dir, c->noise);
  if (!rc)
    fg_log(c, "%d figure%s written to %s, %d skipped", c->n_written, c->n_written == 1 ? "" : "s",
           c->out_dir, c->n_skipped);
  fg_cache_free(c);
  free(c);
  return rc;
}
