/* The training loss, its gradient and the decoding error in one pass over the outputs
 * (rx_population_mse, rx_population_loss in population.h): each row's target is encoded as the
 * row is read, decoded before its gradient overwrites it, and never stored. In training the rows
 * come a readout tile at a time, still in cache (rx_rnn_forward_loss, through rx_row_loss). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "tasks/population_internal.h"
#include "tasks/tasks_internal.h"

enum { ROWS = 16, LANES = 16 }; /* rows per partial sum; lanes of a row's sum */
_Static_assert(RX_LOSS_ALIGN % ROWS == 0, "blocks of rows must start on whole chunks");

struct rx_population_loss {
  const rx_population *pop;
  const float *pos; /* (m, dim) positions of this pass */
  size_t cap, m, n_chunks, stride;
  int want_error, n_scratch;
  float scale; /* dLoss/dy = scale (y - code) */
  rxtk_rows rw;
  double *part;   /* (2, n_chunks): per 16-row chunk, the loss and the squared decode error */
  float *scratch; /* (n_scratch, stride): a target row per thread */
  float *z;       /* (n_feat, n) the code's low-rank form (rxtk_low_rank), or NULL */
  rx_row_loss fn; /* the loss as handed to a producer of outputs */
};

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

/* rx_row_loss's rows() and features() on an rx_population_loss. */
static void fn_rows(void *ctx, size_t r0, size_t m, float *y, int want_grad) {
  rx_population_loss_rows(ctx, r0, r0 + m, y, want_grad ? y : NULL);
}

static void fn_features(void *ctx, size_t r0, size_t m, float *f) {
  const rx_population_loss *l = ctx;
  rxtk_low_rank_features(l->pop, l->fn.low_rank.n_feat, l->pos + r0 * (size_t)l->pop->dim, m, f);
}

int rx_population_loss_create(rx_population_loss **out, const rx_population *pop, size_t cap,
                              rx_error *err) {
  *out = NULL;
  rx_population_loss *l = calloc(1, sizeof *l);
  if (!l) return rx_fail(err, RX_ENOMEM, "out of memory for the population-code loss");
  l->pop = pop;
  l->cap = cap;
  l->stride = ((size_t)pop->n + 15) / 16 * 16;
  /* a target row per thread of the team that will call rows() (at most the larger of these) */
  const int procs = omp_get_num_procs(), threads = omp_get_max_threads();
  l->n_scratch = procs > threads ? procs : threads;
  int rc = rxtk_rows_init(&l->rw, pop, err);
  if (rc) {
    free(l);
    return rc;
  }
  l->part = malloc((2 * ((cap + ROWS - 1) / ROWS) + 1) * sizeof(double));
  l->scratch = malloc((size_t)l->n_scratch * l->stride * sizeof(float));
  if (!l->part || !l->scratch) {
    rx_population_loss_free(l);
    return rx_fail(err, RX_ENOMEM, "out of memory for the loss of %zu rows of %d cells", cap,
                   pop->n);
  }
  l->fn.rows = fn_rows;
  l->fn.ctx = l;
  /* a low-rank form is worth it when it has at most a quarter as many features as cells */
  const int n_feat = rxtk_low_rank(pop, pop->n / 4, NULL);
  if (n_feat > 0) {
    l->z = malloc((size_t)n_feat * pop->n * sizeof(float));
    if (!l->z) {
      rx_population_loss_free(l);
      return rx_fail(err, RX_ENOMEM,
                     "out of memory for the low-rank form of the code (%d features x %d cells)",
                     n_feat, pop->n);
    }
    rxtk_low_rank(pop, pop->n / 4, l->z);
    l->fn.low_rank.n_feat = n_feat;
    l->fn.low_rank.z = l->z;
    l->fn.low_rank.features = fn_features;
  }
  *out = l;
  return RX_OK;
}

void rx_population_loss_free(rx_population_loss *l) {
  if (!l) return;
  free(l->part);
  free(l->scratch);
  free(l->z);
  rxtk_rows_free(&l->rw);
  free(l);
}

int rx_population_loss_start(rx_population_loss *l, const float *pos, size_t m, int want_error,
                             rx_error *err) {
  if (m > l->cap)
    return rx_fail(err, RX_EINVAL, "population-code loss: %zu rows, made for at most %zu", m,
                   l->cap);
  l->pos = pos;
  l->m = m;
  l->want_error = want_error;
  l->n_chunks = (m + ROWS - 1) / ROWS;
  l->scale = m ? 2.0f / (float)(m * (size_t)l->pop->n) : 0.0f;
  l->fn.low_rank.scale = 0.5f * l->scale; /* the loss is the mean: dL/dy = scale (y - t) */
  return RX_OK;
}

/* Rows [r0, r1) with their target rows encoded into tgt (stride floats). */
static void tally_rows(rx_population_loss *l, size_t r0, size_t r1, const float *y, float *dy,
                       float *tgt) {
  const rx_population *pop = l->pop;
  const int n = pop->n, dim = pop->dim;
  for (size_t c = r0 / ROWS; c * ROWS < r1; c++) {
    double acc[LANES] = {0}, e = 0;
    const size_t c1 = (c + 1) * ROWS < r1 ? (c + 1) * ROWS : r1;
    for (size_t r = c * ROWS; r < c1; r++) {
      const float *yr = y + (r - r0) * (size_t)n;
      const float *pr = l->pos + r * (size_t)dim;
      if (l->want_error) {
        float dec[2];
        rxtk_decode_row(&l->rw, yr, dec);
        e += row_error(pop, dec, pr);
      }
      rxtk_encode_row(&l->rw, pr, tgt);
      row_loss(yr, tgt, n, dy ? dy + (r - r0) * (size_t)n : NULL, l->scale, acc);
    }
    for (int w = LANES / 2; w > 0; w /= 2) /* pairwise, in a fixed order */
      for (int k = 0; k < w; k++)
        acc[k] += acc[k + w];
    l->part[c] = acc[0];
    l->part[l->n_chunks + c] = e;
  }
}

void rx_population_loss_rows(rx_population_loss *l, size_t r0, size_t r1, const float *y,
                             float *dy) {
  const int th = omp_get_thread_num();
  if (th < l->n_scratch) {
    tally_rows(l, r0, r1, y, dy, l->scratch + (size_t)th * l->stride);
    return;
  }
  /* a thread beyond what create sized for (threads raised since): a row buffer of its own */
  float *tgt = malloc(l->stride * sizeof(float));
  if (tgt) {
    tally_rows(l, r0, r1, y, dy, tgt);
  } else {
    for (size_t c = r0 / ROWS; c * ROWS < r1; c++)
      l->part[c] = l->part[l->n_chunks + c] = NAN; /* the loss says something went wrong */
  }
  free(tgt);
}

const rx_row_loss *rx_population_loss_fn(const rx_population_loss *l) { return &l->fn; }

void rx_population_loss_total(const rx_population_loss *l, double *loss, double *error) {
  double total = 0, total_e = 0;
  for (size_t c = 0; c < l->n_chunks; c++) {
    total += l->part[c];
    total_e += l->part[l->n_chunks + c];
  }
  *loss = l->m ? total / ((double)l->m * l->pop->n) : 0.0;
  if (error) *error = l->m && l->want_error ? total_e / ((double)l->m * l->pop->dim) : NAN;
}

int rx_population_mse(const rx_population *pop, const float *y, const float *pos, size_t m,
                      float *dy, double *loss, double *error, rx_error *err) {
  *loss = 0.0;
  if (error) *error = NAN;
  if (m == 0) return RX_OK;
  const int n = pop->n;
  rx_population_loss *l;
  int rc = rx_population_loss_create(&l, pop, m, err);
  if (rc) return rc;
  rx_population_loss_start(l, pos, m, error != NULL, NULL); /* m = cap: cannot fail */
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < l->n_chunks; c++) {
    const size_t r0 = c * ROWS, r1 = r0 + ROWS < m ? r0 + ROWS : m;
    rx_population_loss_rows(l, r0, r1, y + r0 * (size_t)n, dy ? dy + r0 * (size_t)n : NULL);
  }
  rx_population_loss_total(l, loss, error);
  rx_population_loss_free(l);
  return RX_OK;
}
