/* Densities and KL (docs/science.md §6): the vectorised exp against libm, KDEs against
 * hand-computed Scott densities and the closed form for Gaussian data, pruned == every kernel,
 * sampling reproducibility, KL against closed forms and its clipping, thread-count independence,
 * and the refusals. Tolerances are stated where they are not round-off. */
#include <stdint.h>

#include "reactivate/analysis.h"
#include "reactivate/linalg.h"
#include "reactivate/rng.h"
#include "stats/fast_exp.h"
#include "stats/stats_internal.h"
#include "test_util.h"

/* ---- helpers ---- */

/* n points of N(mu, L L^T) in d = 2, rows (n, 2). */
static double *gaussian_2d(size_t n, const double mu[2], const double l[2][2], uint32_t seed) {
  double *x = malloc(n * 2 * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    rx_rng r;
    rx_rng_init(&r, seed, 77, (uint32_t)i, 0, 0);
    double z0 = rx_rng_normal(&r), z1 = rx_rng_normal(&r);
    x[2 * i] = mu[0] + l[0][0] * z0;
    x[2 * i + 1] = mu[1] + l[1][0] * z0 + l[1][1] * z1;
  }
  return x;
}

/* Inverse and determinant of a d x d matrix by Gauss-Jordan with partial pivoting (an
 * implementation independent of the library's Cholesky). */
static double invert(int d, const double *a, double *inv) {
  double m[4][8], det = 1;
  for (int i = 0; i < d; i++)
    for (int j = 0; j < 2 * d; j++)
      m[i][j] = j < d ? a[i * d + j] : (j - d == i);
  for (int c = 0; c < d; c++) {
    int piv = c;
    for (int r = c + 1; r < d; r++)
      if (fabs(m[r][c]) > fabs(m[piv][c])) piv = r;
    if (piv != c) {
      det = -det;
      for (int j = 0; j < 2 * d; j++) {
        double t = m[c][j];
        m[c][j] = m[piv][j];
        m[piv][j] = t;
      }
    }
    det *= m[c][c];
    double p = m[c][c];
    for (int j = 0; j < 2 * d; j++)
      m[c][j] /= p;
    for (int r = 0; r < d; r++)
      if (r != c) {
        double f = m[r][c];
        for (int j = 0; j < 2 * d; j++)
          m[r][j] -= f * m[c][j];
      }
  }
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++)
      inv[i * d + j] = m[i][d + j];
  return det;
}

/* Gaussian density N(x; mu, S) in d dims. */
static double gauss_pdf(int d, const double *x, const double *mu, const double *s) {
  double inv[16], q = 0;
  double det = invert(d, s, inv);
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++)
      q += (x[i] - mu[i]) * inv[i * d + j] * (x[j] - mu[j]);
  return exp(-0.5 * q) / sqrt(pow(2 * M_PI, d) * det);
}

/* Scott's kernel covariance of x (n, d), computed directly: cov (ddof 1) x n^(-2/(d+4)). */
static void scott_kernel(const double *x, size_t n, int d, double *k) {
  double mu[4] = {0};
  for (size_t i = 0; i < n; i++)
    for (int a = 0; a < d; a++)
      mu[a] += x[i * d + a] / n;
  double f2 = pow((double)n, -2.0 / (d + 4));
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) {
      double s = 0;
      for (size_t i = 0; i < n; i++)
        s += (x[i * d + a] - mu[a]) * (x[i * d + b] - mu[b]);
      k[a * d + b] = s / (n - 1) * f2;
    }
}

/* The KDE as scipy defines it, summed naively with libm's exp. */
static double naive_kde(const double *x, size_t n, int d, const double *pt) {
  double k[16], s = 0;
  scott_kernel(x, n, d, k);
  for (size_t i = 0; i < n; i++)
    s += gauss_pdf(d, pt, x + i * d, k);
  return s / n;
}

static double rel_diff(double a, double b) {
  return a == b ? 0 : fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* ---- exp ---- */

static void test_fast_exp_matches_libm_to_1e15_relative_on_kernel_range(void) {
  double worst = 0, worst_x = 0;
  for (int i = 0; i <= 200000; i++) {
    double x = -708.0 * i / 200000.0;
    double r = rel_diff(rxst_fast_exp(x), exp(x));
    if (r > worst) worst = r, worst_x = x;
  }
  for (int i = 0; i <= 20000; i++) { /* near 0, where kernels matter most */
    double x = -1e-3 * i / 20000.0 * (i % 7 + 1);
    double r = rel_diff(rxst_fast_exp(x), exp(x));
    if (r > worst) worst = r, worst_x = x;
  }
  CHECK_MSG(worst < 1e-15, "worst relative error %.3g at x = %.17g", worst, worst_x);
  /* subnormal results: one rounding, so within one subnormal ulp plus 1e-15 relative */
  for (int i = 0; i <= 10000; i++) {
    double x = -708.0 - 37.5 * i / 10000.0, e = exp(x);
    CHECK_MSG(fabs(rxst_fast_exp(x) - e) <= 1e-15 * e + 0x1p-1074, "x = %.17g", x);
  }
  CHECK(rxst_fast_exp(0.0) == 1.0);
  CHECK(rxst_fast_exp(-745.2) == 0.0 && rxst_fast_exp(-746.0) == 0.0 &&
        rxst_fast_exp(-1e300) == 0.0);
  CHECK(rxst_fast_exp(-INFINITY) == 0.0);
  CHECK(isnan(rxst_fast_exp(NAN)));
  /* the 8 lanes are independent */
  rxst_v8d v = {0.0, -0.5, -1.0, -10.0, -100.0, -700.0, -744.0, -800.0};
  rxst_v8d e = v;
  rx_exp_v8d(&e);
  for (int k = 0; k < 8; k++)
    CHECK(e[k] == rxst_fast_exp(v[k]));
}

/* ---- KDE ---- */

static void test_kde_matches_hand_computed_scott_density(void) {
  /* 2-D, five points: mean (0.5, 0.5); deviations x (-.5, .5, 1.5, -1.5, 0), y (-.5, 0, 1.5,
   * .5, -1.5): cov (ddof 1) [[5, 1.75], [1.75, 5]] / 4 by hand; factor 5^(-1/6); kernel
   * K = cov x 5^(-1/3); density = (1/5) sum N(x; x_i, K). */
  const double x2[10] = {0, 0, 1, 0.5, 2, 2, -1, 1, 0.5, -1};
  const double f2 = pow(5.0, -1.0 / 3.0);
  const double kk[4] = {1.25 * f2, 0.4375 * f2, 0.4375 * f2, 1.25 * f2};
  const double det = kk[0] * kk[3] - kk[1] * kk[2];
  rx_density *q = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x2, 5, 2, "hand", &err) == 0);
  CHECK(rx_density_dim(q) == 2);
  const double pts[10] = {0.5, 0.5, 0, 0, 3, -2, -4, 5, 10, 10};
  double got[5];
  rx_density_eval(q, pts, 5, got);
  for (int p = 0; p < 5; p++) {
    double s = 0;
    for (int i = 0; i < 5; i++) {
      double dx = pts[2 * p] - x2[2 * i], dy = pts[2 * p + 1] - x2[2 * i + 1];
      double qf = (kk[3] * dx * dx - 2 * kk[1] * dx * dy + kk[0] * dy * dy) / det;
      s += exp(-0.5 * qf) / (2 * M_PI * sqrt(det));
    }
    CHECK_MSG(rel_diff(got[p], s / 5) < 1e-12, "point %d: %.17g vs %.17g", p, got[p], s / 5);
  }
  rx_density_free(q);
  /* 1-D, four points around mean 2.75: var (ddof 1) = (7.5625 + 3.0625 + 0.0625 + 18.0625) / 3
   * = 115 / 12; factor 4^(-1/5) */
  const double x1[4] = {0, 1, 3, 7};
  const double h2 = (115.0 / 12.0) * pow(4.0, -2.0 / 5.0);
  REQUIRE(rx_density_kde(&q, x1, 4, 1, "hand 1-D", &err) == 0);
  for (double t = -5; t <= 12; t += 1.7) {
    double s = 0, v;
    for (int i = 0; i < 4; i++)
      s += exp(-0.5 * (t - x1[i]) * (t - x1[i]) / h2) / sqrt(2 * M_PI * h2);
    rx_density_eval(q, &t, 1, &v);
    CHECK_MSG(rel_diff(v, s / 4) < 1e-12, "t = %g: %.17g vs %.17g", t, v, s / 4);
  }
  rx_density_free(q);
}

static void test_kde_matches_naive_sum_in_1_to_4_dims(void) {
  for (int d = 1; d <= 4; d++) {
    const size_t n = 37;
    double x[37 * 4], pts[9 * 4], got[9];
    rx_rng r;
    rx_rng_init(&r, 5, 78, (uint32_t)d, 0, 0);
    for (size_t i = 0; i < n * d; i++)
      x[i] = rx_rng_normal(&r) * (1 + i % d) + (i % d == 1 ? 0.7 * x[i - 1] : 0);
    for (int i = 0; i < 9 * d; i++)
      pts[i] = 2.0 * rx_rng_normal(&r);
    rx_density *q = NULL;
    rx_error err;
    REQUIRE(rx_density_kde(&q, x, n, d, "naive", &err) == 0);
    rx_density_eval(q, pts, 9, got);
    for (int p = 0; p < 9; p++) {
      double ref = naive_kde(x, n, d, pts + p * d);
      CHECK_MSG(rel_diff(got[p], ref) < 1e-12, "d = %d, point %d: %.17g vs %.17g", d, p, got[p],
                ref);
    }
    rx_density_free(q);
  }
}

/* A KDE of n points from N(mu, S) has expectation N(x; mu, S + K) at x, and its variance is
 * (E[Y^2] - E[Y]^2) / n with Y = N(x; x_i, K), E[Y^2] = N(x; mu, S + K/2) / (4 pi sqrt(det K))
 * in 2-D; the check allows 5 standard errors. */
static void test_kde_of_gaussian_sample_matches_smoothed_gaussian(void) {
  const size_t n = 20000;
  const double mu[2] = {1, -2}, l[2][2] = {{1, 0}, {0.6, 1.28}}; /* S = [[1, .6], [.6, 2]] */
  const double s[4] = {1, 0.6, 0.6, 0.36 + 1.28 * 1.28};
  double *x = gaussian_2d(n, mu, l, 11);
  double k[4];
  scott_kernel(x, n, 2, k);
  rx_density *q = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, n, 2, "gaussian", &err) == 0);
  const double pts[10] = {1, -2, 2, -2, 1, -4, 3, 0, -0.5, -3};
  double got[5];
  rx_density_eval(q, pts, 5, got);
  for (int p = 0; p < 5; p++) {
    double sk[4], sk2[4];
    for (int i = 0; i < 4; i++)
      sk[i] = s[i] + k[i], sk2[i] = s[i] + 0.5 * k[i];
    double ey = gauss_pdf(2, pts + 2 * p, mu, sk);
    double ey2 = gauss_pdf(2, pts + 2 * p, mu, sk2) / (4 * M_PI * sqrt(k[0] * k[3] - k[1] * k[2]));
    double se = sqrt((ey2 - ey * ey) / n);
    CHECK_MSG(fabs(got[p] - ey) < 5 * se, "point %d: %.6g vs %.6g (se %.3g)", p, got[p], ey, se);
  }
  rx_density_free(q);
  free(x);
}

/* Pruning skips cells whose kernels sum to < 1e-12 of the rest: pruned, unpruned and a naive
 * libm sum agree to 1e-12 relative at points inside, between and far outside the data. */
static void test_kde_pruned_equals_every_kernel_and_naive_sum(void) {
  const size_t n = 3000;
  double *x = malloc(n * 2 * sizeof(double));
  rx_rng r;
  rx_rng_init(&r, 9, 79, 0, 0, 0);
  for (size_t i = 0; i < n; i++) { /* three tight clusters far apart, and a few outliers */
    int c = i % 3;
    double sd = i % 97 == 0 ? 3.0 : 0.05;
    x[2 * i] = (c == 1 ? 4.0 : 0.0) + sd * rx_rng_normal(&r);
    x[2 * i + 1] = (c == 2 ? 3.0 : 0.0) + sd * rx_rng_normal(&r);
  }
  rx_density *q = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, n, 2, "clusters", &err) == 0);
  enum { M = 120 };
  double pts[2 * M], pruned[M], every[M];
  for (int p = 0; p < M; p++) { /* along rays out of the clusters, up to far beyond the data */
    double t = 0.15 * p, a = 0.7 * p;
    pts[2 * p] = (p % 3 == 1 ? 4.0 : 0.0) + t * cos(a);
    pts[2 * p + 1] = (p % 3 == 2 ? 3.0 : 0.0) + t * sin(a);
  }
  rxst_kde_eval(q, pts, M, 1, pruned);
  rxst_kde_eval(q, pts, M, 0, every);
  int exercised = 0, zeros = 0;
  for (int p = 0; p < M; p++) {
    double ref = naive_kde(x, n, 2, pts + 2 * p);
    CHECK_MSG(fabs(pruned[p] - every[p]) <= 1e-12 * every[p], "point %d: %.17g vs %.17g", p,
              pruned[p], every[p]);
    CHECK_MSG(fabs(pruned[p] - ref) <= 1e-12 * ref + 1e-300, "point %d: %.17g vs naive %.17g", p,
              pruned[p], ref);
    zeros += ref == 0 && pruned[p] == 0;
    /* the pruning is exercised: some cell lies beyond the cut for this point */
    double z[2], m0 = INFINITY, mx = 0;
    for (int k = 0; k < 2; k++) {
      z[k] = 0;
      for (int l2 = 0; l2 <= k; l2++)
        z[k] += q->white[k][l2] * (pts[2 * p + l2] - q->mean[l2]);
    }
    for (int c = 0; c < q->n_cells; c++) {
      double s = 0;
      for (int k = 0; k < 2; k++) {
        double lo = q->box_lo[2 * c + k] - z[k], hi = z[k] - q->box_hi[2 * c + k];
        double t = lo > 0 ? lo : hi > 0 ? hi : 0;
        s += t * t;
      }
      m0 = fmin(m0, s);
      mx = fmax(mx, s);
    }
    exercised += mx > m0 + q->prune_cut;
  }
  CHECK_MSG(exercised > M / 2, "pruning exercised at only %d of %d points", exercised, M);
  CHECK_MSG(zeros > 0, "no point far enough for every kernel to underflow");
  rx_density_free(q);
  free(x);
}

static void test_kde_sampling_is_reproducible_thread_independent_and_has_kde_moments(void) {
  const size_t n = 5000, m = 40000;
  const double mu[2] = {0.3, 0.1}, l[2][2] = {{0.5, 0}, {-0.2, 0.3}};
  double *x = gaussian_2d(n, mu, l, 12);
  rx_density *q = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, n, 2, "sampling", &err) == 0);
  double *a = malloc(m * 2 * sizeof(double)), *b = malloc(m * 2 * sizeof(double));
  const int threads = rx_get_threads();
  rx_set_threads(1);
  rx_density_sample(q, m, 7, RX_STREAM_ANALYSIS, a);
  rx_set_threads(2);
  rx_density_sample(q, m, 7, RX_STREAM_ANALYSIS, b);
  CHECK(memcmp(a, b, m * 2 * sizeof(double)) == 0);
  rx_density_sample(q, 10, 7, RX_STREAM_ANALYSIS, b); /* sample i depends on i only */
  CHECK(memcmp(a, b, 10 * 2 * sizeof(double)) == 0);
  rx_density_sample(q, 10, 8, RX_STREAM_ANALYSIS, b);
  CHECK(memcmp(a, b, 10 * 2 * sizeof(double)) != 0);
  rx_set_threads(threads);
  /* the KDE's mean is the data mean, its covariance the biased data covariance + K */
  double k[4], dm[2] = {0}, dc[4] = {0}, sm[2] = {0}, sc[4] = {0};
  scott_kernel(x, n, 2, k);
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 2; c++)
      dm[c] += x[2 * i + c] / n;
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 4; c++)
      dc[c] += (x[2 * i + c / 2] - dm[c / 2]) * (x[2 * i + c % 2] - dm[c % 2]) / n;
  for (size_t i = 0; i < m; i++)
    for (int c = 0; c < 2; c++)
      sm[c] += a[2 * i + c] / m;
  for (size_t i = 0; i < m; i++)
    for (int c = 0; c < 4; c++)
      sc[c] += (a[2 * i + c / 2] - sm[c / 2]) * (a[2 * i + c % 2] - sm[c % 2]) / m;
  for (int c = 0; c < 2; c++) {
    double v = dc[3 * c] + k[3 * c];
    CHECK_NEAR(sm[c], dm[c], 5 * sqrt(v / m)); /* 5 standard errors */
  }
  for (int c = 0; c < 4; c++) {
    double v = dc[c] + k[c], scale = sqrt((dc[0] + k[0]) * (dc[3] + k[3]));
    CHECK_NEAR(sc[c], v, 5 * scale * sqrt(2.0 / m)); /* ~5 standard errors of a covariance */
  }
  rx_density_free(q);
  free(x);
  free(a);
  free(b);
}

static void test_uniform_box_density_is_inclusive_and_samples_fill_the_box(void) {
  const double lo[2] = {-1, 0}, hi[2] = {1, 0.5};
  rx_density *q = NULL;
  rx_error err;
  REQUIRE(rx_density_uniform_box(&q, 2, lo, hi, &err) == 0);
  const double pts[10] = {0, 0.25, -1, 0, 1, 0.5, 1.0000001, 0.2, 0, -1e-12};
  double v[5];
  rx_density_eval(q, pts, 5, v);
  CHECK(v[0] == 1.0 && v[1] == 1.0 && v[2] == 1.0 && v[3] == 0.0 && v[4] == 0.0);
  enum { M = 20000 };
  double *s = malloc(M * 2 * sizeof(double)), mean[2] = {0}, var0 = 0;
  rx_density_sample(q, M, 3, RX_STREAM_ANALYSIS, s);
  int inside = 1;
  for (int i = 0; i < M; i++) {
    inside &= s[2 * i] >= -1 && s[2 * i] < 1 && s[2 * i + 1] >= 0 && s[2 * i + 1] < 0.5;
    mean[0] += s[2 * i] / M;
    mean[1] += s[2 * i + 1] / M;
    var0 += s[2 * i] * s[2 * i] / M;
  }
  CHECK(inside);
  CHECK_NEAR(mean[0], 0.0, 5 * sqrt(1.0 / 3 / M));
  CHECK_NEAR(mean[1], 0.25, 5 * sqrt(0.25 / 12 / M));
  CHECK_NEAR(var0, 1.0 / 3, 5 * sqrt(4.0 / 45 / M)); /* Var(U^2) = 1/5 - 1/9 on [-1, 1] */
  free(s);
  rx_density_free(q);
  CHECK(rx_density_uniform_box(&q, 2, hi, lo, &err) == RX_EINVAL && q == NULL);
}

static void test_kde_refuses_too_few_singular_and_nonfinite_data(void) {
  rx_density *q = NULL;
  rx_error err;
  const double one[2] = {1, 2};
  CHECK(rx_density_kde(&q, one, 1, 2, "lonely run", &err) == RX_EINVAL && q == NULL);
  CHECK(strstr(err.msg, "lonely run") && strstr(err.msg, "at least 2"));
  const double same[8] = {1, 2, 1, 2, 1, 2, 1, 2};
  CHECK(rx_density_kde(&q, same, 4, 2, "frozen outputs", &err) == RX_EINVAL && q == NULL);
  CHECK(strstr(err.msg, "frozen outputs") && strstr(err.msg, "singular"));
  const double line[8] = {0, 0, 1, 2, 2, 4, 3, 6}; /* collinear */
  CHECK(rx_density_kde(&q, line, 4, 2, "line", &err) == RX_EINVAL && strstr(err.msg, "singular"));
  const double const1[3] = {5, 5, 5};
  CHECK(rx_density_kde(&q, const1, 3, 1, "flat", &err) == RX_EINVAL && strstr(err.msg, "flat"));
  const double bad[6] = {0, 0, 1, NAN, 2, 1};
  CHECK(rx_density_kde(&q, bad, 3, 2, "nan run", &err) == RX_ENUMERIC && q == NULL);
  CHECK(strstr(err.msg, "nan run") && strstr(err.msg, "point 1"));
  const double inf[6] = {0, 0, 1, 1, INFINITY, 1};
  CHECK(rx_density_kde(&q, inf, 3, 2, "inf run", &err) == RX_ENUMERIC);
  CHECK(rx_density_kde(&q, inf, 3, 5, "5-D", &err) == RX_EINVAL && strstr(err.msg, "dimension"));
}

/* ---- KL ---- */

static double kl_gauss_2d(const double *m0, const double *s0, const double *m1, const double *s1) {
  double inv[4];
  double det1 = invert(2, s1, inv), det0 = s0[0] * s0[3] - s0[1] * s0[2];
  double tr = inv[0] * s0[0] + inv[1] * s0[2] + inv[2] * s0[1] + inv[3] * s0[3];
  double dm[2] = {m1[0] - m0[0], m1[1] - m0[1]};
  double q = dm[0] * (inv[0] * dm[0] + inv[1] * dm[1]) + dm[1] * (inv[2] * dm[0] + inv[3] * dm[1]);
  return 0.5 * (tr + q - 2 + log(det1 / det0));
}

/* KDEs of 20000 points of two Gaussians: KL(Q || A) vs the closed form for the smoothed
 * Gaussians N(mu, S (1 + f^2)). 4000 samples give a Monte-Carlo s.e. of ~0.01 (s.d. of the log
 * ratio ~0.6); the KDEs' own noise (2-3 % per density) adds < 0.01: tolerance 0.05. Q is the
 * narrower, so its samples stay inside A's data; the reverse, KL(A || Q), is not Gaussian-like
 * (A's samples beyond Q's data meet the KDE's light, bandwidth-wide tails): not compared. */
static void test_kl_between_gaussian_kdes_matches_closed_form(void) {
  /* (valgrind: a quarter of the sample; the closed form allows for the bandwidth at any n) */
  const size_t n = rx_test_small() ? 5000 : 20000;
  const double mq[2] = {0.5, 0}, lq[2][2] = {{1, 0}, {0.3, 0.8}};
  const double ma[2] = {0, 0}, la[2][2] = {{1.2, 0}, {-0.2, 1}};
  double *xq = gaussian_2d(n, mq, lq, 21), *xa = gaussian_2d(n, ma, la, 22);
  rx_density *q = NULL, *a = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q, xq, n, 2, "Q", &err) == 0);
  REQUIRE(rx_density_kde(&a, xa, n, 2, "A", &err) == 0);
  const double g = 1 + pow((double)n, -1.0 / 3.0);
  const double sq[4] = {g * 1, g * 0.3, g * 0.3, g * (0.09 + 0.64)};
  const double sa[4] = {g * 1.44, g * -0.24, g * -0.24, g * (0.04 + 1)};
  const rx_density *src[2] = {q, a}, *tgt[2] = {a, q};
  double kl[4];
  REQUIRE(rx_kl_matrix(src, 2, tgt, 2, 4000, 1, RX_STREAM_ANALYSIS, kl, &err) == 0);
  CHECK_MSG(fabs(kl[0] - kl_gauss_2d(mq, sq, ma, sa)) < 0.05, "KL %g, closed form %g", kl[0],
            kl_gauss_2d(mq, sq, ma, sa)); /* KL(Q || A) */
  CHECK(kl[3] > kl[0]);                   /* A is the broader */
  CHECK(kl[1] == 0.0 && kl[2] == 0.0);    /* a density against itself */
  rx_density_free(q);
  rx_density_free(a);
  free(xq);
  free(xa);
}

/* Two independent samples of one Gaussian: the KDEs differ only by their noise (~3 % relative
 * s.d. at the centre, more in the tails) and by the self-kernel bias of the source (a sample
 * drawn from kernel i also meets kernel i in its own KDE): 0.006 here, MC s.e. ~1e-3;
 * tolerance 0.02. A KDE rebuilt from the same data gives exactly 0. */
static void test_kl_of_a_distribution_to_itself_is_zero(void) {
  const size_t n = 20000;
  const double mu[2] = {0, 1}, l[2][2] = {{0.4, 0}, {0.1, 0.2}};
  double *x1 = gaussian_2d(n, mu, l, 31), *x2 = gaussian_2d(n, mu, l, 32);
  rx_density *q1 = NULL, *q2 = NULL, *q1b = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q1, x1, n, 2, "1", &err) == 0);
  REQUIRE(rx_density_kde(&q2, x2, n, 2, "2", &err) == 0);
  REQUIRE(rx_density_kde(&q1b, x1, n, 2, "1 again", &err) == 0);
  const rx_density *src[1] = {q1}, *tgt[2] = {q2, q1b};
  double kl[2];
  REQUIRE(rx_kl_matrix(src, 1, tgt, 2, 2500, 2, RX_STREAM_ANALYSIS, kl, &err) == 0);
  CHECK_NEAR(kl[0], 0.0, 0.02);
  CHECK(kl[1] == 0.0);
  rx_density_free(q1);
  rx_density_free(q2);
  rx_density_free(q1b);
  free(x1);
  free(x2);
}

/* The uniform control against a KDE of uniform data in [0, 1]^2: inside, the KDE is ~
 * g(x) g(y), g(x) = Phi((1 - x) / h) - Phi(-x / h) (kernel mass kept in the box), so
 * KL = -int log g(x) dx - int log g(y) dy: edge effects only. MC s.e. ~0.003, KDE noise bias
 * ~1e-3: tolerance 0.01. */
static void test_kl_uniform_control_on_uniform_data_is_edge_effect_only(void) {
  const size_t n = 20000;
  double *x = malloc(n * 2 * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    rx_rng r;
    rx_rng_init(&r, 41, 80, (uint32_t)i, 0, 0);
    x[2 * i] = rx_rng_uniform(&r);
    x[2 * i + 1] = rx_rng_uniform(&r);
  }
  double k[4];
  scott_kernel(x, n, 2, k);
  rx_density *u = NULL, *a = NULL;
  rx_error err;
  const double lo[2] = {0, 0}, hi[2] = {1, 1};
  REQUIRE(rx_density_uniform_box(&u, 2, lo, hi, &err) == 0);
  REQUIRE(rx_density_kde(&a, x, n, 2, "uniform data", &err) == 0);
  double expected = 0;
  for (int axis = 0; axis < 2; axis++) {
    const double h = sqrt(k[3 * axis]);
    const int steps = 20000;
    for (int i = 0; i < steps; i++) {
      double t = (i + 0.5) / steps;
      double gval = 0.5 * (erfc(-(1 - t) / (h * M_SQRT2)) - erfc(t / (h * M_SQRT2)));
      expected -= log(gval) / steps;
    }
  }
  const rx_density *src[1] = {u}, *tgt[1] = {a};
  double kl;
  REQUIRE(rx_kl_matrix(src, 1, tgt, 1, 4000, 3, RX_STREAM_ANALYSIS, &kl, &err) == 0);
  CHECK_NEAR(kl, expected, 0.01);
  CHECK(expected > 0.03 && expected < 0.2); /* the edge effect is real but small */
  rx_density_free(u);
  rx_density_free(a);
  free(x);
}

/* A target whose support misses the source's samples (every kernel underflows): each ratio is
 * clipped to 1e7, so KL = log(1e7). The lower clip and the q = 0 guard, directly. */
static void test_kl_clips_ratios_to_1e7_and_1e_minus_7(void) {
  const double mu0[2] = {0, 0}, mu1[2] = {1000, 1000}, l[2][2] = {{0.1, 0}, {0, 0.1}};
  double *x0 = gaussian_2d(500, mu0, l, 51), *x1 = gaussian_2d(500, mu1, l, 52);
  rx_density *q = NULL, *a = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x0, 500, 2, "here", &err) == 0);
  REQUIRE(rx_density_kde(&a, x1, 500, 2, "far away", &err) == 0);
  const rx_density *src[1] = {q}, *tgt[1] = {a};
  double kl;
  REQUIRE(rx_kl_matrix(src, 1, tgt, 1, 1000, 4, RX_STREAM_ANALYSIS, &kl, &err) == 0);
  CHECK_NEAR(kl, log(1e7), 1e-12);
  CHECK(rxst_kl_log_ratio(1.0, 0.0) == log(1e7));
  CHECK(rxst_kl_log_ratio(1e300, 1e-300) == log(1e7)); /* overflowing ratio */
  CHECK(rxst_kl_log_ratio(1e-9, 1.0) == log(1e-7));
  CHECK(rxst_kl_log_ratio(0.0, 1.0) == log(1e-7) && rxst_kl_log_ratio(0.0, 0.0) == log(1e-7));
  CHECK(rxst_kl_log_ratio(2.0, 1.0) == log(2.0));
  rx_density_free(q);
  rx_density_free(a);
  free(x0);
  free(x1);
}

/* Each entry is the mean over source i's samples, drawn with (seed, stream + i), of the clipped
 * log ratio: recomputed here with naive libm sums over the same samples (1e-10: round-off). */
static void test_kl_matrix_equals_naive_mean_over_the_same_samples(void) {
  const double mu[2][2] = {{0, 0}, {0.4, -0.3}}, l[2][2] = {{0.5, 0}, {0.2, 0.4}};
  double *x[2];
  rx_density *d[3] = {NULL};
  rx_error err;
  for (int i = 0; i < 2; i++) {
    x[i] = gaussian_2d(400, mu[i], l, 70 + i);
    REQUIRE(rx_density_kde(&d[i], x[i], 400, 2, "small", &err) == 0);
  }
  const double lo[2] = {-1, -1}, hi[2] = {1, 1};
  REQUIRE(rx_density_uniform_box(&d[2], 2, lo, hi, &err) == 0);
  const rx_density *src[3] = {d[0], d[1], d[2]}, *tgt[2] = {d[1], d[0]};
  enum { S = 300 };
  double kl[6], smp[2 * S];
  REQUIRE(rx_kl_matrix(src, 3, tgt, 2, S, 9, 40, kl, &err) == 0);
  for (int i = 0; i < 3; i++) {
    rx_density_sample(src[i], S, 9, 40 + i, smp);
    for (int j = 0; j < 2; j++) {
      const double *xt = x[j == 0 ? 1 : 0];
      double sum = 0;
      for (int s2 = 0; s2 < S; s2++) {
        const double *pt = smp + 2 * s2;
        double qv = i < 2 ? naive_kde(x[i], 400, 2, pt)
                          : (fabs(pt[0]) <= 1 && fabs(pt[1]) <= 1 ? 0.25 : 0.0);
        double av = naive_kde(xt, 400, 2, pt), r = qv / av;
        sum += log(av == 0 ? 1e7 : r < 1e-7 ? 1e-7 : r > 1e7 ? 1e7 : r);
      }
      CHECK_NEAR(kl[i * 2 + j], sum / S, 1e-10);
    }
  }
  for (int i = 0; i < 3; i++)
    rx_density_free(d[i]);
  free(x[0]);
  free(x[1]);
}

static void test_kl_matrix_is_bit_identical_with_1_and_2_threads(void) {
  const double mu[3][2] = {{0, 0}, {0.5, 0.2}, {-0.3, 0.4}}, l[2][2] = {{0.3, 0}, {0.1, 0.2}};
  rx_density *d[4] = {NULL};
  rx_error err;
  double *x[3];
  for (int i = 0; i < 3; i++) {
    x[i] = gaussian_2d(3000, mu[i], l, 60 + i);
    REQUIRE(rx_density_kde(&d[i], x[i], 3000, 2, "t", &err) == 0);
  }
  const double lo[2] = {-1, -1}, hi[2] = {1, 1};
  REQUIRE(rx_density_uniform_box(&d[3], 2, lo, hi, &err) == 0);
  const rx_density *src[4] = {d[0], d[1], d[2], d[3]}, *tgt[3] = {d[0], d[1], d[2]};
  double k1[12], k2[12];
  const int threads = rx_get_threads();
  rx_set_threads(1);
  REQUIRE(rx_kl_matrix(src, 4, tgt, 3, 700, 5, RX_STREAM_ANALYSIS, k1, &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_kl_matrix(src, 4, tgt, 3, 700, 5, RX_STREAM_ANALYSIS, k2, &err) == 0);
  rx_set_threads(threads);
  CHECK(memcmp(k1, k2, sizeof k1) == 0);
  for (int i = 0; i < 3; i++)
    CHECK(k1[i * 3 + i] == 0.0);
  for (int i = 0; i < 12; i++)
    CHECK(isfinite(k1[i]));
  /* a target of another dimension is refused */
  rx_density *one = NULL;
  const double lo1[1] = {0}, hi1[1] = {1};
  REQUIRE(rx_density_uniform_box(&one, 1, lo1, hi1, &err) == 0);
  const rx_density *bad[1] = {one};
  CHECK(rx_kl_matrix(src, 4, bad, 1, 10, 5, 0, k1, &err) == RX_EINVAL &&
        strstr(err.msg, "dimension"));
  CHECK(rx_kl_matrix(src, 4, tgt, 3, 0, 5, 0, k1, &err) == RX_EINVAL);
  rx_density_free(one);
  for (int i = 0; i < 4; i++)
    rx_density_free(d[i]);
  for (int i = 0; i < 3; i++)
    free(x[i]);
}

static void test_density_grid_in_a_circle_is_one_over_its_area_and_blank_outside(void) {
  /* 4000 points uniform in the unit circle (rejection from the square), their KDE on 40 x 40
   * cells of [-1, 1]^2 masked to the cells centred in the circle: NaN outside, the inside sums to
   * 1 over the cell area, so its mean is 1 / (the inside cells' area) ~ 1 / pi; in the interior
   * (r < 0.6, over 3 bandwidths from the edge) the density is the uniform 1 / pi given back the
   * mass the kernels lost beyond the wall, 1 / (pi mass), within 5 %. Without a mask: q itself. */
  enum { N = 4000, G = 40 };
  double *x = malloc(2 * N * sizeof *x);
  size_t k = 0;
  for (uint32_t i = 0; k < N; i++) {
    rx_rng r;
    rx_rng_init(&r, 11, 78, i, 0, 0);
    const double u = 2 * rx_rng_uniform(&r) - 1, v = 2 * rx_rng_uniform(&r) - 1;
    if (u * u + v * v <= 1) x[2 * k] = u, x[2 * k + 1] = v, k++;
  }
  rx_density *q = NULL;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, N, 2, "circle", &err) == 0);
  const double lo[2] = {-1, -1}, hi[2] = {1, 1}, cell = (2.0 / G) * (2.0 / G);
  unsigned char in[G * G];
  int n_in = 0;
  for (int iy = 0; iy < G; iy++)
    for (int ix = 0; ix < G; ix++) {
      const double cx = -1 + (ix + 0.5) * 2.0 / G, cy = -1 + (iy + 0.5) * 2.0 / G;
      n_in += in[iy * G + ix] = cx * cx + cy * cy <= 1;
    }
  double *z = malloc(G * G * sizeof *z), *raw = malloc(G * G * sizeof *raw), mass = 0, m1 = 0;
  REQUIRE(rx_density_grid(q, lo, hi, G, G, in, z, &mass, &err) == 0);
  REQUIRE(rx_density_grid(q, lo, hi, G, G, NULL, raw, &m1, &err) == 0);
  CHECK(m1 == 1);
  CHECK_MSG(mass > 0.8 && mass < 1, "mass inside %g", mass); /* the kernels leak past the wall */
  double sum = 0, interior = 0;
  int n_int = 0;
  for (int iy = 0; iy < G; iy++)
    for (int ix = 0; ix < G; ix++) {
      const int i = iy * G + ix;
      const double cx = -1 + (ix + 0.5) * 2.0 / G, cy = -1 + (iy + 0.5) * 2.0 / G;
      double want;
      const double pt[2] = {cx, cy};
      rx_density_eval(q, pt, 1, &want);
      CHECK_NEAR(raw[i], want, 1e-12 * want + 1e-300);
      if (!in[i]) {
        CHECK_MSG(isnan(z[i]), "cell (%d, %d) outside: %g", ix, iy, z[i]);
        continue;
      }
      CHECK_NEAR(z[i], raw[i] / mass, 1e-12 * raw[i] / mass);
      sum += z[i];
      if (cx * cx + cy * cy < 0.36) interior += z[i], n_int++;
    }
  CHECK_NEAR(sum * cell, 1.0, 1e-12);
  CHECK_NEAR(sum / n_in, 1 / (n_in * cell), 1e-12);
  CHECK_NEAR(n_in * cell, M_PI, 0.05); /* the inside cells' area ~ pi */
  interior /= n_int;
  CHECK_MSG(fabs(interior * M_PI * mass - 1) < 0.05, "interior density %g, 1 / (pi mass) %g",
            interior, 1 / (M_PI * mass));
  const unsigned char none[G * G] = {0};
  CHECK(rx_density_grid(q, lo, hi, G, G, none, z, NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "none of the 1600 cells"));
  const double bad_hi[2] = {-1, 1};
  CHECK(rx_density_grid(q, lo, bad_hi, G, G, in, z, NULL, &err) == RX_EINVAL &&
        strstr(err.msg, "axis 0 spans [-1, -1]"));
  rx_density_free(q);
  free(x), free(z), free(raw);
}

RX_TEST_MAIN(TEST(test_fast_exp_matches_libm_to_1e15_relative_on_kernel_range),
             TEST(test_kde_matches_hand_computed_scott_density),
             TEST(test_kde_matches_naive_sum_in_1_to_4_dims),
             TEST(test_kde_of_gaussian_sample_matches_smoothed_gaussian),
             TEST(test_kde_pruned_equals_every_kernel_and_naive_sum),
             TEST(test_kde_sampling_is_reproducible_thread_independent_and_has_kde_moments),
             TEST(test_uniform_box_density_is_inclusive_and_samples_fill_the_box),
             TEST(test_density_grid_in_a_circle_is_one_over_its_area_and_blank_outside),
             TEST(test_kde_refuses_too_few_singular_and_nonfinite_data),
             TEST(test_kl_between_gaussian_kdes_matches_closed_form),
             TEST(test_kl_of_a_distribution_to_itself_is_zero),
             TEST(test_kl_uniform_control_on_uniform_data_is_edge_effect_only),
             TEST(test_kl_clips_ratios_to_1e7_and_1e_minus_7),
             TEST(test_kl_matrix_equals_naive_mean_over_the_same_samples),
             TEST(test_kl_matrix_is_bit_identical_with_1_and_2_threads))
