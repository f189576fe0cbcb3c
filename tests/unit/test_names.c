/* IANA name tables: a sample of each registry, aliases, GREASE, and alert causes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/names.h"

#include <string.h>

static void test_groups(void **state)
{
    (void)state;
    assert_string_equal(hs_name_group(29), "x25519");
    assert_string_equal(hs_name_group(30), "x448");
    assert_string_equal(hs_name_group(23), "secp256r1");
    assert_string_equal(hs_name_group(24), "secp384r1");
    assert_string_equal(hs_name_group(25), "secp521r1");
    assert_string_equal(hs_name_group(256), "ffdhe2048");
    assert_string_equal(hs_name_group(260), "ffdhe8192");
    assert_string_equal(hs_name_group(0x11ec), "X25519MLKEM768");
    assert_string_equal(hs_name_group(0x11eb), "SecP256r1MLKEM768");
    assert_string_equal(hs_name_group(0x6399), "X25519Kyber768Draft00");
    assert_null(hs_name_group(0x1234));
    assert_int_equal(hs_group_by_name("x25519"), 29);
    assert_int_equal(hs_group_by_name("X25519"), 29);
    assert_int_equal(hs_group_by_name("secp256r1"), 23);
    assert_int_equal(hs_group_by_name("P-256"), 23);
    assert_int_equal(hs_group_by_name("prime256v1"), 23);
    assert_int_equal(hs_group_by_name("P-384"), 24);
    assert_int_equal(hs_group_by_name("secp521r1"), 25);
    assert_int_equal(hs_group_by_name("ffdhe3072"), 257);
    assert_int_equal(hs_group_by_name("X25519MLKEM768"), 0x11ec);
    assert_int_equal(hs_group_by_name("nonsense"), -1);
    assert_int_equal(hs_group_by_name(NULL), -1);
}

static void test_grease(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 16; i++) {
        uint16_t v = (uint16_t)(i << 12 | 0x0a00 | i << 4 | 0x0a);
        assert_true(hs_is_grease(v));
    }
    assert_false(hs_is_grease(0x0a1a));
    assert_false(hs_is_grease(0x1301));
    assert_false(hs_is_grease(0x0000));
    assert_string_equal(hs_name_extension(0x3a3a), "GREASE");
}

static void test_extensions_versions_sigs(void **state)
{
    (void)state;
    assert_string_equal(hs_name_extension(0), "server_name");
    assert_string_equal(hs_name_extension(16), "application_layer_protocol_negotiation");
    assert_string_equal(hs_name_extension(43), "supported_versions");
    assert_string_equal(hs_name_extension(51), "key_share");
    assert_string_equal(hs_name_extension(0xff01), "renegotiation_info");
    assert_string_equal(hs_name_extension(0xfe0d), "encrypted_client_hello");
    assert_null(hs_name_extension(0x1234));
    assert_string_equal(hs_name_version(0x0300), "SSL 3.0");
    assert_string_equal(hs_name_version(0x0301), "TLS 1.0");
    assert_string_equal(hs_name_version(0x0303), "TLS 1.2");
    assert_string_equal(hs_name_version(0x0304), "TLS 1.3");
    assert_string_equal(hs_name_version(0xfefd), "DTLS 1.2");
    assert_null(hs_name_version(0x0305));
    assert_string_equal(hs_name_sigscheme(0x0804), "rsa_pss_rsae_sha256");
    assert_string_equal(hs_name_sigscheme(0x0403), "ecdsa_secp256r1_sha256");
    assert_string_equal(hs_name_sigscheme(0x0807), "ed25519");
    assert_string_equal(hs_name_handshake(1), "ClientHello");
    assert_string_equal(hs_name_handshake(8), "EncryptedExtensions");
    assert_string_equal(hs_name_handshake(24), "KeyUpdate");
    assert_null(hs_name_handshake(99));
    assert_string_equal(hs_name_content_type(23), "application_data");
}

static void test_alerts(void **state)
{
    (void)state;
    assert_string_equal(hs_name_alert(0), "close_notify");
    assert_string_equal(hs_name_alert(40), "handshake_failure");
    assert_string_equal(hs_name_alert(48), "unknown_ca");
    assert_string_equal(hs_name_alert(70), "protocol_version");
    assert_string_equal(hs_name_alert(112), "unrecognized_name");
    assert_string_equal(hs_name_alert(120), "no_application_protocol");
    assert_null(hs_name_alert(200));
    for (unsigned d = 0; d < 256; d++) {
        /* Every named alert has a cause, and only those. */
        assert_int_equal(hs_name_alert((uint8_t)d) != NULL, hs_alert_cause((uint8_t)d) != NULL);
        if (hs_alert_cause((uint8_t)d))
            assert_true(strlen(hs_alert_cause((uint8_t)d)) > 20);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_grease),
        cmocka_unit_test(test_extensions_versions_sigs),
        cmocka_unit_test(test_alerts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
