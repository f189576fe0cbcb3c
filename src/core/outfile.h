/*
 * Creating the files hstrace writes (-w captures, key logs, saves from the interactive view)
 * without being turned against its user: the last path component is never followed when it
 * is a symbolic link, only regular files are written, and an existing file is never
 * overwritten unless --force said so (and then it is replaced by a new file, not written
 * through, so a hard link elsewhere keeps its content).
 */
#ifndef HS_OUTFILE_H
#define HS_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum hs_outfile_how {
    HS_OUT_NEW,    /* a new file; an existing one is refused */
    HS_OUT_REPLACE, /* a new file; an existing regular file is replaced (--force) */
    HS_OUT_APPEND, /* key logs (the NSS convention): append to an existing regular file that
                      this user owns (its mode narrowed to perm), else create it */
};

/*
 * Opens path for writing; a new file gets mode perm (0600 for secrets; the umask may narrow
 * it further).  Returns a descriptor (close-on-exec), or -1 with errno set and one line in
 * err: "cannot create PATH: REASON" (or "cannot append to PATH: REASON").
 */
int hs_outfile_open(const char *path, enum hs_outfile_how how, mode_t perm, char *err,
                    size_t errsz);

/* The same; *created (may be NULL) tells whether this call made the file (HS_OUT_NEW: always
 * on success; HS_OUT_APPEND: only when it did not exist). */
int hs_outfile_open_ex(const char *path, enum hs_outfile_how how, mode_t perm, bool *created,
                       char *err, size_t errsz);

/* Removes path if it is still the file open on fd (an output that could not be completed
 * goes, and never a file that has taken its place since).  Call it before closing fd. */
void hs_outfile_discard(int fd, const char *path);

/* Flushes and closes f, the stream of a file this run created at path.  When failed (an errno
 * value) is not 0, or the flush or the close fails, the incomplete file is removed (as with
 * hs_outfile_discard), errno says why and -1 is returned; else 0. */
int hs_outfile_close(FILE *f, const char *path, int failed);

/*
 * Flushes a stream and checks that everything written to it since it was opened reached its
 * file.  When not, says "hstrace: cannot write NAME: REASON" on stderr, except for a pipe
 * whose reader has gone (EPIPE: `| head` is no error to report), and returns -1; else 0.
 */
int hs_outfile_finish_stream(FILE *f, const char *name);

/* Writes all n bytes to fd (again after EINTR or a short write); 0, or the errno value of
 * the failure.  *done (may be NULL) gets how many bytes were written. */
int hs_outfile_write_all(int fd, const void *buf, size_t n, size_t *done);

/* A buffered stream writing to base's descriptor (standard output) that keeps the reason of
 * its first write error; base itself when one cannot be made. */
FILE *hs_outfile_watch(FILE *base);
/* Ends what hs_outfile_watch returned: flushes and frees it (the descriptor stays open).  0,
 * or -1 after saying "hstrace: cannot write NAME: REASON" (as hs_outfile_finish_stream). */
int hs_outfile_watch_end(FILE *f, const char *name);

/* The same as a stdio stream ("w" / "a"); NULL with err set. */
FILE *hs_outfile_fopen(const char *path, enum hs_outfile_how how, mode_t perm, char *err,
                       size_t errsz);

#endif
