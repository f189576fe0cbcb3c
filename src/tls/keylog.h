/*
 * Secrets, by client random, in the terms of the NSS key log format
 * (CLIENT_RANDOM, CLIENT_HANDSHAKE_TRAFFIC_SECRET, ...): filled from the live client's key
 * export or from a key log file; read by the decoder; written out for Wireshark.
 */
#ifndef HS_KEYLOG_H
#define HS_KEYLOG_H

#include "../core/result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum hs_secret {
    HS_SECRET_TLS12_MASTER = 0,       /* CLIENT_RANDOM */
    HS_SECRET_CLIENT_EARLY,           /* CLIENT_EARLY_TRAFFIC_SECRET */
    HS_SECRET_CLIENT_HANDSHAKE,       /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    HS_SECRET_SERVER_HANDSHAKE,       /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    HS_SECRET_CLIENT_TRAFFIC_0,       /* CLIENT_TRAFFIC_SECRET_0 */
    HS_SECRET_SERVER_TRAFFIC_0,       /* SERVER_TRAFFIC_SECRET_0 */
    HS_SECRET_EXPORTER,               /* EXPORTER_SECRET */
    HS_SECRET_COUNT
};

#define HS_SECRET_MAX 64  /* bytes; SHA-384 secrets are 48, TLS 1.2 master secret 48 */
#define HS_KEYLOG_MAX_ENTRIES 100000
#define HS_KEYLOG_MAX_FILE (64u * 1024u * 1024u) /* bytes read from a key log file */

struct hs_keylog;

struct hs_keylog *hs_keylog_new(void);
void hs_keylog_free(struct hs_keylog *kl);
/* How many secrets it holds. */
size_t hs_keylog_count(const struct hs_keylog *kl);

/*
 * Keeps only the secrets whose client random want() accepts: those held that it refuses are
 * dropped now (making room), and later ones it refuses are refused by hs_keylog_add
 * (HS_ERR_LIMIT).  For when HS_KEYLOG_MAX_ENTRIES was reached and the randoms that matter are
 * known.  want is called while the key log lives.  Returns how many were dropped.
 */
size_t hs_keylog_restrict(struct hs_keylog *kl, bool (*want)(void *ctx, const uint8_t random[32]),
                        void *ctx);

/* Adds (or replaces) one secret.  HS_ERR_INVALID for a bad length, HS_ERR_LIMIT when full. */
int hs_keylog_add(struct hs_keylog *kl, enum hs_secret kind, const uint8_t client_random[32],
                  const uint8_t *secret, size_t len) HS_MUST_CHECK;

/* The secret, or NULL; *len gets its length. */
const uint8_t *hs_keylog_find(const struct hs_keylog *kl, enum hs_secret kind,
                              const uint8_t client_random[32], size_t *len);

/* The key log's entry i in the order added: false past the end. */
bool hs_keylog_entry(const struct hs_keylog *kl, size_t i, enum hs_secret *kind,
                     const uint8_t **client_random, const uint8_t **secret, size_t *len);

/* Parses one line of a key log (comments, blank lines and unknown labels are HS_OK and
 * ignored); HS_ERR_INVALID for a malformed line of a known label. */
int hs_keylog_parse_line(struct hs_keylog *kl, const char *line, size_t n) HS_MUST_CHECK;
/* Parses a whole key log text (e.g. from a pcapng DSB); *bad counts malformed lines and
 * *over (may be NULL) the secrets refused as the key log is full (then HS_ERR_LIMIT is
 * returned, after every line was read). */
int hs_keylog_parse(struct hs_keylog *kl, const char *text, size_t n, size_t *bad,
                    size_t *over) HS_MUST_CHECK;
/*
 * Reads a key log file: a regular file only (a FIFO or a device is refused: it could block or
 * never end), its first HS_KEYLOG_MAX_FILE bytes at most.  HS_OK; HS_ERR_IO (cannot be opened
 * or read, not a regular file) or HS_ERR_LIMIT (HS_KEYLOG_MAX_FILE or HS_KEYLOG_MAX_ENTRIES
 * reached: what came before is kept), each with one line in err.
 */
int hs_keylog_load(struct hs_keylog *kl, const char *path, size_t *bad, char *err,
                   size_t errsz) HS_MUST_CHECK;

/* Writes "LABEL <client_random hex> <secret hex>\n" into out (>= 2*32+2*HS_SECRET_MAX+40
 * bytes); returns the length or 0 if out is too small. */
size_t hs_keylog_format(enum hs_secret kind, const uint8_t client_random[32],
                        const uint8_t *secret, size_t len, char *out, size_t outsz);
/* Writes every entry, in the order added, in the NSS format. */
int hs_keylog_write(const struct hs_keylog *kl, FILE *f) HS_MUST_CHECK;

const char *hs_secret_label(enum hs_secret kind); /* "CLIENT_RANDOM", ... */

/*
 * Encrypted Client Hello (RFC 9849) lines, as NSS and Wireshark write them:
 * "ECH_SECRET <inner client random> <HPKE shared secret>" and
 * "ECH_CONFIG <inner client random> <the ECHConfig used>".  Both are keyed by the random of
 * the ClientHelloInner, which is not on the wire: the decoder tries them in turn.  Kept apart
 * from the secrets above, one entry per random, in the order first seen.
 */
#define HS_ECH_CONFIG_MAX 512 /* bytes of one ECHConfig */
#define HS_KEYLOG_MAX_ECH 1024 /* ECH entries kept (each is a trial decryption) */
struct hs_ech_key {
    uint8_t client_random[32];
    uint8_t secret[HS_SECRET_MAX];
    size_t secret_len;            /* 0: no ECH_SECRET line for this random */
    uint8_t config[HS_ECH_CONFIG_MAX];
    size_t config_len;            /* 0: no ECH_CONFIG line */
    unsigned ordinal;             /* 1 for the key log's first ECH random, ... */
};
/* Adds an ECH_SECRET (config false) or ECH_CONFIG (config true) line's value. */
int hs_keylog_add_ech(struct hs_keylog *kl, bool config, const uint8_t client_random[32],
                      const uint8_t *v, size_t len) HS_MUST_CHECK;
size_t hs_keylog_ech_count(const struct hs_keylog *kl);
const struct hs_ech_key *hs_keylog_ech_get(const struct hs_keylog *kl, size_t i);
const char *hs_secret_plain(enum hs_secret kind); /* "server handshake traffic secret", ... */

#endif
