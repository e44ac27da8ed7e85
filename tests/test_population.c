/* Population codes (docs/science.md §2): place-cell and head-direction codes against
 * double-precision reference formulas, decode round trips (including the +-pi seam), the identity
 * code, the wrapped decoding error, reproducible centres and spec validation. */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>

#include "reactivate/population.h"
#include "reactivate/rng.h"
#include "tasks/population_internal.h"
#include "tasks/tasks_internal.h"
#include "test_util.h"

static rx_population_spec place_spec(void) {
  return (rx_population_spec){.kind = RX_TASK_SPATIAL,
                              .n = 512,
                              .k = 3,
                              .sigma = 0.2,
                              .surround_scale = 2,
                              .box_width = 2.2,
                              .box_height = 2.2};
}

static rx_population_spec hd_cells_spec(void) {
  return (rx_population_spec){.kind = RX_TASK_HEAD_DIRECTION, .n = 512, .k = 3, .spread = M_PI / 6};
}

/* m positions uniform in the 2.2 m box (dim 2) or headings uniform in [-pi, pi) (dim 1). */
static float *random_states(size_t m, int dim, uint32_t seed) {
  float *p = malloc(m * dim * sizeof(float));
  rx_rng r;
  rx_rng_init(&r, seed, RX_STREAM_ANALYSIS, 0, 0, 0);
  for (size_t i = 0; i < m * dim; i++)
    p[i] = (float)(dim == 2 ? (rx_rng_uniform(&r) - 0.5) * 2.2
                            : (rx_rng_uniform(&r) - 0.5) * 2 * M_PI);
  return p;
}

/* Reference softmax of -|s - c|^2 / (2 var) in double, into ref (n). */
static void ref_softmax(const rx_population *p, const float *s, double var, double *ref) {
  double mx = -INFINITY, sum = 0;
  for (int i = 0; i < p->n; i++) {
    double dx = s[0] - p->centers[2 * i], dy = s[1] - p->centers[2 * i + 1];
    ref[i] = -(dx * dx + dy * dy) / (2 * var);
    mx = fmax(mx, ref[i]);
  }
  for (int i = 0; i < p->n; i++)
    sum += ref[i] = exp(ref[i] - mx);
  for (int i = 0; i < p->n; i++)
    ref[i] /= sum;
}

static void test_place_code_is_softmax_matching_double_reference_and_rows_sum_to_one(void) {
  rx_population_spec ps = place_spec();
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &ps, 0, &err) == 0);
  REQUIRE(p->n == 512 && p->dim == 2 && p->k == 3 && !p->identity);
  const size_t m = 300;
  float *pos = random_states(m, 2, 1), *code = malloc(m * p->n * sizeof(float));
  pos[0] = 50.0f; /* far outside the box: logits down to -3e4 must still give a distribution */
  rx_population_encode(p, pos, m, code);
  double ref[512], worst = 0, worst_sum = 0;
  for (size_t r = 0; r < m; r++) {
    ref_softmax(p, pos + 2 * r, ps.sigma * ps.sigma, ref);
    double sum = 0;
    for (int i = 0; i < p->n; i++) {
      float c = code[r * p->n + i];
      CHECK(c >= 0 && isfinite(c));
      sum += c;
      /* float logits carry absolute error ~ |logit| * 6e-8; in the box |logit| <= 121 */
      if (r > 0) worst = fmax(worst, fabs(c - ref[i]) / fmax(ref[i], 1e-3));
    }
    worst_sum = fmax(worst_sum, fabs(sum - 1));
  }
  CHECK_MSG(worst < 1e-5, "worst relative error %.3g", worst);
  CHECK_MSG(worst_sum < 1e-5, "worst |row sum - 1| %.3g", worst_sum);
  free(pos);
  free(code);
  rx_population_free(p);
}

/* Decoding error scale: n centres uniform over area A have density n / A and mean nearest-centre
 * distance 0.5 / sqrt(n / A) (Poisson); the mean of the 3 nearest centres should do at least as
 * well on average. Near edges and corners all centres lie on one side, so the worst case is a
 * few spacings: bounded by 2 / sqrt(n / A). */
static void test_place_decode_recovers_position_within_cell_spacing(void) {
  rx_population_spec ps = place_spec();
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &ps, 0, &err) == 0);
  const size_t m = 5000;
  float *pos = random_states(m, 2, 2), *code = malloc(m * p->n * sizeof(float));
  float *dec = malloc(m * 2 * sizeof(float));
  rx_population_encode(p, pos, m, code);
  rx_population_decode(p, code, m, dec);
  const double spacing = 1 / sqrt(p->n / (ps.box_width * ps.box_height));
  double mean = 0, worst = 0, mse = 0;
  for (size_t r = 0; r < m; r++) {
    double dx = dec[2 * r] - pos[2 * r], dy = dec[2 * r + 1] - pos[2 * r + 1];
    double e = hypot(dx, dy);
    mean += e / m;
    worst = fmax(worst, e);
    mse += (dx * dx + dy * dy) / (2.0 * m);
  }
  CHECK_MSG(mean < 0.5 * spacing, "mean error %.4f m, spacing %.4f m", mean, spacing);
  CHECK_MSG(worst < 2 * spacing, "worst error %.4f m, spacing %.4f m", worst, spacing);
  CHECK_NEAR(rx_population_error(p, dec, pos, m), mse, 1e-9); /* pos_mse: over m * 2 elements */
  free(pos);
  free(code);
  free(dec);
  rx_population_free(p);
}

/* DoG (docs/science.md §2.1): softmax(var sigma^2) - softmax(var q sigma^2), minus its minimum,
 * over its sum.
 */
static void test_dog_code_matches_reference_is_nonnegative_sums_to_one_and_decodes(void) {
  rx_population_spec ps = place_spec();
  ps.dog = 1;
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &ps, 0, &err) == 0);
  const size_t m = 500;
  float *pos = random_states(m, 2, 3), *code = malloc(m * p->n * sizeof(float));
  float *dec = malloc(m * 2 * sizeof(float));
  rx_population_encode(p, pos, m, code);
  rx_population_decode(p, code, m, dec);
  double c1[512], c2[512], worst = 0, worst_sum = 0, mean_err = 0;
  for (size_t r = 0; r < m; r++) {
    ref_softmax(p, pos + 2 * r, ps.sigma * ps.sigma, c1);
    ref_softmax(p, pos + 2 * r, ps.surround_scale * ps.sigma * ps.sigma, c2);
    double mn = INFINITY, sum = 0, got = 0;
    for (int i = 0; i < p->n; i++)
      mn = fmin(mn, c1[i] - c2[i]);
    for (int i = 0; i < p->n; i++)
      sum += c1[i] - c2[i] - mn;
    for (int i = 0; i < p->n; i++) {
      float c = code[r * p->n + i];
      CHECK(c >= 0);
      got += c;
      worst = fmax(worst, fabs(c - (c1[i] - c2[i] - mn) / sum));
    }
    worst_sum = fmax(worst_sum, fabs(got - 1));
    mean_err += hypot(dec[2 * r] - pos[2 * r], dec[2 * r + 1] - pos[2 * r + 1]) / m;
  }
  CHECK_MSG(worst < 1e-6, "worst abs error %.3g", worst); /* values ~1/n = 2e-3 */
  CHECK_MSG(worst_sum < 1e-5, "worst |row sum - 1| %.3g", worst_sum);
  CHECK_MSG(mean_err < 0.05, "mean decode error %.4f m", mean_err); /* as without DoG */
  free(pos);
  free(code);
  free(dec);
  rx_population_free(p);
}

static void test_hd_centres_are_linspace_with_both_ends_and_peak_is_one(void) {
  rx_population_spec hs = hd_cells_spec();
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &hs, 0, &err) == 0);
  REQUIRE(p->n == 512 && p->dim == 1);
  CHECK(p->centers[0] == (float)-M_PI && p->centers[p->n - 1] == (float)M_PI);
  CHECK_NEAR(p->centers[256] - p->centers[255], 2 * M_PI / 511, 1e-6);
  float *code = malloc((size_t)p->n * p->n * sizeof(float));
  rx_population_encode(p, p->centers, p->n, code); /* heading i = preferred angle of cell i */
  const double kappa = 1 / (hs.spread * hs.spread);
  double worst = 0;
  for (int r = 0; r < p->n; r++)
    for (int i = 0; i < p->n; i++) {
      double ref = exp(kappa * (cos((double)p->centers[r] - p->centers[i]) - 1));
      float c = code[(size_t)r * p->n + i];
      CHECK(c <= 1.0f);
      if (i == r) CHECK(c == 1.0f);
      worst = fmax(worst, fabs(c - ref));
    }
  CHECK(code[p->n - 1] == 1.0f); /* -pi and +pi are the same heading */
  CHECK_MSG(worst < 2e-6, "worst abs error %.3g", worst);
  free(code);
  rx_population_free(p);
}

/* Adjacent preferred angles are 2 pi / (n - 1) apart; the circular mean of the 3 most active
 * cells lands within one spacing of the heading, across the +-pi seam too. */
static void test_hd_decode_recovers_heading_across_the_pi_seam(void) {
  rx_population_spec hs = hd_cells_spec();
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &hs, 0, &err) == 0);
  const size_t m = 4000;
  float *h = random_states(m, 1, 4), *code = malloc(m * p->n * sizeof(float));
  float *dec = malloc(m * sizeof(float));
  const float seam[] = {3.14159250f, -3.14159250f, 3.1405f, -3.1405f, 3.13f, -3.13f, 0.0f};
  for (size_t i = 0; i < sizeof seam / sizeof seam[0]; i++)
    h[i] = seam[i];
  rx_population_encode(p, h, m, code);
  rx_population_decode(p, code, m, dec);
  const double spacing = 2 * M_PI / (p->n - 1);
  double worst = 0;
  for (size_t r = 0; r < m; r++) {
    CHECK(dec[r] >= -M_PI && dec[r] < M_PI);
    worst = fmax(worst, fabs(rx_wrap_angle((double)dec[r] - h[r])));
  }
  CHECK_MSG(worst < spacing, "worst error %.5f rad, spacing %.5f", worst, spacing);
  CHECK(rx_population_error(p, dec, h, m) < spacing * spacing);
  free(h);
  free(code);
  free(dec);
  rx_population_free(p);
}

static void test_heading_error_wraps_across_pi_and_position_error_is_pos_mse(void) {
  rx_population_spec hs = hd_cells_spec();
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &hs, 0, &err) == 0);
  const float dec[2] = {3.1f, 0.5f}, truth[2] = {-3.1f, 0.25f};
  const double d0 = 6.2 - 2 * M_PI; /* 3.1 - (-3.1) on the circle: -0.083 */
  CHECK_NEAR(rx_population_error(p, dec, truth, 2), (d0 * d0 + 0.0625) / 2, 1e-6);
  CHECK(rx_population_error(p, dec, truth, 1) < 0.01);
  rx_population_free(p);

  rx_population_spec ps = place_spec();
  REQUIRE(rx_population_create(&p, &ps, 0, &err) == 0);
  const float a[4] = {0, 0, 1, 1}, b[4] = {0.1f, 0, 1, 0.8f};
  CHECK_NEAR(rx_population_error(p, a, b, 2), (0.01 + 0.04) / 4, 1e-7);
  rx_population_free(p);
}

/* use_place_cells / use_hd_cells false: the code is (x, y) or (cos h, sin h), decoded exactly;
 * decoded headings stay in [-pi, pi) even where atan2 returns pi or float rounding reaches it. */
static void test_identity_code_round_trips_and_stays_in_half_open_interval(void) {
  rx_population_spec ps = place_spec();
  ps.identity = 1;
  ps.n = 0; /* ignored: the identity code has n = 2 */
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &ps, 0, &err) == 0);
  CHECK(p->n == 2 && p->dim == 2 && p->identity && p->centers == NULL);
  const float pos[4] = {0.3f, -1.0f, 1.1f, 0.0f};
  float code[4], dec[4];
  rx_population_encode(p, pos, 2, code);
  rx_population_decode(p, code, 2, dec);
  CHECK(memcmp(pos, code, sizeof pos) == 0 && memcmp(pos, dec, sizeof pos) == 0);
  CHECK(rx_population_error(p, dec, pos, 2) == 0);
  rx_population_free(p);

  rx_population_spec hs = hd_cells_spec();
  hs.identity = 1;
  REQUIRE(rx_population_create_with_centers(&p, &hs, NULL, &err) == 0);
  CHECK(p->n == 2 && p->dim == 1);
  const float h[5] = {0.0f, 1.0f, -2.5f, 3.14159250f, -3.14159250f};
  float hc[10], hd[5];
  rx_population_encode(p, h, 5, hc);
  CHECK_NEAR(hc[2], cos(1.0), 1e-7);
  CHECK_NEAR(hc[3], sin(1.0), 1e-7);
  rx_population_decode(p, hc, 5, hd);
  for (int i = 0; i < 5; i++)
    CHECK_NEAR(rx_wrap_angle((double)hd[i] - h[i]), 0, 1e-6);
  const float seam[4] = {-1.0f, 0.0f, -1.0f, -1e-9f}; /* atan2 = pi and -pi + 1e-9 */
  rx_population_decode(p, seam, 2, hd);
  for (int i = 0; i < 2; i++)
    CHECK(hd[i] >= -M_PI && hd[i] < M_PI);
  rx_population_free(p);
}

static void test_place_centres_reproducible_from_seed_inside_box_and_copied(void) {
  rx_population_spec ps = place_spec();
  rx_population *a, *b, *c, *d;
  rx_error err;
  REQUIRE(rx_population_create(&a, &ps, 11, &err) == 0);
  REQUIRE(rx_population_create(&b, &ps, 11, &err) == 0);
  REQUIRE(rx_population_create(&c, &ps, 12, &err) == 0);
  const size_t bytes = (size_t)a->n * 2 * sizeof(float);
  CHECK(memcmp(a->centers, b->centers, bytes) == 0);
  CHECK(memcmp(a->centers, c->centers, bytes) != 0);
  for (int i = 0; i < a->n; i++)
    CHECK(fabs(a->centers[2 * i]) <= 1.1 && fabs(a->centers[2 * i + 1]) <= 1.1);
  float *copy = malloc(bytes);
  memcpy(copy, c->centers, bytes);
  REQUIRE(rx_population_create_with_centers(&d, &ps, copy, &err) == 0);
  copy[0] = 99; /* the code owns its own copy */
  CHECK(memcmp(d->centers, c->centers, bytes) == 0);
  copy[0] = NAN;
  rx_population *e = (rx_population *)&err; /* create must set *out to NULL on failure */
  CHECK(rx_population_create_with_centers(&e, &ps, copy, &err) == RX_ENUMERIC && e == NULL);
  CHECK(rx_population_create_with_centers(&e, &ps, NULL, &err) == RX_EINVAL && e == NULL);
  free(copy);
  rx_population_free(a);
  rx_population_free(b);
  rx_population_free(c);
  rx_population_free(d);
  rx_population_free(NULL);
}

/* Rows are computed independently, each by the same code, so thread count cannot matter; n = 509
 * and a buffer shifted by one float also show that alignment (vector peeling) does not change
 * the row sums. */
static void test_encode_and_decode_are_identical_across_threads_and_alignment(void) {
  const int saved = omp_get_max_threads();
  rx_population_spec specs[3] = {place_spec(), place_spec(), hd_cells_spec()};
  specs[1].dog = 1;
  for (int s = 0; s < 3; s++) {
    specs[s].n = 509;
    rx_population *p;
    rx_error err;
    REQUIRE(rx_population_create(&p, &specs[s], 0, &err) == 0);
    const size_t m = 257, len = m * p->n;
    float *pos = random_states(m, p->dim, 5);
    float *c1 = malloc(len * sizeof(float)), *buf = malloc((len + 1) * sizeof(float));
    float *c2 = buf + 1;
    float *d1 = malloc(m * p->dim * sizeof(float)), *d2 = malloc(m * p->dim * sizeof(float));
    omp_set_num_threads(1);
    rx_population_encode(p, pos, m, c1);
    rx_population_decode(p, c1, m, d1);
    omp_set_num_threads(2);
    rx_population_encode(p, pos, m, c2);
    rx_population_decode(p, c2, m, d2);
    CHECK(memcmp(c1, c2, len * sizeof(float)) == 0);
    CHECK(memcmp(d1, d2, m * p->dim * sizeof(float)) == 0);
    free(pos);
    free(c1);
    free(buf);
    free(d1);
    free(d2);
    rx_population_free(p);
  }
  omp_set_num_threads(saved);
}

/* The encoders' vectorisable exp against libm's double exp over its whole domain. */
static void test_fast_exp_matches_libm_within_a_few_ulp(void) {
  double worst = 0;
  for (int i = 0; i <= 1000000; i++) {
    float x = (float)(-86.0 * i / 1000000);
    double ref = exp((double)x), got = rxtk_expf_neg(x);
    worst = fmax(worst, fabs(got - ref) / ref);
  }
  CHECK_MSG(worst < 4 * FLT_EPSILON, "worst relative error %.3g", worst);
  CHECK(rxtk_expf_neg(0.0f) == 1.0f);
  CHECK(rxtk_expf_neg(1e-7f) > 1.0f && rxtk_expf_neg(1e-7f) < 1.0f + 4 * FLT_EPSILON);
  CHECK(rxtk_expf_floor(-1e30f) == -86.0f && rxtk_expf_floor(-3.0f) == -3.0f);
}

typedef struct bad_pop_case {
  const char *key;
  rx_population_spec spec;
} bad_pop_case;

static void test_population_spec_validation_names_the_key(void) {
  bad_pop_case cases[10];
  for (int i = 0; i < 5; i++)
    cases[i].spec = place_spec();
  for (int i = 5; i < 10; i++)
    cases[i].spec = hd_cells_spec();
  cases[0].key = "task.decode_k", cases[0].spec.k = 513;
  cases[1].key = "task.place_cells_num", cases[1].spec.n = 0;
  cases[2].key = "task.place_cells_sigma", cases[2].spec.sigma = 0;
  cases[3].key = "task.place_cells_surround_scale", cases[3].spec.dog = 1,
  cases[3].spec.surround_scale = 1;
  cases[4].key = "task.box_width", cases[4].spec.box_width = -1;
  cases[5].key = "task.decode_k", cases[5].spec.k = 0;
  cases[6].key = "task.hd_cells_num", cases[6].spec.n = -4;
  cases[7].key = "task.hd_cells_angular_spread", cases[7].spec.spread = -0.5;
  cases[8].key = "task.hd_cells_angular_spread", cases[8].spec.spread = NAN;
  cases[9].key = "task.decode_k", cases[9].spec.k = 600;
  for (int i = 0; i < 10; i++) {
    rx_population *p = (rx_population *)&cases[i];
    rx_error err = {{0}};
    CHECK(rx_population_create(&p, &cases[i].spec, 0, &err) == RX_EINVAL);
    CHECK(p == NULL);
    CHECK_MSG(strstr(err.msg, cases[i].key) != NULL, "case %d: '%s' lacks '%s'", i, err.msg,
              cases[i].key);
  }
}

/* The head-direction code's low-rank form (Jacobi-Anger, cut where the code changes by less
 * than 1e-9) against the code itself, computed in double straight from exp(kappa (cos - 1)):
 * F Z equals it to float rounding at any heading, for the paper's cells and wider and narrower
 * ones; the number of features grows with kappa; narrow tuning beyond the feature budget, place
 * cells and identity codes have no low-rank form. */
static void test_hd_low_rank_form_reproduces_the_code(void) {
  const double spreads[3] = {M_PI / 6, 0.8, 0.3};
  int prev_feat = 0;
  for (int c = 0; c < 3; c++) {
    rx_population_spec ps = {
        .kind = RX_TASK_HEAD_DIRECTION, .n = 512, .k = 3, .spread = spreads[c]};
    rx_population *p;
    rx_error err;
    REQUIRE(rx_population_create(&p, &ps, 1, &err) == 0);
    const int nf = rxtk_low_rank(p, 128, NULL);
    CHECK_MSG(nf >= 3 && nf % 2 == 1 && nf <= 128, "spread %g: %d features", spreads[c], nf);
    if (c == 1) CHECK(nf < prev_feat); /* wider tuning, fewer harmonics */
    if (c == 2) CHECK(nf > prev_feat);
    prev_feat = nf;
    float *z = malloc((size_t)nf * 512 * sizeof(float)), f[128];
    REQUIRE(rxtk_low_rank(p, 128, z) == nf);
    const double kappa = 1.0 / (spreads[c] * spreads[c]);
    double worst = 0;
    for (int r = 0; r < 997; r++) {
      const float s = (float)(-M_PI + 2 * M_PI * r / 997.0 + 1e-3);
      rxtk_low_rank_features(p, nf, &s, 1, f);
      for (int i = 0; i < 512; i++) {
        double t = 0;
        for (int q = 0; q < nf; q++)
          t += (double)f[q] * z[(size_t)q * 512 + i];
        const double ref = exp(kappa * (cos((double)s - p->centers[i]) - 1.0));
        worst = fmax(worst, fabs(t - ref));
      }
    }
    CHECK_MSG(worst < 2e-6, "spread %g: |F Z - code| up to %.3g", spreads[c], worst);
    free(z);
    rx_population_free(p);
  }
  /* the feature budget decides: spread 0.15 needs 85 features */
  rx_population_spec mid = {.kind = RX_TASK_HEAD_DIRECTION, .n = 512, .k = 3, .spread = 0.15};
  rx_population *pm;
  rx_error e2;
  REQUIRE(rx_population_create(&pm, &mid, 1, &e2) == 0);
  const int nf_mid = rxtk_low_rank(pm, 128, NULL);
  CHECK(nf_mid > 64 && rxtk_low_rank(pm, nf_mid - 1, NULL) == 0);
  rx_population_free(pm);
  rx_population_spec narrow = {.kind = RX_TASK_HEAD_DIRECTION, .n = 512, .k = 3, .spread = 0.05};
  rx_population_spec place = {
      .kind = RX_TASK_SPATIAL, .n = 64, .k = 3, .sigma = 0.2, .box_width = 2.2, .box_height = 2.2};
  rx_population_spec ident = {.kind = RX_TASK_HEAD_DIRECTION, .identity = 1};
  const rx_population_spec *none[3] = {&narrow, &place, &ident};
  for (int c = 0; c < 3; c++) {
    rx_population *p;
    rx_error err;
    REQUIRE(rx_population_create(&p, none[c], 1, &err) == 0);
    CHECK_MSG(rxtk_low_rank(p, 128, NULL) == 0, "case %d has a low-rank form", c);
    rx_population_free(p);
  }
}

RX_TEST_MAIN(TEST(test_place_code_is_softmax_matching_double_reference_and_rows_sum_to_one),
             TEST(test_place_decode_recovers_position_within_cell_spacing),
             TEST(test_dog_code_matches_reference_is_nonnegative_sums_to_one_and_decodes),
             TEST(test_hd_centres_are_linspace_with_both_ends_and_peak_is_one),
             TEST(test_hd_decode_recovers_heading_across_the_pi_seam),
             TEST(test_heading_error_wraps_across_pi_and_position_error_is_pos_mse),
             TEST(test_identity_code_round_trips_and_stays_in_half_open_interval),
             TEST(test_place_centres_reproducible_from_seed_inside_box_and_copied),
             TEST(test_encode_and_decode_are_identical_across_threads_and_alignment),
             TEST(test_fast_exp_matches_libm_within_a_few_ulp),
             TEST(test_population_spec_validation_names_the_key),
             TEST(test_hd_low_rank_form_reproduces_the_code))
