/* A last sanitising pass and column arithmetic for the views. */
#include "safe.h"

#include "glyphs.h"

#include "../core/escape.h"
#include "../core/mem.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The ASCII form of one of the glyph table's single-character glyphs, or NULL. */
static const char *ascii_form(uint32_t cp)
{
    static const struct {
        const char *uni, *ascii;
    } glyphs[] = {
#define PAIR(name, uni, ascii) {uni, ascii},
        HS_GLYPHS(PAIR)
#undef PAIR
    };
    uint8_t u[4];
    size_t n = hs_utf8_encode(cp, u);
    for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++)
        if (strlen(glyphs[i].uni) == n && memcmp(glyphs[i].uni, u, n) == 0)
            return glyphs[i].ascii;
    return NULL;
}

char *hs_view_safe(const char *s, bool ascii)
{
    if (s == NULL)
        return hs_xstrdup("");
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    /* Worst case: every byte becomes \xNN (4), every 4-byte character \u{10ffff} (10). */
    char *out = hs_xmalloc(4 * n + 1);
    size_t o = 0, i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        uint32_t cp = 0;
        const char *k;
        size_t len = c >= 0x80 ? hs_utf8_decode(p + i, n - i, &cp) : 0;
        if (len == 0) {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
            i++;
        } else if (ascii && (k = ascii_form(cp)) != NULL) {
            /* hstrace's own glyph (peer text cannot hold one raw: core/escape.h). */
            size_t m = strlen(k);
            memcpy(out + o, k, m);
            o += m;
            i += len;
        } else if (ascii || hs_cp_unsafe(cp)) {
            /* At most 10 bytes for at least 2 input bytes: within the 4n bound. */
            o += (size_t)snprintf(out + o, 11, "\\u{%04x}", (unsigned)cp);
            i += len;
        } else {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        }
    }
    out[o] = '\0';
    return out;
}

bool hs_view_locale_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

/* Columns of one code point: a short list of the common wide and zero-width ranges. */
static size_t cp_cols(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
        (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
        (cp >= 0xfe20 && cp <= 0xfe2f))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
        (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
        (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
        (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
        (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
        (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
        (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
        return 2;
    return 1;
}

/* Decodes one character at s[i] (any byte sequence: a bad byte counts as one column). */
static size_t next_char(const char *s, size_t n, size_t i, size_t *cols)
{
    const uint8_t *p = (const uint8_t *)s;
    if (p[i] < 0x80) {
        *cols = 1;
        return 1;
    }
    uint32_t cp;
    size_t len = hs_utf8_decode(p + i, n - i, &cp);
    if (len == 0) {
        *cols = 1;
        return 1;
    }
    *cols = cp_cols(cp);
    return len;
}

size_t hs_view_cols(const char *s, size_t n)
{
    size_t cols = 0, i = 0;
    while (i < n) {
        size_t w;
        i += next_char(s, n, i, &w);
        cols += w;
    }
    return cols;
}

size_t hs_view_fit(const char *s, size_t cols, size_t *used)
{
    size_t n = strlen(s), i = 0, total = 0;
    while (i < n) {
        size_t w, len = next_char(s, n, i, &w);
        if (total + w > cols)
            break;
        total += w;
        i += len;
    }
    if (used)
        *used = total;
    return i;
}

char *hs_view_prose(const char *s, bool ascii)
{
    if (s == NULL || !ascii || strstr(s, "\xc2\xa7") == NULL)
        return hs_view_safe(s, ascii);
    /* Each two-byte section sign becomes the eight bytes "section ": at most 4n. */
    size_t n = strlen(s);
    char *tmp = hs_xmalloc(4 * n + 1), *o = tmp;
    for (const char *p = s; *p;) {
        if (p[0] == '\xc2' && p[1] == '\xa7') {
            memcpy(o, "section ", 8);
            o += 8;
            p += 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    char *out = hs_view_safe(tmp, true);
    free(tmp);
    return out;
}
