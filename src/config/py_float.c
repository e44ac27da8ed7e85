/* Python's repr/str of a float (rx_format_py_float): the shortest digits that read back to the same
 * double, written positionally or in scientific notation by Python's rule. Run names
 * (docs/science.md §8) and the YAML writer use it; nothing here knows about configs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/config.h"

/* Candidate: the p-digit integer m (as digits) times 10^(exp10 - p + 1); 1 when it reads back
 * as v. */
static int reads_back(double v, uint64_t m, int exp10, int p) {
  char buf[64];
  snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)m, exp10 - p + 1);
  return strtod(buf, NULL) == v;
}

/* Shortest round-trip digits of v > 0 (finite): digits without leading/trailing zeros and the
 * decimal exponent of the first digit (v = d.ddd x 10^exp10). Among strings of the shortest
 * length that read back, the one nearest to v, as David Gay's dtoa mode 0 (Python) picks. */
static void shortest_digits(double v, char *digits, int *exp10) {
  for (int p = 1; p <= 17; p++) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", p - 1, v); /* correctly rounded to p digits */
    uint64_t m = 0;
    const char *s = buf;
    for (; *s != 'e'; s++)
      if (*s != '.') m = m * 10 + (uint64_t)(*s - '0');
    int e = atoi(s + 1);
    uint64_t lo = 1;
    for (int i = 1; i < p; i++)
      lo *= 10; /* 10^(p-1) */
    int found = 0;
    if (strtod(buf, NULL) == v) {
      found = 1;
    } else if (p < 17) {
      /* The nearest p-digit string misses; at a power of two the round-trip interval is
       * lopsided, so its neighbour on the other side may still read back. */
      if (m + 1 < 10 * lo && reads_back(v, m + 1, e, p))
        m += 1, found = 1;
      else if (m - 1 >= lo && reads_back(v, m - 1, e, p))
        m -= 1, found = 1;
    }
    if (found || p == 17) {
      char tmp[32];
      snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)m);
      size_t len = strlen(tmp);
      while (len > 1 && tmp[len - 1] == '0')
        len--;
      memcpy(digits, tmp, len);
      digits[len] = '\0';
      *exp10 = e;
      return;
    }
  }
}

void rx_format_py_float(double v, char *buf, size_t n) {
  if (!buf || n == 0) return;
  if (isnan(v)) {
    snprintf(buf, n, "nan");
    return;
  }
  if (isinf(v)) {
    snprintf(buf, n, "%s", v < 0 ? "-inf" : "inf");
    return;
  }
  const char *sign = signbit(v) ? "-" : "";
  if (v == 0) {
    snprintf(buf, n, "%s0.0", sign);
    return;
  }
  char d[32], out[64];
  int e;
  shortest_digits(fabs(v), d, &e);
  int nd = (int)strlen(d), decpt = e + 1, len = 0; /* v = 0.ddd x 10^decpt */
  if (decpt <= -4 || decpt > 16) {                 /* Python's repr switches to exponent form */
    snprintf(out, sizeof out, "%c%s%se%c%02d", d[0], nd > 1 ? "." : "", d + 1, e < 0 ? '-' : '+',
             abs(e));
  } else if (decpt <= 0) { /* 0.000ddd */
    out[len++] = '0';
    out[len++] = '.';
    for (int i = 0; i < -decpt; i++)
      out[len++] = '0';
    snprintf(out + len, sizeof out - (size_t)len, "%s", d);
  } else if (decpt < nd) { /* dd.ddd */
    snprintf(out, sizeof out, "%.*s.%s", decpt, d, d + decpt);
  } else { /* ddd000.0 */
    len = snprintf(out, sizeof out, "%s", d);
    for (int i = nd; i < decpt; i++)
      out[len++] = '0';
    out[len++] = '.';
    out[len++] = '0';
    out[len] = '\0';
  }
  snprintf(buf, n, "%s%s", sign, out);
}
