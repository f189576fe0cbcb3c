/* Counting a handshake's network round trips from the rows of a trace (live or capture). */
#ifndef HS_ROUNDTRIPS_H
#define HS_ROUNDTRIPS_H

#include "../core/trace.h"

/*
 * Client-to-server turns: each time a server row follows client rows, up to the point where
 * both Finished messages were seen (TCP + TLS 1.3 = 2, TCP + TLS 1.2 = 3).  Library notes and
 * the closing segments (FIN, RST) are not turns.  `done_ms` >= 0 ends the count there as well
 * (for a capture whose Finished messages could not be decrypted); pass -1 otherwise.
 */
int hs_count_round_trips(const struct hs_trace *t, double done_ms);

#endif
