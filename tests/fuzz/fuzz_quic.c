/*
 * QUIC packet parsing (tls/quic.h) on arbitrary bytes: the header (every connection ID
 * length a short header may have, and the v1 layout of an unknown version), the frames of a
 * payload with the CRYPTO callback, the transport parameters extension, and an open attempt
 * with fixed keys (header protection and packet number recovery on hostile headers).
 * Checks: sizes stay within the input, CRYPTO data within the payload, the frames line ends
 * inside its buffer, a parameter list is an array.
 */
#include "fuzz_common.h"

#include "tls/msg.h"
#include "tls/quic.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
    const uint8_t *p;
    size_t n;
};

static void on_crypto(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
    const struct span *s = ctx;
    (void)off;
    FUZZ_CHECK(p >= s->p && n <= s->n && (size_t)(p - s->p) <= s->n - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hs_quic_keys keys;
    if (!keys.ready) {
        static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
        struct hs_quic_keys server;
        FUZZ_CHECK(hs_quic_initial_keys(1, dcid, 8, &keys, &server) == HS_OK);
    }
    struct hs_quic_hdr h;
    for (size_t dl = 0; dl <= HS_QUIC_MAX_CID; dl += 4) {
        int r = hs_quic_parse_header(data, size, dl, &h);
        if (r == HS_OK || r == HS_ERR_UNSUPPORTED)
            FUZZ_CHECK(h.size <= size && h.dcid_len <= HS_QUIC_MAX_CID &&
                       h.scid_len <= HS_QUIC_MAX_CID);
        if (r == HS_OK && h.type != HS_QPT_RETRY && h.type != HS_QPT_VN) {
            FUZZ_CHECK(h.pn_offset <= h.size);
            uint8_t *copy = malloc(h.size ? h.size : 1);
            uint8_t *out = malloc(h.size ? h.size : 1);
            memcpy(copy, data, h.size);
            uint64_t pn;
            size_t n = 0;
            if (hs_quic_open(&keys, &h, copy, (int64_t)(size % 1000) - 1, &pn, out, &n) == HS_OK)
                FUZZ_CHECK(n <= h.size);
            free(copy);
            free(out);
        }
    }
    if (hs_quic_parse_header_v1(data, size, &h) == HS_OK)
        FUZZ_CHECK(h.size <= size);

    struct span s = {data, size};
    struct hs_quic_frames f;
    hs_quic_frames(data, size, on_crypto, &s, &f);
    FUZZ_CHECK(memchr(f.line, '\0', sizeof f.line) != NULL);

    struct hs_field *e = hs_field_new_object();
    struct hs_cur c = hs_cur_make(data, size);
    int r = hs_ext_quic_transport_parameters(NULL, &c, HS_EXT_EE, e, NULL);
    FUZZ_CHECK(r == HS_OK || r == HS_ERR_INVALID);
    const struct hs_field *arr = hs_f_get(e, "parameters");
    FUZZ_CHECK(arr && arr->kind == HS_F_ARRAY);
    hs_field_free(e);
    return 0;
}
