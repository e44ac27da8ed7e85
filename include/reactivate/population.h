/* Population codes (SPEC §2): place cells (softmax of Gaussians, optional difference of
 * Gaussians) and head-direction cells (peak-1 von Mises), with top-k decoders. The code maps
 * positions/headings to the n_out targets the network is trained on, and decodes outputs back. */
#ifndef RX_POPULATION_H
#define RX_POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"
#include "reactivate/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rx_population {
  rx_task_kind kind;
  int n;        /* number of cells */
  int dim;      /* 2 (centres x, y) or 1 (preferred angles) */
  int k;        /* decode from the k most active cells */
  double sigma; /* place cells: Gaussian width sigma_pc (m) */
  int dog;      /* place cells: difference of Gaussians */
  double surround_scale;
  double spread;  /* head-direction cells: angular spread (rad); kappa = 1/spread^2 */
  int identity;   /* see rx_population_spec */
  float *centers; /* (n, dim): place-cell centres or preferred angles */
} rx_population;

typedef struct rx_population_spec {
  rx_task_kind kind;
  int n, k;
  double sigma, surround_scale, spread;
  int dog;
  double box_width, box_height; /* place-cell centres are uniform in this box */
  /* use_place_cells / use_hd_cells false: no cells; the code is the position itself (x, y)
   * (n = 2) or (cos h, sin h) for a heading (n = 2), decoded exactly (atan2 for headings). */
  int identity;
} rx_population_spec;

/* Creates the code; place-cell centres are drawn from rx_rng(seed, RX_STREAM_POPCODE; 0, 0, 0). */
int rx_population_create(rx_population **out, const rx_population_spec *spec, uint32_t seed,
                         rx_error *err);
/* Creates a code with the given centres (n x dim floats, copied), e.g. from a checkpoint. */
int rx_population_create_with_centers(rx_population **out, const rx_population_spec *spec,
                                      const float *centers, rx_error *err);
void rx_population_free(rx_population *pop);

/* code (m, n) = activations at pos (m, dim). Parallel over rows; deterministic. */
void rx_population_encode(const rx_population *pop, const float *pos, size_t m, float *code);
/* pos (m, dim) = top-k decode of code (m, n). */
void rx_population_decode(const rx_population *pop, const float *code, size_t m, float *pos);
/* Mean over the m*dim elements of the squared difference between decoded and true positions;
 * for headings the difference is wrapped into [-pi, pi) first. */
double rx_population_error(const rx_population *pop, const float *decoded, const float *truth,
                           size_t m);

/* A low-rank form of the code, code = F Z, where one exists with at most max_feat features:
 * head-direction cells, exp(kappa (cos(s - theta_i) - 1)) = e^-kappa (I_0(kappa) + 2 sum_m
 * I_m(kappa) cos(m (s - theta_i))) (Jacobi-Anger), cut after the M harmonics beyond which the
 * code changes by less than 1e-9: F = (1, cos s, sin s, ..., cos Ms, sin Ms), n_feat = 2M + 1.
 * Returns n_feat and fills z (n_feat, n) when z is not NULL; 0 where there is none (place
 * cells, identity codes, or tuning so narrow that it needs more than max_feat features). */
int rx_population_low_rank(const rx_population *pop, int max_feat, float *z);
/* f (m, n_feat) = the features of positions pos (m, dim) for rx_population_low_rank's form. */
void rx_population_low_rank_features(const rx_population *pop, int n_feat, const float *pos,
                                     size_t m, float *f);

#ifdef __cplusplus
}
#endif
#endif
