/* Task front door: names, dimensions, spec validation (the arena's through arena.c), batch
 * allocation and the generate call that dispatches to spatial.c / head_direction.c. The motion
 * models themselves live there. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/task.h"
#include "tasks/tasks_internal.h"

int rx_task_dim(rx_task_kind kind) { return kind == RX_TASK_SPATIAL ? 2 : 1; }

const char *rx_task_name(rx_task_kind kind) {
  return kind == RX_TASK_SPATIAL ? "spatial_navigation" : "head_direction";
}

double rx_wrap_angle(double a) {
  const double two_pi = 2.0 * M_PI;
  double r = fmod(a + M_PI, two_pi); /* (-2pi, 2pi) */
  if (r < 0) r += two_pi;
  if (r >= two_pi) r -= two_pi; /* -tiny + 2pi can round up to 2pi */
  return r - M_PI;
}

int rxtk_spatial_arena(const rx_task_spec *s, rx_arena *arena, rx_error *err) {
  int rc = rx_arena_init(arena, &s->arena, s->box_width, s->box_height, s->border_region, err);
  if (rc || !s->init_zero || !rxtk_cuts(s)) return rc; /* the paper's box: the origin is fine */
  double d, theta;
  rx_arena_nearest_wall(arena, 0, 0, &d, &theta);
  if (!rx_arena_contains(arena, 0, 0) || !(d > 0))
    return rx_fail(err, RX_EINVAL,
                   "task.init_pos: zero starts the agent at the origin, which is %s the arena "
                   "(task.arena: %s); use uniform, or an arena around the origin",
                   rx_arena_contains(arena, 0, 0) ? "on a wall of" : "outside",
                   rx_arena_name(s->arena.kind));
  return 0;
}

/* !(x > 0) style comparisons so that NaN fails every check. arena: filled for the spatial task
 * (may be NULL). */
static int validate_spec(const rx_task_spec *s, rx_arena *arena, rx_error *err) {
  if (!s) return rx_fail(err, RX_EINVAL, "task spec is NULL");
  if (s->kind != RX_TASK_SPATIAL && s->kind != RX_TASK_HEAD_DIRECTION)
    return rx_fail(err, RX_EINVAL,
                   "task kind must be spatial_navigation or head_direction (got %d)", (int)s->kind);
  if (s->seq_len <= 0)
    return rx_fail(err, RX_EINVAL, "task.sequence_length must be > 0 (got %d)", s->seq_len);
  if (s->batch_size <= 0)
    return rx_fail(err, RX_EINVAL, "task.batch_size must be > 0 (got %d)", s->batch_size);
  if (!(s->dt > 0) || !isfinite(s->dt))
    return rx_fail(err, RX_EINVAL, "task.dt must be finite and > 0 (got %g)", s->dt);
  if (!isfinite(s->mu)) return rx_fail(err, RX_EINVAL, "task.mu must be finite (got %g)", s->mu);
  if (!(s->sigma >= 0) || !isfinite(s->sigma))
    return rx_fail(err, RX_EINVAL, "task.sigma must be finite and >= 0 (got %g)", s->sigma);
  if (memchr(s->trajectories, '\0', sizeof s->trajectories) == NULL)
    return rx_fail(err, RX_EINVAL, "task.trajectories: path is not NUL-terminated");
  if ((s->trajectories[0] || s->traj) && s->kind != RX_TASK_SPATIAL)
    return rx_fail(err, RX_EINVAL,
                   "task.trajectories: recorded trajectories are for the spatial_navigation task "
                   "only");
  if (s->kind == RX_TASK_HEAD_DIRECTION) return 0;
  if (!(s->border_slow_factor >= 0) || !isfinite(s->border_slow_factor))
    return rx_fail(err, RX_EINVAL, "task.border_slow_factor must be >= 0 (got %g)",
                   s->border_slow_factor);
  if (!(s->b > 0) || !isfinite(s->b))
    return rx_fail(err, RX_EINVAL, "task.b must be > 0 (got %g)", s->b);
  if (!(s->drift_const >= 0) || !isfinite(s->drift_const))
    return rx_fail(err, RX_EINVAL, "task.drift_const must be >= 0 (got %g)", s->drift_const);
  if (!isfinite(s->anchor[0]) || !isfinite(s->anchor[1]))
    return rx_fail(err, RX_EINVAL, "task.anchor_point must be finite (got [%g, %g])", s->anchor[0],
                   s->anchor[1]);
  rx_arena local;
  return rxtk_spatial_arena(s, arena ? arena : &local, err);
}

int rx_task_spec_check(const rx_task_spec *spec, rx_error *err) {
  return validate_spec(spec, NULL, err);
}

int rx_batch_alloc(rx_batch *batch, const rx_task_spec *spec, rx_error *err) {
  if (!batch) return rx_fail(err, RX_EINVAL, "batch is NULL");
  *batch = (rx_batch){0};
  int rc = validate_spec(spec, NULL, err);
  if (rc) return rc;
  size_t B = (size_t)spec->batch_size, T = (size_t)spec->seq_len;
  size_t dim = (size_t)rx_task_dim(spec->kind);
  if (T > SIZE_MAX / sizeof(float) / B / dim)
    return rx_fail(err, RX_ENOMEM, "batch of %zu x %zu x %zu floats is too large", T, B, dim);
  batch->inputs = malloc(T * B * dim * sizeof(float));
  batch->init = malloc(B * dim * sizeof(float));
  batch->targets = malloc(T * B * dim * sizeof(float));
  if (!batch->inputs || !batch->init || !batch->targets) {
    rx_batch_free(batch);
    return rx_fail(err, RX_ENOMEM, "cannot allocate a batch of %zu x %zu x %zu floats", T, B, dim);
  }
  batch->B = spec->batch_size;
  batch->T = spec->seq_len;
  batch->dim = (int)dim;
  return 0;
}

void rx_batch_free(rx_batch *batch) {
  if (!batch) return;
  free(batch->inputs);
  free(batch->init);
  free(batch->targets);
  *batch = (rx_batch){0};
}

int rx_task_generate(const rx_task_spec *spec, uint32_t seed, uint32_t stream, uint32_t index,
                     rx_batch *batch, rx_error *err) {
  rx_arena arena;
  int rc = validate_spec(spec, &arena, err);
  if (rc) return rc;
  if (!batch || !batch->inputs || !batch->init || !batch->targets)
    return rx_fail(err, RX_EINVAL, "batch is not allocated (use rx_batch_alloc)");
  if (batch->B != spec->batch_size || batch->T != spec->seq_len ||
      batch->dim != rx_task_dim(spec->kind))
    return rx_fail(err, RX_EINVAL,
                   "batch is (T %d, B %d, dim %d) but task.sequence_length %d, task.batch_size %d, "
                   "dim %d",
                   batch->T, batch->B, batch->dim, spec->seq_len, spec->batch_size,
                   rx_task_dim(spec->kind));
  if (spec->traj || spec->trajectories[0]) {
    if (spec->traj)
      return rxtk_trajectories_fill(spec, spec->traj, seed, stream, index, batch, err);
    rx_trajectories *tr; /* an unopened spec: the file, for this call */
    if ((rc = rx_trajectories_load(&tr, spec->trajectories, spec, err))) return rc;
    rc = rxtk_trajectories_fill(spec, tr, seed, stream, index, batch, err);
    rx_trajectories_free(tr);
    return rc;
  }
  if (spec->kind == RX_TASK_SPATIAL)
    rxtk_spatial_fill(spec, &arena, seed, stream, index, batch);
  else
    rxtk_head_direction_fill(spec, seed, stream, index, batch);
  return 0;
}
