/* The "is it sampling?" statistics (sampling.h, docs/probes.md) against closed forms: the MSD of
 * Brownian motion (2 d D tau, on the plane and unwrapped on the ring) and of ballistic motion,
 * their exponents 1 and 2; Rayleigh step lengths; the SPEC's mixing time and plateau on synthetic
 * KL sequences; the tempering exponent recovered from samples of p^beta for a Gaussian and a von
 * Mises p; log-log slopes; thread-count independence; and the refusals of bad input. Random data
 * come from Philox streams, so every run sees the same numbers; tolerances are derived from the
 * sample sizes where they are not round-off. */
#include <stdint.h>

#include "reactivate/linalg.h"
#include "reactivate/rng.h"
#include "reactivate/sampling.h"
#include "reactivate/task.h"
#include "test_util.h"

enum { STREAM = RX_STREAM_ANALYSIS + 40 }; /* this file's data */

/* ---- helpers ---- */

/* A failure with the expected code and a one-line message containing `needle`. */
static void expect_fail(int rc, int code, const rx_error *err, const char *needle) {
  CHECK_MSG(rc == code, "rc %d, expected %d", rc, code);
  CHECK_MSG(strstr(err->msg, needle) != NULL, "message '%s' lacks '%s'", err->msg, needle);
  CHECK(strchr(err->msg, '\n') == NULL);
}

/* Brownian motion x (T, B, dim): x_0 uniform in [-1, 1]^dim, steps N(0, sigma^2 I); headings
 * (ring) are wrapped into [-pi, pi) after every step, as a network's decoded heading is. */
static float *brownian(int T, int B, int dim, double sigma, int ring, uint32_t seed) {
  float *x = malloc((size_t)T * B * dim * sizeof(float));
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, seed, STREAM, (uint32_t)b, 0, 0);
    double y[2];
    for (int k = 0; k < dim; k++)
      y[k] = 2 * rx_rng_uniform(&r) - 1;
    for (int t = 0; t < T; t++) {
      for (int k = 0; k < dim; k++) {
        if (t > 0) y[k] += sigma * rx_rng_normal(&r);
        if (ring) y[k] = rx_wrap_angle(y[k]);
        x[((size_t)t * B + b) * dim + k] = (float)y[k];
      }
    }
  }
  return x;
}

/* Relative standard error of the MSD estimate of Brownian motion at lag tau, from B
 * trajectories of T steps in d independent dimensions: the squared increments over a lag tau
 * overlap, Cov(D_t^2, D_s^2) = 2 sigma^4 (tau - |t - s|)^2, which sums to
 * Var = 2 (tau^2 + (tau - 1) tau (2 tau - 1) / 3) / (d B (T - tau) tau^2) relative to MSD^2. */
static double brownian_msd_rel_se(int T, int B, int d, int tau) {
  const double v = 2.0 * (tau * (double)tau + (tau - 1.0) * tau * (2.0 * tau - 1.0) / 3.0) /
                   ((double)d * B * (T - tau) * tau * (double)tau);
  return sqrt(v);
}

/* ---- diffusion ---- */

static void test_msd_of_hand_made_trajectory(void) {
  /* one 1-D trajectory 0, 1, 3, 6: lag 1: (1 + 4 + 9) / 3; lag 2: (9 + 25) / 2; lag 3: 36 */
  const float x[4] = {0, 1, 3, 6};
  double msd[3], per[3];
  rx_error err;
  REQUIRE(rx_msd(x, 4, 1, 1, 0, 3, msd, per, &err) == 0);
  CHECK_NEAR(msd[0], 14.0 / 3.0, 1e-12);
  CHECK_NEAR(msd[1], 17.0, 1e-12);
  CHECK_NEAR(msd[2], 36.0, 1e-12);
  CHECK(memcmp(msd, per, sizeof msd) == 0); /* one trajectory: its own mean is the mean */
  /* two 2-D trajectories (T = 3, B = 2): b0 (0,0) (3,4) (3,4); b1 (1,1) (1,2) (1,4) */
  const float y[12] = {0, 0, 1, 1, 3, 4, 1, 2, 3, 4, 1, 4};
  double m2[2], p2[4];
  REQUIRE(rx_msd(y, 3, 2, 2, 0, 2, m2, p2, &err) == 0);
  CHECK_NEAR(p2[0], 12.5, 1e-12); /* b0: (25 + 0) / 2, then 25 */
  CHECK_NEAR(p2[1], 25.0, 1e-12);
  CHECK_NEAR(p2[2], 2.5, 1e-12); /* b1: (1 + 4) / 2, then 9 */
  CHECK_NEAR(p2[3], 9.0, 1e-12);
  CHECK_NEAR(m2[0], 7.5, 1e-12);
  CHECK_NEAR(m2[1], 17.0, 1e-12);
}

static void test_msd_of_brownian_motion_is_2_d_D_tau_with_exponent_1(void) {
  /* steps N(0, sigma^2 I) per unit time: D = sigma^2 / 2, MSD(tau) = 2 d D tau = d sigma^2 tau */
  const int T = 1000, B = 200, d = 2, tau_max = 100;
  const double sigma = 0.05;
  float *x = brownian(T, B, d, sigma, 0, 1);
  double msd[100], alpha, r2;
  rx_error err;
  REQUIRE(rx_msd(x, T, B, d, 0, tau_max, msd, NULL, &err) == 0);
  const int taus[] = {1, 2, 5, 10, 30, 100};
  for (int i = 0; i < 6; i++) {
    const int tau = taus[i];
    const double want = 2.0 * d * (sigma * sigma / 2.0) * tau;
    CHECK_NEAR(msd[tau - 1], want, 4.0 * brownian_msd_rel_se(T, B, d, tau) * want);
  }
  REQUIRE(rx_msd_exponent(msd, tau_max, RX_MSD_TAU_LO, RX_MSD_TAU_HI, &alpha, &r2, &err) == 0);
  CHECK_NEAR(alpha, 1.0, 0.05);
  CHECK(r2 > 0.999);
  CHECK(rx_diffusion_classify(alpha) == RX_DIFFUSIVE);
  free(x);
}

static void test_msd_on_the_ring_unwraps_brownian_headings_past_pi_squared(void) {
  /* sigma 0.3 rad per step: MSD(tau) = sigma^2 tau reaches 18 > pi^2 at tau = 200, though the
   * stored headings never leave [-pi, pi) */
  const int T = 1000, B = 200, tau_max = 200;
  const double sigma = 0.3;
  float *x = brownian(T, B, 1, sigma, 1, 2);
  double *msd = malloc(tau_max * sizeof(double)), alpha, r2;
  rx_error err;
  REQUIRE(rx_msd(x, T, B, 1, 1, tau_max, msd, NULL, &err) == 0);
  const int taus[] = {1, 10, 50, 200};
  for (int i = 0; i < 4; i++) {
    const int tau = taus[i];
    const double want = sigma * sigma * tau;
    CHECK_NEAR(msd[tau - 1], want, 4.0 * brownian_msd_rel_se(T, B, 1, tau) * want);
  }
  CHECK(msd[tau_max - 1] > M_PI * M_PI);
  REQUIRE(rx_msd_exponent(msd, tau_max, 1, 10, &alpha, &r2, &err) == 0);
  CHECK_NEAR(alpha, 1.0, 0.05);
  /* the same numbers read as positions on a line: the wrapping caps MSD near 2 pi^2 / 3 */
  REQUIRE(rx_msd(x, T, B, 1, 0, tau_max, msd, NULL, &err) == 0);
  CHECK(msd[tau_max - 1] < M_PI * M_PI);
  free(msd);
  free(x);
}

static void test_ballistic_motion_has_msd_v2_tau2_and_exponent_2(void) {
  /* constant velocity v_b: MSD(tau) = mean |v_b|^2 tau^2 exactly (float32 positions: 1e-4) */
  const int T = 300, B = 50, tau_max = 50;
  float *x = malloc((size_t)T * B * 2 * sizeof(float)), *h = malloc((size_t)T * B * sizeof(float));
  double v2 = 0, w2 = 0;
  for (int b = 0; b < B; b++) {
    rx_rng r;
    rx_rng_init(&r, 3, STREAM, (uint32_t)b, 0, 0);
    const double speed = 0.005 + 0.015 * rx_rng_uniform(&r), dir = 2 * M_PI * rx_rng_uniform(&r);
    const double x0 = rx_rng_uniform(&r) - 0.5, y0 = rx_rng_uniform(&r) - 0.5;
    const double omega = (rx_rng_uniform(&r) < 0.5 ? -1 : 1) * (0.01 + 0.04 * rx_rng_uniform(&r));
    const double h0 = M_PI * (2 * rx_rng_uniform(&r) - 1);
    v2 += speed * speed / B;
    w2 += omega * omega / B;
    for (int t = 0; t < T; t++) {
      x[((size_t)t * B + b) * 2] = (float)(x0 + speed * cos(dir) * t);
      x[((size_t)t * B + b) * 2 + 1] = (float)(y0 + speed * sin(dir) * t);
      h[(size_t)t * B + b] = (float)rx_wrap_angle(h0 + omega * t); /* turns up to 15 rad */
    }
  }
  double msd[50], alpha, r2;
  rx_error err;
  REQUIRE(rx_msd(x, T, B, 2, 0, tau_max, msd, NULL, &err) == 0);
  for (int tau = 1; tau <= tau_max; tau += 7)
    CHECK_NEAR(msd[tau - 1], v2 * tau * tau, 1e-4 * v2 * tau * tau);
  REQUIRE(rx_msd_exponent(msd, tau_max, 1, 10, &alpha, &r2, &err) == 0);
  CHECK_NEAR(alpha, 2.0, 0.05);
  CHECK(r2 > 0.999999);
  CHECK(rx_diffusion_classify(alpha) == RX_SUPERDIFFUSIVE);
  REQUIRE(rx_msd(h, T, B, 1, 1, tau_max, msd, NULL, &err) == 0);
  for (int tau = 1; tau <= tau_max; tau += 7)
    CHECK_NEAR(msd[tau - 1], w2 * tau * tau, 1e-4 * w2 * tau * tau);
  REQUIRE(rx_msd_exponent(msd, tau_max, 1, 10, &alpha, NULL, &err) == 0);
  CHECK_NEAR(alpha, 2.0, 0.05);
  free(x);
  free(h);
}

static void test_msd_bits_do_not_depend_on_thread_count(void) {
  const int T = 400, B = 37, tau_max = 60; /* B odd: the threads' shares differ */
  float *x = brownian(T, B, 2, 0.1, 0, 4), *hd = brownian(T, B, 1, 0.2, 1, 5);
  double m1[60], m2[60], p1[37 * 60], p2[37 * 60], d1[400], d2[400];
  rx_error err;
  const int threads = rx_get_threads();
  rx_set_threads(1);
  REQUIRE(rx_msd(x, T, B, 2, 0, tau_max, m1, p1, &err) == 0);
  REQUIRE(rx_distance_from_start(hd, T, B, 1, 1, d1, &err) == 0);
  rx_set_threads(2);
  REQUIRE(rx_msd(x, T, B, 2, 0, tau_max, m2, p2, &err) == 0);
  REQUIRE(rx_distance_from_start(hd, T, B, 1, 1, d2, &err) == 0);
  rx_set_threads(threads);
  CHECK(memcmp(m1, m2, sizeof m1) == 0);
  CHECK(memcmp(p1, p2, sizeof p1) == 0);
  CHECK(memcmp(d1, d2, sizeof d1) == 0);
  /* and the mean is the mean of the per-trajectory MSDs */
  for (int tau = 1; tau <= tau_max; tau += 11) {
    double s = 0;
    for (int b = 0; b < B; b++)
      s += p1[b * tau_max + tau - 1] / B;
    CHECK_NEAR(m1[tau - 1], s, 1e-12 * s);
  }
  free(x);
  free(hd);
}

static void test_loglog_fit_matches_hand_computed_least_squares(void) {
  /* beta_k = 2 / k at the SPEC's k: slope -1, intercept log 2, r2 1, to round-off */
  const double k[5] = {0.5, 1, 2, 4, 8};
  double beta[5], slope, icpt, r2;
  for (int i = 0; i < 5; i++)
    beta[i] = 2.0 / k[i];
  rx_error err;
  REQUIRE(rx_loglog_fit(k, beta, 5, &slope, &icpt, &r2, &err) == 0);
  CHECK_NEAR(slope, -1.0, 1e-12);
  CHECK_NEAR(icpt, log(2.0), 1e-12);
  CHECK_NEAR(r2, 1.0, 1e-12);
  /* log x = 0, 1, 2 and log y = 0, 1, 1: slope 1/2, intercept 1/6, r2 = 1 - (1/6) / (2/3) */
  const double x[3] = {1, M_E, M_E * M_E}, y[3] = {1, M_E, M_E};
  REQUIRE(rx_loglog_fit(x, y, 3, &slope, &icpt, &r2, &err) == 0);
  CHECK_NEAR(slope, 0.5, 1e-12);
  CHECK_NEAR(icpt, 1.0 / 6.0, 1e-12);
  CHECK_NEAR(r2, 0.75, 1e-12);
  /* a flat line fits exactly */
  const double flat[3] = {2, 2, 2};
  REQUIRE(rx_loglog_fit(x, flat, 3, &slope, NULL, &r2, &err) == 0);
  CHECK_NEAR(slope, 0.0, 1e-15);
  CHECK(r2 == 1.0);
}

static void test_diffusion_classes_at_their_thresholds(void) {
  CHECK(rx_diffusion_classify(0.59) == RX_SUBDIFFUSIVE);
  CHECK(rx_diffusion_classify(0.6) == RX_DIFFUSIVE);
  CHECK(rx_diffusion_classify(1.4) == RX_DIFFUSIVE);
  CHECK(rx_diffusion_classify(1.41) == RX_SUPERDIFFUSIVE);
  CHECK(rx_diffusion_classify(NAN) == RX_DIFFUSION_UNDEFINED);
  CHECK(strcmp(rx_diffusion_class_name(RX_SUBDIFFUSIVE), "sub-diffusive") == 0);
  CHECK(strcmp(rx_diffusion_class_name(RX_DIFFUSIVE), "diffusive") == 0);
  CHECK(strcmp(rx_diffusion_class_name(RX_SUPERDIFFUSIVE), "super-diffusive") == 0);
  CHECK(strcmp(rx_diffusion_class_name(RX_DIFFUSION_UNDEFINED), "undefined") == 0);
}

/* ---- step sizes ---- */

static void test_percentile_follows_numpy_linear_rule(void) {
  rx_error err;
  double v[4] = {4, 1, 3, 2}, p;
  REQUIRE(rx_percentile(v, 4, 99, &p, &err) == 0); /* h = 2.97: 3 + 0.97 (4 - 3) */
  CHECK_NEAR(p, 3.97, 1e-12);
  CHECK(v[0] == 1 && v[1] == 2 && v[2] == 3 && v[3] == 4); /* sorted in place */
  REQUIRE(rx_percentile(v, 4, 50, &p, &err) == 0);
  CHECK(p == 2.5);
  REQUIRE(rx_percentile(v, 4, 0, &p, &err) == 0);
  CHECK(p == 1);
  REQUIRE(rx_percentile(v, 4, 100, &p, &err) == 0);
  CHECK(p == 4);
  double one = 5;
  REQUIRE(rx_percentile(&one, 1, 99, &p, &err) == 0);
  CHECK(p == 5);
}

static void test_step_sizes_histogram_edges_and_percentile_by_hand(void) {
  /* 1-D, one trajectory 0, 0, 1, 3, 5.5: steps 0, 1, 2, 2.5 over edges 0, 1, 2: 0 -> bin 0;
   * 1 and 2 -> bin 1 (the last bin is closed, as numpy's); 2.5 outside */
  const float x[5] = {0, 0, 1, 3, 5.5f};
  const double edges[3] = {0, 1, 2};
  double counts[2];
  rx_step_summary s;
  rx_error err;
  REQUIRE(rx_step_sizes(x, 5, 1, 1, 0, edges, 2, counts, &s, &err) == 0);
  CHECK(s.n == 4);
  CHECK(counts[0] == 1 && counts[1] == 2);
  CHECK(s.n_outside == 1);
  CHECK_NEAR(s.mean, 5.5 / 4, 1e-12);
  CHECK_NEAR(s.p99, 2.0 + 0.97 * 0.5, 1e-12); /* h = 3 x 0.99 */
  CHECK(s.max == 2.5);
  /* headings across +-pi: 3.0 -> -3.0 is a step of 2 pi - 6, not 6 */
  const float h[3] = {3.0f, -3.0f, -2.9f};
  REQUIRE(rx_step_sizes(h, 3, 1, 1, 1, NULL, 0, NULL, &s, &err) == 0);
  CHECK_NEAR(s.max, 2 * M_PI - 6.0, 1e-6);
  CHECK_NEAR(s.mean, (2 * M_PI - 6.0 + 0.1) / 2, 1e-6);
}

static void test_step_sizes_of_gaussian_increments_are_rayleigh(void) {
  /* 2-D steps N(0, sigma^2 I): lengths Rayleigh(sigma), mean sigma sqrt(pi / 2), s.d.
   * sigma sqrt(2 - pi / 2), 99th percentile sigma sqrt(2 ln 100). n = 999 x 200 steps: the mean's
   * s.e. 0.0015 sigma; the percentile's sqrt(0.99 x 0.01 / n) / f(q) = 0.0073 sigma (f the
   * density at q); tolerances 4 s.e. */
  const int T = 1000, B = 200, nb = 10;
  const double sigma = 0.02;
  float *x = brownian(T, B, 2, sigma, 0, 6);
  double edges[11], counts[10];
  for (int i = 0; i <= nb; i++)
    edges[i] = sigma * 0.3 * i; /* 0 .. 3 sigma */
  rx_step_summary s;
  rx_error err;
  REQUIRE(rx_step_sizes(x, T, B, 2, 0, edges, nb, counts, &s, &err) == 0);
  const double n = (double)(T - 1) * B;
  CHECK(s.n == (size_t)n);
  CHECK_NEAR(s.mean, sigma * sqrt(M_PI / 2), 4 * sigma * sqrt((4 - M_PI) / 2) / sqrt(n));
  const double q = sigma * sqrt(2 * log(100.0)), f = q / (sigma * sigma) * 0.01;
  CHECK_NEAR(s.p99, q, 4 * sqrt(0.99 * 0.01 / n) / f);
  /* bin counts against n (F(e_{i+1}) - F(e_i)), F(r) = 1 - exp(-r^2 / 2 sigma^2), within 5
   * binomial s.d.; the steps beyond 3 sigma, a share exp(-4.5), are outside */
  double in = 0;
  for (int i = 0; i < nb; i++) {
    const double pr = exp(-edges[i] * edges[i] / (2 * sigma * sigma)) -
                      exp(-edges[i + 1] * edges[i + 1] / (2 * sigma * sigma));
    CHECK_NEAR(counts[i], n * pr, 5 * sqrt(n * pr * (1 - pr)));
    in += counts[i];
  }
  CHECK(in + (double)s.n_outside == n);
  CHECK_NEAR((double)s.n_outside, n * exp(-4.5), 5 * sqrt(n * exp(-4.5)));
  free(x);
}

/* ---- mixing ---- */

static void test_mixing_time_is_the_first_window_within_the_plateau(void) {
  /* far until window 4 (0.385 misses the plateau 0.125 by 0.26 > 0.25), within from window 5;
   * the last four windows are dyadic, so the plateau 0.125 is exact */
  const double kl[12] = {5, 4, 3, 2, 0.385, 0.3, 0.2, 0.1, 0.125, 0.25, 0.0625, 0.0625};
  rx_mixing m;
  rx_error err;
  REQUIRE(rx_mixing_summary(kl, 12, RX_MIXING_WINDOW_STEPS, &m, &err) == 0);
  CHECK(m.plateau == 0.125);
  CHECK(m.tolerance == 0.25);
  CHECK(m.window == 5);
  CHECK(m.start_step == 5 * 250);
  CHECK(m.settled_window == 5);
  CHECK(m.settled_step == 1250);
  /* a transient dip: the SPEC's rule takes it, the settled rule waits for the last excursion */
  const double dip[10] = {5, 0.2, 3, 2, 1.0, 0.1, 0.125, 0.25, 0.0625, 0.0625};
  REQUIRE(rx_mixing_summary(dip, 10, 100, &m, &err) == 0);
  CHECK(m.window == 1);
  CHECK(m.start_step == 100);
  CHECK(m.settled_window == 5);
  CHECK(m.settled_step == 500);
  /* 25 % of a large plateau: 4 +- 1 */
  const double big[7] = {10, 2.9, 3.1, 4, 4, 4, 4};
  REQUIRE(rx_mixing_summary(big, 7, 250, &m, &err) == 0);
  CHECK(m.tolerance == 1.0);
  CHECK(m.window == 2);
  /* no window near the mean of 0, 0, 0, 4 */
  const double none[4] = {0, 0, 0, 4};
  REQUIRE(rx_mixing_summary(none, 4, 250, &m, &err) == 0);
  CHECK(m.plateau == 1.0);
  CHECK(m.window == -1 && m.start_step == -1);
  CHECK(m.settled_window == -1 && m.settled_step == -1);
  /* already there at the start */
  const double at[4] = {0.5, 0.5, 0.5, 0.5};
  REQUIRE(rx_mixing_summary(at, 4, 250, &m, &err) == 0);
  CHECK(m.window == 0 && m.start_step == 0 && m.settled_window == 0);
}

static void test_mixes_verdict_both_ways(void) {
  int mixes = -1;
  rx_error err;
  REQUIRE(rx_mixes(1.2, 1.0, &mixes, &err) == 0); /* within 0.25 nats */
  CHECK(mixes == 1);
  REQUIRE(rx_mixes(1.3, 1.0, &mixes, &err) == 0);
  CHECK(mixes == 0);
  REQUIRE(rx_mixes(0.8, 1.0, &mixes, &err) == 0);
  CHECK(mixes == 1);
  REQUIRE(rx_mixes(4.9, 4.0, &mixes, &err) == 0); /* within 25 % of 4 */
  CHECK(mixes == 1);
  REQUIRE(rx_mixes(5.1, 4.0, &mixes, &err) == 0);
  CHECK(mixes == 0);
  CHECK(rx_mixing_tolerance(0.1) == 0.25);
  CHECK(rx_mixing_tolerance(-8.0) == 2.0);
}

static void test_distance_from_start_on_line_and_ring(void) {
  /* constant velocities 0.01 and 0.03: mean distance 0.02 t */
  const int T = 50, B = 2;
  float x[50 * 2 * 2];
  for (int t = 0; t < T; t++) {
    x[(t * B + 0) * 2] = 0.5f + 0.01f * t * 0.6f;
    x[(t * B + 0) * 2 + 1] = 0.01f * t * 0.8f;
    x[(t * B + 1) * 2] = -0.2f;
    x[(t * B + 1) * 2 + 1] = 0.3f - 0.03f * t;
  }
  double d[50];
  rx_error err;
  REQUIRE(rx_distance_from_start(x, T, B, 2, 0, d, &err) == 0);
  CHECK(d[0] == 0);
  for (int t = 1; t < T; t += 7)
    CHECK_NEAR(d[t], 0.02 * t, 1e-6);
  /* the shorter arc: from 0 to +-pi/2 and to +-(pi - 0.1); from 3 to -3 */
  const float h[2 * 5] = {0,
                          0,
                          0,
                          0,
                          3.0f,
                          (float)(M_PI / 2),
                          (float)(-M_PI / 2),
                          (float)(M_PI - 0.1),
                          (float)(-(M_PI - 0.1)),
                          -3.0f};
  REQUIRE(rx_distance_from_start(h, 2, 5, 1, 1, d, &err) == 0);
  CHECK_NEAR(d[1], (M_PI + 2 * (M_PI - 0.1) + (2 * M_PI - 6)) / 5, 1e-6);
}

/* ---- noise temperature ---- */

/* I_nu(x) for nu = 0, 1 by its power series (x <= 10: 60 terms reach round-off). */
static double bessel_i(int nu, double x) {
  double term = nu ? x / 2 : 1, s = term;
  for (int k = 1; k < 60; k++) {
    term *= (x / 2) * (x / 2) / ((double)k * (k + nu));
    s += term;
  }
  return s;
}

/* p = N(0, I) in 2-D on a 200 x 200 grid over [-10, 10]^2 (cell centres): log p (40000,). */
static double *gaussian_grid(double *cell) {
  const int n = 200;
  const double L = 10, h = 2 * L / n;
  double *g = malloc((size_t)n * n * sizeof(double));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      const double a = -L + (i + 0.5) * h, b = -L + (j + 0.5) * h;
      g[i * n + j] = -(a * a + b * b) / 2 - log(2 * M_PI);
    }
  *cell = h * h;
  return g;
}

static void test_tempering_fit_recovers_beta_of_gaussian_power(void) {
  double cell;
  double *g = gaussian_grid(&cell);
  rx_error err;
  const double betas[4] = {0.5, 1, 2, 4};
  for (int i = 0; i < 4; i++) {
    const double beta = betas[i];
    /* exact: E_{p^beta}[log p] = -1 / beta - log 2 pi, Z_beta = (2 pi)^-beta 2 pi / beta */
    double b, lz;
    int bound = 9;
    REQUIRE(rx_tempering_fit(g, 40000, cell, -1 / beta - log(2 * M_PI), &b, &lz, &bound, &err) ==
            0);
    CHECK_NEAR(b, beta, 1e-8 * beta);
    CHECK_NEAR(lz, -beta * log(2 * M_PI) + log(2 * M_PI / beta), 1e-8);
    CHECK(bound == 0);
    /* sampled: n points of N(0, I / beta). |x|^2 beta ~ chi^2_2, so mean log p = -(1 + e) / beta
     * - log 2 pi with e of s.d. 1 / sqrt(n), and the fit gives beta / (1 + e): relative s.e.
     * 1 / sqrt(n) = 0.7 %; tolerance 4 s.e. */
    const int n = 20000;
    double m = 0;
    for (int k = 0; k < n; k++) {
      rx_rng r;
      rx_rng_init(&r, 7, STREAM, (uint32_t)i, (uint32_t)k, 0);
      const double a = rx_rng_normal(&r) / sqrt(beta), c = rx_rng_normal(&r) / sqrt(beta);
      m += (-(a * a + c * c) / 2 - log(2 * M_PI)) / n;
    }
    REQUIRE(rx_tempering_fit(g, 40000, cell, m, &b, &lz, &bound, &err) == 0);
    CHECK_NEAR(b, beta, 4.0 / sqrt(n) * beta);
  }
  /* minima at the bounds: q flatter than uniform on the box, q sharper than p^50 */
  double b, lz;
  int bound = 0;
  REQUIRE(rx_tempering_fit(g, 40000, cell, -100, &b, &lz, &bound, &err) == 0);
  CHECK(bound == -1 && b == RX_TEMPERING_BETA_MIN);
  REQUIRE(rx_tempering_fit(g, 40000, cell, -log(2 * M_PI), &b, &lz, &bound, &err) == 0);
  CHECK(bound == 1 && b == RX_TEMPERING_BETA_MAX);
  free(g);
}

static void test_tempering_fit_recovers_beta_of_von_mises_power_on_the_ring(void) {
  /* p = von Mises(0, kappa) on 720 bins; p^beta is von Mises(0, kappa beta), whose mean cos is
   * A(kappa beta) = I1 / I0 and whose cos has variance V = 1 - A / (kappa beta) - A^2 = dA/dkappa,
   * so the fit from mean cos has s.e. 1 / (kappa sqrt(n V)); tolerance 4 s.e. */
  const int nb = 720, n = 20000;
  const double kappa = 2, cell = 2 * M_PI / nb, log_c = log(2 * M_PI * bessel_i(0, kappa));
  double g[720];
  for (int i = 0; i < nb; i++)
    g[i] = kappa * cos(-M_PI + (i + 0.5) * cell) - log_c;
  rx_error err;
  const double betas[4] = {0.5, 1, 2, 4};
  for (int i = 0; i < 4; i++) {
    const double beta = betas[i], kb = kappa * beta;
    const double A = bessel_i(1, kb) / bessel_i(0, kb), V = 1 - A / kb - A * A;
    double b, lz;
    int bound = 9;
    REQUIRE(rx_tempering_fit(g, nb, cell, kappa * A - log_c, &b, &lz, &bound, &err) == 0);
    CHECK_NEAR(b, beta, 1e-8 * beta);
    CHECK_NEAR(lz, log(2 * M_PI * bessel_i(0, kb)) - beta * log_c, 1e-9);
    CHECK(bound == 0);
    /* samples of von Mises(0, kb) by rejection from the uniform, accepting with exp(kb (cos - 1))
     */
    double mc = 0;
    rx_rng r;
    rx_rng_init(&r, 8, STREAM, (uint32_t)i, 0, 0);
    for (int k = 0; k < n;) {
      const double th = M_PI * (2 * rx_rng_uniform(&r) - 1);
      if (rx_rng_uniform(&r) >= exp(kb * (cos(th) - 1))) continue;
      mc += cos(th) / n;
      k++;
    }
    REQUIRE(rx_tempering_fit(g, nb, cell, kappa * mc - log_c, &b, &lz, &bound, &err) == 0);
    CHECK_NEAR(b, beta, 4.0 / (kappa * sqrt(n * V)));
  }
}

static void test_tempering_fit_ignores_grid_points_where_p_is_zero(void) {
  /* p = 0 (log p = -inf) weighs nothing in Z_beta or in E_beta[log p]: the fit equals the fit
   * without those points, to the bit */
  const double with[5] = {-1, -INFINITY, -2, -3, -INFINITY}, without[3] = {-1, -2, -3};
  double b1, lz1, b2, lz2;
  int bound;
  rx_error err;
  REQUIRE(rx_tempering_fit(with, 5, 0.1, -1.7, &b1, &lz1, &bound, &err) == 0);
  REQUIRE(rx_tempering_fit(without, 3, 0.1, -1.7, &b2, &lz2, NULL, &err) == 0);
  CHECK(isfinite(b1) && isfinite(lz1) && bound == 0);
  CHECK(b1 == b2 && lz1 == lz2);
  /* and the optimum satisfies its equation: sum p^b (log p - m) = 0 */
  double num = 0;
  for (int i = 0; i < 3; i++)
    num += exp(b1 * without[i]) * (without[i] + 1.7);
  CHECK_NEAR(num, 0.0, 1e-12);
}

/* ---- refusals ---- */

static void test_bad_trajectories_are_refused_with_one_line(void) {
  float x[4 * 3 * 2];
  for (int i = 0; i < 24; i++)
    x[i] = 0.1f * i;
  double msd[8], d[4];
  rx_step_summary s;
  rx_error err;
  expect_fail(rx_msd(x, 1, 3, 2, 0, 1, msd, NULL, &err), RX_EINVAL, &err, "T = 1");
  expect_fail(rx_msd(x, 4, 3, 2, 0, 4, msd, NULL, &err), RX_EINVAL, &err, "tau_max = 4");
  expect_fail(rx_msd(x, 4, 3, 2, 0, 0, msd, NULL, &err), RX_EINVAL, &err, "tau_max = 0");
  expect_fail(rx_msd(x, 4, 0, 2, 0, 1, msd, NULL, &err), RX_EINVAL, &err, "B = 0");
  expect_fail(rx_msd(x, 4, 3, 2, 1, 1, msd, NULL, &err), RX_EINVAL, &err, "need dim 1");
  expect_fail(rx_msd(NULL, 4, 3, 2, 0, 1, msd, NULL, &err), RX_EINVAL, &err, "NULL");
  x[(2 * 3 + 1) * 2 + 1] = NAN; /* t = 2, b = 1, k = 1 */
  expect_fail(rx_msd(x, 4, 3, 2, 0, 1, msd, NULL, &err), RX_ENUMERIC, &err,
              "NaN at [t=2, b=1, k=1]");
  expect_fail(rx_step_sizes(x, 4, 3, 2, 0, NULL, 0, NULL, &s, &err), RX_ENUMERIC, &err,
              "NaN at [t=2, b=1, k=1]");
  expect_fail(rx_distance_from_start(x, 4, 3, 2, 0, d, &err), RX_ENUMERIC, &err, "NaN");
  x[(2 * 3 + 1) * 2 + 1] = INFINITY;
  expect_fail(rx_msd(x, 4, 3, 2, 0, 1, msd, NULL, &err), RX_ENUMERIC, &err, "+Inf");
  x[(2 * 3 + 1) * 2 + 1] = 0;
  const double bad_edges[3] = {0, 1, 1};
  double counts[2];
  expect_fail(rx_step_sizes(x, 4, 3, 2, 0, bad_edges, 2, counts, &s, &err), RX_EINVAL, &err,
              "edges[2] = 1 <= edges[1]");
  expect_fail(rx_step_sizes(x, 1, 3, 2, 0, NULL, 0, NULL, &s, &err), RX_EINVAL, &err, "T = 1");
  expect_fail(rx_distance_from_start(x, 0, 3, 2, 0, d, &err), RX_EINVAL, &err, "T = 0");
}

static void test_bad_fits_and_sequences_are_refused_with_one_line(void) {
  rx_error err;
  double a, r2, p;
  const double msd[4] = {1, 2, 0, 4}, x[2] = {1, 1}, y[2] = {1, 2}, neg[2] = {1, -2};
  expect_fail(rx_msd_exponent(msd, 4, 1, 4, &a, &r2, &err), RX_ENUMERIC, &err, "MSD(tau = 3) = 0");
  expect_fail(rx_msd_exponent(msd, 4, 2, 2, &a, &r2, &err), RX_EINVAL, &err, "lags 2..2");
  expect_fail(rx_msd_exponent(msd, 4, 1, 10, &a, &r2, &err), RX_EINVAL, &err, "tau_max = 4");
  expect_fail(rx_loglog_fit(x, y, 2, &a, NULL, NULL, &err), RX_EINVAL, &err, "every x equals 1");
  expect_fail(rx_loglog_fit(y, neg, 2, &a, NULL, NULL, &err), RX_ENUMERIC, &err, "y[1] = -2");
  expect_fail(rx_loglog_fit(y, y, 1, &a, NULL, NULL, &err), RX_EINVAL, &err, "1 point");
  double v[3] = {1, NAN, 2};
  expect_fail(rx_percentile(v, 3, 99, &p, &err), RX_ENUMERIC, &err, "value [1]");
  expect_fail(rx_percentile(v, 0, 99, &p, &err), RX_EINVAL, &err, "no values");
  expect_fail(rx_percentile(v, 3, 101, &p, &err), RX_EINVAL, &err, "p = 101");
  /* mixing: fewer than 4 windows, a NaN window, an empty window */
  const double kl[5] = {1, 2, 3, NAN, 5};
  rx_mixing m;
  int mixes;
  expect_fail(rx_mixing_summary(kl, 3, 250, &m, &err), RX_EINVAL, &err, "3 window(s)");
  expect_fail(rx_mixing_summary(kl, 5, 250, &m, &err), RX_ENUMERIC, &err, "window 3");
  expect_fail(rx_mixing_summary(kl, 3 + 1, 0, &m, &err), RX_EINVAL, &err, "0 steps");
  expect_fail(rx_mixes(NAN, 1, &mixes, &err), RX_ENUMERIC, &err, "must be finite");
  /* tempering: NaN or +inf on the grid, a constant grid, no cell, a non-finite mean */
  double g[4] = {-1, -2, NAN, -3}, b, lz;
  expect_fail(rx_tempering_fit(g, 4, 0.1, -2, &b, &lz, NULL, &err), RX_ENUMERIC, &err,
              "grid point 2");
  g[2] = INFINITY;
  expect_fail(rx_tempering_fit(g, 4, 0.1, -2, &b, &lz, NULL, &err), RX_ENUMERIC, &err,
              "grid point 2");
  const double flat[3] = {-1, -1, -INFINITY};
  expect_fail(rx_tempering_fit(flat, 3, 0.1, -1, &b, &lz, NULL, &err), RX_EINVAL, &err, "constant");
  g[2] = -INFINITY; /* p = 0 at a grid point is fine: the other inputs are at fault below */
  expect_fail(rx_tempering_fit(g, 4, 0, -2, &b, &lz, NULL, &err), RX_EINVAL, &err,
              "cell measure 0");
  expect_fail(rx_tempering_fit(g, 4, 0.1, -INFINITY, &b, &lz, NULL, &err), RX_ENUMERIC, &err,
              "mean log p");
  expect_fail(rx_tempering_fit(g, 1, 0.1, -2, &b, &lz, NULL, &err), RX_EINVAL, &err,
              "1 grid point");
}

RX_TEST_MAIN(TEST(test_msd_of_hand_made_trajectory),
             TEST(test_msd_of_brownian_motion_is_2_d_D_tau_with_exponent_1),
             TEST(test_msd_on_the_ring_unwraps_brownian_headings_past_pi_squared),
             TEST(test_ballistic_motion_has_msd_v2_tau2_and_exponent_2),
             TEST(test_msd_bits_do_not_depend_on_thread_count),
             TEST(test_loglog_fit_matches_hand_computed_least_squares),
             TEST(test_diffusion_classes_at_their_thresholds),
             TEST(test_percentile_follows_numpy_linear_rule),
             TEST(test_step_sizes_histogram_edges_and_percentile_by_hand),
             TEST(test_step_sizes_of_gaussian_increments_are_rayleigh),
             TEST(test_mixing_time_is_the_first_window_within_the_plateau),
             TEST(test_mixes_verdict_both_ways), TEST(test_distance_from_start_on_line_and_ring),
             TEST(test_tempering_fit_recovers_beta_of_gaussian_power),
             TEST(test_tempering_fit_recovers_beta_of_von_mises_power_on_the_ring),
             TEST(test_tempering_fit_ignores_grid_points_where_p_is_zero),
             TEST(test_bad_trajectories_are_refused_with_one_line),
             TEST(test_bad_fits_and_sequences_are_refused_with_one_line))
