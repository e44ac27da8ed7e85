/* Philox generator: the published Random123 known answers for Philox4x32-10 (through a reference
 * implementation written here from the algorithm, and through rx_rng itself), how the key
 * (seed, stream) and counter (draw, i, j, k) words are laid out, that every one of them changes
 * the stream without aliasing another position, addressability, and the ranges and moments of
 * each distribution. */
#include "reactivate/rng.h"
#include "test_util.h"

/* ---- reference Philox4x32-10 (Salmon et al. 2011), independent of Random123's headers ---- */

static void philox_ref(const uint32_t ctr_in[4], const uint32_t key_in[2], uint32_t out[4]) {
  uint32_t c[4] = {ctr_in[0], ctr_in[1], ctr_in[2], ctr_in[3]}, k[2] = {key_in[0], key_in[1]};
  for (int round = 0; round < 10; round++) {
    if (round > 0) k[0] += 0x9E3779B9u, k[1] += 0xBB67AE85u; /* Weyl sequence */
    uint64_t p0 = (uint64_t)0xD2511F53u * c[0], p1 = (uint64_t)0xCD9E8D57u * c[2];
    uint32_t n[4] = {(uint32_t)(p1 >> 32) ^ c[1] ^ k[0], (uint32_t)p1,
                     (uint32_t)(p0 >> 32) ^ c[3] ^ k[1], (uint32_t)p0};
    memcpy(c, n, sizeof c);
  }
  memcpy(out, c, sizeof c);
}

/* tests/kat_vectors of Random123 (github.com/DEShawResearch/random123), the "philox4x32 10"
 * lines: counter (4 words), key (2 words), expected output (4 words). */
static const uint32_t kat[3][10] = {
    {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
    {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e,
     0xa20bc7c6, 0x6d5451fd},
    {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb,
     0x5001e420, 0x24126ea1},
};

static void test_rng_is_philox4x32_10_by_the_published_known_answers(void) {
  for (int v = 0; v < 3; v++) {
    uint32_t out[4];
    philox_ref(kat[v], kat[v] + 4, out);
    for (int w = 0; w < 4; w++)
      CHECK_MSG(out[w] == kat[v][6 + w], "reference, vector %d word %d: %08x, expected %08x", v, w,
                out[w], kat[v][6 + w]);
    /* rx_rng: key (seed, stream), counter (draw block, i, j, k); the draw block starts at 0
     * and is the public struct's ctr[0], set here to reach the vectors' first counter word */
    rx_rng r;
    rx_rng_init(&r, kat[v][4], kat[v][5], kat[v][1], kat[v][2], kat[v][3]);
    r.ctr[0] = kat[v][0];
    for (int w = 0; w < 4; w++) {
      uint32_t got = rx_rng_u32(&r);
      CHECK_MSG(got == kat[v][6 + w], "rx_rng, vector %d word %d: %08x, expected %08x", v, w, got,
                kat[v][6 + w]);
    }
  }
  /* Without touching the struct: position (0, 0; 0, 0, 0) is the all-zero vector. */
  rx_rng z;
  rx_rng_init(&z, 0, 0, 0, 0, 0);
  for (int w = 0; w < 4; w++)
    CHECK(rx_rng_u32(&z) == kat[0][6 + w]);
}

/* Draw n of position (seed, stream; i, j, k) is word n % 4 of Philox(counter (n / 4, i, j, k),
 * key (seed, stream)), at any position. */
static void test_rng_draws_are_the_reference_blocks_of_the_position(void) {
  static const uint32_t pos[][5] = {{7, RX_STREAM_TASK, 3, 4, 5},
                                    {1, RX_STREAM_NOISE + 1, 0, 9, 17},
                                    {0xdeadbeef, RX_STREAM_ANALYSIS, 0xffffffff, 1, 0},
                                    {12345, RX_STREAM_INIT, 0, 0, 0xfffffffe}};
  for (size_t p = 0; p < sizeof pos / sizeof pos[0]; p++) {
    rx_rng r;
    rx_rng_init(&r, pos[p][0], pos[p][1], pos[p][2], pos[p][3], pos[p][4]);
    int bad = 0;
    for (uint32_t block = 0; block < 64; block++) {
      uint32_t ctr[4] = {block, pos[p][2], pos[p][3], pos[p][4]}, key[2] = {pos[p][0], pos[p][1]};
      uint32_t want[4];
      philox_ref(ctr, key, want);
      for (int w = 0; w < 4; w++)
        bad += rx_rng_u32(&r) != want[w];
    }
    CHECK_MSG(bad == 0, "position %zu: %d of 256 draws differ from the reference", p, bad);
  }
}

/* Each of the five fields, changed alone, gives another stream: none of its first draws is equal
 * to the base position's at the same place, and its first block is nowhere in the base stream's
 * first 4096 draws (so no field merely shifts the draw counter). Swapping two fields also
 * changes the stream. */
static void test_rng_every_key_and_counter_field_changes_the_stream(void) {
  enum { N = 64, LONG = 4096 };
  const uint32_t base[5] = {7, RX_STREAM_TASK, 3, 4, 5};
  static uint32_t ref[LONG];
  rx_rng r;
  rx_rng_init(&r, base[0], base[1], base[2], base[3], base[4]);
  for (int n = 0; n < LONG; n++)
    ref[n] = rx_rng_u32(&r);
  static const char *const names[5] = {"seed", "stream", "i", "j", "k"};
  static const uint32_t deltas[3] = {1, 0x80000000u, 0xffffffffu}; /* +1, top bit, -1 */
  for (int f = 0; f < 5; f++)
    for (int d = 0; d < 3; d++) {
      uint32_t p[5];
      memcpy(p, base, sizeof p);
      p[f] += deltas[d];
      rx_rng_init(&r, p[0], p[1], p[2], p[3], p[4]);
      uint32_t first[4];
      int same = 0;
      for (int n = 0; n < N; n++) {
        uint32_t u = rx_rng_u32(&r);
        if (n < 4) first[n] = u;
        same += u == ref[n];
      }
      int found = 0;
      for (int n = 0; n + 4 <= LONG && !found; n++)
        found = !memcmp(first, ref + n, sizeof first);
      CHECK_MSG(same == 0, "%s + %#x: %d of %d draws equal to the base stream's", names[f],
                deltas[d], same, N);
      CHECK_MSG(!found, "%s + %#x: its first draws are a shifted copy of the base stream", names[f],
                deltas[d]);
    }
  /* swaps: (seed, stream), (i, j), (j, k), (i, k) */
  static const int swaps[4][2] = {{0, 1}, {2, 3}, {3, 4}, {2, 4}};
  for (int s = 0; s < 4; s++) {
    uint32_t p[5];
    memcpy(p, base, sizeof p);
    uint32_t t = p[swaps[s][0]];
    p[swaps[s][0]] = p[swaps[s][1]], p[swaps[s][1]] = t;
    rx_rng_init(&r, p[0], p[1], p[2], p[3], p[4]);
    int same = 0;
    for (int n = 0; n < N; n++)
      same += rx_rng_u32(&r) == ref[n];
    CHECK_MSG(same == 0, "%s and %s swapped: %d of %d draws unchanged", names[swaps[s][0]],
              names[swaps[s][1]], same, N);
  }
}

static void test_rng_same_position_gives_same_draws(void) {
  rx_rng a, b;
  rx_rng_init(&a, 7, RX_STREAM_TASK, 3, 4, 5);
  for (int i = 0; i < 37; i++) /* part-way into a block */
    rx_rng_u32(&a);
  rx_rng_init(&a, 7, RX_STREAM_TASK, 3, 4, 5); /* init starts over */
  rx_rng_init(&b, 7, RX_STREAM_TASK, 3, 4, 5);
  int differ = 0;
  for (int i = 0; i < 1000; i++)
    differ += rx_rng_u32(&a) != rx_rng_u32(&b);
  CHECK(differ == 0);
}

/* The conversions: uniform takes 27 + 26 bits of two draws, uniformf the top 24 bits of one,
 * normal is Box-Muller cos(2 pi u2) sqrt(-2 log(1 - u1)), Rayleigh s sqrt(-2 log(1 - u)). */
static void test_rng_distributions_are_the_documented_functions_of_the_draws(void) {
  rx_rng r, u;
  rx_rng_init(&r, 0, 0, 0, 0, 0);
  rx_rng_init(&u, 0, 0, 0, 0, 0);
  double a = rx_rng_uniform(&r);
  CHECK(a == ((double)(0x6627e8d5u >> 5) * 67108864.0 + (double)(0xe169c58du >> 6)) /
                 9007199254740992.0);
  CHECK(rx_rng_uniformf(&r) == (float)(0xbc57ac4cu >> 8) / 16777216.0f);
  for (int i = 0; i < 3; i++) /* u is where r is: 3 draws in */
    rx_rng_u32(&u);
  double u1 = rx_rng_uniform(&u), u2 = rx_rng_uniform(&u);
  double g = rx_rng_normal(&r);
  CHECK_NEAR(g, sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2), 1e-15);
  double w = rx_rng_uniform(&u);
  CHECK_NEAR(rx_rng_rayleigh(&r, 2.0), 2.0 * sqrt(-2 * log(1 - w)), 1e-15);
}

static void test_rng_distributions_have_known_moments(void) {
  rx_rng r;
  rx_rng_init(&r, 1, RX_STREAM_ANALYSIS, 0, 0, 0);
  const int n = 200000;
  /* tolerances ~4.5 standard errors of each estimate at this n */
  double su = 0, su2 = 0, sn = 0, sn2 = 0, sn3 = 0, sn4 = 0, sr = 0, sr2 = 0;
  int out_of_range = 0, within1 = 0, below_m2 = 0, low_decile = 0;
  for (int i = 0; i < n; i++) {
    double u = rx_rng_uniform(&r), g = rx_rng_normal(&r), y = rx_rng_rayleigh(&r, 2.0);
    out_of_range += !(u >= 0 && u < 1) || !(y >= 0);
    su += u, su2 += u * u;
    sn += g, sn2 += g * g, sn3 += g * g * g, sn4 += g * g * g * g;
    within1 += fabs(g) < 1, below_m2 += g < -2, low_decile += u < 0.1;
    sr += y, sr2 += y * y;
  }
  CHECK(out_of_range == 0);
  CHECK_NEAR(su / n, 0.5, 0.003);
  CHECK_NEAR(su2 / n - (su / n) * (su / n), 1.0 / 12, 0.0015);
  CHECK_NEAR(low_decile / (double)n, 0.1, 0.003);
  CHECK_NEAR(sn / n, 0.0, 0.01);
  CHECK_NEAR(sn2 / n, 1.0, 0.015);
  CHECK_NEAR(sn3 / n, 0.0, 0.04); /* skewness 0 */
  CHECK_NEAR(sn4 / n, 3.0, 0.1);  /* kurtosis 3 */
  CHECK_NEAR(within1 / (double)n, 0.682689, 0.005);
  CHECK_NEAR(below_m2 / (double)n, 0.0227501, 0.0015);
  /* Rayleigh(s): mean s sqrt(pi/2), E[y^2] = 2 s^2 */
  CHECK_NEAR(sr / n, 2.0 * sqrt(M_PI / 2), 0.01);
  CHECK_NEAR(sr2 / n, 8.0, 0.06);

  /* bulk fills: odd length, scale */
  enum { M = 100001 };
  static float buf[M];
  rx_rng_fill_normalf(&r, buf, M, 3.0f);
  double s1 = 0, s2 = 0;
  for (int i = 0; i < M; i++)
    s1 += buf[i], s2 += (double)buf[i] * buf[i];
  CHECK_NEAR(s1 / M, 0.0, 0.045);
  CHECK_NEAR(s2 / M, 9.0, 0.2);
  CHECK(isfinite(buf[M - 1]) && buf[M - 1] != 0); /* the odd last one is drawn */
  rx_rng_fill_uniformf(&r, buf, M, 0.5f);
  s1 = 0;
  int bad = 0;
  for (int i = 0; i < M; i++)
    s1 += buf[i], bad += !(buf[i] >= 0 && buf[i] < 0.5f);
  CHECK(bad == 0);
  CHECK_NEAR(s1 / M, 0.25, 0.0025);
  float f = 0;
  for (int i = 0; i < 1000; i++)
    f = fmaxf(f, rx_rng_uniformf(&r));
  CHECK(f < 1.0f && f > 0.99f);
}

RX_TEST_MAIN(TEST(test_rng_is_philox4x32_10_by_the_published_known_answers),
             TEST(test_rng_draws_are_the_reference_blocks_of_the_position),
             TEST(test_rng_every_key_and_counter_field_changes_the_stream),
             TEST(test_rng_same_position_gives_same_draws),
             TEST(test_rng_distributions_are_the_documented_functions_of_the_draws),
             TEST(test_rng_distributions_have_known_moments))
