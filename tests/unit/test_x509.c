/*
 * Certificate summaries: the RFC 8448 certificate; hand-built certificates with hostile names
 * (ESC, NUL, invalid UTF-8, BMPString), every SAN type, and an Ed25519 key mbedTLS cannot
 * parse; garbage and truncated DER; the limits (attributes per name, SANs, OID length) say
 * where they cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/escape.h"
#include "core/field.h"
#include "tls/x509.h"

#include <mbedtls/sha256.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the RFC 8448 certificate, from the test data ---- */

static uint8_t rfc_cert[2048];
static size_t rfc_cert_len;

static int load(void **state)
{
    (void)state;
    const char *dir = getenv("HS_TESTDATA");
    char path[512];
    snprintf(path, sizeof path, "%s/rfc8448-simple-1rtt.txt", dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    static char line[8192];
    static uint8_t msg[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "certificate: ", 13) != 0)
            continue;
        for (const char *p = line + 13; p[0] && p[1] && p[0] != '\n' && n < sizeof msg; p += 2) {
            unsigned v;
            if (sscanf(p, "%2x", &v) != 1)
                break;
            msg[n++] = (uint8_t)v;
        }
    }
    fclose(f);
    /* header(4) request_context(1) list length(3) cert length(3) DER */
    if (n < 11)
        return -1;
    rfc_cert_len = (size_t)msg[8] << 16 | (size_t)msg[9] << 8 | msg[10];
    if (rfc_cert_len > n - 11 || rfc_cert_len > sizeof rfc_cert)
        return -1;
    memcpy(rfc_cert, msg + 11, rfc_cert_len);
    return 0;
}

/* ---- a small DER builder ---- */

struct der {
    uint8_t b[8192];
    size_t n;
};

static void raw(struct der *d, const void *p, size_t n)
{
    assert_true(d->n + n <= sizeof d->b);
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

static void tlv(struct der *d, uint8_t tag, const void *p, size_t n)
{
    uint8_t h[4] = {tag};
    size_t hn;
    if (n < 128) {
        h[1] = (uint8_t)n;
        hn = 2;
    } else if (n < 256) {
        h[1] = 0x81;
        h[2] = (uint8_t)n;
        hn = 3;
    } else {
        h[1] = 0x82;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        hn = 4;
    }
    raw(d, h, hn);
    raw(d, p, n);
}

static void wrap(struct der *out, uint8_t tag, const struct der *in) { tlv(out, tag, in->b, in->n); }

static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};
static const uint8_t OID_O[] = {0x55, 0x04, 0x0a};
static const uint8_t OID_SHA256_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
static const uint8_t OID_ED25519[] = {0x2b, 0x65, 0x70};
static const uint8_t OID_SAN[] = {0x55, 0x1d, 0x11};

static void name(struct der *out, uint8_t cn_tag, const void *cn, size_t cn_len)
{
    struct der atv = {0}, set1 = {0}, atv2 = {0}, set2 = {0}, seq = {0};
    tlv(&atv, 0x06, OID_CN, sizeof OID_CN);
    tlv(&atv, cn_tag, cn, cn_len);
    wrap(&set1, 0x30, &atv);
    tlv(&atv2, 0x06, OID_O, sizeof OID_O);
    tlv(&atv2, 0x0c, "Org", 3);
    wrap(&set2, 0x30, &atv2);
    tlv(&seq, 0x31, set1.b, set1.n);
    tlv(&seq, 0x31, set2.b, set2.n);
    wrap(out, 0x30, &seq);
}

static void alg(struct der *out, const uint8_t *oid, size_t n, bool null_params)
{
    struct der a = {0};
    tlv(&a, 0x06, oid, n);
    if (null_params)
        tlv(&a, 0x05, "", 0);
    wrap(out, 0x30, &a);
}

/* The SubjectPublicKeyInfo of a DER certificate (a tiny walk, test only). */
static size_t spki_of(const uint8_t *c, size_t n, const uint8_t **out)
{
    size_t off = 0;
    /* Certificate SEQ, tbs SEQ: step into both. */
    for (int depth = 0; depth < 2; depth++) {
        off += 1;
        size_t l = c[off++];
        if (l & 0x80)
            off += l & 0x7f;
    }
    /* Skip version [0], serial, sigalg, issuer, validity, subject. */
    for (int i = 0; i < 6; i++) {
        off += 1;
        size_t l = c[off++];
        if (l & 0x80) {
            size_t nb = l & 0x7f;
            l = 0;
            while (nb--)
                l = (l << 8) | c[off++];
        }
        off += l;
    }
    size_t start = off;
    off += 1;
    size_t l = c[off++];
    if (l & 0x80) {
        size_t nb = l & 0x7f;
        l = 0;
        while (nb--)
            l = (l << 8) | c[off++];
    }
    assert_true(off + l <= n);
    *out = c + start;
    return off + l - start;
}

/* A certificate with the given subject (a Name TLV) and SAN contents (GeneralNames, without
 * their SEQUENCE). */
static size_t build_cert_from(uint8_t *out, size_t outsz, const struct der *subject,
                              const struct der *gn, const uint8_t *spki, size_t spki_len,
                              const uint8_t *sigoid, size_t sigoid_len, bool sig_null)
{
    static struct der tbs, cert, body; /* too big for comfort on the stack */
    memset(&tbs, 0, sizeof tbs);
    memset(&cert, 0, sizeof cert);
    memset(&body, 0, sizeof body);
    struct der v = {0}, validity = {0};
    tlv(&v, 0x02, "\x02", 1);
    wrap(&tbs, 0xa0, &v);
    tlv(&tbs, 0x02, "\x00\xab\xcd", 3);
    alg(&tbs, sigoid, sigoid_len, sig_null);
    name(&tbs, 0x0c, "Issuer CA", 9);
    tlv(&validity, 0x17, "250101000000Z", 13);
    tlv(&validity, 0x18, "20991231235959Z", 15);
    wrap(&tbs, 0x30, &validity);
    raw(&tbs, subject->b, subject->n);
    raw(&tbs, spki, spki_len);
    static struct der gns, os, ext, extseq, exts, a3;
    memset(&gns, 0, sizeof gns);
    memset(&os, 0, sizeof os);
    memset(&ext, 0, sizeof ext);
    memset(&extseq, 0, sizeof extseq);
    memset(&exts, 0, sizeof exts);
    memset(&a3, 0, sizeof a3);
    wrap(&gns, 0x30, gn);
    wrap(&os, 0x04, &gns);
    tlv(&ext, 0x06, OID_SAN, sizeof OID_SAN);
    raw(&ext, os.b, os.n);
    wrap(&extseq, 0x30, &ext);
    wrap(&exts, 0x30, &extseq);
    wrap(&a3, 0xa3, &exts);
    raw(&tbs, a3.b, a3.n);

    wrap(&body, 0x30, &tbs);
    alg(&body, sigoid, sigoid_len, sig_null);
    uint8_t sig[65] = {0};
    tlv(&body, 0x03, sig, sizeof sig);
    wrap(&cert, 0x30, &body);
    assert_true(cert.n <= outsz);
    memcpy(out, cert.b, cert.n);
    return cert.n;
}

static size_t build_cert(uint8_t *out, size_t outsz, uint8_t cn_tag, const void *cn,
                         size_t cn_len, const uint8_t *spki, size_t spki_len,
                         const uint8_t *sigoid, size_t sigoid_len, bool sig_null)
{
    struct der subject = {0}, gn = {0};
    name(&subject, cn_tag, cn, cn_len);
    /* subjectAltName with every kind */
    tlv(&gn, 0x82, "example.com", 11);
    tlv(&gn, 0x87, "\xc0\x00\x02\x01", 4);
    tlv(&gn, 0x81, "a@b.example", 11);
    tlv(&gn, 0x86, "https://x.example/", 18);
    tlv(&gn, 0x87, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    tlv(&gn, 0x82, "evil\x1b[31m.example", 18);
    return build_cert_from(out, outsz, &subject, &gn, spki, spki_len, sigoid, sigoid_len,
                           sig_null);
}

static void check_sha256(const struct hs_field *o, const uint8_t *der, size_t n)
{
    uint8_t d[32];
    char hex[65];
    assert_int_equal(mbedtls_sha256(der, n, d, 0), 0);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    assert_string_equal(hs_f_get_str(o, "sha256"), hex);
}

static void test_rfc8448_cert(void **state)
{
    (void)state;
    struct hs_field *o = hs_x509_summary(rfc_cert, rfc_cert_len);
    assert_null(hs_f_get(o, "error"));
    assert_string_equal(hs_f_get_str(o, "subject"), "CN=rsa");
    assert_string_equal(hs_f_get_str(o, "issuer"), "CN=rsa");
    assert_string_equal(hs_f_get_str(o, "serial"), "02");
    assert_string_equal(hs_f_get_str(o, "not_before"), "2016-07-30T01:23:59Z");
    assert_string_equal(hs_f_get_str(o, "not_after"), "2026-07-30T01:23:59Z");
    assert_string_equal(hs_f_get_str(o, "public_key"), "RSA 1024");
    assert_string_equal(hs_f_get_str(o, "signature_algorithm"), "sha256WithRSAEncryption");
    const struct hs_field *ss = hs_f_get(o, "self_signed");
    assert_non_null(ss);
    assert_true(ss->num);
    assert_int_equal(hs_f_count(hs_f_get(o, "san")), 0);
    check_sha256(o, rfc_cert, rfc_cert_len);
    hs_field_free(o);
}

static void check_sans(const struct hs_field *o)
{
    const struct hs_field *san = hs_f_get(o, "san");
    assert_non_null(san);
    assert_int_equal(hs_f_count(san), 6);
    const struct hs_field *s = san->child;
    assert_string_equal(s->str, "DNS:example.com");
    s = s->next;
    assert_string_equal(s->str, "IP:192.0.2.1");
    s = s->next;
    assert_string_equal(s->str, "email:a@b.example");
    s = s->next;
    assert_string_equal(s->str, "URI:https://x.example/");
    s = s->next;
    assert_string_equal(s->str, "IP:2001:db8::1");
    s = s->next;
    char *want = hs_escape((const uint8_t *)"DNS:evil\x1b[31m.example", 22);
    assert_string_equal(s->str, want);
    assert_null(strchr(s->str, 0x1b));
    free(want);
}

static void test_hostile_names(void **state)
{
    (void)state;
    const uint8_t *spki;
    size_t spki_len = spki_of(rfc_cert, rfc_cert_len, &spki);
    static const uint8_t cn[] = {'a', 0x1b, '[', '2', 'J', 'b', 0x00, 'c', 0xff, 'd', 0xc3, 0xa9};
    uint8_t der[8192];
    size_t n = build_cert(der, sizeof der, 0x0c, cn, sizeof cn, spki, spki_len, OID_SHA256_RSA,
                          sizeof OID_SHA256_RSA, true);
    struct hs_field *o = hs_x509_summary(der, n);
    if (hs_f_get(o, "error") || hs_f_get(o, "note"))
        print_message("x509: %s %s\n", hs_f_get_str(o, "error"), hs_f_get_str(o, "note"));
    uint8_t raw_subject[64];
    memcpy(raw_subject, "CN=", 3);
    memcpy(raw_subject + 3, cn, sizeof cn);
    memcpy(raw_subject + 3 + sizeof cn, ", O=Org", 7);
    char *want = hs_escape(raw_subject, 3 + sizeof cn + 7);
    assert_string_equal(hs_f_get_str(o, "subject"), want);
    free(want);
    /* Nothing raw survives: no ESC, and the NUL did not cut the string. */
    assert_null(strchr(hs_f_get_str(o, "subject"), 0x1b));
    assert_non_null(strstr(hs_f_get_str(o, "subject"), ", O=Org"));
    assert_non_null(strstr(hs_f_get_str(o, "subject"), "é"));
    assert_string_equal(hs_f_get_str(o, "issuer"), "CN=Issuer CA, O=Org");
    assert_string_equal(hs_f_get_str(o, "serial"), "abcd");
    assert_string_equal(hs_f_get_str(o, "not_before"), "2025-01-01T00:00:00Z");
    assert_string_equal(hs_f_get_str(o, "not_after"), "2099-12-31T23:59:59Z");
    assert_false(hs_f_get(o, "self_signed")->num);
    check_sans(o);
    hs_field_free(o);

    /* A BMPString name becomes UTF-8. */
    static const uint8_t bmp[] = {0x00, 'Z', 0x00, 0xfc, 0x04, 0x1f, 0x00, '!'};
    n = build_cert(der, sizeof der, 0x1e, bmp, sizeof bmp, spki, spki_len, OID_SHA256_RSA,
                   sizeof OID_SHA256_RSA, true);
    o = hs_x509_summary(der, n);
    assert_string_equal(hs_f_get_str(o, "subject"), "CN=Zü\xd0\x9f!, O=Org");
    hs_field_free(o);
}

static void test_ed25519_fallback(void **state)
{
    (void)state;
    /* mbedTLS does not know Ed25519 keys: our own walk still summarises it. */
    struct der spki = {0}, inner = {0};
    alg(&inner, OID_ED25519, sizeof OID_ED25519, false);
    uint8_t key[33] = {0};
    tlv(&inner, 0x03, key, sizeof key);
    wrap(&spki, 0x30, &inner);
    uint8_t der[8192];
    size_t n = build_cert(der, sizeof der, 0x0c, "ed.example", 10, spki.b, spki.n, OID_ED25519,
                          sizeof OID_ED25519, false);
    struct hs_field *o = hs_x509_summary(der, n);
    assert_null(hs_f_get(o, "error"));
    assert_string_equal(hs_f_get_str(o, "subject"), "CN=ed.example, O=Org");
    assert_string_equal(hs_f_get_str(o, "public_key"), "Ed25519");
    assert_string_equal(hs_f_get_str(o, "signature_algorithm"), "ED25519");
    assert_string_equal(hs_f_get_str(o, "not_after"), "2099-12-31T23:59:59Z");
    assert_string_equal(hs_f_get_str(o, "serial"), "abcd");
    check_sans(o);
    check_sha256(o, der, n);
    hs_field_free(o);
}

static void test_garbage(void **state)
{
    (void)state;
    struct hs_field *o = hs_x509_summary((const uint8_t *)"abc", 3);
    assert_non_null(hs_f_get_str(o, "error"));
    check_sha256(o, (const uint8_t *)"abc", 3);
    hs_field_free(o);
    o = hs_x509_summary(NULL, 0);
    assert_non_null(hs_f_get_str(o, "error"));
    hs_field_free(o);
    /* Every truncation and some corruption: never a crash, always a fingerprint. */
    uint8_t buf[2048];
    for (size_t n = 0; n <= rfc_cert_len; n++) {
        memcpy(buf, rfc_cert, n);
        o = hs_x509_summary(buf, n);
        if (n > 0)
            assert_non_null(hs_f_get_str(o, "sha256"));
        hs_field_free(o);
    }
    uint32_t x = 7;
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, rfc_cert, rfc_cert_len);
        for (int k = 0; k < 3; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[x % rfc_cert_len] = (uint8_t)(x >> 8);
        }
        o = hs_x509_summary(buf, rfc_cert_len);
        assert_non_null(hs_f_get_str(o, "sha256"));
        hs_field_free(o);
    }
}

static void test_dn_string(void **state)
{
    (void)state;
    struct der d = {0};
    name(&d, 0x0c, "ca.example", 10);
    char *s = hs_x509_dn_string(d.b, d.n);
    assert_string_equal(s, "CN=ca.example, O=Org");
    free(s);
    assert_null(hs_x509_dn_string((const uint8_t *)"\x30\x05\x31", 3));
    s = hs_x509_dn_string((const uint8_t *)"\x30\x00", 2);
    assert_string_equal(s, "");
    free(s);
}

/* ---- limits ---- */

/* A Name of n attributes CN=a0, CN=a1, ...: one RDN each, or all in one RDN (multi-valued). */
static void long_name(struct der *out, unsigned n, bool one_rdn)
{
    static struct der rdns, set;
    memset(&rdns, 0, sizeof rdns);
    memset(&set, 0, sizeof set);
    for (unsigned i = 0; i < n; i++) {
        struct der atv = {0}, seq = {0};
        char v[16];
        int k = snprintf(v, sizeof v, "a%u", i);
        tlv(&atv, 0x06, OID_CN, sizeof OID_CN);
        tlv(&atv, 0x0c, v, (size_t)k);
        wrap(&seq, 0x30, &atv);
        if (one_rdn) {
            raw(&set, seq.b, seq.n);
        } else {
            tlv(&rdns, 0x31, seq.b, seq.n);
        }
    }
    if (one_rdn)
        wrap(&rdns, 0x31, &set);
    wrap(out, 0x30, &rdns);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

static void test_name_attribute_limit(void **state)
{
    (void)state;
    static struct der d;
    /* 64 is the limit: all shown, no mark. */
    memset(&d, 0, sizeof d);
    long_name(&d, 64, false);
    char *s = hs_x509_dn_string(d.b, d.n);
    assert_non_null(s);
    assert_true(ends_with(s, ", CN=a63"));
    assert_null(strstr(s, "more attribute"));
    free(s);

    /* 70: the first 64, then the count of the rest. */
    memset(&d, 0, sizeof d);
    long_name(&d, 70, false);
    s = hs_x509_dn_string(d.b, d.n);
    assert_non_null(s);
    assert_true(strncmp(s, "CN=a0, CN=a1, ", 14) == 0);
    assert_true(ends_with(s, ", CN=a63, … (6 more attributes not shown)"));
    assert_null(strstr(s, "CN=a64"));
    free(s);

    /* 65: singular. */
    memset(&d, 0, sizeof d);
    long_name(&d, 65, false);
    s = hs_x509_dn_string(d.b, d.n);
    assert_true(ends_with(s, ", CN=a63, … (1 more attribute not shown)"));
    free(s);

    /* The cut inside one multi-valued RDN is marked the same way. */
    memset(&d, 0, sizeof d);
    long_name(&d, 70, true);
    s = hs_x509_dn_string(d.b, d.n);
    assert_non_null(s);
    assert_true(strncmp(s, "CN=a0 + CN=a1 + ", 16) == 0);
    assert_true(ends_with(s, " + CN=a63, … (6 more attributes not shown)"));
    free(s);

    /* Past the limit the attributes are still checked: a broken one there is not hidden. */
    memset(&d, 0, sizeof d);
    long_name(&d, 70, false);
    /* Break the last attribute's SEQUENCE tag (then come OID TLV 5, value TLV "a69" 5). */
    size_t last_seq = d.n - 2 - 5 - 5;
    assert_int_equal(d.b[last_seq], 0x30);
    d.b[last_seq] = 0x04;
    assert_null(hs_x509_dn_string(d.b, d.n));
}

static void test_cert_name_limit(void **state)
{
    (void)state;
    static struct der subject, gn;
    static uint8_t der[8192];
    memset(&subject, 0, sizeof subject);
    memset(&gn, 0, sizeof gn);
    long_name(&subject, 70, false);
    tlv(&gn, 0x82, "example.com", 11);
    const char *tail = ", CN=a63, … (6 more attributes not shown)";

    /* Parsed by mbedTLS. */
    const uint8_t *spki;
    size_t spki_len = spki_of(rfc_cert, rfc_cert_len, &spki);
    size_t n = build_cert_from(der, sizeof der, &subject, &gn, spki, spki_len, OID_SHA256_RSA,
                               sizeof OID_SHA256_RSA, true);
    struct hs_field *o = hs_x509_summary(der, n);
    assert_null(hs_f_get(o, "error"));
    assert_null(hs_f_get(o, "note"));
    assert_true(ends_with(hs_f_get_str(o, "subject"), tail));
    assert_string_equal(hs_f_get_str(o, "issuer"), "CN=Issuer CA, O=Org");
    hs_field_free(o);

    /* Our own walk (an Ed25519 key). */
    struct der ed = {0}, inner = {0};
    alg(&inner, OID_ED25519, sizeof OID_ED25519, false);
    uint8_t key[33] = {0};
    tlv(&inner, 0x03, key, sizeof key);
    wrap(&ed, 0x30, &inner);
    n = build_cert_from(der, sizeof der, &subject, &gn, ed.b, ed.n, OID_ED25519,
                        sizeof OID_ED25519, false);
    o = hs_x509_summary(der, n);
    assert_non_null(hs_f_get(o, "note"));
    assert_true(ends_with(hs_f_get_str(o, "subject"), tail));
    hs_field_free(o);
}

/* A certificate with nsan SANs "DNS:a", through mbedTLS (RSA key) or our walk (Ed25519). */
static struct hs_field *many_sans(unsigned nsan, bool fallback)
{
    static struct der subject, gn;
    static uint8_t der[8192];
    memset(&subject, 0, sizeof subject);
    memset(&gn, 0, sizeof gn);
    name(&subject, 0x0c, "many.example", 12);
    for (unsigned i = 0; i < nsan; i++)
        tlv(&gn, 0x82, "a", 1);
    size_t n;
    if (fallback) {
        struct der ed = {0}, inner = {0};
        alg(&inner, OID_ED25519, sizeof OID_ED25519, false);
        uint8_t key[33] = {0};
        tlv(&inner, 0x03, key, sizeof key);
        wrap(&ed, 0x30, &inner);
        n = build_cert_from(der, sizeof der, &subject, &gn, ed.b, ed.n, OID_ED25519,
                            sizeof OID_ED25519, false);
    } else {
        const uint8_t *spki;
        size_t spki_len = spki_of(rfc_cert, rfc_cert_len, &spki);
        n = build_cert_from(der, sizeof der, &subject, &gn, spki, spki_len, OID_SHA256_RSA,
                            sizeof OID_SHA256_RSA, true);
    }
    struct hs_field *o = hs_x509_summary(der, n);
    assert_null(hs_f_get(o, "error"));
    assert_true(fallback == (hs_f_get(o, "note") != NULL));
    return o;
}

static void test_san_limit(void **state)
{
    (void)state;
    for (int fallback = 0; fallback < 2; fallback++) {
        struct hs_field *o = many_sans(1000, fallback);
        assert_int_equal(hs_f_count(hs_f_get(o, "san")), 1000);
        assert_null(hs_f_get(o, "san_not_listed"));
        hs_field_free(o);

        o = many_sans(1007, fallback);
        assert_int_equal(hs_f_count(hs_f_get(o, "san")), 1000);
        long long more = 0;
        assert_true(hs_f_get_int(o, "san_not_listed", &more));
        assert_int_equal(more, 7);
        assert_string_equal(hs_f_get(o, "san")->last_child->str, "DNS:a");
        hs_field_free(o);
    }
}

/* A Name holding one attribute whose type is the given OID value bytes. */
static char *dn_with_oid(const uint8_t *oid, size_t n)
{
    struct der atv = {0}, seq = {0}, set = {0}, nm = {0};
    tlv(&atv, 0x06, oid, n);
    tlv(&atv, 0x0c, "v", 1);
    wrap(&seq, 0x30, &atv);
    wrap(&set, 0x31, &seq);
    wrap(&nm, 0x30, &set);
    return hs_x509_dn_string(nm.b, nm.n);
}

static void test_oid_cut(void **state)
{
    (void)state;
    /* An unknown OID in full. */
    static const uint8_t short_oid[] = {0x2a, 0x03, 0x04, 0x81, 0x00};
    char *s = dn_with_oid(short_oid, sizeof short_oid);
    assert_string_equal(s, "1.2.3.4.128=v");
    free(s);

    /* Too long to show: the dotted form ends with the mark. */
    uint8_t long_oid[80];
    memset(long_oid, 0x05, sizeof long_oid);
    s = dn_with_oid(long_oid, sizeof long_oid);
    assert_non_null(s);
    assert_true(strncmp(s, "0.5.5.5.", 8) == 0);
    assert_true(ends_with(s, "…=v"));
    assert_true(strlen(s) < 100);
    free(s);

    /* An unfinished last arc, and an arc past 64 bits. */
    static const uint8_t open_arc[] = {0x2a, 0x03, 0x84};
    s = dn_with_oid(open_arc, sizeof open_arc);
    assert_string_equal(s, "1.2.3…=v");
    free(s);
    uint8_t huge[12];
    memset(huge, 0xff, sizeof huge);
    huge[0] = 0x2a;
    huge[sizeof huge - 1] = 0x7f;
    s = dn_with_oid(huge, sizeof huge);
    assert_string_equal(s, "1.2…=v");
    free(s);
}

static void test_odd_string_lengths(void **state)
{
    (void)state;
    /* A BMPString with a stray last byte and a UniversalString short of a code point: the
     * leftover shows as "?" rather than vanishing. */
    struct der d = {0};
    name(&d, 0x1e, "\x00Z\x00", 3);
    char *s = hs_x509_dn_string(d.b, d.n);
    assert_string_equal(s, "CN=Z?, O=Org");
    free(s);
    memset(&d, 0, sizeof d);
    name(&d, 0x1c, "\x00\x00\x00Z\x00", 5);
    s = hs_x509_dn_string(d.b, d.n);
    assert_string_equal(s, "CN=Z?, O=Org");
    free(s);
}

/* ---- extensions ---- */

/* One Extension { OID, critical?, OCTET STRING { value } } appended to exts. */
static void ext(struct der *exts, const uint8_t *oid, size_t oid_len, bool critical,
                const struct der *value)
{
    struct der e = {0}, os = {0};
    tlv(&e, 0x06, oid, oid_len);
    if (critical)
        tlv(&e, 0x01, "\xff", 1);
    wrap(&os, 0x04, value);
    raw(&e, os.b, os.n);
    wrap(exts, 0x30, &e);
}

static struct hs_field *exts_of(const struct der *list)
{
    static struct der seq;
    memset(&seq, 0, sizeof seq);
    wrap(&seq, 0x30, list);
    struct hs_field *o = hs_field_new_object();
    hs_x509_extensions(o, seq.b, seq.n);
    return o;
}

static void assert_strings(const struct hs_field *arr, const char *const *want, size_t n)
{
    assert_non_null(arr);
    assert_int_equal(arr->kind, HS_F_ARRAY);
    assert_int_equal(hs_f_count(arr), n);
    size_t i = 0;
    for (const struct hs_field *e = arr->child; e; e = e->next, i++)
        assert_string_equal(e->str, want[i]);
}

static const uint8_t OID_BC[] = {0x55, 0x1d, 0x13}, OID_KU[] = {0x55, 0x1d, 0x0f},
                     OID_EKU[] = {0x55, 0x1d, 0x25}, OID_CRLDP[] = {0x55, 0x1d, 0x1f},
                     OID_AIA[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01},
                     OID_SCTS[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02};

static void test_extensions(void **state)
{
    (void)state;
    static struct der list;
    memset(&list, 0, sizeof list);
    struct der v = {0}, in = {0};
    tlv(&in, 0x01, "\xff", 1); /* cA TRUE, pathLen 3 */
    tlv(&in, 0x02, "\x03", 1);
    wrap(&v, 0x30, &in);
    ext(&list, OID_BC, sizeof OID_BC, true, &v);
    memset(&v, 0, sizeof v);
    tlv(&v, 0x03, "\x01\x84\x80", 3); /* digitalSignature, keyCertSign, decipherOnly */
    ext(&list, OID_KU, sizeof OID_KU, false, &v);
    memset(&v, 0, sizeof v);
    memset(&in, 0, sizeof in);
    tlv(&in, 0x06, "\x2b\x06\x01\x05\x05\x07\x03\x01", 8);
    tlv(&in, 0x06, "\x2a\x03\x04", 3); /* 1.2.3.4 */
    wrap(&v, 0x30, &in);
    ext(&list, OID_EKU, sizeof OID_EKU, false, &v);
    memset(&v, 0, sizeof v);
    memset(&in, 0, sizeof in);
    struct der ad = {0};
    tlv(&ad, 0x06, "\x2b\x06\x01\x05\x05\x07\x30\x01", 8);
    tlv(&ad, 0x86, "http://o.test/", 14);
    wrap(&in, 0x30, &ad);
    memset(&ad, 0, sizeof ad);
    tlv(&ad, 0x06, "\x2a\x03", 2); /* 1.2.3: an unknown method */
    tlv(&ad, 0x82, "x.test", 6);
    wrap(&in, 0x30, &ad);
    wrap(&v, 0x30, &in);
    ext(&list, OID_AIA, sizeof OID_AIA, false, &v);
    memset(&v, 0, sizeof v);
    memset(&in, 0, sizeof in);
    struct der gns = {0}, dpn = {0}, dp = {0};
    tlv(&gns, 0x86, "http://c.test/a.crl", 19);
    wrap(&dpn, 0xa0, &gns);
    wrap(&dp, 0xa0, &dpn);
    tlv(&dp, 0x81, "\x06\x40", 2); /* reasons: not listed */
    wrap(&in, 0x30, &dp);
    wrap(&v, 0x30, &in);
    ext(&list, OID_CRLDP, sizeof OID_CRLDP, false, &v);

    struct hs_field *o = exts_of(&list);
    const struct hs_field *bc = hs_f_get(o, "basic_constraints");
    assert_non_null(bc);
    assert_int_equal(hs_f_get(bc, "critical")->num, 1);
    assert_int_equal(hs_f_get(bc, "ca")->num, 1);
    long long pl = -1;
    assert_true(hs_f_get_int(bc, "path_len", &pl));
    assert_int_equal(pl, 3);
    assert_strings(hs_f_get(o, "key_usage"),
                   (const char *const[]){"digitalSignature", "keyCertSign", "decipherOnly"}, 3);
    assert_strings(hs_f_get(o, "ext_key_usage"), (const char *const[]){"serverAuth", "1.2.3.4"},
                   2);
    assert_strings(hs_f_get(o, "authority_info_access"),
                   (const char *const[]){"OCSP URI:http://o.test/", "1.2.3 DNS:x.test"}, 2);
    assert_strings(hs_f_get(o, "crl_distribution_points"),
                   (const char *const[]){"URI:http://c.test/a.crl"}, 1);
    assert_int_equal(hs_f_get(o, "scts")->kind, HS_F_NULL);
    hs_field_free(o);

    /* None at all: every key null. */
    o = hs_field_new_object();
    hs_x509_extensions(o, NULL, 0);
    assert_int_equal(hs_f_count(o), 6);
    for (const struct hs_field *f = o->child; f; f = f->next)
        assert_int_equal(f->kind, HS_F_NULL);
    hs_field_free(o);
}

/* Each extension with a value that does not parse says so; so does every cut of the list. */
static void test_extensions_malformed(void **state)
{
    (void)state;
    static const struct {
        const uint8_t *oid;
        size_t n;
        const char *key;
    } all[] = {{OID_BC, 3, "basic_constraints"}, {OID_KU, 3, "key_usage"},
               {OID_EKU, 3, "ext_key_usage"}, {OID_AIA, 8, "authority_info_access"},
               {OID_CRLDP, 3, "crl_distribution_points"}, {OID_SCTS, 10, "scts"}};
    /* An INTEGER where each expects its own structure. */
    struct der v = {0};
    tlv(&v, 0x02, "\x05", 1);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        static struct der list;
        memset(&list, 0, sizeof list);
        ext(&list, all[i].oid, all[i].n, false, &v);
        struct hs_field *o = exts_of(&list);
        const char *s = hs_f_get_str(o, all[i].key);
        assert_non_null(s);
        assert_true(strncmp(s, "malformed: ", 11) == 0);
        hs_field_free(o);
    }
    /* A SEQUENCE of two BOOLEANs is no basic constraints; a pathLen of 2^31 is refused. */
    struct der in = {0};
    memset(&v, 0, sizeof v);
    tlv(&in, 0x01, "\xff", 1);
    tlv(&in, 0x01, "\xff", 1);
    wrap(&v, 0x30, &in);
    static struct der list;
    memset(&list, 0, sizeof list);
    ext(&list, OID_BC, sizeof OID_BC, false, &v);
    struct hs_field *o = exts_of(&list);
    assert_non_null(hs_f_get_str(o, "basic_constraints"));
    hs_field_free(o);
    /* Every cut of a good Extensions SEQUENCE: no read past it, no crash (ASan checks). */
    memset(&v, 0, sizeof v);
    tlv(&v, 0x03, "\x07\x80", 2);
    memset(&list, 0, sizeof list);
    ext(&list, OID_KU, sizeof OID_KU, true, &v);
    static struct der seq;
    memset(&seq, 0, sizeof seq);
    wrap(&seq, 0x30, &list);
    for (size_t n = 0; n < seq.n; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, seq.b, n);
        o = hs_field_new_object();
        hs_x509_extensions(o, cut, n);
        assert_int_equal(hs_f_count(o), 6);
        hs_field_free(o);
        free(cut);
    }
}

/* RFC 6962 SignedCertificateTimestampList bytes: n SCTs of version `version`. */
static size_t sct_list_bytes(uint8_t *out, unsigned n, uint8_t version)
{
    uint8_t sct[64];
    size_t k = 0;
    sct[k++] = version;
    memset(sct + k, 0xab, 32);
    k += 32;
    static const uint8_t ts[8] = {0x00, 0x00, 0x01, 0x8c, 0xc8, 0x20, 0xdb, 0x2e};
    memcpy(sct + k, ts, 8); /* 1704164645678 ms: 2024-01-02T03:04:05.678Z */
    k += 8;
    memcpy(sct + k, "\x00\x00" "\x04\x03" "\x00\x02" "\x30\x00", 8);
    k += 8;
    size_t m = 2;
    for (unsigned i = 0; i < n; i++) {
        out[m++] = (uint8_t)(k >> 8);
        out[m++] = (uint8_t)k;
        memcpy(out + m, sct, k);
        m += k;
    }
    out[0] = (uint8_t)((m - 2) >> 8);
    out[1] = (uint8_t)(m - 2);
    return m;
}

static struct hs_field *scts_of(const uint8_t *p, size_t n)
{
    struct der inner = {0}, list = {0};
    tlv(&inner, 0x04, p, n);
    ext(&list, OID_SCTS, sizeof OID_SCTS, false, &inner);
    return exts_of(&list);
}

static void test_scts(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = sct_list_bytes(b, 2, 0);
    struct hs_field *o = scts_of(b, n);
    const struct hs_field *arr = hs_f_get(o, "scts");
    assert_non_null(arr);
    assert_int_equal(arr->kind, HS_F_ARRAY);
    assert_int_equal(hs_f_count(arr), 2);
    assert_string_equal(hs_f_get_str(arr->child, "version"), "v1");
    assert_string_equal(hs_f_get_str(arr->child, "log_id"),
                        "abababababababababababababababababababababababababababababababab");
    assert_string_equal(hs_f_get_str(arr->child, "time"), "2024-01-02T03:04:05.678Z");
    hs_field_free(o);

    /* Every truncation of the list (its own length fields left as they were): malformed. */
    for (size_t cut = 0; cut < n; cut++) {
        o = scts_of(b, cut);
        const char *s = hs_f_get_str(o, "scts");
        assert_non_null(s);
        assert_true(strncmp(s, "malformed: ", 11) == 0);
        hs_field_free(o);
    }
    /* Every truncation of one SCT with the lengths made to agree: still malformed. */
    size_t one = sct_list_bytes(b, 1, 0);
    for (size_t len = 0; len + 4 < one; len++) {
        uint8_t c[256];
        memcpy(c, b, one);
        c[0] = (uint8_t)((len + 2) >> 8);
        c[1] = (uint8_t)(len + 2);
        c[2] = (uint8_t)(len >> 8);
        c[3] = (uint8_t)len;
        o = scts_of(c, len + 4);
        const char *s = hs_f_get_str(o, "scts");
        assert_non_null(s);
        assert_true(strncmp(s, "malformed: ", 11) == 0);
        hs_field_free(o);
    }
    /* A byte after the last SCT, a byte after a signature: malformed. */
    b[n] = 0;
    o = scts_of(b, n + 1);
    assert_non_null(hs_f_get_str(o, "scts"));
    hs_field_free(o);
    /* An unknown version: named, the rest not read. */
    n = sct_list_bytes(b, 1, 7);
    o = scts_of(b, n);
    arr = hs_f_get(o, "scts");
    assert_int_equal(arr->kind, HS_F_ARRAY);
    assert_string_equal(hs_f_get_str(arr->child, "version"), "unknown (7)");
    assert_null(hs_f_get(arr->child, "log_id"));
    hs_field_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_cert),
        cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_ed25519_fallback),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_dn_string),
        cmocka_unit_test(test_name_attribute_limit),
        cmocka_unit_test(test_cert_name_limit),
        cmocka_unit_test(test_san_limit),
        cmocka_unit_test(test_oid_cut),
        cmocka_unit_test(test_odd_string_lengths),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_extensions_malformed),
        cmocka_unit_test(test_scts),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
