/*
 * -r FILE on a terminal: reads every selected connection of the capture (the same reader as
 * the text view, src/capture/replay.c), then shows them on the connection list.  The file's
 * messages (truncated, UDP ignored) go to stderr after the view closes, as in plain mode.
 */
#include "tui.h"

#include "../capture/replay.h"
#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>

struct collected {
    struct hs_trace **t;
    size_t n, cap;
};

static void collect(void *ctx, struct hs_trace *trace, const struct hs_capture_conn *c)
{
    struct collected *col = ctx;
    if (col->n == col->cap) {
        col->cap = col->cap ? 2 * col->cap : 16;
        col->t = hs_xrealloc(col->t, col->cap * sizeof *col->t);
    }
    col->t[col->n++] = trace;
}

static void free_all(struct collected *col)
{
    for (size_t i = 0; i < col->n; i++)
        hs_trace_free(col->t[i]);
    free(col->t);
}

int hs_tui_run_capture(const struct hs_options *o)
{
    struct hs_replay_opts ro = {.path = o->read_path, .keylog = o->keylog, .conn = o->conn,
                                .filter = o->filter};
    struct collected col = {0};
    struct hs_replay_summary sum;
    int status = hs_replay(&ro, collect, &col, &sum);
    if (status == 2) {
        fprintf(stderr, "hstrace: %s: %s\n", o->read_path, sum.error);
        free_all(&col);
        return 2;
    }
    if (col.n == 0) {
        /* Nothing to walk through: the text view says why. */
        free_all(&col);
        return HS_TUI_UNAVAILABLE;
    }
    if (hs_tui_run_traces(o, col.t, col.n, o->read_path) == HS_TUI_UNAVAILABLE) {
        free_all(&col);
        return HS_TUI_UNAVAILABLE;
    }
    if (sum.src.udp_packets > 0)
        fprintf(stderr, "hstrace: %llu UDP packet%s ignored (DTLS and QUIC are not decoded)\n",
                (unsigned long long)sum.src.udp_packets, sum.src.udp_packets == 1 ? "" : "s");
    if (status == 1)
        fprintf(stderr, "hstrace: %s: %s\n", o->read_path, sum.error);
    free_all(&col);
    return status;
}
