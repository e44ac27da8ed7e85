/* The sweep report (rx_sweep_report_write, docs/sweep.md): every summary statistic of each grid
 * point's analyses, per task and experiment, mean ± s.d. over seeds, read with the reproduction
 * report's look-ups (rp_eval over each point's results root), as sweep.json, sweep.md /
 * sweep.html (tables against the swept values) and one figure per statistic against the first
 * key's values (one line per value of the other keys). Nothing is computed here but the means;
 * the points and their roots are the sweep's (src/reproduce/sweep.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reactivate/fileio.h"
#include "reactivate/plot.h"
#include "reactivate/sweep.h"
#include "report/report_internal.h"

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))
#define SPATIAL (1 << RX_TASK_SPATIAL)
#define HD (1 << RX_TASK_HEAD_DIRECTION)
#define FINAL (-1) /* the run's test metrics, not an analysis file */

/* One summary statistic: file[run][field] of the analysis in the run's family (kind as
 * rp_qty's); own: the second key is the run again (KL of its quiescent outputs against its own
 * awake ones). */
typedef struct sweep_stat {
  const char *id, *label;
  int analysis; /* rx_results_analysis, or FINAL */
  const char *field;
  rp_kind kind;
  int tasks; /* bit 1 << rx_task_kind */
  int own;
} sweep_stat;

static const sweep_stat stats[] = {
    {"final_error", "final decoding error (test)", FINAL, "error", RP_FINAL, SPATIAL | HD, 0},
    {"kl_own", "KL(q ‖ own a) (nats)", RX_RESULTS_KL, NULL, RP_VALUE, SPATIAL, 1},
    {"kl_own_headings", "KL(q ‖ own a), headings (nats)", RX_RESULTS_HEADING, NULL, RP_RING_KL, HD,
     1},
    {"variance", "quiescent variance", RX_RESULTS_VARIANCE, NULL, RP_VALUE, SPATIAL | HD, 0},
    {"distance_quiescent", "step distance, quiescent", RX_RESULTS_DISTANCE, "quiescent", RP_VALUE,
     SPATIAL | HD, 0},
    {"distance_active", "step distance, active", RX_RESULTS_DISTANCE, "active", RP_VALUE,
     SPATIAL | HD, 0},
    {"heading_speed", "mean angular velocity, quiescent (rad/s)", RX_RESULTS_HEADING,
     "quiescent_mean_angular_velocity", RP_VALUE, HD, 0},
    {"mixing_plateau_active", "mixing: KL plateau from active", RX_RESULTS_MIXING,
     "quiescent.active.plateau", RP_VALUE, SPATIAL | HD, 0},
    {"mixing_plateau_point", "mixing: KL plateau from point", RX_RESULTS_MIXING,
     "quiescent.point.plateau", RP_VALUE, SPATIAL | HD, 0},
    /* whether it mixes, not the mixing time: a network stuck at a high plateau "settles" at
     * step 0 as fast as one that mixes at once, so the time alone reads as fast mixing */
    {"mixes_point", "mixing: mixes from point (share of seeds)", RX_RESULTS_MIXING,
     "quiescent.point.mixes", RP_FLAG, SPATIAL | HD, 0},
    {"score_cosine", "cos(drift, score)", RX_RESULTS_SCORE, "quiescent.cosine", RP_VALUE,
     SPATIAL | HD, 0},
    {"score_beta", "score: β = 2c/v", RX_RESULTS_SCORE, "quiescent.beta", RP_VALUE, SPATIAL | HD,
     0},
    {"temperature_slope", "temperature: slope of log β_k vs log k", RX_RESULTS_TEMPERATURE, "slope",
     RP_VALUE, SPATIAL | HD, 0},
    {"alpha", "diffusion: α quiescent", RX_RESULTS_DIFFUSION, "quiescent.alpha", RP_VALUE,
     SPATIAL | HD, 0},
    {"replay_significant", "replay: fraction of significant events", RX_RESULTS_REPLAY,
     "quiescent.quiescent.fraction_significant", RP_VALUE, SPATIAL | HD, 0},
    {"replay_speed", "replay: median |v| of significant events", RX_RESULTS_REPLAY,
     "quiescent.quiescent.median_abs_speed", RP_VALUE, SPATIAL | HD, 0},
    {"replay_compression", "replay: compression", RX_RESULTS_REPLAY, "quiescent.compression",
     RP_VALUE, SPATIAL | HD, 0},
};

/* What the report holds: stat[((p * 2 + t) * n_exp_max + e) * n_stats + s]. */
typedef struct sweep_table {
  const rx_sweep *sw;
  int n_exp_max;
  rp_stat *st;
  rp_ctx *log; /* a context for the log callback */
} sweep_table;

static rp_stat *at(const sweep_table *tb, int p, int t, int e, int s) {
  return &tb->st[(((size_t)p * 2 + (size_t)t) * (size_t)tb->n_exp_max + (size_t)e) * COUNT(stats) +
                 (size_t)s];
}

static int applies(int s, int t) { return (stats[s].tasks >> t) & 1; }

/* The run of experiment e in its family's files: the prefix and the key (rp_run). */
static const char *family_of(const rx_experiment *ex, rp_run *run) {
  run->exp = (int)ex->id;
  run->key = NULL;
  if (ex->gru) return RX_RESULTS_GRU;
  if (ex->mechanism) {
    run->key = ""; /* the condition "as trained" (rx_mechanism_condition.suffix) */
    return RX_RESULTS_MECH;
  }
  return RX_RESULTS_MAIN;
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Every statistic of point p, through a reproduction report's context on its root. */
static int eval_point(sweep_table *tb, int p, rx_report_log_fn log, void *ctx, rx_error *err) {
  const rx_sweep *sw = tb->sw;
  const rx_sweep_point *pt = &sw->points[p];
  rx_report_config cfg;
  rx_report_config_default(&cfg);
  snprintf(cfg.path, sizeof cfg.path, "%s", pt->dir);
  rp_ctx c;
  memset(&c, 0, sizeof c);
  c.cfg = &cfg;
  c.rd.log = log;
  c.rd.log_ctx = ctx;
  c.n_seeds = sw->n_seeds;
  memcpy(c.seeds, sw->seeds, (size_t)sw->n_seeds * sizeof *sw->seeds);
  int rc = 0, found = 0, wanted = 0;
  for (int t = 0; t < 2 && !rc; t++) {
    rp_set *s = &c.sets[RP_MAIN][t];
    rc = rx_results_set_init(&s->where, pt->dir, (rx_task_kind)t, 0, err);
    if (rc || !sw->tasks[t].present) continue;
    snprintf(s->where.noise, sizeof s->where.noise, "%s", pt->noise[t]);
    s->exists = is_dir(s->where.dir);
    for (int e = 0; e < sw->tasks[t].n_experiments && !rc; e++) {
      const rx_experiment *ex = rx_experiment_find((rx_task_kind)t, sw->tasks[t].experiments[e]);
      for (int k = 0; k < COUNT(stats) && !rc; k++) {
        rp_stat *st = at(tb, p, t, e, k);
        st->n = 0;
        st->mean = st->sd = NAN;
        if (!ex || !applies(k, t)) continue;
        rp_run run;
        const char *prefix = family_of(ex, &run);
        const rp_qty q = {RP_MAIN,
                          (rx_task_kind)t,
                          stats[k].analysis,
                          prefix,
                          run,
                          stats[k].own ? run : (rp_run)RP_NO_RUN,
                          stats[k].field,
                          stats[k].kind,
                          0};
        rc = rp_eval(&c, &q, st, err);
        wanted++;
        found += st->n > 0;
      }
    }
  }
  if (!rc) rp_log(&c, "%s: %d of %d statistics measured", pt->dir, found, wanted);
  rp_ctx_free(&c);
  return rc;
}

/* ---- sweep.json ---- */

static cJSON *value_json(const rx_sweep_key *k, int v) {
  return k->numeric ? cJSON_CreateNumber(k->numbers[v]) : cJSON_CreateString(k->values[v]);
}

static cJSON *stat_json(const rp_stat *st) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToObject(o, "mean", st->n ? cJSON_CreateNumber(st->mean) : cJSON_CreateNull());
  cJSON_AddItemToObject(o, "sd", st->n ? cJSON_CreateNumber(st->sd) : cJSON_CreateNull());
  cJSON_AddNumberToObject(o, "n", st->n);
  return o;
}

static int write_json(const sweep_table *tb, rx_error *err) {
  const rx_sweep *sw = tb->sw;
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "format", "reactivate sweep");
  cJSON_AddNumberToObject(root, "version", 1);
  cJSON_AddStringToObject(root, "sweep", sw->path);
  cJSON_AddStringToObject(root, "description", sw->description);
  cJSON *seeds = cJSON_AddArrayToObject(root, "seeds");
  for (int i = 0; i < sw->n_seeds; i++)
    cJSON_AddItemToArray(seeds, cJSON_CreateNumber(sw->seeds[i]));
  cJSON *grid = cJSON_AddObjectToObject(root, "grid");
  for (int k = 0; k < sw->n_keys; k++) {
    cJSON *vals = cJSON_AddArrayToObject(grid, sw->keys[k].name);
    for (int v = 0; v < sw->keys[k].n_values; v++)
      cJSON_AddItemToArray(vals, value_json(&sw->keys[k], v));
  }
  cJSON *list = cJSON_AddArrayToObject(root, "statistics");
  for (int s = 0; s < COUNT(stats); s++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", stats[s].id);
    cJSON_AddStringToObject(o, "label", stats[s].label);
    cJSON_AddStringToObject(o, "file",
                            stats[s].analysis == FINAL
                                ? RX_RESULTS_TEST_METRICS
                                : rx_results_analysis_name(stats[s].analysis));
    cJSON_AddItemToArray(list, o);
  }
  cJSON *points = cJSON_AddArrayToObject(root, "points");
  for (int p = 0; p < sw->n_points; p++) {
    const rx_sweep_point *pt = &sw->points[p];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", pt->name);
    char rel[400];
    rx_results_sweep_point_dir(".", pt->name, rel, sizeof rel);
    cJSON_AddStringToObject(o, "dir", rel + 2);
    cJSON *over = cJSON_AddObjectToObject(o, "overrides"),
          *vals = cJSON_AddObjectToObject(o, "values");
    for (int k = 0; k < sw->n_keys; k++) {
      cJSON_AddStringToObject(over, sw->keys[k].name, sw->keys[k].values[pt->value[k]]);
      cJSON_AddItemToObject(vals, sw->keys[k].name, value_json(&sw->keys[k], pt->value[k]));
    }
    cJSON *res = cJSON_AddObjectToObject(o, "results");
    for (int t = 0; t < 2; t++) {
      if (!sw->tasks[t].present) continue;
      cJSON *task = cJSON_AddObjectToObject(res, rx_task_name((rx_task_kind)t));
      cJSON_AddStringToObject(task, "noise", pt->noise[t]);
      for (int e = 0; e < sw->tasks[t].n_experiments; e++) {
        cJSON *ex = cJSON_AddObjectToObject(task, sw->tasks[t].experiments[e]);
        for (int s = 0; s < COUNT(stats); s++)
          if (applies(s, t)) cJSON_AddItemToObject(ex, stats[s].id, stat_json(at(tb, p, t, e, s)));
      }
    }
    cJSON_AddItemToArray(points, o);
  }
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  char path[2400];
  int rc = text ? 0 : rx_fail(err, RX_ENOMEM, "out of memory writing the sweep report");
  if (!rc && rx_results_sweep_file(sw->out, RX_RESULTS_SWEEP_JSON, path, sizeof path))
    rc = rx_fail(err, RX_EINVAL, "output directory name too long: %s", sw->out);
  if (!rc) {
    size_t n = strlen(text);
    text[n] = '\n'; /* cJSON_Print leaves no final newline; its NUL becomes one */
    rc = rx_write_file_atomic(path, text, n + 1, err);
  }
  free(text);
  if (!rc) rp_log(tb->log, "wrote %s", path);
  return rc;
}

/* ---- figures ---- */

/* Index of the point with first-key value v0 and the other keys as in point `rest`. */
static int point_with(const rx_sweep *sw, int v0, int rest) {
  int idx = 0;
  for (int k = 0; k < sw->n_keys; k++) {
    const int v = k == 0 ? v0 : sw->points[rest].value[k];
    idx = idx * sw->keys[k].n_values + v;
  }
  return idx;
}

static void panel_title(int t, const char *experiment, char *buf, size_t n) {
  const rx_experiment *ex = rx_experiment_find((rx_task_kind)t, experiment);
  snprintf(buf, n, "%s: %s", t == RX_TASK_SPATIAL ? "spatial" : "head direction",
           ex ? ex->full_label : experiment);
}

/* The figure of statistic s; *drawn = 0 when no point measured it. */
static int draw_stat(const sweep_table *tb, int s, int *drawn, rx_error *err) {
  const rx_sweep *sw = tb->sw;
  const rx_sweep_key *k0 = &sw->keys[0];
  const int nx = k0->n_values, n_lines = sw->n_points / nx;
  *drawn = 0;
  int n_panels = 0, any = 0;
  for (int t = 0; t < 2; t++)
    for (int e = 0; sw->tasks[t].present && applies(s, t) && e < sw->tasks[t].n_experiments; e++) {
      n_panels++;
      for (int p = 0; p < sw->n_points; p++)
        any |= at(tb, p, t, e, s)->n > 0;
    }
  if (!any) return 0;
  double *x = malloc((size_t)nx * sizeof *x), *y = malloc((size_t)nx * (size_t)n_lines * sizeof *y),
         *sd = malloc((size_t)nx * (size_t)n_lines * sizeof *sd);
  rx_series *series = calloc((size_t)n_lines, sizeof *series);
  char(*labels)[300] = calloc((size_t)n_lines, sizeof *labels);
  char base[2400], x_label[600], title[200];
  rx_fig *fig = NULL;
  int rc = x && y && sd && series && labels ? 0 : rx_fail(err, RX_ENOMEM, "out of memory");
  if (!rc && rx_results_sweep_figure(sw->out, stats[s].id, base, sizeof base))
    rc = rx_fail(err, RX_EINVAL, "output directory name too long: %s", sw->out);
  int log_x = k0->numeric, cols = n_panels < 3 ? n_panels : 3;
  double lo = INFINITY, hi = -INFINITY;
  for (int v = 0; v < nx && !rc; v++) {
    x[v] = k0->numeric ? k0->numbers[v] : v;
    if (x[v] <= 0) log_x = 0;
    lo = fmin(lo, x[v]), hi = fmax(hi, x[v]);
  }
  log_x = log_x && hi >= 100 * lo;
  if (k0->numeric) {
    snprintf(x_label, sizeof x_label, "%s", k0->name);
  } else {
    snprintf(x_label, sizeof x_label, "%s (", k0->name);
    for (int v = 0; v < nx; v++)
      rp_strcatf(x_label, sizeof x_label, "%s%d: %s", v ? ", " : "", v, k0->values[v]);
    rp_strcatf(x_label, sizeof x_label, ")");
  }
  if (!rc) {
    char dir[2400];
    snprintf(dir, sizeof dir, "%s", base);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    rc = rx_mkdirs(dir, err);
  }
  if (!rc) rc = rx_fig_create(&fig, base, cols, (n_panels + cols - 1) / cols, stats[s].label, err);
  for (int t = 0; t < 2 && !rc; t++)
    for (int e = 0; sw->tasks[t].present && applies(s, t) && e < sw->tasks[t].n_experiments && !rc;
         e++) {
      int finite = 0;
      for (int l = 0; l < n_lines; l++) {
        for (int v = 0; v < nx; v++) {
          const rp_stat *st = at(tb, point_with(sw, v, l), t, e, s);
          y[l * nx + v] = st->n ? st->mean : NAN;
          sd[l * nx + v] = st->n ? st->sd : NAN;
          finite |= st->n > 0;
        }
        labels[l][0] = '\0';
        for (int k = 1; k < sw->n_keys; k++)
          rp_strcatf(labels[l], sizeof labels[l], "%s%s = %s", k > 1 ? ", " : "", sw->keys[k].name,
                     sw->keys[k].values[sw->points[l].value[k]]);
        series[l] = (rx_series){.label = sw->n_keys > 1 ? labels[l] : NULL,
                                .x = x,
                                .y = y + (size_t)l * (size_t)nx,
                                .sd = sd + (size_t)l * (size_t)nx,
                                .n = (size_t)nx,
                                .markers = 1,
                                .sd_bars = 1};
      }
      if (!finite) {
        rc = rx_fig_skip(fig, err);
        continue;
      }
      panel_title(t, sw->tasks[t].experiments[e], title, sizeof title);
      const rx_lines_spec spec = {.title = title,
                                  .x_label = x_label,
                                  .y_label = stats[s].label,
                                  .series = series,
                                  .n_series = n_lines,
                                  .log_x = log_x,
                                  .legend = sw->n_keys > 1 ? RX_LEGEND_AUTO : RX_LEGEND_NONE};
      rc = rx_fig_add_lines(fig, &spec, err);
    }
  if (!rc) rc = rx_fig_save(fig, err);
  if (!rc) *drawn = 1;
  rx_fig_free(fig);
  free(x), free(y), free(sd), free(series), free(labels);
  return rc;
}

/* ---- sweep.md / sweep.html ---- */

static void stat_cell(rp_doc *d, const rp_stat *st, int n_seeds) {
  char t[96];
  if (!st->n)
    snprintf(t, sizeof t, "—");
  else
    rp_stat_text(st, n_seeds, t, sizeof t);
  rp_cell(d, t);
}

static void point_header(const rx_sweep *sw, int p, char *buf, size_t n) {
  buf[0] = '\0';
  for (int k = 0; k < sw->n_keys; k++)
    rp_strcatf(buf, n, "%s%s = %s", k ? ", " : "", sw->keys[k].name,
               sw->keys[k].values[sw->points[p].value[k]]);
}

static int write_doc(const sweep_table *tb, const int *drawn, rx_error *err) {
  const rx_sweep *sw = tb->sw;
  rp_doc *d = calloc(1, sizeof *d);
  const char **headers = calloc((size_t)sw->n_points + 1, sizeof *headers);
  char(*names)[400] = calloc((size_t)sw->n_points, sizeof *names);
  if (!d || !headers || !names) {
    free(d), free(headers), free(names);
    return rx_fail(err, RX_ENOMEM, "out of memory writing the sweep report");
  }
  const char *stem = strrchr(sw->path, '/') ? strrchr(sw->path, '/') + 1 : sw->path;
  char title[300], seeds[300];
  snprintf(title, sizeof title, "Sweep: %.*s", (int)strcspn(stem, "."), stem);
  rx_seed_list_format(sw->seeds, sw->n_seeds, ", ", seeds, sizeof seeds);
  rp_heading(d, 1, title);
  if (sw->description[0]) rp_para(d, "%s", sw->description);
  rp_para(d,
          "Sweep file %s; %d grid point%s × seed%s %s, each trained and analysed as in a "
          "reproduction under points/<point>/ (docs/sweep.md). Each cell: mean ± s.d. over the "
          "seeds that have the number (s.d. with ddof 0; \"(n=k)\" when fewer seeds have it; — "
          "when none does). The same numbers: sweep.json.",
          sw->path, sw->n_points, sw->n_points == 1 ? "" : "s", sw->n_seeds == 1 ? "" : "s", seeds);
  rp_list_begin(d);
  for (int k = 0; k < sw->n_keys; k++) {
    char vals[1500] = "";
    for (int v = 0; v < sw->keys[k].n_values; v++)
      rp_strcatf(vals, sizeof vals, "%s%s", v ? ", " : "", sw->keys[k].values[v]);
    rp_list_item(d, "%s: %s", sw->keys[k].name, vals);
  }
  rp_list_end(d);
  headers[0] = "statistic";
  for (int p = 0; p < sw->n_points; p++) {
    point_header(sw, p, names[p], sizeof names[p]);
    headers[p + 1] = names[p];
  }
  for (int t = 0; t < 2; t++) {
    if (!sw->tasks[t].present) continue;
    for (int e = 0; e < sw->tasks[t].n_experiments; e++) {
      const rx_experiment *ex = rx_experiment_find((rx_task_kind)t, sw->tasks[t].experiments[e]);
      char h[300];
      snprintf(h, sizeof h, "%s: %s%s%s%s", rx_task_name((rx_task_kind)t),
               sw->tasks[t].experiments[e], ex ? " (" : "", ex ? ex->full_label : "",
               ex ? ")" : "");
      rp_heading(d, 2, h);
      rp_table_begin(d, sw->n_points + 1, headers);
      for (int s = 0; s < COUNT(stats); s++) {
        if (!applies(s, t)) continue;
        rp_cell(d, stats[s].label);
        for (int p = 0; p < sw->n_points; p++)
          stat_cell(d, at(tb, p, t, e, s), sw->n_seeds);
      }
      rp_table_end(d);
    }
  }
  rp_heading(d, 2, "Figures");
  rp_para(d,
          "Each statistic against %s%s (mean ± s.d. over seeds as error bars), a panel per "
          "task and experiment%s.",
          sw->keys[0].name, tb->sw->keys[0].numeric ? "" : " (its values in order)",
          sw->n_keys > 1 ? ", a line per value of the other keys" : "");
  for (int s = 0; s < COUNT(stats); s++) {
    if (!drawn[s]) continue;
    char rel[300], png[320], svg[320];
    rx_results_sweep_figure_rel(stats[s].id, rel, sizeof rel);
    snprintf(png, sizeof png, "%s.png", rel);
    snprintf(svg, sizeof svg, "%s.svg", rel);
    rp_figure(d, png, stats[s].label, svg);
  }
  char md[2400], html[2400];
  int rc = 0;
  if (rx_results_sweep_file(sw->out, RX_RESULTS_SWEEP_MD, md, sizeof md) ||
      rx_results_sweep_file(sw->out, RX_RESULTS_SWEEP_HTML, html, sizeof html))
    rc = rx_fail(err, RX_EINVAL, "output directory name too long: %s", sw->out);
  if (!rc) rc = rp_write_doc(d, title, md, html, err);
  if (!rc) rp_log(tb->log, "wrote %s and %s", md, html);
  rp_doc_free(d);
  free(d), free(headers), free(names);
  return rc;
}

int rx_sweep_report_write(const rx_sweep *sw, rx_report_log_fn log, void *ctx, rx_error *err) {
  if (!sw || !sw->n_points || !sw->n_keys) return rx_fail(err, RX_EINVAL, "no sweep to report");
  sweep_table tb = {.sw = sw};
  for (int t = 0; t < 2; t++)
    if (sw->tasks[t].n_experiments > tb.n_exp_max) tb.n_exp_max = sw->tasks[t].n_experiments;
  rp_ctx logger;
  memset(&logger, 0, sizeof logger);
  logger.rd.log = log;
  logger.rd.log_ctx = ctx;
  tb.log = &logger;
  tb.st =
      calloc((size_t)sw->n_points * 2 * (size_t)(tb.n_exp_max ? tb.n_exp_max : 1) * COUNT(stats),
             sizeof *tb.st);
  int drawn[COUNT(stats)] = {0};
  int rc = tb.st ? rx_mkdirs(sw->out, err) : rx_fail(err, RX_ENOMEM, "out of memory");
  for (int p = 0; p < sw->n_points && !rc; p++)
    rc = eval_point(&tb, p, log, ctx, err);
  if (!rc) rc = write_json(&tb, err);
  for (int s = 0; s < COUNT(stats) && !rc; s++)
    rc = draw_stat(&tb, s, &drawn[s], err);
  if (!rc) rc = write_doc(&tb, drawn, err);
  free(tb.st);
  return rc;
}
