/* Finding the ClientHello randoms of a capture: see hellorand.h. */
#include "hellorand.h"

#include "../core/mem.h"
#include "../tls/keylog.h"
#include "../net/packet.h"
#include "pcapread.h"

#include <stdlib.h>
#include <string.h>

static int cmp_random(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* A segment that starts with a handshake record holding a ClientHello: its random. */
static const uint8_t *hello_random(const struct hs_tcp_seg *s)
{
    const uint8_t *p = s->data;
    if (p == NULL || s->payload < 43 || p[0] != 0x16 || p[1] != 3 || p[5] != 1)
        return NULL;
    return p + 11; /* record header 5, handshake header 4, version 2 */
}

int hs_randoms_read(const char *path, struct hs_randoms *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(path, "-") == 0)
        return -1;
    char err[200];
    struct hs_pcap_reader *rd = hs_pcap_open(path, err, sizeof err);
    if (rd == NULL)
        return -1;
    size_t cap = 0;
    struct hs_frame fr;
    while (out->n < HS_KEYLOG_MAX_ENTRIES && hs_pcap_next(rd, &fr) == 1) {
        size_t n;
        (void)hs_pcap_take_secrets(rd, &n); /* only the packets matter here */
        struct hs_tcp_seg seg;
        memset(&seg, 0, sizeof seg);
        if (hs_packet_parse(fr.linktype, fr.data, fr.caplen, fr.origlen, &seg) != HS_PKT_TCP)
            continue;
        const uint8_t *r = hello_random(&seg);
        if (r == NULL)
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            out->r = hs_xrealloc(out->r, cap * sizeof *out->r);
        }
        memcpy(out->r[out->n++], r, 32);
    }
    hs_pcap_close(rd);
    if (out->n > 0)
        qsort(out->r, out->n, sizeof *out->r, cmp_random);
    return 0;
}

bool hs_randoms_has(void *ctx, const uint8_t random[32])
{
    const struct hs_randoms *rs = ctx;
    return rs->n > 0 && bsearch(random, rs->r, rs->n, sizeof *rs->r, cmp_random) != NULL;
}

void hs_randoms_free(struct hs_randoms *rs)
{
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}
