/*
 * RFC 8879 certificate compression: the CompressedCertificate message's body back into the
 * Certificate message it stands for.  Browsers offer it and large servers use it (brotli),
 * so without it a capture from a browser shows no certificate chain at all.
 *
 * The output buffer is exactly the announced uncompressed_length, which the caller has
 * already bounded; a stream that would write past it, or stop short of it, is refused
 * (RFC 8879 4: a mismatch is a bad_certificate), so no input can make this grow memory.
 */
#include "certcomp.h"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

const char *hs_certcomp_name(uint16_t alg)
{
    switch (alg) {
    case HS_CERTCOMP_ZLIB: return "zlib";
    case HS_CERTCOMP_BROTLI: return "brotli";
    case HS_CERTCOMP_ZSTD: return "zstd";
    default: return NULL;
    }
}

static enum hs_certcomp_result inflate_zlib(const uint8_t *in, size_t n, uint8_t *out, size_t want)
{
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return HS_CERTCOMP_CORRUPT;
    enum hs_certcomp_result res = HS_CERTCOMP_CORRUPT;
    /* zlib counts in uInt: feed and drain in pieces it can hold. */
    size_t in_off = 0, out_off = 0;
    for (;;) {
        size_t in_left = n - in_off, out_left = want - out_off;
        z.next_in = (Bytef *)(uintptr_t)(in + in_off);
        z.avail_in = (uInt)(in_left > UINT32_MAX ? UINT32_MAX : in_left);
        z.next_out = out + out_off;
        z.avail_out = (uInt)(out_left > UINT32_MAX ? UINT32_MAX : out_left);
        uInt in_before = z.avail_in, out_before = z.avail_out;
        int r = inflate(&z, Z_NO_FLUSH);
        in_off += in_before - z.avail_in;
        out_off += out_before - z.avail_out;
        if (r == Z_STREAM_END) {
            res = out_off == want ? HS_CERTCOMP_OK : HS_CERTCOMP_LENGTH;
            break;
        }
        if (r != Z_OK) {
            res = r == Z_BUF_ERROR && out_off == want ? HS_CERTCOMP_LENGTH : HS_CERTCOMP_CORRUPT;
            break;
        }
        if (out_off == want && z.avail_out == 0) {
            /* Full: the stream must end here, with nothing more to write. */
            uint8_t probe;
            z.next_out = &probe;
            z.avail_out = 1;
            r = inflate(&z, Z_NO_FLUSH);
            res = r == Z_STREAM_END && z.avail_out == 1 ? HS_CERTCOMP_OK : HS_CERTCOMP_LENGTH;
            break;
        }
        if (in_before == z.avail_in && out_before == z.avail_out) {
            res = HS_CERTCOMP_CORRUPT; /* no progress: the input ended early */
            break;
        }
    }
    inflateEnd(&z);
    return res;
}

static enum hs_certcomp_result inflate_brotli(const uint8_t *in, size_t n, uint8_t *out,
                                              size_t want)
{
    BrotliDecoderState *s = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (s == NULL)
        return HS_CERTCOMP_CORRUPT;
    size_t in_left = n, out_left = want;
    const uint8_t *next_in = in;
    uint8_t *next_out = out;
    BrotliDecoderResult r =
        BrotliDecoderDecompressStream(s, &in_left, &next_in, &out_left, &next_out, NULL);
    enum hs_certcomp_result res;
    if (r == BROTLI_DECODER_RESULT_SUCCESS)
        res = out_left == 0 ? HS_CERTCOMP_OK : HS_CERTCOMP_LENGTH;
    else if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT)
        res = HS_CERTCOMP_LENGTH;
    else
        res = HS_CERTCOMP_CORRUPT;
    BrotliDecoderDestroyInstance(s);
    return res;
}

static enum hs_certcomp_result inflate_zstd(const uint8_t *in, size_t n, uint8_t *out, size_t want)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();
    if (z == NULL)
        return HS_CERTCOMP_CORRUPT;
    ZSTD_inBuffer ib = {in, n, 0};
    ZSTD_outBuffer ob = {out, want, 0};
    enum hs_certcomp_result res = HS_CERTCOMP_CORRUPT;
    for (;;) {
        size_t in_pos = ib.pos, out_pos = ob.pos;
        size_t r = ZSTD_decompressStream(z, &ob, &ib);
        if (ZSTD_isError(r))
            break;
        if (r == 0) { /* a frame ended */
            res = ob.pos == want ? HS_CERTCOMP_OK : HS_CERTCOMP_LENGTH;
            break;
        }
        if (ob.pos == want) {
            /* Full but the frame goes on: it holds more than announced. */
            uint8_t probe;
            ZSTD_outBuffer pb = {&probe, 1, 0};
            r = ZSTD_decompressStream(z, &pb, &ib);
            res = !ZSTD_isError(r) && r == 0 && pb.pos == 0 ? HS_CERTCOMP_OK
                                                             : HS_CERTCOMP_LENGTH;
            break;
        }
        if (ib.pos == in_pos && ob.pos == out_pos)
            break; /* no progress: the input ended early */
    }
    ZSTD_freeDCtx(z);
    return res;
}

enum hs_certcomp_result hs_certcomp_decompress(uint16_t alg, const uint8_t *in, size_t n,
                                               uint8_t *out, size_t want)
{
    switch (alg) {
    case HS_CERTCOMP_ZLIB: return inflate_zlib(in, n, out, want);
    case HS_CERTCOMP_BROTLI: return inflate_brotli(in, n, out, want);
    case HS_CERTCOMP_ZSTD: return inflate_zstd(in, n, out, want);
    default: return HS_CERTCOMP_UNKNOWN;
    }
}

const char *hs_certcomp_result_text(enum hs_certcomp_result r)
{
    switch (r) {
    case HS_CERTCOMP_OK: return "ok";
    case HS_CERTCOMP_UNKNOWN: return "unknown algorithm";
    case HS_CERTCOMP_LENGTH: return "not the announced uncompressed_length";
    case HS_CERTCOMP_CORRUPT: default: return "corrupt compressed data";
    }
}
