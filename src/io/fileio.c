/* Atomic writes (path.tmp.<pid>, flush, fsync, close, rename), whole-file reads with a size cap,
 * mkdir -p. Every failure names the path and strerror(errno); what goes into the files is left
 * to the writers (npy.c, npz.c, the metrics and analysis writers). */
#include "reactivate/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporaries of the writes in progress, for rx_atomic_remove_temporaries (lock-free
 * pointers: a signal handler may read them at any moment). Registered before the file is
 * created, unregistered once it is renamed or removed. */
enum { N_LIVE = 16 };
static _Atomic(char *) live[N_LIVE];

static void track(char *tmp) {
  for (int i = 0; i < N_LIVE; i++) {
    char *none = NULL;
    if (atomic_compare_exchange_strong(&live[i], &none, tmp)) return;
  }
}

static void untrack(char *tmp) {
  for (int i = 0; i < N_LIVE; i++) {
    char *same = tmp;
    atomic_compare_exchange_strong(&live[i], &same, NULL);
  }
}

void rx_atomic_remove_temporaries(void) {
  for (int i = 0; i < N_LIVE; i++) {
    char *tmp = atomic_load(&live[i]);
    if (tmp) unlink(tmp);
  }
}

int rx_atomic_open(rx_atomic_file *af, const char *path, rx_error *err) {
  af->f = NULL;
  af->path[0] = af->tmp[0] = '\0';
  if (!path || !path[0]) return rx_fail(err, RX_EINVAL, "cannot write a file with an empty path");
  int np = snprintf(af->path, sizeof af->path, "%s", path);
  int nt = snprintf(af->tmp, sizeof af->tmp, "%s.tmp.%ld", path, (long)getpid());
  if (np < 0 || nt < 0 || (size_t)nt >= sizeof af->tmp) {
    af->path[0] = af->tmp[0] = '\0';
    return rx_fail(err, RX_EINVAL, "cannot write %.200s...: path is too long", path);
  }
  track(af->tmp);
  af->f = fopen(af->tmp, "wb");
  if (!af->f) {
    int e = errno;
    untrack(af->tmp);
    rx_fail(err, RX_EIO, "cannot write %s: cannot create %s: %s", path, af->tmp, strerror(e));
    af->tmp[0] = '\0';
    return RX_EIO;
  }
  return 0;
}

/* Best effort: makes the rename itself durable. A failure here cannot un-write the file. */
static void fsync_parent_dir(const char *path) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash)
    snprintf(dir, sizeof dir, ".");
  else if (slash == dir)
    dir[1] = '\0';
  else
    *slash = '\0';
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
}

int rx_atomic_commit(rx_atomic_file *af, rx_error *err) {
  if (!af->f) return rx_fail(err, RX_EINVAL, "cannot write %s: file is not open", af->path);
  const char *what = NULL;
  int e = 0;
  errno = 0;
  if (fflush(af->f) != 0) {
    what = "write failed", e = errno;
  } else if (ferror(af->f)) {
    what = "write failed", e = errno ? errno : EIO; /* errno of the earlier fwrite may be gone */
  } else if (fsync(fileno(af->f)) != 0 && errno != EINVAL && errno != EROFS) {
    what = "fsync failed", e = errno; /* EINVAL/EROFS: special files that cannot sync */
  }
  int closed = fclose(af->f);
  af->f = NULL;
  if (!what && closed != 0) what = "close failed", e = errno;
  if (!what && rename(af->tmp, af->path) != 0) what = "cannot rename temporary file", e = errno;
  if (what) {
    unlink(af->tmp);
    untrack(af->tmp);
    af->tmp[0] = '\0';
    return rx_fail(err, RX_EIO, "cannot write %s: %s: %s", af->path, what, strerror(e));
  }
  untrack(af->tmp);
  af->tmp[0] = '\0';
  fsync_parent_dir(af->path);
  return 0;
}

void rx_atomic_abort(rx_atomic_file *af) {
  if (af->f) fclose(af->f);
  af->f = NULL;
  if (af->tmp[0]) unlink(af->tmp);
  untrack(af->tmp);
  af->tmp[0] = '\0';
}

int rx_write_file_atomic(const char *path, const void *data, size_t n, rx_error *err) {
  rx_atomic_file af;
  int rc = rx_atomic_open(&af, path, err);
  if (rc) return rc;
  if (n && fwrite(data, 1, n, af.f) != n) {
    int e = errno;
    rx_atomic_abort(&af);
    return rx_fail(err, RX_EIO, "cannot write %s: write failed: %s", path, strerror(e));
  }
  return rx_atomic_commit(&af, err);
}

int rx_read_file(const char *path, char **data, size_t *n, size_t max_bytes, rx_error *err) {
  *data = NULL;
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return rx_fail(err, RX_EIO, "cannot read %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    int e = errno;
    fclose(f);
    return rx_fail(err, RX_EIO, "cannot read %s: %s", path, strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    fclose(f);
    return rx_fail(err, RX_EIO, "cannot read %s: %s", path, strerror(EISDIR));
  }
  if (max_bytes > SIZE_MAX - 2) max_bytes = SIZE_MAX - 2;
  /* st_size is a hint (special files report 0); read until EOF, growing as needed. */
  size_t cap = 65536;
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    if ((uint64_t)st.st_size > max_bytes) {
      fclose(f);
      return rx_fail(err, RX_EFORMAT,
                     "cannot read %s: file has %lld bytes, more than the %zu allowed", path,
                     (long long)st.st_size, max_bytes);
    }
    cap = (size_t)st.st_size + 1;
  }
  char *buf = malloc(cap);
  size_t len = 0;
  int code = 0;
  while (buf) {
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (len < cap) {
      if (ferror(f))
        code = rx_fail(err, RX_EIO, "cannot read %s: %s", path, strerror(errno));
      else if (len > max_bytes)
        code = rx_fail(err, RX_EFORMAT,
                       "cannot read %s: file has %zu bytes, more than the %zu allowed", path, len,
                       max_bytes);
      break; /* EOF: one byte is left for the NUL */
    }
    if (len > max_bytes) {
      code = rx_fail(err, RX_EFORMAT, "cannot read %s: file has more than the %zu bytes allowed",
                     path, max_bytes);
      break;
    }
    size_t ncap = cap > (SIZE_MAX - 1) / 2 ? SIZE_MAX - 1 : cap * 2;
    if (ncap > max_bytes + 1) ncap = max_bytes + 2; /* room to notice one byte too many */
    char *nb = realloc(buf, ncap);
    if (!nb) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap = ncap;
  }
  fclose(f);
  if (!buf) return rx_fail(err, RX_ENOMEM, "cannot read %s: out of memory", path);
  if (code) {
    free(buf);
    return code;
  }
  buf[len] = '\0';
  *data = buf;
  *n = len;
  return 0;
}

int rx_mkdirs(const char *path, rx_error *err) {
  char buf[4096];
  if (!path || !path[0])
    return rx_fail(err, RX_EINVAL, "cannot create a directory with an empty path");
  int len = snprintf(buf, sizeof buf, "%s", path);
  if (len < 0 || (size_t)len >= sizeof buf)
    return rx_fail(err, RX_EINVAL, "cannot create directory %.200s...: path is too long", path);
  /* Create each prefix ending before a '/', then the whole path. */
  for (char *p = buf + 1;; p++) {
    int last = *p == '\0';
    if (*p != '/' && !last) continue;
    char saved = *p;
    *p = '\0';
    if (p[-1] != '/' && mkdir(buf, 0777) != 0) {
      int e = errno;
      struct stat st;
      if (e != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (e == EEXIST) e = ENOTDIR;
        return rx_fail(err, RX_EIO, "cannot create directory %s: %s: %s", path, buf, strerror(e));
      }
    }
    *p = saved;
    if (last) break;
  }
  return 0;
}

int rx_file_exists(const char *path) {
  struct stat st;
  return path && stat(path, &st) == 0;
}
