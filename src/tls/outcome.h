/*
 * What a trace's decoded rows say about how the connection ended: its alerts and the
 * protocol rules the peer broke.  The one place both sources (the live client and the
 * capture reader) read a verdict from the events, so they give the same reasons.
 */
#ifndef HS_TLS_OUTCOME_H
#define HS_TLS_OUTCOME_H

#include "../core/trace.h"

#include <stddef.h>

/* The first fatal alert of the connection, in time order: its description ("alert" when it
 * has none), *from gets who sent it; NULL when there is none. */
const char *hs_outcome_fatal_alert(const struct hs_trace *t, enum hs_side *from);

/* The description of the last alert `from` sent (any level) into buf; NULL when none. */
const char *hs_outcome_last_alert(const struct hs_trace *t, enum hs_side from, char *buf,
                                  size_t n);

/* The first protocol violation the decoder found on a row, or NULL. */
const char *hs_outcome_violation(const struct hs_event *e);

/* The server's latest row that broke a rule of the protocol, when the client answered it with
 * nothing but an alert (a handshake message after it means the client went on), or NULL. */
const struct hs_event *hs_outcome_server_violation(const struct hs_trace *t);

#endif
