/* Allocation wrappers: a tracer has nothing useful to do after malloc fails. */
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
    if (p == NULL) {
        fputs("hstrace: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *hs_xmalloc(size_t n) { return check(malloc(n ? n : 1)); }

void *hs_xcalloc(size_t count, size_t size) { return check(calloc(count ? count : 1, size ? size : 1)); }

void *hs_xrealloc(void *p, size_t n) { return check(realloc(p, n ? n : 1)); }

char *hs_xstrdup(const char *s) { return check(strdup(s ? s : "")); }

void *hs_xmemdup(const void *p, size_t n)
{
    void *q = hs_xmalloc(n);
    if (n)
        memcpy(q, p, n);
    return q;
}

FILE *hs_xmemstream(char **buf, size_t *len) { return check(open_memstream(buf, len)); }

char *hs_xvasprintf(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        va_end(again);
        return hs_xstrdup("");
    }
    char *s = hs_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

char *hs_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = hs_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

size_t hs_bufvf(char *buf, size_t cap, size_t len, const char *fmt, va_list ap)
{
    if (cap == 0 || len >= cap - 1)
        return len;
    int k = vsnprintf(buf + len, cap - len, fmt, ap);
    if (k < 0)
        return len;
    return (size_t)k < cap - len ? len + (size_t)k : cap - 1;
}
