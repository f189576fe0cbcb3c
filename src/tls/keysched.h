/*
 * The key schedule of one connection (--keys): the transcript hashes the decoder keeps as
 * handshake messages pass, and, from the key log's secrets, every step that can be shown
 * (TLS 1.3: RFC 8446 7.1-7.3; TLS 1.2: RFC 5246 8.1 and 6.3, RFC 7627) with both Finished
 * recomputed and compared (RFC 8446 4.4.4, RFC 5246 7.4.9).  Steps whose inputs never reach a
 * key log (the (EC)DHE shared secret, the pre-master secret, the TLS 1.3 handshake and master
 * secrets) are listed with a null value and the reason.  Uses mbedTLS crypto only.
 */
#ifndef HS_KEYSCHED_H
#define HS_KEYSCHED_H

#include "../core/field.h"
#include "../core/result.h"
#include "keylog.h"
#include "msg.h"
#include "suites.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hs_transcript;

struct hs_transcript *hs_transcript_new(void);
void hs_transcript_free(struct hs_transcript *t);

/*
 * One whole handshake message (4-byte header included) of the connection's first handshake,
 * in the order the decoder decoded it; st is the state after decoding it.  TLS 1.3
 * NewSessionTicket and KeyUpdate, HelloRequest, and everything after both Finished are left
 * out; a HelloRetryRequest replaces the first ClientHello by its hash (RFC 8446 4.4.1).
 */
void hs_transcript_add(struct hs_transcript *t, enum hs_side from, const uint8_t *msg, size_t n,
                       const struct hs_tls_state *st);

/* Both Finished messages were added. */
bool hs_transcript_complete(const struct hs_transcript *t);
/* Starts the transcript again with these messages (an accepted Encrypted Client Hello: the
 * ClientHelloInner replaces the outer one); hrr: the first is replaced by message_hash. */
void hs_transcript_reset(struct hs_transcript *t, const uint8_t *const *msgs, const size_t *lens,
                         size_t n, bool hrr);

/*
 * The key schedule as an object field (version, cipher_suite, steps[], finished{}, missing[]:
 * see man/hstrace-json.schema.json); NULL before a ServerHello or for a version without one
 * (SSL 3.0).  t may be NULL (no handshake message seen), kl too (no secrets); group is the
 * trace's key-exchange group name ("" unknown).
 */
struct hs_field *hs_keysched_build(const struct hs_transcript *t, const struct hs_tls_state *st,
                                   const struct hs_keylog *kl, const char *group);

/*
 * The key log secrets a connection needs to decrypt its records and check its Finished, as a
 * bit mask of 1u << enum hs_secret: TLS 1.0-1.2 CLIENT_RANDOM; TLS 1.3 the two handshake and
 * the two first application traffic secrets, and CLIENT_EARLY_TRAFFIC_SECRET when the client
 * offered 0-RTT.  0 before a ServerHello.
 */
unsigned hs_secrets_needed(const struct hs_tls_state *st);

/* TLS 1.3 Finished (RFC 8446 4.4.4): finished_key = HKDF-Expand-Label(secret, "finished", "",
 * Hash.length), verify_data = HMAC(finished_key, thash); both Hash.length bytes. */
int hs_tls13_finished(enum hs_hash h, const uint8_t *secret, const uint8_t *thash,
                      uint8_t *finished_key, uint8_t *verify_data) HS_MUST_CHECK;
/* TLS 1.2 Finished (RFC 5246 7.4.9): PRF(master, "client finished" or "server finished",
 * thash)[0..11]. */
int hs_tls12_finished(enum hs_hash h, const uint8_t master[48], enum hs_side who,
                      const uint8_t *thash, uint8_t verify_data[12]) HS_MUST_CHECK;

#endif
