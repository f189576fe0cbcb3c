/* The live source: resolve, connect, capture, handshake with mbedTLS, all into one trace. */
#ifndef HS_LIVE_H
#define HS_LIVE_H

#include "../cli/options.h"
#include "../core/trace.h"

/* Traces one connection to o->target (or to host/port given by the demo); returns the exit
 * code (also in trace->exit_code).  The trace is complete on failure too. */
int hs_live_run(const struct hs_options *o, struct hs_trace *trace);

/* Starts the built-in server on 127.0.0.1, traces a handshake against it (verified against
 * its generated CA), stops it.  Returns the exit code. */
int hs_demo_run(const struct hs_options *o, struct hs_trace *trace);

struct hs_live_saved;

/* The same, handing out what was captured (packets and secrets) for saving later; *keep is
 * NULL when nothing was captured.  Free it with hs_live_saved_free (live/saved.h). */
int hs_live_run_keep(const struct hs_options *o, struct hs_trace *trace,
                     struct hs_live_saved **keep);
int hs_demo_run_keep(const struct hs_options *o, struct hs_trace *trace,
                     struct hs_live_saved **keep);

#endif
