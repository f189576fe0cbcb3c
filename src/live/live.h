/* The live source: resolve, connect, capture, handshake with mbedTLS, all into one trace. */
#ifndef HS_LIVE_H
#define HS_LIVE_H

#include "../core/trace.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* What a live trace is asked to do; cli/ fills it from the command line. */
struct hs_live_opts {
    const char *target;    /* HOST[:PORT], [V6]:PORT or https://HOST[:PORT]/... */
    unsigned port;         /* 0 = from the target, else 443 */
    int family;            /* 0 any, 4, 6 */
    const char *sni;       /* NULL = the host name (not for IP literals) */
    bool no_sni;
    const char *alpn;      /* comma-separated protocol list, or NULL */
    bool only_tls12, only_tls13;
    const char *ciphers;   /* comma-separated IANA (or OpenSSL) suite names, or NULL */
    const char *groups;    /* comma-separated group names, or NULL */
    const char *cafile, *capath;
    bool insecure;         /* go on when verification fails */
    const char *certfile, *keyfile; /* the client's certificate and key (mutual TLS), or NULL */
    const char *pass;      /* "env:VAR" or "file:PATH": the key's passphrase, or NULL */
    bool may_prompt;       /* an encrypted key without --pass may ask on the terminal */
    double timeout_s;      /* connect and handshake */
    const char *keylog;    /* append the secrets here, else $SSLKEYLOGFILE, else nowhere */
    int debug;             /* mbedTLS debug threshold shown as rows, 0 = off */
    bool key_schedule;     /* --keys: the trace gets the connection's key schedule */
    const char *write_path; /* the connection's packets (pcap, or pcapng), or NULL */
    bool force;            /* write_path may replace an existing file */
    const char *user;      /* who to become once the capture is open, or NULL */
    bool probe;            /* --probe: hstrace's own ClientHello, the server's first flight
                              read, no handshake (live/probe.h) */
    const char *scenario;  /* --demo NAME (live/scenario.h), NULL = the default */
    const char *http_path; /* --http: after the handshake GET this path (HTTP/1.1), or NULL */
    bool reconnect;        /* --reconnect: a second connection resumes the first (see
                              hs_live_run_each) */
    const char *starttls;  /* --starttls PROTOCOL (live/starttls.h), NULL = TLS at once */
    /* Step mode: called before each mbedtls_ssl_handshake_step, once the rows so far are in
     * the trace; it may block (the wait counts neither against --timeout nor as TLS time). */
    void (*before_step)(void *ctx);
    void *step_ctx;
    /* Several traces at once (cli/many.c): no packet capture (the TCP rows are inferred, the
     * hint says why), and once *cancel is set every wait gives up at once (within 50 ms);
     * such a trace ends as a timeout and is meant to be dropped by the caller. */
    bool no_capture;
    const atomic_bool *cancel; /* or NULL */
};

/* Before traces run in several threads: sets mbedTLS's process-wide state (PSA crypto, the
 * debug threshold for o->debug) from the calling thread, so that no trace writes it again.
 * 0, or -1 when mbedTLS cannot be initialised. */
int hs_live_prepare_threads(const struct hs_live_opts *o);

/* Traces one connection to o->target (or to host/port given by the demo); returns the exit
 * code (also in trace->exit_code).  The trace is complete on failure too. */
int hs_live_run(const struct hs_live_opts *o, struct hs_trace *trace);

/* Trust anchors (--cafile, --capath, else the system bundle) loaded once for several traces
 * run one after another in ONE thread (anchors.c says why not shared between threads).
 * NULL when they cannot be loaded: each trace then loads them itself and fails with the
 * reason, as hs_live_run does. */
struct hs_live_anchors;
struct hs_live_anchors *hs_live_anchors_load(const struct hs_live_opts *o);
void hs_live_anchors_free(struct hs_live_anchors *a);
/* hs_live_run verifying against a's chain (a may be NULL: hs_live_run). */
int hs_live_run_anchored(const struct hs_live_opts *o, struct hs_live_anchors *a,
                         struct hs_trace *trace);

/* Starts the built-in server on 127.0.0.1, traces a handshake against it (verified against
 * its generated CA), stops it.  Returns the exit code. */
int hs_demo_run(const struct hs_live_opts *o, struct hs_trace *trace);

struct hs_live_saved;
struct hs_capture_conn;

/* What a demo scenario of several connections (or --reconnect) learned beyond each
 * connection's trace. */
struct hs_demo_summary {
    unsigned connections;   /* traced */
    double tls_ms[2];       /* the TLS handshake time of the first two */
    bool resumed;           /* the second connection resumed the first one's session */
    uint64_t packets[2];    /* captured, per connection */
    const char *how;        /* resumed: how ("TLS 1.3 PSK from a NewSessionTicket", ...) */
    char why[200];          /* a second connection that did not resume: why, as far as known */
};

/* Runs o->scenario, handing each connection's trace to fn (which owns it; c gives its number
 * and packets captured) as -r does.  Returns the first failing connection's exit code, or 0.
 */
int hs_demo_run_each(const struct hs_live_opts *o,
                     void (*fn)(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c),
                     void *ctx, struct hs_demo_summary *sum);

/* --reconnect: traces o->target twice, the second connection offering the session the first
 * one got (TLS 1.3: the last NewSessionTicket; TLS 1.2: the session ticket, else the session
 * id); each trace goes to fn as with hs_demo_run_each.  No second connection when the first
 * failed.  Returns the first failing connection's exit code, or 0. */
int hs_live_run_each(const struct hs_live_opts *o,
                     void (*fn)(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c),
                     void *ctx, struct hs_demo_summary *sum);

/* The same, handing out what was captured (packets and secrets) for saving later; *keep is
 * NULL when nothing was captured.  Free it with hs_live_saved_free (live/saved.h). */
int hs_live_run_keep(const struct hs_live_opts *o, struct hs_trace *trace,
                     struct hs_live_saved **keep);
int hs_demo_run_keep(const struct hs_live_opts *o, struct hs_trace *trace,
                     struct hs_live_saved **keep);

#endif
