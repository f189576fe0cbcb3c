/*
 * The key schedule (--keys): RFC 8448's simple 1-RTT handshake decoded with its traffic
 * secrets gives the RFC's early secret, keys, IVs, finished keys and verify_data, and both
 * Finished verified; a transcript that differs from the peers' gives "mismatch"; missing
 * secrets are named, never invented; TLS 1.2 (with and without the extended master secret)
 * and a HelloRetryRequest transcript are checked against hashes computed here on their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/trace.h"
#include "tls/decoder.h"
#include "tls/keylog.h"
#include "tls/keysched.h"
#include "tls/protect.h"

#include <mbedtls/md.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static const char *records[][2] = {
    {"c", "client_hello_record"},       {"s", "server_hello_record"},
    {"s", "server_encrypted_record"},   {"c", "client_finished_record"},
    {"s", "new_session_ticket_record"},
};

static struct hs_keylog *rfc_keys(bool wrong_client)
{
    struct hs_keylog *kl = hs_keylog_new();
    vectors_add_secrets(kl, wrong_client ? HS_SECRET_CLIENT_HANDSHAKE : HS_SECRET_COUNT);
    return kl;
}

static struct hs_trace *run_rfc(bool want, bool wrong_client)
{
    struct hs_trace *t = hs_trace_new();
    struct hs_keylog *kl = rfc_keys(wrong_client);
    struct hs_decoder *d = hs_decoder_new(t, kl);
    hs_decoder_key_schedule(d, want);
    hs_decoder_report(d, true);
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        const struct vector *v = vector_get(records[i][1]);
        hs_decoder_feed(d, records[i][0][0] == 'c' ? HS_CLIENT : HS_SERVER, (double)i, v->bytes,
                        v->len, 0);
    }
    hs_decoder_finish(d, 10);
    hs_decoder_free(d);
    hs_keylog_free(kl);
    return t;
}

static const struct hs_field *find_step(const struct hs_field *ks, const char *name)
{
    for (const struct hs_field *s = hs_f_get(ks, "steps")->child; s; s = s->next)
        if (strcmp(hs_f_get_str(s, "name"), name) == 0)
            return s;
    fail_msg("no step %s", name);
    return NULL;
}

static void assert_step_hex(const struct hs_field *ks, const char *step, const char *vector)
{
    const struct vector *v = vector_get(vector);
    char hex[2 * 64 + 1];
    for (size_t i = 0; i < v->len; i++)
        snprintf(hex + 2 * i, 3, "%02x", v->bytes[i]);
    const char *got = hs_f_get_str(find_step(ks, step), "value");
    assert_non_null(got);
    assert_string_equal(got, hex);
}

static const char *finished(const struct hs_field *ks, const char *side)
{
    return hs_f_get_str(hs_f_get(ks, "finished"), side);
}

static void test_rfc8448_schedule(void **state)
{
    (void)state;
    struct hs_trace *t = run_rfc(true, false);
    const struct hs_field *ks = t->key_schedule;
    assert_non_null(ks);
    assert_string_equal(hs_f_get_str(ks, "version"), "TLS 1.3");
    assert_step_hex(ks, "early_secret", "early_secret");
    assert_step_hex(ks, "derived (early)", "early_derived_secret");
    assert_step_hex(ks, "client_handshake_traffic_secret", "client_handshake_traffic_secret");
    assert_step_hex(ks, "server handshake key", "server_handshake_write_key");
    assert_step_hex(ks, "server handshake iv", "server_handshake_write_iv");
    assert_step_hex(ks, "client handshake key", "client_handshake_write_key");
    assert_step_hex(ks, "client handshake iv", "client_handshake_write_iv");
    assert_step_hex(ks, "server application key", "server_application_write_key");
    assert_step_hex(ks, "server application iv", "server_application_write_iv");
    assert_step_hex(ks, "client application key", "client_application_write_key");
    assert_step_hex(ks, "client application iv", "client_application_write_iv");
    assert_step_hex(ks, "server finished_key", "server_finished_key");
    assert_step_hex(ks, "server verify_data", "server_verify_data");
    assert_step_hex(ks, "client finished_key", "client_finished_key");
    assert_step_hex(ks, "client verify_data", "client_verify_data");
    assert_string_equal(finished(ks, "server"), "verified");
    assert_string_equal(finished(ks, "client"), "verified");
    /* What a key log cannot hold is null with a reason, not made up. */
    const struct hs_field *hs = find_step(ks, "handshake_secret");
    assert_int_equal(hs_f_get(hs, "value")->kind, HS_F_NULL);
    assert_non_null(hs_f_get_str(hs, "reason"));
    assert_int_equal(hs_f_get(find_step(ks, "master_secret"), "value")->kind, HS_F_NULL);
    /* The RFC's exporter secret was not given: its step says so, but nothing the handshake's
     * keys and checks need is missing. */
    const struct hs_field *exp = find_step(ks, "exporter_master_secret");
    assert_int_equal(hs_f_get(exp, "value")->kind, HS_F_NULL);
    assert_non_null(hs_f_get_str(exp, "reason"));
    assert_int_equal(hs_f_count(hs_f_get(ks, "missing")), 0);
    hs_trace_free(t);
}

static void test_off_by_default(void **state)
{
    (void)state;
    struct hs_trace *t = run_rfc(false, false);
    assert_null(t->key_schedule);
    hs_trace_free(t);
}

static void test_wrong_secret_not_verified(void **state)
{
    (void)state;
    struct hs_trace *t = run_rfc(true, true);
    const struct hs_field *ks = t->key_schedule;
    assert_non_null(ks);
    assert_string_equal(finished(ks, "server"), "verified");
    /* The client's Finished cannot be decrypted with a wrong secret: not checked, and said. */
    assert_string_not_equal(finished(ks, "client"), "verified");
    assert_non_null(hs_f_get_str(hs_f_get(ks, "finished"), "client_reason"));
    hs_trace_free(t);
}

static void sha256_of(const uint8_t *const *msgs, const size_t *lens, size_t n, uint8_t out[32])
{
    mbedtls_md_context_t c;
    mbedtls_md_init(&c);
    assert_int_equal(mbedtls_md_setup(&c, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0), 0);
    assert_int_equal(mbedtls_md_starts(&c), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mbedtls_md_update(&c, msgs[i], lens[i]), 0);
    assert_int_equal(mbedtls_md_finish(&c, out), 0);
    mbedtls_md_free(&c);
}

static void test_tls13_finished_vectors(void **state)
{
    (void)state;
    uint8_t th[32], fk[32], vd[32];
    const char *msgs[] = {"client_hello", "server_hello", "encrypted_extensions", "certificate",
                          "certificate_verify"};
    const uint8_t *ms[5];
    size_t lens[5];
    for (size_t i = 0; i < 5; i++) {
        ms[i] = vector_get(msgs[i])->bytes;
        lens[i] = vector_get(msgs[i])->len;
    }
    sha256_of(ms, lens, 5, th);
    assert_int_equal(hs_tls13_finished(HS_HASH_SHA256,
                                       vector_get("server_handshake_traffic_secret")->bytes, th,
                                       fk, vd),
                     HS_OK);
    assert_memory_equal(fk, vector_get("server_finished_key")->bytes, 32);
    assert_memory_equal(vd, vector_get("server_verify_data")->bytes, 32);
    assert_int_equal(hs_tls13_finished(HS_HASH_SHA256,
                                       vector_get("client_handshake_traffic_secret")->bytes,
                                       vector_get("transcript_hash_ch_to_server_finished")->bytes,
                                       fk, vd),
                     HS_OK);
    assert_memory_equal(fk, vector_get("client_finished_key")->bytes, 32);
    assert_memory_equal(vd, vector_get("client_verify_data")->bytes, 32);
}

/* ---- the transcript API on hand-made messages ---- */


/* A handshake message of `type` with a body of n bytes of `fill`. */
static size_t make_msg(uint8_t *out, uint8_t type, uint8_t fill, size_t n)
{
    out[0] = type;
    out[1] = 0;
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    memset(out + 4, fill, n);
    return n + 4;
}

/* TLS 1.2: the master secret from a key log, Finished messages made with the PRF over the
 * hash of the messages before each; tamper 1 changes the server's verify_data, tamper 2 a
 * byte of the ServerHello as the transcript sees it (both Finished then disagree). */
static struct hs_field *tls12_schedule(bool ems, int tamper, const char **client,
                                       const char **server)
{
    struct hs_tls_state st = {.sh_seen = true, .version = 0x0303, .suite = 0xc02f, .ems = ems};
    memset(st.client_random, 0x11, 32);
    memset(st.server_random, 0x22, 32);
    uint8_t master[48];
    memset(master, 0x33, sizeof master);
    struct hs_keylog *kl = hs_keylog_new();
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_TLS12_MASTER, st.client_random, master, 48),
                     HS_OK);

    uint8_t m[6][64];
    const uint8_t *ms[6];
    size_t len[6];
    const uint8_t types[4] = {1, 2, 14, 16};
    for (int i = 0; i < 4; i++) {
        len[i] = make_msg(m[i], types[i], (uint8_t)(0x40 + i), 20);
        ms[i] = m[i];
    }
    uint8_t th[32], vd[12];
    sha256_of(ms, len, 4, th);
    assert_int_equal(hs_tls12_finished(HS_HASH_SHA256, master, HS_CLIENT, th, vd), HS_OK);
    len[4] = make_msg(m[4], 20, 0, 12);
    memcpy(m[4] + 4, vd, 12);
    ms[4] = m[4];
    sha256_of(ms, len, 5, th);
    assert_int_equal(hs_tls12_finished(HS_HASH_SHA256, master, HS_SERVER, th, vd), HS_OK);
    len[5] = make_msg(m[5], 20, 0, 12);
    memcpy(m[5] + 4, vd, 12);
    ms[5] = m[5];

    struct hs_transcript *t = hs_transcript_new();
    for (int i = 0; i < 6; i++) {
        if (tamper == 1 && i == 5)
            m[5][4] ^= 1;
        if (tamper == 2 && i == 1)
            m[1][5] ^= 1;
        hs_transcript_add(t, i == 1 || i == 2 || i == 5 ? HS_SERVER : HS_CLIENT, m[i], len[i],
                          &st);
    }
    assert_true(hs_transcript_complete(t));
    struct hs_field *ks = hs_keysched_build(t, &st, kl, "x25519");
    hs_transcript_free(t);
    hs_keylog_free(kl);
    assert_non_null(ks);
    *client = finished(ks, "client");
    *server = finished(ks, "server");
    return ks;
}

static void test_tls12_finished(void **state)
{
    (void)state;
    const char *c, *s;
    struct hs_field *ks = tls12_schedule(false, 0, &c, &s);
    assert_string_equal(c, "verified");
    assert_string_equal(s, "verified");
    assert_string_equal(hs_f_get_str(find_step(ks, "master_secret"), "label"), "master secret");
    assert_non_null(hs_f_get_str(find_step(ks, "client_write_key"), "value"));
    assert_int_equal(hs_f_get(find_step(ks, "pre_master_secret"), "value")->kind, HS_F_NULL);
    hs_field_free(ks);

    ks = tls12_schedule(true, 1, &c, &s);
    assert_string_equal(hs_f_get_str(find_step(ks, "master_secret"), "label"),
                        "extended master secret");
    assert_non_null(hs_f_get_str(find_step(ks, "session_hash"), "value"));
    assert_string_equal(c, "verified");
    assert_string_equal(s, "mismatch");
    hs_field_free(ks);

    ks = tls12_schedule(true, 2, &c, &s);
    assert_string_equal(c, "mismatch");
    assert_string_equal(s, "mismatch");
    hs_field_free(ks);
}

static void test_tls12_no_master(void **state)
{
    (void)state;
    struct hs_tls_state st = {.sh_seen = true, .version = 0x0303, .suite = 0x009c};
    struct hs_field *ks = hs_keysched_build(NULL, &st, NULL, "");
    assert_non_null(ks);
    assert_string_equal(finished(ks, "client"), "unavailable");
    assert_string_equal(finished(ks, "server"), "unavailable");
    assert_string_equal(hs_f_get(ks, "missing")->child->str, "CLIENT_RANDOM");
    assert_string_equal(hs_f_get_str(find_step(ks, "pre_master_secret"), "label"),
                        "RSA key transport (ClientKeyExchange)");
    hs_field_free(ks);
}

/* TLS 1.3 after a HelloRetryRequest: ClientHello1 becomes message_hash (RFC 8446 4.4.1). */
static void test_hrr_transcript(void **state)
{
    (void)state;
    struct hs_tls_state st = {.version = 0x0304, .suite = 0x1301};
    uint8_t ch1[40], hrr[40], ch2[40], sh[40], sfin[36];
    size_t n1 = make_msg(ch1, 1, 0xa1, 30), nh = make_msg(hrr, 2, 0xa2, 30);
    size_t n2 = make_msg(ch2, 1, 0xa3, 30), ns = make_msg(sh, 2, 0xa4, 30);
    uint8_t secret[32];
    memset(secret, 0x55, sizeof secret);
    /* The expected hash: message_hash || HRR || CH2 || SH. */
    uint8_t h1[32], mh[36] = {254, 0, 0, 32}, th[32], fk[32], vd[32];
    const uint8_t *p1[1] = {ch1};
    sha256_of(p1, &n1, 1, h1);
    memcpy(mh + 4, h1, 32);
    const uint8_t *parts[4] = {mh, hrr, ch2, sh};
    size_t lens[4] = {36, nh, n2, ns};
    sha256_of(parts, lens, 4, th);
    assert_int_equal(hs_tls13_finished(HS_HASH_SHA256, secret, th, fk, vd), HS_OK);
    size_t nf = make_msg(sfin, 20, 0, 32);
    memcpy(sfin + 4, vd, 32);

    struct hs_keylog *kl = hs_keylog_new();
    memset(st.client_random, 0x11, 32);
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_SERVER_HANDSHAKE, st.client_random, secret, 32),
                     HS_OK);
    struct hs_transcript *t = hs_transcript_new();
    hs_transcript_add(t, HS_CLIENT, ch1, n1, &st);
    st.hrr_count = 1;
    hs_transcript_add(t, HS_SERVER, hrr, nh, &st);
    hs_transcript_add(t, HS_CLIENT, ch2, n2, &st);
    st.sh_seen = true;
    hs_transcript_add(t, HS_SERVER, sh, ns, &st);
    hs_transcript_add(t, HS_SERVER, sfin, nf, &st);
    struct hs_field *ks = hs_keysched_build(t, &st, kl, "secp256r1");
    assert_string_equal(finished(ks, "server"), "verified");
    assert_string_equal(finished(ks, "client"), "unavailable");
    hs_field_free(ks);
    hs_transcript_free(t);
    hs_keylog_free(kl);
}

/* The decryption report (-r): the needed secrets found, or the one that failed named. */
static void test_decryption_report(void **state)
{
    (void)state;
    struct hs_trace *t = run_rfc(false, false);
    const struct hs_field *r = t->decryption;
    assert_non_null(r);
    assert_string_equal(hs_f_get_str(r, "status"), "decrypted");
    assert_int_equal(hs_f_count(hs_f_get(r, "found")), 4);
    assert_int_equal(hs_f_count(hs_f_get(r, "missing")), 0);
    hs_trace_free(t);

    t = run_rfc(false, true);
    r = t->decryption;
    assert_non_null(r);
    assert_string_equal(hs_f_get_str(r, "status"), "wrong keys");
    assert_non_null(strstr(hs_f_get_str(r, "reason"), "CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
    hs_trace_free(t);

    /* Off by default (live traces). */
    t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_finish(d, 1);
    hs_decoder_free(d);
    assert_null(t->decryption);
    hs_trace_free(t);
}

static void test_secrets_needed(void **state)
{
    (void)state;
    struct hs_tls_state st;
    memset(&st, 0, sizeof st);
    assert_int_equal(hs_secrets_needed(&st), 0); /* no ServerHello */
    st.sh_seen = true;
    st.version = 0x0303;
    assert_int_equal(hs_secrets_needed(&st), 1u << HS_SECRET_TLS12_MASTER);
    st.version = 0x0304;
    unsigned m = hs_secrets_needed(&st);
    assert_true(m & (1u << HS_SECRET_SERVER_TRAFFIC_0));
    assert_false(m & (1u << HS_SECRET_CLIENT_EARLY));
    assert_false(m & (1u << HS_SECRET_EXPORTER));
    st.client_early_data = true;
    assert_true(hs_secrets_needed(&st) & (1u << HS_SECRET_CLIENT_EARLY));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_schedule),
        cmocka_unit_test(test_off_by_default),
        cmocka_unit_test(test_wrong_secret_not_verified),
        cmocka_unit_test(test_tls13_finished_vectors),
        cmocka_unit_test(test_tls12_finished),
        cmocka_unit_test(test_tls12_no_master),
        cmocka_unit_test(test_hrr_transcript),
        cmocka_unit_test(test_decryption_report),
        cmocka_unit_test(test_secrets_needed),
    };
    return cmocka_run_group_tests(tests, vectors_load, vectors_free);
}
