/* Replay statistics (replay.h): bins; the posterior against its formula, summing to 1 and peaking
 * at the true bin of a noiseless code, with the same bits for any thread count or row chunking;
 * the line score against a brute-force search of every line, its nulls against explicitly
 * shuffled events, travelling bumps detected at their speed (both directions, across the ring's
 * wrap, on a line), random positions significant at the nominal rate; the 2-D score against a
 * direct weighted least-squares fit, straight paths against random walks; results independent
 * of threads and batches; summaries; one-line refusals of bad input. */
#include <stdint.h>

#include "reactivate/linalg.h"
#include "reactivate/replay.h"
#include "reactivate/rng.h"
#include "test_util.h"

/* ---- helpers ---- */

static int one_line(const rx_error *err) { return err->msg[0] && !strchr(err->msg, '\n'); }

/* d wrapped into [-B/2, B/2) on the ring. */
static double ring_diff(double d, int B) { return d - B * floor((d + 0.5 * B) / B); }

/* One event (T, B): a Gaussian bump of s.d. sd bins centred at start + v t at step t (ring:
 * wrapped), each step normalised. */
static void bump_event(float *P, int T, int B, double start, double v, double sd, int circular) {
  for (int t = 0; t < T; t++) {
    const double c = start + v * t;
    double sum = 0;
    for (int b = 0; b < B; b++) {
      const double d = circular ? ring_diff(b - c, B) : b - c;
      sum += P[t * B + b] = (float)exp(-0.5 * d * d / (sd * sd));
    }
    for (int b = 0; b < B; b++)
      P[t * B + b] = (float)(P[t * B + b] / sum);
  }
}

/* n events (T, B), each step a bump (s.d. 1 bin) at an independent uniform position. */
static float *random_bump_events(int n, int T, int B, int circular, uint32_t seed) {
  float *P = malloc((size_t)n * T * B * sizeof *P);
  for (int e = 0; e < n; e++)
    for (int t = 0; t < T; t++) {
      rx_rng r;
      rx_rng_init(&r, seed, 7, (uint32_t)e, (uint32_t)t, 0);
      bump_event(P + ((size_t)e * T + t) * B, 1, B, rx_rng_uniform(&r) * B, 0, 1.0, circular);
    }
  return P;
}

/* n events (T, B) of independent uniform values in (0, 1], some steps with zeros. */
static float *noise_events(int n, int T, int B, uint32_t seed) {
  float *P = malloc((size_t)n * T * B * sizeof *P);
  for (size_t i = 0; i < (size_t)n * T * B; i++) {
    rx_rng r;
    rx_rng_init(&r, seed, 8, (uint32_t)i, 0, 0);
    const double u = rx_rng_uniform(&r);
    P[i] = u < 0.2 ? 0.0f : (float)(u * u * u);
  }
  return P;
}

/* ---- a reference line score: the definition, by brute force, in double ---- */

static double ref_speed(int k, int K, double v_max) {
  return K == 1 ? 0.0 : v_max * (2.0 * k - (K - 1)) / (K - 1);
}

static int ref_round(double x) { return (int)(x < 0 ? -floor(-x + 0.5) : floor(x + 0.5)); }

/* Band sums S (T, B + 2w) of event P (T, B): S[t][c + w] for c in [-w, B - 1 + w] (ring: only
 * c in [0, B) used, wrapped). */
static void ref_band(const float *P, int T, int B, int w, int circular, double *S) {
  const int W = B + 2 * w;
  for (int t = 0; t < T; t++) {
    double tot = 0;
    for (int b = 0; b < B; b++)
      tot += P[t * B + b];
    for (int c = -w; c < B + w; c++) {
      double s = 0;
      for (int d = -w; d <= w; d++) {
        int j = c + d;
        if (circular)
          j = ((j % B) + B) % B;
        else if (j < 0 || j >= B)
          continue;
        s += P[t * B + j] / tot;
      }
      S[t * W + c + w] = s;
    }
  }
}

/* The score of line (k, b0) from band sums S. */
static double ref_line_value(const double *S, int T, int B, int w, int circular, double v, int b0) {
  const int W = B + 2 * w;
  double s = 0;
  for (int t = 0; t < T; t++) {
    int c = b0 + ref_round(v * t);
    if (circular)
      c = ((c % B) + B) % B;
    else if (c < -w || c > B - 1 + w)
      continue; /* the band lies off the track */
    s += S[t * W + c + w];
  }
  return s / T;
}

/* R by trying every speed and every b0 in a wide range (line: far beyond the documented one, so
 * that the documented range is tested too). */
static double ref_line_score(const float *P, int T, int B, const rx_line_score_opts *o) {
  double *S = malloc((size_t)T * (B + 2 * o->band) * sizeof *S);
  ref_band(P, T, B, o->band, o->circular, S);
  double best = -1;
  const int reach = (int)ceil(o->v_max * T) + o->band + 2;
  for (int k = 0; k < o->n_speeds; k++) {
    const double v = ref_speed(k, o->n_speeds, o->v_max);
    const int lo = o->circular ? 0 : -reach, hi = o->circular ? B - 1 : B - 1 + reach;
    for (int b0 = lo; b0 <= hi; b0++) {
      const double s = ref_line_value(S, T, B, o->band, o->circular, v, b0);
      best = s > best ? s : best;
    }
  }
  free(S);
  return best;
}

/* The shuffled events of the documented draws: column cycle (kind 0) or time bin (kind 1). */
static void shuffle_event(const float *P, int T, int B, uint32_t seed, uint32_t stream, uint32_t id,
                          int s, int kind, float *out) {
  rx_rng r;
  rx_rng_init(&r, seed, stream, id, (uint32_t)s, (uint32_t)kind);
  if (kind == 0) {
    for (int t = 0; t < T; t++) {
      int sh = (int)(rx_rng_uniform(&r) * B);
      sh = sh >= B ? B - 1 : sh;
      for (int c = 0; c < B; c++)
        out[t * B + c] = P[t * B + ((c - sh) % B + B) % B];
    }
  } else {
    int perm[512];
    for (int t = 0; t < T; t++)
      perm[t] = t;
    for (int j = T - 1; j > 0; j--) {
      int x = (int)(rx_rng_uniform(&r) * (j + 1));
      x = x > j ? j : x;
      const int tmp = perm[j];
      perm[j] = perm[x];
      perm[x] = tmp;
    }
    for (int t = 0; t < T; t++)
      memcpy(out + t * B, P + perm[t] * B, B * sizeof *out);
  }
}

/* ---- bins ---- */

static void test_grid_bins_tile_the_span_and_index_their_centres(void) {
  rx_error err;
  rx_replay_grid g;
  REQUIRE(rx_replay_grid_plane(&g, -1.1, 1.1, -1.1, 1.1, 0.05, &err) == 0);
  CHECK(g.nx == 44 && g.ny == 44 && g.n_bins == 1936 && g.dim == 2);
  CHECK_NEAR(g.width[0], 0.05, 1e-15);
  CHECK_NEAR(g.centers[0], -1.075, 1e-6);
  CHECK_NEAR(g.centers[1], -1.075, 1e-6);
  CHECK_NEAR(g.centers[2 * 45], -1.025, 1e-6); /* bin 45 = (ix 1, iy 1) */
  CHECK_NEAR(g.centers[2 * 45 + 1], -1.025, 1e-6);
  int all = 1;
  for (int b = 0; b < g.n_bins; b++) {
    const double pos[2] = {g.centers[2 * b], g.centers[2 * b + 1]};
    all &= rx_replay_grid_index(&g, pos) == b;
  }
  CHECK(all);
  const double edge[2] = {1.1, 1.1}, out[2] = {1.2, 0}, nan_pos[2] = {NAN, 0};
  CHECK(rx_replay_grid_index(&g, edge) == g.n_bins - 1);
  CHECK(rx_replay_grid_index(&g, out) == -1);
  CHECK(rx_replay_grid_index(&g, nan_pos) == -1);
  rx_replay_grid_free(&g);

  REQUIRE(rx_replay_grid_ring(&g, 5.0 * M_PI / 180.0, &err) == 0);
  CHECK(g.nx == 72 && g.n_bins == 72 && g.dim == 1);
  CHECK_NEAR(g.centers[0], -M_PI + M_PI / 72, 1e-6);
  CHECK_NEAR(g.centers[71], M_PI - M_PI / 72, 1e-6);
  const double a0 = 0.01, a1 = 0.01 + 4 * M_PI, a2 = -M_PI, a3 = M_PI - 1e-9;
  CHECK(rx_replay_grid_index(&g, &a0) == 36);
  CHECK(rx_replay_grid_index(&g, &a1) == 36); /* wrapped */
  CHECK(rx_replay_grid_index(&g, &a2) == 0);
  CHECK(rx_replay_grid_index(&g, &a3) == 71);
  rx_replay_grid_free(&g);

  REQUIRE(rx_replay_grid_line(&g, 0.0, 1.0, 0.3, &err) == 0);
  CHECK(g.nx == 3 && g.n_bins == 3); /* 1 / 0.3 = 3.33: 3 bins of 1/3 */
  CHECK_NEAR(g.width[0], 1.0 / 3, 1e-15);
  rx_replay_grid_free(&g);
}

/* ---- the posterior ---- */

/* A Gaussian-tuning code (n_bins, n_out): unit i prefers position i (n_out / n_bins) on the
 * ring of n_bins bins, width 3 bins. */
static float *ring_code(int n_bins, int n_out) {
  float *F = malloc((size_t)n_bins * n_out * sizeof *F);
  for (int b = 0; b < n_bins; b++)
    for (int i = 0; i < n_out; i++) {
      const double d = ring_diff(b - (double)i * n_bins / n_out, n_bins);
      F[(size_t)b * n_out + i] = (float)exp(-0.5 * d * d / 9.0);
    }
  return F;
}

static void test_posterior_rows_sum_to_one_and_peak_at_the_true_bin(void) {
  rx_error err;
  /* ring: 72 bins, 40 units; outputs the noiseless code of every bin */
  const int nb = 72, no = 40;
  float *F = ring_code(nb, no), *P = malloc((size_t)nb * nb * sizeof *P);
  REQUIRE(rx_replay_posterior(F, nb, no, F, nb, 0.01, P, &err) == 0);
  int peaks = 1;
  double worst = 0;
  for (int t = 0; t < nb; t++) {
    double s = 0;
    int arg = 0;
    for (int b = 0; b < nb; b++) {
      s += P[t * nb + b];
      arg = P[t * nb + b] > P[t * nb + arg] ? b : arg;
    }
    worst = fabs(s - 1) > worst ? fabs(s - 1) : worst;
    peaks &= arg == t;
  }
  CHECK_MSG(worst < 1e-5, "a row sums to 1 +- %g", worst);
  CHECK(peaks);
  free(F);
  free(P);

  /* plane: 12 x 10 bins, 30 place cells at random centres (width 1.5 bins) */
  rx_replay_grid g;
  REQUIRE(rx_replay_grid_plane(&g, 0, 1.2, 0, 1.0, 0.1, &err) == 0);
  const int n_cells = 30;
  double cx[30], cy[30];
  for (int i = 0; i < n_cells; i++) {
    rx_rng r;
    rx_rng_init(&r, 3, 9, (uint32_t)i, 0, 0);
    cx[i] = 1.2 * rx_rng_uniform(&r);
    cy[i] = 1.0 * rx_rng_uniform(&r);
  }
  float *Fp = malloc((size_t)g.n_bins * n_cells * sizeof *Fp);
  for (int b = 0; b < g.n_bins; b++)
    for (int i = 0; i < n_cells; i++) {
      const double dx = g.centers[2 * b] - cx[i], dy = g.centers[2 * b + 1] - cy[i];
      Fp[b * n_cells + i] = (float)exp(-(dx * dx + dy * dy) / (2 * 0.15 * 0.15));
    }
  float *Pp = malloc((size_t)g.n_bins * g.n_bins * sizeof *Pp);
  REQUIRE(rx_replay_posterior(Fp, g.n_bins, n_cells, Fp, g.n_bins, 1e-3, Pp, &err) == 0);
  peaks = 1;
  worst = 0;
  for (int t = 0; t < g.n_bins; t++) {
    double s = 0;
    int arg = 0;
    for (int b = 0; b < g.n_bins; b++) {
      s += Pp[t * g.n_bins + b];
      arg = Pp[t * g.n_bins + b] > Pp[t * g.n_bins + arg] ? b : arg;
    }
    worst = fabs(s - 1) > worst ? fabs(s - 1) : worst;
    peaks &= arg == t;
  }
  CHECK_MSG(worst < 1e-5, "a row sums to 1 +- %g", worst);
  CHECK(peaks);
  /* the posterior mean of a peaked row is near the bin's centre */
  double *mean = malloc((size_t)g.n_bins * 2 * sizeof *mean);
  REQUIRE(rx_replay_posterior_mean(Pp, g.n_bins, g.n_bins, g.centers, 2, 0, mean, &err) == 0);
  double off = 0;
  for (int b = 0; b < g.n_bins; b++)
    off = fmax(off, hypot(mean[2 * b] - g.centers[2 * b], mean[2 * b + 1] - g.centers[2 * b + 1]));
  CHECK_MSG(off < 0.05, "posterior mean %g from the true centre (half a bin allowed)", off);
  free(mean);
  free(Fp);
  free(Pp);
  rx_replay_grid_free(&g);
}

/* The posterior of docs/replay.md §2 in float64, the reference the decoders are held to: p (nb,)
 * over the bins of the code F (nb, no) for one output y (no,) under noise variance s2,
 * p_b proportional to exp(-|y - F_b|^2 / (2 s2)), normalised after subtracting the largest
 * exponent. */
static void ref_posterior(const double *y, int no, const float *F, int nb, double s2, double *p) {
  double mx = -INFINITY, sum = 0;
  for (int b = 0; b < nb; b++) {
    double d2 = 0;
    for (int k = 0; k < no; k++) {
      const double d = y[k] - F[b * no + k];
      d2 += d * d;
    }
    p[b] = -d2 / (2 * s2);
    mx = p[b] > mx ? p[b] : mx;
  }
  for (int b = 0; b < nb; b++)
    sum += p[b] = exp(p[b] - mx);
  for (int b = 0; b < nb; b++)
    p[b] /= sum;
}

static void test_posterior_matches_the_formula_in_double(void) {
  const int n = 300, no = 17, nb = 23;
  float *y = malloc((size_t)n * no * sizeof *y), *F = malloc((size_t)nb * no * sizeof *F);
  float *P = malloc((size_t)n * nb * sizeof *P);
  for (int i = 0; i < n * no; i++) {
    rx_rng r;
    rx_rng_init(&r, 1, 10, (uint32_t)i, 0, 0);
    y[i] = (float)rx_rng_normal(&r);
  }
  for (int i = 0; i < nb * no; i++) {
    rx_rng r;
    rx_rng_init(&r, 1, 11, (uint32_t)i, 0, 0);
    F[i] = (float)rx_rng_normal(&r);
  }
  const double s2 = 2.0;
  rx_error err;
  REQUIRE(rx_replay_posterior(y, n, no, F, nb, s2, P, &err) == 0);
  double worst = 0;
  for (int t = 0; t < n; t++) {
    double yt[17], want_row[23];
    for (int k = 0; k < no; k++)
      yt[k] = y[t * no + k];
    ref_posterior(yt, no, F, nb, s2, want_row);
    for (int b = 0; b < nb; b++) {
      const double want = want_row[b];
      worst = fmax(worst, fabs(P[t * nb + b] - want) / fmax(want, 1e-30) * (want > 1e-6));
      worst = fmax(worst, fabs(P[t * nb + b] - want)); /* absolute for the tiny ones */
    }
  }
  CHECK_MSG(worst < 2e-5, "worst deviation %g from the float64 formula", worst);
  /* the circular posterior mean against atan2 of the weighted sines and cosines */
  float ang[23];
  for (int b = 0; b < nb; b++)
    ang[b] = (float)(-M_PI + (b + 0.5) * 2 * M_PI / nb);
  double m[300];
  REQUIRE(rx_replay_posterior_mean(P, n, nb, ang, 1, 1, m, &err) == 0);
  double cs = 0, sn = 0;
  for (int b = 0; b < nb; b++) {
    cs += P[b] * cos(ang[b]);
    sn += P[b] * sin(ang[b]);
  }
  CHECK_NEAR(m[0], atan2(sn, cs), 1e-12);
  free(y);
  free(F);
  free(P);
}

static void test_posterior_same_bits_for_any_thread_count_and_aligned_chunks(void) {
  const int n = 3 * RX_REPLAY_POSTERIOR_ROWS + 41, no = 64, nb = 150;
  float *y = malloc((size_t)n * no * sizeof *y), *F = malloc((size_t)nb * no * sizeof *F);
  float *P1 = malloc((size_t)n * nb * sizeof *P1), *P2 = malloc((size_t)n * nb * sizeof *P2);
  float *P3 = malloc((size_t)n * nb * sizeof *P3);
  for (int i = 0; i < n * no; i++) {
    rx_rng r;
    rx_rng_init(&r, 2, 10, (uint32_t)i, 0, 0);
    y[i] = (float)rx_rng_uniform(&r);
  }
  for (int i = 0; i < nb * no; i++) {
    rx_rng r;
    rx_rng_init(&r, 2, 11, (uint32_t)i, 0, 0);
    F[i] = (float)rx_rng_uniform(&r);
  }
  rx_error err;
  const int threads = rx_get_threads();
  rx_set_threads(1);
  REQUIRE(rx_replay_posterior(y, n, no, F, nb, 0.1, P1, &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_replay_posterior(y, n, no, F, nb, 0.1, P2, &err) == 0);
  /* rows in two chunks, the second starting at a multiple of the block */
  const int cut = 2 * RX_REPLAY_POSTERIOR_ROWS;
  REQUIRE(rx_replay_posterior(y, cut, no, F, nb, 0.1, P3, &err) == 0);
  REQUIRE(rx_replay_posterior(y + (size_t)cut * no, n - cut, no, F, nb, 0.1, P3 + (size_t)cut * nb,
                              &err) == 0);
  rx_set_threads(threads);
  CHECK(memcmp(P1, P2, (size_t)n * nb * sizeof *P1) == 0);
  CHECK(memcmp(P1, P3, (size_t)n * nb * sizeof *P1) == 0);
  free(y);
  free(F);
  free(P1);
  free(P2);
  free(P3);
}

/* The readout decoder reads hidden states h through y = h W^T + b: its posterior is the
 * formula's for those y (computed in float64), as close as the outputs' own; the outputs decoder
 * is rx_replay_posterior bit for bit; the folded one has the same bits on any thread count; bad
 * values are named. */
static void test_readout_decoder_is_the_posterior_of_the_readout(void) {
  const int n = 2 * RX_REPLAY_POSTERIOR_ROWS + 7, nr = 24, no = 40, nb = 37;
  float *h = malloc((size_t)n * nr * sizeof *h), *W = malloc((size_t)no * nr * sizeof *W);
  float *bias = malloc((size_t)no * sizeof *bias), *F = malloc((size_t)nb * no * sizeof *F);
  float *y = malloc((size_t)n * no * sizeof *y);
  float *P = malloc((size_t)n * nb * sizeof *P), *Q = malloc((size_t)n * nb * sizeof *Q);
  float *Q1 = malloc((size_t)n * nb * sizeof *Q1);
  double *yd = malloc((size_t)n * no * sizeof *yd);
  rx_rng r;
  for (int i = 0; i < n * nr; i++)
    rx_rng_init(&r, 3, 10, (uint32_t)i, 0, 0), h[i] = (float)rx_rng_normal(&r);
  for (int i = 0; i < no * nr; i++)
    rx_rng_init(&r, 3, 11, (uint32_t)i, 0, 0), W[i] = (float)(0.3 * rx_rng_normal(&r));
  for (int i = 0; i < no; i++)
    rx_rng_init(&r, 3, 12, (uint32_t)i, 0, 0), bias[i] = (float)rx_rng_normal(&r);
  for (int i = 0; i < nb * no; i++)
    rx_rng_init(&r, 3, 13, (uint32_t)i, 0, 0), F[i] = (float)rx_rng_normal(&r);
  for (int t = 0; t < n; t++)
    for (int k = 0; k < no; k++) {
      double s = bias[k];
      for (int j = 0; j < nr; j++)
        s += (double)h[t * nr + j] * W[k * nr + j];
      yd[t * no + k] = s;
      y[t * no + k] = (float)s;
    }
  const double s2 = 3.0;
  rx_error err;
  rx_replay_decoder dout, dfold;
  REQUIRE(rx_replay_posterior(y, n, no, F, nb, s2, P, &err) == 0);
  REQUIRE(rx_replay_decoder_outputs(&dout, F, nb, no, &err) == 0);
  REQUIRE(rx_replay_decode(&dout, y, n, s2, Q, &err) == 0);
  CHECK_MSG(memcmp(P, Q, (size_t)n * nb * sizeof *P) == 0,
            "outputs decoder differs from the posterior");
  REQUIRE_MSG(rx_replay_decoder_readout(&dfold, F, nb, no, W, bias, nr, &err) == 0, "%s", err.msg);
  CHECK(dfold.folded && dfold.n_in == nr && dfold.n_bins == nb);
  REQUIRE(rx_replay_decode(&dfold, h, n, s2, Q, &err) == 0);
  double worst_fold = 0, worst_out = 0;
  for (int t = 0; t < n; t++) {
    double want_row[37];
    ref_posterior(yd + (size_t)t * no, no, F, nb, s2, want_row);
    for (int b = 0; b < nb; b++) {
      const double want = want_row[b];
      worst_fold = fmax(worst_fold, fabs(Q[t * nb + b] - want));
      worst_out = fmax(worst_out, fabs(P[t * nb + b] - want));
    }
  }
  CHECK_MSG(worst_fold < 1e-4 && worst_fold < 20 * worst_out + 1e-6,
            "folded readout deviates by %g from the formula (the outputs' posterior by %g)",
            worst_fold, worst_out);
  /* a decoder without the bias is another posterior: the test can tell them apart */
  rx_replay_decoder dnob;
  REQUIRE(rx_replay_decoder_readout(&dnob, F, nb, no, W, NULL, nr, &err) == 0);
  REQUIRE(rx_replay_decode(&dnob, h, n, s2, Q1, &err) == 0);
  double diff = 0;
  for (int i = 0; i < n * nb; i++)
    diff = fmax(diff, fabs(Q1[i] - Q[i]));
  CHECK_MSG(diff > 1e-2, "the bias changes the posterior by only %g", diff);
  rx_replay_decoder_free(&dnob);
  /* thread count */
  const int threads = rx_get_threads();
  rx_set_threads(1);
  rx_replay_decoder d1;
  REQUIRE(rx_replay_decoder_readout(&d1, F, nb, no, W, bias, nr, &err) == 0);
  REQUIRE(rx_replay_decode(&d1, h, n, s2, Q1, &err) == 0);
  rx_set_threads(threads);
  CHECK_MSG(memcmp(Q, Q1, (size_t)n * nb * sizeof *Q) == 0,
            "folded posterior differs on one thread");
  rx_replay_decoder_free(&d1);
  /* bad values, named */
  h[5 * nr + 3] = NAN;
  CHECK(rx_replay_decode(&dfold, h, n, s2, Q, &err) == RX_ENUMERIC &&
        strstr(err.msg, "hidden state [5, 3] is nan"));
  W[2 * nr + 1] = INFINITY;
  rx_replay_decoder bad;
  CHECK(rx_replay_decoder_readout(&bad, F, nb, no, W, bias, nr, &err) == RX_ENUMERIC &&
        strstr(err.msg, "readout weight [2, 1] is inf"));
  CHECK(rx_replay_decode(&dfold, h, n, 0.0, Q, &err) == RX_EINVAL && strstr(err.msg, "s2"));
  rx_replay_decoder_free(&dout);
  rx_replay_decoder_free(&dfold);
  free(h), free(W), free(bias), free(F), free(y), free(P), free(Q), free(Q1), free(yd);
}

/* ---- the line score ---- */

static void test_line_score_is_the_best_line_of_a_brute_force_search(void) {
  /* varied shapes and options, ring and line: R and the best line's own score agree with the
   * definition evaluated in double over every line */
  const struct {
    int T, B, K, w, circular;
    double v_max;
  } cases[] = {{25, 72, 121, 2, 1, 4.0}, {25, 72, 121, 2, 0, 4.0}, {7, 13, 11, 1, 1, 2.5},
               {7, 13, 10, 1, 0, 2.5},   {12, 30, 41, 0, 0, 3.0},  {40, 20, 1, 2, 1, 0.0},
               {9, 200, 121, 3, 0, 6.0}, {3, 9, 5, 1, 1, 9.0}};
  rx_error err;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const int T = cases[c].T, B = cases[c].B, n = 6;
    rx_line_score_opts o = rx_line_score_opts_default();
    o.n_speeds = cases[c].K;
    o.band = cases[c].w;
    o.circular = cases[c].circular;
    o.v_max = cases[c].v_max;
    o.n_shuffles = 0;
    float *P = noise_events(n, T, B, (uint32_t)(40 + c));
    /* two of the events are bumps, so that the best lines are clear ones too */
    bump_event(P, T, B, 3.0, 0.7, 1.0, o.circular);
    bump_event(P + (size_t)T * B, T, B, B - 2.0, -0.4, 0.8, o.circular);
    rx_line_score out[6];
    REQUIRE_MSG(rx_replay_line_scores(P, n, T, B, &o, 0, out, NULL, NULL, &err) == 0, "%s",
                err.msg);
    for (int e = 0; e < n; e++) {
      const float *Pe = P + (size_t)e * T * B;
      const double R = ref_line_score(Pe, T, B, &o);
      double *S = malloc((size_t)T * (B + 2 * o.band) * sizeof *S);
      ref_band(Pe, T, B, o.band, o.circular, S);
      const double own = ref_line_value(S, T, B, o.band, o.circular, out[e].speed, out[e].start);
      free(S);
      /* the integer band sums are within 2^-26 of the real ones per step */
      CHECK_MSG(fabs(out[e].score - R) < 1e-7, "case %zu event %d: R %.9f, brute force %.9f", c, e,
                out[e].score, R);
      CHECK_MSG(fabs(own - R) < 1e-7, "case %zu event %d: the best line (v %g, b0 %d) scores %.9f",
                c, e, out[e].speed, out[e].start, own);
      CHECK(isnan(out[e].p_column) && isnan(out[e].p_time) && !out[e].significant);
      if (o.circular) CHECK(out[e].start >= 0 && out[e].start < B);
    }
    free(P);
  }
}

static void test_line_nulls_are_the_scores_of_the_documented_shuffles(void) {
  /* each null score equals the brute-force R of the event shuffled by the documented draws;
   * ring and line, bands reaching the seam and both ends at once, a bump (nulls far below R)
   * and noise (nulls near R) */
  const struct {
    int circular, T, B, w;
  } cases[] = {{0, 25, 40, 2}, {1, 25, 40, 2}, {0, 7, 13, 3}, {1, 7, 13, 3}, {0, 9, 20, 0}};
  rx_error err;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const int T = cases[c].T, B = cases[c].B, n = 3, S = 12;
    rx_line_score_opts o = rx_line_score_opts_default();
    o.circular = cases[c].circular;
    o.band = cases[c].w;
    o.n_shuffles = S;
    o.seed = 77;
    float *P = noise_events(n, T, B, 50 + (uint32_t)c);
    bump_event(P, T, B, 2.0, 1.1, 1.0, o.circular);
    rx_line_score out[3];
    double nc[3 * 12], nt[3 * 12];
    const uint32_t first = 1000;
    REQUIRE_MSG(rx_replay_line_scores(P, n, T, B, &o, first, out, nc, nt, &err) == 0, "%s",
                err.msg);
    float *Q = malloc((size_t)T * B * sizeof *Q);
    for (int e = 0; e < n; e++) {
      const double R = ref_line_score(P + (size_t)e * T * B, T, B, &o);
      int gec = 0, get = 0;
      for (int s = 0; s < S; s++) {
        shuffle_event(P + (size_t)e * T * B, T, B, o.seed, o.stream, first + e, s, 0, Q);
        const double rc = ref_line_score(Q, T, B, &o);
        shuffle_event(P + (size_t)e * T * B, T, B, o.seed, o.stream, first + e, s, 1, Q);
        const double rt = ref_line_score(Q, T, B, &o);
        CHECK_MSG(fabs(nc[e * S + s] - rc) < 1e-7,
                  "case %zu event %d column shuffle %d: %.9f vs %.9f", c, e, s, nc[e * S + s], rc);
        CHECK_MSG(fabs(nt[e * S + s] - rt) < 1e-7,
                  "case %zu event %d time shuffle %d: %.9f vs %.9f", c, e, s, nt[e * S + s], rt);
        gec += nc[e * S + s] >= out[e].score;
        get += nt[e * S + s] >= out[e].score;
      }
      CHECK_NEAR(out[e].score, R, 1e-7);
      CHECK_NEAR(out[e].p_column, (1.0 + gec) / (1.0 + S), 1e-15);
      CHECK_NEAR(out[e].p_time, (1.0 + get) / (1.0 + S), 1e-15);
    }
    if (B > 20) /* the bump beats every shuffle */
      CHECK_MSG(out[0].p_column < 0.1 && out[0].p_time < 0.1, "case %zu: p %g %g", c,
                out[0].p_column, out[0].p_time);
    free(Q);
    free(P);
  }
}

static void test_line_p_values_the_same_with_or_without_the_null_scores(void) {
  /* asking for the null scores switches off the early stops; the counts must not change.
   * Events from clear to borderline: bumps travelling through growing noise. Under
   * RX_TEST_SMALL (valgrind) the first 12 of the 24, the same events with the same draws: p
   * from 1/61 to 0.95, 3 significant on the line, 6 on the ring. */
  rx_error err;
  for (int circ = 0; circ <= 1; circ++) {
    const int T = 25, B = 72, n = rx_test_small() ? 12 : 24;
    rx_line_score_opts o = rx_line_score_opts_default();
    o.circular = circ;
    o.n_shuffles = 60;
    float *P = noise_events(n, T, B, 60 + circ);
    float *bump = malloc((size_t)T * B * sizeof *bump);
    for (int e = 0; e < n; e++) {
      bump_event(bump, T, B, 10 + e, circ ? 0.3 + 0.1 * e : 0.3 + 0.02 * e, 1.0, circ);
      /* a faint bump (5 % of the mass, down to 0; the last 8: noise alone) in noise of mass ~1
       * per step: p-values from 1/61 to 1 */
      const double mix = e < 16 ? 0.05 * (1.0 - e / 16.0) : 0.0;
      for (int i = 0; i < T * B; i++) {
        float *p = P + (size_t)e * T * B + i;
        *p = (float)(mix * bump[i] + (1 - mix) * 5.0 / B * *p);
      }
    }
    rx_line_score a[24], b[24];
    double *nc = malloc((size_t)n * o.n_shuffles * sizeof *nc);
    REQUIRE_MSG(rx_replay_line_scores(P, n, T, B, &o, 0, a, NULL, NULL, &err) == 0, "%s", err.msg);
    REQUIRE_MSG(rx_replay_line_scores(P, n, T, B, &o, 0, b, nc, NULL, &err) == 0, "%s", err.msg);
    int sig = 0, nonsig = 0;
    for (int e = 0; e < n; e++) {
      CHECK_MSG(a[e].p_column == b[e].p_column && a[e].p_time == b[e].p_time,
                "circ %d event %d: p %g %g without the nulls, %g %g with", circ, e, a[e].p_column,
                a[e].p_time, b[e].p_column, b[e].p_time);
      CHECK(a[e].score == b[e].score && a[e].speed == b[e].speed && a[e].start == b[e].start);
      sig += a[e].significant;
      nonsig += !a[e].significant;
    }
    CHECK_MSG(sig >= 3 && nonsig >= 3, "circ %d: %d significant, %d not: both kinds tested", circ,
              sig, nonsig);
    /* sharp bumps (s.d. 1 bin) at random positions: many shuffles' best lines land on R or just
     * below it, where the ring's screen by groups of speeds must not drop a line that reaches R */
    float *Q = random_bump_events(n, T, B, circ, 90 + (uint32_t)circ);
    REQUIRE_MSG(rx_replay_line_scores(Q, n, T, B, &o, 0, a, NULL, NULL, &err) == 0, "%s", err.msg);
    REQUIRE_MSG(rx_replay_line_scores(Q, n, T, B, &o, 0, b, nc, NULL, &err) == 0, "%s", err.msg);
    for (int e = 0; e < n; e++)
      CHECK_MSG(a[e].p_column == b[e].p_column && a[e].p_time == b[e].p_time,
                "circ %d random bumps, event %d: p %g %g without the nulls, %g %g with", circ, e,
                a[e].p_column, a[e].p_time, b[e].p_column, b[e].p_time);
    free(Q);
    free(nc);
    free(bump);
    free(P);
  }
}

static void test_line_travelling_bump_detected_at_its_speed(void) {
  /* a bump of s.d. 1 bin moving at v bins per step: p < 0.05 under both nulls and the fitted
   * speed within one grid step (2 v_max / (n_speeds - 1) = 1/15), forwards, backwards, across
   * the ring's wrap, and on a line */
  const struct {
    int circular;
    double start, v;
  } cases[] = {{1, 10.0, 1.3}, {1, 60.0, -2.2}, {1, 64.0, 1.5},  {1, 3.0, -0.8},
               {1, 20.0, 3.6}, {0, 10.0, 0.9},  {0, 60.0, -1.7}, {0, 30.0, 0.25}};
  const int T = 25, B = 72, n = (int)(sizeof cases / sizeof cases[0]);
  float *P = malloc((size_t)n * T * B * sizeof *P);
  for (int e = 0; e < n; e++)
    bump_event(P + (size_t)e * T * B, T, B, cases[e].start, cases[e].v, 1.0, cases[e].circular);
  rx_error err;
  const double step = 8.0 / 120.0;
  for (int e = 0; e < n; e++) {
    rx_line_score_opts o = rx_line_score_opts_default();
    o.circular = cases[e].circular;
    rx_line_score out;
    REQUIRE(rx_replay_line_scores(P + (size_t)e * T * B, 1, T, B, &o, (uint32_t)e, &out, NULL, NULL,
                                  &err) == 0);
    CHECK_MSG(out.p_column < 0.05 && out.p_time < 0.05 && out.significant, "case %d: p %g, %g", e,
              out.p_column, out.p_time);
    CHECK_MSG(fabs(out.speed - cases[e].v) <= step + 1e-9, "case %d: speed %g for %g", e, out.speed,
              cases[e].v);
    const double d0 = out.start - cases[e].start;
    CHECK_MSG(fabs(o.circular ? ring_diff(d0, B) : d0) <= 1.0, "case %d: b0 %d for %g", e,
              out.start, cases[e].start);
    CHECK_MSG(out.score > 0.9, "case %d: R %g", e, out.score); /* +-2 s.d.: 95 % of the mass */
  }
  /* the wrap case really wraps: it starts at bin 64 and ends past bin 72 + 28 */
  CHECK(cases[2].start + cases[2].v * (T - 1) > B + 20);
  /* a bump that stands still is a line (v 0) but not a sequence: every time shuffle is the same
   * event, so p_time is 1 */
  rx_line_score_opts o = rx_line_score_opts_default();
  o.circular = 1;
  rx_line_score still;
  bump_event(P, T, B, 36.0, 0.0, 1.0, 1);
  REQUIRE(rx_replay_line_scores(P, 1, T, B, &o, 0, &still, NULL, NULL, &err) == 0);
  CHECK(still.speed == 0 && still.start == 36 && still.p_column < 0.05 && still.p_time == 1 &&
        !still.significant);
  free(P);
}

static void test_line_track_scores_a_constant_speed_and_refuses_a_wrap(void) {
  /* a linear track of 2.2 m in 5 cm bins (44), dt 0.02 s: a bump moving at 1.5 bins per step
   * (3.75 m/s) along it scores R > 0.9 at that speed without wrap; the same bump carried past
   * the far end and on from bin 0 (a sequence that fits only on a ring) scores high with wrap
   * but not on the track, where no line holds more than its longer part */
  enum { T = 25, B = 44 };
  const double w = 2.2 / B, dt = 0.02, v = 1.5;
  float *P = malloc(2 * (size_t)T * B * sizeof *P);
  bump_event(P, T, B, 4.0, v, 1.0, 0);                  /* 4 .. 40: on the track */
  bump_event(P + (size_t)T * B, T, B, 30.0, v, 1.0, 1); /* 30 .. 66 = 22 past the end */
  rx_line_score_opts o = rx_line_score_opts_default();
  o.circular = 0;
  rx_line_score out[2], wrap;
  rx_error err;
  REQUIRE_MSG(rx_replay_line_scores(P, 2, T, B, &o, 0, out, NULL, NULL, &err) == 0, "%s", err.msg);
  CHECK_MSG(out[0].score > 0.9 && out[0].significant, "track: R %g, p %g %g", out[0].score,
            out[0].p_column, out[0].p_time);
  CHECK_MSG(fabs(out[0].speed * w / dt - v * w / dt) <= 8.0 / 120 * w / dt + 1e-9,
            "track: %g m/s for %g", out[0].speed * w / dt, v * w / dt);
  CHECK_MSG(abs(out[0].start - 4) <= 1, "track: b0 %d", out[0].start);
  /* the wrapped sequence: 10 of 25 steps before the end, 15 after; the best line follows the
   * longer part, about 15 / 25 x 0.95 of the mass (that part alone may well be significant) */
  CHECK_MSG(out[1].score < 0.7, "wrapped sequence on the track: R %g", out[1].score);
  o.circular = 1;
  REQUIRE(rx_replay_line_scores(P + (size_t)T * B, 1, T, B, &o, 1, &wrap, NULL, NULL, &err) == 0);
  CHECK_MSG(wrap.score > 0.9 && fabs(wrap.speed - v) <= 8.0 / 120 + 1e-9,
            "wrapped sequence on the ring: R %g, speed %g", wrap.score, wrap.speed);
  free(P);
}

static void test_masked_decoder_and_marginal_have_known_answers(void) {
  /* 12 bins, 5 units; bins 0 .. 3 masked out, among them the best one: the masked posterior is
   * the unmasked one restricted to the other bins and renormalised, and exactly 0 outside */
  enum { NB = 12, NO = 5, N = 7 };
  float F[NB * NO], y[N * NO], P[N * NB], Q[N * NB];
  for (int b = 0; b < NB; b++)
    for (int k = 0; k < NO; k++)
      F[b * NO + k] = (float)(0.3 * sin(0.7 * b + 1.3 * k) + 0.05 * b);
  for (int i = 0; i < N; i++)
    for (int k = 0; k < NO; k++)
      y[i * NO + k] = F[(i % 4) * NO + k] + (float)(0.02 * cos(i + k)); /* near bins 0 .. 3 */
  unsigned char in[NB];
  for (int b = 0; b < NB; b++)
    in[b] = b >= 4;
  rx_replay_decoder d;
  rx_error err;
  REQUIRE(rx_replay_decoder_outputs(&d, F, NB, NO, &err) == 0);
  REQUIRE(rx_replay_decode(&d, y, N, 0.05, P, &err) == 0);
  REQUIRE(rx_replay_decoder_mask(&d, in, &err) == 0);
  REQUIRE(rx_replay_decode(&d, y, N, 0.05, Q, &err) == 0);
  for (int i = 0; i < N; i++) {
    /* reference in double: exp(-|y - F_b|^2 / 2 s2) over the inside bins */
    double ref[NB], sum = 0, mx = -INFINITY;
    for (int b = 4; b < NB; b++) {
      double d2 = 0;
      for (int k = 0; k < NO; k++) {
        const double e = (double)y[i * NO + k] - F[b * NO + k];
        d2 += e * e;
      }
      ref[b] = -d2 / 0.1;
      mx = fmax(mx, ref[b]);
    }
    for (int b = 4; b < NB; b++)
      sum += ref[b] = exp(ref[b] - mx);
    for (int b = 0; b < NB; b++) {
      if (b < 4) {
        CHECK_MSG(Q[i * NB + b] == 0.0f, "row %d bin %d outside: %g", i, b, Q[i * NB + b]);
        continue;
      }
      CHECK_MSG(fabs(Q[i * NB + b] - ref[b] / sum) < 1e-5, "row %d bin %d: %g, expected %g", i, b,
                Q[i * NB + b], ref[b] / sum);
    }
    int best = 0;
    for (int b = 1; b < NB; b++)
      best = P[i * NB + b] > P[i * NB + best] ? b : best;
    CHECK(best < 4); /* the unmasked posterior peaked outside */
  }
  const unsigned char none[NB] = {0};
  CHECK(rx_replay_decoder_mask(&d, none, &err) == RX_EINVAL && strstr(err.msg, "none of the 12"));
  rx_replay_decoder_free(&d);
  /* the marginal over y of a 3 x 4 plane (bin iy 4 + ix): column sums */
  float plane[2 * 12], m[2 * 4];
  for (int i = 0; i < 24; i++)
    plane[i] = (float)(i + 1);
  rx_replay_marginal_x(plane, 2, 4, 3, m);
  for (int r = 0; r < 2; r++)
    for (int ix = 0; ix < 4; ix++) {
      const int b0 = r * 12 + ix + 1; /* 1 + the first row's value */
      CHECK(m[r * 4 + ix] == (float)(b0 + (b0 + 4) + (b0 + 8)));
    }
}

static void test_line_random_positions_significant_at_the_nominal_rate(void) {
  /* each step a bump at an independent uniform position: H0 holds for both nulls, so at alpha
   * 0.05 the fraction significant under both should be near (at most) 5 %; 400 events */
  /* (valgrind: 100 smaller events, 100 shuffles, bounds for 100 events) */
  const int small = rx_test_small(), n = small ? 100 : 400, T = small ? 12 : 25,
            B = small ? 24 : 72;
  rx_error err;
  for (int circ = 1; circ >= 0; circ--) {
    float *P = random_bump_events(n, T, B, circ, 90 + circ);
    rx_line_score_opts o = rx_line_score_opts_default();
    o.circular = circ;
    o.seed = 5;
    if (small) o.n_shuffles = 100; /* (valgrind) p < 0.05 is still 4 or fewer null >= R */
    rx_line_score *out = malloc(n * sizeof *out);
    REQUIRE(rx_replay_line_scores(P, n, T, B, &o, 0, out, NULL, NULL, &err) == 0);
    rx_replay_summary sum;
    REQUIRE(rx_replay_summarize_line(out, n, &sum, &err) == 0);
    int col = 0, tim = 0;
    for (int e = 0; e < n; e++) {
      col += out[e].p_column < 0.05;
      tim += out[e].p_time < 0.05;
    }
    fprintf(stderr, "    %s, %d x %d: significant %.1f %% (column %.1f %%, time %.1f %%)\n",
            circ ? "ring" : "line", T, B, 100 * sum.fraction_significant, 100.0 * col / n,
            100.0 * tim / n);
    CHECK_MSG(sum.fraction_significant >= 0.01 && sum.fraction_significant <= 0.10,
              "%s: %g significant", circ ? "ring" : "line", sum.fraction_significant);
    /* each null alone: 5 % +- 3.3 s.d. of n draws (400: 8 to 36; 100: 1 to 12) */
    const int lo = small ? 1 : 8, hi = small ? 12 : 36;
    CHECK_MSG(col >= lo && col <= hi, "%d of %d significant under the column-cycle null", col, n);
    CHECK_MSG(tim >= lo && tim <= hi, "%d of %d significant under the time-bin null", tim, n);
    free(out);
    free(P);
  }
}

static void test_line_results_the_same_for_any_threads_or_batch(void) {
  const int T = 25, B = 60, n = 9, S = 30;
  float *P = random_bump_events(n, T, B, 1, 123);
  bump_event(P + 4 * T * B, T, B, 7, 1.2, 1.0, 1);
  rx_line_score_opts o = rx_line_score_opts_default();
  o.circular = 1;
  o.n_shuffles = S;
  rx_line_score a[9], b[9], c[9];
  double na[2][9 * 30], nb[2][9 * 30], nc[2][9 * 30];
  rx_error err;
  const int threads = rx_get_threads();
  rx_set_threads(1);
  REQUIRE(rx_replay_line_scores(P, n, T, B, &o, 100, a, na[0], na[1], &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_replay_line_scores(P, n, T, B, &o, 100, b, nb[0], nb[1], &err) == 0);
  /* one at a time, each with its own id */
  for (int e = 0; e < n; e++)
    REQUIRE(rx_replay_line_scores(P + (size_t)e * T * B, 1, T, B, &o, 100 + e, c + e, nc[0] + e * S,
                                  nc[1] + e * S, &err) == 0);
  rx_set_threads(threads);
  CHECK(memcmp(a, b, sizeof a) == 0);
  CHECK(memcmp(a, c, sizeof a) == 0);
  CHECK(memcmp(na, nb, sizeof na) == 0);
  CHECK(memcmp(na, nc, sizeof na) == 0);
  CHECK(a[4].significant);
  /* another first id draws other shuffles */
  rx_line_score d[9];
  double nd[9 * 30];
  REQUIRE(rx_replay_line_scores(P, n, T, B, &o, 0, d, nd, NULL, &err) == 0);
  CHECK(memcmp(nd, na[0], sizeof nd) != 0);
  free(P);
}

/* ---- the 2-D score ---- */

/* Weighted least squares of the event (T, nb) over centres (nb, 2), all pairs (t, b) weighted
 * by the normalised posterior: r2, y0, v, done from the normal equations in the plain way. */
static void ref_path(const float *P, int T, int nb, const float *ctr, double *r2, double *y0,
                     double *v) {
  double sw = 0, st = 0, stt = 0, sx[2] = {0, 0}, stx[2] = {0, 0};
  for (int t = 0; t < T; t++) {
    double tot = 0;
    for (int b = 0; b < nb; b++)
      tot += P[t * nb + b];
    for (int b = 0; b < nb; b++) {
      const double w = P[t * nb + b] / tot;
      sw += w;
      st += w * t;
      stt += w * t * t;
      for (int a = 0; a < 2; a++) {
        sx[a] += w * ctr[2 * b + a];
        stx[a] += w * t * ctr[2 * b + a];
      }
    }
  }
  const double det = sw * stt - st * st;
  double res = 0, tot = 0;
  for (int a = 0; a < 2; a++) {
    v[a] = (sw * stx[a] - st * sx[a]) / det;
    y0[a] = (sx[a] - v[a] * st) / sw;
  }
  for (int t = 0; t < T; t++) {
    double rs = 0;
    for (int b = 0; b < nb; b++)
      rs += P[t * nb + b];
    for (int b = 0; b < nb; b++) {
      const double w = P[t * nb + b] / rs;
      for (int a = 0; a < 2; a++) {
        const double f = y0[a] + v[a] * t, m = sx[a] / sw;
        res += w * (ctr[2 * b + a] - f) * (ctr[2 * b + a] - f);
        tot += w * (ctr[2 * b + a] - m) * (ctr[2 * b + a] - m);
      }
    }
  }
  *r2 = 1 - res / tot;
}

static void test_path_score_is_the_weighted_least_squares_fit(void) {
  const int T = 11, nb = 30, n = 4, S = 15;
  float ctr[60];
  for (int b = 0; b < nb; b++) {
    rx_rng r;
    rx_rng_init(&r, 4, 12, (uint32_t)b, 0, 0);
    ctr[2 * b] = (float)rx_rng_uniform(&r);
    ctr[2 * b + 1] = (float)(2 * rx_rng_uniform(&r) - 1);
  }
  float *P = noise_events(n, T, nb, 70);
  rx_path_score_opts o = rx_path_score_opts_default();
  o.n_shuffles = S;
  o.seed = 3;
  rx_path_score out[4];
  double null_r2[4 * 15];
  rx_error err;
  REQUIRE(rx_replay_path_scores(P, n, T, nb, ctr, &o, 20, out, null_r2, &err) == 0);
  float *Q = malloc((size_t)T * nb * sizeof *Q);
  for (int e = 0; e < n; e++) {
    double r2, y0[2], v[2];
    ref_path(P + (size_t)e * T * nb, T, nb, ctr, &r2, y0, v);
    CHECK_NEAR(out[e].r2, r2, 1e-9);
    CHECK_NEAR(out[e].start[0], y0[0], 1e-9);
    CHECK_NEAR(out[e].start[1], y0[1], 1e-9);
    CHECK_NEAR(out[e].velocity[0], v[0], 1e-9);
    CHECK_NEAR(out[e].velocity[1], v[1], 1e-9);
    CHECK_NEAR(out[e].speed, hypot(v[0], v[1]), 1e-9);
    int ge = 0;
    for (int s = 0; s < S; s++) {
      shuffle_event(P + (size_t)e * T * nb, T, nb, o.seed, o.stream, 20 + e, s, 2, Q);
      ref_path(Q, T, nb, ctr, &r2, y0, v);
      CHECK_NEAR(null_r2[e * S + s], r2, 1e-9);
      ge += null_r2[e * S + s] >= out[e].r2 - 1e-12;
    }
    CHECK_NEAR(out[e].p_time, (1.0 + ge) / (1.0 + S), 1e-15);
  }
  free(Q);
  free(P);
}

static void test_path_straight_line_scores_high_and_random_walk_low(void) {
  rx_error err;
  const int T = 25, n_walk = 200;
  rx_path_score_opts o = rx_path_score_opts_default();
  /* points on a line at constant speed, with 5 mm of noise */
  float pts[25 * 2];
  for (int t = 0; t < T; t++) {
    rx_rng r;
    rx_rng_init(&r, 8, 13, (uint32_t)t, 0, 0);
    pts[2 * t] = (float)(-0.6 + 0.05 * t + 0.005 * rx_rng_normal(&r));
    pts[2 * t + 1] = (float)(0.3 - 0.03 * t + 0.005 * rx_rng_normal(&r));
  }
  rx_path_score line;
  REQUIRE(rx_replay_path_scores_points(pts, 1, T, &o, 0, &line, NULL, &err) == 0);
  fprintf(stderr, "    straight points: R^2 %.4f, p %.4f, speed %.4f\n", line.r2, line.p_time,
          line.speed);
  CHECK(line.r2 > 0.95 && line.significant && line.p_time < 0.05);
  CHECK_NEAR(line.speed, hypot(0.05, 0.03), 0.003);
  CHECK(line.straightness > 0.9);
  CHECK_NEAR(line.path_length, (T - 1) * hypot(0.05, 0.03), 0.05);
  /* the same path as a posterior: a bump of s.d. one bin (5 cm) on 5 cm bins, moving 6 cm a step */
  rx_replay_grid g;
  REQUIRE(rx_replay_grid_plane(&g, -1.1, 1.1, -1.1, 1.1, 0.05, &err) == 0);
  float *P = malloc((size_t)T * g.n_bins * sizeof *P);
  for (int t = 0; t < T; t++) {
    const double cx = -0.7 + 0.06 * t * 0.8, cy = 0.5 - 0.06 * t * 0.6;
    for (int b = 0; b < g.n_bins; b++) {
      const double dx = g.centers[2 * b] - cx, dy = g.centers[2 * b + 1] - cy;
      P[t * g.n_bins + b] = (float)exp(-(dx * dx + dy * dy) / (2 * 0.05 * 0.05));
    }
  }
  rx_path_score post;
  REQUIRE(rx_replay_path_scores(P, 1, T, g.n_bins, g.centers, &o, 1, &post, NULL, &err) == 0);
  fprintf(stderr, "    straight posterior: R^2 %.4f, p %.4f, speed %.4f (true 0.06)\n", post.r2,
          post.p_time, post.speed);
  CHECK(post.r2 > 0.95 && post.significant);
  /* R^2 counts the posterior's spread: sum |m_t - mbar|^2 = 0.06^2 sum (t - 12)^2 = 4.68 against
   * a spread of 25 steps x 2 axes x (5 cm)^2 = 0.125 */
  CHECK_NEAR(post.r2, 4.68 / (4.68 + 0.125), 0.002);
  CHECK_NEAR(post.speed, 0.06, 0.003);
  CHECK_NEAR(post.start[0], -0.7, 0.01);
  CHECK_NEAR(post.start[1], 0.5, 0.01);
  CHECK(post.straightness > 0.98);
  CHECK_NEAR(post.max_jump, 0.06, 0.005);
  free(P);
  rx_replay_grid_free(&g);
  /* random walks (steps of s.d. 3 cm per axis) and independent random points */
  float *walk = malloc((size_t)n_walk * T * 2 * sizeof *walk);
  float *iid = malloc((size_t)n_walk * T * 2 * sizeof *iid);
  for (int e = 0; e < n_walk; e++) {
    double x = 0, y = 0;
    for (int t = 0; t < T; t++) {
      rx_rng r;
      rx_rng_init(&r, 9, 14, (uint32_t)e, (uint32_t)t, 0);
      x += 0.03 * rx_rng_normal(&r);
      y += 0.03 * rx_rng_normal(&r);
      walk[(e * T + t) * 2] = (float)x;
      walk[(e * T + t) * 2 + 1] = (float)y;
      iid[(e * T + t) * 2] = (float)(2 * rx_rng_uniform(&r) - 1);
      iid[(e * T + t) * 2 + 1] = (float)(2 * rx_rng_uniform(&r) - 1);
    }
  }
  rx_path_score *ws = malloc(n_walk * sizeof *ws), *is = malloc(n_walk * sizeof *is);
  REQUIRE(rx_replay_path_scores_points(walk, n_walk, T, &o, 0, ws, NULL, &err) == 0);
  REQUIRE(rx_replay_path_scores_points(iid, n_walk, T, &o, 0, is, NULL, &err) == 0);
  double mw = 0, mi = 0;
  int above = 0, sig_iid = 0;
  for (int e = 0; e < n_walk; e++) {
    mw += ws[e].r2 / n_walk;
    mi += is[e].r2 / n_walk;
    above += ws[e].r2 > 0.95;
    sig_iid += is[e].significant;
  }
  fprintf(stderr,
          "    random walks: mean R^2 %.3f, %d of %d above 0.95; independent points: mean R^2 "
          "%.3f, %.1f %% significant\n",
          mw, above, n_walk, mi, 100.0 * sig_iid / n_walk);
  CHECK(mw < 0.6);
  CHECK(above <= n_walk / 50);
  CHECK(mi < 0.15);
  CHECK(sig_iid >= n_walk / 100 && sig_iid <= n_walk / 10);
  free(walk);
  free(iid);
  free(ws);
  free(is);
}

static void test_path_results_the_same_for_any_threads_or_batch(void) {
  const int T = 20, nb = 25, n = 7, S = 40;
  float ctr[50];
  for (int b = 0; b < nb; b++) {
    ctr[2 * b] = (float)(b % 5);
    ctr[2 * b + 1] = (float)(b / 5);
  }
  float *P = noise_events(n, T, nb, 80);
  rx_path_score_opts o = rx_path_score_opts_default();
  o.n_shuffles = S;
  rx_path_score a[7], b[7], c[7];
  double na[7 * 40], nb2[7 * 40], nc[7 * 40];
  rx_error err;
  const int threads = rx_get_threads();
  rx_set_threads(1);
  REQUIRE(rx_replay_path_scores(P, n, T, nb, ctr, &o, 9, a, na, &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_replay_path_scores(P, n, T, nb, ctr, &o, 9, b, nb2, &err) == 0);
  for (int e = 0; e < n; e++)
    REQUIRE(rx_replay_path_scores(P + (size_t)e * T * nb, 1, T, nb, ctr, &o, 9 + e, c + e,
                                  nc + e * S, &err) == 0);
  rx_set_threads(threads);
  CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(a, c, sizeof a) == 0);
  CHECK(memcmp(na, nb2, sizeof na) == 0 && memcmp(na, nc, sizeof na) == 0);
  free(P);
}

static void test_path_degenerate_events(void) {
  /* a path that does not move: R^2 and p undefined (NaN), never significant; a posterior whose
   * means stand still but that has spread: R^2 0, every shuffle ties, p 1 */
  rx_error err;
  rx_path_score_opts o = rx_path_score_opts_default();
  float still[10 * 2];
  for (int i = 0; i < 20; i++)
    still[i] = 0.25f;
  rx_path_score s;
  REQUIRE(rx_replay_path_scores_points(still, 1, 10, &o, 0, &s, NULL, &err) == 0);
  CHECK(isnan(s.r2) && isnan(s.p_time) && !s.significant && s.speed == 0 && isnan(s.straightness));
  CHECK(s.path_length == 0 && s.max_jump == 0);
  float ctr[4] = {0, 0, 1, 0}, P[10 * 2];
  for (int i = 0; i < 20; i++)
    P[i] = 0.5f;
  REQUIRE(rx_replay_path_scores(P, 1, 10, 2, ctr, &o, 0, &s, NULL, &err) == 0);
  CHECK(s.r2 == 0 && s.p_time == 1 && !s.significant);
}

/* ---- summaries ---- */

static void test_summaries_count_and_take_medians(void) {
  rx_line_score l[5];
  memset(l, 0, sizeof l);
  const double v[5] = {1.0, -0.5, 2.0, 3.0, -4.0};
  const int sig[5] = {1, 1, 0, 1, 0};
  for (int i = 0; i < 5; i++) {
    l[i].speed = v[i];
    l[i].significant = sig[i];
  }
  rx_replay_summary s;
  rx_error err;
  REQUIRE(rx_replay_summarize_line(l, 5, &s, &err) == 0);
  CHECK(s.n_events == 5 && s.n_significant == 3);
  CHECK_NEAR(s.fraction_significant, 0.6, 1e-15);
  CHECK_NEAR(s.median_speed, 1.0, 1e-15);         /* of -0.5, 1, 3 */
  CHECK_NEAR(s.median_abs_speed, 1.0, 1e-15);     /* of 0.5, 1, 3 */
  CHECK_NEAR(s.median_abs_speed_all, 2.0, 1e-15); /* of 0.5, 1, 2, 3, 4 */
  l[0].significant = l[1].significant = l[3].significant = 0;
  REQUIRE(rx_replay_summarize_line(l, 5, &s, &err) == 0);
  CHECK(s.n_significant == 0 && s.fraction_significant == 0 && isnan(s.median_speed));
  rx_path_score p[4];
  memset(p, 0, sizeof p);
  for (int i = 0; i < 4; i++) {
    p[i].speed = 0.1 * (i + 1);
    p[i].significant = i != 2;
  }
  REQUIRE(rx_replay_summarize_path(p, 4, &s, &err) == 0);
  CHECK(s.n_significant == 3);
  CHECK_NEAR(s.median_speed, 0.2, 1e-15); /* of 0.1, 0.2, 0.4 */
  CHECK_NEAR(s.median_abs_speed_all, 0.25, 1e-15);
}

/* ---- bad input ---- */

static void test_bad_input_is_refused_with_one_line(void) {
  rx_error err;
  float y[4 * 3] = {0}, F[5 * 3] = {0}, P[4 * 5];
#define REFUSED(call, word)                                                                        \
  do {                                                                                             \
    memset(&err, 0, sizeof err);                                                                   \
    const int rc_ = (call);                                                                        \
    CHECK_MSG(rc_ < 0 && one_line(&err) && strstr(err.msg, word), "%s -> %d '%s'", #call, rc_,     \
              err.msg);                                                                            \
  } while (0)
  /* the posterior */
  REFUSED(rx_replay_posterior(y, 4, 3, F, 5, 0.0, P, &err), "s2 = 0");
  REFUSED(rx_replay_posterior(y, 4, 3, F, 5, -1.0, P, &err), "s2");
  REFUSED(rx_replay_posterior(y, 4, 3, F, 5, NAN, P, &err), "s2");
  REFUSED(rx_replay_posterior(y, 0, 3, F, 5, 1.0, P, &err), "0 rows");
  REFUSED(rx_replay_posterior(y, 4, 0, F, 5, 1.0, P, &err), ">= 1");
  REFUSED(rx_replay_posterior(y, 4, 3, F, 0, 1.0, P, &err), ">= 1");
  y[7] = NAN;
  REFUSED(rx_replay_posterior(y, 4, 3, F, 5, 1.0, P, &err), "output [2, 1]");
  y[7] = 0;
  F[14] = INFINITY;
  REFUSED(rx_replay_posterior(y, 4, 3, F, 5, 1.0, P, &err), "code [bin 4, unit 2]");
  F[14] = 0;
  for (int i = 0; i < 20; i++)
    P[i] = -1.0f;
  REFUSED(rx_replay_posterior_mean(P, 4, 5, F, 1, 0, (double[4]){0}, &err), "[0, 0]");
  /* the line score */
  const int T = 5, B = 8;
  float ev[2 * 5 * 8];
  for (int i = 0; i < 80; i++)
    ev[i] = 1.0f;
  rx_line_score ls[2];
  rx_line_score_opts o = rx_line_score_opts_default();
  REFUSED(rx_replay_line_scores(ev, 0, T, B, &o, 0, ls, NULL, NULL, &err), "0 events");
  REFUSED(rx_replay_line_scores(ev, 2, 1, B, &o, 0, ls, NULL, NULL, &err), "1 steps");
  REFUSED(rx_replay_line_scores(ev, 2, T, 5, &o, 0, ls, NULL, NULL, &err), "band");
  ev[43] = NAN;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err),
          "[event 1, step 0, bin 3] is nan");
  ev[43] = -0.5f;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err),
          "[event 1, step 0, bin 3] is -0.5");
  for (int b = 0; b < B; b++)
    ev[40 + b] = 0;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err),
          "[event 1, step 0] has no mass");
  for (int i = 0; i < 80; i++)
    ev[i] = 1.0f;
  o.n_speeds = 0;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err), "n_speeds");
  o = rx_line_score_opts_default();
  o.v_max = -1;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err), "v_max");
  o.v_max = NAN;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err), "v_max");
  o = rx_line_score_opts_default();
  o.alpha = 0;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err), "alpha");
  o = rx_line_score_opts_default();
  o.n_shuffles = -1;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err), "n_shuffles");
  o = rx_line_score_opts_default();
  o.circular = 2;
  REFUSED(rx_replay_line_scores(ev, 2, T, B, &o, 0, ls, NULL, NULL, &err), "circular");
  /* the 2-D score */
  rx_path_score ps[2];
  rx_path_score_opts po = rx_path_score_opts_default();
  float pts[2 * 5 * 2] = {0}, ctr[8 * 2] = {0};
  REFUSED(rx_replay_path_scores_points(pts, 2, 2, &po, 0, ps, NULL, &err), "2 steps");
  REFUSED(rx_replay_path_scores_points(pts, 0, T, &po, 0, ps, NULL, &err), "0 events");
  pts[13] = NAN;
  REFUSED(rx_replay_path_scores_points(pts, 2, T, &po, 0, ps, NULL, &err),
          "[event 1, step 1, axis 1]");
  ctr[5] = INFINITY;
  REFUSED(rx_replay_path_scores(ev, 2, T, B, ctr, &po, 0, ps, NULL, &err), "centre of bin 2");
  ctr[5] = 0;
  REFUSED(rx_replay_path_scores(ev, 2, T, 0, ctr, &po, 0, ps, NULL, &err), "0 bins");
  ev[3] = NAN;
  REFUSED(rx_replay_path_scores(ev, 2, T, B, ctr, &po, 0, ps, NULL, &err),
          "[event 0, step 0, bin 3]");
  /* bins and summaries */
  rx_replay_grid g;
  REFUSED(rx_replay_grid_plane(&g, 0, 1, 0, 1, 0.0, &err), "bin size 0");
  REFUSED(rx_replay_grid_plane(&g, 1, 1, 0, 1, 0.1, &err), "span [1, 1]");
  REFUSED(rx_replay_grid_ring(&g, NAN, &err), "bin size nan");
  REFUSED(rx_replay_grid_line(&g, 0, 1, 1e-9, &err), "at most");
  rx_replay_grid_free(&g);
  rx_replay_summary sm;
  REFUSED(rx_replay_summarize_line(ls, 0, &sm, &err), "no events");
#undef REFUSED
}

RX_TEST_MAIN(TEST(test_grid_bins_tile_the_span_and_index_their_centres),
             TEST(test_posterior_rows_sum_to_one_and_peak_at_the_true_bin),
             TEST(test_posterior_matches_the_formula_in_double),
             TEST(test_posterior_same_bits_for_any_thread_count_and_aligned_chunks),
             TEST(test_readout_decoder_is_the_posterior_of_the_readout),
             TEST(test_line_score_is_the_best_line_of_a_brute_force_search),
             TEST(test_line_nulls_are_the_scores_of_the_documented_shuffles),
             TEST(test_line_p_values_the_same_with_or_without_the_null_scores),
             TEST(test_line_travelling_bump_detected_at_its_speed),
             TEST(test_line_track_scores_a_constant_speed_and_refuses_a_wrap),
             TEST(test_masked_decoder_and_marginal_have_known_answers),
             TEST(test_line_random_positions_significant_at_the_nominal_rate),
             TEST(test_line_results_the_same_for_any_threads_or_batch),
             TEST(test_path_score_is_the_weighted_least_squares_fit),
             TEST(test_path_straight_line_scores_high_and_random_walk_low),
             TEST(test_path_results_the_same_for_any_threads_or_batch),
             TEST(test_path_degenerate_events), TEST(test_summaries_count_and_take_medians),
             TEST(test_bad_input_is_refused_with_one_line))
