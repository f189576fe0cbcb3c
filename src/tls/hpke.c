/*
 * HPKE (RFC 9180) for a receiver that knows the shared secret: LabeledExtract/LabeledExpand,
 * the DHKEM shared secret (4.1), the mode_base key schedule (5.1) and Open (5.2).
 */
#include "hpke.h"

#include <mbedtls/cipher.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include <string.h>

#define LABELED_MAX 1200 /* "HPKE-v1" + suite id + label + ikm/info */

const char *hs_hpke_kem_name(uint16_t kem)
{
    switch (kem) {
    case 0x0010: return "DHKEM(P-256, HKDF-SHA256)";
    case 0x0011: return "DHKEM(P-384, HKDF-SHA384)";
    case 0x0012: return "DHKEM(P-521, HKDF-SHA512)";
    case 0x0020: return "DHKEM(X25519, HKDF-SHA256)";
    case 0x0021: return "DHKEM(X448, HKDF-SHA512)";
    case 0x0040: return "ML-KEM-512";
    case 0x0041: return "ML-KEM-768";
    case 0x0042: return "ML-KEM-1024";
    case 0x647a: return "X-Wing";
    default: return NULL;
    }
}

const char *hs_hpke_kdf_name(uint16_t kdf)
{
    switch (kdf) {
    case 1: return "HKDF-SHA256";
    case 2: return "HKDF-SHA384";
    case 3: return "HKDF-SHA512";
    default: return NULL;
    }
}

const char *hs_hpke_aead_name(uint16_t aead)
{
    switch (aead) {
    case 1: return "AES-128-GCM";
    case 2: return "AES-256-GCM";
    case 3: return "ChaCha20Poly1305";
    case 0xffff: return "Export-only";
    default: return NULL;
    }
}

size_t hs_hpke_kem_enc_len(uint16_t kem)
{
    switch (kem) {
    case 0x0010: return 65;
    case 0x0011: return 97;
    case 0x0012: return 133;
    case 0x0020: return 32;
    case 0x0021: return 56;
    default: return 0;
    }
}

static mbedtls_md_type_t kdf_md(uint16_t kdf)
{
    switch (kdf) {
    case 1: return MBEDTLS_MD_SHA256;
    case 2: return MBEDTLS_MD_SHA384;
    case 3: return MBEDTLS_MD_SHA512;
    default: return MBEDTLS_MD_NONE;
    }
}

/* The KDF of a DHKEM (its hash names it). */
static uint16_t kem_kdf(uint16_t kem)
{
    switch (kem) {
    case 0x0010: case 0x0020: return 1;
    case 0x0011: return 2;
    case 0x0012: case 0x0021: return 3;
    default: return 0;
    }
}

struct suite_id {
    uint8_t b[10];
    size_t n;
};

static struct suite_id kem_suite(uint16_t kem)
{
    struct suite_id s = {{'K', 'E', 'M', (uint8_t)(kem >> 8), (uint8_t)kem}, 5};
    return s;
}

static struct suite_id hpke_suite(uint16_t kem, uint16_t kdf, uint16_t aead)
{
    struct suite_id s = {{'H', 'P', 'K', 'E', (uint8_t)(kem >> 8), (uint8_t)kem,
                          (uint8_t)(kdf >> 8), (uint8_t)kdf, (uint8_t)(aead >> 8),
                          (uint8_t)aead},
                         10};
    return s;
}

/* "HPKE-v1" || suite_id || label || data into buf; 0 when it does not fit. */
static size_t labeled(uint8_t *buf, size_t cap, const struct suite_id *sid, const char *label,
                      const uint8_t *data, size_t len)
{
    size_t ll = strlen(label);
    if (7 + sid->n + ll + len > cap)
        return 0;
    /* NOLINTBEGIN(bugprone-not-null-terminated-result): labelled bytes, not strings */
    memcpy(buf, "HPKE-v1", 7);
    memcpy(buf + 7, sid->b, sid->n);
    memcpy(buf + 7 + sid->n, label, ll);
    /* NOLINTEND(bugprone-not-null-terminated-result) */
    if (len)
        memcpy(buf + 7 + sid->n + ll, data, len);
    return 7 + sid->n + ll + len;
}

static int labeled_extract(mbedtls_md_type_t md, const struct suite_id *sid, const uint8_t *salt,
                           size_t salt_len, const char *label, const uint8_t *ikm,
                           size_t ikm_len, uint8_t *prk)
{
    uint8_t buf[LABELED_MAX];
    size_t n = labeled(buf, sizeof buf, sid, label, ikm, ikm_len);
    HS_ENSURE(n > 0, HS_ERR_LIMIT);
    const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
    int r = mbedtls_hkdf_extract(mi, salt, salt_len, buf, n, prk);
    memset(buf, 0, sizeof buf);
    return r == 0 ? HS_OK : HS_ERR_CRYPTO;
}

static int labeled_expand(mbedtls_md_type_t md, const struct suite_id *sid, const uint8_t *prk,
                          const char *label, const uint8_t *info, size_t info_len,
                          uint8_t *out, size_t len)
{
    uint8_t buf[LABELED_MAX];
    HS_ENSURE(len <= 0xffff, HS_ERR_INVALID);
    buf[0] = (uint8_t)(len >> 8);
    buf[1] = (uint8_t)len;
    size_t n = labeled(buf + 2, sizeof buf - 2, sid, label, info, info_len);
    HS_ENSURE(n > 0, HS_ERR_LIMIT);
    const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
    int r = mbedtls_hkdf_expand(mi, prk, mbedtls_md_get_size(mi), buf, n + 2, out, len);
    return r == 0 ? HS_OK : HS_ERR_CRYPTO;
}

int hs_hpke_dhkem_secret(uint16_t kem, const uint8_t *dh, size_t dh_len, const uint8_t *enc,
                         size_t enc_len, const uint8_t *pkr, size_t pkr_len, uint8_t *out,
                         size_t outsz, size_t *out_len)
{
    mbedtls_md_type_t md = kdf_md(kem_kdf(kem));
    HS_ENSURE(md != MBEDTLS_MD_NONE, HS_ERR_UNSUPPORTED);
    size_t nh = mbedtls_md_get_size(mbedtls_md_info_from_type(md));
    HS_ENSURE(outsz >= nh && enc_len + pkr_len <= 2 * 133, HS_ERR_INVALID);
    struct suite_id sid = kem_suite(kem);
    uint8_t prk[64], ctx[2 * 133];
    memcpy(ctx, enc, enc_len);
    memcpy(ctx + enc_len, pkr, pkr_len);
    int r = labeled_extract(md, &sid, NULL, 0, "eae_prk", dh, dh_len, prk);
    if (r == HS_OK)
        r = labeled_expand(md, &sid, prk, "shared_secret", ctx, enc_len + pkr_len, out, nh);
    memset(prk, 0, sizeof prk);
    if (r == HS_OK)
        *out_len = nh;
    return r;
}

static size_t aead_key_len(uint16_t aead)
{
    return aead == 1 ? 16 : aead == 2 || aead == 3 ? 32 : 0;
}

int hs_hpke_setup(struct hs_hpke_ctx *cx, uint16_t kem, uint16_t kdf, uint16_t aead,
                  const uint8_t *shared_secret, size_t ss_len, const uint8_t *info,
                  size_t info_len)
{
    mbedtls_md_type_t md = kdf_md(kdf);
    size_t nk = aead_key_len(aead);
    HS_ENSURE(md != MBEDTLS_MD_NONE && nk > 0, HS_ERR_UNSUPPORTED);
    size_t nh = mbedtls_md_get_size(mbedtls_md_info_from_type(md));
    struct suite_id sid = hpke_suite(kem, kdf, aead);
    uint8_t ksc[1 + 2 * 64], secret[64];
    ksc[0] = 0; /* mode_base */
    HS_TRY(labeled_extract(md, &sid, NULL, 0, "psk_id_hash", NULL, 0, ksc + 1));
    HS_TRY(labeled_extract(md, &sid, NULL, 0, "info_hash", info, info_len, ksc + 1 + nh));
    /* RFC 9180 5.1: secret = LabeledExtract(shared_secret, "secret", psk = "") */
    int r = labeled_extract(md, &sid, shared_secret, ss_len, "secret", NULL, 0, secret);
    if (r == HS_OK)
        r = labeled_expand(md, &sid, secret, "key", ksc, 1 + 2 * nh, cx->key, nk);
    if (r == HS_OK)
        r = labeled_expand(md, &sid, secret, "base_nonce", ksc, 1 + 2 * nh, cx->base_nonce, 12);
    memset(secret, 0, sizeof secret);
    if (r != HS_OK)
        return r;
    cx->kem = kem;
    cx->kdf = kdf;
    cx->aead = aead;
    cx->key_len = nk;
    cx->seq = 0;
    return HS_OK;
}

int hs_hpke_open(struct hs_hpke_ctx *cx, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                 size_t ct_len, uint8_t *out, size_t *out_len)
{
    HS_ENSURE(ct_len >= 16, HS_ERR_INVALID);
    mbedtls_cipher_type_t type = cx->aead == 1   ? MBEDTLS_CIPHER_AES_128_GCM
                                 : cx->aead == 2 ? MBEDTLS_CIPHER_AES_256_GCM
                                                 : MBEDTLS_CIPHER_CHACHA20_POLY1305;
    uint8_t nonce[12];
    memcpy(nonce, cx->base_nonce, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(cx->seq >> (8 * i));
    mbedtls_cipher_context_t c;
    mbedtls_cipher_init(&c);
    size_t olen = 0;
    int r = mbedtls_cipher_setup(&c, mbedtls_cipher_info_from_type(type));
    if (r == 0)
        r = mbedtls_cipher_setkey(&c, cx->key, (int)(cx->key_len * 8), MBEDTLS_DECRYPT);
    if (r == 0)
        r = mbedtls_cipher_auth_decrypt_ext(&c, nonce, 12, aad, aad_len, ct, ct_len, out,
                                            ct_len - 16, &olen, 16);
    mbedtls_cipher_free(&c);
    if (r != 0)
        return HS_ERR_CRYPTO;
    *out_len = olen;
    cx->seq++;
    return HS_OK;
}
