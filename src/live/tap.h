/*
 * The packet tap of the live trace: one handle (a ring-less packet socket, see rawcap.h, or
 * libpcap's) on the interface that holds the socket's source address, filtered on the
 * connection's exact 4-tuple, read by a thread.  The thread
 * keeps every raw packet (for writing a capture later) and queues a parsed summary of each
 * TCP segment; the main thread drains the queue, so only it touches the trace.
 */
#ifndef HS_LIVE_TAP_H
#define HS_LIVE_TAP_H

#include "../net/packet.h" /* struct hs_tcp_seg, HS_TCP_* */
#include "net.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_TAP_MAX_PACKETS 20000  /* raw packets kept; later ones are counted, not kept */
#define HS_TAP_SNAPLEN 65535
#define HS_TAP_QUEUE_MAX 4096     /* TCP segments waiting for the main thread */
#define HS_TAP_QUEUE_RESERVE 256  /* of those, kept for SYN/FIN/RST (pure ACKs stop short) */

/* One raw packet as captured. */
struct hs_packet {
    double ts;           /* wall-clock seconds (the pcap timestamp) */
    uint32_t caplen, origlen;
    uint8_t *data;
};

/* All raw packets, in capture order (read only after hs_tap_stop). */
struct hs_packets {
    int linktype;        /* DLT_* of the handle */
    int file_linktype;   /* the same as a LINKTYPE_* for capture files */
    uint32_t snaplen;    /* of the handle */
    struct hs_packet *pkt;
    size_t n, cap;
    size_t dropped;      /* over HS_TAP_MAX_PACKETS */
};

/* Segments the queue had no room for: they never reach hs_tap_drain, so they become no
 * row.  Counted by the thread; read with hs_tap_queue_drops. */
struct hs_tap_drops {
    size_t segments;         /* all of them */
    size_t control;          /* of those, with SYN, FIN or RST (each would have been a row) */
    double first_ts;         /* wall-clock seconds of the first one lost (0: none) */
    bool first_from_server;  /* ... and who sent it */
};

struct hs_tap;

enum hs_tap_open_result { HS_TAP_OK = 0, HS_TAP_DENIED = 1, HS_TAP_FAILED = 2 };

/* Opens and activates the handle for the connection local <-> remote.  On DENIED / FAILED,
 * err says why and *out is NULL.  Nothing is read until hs_tap_start. */
enum hs_tap_open_result hs_tap_open(struct hs_tap **out, const struct hs_addr *local,
                                            const struct hs_addr *remote, char *err,
                                            size_t errsz);

/* Starts the reader thread (after the privilege drop, so it never holds a privilege the
 * process gave up: capabilities are per thread).  0, or -1 with the reason in err. */
int hs_tap_start(struct hs_tap *c, char *err, size_t errsz);

/* Moves up to max queued segments into out (oldest first); returns how many. */
size_t hs_tap_drain(struct hs_tap *c, struct hs_tcp_seg *out, size_t max);

/* The queue's drops so far (may be called while the thread runs; final after
 * hs_tap_stop). */
void hs_tap_queue_drops(struct hs_tap *c, struct hs_tap_drops *out);

/* Stops the thread after it read what the kernel holds; the queue can still be drained.
 * The handle is then given up at once (the kernel takes 10 to 30 ms to close a packet
 * socket): a short-lived child process closes its last reference, or when no child can be
 * made, a thread of its own that hs_tap_close_pending joins. */
void hs_tap_stop(struct hs_tap *c);

/* Before a trace resolves its target: the capture's time stamps on in good time. */
void hs_tap_prepare(void);

/* Before the process ends: joins the closing threads (none unless a child could not be
 * made) and reaps the closing children that are done, without waiting for the others (they
 * hold nothing but their socket and end on their own). */
void hs_tap_close_pending(void);

/* The raw packets (complete after hs_tap_stop). */
const struct hs_packets *hs_tap_packets(const struct hs_tap *c);
/* Moves the raw packets out (after hs_tap_stop); the capture keeps none. */
void hs_tap_take_packets(struct hs_tap *c, struct hs_packets *out);

/* The interface name used. */
const char *hs_tap_device(const struct hs_tap *c);

void hs_tap_free(struct hs_tap *c);

/*
 * A capture with no handle and no thread, fed frames by hs_tap_feed() exactly as the
 * reader thread takes them (so the queue and its limits can be tested without privileges).
 * remote is the server's end; linktype is that of the frames (HS_LINK_*).
 */
struct hs_tap *hs_tap_new_fed(int linktype, const struct hs_addr *remote);
/* One frame; only for a capture from hs_tap_new_fed (the thread would race it). */
void hs_tap_feed(struct hs_tap *c, double ts, const uint8_t *frame, uint32_t caplen,
                     uint32_t origlen);

#endif
