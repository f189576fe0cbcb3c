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

/* Moves the capture thread's segments into the trace (this thread owns the trace). */
void live_drain_capture(struct live *l)
{
    if (l->cap == NULL)
        return;
    struct hs_tcp_seg segs[64];
    size_t n;
    while ((n = hs_tap_drain(l->cap, segs, 64)) > 0)
        for (size_t i = 0; i < n; i++)
            hs_tcp_rows_add(&l->rows, l->trace, &segs[i]);
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
        if (left == 0) {
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
            hs_decoder_feed(l->dec, HS_CLIENT, t, buf, (size_t)n, 0);
            live_drain_capture(l);
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
            hs_decoder_feed(l->dec, HS_SERVER, t, l->rx, (size_t)n, 0);
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
