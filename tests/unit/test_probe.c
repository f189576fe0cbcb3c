/*
 * --probe's own pieces: the ML-KEM-768 encapsulation key (coefficients below q, 1184 bytes,
 * FIPS 203's modulus check: decoded and encoded again it is the same), the ClientHello writer
 * (read back by the project's decoder with no problem row), its bounds, and the reading of
 * ServerHello and HelloRetryRequest bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/trace.h"
#include "live/probe.h"
#include "live/probe_hello.h"
#include "live/probe_keys.h"
#include "live/probe_mlkem.h"
#include "tls/decoder.h"

#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A deterministic generator (xorshift), so that a failure can be replayed. */
static int test_rng(void *ctx, uint8_t *buf, size_t n)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < n; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        buf[i] = (uint8_t)(*s >> 24);
    }
    return 0;
}

static int failing_rng(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx, (void)buf, (void)n;
    return -1;
}

static void test_encode12(void **state)
{
    (void)state;
    /* FIPS 203 ByteEncode12: 0x123, 0xabc -> 23 c1 ab (bits little-endian). */
    uint16_t two[2] = {0x123, 0xabc}, back[2];
    uint8_t out[3];
    hs_mlkem_encode12(two, 2, out);
    assert_int_equal(out[0], 0x23);
    assert_int_equal(out[1], 0xc1);
    assert_int_equal(out[2], 0xab);
    hs_mlkem_decode12(out, 2, back);
    assert_int_equal(back[0], 0x123);
    assert_int_equal(back[1], 0xabc);
}

static void test_random_ek(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        uint64_t s = seed * 0x9e3779b97f4a7c15ull;
        uint8_t ek[HS_MLKEM768_EK_LEN];
        assert_int_equal(HS_MLKEM768_EK_LEN, 1184);
        assert_int_equal(hs_mlkem768_random_ek(ek, test_rng, &s), 0);
        uint16_t coef[HS_MLKEM_N];
        unsigned hist[4] = {0};
        for (int k = 0; k < HS_MLKEM768_K; k++) {
            hs_mlkem_decode12(ek + 384 * k, HS_MLKEM_N, coef);
            uint8_t again[384];
            for (size_t i = 0; i < HS_MLKEM_N; i++) {
                assert_true(coef[i] < HS_MLKEM_Q);
                hist[coef[i] * 4 / HS_MLKEM_Q]++;
            }
            hs_mlkem_encode12(coef, HS_MLKEM_N, again);
            assert_memory_equal(again, ek + 384 * k, 384); /* the modulus check */
        }
        for (int b = 0; b < 4; b++) /* spread over [0, q), not stuck in a corner */
            assert_true(hist[b] > 100);
        assert_true(hs_mlkem768_ek_valid(ek, sizeof ek));
        assert_false(hs_mlkem768_ek_valid(ek, sizeof ek - 1));
        /* One coefficient set to 4095 (>= q): the check refuses the key. */
        ek[384 + 30] = 0xff;
        ek[384 + 31] |= 0x0f;
        assert_false(hs_mlkem768_ek_valid(ek, sizeof ek));
    }
    uint8_t ek[HS_MLKEM768_EK_LEN];
    assert_int_equal(hs_mlkem768_random_ek(ek, failing_rng, NULL), -1);
}

static void test_writer_bounds(void **state)
{
    (void)state;
    uint8_t b[4];
    struct hs_pw w = {.p = b, .cap = sizeof b};
    size_t at = hs_pw_open(&w, 1);
    hs_pw_u16(&w, 0x0102);
    hs_pw_close(&w, at, 1);
    assert_false(w.overflow);
    assert_int_equal(b[0], 2);
    hs_pw_u16(&w, 7); /* one byte too many: nothing written */
    assert_true(w.overflow);
    assert_int_equal(w.len, 3);

    uint8_t big[300];
    struct hs_pw w2 = {.p = big, .cap = sizeof big};
    at = hs_pw_open(&w2, 1);
    uint8_t zero[256] = {0};
    hs_pw_bytes(&w2, zero, sizeof zero); /* 256 bytes under a one-byte length */
    hs_pw_close(&w2, at, 1);
    assert_true(w2.overflow);
}

/* A hello as the probe makes it by default, with keys from the test generator. */
struct sample {
    struct hs_probe_hello h;
    uint8_t mlkem[1216], x25519[32], enc[32], payload[176];
};

static void sample_hello(struct sample *s)
{
    static const int suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0};
    static const uint16_t groups[] = {0x11ec, 29, 23, 0};
    static const char *const alpn[] = {"h2", "http/1.1", NULL};
    uint64_t seed = 42;
    memset(s, 0, sizeof *s);
    assert_int_equal(hs_mlkem768_random_ek(s->mlkem, test_rng, &seed), 0);
    test_rng(&seed, s->mlkem + 1184, 32);
    test_rng(&seed, s->x25519, 32);
    test_rng(&seed, s->enc, 32);
    test_rng(&seed, s->payload, sizeof s->payload);
    struct hs_probe_hello *h = &s->h;
    test_rng(&seed, h->random, 32);
    test_rng(&seed, h->session_id, 32);
    h->sni = "example.com";
    h->alpn = alpn;
    h->suites = suites;
    h->groups = groups;
    h->shares[0] = (struct hs_probe_share){0x11ec, s->mlkem, sizeof s->mlkem};
    h->shares[1] = (struct hs_probe_share){29, s->x25519, 32};
    h->nshares = 2;
    h->grease[0] = 0x1a1a, h->grease[1] = 0x2a2a, h->grease[2] = 0x3a3a, h->grease[3] = 0x4a4a;
    h->ech = true;
    h->ech_config_id = 7;
    h->ech_enc = s->enc;
    h->ech_payload = s->payload;
    h->ech_payload_len = sizeof s->payload;
}

static const struct hs_field *ext(const struct hs_field *fields, const char *type)
{
    const struct hs_field *list = hs_f_get(fields, "extensions");
    for (const struct hs_field *e = list ? list->child : NULL; e; e = e->next) {
        const char *t = hs_f_get_str(e, "type");
        if (t && strcmp(t, type) == 0)
            return e;
    }
    return NULL;
}

/* The hello in a record, through the decoder: its one row, or a failure. */
static struct hs_trace *decode(const uint8_t *msg, size_t n)
{
    uint8_t *rec = malloc(n + 5);
    assert_non_null(rec);
    rec[0] = 22, rec[1] = 3, rec[2] = 1, rec[3] = (uint8_t)(n >> 8), rec[4] = (uint8_t)n;
    memcpy(rec + 5, msg, n);
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_CLIENT, 1.0, rec, n + 5, 0);
    hs_decoder_finish(d, 2.0);
    hs_decoder_free(d);
    free(rec);
    return t;
}

static void test_hello_decodes(void **state)
{
    (void)state;
    struct sample s;
    sample_hello(&s);
    uint8_t msg[4096];
    size_t n = hs_probe_hello_write(&s.h, msg, sizeof msg);
    assert_true(n > 1216 + 32 + 200);
    assert_int_equal(msg[0], 1);
    assert_int_equal((size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3], n - 4);
    struct hs_trace *t = decode(msg, n);
    assert_int_equal(t->nevents, 1);
    const struct hs_event *ev = t->first;
    assert_string_equal(ev->type, "ClientHello");
    assert_false(ev->problem);
    assert_int_equal(ev->length, n);
    const struct hs_field *ks = ext(ev->fields, "key_share");
    assert_non_null(ks);
    const struct hs_field *shares = hs_f_get(ks, "shares");
    assert_int_equal(hs_f_count(shares), 3); /* GREASE, X25519MLKEM768, x25519 */
    const struct hs_field *pq = shares->child->next;
    assert_string_equal(hs_f_get_str(pq, "group"), "X25519MLKEM768");
    long long len = 0;
    assert_true(hs_f_get_int(pq, "key_length", &len));
    assert_int_equal(len, 1216);
    assert_non_null(ext(ev->fields, "encrypted_client_hello"));
    assert_non_null(ext(ev->fields, "compress_certificate"));
    assert_non_null(ext(ev->fields, "psk_key_exchange_modes"));
    const struct hs_field *sv = ext(ev->fields, "supported_versions");
    assert_non_null(sv);
    assert_int_equal(hs_f_count(hs_f_get(sv, "versions")), 3);
    const struct hs_field *sni = ext(ev->fields, "server_name");
    assert_non_null(sni);
    assert_string_equal(hs_f_get_str(sni, "host_name"), "example.com");
    for (const struct hs_event *e = t->first; e; e = e->next)
        assert_false(e->problem);
    hs_trace_free(t);

    /* The retry: one share, a cookie, an empty ECH enc; it decodes as cleanly. */
    static const uint8_t cookie[] = {1, 2, 3, 4, 5};
    s.h.retry = true;
    s.h.shares[0] = s.h.shares[1];
    s.h.nshares = 1;
    s.h.cookie = cookie;
    s.h.cookie_len = sizeof cookie;
    s.h.ech_enc = NULL;
    n = hs_probe_hello_write(&s.h, msg, sizeof msg);
    t = decode(msg, n);
    assert_int_equal(t->nevents, 1);
    assert_false(t->first->problem);
    assert_int_equal(hs_f_count(hs_f_get(ext(t->first->fields, "key_share"), "shares")), 1);
    assert_non_null(ext(t->first->fields, "cookie"));
    hs_trace_free(t);

    /* Too small a buffer: nothing, not a cut hello. */
    assert_int_equal(hs_probe_hello_write(&s.h, msg, 100), 0);
}

static void test_read_answer(void **state)
{
    (void)state;
    /* A HelloRetryRequest: TLS 1.3, key_share secp256r1, a cookie, ECH confirmation. */
    static const uint8_t hrr_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65,
        0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2,
        0xc8, 0xa8, 0x33, 0x9c};
    uint8_t b[128];
    size_t n = 0;
    b[n++] = 3, b[n++] = 3;
    memcpy(b + n, hrr_random, 32), n += 32;
    b[n++] = 0;                         /* session id */
    b[n++] = 0x13, b[n++] = 0x01;       /* TLS_AES_128_GCM_SHA256 */
    b[n++] = 0;                         /* compression */
    static const uint8_t exts[] = {0, 33,                       /* the extensions' length */
                                   0, 43, 0, 2, 3, 4,             /* supported_versions */
                                   0, 51, 0, 2, 0, 23,            /* key_share: secp256r1 */
                                   0, 44, 0, 5, 0, 3, 9, 8, 7,    /* cookie */
                                   0xfe, 0x0d, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(b + n, exts, sizeof exts);
    size_t total = n + sizeof exts;
    struct hs_probe_answer a;
    assert_int_equal(hs_probe_read_answer(b, total, &a), 0);
    assert_true(a.hrr);
    assert_int_equal(a.version, 0x0304);
    assert_int_equal(a.suite, 0x1301);
    assert_int_equal(a.group, 23);
    assert_int_equal(a.cookie_len, 3);
    assert_int_equal(a.cookie[0], 9);
    assert_true(a.ech);
    assert_int_equal(a.ech_len, 8);
    /* Cut anywhere: refused, never read past the end. */
    for (size_t cut = 0; cut < total; cut++)
        assert_int_equal(hs_probe_read_answer(b, cut, &a), cut == 38 ? 0 : -1);
    /* A ServerHello with a 1120-byte X25519MLKEM768 share. */
    uint8_t sh[2048] = {3, 3};
    n = 2 + 32;
    sh[n++] = 0, sh[n++] = 0x13, sh[n++] = 0x02, sh[n++] = 0;
    size_t e = n;
    n += 2;
    static const uint8_t sv[] = {0, 43, 0, 2, 3, 4, 0, 51, 0x04, 0x64, 0x11, 0xec, 0x04, 0x60};
    memcpy(sh + n, sv, sizeof sv), n += sizeof sv + 1120;
    sh[e] = (uint8_t)((n - e - 2) >> 8), sh[e + 1] = (uint8_t)(n - e - 2);
    assert_int_equal(hs_probe_read_answer(sh, n, &a), 0);
    assert_false(a.hrr);
    assert_int_equal(a.group, 0x11ec);
    assert_int_equal(a.key_share_len, 1120);
    assert_true(hs_probe_group_is_pq(a.group));
    assert_false(hs_probe_group_is_pq(29));
    sh[e + 1]++; /* the extensions' length no longer matches */
    assert_int_equal(hs_probe_read_answer(sh, n, &a), -1);
}

/* RFC 8448's simple 1-RTT handshake: its shared secret and hellos give its handshake
 * traffic secrets; a retry's transcript (message_hash) gives others. */
static void test_tls13_secrets(void **state)
{
    (void)state;
    size_t ch_len, sh_len, ss_len;
    const uint8_t *ch = vector_bytes("client_hello", &ch_len);
    const uint8_t *sh = vector_bytes("server_hello", &sh_len);
    const uint8_t *ss = vector_bytes("shared_secret", &ss_len);
    struct hs_probe_transcript tr = {.ch1 = ch, .ch1_len = ch_len, .sh = sh, .sh_len = sh_len};
    uint8_t c_hs[48], s_hs[48];
    assert_int_equal(hs_probe_tls13_secrets(HS_HASH_SHA256, ss, ss_len, &tr, c_hs, s_hs), 0);
    assert_memory_equal(c_hs, vector_bytes("client_handshake_traffic_secret", NULL), 32);
    assert_memory_equal(s_hs, vector_bytes("server_handshake_traffic_secret", NULL), 32);
    uint8_t other[48];
    tr.hrr = sh, tr.hrr_len = sh_len, tr.ch2 = ch, tr.ch2_len = ch_len;
    assert_int_equal(hs_probe_tls13_secrets(HS_HASH_SHA256, ss, ss_len, &tr, c_hs, other), 0);
    assert_memory_not_equal(other, s_hs, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode12),
        cmocka_unit_test(test_random_ek),
        cmocka_unit_test(test_writer_bounds),
        cmocka_unit_test(test_hello_decodes),
        cmocka_unit_test(test_read_answer),
        cmocka_unit_test(test_tls13_secrets),
    };
    return cmocka_run_group_tests(tests, vectors_load, vectors_free);
}
