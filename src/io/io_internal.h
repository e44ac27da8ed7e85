/* Internal interfaces between npy.c (array <-> .npy bytes), zip.c (ZIP container) and npz.c.
 * Messages filled here name the fault only; the public functions prefix the file path. */
#ifndef RX_IO_INTERNAL_H
#define RX_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reactivate/error.h"
#include "reactivate/npz.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "reactivate's .npy/.npz code writes the host's bytes as little-endian"
#endif

/* Largest file rx_npy_read / rx_npz_read will load into memory. */
#define RXIO_MAX_FILE_BYTES ((size_t)1 << 36)

/* One array serialised as .npy: header (owned) followed by data (borrowed from the array, or
 * owned for RX_STR, whose UTF-8 text becomes UTF-32LE). */
typedef struct rxio_npy_blob {
  unsigned char *header;
  size_t header_len;
  const unsigned char *data;
  size_t data_len;
  unsigned char *owned;
} rxio_npy_blob;

/* Checks a (dtype, ndim, shape against size, data present, valid UTF-8) and builds its blob. */
int rxio_npy_blob_make(const rx_array *a, rxio_npy_blob *b, rx_error *err);
void rxio_npy_blob_free(rxio_npy_blob *b);
/* Parses a whole .npy held in buf[0..n) into out (data copied, owned by out; name untouched). */
int rxio_npy_decode(const unsigned char *buf, size_t n, rx_array *out, rx_error *err);

/* One member to write: its bytes are parts[0] then parts[1]. */
typedef struct rxio_zip_member {
  const char *name;
  const unsigned char *parts[2];
  size_t lens[2];
} rxio_zip_member;
/* Writes a stored (method 0) ZIP archive to f; refuses sizes or offsets needing ZIP64. */
int rxio_zip_write(FILE *f, const rxio_zip_member *members, int n, rx_error *err);

/* One member read back: name points into the archive buffer (not NUL-terminated); data points
 * into the buffer for stored members or to owned (inflated) memory. CRC already verified. */
typedef struct rxio_zip_entry {
  const char *name;
  size_t name_len;
  const unsigned char *data;
  size_t size;
  unsigned char *owned;
} rxio_zip_entry;
#define RXIO_ZIP_MAX_MEMBERS 65535
int rxio_zip_read(const unsigned char *buf, size_t n, rxio_zip_entry **entries, int *count,
                  rx_error *err);
void rxio_zip_entries_free(rxio_zip_entry *entries, int count);

#endif
