/*
 * One captured frame, parsed down to TCP: link layer (Ethernet with 802.1Q/802.1ad VLAN tags,
 * Linux cooked v1/v2, raw IP, BSD loopback, DLT_LOOP, DLT_IPV4/IPV6), IPv4 (options, fragments)
 * or IPv6 (extension headers), TCP (options).  Used by the live tap and the capture reader, so
 * both see the same segments.  Every length is checked against what was captured.
 */
#ifndef HS_PACKET_H
#define HS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP flags. */
#define HS_TCP_FIN 0x01
#define HS_TCP_SYN 0x02
#define HS_TCP_RST 0x04
#define HS_TCP_PSH 0x08
#define HS_TCP_ACK 0x10

/* Link types (the LINKTYPE_* values of pcap files; DLT_* on Linux where they differ). */
#define HS_LINK_NULL 0        /* BSD loopback: 4-byte AF in the writer's byte order */
#define HS_LINK_ETHERNET 1
#define HS_LINK_PPP 9          /* PPP (RFC 1661), with or without HDLC address/control */
#define HS_LINK_RAW 101       /* raw IPv4/IPv6 (also DLT_RAW 12 and 14 seen in old files) */
#define HS_LINK_LOOP 108      /* OpenBSD loopback: AF in network order */
#define HS_LINK_LINUX_SLL 113
#define HS_LINK_IPV4 228
#define HS_LINK_IPV6 229
#define HS_LINK_LINUX_SLL2 276

/* Why a frame is not a usable TCP segment. */
enum hs_packet_status {
    HS_PKT_TCP = 0,       /* a TCP segment: seg is filled */
    HS_PKT_OTHER,         /* not TCP (ARP, UDP, ICMP, ...): ignored */
    HS_PKT_UDP,           /* UDP (reported: DTLS and QUIC are out of scope) */
    HS_PKT_FRAGMENT,      /* an IP fragment (reassembly of IP fragments is not done) */
    HS_PKT_TRUNCATED,     /* cut by the snaplen before the TCP header ended */
    HS_PKT_INVALID,       /* bogus header lengths or versions */
    HS_PKT_UNSUPPORTED,   /* an unknown link type */
};

struct hs_ip_addr {
    uint8_t family;       /* 4 or 6 */
    uint8_t a[16];        /* IPv4 in the first 4 bytes */
};

/* A parsed TCP segment. */
struct hs_tcp_seg {
    double ts;            /* wall-clock seconds (the capture timestamp) */
    uint64_t frame;       /* 1-based frame number in the capture */
    struct hs_ip_addr src, dst;
    uint16_t sport, dport;
    bool from_server;     /* set by the user of the segment (live tap, flow table) */
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t window;      /* as on the wire (unscaled) */
    uint32_t payload;     /* TCP payload bytes captured (data points at them) */
    uint32_t payload_wire;/* TCP payload bytes on the wire (from the IP length); > payload
                             when the snaplen cut the frame */
    uint32_t seg_len;     /* TCP header + payload on the wire */
    int mss;              /* -1 absent */
    int wscale;           /* -1 absent */
    bool sack_permitted;
    bool has_ts;
    uint32_t tsval, tsecr;
    const uint8_t *data;  /* the payload, inside the frame buffer */
};

/* Parses one frame of link type `linktype`; fills seg on HS_PKT_TCP (ts and frame are the
 * caller's and kept; everything else is reset).  Never reads past caplen.  Also filled:
 * src/dst for HS_PKT_FRAGMENT, and src/dst, ports, payload, payload_wire and data for
 * HS_PKT_UDP.  origlen < caplen is taken as caplen. */
enum hs_packet_status hs_packet_parse(int linktype, const uint8_t *p, size_t caplen,
                                      size_t origlen, struct hs_tcp_seg *seg);

/* "1.2.3.4" / "2001:db8::1" into buf (>= 46 bytes). */
void hs_ip_ntop(const struct hs_ip_addr *a, char *buf, size_t n);
/* "1.2.3.4:443" / "[2001:db8::1]:443" into buf (>= 56 bytes). */
void hs_ip_port_str(const struct hs_ip_addr *a, uint16_t port, char *buf, size_t n);
bool hs_ip_equal(const struct hs_ip_addr *x, const struct hs_ip_addr *y);

#endif
