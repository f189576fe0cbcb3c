/* The live tap: open on the right interface (our own packet socket, or libpcap), filter the
 * 4-tuple, read in a thread. */
#include "tap.h"
#include "rawcap.h"

#include "../core/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUEUE_MAX HS_TAP_QUEUE_MAX

struct hs_tap {
    pcap_t *pcap;            /* libpcap's handle, or NULL with ... */
    struct hs_rawcap *raw;   /* ... a packet socket of our own (or neither: fed by hand) */
    char device[64];
    pthread_t thread;
    bool thread_started;
    atomic_bool stop;
    int wake;            /* eventfd: written once to stop the thread at once (-1: none) */

    /* The server's end, to tell the sides apart. */
    struct hs_ip_addr remote_ip;
    uint16_t remote_port;

    pthread_mutex_t lock; /* guards the queue and drops */
    struct hs_tcp_seg *queue;
    size_t qhead, qlen;
    struct hs_tap_drops drops;

    struct hs_packets packets; /* written by the thread only, read after stop */
};

/* ---- device and filter ---- */

static const uint8_t *addr_bytes(const struct sockaddr *sa, size_t *n)
{
    if (sa->sa_family == AF_INET) {
        *n = 4;
        return (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
    }
    if (sa->sa_family == AF_INET6) {
        *n = 16;
        return (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
    }
    *n = 0;
    return NULL;
}

/* The interface holding addr; loopback addresses live on "lo"; "any" when not found.
 * (getifaddrs: pcap_findalldevs also asks every interface for its flags and kind.) */
static void find_device(const struct hs_addr *local, char *dev, size_t devsz)
{
    size_t want_n;
    const uint8_t *want = addr_bytes((const struct sockaddr *)&local->ss, &want_n);
    struct ifaddrs *all = NULL;
    snprintf(dev, devsz, "any");
    if (getifaddrs(&all) == 0) {
        for (struct ifaddrs *a = all; a; a = a->ifa_next) {
            size_t n;
            const uint8_t *b = a->ifa_addr ? addr_bytes(a->ifa_addr, &n) : NULL;
            if (b && a->ifa_name && n == want_n && memcmp(b, want, n) == 0) {
                snprintf(dev, devsz, "%s", a->ifa_name);
                freeifaddrs(all);
                return;
            }
        }
        freeifaddrs(all);
    }
    static const uint8_t v6_loop[16] = {[15] = 1};
    if ((want_n == 4 && want[0] == 127) || (want_n == 16 && memcmp(want, v6_loop, 16) == 0))
        snprintf(dev, devsz, "lo");
}

static void build_filter(const struct hs_addr *local, const struct hs_addr *remote, char *f,
                         size_t n)
{
    char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];
    hs_net_ntop(local, la, sizeof la);
    hs_net_ntop(remote, ra, sizeof ra);
    const char *kw = local->ss.ss_family == AF_INET6 ? "ip6" : "ip";
    snprintf(f, n,
             "tcp and ((%s src %s and tcp src port %u and %s dst %s and tcp dst port %u) or "
             "(%s src %s and tcp src port %u and %s dst %s and tcp dst port %u))",
             kw, la, hs_net_port(local), kw, ra, hs_net_port(remote), kw, ra,
             hs_net_port(remote), kw, la, hs_net_port(local));
}

/* DLT_RAW differs between systems; capture files always say LINKTYPE_RAW. */
static int file_linktype(int dlt)
{
    if (dlt == DLT_RAW || dlt == 12 || dlt == 14)
        return HS_LINK_RAW;
    return dlt;
}

/* ---- the reader thread ---- */

/* One frame from the tap: kept raw (bounded), and queued for the main thread when it can
 * become a row. */
static void take_frame(struct hs_tap *c, double ts, const uint8_t *bytes, uint32_t caplen,
                       uint32_t origlen)
{
    struct hs_packets *pk = &c->packets;
    uint64_t frame = 0;
    if (pk->n < HS_TAP_MAX_PACKETS) {
        if (pk->n == pk->cap) {
            pk->cap = pk->cap ? pk->cap * 2 : 64;
            pk->pkt = hs_xrealloc(pk->pkt, pk->cap * sizeof *pk->pkt);
        }
        struct hs_packet *rp = &pk->pkt[pk->n++];
        rp->ts = ts;
        rp->caplen = caplen;
        rp->origlen = origlen;
        rp->data = hs_xmemdup(bytes, caplen ? caplen : 1);
        frame = pk->n;
    } else {
        pk->dropped++;
    }

    struct hs_tcp_seg s = {.ts = ts, .frame = frame};
    if (hs_packet_parse(pk->linktype, bytes, caplen, origlen, &s) != HS_PKT_TCP)
        return;
    s.from_server = s.sport == c->remote_port && hs_ip_equal(&s.src, &c->remote_ip);
    s.data = NULL; /* the frame buffer is libpcap's and goes away */
    /* Control segments and pure ACKs can become rows; data segments time the TLS rows (their
     * bytes come from the socket). */
    bool control = (s.flags & (HS_TCP_SYN | HS_TCP_FIN | HS_TCP_RST)) != 0;
    bool data = !control && s.payload_wire != 0;
    /* The others leave the last slots to SYN/FIN/RST: at most one pure ACK is ever a row. */
    size_t room = control ? QUEUE_MAX : QUEUE_MAX - HS_TAP_QUEUE_RESERVE;
    pthread_mutex_lock(&c->lock);
    if (c->qlen < room) {
        c->queue[(c->qhead + c->qlen++) % QUEUE_MAX] = s;
    } else if (!data) { /* a lost data segment costs only its time stamp: no row is missing */
        struct hs_tap_drops *d = &c->drops;
        if (d->segments++ == 0) {
            d->first_ts = ts;
            d->first_from_server = s.from_server;
        }
        if (control)
            d->control++;
    }
    pthread_mutex_unlock(&c->lock);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    double ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
    take_frame((struct hs_tap *)user, ts, bytes, h->caplen, h->len);
}

static void on_raw(void *ctx, double ts, const uint8_t *frame, uint32_t caplen,
                   uint32_t origlen)
{
    take_frame(ctx, ts, frame, caplen, origlen);
}

/* Takes what the handle holds now; -1 on an error. */
static int read_now(struct hs_tap *c)
{
    if (c->raw)
        return hs_rawcap_read(c->raw, on_raw, c);
    return pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c) < 0 ? -1 : 0;
}

static void *reader(void *arg)
{
    struct hs_tap *c = arg;
    int fd = c->raw ? c->raw->fd : pcap_get_selectable_fd(c->pcap);
    /* Sleeps until a packet or the stop comes (the wake fd); without either fd, polls. */
    int wait_ms = fd >= 0 && c->wake >= 0 ? -1 : 10;
    while (!atomic_load(&c->stop)) {
        struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = c->wake, .events = POLLIN}};
        if (poll(pfd, 2, wait_ms) < 0 && wait_ms < 0)
            (void)poll(NULL, 0, 1); /* EINTR or worse: do not spin */
        if (read_now(c) < 0)
            break;
    }
    /* What arrived between the last poll and the stop. */
    (void)read_now(c);
    return NULL;
}

/* ---- closing off the critical path ---- */

/*
 * Closing a packet socket waits for the kernel (packet_release: an RCU grace period, 10 to
 * 30 ms), and a process cannot finish exiting while one of its threads sits in that close.
 * So a short-lived child process made with fork() takes the last reference: it closes every
 * other descriptor at once (it holds no standard output, nothing a caller waits on), waits
 * until this process has closed its own copy, closes the socket (paying the wait) and ends;
 * this process's close is then not the last and returns at once.  With libpcap the child's
 * copy of the ring mapping is a reference too: the child's exit drops it.  The children are
 * reaped without blocking when the next handle is given up and at exit; those still closing
 * when the process ends are left to init.  When no child can be made (no close_range, fork
 * failing, RLIMIT_NPROC), a thread closes the handle and the process joins it at exit.
 */
#define CLOSERS_MAX 32 /* children not reaped yet; beyond, a thread does the close */

struct closer {
    pthread_t thread;
    pcap_t *pcap;
    struct hs_rawcap *raw;
    struct closer *next;
};
static pthread_mutex_t closers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct closer *closers;  /* threads to join */
static pid_t children[CLOSERS_MAX]; /* 0: a free slot */

static void close_now(pcap_t *pcap, struct hs_rawcap *raw)
{
    if (pcap)
        pcap_close(pcap);
    if (raw) {
        close(raw->fd);
        free(raw);
    }
}

static void *close_handle(void *arg)
{
    struct closer *k = arg;
    close_now(k->pcap, k->raw);
    k->pcap = NULL;
    k->raw = NULL;
    return NULL;
}

static void close_in_thread(pcap_t *pcap, struct hs_rawcap *raw)
{
    struct closer *k = hs_xcalloc(1, sizeof *k);
    k->pcap = pcap;
    k->raw = raw;
    if (pthread_create(&k->thread, NULL, close_handle, k) != 0) {
        close_now(pcap, raw);
        free(k);
        return;
    }
    pthread_mutex_lock(&closers_lock);
    k->next = closers;
    closers = k;
    pthread_mutex_unlock(&closers_lock);
}

/* Reaps the children that are done (never blocks); returns a free slot or -1.  With the lock
 * held. */
static int reap_children(void)
{
    int free_slot = -1;
    for (int i = 0; i < CLOSERS_MAX; i++) {
        if (children[i] > 0) {
            pid_t r = waitpid(children[i], NULL, WNOHANG);
            if (r == children[i] || (r < 0 && errno == ECHILD)) /* ECHILD: reaped elsewhere */
                children[i] = 0;
        }
        if (children[i] == 0 && free_slot < 0)
            free_slot = i;
    }
    return free_slot;
}

/* Closes every descriptor from lo to hi (inclusive) when lo <= hi; 0 or -1. */
static int close_fds(unsigned lo, unsigned hi)
{
    return lo > hi ? 0 : close_range(lo, hi, 0);
}

/* The child: async-signal-safe calls only (the parent has threads).  Every signal is blocked
 * (the parent blocked them around fork): an interrupt from the terminal does not stop it. */
static _Noreturn void closer_child(int sock, int gate)
{
    (void)prctl(PR_SET_NAME, "hstrace-close", 0, 0, 0);
    unsigned lo = (unsigned)(sock < gate ? sock : gate);
    unsigned hi = (unsigned)(sock < gate ? gate : sock);
    if ((lo > 0 && close_fds(0, lo - 1) != 0) || close_fds(lo + 1, hi - 1) != 0 ||
        close_fds(hi + 1, ~0U) != 0)
        _exit(1); /* not expected (checked in the parent); the socket goes at exit anyway */
    /* The parent closes its copy of the socket, then the gate's other end: end of file. */
    char b;
    while (read(gate, &b, 1) < 0 && errno == EINTR)
        ;
    close(sock);
    _exit(0);
}

/* Hands the handle's last reference to a child; false when no child could be made (the
 * handle is untouched then). */
static bool close_in_child(pcap_t *pcap, struct hs_rawcap *raw)
{
    static int range_ok = -1; /* close_range exists (Linux 5.9): probed once */
    int sock = raw ? raw->fd : pcap_fileno(pcap);
    if (sock < 0)
        return false;
    pthread_mutex_lock(&closers_lock);
    if (range_ok < 0)
        range_ok = close_range(~0U, ~0U, 0) == 0;
    int slot = range_ok ? reap_children() : -1;
    int gate[2];
    if (slot < 0 || pipe2(gate, O_CLOEXEC) != 0) {
        pthread_mutex_unlock(&closers_lock);
        return false;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0)
        closer_child(sock, gate[0]);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(gate[0]);
    if (pid < 0) {
        close(gate[1]);
        pthread_mutex_unlock(&closers_lock);
        return false;
    }
    children[slot] = pid;
    pthread_mutex_unlock(&closers_lock);
    close_now(pcap, raw); /* not the last reference: at once */
    close(gate[1]);       /* the child may close it now */
    return true;
}

static void close_later(struct hs_tap *c)
{
    pcap_t *pcap = c->pcap;
    struct hs_rawcap *raw = c->raw;
    c->pcap = NULL;
    c->raw = NULL;
    if (!close_in_child(pcap, raw))
        close_in_thread(pcap, raw);
}

void hs_tap_prepare(void)
{
    hs_rawcap_stamps_early();
}

void hs_tap_close_pending(void)
{
    pthread_mutex_lock(&closers_lock);
    struct closer *k = closers;
    closers = NULL;
    (void)reap_children();
    pthread_mutex_unlock(&closers_lock);
    while (k) {
        struct closer *next = k->next;
        pthread_join(k->thread, NULL);
        free(k);
        k = next;
    }
}

/* ---- the public face ---- */

/* What a capture needs besides the handle: link type, the server's end, the queue. */
static void setup_queue(struct hs_tap *c, int linktype, uint32_t snaplen,
                        const struct hs_addr *remote)
{
    c->packets.linktype = linktype;
    c->packets.file_linktype = file_linktype(linktype);
    c->packets.snaplen = snaplen;
    size_t n;
    const uint8_t *rb = addr_bytes((const struct sockaddr *)&remote->ss, &n);
    c->remote_ip.family = n == 4 ? 4 : 6;
    if (rb)
        memcpy(c->remote_ip.a, rb, n);
    c->remote_port = (uint16_t)hs_net_port(remote);
    c->queue = hs_xcalloc(QUEUE_MAX, sizeof *c->queue);
    pthread_mutex_init(&c->lock, NULL);
    atomic_init(&c->stop, false);
    c->wake = -1;
}

enum hs_tap_open_result hs_tap_open(struct hs_tap **out, const struct hs_addr *local,
                                            const struct hs_addr *remote, char *err,
                                            size_t errsz)
{
    *out = NULL;
    struct hs_tap *c = hs_xcalloc(1, sizeof *c);
    find_device(local, c->device, sizeof c->device);
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    enum hs_tap_open_result res = HS_TAP_FAILED;
    char filter[512];
    build_filter(local, remote, filter, sizeof filter);

    /* A socket of our own where it can be (no ring to set up: see rawcap.c), else libpcap. */
    c->raw = hs_xcalloc(1, sizeof *c->raw);
    enum hs_rawcap_result rr = hs_rawcap_open(c->raw, c->device, filter, err, errsz);
    if (rr == HS_RAWCAP_OK) {
        setup_queue(c, c->raw->linktype, HS_RAWCAP_SNAPLEN, remote);
        *out = c;
        return HS_TAP_OK;
    }
    free(c->raw);
    c->raw = NULL;
    if (rr != HS_RAWCAP_UNSUPPORTED) {
        free(c);
        return rr == HS_RAWCAP_DENIED ? HS_TAP_DENIED : HS_TAP_FAILED;
    }

    c->pcap = pcap_create(c->device, errbuf);
    if (c->pcap == NULL) {
        snprintf(err, errsz, "%s", errbuf);
        free(c);
        return HS_TAP_FAILED;
    }
    pcap_set_snaplen(c->pcap, HS_TAP_SNAPLEN);
    pcap_set_promisc(c->pcap, 0);
    pcap_set_immediate_mode(c->pcap, 1);
    pcap_set_timeout(c->pcap, 10);
    int r = pcap_activate(c->pcap);
    if (r < 0) {
        if (r == PCAP_ERROR_PERM_DENIED)
            res = HS_TAP_DENIED;
        snprintf(err, errsz, "%s: %s", c->device, pcap_geterr(c->pcap));
        goto fail;
    }
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errsz, "filter: %s", pcap_geterr(c->pcap));
        goto fail;
    }
    r = pcap_setfilter(c->pcap, &prog);
    pcap_freecode(&prog);
    if (r != 0) {
        snprintf(err, errsz, "filter: %s", pcap_geterr(c->pcap));
        goto fail;
    }
    if (pcap_setnonblock(c->pcap, 1, errbuf) != 0) {
        snprintf(err, errsz, "%s", errbuf);
        goto fail;
    }

    int snap = pcap_snapshot(c->pcap);
    setup_queue(c, pcap_datalink(c->pcap), snap > 0 ? (uint32_t)snap : HS_TAP_SNAPLEN,
                remote);
    *out = c;
    return HS_TAP_OK;

fail:
    pcap_close(c->pcap);
    free(c);
    return res;
}

int hs_tap_start(struct hs_tap *c, char *err, size_t errsz)
{
    if (c->thread_started)
        return 0;
    if (c->wake < 0)
        c->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (pthread_create(&c->thread, NULL, reader, c) != 0) {
        snprintf(err, errsz, "cannot start the capture thread");
        return -1;
    }
    c->thread_started = true;
    return 0;
}

size_t hs_tap_drain(struct hs_tap *c, struct hs_tcp_seg *out, size_t max)
{
    size_t k = 0;
    pthread_mutex_lock(&c->lock);
    while (k < max && c->qlen > 0) {
        out[k++] = c->queue[c->qhead];
        c->qhead = (c->qhead + 1) % QUEUE_MAX;
        c->qlen--;
    }
    pthread_mutex_unlock(&c->lock);
    return k;
}

void hs_tap_queue_drops(struct hs_tap *c, struct hs_tap_drops *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->drops;
    pthread_mutex_unlock(&c->lock);
}

void hs_tap_stop(struct hs_tap *c)
{
    if (c == NULL || !c->thread_started)
        return;
    atomic_store(&c->stop, true);
    if (c->wake >= 0) {
        uint64_t one = 1;
        (void)!write(c->wake, &one, sizeof one);
    }
    pthread_join(c->thread, NULL);
    c->thread_started = false;
    /* Every packet is read: the handle is no longer needed. */
    if (c->pcap || c->raw)
        close_later(c);
}

const struct hs_packets *hs_tap_packets(const struct hs_tap *c)
{
    return &c->packets;
}

const char *hs_tap_device(const struct hs_tap *c)
{
    return c->device;
}

void hs_tap_take_packets(struct hs_tap *c, struct hs_packets *out)
{
    *out = c->packets;
    c->packets.pkt = NULL;
    c->packets.n = c->packets.cap = 0;
}

void hs_tap_free(struct hs_tap *c)
{
    if (c == NULL)
        return;
    hs_tap_stop(c);
    if (c->pcap || c->raw) /* opened, never started */
        close_later(c);
    if (c->wake >= 0)
        close(c->wake);
    for (size_t i = 0; i < c->packets.n; i++)
        free(c->packets.pkt[i].data);
    free(c->packets.pkt);
    free(c->queue);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

struct hs_tap *hs_tap_new_fed(int linktype, const struct hs_addr *remote)
{
    struct hs_tap *c = hs_xcalloc(1, sizeof *c);
    setup_queue(c, linktype, HS_TAP_SNAPLEN, remote);
    return c;
}

void hs_tap_feed(struct hs_tap *c, double ts, const uint8_t *frame, uint32_t caplen,
                     uint32_t origlen)
{
    if (c->pcap == NULL && c->raw == NULL)
        take_frame(c, ts, frame, caplen, origlen);
}
