/*
 * The live client: resolve, bind, capture, connect, then run the mbedTLS handshake through a
 * socket tap that feeds every byte to the decoder, all into one trace.  Only this thread adds
 * events to the trace (the capture thread queues its segments for us).
 */
#include "tap.h"
#include "dbgnotes.h"
#include "hellosize.h"
#include "live.h"
#include "live_internal.h"
#include "net.h"
#include "privs.h"
#include "target.h"
#include "verify.h"

#include "../net/pcapwrite.h"
#include "../net/roundtrips.h"
#include "../net/tcprows.h"
#include "../core/mem.h"
#include "../core/outfile.h"
#include "../tls/decoder.h"
#include "../tls/keylog.h"
#include "../tls/names.h"
#include "../tls/outcome.h"
#include "../tls/suites.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/debug.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <poll.h>
#include <stdarg.h>
#include <psa/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define RX_BUF 32768           /* one socket read; mbedTLS is served from it */
#define TICKET_WAIT_MS 300     /* how long to wait for TLS 1.3 NewSessionTickets */
#define TICKET_MORE_MS 30      /* after a ticket, how long to wait for another */
#define CLOSE_WAIT_MS 200      /* after close: the server's close_notify, FIN/RST */
#define MAX_LIST 64            /* --ciphers / --groups / --alpn entries */
#define CAPTURE_HINT                                                                          \
    "packet capture not permitted; TCP rows are inferred (run as root or: sudo setcap "       \
    "cap_net_raw,cap_net_admin=eip $(command -v hstrace))"

struct live {
    const struct hs_live_opts *o;
    struct hs_trace *trace;
    double start_wall;        /* wall-clock seconds at the start */
    int fd;
    double deadline;          /* wall-clock seconds: reads and writes give up after it */
    bool timed_out, peer_eof;
    int sock_errno;

    struct hs_decoder *dec;
    struct hs_keylog *keys;
    FILE *keylog_file;

    struct hs_capture *cap;
    struct hs_tcp_rows rows;
    bool write_refused;       /* -w without a capture: the request fails before connecting */
    struct hs_privs privs;    /* who to become once the capture is open */
    bool settled;             /* become_user ran */
    bool privs_failed;        /* could not become that user: nothing more runs */
    mbedtls_x509_crt *own_ca; /* where --cafile/--capath/the system bundle go (NULL: given) */
    bool ca_failed;           /* a CA file the user named cannot be read: usage error */

    uint8_t rx[RX_BUF];       /* read from the socket, not yet given to mbedTLS */
    size_t rx_off, rx_len;
    uint8_t first_server[16];  /* the server's first bytes, to name a non-TLS reply */
    size_t nfirst_server;

    struct hs_verify verify;
    char last_note[160];      /* the last library note, not to repeat it */
};

static double now_ms(const struct live *l)
{
    return (hs_wall_s() - l->start_wall) * 1000.0;
}

/* Moves the capture thread's segments into the trace (this thread owns the trace). */
static void drain_capture(struct live *l)
{
    if (l->cap == NULL)
        return;
    struct hs_tcp_seg segs[64];
    size_t n;
    while ((n = hs_capture_drain(l->cap, segs, 64)) > 0)
        for (size_t i = 0; i < n; i++)
            hs_tcp_rows_add(&l->rows, l->trace, &segs[i]);
}

static int remaining_ms(const struct live *l)
{
    double left = (l->deadline - hs_wall_s()) * 1000.0;
    if (left <= 0)
        return 0;
    return left > 1e9 ? 1000000000 : (int)left + 1;
}

/* Waits for events on the socket until the deadline; false on timeout (flag set). */
static bool wait_fd(struct live *l, short events)
{
    for (;;) {
        int left = remaining_ms(l);
        if (left == 0) {
            l->timed_out = true;
            return false;
        }
        /* Wake up now and then so captured segments reach the trace in good time. */
        struct pollfd pfd = {.fd = l->fd, .events = events};
        int r = poll(&pfd, 1, left < 50 ? left : 50);
        drain_capture(l);
        if (r > 0)
            return true;
        if (r < 0 && errno != EINTR) {
            l->sock_errno = errno;
            return true;
        }
    }
}

/* ---- the socket tap given to mbedTLS ---- */

static int tap_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct live *l = ctx;
    for (;;) {
        double t = now_ms(l);
        ssize_t n = send(l->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) {
            hs_decoder_feed(l->dec, HS_CLIENT, t, buf, (size_t)n, 0);
            drain_capture(l);
            return (int)n;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            l->sock_errno = errno;
            return MBEDTLS_ERR_NET_SEND_FAILED;
        }
        if (!wait_fd(l, POLLOUT))
            return MBEDTLS_ERR_SSL_TIMEOUT;
    }
}

/*
 * recv() into rx; *t_ms gets the kernel's arrival time of the data (SO_TIMESTAMPNS, the
 * same clock as the capture's timestamps), or the time now when the kernel gives none.
 */
static ssize_t recv_stamped(struct live *l, double *t_ms)
{
    char control[CMSG_SPACE(sizeof(struct timespec)) + 64];
    struct iovec iov = {.iov_base = l->rx, .iov_len = sizeof l->rx};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof control};
    ssize_t n = recvmsg(l->fd, &msg, 0);
    *t_ms = now_ms(l);
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
static int fill_rx(struct live *l)
{
    for (;;) {
        if (!wait_fd(l, POLLIN))
            return MBEDTLS_ERR_SSL_TIMEOUT;
        double t;
        ssize_t n = recv_stamped(l, &t);
        if (n > 0) {
            if (l->nfirst_server < sizeof l->first_server) {
                size_t k = sizeof l->first_server - l->nfirst_server;
                if (k > (size_t)n)
                    k = (size_t)n;
                memcpy(l->first_server + l->nfirst_server, l->rx, k);
                l->nfirst_server += k;
            }
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

static int tap_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct live *l = ctx;
    if (l->rx_len == 0) {
        if (l->peer_eof)
            return 0;
        int r = fill_rx(l);
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

static void on_export_keys(void *ctx, mbedtls_ssl_key_export_type type,
                           const unsigned char *secret, size_t secret_len,
                           const unsigned char client_random[32],
                           const unsigned char server_random[32],
                           mbedtls_tls_prf_types prf)
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
    if (l->keylog_file) {
        char line[2 * 32 + 2 * HS_SECRET_MAX + 64];
        size_t n = hs_keylog_format(kind, client_random, secret, secret_len, line, sizeof line);
        if (n > 0) {
            fwrite(line, 1, n, l->keylog_file);
            fflush(l->keylog_file);
        }
    }
    hs_decoder_keys_changed(l->dec);
}

static void on_debug(void *ctx, int level, const char *file, int line, const char *str)
{
    struct live *l = ctx;
    double t = now_ms(l);
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

/* ---- configuration from the options ---- */

/* The request cannot be met: said on stderr and kept as the trace's error (for --json). */
static void usage_error(struct hs_trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void usage_error(struct hs_trace *t, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "hstrace: %s\n", msg);
    hs_trace_fail(t, HS_STAGE_USAGE, "%s", msg);
}

/* Splits a comma list into at most max-1 trimmed, non-empty items (a copy in *store). */
/* Splits a comma-separated option value; the count, or SPLIT_TOO_MANY (a usage error). */
#define SPLIT_TOO_MANY ((size_t)-1)
static size_t split_list(const char *s, char **store, char **items, size_t max)
{
    *store = hs_xstrdup(s);
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(*store, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ')
            *--end = '\0';
        if (*tok == '\0')
            continue;
        if (n + 1 >= max) {
            items[0] = NULL;
            return SPLIT_TOO_MANY;
        }
        items[n++] = tok;
    }
    items[n] = NULL;
    return n;
}

struct tls_setup {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_x509_crt ca;
    int suites[MAX_LIST];
    uint16_t groups[MAX_LIST];
    char *alpn_store;
    const char *alpn[MAX_LIST];
};

static void setup_init(struct tls_setup *s)
{
    mbedtls_entropy_init(&s->entropy);
    mbedtls_ctr_drbg_init(&s->drbg);
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_ssl_init(&s->ssl);
    mbedtls_x509_crt_init(&s->ca);
    s->alpn_store = NULL;
}

static void setup_free(struct tls_setup *s)
{
    mbedtls_ssl_free(&s->ssl);
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_ctr_drbg_free(&s->drbg);
    mbedtls_entropy_free(&s->entropy);
    mbedtls_x509_crt_free(&s->ca);
    free(s->alpn_store);
}

/* Loads the trusted CAs into ca; 0, or -1 after a usage error. */
static int load_cas(const struct hs_live_opts *o, mbedtls_x509_crt *ca, struct hs_trace *t)
{
    char why[160];
    int r;
    if (o->cafile && (r = mbedtls_x509_crt_parse_file(ca, o->cafile)) < 0) {
        mbedtls_strerror(r, why, sizeof why);
        usage_error(t, "cannot read CA file %s: %s", o->cafile, why);
        return -1;
    }
    if (o->capath && (r = mbedtls_x509_crt_parse_path(ca, o->capath)) < 0) {
        mbedtls_strerror(r, why, sizeof why);
        usage_error(t, "cannot read CA directory %s: %s", o->capath, why);
        return -1;
    }
    if (!o->cafile && !o->capath &&
        mbedtls_x509_crt_parse_file(ca, "/etc/ssl/certs/ca-certificates.crt") < 0)
        (void)mbedtls_x509_crt_parse_path(ca, "/etc/ssl/certs");
    return 0;
}

/*
 * Signature algorithms, PKCS#1 before PSS: mbedTLS offers RSA-PSS in a ClientHello that also
 * offers TLS 1.2, but rejects it when a TLS 1.2 server picks it for its ServerKeyExchange
 * (illegal_parameter).  Servers that follow the client's order then pick PKCS#1 in TLS 1.2,
 * while TLS 1.3 servers must still pick PSS, which mbedTLS supports there.
 */
static const uint16_t sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256, MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512, MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,       MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,    MBEDTLS_TLS1_3_SIG_NONE,
};

/* Applies --tls1.x, --ciphers, --groups, --alpn; 0, or -1 after a usage error. */
static int apply_options(const struct hs_live_opts *o, struct tls_setup *s, struct hs_trace *t)
{
    mbedtls_ssl_config *c = &s->conf;
    mbedtls_ssl_conf_sig_algs(c, sig_algs);
    if (o->only_tls12) {
        mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
        mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
    } else if (o->only_tls13) {
        mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_3);
        mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_3);
    }
    char *items[MAX_LIST];
    char *store = NULL;
    if (o->ciphers) {
        size_t n = split_list(o->ciphers, &store, items, MAX_LIST);
        if (n == SPLIT_TOO_MANY) {
            usage_error(t, "too many cipher suites (at most 63)");
            free(store);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            int id = hs_suite_by_name(items[i]);
            if (id < 0) {
                usage_error(t, "unknown cipher suite: %s", items[i]);
                free(store);
                return -1;
            }
            s->suites[i] = id;
        }
        s->suites[n] = 0;
        free(store);
        if (n == 0) {
            usage_error(t, "empty cipher suite list");
            return -1;
        }
        mbedtls_ssl_conf_ciphersuites(c, s->suites);
    }
    if (o->groups) {
        size_t n = split_list(o->groups, &store, items, MAX_LIST);
        if (n == SPLIT_TOO_MANY) {
            usage_error(t, "too many groups (at most 63)");
            free(store);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            int g = hs_group_by_name(items[i]);
            if (g <= 0) {
                usage_error(t, "unknown group: %s", items[i]);
                free(store);
                return -1;
            }
            s->groups[i] = (uint16_t)g;
        }
        s->groups[n] = 0;
        free(store);
        if (n == 0) {
            usage_error(t, "empty group list");
            return -1;
        }
        mbedtls_ssl_conf_groups(c, s->groups);
    }
    if (o->alpn) {
        char *alpn_items[MAX_LIST];
        size_t n = split_list(o->alpn, &s->alpn_store, alpn_items, MAX_LIST);
        if (n == SPLIT_TOO_MANY) {
            usage_error(t, "too many ALPN protocols (at most 63)");
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (strlen(alpn_items[i]) > 255) {
                usage_error(t, "ALPN protocol name too long: %s", alpn_items[i]);
                return -1;
            }
            s->alpn[i] = alpn_items[i];
        }
        s->alpn[n] = NULL;
        if (n == 0) {
            usage_error(t, "empty ALPN list");
            return -1;
        }
        if (mbedtls_ssl_conf_alpn_protocols(c, s->alpn) != 0) {
            usage_error(t, "bad ALPN list: %s", o->alpn);
            return -1;
        }
    }
    return 0;
}

/* A ClientHello larger than mbedTLS can send would fail every handshake: a usage error. */
static int check_hello_size(const struct hs_live_opts *o, const struct hs_target *tg,
                            const struct tls_setup *s, struct hs_trace *t)
{
    size_t sni = o->no_sni ? 0 : strlen(o->sni ? o->sni : tg->host);
    size_t bound = hs_hello_bound(s->suites, s->groups, o->alpn ? s->alpn : NULL, sni);
    if (bound <= HS_HELLO_MAX)
        return 0;
    usage_error(t, "--alpn, --ciphers, --groups and the server name make a ClientHello of up "
                "to %zu bytes; it must fit in %d (see LIMITS in hstrace(1))", bound, HS_HELLO_MAX);
    return -1;
}

/* A problem row when captured TCP segments found the tap's queue full (they became no row). */
static void report_queue_drops(struct live *l)
{
    struct hs_capture_drops d;
    if (l->cap == NULL)
        return;
    hs_capture_queue_drops(l->cap, &d);
    if (d.segments == 0)
        return;
    struct hs_event *ev = hs_event_new(d.first_from_server ? HS_SERVER : HS_CLIENT, HS_LAYER_TCP,
                                       "Error", (d.first_ts - l->start_wall) * 1000.0);
    ev->problem = true;
    hs_f_str(ev->fields, "error", "capture queue full");
    hs_f_int(ev->fields, "segments", (long long)d.segments);
    hs_f_int(ev->fields, "control", (long long)d.control);
    hs_f_int(ev->fields, "limit", HS_CAPTURE_QUEUE_MAX);
    hs_event_summary(ev, "%zu captured TCP segments not shown, %zu of them SYN/FIN/RST (more "
                     "than %d waited at once)", d.segments, d.control, HS_CAPTURE_QUEUE_MAX);
    hs_trace_add(l->trace, ev);
}

/* A one-line reason for a handshake that stopped with mbedTLS error ret. */
static void fail_handshake(struct live *l, int ret)
{
    struct hs_trace *t = l->trace;
    if (l->timed_out) {
        hs_trace_fail(t, HS_STAGE_TIMEOUT, "TLS handshake timed out after %g s (no reply from "
                      "the server)", l->o->timeout_s);
        return;
    }
    if (hs_decoder_not_tls(l->dec, HS_SERVER)) {
        /* Name what it speaks when the reply is text: the first bytes, printable only. */
        char peek[sizeof l->first_server + 1];
        size_t k = 0;
        bool text = l->nfirst_server > 0;
        for (size_t i = 0; i < l->nfirst_server; i++) {
            uint8_t c = l->first_server[i];
            if (c == '\r' || c == '\n')
                break;
            if (c < 0x20 || c > 0x7e)
                text = false;
            peek[k++] = (char)c;
        }
        peek[k] = '\0';
        if (text && strncmp(peek, "HTTP/", 5) == 0)
            hs_trace_fail(t, HS_STAGE_TLS, "the server does not speak TLS (it replied in plain "
                          "HTTP: \"%s\")", peek);
        else if (text && k > 0)
            hs_trace_fail(t, HS_STAGE_TLS, "the server does not speak TLS (its reply starts "
                          "with \"%s\")", peek);
        else
            hs_trace_fail(t, HS_STAGE_TLS, "the server does not speak TLS");
        return;
    }
    char alert[96];
    if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE &&
        hs_outcome_last_alert(t, HS_SERVER, alert, sizeof alert)) {
        hs_trace_fail(t, HS_STAGE_TLS, "server sent fatal alert %s", alert);
        return;
    }
    if (ret == MBEDTLS_ERR_SSL_CONN_EOF || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
        l->peer_eof) {
        hs_trace_fail(t, HS_STAGE_TLS, "the server closed the connection during the handshake");
        return;
    }
    if (ret == MBEDTLS_ERR_NET_CONN_RESET) {
        hs_trace_fail(t, HS_STAGE_TLS, "the server reset the connection during the handshake");
        return;
    }
    if (ret == MBEDTLS_ERR_NET_RECV_FAILED || ret == MBEDTLS_ERR_NET_SEND_FAILED) {
        hs_trace_fail(t, HS_STAGE_TLS, "socket error during the handshake: %s",
                      strerror(l->sock_errno));
        return;
    }
    char msg[160];
    mbedtls_strerror(ret, msg, sizeof msg);
    /* The client gave up on the server's bytes: the decoder's finding says why in the
     * protocol's words, mbedTLS's code (sometimes as vague as "Bad input parameters") after. */
    const struct hs_event *bad = hs_outcome_server_violation(t);
    if (bad && hs_outcome_last_alert(t, HS_CLIENT, alert, sizeof alert)) {
        hs_trace_fail(t, HS_STAGE_TLS, "the server's %s broke the protocol: %s; the client "
                      "aborted with fatal alert %s (mbedTLS: %s, -0x%04x)", bad->type,
                      hs_outcome_violation(bad), alert, msg, (unsigned)-ret);
        return;
    }
    if (hs_outcome_last_alert(t, HS_CLIENT, alert, sizeof alert)) {
        hs_trace_fail(t, HS_STAGE_TLS, "the client aborted the handshake with fatal alert %s "
                      "(mbedTLS: %s, -0x%04x)", alert, msg, (unsigned)-ret);
        return;
    }
    hs_trace_fail(t, HS_STAGE_TLS, "TLS handshake failed: %s (-0x%04x)", msg, (unsigned)-ret);
}

/* Opened after the privilege drop, so the key log belongs to the user who will read it. */
static void start_keylog(struct live *l)
{
    const char *kl = l->o->keylog ? l->o->keylog : getenv("SSLKEYLOGFILE");
    if (kl == NULL || *kl == '\0')
        return;
    char err[512];
    l->keylog_file = hs_outfile_fopen(kl, HS_OUT_APPEND, 0600, err, sizeof err);
    if (l->keylog_file == NULL)
        fprintf(stderr, "hstrace: key log not written: %s\n", err);
    else
        fprintf(stderr, "hstrace: writing TLS secrets to %s: anyone with this file can decrypt "
                "the connection\n", kl);
}

/*
 * Root (or the capabilities) was for the capture handle: from here on the process is the
 * user, and only then are the files the user named opened, the CA files first.  Runs once;
 * false when nothing more may run (the reason is said).
 */
static bool become_user(struct live *l)
{
    if (l->settled)
        return !l->privs_failed && !l->ca_failed;
    l->settled = true;
    char err[256];
    if (hs_privs_drop(&l->privs, err, sizeof err) != 0) {
        usage_error(l->trace, "%s", err);
        l->privs_failed = true;
        return false;
    }
    if (l->own_ca && load_cas(l->o, l->own_ca, l->trace) != 0) {
        l->ca_failed = true;
        return false;
    }
    return true;
}

/* ---- -w: the connection's packets into a capture file ---- */

/* -w asks for packets: without a capture that is a failed request, said before connecting. */
static void refuse_write(struct hs_trace *t, enum hs_capture_open_result cr, const char *why)
{
    if (cr != HS_CAPTURE_DENIED) {
        usage_error(t, "-w needs packet capture: %s", why);
        return;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        snprintf(self, sizeof self, "$(command -v hstrace)");
    else
        self[n] = '\0';
    usage_error(t, "-w needs packet capture: %s; run as root or: sudo setcap "
                "cap_net_raw,cap_net_admin=eip %s", why, self);
}

/* The session's key log as NSS text (malloc'd, *n its length), or NULL when empty. */
static char *keylog_text(const struct hs_keylog *keys, size_t *n)
{
    char *text = NULL;
    *n = 0;
    FILE *m = open_memstream(&text, n);
    if (m == NULL)
        return NULL;
    int r = hs_keylog_write(keys, m);
    if (fclose(m) != 0 || r != HS_OK || *n == 0) {
        free(text);
        *n = 0;
        return NULL;
    }
    return text;
}

/* Takes what the tap kept and the secrets; NULL when nothing was captured. */
static struct hs_live_saved *take_saved(struct live *l)
{
    if (l->cap == NULL)
        return NULL;
    struct hs_live_saved *sv = hs_xcalloc(1, sizeof *sv);
    hs_capture_take_packets(l->cap, &sv->packets);
    sv->keylog = keylog_text(l->keys, &sv->keylog_len);
    return sv;
}

/* -w: the trace already ran, so a failure to write is only said, on stderr. */
static void write_capture(struct live *l, const struct hs_live_saved *sv)
{
    const char *path = l->o->write_path;
    if (path == NULL)
        return;
    if (sv == NULL) {
        fprintf(stderr, "hstrace: %s not written: the trace ended before the capture started\n",
                path);
        return;
    }
    char err[512];
    if (hs_live_saved_write(sv, path, l->o->force, err, sizeof err) != 0)
        fprintf(stderr, "hstrace: -w: %s\n", err);
    if (sv->packets.dropped)
        fprintf(stderr, "hstrace: %s holds the first %zu packets; %zu more were not kept\n",
                path, sv->packets.n, sv->packets.dropped);
}

/* ---- the stages ---- */

/* Resolve, bind, capture, connect.  false when the trace failed (reason recorded). */
static bool connect_stage(struct live *l, const struct hs_target *tg, struct hs_addr *dst)
{
    struct hs_trace *t = l->trace;
    char err[256];
    /* The trace's clock starts here; packet timestamps use the same (wall) clock. */
    l->start_wall = hs_wall_s();
    hs_tcp_rows_init(&l->rows, l->start_wall);
    double t0 = l->start_wall;
    if (hs_net_resolve(tg->host, tg->port, l->o->family, dst, err, sizeof err) != 0) {
        t->dns_ms = (hs_wall_s() - t0) * 1000.0;
        hs_trace_fail(t, HS_STAGE_DNS, "cannot resolve %s: %s", tg->host, err);
        return false;
    }
    t->dns_ms = (hs_wall_s() - t0) * 1000.0;
    char abuf[64];
    hs_net_ntop(dst, abuf, sizeof abuf);
    t->address = hs_xstrdup(abuf);

    struct hs_addr src, bound;
    if (hs_net_source(dst, &src) != 0) {
        hs_trace_fail(t, HS_STAGE_CONNECT, "no route to %s: %s", abuf, strerror(errno));
        return false;
    }
    l->fd = hs_net_bound_socket(&src, &bound);
    if (l->fd < 0) {
        hs_trace_fail(t, HS_STAGE_CONNECT, "cannot create a socket: %s", strerror(errno));
        return false;
    }
    char lbuf[64];
    hs_net_ntop(&bound, lbuf, sizeof lbuf);
    t->client_address = bound.ss.ss_family == AF_INET6
                            ? hs_xasprintf("[%s]:%u", lbuf, hs_net_port(&bound))
                            : hs_xasprintf("%s:%u", lbuf, hs_net_port(&bound));

    /* The capture must be listening before the SYN leaves. */
    enum hs_capture_open_result cr = hs_capture_open(&l->cap, &bound, dst, err, sizeof err);
    if (!become_user(l))
        return false;
    /* The reader thread starts as the user: it holds nothing the drop took away. */
    if (cr == HS_CAPTURE_OK && hs_capture_start(l->cap, err, sizeof err) != 0) {
        hs_capture_free(l->cap);
        l->cap = NULL;
        cr = HS_CAPTURE_FAILED;
    }
    if (cr != HS_CAPTURE_OK && l->o->write_path) {
        refuse_write(l->trace, cr, err);
        l->write_refused = true;
        return false;
    }
    if (cr != HS_CAPTURE_OK) {
        t->tcp_inferred = true;
        t->hint = cr == HS_CAPTURE_DENIED
                      ? hs_xstrdup(CAPTURE_HINT)
                      : hs_xasprintf("packet capture failed (%s); TCP rows are inferred", err);
    }
    start_keylog(l);

    double c0 = now_ms(l);
    int timeout_ms = (int)(l->o->timeout_s * 1000.0);
    int e = hs_net_connect(l->fd, dst, timeout_ms > 0 ? timeout_ms : 1);
    double c1 = now_ms(l);
    t->tcp_ms = c1 - c0;
    drain_capture(l);
    if (e == 0) {
        if (t->tcp_inferred)
            hs_tcp_rows_inferred(t, c0, c1);
        return true;
    }
    if (t->tcp_inferred) {
        struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_TCP, "SYN", c0);
        ev->inferred = true;
        hs_event_summary(ev, "connect() called");
        hs_trace_add(t, ev);
    }
    if (e == ETIMEDOUT)
        hs_trace_fail(t, HS_STAGE_TIMEOUT, "TCP connect to %s port %u timed out after %g s",
                      abuf, tg->port, l->o->timeout_s);
    else if (e == ECONNREFUSED)
        hs_trace_fail(t, HS_STAGE_CONNECT, "connection refused by %s port %u", abuf, tg->port);
    else
        hs_trace_fail(t, HS_STAGE_CONNECT, "cannot connect to %s port %u: %s", abuf, tg->port,
                      strerror(e));
    return false;
}

/* Checks the verification once the chain was verified; false when the handshake must stop. */
static bool check_verification(struct live *l, mbedtls_ssl_context *ssl)
{
    struct hs_trace *t = l->trace;
    uint32_t flags = mbedtls_ssl_get_verify_result(ssl);
    if (flags == (uint32_t)-1)
        flags = MBEDTLS_X509_BADCERT_SKIP_VERIFY;
    hs_field_free(t->problems);
    t->problems = hs_field_new_array();
    hs_verify_problems(&l->verify, flags, t->problems);
    t->verified = flags == 0;
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", now_ms(l));
    if (flags == 0) {
        hs_event_summary(ev, "certificate verified%s",
                         l->verify.name ? " (name checked by hstrace)" : "");
    } else {
        char why[256] = "";
        size_t k = 0;
        for (const struct hs_field *p = t->problems->child; p && k < sizeof why; p = p->next) {
            int w = snprintf(why + k, sizeof why - k, "%s%s", k ? ", " : "", p->str);
            k += w > 0 ? (size_t)w : 0;
        }
        hs_event_summary(ev, "certificate verification failed: %s", why);
        ev->problem = true;
    }
    hs_trace_add(t, ev);
    if (flags == 0 || l->o->insecure)
        return true;
    /* As a browser would: tell the server why, and stop. */
    mbedtls_ssl_send_alert_message(ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                   (unsigned char)hs_verify_alert(&l->verify, flags));
    hs_trace_fail(t, HS_STAGE_VERIFY, "certificate verification failed: %s",
                  hs_verify_first_reason(&l->verify, flags));
    return false;
}

static bool handshake_stage(struct live *l, mbedtls_ssl_context *ssl)
{
    struct hs_trace *t = l->trace;
    double h0 = now_ms(l);
    l->deadline = hs_wall_s() + l->o->timeout_s;
    bool verify_seen = false;
    while (!mbedtls_ssl_is_handshake_over(ssl)) {
        int ret = mbedtls_ssl_handshake_step(ssl);
        drain_capture(l);
        if (!verify_seen) {
            uint32_t vr = mbedtls_ssl_get_verify_result(ssl);
            if (l->verify.checked || (vr != 0 && vr != (uint32_t)-1)) {
                verify_seen = true;
                if (!check_verification(l, ssl))
                    return false;
            }
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        if (ret != 0) {
            fail_handshake(l, ret);
            return false;
        }
    }
    t->tls_ms = now_ms(l) - h0;
    t->handshake_done = true;
    if (!verify_seen && !check_verification(l, ssl))
        return false;
    const char *alpn = mbedtls_ssl_get_alpn_protocol(ssl);
    if (alpn && t->alpn == NULL)
        t->alpn = hs_xstrdup(alpn);
    return true;
}

/* TLS 1.3 servers send tickets after the handshake: read briefly so they become rows. */
static void read_tickets(struct live *l, mbedtls_ssl_context *ssl)
{
    if (mbedtls_ssl_get_version_number(ssl) != MBEDTLS_SSL_VERSION_TLS1_3)
        return;
    double hard = l->deadline;
    double until = hs_wall_s() + TICKET_WAIT_MS / 1000.0;
    l->deadline = until < hard ? until : hard;
    unsigned char buf[4096];
    for (;;) {
        int r = mbedtls_ssl_read(ssl, buf, sizeof buf);
        if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            double more = hs_wall_s() + TICKET_MORE_MS / 1000.0;
            if (more < l->deadline)
                l->deadline = more;
            continue;
        }
        if (r > 0 || r == MBEDTLS_ERR_SSL_WANT_READ)
            continue;
        break; /* timeout, close_notify, EOF or error: enough */
    }
    l->timed_out = false;
}

/* close_notify, our FIN, then what the server sends back until its FIN (bounded). */
static void close_stage(struct live *l, mbedtls_ssl_context *ssl, bool send_close_notify)
{
    l->deadline = hs_wall_s() + CLOSE_WAIT_MS / 1000.0;
    if (send_close_notify && !l->peer_eof)
        mbedtls_ssl_close_notify(ssl);
    shutdown(l->fd, SHUT_WR);
    while (!l->peer_eof && !l->timed_out) {
        l->rx_len = 0;
        if (fill_rx(l) < 0)
            break;
    }
    l->rx_len = 0;
    close(l->fd);
    l->fd = -1;
    /* Wait for the FIN/RST segments to come through the capture. */
    while (l->cap && !hs_tcp_rows_closed(&l->rows) && hs_wall_s() < l->deadline) {
        drain_capture(l);
        if (!hs_tcp_rows_closed(&l->rows))
            usleep(5000);
    }
    if (l->cap) {
        hs_capture_stop(l->cap);
        drain_capture(l);
    }
}

/* Decides SNI and the name verified: mbedTLS checks the name when it is also the SNI. */
static int setup_names(struct live *l, const struct hs_target *tg, mbedtls_ssl_context *ssl)
{
    const struct hs_live_opts *o = l->o;
    const char *verify_name = o->sni ? o->sni : tg->host;
    const char *sni = o->no_sni ? NULL : o->sni ? o->sni : tg->is_ip ? NULL : tg->host;
    if (sni) {
        /* Here sni == verify_name: mbedTLS sends it and checks it. */
        l->trace->sni = hs_xstrdup(sni);
        return mbedtls_ssl_set_hostname(ssl, sni);
    }
    /* No SNI (an IP literal, --no-sni): mbedTLS checks no name, our verify callback does. */
    l->verify.name = verify_name;
    return mbedtls_ssl_set_hostname(ssl, NULL);
}

int hs_live_trace(const struct hs_live_opts *o, const struct hs_live_extra *extra,
                  struct hs_trace *t)
{
    struct live *l = hs_xcalloc(1, sizeof *l);
    l->o = o;
    l->trace = t;
    l->fd = -1;
    l->start_wall = hs_wall_s(); /* restarted just before DNS */

    struct tls_setup *s = hs_xcalloc(1, sizeof *s);
    setup_init(s);
    int code = HS_EXIT_USAGE;

    const char *target = extra && extra->target ? extra->target : o->target;
    struct hs_target tg;
    char err[128];
    if (hs_target_parse(target, o->port, &tg, err, sizeof err) != 0) {
        usage_error(t, "invalid target: %s", err);
        goto done;
    }
    t->host = hs_xstrdup(tg.host);
    t->port = tg.port;
    if (hs_privs_plan(o->user, &l->privs, err, sizeof err) != 0) {
        usage_error(t, "%s", err);
        goto done;
    }

    /* Loaded by become_user, once the capture is open: the files are opened as the user. */
    l->own_ca = extra && extra->ca ? NULL : &s->ca;
    l->verify.trusted = extra && extra->ca ? extra->ca : &s->ca;
    if (psa_crypto_init() != PSA_SUCCESS ||
        mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy, NULL, 0) != 0 ||
        mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        hs_trace_fail(t, HS_STAGE_TLS, "cannot initialise mbedTLS");
        code = t->exit_code;
        goto done;
    }
    mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
    mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    mbedtls_ssl_conf_ca_chain(&s->conf, (mbedtls_x509_crt *)l->verify.trusted, NULL);
    mbedtls_ssl_conf_verify(&s->conf, hs_verify_cb, &l->verify);
    mbedtls_ssl_conf_session_tickets(&s->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        &s->conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
    mbedtls_ssl_conf_dbg(&s->conf, on_debug, l);
    mbedtls_debug_set_threshold(o->debug > HS_DBGNOTES_LEVEL ? o->debug : HS_DBGNOTES_LEVEL);
    if (apply_options(o, s, t) != 0 || check_hello_size(o, &tg, s, t) != 0)
        goto done;
    if (mbedtls_ssl_setup(&s->ssl, &s->conf) != 0 || setup_names(l, &tg, &s->ssl) != 0) {
        hs_trace_fail(t, HS_STAGE_TLS, "cannot set up the TLS session");
        code = t->exit_code;
        goto done;
    }
    mbedtls_ssl_set_export_keys_cb(&s->ssl, on_export_keys, l);
    mbedtls_ssl_set_bio(&s->ssl, l, tap_send, tap_recv, NULL);

    l->keys = hs_keylog_new();
    l->dec = hs_decoder_new(t, l->keys);

    struct hs_addr dst;
    bool connected = connect_stage(l, &tg, &dst);
    if (!connected)
        (void)become_user(l); /* stopped before the capture: a bad CA file is still a usage error */
    if (l->write_refused || l->privs_failed || l->ca_failed)
        goto done; /* code is HS_EXIT_USAGE: the request cannot be met, nothing ran */
    if (connected) {
        bool ok = handshake_stage(l, &s->ssl);
        t->total_ms = now_ms(l);
        if (ok)
            read_tickets(l, &s->ssl);
        close_stage(l, &s->ssl, ok);
    } else {
        t->total_ms = now_ms(l);
        if (l->fd >= 0) {
            close(l->fd);
            l->fd = -1;
        }
        if (l->cap) {
            hs_capture_stop(l->cap);
            drain_capture(l);
        }
    }
    hs_decoder_finish(l->dec, now_ms(l));
    t->round_trips = hs_count_round_trips(t, -1);
    report_queue_drops(l); /* after the count: the row is no round trip */
    code = t->error_stage == HS_STAGE_NONE ? HS_EXIT_OK : t->exit_code;
    struct hs_live_saved *sv = take_saved(l);
    write_capture(l, sv);
    if (extra && extra->keep)
        *extra->keep = sv;
    else
        hs_live_saved_free(sv);

done:
    t->exit_code = code;
    if (l->fd >= 0)
        close(l->fd);
    if (l->keylog_file)
        fclose(l->keylog_file);
    hs_decoder_free(l->dec);
    hs_keylog_free(l->keys);
    hs_capture_free(l->cap);
    setup_free(s);
    free(s);
    free(l);
    return code;
}

int hs_live_run(const struct hs_live_opts *o, struct hs_trace *trace)
{
    return hs_live_trace(o, NULL, trace);
}

int hs_live_run_keep(const struct hs_live_opts *o, struct hs_trace *trace,
                     struct hs_live_saved **keep)
{
    *keep = NULL;
    struct hs_live_extra extra = {.keep = keep};
    return hs_live_trace(o, &extra, trace);
}
