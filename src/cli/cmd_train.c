/* reactivate train: resolve a config (files + overrides), print it, and train with a progress
 * line; SIGINT/SIGTERM stop cleanly after writing a checkpoint. */
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reactivate/config.h"
#include "reactivate/task.h"
#include "reactivate/train.h"

static const char help[] =
    "usage: reactivate train EXPERIMENT [key.sub=value ...] [options]\n"
    "\n"
    "Trains one network of the experiment set. EXPERIMENT is a bundled experiment\n"
    "(<task>/<name>, e.g. spatial_navigation/noisy_unbiased, head_direction/noisy_biased)\n"
    "or the path to your own YAML file. Configs are merged in the order\n"
    "configs/train/base.yml, configs/train/<task>/base.yml, the experiment, then the\n"
    "key=value overrides (e.g. seed=2 rnn.sigma2_rec=0.0003 trainer.n_epochs=1000).\n"
    "The run goes to <path>/<task>/<run name> (path defaults to ./results) and holds\n"
    "config.yaml, model_<step>.npz, train_metrics.json and test_metrics.json. Every key is\n"
    "explained in configs/train/base.yml and docs/science.md §10.\n"
    "\n"
    "options:\n"
    "  --resume        continue from the run's last checkpoint (same random streams)\n"
    "  --overwrite     start over, deleting the run's checkpoints and metrics\n"
    "  --dry-run       print the resolved config and the run directory, train nothing\n"
    "  --quiet         no progress output\n"
    "  --threads N     threads for BLAS and loops (default: all cores); results do not\n"
    "                  depend on it\n"
    "\n"
    "Ctrl-C (SIGINT), SIGTERM or SIGHUP stops after writing a checkpoint (exit 128 +\n"
    "signal); --resume continues, also after a kill -9 or a crash, and ends with the\n"
    "same weights as an uninterrupted run. One process at a time trains a run: a\n"
    "second one is refused while <run>/.lock is held. Every file is written to a\n"
    "temporary file and renamed, so a full disk leaves earlier checkpoints intact.\n";

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) { stop_signal = sig; }

typedef struct train_view {
  cli_progress bar;
  const char *metric;
  int quiet, note_shown;
} train_view;

/* What the start repaired or took over (stale lock, temporary files of a killed run). */
static void show_note(train_view *v, const char *note) {
  v->note_shown = 1;
  if (!v->quiet && note && *note) fprintf(stderr, "reactivate: note: %s\n", note);
}

static void show_progress(void *ctx, const rx_train_progress *p) {
  train_view *v = ctx;
  if (p->note) show_note(v, p->note);
  char detail[256];
  int n = snprintf(detail, sizeof detail, "loss %.3g %s %.3g", p->loss, v->metric, p->error);
  if (p->tested && n > 0 && n < (int)sizeof detail)
    snprintf(detail + n, sizeof detail - n, " | test loss %.3g %s %.3g", p->test_loss, v->metric,
             p->test_error);
  if (p->step == 0) return; /* the untrained network's test metrics: nothing to time yet */
  cli_progress_update(&v->bar, p->step, p->n_steps, "steps", detail, p->tested);
}

int cmd_train(int argc, char **argv) {
  const char *experiment = NULL;
  const char **overrides = calloc((size_t)argc + 1, sizeof(char *));
  int n_over = 0, resume = 0, overwrite = 0, dry_run = 0, quiet = 0;
  long long threads = 0;
  if (!overrides) return cli_error("out of memory");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) {
      fputs(help, stdout);
      free(overrides);
      return 0;
    } else if (!strcmp(a, "--resume")) {
      resume = 1;
    } else if (!strcmp(a, "--overwrite")) {
      overwrite = 1;
    } else if (!strcmp(a, "--dry-run")) {
      dry_run = 1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      quiet = 1;
    } else if (!strcmp(a, "--threads")) {
      if (cli_parse_int("--threads", i + 1 < argc ? argv[++i] : NULL, 0, 1024, &threads)) {
        free(overrides);
        return 2;
      }
    } else if (a[0] == '-') {
      free(overrides);
      cli_error("train: unknown option '%s' (see reactivate train --help)", a);
      return 2;
    } else if (strchr(a, '=')) {
      overrides[n_over++] = a;
    } else if (!experiment) {
      experiment = a;
    } else {
      free(overrides);
      cli_error("train: unexpected argument '%s': overrides are key=value (see --help)", a);
      return 2;
    }
  }
  if (!experiment) {
    free(overrides);
    cli_error(
        "train: no experiment given (e.g. reactivate train spatial_navigation/noisy_unbiased)");
    return 2;
  }
  if (resume && overwrite) {
    free(overrides);
    cli_error("train: --resume and --overwrite contradict each other");
    return 2;
  }
  cli_set_threads((int)threads);

  rx_error err = {{0}};
  rx_train_config cfg;
  int rc = rx_config_load(&cfg, experiment, n_over, overrides, &err);
  free(overrides);
  if (rc) return cli_error("%s", err.msg);
  char run_dir[4096];
  rx_config_run_dir(&cfg, run_dir, sizeof run_dir);
  if (!quiet || dry_run) {
    char *yaml = NULL;
    if (rx_config_to_yaml(&cfg, &yaml, &err) == 0) {
      printf("# resolved config of %s\n%s", experiment, yaml);
      free(yaml);
    }
    printf("# run directory: %s\n", run_dir);
    fflush(stdout);
  }
  if (dry_run) { /* task.trajectories: the file is checked too */
    rx_task_spec ts;
    rx_config_task_spec(&cfg, &ts);
    rc = rx_task_open(&ts, &err);
    rx_task_close(&ts);
    return rc ? cli_error("%s", err.msg) : 0;
  }

  /* Signals ignored on entry stay ignored (nohup, background jobs of a non-interactive shell). */
  const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP}; /* SIGHUP: the terminal went away */
  for (int i = 0; i < 3; i++) {
    struct sigaction sa, old;
    if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART; /* a write or fsync in flight finishes; the loop then stops */
    sigaction(stop_signals[i], &sa, NULL);
  }

  train_view view = {.quiet = quiet};
  cli_progress_init(&view.bar, quiet);
  view.metric = rx_error_metric_name(cfg.task_kind);
  rx_train_options opt = {.resume = resume,
                          .overwrite = overwrite,
                          .progress = show_progress,
                          .progress_ctx = &view,
                          .stop = &stop_signal};
  rx_train_result res;
  rc = rx_train(&cfg, &opt, &res, &err);
  cli_progress_end(&view.bar);
  if (!view.note_shown) show_note(&view, res.note);
  if (rc) return cli_error("%s", err.msg);
  if (res.interrupted) {
    fprintf(stderr,
            "reactivate: stopped by signal at step %" PRId64 "; checkpoint %s written; run the "
            "same command with --resume to continue\n",
            res.steps_done, res.last_checkpoint);
    return 128 + (int)stop_signal;
  }
  if (!quiet)
    fprintf(stderr,
            "done: %" PRId64 " steps in %s; final test loss %.4g, %s %.4g; last checkpoint %s\n",
            res.steps_done, run_dir, res.final_test_loss, view.metric, res.final_test_error,
            res.last_checkpoint);
  return 0;
}
