/* Tasks (docs/science.md §1): the motion statistics of the spatial and head-direction generators,
 * the bookkeeping that ties inputs, init and targets together, reproducibility across thread
 * counts, and spec validation. Population codes are tested in test_population.c. */
#include <math.h>
#include <omp.h>
#include <stdint.h>

#include "reactivate/rng.h"
#include "reactivate/task.h"
#include "test_util.h"

/* docs/science.md §1.1 / §1.2 defaults. */
static rx_task_spec spatial_spec(void) { return rx_test_spatial_spec(200); }

static rx_task_spec hd_spec(void) {
  return (rx_task_spec){.kind = RX_TASK_HEAD_DIRECTION,
                        .seq_len = 100,
                        .batch_size = 200,
                        .dt = 0.02,
                        .mu = 0,
                        .sigma = 11.52};
}

/* Position p[t] of trajectory b, t = 1 .. T+1 (p[1] = init, p[t] = targets[t-2]). */
static const float *position(const rx_batch *bt, int t, int b) {
  return t == 1 ? bt->init + 2 * b : bt->targets + 2 * ((size_t)(t - 2) * bt->B + b);
}

/* inputs[t-1] = step[t], the displacement taken from p[t]. */
static const float *step(const rx_batch *bt, int t, int b) {
  return bt->inputs + 2 * ((size_t)(t - 1) * bt->B + b);
}

static int away_from_walls(const rx_task_spec *s, const float *p) {
  return s->box_width / 2 - fabs(p[0]) >= s->border_region &&
         s->box_height / 2 - fabs(p[1]) >= s->border_region;
}

/* Overshoot exists because the wall check only turns the heading for the *next* step: the step
 * taken now still has length v*dt along the current heading (v Rayleigh, unbounded), so an agent
 * just outside the border region heading at the wall, or in a corner heading at the wall that is
 * not the nearest, crosses it by up to one step. Once outside, the crossed wall is the nearest,
 * so the agent is turned parallel to it and slowed by border_slow_factor. Steps are 0.02 m on
 * average; 4e5 steps reach about 0.09 m. The margin, 0.15 m, is a step at v = 7.5 m/s = 9.2 b,
 * which a Rayleigh draw exceeds with probability exp(-42). */
static void test_spatial_positions_stay_in_box_up_to_one_step_overshoot(void) {
  rx_task_spec s = spatial_spec();
  rx_batch bt;
  rx_error err;
  REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
  double overshoot = 0;
  long outside = 0, total = 0;
  for (uint32_t idx = 0; idx < 20; idx++) {
    REQUIRE(rx_task_generate(&s, 0, RX_STREAM_TASK, idx, &bt, &err) == 0);
    for (int t = 1; t <= s.seq_len + 1; t++)
      for (int b = 0; b < s.batch_size; b++) {
        const float *p = position(&bt, t, b);
        double o = fmax(fabs(p[0]) - s.box_width / 2, fabs(p[1]) - s.box_height / 2);
        overshoot = fmax(overshoot, o);
        outside += o > 0;
        total++;
      }
  }
  CHECK_MSG(overshoot < 0.15, "max overshoot %.4f m", overshoot);
  CHECK_MSG(outside < total / 100, "%ld of %ld positions outside the box", outside, total);
  rx_batch_free(&bt);
}

/* Away from the walls nothing modifies the motion: |step| / dt ~ Rayleigh(b), mean
 * b sqrt(pi/2), E[v^2] = 2 b^2; the heading change between consecutive steps is dt N(mu, sigma). */
static void test_spatial_speed_is_rayleigh_and_turn_sd_is_dt_sigma_away_from_walls(void) {
  rx_task_spec s = spatial_spec();
  rx_batch bt;
  rx_error err;
  REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
  double sv = 0, sv2 = 0, st = 0, st2 = 0;
  long nv = 0, nt = 0;
  for (uint32_t idx = 0; idx < 10; idx++) {
    REQUIRE(rx_task_generate(&s, 1, RX_STREAM_TASK, idx, &bt, &err) == 0);
    for (int t = 1; t <= s.seq_len; t++)
      for (int b = 0; b < s.batch_size; b++) {
        if (!away_from_walls(&s, position(&bt, t, b))) continue;
        const float *d = step(&bt, t, b);
        double v = hypot(d[0], d[1]) / s.dt;
        sv += v;
        sv2 += v * v;
        nv++;
        if (t == s.seq_len) continue;
        const float *e = step(&bt, t + 1, b);
        double turn = rx_wrap_angle(atan2(e[1], e[0]) - atan2(d[1], d[0]));
        st += turn;
        st2 += turn * turn;
        nt++;
      }
  }
  REQUIRE(nv > 100000 && nt > 100000);
  /* standard errors: Rayleigh s.d. 0.54 m/s and turn s.d. 0.23 rad over > 1e5 samples */
  CHECK_NEAR(sv / nv, s.b * sqrt(M_PI / 2), 0.01);
  CHECK_NEAR(sv2 / nv, 2 * s.b * s.b, 0.03);
  CHECK_NEAR(st / nt, s.dt * s.mu, 0.003);
  CHECK_NEAR(sqrt(st2 / nt - (st / nt) * (st / nt)), s.dt * s.sigma, 0.003);
  rx_batch_free(&bt);
}

/* Biased runs add drift * (anchor - p) to every step: they stay near the anchor. */
static void test_biased_spatial_runs_concentrate_near_anchor(void) {
  rx_task_spec s = spatial_spec();
  s.anchor[0] = 0.4;
  s.anchor[1] = -0.3;
  double mean_dist[2];
  for (int biased = 0; biased < 2; biased++) {
    s.biased = biased;
    rx_batch bt;
    rx_error err;
    REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
    REQUIRE(rx_task_generate(&s, 2, RX_STREAM_TASK, 0, &bt, &err) == 0);
    double d = 0;
    for (size_t i = 0; i < (size_t)s.seq_len * s.batch_size; i++)
      d += hypot(bt.targets[2 * i] - s.anchor[0], bt.targets[2 * i + 1] - s.anchor[1]);
    mean_dist[biased] = d / ((double)s.seq_len * s.batch_size);
    rx_batch_free(&bt);
  }
  CHECK_MSG(mean_dist[1] < 0.5 * mean_dist[0], "biased %.3f vs unbiased %.3f m", mean_dist[1],
            mean_dist[0]);
}

static void test_hd_headings_are_wrapped_into_half_open_pi_interval(void) {
  rx_task_spec s = hd_spec();
  rx_batch bt;
  rx_error err;
  REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
  long above_pi_unwrapped = 0;
  for (uint32_t idx = 0; idx < 5; idx++) {
    REQUIRE(rx_task_generate(&s, 3, RX_STREAM_TASK, idx, &bt, &err) == 0);
    for (int b = 0; b < s.batch_size; b++) {
      CHECK(bt.init[b] >= -M_PI && bt.init[b] < M_PI);
      double h = bt.init[b];
      for (int t = 0; t < s.seq_len; t++) {
        float y = bt.targets[(size_t)t * s.batch_size + b];
        CHECK(y >= -M_PI && y < M_PI);
        h += bt.inputs[(size_t)t * s.batch_size + b];
        above_pi_unwrapped += fabs(h) >= M_PI;
      }
    }
  }
  CHECK(above_pi_unwrapped > 1000); /* wrapping was actually exercised */
  rx_batch_free(&bt);
}

static void test_biased_hd_turns_are_non_negative_and_unbiased_take_both_signs(void) {
  rx_task_spec s = hd_spec();
  for (int biased = 0; biased < 2; biased++) {
    s.biased = biased;
    rx_batch bt;
    rx_error err;
    REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
    REQUIRE(rx_task_generate(&s, 4, RX_STREAM_TASK, 0, &bt, &err) == 0);
    long neg = 0, pos = 0;
    for (size_t i = 0; i < (size_t)s.seq_len * s.batch_size; i++) {
      neg += bt.inputs[i] < 0;
      pos += bt.inputs[i] > 0;
    }
    if (biased) {
      CHECK(neg == 0);
    } else {
      CHECK(neg > 8000 && pos > 8000); /* about 10000 each */
    }
    rx_batch_free(&bt);
  }
}

/* target_t = init + sum of inputs up to t (spatial: positions; head direction: wrapped). The
 * sums are in double over the stored floats; the rest is float rounding of positions ~1. */
static void test_targets_equal_init_plus_cumulative_inputs(void) {
  for (int kind = 0; kind < 2; kind++)
    for (int biased = 0; biased < 2; biased++) {
      rx_task_spec s = kind == 0 ? spatial_spec() : hd_spec();
      s.biased = biased;
      const int dim = rx_task_dim(s.kind), B = s.batch_size;
      rx_batch bt;
      rx_error err;
      REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
      REQUIRE(bt.dim == dim && bt.B == B && bt.T == s.seq_len);
      REQUIRE(rx_task_generate(&s, 5, RX_STREAM_TASK, 7, &bt, &err) == 0);
      double worst = 0;
      for (int b = 0; b < B; b++)
        for (int j = 0; j < dim; j++) {
          double acc = bt.init[b * dim + j];
          for (int t = 0; t < s.seq_len; t++) {
            size_t o = ((size_t)t * B + b) * dim + j;
            acc += bt.inputs[o];
            double diff = kind == 0 ? bt.targets[o] - acc : rx_wrap_angle(bt.targets[o] - acc);
            worst = fmax(worst, fabs(diff));
          }
        }
      CHECK_MSG(worst < 2e-5, "%s biased %d: worst %.3g", rx_task_name(s.kind), biased, worst);
      rx_batch_free(&bt);
    }
}

/* init_zero: the spatial walk starts at the origin, so init = p[1] is one unhindered step from it
 * (|init| / dt ~ Rayleigh(b)); the head-direction walk starts at heading 0 exactly. */
static void test_init_zero_starts_at_origin_and_heading_zero(void) {
  rx_task_spec s = spatial_spec();
  s.init_zero = 1;
  s.batch_size = 2000;
  rx_batch bt;
  rx_error err;
  REQUIRE(rx_batch_alloc(&bt, &s, &err) == 0);
  REQUIRE(rx_task_generate(&s, 6, RX_STREAM_TASK, 0, &bt, &err) == 0);
  double sv = 0;
  for (int b = 0; b < s.batch_size; b++)
    sv += hypot(bt.init[2 * b], bt.init[2 * b + 1]) / s.dt;
  CHECK_NEAR(sv / s.batch_size, s.b * sqrt(M_PI / 2), 0.04); /* s.e. 0.012 */
  rx_batch_free(&bt);

  rx_task_spec h = hd_spec();
  h.init_zero = 1;
  REQUIRE(rx_batch_alloc(&bt, &h, &err) == 0);
  REQUIRE(rx_task_generate(&h, 6, RX_STREAM_TASK, 0, &bt, &err) == 0);
  for (int b = 0; b < h.batch_size; b++)
    CHECK(bt.init[b] == 0.0f);
  CHECK_NEAR(bt.targets[0], bt.inputs[0], 1e-7);
  rx_batch_free(&bt);
}

static int same_batch(const rx_batch *a, const rx_batch *b) {
  size_t n = (size_t)a->T * a->B * a->dim;
  return memcmp(a->inputs, b->inputs, n * sizeof(float)) == 0 &&
         memcmp(a->targets, b->targets, n * sizeof(float)) == 0 &&
         memcmp(a->init, b->init, (size_t)a->B * a->dim * sizeof(float)) == 0;
}

static void test_batches_are_bit_identical_across_thread_counts_and_differ_by_index(void) {
  const int saved = omp_get_max_threads();
  for (int kind = 0; kind < 2; kind++) {
    rx_task_spec s = kind == 0 ? spatial_spec() : hd_spec();
    rx_batch a, b, c;
    rx_error err;
    REQUIRE(rx_batch_alloc(&a, &s, &err) == 0);
    REQUIRE(rx_batch_alloc(&b, &s, &err) == 0);
    REQUIRE(rx_batch_alloc(&c, &s, &err) == 0);
    omp_set_num_threads(1);
    REQUIRE(rx_task_generate(&s, 9, RX_STREAM_TASK, 3, &a, &err) == 0);
    omp_set_num_threads(2);
    REQUIRE(rx_task_generate(&s, 9, RX_STREAM_TASK, 3, &b, &err) == 0);
    omp_set_num_threads(3);
    REQUIRE(rx_task_generate(&s, 9, RX_STREAM_TASK, 3, &c, &err) == 0);
    CHECK(same_batch(&a, &b));
    CHECK(same_batch(&a, &c));
    REQUIRE(rx_task_generate(&s, 9, RX_STREAM_TASK, 4, &b, &err) == 0);
    size_t n = (size_t)s.seq_len * s.batch_size * rx_task_dim(s.kind), differ = 0;
    for (size_t i = 0; i < n; i++)
      differ += a.inputs[i] != b.inputs[i];
    CHECK(differ > n * 9 / 10);
    REQUIRE(rx_task_generate(&s, 9, RX_STREAM_TEST_TASK, 3, &c, &err) == 0);
    CHECK(!same_batch(&a, &c));
    rx_batch_free(&a);
    rx_batch_free(&b);
    rx_batch_free(&c);
  }
  omp_set_num_threads(saved);
}

typedef struct bad_spec_case {
  const char *key; /* expected in the message */
  void (*spoil)(rx_task_spec *);
} bad_spec_case;

static void spoil_T(rx_task_spec *s) { s->seq_len = 0; }
static void spoil_B(rx_task_spec *s) { s->batch_size = -3; }
static void spoil_dt(rx_task_spec *s) { s->dt = 0; }
static void spoil_sigma(rx_task_spec *s) { s->sigma = -1; }
static void spoil_mu(rx_task_spec *s) { s->mu = NAN; }
static void spoil_width(rx_task_spec *s) { s->box_width = -1; }
static void spoil_height(rx_task_spec *s) { s->box_height = NAN; }
static void spoil_border(rx_task_spec *s) { s->border_region = -0.1; }
static void spoil_slow(rx_task_spec *s) { s->border_slow_factor = -1; }
static void spoil_b(rx_task_spec *s) { s->b = 0; }
static void spoil_drift(rx_task_spec *s) { s->drift_const = -0.05; }
static void spoil_anchor(rx_task_spec *s) { s->anchor[1] = INFINITY; }

static void test_task_spec_validation_names_the_key(void) {
  static const bad_spec_case cases[] = {
      {"task.sequence_length", spoil_T},
      {"task.batch_size", spoil_B},
      {"task.dt", spoil_dt},
      {"task.sigma", spoil_sigma},
      {"task.mu", spoil_mu},
      {"task.box_width must be > 0 (got -1)", spoil_width},
      {"task.box_height", spoil_height},
      {"task.border_region", spoil_border},
      {"task.border_slow_factor", spoil_slow},
      {"task.b ", spoil_b},
      {"task.drift_const", spoil_drift},
      {"task.anchor_point", spoil_anchor},
  };
  rx_task_spec good = spatial_spec();
  rx_batch bt;
  rx_error err;
  REQUIRE(rx_batch_alloc(&bt, &good, &err) == 0);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rx_task_spec s = good;
    cases[i].spoil(&s);
    rx_batch none;
    err.msg[0] = 0;
    CHECK(rx_batch_alloc(&none, &s, &err) == RX_EINVAL);
    CHECK(none.inputs == NULL && none.init == NULL && none.targets == NULL);
    CHECK_MSG(strstr(err.msg, cases[i].key) != NULL, "alloc: '%s' lacks '%s'", err.msg,
              cases[i].key);
    err.msg[0] = 0;
    CHECK(rx_task_generate(&s, 0, RX_STREAM_TASK, 0, &bt, &err) == RX_EINVAL);
    CHECK_MSG(strstr(err.msg, cases[i].key) != NULL, "generate: '%s' lacks '%s'", err.msg,
              cases[i].key);
  }
  /* head direction ignores the box keys */
  rx_task_spec h = hd_spec();
  h.box_width = -1;
  rx_batch hb;
  CHECK(rx_batch_alloc(&hb, &h, &err) == 0);
  /* a batch of the wrong shape is refused, naming the keys */
  CHECK(rx_task_generate(&h, 0, RX_STREAM_TASK, 0, &bt, &err) == RX_EINVAL);
  CHECK(strstr(err.msg, "task.batch_size") != NULL);
  rx_batch_free(&hb);
  rx_batch_free(&hb); /* freeing twice is harmless: free zeroes the batch */
  rx_batch_free(&bt);
}

static void test_task_names_dims_and_angle_wrap(void) {
  CHECK(strcmp(rx_task_name(RX_TASK_SPATIAL), "spatial_navigation") == 0);
  CHECK(strcmp(rx_task_name(RX_TASK_HEAD_DIRECTION), "head_direction") == 0);
  CHECK(rx_task_dim(RX_TASK_SPATIAL) == 2 && rx_task_dim(RX_TASK_HEAD_DIRECTION) == 1);
  CHECK(rx_wrap_angle(M_PI) == -M_PI);
  CHECK(rx_wrap_angle(-M_PI) == -M_PI);
  CHECK_NEAR(rx_wrap_angle(3 * M_PI), -M_PI, 1e-12);
  CHECK_NEAR(rx_wrap_angle(0.5 + 8 * M_PI), 0.5, 1e-12);
  CHECK_NEAR(rx_wrap_angle(-0.5 - 8 * M_PI), -0.5, 1e-12);
  double just_below = nextafter(-M_PI, -4.0);
  CHECK(rx_wrap_angle(just_below) < M_PI && rx_wrap_angle(just_below) >= -M_PI);
  rx_rng r;
  rx_rng_init(&r, 0, RX_STREAM_ANALYSIS, 0, 0, 0);
  for (int i = 0; i < 10000; i++) {
    double a = (rx_rng_uniform(&r) - 0.5) * 200, w = rx_wrap_angle(a);
    CHECK(w >= -M_PI && w < M_PI);
    CHECK_NEAR(remainder(a - w, 2 * M_PI), 0, 1e-12);
  }
}

RX_TEST_MAIN(TEST(test_spatial_positions_stay_in_box_up_to_one_step_overshoot),
             TEST(test_spatial_speed_is_rayleigh_and_turn_sd_is_dt_sigma_away_from_walls),
             TEST(test_biased_spatial_runs_concentrate_near_anchor),
             TEST(test_hd_headings_are_wrapped_into_half_open_pi_interval),
             TEST(test_biased_hd_turns_are_non_negative_and_unbiased_take_both_signs),
             TEST(test_targets_equal_init_plus_cumulative_inputs),
             TEST(test_init_zero_starts_at_origin_and_heading_zero),
             TEST(test_batches_are_bit_identical_across_thread_counts_and_differ_by_index),
             TEST(test_task_spec_validation_names_the_key),
             TEST(test_task_names_dims_and_angle_wrap))
