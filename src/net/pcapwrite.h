/*
 * Writing capture files: pcap (microseconds) or pcapng with the TLS secrets in a Decryption
 * Secrets Block, for the live trace's -w and the interactive view's save.  The size limits
 * are the format's as hstrace reads it back (capture/pcapread.h).
 */
#ifndef HS_PCAPWRITE_H
#define HS_PCAPWRITE_H

#include "../core/result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_PCAP_MAX_FRAME (256u * 1024u)      /* a larger record is an error */
#define HS_PCAP_MAX_BLOCK (16u * 1024u * 1024u) /* a larger pcapng block (e.g. a DSB) too */

struct hs_pcap_writer;

/* pcapng when `pcapng`, else pcap (microseconds); an existing file is replaced only when
 * `replace` (core/outfile.h).  NULL on failure with the reason (and no file left behind). */
struct hs_pcap_writer *hs_pcap_create(const char *path, bool pcapng, bool replace, int linktype,
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
