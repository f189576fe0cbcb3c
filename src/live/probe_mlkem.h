/*
 * The probe's ML-KEM-768 encapsulation key (FIPS 203): a well-formed key a server accepts,
 * made of uniformly random coefficients mod q (as the real t-hat is indistinguishable from),
 * ByteEncode12'd, followed by a random 32-byte seed rho.  Nobody holds its decapsulation key:
 * the probe never completes a handshake with it.
 */
#ifndef HS_LIVE_PROBE_MLKEM_H
#define HS_LIVE_PROBE_MLKEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_MLKEM_Q 3329
#define HS_MLKEM_N 256
#define HS_MLKEM768_K 3
#define HS_MLKEM768_EK_LEN (384 * HS_MLKEM768_K + 32) /* 1184 */

/* Fills buf with n random bytes; 0, or non-zero on failure. */
typedef int (*hs_probe_rng)(void *ctx, uint8_t *buf, size_t n);

/* ByteEncode12: n coefficients (n even, each < 4096) into 3n/2 bytes, bits little-endian. */
void hs_mlkem_encode12(const uint16_t *coef, size_t n, uint8_t *out);
/* ByteDecode12: 3n/2 bytes into n coefficients (n even), each < 4096 (not reduced). */
void hs_mlkem_decode12(const uint8_t *in, size_t n, uint16_t *coef);

/* A random encapsulation key into ek; 0, or -1 when rng failed. */
int hs_mlkem768_random_ek(uint8_t ek[HS_MLKEM768_EK_LEN], hs_probe_rng rng, void *ctx);

/* FIPS 203 section 7.2's input check: the length, and every decoded coefficient < q (so that
 * decoding and encoding again gives the same bytes). */
bool hs_mlkem768_ek_valid(const uint8_t *ek, size_t len);

#endif
