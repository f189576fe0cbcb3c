/*
 * --probe: instead of mbedTLS's handshake, the live client sends a ClientHello hstrace builds
 * itself (X25519MLKEM768 and x25519 key shares, GREASE ECH, compress_certificate, ...), reads
 * the server's first flight (ServerHello, or HelloRetryRequest and then the answer to a second
 * ClientHello), counts the records that follow until a pause, and stops: no handshake, no
 * certificate check.  The bytes go through the decoder like any live trace's.
 */
#ifndef HS_LIVE_PROBE_H
#define HS_LIVE_PROBE_H

#include "client_internal.h"
#include "tlsconfig.h"

#include <stdbool.h>

#define HS_PROBE_PAUSE_MS 300    /* the server's flight ends after this much silence */
#define HS_PROBE_FLIGHT_MS 3000  /* ... or after this long, once its hello came */
#define HS_PROBE_FLIGHT_MAX (1u << 20) /* ... or after this many bytes */
#define HS_PROBE_SIZES 32        /* record sizes kept in probe.record_sizes */

/* Runs the probe on l's connected socket, with the groups, ALPN and suites parsed into s;
 * fills l->trace->probe.  false when the probe failed (the reason recorded, or left to the
 * decoder's alert row and l->broken). */
bool hs_probe_stage(struct live *l, const struct hs_tls_setup *s);

/* True for the post-quantum groups (hybrid or pure ML-KEM, and the Kyber drafts). */
bool hs_probe_group_is_pq(uint16_t group);

#endif
