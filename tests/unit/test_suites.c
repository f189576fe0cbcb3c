/* Cipher suite table: order, id <-> name, AEAD/hash classification, OpenSSL names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/suites.h"

#include <string.h>

static void test_table_sorted_and_findable(void **state)
{
    (void)state;
    size_t n = hs_suite_count();
    assert_true(n > 300);
    for (size_t i = 0; i < n; i++) {
        const struct hs_suite *s = hs_suite_at(i);
        assert_non_null(s);
        if (i > 0)
            assert_true(hs_suite_at(i - 1)->id < s->id);
        assert_ptr_equal(hs_suite_find(s->id), s);
        assert_int_equal(hs_suite_by_name(s->name), s->id);
        assert_int_equal(strncmp(s->name, "TLS_", 4), 0);
        /* only AEAD suites we can open carry an AEAD; their tag and key lengths are known */
        if (s->aead != HS_AEAD_NONE) {
            assert_true(hs_aead_key_len(s->aead) == 16 || hs_aead_key_len(s->aead) == 32);
            assert_true(hs_aead_tag_len(s->aead) == 8 || hs_aead_tag_len(s->aead) == 16);
        }
        size_t len = strlen(s->name);
        if (len > 6 && strcmp(s->name + len - 6, "SHA384") == 0)
            assert_int_equal(s->hash, HS_HASH_SHA384);
    }
    assert_null(hs_suite_at(n));
    /* a count of the ids found by bisection equals the table size */
    size_t found = 0;
    for (uint32_t id = 0; id <= 0xffff; id++)
        if (hs_suite_find((uint16_t)id))
            found++;
    assert_int_equal(found, n);
}

static void test_known_ids(void **state)
{
    (void)state;
    static const struct {
        uint16_t id;
        const char *name;
        const char *kx;
        enum hs_aead aead;
        enum hs_hash hash;
        bool tls13;
    } cases[] = {
        {0x1301, "TLS_AES_128_GCM_SHA256", "", HS_AEAD_AES_128_GCM, HS_HASH_SHA256, true},
        {0x1302, "TLS_AES_256_GCM_SHA384", "", HS_AEAD_AES_256_GCM, HS_HASH_SHA384, true},
        {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "", HS_AEAD_CHACHA20_POLY1305, HS_HASH_SHA256, true},
        {0x1304, "TLS_AES_128_CCM_SHA256", "", HS_AEAD_AES_128_CCM, HS_HASH_SHA256, true},
        {0x1305, "TLS_AES_128_CCM_8_SHA256", "", HS_AEAD_AES_128_CCM_8, HS_HASH_SHA256, true},
        {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE_RSA", HS_AEAD_AES_128_GCM, HS_HASH_SHA256, false},
        {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE_ECDSA", HS_AEAD_AES_256_GCM, HS_HASH_SHA384, false},
        {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE_ECDSA", HS_AEAD_CHACHA20_POLY1305, HS_HASH_SHA256, false},
        {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", HS_AEAD_AES_128_GCM, HS_HASH_SHA256, false},
        {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE_RSA", HS_AEAD_AES_256_GCM, HS_HASH_SHA384, false},
        {0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE_ECDSA", HS_AEAD_AES_128_CCM_8, HS_HASH_SHA256, false},
        {0xc09d, "TLS_RSA_WITH_AES_256_CCM", "RSA", HS_AEAD_AES_256_CCM, HS_HASH_SHA256, false},
        {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE_RSA", HS_AEAD_NONE, HS_HASH_SHA256, false},
        {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE_RSA", HS_AEAD_NONE, HS_HASH_SHA384, false},
        {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", HS_AEAD_NONE, HS_HASH_SHA256, false},
        {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", HS_AEAD_NONE, HS_HASH_SHA256, false},
        {0x0000, "TLS_NULL_WITH_NULL_NULL", "NULL", HS_AEAD_NONE, HS_HASH_SHA256, false},
        {0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK", HS_AEAD_AES_128_GCM, HS_HASH_SHA256, false},
        {0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE_ECDSA", HS_AEAD_NONE, HS_HASH_SHA256, false},
        {0xc08b, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "ECDHE_RSA", HS_AEAD_NONE, HS_HASH_SHA384, false},
        {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "", HS_AEAD_NONE, HS_HASH_SHA256, false},
        {0x5600, "TLS_FALLBACK_SCSV", "", HS_AEAD_NONE, HS_HASH_SHA256, false},
        {0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", "ECDHE_PSK", HS_AEAD_AES_128_GCM, HS_HASH_SHA256, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct hs_suite *s = hs_suite_find(cases[i].id);
        assert_non_null(s);
        assert_string_equal(s->name, cases[i].name);
        assert_string_equal(hs_suite_name(cases[i].id), cases[i].name);
        assert_string_equal(s->kx, cases[i].kx);
        assert_int_equal(s->aead, cases[i].aead);
        assert_int_equal(s->hash, cases[i].hash);
        assert_int_equal(s->tls13, cases[i].tls13);
    }
    /* unassigned and GREASE values */
    assert_null(hs_suite_find(0x0a0a));
    assert_null(hs_suite_name(0x1306 + 0x100));
    assert_null(hs_suite_find(0xffff));
    assert_null(hs_suite_find(0x001c));
}

static void test_by_name(void **state)
{
    (void)state;
    assert_int_equal(hs_suite_by_name("TLS_AES_128_GCM_SHA256"), 0x1301);
    assert_int_equal(hs_suite_by_name("tls_aes_256_gcm_sha384"), 0x1302);
    assert_int_equal(hs_suite_by_name("Tls_Ecdhe_Rsa_With_Aes_128_Gcm_Sha256"), 0xc02f);
    assert_int_equal(hs_suite_by_name("ECDHE-RSA-AES128-GCM-SHA256"), 0xc02f);
    assert_int_equal(hs_suite_by_name("ecdhe-rsa-aes128-gcm-sha256"), 0xc02f);
    assert_int_equal(hs_suite_by_name("AES128-GCM-SHA256"), 0x009c);
    assert_int_equal(hs_suite_by_name("ECDHE-ECDSA-CHACHA20-POLY1305"), 0xcca9);
    assert_int_equal(hs_suite_by_name("ECDHE-RSA-CHACHA20-POLY1305"), 0xcca8);
    assert_int_equal(hs_suite_by_name("ECDHE-ECDSA-AES256-GCM-SHA384"), 0xc02c);
    assert_int_equal(hs_suite_by_name("ECDHE-ECDSA-AES128-CCM8"), 0xc0ae);
    assert_int_equal(hs_suite_by_name("TLS_FALLBACK_SCSV"), 0x5600);
    assert_int_equal(hs_suite_by_name("TLS_NOT_A_SUITE"), -1);
    assert_int_equal(hs_suite_by_name(""), -1);
    assert_int_equal(hs_suite_by_name(NULL), -1);
}

static void test_aead_properties(void **state)
{
    (void)state;
    assert_int_equal(hs_aead_key_len(HS_AEAD_NONE), 0);
    assert_int_equal(hs_aead_tag_len(HS_AEAD_NONE), 0);
    assert_int_equal(hs_aead_key_len(HS_AEAD_AES_128_GCM), 16);
    assert_int_equal(hs_aead_key_len(HS_AEAD_CHACHA20_POLY1305), 32);
    assert_int_equal(hs_aead_tag_len(HS_AEAD_AES_256_CCM_8), 8);
    assert_int_equal(hs_aead_tag_len(HS_AEAD_AES_128_CCM), 16);
    assert_int_equal(hs_hash_len(HS_HASH_SHA256), 32);
    assert_int_equal(hs_hash_len(HS_HASH_SHA384), 48);
    assert_string_equal(hs_aead_name(HS_AEAD_AES_128_GCM), "AES-128-GCM");
    assert_string_equal(hs_aead_name(HS_AEAD_AES_128_CCM_8), "AES-128-CCM-8");
    assert_string_equal(hs_aead_name(HS_AEAD_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted_and_findable),
        cmocka_unit_test(test_known_ids),
        cmocka_unit_test(test_by_name),
        cmocka_unit_test(test_aead_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
