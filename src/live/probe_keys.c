/* --probe: the TLS 1.3 handshake traffic secrets from the probe's own (EC)DHE secret. */
#include "probe_keys.h"

#include "../tls/protect.h"

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <string.h>

#define HMAX 48

static const mbedtls_md_info_t *md_for(enum hs_hash h)
{
    return mbedtls_md_info_from_type(h == HS_HASH_SHA384 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA256);
}

/* Transcript-Hash(ClientHello1, HelloRetryRequest, ClientHello2, ServerHello): after a retry
 * the first ClientHello is replaced by message_hash (RFC 8446 section 4.4.1). */
static int transcript_hash(const mbedtls_md_info_t *md, unsigned hl,
                           const struct hs_probe_transcript *tr, uint8_t *out)
{
    mbedtls_md_context_t c;
    mbedtls_md_init(&c);
    int r = mbedtls_md_setup(&c, md, 0) || mbedtls_md_starts(&c);
    if (r == 0 && tr->hrr) {
        uint8_t head[4 + HMAX] = {254, 0, 0, (uint8_t)hl};
        r = mbedtls_md(md, tr->ch1, tr->ch1_len, head + 4) ||
            mbedtls_md_update(&c, head, 4 + hl) ||
            mbedtls_md_update(&c, tr->hrr, tr->hrr_len) ||
            mbedtls_md_update(&c, tr->ch2, tr->ch2_len);
    } else if (r == 0) {
        r = mbedtls_md_update(&c, tr->ch1, tr->ch1_len);
    }
    r = r || mbedtls_md_update(&c, tr->sh, tr->sh_len) || mbedtls_md_finish(&c, out);
    mbedtls_md_free(&c);
    return r ? -1 : 0;
}

int hs_probe_tls13_secrets(enum hs_hash h, const uint8_t *shared, size_t shared_len,
                           const struct hs_probe_transcript *tr, uint8_t *c_hs, uint8_t *s_hs)
{
    const mbedtls_md_info_t *md = md_for(h);
    unsigned hl = hs_hash_len(h);
    if (md == NULL || hl > HMAX)
        return -1;
    uint8_t zeros[HMAX] = {0}, early[HMAX], empty[HMAX], derived[HMAX], hs[HMAX], th[HMAX];
    int r = -1;
    if (mbedtls_hkdf_extract(md, zeros, hl, zeros, hl, early) == 0 &&
        mbedtls_md(md, NULL, 0, empty) == 0 &&
        hs_hkdf_expand_label(h, early, hl, "derived", empty, hl, derived, hl) == HS_OK &&
        mbedtls_hkdf_extract(md, derived, hl, shared, shared_len, hs) == 0 &&
        transcript_hash(md, hl, tr, th) == 0 &&
        hs_hkdf_expand_label(h, hs, hl, "c hs traffic", th, hl, c_hs, hl) == HS_OK &&
        hs_hkdf_expand_label(h, hs, hl, "s hs traffic", th, hl, s_hs, hl) == HS_OK)
        r = 0;
    memset(early, 0, sizeof early);
    memset(derived, 0, sizeof derived);
    memset(hs, 0, sizeof hs);
    return r;
}
