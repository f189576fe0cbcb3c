/*
 * --starttls: the plaintext exchange before TLS on the same socket.  One function per
 * protocol, all through the same bounded reader: every read waits at most until the
 * deadline (--timeout for the whole exchange), a reply line holds at most ST_LINE bytes, a
 * reply at most ST_LINES lines, the exchange at most ST_TOTAL bytes.  Every row's text is
 * the peer's bytes escaped; the rows keep the raw bytes for the hex view.  A server that
 * sends anything after it accepted STARTTLS, before the client's first TLS byte, is refused
 * (those bytes could be an injected answer, as in CVE-2011-0411).
 */
#include "starttls.h"

#include "client_internal.h"

#include "../core/escape.h"
#include "../core/mem.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define ST_BUF 8192     /* received, not yet taken */
#define ST_LINE 4096    /* one reply line */
#define ST_LINES 100    /* lines of one reply */
#define ST_TOTAL 65536  /* bytes the server may send during the exchange */
#define ST_SHOW 160     /* characters of a line in a summary */
#define DRAIN_MS 200    /* after a failure: how long to wait for the server's FIN */

struct st {
    struct live *l;
    const char *proto;        /* "SMTP", ... (in reasons) */
    uint8_t in[ST_BUF];
    size_t len;
    double t_in;              /* when the first byte still in `in` arrived */
    uint64_t off_in;          /* its offset in the server's stream */
    size_t total;             /* bytes received so far */
    const char *waiting;      /* what the client waits for (in reasons) */
    char line[ST_LINE + 1];   /* the last line read */
};

/* One reply being read: its row and what its lines said. */
struct reply {
    struct hs_event *ev;
    struct hs_field *lines;
    unsigned n;
    int code;                 /* SMTP/FTP: the 3-digit code of the last line */
    char first[ST_SHOW + 1];  /* the first line, raw (escaped for the summary) */
    const char *word;         /* the capability looked for, or NULL */
    bool offered;             /* ... and a line named it */
    uint8_t *raw;
    size_t nraw;
    double t;                 /* when its first byte arrived (socket time) */
    uint64_t off;             /* ... and its offset in the server's stream */
};

static double now(const struct st *s) { return live_now_ms(s->l); }

static bool fail(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fails the trace: stage starttls, reason formatted (peer text escaped by the caller);
 * false. */
static bool fail(struct st *s, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    hs_trace_fail(s->l->trace, HS_STAGE_STARTTLS, "%s", buf);
    return false;
}

static void summary(struct hs_event *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets the row's summary from parts escaped already (hs_escape): a last pass only, so a
 * peer's backslash escapes are not doubled. */
static void summary(struct hs_event *ev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *tmp = hs_xvasprintf(fmt, ap);
    va_end(ap);
    free(ev->summary);
    ev->summary = hs_escape_again(tmp);
    free(tmp);
}

/* ---- the socket ---- */

static bool st_send(struct st *s, const char *type, const uint8_t *p, size_t n,
                    const char *show)
{
    struct live *l = s->l;
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_STARTTLS, type, now(s));
    ev->length = n;
    hs_event_set_bytes(ev, p, n);
    char *esc = hs_escape((const uint8_t *)show, strlen(show));
    summary(ev, "%s", esc);
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
            return fail(s, "cannot send %s to the server (%s exchange): %s", type, s->proto,
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

static bool st_send_text(struct st *s, const char *type, const char *line)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s\r\n", line);
    if (n < 0 || (size_t)n >= sizeof buf)
        return fail(s, "%s command too long", s->proto);
    return st_send(s, type, (const uint8_t *)buf, (size_t)n, line);
}

/* Reads more into `in`; false (the trace failed) on EOF, error, timeout or too much. */
static bool st_fill(struct st *s)
{
    struct live *l = s->l;
    if (s->len == sizeof s->in)
        return fail(s, "the server's %s reply (waiting for %s) has a line over %d bytes",
                    s->proto, s->waiting, ST_LINE);
    if (s->total >= ST_TOTAL)
        return fail(s, "the server sent over %d bytes during the %s STARTTLS exchange "
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
            return fail(s, "the server closed the connection during the %s STARTTLS exchange "
                        "(waiting for %s)", s->proto, s->waiting);
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return fail(s, "socket error during the %s STARTTLS exchange (waiting for %s): %s",
                        s->proto, s->waiting, strerror(errno));
    }
}

/* Drops the first n bytes of `in`. */
static void st_take(struct st *s, size_t n)
{
    memmove(s->in, s->in + n, s->len - n);
    s->len -= n;
    s->off_in += n; /* the rest arrived no later than the first byte's recv */
}

/* A server row's time: the capture's for its first byte, else when the socket had it. */
static double row_time(struct st *s)
{
    return live_segment_time(s->l, HS_SERVER, s->off_in, s->t_in);
}

/* ---- replies ---- */

static void reply_begin(struct st *s, struct reply *r, const char *type, const char *word)
{
    memset(r, 0, sizeof *r);
    r->ev = hs_event_new(HS_SERVER, HS_LAYER_STARTTLS, type, 0);
    r->lines = hs_f_arr(r->ev->fields, "lines");
    r->word = word;
    r->raw = hs_xmalloc(ST_TOTAL);
}

/* Is word (case-insensitive) in p[0..n) with no letter or digit right around it? */
static bool has_word(const char *p, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++) {
        if (strncasecmp(p + i, word, w) != 0)
            continue;
        bool before = i == 0 || !isalnum((unsigned char)p[i - 1]);
        bool after = i + w == n || !isalnum((unsigned char)p[i + w]);
        if (before && after)
            return true;
    }
    return false;
}

/* The line p[0..n) (no line end) of the reply; raw: the bytes with their line end. */
static void reply_line(struct reply *r, const char *p, size_t n, size_t raw_n)
{
    if (r->n == 0)
        snprintf(r->first, sizeof r->first, "%.*s", (int)(n < ST_SHOW ? n : ST_SHOW), p);
    r->n++;
    struct hs_field *f = hs_f_text(r->lines, NULL, (const uint8_t *)p, n);
    (void)f;
    if (r->word && has_word(p, n, r->word))
        r->offered = true;
    memcpy(r->raw + r->nraw, p, raw_n);
    r->nraw += raw_n;
}

/* Ends the reply: its row goes in (summary: the first line, escaped; then how many lines and
 * whether the capability was named), a problem row when `bad`. */
static void reply_end(struct st *s, struct reply *r, bool bad)
{
    struct hs_event *ev = r->ev;
    ev->t_ms = live_segment_time(s->l, HS_SERVER, r->off, r->t);
    ev->length = r->nraw;
    ev->problem = bad;
    hs_event_set_bytes(ev, r->raw, r->nraw);
    char *first = hs_escape((const uint8_t *)r->first, strlen(r->first));
    char more[96] = "";
    if (r->n > 1)
        snprintf(more, sizeof more, " (%u lines)", r->n);
    char offer[96] = "";
    if (r->word)
        snprintf(offer, sizeof offer, ", %s %s", r->word, r->offered ? "offered" : "not offered");
    summary(ev, "%s%s%s", first, more, offer);
    if (r->word)
        hs_f_bool(ev->fields, "starttls_offered", r->offered);
    free(first);
    hs_trace_add(s->l->trace, ev);
    r->ev = NULL;
    free(r->raw);
    r->raw = NULL;
}

/* The reply's first line, escaped, for a reason (the caller frees it). */
static char *reply_quote(const struct reply *r)
{
    return hs_escape((const uint8_t *)r->first, strlen(r->first));
}

/* Reads one line into the reply; *line / *n its text (valid until the next read). */
static bool read_line(struct st *s, struct reply *r, const char **line, size_t *n)
{
    uint8_t *nl;
    while ((nl = memchr(s->in, '\n', s->len)) == NULL) {
        if (!st_fill(s)) {
            hs_event_free(r->ev);
            free(r->raw);
            r->ev = NULL;
            r->raw = NULL;
            return false;
        }
    }
    if (r->n >= ST_LINES) {
        hs_event_free(r->ev);
        free(r->raw);
        r->ev = NULL;
        r->raw = NULL;
        return fail(s, "the server's %s reply (to %s) has over %d lines", s->proto, s->waiting,
                    ST_LINES);
    }
    if (r->n == 0) {
        r->t = s->t_in;
        r->off = s->off_in;
    }
    size_t raw = (size_t)(nl - s->in) + 1;
    size_t k = raw - 1;
    if (k > 0 && s->in[k - 1] == '\r')
        k--;
    char *text = s->line;
    memcpy(text, s->in, k);
    text[k] = '\0';
    reply_line(r, text, k, raw);
    st_take(s, raw);
    *line = text;
    *n = k;
    return true;
}

/* SMTP and FTP: lines "ccc-text" then "ccc text" (RFC 5321 4.2, RFC 959 4.2). */
static bool read_coded(struct st *s, struct reply *r)
{
    const char *line;
    size_t n;
    for (;;) {
        if (!read_line(s, r, &line, &n))
            return false;
        bool coded = n >= 3 && line[0] >= '1' && line[0] <= '5' && line[1] >= '0' &&
                     line[1] <= '9' && line[2] >= '0' && line[2] <= '9';
        if (r->n == 1 && !coded) {
            char *q = reply_quote(r);
            reply_end(s, r, true);
            bool x = fail(s, "the server's reply (waiting for %s) is not %s: %s", s->waiting,
                          s->proto, q);
            free(q);
            return x;
        }
        int code = coded ? (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0') : 0;
        if (r->n == 1)
            r->code = code;
        /* FTP lets lines inside a multi-line reply start with anything (RFC 959 4.2). */
        if (code == r->code && (n == 3 || line[3] == ' '))
            return true;
    }
}

/* A coded reply that must be `want` (a first digit of 2 or 3 when want < 10). */
static bool coded_ok(const struct reply *r, int want)
{
    return want < 10 ? r->code / 100 == want : r->code == want;
}

/* Reads a reply; fails with `what` when its code is not `want`. */
static bool expect_coded(struct st *s, const char *type, const char *word, int want,
                         const char *what)
{
    struct reply r;
    reply_begin(s, &r, type, word);
    if (!read_coded(s, &r))
        return false;
    bool good = coded_ok(&r, want);
    char *q = reply_quote(&r);
    reply_end(s, &r, !good);
    bool ok = good || fail(s, "%s: %s", what, q);
    free(q);
    return ok;
}

/* ---- the protocols ---- */

/* SMTP (RFC 3207): greeting, EHLO (must list STARTTLS), STARTTLS, 220. */
static bool run_smtp(struct st *s)
{
    s->waiting = "the greeting";
    if (!expect_coded(s, "Greeting", NULL, 2, "the server refused the SMTP session"))
        return false;
    if (!st_send_text(s, "EHLO", "EHLO localhost"))
        return false;
    s->waiting = "the reply to EHLO";
    struct reply r;
    reply_begin(s, &r, "Reply", "STARTTLS");
    if (!read_coded(s, &r))
        return false;
    bool good = r.code == 250 && r.offered;
    char *q = reply_quote(&r);
    int code = r.code;
    reply_end(s, &r, !good);
    if (!good) {
        bool x = code != 250 ? fail(s, "the server refused EHLO: %s", q)
                             : fail(s, "the server does not offer STARTTLS (its EHLO reply "
                                    "names no STARTTLS): %s", q);
        free(q);
        return x;
    }
    free(q);
    if (!st_send_text(s, "STARTTLS", "STARTTLS"))
        return false;
    s->waiting = "the reply to STARTTLS";
    return expect_coded(s, "Reply", NULL, 220, "the server refused STARTTLS");
}

/* FTP (RFC 4217): greeting, FEAT (when answered, must list AUTH TLS), AUTH TLS, 234. */
static bool run_ftp(struct st *s)
{
    s->waiting = "the greeting";
    if (!expect_coded(s, "Greeting", NULL, 2, "the server refused the FTP session"))
        return false;
    if (!st_send_text(s, "FEAT", "FEAT"))
        return false;
    s->waiting = "the reply to FEAT";
    struct reply r;
    reply_begin(s, &r, "Reply", "AUTH TLS");
    if (!read_coded(s, &r))
        return false;
    bool listed = r.code != 211 || r.offered; /* no FEAT (500, 502): just try */
    char *q = reply_quote(&r);
    reply_end(s, &r, !listed);
    free(q);
    if (!listed)
        return fail(s, "the server does not offer AUTH TLS (its FEAT reply does not list it)");
    if (!st_send_text(s, "AUTH TLS", "AUTH TLS"))
        return false;
    s->waiting = "the reply to AUTH TLS";
    return expect_coded(s, "Reply", NULL, 234, "the server refused AUTH TLS");
}

/* POP3 (RFC 2595 4): greeting +OK, CAPA (when answered, must list STLS), STLS, +OK. */
static bool pop_status(struct st *s, const char *type, const char *what)
{
    struct reply r;
    reply_begin(s, &r, type, NULL);
    const char *line;
    size_t n;
    if (!read_line(s, &r, &line, &n))
        return false;
    bool good = n >= 3 && strncmp(line, "+OK", 3) == 0;
    char *q = reply_quote(&r);
    reply_end(s, &r, !good);
    bool ok = good || fail(s, "%s: %s", what, q);
    free(q);
    return ok;
}

static bool run_pop3(struct st *s)
{
    s->waiting = "the greeting";
    if (!pop_status(s, "Greeting", "the server refused the POP3 session"))
        return false;
    if (!st_send_text(s, "CAPA", "CAPA"))
        return false;
    s->waiting = "the reply to CAPA";
    struct reply r;
    reply_begin(s, &r, "Reply", "STLS");
    const char *line;
    size_t n;
    if (!read_line(s, &r, &line, &n))
        return false;
    bool listing = n >= 3 && strncmp(line, "+OK", 3) == 0;
    while (listing) { /* the list ends with a line "." (RFC 2449 5) */
        if (!read_line(s, &r, &line, &n))
            return false;
        if (n == 1 && line[0] == '.')
            break;
    }
    bool offered = !listing || r.offered;
    reply_end(s, &r, !offered);
    if (!offered)
        return fail(s, "the server does not offer STLS (its CAPA reply does not list it)");
    if (!st_send_text(s, "STLS", "STLS"))
        return false;
    s->waiting = "the reply to STLS";
    return pop_status(s, "Reply", "the server refused STLS");
}

/* IMAP (RFC 3501 6.2.1): greeting "* OK", CAPABILITY (must list STARTTLS), STARTTLS, OK. */
static bool imap_tagged(struct st *s, const char *tag, const char *type, const char *word,
                        const char *what, bool *offered)
{
    struct reply r;
    reply_begin(s, &r, type, word);
    const char *line;
    size_t n, tl = strlen(tag);
    for (;;) {
        if (!read_line(s, &r, &line, &n))
            return false;
        if (n > tl && strncmp(line, tag, tl) == 0 && line[tl] == ' ')
            break;
    }
    bool good = n >= tl + 3 && strncasecmp(line + tl + 1, "OK", 2) == 0;
    if (offered)
        *offered = r.offered;
    char *last = hs_escape((const uint8_t *)line, n < ST_SHOW ? n : ST_SHOW);
    reply_end(s, &r, !good || (offered && !*offered));
    bool ok = good || fail(s, "%s: %s", what, last);
    free(last);
    return ok;
}

static bool run_imap(struct st *s)
{
    s->waiting = "the greeting";
    struct reply r;
    reply_begin(s, &r, "Greeting", NULL);
    const char *line;
    size_t n;
    if (!read_line(s, &r, &line, &n))
        return false;
    bool good = n >= 4 && strncasecmp(line, "* OK", 4) == 0;
    char *q = reply_quote(&r);
    reply_end(s, &r, !good);
    if (!good) {
        bool x = fail(s, "the server refused the IMAP session: %s", q);
        free(q);
        return x;
    }
    free(q);
    if (!st_send_text(s, "CAPABILITY", "a1 CAPABILITY"))
        return false;
    s->waiting = "the reply to CAPABILITY";
    bool offered = false;
    if (!imap_tagged(s, "a1", "Reply", "STARTTLS", "the server refused CAPABILITY", &offered))
        return false;
    if (!offered)
        return fail(s, "the server does not offer STARTTLS (its CAPABILITY reply does not list "
                    "it)");
    if (!st_send_text(s, "STARTTLS", "a2 STARTTLS"))
        return false;
    s->waiting = "the reply to STARTTLS";
    return imap_tagged(s, "a2", "Reply", NULL, "the server refused STARTTLS", NULL);
}

/* Reads until the buffer holds one of the marks (and the '>' after it); its row, of type
 * types[*which], *which the index of the mark found first, *used the bytes up to its '>'. */
static bool xmpp_read(struct st *s, const char *const *marks, const char *const *types,
                      size_t nmarks, size_t *which, size_t *used)
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
    struct hs_event *ev = hs_event_new(HS_SERVER, HS_LAYER_STARTTLS, types[*which], row_time(s));
    ev->problem = types[*which] != types[0];
    ev->length = *used;
    hs_event_set_bytes(ev, s->in, *used);
    hs_f_text(ev->fields, "text", s->in, *used);
    char *esc = hs_escape(s->in, *used < ST_SHOW ? *used : ST_SHOW);
    summary(ev, "%s%s", esc, *used > ST_SHOW ? "…" : "");
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
    if (!xmpp_read(s, feat, feat_types, 4, &which, &used))
        return false;
    if (which >= 2) {
        return fail(s, "the server ended the XMPP stream instead of listing its features");
    }
    bool offered = memmem(s->in, used, "<starttls", 9) &&
                   memmem(s->in, used, "urn:ietf:params:xml:ns:xmpp-tls", 31);
    st_take(s, used);
    if (!offered)
        return fail(s, "the server does not offer STARTTLS (its stream features hold no "
                    "<starttls/>)");
    static const char req[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    if (!st_send(s, "starttls", (const uint8_t *)req, sizeof req - 1, req))
        return false;
    s->waiting = "<proceed/>";
    static const char *const ans[] = {"<proceed", "<failure", "<stream:error",
                                      "</stream:stream"};
    static const char *const ans_types[] = {"proceed", "failure", "error", "end"};
    if (!xmpp_read(s, ans, ans_types, 4, &which, &used))
        return false;
    st_take(s, used);
    if (which != 0) {
        return fail(s, "the server refused STARTTLS (it answered %s instead of <proceed/>)",
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
                    fail(s, "the server's answer to the StartTLS request is not LDAP (BER "
                         "length form 0x%02x)", (unsigned)len);
                    return 0;
                }
                len = 0;
                for (size_t i = 2; i < hdr && i < s->len; i++)
                    len = len << 8 | s->in[i];
            }
            if (s->len >= hdr) {
                if (s->in[0] != 0x30 || len > sizeof s->in - hdr) {
                    fail(s, "the server's answer to the StartTLS request is not an LDAP "
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
                                       row_time(s));
    ev->length = whole;
    hs_event_set_bytes(ev, p, whole);
    char *diag = ok ? hs_escape(p + off, msg_len < ST_SHOW ? msg_len : ST_SHOW)
                    : hs_xstrdup("");
    if (ok) {
        hs_f_int(ev->fields, "message_id", id);
        hs_f_int(ev->fields, "result_code", code);
        hs_f_str(ev->fields, "result", ldap_code_name(code));
        hs_f_text(ev->fields, "diagnostic", p + off, msg_len);
        summary(ev, "%s (%ld)%s%s, message %ld", ldap_code_name(code), code,
                         *diag ? ": " : "", diag, id);
    } else {
        summary(ev, "%zu-byte LDAP message that is no extended response", whole);
    }
    ev->problem = !ok || code != 0 || id != 1;
    hs_trace_add(s->l->trace, ev);
    st_take(s, whole);
    bool good = ok && code == 0 && id == 1;
    if (!good && !ok)
        fail(s, "the server's answer to the StartTLS request is not an LDAP extended response");
    else if (!good && id != 1)
        fail(s, "the server answered LDAP message %ld, not the StartTLS request (1): %s (%ld)%s%s",
             id, ldap_code_name(code), code, *diag ? ": " : "", diag);
    else if (!good)
        fail(s, "the server refused StartTLS: %s (%ld)%s%s", ldap_code_name(code), code,
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
                                       b == 'S' ? "SSLAccepted" : "SSLRefused", row_time(s));
    ev->length = 1;
    hs_event_set_bytes(ev, &b, 1);
    char *shown = hs_escape(&b, 1);
    hs_f_str(ev->fields, "answer", shown);
    summary(ev, "'%s': %s", shown,
                     b == 'S' ? "the server goes on with TLS"
                     : b == 'N' ? "the server does not accept TLS"
                     : b == 'E' ? "an error message (the server does not know SSLRequest)"
                                : "not an answer to SSLRequest");
    ev->problem = b != 'S';
    hs_trace_add(s->l->trace, ev);
    st_take(s, 1);
    bool good = b == 'S' ||
                (b == 'N' ? fail(s, "the server refused SSLRequest (answered 'N': no TLS)")
                          : fail(s, "the server's answer to SSLRequest is '%s', not 'S' or 'N'",
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
    {"smtp", "SMTP", 25, run_smtp},
    {"imap", "IMAP", 143, run_imap},
    {"pop3", "POP3", 110, run_pop3},
    {"ftp", "FTP", 21, run_ftp},
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
        fail(s, "the server sent %zu more bytes after accepting %s STARTTLS, before the TLS "
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
