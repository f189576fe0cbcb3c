/*
 * Time anomalies in a capture: a packet of an open connection stamped before the connection's
 * previous packet, or far after it while its sequence number continues the connection.  The
 * packet stays in its connection, in capture order, and takes the previous packet's time; the
 * connection counts it and gets a problem row saying so.
 */
#ifndef HS_TIMEFIX_H
#define HS_TIMEFIX_H

#include "../core/trace.h"
#include "flow.h"

#include <stdbool.h>
#include <stdint.h>

#define HS_TIME_JUMP_S 900.0   /* further ahead than this (the idle time) is a jump */
#define HS_TIME_SLACK_S 0.001  /* stamped back by at most this: clamped, not counted */

struct hs_time_fix {
    uint64_t back;  /* packets stamped more than HS_TIME_SLACK_S before the previous one */
    uint64_t jump;  /* packets stamped more than HS_TIME_JUMP_S after it */
};

/*
 * Fixes seg->ts for its open connection f (seg->from_server set).  False when seg is far
 * after f's last packet and its sequence number does not continue f: f went idle and seg
 * belongs to another connection (seg->ts is left alone).
 */
bool hs_time_fix(struct hs_time_fix *tf, const struct hs_flow *f, struct hs_tcp_seg *seg);

/* Adds the problem row at t_ms when anything was fixed. */
void hs_time_fix_note(const struct hs_time_fix *tf, struct hs_trace *t, double t_ms);

#endif
