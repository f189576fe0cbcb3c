/*
 * HPKE (RFC 9180) on its test vectors: appendix A.1, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-128-GCM, mode_base.  The DH output comes from mbedTLS's X25519 with skRm and pkEm, the
 * shared secret from hstrace's ExtractAndExpand, then the key schedule and Open of the first
 * three messages; a flipped tag fails; unknown algorithms are refused.  And the ECH lines of a
 * key log (ECH_SECRET, ECH_CONFIG) kept by inner client random.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/hpke.h"
#include "tls/keylog.h"

#include <mbedtls/ecp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

#define A1_INFO "4f6465206f6e2061204772656369616e2055726e"
#define A1_PKEM "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431"
#define A1_PKRM "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d"
#define A1_SKRM "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8"
#define A1_SS "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc"
#define A1_KEY "4531685d41d65f03dc48f6b8302c05b0"
#define A1_NONCE "56d890e5accaaf011cff4b7d"
#define A1_PT "4265617574792069732074727574682c20747275746820626561757479"

static const char *const a1_ct[3] = {
    "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
    "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84",
    "498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb72516491588d96a19ad4a683518973dcc180",
};

static int test_rng(void *ctx, unsigned char *out, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)(i * 37 + 11);
    return 0;
}

/* X25519(sk, pk) with mbedTLS (RFC 7748: little-endian scalar and u-coordinate). */
static void x25519(const uint8_t sk[32], const uint8_t pk[32], uint8_t out[32])
{
    mbedtls_ecp_group g;
    mbedtls_ecp_point p, r;
    mbedtls_mpi d;
    mbedtls_ecp_group_init(&g);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&r);
    mbedtls_mpi_init(&d);
    assert_int_equal(mbedtls_ecp_group_load(&g, MBEDTLS_ECP_DP_CURVE25519), 0);
    assert_int_equal(mbedtls_mpi_read_binary_le(&d, sk, 32), 0);
    assert_int_equal(mbedtls_ecp_point_read_binary(&g, &p, pk, 32), 0);
    /* clamping (RFC 7748 5) */
    assert_int_equal(mbedtls_mpi_set_bit(&d, 0, 0), 0);
    assert_int_equal(mbedtls_mpi_set_bit(&d, 1, 0), 0);
    assert_int_equal(mbedtls_mpi_set_bit(&d, 2, 0), 0);
    assert_int_equal(mbedtls_mpi_set_bit(&d, 255, 0), 0);
    assert_int_equal(mbedtls_mpi_set_bit(&d, 254, 1), 0);
    assert_int_equal(mbedtls_ecp_mul(&g, &r, &d, &p, test_rng, NULL), 0);
    size_t olen = 0;
    assert_int_equal(mbedtls_ecp_point_write_binary(&g, &r, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
                                                    out, 32),
                     0);
    assert_int_equal(olen, 32);
    mbedtls_ecp_group_free(&g);
    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_point_free(&r);
    mbedtls_mpi_free(&d);
}

static void test_a1_dhkem(void **state)
{
    (void)state;
    uint8_t sk[32], pke[32], pkr[32], dh[32], ss[64], want[32];
    size_t sslen = 0;
    unhex(A1_SKRM, sk, sizeof sk);
    unhex(A1_PKEM, pke, sizeof pke);
    unhex(A1_PKRM, pkr, sizeof pkr);
    x25519(sk, pke, dh);
    assert_int_equal(hs_hpke_dhkem_secret(HS_HPKE_KEM_X25519, dh, 32, pke, 32, pkr, 32, ss,
                                          sizeof ss, &sslen),
                     HS_OK);
    assert_int_equal(sslen, 32);
    unhex(A1_SS, want, sizeof want);
    assert_memory_equal(ss, want, 32);
}

static void test_a1_schedule_and_open(void **state)
{
    (void)state;
    uint8_t ss[32], info[32], key[16], nonce[12], pt[64], ct[128], out[128];
    unhex(A1_SS, ss, sizeof ss);
    size_t ninfo = unhex(A1_INFO, info, sizeof info);
    unhex(A1_KEY, key, sizeof key);
    unhex(A1_NONCE, nonce, sizeof nonce);
    size_t npt = unhex(A1_PT, pt, sizeof pt);
    struct hs_hpke_ctx cx;
    assert_int_equal(hs_hpke_setup(&cx, 0x0020, 1, 1, ss, 32, info, ninfo), HS_OK);
    assert_int_equal(cx.key_len, 16);
    assert_memory_equal(cx.key, key, 16);
    assert_memory_equal(cx.base_nonce, nonce, 12);
    for (int i = 0; i < 3; i++) {
        char aad[8];
        snprintf(aad, sizeof aad, "Count-%d", i);
        size_t nct = unhex(a1_ct[i], ct, sizeof ct), nout = 0;
        if (i == 1) { /* a bad tag fails and does not move the sequence */
            ct[nct - 1] ^= 1;
            assert_int_equal(hs_hpke_open(&cx, (const uint8_t *)aad, 7, ct, nct, out, &nout),
                             HS_ERR_CRYPTO);
            ct[nct - 1] ^= 1;
        }
        assert_int_equal(hs_hpke_open(&cx, (const uint8_t *)aad, 7, ct, nct, out, &nout), HS_OK);
        assert_int_equal(nout, npt);
        assert_memory_equal(out, pt, npt);
    }
}

static void test_refused(void **state)
{
    (void)state;
    uint8_t ss[32] = {0}, dh[32] = {0}, out[64];
    size_t n;
    struct hs_hpke_ctx cx;
    assert_int_equal(hs_hpke_setup(&cx, 0x0020, 9, 1, ss, 32, NULL, 0), HS_ERR_UNSUPPORTED);
    assert_int_equal(hs_hpke_setup(&cx, 0x0020, 1, 0xffff, ss, 32, NULL, 0), HS_ERR_UNSUPPORTED);
    assert_int_equal(hs_hpke_dhkem_secret(0x0041, dh, 32, dh, 32, dh, 32, out, sizeof out, &n),
                     HS_ERR_UNSUPPORTED);
    assert_string_equal(hs_hpke_kem_name(0x0020), "DHKEM(X25519, HKDF-SHA256)");
    assert_string_equal(hs_hpke_aead_name(3), "ChaCha20Poly1305");
    assert_null(hs_hpke_kdf_name(7));
}

#define RND_A "0101010101010101010101010101010101010101010101010101010101010101"
#define RND_B "0202020202020202020202020202020202020202020202020202020202020202"

static void test_keylog_ech_lines(void **state)
{
    (void)state;
    struct hs_keylog *kl = hs_keylog_new();
    static const char *lines[] = {
        "ECH_SECRET " RND_A " " A1_SS,
        "ECH_CONFIG " RND_B " fe0d0004aabbccdd",
        "ECH_CONFIG " RND_A " fe0d000401020304",
        "ECH_SECRET " RND_B " " A1_KEY,
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(hs_keylog_parse_line(kl, lines[i], strlen(lines[i])), HS_OK);
    assert_int_equal(hs_keylog_ech_count(kl), 2);
    assert_int_equal(hs_keylog_count(kl), 0); /* not mixed with the traffic secrets */
    const struct hs_ech_key *a = hs_keylog_ech_get(kl, 0), *b = hs_keylog_ech_get(kl, 1);
    assert_int_equal(a->client_random[0], 1);
    assert_int_equal(a->secret_len, 32);
    assert_int_equal(a->config_len, 8);
    assert_int_equal(a->config[4], 1);
    assert_int_equal(a->ordinal, 1);
    assert_int_equal(b->secret_len, 16);
    assert_int_equal(b->config[4], 0xaa);
    assert_null(hs_keylog_ech_get(kl, 2));
    /* malformed: odd hex, no value */
    assert_int_equal(hs_keylog_parse_line(kl, "ECH_CONFIG " RND_A " abc", 76), HS_ERR_INVALID);
    assert_int_equal(hs_keylog_parse_line(kl, "ECH_SECRET " RND_A, 75), HS_ERR_INVALID);
    hs_keylog_free(kl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a1_dhkem),
        cmocka_unit_test(test_a1_schedule_and_open),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_keylog_ech_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
