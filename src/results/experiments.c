/* The experiment set of each task (the paper's trained conditions with their labels) and the
 * analyses with the tasks they apply to. The names of files built from them are layout.c's. */
#include <stdio.h>
#include <string.h>

#include "reactivate/results.h"

/* In rx_experiment_id order, which is the order the analyses write the runs (and so the order
 * of the keys in their JSON files): changing it changes the bytes of every analysis file. */
static const rx_experiment experiments[RX_EXP_COUNT] = {
    {RX_EXP_NOISY_UNBIASED, "noisy_unbiased", "U-σ", "U-σ", "noisy, unbiased", 1, 0, 0},
    {RX_EXP_NO_NOISE_UNBIASED, "no-noise_unbiased", "U", "U", "noiseless, unbiased", 0, 0, 0},
    {RX_EXP_NOISY_BIASED, "noisy_biased", "B-σ", "B-σ", "noisy, biased", 1, 1, 0},
    {RX_EXP_NO_NOISE_BIASED, "no-noise_biased", "B", "B", "noiseless, biased", 0, 1, 0},
    {RX_EXP_NOISY_UNBIASED_GRU, "noisy_unbiased_gru", "U-σ", "GRU U-σ", "noisy GRU, unbiased", 1, 0,
     1},
    {RX_EXP_NOISY_BIASED_GRU, "noisy_biased_gru", "B-σ", "GRU B-σ", "noisy GRU, biased", 1, 1, 1},
};

int rx_experiment_count(rx_task_kind task) {
  return task == RX_TASK_SPATIAL ? RX_EXP_COUNT : task == RX_TASK_HEAD_DIRECTION ? 4 : 0;
}

const rx_experiment *rx_experiment_get(rx_task_kind task, int id) {
  return id >= 0 && id < rx_experiment_count(task) ? &experiments[id] : NULL;
}

const rx_experiment *rx_experiment_find(rx_task_kind task, const char *name) {
  for (int i = 0; name && i < rx_experiment_count(task); i++)
    if (!strcmp(experiments[i].name, name)) return &experiments[i];
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

const char *rx_results_prefix(int gru, int rule) {
  static const char *const prefixes[2][3] = {
      {RX_RESULTS_MAIN, "scaled_", RX_RESULTS_SAME},
      {RX_RESULTS_GRU, RX_RESULTS_GRU "scaled_", RX_RESULTS_GRU RX_RESULTS_SAME}};
  return rule >= 0 && rule < 3 ? prefixes[gru != 0][rule] : NULL;
}
