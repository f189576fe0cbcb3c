/*
 * One QUIC packet of a connection: its keys (Initial from the first Destination Connection ID,
 * the others from the key log once the TLS decoder knows the suite and the client random),
 * header protection and AEAD removed, one `quic` row ("Initial #0: CRYPTO[0+312], PADDING"),
 * and its CRYPTO frames reassembled per level and direction into the TLS decoder.
 */
#include "quicconn_internal.h"

#include "../core/mem.h"
#include "../tls/keylog.h"
#include "../tls/suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CRYPTO_FRAMES 64 /* CRYPTO frames of one packet taken into the streams */

double hs_quic_ms(const struct qconn *c, double ts)
{
    double ms = (ts - c->first_ts) * 1000.0;
    return ms > 0 ? ms : 0;
}

void hs_quic_row(struct qconn *c, struct hs_event *ev)
{
    if (c->rows >= HS_QUIC_MAX_ROWS) {
        c->rows_dropped++;
        c->rows_dropped_t = ev->t_ms;
        hs_event_free(ev);
        return;
    }
    c->rows++;
    hs_trace_add(c->trace, ev);
}

/* ---- CRYPTO streams ---- */

static const char *level_keys(enum qlevel lv, int side)
{
    if (lv == QL_INITIAL)
        return NULL;
    if (lv == QL_HANDSHAKE)
        return hs_secret_plain(side == HS_CLIENT ? HS_SECRET_CLIENT_HANDSHAKE
                                                 : HS_SECRET_SERVER_HANDSHAKE);
    return hs_secret_plain(side == HS_CLIENT ? HS_SECRET_CLIENT_TRAFFIC_0
                                             : HS_SECRET_SERVER_TRAFFIC_0);
}

static void deliver(struct qconn *c, enum qlevel lv, int side, const uint8_t *p, size_t n,
                    double t, uint64_t frame, const char *cipher)
{
    hs_decoder_crypto(c->dec, (enum hs_side)side, t, p, n, frame, level_keys(lv, side), cipher);
    c->cs[lv][side].next += n;
}

/* Bytes of the stream at off: in order now, held when ahead of a hole, dropped when seen. */
static void stream_add(struct qconn *c, enum qlevel lv, int side, uint64_t off, const uint8_t *p,
                       size_t n, double t, uint64_t frame, const char *cipher)
{
    struct qstream *s = &c->cs[lv][side];
    if (n == 0)
        return;
    if (off + n <= s->next) {
        s->retransmitted++;
        return;
    }
    if (off > HS_QUIC_MAX_OFFSET || n > HS_QUIC_MAX_OFFSET) {
        s->dropped++;
        return;
    }
    if (off < s->next) {
        size_t skip = (size_t)(s->next - off);
        p += skip;
        n -= skip;
        off = s->next;
    }
    if (off > s->next) {
        if (s->npieces == HS_QUIC_MAX_PIECES || n > HS_QUIC_MAX_HELD - s->held_bytes) {
            s->dropped++;
            return;
        }
        struct qpiece *pc = &s->held[s->npieces++];
        pc->off = off;
        pc->n = n;
        pc->p = hs_xmalloc(n);
        memcpy(pc->p, p, n);
        s->held_bytes += n;
        s->out_of_order++;
        return;
    }
    deliver(c, lv, side, p, n, t, frame, cipher);
    /* Held pieces that now touch the stream's end go in, as long as there are some. */
    for (bool moved = true; moved;) {
        moved = false;
        for (size_t i = 0; i < s->npieces; i++) {
            struct qpiece *pc = &s->held[i];
            if (pc->off > s->next)
                continue;
            if (pc->off + pc->n > s->next) {
                size_t skip = (size_t)(s->next - pc->off);
                deliver(c, lv, side, pc->p + skip, pc->n - skip, t, frame, cipher);
            }
            s->held_bytes -= pc->n;
            free(pc->p);
            *pc = s->held[--s->npieces];
            moved = true;
            break;
        }
    }
}

void hs_quic_streams_end(struct qconn *c, double t_ms)
{
    for (int lv = 0; lv < QL_COUNT; lv++)
        for (int side = 0; side < 2; side++) {
            struct qstream *s = &c->cs[lv][side];
            if (s->npieces == 0)
                continue;
            uint64_t first = UINT64_MAX;
            for (size_t i = 0; i < s->npieces; i++) {
                if (s->held[i].off < first)
                    first = s->held[i].off;
                free(s->held[i].p);
            }
            hs_decoder_gap(c->dec, (enum hs_side)side, t_ms, (size_t)(first - s->next));
            s->npieces = s->held_bytes = 0;
        }
}

/* ---- keys ---- */

static bool secret_keys(struct hs_quic_table *t, struct qconn *c, enum hs_secret kind,
                        struct hs_quic_keys *k)
{
    if (k->ready)
        return true;
    c->tally.needed |= 1u << kind;
    const uint8_t *random = hs_decoder_client_random(c->dec);
    const struct hs_suite *suite = hs_suite_find(hs_decoder_suite(c->dec));
    size_t len = 0;
    const uint8_t *secret = random ? hs_keylog_find(t->keys, kind, random, &len) : NULL;
    if (secret == NULL || suite == NULL)
        return false;
    return hs_quic_keys_from_secret(c->version, suite, secret, len, k) == HS_OK;
}

/* The keys of a packet of `side` of type `type`, or NULL. */
static struct hs_quic_keys *keys_for(struct hs_quic_table *t, struct qconn *c, int side,
                                     enum hs_quic_ptype type)
{
    switch (type) {
    case HS_QPT_INITIAL:
        return c->init[side].ready ? &c->init[side] : NULL;
    case HS_QPT_HANDSHAKE:
        return secret_keys(t, c, side ? HS_SECRET_SERVER_HANDSHAKE : HS_SECRET_CLIENT_HANDSHAKE,
                           &c->hs[side])
                   ? &c->hs[side]
                   : NULL;
    case HS_QPT_1RTT:
        return secret_keys(t, c, side ? HS_SECRET_SERVER_TRAFFIC_0 : HS_SECRET_CLIENT_TRAFFIC_0,
                           &c->app[side])
                   ? &c->app[side]
                   : NULL;
    default:
        return NULL;
    }
}

/* 0-RTT comes before the ServerHello names a suite: each TLS 1.3 AEAD is tried. */
static int open_early(struct hs_quic_table *t, struct qconn *c, const struct hs_quic_hdr *h,
                      const uint8_t *p, uint64_t *pn, size_t *outlen)
{
    c->tally.needed |= 1u << HS_SECRET_CLIENT_EARLY;
    const uint8_t *random = hs_decoder_client_random(c->dec);
    size_t len = 0;
    const uint8_t *secret = random ? hs_keylog_find(t->keys, HS_SECRET_CLIENT_EARLY, random, &len)
                                   : NULL;
    if (secret == NULL)
        return HS_ERR_UNSUPPORTED;
    if (c->early.ready) {
        memcpy(t->scratch, p, h->size);
        return hs_quic_open(&c->early, h, t->scratch, c->largest[QL_APP][HS_CLIENT], pn,
                            t->scratch + h->size, outlen);
    }
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303};
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (hs_quic_keys_from_secret(c->version, hs_suite_find(suites[i]), secret, len,
                                     &c->early) != HS_OK)
            continue;
        memcpy(t->scratch, p, h->size);
        if (hs_quic_open(&c->early, h, t->scratch, c->largest[QL_APP][HS_CLIENT], pn,
                         t->scratch + h->size, outlen) == HS_OK)
            return HS_OK;
        c->early.ready = false; /* a wrong suite fails authentication: the next one */
    }
    return HS_ERR_CRYPTO;
}

/*
 * A 1-RTT packet the current keys do not open may be the first of a key update (RFC 9001
 * 6): the next generation is tried, and kept when it opens it.
 */
static int key_update(struct hs_quic_table *t, struct qconn *c, int side,
                      const struct hs_quic_hdr *h, const uint8_t *p, uint64_t *pn, size_t *outlen)
{
    struct hs_quic_keys next;
    if (hs_quic_key_update(&c->app[side], &next) != HS_OK)
        return HS_ERR_CRYPTO;
    memcpy(t->scratch, p, h->size);
    int r = hs_quic_open(&next, h, t->scratch, c->largest[QL_APP][side], pn, t->scratch + h->size,
                         outlen);
    if (r == HS_OK) {
        c->app[side] = next;
        c->key_generation[side]++;
    }
    return r;
}

/* ---- the packet ---- */

struct crypto_list {
    struct {
        uint64_t off;
        const uint8_t *p;
        size_t n;
    } v[MAX_CRYPTO_FRAMES];
    size_t n, over;
};

static void on_crypto(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
    struct crypto_list *l = ctx;
    if (l->n == MAX_CRYPTO_FRAMES) {
        l->over++;
        return;
    }
    l->v[l->n].off = off;
    l->v[l->n].p = p;
    l->v[l->n].n = n;
    l->n++;
}

static enum qlevel level_of(enum hs_quic_ptype type)
{
    return type == HS_QPT_INITIAL ? QL_INITIAL : type == HS_QPT_HANDSHAKE ? QL_HANDSHAKE : QL_APP;
}

/* The plain-words sentence of a packet row (--explain), by packet type. */
static void explain(struct hs_event *ev, enum hs_quic_ptype type)
{
    static const char *const text[] = {
        [HS_QPT_INITIAL] = "An Initial packet carries the start of the handshake in CRYPTO "
                           "frames. It is encrypted, but with keys anyone can derive from the "
                           "client's first Destination Connection ID, so the hellos can be read "
                           "without a key log. (RFC 9001 §5.2)",
        [HS_QPT_0RTT] = "A 0-RTT packet carries data the client sends before the handshake ends, "
                        "under the early traffic secret of a resumed session; unlike the rest "
                        "it can be replayed. (RFC 9001 §4.6)",
        [HS_QPT_HANDSHAKE] = "A Handshake packet carries the rest of the TLS handshake, from "
                             "EncryptedExtensions to Finished, in CRYPTO frames under keys from "
                             "the handshake traffic secrets. (RFC 9001 §4.1)",
        [HS_QPT_RETRY] = "The server asks the client to prove its address before it does any "
                         "work: the client sends its Initial again with this token, to the new "
                         "connection ID. (RFC 9000 §8.1.2)",
        [HS_QPT_1RTT] = "A 1-RTT packet has the short header (only the destination connection "
                        "ID) and carries application data and control frames under the "
                        "application traffic secrets. (RFC 9000 §17.3)",
        [HS_QPT_VN] = "The server does not speak the client's version and lists those it does; "
                      "a client that speaks one starts again with it. (RFC 9000 §6)",
    };
    if ((unsigned)type < sizeof text / sizeof text[0] && ev->explain == NULL)
        ev->explain = hs_xstrdup(text[type]);
}

static void header_fields(struct hs_field *f, const struct hs_quic_hdr *h)
{
    hs_f_str(f, "packet_type", hs_quic_ptype_name(h->type));
    if (h->long_hdr) {
        char vb[64];
        hs_f_fmt(f, "version", "0x%08x", h->version);
        hs_f_int(f, "version_id", h->version);
        hs_f_str(f, "version_name", hs_quic_version_name(h->version, vb, sizeof vb));
        hs_f_hex(f, "dcid", h->dcid, h->dcid_len);
        hs_f_hex(f, "scid", h->scid, h->scid_len);
    } else {
        hs_f_hex(f, "dcid", h->dcid, h->dcid_len);
    }
    if (h->type == HS_QPT_INITIAL || h->type == HS_QPT_RETRY)
        hs_f_int(f, "token_length", (long long)h->token_len);
    hs_f_int(f, "length", (long long)h->size);
}

/* Version Negotiation and Retry: no protection, one row each. */
static void unprotected(struct qconn *c, int side, const struct hs_quic_hdr *h, double t,
                        uint64_t frame)
{
    struct hs_event *ev = hs_event_new((enum hs_side)side, HS_LAYER_QUIC,
                                       hs_quic_ptype_name(h->type), t);
    ev->length = h->size;
    hs_event_add_frame(ev, frame);
    header_fields(ev->fields, h);
    explain(ev, h->type);
    if (h->type == HS_QPT_VN) {
        struct hs_field *arr = hs_f_arr(ev->fields, "versions");
        struct hs_field *ids = hs_f_arr(ev->fields, "version_ids");
        char line[200] = "", vb[64];
        size_t used = 0;
        for (size_t i = 0; i < h->nversions && i < 64; i++) {
            const uint8_t *v = h->versions + 4 * i;
            uint32_t ver = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
            hs_quic_version_name(ver, vb, sizeof vb);
            hs_f_str(arr, NULL, vb);
            hs_f_int(ids, NULL, ver);
            if (used < sizeof line) {
                int w = snprintf(line + used, sizeof line - used, "%s%s", i ? ", " : "", vb);
                used += w > 0 ? (size_t)w : 0;
            }
        }
        hs_event_summary(ev, "the server offers %s", line);
        snprintf(c->vn_offer, sizeof c->vn_offer, "%s", line);
    } else {
        c->retry = true;
        c->retry_token = h->token_len;
        char cid[2 * HS_QUIC_MAX_CID + 1];
        for (size_t i = 0; i < h->scid_len; i++)
            snprintf(cid + 2 * i, 3, "%02x", h->scid[i]);
        cid[2 * h->scid_len] = '\0';
        hs_f_hex(ev->fields, "token", h->token, h->token_len < 256 ? h->token_len : 256);
        hs_event_summary(ev, "token %zu bytes, new connection ID %s: the client must send its "
                         "Initial again", h->token_len, cid);
        /* The client's next Initials go to the new ID, protected with keys from it. */
        if (hs_quic_initial_keys(c->version, h->scid, h->scid_len, &c->init[HS_CLIENT],
                                 &c->init[HS_SERVER]) != HS_OK)
            c->init[0].ready = c->init[1].ready = false;
        memcpy(c->scid, h->scid, h->scid_len);
        c->scid_len = h->scid_len;
        c->scid_known = true;
    }
    hs_quic_row(c, ev);
}

void hs_quicpkt(struct hs_quic_table *t, struct qconn *c, int side, const struct hs_quic_hdr *h,
                const uint8_t *p, double ts, uint64_t frame)
{
    double tm = hs_quic_ms(c, ts);
    if (h->type == HS_QPT_VN || h->type == HS_QPT_RETRY) {
        unprotected(c, side, h, tm, frame);
        return;
    }
    if (side == HS_SERVER && h->long_hdr && !c->retry) {
        memcpy(c->scid, h->scid, h->scid_len);
        c->scid_len = h->scid_len;
        c->scid_known = true;
    }
    if (side == HS_CLIENT && h->type == HS_QPT_HANDSHAKE && c->client_hs_t < 0)
        c->client_hs_t = tm;
    if (side == HS_SERVER && h->type == HS_QPT_1RTT)
        c->server_app_t = tm; /* the latest */

    const char *name = hs_quic_ptype_name(h->type);
    struct hs_event *ev = hs_event_new((enum hs_side)side, HS_LAYER_QUIC, name, tm);
    ev->length = h->size;
    hs_event_add_frame(ev, frame);
    header_fields(ev->fields, h);
    explain(ev, h->type);
    const char *token = "";
    char tokbuf[48];
    if (h->type == HS_QPT_INITIAL && h->token_len > 0) {
        snprintf(tokbuf, sizeof tokbuf, " (token %zu bytes)", h->token_len);
        token = tokbuf;
    }

    enum qlevel lv = level_of(h->type);
    uint64_t pn = 0;
    size_t outlen = 0;
    int r;
    struct hs_quic_keys *k = NULL;
    bool counted = h->type != HS_QPT_INITIAL;
    if (h->type == HS_QPT_0RTT) {
        r = open_early(t, c, h, p, &pn, &outlen);
        k = c->early.ready ? &c->early : NULL;
    } else {
        k = keys_for(t, c, side, h->type);
        r = HS_ERR_UNSUPPORTED;
        if (k) {
            memcpy(t->scratch, p, h->size);
            r = hs_quic_open(k, h, t->scratch, c->largest[lv][side], &pn, t->scratch + h->size,
                             &outlen);
        }
        if (r == HS_ERR_CRYPTO && h->type == HS_QPT_1RTT)
            r = key_update(t, c, side, h, p, &pn, &outlen);
    }
    if (r == HS_ERR_UNSUPPORTED) {
        ev->encrypted = true;
        hs_f_str(ev->fields, "opaque", "no key");
        hs_event_summary(ev, "%zu bytes%s, encrypted: no key", h->size, token);
        c->tally.nokey += counted;
        hs_quic_row(c, ev);
        return;
    }
    if (r != HS_OK) {
        ev->encrypted = true;
        ev->problem = true;
        hs_f_str(ev->fields, "error", "decryption failed");
        hs_event_summary(ev, "%zu bytes%s: decryption failed (wrong keys or a damaged packet)",
                         h->size, token);
        c->tally.failed += counted;
        hs_quic_row(c, ev);
        return;
    }
    c->tally.decrypted += counted;
    if ((int64_t)pn > c->largest[lv][side])
        c->largest[lv][side] = (int64_t)pn;
    if (h->type != HS_QPT_INITIAL) {
        ev->encrypted = ev->decrypted = true;
        if (k) /* 0-RTT opened: its keys are ready */
            hs_f_str(ev->fields, "cipher", hs_aead_name(k->aead));
    }
    if (h->type == HS_QPT_1RTT && c->key_generation[side] > 0)
        hs_f_int(ev->fields, "key_generation", c->key_generation[side]);
    const uint8_t *payload = t->scratch + h->size;
    struct crypto_list cl = {.n = 0};
    struct hs_quic_frames fr;
    hs_quic_frames(payload, outlen, on_crypto, &cl, &fr);
    hs_f_int(ev->fields, "packet_number", (long long)pn);
    hs_f_str(ev->fields, "frames", fr.line);
    if (fr.malformed)
        ev->problem = true;
    hs_event_summary(ev, "#%llu%s: %s", (unsigned long long)pn, token, fr.line);
    if (fr.close)
        c->close_seen = true;
    if (fr.handshake_done)
        c->hs_done_seen = true;
    hs_event_set_bytes(ev, payload, outlen < 4096 ? outlen : 4096);
    hs_quic_row(c, ev);
    /* The TLS messages after the packet's row. */
    const char *cipher = h->type == HS_QPT_INITIAL || k == NULL ? NULL : hs_aead_name(k->aead);
    for (size_t i = 0; i < cl.n; i++)
        stream_add(c, lv, side, cl.v[i].off, cl.v[i].p, cl.v[i].n, tm, frame, cipher);
    c->cs[lv][side].dropped += cl.over;
}

/* ---- the report ---- */

struct hs_field *hs_quic_report(const struct hs_quic_table *t, const struct qconn *c)
{
    const struct qtally *q = &c->tally;
    struct hs_field *rep = hs_field_new_object();
    unsigned present = 0;
    const uint8_t *random = hs_decoder_client_random(c->dec);
    for (int k = 0; k < HS_SECRET_COUNT && random; k++) {
        size_t len;
        if ((q->needed & (1u << k)) && hs_keylog_find(t->keys, (enum hs_secret)k, random, &len))
            present |= 1u << k;
    }
    const char *st, *why;
    if (q->failed > 0) {
        st = "wrong keys";
        why = "packets failed authentication with the key log's secrets";
    } else if (q->decrypted + q->nokey + q->failed == 0) {
        st = "not encrypted";
        why = "only Initial packets, whose keys every observer can derive";
    } else if (q->decrypted == 0) {
        st = "no keys";
        why = "the key log has none of the secrets for this connection's client random";
    } else if (q->nokey > 0) {
        st = "partial";
        why = "some packets could not be decrypted for want of a secret";
    } else {
        st = "decrypted";
        why = "every packet was decrypted";
    }
    hs_f_str(rep, "status", st);
    struct hs_field *found = hs_f_arr(rep, "found"), *missing = hs_f_arr(rep, "missing");
    for (int k = 0; k < HS_SECRET_COUNT; k++) {
        if (!(q->needed & (1u << k)))
            continue;
        hs_f_str(present & (1u << k) ? found : missing, NULL, hs_secret_label((enum hs_secret)k));
    }
    hs_f_str(rep, "reason", why);
    return rep;
}
