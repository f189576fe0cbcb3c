/*
 * RC4 and NULL suites: RC4's keystream against RFC 6229 (offset 0 of its 40- and 128-bit keys)
 * and the classic "Key"/"Plaintext" vectors, further offsets as openssl's legacy provider
 * computes them; then TLS 1.0-1.2 records of RC4 and NULL suites sealed here (key block from
 * the PRF, HMAC with mbedTLS directly, RC4 run on across records) and opened through
 * hs_protect_*, with tampered and truncated records; and which suites are decrypted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/protect.h"
#include "tls/rc4.h"
#include "tls/suites.h"

#include <mbedtls/md.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

/* The keystream at `offset` (the cipher run over zero bytes). */
static void keystream(const char *key_hex, size_t offset, const char *want_hex)
{
    uint8_t key[32], want[16], zero[4096] = {0}, got[16];
    size_t klen = unhex(key_hex, key);
    assert_int_equal(unhex(want_hex, want), 16);
    struct hs_rc4 st;
    hs_rc4_init(&st, key, klen);
    uint8_t skip[4096];
    while (offset > 0) {
        size_t k = offset < sizeof skip ? offset : sizeof skip;
        hs_rc4_crypt(&st, zero, skip, k);
        offset -= k;
    }
    hs_rc4_crypt(&st, zero, got, 16);
    assert_memory_equal(got, want, 16);
}

static void test_rc4_vectors(void **state)
{
    (void)state;
    /* RFC 6229 section 2, offset 0 */
    keystream("0102030405", 0, "b2396305f03dc027ccc3524a0a1118a8");
    keystream("0102030405060708090a0b0c0d0e0f10", 0, "9ac7cc9a609d1ef7b2932899cde41b97");
    /* further offsets (openssl enc -rc4 -provider legacy) */
    keystream("0102030405", 16, "6982944f18fc82d589c403a47a0d0919");
    keystream("0102030405", 4096, "ff25b58995996707e51fbdf08b34d875");
    keystream("0102030405060708090a0b0c0d0e0f10", 16, "5248c4959014126a6e8a84f11d1a9e1c");
    keystream("0102030405060708090a0b0c0d0e0f10", 1536, "ffa0b514647ec04f6306b892ae661181");
    /* the classic text vectors */
    static const struct {
        const char *key, *pt, *ct;
    } text[] = {
        {"Key", "Plaintext", "bbf316e8d940af0ad3"},
        {"Wiki", "pedia", "1021bf0420"},
        {"Secret", "Attack at dawn", "45a01f645fc35b383552544b9bf5"},
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        uint8_t want[32], got[32];
        size_t n = unhex(text[i].ct, want);
        struct hs_rc4 st;
        hs_rc4_init(&st, (const uint8_t *)text[i].key, strlen(text[i].key));
        hs_rc4_crypt(&st, (const uint8_t *)text[i].pt, got, n);
        assert_memory_equal(got, want, n);
        /* and back, in place */
        hs_rc4_init(&st, (const uint8_t *)text[i].key, strlen(text[i].key));
        hs_rc4_crypt(&st, got, got, n);
        assert_memory_equal(got, text[i].pt, n);
    }
}

/* The keystream runs on: pieces of any size give what one call gives. */
static void test_rc4_pieces(void **state)
{
    (void)state;
    uint8_t key[16], in[1000], whole[1000], parts[1000];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)(i * 17 + 3);
    for (int i = 0; i < 1000; i++)
        in[i] = (uint8_t)(i * 7);
    struct hs_rc4 a, b;
    hs_rc4_init(&a, key, sizeof key);
    hs_rc4_init(&b, key, sizeof key);
    hs_rc4_crypt(&a, in, whole, sizeof in);
    size_t off = 0, step = 1;
    while (off < sizeof in) {
        size_t k = step < sizeof in - off ? step : sizeof in - off;
        hs_rc4_crypt(&b, in + off, parts + off, k);
        off += k;
        step = step * 3 + 1;
    }
    assert_memory_equal(whole, parts, sizeof in);
}

/* ---- records sealed here ---- */

static mbedtls_md_type_t md_of(enum hs_mac m)
{
    return m == HS_MAC_MD5      ? MBEDTLS_MD_MD5
           : m == HS_MAC_SHA1   ? MBEDTLS_MD_SHA1
           : m == HS_MAC_SHA256 ? MBEDTLS_MD_SHA256
                                : MBEDTLS_MD_SHA384;
}

/* One direction's sender: its MAC key, its RC4 state, its sequence number. */
struct sender {
    enum hs_stream cipher;
    enum hs_mac mac;
    const uint8_t *mac_key;
    size_t mac_len;
    struct hs_rc4 rc4;
    uint64_t seq;
    uint16_t version;
};

/* rec[5 + n + mac]: header, then ENC(content + HMAC(seq + header with n + content)). */
static size_t seal(struct sender *w, uint8_t type, const uint8_t *pt, size_t n, uint8_t *rec)
{
    uint8_t pre[13];
    for (int i = 0; i < 8; i++)
        pre[i] = (uint8_t)(w->seq >> (56 - 8 * i));
    pre[8] = type;
    pre[9] = (uint8_t)(w->version >> 8);
    pre[10] = (uint8_t)w->version;
    pre[11] = (uint8_t)(n >> 8);
    pre[12] = (uint8_t)n;
    uint8_t *body = rec + 5;
    memcpy(body, pt, n);
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    assert_int_equal(mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(md_of(w->mac)), 1), 0);
    assert_int_equal(mbedtls_md_hmac_starts(&ctx, w->mac_key, w->mac_len), 0);
    assert_int_equal(mbedtls_md_hmac_update(&ctx, pre, sizeof pre), 0);
    if (n > 0)
        assert_int_equal(mbedtls_md_hmac_update(&ctx, pt, n), 0);
    assert_int_equal(mbedtls_md_hmac_finish(&ctx, body + n), 0);
    mbedtls_md_free(&ctx);
    size_t len = n + w->mac_len;
    if (w->cipher == HS_STREAM_RC4_128)
        hs_rc4_crypt(&w->rc4, body, body, len);
    rec[0] = type;
    rec[1] = pre[9];
    rec[2] = pre[10];
    rec[3] = (uint8_t)(len >> 8);
    rec[4] = (uint8_t)len;
    w->seq++;
    return 5 + len;
}

static void open_ok(struct hs_protect *p, const uint8_t *rec, size_t len, const uint8_t *pt,
                    size_t n)
{
    uint8_t out[2048], type = 0;
    size_t out_len = 0;
    uint64_t seq = p->seq;
    assert_int_equal(hs_protect_decrypt(p, rec, rec + 5, len - 5, out, &out_len, &type), HS_OK);
    assert_int_equal(type, rec[0]);
    assert_int_equal(out_len, n);
    if (n > 0)
        assert_memory_equal(out, pt, n);
    assert_true(p->seq == seq + 1);
}

/* One suite and version: keys checked against the key block computed here, then records of
 * several sizes both ways; a spoiled or truncated record fails and changes nothing, so the
 * next good one still opens. */
static void stream_roundtrip(uint16_t id, uint16_t version, enum hs_stream want_cipher,
                             enum hs_mac want_mac)
{
    const struct hs_suite *s = hs_suite_find(id);
    assert_non_null(s);
    enum hs_mac mac;
    assert_int_equal(hs_suite_stream(s, &mac), want_cipher);
    assert_int_equal(mac, want_mac);
    assert_null(hs_suite_why_opaque(s, version));
    uint8_t master[48], cr[32], sr[32], seed[64], kb[2 * 48 + 2 * 16];
    for (int i = 0; i < 48; i++)
        master[i] = (uint8_t)(0x33 ^ (i * 11));
    for (int i = 0; i < 32; i++) {
        cr[i] = (uint8_t)(0x40 + i);
        sr[i] = (uint8_t)(0xc0 - 3 * i);
    }
    struct hs_protect cli, srv;
    memset(&cli, 0, sizeof cli);
    memset(&srv, 0, sizeof srv);
    assert_int_equal(hs_protect_tls12(&cli, &srv, s, version, true, master, cr, sr), HS_OK);

    size_t m = hs_mac_len(mac), k = hs_stream_key_len(want_cipher);
    memcpy(seed, sr, 32);
    memcpy(seed + 32, cr, 32);
    size_t kb_len = 2 * (m + k);
    if (version == 0x0303)
        assert_int_equal(hs_tls12_prf(s->hash, master, 48, "key expansion", seed, 64, kb,
                                      kb_len), HS_OK);
    else
        assert_int_equal(hs_tls10_prf(master, 48, "key expansion", seed, 64, kb, kb_len),
                         HS_OK);
    struct sender w[2];
    for (int dir = 0; dir < 2; dir++) {
        struct hs_protect *p = dir == 0 ? &cli : &srv;
        assert_true(p->active && !p->tls13 && !p->etm); /* RFC 7366 is for CBC only */
        assert_int_equal(p->stream, want_cipher);
        assert_int_equal(p->cbc, HS_CBC_NONE);
        assert_int_equal(p->mac_key_len, m);
        assert_memory_equal(p->mac_key, kb + dir * m, m);
        if (k > 0)
            assert_memory_equal(p->key, kb + 2 * m + dir * k, k);
        w[dir] = (struct sender){.cipher = want_cipher, .mac = mac, .mac_key = kb + dir * m,
                                 .mac_len = m, .version = version};
        hs_rc4_init(&w[dir].rc4, kb + 2 * m + dir * k, k);
    }
    static const size_t sizes[] = {0, 1, 12, 300, 1500};
    uint8_t pt[1500], rec[1600];
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 13 + 1);
    for (size_t r = 0; r < sizeof sizes / sizeof sizes[0]; r++) {
        for (int dir = 0; dir < 2; dir++) {
            struct hs_protect *p = dir == 0 ? &cli : &srv;
            size_t len = seal(&w[dir], r == 0 ? 22 : 23, pt, sizes[r], rec);
            /* spoiled: one bit anywhere in the body; truncated below the MAC */
            uint8_t bad[1600], out[2048], type;
            size_t out_len;
            struct hs_protect before = *p;
            memcpy(bad, rec, len);
            bad[5 + (r * 7) % (len - 5)] ^= 0x10;
            assert_int_equal(hs_protect_decrypt(p, bad, bad + 5, len - 5, out, &out_len, &type),
                             HS_ERR_CRYPTO);
            assert_int_equal(hs_protect_decrypt(p, rec, rec + 5, m - 1, out, &out_len, &type),
                             HS_ERR_INVALID);
            assert_memory_equal(p, &before, sizeof before);
            open_ok(p, rec, len, pt, sizes[r]);
        }
    }
}

static void test_rc4_sha_tls12(void **state)
{
    (void)state;
    stream_roundtrip(0x0005, 0x0303, HS_STREAM_RC4_128, HS_MAC_SHA1);
}

static void test_rc4_md5_tls10(void **state)
{
    (void)state;
    stream_roundtrip(0x0004, 0x0301, HS_STREAM_RC4_128, HS_MAC_MD5);
}

static void test_ecdhe_rc4_tls11(void **state)
{
    (void)state;
    stream_roundtrip(0xc011, 0x0302, HS_STREAM_RC4_128, HS_MAC_SHA1);
}

static void test_null_suites(void **state)
{
    (void)state;
    stream_roundtrip(0x0002, 0x0302, HS_STREAM_NULL, HS_MAC_SHA1);
    stream_roundtrip(0x0001, 0x0301, HS_STREAM_NULL, HS_MAC_MD5);
    stream_roundtrip(0x003b, 0x0303, HS_STREAM_NULL, HS_MAC_SHA256);
    stream_roundtrip(0x00b1, 0x0303, HS_STREAM_NULL, HS_MAC_SHA384); /* the SHA-384 PRF */
}

/* Which suites are read, and the reason given for those that are not. */
static void test_stream_table(void **state)
{
    (void)state;
    static const struct {
        uint16_t id;
        enum hs_stream cipher;
        enum hs_mac mac;
        const char *name;
    } known[] = {
        {0x0005, HS_STREAM_RC4_128, HS_MAC_SHA1, "RC4-128 HMAC-SHA1"},
        {0x0018, HS_STREAM_RC4_128, HS_MAC_MD5, "RC4-128 HMAC-MD5"},
        {0xc033, HS_STREAM_RC4_128, HS_MAC_SHA1, "RC4-128 HMAC-SHA1"},
        {0xc006, HS_STREAM_NULL, HS_MAC_SHA1, "NULL HMAC-SHA1"},
        {0x00b0, HS_STREAM_NULL, HS_MAC_SHA256, "NULL HMAC-SHA256"},
        {0x0003, HS_STREAM_NONE, HS_MAC_NONE, "none"}, /* export RC4_40 */
        {0x0028, HS_STREAM_NONE, HS_MAC_NONE, "none"}, /* KRB5 export RC4_40 */
        {0x0000, HS_STREAM_NONE, HS_MAC_NONE, "none"}, /* NULL_WITH_NULL_NULL */
        {0x002f, HS_STREAM_NONE, HS_MAC_NONE, "none"}, /* CBC */
        {0x1301, HS_STREAM_NONE, HS_MAC_NONE, "none"}, /* TLS 1.3 */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        enum hs_mac mac = HS_MAC_SHA384;
        const struct hs_suite *s = hs_suite_find(known[i].id);
        assert_int_equal(hs_suite_stream(s, &mac), known[i].cipher);
        assert_int_equal(mac, known[i].mac);
        assert_string_equal(hs_stream_name(known[i].cipher, mac), known[i].name);
    }
    assert_int_equal(hs_suite_stream(NULL, NULL), HS_STREAM_NONE);
    assert_string_equal(hs_stream_name((enum hs_stream)9, HS_MAC_SHA1), "none");
    static const struct {
        uint16_t id, version;
        const char *why;
    } why[] = {
        {0x0005, 0x0300, "not decrypted (SSL 3.0)"},
        {0x0005, 0x0304, "not decrypted (stream suite in an unexpected version)"},
        {0x003b, 0x0302, "not decrypted (TLS 1.2 suite in an older version)"},
        {0x0003, 0x0301, "not decrypted (export suite)"},
        {0x0000, 0x0303, "not decrypted (NULL cipher suite)"},
    };
    for (size_t i = 0; i < sizeof why / sizeof why[0]; i++) {
        const struct hs_suite *s = hs_suite_find(why[i].id);
        assert_string_equal(hs_suite_why_opaque(s, why[i].version), why[i].why);
        uint8_t mk[48] = {0}, r[32] = {0};
        struct hs_protect c, sv;
        memset(&c, 0, sizeof c);
        memset(&sv, 0, sizeof sv);
        assert_int_not_equal(hs_protect_tls12(&c, &sv, s, why[i].version, false, mk, r, r),
                             HS_OK);
        assert_false(c.active || sv.active);
    }
    assert_null(hs_suite_why_opaque(hs_suite_find(0x0004), 0x0301));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rc4_vectors),      cmocka_unit_test(test_rc4_pieces),
        cmocka_unit_test(test_rc4_sha_tls12),    cmocka_unit_test(test_rc4_md5_tls10),
        cmocka_unit_test(test_ecdhe_rc4_tls11),  cmocka_unit_test(test_null_suites),
        cmocka_unit_test(test_stream_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
