/*
 * The one data model: a trace is the story of one connection, as a time-ordered list of
 * events plus what was learned about the connection (target, negotiated parameters,
 * certificate chain, timings, the error if any).  Sources (the live client, a pcap reader)
 * and the TLS decoder fill it; views (text ladder, JSON, TUI) only read it.
 */
#ifndef HS_TRACE_H
#define HS_TRACE_H

#include "field.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hs_side { HS_CLIENT = 0, HS_SERVER = 1 };

enum hs_layer { HS_LAYER_TCP, HS_LAYER_TLS, HS_LAYER_LIBRARY,
                HS_LAYER_STARTTLS, /* the plaintext exchange before TLS (--starttls) */
                HS_LAYER_QUIC /* QUIC packets (captures), where TCP has its rows */ };

/* Error stages of the JSON contract. */
enum hs_stage { HS_STAGE_NONE, HS_STAGE_DNS, HS_STAGE_CONNECT, HS_STAGE_TIMEOUT, HS_STAGE_TLS,
                HS_STAGE_VERIFY,
                HS_STAGE_USAGE, /* the request cannot be met (bad option, unreadable file) */
                HS_STAGE_STARTTLS /* --starttls: the server does not offer it, or refused it */ };

/* Exit codes (documented in the man page). */
enum hs_exit { HS_EXIT_OK = 0, HS_EXIT_TLS = 1, HS_EXIT_USAGE = 2, HS_EXIT_CONNECT = 3,
               HS_EXIT_TIMEOUT = 4, HS_EXIT_VERIFY = 5,
               HS_EXIT_WRITE = 6 /* an output (stdout, -w, key log) could not be written */ };

struct hs_event {
    double t_ms;          /* milliseconds since the trace started */
    enum hs_side from;    /* who sent it (library notes: HS_CLIENT) */
    enum hs_layer layer;
    char type[32];        /* RFC name: "SYN", "ClientHello", "Alert", ...; library: "note" */
    bool encrypted;       /* carried in an encrypted record on the wire */
    bool decrypted;       /* ... and hstrace could decrypt it */
    bool inferred;        /* not seen on the wire, derived (TCP rows without capture) */
    bool problem;         /* an error row: alert, decode error, gap, failure reason */
    size_t length;        /* bytes of the message (handshake: header included) */
    char *summary;        /* the one text line shown beside the arrow (escaped) */
    char *explain;        /* a plain-words sentence for learners, or NULL */
    struct hs_field *fields; /* object: the decoded fields (never NULL once added) */
    uint8_t *bytes;       /* the message as decoded (plaintext), or NULL */
    size_t nbytes;
    uint8_t *wire;        /* for encrypted messages: the record as on the wire, or NULL */
    size_t nwire;
    uint64_t *frames;     /* capture frame numbers that carried it (pcap mode), or NULL */
    size_t nframes;
    int round_trip;       /* the TLS round trip the row belongs to (1, 2, ...), 0 when none:
                           * set with the trace's round_trips (net/roundtrips.h) */
    struct hs_event *prev, *next;
};

struct hs_trace;
typedef void (*hs_trace_listener)(void *ctx, struct hs_trace *trace, struct hs_event *ev);

struct hs_trace {
    /* The target, as asked for and as used. */
    char *host;           /* as the user wrote it (escaped when printed) */
    unsigned port;
    char *address;        /* numeric address connected to, or NULL */
    char *sni;            /* server_name sent, or NULL */
    char *client_address; /* pcap mode: "addr:port" of the client, or NULL */

    /* Outcome. */
    enum hs_stage error_stage; /* HS_STAGE_NONE when the handshake completed */
    char *error_message;       /* one clear reason line, or NULL */
    int exit_code;
    bool handshake_done;

    /* Negotiated parameters (from the decoded wire messages). */
    char version[16];          /* "TLS 1.3", "" unknown */
    char cipher_suite[64];     /* IANA name, "" unknown */
    char group[32];            /* IANA name, e.g. "x25519", "" unknown */
    int version_id, cipher_suite_id, group_id; /* their code points, -1 unknown (DHE: -1) */
    char *alpn;                /* NULL when none */
    bool resumed;

    /* Server certificate chain: an array of objects (subject, issuer, serial, not_before,
     * not_after, san[], public_key, signature_algorithm, sha256), or NULL if none seen. */
    struct hs_field *chain;
    int verified;              /* 1 verified, 0 failed, -1 not checked */
    struct hs_field *problems; /* array of strings ("expired", ...), or NULL */

    /* Timings in ms, < 0 when unknown. */
    double dns_ms, tcp_ms, tls_ms, total_ms; /* total = dns + tcp + tls (live) */
    double setup_ms;           /* live: capture and socket set-up between DNS and the SYN */
    double starttls_ms;        /* --starttls: the plaintext exchange before the TLS handshake
                                  (then tls_ms starts after it), < 0 when none */
    int round_trips;           /* < 0 when unknown */

    bool tcp_inferred;         /* TCP rows derived from connect() timing */
    char *hint;                /* one hint line (e.g. how to allow capture), or NULL */

    /* The connection's key schedule (secret material), filled by the decoder once it has a
     * ServerHello: an object (version, cipher_suite, steps[], finished{}, missing[]), or NULL.
     * Views show it only when asked (--keys). */
    struct hs_field *key_schedule;

    /* TLS fingerprints: an object with "ja3", "ja3_string", "ja4" of the first ClientHello
     * and "ja3s", "ja3s_string", "ja4s" of the first ServerHello (not a HelloRetryRequest),
     * each key present once its hello was read; NULL before either. */
    struct hs_field *fingerprints;

    /* Captures (-r): what decryption found for this connection, an object (status, found[],
     * missing[], reason), set by the decoder when it finishes; NULL for live traces. */
    struct hs_field *decryption;

    /* --http: the request's outcome, an object (request, status, status_line, headers[] of
     * {name, value}, bytes, truncated, error), all text escaped; NULL without --http.  The
     * time from the request's last byte written to the response's first byte read, ms (< 0
     * unknown). */
    struct hs_field *http;
    double http_ttfb_ms;
    /* --probe: what the server's first flight said to hstrace's own ClientHello (an object:
     * selected_version, cipher_suite, selected_group, hrr, ...), NULL for other traces.  A
     * probe never completes the handshake (handshake_done stays false). */
    struct hs_field *probe;
    /* Captures (-r): a QUIC connection's header, an object (version, version_name,
     * original_dcid, client_cid, server_cid, retry, ...); NULL for TCP connections. */
    struct hs_field *quic;
    /* Encrypted Client Hello (RFC 9849): an object (status, reason, public_name, inner_sni,
     * ...) when a ClientHello carried encrypted_client_hello; NULL otherwise. */
    struct hs_field *ech;

    /* (A new header field above is copied by hs_trace_copy_header too.) */

    /* Events in time order. */
    struct hs_event *first, *last;
    size_t nevents;

    /* Called after each event is added (e.g. by an interactive view); may be NULL. */
    hs_trace_listener listener;
    void *listener_ctx;
};

struct hs_trace *hs_trace_new(void);
void hs_trace_free(struct hs_trace *t);
/* Replaces dst's header (everything but the events and the listener) with a deep copy of
 * src's, e.g. for a view that keeps its own copy of a trace another thread is writing. */
void hs_trace_copy_header(struct hs_trace *dst, const struct hs_trace *src);

/* A new event with an empty fields object; not yet in any trace. */
struct hs_event *hs_event_new(enum hs_side from, enum hs_layer layer, const char *type,
                              double t_ms);
void hs_event_free(struct hs_event *ev);
/* A deep copy, not linked into any trace. */
struct hs_event *hs_event_clone(const struct hs_event *ev);
/* Sets the summary line (formatted, then escaped). */
void hs_event_summary(struct hs_event *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copies the message bytes (plaintext) and, for encrypted ones, the wire record. */
void hs_event_set_bytes(struct hs_event *ev, const uint8_t *p, size_t n);
void hs_event_set_wire(struct hs_event *ev, const uint8_t *p, size_t n);
void hs_event_add_frame(struct hs_event *ev, uint64_t frame);

/*
 * Adds ev to the trace (which takes ownership), after every event with t_ms <= ev->t_ms, so
 * that events stay in time order and equal times keep their arrival order; then calls the
 * listener.
 */
void hs_trace_add(struct hs_trace *t, struct hs_event *ev);

/* Records the failure (first one wins) and the exit code that goes with its stage.  Text from
 * a peer or the command line in the arguments must be escaped already (hs_escape): the
 * message gets only a last pass (hs_escape_again), so nothing is escaped twice. */
void hs_trace_fail(struct hs_trace *t, enum hs_stage stage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *hs_stage_name(enum hs_stage s); /* "dns", "connect", ... ; NULL for NONE */
const char *hs_side_name(enum hs_side s);   /* "client" / "server" */
const char *hs_layer_name(enum hs_layer l); /* "tcp" / "tls" / "library" / "starttls" / "quic" */

/* Monotonic milliseconds, for sources to compute t_ms against a start time. */
double hs_now_ms(void);
/* Wall-clock seconds since the epoch (pcap timestamps use this clock). */
double hs_wall_s(void);

#endif
