/* --probe: the one line that says what the server's first flight told the probe. */
#ifndef HS_VIEW_PROBELINE_H
#define HS_VIEW_PROBELINE_H

#include "../core/trace.h"

/* "probe: x25519 chosen (not post-quantum; offered ...) · ..." (malloc'd; the field strings
 * in it are escaped already), or NULL when the trace is no probe. */
char *hs_view_probe_line(const struct hs_trace *t);

#endif
