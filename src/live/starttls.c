/*
 * --starttls: the plaintext exchange before TLS on the same socket.  One function per
 * protocol (the line-based ones in starttls_lines.c), all through the same bounded reader:
 * every read waits at most until the deadline (--timeout for the whole exchange), a reply
 * line holds at most ST_LINE bytes, a reply at most ST_LINES lines, the exchange at most
 * ST_TOTAL bytes.  Every row's text is
 * the peer's bytes escaped; the rows keep the raw bytes for the hex view.  A server that
 * sends anything after it accepted STARTTLS, before the client's first TLS byte, is refused
 * (those bytes could be an injected answer, as in CVE-2011-0411).
 */
#include "starttls.h"

#include "starttls_internal.h"

#include "../core/escape.h"
#include "../core/mem.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DRAIN_MS 200    /* after a failure: how long to wait for the server's FIN */

static double now(const struct st *s) { return live_now_ms(s->l); }

bool st_fail(struct st *s, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    hs_trace_fail(s->l->trace, HS_STAGE_STARTTLS, "%s", buf);
    return false;
}

void st_summary(struct hs_event *ev, char *text)
{
    free(ev->summary);
    ev->summary = hs_escape_again(text);
    free(text);
}

/* ---- the socket ---- */

bool st_send(struct st *s, const char *type, const uint8_t *p, size_t n,
                    const char *show)
{
    struct live *l = s->l;
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_STARTTLS, type, now(s));
    ev->length = n;
    hs_event_set_bytes(ev, p, n);
    char *esc = hs_escape((const uint8_t *)show, strlen(show));
    st_summary(ev, hs_xstrdup(esc));
    hs_f_str(ev->fields, "text", show);
    free(esc);
    hs_trace_add(l->trace, ev);
    size_t off = 0;
    while (off < n) {
        ssize_t k = send(l->fd, p + off, n - off, MSG_NOSIGNAL);
        if (k >= 0) {
            off += (size_t)k;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return st_fail(s, "cannot send %s to the server (%s exchange): %s", type, s->proto,
                           strerror(errno));
        if (!live_wait_fd(l, POLLOUT)) {
            hs_trace_fail(l->trace, HS_STAGE_TIMEOUT, "%s STARTTLS exchange timed out after "
                          "%g s (sending %s)", s->proto, l->o->timeout_s, type);
            return false;
        }
    }
    l->stream[HS_CLIENT].fed += n; /* not TLS: the decoder's stream starts after it */
    return true;
}

bool st_send_text(struct st *s, const char *type, const char *line)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s\r\n", line);
    if (n < 0 || (size_t)n >= sizeof buf)
        return st_fail(s, "%s command too long", s->proto);
    return st_send(s, type, (const uint8_t *)buf, (size_t)n, line);
}

bool st_fill(struct st *s)
{
    struct live *l = s->l;
    if (s->len == sizeof s->in)
        return st_fail(s, "the server's %s reply (waiting for %s) is over %d bytes without its "
                       "end", s->proto, s->waiting, ST_BUF);
    if (s->total >= ST_TOTAL)
        return st_fail(s, "the server sent over %d bytes during the %s STARTTLS exchange "
                       "(waiting for %s)", ST_TOTAL, s->proto, s->waiting);
    for (;;) {
        if (!live_wait_fd(l, POLLIN)) {
            hs_trace_fail(l->trace, HS_STAGE_TIMEOUT, "%s STARTTLS exchange timed out after "
                          "%g s (waiting for %s)", s->proto, l->o->timeout_s, s->waiting);
            return false;
        }
        size_t room = sizeof s->in - s->len;
        if (room > ST_TOTAL - s->total)
            room = ST_TOTAL - s->total;
        ssize_t n = recv(l->fd, s->in + s->len, room, 0);
        if (n > 0) {
            if (s->len == 0) {
                s->t_in = now(s);
                s->off_in = l->stream[HS_SERVER].fed;
            }
            s->len += (size_t)n;
            s->total += (size_t)n;
            l->stream[HS_SERVER].fed += (size_t)n;
            return true;
        }
        if (n == 0) {
            l->peer_eof = true;
            return st_fail(s, "the server closed the connection during the %s STARTTLS exchange "
                           "(waiting for %s)", s->proto, s->waiting);
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return st_fail(s, "socket error during the %s STARTTLS exchange (waiting for %s): %s",
                           s->proto, s->waiting, strerror(errno));
    }
}

void st_take(struct st *s, size_t n)
{
    memmove(s->in, s->in + n, s->len - n);
    s->len -= n;
    s->off_in += n; /* the rest arrived no later than the first byte's recv */
}

double st_row_time(struct st *s)
{
    return live_segment_time(s->l, HS_SERVER, s->off_in, s->t_in);
}

/* Do the stream features hold <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>? */
static bool xmpp_offers(const uint8_t *p, size_t n)
{
    static const char ns[] = "urn:ietf:params:xml:ns:xmpp-tls";
    return memmem(p, n, "<starttls", 9) && memmem(p, n, ns, sizeof ns - 1);
}

/* Reads until the buffer holds one of the marks (and the '>' after it); its row, of type
 * types[*which], *which the index of the mark found first, *used the bytes up to its '>'.
 * features: the row says whether they offer STARTTLS (a problem row when not). */
static bool xmpp_read(struct st *s, const char *const *marks, const char *const *types,
                      size_t nmarks, size_t *which, size_t *used, bool features)
{
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < nmarks; i++) {
            const uint8_t *m = memmem(s->in, s->len, marks[i], strlen(marks[i]));
            const uint8_t *gt = m ? memchr(m, '>', s->len - (size_t)(m - s->in)) : NULL;
            if (gt && (size_t)(gt + 1 - s->in) < best) {
                best = (size_t)(gt + 1 - s->in);
                *which = i;
            }
        }
        if (best != SIZE_MAX) {
            *used = best;
            break;
        }
        if (!st_fill(s))
            return false;
    }
    struct hs_event *ev =
        hs_event_new(HS_SERVER, HS_LAYER_STARTTLS, types[*which], st_row_time(s));
    ev->problem = types[*which] != types[0];
    if (features) {
        bool offered = xmpp_offers(s->in, *used);
        hs_f_bool(ev->fields, "starttls_offered", offered);
        ev->problem = ev->problem || !offered;
    }
    ev->length = *used;
    hs_event_set_bytes(ev, s->in, *used);
    hs_f_text(ev->fields, "text", s->in, *used);
    char *esc = hs_escape(s->in, *used < ST_SHOW ? *used : ST_SHOW);
    st_summary(ev, hs_xasprintf("%s%s", esc, *used > ST_SHOW ? "…" : ""));
    free(esc);
    hs_trace_add(s->l->trace, ev);
    return true;
}

/* XMPP (RFC 6120 5.4): stream header, features (must hold <starttls/>), <starttls/>,
 * <proceed/>. */
static bool run_xmpp(struct st *s)
{
    const struct hs_trace *t = s->l->trace;
    const char *domain = t->sni ? t->sni : t->host;
    char head[512];
    snprintf(head, sizeof head, "<?xml version='1.0'?><stream:stream to='%.255s' "
             "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
             "version='1.0'>", domain);
    if (!st_send(s, "stream", (const uint8_t *)head, strlen(head), head))
        return false;
    s->waiting = "the stream features";
    static const char *const feat[] = {"</stream:features", "<stream:features/", "<stream:error",
                                       "</stream:stream"};
    static const char *const feat_types[] = {"features", "features", "error", "end"};
    size_t which = 0, used = 0;
    if (!xmpp_read(s, feat, feat_types, 4, &which, &used, true))
        return false;
    if (which >= 2) {
        return st_fail(s, "the server ended the XMPP stream instead of listing its features");
    }
    bool offered = xmpp_offers(s->in, used);
    st_take(s, used);
    if (!offered)
        return st_fail(s, "the server does not offer STARTTLS (its stream features hold no "
                       "<starttls/>)");
    static const char req[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    if (!st_send(s, "starttls", (const uint8_t *)req, sizeof req - 1, req))
        return false;
    s->waiting = "<proceed/>";
    static const char *const ans[] = {"<proceed", "<failure", "<stream:error",
                                      "</stream:stream"};
    static const char *const ans_types[] = {"proceed", "failure", "error", "end"};
    if (!xmpp_read(s, ans, ans_types, 4, &which, &used, false))
        return false;
    st_take(s, used);
    if (which != 0) {
        return st_fail(s, "the server refused STARTTLS (it answered %s instead of <proceed/>)",
                       which == 1 ? "<failure/>" : "with the end of the stream");
    }
    return true;
}

/* One BER element at p[*off..n): definite lengths of up to 4 bytes.  false when it does not
 * fit or is not well formed. */
static bool ber_next(const uint8_t *p, size_t n, size_t *off, uint8_t *tag, size_t *vlen)
{
    size_t o = *off;
    if (n - o < 2)
        return false;
    *tag = p[o++];
    size_t len = p[o++];
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 4 || n - o < k)
            return false;
        len = 0;
        while (k--)
            len = len << 8 | p[o++];
    }
    if (len > n - o)
        return false;
    *off = o;
    *vlen = len;
    return true;
}

/* The bytes of one whole BER element at the start of `in` (read as needed), or 0 (failed). */
static size_t ber_read_whole(struct st *s)
{
    for (;;) {
        if (s->len >= 2) {
            size_t hdr = 2, len = s->in[1];
            if (len & 0x80) {
                hdr += len & 0x7f;
                if ((len & 0x7f) == 0 || (len & 0x7f) > 4) {
                    st_fail(s, "the server's answer to the StartTLS request is not LDAP (BER "
                            "length form 0x%02x)", (unsigned)len);
                    return 0;
                }
                len = 0;
                for (size_t i = 2; i < hdr && i < s->len; i++)
                    len = len << 8 | s->in[i];
            }
            if (s->len >= hdr) {
                if (s->in[0] != 0x30 || len > sizeof s->in - hdr) {
                    st_fail(s, "the server's answer to the StartTLS request is not an LDAP "
                            "message (tag 0x%02x, %zu bytes)", s->in[0], len);
                    return 0;
                }
                if (s->len >= hdr + len)
                    return hdr + len;
            }
        }
        if (!st_fill(s))
            return 0;
    }
}

/* The LDAPResult codes a StartTLS answer may carry (RFC 4511 4.1.9, 4.14.2). */
static const char *ldap_code_name(long code)
{
    switch (code) {
    case 0: return "success";
    case 1: return "operationsError";
    case 2: return "protocolError";
    case 51: return "busy";
    case 52: return "unavailable";
    case 53: return "unwillingToPerform";
    case 80: return "other";
    }
    return "unknown";
}

/* LDAP (RFC 4511 4.14): ExtendedRequest 1.3.6.1.4.1.1466.20037, ExtendedResponse success. */
static bool run_ldap(struct st *s)
{
    static const char oid[] = "1.3.6.1.4.1.1466.20037";
    uint8_t req[64] = {0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16};
    memcpy(req + 9, oid, sizeof oid - 1);
    if (!st_send(s, "ExtendedRequest", req, 9 + sizeof oid - 1, "StartTLS extended request "
                 "(1.3.6.1.4.1.1466.20037), message 1"))
        return false;
    s->waiting = "the StartTLS extended response";
    size_t whole = ber_read_whole(s);
    if (whole == 0)
        return false;
    /* LDAPMessage { messageID, extendedResp [APPLICATION 24] { resultCode, matchedDN,
     * diagnosticMessage, ... } } */
    const uint8_t *p = s->in;
    size_t off = 0, len = 0, id_len = 0, code_len = 0, dn_len = 0, msg_len = 0;
    uint8_t tag = 0, id_tag = 0, code_tag = 0, dn_tag = 0, msg_tag = 0;
    bool ok = ber_next(p, whole, &off, &tag, &len) && ber_next(p, whole, &off, &id_tag, &id_len);
    size_t id_at = off;
    ok = ok && id_tag == 0x02 && id_len >= 1 && id_len <= 4;
    off += ok ? id_len : 0;
    ok = ok && ber_next(p, whole, &off, &tag, &len) && tag == 0x78;
    ok = ok && ber_next(p, whole, &off, &code_tag, &code_len) && code_tag == 0x0a &&
         code_len >= 1 && code_len <= 4;
    size_t code_at = off;
    off += ok ? code_len : 0;
    ok = ok && ber_next(p, whole, &off, &dn_tag, &dn_len) && dn_tag == 0x04;
    off += ok ? dn_len : 0;
    ok = ok && ber_next(p, whole, &off, &msg_tag, &msg_len) && msg_tag == 0x04;
    long id = 0, code = -1;
    for (size_t i = 0; ok && i < id_len; i++)
        id = id << 8 | p[id_at + i];
    for (size_t i = 0; ok && i < code_len; i++)
        code = (code < 0 ? 0 : code) << 8 | p[code_at + i];
    struct hs_event *ev = hs_event_new(HS_SERVER, HS_LAYER_STARTTLS, "ExtendedResponse",
                                       st_row_time(s));
    ev->length = whole;
    hs_event_set_bytes(ev, p, whole);
    char *diag = ok ? hs_escape(p + off, msg_len < ST_SHOW ? msg_len : ST_SHOW)
                    : hs_xstrdup("");
    if (ok) {
        hs_f_int(ev->fields, "message_id", id);
        hs_f_int(ev->fields, "result_code", code);
        hs_f_str(ev->fields, "result", ldap_code_name(code));
        hs_f_text(ev->fields, "diagnostic", p + off, msg_len);
        st_summary(ev, hs_xasprintf("%s (%ld)%s%s, message %ld", ldap_code_name(code), code,
                                    *diag ? ": " : "", diag, id));
    } else {
        st_summary(ev, hs_xasprintf("%zu-byte LDAP message that is no extended response",
                                    whole));
    }
    ev->problem = !ok || code != 0 || id != 1;
    hs_trace_add(s->l->trace, ev);
    st_take(s, whole);
    bool good = ok && code == 0 && id == 1;
    if (!good && !ok)
        st_fail(s, "the server's answer to the StartTLS request is not an LDAP extended response");
    else if (!good && id != 1)
        st_fail(s, "the server answered LDAP message %ld, not the StartTLS request (1): "
                "%s (%ld)%s%s", id, ldap_code_name(code), code, *diag ? ": " : "", diag);
    else if (!good)
        st_fail(s, "the server refused StartTLS: %s (%ld)%s%s", ldap_code_name(code), code,
                *diag ? ": " : "", diag);
    free(diag);
    return good;
}

/* PostgreSQL (protocol 3, "SSL Session Encryption"): SSLRequest, one byte 'S' or 'N'. */
static bool run_postgres(struct st *s)
{
    static const uint8_t req[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}; /* 80877103 */
    if (!st_send(s, "SSLRequest", req, sizeof req, "SSLRequest (code 80877103)"))
        return false;
    s->waiting = "the answer to SSLRequest";
    if (s->len == 0 && !st_fill(s))
        return false;
    uint8_t b = s->in[0];
    struct hs_event *ev = hs_event_new(HS_SERVER, HS_LAYER_STARTTLS,
                                       b == 'S' ? "SSLAccepted" : "SSLRefused", st_row_time(s));
    ev->length = 1;
    hs_event_set_bytes(ev, &b, 1);
    char *shown = hs_escape(&b, 1);
    hs_f_str(ev->fields, "answer", shown);
    st_summary(ev, hs_xasprintf("'%s': %s", shown,
                     b == 'S' ? "the server goes on with TLS"
                     : b == 'N' ? "the server does not accept TLS"
                     : b == 'E' ? "an error message (the server does not know SSLRequest)"
                                : "not an answer to SSLRequest"));
    ev->problem = b != 'S';
    hs_trace_add(s->l->trace, ev);
    st_take(s, 1);
    bool good = b == 'S' ||
                (b == 'N' ? st_fail(s, "the server refused SSLRequest (answered 'N': no TLS)")
                          : st_fail(s, "the server's answer to SSLRequest is '%s', not 'S' or 'N'",
                                    shown));
    free(shown);
    return good;
}

/* ---- the table ---- */

static const struct proto {
    const char *name, *shown;
    unsigned port;
    bool (*run)(struct st *s);
} protos[] = {
    {"smtp", "SMTP", 25, st_smtp},
    {"imap", "IMAP", 143, st_imap},
    {"pop3", "POP3", 110, st_pop3},
    {"ftp", "FTP", 21, st_ftp},
    {"xmpp", "XMPP", 5222, run_xmpp},
    {"ldap", "LDAP", 389, run_ldap},
    {"postgres", "PostgreSQL", 5432, run_postgres},
};

static const struct proto *find(const char *name)
{
    for (size_t i = 0; name && i < sizeof protos / sizeof protos[0]; i++)
        if (strcmp(protos[i].name, name) == 0)
            return &protos[i];
    return NULL;
}

unsigned hs_starttls_port(const char *name)
{
    const struct proto *p = find(name);
    return p ? p->port : 0;
}

void hs_starttls_names(char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof protos / sizeof protos[0] && k < n; i++) {
        int w = snprintf(out + k, n - k, "%s%s", i ? ", " : "", protos[i].name);
        k += w > 0 ? (size_t)w : 0;
    }
}

/* After a failure: what the server still sends (until its FIN, briefly) is not TLS and is
 * not given to the decoder; the connection then closes as usual. */
static void drain(struct st *s)
{
    struct live *l = s->l;
    shutdown(l->fd, SHUT_WR);
    l->deadline = hs_wall_s() + DRAIN_MS / 1000.0;
    while (!l->peer_eof && live_wait_fd(l, POLLIN)) {
        ssize_t n = recv(l->fd, s->in, sizeof s->in, 0);
        if (n > 0)
            l->stream[HS_SERVER].fed += (size_t)n;
        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            l->peer_eof = true;
    }
    l->timed_out = false;
}

bool hs_live_starttls(struct live *l)
{
    const struct proto *p = find(l->o->starttls);
    if (p == NULL)
        return true;
    struct st *s = hs_xcalloc(1, sizeof *s);
    s->l = l;
    s->proto = p->shown;
    s->waiting = "the greeting";
    double t0 = live_now_ms(l);
    l->deadline = hs_wall_s() + l->o->timeout_s;
    bool ok = p->run(s);
    if (ok && s->len > 0) {
        st_fail(s, "the server sent %zu more bytes after accepting %s STARTTLS, before the TLS "
                "handshake (refused: they could be an injected answer)", s->len, p->shown);
        ok = false;
    }
    double t1 = live_now_ms(l);
    if (!ok)
        drain(s);
    l->trace->starttls_ms = t1 - t0;
    l->connected_ms = t1; /* the TLS time starts after the exchange */
    free(s);
    return ok;
}
