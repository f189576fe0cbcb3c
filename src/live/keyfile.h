/*
 * The key log a live trace appends to (--keylog, SSLKEYLOGFILE): opened once the privileges
 * are dropped, one line per secret as the library exports it.  Every failure is said on
 * stderr at once, naming the file; the trace goes on and its exit status says the output was
 * not written (HS_EXIT_WRITE).
 */
#ifndef HS_KEYFILE_H
#define HS_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>

struct hs_keyfile;

/* Opens path for appending and warns that it is a secret.  NULL when path is NULL or empty;
 * else a handle, also when the file could not be opened (the reason is said; the handle
 * remembers the failure). */
struct hs_keyfile *hs_keyfile_open(const char *path);

/* Appends one whole line; after the first failure nothing more is tried. */
void hs_keyfile_put(struct hs_keyfile *k, const char *line, size_t n);

/* Closes and frees k.  True when every line reached the file (or k is NULL).  When a write
 * failed and the file, created by this run, holds nothing, it is removed. */
bool hs_keyfile_close(struct hs_keyfile *k);

#endif
