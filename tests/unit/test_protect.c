/*
 * Record protection: the RFC 8448 simple 1-RTT trace (key derivation and all seven protected
 * records), published TLS 1.2 PRF vectors, a TLS 1.0 PRF vector, TLS 1.2 / 1.3 round trips for
 * every AEAD, and TLS 1.0-1.2 CBC round trips (MAC-then-encrypt and encrypt-then-MAC, chained
 * and explicit IVs, every block cipher and MAC), sealed here with mbedTLS directly and opened
 * through hs_protect_*, with tampered, badly padded and truncated records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/protect.h"
#include "tls/suites.h"

#include <mbedtls/ccm.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/cipher.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the RFC 8448 vector file ---- */

#include "vectors.h"

static void assert_vec(const char *name, const uint8_t *got, size_t got_len)
{
    size_t len;
    const uint8_t *want = vector_bytes(name, &len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, want, len);
}

static const struct hs_suite *suite(uint16_t id)
{
    const struct hs_suite *s = hs_suite_find(id);
    assert_non_null(s);
    return s;
}

/* A 1.3 read state from one of the RFC's traffic secrets. */
static struct hs_protect tls13_state(const char *secret_name)
{
    size_t len;
    const uint8_t *secret = vector_bytes(secret_name, &len);
    struct hs_protect p;
    memset(&p, 0, sizeof p);
    assert_int_equal(hs_protect_tls13(&p, suite(0x1301), secret, len), HS_OK);
    return p;
}

/* Field by field, so struct padding does not matter. */
static void assert_same_state(const struct hs_protect *a, const struct hs_protect *b)
{
    assert_int_equal(a->active, b->active);
    assert_int_equal(a->aead, b->aead);
    assert_int_equal(a->hash, b->hash);
    assert_int_equal(a->tls13, b->tls13);
    assert_int_equal(a->key_len, b->key_len);
    assert_memory_equal(a->key, b->key, sizeof a->key);
    assert_int_equal(a->iv_len, b->iv_len);
    assert_memory_equal(a->iv, b->iv, sizeof a->iv);
    assert_true(a->seq == b->seq);
    assert_int_equal(a->secret_len, b->secret_len);
    assert_memory_equal(a->secret, b->secret, sizeof a->secret);
}

/* ---- TLS 1.3 (RFC 8448) ---- */

static void test_hkdf_expand_label_keys(void **state)
{
    (void)state;
    static const struct {
        const char *secret, *key, *iv;
    } cases[] = {
        {"server_handshake_traffic_secret", "server_handshake_write_key", "server_handshake_write_iv"},
        {"client_handshake_traffic_secret", "client_handshake_write_key", "client_handshake_write_iv"},
        {"server_application_traffic_secret_0", "server_application_write_key", "server_application_write_iv"},
        {"client_application_traffic_secret_0", "client_application_write_key", "client_application_write_iv"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t slen;
        const uint8_t *secret = vector_bytes(cases[i].secret, &slen);
        uint8_t key[16], iv[12];
        assert_int_equal(hs_hkdf_expand_label(HS_HASH_SHA256, secret, slen, "key", NULL, 0, key,
                                              sizeof key), HS_OK);
        assert_int_equal(hs_hkdf_expand_label(HS_HASH_SHA256, secret, slen, "iv", NULL, 0, iv,
                                              sizeof iv), HS_OK);
        assert_vec(cases[i].key, key, sizeof key);
        assert_vec(cases[i].iv, iv, sizeof iv);

        struct hs_protect p = tls13_state(cases[i].secret);
        assert_true(p.active && p.tls13);
        assert_int_equal(p.aead, HS_AEAD_AES_128_GCM);
        assert_int_equal(p.seq, 0);
        assert_vec(cases[i].key, p.key, p.key_len);
        assert_vec(cases[i].iv, p.iv, p.iv_len);
    }
}

/* Derive-Secret(handshake_secret, "c hs traffic", CH..SH) = HKDF-Expand-Label with the
 * transcript hash as context: checks the context path of hs_hkdf_expand_label. */
static void test_hkdf_expand_label_context(void **state)
{
    (void)state;
    size_t hs_len, th_len;
    const uint8_t *hs = vector_bytes("handshake_secret", &hs_len);
    const uint8_t *th = vector_bytes("transcript_hash_ch_sh", &th_len);
    uint8_t out[32];
    assert_int_equal(hs_hkdf_expand_label(HS_HASH_SHA256, hs, hs_len, "c hs traffic", th, th_len,
                                          out, sizeof out), HS_OK);
    assert_vec("client_handshake_traffic_secret", out, sizeof out);
    assert_int_equal(hs_hkdf_expand_label(HS_HASH_SHA256, hs, hs_len, "s hs traffic", th, th_len,
                                          out, sizeof out), HS_OK);
    assert_vec("server_handshake_traffic_secret", out, sizeof out);
}

/* Decrypts the named record with p and checks plaintext and inner type. */
static void check_record(struct hs_protect *p, const char *record, const char *plaintext,
                         uint8_t want_type)
{
    size_t rlen;
    const uint8_t *rec = vector_bytes(record, &rlen);
    assert_true(rlen > 5);
    uint8_t *out = malloc(rlen);
    assert_non_null(out);
    size_t out_len = 0;
    uint8_t type = 0;
    uint64_t seq = p->seq;
    assert_int_equal(hs_protect_decrypt(p, rec, rec + 5, rlen - 5, out, &out_len, &type), HS_OK);
    assert_int_equal(type, want_type);
    assert_vec(plaintext, out, out_len);
    assert_int_equal(p->seq, seq + 1);
    free(out);
}

static void test_rfc8448_records(void **state)
{
    (void)state;
    struct hs_protect shs = tls13_state("server_handshake_traffic_secret");
    struct hs_protect chs = tls13_state("client_handshake_traffic_secret");
    struct hs_protect sap = tls13_state("server_application_traffic_secret_0");
    struct hs_protect cap = tls13_state("client_application_traffic_secret_0");

    check_record(&shs, "server_encrypted_record", "server_encrypted_record_plaintext", 0x16);
    check_record(&chs, "client_finished_record", "client_finished", 0x16);
    check_record(&sap, "new_session_ticket_record", "new_session_ticket", 0x16);
    check_record(&cap, "client_application_data_record", "client_application_data", 0x17);
    check_record(&sap, "server_application_data_record", "server_application_data", 0x17);
    check_record(&cap, "client_alert_record", "client_alert", 0x15);
    check_record(&sap, "server_alert_record", "server_alert", 0x15);
    assert_int_equal(sap.seq, 3);
    assert_int_equal(cap.seq, 2);
}

static void test_rfc8448_tampered(void **state)
{
    (void)state;
    size_t rlen;
    const uint8_t *orig = vector_bytes("server_encrypted_record", &rlen);
    uint8_t *rec = malloc(rlen), *out = malloc(rlen);
    assert_non_null(rec);
    assert_non_null(out);
    struct hs_protect p = tls13_state("server_handshake_traffic_secret");
    struct hs_protect before = p;
    size_t out_len = 0;
    uint8_t type = 0;

    /* a bit flipped in the header (AAD), the ciphertext, and the tag */
    size_t spots[] = {2, 5, 100, rlen - 1};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        memcpy(rec, orig, rlen);
        rec[spots[i]] ^= 0x01;
        assert_int_equal(hs_protect_decrypt(&p, rec, rec + 5, rlen - 5, out, &out_len, &type),
                         HS_ERR_CRYPTO);
        assert_same_state(&p, &before);
    }
    /* the wrong sequence number fails too, and leaves it alone */
    p.seq = 1;
    assert_int_equal(hs_protect_decrypt(&p, orig, orig + 5, rlen - 5, out, &out_len, &type),
                     HS_ERR_CRYPTO);
    assert_int_equal(p.seq, 1);
    /* the wrong key (client's) fails */
    struct hs_protect c = tls13_state("client_handshake_traffic_secret");
    assert_int_equal(hs_protect_decrypt(&c, orig, orig + 5, rlen - 5, out, &out_len, &type),
                     HS_ERR_CRYPTO);
    assert_int_equal(c.seq, 0);
    /* a body that cannot even hold the tag and a content type */
    p.seq = 0;
    assert_int_equal(hs_protect_decrypt(&p, orig, orig + 5, 16, out, &out_len, &type),
                     HS_ERR_INVALID);
    assert_int_equal(hs_protect_decrypt(&p, orig, orig + 5, 0, out, &out_len, &type),
                     HS_ERR_INVALID);
    assert_int_equal(p.seq, 0);
    /* and the original still opens */
    assert_int_equal(hs_protect_decrypt(&p, orig, orig + 5, rlen - 5, out, &out_len, &type),
                     HS_OK);
    free(rec);
    free(out);
}

static void test_bad_setup(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *secret = vector_bytes("server_handshake_traffic_secret", &len);
    struct hs_protect p;
    memset(&p, 0, sizeof p);
    /* wrong secret length for SHA-256, a 1.2 suite, a suite we cannot decrypt */
    assert_int_equal(hs_protect_tls13(&p, suite(0x1301), secret, 31), HS_ERR_INVALID);
    assert_int_equal(hs_protect_tls13(&p, suite(0x1302), secret, 32), HS_ERR_INVALID);
    assert_int_equal(hs_protect_tls13(&p, suite(0xc02f), secret, 32), HS_ERR_INVALID);
    assert_int_equal(hs_protect_tls13(&p, suite(0x00c6), secret, 32), HS_ERR_UNSUPPORTED);
    assert_false(p.active);
    uint8_t hdr[5] = {0x17, 3, 3, 0, 20}, body[20] = {0}, out[20];
    size_t out_len;
    uint8_t type;
    assert_int_equal(hs_protect_decrypt(&p, hdr, body, sizeof body, out, &out_len, &type),
                     HS_ERR_INVALID);
    assert_int_equal(hs_protect_tls13_update(&p), HS_ERR_INVALID);
    /* labels must fit HkdfLabel.label<7..255> */
    char longlabel[300];
    memset(longlabel, 'a', sizeof longlabel - 1);
    longlabel[sizeof longlabel - 1] = '\0';
    uint8_t o[16];
    assert_int_equal(hs_hkdf_expand_label(HS_HASH_SHA256, secret, len, longlabel, NULL, 0, o,
                                          sizeof o), HS_ERR_INVALID);
}

/* KeyUpdate: expected values computed independently (Python hmac/hashlib) from
 * server_application_traffic_secret_0. */
static void test_key_update(void **state)
{
    (void)state;
    static const uint8_t want_secret[32] = {
        0x51, 0x92, 0x1b, 0x8a, 0xa3, 0x00, 0x19, 0x76, 0xeb, 0x40, 0x1d, 0x0a, 0x43, 0x19, 0xa8, 0x51,
        0x64, 0x16, 0xa6, 0xc5, 0x60, 0x01, 0xa3, 0x57, 0xe5, 0xd1, 0x62, 0x03, 0x1e, 0x84, 0xf9, 0x16};
    static const uint8_t want_key[16] = {0x2e, 0x63, 0xbe, 0x99, 0xd6, 0x7b, 0x39, 0x09,
                                         0x7f, 0xeb, 0x97, 0x86, 0xcf, 0x7a, 0x15, 0xa0};
    static const uint8_t want_iv[12] = {0x62, 0x8a, 0x0a, 0x82, 0x98, 0xac,
                                        0x95, 0x3b, 0xae, 0xf4, 0x25, 0x5a};
    struct hs_protect p = tls13_state("server_application_traffic_secret_0");
    p.seq = 5;
    assert_int_equal(hs_protect_tls13_update(&p), HS_OK);
    assert_int_equal(p.secret_len, 32);
    assert_memory_equal(p.secret, want_secret, 32);
    assert_memory_equal(p.key, want_key, 16);
    assert_memory_equal(p.iv, want_iv, 12);
    assert_int_equal(p.seq, 0);
}

/* ---- sealing with mbedTLS directly ---- */

static void seal(enum hs_aead a, const uint8_t *key, unsigned key_len, const uint8_t nonce[12],
                 const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
                 uint8_t *ct, uint8_t *tag)
{
    unsigned tag_len = hs_aead_tag_len(a);
    int rc = -1;
    if (a == HS_AEAD_AES_128_GCM || a == HS_AEAD_AES_256_GCM) {
        mbedtls_gcm_context g;
        mbedtls_gcm_init(&g);
        assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, key_len * 8), 0);
        rc = mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, pt_len, nonce, 12, aad, aad_len,
                                       pt, ct, tag_len, tag);
        mbedtls_gcm_free(&g);
    } else if (a == HS_AEAD_CHACHA20_POLY1305) {
        mbedtls_chachapoly_context c;
        mbedtls_chachapoly_init(&c);
        assert_int_equal(mbedtls_chachapoly_setkey(&c, key), 0);
        rc = mbedtls_chachapoly_encrypt_and_tag(&c, pt_len, nonce, aad, aad_len, pt, ct, tag);
        mbedtls_chachapoly_free(&c);
    } else {
        mbedtls_ccm_context c;
        mbedtls_ccm_init(&c);
        assert_int_equal(mbedtls_ccm_setkey(&c, MBEDTLS_CIPHER_ID_AES, key, key_len * 8), 0);
        rc = mbedtls_ccm_encrypt_and_tag(&c, pt_len, nonce, 12, aad, aad_len, pt, ct, tag,
                                         tag_len);
        mbedtls_ccm_free(&c);
    }
    assert_int_equal(rc, 0);
}

static void put64(uint8_t *o, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        o[i] = (uint8_t)v;
}

/* ---- TLS 1.2 ---- */

/* Published P_SHA256 / P_SHA384 vectors (label "test label"); the outputs were also
 * recomputed independently with Python's hmac module before being pasted here. */
static void test_tls12_prf_vectors(void **state)
{
    (void)state;
    static const uint8_t s256[16] = {0x9b, 0xbe, 0x43, 0x6b, 0xa9, 0x40, 0xf0, 0x17,
                                     0xb1, 0x76, 0x52, 0x84, 0x9a, 0x71, 0xdb, 0x35};
    static const uint8_t seed256[16] = {0xa0, 0xba, 0x9f, 0x93, 0x6c, 0xda, 0x31, 0x18,
                                        0x27, 0xa6, 0xf7, 0x96, 0xff, 0xd5, 0x19, 0x8c};
    static const char want256[] =
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14"
        "baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e"
        "5a5110fff70187347b66";
    static const uint8_t s384[16] = {0xb8, 0x0b, 0x73, 0x3d, 0x6c, 0xee, 0xfc, 0xdc,
                                     0x71, 0x56, 0x6e, 0xa4, 0x8e, 0x55, 0x67, 0xdf};
    static const uint8_t seed384[16] = {0xcd, 0x66, 0x5c, 0xf6, 0xa8, 0x44, 0x7d, 0xd6,
                                        0xff, 0x8b, 0x27, 0x55, 0x5e, 0xdb, 0x74, 0x65};
    static const char want384[] =
        "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c"
        "9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abf"
        "dad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a2685430"
        "8d5eaa3be85e0990703d73e56f";
    size_t wlen;
    uint8_t out[148];

    uint8_t *w = vector_unhex(want256, strlen(want256), &wlen);
    assert_non_null(w);
    assert_int_equal(wlen, 100);
    assert_int_equal(hs_tls12_prf(HS_HASH_SHA256, s256, sizeof s256, "test label", seed256,
                                  sizeof seed256, out, 100), HS_OK);
    assert_memory_equal(out, w, 100);
    free(w);

    w = vector_unhex(want384, strlen(want384), &wlen);
    assert_non_null(w);
    assert_int_equal(wlen, 148);
    assert_int_equal(hs_tls12_prf(HS_HASH_SHA384, s384, sizeof s384, "test label", seed384,
                                  sizeof seed384, out, 148), HS_OK);
    assert_memory_equal(out, w, 148);
    free(w);
}

/* One suite: derive the key block the RFC 5246 way here, seal three records per direction
 * with mbedTLS, open them through hs_protect_decrypt. */
static void tls12_roundtrip(uint16_t id)
{
    const struct hs_suite *s = suite(id);
    uint8_t master[48], cr[32], sr[32];
    for (int i = 0; i < 48; i++)
        master[i] = (uint8_t)(0x40 + i);
    for (int i = 0; i < 32; i++) {
        cr[i] = (uint8_t)(0xc0 ^ i);
        sr[i] = (uint8_t)(0x50 + 3 * i);
    }
    struct hs_protect cli, srv;
    memset(&cli, 0, sizeof cli);
    memset(&srv, 0, sizeof srv);
    assert_int_equal(hs_protect_tls12(&cli, &srv, s, 0x0303, false, master, cr, sr), HS_OK);

    bool chacha = s->aead == HS_AEAD_CHACHA20_POLY1305;
    unsigned k = hs_aead_key_len(s->aead), ivl = chacha ? 12 : 4, tl = hs_aead_tag_len(s->aead);
    uint8_t seed[64], kb[88];
    memcpy(seed, sr, 32);
    memcpy(seed + 32, cr, 32);
    assert_int_equal(hs_tls12_prf(s->hash, master, 48, "key expansion", seed, 64, kb,
                                  2 * k + 2 * ivl), HS_OK);
    assert_memory_equal(cli.key, kb, k);
    assert_memory_equal(srv.key, kb + k, k);
    assert_memory_equal(cli.iv, kb + 2 * k, ivl);
    assert_memory_equal(srv.iv, kb + 2 * k + ivl, ivl);

    for (int dir = 0; dir < 2; dir++) {
        struct hs_protect *p = dir == 0 ? &cli : &srv;
        const uint8_t *key = kb + (dir == 0 ? 0 : k);
        const uint8_t *iv = kb + 2 * k + (dir == 0 ? 0 : ivl);
        for (uint64_t seq = 0; seq < 3; seq++) {
            uint8_t pt[40], rec[5 + 8 + sizeof pt + 16], out[sizeof rec];
            size_t pt_len = seq == 2 ? 0 : sizeof pt - seq; /* an empty record too */
            for (size_t i = 0; i < pt_len; i++)
                pt[i] = (uint8_t)(i * 7 + seq + dir);
            uint8_t type = seq == 1 ? 0x15 : 0x17;
            size_t expl = chacha ? 0 : 8;
            size_t body_len = expl + pt_len + tl;
            rec[0] = type;
            rec[1] = 3;
            rec[2] = 3;
            rec[3] = (uint8_t)(body_len >> 8);
            rec[4] = (uint8_t)body_len;
            uint8_t nonce[12], aad[13];
            if (chacha) {
                memcpy(nonce, iv, 12);
                uint8_t sb[8];
                put64(sb, seq);
                for (int i = 0; i < 8; i++)
                    nonce[4 + i] ^= sb[i];
            } else {
                memcpy(nonce, iv, 4);
                for (int i = 0; i < 8; i++) /* any explicit nonce; senders often use seq */
                    nonce[4 + i] = (uint8_t)(0xa0 + i + seq);
                memcpy(rec + 5, nonce + 4, 8);
            }
            put64(aad, seq);
            aad[8] = type;
            aad[9] = 3;
            aad[10] = 3;
            aad[11] = (uint8_t)(pt_len >> 8);
            aad[12] = (uint8_t)pt_len;
            seal(s->aead, key, k, nonce, aad, 13, pt, pt_len, rec + 5 + expl,
                 rec + 5 + expl + pt_len);

            size_t out_len = 99;
            uint8_t got_type = 0;
            /* tampered tag first: fails, state untouched */
            struct hs_protect before = *p;
            rec[5 + body_len - 1] ^= 0x80;
            assert_int_equal(hs_protect_decrypt(p, rec, rec + 5, body_len, out, &out_len,
                                                &got_type), HS_ERR_CRYPTO);
            assert_same_state(p, &before);
            rec[5 + body_len - 1] ^= 0x80;

            assert_int_equal(hs_protect_decrypt(p, rec, rec + 5, body_len, out, &out_len,
                                                &got_type), HS_OK);
            assert_int_equal(got_type, type);
            assert_int_equal(out_len, pt_len);
            if (pt_len > 0)
                assert_memory_equal(out, pt, pt_len);
            assert_int_equal(p->seq, seq + 1);
        }
    }
    /* a body shorter than explicit nonce + tag */
    uint8_t hdr[5] = {0x17, 3, 3, 0, 4}, body[4] = {0}, out[4];
    size_t out_len;
    uint8_t t;
    assert_int_equal(hs_protect_decrypt(&cli, hdr, body, sizeof body, out, &out_len, &t),
                     HS_ERR_INVALID);
}

static void test_tls12_aes128_gcm(void **state) { (void)state; tls12_roundtrip(0xc02f); }
static void test_tls12_aes256_gcm_sha384(void **state) { (void)state; tls12_roundtrip(0xc030); }
static void test_tls12_chacha20(void **state) { (void)state; tls12_roundtrip(0xcca8); }
static void test_tls12_aes128_ccm(void **state) { (void)state; tls12_roundtrip(0xc0ac); }
static void test_tls12_aes256_ccm(void **state) { (void)state; tls12_roundtrip(0xc09d); }
static void test_tls12_aes128_ccm8(void **state) { (void)state; tls12_roundtrip(0xc0ae); }
static void test_tls12_aes256_ccm8(void **state) { (void)state; tls12_roundtrip(0xc0a1); }

static void test_tls12_rejects_tls13_suite(void **state)
{
    (void)state;
    uint8_t m[48] = {0}, r[32] = {0};
    struct hs_protect c, s;
    memset(&c, 0, sizeof c);
    memset(&s, 0, sizeof s);
    assert_int_equal(hs_protect_tls12(&c, &s, suite(0x1301), 0x0303, false, m, r, r),
                     HS_ERR_INVALID);
    /* export, single DES, SEED, ARIA-GCM: not decrypted (RC4 and NULL: test_stream.c) */
    static const uint16_t opaque[] = {0x0003, 0x0009, 0x0096, 0xc050};
    for (size_t i = 0; i < sizeof opaque / sizeof opaque[0]; i++)
        assert_int_equal(hs_protect_tls12(&c, &s, suite(opaque[i]), 0x0303, false, m, r, r),
                         HS_ERR_UNSUPPORTED);
    /* a CBC suite in SSL 3.0 or an unknown version; a SHA-256 MAC before TLS 1.2 */
    assert_int_equal(hs_protect_tls12(&c, &s, suite(0x002f), 0x0300, false, m, r, r),
                     HS_ERR_UNSUPPORTED);
    assert_int_equal(hs_protect_tls12(&c, &s, suite(0x002f), 0x0304, false, m, r, r),
                     HS_ERR_UNSUPPORTED);
    assert_int_equal(hs_protect_tls12(&c, &s, suite(0x002f), 0, false, m, r, r),
                     HS_ERR_UNSUPPORTED);
    assert_int_equal(hs_protect_tls12(&c, &s, suite(0x003c), 0x0302, false, m, r, r),
                     HS_ERR_UNSUPPORTED);
    assert_false(c.active || s.active);
}

/* ---- TLS 1.3 with the other AEADs, padding, and an all-zero inner plaintext ---- */

static void tls13_roundtrip(uint16_t id)
{
    const struct hs_suite *s = suite(id);
    uint8_t secret[48];
    size_t slen = hs_hash_len(s->hash);
    for (size_t i = 0; i < slen; i++)
        secret[i] = (uint8_t)(i * 13 + 1);
    struct hs_protect p;
    memset(&p, 0, sizeof p);
    assert_int_equal(hs_protect_tls13(&p, s, secret, slen), HS_OK);
    unsigned tl = hs_aead_tag_len(s->aead);

    for (uint64_t seq = 0; seq < 4; seq++) {
        /* inner = content || type || padding; seq 3: all zeros */
        uint8_t inner[64], rec[5 + sizeof inner + 16], out[sizeof rec];
        size_t content = 20, pad = seq * 5, inner_len = content + 1 + pad;
        for (size_t i = 0; i < content; i++)
            inner[i] = (uint8_t)(i + 1);
        inner[content] = 0x16;
        memset(inner + content + 1, 0, pad);
        if (seq == 3)
            memset(inner, 0, inner_len);
        size_t body_len = inner_len + tl;
        rec[0] = 0x17;
        rec[1] = 3;
        rec[2] = 3;
        rec[3] = (uint8_t)(body_len >> 8);
        rec[4] = (uint8_t)body_len;
        uint8_t nonce[12], sb[8];
        memcpy(nonce, p.iv, 12);
        put64(sb, seq);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= sb[i];
        seal(s->aead, p.key, p.key_len, nonce, rec, 5, inner, inner_len, rec + 5,
             rec + 5 + inner_len);
        size_t out_len = 0;
        uint8_t type = 0;
        int r = hs_protect_decrypt(&p, rec, rec + 5, body_len, out, &out_len, &type);
        if (seq == 3) {
            assert_int_equal(r, HS_ERR_INVALID);
        } else {
            assert_int_equal(r, HS_OK);
            assert_int_equal(type, 0x16);
            assert_int_equal(out_len, content);
            assert_memory_equal(out, inner, content);
        }
        assert_int_equal(p.seq, seq + 1); /* authenticated records are consumed */
    }
}

static void test_tls13_aes256_gcm(void **state) { (void)state; tls13_roundtrip(0x1302); }
static void test_tls13_chacha20(void **state) { (void)state; tls13_roundtrip(0x1303); }
static void test_tls13_aes128_ccm(void **state) { (void)state; tls13_roundtrip(0x1304); }
static void test_tls13_aes128_ccm8(void **state) { (void)state; tls13_roundtrip(0x1305); }

/* ---- TLS 1.0-1.2 CBC suites ---- */

/* A TLS 1.0/1.1 PRF vector (label "test label"): the output was computed independently with
 * Python's hmac module and with `openssl kdf -kdfopt digest:MD5-SHA1 TLS1-PRF`, which agree.
 * The 13-byte secret checks the shared middle byte of an odd-length secret. */
static void test_tls10_prf_vectors(void **state)
{
    (void)state;
    static const char want48[] =
        "2e1d8af26e189f45a8a2de9049fce169f73ffa1828abe0937d918c31e0947787168bb4174b2e6ee2be9aed66"
        "37d4a69b951fa60f2a8891fd8cc61ca6cb551ea975f81d84954bfb70833f9fb50b0a687476aa701ba39fdd97"
        "07007e18bcc46a9a6d69cd936490b64c";
    static const char want13[] =
        "8fd900d93bbfc1159558249bc26c40d49ae7b9052b79e71a85544f5055bf53e4b4f0572a4e";
    uint8_t secret[48], seed[29], out[104];
    for (int i = 0; i < 48; i++)
        secret[i] = (uint8_t)(0x30 + i);
    for (int i = 0; i < 29; i++)
        seed[i] = (uint8_t)(0xa0 + i);
    size_t wlen;
    uint8_t *w = vector_unhex(want48, strlen(want48), &wlen);
    assert_non_null(w);
    assert_int_equal(wlen, 104);
    assert_int_equal(hs_tls10_prf(secret, 48, "test label", seed, sizeof seed, out, 104), HS_OK);
    assert_memory_equal(out, w, 104);
    free(w);

    for (int i = 0; i < 13; i++)
        secret[i] = (uint8_t)(i * 7 + 3);
    w = vector_unhex(want13, strlen(want13), &wlen);
    assert_non_null(w);
    assert_int_equal(wlen, 37);
    assert_int_equal(hs_tls10_prf(secret, 13, "test label", seed, sizeof seed, out, 37), HS_OK);
    assert_memory_equal(out, w, 37);
    free(w);
}

static mbedtls_cipher_type_t test_cipher(enum hs_cbc c)
{
    switch (c) {
    case HS_CBC_AES_128: return MBEDTLS_CIPHER_AES_128_CBC;
    case HS_CBC_AES_256: return MBEDTLS_CIPHER_AES_256_CBC;
    case HS_CBC_3DES: return MBEDTLS_CIPHER_DES_EDE3_CBC;
    case HS_CBC_CAMELLIA_128: return MBEDTLS_CIPHER_CAMELLIA_128_CBC;
    case HS_CBC_CAMELLIA_256: return MBEDTLS_CIPHER_CAMELLIA_256_CBC;
    case HS_CBC_ARIA_128: return MBEDTLS_CIPHER_ARIA_128_CBC;
    case HS_CBC_ARIA_256: return MBEDTLS_CIPHER_ARIA_256_CBC;
    case HS_CBC_NONE: break;
    }
    fail();
    return MBEDTLS_CIPHER_NONE;
}

/* The sending side of one direction, as the test's own TLS implementation sees it. */
struct sender {
    const struct hs_suite *s;
    uint16_t version;
    bool etm;
    const uint8_t *mac_key, *key;
    unsigned mac_len, key_len, bs;
    uint8_t iv[16];   /* TLS 1.0: the CBC chain */
    uint64_t seq;
};

/* Ways to spoil a record while sealing it (the receiver must reject each). */
enum { SEAL_OK = 0, SEAL_BAD_MAC = 1, SEAL_BAD_PAD = 2, SEAL_PAD_TOO_LONG = 4, SEAL_SSL3_PAD = 8 };

/* HMAC(mac_key, seq + type + version + length + data) */
static void sender_mac(const struct sender *w, uint8_t type, const uint8_t *data, size_t len,
                       uint8_t *out)
{
    mbedtls_md_type_t t = w->s->mac == HS_MAC_SHA1     ? MBEDTLS_MD_SHA1
                          : w->s->mac == HS_MAC_SHA256 ? MBEDTLS_MD_SHA256
                                                       : MBEDTLS_MD_SHA384;
    uint8_t pre[13];
    put64(pre, w->seq);
    pre[8] = type;
    pre[9] = (uint8_t)(w->version >> 8);
    pre[10] = (uint8_t)w->version;
    pre[11] = (uint8_t)(len >> 8);
    pre[12] = (uint8_t)len;
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    assert_int_equal(mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(t), 1), 0);
    assert_int_equal(mbedtls_md_hmac_starts(&ctx, w->mac_key, w->mac_len), 0);
    assert_int_equal(mbedtls_md_hmac_update(&ctx, pre, sizeof pre), 0);
    if (len > 0)
        assert_int_equal(mbedtls_md_hmac_update(&ctx, data, len), 0);
    assert_int_equal(mbedtls_md_hmac_finish(&ctx, out), 0);
    mbedtls_md_free(&ctx);
}

static void sender_encrypt(const struct sender *w, const uint8_t *iv, const uint8_t *in,
                           size_t len, uint8_t *out)
{
    mbedtls_cipher_context_t ctx;
    mbedtls_cipher_init(&ctx);
    size_t olen = 0;
    assert_int_equal(mbedtls_cipher_setup(&ctx, mbedtls_cipher_info_from_type(
                                                    test_cipher(w->s->cbc))), 0);
    assert_int_equal(mbedtls_cipher_setkey(&ctx, w->key, (int)w->key_len * 8, MBEDTLS_ENCRYPT),
                     0);
    assert_int_equal(mbedtls_cipher_set_padding_mode(&ctx, MBEDTLS_PADDING_NONE), 0);
    assert_int_equal(mbedtls_cipher_crypt(&ctx, iv, w->bs, in, len, out, &olen), 0);
    assert_int_equal(olen, len);
    mbedtls_cipher_free(&ctx);
}

/*
 * Seals pt into a record at rec (header included) and returns its total length.  pad is the
 * padding_length value; the caller makes content (+ MAC) + pad + 1 a multiple of the block.
 * The sender's state is not advanced (sender_commit does that once the record is accepted).
 */
static size_t sender_seal(const struct sender *w, uint8_t type, const uint8_t *pt,
                          size_t pt_len, size_t pad, unsigned how, uint8_t *rec)
{
    uint8_t plain[1024], mac[48], iv[16];
    size_t n = 0, iv_len = w->version >= 0x0302 ? w->bs : 0;
    assert_true(pt_len + 48 + 256 <= sizeof plain);
    memcpy(plain, pt, pt_len);
    n = pt_len;
    if (!w->etm) {
        sender_mac(w, type, pt, pt_len, mac);
        if (how & SEAL_BAD_MAC)
            mac[3] ^= 0x10;
        memcpy(plain + n, mac, w->mac_len);
        n += w->mac_len;
    }
    for (size_t i = 0; i <= pad; i++)
        plain[n++] = (uint8_t)pad;
    if (how & SEAL_BAD_PAD)
        plain[n - 2] ^= 0x01; /* the padding byte right before padding_length */
    if (how & SEAL_SSL3_PAD)
        for (size_t i = 0; i < pad; i++)
            plain[n - 1 - pad + i] = (uint8_t)(0x80 + i);
    if (how & SEAL_PAD_TOO_LONG) {
        assert_true(n - (w->etm ? 0 : w->mac_len) <= 255);
        plain[n - 1] = (uint8_t)(n - (w->etm ? 0 : w->mac_len)); /* one byte more than fits */
    }
    assert_int_equal(n % w->bs, 0);

    uint8_t *body = rec + 5;
    if (iv_len > 0) {
        for (size_t i = 0; i < iv_len; i++) /* any IV will do; a pattern per record */
            iv[i] = (uint8_t)(0x11 * i + w->seq * 3 + 1);
        memcpy(body, iv, iv_len);
    } else {
        memcpy(iv, w->iv, w->bs);
    }
    sender_encrypt(w, iv, plain, n, body + iv_len);
    size_t body_len = iv_len + n;
    rec[0] = type;
    rec[1] = (uint8_t)(w->version >> 8);
    rec[2] = (uint8_t)w->version;
    if (w->etm) {
        /* RFC 7366: the MAC over the header with the IV + ciphertext length, IV, ciphertext */
        sender_mac(w, type, body, body_len, body + body_len);
        if (how & SEAL_BAD_MAC)
            body[body_len + 1] ^= 0x40;
        body_len += w->mac_len;
    }
    rec[3] = (uint8_t)(body_len >> 8);
    rec[4] = (uint8_t)body_len;
    return 5 + body_len;
}

/* The record at rec was accepted: the next one has the next seq (and in TLS 1.0 continues
 * the CBC chain from its last ciphertext block). */
static void sender_commit(struct sender *w, const uint8_t *rec, size_t len)
{
    w->seq++;
    if (w->version < 0x0302)
        memcpy(w->iv, rec + len - (w->etm ? w->mac_len : 0) - w->bs, w->bs);
}

/* The smallest padding_length that aligns content (+ MAC), plus `extra` blocks. */
static size_t pad_for(const struct sender *w, size_t pt_len, size_t extra)
{
    size_t used = pt_len + (w->etm ? 0 : w->mac_len) + 1;
    return (w->bs - used % w->bs) % w->bs + extra * w->bs;
}

/* Opening a spoiled copy must fail with `want` (0: any error) and change nothing. */
static void expect_reject(struct hs_protect *p, const uint8_t *rec, size_t body_len, int want)
{
    struct hs_protect before = *p;
    /* an exact-size copy, so that the sanitizer sees any read past the end */
    uint8_t *body = malloc(body_len ? body_len : 1), *out = malloc(body_len ? body_len : 1);
    assert_non_null(body);
    assert_non_null(out);
    if (body_len > 0)
        memcpy(body, rec + 5, body_len);
    size_t out_len = 12345;
    uint8_t type = 0;
    int r = hs_protect_decrypt(p, rec, body, body_len, out, &out_len, &type);
    if (want != 0)
        assert_int_equal(r, want);
    else
        assert_int_not_equal(r, HS_OK);
    assert_same_state(p, &before);
    assert_int_equal(p->cbc, before.cbc);
    assert_int_equal(p->etm, before.etm);
    free(body);
    free(out);
}

static void expect_open(struct hs_protect *p, struct sender *w, const uint8_t *rec, size_t len,
                        const uint8_t *pt, size_t pt_len)
{
    size_t body_len = len - 5;
    uint8_t *body = malloc(body_len), *out = malloc(body_len);
    assert_non_null(body);
    assert_non_null(out);
    memcpy(body, rec + 5, body_len);
    size_t out_len = 0;
    uint8_t type = 0;
    uint64_t seq = p->seq;
    assert_int_equal(hs_protect_decrypt(p, rec, body, body_len, out, &out_len, &type), HS_OK);
    assert_int_equal(type, rec[0]);
    assert_int_equal(out_len, pt_len);
    if (pt_len > 0)
        assert_memory_equal(out, pt, pt_len);
    assert_true(p->seq == seq + 1);
    sender_commit(w, rec, len);
    if (!p->explicit_iv)
        assert_memory_equal(p->iv, w->iv, w->bs);
    free(body);
    free(out);
}

/* One suite, version and MAC order: keys checked against the key block computed here, then
 * records of many sizes per direction, each first spoiled in every byte and truncated at every
 * length, then opened; then wrongly MAC'd and padded records. */
static void cbc_roundtrip(uint16_t id, uint16_t version, bool etm)
{
    const struct hs_suite *s = suite(id);
    assert_int_not_equal(s->cbc, HS_CBC_NONE);
    assert_null(hs_suite_why_opaque(s, version));
    uint8_t master[48], cr[32], sr[32];
    for (int i = 0; i < 48; i++)
        master[i] = (uint8_t)(0x70 ^ (i * 5));
    for (int i = 0; i < 32; i++) {
        cr[i] = (uint8_t)(0x01 + i);
        sr[i] = (uint8_t)(0xf0 - 2 * i);
    }
    struct hs_protect cli, srv;
    memset(&cli, 0, sizeof cli);
    memset(&srv, 0, sizeof srv);
    assert_int_equal(hs_protect_tls12(&cli, &srv, s, version, etm, master, cr, sr), HS_OK);

    unsigned m = hs_mac_len(s->mac), k = hs_cbc_key_len(s->cbc), bs = hs_cbc_block_len(s->cbc);
    uint8_t seed[64], kb[2 * 48 + 2 * 32 + 2 * 16];
    memcpy(seed, sr, 32);
    memcpy(seed + 32, cr, 32);
    size_t kb_len = 2 * ((size_t)m + k + bs);
    if (version == 0x0303)
        assert_int_equal(hs_tls12_prf(s->hash, master, 48, "key expansion", seed, 64, kb,
                                      kb_len), HS_OK);
    else
        assert_int_equal(hs_tls10_prf(master, 48, "key expansion", seed, 64, kb, kb_len),
                         HS_OK);
    const uint8_t *mk[2] = {kb, kb + m}, *ek[2] = {kb + 2 * m, kb + 2 * m + k};
    const uint8_t *ivs[2] = {kb + 2 * m + 2 * k, kb + 2 * m + 2 * k + bs};

    for (int dir = 0; dir < 2; dir++) {
        struct hs_protect *p = dir == 0 ? &cli : &srv;
        assert_true(p->active && !p->tls13);
        assert_int_equal(p->aead, HS_AEAD_NONE);
        assert_int_equal(p->cbc, s->cbc);
        assert_int_equal(p->mac, s->mac);
        assert_int_equal(p->etm, etm);
        assert_int_equal(p->explicit_iv, version >= 0x0302);
        assert_int_equal(p->mac_key_len, m);
        assert_int_equal(p->key_len, k);
        assert_int_equal(p->iv_len, bs);
        assert_memory_equal(p->mac_key, mk[dir], m);
        assert_memory_equal(p->key, ek[dir], k);
        assert_memory_equal(p->iv, ivs[dir], bs);
        assert_true(p->seq == 0);

        struct sender w = {.s = s, .version = version, .etm = etm, .mac_key = mk[dir],
                           .key = ek[dir], .mac_len = m, .key_len = k, .bs = bs};
        memcpy(w.iv, ivs[dir], bs);
        /* content lengths around block edges; the 4th record has the most padding there is */
        static const size_t lens[] = {12, 0, 1, 7, 8, 15, 16, 17, 100, 333};
        uint8_t pt[400], rec[5 + 16 + 400 + 48 + 256];
        for (size_t r = 0; r < sizeof lens / sizeof lens[0]; r++) {
            size_t n = lens[r];
            for (size_t i = 0; i < n; i++)
                pt[i] = (uint8_t)(i * 31 + r + 7 * dir);
            uint8_t type = r % 3 == 0 ? 0x16 : r % 3 == 1 ? 0x17 : 0x15;
            size_t pad = pad_for(&w, n, r % 3);
            if (r == 3)
                pad = pad_for(&w, n, 0) + (255 - pad_for(&w, n, 0)) / bs * bs;
            assert_true(pad <= 255);
            size_t len = sender_seal(&w, type, pt, n, pad, SEAL_OK, rec);
            size_t body_len = len - 5;
            if (r < 3) {
                /* every byte flipped (the header's type and version are MAC'd too) */
                for (size_t i = 0; i < len; i++) {
                    if (i == 3 || i == 4)
                        continue; /* the length: hstrace goes by body_len */
                    rec[i] ^= 0x04;
                    expect_reject(p, rec, body_len, 0);
                    rec[i] ^= 0x04;
                }
                /* cut short at every length */
                for (size_t cut = 0; cut < body_len; cut++)
                    expect_reject(p, rec, cut, 0);
            }
            /* a body that is not made of whole blocks */
            expect_reject(p, rec, body_len - 1, HS_ERR_INVALID);
            expect_open(p, &w, rec, len, pt, n);
        }
        /* well-formed records that must still be refused: wrong MAC, inconsistent padding,
         * SSL 3.0-style padding, a padding_length longer than the record */
        for (size_t i = 0; i < 10; i++)
            pt[i] = (uint8_t)(0x61 + i);
        static const unsigned bad[] = {SEAL_BAD_MAC, SEAL_BAD_PAD, SEAL_SSL3_PAD,
                                       SEAL_PAD_TOO_LONG};
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            size_t len = sender_seal(&w, 0x17, pt, 10, pad_for(&w, 10, 1), bad[b], rec);
            expect_reject(p, rec, len - 5, HS_ERR_CRYPTO);
        }
        /* the wrong sequence number or version, then the right record opens */
        size_t len = sender_seal(&w, 0x17, pt, 10, pad_for(&w, 10, 0), SEAL_OK, rec);
        p->seq++;
        expect_reject(p, rec, len - 5, HS_ERR_CRYPTO);
        p->seq--;
        rec[2] ^= 0x01;
        expect_reject(p, rec, len - 5, HS_ERR_CRYPTO);
        rec[2] ^= 0x01;
        expect_open(p, &w, rec, len, pt, 10);
        /* the other direction's keys do not open it */
        struct hs_protect *o = dir == 0 ? &srv : &cli;
        uint64_t oseq = o->seq;
        o->seq = p->seq - 1;
        expect_reject(o, rec, len - 5, 0);
        o->seq = oseq;
        /* nothing to decrypt, and a sequence number about to wrap */
        expect_reject(p, rec, 0, HS_ERR_INVALID);
        uint64_t seq = p->seq;
        p->seq = UINT64_MAX;
        expect_reject(p, rec, len - 5, HS_ERR_LIMIT);
        p->seq = seq;
    }
}

static void test_cbc_tls12_aes128_sha1(void **state)
{
    (void)state;
    cbc_roundtrip(0xc013, 0x0303, false);
    cbc_roundtrip(0xc013, 0x0303, true);
}
static void test_cbc_tls12_aes256_sha384(void **state)
{
    (void)state;
    cbc_roundtrip(0xc028, 0x0303, false);
    cbc_roundtrip(0xc028, 0x0303, true);
}
static void test_cbc_tls12_sha256(void **state)
{
    (void)state;
    cbc_roundtrip(0x003c, 0x0303, false);
    cbc_roundtrip(0x006b, 0x0303, true);
}
static void test_cbc_tls11(void **state)
{
    (void)state;
    cbc_roundtrip(0x002f, 0x0302, false);
    cbc_roundtrip(0xc014, 0x0302, true);
}
static void test_cbc_tls10_chained_iv(void **state)
{
    (void)state;
    cbc_roundtrip(0x002f, 0x0301, false);
    cbc_roundtrip(0x0035, 0x0301, true);
}
static void test_cbc_3des(void **state)
{
    (void)state;
    cbc_roundtrip(0x000a, 0x0301, false);
    cbc_roundtrip(0xc012, 0x0302, true);
    cbc_roundtrip(0x000a, 0x0303, false);
}
static void test_cbc_camellia_aria(void **state)
{
    (void)state;
    cbc_roundtrip(0x0041, 0x0301, false);
    cbc_roundtrip(0x0088, 0x0302, true);
    cbc_roundtrip(0xc077, 0x0303, false);
    cbc_roundtrip(0xc03c, 0x0303, true);
    cbc_roundtrip(0xc03d, 0x0303, false);
}

/* Which suites are decrypted, and the reason given for the others. */
static void test_cbc_suite_table(void **state)
{
    (void)state;
    static const struct {
        uint16_t id;
        enum hs_cbc cbc;
        enum hs_mac mac;
        const char *name;
    } known[] = {
        {0xc013, HS_CBC_AES_128, HS_MAC_SHA1, "AES-128-CBC HMAC-SHA1"},
        {0x0035, HS_CBC_AES_256, HS_MAC_SHA1, "AES-256-CBC HMAC-SHA1"},
        {0xc028, HS_CBC_AES_256, HS_MAC_SHA384, "AES-256-CBC HMAC-SHA384"},
        {0x003c, HS_CBC_AES_128, HS_MAC_SHA256, "AES-128-CBC HMAC-SHA256"},
        {0x000a, HS_CBC_3DES, HS_MAC_SHA1, "3DES-EDE-CBC HMAC-SHA1"},
        {0x0084, HS_CBC_CAMELLIA_256, HS_MAC_SHA1, "CAMELLIA-256-CBC HMAC-SHA1"},
        {0xc03c, HS_CBC_ARIA_128, HS_MAC_SHA256, "ARIA-128-CBC HMAC-SHA256"},
        {0x009c, HS_CBC_NONE, HS_MAC_NONE, "none"}, /* GCM */
        {0x0005, HS_CBC_NONE, HS_MAC_NONE, "none"}, /* RC4 */
        {0x0008, HS_CBC_NONE, HS_MAC_NONE, "none"}, /* export DES40 */
        {0x0023, HS_CBC_NONE, HS_MAC_NONE, "none"}, /* KRB5 3DES with MD5 */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const struct hs_suite *s = suite(known[i].id);
        assert_int_equal(s->cbc, known[i].cbc);
        assert_int_equal(s->mac, known[i].mac);
        assert_string_equal(hs_cbc_name(s->cbc, s->mac, false), known[i].name);
    }
    assert_string_equal(hs_cbc_name(HS_CBC_AES_128, HS_MAC_SHA1, true),
                        "AES-128-CBC HMAC-SHA1 encrypt-then-MAC");
    assert_string_equal(hs_cbc_name((enum hs_cbc)99, HS_MAC_SHA1, true), "none");
    /* every CBC entry is consistent: lengths known, SHA-384 MAC with the SHA-384 PRF */
    for (size_t i = 0; i < hs_suite_count(); i++) {
        const struct hs_suite *s = hs_suite_at(i);
        if (s->cbc == HS_CBC_NONE) {
            assert_int_equal(s->mac, HS_MAC_NONE);
            continue;
        }
        assert_false(s->tls13);
        assert_int_equal(s->aead, HS_AEAD_NONE);
        assert_true(hs_cbc_key_len(s->cbc) > 0 && hs_cbc_block_len(s->cbc) > 0);
        assert_true(hs_mac_len(s->mac) > 0);
        assert_int_equal(s->hash == HS_HASH_SHA384, s->mac == HS_MAC_SHA384);
        assert_non_null(strstr(s->name, "_CBC_"));
        assert_null(strstr(s->name, "EXPORT"));
        assert_null(hs_suite_why_opaque(s, 0x0303));
        assert_non_null(hs_suite_why_opaque(s, 0x0300));
    }
    static const struct {
        uint16_t id, version;
        const char *why;
    } why[] = {
        {0x0000, 0x0303, "not decrypted (NULL cipher suite)"},
        {0x0003, 0x0301, "not decrypted (export suite)"},
        {0x0009, 0x0301, "not decrypted (single-DES suite)"},
        {0x0096, 0x0303, "not decrypted (SEED suite)"},
        {0xc050, 0x0303, "not decrypted (ARIA-GCM suite)"},
        {0xc07a, 0x0303, "not decrypted (Camellia-GCM suite)"},
        {0x0023, 0x0301, "not decrypted (HMAC-MD5 suite)"},
        {0x002f, 0x0300, "not decrypted (SSL 3.0)"},
        {0xc02f, 0x0300, "not decrypted (SSL 3.0)"},
        {0x003c, 0x0301, "not decrypted (TLS 1.2 suite in an older version)"},
        {0x00c6, 0x0304, "not decrypted (SM4 suite)"},
        {0xc0b4, 0x0304, "not decrypted (integrity-only suite)"},
    };
    for (size_t i = 0; i < sizeof why / sizeof why[0]; i++)
        assert_string_equal(hs_suite_why_opaque(suite(why[i].id), why[i].version), why[i].why);
    assert_null(hs_suite_why_opaque(suite(0x1301), 0x0304));
    assert_null(hs_suite_why_opaque(suite(0xc02f), 0x0303));
    assert_null(hs_suite_why_opaque(suite(0x002f), 0x0301));
    assert_string_equal(hs_suite_why_opaque(NULL, 0x0303), "not decrypted (unknown cipher suite)");
}

static void test_seq_limit(void **state)
{
    (void)state;
    struct hs_protect p = tls13_state("server_handshake_traffic_secret");
    p.seq = UINT64_MAX;
    size_t rlen;
    const uint8_t *rec = vector_bytes("server_encrypted_record", &rlen);
    uint8_t *out = malloc(rlen);
    assert_non_null(out);
    size_t out_len;
    uint8_t type;
    assert_int_equal(hs_protect_decrypt(&p, rec, rec + 5, rlen - 5, out, &out_len, &type),
                     HS_ERR_LIMIT);
    assert_true(p.seq == UINT64_MAX);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hkdf_expand_label_keys),
        cmocka_unit_test(test_hkdf_expand_label_context),
        cmocka_unit_test(test_rfc8448_records),
        cmocka_unit_test(test_rfc8448_tampered),
        cmocka_unit_test(test_bad_setup),
        cmocka_unit_test(test_key_update),
        cmocka_unit_test(test_seq_limit),
        cmocka_unit_test(test_tls12_prf_vectors),
        cmocka_unit_test(test_tls12_aes128_gcm),
        cmocka_unit_test(test_tls12_aes256_gcm_sha384),
        cmocka_unit_test(test_tls12_chacha20),
        cmocka_unit_test(test_tls12_aes128_ccm),
        cmocka_unit_test(test_tls12_aes256_ccm),
        cmocka_unit_test(test_tls12_aes128_ccm8),
        cmocka_unit_test(test_tls12_aes256_ccm8),
        cmocka_unit_test(test_tls12_rejects_tls13_suite),
        cmocka_unit_test(test_tls10_prf_vectors),
        cmocka_unit_test(test_cbc_tls12_aes128_sha1),
        cmocka_unit_test(test_cbc_tls12_aes256_sha384),
        cmocka_unit_test(test_cbc_tls12_sha256),
        cmocka_unit_test(test_cbc_tls11),
        cmocka_unit_test(test_cbc_tls10_chained_iv),
        cmocka_unit_test(test_cbc_3des),
        cmocka_unit_test(test_cbc_camellia_aria),
        cmocka_unit_test(test_cbc_suite_table),
        cmocka_unit_test(test_tls13_aes256_gcm),
        cmocka_unit_test(test_tls13_chacha20),
        cmocka_unit_test(test_tls13_aes128_ccm),
        cmocka_unit_test(test_tls13_aes128_ccm8),
    };
    return cmocka_run_group_tests(tests, vectors_load, vectors_free);
}
