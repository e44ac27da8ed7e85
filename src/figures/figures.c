/* rx_figures: settings, the seeds that have results (found by the shared results reader), one
 * up-front read of every result file found (so a corrupt file stops the run before anything is
 * drawn), the arena and time step from a run's config.yaml, and the list of figures to draw.
 * Drawing is in figures_spatial.c, figures_hd.c, figures_probes.c, figures_replay.c and
 * figures_mechanisms.c. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures/figures_internal.h"
#include "reactivate/config.h"
#include "reactivate/figures.h"
#include "reactivate/fileio.h"

/* ---- settings ---- */

void rx_figures_config_default(rx_figures_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->task = RX_TASK_SPATIAL;
  snprintf(cfg->path, sizeof cfg->path, "results");
  cfg->noise = -1;
  cfg->all_seeds = 1;
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
      int seeds[RX_FIGURES_MAX_SEEDS], n_seeds, all;
      if (rx_seed_list_parse(v, seeds, RX_FIGURES_MAX_SEEDS, &n_seeds, &all, err)) return RX_EINVAL;
      cfg->all_seeds = all;
      cfg->n_seeds = n_seeds;
      memcpy(cfg->seeds, seeds, (size_t)n_seeds * sizeof seeds[0]);
    } else if (kl == 4 && !strncmp(arg, "only", kl)) {
      if (strlen(v) >= sizeof cfg->only)
        return rx_fail(err, RX_EINVAL, "'%.40s...': only= takes at most %zu characters", arg,
                       sizeof cfg->only - 1);
      for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_-.,*", *p))
          return rx_fail(err, RX_EINVAL,
                         "'%s': only= takes figure names separated by commas (a trailing * for "
                         "any ending)",
                         arg);
      snprintf(cfg->only, sizeof cfg->only, "%s", v);
    } else {
      return rx_fail(err, RX_EINVAL, "'%s': unknown setting (task, path, noise, seeds, only)", arg);
    }
  }
  return 0;
}

/* ---- logging ---- */

void fg_log(fg_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rxc_log_vprintf(c->rd.log, c->rd.log_ctx, fmt, ap);
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

/* Whether only= asks for the figure `name` (an empty list asks for all). */
static int asked_for(const char *only, const char *name) {
  if (!only[0]) return 1;
  for (const char *p = only; *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len && p[len - 1] == '*' ? !strncmp(name, p, len - 1)
                                 : len == strlen(name) && !strncmp(name, p, len))
      return 1;
    p += len + (end != NULL);
  }
  return 0;
}

int fg_fig_save(fg_ctx *c, rx_fig *fig, const char *name, int rc, rx_error *err) {
  const int wanted = asked_for(c->cfg->only, name);
  if (!rc && fig && wanted) rc = rx_fig_save(fig, err); /* the rendering is most of the cost */
  rx_fig_free(fig);
  if (!rc && fig && wanted) fg_wrote(c, name);
  if (!rc && fig && !wanted) c->n_not_asked++;
  return rc;
}

void fg_seeds_text(const int *seeds, int n, char *buf, size_t size) {
  char list[300];
  rx_seed_list_format(seeds, n, ", ", list, sizeof list);
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
  rx_seed_list_format(s, n, ", ", list, sizeof list);
  snprintf(buf, size, n == 1 ? "seed %s" : "pooled over seeds %s", list);
}

/* ---- the figure variants, and the seeds that have results ---- */

static const fg_variant variant_defs[] = {
    {"fig", RX_RESULTS_MAIN, NULL, "", "reactivate analyze all", 0, 1, {0}, 0, 0},
    {"figC1_",
     RX_RESULTS_SAME,
     "C.1",
     "quiescent noise not doubled",
     "reactivate analyze all rule=same",
     0,
     0,
     {0},
     0,
     0},
    {"figC2_", RX_RESULTS_GRU, "C.2", "GRU", "reactivate analyze all gru=true", 1, 1, {0}, 0, 0},
};
#define N_VARIANTS (int)(sizeof variant_defs / sizeof variant_defs[0])

static int discover_seeds(fg_ctx *c, rx_error *err) {
  const rx_figures_config *cfg = c->cfg;
  int more = 0;
  if (rxr_find_seeds(&c->set, cfg->all_seeds ? NULL : cfg->seeds, cfg->n_seeds, c->seeds,
                     RX_FIGURES_MAX_SEEDS, &c->n_seeds, &more))
    return rx_fail(err, RX_EIO, "no results to draw: cannot open %s (%s); train and analyze first",
                   c->set.dir, strerror(errno));
  if (more)
    fg_log(c, "more than %d seeds found: using the first %d listed", c->n_seeds, c->n_seeds);
  for (int i = 0; i < cfg->n_seeds && !cfg->all_seeds; i++) {
    int found = 0;
    for (int k = 0; k < c->n_seeds && !found; k++)
      found = c->seeds[k] == cfg->seeds[i];
    if (!found) fg_log(c, "seed %d: no runs or analysis files in %s", cfg->seeds[i], c->set.dir);
  }
  if (!c->n_seeds)
    return rx_fail(err, RX_EINVAL,
                   "no results to draw: no runs or analysis files for noise %s%s in %s; train "
                   "and analyze first (or set noise=, seeds=)",
                   c->set.noise, cfg->all_seeds ? "" : " and the seeds asked for", c->set.dir);
  return 0;
}

/* Reads every result file of the seeds found, so that a corrupt one fails before any figure is
 * written; the cache keeps them for drawing. */
static int preload(fg_ctx *c, const fg_variant *variants, int n_variants, rx_error *err) {
  for (int k = 0; k < c->n_seeds; k++) {
    const int s = c->seeds[k];
    for (int v = 0; v < n_variants; v++) {
      for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++) {
        const cJSON *j;
        const rx_npz *z;
        int rc = fg_analysis_json(c, a, variants[v].file_prefix, s, &j, err);
        if (!rc) rc = fg_analysis_npz(c, a, variants[v].file_prefix, s, &z, err);
        if (rc) return rc;
      }
      for (int i = 0; i < variants[v].n_conds && variants[v].learning_curves; i++) {
        const cJSON *j;
        int rc = rxr_run_json(&c->rd, &c->set, variants[v].conds[i], s, RX_RESULTS_TEST_METRICS, &j,
                              err);
        if (rc) return rc;
      }
    }
    for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++) { /* the mechanisms family (fig_mechanisms) */
      const cJSON *j;
      const rx_npz *z;
      int rc = fg_analysis_json(c, a, RX_RESULTS_MECH, s, &j, err);
      if (!rc) rc = fg_analysis_npz(c, a, RX_RESULTS_MECH, s, &z, err);
      if (rc) return rc;
    }
  }
  return 0;
}

/* The arena and time step from the first run config found (the defaults of docs/science.md §1.1
 * otherwise). */
static int read_run_config(fg_ctx *c, rx_error *err) {
  c->box[0] = -1.1, c->box[1] = 1.1, c->box[2] = -1.1, c->box[3] = 1.1;
  c->dt = 0.02;
  for (int k = 0; k < c->n_seeds; k++)
    for (int i = 0; i < rx_experiment_count(c->set.task); i++) {
      char path[3000];
      rx_results_experiment_file(&c->set, rx_experiment_get(c->set.task, i), c->seeds[k],
                                 RX_RESULTS_RUN_CONFIG, path, sizeof path);
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
        rx_task_spec ts;
        rx_config_task_spec(&tc, &ts);
        if ((rc = rx_arena_init(&c->arena, &ts.arena, ts.box_width, ts.box_height, 0, err)))
          return rc;
        c->task = ts, c->task_seed = c->seeds[k], c->have_task = 1;
        if (c->arena.kind != RX_ARENA_BOX)
          c->box[0] = c->arena.lo[0], c->box[1] = c->arena.hi[0], c->box[2] = c->arena.lo[1],
          c->box[3] = c->arena.hi[1];
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
    for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++) {
      fg_analysis_path(c, a, v->file_prefix, c->seeds[k], "json", path, sizeof path);
      if (rx_file_exists(path)) return 1;
    }
    for (int i = 0; i < v->n_conds && v->learning_curves; i++) {
      rx_results_experiment_file(&c->set, v->conds[i], c->seeds[k], RX_RESULTS_TEST_METRICS, path,
                                 sizeof path);
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
  c->rd.log = log;
  c->rd.log_ctx = ctx;
  const int spatial = cfg->task == RX_TASK_SPATIAL;
  /* Fig. 1, 2 and 3 for both tasks; C.1 and C.2 are spatial supplements */
  fg_variant variants[N_VARIANTS];
  const int n_variants = spatial ? N_VARIANTS : 1;
  for (int v = 0; v < n_variants; v++) {
    variants[v] = variant_defs[v];
    fg_variant_conds(&variants[v], cfg->task);
  }
  int rc =
      rx_results_set_init(&c->set, cfg->path, cfg->task,
                          cfg->noise > 0 ? cfg->noise : rx_results_default_noise(cfg->task), err);
  if (!rc && rx_results_figures_dir(c->set.dir, c->out_dir, sizeof c->out_dir))
    rc = rx_fail(err, RX_EINVAL, "results root name too long: %.200s...", cfg->path);
  if (!rc) rc = discover_seeds(c, err);
  if (!rc) {
    char seeds[300];
    rx_seed_list_format(c->seeds, c->n_seeds, ", ", seeds, sizeof seeds);
    fg_log(c, "%s, noise %s: results of seed%s %s in %s", rx_task_name(cfg->task), c->set.noise,
           c->n_seeds == 1 ? "" : "s", seeds, c->set.dir);
  }
  if (!rc) rc = preload(c, variants, n_variants, err);
  if (!rc) rc = read_run_config(c, err);
  if (!rc) rc = rx_mkdirs(c->out_dir, err);
  if (spatial) {
    for (int v = 0; v < n_variants && !rc; v++) {
      if (v > 0 && !variant_has_data(c, &variants[v])) {
        char what[64];
        snprintf(what, sizeof what, "%s*", variants[v].prefix);
        fg_skip(c, what, "no %s (<analysis>_%s%s_<seed>.json) for these seeds (%s)",
                variants[v].gru ? "GRU runs or analyses"
                                : "analyses without doubled quiescent noise",
                variants[v].file_prefix, c->set.noise, variants[v].hint);
        continue;
      }
      rc = fg_spatial_figures(c, &variants[v], err);
      /* the probes and replay run with the default rule only: main and GRU families */
      if (!rc && (v == 0 || variants[v].gru)) rc = fg_probe_figures(c, &variants[v], err);
      if (!rc && (v == 0 || variants[v].gru)) rc = fg_replay_figures(c, &variants[v], err);
    }
    if (!rc) rc = fg_arena_figure(c, err);
    if (!rc) rc = fg_supplement_c3(c, err);
    if (!rc) rc = fg_supplement_c4(c, err);
  } else if (!rc) {
    rc = fg_hd_figures(c, err);
    if (!rc) rc = fg_probe_figures(c, &variants[0], err);
    if (!rc) rc = fg_replay_figures(c, &variants[0], err);
  }
  if (!rc) rc = fg_mechanisms_figure(c, err);
  if (!rc && !c->n_written && c->n_not_asked)
    rc = rx_fail(err, RX_EINVAL,
                 "no figure drawn: none of the figures drawable is named by only=%s", cfg->only);
  if (!rc && !c->n_written)
    rc = rx_fail(err, RX_EINVAL,
                 "no figure drawn: none of the results the figures need are in %s (noise %s); "
                 "run reactivate analyze first",
                 c->set.dir, c->set.noise);
  if (!rc && c->n_not_asked)
    fg_log(c, "%d figure%s written to %s, %d skipped, %d not asked for (only=%s)", c->n_written,
           c->n_written == 1 ? "" : "s", c->out_dir, c->n_skipped, c->n_not_asked, cfg->only);
  else if (!rc)
    fg_log(c, "%d figure%s written to %s, %d skipped", c->n_written, c->n_written == 1 ? "" : "s",
           c->out_dir, c->n_skipped);
  rxr_reader_free(&c->rd);
  free(c);
  return rc;
}
