/* Appending secrets to the key log (see keyfile.h). */
#include "keyfile.h"

#include "../core/mem.h"
#include "../core/outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hs_keyfile {
    char *path;
    int fd;          /* -1 when it could not be opened */
    bool created;    /* this run made the file */
    bool failed;
    size_t written;  /* bytes that reached it */
};

struct hs_keyfile *hs_keyfile_open(const char *path)
{
    if (path == NULL || *path == '\0')
        return NULL;
    struct hs_keyfile *k = hs_xcalloc(1, sizeof *k);
    k->path = hs_xstrdup(path);
    char err[512];
    k->fd = hs_outfile_open_ex(path, HS_OUT_APPEND, 0600, &k->created, err, sizeof err);
    if (k->fd < 0) {
        k->failed = true;
        fprintf(stderr, "hstrace: key log not written: %s\n", err);
    } else {
        fprintf(stderr, "hstrace: writing TLS secrets to %s: anyone with this file can decrypt "
                "the connection\n", path);
    }
    return k;
}

static void write_failed(struct hs_keyfile *k, int e)
{
    k->failed = true;
    fprintf(stderr, "hstrace: cannot write key log %s: %s\n", k->path, strerror(e));
}

void hs_keyfile_put(struct hs_keyfile *k, const char *line, size_t n)
{
    if (k == NULL || k->failed)
        return;
    size_t done;
    int e = hs_outfile_write_all(k->fd, line, n, &done);
    k->written += done;
    if (e != 0)
        write_failed(k, e);
}

bool hs_keyfile_close(struct hs_keyfile *k)
{
    if (k == NULL)
        return true;
    if (k->fd >= 0) {
        if (k->created && k->written == 0 && k->failed)
            hs_outfile_discard(k->fd, k->path);
        if (close(k->fd) != 0 && !k->failed)
            write_failed(k, errno);
    }
    bool ok = !k->failed;
    free(k->path);
    free(k);
    return ok;
}
