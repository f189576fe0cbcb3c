/* Allocation that never returns NULL: out of memory ends the program with a message. */
#ifndef HS_MEM_H
#define HS_MEM_H

#include <stddef.h>
#include <stdio.h>

void *hs_xmalloc(size_t n);
void *hs_xcalloc(size_t count, size_t size);
void *hs_xrealloc(void *p, size_t n);
char *hs_xstrdup(const char *s);
void *hs_xmemdup(const void *p, size_t n);
/* open_memstream(3): a stream that writes into *buf (*len bytes), freed by the caller. */
FILE *hs_xmemstream(char **buf, size_t *len);
#include <stdarg.h>

/* printf into a new string. */
char *hs_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *hs_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* printf appended to buf[0..len) of capacity cap (NUL-terminated, cut to fit); returns the
 * new length, at most cap - 1.  A full buffer stays as it is. */
size_t hs_bufvf(char *buf, size_t cap, size_t len, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
