/* Counter-based random numbers (Random123 Philox4x32-10). A generator is keyed by (seed, stream)
 * and positioned by three indices (e.g. training step, trajectory, time step), so every draw is
 * addressable: results do not depend on thread count or on the order work is done in. */
#ifndef RX_RNG_H
#define RX_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every source of randomness in the program has its own named stream. */
typedef enum rx_stream {
  RX_STREAM_INIT = 1,      /* weight initialisation */
  RX_STREAM_POPCODE = 2,   /* place-cell centres */
  RX_STREAM_TASK = 3,      /* training batches (index: step) */
  RX_STREAM_TEST_TASK = 4, /* the fixed test batch */
  /* Network noise uses three consecutive streams from a base: +0 input, +1 recurrent,
   * +2 output; indices (step, trajectory, time). */
  RX_STREAM_NOISE = 5,           /* training batches: 5, 6, 7 */
  RX_STREAM_TEST_NOISE = 8,      /* the test batch: 8, 9, 10 */
  RX_STREAM_SIMULATE_TASK = 16,  /* reactivate simulate: generated batches */
  RX_STREAM_SIMULATE_NOISE = 17, /* reactivate simulate: 17, 18, 19 */
  RX_STREAM_ANALYSIS = 32,       /* analyses: KDE sampling etc. (32 and up) */
  RX_STREAM_REPLAY = 48          /* replay shuffles (replay.h; indices: event, shuffle, null) */
} rx_stream;

typedef struct rx_rng {
  uint32_t key[2];
  uint32_t ctr[4];
  uint32_t buf[4];
  int avail;
} rx_rng;

/* Positions a generator at (seed, stream; i, j, k). Draws then advance an internal counter. */
void rx_rng_init(rx_rng *rng, uint32_t seed, uint32_t stream, uint32_t i, uint32_t j, uint32_t k);
uint32_t rx_rng_u32(rx_rng *rng);
double rx_rng_uniform(rx_rng *rng); /* [0, 1), 53 bits */
float rx_rng_uniformf(rx_rng *rng); /* [0, 1), 24 bits */
double rx_rng_normal(rx_rng *rng);  /* N(0, 1), Box-Muller */
double rx_rng_rayleigh(rx_rng *rng, double scale);

/* Bulk fills used by the noise paths: out[i] = scale * U[0,1) or scale * N(0,1). */
void rx_rng_fill_uniformf(rx_rng *rng, float *out, size_t n, float scale);
void rx_rng_fill_normalf(rx_rng *rng, float *out, size_t n, float scale);

#ifdef __cplusplus
}
#endif
#endif
