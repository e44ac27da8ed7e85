/* Spatial navigation (docs/science.md §1.1, §14.2; docs/arenas.md): a random walk in an arena
 * with Rayleigh speeds, Gaussian turns, wall avoidance, an optional drift to an anchor and, but
 * in the paper's box, steps cut at the walls. Computed in double, stored float32; the geometry
 * is arena.c's, validation and allocation batch.c's. */
#include <math.h>
#include <stddef.h>

#include "reactivate/rng.h"
#include "tasks/tasks_internal.h"

/* How far before the wall a cut step stops, along the step (m). */
#define CUT_GAP 1e-6

/* The cut: a step (sx, sy) from (x, y) that meets a wall stops CUT_GAP before the meeting point
 * (at (x, y) when that is nearer). The last guarantee: the step is dropped (the agent stays)
 * unless its end as stored, in float32, lies in the arena and the segment between the stored
 * positions meets no wall. So every stored position is inside, on no wall, and no stored step
 * passes through one, whatever the rounding. */
static void cut_step(const rx_arena *A, double x, double y, double *sx, double *sy) {
  double t;
  if (rx_arena_crossing(A, x, y, x + *sx, y + *sy, &t) >= 0) {
    double f = t - CUT_GAP / hypot(*sx, *sy);
    if (!(f > 0)) f = 0;
    *sx *= f;
    *sy *= f;
  }
  double px = (float)x, py = (float)y, qx = (float)(x + *sx), qy = (float)(y + *sy);
  if (!rx_arena_contains(A, qx, qy) || rx_arena_crossing(A, px, py, qx, qy, &t) >= 0) *sx = *sy = 0;
}

static void trajectory(const rx_task_spec *s, const rx_arena *A, int cut, rx_rng *r, size_t B,
                       size_t b, rx_batch *batch) {
  const double two_pi = 2.0 * M_PI;
  double x = 0, y = 0;
  if (!s->init_zero) rx_arena_sample(A, r, &x, &y);
  double h = two_pi * rx_rng_uniform(r);
  for (int t = 0; t <= s->seq_len; t++) {
    double v = rx_rng_rayleigh(r, s->b), turn = 0, d, theta;
    /* wall check: the nearest wall and the direction towards it (in the box, of the right, top,
     * left and bottom walls, theta = the wall's outward normal) */
    rx_arena_nearest_wall(A, x, y, &d, &theta);
    double hm = fmod(h, two_pi);
    if (hm < 0) hm += two_pi;
    double a = rx_wrap_angle(hm - theta);
    if (d < s->border_region && fabs(a) < M_PI / 2) {
      turn = (a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0) * (M_PI / 2 - fabs(a));
      v *= s->border_slow_factor;
    }
    turn += s->dt * (s->mu + s->sigma * rx_rng_normal(r));
    double sx = v * s->dt * cos(h), sy = v * s->dt * sin(h);
    if (s->biased) {
      sx += s->drift_const * (s->anchor[0] - x);
      sy += s->drift_const * (s->anchor[1] - y);
    }
    if (cut) cut_step(A, x, y, &sx, &sy);
    x += sx;
    y += sy;
    h += turn;
    if (t == 0) {
      batch->init[2 * b] = (float)x;
      batch->init[2 * b + 1] = (float)y;
    } else {
      size_t o = 2 * ((size_t)(t - 1) * B + b);
      batch->inputs[o] = (float)sx;
      batch->inputs[o + 1] = (float)sy;
      batch->targets[o] = (float)x;
      batch->targets[o + 1] = (float)y;
    }
  }
}

void rxtk_spatial_fill(const rx_task_spec *spec, const rx_arena *arena, uint32_t seed,
                       uint32_t stream, uint32_t index, rx_batch *batch) {
  const int B = batch->B, cut = rxtk_cuts(spec);
#pragma omp parallel for schedule(static)
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, stream, index, (uint32_t)b, 0);
    trajectory(spec, arena, cut, &r, (size_t)B, (size_t)b, batch);
  }
}
