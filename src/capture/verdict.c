/* The ends, timings and verdict of a capture connection (verdict.h). */
#include "verdict.h"

#include "../core/mem.h"
#include "../net/roundtrips.h"
#include "../tls/outcome.h"

#include <string.h>

const struct hs_event *hs_capture_find(const struct hs_trace *t, enum hs_layer layer, int from,
                                       const char *type)
{
    for (const struct hs_event *e = t->first; e; e = e->next)
        if (e->layer == layer && (from < 0 || (int)e->from == from) && !strcmp(e->type, type))
            return e;
    return NULL;
}

void hs_capture_ends(struct hs_trace *t, const struct hs_ip_addr addr[2], const uint16_t port[2])
{
    char buf[64];
    hs_ip_ntop(&addr[HS_SERVER], buf, sizeof buf);
    t->address = hs_xstrdup(buf);
    t->port = port[HS_SERVER];
    hs_ip_port_str(&addr[HS_CLIENT], port[HS_CLIENT], buf, sizeof buf);
    t->client_address = hs_xstrdup(buf);
}

void hs_capture_verdict(struct hs_trace *t, double done, double end_ms, bool closed)
{
    const struct hs_event *ch = hs_capture_find(t, HS_LAYER_TLS, HS_CLIENT, "ClientHello");
    if (done >= 0) {
        t->handshake_done = true;
        if (ch)
            t->tls_ms = done - ch->t_ms;
        t->total_ms = done;
        t->round_trips = hs_count_round_trips(t, done);
    } else {
        t->total_ms = end_ms;
        t->round_trips = hs_count_round_trips(t, -1); /* the same definition as live */
    }

    char reason[320];
    if (hs_outcome_alert_reason(t, NULL, reason, sizeof reason))
        hs_trace_fail(t, HS_STAGE_TLS, "%s", reason);
    else if (done < 0 && closed)
        hs_trace_fail(t, HS_STAGE_TLS, "connection closed before the handshake completed");
    else if (done < 0)
        hs_trace_fail(t, HS_STAGE_TLS, "capture ends before the handshake completed");
    if (t->error_stage == HS_STAGE_NONE)
        t->exit_code = HS_EXIT_OK;
}
