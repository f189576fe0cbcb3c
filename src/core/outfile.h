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

/* The same as a stdio stream ("w" / "a"); NULL with err set. */
FILE *hs_outfile_fopen(const char *path, enum hs_outfile_how how, mode_t perm, char *err,
                       size_t errsz);

#endif
