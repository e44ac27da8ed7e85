/* libFuzzer target: the .npy reader (rx_npy_read) on arbitrary bytes. An array it accepts must
 * be consistent (size = product of the shape, data present) and must survive rx_npy_write ->
 * rx_npy_read bit for bit; a refusal must be one line naming the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "reactivate/npz.h"

/* Elements the shape holds (the reader has already refused overflowing shapes). */
static uint64_t shape_size(const rx_array *a) {
  uint64_t n = 1;
  for (int i = 0; i < a->ndim; i++)
    n *= (uint64_t)a->shape[i];
  return n;
}

static void fuzz_check_array(const rx_array *a) {
  FUZZ_ASSERT(a->ndim >= 0 && a->ndim <= RX_MAX_DIMS, "ndim %d", a->ndim);
  FUZZ_ASSERT(a->data != NULL, "array '%s' without data", a->name);
  if (a->dtype == RX_STR) {
    FUZZ_ASSERT(a->ndim == 0, "string of %d dims", a->ndim);
    FUZZ_ASSERT(strlen(a->data) == a->size, "string size %zu, strlen %zu", a->size,
                strlen(a->data));
  } else {
    FUZZ_ASSERT(shape_size(a) == a->size, "size %zu for a shape of %llu elements", a->size,
                (unsigned long long)shape_size(a));
  }
}

/* Same dtype, shape and bytes. */

static int fuzz_same_array(const rx_array *a, const rx_array *b) {
  if (a->dtype != b->dtype || a->ndim != b->ndim || a->size != b->size) return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  size_t bytes = a->dtype == RX_STR ? a->size : a->size * rx_dtype_size(a->dtype);
  return bytes == 0 || memcmp(a->data, b->data, bytes) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write("fuzz.npy", data, size);
  rx_array a;
  rx_error err = {{0}};
  if (rx_npy_read(path, &a, &err) != 0) {
    fuzz_check_message(err.msg);
    FUZZ_ASSERT(strstr(err.msg, "fuzz.npy") != NULL, "message does not name the file: %s", err.msg);
    FUZZ_ASSERT(a.data == NULL, "data left behind on failure");
    return 0;
  }
  fuzz_check_array(&a);
  char again[1100];
  snprintf(again, sizeof again, "%s/again.npy", fuzz_dir());
  FUZZ_ASSERT(rx_npy_write(again, &a, &err) == 0, "cannot write back what was read: %s", err.msg);
  rx_array b;
  FUZZ_ASSERT(rx_npy_read(again, &b, &err) == 0, "cannot read back what was written: %s", err.msg);
  FUZZ_ASSERT(fuzz_same_array(&a, &b), "round trip changed the array");
  rx_array_free(&a);
  rx_array_free(&b);
  return 0;
}
