/*
 * The live client: resolve, bind, capture, connect, then run the mbedTLS handshake through a
 * socket tap that feeds every byte to the decoder, all into one trace.  Only this thread adds
 * events to the trace (the capture thread queues its segments for us).
 */
#include "client_internal.h"
#include "clientcert.h"
#include "dbgnotes.h"
#include "keyfile.h"
#include "live.h"
#include "live_internal.h"
#include "net.h"
#include "privs.h"
#include "probe.h"
#include "starttls.h"
#include "target.h"
#include "oldtls.h"
#include "tlsconfig.h"
#include "verify.h"

#include "../net/pcapwrite.h"
#include "../net/roundtrips.h"
#include "../net/tcprows.h"
#include "../core/escape.h"
#include "../core/mem.h"
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

#define TICKET_WAIT_MS 300     /* at most, how long to wait for TLS 1.3 NewSessionTickets */
#define TICKET_MORE_MS 30      /* at most, after a ticket, how long to wait for another */
#define CLOSE_WAIT_MS 200      /* after close: the server's close_notify, FIN/RST */
#define CAPTURE_HINT                                                                          \
    "packet capture not permitted; TCP rows are inferred (run as root or: sudo setcap "       \
    "cap_net_raw,cap_net_admin=eip $(command -v hstrace))"
#define NO_CAPTURE_HINT                                                                       \
    "no packet capture when several targets are traced at once; TCP rows are inferred"
/* A problem row when captured TCP segments found the tap's queue full (they became no row). */
static void report_queue_drops(struct live *l)
{
    struct hs_tap_drops d;
    if (l->cap == NULL)
        return;
    hs_tap_queue_drops(l->cap, &d);
    if (d.segments == 0)
        return;
    struct hs_event *ev = hs_event_new(d.first_from_server ? HS_SERVER : HS_CLIENT, HS_LAYER_TCP,
                                       "Error", (d.first_ts - l->start_wall) * 1000.0);
    ev->problem = true;
    hs_f_str(ev->fields, "error", "capture queue full");
    hs_f_int(ev->fields, "segments", (long long)d.segments);
    hs_f_int(ev->fields, "control", (long long)d.control);
    hs_f_int(ev->fields, "limit", HS_TAP_QUEUE_MAX);
    hs_event_summary(ev, "%zu captured TCP segments not shown, %zu of them SYN/FIN/RST (more "
                     "than %d waited at once)", d.segments, d.control, HS_TAP_QUEUE_MAX);
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
    char what[96];
    if (hs_decoder_not_tls_reason(l->dec, HS_SERVER, what, sizeof what)) {
        hs_trace_fail(t, HS_STAGE_TLS, "the server does not speak TLS%s%s%s", *what ? " (" : "",
                      what, *what ? ")" : "");
        return;
    }
    char msg[160], old[512];
    mbedtls_strerror(ret, msg, sizeof msg);
    if (hs_old_tls_reason(t, hs_decoder_first_record_version(l->dec, HS_SERVER), old,
                          sizeof old)) {
        hs_trace_fail(t, HS_STAGE_TLS, "%s (mbedTLS: %s, -0x%04x)", old, msg, (unsigned)-ret);
        return;
    }
    /* A fatal alert from the server says why, even when writing to it failed first. */
    char reason[320];
    enum hs_side who;
    if (hs_outcome_alert_reason(t, &who, reason, sizeof reason) && who == HS_SERVER) {
        hs_trace_fail(t, HS_STAGE_TLS, "%s", reason);
        return;
    }
    char alert[96];
    /* The connection broke: the server's alert may still be on its way in, so the reason
     * waits until close_stage read what is left (settle_verdict). */
    const char *broke = NULL;
    if (ret == MBEDTLS_ERR_SSL_CONN_EOF || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
        l->peer_eof)
        broke = "the server closed the connection during the handshake";
    else if (ret == MBEDTLS_ERR_NET_CONN_RESET)
        broke = "the server reset the connection during the handshake";
    else if (ret == MBEDTLS_ERR_NET_RECV_FAILED || ret == MBEDTLS_ERR_NET_SEND_FAILED)
        broke = "socket error during the handshake: ";
    if (broke) {
        snprintf(l->broken, sizeof l->broken, "%s%s", broke,
                 broke[strlen(broke) - 1] == ' ' ? strerror(l->sock_errno) : "");
        return;
    }
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

void live_handshake_failed(struct live *l, int ret)
{
    fail_handshake(l, ret);
}

/*
 * Once everything was read: a fatal alert (certificate_required after the client's Finished,
 * or the server's alert behind a broken write) fails the connection in the capture reader's
 * words; else a connection that broke during the handshake says so.
 */
static void settle_verdict(struct live *l)
{
    struct hs_trace *t = l->trace;
    char reason[320];
    if (t->error_stage == HS_STAGE_NONE && hs_outcome_alert_reason(t, NULL, reason, sizeof reason))
        hs_trace_fail(t, HS_STAGE_TLS, "%s", reason);
    if (l->broken[0])
        hs_trace_fail(t, HS_STAGE_TLS, "%s", l->broken);
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
    char err[512];
    if (hs_privs_drop(&l->privs, err, sizeof err) != 0) {
        hs_live_usage_error(l->trace, "%s", err);
        l->privs_failed = true;
        return false;
    }
    if (l->own_ca && hs_tls_load_cas(l->o, l->own_ca, l->trace) != 0) {
        l->ca_failed = true;
        return false;
    }
    struct hs_tls_setup *s = l->tls;
    if (hs_clientcert_load(l->o, &s->conf, &s->own_cert, &s->own_key, err, sizeof err) != 0) {
        hs_live_usage_error(l->trace, "%s", err);
        l->ca_failed = true;
        return false;
    }
    return true;
}

/* ---- -w: the connection's packets into a capture file ---- */

/* -w asks for packets: without a capture that is a failed request, said before connecting. */
static void refuse_write(struct hs_trace *t, enum hs_tap_open_result cr, const char *why)
{
    if (cr != HS_TAP_DENIED) {
        hs_live_usage_error(t, "-w needs packet capture: %s", why);
        return;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        snprintf(self, sizeof self, "$(command -v hstrace)");
    else
        self[n] = '\0';
    hs_live_usage_error(t, "-w needs packet capture: %s; run as root or: sudo setcap "
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
    hs_tap_take_packets(l->cap, &sv->packets);
    sv->keylog = keylog_text(l->keys, &sv->keylog_len);
    return sv;
}

/* -w: the trace already ran, so a failure to write is said on stderr; false then. */
static bool write_capture(struct live *l, const struct hs_live_saved *sv)
{
    const char *path = l->o->write_path;
    if (path == NULL)
        return true;
    if (sv == NULL) {
        fprintf(stderr, "hstrace: %s not written: the trace ended before the capture started\n",
                path);
        return true; /* nothing to write is no write error: the trace's status says why */
    }
    char err[512];
    bool ok = hs_live_saved_write(sv, path, l->o->force, err, sizeof err) == 0;
    if (!ok)
        fprintf(stderr, "hstrace: -w: %s\n", err);
    if (sv->packets.dropped)
        fprintf(stderr, "hstrace: %s holds the first %zu packets; %zu more were not kept\n",
                path, sv->packets.n, sv->packets.dropped);
    return ok;
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
        char *host = hs_escape_str(tg->host);
        hs_trace_fail(t, HS_STAGE_DNS, "cannot resolve %s: %s", host, err);
        free(host);
        return false;
    }
    t->dns_ms = (hs_wall_s() - t0) * 1000.0;
    double resolved = live_now_ms(l);
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
    enum hs_tap_open_result cr = l->o->no_capture
                                     ? HS_TAP_FAILED
                                     : hs_tap_open(&l->cap, &bound, dst, err, sizeof err);
    if (!become_user(l))
        return false;
    /* The reader thread starts as the user: it holds nothing the drop took away. */
    if (cr == HS_TAP_OK && hs_tap_start(l->cap, err, sizeof err) != 0) {
        hs_tap_free(l->cap);
        l->cap = NULL;
        cr = HS_TAP_FAILED;
    }
    if (cr != HS_TAP_OK && l->o->write_path) {
        refuse_write(l->trace, cr, err);
        l->write_refused = true;
        return false;
    }
    if (cr != HS_TAP_OK) {
        t->tcp_inferred = true;
        t->hint = cr == HS_TAP_DENIED ? hs_xstrdup(CAPTURE_HINT)
                  : l->o->no_capture
                      ? hs_xstrdup(NO_CAPTURE_HINT)
                      : hs_xasprintf("packet capture failed (%s); TCP rows are inferred", err);
    }
    /* After the drop, so the key log belongs to the user who will read it. */
    l->keyfile = hs_keyfile_open(l->o->keylog ? l->o->keylog : getenv("SSLKEYLOGFILE"));

    double c0 = live_now_ms(l);
    t->setup_ms = c0 - resolved; /* not part of the total: the connection had not started */
    int timeout_ms = (int)(l->o->timeout_s * 1000.0);
    int e = hs_net_connect(l->fd, dst, timeout_ms > 0 ? timeout_ms : 1, l->o->cancel);
    double c1 = live_now_ms(l);
    t->tcp_ms = c1 - c0;
    l->connected_ms = c1;
    live_drain_capture(l);
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
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", live_now_ms(l));
    if (flags == 0) {
        hs_event_summary(ev, "certificate verified%s",
                         t->chain == NULL ? " with the resumed session (none sent)"
                         : l->verify.name ? " (name checked by hstrace)" : "");
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
    char why[768];
    hs_verify_reason(&l->verify, flags, why, sizeof why);
    hs_trace_fail(t, HS_STAGE_VERIFY, "certificate verification failed: %s", why);
    return false;
}

static bool handshake_stage(struct live *l, mbedtls_ssl_context *ssl)
{
    struct hs_trace *t = l->trace;
    l->deadline = hs_wall_s() + l->o->timeout_s;
    bool verify_seen = false;
    while (!mbedtls_ssl_is_handshake_over(ssl)) {
        live_step_pause(l);
        int ret = mbedtls_ssl_handshake_step(ssl);
        live_drain_capture(l);
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
            l->stopped_ms = live_now_ms(l); /* before waiting for the capture */
            live_flush_feed(l, FEED_WAIT);  /* the reason may need the server's last bytes */
            fail_handshake(l, ret);
            return false;
        }
    }
    t->handshake_done = true;
    if (!verify_seen && !check_verification(l, ssl))
        return false;
    const char *alpn = mbedtls_ssl_get_alpn_protocol(ssl);
    if (alpn && t->alpn == NULL)
        t->alpn = hs_xstrdup(alpn);
    return true;
}

/* The round trip measured so far (ms): the TCP connect's, or the TLS handshake's first one
 * (the client's first bytes to the server's first bytes, the server's work included),
 * whichever is longer. */
static double measured_rtt_ms(const struct live *l)
{
    double rtt = l->trace->tcp_ms > 0 ? l->trace->tcp_ms : 0;
    double tls = l->first_recv_ms - l->first_sent_ms;
    if (l->first_sent_ms > 0 && tls > rtt)
        rtt = tls;
    return rtt;
}

/*
 * TLS 1.3 servers send tickets once they have the client's Finished, one round trip after
 * the handshake, so that they become rows.  When `closing`, close_notify and the FIN go first:
 * the server answers them after its tickets, so the same round trip brings both and the read
 * ends at its close_notify or FIN (at most CLOSE_WAIT_MS); true then.  Else (the session is
 * kept for a resumption) it reads 1.5 round trips and 2 ms (at most TICKET_WAIT_MS; when
 * `patient`, as the demo is for a ladder in a lesson's order on a loaded machine, for
 * TICKET_WAIT_MS), and after a ticket only as long as another of the same flight may take.
 */
static bool read_tickets(struct live *l, mbedtls_ssl_context *ssl, bool closing, bool patient)
{
    if (mbedtls_ssl_get_version_number(ssl) != MBEDTLS_SSL_VERSION_TLS1_3)
        return false;
    double rtt = measured_rtt_ms(l);
    double wait_ms = 1.5 * rtt + 2.0, more_ms = rtt / 4 + 1.0;
    wait_ms = wait_ms < TICKET_WAIT_MS && !patient ? wait_ms : TICKET_WAIT_MS;
    more_ms = more_ms < TICKET_MORE_MS ? more_ms : TICKET_MORE_MS;
    if (closing) {
        if (!l->peer_eof)
            mbedtls_ssl_close_notify(ssl);
        shutdown(l->fd, SHUT_WR);
        wait_ms = more_ms = CLOSE_WAIT_MS;
    }
    double hard = l->deadline;
    double until = hs_wall_s() + wait_ms / 1000.0;
    l->deadline = until < hard ? until : hard;
    unsigned char buf[4096];
    for (;;) {
        int r = mbedtls_ssl_read(ssl, buf, sizeof buf);
        if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            double more = hs_wall_s() + more_ms / 1000.0;
            if (more < l->deadline)
                l->deadline = more;
            continue;
        }
        if (r > 0 || r == MBEDTLS_ERR_SSL_WANT_READ)
            continue;
        break; /* timeout, close_notify, EOF or error: enough */
    }
    l->timed_out = false;
    return closing;
}

/* close_notify, our FIN, then what the server sends back until its FIN (bounded).  `closed`:
 * read_tickets sent them and waited already (its deadline stands). */
static void close_stage(struct live *l, mbedtls_ssl_context *ssl, bool send_close_notify,
                        bool closed)
{
    if (!closed)
        l->deadline = hs_wall_s() + CLOSE_WAIT_MS / 1000.0;
    if (send_close_notify && !closed && !l->peer_eof)
        mbedtls_ssl_close_notify(ssl);
    shutdown(l->fd, SHUT_WR);
    while (!l->peer_eof && !l->timed_out) {
        l->rx_len = 0;
        if (live_fill_rx(l) < 0)
            break;
    }
    l->rx_len = 0;
    close(l->fd);
    l->fd = -1;
    /* Wait for the FIN/RST segments to come through the capture. */
    while (l->cap && !hs_tcp_rows_closed(&l->rows) && hs_wall_s() < l->deadline) {
        live_drain_capture(l);
        if (!hs_tcp_rows_closed(&l->rows))
            usleep(250);
    }
    if (l->cap) {
        hs_tap_stop(l->cap);
        live_drain_capture(l);
    }
}

/* The total is the sum of the stages that ran: DNS, TCP, STARTTLS, TLS (the set-up is
 * apart). */
static void set_total(struct hs_trace *t)
{
    double parts[] = {t->dns_ms, t->tcp_ms, t->starttls_ms, t->tls_ms};
    t->total_ms = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i] > 0)
            t->total_ms += parts[i];
}

/* Decides SNI and the name verified: mbedTLS checks the name when it is also the SNI. */
static int setup_names(struct live *l, const struct hs_target *tg, mbedtls_ssl_context *ssl)
{
    const struct hs_live_opts *o = l->o;
    const char *verify_name = o->sni ? o->sni : tg->host;
    const char *sni = o->no_sni ? NULL : o->sni ? o->sni : tg->is_ip ? NULL : tg->host;
    l->verify.host = verify_name;
    if (sni) {
        /* Here sni == verify_name: mbedTLS sends it and checks it. */
        l->trace->sni = hs_xstrdup(sni);
        return mbedtls_ssl_set_hostname(ssl, sni);
    }
    /* No SNI (an IP literal, --no-sni): mbedTLS checks no name, our verify callback does. */
    l->verify.name = verify_name;
    return mbedtls_ssl_set_hostname(ssl, NULL);
}

/* mbedTLS's debug threshold is one for the process: written only when it changes, so that
 * traces in several threads (all with one --debug, set by hs_live_prepare_threads before
 * they start) only read it. */
static atomic_int debug_threshold = -1;

static void set_debug_threshold(const struct hs_live_opts *o)
{
    int want = o->debug > HS_DBGNOTES_LEVEL ? o->debug : HS_DBGNOTES_LEVEL;
    if (atomic_exchange(&debug_threshold, want) != want)
        mbedtls_debug_set_threshold(want);
}

int hs_live_prepare_threads(const struct hs_live_opts *o)
{
    set_debug_threshold(o);
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}

int hs_live_trace(const struct hs_live_opts *o, const struct hs_live_extra *extra,
                  struct hs_trace *t)
{
    struct live *l = hs_xcalloc(1, sizeof *l);
    l->o = o;
    l->trace = t;
    l->fd = -1;
    l->start_wall = hs_wall_s(); /* restarted just before DNS */

    struct hs_tls_setup *s = hs_xcalloc(1, sizeof *s);
    hs_tls_setup_init(s);
    int code = HS_EXIT_USAGE;

    const char *target = extra && extra->target ? extra->target : o->target;
    struct hs_target tg;
    char err[128];
    if (hs_target_parse(target, o->port, &tg, err, sizeof err) != 0) {
        hs_live_usage_error(t, "invalid target: %s", err);
        goto done;
    }
    if (o->starttls && !tg.port_given)
        tg.port = hs_starttls_port(o->starttls);
    t->host = hs_xstrdup(tg.host);
    t->port = tg.port;
    if (hs_privs_plan(o->user, &l->privs, err, sizeof err) != 0) {
        hs_live_usage_error(t, "%s", err);
        goto done;
    }

    /* Loaded by become_user, once the capture is open: the files are opened as the user. */
    l->tls = s;
    l->own_ca = extra && extra->ca ? NULL : &s->ca;
    l->verify.trusted = extra && extra->ca ? extra->ca : &s->ca;
    hs_tap_prepare();
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
    mbedtls_ssl_conf_dbg(&s->conf, live_on_debug, l);
    set_debug_threshold(o);
    if (hs_tls_apply_options(o, s, t) != 0 ||
        (!o->probe && hs_tls_check_hello_size(o, &tg, s, t) != 0))
        goto done;
    if (extra && extra->own_cert &&
        mbedtls_ssl_conf_own_cert(&s->conf, extra->own_cert, extra->own_key) != 0) {
        hs_trace_fail(t, HS_STAGE_TLS, "cannot set the client certificate");
        code = t->exit_code;
        goto done;
    }
    if (mbedtls_ssl_setup(&s->ssl, &s->conf) != 0 || setup_names(l, &tg, &s->ssl) != 0 ||
        (extra && extra->resume && mbedtls_ssl_set_session(&s->ssl, extra->resume) != 0)) {
        hs_trace_fail(t, HS_STAGE_TLS, "cannot set up the TLS session");
        code = t->exit_code;
        goto done;
    }
    mbedtls_ssl_set_export_keys_cb(&s->ssl, live_on_export_keys, l);
    mbedtls_ssl_set_bio(&s->ssl, l, live_tap_send, live_tap_recv, NULL);

    l->keys = hs_keylog_new();
    l->dec = hs_decoder_new(t, l->keys);
    hs_decoder_key_schedule(l->dec, l->o->key_schedule);

    struct hs_addr dst;
    bool probed = false; /* --probe read a ServerHello */
    bool connected = connect_stage(l, &tg, &dst);
    if (!connected)
        (void)become_user(l); /* stopped before the capture: a bad CA file is still a usage error */
    if (l->write_refused || l->privs_failed || l->ca_failed)
        goto done; /* code is HS_EXIT_USAGE: the request cannot be met, nothing ran */
    if (connected) {
        bool plain = hs_live_starttls(l);
        /* --probe: hstrace's own ClientHello instead of mbedTLS's handshake (probe.c). */
        bool ok = plain && !o->probe && handshake_stage(l, &s->ssl);
        probed = plain && o->probe && hs_probe_stage(l, s);
        /* From connect()'s return (or the STARTTLS exchange's end) to the handshake's end
         * (or where it stopped). */
        if (plain)
            t->tls_ms = (l->stopped_ms > 0 ? l->stopped_ms : live_now_ms(l)) -
                        l->connected_ms - l->paused_ms;
        live_step_note(l);
        set_total(t);
        /* A session kept for a resumption waits for its tickets before the close. */
        bool keep = extra && extra->session, closed = false;
        bool tickets_first = extra && extra->tickets_first;
        if (ok && o->http_path)
            live_http_stage(l, &s->ssl); /* the tickets come while the response is read */
        else if (ok)
            closed = read_tickets(l, &s->ssl, !keep && !tickets_first, tickets_first);
        if (ok && keep) {
            bool got = mbedtls_ssl_get_session(&s->ssl, extra->session) == 0;
            if (extra->have_session) /* none: no resumption */
                *extra->have_session = got;
        }
        close_stage(l, &s->ssl, ok, closed);
    } else {
        set_total(t);
        if (l->fd >= 0) {
            close(l->fd);
            l->fd = -1;
        }
        if (l->cap) {
            hs_tap_stop(l->cap);
            live_drain_capture(l);
        }
    }
    live_release_held(l);
    hs_decoder_finish(l->dec, live_now_ms(l));
    if (!probed) /* a server may answer a probe's close with an alert: no failure then */
        settle_verdict(l);
    t->round_trips = hs_count_round_trips(t, -1);
    report_queue_drops(l); /* after the count: the row is no round trip */
    code = t->error_stage == HS_STAGE_NONE ? HS_EXIT_OK : t->exit_code;
    struct hs_live_saved *sv = take_saved(l);
    if (!write_capture(l, sv))
        code = HS_EXIT_WRITE;
    if (extra && extra->keep)
        *extra->keep = sv;
    else
        hs_live_saved_free(sv);

done:
    if (!hs_keyfile_close(l->keyfile) && code != HS_EXIT_USAGE)
        code = HS_EXIT_WRITE;
    t->exit_code = code;
    if (l->fd >= 0)
        close(l->fd);
    hs_decoder_free(l->dec);
    hs_keylog_free(l->keys);
    hs_tap_free(l->cap);
    hs_tls_setup_free(s);
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
