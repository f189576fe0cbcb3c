/*
 * Record protection with mbedTLS crypto primitives (never its TLS layer): the TLS 1.3 traffic
 * key schedule (RFC 8446 7.1-7.3), the TLS 1.0-1.2 key block (RFC 5246 5 and 6.3, RFC 2246 5
 * and 6.3), AEAD decryption of one record (RFC 8446 5.2-5.3; RFC 5288, 6655, 7905 for TLS
 * 1.2), CBC + HMAC decryption (RFC 5246 6.2.3.2, RFC 4346 6.2.3.2, RFC 2246 6.2.3.2, RFC
 * 7366 encrypt-then-MAC) and stream (RC4) or NULL + HMAC decryption (RFC 5246 6.2.3.1).
 *
 * The build's mbedTLS (3.6, legacy SHA/MD5/AES/DES/Camellia/ARIA/ChaCha modules present) serves
 * md, hkdf, cipher, gcm, ccm and chachapoly without psa_crypto_init();
 * tests/unit/test_protect.c would fail otherwise.
 */
#include "protect.h"

#include <mbedtls/ccm.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/cipher.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include <string.h>

#define TLS13_IV_LEN 12
#define TLS12_SALT_LEN 4      /* GCM/CCM: implicit part of the nonce */
#define TLS12_EXPLICIT_LEN 8  /* GCM/CCM: nonce_explicit at the start of the record body */
#define TLS12_AAD_LEN 13      /* seq(8) type(1) version(2) length(2) */

static const mbedtls_md_info_t *md_for(enum hs_hash h)
{
    return mbedtls_md_info_from_type(h == HS_HASH_SHA384 ? MBEDTLS_MD_SHA384
                                                          : MBEDTLS_MD_SHA256);
}

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void put_u64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* nonce = iv XOR seq, seq big-endian and left-padded to 12 bytes (RFC 8446 5.3, RFC 7905). */
static void xor_nonce(uint8_t nonce[12], const uint8_t iv[12], uint64_t seq)
{
    uint8_t seq_be[8];
    put_u64(seq_be, seq);
    memcpy(nonce, iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= seq_be[i];
}

int hs_hkdf_expand_label(enum hs_hash h, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                         size_t out_len)
{
    static const char prefix[] = "tls13 ";
    HS_ENSURE(secret && label && out && (ctx || ctx_len == 0), HS_ERR_INVALID);
    size_t label_len = strlen(label);
    size_t full_label = sizeof prefix - 1 + label_len;
    /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel */
    HS_ENSURE(full_label >= 7 && full_label <= 255, HS_ERR_INVALID);
    HS_ENSURE(ctx_len <= 255 && out_len >= 1 && out_len <= 0xffff, HS_ERR_INVALID);

    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)full_label;
    /* NOLINTBEGIN(bugprone-not-null-terminated-result): HkdfLabel bytes, not strings */
    memcpy(info + n, prefix, sizeof prefix - 1);
    n += sizeof prefix - 1;
    memcpy(info + n, label, label_len);
    n += label_len;
    /* NOLINTEND(bugprone-not-null-terminated-result) */
    info[n++] = (uint8_t)ctx_len;
    if (ctx_len > 0)
        memcpy(info + n, ctx, ctx_len);
    n += ctx_len;

    const mbedtls_md_info_t *md = md_for(h);
    HS_ENSURE(md, HS_ERR_CRYPTO);
    /* mbedtls_hkdf_expand wants a PRK at least one hash long, as every TLS secret is */
    int r = mbedtls_hkdf_expand(md, secret, secret_len, info, n, out, out_len);
    return r == 0 ? HS_OK : HS_ERR_CRYPTO;
}

/*
 * P_hash (RFC 5246 5) of secret over label + seed into out: A(0) = label + seed,
 * A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) + label + seed) +
 * HMAC(secret, A(2) + label + seed) + ...  With mix set the output is XORed into out (the
 * TLS 1.0 PRF combines two of them).
 */
static int p_hash(mbedtls_md_type_t type, const uint8_t *secret, size_t secret_len,
                  const char *label, const uint8_t *seed, size_t seed_len, uint8_t *out,
                  size_t out_len, bool mix)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(type);
    HS_ENSURE(md, HS_ERR_CRYPTO);
    size_t hlen = mbedtls_md_get_size(md);
    size_t label_len = strlen(label);

    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    uint8_t a[64], block[64];
    int rc = mbedtls_md_setup(&ctx, md, 1);
    if (rc == 0)
        rc = mbedtls_md_hmac_starts(&ctx, secret, secret_len);
    if (rc == 0)
        rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)label, label_len);
    if (rc == 0 && seed_len > 0)
        rc = mbedtls_md_hmac_update(&ctx, seed, seed_len);
    if (rc == 0)
        rc = mbedtls_md_hmac_finish(&ctx, a);

    size_t done = 0;
    while (rc == 0 && done < out_len) {
        rc = mbedtls_md_hmac_reset(&ctx);
        if (rc == 0)
            rc = mbedtls_md_hmac_update(&ctx, a, hlen);
        if (rc == 0)
            rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)label, label_len);
        if (rc == 0 && seed_len > 0)
            rc = mbedtls_md_hmac_update(&ctx, seed, seed_len);
        if (rc == 0)
            rc = mbedtls_md_hmac_finish(&ctx, block);
        if (rc != 0)
            break;
        size_t take = out_len - done < hlen ? out_len - done : hlen;
        for (size_t i = 0; i < take; i++)
            out[done + i] = mix ? (uint8_t)(out[done + i] ^ block[i]) : block[i];
        done += take;
        /* A(i+1) */
        rc = mbedtls_md_hmac_reset(&ctx);
        if (rc == 0)
            rc = mbedtls_md_hmac_update(&ctx, a, hlen);
        if (rc == 0)
            rc = mbedtls_md_hmac_finish(&ctx, a);
    }
    mbedtls_md_free(&ctx);
    wipe(a, sizeof a);
    wipe(block, sizeof block);
    return rc == 0 ? HS_OK : HS_ERR_CRYPTO;
}

int hs_tls12_prf(enum hs_hash h, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    HS_ENSURE(secret && label && out && (seed || seed_len == 0), HS_ERR_INVALID);
    int r = p_hash(h == HS_HASH_SHA384 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA256, secret,
                   secret_len, label, seed, seed_len, out, out_len, false);
    if (r != HS_OK)
        wipe(out, out_len);
    return r;
}

int hs_tls10_prf(const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    HS_ENSURE(secret && label && out && (seed || seed_len == 0), HS_ERR_INVALID);
    /* S1 and S2 are the two halves of the secret, rounded up: they share the middle byte of
     * an odd-length secret. */
    size_t half = secret_len - secret_len / 2;
    int r = p_hash(MBEDTLS_MD_MD5, secret, half, label, seed, seed_len, out, out_len, false);
    if (r == HS_OK)
        r = p_hash(MBEDTLS_MD_SHA1, secret + (secret_len - half), half, label, seed, seed_len,
                   out, out_len, true);
    if (r != HS_OK)
        wipe(out, out_len);
    return r;
}

/* Fills key/iv of a 1.3 state from its secret. */
static int tls13_keys(struct hs_protect *p)
{
    HS_TRY(hs_hkdf_expand_label(p->hash, p->secret, p->secret_len, "key", NULL, 0, p->key,
                                p->key_len));
    HS_TRY(hs_hkdf_expand_label(p->hash, p->secret, p->secret_len, "iv", NULL, 0, p->iv,
                                p->iv_len));
    return HS_OK;
}

int hs_protect_tls13(struct hs_protect *p, const struct hs_suite *s, const uint8_t *secret,
                     size_t len)
{
    HS_ENSURE(p && s && secret, HS_ERR_INVALID);
    HS_ENSURE(s->tls13, HS_ERR_INVALID);
    HS_ENSURE(s->aead != HS_AEAD_NONE, HS_ERR_UNSUPPORTED);
    HS_ENSURE(len == hs_hash_len(s->hash), HS_ERR_INVALID);

    struct hs_protect next = {
        .active = true,
        .aead = s->aead,
        .hash = s->hash,
        .tls13 = true,
        .key_len = hs_aead_key_len(s->aead),
        .iv_len = TLS13_IV_LEN,
        .seq = 0,
        .secret_len = (unsigned)len,
    };
    memcpy(next.secret, secret, len);
    int r = tls13_keys(&next);
    if (r == HS_OK)
        *p = next;
    wipe(&next, sizeof next);
    return r;
}

int hs_protect_tls13_update(struct hs_protect *p)
{
    HS_ENSURE(p && p->active && p->tls13, HS_ERR_INVALID);
    struct hs_protect next = *p;
    /* application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length) */
    int r = hs_hkdf_expand_label(p->hash, p->secret, p->secret_len, "traffic upd", NULL, 0,
                                 next.secret, p->secret_len);
    if (r == HS_OK)
        r = tls13_keys(&next);
    if (r == HS_OK) {
        next.seq = 0;
        *p = next;
    }
    wipe(&next, sizeof next);
    return r;
}

/* TLS 1.2 AEAD suites: the key block holds the write keys and IVs (salts), no MAC keys. */
static int keys12_aead(struct hs_protect *client, struct hs_protect *server,
                       const struct hs_suite *s, const uint8_t master[48],
                       const uint8_t seed[64])
{
    unsigned key_len = hs_aead_key_len(s->aead);
    unsigned iv_len = s->aead == HS_AEAD_CHACHA20_POLY1305 ? 12 : TLS12_SALT_LEN;

    /* key_block = PRF(master, "key expansion", server_random + client_random), cut into
     * client_write_key, server_write_key, client_write_IV, server_write_IV. */
    uint8_t block[2 * 32 + 2 * 12];
    size_t block_len = 2 * (size_t)key_len + 2 * (size_t)iv_len;
    int r = hs_tls12_prf(s->hash, master, 48, "key expansion", seed, 64, block, block_len);
    if (r != HS_OK)
        return r;

    struct hs_protect c = {
        .active = true, .aead = s->aead, .hash = s->hash, .tls13 = false,
        .key_len = key_len, .iv_len = iv_len, .seq = 0,
    };
    struct hs_protect sv = c;
    memcpy(c.key, block, key_len);
    memcpy(sv.key, block + key_len, key_len);
    memcpy(c.iv, block + 2 * key_len, iv_len);
    memcpy(sv.iv, block + 2 * key_len + iv_len, iv_len);
    *client = c;
    *server = sv;
    wipe(&c, sizeof c);
    wipe(&sv, sizeof sv);
    wipe(block, sizeof block);
    return HS_OK;
}

/* CBC, RC4 and NULL suites: the key block is client_write_MAC_key, server_write_MAC_key,
 * client_write_key, server_write_key, client_write_IV, server_write_IV (RC4: no IVs; NULL: no
 * keys either).  Only TLS 1.0's CBC uses the IVs: 1.1 and 1.2 carry one in each record (the
 * block's tail is then unused, so its length does not matter).  encrypt_then_mac applies to
 * CBC suites only (RFC 7366 3). */
static int keys12_block(struct hs_protect *client, struct hs_protect *server,
                        const struct hs_suite *s, enum hs_stream sc, enum hs_mac mac,
                        uint16_t version, bool etm, const uint8_t master[48],
                        const uint8_t seed[64])
{
    unsigned mac_len = hs_mac_len(mac), bs = hs_cbc_block_len(s->cbc);
    unsigned key_len = sc != HS_STREAM_NONE ? hs_stream_key_len(sc) : hs_cbc_key_len(s->cbc);
    HS_ENSURE(mac_len > 0 && (sc != HS_STREAM_NONE || (key_len > 0 && bs > 0)),
              HS_ERR_UNSUPPORTED);
    uint8_t block[2 * 48 + 2 * 32 + 2 * 16];
    size_t block_len = 2 * ((size_t)mac_len + key_len + bs);
    int r = version == 0x0303
                ? hs_tls12_prf(s->hash, master, 48, "key expansion", seed, 64, block, block_len)
                : hs_tls10_prf(master, 48, "key expansion", seed, 64, block, block_len);
    if (r != HS_OK)
        return r;

    bool cbc = sc == HS_STREAM_NONE;
    struct hs_protect c = {
        .active = true, .aead = HS_AEAD_NONE, .hash = s->hash, .tls13 = false,
        .key_len = key_len, .iv_len = bs, .seq = 0, .cbc = s->cbc, .mac = mac,
        .mac_key_len = mac_len, .etm = etm && cbc, .explicit_iv = cbc && version >= 0x0302,
        .stream = sc,
    };
    struct hs_protect sv = c;
    const uint8_t *b = block;
    memcpy(c.mac_key, b, mac_len);
    memcpy(sv.mac_key, b + mac_len, mac_len);
    b += 2 * (size_t)mac_len;
    memcpy(c.key, b, key_len);
    memcpy(sv.key, b + key_len, key_len);
    b += 2 * (size_t)key_len;
    memcpy(c.iv, b, bs);
    memcpy(sv.iv, b + bs, bs);
    if (sc == HS_STREAM_RC4_128) {
        hs_rc4_init(&c.rc4, c.key, key_len);
        hs_rc4_init(&sv.rc4, sv.key, key_len);
    }
    *client = c;
    *server = sv;
    wipe(&c, sizeof c);
    wipe(&sv, sizeof sv);
    wipe(block, sizeof block);
    return HS_OK;
}

int hs_protect_tls12(struct hs_protect *client, struct hs_protect *server,
                     const struct hs_suite *s, uint16_t version, bool encrypt_then_mac,
                     const uint8_t master[48], const uint8_t client_random[32],
                     const uint8_t server_random[32])
{
    HS_ENSURE(client && server && s && master && client_random && server_random,
              HS_ERR_INVALID);
    HS_ENSURE(!s->tls13, HS_ERR_INVALID);
    uint8_t seed[64];
    memcpy(seed, server_random, 32);
    memcpy(seed + 32, client_random, 32);
    if (s->aead != HS_AEAD_NONE)
        return keys12_aead(client, server, s, master, seed);
    enum hs_mac stream_mac;
    enum hs_stream sc = hs_suite_stream(s, &stream_mac);
    HS_ENSURE((s->cbc != HS_CBC_NONE || sc != HS_STREAM_NONE) &&
                  hs_suite_why_opaque(s, version) == NULL,
              HS_ERR_UNSUPPORTED);
    return keys12_block(client, server, s, sc, sc != HS_STREAM_NONE ? stream_mac : s->mac,
                        version, encrypt_then_mac, master, seed);
}

/* One AEAD open; HS_ERR_CRYPTO for a bad tag (or a library error). */
static int aead_open(enum hs_aead a, const uint8_t *key, unsigned key_len,
                     const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                     const uint8_t *ct, size_t ct_len, const uint8_t *tag, unsigned tag_len,
                     uint8_t *out)
{
    int rc = -1;
    switch (a) {
    case HS_AEAD_AES_128_GCM:
    case HS_AEAD_AES_256_GCM: {
        mbedtls_gcm_context gcm;
        mbedtls_gcm_init(&gcm);
        rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, key_len * 8);
        if (rc == 0)
            rc = mbedtls_gcm_auth_decrypt(&gcm, ct_len, nonce, 12, aad, aad_len, tag, tag_len,
                                          ct, out);
        mbedtls_gcm_free(&gcm);
        break;
    }
    case HS_AEAD_AES_128_CCM:
    case HS_AEAD_AES_128_CCM_8:
    case HS_AEAD_AES_256_CCM:
    case HS_AEAD_AES_256_CCM_8: {
        mbedtls_ccm_context ccm;
        mbedtls_ccm_init(&ccm);
        rc = mbedtls_ccm_setkey(&ccm, MBEDTLS_CIPHER_ID_AES, key, key_len * 8);
        if (rc == 0)
            rc = mbedtls_ccm_auth_decrypt(&ccm, ct_len, nonce, 12, aad, aad_len, ct, out, tag,
                                          tag_len);
        mbedtls_ccm_free(&ccm);
        break;
    }
    case HS_AEAD_CHACHA20_POLY1305: {
        mbedtls_chachapoly_context cp;
        mbedtls_chachapoly_init(&cp);
        rc = mbedtls_chachapoly_setkey(&cp, key);
        if (rc == 0)
            rc = mbedtls_chachapoly_auth_decrypt(&cp, ct_len, nonce, aad, aad_len, tag, ct,
                                                 out);
        mbedtls_chachapoly_free(&cp);
        break;
    }
    case HS_AEAD_NONE:
        break;
    }
    return rc == 0 ? HS_OK : HS_ERR_CRYPTO;
}

static mbedtls_cipher_type_t cbc_type(enum hs_cbc c)
{
    switch (c) {
    case HS_CBC_AES_128: return MBEDTLS_CIPHER_AES_128_CBC;
    case HS_CBC_AES_256: return MBEDTLS_CIPHER_AES_256_CBC;
    case HS_CBC_3DES: return MBEDTLS_CIPHER_DES_EDE3_CBC;
    case HS_CBC_CAMELLIA_128: return MBEDTLS_CIPHER_CAMELLIA_128_CBC;
    case HS_CBC_CAMELLIA_256: return MBEDTLS_CIPHER_CAMELLIA_256_CBC;
    case HS_CBC_ARIA_128: return MBEDTLS_CIPHER_ARIA_128_CBC;
    case HS_CBC_ARIA_256: return MBEDTLS_CIPHER_ARIA_256_CBC;
    case HS_CBC_NONE: break;
    }
    return MBEDTLS_CIPHER_NONE;
}

static mbedtls_md_type_t mac_type(enum hs_mac m)
{
    switch (m) {
    case HS_MAC_SHA1: return MBEDTLS_MD_SHA1;
    case HS_MAC_SHA256: return MBEDTLS_MD_SHA256;
    case HS_MAC_SHA384: return MBEDTLS_MD_SHA384;
    case HS_MAC_MD5: return MBEDTLS_MD_MD5;
    case HS_MAC_NONE: break;
    }
    return MBEDTLS_MD_NONE;
}

/* CBC-decrypts whole blocks (no padding removal: TLS padding is checked by the caller). */
static int cbc_decrypt(const struct hs_protect *p, const uint8_t *iv, const uint8_t *ct,
                       size_t len, uint8_t *out)
{
    const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(cbc_type(p->cbc));
    HS_ENSURE(info, HS_ERR_CRYPTO);
    mbedtls_cipher_context_t ctx;
    mbedtls_cipher_init(&ctx);
    size_t olen = 0;
    int rc = mbedtls_cipher_setup(&ctx, info);
    if (rc == 0)
        rc = mbedtls_cipher_setkey(&ctx, p->key, (int)(p->key_len * 8), MBEDTLS_DECRYPT);
    if (rc == 0)
        rc = mbedtls_cipher_set_padding_mode(&ctx, MBEDTLS_PADDING_NONE);
    if (rc == 0)
        rc = mbedtls_cipher_crypt(&ctx, iv, p->iv_len, ct, len, out, &olen);
    mbedtls_cipher_free(&ctx);
    return rc == 0 && olen == len ? HS_OK : HS_ERR_CRYPTO;
}

/* HMAC(mac_key, seq_num + type + version + length + data) with length = len (RFC 5246
 * 6.2.3.1; RFC 7366 3 puts IV + ciphertext in data). */
static int record_mac(const struct hs_protect *p, const uint8_t hdr[5], const uint8_t *data,
                      size_t len, uint8_t out[48])
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(mac_type(p->mac));
    HS_ENSURE(md && mbedtls_md_get_size(md) == p->mac_key_len, HS_ERR_CRYPTO);
    uint8_t pre[TLS12_AAD_LEN];
    put_u64(pre, p->seq);
    pre[8] = hdr[0];
    pre[9] = hdr[1];
    pre[10] = hdr[2];
    pre[11] = (uint8_t)(len >> 8);
    pre[12] = (uint8_t)len;
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = mbedtls_md_setup(&ctx, md, 1);
    if (rc == 0)
        rc = mbedtls_md_hmac_starts(&ctx, p->mac_key, p->mac_key_len);
    if (rc == 0)
        rc = mbedtls_md_hmac_update(&ctx, pre, sizeof pre);
    if (rc == 0 && len > 0)
        rc = mbedtls_md_hmac_update(&ctx, data, len);
    if (rc == 0)
        rc = mbedtls_md_hmac_finish(&ctx, out);
    mbedtls_md_free(&ctx);
    return rc == 0 ? HS_OK : HS_ERR_CRYPTO;
}

/*
 * GenericBlockCipher (RFC 5246 6.2.3.2): [IV] ENC(content + MAC + padding + padding_length),
 * or with encrypt_then_mac [IV] ENC(content + padding + padding_length) + MAC.  TLS 1.0 has
 * no IV in the record: it continues the CBC chain from the previous record.
 */
static int cbc_open(struct hs_protect *p, const uint8_t hdr[5], const uint8_t *body,
                    size_t body_len, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    size_t bs = hs_cbc_block_len(p->cbc), mac_len = hs_mac_len(p->mac);
    HS_ENSURE(bs > 0 && bs <= sizeof p->iv && bs == p->iv_len && mac_len > 0 &&
                  mac_len == p->mac_key_len, HS_ERR_INVALID);
    HS_ENSURE(body_len <= 0xffff, HS_ERR_INVALID); /* what a record header can say */
    size_t iv_len = p->explicit_iv ? bs : 0;
    size_t tail = p->etm ? mac_len : 0;
    /* At least one block after the IV: it holds padding_length at the least. */
    HS_ENSURE(body_len >= iv_len + bs + tail, HS_ERR_INVALID);
    size_t ct_len = body_len - iv_len - tail;
    HS_ENSURE(ct_len % bs == 0, HS_ERR_INVALID);
    const uint8_t *iv = p->explicit_iv ? body : p->iv;
    const uint8_t *ct = body + iv_len;
    uint8_t mac[48];
    int r;

    if (p->etm) {
        /* Authenticate first (RFC 7366 3): the length is that of IV + ciphertext. */
        r = record_mac(p, hdr, body, iv_len + ct_len, mac);
        if (r == HS_OK && mbedtls_ct_memcmp(mac, body + iv_len + ct_len, mac_len) != 0)
            r = HS_ERR_CRYPTO;
        if (r != HS_OK)
            return r;
    }
    HS_TRY(cbc_decrypt(p, iv, ct, ct_len, out));

    /* padding_length, then that many bytes of padding before it, each holding the same value
     * (RFC 2246 too; only SSL 3.0 left them arbitrary). */
    size_t pad = out[ct_len - 1];
    size_t trailer = pad + 1 + (p->etm ? 0 : mac_len);
    if (trailer > ct_len)
        return HS_ERR_CRYPTO;
    unsigned bad = 0;
    for (size_t i = ct_len - 1 - pad; i < ct_len - 1; i++)
        bad |= out[i] ^ (unsigned)pad;
    if (bad != 0)
        return HS_ERR_CRYPTO;
    size_t content = ct_len - trailer;
    if (!p->etm) {
        /* MAC-then-encrypt: the MAC follows the content, over the content's length. */
        r = record_mac(p, hdr, out, content, mac);
        if (r == HS_OK && mbedtls_ct_memcmp(mac, out + content, mac_len) != 0)
            r = HS_ERR_CRYPTO;
        if (r != HS_OK)
            return r;
    }
    if (!p->explicit_iv)
        memcpy(p->iv, ct + ct_len - bs, bs); /* the next record's IV */
    p->seq++;
    *inner_type = hdr[0];
    *out_len = content;
    return HS_OK;
}

/*
 * GenericStreamCipher (RFC 5246 6.2.3.1): ENC(content + MAC), the MAC over the content's
 * length; NULL suites send content + MAC as they are.  The RC4 state moves on only when the
 * record authenticates (on failure nothing changes).
 */
static int stream_open(struct hs_protect *p, const uint8_t hdr[5], const uint8_t *body,
                       size_t body_len, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    size_t mac_len = hs_mac_len(p->mac);
    HS_ENSURE(mac_len > 0 && mac_len == p->mac_key_len, HS_ERR_INVALID);
    HS_ENSURE(body_len >= mac_len && body_len <= 0xffff, HS_ERR_INVALID);
    struct hs_rc4 next = p->rc4;
    if (p->stream == HS_STREAM_RC4_128)
        hs_rc4_crypt(&next, body, out, body_len);
    else
        memcpy(out, body, body_len);
    size_t content = body_len - mac_len;
    uint8_t mac[48];
    int r = record_mac(p, hdr, out, content, mac);
    if (r == HS_OK && mbedtls_ct_memcmp(mac, out + content, mac_len) != 0)
        r = HS_ERR_CRYPTO;
    if (r == HS_OK) {
        p->rc4 = next;
        p->seq++;
        *inner_type = hdr[0];
        *out_len = content;
    }
    wipe(&next, sizeof next);
    return r;
}

int hs_protect_decrypt(struct hs_protect *p, const uint8_t hdr[5], const uint8_t *body,
                       size_t body_len, uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
    HS_ENSURE(p && hdr && (body || body_len == 0) && out && out_len && inner_type,
              HS_ERR_INVALID);
    HS_ENSURE(p->active && (p->aead != HS_AEAD_NONE ||
                            (!p->tls13 && (p->cbc != HS_CBC_NONE || p->stream != HS_STREAM_NONE))),
              HS_ERR_INVALID);
    HS_ENSURE(p->seq != UINT64_MAX, HS_ERR_LIMIT); /* the sequence number may not wrap */
    if (p->aead == HS_AEAD_NONE && p->stream != HS_STREAM_NONE)
        return stream_open(p, hdr, body, body_len, out, out_len, inner_type);
    if (p->aead == HS_AEAD_NONE)
        return cbc_open(p, hdr, body, body_len, out, out_len, inner_type);
    unsigned tag_len = hs_aead_tag_len(p->aead);
    uint8_t nonce[12];

    if (p->tls13) {
        /* TLSCiphertext.encrypted_record = AEAD(TLSInnerPlaintext); AAD = the header.
         * The inner plaintext holds at least its content type. */
        HS_ENSURE(body_len > tag_len, HS_ERR_INVALID);
        size_t ct_len = body_len - tag_len;
        xor_nonce(nonce, p->iv, p->seq);
        HS_TRY(aead_open(p->aead, p->key, p->key_len, nonce, hdr, 5, body, ct_len,
                         body + ct_len, tag_len, out));
        /* The record authenticated, so it is consumed whatever it holds. */
        p->seq++;
        size_t i = ct_len;
        while (i > 0 && out[i - 1] == 0)
            i--;
        if (i == 0)
            return HS_ERR_INVALID; /* all padding, no content type (RFC 8446 5.4) */
        *inner_type = out[i - 1];
        *out_len = i - 1;
        return HS_OK;
    }

    /* TLS 1.2 GenericAEADCipher */
    size_t explicit_len = p->aead == HS_AEAD_CHACHA20_POLY1305 ? 0 : TLS12_EXPLICIT_LEN;
    HS_ENSURE(body_len >= explicit_len + tag_len, HS_ERR_INVALID);
    size_t ct_len = body_len - explicit_len - tag_len;
    HS_ENSURE(ct_len <= 0xffff, HS_ERR_INVALID);
    if (explicit_len > 0) {
        memcpy(nonce, p->iv, TLS12_SALT_LEN); /* salt || nonce_explicit */
        memcpy(nonce + TLS12_SALT_LEN, body, TLS12_EXPLICIT_LEN);
    } else {
        xor_nonce(nonce, p->iv, p->seq);
    }
    uint8_t aad[TLS12_AAD_LEN];
    put_u64(aad, p->seq);
    aad[8] = hdr[0];
    aad[9] = hdr[1];
    aad[10] = hdr[2];
    aad[11] = (uint8_t)(ct_len >> 8);
    aad[12] = (uint8_t)ct_len;
    HS_TRY(aead_open(p->aead, p->key, p->key_len, nonce, aad, sizeof aad, body + explicit_len,
                     ct_len, body + explicit_len + ct_len, tag_len, out));
    p->seq++;
    *inner_type = hdr[0];
    *out_len = ct_len;
    return HS_OK;
}

int hs_aead_open(enum hs_aead a, const uint8_t *key, unsigned key_len, const uint8_t nonce[12],
                 const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len,
                 const uint8_t *tag, unsigned tag_len, uint8_t *out)
{
    HS_ENSURE(key && nonce && (aad || aad_len == 0) && (ct || ct_len == 0) && tag && out,
              HS_ERR_INVALID);
    return aead_open(a, key, key_len, nonce, aad, aad_len, ct, ct_len, tag, tag_len, out);
}
