/* .npz: named arrays as "<name>.npy" members of a ZIP archive (zip.c), each member a .npy
 * (npy.c). Checks member names (non-empty, ".npy", no duplicates) and expected dtypes/shapes;
 * every message starts with the file's path. */
#include <stdlib.h>
#include <string.h>

#include "io/io_internal.h"
#include "reactivate/fileio.h"
#include "reactivate/npz.h"

/* A name that appears twice among names[0..n), or NULL (sorts a copy of the pointers). */
static int cmp_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *find_duplicate(const char **names, int n) {
  if (n < 2) return NULL;
  const char **sorted = malloc((size_t)n * sizeof *sorted);
  if (!sorted) { /* fall back to the quadratic check */
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++)
        if (strcmp(names[i], names[j]) == 0) return names[i];
    return NULL;
  }
  memcpy(sorted, names, (size_t)n * sizeof *sorted);
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_name);
  const char *dup = NULL;
  for (int i = 1; i < n && !dup; i++)
    if (strcmp(sorted[i - 1], sorted[i]) == 0) dup = sorted[i];
  free(sorted);
  return dup;
}

/* An array name is usable as a member name: non-empty, NUL-terminated in name[], printable. */
static int check_name(const char *name, size_t cap) {
  size_t len = strnlen(name, cap);
  if (len == 0 || len == cap) return 0;
  for (size_t k = 0; k < len; k++)
    if ((unsigned char)name[k] < 0x20 || name[k] == 0x7f) return 0;
  return 1;
}

int rx_npz_write(const char *path, const rx_array *arrays, int n, rx_error *err) {
  if (n < 0 || (n > 0 && !arrays))
    return rx_fail(err, RX_EINVAL, "cannot write %s: bad array list (n = %d)", path, n);
  if (n > RXIO_ZIP_MAX_MEMBERS)
    return rx_fail(err, RX_EINVAL, "cannot write %s: %d arrays, more than the %d allowed", path, n,
                   RXIO_ZIP_MAX_MEMBERS);
  int cap = n ? n : 1;
  rxio_npy_blob *blobs = calloc((size_t)cap, sizeof *blobs);
  rxio_zip_member *members = calloc((size_t)cap, sizeof *members);
  char(*names)[sizeof arrays[0].name + 4] = calloc((size_t)cap, sizeof *names);
  const char **plain = calloc((size_t)cap, sizeof *plain);
  int rc = 0, made = 0;
  if (!blobs || !members || !names || !plain)
    rc = rx_fail(err, RX_ENOMEM, "cannot write %s: out of memory", path);
  for (int i = 0; i < n && !rc; i++) {
    const rx_array *a = &arrays[i];
    if (!check_name(a->name, sizeof a->name)) {
      rc = rx_fail(err, RX_EINVAL, "cannot write %s: array %d has an empty or unprintable name",
                   path, i);
      break;
    }
    rc = rxio_npy_blob_make(a, &blobs[i], err);
    if (rc) {
      rc = rx_error_prefix(err, rc, "cannot write %s: array '%s'", path, a->name);
      break;
    }
    made = i + 1;
    snprintf(names[i], sizeof names[i], "%s.npy", a->name);
    plain[i] = a->name;
    members[i].name = names[i];
    members[i].parts[0] = blobs[i].header;
    members[i].lens[0] = blobs[i].header_len;
    members[i].parts[1] = blobs[i].data;
    members[i].lens[1] = blobs[i].data_len;
  }
  const char *dup = rc ? NULL : find_duplicate(plain, n);
  if (dup) rc = rx_fail(err, RX_EINVAL, "cannot write %s: two arrays are named '%s'", path, dup);
  if (!rc) {
    rx_atomic_file af;
    rc = rx_atomic_open(&af, path, err);
    if (!rc) {
      rc = rxio_zip_write(af.f, members, n, err);
      if (rc) {
        rx_atomic_abort(&af);
        rc = rx_error_prefix(err, rc, "cannot write %s", path);
      } else {
        rc = rx_atomic_commit(&af, err);
      }
    }
  }
  for (int i = 0; i < made; i++)
    rxio_npy_blob_free(&blobs[i]);
  free(blobs);
  free(members);
  free(names);
  free(plain);
  return rc;
}

/* Turns zip entries into arrays: names must be "<name>.npy", unique, and fit rx_array.name. */
static int decode_members(const char *path, const rxio_zip_entry *es, int n, rx_npz *out,
                          rx_error *err) {
  out->arrays = calloc((size_t)(n ? n : 1), sizeof *out->arrays);
  const char **names = calloc((size_t)(n ? n : 1), sizeof *names);
  if (!out->arrays || !names) {
    free(names);
    return rx_fail(err, RX_ENOMEM, "%s: out of memory for %d arrays", path, n);
  }
  int rc = 0;
  for (int i = 0; i < n && !rc; i++) {
    rx_array *a = &out->arrays[i];
    const rxio_zip_entry *e = &es[i];
    size_t base = e->name_len >= 4 ? e->name_len - 4 : 0;
    if (e->name_len < 4 || memcmp(e->name + base, ".npy", 4) != 0 || base == 0 ||
        base >= sizeof a->name) {
      char shown[64];
      snprintf(shown, sizeof shown, "%.*s", (int)(e->name_len < 60 ? e->name_len : 60), e->name);
      for (char *c = shown; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
      rc = rx_fail(err, RX_EFORMAT,
                   "%s: member '%s%s' is not named '<name>.npy' (name of 1..%zu bytes)", path,
                   shown, e->name_len > 60 ? "..." : "", sizeof a->name - 1);
      break;
    }
    memcpy(a->name, e->name, base);
    a->name[base] = '\0';
    if (!check_name(a->name, sizeof a->name)) {
      rc = rx_fail(err, RX_EFORMAT, "%s: member %d has an unprintable name", path, i + 1);
      break;
    }
    names[i] = a->name;
    out->n = i + 1;
    rc = rxio_npy_decode(e->data, e->size, a, err);
    if (rc) rc = rx_error_prefix(err, rc, "%s: member '%s.npy'", path, a->name);
  }
  const char *dup = rc ? NULL : find_duplicate(names, n);
  if (dup) rc = rx_fail(err, RX_EFORMAT, "%s: two members are named '%s.npy'", path, dup);
  free(names);
  return rc;
}

int rx_npz_read(const char *path, rx_npz *out, rx_error *err) {
  out->n = 0;
  out->arrays = NULL;
  char *buf;
  size_t n;
  int rc = rx_read_file(path, &buf, &n, RXIO_MAX_FILE_BYTES, err);
  if (rc) return rc;
  rxio_zip_entry *es;
  int count;
  rc = rxio_zip_read((const unsigned char *)buf, n, &es, &count, err);
  if (rc) {
    free(buf);
    return rx_error_prefix(err, rc, "%s", path);
  }
  rc = decode_members(path, es, count, out, err);
  rxio_zip_entries_free(es, count);
  free(buf);
  if (rc) rx_npz_free(out);
  return rc;
}

const rx_array *rx_npz_get(const rx_npz *npz, const char *name) {
  if (!npz || !name) return NULL;
  for (int i = 0; i < npz->n; i++)
    if (strcmp(npz->arrays[i].name, name) == 0) return &npz->arrays[i];
  return NULL;
}

/* "(3, *, 5)": '*' for a wildcard entry. */
static void shape_text(char *buf, size_t cap, int ndim, const int64_t *shape) {
  size_t len = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < ndim && len < cap; i++) {
    if (shape && shape[i] < 0)
      len += (size_t)snprintf(buf + len, cap - len, i ? ", *" : "*");
    else
      len += (size_t)snprintf(buf + len, cap - len, i ? ", %lld" : "%lld",
                              shape ? (long long)shape[i] : -1LL);
  }
  if (len < cap) snprintf(buf + len, cap - len, ndim == 1 ? ",)" : ")");
}

int rx_npz_expect(const rx_npz *npz, const char *path, const char *name, rx_dtype dtype, int ndim,
                  const int64_t *shape, const rx_array **out, rx_error *err) {
  if (out) *out = NULL;
  const rx_array *a = rx_npz_get(npz, name);
  if (!a) return rx_fail(err, RX_EFORMAT, "%s: array '%s' is missing", path, name);
  if (a->dtype != dtype)
    return rx_fail(err, RX_EFORMAT, "%s: array '%s' has dtype %s (%s), expected %s (%s)", path,
                   name, rx_dtype_name(a->dtype), rx_dtype_descr(a->dtype), rx_dtype_name(dtype),
                   rx_dtype_descr(dtype));
  int ok = a->ndim == ndim;
  for (int i = 0; ok && shape && i < ndim; i++)
    ok = shape[i] < 0 || shape[i] == a->shape[i];
  if (!ok) {
    char got[RX_MAX_DIMS * 24 + 8], want[RX_MAX_DIMS * 24 + 8];
    shape_text(got, sizeof got, a->ndim, a->shape);
    if (shape)
      shape_text(want, sizeof want, ndim, shape);
    else
      snprintf(want, sizeof want, "%d dimensions", ndim);
    return rx_fail(err, RX_EFORMAT, "%s: array '%s' has shape %s, expected %s", path, name, got,
                   want);
  }
  if (out) *out = a;
  return 0;
}

void rx_npz_free(rx_npz *npz) {
  if (!npz) return;
  for (int i = 0; i < npz->n; i++)
    rx_array_free(&npz->arrays[i]);
  free(npz->arrays);
  npz->arrays = NULL;
  npz->n = 0;
}
