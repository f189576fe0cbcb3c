/*
 * Encrypted Client Hello with the key log (RFC 9849 5, 6.1, 7.2): the ClientHelloInner
 * decrypted with an ECH_SECRET / ECH_CONFIG entry (HPKE, hpke.c), its ech_outer_extensions
 * expanded from the ClientHelloOuter, decoded like any ClientHello, and the server's
 * acceptance signal in the ServerHello random checked against the inner transcript.
 */
#include "msg.h"

#include "../core/mem.h"
#include "keylog.h"
#include "keysched.h"
#include "protect.h"
#include "suites.h"

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parts of a ClientHello body (no handshake header) the expansion needs. */
struct ch_parts {
    struct hs_cur sid, suites, comp, exts; /* vectors, length prefixes excluded */
    size_t suites_at, end;                 /* suites' length prefix; where the hello ends */
};

static int ch_split(const uint8_t *p, size_t n, struct ch_parts *o)
{
    struct hs_cur c = hs_cur_make(p, n);
    HS_TRY(hs_cur_skip(&c, 2 + 32));
    HS_TRY(hs_cur_vec(&c, 1, 0, 32, &o->sid));
    o->suites_at = c.off;
    HS_TRY(hs_cur_vec(&c, 2, 2, 0xfffe, &o->suites));
    HS_TRY(hs_cur_vec(&c, 1, 1, 0xff, &o->comp));
    o->exts = hs_cur_make(p, 0);
    if (hs_cur_left(&c) > 0)
        HS_TRY(hs_cur_vec(&c, 2, 0, 0xffff, &o->exts));
    o->end = c.off;
    return HS_OK;
}

/* The expanded hello being built: cap bounds every write (it is sized so that a well-formed
 * input fits; anything else is refused, not written past). */
struct out {
    uint8_t *b;
    size_t len, cap;
    bool over;
};

static void put(struct out *o, const uint8_t *p, size_t n)
{
    if (o->over || n > o->cap - o->len) {
        o->over = true;
        return;
    }
    memcpy(o->b + o->len, p, n);
    o->len += n;
}

/* The outer extension of `type` at or after *from in outer's extensions (RFC 9849 5.1: in
 * the order of the reference); copied whole into out. */
static bool copy_outer(const struct hs_cur *outer, size_t *from, uint16_t type, struct out *o)
{
    struct hs_cur c = *outer;
    c.off = *from;
    while (hs_cur_left(&c) > 0) {
        size_t at = c.off;
        uint16_t t;
        struct hs_cur body;
        if (hs_cur_u16(&c, &t) != HS_OK || hs_cur_vec(&c, 2, 0, 0xffff, &body) != HS_OK)
            return false;
        if (t == type) {
            put(o, c.buf + at, c.off - at);
            *from = c.off;
            return true;
        }
    }
    return false;
}

/* EncodedClientHelloInner (body enc/nenc) + the outer body -> the ClientHelloInner message with
 * its header, into a new buffer; NULL with why on an error. */
static uint8_t *expand(const uint8_t *enc, size_t nenc, const uint8_t *outer, size_t nouter,
                       size_t *out_len, char *why, size_t whysz)
{
    struct ch_parts in, out_p;
    if (ch_split(enc, nenc, &in) != HS_OK || ch_split(outer, nouter, &out_p) != HS_OK) {
        snprintf(why, whysz, "the decrypted EncodedClientHelloInner does not parse");
        return NULL;
    }
    for (size_t i = in.end; i < nenc; i++)
        if (enc[i] != 0) {
            snprintf(why, whysz, "non-zero padding after the EncodedClientHelloInner");
            return NULL;
        }
    struct out o = {hs_xmalloc(4 + nenc + nouter + 64), 4, 4 + nenc + nouter + 64, false};
    o.b[0] = 1;
    put(&o, enc, 2 + 32);
    uint8_t sidlen = (uint8_t)hs_cur_left(&out_p.sid); /* RFC 9849 5.1: the outer's session id */
    put(&o, &sidlen, 1);
    put(&o, hs_cur_ptr(&out_p.sid), hs_cur_left(&out_p.sid));
    put(&o, enc + in.suites_at, in.comp.end - in.suites_at);
    size_t exts_at = o.len;
    uint8_t zero2[2] = {0, 0};
    put(&o, zero2, 2);
    size_t from = out_p.exts.off;
    struct hs_cur c = in.exts;
    while (hs_cur_left(&c) > 0) {
        size_t at = c.off;
        uint16_t t;
        struct hs_cur body, list;
        if (hs_cur_u16(&c, &t) != HS_OK || hs_cur_vec(&c, 2, 0, 0xffff, &body) != HS_OK)
            goto bad;
        if (t != 0xfd00) {
            put(&o, enc + at, c.off - at);
            continue;
        }
        if (hs_cur_vec(&body, 1, 2, 254, &list) != HS_OK || hs_cur_left(&list) % 2 != 0)
            goto bad;
        while (hs_cur_left(&list) > 0) {
            uint16_t ref;
            if (hs_cur_u16(&list, &ref) != HS_OK)
                goto bad;
            if (ref == 0xfe0d || !copy_outer(&out_p.exts, &from, ref, &o)) {
                snprintf(why, whysz,
                         "ech_outer_extensions names 0x%04x, not in the ClientHelloOuter (in "
                         "that order)",
                         ref);
                free(o.b);
                return NULL;
            }
        }
    }
    size_t elen = o.len - exts_at - 2, blen = o.len - 4;
    if (o.over || elen > 0xffff)
        goto bad;
    o.b[exts_at] = (uint8_t)(elen >> 8);
    o.b[exts_at + 1] = (uint8_t)elen;
    o.b[1] = (uint8_t)(blen >> 16);
    o.b[2] = (uint8_t)(blen >> 8);
    o.b[3] = (uint8_t)blen;
    *out_len = o.len;
    return o.b;
bad:
    snprintf(why, whysz, "the decrypted EncodedClientHelloInner's extensions do not parse");
    free(o.b);
    return NULL;
}

/* ECHConfig: version 0xfe0d, its config id and KEM. */
static bool config_ids(const struct hs_ech_key *k, uint8_t *id, uint16_t *kem)
{
    struct hs_cur c = hs_cur_make(k->config, k->config_len);
    uint16_t version, kem_;
    struct hs_cur body;
    if (hs_cur_u16(&c, &version) != HS_OK || version != 0xfe0d ||
        hs_cur_vec(&c, 2, 0, 0xffff, &body) != HS_OK || hs_cur_u8(&body, id) != HS_OK ||
        hs_cur_u16(&body, &kem_) != HS_OK)
        return false;
    *kem = kem_;
    return true;
}

/* Tries the key log's ECH entries on the payload; the plaintext into out (payload_len). */
static const struct hs_ech_key *try_keys(struct hs_msg *m, const uint8_t *aad, size_t naad,
                                         const uint8_t *ct, size_t nct, uint8_t *out,
                                         size_t *nout)
{
    struct hs_ech_state *e = &m->st->ech;
    size_t count = hs_keylog_ech_count(m->keys), usable = 0;
    for (size_t i = 0; i < count; i++) {
        const struct hs_ech_key *k = hs_keylog_ech_get(m->keys, i);
        uint8_t id;
        uint16_t kem;
        if (k->secret_len == 0 || !config_ids(k, &id, &kem) || id != e->config_id)
            continue;
        usable++;
        uint8_t info[8 + HS_ECH_CONFIG_MAX];
        memcpy(info, "tls ech", 8); /* with its NUL: "tls ech" || 0x00 || ECHConfig */
        memcpy(info + 8, k->config, k->config_len);
        struct hs_hpke_ctx cx;
        if (hs_hpke_setup(&cx, kem, e->kdf, e->aead, k->secret, k->secret_len, info,
                          8 + k->config_len) != HS_OK)
            continue;
        if (hs_hpke_open(&cx, aad, naad, ct, nct, out, nout) == HS_OK) {
            e->hpke = cx;
            return k;
        }
    }
    if (usable)
        snprintf(e->why_not, sizeof e->why_not,
                 "none of the key log's %zu ECH entries for config id %u decrypts it", usable,
                 e->config_id);
    else
        snprintf(e->why_not, sizeof e->why_not,
                 "the key log has no ECH_SECRET with an ECH_CONFIG of config id %u",
                 e->config_id);
    return NULL;
}

/* The inner hello's host_name, from its decoded fields. */
static void keep_inner_sni(struct hs_ech_state *e, const struct hs_field *f)
{
    const struct hs_field *exts = hs_f_get(f, "extensions");
    for (const struct hs_field *x = exts ? exts->child : NULL; x; x = x->next) {
        const char *t = hs_f_get_str(x, "type"), *h = hs_f_get_str(x, "host_name");
        if (t && h && strcmp(t, "server_name") == 0) {
            snprintf(e->inner_sni, sizeof e->inner_sni, "%s", h);
            return;
        }
    }
}

/* Spans name bytes of the inner hello, not of the message the tree is attached to. */
static void drop_spans(struct hs_field *f)
{
    for (; f; f = f->next) {
        f->off = f->len = 0;
        drop_spans(f->child);
    }
}

/* Decodes the inner hello in a scratch state and attaches its fields to the outer's. */
static void decode_inner(struct hs_msg *m, const struct hs_ech_key *k)
{
    struct hs_ech_state *e = &m->st->ech;
    struct hs_tls_state *scratch = hs_xmalloc(sizeof *scratch);
    memcpy(scratch, m->st, sizeof *scratch);
    scratch->ech.decoding_inner = true;
    struct hs_event *ev = hs_event_new(m->from, HS_LAYER_TLS, "ClientHello", m->ev->t_ms);
    struct hs_msg im = {.st = scratch, .trace = m->trace, .ev = ev, .f = ev->fields,
                        .from = m->from, .name = "ClientHelloInner"};
    hs_decode_client_hello(&im, e->inner, e->ninner);
    hs_msg_done(&im);
    e->inner_offer = scratch->offer;
    memcpy(e->inner_random, e->inner + 6, 32);
    e->key_random_differs = memcmp(k->client_random, e->inner_random, 32) != 0;
    free(scratch);
    struct hs_field *f = ev->fields;
    ev->fields = hs_field_new_object();
    hs_f_fmt(f, "decrypted_with", "ECH_SECRET and ECH_CONFIG of the key log's ECH entry %u",
             k->ordinal);
    if (e->key_random_differs)
        hs_f_str(f, "key_log_random", "differs from the inner hello's random");
    keep_inner_sni(e, f);
    drop_spans(f);
    hs_f_attach(m->f, "client_hello_inner", f);
    hs_event_free(ev);
}

void hs_ech_open(struct hs_msg *m, const uint8_t *p, size_t n, const struct hs_ext_info *info)
{
    struct hs_ech_state *e = &m->st->ech;
    if (!info->ech_outer || e->decoding_inner || !e->offered || n < 4)
        return;
    bool second = e->decrypted; /* after a HelloRetryRequest: the same context, seq 1 */
    if (!second && hs_keylog_ech_count(m->keys) == 0)
        return;
    /* the first ClientHello, or the second after a HelloRetryRequest */
    unsigned nth = m->st->ch_count;
    if ((second ? nth != 2 || m->st->hrr_count == 0 : nth != 1) || info->ech_payload_off < 4 ||
        info->ech_payload_off + info->ech_payload_len > n)
        return;
    uint8_t *aad = hs_xmalloc(n - 4), *pt = hs_xmalloc(info->ech_payload_len);
    memcpy(aad, p + 4, n - 4);
    memset(aad + info->ech_payload_off - 4, 0, info->ech_payload_len);
    size_t npt = 0;
    const struct hs_ech_key *k = NULL;
    if (second) {
        if (hs_hpke_open(&e->hpke, aad, n - 4, p + info->ech_payload_off,
                         info->ech_payload_len, pt, &npt) == HS_OK)
            k = hs_keylog_ech_get(m->keys, e->key_ordinal - 1);
        else
            hs_f_str(m->f, "ech_inner_not_decrypted", "the second payload does not decrypt");
    } else {
        k = try_keys(m, aad, n - 4, p + info->ech_payload_off, info->ech_payload_len, pt,
                     &npt);
    }
    if (k != NULL) {
        char why[160];
        size_t ninner = 0;
        uint8_t *inner = expand(pt, npt, p + 4, n - 4, &ninner, why, sizeof why);
        if (inner == NULL) {
            hs_f_str(m->f, "ech_inner_not_decoded", why);
            hs_msg_violation(m, "ClientHelloInner: %s", why);
        } else {
            if (second) { /* the first inner hello stays for the transcript */
                free(e->inner1);
                e->inner1 = e->inner;
                e->ninner1 = e->ninner;
            } else {
                free(e->inner);
            }
            e->inner = inner;
            e->ninner = ninner;
            e->decrypted = true;
            e->accepted = -1; /* until the ServerHello */
            e->key_ordinal = k->ordinal;
            decode_inner(m, k);
        }
    } else if (!second) {
        hs_f_str(m->f, "ech_inner_not_decrypted", e->why_not);
    }
    memset(pt, 0, info->ech_payload_len);
    free(pt);
    free(aad);
}

void hs_ech_free(struct hs_ech_state *e)
{
    free(e->inner);
    free(e->inner1);
    free(e->hrr);
    e->inner = e->inner1 = e->hrr = NULL;
}

/* The inner transcript's hash (RFC 8446 4.4.1): parts in order; with first != NULL, the first
 * ClientHelloInner replaced by message_hash as after a HelloRetryRequest. */
static int inner_hash(const mbedtls_md_info_t *md, const uint8_t *first, size_t nfirst,
                      const uint8_t *const *parts, const size_t *lens, size_t nparts,
                      uint8_t *out)
{
    uint8_t h1[64], mh[4];
    size_t hl = mbedtls_md_get_size(md);
    mbedtls_md_context_t c;
    mbedtls_md_init(&c);
    int r = mbedtls_md_setup(&c, md, 0);
    if (first) {
        r = r ? r : mbedtls_md(md, first, nfirst, h1);
        mh[0] = 254; /* message_hash */
        mh[1] = mh[2] = 0;
        mh[3] = (uint8_t)hl;
    }
    r = r ? r : mbedtls_md_starts(&c);
    if (first) {
        r = r ? r : mbedtls_md_update(&c, mh, 4);
        r = r ? r : mbedtls_md_update(&c, h1, hl);
    }
    for (size_t i = 0; i < nparts; i++)
        r = r ? r : mbedtls_md_update(&c, parts[i], lens[i]);
    r = r ? r : mbedtls_md_finish(&c, out);
    mbedtls_md_free(&c);
    return r == 0 ? HS_OK : HS_ERR_CRYPTO;
}

/* HKDF-Expand-Label(HKDF-Extract(0, inner random), label, th, 8) == got. */
static bool confirmed(const struct hs_suite *s, const uint8_t random[32], const char *label,
                      const uint8_t *th, const uint8_t got[8], bool *ok)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(
        s->hash == HS_HASH_SHA384 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA256);
    size_t hl = mbedtls_md_get_size(md);
    uint8_t prk[64], conf[8];
    if (mbedtls_hkdf_extract(md, NULL, 0, random, 32, prk) != 0 ||
        hs_hkdf_expand_label(s->hash, prk, hl, label, th, hl, conf, 8) != HS_OK)
        return false;
    *ok = memcmp(conf, got, 8) == 0;
    return true;
}

static const mbedtls_md_info_t *suite_md(const struct hs_suite *s)
{
    return mbedtls_md_info_from_type(s->hash == HS_HASH_SHA384 ? MBEDTLS_MD_SHA384
                                                               : MBEDTLS_MD_SHA256);
}

void hs_ech_check_hrr(struct hs_msg *m, const uint8_t *p, size_t n, uint16_t suite)
{
    struct hs_ech_state *e = &m->st->ech;
    const struct hs_suite *s = hs_suite_find(suite);
    if (!e->decrypted || m->st->hrr_count != 0 || s == NULL || !s->tls13 || e->hrr != NULL)
        return;
    e->hrr = hs_xmalloc(n);
    memcpy(e->hrr, p, n);
    e->nhrr = n;
    if (!e->hrr_confirmation) {
        /* RFC 9849 7.2.1: a server that accepts ECH confirms it in its HelloRetryRequest */
        e->accepted = 0;
        hs_f_str(m->f, "ech_confirmation", "absent: ECH rejected (the handshake goes on with "
                                           "the ClientHelloOuter)");
        return;
    }
    if (e->hrr_conf_off + 8 > n)
        return;
    uint8_t *zeroed = hs_xmalloc(n), th[64];
    memcpy(zeroed, p, n);
    memset(zeroed + e->hrr_conf_off, 0, 8);
    const uint8_t *parts[1] = {zeroed};
    size_t lens[1] = {n};
    bool ok = false;
    if (inner_hash(suite_md(s), e->inner, e->ninner, parts, lens, 1, th) == HS_OK &&
        confirmed(s, e->inner_random, "hrr ech accept confirmation", th, p + e->hrr_conf_off,
                  &ok)) {
        e->accepted = ok ? -1 : 0; /* accepted: known at the ServerHello */
        hs_f_span(hs_f_str(m->f, "ech_confirmation",
                           ok ? "matches: ECH accepted (the second ClientHelloInner follows)"
                              : "does not match: ECH rejected"),
                  e->hrr_conf_off, 8);
    }
    free(zeroed);
}

void hs_ech_check_accept(struct hs_msg *m, const uint8_t *p, size_t n, uint16_t suite)
{
    struct hs_tls_state *st = m->st;
    struct hs_ech_state *e = &st->ech;
    if (!e->decrypted || e->accepted == 1 || n < 38)
        return;
    const struct hs_suite *s = hs_suite_find(suite);
    if (st->hrr_count > 0 && e->accepted == 0)
        return; /* rejected at the HelloRetryRequest */
    e->accepted = -1;
    if (s == NULL || !s->tls13) {
        e->check_why = "the ServerHello names no TLS 1.3 suite";
        return;
    }
    if (st->hrr_count > 0 && (e->inner1 == NULL || e->hrr == NULL || st->hrr_count > 1)) {
        e->check_why = "after a HelloRetryRequest: the second ClientHelloInner was not decrypted";
        return;
    }
    /* RFC 9849 7.2: HKDF-Expand-Label(HKDF-Extract(0, inner.random), "ech accept
     * confirmation", Hash(inner transcript || ServerHello with the last 8 random bytes
     * zeroed), 8); after a HelloRetryRequest the transcript starts with message_hash */
    static const uint8_t zeros[8];
    uint8_t th[64];
    bool ok = false;
    const uint8_t *parts[5];
    size_t lens[5], np = 0;
    if (st->hrr_count > 0) {
        parts[np] = e->hrr;
        lens[np++] = e->nhrr;
    }
    parts[np] = e->inner;
    lens[np++] = e->ninner;
    parts[np] = p;
    lens[np++] = 30;
    parts[np] = zeros;
    lens[np++] = 8;
    parts[np] = p + 38;
    lens[np++] = n - 38;
    if (inner_hash(suite_md(s), st->hrr_count > 0 ? e->inner1 : NULL, e->ninner1, parts, lens,
                   np, th) != HS_OK ||
        !confirmed(s, e->inner_random, "ech accept confirmation", th, p + 30, &ok)) {
        e->check_why = "the confirmation could not be computed";
        return;
    }
    e->accepted = ok;
    hs_f_span(hs_f_str(m->f, "ech_confirmation",
                       ok ? "matches: ECH accepted (the handshake goes on with the "
                            "ClientHelloInner)"
                          : "does not match: ECH rejected (the handshake goes on with the "
                            "ClientHelloOuter)"),
              30, 8);
    if (ok) {
        st->offer = e->inner_offer;
        memcpy(st->client_random, e->inner_random, 32);
        memcpy(st->last_client_random, e->inner_random, 32);
    }
}

void hs_ech_transcript(const struct hs_tls_state *st, struct hs_transcript *t, const uint8_t *sh,
                       size_t n)
{
    const struct hs_ech_state *e = &st->ech;
    if (e->accepted != 1 || e->inner == NULL)
        return;
    const uint8_t *msgs[4];
    size_t lens[4], k = 0;
    bool hrr = st->hrr_count > 0 && e->inner1 != NULL && e->hrr != NULL;
    if (hrr) {
        msgs[k] = e->inner1;
        lens[k++] = e->ninner1;
        msgs[k] = e->hrr;
        lens[k++] = e->nhrr;
    }
    msgs[k] = e->inner;
    lens[k++] = e->ninner;
    msgs[k] = sh;
    lens[k++] = n;
    hs_transcript_reset(t, msgs, lens, k, hrr);
}
