/*
 * QUIC packet protection and parsing (src/tls/quic.c, quicframes.c, quictp.c): the Initial
 * keys of RFC 9001 A.1 (v1) and RFC 9369 A.1 (v2), the ChaCha20 short-header packet of
 * RFC 9001 A.5, the variable-length integers of RFC 9000 A.1, headers (coalesced, Version
 * Negotiation, Retry, greased fixed bit, every truncation), frames, transport parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/msg.h"
#include "tls/quic.h"
#include "tls/suites.h"

#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void assert_bytes(const uint8_t *p, const char *hex)
{
    uint8_t want[64];
    size_t n = unhex(hex, want);
    assert_memory_equal(p, want, n);
}

static const uint8_t rfc_dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

static void test_initial_keys_v1(void **state)
{
    (void)state;
    struct hs_quic_keys c, s;
    assert_int_equal(hs_quic_initial_keys(1, rfc_dcid, 8, &c, &s), HS_OK);
    assert_true(c.ready && s.ready);
    assert_int_equal(c.key_len, 16);
    assert_bytes(c.key, "1f369613dd76d5467730efcbe3b1a22d");
    assert_bytes(c.iv, "fa044b2f42a3fd3b46fb255c");
    assert_bytes(c.hp, "9f50449e04a0e810283a1e9933adedd2");
    assert_bytes(s.key, "cf3a5331653c364c88f0f379b6067e37");
    assert_bytes(s.iv, "0ac1493ca1905853b0bba03e");
    assert_bytes(s.hp, "c206b8d9b9f0f37644430b490eeaa314");
    /* an unknown version has no Initial keys */
    assert_int_equal(hs_quic_initial_keys(0x1a2a3a4a, rfc_dcid, 8, &c, &s), HS_ERR_UNSUPPORTED);
}

static void test_initial_keys_v2(void **state)
{
    (void)state;
    struct hs_quic_keys c, s;
    assert_int_equal(hs_quic_initial_keys(0x6b3343cf, rfc_dcid, 8, &c, &s), HS_OK);
    assert_bytes(c.key, "8b1a0bc121284290a29e0971b5cd045d");
    assert_bytes(c.iv, "91f73e2351d8fa91660e909f");
    assert_bytes(c.hp, "45b95e15235d6f45a6b19cbcb0294ba9");
    assert_bytes(s.key, "82db637861d55e1d011f19ea71d5d2a7");
    assert_bytes(s.iv, "dd13c276499c0249d3310652");
    assert_bytes(s.hp, "edf6d05c83121201b436e16877593c3a");
}

/* RFC 9001 A.5: a short-header packet protected with ChaCha20-Poly1305, a PING. */
static void test_chacha20_short_header(void **state)
{
    (void)state;
    uint8_t secret[32], pkt[32];
    unhex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", secret);
    struct hs_quic_keys k;
    assert_int_equal(hs_quic_keys_from_secret(1, hs_suite_find(0x1303), secret, 32, &k), HS_OK);
    assert_bytes(k.key, "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8");
    assert_bytes(k.iv, "e0459b3474bdd0e44a41c144");
    assert_bytes(k.hp, "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4");
    size_t n = unhex("4cfe4189655e5cd55c41f69080575d7999c25a5bfb", pkt);
    struct hs_quic_hdr h;
    assert_int_equal(hs_quic_parse_header(pkt, n, 0, &h), HS_OK);
    assert_int_equal(h.type, HS_QPT_1RTT);
    assert_int_equal(h.size, n);
    uint8_t out[32];
    uint64_t pn = 0;
    size_t len = 0;
    assert_int_equal(hs_quic_open(&k, &h, pkt, 654360563, &pn, out, &len), HS_OK);
    assert_int_equal(pn, 654360564);
    assert_int_equal(len, 1);
    assert_int_equal(out[0], 0x01);
    assert_int_equal(pkt[0], 0x42); /* the unprotected first byte */
    /* the next generation (RFC 9001 A.5's "ku"): a new secret, the same header protection */
    struct hs_quic_keys next;
    assert_int_equal(hs_quic_key_update(&k, &next), HS_OK);
    assert_bytes(next.secret, "1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9");
    assert_memory_equal(next.hp, k.hp, 32);
    assert_memory_not_equal(next.key, k.key, 32);
    /* the same packet with a flipped payload bit fails authentication */
    n = unhex("4cfe4189655e5cd55c41f69080575d7999c25a5bfa", pkt);
    assert_int_equal(hs_quic_open(&k, &h, pkt, 654360563, &pn, out, &len), HS_ERR_CRYPTO);
}

static void test_varints(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        uint64_t v;
    } cases[] = {{"c2197c5eff14e88c", 151288809941952652ull},
                 {"9d7f3e7d", 494878333},
                 {"7bbd", 15293},
                 {"25", 37},
                 {"4025", 37}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[8];
        size_t n = unhex(cases[i].hex, b), off = 0;
        uint64_t v;
        assert_true(hs_quic_varint(b, n, &off, &v));
        assert_int_equal(off, n);
        assert_true(v == cases[i].v);
        off = 0;
        assert_false(hs_quic_varint(b, n - 1, &off, &v) && n > 1); /* truncated */
    }
}

/* A client Initial (header only is checked; the payload is 20 zero bytes) followed by a
 * Handshake packet in the same datagram. */
static size_t coalesced(uint8_t *b)
{
    return unhex("c000000001088394c8f03e51570808f067a5502a4262b500"
                 "18" "000000000000000000000000000000000000000000000000" /* length 24 */
                 "e000000001088394c8f03e51570800"                    /* Handshake, no SCID */
                 "14" "0000000000000000000000000000000000000000",      /* length 20 */
                 b);
}

static void test_headers(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = coalesced(b);
    struct hs_quic_hdr h;
    assert_int_equal(hs_quic_parse_header(b, n, 0, &h), HS_OK);
    assert_int_equal(h.type, HS_QPT_INITIAL);
    assert_true(h.long_hdr);
    assert_int_equal(h.version, 1);
    assert_int_equal(h.dcid_len, 8);
    assert_int_equal(h.scid_len, 8);
    assert_int_equal(h.token_len, 0);
    assert_int_equal(h.pn_offset, 25);
    assert_int_equal(h.size, 25 + 24);
    struct hs_quic_hdr h2;
    assert_int_equal(hs_quic_parse_header(b + h.size, n - h.size, 0, &h2), HS_OK);
    assert_int_equal(h2.type, HS_QPT_HANDSHAKE);
    assert_int_equal(h2.scid_len, 0);
    assert_int_equal(h.size + h2.size, n);
    /* every truncation is refused, never read past */
    for (size_t k = 0; k < h.size; k++) {
        uint8_t *cut = malloc(k ? k : 1);
        memcpy(cut, b, k);
        assert_int_not_equal(hs_quic_parse_header(cut, k, 0, &h2), HS_OK);
        free(cut);
    }
    /* a greased fixed bit (RFC 9287) is still QUIC */
    b[0] &= (uint8_t)~0x40;
    assert_int_equal(hs_quic_parse_header(b, n, 0, &h), HS_OK);
    /* QUIC v2 swaps the type bits: 0b01 is Initial */
    uint8_t v2[64];
    size_t n2 = unhex("d06b3343cf0001aa0014" "0000000000000000000000000000000000000000", v2);
    assert_int_equal(hs_quic_parse_header(v2, n2, 0, &h), HS_OK);
    assert_int_equal(h.type, HS_QPT_INITIAL);
    /* a connection ID over 20 bytes in a known version is not QUIC */
    uint8_t bad[40] = {0xc0, 0, 0, 0, 1, 21};
    assert_int_equal(hs_quic_parse_header(bad, sizeof bad, 0, &h), HS_ERR_INVALID);
}

static void test_vn_and_retry(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = unhex("80000000000401020304040a0b0c0d000000016b3343cf", b);
    struct hs_quic_hdr h;
    assert_int_equal(hs_quic_parse_header(b, n, 0, &h), HS_OK);
    assert_int_equal(h.type, HS_QPT_VN);
    assert_int_equal(h.nversions, 2);
    assert_int_equal(h.dcid_len, 4);
    n = unhex("f0000000010004a1a2a3a4" "746f6b656e" "00112233445566778899aabbccddeeff", b);
    assert_int_equal(hs_quic_parse_header(b, n, 0, &h), HS_OK);
    assert_int_equal(h.type, HS_QPT_RETRY);
    assert_int_equal(h.scid_len, 4);
    assert_int_equal(h.token_len, 5);
    assert_memory_equal(h.token, "token", 5);
    /* a Retry too short for its integrity tag */
    assert_int_equal(hs_quic_parse_header(b, 20, 0, &h), HS_ERR_INVALID);
    /* an unknown version: the connection IDs are read, the rest is not */
    n = unhex("c01a2a3a4a02010203aabbcc00", b);
    assert_int_equal(hs_quic_parse_header(b, n, 0, &h), HS_ERR_UNSUPPORTED);
    assert_int_equal(h.dcid_len, 2);
    assert_int_equal(h.scid_len, 3);
    char vb[64];
    assert_string_equal(hs_quic_version_name(1, vb, sizeof vb), "QUIC v1");
    assert_string_equal(hs_quic_version_name(0xff000020, vb, sizeof vb), "draft-32");
}

static int ncrypto;
static uint64_t crypto_off;

static void on_crypto(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
    (void)ctx;
    (void)p;
    ncrypto++;
    crypto_off = off + n;
}

static void test_frames(void **state)
{
    (void)state;
    uint8_t b[128];
    struct hs_quic_frames f;
    /* ACK 5 (first range 2), CRYPTO offset 0 length 3, PADDING x4 */
    size_t n = unhex("0205000002" "060003616263" "00000000", b);
    ncrypto = 0;
    hs_quic_frames(b, n, on_crypto, NULL, &f);
    assert_string_equal(f.line, "ACK[3-5], CRYPTO[0+3], PADDING");
    assert_int_equal(ncrypto, 1);
    assert_true(crypto_off == 3);
    assert_true(f.ack_eliciting);
    assert_false(f.malformed);
    /* runs of the same frame are merged; HANDSHAKE_DONE and CONNECTION_CLOSE are noted */
    n = unhex("0101011e1c0a0000", b);
    hs_quic_frames(b, n, NULL, NULL, &f);
    assert_string_equal(f.line, "PING x3, HANDSHAKE_DONE, CONNECTION_CLOSE(transport 0xa)");
    assert_true(f.handshake_done && f.close);
    /* a CRYPTO frame longer than the payload is malformed, its bytes never handed on */
    n = unhex("06004061", b);
    ncrypto = 0;
    hs_quic_frames(b, n, on_crypto, NULL, &f);
    assert_true(f.malformed);
    assert_int_equal(ncrypto, 0);
    /* an unknown frame type stops the reading */
    n = unhex("0140ff", b);
    hs_quic_frames(b, n, NULL, NULL, &f);
    assert_true(f.malformed);
    assert_string_equal(f.line, "PING, malformed frame 0xff at byte 1");
}

/* A line longer than its buffer ends with ", ..." inside the buffer (it once wrote one byte
 * past it, into the frame count). */
static void test_frames_long_line(void **state)
{
    (void)state;
    uint8_t b[100 * 6];
    size_t n = 0;
    /* 100 frames CRYPTO[1000+4k, 2 bytes]: 6 bytes each */
    for (int k = 0; k < 100; k++) {
        b[n++] = 0x06;
        b[n++] = 0x40 | (uint8_t)((1000 + 4 * k) >> 8);
        b[n++] = (uint8_t)(1000 + 4 * k);
        b[n++] = 2;
        b[n++] = 'a';
        b[n++] = 'b';
    }
    struct hs_quic_frames f;
    ncrypto = 0;
    hs_quic_frames(b, n, on_crypto, NULL, &f);
    assert_int_equal(f.count, 100);
    assert_int_equal(ncrypto, 100);
    size_t len = strlen(f.line);
    assert_true(len < sizeof f.line);
    assert_string_equal(f.line + len - 5, ", ...");
}

static void test_transport_parameters(void **state)
{
    (void)state;
    uint8_t b[64];
    /* max_idle_timeout 30000, initial_source_connection_id aabb, disable_active_migration,
     * a GREASE parameter (27) of 2 bytes */
    size_t n = unhex("0104800075300f02aabb0c00" "1b020000", b);
    struct hs_field *e = hs_field_new_object();
    struct hs_cur c = hs_cur_make(b, n);
    assert_int_equal(hs_ext_quic_transport_parameters(NULL, &c, HS_EXT_CH, e, NULL), HS_OK);
    const struct hs_field *arr = hs_f_get(e, "parameters");
    assert_int_equal(hs_f_count(arr), 4);
    const struct hs_field *p0 = arr->child, *p1 = p0->next, *p2 = p1->next, *p3 = p2->next;
    long long v = 0;
    assert_string_equal(hs_f_get_str(p0, "name"), "max_idle_timeout");
    assert_true(hs_f_get_int(p0, "value", &v) && v == 30000);
    assert_string_equal(hs_f_get_str(p1, "name"), "initial_source_connection_id");
    assert_string_equal(hs_f_get_str(p1, "value"), "aabb");
    assert_string_equal(hs_f_get_str(p2, "name"), "disable_active_migration");
    assert_string_equal(hs_f_get_str(p3, "name"), "grease(0x1b)");
    assert_true(hs_f_get_int(p3, "length", &v) && v == 2);
    hs_field_free(e);
    /* a length past the end */
    n = unhex("0105800075", b);
    e = hs_field_new_object();
    c = hs_cur_make(b, n);
    assert_int_equal(hs_ext_quic_transport_parameters(NULL, &c, HS_EXT_CH, e, NULL),
                     HS_ERR_INVALID);
    hs_field_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_keys_v1),
        cmocka_unit_test(test_initial_keys_v2),
        cmocka_unit_test(test_chacha20_short_header),
        cmocka_unit_test(test_varints),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_vn_and_retry),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_frames_long_line),
        cmocka_unit_test(test_transport_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
