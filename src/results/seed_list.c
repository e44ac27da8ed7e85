/* Seed lists as people write them ("0-4, 7"): the one parser (`figures seeds=`, `report
 * seeds=`, `reproduce --seeds`, a profile's seeds) and the one writer (titles, the report,
 * the command lines of a reproduction plan). A list is a set: any order, each seed once. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactivate/results.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Digits at *p as a seed: 1 and *v, 0 when there are none, -1 when larger than INT_MAX. */
static int number(const char **p, long *v) {
  if (!is_digit(**p)) return 0;
  long x = 0;
  for (; is_digit(**p); (*p)++) {
    x = 10 * x + (**p - '0');
    if (x > INT_MAX) return -1;
  }
  *v = x;
  return 1;
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int rx_seed_list_parse(const char *text, int *seeds, int max, int *n, int *all, rx_error *err) {
  if (all) *all = 0;
  if (!text) text = "";
  const char *expect = all ? "expected all, a seed (3), a range (0-4) or a comma-separated list "
                             "of those (0-2,5)"
                           : "expected a seed (3), a range (0-4) or a comma-separated list of "
                             "those (0-2,5)";
  if (all && !strcmp(text, "all")) {
    *all = 1;
    *n = 0;
    return 0;
  }
  const int cap = max < RX_SEED_LIST_MAX ? max : RX_SEED_LIST_MAX;
  int got[RX_SEED_LIST_MAX], k = 0;
  const char *p = skip_space(text);
  if (!*p) return rx_fail(err, RX_EINVAL, "seeds '%s': no seeds (%s)", text, expect);
  for (;;) {
    long a, b;
    int rc = number(&p, &a);
    if (rc == 0 && (*p == ',' || !*p))
      return rx_fail(err, RX_EINVAL, "seeds '%s': an empty item (%s)", text, expect);
    if (rc == 0) return rx_fail(err, RX_EINVAL, "seeds '%s': %s", text, expect);
    if (rc < 0) return rx_fail(err, RX_EINVAL, "seeds '%s': a seed above %d", text, INT_MAX);
    b = a;
    if (*p == '-') {
      p++;
      rc = number(&p, &b);
      if (rc == 0) return rx_fail(err, RX_EINVAL, "seeds '%s': %s", text, expect);
      if (rc < 0) return rx_fail(err, RX_EINVAL, "seeds '%s': a seed above %d", text, INT_MAX);
      if (b < a)
        return rx_fail(err, RX_EINVAL, "seeds '%s': the range %ld-%ld goes down (write %ld-%ld)",
                       text, a, b, b, a);
    }
    if (b - a >= cap - k)
      return rx_fail(err, RX_EINVAL, "seeds '%s': more than %d seeds", text, cap);
    for (long s = a; s <= b; s++)
      got[k++] = (int)s;
    p = skip_space(p);
    if (!*p) break;
    if (*p != ',') return rx_fail(err, RX_EINVAL, "seeds '%s': %s", text, expect);
    p = skip_space(p + 1);
  }
  qsort(got, (size_t)k, sizeof got[0], cmp_int);
  for (int i = 1; i < k; i++)
    if (got[i] == got[i - 1])
      return rx_fail(err, RX_EINVAL, "seeds '%s': seed %d is listed twice", text, got[i]);
  memcpy(seeds, got, (size_t)k * sizeof got[0]);
  *n = k;
  return 0;
}

int rx_seed_list_format(const int *seeds, int n, const char *sep, char *buf, size_t size) {
  if (!size) return RX_EINVAL;
  size_t k = 0;
  buf[0] = '\0';
  for (int i = 0; i < n; i++) {
    int j = i;
    while (j + 1 < n && seeds[j + 1] == seeds[j] + 1)
      j++;
    if (j <= i + 1) j = i; /* two in a row are listed, not a range */
    int w = j > i ? snprintf(buf + k, size - k, "%s%d-%d", i ? sep : "", seeds[i], seeds[j])
                  : snprintf(buf + k, size - k, "%s%d", i ? sep : "", seeds[i]);
    if (w < 0 || (size_t)w >= size - k) return RX_EINVAL;
    k += (size_t)w;
    i = j;
  }
  return 0;
}
