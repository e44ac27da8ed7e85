/* The training step's one-pass loss (src/tasks/population_loss.c) against the separate passes it
 * replaces: the targets encoded row by row, the gradient bit for bit (also written over the
 * outputs), the loss and the decoding error; the same bits for 1 and 2 threads and when taken
 * in blocks out of order (rx_population_loss, as the training loop runs it); the low-rank form
 * it offers a producer of outputs; the top-k on rows longer than one 512-cell segment against a
 * plain scan. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/linalg.h"
#include "reactivate/population.h"
#include "tasks/population_internal.h"
#include "test_util.h"

static float frand(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / 16777216.0f - 0.5f;
}

typedef struct code_case {
  const char *name;
  rx_population_spec spec;
} code_case;

static const code_case cases[] = {
    {"hd cells", {.kind = RX_TASK_HEAD_DIRECTION, .n = 512, .k = 3, .spread = M_PI / 6}},
    {"hd cells, odd n, k 5", {.kind = RX_TASK_HEAD_DIRECTION, .n = 77, .k = 5, .spread = 0.4}},
    {"place cells",
     {.kind = RX_TASK_SPATIAL,
      .n = 512,
      .k = 3,
      .sigma = 0.2,
      .box_width = 2.2,
      .box_height = 2.2}},
    {"place cells, DoG, k 20",
     {.kind = RX_TASK_SPATIAL,
      .n = 300,
      .k = 20,
      .sigma = 0.2,
      .dog = 1,
      .surround_scale = 2,
      .box_width = 2.2,
      .box_height = 2.2}},
    {"identity heading", {.kind = RX_TASK_HEAD_DIRECTION, .identity = 1}},
    {"identity position", {.kind = RX_TASK_SPATIAL, .identity = 1}},
};

/* m positions (headings in [-pi, pi) or points in the box) and outputs near their code. */
static void make_rows(const rx_population *p, size_t m, uint32_t seed, float *pos, float *y) {
  for (size_t i = 0; i < m * p->dim; i++)
    pos[i] = p->dim == 1 ? 6.2f * frand(&seed) : 2.1f * frand(&seed);
  rx_population_encode(p, pos, m, y);
  for (size_t i = 0; i < m * p->n; i++)
    y[i] += 0.3f * frand(&seed);
}

/* The loss written out: mean over n of (y - t)^2 summed in double, dy = (2 / n) (y - t) in float
 * (the bits the loss promises). */
static double plain_mse(const float *y, const float *t, size_t n, float *dy) {
  double sum = 0;
  const float scale = 2.0f / (float)n;
  for (size_t i = 0; i < n; i++) {
    const float d = y[i] - t[i];
    sum += (double)d * d;
    dy[i] = scale * d;
  }
  return sum / (double)n;
}

static void test_one_pass_equals_the_separate_passes(void) {
  const size_t m = 1001; /* not a multiple of the 16-row chunks */
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rx_population *p;
    rx_error err;
    REQUIRE(rx_population_create(&p, &cases[c].spec, 3, &err) == 0);
    const size_t len = m * p->n;
    float *pos = malloc(m * p->dim * sizeof(float)), *y = malloc(len * sizeof(float));
    float *codes = malloc(len * sizeof(float)), *dy_ref = malloc(len * sizeof(float));
    float *dy = malloc(len * sizeof(float)), *dec = malloc(m * p->dim * sizeof(float));
    REQUIRE(pos && y && codes && dy_ref && dy && dec);
    make_rows(p, m, 11 + (uint32_t)c, pos, y);

    rx_population_encode(p, pos, m, codes);
    const double loss_ref = plain_mse(y, codes, len, dy_ref);
    rx_population_decode(p, y, m, dec);
    const double err_ref = rx_population_error(p, dec, pos, m);

    double loss = NAN, error = NAN;
    REQUIRE(rx_population_mse(p, y, pos, m, dy, &loss, &error, &err) == RX_OK);
    CHECK_MSG(!memcmp(dy, dy_ref, len * sizeof(float)), "%s: gradient", cases[c].name);
    CHECK_MSG(fabs(loss - loss_ref) <= 1e-12 * loss_ref, "%s: loss %.17g vs %.17g", cases[c].name,
              loss, loss_ref);
    CHECK_MSG(fabs(error - err_ref) <= 1e-12 * err_ref, "%s: error %.17g vs %.17g", cases[c].name,
              error, err_ref);
    CHECK(loss > 0 && error > 0);

    /* no gradient, no error: the same loss */
    double loss2 = NAN, error2 = 7;
    REQUIRE(rx_population_mse(p, y, pos, m, NULL, &loss2, NULL, &err) == RX_OK);
    CHECK(loss2 == loss && error2 == 7);

    /* the gradient written over the outputs: the decode read them first */
    loss2 = error2 = NAN;
    REQUIRE(rx_population_mse(p, y, pos, m, y, &loss2, &error2, &err) == RX_OK);
    CHECK_MSG(!memcmp(y, dy_ref, len * sizeof(float)), "%s: in-place gradient", cases[c].name);
    CHECK(loss2 == loss && error2 == error);

    free(pos), free(y), free(codes), free(dy_ref), free(dy), free(dec);
    rx_population_free(p);
  }
}

static void test_one_pass_is_bit_identical_for_1_and_2_threads(void) {
  const size_t m = 777;
  const int threads = rx_get_threads();
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rx_population *p;
    rx_error err;
    REQUIRE(rx_population_create(&p, &cases[c].spec, 5, &err) == 0);
    const size_t len = m * p->n;
    float *pos = malloc(m * p->dim * sizeof(float)), *y = malloc(len * sizeof(float));
    float *dy1 = malloc(len * sizeof(float)), *dy2 = malloc(len * sizeof(float));
    REQUIRE(pos && y && dy1 && dy2);
    make_rows(p, m, 21 + (uint32_t)c, pos, y);
    double l1, l2, e1, e2;
    rx_set_threads(1);
    int rc1 = rx_population_mse(p, y, pos, m, dy1, &l1, &e1, &err);
    rx_set_threads(2);
    int rc2 = rx_population_mse(p, y, pos, m, dy2, &l2, &e2, &err);
    rx_set_threads(threads);
    REQUIRE(rc1 == RX_OK && rc2 == RX_OK);
    CHECK_MSG(!memcmp(&l1, &l2, sizeof l1) && !memcmp(&e1, &e2, sizeof e1), "%s", cases[c].name);
    CHECK_MSG(!memcmp(dy1, dy2, len * sizeof(float)), "%s", cases[c].name);
    free(pos), free(y), free(dy1), free(dy2);
    rx_population_free(p);
  }
}

/* The loss taken in blocks (as the readout hands it tiles: 256 rows, the last one short, out of
 * order, the gradient written over each block) gives the one-pass loss, error and gradient bit
 * for bit; so does its rx_row_loss; more rows than it was made for are refused. */
static void test_loss_in_blocks_equals_the_one_pass(void) {
  const size_t m = 1001, blk = 256;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rx_population *p;
    rx_error err;
    REQUIRE(rx_population_create(&p, &cases[c].spec, 7, &err) == 0);
    const size_t len = m * p->n;
    float *pos = malloc(m * p->dim * sizeof(float)), *y = malloc(len * sizeof(float));
    float *dy = malloc(len * sizeof(float));
    REQUIRE(pos && y && dy);
    make_rows(p, m, 31 + (uint32_t)c, pos, y);
    double loss = NAN, error = NAN, l2 = NAN, e2 = NAN;
    REQUIRE(rx_population_mse(p, y, pos, m, dy, &loss, &error, &err) == RX_OK);
    rx_population_loss *t;
    REQUIRE(rx_population_loss_create(&t, p, m + 50, &err) == RX_OK); /* room to spare */
    REQUIRE(rx_population_loss_start(t, pos, m, 1, &err) == RX_OK);
    const size_t n_blk = (m + blk - 1) / blk;
    for (size_t i = 0; i < n_blk; i++) {
      const size_t b = (i * 3 + 1) % n_blk; /* 1, 0, 3, 2: every block once, out of order */
      const size_t r0 = b * blk, r1 = r0 + blk < m ? r0 + blk : m;
      float *rows = y + r0 * p->n;
      rx_population_loss_rows(t, r0, r1, rows, rows);
    }
    rx_population_loss_total(t, &l2, &e2);
    CHECK_MSG(!memcmp(&l2, &loss, sizeof loss) && !memcmp(&e2, &error, sizeof error),
              "%s: loss %.17g vs %.17g, error %.17g vs %.17g", cases[c].name, l2, loss, e2, error);
    CHECK_MSG(!memcmp(y, dy, len * sizeof(float)), "%s: gradient", cases[c].name);
    CHECK(loss > 0 && error > 0);
    /* a second pass on the same loss (y now holds the gradient), without the error: the loss
     * of the one pass on the same rows, and no error */
    double l_ref = NAN, l3 = NAN, e3 = 5;
    REQUIRE(rx_population_mse(p, y, pos, m, NULL, &l_ref, NULL, &err) == RX_OK);
    REQUIRE(rx_population_loss_start(t, pos, m, 0, &err) == RX_OK);
    const rx_row_loss *fn = rx_population_loss_fn(t); /* as a producer of outputs calls it */
    for (size_t r0 = 0; r0 < m; r0 += blk)
      fn->rows(fn->ctx, r0, (r0 + blk < m ? r0 + blk : m) - r0, y + r0 * p->n, 0);
    rx_population_loss_total(t, &l3, &e3);
    CHECK_MSG(!memcmp(&l3, &l_ref, sizeof l3) && l3 != loss, "%s: second pass", cases[c].name);
    CHECK(isnan(e3));
    /* more rows than it was made for: refused, saying so */
    CHECK(rx_population_loss_start(t, pos, m + 51, 0, &err) == RX_EINVAL &&
          strstr(err.msg, "1052 rows") && strstr(err.msg, "at most 1051"));
    rx_population_loss_free(t);
    free(pos), free(y), free(dy);
    rx_population_free(p);
  }
}

/* Head-direction cells offer their low-rank form to a producer of outputs: features F and
 * factors Z with F Z = the code (to 1e-6), the scale of the loss's gradient, dL/dy = 2 scale
 * (y - F Z); place cells and identity codes offer none. */
static void test_loss_offers_the_low_rank_form_of_head_direction_cells(void) {
  const size_t m = 40;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rx_population *p;
    rx_error err;
    REQUIRE(rx_population_create(&p, &cases[c].spec, 3, &err) == 0);
    rx_population_loss *l;
    REQUIRE(rx_population_loss_create(&l, p, m, &err) == RX_OK);
    float *pos = malloc(m * p->dim * sizeof(float)), *y = malloc(m * p->n * sizeof(float));
    REQUIRE(pos && y);
    make_rows(p, m, 41 + (uint32_t)c, pos, y);
    REQUIRE(rx_population_loss_start(l, pos, m, 0, &err) == RX_OK);
    const rx_row_loss *fn = rx_population_loss_fn(l);
    /* offered where the code has a form with at most a quarter as many features as cells: the
     * 512 cells of 30 degrees (29 features), not the 77 of 0.4 rad nor place or identity codes */
    const int want = c == 0 ? 29 : 0;
    CHECK_MSG(fn->low_rank.n_feat == want, "%s: n_feat %d", cases[c].name, fn->low_rank.n_feat);
    if (fn->low_rank.n_feat > 0) {
      const int F = fn->low_rank.n_feat;
      CHECK(fn->low_rank.scale == 1.0f / (float)(m * (size_t)p->n));
      float *f = malloc(m * F * sizeof(float)), *code = malloc(m * p->n * sizeof(float));
      REQUIRE(f && code);
      fn->low_rank.features(fn->ctx, 0, m, f);
      rx_population_encode(p, pos, m, code);
      double worst = 0;
      for (size_t r = 0; r < m; r++)
        for (int i = 0; i < p->n; i++) {
          double t = 0;
          for (int k = 0; k < F; k++)
            t += (double)f[r * F + k] * fn->low_rank.z[(size_t)k * p->n + i];
          worst = fmax(worst, fabs(t - code[r * p->n + i]));
        }
      CHECK_MSG(worst < 1e-6, "%s: F Z off the code by %.3g", cases[c].name, worst);
      free(f), free(code);
    }
    free(pos), free(y);
    rx_population_loss_free(l);
    rx_population_free(p);
  }
}

static void test_no_rows_give_zero_loss_and_undefined_error(void) {
  rx_population *p;
  rx_error err;
  REQUIRE(rx_population_create(&p, &cases[0].spec, 1, &err) == 0);
  float y[1] = {0}, pos[1] = {0};
  double loss = 5, error = 5;
  CHECK(rx_population_mse(p, y, pos, 0, NULL, &loss, &error, &err) == RX_OK);
  CHECK(loss == 0 && isnan(error));
  rx_population_free(p);
}

/* The plain one-pass scan the screened top-k must agree with. */
static void topk_plain(const float *row, int n, int k, int *idx) {
  float best[64];
  for (int j = 0; j < k; j++)
    best[j] = -INFINITY, idx[j] = j;
  for (int i = 0; i < n; i++)
    if (row[i] > best[k - 1]) rxtk_topk_insert(row[i], i, k, best, idx);
}

/* Rows spanning several 512-cell segments (block bit masks are per segment), with a tail. */
static void test_topk_on_long_rows_equals_plain_scan(void) {
  const int lens[] = {511, 512, 528, 1024, 1031, 1600};
  const int ks[] = {1, 3, 16};
  static float row[1600];
  uint32_t seed = 9;
  int cases_run = 0;
  for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
    for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
      for (int kind = 0; kind < 5; kind++) {
        const int n = lens[li], k = ks[ki];
        for (int i = 0; i < n; i++) {
          float v = frand(&seed);
          if (kind == 1) v = roundf(v * 4.0f);                /* many ties */
          if (kind == 2 && i % 7 == 3) v = NAN;               /* NaNs among values */
          if (kind == 3) v = i % 97 ? -INFINITY : v;          /* few finite cells */
          if (kind == 4) v = i > n - 5 ? 1.0f + (float)i : v; /* the best in the tail */
          row[i] = v;
        }
        int got[16], want[16];
        rxtk_topk(row, n, k, got);
        topk_plain(row, n, k, want);
        CHECK_MSG(!memcmp(got, want, sizeof(int) * k), "n %d k %d kind %d", n, k, kind);
        cases_run++;
      }
  CHECK(cases_run == 90);
}

RX_TEST_MAIN(TEST(test_one_pass_equals_the_separate_passes),
             TEST(test_one_pass_is_bit_identical_for_1_and_2_threads),
             TEST(test_loss_in_blocks_equals_the_one_pass),
             TEST(test_loss_offers_the_low_rank_form_of_head_direction_cells),
             TEST(test_no_rows_give_zero_loss_and_undefined_error),
             TEST(test_topk_on_long_rows_equals_plain_scan))
