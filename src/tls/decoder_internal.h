/*
 * Inside the decoder (decoder.h): the per-direction state and the functions its files share.
 *   decoder.c   the API, and the rows it adds to the trace (bounds, problems)
 *   framing.c   records out of the byte stream: framing, resynchronisation, not-TLS peers
 *   unprotect.c keys, decryption, and records held back until their key is known
 *   appdata.c   application data (and opaque records) counted into runs, one row per run
 *   handshake.c content types, handshake messages reassembled across records
 */
#ifndef HS_DECODER_INTERNAL_H
#define HS_DECODER_INTERNAL_H

#include "decoder.h"
#include "keysched.h"
#include "msg.h"
#include "protect.h"
#include "record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REC_HDR HS_REC_HDR
#define REC_BUF (HS_REC_HDR + HS_REC_MAX_BODY12)
#define MAX_FRAMES 64           /* capture frames remembered per message */
#define MAX_WIRE (64u * 1024u)  /* protected bytes kept per message for the hex view */
#define RUN_KEEP 4096u          /* plaintext bytes kept per application-data row */
#define NOT_TLS_SHOW 48         /* first bytes shown for a peer that is not TLS */

struct framelist {
    uint64_t v[MAX_FRAMES];
    size_t n;
};

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

/* Framing (framing.c). */
struct framing {
    uint8_t *rec;         /* the record being assembled (grows to REC_BUF at most) */
    size_t len, cap;
    struct framelist frames;
    bool started;         /* a first complete record was seen */
    bool sslv2;           /* the record being assembled is SSLv2-format */
    bool resync;          /* after a gap or garbage: looking for a record header */
    size_t skipped;       /* bytes dropped while looking */
    uint16_t first_version; /* the first TLS record's header version (0: none yet) */
};

/* A peer that does not speak TLS (framing.c). */
struct not_tls {
    bool gave_up;         /* the stream is not TLS (until a handshake shows up) */
    uint8_t buf[NOT_TLS_SHOW]; /* its first bytes, for the row */
    size_t len;
    bool pending;         /* the row waits for a few more bytes */
    double t;
    uint64_t frame;
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

/* Record protection and the records held back for keys (unprotect.c). */
struct protection {
    enum phase phase;     /* TLS 1.3 */
    bool protected12;     /* TLS 1.2: after this side's ChangeCipherSpec */
    unsigned hs_after_ccs;
    struct hs_protect cur;
    bool cur_ready;
    enum hs_secret cur_kind;
    unsigned generation;  /* KeyUpdates applied */
    struct hs_protect early;
    bool early_ready;
    struct held *held;    /* HS_MAX_PENDING_RECORDS, allocated on first use (keeps an idle
                             decoder small: a capture may hold thousands) */
    size_t nheld;
    bool final;           /* no more waiting: missing keys make "no key" rows */
};

/* Handshake reassembly (handshake.c): the message being assembled and how it came. */
struct reassembly {
    uint8_t *buf;
    size_t len, cap;
    size_t skip;          /* bytes of an over-long message still to drop */
    struct framelist frames;
    uint8_t *wire;
    size_t nwire;
    bool enc, dec;
    const char *keys, *cipher;
    unsigned generation;
    double t0;
};

/* A run of application-data records in one direction, emitted as one row (appdata.c). */
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

/* TLS 1.3 without keys: the encrypted records taken for a side's handshake flight. */
struct flight {
    unsigned records;
    bool over;
};

/* Bounds on what a side adds to the trace (a flood of tiny messages, huge ones). */
struct row_limits {
    size_t rows, dropped, bytes;
    double dropped_t;
};

struct side {
    enum hs_side who;
    struct framing fr;
    struct not_tls nt;
    struct reassembly hs;
    struct protection pr;
    struct flight flight;
    struct run run;
    struct row_limits lim;
};

/* What became of the protected records, for the decryption report (decreport.c). */
struct tally {
    unsigned long decrypted, nokey, failed, unsupported;
    unsigned failed_kinds;       /* 1u << enum hs_secret of each secret that failed */
    const char *unsupported_why; /* hs_suite_why_opaque's reason */
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
    bool want_key_schedule;
    bool want_report;              /* set trace->decryption when finishing */
    struct tally tally;
    struct hs_transcript *transcript; /* for the key schedule, from the first message */
};

/* decoder.c: frame lists, rows. */
void dec_frames_add(struct framelist *f, uint64_t frame);
void dec_frames_merge(struct framelist *dst, const struct framelist *src);
struct side *dec_other(struct hs_decoder *d, const struct side *s);
/* Adds a row of s within the per-side bounds. */
void dec_add_row(struct hs_decoder *d, struct side *s, struct hs_event *ev);
/* Sets ev's explanation from its type, fields and the connection state, unless it has one. */
void dec_explain(const struct hs_decoder *d, struct hs_event *ev);
/* Adds a finished event: flushes application-data runs first, then the metadata. */
void dec_emit(struct hs_decoder *d, struct side *s, struct hs_event *ev,
              const struct recmeta *meta);
/* The "keys", "cipher" and "key_generation" fields of a decrypted row (those known). */
void dec_key_fields(struct hs_field *f, const char *keys, const char *cipher, unsigned generation);
/* A message row of s: the event, and m set up to decode into it (name: a literal); then
 * dec_msg_finish moves the summary and error in and keeps the message bytes p/n. */
struct hs_event *dec_msg_start(struct hs_decoder *d, const struct side *s, const char *name,
                               double t, struct hs_msg *m);
void dec_msg_finish(struct hs_msg *m, const uint8_t *p, size_t n);
/* A problem row of the decoder itself (framing, limits, decryption). */
void dec_problem(struct hs_decoder *d, struct side *s, double t, const struct framelist *fr,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* framing.c: the row of a peer that is not TLS, and the end of the stream. */
void dec_not_tls_row(struct hs_decoder *d, struct side *s);
void dec_framing_finish(struct hs_decoder *d, struct side *s, double t);

/* unprotect.c */
/* A complete record of s: handled now, or held back until its key may be known. */
void dec_record_in(struct hs_decoder *d, struct side *s, double t);
/* Processes held records of both sides in arrival order, as far as their keys allow. */
void dec_drain(struct hs_decoder *d);
/* Drains again as long as decoded messages made new keys usable. */
void dec_retry_all(struct hs_decoder *d);
/* State changes that follow from a decoded handshake message of `type`. */
void dec_after_message(struct hs_decoder *d, struct side *s, uint8_t type, const char *evtype);

/* appdata.c */
void dec_run_add(struct hs_decoder *d, struct side *s, enum run_kind kind, const uint8_t *p,
                 size_t n, size_t wire, const struct recmeta *meta);
void dec_flush_runs(struct hs_decoder *d);
/* A protected record hstrace cannot read: a row that says so, typed by what it must be. */
void dec_opaque_record(struct hs_decoder *d, struct side *s, const uint8_t *rec, size_t len,
                       struct recmeta *meta);

/* decreport.c: the decryption report (an object: status, found[], missing[], reason). */
struct hs_field *dec_report(const struct hs_decoder *d);

/* handshake.c */
/* The content of one record, by content type (plaintext, or decrypted). */
void dec_handle_plain(struct hs_decoder *d, struct side *s, uint8_t type, const uint8_t *p,
                      size_t n, const struct recmeta *meta);
/* Drops a partly reassembled message (after a gap). */
void dec_handshake_drop(struct side *s);
void dec_handshake_finish(struct hs_decoder *d, struct side *s, double t);
/* Rebuilds the trace's key schedule from the transcript and the key log. */
void dec_key_schedule(struct hs_decoder *d);

/* echtrial.c: an ECH offer whose outer random has no server handshake secret in the key log:
 * the key log's server handshake secrets are tried on the server's first encrypted record
 * (rec/len); the one that decrypts it gives the client random to use from now on. */
void dec_ech_trial(struct hs_decoder *d, const uint8_t *rec, size_t len);

#endif
