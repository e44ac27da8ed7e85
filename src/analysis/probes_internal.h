/* Internal to src/analysis: the pieces of the probes that both the runs' drivers and the
 * trajectories-from-a-file commands use (probes_score.c, probes_diffusion.c, probes_file.c), so
 * that a data set's numbers have the same names and meaning whichever source it came from. */
#ifndef RX_ANALYSIS_PROBES_INTERNAL_H
#define RX_ANALYSIS_PROBES_INTERNAL_H

#include <stdint.h>

#include "analysis/reactivation_internal.h"
#include "reactivate/sampling.h"
#include "reactivate/score.h"

/* Claim k1's reading of a comparison (docs/science.md §12): "aligned" when the weighted cosine
 * exceeds 0.3 with a permutation p below 0.01. */
#define RX_SCORE_ALIGNED_COSINE 0.3
#define RX_SCORE_ALIGNED_P 0.01

/* The score of the KDE (plane: kde; ring: ckde) at f's used bins, and its comparison with f's
 * drift (rx_drift_score_compare, stream RX_STREAM_ANALYSIS + 1). *score_out (n_bins, dim),
 * malloc'd, NaN at unused bins. */
int rxa_score_compare(const rx_drift_field *f, const struct rx_density *kde,
                      const struct rx_circular_kde *ckde, int n_perm, uint32_t seed,
                      double **score_out, rx_drift_score *out, rx_error *err);
/* The comparison's numbers into obj (docs/probes.md §5, `score`). */
void rxa_score_json(cJSON *obj, const rx_drift_field *f, const rx_drift_score *s);
/* The per-bin arrays "<run>.<cond>.<what>" (cond "" : "<run>.<what>"); density may be NULL. */
void rxa_score_arrays(npz_list *l, const char *run, const char *cond, const rx_drift_field *f,
                      const double *score, const rx_drift_score *s, const double *density);
/* settings.edges_x (and edges_y in the plane): the bins' edges. */
void rxa_score_edges(npz_list *l, const rx_drift_field *f);

/* Diffusion statistics of one data set x (T, B, dim), time-major: MSD for lags 1..tau_max, its
 * exponent over RX_MSD_TAU_LO..min(RX_MSD_TAU_HI, tau_max), its class and the step sizes,
 * histogrammed over edges (n_bins + 1; NULL: none) into counts. Numbers that do not exist (a
 * standing trajectory has no exponent) are NaN, with the reason in why (else why[0] = 0). */
typedef struct rxa_diffusion_stats {
  int tau_max;
  double *msd; /* (tau_max,) malloc'd */
  double alpha, alpha_r2;
  rx_step_summary steps;
  char why[sizeof(rx_error)];
} rxa_diffusion_stats;
int rxa_diffusion_compute(const float *x, int T, int B, int dim, int circular, int tau_max,
                          const double *edges, int n_bins, double *counts, rxa_diffusion_stats *s,
                          rx_error *err);
void rxa_diffusion_stats_free(rxa_diffusion_stats *s);
/* The numbers into obj (docs/probes.md §5, `diffusion`). */
void rxa_diffusion_json(cJSON *obj, const rxa_diffusion_stats *s);

/* One line to the log of a file-mode analysis (probes_file.c, replay_file.c). */
void rxa_file_log(rx_analysis_log_fn log, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
