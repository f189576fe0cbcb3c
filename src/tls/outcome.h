/*
 * What a trace's decoded rows say about how the connection ended: its alerts and the
 * protocol rules the peer broke.  The one place both sources (the live client and the
 * capture reader) read a verdict from the events, so they give the same reasons.
 */
#ifndef HS_TLS_OUTCOME_H
#define HS_TLS_OUTCOME_H

#include "../core/trace.h"

#include <stdbool.h>
#include <stddef.h>

/* The verdict's reason for the connection's first fatal alert, into buf: who sent it, whether
 * after the handshake, and what it means ("the server sent fatal alert certificate_required
 * after the handshake: the server requires a client certificate and the client sent none");
 * NULL when neither side sent one; *from (unless NULL) gets who sent it.  Both sources fail a connection with this wording. */
const char *hs_outcome_alert_reason(const struct hs_trace *t, enum hs_side *from, char *buf,
                                    size_t n);

/* Whether the server sent a CertificateRequest that the client answered with an empty
 * Certificate, among the rows before `until` (NULL: all). */
bool hs_outcome_client_cert_missing(const struct hs_trace *t, const struct hs_event *until);

/* The description of the last alert `from` sent (any level) into buf; NULL when none. */
const char *hs_outcome_last_alert(const struct hs_trace *t, enum hs_side from, char *buf,
                                  size_t n);

/* The first protocol violation the decoder found on a row, or NULL. */
const char *hs_outcome_violation(const struct hs_event *e);

/* The server's latest row that broke a rule of the protocol, when the client answered it with
 * nothing but an alert (a handshake message after it means the client went on), or NULL. */
const struct hs_event *hs_outcome_server_violation(const struct hs_trace *t);

#endif
