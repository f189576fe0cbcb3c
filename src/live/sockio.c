/*
 * The live client's I/O: the socket tap mbedTLS reads and writes through (every byte goes to
 * the decoder too, stamped with its time), waiting on the socket while captured segments
 * reach the trace, and the two hooks mbedTLS calls: key export and debug lines.
 */
#include "client_internal.h"
#include "dbgnotes.h"
#include "net.h"

#include "../core/mem.h"
#include "../tls/names.h"

#include <errno.h>
#include <mbedtls/debug.h>
#include <mbedtls/net_sockets.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

double live_now_ms(const struct live *l)
{
    return (hs_wall_s() - l->start_wall) * 1000.0;
}

/*
 * Order and time.  TLS rows come from the bytes the socket passed, TCP rows from the captured
 * segments.  When a capture runs, each byte given to the decoder takes the time (and frame) of
 * the captured segment that carried it, as -r does with the same decoder; a FIN or RST row
 * waits until the bytes sent before it in its direction were given to the decoder.  The bytes
 * wait (in the order they passed the socket, both directions in one queue, as the decoder must
 * see them) until the capture thread brought their segments, so nothing blocks on it while
 * the handshake is timed; only a failure (its reason may need them) or a full queue waits,
 * briefly.  Without a capture, and for a byte whose segment did not come through, the
 * socket's time is used.  In every case the times of one direction never go back.
 */

/* Adds side's held FIN/RST rows whose earlier bytes were all fed (all of them when all). */
static void release_held(struct live *l, enum hs_side side, bool all)
{
    struct live_stream *st = &l->stream[side];
    size_t keep = 0;
    for (size_t i = 0; i < st->nheld; i++) {
        struct hs_event *ev = st->held[i];
        if (!all && (int32_t)(st->held_off[i] - (uint32_t)st->fed) > 0) {
            st->held_off[keep] = st->held_off[i];
            st->held[keep++] = ev;
            continue;
        }
        if (ev->t_ms < st->last_t)
            ev->t_ms = st->last_t;
        hs_trace_add(l->trace, ev);
    }
    st->nheld = keep;
}

void live_release_held(struct live *l)
{
    live_flush_feed(l, FEED_ALL);
    release_held(l, HS_CLIENT, true);
    release_held(l, HS_SERVER, true);
}

/* Remembers when a captured data segment passed; forgets those already fed. */
static void note_segment(struct live *l, const struct hs_tcp_seg *s, uint32_t off)
{
    struct live_stream *st = &l->stream[s->from_server ? HS_SERVER : HS_CLIENT];
    if (st->nseg == SEG_TIMES) {
        size_t keep = 0;
        for (size_t i = 0; i < st->nseg; i++)
            if ((int32_t)(st->seg[i].off + st->seg[i].len - (uint32_t)st->fed) > 0)
                st->seg[keep++] = st->seg[i];
        st->nseg = keep;
        if (keep == SEG_TIMES) /* all still ahead: the oldest goes */
            memmove(st->seg, st->seg + 1, --st->nseg * sizeof st->seg[0]);
    }
    st->seg[st->nseg++] = (struct live_segtime){
        .off = off, .len = s->payload_wire, .t_ms = (s->ts - l->start_wall) * 1000.0,
        .frame = s->frame};
}

/* One captured segment: a row now, a row held back, or the time of some bytes. */
static void take_segment(struct live *l, const struct hs_tcp_seg *s)
{
    uint32_t off = 0;
    bool placed = hs_tcp_rows_offset(&l->rows, s, &off);
    if (placed && s->payload_wire > 0)
        note_segment(l, s, off);
    struct hs_event *ev = hs_tcp_rows_event(&l->rows, s);
    if (ev == NULL)
        return;
    enum hs_side side = s->from_server ? HS_SERVER : HS_CLIENT;
    struct live_stream *st = &l->stream[side];
    uint32_t end = off + s->payload_wire;
    bool close = (s->flags & (HS_TCP_FIN | HS_TCP_RST)) != 0;
    if (close && placed && (int32_t)(end - (uint32_t)st->fed) > 0) {
        if (st->nheld == HELD_ROWS)
            release_held(l, side, true); /* bounded: the oldest go in as they are */
        st->held_off[st->nheld] = end;
        st->held[st->nheld++] = ev;
        return;
    }
    hs_trace_add(l->trace, ev);
}

/* Takes the capture thread's segments: rows, held rows, segment times. */
static void take_segments(struct live *l)
{
    struct hs_tcp_seg segs[64];
    size_t n;
    while ((n = hs_tap_drain(l->cap, segs, 64)) > 0)
        for (size_t i = 0; i < n; i++)
            take_segment(l, &segs[i]);
}

/* The captured segment that carried side's next byte, or NULL. */
static const struct live_segtime *find_segment(const struct live_stream *st)
{
    uint32_t at = (uint32_t)st->fed;
    for (size_t i = 0; i < st->nseg; i++)
        if (at - st->seg[i].off < st->seg[i].len)
            return &st->seg[i];
    return NULL;
}

/* Waits a little for the capture thread to bring side's next segment; once it was late, the
 * trace uses the socket's times from then on. */
static void wait_segment(struct live *l, const struct live_stream *st)
{
    double until = hs_wall_s() + SEG_WAIT_MS / 1000.0;
    for (;;) {
        take_segments(l);
        if (find_segment(st))
            return;
        if (hs_wall_s() >= until) {
            l->seg_late = true;
            return;
        }
        usleep(200);
    }
}

double live_segment_time(struct live *l, enum hs_side side, uint64_t at, double t_sock)
{
    if (l->cap == NULL)
        return t_sock;
    const struct live_stream *st = &l->stream[side];
    double until = hs_wall_s() + SEG_WAIT_MS / 1000.0;
    for (;;) {
        take_segments(l);
        for (size_t i = 0; i < st->nseg; i++)
            if ((uint32_t)at - st->seg[i].off < st->seg[i].len)
                return st->seg[i].t_ms < t_sock ? st->seg[i].t_ms : t_sock;
        if (hs_wall_s() >= until)
            return t_sock;
        usleep(200);
    }
}

/* Gives the decoder the chunk's bytes whose segment is known (all of them when `force`, the
 * others with the socket's time).  false when it stopped for a segment not yet captured. */
static bool feed_chunk(struct live *l, struct live_chunk *c, bool force)
{
    struct live_stream *st = &l->stream[c->side];
    while (c->off < c->len) {
        const struct live_segtime *sg = find_segment(st);
        if (sg == NULL && !force)
            return false;
        size_t k = c->len - c->off;
        double t = c->t_sock;
        uint64_t frame = 0;
        if (sg) {
            uint32_t left = sg->off + sg->len - (uint32_t)st->fed;
            k = left < k ? left : k;
            t = sg->t_ms;
            frame = sg->frame;
        }
        if (t < st->last_t)
            t = st->last_t;
        st->last_t = t;
        hs_decoder_feed(l->dec, c->side, t, c->data + c->off, k, frame);
        c->off += k;
        st->fed += k;
        l->pend_bytes -= k;
        release_held(l, c->side, false);
    }
    return true;
}

/* Feeds the pending bytes in the order they passed the socket: only as far as their segments
 * are known (FEED_READY), waiting for the missing ones (FEED_WAIT), or all now (FEED_ALL). */
void live_flush_feed(struct live *l, enum live_feed_how how)
{
    while (l->pend_head) {
        struct live_chunk *c = l->pend_head;
        if (!feed_chunk(l, c, how == FEED_ALL || l->seg_late || l->cap == NULL)) {
            if (how == FEED_READY)
                return;
            wait_segment(l, &l->stream[c->side]);
            continue;
        }
        l->pend_head = c->next;
        if (l->pend_head == NULL)
            l->pend_tail = NULL;
        free(c);
    }
}

/* Moves the capture thread's segments into the trace (this thread owns the trace), and the
 * socket's bytes whose segments came to the decoder. */
void live_drain_capture(struct live *l)
{
    if (l->cap == NULL)
        return;
    take_segments(l);
    live_flush_feed(l, FEED_READY);
}

void live_feed(struct live *l, enum hs_side side, double t_sock, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    struct live_chunk *c = hs_xmalloc(sizeof *c + n);
    *c = (struct live_chunk){.side = side, .t_sock = t_sock, .len = n};
    memcpy(c->data, p, n);
    if (l->pend_tail)
        l->pend_tail->next = c;
    else
        l->pend_head = c;
    l->pend_tail = c;
    l->pend_bytes += n;
    if (l->cap == NULL)
        live_flush_feed(l, FEED_ALL);
    else if (l->pend_bytes > PENDING_MAX)
        live_flush_feed(l, FEED_WAIT);
    else
        live_drain_capture(l);
}

int live_remaining_ms(const struct live *l)
{
    double left = (l->deadline - hs_wall_s()) * 1000.0;
    if (left <= 0)
        return 0;
    return left > 1e9 ? 1000000000 : (int)left + 1;
}

/* Waits for events on the socket until the deadline; false on timeout (flag set). */
bool live_wait_fd(struct live *l, short events)
{
    for (;;) {
        int left = live_remaining_ms(l);
        if (left == 0 || (l->o->cancel && atomic_load(l->o->cancel))) {
            l->timed_out = true;
            return false;
        }
        /* Wake up now and then so captured segments reach the trace in good time. */
        struct pollfd pfd = {.fd = l->fd, .events = events};
        int r = poll(&pfd, 1, left < 50 ? left : 50);
        live_drain_capture(l);
        if (r > 0)
            return true;
        if (r < 0 && errno != EINTR) {
            l->sock_errno = errno;
            return true;
        }
    }
}

/* ---- the socket tap given to mbedTLS ---- */

int live_tap_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct live *l = ctx;
    for (;;) {
        double t = live_now_ms(l);
        ssize_t n = send(l->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) {
            if (l->first_sent_ms == 0)
                l->first_sent_ms = t;
            live_feed(l, HS_CLIENT, t, buf, (size_t)n);
            return (int)n;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            l->sock_errno = errno;
            return MBEDTLS_ERR_NET_SEND_FAILED;
        }
        if (!live_wait_fd(l, POLLOUT))
            return MBEDTLS_ERR_SSL_TIMEOUT;
    }
}

/*
 * recv() into rx; *t_ms gets the kernel's arrival time of the data (SO_TIMESTAMPNS, the
 * same clock as the capture's timestamps), or the time now when the kernel gives none.
 */
static ssize_t live_recv_stamped(struct live *l, double *t_ms)
{
    char control[CMSG_SPACE(sizeof(struct timespec)) + 64];
    struct iovec iov = {.iov_base = l->rx, .iov_len = sizeof l->rx};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof control};
    ssize_t n = recvmsg(l->fd, &msg, 0);
    *t_ms = live_now_ms(l);
    if (n <= 0)
        return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            double t = ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - l->start_wall) * 1000.0;
            /* Trust it only when it is sane (not before the start, not in the future). */
            if (t >= 0 && t <= *t_ms)
                *t_ms = t;
        }
    }
    return n;
}

/* Reads what the socket holds into rx, feeding the decoder at the moment it arrived.
 * Returns bytes read, 0 at EOF, or an mbedTLS error. */
int live_fill_rx(struct live *l)
{
    for (;;) {
        if (!live_wait_fd(l, POLLIN))
            return MBEDTLS_ERR_SSL_TIMEOUT;
        double t;
        ssize_t n = live_recv_stamped(l, &t);
        if (n > 0) {
            l->rx_off = 0;
            l->rx_len = (size_t)n;
            if (l->first_recv_ms == 0)
                l->first_recv_ms = t;
            live_feed(l, HS_SERVER, t, l->rx, (size_t)n);
            return (int)n;
        }
        if (n == 0) {
            l->peer_eof = true;
            return 0;
        }
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            continue;
        l->sock_errno = errno;
        return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
    }
}

int live_tap_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct live *l = ctx;
    if (l->rx_len == 0) {
        if (l->peer_eof)
            return 0;
        int r = live_fill_rx(l);
        if (r <= 0)
            return r;
    }
    size_t k = len < l->rx_len ? len : l->rx_len;
    memcpy(buf, l->rx + l->rx_off, k);
    l->rx_off += k;
    l->rx_len -= k;
    return (int)k;
}

/* ---- key export, debug hook ---- */

void live_on_export_keys(void *ctx, mbedtls_ssl_key_export_type type,
                         const unsigned char *secret, size_t secret_len,
                         const unsigned char client_random[32],
                         const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct live *l = ctx;
    enum hs_secret kind;
    switch (type) {
    case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET: kind = HS_SECRET_TLS12_MASTER; break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_EARLY_SECRET: kind = HS_SECRET_CLIENT_EARLY; break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET:
        kind = HS_SECRET_CLIENT_HANDSHAKE;
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET:
        kind = HS_SECRET_SERVER_HANDSHAKE;
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET:
        kind = HS_SECRET_CLIENT_TRAFFIC_0;
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET:
        kind = HS_SECRET_SERVER_TRAFFIC_0;
        break;
    default:
        return; /* the early exporter secret has no key log label we use */
    }
    if (hs_keylog_add(l->keys, kind, client_random, secret, secret_len) != HS_OK)
        return;
    if (l->keyfile) {
        char line[2 * 32 + 2 * HS_SECRET_MAX + 64];
        size_t n = hs_keylog_format(kind, client_random, secret, secret_len, line, sizeof line);
        hs_keyfile_put(l->keyfile, line, n);
        memset(line, 0, sizeof line);
    }
    hs_decoder_keys_changed(l->dec);
}

void live_on_debug(void *ctx, int level, const char *file, int line, const char *str)
{
    struct live *l = ctx;
    double t = live_now_ms(l);
    /* Trim the trailing newline and surrounding blanks. */
    size_t n = strlen(str);
    while (n > 0 && (str[n - 1] == '\n' || str[n - 1] == '\r' || str[n - 1] == ' '))
        n--;
    while (n > 0 && *str == ' ') {
        str++;
        n--;
    }
    /* mbedTLS starts each line with the context's address ("0x55d0c0a8: "): noise here. */
    if (n > 2 && str[0] == '0' && str[1] == 'x') {
        const char *colon = memchr(str, ':', n);
        if (colon && (size_t)(colon - str) < 24 && colon[1] == ' ') {
            n -= (size_t)(colon + 2 - str);
            str = colon + 2;
        }
    }
    char text[512];
    snprintf(text, sizeof text, "%.*s", (int)(n < 500 ? n : 500), str);

    char note[160];
    if (hs_dbgnote(level, text, note, sizeof note) && strcmp(note, l->last_note) != 0) {
        snprintf(l->last_note, sizeof l->last_note, "%s", note);
        struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", t);
        hs_event_summary(ev, "%s", note);
        hs_trace_add(l->trace, ev);
    }
    if (l->o->debug > 0 && level <= l->o->debug && n > 0) {
        struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "debug", t);
        hs_event_summary(ev, "%s", text);
        hs_f_int(ev->fields, "level", level);
        const char *base = strrchr(file, '/');
        hs_f_fmt(ev->fields, "source", "%s:%d", base ? base + 1 : file, line);
        hs_trace_add(l->trace, ev);
    }
}
