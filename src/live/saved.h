/*
 * What a live trace captured, kept so that it can be written after the trace: the raw
 * packets and the session's key log.  `-w` writes it at once; the interactive view keeps it
 * for its "save" key.
 */
#ifndef HS_SAVED_H
#define HS_SAVED_H

#include "tap.h"

#include <stdbool.h>
#include <stddef.h>

struct hs_live_saved {
    struct hs_packets packets; /* owned */
    char *keylog;              /* NSS key log text, or NULL */
    size_t keylog_len;
};

/* True when path names a pcapng file (".pcapng", any case); else pcap. */
bool hs_saved_wants_pcapng(const char *path);

/* Writes the packets to path: pcapng (key log in a Decryption Secrets Block before the
 * first packet) or pcap, by the name; an existing file is replaced only when `replace`.
 * 0, or -1 with the reason in err. */
int hs_live_saved_write(const struct hs_live_saved *s, const char *path, bool replace,
                        char *err, size_t errsz);

void hs_live_saved_free(struct hs_live_saved *s);

#endif
