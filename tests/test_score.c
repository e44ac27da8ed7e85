/* Drift versus score (score.h, rx_density_score): the KDE scores against finite differences of
 * the log density and against closed forms far from the data, pruning and thread-count
 * independence, the circular KDE's Bessel functions, Scott matching and normalisation, binning
 * against a hand-made trajectory, the comparison and its permutation null against exact
 * answers, and processes with known drift: an Ornstein-Uhlenbeck process (drift = D dt x the
 * score of its stationary Gaussian), a driftless random walk, a constant push, and Langevin
 * dynamics on the ring. Tolerances are derived where they are not round-off. */
#include <omp.h>
#include <stdint.h>

#include "reactivate/analysis.h"
#include "reactivate/rng.h"
#include "reactivate/score.h"
#include "stats/score_internal.h"
#include "stats/stats_internal.h"
#include "test_util.h"

/* ---- helpers ---- */

/* n points in d dims: a two-component Gaussian mixture with correlated, unequal axes. */
static double *mixture(size_t n, int d, uint32_t seed) {
  double *x = malloc(n * d * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    rx_rng r;
    rx_rng_init(&r, seed, 91, (uint32_t)i, 0, 0);
    const int comp = rx_rng_uniform(&r) < 0.3;
    double z[4], prev = 0;
    for (int k = 0; k < d; k++)
      z[k] = rx_rng_normal(&r);
    for (int k = 0; k < d; k++) {
      /* axis k: scale 0.4 (k + 1), correlated with the previous axis; component 1 shifted */
      double v = 0.4 * (k + 1) * z[k] + 0.6 * prev;
      prev = v;
      x[i * d + k] = v + (comp ? 1.5 - 0.5 * k : 0.0);
    }
  }
  return x;
}

/* log of the density at y (d,), every kernel evaluated (no pruning). */
static double log_density(const rx_density *q, const double *y) {
  double p;
  rxst_kde_eval(q, y, 1, 0, &p);
  return log(p);
}

/* Central differences of log p at y along each axis, step h_k = 1e-4 x the kernel's s.d. */
static void fd_score(const rx_density *q, const double *y, double *out) {
  const int d = q->d;
  for (int k = 0; k < d; k++) {
    double sd2 = 0;
    for (int l = 0; l <= k; l++)
      sd2 += q->chol[k][l] * q->chol[k][l];
    const double h = 1e-4 * sqrt(sd2);
    double yp[4], ym[4];
    for (int l = 0; l < d; l++)
      yp[l] = ym[l] = y[l];
    yp[k] += h;
    ym[k] -= h;
    out[k] = (log_density(q, yp) - log_density(q, ym)) / (2 * h);
  }
}

static double norm(const double *v, int d) {
  double s = 0;
  for (int k = 0; k < d; k++)
    s += v[k] * v[k];
  return sqrt(s);
}

/* One line: no newline in the message. */
static int one_line(const rx_error *err) { return err->msg[0] && !strchr(err->msg, '\n'); }

/* Scott's kernel covariance (d = 2) computed directly, and its inverse. */
static void scott_inverse_2d(const double *x, size_t n, double hinv[4]) {
  double mu[2] = {0, 0}, c[3] = {0, 0, 0};
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < 2; k++)
      mu[k] += x[2 * i + k] / (double)n;
  for (size_t i = 0; i < n; i++) {
    const double a = x[2 * i] - mu[0], b = x[2 * i + 1] - mu[1];
    c[0] += a * a;
    c[1] += a * b;
    c[2] += b * b;
  }
  const double f2 = pow((double)n, -2.0 / 6.0) / (double)(n - 1);
  const double h00 = c[0] * f2, h01 = c[1] * f2, h11 = c[2] * f2, det = h00 * h11 - h01 * h01;
  hinv[0] = h11 / det;
  hinv[1] = hinv[2] = -h01 / det;
  hinv[3] = h00 / det;
}

/* The KDE score at y from the definition, in long double with the log-sum-exp shift. */
static void closed_form_score_2d(const double *x, size_t n, const double hinv[4], const double *y,
                                 double *out) {
  long double e[16], emax = -INFINITY, sw = 0, s0 = 0, s1 = 0;
  for (size_t i = 0; i < n; i++) {
    const long double a = y[0] - x[2 * i], b = y[1] - x[2 * i + 1];
    e[i] = -0.5L * (a * (hinv[0] * a + hinv[1] * b) + b * (hinv[2] * a + hinv[3] * b));
    emax = e[i] > emax ? e[i] : emax;
  }
  for (size_t i = 0; i < n; i++) {
    const long double w = expl(e[i] - emax), a = y[0] - x[2 * i], b = y[1] - x[2 * i + 1];
    sw += w;
    s0 += w * -(hinv[0] * a + hinv[1] * b);
    s1 += w * -(hinv[2] * a + hinv[3] * b);
  }
  out[0] = (double)(s0 / sw);
  out[1] = (double)(s1 / sw);
}

/* n angles from the von Mises density exp(k cos(a - mu)) by rejection from the uniform. */
static double *von_mises(size_t n, double mu, double k, uint32_t seed) {
  double *a = malloc(n * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    rx_rng r;
    rx_rng_init(&r, seed, 92, (uint32_t)i, 0, 0);
    for (;;) {
      const double t = -M_PI + 2 * M_PI * rx_rng_uniform(&r);
      if (rx_rng_uniform(&r) < exp(k * (cos(t) - 1))) {
        a[i] = remainder(t + mu, 2 * M_PI);
        break;
      }
    }
  }
  return a;
}

/* Mean of the trapezoid rule for the integral of p over the circle (spectrally accurate). */
static double circle_integral(const rx_circular_kde *k, int m) {
  double *a = malloc(m * sizeof(double)), *p = malloc(m * sizeof(double)), s = 0;
  for (int i = 0; i < m; i++)
    a[i] = -M_PI + 2 * M_PI * i / m;
  rx_circular_kde_eval(k, a, m, p);
  for (int i = 0; i < m; i++)
    s += p[i];
  free(a);
  free(p);
  return s * 2 * M_PI / m;
}

/* 2-D trajectories y (T, B, 2): y_{t+1} = y_t - a_k y_t + u_k + sqrt(v_k) xi with a_k = theta_k
 * dt and v_k = 2 D dt (1 - a_k / 2), the Euler scheme whose stationary law is exactly the OU's,
 * N(0, D / theta_k) (variance v / (a (2 - a)) = D dt / a); theta_k = 0 is a random walk
 * (v = 2 D dt). y_0 is drawn from N(0, D / theta_k), or N(0, s0^2) where theta_k = 0. */
static float *simulate_ou(int T, int B, const double theta[2], double D, double dt,
                          const double u[2], double s0, uint32_t seed) {
  float *y = malloc((size_t)T * B * 2 * sizeof(float));
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, 93, (uint32_t)b, 0, 0);
    double p[2], a[2], sv[2];
    for (int k = 0; k < 2; k++) {
      a[k] = theta[k] * dt;
      sv[k] = sqrt(2 * D * dt * (1 - 0.5 * a[k]));
      p[k] = (theta[k] > 0 ? sqrt(D / theta[k]) : s0) * rx_rng_normal(&r);
    }
    for (int t = 0; t < T; t++) {
      for (int k = 0; k < 2; k++)
        y[((size_t)t * B + b) * 2 + k] = (float)p[k];
      for (int k = 0; k < 2; k++)
        p[k] += -a[k] * p[k] + u[k] + sv[k] * rx_rng_normal(&r);
    }
  }
  return y;
}

/* Every `stride`-th step of y (T, B, dim) from t0 as KDE data (n, dim), float64. */
static double *thin(const float *y, int T, int B, int dim, int t0, int stride, size_t *n) {
  *n = 0;
  double *x = malloc((size_t)((T - t0) / stride + 1) * B * dim * sizeof(double));
  for (int t = t0; t < T; t += stride)
    for (int b = 0; b < B; b++, (*n)++)
      for (int k = 0; k < dim; k++)
        x[*n * dim + k] = y[((size_t)t * B + b) * dim + k];
  return x;
}

/* Bins y by o (NULL: defaults), scores the bins' means with q (2-D), compares (200
 * permutations, seed 5). */
static int drift_vs_kde(const float *y, int T, int B, const rx_density *q, const rx_drift_opts *o,
                        rx_drift_field *f, rx_drift_score *r) {
  rx_error err;
  if (rx_drift_field_compute(f, y, T, B, 2, o, &err)) {
    fprintf(stderr, "  %s\n", err.msg);
    return -1;
  }
  double *s = malloc((size_t)f->n_bins * 2 * sizeof(double));
  rx_density_score(q, f->mean, (size_t)f->n_bins, s);
  int rc = rx_drift_score_compare(f, s, 200, 5, RX_STREAM_ANALYSIS, r, &err);
  if (rc) fprintf(stderr, "  %s\n", err.msg);
  free(s);
  return rc;
}

/* ---- the KDE's score ---- */

/* Under RX_TEST_SMALL (the valgrind CI stage) the large-sample statistical tests are skipped:
 * their code paths are the ones the exact tests above them run on small inputs, and the Release
 * and ASan+UBSan runs assert their statistics at full size; under valgrind each would take
 * minutes. */
static int skipped_in_small_mode(const char *what) {
  if (!rx_test_small()) return 0;
  fprintf(stderr, "  RX_TEST_SMALL: %s skipped (asserted in the full-size runs)\n", what);
  return 1;
}

static void test_kde_score_matches_finite_differences_in_1_to_4_dims(void) {
  for (int d = 1; d <= 4; d++) {
    const size_t n = 1500;
    double *x = mixture(n, d, 10 + d);
    rx_density *q;
    rx_error err;
    REQUIRE(rx_density_kde(&q, x, n, d, "mixture", &err) == 0);
    /* points from the bulk to the tails: data points moved by 0.3 to 3 data s.d. */
    int n_checked = 0;
    double worst = 0;
    for (int j = 0; j < 40; j++) {
      double y[4], s[4], sp[4], fd[4] = {0, 0, 0, 0};
      for (int k = 0; k < d; k++)
        y[k] = x[(size_t)(j * 37) * d + k] + 0.3 * (1 + j % 10) * 0.4 * (k + 1) * (j % 3 ? 1 : -1);
      rx_density_score(q, y, 1, sp);
      rxst_kde_score(q, y, 1, 0, s);
      fd_score(q, y, fd);
      double diff[4], dp[4];
      for (int k = 0; k < d; k++) {
        diff[k] = s[k] - fd[k];
        dp[k] = sp[k] - s[k];
      }
      if (norm(s, d) < 1e-2) continue; /* at a mode the relative error means nothing */
      n_checked++;
      const double rel = norm(diff, d) / norm(s, d);
      worst = rel > worst ? rel : worst;
      CHECK_MSG(rel < 1e-6, "d %d point %d: |score - fd| / |score| = %.3g", d, j, rel);
      CHECK_MSG(norm(dp, d) <= 1e-11 * norm(s, d), "d %d point %d: pruned moved %.3g", d, j,
                norm(dp, d) / norm(s, d));
    }
    CHECK(n_checked >= 30);
    fprintf(stderr, "  d %d: worst relative error against finite differences %.2g\n", d, worst);
    rx_density_free(q);
    free(x);
  }
}

static void test_kde_score_matches_closed_form_where_the_density_underflows(void) {
  /* 5 points: the test's own Scott covariance and softmax in long double */
  const double x[10] = {0.0, 0.0, 1.0, 0.2, 0.3, 1.1, -0.4, 0.7, 0.8, -0.5};
  double hinv[4];
  scott_inverse_2d(x, 5, hinv);
  rx_density *q;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, 5, 2, "five", &err) == 0);
  const double ys[][2] = {{0.5, 0.4},  {2.0, -1.0},    {-3.0, 5.0},
                          {40.0, 3.0}, {-25.0, -60.0}, {300.0, 290.0}};
  for (int j = 0; j < 6; j++) {
    double s[2], ref[2], p, diff[2];
    rx_density_score(q, ys[j], 1, s);
    rx_density_eval(q, ys[j], 1, &p);
    closed_form_score_2d(x, 5, hinv, ys[j], ref);
    diff[0] = s[0] - ref[0];
    diff[1] = s[1] - ref[1];
    CHECK_MSG(isfinite(s[0]) && isfinite(s[1]) && norm(diff, 2) <= 1e-10 * norm(ref, 2),
              "point %d: score (%g, %g), closed form (%g, %g), density %g", j, s[0], s[1], ref[0],
              ref[1], p);
    if (j >= 3) CHECK_MSG(p == 0.0, "point %d should be far enough to underflow: %g", j, p);
  }
  rx_density_free(q);
}

static void test_kde_score_pruned_equals_every_kernel_with_outliers(void) {
  if (skipped_in_small_mode("kde score pruned equals every kernel with outliers")) return;
  /* 20000 points with a few far outliers (they widen the grid's cells), scored over a wide
   * range: the pruned score within 1e-12 of the kernel scale of the full one */
  const size_t n = 20000;
  double *x = mixture(n, 2, 3);
  x[0] = 40;
  x[1] = -30;
  x[2] = -55;
  x[3] = 12;
  rx_density *q;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, n, 2, "with outliers", &err) == 0);
  const size_t m = 400;
  double *y = malloc(m * 2 * sizeof(double)), *a = malloc(m * 2 * sizeof(double)),
         *b = malloc(m * 2 * sizeof(double));
  for (size_t j = 0; j < m; j++) {
    rx_rng r;
    rx_rng_init(&r, 8, 94, (uint32_t)j, 0, 0);
    y[2 * j] = -60 + 110 * rx_rng_uniform(&r);
    y[2 * j + 1] = -40 + 60 * rx_rng_uniform(&r);
    if (j < 200) { /* half near the bulk */
      y[2 * j] = 4 * rx_rng_normal(&r);
      y[2 * j + 1] = 4 * rx_rng_normal(&r);
    }
  }
  rxst_kde_score(q, y, m, 1, a);
  rxst_kde_score(q, y, m, 0, b);
  /* the kernel's scale: 1 / the smallest kernel s.d. bounds |H^-1 v| per unit whitened v */
  const double scale = 2.0 * fmax(fabs(q->white[0][0]), fabs(q->white[1][1]));
  double worst = 0;
  for (size_t j = 0; j < m; j++) {
    double diff[2] = {a[2 * j] - b[2 * j], a[2 * j + 1] - b[2 * j + 1]};
    const double rel = norm(diff, 2) / (norm(b + 2 * j, 2) + scale);
    worst = rel > worst ? rel : worst;
    CHECK(isfinite(a[2 * j]) && isfinite(a[2 * j + 1]));
  }
  CHECK_MSG(worst <= 1e-12, "pruned vs every kernel: %.3g", worst);
  free(y);
  free(a);
  free(b);
  rx_density_free(q);
  free(x);
}

static void test_kde_and_circular_scores_same_bits_for_any_thread_count(void) {
  const size_t n = 5000, m = 300;
  double *x = mixture(n, 2, 4), *th = von_mises(n, 0.5, 1.5, 4);
  rx_density *q;
  rx_circular_kde *ck;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, n, 2, "mixture", &err) == 0);
  REQUIRE(rx_circular_kde_create(&ck, th, n, "headings", &err) == 0);
  double *y = mixture(m, 2, 99), *a[3], *ca[3], *pa[3];
  const int saved = omp_get_max_threads(), threads[3] = {1, 2, 3};
  for (int i = 0; i < 3; i++) {
    omp_set_num_threads(threads[i]);
    a[i] = malloc(m * 2 * sizeof(double));
    ca[i] = malloc(m * sizeof(double));
    pa[i] = malloc(m * sizeof(double));
    rx_density_score(q, y, m, a[i]);
    rx_circular_kde_score(ck, y, m, ca[i]); /* the x coordinates, as angles */
    rx_circular_kde_eval(ck, y, m, pa[i]);
  }
  omp_set_num_threads(saved);
  for (int i = 1; i < 3; i++) {
    CHECK(memcmp(a[0], a[i], m * 2 * sizeof(double)) == 0);
    CHECK(memcmp(ca[0], ca[i], m * sizeof(double)) == 0);
    CHECK(memcmp(pa[0], pa[i], m * sizeof(double)) == 0);
  }
  for (int i = 0; i < 3; i++) {
    free(a[i]);
    free(ca[i]);
    free(pa[i]);
  }
  free(y);
  rx_circular_kde_free(ck);
  rx_density_free(q);
  free(th);
  free(x);
}

static void test_uniform_box_score_is_zero_inside_and_nan_outside(void) {
  rx_density *q;
  rx_error err;
  const double lo[2] = {-1, -2}, hi[2] = {1, 2};
  REQUIRE(rx_density_uniform_box(&q, 2, lo, hi, &err) == 0);
  const double y[8] = {0, 0, 1, 2, -1.0000001, 0, 0.5, NAN};
  double s[8];
  rx_density_score(q, y, 4, s);
  CHECK(s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0);
  CHECK(isnan(s[4]) && isnan(s[5]) && isnan(s[6]) && isnan(s[7]));
  rx_density_free(q);
}

/* ---- the circular KDE ---- */

static void test_bessel_functions_match_reference_values(void) {
  /* mpmath, 30 digits: e^-x I0(x) and 1 - I1(x) / I0(x), across the series / asymptotic
   * switch at 20 */
  const double ref[][3] = {{0.5, 0.64503527044915006811, 0.75750038741919805465},
                           {1.0, 0.4657596075936404365, 0.55361003410346549295},
                           {5.0, 0.18354081260932835307, 0.10661686295591477841},
                           {19.99, 0.089803061428909375861, 0.02534233738150180214},
                           {20.01, 0.089757579627575299486, 0.025316659861786017258},
                           {50.0, 0.05656162664745419253, 0.010051032621502247407},
                           {1000.0, 0.012617240455891256586, 0.00050012512519571980108},
                           {1e6, 0.00039894233026924577878, 5.000001250001250002e-7}};
  for (int i = 0; i < 8; i++) {
    const double x = ref[i][0], i0e = rxst_bessel_i0e(x), gap = rxst_bessel_ratio_gap(x);
    CHECK_MSG(fabs(i0e / ref[i][1] - 1) < 1e-13, "e^-x I0(%g) = %.17g, want %.17g", x, i0e,
              ref[i][1]);
    CHECK_MSG(fabs(gap / ref[i][2] - 1) < 1e-12, "1 - I1/I0 (%g) = %.17g, want %.17g", x, gap,
              ref[i][2]);
    const double k = rxst_kappa_for_gap(ref[i][2]);
    CHECK_MSG(fabs(k / x - 1) < 1e-10, "kappa for gap %.6g = %.17g, want %g", ref[i][2], k, x);
  }
  CHECK(rxst_bessel_i0e(0) == 1 && rxst_bessel_ratio_gap(0) == 1 && rxst_kappa_for_gap(1) == 0);
  /* the matching of score.h for a small bandwidth: kappa = 1 / h^2 + 1/2 + O(h^2) */
  const double h = 0.01, k = rxst_kappa_for_gap(-expm1(-0.5 * h * h));
  CHECK_NEAR(k, 1 / (h * h) + 0.5, 1e-3);
}

static void test_circular_kde_is_scott_matched_normalised_and_periodic(void) {
  /* concentrated, moderate, bimodal and near-uniform headings: kappa from ~0.1 to ~1e4 */
  const struct {
    double mu, k;
    size_t n;
    int bimodal;
  } cases[] = {{0.3, 2000, 500, 0}, {-2.8, 2, 3000, 0}, {3.0, 4, 4000, 1}, {0, 0, 20, 0}};
  double kmin = INFINITY, kmax = 0;
  for (int c = 0; c < 4; c++) {
    double *th = von_mises(cases[c].n, cases[c].mu, cases[c].k, 20 + c);
    if (cases[c].n == 20) /* nearly evenly spread: R ~ 0.01, a broad kernel */
      for (int i = 0; i < 20; i++)
        th[i] = -M_PI + 2 * M_PI * i / 20 + 0.05 * sin(3.0 * i);
    if (cases[c].bimodal)
      for (size_t i = 0; i < cases[c].n; i += 2)
        th[i] = remainder(th[i] + M_PI * 0.8, 2 * M_PI);
    rx_circular_kde *ck;
    rx_error err;
    REQUIRE(rx_circular_kde_create(&ck, th, cases[c].n, "headings", &err) == 0);
    /* Scott: the kernel's mean resultant length is R^(n^(-2/5)), R the data's */
    double sx = 0, sy = 0;
    for (size_t i = 0; i < cases[c].n; i++) {
      sx += cos(th[i]);
      sy += sin(th[i]);
    }
    const double R = hypot(sx, sy) / cases[c].n, f2 = pow((double)cases[c].n, -0.4);
    const double kappa = rx_circular_kde_kappa(ck), h = rx_circular_kde_bandwidth(ck);
    const double rho = 1 - rxst_bessel_ratio_gap(kappa);
    CHECK_MSG(fabs(rho - pow(R, f2)) < 1e-9 * (1 - rho) + 1e-13, "case %d: rho %.15g, R^f2 %.15g",
              c, rho, pow(R, f2));
    CHECK_NEAR(h * h, -2 * log(R) * f2, 1e-9 * h * h);
    kmin = fmin(kmin, kappa);
    kmax = fmax(kmax, kappa);
    /* integrates to 1 (trapezoid, exact to round-off for kernels this smooth: the narrowest,
     * kappa ~2000, has s.d. 0.022 rad, 14 nodes at 4000 and 70 at 20000) */
    CHECK_NEAR(circle_integral(ck, rx_test_small() ? 4000 : 20000), 1.0, 1e-10);
    /* 2 pi periodic */
    const double a[4] = {-M_PI, 0.7, M_PI - 1e-9, 2.1};
    double b[4], pa[4], pb[4], sa[4], sb[4];
    for (int i = 0; i < 4; i++)
      b[i] = a[i] + 2 * M_PI * (i % 2 ? 3 : -1);
    rx_circular_kde_eval(ck, a, 4, pa);
    rx_circular_kde_eval(ck, b, 4, pb);
    rx_circular_kde_score(ck, a, 4, sa);
    rx_circular_kde_score(ck, b, 4, sb);
    for (int i = 0; i < 4; i++) {
      CHECK_NEAR(pa[i], pb[i], 1e-9 * pa[i] + 1e-300);
      CHECK_NEAR(sa[i], sb[i], 1e-7 * (fabs(sa[i]) + 1));
    }
    rx_circular_kde_free(ck);
    free(th);
  }
  CHECK_MSG(kmin < 1 && kmax > 1000, "kappa range covered: %g to %g", kmin, kmax);
}

static void test_circular_kde_estimates_a_von_mises_density(void) {
  if (skipped_in_small_mode("circular kde estimates a von mises density")) return;
  /* 200000 headings of vM(1, 2) (n = 20000 leaves ~2 % noise at the mode and ~10 % in the
   * tails). The KDE's expectation is the true density convolved with the kernel, computed here
   * by quadrature with both normalised numerically (not with the library's Bessel functions);
   * the KDE must match it where p > 0.05 within 5 % (noise sqrt(p R(K) / (n h)) / p <= 1.7 %
   * there, R(K) = 1 / (2 sqrt(pi)), h ~ 0.074) and the truth within 6 % (+ smoothing bias). */
  const size_t n = 200000;
  double *th = von_mises(n, 1.0, 2.0, 30);
  rx_circular_kde *ck;
  rx_error err;
  REQUIRE(rx_circular_kde_create(&ck, th, n, "vM", &err) == 0);
  const double kappa = rx_circular_kde_kappa(ck);
  enum { M = 4096 };
  double zt = 0, zk = 0;
  for (int m = 0; m < M; m++) {
    const double x = -M_PI + 2 * M_PI * m / M;
    zt += exp(2 * (cos(x) - 1)) * 2 * M_PI / M;
    zk += exp(kappa * (cos(x) - 1)) * 2 * M_PI / M;
  }
  int n_checked = 0;
  for (int j = 0; j < 24; j++) {
    const double a = -M_PI + 2 * M_PI * j / 24, truth = exp(2 * (cos(a - 1) - 1)) / zt;
    double expect = 0, p;
    for (int m = 0; m < M; m++) {
      const double x = -M_PI + 2 * M_PI * m / M;
      expect += exp(2 * (cos(x - 1) - 1)) / zt * exp(kappa * (cos(a - x) - 1)) / zk;
    }
    expect *= 2 * M_PI / M;
    rx_circular_kde_eval(ck, &a, 1, &p);
    if (truth < 0.05) continue;
    n_checked++;
    CHECK_MSG(fabs(p / expect - 1) < 0.05, "at %g: KDE %g, its expectation %g", a, p, expect);
    CHECK_MSG(fabs(p / truth - 1) < 0.06, "at %g: KDE %g, truth %g", a, p, truth);
  }
  CHECK(n_checked >= 10);
  rx_circular_kde_free(ck);
  free(th);
}

static void test_circular_kde_score_matches_finite_differences_and_closed_form(void) {
  const size_t n = 3000;
  double *th = von_mises(n, 3.0, 3, 40);
  for (size_t i = 0; i < n; i += 3) /* a second mode */
    th[i] = remainder(th[i] + 2.0, 2 * M_PI);
  rx_circular_kde *ck;
  rx_error err;
  REQUIRE(rx_circular_kde_create(&ck, th, n, "bimodal", &err) == 0);
  const double h = 1e-4 * rx_circular_kde_bandwidth(ck);
  int n_checked = 0;
  for (int j = 0; j < 72; j++) {
    /* every 5 degrees, and pi itself (differences across the cut) */
    const double a = j == 0 ? M_PI : -M_PI + 2 * M_PI * j / 72 + 0.01;
    const double ap = a + h, am = a - h;
    double s, pp, pm;
    rx_circular_kde_score(ck, &a, 1, &s);
    rx_circular_kde_eval(ck, &ap, 1, &pp);
    rx_circular_kde_eval(ck, &am, 1, &pm);
    const double fd = (log(pp) - log(pm)) / (2 * h);
    if (fabs(s) < 1e-2) continue;
    n_checked++;
    CHECK_MSG(fabs(s - fd) < 1e-6 * fabs(s), "at %g: score %.12g, fd %.12g", a, s, fd);
  }
  CHECK(n_checked >= 60);
  rx_circular_kde_free(ck);
  free(th);

  /* two tight clusters 0.05 rad apart (kappa ~ 2e4): half a radian away the density underflows
   * and the score is still the softmax over the kernels, computed here in long double */
  const double two[2] = {0.20, 0.25};
  double *many = malloc(400 * sizeof(double));
  for (int i = 0; i < 400; i++)
    many[i] = two[i % 2] + 1e-4 * (i / 2 % 7 - 3);
  REQUIRE(rx_circular_kde_create(&ck, many, 400, "pair", &err) == 0);
  const double kappa = rx_circular_kde_kappa(ck);
  CHECK(kappa > 5000);
  const double far[3] = {-2.5, 3.1, 0.8};
  for (int j = 0; j < 3; j++) {
    long double e[400], emax = -INFINITY, sw = 0, ss = 0;
    for (int i = 0; i < 400; i++) {
      e[i] = kappa * cosl(far[j] - many[i]);
      emax = e[i] > emax ? e[i] : emax;
    }
    for (int i = 0; i < 400; i++) {
      const long double w = expl(e[i] - emax);
      sw += w;
      ss += w * kappa * sinl(many[i] - far[j]);
    }
    double s, p;
    rx_circular_kde_score(ck, &far[j], 1, &s);
    rx_circular_kde_eval(ck, &far[j], 1, &p);
    CHECK_MSG(isfinite(s) && fabs(s - (double)(ss / sw)) < 1e-9 * fabs((double)(ss / sw)),
              "at %g: score %.12g, closed form %.12Lg (density %g)", far[j], s, ss / sw, p);
    CHECK_MSG(p == 0.0, "at %g the density should underflow: %g", far[j], p);
  }
  rx_circular_kde_free(ck);
  free(many);
}

/* ---- binning ---- */

static void test_drift_field_bins_a_hand_made_trajectory(void) {
  /* plane, box [0, 2] x [0, 1], 2 x 1 bins, T = 4, B = 2, t_skip = 1: pairs t = 1, 2 */
  const float y[4 * 2 * 2] = {
      9.0f,  9.0f,  9.0f, 9.0f, /* t = 0 (skipped; would be outside) */
      0.5f,  0.5f,  1.5f, 0.5f, /* t = 1 */
      0.75f, 0.25f, 5.0f, 0.5f, /* t = 2: trajectory 1 leaves the box */
      1.0f,  0.0f,  5.0f, 1.0f, /* t = 3 */
  };
  rx_drift_opts o = rx_drift_opts_default(2, 0);
  o.t_skip = 1;
  o.nx = 2;
  o.ny = 1;
  o.has_box = 1;
  o.lo[0] = 0;
  o.hi[0] = 2;
  o.lo[1] = 0;
  o.hi[1] = 1;
  o.min_count = 2;
  rx_drift_field f;
  rx_error err;
  REQUIRE(rx_drift_field_compute(&f, y, 4, 2, 2, &o, &err) == 0);
  /* bin 0 ([0, 1)): (0.5,0.5)->(0.75,0.25) inc (0.25,-0.25); (0.75,0.25)->(1,0) inc (0.25,-0.25);
   * bin 1: (1.5,0.5)->(5,0.5) inc (3.5, 0); (5, 0.5) is outside */
  CHECK(f.n_bins == 2 && f.n_samples == 3 && f.n_outside == 1);
  CHECK(f.count[0] == 2 && f.count[1] == 1);
  CHECK(f.used[0] && !f.used[1] && f.n_used == 1);
  CHECK_NEAR(f.mean[0], 0.625, 1e-12);
  CHECK_NEAR(f.mean[1], 0.375, 1e-12);
  CHECK_NEAR(f.drift[0], 0.25, 1e-12);
  CHECK_NEAR(f.drift[1], -0.25, 1e-12);
  CHECK_NEAR(f.drift[2], 3.5, 1e-12);
  CHECK_NEAR(f.noise_var[0], 0.0, 1e-15);
  CHECK(isnan(f.noise_var[1]));
  rx_drift_field_free(&f);

  /* the data's range: max included in the last bin; unequal increments give the variance */
  const float line[5] = {0.0f, 1.0f, 3.0f, 4.0f, 4.0f}; /* T = 5, B = 1, dim 1 */
  o = rx_drift_opts_default(1, 0);
  o.nx = 2;
  o.min_count = 1;
  REQUIRE(rx_drift_field_compute(&f, line, 5, 1, 1, &o, &err) == 0);
  /* binned y_t: 0, 1, 3, 4 over [0, 4]: bin 0 [0, 2) holds 0, 1 (inc 1, 2); bin 1 holds 3, 4
   * (inc 1, 0) */
  CHECK(f.lo[0] == 0 && f.hi[0] == 4 && f.count[0] == 2 && f.count[1] == 2);
  CHECK_NEAR(f.drift[0], 1.5, 1e-12);
  CHECK_NEAR(f.drift[1], 0.5, 1e-12);
  CHECK_NEAR(f.noise_var[0], 0.5, 1e-12);
  CHECK_NEAR(f.noise_var[1], 0.5, 1e-12);
  rx_drift_field_free(&f);

  /* circle, 4 bins of 90 degrees: increments wrapped across +-pi, angles wrapped into bins */
  const float ring[4] = {3.0f, -3.0f, 3.0f + 6.283185307f, 2.9f};
  o = rx_drift_opts_default(1, 1);
  o.nx = 4;
  o.min_count = 1;
  REQUIRE(rx_drift_field_compute(&f, ring, 4, 1, 1, &o, &err) == 0);
  /* 3.0 -> -3.0: +0.283 (bin 3); -3.0 -> 3.0 + 2 pi: -0.283 (bin 0); 3 + 2 pi (wraps to 3.0,
   * bin 3) -> 2.9: -0.1 */
  const double step = 2 * M_PI - 6.0;
  CHECK(f.count[0] == 1 && f.count[1] == 0 && f.count[2] == 0 && f.count[3] == 2);
  CHECK_NEAR(f.drift[0], -step, 1e-5); /* float32 inputs */
  CHECK_NEAR(f.drift[3], 0.5 * (step - 0.1), 1e-5);
  CHECK_NEAR(f.mean[3], 3.0, 1e-5);
  CHECK(isnan(f.mean[1]) && isnan(f.drift[2]));
  rx_drift_field_free(&f);
}

/* ---- the comparison ---- */

/* A field of n bins (dim 1 or 2) with the given drifts and counts, all used. */
static void hand_field(rx_drift_field *f, int n, int dim, const double *drift,
                       const size_t *count) {
  memset(f, 0, sizeof *f);
  f->dim = dim;
  f->nx = n;
  f->ny = 1;
  f->n_bins = n;
  f->min_count = 1;
  f->n_used = n;
  f->count = malloc(n * sizeof(size_t));
  f->used = malloc(n);
  f->mean = calloc((size_t)n * dim, sizeof(double));
  f->drift = malloc((size_t)n * dim * sizeof(double));
  f->noise_var = malloc(n * sizeof(double));
  for (int b = 0; b < n; b++) {
    f->count[b] = count[b];
    f->used[b] = 1;
    f->noise_var[b] = 0.02;
    for (int k = 0; k < dim; k++)
      f->drift[b * dim + k] = drift[b * dim + k];
  }
}

static void test_compare_gives_exact_answers_on_hand_made_fields(void) {
  /* d = 2 s exactly: cosines 1, c = 2, R^2 = 1, beta = 2 c / noise_var, p at its floor */
  enum { N = 30 };
  double s[2 * N], d[2 * N];
  size_t cnt[N];
  for (int b = 0; b < N; b++) {
    s[2 * b] = cos(0.7 * b) * (1 + b % 4);
    s[2 * b + 1] = sin(0.7 * b) * (1 + b % 4);
    d[2 * b] = 2 * s[2 * b];
    d[2 * b + 1] = 2 * s[2 * b + 1];
    cnt[b] = 50 + 10 * b;
  }
  rx_drift_field f;
  rx_drift_score r;
  rx_error err;
  hand_field(&f, N, 2, d, cnt);
  REQUIRE(rx_drift_score_compare(&f, s, 200, 1, RX_STREAM_ANALYSIS, &r, &err) == 0);
  CHECK_NEAR(r.cos_weighted, 1.0, 1e-12);
  CHECK_NEAR(r.c, 2.0, 1e-12);
  CHECK_NEAR(r.r2, 1.0, 1e-12);
  CHECK_NEAR(r.beta, 2 * 2.0 / 0.02, 1e-9);
  CHECK(r.n_used == N && r.n_perm == 200);
  CHECK_MSG(r.p_value == 1.0 / 201.0, "p = %.17g, want 1/201 (the +1 of the observed)", r.p_value);
  CHECK(r.null_mean < 0.5 && r.null_sd > 0);
  rx_drift_score_free(&r);
  /* d = -s: cosine -1, c = -2, every shuffle is at least as large: p = 1 */
  for (int i = 0; i < 2 * N; i++)
    f.drift[i] = -s[i];
  REQUIRE(rx_drift_score_compare(&f, s, 50, 1, RX_STREAM_ANALYSIS, &r, &err) == 0);
  CHECK_NEAR(r.cos_weighted, -1.0, 1e-12);
  CHECK_NEAR(r.c, -1.0, 1e-12);
  CHECK(r.p_value == 1.0);
  rx_drift_score_free(&r);
  /* d = s + a constant: the count-weighted mean drift is removed exactly by the centred cosine
   * when s has count-weighted mean 0 */
  double wm[2] = {0, 0}, w = 0;
  for (int b = 0; b < N; b++) {
    w += cnt[b];
    wm[0] += cnt[b] * s[2 * b];
    wm[1] += cnt[b] * s[2 * b + 1];
  }
  double sc[2 * N];
  for (int b = 0; b < N; b++) {
    sc[2 * b] = s[2 * b] - wm[0] / w;
    sc[2 * b + 1] = s[2 * b + 1] - wm[1] / w;
    f.drift[2 * b] = sc[2 * b] + 5.0;
    f.drift[2 * b + 1] = sc[2 * b + 1] - 3.0;
  }
  REQUIRE(rx_drift_score_compare(&f, sc, 0, 1, RX_STREAM_ANALYSIS, &r, &err) == 0);
  CHECK_NEAR(r.mean_drift[0], 5.0, 1e-12);
  CHECK_NEAR(r.mean_drift[1], -3.0, 1e-12);
  CHECK_NEAR(r.cos_centered_weighted, 1.0, 1e-12);
  CHECK(r.cos_weighted < 0.5);
  CHECK(isnan(r.p_value) && r.n_perm == 0);
  rx_drift_score_free(&r);
  rx_drift_field_free(&f);

  /* dim 1: the cosine is the sign agreement */
  const double s1[4] = {1.0, -2.0, 0.5, 3.0}, d1[4] = {0.1, 0.3, 0.2, 0.0};
  const size_t c1[4] = {100, 100, 200, 100};
  hand_field(&f, 4, 1, d1, c1);
  REQUIRE(rx_drift_score_compare(&f, s1, 0, 1, RX_STREAM_ANALYSIS, &r, &err) == 0);
  CHECK(r.cosine[0] == 1 && r.cosine[1] == -1 && r.cosine[2] == 1 && r.cosine[3] == 0);
  CHECK_NEAR(r.cos_weighted, (100.0 - 100.0 + 200.0) / 500.0, 1e-15);
  rx_drift_score_free(&r);
  rx_drift_field_free(&f);
}

static void test_permutation_p_value_matches_exact_enumeration(void) {
  /* 3 bins, equal counts: the null over the 3! shuffles is known exactly, so the Monte Carlo p
   * must agree within 4 standard errors; the same seed gives the same p, another seed not */
  const double s[6] = {1, 0, 0, 1, -1, -1};
  const double d[6] = {0.9, 0.2, -0.1, 1.0, -0.5, -1.2};
  const size_t cnt[3] = {80, 80, 80};
  rx_drift_field f;
  hand_field(&f, 3, 2, d, cnt);
  rx_drift_score r, r2, r3;
  rx_error err;
  const int n_perm = 4000;
  REQUIRE(rx_drift_score_compare(&f, s, n_perm, 7, RX_STREAM_ANALYSIS, &r, &err) == 0);
  const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  int ge = 0;
  for (int p = 0; p < 6; p++) {
    double c = 0;
    for (int j = 0; j < 3; j++) {
      const double *dv = d + 2 * perms[p][j], *sv = s + 2 * j;
      c += (dv[0] * sv[0] + dv[1] * sv[1]) / (hypot(dv[0], dv[1]) * hypot(sv[0], sv[1])) / 3;
    }
    ge += c >= r.cos_weighted - 1e-12;
  }
  const double p_exact = ge / 6.0, se = sqrt(p_exact * (1 - p_exact) / n_perm);
  CHECK(ge >= 1 && ge < 6);
  CHECK_MSG(fabs(r.p_value - p_exact) < 4 * se + 1.0 / n_perm, "p %.4f, exact %.4f (se %.4f)",
            r.p_value, p_exact, se);
  REQUIRE(rx_drift_score_compare(&f, s, n_perm, 7, RX_STREAM_ANALYSIS, &r2, &err) == 0);
  REQUIRE(rx_drift_score_compare(&f, s, n_perm, 8, RX_STREAM_ANALYSIS, &r3, &err) == 0);
  CHECK(r2.p_value == r.p_value && r2.null_mean == r.null_mean);
  CHECK(r3.null_mean != r.null_mean);
  rx_drift_score_free(&r);
  rx_drift_score_free(&r2);
  rx_drift_score_free(&r3);
  rx_drift_field_free(&f);
}

/* ---- processes with a known drift ---- */

/* OU with theta = (1, 4), D = 0.5, dt = 0.05 (stationary N(0, diag(0.5, 0.125))), 200
 * trajectories x 2000 steps from the stationary law. Drift per step -theta dt y and stationary
 * score -theta y / D: d = c s with c = D dt exactly. Against that exact score the regression
 * finds c within its s.e. ~ (theta dt N)^(-1/2) ~ 0.5 % (N = 4e5 pairs; 1.5 % allowed), and
 * beta = 2 c / noise_var = 1 / (1 - dt (theta_1 + theta_2) / 4) (noise_var = the mean over the
 * axes of 2 D dt (1 - theta_k dt / 2); 2 % allowed). Against the KDE of 80000 of the samples
 * (every 5th step) c moves by two small opposite biases: Scott's smoothing makes the KDE
 * ~N(0, S (1 + f^2)), f^2 = n^(-1/3) = 2.3 %, which raises c by 2.3 %, and in the sparse tails,
 * where the regression's weight n_b |s_b|^2 sits, the KDE's log density is steeper than the
 * Gaussian's, which lowers it by a few % (c / (D dt) from 0.983 to 0.999 over 10 seeds): 5 %
 * allowed. The KDE's own score noise bounds the cosine (0.998 against the exact score, 0.98 to
 * 0.99 against the KDE over 10 seeds): > 0.95. */
static void test_ou_drift_aligns_with_the_score_of_its_kde(void) {
  if (skipped_in_small_mode("ou drift aligns with the score of its kde")) return;
  const int T = 2000, B = 200;
  const double theta[2] = {1, 4}, D = 0.5, dt = 0.05, u[2] = {0, 0};
  float *y = simulate_ou(T, B, theta, D, dt, u, 0, 11);
  size_t n;
  double *x = thin(y, T, B, 2, 0, 5, &n);
  rx_density *q;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, n, 2, "OU", &err) == 0);
  rx_drift_field f;
  rx_drift_score r, re;
  REQUIRE(drift_vs_kde(y, T, B, q, NULL, &f, &r) == 0);
  double *s = malloc((size_t)f.n_bins * 2 * sizeof(double));
  for (int b = 0; b < f.n_bins; b++)
    for (int k = 0; k < 2; k++)
      s[2 * b + k] = -theta[k] * f.mean[2 * b + k] / D;
  REQUIRE(rx_drift_score_compare(&f, s, 0, 5, RX_STREAM_ANALYSIS, &re, &err) == 0);
  const double c_exp = D * dt, beta_exp = 1 / (1 - dt * (theta[0] + theta[1]) / 4);
  fprintf(stderr,
          "  OU, exact score: cos %.4f, c %.5f (expected %.5f), R^2 %.3f, beta %.4f (expected "
          "%.4f)\n  OU, KDE score: %d bins used, cos %.4f, centred %.4f, c %.5f, R^2 %.3f, beta "
          "%.4f, p %.4f, null %.3f +- %.3f\n",
          re.cos_weighted, re.c, c_exp, re.r2, re.beta, beta_exp, r.n_used, r.cos_weighted,
          r.cos_centered_weighted, r.c, r.r2, r.beta, r.p_value, r.null_mean, r.null_sd);
  CHECK(re.cos_weighted > 0.99);
  CHECK_MSG(fabs(re.c / c_exp - 1) < 0.015, "exact score: c %.5f, expected %.5f", re.c, c_exp);
  CHECK_MSG(fabs(re.beta / beta_exp - 1) < 0.02, "exact score: beta %.4f, expected %.4f", re.beta,
            beta_exp);
  CHECK(r.n_used > 200);
  CHECK(r.cos_weighted > 0.95);
  CHECK(r.cos_centered_weighted > 0.95);
  CHECK_MSG(fabs(r.c / c_exp - 1) < 0.05, "KDE score: c %.5f, expected %.5f", r.c, c_exp);
  CHECK(r.r2 > 0.9);
  CHECK(r.p_value < 0.01);
  CHECK(fabs(r.mean_drift[0]) < 1e-3 && fabs(r.mean_drift[1]) < 1e-3); /* stationary */
  free(s);
  rx_drift_score_free(&re);
  rx_drift_score_free(&r);
  rx_drift_field_free(&f);
  rx_density_free(q);
  free(x);
  free(y);
}

/* 60000 short driftless walks (20 steps of s.d. 0.022) from uniform starts on [-1, 1]^2, so
 * that 40 x 40 bins over that box are evenly filled (~700 pairs each): E[y_t+1 - y_t | y_t] = 0
 * in every bin. The null's s.d. is ~0.7 / sqrt(effective bins) ~ 0.02 here (with a Gaussian
 * occupancy of 24 x 24 bins only ~90 carry the weight and it is ~0.08, too wide to test
 * |cos| < 0.1). Against the KDE of an independent run of the same process the cosines are
 * noise: |cos| < 0.1 (~5 s.d.), p > 0.05. Against the KDE of the walks themselves they are
 * not: a walk's later samples lie on the side its increment went, so its own KDE leans the way
 * it moved: a cosine of 0.08, 4 null s.d., p at its floor (0.15 to 0.22 with 24 x 24 bins). The
 * reference sample must be independent of the trajectories (docs/probes.md §4). */
static float *uniform_start_walks(int T, int B, uint32_t seed) {
  const double none[2] = {0, 0};
  float *w = simulate_ou(T, B, none, 0.5, 5e-4, none, 0, seed);
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, 96, (uint32_t)b, 0, 0);
    const double ox = -1 + 2 * rx_rng_uniform(&r), oy = -1 + 2 * rx_rng_uniform(&r);
    for (int t = 0; t < T; t++) {
      w[((size_t)t * B + b) * 2] += (float)ox;
      w[((size_t)t * B + b) * 2 + 1] += (float)oy;
    }
  }
  return w;
}

static void test_driftless_random_walk_does_not_align(void) {
  if (skipped_in_small_mode("driftless random walk does not align")) return;
  const int T = 21, B = 60000;
  float *w = uniform_start_walks(T, B, 12), *ref = uniform_start_walks(T, B, 112);
  for (int own = 0; own < 2; own++) {
    size_t n;
    double *x = thin(own ? w : ref, T, B, 2, 0, 10, &n);
    rx_density *q;
    rx_error err;
    REQUIRE(rx_density_kde(&q, x, n, 2, "random walk", &err) == 0);
    rx_drift_field f;
    rx_drift_score r;
    rx_drift_opts o = rx_drift_opts_default(2, 0);
    o.nx = o.ny = 40;
    o.has_box = 1;
    o.lo[0] = o.lo[1] = -1;
    o.hi[0] = o.hi[1] = 1;
    REQUIRE(drift_vs_kde(w, T, B, q, &o, &f, &r) == 0);
    fprintf(stderr,
            "  random walk, %s reference: %d bins used, cos %.4f, centred %.4f, R^2 %.4f, p "
            "%.3f, null %.3f +- %.3f\n",
            own ? "its own" : "independent", r.n_used, r.cos_weighted, r.cos_centered_weighted,
            r.r2, r.p_value, r.null_mean, r.null_sd);
    CHECK(r.n_used > 1400);
    if (!own) {
      CHECK(fabs(r.cos_weighted) < 0.1);
      CHECK(fabs(r.cos_centered_weighted) < 0.1);
      CHECK(r.p_value > 0.05);
      CHECK(r.r2 < 0.02);
    } else {
      CHECK(r.cos_weighted > 0.05 && r.p_value < 0.01); /* the pitfall, on record */
    }
    rx_drift_score_free(&r);
    rx_drift_field_free(&f);
    rx_density_free(q);
    free(x);
  }
  free(ref);
  free(w);
}

static void test_constant_push_lowers_the_raw_cosine_not_the_centred_one(void) {
  if (skipped_in_small_mode("constant push lowers the raw cosine not the centred one")) return;
  /* One step of the OU above plus a push u (like uniform noise's mean), from 4e5 states drawn
   * from the stationary law (T = 2: y_0 stationary, y_1 after the step); the reference is the
   * KDE of 20000 of those states. The drift is -theta dt y + u: the raw cosine falls (|u| is
   * about twice the typical drift), the mean drift is ~u, and with it removed the drift is the
   * OU's again. */
  const int B = 400000;
  const double theta[2] = {1, 4}, D = 0.5, dt = 0.05, u[2] = {0.05, -0.06};
  float *y = simulate_ou(2, B, theta, D, dt, u, 0, 13);
  size_t n;
  double *x = thin(y, 1, 20000, 2, 0, 1, &n); /* the first 20000 states y_0 */
  rx_density *q;
  rx_error err;
  REQUIRE(rx_density_kde(&q, x, n, 2, "OU states", &err) == 0);
  rx_drift_field f;
  rx_drift_score r;
  REQUIRE(drift_vs_kde(y, 2, B, q, NULL, &f, &r) == 0);
  fprintf(stderr, "  pushed: cos %.4f, centred %.4f, mean drift (%.4f, %.4f), p %.4f / %.4f\n",
          r.cos_weighted, r.cos_centered_weighted, r.mean_drift[0], r.mean_drift[1], r.p_value,
          r.p_value_centered);
  CHECK(r.cos_weighted < 0.7);
  CHECK(r.cos_centered_weighted > 0.9);
  CHECK(fabs(r.mean_drift[0] - u[0]) < 0.005 && fabs(r.mean_drift[1] - u[1]) < 0.005);
  CHECK(r.p_value_centered < 0.01);
  rx_drift_score_free(&r);
  rx_drift_field_free(&f);
  rx_density_free(q);
  free(x);
  free(y);
}

/* Langevin on the ring: y_t+1 = y_t - k sin(y_t) dt + sqrt(2 dt) xi (D = 1), stationary
 * ~ exp(k cos y) (von Mises, k = 1), 200 x 5000 steps from that law, headings stored wrapped.
 * The drift is dt x the score -k sin y. The KDE (every 25th step, n = 40000) smooths vM(k)
 * with vM(kappa): its score is ~ -k_eff sin y with A1(k_eff) = A1(k) A1(kappa), so c =
 * k dt / k_eff. Tolerance 5 %: the Euler scheme shifts the stationary law by O(k dt) = 1 %,
 * the regression's s.e. ~ (k dt N)^(-1/2) ~ 1 %. Bins next to 0 and pi have drifts of ~1e-3
 * against noise of ~1e-3 per bin, so some signs there disagree: weighted cosine > 0.8. */
static void test_langevin_on_the_ring_aligns_with_the_circular_score(void) {
  if (skipped_in_small_mode("langevin on the ring aligns with the circular score")) return;
  const int T = 5000, B = 200;
  const double k = 1.0, dt = 0.01;
  float *y = malloc((size_t)T * B * sizeof(float));
  double *y0 = von_mises(B, 0, k, 14);
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, 14, 95, (uint32_t)b, 0, 0);
    double p = y0[b];
    for (int t = 0; t < T; t++) {
      y[(size_t)t * B + b] = (float)p;
      p = remainder(p - k * sin(p) * dt + sqrt(2 * dt) * rx_rng_normal(&r), 2 * M_PI);
    }
  }
  size_t n;
  double *x = thin(y, T, B, 1, 0, 25, &n);
  rx_circular_kde *ck;
  rx_error err;
  REQUIRE(rx_circular_kde_create(&ck, x, n, "ring", &err) == 0);
  rx_drift_opts o = rx_drift_opts_default(1, 1);
  rx_drift_field f;
  REQUIRE_MSG(rx_drift_field_compute(&f, y, T, B, 1, &o, &err) == 0, "%s", err.msg);
  CHECK(f.n_bins == 36 && f.n_used == 36);
  double *s = malloc(36 * sizeof(double));
  rx_circular_kde_score(ck, f.mean, 36, s);
  rx_drift_score r;
  REQUIRE(rx_drift_score_compare(&f, s, 200, 5, RX_STREAM_ANALYSIS, &r, &err) == 0);
  const double kappa = rx_circular_kde_kappa(ck);
  const double a1 = (1 - rxst_bessel_ratio_gap(k)) * (1 - rxst_bessel_ratio_gap(kappa));
  const double k_eff = rxst_kappa_for_gap(1 - a1), c_exp = k * dt / k_eff;
  fprintf(stderr,
          "  ring: kappa %.1f, cos %.4f, centred %.4f, c %.5f (expected %.5f), R^2 %.3f, beta "
          "%.3f, p %.4f\n",
          kappa, r.cos_weighted, r.cos_centered_weighted, r.c, c_exp, r.r2, r.beta, r.p_value);
  CHECK(r.cos_weighted > 0.8);
  CHECK_MSG(fabs(r.c / c_exp - 1) < 0.05, "c %.5f, expected %.5f", r.c, c_exp);
  CHECK(r.r2 > 0.9);
  CHECK(r.p_value < 0.01);
  rx_drift_score_free(&r);
  free(s);
  rx_drift_field_free(&f);
  rx_circular_kde_free(ck);
  free(x);
  free(y0);
  free(y);
}

/* ---- refusals ---- */

static void test_bad_input_is_refused_with_one_line(void) {
  rx_error err;
  rx_drift_field f;
  enum { T = 10, B = 30 };
  float y[T * B * 2];
  for (int i = 0; i < T * B * 2; i++)
    y[i] = (float)((i * 7919) % 101) / 100.0f;
  rx_drift_opts o = rx_drift_opts_default(2, 0);
  o.min_count = 1;
  /* NaN sample, named by t, b and axis */
  y[(3 * B + 4) * 2 + 1] = NAN;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == RX_ENUMERIC && one_line(&err) &&
        strstr(err.msg, "t = 3") && strstr(err.msg, "trajectory 4") && strstr(err.msg, "axis 1"));
  /* ... but one before t_skip is not read */
  o.t_skip = 4;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == 0);
  rx_drift_field_free(&f);
  y[(3 * B + 4) * 2 + 1] = 0.5f;
  o.t_skip = 0;
  /* empty: no trajectories, no steps, NULL */
  CHECK(rx_drift_field_compute(&f, y, T, 0, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "B = 0"));
  o.t_skip = 9;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "t_skip = 9"));
  o.t_skip = 0;
  CHECK(rx_drift_field_compute(&f, NULL, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err));
  /* bad options */
  o.nx = 0;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "0 x 24"));
  o.nx = 24;
  o.circular = 1;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "circular"));
  o.circular = 0;
  o.has_box = 1;
  o.lo[0] = o.hi[0] = 1;
  o.hi[1] = 1;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "box axis 0"));
  o.lo[0] = 5;
  o.hi[0] = 6;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "outside the box"));
  o.has_box = 0;
  CHECK(rx_drift_field_compute(&f, y, T, B, 3, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "dim = 3"));
  /* no bin with min_count samples: 270 pairs over 576 bins */
  o.min_count = 50;
  CHECK(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "min_count = 50") && strstr(err.msg, "fullest"));
  CHECK(f.count == NULL && f.n_bins == 0); /* left empty */
  /* zero-width data range */
  float flat[T * B * 2];
  for (int i = 0; i < T * B * 2; i++)
    flat[i] = i % 2 ? 0.25f : (float)i;
  o.min_count = 1;
  CHECK(rx_drift_field_compute(&f, flat, T, B, 2, &o, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "axis 1"));

  /* the comparison: a NaN score at a used bin, n_perm out of range, an empty field */
  REQUIRE(rx_drift_field_compute(&f, y, T, B, 2, &o, &err) == 0);
  double *s = calloc((size_t)f.n_bins * 2, sizeof(double));
  rx_drift_score r;
  int first_used = 0;
  while (!f.used[first_used])
    first_used++;
  s[first_used * 2 + 1] = NAN;
  CHECK(rx_drift_score_compare(&f, s, 10, 1, 1, &r, &err) == RX_ENUMERIC && one_line(&err) &&
        strstr(err.msg, "axis 1") && strstr(err.msg, "nan"));
  s[first_used * 2 + 1] = 0;
  CHECK(rx_drift_score_compare(&f, s, -1, 1, 1, &r, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "n_perm = -1"));
  /* a score of zero everywhere (a uniform density): cosines 0, c and R^2 undefined */
  REQUIRE(rx_drift_score_compare(&f, s, 10, 1, 1, &r, &err) == 0);
  CHECK(r.cos_weighted == 0 && isnan(r.c) && isnan(r.r2) && isnan(r.beta));
  rx_drift_score_free(&r);
  for (int b = 0; b < f.n_bins; b++)
    f.used[b] = 0;
  CHECK(rx_drift_score_compare(&f, s, 10, 1, 1, &r, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "no bin"));
  free(s);
  rx_drift_field_free(&f);
  const double d3[3] = {1, 2, 3};
  const size_t c3[1] = {60};
  hand_field(&f, 1, 1, d3, c3);
  f.dim = 3; /* a field built by hand with a dimension the comparison does not know */
  CHECK(rx_drift_score_compare(&f, d3, 10, 1, 1, &r, &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "dim 3"));
  rx_drift_field_free(&f);
  rx_drift_field empty;
  memset(&empty, 0, sizeof empty);
  double s0[2] = {0, 0};
  CHECK(rx_drift_score_compare(&empty, s0, 10, 1, 1, &r, &err) == RX_EINVAL && one_line(&err));

  /* the circular KDE */
  rx_circular_kde *ck;
  const double th[3] = {0.1, NAN, 0.3}, same[3] = {1.0, 1.0, 1.0 + 2 * M_PI};
  CHECK(rx_circular_kde_create(&ck, th, 3, "hd", &err) == RX_ENUMERIC && one_line(&err) &&
        strstr(err.msg, "heading 1") && ck == NULL);
  CHECK(rx_circular_kde_create(&ck, th, 1, "hd", &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "at least 2"));
  CHECK(rx_circular_kde_create(&ck, same, 3, "frozen", &err) == RX_EINVAL && one_line(&err) &&
        strstr(err.msg, "frozen") && strstr(err.msg, "all equal"));
}

RX_TEST_MAIN(TEST(test_kde_score_matches_finite_differences_in_1_to_4_dims),
             TEST(test_kde_score_matches_closed_form_where_the_density_underflows),
             TEST(test_kde_score_pruned_equals_every_kernel_with_outliers),
             TEST(test_kde_and_circular_scores_same_bits_for_any_thread_count),
             TEST(test_uniform_box_score_is_zero_inside_and_nan_outside),
             TEST(test_bessel_functions_match_reference_values),
             TEST(test_circular_kde_is_scott_matched_normalised_and_periodic),
             TEST(test_circular_kde_estimates_a_von_mises_density),
             TEST(test_circular_kde_score_matches_finite_differences_and_closed_form),
             TEST(test_drift_field_bins_a_hand_made_trajectory),
             TEST(test_compare_gives_exact_answers_on_hand_made_fields),
             TEST(test_permutation_p_value_matches_exact_enumeration),
             TEST(test_ou_drift_aligns_with_the_score_of_its_kde),
             TEST(test_driftless_random_walk_does_not_align),
             TEST(test_constant_push_lowers_the_raw_cosine_not_the_centred_one),
             TEST(test_langevin_on_the_ring_aligns_with_the_circular_score),
             TEST(test_bad_input_is_refused_with_one_line))
