/*
 * The interactive view (ncursesw): a ladder you walk message by message, with the decoded
 * field tree and a hex dump of the selected message.  Live traces stream into it as they
 * happen; finished traces (a capture's connections) open on a connection list.
 */
#ifndef HS_TUI_H
#define HS_TUI_H

#include "../cli/options.h"
#include "../core/trace.h"

#include <stdbool.h>
#include <stddef.h>

/* The terminal cannot hold the interactive view: the caller falls back to the text view. */
#define HS_TUI_UNAVAILABLE (-1)

/* True when the interactive view is the right output: stdin and stdout are terminals, TERM is
 * not "dumb", and neither --json nor --plain was given. */
bool hs_tui_wanted(const struct hs_options *o);

/*
 * Runs the live trace (o->demo: the built-in demo) in a worker thread and shows it as it
 * happens; `r` runs it again.  On quit the terminal is restored and the text ladder of the
 * last run is printed to stdout.  Returns the last run's exit code (as in plain mode), or
 * HS_TUI_UNAVAILABLE before anything ran when the terminal cannot be set up.
 */
int hs_tui_run_live(const struct hs_options *o);

/*
 * Shows n finished traces (a capture's connections; the caller keeps ownership): a connection
 * list first when n > 1 (Enter opens a ladder, q/Esc goes back), the ladder directly when
 * n == 1.  title names the source (e.g. the file name), may be NULL.  On quit the text ladders
 * are printed to stdout.  Returns 0, or HS_TUI_UNAVAILABLE when the terminal cannot be set up
 * (nothing was printed then).
 */
int hs_tui_run_traces(const struct hs_options *o, struct hs_trace **t, size_t n,
                      const char *title);

/*
 * -r on a terminal: reads the capture (o->read_path) and shows its connections.  Returns the
 * exit code of plain mode (0, 1 truncated/corrupt, 2 unreadable), or HS_TUI_UNAVAILABLE (the
 * caller then runs the text view) when the terminal cannot be set up or no connection was
 * selected.
 */
int hs_tui_run_capture(const struct hs_options *o);

#endif
