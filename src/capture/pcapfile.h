/*
 * Capture files: a streaming reader of pcap (micro- and nanosecond, either byte order) and
 * pcapng (SHB/IDB/EPB/SPB/OPB, per-interface link type and timestamp resolution, Decryption
 * Secrets Blocks with a TLS key log), and a writer of both.  The reader holds one frame at a
 * time: memory does not grow with the file.
 */
#ifndef HS_PCAPFILE_H
#define HS_PCAPFILE_H

#include "../core/result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HS_PCAP_MAX_FRAME (256u * 1024u)      /* a larger record is an error */
#define HS_PCAP_MAX_BLOCK (16u * 1024u * 1024u) /* a larger pcapng block (e.g. a DSB) too */
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

/* Writing. */
struct hs_pcap_writer;

/* pcapng when `pcapng`, else pcap (microseconds).  NULL on failure with the reason (and no
 * file left behind). */
struct hs_pcap_writer *hs_pcap_create(const char *path, bool pcapng, int linktype,
                                      uint32_t snaplen, char *err, size_t errsz);
/* pcapng only (else HS_ERR_UNSUPPORTED): a Decryption Secrets Block with key log text; write
 * it before the frames it decrypts (tshark reads in one pass). */
int hs_pcap_write_secrets(struct hs_pcap_writer *w, const char *keylog, size_t n) HS_MUST_CHECK;
int hs_pcap_write(struct hs_pcap_writer *w, double ts, const uint8_t *data, uint32_t caplen,
                  uint32_t origlen) HS_MUST_CHECK;
/* Flushes, closes and frees; HS_OK or HS_ERR_IO (then errno says why, and the incomplete
 * file is removed). */
int hs_pcap_finish(struct hs_pcap_writer *w) HS_MUST_CHECK;
/* Closes and frees, removing the file: it could not be completed. */
void hs_pcap_discard(struct hs_pcap_writer *w);

#endif
