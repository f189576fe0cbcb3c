/* RC4 (see rc4.h): the key-scheduling algorithm, then the keystream generator. */
#include "rc4.h"

void hs_rc4_init(struct hs_rc4 *st, const uint8_t *key, size_t key_len)
{
    for (unsigned k = 0; k < 256; k++)
        st->s[k] = (uint8_t)k;
    uint8_t j = 0;
    for (unsigned k = 0; k < 256 && key_len > 0; k++) {
        j = (uint8_t)(j + st->s[k] + key[k % key_len]);
        uint8_t t = st->s[k];
        st->s[k] = st->s[j];
        st->s[j] = t;
    }
    st->i = 0;
    st->j = 0;
}

void hs_rc4_crypt(struct hs_rc4 *st, const uint8_t *in, uint8_t *out, size_t n)
{
    uint8_t i = st->i, j = st->j;
    for (size_t k = 0; k < n; k++) {
        i = (uint8_t)(i + 1);
        j = (uint8_t)(j + st->s[i]);
        uint8_t t = st->s[i];
        st->s[i] = st->s[j];
        st->s[j] = t;
        out[k] = in[k] ^ st->s[(uint8_t)(st->s[i] + st->s[j])];
    }
    st->i = i;
    st->j = j;
}
