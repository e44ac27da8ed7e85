/* The training loss, its gradient and the decoding error in one pass over the outputs (see
 * population_loss.h): each row's target is encoded as the row is read, decoded before its
 * gradient overwrites it, and never stored. In training the rows come a readout tile at a time,
 * still in cache (rx_rnn_forward_loss). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "tasks/population_internal.h"
#include "tasks/population_loss.h"
#include "tasks/tasks_internal.h"

enum { ROWS = RX_MSE_CHUNK, LANES = 16 };

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
    if (dy) dy[i] = scale * d;
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

int rx_mse_tally_init(rx_mse_tally *t, const rx_population *pop, size_t cap, rx_error *err) {
  *t = (rx_mse_tally){.pop = pop, .cap = cap};
  t->stride = ((size_t)pop->n + 15) / 16 * 16;
  /* a target row per thread of the team that will call rows() (at most the larger of these) */
  const int procs = omp_get_num_procs(), threads = omp_get_max_threads();
  t->n_scratch = procs > threads ? procs : threads;
  int rc = rx_pop_rows_init(&t->rw, pop, err);
  if (rc) return rc;
  t->part = malloc((2 * ((cap + ROWS - 1) / ROWS) + 1) * sizeof(double));
  t->scratch = malloc((size_t)t->n_scratch * t->stride * sizeof(float));
  if (!t->part || !t->scratch) {
    rx_mse_tally_free(t);
    return rx_fail(err, RX_ENOMEM, "out of memory for the loss of %zu rows of %d cells", cap,
                   pop->n);
  }
  return RX_OK;
}

void rx_mse_tally_start(rx_mse_tally *t, const float *pos, size_t m, int want_error) {
  t->pos = pos;
  t->m = m < t->cap ? m : t->cap;
  t->want_error = want_error;
  t->n_chunks = (t->m + ROWS - 1) / ROWS;
  t->scale = t->m ? 2.0f / (float)(t->m * (size_t)t->pop->n) : 0.0f;
}

/* Rows [r0, r1) with their target rows encoded into tgt (stride floats). */
static void tally_rows(rx_mse_tally *t, size_t r0, size_t r1, const float *y, float *dy,
                       float *tgt) {
  const rx_population *pop = t->pop;
  const int n = pop->n, dim = pop->dim;
  for (size_t c = r0 / ROWS; c * ROWS < r1; c++) {
    double acc[LANES] = {0}, e = 0;
    const size_t c1 = (c + 1) * ROWS < r1 ? (c + 1) * ROWS : r1;
    for (size_t r = c * ROWS; r < c1; r++) {
      const float *yr = y + (r - r0) * (size_t)n;
      const float *pr = t->pos + r * (size_t)dim;
      if (t->want_error) {
        float dec[2];
        rx_pop_decode_row(&t->rw, yr, dec);
        e += row_error(pop, dec, pr);
      }
      rx_pop_encode_row(&t->rw, pr, tgt);
      row_loss(yr, tgt, n, dy ? dy + (r - r0) * (size_t)n : NULL, t->scale, acc);
    }
    for (int w = LANES / 2; w > 0; w /= 2) /* pairwise, in a fixed order */
      for (int l = 0; l < w; l++)
        acc[l] += acc[l + w];
    t->part[c] = acc[0];
    t->part[t->n_chunks + c] = e;
  }
}

void rx_mse_tally_rows(rx_mse_tally *t, size_t r0, size_t r1, const float *y, float *dy) {
  const int th = omp_get_thread_num();
  if (th < t->n_scratch) {
    tally_rows(t, r0, r1, y, dy, t->scratch + (size_t)th * t->stride);
    return;
  }
  /* a thread beyond what init sized for (threads raised since): a row buffer of its own */
  float *tgt = malloc(t->stride * sizeof(float));
  if (tgt) {
    tally_rows(t, r0, r1, y, dy, tgt);
  } else {
    for (size_t c = r0 / ROWS; c * ROWS < r1; c++)
      t->part[c] = t->part[t->n_chunks + c] = NAN; /* the loss says something went wrong */
  }
  free(tgt);
}

void rx_mse_tally_total(const rx_mse_tally *t, double *loss, double *error) {
  double total = 0, total_e = 0;
  for (size_t c = 0; c < t->n_chunks; c++) {
    total += t->part[c];
    total_e += t->part[t->n_chunks + c];
  }
  *loss = t->m ? total / ((double)t->m * t->pop->n) : 0.0;
  if (error) *error = t->m && t->want_error ? total_e / ((double)t->m * t->pop->dim) : NAN;
}

void rx_mse_tally_free(rx_mse_tally *t) {
  free(t->part);
  free(t->scratch);
  rx_pop_rows_free(&t->rw);
  t->part = NULL;
  t->scratch = NULL;
}

int rx_population_mse(const rx_population *pop, const float *y, const float *pos, size_t m,
                      float *dy, double *loss, double *error, rx_error *err) {
  *loss = 0.0;
  if (error) *error = NAN;
  if (m == 0) return RX_OK;
  const int n = pop->n;
  rx_mse_tally t;
  int rc = rx_mse_tally_init(&t, pop, m, err);
  if (rc) return rc;
  rx_mse_tally_start(&t, pos, m, error != NULL);
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < t.n_chunks; c++) {
    const size_t r0 = c * ROWS, r1 = r0 + ROWS < m ? r0 + ROWS : m;
    rx_mse_tally_rows(&t, r0, r1, y + r0 * (size_t)n, dy ? dy + r0 * (size_t)n : NULL);
  }
  rx_mse_tally_total(&t, loss, error);
  rx_mse_tally_free(&t);
  return RX_OK;
}
