/*
 * The decoder's API (decoder.h) and the rows it adds to the trace: every row of a side goes
 * through dec_add_row, which bounds how many there are and how many bytes they keep.  The
 * work is in framing.c (records out of the byte stream), unprotect.c (keys, decryption,
 * records held for keys), handshake.c (content types, handshake reassembly) and appdata.c
 * (application-data runs); decoder_internal.h holds the state they share.
 */
#include "decoder_internal.h"

#include "../core/mem.h"
#include "explain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dec_frames_add(struct framelist *f, uint64_t frame)
{
    if (frame == 0 || (f->n > 0 && f->v[f->n - 1] == frame) || f->n == MAX_FRAMES)
        return;
    f->v[f->n++] = frame;
}

void dec_frames_merge(struct framelist *dst, const struct framelist *src)
{
    for (size_t i = 0; i < src->n; i++)
        dec_frames_add(dst, src->v[i]);
}

struct side *dec_other(struct hs_decoder *d, const struct side *s)
{
    return &d->side[s->who == HS_CLIENT ? HS_SERVER : HS_CLIENT];
}

/*
 * Adds a row of s to the trace within the per-side bounds: past HS_MAX_ROWS rows messages are
 * only counted (a row says so), past HS_MAX_ROW_BYTES rows keep no message bytes.
 */
void dec_add_row(struct hs_decoder *d, struct side *s, struct hs_event *ev)
{
    if (s->lim.rows >= HS_MAX_ROWS) {
        s->lim.dropped++;
        s->lim.dropped_t = ev->t_ms;
        hs_event_free(ev);
        return;
    }
    size_t kept = ev->nbytes + ev->nwire;
    if (kept > HS_MAX_ROW_BYTES - s->lim.bytes) {
        free(ev->bytes);
        free(ev->wire);
        ev->bytes = ev->wire = NULL;
        ev->nbytes = ev->nwire = 0;
    } else {
        s->lim.bytes += kept;
    }
    double t = ev->t_ms;
    hs_trace_add(d->trace, ev);
    if (++s->lim.rows == HS_MAX_ROWS) {
        struct hs_event *lim = hs_event_new(s->who, HS_LAYER_TLS, "Error", t);
        lim->problem = true;
        hs_f_str(lim->fields, "error", "row limit reached");
        hs_f_int(lim->fields, "limit", HS_MAX_ROWS);
        hs_event_summary(lim, "%d rows from this side: later messages are counted, not shown",
                         HS_MAX_ROWS);
        dec_explain(d, lim);
        hs_trace_add(d->trace, lim);
    }
}

void dec_key_fields(struct hs_field *f, const char *keys, const char *cipher, unsigned generation)
{
    if (keys)
        hs_f_str(f, "keys", keys);
    if (cipher)
        hs_f_str(f, "cipher", cipher);
    if (generation > 0)
        hs_f_int(f, "key_generation", generation);
}

struct hs_event *dec_msg_start(struct hs_decoder *d, const struct side *s, const char *name,
                               double t, struct hs_msg *m)
{
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, name, t);
    *m = (struct hs_msg){.st = &d->st, .trace = d->trace, .ev = ev, .f = ev->fields,
                         .from = s->who, .name = name, .keys = d->keys};
    return ev;
}

void dec_msg_finish(struct hs_msg *m, const uint8_t *p, size_t n)
{
    hs_msg_done(m);
    hs_event_set_bytes(m->ev, p, n);
    m->ev->length = n;
}

void dec_explain(const struct hs_decoder *d, struct hs_event *ev)
{
    if (ev->explain != NULL)
        return;
    struct hs_explain_ctx cx;
    hs_explain_ctx_from(&cx, &d->st, d->trace);
    ev->explain = hs_explain_event(ev, &cx);
}

/* Adds a finished event: flushes application-data runs first, then the metadata. */
void dec_emit(struct hs_decoder *d, struct side *s, struct hs_event *ev,
              const struct recmeta *meta)
{
    dec_flush_runs(d);
    if (meta) {
        ev->encrypted = meta->encrypted;
        ev->decrypted = meta->decrypted;
        if (meta->wire && meta->nwire > 0 && ev->wire == NULL)
            hs_event_set_wire(ev, meta->wire, meta->nwire);
        if (meta->frames)
            for (size_t i = 0; i < meta->frames->n; i++)
                hs_event_add_frame(ev, meta->frames->v[i]);
        if (meta->decrypted)
            dec_key_fields(ev->fields, meta->keys, meta->cipher, meta->generation);
    }
    dec_explain(d, ev);
    dec_add_row(d, s, ev);
}

void dec_problem(struct hs_decoder *d, struct side *s, double t, const struct framelist *fr,
                 const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Error", t);
    ev->problem = true;
    hs_f_str(ev->fields, "error", text);
    ev->summary = hs_xstrdup(text); /* our own words: nothing to escape */
    struct recmeta meta = {.t = t, .frames = fr};
    dec_emit(d, s, ev, &meta);
}

void hs_decoder_gap(struct hs_decoder *d, enum hs_side from, double t_ms, size_t n)
{
    if (d == NULL || (from != HS_CLIENT && from != HS_SERVER))
        return;
    struct side *s = &d->side[from];
    if (s->nt.gave_up)
        return;
    dec_problem(d, s, t_ms, NULL, "%zu bytes missing from the capture", n);
    s->fr.len = 0;
    s->fr.frames.n = 0;
    s->fr.sslv2 = false;
    dec_handshake_drop(s);
    s->fr.resync = true;
    s->fr.skipped = 0;
    s->fr.started = true;
}

void hs_decoder_keys_changed(struct hs_decoder *d)
{
    if (d == NULL)
        return;
    dec_retry_all(d);
}

void hs_decoder_no_more_keys(struct hs_decoder *d)
{
    if (d == NULL)
        return;
    d->side[HS_CLIENT].pr.final = d->side[HS_SERVER].pr.final = true;
    dec_drain(d);
}

void hs_decoder_finish(struct hs_decoder *d, double t_ms)
{
    if (d == NULL)
        return;
    d->side[HS_CLIENT].pr.final = d->side[HS_SERVER].pr.final = true;
    dec_drain(d);
    for (int i = 0; i < 2; i++)
        if (d->side[i].nt.pending)
            dec_not_tls_row(d, &d->side[i]);
    for (int i = 0; i < 2; i++) {
        struct side *s = &d->side[i];
        dec_framing_finish(d, s, t_ms);
        dec_handshake_finish(d, s, t_ms);
    }
    dec_flush_runs(d);
    dec_key_schedule(d);
    if (d->want_report) {
        hs_field_free(d->trace->decryption);
        d->trace->decryption = dec_report(d);
    }
    if (d->st.ech.offered || d->st.ech.inner_on_wire) {
        hs_field_free(d->trace->ech);
        d->trace->ech = hs_ech_verdict(&d->st, d->keys);
    }
    for (int i = 0; i < 2; i++) {
        struct side *s = &d->side[i];
        if (s->lim.dropped == 0)
            continue;
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Error", s->lim.dropped_t);
        ev->problem = true;
        hs_f_str(ev->fields, "error", "rows not shown");
        hs_f_int(ev->fields, "messages", (long long)s->lim.dropped);
        hs_event_summary(ev, "%zu more messages from this side not shown (limit %d rows)",
                         s->lim.dropped, HS_MAX_ROWS);
        dec_explain(d, ev);
        hs_trace_add(d->trace, ev);
        s->lim.dropped = 0;
    }
}

uint16_t hs_decoder_first_record_version(const struct hs_decoder *d, enum hs_side from)
{
    if (d == NULL || (from != HS_CLIENT && from != HS_SERVER))
        return 0;
    return d->side[from].fr.first_version;
}

bool hs_decoder_not_tls(const struct hs_decoder *d, enum hs_side from)
{
    if (d == NULL || (from != HS_CLIENT && from != HS_SERVER))
        return false;
    return d->side[from].nt.gave_up;
}

const uint8_t *hs_decoder_client_random(const struct hs_decoder *d)
{
    return d && d->st.ch_seen ? d->st.client_random : NULL;
}

struct hs_decoder *hs_decoder_new(struct hs_trace *trace, struct hs_keylog *keys)
{
    struct hs_decoder *d = hs_xcalloc(1, sizeof *d);
    d->trace = trace;
    d->keys = keys;
    for (int i = 0; i < 2; i++)
        d->side[i].who = (enum hs_side)i;
    return d;
}

void hs_decoder_key_schedule(struct hs_decoder *d, bool on)
{
    if (d)
        d->want_key_schedule = on;
}

void hs_decoder_report(struct hs_decoder *d, bool on)
{
    if (d)
        d->want_report = on;
}

void hs_decoder_free(struct hs_decoder *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < 2; i++) {
        struct side *s = &d->side[i];
        free(s->fr.rec);
        free(s->hs.buf);
        free(s->hs.wire);
        free(s->run.keep);
        for (size_t k = 0; k < s->pr.nheld; k++)
            free(s->pr.held[k].rec);
        free(s->pr.held);
    }
    free(d->scratch);
    hs_ech_free(&d->st.ech);
    hs_transcript_free(d->transcript);
    free(d);
}
