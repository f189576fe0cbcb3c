/*
 * Reading a capture (-r FILE): frames → TCP segments → connections (flow.c) → where TLS starts
 * (tlsstart.c) → one TLS decoder and one trace per connection, with the TCP rows from the
 * packets.  Streaming: the reader holds one frame, a connection's state lives until it closes
 * (then its trace is handed over) or the file ends.
 */
#ifndef HS_REPLAY_H
#define HS_REPLAY_H

#include "../core/conn.h"
#include "../core/trace.h"

#include <stdbool.h>
#include <stdint.h>

#define HS_REPLAY_IDLE_S 900.0 /* a connection silent this long (capture time) is finished */
/* TLS connections decoded at once: each holds its trace until it ends (a decoded ClientHello
 * alone is tens of kilobytes), so past this new ones are counted, not decoded. */
#define HS_REPLAY_MAX_DECODING 4096u
/* Finished TLS connections held so that they are numbered by when they began; past this, the
 * earliest is numbered anyway. */
#define HS_REPLAY_MAX_WAITING 128u

/* Which connections to hand over. */
struct hs_replay_opts {
    const char *path;       /* the capture ("-" = stdin) */
    const char *keylog;     /* NSS key log file, or NULL */
    long conn;              /* only the Nth TLS connection (1-based), 0 = all */
    const char *filter;     /* HOST[:PORT]: either end's address or the SNI, and a port */
    bool key_schedule;      /* --keys: each trace gets its key schedule */
    /* Optional: a finished connection that waits to be numbered waits as what prepare made
     * of it when it ended (e.g. its rendered output: smaller than its trace, and made while
     * the trace is still in the cache).  prepare takes the trace (c->number is 0); put gets
     * what it returned once the connection is numbered and selected (--conn), discard when
     * it is not; both take it. */
    void *(*prepare)(void *ctx, struct hs_trace *trace, const struct hs_capture_conn *c);
    void (*put)(void *ctx, void *prepared, const struct hs_capture_conn *c);
    void (*discard)(void *ctx, void *prepared);
};

/* Called for each selected TLS connection as it completes (unless prepared, above); takes
 * ownership of trace. */
typedef void (*hs_replay_fn)(void *ctx, struct hs_trace *trace, const struct hs_capture_conn *c);

/* What was read; error is set when the file is truncated or corrupt. */
struct hs_replay_summary {
    struct hs_capture_source src;
    uint64_t not_tls;        /* TCP connections without TLS */
    uint64_t udp_tls_like;   /* UDP packets on port 443/4433 or shaped like DTLS/QUIC */
    uint64_t selected;       /* handed over */
    uint64_t not_decoded;    /* TLS connections over HS_REPLAY_MAX_DECODING */
    uint64_t hold_evictions; /* directions that gave up holes at HS_FLOW_MAX_HELD_TOTAL */
    char error[256];
};

/*
 * Reads the whole file.  Returns 0 (read completely), 1 (truncated or corrupt: what was read
 * is handed over, summary->error says where) or 2 (cannot be opened or is not a capture,
 * summary->error says why; nothing handed over).
 */
int hs_replay(const struct hs_replay_opts *ro, hs_replay_fn fn, void *ctx,
              struct hs_replay_summary *summary);

#endif
