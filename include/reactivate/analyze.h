/* Offline-reactivation analyses over the trained runs of one (task, seed, noise) (docs/science.md
 * §6, §8): the analysis config (configs/analysis/ YAML files + dotted overrides), and the drivers
 * that load the runs' checkpoints, simulate them awake and quiescent, compute KL / variance /
 * distance / PCA / heading statistics, and write the JSON (and .npz arrays for figures) into
 * <path>/<task>/. */
#ifndef RX_ANALYZE_H
#define RX_ANALYZE_H

#include "reactivate/error.h"
#include "reactivate/results.h"
#include "reactivate/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rx_analysis_config {
  rx_task_kind task;
  int seed;        /* which runs (…_<seed>) and the analysis' random streams */
  double noise;    /* sigma2_rec of the noisy runs, as in their names (…_<noise>_<seed>) */
  int epoch;       /* checkpoint model_<epoch>; -1: each run's last */
  char path[2048]; /* results root */
  int gru;         /* analyse the GRU runs (…_gru) instead of the vanilla ones */
  int mechanisms;  /* analyse the mechanisms family (results.h, docs/mechanisms.md) instead */
  /* rnn.adaptation_strength, rnn.adaptation_tau, rnn.momentum: switched on, off or changed for
   * the quiescent runs of every run analysed (docs/mechanisms.md §3); bit k of offline.set says
   * key k was given. Files then carry rx_analysis_offline_tag in their prefix. */
  struct {
    double adaptation_strength, adaptation_tau, momentum;
    unsigned set;
  } offline;
  int rule;        /* quiescent noise: 0 default (scaled for vanilla, same for GRU), 1 scaled,
                      2 same (docs/science.md §7.1, C.1: "without the doubled noise"); the files' prefix is
                      rx_results_prefix(gru, rule) */
  int t_quiescent; /* quiescent steps for the KL (1000) */
  int batch_size;  /* trajectories, from the test batch's initial states (200) */
  struct {
    int n_samples;
  } kl; /* Monte-Carlo samples (2500) */
  struct {
    double absolute_noise;
  } random; /* untrained control: sigma = sqrt(2 x this) */
  struct {
    int batch_size, t_total, t_skip;
  } variance; /* 500, 2000, 1000 */
  struct {
    int t_quiescent;
    double absolute_noise;
  } distance; /* 100; 1e-4 */
  struct {
    int batch_size, t_active, t_quiescent, k;
  } pca; /* 1000, 100, 200, 10 */
  struct {
    int bins;
  } hd; /* 20 */
  /* ---- the probes (docs/probes.md §5) ---- */
  struct {
    double noise; /* sigma2_ref: noiseless runs and the random control get variance 2 x this
                     (temperature: k x this) */
  } probes;       /* 1e-4; head direction 0.01 */
  struct {
    int batch_size, t_total, window, kl_samples; /* 200, 5000, 250, 2500 */
    int stride; /* windows and distances use every stride-th step (10): the foreign starts'
                   runs are read out only there */
    char start_point[64]; /* "default", "x,y" (plane) or "theta" (radians, ring) */
    int has_point;        /* start_point given: point[] holds it */
    double point[2];
  } mixing;
  struct {
    int t_skip, bins, min_count, n_perm; /* 250, 24 (ring 36), 50, 200 */
  } score;
#define RX_TEMPERATURE_MAX_K 16
  struct {
    char k[256];                     /* "0.5,1,2,4,8" */
    double ks[RX_TEMPERATURE_MAX_K]; /* parsed, ascending */
    int n_k;
    int batch_size, t_total, t_skip, grid; /* 200, 2000, 1000, 200 (ring 720) */
  } temperature;
  struct {
    int t_skip, tau_max, tau_max_active; /* 1000, 100, 50 */
  } diffusion;
  /* ---- replay (docs/replay.md §7) ---- */
  struct {
    double bin_size;                              /* plane bins over the arena, metres (0.05) */
    double bin_degrees;                           /* ring bins, degrees (5) */
    int batch_size, t_burn, t_total, event_steps; /* 200, 200, 1000, 25: quiescent trajectories,
                                                     steps dropped, steps cut into events of
                                                     event_steps (t_total a multiple of it) */
    int n_shuffles;                               /* shuffles per null (200) */
    double alpha;                                 /* significance level of each null (0.05) */
    int n_speeds;                                 /* line score: speeds on the grid (121) */
    double v_max;                                 /* line score: fastest line, bins per step (4) */
    int band;                                     /* line score: +-bins around the line (2) */
    int n_examples; /* example events kept per kind, significant and not (4) */
  } replay;
} rx_analysis_config;

/* The family analysed (rx_results_family) and the prefix of the files written: rx_results_prefix
 * of the family and rule, then "offline_<tag>_" with offline settings ("offline_momentum0.5_"). */
int rx_analysis_family(const rx_analysis_config *cfg);
int rx_analysis_prefix(const rx_analysis_config *cfg, char *buf, size_t n);

/* Merges <config dir>/analysis/base.yml, analysis/<task>.yml (task from the overrides, default
 * spatial_navigation), then the overrides ("task=head_direction", "kl.n_samples=500", …). */
int rx_analysis_config_load(rx_analysis_config *cfg, int n_overrides, const char *const *overrides,
                            rx_error *err);

/* One bit per analysis file (results.h): RX_ANALYZE_X = 1 << RX_RESULTS_X. */
typedef enum rx_analysis_kind {
  RX_ANALYZE_KL = 1 << RX_RESULTS_KL,
  RX_ANALYZE_VARIANCE = 1 << RX_RESULTS_VARIANCE,
  RX_ANALYZE_DISTANCE = 1 << RX_RESULTS_DISTANCE,
  RX_ANALYZE_PCA = 1 << RX_RESULTS_PCA,
  RX_ANALYZE_HEADING = 1 << RX_RESULTS_HEADING, /* head direction: heading histograms, angular
                                                   velocities */
  RX_ANALYZE_MIXING = 1 << RX_RESULTS_MIXING,   /* the probes (docs/probes.md) */
  RX_ANALYZE_SCORE = 1 << RX_RESULTS_SCORE,
  RX_ANALYZE_TEMPERATURE = 1 << RX_RESULTS_TEMPERATURE,
  RX_ANALYZE_DIFFUSION = 1 << RX_RESULTS_DIFFUSION,
  RX_ANALYZE_REPLAY = 1 << RX_RESULTS_REPLAY, /* replay (docs/replay.md) */
  RX_ANALYZE_ALL = (1 << RX_RESULTS_N_ANALYSES) - 1
} rx_analysis_kind;

/* Reports progress and skipped runs (the CLI prints them; the library never does). */
typedef void (*rx_analysis_log_fn)(void *ctx, const char *line);

/* Runs the requested analyses (a mask of rx_analysis_kind; those that do not apply to the task
 * are skipped with a log line). Missing runs are logged and skipped, not fatal; fails only when
 * no run is found or a file cannot be read or written. */
int rx_analyze(const rx_analysis_config *cfg, unsigned kinds, rx_analysis_log_fn log, void *ctx,
               rx_error *err);

/* ---- probes and replay on data from a file (docs/probes.md §5, docs/replay.md §7) ---- */

/* `analyze diffusion|score --trajectories F.npz`: the probe's statistics of one data set read
 * from an .npz (or .npy) file instead of the runs' simulations. Arrays: (B, T, 2) positions, or
 * (B, T) / (B, T, 1) headings in radians (on the circle), batch-major as `simulate` writes
 * them, float32 or float64, finite. */
typedef struct rx_probe_file_request {
  int analysis;              /* RX_RESULTS_DIFFUSION, RX_RESULTS_SCORE or RX_RESULTS_REPLAY */
  const char *trajectories;  /* F.npz or F.npy */
  const char *key;           /* array in it; NULL: "decoded" ("posterior" with posterior) */
  const char *reference;     /* score: G.npz, an independent sample of the density whose score the
                                drift is compared with ((N, 2), (B, T, 2), (N,), (B, T) ...) */
  const char *reference_key; /* NULL: the key of the trajectories */
  const char *out;           /* R.json; the arrays go to R.npz next to it */
  /* replay only (trajectories NULL): a posterior F.npz (events, steps, bins) to score with the
   * line score, its bins a ring (circular = 1) or a line (0) */
  const char *posterior;
  int circular;
  /* replay with trajectories only: > 0, the events are positions along a linear track of this
   * length (m) centred on 0 (docs/replay.md §7): (events, steps) or (events, steps, 1) positions,
   * or the x of (events, steps, 2) points, one-hot over line bins of replay.bin_size (positions
   * beyond an end in the end's bin) and the line score without wrap (speeds in m per step);
   * 0: none */
  double track_length;
} rx_probe_file_request;

/* Reads, computes, then writes R.npz and R.json, each atomically and only after everything was
 * computed (a bad input writes nothing). Settings from cfg: diffusion.tau_max; score.bins,
 * score.min_count, score.n_perm and seed (the permutations). No burn-in is dropped: the file's data
 * are taken whole. A missing or malformed file or key, an empty, mis-shaped or non-finite array
 * fails with one line naming the file, the key and the shape.
 * Replay (docs/replay.md §7): each row of the array is one event. A posterior (events, steps,
 * bins) gets the line score (speeds in bins per step); trajectories (events, steps, 2) the path
 * score of the points (speeds in the data's units per step); headings (events, steps) or
 * (events, steps, 1), in radians, a one-hot posterior over ring bins of replay.bin_degrees and
 * the circular line score (speeds in radians per step). Settings: replay.n_shuffles, .alpha,
 * .n_speeds, .v_max, .band, .n_examples, seed. */
int rx_analyze_file(const rx_analysis_config *cfg, const rx_probe_file_request *req,
                    rx_analysis_log_fn log, void *ctx, rx_error *err);

#ifdef __cplusplus
}
#endif
#endif
