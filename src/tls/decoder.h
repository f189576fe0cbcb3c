/*
 * The TLS decoder: one per connection, fed the bytes of each direction in order (from the
 * live client's socket tap or from TCP reassembly of a capture).  It frames records
 * (reassembled across reads), reassembles handshake messages across records, decrypts
 * protected records when the key log has the secrets, decodes every message into an event
 * with fields and a summary, and adds the events to the trace.  It also fills the trace's
 * negotiated parameters (version, suite, group, ALPN, resumption) and the server chain.
 * It never prints, never aborts on bad input, and bounds everything it buffers.
 */
#ifndef HS_DECODER_H
#define HS_DECODER_H

#include "../core/trace.h"
#include "keylog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds (reported as problem rows when reached). */
#define HS_MAX_HANDSHAKE_MSG (256u * 1024u)  /* one handshake message */
#define HS_MAX_PENDING_RECORDS 64            /* records held back waiting for keys, per side */
#define HS_MAX_CHAIN 32                      /* certificates summarised per Certificate */
#define HS_MAX_ROWS 2000                     /* rows per side; later messages are only counted */
#define HS_MAX_ROW_BYTES (8u * 1024u * 1024u) /* message bytes kept in rows, per side */

struct hs_decoder;

/* keys may be NULL (nothing decrypted) and is borrowed: it must outlive the decoder. */
struct hs_decoder *hs_decoder_new(struct hs_trace *trace, struct hs_keylog *keys);
void hs_decoder_free(struct hs_decoder *d);

/*
 * The next n bytes sent by `from`, as they arrived at t_ms; frame is the capture frame that
 * carried them (0 in live mode).  Partial records are kept until the rest arrives.
 */
void hs_decoder_feed(struct hs_decoder *d, enum hs_side from, double t_ms, const uint8_t *p,
                     size_t n, uint64_t frame);

/* n bytes of `from` were lost (a capture gap): shows the gap and resynchronises at the next
 * record header it can trust. */
void hs_decoder_gap(struct hs_decoder *d, enum hs_side from, double t_ms, size_t n);

/* on: keep the transcript hashes and give the trace its key schedule (trace->key_schedule,
 * secret material) once the handshake is over; off (the default) keeps neither. */
void hs_decoder_key_schedule(struct hs_decoder *d, bool on);

/* on: when it finishes, the decoder gives the trace its decryption report (trace->decryption:
 * status, found[], missing[], reason); off (the default) leaves it NULL. */
void hs_decoder_report(struct hs_decoder *d, bool on);

/* The key log gained secrets: retry the records held back for want of a key. */
void hs_decoder_keys_changed(struct hs_decoder *d);

/* No secrets will be added any more (e.g. a pcap file and no key log): records held back
 * become "encrypted, no key" rows now, and later ones are not held. */
void hs_decoder_no_more_keys(struct hs_decoder *d);

/* Both streams ended at t_ms: records still held back become "encrypted, no key" rows, a
 * partial record becomes a truncation row, pending application-data counts are emitted. */
void hs_decoder_finish(struct hs_decoder *d, double t_ms);

/* The version in the header of `from`'s first TLS record (e.g. 0x0301), 0 before one. */
uint16_t hs_decoder_first_record_version(const struct hs_decoder *d, enum hs_side from);

/* Bytes were seen that are not TLS (e.g. an HTTP reply): true once the decoder gave up on
 * `from`'s stream. */
bool hs_decoder_not_tls(const struct hs_decoder *d, enum hs_side from);

/* When `from` is not TLS: what its reply is, for a reason line (escaped), into buf ("it replied in
 * plain HTTP: \"HTTP/1.1 400 Bad\"", "its reply starts with \"...\"", or "" when its first
 * bytes are not text); NULL while the stream is TLS. */
const char *hs_decoder_not_tls_reason(const struct hs_decoder *d, enum hs_side from, char *buf,
                                      size_t n);

/* The ClientHello's random, or NULL before one was seen. */
const uint8_t *hs_decoder_client_random(const struct hs_decoder *d);

/*
 * QUIC (RFC 9001 4): the next n bytes of `from`'s CRYPTO stream at one encryption level, in
 * order: handshake messages with no record layer under them, decoded as from TLS records.
 * keys: the secret that protected them ("client handshake traffic secret", ...), or NULL for
 * Initial packets (whose keys every observer has); cipher: its AEAD name.
 */
void hs_decoder_crypto(struct hs_decoder *d, enum hs_side from, double t_ms, const uint8_t *p,
                       size_t n, uint64_t frame, const char *keys, const char *cipher);

/* The cipher suite of the ServerHello, 0 before one. */
uint16_t hs_decoder_suite(const struct hs_decoder *d);

#endif
