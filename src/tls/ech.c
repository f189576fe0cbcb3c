/*
 * Encrypted Client Hello on the wire (RFC 9849): the encrypted_client_hello extension in its
 * three places (ClientHello: outer or inner marker; HelloRetryRequest: the confirmation;
 * EncryptedExtensions: retry_configs, an ECHConfigList) and ech_outer_extensions.
 */
#include "msg.h"

#include "hpke.h"
#include "keylog.h"

#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A registry name or "0x%04x", and its number beside it as KEY_id. */
static void named_u16(struct hs_field *e, const char *key, const char *name, uint16_t v)
{
    char id_key[24];
    if (name)
        hs_f_str(e, key, name);
    else
        hs_f_fmt(e, key, "0x%04x", v);
    snprintf(id_key, sizeof id_key, "%s_id", key);
    hs_f_int(e, id_key, v);
}

/* HpkeSymmetricCipherSuite: kdf_id, aead_id. */
static int hpke_suite(struct hs_cur *b, struct hs_field *o, uint16_t *kdf, uint16_t *aead)
{
    HS_TRY(hs_cur_u16(b, kdf));
    HS_TRY(hs_cur_u16(b, aead));
    named_u16(o, "kdf", hs_hpke_kdf_name(*kdf), *kdf);
    named_u16(o, "aead", hs_hpke_aead_name(*aead), *aead);
    return HS_OK;
}

/* ECHConfigContents (version 0xfe0d): HpkeKeyConfig, maximum_name_length, public_name,
 * extensions. */
static int ech_config_contents(struct hs_cur *c, struct hs_field *o)
{
    uint8_t id, maxlen;
    uint16_t kem;
    struct hs_cur pk, suites, name, exts;
    HS_TRY(hs_cur_u8(c, &id));
    hs_f_int(o, "config_id", id);
    HS_TRY(hs_cur_u16(c, &kem));
    named_u16(o, "kem", hs_hpke_kem_name(kem), kem);
    HS_TRY(hs_cur_vec(c, 2, 1, 0xffff, &pk));
    hs_f_int(o, "public_key_length", (long long)hs_cur_left(&pk));
    HS_TRY(hs_cur_vec(c, 2, 4, 0xfffc, &suites));
    HS_ENSURE(hs_cur_left(&suites) % 4 == 0, HS_ERR_INVALID);
    struct hs_field *a = hs_f_arr(o, "cipher_suites");
    for (unsigned n = 0; hs_cur_left(&suites) > 0; n++) {
        uint16_t kdf, aead;
        struct hs_field *s = n < HS_MAX_LIST_ITEMS ? hs_f_obj(a, NULL) : hs_field_new_object();
        int r = hpke_suite(&suites, s, &kdf, &aead);
        if (n >= HS_MAX_LIST_ITEMS)
            hs_field_free(s);
        HS_TRY(r);
    }
    HS_TRY(hs_cur_u8(c, &maxlen));
    hs_f_int(o, "maximum_name_length", maxlen);
    HS_TRY(hs_cur_vec(c, 1, 1, 0xff, &name));
    hs_f_span(hs_f_text(o, "public_name", hs_cur_ptr(&name), hs_cur_left(&name)), name.off,
              hs_cur_left(&name));
    HS_TRY(hs_cur_vec(c, 2, 0, 0xffff, &exts));
    struct hs_field *xa = hs_f_arr(o, "extensions");
    while (hs_cur_left(&exts) > 0) {
        uint16_t type;
        struct hs_cur body;
        HS_TRY(hs_cur_u16(&exts, &type));
        HS_TRY(hs_cur_vec(&exts, 2, 0, 0xffff, &body));
        if (hs_f_count(xa) < HS_MAX_LIST_ITEMS) {
            struct hs_field *x = hs_f_obj(xa, NULL);
            hs_f_fmt(x, "type", "0x%04x", type);
            hs_f_int(x, "id", type);
            hs_f_int(x, "length", (long long)hs_cur_left(&body));
            if (type & 0x8000)
                hs_f_bool(x, "mandatory", true);
        }
    }
    return HS_OK;
}

int hs_decode_ech_configs(struct hs_cur *list, struct hs_field *arr)
{
    unsigned n = 0;
    while (hs_cur_left(list) > 0) {
        size_t at = list->off;
        uint16_t version;
        struct hs_cur body;
        HS_TRY(hs_cur_u16(list, &version));
        HS_TRY(hs_cur_vec(list, 2, 0, 0xffff, &body));
        if (n++ >= HS_MAX_LIST_ITEMS)
            continue;
        struct hs_field *o = hs_f_span(hs_f_obj(arr, NULL), at, list->off - at);
        hs_f_fmt(o, "version", "0x%04x", version);
        hs_f_int(o, "version_id", version);
        hs_f_int(o, "length", (long long)hs_cur_left(&body));
        if (version != 0xfe0d)
            continue; /* RFC 9849 4: a client skips versions it does not know */
        HS_TRY(ech_config_contents(&body, o));
        if (hs_cur_left(&body) > 0)
            hs_f_int(o, "trailing_bytes", (long long)hs_cur_left(&body));
    }
    return HS_OK;
}

/* ClientHello: ECHClientHello (RFC 9849 5). */
static int ech_client_hello(struct hs_msg *m, struct hs_cur *b, struct hs_field *e,
                            struct hs_ext_info *info)
{
    uint8_t type;
    HS_TRY(hs_cur_u8(b, &type));
    if (type == 1) {
        hs_f_str(e, "ech_type", "inner");
        info->ech_inner = true;
        if (!m->st->ech.decoding_inner)
            m->st->ech.inner_on_wire = true;
        return HS_OK;
    }
    if (type != 0) {
        hs_f_fmt(e, "ech_type", "unknown(%u)", type);
        b->off = b->end;
        return HS_OK;
    }
    hs_f_str(e, "ech_type", "outer");
    uint16_t kdf, aead;
    uint8_t id;
    struct hs_cur enc, payload;
    HS_TRY(hpke_suite(b, e, &kdf, &aead));
    HS_TRY(hs_cur_u8(b, &id));
    hs_f_int(e, "config_id", id);
    HS_TRY(hs_cur_vec(b, 2, 0, 0xffff, &enc));
    hs_f_int(e, "enc_length", (long long)hs_cur_left(&enc));
    if (hs_cur_left(&enc) > 0)
        hs_f_span(hs_f_hex(e, "enc", hs_cur_ptr(&enc), hs_cur_left(&enc) > 64 ? 64
                                                                              : hs_cur_left(&enc)),
                  enc.off, hs_cur_left(&enc));
    HS_TRY(hs_cur_vec(b, 2, 1, 0xffff, &payload));
    hs_f_span(hs_f_int(e, "payload_length", (long long)hs_cur_left(&payload)), payload.off,
              hs_cur_left(&payload));
    info->ech_outer = true;
    info->ech_enc_off = enc.off;
    info->ech_enc_len = hs_cur_left(&enc);
    info->ech_payload_off = payload.off;
    info->ech_payload_len = hs_cur_left(&payload);
    if (!m->st->ech.decoding_inner && !m->st->ch_seen) {
        m->st->ech.offered = true;
        m->st->ech.kdf = kdf;
        m->st->ech.aead = aead;
        m->st->ech.config_id = id;
        memcpy(m->st->ech.outer_random, m->st->client_random, 32);
    }
    return HS_OK;
}

int hs_ext_ech(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where, struct hs_field *e,
               struct hs_ext_info *info)
{
    switch (where) {
    case HS_EXT_CH:
        return ech_client_hello(m, b, e, info);
    case HS_EXT_HRR: {
        /* RFC 9849 7.2.1: 8 bytes of confirmation when the server accepted ECH */
        const uint8_t *conf;
        HS_TRY(hs_cur_bytes(b, 8, &conf));
        hs_f_span(hs_f_hex(e, "confirmation", conf, 8), b->off - 8, 8);
        m->st->ech.hrr_confirmation = true;
        m->st->ech.hrr_conf_off = b->off - 8;
        return HS_OK;
    }
    case HS_EXT_EE: {
        /* RFC 9849 7.1: retry_configs, the server's current ECHConfigList */
        struct hs_cur list;
        HS_TRY(hs_cur_vec(b, 2, 4, 0xffff, &list));
        m->st->ech.retry_configs = true;
        struct hs_field *a = hs_f_arr(e, "retry_configs");
        return hs_decode_ech_configs(&list, a);
    }
    default:
        b->off = b->end;
        return HS_OK;
    }
}

int hs_ext_ech_outer_extensions(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,
                                struct hs_field *e, struct hs_ext_info *info)
{
    struct hs_cur list;
    HS_TRY(hs_cur_vec(b, 1, 2, 254, &list));
    HS_ENSURE(hs_cur_left(&list) % 2 == 0, HS_ERR_INVALID);
    struct hs_field *a = hs_f_arr(e, "outer_extensions");
    struct hs_field *ids = hs_f_arr(e, "outer_extension_ids");
    while (hs_cur_left(&list) > 0) {
        uint16_t t;
        char buf[48];
        HS_TRY(hs_cur_u16(&list, &t));
        hs_f_str(a, NULL, hs_fmt_extension(t, buf, sizeof buf));
        hs_f_int(ids, NULL, t);
    }
    return HS_OK;
}

struct hs_field *hs_ech_verdict(const struct hs_tls_state *st, const struct hs_keylog *keys)
{
    const struct hs_ech_state *e = &st->ech;
    struct hs_field *v = hs_field_new_object();
    const char *status = "unknown", *reason = "real or GREASE: needs the key log";
    size_t len = 0;
    bool outer_keys = st->sh_seen && keys &&
                      hs_keylog_find(keys, HS_SECRET_SERVER_HANDSHAKE, e->outer_random, &len);
    if (e->inner_on_wire && !e->offered) {
        status = "inner on the wire";
        reason = "a ClientHello with the inner marker was sent in the clear";
    } else if (e->decrypted && e->accepted == 1) {
        status = "accepted";
        reason = "the ServerHello's confirmation matches the decrypted ClientHelloInner";
    } else if (e->retry_configs) {
        status = "rejected";
        reason = "the server sent retry_configs in EncryptedExtensions";
    } else if (e->required_alert) {
        status = "rejected";
        reason = "an ech_required alert";
    } else if (e->decrypted && e->accepted == 0) {
        status = "rejected";
        reason = "the ServerHello's confirmation does not match the ClientHelloInner";
    } else if (e->trial_matched) {
        status = "accepted";
        reason = "the key log's handshake secrets are those of another client random, found by "
                 "trial decryption of the server's first encrypted record: the handshake went "
                 "on with the ClientHelloInner";
    } else if (e->decrypted) {
        status = "decrypted";
        reason = e->check_why ? e->check_why : "no ServerHello: acceptance not known";
    } else if (outer_keys) {
        status = "not accepted";
        reason = "the key log's handshake secrets are those of the ClientHelloOuter: GREASE, "
                 "or a server that ignored ECH";
    }
    hs_f_str(v, "status", status);
    hs_f_str(v, "reason", reason);
    if (e->offered) {
        hs_f_int(v, "config_id", e->config_id);
        named_u16(v, "kdf", hs_hpke_kdf_name(e->kdf), e->kdf);
        named_u16(v, "aead", hs_hpke_aead_name(e->aead), e->aead);
    }
    if (e->decrypted) {
        if (e->inner_sni[0]) /* already escaped: stored as it is */
            hs_f_str_escaped(v, "inner_sni", hs_xstrdup(e->inner_sni));
        hs_f_int(v, "key_log_entry", e->key_ordinal);
    } else if (e->why_not[0]) {
        hs_f_str(v, "not_decrypted", e->why_not);
    }
    if (e->trial_matched) {
        char hex[65];
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", e->trial_random[i]);
        hs_f_str(v, "key_log_random", hex);
    }
    if (e->hrr_confirmation)
        hs_f_bool(v, "hrr_confirmation", true);
    return v;
}
