/*
 * Inside the QUIC connection table (quicconn.h):
 *   quicconn.c  the table: datagrams to connections, coalesced packets, the end of a connection
 *   quicpkt.c   one packet: keys, decryption, its row, CRYPTO streams into the TLS decoder
 */
#ifndef HS_QUICCONN_INTERNAL_H
#define HS_QUICCONN_INTERNAL_H

#include "quicconn.h"

#include "../tls/decoder.h"
#include "../tls/quic.h"

enum qlevel { QL_INITIAL, QL_HANDSHAKE, QL_APP, QL_COUNT }; /* CRYPTO streams, pn spaces */

struct qpiece {
    uint64_t off;
    size_t n;
    uint8_t *p;
};

/* One direction's CRYPTO stream at one level. */
struct qstream {
    uint64_t next;                   /* offset of the next byte for the decoder */
    struct qpiece held[HS_QUIC_MAX_PIECES];
    size_t npieces, held_bytes;
    uint64_t retransmitted, out_of_order, dropped;
};

/* The decryption tally, for the report. */
struct qtally {
    unsigned long decrypted, nokey, failed;
    unsigned needed;                 /* 1u << enum hs_secret */
};

struct qconn {
    uint64_t began, serial;
    double first_ts, last_ts;
    struct hs_ip_addr addr[2];
    uint16_t port[2];
    uint32_t version;
    uint8_t odcid[HS_QUIC_MAX_CID], ccid[HS_QUIC_MAX_CID], scid[HS_QUIC_MAX_CID];
    size_t odcid_len, ccid_len, scid_len;
    bool scid_known;
    bool retry;
    size_t retry_token;
    struct hs_quic_keys init[2], hs[2], app[2], early;
    int64_t largest[QL_COUNT][2];
    unsigned key_generation[2];      /* 1-RTT key updates followed, per side */
    struct qstream cs[QL_COUNT][2];
    struct hs_trace *trace;
    struct hs_decoder *dec;
    uint64_t packets, rows, rows_dropped, not_decoded;
    double rows_dropped_t;
    struct qtally tally;
    bool close_seen, hs_done_seen;
    char vn_offer[160];              /* a Version Negotiation's versions, "" when none */
    double client_hs_t, server_app_t; /* first client Handshake, last server 1-RTT packet; < 0 */
    struct qconn *next;              /* all connections, newest first */
    struct qconn *hnext;             /* the same ends' bucket, newest first */
};

#define QUIC_BUCKETS 4096u               /* of the connections by their ends */

struct hs_quic_table {
    struct hs_keylog *keys;
    bool key_schedule;
    struct qconn *conns;             /* newest first */
    struct qconn **buckets;          /* QUIC_BUCKETS, by ends (allocated with the first) */
    size_t nconns;
    uint64_t first_began;            /* of the oldest open connection (none closes before
                                        the end), 0 when none is open */
    uint64_t seen;
    uint8_t *scratch;                /* a packet copy and its plaintext */
    bool full_notice;
};

/* quicpkt.c: one packet of c from `side` (h parsed from p, h->size bytes). */
void hs_quicpkt(struct hs_quic_table *t, struct qconn *c, int side, const struct hs_quic_hdr *h,
                const uint8_t *p, double ts, uint64_t frame);
/* A row of c in the quic layer (bounded: past HS_QUIC_MAX_ROWS only counted). */
void hs_quic_row(struct qconn *c, struct hs_event *ev);
/* ms since the connection's first packet. */
double hs_quic_ms(const struct qconn *c, double ts);
/* End of the connection's streams: held CRYPTO bytes past a hole become a gap. */
void hs_quic_streams_end(struct qconn *c, double t_ms);
/* The decryption report (the same object as a TCP connection's). */
struct hs_field *hs_quic_report(const struct hs_quic_table *t, const struct qconn *c);

#endif
