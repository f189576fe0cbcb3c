/*
 * The TLS decoder on the RFC 8448 "simple 1-RTT" handshake (decrypted with its secrets, split
 * and coalesced every way, without keys, with keys arriving late), on hand-made TLS 1.2 and
 * SSLv2 hellos, on a peer that is not TLS, and on truncated and garbled input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/trace.h"
#include "tls/decoder.h"
#include "tls/keylog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- test data ---- */

#include "bytebuf.h"
#include "vectors.h"

/* ---- the conversation, as steps ---- */

struct step {
    enum hs_side from;
    const char *record;
};

static const struct step script[] = {
    {HS_CLIENT, "client_hello_record"},
    {HS_SERVER, "server_hello_record"},
    {HS_SERVER, "server_encrypted_record"},
    {HS_CLIENT, "client_finished_record"},
    {HS_SERVER, "new_session_ticket_record"},
    {HS_CLIENT, "client_application_data_record"},
    {HS_SERVER, "server_application_data_record"},
    {HS_CLIENT, "client_alert_record"},
    {HS_SERVER, "server_alert_record"},
};
#define NSTEPS (sizeof script / sizeof script[0])

static struct hs_keylog *rfc_keys(void)
{
    struct hs_keylog *kl = hs_keylog_new();
    vectors_add_secrets(kl, HS_SECRET_COUNT);
    return kl;
}

/* Feeds the script; chunk == 0 feeds each step whole, else in pieces of `chunk` bytes;
 * split > 0 cuts step `split_step` in two at byte `split`. */
static void feed_script(struct hs_decoder *d, size_t chunk, size_t split_step, size_t split)
{
    for (size_t i = 0; i < NSTEPS; i++) {
        const struct vector *e = vector_get(script[i].record);
        double t = (double)i;
        if (split > 0 && i == split_step && split < e->len) {
            hs_decoder_feed(d, script[i].from, t, e->bytes, split, 2 * i + 1);
            hs_decoder_feed(d, script[i].from, t, e->bytes + split, e->len - split, 2 * i + 2);
        } else if (chunk > 0) {
            for (size_t off = 0; off < e->len; off += chunk) {
                size_t k = e->len - off < chunk ? e->len - off : chunk;
                hs_decoder_feed(d, script[i].from, t, e->bytes + off, k, 2 * i + 1);
            }
        } else {
            hs_decoder_feed(d, script[i].from, t, e->bytes, e->len, 2 * i + 1);
        }
    }
}

static struct hs_event *nth(struct hs_trace *t, size_t n)
{
    struct hs_event *e = t->first;
    while (e && n--)
        e = e->next;
    return e;
}

static const char *expected_types[] = {
    "ClientHello", "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify",
    "Finished", "Finished", "NewSessionTicket", "ApplicationData", "ApplicationData",
    "Alert", "Alert",
};
static const enum hs_side expected_from[] = {
    HS_CLIENT, HS_SERVER, HS_SERVER, HS_SERVER, HS_SERVER, HS_SERVER, HS_CLIENT, HS_SERVER,
    HS_CLIENT, HS_SERVER, HS_CLIENT, HS_SERVER,
};
#define NEXPECTED (sizeof expected_types / sizeof expected_types[0])

static void dump(struct hs_trace *t)
{
    for (struct hs_event *e = t->first; e; e = e->next)
        print_message("  %8.1f %-6s %-22s %s\n", e->t_ms, hs_side_name(e->from), e->type,
                      e->summary ? e->summary : "");
}

static void check_sequence(struct hs_trace *t)
{
    if (t->nevents != NEXPECTED)
        dump(t);
    assert_int_equal(t->nevents, NEXPECTED);
    size_t i = 0;
    for (struct hs_event *e = t->first; e; e = e->next, i++) {
        if (strcmp(e->type, expected_types[i]) != 0 || e->from != expected_from[i])
            dump(t);
        assert_string_equal(e->type, expected_types[i]);
        assert_int_equal(e->from, expected_from[i]);
        assert_false(e->problem);
    }
}

static struct hs_trace *run_rfc(size_t chunk, size_t split_step, size_t split)
{
    struct hs_trace *t = hs_trace_new();
    struct hs_keylog *kl = rfc_keys();
    struct hs_decoder *d = hs_decoder_new(t, kl);
    feed_script(d, chunk, split_step, split);
    hs_decoder_finish(d, 100);
    hs_decoder_free(d);
    hs_keylog_free(kl);
    return t;
}

static void test_rfc8448_decrypted(void **state)
{
    (void)state;
    struct hs_trace *t = run_rfc(0, 0, 0);
    check_sequence(t);

    struct hs_event *ch = nth(t, 0);
    assert_non_null(strstr(ch->summary, "TLS 1.3"));
    assert_non_null(strstr(ch->summary, "SNI server"));
    assert_non_null(strstr(ch->summary, "key_share x25519"));
    assert_false(ch->encrypted);
    assert_int_equal(ch->length, vector_get("client_hello")->len);
    assert_memory_equal(ch->bytes, vector_get("client_hello")->bytes, ch->length);
    assert_int_equal(ch->nframes, 1);
    assert_int_equal(ch->frames[0], 1);

    struct hs_event *sh = nth(t, 1);
    assert_string_equal(hs_f_get_str(sh->fields, "cipher_suite"), "TLS_AES_128_GCM_SHA256");
    assert_non_null(strstr(sh->summary, "TLS_AES_128_GCM_SHA256, x25519"));
    assert_non_null(sh->explain);

    assert_string_equal(t->version, "TLS 1.3");
    assert_string_equal(t->cipher_suite, "TLS_AES_128_GCM_SHA256");
    assert_string_equal(t->group, "x25519");
    assert_string_equal(t->sni, "server");
    assert_null(t->alpn);
    assert_false(t->resumed);
    assert_true(t->handshake_done);

    /* Decrypted messages: flags, plaintext, wire record, keys and cipher. */
    for (size_t i = 2; i <= 7; i++) {
        struct hs_event *e = nth(t, i);
        assert_true(e->encrypted);
        assert_true(e->decrypted);
        assert_non_null(e->wire);
        assert_non_null(hs_f_get_str(e->fields, "keys"));
        assert_string_equal(hs_f_get_str(e->fields, "cipher"), "AES-128-GCM");
    }
    assert_int_equal(nth(t, 2)->length, vector_get("encrypted_extensions")->len);
    assert_memory_equal(nth(t, 2)->bytes, vector_get("encrypted_extensions")->bytes,
                        nth(t, 2)->length);
    assert_memory_equal(nth(t, 3)->bytes, vector_get("certificate")->bytes,
                        vector_get("certificate")->len);
    assert_memory_equal(nth(t, 4)->bytes, vector_get("certificate_verify")->bytes,
                        vector_get("certificate_verify")->len);
    assert_memory_equal(nth(t, 5)->bytes, vector_get("server_finished")->bytes,
                        vector_get("server_finished")->len);
    assert_memory_equal(nth(t, 6)->bytes, vector_get("client_finished")->bytes,
                        vector_get("client_finished")->len);
    assert_memory_equal(nth(t, 7)->bytes, vector_get("new_session_ticket")->bytes,
                        vector_get("new_session_ticket")->len);
    assert_string_equal(hs_f_get_str(nth(t, 3)->fields, "keys"),
                        hs_secret_plain(HS_SECRET_SERVER_HANDSHAKE));
    assert_string_equal(hs_f_get_str(nth(t, 6)->fields, "keys"),
                        hs_secret_plain(HS_SECRET_CLIENT_HANDSHAKE));
    assert_string_equal(hs_f_get_str(nth(t, 7)->fields, "keys"),
                        hs_secret_plain(HS_SECRET_SERVER_TRAFFIC_0));

    /* The certificate: subject, chain on the trace. */
    assert_non_null(t->chain);
    assert_int_equal(hs_f_count(t->chain), 1);
    assert_string_equal(hs_f_get_str(t->chain->child, "subject"), "CN=rsa");
    assert_string_equal(hs_f_get_str(t->chain->child, "public_key"), "RSA 1024");
    assert_non_null(strstr(nth(t, 3)->summary, "1 cert: CN=rsa"));
    assert_string_equal(hs_f_get_str(nth(t, 4)->fields, "signature_scheme"), "rsa_pss_rsae_sha256");
    assert_string_equal(hs_f_get_str(nth(t, 5)->fields, "verify_data"),
                        "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718");
    long long v;
    assert_true(hs_f_get_int(nth(t, 7)->fields, "lifetime", &v));
    assert_int_equal(v, 30);

    /* Application data: one row per direction, plaintext counted. */
    assert_true(hs_f_get_int(nth(t, 8)->fields, "bytes", &v));
    assert_int_equal(v, 50);
    assert_true(hs_f_get_int(nth(t, 8)->fields, "records", &v));
    assert_int_equal(v, 1);
    assert_true(nth(t, 9)->decrypted);

    /* close_notify both ways, not problems. */
    assert_string_equal(hs_f_get_str(nth(t, 10)->fields, "description"), "close_notify");
    assert_string_equal(nth(t, 11)->summary, "warning close_notify");
    assert_non_null(hs_f_get_str(nth(t, 11)->fields, "cause"));
    hs_trace_free(t);
}

static void test_rfc8448_split_everywhere(void **state)
{
    (void)state;
    /* Byte by byte, and a few chunk sizes. */
    static const size_t chunks[] = {1, 2, 3, 5, 7, 64, 1000};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        struct hs_trace *t = run_rfc(chunks[c], 0, 0);
        check_sequence(t);
        assert_true(t->handshake_done);
        hs_trace_free(t);
    }
    /* Every cut point of every record. */
    for (size_t i = 0; i < NSTEPS; i++) {
        size_t n = vector_get(script[i].record)->len;
        for (size_t k = 1; k < n; k++) {
            struct hs_trace *t = run_rfc(0, i, k);
            check_sequence(t);
            hs_trace_free(t);
        }
    }
}

static void test_rfc8448_coalesced(void **state)
{
    (void)state;
    /* All of each direction in one feed, client first: the client's protected records
     * arrive before the ServerHello and must wait for it. */
    uint8_t *buf[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    for (size_t i = 0; i < NSTEPS; i++) {
        const struct vector *e = vector_get(script[i].record);
        int s = script[i].from;
        buf[s] = realloc(buf[s], len[s] + e->len);
        memcpy(buf[s] + len[s], e->bytes, e->len);
        len[s] += e->len;
    }
    struct hs_trace *t = hs_trace_new();
    struct hs_keylog *kl = rfc_keys();
    struct hs_decoder *d = hs_decoder_new(t, kl);
    hs_decoder_feed(d, HS_CLIENT, 1, buf[0], len[0], 1);
    hs_decoder_feed(d, HS_SERVER, 1, buf[1], len[1], 2);
    hs_decoder_finish(d, 100);
    /* Same messages; equal times keep decode order, so compare as counts per type. */
    assert_int_equal(t->nevents, NEXPECTED);
    for (size_t i = 0; i < NEXPECTED; i++) {
        size_t want = 0, got = 0;
        for (size_t j = 0; j < NEXPECTED; j++)
            want += strcmp(expected_types[j], expected_types[i]) == 0 &&
                    expected_from[j] == expected_from[i];
        for (struct hs_event *e = t->first; e; e = e->next)
            got += strcmp(e->type, expected_types[i]) == 0 && e->from == expected_from[i];
        assert_int_equal(got, want);
    }
    for (struct hs_event *e = t->first; e; e = e->next)
        assert_false(e->problem);
    assert_true(t->handshake_done);
    hs_decoder_free(d);
    hs_keylog_free(kl);
    hs_trace_free(t);
    free(buf[0]);
    free(buf[1]);
}

static void test_rfc8448_no_keys(void **state)
{
    (void)state;
    for (int with_empty_log = 0; with_empty_log < 2; with_empty_log++) {
        struct hs_trace *t = hs_trace_new();
        struct hs_keylog *kl = with_empty_log ? hs_keylog_new() : NULL;
        struct hs_decoder *d = hs_decoder_new(t, kl);
        feed_script(d, 0, 0, 0);
        hs_decoder_finish(d, 100);
        assert_string_equal(nth(t, 0)->type, "ClientHello");
        assert_string_equal(nth(t, 1)->type, "ServerHello");
        size_t opaque = 0;
        if (t->nevents != 9)
            dump(t);
        /* The handshake flights are named by position: the server's one record
         * (EncryptedExtensions … Finished), then the client's Finished (53 bytes); what
         * follows is the ticket, the data and the closing alerts, all application_data. */
        for (struct hs_event *e = nth(t, 2); e; e = e->next) {
            const char *want = opaque < 2 ? "EncryptedHandshake" : "ApplicationData";
            assert_string_equal(e->type, want);
            assert_int_equal(e->from, opaque == 1 || opaque == 3 || opaque == 5 ? HS_CLIENT
                                                                                  : HS_SERVER);
            if (opaque < 2)
                assert_non_null(strstr(e->summary, opaque == 0 ? "EncryptedExtensions … Finished"
                                                               : ": Finished"));
            assert_true(e->encrypted);
            assert_false(e->decrypted);
            assert_non_null(strstr(e->summary, "no key"));
            opaque++;
        }
        assert_int_equal(opaque, 7);
        assert_string_equal(t->cipher_suite, "TLS_AES_128_GCM_SHA256");
        assert_false(t->handshake_done);
        hs_decoder_free(d);
        hs_keylog_free(kl);
        hs_trace_free(t);
    }
}

static void test_rfc8448_keys_late(void **state)
{
    (void)state;
    /* The key log fills only after everything was fed: records wait, then decrypt. */
    struct hs_trace *t = hs_trace_new();
    struct hs_keylog *kl = hs_keylog_new();
    struct hs_decoder *d = hs_decoder_new(t, kl);
    feed_script(d, 0, 0, 0);
    assert_int_equal(t->nevents, 2);
    struct hs_keylog *full = rfc_keys();
    const uint8_t *cr = vector_get("client_random")->bytes;
    for (int k = HS_SECRET_CLIENT_HANDSHAKE; k <= HS_SECRET_SERVER_TRAFFIC_0; k++) {
        size_t n;
        const uint8_t *s = hs_keylog_find(full, (enum hs_secret)k, cr, &n);
        assert_non_null(s);
        assert_int_equal(hs_keylog_add(kl, (enum hs_secret)k, cr, s, n), HS_OK);
    }
    hs_decoder_keys_changed(d);
    hs_decoder_finish(d, 100);
    check_sequence(t);
    /* Held rows keep the time of their record. */
    assert_true(nth(t, 2)->t_ms == 2.0);
    assert_true(nth(t, 7)->t_ms == 4.0);
    hs_decoder_free(d);
    hs_keylog_free(kl);
    hs_keylog_free(full);
    hs_trace_free(t);
}

static void test_wrong_key(void **state)
{
    (void)state;
    struct hs_trace *t = hs_trace_new();
    struct hs_keylog *kl = hs_keylog_new();
    uint8_t junk[32];
    memset(junk, 0x42, sizeof junk);
    const uint8_t *cr = vector_get("client_random")->bytes;
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_SERVER_HANDSHAKE, cr, junk, 32), HS_OK);
    struct hs_decoder *d = hs_decoder_new(t, kl);
    feed_script(d, 0, 0, 0);
    hs_decoder_finish(d, 100);
    bool failed = false;
    for (struct hs_event *e = t->first; e; e = e->next)
        if (e->problem && e->summary && strstr(e->summary, "decryption failed"))
            failed = true;
    assert_true(failed);
    hs_decoder_free(d);
    hs_keylog_free(kl);
    hs_trace_free(t);
}

/* ---- robustness ---- */

struct flat {
    uint8_t *b;
    enum hs_side *side;
    size_t n;
};

static struct flat flatten(void)
{
    struct flat f = {0};
    for (size_t i = 0; i < NSTEPS; i++)
        f.n += vector_get(script[i].record)->len;
    f.b = malloc(f.n);
    f.side = malloc(f.n * sizeof *f.side);
    size_t off = 0;
    for (size_t i = 0; i < NSTEPS; i++) {
        const struct vector *e = vector_get(script[i].record);
        memcpy(f.b + off, e->bytes, e->len);
        for (size_t k = 0; k < e->len; k++)
            f.side[off + k] = script[i].from;
        off += e->len;
    }
    return f;
}

static void feed_flat(const struct flat *f, size_t n, struct hs_keylog *kl)
{
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, kl);
    size_t start = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i == n || f->side[i] != f->side[start]) {
            hs_decoder_feed(d, f->side[start], (double)start, f->b + start, i - start, start);
            start = i;
        }
    }
    hs_decoder_finish(d, 1e6);
    for (struct hs_event *e = t->first; e; e = e->next) {
        assert_non_null(e->fields);
        assert_true(e->type[0] != '\0');
    }
    hs_decoder_free(d);
    hs_trace_free(t);
}

static void test_truncated_everywhere(void **state)
{
    (void)state;
    struct flat f = flatten();
    struct hs_keylog *kl = rfc_keys();
    for (size_t n = 0; n <= f.n; n++)
        feed_flat(&f, n, kl);
    hs_keylog_free(kl);
    free(f.b);
    free(f.side);
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_garbled(void **state)
{
    (void)state;
    struct flat f = flatten();
    struct hs_keylog *kl = rfc_keys();
    uint8_t *orig = malloc(f.n);
    memcpy(orig, f.b, f.n);
    for (int round = 0; round < 3000; round++) {
        memcpy(f.b, orig, f.n);
        int kind = round % 4;
        if (kind == 0) { /* flipped bits */
            for (int k = 0; k < 1 + (int)(rnd() % 4); k++)
                f.b[rnd() % f.n] ^= (uint8_t)(1u << (rnd() % 8));
        } else if (kind == 1) { /* random bytes over a stretch */
            size_t at = rnd() % f.n, len = 1 + rnd() % 64;
            for (size_t k = at; k < f.n && k < at + len; k++)
                f.b[k] = (uint8_t)rnd();
        } else if (kind == 2) { /* bogus lengths: 0, 0xff.., off by one */
            size_t at = rnd() % (f.n - 1);
            static const uint8_t vals[] = {0x00, 0xff, 0x01, 0x80, 0x7f};
            f.b[at] = vals[rnd() % sizeof vals];
            f.b[at + 1] = vals[rnd() % sizeof vals];
        } else { /* all random, kept framed as TLS handshake records */
            for (size_t k = 0; k < f.n; k++)
                f.b[k] = (uint8_t)rnd();
            f.b[0] = 22;
            f.b[1] = 3;
            f.b[2] = 1;
        }
        feed_flat(&f, f.n, (round & 8) ? kl : NULL);
    }
    /* Plaintext messages decoded from random bytes with valid framing. */
    for (int round = 0; round < 2000; round++) {
        struct hs_trace *t = hs_trace_new();
        struct hs_decoder *d = hs_decoder_new(t, NULL);
        uint8_t rec[5 + 300];
        size_t body = 4 + rnd() % 290;
        rec[0] = 22;
        rec[1] = 3;
        rec[2] = 3;
        rec[3] = (uint8_t)(body >> 8);
        rec[4] = (uint8_t)body;
        for (size_t k = 5; k < 5 + body; k++)
            rec[k] = (uint8_t)rnd();
        static const uint8_t types[] = {0, 1, 2, 4, 5, 8, 11, 12, 13, 14, 15, 16, 20, 22, 24, 25, 67};
        rec[5] = types[rnd() % sizeof types];
        rec[6] = 0;
        rec[7] = (uint8_t)((body - 4) >> 8);
        rec[8] = (uint8_t)(body - 4);
        hs_decoder_feed(d, (round & 1) ? HS_SERVER : HS_CLIENT, 0, rec, 5 + body, 0);
        hs_decoder_finish(d, 1);
        hs_decoder_free(d);
        hs_trace_free(t);
    }
    hs_keylog_free(kl);
    free(orig);
    free(f.b);
    free(f.side);
}

/* ---- hand-made TLS 1.2 ---- */


/* Wraps handshake messages into one record. */
static void record(struct buf *out, uint8_t type, const struct buf *body)
{
    put8(out, type);
    put16(out, 0x0303);
    put16(out, (unsigned)body->n);
    put(out, body->b, body->n);
}

static void client_hello12(struct buf *m)
{
    put8(m, 1);
    size_t len = m->n;
    put24(m, 0);
    put16(m, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(m, i);
    put8(m, 32); /* session id */
    for (int i = 0; i < 32; i++)
        put8(m, 0xa0 + i);
    put16(m, 8);
    put16(m, 0x2a2a); /* GREASE */
    put16(m, 0xc02f);
    put16(m, 0xc030);
    put16(m, 0x009c);
    put8(m, 1);
    put8(m, 0);
    size_t ext = m->n;
    put16(m, 0);
    /* server_name */
    put16(m, 0); put16(m, 16); put16(m, 14); put8(m, 0); put16(m, 11); put(m, "example.com", 11);
    /* supported_groups */
    put16(m, 10); put16(m, 8); put16(m, 6); put16(m, 0x001d); put16(m, 0x0017); put16(m, 0x11ec);
    /* ec_point_formats */
    put16(m, 11); put16(m, 2); put8(m, 1); put8(m, 0);
    /* signature_algorithms */
    put16(m, 13); put16(m, 6); put16(m, 4); put16(m, 0x0804); put16(m, 0x0403);
    /* ALPN h2, http/1.1 */
    put16(m, 16); put16(m, 14); put16(m, 12); put8(m, 2); put(m, "h2", 2); put8(m, 8); put(m, "http/1.1", 8);
    /* extended_master_secret, session_ticket (empty), renegotiation_info */
    put16(m, 23); put16(m, 0);
    put16(m, 35); put16(m, 0);
    put16(m, 0xff01); put16(m, 1); put8(m, 0);
    /* status_request */
    put16(m, 5); put16(m, 5); put8(m, 1); put16(m, 0); put16(m, 0);
    /* record_size_limit, an unknown one, padding */
    put16(m, 28); put16(m, 2); put16(m, 16385);
    put16(m, 0x1234); put16(m, 3); put8(m, 1); put8(m, 2); put8(m, 3);
    put16(m, 21); put16(m, 5); for (int i = 0; i < 5; i++) put8(m, 0);
    fix16(m, ext);
    fix24(m, len);
}

static void server_flight12(struct buf *m, const uint8_t *cert, size_t certlen)
{
    /* ServerHello: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ALPN h2, downgrade sentinel. */
    put8(m, 2);
    size_t len = m->n;
    put24(m, 0);
    put16(m, 0x0303);
    for (int i = 0; i < 24; i++)
        put8(m, 0x50 + i);
    put(m, "DOWNGRD\x01", 8);
    put8(m, 0);
    put16(m, 0xc02f);
    put8(m, 0);
    size_t ext = m->n;
    put16(m, 0);
    put16(m, 16); put16(m, 5); put16(m, 3); put8(m, 2); put(m, "h2", 2);
    put16(m, 0xff01); put16(m, 1); put8(m, 0);
    put16(m, 23); put16(m, 0);
    fix16(m, ext);
    fix24(m, len);
    /* Certificate (1.2 format), one certificate. */
    put8(m, 11);
    len = m->n;
    put24(m, 0);
    put24(m, (unsigned)certlen + 3);
    put24(m, (unsigned)certlen);
    put(m, cert, certlen);
    fix24(m, len);
    /* ServerKeyExchange: named curve x25519, 32-byte key, rsa_pss_rsae_sha256 signature. */
    put8(m, 12);
    len = m->n;
    put24(m, 0);
    put8(m, 3);
    put16(m, 0x001d);
    put8(m, 32);
    for (int i = 0; i < 32; i++)
        put8(m, 0x11);
    put16(m, 0x0804);
    put16(m, 128);
    for (int i = 0; i < 128; i++)
        put8(m, 0x22);
    fix24(m, len);
    /* ServerHelloDone */
    put8(m, 14);
    put24(m, 0);
}

static void test_tls12_synthetic(void **state)
{
    (void)state;
    /* The RFC 8448 certificate: certificate message = header(4) ctx(1) list(3) len(3) DER. */
    const struct vector *ce = vector_get("certificate");
    const uint8_t *cert = ce->bytes + 11;
    size_t certlen = (size_t)ce->bytes[8] << 16 | (size_t)ce->bytes[9] << 8 | ce->bytes[10];

    struct buf ch = {0}, chrec = {0}, sf = {0}, sfrec = {0};
    client_hello12(&ch);
    record(&chrec, 22, &ch);
    server_flight12(&sf, cert, certlen);
    record(&sfrec, 22, &sf);

    /* ClientKeyExchange + CCS + an "encrypted" Finished (no key). */
    struct buf cke = {0}, ckerec = {0}, ccs = {0}, fin = {0};
    put8(&cke, 16); put24(&cke, 33); put8(&cke, 32);
    for (int i = 0; i < 32; i++) put8(&cke, 0x33);
    record(&ckerec, 22, &cke);
    put8(&ccs, 20); put16(&ccs, 0x0303); put16(&ccs, 1); put8(&ccs, 1);
    put8(&fin, 22); put16(&fin, 0x0303); put16(&fin, 40);
    for (int i = 0; i < 40; i++) put8(&fin, (uint8_t)i);

    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_CLIENT, 1, chrec.b, chrec.n, 0);
    /* The server flight in 100-byte pieces: messages across reads. */
    for (size_t off = 0; off < sfrec.n; off += 100)
        hs_decoder_feed(d, HS_SERVER, 2, sfrec.b + off, sfrec.n - off < 100 ? sfrec.n - off : 100, 0);
    hs_decoder_feed(d, HS_CLIENT, 3, ckerec.b, ckerec.n, 0);
    hs_decoder_feed(d, HS_CLIENT, 3, ccs.b, ccs.n, 0);
    hs_decoder_feed(d, HS_CLIENT, 3, fin.b, fin.n, 0);
    hs_decoder_finish(d, 10);

    static const char *types[] = {"ClientHello", "ServerHello", "Certificate", "ServerKeyExchange",
                                  "ServerHelloDone", "ClientKeyExchange", "ChangeCipherSpec",
                                  "Finished"};
    if (t->nevents != 8)
        dump(t);
    assert_int_equal(t->nevents, 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(nth(t, i)->type, types[i]);

    struct hs_event *e = nth(t, 0);
    assert_false(e->problem);
    assert_string_equal(e->summary,
                        "TLS 1.2, SNI example.com, 4 suites, ALPN h2,http/1.1");
    const struct hs_field *suites = hs_f_get(e->fields, "cipher_suites");
    assert_string_equal(suites->child->str, "GREASE(0x2a2a)");
    assert_string_equal(suites->child->next->str, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    const struct hs_field *exts = hs_f_get(e->fields, "extensions");
    assert_int_equal(hs_f_count(exts), 12);
    const struct hs_field *x = exts->child;
    assert_string_equal(hs_f_get_str(x, "type"), "server_name");
    assert_string_equal(hs_f_get_str(x, "host_name"), "example.com");
    x = x->next;
    assert_string_equal(hs_f_get(x, "groups")->child->str, "x25519");
    assert_string_equal(hs_f_get(x, "groups")->child->next->next->str, "X25519MLKEM768");
    long long v;
    for (x = exts->child; x; x = x->next) {
        const char *ty = hs_f_get_str(x, "type");
        if (strcmp(ty, "record_size_limit") == 0) {
            assert_true(hs_f_get_int(x, "record_size_limit", &v));
            assert_int_equal(v, 16385);
        }
        if (strcmp(ty, "padding") == 0) {
            assert_true(hs_f_get_int(x, "padding_length", &v));
            assert_int_equal(v, 5);
        }
        if (strcmp(ty, "unknown(4660)") == 0) {
            assert_true(hs_f_get_int(x, "length", &v));
            assert_int_equal(v, 3);
        }
    }
    assert_string_equal(t->sni, "example.com");

    e = nth(t, 1);
    assert_string_equal(hs_f_get_str(e->fields, "downgrade_sentinel"), "TLS 1.2");
    assert_non_null(strstr(e->summary, "TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ALPN h2"));
    assert_string_equal(t->version, "TLS 1.2");
    assert_string_equal(t->alpn, "h2");
    assert_false(t->resumed);

    e = nth(t, 2);
    assert_non_null(strstr(e->summary, "1 cert: CN=rsa"));
    assert_int_equal(e->nbytes, 4 + 3 + 3 + certlen);

    e = nth(t, 3);
    assert_string_equal(hs_f_get_str(e->fields, "group"), "x25519");
    assert_string_equal(hs_f_get_str(e->fields, "signature_scheme"), "rsa_pss_rsae_sha256");
    assert_true(hs_f_get_int(e->fields, "public_key_length", &v));
    assert_int_equal(v, 32);
    assert_string_equal(t->group, "x25519");

    e = nth(t, 5);
    assert_true(hs_f_get_int(e->fields, "public_key_length", &v));
    assert_int_equal(v, 32);
    assert_false(nth(t, 6)->encrypted);
    assert_null(hs_f_get(nth(t, 6)->fields, "middlebox_compatibility"));
    e = nth(t, 7);
    assert_true(e->encrypted);
    assert_false(e->decrypted);
    assert_non_null(strstr(e->summary, "no key"));
    hs_decoder_free(d);
    hs_trace_free(t);
}

static void test_sslv2_hello(void **state)
{
    (void)state;
    static const uint8_t v2[] = {
        0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
        0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
        0x00, 0x00, 0x0a, 0x00, 0x00, 0xff, 0x03, 0x00, 0x80,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    };
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_CLIENT, 1, v2, 5, 0);
    hs_decoder_feed(d, HS_CLIENT, 1, v2 + 5, sizeof v2 - 5, 0);
    /* The server answers in TLS 1.0. */
    static const uint8_t sh[] = {0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x01,
                                 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
                                 0x00, 0x00, 0x2f, 0x00};
    hs_decoder_feed(d, HS_SERVER, 2, sh, sizeof sh, 0);
    hs_decoder_finish(d, 3);
    if (t->nevents != 2)
        dump(t);
    assert_int_equal(t->nevents, 2);
    struct hs_event *e = nth(t, 0);
    assert_string_equal(e->type, "ClientHello");
    assert_false(e->problem);
    assert_string_equal(hs_f_get_str(e->fields, "format"), "SSLv2");
    assert_string_equal(hs_f_get_str(e->fields, "version"), "TLS 1.0");
    const struct hs_field *specs = hs_f_get(e->fields, "cipher_specs");
    assert_int_equal(hs_f_count(specs), 7);
    assert_string_equal(specs->child->str, "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_string_equal(specs->child->next->next->str, "SSL_CK_RC4_128_WITH_MD5");
    assert_non_null(hs_decoder_client_random(d));
    assert_int_equal(hs_decoder_client_random(d)[31], 15);
    assert_string_equal(nth(t, 1)->type, "ServerHello");
    assert_false(nth(t, 1)->problem);
    assert_string_equal(t->version, "TLS 1.0");
    hs_decoder_free(d);
    hs_trace_free(t);
}

static void test_not_tls(void **state)
{
    (void)state;
    static const char http[] = "HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n";
    static const char ssh[] = "SSH-2.0-OpenSSH_9.6\r\n";
    const char *texts[] = {http, ssh};
    for (int i = 0; i < 2; i++) {
        struct hs_trace *t = hs_trace_new();
        struct hs_decoder *d = hs_decoder_new(t, NULL);
        hs_decoder_feed(d, HS_SERVER, 1, (const uint8_t *)texts[i], 5, 0);
        hs_decoder_feed(d, HS_SERVER, 2, (const uint8_t *)texts[i] + 5, strlen(texts[i]) - 5, 0);
        hs_decoder_feed(d, HS_SERVER, 3, (const uint8_t *)"\x00\x01garbage", 9, 0);
        hs_decoder_finish(d, 4);
        assert_true(hs_decoder_not_tls(d, HS_SERVER));
        assert_false(hs_decoder_not_tls(d, HS_CLIENT));
        assert_int_equal(t->nevents, 1);
        assert_true(t->first->problem);
        assert_non_null(strstr(t->first->summary, "not TLS: "));
        assert_non_null(strstr(t->first->summary, i == 0 ? "HTTP/1.1" : "SSH-2.0"));
        /* The reason line quotes the first line, at most 16 bytes of it. */
        char why[96];
        assert_non_null(hs_decoder_not_tls_reason(d, HS_SERVER, why, sizeof why));
        assert_string_equal(why, i == 0 ? "it replied in plain HTTP: \"HTTP/1.1 400 Bad\""
                                        : "its reply starts with \"SSH-2.0-OpenSSH_\"");
        assert_null(hs_decoder_not_tls_reason(d, HS_CLIENT, why, sizeof why));
        hs_decoder_free(d);
        hs_trace_free(t);
    }
    /* The first byte alone can look like TLS: the header check catches it. */
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_SERVER, 1, (const uint8_t *)"\x15\x41\x42\x43\x44\x45", 6, 0);
    assert_true(hs_decoder_not_tls(d, HS_SERVER));
    char why[96];
    assert_non_null(hs_decoder_not_tls_reason(d, HS_SERVER, why, sizeof why));
    assert_string_equal(why, ""); /* not text: nothing to quote */
    hs_decoder_free(d);
    hs_trace_free(t);
}

static void test_limits(void **state)
{
    (void)state;
    /* A handshake header claiming 2^24-1 bytes: a limit row, no allocation of that size. */
    static const uint8_t rec[] = {0x16, 0x03, 0x03, 0x00, 0x08, 0x0b, 0xff, 0xff, 0xff, 1, 2, 3, 4};
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_SERVER, 1, rec, sizeof rec, 0);
    for (int i = 0; i < 100; i++) {
        static const uint8_t more[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0xaa, 0xbb, 0xcc, 0xdd};
        hs_decoder_feed(d, HS_SERVER, 2, more, sizeof more, 0);
    }
    hs_decoder_finish(d, 3);
    assert_int_equal(t->nevents, 1);
    assert_string_equal(t->first->type, "Certificate");
    assert_true(t->first->problem);
    assert_non_null(strstr(hs_f_get_str(t->first->fields, "error"), "exceeds"));
    hs_decoder_free(d);
    hs_trace_free(t);

    /* A record length beyond the ciphertext bound. */
    t = hs_trace_new();
    d = hs_decoder_new(t, NULL);
    static const uint8_t ok[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
    static const uint8_t big[] = {0x17, 0x03, 0x03, 0xff, 0xff};
    hs_decoder_feed(d, HS_SERVER, 1, ok, sizeof ok, 0);
    hs_decoder_feed(d, HS_SERVER, 2, big, sizeof big, 0);
    hs_decoder_feed(d, HS_SERVER, 3, ok, sizeof ok, 0);
    hs_decoder_finish(d, 4);
    assert_int_equal(t->nevents, 4); /* alert, error, (skipped note), alert */
    assert_true(nth(t, 1)->problem);
    assert_string_equal(nth(t, 3)->type, "Alert");
    hs_decoder_free(d);
    hs_trace_free(t);
}

static void test_alert_and_hrr(void **state)
{
    (void)state;
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    static const uint8_t hrr[] = {
        0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c, 0x03, 0x03,
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
        0x00, 0x13, 0x01, 0x00, 0x00, 0x14, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
        0x00, 0x33, 0x00, 0x02, 0x00, 0x18, 0x00, 0x2c, 0x00, 0x04, 0x00, 0x02, 0xab, 0xcd};
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_SERVER, 1, hrr, sizeof hrr, 0);
    hs_decoder_feed(d, HS_SERVER, 2, (const uint8_t *)"\x14\x03\x03\x00\x01\x01", 6, 0);
    hs_decoder_feed(d, HS_SERVER, 3, alert, sizeof alert, 0);
    hs_decoder_finish(d, 4);
    if (t->nevents != 3)
        dump(t);
    assert_int_equal(t->nevents, 3);
    assert_string_equal(nth(t, 0)->type, "HelloRetryRequest");
    assert_false(nth(t, 0)->problem);
    assert_non_null(strstr(nth(t, 0)->summary, "secp384r1"));
    assert_string_equal(t->group, "secp384r1");
    assert_true(hs_f_get(nth(t, 1)->fields, "middlebox_compatibility") != NULL);
    struct hs_event *a = nth(t, 2);
    assert_string_equal(a->summary, "fatal handshake_failure");
    assert_true(a->problem);
    assert_non_null(hs_f_get_str(a->fields, "cause"));
    hs_decoder_free(d);
    hs_trace_free(t);
}

/* ---- the server's hello checked against the client's offer ---- */

/* A TLS 1.3 ClientHello: suites AES-128-GCM and AES-256-GCM, supported_versions 1.3 and 1.2,
 * groups x25519, secp256r1, secp384r1, one key share (x25519), and extension `extra` (0:
 * none) with an empty body. */
static void client_hello13(struct buf *m, unsigned extra)
{
    put8(m, 1);
    size_t len = m->n;
    put24(m, 0);
    put16(m, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(m, 0x40 + i);
    put8(m, 0);
    put16(m, 4); put16(m, 0x1301); put16(m, 0x1302);
    put8(m, 1); put8(m, 0);
    size_t ext = m->n;
    put16(m, 0);
    put16(m, 43); put16(m, 5); put8(m, 4); put16(m, 0x0304); put16(m, 0x0303);
    put16(m, 10); put16(m, 8); put16(m, 6); put16(m, 0x001d); put16(m, 0x0017); put16(m, 0x0018);
    put16(m, 51); put16(m, 38); put16(m, 36); put16(m, 0x001d); put16(m, 32);
    for (int i = 0; i < 32; i++)
        put8(m, 0x77);
    if (extra) {
        put16(m, extra); put16(m, 0);
    }
    fix16(m, ext);
    fix24(m, len);
}

/* A ServerHello (or, with hrr, a HelloRetryRequest) choosing suite, version (through
 * supported_versions when `selected`, else legacy_version) and group, plus extension
 * `extra` (0: none) with an empty body. */
static void server_hello13(struct buf *m, bool hrr, unsigned suite, unsigned version,
                           bool selected, unsigned group, unsigned extra)
{
    static const uint8_t hrr_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65,
        0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2,
        0xc8, 0xa8, 0x33, 0x9c};
    put8(m, 2);
    size_t len = m->n;
    put24(m, 0);
    put16(m, selected ? 0x0303 : version);
    if (hrr)
        put(m, hrr_random, 32);
    else
        for (int i = 0; i < 32; i++)
            put8(m, 0x90 + i);
    put8(m, 0);
    put16(m, suite);
    put8(m, 0);
    size_t ext = m->n;
    put16(m, 0);
    if (selected) {
        put16(m, 43); put16(m, 2); put16(m, version);
    }
    if (group && hrr) {
        put16(m, 51); put16(m, 2); put16(m, group);
    } else if (group) {
        put16(m, 51); put16(m, 36); put16(m, group); put16(m, 32);
        for (int i = 0; i < 32; i++)
            put8(m, 0x66);
    }
    if (extra) {
        put16(m, extra); put16(m, 0);
    }
    fix16(m, ext);
    fix24(m, len);
}

/* Feeds the client's and the server's hellos (each a handshake message); returns the server's
 * first violation, "" when it has none.  The trace is left in *out. */
static const char *violation_of(const struct buf *ch, const struct buf *sh, struct hs_trace **out)
{
    struct buf a = {0}, b = {0};
    record(&a, 22, ch);
    record(&b, 22, sh);
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_CLIENT, 1, a.b, a.n, 0);
    hs_decoder_feed(d, HS_SERVER, 2, b.b, b.n, 0);
    hs_decoder_finish(d, 3);
    hs_decoder_free(d);
    *out = t;
    const struct hs_event *e = nth(t, 1);
    assert_non_null(e);
    const struct hs_field *v = hs_f_get(e->fields, "violations");
    assert_true(v == NULL || e->problem);
    return v && v->child ? v->child->str : "";
}

static void expect_violation(const struct buf *ch, const struct buf *sh, const char *want)
{
    struct hs_trace *t;
    const char *got = violation_of(ch, sh, &t);
    if (strcmp(got, want) != 0)
        dump(t);
    assert_string_equal(got, want);
    if (*want)
        assert_non_null(strstr(nth(t, 1)->summary, want)); /* said on the row, too */
    hs_trace_free(t);
}

static void test_hello_checks(void **state)
{
    (void)state;
    struct buf ch = {0}, ch12 = {0}, ch_alpn = {0};
    client_hello13(&ch, 0);
    client_hello12(&ch12);
    client_hello13(&ch_alpn, 16);
    struct {
        struct buf *ch;
        bool hrr;
        unsigned suite, version;
        bool selected;
        unsigned group, extra;
        const char *want;
    } cases[] = {
        {&ch, false, 0x1301, 0x0304, true, 0x001d, 0, ""},
        {&ch, false, 0x1303, 0x0304, true, 0x001d, 0,
         "cipher suite TLS_CHACHA20_POLY1305_SHA256 was not offered by the client"},
        {&ch, false, 0x1301, 0x0305, true, 0x001d, 0,
         "version 0x0305 was not in the client's supported_versions"},
        {&ch, false, 0x1301, 0x0303, true, 0, 0,
         "supported_versions selects TLS 1.2: only TLS 1.3 or later may be selected this way"},
        {&ch, false, 0x1301, 0x0301, false, 0, 0,
         "version TLS 1.0 was not in the client's supported_versions"},
        {&ch, false, 0x1301, 0x0304, true, 0x0017, 0,
         "key share for group secp256r1, for which the client sent none"},
        {&ch, false, 0x1301, 0x0304, true, 0x001d, 1,
         "extension max_fragment_length was not in the ClientHello"},
        {&ch_alpn, false, 0x1301, 0x0304, true, 0x001d, 16, ""},
        {&ch, true, 0x1301, 0x0304, true, 0x0018, 44, ""}, /* cookie: allowed in an HRR */
        {&ch, true, 0x1301, 0x0304, true, 0x001d, 0,
         "asks for a key share for x25519, which the client already sent"},
        {&ch, true, 0x1301, 0x0304, true, 0x0100, 0,
         "asks for group ffdhe2048, which was not in the client's supported_groups"},
        {&ch12, false, 0xc02f, 0x0303, false, 0, 0, ""},
        {&ch12, false, 0xc02f, 0x0304, false, 0, 0, "version TLS 1.3 is above the client's TLS 1.2"},
        {&ch12, false, 0x0035, 0x0303, false, 0, 0,
         "cipher suite TLS_RSA_WITH_AES_256_CBC_SHA was not offered by the client"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf sh = {0};
        server_hello13(&sh, cases[i].hrr, cases[i].suite, cases[i].version, cases[i].selected,
                       cases[i].group, cases[i].extra);
        expect_violation(cases[i].ch, &sh, cases[i].want);
    }

    /* A second HelloRetryRequest, and a ServerHello whose suite differs from the HRR's. */
    struct buf hrr = {0}, hrr_rec = {0}, sh = {0}, sh_rec = {0}, ch_rec = {0};
    server_hello13(&hrr, true, 0x1301, 0x0304, true, 0x0018, 0);
    record(&hrr_rec, 22, &hrr);
    record(&ch_rec, 22, &ch);
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_CLIENT, 1, ch_rec.b, ch_rec.n, 0);
    hs_decoder_feed(d, HS_SERVER, 2, hrr_rec.b, hrr_rec.n, 0);
    hs_decoder_feed(d, HS_CLIENT, 3, ch_rec.b, ch_rec.n, 0);
    hs_decoder_feed(d, HS_SERVER, 4, hrr_rec.b, hrr_rec.n, 0);
    server_hello13(&sh, false, 0x1302, 0x0304, true, 0x001d, 0);
    record(&sh_rec, 22, &sh);
    hs_decoder_feed(d, HS_CLIENT, 5, ch_rec.b, ch_rec.n, 0);
    hs_decoder_feed(d, HS_SERVER, 6, sh_rec.b, sh_rec.n, 0);
    hs_decoder_finish(d, 7);
    assert_false(nth(t, 1)->problem);
    assert_string_equal(hs_f_get(nth(t, 3)->fields, "violations")->child->str,
                        "a second HelloRetryRequest: the client must abort (RFC 8446 4.1.4)");
    assert_string_equal(hs_f_get(nth(t, 5)->fields, "violations")->child->str,
                        "cipher suite TLS_AES_256_GCM_SHA384 differs from the HelloRetryRequest's");
    hs_decoder_free(d);
    hs_trace_free(t);
}

static void test_malformed_hello(void **state)
{
    (void)state;
    /* cipher_suites length runs past the message: event with error and problem. */
    static const uint8_t ch[] = {0x16, 0x03, 0x01, 0x00, 0x2b, 0x01, 0x00, 0x00, 0x27, 0x03, 0x03,
                                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0x00, 0x40, 0x00, 0x13, 0x01};
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_CLIENT, 1, ch, sizeof ch, 0);
    hs_decoder_finish(d, 2);
    assert_int_equal(t->nevents, 1);
    assert_string_equal(t->first->type, "ClientHello");
    assert_true(t->first->problem);
    assert_string_equal(hs_f_get_str(t->first->fields, "error"),
                        "ClientHello.cipher_suites: invalid at +39");
    assert_non_null(hs_f_get_str(t->first->fields, "random"));
    hs_decoder_free(d);
    hs_trace_free(t);
}

static void test_gap_and_duplicates(void **state)
{
    (void)state;
    /* A ClientHello with server_name twice: decoded, flagged. */
    const struct vector *ch = vector_get("client_hello_record");
    uint8_t rec[512];
    memcpy(rec, ch->bytes, ch->len);
    /* Append a second (empty) server_name extension: fix the three enclosing lengths. */
    size_t n = ch->len;
    memcpy(rec + n, "\x00\x00\x00\x00", 4);
    n += 4;
    size_t rlen = ((size_t)rec[3] << 8 | rec[4]) + 4, hlen = ((size_t)rec[7] << 8 | rec[8]) + 4;
    rec[3] = (uint8_t)(rlen >> 8);
    rec[4] = (uint8_t)rlen;
    rec[7] = (uint8_t)(hlen >> 8);
    rec[8] = (uint8_t)hlen;
    /* extensions length sits after version(2) random(32) sid(1+0) suites(2+6) comp(1+1) */
    size_t eo = 5 + 4 + 2 + 32 + 1 + 2 + 6 + 2;
    size_t elen = ((size_t)rec[eo] << 8 | rec[eo + 1]) + 4;
    rec[eo] = (uint8_t)(elen >> 8);
    rec[eo + 1] = (uint8_t)elen;
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_CLIENT, 1, rec, n, 0);
    assert_int_equal(t->nevents, 1);
    assert_true(t->first->problem);
    assert_non_null(strstr(hs_f_get_str(t->first->fields, "error"), "duplicate server_name"));
    /* Half a ServerHello, a gap, then a whole one: a gap row and a resync. */
    const struct vector *sh = vector_get("server_hello_record");
    hs_decoder_feed(d, HS_SERVER, 2, sh->bytes, 20, 0);
    hs_decoder_gap(d, HS_SERVER, 3, 100);
    hs_decoder_feed(d, HS_SERVER, 4, (const uint8_t *)"\x99\x98", 2, 0);
    hs_decoder_feed(d, HS_SERVER, 4, sh->bytes, sh->len, 0);
    hs_decoder_finish(d, 5);
    bool gap = false, resync = false;
    for (struct hs_event *e = t->first; e; e = e->next) {
        if (e->summary && strstr(e->summary, "100 bytes missing"))
            gap = true;
        if (e->summary && strstr(e->summary, "skipped 2 bytes"))
            resync = true;
    }
    assert_true(gap);
    assert_true(resync);
    assert_string_equal(t->last->type, "ServerHello");
    assert_false(t->last->problem);
    hs_decoder_free(d);
    hs_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_decrypted),
        cmocka_unit_test(test_rfc8448_split_everywhere),
        cmocka_unit_test(test_rfc8448_coalesced),
        cmocka_unit_test(test_rfc8448_no_keys),
        cmocka_unit_test(test_rfc8448_keys_late),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_garbled),
        cmocka_unit_test(test_tls12_synthetic),
        cmocka_unit_test(test_sslv2_hello),
        cmocka_unit_test(test_not_tls),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_alert_and_hrr),
        cmocka_unit_test(test_malformed_hello),
        cmocka_unit_test(test_hello_checks),
        cmocka_unit_test(test_gap_and_duplicates),
    };
    return cmocka_run_group_tests(tests, vectors_load, vectors_free);
}
