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

size_t hs_utf8_encode(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xc0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xe0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | (cp >> 18 & 0x07));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/*
 * Code points never shown raw, as sorted, disjoint, inclusive ranges: C0, DEL and C1 controls,
 * the line and paragraph separators, every code point of the general category Cf (format:
 * bidirectional controls, invisible operators, tags, ...; Unicode 15.1) and every
 * Default_Ignorable_Code_Point (variation selectors, fillers, soft hyphen, ...).  Either kind
 * can hide text or reorder it on a terminal ("pay\u{2060}pal" reads as "paypal").
 * tests/tools/check-unsafe-table compares this table with Python's unicodedata.
 */
static const struct {
    uint32_t lo, hi;
} unsafe_ranges[] = {
    {0x0000, 0x001f},   /* C0 controls */
    {0x007f, 0x009f},   /* DEL, C1 controls */
    {0x00ad, 0x00ad},   /* soft hyphen */
    {0x034f, 0x034f},   /* combining grapheme joiner */
    {0x0600, 0x0605},   /* Arabic number signs */
    {0x061c, 0x061c},   /* Arabic letter mark */
    {0x06dd, 0x06dd},   /* Arabic end of ayah */
    {0x070f, 0x070f},   /* Syriac abbreviation mark */
    {0x0890, 0x0891},   /* Arabic pound and piastre marks above */
    {0x08e2, 0x08e2},   /* Arabic disputed end of ayah */
    {0x115f, 0x1160},   /* Hangul choseong and jungseong fillers */
    {0x17b4, 0x17b5},   /* Khmer inherent vowels */
    {0x180b, 0x180f},   /* Mongolian variation selectors, vowel separator */
    {0x200b, 0x200f},   /* zero-width space, joiners, LRM, RLM */
    {0x2028, 0x202e},   /* line and paragraph separators, bidi embeddings and overrides */
    {0x2060, 0x206f},   /* word joiner, invisible operators, bidi isolates, deprecated */
    {0x3164, 0x3164},   /* Hangul filler */
    {0xfe00, 0xfe0f},   /* variation selectors 1-16 */
    {0xfeff, 0xfeff},   /* zero-width no-break space (BOM) */
    {0xffa0, 0xffa0},   /* halfwidth Hangul filler */
    {0xfff0, 0xfffb},   /* unassigned ignorables, interlinear annotation controls */
    {0x110bd, 0x110bd}, /* Kaithi number sign */
    {0x110cd, 0x110cd}, /* Kaithi number sign above */
    {0x13430, 0x1343f}, /* Egyptian hieroglyph format controls */
    {0x1bca0, 0x1bca3}, /* shorthand format controls */
    {0x1d173, 0x1d17a}, /* musical symbol format controls */
    {0xe0000, 0xe0fff}, /* tags, variation selectors 17-256, reserved ignorables */
};

bool hs_cp_unsafe(uint32_t cp)
{
    if (cp < 0xad) /* below the first entry past the controls */
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
    /* Noncharacters: U+FDD0..U+FDEF and the last two of every plane (XML forbids them too). */
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
        return true;
    size_t lo = 0, hi = sizeof unsafe_ranges / sizeof unsafe_ranges[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < unsafe_ranges[mid].lo)
            hi = mid;
        else if (cp > unsafe_ranges[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool hs_cp_drawing(uint32_t cp)
{
    return cp == 0xb7 || (cp >= 0x2190 && cp <= 0x2193) || (cp >= 0x2500 && cp <= 0x257f) ||
           cp == 0x25b8 || cp == 0x25ba || cp == 0x25be || cp == 0x25c4 || cp == 0x2717;
}

static char *escape(const uint8_t *p, size_t n, bool drawing_ok)
{
    /* Room for the text as it is, the common case: printable ASCII is copied a run at a time. */
    struct sbuf b = {.p = hs_xmalloc(n + 1), .cap = n + 1};
    b.p[0] = '\0';
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t run = 0;
        while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f && p[i + run] != '\\')
            run++;
        if (run > 0) {
            put(&b, (const char *)&p[i], run);
            i += run;
        } else if (c == '\\') {
            put(&b, "\\\\", 2);
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
            } else if (hs_cp_unsafe(cp) || (!drawing_ok && hs_cp_drawing(cp))) {
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

char *hs_escape(const uint8_t *p, size_t n)
{
    return escape(p, n, false);
}

char *hs_escape_again(const char *s)
{
    struct sbuf b = {0};
    put(&b, "", 0);
    const uint8_t *p = (const uint8_t *)(s ? s : "");
    size_t n = strlen((const char *)p), i = 0;
    while (i < n) {
        size_t run = 0;
        while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f)
            run++;
        put(&b, (const char *)p + i, run);
        i += run;
        if (i >= n)
            break;
        uint32_t cp;
        size_t len = p[i] >= 0x80 ? hs_utf8_decode(p + i, n - i, &cp) : 0;
        if (len == 0) {
            put_byte_escape(&b, p[i]);
            i++;
        } else if (hs_cp_unsafe(cp)) {
            char tmp[16];
            int k = snprintf(tmp, sizeof tmp, "\\u{%04x}", (unsigned)cp);
            put(&b, tmp, (size_t)k);
            i += len;
        } else {
            put(&b, (const char *)p + i, len);
            i += len;
        }
    }
    return b.p;
}

char *hs_escape_str(const char *s)
{
    return escape((const uint8_t *)(s ? s : ""), s ? strlen(s) : 0, true);
}
