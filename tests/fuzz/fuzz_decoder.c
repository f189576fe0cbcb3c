/*
 * The TLS record/handshake decoder, both directions, with and without keys.
 *
 * Input: byte 0 = mode, then chunks of ctl(1) len(2, big-endian) data(len), the last one cut
 * to what is left.  ctl bit 0: the direction (1 = server); ctl & 0x0e == 0x0e: a capture gap
 * of len bytes (no data follows); ctl bit 6: in mode 2, the key log arrives before this chunk;
 * ctl bit 5 with bit 7: hs_decoder_no_more_keys before this chunk.
 * Mode & 3: 0 no key log, 1 the key log from the start, 2 an empty key log filled later
 * (hs_decoder_keys_changed), 3 a key log with the right client randoms but wrong secrets.
 * Mode >> 2 picks the text view's options.  The key log holds the secrets of the seed
 * sessions (fuzz_keys.h: RFC 8448 and loopback captures), so their records decrypt.
 */
#include "fuzz_common.h"
#include "fuzz_keys.h"

#include "core/trace.h"
#include "tls/decoder.h"
#include "tls/keylog.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static struct hs_keylog *dec_keys_right, *dec_keys_wrong;

static void dec_load_keys(struct hs_keylog *kl)
{
    size_t bad = 0;
    FUZZ_CHECK(hs_keylog_parse(kl, fuzz_keylog_text, strlen(fuzz_keylog_text), &bad, NULL) == HS_OK);
    FUZZ_CHECK(bad == 0);
}

/* The same lines with the first secret digit changed: keys found, decryption fails. */
static void dec_load_wrong_keys(struct hs_keylog *kl)
{
    const char *p = fuzz_keylog_text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char line[512];
        if (n < sizeof line) {
            memcpy(line, p, n);
            line[n] = '\0';
            char *secret = strrchr(line, ' ');
            if (secret && secret[1])
                secret[1] = secret[1] == '0' ? '1' : '0';
            FUZZ_CHECK(hs_keylog_parse_line(kl, line, n) == HS_OK);
        }
        p += n + (end != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dec_keys_right == NULL) {
        dec_keys_right = hs_keylog_new();
        dec_keys_wrong = hs_keylog_new();
        dec_load_keys(dec_keys_right);
        dec_load_wrong_keys(dec_keys_wrong);
    }
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    struct hs_keylog *late = NULL, *kl = NULL;
    switch (mode & 3) {
    case 1: kl = dec_keys_right; break;
    case 2: kl = late = hs_keylog_new(); break;
    case 3: kl = dec_keys_wrong; break;
    default: break;
    }

    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, kl);
    size_t off = 1;
    double t_ms = 0;
    uint64_t frame = 1;
    while (size - off >= 3) {
        uint8_t ctl = data[off];
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        enum hs_side from = (ctl & 1) ? HS_SERVER : HS_CLIENT;
        t_ms += 0.25;
        if (late && (ctl & 0x40) && hs_keylog_count(late) == 0) {
            dec_load_keys(late);
            hs_decoder_keys_changed(d);
        }
        if ((ctl & 0xa0) == 0xa0)
            hs_decoder_no_more_keys(d);
        if ((ctl & 0x0e) == 0x0e) {
            hs_decoder_gap(d, from, t_ms, len);
            continue;
        }
        if (len > size - off)
            len = size - off;
        hs_decoder_feed(d, from, t_ms, data + off, len, frame++);
        off += len;
        (void)hs_decoder_not_tls(d, from);
    }
    (void)hs_decoder_client_random(d);
    hs_decoder_finish(d, t_ms + 1);
    hs_decoder_free(d);

    fuzz_render(t, mode >> 2);
    hs_trace_free(t);
    hs_keylog_free(late);
    return 0;
}
