/* Explanations: written for the connection (key exchange, version, HRR, 0-RTT, side), one per
 * alert and per field, each ending with its RFC section; never a popular article's error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/trace.h"
#include "tls/explain.h"
#include "tls/names.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* "... (RFC 8446 §4.4.4)" or "(RFC 5246 §7.4.7.1, RFC 7627 §4)" at the very end. */
static bool cites_rfc(const char *s)
{
    regex_t re;
    assert_int_equal(regcomp(&re, "\\(RFC [0-9]+ \xc2\xa7[A-Z0-9][0-9.]*[^()]*\\)$", REG_EXTENDED),
                     0);
    bool ok = s && regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* Wrong claims of popular handshake write-ups that no explanation may repeat. */
static void no_myth(const char *s)
{
    assert_null(strstr(s, "generates its own"));
    assert_null(strstr(s, "session id prevents"));
    assert_null(strstr(s, "to prevent replay"));
}

static char *explain(const char *type, enum hs_side from, const struct hs_explain_ctx *cx,
                     void (*fill)(struct hs_field *f))
{
    struct hs_event *ev = hs_event_new(from, HS_LAYER_TLS, type, 0);
    if (fill)
        fill(ev->fields);
    char *s = hs_explain_event(ev, cx);
    hs_event_free(ev);
    assert_non_null(s);
    assert_true(cites_rfc(s));
    no_myth(s);
    return s;
}

static void rsa_cke(struct hs_field *f)
{
    hs_f_int(f, "encrypted_premaster_length", 256);
}

static void ecdhe_cke(struct hs_field *f)
{
    hs_f_int(f, "public_key_length", 32);
}

static void test_key_exchange(void **state)
{
    (void)state;
    /* TLS_RSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
    assert_int_equal(hs_kx_kind_of(0x009c, 0x0303), HS_KXK_RSA);
    assert_int_equal(hs_kx_kind_of(0xc02f, 0x0303), HS_KXK_ECDHE);
    assert_int_equal(hs_kx_kind_of(0x009e, 0x0303), HS_KXK_DHE);
    assert_int_equal(hs_kx_kind_of(0x1301, 0x0304), HS_KXK_TLS13);

    struct hs_explain_ctx rsa = {.version = 0x0303, .suite = 0x009c, .kx = HS_KXK_RSA};
    char *s = explain("ClientKeyExchange", HS_CLIENT, &rsa, rsa_cke);
    assert_non_null(strstr(s, "encrypted to the RSA key"));
    assert_non_null(strstr(s, "client alone"));
    assert_null(strstr(s, "Diffie-Hellman"));
    free(s);
    s = explain("ServerHello", HS_SERVER, &rsa, NULL);
    assert_non_null(strstr(s, "no Diffie-Hellman"));
    free(s);

    struct hs_explain_ctx ec = {.version = 0x0303, .suite = 0xc02f, .kx = HS_KXK_ECDHE,
                                .group = "x25519", .ems = true};
    s = explain("ClientKeyExchange", HS_CLIENT, &ec, ecdhe_cke);
    assert_non_null(strstr(s, "ECDH public key on x25519"));
    assert_null(strstr(s, "encrypted to"));
    assert_non_null(strstr(s, "RFC 7627 \xc2\xa7" "4"));
    free(s);
    s = explain("ServerKeyExchange", HS_SERVER, &ec, NULL);
    assert_non_null(strstr(s, "RFC 8422 \xc2\xa7" "5.4"));
    free(s);
}

static void key_share_ext(struct hs_field *f)
{
    struct hs_field *e = hs_f_obj(hs_f_arr(f, "extensions"), NULL);
    hs_f_str(e, "type", "key_share");
    hs_f_str(e, "selected_group", "secp384r1");
}

static void test_tls13(void **state)
{
    (void)state;
    struct hs_explain_ctx cx = {.offers_tls13 = true, .hello_count = 1};
    char *s = explain("ClientHello", HS_CLIENT, &cx, NULL);
    assert_non_null(strstr(s, "key_share"));
    assert_non_null(strstr(s, "RFC 8446 \xc2\xa7" "4.1.2"));
    free(s);

    s = explain("HelloRetryRequest", HS_SERVER, &cx, key_share_ext);
    assert_non_null(strstr(s, "key_share for secp384r1"));
    assert_non_null(strstr(s, "\xc2\xa7" "4.1.4"));
    free(s);

    /* 0-RTT: before the server's reply, replayable. */
    struct hs_explain_ctx early = {.offers_tls13 = true, .early_offered = true, .hello_count = 1};
    s = explain("ApplicationData", HS_CLIENT, &early, NULL);
    assert_non_null(strstr(s, "before the server's reply"));
    assert_non_null(strstr(s, "replay"));
    free(s);
    early.client_finished = true;
    early.version = 0x0304;
    s = explain("ApplicationData", HS_CLIENT, &early, NULL);
    assert_null(strstr(s, "replay"));
    free(s);

    /* The compatibility ChangeCipherSpec is no key change. */
    struct hs_explain_ctx t13 = {.version = 0x0304, .offers_tls13 = true};
    s = explain("ChangeCipherSpec", HS_SERVER, &t13, NULL);
    assert_non_null(strstr(s, "\xc2\xa7" "D.4"));
    free(s);
    s = explain("Finished", HS_SERVER, &t13, NULL);
    assert_non_null(strstr(s, "\xc2\xa7" "4.4.4"));
    free(s);
}

static void test_alerts(void **state)
{
    (void)state;
    char buf[512];
    for (unsigned d = 0; d < 256; d++) {
        /* Every alert hstrace names has an entry that starts with its name. */
        const char *name = hs_name_alert((uint8_t)d);
        if (name == NULL)
            continue;
        const char *m = hs_alert_meaning((uint8_t)d);
        assert_non_null(m);
        assert_int_equal(strncmp(m, name, strlen(name)), 0);
        assert_true(cites_rfc(m));
        assert_true(cites_rfc(hs_explain_alert((int)d, 2, HS_SERVER, buf, sizeof buf)));
    }
    hs_explain_alert(121, 2, HS_CLIENT, buf, sizeof buf);
    assert_non_null(strstr(buf, "sent by the client"));
    hs_explain_alert(40, 2, HS_SERVER, buf, sizeof buf);
    assert_non_null(strstr(buf, "fatal alert from the server"));
    hs_explain_alert(0, 1, HS_CLIENT, buf, sizeof buf);
    assert_non_null(strstr(buf, "client closes the connection"));
    assert_true(cites_rfc(hs_explain_alert(-1, 0, HS_SERVER, buf, sizeof buf)));
    assert_true(cites_rfc(hs_explain_alert(200, 2, HS_SERVER, buf, sizeof buf)));
    /* A tiny buffer stays terminated. */
    char tiny[8];
    hs_explain_alert(40, 2, HS_SERVER, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 7);
}

static void test_fields(void **state)
{
    (void)state;
    static const char *const fields[][2] = {
        {"ClientHello", "random"},        {"ServerHello", "random"},
        {"HelloRetryRequest", "random"},  {"ClientHello", "session_id"},
        {"ServerHello", "session_id"},    {"ClientHello", "cipher_suites"},
        {"ServerHello", "cipher_suite"},  {"ClientHello", "key_share"},
        {"ServerHello", "key_share"},     {"ClientHello", "supported_versions"},
        {"ClientHello", "server_name"},   {"ClientHello", "application_layer_protocol_negotiation"},
        {"ClientHello", "signature_algorithms"}, {"Certificate", "san"},
        {"Certificate", "not_after"},     {"CertificateVerify", "signature_scheme"},
        {"Finished", "verify_data"},      {"NewSessionTicket", "lifetime"},
        {"HelloRetryRequest", "cookie"},  {"Alert", "level"},
        {"ClientHello", "extended_master_secret"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *s = hs_explain_field(fields[i][0], fields[i][1]);
        assert_non_null(s);
        assert_true(cites_rfc(s));
        no_myth(s);
    }
    /* A message's own entry wins over the general one. */
    assert_ptr_not_equal(hs_explain_field("ClientHello", "key_share"),
                         hs_explain_field("ServerHello", "key_share"));
    assert_non_null(strstr(hs_explain_field("HelloRetryRequest", "random"), "SHA-256"));
    assert_non_null(strstr(hs_explain_field("ClientHello", "session_id"), "does not prevent"));
    assert_null(hs_explain_field("ClientHello", "no_such_field"));
    assert_null(hs_explain_field("ClientHello", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_exchange),
        cmocka_unit_test(test_tls13),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
