/* Trajectory statistics, PCA and circular statistics (docs/science.md §6) against closed forms:
 * total variance of known covariances (t_skip honoured), step lengths of straight lines and of
 * angles across +-pi, PCA of a known spectrum, circular means, histogram edges, angular velocities.
 */
#include <stdint.h>

#include "reactivate/analysis.h"
#include "reactivate/linalg.h"
#include "reactivate/rng.h"
#include "test_util.h"

/* ---- trajectory statistics ---- */

static void test_total_variance_is_trace_of_covariance_after_t_skip(void) {
  /* hand-made: one trajectory (0,0), (1,0), (2,2): var x = 1, var y = 4/3 */
  const float tiny[6] = {0, 0, 1, 0, 2, 2};
  double per;
  CHECK_NEAR(rx_total_variance(tiny, 3, 1, 2, 0, 0, &per), 1.0 + 4.0 / 3.0, 1e-12);
  CHECK_NEAR(per, 7.0 / 3.0, 1e-12);
  /* N(0, diag(0.5, 2)) per step after t_skip = 500, wild values before: the trace 2.5; each
   * trajectory's estimate has s.d. sqrt(2 (0.5^2 + 2^2) / 1499) = 0.075, averaged over 50:
   * s.e. 0.011; tolerance 0.06 */
  const int T = 2000, B = 50, skip = 500;
  float *x = malloc((size_t)T * B * 2 * sizeof(float));
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, 1, 90, (uint32_t)b, 0, 0);
    for (int t = 0; t < T; t++) {
      float *p = x + ((size_t)t * B + b) * 2;
      p[0] = t < skip ? 1000.0f * t : (float)(sqrt(0.5) * rx_rng_normal(&r));
      p[1] = t < skip ? -50.0f : (float)(sqrt(2.0) * rx_rng_normal(&r));
    }
  }
  double *v = malloc(B * sizeof(double)), mean = 0;
  double tv = rx_total_variance(x, T, B, 2, skip, 0, v);
  CHECK_NEAR(tv, 2.5, 0.06);
  for (int b = 0; b < B; b++)
    mean += v[b] / B;
  CHECK_NEAR(mean, tv, 1e-12);
  CHECK(rx_total_variance(x, T, B, 2, 0, 0, NULL) > 1e10);     /* without t_skip: the wild part */
  CHECK(isnan(rx_total_variance(x, T, B, 2, T - 1, 0, NULL))); /* one point left: undefined */
  CHECK(isnan(rx_total_variance(x, T, B, 2, 0, 1, NULL)));     /* circular needs dim 1 */
  free(x);
  free(v);
  /* circular: constant heading -> 0; headings alternating +-3.1 -> 1 - |cos 3.1| */
  const float h[8] = {1, 3.1f, 1, -3.1f, 1, 3.1f, 1, -3.1f}; /* (T = 4, B = 2, 1) */
  double ph[2];
  rx_total_variance(h, 4, 2, 1, 0, 1, ph);
  CHECK_NEAR(ph[0], 0.0, 1e-12);
  CHECK_NEAR(ph[1], 1.0 - fabs(cos(3.1)), 1e-6);
}

static void test_step_distance_of_constant_speed_line_and_across_pi(void) {
  /* two trajectories at speeds 0.02 and 0.05 along different directions */
  const int T = 101, B = 2;
  float x[101 * 2 * 2];
  for (int t = 0; t < T; t++) {
    x[(t * B + 0) * 2] = 0.3f + 0.02f * t * 0.6f;
    x[(t * B + 0) * 2 + 1] = -0.1f + 0.02f * t * 0.8f;
    x[(t * B + 1) * 2] = 0.05f * t;
    x[(t * B + 1) * 2 + 1] = 0.0f;
  }
  double per[2];
  CHECK_NEAR(rx_step_distance(x, T, B, 2, 0, per), 0.035, 1e-6); /* float32 positions */
  CHECK_NEAR(per[0], 0.02, 1e-6);
  CHECK_NEAR(per[1], 0.05, 1e-6);
  /* heading turning at 0.1 rad per step through +pi (wrapping to -pi) and back at -0.3 */
  float h[40 * 2];
  for (int t = 0; t < 40; t++) {
    double a = 2.5 + 0.1 * t, c = -2.8 - 0.3 * t;
    h[t * 2] = (float)(a - 2 * M_PI * floor((a + M_PI) / (2 * M_PI)));
    h[t * 2 + 1] = (float)(c - 2 * M_PI * floor((c + M_PI) / (2 * M_PI)));
  }
  CHECK_NEAR(rx_step_distance(h, 40, 2, 1, 1, per), 0.2, 1e-6);
  CHECK_NEAR(per[0], 0.1, 1e-6);
  CHECK_NEAR(per[1], 0.3, 1e-6);
  CHECK(isnan(rx_step_distance(h, 1, 2, 1, 1, NULL)));
}

/* ---- circular ---- */

static void test_circular_mean_and_resultant_across_pi(void) {
  const double a[2] = {3.1, -3.1};
  double m, r;
  rx_circular_mean(a, 2, &m, &r);
  CHECK_NEAR(fabs(m), M_PI, 1e-12);
  CHECK_NEAR(r, fabs(cos(3.1)), 1e-12);
  const double b[3] = {0.1, 0.2, 0.3};
  rx_circular_mean(b, 3, &m, &r);
  CHECK_NEAR(m, 0.2, 1e-12);
  CHECK_NEAR(r, (1 + 2 * cos(0.1)) / 3, 1e-12);
  const double c[2] = {0, M_PI / 2};
  rx_circular_mean(c, 2, &m, &r);
  CHECK_NEAR(m, M_PI / 4, 1e-12);
  CHECK_NEAR(r, M_SQRT1_2, 1e-12);
}

static void test_circular_histogram_bin_edges(void) {
  /* 20 bins of width w = pi / 10: bin b holds [-pi + b w, -pi + (b + 1) w) */
  const double w = M_PI / 10;
  float th[9] = {(float)-M_PI,
                 (float)M_PI,
                 0.0f,
                 (float)(-M_PI + 3.5 * w),
                 (float)(M_PI - 1e-3),
                 (float)(-M_PI + 1e-3),
                 (float)(2 * M_PI + 0.5 * w),
                 NAN,
                 (float)(-0.5 * w)};
  double counts[20];
  rx_circular_histogram(th, 9, 20, counts);
  double total = 0;
  for (int b = 0; b < 20; b++)
    total += counts[b];
  CHECK(total == 8.0); /* NaN skipped */
  /* float32 pi exceeds pi: (float)pi wraps to just above -pi (bin 0), (float)-pi to just
   * below pi (bin 19) */
  CHECK(counts[0] == 2.0);  /* (float)pi, -pi + 1e-3 */
  CHECK(counts[19] == 2.0); /* (float)-pi, pi - 1e-3 */
  CHECK(counts[10] == 2.0); /* 0 (the lower edge of bin 10), and 2 pi + w/2 wrapped to w/2 */
  CHECK(counts[3] == 1.0);
  CHECK(counts[9] == 1.0); /* -w/2 */
}

static void test_angular_velocity_wraps_differences(void) {
  const float x[6] = {3.0f, 0.0f, -3.0f, 0.1f, -2.9f, -0.1f}; /* (T = 3, B = 2, 1) */
  double v[4];
  rx_angular_velocity(x, 3, 2, 0.5, v);
  CHECK_NEAR(v[0], (2 * M_PI - 6.0) / 0.5, 1e-6); /* 3 -> -3 is +0.283 */
  CHECK_NEAR(v[1], 0.1 / 0.5, 1e-6);
  CHECK_NEAR(v[2], 0.1 / 0.5, 1e-6);
  CHECK_NEAR(v[3], -0.2 / 0.5, 1e-6);
}

/* ---- PCA ---- */

/* A 4 x 4 rotation: product of Givens rotations in three planes. */
static void rotation4(double r[16]) {
  for (int i = 0; i < 16; i++)
    r[i] = (i % 5 == 0);
  const int planes[4][2] = {{0, 1}, {1, 2}, {2, 3}, {0, 3}};
  const double ang[4] = {0.4, -0.9, 1.3, 0.25};
  for (int k = 0; k < 4; k++) {
    int a = planes[k][0], b = planes[k][1];
    double c = cos(ang[k]), s = sin(ang[k]);
    for (int i = 0; i < 4; i++) {
      double ra = r[i * 4 + a], rb = r[i * 4 + b];
      r[i * 4 + a] = c * ra - s * rb;
      r[i * 4 + b] = s * ra + c * rb;
    }
  }
}

/* Eight rows +-a_k R e_k (plus an offset): the covariance is exactly R diag(9, 4, 1, 0.25) R^T
 * (a_k^2 = 7 lambda_k / 2), so the explained ratios are lambda / 14.25 and the components are
 * the columns of R up to sign; float32 rows: tolerance 1e-6. */
static void test_pca_recovers_known_spectrum_and_components(void) {
  const double lambda[4] = {9, 4, 1, 0.25};
  double r[16];
  rotation4(r);
  float x[8 * 4];
  for (int k = 0; k < 4; k++)
    for (int s = 0; s < 2; s++)
      for (int i = 0; i < 4; i++)
        x[(2 * k + s) * 4 + i] = (float)(3.0 + (s ? -1 : 1) * sqrt(3.5 * lambda[k]) * r[i * 4 + k]);
  rx_pca pca;
  rx_error err;
  REQUIRE(rx_pca_fit(&pca, x, 8, 4, 4, &err) == 0);
  CHECK(pca.p == 4 && pca.k == 4);
  CHECK_NEAR(pca.total_var, 14.25, 1e-5);
  for (int k = 0; k < 4; k++) {
    CHECK_NEAR(pca.mean[k], 3.0, 1e-6);
    CHECK_NEAR(pca.explained[k], lambda[k] / 14.25, 1e-6);
    double dot = 0, big = 0;
    for (int i = 0; i < 4; i++) {
      dot += pca.components[k * 4 + i] * r[i * 4 + k];
      if (fabs(pca.components[k * 4 + i]) > fabs(big)) big = pca.components[k * 4 + i];
    }
    CHECK_NEAR(fabs(dot), 1.0, 1e-6);
    CHECK(big > 0); /* sign convention: the largest entry is positive */
  }
  /* projections: row 2k is +a_k on component k (up to its sign), 0 on the others */
  double proj[8 * 4];
  rx_pca_project(&pca, x, 8, proj);
  for (int k = 0; k < 4; k++)
    for (int j = 0; j < 4; j++) {
      double dot = 0;
      for (int i = 0; i < 4; i++)
        dot += pca.components[j * 4 + i] * r[i * 4 + k];
      CHECK_NEAR(proj[(2 * k) * 4 + j], sqrt(3.5 * lambda[k]) * dot, 1e-5);
    }
  rx_pca_free(&pca);
  CHECK(pca.mean == NULL && pca.components == NULL);
}

/* Many rows (two float32 blocks of rows, a large offset): the components diagonalise the
 * float64 covariance computed here, and the Rayleigh quotients are the explained variances
 * (relative 1e-5: the float32 products); results identical with 1 and 2 threads. */
static void test_pca_diagonalises_float64_covariance_over_many_blocks(void) {
  enum { P = 160 }; /* two tiles of the products (128 + 32) */
  const size_t n = 5000;
  const int p = P, k = 5;
  float *x = malloc(n * p * sizeof(float));
  for (size_t i = 0; i < n; i++) {
    rx_rng r;
    rx_rng_init(&r, 3, 91, (uint32_t)i, 0, 0);
    double z[P];
    for (int l = 0; l < p; l++)
      z[l] = rx_rng_normal(&r) * (1.0 + 10.0 / (1 + l));
    for (int l = 0; l < p; l++)
      x[i * p + l] = (float)(100.0 + z[l] + 0.5 * z[(l + 1) % p] - 0.3 * z[(l + 7) % p]);
  }
  double mean[P] = {0}, *cov = calloc(P * P, sizeof(double));
  for (size_t i = 0; i < n; i++)
    for (int l = 0; l < p; l++)
      mean[l] += x[i * p + l] / (double)n;
  for (size_t i = 0; i < n; i++)
    for (int a = 0; a < p; a++)
      for (int b = 0; b < p; b++)
        cov[a * p + b] += (x[i * p + a] - mean[a]) * (x[i * p + b] - mean[b]) / (double)(n - 1);
  double trace = 0;
  for (int a = 0; a < p; a++)
    trace += cov[a * p + a];
  rx_pca pca, pca1;
  rx_error err;
  const int threads = rx_get_threads();
  rx_set_threads(1);
  REQUIRE(rx_pca_fit(&pca1, x, n, p, k, &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_pca_fit(&pca, x, n, p, k, &err) == 0);
  rx_set_threads(threads);
  CHECK(memcmp(pca.components, pca1.components, (size_t)k * p * sizeof(double)) == 0);
  CHECK(memcmp(pca.explained, pca1.explained, (size_t)k * sizeof(double)) == 0);
  CHECK_NEAR(pca.total_var, trace, 1e-5 * trace);
  for (int i = 0; i < k; i++) {
    for (int j = 0; j < k; j++) {
      double q = 0;
      for (int a = 0; a < p; a++)
        for (int b = 0; b < p; b++)
          q += pca.components[i * p + a] * cov[a * p + b] * pca.components[j * p + b];
      if (i == j)
        CHECK_NEAR(q / trace, pca.explained[i], 1e-5 * pca.explained[i]);
      else
        CHECK_NEAR(q / trace, 0.0, 1e-5);
    }
    if (i > 0) CHECK(pca.explained[i] <= pca.explained[i - 1]);
  }
  rx_pca_free(&pca);
  rx_pca_free(&pca1);
  free(cov);
  free(x);
}

static void test_pca_refuses_bad_shapes_and_nonfinite_data(void) {
  rx_pca pca;
  rx_error err;
  float x[6] = {1, 2, 3, 4, 5, 6};
  CHECK(rx_pca_fit(&pca, x, 1, 6, 2, &err) == RX_EINVAL && strstr(err.msg, "2 rows"));
  CHECK(rx_pca_fit(&pca, x, 2, 3, 4, &err) == RX_EINVAL && strstr(err.msg, "k = 4"));
  CHECK(rx_pca_fit(&pca, x, 2, 3, 0, &err) == RX_EINVAL);
  x[5] = NAN; /* the first, then an Inf after it in a second call */
  CHECK(rx_pca_fit(&pca, x, 2, 3, 2, &err) == RX_ENUMERIC &&
        strstr(err.msg, "NaN at row 1, feature 2"));
  CHECK(pca.mean == NULL);
  x[1] = -INFINITY;
  CHECK(rx_pca_fit(&pca, x, 2, 3, 2, &err) == RX_ENUMERIC &&
        strstr(err.msg, "-Inf at row 0, feature 1"));
  CHECK(pca.mean == NULL);
}

/* Known answers of the discrete KL used for claim g1: uniform on half of a uniform target's bins
 * is log 2 (effective coverage 1/2), identical histograms 0, an asymmetric two-bin case by its
 * formula (swapping q and a gives another number), counts as good as shares, and the clip. */
static void test_discrete_kl_known_answers_and_clip(void) {
  rx_error err = {{0}};
  double uni[20], half[20], kl = -1;
  for (int i = 0; i < 20; i++)
    uni[i] = 0.05, half[i] = i % 2 ? 0.1 : 0;
  REQUIRE(rx_kl_discrete(half, uni, 20, &kl, &err) == 0);
  CHECK_NEAR(kl, log(2.0), 1e-15);
  CHECK_NEAR(exp(-kl), 0.5, 1e-15);
  REQUIRE(rx_kl_discrete(uni, uni, 20, &kl, &err) == 0);
  CHECK_NEAR(kl, 0, 1e-15);
  const double q[2] = {0.25, 0.75}, a[2] = {0.5, 0.5}, qc[2] = {25, 75}, ac[2] = {3, 3};
  const double want = 0.25 * log(0.5) + 0.75 * log(1.5);
  REQUIRE(rx_kl_discrete(q, a, 2, &kl, &err) == 0);
  CHECK_NEAR(kl, want, 1e-15);
  REQUIRE(rx_kl_discrete(qc, ac, 2, &kl, &err) == 0); /* counts are normalised */
  CHECK_NEAR(kl, want, 1e-15);
  REQUIRE(rx_kl_discrete(a, q, 2, &kl, &err) == 0); /* not symmetric */
  CHECK_NEAR(kl, 0.5 * log(2.0) + 0.5 * log(2.0 / 3.0), 1e-15);
  /* a target bin of 0 under quiescent mass: the ratio is clipped at 1e7 as in rx_kl_matrix */
  const double q3[3] = {0.5, 0.5, 0}, a3[3] = {1, 0, 0};
  REQUIRE(rx_kl_discrete(q3, a3, 3, &kl, &err) == 0);
  CHECK_NEAR(kl, 0.5 * log(0.5) + 0.5 * log(1e7), 1e-12);
  /* refusals, one line each */
  const double neg[2] = {-0.1, 1.1}, zero[2] = {0, 0}, nan2[2] = {NAN, 1};
  CHECK(rx_kl_discrete(q, a, 0, &kl, &err) == RX_EINVAL);
  CHECK(rx_kl_discrete(neg, a, 2, &kl, &err) == RX_EINVAL && strstr(err.msg, "bin 0"));
  CHECK(rx_kl_discrete(nan2, a, 2, &kl, &err) == RX_EINVAL && strstr(err.msg, "bin 0"));
  CHECK(rx_kl_discrete(zero, a, 2, &kl, &err) == RX_EINVAL && strstr(err.msg, "empty"));
}

RX_TEST_MAIN(TEST(test_total_variance_is_trace_of_covariance_after_t_skip),
             TEST(test_step_distance_of_constant_speed_line_and_across_pi),
             TEST(test_circular_mean_and_resultant_across_pi),
             TEST(test_circular_histogram_bin_edges), TEST(test_angular_velocity_wraps_differences),
             TEST(test_pca_recovers_known_spectrum_and_components),
             TEST(test_pca_diagonalises_float64_covariance_over_many_blocks),
             TEST(test_pca_refuses_bad_shapes_and_nonfinite_data),
             TEST(test_discrete_kl_known_answers_and_clip))
