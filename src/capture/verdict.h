/*
 * What both kinds of capture connection (TCP in replay.c, QUIC in quicconn.c) conclude the
 * same way: the ends of the trace, and its timings, round trips and verdict.
 */
#ifndef HS_VERDICT_H
#define HS_VERDICT_H

#include "../core/trace.h"
#include "../net/packet.h"

#include <stdbool.h>

/* The first row of `layer` from `from` (< 0: either side) with that type, or NULL. */
const struct hs_event *hs_capture_find(const struct hs_trace *t, enum hs_layer layer, int from,
                                       const char *type);

/* The trace's server address and port and its client's "addr:port" ([HS_CLIENT], [HS_SERVER]). */
void hs_capture_ends(struct hs_trace *t, const struct hs_ip_addr addr[2], const uint16_t port[2]);

/* Timings and round trips once the handshake ended at done (< 0: it did not), and the verdict:
 * a fatal alert, else closed (the connection was closed before the end) or the capture ends. */
void hs_capture_verdict(struct hs_trace *t, double done, double end_ms, bool closed);

#endif
