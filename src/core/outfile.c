/* Safe creation of output files (see outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

static int open_new(const char *path, mode_t perm, bool replace, char *err, size_t errsz)
{
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

static int open_append(const char *path, mode_t perm, char *err, size_t errsz)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        /* O_NONBLOCK: a fifo put in the file's place must not hang us; fstat refuses it. */
        int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            fd = create_new(path, perm);
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

int hs_outfile_open(const char *path, enum hs_outfile_how how, mode_t perm, char *err,
                    size_t errsz)
{
    if (path == NULL || *path == '\0')
        return fail(err, errsz, "create", "''", ENOENT, "empty file name");
    return how == HS_OUT_APPEND ? open_append(path, perm, err, errsz)
                                : open_new(path, perm, how == HS_OUT_REPLACE, err, errsz);
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
