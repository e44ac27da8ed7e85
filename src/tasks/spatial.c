/* Spatial navigation (docs/science.md §1.1): a random walk in a square box with Rayleigh speeds,
 * Gaussian turns, wall avoidance and an optional drift to an anchor. Computed in double, stored
 * float32; validation and allocation are batch.c's. */
#include <math.h>
#include <stddef.h>

#include "reactivate/rng.h"
#include "tasks/tasks_internal.h"

/* One trajectory. Only the current p[t], h[t] are kept: step t = 0 gives p[1] (init), steps
 * t = 1..T give inputs[t-1] = step[t] and targets[t-1] = p[t+1]. The heading itself is not
 * returned, so the final wrap of docs/science.md §1.1 step 3 has nothing to act on. */
static void trajectory(const rx_task_spec *s, rx_rng *r, size_t B, size_t b, rx_batch *batch) {
  const double W2 = 0.5 * s->box_width, H2 = 0.5 * s->box_height, two_pi = 2.0 * M_PI;
  double x = 0, y = 0;
  if (!s->init_zero) {
    x = (rx_rng_uniform(r) - 0.5) * s->box_width;
    y = (rx_rng_uniform(r) - 0.5) * s->box_height;
  }
  double h = two_pi * rx_rng_uniform(r);
  for (int t = 0; t <= s->seq_len; t++) {
    double v = rx_rng_rayleigh(r, s->b), turn = 0;
    /* wall check: nearest of (right, top, left, bottom); theta = the wall's outward normal */
    const double dist[4] = {W2 - x, H2 - y, W2 + x, H2 + y};
    int w = 0;
    for (int i = 1; i < 4; i++)
      if (dist[i] < dist[w]) w = i;
    double hm = fmod(h, two_pi);
    if (hm < 0) hm += two_pi;
    double a = rx_wrap_angle(hm - w * (M_PI / 2));
    if (dist[w] < s->border_region && fabs(a) < M_PI / 2) {
      turn = (a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0) * (M_PI / 2 - fabs(a));
      v *= s->border_slow_factor;
    }
    turn += s->dt * (s->mu + s->sigma * rx_rng_normal(r));
    double sx = v * s->dt * cos(h), sy = v * s->dt * sin(h);
    if (s->biased) {
      sx += s->drift_const * (s->anchor[0] - x);
      sy += s->drift_const * (s->anchor[1] - y);
    }
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

void rxtk_spatial_fill(const rx_task_spec *spec, uint32_t seed, uint32_t stream, uint32_t index,
                       rx_batch *batch) {
  const int B = batch->B;
#pragma omp parallel for schedule(static)
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, stream, index, (uint32_t)b, 0);
    trajectory(spec, &r, (size_t)B, (size_t)b, batch);
  }
}
