/*
 * Trust anchors read with the plain base64 decoder (live/cacerts.c) give the same chain and
 * the same return value as mbedTLS's own parser: several certificates, junk between blocks,
 * CRLF lines, a bad block among good ones, an unterminated block, DER, a directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "live/cacerts.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NCERTS 3
static char pem[NCERTS][4096];

/* Three self-signed certificates in PEM, made once. */
static int make_pems(void **state)
{
    (void)state;
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    if (psa_crypto_init() != PSA_SUCCESS ||
        mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0)
        return -1;
    for (int i = 0; i < NCERTS; i++) {
        mbedtls_pk_context key;
        mbedtls_pk_init(&key);
        mbedtls_x509write_cert w;
        mbedtls_x509write_crt_init(&w);
        char name[64];
        snprintf(name, sizeof name, "CN=anchor %d,O=hstrace test", i);
        unsigned char serial[2] = {0x11, (unsigned char)(i + 1)};
        int r = mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        if (r == 0)
            r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key),
                                    mbedtls_ctr_drbg_random, &drbg);
        mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
        mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
        mbedtls_x509write_crt_set_subject_key(&w, &key);
        mbedtls_x509write_crt_set_issuer_key(&w, &key);
        if (r == 0)
            r = mbedtls_x509write_crt_set_subject_name(&w, name);
        if (r == 0)
            r = mbedtls_x509write_crt_set_issuer_name(&w, name);
        if (r == 0)
            r = mbedtls_x509write_crt_set_serial_raw(&w, serial, sizeof serial);
        if (r == 0)
            r = mbedtls_x509write_crt_set_validity(&w, "20200101000000", "20991231235959");
        if (r == 0)
            r = mbedtls_x509write_crt_set_basic_constraints(&w, 1, 0);
        if (r == 0)
            r = mbedtls_x509write_crt_pem(&w, (unsigned char *)pem[i], sizeof pem[i],
                                          mbedtls_ctr_drbg_random, &drbg);
        mbedtls_x509write_crt_free(&w);
        mbedtls_pk_free(&key);
        if (r != 0)
            return -1;
    }
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&ent);
    return 0;
}

/* Both parsers on the same bytes: the same return value and the same certificates. */
static void same_as_mbedtls(const unsigned char *buf, size_t n, int want_certs)
{
    mbedtls_x509_crt a, b;
    mbedtls_x509_crt_init(&a);
    mbedtls_x509_crt_init(&b);
    int ra = mbedtls_x509_crt_parse(&a, buf, n);
    int rb = hs_ca_parse(&b, buf, n);
    assert_int_equal(ra, rb);
    int count = 0;
    const mbedtls_x509_crt *x = &a, *y = &b;
    for (; x && y && x->raw.len; x = x->next, y = y->next, count++) {
        assert_int_equal(x->raw.len, y->raw.len);
        assert_memory_equal(x->raw.p, y->raw.p, x->raw.len);
    }
    assert_true((x == NULL || x->raw.len == 0) && (y == NULL || y->raw.len == 0));
    assert_int_equal(count, want_certs);
    mbedtls_x509_crt_free(&a);
    mbedtls_x509_crt_free(&b);
}

static void same_text(const char *text, int want_certs)
{
    same_as_mbedtls((const unsigned char *)text, strlen(text) + 1, want_certs);
}

static void test_several_and_junk(void **state)
{
    (void)state;
    char buf[16384];
    snprintf(buf, sizeof buf, "%s%s%s", pem[0], pem[1], pem[2]);
    same_text(buf, 3);
    snprintf(buf, sizeof buf, "# a bundle\nsubject=anchor 0\n%s\njunk between\n\n%sBag "
             "Attributes\n%strailing words", pem[0], pem[1], pem[2]);
    same_text(buf, 3);
}

static void test_crlf_and_odd_blocks(void **state)
{
    (void)state;
    char crlf[8192] = "";
    size_t k = 0;
    for (const char *p = pem[1]; *p && k < sizeof crlf - 2; p++) {
        if (*p == '\n')
            crlf[k++] = '\r';
        crlf[k++] = *p;
    }
    crlf[k] = '\0';
    same_text(crlf, 1);
    char buf[16384];
    /* A bad character, a space inside a line, a missing digit: mbedTLS decides each. */
    char bad[4096];
    snprintf(bad, sizeof bad, "%s", pem[1]);
    char *body = strchr(bad, '\n') + 1;
    body[10] = '*';
    snprintf(buf, sizeof buf, "%s%s%s", pem[0], bad, pem[2]);
    same_text(buf, 2);
    snprintf(bad, sizeof bad, "%s", pem[1]);
    body = strchr(bad, '\n') + 1;
    body[5] = ' ';
    same_text(bad, 0);
    snprintf(bad, sizeof bad, "%s", pem[1]);
    body = strchr(bad, '\n') + 1;
    memmove(body + 3, body + 4, strlen(body + 4) + 1);
    same_text(bad, 0);
    /* No footer for the last block; a header only; nothing at all. */
    snprintf(buf, sizeof buf, "%s%.*s", pem[0], 200, pem[1]);
    same_text(buf, 1);
    same_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", 0);
    same_text("no certificate here", 0);
    /* Without its NUL the text is taken as DER (and refused). */
    same_as_mbedtls((const unsigned char *)pem[0], strlen(pem[0]), 0);
}

static void test_der_file_and_dir(void **state)
{
    (void)state;
    mbedtls_x509_crt one;
    mbedtls_x509_crt_init(&one);
    assert_int_equal(mbedtls_x509_crt_parse(&one, (const unsigned char *)pem[2],
                                            strlen(pem[2]) + 1), 0);
    same_as_mbedtls(one.raw.p, one.raw.len, 1);

    char dir[] = "/tmp/hstrace-cacerts.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[4][600];
    const char *names[4] = {"a.pem", "b.der", "junk.txt", "c.pem"};
    for (int i = 0; i < 4; i++) {
        snprintf(path[i], sizeof path[i], "%s/%s", dir, names[i]);
        FILE *f = fopen(path[i], "wb");
        assert_non_null(f);
        if (i == 0)
            fprintf(f, "%s%s", pem[0], pem[1]);
        else if (i == 1)
            fwrite(one.raw.p, 1, one.raw.len, f);
        else if (i == 2)
            fprintf(f, "not a certificate\n");
        else
            fprintf(f, "junk\n%sjunk\n", pem[2]);
        fclose(f);
    }
    mbedtls_x509_crt a, b;
    for (int i = 0; i < 4; i++) {
        mbedtls_x509_crt_init(&a);
        mbedtls_x509_crt_init(&b);
        assert_int_equal(mbedtls_x509_crt_parse_file(&a, path[i]), hs_ca_parse_file(&b, path[i]));
        mbedtls_x509_crt_free(&a);
        mbedtls_x509_crt_free(&b);
    }
    mbedtls_x509_crt_init(&a);
    mbedtls_x509_crt_init(&b);
    int ra = mbedtls_x509_crt_parse_path(&a, dir);
    assert_int_equal(ra, hs_ca_parse_path(&b, dir));
    assert_int_equal(ra, 1); /* junk.txt */
    int na = 0, nb = 0;
    for (const mbedtls_x509_crt *x = &a; x && x->raw.len; x = x->next)
        na++;
    for (const mbedtls_x509_crt *x = &b; x && x->raw.len; x = x->next)
        nb++;
    assert_int_equal(na, 4);
    assert_int_equal(nb, 4);
    assert_int_equal(hs_ca_parse_path(&b, "/nonexistent/hstrace"),
                     mbedtls_x509_crt_parse_path(&a, "/nonexistent/hstrace"));
    assert_int_equal(hs_ca_parse_file(&b, "/nonexistent/hstrace") < 0, 1);
    mbedtls_x509_crt_free(&a);
    mbedtls_x509_crt_free(&b);
    mbedtls_x509_crt_free(&one);
    for (int i = 0; i < 4; i++)
        unlink(path[i]);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_several_and_junk),
        cmocka_unit_test(test_crlf_and_odd_blocks),
        cmocka_unit_test(test_der_file_and_dir),
    };
    return cmocka_run_group_tests(tests, make_pems, NULL);
}
