/* A branch-free exp over 8 doubles at once (GCC/Clang vector extensions), for the KDE's inner
 * loop: glibc's exp does not vectorise. Valid for x <= 0 (kernel arguments -|u|^2): relative
 * error < 1e-15 down to -708, gradual underflow below, exactly 0 below about -745.13 (as libm). */
#ifndef RX_ANALYSIS_FAST_EXP_H
#define RX_ANALYSIS_FAST_EXP_H

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

typedef double rxst_v8d __attribute__((vector_size(64)));
typedef long long rx_v8l __attribute__((vector_size(64)));

/* a * b + c, fused where the CPU has it. GCC does not contract a * b + c in ISO C mode, so the
 * AVX-512 path asks for the instruction; elsewhere two roundings (still within 1e-15). */
#if defined(__AVX512F__)
#define RXST_V8_FMA(a, b, c) ((rxst_v8d)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#else
#define RXST_V8_FMA(a, b, c) ((a) * (b) + (c))
#endif

/* All lanes = v (a simple expression: it is evaluated 8 times). Vectors are passed by pointer
 * below: GCC warns (-Wpsabi) about 64-byte vectors passed by value where AVX-512 is off. */
#define RXST_V8D(v) ((rxst_v8d){(v), (v), (v), (v), (v), (v), (v), (v)})

/* v = exp(v), lane by lane: exp(x) = 2^k e^r, k = round(x / ln 2), |r| <= ln2 / 2; e^r by its
 * Taylor polynomial of degree 12 (truncation < 2.3e-16 of e^r on that interval); 2^k applied as
 * two normal powers of two so that results below 2^-1022 round once into the subnormals
 * instead of being flushed. */
static inline __attribute__((always_inline)) void rx_exp_v8d(rxst_v8d *v) {
  rxst_v8d x = *v;
  const rx_v8l below = x < -746.0; /* all-ones where x < -746 (the result is 0 there anyway) */
  x = (rxst_v8d)(((rx_v8l)x & ~below) | ((rx_v8l)RXST_V8D(-746.0) & below));
  const double shift = 0x1.8p52; /* adding it rounds x / ln2 to an integer in the low bits */
  const rxst_v8d t = RXST_V8_FMA(x, RXST_V8D(0x1.71547652b82fep0), RXST_V8D(shift));
  const rxst_v8d kd = t - shift;
  /* ln 2 = hi + lo (fdlibm's split): kd * hi is exact for |k| < 2^21 */
  rxst_v8d r = RXST_V8_FMA(kd, RXST_V8D(-0x1.62e42fee00000p-1), x);
  r = RXST_V8_FMA(kd, RXST_V8D(-0x1.a39ef35793c76p-33), r);
  rxst_v8d p = RXST_V8D(1.0 / 479001600.0); /* 1/12! */
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 39916800.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 3628800.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 362880.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 40320.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 5040.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 720.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 120.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 24.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0 / 6.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(0.5));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0));
  p = RXST_V8_FMA(p, r, RXST_V8D(1.0));
  const rx_v8l k = (rx_v8l)t - 0x4338000000000000LL; /* bits of t minus bits of shift */
  const rx_v8l k1 = k >> 1, k2 = k - k1;             /* k in [-1077, 1], both halves >= -539 */
  const rxst_v8d s1 = (rxst_v8d)((k1 + 1023) << 52), s2 = (rxst_v8d)((k2 + 1023) << 52);
  *v = p * s1 * s2;
}

/* Scalar form, for tests and the odd single value. */
static inline double rxst_fast_exp(double x) {
  rxst_v8d v = RXST_V8D(x);
  rx_exp_v8d(&v);
  return v[0];
}

#endif
