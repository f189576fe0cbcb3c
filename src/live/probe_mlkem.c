/* The probe's ML-KEM-768 encapsulation key: sampling mod q and FIPS 203's 12-bit encoding. */
#include "probe_mlkem.h"

#include <string.h>

void hs_mlkem_encode12(const uint16_t *coef, size_t n, uint8_t *out)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint16_t a = coef[i] & 0x0fff, b = coef[i + 1] & 0x0fff;
        uint8_t *o = out + 3 * (i / 2);
        o[0] = (uint8_t)(a & 0xff);
        o[1] = (uint8_t)((a >> 8) | ((b & 0x0f) << 4));
        o[2] = (uint8_t)(b >> 4);
    }
}

void hs_mlkem_decode12(const uint8_t *in, size_t n, uint16_t *coef)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        const uint8_t *p = in + 3 * (i / 2);
        coef[i] = (uint16_t)(p[0] | ((p[1] & 0x0f) << 8));
        coef[i + 1] = (uint16_t)((p[1] >> 4) | (p[2] << 4));
    }
}

/*
 * One polynomial of HS_MLKEM_N coefficients uniform mod q: 12-bit candidates from random
 * bytes (two per three bytes, as SampleNTT takes them), those >= q rejected.  About 19% are
 * rejected; the random bytes are drawn in blocks and the loop is bounded.
 */
static int sample_poly(uint16_t *coef, hs_probe_rng rng, void *ctx)
{
    uint8_t buf[168];
    size_t have = 0;
    for (int block = 0; block < 64 && have < HS_MLKEM_N; block++) {
        if (rng(ctx, buf, sizeof buf) != 0)
            return -1;
        for (size_t j = 0; j + 3 <= sizeof buf && have < HS_MLKEM_N; j += 3) {
            uint16_t d1 = (uint16_t)(buf[j] | ((buf[j + 1] & 0x0f) << 8));
            uint16_t d2 = (uint16_t)((buf[j + 1] >> 4) | (buf[j + 2] << 4));
            if (d1 < HS_MLKEM_Q)
                coef[have++] = d1;
            if (d2 < HS_MLKEM_Q && have < HS_MLKEM_N)
                coef[have++] = d2;
        }
    }
    memset(buf, 0, sizeof buf);
    return have == HS_MLKEM_N ? 0 : -1;
}

int hs_mlkem768_random_ek(uint8_t ek[HS_MLKEM768_EK_LEN], hs_probe_rng rng, void *ctx)
{
    uint16_t coef[HS_MLKEM_N];
    for (int k = 0; k < HS_MLKEM768_K; k++) {
        if (sample_poly(coef, rng, ctx) != 0)
            return -1;
        hs_mlkem_encode12(coef, HS_MLKEM_N, ek + 384 * k);
    }
    return rng(ctx, ek + 384 * HS_MLKEM768_K, 32) == 0 ? 0 : -1;
}

bool hs_mlkem768_ek_valid(const uint8_t *ek, size_t len)
{
    if (ek == NULL || len != HS_MLKEM768_EK_LEN)
        return false;
    uint16_t coef[HS_MLKEM_N];
    for (int k = 0; k < HS_MLKEM768_K; k++) {
        hs_mlkem_decode12(ek + 384 * k, HS_MLKEM_N, coef);
        for (size_t i = 0; i < HS_MLKEM_N; i++)
            if (coef[i] >= HS_MLKEM_Q)
                return false;
    }
    return true;
}
