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
} rxp_profile;

int rxp_profile_load(rxp_profile *p, const char *name, rx_error *err);
void rxp_profile_free(rxp_profile *p);

#endif
