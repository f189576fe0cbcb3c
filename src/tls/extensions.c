/* Hello (and other) extensions: each one by its IANA name with its decoded content
 * (RFC 8446 4.2, RFC 6066, RFC 7301, RFC 7627, RFC 7685, RFC 8449, RFC 8879, ...). */
#include "msg.h"

#include "../core/escape.h"
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list of 16-bit code points: array of names under `key`; returns the count. */
static int u16_list(struct hs_cur *v, struct hs_field *e, const char *key,
                    const char *(*fmt)(uint16_t, char *, size_t), unsigned *count)
{
    HS_ENSURE(hs_cur_left(v) % 2 == 0, HS_ERR_INVALID);
    struct hs_field *a = hs_f_arr(e, key);
    unsigned n = 0;
    while (hs_cur_left(v) >= 2) {
        size_t at = v->off;
        uint16_t x;
        HS_TRY(hs_cur_u16(v, &x));
        if (n < HS_MAX_LIST_ITEMS) {
            char buf[48];
            hs_f_span(hs_f_str(a, NULL, fmt(x, buf, sizeof buf)), at, 2);
        }
        n++;
    }
    if (count)
        *count = n;
    return HS_OK;
}

static int ext_server_name(struct hs_msg *m, struct hs_cur *b, struct hs_field *e,
                           struct hs_ext_info *info)
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

static int ext_key_share(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,
                         struct hs_field *e, struct hs_ext_info *info)
{
    char buf[48];
    if (where == HS_EXT_HRR) {
        uint16_t g;
        HS_TRY(hs_cur_u16(b, &g));
        hs_f_str(e, "selected_group", hs_fmt_group(g, buf, sizeof buf));
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
        hs_f_int(o, "key_length", (long long)hs_cur_left(&key));
        hs_f_span(hs_f_hex(o, "key", hs_cur_ptr(&key), hs_cur_left(&key) > 64 ? 64 : hs_cur_left(&key)),
                  key.off, hs_cur_left(&key));
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

static int ext_alpn(struct hs_msg *m, struct hs_cur *b, struct hs_field *e,
                    struct hs_ext_info *info)
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

static int ext_pre_shared_key(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,
                              struct hs_field *e, struct hs_ext_info *info)
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
                         const char *(*name)(uint8_t))
{
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 1, 1, 0xff, &list));
    struct hs_field *a = hs_f_arr(e, key);
    while (hs_cur_left(&list) > 0) {
        uint8_t v;
        HS_TRY(hs_cur_u8(&list, &v));
        const char *s = name(v);
        if (s)
            hs_f_str(a, NULL, s);
        else
            hs_f_fmt(a, NULL, "%u", v);
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

static int ext_status_request(struct hs_cur *b, enum hs_ext_where where, struct hs_field *e)
{
    if (hs_cur_left(b) == 0)
        return HS_OK;
    uint8_t type;
    HS_TRY(hs_cur_u8(b, &type));
    hs_f_str(e, "status_type", type == 1 ? "ocsp" : "unknown");
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

static int ext_versions(struct hs_cur *b, enum hs_ext_where where, struct hs_field *e,
                        struct hs_ext_info *info)
{
    char buf[48];
    if (where != HS_EXT_CH) {
        uint16_t v;
        HS_TRY(hs_cur_u16(b, &v));
        hs_f_str(e, "selected_version", hs_fmt_version(v, buf, sizeof buf));
        info->selected_version = v;
        return HS_OK;
    }
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 1, 2, 254, &list));
    HS_ENSURE(hs_cur_left(&list) % 2 == 0, HS_ERR_INVALID);
    struct hs_field *a = hs_f_arr(e, "versions");
    while (hs_cur_left(&list) > 0) {
        uint16_t v;
        HS_TRY(hs_cur_u16(&list, &v));
        hs_f_str(a, NULL, hs_fmt_version(v, buf, sizeof buf));
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

static int ext_sct(struct hs_cur *b, struct hs_field *e)
{
    if (hs_cur_left(b) == 0)
        return HS_OK;
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 2, 1, 0xffff, &list));
    unsigned n = 0;
    while (hs_cur_left(&list) > 0) {
        struct hs_cur sct;
        HS_TRY(hs_cur_vec(&list, 2, 1, 0xffff, &sct));
        n++;
    }
    hs_f_int(e, "sct_count", n);
    return HS_OK;
}

static int ext_certificate_authorities(struct hs_cur *b, struct hs_field *e)
{
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 2, 3, 0xffff, &list));
    unsigned n = 0;
    while (hs_cur_left(&list) > 0) {
        struct hs_cur dn;
        HS_TRY(hs_cur_vec(&list, 2, 1, 0xffff, &dn));
        n++;
    }
    hs_f_int(e, "count", n);
    return HS_OK;
}

static int decode_one(struct hs_msg *m, struct hs_cur *b, uint16_t type, enum hs_ext_where where,
                      struct hs_field *e, struct hs_ext_info *info)
{
    struct hs_cur v;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    switch (type) {
    case 0: return ext_server_name(m, b, e, info);
    case 1:
        HS_TRY(hs_cur_u8(b, &u8));
        if (u8 >= 1 && u8 <= 4)
            hs_f_int(e, "max_fragment_length", 256 << u8);
        else
            hs_f_fmt(e, "max_fragment_length", "invalid(%u)", u8);
        return HS_OK;
    case 5: return ext_status_request(b, where, e);
    case 10:
        HS_TRY(hs_cur_vec(b, 2, 2, 0xffff, &v));
        if (info->offer)
            keep_groups(info->offer, v);
        return u16_list(&v, e, "groups", hs_fmt_group, &info->ngroups);
    case 11: return u8_named_list(b, e, "formats", point_format_name);
    case 13:
    case 50:
        HS_TRY(hs_cur_vec(b, 2, 2, 0xfffe, &v));
        return u16_list(&v, e, "schemes", hs_fmt_sigscheme, NULL);
    case 16: return ext_alpn(m, b, e, info);
    case 18: return ext_sct(b, e);
    case 21:
        hs_f_int(e, "padding_length", (long long)hs_cur_left(b));
        b->off = b->end;
        return HS_OK;
    case 27:
        HS_TRY(hs_cur_vec(b, 1, 2, 254, &v));
        return u16_list(&v, e, "algorithms", fmt_compression, NULL);
    case 28:
        HS_TRY(hs_cur_u16(b, &u16));
        hs_f_int(e, "record_size_limit", u16);
        return HS_OK;
    case 35:
        hs_f_int(e, "ticket_length", (long long)hs_cur_left(b));
        if (hs_cur_left(b) > 0)
            info->ticket_nonempty = true;
        b->off = b->end;
        return HS_OK;
    case 41: return ext_pre_shared_key(m, b, where, e, info);
    case 42:
        if (where == HS_EXT_NST) {
            HS_TRY(hs_cur_u32(b, &u32));
            hs_f_int(e, "max_early_data_size", u32);
            info->max_early_data = u32;
            info->has_max_early_data = true;
        }
        info->early_data = true;
        return HS_OK;
    case 43: return ext_versions(b, where, e, info);
    case 44:
        HS_TRY(hs_cur_vec(b, 2, 1, 0xffff, &v));
        hs_f_int(e, "cookie_length", (long long)hs_cur_left(&v));
        return HS_OK;
    case 45: return u8_named_list(b, e, "modes", psk_mode_name);
    case 47: return ext_certificate_authorities(b, e);
    case 51: return ext_key_share(m, b, where, e, info);
    case 0xff01:
        HS_TRY(hs_cur_vec(b, 1, 0, 0xff, &v));
        hs_f_int(e, "renegotiated_connection_length", (long long)hs_cur_left(&v));
        return HS_OK;
    case 0xfe0d:
        if (hs_cur_left(b) > 0 && where == HS_EXT_CH) {
            HS_TRY(hs_cur_u8(b, &u8));
            hs_f_str(e, "ech_type", u8 == 0 ? "outer" : u8 == 1 ? "inner" : "unknown");
        }
        b->off = b->end;
        return HS_OK;
    case 22: /* encrypt_then_mac */
    case 23: /* extended_master_secret */
    case 49: /* post_handshake_auth */
    default:
        /* Known empty ones and unknown ones: the length says it all. */
        b->off = b->end;
        return HS_OK;
    }
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
