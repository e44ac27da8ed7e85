/* Head-direction cells (docs/science.md §2.2): peak-1 von Mises tuning curves and the circular
 * top-k decoder. Float loops written for gcc's vectoriser; rows in parallel. Validation and the
 * preferred angles are population.c's. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "tasks/population_internal.h"
#include "tasks/tasks_internal.h"

/* Cells handled per table: the half-angle sines and cosines live on the stack. */
#define CHUNK 2048

static void hd_row(float *restrict out, const float *restrict ct, const float *restrict st, int len,
                   float sh, float ch, float two_kappa) {
#pragma omp simd
  for (int i = 0; i < len; i++) {
    float d = sh * ct[i] - ch * st[i];
    out[i] = rxtk_expf_floor(-two_kappa * d * d);
  }
#pragma omp simd
  for (int i = 0; i < len; i++)
    out[i] = rxtk_expf_neg(out[i]);
}

static float hd_two_kappa(const rx_population *pop) {
  return (float)(2.0 / (pop->spread * pop->spread));
}

void rxtk_hd_tables(const rx_population *pop, int i0, int len, float *ct, float *st, double *cx,
                    double *cy) {
  for (int i = 0; i < len; i++) {
    const double c = pop->centers[i0 + i];
    if (ct) {
      ct[i] = (float)cos(0.5 * c);
      st[i] = (float)sin(0.5 * c);
    }
    if (cx) {
      cx[i] = cos(c);
      cy[i] = sin(c);
    }
  }
}

void rxtk_hd_encode_row(const rx_population *pop, const float *ct, const float *st, float pos,
                        float *code) {
  const float sh = (float)sin(0.5 * pos), ch = (float)cos(0.5 * pos);
  hd_row(code, ct, st, pop->n, sh, ch, hd_two_kappa(pop));
}

/* exp(kappa (cos(s - theta) - 1)) = exp(-2 kappa sin^2((s - theta) / 2)), and
 * sin((s - theta) / 2) = sin(s/2) cos(theta/2) - cos(s/2) sin(theta/2): no cos per cell, and no
 * cancellation near the peak, which is exactly 1 at the preferred angle.
 * pos: (m, 1) headings; code: (m, n). */
void rxtk_hd_encode(const rx_population *pop, const float *pos, size_t m, float *code) {
  const int n = pop->n;
  const float two_kappa = hd_two_kappa(pop);
  float ct[CHUNK], st[CHUNK];
  for (int i0 = 0; i0 < n; i0 += CHUNK) {
    const int len = n - i0 < CHUNK ? n - i0 : CHUNK;
    rxtk_hd_tables(pop, i0, len, ct, st, NULL, NULL);
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < m; r++) {
      const float sh = (float)sin(0.5 * pos[r]), ch = (float)cos(0.5 * pos[r]);
      hd_row(code + r * (size_t)n + i0, ct, st, len, sh, ch, two_kappa);
    }
  }
}

float rxtk_hd_decode_row(const rx_population *pop, const double *cx, const double *cy,
                         const float *code) {
  const int k = pop->k;
  int idx[RXTK_MAX_K];
  rxtk_topk(code, pop->n, k, idx);
  double sx = 0, sy = 0;
  for (int j = 0; j < k; j++) {
    sx += cx ? cx[idx[j]] : cos(pop->centers[idx[j]]);
    sy += cy ? cy[idx[j]] : sin(pop->centers[idx[j]]);
  }
  return rxtk_wrap_anglef(atan2(sy, sx));
}

/* code: (m, n); pos: (m, 1) = circular mean of the k most active cells' angles, in [-pi, pi).
 * The cells' cosines and sines are tabulated once per call (the same libm values the rows would
 * compute) when they fit in the stack table. */
void rxtk_hd_decode(const rx_population *pop, const float *code, size_t m, float *pos) {
  const int n = pop->n, tab = n <= CHUNK;
  double cx[CHUNK], cy[CHUNK];
  if (tab) rxtk_hd_tables(pop, 0, n, NULL, NULL, cx, cy);
#pragma omp parallel for schedule(static)
  for (size_t r = 0; r < m; r++)
    pos[r] = rxtk_hd_decode_row(pop, tab ? cx : NULL, tab ? cy : NULL, code + r * (size_t)n);
}

/* ---------------------------------------------------------------- low-rank form */

/* I_m(x) / e^x for m = 0 .. mmax (modified Bessel functions of the first kind, scaled), from
 * their power series, summed in double until the terms stop mattering. x <= 64. */
static void bessel_i_scaled(double x, int mmax, double *out) {
  const double h = 0.5 * x;
  for (int m = 0; m <= mmax; m++) {
    /* term_k = h^(2k + m) / (k! (k + m)!), started in logs to stay finite */
    double term = exp(m * log(h > 0 ? h : 1e-300) - lgamma(m + 1.0) - x), sum = 0;
    for (int k = 0; k < 1000; k++) {
      sum += term;
      term *= h * h / ((k + 1.0) * (k + 1.0 + m));
      if (term < 1e-17 * sum && k > h) break;
    }
    out[m] = sum;
  }
}

int rxtk_hd_low_rank(const rx_population *pop, int max_feat, float *z) {
  const double kappa = 1.0 / (pop->spread * pop->spread);
  if (max_feat < 3 || !(kappa > 0) || kappa > 64) return 0;
  /* Beyond m ~ kappa the I_m fall faster than geometrically: a table to 2 kappa + 40 holds
   * every harmonic that can matter, and its last entry bounds the rest. */
  const int mtab = (int)(2.0 * kappa) + 40;
  double *ib = malloc((size_t)(mtab + 2) * sizeof(double));
  if (!ib) return 0;
  bessel_i_scaled(kappa, mtab + 1, ib);
  /* Dropping the harmonics beyond M changes the code by at most 2 e^-kappa sum_{m>M} I_m
   * (all |cos| <= 1): the smallest M that keeps this below 1e-9. */
  int M = mtab;
  double tail = 2.0 * ib[mtab + 1];
  /* ib[0 .. mtab + 1] are all set: mtab is 40 to 168 since kappa is in (0, 64], a range the
   * analyzer does not carry through the (int) conversion (the two NOLINTs here and below). */
  // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): ib[M] is set, see above
  while (M > 1 && tail + 2.0 * ib[M] < 1e-9)
    tail += 2.0 * ib[M--];
  if (!(tail < 1e-9) || 2 * M + 1 > max_feat) {
    free(ib);
    return 0; /* tuning too narrow for max_feat features */
  }
  const int n = pop->n, nf = 2 * M + 1;
  if (z) {
    for (int i = 0; i < n; i++) {
      const double c = pop->centers[i];
      z[i] = (float)ib[0]; // NOLINT(clang-analyzer-core.uninitialized.Assign): set, see above
      for (int m = 1; m <= M; m++) {
        z[(size_t)(2 * m - 1) * n + i] = (float)(2.0 * ib[m] * cos(m * c));
        z[(size_t)(2 * m) * n + i] = (float)(2.0 * ib[m] * sin(m * c));
      }
    }
  }
  free(ib);
  return nf;
}

void rxtk_hd_low_rank_features(int n_feat, const float *pos, size_t m, float *f) {
  const int M = (n_feat - 1) / 2;
  for (size_t r = 0; r < m; r++) {
    const double c1 = cos((double)pos[r]), s1 = sin((double)pos[r]);
    float *fr = f + r * (size_t)n_feat;
    double c = 1.0, s = 0.0;
    fr[0] = 1.0f;
    for (int k = 1; k <= M; k++) { /* cos, sin of k s by angle addition */
      const double cn = c * c1 - s * s1, sn = s * c1 + c * s1;
      c = cn, s = sn;
      fr[2 * (size_t)k - 1] = (float)c;
      fr[2 * (size_t)k] = (float)s;
    }
  }
}
