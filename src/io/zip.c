/* The ZIP container under .npz: a stored-only writer (local headers, central directory, end
 * record, zlib CRC-32) and a reader that trusts only the central directory, checks every size
 * and offset against the buffer, inflates deflated members and verifies CRCs. Array content is
 * npy.c's business, member names npz.c's. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/io_internal.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_END64_LOC 0x07064b50u
#define DOS_DATE_1980_01_01 0x0021u /* fixed timestamp: identical arrays give identical files */
#define MAX_DEFLATE_RATIO 1032u     /* deflate cannot expand a byte into more than ~1032 */

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v) {
  for (int k = 0; k < 4; k++)
    p[k] = (unsigned char)(v >> (8 * k));
}

static unsigned rd16(const unsigned char *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

static uint32_t rd32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p) {
  return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* A member name from the file, printable on one line (control bytes become '?'). */
static const char *safe_name(const char *s, size_t n, char *out, size_t cap) {
  size_t k = 0;
  for (; k < n && k + 4 < cap; k++)
    out[k] = (unsigned char)s[k] < 0x20 || s[k] == 0x7f ? '?' : s[k];
  if (k < n) memcpy(out + k, "...", 3), k += 3;
  out[k] = '\0';
  return out;
}

/* ---- writing ---- */

static int put_bytes(FILE *f, const void *p, size_t n, rx_error *err) {
  if (n && fwrite(p, 1, n, f) != n)
    return rx_fail(err, RX_EIO, "write failed: %s", strerror(errno));
  return 0;
}

static int name_is_utf8(const char *name) {
  for (const char *p = name; *p; p++)
    if ((unsigned char)*p >= 0x80) return 1;
  return 0;
}

int rxio_zip_write(FILE *f, const rxio_zip_member *m, int n, rx_error *err) {
  if (n < 0 || n > RXIO_ZIP_MAX_MEMBERS)
    return rx_fail(err, RX_EINVAL, "%d members; a ZIP archive without ZIP64 holds 0..%d", n,
                   RXIO_ZIP_MAX_MEMBERS);
  /* Lay out the archive first, so nothing is read or written if it cannot be stored. */
  uint64_t off = 0, cd_size = 0;
  for (int i = 0; i < n; i++) {
    size_t nl = strlen(m[i].name);
    if (nl == 0 || nl > 65535)
      return rx_fail(err, RX_EINVAL, "member name length %zu is outside 1..65535", nl);
    uint64_t size = (uint64_t)m[i].lens[0] + m[i].lens[1];
    if (size >= 0xFFFFFFFFu)
      return rx_fail(
          err, RX_EINVAL,
          "member '%s' is %llu bytes; members of 4 GiB or more need ZIP64, which is not supported",
          m[i].name, (unsigned long long)size);
    off += 30 + nl + size;
    cd_size += 46 + nl;
  }
  const uint64_t total = off + cd_size + 22; /* + the end-of-central-directory record */
  if (total > 0xFFFFFFFFu)
    return rx_fail(err, RX_EINVAL,
                   "archive would be %llu bytes; 4 GiB or more needs ZIP64, which is not supported",
                   (unsigned long long)total);

  uint32_t *crcs = malloc((size_t)(n ? n : 1) * sizeof *crcs);
  if (!crcs) return rx_fail(err, RX_ENOMEM, "out of memory");
  unsigned char h[46];
  int rc = 0;
  off = 0;
  for (int i = 0; i < n && !rc; i++) {
    uLong crc = crc32_z(0L, Z_NULL, 0);
    for (int p = 0; p < 2; p++)
      if (m[i].lens[p]) crc = crc32_z(crc, m[i].parts[p], m[i].lens[p]);
    crcs[i] = (uint32_t)crc;
    size_t nl = strlen(m[i].name);
    uint32_t size = (uint32_t)(m[i].lens[0] + m[i].lens[1]);
    put32(h, SIG_LOCAL);
    put16(h + 4, 20);                                     /* version needed: 2.0 */
    put16(h + 6, name_is_utf8(m[i].name) ? 1u << 11 : 0); /* bit 11: UTF-8 name */
    put16(h + 8, 0);                                      /* stored */
    put16(h + 10, 0);
    put16(h + 12, DOS_DATE_1980_01_01);
    put32(h + 14, crcs[i]);
    put32(h + 18, size);
    put32(h + 22, size);
    put16(h + 26, (unsigned)nl);
    put16(h + 28, 0);
    rc = put_bytes(f, h, 30, err);
    if (!rc) rc = put_bytes(f, m[i].name, nl, err);
    for (int p = 0; p < 2 && !rc; p++)
      rc = put_bytes(f, m[i].parts[p], m[i].lens[p], err);
  }
  uint64_t cd_off = 0;
  for (int i = 0; i < n; i++)
    cd_off += 30 + strlen(m[i].name) + m[i].lens[0] + m[i].lens[1];
  for (int i = 0; i < n && !rc; i++) {
    size_t nl = strlen(m[i].name);
    uint32_t size = (uint32_t)(m[i].lens[0] + m[i].lens[1]);
    put32(h, SIG_CENTRAL);
    put16(h + 4, 0x0314); /* made by: Unix, 2.0 */
    put16(h + 6, 20);
    put16(h + 8, name_is_utf8(m[i].name) ? 1u << 11 : 0);
    put16(h + 10, 0);
    put16(h + 12, 0);
    put16(h + 14, DOS_DATE_1980_01_01);
    put32(h + 16, crcs[i]);
    put32(h + 20, size);
    put32(h + 24, size);
    put16(h + 28, (unsigned)nl);
    put16(h + 30, 0);
    put16(h + 32, 0);
    put16(h + 34, 0);
    put16(h + 36, 0);
    put32(h + 38, 0100644u << 16); /* regular file, rw-r--r-- */
    put32(h + 42, (uint32_t)off);
    rc = put_bytes(f, h, 46, err);
    if (!rc) rc = put_bytes(f, m[i].name, nl, err);
    off += 30 + nl + size;
  }
  free(crcs);
  if (rc) return rc;
  put32(h, SIG_END);
  put16(h + 4, 0);
  put16(h + 6, 0);
  put16(h + 8, (unsigned)n);
  put16(h + 10, (unsigned)n);
  put32(h + 12, (uint32_t)cd_size);
  put32(h + 16, (uint32_t)cd_off);
  put16(h + 20, 0);
  return put_bytes(f, h, 22, err);
}

/* ---- reading ---- */

/* No end record: say whether this is a .npy, something else, or a ZIP cut short (and where). */
static int diagnose_no_end(const unsigned char *b, size_t n, rx_error *err) {
  char nm[160];
  if (n == 0) return rx_fail(err, RX_EFORMAT, "truncated: empty file");
  if (n >= 6 && memcmp(b, "\x93NUMPY", 6) == 0)
    return rx_fail(err, RX_EFORMAT, "bad magic: this is a .npy file, not an .npz (ZIP) archive");
  static const unsigned char pk[4] = {'P', 'K', 3, 4};
  if (memcmp(b, pk, n < 4 ? n : 4) != 0 && !(n >= 4 && rd32(b) == SIG_END))
    return rx_fail(err, RX_EFORMAT, "bad magic: not an .npz (ZIP) archive");
  size_t pos = 0;
  for (int i = 0; pos < n; i++) {
    if (n - pos < 30 || rd32(b + pos) != SIG_LOCAL) break;
    size_t nl = rd16(b + pos + 26), el = rd16(b + pos + 28);
    uint64_t comp = rd32(b + pos + 18);
    if (n - pos - 30 < nl)
      return rx_fail(err, RX_EFORMAT,
                     "truncated: inside the header of member %d (file has %zu bytes)", i + 1, n);
    const char *name = safe_name((const char *)b + pos + 30, nl, nm, sizeof nm);
    if (n - pos - 30 - nl < el)
      return rx_fail(err, RX_EFORMAT,
                     "truncated: inside the header of member '%s' (file has %zu bytes)", name, n);
    const unsigned char *ex = b + pos + 30 + nl;
    for (size_t e = 0; comp == 0xFFFFFFFFu && e + 4 <= el;) { /* ZIP64: sizes in the extra field */
      unsigned id = rd16(ex + e), len = rd16(ex + e + 2);
      if (id == 1 && len >= 16 && e + 4 + len <= el) comp = rd64(ex + e + 12);
      e += 4 + (size_t)len;
    }
    if ((rd16(b + pos + 6) & 8) && comp == 0) break; /* size only in a data descriptor */
    uint64_t end = (uint64_t)pos + 30 + nl + el + comp;
    if (end > n)
      return rx_fail(err, RX_EFORMAT, "truncated: member '%s' needs bytes up to %llu, file has %zu",
                     name, (unsigned long long)end, n);
    pos = (size_t)end;
  }
  if (pos < n &&
      (n - pos < 4 ? memcmp(b + pos, "PK\1\2", n - pos) == 0 : rd32(b + pos) == SIG_CENTRAL))
    return rx_fail(err, RX_EFORMAT, "truncated: central directory cut short (file has %zu bytes)",
                   n);
  return rx_fail(err, RX_EFORMAT,
                 "truncated or corrupt: no end-of-central-directory record (file has %zu bytes)",
                 n);
}

/* Finds the end record (which must end the file, comment included) and the central directory. */
static int find_central_dir(const unsigned char *b, size_t n, uint64_t *cd_off, uint64_t *cd_size,
                            uint64_t *count, uint64_t *cd_limit, rx_error *err) {
  size_t end = SIZE_MAX;
  if (n >= 22) {
    size_t lo = n - 22 > 65535 ? n - 22 - 65535 : 0;
    for (size_t p = n - 22 + 1; p-- > lo;)
      if (rd32(b + p) == SIG_END && p + 22 + rd16(b + p + 20) == n) {
        end = p;
        break;
      }
  }
  if (end == SIZE_MAX) return diagnose_no_end(b, n, err);
  const unsigned char *e = b + end;
  if (rd16(e + 4) != 0 || rd16(e + 6) != 0 || rd16(e + 8) != rd16(e + 10))
    return rx_fail(err, RX_EFORMAT, "multi-disk ZIP archives are not supported");
  *count = rd16(e + 10);
  *cd_size = rd32(e + 12);
  *cd_off = rd32(e + 16);
  *cd_limit = end;
  if (*count == 0xFFFF || *cd_size == 0xFFFFFFFFu || *cd_off == 0xFFFFFFFFu) {
    /* ZIP64: locator (20 bytes) just before the end record, pointing at the ZIP64 end record. */
    if (end < 20 || rd32(b + end - 20) != SIG_END64_LOC)
      return rx_fail(err, RX_EFORMAT, "corrupt: ZIP64 end-of-central-directory locator missing");
    uint64_t z = rd64(b + end - 12);
    if (z > end - 20 || end - 20 - z < 56 || rd32(b + z) != SIG_END64)
      return rx_fail(err, RX_EFORMAT, "corrupt: ZIP64 end-of-central-directory record missing");
    const unsigned char *r = b + z;
    if (rd32(r + 16) != 0 || rd32(r + 20) != 0 || rd64(r + 24) != rd64(r + 32))
      return rx_fail(err, RX_EFORMAT, "multi-disk ZIP archives are not supported");
    *count = rd64(r + 32);
    *cd_size = rd64(r + 40);
    *cd_off = rd64(r + 48);
    *cd_limit = z;
  }
  if (*cd_off > *cd_limit || *cd_size > *cd_limit - *cd_off)
    return rx_fail(err, RX_EFORMAT,
                   "corrupt: central directory (%llu bytes at %llu) lies outside the file",
                   (unsigned long long)*cd_size, (unsigned long long)*cd_off);
  if (*count > RXIO_ZIP_MAX_MEMBERS)
    return rx_fail(err, RX_EFORMAT, "%llu members, more than the %d allowed",
                   (unsigned long long)*count, RXIO_ZIP_MAX_MEMBERS);
  if (*count * 46 > *cd_size)
    return rx_fail(err, RX_EFORMAT,
                   "corrupt: central directory of %llu bytes cannot hold %llu members",
                   (unsigned long long)*cd_size, (unsigned long long)*count);
  return 0;
}

/* Inflates raw deflate data into exactly out_n bytes. */
static int inflate_exact(const unsigned char *in, size_t in_n, unsigned char *out, size_t out_n,
                         const char *name, rx_error *err) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
    return rx_fail(err, RX_ENOMEM, "cannot start inflating member '%s'", name);
  size_t in_left = in_n, out_left = out_n;
  int zr;
  for (;;) {
    if (zs.avail_in == 0 && in_left) {
      uInt take = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
      zs.next_in = (Bytef *)in, zs.avail_in = take;
      in += take, in_left -= take;
    }
    if (zs.avail_out == 0 && out_left) {
      uInt take = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
      zs.next_out = out, zs.avail_out = take;
      out += take, out_left -= take;
    }
    zr = inflate(&zs, Z_NO_FLUSH);
    if (zr == Z_STREAM_END) break;
    if (zr == Z_OK) continue;
    if (zr == Z_BUF_ERROR && ((zs.avail_in == 0 && in_left) || (zs.avail_out == 0 && out_left)))
      continue;
    break;
  }
  size_t produced = out_n - out_left - zs.avail_out;
  int full = zs.avail_out == 0 && out_left == 0;
  const char *why = zs.msg;
  inflateEnd(&zs);
  if (zr == Z_STREAM_END && produced == out_n) return 0;
  if (zr == Z_STREAM_END)
    return rx_fail(err, RX_EFORMAT, "member '%s' inflates to %zu bytes, the directory says %zu",
                   name, produced, out_n);
  if (full && zr == Z_BUF_ERROR)
    return rx_fail(err, RX_EFORMAT,
                   "member '%s' inflates to more than the %zu bytes the directory says", name,
                   out_n);
  return rx_fail(err, RX_EFORMAT, "member '%s': corrupt deflate data (%s)", name,
                 why ? why : "stream ends early");
}

/* Reads the central directory entry at *p (advancing it), filling e: data located and checked,
 * not yet inflated or CRC'd; span is the member's bytes from local header to end of data. */
static int read_entry(const unsigned char *b, uint64_t cd_off, uint64_t cd_end, uint64_t *p,
                      rxio_zip_entry *e, int *method, uint64_t *comp, uint32_t *crc, uint64_t *span,
                      rx_error *err) {
  char nm[160];
  const unsigned char *c = b + *p;
  if (cd_end - *p < 46 || rd32(c) != SIG_CENTRAL)
    return rx_fail(err, RX_EFORMAT, "corrupt: bad central directory entry at %llu",
                   (unsigned long long)*p);
  unsigned flags = rd16(c + 8), nl = rd16(c + 28), el = rd16(c + 30), cl = rd16(c + 32);
  if (cd_end - *p - 46 < (uint64_t)nl + el + cl)
    return rx_fail(err, RX_EFORMAT,
                   "corrupt: central directory entry at %llu overruns the directory",
                   (unsigned long long)*p);
  e->name = (const char *)c + 46;
  e->name_len = nl;
  const char *name = safe_name(e->name, nl, nm, sizeof nm);
  *method = (int)rd16(c + 10);
  *crc = rd32(c + 16);
  *comp = rd32(c + 20);
  uint64_t size = rd32(c + 24), local = rd32(c + 42);
  if (flags & 1) return rx_fail(err, RX_EFORMAT, "member '%s' is encrypted", name);
  if (*method != 0 && *method != 8)
    return rx_fail(err, RX_EFORMAT,
                   "member '%s' uses compression method %d (only stored and deflate)", name,
                   *method);
  if (size == 0xFFFFFFFFu || *comp == 0xFFFFFFFFu || local == 0xFFFFFFFFu) {
    /* ZIP64 extended information: the 8-byte values present in this order, for fields at max. */
    const unsigned char *x = c + 46 + nl;
    int found = 0;
    for (unsigned k = 0; k + 4 <= el;) {
      unsigned id = rd16(x + k), len = rd16(x + k + 2);
      if (len > el - k - 4) break;
      if (id == 1) {
        const unsigned char *v = x + k + 4, *vend = v + len;
        uint64_t *fields[3] = {&size, comp, &local};
        found = 1;
        for (int f = 0; f < 3 && found; f++) {
          if (*fields[f] != 0xFFFFFFFFu) continue;
          if (vend - v < 8)
            found = 0;
          else
            *fields[f] = rd64(v), v += 8;
        }
        break;
      }
      k += 4 + len;
    }
    if (!found)
      return rx_fail(err, RX_EFORMAT, "member '%s': ZIP64 sizes missing from the directory", name);
  }
  *p += 46 + (uint64_t)nl + el + cl;

  /* The local header only tells where the data starts; its name must agree. */
  if (local > cd_off || cd_off - local < 30 || rd32(b + local) != SIG_LOCAL)
    return rx_fail(err, RX_EFORMAT, "corrupt: member '%s' has no local header at %llu", name,
                   (unsigned long long)local);
  const unsigned char *l = b + local;
  uint64_t lnl = rd16(l + 26), lel = rd16(l + 28), start = local + 30 + lnl + lel;
  if (start > cd_off)
    return rx_fail(err, RX_EFORMAT,
                   "corrupt: local header of member '%s' overruns the central directory", name);
  if (lnl != nl || memcmp(l + 30, e->name, nl) != 0)
    return rx_fail(err, RX_EFORMAT, "corrupt: local header name differs from directory name '%s'",
                   name);
  if (*comp > cd_off - start)
    return rx_fail(
        err, RX_EFORMAT,
        "truncated: member '%s' needs %llu bytes at %llu, only %llu before the directory", name,
        (unsigned long long)*comp, (unsigned long long)start, (unsigned long long)(cd_off - start));
  if (*method == 0 && *comp != size)
    return rx_fail(err, RX_EFORMAT, "corrupt: stored member '%s' has sizes %llu and %llu", name,
                   (unsigned long long)*comp, (unsigned long long)size);
  if (*method == 8 && size > *comp * MAX_DEFLATE_RATIO + 1024)
    return rx_fail(err, RX_EFORMAT, "corrupt: member '%s' claims %llu bytes from %llu compressed",
                   name, (unsigned long long)size, (unsigned long long)*comp);
  if (size > SIZE_MAX - 1) return rx_fail(err, RX_EFORMAT, "member '%s' is too large", name);
  e->data = b + start;
  e->size = (size_t)size;
  *span = start + *comp - local;
  return 0;
}

int rxio_zip_read(const unsigned char *b, size_t n, rxio_zip_entry **entries, int *count,
                  rx_error *err) {
  *entries = NULL;
  *count = 0;
  uint64_t cd_off = 0, cd_size = 0, cnt = 0, cd_limit = 0;
  int rc = find_central_dir(b, n, &cd_off, &cd_size, &cnt, &cd_limit, err);
  if (rc) return rc;
  rxio_zip_entry *es = calloc(cnt ? (size_t)cnt : 1, sizeof *es);
  if (!es)
    return rx_fail(err, RX_ENOMEM, "out of memory for %llu members", (unsigned long long)cnt);
  uint64_t p = cd_off, cd_end = cd_off + cd_size, spans = 0;
  for (uint64_t i = 0; i < cnt; i++) {
    int method = 0;
    uint64_t comp = 0, span = 0;
    uint32_t crc = 0;
    rxio_zip_entry *e = &es[i];
    char nm[160];
    rc = read_entry(b, cd_off, cd_end, &p, e, &method, &comp, &crc, &span, err);
    if (rc) break;
    const char *name = safe_name(e->name, e->name_len, nm, sizeof nm);
    /* Members cannot share bytes: that is how "zip bombs" multiply one region many times. */
    spans += span;
    if (spans > cd_off) {
      rc = rx_fail(err, RX_EFORMAT, "corrupt: member '%s' overlaps other members", name);
      break;
    }
    if (method == 8) {
      e->owned = malloc(e->size ? e->size : 1);
      if (!e->owned) {
        rc = rx_fail(err, RX_ENOMEM, "out of memory inflating member '%s' (%zu bytes)", name,
                     e->size);
        break;
      }
      rc = inflate_exact(e->data, (size_t)comp, e->owned, e->size, name, err);
      if (rc) break;
      e->data = e->owned;
    }
    uint32_t got = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), e->data, e->size);
    if (got != crc) {
      rc = rx_fail(err, RX_EFORMAT,
                   "corrupt: CRC mismatch in member '%s' (stored %08lx, data %08lx)", name,
                   (unsigned long)crc, (unsigned long)got);
      break;
    }
  }
  if (!rc && p != cd_end)
    rc = rx_fail(err, RX_EFORMAT, "corrupt: %llu unexplained bytes in the central directory",
                 (unsigned long long)(cd_end - p));
  if (rc) {
    rxio_zip_entries_free(es, (int)cnt);
    return rc;
  }
  *entries = es;
  *count = (int)cnt;
  return 0;
}

void rxio_zip_entries_free(rxio_zip_entry *entries, int count) {
  if (!entries) return;
  for (int i = 0; i < count; i++)
    free(entries[i].owned);
  free(entries);
}
