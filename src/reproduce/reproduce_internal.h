/* Shared between the profile reader and the plan builder. */
#ifndef RX_REPRODUCE_INTERNAL_H
#define RX_REPRODUCE_INTERNAL_H

#include "config/yaml_tree.h"
#include "reactivate/reproduce.h"

typedef struct rxp_task {
  const char *name; /* spatial_navigation | head_direction */
  int present;
  int n_experiments;
  const char **experiments; /* experiment names (configs/train/<task>/<name>.yml) */
  int n_train, n_analysis;
  const char **train;    /* key=value overrides for every training of the task */
  const char **analysis; /* key=value overrides for every analysis of the task */
  int *n_extra;          /* per experiment: further training overrides */
  const char ***extra;
  int n_point;        /* a sweep's grid point: key=value overrides after all the others */
  const char **point; /* (not owned by the profile) */
} rxp_task;

typedef struct rxp_profile {
  char path[2048];
  char description[1024];
  char *text;       /* the file, verbatim */
  rxcf_ynode *root; /* strings above point into it */
  int n_seeds;
  int seeds[RX_PLAN_MAX_SEEDS];
  int gaussian; /* also train the noisy vanilla spatial runs with zero-mean Gaussian noise */
  rxp_task tasks[2];
  int own_task[2];  /* the file itself (not what it extends) has the task's section */
  int own_gaussian; /* the file itself sets `gaussian` */
  int own_description;
} rxp_profile;

/* How a file is read: a reproduction profile (NULL options), or a sweep file (sweep.c): a
 * profile with more top-level keys, whose own experiment lists narrow those it extends (the
 * per-experiment overrides of the experiments it leaves out are then ignored). */
typedef struct rxp_load_opts {
  const char *kind;              /* "sweep": in messages ("unknown sweep key") */
  const char *const *extra_keys; /* further top-level keys allowed (NULL-terminated) */
  int narrow;                    /* experiment_train may name experiments not listed */
} rxp_load_opts;

int rxp_profile_load(rxp_profile *p, const char *name, const rxp_load_opts *opts, rx_error *err);
void rxp_profile_free(rxp_profile *p);

/* What a plan is built with beyond the profile (sweep.c). */
typedef struct rxp_build_opts {
  int skip_same_rule; /* leave out the analyses with rule=same (docs/science.md C.1) */
  int skip_figures;   /* leave out the figures steps */
  double noise[2];    /* out, per task: sigma2_rec of the first noisy run trained (any model),
                         the noise the task's run and analysis names carry; -1: none */
} rxp_build_opts;

/* rx_plan_create of a profile already loaded (pr->tasks[t].point included), with label as the
 * plan's profile name. */
int rxp_plan_build(rx_plan **out, const rxp_profile *pr, const char *label, const char *out_dir,
                   const int *seeds, int n_seeds, rxp_build_opts *opts, rx_error *err);
/* Moves src's steps to the end of dst (their dependencies re-indexed) and frees src. */
int rxp_plan_append(rx_plan *dst, rx_plan *src, rx_error *err);

#endif
