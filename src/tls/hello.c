/* ClientHello, ServerHello / HelloRetryRequest (RFC 8446 4.1, RFC 5246 7.4.1) and the
 * SSLv2-format ClientHello some old clients still send (RFC 5246 E.2). */
#include "msg.h"

#include "../core/mem.h"
#include "fingerprint.h"
#include "names.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"), the random of every HRR. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 4.1.3: last 8 bytes of ServerHello.random when a 1.3 server negotiates lower. */
static const uint8_t downgrade_prefix[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

static void set_type(struct hs_msg *m, const char *type)
{
    snprintf(m->ev->type, sizeof m->ev->type, "%s", type);
    m->name = m->ev->type;
}

static const char *compression_name(uint8_t v)
{
    switch (v) {
    case 0: return "null";
    case 1: return "DEFLATE";
    case 64: return "LZS";
    default: return NULL;
    }
}

/* The method's name under key, its number under id_key (in arrays: the parallel id array). */
static void add_compression(struct hs_field *parent, const char *key, struct hs_field *id_parent,
                            const char *id_key, uint8_t v)
{
    const char *s = compression_name(v);
    if (s)
        hs_f_str(parent, key, s);
    else
        hs_f_fmt(parent, key, "%u", v);
    hs_f_int(id_parent, id_key, v);
}

static void sum_version(struct hs_msg *m, uint16_t v)
{
    char buf[48];
    hs_msg_sum(m, "%s", hs_fmt_version(v, buf, sizeof buf));
}

/* Reads the 4-byte handshake header; returns a cursor over the body. */
static int body_cursor(struct hs_msg *m, const uint8_t *p, size_t n, struct hs_cur *body)
{
    struct hs_cur c = hs_cur_make(p, n);
    uint8_t type;
    uint32_t len;
    if (hs_cur_u8(&c, &type) != HS_OK || hs_cur_u24(&c, &len) != HS_OK) {
        hs_msg_fail(m, "header", HS_ERR_TRUNCATED, 0);
        return HS_ERR_TRUNCATED;
    }
    if (len > hs_cur_left(&c)) {
        /* The record layer only hands over complete messages; be safe anyway. */
        hs_msg_fail(m, "length", HS_ERR_TRUNCATED, 1);
        len = (uint32_t)hs_cur_left(&c);
    }
    return hs_cur_sub(&c, len, body);
}

/* The hello's fingerprints in its fields and, for the first ClientHello and the first
 * ServerHello, in the trace header. */
static void add_fingerprints(struct hs_msg *m, const uint8_t *p, size_t n, bool client,
                             bool header)
{
    struct hs_field *fp = hs_field_new_object();
    if (!(client ? hs_fp_client_hello : hs_fp_server_hello)(fp, p, n)) {
        hs_field_free(fp);
        return;
    }
    struct hs_trace *t = m->trace;
    if (header && t->fingerprints == NULL)
        t->fingerprints = hs_field_new_object();
    if (header && hs_f_get(t->fingerprints, client ? "ja3" : "ja3s") == NULL)
        for (const struct hs_field *k = fp->child; k; k = k->next)
            if (k->kind == HS_F_STRING)
                hs_f_str(t->fingerprints, k->name, k->str);
    hs_f_attach(m->f, "fingerprints", fp);
}

#define READ(expr, what)                                                                      \
    do {                                                                                      \
        size_t at_ = c.off;                                                                   \
        int r_ = (expr);                                                                      \
        if (r_ != HS_OK) {                                                                    \
            hs_msg_fail(m, (what), r_, at_);                                                  \
            goto out;                                                                         \
        }                                                                                     \
    } while (0)

void hs_decode_client_hello(struct hs_msg *m, const uint8_t *p, size_t n)
{
    struct hs_tls_state *st = m->st;
    struct hs_field *f = m->f;
    struct hs_ext_info info = {0};
    struct hs_cur c, sid, suites, comp;
    uint16_t legacy = 0;
    const uint8_t *random = NULL;
    unsigned nsuites = 0;
    char buf[64];
    struct hs_offer *o = &st->offer;
    memset(o, 0, sizeof *o);
    info.offer = o;
    set_type(m, "ClientHello");
    if (body_cursor(m, p, n, &c) != HS_OK)
        goto out;

    READ(hs_cur_u16(&c, &legacy), "legacy_version");
    o->legacy_version = legacy;
    hs_f_span(hs_f_str(f, "version", hs_fmt_version(legacy, buf, sizeof buf)), c.off - 2, 2);
    hs_f_span(hs_f_int(f, "version_id", legacy), c.off - 2, 2);
    READ(hs_cur_bytes(&c, 32, &random), "random");
    hs_f_span(hs_f_hex(f, "random", random, 32), c.off - 32, 32);
    if (!st->ch_seen)
        memcpy(st->client_random, random, 32);
    memcpy(st->last_client_random, random, 32);
    READ(hs_cur_vec(&c, 1, 0, 32, &sid), "legacy_session_id");
    hs_f_span(hs_f_hex(f, "session_id", hs_cur_ptr(&sid), hs_cur_left(&sid)), sid.off,
              hs_cur_left(&sid));
    if (!st->ch_seen) {
        st->ch_session_id_len = hs_cur_left(&sid);
        memcpy(st->ch_session_id, hs_cur_ptr(&sid), st->ch_session_id_len);
    }
    READ(hs_cur_vec(&c, 2, 2, 0xfffe, &suites), "cipher_suites");
    {
        struct hs_field *a = hs_f_span(hs_f_arr(f, "cipher_suites"), suites.off - 2,
                                       hs_cur_left(&suites) + 2);
        struct hs_field *ids = hs_f_span(hs_f_arr(f, "cipher_suite_ids"), suites.off - 2,
                                         hs_cur_left(&suites) + 2);
        if (hs_cur_left(&suites) % 2 != 0)
            hs_msg_fail(m, "cipher_suites", HS_ERR_INVALID, suites.off - 2);
        while (hs_cur_left(&suites) >= 2) {
            uint16_t s;
            size_t at = suites.off;
            if (hs_cur_u16(&suites, &s) != HS_OK)
                break;
            if (nsuites++ < HS_MAX_LIST_ITEMS) {
                hs_f_span(hs_f_str(a, NULL, hs_fmt_suite(s, buf, sizeof buf)), at, 2);
                hs_f_span(hs_f_int(ids, NULL, s), at, 2);
            }
            if (o->nsuites < HS_MAX_LIST_ITEMS)
                o->suites[o->nsuites++] = s;
            else
                o->suites_cut = true;
        }
        hs_f_int(f, "cipher_suite_count", nsuites);
    }
    READ(hs_cur_vec(&c, 1, 1, 0xff, &comp), "legacy_compression_methods");
    {
        struct hs_field *a = hs_f_arr(f, "compression_methods");
        struct hs_field *ids = hs_f_arr(f, "compression_method_ids");
        while (hs_cur_left(&comp) > 0) {
            uint8_t v;
            if (hs_cur_u8(&comp, &v) != HS_OK)
                break;
            add_compression(a, NULL, ids, NULL, v);
        }
    }
    if (hs_cur_left(&c) > 0) {
        if (hs_decode_extensions(m, &c, HS_EXT_CH, f, &info) == HS_OK && hs_cur_left(&c) > 0)
            hs_f_int(f, "trailing_bytes", (long long)hs_cur_left(&c));
    }

out:
    /* Only a ClientHello read whole is a reference for the server's choices. */
    o->valid = random != NULL && m->err[0] == '\0';
    for (unsigned i = 0; i < info.ntypes; i++)
        o->exts[o->nexts++] = info.types[i];
    if (!st->ch_seen) {
        st->client_offers_tls13 = info.best_version >= 0x0304;
        st->client_early_data = info.early_data;
        st->client_ticket = info.ticket_nonempty;
    }
    add_fingerprints(m, p, n, true, true);
    if (random)
        st->ch_seen = true;
    st->ch_count++;
    if (info.sni && m->trace->sni == NULL)
        m->trace->sni = hs_xstrdup(info.sni);
    hs_ech_open(m, p, n, &info);

    sum_version(m, info.best_version ? info.best_version : legacy);
    if (info.ech_outer) {
        hs_msg_sum(m, ", ECH");
        if (info.sni)
            hs_msg_sum(m, ", outer SNI %s", info.sni);
        if (hs_f_get(f, "client_hello_inner"))
            hs_msg_sum(m, ", inner SNI %s", st->ech.inner_sni[0] ? st->ech.inner_sni : "none");
    } else if (info.sni) {
        hs_msg_sum(m, ", SNI %s", info.sni);
    }
    if (info.ech_inner)
        hs_msg_sum(m, ", ECH inner");
    hs_msg_sum(m, ", %u suite%s", nsuites, nsuites == 1 ? "" : "s");
    if (info.nshare > 0) {
        hs_msg_sum(m, ", key_share ");
        for (unsigned i = 0; i < info.nshare; i++)
            hs_msg_sum(m, "%s%s", i ? "+" : "", hs_fmt_group(info.share_groups[i], buf, sizeof buf));
    }
    if (info.nalpn > 0)
        hs_msg_sum(m, ", ALPN %s", info.alpn);
    if (info.psk)
        hs_msg_sum(m, ", PSK");
    if (info.early_data)
        hs_msg_sum(m, ", early data");
    if (st->ch_count > 1)
        hs_msg_sum(m, st->hrr_count > 0 ? " (retry)" : " (renegotiation)");
}

void hs_decode_server_hello(struct hs_msg *m, const uint8_t *p, size_t n)
{
    struct hs_tls_state *st = m->st;
    struct hs_field *f = m->f;
    struct hs_trace *t = m->trace;
    struct hs_ext_info info = {0};
    struct hs_cur c, sid;
    uint16_t legacy = 0, suite = 0;
    uint8_t comp;
    const uint8_t *random = NULL;
    bool hrr = false, have_suite = false;
    char buf[64];
    set_type(m, "ServerHello");
    if (body_cursor(m, p, n, &c) != HS_OK)
        goto out;

    READ(hs_cur_u16(&c, &legacy), "legacy_version");
    hs_f_span(hs_f_str(f, "version", hs_fmt_version(legacy, buf, sizeof buf)), c.off - 2, 2);
    hs_f_span(hs_f_int(f, "version_id", legacy), c.off - 2, 2);
    READ(hs_cur_bytes(&c, 32, &random), "random");
    hrr = memcmp(random, hrr_random, 32) == 0;
    if (hrr)
        set_type(m, "HelloRetryRequest");
    hs_f_span(hs_f_hex(f, "random", random, 32), c.off - 32, 32);
    if (hrr)
        hs_f_bool(f, "hello_retry_request", true);
    if (!hrr && memcmp(random + 24, downgrade_prefix, 7) == 0 &&
        (random[31] == 0 || random[31] == 1))
        hs_f_span(hs_f_str(f, "downgrade_sentinel", random[31] ? "TLS 1.2" : "TLS 1.1 or below"),
                  c.off - 8, 8);
    READ(hs_cur_vec(&c, 1, 0, 32, &sid), "legacy_session_id_echo");
    hs_f_span(hs_f_hex(f, "session_id", hs_cur_ptr(&sid), hs_cur_left(&sid)), sid.off,
              hs_cur_left(&sid));
    READ(hs_cur_u16(&c, &suite), "cipher_suite");
    have_suite = true;
    hs_f_span(hs_f_str(f, "cipher_suite", hs_fmt_suite(suite, buf, sizeof buf)), c.off - 2, 2);
    hs_f_span(hs_f_int(f, "cipher_suite_id", suite), c.off - 2, 2);
    READ(hs_cur_u8(&c, &comp), "legacy_compression_method");
    add_compression(f, "compression_method", f, "compression_method_id", comp);
    if (!hrr)
        st->sid_resumed = st->ch_session_id_len > 0 &&
                          hs_cur_left(&sid) == st->ch_session_id_len &&
                          memcmp(hs_cur_ptr(&sid), st->ch_session_id, st->ch_session_id_len) == 0;
    if (hs_cur_left(&c) > 0) {
        if (hs_decode_extensions(m, &c, hrr ? HS_EXT_HRR : HS_EXT_SH, f, &info) == HS_OK &&
            hs_cur_left(&c) > 0)
            hs_f_int(f, "trailing_bytes", (long long)hs_cur_left(&c));
    }

out:;
    add_fingerprints(m, p, n, false, !hrr);
    if (have_suite && !hrr && random != NULL)
        hs_ech_check_accept(m, p, n, suite);
    if (have_suite && hrr)
        hs_ech_check_hrr(m, p, n, suite);
    if (have_suite)
        hs_check_server_hello(m, hrr, legacy, have_suite, suite, &info);
    uint16_t version = info.selected_version ? info.selected_version : legacy;
    if ((version >> 8) == 0x7f)
        version = 0x0304; /* a draft version: decode as 1.3 */
    if (hrr) {
        st->hrr_count++;
        st->hrr_suite = suite;
        if (version)
            st->version = version;
        if (version && hs_name_version(version)) {
            snprintf(t->version, sizeof t->version, "%s", hs_name_version(version));
            t->version_id = version;
        }
        if (have_suite) {
            st->suite = suite;
            snprintf(t->cipher_suite, sizeof t->cipher_suite, "%s",
                     hs_fmt_suite(suite, buf, sizeof buf));
            t->cipher_suite_id = suite;
        }
        if (info.has_share && t->group[0] == '\0') {
            snprintf(t->group, sizeof t->group, "%s",
                     hs_fmt_group(info.share_group, buf, sizeof buf));
            t->group_id = info.share_group;
        }
        hs_msg_sum(m, "retry");
        if (info.has_share)
            hs_msg_sum(m, " with %s", hs_fmt_group(info.share_group, buf, sizeof buf));
        if (have_suite)
            hs_msg_sum(m, ", %s", hs_fmt_suite(suite, buf, sizeof buf));
        if (hs_f_get(f, "ech_confirmation"))
            hs_msg_sum(m, st->ech.accepted == 0 ? ", ECH rejected" : ", ECH accepted");
        else if (st->ech.hrr_confirmation)
            hs_msg_sum(m, ", ECH confirmation");
        return;
    }
    if (random != NULL) {
        st->sh_seen = true;
        memcpy(st->server_random, random, 32);
    }
    /* RFC 7366: in force when both hellos carry it (the server sends it for CBC suites only). */
    st->etm = hs_u16_in(st->offer.exts, st->offer.nexts, 22) &&
              hs_u16_in(info.types, info.ntypes, 22);
    /* RFC 7627: likewise extended_master_secret. */
    st->ems = hs_u16_in(st->offer.exts, st->offer.nexts, 23) &&
              hs_u16_in(info.types, info.ntypes, 23);
    if (version)
        st->version = version;
    if (have_suite)
        st->suite = suite;
    st->server_psk = info.psk;
    bool tls13 = st->version == 0x0304;

    if (version && hs_name_version(version)) {
        snprintf(t->version, sizeof t->version, "%s", hs_name_version(version));
        t->version_id = version;
    }
    if (have_suite) {
        snprintf(t->cipher_suite, sizeof t->cipher_suite, "%s", hs_fmt_suite(suite, buf, sizeof buf));
        t->cipher_suite_id = suite;
    }
    if (info.has_share) {
        snprintf(t->group, sizeof t->group, "%s", hs_fmt_group(info.share_group, buf, sizeof buf));
        t->group_id = info.share_group;
    }
    if (!tls13 && info.nalpn > 0) {
        free(t->alpn);
        t->alpn = hs_xstrdup(info.alpn);
    }
    /* The session id echo means resumption only up to TLS 1.2 (in 1.3 it is always echoed). */
    bool sid_resumed = st->sid_resumed && st->version >= 0x0300 && st->version <= 0x0303;
    t->resumed = tls13 ? info.psk : sid_resumed;

    sum_version(m, version);
    if (have_suite)
        hs_msg_sum(m, ", %s", hs_fmt_suite(suite, buf, sizeof buf));
    if (info.has_share)
        hs_msg_sum(m, ", %s", hs_fmt_group(info.share_group, buf, sizeof buf));
    if (!tls13 && info.nalpn > 0)
        hs_msg_sum(m, ", ALPN %s", info.alpn);
    if (tls13 && info.psk)
        hs_msg_sum(m, ", PSK resumption");
    if (!tls13 && sid_resumed)
        hs_msg_sum(m, ", resumed session");
    if (hs_f_get(f, "downgrade_sentinel"))
        hs_msg_sum(m, ", downgrade sentinel");
    if (hs_f_get(f, "ech_confirmation"))
        hs_msg_sum(m, st->ech.accepted == 1 ? ", ECH accepted" : ", ECH rejected");
}

static void sslv2_spec(struct hs_field *a, const uint8_t *s, char *buf, size_t bufsz)
{
    if (s[0] == 0) {
        hs_f_str(a, NULL, hs_fmt_suite((uint16_t)(s[1] << 8 | s[2]), buf, bufsz));
        return;
    }
    static const struct {
        uint32_t v;
        const char *name;
    } v2[] = {
        {0x010080, "SSL_CK_RC4_128_WITH_MD5"},
        {0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
        {0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"},
        {0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
        {0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"},
        {0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"},
        {0x0700c0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
    };
    uint32_t v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
    for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; i++) {
        if (v2[i].v == v) {
            hs_f_str(a, NULL, v2[i].name);
            return;
        }
    }
    hs_f_fmt(a, NULL, "SSLv2 0x%06x", v);
}

void hs_decode_sslv2_client_hello(struct hs_msg *m, const uint8_t *p, size_t n)
{
    struct hs_tls_state *st = m->st;
    struct hs_field *f = m->f;
    struct hs_cur c = hs_cur_make(p, n);
    uint16_t hdr, version = 0, spec_len = 0, sid_len = 0, chal_len = 0;
    uint8_t type;
    const uint8_t *specs, *sidp, *chal;
    char buf[64];
    st->offer.valid = false; /* its specs are not kept: the server's choice is not checked */
    set_type(m, "ClientHello");
    hs_f_str(f, "format", "SSLv2");
    READ(hs_cur_u16(&c, &hdr), "length");
    READ(hs_cur_u8(&c, &type), "msg_type");
    READ(hs_cur_u16(&c, &version), "version");
    hs_f_str(f, "version", hs_fmt_version(version, buf, sizeof buf));
    hs_f_int(f, "version_id", version);
    READ(hs_cur_u16(&c, &spec_len), "cipher_spec_length");
    READ(hs_cur_u16(&c, &sid_len), "session_id_length");
    READ(hs_cur_u16(&c, &chal_len), "challenge_length");
    if (spec_len % 3 != 0 || spec_len == 0) {
        hs_msg_fail(m, "cipher_specs", HS_ERR_INVALID, c.off);
        goto out;
    }
    if (chal_len < 16 || chal_len > 32 || sid_len > 32) {
        hs_msg_fail(m, "challenge_length", HS_ERR_INVALID, c.off - 2);
        goto out;
    }
    READ(hs_cur_bytes(&c, spec_len, &specs), "cipher_specs");
    {
        struct hs_field *a = hs_f_span(hs_f_arr(f, "cipher_specs"), c.off - spec_len, spec_len);
        struct hs_field *ids = hs_f_arr(f, "cipher_spec_ids");
        for (unsigned i = 0; i < spec_len / 3u && i < HS_MAX_LIST_ITEMS; i++) {
            const uint8_t *s = specs + 3 * i;
            sslv2_spec(a, s, buf, sizeof buf);
            hs_f_int(ids, NULL, (long long)s[0] << 16 | (long long)s[1] << 8 | s[2]);
        }
        hs_f_int(f, "cipher_spec_count", spec_len / 3);
    }
    READ(hs_cur_bytes(&c, sid_len, &sidp), "session_id");
    hs_f_hex(f, "session_id", sidp, sid_len);
    READ(hs_cur_bytes(&c, chal_len, &chal), "challenge");
    hs_f_hex(f, "challenge", chal, chal_len);
    if (!st->ch_seen) {
        /* RFC 5246 E.2: the challenge, right-aligned and zero-padded, is the client random. */
        memset(st->client_random, 0, 32);
        memcpy(st->client_random + 32 - chal_len, chal, chal_len);
        memcpy(st->last_client_random, st->client_random, 32);
        st->ch_seen = true;
    }
out:
    st->ch_count++;
    sum_version(m, version);
    hs_msg_sum(m, " in SSLv2 format, %u cipher specs", spec_len / 3u);
}
