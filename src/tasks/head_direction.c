/* Head direction (docs/science.md §1.2): angular path integration on the circle with Gaussian turns
 * (all counter-clockwise when biased). Computed in double, stored float32 with headings wrapped
 * into
 * [-pi, pi); validation and allocation are batch.c's. */
#include <math.h>
#include <stddef.h>

#include "reactivate/rng.h"
#include "tasks/tasks_internal.h"

void rxtk_head_direction_fill(const rx_task_spec *spec, uint32_t seed, uint32_t stream,
                              uint32_t index, rx_batch *batch) {
  const int B = batch->B, T = batch->T;
#pragma omp parallel for schedule(static)
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, stream, index, (uint32_t)b, 0);
    double h = spec->init_zero ? 0.0 : 2.0 * M_PI * rx_rng_uniform(&r);
    batch->init[b] = rxtk_wrap_anglef(h);
    for (int t = 0; t < T; t++) {
      double turn = spec->dt * (spec->mu + spec->sigma * rx_rng_normal(&r));
      if (spec->biased) turn = fabs(turn);
      h += turn; /* unwrapped in double; only the stored targets are wrapped */
      size_t o = (size_t)t * (size_t)B + (size_t)b;
      batch->inputs[o] = (float)turn;
      batch->targets[o] = rxtk_wrap_anglef(h);
    }
  }
}
