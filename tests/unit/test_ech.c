/*
 * Encrypted Client Hello (RFC 9849) and post-quantum key shares on hand-made messages: the
 * outer extension's fields, the inner marker, the HelloRetryRequest confirmation and hybrid
 * group, retry_configs in EncryptedExtensions; a ClientHelloInner encrypted here with the HPKE
 * context hstrace derives from an ECH_SECRET / ECH_CONFIG pair (mbedTLS GCM), decrypted by
 * trial, its ech_outer_extensions expanded from the outer hello, and a bad reference refused;
 * key share lengths per group (a short hybrid share is a violation); a large ClientHello fed
 * to the decoder in small pieces and split over two records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/trace.h"
#include "tls/decoder.h"
#include "tls/hpke.h"
#include "tls/keylog.h"
#include "tls/msg.h"

#include <mbedtls/gcm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"

/* ---- building messages ---- */

static void ext(struct buf *b, unsigned type, const struct buf *body)
{
    put16(b, type);
    put16(b, (unsigned)body->n);
    put(b, body->b, body->n);
}
static void fill(uint8_t *p, size_t n, uint8_t v)
{
    memset(p, v, n);
}

/* A key_share body with one share of `len` bytes of group g. */
static void key_share(struct buf *e, unsigned g, size_t len)
{
    struct buf ks = {0};
    uint8_t key[2000];
    fill(key, len, 0x42);
    put16(&ks, (unsigned)(len + 4));
    put16(&ks, g);
    put16(&ks, (unsigned)len);
    put(&ks, key, len);
    ext(e, 51, &ks);
}

static void sni(struct buf *e, const char *name)
{
    struct buf s = {0};
    put16(&s, (unsigned)strlen(name) + 3);
    put8(&s, 0);
    put16(&s, (unsigned)strlen(name));
    put(&s, name, strlen(name));
    ext(e, 0, &s);
}

/* A ClientHello message (header included) with these extensions; random all `rnd`, a 32-byte
 * session id of 0x55 (or none). */
static void client_hello(struct buf *m, uint8_t rnd, bool sid, const struct buf *exts)
{
    struct buf body = {0};
    uint8_t r[32];
    fill(r, 32, rnd);
    put16(&body, 0x0303);
    put(&body, r, 32);
    if (sid) {
        uint8_t s[32];
        fill(s, 32, 0x55);
        put8(&body, 32);
        put(&body, s, 32);
    } else {
        put8(&body, 0);
    }
    put16(&body, 2);
    put16(&body, 0x1301);
    put8(&body, 1);
    put8(&body, 0);
    put16(&body, (unsigned)exts->n);
    put(&body, exts->b, exts->n);
    m->n = 0;
    put8(m, 1);
    put8(m, (unsigned)(body.n >> 16));
    put16(m, (unsigned)body.n);
    put(m, body.b, body.n);
}

static void versions13(struct buf *e)
{
    struct buf v = {0};
    put8(&v, 2);
    put16(&v, 0x0304);
    ext(e, 43, &v);
}

static void groups(struct buf *e)
{
    struct buf g = {0};
    put16(&g, 4);
    put16(&g, 0x11ec);
    put16(&g, 0x001d);
    ext(e, 10, &g);
}

/* ---- decoding one message ---- */

struct one {
    struct hs_trace *t;
    struct hs_tls_state st;
    struct hs_event *ev;
    struct hs_keylog *kl;
};

static void decode(struct one *o, enum hs_side from, const struct buf *m)
{
    if (o->t == NULL)
        o->t = hs_trace_new();
    hs_event_free(o->ev);
    o->ev = hs_event_new(from, HS_LAYER_TLS, "Handshake", 0);
    struct hs_msg msg = {.st = &o->st, .trace = o->t, .ev = o->ev, .f = o->ev->fields,
                         .from = from, .name = "Handshake", .keys = o->kl};
    hs_decode_handshake(&msg, m->b, m->n);
    hs_msg_done(&msg);
}

static void one_free(struct one *o)
{
    hs_event_free(o->ev);
    hs_trace_free(o->t);
    hs_keylog_free(o->kl);
    hs_ech_free(&o->st.ech);
}

static const struct hs_field *ext_of(const struct hs_field *f, const char *type)
{
    const struct hs_field *a = hs_f_get(f, "extensions");
    for (const struct hs_field *x = a ? a->child : NULL; x; x = x->next)
        if (strcmp(hs_f_get_str(x, "type"), type) == 0)
            return x;
    return NULL;
}

static long long int_of(const struct hs_field *f, const char *key)
{
    long long v = -1;
    assert_true(hs_f_get_int(f, key, &v));
    return v;
}

/* ---- tests ---- */

static void test_outer_fields_and_hybrid_share(void **state)
{
    (void)state;
    struct buf e = {0}, m = {0}, ech = {0};
    uint8_t enc[32], payload[100];
    fill(enc, 32, 0xee);
    fill(payload, 100, 0xaa);
    put8(&ech, 0);
    put16(&ech, 1);
    put16(&ech, 3);
    put8(&ech, 9);
    put16(&ech, 32);
    put(&ech, enc, 32);
    put16(&ech, 100);
    put(&ech, payload, 100);
    sni(&e, "public.example");
    versions13(&e);
    groups(&e);
    key_share(&e, 0x11ec, 1216);
    ext(&e, 0xfe0d, &ech);
    client_hello(&m, 1, true, &e);
    struct one o = {0};
    decode(&o, HS_CLIENT, &m);
    const struct hs_field *x = ext_of(o.ev->fields, "encrypted_client_hello");
    assert_non_null(x);
    assert_string_equal(hs_f_get_str(x, "ech_type"), "outer");
    assert_string_equal(hs_f_get_str(x, "kdf"), "HKDF-SHA256");
    assert_string_equal(hs_f_get_str(x, "aead"), "ChaCha20Poly1305");
    assert_int_equal(int_of(x, "kdf_id"), 1);
    assert_int_equal(int_of(x, "aead_id"), 3);
    assert_int_equal(int_of(x, "config_id"), 9);
    assert_int_equal(int_of(x, "enc_length"), 32);
    assert_int_equal(int_of(x, "payload_length"), 100);
    assert_non_null(strstr(o.ev->summary, "ECH, outer SNI public.example"));
    const struct hs_field *ks = ext_of(o.ev->fields, "key_share");
    const struct hs_field *parts = hs_f_get(hs_f_get(ks, "shares")->child, "parts");
    assert_int_equal(hs_f_count(parts), 2);
    assert_string_equal(hs_f_get_str(parts->child, "name"), "ML-KEM-768 encapsulation key");
    assert_int_equal(int_of(parts->child, "length"), 1184);
    assert_int_equal(int_of(parts->child->next, "length"), 32);
    assert_false(o.ev->problem);
    assert_true(o.st.ech.offered);
    struct hs_field *v = hs_ech_verdict(&o.st, NULL);
    assert_string_equal(hs_f_get_str(v, "status"), "unknown");
    assert_string_equal(hs_f_get_str(v, "reason"), "real or GREASE: needs the key log");
    hs_field_free(v);
    one_free(&o);
}

static void test_share_lengths(void **state)
{
    (void)state;
    static const struct {
        unsigned group;
        size_t len;
        const char *violation; /* NULL: none */
    } cases[] = {
        {0x11ec, 1200, "X25519MLKEM768 key share of 1200 bytes: the client's is 1216 (1184 "
                       "ML-KEM-768 encapsulation key + 32 X25519)"},
        {0x11eb, 1249, NULL},
        {0x11eb, 1216, "SecP256r1MLKEM768 key share of 1216 bytes: the client's is 1249 (65 "
                       "P-256 point + 1184 ML-KEM-768 encapsulation key)"},
        {0x11ed, 1665, NULL},
        {0x0200, 800, NULL},
        {0x0202, 1568, NULL},
        {0x6399, 1216, NULL},
        {0x001d, 31, "x25519 key share of 31 bytes: the client's is 32"},
        {0x0017, 65, NULL},
        {0x1a1a, 1, NULL}, /* GREASE: not checked */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf e = {0}, m = {0};
        versions13(&e);
        key_share(&e, cases[i].group, cases[i].len);
        client_hello(&m, 2, true, &e);
        struct one o = {0};
        decode(&o, HS_CLIENT, &m);
        const struct hs_field *vs = hs_f_get(o.ev->fields, "violations");
        if (cases[i].violation) {
            assert_non_null(vs);
            assert_string_equal(vs->child->str, cases[i].violation);
            assert_true(o.ev->problem);
        } else {
            assert_null(vs);
        }
        one_free(&o);
    }
}

static void server_hello(struct buf *m, const uint8_t random[32], const struct buf *exts)
{
    struct buf body = {0};
    uint8_t s[32];
    fill(s, 32, 0x55);
    put16(&body, 0x0303);
    put(&body, random, 32);
    put8(&body, 32);
    put(&body, s, 32);
    put16(&body, 0x1301);
    put8(&body, 0);
    put16(&body, (unsigned)exts->n);
    put(&body, exts->b, exts->n);
    m->n = 0;
    put8(m, 2);
    put8(m, 0);
    put16(m, (unsigned)body.n);
    put(m, body.b, body.n);
}

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static void test_hrr_hybrid_and_confirmation(void **state)
{
    (void)state;
    struct buf e = {0}, m = {0}, ks = {0}, conf = {0}, sv = {0};
    put16(&sv, 0x0304);
    ext(&e, 43, &sv);
    put16(&ks, 0x11ec);
    ext(&e, 51, &ks);
    uint8_t c8[8];
    fill(c8, 8, 0xc8);
    put(&conf, c8, 8);
    ext(&e, 0xfe0d, &conf);
    server_hello(&m, hrr_random, &e);
    struct one o = {0};
    decode(&o, HS_SERVER, &m);
    assert_string_equal(o.ev->type, "HelloRetryRequest");
    assert_string_equal(hs_f_get_str(ext_of(o.ev->fields, "key_share"), "selected_group"),
                        "X25519MLKEM768");
    assert_string_equal(hs_f_get_str(ext_of(o.ev->fields, "encrypted_client_hello"),
                                     "confirmation"),
                        "c8c8c8c8c8c8c8c8");
    assert_non_null(strstr(o.ev->summary, "retry with X25519MLKEM768"));
    assert_non_null(strstr(o.ev->summary, "ECH confirmation"));
    assert_true(o.st.ech.hrr_confirmation);
    one_free(&o);
}

static void test_inner_marker_and_retry_configs(void **state)
{
    (void)state;
    struct buf e = {0}, m = {0}, marker = {0}, outer = {0};
    put8(&marker, 1);
    ext(&e, 0xfe0d, &marker);
    put8(&outer, 4); /* ech_outer_extensions sent in the clear: decoded as it is */
    put16(&outer, 43);
    put16(&outer, 10);
    ext(&e, 0xfd00, &outer);
    client_hello(&m, 3, false, &e);
    struct one o = {0};
    decode(&o, HS_CLIENT, &m);
    assert_string_equal(hs_f_get_str(ext_of(o.ev->fields, "encrypted_client_hello"), "ech_type"),
                        "inner");
    assert_non_null(strstr(o.ev->summary, "ECH inner"));
    const struct hs_field *oe = ext_of(o.ev->fields, "ech_outer_extensions");
    assert_non_null(oe);
    assert_string_equal(hs_f_get(oe, "outer_extensions")->child->next->str, "supported_groups");
    assert_int_equal(hs_f_get(oe, "outer_extension_ids")->child->num, 43);
    assert_int_equal(hs_f_count(hs_f_get(oe, "outer_extension_ids")), 2);
    struct hs_field *v = hs_ech_verdict(&o.st, NULL);
    assert_string_equal(hs_f_get_str(v, "status"), "inner on the wire");
    hs_field_free(v);

    /* EncryptedExtensions with retry_configs: one 0xfe0d config and one of an unknown version */
    struct buf cfg = {0}, list = {0}, ee_exts = {0}, ee = {0}, body = {0}, rc = {0};
    uint8_t pk[32];
    fill(pk, 32, 0x11);
    put8(&cfg, 7);
    put16(&cfg, 0x0020);
    put16(&cfg, 32);
    put(&cfg, pk, 32);
    put16(&cfg, 8);
    put16(&cfg, 1);
    put16(&cfg, 1);
    put16(&cfg, 1);
    put16(&cfg, 3);
    put8(&cfg, 64);
    put8(&cfg, 14);
    put(&cfg, "public.example", 14);
    put16(&cfg, 4);
    put16(&cfg, 0x8001); /* a mandatory extension, empty */
    put16(&cfg, 0);
    put16(&list, 0xfe0d);
    put16(&list, (unsigned)cfg.n);
    put(&list, cfg.b, cfg.n);
    put16(&list, 0xfe09);
    put16(&list, 2);
    put16(&list, 0);
    put16(&rc, (unsigned)list.n);
    put(&rc, list.b, list.n);
    ext(&ee_exts, 0xfe0d, &rc);
    put16(&body, (unsigned)ee_exts.n);
    put(&body, ee_exts.b, ee_exts.n);
    put8(&ee, 8);
    put8(&ee, 0);
    put16(&ee, (unsigned)body.n);
    put(&ee, body.b, body.n);
    decode(&o, HS_SERVER, &ee);
    const struct hs_field *rcs =
        hs_f_get(ext_of(o.ev->fields, "encrypted_client_hello"), "retry_configs");
    assert_int_equal(hs_f_count(rcs), 2);
    const struct hs_field *c0 = rcs->child;
    assert_string_equal(hs_f_get_str(c0, "version"), "0xfe0d");
    assert_int_equal(int_of(c0, "version_id"), 0xfe0d);
    assert_int_equal(int_of(c0, "config_id"), 7);
    assert_string_equal(hs_f_get_str(c0, "kem"), "DHKEM(X25519, HKDF-SHA256)");
    assert_int_equal(int_of(c0, "kem_id"), 0x0020);
    assert_int_equal(int_of(c0, "public_key_length"), 32);
    assert_int_equal(hs_f_count(hs_f_get(c0, "cipher_suites")), 2);
    assert_string_equal(hs_f_get_str(hs_f_get(c0, "cipher_suites")->child->next, "aead"),
                        "ChaCha20Poly1305");
    assert_int_equal(int_of(c0, "maximum_name_length"), 64);
    assert_string_equal(hs_f_get_str(c0, "public_name"), "public.example");
    assert_int_equal(hs_f_get(hs_f_get(c0, "extensions")->child, "mandatory")->num, 1);
    assert_int_equal(int_of(hs_f_get(c0, "extensions")->child, "id") & 0x8000, 0x8000);
    assert_string_equal(hs_f_get_str(rcs->child->next, "version"), "0xfe09");
    assert_true(o.st.ech.retry_configs);
    one_free(&o);
}

/* ---- decryption ---- */

#define SECRET_HEX "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc"

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* An outer hello whose payload is the EncodedClientHelloInner `inner` (no header), sealed with
 * the context of (secret, config); the key log gets the lines keyed by inner_random. */
static void sealed_outer(struct buf *m, const struct buf *inner, const uint8_t inner_random[32],
                         struct hs_keylog *kl, bool add_lines)
{
    struct buf cfg = {0}, contents = {0};
    uint8_t pk[32];
    fill(pk, 32, 0x11);
    put8(&contents, 5);
    put16(&contents, 0x0020);
    put16(&contents, 32);
    put(&contents, pk, 32);
    put16(&contents, 4);
    put16(&contents, 1);
    put16(&contents, 1);
    put8(&contents, 0);
    put8(&contents, 14);
    put(&contents, "public.example", 14);
    put16(&contents, 0);
    put16(&cfg, 0xfe0d);
    put16(&cfg, (unsigned)contents.n);
    put(&cfg, contents.b, contents.n);

    /* the outer hello with a zero payload of the right size (ciphertext + 16-byte tag) */
    size_t plen = inner->n + 16;
    struct buf e = {0}, ech = {0};
    uint8_t enc[32], zero[1024] = {0};
    fill(enc, 32, 0xee);
    put8(&ech, 0);
    put16(&ech, 1);
    put16(&ech, 1);
    put8(&ech, 5);
    put16(&ech, 32);
    put(&ech, enc, 32);
    put16(&ech, (unsigned)plen);
    put(&ech, zero, plen);
    sni(&e, "public.example");
    versions13(&e);
    groups(&e);
    key_share(&e, 0x001d, 32);
    ext(&e, 0xfe0d, &ech);
    client_hello(m, 0x0f, true, &e);

    uint8_t secret[32], info[8 + 256];
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(SECRET_HEX + 2 * i, "%2x", &v);
        secret[i] = (uint8_t)v;
    }
    memcpy(info, "tls ech", 8);
    memcpy(info + 8, cfg.b, cfg.n);
    struct hs_hpke_ctx cx;
    assert_int_equal(hs_hpke_setup(&cx, 0x0020, 1, 1, secret, 32, info, 8 + cfg.n), HS_OK);
    mbedtls_gcm_context g;
    mbedtls_gcm_init(&g);
    assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, cx.key, 128), 0);
    size_t poff = m->n - plen;
    uint8_t *ct = m->b + poff;
    /* AAD: the hello body with the payload zero (as it is now) */
    assert_int_equal(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, inner->n, cx.base_nonce,
                                               12, m->b + 4, m->n - 4, inner->b, ct, 16,
                                               ct + inner->n),
                     0);
    mbedtls_gcm_free(&g);
    if (add_lines) {
        char line[1200], rh[65], vh[600];
        hex(rh, inner_random, 32);
        snprintf(line, sizeof line, "ECH_SECRET %s %s", rh, SECRET_HEX);
        assert_int_equal(hs_keylog_parse_line(kl, line, strlen(line)), HS_OK);
        hex(vh, cfg.b, cfg.n);
        snprintf(line, sizeof line, "ECH_CONFIG %s %s", rh, vh);
        assert_int_equal(hs_keylog_parse_line(kl, line, strlen(line)), HS_OK);
    }
}

/* EncodedClientHelloInner: random 0x1e, empty session id, SNI secret.example, the inner
 * marker, ech_outer_extensions naming `refs`, then `pad` zero bytes. */
static void encoded_inner(struct buf *out, const uint16_t *refs, size_t nrefs, size_t pad)
{
    struct buf e = {0}, m = {0}, marker = {0}, outer = {0};
    sni(&e, "secret.example");
    put8(&marker, 1);
    ext(&e, 0xfe0d, &marker);
    put8(&outer, (unsigned)(2 * nrefs));
    for (size_t i = 0; i < nrefs; i++)
        put16(&outer, refs[i]);
    ext(&e, 0xfd00, &outer);
    client_hello(&m, 0x1e, false, &e);
    out->n = 0;
    put(out, m.b + 4, m.n - 4);
    uint8_t zero[64] = {0};
    put(out, zero, pad);
}

static void test_decrypt_inner(void **state)
{
    (void)state;
    uint8_t inner_random[32], other[32];
    fill(inner_random, 32, 0x1e);
    fill(other, 32, 0x77);
    static const uint16_t refs[] = {43, 10, 51}; /* versions, supported_groups, key_share */
    struct buf inner = {0}, m = {0};
    encoded_inner(&inner, refs, 3, 20);
    struct one o = {0};
    o.kl = hs_keylog_new();
    /* a first entry for another random and config id: tried and passed over */
    uint8_t secret_other[32];
    fill(secret_other, 32, 3);
    assert_int_equal(hs_keylog_add_ech(o.kl, false, other, secret_other, 32), HS_OK);
    sealed_outer(&m, &inner, inner_random, o.kl, true);
    decode(&o, HS_CLIENT, &m);
    const struct hs_field *in = hs_f_get(o.ev->fields, "client_hello_inner");
    assert_non_null(in);
    assert_null(hs_f_get(o.ev->fields, "ech_inner_not_decrypted"));
    /* the inner hello with the outer's session id and the referenced extensions, in order */
    assert_string_equal(hs_f_get_str(in, "session_id"),
                        "5555555555555555555555555555555555555555555555555555555555555555");
    const char *want[] = {"server_name", "encrypted_client_hello", "supported_versions",
                          "supported_groups", "key_share"};
    const struct hs_field *x = hs_f_get(in, "extensions")->child;
    for (size_t i = 0; i < 5; i++, x = x->next) {
        assert_non_null(x);
        assert_string_equal(hs_f_get_str(x, "type"), want[i]);
    }
    assert_null(x);
    assert_true(o.st.ech.decrypted);
    assert_string_equal(o.st.ech.inner_sni, "secret.example");
    assert_int_equal(o.st.ech.key_ordinal, 2);
    assert_memory_equal(o.st.ech.inner_random, inner_random, 32);
    assert_non_null(strstr(o.ev->summary, "outer SNI public.example, inner SNI secret.example"));
    assert_int_equal(o.st.ech.inner_offer.ngroups, 2);
    struct hs_field *v = hs_ech_verdict(&o.st, o.kl);
    assert_string_equal(hs_f_get_str(v, "status"), "decrypted");
    assert_string_equal(hs_f_get_str(v, "inner_sni"), "secret.example");
    hs_field_free(v);

    /* a ServerHello whose random does not carry the confirmation: rejected */
    struct buf sh = {0}, she = {0}, sv = {0}, ks = {0};
    uint8_t r[32], k[32];
    fill(r, 32, 0x99);
    fill(k, 32, 0x33);
    put16(&sv, 0x0304);
    ext(&she, 43, &sv);
    put16(&ks, 0x001d);
    put16(&ks, 32);
    put(&ks, k, 32);
    ext(&she, 51, &ks);
    server_hello(&sh, r, &she);
    decode(&o, HS_SERVER, &sh);
    assert_int_equal(o.st.ech.accepted, 0);
    assert_non_null(strstr(o.ev->summary, "ECH rejected"));
    v = hs_ech_verdict(&o.st, o.kl);
    assert_string_equal(hs_f_get_str(v, "status"), "rejected");
    hs_field_free(v);
    one_free(&o);
}

static void test_decrypt_bad_reference(void **state)
{
    (void)state;
    uint8_t inner_random[32];
    fill(inner_random, 32, 0x1e);
    static const uint16_t refs[] = {51, 10}; /* out of the outer's order */
    struct buf inner = {0}, m = {0};
    encoded_inner(&inner, refs, 2, 0);
    struct one o = {0};
    o.kl = hs_keylog_new();
    sealed_outer(&m, &inner, inner_random, o.kl, true);
    decode(&o, HS_CLIENT, &m);
    assert_null(hs_f_get(o.ev->fields, "client_hello_inner"));
    assert_string_equal(hs_f_get_str(o.ev->fields, "ech_inner_not_decoded"),
                        "ech_outer_extensions names 0x000a, not in the ClientHelloOuter (in "
                        "that order)");
    assert_true(o.ev->problem);
    one_free(&o);

    /* no ECH lines matching: said so */
    struct one p = {0};
    p.kl = hs_keylog_new();
    uint8_t s[32];
    fill(s, 32, 1);
    assert_int_equal(hs_keylog_add_ech(p.kl, false, inner_random, s, 32), HS_OK);
    sealed_outer(&m, &inner, inner_random, p.kl, false);
    decode(&p, HS_CLIENT, &m);
    assert_string_equal(hs_f_get_str(p.ev->fields, "ech_inner_not_decrypted"),
                        "the key log has no ECH_SECRET with an ECH_CONFIG of config id 5");
    one_free(&p);
}

/* Garbled EncodedClientHelloInners (a valid one with bytes changed, or cut), sealed so that
 * they decrypt: each is either decoded or refused with a reason, never read out of bounds. */
static void test_decrypt_garbled_inner(void **state)
{
    (void)state;
    uint8_t inner_random[32];
    fill(inner_random, 32, 0x1e);
    static const uint16_t refs[] = {43, 10, 51};
    uint32_t x = 12345;
    for (int i = 0; i < 300; i++) {
        struct buf inner = {0}, m = {0};
        encoded_inner(&inner, refs, 3, (size_t)(i % 5));
        for (int k = 0; k < 1 + i % 4; k++) {
            x = x * 1103515245u + 12345u;
            inner.b[(x >> 8) % inner.n] = (uint8_t)(x >> 20);
        }
        if (i % 7 == 0)
            inner.n = 1 + (x >> 4) % inner.n;
        struct one o = {0};
        o.kl = hs_keylog_new();
        sealed_outer(&m, &inner, inner_random, o.kl, true);
        decode(&o, HS_CLIENT, &m);
        bool decoded = hs_f_get(o.ev->fields, "client_hello_inner") != NULL;
        bool refused = hs_f_get(o.ev->fields, "ech_inner_not_decoded") != NULL;
        assert_true(decoded != refused);
        one_free(&o);
    }
}

/* A 1.3 ClientHello with a 1216-byte hybrid share, fed as records in pieces. */
static void test_large_hello_in_pieces(void **state)
{
    (void)state;
    struct buf e = {0}, m = {0};
    sni(&e, "pieces.example");
    versions13(&e);
    groups(&e);
    key_share(&e, 0x11ec, 1216);
    client_hello(&m, 4, true, &e);
    for (int split_records = 0; split_records < 2; split_records++) {
        struct buf wire = {0};
        size_t cut = split_records ? 700 : m.n;
        for (size_t off = 0; off < m.n; off += cut) {
            size_t k = m.n - off < cut ? m.n - off : cut;
            put8(&wire, 22);
            put16(&wire, 0x0301);
            put16(&wire, (unsigned)k);
            put(&wire, m.b + off, k);
        }
        struct hs_trace *t = hs_trace_new();
        struct hs_decoder *d = hs_decoder_new(t, NULL);
        for (size_t off = 0; off < wire.n; off += 100) {
            size_t k = wire.n - off < 100 ? wire.n - off : 100;
            hs_decoder_feed(d, HS_CLIENT, 0, wire.b + off, k, off / 100 + 1);
        }
        hs_decoder_finish(d, 1);
        struct hs_event *ev = t->first;
        while (ev && strcmp(ev->type, "ClientHello") != 0)
            ev = ev->next;
        assert_non_null(ev);
        assert_false(ev->problem);
        const struct hs_field *ks = ext_of(ev->fields, "key_share");
        const struct hs_field *s0 = hs_f_get(ks, "shares")->child;
        assert_int_equal(int_of(s0, "key_length"), 1216);
        assert_int_equal(hs_f_count(hs_f_get(s0, "parts")), 2);
        assert_string_equal(t->sni, "pieces.example");
        hs_decoder_free(d);
        hs_trace_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outer_fields_and_hybrid_share),
        cmocka_unit_test(test_share_lengths),
        cmocka_unit_test(test_hrr_hybrid_and_confirmation),
        cmocka_unit_test(test_inner_marker_and_retry_configs),
        cmocka_unit_test(test_decrypt_inner),
        cmocka_unit_test(test_decrypt_bad_reference),
        cmocka_unit_test(test_decrypt_garbled_inner),
        cmocka_unit_test(test_large_hello_in_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
