/* Regular files only, for reading (see infile.h). */
#include "infile.h"

#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

int hs_infile_open(const char *path, char *err, size_t errsz)
{
    /* O_NONBLOCK: opening a FIFO that has no writer returns at once; fstat then refuses it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errsz, "cannot open %s: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) != 0) {
        e = errno;
        snprintf(err, errsz, "cannot open %s: %s", path, strerror(e));
    } else if (!S_ISREG(st.st_mode)) {
        e = EINVAL;
        snprintf(err, errsz, "%s is not a regular file (%s)", path, kind_of(st.st_mode));
    } else if (fcntl(fd, F_SETFL, O_RDONLY) != 0) {
        e = errno;
        snprintf(err, errsz, "cannot open %s: %s", path, strerror(e));
    }
    if (e != 0) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

char *hs_infile_read(const char *path, size_t max, size_t *len, char *err, size_t errsz)
{
    *len = 0;
    int fd = hs_infile_open(path, err, errsz);
    if (fd < 0)
        return NULL;
    char *buf = hs_infile_read_fd(fd, path, max, len, err, errsz);
    close(fd);
    return buf;
}

char *hs_infile_read_fd(int fd, const char *name, size_t max, size_t *len, char *err,
                        size_t errsz)
{
    *len = 0;
    /* cap reaches max + 1 at most: a file that fills it is too large. */
    size_t cap = max < 4096 ? max + 1 : 4096, n = 0;
    char *buf = hs_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                snprintf(err, errsz, "%s is larger than %zu bytes (the limit)", name, max);
                break;
            }
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            buf = hs_xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errsz, "cannot read %s: %s", name, strerror(errno));
            break;
        }
        if (r == 0) {
            buf[n] = '\0';
            *len = n;
            return buf;
        }
        n += (size_t)r;
    }
    free(buf);
    return NULL;
}
