/*
 * Opening the files hstrace reads where a file is meant (a key log, a CA file, a capture):
 * only regular files.  A FIFO with no writer, a terminal or a device such as /dev/zero would
 * block the open or never end; they are refused with a reason instead.
 */
#ifndef HS_INFILE_H
#define HS_INFILE_H

#include <stddef.h>

/* A descriptor for reading path (close-on-exec, blocking), or -1 with errno set and one line
 * in err: "cannot open PATH: REASON" or "PATH is not a regular file (a FIFO)". */
int hs_infile_open(const char *path, char *err, size_t errsz);

/* The whole file, at most max bytes, NUL-terminated (malloc'd; *len excludes the NUL), or
 * NULL with err set (also when the file is larger than max). */
char *hs_infile_read(const char *path, size_t max, size_t *len, char *err, size_t errsz);
/* The same from an open descriptor (e.g. standard input; left open), name for the errors. */
char *hs_infile_read_fd(int fd, const char *name, size_t max, size_t *len, char *err,
                        size_t errsz);

#endif
