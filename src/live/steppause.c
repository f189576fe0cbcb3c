/*
 * Step mode: the handshake waits before each mbedtls_ssl_handshake_step until the caller's
 * hook returns (the interactive view: a key press).  The rows of everything that passed the
 * socket go into the trace first, so the one who decides sees where the handshake stands.
 * Waiting is neither handshake time nor part of --timeout: the deadline moves by the wait, and
 * the TLS time leaves it out (the rows' own times include it, and a note says so).
 */
#include "client_internal.h"

#include <stdio.h>
#include <unistd.h>

/* Before the first step: the capture may not have brought the TCP handshake's rows yet (pcap
 * hands packets over in batches); waits a little (SEG_WAIT_MS at most) for the three. */
static void wait_tcp_rows(struct live *l)
{
    double until = hs_wall_s() + SEG_WAIT_MS / 1000.0;
    for (;;) {
        live_drain_capture(l);
        int n = 0;
        for (const struct hs_event *ev = l->trace->first; ev && n < 3; ev = ev->next)
            n += ev->layer == HS_LAYER_TCP;
        if (n >= 3 || hs_wall_s() >= until)
            return;
        usleep(500);
    }
}

void live_step_pause(struct live *l)
{
    if (l->o->before_step == NULL)
        return;
    if (!l->step_begun && l->cap)
        wait_tcp_rows(l);
    l->step_begun = true;
    live_drain_capture(l);
    live_flush_feed(l, FEED_WAIT);
    double t0 = hs_wall_s();
    l->o->before_step(l->o->step_ctx);
    double waited = hs_wall_s() - t0;
    if (waited > 0) {
        l->deadline += waited;
        l->paused_ms += waited * 1000.0;
    }
}

void live_step_note(struct live *l)
{
    if (l->o->before_step == NULL)
        return;
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", live_now_ms(l));
    hs_event_summary(ev, "stepped: %.1f s of waits for keys (in the row times, not in TLS)",
                     l->paused_ms / 1000.0);
    hs_trace_add(l->trace, ev);
}
