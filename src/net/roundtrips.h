/* Counting a handshake's network round trips from the rows of a trace (live or capture). */
#ifndef HS_ROUNDTRIPS_H
#define HS_ROUNDTRIPS_H

#include "../core/trace.h"

/*
 * One definition for every outcome: a round trip is the client asking and the server
 * answering.  The client asks with any row but those that close (its FIN, RST, alerts); the
 * server's next row of any kind answers (SYN-ACK, a TLS message or alert, bytes that are not
 * TLS, FIN, RST).  Counted up to the point where both Finished messages were seen (TCP + TLS
 * 1.3 = 2, TCP + TLS 1.2 = 3), or to the end of the rows when the handshake did not finish (a
 * refused port = 1, a reset or a non-TLS reply after the ClientHello = 2).  Library notes are
 * not rows here.  `done_ms` >= 0 ends the count there as well (for a capture whose Finished
 * messages could not be decrypted); pass -1 otherwise.
 */
/*
 * The same walk labels the rows: each TLS round trip starts with the first row of a flight the
 * client sends from its ClientHello on, and holds that flight and the server's answer; the
 * rows get its number in hs_event.round_trip (1, 2, ...; TLS 1.3 has 1, a full TLS 1.2
 * handshake 2).  TCP rows before the ClientHello, library notes and rows after the count ends
 * get 0; a last client flight that got no answer (the TLS 1.3 client Finished) is no round trip
 * of its own and gets the number of the one before it.
 */
int hs_count_round_trips(struct hs_trace *t, double done_ms);

#endif
