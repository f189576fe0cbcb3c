/* JA3/JA3S and JA4/JA4S: the published examples of the Salesforce JA3 README and of the
 * FoxIO JA4 and JA4S technical details, GREASE, and hellos that cannot be read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/field.h"
#include "tls/fingerprint.h"

#include <stdio.h>
#include <string.h>

/* A hello under construction. */
struct msg {
    uint8_t b[2048];
    size_t n;
};

static void put8(struct msg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void put16(struct msg *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v & 0xff);
}
/* A 16-bit list with its length prefix (lenbytes 1 or 2). */
static void put_list(struct msg *m, unsigned lenbytes, const uint16_t *v, size_t n)
{
    if (lenbytes == 1)
        put8(m, (unsigned)(2 * n));
    else
        put16(m, (unsigned)(2 * n));
    for (size_t i = 0; i < n; i++)
        put16(m, v[i]);
}
/* The header, legacy_version, random, an empty session id. */
static void start(struct msg *m, unsigned type, unsigned version)
{
    m->n = 0;
    put8(m, type);
    put8(m, 0);
    put16(m, 0); /* length, set by finish() */
    put16(m, version);
    for (int i = 0; i < 32; i++)
        put8(m, i);
    put8(m, 0);
}
static void finish(struct msg *m)
{
    size_t len = m->n - 4;
    m->b[1] = (uint8_t)(len >> 16);
    m->b[2] = (uint8_t)(len >> 8);
    m->b[3] = (uint8_t)len;
}
/* An extension: type, then its body of n bytes. */
static void put_ext(struct msg *m, unsigned type, const uint8_t *body, size_t n)
{
    put16(m, type);
    put16(m, (unsigned)n);
    if (n > 0) /* an empty body may be NULL */
        memcpy(m->b + m->n, body, n);
    m->n += n;
}

static const char *get(const struct hs_field *o, const char *k)
{
    for (const struct hs_field *f = o->child; f; f = f->next)
        if (strcmp(f->name, k) == 0)
            return f->str;
    return NULL;
}

/* The JA4 README example: 15 suites, 16 extensions (GREASE added here, to be ignored), ALPN
 * h2, TLS 1.3 in supported_versions. */
static void test_ja4_spec_example(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                      0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                      0x009c, 0x009d, 0x002f, 0x0035};
    static const uint16_t exts[] = {0x0a0a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
                                    0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
                                    0x000b, 0x000a, 0x0015, 0x1a1a};
    static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                       0x0805, 0x0501, 0x0806, 0x0601};
    static const uint16_t versions[] = {0x3a3a, 0x0304, 0x0303};
    static const uint16_t groups[] = {0x4a4a, 0x001d, 0x0017};
    struct msg m, body;
    start(&m, 1, 0x0303);
    put_list(&m, 2, suites, sizeof suites / 2);
    put8(&m, 1);
    put8(&m, 0);
    size_t extlen_at = m.n;
    put16(&m, 0);
    for (size_t i = 0; i < sizeof exts / 2; i++) {
        body.n = 0;
        switch (exts[i]) {
        case 0x000d: put_list(&body, 2, sigalgs, 8); break;
        case 0x002b: put_list(&body, 1, versions, 3); break;
        case 0x000a: put_list(&body, 2, groups, 3); break;
        case 0x000b: put8(&body, 1); put8(&body, 0); break;
        case 0x0010: put16(&body, 3); put8(&body, 2); put8(&body, 'h'); put8(&body, '2'); break;
        default: break;
        }
        put_ext(&m, exts[i], body.b, body.n);
    }
    size_t extlen = m.n - extlen_at - 2;
    m.b[extlen_at] = (uint8_t)(extlen >> 8);
    m.b[extlen_at + 1] = (uint8_t)extlen;
    finish(&m);

    struct hs_field *o = hs_field_new_object();
    assert_true(hs_fp_client_hello(o, m.b, m.n));
    assert_string_equal(get(o, "ja4"), "t13d1516h2_8daaf6152771_e5627efa2ab1");
    /* JA3 keeps the wire order, GREASE left out. */
    assert_string_equal(get(o, "ja3_string"),
                        "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-"
                        "157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23,0");
    hs_field_free(o);
}

/* The JA3 README example (a TLS 1.0 hello without ALPN or SNI content checks). */
static void test_ja3_spec_example(void **state)
{
    (void)state;
    static const uint16_t suites[] = {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
    static const uint16_t groups[] = {23, 24, 25};
    struct msg m;
    start(&m, 1, 769);
    put_list(&m, 2, suites, sizeof suites / 2);
    put8(&m, 1);
    put8(&m, 0);
    put16(&m, 4 + 12 + 6);
    put_ext(&m, 0, NULL, 0);
    put16(&m, 10);
    put16(&m, 8);
    put_list(&m, 2, groups, 3);
    put_ext(&m, 11, (const uint8_t[]){1, 0}, 2);
    finish(&m);
    struct hs_field *o = hs_field_new_object();
    assert_true(hs_fp_client_hello(o, m.b, m.n));
    assert_string_equal(get(o, "ja3_string"),
                        "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
    assert_string_equal(get(o, "ja3"), "ada70206e40642a3e4461f35503241d5");
    /* No sigalgs: the extension list is hashed alone; no ALPN: "00". */
    assert_true(strncmp(get(o, "ja4"), "t10d120300_", 11) == 0);
    hs_field_free(o);
}

/* The JA4S example: TLS 1.2, c030, extensions 0005,0017,ff01,0000 in that order. */
static void test_ja4s_spec_example(void **state)
{
    (void)state;
    struct msg m;
    start(&m, 2, 0x0303);
    put16(&m, 0xc030);
    put8(&m, 0);
    put16(&m, 17);
    put_ext(&m, 0x0005, NULL, 0);
    put_ext(&m, 0x0017, NULL, 0);
    put_ext(&m, 0xff01, (const uint8_t[]){0}, 1);
    put_ext(&m, 0x0000, NULL, 0);
    finish(&m);
    struct hs_field *o = hs_field_new_object();
    assert_true(hs_fp_server_hello(o, m.b, m.n));
    assert_string_equal(get(o, "ja4s"), "t120400_c030_4e8089b08790");
    assert_string_equal(get(o, "ja3s_string"), "771,49200,5-23-65281-0");
    hs_field_free(o);
}

/* ALPN values that are not alphanumeric at either end: the hex form's ends. */
static void test_ja4_alpn_hex(void **state)
{
    (void)state;
    static const struct {
        uint8_t v[4];
        size_t n;
        const char *want;
    } cases[] = {
        {{0xab}, 1, "ab"}, {{0xab, 0xcd}, 2, "ad"}, {{0x30, 0xab}, 2, "3b"},
        {{0x30, 0x31, 0xab, 0xcd}, 4, "3d"}, {{0x30, 0xab, 0xcd, 0x31}, 4, "01"},
        {{'h'}, 1, "hh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct msg m, body = {.n = 0};
        start(&m, 1, 0x0303);
        put16(&m, 2);
        put16(&m, 0x1301);
        put8(&m, 1);
        put8(&m, 0);
        put16(&m, (unsigned)(4 + 3 + cases[i].n));
        put16(&body, (unsigned)(1 + cases[i].n));
        put8(&body, (unsigned)cases[i].n);
        memcpy(body.b + body.n, cases[i].v, cases[i].n);
        body.n += cases[i].n;
        put_ext(&m, 16, body.b, body.n);
        finish(&m);
        struct hs_field *o = hs_field_new_object();
        assert_true(hs_fp_client_hello(o, m.b, m.n));
        /* t12i0101 + the two characters; no extension but ALPN: twelve zeros. */
        char want[64];
        snprintf(want, sizeof want, "t12i0101%s_", cases[i].want);
        assert_true(strncmp(get(o, "ja4"), want, strlen(want)) == 0);
        assert_string_equal(get(o, "ja4") + strlen(get(o, "ja4")) - 13, "_000000000000");
        hs_field_free(o);
    }
}

/* A cut or garbled hello gives no fingerprint rather than one of something else. */
static void test_unreadable(void **state)
{
    (void)state;
    struct msg m;
    start(&m, 1, 0x0303);
    put16(&m, 40); /* suites longer than the message */
    put16(&m, 0x1301);
    finish(&m);
    struct hs_field *o = hs_field_new_object();
    assert_false(hs_fp_client_hello(o, m.b, m.n));
    assert_null(o->child);
    assert_false(hs_fp_server_hello(o, m.b, m.n)); /* not a ServerHello */
    assert_false(hs_fp_client_hello(o, m.b, 3));
    assert_null(o->child);
    hs_field_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ja4_spec_example),  cmocka_unit_test(test_ja3_spec_example),
        cmocka_unit_test(test_ja4s_spec_example), cmocka_unit_test(test_ja4_alpn_hex),
        cmocka_unit_test(test_unreadable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
