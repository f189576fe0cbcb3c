/* Hello (and other) extensions: each one by its IANA name with its decoded content
 * (RFC 8446 4.2, RFC 6066, RFC 7301, RFC 7627, RFC 7685, RFC 8449, RFC 8879, ...). */
#include "msg.h"

#include "../core/escape.h"
#include "names.h"
#include "x509.h"

#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every extension decoder: b over the extension's body, e its field object; info collects
 * what the hello summaries and the connection state need.  Parameters may go unused. */
#define EXT_DECODER(name)                                                                     \
    static int name(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,             \
                    struct hs_field *e, struct hs_ext_info *info)

/* A vector's length under `key`, for the extensions whose content is not shown. */
static int vec_length(struct hs_cur *b, struct hs_field *e, unsigned lenbytes, size_t min,
                      size_t max, const char *key)
{
    struct hs_cur v;
    HS_TRY(hs_cur_vec(b, lenbytes, min, max, &v));
    hs_f_int(e, key, (long long)hs_cur_left(&v));
    return HS_OK;
}

/* A list of 16-bit code points: array of names under `key`, of the numbers under `ids_key`;
 * returns the count. */
static int u16_list(struct hs_cur *v, struct hs_field *e, const char *key, const char *ids_key,
                    const char *(*fmt)(uint16_t, char *, size_t), unsigned *count)
{
    HS_ENSURE(hs_cur_left(v) % 2 == 0, HS_ERR_INVALID);
    struct hs_field *a = hs_f_arr(e, key);
    struct hs_field *ids = hs_f_arr(e, ids_key);
    unsigned n = 0;
    while (hs_cur_left(v) >= 2) {
        size_t at = v->off;
        uint16_t x;
        HS_TRY(hs_cur_u16(v, &x));
        if (n < HS_MAX_LIST_ITEMS) {
            char buf[48];
            hs_f_span(hs_f_str(a, NULL, fmt(x, buf, sizeof buf)), at, 2);
            hs_f_span(hs_f_int(ids, NULL, x), at, 2);
        }
        n++;
    }
    if (count)
        *count = n;
    return HS_OK;
}

EXT_DECODER(ext_server_name)
{
    if (hs_cur_left(b) == 0)
        return HS_OK; /* the server's acknowledgement */
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 2, 1, 0xffff, &list));
    struct hs_field *names = hs_f_arr(e, "names");
    while (hs_cur_left(&list) > 0) {
        uint8_t type;
        struct hs_cur name;
        HS_TRY(hs_cur_u8(&list, &type));
        HS_TRY(hs_cur_vec(&list, 2, 1, 0xffff, &name));
        struct hs_field *f = hs_f_text(names, NULL, hs_cur_ptr(&name), hs_cur_left(&name));
        hs_f_span(f, name.off, hs_cur_left(&name));
        if (type == 0 && info->sni == NULL) {
            struct hs_field *h =
                hs_f_text(e, "host_name", hs_cur_ptr(&name), hs_cur_left(&name));
            hs_f_span(h, name.off, hs_cur_left(&name));
            info->sni = h->str;
        }
    }
    return HS_OK;
}

EXT_DECODER(ext_key_share)
{
    char buf[48];
    if (where == HS_EXT_HRR) {
        uint16_t g;
        HS_TRY(hs_cur_u16(b, &g));
        hs_f_str(e, "selected_group", hs_fmt_group(g, buf, sizeof buf));
        hs_f_int(e, "selected_group_id", g);
        info->share_group = g;
        info->has_share = true;
        return HS_OK;
    }
    struct hs_cur list = *b;
    if (where == HS_EXT_CH) {
        HS_TRY(hs_cur_vec(b, 2, 0, 0xffff, &list));
    } else {
        b->off = b->end;
    }
    struct hs_field *a = where == HS_EXT_CH ? hs_f_arr(e, "shares") : NULL;
    while (hs_cur_left(&list) > 0) {
        size_t at = list.off;
        uint16_t g;
        struct hs_cur key;
        HS_TRY(hs_cur_u16(&list, &g));
        HS_TRY(hs_cur_vec(&list, 2, 1, 0xffff, &key));
        struct hs_field *o = a ? hs_f_obj(a, NULL) : e;
        if (a)
            hs_f_span(o, at, list.off - at);
        hs_f_str(o, "group", hs_fmt_group(g, buf, sizeof buf));
        hs_f_int(o, "group_id", g);
        hs_f_int(o, "key_length", (long long)hs_cur_left(&key));
        hs_f_span(hs_f_hex(o, "key", hs_cur_ptr(&key), hs_cur_left(&key) > 64 ? 64 : hs_cur_left(&key)),
                  key.off, hs_cur_left(&key));
        hs_check_key_share(m, o, g, &key, where == HS_EXT_CH);
        if (where == HS_EXT_CH) {
            if (!hs_is_grease(g) && info->nshare < 8)
                info->share_groups[info->nshare++] = g;
            if (info->offer && info->offer->nshares < HS_MAX_OFFER_SHARES)
                info->offer->shares[info->offer->nshares++] = g;
            else if (info->offer)
                info->offer->shares_cut = true;
        } else {
            info->share_group = g;
            info->has_share = true;
            break;
        }
    }
    return HS_OK;
}

EXT_DECODER(ext_alpn)
{
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 2, 2, 0xffff, &list));
    struct hs_field *a = hs_f_arr(e, "protocols");
    size_t len = strlen(info->alpn);
    while (hs_cur_left(&list) > 0) {
        struct hs_cur name;
        HS_TRY(hs_cur_vec(&list, 1, 1, 0xff, &name));
        struct hs_field *f = hs_f_text(a, NULL, hs_cur_ptr(&name), hs_cur_left(&name));
        hs_f_span(f, name.off, hs_cur_left(&name));
        if (len + strlen(f->str) + 2 < sizeof info->alpn) {
            len += (size_t)snprintf(info->alpn + len, sizeof info->alpn - len, "%s%s",
                                    info->nalpn ? "," : "", f->str);
        }
        info->nalpn++;
    }
    return HS_OK;
}

EXT_DECODER(ext_pre_shared_key)
{
    info->psk = true;
    if (where != HS_EXT_CH) {
        uint16_t sel;
        HS_TRY(hs_cur_u16(b, &sel));
        hs_f_int(e, "selected_identity", sel);
        return HS_OK;
    }
    struct hs_cur ids, binders;
    HS_TRY(hs_cur_vec(b, 2, 7, 0xffff, &ids));
    struct hs_field *a = hs_f_arr(e, "identities");
    unsigned n = 0;
    while (hs_cur_left(&ids) > 0) {
        struct hs_cur id;
        uint32_t age;
        HS_TRY(hs_cur_vec(&ids, 2, 1, 0xffff, &id));
        HS_TRY(hs_cur_u32(&ids, &age));
        if (n++ < HS_MAX_LIST_ITEMS) {
            struct hs_field *o = hs_f_obj(a, NULL);
            hs_f_int(o, "identity_length", (long long)hs_cur_left(&id));
            hs_f_int(o, "obfuscated_ticket_age", age);
        }
    }
    hs_f_int(e, "identity_count", n);
    HS_TRY(hs_cur_vec(b, 2, 33, 0xffff, &binders));
    unsigned nb = 0;
    while (hs_cur_left(&binders) > 0) {
        struct hs_cur bind;
        HS_TRY(hs_cur_vec(&binders, 1, 32, 0xff, &bind));
        nb++;
    }
    hs_f_int(e, "binder_count", nb);
    return HS_OK;
}

static const char *psk_mode_name(uint8_t v)
{
    switch (v) {
    case 0: return "psk_ke";
    case 1: return "psk_dhe_ke";
    default: return NULL;
    }
}

static const char *point_format_name(uint8_t v)
{
    switch (v) {
    case 0: return "uncompressed";
    case 1: return "ansiX962_compressed_prime";
    case 2: return "ansiX962_compressed_char2";
    default: return NULL;
    }
}

static const char *cert_compression_name(uint16_t v)
{
    switch (v) {
    case 1: return "zlib";
    case 2: return "brotli";
    case 3: return "zstd";
    default: return NULL;
    }
}

static int u8_named_list(struct hs_cur *b, struct hs_field *e, const char *key,
                         const char *ids_key, const char *(*name)(uint8_t))
{
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 1, 1, 0xff, &list));
    struct hs_field *a = hs_f_arr(e, key);
    struct hs_field *ids = hs_f_arr(e, ids_key);
    while (hs_cur_left(&list) > 0) {
        uint8_t v;
        HS_TRY(hs_cur_u8(&list, &v));
        const char *s = name(v);
        if (s)
            hs_f_str(a, NULL, s);
        else
            hs_f_fmt(a, NULL, "%u", v);
        hs_f_int(ids, NULL, v);
    }
    return HS_OK;
}

static const char *fmt_compression(uint16_t v, char *buf, size_t n)
{
    const char *s = cert_compression_name(v);
    if (s)
        return s;
    snprintf(buf, n, "0x%04x", v);
    return buf;
}

EXT_DECODER(ext_status_request)
{
    if (hs_cur_left(b) == 0)
        return HS_OK;
    uint8_t type;
    HS_TRY(hs_cur_u8(b, &type));
    hs_f_str(e, "status_type", type == 1 ? "ocsp" : "unknown");
    hs_f_int(e, "status_type_id", type);
    if (where == HS_EXT_CERT) {
        struct hs_cur resp;
        HS_TRY(hs_cur_vec(b, 3, 1, 0xffffff, &resp));
        hs_f_int(e, "response_length", (long long)hs_cur_left(&resp));
        return HS_OK;
    }
    struct hs_cur ids, exts;
    HS_TRY(hs_cur_vec(b, 2, 0, 0xffff, &ids));
    HS_TRY(hs_cur_vec(b, 2, 0, 0xffff, &exts));
    hs_f_int(e, "responder_id_list_length", (long long)hs_cur_left(&ids));
    hs_f_int(e, "request_extensions_length", (long long)hs_cur_left(&exts));
    return HS_OK;
}

/* The client's supported_groups, for checking the server's choice (v: the list's body). */
static void keep_groups(struct hs_offer *o, struct hs_cur v)
{
    uint16_t g;
    o->groups_sent = true;
    while (hs_cur_u16(&v, &g) == HS_OK) {
        if (o->ngroups == HS_MAX_OFFER_GROUPS) {
            o->groups_cut = true;
            return;
        }
        o->groups[o->ngroups++] = g;
    }
}

EXT_DECODER(ext_versions)
{
    char buf[48];
    if (where != HS_EXT_CH) {
        uint16_t v;
        HS_TRY(hs_cur_u16(b, &v));
        hs_f_str(e, "selected_version", hs_fmt_version(v, buf, sizeof buf));
        hs_f_int(e, "selected_version_id", v);
        info->selected_version = v;
        return HS_OK;
    }
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 1, 2, 254, &list));
    HS_ENSURE(hs_cur_left(&list) % 2 == 0, HS_ERR_INVALID);
    struct hs_field *a = hs_f_arr(e, "versions");
    struct hs_field *ids = hs_f_arr(e, "version_ids");
    while (hs_cur_left(&list) > 0) {
        uint16_t v;
        HS_TRY(hs_cur_u16(&list, &v));
        hs_f_str(a, NULL, hs_fmt_version(v, buf, sizeof buf));
        hs_f_int(ids, NULL, v);
        if (info->offer) {
            info->offer->versions_sent = true;
            if (info->offer->nversions < HS_MAX_OFFER_VERSIONS)
                info->offer->versions[info->offer->nversions++] = v;
            else
                info->offer->versions_cut = true;
        }
        /* Drafts (0x7fxx) count as 1.3. */
        uint16_t rank = (v >> 8) == 0x7f ? 0x0304 : v;
        if (!hs_is_grease(v) && (v >> 8) != 0xfe && rank > info->best_version)
            info->best_version = rank;
    }
    return HS_OK;
}

/* A list (2-byte length, at least `min` bytes) of 2-byte-length entries: their count under
 * `key`. */
static int count_entries(struct hs_cur *b, struct hs_field *e, size_t min, const char *key)
{
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 2, min, 0xffff, &list));
    unsigned n = 0;
    while (hs_cur_left(&list) > 0) {
        struct hs_cur entry;
        HS_TRY(hs_cur_vec(&list, 2, 1, 0xffff, &entry));
        n++;
    }
    hs_f_int(e, key, n);
    return HS_OK;
}

EXT_DECODER(ext_sct)
{
    if (hs_cur_left(b) == 0)
        return HS_OK;
    return count_entries(b, e, 1, "sct_count");
}

int hs_decode_dn_list(struct hs_cur *list, struct hs_field *arr, unsigned *count, size_t *bad_at)
{
    *count = 0;
    while (hs_cur_left(list) > 0) {
        struct hs_cur dn;
        *bad_at = list->off;
        if (hs_cur_vec(list, 2, 1, 0xffff, &dn) != HS_OK)
            return HS_ERR_INVALID;
        if ((*count)++ < HS_MAX_LIST_ITEMS) {
            char *s = hs_x509_dn_string(hs_cur_ptr(&dn), hs_cur_left(&dn));
            /* Already escaped: stored without a second escaping pass. */
            struct hs_field *f =
                hs_f_str_escaped(arr, NULL, s ? s : hs_xstrdup("(unparseable name)"));
            hs_f_span(f, dn.off, hs_cur_left(&dn));
        }
    }
    return HS_OK;
}

/* RFC 8446 4.2.4: the CAs the sender accepts, as readable names. */
EXT_DECODER(ext_certificate_authorities)
{
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 2, 3, 0xffff, &list));
    unsigned n;
    size_t at;
    int r = hs_decode_dn_list(&list, hs_f_arr(e, "authorities"), &n, &at);
    hs_f_int(e, "count", n);
    return r;
}

EXT_DECODER(ext_max_fragment_length)
{
    uint8_t code;
    HS_TRY(hs_cur_u8(b, &code));
    if (code >= 1 && code <= 4)
        hs_f_int(e, "max_fragment_length", 256 << code);
    else
        hs_f_fmt(e, "max_fragment_length", "invalid(%u)", code);
    return HS_OK;
}

EXT_DECODER(ext_supported_groups)
{
    struct hs_cur v;
    HS_TRY(hs_cur_vec(b, 2, 2, 0xffff, &v));
    if (info->offer)
        keep_groups(info->offer, v);
    return u16_list(&v, e, "groups", "group_ids", hs_fmt_group, &info->ngroups);
}

EXT_DECODER(ext_point_formats)
{
    return u8_named_list(b, e, "formats", "format_ids", point_format_name);
}

/* signature_algorithms and signature_algorithms_cert */
EXT_DECODER(ext_signature_schemes)
{
    struct hs_cur v;
    HS_TRY(hs_cur_vec(b, 2, 2, 0xfffe, &v));
    return u16_list(&v, e, "schemes", "scheme_ids", hs_fmt_sigscheme, NULL);
}

EXT_DECODER(ext_padding)
{
    hs_f_int(e, "padding_length", (long long)hs_cur_left(b));
    b->off = b->end;
    return HS_OK;
}

EXT_DECODER(ext_compress_certificate)
{
    struct hs_cur v;
    HS_TRY(hs_cur_vec(b, 1, 2, 254, &v));
    return u16_list(&v, e, "algorithms", "algorithm_ids", fmt_compression, NULL);
}

EXT_DECODER(ext_record_size_limit)
{
    uint16_t limit;
    HS_TRY(hs_cur_u16(b, &limit));
    hs_f_int(e, "record_size_limit", limit);
    return HS_OK;
}

EXT_DECODER(ext_session_ticket)
{
    hs_f_int(e, "ticket_length", (long long)hs_cur_left(b));
    if (hs_cur_left(b) > 0)
        info->ticket_nonempty = true;
    b->off = b->end;
    return HS_OK;
}

EXT_DECODER(ext_early_data)
{
    if (where == HS_EXT_NST) {
        uint32_t max;
        HS_TRY(hs_cur_u32(b, &max));
        hs_f_int(e, "max_early_data_size", max);
        info->max_early_data = max;
        info->has_max_early_data = true;
    }
    info->early_data = true;
    return HS_OK;
}

EXT_DECODER(ext_cookie)
{
    return vec_length(b, e, 2, 1, 0xffff, "cookie_length");
}

EXT_DECODER(ext_psk_modes)
{
    return u8_named_list(b, e, "modes", "mode_ids", psk_mode_name);
}

EXT_DECODER(ext_renegotiation_info)
{
    return vec_length(b, e, 1, 0, 0xff, "renegotiated_connection_length");
}

/*
 * The extensions hstrace decodes (their names: names.c, the IANA registry).  The others,
 * known empty ones (encrypt_then_mac, extended_master_secret, post_handshake_auth) and
 * unknown ones, are shown by their length.  Adding one: an entry and a function.
 */
static const struct ext_kind {
    uint16_t type;
    int (*decode)(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,
                  struct hs_field *e, struct hs_ext_info *info);
} ext_kinds[] = {
    {0, ext_server_name},
    {1, ext_max_fragment_length},
    {5, ext_status_request},
    {10, ext_supported_groups},
    {11, ext_point_formats},
    {13, ext_signature_schemes},
    {16, ext_alpn},
    {18, ext_sct},
    {21, ext_padding},
    {27, ext_compress_certificate},
    {28, ext_record_size_limit},
    {35, ext_session_ticket},
    {41, ext_pre_shared_key},
    {42, ext_early_data},
    {43, ext_versions},
    {44, ext_cookie},
    {45, ext_psk_modes},
    {47, ext_certificate_authorities},
    {50, ext_signature_schemes},
    {51, ext_key_share},
    {57, hs_ext_quic_transport_parameters},
    {0xfd00, hs_ext_ech_outer_extensions},
    {0xfe0d, hs_ext_ech},
    {0xff01, ext_renegotiation_info},
    {0xffa5, hs_ext_quic_transport_parameters}, /* QUIC drafts 29-32 */
};

static int decode_one(struct hs_msg *m, struct hs_cur *b, uint16_t type, enum hs_ext_where where,
                      struct hs_field *e, struct hs_ext_info *info)
{
    for (size_t i = 0; i < sizeof ext_kinds / sizeof ext_kinds[0]; i++)
        if (ext_kinds[i].type == type)
            return ext_kinds[i].decode(m, b, where, e, info);
    b->off = b->end; /* the length says it all */
    return HS_OK;
}

int hs_decode_extensions(struct hs_msg *m, struct hs_cur *c, enum hs_ext_where where,
                         struct hs_field *parent, struct hs_ext_info *info)
{
    size_t at = c->off;
    struct hs_cur list;
    int r = hs_cur_vec(c, 2, 0, 0xffff, &list);
    if (r != HS_OK) {
        hs_f_int(parent, "extensions_length_invalid", 1);
        hs_msg_fail(m, "extensions", r, at);
        return r;
    }
    struct hs_field *arr = hs_f_span(hs_f_arr(parent, "extensions"), at, c->off - at);
    uint16_t seen[HS_MAX_EXTENSIONS];
    unsigned nseen = 0;
    while (hs_cur_left(&list) > 0) {
        size_t eoff = list.off;
        if (nseen >= HS_MAX_EXTENSIONS) {
            hs_msg_fail(m, "extensions", HS_ERR_LIMIT, eoff);
            return HS_ERR_LIMIT;
        }
        uint16_t type;
        struct hs_cur body;
        r = hs_cur_u16(&list, &type);
        if (r == HS_OK)
            r = hs_cur_vec(&list, 2, 0, 0xffff, &body);
        if (r != HS_OK) {
            hs_msg_fail(m, "extensions", r == HS_ERR_TRUNCATED ? HS_ERR_INVALID : r, eoff);
            return r;
        }
        struct hs_field *e = hs_f_span(hs_f_obj(arr, NULL), eoff, list.off - eoff);
        char unk[24];
        const char *name = hs_fmt_extension(type, unk, sizeof unk);
        hs_f_str(e, "type", name);
        hs_f_int(e, "id", type);
        hs_f_int(e, "length", (long long)hs_cur_left(&body));
        if (hs_is_grease(type))
            hs_f_bool(e, "grease", true);
        for (unsigned i = 0; i < nseen; i++) {
            if (seen[i] == type && !hs_is_grease(type)) {
                hs_f_bool(e, "duplicate", true);
                m->ev->problem = true;
                if (m->err[0] == '\0')
                    snprintf(m->err, sizeof m->err, "%s.extensions: duplicate %s at +%zu",
                             m->name, name, eoff);
                break;
            }
        }
        seen[nseen++] = type;
        info->types[info->ntypes++] = type;
        info->count++;
        r = decode_one(m, &body, type, where, e, info);
        if (r != HS_OK) {
            char what[64];
            snprintf(what, sizeof what, "%s", name);
            hs_msg_fail(m, what, r == HS_ERR_TRUNCATED ? HS_ERR_INVALID : r, body.off);
            hs_f_bool(e, "malformed", true);
        } else if (hs_cur_left(&body) > 0) {
            hs_f_int(e, "trailing_bytes", (long long)hs_cur_left(&body));
        }
    }
    return HS_OK;
}
