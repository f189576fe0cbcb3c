/* Writing a live trace's packets (and, in pcapng, its secrets) to a capture file. */
#include "saved.h"

#include "../net/pcapwrite.h"
#include "../core/result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool hs_saved_wants_pcapng(const char *path)
{
    size_t n = strlen(path);
    return n >= 7 && strcasecmp(path + n - 7, ".pcapng") == 0;
}

int hs_live_saved_write(const struct hs_live_saved *s, const char *path, bool replace,
                        char *err, size_t errsz)
{
    const struct hs_packets *pk = &s->packets;
    bool ng = hs_saved_wants_pcapng(path);
    struct hs_pcap_writer *w = hs_pcap_create(path, ng, replace, pk->file_linktype, pk->snaplen,
                                              err, errsz);
    if (w == NULL)
        return -1;
    int r = HS_OK;
    /* Before the first packet, so a one-pass reader decrypts with no key log option. */
    if (ng && s->keylog_len > 0)
        r = hs_pcap_write_secrets(w, s->keylog, s->keylog_len);
    for (size_t i = 0; i < pk->n && r == HS_OK; i++)
        r = hs_pcap_write(w, pk->pkt[i].ts, pk->pkt[i].data, pk->pkt[i].caplen,
                          pk->pkt[i].origlen);
    if (r != HS_OK) {
        /* Incomplete: removed (a write error, or a frame over the format's bound). */
        snprintf(err, errsz, "cannot write %s: %s", path,
                 r == HS_ERR_IO ? strerror(errno) : hs_result_name(r));
        hs_pcap_discard(w);
        return -1;
    }
    if (hs_pcap_finish(w) != HS_OK) {
        snprintf(err, errsz, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void hs_live_saved_free(struct hs_live_saved *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->packets.n; i++)
        free(s->packets.pkt[i].data);
    free(s->packets.pkt);
    free(s->keylog);
    free(s);
}
