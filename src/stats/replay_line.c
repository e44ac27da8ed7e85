/* The 1-D line score of replay events (Davidson et al. 2009; docs/replay.md §4, replay.h) and its
 * two shuffle nulls, exact, for a batch of events in parallel. The posterior is
 * replay_posterior.c's, the 2-D score replay_path.c's.
 *
 * How it is fast and exact. Each step's band sums S_t(c) (the posterior mass within +-band of
 * bin c) are computed once per event and rounded once to integers q32 (units of 2^-q); a line's
 * score is then a sum of T integers, exact in any order, so lines are summed many values of b0
 * at a time (one vector add per step for 8 or 16 lines) with the b0 lanes held in registers.
 * The nulls reuse the same integers: a time shuffle is a permutation of the rows (a row index per
 * step), and on the ring a column-cycle shuffle rotates S_t exactly as it rotates P_t (the band
 * sums are summed in the same order at every bin), so it is a shift of each step's column
 * offsets. Only the column shuffle on a line, whose band sums change at the seam and the track's
 * ends, recomputes them from the rotated posterior.
 * A shuffle is first screened in 16 bits: q16 = q32 >> sh, so a line's q32 sum lies in
 * [2^sh Q, 2^sh Q + T (2^sh - 1)] for its q16 sum Q, and 16-bit sums take half the loads. The
 * screen gives each speed's best Q; only the speeds whose upper bound reaches the best lower bound
 * (for a null's value) or R (for the p-value's count) are summed again in 32 bits, so results are
 * the exact ones. When the caller does not want the null scores themselves, a shuffle stops as
 * soon as a lower bound reaches R, or is settled below R by the upper bounds.
 * Rows are padded so that every lane of every line reads valid memory: on the ring with a
 * periodic copy of the row (the lines past bins - 1 repeat those from 0), on a line with zeros
 * (lines off the track collect 0). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/replay.h"
#include "reactivate/rng.h"
#include "stats/stats_internal.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

enum {
  LANES = 8,     /* int32 lines per vector */
  LANES16 = 16,  /* uint16 lines per vector */
  MAX_VECS = 12, /* vectors of accumulators held in registers per pass */
  ROW_PAD = 16,  /* a padded row's slack for the lanes past a speed's last b0 */
  MAX_STEPS = 65536,
  MAX_SPEEDS = 100001,
  MAX_SHUFFLES = 1000000,
  MAX_ROW_CELLS = 1 << 24, /* steps x padded row: the integer matrix a thread holds */
  MIN_SCALE16 = 64,        /* screen in 16 bits when a step's mass gets at least 64 units there */
  GROUP = 8                /* speeds per group of the ring's screen */
};

typedef int32_t v8i __attribute__((vector_size(LANES * sizeof(int32_t))));
typedef uint16_t v16u __attribute__((vector_size(LANES16 * sizeof(uint16_t))));

rx_line_score_opts rx_line_score_opts_default(void) {
  rx_line_score_opts o;
  memset(&o, 0, sizeof o);
  o.n_speeds = 121;
  o.v_max = 4.0;
  o.band = 2;
  o.circular = 0;
  o.n_shuffles = 200;
  o.alpha = 0.05;
  o.seed = 0;
  o.stream = RX_STREAM_REPLAY;
  return o;
}

/* What every event of a batch shares: the line set and the padded layout. */
typedef struct plan {
  int T, B, K, w, circular, n_shuffles;
  int L;         /* padded row length */
  int padl;      /* line: the column of bin 0 in a padded row; ring: 0 */
  int stride;    /* row length of the table of all line sums: max cnt rounded up to LANES */
  double scale;  /* band sums are rounded to multiples of 1 / scale (a power of 2) */
  double unit;   /* R = (a line's integer sum) unit, unit = 1 / (scale T) */
  int sh;        /* q16 = q32 >> sh; -1: no 16-bit screen (long events) */
  int32_t slack; /* T (2^sh - 1): how far a line's q32 sum may exceed 2^sh times its q16 sum */
  double *v;     /* (K,) speeds, bins per step */
  int *order;    /* (K,) scan order: slower |v| first, then negative v */
  int *lo, *cnt; /* (K,) a speed's first b0 and its number of b0 */
  int *col;      /* (K, T) column read at step t by the line of lane 0: ring round(v t) mod B,
                    line padl + lo_k + round(v t) */
  /* ring, 16-bit screen: speeds screened in groups first (null_search). Group g holds speeds
   * g G .. g G + G - 1; at step t its lines read columns b0 + [lo_g(t), lo_g(t) + W_g(t)] */
  int G, n_groups, n_widths; /* n_widths = the largest W_g(t) + 1 */
  int *gcol;                 /* (n_groups, T) lo_g(t) mod B */
  int *gw;                   /* (n_groups, T) W_g(t) */
} plan;

static void plan_free(plan *pl) {
  free(pl->v);
  free(pl->order);
  free(pl->lo);
  free(pl->cnt);
  free(pl->col);
  free(pl->gcol);
  free(pl->gw);
}

/* The speed groups of the ring's screen (plan.G ...): GROUP consecutive speeds, each group's
 * column range per step from its speeds' rounded offsets (col holds them mod B). */
static int plan_groups(plan *pl, rx_error *err) {
  const int T = pl->T, B = pl->B, K = pl->K;
  pl->G = GROUP < K ? GROUP : K;
  pl->n_groups = (K + pl->G - 1) / pl->G;
  pl->gcol = malloc((size_t)pl->n_groups * T * sizeof *pl->gcol);
  pl->gw = malloc((size_t)pl->n_groups * T * sizeof *pl->gw);
  if (!pl->gcol || !pl->gw) {
    plan_free(pl);
    return rx_fail(err, RX_ENOMEM, "line score: out of memory for %d speed groups", K);
  }
  pl->n_widths = 1;
  for (int g = 0; g < pl->n_groups; g++) {
    const int k0 = g * pl->G, k1 = k0 + pl->G < K ? k0 + pl->G : K;
    for (int t = 0; t < T; t++) {
      int lo = INT32_MAX, hi = INT32_MIN;
      for (int k = k0; k < k1; k++) { /* the unwrapped offset round(v t), as plan_make took it */
        const double x = pl->v[k] * t, r = floor(fabs(x) + 0.5);
        const int off = (int)(x < 0 ? -r : r);
        lo = off < lo ? off : lo;
        hi = off > hi ? off : hi;
      }
      /* a window wider than the ring covers all of it: W = B - 1 is the same bound */
      const int W = hi - lo < B - 1 ? hi - lo : B - 1;
      pl->gcol[(size_t)g * T + t] = ((lo % B) + B) % B;
      pl->gw[(size_t)g * T + t] = W;
      pl->n_widths = W + 1 > pl->n_widths ? W + 1 : pl->n_widths;
    }
  }
  return RX_OK;
}

static int plan_make(plan *pl, int T, int B, const rx_line_score_opts *o, rx_error *err) {
  memset(pl, 0, sizeof *pl);
  const int K = o->n_speeds, w = o->band;
  pl->T = T;
  pl->B = B;
  pl->K = K;
  pl->w = w;
  pl->circular = o->circular;
  pl->n_shuffles = o->n_shuffles;
  int e = 0; /* ceil(log2 T) */
  while ((1 << e) < T)
    e++;
  pl->scale = ldexp(1.0, 30 - e); /* T sums of at most scale each stay below 2^31 */
  pl->unit = 1.0 / (pl->scale * T);
  /* the 16-bit screen: the smallest shift that keeps T sums of scale >> sh within 65535 */
  pl->sh = 0;
  while ((double)T * ldexp(1.0, 30 - e - pl->sh) > 65535.0)
    pl->sh++;
  if (ldexp(1.0, 30 - e - pl->sh) < MIN_SCALE16) pl->sh = -1;
  pl->slack = pl->sh < 0 ? 0 : T * ((1 << pl->sh) - 1);
  pl->v = malloc((size_t)K * sizeof *pl->v);
  pl->order = malloc((size_t)K * sizeof *pl->order);
  pl->lo = malloc((size_t)K * sizeof *pl->lo);
  pl->cnt = malloc((size_t)K * sizeof *pl->cnt);
  pl->col = malloc((size_t)K * T * sizeof *pl->col);
  if (!pl->v || !pl->order || !pl->lo || !pl->cnt || !pl->col) {
    plan_free(pl);
    return rx_fail(err, RX_ENOMEM, "line score: out of memory for %d speeds x %d steps", K, T);
  }
  /* speeds and their rounded offsets; M = the largest |offset| */
  long M = 0;
  for (int k = 0; k < K; k++) {
    pl->v[k] = K == 1 ? 0.0 : o->v_max * (double)(2 * k - (K - 1)) / (double)(K - 1);
    int mn = 0, mx = 0;
    for (int t = 0; t < T; t++) {
      const double x = pl->v[k] * t, r = floor(fabs(x) + 0.5);
      const int off = (int)(x < 0 ? -r : r);
      pl->col[(size_t)k * T + t] = off;
      mn = off < mn ? off : mn;
      mx = off > mx ? off : mx;
    }
    M = mx > M ? mx : M;
    M = -mn > M ? -mn : M;
    if (o->circular) {
      pl->lo[k] = 0;
      pl->cnt[k] = B;
    } else { /* every b0 whose band meets [0, B) at some step */
      pl->lo[k] = -w - mx;
      pl->cnt[k] = B + 2 * w + mx - mn;
    }
  }
  pl->padl = o->circular ? 0 : (int)(w + M);
  const long L = o->circular ? 2L * B + ROW_PAD : B + 2 * (w + M) + ROW_PAD;
  if (L * T > MAX_ROW_CELLS) {
    plan_free(pl);
    return rx_fail(err, RX_EINVAL,
                   "line score: %d steps x %ld padded bins (v_max %g) exceeds %d cells per event",
                   T, L, o->v_max, MAX_ROW_CELLS);
  }
  pl->L = (int)L;
  int cmax = 0;
  for (int k = 0; k < K; k++) {
    cmax = pl->cnt[k] > cmax ? pl->cnt[k] : cmax;
    for (int t = 0; t < T; t++) {
      int *c = pl->col + (size_t)k * T + t;
      *c = o->circular ? ((*c % B) + B) % B : pl->padl + pl->lo[k] + *c;
    }
  }
  pl->stride = (cmax + LANES - 1) / LANES * LANES;
  /* scan order: key |2k - (K - 1)| ascending, the lower k (negative v) first */
  int n = 0;
  for (int key = (K - 1) % 2; key <= K - 1; key += 2) {
    const int kl = (K - 1 - key) / 2, kh = (K - 1 + key) / 2;
    pl->order[n++] = kl;
    if (kh != kl) pl->order[n++] = kh;
  }
  return o->circular && pl->sh >= 0 ? plan_groups(pl, err) : RX_OK;
}

/* A thread's buffers. */
typedef struct work {
  double *p;      /* (T, B) the event's rows, normalised */
  int32_t *q;     /* (T, L) padded integer band sums */
  int32_t *qc;    /* (T, L) the same for a column-shuffled event (line) */
  uint16_t *q16;  /* (T, L) q >> sh */
  uint16_t *qc16; /* (T, L) qc >> sh */
  int32_t *sums;  /* (K, stride) every line's sum, for the observed event */
  v16u *kvec;     /* (K,) each speed's lane-wise best 16-bit sums */
  int *idx;       /* (K, T) each speed's row-and-column start per step */
  int *perm;      /* (T,) time shuffle */
  int *rowbase;   /* (T,) t L: the rows in order */
  int *rowperm;   /* (T,) perm[t] L */
  int32_t *rmax;  /* (T,) each row's largest value in q16 */
  int32_t *rmaxc; /* (T,) the same for the rows of a shuffled event, in its step order */
  int *shift;     /* (T,) column shuffle */
  uint16_t *mf; /* ring: (T, n_widths, L) q16 rows max-filtered, mf_W(c) = max_(0..W) q16(c + d) */
  int *gidx;    /* (T,) a group's start per step in mf */
  signed char *gstate; /* (n_groups,) 0 not screened, 1 kept, -1 dropped */
} work;

static void work_free(work *wk) {
  free(wk->p);
  free(wk->q);
  free(wk->qc);
  free(wk->q16);
  free(wk->qc16);
  free(wk->sums);
  free(wk->kvec);
  free(wk->rowbase);
  free(wk->rowperm);
  free(wk->rmax);
  free(wk->rmaxc);
  free(wk->idx);
  free(wk->perm);
  free(wk->shift);
  free(wk->mf);
  free(wk->gidx);
  free(wk->gstate);
}

static int work_alloc(work *wk, const plan *pl) {
  const size_t T = (size_t)pl->T, cells = T * (size_t)pl->L;
  memset(wk, 0, sizeof *wk);
  wk->p = malloc(T * pl->B * sizeof *wk->p);
  wk->q = calloc(cells, sizeof *wk->q); /* a line's pads stay 0 */
  wk->qc = calloc(cells, sizeof *wk->qc);
  wk->q16 = calloc(cells, sizeof *wk->q16);
  wk->qc16 = calloc(cells, sizeof *wk->qc16);
  wk->sums = malloc((size_t)pl->K * pl->stride * sizeof *wk->sums);
  wk->kvec = aligned_alloc(sizeof(v16u), (size_t)pl->K * sizeof *wk->kvec);
  wk->rowbase = malloc(T * sizeof *wk->rowbase);
  wk->rowperm = malloc(T * sizeof *wk->rowperm);
  wk->rmax = malloc(T * sizeof *wk->rmax);
  wk->rmaxc = malloc(T * sizeof *wk->rmaxc);
  wk->idx = malloc((size_t)pl->K * T * sizeof *wk->idx);
  wk->perm = malloc(T * sizeof *wk->perm);
  wk->shift = malloc(T * sizeof *wk->shift);
  const int groups = pl->n_groups > 0;
  if (groups) {
    wk->mf = malloc(cells * pl->n_widths * sizeof *wk->mf);
    wk->gidx = malloc(T * sizeof *wk->gidx);
    wk->gstate = malloc((size_t)pl->n_groups * sizeof *wk->gstate);
  }
  if (wk->p && wk->q && wk->qc && wk->q16 && wk->qc16 && wk->sums && wk->kvec && wk->idx &&
      wk->perm && wk->rowbase && wk->rowperm && wk->rmax && wk->rmaxc && wk->shift &&
      (!groups || (wk->mf && wk->gidx && wk->gstate)))
    return 0;
  work_free(wk);
  return -1;
}

static int32_t quantise(double s, double scale) {
  s = s < 0 ? 0 : s > 1 ? 1 : s;
  return (int32_t)(s * scale + 0.5);
}

/* Padded integer band sums of one normalised row p (B,) into qrow (L,), and their 16-bit
 * screen into q16row. Ring: S(c) for c in [0, B), each summed d = -w .. w in order, then
 * repeated periodically; line: S(c) for c in [-w, B - 1 + w] at padl + c, bins outside the
 * track contributing 0 (the pads are left 0). Returns the row's largest 16-bit value. */
static int32_t band_row(const plan *pl, const double *p, int32_t *qrow, uint16_t *q16row) {
  const int B = pl->B, w = pl->w;
  int j0 = 0, j1 = pl->L; /* the columns written */
  if (pl->circular) {
    for (int c = 0; c < B; c++) {
      double s = 0;
      for (int d = -w; d <= w; d++) {
        int j = c + d;
        j = j < 0 ? j + B : j >= B ? j - B : j;
        s += p[j];
      }
      qrow[c] = quantise(s, pl->scale);
    }
    for (int j = B; j < pl->L; j++)
      qrow[j] = qrow[j - B];
  } else {
    for (int c = -w; c < B + w; c++) {
      double s = 0;
      const int a = c - w < 0 ? 0 : c - w, b = c + w >= B ? B - 1 : c + w;
      for (int j = a; j <= b; j++)
        s += p[j];
      qrow[pl->padl + c] = quantise(s, pl->scale);
    }
    j0 = pl->padl - w;
    j1 = pl->padl + B + w;
  }
  int32_t mx = 0;
  if (pl->sh >= 0)
    for (int j = j0; j < j1; j++) {
      q16row[j] = (uint16_t)(qrow[j] >> pl->sh);
      mx = q16row[j] > mx ? q16row[j] : mx;
    }
  return mx;
}

/* One band sum of a line's row p (B,) rotated by r, P'(c) = p((c - r) mod B), bins outside
 * [0, B) holding nothing; the same additions as band_row makes on the rotated row. */
static double rotated_band(const double *p, int B, int w, int r, int c) {
  double s = 0;
  const int a = c - w < 0 ? 0 : c - w, b = c + w >= B ? B - 1 : c + w;
  for (int i = a; i <= b; i++) {
    const int src = i - r;
    s += p[src < 0 ? src + B : src];
  }
  return s;
}

/* band_row of the row p (B,) of a line rotated by r, from p's own band sums (qrow, q16row):
 * where neither the band around c nor the one around its source (c - r) mod B meets an end of
 * the track, the sums are the same numbers added in the same order and are copied: c in
 * [w + r, B - w) from c - r, and c in [w, r - w) from c - r + B. The ~6 band others (near the
 * ends and the seam) are summed. Returns the largest 16-bit value. */
static int32_t band_row_rotated(const plan *pl, const double *p, int r, const int32_t *qrow,
                                const uint16_t *q16row, int32_t *qc, uint16_t *qc16) {
  const int B = pl->B, w = pl->w, o = pl->padl, sh = pl->sh;
  int32_t *dst = qc + o;
  uint16_t *dst16 = qc16 + o;
  const int32_t *src = qrow + o;
  const uint16_t *src16 = q16row + o;
  /* the ranges copied, in order: [w, wrap_end) from c - r + B, then [w + r, B - w) from c - r */
  const int wrap_end = r - w < B - w ? r - w : B - w, direct = w + r;
  int c = -w;
  for (int seg = 0; seg < 3; seg++) {
    int c0 = B + w, delta = 0; /* the next copied range [c0, c1), source c + delta */
    int c1 = c0;
    if (seg == 0 && wrap_end > w) {
      c0 = w;
      c1 = wrap_end;
      delta = B - r;
    } else if (seg == 1 && direct < B - w) {
      c0 = direct;
      c1 = B - w;
      delta = -r;
    } else if (seg < 2)
      continue;
    for (; c < c0; c++) { /* summed */
      dst[c] = quantise(rotated_band(p, B, w, r, c), pl->scale);
      if (sh >= 0) dst16[c] = (uint16_t)(dst[c] >> sh);
    }
    if (c1 > c0) {
      memcpy(dst + c0, src + c0 + delta, (size_t)(c1 - c0) * sizeof *dst);
      if (sh >= 0) memcpy(dst16 + c0, src16 + c0 + delta, (size_t)(c1 - c0) * sizeof *dst16);
      c = c1;
    }
  }
  int32_t mx = 0;
  if (sh >= 0)
    for (int j = -w; j < B + w; j++)
      mx = dst16[j] > mx ? dst16[j] : mx;
  return mx;
}

/* Lane-wise maxima (AVX2 has both as one instruction; the generic forms build them from masks). */
#if defined(__AVX2__)
#define RX_MAX32(a, b) ((v8i)_mm256_max_epi32((__m256i)(a), (__m256i)(b)))
#define RX_MAX16(a, b) ((v16u)_mm256_max_epu16((__m256i)(a), (__m256i)(b)))
#else
#define RX_MAX32(a, b) (((a) & ((a) > (b))) | ((b) & ~((a) > (b))))
#define RX_MAX16(a, b) (((a) & (v16u)((a) > (b))) | ((b) & ~(v16u)((a) > (b))))
#endif

/* Whether some lane of *v exceeds *cut. */
static inline int any_above16(const v16u *v, const v16u *cut) {
#if defined(__AVX2__)
  const __m256i d = _mm256_subs_epu16((__m256i)*v, (__m256i)*cut); /* v - cut, or 0 */
  return !_mm256_testz_si256(d, d);
#else
  const v16u gt = (v16u)(*v > *cut);
  uint64_t x[4];
  memcpy(x, &gt, sizeof x);
  return (x[0] | x[1] | x[2] | x[3]) != 0;
#endif
}

/* The sums over steps of nv vectors of lines starting at q + idx[t], either stored to out
 * (nv * LANES) or folded into *best by lane-wise max. nv is a constant at each call site (the
 * switch below), so the accumulators live in registers. */
static inline __attribute__((always_inline)) void pass32(const int32_t *q, const int *idx, int T,
                                                         int nv, v8i *best, int32_t *out) {
  v8i acc[MAX_VECS];
  for (int j = 0; j < nv; j++)
    acc[j] = (v8i){0};
  for (int t = 0; t < T; t++) {
    const int32_t *row = q + idx[t];
    for (int j = 0; j < nv; j++) {
      v8i x;
      memcpy(&x, row + (size_t)LANES * j, sizeof x);
      acc[j] += x;
    }
  }
  if (out) {
    for (int j = 0; j < nv; j++)
      memcpy(out + (size_t)LANES * j, &acc[j], sizeof acc[j]);
  } else {
    for (int j = 0; j < nv; j++)
      *best = RX_MAX32(acc[j], *best);
  }
}

/* The same in 16 bits (sums stay below 65536), folded into *best. With cut (not NULL), the
 * steps before tmid are summed first and the lines are dropped (returning 0, *best untouched)
 * when no lane's partial sum exceeds *cut: then none of them can reach what is needed. */
static inline __attribute__((always_inline)) int
pass16(const uint16_t *q, const int *idx, int T, int nv, int tmid, const v16u *cut, v16u *best) {
  v16u acc[MAX_VECS];
  for (int j = 0; j < nv; j++)
    acc[j] = (v16u){0};
  int t = 0;
  if (cut) {
    for (; t < tmid; t++) {
      const uint16_t *row = q + idx[t];
      for (int j = 0; j < nv; j++) {
        v16u x;
        memcpy(&x, row + (size_t)LANES16 * j, sizeof x);
        acc[j] += x;
      }
    }
    v16u m = acc[0];
    for (int j = 1; j < nv; j++)
      m = RX_MAX16(m, acc[j]);
    if (!any_above16(&m, cut)) return 0;
  }
  for (; t < T; t++) {
    const uint16_t *row = q + idx[t];
    for (int j = 0; j < nv; j++) {
      v16u x;
      memcpy(&x, row + (size_t)LANES16 * j, sizeof x);
      acc[j] += x;
    }
  }
  for (int j = 0; j < nv; j++)
    *best = RX_MAX16(acc[j], *best);
  return 1;
}

#define RX_CASES(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12)

static void dispatch32(const int32_t *q, const int *idx, int T, int nv, v8i *best, int32_t *out) {
  switch (nv) {
#define RX_CASE32(n)                                                                               \
  case n:                                                                                          \
    pass32(q, idx, T, n, best, out);                                                               \
    break;
    RX_CASES(RX_CASE32)
#undef RX_CASE32
  default:
    break;
  }
}

static int dispatch16(const uint16_t *q, const int *idx, int T, int nv, int tmid, const v16u *cut,
                      v16u *best) {
  switch (nv) {
#define RX_CASE16(n)                                                                               \
  case n:                                                                                          \
    return pass16(q, idx, T, n, tmid, cut, best);
    RX_CASES(RX_CASE16)
#undef RX_CASE16
  default:
    return 0;
  }
}

static int32_t max32(const v8i *v) {
  int32_t m = (*v)[0];
  for (int i = 1; i < LANES; i++)
    m = (*v)[i] > m ? (*v)[i] : m;
  return m;
}

static int32_t max16(const v16u *v) {
  int32_t m = (*v)[0];
  for (int i = 1; i < LANES16; i++)
    m = (*v)[i] > m ? (*v)[i] : m;
  return m;
}

/* Speed k's start per step into idx (T,): step t read from the row at rowbase[t] (a multiple of
 * L), shifted left by shift[t] columns mod B (ring only; NULL: none). Branch-free, so that it
 * vectorises. */
static void speed_idx(const plan *pl, int k, const int *rowbase, const int *shift, int *idx) {
  const int *col = pl->col + (size_t)k * pl->T;
  const int T = pl->T, B = pl->B;
  if (shift)
    for (int t = 0; t < T; t++) {
      const int c = col[t] - shift[t];
      idx[t] = rowbase[t] + c + (B & -(c < 0));
    }
  else
    for (int t = 0; t < T; t++)
      idx[t] = rowbase[t] + col[t];
}

/* Speed k's lines summed in 32 bits from q: their maximum, or every sum into sums (stride). */
static int32_t speed32(const plan *pl, int k, const int32_t *q, const int *idx, int32_t *sums) {
  v8i best;
  for (int i = 0; i < LANES; i++)
    best[i] = INT32_MIN;
  const int nv = (pl->cnt[k] + LANES - 1) / LANES;
  if (nv <= MAX_VECS)
    dispatch32(q, idx, pl->T, nv, &best, sums);
  else {
    const int chunks = (nv + MAX_VECS - 1) / MAX_VECS;
    for (int ch = 0; ch < chunks; ch++) {
      const int v0 = nv * ch / chunks, v1 = nv * (ch + 1) / chunks;
      dispatch32(q + (size_t)LANES * v0, idx, pl->T, v1 - v0, &best,
                 sums ? sums + (size_t)LANES * v0 : NULL);
    }
  }
  return max32(&best);
}

/* Speed k's 16-bit line sums from q16: the lane-wise maximum over its lines into *best (0 for
 * the lines dropped by the mid-event check of pass16, with tmid and cut). */
static void speed16(const plan *pl, int k, const uint16_t *q16, const int *idx, int tmid,
                    const v16u *cut, v16u *best) {
  *best = (v16u){0};
  const int nv = (pl->cnt[k] + LANES16 - 1) / LANES16;
  if (nv <= MAX_VECS)
    dispatch16(q16, idx, pl->T, nv, tmid, cut, best);
  else {
    const int chunks = (nv + MAX_VECS - 1) / MAX_VECS;
    for (int ch = 0; ch < chunks; ch++) {
      const int v0 = nv * ch / chunks, v1 = nv * (ch + 1) / chunks;
      dispatch16(q16 + (size_t)LANES16 * v0, idx, pl->T, v1 - v0, tmid, cut, best);
    }
  }
}

/* All lanes of *v = x, for x in [0, 65535] (by pointer: 32-byte vectors are not passed by value
 * where AVX is off, -Wpsabi). */
static void splat16(v16u *v, int32_t x) {
  for (int i = 0; i < LANES16; i++)
    (*v)[i] = (uint16_t)x;
}

/* The ring's max-filtered rows of an event (work.mf) from its periodic 16-bit rows q16 (T, L):
 * mf_W(c) = max_(d = 0 .. W) q16(c + d) for c in [0, B), then repeated periodically like q16.
 * A line of group g reads at step t a column within [b0 + lo_g(t), b0 + lo_g(t) + W_g(t)], so
 * mf_(W_g(t))(b0 + lo_g(t)) bounds what every line of the group collects there; and it rotates
 * with a column shuffle as q16 does. */
static void max_filter(const plan *pl, const uint16_t *q16, uint16_t *mf) {
  const int B = pl->B, L = pl->L, nw = pl->n_widths;
  for (int t = 0; t < pl->T; t++) {
    const uint16_t *q = q16 + (size_t)t * L;
    uint16_t *m = mf + (size_t)t * nw * L;
    memcpy(m, q, (size_t)L * sizeof *m);
    for (int W = 1; W < nw; W++) {
      uint16_t *mw = m + (size_t)W * L;
      const uint16_t *prev = mw - L;
      for (int c = 0; c < B; c++) /* c + W <= 2 B - 2 < L: within the periodic row */
        mw[c] = prev[c] > q[c + W] ? prev[c] : q[c + W];
      for (int c = B; c < L; c++)
        mw[c] = mw[c - B];
    }
  }
}

/* Whether group g of the ring may hold a line reaching R (cut: the 16-bit value a line's bound
 * must exceed; mid and fp as pass16's): the lane-wise sums of the group's max-filtered columns
 * bound every line of the group; rows and shift as in speed_idx. */
static int group_may_reach(const plan *pl, int g, const int *rowbase, const int *shift,
                           const uint16_t *mf, int tmid, const v16u *mid, const v16u *cut,
                           int *gidx) {
  const int T = pl->T, B = pl->B, L = pl->L, nw = pl->n_widths;
  const int *gcol = pl->gcol + (size_t)g * T, *gw = pl->gw + (size_t)g * T;
  for (int t = 0; t < T; t++) {
    const int c = gcol[t] - (shift ? shift[t] : 0);
    gidx[t] = (rowbase[t] / L * nw + gw[t]) * L + c + (B & -(c < 0));
  }
  v16u best = {0};
  const int nv = (B + LANES16 - 1) / LANES16;
  if (nv <= MAX_VECS) {
    if (!dispatch16(mf, gidx, T, nv, tmid, mid, &best)) return 0;
  } else {
    const int chunks = (nv + MAX_VECS - 1) / MAX_VECS;
    for (int ch = 0; ch < chunks; ch++) {
      const int v0 = nv * ch / chunks, v1 = nv * (ch + 1) / chunks;
      dispatch16(mf + (size_t)LANES16 * v0, gidx, T, v1 - v0, tmid, mid, &best);
    }
  }
  return any_above16(&best, cut);
}

/* The best line sum of a shuffled event (q, q16; rowbase and shift as in speed_idx), exact;
 * rmax16[t] bounds the 16-bit values read at step t. With R > 0 only whether it reaches R
 * matters: the value returned is then >= R exactly when the best line's is, and the search stops
 * as soon as that is settled.
 * Branch and bound (for R > 0): a speed's lines are summed over the first tmid steps, and
 * dropped if even the rest's largest values could not bring any of them to R; a line's 32-bit
 * sum is at most 2^sh (Q1 + sum_(t >= tmid) rmax16[t]) + slack. (For a null's value the same
 * bound against the best line so far seldom drops anything: nulls score far below the rest's
 * maxima.) */
static int32_t null_search(const plan *pl, const int32_t *q, const uint16_t *q16,
                           const int *rowbase, const int *shift, const int32_t *rmax16, int32_t R,
                           work *wk) {
  const int T = pl->T, sh = pl->sh, tmid = T / 2;
  int32_t best = INT32_MIN;
  if (sh < 0) { /* no screen: 32 bits throughout */
    for (int ki = 0; ki < pl->K; ki++) {
      const int k = pl->order[ki];
      speed_idx(pl, k, rowbase, shift, wk->idx);
      const int32_t m = speed32(pl, k, q, wk->idx, NULL);
      best = m > best ? m : best;
      if (R > 0 && best >= R) break;
    }
    return best;
  }
  /* a lane above (R - 1) >> sh has a line whose 32-bit sum is >= 2^sh ceil(R / 2^sh) >= R */
  v16u reach, cut, cand;
  splat16(&reach, R > 0 ? (R - 1) >> sh : 65535);
  /* lines whose first-half sum Q1 has Q1 + rest <= (R - slack - 1) >> sh cannot reach R:
   * 2^sh (Q1 + rest) + slack < R */
  int32_t rest = 0; /* sum_(t >= tmid) rmax16[t] */
  for (int t = tmid; t < T; t++)
    rest += rmax16[t];
  const int32_t f = R - pl->slack - 1 < 0 ? -1 : ((R - pl->slack - 1) >> sh) - rest;
  splat16(&cut, f < 0 ? 0 : f > 65535 ? 65535 : f);
  const v16u *fp = R > 0 && f >= 0 ? &cut : NULL;
  /* ring: a group of speeds none of whose lines can reach R, by the bound of group_may_reach,
   * is dropped whole (its speeds' Q 0, as pass16's drop) */
  const int32_t fg = R > 0 ? R - pl->slack - 1 : -1;
  const int groups = pl->n_groups > 0 && fg >= 0;
  v16u gcut;
  splat16(&gcut, groups ? fg >> sh : 0);
  if (groups) memset(wk->gstate, 0, (size_t)pl->n_groups);
  v16u top = {0};
  for (int ki = 0; ki < pl->K; ki++) {
    const int k = pl->order[ki];
    if (groups) {
      signed char *gs = wk->gstate + k / pl->G;
      if (!*gs)
        *gs = group_may_reach(pl, k / pl->G, rowbase, shift, wk->mf, tmid, fp, &gcut, wk->gidx)
                  ? 1
                  : -1;
      if (*gs < 0) {
        wk->kvec[k] = (v16u){0};
        continue;
      }
    }
    int *idx = wk->idx + (size_t)k * T;
    speed_idx(pl, k, rowbase, shift, idx);
    speed16(pl, k, q16, idx, tmid, fp, wk->kvec + k);
    if (R > 0 && any_above16(wk->kvec + k, &reach)) return R;
    top = RX_MAX16(top, wk->kvec[k]);
  }
  const int32_t lower = max16(&top) << sh;          /* some line's 32-bit sum is at least this */
  if (R > 0 && lower + pl->slack < R) return lower; /* no line reaches R */
  /* a speed may hold the best line (or one reaching R) only if some lane's upper bound
   * 2^sh Q + slack reaches `need`, i.e. Q > (need - slack - 1) >> sh; dropped speeds have Q 0
   * and cannot */
  const int32_t need = R > 0 ? R : lower, g = need - pl->slack - 1;
  splat16(&cand, g < 0 ? 0 : g >> sh);
  for (int ki = 0; ki < pl->K; ki++) {
    const int k = pl->order[ki];
    if (g >= 0 && !any_above16(wk->kvec + k, &cand)) continue;
    const int32_t m = speed32(pl, k, q, wk->idx + (size_t)k * T, NULL);
    best = m > best ? m : best;
    if (R > 0 && best >= R) break;
  }
  return best;
}

/* Scores one event P (T, B): out, and the null scores when wanted. */
static void score_event(const plan *pl, const rx_line_score_opts *o, const float *P, uint32_t id,
                        work *wk, rx_line_score *out, double *null_col, double *null_time) {
  const int T = pl->T, B = pl->B, S = pl->n_shuffles;
  memset(out, 0, sizeof *out); /* padding too: results compare and store bytewise */
  for (int t = 0; t < T; t++) {
    const float *row = P + (size_t)t * B;
    double *p = wk->p + (size_t)t * B, sum = 0;
    for (int b = 0; b < B; b++)
      sum += row[b];
    for (int b = 0; b < B; b++)
      p[b] = row[b] / sum;
    wk->rmax[t] = band_row(pl, p, wk->q + (size_t)t * pl->L, wk->q16 + (size_t)t * pl->L);
  }
  if (pl->n_groups > 0 && S > 0) max_filter(pl, wk->q16, wk->mf);
  /* the observed event: every line in 32 bits, then the best in the tie-break order */
  for (int t = 0; t < T; t++)
    wk->rowbase[t] = t * pl->L;
  int32_t R = -1;
  int kb = 0, ib = 0;
  for (int ki = 0; ki < pl->K; ki++) {
    const int k = pl->order[ki];
    int32_t *s = wk->sums + (size_t)k * pl->stride;
    speed_idx(pl, k, wk->rowbase, NULL, wk->idx);
    speed32(pl, k, wk->q, wk->idx, s);
    for (int i = 0; i < pl->cnt[k]; i++)
      if (s[i] > R) {
        R = s[i];
        kb = k;
        ib = i;
      }
  }
  out->score = R * pl->unit;
  out->speed = pl->v[kb];
  out->start = pl->lo[kb] + ib;
  /* without the null scores wanted, only whether a shuffle reaches R matters (R > 0: every
   * step has mass, so the best line collects some) */
  const int32_t stop = null_col || null_time ? 0 : R;
  long ge_col = 0, ge_time = 0;
  for (int s = 0; s < S; s++) {
    rx_rng rng;
    rx_rng_init(&rng, o->seed, o->stream, id, (uint32_t)s, 0);
    for (int t = 0; t < T; t++) {
      const int r = (int)(rx_rng_uniform(&rng) * B);
      wk->shift[t] = r >= B ? B - 1 : r;
    }
    int32_t m;
    if (pl->circular)
      m = null_search(pl, wk->q, wk->q16, wk->rowbase, wk->shift, wk->rmax, stop, wk);
    else {
      for (int t = 0; t < T; t++) {
        const size_t row = (size_t)t * pl->L;
        wk->rmaxc[t] = band_row_rotated(pl, wk->p + (size_t)t * B, wk->shift[t], wk->q + row,
                                        wk->q16 + row, wk->qc + row, wk->qc16 + row);
      }
      m = null_search(pl, wk->qc, wk->qc16, wk->rowbase, NULL, wk->rmaxc, stop, wk);
    }
    ge_col += m >= R;
    if (null_col) null_col[s] = m * pl->unit;
  }
  int *perm = wk->perm, *rowperm = wk->rowperm;
  for (int s = 0; s < S; s++) {
    rx_rng rng;
    rx_rng_init(&rng, o->seed, o->stream, id, (uint32_t)s, 1);
    for (int t = 0; t < T; t++)
      perm[t] = t;
    for (int j = T - 1; j > 0; j--) { /* Fisher-Yates */
      int r = (int)(rx_rng_uniform(&rng) * (j + 1));
      r = r > j ? j : r;
      const int tmp = perm[j];
      perm[j] = perm[r];
      perm[r] = tmp;
    }
    for (int t = 0; t < T; t++) {
      rowperm[t] = perm[t] * pl->L;
      wk->rmaxc[t] = wk->rmax[perm[t]];
    }
    const int32_t m = null_search(pl, wk->q, wk->q16, rowperm, NULL, wk->rmaxc, stop, wk);
    ge_time += m >= R;
    if (null_time) null_time[s] = m * pl->unit;
  }
  if (S > 0) {
    out->p_column = (1.0 + (double)ge_col) / (1.0 + S);
    out->p_time = (1.0 + (double)ge_time) / (1.0 + S);
    out->significant = out->p_column < o->alpha && out->p_time < o->alpha;
  } else {
    out->p_column = out->p_time = NAN;
    out->significant = 0;
  }
}

int rx_replay_line_scores(const float *post, size_t n_events, int steps, int bins,
                          const rx_line_score_opts *opts, uint32_t first_id, rx_line_score *out,
                          double *null_column, double *null_time, rx_error *err) {
  const rx_line_score_opts o = opts ? *opts : rx_line_score_opts_default();
  if (!post || !out) return rx_fail(err, RX_EINVAL, "line score: NULL array");
  if (n_events < 1 || steps < 2 || steps > MAX_STEPS || bins < 1)
    return rx_fail(err, RX_EINVAL,
                   "line score: %zu events of %d steps over %d bins; need >= 1 event and 2 to "
                   "%d steps",
                   n_events, steps, bins, MAX_STEPS);
  if (o.band < 0 || bins <= 2L * o.band + 1)
    return rx_fail(err, RX_EINVAL,
                   "line score: band +-%d over %d bins; need band >= 0 and bins > 2 band + 1 (a "
                   "band covering every bin scores 1 everywhere)",
                   o.band, bins);
  if (o.n_speeds < 1 || o.n_speeds > MAX_SPEEDS)
    return rx_fail(err, RX_EINVAL, "line score: n_speeds = %d, expected 1 to %d", o.n_speeds,
                   MAX_SPEEDS);
  if (!isfinite(o.v_max) || o.v_max < 0 || o.v_max > bins)
    return rx_fail(err, RX_EINVAL, "line score: v_max = %g bins per step, expected 0 to %d",
                   o.v_max, bins);
  if (o.circular != 0 && o.circular != 1)
    return rx_fail(err, RX_EINVAL, "line score: circular = %d, expected 0 or 1", o.circular);
  if (o.n_shuffles < 0 || o.n_shuffles > MAX_SHUFFLES)
    return rx_fail(err, RX_EINVAL, "line score: n_shuffles = %d, expected 0 to %d", o.n_shuffles,
                   MAX_SHUFFLES);
  if (!(o.alpha > 0 && o.alpha <= 1))
    return rx_fail(err, RX_EINVAL, "line score: alpha = %g, expected 0 < alpha <= 1", o.alpha);
  plan pl;
  int rc;
  if ((rc = plan_make(&pl, steps, bins, &o, err))) return rc;
  const size_t S = (size_t)o.n_shuffles;
  int nomem = 0, bad = 0;
#pragma omp parallel reduction(| : nomem, bad)
  {
    work wk;
    nomem = work_alloc(&wk, &pl) != 0;
#pragma omp for schedule(dynamic, 1)
    for (size_t e = 0; e < n_events; e++) {
      if (nomem) continue;
      if (!rxst_rows_ok(post + e * steps * (size_t)bins, (size_t)steps, bins)) {
        bad = 1; /* named below */
        continue;
      }
      score_event(&pl, &o, post + e * steps * (size_t)bins, first_id + (uint32_t)e, &wk, out + e,
                  null_column ? null_column + e * S : NULL, null_time ? null_time + e * S : NULL);
    }
    if (!nomem) work_free(&wk);
  }
  plan_free(&pl);
  if (nomem)
    return rx_fail(err, RX_ENOMEM, "line score: out of memory for a thread's %d x %d buffers",
                   steps, pl.L);
  if (bad) return rxst_check_posterior(post, n_events, steps, bins, "line score", err);
  return RX_OK;
}
