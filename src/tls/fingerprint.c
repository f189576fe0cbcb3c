/*
 * JA3/JA3S (github.com/salesforce/ja3) and JA4/JA4S (github.com/FoxIO-LLC/ja4, technical
 * details) from the hello bytes.  The message is read again here, on its own, with the same
 * bounded cursor as the decoder: the fingerprints need the lists whole and in wire order,
 * which the decoder's field tree cuts at its display limits.
 */
#include "fingerprint.h"

#include "../core/mem.h"
#include "cursor.h"
#include "names.h"

#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list of 16-bit values with GREASE left out. */
struct u16s {
    uint16_t *v;
    unsigned n;
};

/* What the fingerprints need from one hello. */
struct hello {
    uint16_t legacy;            /* legacy_version */
    uint16_t version;           /* CH: highest supported_versions; SH: selected; 0 none */
    struct u16s suites;         /* CH: offered; SH: the one chosen */
    struct u16s exts;           /* extension types in wire order */
    struct u16s groups, sigalgs;
    uint8_t formats[255];
    unsigned nformats;
    bool sni;
    const uint8_t *alpn;        /* the first ALPN protocol, NULL when none */
    size_t alpn_len;
};

/* Growing text. */
struct sb {
    char *s;
    size_t len, cap;
};

static void sb_put(struct sb *b, const char *p, size_t k)
{
    if (b->len + k + 1 > b->cap) {
        b->cap = (b->len + k + 1) * 2;
        b->s = hs_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, p, k);
    b->len += k;
    b->s[b->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void sb_add(struct sb *b, const char *fmt, ...)
{
    char tmp[16];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof tmp)
        return; /* only short pieces are added */
    sb_put(b, tmp, (size_t)k);
}

static void sb_putc(struct sb *b, char c)
{
    sb_put(b, &c, 1);
}

static void sb_clear(struct sb *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

/* The values of list joined by sep, decimal or 4-digit lower-case hex. */
static void sb_list(struct sb *b, const struct u16s *l, bool hex, char sep)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < l->n; i++) { /* by hand: printf was most of a capture's CPU */
        char tmp[8];
        size_t k = 0;
        unsigned v = l->v[i];
        if (i)
            tmp[k++] = sep;
        if (hex) {
            for (int sh = 12; sh >= 0; sh -= 4)
                tmp[k++] = digits[(v >> sh) & 15];
        } else {
            char rev[6];
            size_t m = 0;
            do
                rev[m++] = digits[v % 10];
            while ((v /= 10) != 0);
            while (m)
                tmp[k++] = rev[--m];
        }
        sb_put(b, tmp, k);
    }
    if (b->s == NULL)
        sb_add(b, "%s", "");
}

/* Reads the 16-bit values of v (GREASE dropped) into l. */
static int read_u16s(struct hs_cur v, struct u16s *l)
{
    HS_ENSURE(hs_cur_left(&v) % 2 == 0, HS_ERR_INVALID);
    free(l->v);
    l->v = hs_xcalloc(hs_cur_left(&v) / 2 + 1, sizeof *l->v);
    l->n = 0;
    uint16_t x;
    while (hs_cur_u16(&v, &x) == HS_OK)
        if (!hs_is_grease(x))
            l->v[l->n++] = x;
    return HS_OK;
}

static void hello_free(struct hello *h)
{
    free(h->suites.v);
    free(h->exts.v);
    free(h->groups.v);
    free(h->sigalgs.v);
}

/* One extension's content, where it matters. */
static int read_ext(struct hello *h, uint16_t type, struct hs_cur b, bool client)
{
    struct hs_cur v;
    switch (type) {
    case 0:
        h->sni = true;
        return HS_OK;
    case 10:
        if (!client)
            return HS_OK;
        HS_TRY(hs_cur_vec(&b, 2, 0, 0xffff, &v));
        return read_u16s(v, &h->groups);
    case 11: {
        if (!client)
            return HS_OK;
        HS_TRY(hs_cur_vec(&b, 1, 0, 0xff, &v));
        h->nformats = (unsigned)hs_cur_left(&v);
        memcpy(h->formats, hs_cur_ptr(&v), h->nformats);
        return HS_OK;
    }
    case 13:
        if (!client)
            return HS_OK;
        HS_TRY(hs_cur_vec(&b, 2, 0, 0xffff, &v));
        return read_u16s(v, &h->sigalgs);
    case 16: {
        struct hs_cur name;
        HS_TRY(hs_cur_vec(&b, 2, 0, 0xffff, &v));
        if (hs_cur_left(&v) == 0)
            return HS_OK;
        HS_TRY(hs_cur_vec(&v, 1, 0, 0xff, &name));
        h->alpn = hs_cur_ptr(&name);
        h->alpn_len = hs_cur_left(&name);
        return HS_OK;
    }
    case 43: {
        uint16_t x;
        if (!client)
            return hs_cur_u16(&b, &h->version);
        HS_TRY(hs_cur_vec(&b, 1, 0, 0xff, &v));
        while (hs_cur_u16(&v, &x) == HS_OK)
            if (!hs_is_grease(x) && x > h->version)
                h->version = x;
        return HS_OK;
    }
    default:
        return HS_OK;
    }
}

/* The extensions block, when there is one. */
static int read_exts(struct hello *h, struct hs_cur *c, bool client)
{
    struct hs_cur list;
    h->exts.v = hs_xcalloc(hs_cur_left(c) / 4 + 1, sizeof *h->exts.v);
    if (hs_cur_left(c) == 0)
        return HS_OK;
    HS_TRY(hs_cur_vec(c, 2, 0, 0xffff, &list));
    while (hs_cur_left(&list) > 0) {
        uint16_t type;
        struct hs_cur body;
        HS_TRY(hs_cur_u16(&list, &type));
        HS_TRY(hs_cur_vec(&list, 2, 0, 0xffff, &body));
        if (hs_is_grease(type))
            continue;
        h->exts.v[h->exts.n++] = type;
        HS_TRY(read_ext(h, type, body, client));
    }
    return HS_OK;
}

/* The hello's body after its 4-byte header, up to the random's end. */
static int read_start(struct hello *h, const uint8_t *p, size_t n, uint8_t want,
                      struct hs_cur *c)
{
    struct hs_cur all = hs_cur_make(p, n);
    uint8_t type;
    uint32_t len;
    HS_TRY(hs_cur_u8(&all, &type));
    HS_ENSURE(type == want, HS_ERR_INVALID);
    HS_TRY(hs_cur_u24(&all, &len));
    HS_TRY(hs_cur_sub(&all, len, c));
    HS_TRY(hs_cur_u16(c, &h->legacy));
    return hs_cur_skip(c, 32);
}

static int read_client(struct hello *h, const uint8_t *p, size_t n)
{
    struct hs_cur c, v;
    HS_TRY(read_start(h, p, n, 1, &c));
    HS_TRY(hs_cur_vec(&c, 1, 0, 32, &v));
    HS_TRY(hs_cur_vec(&c, 2, 0, 0xffff, &v));
    HS_TRY(read_u16s(v, &h->suites));
    HS_TRY(hs_cur_vec(&c, 1, 0, 0xff, &v));
    return read_exts(h, &c, true);
}

static int read_server(struct hello *h, const uint8_t *p, size_t n)
{
    struct hs_cur c, v;
    uint16_t suite;
    uint8_t comp;
    HS_TRY(read_start(h, p, n, 2, &c));
    HS_TRY(hs_cur_vec(&c, 1, 0, 32, &v));
    HS_TRY(hs_cur_u16(&c, &suite));
    h->suites.v = hs_xcalloc(1, sizeof *h->suites.v);
    h->suites.v[h->suites.n++] = suite;
    HS_TRY(hs_cur_u8(&c, &comp));
    return read_exts(h, &c, false);
}

/* The MD5 of s in lower-case hex under key_hash, s itself under key_string. */
static void add_md5(struct hs_field *obj, const char *key_hash, const char *key_string,
                    const char *s)
{
    uint8_t d[16];
    hs_f_str(obj, key_string, s);
    if (mbedtls_md5((const unsigned char *)s, strlen(s), d) == 0)
        hs_f_hex(obj, key_hash, d, sizeof d);
    else
        hs_f_null(obj, key_hash);
}

/* JA4: the first 12 hex digits of SHA-256(s), or twelve zeros for an empty list. */
static void sha12(struct sb *out, const struct sb *s, bool empty)
{
    uint8_t d[32];
    if (empty || mbedtls_sha256((const unsigned char *)s->s, s->len, d, 0) != 0) {
        sb_add(out, "%s", "000000000000");
        return;
    }
    static const char hex[] = "0123456789abcdef";
    char t[12];
    for (int i = 0; i < 6; i++) {
        t[2 * i] = hex[d[i] >> 4];
        t[2 * i + 1] = hex[d[i] & 15];
    }
    sb_put(out, t, sizeof t);
}

/* JA4: the version's two characters ("00" unknown). */
static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
    }
}

static bool alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* JA4/JA4S "a" part: protocol, version, [SNI,] counts, then the first ALPN value's first
 * and last characters (of its hex form when either is not alphanumeric; "00" when none). */
static void ja4_a(struct sb *b, const struct hello *h, bool client)
{
    static const char hex[] = "0123456789abcdef";
    unsigned ne = h->exts.n > 99 ? 99 : h->exts.n;
    sb_add(b, "t%s", ja4_version(h->version ? h->version : h->legacy));
    if (client)
        sb_add(b, "%c%02u", h->sni ? 'd' : 'i', h->suites.n > 99 ? 99 : h->suites.n);
    sb_add(b, "%02u", ne);
    if (h->alpn == NULL || h->alpn_len == 0) {
        sb_add(b, "%s", "00");
        return;
    }
    uint8_t first = h->alpn[0], last = h->alpn[h->alpn_len - 1];
    if (alnum(first) && alnum(last))
        sb_add(b, "%c%c", first, last);
    else
        sb_add(b, "%c%c", hex[first >> 4], hex[last & 15]);
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Ascending order: by insertion for the usual short lists, qsort for long (hostile) ones. */
static void sort_u16(struct u16s *l)
{
    if (l->n > 64) {
        qsort(l->v, l->n, sizeof(uint16_t), cmp_u16);
        return;
    }
    for (unsigned i = 1; i < l->n; i++) {
        uint16_t x = l->v[i];
        unsigned j = i;
        for (; j > 0 && l->v[j - 1] > x; j--)
            l->v[j] = l->v[j - 1];
        l->v[j] = x;
    }
}

static void add_ja4(struct hs_field *obj, const struct hello *h)
{
    struct sb out = {0}, s = {0};
    ja4_a(&out, h, true);
    struct u16s sorted = {hs_xcalloc(h->suites.n + h->exts.n + 1, sizeof(uint16_t)), 0};
    memcpy(sorted.v, h->suites.v, h->suites.n * sizeof(uint16_t));
    sorted.n = h->suites.n;
    sort_u16(&sorted);
    sb_list(&s, &sorted, true, ',');
    sb_putc(&out, '_');
    sha12(&out, &s, sorted.n == 0);
    sorted.n = 0;
    for (unsigned i = 0; i < h->exts.n; i++)
        if (h->exts.v[i] != 0 && h->exts.v[i] != 16)
            sorted.v[sorted.n++] = h->exts.v[i];
    sort_u16(&sorted);
    sb_clear(&s);
    sb_list(&s, &sorted, true, ',');
    if (h->sigalgs.n > 0) {
        sb_putc(&s, '_');
        sb_list(&s, &h->sigalgs, true, ',');
    }
    sb_putc(&out, '_');
    sha12(&out, &s, sorted.n == 0);
    hs_f_str(obj, "ja4", out.s);
    free(sorted.v);
    free(s.s);
    free(out.s);
}

bool hs_fp_client_hello(struct hs_field *obj, const uint8_t *p, size_t n)
{
    struct hello h = {0};
    bool ok = read_client(&h, p, n) == HS_OK;
    if (ok) {
        struct sb s = {0};
        struct u16s formats = {hs_xcalloc(h.nformats + 1, sizeof(uint16_t)), h.nformats};
        for (unsigned i = 0; i < h.nformats; i++)
            formats.v[i] = h.formats[i];
        sb_add(&s, "%u,", h.legacy);
        sb_list(&s, &h.suites, false, '-');
        sb_putc(&s, ',');
        sb_list(&s, &h.exts, false, '-');
        sb_putc(&s, ',');
        sb_list(&s, &h.groups, false, '-');
        sb_putc(&s, ',');
        sb_list(&s, &formats, false, '-');
        add_md5(obj, "ja3", "ja3_string", s.s);
        add_ja4(obj, &h);
        free(formats.v);
        free(s.s);
    }
    hello_free(&h);
    return ok;
}

bool hs_fp_server_hello(struct hs_field *obj, const uint8_t *p, size_t n)
{
    struct hello h = {0};
    bool ok = read_server(&h, p, n) == HS_OK;
    if (ok) {
        struct sb s = {0}, out = {0};
        sb_add(&s, "%u,%u,", h.legacy, h.suites.v[0]);
        sb_list(&s, &h.exts, false, '-');
        add_md5(obj, "ja3s", "ja3s_string", s.s);
        ja4_a(&out, &h, false);
        sb_add(&out, "_%04x_", h.suites.v[0]);
        sb_clear(&s);
        sb_list(&s, &h.exts, true, ',');
        sha12(&out, &s, h.exts.n == 0);
        hs_f_str(obj, "ja4s", out.s);
        free(out.s);
        free(s.s);
    }
    hello_free(&h);
    return ok;
}
