/* Round trips of a handshake, counted from the ladder's rows. */
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

int hs_count_round_trips(const struct hs_trace *t, double done_ms)
{
    int turns = 0;
    bool client_spoke = false, fin[2] = {false, false};
    for (const struct hs_event *e = t->first; e; e = e->next) {
        if (done_ms >= 0 && e->t_ms > done_ms)
            break;
        if (e->layer == HS_LAYER_LIBRARY)
            continue;
        if (e->from == HS_CLIENT) {
            if (!closes(e))
                client_spoke = true;
        } else if (client_spoke) {
            turns++;
            client_spoke = false;
        }
        if (e->layer == HS_LAYER_TLS && strcmp(e->type, "Finished") == 0)
            fin[e->from] = true;
        if (fin[0] && fin[1])
            break;
    }
    return turns;
}
