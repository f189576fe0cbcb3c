/*
 * TCP connections of a capture: a table keyed by the 4-tuple that says which side is the
 * client, and per direction a reassembler that turns segments into the byte stream the TLS
 * decoder reads.  Sequence numbers compare as serial numbers (RFC 1982), so streams that wrap
 * around 2^32 reassemble; out-of-order segments wait (bounded), retransmitted and overlapping
 * bytes are dropped (the first copy wins, a contradicting copy is counted), and bytes that
 * never arrive or that the snaplen cut are reported as gaps.
 */
#ifndef HS_FLOW_H
#define HS_FLOW_H

#include "../core/trace.h"
#include "../net/packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_FLOW_MAX_HELD (1024u * 1024u) /* out-of-order bytes held per direction */
#define HS_FLOW_MAX_PIECES 1024u         /* separate out-of-order pieces held per direction */
/* Out-of-order memory held across all connections (bytes and bookkeeping): past it, the
 * connection that has been holding longest gives its holes up as gaps. */
#define HS_FLOW_MAX_HELD_TOTAL (128u * 1024u * 1024u)
#define HS_FLOW_MAX_OPEN 100000u        /* connections tracked at once */
#define HS_FLOW_TOMBSTONE_S 240.0       /* a closed 4-tuple absorbs stray segments this long */

/* What reassembly saw in one direction. */
struct hs_reasm_stats {
    uint64_t segments;        /* segments with payload */
    uint64_t bytes;           /* bytes delivered in order */
    uint64_t retransmissions; /* segments that repeated bytes already seen */
    uint64_t out_of_order;    /* segments that arrived ahead of a hole */
    uint64_t conflicts;       /* overlaps whose bytes differ from the first copy */
    uint64_t gaps, gap_bytes; /* holes declared lost (missing segments, snaplen cuts) */
};

/* Where a direction's stream goes: in-order bytes and declared holes.  dir is the index the
 * reassembler was given (HS_CLIENT / HS_SERVER in a flow). */
struct hs_reasm_out {
    void (*data)(void *ctx, int dir, const uint8_t *p, size_t n, double ts, uint64_t frame);
    void (*gap)(void *ctx, int dir, size_t n, double ts);
    void *ctx;
};

struct hs_piece;
struct hs_hold_pool;

/* One direction's reassembly. */
struct hs_reasm {
    int dir;
    bool started;           /* next is known (from a SYN or the first data segment) */
    uint32_t next;          /* the sequence number of the next byte to deliver */
    struct hs_piece *held;  /* out-of-order pieces, sorted, all after next */
    struct hs_piece *tail;  /* the last of them (data often arrives in order after a hole) */
    size_t held_bytes, max_held;
    size_t pieces;          /* how many are held */
    size_t cost;            /* their memory, bookkeeping included */
    struct hs_reasm_stats st;
    /* The table's shared bound on held memory (NULL: only the per-direction bounds). */
    struct hs_hold_pool *pool;
    struct hs_reasm *pool_prev, *pool_next; /* holding directions, oldest hold first */
    bool in_pool;
    struct hs_reasm_out out; /* where the last segment's bytes went (used when the pool
                                makes this direction give up its holes) */
};

void hs_reasm_init(struct hs_reasm *r, int dir, size_t max_held);
/* Takes one segment of this direction (SYN, FIN, data, snaplen-cut data). */
void hs_reasm_add(struct hs_reasm *r, const struct hs_tcp_seg *seg, const struct hs_reasm_out *out);
/* The stream ended: every hole before held data becomes a gap, everything held is delivered. */
void hs_reasm_flush(struct hs_reasm *r, double ts, const struct hs_reasm_out *out);
void hs_reasm_free(struct hs_reasm *r);

/* One TCP connection. */
struct hs_flow {
    uint64_t number;            /* 1-based, in order of first packet */
    struct hs_ip_addr addr[2];  /* [HS_CLIENT], [HS_SERVER] */
    uint16_t port[2];
    bool syn_seen;              /* the sides come from the SYN (else a guess, may be swapped) */
    double first_ts, last_ts;
    uint64_t packets;
    bool fin[2], rst;
    bool closed;                /* a tombstone: only absorbs stray segments */
    struct hs_reasm dir[2];
    void *user;                 /* the table's user's state for this connection */
    /* Table links. */
    uint64_t hash;
    struct hs_flow *hnext;
    struct hs_flow *lru_prev, *lru_next; /* open flows, least recently active first */
    struct hs_flow *tomb_next;           /* closed flows, oldest first */
    double close_ts;
};

enum hs_flow_lookup {
    HS_FLOW_NEW,      /* a new connection (first packet, or a SYN on a closed 4-tuple) */
    HS_FLOW_OPEN,     /* a segment of a known open connection */
    HS_FLOW_CLOSED,   /* a stray segment of a closed connection */
    HS_FLOW_FULL,     /* the table is full: the segment is dropped */
};

struct hs_flow_table;

struct hs_flow_table *hs_flow_table_new(size_t max_open, size_t max_held);
/* Frees every flow (the user must have released its user pointers). */
void hs_flow_table_free(struct hs_flow_table *t);

/*
 * Finds or creates the connection of seg and sets seg->from_server.  A new connection's client
 * is the SYN's sender, else the SYN-ACK's receiver, else the side with the higher port (the
 * user may swap the sides with hs_flow_swap before anything depends on them).  Also forgets
 * closed connections older than HS_FLOW_TOMBSTONE_S.  *how says what happened; NULL for FULL.
 */
struct hs_flow *hs_flow_lookup(struct hs_flow_table *t, struct hs_tcp_seg *seg,
                               enum hs_flow_lookup *how);

/* Counts seg, notes FIN/RST and reassembles its payload into out (NULL: the stream is not
 * wanted; held bytes are dropped). */
void hs_flow_segment(struct hs_flow *f, const struct hs_tcp_seg *seg, const struct hs_reasm_out *out);

/* Whether seg's sequence number continues its direction's stream: within HS_FLOW_MAX_HELD of
 * the next byte expected, or the direction has no sequence number yet. */
bool hs_flow_continues(const struct hs_flow *f, const struct hs_tcp_seg *seg);

/* True once both FINs or an RST were seen. */
bool hs_flow_done(const struct hs_flow *f);

/* Exchanges the client and server sides (before any byte was delivered). */
void hs_flow_swap(struct hs_flow *f);

/* Frees the flow's buffers and keeps its 4-tuple as a tombstone (user must be released). */
void hs_flow_close(struct hs_flow_table *t, struct hs_flow *f, double ts);

/* The open flow that was active least recently, or NULL. */
struct hs_flow *hs_flow_idlest(const struct hs_flow_table *t);
size_t hs_flow_open_count(const struct hs_flow_table *t);
/* Connections numbered so far. */
uint64_t hs_flow_numbered(const struct hs_flow_table *t);
/* Times a direction gave up its holes because HS_FLOW_MAX_HELD_TOTAL was reached. */
uint64_t hs_flow_hold_evictions(const struct hs_flow_table *t);

#endif
