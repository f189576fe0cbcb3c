/*
 * Application data: consecutive records of one direction counted into a run, one row per
 * run, with the first bytes kept; records that cannot be decrypted, and TLS 1.3 handshake
 * flights told apart from application data by position when there are no keys.
 */
#include "decoder_internal.h"

#include "../core/mem.h"
#include "httpline.h"
#include "suites.h"

#include <stdlib.h>
#include <string.h>

/* Readable application data that starts an HTTP/1.x message (or is the HTTP/2 preface):
 * its first line as the field "http" and in the summary.  false when it is no HTTP. */
static bool http_summary(struct hs_event *ev, const struct run *r)
{
    size_t len;
    int status = 0;
    enum hs_http_line kind = hs_http_first_line(r->keep, r->nkeep, &len, &status);
    if (kind == HS_HTTP_NONE)
        return false;
    if (kind == HS_HTTP2_PREFACE) {
        hs_f_str(ev->fields, "http", "HTTP/2 connection preface");
        hs_event_summary(ev, "%zu record%s, %zu bytes: HTTP/2 connection preface", r->records,
                         r->records == 1 ? "" : "s", r->bytes);
        return true;
    }
    const struct hs_field *line = hs_f_text(ev->fields, "http", r->keep, len > 200 ? 200 : len);
    hs_f_str(ev->fields, "http_kind", kind == HS_HTTP_REQUEST ? "request" : "response");
    if (kind == HS_HTTP_STATUS)
        hs_f_int(ev->fields, "http_status", status);
    /* The line was escaped by hs_f_text; the summary escapes only what is still unsafe. */
    hs_event_summary(ev, "%zu record%s, %zu bytes: %s%s", r->records, r->records == 1 ? "" : "s",
                     r->bytes, line->str, len > 200 ? "…" : "");
    return true;
}

static void flush_run(struct hs_decoder *d, struct side *s)
{
    struct run *r = &s->run;
    if (r->kind == RUN_NONE)
        return;
    bool flight = r->kind == RUN_OPAQUE_FLIGHT;
    const char *type = flight ? "EncryptedHandshake" : "ApplicationData";
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, type, r->t);
    ev->length = r->bytes;
    ev->encrypted = r->kind != RUN_PLAIN;
    ev->decrypted = r->kind == RUN_DECRYPTED;
    hs_f_int(ev->fields, "records", (long long)r->records);
    hs_f_int(ev->fields, "bytes", (long long)r->bytes);
    if (ev->encrypted)
        hs_f_int(ev->fields, "wire_bytes", (long long)r->wire_bytes);
    dec_key_fields(ev->fields, r->keys, r->cipher, r->generation);
    if (r->opaque)
        hs_f_str(ev->fields, "not_decrypted", r->opaque);
    if (r->nkeep > 0)
        hs_event_set_bytes(ev, r->keep, r->nkeep);
    for (size_t i = 0; i < r->frames.n; i++)
        hs_event_add_frame(ev, r->frames.v[i]);
    if (flight) {
        /* What the flight must hold, from the side and the record count. */
        /* A client that offered 0-RTT may end it with EndOfEarlyData rather than send a
         * Certificate: then only the Finished is sure. */
        const char *holds = s->who == HS_SERVER      ? "EncryptedExtensions … Finished"
                            : r->records == 1        ? "Finished"
                            : d->st.client_early_data ? "… Finished"
                                                     : "Certificate … Finished";
        hs_f_str(ev->fields, "record_type", "application_data");
        hs_f_str(ev->fields, "holds", holds);
        hs_f_str(ev->fields, "identified_by", "position");
        hs_event_summary(ev, "%zu record%s, %zu bytes: %s, encrypted, %s", r->records,
                         r->records == 1 ? "" : "s", r->bytes, holds,
                         r->opaque ? r->opaque : "no key");
    } else if (r->kind == RUN_OPAQUE)
        hs_event_summary(ev, "%zu record%s, %zu bytes, encrypted, %s", r->records,
                         r->records == 1 ? "" : "s", r->bytes, r->opaque ? r->opaque : "no key");
    else if (!http_summary(ev, r))
        hs_event_summary(ev, "%zu record%s, %zu bytes", r->records, r->records == 1 ? "" : "s",
                         r->bytes);
    dec_explain(d, ev);
    free(r->keep);
    memset(r, 0, sizeof *r);
    dec_add_row(d, s, ev);
}

void dec_flush_runs(struct hs_decoder *d)
{
    /* The earlier run first, so that equal times keep their order. */
    struct side *a = &d->side[HS_CLIENT], *b = &d->side[HS_SERVER];
    if (a->run.kind != RUN_NONE && b->run.kind != RUN_NONE && b->run.t < a->run.t) {
        struct side *x = a;
        a = b;
        b = x;
    }
    flush_run(d, a);
    flush_run(d, b);
}

void dec_run_add(struct hs_decoder *d, struct side *s, enum run_kind kind, const uint8_t *p,
                 size_t n, size_t wire, const struct recmeta *meta)
{
    struct side *o = dec_other(d, s);
    if (o->run.kind != RUN_NONE)
        flush_run(d, o);
    struct run *r = &s->run;
    if (r->kind != RUN_NONE && (r->kind != kind || r->opaque != meta->opaque))
        flush_run(d, s);
    if (r->kind == RUN_NONE) {
        r->kind = kind;
        r->t = meta->t;
        r->keys = meta->keys;
        r->cipher = meta->cipher;
        r->opaque = meta->opaque;
        r->generation = meta->generation;
    }
    r->records++;
    r->bytes += n;
    r->wire_bytes += wire;
    if (meta->frames)
        dec_frames_merge(&r->frames, meta->frames);
    if (p && r->nkeep < RUN_KEEP) {
        size_t take = n < RUN_KEEP - r->nkeep ? n : RUN_KEEP - r->nkeep;
        r->keep = hs_xrealloc(r->keep, r->nkeep + take + 1);
        memcpy(r->keep + r->nkeep, p, take);
        r->nkeep += take;
    }
}

/*
 * TLS 1.3 without keys: whether this encrypted record belongs to its side's handshake flight,
 * told by position since the record type says application_data for all of them.  A side's
 * flight ends when the other side sends an encrypted record after it (the client sends its
 * Finished only once the server's flight is in; the server answers only after that).  The
 * client's flight also ends with its first record of exactly a Finished's size, and after 4
 * records (Certificate, CertificateVerify, EndOfEarlyData, Finished), so that application
 * data sent right behind it is not taken in.  Client records before the server's flight are
 * 0-RTT data.
 */
static bool in_flight13(struct hs_decoder *d, struct side *s, size_t body)
{
    struct side *o = dec_other(d, s);
    if (!d->st.sh_seen || d->st.version != 0x0304)
        return false;
    /* Its Finished was read (decrypted): what follows is after its flight, e.g. an alert
     * under application keys this connection never derived. */
    if (d->st.finished[s->who])
        return false;
    if (s->who == HS_CLIENT && o->flight.records == 0)
        return false;
    if (o->flight.records > 0)
        o->flight.over = true;
    if (s->flight.over)
        return false;
    s->flight.records++;
    if (s->who == HS_CLIENT) {
        const struct hs_suite *suite = hs_suite_find(d->st.suite);
        size_t fin = suite ? 4 + hs_hash_len(suite->hash) + 1 + hs_aead_tag_len(suite->aead) : 0;
        if (body == fin || s->flight.records >= 4)
            s->flight.over = true;
    }
    return true;
}

/* A protected record hstrace cannot read: a row that says so, typed by what it must be. */
void dec_opaque_record(struct hs_decoder *d, struct side *s, const uint8_t *rec, size_t len,
                       struct recmeta *meta)
{
    uint8_t type = rec[0];
    meta->encrypted = true;
    meta->decrypted = false;
    if (type == HS_CT_APPLICATION_DATA || d->st.version == 0x0304) {
        bool flight = type == HS_CT_APPLICATION_DATA && in_flight13(d, s, len - REC_HDR);
        dec_run_add(d, s, flight ? RUN_OPAQUE_FLIGHT : RUN_OPAQUE, NULL, len - REC_HDR,
                    len - REC_HDR, meta);
        return;
    }
    const char *name = "Handshake";
    if (type == HS_CT_ALERT)
        name = "Alert";
    else if (type == HS_CT_HANDSHAKE)
        name = s->pr.hs_after_ccs == 0 ? "Finished" : "EncryptedHandshakeMessage";
    else if (type == HS_CT_CHANGE_CIPHER_SPEC)
        name = "ChangeCipherSpec";
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, name, meta->t);
    ev->length = len - REC_HDR;
    hs_f_int(ev->fields, "record_length", (long long)(len - REC_HDR));
    hs_f_str(ev->fields, "not_decrypted", meta->opaque ? meta->opaque : "no key");
    hs_event_summary(ev, "encrypted, %s (%zu bytes)", meta->opaque ? meta->opaque : "no key",
                     len - REC_HDR);
    meta->wire = rec;
    meta->nwire = len;
    if (type == HS_CT_HANDSHAKE) {
        if (s->pr.hs_after_ccs == 0) {
            d->st.finished[s->who] = true;
            if (d->st.finished[HS_CLIENT] && d->st.finished[HS_SERVER])
                d->trace->handshake_done = true;
        }
        s->pr.hs_after_ccs++;
    }
    dec_emit(d, s, ev, meta);
}
