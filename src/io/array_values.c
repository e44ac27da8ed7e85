/* Checks on the values of an array read from a user's file, and the one conversion the loaders
 * allow (float64 to float32 when nothing but precision is lost). The bytes of .npy files are
 * npy.c's business; this file only looks at the values. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "reactivate/npz.h"

/* "[i0, i1, ...]": the C-order index of element `flat` of an array of a's shape. */
static void index_text(const rx_array *a, size_t flat, char *buf, size_t cap) {
  size_t idx[RX_MAX_DIMS] = {0};
  for (int d = a->ndim - 1; d >= 0; d--) {
    const size_t extent = a->shape[d] > 0 ? (size_t)a->shape[d] : 1;
    idx[d] = flat % extent;
    flat /= extent;
  }
  size_t len = (size_t)snprintf(buf, cap, "[");
  for (int d = 0; d < a->ndim && len < cap; d++)
    len += (size_t)snprintf(buf + len, cap - len, d ? ", %zu" : "%zu", idx[d]);
  if (len < cap) snprintf(buf + len, cap - len, "]");
}

static const char *special_name(double v) { return isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"; }

/* Index of the first non-finite value of a float array, or a->size when there is none. */
static size_t first_nonfinite(const rx_array *a) {
  if (a->dtype == RX_F32) {
    const float *x = a->data;
    for (size_t i = 0; i < a->size; i++)
      if (!isfinite(x[i])) return i;
  } else if (a->dtype == RX_F64) {
    const double *x = a->data;
    for (size_t i = 0; i < a->size; i++)
      if (!isfinite(x[i])) return i;
  }
  return a->size;
}

int rx_array_check_finite(const rx_array *a, const char *what, rx_error *err) {
  const size_t i = first_nonfinite(a);
  if (i == a->size) return RX_OK;
  const double v = a->dtype == RX_F32 ? ((const float *)a->data)[i] : ((const double *)a->data)[i];
  char at[RX_MAX_DIMS * 24 + 4];
  index_text(a, i, at, sizeof at);
  return rx_fail(err, RX_ENUMERIC, "%s: %s at %s; values must be finite", what, special_name(v),
                 at);
}

int rx_array_to_f32(rx_array *a, const char *what, rx_error *err) {
  if (a->dtype == RX_F32) return RX_OK;
  if (a->dtype != RX_F64)
    return rx_fail(err, RX_EFORMAT, "%s: dtype %s (%s), expected float32 (%s) or float64 (%s)",
                   what, rx_dtype_name(a->dtype), rx_dtype_descr(a->dtype), rx_dtype_descr(RX_F32),
                   rx_dtype_descr(RX_F64));
  int rc = rx_array_check_finite(a, what, err);
  if (rc) return rc;
  const double *x = a->data;
  for (size_t i = 0; i < a->size; i++)
    if (!isfinite((float)x[i])) {
      char at[RX_MAX_DIMS * 24 + 4];
      index_text(a, i, at, sizeof at);
      return rx_fail(err, RX_ENUMERIC,
                     "%s: float64 value %g at %s is beyond float32's range (|x| <= %g)", what, x[i],
                     at, (double)FLT_MAX);
    }
  float *f = malloc((a->size ? a->size : 1) * sizeof(float));
  if (!f)
    return rx_fail(err, RX_ENOMEM, "%s: out of memory converting %zu values to float32", what,
                   a->size);
  for (size_t i = 0; i < a->size; i++)
    f[i] = (float)x[i];
  free(a->data);
  a->data = f;
  a->dtype = RX_F32;
  return RX_OK;
}
