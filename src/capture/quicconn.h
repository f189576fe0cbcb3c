/*
 * QUIC connections of a capture (-r): UDP datagrams recognised by their content (a long
 * header of a known version, or a short header on the addresses of a known connection),
 * split into their coalesced packets, decrypted (Initial keys from the client's first
 * Destination Connection ID; Handshake, 0-RTT and 1-RTT keys from the key log), one `quic`
 * row per packet, and the CRYPTO streams reassembled per encryption level and fed to the
 * connection's TLS decoder.  Each connection becomes one trace, handed over at the end.
 */
#ifndef HS_QUICCONN_H
#define HS_QUICCONN_H

#include "../core/conn.h"
#include "../core/trace.h"
#include "../net/packet.h"
#include "../tls/keylog.h"

#include <stdbool.h>
#include <stdint.h>

#define HS_QUIC_MAX_CONNS 4096u          /* QUIC connections followed at once */
#define HS_QUIC_MAX_HELD (64u * 1024u)   /* out-of-order CRYPTO bytes held per stream */
#define HS_QUIC_MAX_PIECES 64u           /* out-of-order CRYPTO pieces held per stream */
#define HS_QUIC_MAX_OFFSET (1u << 20)    /* CRYPTO stream offsets past this are dropped */
#define HS_QUIC_MAX_ROWS 1000u           /* packet rows per connection; later ones counted */

struct hs_quic_table;

/* keys is borrowed (the replay's key log, which may gain secrets). */
struct hs_quic_table *hs_quic_table_new(struct hs_keylog *keys, bool key_schedule);
void hs_quic_table_free(struct hs_quic_table *t);

/*
 * One UDP datagram (u from hs_packet_parse: HS_PKT_UDP).  began: the number the next TCP
 * connection would get (connections are numbered by when they began).  false when it is not
 * QUIC (the caller counts it as other UDP).
 */
bool hs_quic_datagram(struct hs_quic_table *t, const struct hs_tcp_seg *u, uint64_t began);

/* The earliest `began` of the connections still open, 0 when none. */
uint64_t hs_quic_first_open(const struct hs_quic_table *t);

/* A finished connection: its trace (ownership passes), stats, when it began, and its ends
 * ([HS_CLIENT], [HS_SERVER]) for filters. */
typedef void (*hs_quic_done_fn)(void *ctx, struct hs_trace *trace, const struct hs_capture_conn *s,
                                uint64_t began, const struct hs_ip_addr addr[2],
                                const uint16_t port[2]);

/* Finishes every connection (end of file), in the order they began. */
void hs_quic_finish_all(struct hs_quic_table *t, hs_quic_done_fn fn, void *ctx);

/* QUIC connections seen, and datagrams that looked like QUIC but matched none. */
uint64_t hs_quic_connections(const struct hs_quic_table *t);

#endif
