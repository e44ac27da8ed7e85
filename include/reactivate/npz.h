/* NumPy .npy and .npz files (what numpy.load reads with allow_pickle=False): typed n-d arrays,
 * written atomically, read with every header, size and CRC checked so a corrupt, truncated or
 * wrong-dtype file is refused with one line naming the file and the fault. */
#ifndef RX_NPZ_H
#define RX_NPZ_H

#include <stddef.h>
#include <stdint.h>

#include "reactivate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rx_dtype {
  RX_F32 = 0, /* '<f4' */
  RX_F64 = 1, /* '<f8' */
  RX_I32 = 2, /* '<i4' */
  RX_I64 = 3, /* '<i8' */
  RX_U8 = 4,  /* '|u1' */
  RX_STR = 5  /* '<U{n}': a 0-d UTF-32LE string; data holds UTF-8 text, NUL-terminated */
} rx_dtype;

#define RX_MAX_DIMS 8

typedef struct rx_array {
  char name[128]; /* key inside an .npz (without ".npy") */
  rx_dtype dtype;
  int ndim;
  int64_t shape[RX_MAX_DIMS];
  void *data;  /* row-major (C order); owned by the array when read, borrowed when written */
  size_t size; /* number of elements (RX_STR: bytes of UTF-8 text, without the NUL) */
} rx_array;

/* Convenience constructors for writing: borrow data, no copy. */
rx_array rx_array_f32(const char *name, const float *data, int ndim, const int64_t *shape);
rx_array rx_array_str(const char *name, const char *text);
rx_array rx_array_i64_scalar(const char *name, const int64_t *value);
size_t rx_dtype_size(rx_dtype dtype);       /* bytes per element (RX_STR: 4 per code point) */
const char *rx_dtype_name(rx_dtype dtype);  /* numpy's name: "float32", "int32", ... */
const char *rx_dtype_descr(rx_dtype dtype); /* numpy's descr: "<f4", "<i4", ... ("<U": str) */
void rx_array_free(rx_array *a);            /* frees data read by rx_npy_read / rx_npz_read */

/* Values of an array read from a user's file; `what` names the array in messages (e.g.
 * "--inputs X.npy").
 * RX_OK when every value is finite (integer arrays always are); otherwise RX_ENUMERIC naming the
 * first NaN or Inf in C order by its index, "what: NaN at [3, 17, 0]; values must be finite". */
int rx_array_check_finite(const rx_array *a, const char *what, rx_error *err);
/* Makes a read array float32: float32 stays as it is; float64 is rounded to float32 in place
 * (to nearest, as numpy's astype) when every value is finite and within float32's range, so
 * nothing is lost but precision beyond float32's; any other dtype is refused, naming it:
 * "what: dtype int32 (<i4), expected float32 (<f4) or float64 (<f8)". RX_OK, RX_ENUMERIC
 * (a non-finite or out-of-range value, named by its index; the array is unchanged), RX_EFORMAT
 * (the dtype) or RX_ENOMEM. */
int rx_array_to_f32(rx_array *a, const char *what, rx_error *err);

/* .npy: one array. Written to path.tmp, flushed, renamed. */
int rx_npy_write(const char *path, const rx_array *a, rx_error *err);
int rx_npy_read(const char *path, rx_array *out, rx_error *err);

/* .npz: a zip of .npy members (stored, as numpy.savez writes; deflated members, as
 * numpy.savez_compressed writes, are read too). */
int rx_npz_write(const char *path, const rx_array *arrays, int n, rx_error *err);

typedef struct rx_npz {
  int n;
  rx_array *arrays;
} rx_npz;
int rx_npz_read(const char *path, rx_npz *out, rx_error *err);
const rx_array *rx_npz_get(const rx_npz *npz, const char *name); /* NULL if absent */
/* Finds name and checks dtype and shape (shape entries < 0 match any size); fails with a
 * message naming the file (path) and the array. */
int rx_npz_expect(const rx_npz *npz, const char *path, const char *name, rx_dtype dtype, int ndim,
                  const int64_t *shape, const rx_array **out, rx_error *err);
void rx_npz_free(rx_npz *npz);

#ifdef __cplusplus
}
#endif
#endif
