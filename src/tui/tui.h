/*
 * The interactive view (ncursesw): a ladder you walk message by message, with the decoded
 * field tree and a hex dump of the selected message.  Live traces stream into it as they
 * happen; finished traces (a capture's connections) open on a connection list.  It knows
 * no source: cli/ hands it a run function (struct hs_tui_source) or finished traces.
 */
#ifndef HS_TUI_H
#define HS_TUI_H

#include "../core/trace.h"
#include "../view/view.h"

#include <stdbool.h>
#include <stddef.h>

/* The terminal cannot hold the interactive view: the caller falls back to the text view. */
#define HS_TUI_UNAVAILABLE (-1)

/* How the view looks and what it may do; filled by cli/. */
struct hs_tui_opts {
    enum hs_color color;       /* auto: when the terminal has colours and NO_COLOR is unset */
    bool ascii;                /* no Unicode line drawing (also when the locale is not UTF-8) */
    int debug;                 /* > 0: library debug rows too */
    bool force;                /* a save may replace an existing file */
    bool step;                 /* --step: the ladder advances one message per key press */
    struct hs_view_opts text;  /* the text ladder printed to stdout on quit */
};

/*
 * A source the view runs in a worker thread, again on `r`.  run() traces into t (each event
 * reaches the view through t's listener) and returns the exit code; *kept gets what a save
 * can write later as a capture (packets, secrets), or NULL.  save() writes kept to path
 * (pcap or pcapng by the name; replace: over an existing file), 0 with what it wrote in msg
 * ("12 packets and the TLS secrets"), or -1 with the reason in msg.  free_kept() frees it.
 * In step mode gate is not NULL: run calls hs_tui_step_wait(gate) before each handshake step.
 */
struct hs_tui_source {
    int (*run)(const void *ctx, struct hs_trace *t, void **kept, void *gate);
    int (*save)(const void *kept, const char *path, bool replace, char *msg, size_t msgsz);
    void (*free_kept)(void *kept);
    void (*started)(const void *ctx); /* in the view's thread once the worker runs; may be NULL */
    const void *ctx;
    double timeout_s;          /* how long a run may take, said while quitting */
};

/*
 * Runs src in a worker thread and shows the trace as it happens; `r` runs it again.  On quit
 * the terminal is restored and the text ladder of the last run is printed to stdout.
 * Returns the last run's exit code (as in plain mode), or HS_TUI_UNAVAILABLE before anything
 * ran when the terminal cannot be set up.
 */
/*
 * Step mode, in the worker thread: returns once the user has asked for a message that has not
 * reached the trace yet (or quit, or pressed End).
 */
void hs_tui_step_wait(void *gate);

int hs_tui_run_live(const struct hs_tui_opts *o, const struct hs_tui_source *src);

/*
 * Shows n finished traces (a capture's connections; the caller keeps ownership): a connection
 * list first when n > 1 (Enter opens a ladder, q/Esc goes back), the ladder directly when
 * n == 1.  title names the source (e.g. the file name), may be NULL.  On quit the text ladders
 * are printed to stdout.  Returns 0, or HS_TUI_UNAVAILABLE when the terminal cannot be set up
 * (nothing was printed then).
 */
int hs_tui_run_traces(const struct hs_tui_opts *o, struct hs_trace **t, size_t n,
                      const char *title);

#endif
