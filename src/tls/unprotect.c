/*
 * Record protection: read states set up from the key log (TLS 1.3 traffic secrets, the TLS
 * 1.2 master secret), records decrypted, and protected records held back, in arrival order
 * across both sides, until the key log or the handshake makes their key known.
 */
#include "decoder_internal.h"

#include "../core/mem.h"
#include "names.h"
#include "suites.h"

#include <stdlib.h>
#include <string.h>

enum dec_result { DEC_OK, DEC_NOKEY, DEC_FAILED, DEC_OPAQUE };

/* Sets up one TLS 1.3 read state from the key log; false when the secret is missing. */
static bool load13(struct hs_decoder *d, struct hs_protect *p, enum hs_secret kind)
{
    const struct hs_suite *suite = hs_suite_find(d->st.suite);
    size_t len = 0;
    if (d->keys == NULL || suite == NULL || !d->st.ch_seen)
        return false;
    const uint8_t *secret = hs_keylog_find(d->keys, kind, d->st.client_random, &len);
    if (secret == NULL)
        return false;
    return hs_protect_tls13(p, suite, secret, len) == HS_OK;
}

static bool load12(struct hs_decoder *d, struct side *s)
{
    const struct hs_suite *suite = hs_suite_find(d->st.suite);
    size_t len = 0;
    if (d->keys == NULL || suite == NULL)
        return false;
    const uint8_t *master = hs_keylog_find(d->keys, HS_SECRET_TLS12_MASTER, d->cur_client_random,
                                           &len);
    if (master == NULL || len != 48)
        return false;
    struct hs_protect c, sv;
    memset(&c, 0, sizeof c);
    memset(&sv, 0, sizeof sv);
    if (hs_protect_tls12(&c, &sv, suite, d->st.version, d->st.etm, master, d->cur_client_random,
                         d->st.server_random) != HS_OK)
        return false;
    s->pr.cur = s->who == HS_CLIENT ? c : sv;
    s->pr.cur_kind = HS_SECRET_TLS12_MASTER;
    return true;
}

static enum hs_secret app_secret(const struct side *s)
{
    return s->who == HS_CLIENT ? HS_SECRET_CLIENT_TRAFFIC_0 : HS_SECRET_SERVER_TRAFFIC_0;
}

/* Brings a freshly loaded 1.3 application state up to the current KeyUpdate generation. */
static bool catch_up(struct side *s)
{
    for (unsigned i = 0; i < s->pr.generation; i++)
        if (hs_protect_tls13_update(&s->pr.cur) != HS_OK)
            return false;
    return true;
}

static bool is_protected(const struct hs_decoder *d, const struct side *s, uint8_t type)
{
    if (s->pr.protected12)
        return true;
    if (type != HS_CT_APPLICATION_DATA)
        return false;
    if (s->pr.phase != PH_PLAIN)
        return true;
    /* A 1.3-capable client's data before the ServerHello is known (early data, or bytes fed
     * out of order): it needs the ServerHello to be read. */
    return s->who == HS_CLIENT && d->st.client_offers_tls13 && !d->st.sh_seen;
}

/* Every candidate key failed to authenticate the record (kinds: their secrets). */
static enum dec_result failed(struct hs_decoder *d, unsigned kinds)
{
    d->tally.failed++;
    d->tally.failed_kinds |= kinds;
    return DEC_FAILED;
}

/*
 * Removes protection from one record into d->scratch.  DEC_NOKEY: no candidate key is
 * available (the caller may hold the record); DEC_FAILED: every candidate failed;
 * DEC_OPAQUE: hstrace cannot decrypt this suite (meta->opaque says why).
 */
static enum dec_result decrypt(struct hs_decoder *d, struct side *s, const uint8_t *rec,
                               size_t len, size_t *out_len, uint8_t *inner,
                               struct recmeta *meta)
{
    const struct hs_suite *suite = hs_suite_find(d->st.suite);
    const uint8_t *body = rec + REC_HDR;
    size_t blen = len - REC_HDR;
    if (d->scratch == NULL) /* allocated on first use: many decoders never decrypt */
        d->scratch = hs_xmalloc(REC_BUF);
    if (d->st.sh_seen) {
        /* export, SSL 3.0, ciphers hstrace lacks, unknown suites */
        const char *why = hs_suite_why_opaque(suite, d->st.version);
        if (why) {
            meta->opaque = why;
            d->tally.unsupported++;
            d->tally.unsupported_why = why;
            return DEC_OPAQUE;
        }
    }
    if (s->pr.protected12) {
        if (!s->pr.cur_ready) {
            if (!d->st.sh_seen || !load12(d, s))
                return DEC_NOKEY;
            s->pr.cur_ready = true;
        }
        if (hs_protect_decrypt(&s->pr.cur, rec, body, blen, d->scratch, out_len, inner) != HS_OK)
            return failed(d, 1u << HS_SECRET_TLS12_MASTER);
        d->tally.decrypted++;
        meta->keys = hs_secret_plain(HS_SECRET_TLS12_MASTER);
        /* the state's own protection: a renegotiation may have changed the suite since */
        meta->cipher = s->pr.cur.aead != HS_AEAD_NONE ? hs_aead_name(s->pr.cur.aead)
                       : s->pr.cur.stream != HS_STREAM_NONE
                           ? hs_stream_name(s->pr.cur.stream, s->pr.cur.mac)
                           : hs_cbc_name(s->pr.cur.cbc, s->pr.cur.mac, s->pr.cur.etm);
        return DEC_OK;
    }
    /* TLS 1.3.  Before the ServerHello only 0-RTT data can come (client side). */
    if (!d->st.sh_seen)
        return DEC_NOKEY;
    bool any_key = false;
    if (s->pr.phase == PH_EARLY) {
        if (!s->pr.early_ready)
            s->pr.early_ready = load13(d, &s->pr.early, HS_SECRET_CLIENT_EARLY);
        if (s->pr.early_ready) {
            any_key = true;
            if (hs_protect_decrypt(&s->pr.early, rec, body, blen, d->scratch, out_len, inner) ==
                HS_OK) {
                d->tally.decrypted++;
                meta->keys = hs_secret_plain(HS_SECRET_CLIENT_EARLY);
                meta->cipher = hs_aead_name(suite->aead);
                return DEC_OK;
            }
        }
    }
    if (!s->pr.cur_ready && s->who == HS_SERVER && s->pr.cur_kind == HS_SECRET_SERVER_HANDSHAKE)
        dec_ech_trial(d, rec, len);
    if (!s->pr.cur_ready) {
        s->pr.cur_ready = load13(d, &s->pr.cur, s->pr.cur_kind) && catch_up(s);
    }
    if (s->pr.cur_ready) {
        any_key = true;
        if (hs_protect_decrypt(&s->pr.cur, rec, body, blen, d->scratch, out_len, inner) == HS_OK) {
            if (s->pr.phase == PH_EARLY)
                s->pr.phase = PH_HANDSHAKE; /* the client moved on from 0-RTT */
            d->tally.decrypted++;
            meta->keys = hs_secret_plain(s->pr.cur_kind);
            meta->generation = s->pr.phase == PH_APP ? s->pr.generation : 0;
            meta->cipher = hs_aead_name(suite->aead);
            return DEC_OK;
        }
    }
    if (!any_key)
        return DEC_NOKEY;
    if (s->pr.phase == PH_EARLY && !s->pr.early_ready) {
        /* 0-RTT data whose early secret is not logged: it cannot be read, but the
         * handshake key is there, so this is not a failure. */
        meta->opaque = "no key (0-RTT data)";
        d->tally.nokey++;
        return DEC_OPAQUE;
    }
    return failed(d, (s->pr.cur_ready ? 1u << s->pr.cur_kind : 0) |
                         (s->pr.early_ready ? 1u << HS_SECRET_CLIENT_EARLY : 0));
}

/* State changes that follow from a decoded handshake message. */
void dec_after_message(struct hs_decoder *d, struct side *s, uint8_t type, const char *evtype)
{
    struct hs_tls_state *st = &d->st;
    struct side *cl = &d->side[HS_CLIENT], *sv = &d->side[HS_SERVER];
    if (type == HS_MT_CLIENT_HELLO && s->who == HS_CLIENT) {
        if (st->ch_count == 1 && st->client_early_data && cl->pr.phase == PH_PLAIN)
            cl->pr.phase = PH_EARLY;
        d->want_retry = true;
    }
    if (type == HS_MT_SERVER_HELLO && s->who == HS_SERVER && strcmp(evtype, "ServerHello") == 0) {
        memcpy(d->cur_client_random, st->last_client_random, 32);
        if (st->version == 0x0304) {
            sv->pr.phase = PH_HANDSHAKE;
            sv->pr.cur_kind = HS_SECRET_SERVER_HANDSHAKE;
            sv->pr.cur_ready = false;
            if (cl->pr.phase != PH_EARLY || st->end_of_early_data)
                cl->pr.phase = PH_HANDSHAKE;
            cl->pr.cur_kind = HS_SECRET_CLIENT_HANDSHAKE;
            cl->pr.cur_ready = false;
        }
        d->want_retry = true;
    }
    if (type == HS_MT_END_OF_EARLY_DATA && s->who == HS_CLIENT && s->pr.phase == PH_EARLY)
        s->pr.phase = PH_HANDSHAKE;
    if (type == HS_MT_FINISHED) {
        if (st->version == 0x0304 && s->pr.phase != PH_APP && s->pr.phase != PH_PLAIN) {
            s->pr.phase = PH_APP;
            s->pr.cur_kind = app_secret(s);
            s->pr.cur_ready = false;
            s->pr.generation = 0;
        }
        if (st->finished[HS_CLIENT] && st->finished[HS_SERVER])
            d->trace->handshake_done = true;
    }
    if (type == HS_MT_KEY_UPDATE && st->version == 0x0304 && s->pr.phase == PH_APP) {
        s->pr.generation++;
        if (s->pr.cur_ready && hs_protect_tls13_update(&s->pr.cur) != HS_OK)
            s->pr.cur_ready = false;
    }
    if (s->pr.protected12 && type != HS_MT_CLIENT_HELLO && type != HS_MT_SERVER_HELLO)
        s->pr.hs_after_ccs++;
}

/*
 * One complete record.  Returns false (having done nothing) when it is protected, no key is
 * available yet and may_hold is set: the caller holds it back.
 */
static bool handle_record(struct hs_decoder *d, struct side *s, const uint8_t *rec, size_t len,
                          double t, const struct framelist *frames, bool may_hold)
{
    uint8_t type = rec[0];
    struct recmeta meta = {.t = t, .frames = frames};
    if (!is_protected(d, s, type)) {
        /* RFC 8446 5.1, RFC 5246 6.2.1: a peer must answer this with record_overflow. */
        if (len - REC_HDR > HS_REC_MAX_PLAIN)
            dec_problem(d, s, t, frames, "record of %zu bytes: over the 16384-byte limit for "
                        "plaintext records", len - REC_HDR);
        dec_handle_plain(d, s, type, rec + REC_HDR, len - REC_HDR, &meta);
        return true;
    }
    /* The client may hold 0-RTT records before we know the suite. */
    size_t out_len = 0;
    uint8_t inner = 0;
    meta.encrypted = true;
    meta.wire = rec;
    meta.nwire = len;
    switch (decrypt(d, s, rec, len, &out_len, &inner, &meta)) {
    case DEC_OK:
        meta.decrypted = true;
        dec_handle_plain(d, s, inner, d->scratch, out_len, &meta);
        return true;
    case DEC_NOKEY:
        if (may_hold)
            return false;
        d->tally.nokey++;
        meta.opaque = "no key";
        dec_opaque_record(d, s, rec, len, &meta);
        return true;
    case DEC_OPAQUE:
        dec_opaque_record(d, s, rec, len, &meta);
        return true;
    case DEC_FAILED:
    default: {
        const char *what = hs_name_content_type(type);
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Error", t);
        ev->problem = true;
        ev->encrypted = true;
        ev->length = len - REC_HDR;
        hs_f_str(ev->fields, "error", "decryption failed");
        hs_f_int(ev->fields, "record_length", (long long)(len - REC_HDR));
        hs_f_str(ev->fields, "record_type", what ? what : "unknown");
        hs_event_summary(ev, "decryption failed (%zu-byte %s record)", len - REC_HDR,
                         what ? what : "unknown");
        dec_emit(d, s, ev, &meta);
        return true;
    }
    }
}

static void hold(struct hs_decoder *d, struct side *s, const uint8_t *rec, size_t len, double t,
                 const struct framelist *frames)
{
    if (s->pr.held == NULL)
        s->pr.held = hs_xcalloc(HS_MAX_PENDING_RECORDS, sizeof *s->pr.held);
    struct held *h = &s->pr.held[s->pr.nheld++];
    h->arrival = d->arrivals++;
    h->rec = hs_xmemdup(rec, len);
    h->len = len;
    h->t = t;
    h->frames = *frames;
}

/* Processes the oldest held record of s; false if it still lacks its key. */
static bool drain_one(struct hs_decoder *d, struct side *s)
{
    struct held h = s->pr.held[0];
    if (!handle_record(d, s, h.rec, h.len, h.t, &h.frames, !s->pr.final))
        return false;
    free(h.rec);
    memmove(s->pr.held, s->pr.held + 1, (s->pr.nheld - 1) * sizeof s->pr.held[0]);
    s->pr.nheld--;
    return true;
}

/* Processes held records of both sides in arrival order until each side is empty or its
 * oldest record still lacks its key (all of them, for a side that is final). */
void dec_drain(struct hs_decoder *d)
{
    bool blocked[2] = {false, false};
    for (;;) {
        struct side *c = &d->side[HS_CLIENT], *v = &d->side[HS_SERVER];
        bool cok = c->pr.nheld > 0 && !blocked[HS_CLIENT];
        bool vok = v->pr.nheld > 0 && !blocked[HS_SERVER];
        if (!cok && !vok)
            return;
        struct side *s = !vok || (cok && c->pr.held[0].arrival < v->pr.held[0].arrival) ? c : v;
        if (!drain_one(d, s))
            blocked[s->who] = true;
    }
}

void dec_retry_all(struct hs_decoder *d)
{
    if (d->retrying)
        return;
    d->retrying = true;
    do {
        d->want_retry = false;
        dec_drain(d);
    } while (d->want_retry);
    d->retrying = false;
}

void dec_record_in(struct hs_decoder *d, struct side *s, double t)
{
    const uint8_t *rec = s->fr.rec;
    size_t len = s->fr.len;
    bool may_hold = d->keys != NULL && !s->pr.final;
    if (s->pr.nheld > 0) {
        if (s->pr.nheld == HS_MAX_PENDING_RECORDS) {
            /* With an empty key log nothing was going to help: no need to say more. */
            if (hs_keylog_count(d->keys) > 0)
                dec_problem(d, s, t, &s->fr.frames,
                            "more than %d records waiting for keys: showing them without "
                            "decryption", HS_MAX_PENDING_RECORDS);
            s->pr.final = true;
            dec_drain(d);
            handle_record(d, s, rec, len, t, &s->fr.frames, false);
            return;
        }
        hold(d, s, rec, len, t, &s->fr.frames);
        return;
    }
    if (!handle_record(d, s, rec, len, t, &s->fr.frames, may_hold))
        hold(d, s, rec, len, t, &s->fr.frames);
}
