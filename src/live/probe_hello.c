/* The probe's ClientHello writer and its reader of the server's first hello. */
#include "probe_hello.h"

#include "../tls/cursor.h"

#include <string.h>

void hs_pw_bytes(struct hs_pw *w, const uint8_t *b, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (n > 0)
        memcpy(w->p + w->len, b, n);
    w->len += n;
}

void hs_pw_u8(struct hs_pw *w, uint8_t v)
{
    hs_pw_bytes(w, &v, 1);
}

void hs_pw_u16(struct hs_pw *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    hs_pw_bytes(w, b, 2);
}

size_t hs_pw_open(struct hs_pw *w, unsigned bytes)
{
    static const uint8_t zero[3];
    size_t at = w->len;
    hs_pw_bytes(w, zero, bytes);
    return at;
}

void hs_pw_close(struct hs_pw *w, size_t at, unsigned bytes)
{
    if (w->overflow)
        return;
    size_t n = w->len - at - bytes;
    if (bytes < 3 && n >> (8 * bytes) != 0) {
        w->overflow = true;
        return;
    }
    for (unsigned i = 0; i < bytes; i++)
        w->p[at + i] = (uint8_t)(n >> (8 * (bytes - 1 - i)));
}

/* An extension: type, then its body between ext_begin and ext_end. */
static size_t ext_begin(struct hs_pw *w, uint16_t type)
{
    hs_pw_u16(w, type);
    return hs_pw_open(w, 2);
}

static void ext_end(struct hs_pw *w, size_t at)
{
    hs_pw_close(w, at, 2);
}

/* Signature schemes offered: ECDSA, RSA-PSS, RSA PKCS#1, EdDSA. */
static const uint16_t sig_schemes[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501,
                                       0x0806, 0x0601, 0x0807};

static void put_sni(struct hs_pw *w, const char *sni)
{
    size_t e = ext_begin(w, 0);
    size_t list = hs_pw_open(w, 2);
    hs_pw_u8(w, 0); /* host_name */
    size_t name = hs_pw_open(w, 2);
    hs_pw_bytes(w, (const uint8_t *)sni, strlen(sni));
    hs_pw_close(w, name, 2);
    hs_pw_close(w, list, 2);
    ext_end(w, e);
}

static void put_alpn(struct hs_pw *w, const char *const *alpn)
{
    size_t e = ext_begin(w, 16);
    size_t list = hs_pw_open(w, 2);
    for (size_t i = 0; i < HS_PROBE_MAX_LIST && alpn[i]; i++) {
        size_t one = hs_pw_open(w, 1);
        hs_pw_bytes(w, (const uint8_t *)alpn[i], strlen(alpn[i]));
        hs_pw_close(w, one, 1);
    }
    hs_pw_close(w, list, 2);
    ext_end(w, e);
}

static void put_key_share(struct hs_pw *w, const struct hs_probe_hello *h)
{
    size_t e = ext_begin(w, 51);
    size_t list = hs_pw_open(w, 2);
    if (!h->retry) { /* RFC 8701: a GREASE share of one byte, first flight only */
        hs_pw_u16(w, h->grease[0]);
        hs_pw_u16(w, 1);
        hs_pw_u8(w, 0);
    }
    for (size_t i = 0; i < h->nshares && i < HS_PROBE_MAX_SHARES; i++) {
        hs_pw_u16(w, h->shares[i].group);
        size_t k = hs_pw_open(w, 2);
        hs_pw_bytes(w, h->shares[i].key, h->shares[i].len);
        hs_pw_close(w, k, 2);
    }
    hs_pw_close(w, list, 2);
    ext_end(w, e);
}

/* RFC 9849 section 6.2: an outer ECHClientHello nobody can open. */
static void put_grease_ech(struct hs_pw *w, const struct hs_probe_hello *h)
{
    size_t e = ext_begin(w, 0xfe0d);
    hs_pw_u8(w, 0);       /* outer */
    hs_pw_u16(w, 0x0001); /* HKDF-SHA256 */
    hs_pw_u16(w, 0x0001); /* AES-128-GCM */
    hs_pw_u8(w, h->ech_config_id);
    size_t enc = hs_pw_open(w, 2);
    if (h->ech_enc)
        hs_pw_bytes(w, h->ech_enc, 32);
    hs_pw_close(w, enc, 2);
    size_t pl = hs_pw_open(w, 2);
    hs_pw_bytes(w, h->ech_payload, h->ech_payload_len);
    hs_pw_close(w, pl, 2);
    ext_end(w, e);
}

static void put_extensions(struct hs_pw *w, const struct hs_probe_hello *h)
{
    size_t e = ext_begin(w, h->grease[2]); /* GREASE, empty */
    ext_end(w, e);
    if (h->sni)
        put_sni(w, h->sni);
    e = ext_begin(w, 23); /* extended_master_secret */
    ext_end(w, e);
    e = ext_begin(w, 0xff01); /* renegotiation_info: empty */
    hs_pw_u8(w, 0);
    ext_end(w, e);
    e = ext_begin(w, 10); /* supported_groups */
    size_t list = hs_pw_open(w, 2);
    hs_pw_u16(w, h->grease[0]);
    for (size_t i = 0; i < HS_PROBE_MAX_LIST && h->groups[i]; i++)
        hs_pw_u16(w, h->groups[i]);
    hs_pw_close(w, list, 2);
    ext_end(w, e);
    e = ext_begin(w, 11); /* ec_point_formats: uncompressed */
    hs_pw_u8(w, 1);
    hs_pw_u8(w, 0);
    ext_end(w, e);
    if (h->alpn && h->alpn[0])
        put_alpn(w, h->alpn);
    e = ext_begin(w, 5); /* status_request: OCSP, no responders, no extensions */
    hs_pw_u8(w, 1);
    hs_pw_u16(w, 0);
    hs_pw_u16(w, 0);
    ext_end(w, e);
    e = ext_begin(w, 13); /* signature_algorithms */
    list = hs_pw_open(w, 2);
    for (size_t i = 0; i < sizeof sig_schemes / sizeof sig_schemes[0]; i++)
        hs_pw_u16(w, sig_schemes[i]);
    hs_pw_close(w, list, 2);
    ext_end(w, e);
    put_key_share(w, h);
    e = ext_begin(w, 45); /* psk_key_exchange_modes: psk_dhe_ke */
    hs_pw_u8(w, 1);
    hs_pw_u8(w, 1);
    ext_end(w, e);
    e = ext_begin(w, 43); /* supported_versions */
    list = hs_pw_open(w, 1);
    hs_pw_u16(w, h->grease[1]);
    hs_pw_u16(w, 0x0304);
    if (!h->tls13_only)
        hs_pw_u16(w, 0x0303);
    hs_pw_close(w, list, 1);
    ext_end(w, e);
    e = ext_begin(w, 27); /* compress_certificate: brotli, zlib, zstd */
    list = hs_pw_open(w, 1);
    hs_pw_u16(w, 2);
    hs_pw_u16(w, 1);
    hs_pw_u16(w, 3);
    hs_pw_close(w, list, 1);
    ext_end(w, e);
    if (h->cookie) {
        e = ext_begin(w, 44);
        list = hs_pw_open(w, 2);
        hs_pw_bytes(w, h->cookie, h->cookie_len);
        hs_pw_close(w, list, 2);
        ext_end(w, e);
    }
    if (h->ech)
        put_grease_ech(w, h);
    e = ext_begin(w, h->grease[3]); /* GREASE, one zero byte (as browsers send it) */
    hs_pw_u8(w, 0);
    ext_end(w, e);
}

size_t hs_probe_hello_write(const struct hs_probe_hello *h, uint8_t *out, size_t cap)
{
    struct hs_pw w = {.p = out, .cap = cap};
    hs_pw_u8(&w, 1); /* client_hello */
    size_t body = hs_pw_open(&w, 3);
    hs_pw_u16(&w, 0x0303);
    hs_pw_bytes(&w, h->random, 32);
    hs_pw_u8(&w, 32);
    hs_pw_bytes(&w, h->session_id, 32);
    size_t list = hs_pw_open(&w, 2);
    hs_pw_u16(&w, h->grease[0]);
    for (size_t i = 0; i < HS_PROBE_MAX_LIST && h->suites[i]; i++)
        hs_pw_u16(&w, (uint16_t)h->suites[i]);
    hs_pw_close(&w, list, 2);
    hs_pw_u8(&w, 1); /* compression: null only */
    hs_pw_u8(&w, 0);
    size_t exts = hs_pw_open(&w, 2);
    put_extensions(&w, h);
    hs_pw_close(&w, exts, 2);
    hs_pw_close(&w, body, 3);
    return w.overflow ? 0 : w.len;
}

/* SHA-256("HelloRetryRequest"): the random of a HelloRetryRequest (RFC 8446 section 4.1.3). */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* One extension of the server's hello into a. */
static int read_extension(uint16_t type, struct hs_cur *b, struct hs_probe_answer *a)
{
    switch (type) {
    case 43: /* supported_versions */
        HS_TRY(hs_cur_u16(b, &a->version));
        break;
    case 51: /* key_share: the group alone in an HRR */
        HS_TRY(hs_cur_u16(b, &a->group));
        if (!a->hrr) {
            uint16_t len;
            HS_TRY(hs_cur_u16(b, &len));
            HS_TRY(hs_cur_bytes(b, len, &a->key_share));
            a->key_share_len = len;
        }
        break;
    case 44: { /* cookie */
        uint16_t len;
        HS_TRY(hs_cur_u16(b, &len));
        HS_ENSURE(len > 0, HS_ERR_INVALID);
        HS_TRY(hs_cur_bytes(b, len, &a->cookie));
        a->cookie_len = len;
        break;
    }
    case 0xfe0d: /* encrypted_client_hello: an HRR's confirmation */
        a->ech = true;
        a->ech_len = hs_cur_left(b);
        HS_TRY(hs_cur_skip(b, a->ech_len));
        break;
    default:
        HS_TRY(hs_cur_skip(b, hs_cur_left(b)));
        break;
    }
    return hs_cur_left(b) == 0 ? HS_OK : HS_ERR_INVALID;
}

int hs_probe_read_answer(const uint8_t *body, size_t n, struct hs_probe_answer *a)
{
    memset(a, 0, sizeof *a);
    struct hs_cur c = hs_cur_make(body, n);
    const uint8_t *random;
    uint8_t sid_len, comp;
    if (hs_cur_u16(&c, &a->legacy_version) != HS_OK || hs_cur_bytes(&c, 32, &random) != HS_OK ||
        hs_cur_u8(&c, &sid_len) != HS_OK || sid_len > 32 || hs_cur_skip(&c, sid_len) != HS_OK ||
        hs_cur_u16(&c, &a->suite) != HS_OK || hs_cur_u8(&c, &comp) != HS_OK)
        return -1;
    a->hrr = memcmp(random, hrr_random, 32) == 0;
    a->version = a->legacy_version;
    if (hs_cur_left(&c) == 0)
        return 0; /* no extensions (TLS 1.2 and older) */
    uint16_t ext_len;
    if (hs_cur_u16(&c, &ext_len) != HS_OK || ext_len != hs_cur_left(&c))
        return -1;
    for (int i = 0; hs_cur_left(&c) > 0 && i < 256; i++) {
        uint16_t type, len;
        const uint8_t *p;
        if (hs_cur_u16(&c, &type) != HS_OK || hs_cur_u16(&c, &len) != HS_OK ||
            hs_cur_bytes(&c, len, &p) != HS_OK)
            return -1;
        struct hs_cur b = {c.buf, (size_t)(p - c.buf), (size_t)(p - c.buf) + len};
        if (read_extension(type, &b, a) != HS_OK)
            return -1;
    }
    return hs_cur_left(&c) == 0 ? 0 : -1;
}
