/*
 * The live tap's packet socket without a receive ring (rawcap.c): cheap to open where
 * libpcap's ring setup waits for the kernel.  Ethernet, loopback and IP-only interfaces;
 * the others are left to libpcap.
 */
#ifndef HS_LIVE_RAWCAP_H
#define HS_LIVE_RAWCAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define HS_RAWCAP_SNAPLEN 65535 /* bytes of a packet kept (its length is kept whole) */

struct hs_rawcap {
    int fd;         /* -1: not open */
    int linktype;   /* DLT_* of the packets */
    bool loopback;  /* skip the outgoing copy of each packet */
    double last_ts; /* of the packet read last */
    uint8_t buf[HS_RAWCAP_SNAPLEN];
};

enum hs_rawcap_result {
    HS_RAWCAP_OK,
    HS_RAWCAP_DENIED,      /* no permission to capture */
    HS_RAWCAP_FAILED,      /* err says why */
    HS_RAWCAP_UNSUPPORTED, /* a kind of interface for libpcap */
};

/* Opens a socket on device that queues only the packets filter (pcap syntax) keeps. */
enum hs_rawcap_result hs_rawcap_open(struct hs_rawcap *rc, const char *device,
                                     const char *filter, char *err, size_t errsz);

/*
 * Asks the kernel for receive time stamps now, so that they are on when the trace's first
 * packets come.  The kernel turns them on for everyone through deferred work once a socket
 * asks; until then a packet socket is given the time recvmsg() read the packet, which on a
 * loaded machine can be later than the next packet's real stamp.  (libpcap's ring stamps
 * every packet as it arrives.)  Any process may call it, from any thread, any number of
 * times: the socket is opened once and stays open.
 */
void hs_rawcap_stamps_early(void);

typedef void (*hs_rawcap_fn)(void *ctx, double ts, const uint8_t *frame, uint32_t caplen,
                             uint32_t origlen);
/* Gives fn every packet queued now (without waiting); 0, or -1 on a socket error. */
int hs_rawcap_read(struct hs_rawcap *rc, hs_rawcap_fn fn, void *ctx);

#endif
