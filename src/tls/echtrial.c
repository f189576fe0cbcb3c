/*
 * An accepted Encrypted Client Hello without the key log's ECH lines: the traffic secrets are
 * logged under the ClientHelloInner's random, which is not on the wire.  When the outer random
 * has no server handshake traffic secret, each one the key log holds is tried on the server's
 * first encrypted record (a bounded number of them); the one that authenticates it names the
 * random the handshake used.
 */
#include "decoder_internal.h"

#include <string.h>

#define MAX_TRIALS 4096

void dec_ech_trial(struct hs_decoder *d, const uint8_t *rec, size_t len)
{
    struct hs_tls_state *st = &d->st;
    struct hs_ech_state *e = &st->ech;
    if (!e->offered || e->trial_done || e->decrypted || d->keys == NULL || len <= REC_HDR)
        return;
    e->trial_done = true;
    size_t n = 0;
    const struct hs_suite *suite = hs_suite_find(st->suite);
    if (suite == NULL ||
        hs_keylog_find(d->keys, HS_SECRET_SERVER_HANDSHAKE, st->client_random, &n) != NULL)
        return;
    enum hs_secret kind;
    const uint8_t *random, *secret;
    unsigned tried = 0;
    for (size_t i = 0; tried < MAX_TRIALS &&
                       hs_keylog_entry(d->keys, i, &kind, &random, &secret, &n);
         i++) {
        if (kind != HS_SECRET_SERVER_HANDSHAKE)
            continue;
        tried++;
        struct hs_protect p;
        size_t out_len;
        uint8_t inner;
        if (hs_protect_tls13(&p, suite, secret, n) != HS_OK ||
            hs_protect_decrypt(&p, rec, rec + REC_HDR, len - REC_HDR, d->scratch, &out_len,
                               &inner) != HS_OK)
            continue;
        e->trial_matched = true;
        memcpy(e->trial_random, random, 32);
        memcpy(st->client_random, random, 32);
        memcpy(st->last_client_random, random, 32);
        memcpy(d->cur_client_random, random, 32);
        return;
    }
}
