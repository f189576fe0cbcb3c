/*
 * The record layer of the decoder: per direction it frames records (RFC 8446 5.1, RFC 5246
 * 6.2), recognises a peer that does not speak TLS, removes record protection when the key log
 * has the secrets (holding records back until it does), reassembles handshake messages across
 * records, counts application data, and hands every complete message to the message decoders
 * (hello.c, messages.c) before adding its event to the trace.
 */
#include "decoder.h"

#include "../core/escape.h"
#include "../core/mem.h"
#include "msg.h"
#include "names.h"
#include "protect.h"
#include "record.h"
#include "suites.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_HDR HS_REC_HDR
#define REC_BUF (HS_REC_HDR + HS_REC_MAX_BODY12)
#define MAX_FRAMES 64           /* capture frames remembered per message */
#define MAX_WIRE (64u * 1024u)  /* protected bytes kept per message for the hex view */
#define RUN_KEEP 4096u          /* plaintext bytes kept per application-data row */
#define NOT_TLS_SHOW 48         /* first bytes shown for a peer that is not TLS */
#define SCAN_WIN 6              /* header + first body byte, when looking for a record start */

struct framelist {
    uint64_t v[MAX_FRAMES];
    size_t n;
};

static void frames_add(struct framelist *f, uint64_t frame)
{
    if (frame == 0 || (f->n > 0 && f->v[f->n - 1] == frame) || f->n == MAX_FRAMES)
        return;
    f->v[f->n++] = frame;
}

static void frames_merge(struct framelist *dst, const struct framelist *src)
{
    for (size_t i = 0; i < src->n; i++)
        frames_add(dst, src->v[i]);
}

/* How a record's content reached us. */
struct recmeta {
    double t;
    const struct framelist *frames;
    bool encrypted, decrypted;
    const uint8_t *wire; /* the protected record, or NULL */
    size_t nwire;
    const char *keys;    /* which secret decrypted it */
    unsigned generation; /* TLS 1.3 KeyUpdates applied to that secret */
    const char *cipher;  /* AEAD name */
    const char *opaque;  /* why it was not decrypted ("no key", ...), or NULL */
};

/* A protected record waiting for its key. */
struct held {
    uint8_t *rec;
    size_t len;
    double t;
    uint64_t arrival;     /* order across both sides */
    struct framelist frames;
};

enum phase { PH_PLAIN, PH_EARLY, PH_HANDSHAKE, PH_APP };

/* A run of application-data records in one direction, emitted as one row. */
enum run_kind {
    RUN_NONE, RUN_PLAIN, RUN_DECRYPTED, RUN_OPAQUE,
    RUN_OPAQUE_FLIGHT /* TLS 1.3 without keys: the side's encrypted handshake, by position */
};

struct run {
    enum run_kind kind;
    double t;
    size_t records, bytes, wire_bytes;
    struct framelist frames;
    uint8_t *keep;
    size_t nkeep;
    const char *keys, *cipher, *opaque;
    unsigned generation;
};

struct side {
    enum hs_side who;
    /* Framing. */
    uint8_t *rec;         /* the record being assembled (grows to REC_BUF at most) */
    size_t rec_len, rec_cap;
    struct framelist rec_frames;
    bool started;         /* a first complete record was seen */
    bool sslv2;           /* the record being assembled is SSLv2-format */
    bool not_tls;         /* gave up: the stream is not TLS (until a handshake shows up) */
    uint8_t nt_buf[NOT_TLS_SHOW]; /* its first bytes, for the row */
    size_t nt_len;
    bool nt_pending;      /* the row waits for a few more bytes */
    double nt_t;
    uint64_t nt_frame;
    bool resync;          /* after a gap or garbage: looking for a record header */
    size_t skipped;       /* bytes dropped while looking */
    /* Handshake reassembly. */
    uint8_t *hs;
    size_t hs_len, hs_cap;
    size_t hs_skip;       /* bytes of an over-long message still to drop */
    struct framelist hs_frames;
    uint8_t *hs_wire;
    size_t hs_nwire;
    bool hs_enc, hs_dec;
    const char *hs_keys, *hs_cipher;
    unsigned hs_generation;
    double hs_t0;
    /* Protection. */
    enum phase phase;     /* TLS 1.3 */
    bool protected12;     /* TLS 1.2: after this side's ChangeCipherSpec */
    unsigned hs_after_ccs;
    struct hs_protect cur;
    bool cur_ready;
    enum hs_secret cur_kind;
    unsigned generation;  /* KeyUpdates applied */
    struct hs_protect early;
    bool early_ready;
    /* Records held back for keys. */
    struct held *held;    /* HS_MAX_PENDING_RECORDS, allocated on first use (keeps an idle
                             decoder small: a capture may hold thousands) */
    size_t nheld;
    bool final;           /* no more waiting: missing keys make "no key" rows */
    /* TLS 1.3 without keys: the encrypted records taken for this side's handshake flight. */
    unsigned flight_records;
    bool flight_over;
    /* Application data. */
    struct run run;
    /* Bounds on what this side adds to the trace (a flood of tiny messages, huge ones). */
    size_t rows, rows_dropped, row_bytes;
    double dropped_t;
};

struct hs_decoder {
    struct hs_trace *trace;
    struct hs_keylog *keys;
    struct hs_tls_state st;
    struct side side[2];
    uint8_t cur_client_random[32]; /* of the latest ClientHello (renegotiation) */
    uint64_t arrivals;
    bool want_retry;
    bool retrying;
    uint8_t *scratch;              /* decryption output */
};

static void handle_plain(struct hs_decoder *d, struct side *s, uint8_t type, const uint8_t *p,
                         size_t n, const struct recmeta *meta);
static void not_tls(struct hs_decoder *d, struct side *s, double t, const uint8_t *p, size_t n,
                    uint64_t frame);

/* ------------------------------------------------------------------------------------------ */
/* Events */

static struct side *other(struct hs_decoder *d, struct side *s)
{
    return &d->side[s->who == HS_CLIENT ? HS_SERVER : HS_CLIENT];
}

/*
 * Adds a row of s to the trace within the per-side bounds: past HS_MAX_ROWS rows messages are
 * only counted (a row says so), past HS_MAX_ROW_BYTES rows keep no message bytes.
 */
static void add_row(struct hs_decoder *d, struct side *s, struct hs_event *ev)
{
    if (s->rows >= HS_MAX_ROWS) {
        s->rows_dropped++;
        s->dropped_t = ev->t_ms;
        hs_event_free(ev);
        return;
    }
    size_t kept = ev->nbytes + ev->nwire;
    if (kept > HS_MAX_ROW_BYTES - s->row_bytes) {
        free(ev->bytes);
        free(ev->wire);
        ev->bytes = ev->wire = NULL;
        ev->nbytes = ev->nwire = 0;
    } else {
        s->row_bytes += kept;
    }
    double t = ev->t_ms;
    hs_trace_add(d->trace, ev);
    if (++s->rows == HS_MAX_ROWS) {
        struct hs_event *lim = hs_event_new(s->who, HS_LAYER_TLS, "Error", t);
        lim->problem = true;
        hs_f_str(lim->fields, "error", "row limit reached");
        hs_f_int(lim->fields, "limit", HS_MAX_ROWS);
        hs_event_summary(lim, "%d rows from this side: later messages are counted, not shown",
                         HS_MAX_ROWS);
        hs_trace_add(d->trace, lim);
    }
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
    if (r->keys)
        hs_f_str(ev->fields, "keys", r->keys);
    if (r->cipher)
        hs_f_str(ev->fields, "cipher", r->cipher);
    if (r->generation > 0)
        hs_f_int(ev->fields, "key_generation", r->generation);
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
    else
        hs_event_summary(ev, "%zu record%s, %zu bytes", r->records, r->records == 1 ? "" : "s",
                         r->bytes);
    const char *ex = hs_explain(type, s->who, d->st.version == 0x0304);
    ev->explain = ex ? hs_xstrdup(ex) : NULL;
    free(r->keep);
    memset(r, 0, sizeof *r);
    add_row(d, s, ev);
}

static void flush_runs(struct hs_decoder *d)
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

/* Adds a finished event: flushes application-data runs first, then the metadata. */
static void emit(struct hs_decoder *d, struct side *s, struct hs_event *ev,
                 const struct recmeta *meta)
{
    flush_runs(d);
    if (meta) {
        ev->encrypted = meta->encrypted;
        ev->decrypted = meta->decrypted;
        if (meta->wire && meta->nwire > 0 && ev->wire == NULL)
            hs_event_set_wire(ev, meta->wire, meta->nwire);
        if (meta->frames)
            for (size_t i = 0; i < meta->frames->n; i++)
                hs_event_add_frame(ev, meta->frames->v[i]);
        if (meta->decrypted) {
            if (meta->keys)
                hs_f_str(ev->fields, "keys", meta->keys);
            if (meta->cipher)
                hs_f_str(ev->fields, "cipher", meta->cipher);
            if (meta->generation > 0)
                hs_f_int(ev->fields, "key_generation", meta->generation);
        }
    }
    if (ev->explain == NULL) {
        const char *ex = hs_explain(ev->type, s->who, d->st.version == 0x0304);
        ev->explain = ex ? hs_xstrdup(ex) : NULL;
    }
    add_row(d, s, ev);
}

/* A problem row of the decoder itself (framing, limits, decryption). */
static void problem(struct hs_decoder *d, struct side *s, double t, const struct framelist *fr,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(struct hs_decoder *d, struct side *s, double t, const struct framelist *fr,
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
    emit(d, s, ev, &meta);
}

/* ------------------------------------------------------------------------------------------ */
/* Keys */

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
    s->cur = s->who == HS_CLIENT ? c : sv;
    s->cur_kind = HS_SECRET_TLS12_MASTER;
    return true;
}

static enum hs_secret app_secret(const struct side *s)
{
    return s->who == HS_CLIENT ? HS_SECRET_CLIENT_TRAFFIC_0 : HS_SECRET_SERVER_TRAFFIC_0;
}

/* Brings a freshly loaded 1.3 application state up to the current KeyUpdate generation. */
static bool catch_up(struct side *s)
{
    for (unsigned i = 0; i < s->generation; i++)
        if (hs_protect_tls13_update(&s->cur) != HS_OK)
            return false;
    return true;
}

static bool is_protected(const struct hs_decoder *d, const struct side *s, uint8_t type)
{
    if (s->protected12)
        return true;
    if (type != 23)
        return false;
    if (s->phase != PH_PLAIN)
        return true;
    /* A 1.3-capable client's data before the ServerHello is known (early data, or bytes fed
     * out of order): it needs the ServerHello to be read. */
    return s->who == HS_CLIENT && d->st.client_offers_tls13 && !d->st.sh_seen;
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
        /* RC4, NULL, export, SSL 3.0, ciphers mbedTLS lacks, unknown suites */
        const char *why = hs_suite_why_opaque(suite, d->st.version);
        if (why) {
            meta->opaque = why;
            return DEC_OPAQUE;
        }
    }
    if (s->protected12) {
        if (!s->cur_ready) {
            if (!d->st.sh_seen || !load12(d, s))
                return DEC_NOKEY;
            s->cur_ready = true;
        }
        if (hs_protect_decrypt(&s->cur, rec, body, blen, d->scratch, out_len, inner) != HS_OK)
            return DEC_FAILED;
        meta->keys = hs_secret_plain(HS_SECRET_TLS12_MASTER);
        /* the state's own protection: a renegotiation may have changed the suite since */
        meta->cipher = s->cur.aead != HS_AEAD_NONE
                           ? hs_aead_name(s->cur.aead)
                           : hs_cbc_name(s->cur.cbc, s->cur.mac, s->cur.etm);
        return DEC_OK;
    }
    /* TLS 1.3.  Before the ServerHello only 0-RTT data can come (client side). */
    if (!d->st.sh_seen)
        return DEC_NOKEY;
    bool any_key = false;
    if (s->phase == PH_EARLY) {
        if (!s->early_ready)
            s->early_ready = load13(d, &s->early, HS_SECRET_CLIENT_EARLY);
        if (s->early_ready) {
            any_key = true;
            if (hs_protect_decrypt(&s->early, rec, body, blen, d->scratch, out_len, inner) ==
                HS_OK) {
                meta->keys = hs_secret_plain(HS_SECRET_CLIENT_EARLY);
                meta->cipher = hs_aead_name(suite->aead);
                return DEC_OK;
            }
        }
    }
    if (!s->cur_ready) {
        s->cur_ready = load13(d, &s->cur, s->cur_kind) && catch_up(s);
    }
    if (s->cur_ready) {
        any_key = true;
        if (hs_protect_decrypt(&s->cur, rec, body, blen, d->scratch, out_len, inner) == HS_OK) {
            if (s->phase == PH_EARLY)
                s->phase = PH_HANDSHAKE; /* the client moved on from 0-RTT */
            meta->keys = hs_secret_plain(s->cur_kind);
            meta->generation = s->phase == PH_APP ? s->generation : 0;
            meta->cipher = hs_aead_name(suite->aead);
            return DEC_OK;
        }
    }
    if (!any_key)
        return DEC_NOKEY;
    if (s->phase == PH_EARLY && !s->early_ready) {
        /* 0-RTT data whose early secret is not logged: it cannot be read, but the
         * handshake key is there, so this is not a failure. */
        meta->opaque = "no key (0-RTT data)";
        return DEC_OPAQUE;
    }
    return DEC_FAILED;
}

/* ------------------------------------------------------------------------------------------ */
/* Application data, alerts, opaque records */

static void run_add(struct hs_decoder *d, struct side *s, enum run_kind kind, const uint8_t *p,
                    size_t n, size_t wire, const struct recmeta *meta)
{
    struct side *o = other(d, s);
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
        frames_merge(&r->frames, meta->frames);
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
    struct side *o = other(d, s);
    if (!d->st.sh_seen || d->st.version != 0x0304)
        return false;
    if (s->who == HS_CLIENT && o->flight_records == 0)
        return false;
    if (o->flight_records > 0)
        o->flight_over = true;
    if (s->flight_over)
        return false;
    s->flight_records++;
    if (s->who == HS_CLIENT) {
        const struct hs_suite *suite = hs_suite_find(d->st.suite);
        size_t fin = suite ? 4 + hs_hash_len(suite->hash) + 1 + hs_aead_tag_len(suite->aead) : 0;
        if (body == fin || s->flight_records >= 4)
            s->flight_over = true;
    }
    return true;
}

/* A protected record hstrace cannot read: a row that says so, typed by what it must be. */
static void opaque_record(struct hs_decoder *d, struct side *s, const uint8_t *rec, size_t len,
                          struct recmeta *meta)
{
    uint8_t type = rec[0];
    meta->encrypted = true;
    meta->decrypted = false;
    if (type == 23 || d->st.version == 0x0304) {
        bool flight = type == 23 && in_flight13(d, s, len - REC_HDR);
        run_add(d, s, flight ? RUN_OPAQUE_FLIGHT : RUN_OPAQUE, NULL, len - REC_HDR,
                len - REC_HDR, meta);
        return;
    }
    const char *name = "Handshake";
    if (type == 21)
        name = "Alert";
    else if (type == 22)
        name = s->hs_after_ccs == 0 ? "Finished" : "EncryptedHandshakeMessage";
    else if (type == 20)
        name = "ChangeCipherSpec";
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, name, meta->t);
    ev->length = len - REC_HDR;
    hs_f_int(ev->fields, "record_length", (long long)(len - REC_HDR));
    hs_f_str(ev->fields, "not_decrypted", meta->opaque ? meta->opaque : "no key");
    hs_event_summary(ev, "encrypted, %s (%zu bytes)", meta->opaque ? meta->opaque : "no key",
                     len - REC_HDR);
    meta->wire = rec;
    meta->nwire = len;
    if (type == 22) {
        if (s->hs_after_ccs == 0) {
            d->st.finished[s->who] = true;
            if (d->st.finished[HS_CLIENT] && d->st.finished[HS_SERVER])
                d->trace->handshake_done = true;
        }
        s->hs_after_ccs++;
    }
    emit(d, s, ev, meta);
}

static void handle_alerts(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n,
                          const struct recmeta *meta)
{
    size_t off = 0;
    do {
        size_t take = n - off >= 2 ? 2 : n - off;
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Alert", meta->t);
        struct hs_msg m = {.st = &d->st, .trace = d->trace, .ev = ev, .f = ev->fields,
                           .from = s->who, .name = "Alert"};
        hs_decode_alert(&m, p + off, take);
        hs_msg_done(&m);
        hs_event_set_bytes(ev, p + off, take);
        ev->length = take;
        emit(d, s, ev, meta);
        off += take;
    } while (off < n);
}

/* ------------------------------------------------------------------------------------------ */
/* Handshake messages */

static void hs_reset_meta(struct side *s)
{
    s->hs_frames.n = 0;
    free(s->hs_wire);
    s->hs_wire = NULL;
    s->hs_nwire = 0;
    s->hs_enc = s->hs_dec = false;
    s->hs_keys = s->hs_cipher = NULL;
    s->hs_generation = 0;
}

static void hs_take_meta(struct side *s, const struct recmeta *meta)
{
    if (meta->frames)
        frames_merge(&s->hs_frames, meta->frames);
    if (meta->encrypted)
        s->hs_enc = true;
    if (meta->decrypted) {
        s->hs_dec = true;
        s->hs_keys = meta->keys;
        s->hs_cipher = meta->cipher;
        s->hs_generation = meta->generation;
    }
    if (meta->wire && meta->nwire <= MAX_WIRE - s->hs_nwire) {
        s->hs_wire = hs_xrealloc(s->hs_wire, s->hs_nwire + meta->nwire);
        memcpy(s->hs_wire + s->hs_nwire, meta->wire, meta->nwire);
        s->hs_nwire += meta->nwire;
    }
}

/* State changes that follow from a decoded handshake message. */
static void after_message(struct hs_decoder *d, struct side *s, uint8_t type, const char *evtype)
{
    struct hs_tls_state *st = &d->st;
    struct side *cl = &d->side[HS_CLIENT], *sv = &d->side[HS_SERVER];
    if (type == 1 && s->who == HS_CLIENT) {
        if (st->ch_count == 1 && st->client_early_data && cl->phase == PH_PLAIN)
            cl->phase = PH_EARLY;
        d->want_retry = true;
    }
    if (type == 2 && s->who == HS_SERVER && strcmp(evtype, "ServerHello") == 0) {
        memcpy(d->cur_client_random, st->last_client_random, 32);
        if (st->version == 0x0304) {
            sv->phase = PH_HANDSHAKE;
            sv->cur_kind = HS_SECRET_SERVER_HANDSHAKE;
            sv->cur_ready = false;
            if (cl->phase != PH_EARLY || st->end_of_early_data)
                cl->phase = PH_HANDSHAKE;
            cl->cur_kind = HS_SECRET_CLIENT_HANDSHAKE;
            cl->cur_ready = false;
        }
        d->want_retry = true;
    }
    if (type == 5 && s->who == HS_CLIENT && s->phase == PH_EARLY)
        s->phase = PH_HANDSHAKE;
    if (type == 20) {
        if (st->version == 0x0304 && s->phase != PH_APP && s->phase != PH_PLAIN) {
            s->phase = PH_APP;
            s->cur_kind = app_secret(s);
            s->cur_ready = false;
            s->generation = 0;
        }
        if (st->finished[HS_CLIENT] && st->finished[HS_SERVER])
            d->trace->handshake_done = true;
    }
    if (type == 24 && st->version == 0x0304 && s->phase == PH_APP) {
        s->generation++;
        if (s->cur_ready && hs_protect_tls13_update(&s->cur) != HS_OK)
            s->cur_ready = false;
    }
    if (s->protected12 && type != 1 && type != 2)
        s->hs_after_ccs++;
}

static void emit_handshake(struct hs_decoder *d, struct side *s, const uint8_t *msg, size_t n,
                           double t)
{
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Handshake", t);
    struct hs_msg m = {.st = &d->st, .trace = d->trace, .ev = ev, .f = ev->fields,
                       .from = s->who, .name = "Handshake"};
    hs_decode_handshake(&m, msg, n);
    hs_msg_done(&m);
    hs_event_set_bytes(ev, msg, n);
    ev->length = n;
    struct recmeta meta = {.t = t, .frames = &s->hs_frames, .encrypted = s->hs_enc,
                           .decrypted = s->hs_dec, .wire = s->hs_wire, .nwire = s->hs_nwire,
                           .keys = s->hs_keys, .cipher = s->hs_cipher,
                           .generation = s->hs_generation};
    after_message(d, s, msg[0], ev->type);
    emit(d, s, ev, &meta);
}

static void handle_handshake(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n,
                             const struct recmeta *meta)
{
    /* Drop what remains of an over-long message first. */
    if (s->hs_skip > 0) {
        size_t k = n < s->hs_skip ? n : s->hs_skip;
        s->hs_skip -= k;
        p += k;
        n -= k;
        if (n == 0)
            return;
    }
    if (s->hs_len == 0) {
        hs_reset_meta(s);
        s->hs_t0 = meta->t;
    }
    hs_take_meta(s, meta);
    while (n > 0) {
        /* Complete the header, then the body, of the message at the front. */
        size_t need = 4;
        if (s->hs_len >= 4)
            need = 4 + ((size_t)s->hs[1] << 16 | (size_t)s->hs[2] << 8 | s->hs[3]);
        if (s->hs_len < 4) {
            size_t k = 4 - s->hs_len < n ? 4 - s->hs_len : n;
            if (s->hs_cap < 4) {
                s->hs = hs_xrealloc(s->hs, 64);
                s->hs_cap = 64;
            }
            memcpy(s->hs + s->hs_len, p, k);
            s->hs_len += k;
            p += k;
            n -= k;
            if (s->hs_len < 4)
                break;
            need = 4 + ((size_t)s->hs[1] << 16 | (size_t)s->hs[2] << 8 | s->hs[3]);
            if (need - 4 > HS_MAX_HANDSHAKE_MSG) {
                const char *name = hs_name_handshake(s->hs[0]);
                struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Handshake", meta->t);
                if (name)
                    snprintf(ev->type, sizeof ev->type, "%s", name);
                else
                    snprintf(ev->type, sizeof ev->type, "Handshake(%u)", s->hs[0]);
                ev->problem = true;
                ev->length = need;
                hs_f_int(ev->fields, "declared_length", (long long)(need - 4));
                hs_f_fmt(ev->fields, "error", "%s: length %zu exceeds the limit of %u bytes",
                         ev->type, need - 4, HS_MAX_HANDSHAKE_MSG);
                hs_event_summary(ev, "length %zu exceeds the limit of %u bytes, skipped",
                                 need - 4, HS_MAX_HANDSHAKE_MSG);
                hs_event_set_bytes(ev, s->hs, 4);
                struct recmeta m2 = *meta;
                m2.frames = &s->hs_frames;
                emit(d, s, ev, &m2);
                size_t k2 = n < need - 4 ? n : need - 4;
                s->hs_skip = need - 4 - k2;
                p += k2;
                n -= k2;
                s->hs_len = 0;
                hs_reset_meta(s);
                if (n > 0)
                    hs_take_meta(s, meta);
                continue;
            }
        }
        size_t k = need - s->hs_len < n ? need - s->hs_len : n;
        if (s->hs_cap < s->hs_len + k) {
            size_t cap = s->hs_cap ? s->hs_cap : 64;
            while (cap < s->hs_len + k)
                cap *= 2;
            s->hs = hs_xrealloc(s->hs, cap);
            s->hs_cap = cap;
        }
        memcpy(s->hs + s->hs_len, p, k);
        s->hs_len += k;
        p += k;
        n -= k;
        if (s->hs_len < need)
            break;
        emit_handshake(d, s, s->hs, need, meta->t);
        s->hs_len = 0;
        hs_reset_meta(s);
        if (n > 0) {
            hs_take_meta(s, meta); /* the next message starts in this record */
            s->hs_t0 = meta->t;
        }
        if (s->hs_cap > 65536) {
            free(s->hs);
            s->hs = NULL;
            s->hs_cap = 0;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Records */

static bool tls13_ccs(const struct hs_decoder *d)
{
    return d->st.version == 0x0304 || d->st.hrr_count > 0 ||
           (d->st.version == 0 && d->st.client_offers_tls13);
}

static void handle_plain(struct hs_decoder *d, struct side *s, uint8_t type, const uint8_t *p,
                         size_t n, const struct recmeta *meta)
{
    switch (type) {
    case 22:
        if (n == 0) {
            problem(d, s, meta->t, meta->frames, "empty handshake record");
            return;
        }
        handle_handshake(d, s, p, n, meta);
        return;
    case 21:
        handle_alerts(d, s, p, n, meta);
        return;
    case 20: {
        bool compat = tls13_ccs(d);
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "ChangeCipherSpec", meta->t);
        struct hs_msg m = {.st = &d->st, .trace = d->trace, .ev = ev, .f = ev->fields,
                           .from = s->who, .name = "ChangeCipherSpec"};
        hs_decode_ccs(&m, p, n, compat);
        hs_msg_done(&m);
        hs_event_set_bytes(ev, p, n);
        ev->length = n;
        if (compat) {
            const char *ex = hs_explain("ChangeCipherSpec", s->who, true);
            ev->explain = ex ? hs_xstrdup(ex) : NULL;
        } else {
            /* Also inside an encrypted channel (renegotiation): new keys from here. */
            s->protected12 = true;
            s->cur_ready = false;
            s->hs_after_ccs = 0;
            /* TLS 1.2 abbreviated handshake by session ticket: no server Certificate. */
            if (s->who == HS_SERVER && !d->st.server_certificate && d->st.sh_seen &&
                (d->st.client_ticket || d->st.sid_resumed))
                d->trace->resumed = true;
        }
        emit(d, s, ev, meta);
        return;
    }
    case 23:
        run_add(d, s, meta->decrypted ? RUN_DECRYPTED : meta->encrypted ? RUN_OPAQUE : RUN_PLAIN,
                p, n, meta->nwire > REC_HDR ? meta->nwire - REC_HDR : n, meta);
        return;
    case 24: {
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Heartbeat", meta->t);
        ev->length = n;
        if (n >= 1)
            hs_f_str(ev->fields, "heartbeat_type",
                     p[0] == 1 ? "request" : p[0] == 2 ? "response" : "unknown");
        if (n >= 3)
            hs_f_int(ev->fields, "payload_length", (long long)((size_t)p[1] << 8 | p[2]));
        hs_event_set_bytes(ev, p, n);
        hs_event_summary(ev, "%zu bytes", n);
        emit(d, s, ev, meta);
        return;
    }
    default:
        problem(d, s, meta->t, meta->frames, "record of unknown content type %u (%zu bytes)",
                type, n);
        return;
    }
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
            problem(d, s, t, frames, "record of %zu bytes: over the 16384-byte limit for "
                    "plaintext records", len - REC_HDR);
        handle_plain(d, s, type, rec + REC_HDR, len - REC_HDR, &meta);
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
        handle_plain(d, s, inner, d->scratch, out_len, &meta);
        return true;
    case DEC_NOKEY:
        if (may_hold)
            return false;
        meta.opaque = "no key";
        opaque_record(d, s, rec, len, &meta);
        return true;
    case DEC_OPAQUE:
        opaque_record(d, s, rec, len, &meta);
        return true;
    case DEC_FAILED:
    default: {
        const char *what = type == 23 ? "application_data" : hs_name_content_type(type);
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Error", t);
        ev->problem = true;
        ev->encrypted = true;
        ev->length = len - REC_HDR;
        hs_f_str(ev->fields, "error", "decryption failed");
        hs_f_int(ev->fields, "record_length", (long long)(len - REC_HDR));
        hs_f_str(ev->fields, "record_type", what ? what : "unknown");
        hs_event_summary(ev, "decryption failed (%zu-byte %s record)", len - REC_HDR,
                         what ? what : "unknown");
        emit(d, s, ev, &meta);
        return true;
    }
    }
}

static void hold(struct hs_decoder *d, struct side *s, const uint8_t *rec, size_t len, double t,
                 const struct framelist *frames)
{
    if (s->held == NULL)
        s->held = hs_xcalloc(HS_MAX_PENDING_RECORDS, sizeof *s->held);
    struct held *h = &s->held[s->nheld++];
    h->arrival = d->arrivals++;
    h->rec = hs_xmemdup(rec, len);
    h->len = len;
    h->t = t;
    h->frames = *frames;
}

/* Processes the oldest held record of s; false if it still lacks its key. */
static bool drain_one(struct hs_decoder *d, struct side *s)
{
    struct held h = s->held[0];
    if (!handle_record(d, s, h.rec, h.len, h.t, &h.frames, !s->final))
        return false;
    free(h.rec);
    memmove(s->held, s->held + 1, (s->nheld - 1) * sizeof s->held[0]);
    s->nheld--;
    return true;
}

/* Processes held records of both sides in arrival order until each side is empty or its
 * oldest record still lacks its key (all of them, for a side that is final). */
static void drain(struct hs_decoder *d)
{
    bool blocked[2] = {false, false};
    for (;;) {
        struct side *c = &d->side[HS_CLIENT], *v = &d->side[HS_SERVER];
        bool cok = c->nheld > 0 && !blocked[HS_CLIENT];
        bool vok = v->nheld > 0 && !blocked[HS_SERVER];
        if (!cok && !vok)
            return;
        struct side *s = !vok || (cok && c->held[0].arrival < v->held[0].arrival) ? c : v;
        if (!drain_one(d, s))
            blocked[s->who] = true;
    }
}

static void retry_all(struct hs_decoder *d)
{
    if (d->retrying)
        return;
    d->retrying = true;
    do {
        d->want_retry = false;
        drain(d);
    } while (d->want_retry);
    d->retrying = false;
}

static void record_done(struct hs_decoder *d, struct side *s, double t)
{
    const uint8_t *rec = s->rec;
    size_t len = s->rec_len;
    s->started = true;
    if (s->sslv2 && (len < 3 || rec[2] != 1)) {
        /* High bit set but not an SSLv2 ClientHello: some other protocol. */
        s->sslv2 = false;
        not_tls(d, s, t, rec, len < NOT_TLS_SHOW ? len : NOT_TLS_SHOW,
                s->rec_frames.n ? s->rec_frames.v[0] : 0);
        return;
    }
    if (s->sslv2) {
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "ClientHello", t);
        struct hs_msg m = {.st = &d->st, .trace = d->trace, .ev = ev, .f = ev->fields,
                           .from = s->who, .name = "ClientHello"};
        hs_decode_sslv2_client_hello(&m, rec, len);
        hs_msg_done(&m);
        hs_event_set_bytes(ev, rec, len);
        ev->length = len;
        struct recmeta meta = {.t = t, .frames = &s->rec_frames};
        memcpy(d->cur_client_random, d->st.last_client_random, 32);
        emit(d, s, ev, &meta);
        s->sslv2 = false;
        return;
    }
    bool may_hold = d->keys != NULL && !s->final;
    if (s->nheld > 0) {
        if (s->nheld == HS_MAX_PENDING_RECORDS) {
            /* With an empty key log nothing was going to help: no need to say more. */
            if (hs_keylog_count(d->keys) > 0)
                problem(d, s, t, &s->rec_frames,
                        "more than %d records waiting for keys: showing them without decryption",
                        HS_MAX_PENDING_RECORDS);
            s->final = true;
            drain(d);
            handle_record(d, s, rec, len, t, &s->rec_frames, false);
            return;
        }
        hold(d, s, rec, len, t, &s->rec_frames);
        return;
    }
    if (!handle_record(d, s, rec, len, t, &s->rec_frames, may_hold))
        hold(d, s, rec, len, t, &s->rec_frames);
}

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

#define NOT_TLS_WAIT 16 /* bytes worth waiting for before showing what the peer sent */

static void not_tls_row(struct hs_decoder *d, struct side *s)
{
    const uint8_t *p = s->nt_buf;
    size_t n = s->nt_len;
    char *esc = hs_escape(p, n);
    struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "NotTLS", s->nt_t);
    ev->problem = true;
    ev->length = n;
    hs_f_text(ev->fields, "first_bytes", p, n);
    hs_f_hex(ev->fields, "first_bytes_hex", p, n);
    hs_f_str(ev->fields, "error", "not TLS");
    ev->summary = hs_xasprintf("not TLS: %s%s", esc, n == NOT_TLS_SHOW ? "…" : "");
    hs_event_set_bytes(ev, p, n);
    free(esc);
    struct framelist fr = {0};
    frames_add(&fr, s->nt_frame);
    struct recmeta meta = {.t = s->nt_t, .frames = &fr};
    s->nt_pending = false;
    emit(d, s, ev, &meta);
}

static void not_tls_more(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n)
{
    if (!s->nt_pending || n == 0) /* p may be NULL when n is 0: no memcpy from it */
        return;
    size_t k = n < NOT_TLS_SHOW - s->nt_len ? n : NOT_TLS_SHOW - s->nt_len;
    memcpy(s->nt_buf + s->nt_len, p, k);
    s->nt_len += k;
    if (s->nt_len >= NOT_TLS_WAIT)
        not_tls_row(d, s);
}

/* The stream is not TLS: one row, once, with its first bytes. */
static void not_tls(struct hs_decoder *d, struct side *s, double t, const uint8_t *p, size_t n,
                    uint64_t frame)
{
    bool first = !s->nt_pending && s->nt_len == 0;
    s->not_tls = true;
    s->rec_len = 0;
    if (!first)
        return;
    s->nt_pending = true;
    s->nt_t = t;
    s->nt_frame = frame;
    not_tls_more(d, s, p, n);
}

/* Scans byte by byte for a record start; returns the bytes consumed.  On success the window
 * (header + first body byte) is left in s->rec and framing continues from there. */
static size_t scan(struct hs_decoder *d, struct side *s, const uint8_t *p, size_t n,
                   uint64_t frame, bool strict)
{
    size_t used = 0;
    while (used < n) {
        s->rec[s->rec_len++] = p[used++];
        if (s->rec_len < SCAN_WIN)
            continue;
        if (plausible_header(d, s, s->rec, strict)) {
            s->rec_frames.n = 0;
            frames_add(&s->rec_frames, frame);
            s->not_tls = false;
            s->resync = false;
            return used;
        }
        memmove(s->rec, s->rec + 1, SCAN_WIN - 1);
        s->rec_len = SCAN_WIN - 1;
        s->skipped++;
    }
    return used;
}

void hs_decoder_feed(struct hs_decoder *d, enum hs_side from, double t_ms, const uint8_t *p,
                     size_t n, uint64_t frame)
{
    if (d == NULL || (p == NULL && n > 0) || (from != HS_CLIENT && from != HS_SERVER))
        return;
    struct side *s = &d->side[from];
    if (s->rec == NULL) { /* allocated on first bytes, small: a capture may hold many decoders */
        s->rec_cap = 512;
        s->rec = hs_xmalloc(s->rec_cap);
    }
    if (s->not_tls)
        not_tls_more(d, s, p, n);
    while (n > 0) {
        if (s->not_tls || s->resync) {
            bool was_resync = s->resync;
            size_t used = scan(d, s, p, n, frame, s->not_tls);
            p += used;
            n -= used;
            if (s->not_tls || s->resync)
                break;
            if (was_resync && s->skipped > 0)
                problem(d, s, t_ms, &s->rec_frames,
                        "skipped %zu bytes to find the next record header", s->skipped);
            s->skipped = 0;
            continue;
        }
        if (s->rec_len == 0 && !s->started && !s->sslv2) {
            /* The first byte tells TLS, SSLv2-format hello, or something else. */
            if (from == HS_CLIENT && (p[0] & 0x80)) {
                s->sslv2 = true;
            } else if (!hs_record_type_known(p[0])) {
                not_tls(d, s, t_ms, p, n, frame);
                continue; /* look for a handshake further on (STARTTLS) */
            }
        }
        size_t hdr = s->sslv2 ? HS_SSLV2_HDR : REC_HDR;
        size_t need = hdr;
        if (s->rec_len >= hdr)
            need = hdr + (s->sslv2 ? hs_sslv2_length(s->rec) : hs_record_length(s->rec));
        size_t k = need - s->rec_len < n ? need - s->rec_len : n;
        if (need > s->rec_cap) { /* need <= REC_BUF: the header was checked */
            size_t cap = s->rec_cap * 4 < REC_BUF ? s->rec_cap * 4 : REC_BUF;
            s->rec_cap = cap > need ? cap : need;
            s->rec = hs_xrealloc(s->rec, s->rec_cap);
        }
        memcpy(s->rec + s->rec_len, p, k);
        s->rec_len += k;
        p += k;
        n -= k;
        frames_add(&s->rec_frames, frame);
        if (s->rec_len < hdr)
            break;
        if (s->rec_len == hdr) {
            /* Header complete: check it before trusting its length. */
            if (s->sslv2) {
                size_t len = hs_sslv2_length(s->rec);
                if (len < HS_SSLV2_MIN_BODY || len > HS_REC_MAX_BODY12) {
                    s->sslv2 = false;
                    not_tls(d, s, t_ms, s->rec, s->rec_len, frame);
                    continue;
                }
                continue;
            }
            const uint8_t *h = s->rec;
            size_t len = hs_record_length(h);
            bool shaped = hs_record_shaped(h);
            bool ok = shaped && len <= max_body(d);
            if (!ok) {
                /* A TLS header with an impossible length is broken TLS, not another protocol. */
                if (!s->started && !shaped) {
                    uint8_t first[REC_HDR + NOT_TLS_SHOW];
                    size_t m = REC_HDR, extra = n < NOT_TLS_SHOW ? n : NOT_TLS_SHOW;
                    memcpy(first, s->rec, REC_HDR);
                    memcpy(first + REC_HDR, p, extra);
                    not_tls(d, s, t_ms, first, m + extra, frame);
                    continue;
                }
                char esc[3 * REC_HDR + 1];
                for (size_t i = 0; i < REC_HDR; i++)
                    snprintf(esc + 3 * i, 4, "%02x%s", h[i], i + 1 < REC_HDR ? " " : "");
                if (len > max_body(d) && hs_record_type_known(h[0]) && h[1] == 3)
                    problem(d, s, t_ms, &s->rec_frames,
                            "record length %zu exceeds the limit of %zu: looking for the next record",
                            len, max_body(d));
                else
                    problem(d, s, t_ms, &s->rec_frames,
                            "invalid record header %s: looking for the next record", esc);
                /* Look for a header starting at the byte after this one. */
                uint8_t tmp[REC_HDR - 1];
                memcpy(tmp, s->rec + 1, REC_HDR - 1);
                s->rec_len = 0;
                s->rec_frames.n = 0;
                s->resync = true;
                s->skipped = 1;
                scan(d, s, tmp, sizeof tmp, frame, false);
                continue;
            }
            if (len > 0)
                continue;
        }
        if (s->rec_len == need) {
            record_done(d, s, t_ms);
            s->rec_len = 0;
            s->rec_frames.n = 0;
            if (s->not_tls)
                break;
        }
    }
    if (d->want_retry)
        retry_all(d);
}

void hs_decoder_gap(struct hs_decoder *d, enum hs_side from, double t_ms, size_t n)
{
    if (d == NULL || (from != HS_CLIENT && from != HS_SERVER))
        return;
    struct side *s = &d->side[from];
    if (s->not_tls)
        return;
    problem(d, s, t_ms, NULL, "%zu bytes missing from the capture", n);
    s->rec_len = 0;
    s->rec_frames.n = 0;
    s->sslv2 = false;
    s->hs_len = 0;
    s->hs_skip = 0;
    hs_reset_meta(s);
    s->resync = true;
    s->skipped = 0;
    s->started = true;
}

void hs_decoder_keys_changed(struct hs_decoder *d)
{
    if (d == NULL)
        return;
    retry_all(d);
}

void hs_decoder_no_more_keys(struct hs_decoder *d)
{
    if (d == NULL)
        return;
    d->side[HS_CLIENT].final = d->side[HS_SERVER].final = true;
    drain(d);
}

void hs_decoder_finish(struct hs_decoder *d, double t_ms)
{
    if (d == NULL)
        return;
    d->side[HS_CLIENT].final = d->side[HS_SERVER].final = true;
    drain(d);
    for (int i = 0; i < 2; i++)
        if (d->side[i].nt_pending)
            not_tls_row(d, &d->side[i]);
    for (int i = 0; i < 2; i++) {
        struct side *s = &d->side[i];
        if (!s->not_tls && !s->resync && s->rec_len > 0) {
            size_t hdr = s->sslv2 ? HS_SSLV2_HDR : REC_HDR;
            if (s->rec_len >= hdr) {
                size_t len = s->sslv2 ? hs_sslv2_length(s->rec) : hs_record_length(s->rec);
                problem(d, s, t_ms, &s->rec_frames,
                        "stream ended inside a record: %zu of %zu bytes", s->rec_len - hdr, len);
            } else {
                problem(d, s, t_ms, &s->rec_frames,
                        "stream ended inside a record header (%zu bytes)", s->rec_len);
            }
            s->rec_len = 0;
        }
        if (s->hs_len > 0) {
            size_t need = s->hs_len >= 4
                              ? ((size_t)s->hs[1] << 16 | (size_t)s->hs[2] << 8 | s->hs[3])
                              : 0;
            const char *name = s->hs_len >= 1 ? hs_name_handshake(s->hs[0]) : NULL;
            problem(d, s, t_ms, &s->hs_frames,
                    "%s truncated: %zu of %zu bytes", name ? name : "handshake message",
                    s->hs_len >= 4 ? s->hs_len - 4 : 0, need);
            s->hs_len = 0;
            hs_reset_meta(s);
        }
    }
    flush_runs(d);
    for (int i = 0; i < 2; i++) {
        struct side *s = &d->side[i];
        if (s->rows_dropped == 0)
            continue;
        struct hs_event *ev = hs_event_new(s->who, HS_LAYER_TLS, "Error", s->dropped_t);
        ev->problem = true;
        hs_f_str(ev->fields, "error", "rows not shown");
        hs_f_int(ev->fields, "messages", (long long)s->rows_dropped);
        hs_event_summary(ev, "%zu more messages from this side not shown (limit %d rows)",
                         s->rows_dropped, HS_MAX_ROWS);
        hs_trace_add(d->trace, ev);
        s->rows_dropped = 0;
    }
}

bool hs_decoder_not_tls(const struct hs_decoder *d, enum hs_side from)
{
    if (d == NULL || (from != HS_CLIENT && from != HS_SERVER))
        return false;
    return d->side[from].not_tls;
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

void hs_decoder_free(struct hs_decoder *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < 2; i++) {
        struct side *s = &d->side[i];
        free(s->rec);
        free(s->hs);
        free(s->hs_wire);
        free(s->run.keep);
        for (size_t k = 0; k < s->nheld; k++)
            free(s->held[k].rec);
        free(s->held);
    }
    free(d->scratch);
    free(d);
}
