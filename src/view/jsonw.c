/* The streaming JSON writer (see jsonw.h): a memory buffer, written out in 64 KiB chunks. */
#include "jsonw.h"

#include "safe.h"

#include "../core/escape.h"
#include "../core/mem.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT ((size_t)64 * 1024)
#define INDENT 2 /* spaces per level (JSON_INDENT(2)) */

/* Bytes a string carries as they are: printable ASCII and DEL, but '"' and '\\'. */
static const unsigned char plain[256] = {
    ['\x20'] = 1, 1, 0 /* " */, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,                     /* 0x30-0x3f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,                     /* 0x40-0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 /* \ */, 1, 1, 1,             /* 0x50-0x5f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,                     /* 0x60-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,                     /* 0x70-0x7f */
};

static const char spaces[] = "                                                                ";

void hs_jsonw_init(struct hs_jsonw *w, FILE *out, unsigned flags, int depth)
{
    *w = (struct hs_jsonw){.out = out, .base = depth > 0 ? depth : 0,
                           .ascii = (flags & HS_JSONW_ASCII) != 0,
                           .compact = (flags & HS_JSONW_COMPACT) != 0};
}

void hs_jsonw_free(struct hs_jsonw *w)
{
    free(w->buf);
    free(w->open);
    w->buf = NULL;
    w->open = NULL;
    w->len = w->cap = w->nopen = w->open_cap = 0;
}

/* Grows the buffer to hold n more bytes (out of the way of the common case). */
__attribute__((noinline)) static void grow(struct hs_jsonw *w, size_t n)
{
    size_t cap = w->cap ? w->cap : 16384; /* a capture connection's object: one or two steps */
    while (cap - w->len < n) {
        if (cap > SIZE_MAX / 2)
            abort(); /* cannot happen: the document is in memory already */
        cap *= 2;
    }
    w->buf = hs_xrealloc(w->buf, cap);
    w->cap = cap;
}

/* Room for n more bytes; returns where they go. */
static inline char *room(struct hs_jsonw *w, size_t n)
{
    if (__builtin_expect(w->cap - w->len < n, 0))
        grow(w, n);
    return w->buf + w->len;
}

static void put(struct hs_jsonw *w, const char *s, size_t n)
{
    memcpy(room(w, n), s, n);
    w->len += n;
}

static void put_c(struct hs_jsonw *w, char c)
{
    *room(w, 1) = c;
    w->len++;
}

int hs_jsonw_flush(struct hs_jsonw *w)
{
    if (w->out && w->len > 0) {
        if (fwrite(w->buf, 1, w->len, w->out) != w->len)
            w->err = true;
        w->len = 0;
    }
    return w->err ? -1 : 0;
}

char *hs_jsonw_take(struct hs_jsonw *w, size_t *len)
{
    put_c(w, '\0');
    char *s = w->buf;
    if (len)
        *len = w->len - 1;
    w->buf = NULL;
    w->len = w->cap = 0;
    return s;
}

void hs_jsonw_raw(struct hs_jsonw *w, const char *s, size_t n)
{
    put(w, s, n);
}

/* A newline and the indent of depth levels. */
static void newline(struct hs_jsonw *w, size_t depth)
{
    size_t n = depth * INDENT;
    char *p = room(w, n + 1);
    *p++ = '\n';
    w->len += n + 1;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        memcpy(p, spaces, k);
        p += k;
        n -= k;
    }
}

/* Before a member (a key, or an array element): the separator and the line it starts. */
static void member(struct hs_jsonw *w)
{
    if (w->nopen == 0)
        return;
    unsigned char *has = &w->open[w->nopen - 1];
    if (*has)
        put_c(w, ',');
    *has = 1;
    if (!w->compact)
        newline(w, (size_t)w->base + w->nopen);
}

/* Before a value. */
static void before(struct hs_jsonw *w)
{
    if (w->after_key)
        w->after_key = false;
    else
        member(w);
}

/* After a value: a full buffer goes out (never inside a value: a string may be taken back). */
static void after(struct hs_jsonw *w)
{
    if (w->out && w->len >= FLUSH_AT)
        (void)hs_jsonw_flush(w);
}

static void open_c(struct hs_jsonw *w, char c)
{
    before(w);
    put_c(w, c);
    if (w->nopen == w->open_cap) {
        w->open_cap = w->open_cap ? 2 * w->open_cap : 16;
        w->open = hs_xrealloc(w->open, w->open_cap);
    }
    w->open[w->nopen++] = 0;
}

static void close_c(struct hs_jsonw *w, char c)
{
    if (w->nopen == 0)
        return; /* unbalanced: nothing to close */
    bool had = w->open[--w->nopen] != 0;
    if (had && !w->compact)
        newline(w, (size_t)w->base + w->nopen);
    put_c(w, c);
    after(w);
}

void hs_jsonw_obj(struct hs_jsonw *w) { open_c(w, '{'); }
void hs_jsonw_obj_end(struct hs_jsonw *w) { close_c(w, '}'); }
void hs_jsonw_arr(struct hs_jsonw *w) { open_c(w, '['); }
void hs_jsonw_arr_end(struct hs_jsonw *w) { close_c(w, ']'); }

static const char hex_upper[] = "0123456789ABCDEF";

/* \uXXXX for a code unit. */
static void put_u(struct hs_jsonw *w, unsigned v)
{
    char *p = room(w, 6);
    p[0] = '\\';
    p[1] = 'u';
    p[2] = hex_upper[(v >> 12) & 0xf];
    p[3] = hex_upper[(v >> 8) & 0xf];
    p[4] = hex_upper[(v >> 4) & 0xf];
    p[5] = hex_upper[v & 0xf];
    w->len += 6;
}

/* The quoted, escaped string s; false (nothing written) when it is not valid UTF-8.  One pass
 * that also finds the end: runs of plain bytes are copied whole. */
static bool put_string(struct hs_jsonw *w, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t start = w->len;
    put_c(w, '"');
    for (;;) {
        const uint8_t *q = p;
        while (plain[*q])
            q++;
        if (q > p) {
            put(w, (const char *)p, (size_t)(q - p));
            p = q;
        }
        uint8_t c = *p;
        if (c == '\0')
            break;
        if (c < 0x80) {
            static const char short_esc[0x23] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
                                                 ['\r'] = 'r', ['\t'] = 't', ['"'] = '"'};
            char e = c == '\\' ? '\\' : c < sizeof short_esc ? short_esc[c] : 0;
            if (e) {
                char *o = room(w, 2);
                o[0] = '\\';
                o[1] = e;
                w->len += 2;
            } else {
                put_u(w, c);
            }
            p++;
            continue;
        }
        /* At most 4 bytes are looked at, and the terminating NUL is no continuation byte. */
        uint32_t cp;
        size_t len = hs_utf8_decode(p, 4, &cp);
        if (len == 0) {
            w->len = start;
            return false;
        }
        if (!w->ascii) {
            put(w, (const char *)p, len);
        } else if (cp < 0x10000) {
            put_u(w, cp);
        } else {
            cp -= 0x10000;
            put_u(w, 0xd800 | (cp >> 10));
            put_u(w, 0xdc00 | (cp & 0x3ff));
        }
        p += len;
    }
    put_c(w, '"');
    return true;
}

/* s, or its safe copy when jansson would refuse s; false in that case. */
static bool put_string_safe(struct hs_jsonw *w, const char *s)
{
    if (put_string(w, s))
        return true;
    char *safe = hs_view_safe(s, false); /* valid UTF-8 by construction */
    if (!put_string(w, safe))
        put(w, "\"\"", 2);
    free(safe);
    return false;
}

bool hs_jsonw_key(struct hs_jsonw *w, const char *k)
{
    member(w);
    bool ok = put_string_safe(w, k ? k : "");
    if (w->compact)
        put_c(w, ':');
    else
        put(w, ": ", 2);
    w->after_key = true;
    return ok;
}

void hs_jsonw_str(struct hs_jsonw *w, const char *s)
{
    if (s == NULL) {
        hs_jsonw_null(w);
        return;
    }
    before(w);
    (void)put_string_safe(w, s);
    after(w);
}

/* The decimal digits of v (and its sign) written backwards, ending before end; their start. */
static char *decimal_before(char *end, long long v)
{
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--end = '-';
    return end;
}

void hs_jsonw_int(struct hs_jsonw *w, long long v)
{
    before(w);
    char tmp[24], *e = tmp + sizeof tmp, *p = decimal_before(e, v);
    put(w, p, (size_t)(e - p));
    after(w);
}

/*
 * The fast way for the reals hstrace writes, milliseconds to the microsecond: v is the double
 * nearest to k / 1000 for an integer k, 0 < |k| < 10^12.  Then "%.12g" gives k / 1000 in fixed
 * notation (v is within half an ulp of it, far below half a unit of the 12th digit, and
 * 10^-3 <= |v| < 10^9), trailing zeros dropped; ".0" when it has no fraction.  Else false.
 */
static bool put_ms(struct hs_jsonw *w, double v)
{
    if (!(v > -1e9 && v < 1e9))
        return false;
    long long k = (long long)(v * 1000.0 + (v < 0 ? -0.5 : 0.5));
    if (k == 0 || (double)k / 1000.0 != v)
        return false;
    char tmp[32], *e = tmp + sizeof tmp, *p = e;
    unsigned frac = (unsigned)((k < 0 ? -k : k) % 1000);
    if (frac == 0) {
        *--p = '0';
    } else {
        int digits = 3;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        for (; digits > 0; digits--) {
            *--p = (char)('0' + frac % 10);
            frac /= 10;
        }
    }
    *--p = '.';
    if (k < 0 && k > -1000) { /* "-0.5": the sign of a zero integer part */
        *--p = '0';
        *--p = '-';
    } else {
        p = decimal_before(p, k / 1000);
    }
    put(w, p, (size_t)(e - p));
    after(w);
    return true;
}

void hs_jsonw_real(struct hs_jsonw *w, double v)
{
    if (!isfinite(v)) {
        hs_jsonw_null(w);
        return;
    }
    before(w);
    if (put_ms(w, v))
        return;
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%.12g", v);
    if (n < 0 || (size_t)n >= sizeof tmp - 3) {
        put(w, "null", 4);
        after(w);
        return;
    }
    size_t len = (size_t)n;
    for (size_t i = 0; i < len; i++)
        if (tmp[i] == ',') /* a locale's decimal comma (LC_NUMERIC is never set, but) */
            tmp[i] = '.';
    char *ex = memchr(tmp, 'e', len);
    if (ex == NULL && memchr(tmp, '.', len) == NULL) {
        tmp[len++] = '.'; /* room: n < sizeof tmp - 3 */
        tmp[len++] = '0';
    }
    if (ex) {
        /* The exponent: '-' kept, '+' and leading zeros dropped. */
        char *from = ex + 1, *to = ex + 1;
        if (*from == '-')
            from = ++to;
        else if (*from == '+')
            from++;
        while (*from == '0')
            from++;
        size_t rest = len - (size_t)(from - tmp);
        memmove(to, from, rest);
        len = (size_t)(to - tmp) + rest;
    }
    put(w, tmp, len);
    after(w);
}

void hs_jsonw_bool(struct hs_jsonw *w, bool v)
{
    before(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
    after(w);
}

void hs_jsonw_null(struct hs_jsonw *w)
{
    before(w);
    put(w, "null", 4);
    after(w);
}

bool hs_jsonw_utf8_ok(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    uint32_t cp;
    for (;;) {
        while (*p && *p < 0x80)
            p++;
        if (*p == 0)
            return true;
        size_t len = hs_utf8_decode(p, 4, &cp); /* stops at the NUL (see put_string) */
        if (len == 0)
            return false;
        p += len;
    }
}
