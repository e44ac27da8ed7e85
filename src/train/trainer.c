/* The training loop (docs/science.md §4): fresh batch per step, forward with noise, MSE loss, BPTT,
 * Adam; test metrics every test_freq steps, checkpoints every save_freq steps. Every random draw is
 * keyed by (seed, stream, step), so a resumed run continues the very same streams. Resuming
 * after a kill, the run lock and divergence checks live here; file formats are left to
 * checkpoint.c, metrics.c and src/io. */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reactivate/checkpoint.h"
#include "reactivate/fileio.h"
#include "reactivate/linalg.h"
#include "reactivate/population.h"
#include "reactivate/rng.h"
#include "reactivate/train.h"
#include "train/metrics.h"
#include "train/run_lock.h"

const char *rx_error_metric_name(rx_task_kind kind) {
  return kind == RX_TASK_HEAD_DIRECTION ? "hd_mse" : "pos_mse";
}

/* A batch with the population code of its initial positions. The targets' codes (T, B, n_out)
 * are not stored: the loss encodes them row by row as it reads the outputs. */
typedef struct coded_batch {
  rx_batch batch;
  float *init_codes; /* (B, n_init) */
} coded_batch;

static void coded_batch_free(coded_batch *cb) {
  rx_batch_free(&cb->batch);
  free(cb->init_codes);
}

static int coded_batch_alloc(coded_batch *cb, const rx_task_spec *ts, const rx_population *pop,
                             rx_error *err) {
  memset(cb, 0, sizeof *cb);
  int rc = rx_batch_alloc(&cb->batch, ts, err);
  if (rc) return rc;
  cb->init_codes = malloc((size_t)ts->batch_size * pop->n * sizeof(float));
  if (!cb->init_codes) {
    coded_batch_free(cb);
    return rx_fail(err, RX_ENOMEM, "out of memory for %d x %d initial codes", ts->batch_size,
                   pop->n);
  }
  return RX_OK;
}

static int coded_batch_generate(coded_batch *cb, const rx_task_spec *ts, const rx_population *pop,
                                uint32_t seed, uint32_t stream, uint32_t index, rx_error *err) {
  int rc = rx_task_generate(ts, seed, stream, index, &cb->batch, err);
  if (rc) return rc;
  rx_population_encode(pop, cb->batch.init, (size_t)cb->batch.B, cb->init_codes);
  return RX_OK;
}

/* Everything one training run holds, allocated once. */
typedef struct trainer {
  const rx_train_config *cfg;
  rx_task_spec task;
  rx_rnn *rnn;
  rx_population *pop;
  rx_adam *adam;
  rx_rnn_workspace *ws;
  coded_batch train, test;
  float *grad;
  rx_population_loss *loss; /* the loss on the population code, allocated once */
  rxtr_metrics *train_metrics, *test_metrics;
  char run_dir[4096];
  rxtr_run_lock lock;
  int64_t last_good; /* step of the newest checkpoint written or resumed from; -1: none */
  char note[1024];   /* what the start repaired or took over ("" if nothing) */
} trainer;

/* Appends "; <text>" (or just text) to the trainer's note. */
static void add_note(trainer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(trainer *t, const char *fmt, ...) {
  size_t n = strlen(t->note);
  if (n + 3 >= sizeof t->note) return;
  if (n) {
    memcpy(t->note + n, "; ", 3);
    n += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->note + n, sizeof t->note - n, fmt, ap);
  va_end(ap);
}

static void trainer_init(trainer *t) {
  memset(t, 0, sizeof *t);
  t->lock.fd = -1;
  t->last_good = -1;
}

static void trainer_free(trainer *t) {
  rx_task_close(&t->task);
  rx_rnn_free(t->rnn);
  rx_population_free(t->pop);
  rx_adam_free(t->adam);
  rx_rnn_workspace_free(t->ws);
  coded_batch_free(&t->train);
  coded_batch_free(&t->test);
  free(t->grad);
  rx_population_loss_free(t->loss);
  rxtr_metrics_free(t->train_metrics);
  rxtr_metrics_free(t->test_metrics);
  rxtr_run_lock_release(&t->lock);
}

/* Forward pass on cb with the given noise: *loss, and *error (the decoding error) when
 * want_error (NaN otherwise). With_grad, also the backward pass: t->grad = dLoss/dw. The outputs
 * are never stored: the network hands them to the population-code loss a readout tile at a time
 * (rx_rnn_forward_loss with rx_population_loss_fn), and where the code has a low-rank form the
 * loss says so and the readout's backward pass never forms dLoss/dy. */
static int run_batch(trainer *t, const coded_batch *cb, const rx_noise *noise, int with_grad,
                     int want_error, double *loss, double *error, rx_error *err) {
  const int B = cb->batch.B, T = cb->batch.T;
  rx_rnn_run run = {.B = B, .T = T, .x = cb->batch.inputs, .c = cb->init_codes, .noise = noise};
  *error = NAN;
  int rc = rx_population_loss_start(t->loss, cb->batch.targets, (size_t)B * T, want_error, err);
  if (rc) return rc;
  rc = rx_rnn_forward_loss(t->rnn, t->ws, &run, rx_population_loss_fn(t->loss),
                           with_grad ? t->grad : NULL, err);
  if (rc) return rc;
  rx_population_loss_total(t->loss, loss, want_error ? error : NULL);
  return RX_OK;
}

static rx_noise noise_for(const rx_train_config *cfg, const rx_rnn_spec *spec, uint32_t stream,
                          int64_t index) {
  rx_noise n = {.seed = (uint32_t)cfg->seed,
                .stream = stream,
                .index = (uint32_t)index,
                .sigma_in = spec->sigma_in,
                .sigma_rec = spec->sigma_rec,
                .sigma_out = spec->sigma_out,
                .kind = spec->noise};
  return n;
}

/* A new, untrained model: population code and PyTorch-default weights from the run's seed. */
static int trainer_fresh_model(trainer *t, const rx_train_config *cfg, rx_error *err) {
  rx_population_spec ps;
  rx_rnn_spec rs;
  rx_config_population_spec(cfg, &ps);
  rx_config_rnn_spec(cfg, &rs);
  int rc;
  if ((rc = rx_population_create(&t->pop, &ps, (uint32_t)cfg->seed, err))) return rc;
  if ((rc = rx_rnn_create(&t->rnn, &rs, err))) return rc;
  rx_rnn_init_default(t->rnn, (uint32_t)cfg->seed);
  return rx_adam_create(&t->adam, t->rnn->n_weights, cfg->trainer.lr, cfg->trainer.weight_decay,
                        err);
}

/* The step loop's buffers, allocated once per run. */
static int trainer_alloc_buffers(trainer *t, rx_error *err) {
  const int B = t->task.batch_size, T = t->task.seq_len;
  int rc;
  if ((rc = rx_rnn_workspace_create(&t->ws, &t->rnn->spec, B, T, err))) return rc;
  if ((rc = coded_batch_alloc(&t->train, &t->task, t->pop, err))) return rc;
  if ((rc = coded_batch_alloc(&t->test, &t->task, t->pop, err))) return rc;
  if ((rc = rx_population_loss_create(&t->loss, t->pop, (size_t)B * T, err))) return rc;
  t->grad = malloc(t->rnn->n_weights * sizeof(float));
  if (!t->grad)
    return rx_fail(err, RX_ENOMEM, "out of memory for training buffers (B=%d, T=%d)", B, T);
  return RX_OK;
}

/* 1 when every weight is finite: a sum in double overflows for no float inputs, so it is
 * non-finite exactly when some weight is (cheap next to a step's forward and backward). */
static int weights_finite(const rx_rnn *rnn) {
  double sum = 0;
  for (size_t i = 0; i < rnn->n_weights; i++)
    sum += rnn->w[i];
  return isfinite(sum);
}

/* One training step (fresh batch, forward, loss, BPTT, Adam) on batch `step`. Returns
 * RX_ENUMERIC when the loss, or the weights after the update, are not finite. */
static int train_step(trainer *t, int64_t step, double *loss, double *error, rx_error *err) {
  const rx_train_config *cfg = t->cfg;
  int rc = coded_batch_generate(&t->train, &t->task, t->pop, (uint32_t)cfg->seed, RX_STREAM_TASK,
                                (uint32_t)step, err);
  if (rc) return rc;
  rx_noise noise = noise_for(cfg, &t->rnn->spec, RX_STREAM_NOISE, step);
  rc = run_batch(t, &t->train, &noise, 1, cfg->trainer.compute_all_metrics, loss, error, err);
  if (rc) return rc;
  if (!isfinite(*loss)) return RX_ENUMERIC;
  rx_adam_step(t->adam, t->rnn->w, t->grad);
  return weights_finite(t->rnn) ? RX_OK : RX_ENUMERIC;
}

/* Appends "; last good checkpoint: <path>" to err's message. */
static void name_last_good(const trainer *t, rx_error *err) {
  if (!err) return;
  char last[4200] = "none";
  if (t->last_good >= 0) rx_checkpoint_path(last, sizeof last, t->run_dir, t->last_good);
  size_t n = strlen(err->msg);
  snprintf(err->msg + n, sizeof err->msg - n, "; last good checkpoint: %s", last);
}

/* Metrics first, then the checkpoint: a kill between the two leaves metrics ahead of the newest
 * checkpoint, which resuming trims, never behind it. */
static int save_state(trainer *t, int64_t step, char *ck_path, size_t ck_len, rx_error *err) {
  if (!weights_finite(t->rnn)) {
    int rc =
        rx_fail(err, RX_ENUMERIC, "weights are not finite at step %" PRId64 "; not saved", step);
    name_last_good(t, err);
    return rc;
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/train_metrics.json", t->run_dir);
  int rc = rxtr_metrics_save(t->train_metrics, path, err);
  snprintf(path, sizeof path, "%s/test_metrics.json", t->run_dir);
  if (!rc) rc = rxtr_metrics_save(t->test_metrics, path, err);
  rx_checkpoint_path(ck_path, ck_len, t->run_dir, step);
  if (!rc) rc = rx_checkpoint_save(ck_path, t->cfg, t->rnn, t->pop, t->adam, step, err);
  if (rc) {
    name_last_good(t, err);
    return rc;
  }
  t->last_good = step;
  return RX_OK;
}

static void remove_previous_run(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char path[4400];
  while ((e = readdir(d))) {
    if (rx_checkpoint_step_of(e->d_name) >= 0 || !strcmp(e->d_name, "train_metrics.json") ||
        !strcmp(e->d_name, "test_metrics.json")) {
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
  }
  closedir(d);
}

/* The stored config must equal the requested one except for the number of steps (a run may be
 * extended) and the results root (a run directory may be moved). */
static int check_resume_config(const rx_train_config *want, const rx_train_config *stored,
                               const char *ck_path, rx_error *err) {
  rx_train_config a = *stored;
  a.trainer.n_epochs = want->trainer.n_epochs;
  snprintf(a.path, sizeof a.path, "%s", want->path);
  char *ya = NULL, *yb = NULL;
  int rc = rx_config_to_yaml(&a, &ya, err);
  if (!rc) rc = rx_config_to_yaml(want, &yb, err);
  if (!rc && strcmp(ya, yb) != 0) {
    /* Name the first differing line. */
    const char *p = ya, *q = yb;
    while (*p && *p == *q)
      p++, q++;
    while (p > ya && p[-1] != '\n')
      p--, q--;
    int lp = (int)strcspn(p, "\n"), lq = (int)strcspn(q, "\n");
    rc = rx_fail(err, RX_EINVAL,
                 "cannot resume: %s was trained with '%.*s' but the config now says '%.*s' "
                 "(use another path= or --overwrite)",
                 ck_path, lp, p, lq, q);
  }
  free(ya);
  free(yb);
  return rc;
}

/* Metrics reach step s when they hold its train entry and its last test entry; step 0 needs
 * nothing (its test is measured again when starting from it), nor does a missing file (a run
 * directory holding checkpoints alone: its metrics start after the checkpoint). */
static int metrics_reach(const trainer *t, const int have[2], int64_t s) {
  const int64_t f = t->cfg->trainer.test_freq;
  return s == 0 || ((!have[0] || rxtr_metrics_has(t->train_metrics, s)) &&
                    (!have[1] || rxtr_metrics_has(t->test_metrics, s / f * f)));
}

/* Picks the checkpoint to continue from: the newest one that loads and that the metrics files
 * reach (newer ones were left by a kill between writes, or are damaged). Loads it into t. */
static int trainer_resume(trainer *t, const rx_train_config *cfg, int64_t latest, int64_t *start,
                          rx_error *err) {
  int rc;
  char path[4400];
  const char *names[2] = {"train_metrics.json", "test_metrics.json"};
  rxtr_metrics *tables[2] = {t->train_metrics, t->test_metrics};
  int have[2];
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", t->run_dir, names[i]);
    have[i] = rx_file_exists(path);
    if (have[i] && (rc = rxtr_metrics_load(tables[i], path, INT64_MAX, err))) return rc;
  }
  char ck_path[4200], why[1200] = "";
  for (int64_t s = latest; s >= 0; s = rx_checkpoint_latest_upto(t->run_dir, s - 1)) {
    rx_checkpoint_path(ck_path, sizeof ck_path, t->run_dir, s);
    if (!metrics_reach(t, have, s)) {
      if (!why[0])
        snprintf(why, sizeof why,
                 "the metrics files stop before step %" PRId64 " of model_%" PRId64 ".npz", s, s);
      continue;
    }
    rx_checkpoint ck;
    rc = rx_checkpoint_load(ck_path, &ck, err);
    if (rc == RX_EFORMAT || rc == RX_EIO) { /* damaged: an older one will do */
      if (!why[0]) snprintf(why, sizeof why, "%s", err ? err->msg : "unreadable checkpoint");
      continue;
    }
    if (rc) return rc;
    rc = check_resume_config(cfg, &ck.cfg, ck_path, err);
    if (!rc && !ck.adam)
      rc = rx_fail(err, RX_EFORMAT, "cannot resume from %s: it holds no optimiser state", ck_path);
    if (!rc && ck.step != s)
      rc = rx_fail(err, RX_EFORMAT, "cannot resume from %s: it says it holds step %" PRId64,
                   ck_path, ck.step);
    if (rc) {
      rx_checkpoint_free(&ck);
      return rc;
    }
    t->rnn = ck.rnn;
    t->pop = ck.pop;
    t->adam = ck.adam;
    *start = s;
    t->last_good = s;
    rxtr_metrics_drop_after(t->train_metrics, s);
    rxtr_metrics_drop_after(t->test_metrics, s);
    if (s != latest)
      add_note(t, "resuming from model_%" PRId64 ".npz, not model_%" PRId64 ".npz: %s", s, latest,
               why);
    for (int i = 0; i < 2; i++)
      if (!have[i] && s > 0)
        add_note(t, "%s/%s is missing: it will hold only the steps after %" PRId64, t->run_dir,
                 names[i], s);
    return RX_OK;
  }
  return rx_fail(err, RX_EFORMAT,
                 "cannot resume %s: no checkpoint both loads and is reached by the metrics files "
                 "(%s); use --overwrite to start over",
                 t->run_dir, why);
}

static int trainer_setup(trainer *t, const rx_train_config *cfg, const rx_train_options *opt,
                         int64_t *start, rx_error *err) {
  int rc;
  t->cfg = cfg;
  rx_config_task_spec(cfg, &t->task);
  /* recorded trajectories (task.trajectories): loaded and checked once, before the run
   * directory is touched */
  if ((rc = rx_task_open(&t->task, err))) return rc;
  if (rx_config_run_dir(cfg, t->run_dir, sizeof t->run_dir))
    return rx_fail(err, RX_EINVAL, "run directory name too long under path=%s", cfg->path);
  if ((rc = rx_mkdirs(t->run_dir, err))) return rc;
  /* Nothing in the run directory is read or changed before the lock is ours. */
  char lock_note[700];
  if ((rc = rxtr_run_lock_acquire(&t->lock, t->run_dir, lock_note, sizeof lock_note, err)))
    return rc;
  if (lock_note[0]) add_note(t, "%s", lock_note);
  int removed = rxtr_remove_stale_temporaries(t->run_dir);
  if (removed)
    add_note(t, "removed %d temporary file%s left by an interrupted run", removed,
             removed == 1 ? "" : "s");
  if ((rc = rxtr_metrics_create(&t->train_metrics, err)) ||
      (rc = rxtr_metrics_create(&t->test_metrics, err)))
    return rc;

  int64_t latest = rx_checkpoint_latest(t->run_dir);
  *start = 0;
  if (latest >= 0 && opt->resume) {
    if ((rc = trainer_resume(t, cfg, latest, start, err))) return rc;
  } else {
    if (latest >= 0 && !opt->overwrite)
      return rx_fail(err, RX_EINVAL,
                     "%s already holds checkpoints (latest model_%" PRId64 ".npz): pass --resume "
                     "to continue it or --overwrite to start over",
                     t->run_dir, latest);
    if (latest >= 0) remove_previous_run(t->run_dir);
    if ((rc = trainer_fresh_model(t, cfg, err))) return rc;
  }

  char *yaml = NULL;
  char path[4400];
  snprintf(path, sizeof path, "%s/config.yaml", t->run_dir);
  if ((rc = rx_config_to_yaml(cfg, &yaml, err))) return rc;
  rc = rx_write_file_atomic(path, yaml, strlen(yaml), err);
  free(yaml);
  if (rc) return rc;

  if ((rc = trainer_alloc_buffers(t, err))) return rc;
  /* The test batch is drawn once, the same for the whole run (and after a resume). */
  return coded_batch_generate(&t->test, &t->task, t->pop, (uint32_t)cfg->seed, RX_STREAM_TEST_TASK,
                              0, err);
}

static int test_step(trainer *t, int64_t step, double *loss, double *error, rx_error *err) {
  rx_noise noise = noise_for(t->cfg, &t->rnn->spec, RX_STREAM_TEST_NOISE, step);
  int rc = run_batch(t, &t->test, &noise, 0, 1, loss, error, err);
  if (!rc)
    rxtr_metrics_add(t->test_metrics, step, rx_error_metric_name(t->task.kind), *loss, *error);
  return rc;
}

int rx_train(const rx_train_config *cfg, const rx_train_options *opt, rx_train_result *result,
             rx_error *err) {
  rx_train_options no_options = {0};
  rx_train_result local;
  if (!opt) opt = &no_options;
  if (!result) result = &local;
  memset(result, 0, sizeof *result);

  result->resumed_from = -1;
  rx_flush_denormals(); /* the step loop's floating-point mode, before any arithmetic */
  trainer t;
  trainer_init(&t);
  int64_t start = 0;
  int rc = trainer_setup(&t, cfg, opt, &start, err);
  snprintf(result->run_dir, sizeof result->run_dir, "%s", t.run_dir);
  snprintf(result->note, sizeof result->note, "%s", t.note);
  if (rc) {
    trainer_free(&t);
    return rc;
  }
  if (opt->resume && t.last_good >= 0) result->resumed_from = start;

  const int64_t n_steps = cfg->trainer.n_epochs;
  const char *metric = rx_error_metric_name(t.task.kind);
  const double t_begin = omp_get_wtime();
  rx_train_progress p = {.n_steps = n_steps,
                         .first_step = start,
                         .loss = NAN,
                         .error = NAN,
                         .note = t.note[0] ? t.note : NULL};
  char ck_path[4200] = "";

  if (start == 0) { /* the untrained network: test metrics and model_0 */
    if ((rc = test_step(&t, 0, &p.test_loss, &p.test_error, err))) goto done;
    if ((rc = save_state(&t, 0, ck_path, sizeof ck_path, err))) goto done;
    p.tested = 1;
    p.checkpoint = ck_path;
    if (opt->progress) opt->progress(opt->progress_ctx, &p);
    p.note = NULL;
  }

  int64_t step = start;
  while (step < n_steps) {
    if ((opt->stop && *opt->stop) || (opt->stop_after > 0 && step >= opt->stop_after)) {
      result->interrupted = 1;
      break;
    }
    double loss = NAN, error = NAN;
    rc = train_step(&t, step, &loss, &error, err);
    if (rc == RX_ENUMERIC) {
      const char *what = isnan(loss) ? "NaN" : loss > 0 ? "+Inf" : "-Inf";
      if (isfinite(loss))
        rc = rx_fail(err, RX_ENUMERIC,
                     "training diverged at step %" PRId64 ": the update made the weights NaN or "
                     "Inf (loss was %g; trainer.lr = %g may be too large)",
                     step + 1, loss, cfg->trainer.lr);
      else
        rc = rx_fail(err, RX_ENUMERIC,
                     "training diverged at step %" PRId64 ": the loss became %s (trainer.lr = %g "
                     "may be too large)",
                     step + 1, what, cfg->trainer.lr);
      name_last_good(&t, err);
      goto done;
    }
    if (rc) goto done;
    step++;
    rxtr_metrics_add(t.train_metrics, step, metric, loss, error);

    p.step = step;
    p.loss = loss;
    p.error = error;
    p.tested = 0;
    p.checkpoint = NULL;
    if (step % cfg->trainer.test_freq == 0 || step == n_steps) {
      if ((rc = test_step(&t, step, &p.test_loss, &p.test_error, err))) goto done;
      p.tested = 1;
    }
    if (step % cfg->trainer.save_freq == 0 || step == n_steps) {
      if ((rc = save_state(&t, step, ck_path, sizeof ck_path, err))) goto done;
      p.checkpoint = ck_path;
    }
    p.elapsed_s = omp_get_wtime() - t_begin;
    if (opt->progress) opt->progress(opt->progress_ctx, &p);
    p.note = NULL;
  }
  /* Interrupted between checkpoints: save where we are, so nothing is lost. */
  if (result->interrupted && step > start && t.last_good != step) {
    if ((rc = save_state(&t, step, ck_path, sizeof ck_path, err))) goto done;
  }
  if (start == step && step == n_steps && !result->interrupted) {
    /* Nothing left to train: report the final metrics of the existing run. */
    if ((rc = test_step(&t, step, &p.test_loss, &p.test_error, err))) goto done;
  }
  result->steps_done = step;
  result->final_loss = p.loss;
  result->final_test_loss = p.test_loss;
  result->final_test_error = p.test_error;
done:
  if (t.last_good >= 0)
    rx_checkpoint_path(result->last_checkpoint, sizeof result->last_checkpoint, t.run_dir,
                       t.last_good);
  trainer_free(&t);
  return rc;
}

int rx_train_benchmark(const rx_train_config *cfg, int reps, double *seconds, double *flops,
                       rx_error *err) {
  rx_flush_denormals(); /* as rx_train */
  trainer t;
  trainer_init(&t);
  t.cfg = cfg;
  rx_config_task_spec(cfg, &t.task);
  int rc = rx_task_open(&t.task, err);
  if (!rc) rc = trainer_fresh_model(&t, cfg, err);
  if (!rc) rc = trainer_alloc_buffers(&t, err);
  for (int r = -1; r < reps && !rc; r++) { /* r = -1: warm-up, not timed */
    double loss = NAN, error = NAN, t0 = omp_get_wtime();
    rc = train_step(&t, r + 1, &loss, &error, err);
    if (r >= 0) seconds[r] = omp_get_wtime() - t0;
  }
  if (rc == RX_ENUMERIC) rc = rx_fail(err, rc, "benchmark training diverged");
  if (!rc && flops)
    *flops = rx_rnn_forward_loss_flops(&t.rnn->spec, t.task.batch_size, t.task.seq_len,
                                       rx_population_loss_fn(t.loss));
  trainer_free(&t);
  return rc;
}
