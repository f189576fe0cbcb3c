/*
 * Records out of one direction's byte stream (RFC 8446 5.1, RFC 5246 6.2): reassembled across
 * reads, their headers checked before their lengths are trusted; SSLv2-format hellos; after
 * a gap or an impossible header, a byte-by-byte search for the next header to trust; and a
 * peer that does not speak TLS, shown once with its first bytes.
 */
#include "decoder_internal.h"

#include "../core/escape.h"
#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_WIN 6      /* header + first body byte, when looking for a record start */
#define NOT_TLS_WAIT 16 /* bytes worth waiting for before showing what the peer sent */
#define NOT_TLS_PEEK 16 /* bytes of a text reply quoted in the reason line */

static size_t max_body(const struct hs_decoder *d)
{
    return d->st.version == 0x0304 && d->st.sh_seen ? HS_REC_MAX_BODY13 : HS_REC_MAX_BODY12;
}

/* A record header we can trust when resynchronising or looking for TLS after non-TLS bytes. */
static bool plausible_header(const struct hs_decoder *d, const struct side *s, const uint8_t *h,
                             bool strict)
{
    if (strict) /* the start of a handshake: a hello from the right side */
        return hs_record_hello(h, s->who, max_body(d));
    return hs_record_plausible(h, max_body(d));
}

const char *hs_decoder_not_tls_reason(const struct hs_decoder *d, enum hs_side from, char *buf,
                                      size_t n)
{
    if (!hs_decoder_not_tls(d, from) || n == 0)
        return NULL;
    /* The first line of the reply when it is printable text, at most NOT_TLS_PEEK bytes. */
    const struct not_tls *nt = &d->side[from].nt;
    char peek[NOT_TLS_PEEK + 1];
    size_t k = 0;
    bool text = nt->len > 0;
    for (size_t i = 0; i < nt->len && i < NOT_TLS_PEEK; i++) {
        uint8_t c = nt->buf[i];
        if (c == '\r' || c == '\n')
            break;
        if (c < 0x20 || c > 0x7e)
            text = false;
        peek[k++] = (char)c;
    }
    peek[k] = '\0';
    char *esc = hs_escape((const uint8_t *)peek, k); /* a backslash is printable too */
    if (text && strncmp(peek, "HTTP/", 5) == 0)
        snprintf(buf, n, "it replied in plain HTTP: \"%s\"", esc);
    else if (text && k > 0)
        snprintf(buf, n, "its reply starts with \"%s\"", esc);
    else
        buf[0] = '\0';
    free(esc);
    return buf;
}

void dec_not_tls_row(struct hs_decoder *d, struct side *s)
{
    const uint8_t *p = s->nt.buf;
    size_t n = s->nt.len;
    char *esc = hs_escape(p, n);
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "NotTLS", s->nt.t);
    ev->problem = true;
    ev->length = n;
    hs_f_text(ev->fields, "first_bytes", p, n);
    hs_f_hex(ev->fields, "first_bytes_hex", p, n);
    hs_f_str(ev->fields, "error", "not TLS");
    ev->summary = hs_xasprintf("not TLS: %s%s", esc, n == NOT_TLS_SHOW ? "…" : "");
    hs_event_set_bytes(ev, p, n);
    free(esc);
    struct framelist fr = {0};
    dec_frames_add(&fr, s->nt.frame);
    struct recmeta meta = {.t = s->nt.t, .frames = &fr};
    s->nt.pending = false;
    dec_emit(d, s, ev, &meta);
}

static void not_tls_more(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n)
{
    if (!s->nt.pending || n == 0) /* p may be NULL when n is 0: no memcpy from it */
        return;
    size_t k = n < NOT_TLS_SHOW - s->nt.len ? n : NOT_TLS_SHOW - s->nt.len;
    memcpy(s->nt.buf + s->nt.len, p, k);
    s->nt.len += k;
    if (s->nt.len >= NOT_TLS_WAIT)
        dec_not_tls_row(d, s);
}

/* The stream is not TLS: one row, once, with its first bytes. */
static void not_tls(struct hs_decoder *d, struct side *s, double t, const uint8_t *p, size_t n,
                    uint64_t frame)
{
    bool first = !s->nt.pending && s->nt.len == 0;
    s->nt.gave_up = true;
    s->fr.len = 0;
    if (!first)
        return;
    s->nt.pending = true;
    s->nt.t = t;
    s->nt.frame = frame;
    not_tls_more(d, s, p, n);
}

static void record_done(struct hs_decoder *d, struct side *s, double t)
{
    const uint8_t *rec = s->fr.rec;
    size_t len = s->fr.len;
    s->fr.started = true;
    if (s->fr.sslv2 && (len < 3 || rec[2] != 1)) {
        /* High bit set but not an SSLv2 ClientHello: some other protocol. */
        s->fr.sslv2 = false;
        not_tls(d, s, t, rec, len < NOT_TLS_SHOW ? len : NOT_TLS_SHOW,
                s->fr.frames.n ? s->fr.frames.v[0] : 0);
        return;
    }
    if (s->fr.sslv2) {
        struct hs_msg m;
        struct hs_event *ev = dec_msg_start(d, s, "ClientHello", t, &m);
        hs_decode_sslv2_client_hello(&m, rec, len);
        dec_msg_finish(&m, rec, len);
        struct recmeta meta = {.t = t, .frames = &s->fr.frames};
        memcpy(d->cur_client_random, d->st.last_client_random, 32);
        dec_emit(d, s, ev, &meta);
        s->fr.sslv2 = false;
        return;
    }
    if (s->fr.first_version == 0 && len >= 3)
        s->fr.first_version = (uint16_t)(rec[1] << 8 | rec[2]);
    dec_record_in(d, s, t);
}

/* Scans byte by byte for a record start; returns the bytes consumed.  On success the window
 * (header + first body byte) is left in s->fr.rec and framing continues from there. */
static size_t scan(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n,
                   uint64_t frame, bool strict)
{
    size_t used = 0;
    while (used < n) {
        s->fr.rec[s->fr.len++] = p[used++];
        if (s->fr.len < SCAN_WIN)
            continue;
        if (plausible_header(d, s, s->fr.rec, strict)) {
            s->fr.frames.n = 0;
            dec_frames_add(&s->fr.frames, frame);
            s->nt.gave_up = false;
            s->fr.resync = false;
            return used;
        }
        memmove(s->fr.rec, s->fr.rec + 1, SCAN_WIN - 1);
        s->fr.len = SCAN_WIN - 1;
        s->fr.skipped++;
    }
    return used;
}

void hs_decoder_feed(struct hs_decoder *d, enum hs_side from, double t_ms, const uint8_t *p,
                     size_t n, uint64_t frame)
{
    if (d == NULL || (p == NULL && n > 0) || (from != HS_CLIENT && from != HS_SERVER))
        return;
    struct side *s = &d->side[from];
    if (s->fr.rec == NULL) { /* allocated on first bytes, small: a capture may hold many decoders */
        s->fr.cap = 512;
        s->fr.rec = hs_xmalloc(s->fr.cap);
    }
    if (s->nt.gave_up)
        not_tls_more(d, s, p, n);
    while (n > 0) {
        if (s->nt.gave_up || s->fr.resync) {
            bool was_resync = s->fr.resync;
            size_t used = scan(d, s, p, n, frame, s->nt.gave_up);
            p += used;
            n -= used;
            if (s->nt.gave_up || s->fr.resync)
                break;
            if (was_resync && s->fr.skipped > 0)
                dec_problem(d, s, t_ms, &s->fr.frames,
                            "skipped %zu bytes to find the next record header", s->fr.skipped);
            s->fr.skipped = 0;
            continue;
        }
        if (s->fr.len == 0 && !s->fr.started && !s->fr.sslv2) {
            /* The first byte tells TLS, SSLv2-format hello, or something else. */
            if (from == HS_CLIENT && (p[0] & 0x80)) {
                s->fr.sslv2 = true;
            } else if (!hs_record_type_known(p[0])) {
                not_tls(d, s, t_ms, p, n, frame);
                continue; /* look for a handshake further on (STARTTLS) */
            }
        }
        size_t hdr = s->fr.sslv2 ? HS_SSLV2_HDR : REC_HDR;
        size_t need = hdr;
        if (s->fr.len >= hdr)
            need = hdr + (s->fr.sslv2 ? hs_sslv2_length(s->fr.rec) : hs_record_length(s->fr.rec));
        size_t k = need - s->fr.len < n ? need - s->fr.len : n;
        if (need > s->fr.cap) { /* need <= REC_BUF: the header was checked */
            size_t cap = s->fr.cap * 4 < REC_BUF ? s->fr.cap * 4 : REC_BUF;
            s->fr.cap = cap > need ? cap : need;
            s->fr.rec = hs_xrealloc(s->fr.rec, s->fr.cap);
        }
        memcpy(s->fr.rec + s->fr.len, p, k);
        s->fr.len += k;
        p += k;
        n -= k;
        dec_frames_add(&s->fr.frames, frame);
        if (s->fr.len < hdr)
            break;
        if (s->fr.len == hdr) {
            /* Header complete: check it before trusting its length. */
            if (s->fr.sslv2) {
                size_t len = hs_sslv2_length(s->fr.rec);
                if (len < HS_SSLV2_MIN_BODY || len > HS_REC_MAX_BODY12) {
                    s->fr.sslv2 = false;
                    not_tls(d, s, t_ms, s->fr.rec, s->fr.len, frame);
                    continue;
                }
                continue;
            }
            const uint8_t *h = s->fr.rec;
            size_t len = hs_record_length(h);
            bool shaped = hs_record_shaped(h);
            bool ok = shaped && len <= max_body(d);
            if (!ok) {
                /* A TLS header with an impossible length is broken TLS, not another protocol. */
                if (!s->fr.started && !shaped) {
                    uint8_t first[REC_HDR + NOT_TLS_SHOW];
                    size_t m = REC_HDR, extra = n < NOT_TLS_SHOW ? n : NOT_TLS_SHOW;
                    memcpy(first, s->fr.rec, REC_HDR);
                    memcpy(first + REC_HDR, p, extra);
                    not_tls(d, s, t_ms, first, m + extra, frame);
                    continue;
                }
                char esc[3 * REC_HDR + 1];
                for (size_t i = 0; i < REC_HDR; i++)
                    snprintf(esc + 3 * i, 4, "%02x%s", h[i], i + 1 < REC_HDR ? " " : "");
                if (len > max_body(d) && hs_record_type_known(h[0]) && h[1] == 3)
                    dec_problem(d, s, t_ms, &s->fr.frames,
                            "record length %zu exceeds the limit of %zu: looking for the next record",
                                len, max_body(d));
                else
                    dec_problem(d, s, t_ms, &s->fr.frames,
                                "invalid record header %s: looking for the next record", esc);
                /* Look for a header starting at the byte after this one. */
                uint8_t tmp[REC_HDR - 1];
                memcpy(tmp, s->fr.rec + 1, REC_HDR - 1);
                s->fr.len = 0;
                s->fr.frames.n = 0;
                s->fr.resync = true;
                s->fr.skipped = 1;
                scan(d, s, tmp, sizeof tmp, frame, false);
                continue;
            }
            if (len > 0)
                continue;
        }
        if (s->fr.len == need) {
            record_done(d, s, t_ms);
            s->fr.len = 0;
            s->fr.frames.n = 0;
            if (s->nt.gave_up)
                break;
        }
    }
    if (d->want_retry)
        dec_retry_all(d);
}

void dec_framing_finish(struct hs_decoder *d, struct side *s, double t)
{
    if (s->nt.gave_up || s->fr.resync || s->fr.len == 0)
        return;
    size_t hdr = s->fr.sslv2 ? HS_SSLV2_HDR : REC_HDR;
    if (s->fr.len >= hdr) {
        size_t len = s->fr.sslv2 ? hs_sslv2_length(s->fr.rec) : hs_record_length(s->fr.rec);
        dec_problem(d, s, t, &s->fr.frames, "stream ended inside a record: %zu of %zu bytes",
                    s->fr.len - hdr, len);
    } else {
        dec_problem(d, s, t, &s->fr.frames, "stream ended inside a record header (%zu bytes)",
                    s->fr.len);
    }
    s->fr.len = 0;
}
