/* QUIC packets: headers, Initial and traffic keys, header protection, AEAD (quic.h). */
#include "quic.h"

#include "protect.h"

#include <mbedtls/aes.h>
#include <mbedtls/chacha20.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include <stdio.h>
#include <string.h>

#define V1 0x00000001u
#define V2 0x6b3343cfu

/* The Initial salts (RFC 9001 5.2, RFC 9369 3.3.1, draft-ietf-quic-tls-29 5.2). */
static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

enum hs_quic_family hs_quic_family(uint32_t v)
{
    if (v == V1)
        return HS_QV_1;
    if (v == V2)
        return HS_QV_2;
    if (v >= 0xff00001du && v <= 0xff000020u) /* drafts 29-32 share the v1 packet format */
        return HS_QV_DRAFT;
    return HS_QV_UNKNOWN;
}

const char *hs_quic_version_name(uint32_t v, char *buf, size_t n)
{
    if (v == V1)
        snprintf(buf, n, "QUIC v1");
    else if (v == V2)
        snprintf(buf, n, "QUIC v2");
    else if ((v & 0xffffff00u) == 0xff000000u)
        snprintf(buf, n, "draft-%u", v & 0xffu);
    else if ((v & 0x0f0f0f0fu) == 0x0a0a0a0au)
        snprintf(buf, n, "0x%08x (reserved, forces negotiation)", v);
    else
        snprintf(buf, n, "0x%08x", v);
    return buf;
}

const char *hs_quic_ptype_name(enum hs_quic_ptype t)
{
    static const char *const names[] = {"Initial", "0-RTT", "Handshake", "Retry", "1-RTT",
                                        "VersionNegotiation"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

bool hs_quic_varint(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
    if (*off >= n)
        return false;
    size_t len = (size_t)1 << (p[*off] >> 6);
    if (len > n - *off)
        return false;
    uint64_t x = p[*off] & 0x3f;
    for (size_t i = 1; i < len; i++)
        x = x << 8 | p[*off + i];
    *off += len;
    *v = x;
    return true;
}

static int read_cid(const uint8_t *p, size_t n, size_t *off, uint8_t *cid, size_t *len,
                    size_t max)
{
    HS_ENSURE(*off < n, HS_ERR_INVALID);
    size_t l = p[(*off)++];
    HS_ENSURE(l <= max && l <= n - *off, HS_ERR_INVALID);
    if (cid)
        memcpy(cid, p + *off, l);
    *len = l;
    *off += l;
    return HS_OK;
}

/* The long header's packet type bits for each version family (RFC 9369 3.2 swaps them). */
static enum hs_quic_ptype long_type(enum hs_quic_family fam, unsigned bits)
{
    static const enum hs_quic_ptype v1[4] = {HS_QPT_INITIAL, HS_QPT_0RTT, HS_QPT_HANDSHAKE,
                                             HS_QPT_RETRY};
    static const enum hs_quic_ptype v2[4] = {HS_QPT_RETRY, HS_QPT_INITIAL, HS_QPT_0RTT,
                                             HS_QPT_HANDSHAKE};
    return fam == HS_QV_2 ? v2[bits & 3] : v1[bits & 3];
}

static int parse(const uint8_t *p, size_t n, size_t short_dcid_len, bool as_v1,
                 struct hs_quic_hdr *h)
{
    memset(h, 0, sizeof *h);
    HS_ENSURE(p && n >= 1, HS_ERR_INVALID);
    size_t off = 1;
    /* The fixed bit (0x40) is not checked: peers may grease it (RFC 9287). */
    if (!(p[0] & 0x80)) { /* short header */
        HS_ENSURE(short_dcid_len <= HS_QUIC_MAX_CID && short_dcid_len < n - 1, HS_ERR_INVALID);
        h->type = HS_QPT_1RTT;
        memcpy(h->dcid, p + 1, short_dcid_len);
        h->dcid_len = short_dcid_len;
        h->pn_offset = 1 + short_dcid_len;
        h->size = n;
        return HS_OK;
    }
    HS_ENSURE(n >= 7, HS_ERR_INVALID);
    h->long_hdr = true;
    h->version = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    off = 5;
    if (h->version == 0) { /* Version Negotiation: connection IDs of any length up to 255 */
        uint8_t skip[255];
        size_t l;
        HS_TRY(read_cid(p, n, &off, skip, &l, 255));
        h->dcid_len = l < HS_QUIC_MAX_CID ? l : HS_QUIC_MAX_CID;
        memcpy(h->dcid, skip, h->dcid_len);
        HS_TRY(read_cid(p, n, &off, skip, &l, 255));
        h->scid_len = l < HS_QUIC_MAX_CID ? l : HS_QUIC_MAX_CID;
        memcpy(h->scid, skip, h->scid_len);
        HS_ENSURE((n - off) % 4 == 0 && n > off, HS_ERR_INVALID);
        h->type = HS_QPT_VN;
        h->versions = p + off;
        h->nversions = (n - off) / 4;
        h->size = n;
        return HS_OK;
    }
    enum hs_quic_family fam = as_v1 ? HS_QV_1 : hs_quic_family(h->version);
    size_t max = fam == HS_QV_UNKNOWN ? 255 : HS_QUIC_MAX_CID;
    uint8_t tmp[255];
    size_t l;
    HS_TRY(read_cid(p, n, &off, tmp, &l, max));
    h->dcid_len = l < HS_QUIC_MAX_CID ? l : HS_QUIC_MAX_CID;
    memcpy(h->dcid, tmp, h->dcid_len);
    HS_TRY(read_cid(p, n, &off, tmp, &l, max));
    h->scid_len = l < HS_QUIC_MAX_CID ? l : HS_QUIC_MAX_CID;
    memcpy(h->scid, tmp, h->scid_len);
    if (fam == HS_QV_UNKNOWN) {
        h->size = n;
        return HS_ERR_UNSUPPORTED;
    }
    h->type = long_type(fam, p[0] >> 4);
    if (h->type == HS_QPT_RETRY) {
        HS_ENSURE(n - off >= HS_QUIC_TAG, HS_ERR_INVALID);
        h->token = p + off;
        h->token_len = n - off - HS_QUIC_TAG;
        h->size = n;
        return HS_OK;
    }
    uint64_t v;
    if (h->type == HS_QPT_INITIAL) {
        HS_ENSURE(hs_quic_varint(p, n, &off, &v) && v <= n - off, HS_ERR_INVALID);
        h->token = p + off;
        h->token_len = (size_t)v;
        off += (size_t)v;
    }
    HS_ENSURE(hs_quic_varint(p, n, &off, &v), HS_ERR_INVALID);
    /* The Length covers the packet number and the payload: at least a sample's worth. */
    HS_ENSURE(v <= n - off && v >= 4 + HS_QUIC_TAG, HS_ERR_INVALID);
    h->pn_offset = off;
    h->size = off + (size_t)v;
    return HS_OK;
}

int hs_quic_parse_header(const uint8_t *p, size_t n, size_t short_dcid_len,
                         struct hs_quic_hdr *h)
{
    return parse(p, n, short_dcid_len, false, h);
}

int hs_quic_parse_header_v1(const uint8_t *p, size_t n, struct hs_quic_hdr *h)
{
    HS_ENSURE(p && n >= 5 && (p[0] & 0x80), HS_ERR_INVALID);
    HS_ENSURE(p[1] | p[2] | p[3] | p[4], HS_ERR_INVALID); /* not Version Negotiation */
    return parse(p, n, 0, true, h);
}

static int hkdf_extract(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t n,
                        uint8_t out[32])
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    HS_ENSURE(md, HS_ERR_CRYPTO);
    return mbedtls_hkdf_extract(md, salt, salt_len, ikm, n, out) == 0 ? HS_OK : HS_ERR_CRYPTO;
}

static int keys_from(uint32_t version, enum hs_aead aead, enum hs_hash hash,
                     const uint8_t *secret, size_t len, struct hs_quic_keys *k)
{
    bool v2 = hs_quic_family(version) == HS_QV_2;
    memset(k, 0, sizeof *k);
    k->aead = aead;
    k->key_len = hs_aead_key_len(aead);
    HS_ENSURE(k->key_len > 0, HS_ERR_UNSUPPORTED);
    HS_ENSURE(len <= sizeof k->secret, HS_ERR_INVALID);
    k->version = version;
    k->hash = hash;
    memcpy(k->secret, secret, len);
    k->secret_len = (unsigned)len;
    HS_TRY(hs_hkdf_expand_label(hash, secret, len, v2 ? "quicv2 key" : "quic key", NULL, 0,
                                k->key, k->key_len));
    HS_TRY(hs_hkdf_expand_label(hash, secret, len, v2 ? "quicv2 iv" : "quic iv", NULL, 0, k->iv,
                                sizeof k->iv));
    HS_TRY(hs_hkdf_expand_label(hash, secret, len, v2 ? "quicv2 hp" : "quic hp", NULL, 0, k->hp,
                                k->key_len));
    k->ready = true;
    return HS_OK;
}

int hs_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                         struct hs_quic_keys *client, struct hs_quic_keys *server)
{
    enum hs_quic_family fam = hs_quic_family(version);
    HS_ENSURE(fam != HS_QV_UNKNOWN, HS_ERR_UNSUPPORTED);
    HS_ENSURE(dcid_len <= HS_QUIC_MAX_CID && (dcid || dcid_len == 0), HS_ERR_INVALID);
    const uint8_t *salt = fam == HS_QV_1 ? salt_v1 : fam == HS_QV_2 ? salt_v2 : salt_d29;
    uint8_t initial[32], secret[32];
    HS_TRY(hkdf_extract(salt, 20, dcid, dcid_len, initial));
    int r = hs_hkdf_expand_label(HS_HASH_SHA256, initial, 32, "client in", NULL, 0, secret, 32);
    if (r == HS_OK)
        r = keys_from(version, HS_AEAD_AES_128_GCM, HS_HASH_SHA256, secret, 32, client);
    if (r == HS_OK)
        r = hs_hkdf_expand_label(HS_HASH_SHA256, initial, 32, "server in", NULL, 0, secret, 32);
    if (r == HS_OK)
        r = keys_from(version, HS_AEAD_AES_128_GCM, HS_HASH_SHA256, secret, 32, server);
    memset(initial, 0, sizeof initial);
    memset(secret, 0, sizeof secret);
    return r;
}

int hs_quic_keys_from_secret(uint32_t version, const struct hs_suite *suite,
                             const uint8_t *secret, size_t len, struct hs_quic_keys *k)
{
    HS_ENSURE(suite && suite->tls13 && secret, HS_ERR_UNSUPPORTED);
    HS_ENSURE(suite->aead == HS_AEAD_AES_128_GCM || suite->aead == HS_AEAD_AES_256_GCM ||
                  suite->aead == HS_AEAD_CHACHA20_POLY1305 || suite->aead == HS_AEAD_AES_128_CCM,
              HS_ERR_UNSUPPORTED);
    return keys_from(version, suite->aead, suite->hash, secret, len, k);
}

int hs_quic_key_update(const struct hs_quic_keys *cur, struct hs_quic_keys *next)
{
    HS_ENSURE(cur && next && cur->ready && cur->secret_len > 0, HS_ERR_INVALID);
    bool v2 = hs_quic_family(cur->version) == HS_QV_2;
    uint8_t secret[64];
    HS_TRY(hs_hkdf_expand_label(cur->hash, cur->secret, cur->secret_len,
                                v2 ? "quicv2 ku" : "quic ku", NULL, 0, secret, cur->secret_len));
    uint8_t hp[32];
    memcpy(hp, cur->hp, sizeof hp);
    int r = keys_from(cur->version, cur->aead, cur->hash, secret, cur->secret_len, next);
    memcpy(next->hp, hp, sizeof hp); /* header protection keys are not updated */
    memset(secret, 0, sizeof secret);
    return r;
}

/* The header protection mask of a 16-byte sample (RFC 9001 5.4.3, 5.4.4). */
static int hp_mask(const struct hs_quic_keys *k, const uint8_t sample[16], uint8_t mask[5])
{
    if (k->aead == HS_AEAD_CHACHA20_POLY1305) {
        uint32_t counter = (uint32_t)sample[0] | (uint32_t)sample[1] << 8 |
                           (uint32_t)sample[2] << 16 | (uint32_t)sample[3] << 24;
        static const uint8_t zero[5];
        return mbedtls_chacha20_crypt(k->hp, sample + 4, counter, 5, zero, mask) == 0
                   ? HS_OK
                   : HS_ERR_CRYPTO;
    }
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    uint8_t block[16] = {0};
    int rc = mbedtls_aes_setkey_enc(&aes, k->hp, k->key_len * 8);
    if (rc == 0)
        rc = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, sample, block);
    mbedtls_aes_free(&aes);
    memcpy(mask, block, 5);
    return rc == 0 ? HS_OK : HS_ERR_CRYPTO;
}

/* The full packet number from its truncated form (RFC 9000 A.3). */
static uint64_t decode_pn(int64_t largest, uint64_t truncated, unsigned bits)
{
    uint64_t expected = largest < 0 ? 0 : (uint64_t)largest + 1;
    uint64_t win = (uint64_t)1 << bits, hwin = win / 2, mask = win - 1;
    uint64_t candidate = (expected & ~mask) | truncated;
    if (candidate + hwin <= expected && candidate < ((uint64_t)1 << 62) - win)
        return candidate + win;
    if (candidate > expected + hwin && candidate >= win)
        return candidate - win;
    return candidate;
}

int hs_quic_open(const struct hs_quic_keys *k, const struct hs_quic_hdr *h, uint8_t *pkt,
                 int64_t largest, uint64_t *pn, uint8_t *out, size_t *out_len)
{
    HS_ENSURE(k && k->ready && h && pkt && out, HS_ERR_INVALID);
    HS_ENSURE(h->type != HS_QPT_RETRY && h->type != HS_QPT_VN, HS_ERR_INVALID);
    /* The sample starts 4 bytes after the packet number's start. */
    HS_ENSURE(h->pn_offset + 4 + 16 <= h->size, HS_ERR_INVALID);
    uint8_t mask[5];
    HS_TRY(hp_mask(k, pkt + h->pn_offset + 4, mask));
    uint8_t first = (uint8_t)(pkt[0] ^ (mask[0] & (h->long_hdr ? 0x0f : 0x1f)));
    unsigned pn_len = (first & 3u) + 1;
    uint64_t trunc = 0;
    for (unsigned i = 0; i < pn_len; i++)
        trunc = trunc << 8 | (uint8_t)(pkt[h->pn_offset + i] ^ mask[1 + i]);
    size_t hdr_len = h->pn_offset + pn_len;
    HS_ENSURE(h->size - hdr_len >= HS_QUIC_TAG, HS_ERR_INVALID);
    pkt[0] = first;
    for (unsigned i = 0; i < pn_len; i++)
        pkt[h->pn_offset + i] ^= mask[1 + i];
    uint64_t full = decode_pn(largest, trunc, 8 * pn_len);
    uint8_t nonce[12];
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(full >> (56 - 8 * i));
    size_t ct_len = h->size - hdr_len - HS_QUIC_TAG;
    HS_TRY(hs_aead_open(k->aead, k->key, k->key_len, nonce, pkt, hdr_len, pkt + hdr_len, ct_len,
                        pkt + hdr_len + ct_len, HS_QUIC_TAG, out));
    *pn = full;
    *out_len = ct_len;
    return HS_OK;
}
