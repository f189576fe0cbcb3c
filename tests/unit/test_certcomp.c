/* RFC 8879 CompressedCertificate: the RFC 8448 Certificate message compressed with zlib,
 * brotli and zstd decodes to the same chain; wrong lengths, corrupt data, unknown algorithms
 * and over-long announcements are said, never decoded past their bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vectors.h"

#include "core/field.h"
#include "core/trace.h"
#include "tls/certcomp.h"
#include "tls/msg.h"

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

/* The Certificate message's body (its 4-byte header off). */
static const uint8_t *cert_body(size_t *n)
{
    const struct vector *v = vector_get("certificate");
    assert_non_null(v);
    *n = v->len - 4;
    return v->bytes + 4;
}

static size_t compress_with(uint16_t alg, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    switch (alg) {
    case HS_CERTCOMP_ZLIB: {
        uLongf len = cap;
        assert_int_equal(compress2(out, &len, in, n, 9), Z_OK);
        return len;
    }
    case HS_CERTCOMP_BROTLI: {
        size_t len = cap;
        assert_true(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                          BROTLI_MODE_GENERIC, n, in, &len, out));
        return len;
    }
    default: {
        size_t len = ZSTD_compress(out, cap, in, n, 3);
        assert_false(ZSTD_isError(len));
        return len;
    }
    }
}

/* Decodes a CompressedCertificate (alg, announced length, data) as the server's, in TLS 1.3. */
static struct hs_event *decode(struct hs_trace *t, uint16_t alg, uint32_t ulen,
                               const uint8_t *data, size_t n)
{
    static uint8_t msg[8192];
    size_t body = 2 + 3 + 3 + n;
    assert_true(4 + body <= sizeof msg);
    uint8_t *p = msg;
    *p++ = 25;
    *p++ = (uint8_t)(body >> 16), *p++ = (uint8_t)(body >> 8), *p++ = (uint8_t)body;
    *p++ = (uint8_t)(alg >> 8), *p++ = (uint8_t)alg;
    *p++ = (uint8_t)(ulen >> 16), *p++ = (uint8_t)(ulen >> 8), *p++ = (uint8_t)ulen;
    *p++ = (uint8_t)(n >> 16), *p++ = (uint8_t)(n >> 8), *p++ = (uint8_t)n;
    memcpy(p, data, n);
    struct hs_tls_state st = {.version = 0x0304, .sh_seen = true};
    struct hs_event *ev = hs_event_new(HS_SERVER, HS_LAYER_TLS, "Handshake", 1.0);
    struct hs_msg m = {.st = &st, .trace = t, .ev = ev, .f = ev->fields, .from = HS_SERVER,
                       .name = "Handshake"};
    hs_decode_handshake(&m, msg, 4 + body);
    hs_msg_done(&m);
    hs_trace_add(t, ev);
    return ev;
}

static void test_each_algorithm(void **state)
{
    (void)state;
    size_t n;
    const uint8_t *body = cert_body(&n);
    static const uint16_t algs[] = {HS_CERTCOMP_ZLIB, HS_CERTCOMP_BROTLI, HS_CERTCOMP_ZSTD};
    for (size_t i = 0; i < 3; i++) {
        uint8_t packed[4096];
        size_t k = compress_with(algs[i], body, n, packed, sizeof packed);
        struct hs_trace *t = hs_trace_new();
        struct hs_event *ev = decode(t, algs[i], (uint32_t)n, packed, k);
        assert_string_equal(ev->type, "CompressedCertificate");
        assert_false(ev->problem);
        assert_string_equal(hs_f_get_str(ev->fields, "algorithm"), hs_certcomp_name(algs[i]));
        const struct hs_field *cert = hs_f_get(ev->fields, "certificate");
        assert_non_null(cert);
        long long count = 0;
        assert_true(hs_f_get_int(cert, "count", &count));
        assert_int_equal(count, 1);
        assert_non_null(strstr(ev->summary, hs_certcomp_name(algs[i])));
        assert_non_null(strstr(ev->summary, "1 cert: "));
        /* The chain is the connection's, as for a plain Certificate. */
        assert_non_null(t->chain);
        assert_non_null(t->chain->child);
        assert_non_null(hs_f_get_str(t->chain->child, "subject"));
        /* Spans would point into bytes the row does not hold. */
        assert_int_equal(cert->child->len, 0);
        hs_trace_free(t);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    size_t n;
    const uint8_t *body = cert_body(&n);
    uint8_t packed[4096];
    size_t k = compress_with(HS_CERTCOMP_BROTLI, body, n, packed, sizeof packed);
    static const char *const length = "the brotli data does not decompress: not the announced "
                                      "uncompressed_length";
    struct {
        uint16_t alg;
        uint32_t ulen;
        bool corrupt;
        const char *violation, *not_decompressed;
    } cases[] = {
        {HS_CERTCOMP_BROTLI, (uint32_t)n + 1, false, length, NULL},
        {HS_CERTCOMP_BROTLI, (uint32_t)n - 1, false, length, NULL},
        {HS_CERTCOMP_BROTLI, 0, false, length, NULL},
        {HS_CERTCOMP_BROTLI, (uint32_t)n, true,
         "the brotli data does not decompress: corrupt compressed data", NULL},
        {HS_CERTCOMP_ZLIB, (uint32_t)n, false,
         "the zlib data does not decompress: corrupt compressed data", NULL},
        {HS_CERTCOMP_ZSTD, (uint32_t)n, false,
         "the zstd data does not decompress: corrupt compressed data", NULL},
        {0x4242, (uint32_t)n, false, NULL, "unknown algorithm"},
        {HS_CERTCOMP_BROTLI, 0xffffff, false, NULL,
         "uncompressed_length over the message limit"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t data[4096];
        memcpy(data, packed, k);
        if (cases[i].corrupt)
            for (size_t j = k / 2; j < k; j++)
                data[j] ^= 0x5a;
        struct hs_trace *t = hs_trace_new();
        struct hs_event *ev = decode(t, cases[i].alg, cases[i].ulen, data, k);
        assert_null(hs_f_get(ev->fields, "certificate"));
        assert_null(t->chain);
        const struct hs_field *v = hs_f_get(ev->fields, "violations");
        if (cases[i].violation) {
            assert_non_null(v);
            assert_string_equal(v->child->str, cases[i].violation);
            assert_true(ev->problem);
        } else {
            assert_null(v);
            assert_string_equal(hs_f_get_str(ev->fields, "not_decompressed"),
                                cases[i].not_decompressed);
        }
        hs_trace_free(t);
    }
}

/* The decompressors alone: exact fill only, for every cut of a zstd and a zlib stream. */
static void test_truncated_streams(void **state)
{
    (void)state;
    size_t n;
    const uint8_t *body = cert_body(&n);
    static const uint16_t algs[] = {HS_CERTCOMP_ZLIB, HS_CERTCOMP_BROTLI, HS_CERTCOMP_ZSTD};
    for (size_t i = 0; i < 3; i++) {
        uint8_t packed[4096], out[4096];
        size_t k = compress_with(algs[i], body, n, packed, sizeof packed);
        assert_int_equal(hs_certcomp_decompress(algs[i], packed, k, out, n), HS_CERTCOMP_OK);
        assert_memory_equal(out, body, n);
        for (size_t cut = 0; cut < k; cut++)
            assert_int_not_equal(hs_certcomp_decompress(algs[i], packed, cut, out, n),
                                 HS_CERTCOMP_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_algorithm),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_truncated_streams),
    };
    return cmocka_run_group_tests(tests, vectors_load, vectors_free);
}
