/*
 * What a capture source knows beyond each connection's trace: per-connection packet and
 * reassembly counts, and the file as a whole.  Filled by capture/, rendered by the views.
 */
#ifndef HS_CONN_H
#define HS_CONN_H

#include <stdint.h>

/* What the capture reader knows of one connection beyond its trace. */
struct hs_capture_conn {
    unsigned long number;     /* among the TLS connections of the file, 1-based */
    uint64_t packets;
    uint64_t retransmissions, out_of_order, conflicts, gaps, gap_bytes;
    uint64_t time_anomalies;  /* packets whose capture time was clamped (capture/timefix.h) */
};

/* The file as a whole. */
struct hs_capture_source {
    const char *file;
    uint64_t packets;
    uint64_t connections;     /* TCP connections found */
    uint64_t tls_connections; /* ... of which carried TLS */
    uint64_t quic_connections;/* QUIC connections found (also counted in tls_connections) */
    uint64_t udp_packets;     /* ignored: DTLS and QUIC are not decoded */
    uint64_t dropped_packets; /* of connections over the tracking limit */
    const char *error;        /* the file is truncated or corrupt: how, or NULL */
};

#endif
