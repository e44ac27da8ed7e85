/* Recorded trajectories as the spatial task (docs/science.md §14.3, docs/arenas.md "Training on
 * recorded trajectories"): loading and checking a task.trajectories .npz against the task, the
 * seed-fixed order training batches draw them in, the held-out test batch, and filling a batch
 * from them. Dispatching to here is batch.c's; the arena geometry is arena.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/npz.h"
#include "reactivate/rng.h"
#include "tasks/tasks_internal.h"

/* |dt - task.dt| allowed, relative: a dt saved as float32 (0.02f) still matches 0.02. */
#define DT_RTOL 1e-6

void rx_trajectories_free(rx_trajectories *traj) {
  if (!traj) return;
  free(traj->positions);
  free(traj);
}

int rx_trajectories_create(rx_trajectories **out, const float *positions, int n, int T, double dt,
                           const char *what, const rx_task_spec *spec, rx_error *err) {
  *out = NULL;
  if (!spec || spec->kind != RX_TASK_SPATIAL)
    return rx_fail(err, RX_EINVAL,
                   "%s: recorded trajectories are for the spatial_navigation task only", what);
  if (n <= 0 || T <= 0 || !positions)
    return rx_fail(err, RX_EFORMAT, "%s: positions hold %d trajectories of %d steps; need some",
                   what, n, T);
  if (!(dt > 0) || !isfinite(dt))
    return rx_fail(err, RX_EINVAL, "%s: dt must be finite and > 0 (got %g)", what, dt);
  if (!(fabs(dt - spec->dt) <= DT_RTOL * spec->dt))
    return rx_fail(err, RX_EINVAL,
                   "%s: dt %g s differs from task.dt %g s; set task.dt=%g (or resample the "
                   "trajectories)",
                   what, dt, spec->dt, dt);
  if (T < spec->seq_len)
    return rx_fail(err, RX_EINVAL,
                   "%s: trajectories have %d steps (positions (n, %d, 2)), fewer than "
                   "task.sequence_length %d",
                   what, T, T + 1, spec->seq_len);
  const int held = spec->n_held_out > 0 ? spec->n_held_out : spec->batch_size;
  if (held <= 0 || n / 2 < held)
    return rx_fail(err, RX_EINVAL,
                   "%s: %d trajectories, too few: need %d (task.batch_size %d held out for the "
                   "test batch and as many to train on)",
                   what, n, 2 * held, held);
  const size_t per = 2 * ((size_t)T + 1);
  for (size_t i = 0; i < (size_t)n * per; i++)
    if (!isfinite(positions[i]))
      return rx_fail(err, RX_ENUMERIC,
                     "%s: positions: %s at [%zu, %zu, %zu]; values must be finite", what,
                     isnan(positions[i]) ? "NaN"
                     : positions[i] > 0  ? "+Inf"
                                         : "-Inf",
                     i / per, i % per / 2, i % 2);
  rx_arena A;
  int rc = rx_arena_init(&A, &spec->arena, spec->box_width, spec->box_height, 0, err);
  if (rc) return rc;
  for (int k = 0; k < n; k++)
    for (int t = 0; t <= T; t++) {
      const float *p = positions + (size_t)k * per + 2 * (size_t)t;
      if (!rx_arena_contains(&A, p[0], p[1]))
        return rx_fail(err, RX_EINVAL,
                       "%s: trajectory %d leaves the arena at step %d: (%g, %g) m is outside the "
                       "%s (task.arena; positions are centred as the arena is)",
                       what, k, t, (double)p[0], (double)p[1], rx_arena_name(A.kind));
    }
  rx_trajectories *tr = calloc(1, sizeof *tr);
  if (tr) tr->positions = malloc((size_t)n * per * sizeof(float));
  if (!tr || !tr->positions) {
    rx_trajectories_free(tr);
    return rx_fail(err, RX_ENOMEM, "%s: out of memory for %d x %d positions", what, n, T + 1);
  }
  memcpy(tr->positions, positions, (size_t)n * per * sizeof(float));
  tr->n = n;
  tr->T = T;
  tr->n_test = held;
  tr->dt = dt;
  *out = tr;
  return RX_OK;
}

/* The file's dt: a finite float (or integer) scalar, 0-d or of one element. */
static int read_dt(const rx_npz *z, const char *what, double *dt, rx_error *err) {
  const rx_array *a = rx_npz_get(z, "dt");
  if (!a) return rx_fail(err, RX_EFORMAT, "%s: no array 'dt' (the time step, s)", what);
  if (a->size != 1)
    return rx_fail(err, RX_EFORMAT, "%s: dt must be a scalar (got %zu values)", what, a->size);
  switch (a->dtype) {
  case RX_F32:
    *dt = *(const float *)a->data;
    break;
  case RX_F64:
    *dt = *(const double *)a->data;
    break;
  case RX_I32:
    *dt = *(const int32_t *)a->data;
    break;
  case RX_I64:
    *dt = (double)*(const int64_t *)a->data;
    break;
  default:
    return rx_fail(err, RX_EFORMAT, "%s: dt has dtype %s, expected a float", what,
                   rx_dtype_name(a->dtype));
  }
  return RX_OK;
}

int rx_trajectories_load(rx_trajectories **out, const char *path, const rx_task_spec *spec,
                         rx_error *err) {
  *out = NULL;
  char what[1100];
  snprintf(what, sizeof what, "task.trajectories: %s", path);
  rx_npz z;
  int rc = rx_npz_read(path, &z, err);
  if (rc) return rx_error_prefix(err, rc, "task.trajectories");
  rx_array *pos = (rx_array *)rx_npz_get(&z, "positions");
  double dt = NAN;
  if (!pos)
    rc = rx_fail(err, RX_EFORMAT, "%s: no array 'positions' (n, T+1, 2)", what);
  else if (pos->ndim != 3 || pos->shape[2] != 2 || pos->shape[1] < 2 || pos->shape[0] < 1 ||
           pos->shape[0] > INT32_MAX || pos->shape[1] > INT32_MAX / 2) {
    char shape[200] = "(";
    for (int d = 0; d < pos->ndim; d++)
      snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%lld", d ? ", " : "",
               (long long)pos->shape[d]);
    strcat(shape, pos->ndim == 1 ? ",)" : ")");
    rc = rx_fail(err, RX_EFORMAT,
                 "%s: positions has shape %s, expected (n, T+1, 2) with n >= 1 and T >= 1", what,
                 shape);
  } else {
    char pwhat[1200];
    snprintf(pwhat, sizeof pwhat, "%s: positions", what);
    rc = rx_array_to_f32(pos, pwhat, err);
  }
  if (!rc) rc = read_dt(&z, what, &dt, err);
  if (!rc)
    rc = rx_trajectories_create(out, pos->data, (int)pos->shape[0], (int)pos->shape[1] - 1, dt,
                                what, spec, err);
  rx_npz_free(&z);
  return rc;
}

int rx_trajectories_pick(const rx_trajectories *tr, uint32_t seed, uint32_t stream, uint32_t index,
                         int B, int *which, rx_error *err) {
  if (stream == RX_STREAM_TEST_TASK) {
    if (B > tr->n_test)
      return rx_fail(err, RX_EINVAL,
                     "task.trajectories: the held-out test batch has %d trajectories; %d asked for",
                     tr->n_test, B);
    for (int b = 0; b < B; b++)
      which[b] = tr->n - tr->n_test + b;
    return RX_OK;
  }
  const int m = tr->n - tr->n_test;
  int *perm = malloc((size_t)m * sizeof *perm);
  if (!perm) return rx_fail(err, RX_ENOMEM, "out of memory for %d trajectory indices", m);
  uint64_t epoch = UINT64_MAX;
  for (int b = 0; b < B; b++) {
    const uint64_t slot = (uint64_t)index * (uint64_t)B + (uint64_t)b;
    if (slot / (uint64_t)m != epoch) {
      epoch = slot / (uint64_t)m;
      rx_rng r;
      rx_rng_init(&r, seed, stream, (uint32_t)epoch, 0, 0);
      for (int i = 0; i < m; i++)
        perm[i] = i;
      for (int i = m - 1; i > 0; i--) { /* Fisher-Yates */
        int j = (int)(rx_rng_uniform(&r) * (i + 1));
        int tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
      }
    }
    which[b] = perm[slot % (uint64_t)m];
  }
  free(perm);
  return RX_OK;
}

int rxtk_trajectories_fill(const rx_task_spec *spec, const rx_trajectories *tr, uint32_t seed,
                           uint32_t stream, uint32_t index, rx_batch *batch, rx_error *err) {
  const int B = batch->B, T = batch->T;
  if (T > tr->T)
    return rx_fail(err, RX_EINVAL,
                   "task.trajectories: trajectories have %d steps, fewer than the %d asked for",
                   tr->T, T);
  if (!(fabs(tr->dt - spec->dt) <= DT_RTOL * spec->dt))
    return rx_fail(err, RX_EINVAL, "task.trajectories: dt %g s differs from task.dt %g s", tr->dt,
                   spec->dt);
  int *which = malloc((size_t)B * sizeof *which);
  if (!which) return rx_fail(err, RX_ENOMEM, "out of memory for %d trajectory indices", B);
  int rc = rx_trajectories_pick(tr, seed, stream, index, B, which, err);
  if (rc) {
    free(which);
    return rc;
  }
  const size_t per = 2 * ((size_t)tr->T + 1);
  for (size_t b = 0; b < (size_t)B; b++) {
    const float *p = tr->positions + (size_t)which[b] * per; /* (T + 1, 2) */
    batch->init[2 * b] = p[0];
    batch->init[2 * b + 1] = p[1];
    for (size_t t = 1; t <= (size_t)T; t++) {
      const size_t o = 2 * ((t - 1) * (size_t)B + b);
      for (size_t d = 0; d < 2; d++) {
        batch->inputs[o + d] = (float)((double)p[2 * t + d] - (double)p[2 * (t - 1) + d]);
        batch->targets[o + d] = p[2 * t + d];
      }
    }
  }
  free(which);
  return RX_OK;
}

int rx_task_open(rx_task_spec *spec, rx_error *err) {
  if (!spec) return rx_fail(err, RX_EINVAL, "task spec is NULL");
  spec->traj = NULL;
  if (!spec->trajectories[0]) return RX_OK;
  int rc = rx_task_spec_check(spec, err);
  if (!rc) rc = rx_trajectories_load(&spec->traj, spec->trajectories, spec, err);
  return rc;
}

void rx_task_close(rx_task_spec *spec) {
  if (!spec) return;
  rx_trajectories_free(spec->traj);
  spec->traj = NULL;
}
