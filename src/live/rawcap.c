/*
 * A packet socket without a ring, for the live tap on Ethernet, loopback and IP-only (tun)
 * interfaces.  libpcap maps a receive ring into every Linux handle, and setting up the ring
 * waits for an RCU grace period (~25 ms) before the SYN may leave; one trace sees a few dozen
 * packets, which recvmsg() reads as cheaply.  The filter is libpcap's, compiled for the same
 * link type, and attached before the socket is bound, so no other packet is ever queued.
 */
#include "rawcap.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RAWCAP_MAX_PACKET 262144 /* what the filter keeps: the real length is always known */
#define RAWCAP_RCVBUF (4 * 1024 * 1024)

/* Kept open (never closed): closing it would turn the stamps off again. */
static int stamps_fd = -1;

static void open_stamps_socket(void)
{
    stamps_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int on = 1;
    if (stamps_fd >= 0)
        (void)setsockopt(stamps_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

/* Once per process, whichever thread asks first (several targets trace in several threads). */
void hs_rawcap_stamps_early(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, open_stamps_socket);
}

/* The link type libpcap would give the interface, or -1 for a kind left to libpcap. */
static int link_type(int fd, const char *device, bool *loopback)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", device);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0)
        return -1;
    *loopback = ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK;
    switch (ifr.ifr_hwaddr.sa_family) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:
        return DLT_EN10MB;
    case ARPHRD_NONE:
        return DLT_RAW;
    default:
        return -1;
    }
}

/* Compiles filter for the link type and attaches it; 0 or -1 (err says why). */
static int attach_filter(int fd, int dlt, const char *filter, char *err, size_t errsz)
{
    pcap_t *dead = pcap_open_dead(dlt, RAWCAP_MAX_PACKET);
    if (dead == NULL) {
        snprintf(err, errsz, "filter: out of memory");
        return -1;
    }
    struct bpf_program prog;
    if (pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errsz, "filter: %s", pcap_geterr(dead));
        pcap_close(dead);
        return -1;
    }
    /* A packet kept is kept whole (as libpcap does on Linux): its length stays known. */
    for (u_int i = 0; i < prog.bf_len; i++)
        if (BPF_CLASS(prog.bf_insns[i].code) == BPF_RET && prog.bf_insns[i].k != 0)
            prog.bf_insns[i].k = RAWCAP_MAX_PACKET;
    struct sock_fprog fp = {.len = (unsigned short)prog.bf_len,
                            .filter = (struct sock_filter *)prog.bf_insns};
    int r = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp);
    if (r != 0)
        snprintf(err, errsz, "filter: %s", strerror(errno));
    pcap_freecode(&prog);
    pcap_close(dead);
    return r;
}

enum hs_rawcap_result hs_rawcap_open(struct hs_rawcap *rc, const char *device,
                                     const char *filter, char *err, size_t errsz)
{
    rc->fd = -1;
    unsigned idx = if_nametoindex(device);
    if (idx == 0)
        return HS_RAWCAP_UNSUPPORTED;
    /* Protocol 0: nothing is received until the bind below, with the filter in place. */
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errsz, "%s: socket: %s", device, strerror(errno));
        return errno == EPERM || errno == EACCES ? HS_RAWCAP_DENIED : HS_RAWCAP_FAILED;
    }
    rc->linktype = link_type(fd, device, &rc->loopback);
    if (rc->linktype < 0) {
        close(fd);
        return HS_RAWCAP_UNSUPPORTED;
    }
    if (attach_filter(fd, rc->linktype, filter, err, errsz) != 0) {
        close(fd);
        return HS_RAWCAP_FAILED;
    }
    int on = 1, size = RAWCAP_RCVBUF;
    (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                              .sll_ifindex = (int)idx};
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        snprintf(err, errsz, "%s: bind: %s", device, strerror(errno));
        close(fd);
        return HS_RAWCAP_FAILED;
    }
    rc->fd = fd;
    return HS_RAWCAP_OK;
}

int hs_rawcap_read(struct hs_rawcap *rc, hs_rawcap_fn fn, void *ctx)
{
    for (int k = 0; k < 4096; k++) { /* bounded: the caller polls again */
        struct sockaddr_ll from;
        char control[CMSG_SPACE(sizeof(struct timespec)) + 64];
        struct iovec iov = {.iov_base = rc->buf, .iov_len = sizeof rc->buf};
        struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                             .msg_iovlen = 1, .msg_control = control,
                             .msg_controllen = sizeof control};
        ssize_t n = recvmsg(rc->fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return 0;
            return -1;
        }
        /* On loopback every packet passes twice, out and in: libpcap keeps it once. */
        if (rc->loopback && from.sll_pkttype == PACKET_OUTGOING)
            continue;
        double ts = -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
                c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
                struct timespec t;
                memcpy(&t, CMSG_DATA(c), sizeof t);
                ts = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
            }
        }
        if (ts < 0) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            ts = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
        }
        /* Never before the packet read before it (see hs_rawcap_stamps_early). */
        if (ts < rc->last_ts)
            ts = rc->last_ts;
        rc->last_ts = ts;
        uint32_t orig = (uint32_t)n;
        uint32_t cap = orig < sizeof rc->buf ? orig : (uint32_t)sizeof rc->buf;
        fn(ctx, ts, rc->buf, cap, orig);
    }
    return 0;
}
