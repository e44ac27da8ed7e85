/* Path-integration tasks (docs/science.md §1): the spatial navigation task in an arena (the
 * paper's square box by default; arena.h) and the head-direction task on the circle. A task turns
 * (seed, stream, index) into a batch of trajectories; encoding them as population codes is
 * population.h's job. */
#ifndef RX_TASK_H
#define RX_TASK_H

#include <stdint.h>

#include "reactivate/arena.h"
#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rx_task_kind { RX_TASK_SPATIAL = 0, RX_TASK_HEAD_DIRECTION = 1 } rx_task_kind;

typedef struct rx_task_spec {
  rx_task_kind kind;
  int seq_len;          /* T */
  int batch_size;       /* B */
  double dt, mu, sigma; /* time step (s); turn-rate mean and s.d. (rad/s) */
  int biased;
  int init_zero; /* 1: start at the origin / heading 0; 0: uniform */
  /* spatial only */
  double box_width, box_height, border_region, border_slow_factor;
  double b; /* Rayleigh scale of the forward speed (m/s) */
  double drift_const;
  double anchor[2];
  /* the arena (a zeroed spec is the box of box_width x box_height) and whether a step that would
   * cross a wall stops just before it (docs/arenas.md). The cut acts in every arena but the
   * plain box, where wall_cut switches it on; without it the box is the paper's model, whose
   * steps may overshoot a wall by up to one step. */
  rx_arena_spec arena;
  int wall_cut;
} rx_task_spec;

/* A batch, time-major. dim = 2 (x, y) for the spatial task, 1 (heading, rad in [-pi, pi)) for
 * head direction; n_in = dim. */
typedef struct rx_batch {
  int B, T, dim;
  float *inputs;  /* (T, B, dim): displacement (drift included) or turn per step */
  float *init;    /* (B, dim): the state the initial population code encodes */
  float *targets; /* (T, B, dim): init + cumulative inputs (headings wrapped) */
} rx_batch;

int rx_task_dim(rx_task_kind kind);
const char *rx_task_name(rx_task_kind kind); /* "spatial_navigation" | "head_direction" */

/* Checks a spec as rx_batch_alloc and rx_task_generate do: every field, the arena's geometry
 * (rx_arena_init with task.border_region) and a start at the origin inside it. One line that
 * starts with the key at fault. */
int rx_task_spec_check(const rx_task_spec *spec, rx_error *err);

/* Allocates a batch for spec (B, T); free with rx_batch_free. */
int rx_batch_alloc(rx_batch *batch, const rx_task_spec *spec, rx_error *err);
void rx_batch_free(rx_batch *batch);

/* Fills batch with B fresh trajectories; trajectory b draws from rx_rng(seed, stream; index, b, 0),
 * so batches are reproducible and independent of threading. */
int rx_task_generate(const rx_task_spec *spec, uint32_t seed, uint32_t stream, uint32_t index,
                     rx_batch *batch, rx_error *err);

/* Wraps an angle into [-pi, pi). */
double rx_wrap_angle(double a);

#ifdef __cplusplus
}
#endif
#endif
