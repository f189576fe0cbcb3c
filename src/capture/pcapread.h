/*
 * Capture files: a streaming reader of pcap (micro- and nanosecond, either byte order) and
 * pcapng (SHB/IDB/EPB/SPB/OPB, per-interface link type and timestamp resolution, Decryption
 * Secrets Blocks with a TLS key log).  The reader holds one frame at a time: memory does not
 * grow with the file.  The writer and the format's size limits are in net/pcapwrite.h.
 */
#ifndef HS_PCAPREAD_H
#define HS_PCAPREAD_H

#include "../core/result.h"
#include "../net/pcapwrite.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HS_PCAP_MAX_IFACES 256

/* One frame, valid until the next call. */
struct hs_frame {
    uint64_t number;      /* 1-based */
    double ts;            /* seconds since the epoch */
    int linktype;         /* LINKTYPE_* of its interface */
    uint32_t caplen, origlen;
    const uint8_t *data;
};

struct hs_pcap_reader;

/* Opens path ("-" = stdin).  NULL on failure with the reason in err. */
struct hs_pcap_reader *hs_pcap_open(const char *path, char *err, size_t errsz);
void hs_pcap_close(struct hs_pcap_reader *r);

/*
 * The next frame: 1 (frame filled), 0 (end of file), or < 0 (an hs_result: the file is
 * truncated or corrupt; hs_pcap_error() says how and where; what was read before stays valid).
 */
int hs_pcap_next(struct hs_pcap_reader *r, struct hs_frame *f);
const char *hs_pcap_error(const struct hs_pcap_reader *r);
bool hs_pcap_is_pcapng(const struct hs_pcap_reader *r);

/*
 * Key log text found in Decryption Secrets Blocks since the last call (type TLS key log),
 * appended in file order; *n gets its length (the text is also NUL-terminated).  The pointer
 * stays valid until the next hs_pcap_next.  Returns NULL when there is none new.
 * hs_pcap_next reads every block up to the next frame, so after it returns frame K the DSBs
 * that came before frame K are here: take them before decoding frame K (and once more after
 * the end, for DSBs after the last frame).
 */
const char *hs_pcap_take_secrets(struct hs_pcap_reader *r, size_t *n);

#endif
