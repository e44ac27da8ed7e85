/* Philox generator: addressability, ranges and moments of each distribution. */
#include "reactivate/rng.h"
#include "test_util.h"

static void test_rng_same_position_gives_same_draws(void) {
  rx_rng a, b;
  rx_rng_init(&a, 7, RX_STREAM_TASK, 3, 4, 5);
  rx_rng_init(&b, 7, RX_STREAM_TASK, 3, 4, 5);
  for (int i = 0; i < 100; i++)
    CHECK(rx_rng_u32(&a) == rx_rng_u32(&b));
  rx_rng_init(&b, 7, RX_STREAM_TASK, 3, 4, 6);
  rx_rng_init(&a, 7, RX_STREAM_TASK, 3, 4, 5);
  int same = 0;
  for (int i = 0; i < 100; i++)
    same += rx_rng_u32(&a) == rx_rng_u32(&b);
  CHECK(same < 3);
}

static void test_rng_distributions_have_known_moments(void) {
  rx_rng r;
  rx_rng_init(&r, 1, RX_STREAM_ANALYSIS, 0, 0, 0);
  const int n = 200000;
  double su = 0, su2 = 0, sn = 0, sn2 = 0, sr = 0, sr2 = 0;
  for (int i = 0; i < n; i++) {
    double u = rx_rng_uniform(&r), g = rx_rng_normal(&r), y = rx_rng_rayleigh(&r, 2.0);
    CHECK(u >= 0 && u < 1);
    su += u;
    su2 += u * u;
    sn += g;
    sn2 += g * g;
    sr += y;
    sr2 += y * y;
  }
  CHECK_NEAR(su / n, 0.5, 0.005);
  CHECK_NEAR(su2 / n - (su / n) * (su / n), 1.0 / 12, 0.002);
  CHECK_NEAR(sn / n, 0.0, 0.01);
  CHECK_NEAR(sn2 / n, 1.0, 0.01);
  /* Rayleigh(s): mean s*sqrt(pi/2), E[y^2] = 2 s^2 */
  CHECK_NEAR(sr / n, 2.0 * sqrt(M_PI / 2), 0.01);
  CHECK_NEAR(sr2 / n, 8.0, 0.06);
  float buf[10001];
  rx_rng_fill_normalf(&r, buf, 10001, 3.0f);
  double s2 = 0;
  for (int i = 0; i < 10001; i++)
    s2 += (double)buf[i] * buf[i];
  CHECK_NEAR(s2 / 10001, 9.0, 0.4);
  rx_rng_fill_uniformf(&r, buf, 10001, 0.5f);
  for (int i = 0; i < 10001; i++)
    CHECK(buf[i] >= 0 && buf[i] < 0.5f);
}

RX_TEST_MAIN(TEST(test_rng_same_position_gives_same_draws),
             TEST(test_rng_distributions_have_known_moments))
