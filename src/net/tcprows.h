/* TCP rows of the ladder: from captured segments, or inferred from connect() timing. */
#ifndef HS_TCPROWS_H
#define HS_TCPROWS_H

#include "../core/trace.h"
#include "packet.h"

#include <stdbool.h>
#include <stdint.h>

/* What was seen so far of the connection's control segments. */
struct hs_tcp_rows {
    double start_wall;      /* the trace's start (wall-clock seconds) */
    bool syn, synack, ack;  /* the three-way handshake rows added */
    bool fin[2], rst;       /* [HS_CLIENT], [HS_SERVER] */
    int wscale[2];          /* from each side's SYN, -1 unknown */
    uint32_t isn[2];        /* initial sequence numbers, for relative numbers */
};

void hs_tcp_rows_init(struct hs_tcp_rows *r, double start_wall);

/* The row for seg if it is one (SYN, SYN-ACK, the handshake ACK, FIN, RST), not yet added. */
struct hs_event *hs_tcp_rows_event(struct hs_tcp_rows *r, const struct hs_tcp_seg *seg);

/* Where seg's first payload byte (or its FIN) sits in its direction's stream (0: the byte
 * after the SYN); false before that side's SYN was seen, and for a SYN. */
bool hs_tcp_rows_offset(const struct hs_tcp_rows *r, const struct hs_tcp_seg *seg,
                        uint32_t *off);

/* Adds the row for seg if it is one (SYN, SYN-ACK, the handshake ACK, FIN, RST). */
void hs_tcp_rows_add(struct hs_tcp_rows *r, struct hs_trace *t, const struct hs_tcp_seg *seg);

/* The three handshake rows derived from connect(): SYN at syn_ms, SYN-ACK and ACK at done_ms. */
void hs_tcp_rows_inferred(struct hs_trace *t, double syn_ms, double done_ms);

/* True once both FINs or an RST were seen. */
bool hs_tcp_rows_closed(const struct hs_tcp_rows *r);

#endif
