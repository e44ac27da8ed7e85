/* A reproduction of the paper as a plan: a profile (configs/reproduce/<name>.yml, or a user's YAML
 * file) names the experiments, seeds and reduced settings; the plan expands it into independent
 * steps, each one `reactivate` command (train one run, analyse one task and seed, draw one task's
 * figures) with the steps it depends on, what is already finished, and an estimate of its cost.
 * Steps are plain command lines so that any executor can run them: the CLI's process pool
 * (`reactivate reproduce --jobs N`), a batch scheduler or, later, MPI ranks. */
#ifndef RX_REPRODUCE_H
#define RX_REPRODUCE_H

#include <stdint.h>

#include "reactivate/error.h"
#include "reactivate/results.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RX_PLAN_MAX_SEEDS RX_SEED_LIST_MAX
#define RX_STEP_MAX_ARGS 64

typedef enum rx_step_kind { RX_STEP_TRAIN = 0, RX_STEP_ANALYZE, RX_STEP_FIGURES } rx_step_kind;

typedef struct rx_step {
  rx_step_kind kind;
  char label[256]; /* "train spatial_navigation/noisy_unbiased_0.0001_0" */
  int argc;        /* arguments of `reactivate`, argv[0] the subcommand ("train", …) */
  char *argv[RX_STEP_MAX_ARGS];
  int n_deps; /* indices of the steps that must finish first */
  int *deps;
  char dir[2048];     /* train: the run directory; analyze / figures: <root>/<task> */
  char log[2048];     /* file the command's output goes to (<out>/logs/…) */
  int done;           /* already finished before this plan was made: nothing to do */
  int64_t n_steps;    /* train: trainer.n_epochs */
  int64_t steps_done; /* train: step of the run's last checkpoint (0: none) */
  double work;        /* estimated floating-point operations still to do (progress, ETA) */
} rx_step;

typedef struct rx_plan {
  char profile[256]; /* profile name or file as given */
  char description[1024];
  char out[2048];          /* results root */
  char gaussian_out[2048]; /* root of the zero-mean Gaussian-noise runs, "" when the profile has
                              none */
  int n_seeds;
  int seeds[RX_PLAN_MAX_SEEDS];
  char *settings; /* the profile as resolved (YAML text, for the report) */
  int n_steps;
  rx_step *steps; /* in an order that respects dependencies */
} rx_plan;

/* Builds the plan of profile (a bundled name: quick, paper, mini; or a path to a YAML file) with
 * results under out_dir. seeds/n_seeds (ascending, distinct: rx_seed_list_parse's list) replace
 * the profile's seeds when n_seeds > 0. Every
 * training config is resolved and validated here, so a bad profile fails before anything runs. */
int rx_plan_create(rx_plan **out, const char *profile, const char *out_dir, const int *seeds,
                   int n_seeds, rx_error *err);
void rx_plan_free(rx_plan *plan);

/* Re-reads the progress of step i from disk (a training's last checkpoint); updates steps_done
 * and work. Cheap: one directory listing. */
void rx_plan_refresh_step(rx_plan *plan, int i);

/* Records that step i finished successfully (a figures step leaves a stamp file, so that a later
 * plan knows its figures are complete, not half drawn by an interrupted run). */
int rx_plan_step_finished(rx_plan *plan, int i, rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
