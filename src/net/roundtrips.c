/* Round trips of a handshake, counted from the ladder's rows (and the rows labelled). */
#include "roundtrips.h"

#include <stdbool.h>
#include <string.h>

/* A row by which a side closes rather than asks. */
static bool closes(const struct hs_event *e)
{
    if (e->layer == HS_LAYER_TCP)
        return !strcmp(e->type, "FIN") || !strcmp(e->type, "RST");
    return e->layer == HS_LAYER_TLS && !strcmp(e->type, "Alert");
}

int hs_count_round_trips(struct hs_trace *t, double done_ms)
{
    int turns = 0, tls = 0;      /* round trips, and those of them since the ClientHello */
    bool client_spoke = false, in_tls = false, fin[2] = {false, false};
    struct hs_event *flight = NULL; /* first row of the client's unanswered TLS flight */
    struct hs_event *e = t->first;
    for (; e; e = e->next)
        e->round_trip = 0;
    for (e = t->first; e; e = e->next) {
        if (done_ms >= 0 && e->t_ms > done_ms)
            break;
        if (e->layer == HS_LAYER_LIBRARY || e->layer == HS_LAYER_QUIC) /* QUIC: its TLS rows */
            continue;
        if (e->from == HS_CLIENT) {
            bool asks = !closes(e);
            if (asks && (e->layer == HS_LAYER_TLS || in_tls) && (!client_spoke || !in_tls)) {
                in_tls = true;
                flight = e;
                tls++;
            }
            if (asks)
                client_spoke = true;
        } else if (client_spoke) {
            turns++;
            client_spoke = false;
            flight = NULL;
        }
        e->round_trip = in_tls ? tls : 0;
        if (e->layer == HS_LAYER_TLS && strcmp(e->type, "Finished") == 0)
            fin[e->from] = true;
        if (fin[0] && fin[1])
            break;
    }
    /* A last flight without an answer is no round trip of its own. */
    for (struct hs_event *u = flight; u && u != (e ? e->next : NULL); u = u->next)
        if (u->layer != HS_LAYER_LIBRARY && u->layer != HS_LAYER_QUIC)
            u->round_trip = tls - 1;
    return turns;
}
