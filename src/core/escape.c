/* Escaping of peer-supplied text: everything printed or serialised passes through here once. */
#include "escape.h"

#include "mem.h"

#include <stdio.h>
#include <string.h>

struct sbuf {
    char *p;
    size_t len, cap;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 64;
        b->p = hs_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_byte_escape(struct sbuf *b, uint8_t c)
{
    char tmp[8];
    snprintf(tmp, sizeof tmp, "\\x%02x", c);
    put(b, tmp, 4);
}

size_t hs_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t v, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2; v = c & 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3; v = c & 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

bool hs_cp_unsafe(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff ||
           cp == 0x2028 || cp == 0x2029;
}

char *hs_escape(const uint8_t *p, size_t n)
{
    struct sbuf b = {0};
    put(&b, "", 0);
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c == '\\') {
            put(&b, "\\\\", 2);
            i++;
        } else if (c >= 0x20 && c < 0x7f) {
            put(&b, (const char *)&p[i], 1);
            i++;
        } else if (c < 0x80) {
            put_byte_escape(&b, c);
            i++;
        } else {
            uint32_t cp;
            size_t len = hs_utf8_decode(p + i, n - i, &cp);
            if (len == 0) {
                put_byte_escape(&b, c);
                i++;
            } else if (hs_cp_unsafe(cp)) {
                char tmp[16];
                int k = snprintf(tmp, sizeof tmp, "\\u{%04x}", (unsigned)cp);
                put(&b, tmp, (size_t)k);
                i += len;
            } else {
                put(&b, (const char *)&p[i], len);
                i += len;
            }
        }
    }
    return b.p;
}

char *hs_escape_str(const char *s)
{
    return hs_escape((const uint8_t *)(s ? s : ""), s ? strlen(s) : 0);
}
