/* The experiment set of each task (the paper's trained conditions with their labels) and the
 * analyses with the tasks they apply to. The names of files built from them are layout.c's. */
#include <stdio.h>
#include <string.h>

#include "reactivate/results.h"

/* In rx_experiment_id order, which is the order the analyses write the runs (and so the order
 * of the keys in their JSON files): changing it changes the bytes of every analysis file. */
static const rx_experiment experiments[RX_EXP_COUNT] = {
    {RX_EXP_NOISY_UNBIASED, "noisy_unbiased", "U-σ", "U-σ", "noisy, unbiased", 1, 0, 0, 0},
    {RX_EXP_NO_NOISE_UNBIASED, "no-noise_unbiased", "U", "U", "noiseless, unbiased", 0, 0, 0, 0},
    {RX_EXP_NOISY_BIASED, "noisy_biased", "B-σ", "B-σ", "noisy, biased", 1, 1, 0, 0},
    {RX_EXP_NO_NOISE_BIASED, "no-noise_biased", "B", "B", "noiseless, biased", 0, 1, 0, 0},
    {RX_EXP_NOISY_UNBIASED_GRU, "noisy_unbiased_gru", "U-σ", "GRU U-σ", "noisy GRU, unbiased", 1, 0,
     1, 0},
    {RX_EXP_NOISY_BIASED_GRU, "noisy_biased_gru", "B-σ", "GRU B-σ", "noisy GRU, biased", 1, 1, 1,
     0},
};

/* Beyond the paper, for both tasks: configs/train/<task>/<name>.yml. */
static const rx_experiment mechanism_experiments[RX_EXP_ALL - RX_EXP_COUNT] = {
    {RX_EXP_ADAPTATION, "noisy_unbiased_adaptation", "U-σ adaptation", "U-σ adaptation",
     "noisy, unbiased, with adaptation", 1, 0, 0, 1},
    {RX_EXP_MOMENTUM, "noisy_unbiased_momentum", "U-σ momentum", "U-σ momentum",
     "noisy, unbiased, with momentum", 1, 0, 0, 2},
};

/* In the order the analyses write them: the three trained cells, then what switching a
 * mechanism on or off offline does to each. */
static const rx_mechanism_condition conditions[] = {
    {"", "paper cell", RX_EXP_NOISY_UNBIASED, RX_OFFLINE_AS_TRAINED, RX_EXP_NOISY_UNBIASED},
    {"", "adaptation", RX_EXP_ADAPTATION, RX_OFFLINE_AS_TRAINED, RX_EXP_ADAPTATION},
    {"", "momentum", RX_EXP_MOMENTUM, RX_OFFLINE_AS_TRAINED, RX_EXP_MOMENTUM},
    {"+adaptation", "paper cell + adaptation offline", RX_EXP_NOISY_UNBIASED, RX_OFFLINE_FROM,
     RX_EXP_ADAPTATION},
    {"+momentum", "paper cell + momentum offline", RX_EXP_NOISY_UNBIASED, RX_OFFLINE_FROM,
     RX_EXP_MOMENTUM},
    {"+off", "adaptation switched off offline", RX_EXP_ADAPTATION, RX_OFFLINE_OFF,
     RX_EXP_ADAPTATION},
    {"+off", "momentum switched off offline", RX_EXP_MOMENTUM, RX_OFFLINE_OFF, RX_EXP_MOMENTUM},
};
_Static_assert(sizeof conditions / sizeof conditions[0] <= RX_RESULTS_MAX_RUNS,
               "every family fits RX_RESULTS_MAX_RUNS");

int rx_mechanism_condition_count(void) { return (int)(sizeof conditions / sizeof conditions[0]); }

const rx_mechanism_condition *rx_mechanism_condition_get(int i) {
  return i >= 0 && i < rx_mechanism_condition_count() ? &conditions[i] : NULL;
}

int rx_experiment_count(rx_task_kind task) {
  return task == RX_TASK_SPATIAL ? RX_EXP_COUNT : task == RX_TASK_HEAD_DIRECTION ? 4 : 0;
}

const rx_experiment *rx_experiment_get(rx_task_kind task, int id) {
  if (id >= RX_EXP_COUNT && id < RX_EXP_ALL && rx_experiment_count(task) > 0)
    return &mechanism_experiments[id - RX_EXP_COUNT];
  return id >= 0 && id < rx_experiment_count(task) ? &experiments[id] : NULL;
}

const rx_experiment *rx_experiment_find(rx_task_kind task, const char *name) {
  for (int i = 0; name && i < RX_EXP_ALL; i++) {
    const rx_experiment *e = rx_experiment_get(task, i);
    if (e && !strcmp(e->name, name)) return e;
  }
  return NULL;
}

double rx_results_default_noise(rx_task_kind task) {
  return task == RX_TASK_HEAD_DIRECTION ? 0.01 : 1e-4;
}

/* ---- analyses ---- */

static const char *const analysis_names[RX_RESULTS_N_ANALYSES] = {
    "kl",     "variance", "distance",    "pca",       "heading",
    "mixing", "score",    "temperature", "diffusion", "replay"};

const char *rx_results_analysis_name(int analysis) {
  return analysis >= 0 && analysis < RX_RESULTS_N_ANALYSES ? analysis_names[analysis] : NULL;
}

int rx_results_analysis_find(const char *name) {
  for (int i = 0; name && i < RX_RESULTS_N_ANALYSES; i++)
    if (!strcmp(analysis_names[i], name)) return i;
  return -1;
}

int rx_results_analysis_applies(int analysis, rx_task_kind task) {
  if (analysis == RX_RESULTS_KL) return task == RX_TASK_SPATIAL;
  if (analysis == RX_RESULTS_HEADING) return task == RX_TASK_HEAD_DIRECTION;
  return analysis >= 0 && analysis < RX_RESULTS_N_ANALYSES;
}

int rx_results_analysis_is_probe(int analysis) {
  return analysis >= RX_RESULTS_MIXING && analysis <= RX_RESULTS_DIFFUSION;
}

int rx_results_analysis_beyond_paper(int analysis) {
  return rx_results_analysis_is_probe(analysis) || analysis == RX_RESULTS_REPLAY;
}

int rx_results_analysis_in_family(int analysis, int rule) {
  return analysis >= 0 && analysis < RX_RESULTS_N_ANALYSES &&
         (rule == 0 || !rx_results_analysis_beyond_paper(analysis));
}

const char *rx_results_prefix(int family, int rule) {
  static const char *const prefixes[3][3] = {
      {RX_RESULTS_MAIN, "scaled_", RX_RESULTS_SAME},
      {RX_RESULTS_GRU, RX_RESULTS_GRU "scaled_", RX_RESULTS_GRU RX_RESULTS_SAME},
      {RX_RESULTS_MECH, RX_RESULTS_MECH "scaled_", RX_RESULTS_MECH RX_RESULTS_SAME}};
  return family >= 0 && family < 3 && rule >= 0 && rule < 3 ? prefixes[family][rule] : NULL;
}
