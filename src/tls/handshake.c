/*
 * Record contents by content type (RFC 8446 5.1): handshake messages reassembled across
 * records (and several in one record) and handed to the message decoders (hello.c,
 * messages.c), alerts, ChangeCipherSpec, heartbeats; application data goes to appdata.c.
 */
#include "decoder_internal.h"

#include "../core/mem.h"
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The body length in a handshake message header (4 bytes). */
static size_t msg_length(const uint8_t *h)
{
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): called once 4 bytes are in h */
    return (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
}

static void handle_alerts(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n,
                          const struct recmeta *meta)
{
    size_t off = 0;
    do {
        size_t take = n - off >= 2 ? 2 : n - off;
        struct hs_msg m;
        struct hs_event *ev = dec_msg_start(d, s, "Alert", meta->t, &m);
        hs_decode_alert(&m, p + off, take);
        dec_msg_finish(&m, p + off, take);
        dec_emit(d, s, ev, meta);
        off += take;
    } while (off < n);
}

static void hs_reset_meta(struct side *s)
{
    s->hs.frames.n = 0;
    free(s->hs.wire);
    s->hs.wire = NULL;
    s->hs.nwire = 0;
    s->hs.enc = s->hs.dec = false;
    s->hs.keys = s->hs.cipher = NULL;
    s->hs.generation = 0;
}

static void hs_take_meta(struct side *s, const struct recmeta *meta)
{
    if (meta->frames)
        dec_frames_merge(&s->hs.frames, meta->frames);
    if (meta->encrypted)
        s->hs.enc = true;
    if (meta->decrypted) {
        s->hs.dec = true;
        s->hs.keys = meta->keys;
        s->hs.cipher = meta->cipher;
        s->hs.generation = meta->generation;
    }
    if (meta->wire && meta->nwire <= MAX_WIRE - s->hs.nwire) {
        s->hs.wire = hs_xrealloc(s->hs.wire, s->hs.nwire + meta->nwire);
        memcpy(s->hs.wire + s->hs.nwire, meta->wire, meta->nwire);
        s->hs.nwire += meta->nwire;
    }
}

static void emit_handshake(struct hs_decoder *d, struct side *s, const uint8_t *msg, size_t n,
                           double t)
{
    struct hs_msg m;
    struct hs_event *ev = dec_msg_start(d, s, "Handshake", t, &m);
    hs_decode_handshake(&m, msg, n);
    dec_msg_finish(&m, msg, n);
    if (d->want_key_schedule) {
        if (d->transcript == NULL)
            d->transcript = hs_transcript_new();
        hs_transcript_add(d->transcript, s->who, msg, n, &d->st);
        if (msg[0] == HS_MT_SERVER_HELLO && strcmp(ev->type, "ServerHello") == 0)
            hs_ech_transcript(&d->st, d->transcript, msg, n);
        if (msg[0] == HS_MT_FINISHED && hs_transcript_complete(d->transcript))
            dec_key_schedule(d);
    }
    struct recmeta meta = {.t = t, .frames = &s->hs.frames, .encrypted = s->hs.enc,
                           .decrypted = s->hs.dec, .wire = s->hs.wire, .nwire = s->hs.nwire,
                           .keys = s->hs.keys, .cipher = s->hs.cipher,
                           .generation = s->hs.generation};
    dec_after_message(d, s, msg[0], ev->type);
    dec_emit(d, s, ev, &meta);
}

static void handle_handshake(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n,
                             const struct recmeta *meta)
{
    /* Drop what remains of an over-long message first. */
    if (s->hs.skip > 0) {
        size_t k = n < s->hs.skip ? n : s->hs.skip;
        s->hs.skip -= k;
        p += k;
        n -= k;
        if (n == 0)
            return;
    }
    if (s->hs.len == 0) {
        hs_reset_meta(s);
        s->hs.t0 = meta->t;
    }
    hs_take_meta(s, meta);
    while (n > 0) {
        /* Complete the header, then the body, of the message at the front. */
        size_t need = 4;
        if (s->hs.len >= 4)
            need = 4 + msg_length(s->hs.buf);
        if (s->hs.len < 4) {
            size_t k = 4 - s->hs.len < n ? 4 - s->hs.len : n;
            if (s->hs.cap < 4) {
                s->hs.buf = hs_xrealloc(s->hs.buf, 64);
                s->hs.cap = 64;
            }
            memcpy(s->hs.buf + s->hs.len, p, k);
            s->hs.len += k;
            p += k;
            n -= k;
            if (s->hs.len < 4)
                break;
            need = 4 + msg_length(s->hs.buf);
            if (need - 4 > HS_MAX_HANDSHAKE_MSG) {
                const char *name = hs_name_handshake(s->hs.buf[0]);
                struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Handshake", meta->t);
                if (name)
                    snprintf(ev->type, sizeof ev->type, "%s", name);
                else
                    snprintf(ev->type, sizeof ev->type, "Handshake(%u)", s->hs.buf[0]);
                ev->problem = true;
                ev->length = need;
                hs_f_int(ev->fields, "declared_length", (long long)(need - 4));
                hs_f_fmt(ev->fields, "error", "%s: length %zu exceeds the limit of %u bytes",
                         ev->type, need - 4, HS_MAX_HANDSHAKE_MSG);
                hs_event_summary(ev, "length %zu exceeds the limit of %u bytes, skipped",
                                 need - 4, HS_MAX_HANDSHAKE_MSG);
                hs_event_set_bytes(ev, s->hs.buf, 4);
                struct recmeta m2 = *meta;
                m2.frames = &s->hs.frames;
                dec_emit(d, s, ev, &m2);
                size_t k2 = n < need - 4 ? n : need - 4;
                s->hs.skip = need - 4 - k2;
                p += k2;
                n -= k2;
                s->hs.len = 0;
                hs_reset_meta(s);
                if (n > 0)
                    hs_take_meta(s, meta);
                continue;
            }
        }
        size_t k = need - s->hs.len < n ? need - s->hs.len : n;
        if (s->hs.cap < s->hs.len + k) {
            size_t cap = s->hs.cap ? s->hs.cap : 64;
            while (cap < s->hs.len + k)
                cap *= 2;
            s->hs.buf = hs_xrealloc(s->hs.buf, cap);
            s->hs.cap = cap;
        }
        memcpy(s->hs.buf + s->hs.len, p, k);
        s->hs.len += k;
        p += k;
        n -= k;
        if (s->hs.len < need)
            break;
        emit_handshake(d, s, s->hs.buf, need, meta->t);
        s->hs.len = 0;
        hs_reset_meta(s);
        if (n > 0) {
            hs_take_meta(s, meta); /* the next message starts in this record */
            s->hs.t0 = meta->t;
        }
        if (s->hs.cap > 65536) {
            free(s->hs.buf);
            s->hs.buf = NULL;
            s->hs.cap = 0;
        }
    }
}

static bool tls13_ccs(const struct hs_decoder *d)
{
    return d->st.version == 0x0304 || d->st.hrr_count > 0 ||
           (d->st.version == 0 && d->st.client_offers_tls13);
}

void dec_handle_plain(struct hs_decoder *d, struct side *s, uint8_t type, const uint8_t *p,
                      size_t n, const struct recmeta *meta)
{
    switch (type) {
    case HS_CT_HANDSHAKE:
        if (n == 0) {
            dec_problem(d, s, meta->t, meta->frames, "empty handshake record");
            return;
        }
        handle_handshake(d, s, p, n, meta);
        return;
    case HS_CT_ALERT:
        handle_alerts(d, s, p, n, meta);
        return;
    case HS_CT_CHANGE_CIPHER_SPEC: {
        bool compat = tls13_ccs(d);
        struct hs_msg m;
        struct hs_event *ev = dec_msg_start(d, s, "ChangeCipherSpec", meta->t, &m);
        hs_decode_ccs(&m, p, n, compat);
        dec_msg_finish(&m, p, n);
        if (!compat) {
            /* Also inside an encrypted channel (renegotiation): new keys from here. */
            s->pr.protected12 = true;
            s->pr.cur_ready = false;
            s->pr.hs_after_ccs = 0;
            /* TLS 1.2 abbreviated handshake by session ticket: no server Certificate. */
            if (s->who == HS_SERVER && !d->st.server_certificate && d->st.sh_seen &&
                (d->st.client_ticket || d->st.sid_resumed))
                d->trace->resumed = true;
        }
        dec_emit(d, s, ev, meta);
        return;
    }
    case HS_CT_APPLICATION_DATA: {
        enum run_kind kind = meta->decrypted   ? RUN_DECRYPTED
                             : meta->encrypted ? RUN_OPAQUE
                                               : RUN_PLAIN;
        dec_run_add(d, s, kind, p, n, meta->nwire > REC_HDR ? meta->nwire - REC_HDR : n, meta);
        return;
    }
    case HS_CT_HEARTBEAT: {
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Heartbeat", meta->t);
        ev->length = n;
        if (n >= 1)
            hs_f_str(ev->fields, "heartbeat_type",
                     p[0] == 1 ? "request" : p[0] == 2 ? "response" : "unknown");
        if (n >= 3)
            hs_f_int(ev->fields, "payload_length", (long long)((size_t)p[1] << 8 | p[2]));
        hs_event_set_bytes(ev, p, n);
        hs_event_summary(ev, "%zu bytes", n);
        dec_emit(d, s, ev, meta);
        return;
    }
    default:
        dec_problem(d, s, meta->t, meta->frames, "record of unknown content type %u (%zu bytes)",
                    type, n);
        return;
    }
}

void dec_key_schedule(struct hs_decoder *d)
{
    if (!d->want_key_schedule)
        return;
    struct hs_field *ks = hs_keysched_build(d->transcript, &d->st, d->keys, d->trace->group);
    hs_field_free(d->trace->key_schedule);
    d->trace->key_schedule = ks;
}

void dec_handshake_drop(struct side *s)
{
    s->hs.len = 0;
    s->hs.skip = 0;
    hs_reset_meta(s);
}

void dec_handshake_finish(struct hs_decoder *d, struct side *s, double t)
{
    if (s->hs.len == 0)
        return;
    size_t need = s->hs.len >= 4 ? msg_length(s->hs.buf) : 0;
    const char *name = hs_name_handshake(s->hs.buf[0]);
    dec_problem(d, s, t, &s->hs.frames, "%s truncated: %zu of %zu bytes",
                name ? name : "handshake message", s->hs.len >= 4 ? s->hs.len - 4 : 0, need);
    s->hs.len = 0;
    hs_reset_meta(s);
}

void hs_decoder_crypto(struct hs_decoder *d, enum hs_side from, double t_ms, const uint8_t *p,
                       size_t n, uint64_t frame, const char *keys, const char *cipher)
{
    if (d == NULL || (from != HS_CLIENT && from != HS_SERVER) || n == 0)
        return;
    struct framelist fr = {.n = 0};
    dec_frames_add(&fr, frame);
    struct recmeta meta = {.t = t_ms, .frames = &fr, .encrypted = keys != NULL,
                           .decrypted = keys != NULL, .keys = keys, .cipher = cipher};
    handle_handshake(d, &d->side[from], p, n, &meta);
}

uint16_t hs_decoder_suite(const struct hs_decoder *d)
{
    return d && d->st.sh_seen ? d->st.suite : 0;
}
