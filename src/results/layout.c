/* Names and paths under a results root: run names and directories, checkpoints, the
 * Gaussian-noise root and the analysis files, and the same names with "<seed>" for messages.
 * Which experiments and analyses exist is experiments.c's; the checkpoint file name itself is
 * rx_checkpoint_path's (src/train). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reactivate/checkpoint.h"
#include "reactivate/config.h"
#include "reactivate/results.h"

/* snprintf that reports truncation. */
static int put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int put(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return len < 0 || (size_t)len >= n ? RX_EINVAL : 0;
}

int rx_results_set_init(rx_results_set *s, const char *root, rx_task_kind task, double noise,
                        rx_error *err) {
  memset(s, 0, sizeof *s);
  s->task = task;
  rx_format_py_float(noise, s->noise, sizeof s->noise);
  if (put(s->dir, sizeof s->dir, "%s/%s", root, rx_task_name(task)))
    return rx_fail(err, RX_EINVAL, "results root name too long: %.200s...", root);
  return 0;
}

/* ---- runs ---- */

/* The one place a run name is put together; seed is a number or the text "<seed>". */
static int run_name(const char *experiment, const char *noise, const char *seed, char *buf,
                    size_t n) {
  if (noise && *noise) return put(buf, n, "%s_%s_%s", experiment, noise, seed);
  return put(buf, n, "%s_%s", experiment, seed);
}

int rx_results_run_name(const char *experiment, const char *noise, int seed, char *buf, size_t n) {
  char s[16];
  snprintf(s, sizeof s, "%d", seed);
  return run_name(experiment, noise, s, buf, n);
}

int rx_results_run_name_sigma(const char *experiment, double sigma2_rec, int seed, char *buf,
                              size_t n) {
  char noise[64] = "";
  if (sigma2_rec != 0) rx_format_py_float(sigma2_rec, noise, sizeof noise);
  return rx_results_run_name(experiment, noise, seed, buf, n);
}

int rx_results_run_dir(const char *root, rx_task_kind task, const char *run, char *buf, size_t n) {
  return put(buf, n, "%s/%s/%s", root, rx_task_name(task), run);
}

int rx_results_checkpoint_path(const char *run_dir, int64_t step, char *buf, size_t n) {
  char path[4200];
  rx_checkpoint_path(path, sizeof path, run_dir, step);
  return put(buf, n, "%s", path) || strlen(path) + 1 >= sizeof path ? RX_EINVAL : 0;
}

int rx_results_figures_dir(const char *task_dir, char *buf, size_t n) {
  return put(buf, n, "%s/figures", task_dir);
}

int rx_results_gaussian_root(const char *root, char *buf, size_t n) {
  return put(buf, n, "%s/gaussian", root);
}

int rx_results_experiment_run(const rx_results_set *s, const rx_experiment *e, int seed, char *buf,
                              size_t n) {
  return rx_results_run_name(e->name, e->noisy ? s->noise : NULL, seed, buf, n);
}

int rx_results_experiment_dir(const rx_results_set *s, const rx_experiment *e, int seed, char *buf,
                              size_t n) {
  char run[600];
  if (rx_results_experiment_run(s, e, seed, run, sizeof run)) return RX_EINVAL;
  return put(buf, n, "%s/%s", s->dir, run);
}

int rx_results_experiment_file(const rx_results_set *s, const rx_experiment *e, int seed,
                               const char *file, char *buf, size_t n) {
  char run[600];
  if (rx_results_experiment_run(s, e, seed, run, sizeof run)) return RX_EINVAL;
  return put(buf, n, "%s/%s/%s", s->dir, run, file);
}

int rx_results_condition_key(const rx_results_set *s, const rx_mechanism_condition *c, int seed,
                             char *buf, size_t n) {
  char run[600];
  if (rx_results_experiment_run(s, rx_experiment_get(s->task, c->run), seed, run, sizeof run))
    return RX_EINVAL;
  return put(buf, n, "%s%s", run, c->suffix);
}

int rx_results_experiment_pattern(const rx_results_set *s, const rx_experiment *e, char *buf,
                                  size_t n) {
  return run_name(e->name, e->noisy ? s->noise : NULL, "<seed>", buf, n);
}

/* ---- analysis files ---- */

/* The one place an analysis file name is put together; seed as in run_name. */
static int analysis_stem(int analysis, const char *prefix, const char *noise, const char *seed,
                         char *buf, size_t n) {
  const char *name = rx_results_analysis_name(analysis);
  if (!name) {
    if (n) buf[0] = '\0';
    return RX_EINVAL;
  }
  return put(buf, n, "%s_%s%s_%s", name, prefix ? prefix : "", noise, seed);
}

int rx_results_analysis_stem(int analysis, const char *prefix, const char *noise, int seed,
                             char *buf, size_t n) {
  char s[16];
  snprintf(s, sizeof s, "%d", seed);
  return analysis_stem(analysis, prefix, noise, s, buf, n);
}

int rx_results_analysis_path(const rx_results_set *s, int analysis, const char *prefix, int seed,
                             const char *ext, char *buf, size_t n) {
  char stem[400];
  if (rx_results_analysis_stem(analysis, prefix, s->noise, seed, stem, sizeof stem))
    return RX_EINVAL;
  return put(buf, n, "%s/%s.%s", s->dir, stem, ext);
}

int rx_results_analysis_pattern(int analysis, const char *prefix, const char *noise,
                                const char *ext, char *buf, size_t n) {
  char stem[400];
  if (analysis_stem(analysis, prefix, noise, "<seed>", stem, sizeof stem)) return RX_EINVAL;
  return put(buf, n, "%s.%s", stem, ext);
}

/* ---- sweeps ---- */

#define SWEEP_NAME_MAX 200

int rx_results_sweep_point_name(int n_keys, const char *const *keys, const char *const *values,
                                char *buf, size_t n) {
  size_t len = 0;
  if (n) buf[0] = '\0';
  for (int k = 0; k < n_keys; k++) {
    if (put(buf + len, n - len, "%s%s=", k ? "," : "", keys[k])) return RX_EINVAL;
    len += strlen(buf + len);
    for (const char *c = values[k]; *c; c++) {
      const int keep = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                       (*c >= '0' && *c <= '9') || strchr("._+-", *c);
      if (len + 1 >= n) return RX_EINVAL;
      buf[len++] = keep ? *c : '_';
      buf[len] = '\0';
    }
  }
  return len > SWEEP_NAME_MAX ? RX_EINVAL : 0;
}

int rx_results_sweep_point_dir(const char *out, const char *name, char *buf, size_t n) {
  return put(buf, n, "%s/points/%s", out, name);
}

int rx_results_sweep_file(const char *out, const char *file, char *buf, size_t n) {
  return put(buf, n, "%s/%s", out, file);
}

int rx_results_sweep_figure_rel(const char *statistic, char *buf, size_t n) {
  return put(buf, n, "figures/sweep_%s", statistic);
}

int rx_results_sweep_figure(const char *out, const char *statistic, char *buf, size_t n) {
  char rel[300];
  if (rx_results_sweep_figure_rel(statistic, rel, sizeof rel)) return RX_EINVAL;
  return put(buf, n, "%s/%s", out, rel);
}
