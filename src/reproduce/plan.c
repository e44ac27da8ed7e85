/* The reproduction plan: a profile expanded into `reactivate` command lines (train each run,
 * analyse each task and seed in the paper's variants, draw each task's figures) with their
 * dependencies, what is already finished on disk, and the work left (for progress and ETA). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reactivate/analyze.h"
#include "reactivate/checkpoint.h"
#include "reactivate/config.h"
#include "reactivate/fileio.h"
#include "reactivate/results.h"
#include "reproduce/reproduce_internal.h"

/* Cost of drawing one task's figures, in the plan's unit (FLOP-equivalents): a few seconds. */
#define FIGURES_WORK 5e11
#define FIGURES_STAMP ".reproduce_complete"

typedef struct builder {
  rx_plan *plan;
  int cap;
  const rxp_profile *profile;
  rxp_build_opts *opts; /* NULL: a reproduction's plan */
  rx_error *err;
} builder;

static rx_step *add_step(builder *b, rx_step_kind kind) {
  rx_plan *p = b->plan;
  if (p->n_steps == b->cap) {
    int cap = b->cap ? 2 * b->cap : 32;
    rx_step *s = realloc(p->steps, (size_t)cap * sizeof *s);
    if (!s) return NULL;
    p->steps = s;
    b->cap = cap;
  }
  rx_step *s = &p->steps[p->n_steps++];
  memset(s, 0, sizeof *s);
  s->kind = kind;
  return s;
}

/* snprintf that reports truncation (names and paths here must never be cut short silently). */
static int bprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bprintf(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return len < 0 || (size_t)len >= n;
}

static int too_long(builder *b, const char *what) {
  return rx_fail(b->err, RX_EINVAL, "%s: %s too long (use a shorter --out)", b->profile->path,
                 what);
}

static int add_arg(builder *b, rx_step *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int add_arg(builder *b, rx_step *s, const char *fmt, ...) {
  if (s->argc == RX_STEP_MAX_ARGS - 1)
    return rx_fail(b->err, RX_EINVAL, "%s: too many overrides for one step (at most %d)",
                   b->profile->path, RX_STEP_MAX_ARGS - 8);
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *arg = len >= 0 ? malloc((size_t)len + 1) : NULL;
  if (!arg) return rx_fail(b->err, RX_ENOMEM, "out of memory building the plan");
  va_start(ap, fmt);
  vsnprintf(arg, (size_t)len + 1, fmt, ap);
  va_end(ap);
  s->argv[s->argc++] = arg;
  return 0;
}

static int add_dep(builder *b, rx_step *s, int index) {
  int *d = realloc(s->deps, (size_t)(s->n_deps + 1) * sizeof *d);
  if (!d) return rx_fail(b->err, RX_ENOMEM, "out of memory building the plan");
  s->deps = d;
  s->deps[s->n_deps++] = index;
  return 0;
}

static double mtime_of(const char *path) {
  struct stat st;
  if (stat(path, &st)) return NAN;
  return (double)st.st_mtim.tv_sec + 1e-9 * (double)st.st_mtim.tv_nsec;
}

static void final_checkpoint(const rx_step *train, char *buf, size_t n) {
  rx_results_checkpoint_path(train->dir, train->n_steps, buf, n);
}

/* The stamp a finished figures step leaves in <task dir>/figures/. */
static void figures_stamp(const rx_step *figures, char *buf, size_t n) {
  char dir[4000];
  rx_results_figures_dir(figures->dir, dir, sizeof dir);
  snprintf(buf, n, "%s/%s", dir, FIGURES_STAMP);
}

static rx_task_kind task_of(const rxp_task *t) {
  return strcmp(t->name, rx_task_name(RX_TASK_SPATIAL)) ? RX_TASK_HEAD_DIRECTION : RX_TASK_SPATIAL;
}

/* ---- training ---- */

typedef struct train_entry {
  int step;          /* index in the plan */
  int noisy, gru;    /* sigma2_rec > 0; GRU */
  unsigned families; /* bit f: analysed in family f (rx_results_family) */
  int mechanism;     /* a mechanism experiment (RX_EXP_ADAPTATION, RX_EXP_MOMENTUM) */
  double sigma2_rec;
  double row_flops; /* forward FLOPs per trajectory step (analysis cost estimate) */
} train_entry;

static int add_train(builder *b, const rxp_task *t, int e, int seed, const char *root, int gaussian,
                     train_entry *out) {
  const char *over[RX_STEP_MAX_ARGS];
  char seed_arg[32], path_arg[2100];
  int n = 0;
  snprintf(seed_arg, sizeof seed_arg, "seed=%d", seed);
  snprintf(path_arg, sizeof path_arg, "path=%s", root);
  over[n++] = seed_arg;
  over[n++] = path_arg;
  for (int i = 0; i < t->n_train && n < RX_STEP_MAX_ARGS - 8; i++)
    over[n++] = t->train[i];
  for (int i = 0; i < t->n_extra[e] && n < RX_STEP_MAX_ARGS - 8; i++)
    over[n++] = t->extra[e][i];
  for (int i = 0; i < t->n_point && n < RX_STEP_MAX_ARGS - 8; i++) /* a sweep's grid point */
    over[n++] = t->point[i];
  if (gaussian) over[n++] = "rnn.noise=gaussian";

  char experiment[512];
  snprintf(experiment, sizeof experiment, "%s/%s", t->name, t->experiments[e]);
  rx_train_config cfg;
  rx_error e2 = {{0}};
  if (rx_config_load(&cfg, experiment, n, over, &e2))
    return rx_fail(b->err, RX_EINVAL, "profile %s: %s: %s", b->profile->path, experiment, e2.msg);

  int index = b->plan->n_steps;
  rx_step *s = add_step(b, RX_STEP_TRAIN);
  if (!s) return rx_fail(b->err, RX_ENOMEM, "out of memory building the plan");
  char name[200];
  if (rx_config_run_name(&cfg, name, sizeof name) ||
      rx_config_run_dir(&cfg, s->dir, sizeof s->dir) ||
      bprintf(s->label, sizeof s->label, "train %s/%s%s", t->name, name,
              gaussian ? " (Gaussian noise)" : "") ||
      bprintf(s->log, sizeof s->log, "%s/logs/%s_%s.log", root, t->name, name))
    return too_long(b, "a run directory");
  int rc = add_arg(b, s, "train");
  if (!rc) rc = add_arg(b, s, "%s", experiment);
  for (int i = 0; i < n && !rc; i++)
    rc = add_arg(b, s, "%s", over[i]);
  if (!rc) rc = add_arg(b, s, "--resume");
  if (rc) return rc;

  rx_rnn_spec spec;
  rx_config_rnn_spec(&cfg, &spec);
  s->n_steps = cfg.trainer.n_epochs;
  out->step = index;
  out->noisy = cfg.rnn.sigma2_rec > 0;
  out->gru = cfg.rnn.model == RX_MODEL_GRU;
  /* Families as rx_analyze loads them: the paper's set by model, the mechanisms family by the
   * conditions' runs (results.h). */
  const rx_experiment *ex = rx_experiment_find(task_of(t), t->experiments[e]);
  out->mechanism = ex && ex->mechanism;
  out->families = out->gru ? 1u << RX_FAMILY_GRU : out->mechanism ? 0 : 1u << RX_FAMILY_MAIN;
  for (int c = 0; ex && c < rx_mechanism_condition_count(); c++)
    if (rx_mechanism_condition_get(c)->run == ex->id) out->families |= 1u << RX_FAMILY_MECHANISMS;
  out->sigma2_rec = cfg.rnn.sigma2_rec;
  out->row_flops = rx_rnn_train_flops(&spec, 1, 1) / 3; /* forward ~ a third of a training step */
  s->work =
      rx_rnn_train_flops(&spec, cfg.task.batch_size, cfg.task.sequence_length) * (double)s->n_steps;
  rx_plan_refresh_step(b->plan, index);
  return 0;
}

/* ---- analyses ---- */

typedef struct analysis_variant {
  const char *arg;    /* extra setting, or NULL */
  const char *prefix; /* of the output names */
  int family;         /* the runs it analyses (rx_results_family) */
  int rule;           /* the quiescence rule it sets (rx_analysis_config.rule) */
  unsigned analyses;  /* bit a: writes analysis a (rx_results_analysis); 0: `analyze all` */
} analysis_variant;

/* The mechanisms family's comparison (docs/mechanisms.md): the paper's measures of exploration
 * and smoothness, the match to the own awake distribution (KL in the arena, the heading
 * histograms on the ring), diffusion and replay. */
#define MECHANISM_ANALYSES                                                                         \
  (1u << RX_RESULTS_KL | 1u << RX_RESULTS_HEADING | 1u << RX_RESULTS_VARIANCE |                    \
   1u << RX_RESULTS_DISTANCE | 1u << RX_RESULTS_DIFFUSION | 1u << RX_RESULTS_REPLAY)

static const analysis_variant variants[] = {
    {NULL, RX_RESULTS_MAIN, RX_FAMILY_MAIN, 0, 0}, /* the paper's main analyses (default rule) */
    {"rule=same", RX_RESULTS_SAME, RX_FAMILY_MAIN, 2,
     0}, /* docs/science.md §7.1, C.1: quiescent noise not doubled */
    {"gru=true", RX_RESULTS_GRU, RX_FAMILY_GRU, 0, 0}, /* docs/science.md §7.1, C.2: GRUs */
    {"mechanisms=true", RX_RESULTS_MECH, RX_FAMILY_MECHANISMS, 0, MECHANISM_ANALYSES},
};

/* Whether variant v writes analysis a for task (with the analyses beyond the paper, probes). */
static int variant_writes(const analysis_variant *v, int a, rx_task_kind task, int probes) {
  return rx_results_analysis_applies(a, task) && rx_results_analysis_in_family(a, v->rule) &&
         (probes || !rx_results_analysis_beyond_paper(a)) &&
         (!v->analyses || (v->analyses & (1u << a)));
}

/* Done when every output `analyze all` writes for the task exists and is newer than every final
 * checkpoint it was computed from. */
static int analysis_done(const rx_plan *p, const rx_step *s, const rx_results_set *set,
                         const analysis_variant *v, int probes, int seed) {
  double newest_input = -INFINITY;
  char path[4200];
  for (int d = 0; d < s->n_deps; d++) {
    const rx_step *t = &p->steps[s->deps[d]];
    if (!t->done) return 0;
    final_checkpoint(t, path, sizeof path);
    double m = mtime_of(path);
    if (isnan(m)) return 0;
    if (m > newest_input) newest_input = m;
  }
  for (int a = 0; a < RX_RESULTS_N_ANALYSES; a++) {
    if (!variant_writes(v, a, set->task, probes)) continue;
    if (rx_results_analysis_path(set, a, v->prefix, seed, "json", path, sizeof path)) return 0;
    double m = mtime_of(path);
    if (isnan(m) || m < newest_input) return 0;
  }
  return 1;
}

static int add_analysis(builder *b, const rxp_task *t, int seed, const char *root,
                        const analysis_variant *v, const train_entry *runs, int n_runs) {
  /* The runs this variant analyses, and the noise their names hold. */
  double noise = -1, row_flops = 0;
  int n_used = 0, n_mechanisms = 0;
  for (int i = 0; i < n_runs; i++)
    n_mechanisms += runs[i].mechanism;
  /* the mechanisms family compares mechanisms: without one trained, there is nothing to compare */
  if (v->family == RX_FAMILY_MECHANISMS && !n_mechanisms) return 0;
  for (int i = 0; i < n_runs; i++)
    if (runs[i].families & (1u << v->family)) {
      n_used++;
      if (runs[i].noisy && noise < 0) noise = runs[i].sigma2_rec;
      if (runs[i].row_flops > row_flops) row_flops = runs[i].row_flops;
    }
  if (!n_used) return 0;
  const rx_task_kind task = task_of(t);
  if (v->arg && v->family != RX_FAMILY_MECHANISMS && task != RX_TASK_SPATIAL)
    return 0; /* C.1 / C.2 are spatial supplements */

  int index = b->plan->n_steps;
  rx_step *s = add_step(b, RX_STEP_ANALYZE);
  if (!s) return rx_fail(b->err, RX_ENOMEM, "out of memory building the plan");
  rx_results_set set; /* the noise of the names: the runs', else the analysis default (below) */
  if (rx_results_set_init(&set, root, task, noise, b->err) ||
      bprintf(s->dir, sizeof s->dir, "%s", set.dir) ||
      bprintf(s->label, sizeof s->label, "analyze %s seed %d%s%s%s%s", t->name, seed,
              v->arg ? " (" : "", v->arg ? v->arg : "", v->arg ? ")" : "",
              strcmp(root, b->plan->out) ? " (Gaussian noise)" : "") ||
      bprintf(s->log, sizeof s->log, "%s/logs/%s_analyze_%s%d.log", root, t->name, v->prefix, seed))
    return too_long(b, "a results directory");
  /* The probes run on the main results; the Gaussian-noise root is there for the KL
   * comparison of docs/science.md §11.4 and gets the paper's analyses only. */
  const int probes = !strcmp(root, b->plan->out);
  int rc = add_arg(b, s, "analyze");
  if (!rc && probes && !v->analyses) rc = add_arg(b, s, "all");
  for (int a = 0; a < RX_RESULTS_N_ANALYSES && !rc && (!probes || v->analyses); a++)
    if (variant_writes(v, a, task, probes)) rc = add_arg(b, s, "%s", rx_results_analysis_name(a));
  const int n_words = s->argc; /* "analyze" and the analyses, before the settings */
  if (!rc) rc = add_arg(b, s, "task=%s", t->name);
  if (!rc) rc = add_arg(b, s, "seed=%d", seed);
  if (!rc) rc = add_arg(b, s, "path=%s", root);
  if (!rc && noise >= 0) rc = add_arg(b, s, "noise=%s", set.noise); /* as the run names write it */
  if (!rc && v->arg) rc = add_arg(b, s, "%s", v->arg);
  for (int i = 0; i < t->n_analysis && !rc; i++)
    rc = add_arg(b, s, "%s", t->analysis[i]);
  for (int i = 0; i < n_runs && !rc; i++)
    if (runs[i].families & (1u << v->family)) rc = add_dep(b, s, runs[i].step);
  if (rc) return rc;

  /* Validate the settings now, and estimate the cost from them: trajectory steps simulated per run.
   */
  rx_analysis_config acfg;
  rx_error e2 = {{0}};
  if (rx_analysis_config_load(&acfg, s->argc - n_words, (const char *const *)s->argv + n_words,
                              &e2))
    return rx_fail(b->err, RX_EINVAL, "profile %s: %s analysis: %s", b->profile->path, t->name,
                   e2.msg);
  double rows = (double)acfg.batch_size * (acfg.t_quiescent + 100) +
                (double)acfg.variance.batch_size * acfg.variance.t_total +
                3.0 * acfg.batch_size * acfg.distance.t_quiescent +
                (double)acfg.pca.batch_size * (acfg.pca.t_active + acfg.pca.t_quiescent);
  if (variant_writes(v, RX_RESULTS_MIXING, task, probes))            /* the probes: */
    rows += 1.5 * 3 * acfg.mixing.batch_size * acfg.mixing.t_total + /* 3 starts, 1-2 noises */
            (double)acfg.temperature.n_k * acfg.temperature.batch_size * acfg.temperature.t_total;
  else if (variant_writes(v, RX_RESULTS_DIFFUSION, task, probes)) /* its awake-start runs alone */
    rows += 1.5 * acfg.mixing.batch_size * acfg.mixing.t_total;
  if (variant_writes(v, RX_RESULTS_REPLAY, task, probes)) /* replay, 1-2 noises */
    rows += 1.5 * acfg.replay.batch_size * (acfg.replay.t_burn + acfg.replay.t_total);
  s->work = rows * row_flops * (n_used + 1);
  if (noise < 0 && rx_results_set_init(&set, root, task, acfg.noise, b->err))
    return too_long(b, "a results directory");
  s->done = analysis_done(b->plan, &b->plan->steps[index], &set, v, probes, seed);
  return 0;
}

static int add_figures(builder *b, const rxp_task *t, const char *root, int first_analysis,
                       const char *seeds_text, double noise) {
  int last = b->plan->n_steps;
  rx_step *s = add_step(b, RX_STEP_FIGURES);
  if (!s) return rx_fail(b->err, RX_ENOMEM, "out of memory building the plan");
  rx_results_set set;
  if (rx_results_set_init(&set, root, task_of(t), noise, b->err) ||
      bprintf(s->dir, sizeof s->dir, "%s", set.dir) ||
      bprintf(s->label, sizeof s->label, "figures %s%s", t->name,
              strcmp(root, b->plan->out) ? " (Gaussian noise)" : "") ||
      bprintf(s->log, sizeof s->log, "%s/logs/%s_figures.log", root, t->name))
    return too_long(b, "a results directory");
  int rc = add_arg(b, s, "figures");
  if (!rc) rc = add_arg(b, s, "task=%s", t->name);
  if (!rc) rc = add_arg(b, s, "path=%s", root);
  if (!rc) rc = add_arg(b, s, "seeds=%s", seeds_text);
  if (!rc && noise >= 0) rc = add_arg(b, s, "noise=%s", set.noise);
  int all_done = 1;
  for (int i = first_analysis; i < last && !rc; i++) {
    rx_step *a = &b->plan->steps[i];
    if (a->kind != RX_STEP_ANALYZE || strcmp(a->dir, s->dir)) continue;
    rc = add_dep(b, s, i);
    all_done &= a->done;
  }
  if (rc) return rc;
  s->work = FIGURES_WORK;
  char stamp[4200];
  figures_stamp(s, stamp, sizeof stamp);
  s->done = all_done && rx_file_exists(stamp);
  return 0;
}

/* ---- the whole plan ---- */

static int build(builder *b) {
  const rxp_profile *pr = b->profile;
  rx_plan *p = b->plan;
  char seeds_text[4096];
  if (rx_seed_list_format(p->seeds, p->n_seeds, ",", seeds_text, sizeof seeds_text))
    return rx_fail(b->err, RX_EINVAL, "%s: too many seeds to list", pr->path);

  /* Trainings first (the executor starts ready steps in plan order), then analyses, then figures.
   */
  /* Per (seed, task, root) slot: one entry per experiment of the task. */
  int slot = 0;
  for (int t = 0; t < 2; t++)
    if (pr->tasks[t].n_experiments > slot) slot = pr->tasks[t].n_experiments;
  train_entry *runs = calloc((size_t)p->n_seeds * 4 * (size_t)slot + 1, sizeof *runs);
  int *n_runs = calloc((size_t)p->n_seeds * 4, sizeof *n_runs);
  if (!runs || !n_runs) {
    free(runs);
    free(n_runs);
    return rx_fail(b->err, RX_ENOMEM, "out of memory building the plan");
  }
  int rc = 0;
  double noise[2] = {-1, -1};
  for (int si = 0; si < p->n_seeds && !rc; si++)
    for (int t = 0; t < 2 && !rc; t++) {
      const rxp_task *task = &pr->tasks[t];
      if (!task->present) continue;
      for (int g = 0; g < 1 + (pr->gaussian && t == 0) && !rc; g++) {
        const char *root = g ? p->gaussian_out : p->out;
        train_entry *slot_runs = runs + ((size_t)si * 4 + (size_t)t * 2 + (size_t)g) * (size_t)slot;
        int *n = &n_runs[si * 4 + t * 2 + g];
        for (int e = 0; e < task->n_experiments && !rc; e++) {
          train_entry entry;
          /* The Gaussian root holds only the noisy vanilla runs (docs/science.md §11's comparison).
           */
          if (g) {
            rx_train_config cfg;
            rx_error e2 = {{0}};
            char experiment[512];
            snprintf(experiment, sizeof experiment, "%s/%s", task->name, task->experiments[e]);
            const rx_experiment *ex = rx_experiment_find(task_of(task), task->experiments[e]);
            if ((ex && ex->mechanism) ||
                (rx_config_load(&cfg, experiment, task->n_extra[e], task->extra[e], &e2) == 0 &&
                 (cfg.rnn.model != RX_MODEL_VANILLA || cfg.rnn.sigma2_rec <= 0)))
              continue;
          }
          rc = add_train(b, task, e, p->seeds[si], root, g, &entry);
          if (!rc) {
            slot_runs[(*n)++] = entry;
            if (entry.noisy && !entry.gru && noise[t] < 0) noise[t] = entry.sigma2_rec;
            if (entry.noisy && b->opts && b->opts->noise[t] < 0)
              b->opts->noise[t] = entry.sigma2_rec;
          }
        }
      }
    }
  int first_analysis = p->n_steps;
  for (int si = 0; si < p->n_seeds && !rc; si++)
    for (int t = 0; t < 2 && !rc; t++)
      for (int g = 0; g < 2 && !rc; g++) {
        const train_entry *slot_runs =
            runs + ((size_t)si * 4 + (size_t)t * 2 + (size_t)g) * (size_t)slot;
        int n = n_runs[si * 4 + t * 2 + g];
        const char *root = g ? p->gaussian_out : p->out;
        for (size_t v = 0; v < sizeof variants / sizeof variants[0] && !rc && n; v++)
          if (!(g && v == 1) && /* the Gaussian comparison needs only the main analyses */
              !(v == 1 && b->opts && b->opts->skip_same_rule))
            rc = add_analysis(b, &pr->tasks[t], p->seeds[si], root, &variants[v], slot_runs, n);
      }
  for (int t = 0; t < 2 && !rc && !(b->opts && b->opts->skip_figures); t++)
    for (int g = 0; g < 2 && !rc; g++)
      if (pr->tasks[t].present && (!g || (pr->gaussian && t == 0)))
        rc = add_figures(b, &pr->tasks[t], g ? p->gaussian_out : p->out, first_analysis, seeds_text,
                         noise[t]);
  free(runs);
  free(n_runs);
  return rc;
}

int rxp_plan_build(rx_plan **out, const rxp_profile *pr, const char *profile, const char *out_dir,
                   const int *seeds, int n_seeds, rxp_build_opts *opts, rx_error *err) {
  *out = NULL;
  if (opts) opts->noise[0] = opts->noise[1] = -1;
  rx_plan *p = calloc(1, sizeof *p);
  if (!p) return rx_fail(err, RX_ENOMEM, "out of memory building the plan");
  int rc = 0;
  snprintf(p->profile, sizeof p->profile, "%s", profile);
  snprintf(p->description, sizeof p->description, "%s", pr->description);
  if ((size_t)snprintf(p->out, sizeof p->out, "%s", out_dir) >= sizeof p->out - 16)
    rc = rx_fail(err, RX_EINVAL, "output directory name too long: %s", out_dir);
  if (!rc && pr->gaussian &&
      rx_results_gaussian_root(out_dir, p->gaussian_out, sizeof p->gaussian_out))
    rc = rx_fail(err, RX_EINVAL, "output directory name too long: %s", out_dir);
  if (!rc && n_seeds > RX_PLAN_MAX_SEEDS)
    rc = rx_fail(err, RX_EINVAL, "%d seeds: at most %d", n_seeds, RX_PLAN_MAX_SEEDS);
  for (int i = 1; i < n_seeds && !rc; i++) /* a seed list as rx_seed_list_parse gives it */
    if (seeds[i] <= seeds[i - 1])
      rc = rx_fail(err, RX_EINVAL, "seeds %d and %d: list the seeds ascending, each once",
                   seeds[i - 1], seeds[i]);
  for (int i = 0; i < n_seeds && !rc; i++)
    if (seeds[i] < 0) rc = rx_fail(err, RX_EINVAL, "seed %d: seeds are not negative", seeds[i]);
  p->n_seeds = rc ? 0 : n_seeds > 0 ? n_seeds : pr->n_seeds;
  memcpy(p->seeds, n_seeds > 0 ? seeds : pr->seeds, (size_t)p->n_seeds * sizeof *seeds);
  char seeds_line[4096] = "";
  if (!rc && rx_seed_list_format(p->seeds, p->n_seeds, ", ", seeds_line, sizeof seeds_line))
    rc = rx_fail(err, RX_EINVAL, "profile %s: too many seeds to list", profile);
  size_t n_settings =
      strlen(profile) + strlen(pr->path) + strlen(seeds_line) + strlen(pr->text) + 64;
  if (!rc && !(p->settings = malloc(n_settings)))
    rc = rx_fail(err, RX_ENOMEM, "out of memory building the plan");
  if (!rc)
    bprintf(p->settings, n_settings, "# profile %s (%s), seeds used: [%s]\n%s", profile, pr->path,
            seeds_line, pr->text);
  builder b = {.plan = p, .profile = pr, .opts = opts, .err = err};
  if (!rc) rc = build(&b);
  if (rc) {
    rx_plan_free(p);
    return rc;
  }
  *out = p;
  return 0;
}

int rx_plan_create(rx_plan **out, const char *profile, const char *out_dir, const int *seeds,
                   int n_seeds, rx_error *err) {
  *out = NULL;
  rxp_profile pr;
  int rc = rxp_profile_load(&pr, profile, NULL, err);
  if (!rc) rc = rxp_plan_build(out, &pr, profile, out_dir, seeds, n_seeds, NULL, err);
  rxp_profile_free(&pr);
  return rc;
}

int rxp_plan_append(rx_plan *dst, rx_plan *src, rx_error *err) {
  rx_step *s = realloc(dst->steps, (size_t)(dst->n_steps + src->n_steps + 1) * sizeof *s);
  if (!s) {
    rx_plan_free(src);
    return rx_fail(err, RX_ENOMEM, "out of memory building the plan");
  }
  dst->steps = s;
  for (int i = 0; i < src->n_steps; i++) {
    rx_step *t = &dst->steps[dst->n_steps + i];
    *t = src->steps[i]; /* its arguments and dependencies change owner */
    for (int d = 0; d < t->n_deps; d++)
      t->deps[d] += dst->n_steps;
  }
  dst->n_steps += src->n_steps;
  src->n_steps = 0;
  rx_plan_free(src);
  return 0;
}

void rx_plan_free(rx_plan *plan) {
  if (!plan) return;
  for (int i = 0; i < plan->n_steps; i++) {
    for (int a = 0; a < plan->steps[i].argc; a++)
      free(plan->steps[i].argv[a]);
    free(plan->steps[i].deps);
  }
  free(plan->steps);
  free(plan->settings);
  free(plan);
}

void rx_plan_refresh_step(rx_plan *plan, int i) {
  rx_step *s = &plan->steps[i];
  if (s->kind != RX_STEP_TRAIN) return;
  double per_step = s->n_steps > s->steps_done && s->work > 0
                        ? s->work / (double)(s->n_steps - s->steps_done)
                        : s->work;
  int64_t latest = rx_checkpoint_latest(s->dir);
  s->steps_done = latest > 0 ? latest : 0;
  if (s->steps_done > s->n_steps) s->steps_done = s->n_steps;
  s->done = s->steps_done >= s->n_steps;
  s->work = per_step * (double)(s->n_steps - s->steps_done);
}

int rx_plan_step_finished(rx_plan *plan, int i, rx_error *err) {
  rx_step *s = &plan->steps[i];
  s->done = 1;
  if (s->kind != RX_STEP_FIGURES) return 0;
  char stamp[4200];
  figures_stamp(s, stamp, sizeof stamp);
  return rx_write_file_atomic(stamp, "figures drawn by reactivate reproduce\n", 38, err);
}
