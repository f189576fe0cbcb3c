/*
 * The capture reader: pcap and pcapng, one record or block at a time, read with read(2) into
 * one large window that the frames point into (no stdio buffer, no second copy).
 * Every length in the file is checked before it is used; a short file is "truncated at byte N",
 * a lying one "corrupt", and both keep what was returned before.
 */
#include "pcapread.h"

#include "../core/infile.h"
#include "../core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define PCAPNG_OPB 2u  /* the obsolete Packet Block */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define PCAPNG_DSB 0x0Au
#define PCAPNG_BOM 0x1A2B3C4Du
#define DSB_TLS_KEYLOG 0x544c534bu
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14
#define SECRETS_MAX (4u * HS_PCAP_MAX_BLOCK) /* key log text held, not yet taken */
#define WINDOW (256u * 1024u) /* bytes read at once; grows for a larger block */

/* One pcapng interface: its link type and how its timestamps count. */
struct iface {
    int linktype;
    uint32_t snaplen;
    uint64_t ticks_per_s; /* 0 when it does not fit: then per_s is used */
    double per_s;
    int64_t offset_s;     /* if_tsoffset */
};

struct hs_pcap_reader {
    int fd;
    bool own_file;
    bool ng;
    bool big;             /* the file (pcap) or the current section (pcapng) is big-endian */
    bool nsec;            /* pcap: nanosecond timestamps */
    bool modified;        /* pcap: the old "modified" format with 24-byte record headers */
    int linktype;         /* pcap */
    struct iface ifs[HS_PCAP_MAX_IFACES];
    size_t nif;
    double last_ts;       /* for Simple Packet Blocks, which have none */

    uint64_t off;         /* bytes consumed from the file */
    uint64_t frames;      /* frames returned */
    uint8_t *win;         /* bytes read from the file: [pos, len) not consumed yet */
    size_t cap, pos, len;
    bool eof;

    int status;           /* HS_OK, or the error every later call returns */
    char err[256];

    char *sec;            /* key log text from DSBs */
    size_t sec_len, sec_cap, sec_taken;
};

static uint16_t get16(const struct hs_pcap_reader *r, const uint8_t *p)
{
    return r->big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* p points into the read window (take() never hands out NULL for a byte it took). */
/* NOLINTBEGIN(clang-analyzer-core.NullDereference) */
static uint32_t get32(const struct hs_pcap_reader *r, const uint8_t *p)
{
    if (r->big)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
/* NOLINTEND(clang-analyzer-core.NullDereference) */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

__attribute__((format(printf, 3, 4))) static int fail(struct hs_pcap_reader *r, int code,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    r->status = code;
    return code;
}

/*
 * Makes the next n bytes contiguous in the window and consumes them: *out points at them
 * until the next read.  HS_OK; 1 when the file ended cleanly before the first byte and eof_ok;
 * else an error (a short read is truncation).  n is bounded by the callers (a block's checked
 * length at most).
 */
static int take(struct hs_pcap_reader *r, size_t n, bool eof_ok, const uint8_t **out)
{
    if (r->win == NULL) { /* the window is made on the first read */
        r->win = hs_xmalloc(WINDOW);
        r->cap = WINDOW;
        r->pos = r->len = 0;
    }
    if (r->len - r->pos < n) {
        size_t have = r->len - r->pos;
        if (n > r->cap) {
            uint8_t *w = hs_xmalloc(n > WINDOW ? n : WINDOW);
            if (have)
                memcpy(w, r->win + r->pos, have);
            free(r->win);
            r->win = w;
            r->cap = n > WINDOW ? n : WINDOW;
        } else if (r->pos > 0 && have) {
            memmove(r->win, r->win + r->pos, have);
        }
        r->pos = 0;
        r->len = have;
        while (r->len < n && !r->eof) {
            ssize_t k = read(r->fd, r->win + r->len, r->cap - r->len);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                int err = errno;
                r->off += r->len;
                r->pos = r->len;
                return fail(r, HS_ERR_IO, "read error at byte %llu: %s",
                            (unsigned long long)r->off, strerror(err));
            }
            if (k == 0)
                r->eof = true;
            r->len += (size_t)k;
        }
        if (r->len < n) {
            size_t got = r->len;
            r->off += got;
            r->pos = r->len;
            if (got == 0 && eof_ok)
                return 1;
            return fail(r, HS_ERR_TRUNCATED, "truncated at byte %llu in frame %llu",
                        (unsigned long long)r->off, (unsigned long long)r->frames + 1);
        }
    }
    *out = r->win + r->pos;
    r->pos += n;
    r->off += n;
    return HS_OK;
}

/* take() into dst (small headers). */
static int read_exact(struct hs_pcap_reader *r, void *dst, size_t n, bool eof_ok)
{
    const uint8_t *p = NULL;
    int e = take(r, n, eof_ok, &p);
    if (e == HS_OK && n > 0)
        memcpy(dst, p, n); // NOLINT(clang-analyzer-core.NonNullParamChecker): take() set p
    return e;
}

/* ---- pcap ---- */

static int pcap_header(struct hs_pcap_reader *r, const uint8_t magic[4])
{
    static const struct { uint32_t magic; bool nsec, modified; } kinds[] = {
        {0xa1b2c3d4u, false, false},
        {0xa1b23c4du, true, false},
        {0xa1b2cd34u, false, true},
    };
    bool known = false;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !known; i++) {
        if (le32(magic) == kinds[i].magic || be32(magic) == kinds[i].magic) {
            r->big = be32(magic) == kinds[i].magic;
            r->nsec = kinds[i].nsec;
            r->modified = kinds[i].modified;
            known = true;
        }
    }
    if (!known)
        return HS_ERR_UNSUPPORTED;
    uint8_t h[20];
    HS_TRY(read_exact(r, h, sizeof h, false));
    uint16_t major = get16(r, h);
    if (major != 2)
        return fail(r, HS_ERR_UNSUPPORTED, "pcap version %u is not supported", major);
    /* The upper bits of the link type field carry FCS information. */
    r->linktype = (int)(get32(r, h + 16) & 0x03FFFFFFu);
    return HS_OK;
}

static int pcap_next_record(struct hs_pcap_reader *r, struct hs_frame *f)
{
    uint8_t h[24];
    size_t hlen = r->modified ? 24 : 16;
    int e = read_exact(r, h, hlen, true);
    if (e != HS_OK)
        return e == 1 ? 0 : e;
    uint32_t sec = get32(r, h), frac = get32(r, h + 4);
    uint32_t caplen = get32(r, h + 8), origlen = get32(r, h + 12);
    if (caplen > HS_PCAP_MAX_FRAME)
        return fail(r, HS_ERR_LIMIT,
                    "corrupt record at byte %llu (frame %llu): captured length %u is over %u",
                    (unsigned long long)(r->off - hlen), (unsigned long long)r->frames + 1,
                    caplen, HS_PCAP_MAX_FRAME);
    const uint8_t *data = NULL;
    HS_TRY(take(r, caplen, false, &data));
    f->number = ++r->frames;
    f->ts = (double)sec + (double)frac / (r->nsec ? 1e9 : 1e6);
    f->linktype = r->linktype;
    f->caplen = caplen;
    f->origlen = origlen;
    f->data = data;
    return 1;
}

/* ---- pcapng ---- */

static double ticks_to_s(const struct iface *i, uint64_t t)
{
    /* NOLINTNEXTLINE(bugprone-integer-division): whole seconds, then the remainder */
    double s = i->ticks_per_s ? (double)(t / i->ticks_per_s) +
                                    (double)(t % i->ticks_per_s) / (double)i->ticks_per_s
                              : (double)t / i->per_s;
    return s + (double)i->offset_s;
}

/* The options of an IDB: only if_tsresol and if_tsoffset matter here. */
static void idb_options(const struct hs_pcap_reader *r, struct iface *i, const uint8_t *p,
                        size_t n)
{
    size_t off = 0;
    while (4 <= n - off) {
        uint16_t code = get16(r, p + off), len = get16(r, p + off + 2);
        off += 4;
        if (code == 0 || len > n - off)
            break;
        const uint8_t *v = p + off;
        if (code == OPT_IF_TSRESOL && len == 1) {
            unsigned e = v[0] & 0x7f;
            bool pow2 = v[0] & 0x80;
            double per = 1;
            uint64_t ticks = 1;
            for (unsigned k = 0; k < e; k++) {
                per *= pow2 ? 2 : 10;
                /* exact while it fits in 64 bits */
                ticks = ticks && ticks <= UINT64_MAX / 10 ? ticks * (pow2 ? 2 : 10) : 0;
            }
            i->per_s = per;
            i->ticks_per_s = ticks;
        } else if (code == OPT_IF_TSOFFSET && len == 8) {
            uint64_t hi = get32(r, v), lo = get32(r, v + 4);
            /* Stored as one 64-bit number in the section's byte order. */
            uint64_t x = r->big ? hi << 32 | lo : lo << 32 | hi;
            i->offset_s = (int64_t)x;
        }
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if (padded > n - off)
            break;
        off += padded;
    }
}

static int add_secrets(struct hs_pcap_reader *r, const uint8_t *p, size_t n)
{
    if (n > SECRETS_MAX - r->sec_len)
        return fail(r, HS_ERR_LIMIT, "more than %u bytes of key log in Decryption Secrets Blocks",
                    SECRETS_MAX);
    if (r->sec_len + n + 1 > r->sec_cap) {
        size_t c = r->sec_cap ? r->sec_cap : 4096;
        while (c < r->sec_len + n + 1)
            c *= 2;
        r->sec = hs_xrealloc(r->sec, c);
        r->sec_cap = c;
    }
    memcpy(r->sec + r->sec_len, p, n);
    r->sec_len += n;
    r->sec[r->sec_len] = '\0';
    return HS_OK;
}

/* The Section Header Block after its type: byte order, length, version; interfaces reset. */
static int read_shb(struct hs_pcap_reader *r, const uint8_t len_raw[4], uint64_t start)
{
    uint8_t bom[4];
    HS_TRY(read_exact(r, bom, 4, false));
    if (le32(bom) == PCAPNG_BOM)
        r->big = false;
    else if (be32(bom) == PCAPNG_BOM)
        r->big = true;
    else
        return fail(r, HS_ERR_INVALID, "corrupt section header at byte %llu: bad byte-order magic",
                    (unsigned long long)start);
    uint32_t len = get32(r, len_raw);
    if (len % 4 != 0 || len < 28 || len > HS_PCAP_MAX_BLOCK)
        return fail(r, HS_ERR_INVALID, "corrupt section header at byte %llu: length %u",
                    (unsigned long long)start, len);
    const uint8_t *b = NULL;
    HS_TRY(take(r, len - 12, false, &b));
    if (get32(r, b + len - 16) != len)
        return fail(r, HS_ERR_INVALID,
                    "corrupt section header at byte %llu: trailing length differs",
                    (unsigned long long)start);
    uint16_t major = get16(r, b);
    if (major != 1)
        return fail(r, HS_ERR_UNSUPPORTED, "pcapng version %u is not supported", major);
    r->nif = 0;
    return HS_OK;
}

/* The frame of an EPB/OPB/SPB body (after the block header); 1, or an error. */
static int packet_block(struct hs_pcap_reader *r, uint32_t type, const uint8_t *b, size_t n,
                        uint64_t start, struct hs_frame *f)
{
    uint32_t ifid, caplen, origlen;
    uint64_t ticks = 0;
    size_t hdr;
    if (type == PCAPNG_SPB) {
        hdr = 4;
        if (n < hdr)
            goto short_block;
        ifid = 0;
        origlen = get32(r, b);
        caplen = origlen;
        if (r->nif > 0 && r->ifs[0].snaplen && caplen > r->ifs[0].snaplen)
            caplen = r->ifs[0].snaplen;
        if (caplen > n - hdr)
            caplen = (uint32_t)(n - hdr);
    } else {
        hdr = 20;
        if (n < hdr)
            goto short_block;
        ifid = type == PCAPNG_EPB ? get32(r, b) : get16(r, b);
        ticks = (uint64_t)get32(r, b + 4) << 32 | get32(r, b + 8);
        caplen = get32(r, b + 12);
        origlen = get32(r, b + 16);
        if (caplen > n - hdr)
            return fail(r, HS_ERR_INVALID,
                        "corrupt block at byte %llu (frame %llu): captured length %u exceeds "
                        "the block",
                        (unsigned long long)start, (unsigned long long)r->frames + 1, caplen);
    }
    if (ifid >= r->nif)
        return fail(r, HS_ERR_INVALID,
                    "corrupt block at byte %llu (frame %llu): interface %u was not described",
                    (unsigned long long)start, (unsigned long long)r->frames + 1, ifid);
    if (caplen > HS_PCAP_MAX_FRAME)
        return fail(r, HS_ERR_LIMIT,
                    "corrupt block at byte %llu (frame %llu): captured length %u is over %u",
                    (unsigned long long)start, (unsigned long long)r->frames + 1, caplen,
                    HS_PCAP_MAX_FRAME);
    const struct iface *i = &r->ifs[ifid];
    if (type != PCAPNG_SPB)
        r->last_ts = ticks_to_s(i, ticks);
    f->number = ++r->frames;
    f->ts = r->last_ts;
    f->linktype = i->linktype;
    f->caplen = caplen;
    f->origlen = origlen;
    f->data = b + hdr;
    return 1;

short_block:
    return fail(r, HS_ERR_INVALID, "corrupt block at byte %llu (frame %llu): too short",
                (unsigned long long)start, (unsigned long long)r->frames + 1);
}

/* Blocks until the next packet: 1 (frame filled), 0 (end), or an error. */
static int pcapng_next_block(struct hs_pcap_reader *r, struct hs_frame *f)
{
    for (;;) {
        uint64_t start = r->off;
        uint8_t h[8];
        int e = read_exact(r, h, sizeof h, true);
        if (e != HS_OK)
            return e == 1 ? 0 : e;
        if (be32(h) == PCAPNG_SHB) { /* the same bytes in either order */
            HS_TRY(read_shb(r, h + 4, start));
            continue;
        }
        uint32_t type = get32(r, h), len = get32(r, h + 4);
        if (len % 4 != 0 || len < 12 || len > HS_PCAP_MAX_BLOCK)
            return fail(r, HS_ERR_INVALID,
                        "corrupt block at byte %llu (frame %llu): length %u",
                        (unsigned long long)start, (unsigned long long)r->frames + 1, len);
        const uint8_t *b = NULL;
        HS_TRY(take(r, len - 8, false, &b));
        size_t n = len - 12; /* the body */
        if (get32(r, b + n) != len)
            return fail(r, HS_ERR_INVALID,
                        "corrupt block at byte %llu (frame %llu): trailing length differs",
                        (unsigned long long)start, (unsigned long long)r->frames + 1);
        switch (type) {
        case PCAPNG_IDB: {
            if (n < 8)
                return fail(r, HS_ERR_INVALID, "corrupt interface block at byte %llu",
                            (unsigned long long)start);
            if (r->nif == HS_PCAP_MAX_IFACES)
                return fail(r, HS_ERR_LIMIT, "more than %u interfaces in a section",
                            HS_PCAP_MAX_IFACES);
            struct iface *i = &r->ifs[r->nif++];
            *i = (struct iface){.linktype = get16(r, b), .snaplen = get32(r, b + 4),
                                .ticks_per_s = 1000000, .per_s = 1e6};
            idb_options(r, i, b + 8, n - 8);
            break;
        }
        case PCAPNG_EPB:
        case PCAPNG_OPB:
        case PCAPNG_SPB:
            return packet_block(r, type, b, n, start, f);
        case PCAPNG_DSB: {
            if (n < 8)
                return fail(r, HS_ERR_INVALID, "corrupt secrets block at byte %llu",
                            (unsigned long long)start);
            uint32_t stype = get32(r, b), slen = get32(r, b + 4);
            if (slen > n - 8)
                return fail(r, HS_ERR_INVALID,
                            "corrupt secrets block at byte %llu: length %u exceeds the block",
                            (unsigned long long)start, slen);
            if (stype == DSB_TLS_KEYLOG)
                HS_TRY(add_secrets(r, b + 8, slen));
            break;
        }
        default: /* statistics, name resolution, custom blocks: not needed */
            break;
        }
    }
}

/* ---- the public face ---- */

struct hs_pcap_reader *hs_pcap_open(const char *path, char *err, size_t errsz)
{
    int fd = STDIN_FILENO;
    bool own = strcmp(path, "-") != 0;
    if (own) {
        /* A regular file: a FIFO with no writer would block here (a pipe goes to "-"). */
        fd = hs_infile_open(path, err, errsz);
        if (fd < 0 && errno == EINVAL) {
            size_t k = strlen(err);
            snprintf(err + k, errsz - k, " (to read a pipe, give it on standard input: -r -)");
        }
        if (fd < 0)
            return NULL;
    }
    struct hs_pcap_reader *r = hs_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_file = own;

    uint8_t m[8];
    int e = read_exact(r, m, 4, true);
    if (e == 1) {
        snprintf(err, errsz, "%s is empty", path);
        goto fail;
    }
    if (e != HS_OK) {
        snprintf(err, errsz, "%s: %s", path, r->err);
        goto fail;
    }
    if (be32(m) == PCAPNG_SHB) {
        r->ng = true;
        e = read_exact(r, m + 4, 4, false);
        if (e == HS_OK)
            e = read_shb(r, m + 4, 0);
    } else {
        e = pcap_header(r, m);
        if (e == HS_ERR_UNSUPPORTED && r->status == HS_OK) {
            if (m[0] == 0x1f && m[1] == 0x8b)
                snprintf(err, errsz, "%s is compressed (gzip): decompress it first", path);
            else
                snprintf(err, errsz,
                         "%s is not a pcap or pcapng file (it starts with %02x %02x %02x %02x)",
                         path, m[0], m[1], m[2], m[3]);
            goto fail;
        }
    }
    if (e != HS_OK) {
        snprintf(err, errsz, "%s: %s", path, r->err);
        goto fail;
    }
    return r;

fail:
    hs_pcap_close(r);
    return NULL;
}

void hs_pcap_close(struct hs_pcap_reader *r)
{
    if (r == NULL)
        return;
    if (r->own_file)
        close(r->fd);
    free(r->win);
    free(r->sec);
    free(r);
}

int hs_pcap_next(struct hs_pcap_reader *r, struct hs_frame *f)
{
    if (r->status != HS_OK)
        return r->status;
    /* The text handed out by hs_pcap_take_secrets lives until now. */
    if (r->sec_taken) {
        memmove(r->sec, r->sec + r->sec_taken, r->sec_len - r->sec_taken);
        r->sec_len -= r->sec_taken;
        r->sec_taken = 0;
    }
    return r->ng ? pcapng_next_block(r, f) : pcap_next_record(r, f);
}

const char *hs_pcap_error(const struct hs_pcap_reader *r)
{
    return r->status != HS_OK ? r->err : NULL;
}

bool hs_pcap_is_pcapng(const struct hs_pcap_reader *r)
{
    return r->ng;
}

const char *hs_pcap_take_secrets(struct hs_pcap_reader *r, size_t *n)
{
    if (r->sec_len == r->sec_taken) {
        *n = 0;
        return NULL;
    }
    const char *p = r->sec + r->sec_taken;
    *n = r->sec_len - r->sec_taken;
    r->sec_taken = r->sec_len;
    return p;
}
