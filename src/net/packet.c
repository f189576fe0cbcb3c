/* One frame down to TCP: link layer, IP (v4 options and fragments, v6 extension headers), TCP. */
#include "packet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define MAX_IPV6_EXT 16 /* extension headers walked before giving up */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * A region of the frame: `cap` bytes were captured, `wire` existed on the wire (cap <= wire).
 * Needing n bytes at off that are beyond the wire length means the headers lie; beyond only
 * what was captured means the snaplen cut them.
 */
struct region {
    const uint8_t *p;
    size_t cap, wire;
};

static enum hs_packet_status need(const struct region *r, size_t off, size_t n)
{
    if (off > r->wire || n > r->wire - off)
        return HS_PKT_INVALID;
    if (off > r->cap || n > r->cap - off)
        return HS_PKT_TRUNCATED;
    return HS_PKT_TCP; /* fine */
}

#define NEED(r, off, n)                                                                       \
    do {                                                                                      \
        enum hs_packet_status st_ = need((r), (off), (n));                                    \
        if (st_ != HS_PKT_TCP)                                                                \
            return st_;                                                                       \
    } while (0)

/* The region after `off` bytes of r (off <= r->wire). */
static struct region sub(const struct region *r, size_t off)
{
    struct region s = {r->p + off, off <= r->cap ? r->cap - off : 0, r->wire - off};
    if (off > r->cap)
        s.p = r->p + r->cap; /* never dereferenced: cap is 0 */
    return s;
}

/* The address family of a BSD loopback header value. */
static int loop_af(uint32_t v)
{
    if (v == 2)
        return 4;
    if (v == 24 || v == 28 || v == 30) /* AF_INET6 on NetBSD/OpenBSD, FreeBSD, Darwin */
        return 6;
    return 0;
}

static int ethertype_version(uint16_t t)
{
    return t == ETH_IPV4 ? 4 : t == ETH_IPV6 ? 6 : 0;
}

/*
 * The link header: *off gets the IP header's offset, *version 4 or 6, or 0 when the version
 * comes from the IP header itself (raw links).  HS_PKT_TCP means "go on".
 */
static enum hs_packet_status link_layer(int linktype, const struct region *f, size_t *off,
                                        int *version)
{
    *version = 0;
    switch (linktype) {
    case HS_LINK_ETHERNET: {
        NEED(f, 0, 14);
        size_t o = 14;
        uint16_t type = rd16(f->p + 12);
        /* 802.1Q, 802.1ad and the pre-standard QinQ tag, stacked any number of times */
        while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
            NEED(f, o, 4);
            type = rd16(f->p + o + 2);
            o += 4;
        }
        *version = ethertype_version(type);
        if (*version == 0)
            return HS_PKT_OTHER;
        *off = o;
        return HS_PKT_TCP;
    }
    case HS_LINK_LINUX_SLL:
        NEED(f, 0, 16);
        *version = ethertype_version(rd16(f->p + 14));
        *off = 16;
        return *version ? HS_PKT_TCP : HS_PKT_OTHER;
    case HS_LINK_LINUX_SLL2:
        NEED(f, 0, 20);
        *version = ethertype_version(rd16(f->p));
        *off = 20;
        return *version ? HS_PKT_TCP : HS_PKT_OTHER;
    case HS_LINK_NULL: {
        NEED(f, 0, 4);
        int af = loop_af(rd32le(f->p));
        *version = af ? af : loop_af(rd32(f->p));
        *off = 4;
        return *version ? HS_PKT_TCP : HS_PKT_OTHER;
    }
    case HS_LINK_LOOP:
        NEED(f, 0, 4);
        *version = loop_af(rd32(f->p));
        *off = 4;
        return *version ? HS_PKT_TCP : HS_PKT_OTHER;
    case HS_LINK_PPP: {
        /* RFC 1661 (with RFC 1662's address and control bytes when present): a 2-byte
         * protocol, 0x0021 IPv4, 0x0057 IPv6. */
        NEED(f, 0, 2);
        size_t o = f->p[0] == 0xff && f->p[1] == 0x03 ? 2 : 0;
        NEED(f, o, 2);
        uint16_t proto = rd16(f->p + o);
        *version = proto == 0x0021 ? 4 : proto == 0x0057 ? 6 : 0;
        *off = o + 2;
        return *version ? HS_PKT_TCP : HS_PKT_OTHER;
    }
    case HS_LINK_RAW:
    case 12: /* DLT_RAW on most systems */
    case 14: /* DLT_RAW on OpenBSD */
        *off = 0;
        return HS_PKT_TCP;
    case HS_LINK_IPV4:
        *off = 0;
        *version = 4;
        return HS_PKT_TCP;
    case HS_LINK_IPV6:
        *off = 0;
        *version = 6;
        return HS_PKT_TCP;
    default:
        return HS_PKT_UNSUPPORTED;
    }
}

/* TCP options (opt/n: the option bytes, all captured).  Stops at the first malformed one. */
static void tcp_options(struct hs_tcp_seg *s, const uint8_t *opt, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t kind = opt[i];
        if (kind == 0) /* end of options */
            break;
        if (kind == 1) { /* no-op padding */
            i++;
            continue;
        }
        if (2 > n - i)
            break;
        uint8_t len = opt[i + 1];
        if (len < 2 || len > n - i)
            break;
        const uint8_t *v = opt + i + 2;
        if (kind == 2 && len == 4)
            s->mss = rd16(v);
        else if (kind == 3 && len == 3)
            s->wscale = v[0];
        else if (kind == 4 && len == 2)
            s->sack_permitted = true;
        else if (kind == 8 && len == 10) {
            s->has_ts = true;
            s->tsval = rd32(v);
            s->tsecr = rd32(v + 4);
        }
        i += len;
    }
}

/* The transport header in l4 (the IP payload); proto 6 or 17. */
static enum hs_packet_status transport(uint8_t proto, const struct region *l4,
                                       struct hs_tcp_seg *s)
{
    if (proto == 17) {
        NEED(l4, 0, 8);
        s->sport = rd16(l4->p);
        s->dport = rd16(l4->p + 2);
        s->payload = (uint32_t)(l4->cap - 8);
        s->payload_wire = (uint32_t)(l4->wire - 8);
        s->seg_len = (uint32_t)l4->wire;
        s->data = l4->p + 8;
        return HS_PKT_UDP;
    }
    if (proto != 6)
        return HS_PKT_OTHER;
    NEED(l4, 0, 20);
    const uint8_t *t = l4->p;
    size_t thl = (size_t)(t[12] >> 4) * 4;
    if (thl < 20)
        return HS_PKT_INVALID;
    NEED(l4, 0, thl);
    s->sport = rd16(t);
    s->dport = rd16(t + 2);
    s->seq = rd32(t + 4);
    s->ack = rd32(t + 8);
    s->flags = t[13];
    s->window = rd16(t + 14);
    s->seg_len = (uint32_t)l4->wire;
    s->payload_wire = (uint32_t)(l4->wire - thl);
    s->payload = (uint32_t)(l4->cap - thl);
    s->data = t + thl;
    tcp_options(s, t + 20, thl - 20);
    return HS_PKT_TCP;
}

static enum hs_packet_status ipv4(const struct region *ip, struct hs_tcp_seg *s)
{
    NEED(ip, 0, 20);
    const uint8_t *h = ip->p;
    if (h[0] >> 4 != 4)
        return HS_PKT_INVALID;
    size_t ihl = (size_t)(h[0] & 0x0f) * 4;
    size_t total = rd16(h + 2);
    if (total == 0) /* segmentation offload: the length is the frame's */
        total = ip->wire;
    if (ihl < 20 || total < ihl || total > ip->wire)
        return HS_PKT_INVALID;
    NEED(ip, 0, ihl);
    s->src.family = s->dst.family = 4;
    memcpy(s->src.a, h + 12, 4);
    memcpy(s->dst.a, h + 16, 4);
    /* More fragments, or an offset: either way not a whole datagram. */
    if (rd16(h + 6) & 0x3fff)
        return HS_PKT_FRAGMENT;
    /* Bytes past the total length are link padding or a trailer. */
    struct region dgram = {h, ip->cap < total ? ip->cap : total, total};
    struct region l4 = sub(&dgram, ihl);
    return transport(h[9], &l4, s);
}

static enum hs_packet_status ipv6(const struct region *ip, struct hs_tcp_seg *s)
{
    NEED(ip, 0, 40);
    const uint8_t *h = ip->p;
    if (h[0] >> 4 != 6)
        return HS_PKT_INVALID;
    size_t plen = rd16(h + 4);
    if (plen == 0) /* a jumbogram or segmentation offload: the length is the frame's */
        plen = ip->wire - 40;
    if (plen > ip->wire - 40)
        return HS_PKT_INVALID;
    size_t total = 40 + plen;
    s->src.family = s->dst.family = 6;
    memcpy(s->src.a, h + 8, 16);
    memcpy(s->dst.a, h + 24, 16);
    struct region dgram = {h, ip->cap < total ? ip->cap : total, total};
    uint8_t next = h[6];
    size_t off = 40;
    for (int k = 0;; k++) {
        size_t len;
        if (next == 0 || next == 43 || next == 60) { /* hop-by-hop, routing, destination */
            NEED(&dgram, off, 2);
            len = ((size_t)h[off + 1] + 1) * 8;
        } else if (next == 51) { /* authentication header: length in 4-byte units */
            NEED(&dgram, off, 2);
            len = ((size_t)h[off + 1] + 2) * 4;
        } else if (next == 44) {
            return HS_PKT_FRAGMENT;
        } else {
            break; /* TCP, UDP, ESP (opaque), no next header, anything else */
        }
        if (k >= MAX_IPV6_EXT || len > total - off)
            return HS_PKT_INVALID;
        next = h[off];
        off += len;
    }
    struct region l4 = sub(&dgram, off);
    return transport(next, &l4, s);
}

enum hs_packet_status hs_packet_parse(int linktype, const uint8_t *p, size_t caplen,
                                      size_t origlen, struct hs_tcp_seg *seg)
{
    double ts = seg->ts;
    uint64_t frame = seg->frame;
    memset(seg, 0, sizeof *seg);
    seg->ts = ts;
    seg->frame = frame;
    seg->mss = -1;
    seg->wscale = -1;

    struct region f = {p, caplen, origlen > caplen ? origlen : caplen};
    size_t off = 0;
    int version;
    enum hs_packet_status st = link_layer(linktype, &f, &off, &version);
    if (st != HS_PKT_TCP)
        return st;
    struct region ip = sub(&f, off);
    if (version == 0) {
        NEED(&ip, 0, 1);
        version = ip.p[0] >> 4;
    }
    if (version == 4)
        return ipv4(&ip, seg);
    if (version == 6)
        return ipv6(&ip, seg);
    return HS_PKT_INVALID;
}

void hs_ip_ntop(const struct hs_ip_addr *a, char *buf, size_t n)
{
    if (n == 0)
        return;
    char tmp[INET6_ADDRSTRLEN];
    const char *r = NULL;
    if (a->family == 4)
        r = inet_ntop(AF_INET, a->a, tmp, sizeof tmp);
    else if (a->family == 6)
        r = inet_ntop(AF_INET6, a->a, tmp, sizeof tmp);
    snprintf(buf, n, "%s", r ? r : "?");
}

void hs_ip_port_str(const struct hs_ip_addr *a, uint16_t port, char *buf, size_t n)
{
    char ip[INET6_ADDRSTRLEN];
    hs_ip_ntop(a, ip, sizeof ip);
    if (a->family == 6)
        snprintf(buf, n, "[%s]:%u", ip, port);
    else
        snprintf(buf, n, "%s:%u", ip, port);
}

bool hs_ip_equal(const struct hs_ip_addr *x, const struct hs_ip_addr *y)
{
    if (x->family != y->family)
        return false;
    return memcmp(x->a, y->a, x->family == 4 ? 4 : 16) == 0;
}
