/* The run directory's lock (<run_dir>/.lock): an flock on an open file, so it is released by the
 * kernel when its process ends however it ends, plus "<pid> <host>" in the file for the message
 * a second trainer shows. Also the clean-up of temporaries a killed writer left behind. */
#include "train/run_lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reactivate/checkpoint.h"

/* "<pid> <host>" of the file's last holder into holder (empty when unreadable). */
static void read_holder(int fd, char *holder, size_t n) {
  char buf[512];
  ssize_t got = pread(fd, buf, sizeof buf - 1, 0);
  holder[0] = '\0';
  if (got <= 0) return;
  buf[got] = '\0';
  long pid = 0;
  char host[256] = "";
  if (sscanf(buf, "%ld %255s", &pid, host) >= 1 && pid > 0)
    snprintf(holder, n, "process %ld%s%s", pid, host[0] ? " on " : "", host);
}

static void write_holder(int fd) {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0 || !host[0]) snprintf(host, sizeof host, "unknown");
  host[sizeof host - 1] = '\0';
  char line[320];
  int len = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), host);
  /* Best effort: the content only names us in other processes' messages; the flock is the lock
   * (a full disk must not stop us from taking it). */
  if (ftruncate(fd, 0) == 0 && len > 0) (void)!pwrite(fd, line, (size_t)len, 0);
}

static int flock_unsupported(int e) {
  return e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS || e == EINVAL;
}

int rxtr_run_lock_acquire(rxtr_run_lock *lk, const char *run_dir, char *note, size_t note_n,
                          rx_error *err) {
  lk->fd = -1;
  if (note && note_n) note[0] = '\0';
  int len = snprintf(lk->path, sizeof lk->path, "%s/.lock", run_dir);
  if (len < 0 || (size_t)len >= sizeof lk->path)
    return rx_fail(err, RX_EINVAL, "cannot lock run %.200s...: path is too long", run_dir);
  /* A few tries: a finishing holder unlinks the file between our open and our flock. */
  for (int attempt = 0; attempt < 100; attempt++) {
    int fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      int e = errno;
      return rx_fail(err, RX_EIO, "cannot lock run %s: cannot create %s: %s", run_dir, lk->path,
                     strerror(e));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      if (e == EWOULDBLOCK) {
        char holder[300];
        read_holder(fd, holder, sizeof holder);
        close(fd);
        return rx_fail(err, RX_EINVAL,
                       "run %s is already being trained by %s (lock %s); wait for it to finish or "
                       "stop it first",
                       run_dir, holder[0] ? holder : "another process", lk->path);
      }
      close(fd);
      if (e == EINTR) continue;
      if (flock_unsupported(e)) {
        if (note && note_n)
          snprintf(note, note_n, "training %s without a lock: %s does not support flock (%s)",
                   run_dir, lk->path, strerror(e));
        return RX_OK;
      }
      return rx_fail(err, RX_EIO, "cannot lock run %s: flock on %s: %s", run_dir, lk->path,
                     strerror(e));
    }
    /* Ours only if the name still refers to the file we locked. */
    struct stat a, b;
    if (fstat(fd, &a) != 0 || stat(lk->path, &b) != 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino) {
      close(fd);
      continue;
    }
    char holder[300];
    read_holder(fd, holder, sizeof holder);
    if (holder[0] && note && note_n)
      snprintf(note, note_n, "took over the stale lock %s left by %s, which no longer runs",
               lk->path, holder);
    write_holder(fd);
    lk->fd = fd;
    return RX_OK;
  }
  return rx_fail(err, RX_EIO, "cannot lock run %s: %s keeps being replaced", run_dir, lk->path);
}

void rxtr_run_lock_release(rxtr_run_lock *lk) {
  if (lk->fd < 0) return;
  /* Unlink while still holding it: whoever opened the old file re-checks the name (above). */
  unlink(lk->path);
  close(lk->fd);
  lk->fd = -1;
}

/* "<output>.tmp.<digits>" where <output> is a file the trainer writes. */
static int is_trainer_temporary(const char *name) {
  const char *t = strstr(name, ".tmp.");
  if (!t || !t[5]) return 0;
  for (const char *p = t + 5; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  char base[256];
  size_t n = (size_t)(t - name);
  if (n >= sizeof base) return 0;
  memcpy(base, name, n);
  base[n] = '\0';
  return rx_checkpoint_step_of(base) >= 0 || !strcmp(base, "train_metrics.json") ||
         !strcmp(base, "test_metrics.json") || !strcmp(base, "config.yaml");
}

int rxtr_remove_stale_temporaries(const char *run_dir) {
  DIR *d = opendir(run_dir);
  if (!d) return 0;
  int removed = 0;
  char path[4600];
  for (struct dirent *e; (e = readdir(d));) {
    if (!is_trainer_temporary(e->d_name)) continue;
    snprintf(path, sizeof path, "%s/%s", run_dir, e->d_name);
    if (unlink(path) == 0) removed++;
  }
  closedir(d);
  return removed;
}
