/* Population codes (docs/science.md §2): validation, creation (place-cell centres from the seed,
 * uniform in the arena; evenly spaced preferred angles), the identity code, dispatch to
 * place_cells.c / hd_cells.c, and the decoding error (wrapped on the circle for headings). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/population.h"
#include "reactivate/rng.h"
#include "tasks/population_internal.h"
#include "tasks/tasks_internal.h"

/* Key names as in docs/science.md §10; !(x > 0) so that NaN fails. */
static int validate(const rx_population_spec *s, rx_error *err) {
  if (!s) return rx_fail(err, RX_EINVAL, "population spec is NULL");
  if (s->kind != RX_TASK_SPATIAL && s->kind != RX_TASK_HEAD_DIRECTION)
    return rx_fail(err, RX_EINVAL,
                   "task kind must be spatial_navigation or head_direction (got %d)", (int)s->kind);
  if (s->identity) return 0;
  const int place = s->kind == RX_TASK_SPATIAL;
  const char *num = place ? "task.place_cells_num" : "task.hd_cells_num";
  if (s->n <= 0) return rx_fail(err, RX_EINVAL, "%s must be > 0 (got %d)", num, s->n);
  if (s->k < 1 || s->k > s->n || s->k > RXTK_MAX_K)
    return rx_fail(err, RX_EINVAL, "task.decode_k must be in [1, min(%s = %d, %d)] (got %d)", num,
                   s->n, RXTK_MAX_K, s->k);
  if (place) {
    if (!(s->sigma > 0) || !isfinite(s->sigma))
      return rx_fail(err, RX_EINVAL, "task.place_cells_sigma must be > 0 (got %g)", s->sigma);
    if (s->dog && (!(s->surround_scale > 1) || !isfinite(s->surround_scale)))
      return rx_fail(err, RX_EINVAL, "task.place_cells_surround_scale must be > 1 (got %g)",
                     s->surround_scale);
  } else if (!(s->spread > 0) || !isfinite(s->spread)) {
    return rx_fail(err, RX_EINVAL, "task.hd_cells_angular_spread must be > 0 (got %g)", s->spread);
  }
  return 0;
}

/* Copies the spec into a new code with room for the centres (none for the identity code). */
static int make(rx_population **out, const rx_population_spec *s, rx_error *err) {
  *out = NULL;
  rx_population *p = calloc(1, sizeof *p);
  if (!p) return rx_fail(err, RX_ENOMEM, "cannot allocate a population code");
  p->kind = s->kind;
  p->dim = rx_task_dim(s->kind);
  p->identity = s->identity ? 1 : 0;
  if (p->identity) {
    p->n = 2; /* (x, y) or (cos h, sin h) */
    p->k = 1;
  } else {
    p->n = s->n;
    p->k = s->k;
    p->sigma = s->sigma;
    p->dog = s->dog ? 1 : 0;
    p->surround_scale = s->surround_scale;
    p->spread = s->spread;
    p->centers = malloc((size_t)p->n * (size_t)p->dim * sizeof(float));
    if (!p->centers) {
      free(p);
      return rx_fail(err, RX_ENOMEM, "cannot allocate %d population centres", s->n);
    }
  }
  *out = p;
  return 0;
}

int rx_population_create(rx_population **out, const rx_population_spec *spec, uint32_t seed,
                         rx_error *err) {
  if (!out) return rx_fail(err, RX_EINVAL, "population output pointer is NULL");
  *out = NULL;
  int rc = validate(spec, err);
  if (rc) return rc;
  const int place = spec->kind == RX_TASK_SPATIAL && !spec->identity;
  rx_arena arena;
  if (place &&
      (rc = rx_arena_init(&arena, &spec->arena, spec->box_width, spec->box_height, 0, err)))
    return rc;
  rx_population *p;
  if ((rc = make(&p, spec, err))) return rc;
  if (place) { /* uniform in the arena; in the box, x then y as (u - 1/2) W, (u - 1/2) H */
    rx_rng r;
    rx_rng_init(&r, seed, RX_STREAM_POPCODE, 0, 0, 0);
    for (int i = 0; i < p->n; i++) {
      double x, y;
      rx_arena_sample(&arena, &r, &x, &y);
      p->centers[2 * (size_t)i] = (float)x;
      p->centers[2 * (size_t)i + 1] = (float)y;
    }
  } else if (!p->identity) { /* linspace(-pi, pi, n): both ends present */
    for (int i = 0; i < p->n; i++)
      p->centers[i] = p->n == 1 ? (float)-M_PI : (float)(-M_PI + 2.0 * M_PI * i / (p->n - 1));
  }
  *out = p;
  return 0;
}

int rx_population_create_with_centers(rx_population **out, const rx_population_spec *spec,
                                      const float *centers, rx_error *err) {
  if (!out) return rx_fail(err, RX_EINVAL, "population output pointer is NULL");
  *out = NULL;
  int rc = validate(spec, err);
  if (rc) return rc;
  if (spec->identity) return make(out, spec, err); /* the identity code has no centres */
  if (!centers) return rx_fail(err, RX_EINVAL, "population centres are NULL");
  const size_t count = (size_t)spec->n * (size_t)rx_task_dim(spec->kind);
  for (size_t i = 0; i < count; i++)
    if (!isfinite(centers[i]))
      return rx_fail(err, RX_ENUMERIC, "population centre value %zu is not finite (%g)", i,
                     (double)centers[i]);
  rx_population *p;
  if ((rc = make(&p, spec, err))) return rc;
  memcpy(p->centers, centers, count * sizeof(float));
  *out = p;
  return 0;
}

void rx_population_free(rx_population *pop) {
  if (!pop) return;
  free(pop->centers);
  free(pop);
}

/* Identity code: the position itself, or (cos h, sin h). pos: dim floats; code: 2 floats. */
static void identity_encode_row(const rx_population *pop, const float *pos, float *code) {
  if (pop->kind == RX_TASK_SPATIAL) {
    code[0] = pos[0];
    code[1] = pos[1];
  } else {
    code[0] = (float)cos(pos[0]);
    code[1] = (float)sin(pos[0]);
  }
}

static void identity_decode_row(const rx_population *pop, const float *code, float *pos) {
  if (pop->kind == RX_TASK_SPATIAL) {
    pos[0] = code[0];
    pos[1] = code[1];
  } else {
    pos[0] = rxtk_wrap_anglef(atan2(code[1], code[0]));
  }
}

void rx_population_encode(const rx_population *pop, const float *pos, size_t m, float *code) {
  if (pop->identity) {
    for (size_t r = 0; r < m; r++)
      identity_encode_row(pop, pos + r * pop->dim, code + 2 * r);
  } else if (pop->kind == RX_TASK_SPATIAL) {
    rxtk_place_encode(pop, pos, m, code);
  } else {
    rxtk_hd_encode(pop, pos, m, code);
  }
}

void rx_population_decode(const rx_population *pop, const float *code, size_t m, float *pos) {
  if (pop->identity) {
    for (size_t r = 0; r < m; r++)
      identity_decode_row(pop, code + 2 * r, pos + r * pop->dim);
  } else if (pop->kind == RX_TASK_SPATIAL) {
    rxtk_place_decode(pop, code, m, pos);
  } else {
    rxtk_hd_decode(pop, code, m, pos);
  }
}

int rxtk_low_rank(const rx_population *pop, int max_feat, float *z) {
  if (pop->identity || pop->kind != RX_TASK_HEAD_DIRECTION) return 0;
  return rxtk_hd_low_rank(pop, max_feat, z);
}

void rxtk_low_rank_features(const rx_population *pop, int n_feat, const float *pos, size_t m,
                            float *f) {
  (void)pop; /* head direction only, for now */
  rxtk_hd_low_rank_features(n_feat, pos, m, f);
}

int rxtk_rows_init(rxtk_rows *rw, const rx_population *pop, rx_error *err) {
  *rw = (rxtk_rows){.pop = pop};
  if (pop->identity || pop->kind == RX_TASK_SPATIAL) return RX_OK;
  const size_t n = (size_t)pop->n;
  rw->ct = malloc(n * sizeof(float));
  rw->st = malloc(n * sizeof(float));
  rw->cx = malloc(n * sizeof(double));
  rw->cy = malloc(n * sizeof(double));
  if (!rw->ct || !rw->st || !rw->cx || !rw->cy) {
    rxtk_rows_free(rw);
    return rx_fail(err, RX_ENOMEM, "out of memory for the tables of %zu head-direction cells", n);
  }
  rxtk_hd_tables(pop, 0, pop->n, rw->ct, rw->st, rw->cx, rw->cy);
  return RX_OK;
}

void rxtk_rows_free(rxtk_rows *rw) {
  free(rw->ct);
  free(rw->st);
  free(rw->cx);
  free(rw->cy);
  *rw = (rxtk_rows){0};
}

void rxtk_encode_row(const rxtk_rows *rw, const float *pos, float *code) {
  if (rw->pop->identity)
    identity_encode_row(rw->pop, pos, code);
  else if (rw->pop->kind == RX_TASK_SPATIAL)
    rxtk_place_encode_row(rw->pop, pos, code);
  else
    rxtk_hd_encode_row(rw->pop, rw->ct, rw->st, pos[0], code);
}

void rxtk_decode_row(const rxtk_rows *rw, const float *code, float *pos) {
  if (rw->pop->identity)
    identity_decode_row(rw->pop, code, pos);
  else if (rw->pop->kind == RX_TASK_SPATIAL)
    rxtk_place_decode_row(rw->pop, code, pos);
  else
    pos[0] = rxtk_hd_decode_row(rw->pop, rw->cx, rw->cy, code);
}

/* Mean squared error over m * dim elements (NaN for m = 0: an empty mean is undefined). */
double rx_population_error(const rx_population *pop, const float *decoded, const float *truth,
                           size_t m) {
  if (m == 0) return NAN;
  double s = 0;
  if (pop->kind == RX_TASK_SPATIAL) {
    for (size_t i = 0; i < 2 * m; i++) {
      double d = (double)decoded[i] - (double)truth[i];
      s += d * d;
    }
    return s / (double)(2 * m);
  }
  for (size_t i = 0; i < m; i++) {
    double d = rx_wrap_angle((double)decoded[i] - (double)truth[i]);
    s += d * d;
  }
  return s / (double)m;
}
