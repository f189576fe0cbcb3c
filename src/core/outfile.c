/* Safe creation of output files (see outfile.h). */
#include "outfile.h"

#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errsz, const char *verb, const char *path, int e,
                const char *why)
{
    snprintf(err, errsz, "cannot %s %s: %s", verb, path, why ? why : strerror(e));
    errno = e;
    return -1;
}

/* A brand-new file: O_EXCL means nothing that exists (file, symlink, fifo) is opened. */
static int create_new(const char *path, mode_t perm)
{
    return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
}

static int open_new(const char *path, mode_t perm, bool replace, bool *created, char *err,
                    size_t errsz)
{
    *created = true; /* a replaced file is a new one too */
    int fd = create_new(path, perm);
    if (fd >= 0)
        return fd;
    if (errno != EEXIST)
        return fail(err, errsz, "create", path, errno, NULL);
    struct stat st;
    if (lstat(path, &st) != 0)
        return fail(err, errsz, "create", path, errno, NULL);
    if (S_ISLNK(st.st_mode))
        return fail(err, errsz, "create", path, ELOOP, "it is a symbolic link (not followed)");
    if (!S_ISREG(st.st_mode))
        return fail(err, errsz, "create", path, EEXIST, "it exists and is not a regular file");
    if (!replace)
        return fail(err, errsz, "create", path, EEXIST,
                    "it exists (--force overwrites it)");
    /* Replace, do not write through: unlink then create anew, still exclusively. */
    if (unlink(path) != 0)
        return fail(err, errsz, "replace", path, errno, NULL);
    fd = create_new(path, perm);
    if (fd < 0)
        return fail(err, errsz, "create", path, errno, NULL);
    return fd;
}

static int open_append(const char *path, mode_t perm, bool *created, char *err, size_t errsz)
{
    *created = false;
    for (int attempt = 0; attempt < 2; attempt++) {
        /* O_NONBLOCK: a fifo put in the file's place must not hang us; fstat refuses it. */
        int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            fd = create_new(path, perm);
            *created = fd >= 0;
            if (fd >= 0)
                return fd;
            if (errno == EEXIST)
                continue; /* it appeared meanwhile: look again */
            return fail(err, errsz, "create", path, errno, NULL);
        }
        if (fd < 0) {
            int e = errno;
            struct stat st;
            bool seen = lstat(path, &st) == 0;
            if (seen && S_ISLNK(st.st_mode))
                return fail(err, errsz, "append to", path, e,
                            "it is a symbolic link (not followed)");
            if (seen && !S_ISREG(st.st_mode)) /* e.g. a fifo with no reader: ENXIO */
                return fail(err, errsz, "append to", path, e, "it is not a regular file");
            return fail(err, errsz, "append to", path, e, NULL);
        }
        struct stat st;
        const char *why = NULL;
        if (fstat(fd, &st) != 0)
            why = strerror(errno);
        else if (!S_ISREG(st.st_mode))
            why = "it is not a regular file";
        else if (st.st_uid != geteuid())
            why = "it belongs to another user";
        else if (fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) != 0)
            why = strerror(errno);
        else if ((st.st_mode & 07777 & ~perm) != 0 &&
                 fchmod(fd, st.st_mode & perm & 07777) != 0)
            why = strerror(errno);
        if (why) {
            close(fd);
            return fail(err, errsz, "append to", path, EPERM, why);
        }
        return fd;
    }
    return fail(err, errsz, "create", path, EEXIST, "it keeps changing under us");
}

int hs_outfile_open_ex(const char *path, enum hs_outfile_how how, mode_t perm, bool *created,
                       char *err, size_t errsz)
{
    bool made = false;
    if (created == NULL)
        created = &made;
    *created = false;
    if (path == NULL || *path == '\0')
        return fail(err, errsz, "create", "''", ENOENT, "empty file name");
    return how == HS_OUT_APPEND ? open_append(path, perm, created, err, errsz)
                                : open_new(path, perm, how == HS_OUT_REPLACE, created, err, errsz);
}

int hs_outfile_open(const char *path, enum hs_outfile_how how, mode_t perm, char *err,
                    size_t errsz)
{
    return hs_outfile_open_ex(path, how, perm, NULL, err, errsz);
}

/* Removes path if it is still the file described by mine. */
static void remove_if_same(const struct stat *mine, const char *path)
{
    struct stat there;
    if (path != NULL && lstat(path, &there) == 0 && mine->st_dev == there.st_dev &&
        mine->st_ino == there.st_ino)
        (void)unlink(path);
}

void hs_outfile_discard(int fd, const char *path)
{
    struct stat mine;
    if (fd >= 0 && fstat(fd, &mine) == 0)
        remove_if_same(&mine, path);
}

int hs_outfile_close(FILE *f, const char *path, int failed)
{
    struct stat mine;
    bool known = fstat(fileno(f), &mine) == 0;
    int e = failed;
    if (fflush(f) != 0 && e == 0)
        e = errno ? errno : EIO;
    if (ferror(f) && e == 0)
        e = EIO;
    if (fclose(f) != 0 && e == 0)
        e = errno ? errno : EIO;
    if (e == 0)
        return 0;
    if (known)
        remove_if_same(&mine, path);
    errno = e;
    return -1;
}

/* Says why name could not be written; nothing for a pipe whose reader has gone. */
static int report_write_error(const char *name, int e)
{
    if (e != EPIPE)
        fprintf(stderr, "hstrace: cannot write %s: %s\n", name,
                e ? strerror(e) : "write error");
    return -1;
}

int hs_outfile_finish_stream(FILE *f, const char *name)
{
    errno = 0;
    int r = fflush(f);
    int e = errno;
    if (r == 0 && !ferror(f))
        return 0;
    return report_write_error(name, e);
}

/* A stream over a descriptor that remembers its first write error: stdio forgets why once
 * a buffer could not be written. */
struct watched {
    int fd;
    int first_errno;
};

int hs_outfile_write_all(int fd, const void *buf, size_t n, size_t *done)
{
    size_t off = 0;
    int e = 0;
    while (off < n) {
        ssize_t k = write(fd, (const char *)buf + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            e = k < 0 ? errno : EIO;
            break;
        }
        off += (size_t)k;
    }
    if (done)
        *done = off;
    return e;
}

static ssize_t watched_write(void *cookie, const char *buf, size_t n)
{
    struct watched *w = cookie;
    int e = hs_outfile_write_all(w->fd, buf, n, NULL);
    if (e == 0)
        return (ssize_t)n;
    if (w->first_errno == 0)
        w->first_errno = e;
    errno = w->first_errno;
    return -1;
}

static int watched_close(void *cookie)
{
    struct watched *w = cookie;
    int e = w->first_errno;
    free(w); /* the descriptor stays open: it is not ours */
    if (e == 0)
        return 0;
    errno = e;
    return -1;
}

FILE *hs_outfile_watch(FILE *base)
{
    fflush(base);
    struct watched *w = hs_xcalloc(1, sizeof *w);
    w->fd = fileno(base);
    cookie_io_functions_t io = {.write = watched_write, .close = watched_close};
    FILE *f = w->fd >= 0 ? fopencookie(w, "w", io) : NULL;
    if (f != NULL)
        return f;
    free(w);
    return base;
}

int hs_outfile_watch_end(FILE *f, const char *name)
{
    if (fileno(f) >= 0) /* not a watched stream: the base itself */
        return hs_outfile_finish_stream(f, name);
    errno = 0;
    if (fclose(f) == 0)
        return 0;
    return report_write_error(name, errno);
}

FILE *hs_outfile_fopen(const char *path, enum hs_outfile_how how, mode_t perm, char *err,
                       size_t errsz)
{
    int fd = hs_outfile_open(path, how, perm, err, errsz);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, how == HS_OUT_APPEND ? "a" : "w");
    if (f == NULL) {
        int e = errno;
        close(fd);
        fail(err, errsz, "open", path, e, NULL);
    }
    return f;
}
