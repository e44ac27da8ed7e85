/* The 2-D constant-velocity score of replay events (docs/replay.md §5, replay.h): the
 * posterior-weighted least-squares fit of y0 + v t, its R^2 against a time-bin shuffle null, and
 * the path's length, straightness and largest jump; for posteriors over plane bins or for decoded
 * points. The 1-D line score is replay_line.c's.
 *
 * With every step's posterior normalised to mass 1, the weighted sums split into the per-step
 * means m_t and spreads V_t = sum_b P_t(b) |x_b - m_t|^2:
 *   SS_tot = sum_t |m_t - mbar|^2 + sum_t V_t,   SS_res = SS_tot - |c|^2 / Stt,
 * c = sum_t (t - tbar) (m_t - mbar), Stt = sum_t (t - tbar)^2, v = c / Stt. A time shuffle
 * permutes the (m_t, V_t) pairs, which leaves SS_tot alone and changes only c: each shuffle costs
 * O(steps). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/replay.h"
#include "reactivate/rng.h"
#include "stats/stats_internal.h"

enum { MAX_SHUFFLES = 1000000, MAX_STEPS = 1 << 24 };

/* A shuffle ties with the observed event when its explained sum of squares is within this much
 * of the means' total variance below it (round-off of sums in another order). */
#define TIE_REL 1e-12

rx_path_score_opts rx_path_score_opts_default(void) {
  rx_path_score_opts o;
  memset(&o, 0, sizeof o);
  o.n_shuffles = 200;
  o.alpha = 0.05;
  o.seed = 0;
  o.stream = RX_STREAM_REPLAY;
  return o;
}

/* Scores one event from its per-step means m (T, 2) and total spread sv = sum_t V_t; perm (T,)
 * and d (T, 2) are scratch (d: the centred means). */
static void score_means(const double *m, double sv, int T, const rx_path_score_opts *o, uint32_t id,
                        int *perm, double *d, rx_path_score *out, double *null_r2) {
  memset(out, 0, sizeof *out); /* padding too: results compare and store bytewise */
  const double tbar = 0.5 * (T - 1);
  double mbar[2] = {0, 0};
  for (int t = 0; t < T; t++)
    for (int a = 0; a < 2; a++)
      mbar[a] += m[2 * t + a];
  mbar[0] /= T;
  mbar[1] /= T;
  double smm = 0, stt = 0, c[2] = {0, 0};
  for (int t = 0; t < T; t++) {
    const double tt = t - tbar;
    stt += tt * tt;
    for (int a = 0; a < 2; a++) {
      d[2 * t + a] = m[2 * t + a] - mbar[a];
      smm += d[2 * t + a] * d[2 * t + a];
      c[a] += tt * d[2 * t + a];
    }
  }
  const double explained = (c[0] * c[0] + c[1] * c[1]) / stt, sstot = smm + sv;
  for (int a = 0; a < 2; a++) {
    out->velocity[a] = c[a] / stt;
    out->start[a] = mbar[a] - out->velocity[a] * tbar;
  }
  out->speed = hypot(out->velocity[0], out->velocity[1]);
  out->r2 = sstot > 0 ? explained / sstot : NAN;
  double len = 0, jump = 0;
  for (int t = 0; t + 1 < T; t++) {
    const double j = hypot(m[2 * t + 2] - m[2 * (size_t)t], m[2 * t + 3] - m[2 * t + 1]);
    len += j;
    jump = j > jump ? j : jump;
  }
  out->path_length = len;
  out->max_jump = jump;
  out->straightness = len > 0 ? hypot(m[2 * T - 2] - m[0], m[2 * T - 1] - m[1]) / len : NAN;
  const int S = o->n_shuffles;
  long ge = 0;
  for (int s = 0; s < S; s++) {
    rx_rng rng;
    rx_rng_init(&rng, o->seed, o->stream, id, (uint32_t)s, 2);
    for (int t = 0; t < T; t++)
      perm[t] = t;
    for (int j = T - 1; j > 0; j--) { /* Fisher-Yates, as the line score's time shuffle */
      int r = (int)(rx_rng_uniform(&rng) * (j + 1));
      r = r > j ? j : r;
      const int tmp = perm[j];
      perm[j] = perm[r];
      perm[r] = tmp;
    }
    double cs[2] = {0, 0};
    for (int t = 0; t < T; t++)
      for (int a = 0; a < 2; a++)
        cs[a] += (t - tbar) * d[2 * perm[t] + a];
    const double ex = (cs[0] * cs[0] + cs[1] * cs[1]) / stt;
    ge += ex >= explained - TIE_REL * smm;
    if (null_r2) null_r2[s] = sstot > 0 ? ex / sstot : NAN;
  }
  if (S > 0 && sstot > 0) {
    out->p_time = (1.0 + (double)ge) / (1.0 + S);
    out->significant = out->p_time < o->alpha;
  } else {
    out->p_time = NAN;
    out->significant = 0;
  }
}

static int check_opts(const rx_path_score_opts *o, size_t n_events, int steps, rx_error *err) {
  if (n_events < 1 || steps < 3 || steps > MAX_STEPS)
    return rx_fail(err, RX_EINVAL,
                   "path score: %zu events of %d steps; need >= 1 event and 3 to %d steps (two "
                   "points always lie on a line)",
                   n_events, steps, MAX_STEPS);
  if (o->n_shuffles < 0 || o->n_shuffles > MAX_SHUFFLES)
    return rx_fail(err, RX_EINVAL, "path score: n_shuffles = %d, expected 0 to %d", o->n_shuffles,
                   MAX_SHUFFLES);
  if (!(o->alpha > 0 && o->alpha <= 1))
    return rx_fail(err, RX_EINVAL, "path score: alpha = %g, expected 0 < alpha <= 1", o->alpha);
  return RX_OK;
}

/* Per-thread scratch: means (T, 2), centred means (T, 2), a permutation (T,), a flag per 8 bins
 * (0 without bins: rx_replay_path_scores_points). */
typedef struct path_work {
  double *m, *d;
  int *perm;
  unsigned char *live;
} path_work;

static void path_work_free(path_work *w) {
  free(w->m);
  free(w->d);
  free(w->perm);
  free(w->live);
}

static int path_work_alloc(path_work *w, int T, int n_bins) {
  w->m = malloc((size_t)T * 2 * sizeof *w->m);
  w->d = malloc((size_t)T * 2 * sizeof *w->d);
  w->perm = malloc((size_t)T * sizeof *w->perm);
  w->live = malloc((size_t)(n_bins + 7) / 8 + 1);
  if (w->m && w->d && w->perm && w->live) return 0;
  path_work_free(w);
  return -1;
}

int rx_replay_path_scores(const float *post, size_t n_events, int steps, int n_bins,
                          const float *centers, const rx_path_score_opts *opts, uint32_t first_id,
                          rx_path_score *out, double *null_r2, rx_error *err) {
  const rx_path_score_opts o = opts ? *opts : rx_path_score_opts_default();
  if (!post || !centers || !out) return rx_fail(err, RX_EINVAL, "path score: NULL array");
  int rc = check_opts(&o, n_events, steps, err);
  if (rc) return rc;
  if (n_bins < 1) return rx_fail(err, RX_EINVAL, "path score: %d bins, need >= 1", n_bins);
  for (size_t i = 0; i < (size_t)n_bins * 2; i++)
    if (!isfinite(centers[i]))
      return rx_fail(err, RX_ENUMERIC, "path score: centre of bin %zu is %g", i / 2,
                     (double)centers[i]);
  const size_t S = (size_t)o.n_shuffles;
  int nomem = 0, bad = 0;
#pragma omp parallel reduction(| : nomem, bad)
  {
    path_work w;
    nomem = path_work_alloc(&w, steps, n_bins) != 0;
#pragma omp for schedule(dynamic, 4)
    for (size_t e = 0; e < n_events; e++) {
      if (nomem) continue;
      if (!rxst_rows_ok(post + e * steps * (size_t)n_bins, (size_t)steps, n_bins)) {
        bad = 1; /* named below */
        continue;
      }
      double sv = 0;
      for (int t = 0; t < steps; t++) {
        const float *row = post + (e * steps + t) * (size_t)n_bins;
        /* blocks of 8 bins without mass are skipped: their terms are zeros, which leave the
         * sums' bits as they are (a sharp posterior is zero almost everywhere) */
        const int blocks = (n_bins + 7) / 8;
        unsigned char *live = w.live;
        double wsum = 0, mx = 0, my = 0;
        for (int k = 0; k < blocks; k++) {
          const int b0 = 8 * k, b1 = b0 + 8 < n_bins ? b0 + 8 : n_bins;
          uint32_t any = 0;
          for (int b = b0; b < b1; b++) {
            uint32_t bits;
            memcpy(&bits, row + b, sizeof bits);
            any |= bits;
          }
          live[k] = any != 0;
          if (!any) continue;
          for (int b = b0; b < b1; b++) {
            wsum += row[b];
            mx += row[b] * (double)centers[2 * (size_t)b];
            my += row[b] * (double)centers[2 * b + 1];
          }
        }
        mx /= wsum;
        my /= wsum;
        double v = 0; /* the spread around the step's mean, taken about it for accuracy */
        for (int k = 0; k < blocks; k++) {
          if (!live[k]) continue;
          const int b0 = 8 * k, b1 = b0 + 8 < n_bins ? b0 + 8 : n_bins;
          for (int b = b0; b < b1; b++) {
            const double dx = centers[2 * (size_t)b] - mx, dy = centers[2 * b + 1] - my;
            v += row[b] * (dx * dx + dy * dy);
          }
        }
        w.m[2 * (size_t)t] = mx;
        w.m[2 * t + 1] = my;
        sv += v / wsum;
      }
      score_means(w.m, sv, steps, &o, first_id + (uint32_t)e, w.perm, w.d, out + e,
                  null_r2 ? null_r2 + e * S : NULL);
    }
    if (!nomem) path_work_free(&w);
  }
  if (nomem) return rx_fail(err, RX_ENOMEM, "path score: out of memory for %d steps", steps);
  if (bad) return rxst_check_posterior(post, n_events, steps, n_bins, "path score", err);
  return RX_OK;
}

int rx_replay_path_scores_points(const float *points, size_t n_events, int steps,
                                 const rx_path_score_opts *opts, uint32_t first_id,
                                 rx_path_score *out, double *null_r2, rx_error *err) {
  const rx_path_score_opts o = opts ? *opts : rx_path_score_opts_default();
  if (!points || !out) return rx_fail(err, RX_EINVAL, "path score: NULL array");
  int rc = check_opts(&o, n_events, steps, err);
  if (rc) return rc;
  for (size_t e = 0; e < n_events; e++)
    for (int t = 0; t < steps; t++)
      for (int a = 0; a < 2; a++) {
        const float x = points[(e * steps + t) * 2 + a];
        if (!isfinite(x))
          return rx_fail(err, RX_ENUMERIC, "path score: point [event %zu, step %d, axis %d] is %g",
                         e, t, a, (double)x);
      }
  const size_t S = (size_t)o.n_shuffles;
  int nomem = 0;
#pragma omp parallel reduction(| : nomem)
  {
    path_work w;
    nomem = path_work_alloc(&w, steps, 0) != 0;
#pragma omp for schedule(dynamic, 16)
    for (size_t e = 0; e < n_events; e++) {
      if (nomem) continue;
      for (int i = 0; i < 2 * steps; i++)
        w.m[i] = points[e * steps * 2 + i];
      score_means(w.m, 0.0, steps, &o, first_id + (uint32_t)e, w.perm, w.d, out + e,
                  null_r2 ? null_r2 + e * S : NULL);
    }
    if (!nomem) path_work_free(&w);
  }
  if (nomem) return rx_fail(err, RX_ENOMEM, "path score: out of memory for %d steps", steps);
  return RX_OK;
}
