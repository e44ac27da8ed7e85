/* The training loss, its gradient and the decoding error in one pass over the outputs (see
 * population_loss.h). A training step's outputs are 41 MB at the paper's sizes; encoding the
 * targets, the loss with its gradient and the decode as separate passes read or wrote
 * ~290 MB, this pass 82 MB (the outputs read once and overwritten by the gradient). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "tasks/population_internal.h"
#include "tasks/population_loss.h"
#include "tasks/tasks_internal.h"

enum { ROWS = 16, LANES = 16 };

/* acc[i mod 16] += (y - t)^2 over one row; dy = scale (y - t) unless NULL (dy may be y). */
static void row_loss(const float *y, const float *restrict t, int n, float *dy, float scale,
                     double *restrict acc) {
  int i = 0;
  if (dy) {
    for (; i + LANES <= n; i += LANES)
#pragma omp simd
      for (int l = 0; l < LANES; l++) {
        const float d = y[i + l] - t[i + l];
        acc[l] += (double)d * d;
        dy[i + l] = scale * d;
      }
  } else {
    for (; i + LANES <= n; i += LANES)
#pragma omp simd
      for (int l = 0; l < LANES; l++) {
        const float d = y[i + l] - t[i + l];
        acc[l] += (double)d * d;
      }
  }
  for (int l = 0; i < n; i++, l++) {
    const float d = y[i] - t[i];
    acc[l] += (double)d * d;
    if (dy)
      dy[i] = scale * d;
  }
}

/* The squared decoding error of one row, summed over its dim coordinates (headings wrapped). */
static double row_error(const rx_population *pop, const float *dec, const float *truth) {
  if (pop->kind == RX_TASK_SPATIAL) {
    const double dx = (double)dec[0] - (double)truth[0], dz = (double)dec[1] - (double)truth[1];
    return dx * dx + dz * dz;
  }
  const double d = rx_wrap_angle((double)dec[0] - (double)truth[0]);
  return d * d;
}

int rx_population_mse(const rx_population *pop, const float *y, const float *pos, size_t m,
                      float *dy, double *loss, double *error, rx_error *err) {
  *loss = 0.0;
  if (error)
    *error = NAN;
  if (m == 0)
    return RX_OK;
  const int n = pop->n, dim = pop->dim;
  const size_t n_chunks = (m + ROWS - 1) / ROWS;
  const size_t stride = ((size_t)n + 15) / 16 * 16; /* a thread's target row */
  rx_pop_rows rw;
  int rc = rx_pop_rows_init(&rw, pop, err);
  if (rc)
    return rc;
  double *part = malloc(2 * n_chunks * sizeof(double));
  float *scratch = malloc((size_t)omp_get_max_threads() * stride * sizeof(float));
  if (!part || !scratch) {
    free(part);
    free(scratch);
    rx_pop_rows_free(&rw);
    return rx_fail(err, RX_ENOMEM, "out of memory for the loss of %zu rows of %d cells", m, n);
  }
  const float scale = 2.0f / (float)(m * (size_t)n);
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < n_chunks; c++) {
    float *tgt = scratch + (size_t)omp_get_thread_num() * stride;
    double acc[LANES] = {0}, e = 0;
    const size_t r1 = (c + 1) * ROWS < m ? (c + 1) * ROWS : m;
    for (size_t r = c * ROWS; r < r1; r++) {
      const float *yr = y + r * (size_t)n, *pr = pos + r * (size_t)dim;
      if (error) {
        float dec[2];
        rx_pop_decode_row(&rw, yr, dec);
        e += row_error(pop, dec, pr);
      }
      rx_pop_encode_row(&rw, pr, tgt);
      row_loss(yr, tgt, n, dy ? dy + r * (size_t)n : NULL, scale, acc);
    }
    for (int w = LANES / 2; w > 0; w /= 2) /* pairwise, in a fixed order */
      for (int l = 0; l < w; l++)
        acc[l] += acc[l + w];
    part[c] = acc[0];
    part[n_chunks + c] = e;
  }
  double total = 0, total_e = 0;
  for (size_t c = 0; c < n_chunks; c++) {
    total += part[c];
    total_e += part[n_chunks + c];
  }
  *loss = total / ((double)m * n);
  if (error)
    *error = total_e / ((double)m * dim);
  free(part);
  free(scratch);
  rx_pop_rows_free(&rw);
  return RX_OK;
}
