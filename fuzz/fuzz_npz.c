/* libFuzzer target: the .npz reader (rx_npz_read: ZIP container, stored and deflated members,
 * each a .npy) and the checkpoint loader (rx_checkpoint_load) on the same arbitrary bytes.
 * Accepted archives must round-trip through rx_npz_write; refusals must be one line naming the
 * file; a checkpoint that loads must agree with its own config. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "reactivate/checkpoint.h"
#include "reactivate/npz.h"

static uint64_t shape_size(const rx_array *a) {
  uint64_t n = 1;
  for (int i = 0; i < a->ndim; i++)
    n *= (uint64_t)a->shape[i];
  return n;
}

static int same_array(const rx_array *a, const rx_array *b) {
  if (strcmp(a->name, b->name) || a->dtype != b->dtype || a->ndim != b->ndim || a->size != b->size)
    return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  size_t bytes = a->dtype == RX_STR ? a->size : a->size * rx_dtype_size(a->dtype);
  return bytes == 0 || memcmp(a->data, b->data, bytes) == 0;
}

static void check_npz(const char *path) {
  rx_npz z;
  rx_error err = {{0}};
  if (rx_npz_read(path, &z, &err) != 0) {
    fuzz_check_message(err.msg);
    FUZZ_ASSERT(strstr(err.msg, "fuzz.npz") != NULL, "message does not name the file: %s", err.msg);
    FUZZ_ASSERT(z.n == 0 && z.arrays == NULL, "arrays left behind on failure");
    return;
  }
  for (int i = 0; i < z.n; i++) {
    const rx_array *a = &z.arrays[i];
    FUZZ_ASSERT(a->data != NULL && a->ndim >= 0 && a->ndim <= RX_MAX_DIMS, "array %d", i);
    if (a->dtype != RX_STR)
      FUZZ_ASSERT(shape_size(a) == a->size, "'%s': size %zu, shape holds %llu", a->name, a->size,
                  (unsigned long long)shape_size(a));
    FUZZ_ASSERT(rx_npz_get(&z, a->name) != NULL, "'%s' not found by name", a->name);
  }
  char again[1100];
  snprintf(again, sizeof again, "%s/again.npz", fuzz_dir());
  FUZZ_ASSERT(rx_npz_write(again, z.arrays, z.n, &err) == 0, "cannot write back: %s", err.msg);
  rx_npz back;
  FUZZ_ASSERT(rx_npz_read(again, &back, &err) == 0, "cannot read back: %s", err.msg);
  FUZZ_ASSERT(back.n == z.n, "%d arrays became %d", z.n, back.n);
  for (int i = 0; i < z.n; i++)
    FUZZ_ASSERT(same_array(&z.arrays[i], &back.arrays[i]), "array '%s' changed", z.arrays[i].name);
  rx_npz_free(&back);
  rx_npz_free(&z);
}

static void check_checkpoint(const char *path) {
  rx_checkpoint ck;
  rx_error err = {{0}};
  if (rx_checkpoint_load(path, &ck, &err) != 0) {
    fuzz_check_message(err.msg);
    FUZZ_ASSERT(ck.rnn == NULL && ck.pop == NULL && ck.adam == NULL, "state left on failure");
    return;
  }
  FUZZ_ASSERT(ck.rnn && ck.pop && ck.step >= 0, "incomplete checkpoint");
  FUZZ_ASSERT(ck.rnn->spec.n_rec == ck.cfg.rnn.n_rec, "n_rec %d vs config %d", ck.rnn->spec.n_rec,
              ck.cfg.rnn.n_rec);
  rx_checkpoint_free(&ck);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write("fuzz.npz", data, size);
  char copy[1100];
  snprintf(copy, sizeof copy, "%s", path);
  check_npz(copy);
  check_checkpoint(copy);
  return 0;
}
