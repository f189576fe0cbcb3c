/* The handshake messages after the hellos (RFC 8446 4.3-4.6, RFC 5246 7.4, RFC 6066 8,
 * RFC 8879), alerts and ChangeCipherSpec.  Each fills fields and a one-line summary. */
#include "msg.h"

#include "certcomp.h"

#include "../core/mem.h"
#include "names.h"
#include "suites.h"
#include "x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ(expr, what)                                                                      \
    do {                                                                                      \
        size_t at_ = c->off;                                                                  \
        int r_ = (expr);                                                                      \
        if (r_ != HS_OK) {                                                                    \
            hs_msg_fail(m, (what), r_, at_);                                                  \
            return;                                                                           \
        }                                                                                     \
    } while (0)

static bool is_tls13(const struct hs_msg *m) { return m->st->version == 0x0304; }

/* TLS 1.2 signatures carry a scheme; 1.0/1.1 ones do not. */
static bool has_sig_scheme(const struct hs_msg *m) { return m->st->version != 0x0301 &&
                                                            m->st->version != 0x0302 &&
                                                            m->st->version != 0x0300; }

static void trailing(struct hs_msg *m, struct hs_cur *c)
{
    if (hs_cur_left(c) > 0) {
        hs_f_int(m->f, "trailing_bytes", (long long)hs_cur_left(c));
        hs_msg_fail(m, "end", HS_ERR_INVALID, c->off);
    }
}

static void hex_prefix(struct hs_msg *m, const uint8_t *p, size_t n, size_t max)
{
    for (size_t i = 0; i < n && i < max; i++)
        hs_msg_sum(m, "%02x", p[i]);
    if (n > max)
        hs_msg_sum(m, "…");
}

/* ---- EncryptedExtensions ---- */

static void encrypted_extensions(struct hs_msg *m, struct hs_cur *c)
{
    struct hs_ext_info info = {0};
    if (hs_decode_extensions(m, c, HS_EXT_EE, m->f, &info) == HS_OK)
        trailing(m, c);
    if (info.early_data)
        m->st->server_early_accepted = true;
    if (info.nalpn > 0) {
        free(m->trace->alpn);
        m->trace->alpn = hs_xstrdup(info.alpn);
        hs_msg_sum(m, "ALPN %s", info.alpn);
    }
    const struct hs_field *arr = hs_f_get(m->f, "extensions");
    unsigned shown = 0;
    for (const struct hs_field *e = arr ? arr->child : NULL; e; e = e->next) {
        const char *t = hs_f_get_str(e, "type");
        if (t == NULL || strcmp(t, "application_layer_protocol_negotiation") == 0)
            continue;
        if (shown == 5) {
            hs_msg_sum(m, ", …");
            break;
        }
        hs_msg_sum(m, "%s%s", m->sumlen ? ", " : "", t);
        shown++;
    }
    if (m->sumlen == 0)
        hs_msg_sum(m, "no extensions");
}

/* ---- Certificate ---- */

/* "CN=x" out of a subject string, or the whole subject. */
static void sum_subject(struct hs_msg *m, const char *subject)
{
    if (subject == NULL) {
        hs_msg_sum(m, "?");
        return;
    }
    const char *cn = strstr(subject, "CN=");
    while (cn && cn != subject && !(cn[-1] == ' ' && cn - subject >= 2 && cn[-2] == ','))
        cn = strstr(cn + 1, "CN=");
    if (cn == NULL) {
        hs_msg_sum(m, "%.80s", subject[0] ? subject : "(empty subject)");
        return;
    }
    size_t len = strcspn(cn, ",");
    hs_msg_sum(m, "%.*s", (int)(len > 80 ? 80 : len), cn);
}

static void certificate(struct hs_msg *m, struct hs_cur *c)
{
    bool tls13 = is_tls13(m);
    struct hs_cur ctx, list;
    if (tls13) {
        READ(hs_cur_vec(c, 1, 0, 0xff, &ctx), "certificate_request_context");
        hs_f_hex(m->f, "request_context", hs_cur_ptr(&ctx), hs_cur_left(&ctx));
    }
    struct hs_field *certs = hs_f_arr(m->f, "certificates");
    unsigned count = 0;
    size_t at = c->off;
    int r = hs_cur_vec(c, 3, 0, 0xffffff, &list);
    if (r != HS_OK) {
        hs_msg_fail(m, "certificate_list", r, at);
        list = *c; /* summarise what is there */
        c->off = c->end;
    }
    while (hs_cur_left(&list) > 0) {
        struct hs_cur der;
        at = list.off;
        r = hs_cur_vec(&list, 3, 1, 0xffffff, &der);
        if (r != HS_OK) {
            hs_msg_fail(m, "certificate_list", r, at);
            break;
        }
        if (count < HS_MAX_CHAIN_SUMMARY) {
            struct hs_field *s = hs_x509_summary(hs_cur_ptr(&der), hs_cur_left(&der));
            hs_f_span(s, at, der.end - at);
            hs_f_int(s, "length", (long long)hs_cur_left(&der));
            hs_f_attach(certs, NULL, s);
            if (tls13) {
                struct hs_ext_info info = {0};
                if (hs_decode_extensions(m, &list, HS_EXT_CERT, s, &info) != HS_OK)
                    break;
            }
        } else if (tls13) {
            struct hs_cur skip;
            if (hs_cur_vec(&list, 2, 0, 0xffff, &skip) != HS_OK) {
                hs_msg_fail(m, "certificate_list", HS_ERR_INVALID, list.off);
                break;
            }
        }
        count++;
    }
    hs_f_int(m->f, "count", count);
    if (count > HS_MAX_CHAIN_SUMMARY)
        hs_f_int(m->f, "not_summarised", count - HS_MAX_CHAIN_SUMMARY);
    trailing(m, c);

    if (count == 0) {
        hs_msg_sum(m, "no certificate");
    } else {
        hs_msg_sum(m, "%u cert%s: ", count, count == 1 ? "" : "s");
        unsigned i = 0;
        for (const struct hs_field *s = certs->child; s && i < 4; s = s->next, i++) {
            if (i)
                hs_msg_sum(m, " ← ");
            sum_subject(m, hs_f_get_str(s, "subject"));
        }
        if (count > 4)
            hs_msg_sum(m, " ← …");
    }
    if (m->from == HS_SERVER && count > 0) {
        m->st->server_certificate = true;
        hs_field_free(m->trace->chain);
        m->trace->chain = hs_field_clone(certs);
        hs_f_attach(NULL, NULL, m->trace->chain); /* a root: no name */
        m->trace->chain->off = m->trace->chain->len = 0;
    }
}

/* Field spans of a subtree decoded from other bytes than the message's (decompressed). */
static void clear_spans(struct hs_field *f, int depth)
{
    f->off = f->len = 0;
    if (depth < 32)
        for (struct hs_field *c = f->child; c; c = c->next)
            clear_spans(c, depth + 1);
}

/* RFC 8879: decompressed (bounded by the message limit), then decoded as the Certificate it
 * stands for, under "certificate". */
static void compressed_certificate(struct hs_msg *m, struct hs_cur *c)
{
    uint16_t alg;
    uint32_t ulen;
    struct hs_cur data;
    READ(hs_cur_u16(c, &alg), "algorithm");
    const char *name = hs_certcomp_name(alg);
    if (name)
        hs_f_str(m->f, "algorithm", name);
    else
        hs_f_fmt(m->f, "algorithm", "0x%04x", alg);
    hs_f_int(m->f, "algorithm_id", alg);
    READ(hs_cur_u24(c, &ulen), "uncompressed_length");
    hs_f_int(m->f, "uncompressed_length", ulen);
    READ(hs_cur_vec(c, 3, 1, 0xffffff, &data), "compressed_certificate_message");
    hs_f_int(m->f, "compressed_length", (long long)hs_cur_left(&data));
    trailing(m, c);
    if (m->from == HS_SERVER)
        m->st->server_certificate = true;
    const char *why = NULL;
    if (name == NULL) {
        why = "unknown algorithm";
    } else if (ulen > HS_MAX_HANDSHAKE_MSG) {
        why = "uncompressed_length over the message limit";
    } else {
        uint8_t *out = hs_xmalloc(ulen ? ulen : 1);
        enum hs_certcomp_result r =
            hs_certcomp_decompress(alg, hs_cur_ptr(&data), hs_cur_left(&data), out, ulen);
        if (r == HS_CERTCOMP_OK) {
            hs_msg_sum(m, "%s %zu → %u bytes, ", name, hs_cur_left(&data), ulen);
            struct hs_field *whole = m->f;
            m->f = hs_f_obj(whole, "certificate");
            struct hs_cur cert = hs_cur_make(out, ulen);
            certificate(m, &cert);
            clear_spans(m->f, 0);
            m->f = whole;
        } else {
            /* RFC 8879 4: the receiver must abort with bad_certificate. */
            hs_f_str(m->f, "not_decompressed", hs_certcomp_result_text(r));
            hs_msg_sum(m, "%s, %zu bytes (%u uncompressed)", name, hs_cur_left(&data), ulen);
            hs_msg_violation(m, "the %s data does not decompress: %s", name,
                             hs_certcomp_result_text(r));
        }
        free(out);
    }
    if (why) {
        hs_f_str(m->f, "not_decompressed", why);
        hs_msg_sum(m, "%s, %zu bytes (%u uncompressed), not decompressed: %s",
                   name ? name : "unknown", hs_cur_left(&data), ulen, why);
    }
}

/* ---- CertificateRequest ---- */

static const char *cert_type_name(uint8_t v)
{
    switch (v) {
    case 1: return "rsa_sign";
    case 2: return "dss_sign";
    case 3: return "rsa_fixed_dh";
    case 4: return "dss_fixed_dh";
    case 64: return "ecdsa_sign";
    case 65: return "rsa_fixed_ecdh";
    case 66: return "ecdsa_fixed_ecdh";
    default: return NULL;
    }
}

/* What the server accepts: how many signature algorithms, and which CAs by name. */
static void request_summary(struct hs_msg *m, const struct hs_field *cas, unsigned ncas,
                            unsigned nalgs)
{
    hs_msg_sum(m, "client certificate requested, %u signature algorithm%s", nalgs,
               nalgs == 1 ? "" : "s");
    if (ncas == 0) {
        hs_msg_sum(m, ", no CA names");
        return;
    }
    hs_msg_sum(m, ", CA%s: ", ncas == 1 ? "" : "s");
    unsigned i = 0;
    for (const struct hs_field *f = cas ? cas->child : NULL; f && i < 2; f = f->next, i++)
        hs_msg_sum(m, "%s%.80s", i ? "; " : "", f->str);
    if (ncas > i)
        hs_msg_sum(m, " (+%u more)", ncas - i);
}

/* TLS 1.3: the signature algorithms and CA names are extensions. */
static void request_summary13(struct hs_msg *m)
{
    const struct hs_field *exts = hs_f_get(m->f, "extensions");
    const struct hs_field *cas = NULL;
    long long ncas = 0;
    size_t nalgs = 0;
    for (const struct hs_field *e = exts ? exts->child : NULL; e; e = e->next) {
        const char *type = hs_f_get_str(e, "type");
        if (type && strcmp(type, "signature_algorithms") == 0)
            nalgs = hs_f_count(hs_f_get(e, "schemes"));
        if (type && strcmp(type, "certificate_authorities") == 0 &&
            hs_f_get_int(e, "count", &ncas))
            cas = hs_f_get(e, "authorities");
    }
    request_summary(m, cas, (unsigned)ncas, (unsigned)nalgs);
}

static void certificate_request(struct hs_msg *m, struct hs_cur *c)
{
    char buf[48];
    if (is_tls13(m)) {
        struct hs_cur ctx;
        struct hs_ext_info info = {0};
        READ(hs_cur_vec(c, 1, 0, 0xff, &ctx), "certificate_request_context");
        hs_f_hex(m->f, "request_context", hs_cur_ptr(&ctx), hs_cur_left(&ctx));
        if (hs_decode_extensions(m, c, HS_EXT_CR, m->f, &info) == HS_OK)
            trailing(m, c);
        request_summary13(m);
        return;
    }
    struct hs_cur types, algs, cas;
    READ(hs_cur_vec(c, 1, 1, 0xff, &types), "certificate_types");
    struct hs_field *a = hs_f_arr(m->f, "certificate_types");
    struct hs_field *ids = hs_f_arr(m->f, "certificate_type_ids");
    while (hs_cur_left(&types) > 0) {
        uint8_t t = types.buf[types.off++];
        const char *s = cert_type_name(t);
        if (s)
            hs_f_str(a, NULL, s);
        else
            hs_f_fmt(a, NULL, "%u", t);
        hs_f_int(ids, NULL, t);
    }
    unsigned nalgs = 0;
    if (has_sig_scheme(m)) {
        READ(hs_cur_vec(c, 2, 2, 0xfffe, &algs), "supported_signature_algorithms");
        a = hs_f_arr(m->f, "signature_algorithms");
        ids = hs_f_arr(m->f, "signature_algorithm_ids");
        while (hs_cur_left(&algs) >= 2) {
            uint16_t v = (uint16_t)(algs.buf[algs.off] << 8 | algs.buf[algs.off + 1]);
            algs.off += 2;
            if (nalgs++ < HS_MAX_LIST_ITEMS) {
                hs_f_str(a, NULL, hs_fmt_sigscheme(v, buf, sizeof buf));
                hs_f_int(ids, NULL, v);
            }
        }
    }
    READ(hs_cur_vec(c, 2, 0, 0xffff, &cas), "certificate_authorities");
    a = hs_f_arr(m->f, "certificate_authorities");
    unsigned ncas;
    size_t at;
    if (hs_decode_dn_list(&cas, a, &ncas, &at) != HS_OK)
        hs_msg_fail(m, "certificate_authorities", HS_ERR_INVALID, at);
    trailing(m, c);
    request_summary(m, a, ncas, nalgs);
}

/* ---- CertificateVerify, and the signature of ServerKeyExchange ---- */

static int signature(struct hs_msg *m, struct hs_cur *c, bool scheme)
{
    char buf[48];
    uint16_t s = 0;
    struct hs_cur sig;
    size_t at = c->off;
    if (scheme) {
        int r = hs_cur_u16(c, &s);
        if (r != HS_OK) {
            hs_msg_fail(m, "signature_scheme", r, at);
            return r;
        }
        hs_f_span(hs_f_str(m->f, "signature_scheme", hs_fmt_sigscheme(s, buf, sizeof buf)), at, 2);
        hs_f_span(hs_f_int(m->f, "signature_scheme_id", s), at, 2);
    }
    at = c->off;
    int r = hs_cur_vec(c, 2, 0, 0xffff, &sig);
    if (r != HS_OK) {
        hs_msg_fail(m, "signature", r, at);
        return r;
    }
    hs_f_int(m->f, "signature_length", (long long)hs_cur_left(&sig));
    if (scheme)
        hs_msg_sum(m, "%s, ", hs_fmt_sigscheme(s, buf, sizeof buf));
    hs_msg_sum(m, "%zu-byte signature", hs_cur_left(&sig));
    return HS_OK;
}

static void certificate_verify(struct hs_msg *m, struct hs_cur *c)
{
    if (signature(m, c, is_tls13(m) || has_sig_scheme(m)) == HS_OK)
        trailing(m, c);
}

/* ---- ServerKeyExchange / ClientKeyExchange (TLS 1.2 and below) ---- */

enum kx { KX_UNKNOWN, KX_ECDHE, KX_DHE, KX_RSA, KX_PSK, KX_ECDHE_PSK, KX_DHE_PSK, KX_RSA_PSK };

static enum kx suite_kx(const struct hs_msg *m, bool *signed_params)
{
    const struct hs_suite *s = hs_suite_find(m->st->suite);
    *signed_params = true;
    if (s == NULL || s->kx == NULL)
        return KX_UNKNOWN;
    const char *k = s->kx;
    if (strstr(k, "anon"))
        *signed_params = false;
    if (strstr(k, "PSK")) {
        *signed_params = false;
        if (strncmp(k, "ECDHE", 5) == 0)
            return KX_ECDHE_PSK;
        if (strncmp(k, "DHE", 3) == 0)
            return KX_DHE_PSK;
        if (strncmp(k, "RSA", 3) == 0)
            return KX_RSA_PSK;
        return KX_PSK;
    }
    if (strncmp(k, "ECDH", 4) == 0)
        return KX_ECDHE;
    if (strncmp(k, "DH", 2) == 0)
        return KX_DHE;
    if (strncmp(k, "RSA", 3) == 0)
        return KX_RSA;
    return KX_UNKNOWN;
}

static unsigned bits_of(const uint8_t *p, size_t n)
{
    while (n > 0 && *p == 0) {
        p++;
        n--;
    }
    if (n == 0)
        return 0;
    unsigned bits = (unsigned)(n - 1) * 8;
    for (uint8_t b = *p; b; b >>= 1)
        bits++;
    return bits;
}

static void psk_hint(struct hs_msg *m, struct hs_cur *c, const char *key)
{
    struct hs_cur hint;
    READ(hs_cur_vec(c, 2, 0, 0xffff, &hint), key);
    hs_f_text(m->f, key, hs_cur_ptr(&hint), hs_cur_left(&hint));
}

static void server_key_exchange(struct hs_msg *m, struct hs_cur *c)
{
    char buf[48];
    bool signed_params;
    enum kx kx = suite_kx(m, &signed_params);
    if (kx == KX_UNKNOWN)
        kx = hs_cur_left(c) > 0 && c->buf[c->off] == 3 ? KX_ECDHE : KX_DHE;
    if (kx == KX_PSK || kx == KX_ECDHE_PSK || kx == KX_DHE_PSK || kx == KX_RSA_PSK) {
        psk_hint(m, c, "psk_identity_hint");
        if (m->err[0])
            return;
        if (kx == KX_PSK || kx == KX_RSA_PSK) {
            trailing(m, c);
            hs_msg_sum(m, "PSK identity hint");
            return;
        }
        kx = kx == KX_ECDHE_PSK ? KX_ECDHE : KX_DHE;
    }
    if (kx == KX_ECDHE) {
        uint8_t type;
        struct hs_cur point;
        READ(hs_cur_u8(c, &type), "curve_type");
        if (type != 3) {
            hs_f_str(m->f, "curve_type", type == 1 ? "explicit_prime" : type == 2 ? "explicit_char2" : "unknown");
            hs_msg_fail(m, "curve_type", HS_ERR_UNSUPPORTED, c->off - 1);
            hs_msg_sum(m, "explicit curve parameters");
            return;
        }
        uint16_t g;
        READ(hs_cur_u16(c, &g), "named_curve");
        const char *gname = hs_fmt_group(g, buf, sizeof buf);
        hs_f_span(hs_f_str(m->f, "group", gname), c->off - 2, 2);
        hs_f_span(hs_f_int(m->f, "group_id", g), c->off - 2, 2);
        snprintf(m->trace->group, sizeof m->trace->group, "%s", gname);
        m->trace->group_id = g;
        READ(hs_cur_vec(c, 1, 1, 0xff, &point), "public");
        hs_f_int(m->f, "public_key_length", (long long)hs_cur_left(&point));
        hs_f_span(hs_f_hex(m->f, "public_key", hs_cur_ptr(&point), hs_cur_left(&point)), point.off,
                  hs_cur_left(&point));
        hs_msg_sum(m, "%s, %zu-byte public key", gname, hs_cur_left(&point));
    } else if (kx == KX_DHE) {
        struct hs_cur dp, dg, ys;
        READ(hs_cur_vec(c, 2, 1, 0xffff, &dp), "dh_p");
        READ(hs_cur_vec(c, 2, 1, 0xffff, &dg), "dh_g");
        READ(hs_cur_vec(c, 2, 1, 0xffff, &ys), "dh_Ys");
        unsigned pbits = bits_of(hs_cur_ptr(&dp), hs_cur_left(&dp));
        hs_f_int(m->f, "dh_p_bits", pbits);
        hs_f_int(m->f, "dh_g_length", (long long)hs_cur_left(&dg));
        hs_f_int(m->f, "public_key_length", (long long)hs_cur_left(&ys));
        snprintf(m->trace->group, sizeof m->trace->group, "DHE %u-bit", pbits);
        m->trace->group_id = -1;
        hs_msg_sum(m, "DHE %u-bit prime, %zu-byte public key", pbits, hs_cur_left(&ys));
    } else if (kx == KX_RSA) {
        struct hs_cur mod, exp;
        READ(hs_cur_vec(c, 2, 1, 0xffff, &mod), "rsa_modulus");
        READ(hs_cur_vec(c, 2, 1, 0xffff, &exp), "rsa_exponent");
        unsigned bits = bits_of(hs_cur_ptr(&mod), hs_cur_left(&mod));
        hs_f_int(m->f, "rsa_modulus_bits", bits);
        hs_f_int(m->f, "rsa_exponent_length", (long long)hs_cur_left(&exp));
        hs_msg_sum(m, "temporary RSA %u-bit key (export)", bits);
    }
    if (signed_params && hs_cur_left(c) > 0) {
        hs_msg_sum(m, ", ");
        if (signature(m, c, has_sig_scheme(m)) != HS_OK)
            return;
    }
    trailing(m, c);
}

static void client_key_exchange(struct hs_msg *m, struct hs_cur *c)
{
    bool signed_params;
    enum kx kx = suite_kx(m, &signed_params);
    size_t left = hs_cur_left(c);
    if (kx == KX_UNKNOWN && left > 0) {
        if ((size_t)c->buf[c->off] + 1 == left)
            kx = KX_ECDHE;
        else if (left >= 2 && ((size_t)c->buf[c->off] << 8 | c->buf[c->off + 1]) + 2 == left)
            kx = KX_RSA;
    }
    if (kx == KX_PSK || kx == KX_ECDHE_PSK || kx == KX_DHE_PSK || kx == KX_RSA_PSK) {
        psk_hint(m, c, "psk_identity");
        if (m->err[0])
            return;
        hs_msg_sum(m, "PSK identity");
        if (kx == KX_PSK) {
            trailing(m, c);
            return;
        }
        hs_msg_sum(m, ", ");
        kx = kx == KX_ECDHE_PSK ? KX_ECDHE : kx == KX_DHE_PSK ? KX_DHE : KX_RSA;
    }
    struct hs_cur v;
    if (kx == KX_ECDHE) {
        READ(hs_cur_vec(c, 1, 0, 0xff, &v), "ecdh_Yc");
        hs_f_int(m->f, "public_key_length", (long long)hs_cur_left(&v));
        hs_f_span(hs_f_hex(m->f, "public_key", hs_cur_ptr(&v), hs_cur_left(&v)), v.off,
                  hs_cur_left(&v));
        hs_msg_sum(m, "%zu-byte ECDHE public key", hs_cur_left(&v));
    } else if (kx == KX_DHE) {
        READ(hs_cur_vec(c, 2, 0, 0xffff, &v), "dh_Yc");
        hs_f_int(m->f, "public_key_length", (long long)hs_cur_left(&v));
        hs_msg_sum(m, "%zu-byte DHE public key", hs_cur_left(&v));
    } else if (kx == KX_RSA) {
        if (m->st->version == 0x0300) {
            v = *c; /* SSL 3.0: no length prefix */
            c->off = c->end;
        } else {
            READ(hs_cur_vec(c, 2, 0, 0xffff, &v), "encrypted_pre_master_secret");
        }
        hs_f_int(m->f, "encrypted_premaster_length", (long long)hs_cur_left(&v));
        hs_msg_sum(m, "%zu-byte RSA-encrypted premaster secret", hs_cur_left(&v));
    } else {
        hs_f_int(m->f, "exchange_keys_length", (long long)left);
        hs_msg_sum(m, "%zu bytes of key exchange", left);
        c->off = c->end;
    }
    trailing(m, c);
}

/* ---- Finished, NewSessionTicket, KeyUpdate, CertificateStatus, others ---- */

static void finished(struct hs_msg *m, struct hs_cur *c)
{
    size_t n = hs_cur_left(c);
    hs_f_span(hs_f_hex(m->f, "verify_data", hs_cur_ptr(c), n), c->off, n);
    hs_msg_sum(m, "verify_data ");
    hex_prefix(m, hs_cur_ptr(c), n, 8);
    if (n == 0)
        hs_msg_fail(m, "verify_data", HS_ERR_INVALID, c->off);
    m->st->finished[m->from] = true;
    c->off = c->end;
}

static void new_session_ticket(struct hs_msg *m, struct hs_cur *c)
{
    uint32_t lifetime, age_add;
    struct hs_cur nonce, ticket;
    READ(hs_cur_u32(c, &lifetime), "ticket_lifetime");
    hs_f_int(m->f, "lifetime", lifetime);
    if (!is_tls13(m)) {
        READ(hs_cur_vec(c, 2, 0, 0xffff, &ticket), "ticket");
        hs_f_int(m->f, "ticket_length", (long long)hs_cur_left(&ticket));
        trailing(m, c);
        hs_msg_sum(m, "lifetime hint %u s, %zu-byte ticket", lifetime, hs_cur_left(&ticket));
        return;
    }
    READ(hs_cur_u32(c, &age_add), "ticket_age_add");
    hs_f_int(m->f, "age_add", age_add);
    READ(hs_cur_vec(c, 1, 0, 0xff, &nonce), "ticket_nonce");
    hs_f_hex(m->f, "nonce", hs_cur_ptr(&nonce), hs_cur_left(&nonce));
    READ(hs_cur_vec(c, 2, 1, 0xffff, &ticket), "ticket");
    hs_f_int(m->f, "ticket_length", (long long)hs_cur_left(&ticket));
    struct hs_ext_info info = {0};
    hs_msg_sum(m, "lifetime %u s, %zu-byte ticket", lifetime, hs_cur_left(&ticket));
    if (hs_decode_extensions(m, c, HS_EXT_NST, m->f, &info) == HS_OK)
        trailing(m, c);
    if (info.has_max_early_data) {
        hs_f_int(m->f, "max_early_data_size", info.max_early_data);
        hs_msg_sum(m, ", early data up to %u bytes", info.max_early_data);
    }
}

static void key_update(struct hs_msg *m, struct hs_cur *c)
{
    uint8_t req;
    READ(hs_cur_u8(c, &req), "request_update");
    const char *s = req == 0 ? "update_not_requested" : req == 1 ? "update_requested" : "invalid";
    hs_f_str(m->f, "request_update", s);
    if (req > 1)
        hs_msg_fail(m, "request_update", HS_ERR_INVALID, c->off - 1);
    m->st->keyupdate_request = req;
    trailing(m, c);
    hs_msg_sum(m, "new keys from here, %s", s);
}

static void certificate_status(struct hs_msg *m, struct hs_cur *c)
{
    uint8_t type;
    struct hs_cur resp;
    READ(hs_cur_u8(c, &type), "status_type");
    hs_f_str(m->f, "status_type", type == 1 ? "ocsp" : "unknown");
    hs_f_int(m->f, "status_type_id", type);
    READ(hs_cur_vec(c, 3, 1, 0xffffff, &resp), "response");
    hs_f_int(m->f, "response_length", (long long)hs_cur_left(&resp));
    trailing(m, c);
    hs_msg_sum(m, "%s response, %zu bytes", type == 1 ? "OCSP" : "status", hs_cur_left(&resp));
}

static void next_protocol(struct hs_msg *m, struct hs_cur *c)
{
    struct hs_cur proto, pad;
    READ(hs_cur_vec(c, 1, 0, 0xff, &proto), "selected_protocol");
    hs_f_text(m->f, "selected_protocol", hs_cur_ptr(&proto), hs_cur_left(&proto));
    READ(hs_cur_vec(c, 1, 0, 0xff, &pad), "padding");
    trailing(m, c);
    hs_msg_sum(m, "NPN ");
    hs_msg_sum_text(m, hs_cur_ptr(&proto), hs_cur_left(&proto));
}

static void empty_body(struct hs_msg *m, struct hs_cur *c, const char *what)
{
    trailing(m, c);
    hs_msg_sum(m, "%s", what);
}

static void hello_request(struct hs_msg *m, struct hs_cur *c)
{
    empty_body(m, c, "the server asks for a new handshake");
}

static void end_of_early_data(struct hs_msg *m, struct hs_cur *c)
{
    m->st->end_of_early_data = true;
    empty_body(m, c, "end of 0-RTT data");
}

static void server_hello_done(struct hs_msg *m, struct hs_cur *c)
{
    empty_body(m, c, "server hello finished");
}

/*
 * The handshake message types hstrace decodes (their names: names.c, the IANA registry).
 * A hello decodes its whole message and names itself (a ServerHello may be a
 * HelloRetryRequest); the others decode their body.  Adding one: an entry and a function.
 */
static const struct msg_kind {
    uint8_t type;
    void (*whole)(struct hs_msg *m, const uint8_t *p, size_t n);
    void (*body)(struct hs_msg *m, struct hs_cur *c);
} msg_kinds[] = {
    {HS_MT_HELLO_REQUEST, NULL, hello_request},
    {HS_MT_CLIENT_HELLO, hs_decode_client_hello, NULL},
    {HS_MT_SERVER_HELLO, hs_decode_server_hello, NULL},
    {HS_MT_NEW_SESSION_TICKET, NULL, new_session_ticket},
    {HS_MT_END_OF_EARLY_DATA, NULL, end_of_early_data},
    {HS_MT_ENCRYPTED_EXTENSIONS, NULL, encrypted_extensions},
    {HS_MT_CERTIFICATE, NULL, certificate},
    {HS_MT_SERVER_KEY_EXCHANGE, NULL, server_key_exchange},
    {HS_MT_CERTIFICATE_REQUEST, NULL, certificate_request},
    {HS_MT_SERVER_HELLO_DONE, NULL, server_hello_done},
    {HS_MT_CERTIFICATE_VERIFY, NULL, certificate_verify},
    {HS_MT_CLIENT_KEY_EXCHANGE, NULL, client_key_exchange},
    {HS_MT_FINISHED, NULL, finished},
    {HS_MT_CERTIFICATE_STATUS, NULL, certificate_status},
    {HS_MT_KEY_UPDATE, NULL, key_update},
    {HS_MT_COMPRESSED_CERTIFICATE, NULL, compressed_certificate},
    {HS_MT_NEXT_PROTOCOL, NULL, next_protocol},
};

static const struct msg_kind *msg_kind(uint8_t type)
{
    for (size_t i = 0; i < sizeof msg_kinds / sizeof msg_kinds[0]; i++)
        if (msg_kinds[i].type == type)
            return &msg_kinds[i];
    return NULL;
}

void hs_decode_handshake(struct hs_msg *m, const uint8_t *p, size_t n)
{
    if (n < 4) {
        snprintf(m->ev->type, sizeof m->ev->type, "Handshake");
        m->name = m->ev->type;
        hs_msg_fail(m, "header", HS_ERR_TRUNCATED, 0);
        return;
    }
    uint8_t type = p[0];
    const struct msg_kind *kind = msg_kind(type);
    if (kind && kind->whole) {
        kind->whole(m, p, n);
        return;
    }
    const char *name = hs_name_handshake(type);
    if (name)
        snprintf(m->ev->type, sizeof m->ev->type, "%s", name);
    else
        snprintf(m->ev->type, sizeof m->ev->type, "Handshake(%u)", type);
    m->name = m->ev->type;
    uint32_t len = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    struct hs_cur c = hs_cur_make(p, n);
    c.off = 4;
    if (len < n - 4)
        c.end = 4 + (size_t)len;
    if (kind) {
        kind->body(m, &c);
        return;
    }
    hs_f_int(m->f, "msg_type", type);
    hs_f_int(m->f, "body_length", len);
    hs_msg_sum(m, "%u-byte body", len);
}

void hs_decode_alert(struct hs_msg *m, const uint8_t *p, size_t n)
{
    snprintf(m->ev->type, sizeof m->ev->type, "Alert");
    m->name = m->ev->type;
    if (n < 2) {
        hs_msg_fail(m, "description", HS_ERR_TRUNCATED, n);
        hs_msg_sum(m, "truncated alert");
        return;
    }
    uint8_t level = p[0], desc = p[1];
    if (desc == 121) /* ech_required (RFC 9849 6.1.6) */
        m->st->ech.required_alert = true;
    const char *lname = level == 1 ? "warning" : level == 2 ? "fatal" : NULL;
    if (lname)
        hs_f_span(hs_f_str(m->f, "level", lname), 0, 1);
    else
        hs_f_span(hs_f_fmt(m->f, "level", "%u", level), 0, 1);
    hs_f_span(hs_f_int(m->f, "level_id", level), 0, 1);
    const char *dname = hs_name_alert(desc);
    char dbuf[24];
    if (dname == NULL) {
        snprintf(dbuf, sizeof dbuf, "alert(%u)", desc);
        dname = dbuf;
    }
    hs_f_span(hs_f_str(m->f, "description", dname), 1, 1);
    hs_f_span(hs_f_int(m->f, "description_id", desc), 1, 1);
    hs_f_int(m->f, "code", desc);
    const char *cause = hs_alert_cause(desc);
    if (cause)
        hs_f_str(m->f, "cause", cause);
    if (n > 2)
        hs_f_int(m->f, "trailing_bytes", (long long)(n - 2));
    if (desc != 0 || level == 2)
        m->ev->problem = true;
    hs_msg_sum(m, "%s %s", lname ? lname : "level?", dname);
}

void hs_decode_ccs(struct hs_msg *m, const uint8_t *p, size_t n, bool tls13_compat)
{
    snprintf(m->ev->type, sizeof m->ev->type, "ChangeCipherSpec");
    m->name = m->ev->type;
    if (n != 1 || p[0] != 1)
        hs_msg_fail(m, "type", HS_ERR_INVALID, 0);
    if (tls13_compat) {
        hs_f_bool(m->f, "middlebox_compatibility", true);
        hs_msg_sum(m, "middlebox compatibility (TLS 1.3, no effect)");
    } else {
        hs_msg_sum(m, "from here on this side's records are encrypted");
    }
}
