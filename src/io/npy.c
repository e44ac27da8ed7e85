/* .npy format: header dict, dtype and shape checks, UTF-8 <-> UTF-32LE strings, and the .npy
 * file read/write. Headers are written byte for byte as numpy 1.24's np.save writes them; the
 * ZIP container for .npz lives in zip.c and npz.c. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_internal.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_ALIGN 64

size_t rx_dtype_size(rx_dtype dtype) {
  switch (dtype) {
  case RX_F32:
    return 4;
  case RX_F64:
    return 8;
  case RX_I32:
    return 4;
  case RX_I64:
    return 8;
  case RX_U8:
    return 1;
  case RX_STR:
    return 4;
  }
  return 0;
}

const char *rx_dtype_name(rx_dtype d) {
  switch (d) {
  case RX_F32:
    return "float32";
  case RX_F64:
    return "float64";
  case RX_I32:
    return "int32";
  case RX_I64:
    return "int64";
  case RX_U8:
    return "uint8";
  case RX_STR:
    return "str";
  }
  return "unknown";
}

static void set_name(rx_array *a, const char *name) {
  snprintf(a->name, sizeof a->name, "%s", name ? name : "");
}

rx_array rx_array_f32(const char *name, const float *data, int ndim, const int64_t *shape) {
  rx_array a;
  memset(&a, 0, sizeof a);
  set_name(&a, name);
  a.dtype = RX_F32;
  a.ndim = ndim; /* out-of-range ndim is kept so that the writer refuses it */
  a.data = (void *)data;
  size_t size = 1;
  for (int i = 0; i < ndim && i < RX_MAX_DIMS; i++) {
    a.shape[i] = shape[i];
    size *= shape[i] > 0 ? (size_t)shape[i] : 0; /* checked against the shape when written */
  }
  a.size = size;
  return a;
}

rx_array rx_array_str(const char *name, const char *text) {
  rx_array a;
  memset(&a, 0, sizeof a);
  set_name(&a, name);
  a.dtype = RX_STR;
  a.ndim = 0;
  a.data = (void *)text;
  a.size = text ? strlen(text) : 0;
  return a;
}

rx_array rx_array_i64_scalar(const char *name, const int64_t *value) {
  rx_array a;
  memset(&a, 0, sizeof a);
  set_name(&a, name);
  a.dtype = RX_I64;
  a.ndim = 0;
  a.data = (void *)value;
  a.size = 1;
  return a;
}

void rx_array_free(rx_array *a) {
  if (!a) return;
  free(a->data);
  a->data = NULL;
  a->size = 0;
}

const char *rx_dtype_descr(rx_dtype d) {
  switch (d) {
  case RX_F32:
    return "<f4";
  case RX_F64:
    return "<f8";
  case RX_I32:
    return "<i4";
  case RX_I64:
    return "<i8";
  case RX_U8:
    return "|u1";
  case RX_STR:
    return "<U";
  }
  return NULL;
}

/* Number of elements for a shape, refusing negative entries and any product (of the non-zero
 * entries, as numpy does) beyond what elem_bytes-sized elements can address. */
static int shape_elems(int ndim, const int64_t *shape, size_t elem_bytes, uint64_t *elems, int code,
                       rx_error *err) {
  uint64_t max_bytes = SIZE_MAX < (uint64_t)INT64_MAX ? SIZE_MAX : (uint64_t)INT64_MAX;
  uint64_t prod = 1, limit = max_bytes / elem_bytes;
  int zero = 0;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) return rx_fail(err, code, "negative size %lld in shape", (long long)shape[i]);
    if (shape[i] == 0) {
      zero = 1;
      continue;
    }
    if ((uint64_t)shape[i] > limit / prod)
      return rx_fail(err, code, "shape is too large (%d dims, %lld at dim %d overflows)", ndim,
                     (long long)shape[i], i);
    prod *= (uint64_t)shape[i];
  }
  *elems = zero ? 0 : prod;
  return 0;
}

static void format_shape(char *buf, size_t cap, int ndim, const int64_t *shape) {
  size_t len = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < ndim && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, i ? ", %lld" : "%lld", (long long)shape[i]);
  if (len < cap) snprintf(buf + len, cap - len, ndim == 1 ? ",)" : ")");
}

/* ---- UTF-8 <-> UTF-32 ---- */

/* Decodes one UTF-8 code point at s[*i] (n bytes total); -1 if invalid (overlong, surrogate,
 * beyond U+10FFFF, truncated). */
static long utf8_next(const unsigned char *s, size_t n, size_t *i) {
  unsigned c = s[*i];
  int len = c < 0x80             ? 1
            : (c & 0xE0) == 0xC0 ? 2
            : (c & 0xF0) == 0xE0 ? 3
            : (c & 0xF8) == 0xF0 ? 4
                                 : 0;
  if (!len || *i + (size_t)len > n) return -1;
  unsigned long cp = len == 1 ? c : c & (0x7Fu >> len);
  for (int k = 1; k < len; k++) {
    unsigned cc = s[*i + (size_t)k];
    if ((cc & 0xC0) != 0x80) return -1;
    cp = cp << 6 | (cc & 0x3F);
  }
  static const unsigned long min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += (size_t)len;
  return (long)cp;
}

static size_t utf8_put(unsigned long cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- writing ---- */

int rxio_npy_blob_make(const rx_array *a, rxio_npy_blob *b, rx_error *err) {
  memset(b, 0, sizeof *b);
  const char *descr = rx_dtype_descr(a->dtype);
  if (!descr) return rx_fail(err, RX_EINVAL, "unknown dtype %d", (int)a->dtype);
  if (a->ndim < 0 || a->ndim > RX_MAX_DIMS)
    return rx_fail(err, RX_EINVAL, "ndim %d is outside 0..%d", a->ndim, RX_MAX_DIMS);
  char dtype_buf[32];
  size_t n_cp = 0;
  if (a->dtype == RX_STR) {
    if (a->ndim != 0)
      return rx_fail(err, RX_EINVAL, "string arrays must be 0-d, not %d-d", a->ndim);
    if (a->size && !a->data)
      return rx_fail(err, RX_EINVAL, "string of %zu bytes has no data", a->size);
    const unsigned char *s = a->data;
    for (size_t i = 0; i < a->size; n_cp++) {
      size_t at = i;
      long cp = utf8_next(s, a->size, &i);
      if (cp <= 0)
        return rx_fail(err, RX_EINVAL, "string has %s at byte %zu", cp ? "invalid UTF-8" : "a NUL",
                       at);
    }
    /* numpy stores '' as '<U1' holding one NUL; so do we. */
    size_t slots = n_cp ? n_cp : 1;
    if (slots > SIZE_MAX / 4) return rx_fail(err, RX_EINVAL, "string is too long");
    b->owned = calloc(slots, 4);
    if (!b->owned)
      return rx_fail(err, RX_ENOMEM, "out of memory for a %zu-character string", slots);
    for (size_t i = 0, k = 0; i < a->size; k++) {
      uint32_t cp = (uint32_t)utf8_next(s, a->size, &i);
      for (int byte = 0; byte < 4; byte++)
        b->owned[4 * k + (size_t)byte] = (unsigned char)(cp >> (8 * byte));
    }
    b->data = b->owned;
    b->data_len = slots * 4;
    snprintf(dtype_buf, sizeof dtype_buf, "<U%zu", slots);
    descr = dtype_buf;
  } else {
    uint64_t elems = 0;
    int rc = shape_elems(a->ndim, a->shape, rx_dtype_size(a->dtype), &elems, RX_EINVAL, err);
    if (rc) return rc;
    if (elems != a->size)
      return rx_fail(err, RX_EINVAL, "size %zu does not match the shape's %llu elements", a->size,
                     (unsigned long long)elems);
    b->data = a->data;
    b->data_len = (size_t)elems * rx_dtype_size(a->dtype);
    if (b->data_len && !b->data)
      return rx_fail(err, RX_EINVAL, "array of %zu bytes has no data", b->data_len);
  }

  char shape[RX_MAX_DIMS * 24 + 8], dict[512];
  format_shape(shape, sizeof shape, a->ndim, a->shape);
  int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     descr, shape);
  /* numpy leaves room for the first axis to grow to 21 digits, then pads to a multiple of 64. */
  size_t dict_len = (size_t)len;
  if (a->ndim > 0) {
    char first[24];
    size_t digits = (size_t)snprintf(first, sizeof first, "%lld", (long long)a->shape[0]);
    dict_len += digits < 21 ? 21 - digits : 0;
  }
  size_t prefix = 10, body = dict_len + 1;
  size_t pad = NPY_ALIGN - (prefix + body) % NPY_ALIGN;
  if (body + pad > 65535) { /* version 2.0: 4-byte header length (not reachable with 8 dims) */
    prefix = 12;
    pad = NPY_ALIGN - (prefix + body) % NPY_ALIGN;
  }
  b->header_len = prefix + body + pad;
  b->header = malloc(b->header_len);
  if (!b->header) {
    rxio_npy_blob_free(b);
    return rx_fail(err, RX_ENOMEM, "out of memory");
  }
  unsigned char *h = b->header;
  size_t hl = body + pad;
  memcpy(h, NPY_MAGIC, 6);
  h[6] = prefix == 10 ? 1 : 2;
  h[7] = 0;
  for (size_t k = 0; k < prefix - 8; k++)
    h[8 + k] = (unsigned char)(hl >> (8 * k));
  memset(h + prefix, ' ', b->header_len - prefix);
  memcpy(h + prefix, dict, (size_t)len);
  h[b->header_len - 1] = '\n';
  return 0;
}

void rxio_npy_blob_free(rxio_npy_blob *b) {
  free(b->header);
  free(b->owned);
  memset(b, 0, sizeof *b);
}

int rx_npy_write(const char *path, const rx_array *a, rx_error *err) {
  rxio_npy_blob b;
  int rc = rxio_npy_blob_make(a, &b, err);
  if (rc) return rx_error_prefix(err, rc, "cannot write %s", path);
  rx_atomic_file af;
  rc = rx_atomic_open(&af, path, err);
  if (rc) {
    rxio_npy_blob_free(&b);
    return rc;
  }
  if (fwrite(b.header, 1, b.header_len, af.f) != b.header_len ||
      (b.data_len && fwrite(b.data, 1, b.data_len, af.f) != b.data_len)) {
    int e = errno;
    rx_atomic_abort(&af);
    rxio_npy_blob_free(&b);
    return rx_fail(err, RX_EIO, "cannot write %s: write failed: %s", path, strerror(e));
  }
  rxio_npy_blob_free(&b);
  return rx_atomic_commit(&af, err);
}

/* ---- reading: the header is a Python dict literal, parsed strictly ---- */

typedef struct cursor {
  const char *s;
  size_t n, i;
} cursor;

static void skip_ws(cursor *c) {
  while (c->i < c->n &&
         (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
    c->i++;
}

static int accept_ch(cursor *c, char ch) {
  skip_ws(c);
  if (c->i < c->n && c->s[c->i] == ch) {
    c->i++;
    return 1;
  }
  return 0;
}

/* A quoted string without escapes, at most cap-1 bytes. */
static int parse_str(cursor *c, char *out, size_t cap) {
  skip_ws(c);
  if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"')) return -1;
  char q = c->s[c->i++];
  size_t len = 0;
  while (c->i < c->n && c->s[c->i] != q) {
    if (c->s[c->i] == '\\' || len + 1 >= cap) return -1;
    out[len++] = c->s[c->i++];
  }
  if (c->i >= c->n) return -1;
  c->i++;
  out[len] = '\0';
  return 0;
}

static int parse_word(cursor *c, const char *w) {
  skip_ws(c);
  size_t len = strlen(w);
  if (c->n - c->i < len || memcmp(c->s + c->i, w, len) != 0) return 0;
  c->i += len;
  return 1;
}

/* Non-negative decimal integer (a trailing 'L' from Python 2 headers is accepted). */
static int parse_dim(cursor *c, int64_t *v, rx_error *err) {
  skip_ws(c);
  if (c->i < c->n && c->s[c->i] == '-') return rx_fail(err, RX_EFORMAT, "negative size in shape");
  if (c->i >= c->n || c->s[c->i] < '0' || c->s[c->i] > '9')
    return rx_fail(err, RX_EFORMAT, "malformed header: shape entry is not an integer");
  int64_t x = 0;
  while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
    int d = c->s[c->i++] - '0';
    if (x > (INT64_MAX - d) / 10) return rx_fail(err, RX_EFORMAT, "shape entry overflows 64 bits");
    x = x * 10 + d;
  }
  if (c->i < c->n && c->s[c->i] == 'L') c->i++;
  *v = x;
  return 0;
}

static int parse_shape(cursor *c, int *ndim, int64_t *shape, rx_error *err) {
  if (!accept_ch(c, '('))
    return rx_fail(err, RX_EFORMAT, "malformed header: 'shape' is not a tuple");
  *ndim = 0;
  if (accept_ch(c, ')')) return 0;
  for (;;) {
    if (*ndim == RX_MAX_DIMS)
      return rx_fail(err, RX_EFORMAT, "more than %d dimensions", RX_MAX_DIMS);
    int rc = parse_dim(c, &shape[(*ndim)++], err);
    if (rc) return rc;
    if (accept_ch(c, ')')) break;
    if (!accept_ch(c, ',')) return rx_fail(err, RX_EFORMAT, "malformed header: bad 'shape' tuple");
    if (accept_ch(c, ')')) return 0;
  }
  /* "(3)" is an int in Python, not a tuple. */
  if (*ndim == 1) return rx_fail(err, RX_EFORMAT, "malformed header: 'shape' is not a tuple");
  return 0;
}

static int parse_descr(const char *descr, rx_dtype *dtype, size_t *str_len, rx_error *err) {
  static const struct {
    const char *descr;
    rx_dtype dtype;
  } known[] = {{"<f4", RX_F32}, {"<f8", RX_F64}, {"<i4", RX_I32},
               {"<i8", RX_I64}, {"|u1", RX_U8},  {"<u1", RX_U8}};
  for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
    if (strcmp(descr, known[k].descr) == 0) {
      *dtype = known[k].dtype;
      return 0;
    }
  if (descr[0] == '<' && descr[1] == 'U' && descr[2] >= '0' && descr[2] <= '9') {
    size_t n = 0;
    const char *p = descr + 2;
    for (; *p >= '0' && *p <= '9'; p++) {
      if (n > (SIZE_MAX / 4 - 9) / 10)
        return rx_fail(err, RX_EFORMAT, "dtype '%s' is too long", descr);
      n = n * 10 + (size_t)(*p - '0');
    }
    if (!*p) {
      *dtype = RX_STR;
      *str_len = n;
      return 0;
    }
  }
  if (descr[0] == '>')
    return rx_fail(err, RX_EFORMAT, "big-endian dtype '%s' is not supported", descr);
  return rx_fail(err, RX_EFORMAT, "unsupported dtype '%s'", descr);
}

/* Parses the dict {'descr': ..., 'fortran_order': ..., 'shape': ...} (each key exactly once). */
static int parse_header(const char *s, size_t n, rx_array *out, size_t *str_len, rx_error *err) {
  cursor c = {s, n, 0};
  int seen[3] = {0, 0, 0};
  char key[32], descr[64];
  if (!accept_ch(&c, '{')) return rx_fail(err, RX_EFORMAT, "malformed header: not a dict");
  while (!accept_ch(&c, '}')) {
    if (parse_str(&c, key, sizeof key) != 0)
      return rx_fail(err, RX_EFORMAT, "malformed header: bad key");
    if (!accept_ch(&c, ':'))
      return rx_fail(err, RX_EFORMAT, "malformed header: no ':' after '%s'", key);
    int k = strcmp(key, "descr") == 0           ? 0
            : strcmp(key, "fortran_order") == 0 ? 1
            : strcmp(key, "shape") == 0         ? 2
                                                : -1;
    if (k < 0) return rx_fail(err, RX_EFORMAT, "malformed header: unexpected key '%s'", key);
    if (seen[k]++) return rx_fail(err, RX_EFORMAT, "malformed header: duplicate key '%s'", key);
    if (k == 0) {
      if (parse_str(&c, descr, sizeof descr) != 0)
        return rx_fail(err, RX_EFORMAT, "unsupported dtype: 'descr' is not a simple type string");
      int rc = parse_descr(descr, &out->dtype, str_len, err);
      if (rc) return rc;
    } else if (k == 1) {
      if (parse_word(&c, "True"))
        return rx_fail(err, RX_EFORMAT, "fortran_order arrays are not supported");
      if (!parse_word(&c, "False"))
        return rx_fail(err, RX_EFORMAT, "malformed header: bad 'fortran_order'");
    } else {
      int rc = parse_shape(&c, &out->ndim, out->shape, err);
      if (rc) return rc;
    }
    if (accept_ch(&c, '}')) break;
    if (!accept_ch(&c, ','))
      return rx_fail(err, RX_EFORMAT, "malformed header: expected ',' or '}'");
  }
  skip_ws(&c);
  if (c.i != c.n) return rx_fail(err, RX_EFORMAT, "malformed header: text after the dict");
  static const char *names[3] = {"descr", "fortran_order", "shape"};
  for (int k = 0; k < 3; k++)
    if (!seen[k]) return rx_fail(err, RX_EFORMAT, "malformed header: missing key '%s'", names[k]);
  return 0;
}

int rxio_npy_decode(const unsigned char *buf, size_t n, rx_array *out, rx_error *err) {
  out->data = NULL;
  out->size = 0;
  out->ndim = 0;
  if (n < 10)
    return rx_fail(err, RX_EFORMAT, "truncated: %zu bytes, a .npy header needs at least 10", n);
  if (memcmp(buf, NPY_MAGIC, 6) != 0)
    return rx_fail(err, RX_EFORMAT, "bad magic (not a .npy file)");
  int major = buf[6], minor = buf[7];
  size_t off, hlen;
  if (major == 1 && minor == 0) {
    off = 10;
    hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
  } else if ((major == 2 || major == 3) && minor == 0) {
    if (n < 12)
      return rx_fail(err, RX_EFORMAT, "truncated: %zu bytes, a v%d .npy header needs at least 12",
                     n, major);
    off = 12;
    hlen = le32(buf + 8);
  } else {
    return rx_fail(err, RX_EFORMAT, "unsupported .npy version %d.%d", major, minor);
  }
  if (hlen > n - off)
    return rx_fail(err, RX_EFORMAT, "truncated: header needs %zu bytes, file has %zu", off + hlen,
                   n);
  size_t str_len = 0;
  int rc = parse_header((const char *)buf + off, hlen, out, &str_len, err);
  if (rc) {
    out->ndim = 0;
    return rc;
  }
  size_t have = n - off - hlen;
  uint64_t elems = 0;
  size_t isz = out->dtype == RX_STR ? 4 : rx_dtype_size(out->dtype);
  if (out->dtype == RX_STR) {
    if (out->ndim != 0) {
      char shape[RX_MAX_DIMS * 24 + 8];
      format_shape(shape, sizeof shape, out->ndim, out->shape);
      out->ndim = 0;
      return rx_fail(err, RX_EFORMAT, "string arrays of shape %s are not supported (only 0-d)",
                     shape);
    }
    elems = str_len;
  } else {
    rc = shape_elems(out->ndim, out->shape, isz, &elems, RX_EFORMAT, err);
    if (rc) return rc;
  }
  uint64_t need = elems * isz; /* cannot overflow: shape_elems / parse_descr bounded it */
  if (need != have)
    return rx_fail(err, RX_EFORMAT, "%s: data needs %llu bytes, file has %zu",
                   need > have ? "truncated" : "trailing bytes", (unsigned long long)need, have);
  const unsigned char *src = buf + off + hlen;
  if (out->dtype == RX_STR) {
    char *text = malloc(str_len * 4 + 1); /* at most 4 UTF-8 bytes per code point */
    if (!text) return rx_fail(err, RX_ENOMEM, "out of memory for a %zu-character string", str_len);
    size_t len = 0;
    for (size_t k = 0; k < str_len; k++) {
      uint32_t cp = le32(src + 4 * k);
      if (cp == 0) break; /* numpy pads with NULs */
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        free(text);
        return rx_fail(err, RX_EFORMAT, "string holds invalid code point 0x%lx", (unsigned long)cp);
      }
      len += utf8_put(cp, text + len);
    }
    text[len] = '\0';
    out->data = text;
    out->size = len;
    return 0;
  }
  out->data = malloc(need ? (size_t)need : 1);
  if (!out->data)
    return rx_fail(err, RX_ENOMEM, "out of memory for %llu bytes", (unsigned long long)need);
  memcpy(out->data, src, (size_t)need);
  out->size = (size_t)elems;
  return 0;
}

int rx_npy_read(const char *path, rx_array *out, rx_error *err) {
  memset(out, 0, sizeof *out);
  char *buf;
  size_t n;
  int rc = rx_read_file(path, &buf, &n, RXIO_MAX_FILE_BYTES, err);
  if (rc) return rc;
  rc = rxio_npy_decode((const unsigned char *)buf, n, out, err);
  free(buf);
  if (rc) {
    memset(out, 0, sizeof *out);
    return rx_error_prefix(err, rc, "%s", path);
  }
  return 0;
}
