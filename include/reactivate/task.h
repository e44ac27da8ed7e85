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
  /* recorded trajectories instead of the motion model (task.trajectories; docs/arenas.md,
   * "Training on recorded trajectories"): the .npz path ("" for the motion model), the size of
   * the held-out test batch (the run's task.batch_size, kept when a caller changes batch_size;
   * 0: batch_size) and the set rx_task_open loaded from the path (NULL: rx_task_generate loads
   * it for the call; a set put here directly, e.g. from rx_trajectories_create, is used as
   * well). A copy of an opened spec borrows the set. */
  char trajectories[1024];
  int n_held_out;
  struct rx_trajectories *traj;
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
 * so batches are reproducible and independent of threading. With task.trajectories, the B
 * recorded trajectories rx_trajectories_pick chooses, their first sequence_length + 1 positions:
 * init = position 0, targets = positions 1 .. T, inputs = their differences (the displacements
 * the motion model's inputs are). */
int rx_task_generate(const rx_task_spec *spec, uint32_t seed, uint32_t stream, uint32_t index,
                     rx_batch *batch, rx_error *err);

/* A set of recorded trajectories (task.trajectories): positions (n, T + 1, 2) in metres, in the
 * task's arena (centred as arena.h centres it), sampled every dt seconds. The last n_test
 * trajectories are the held-out test batch; the others are drawn for training. */
typedef struct rx_trajectories {
  int n, T;         /* n trajectories of T steps each */
  int n_test;       /* the held-out test batch: trajectories n - n_test .. n - 1 */
  double dt;        /* s */
  float *positions; /* (n, T + 1, 2) */
} rx_trajectories;

/* Loads the .npz at path (arrays `positions`, float32 or float64 (n, T + 1, 2), and `dt`, a
 * float scalar) and checks it against spec (a spatial task): positions finite; dt equal to
 * task.dt (to a relative 1e-6, so a float32 dt passes); T >= task.sequence_length; at least
 * 2 n_held_out trajectories (a test batch held out and as many to train on); every position
 * in the arena. One line naming the file and, where it applies, the trajectory and step.
 * RX_OK, RX_EIO, RX_EFORMAT, RX_ENUMERIC, RX_EINVAL or RX_ENOMEM. */
int rx_trajectories_load(rx_trajectories **out, const char *path, const rx_task_spec *spec,
                         rx_error *err);
/* The same checks on arrays in memory (what: names them in messages); positions are copied. */
int rx_trajectories_create(rx_trajectories **out, const float *positions, int n, int T, double dt,
                           const char *what, const rx_task_spec *spec, rx_error *err);
void rx_trajectories_free(rx_trajectories *traj);

/* Which trajectory fills each of the B slots of batch `index` of (seed, stream): which (B).
 * RX_STREAM_TEST_TASK: the held-out batch, 0 .. B - 1 of it (B <= n_test), whatever the index.
 * Any other stream: slots index B .. index B + B - 1 of a sequence of epochs, epoch e a
 * permutation of the n - n_test training trajectories drawn from rx_rng(seed, stream; e, 0, 0)
 * (Fisher-Yates), so every training trajectory is used once per epoch in an order that depends
 * on the seed and stream alone. */
int rx_trajectories_pick(const rx_trajectories *traj, uint32_t seed, uint32_t stream,
                         uint32_t index, int B, int *which, rx_error *err);

/* Loads spec->trajectories into spec->traj (nothing for the motion model); rx_task_close frees
 * it. Callers that generate many batches open the spec once; rx_task_generate on an unopened
 * spec loads the file for that call. */
int rx_task_open(rx_task_spec *spec, rx_error *err);
void rx_task_close(rx_task_spec *spec);

/* Wraps an angle into [-pi, pi). */
double rx_wrap_angle(double a);

#ifdef __cplusplus
}
#endif
#endif
