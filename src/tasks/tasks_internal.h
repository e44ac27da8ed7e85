/* Private to src/tasks: the per-task batch fillers, the float angle helper and the vectorisable
 * exponential the population codes share. Not part of the public API (include/reactivate). */
#ifndef RX_TASKS_INTERNAL_H
#define RX_TASKS_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "reactivate/task.h"

/* Fill an allocated, validated batch (rx_task_generate checks shapes first); arena: the spec's,
 * built by rxtk_spatial_arena. */
void rxtk_spatial_fill(const rx_task_spec *spec, const rx_arena *arena, uint32_t seed,
                       uint32_t stream, uint32_t index, rx_batch *batch);
void rxtk_head_direction_fill(const rx_task_spec *spec, uint32_t seed, uint32_t stream,
                              uint32_t index, rx_batch *batch);

/* Fill an allocated batch from recorded trajectories (trajectories.c): the ones
 * rx_trajectories_pick chooses, checked against the batch's length and the spec's dt. */
int rxtk_trajectories_fill(const rx_task_spec *spec, const rx_trajectories *traj, uint32_t seed,
                           uint32_t stream, uint32_t index, rx_batch *batch, rx_error *err);

/* The arena of a spatial spec, checked with its border region, and the start at the origin
 * (task.init_pos: zero) checked to lie inside and on no wall. RX_OK or RX_EINVAL. */
int rxtk_spatial_arena(const rx_task_spec *spec, rx_arena *arena, rx_error *err);

/* Whether steps are cut at the walls: always but in the paper's plain box (no walls inside),
 * where task.wall_cut decides. */
static inline int rxtk_cuts(const rx_task_spec *spec) {
  return spec->wall_cut || spec->arena.kind != RX_ARENA_BOX || spec->arena.n_walls > 0;
}

/* Wraps a into [-pi, pi) and rounds to float so that the float, read back exactly, still lies in
 * [-pi, pi): float(pi) > pi, so values that would round onto +-float(pi) step one ulp inwards. */
static inline float rxtk_wrap_anglef(double a) {
  float f = (float)rx_wrap_angle(a);
  const float pi_in = 3.14159250f; /* the largest float below pi */
  if ((double)f >= M_PI) f = pi_in;
  if ((double)f < -M_PI) f = -pi_in;
  return f;
}

/* Inputs below -86 are raised to -86 (exp = 4.4e-38, which no softmax can tell from 0) so that
 * rxtk_expf_neg's 2^n stays a normal number. */
static inline float rxtk_expf_floor(float x) { return x < -86.0f ? -86.0f : x; }

/* exp(x) for x in [-86, 0] (a little above 0 is fine) in float, within a few ulp, written so gcc
 * vectorises it in `omp simd` loops (glibc has vector expf only under -ffast-math). Floor in a
 * separate loop: fused, gcc turns the clamp into a branch around the polynomial and then refuses
 * to vectorise (the float ops "could trap"). */
static inline float rxtk_expf_neg(float x) {
  const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
  float t = x * 1.44269504f + magic;
  float n = t - magic;
  float r = x - n * 0.693359375f; /* ln 2 split in two for an exact first product */
  r = r - n * -2.12194440e-4f;
  /* e^r on [-ln2/2, ln2/2], Cephes expf polynomial */
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  uint32_t ti, pi;
  memcpy(&ti, &t, sizeof ti);
  memcpy(&pi, &p, sizeof pi);
  pi += (ti - 0x4B400000u) << 23; /* times 2^n: n sits in the low bits of t's mantissa */
  memcpy(&p, &pi, sizeof p);
  return p;
}

#endif
