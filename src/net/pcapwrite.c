/*
 * The capture writer: classic pcap (microseconds) or pcapng (one section, one interface with
 * nanosecond timestamps, Decryption Secrets Blocks, Enhanced Packet Blocks), in host byte
 * order as both formats allow (readers tell by the magic).
 */
#include "pcapwrite.h"

#include "../core/mem.h"
#include "../core/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define PCAPNG_EPB 6u
#define PCAPNG_DSB 0x0Au
#define PCAPNG_BOM 0x1A2B3C4Du
#define DSB_TLS_KEYLOG 0x544c534bu
#define OPT_SHB_USERAPPL 4
#define OPT_IF_TSRESOL 9

struct hs_pcap_writer {
    FILE *f;
    char *path;      /* removed if it cannot be completed */
    bool ng;
    int first_errno; /* 0 while every write succeeded */
};

static void put(struct hs_pcap_writer *w, const void *p, size_t n)
{
    if (w->first_errno == 0 && n > 0 && fwrite(p, 1, n, w->f) != n)
        w->first_errno = errno ? errno : EIO;
}

/* HS_OK, or HS_ERR_IO with errno set to the first write error. */
static int writer_status(const struct hs_pcap_writer *w)
{
    if (w->first_errno == 0)
        return HS_OK;
    errno = w->first_errno;
    return HS_ERR_IO;
}

static void put16(struct hs_pcap_writer *w, uint16_t v) { put(w, &v, 2); }
static void put32(struct hs_pcap_writer *w, uint32_t v) { put(w, &v, 4); }

static size_t pad4(size_t n) { return (4 - n % 4) % 4; }

static void put_pad(struct hs_pcap_writer *w, size_t n)
{
    static const uint8_t zero[4];
    put(w, zero, pad4(n));
}

/* One pcapng option: code, length, value, padding. */
static void put_option(struct hs_pcap_writer *w, uint16_t code, const void *v, uint16_t len)
{
    put16(w, code);
    put16(w, len);
    put(w, v, len);
    put_pad(w, len);
}

static void write_headers(struct hs_pcap_writer *w, int linktype, uint32_t snaplen)
{
    if (!w->ng) {
        put32(w, PCAP_MAGIC_US);
        put16(w, 2);
        put16(w, 4);
        put32(w, 0); /* timestamps are UTC */
        put32(w, 0);
        put32(w, snaplen);
        put32(w, (uint32_t)linktype);
        return;
    }
    static const char appl[] = "hstrace " HS_VERSION;
    uint16_t alen = (uint16_t)(sizeof appl - 1);
    uint32_t shb_len = 28 + 4 + alen + (uint32_t)pad4(alen) + 4;
    put32(w, PCAPNG_SHB);
    put32(w, shb_len);
    put32(w, PCAPNG_BOM);
    put16(w, 1);
    put16(w, 0);
    put32(w, 0xffffffffu); /* section length: not given */
    put32(w, 0xffffffffu);
    put_option(w, OPT_SHB_USERAPPL, appl, alen);
    put32(w, 0); /* opt_endofopt */
    put32(w, shb_len);

    uint8_t tsresol = 9; /* nanoseconds */
    uint32_t idb_len = 20 + 8 + 4;
    put32(w, PCAPNG_IDB);
    put32(w, idb_len);
    put16(w, (uint16_t)linktype);
    put16(w, 0);
    put32(w, snaplen);
    put_option(w, OPT_IF_TSRESOL, &tsresol, 1);
    put32(w, 0);
    put32(w, idb_len);
}

struct hs_pcap_writer *hs_pcap_create(const char *path, bool pcapng, bool replace, int linktype,
                                      uint32_t snaplen, char *err, size_t errsz)
{
    /* Never over an existing file unless asked (--force), never through a symlink; pcapng may
     * carry the session's secrets (a Decryption Secrets Block): private like a key log. */
    int fd = hs_outfile_open(path, replace ? HS_OUT_REPLACE : HS_OUT_NEW, pcapng ? 0600 : 0644,
                             err, errsz);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (f == NULL) {
        if (fd >= 0) {
            snprintf(err, errsz, "cannot create %s: %s", path, strerror(errno));
            hs_outfile_discard(fd, path);
            close(fd);
        }
        return NULL;
    }
    struct hs_pcap_writer *w = hs_xcalloc(1, sizeof *w);
    w->f = f;
    w->path = hs_xstrdup(path);
    w->ng = pcapng;
    write_headers(w, linktype, snaplen);
    if (w->first_errno == 0 && fflush(f) != 0)
        w->first_errno = errno ? errno : EIO;
    if (w->first_errno) {
        snprintf(err, errsz, "cannot write %s: %s", path, strerror(w->first_errno));
        hs_pcap_discard(w);
        return NULL;
    }
    return w;
}

static void writer_free(struct hs_pcap_writer *w)
{
    free(w->path);
    free(w);
}

void hs_pcap_discard(struct hs_pcap_writer *w)
{
    if (w == NULL)
        return;
    int e = errno;
    (void)hs_outfile_close(w->f, w->path, w->first_errno ? w->first_errno : ECANCELED);
    errno = e; /* the caller may still want to say why */
    writer_free(w);
}

int hs_pcap_write_secrets(struct hs_pcap_writer *w, const char *keylog, size_t n)
{
    if (!w->ng)
        return HS_ERR_UNSUPPORTED;
    if (n > HS_PCAP_MAX_BLOCK - 20 - 3)
        return HS_ERR_LIMIT;
    uint32_t len = (uint32_t)(20 + n + pad4(n));
    put32(w, PCAPNG_DSB);
    put32(w, len);
    put32(w, DSB_TLS_KEYLOG);
    put32(w, (uint32_t)n);
    put(w, keylog, n);
    put_pad(w, n);
    put32(w, len);
    return writer_status(w);
}

int hs_pcap_write(struct hs_pcap_writer *w, double ts, const uint8_t *data, uint32_t caplen,
                  uint32_t origlen)
{
    if (caplen > HS_PCAP_MAX_FRAME)
        return HS_ERR_LIMIT;
    if (origlen < caplen)
        origlen = caplen;
    if (!(ts > 0) || ts > 1e12) /* negative, NaN or absurd: the epoch */
        ts = 0;
    /* A double holds today's epoch to about a quarter microsecond: finer digits would be
     * noise, so both formats get whole microseconds. */
    uint64_t sec = (uint64_t)ts;
    uint64_t usec = (uint64_t)((ts - (double)sec) * 1e6 + 0.5);
    if (usec >= 1000000) {
        sec++;
        usec -= 1000000;
    }
    if (!w->ng) {
        put32(w, (uint32_t)sec);
        put32(w, (uint32_t)usec);
        put32(w, caplen);
        put32(w, origlen);
        put(w, data, caplen);
    } else {
        uint64_t ns = sec * 1000000000u + usec * 1000u;
        uint32_t len = (uint32_t)(32 + caplen + pad4(caplen));
        put32(w, PCAPNG_EPB);
        put32(w, len);
        put32(w, 0); /* interface 0 */
        put32(w, (uint32_t)(ns >> 32));
        put32(w, (uint32_t)ns);
        put32(w, caplen);
        put32(w, origlen);
        put(w, data, caplen);
        put_pad(w, caplen);
        put32(w, len);
    }
    return writer_status(w);
}

int hs_pcap_finish(struct hs_pcap_writer *w)
{
    if (w == NULL)
        return HS_ERR_IO;
    int r = hs_outfile_close(w->f, w->path, w->first_errno);
    writer_free(w);
    return r == 0 ? HS_OK : HS_ERR_IO; /* errno says why */
}
