/*
 * The standard descriptors at start: a program started with one of them closed (`2>&-`)
 * would otherwise hand that number to the first file or socket it opens, and a message meant
 * for standard error would go into the TLS connection.
 */
#ifndef HS_STDFDS_H
#define HS_STDFDS_H

/* Opens /dev/null on each of descriptors 0, 1 and 2 that is closed.  Returns 0, or -1 when
 * /dev/null cannot be opened (the caller should stop: nothing it writes is safe). */
int hs_stdfds_ensure(void);

#endif
