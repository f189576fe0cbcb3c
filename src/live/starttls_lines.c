/*
 * --starttls for the line-based protocols: SMTP and FTP (coded replies, multi-line with
 * "ccc-"), POP3 (+OK/-ERR, CAPA's list ending with "."), IMAP (untagged lines, then the
 * tagged one).  Each reply is one row: its first line as summary, every line in its fields.
 */
#include "starttls_internal.h"

#include "../core/escape.h"
#include "../core/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    hs_f_text(r->lines, NULL, (const uint8_t *)p, n);
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
    if (ev == NULL) /* reply_begin made it */
        return;
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
    st_summary(ev, hs_xasprintf("%s%s%s", first, more, offer));
    if (r->word)
        hs_f_bool(ev->fields, "starttls_offered", r->offered);
    free(first);
    hs_trace_add(s->l->trace, ev);
    r->ev = NULL;
    free(r->raw);
    r->raw = NULL;
}

/* The exchange failed inside the reply: the lines read so far (if any) become a problem
 * row, the rest is dropped. */
static void reply_abort(struct st *s, struct reply *r)
{
    if (r->n > 0) {
        reply_end(s, r, true);
        return;
    }
    hs_event_free(r->ev);
    free(r->raw);
    r->ev = NULL;
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
    while ((nl = memchr(s->in, '\n', s->len > ST_LINE ? ST_LINE + 1 : s->len)) == NULL) {
        if (s->len > ST_LINE) {
            reply_abort(s, r);
            return st_fail(s, "the server's %s reply (waiting for %s) has a line over %d bytes",
                           s->proto, s->waiting, ST_LINE);
        }
        if (!st_fill(s)) {
            reply_abort(s, r);
            return false;
        }
    }
    if (r->n >= ST_LINES) {
        reply_abort(s, r);
        return st_fail(s, "the server's %s reply (waiting for %s) has over %d lines", s->proto,
                       s->waiting, ST_LINES);
    }
    if (r->n == 0) {
        r->t = s->t_in;
        r->off = s->off_in;
    }
    size_t raw = (size_t)(nl - s->in) + 1; /* at most ST_LINE + 1 */
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

/* Ends the reply (a problem row unless good); unless good, fails the trace with "what: "
 * and the line quoted (NULL: the reply's first line).  Returns good. */
static bool verdict(struct st *s, struct reply *r, bool good, const char *what,
                    const char *quote)
{
    char *q = quote ? hs_escape((const uint8_t *)quote, strnlen(quote, ST_SHOW))
                    : reply_quote(r);
    reply_end(s, r, !good);
    if (!good)
        st_fail(s, "%s: %s", what, q);
    free(q);
    return good;
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
            char what[128];
            snprintf(what, sizeof what, "the server's reply (waiting for %s) is not %s",
                     s->waiting, s->proto);
            return verdict(s, r, false, what, NULL);
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

/* Reads a coded reply; fails with `what` when its code is not `want`. */
static bool expect_coded(struct st *s, const char *type, int want, const char *what)
{
    struct reply r;
    reply_begin(s, &r, type, NULL);
    return read_coded(s, &r) && verdict(s, &r, coded_ok(&r, want), what, NULL);
}

/* Reads a one-line reply; fails with `what` unless it starts with `ok` (any case). */
static bool expect_line(struct st *s, const char *type, const char *ok, const char *what)
{
    struct reply r;
    reply_begin(s, &r, type, NULL);
    const char *line = NULL;
    size_t n = 0, k = strlen(ok);
    return read_line(s, &r, &line, &n) &&
           verdict(s, &r, n >= k && strncasecmp(line, ok, k) == 0, what, NULL);
}

/* ---- the protocols ---- */

/* SMTP and FTP: a greeting (2xx), a command whose reply lists the extensions, the command
 * that starts TLS and its reply. */
struct coded_flow {
    const char *ask, *ask_type; /* the command listing the extensions */
    int listed;                 /* its reply code when it lists them */
    bool must_list;             /* another code is a refusal (else: start TLS anyway) */
    const char *word;           /* the extension that starts TLS, and its command */
    int started;                /* the code that accepts it */
    const char *no_offer;       /* the reason when the list lacks it */
};

static bool coded_flow(struct st *s, const struct coded_flow *f)
{
    char what[128];
    s->waiting = "the greeting";
    snprintf(what, sizeof what, "the server refused the %s session", s->proto);
    if (!expect_coded(s, "Greeting", 2, what) || !st_send_text(s, f->ask_type, f->ask))
        return false;
    snprintf(s->wait_text, sizeof s->wait_text, "the reply to %s", f->ask_type);
    s->waiting = s->wait_text;
    struct reply r;
    reply_begin(s, &r, "Reply", f->word);
    if (!read_coded(s, &r))
        return false;
    bool refused = f->must_list && r.code != f->listed;
    char why[128];
    snprintf(why, sizeof why, "the server refused %s", f->ask_type);
    if (!verdict(s, &r, !refused && (r.code != f->listed || r.offered),
                 refused ? why : f->no_offer, NULL) ||
        !st_send_text(s, f->word, f->word))
        return false;
    snprintf(s->wait_text, sizeof s->wait_text, "the reply to %s", f->word);
    snprintf(why, sizeof why, "the server refused %s", f->word);
    return expect_coded(s, "Reply", f->started, why);
}

/* SMTP (RFC 3207): greeting, EHLO (must list STARTTLS), STARTTLS, 220. */
bool st_smtp(struct st *s)
{
    static const struct coded_flow smtp = {
        "EHLO localhost", "EHLO", 250, true, "STARTTLS", 220,
        "the server does not offer STARTTLS (its EHLO reply names no STARTTLS)"};
    return coded_flow(s, &smtp);
}

/* FTP (RFC 4217): greeting, FEAT (when answered, must list AUTH TLS; no FEAT: try anyway),
 * AUTH TLS, 234. */
bool st_ftp(struct st *s)
{
    static const struct coded_flow ftp = {
        "FEAT", "FEAT", 211, false, "AUTH TLS", 234,
        "the server does not offer AUTH TLS (its FEAT reply does not list it)"};
    return coded_flow(s, &ftp);
}

/* POP3 (RFC 2595 4): greeting +OK, CAPA (when answered, must list STLS), STLS, +OK. */
bool st_pop3(struct st *s)
{
    s->waiting = "the greeting";
    if (!expect_line(s, "Greeting", "+OK", "the server refused the POP3 session") ||
        !st_send_text(s, "CAPA", "CAPA"))
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
    if (!verdict(s, &r, !listing || r.offered, "the server does not offer STLS (its CAPA "
                 "reply does not list it)", NULL) ||
        !st_send_text(s, "STLS", "STLS"))
        return false;
    s->waiting = "the reply to STLS";
    return expect_line(s, "Reply", "+OK", "the server refused STLS");
}

/* IMAP: untagged lines, then the one tagged `tag`, which must say OK (else: refused) and,
 * when word is set, a line must have named it (else: not_offered). */
static bool imap_tagged(struct st *s, const char *tag, const char *word, const char *refused,
                        const char *not_offered)
{
    struct reply r;
    reply_begin(s, &r, "Reply", word);
    const char *line;
    size_t n, tl = strlen(tag);
    do {
        if (!read_line(s, &r, &line, &n))
            return false;
    } while (!(n > tl && strncmp(line, tag, tl) == 0 && line[tl] == ' '));
    bool ok = n >= tl + 3 && strncasecmp(line + tl + 1, "OK", 2) == 0;
    return verdict(s, &r, ok && (word == NULL || r.offered), ok ? not_offered : refused,
                   ok ? NULL : line);
}

/* IMAP (RFC 3501 6.2.1): greeting "* OK", CAPABILITY (must list STARTTLS), STARTTLS, OK. */
bool st_imap(struct st *s)
{
    s->waiting = "the greeting";
    if (!expect_line(s, "Greeting", "* OK", "the server refused the IMAP session") ||
        !st_send_text(s, "CAPABILITY", "a1 CAPABILITY"))
        return false;
    s->waiting = "the reply to CAPABILITY";
    if (!imap_tagged(s, "a1", "STARTTLS", "the server refused CAPABILITY",
                     "the server does not offer STARTTLS (its CAPABILITY reply does not list "
                     "it)") ||
        !st_send_text(s, "STARTTLS", "a2 STARTTLS"))
        return false;
    s->waiting = "the reply to STARTTLS";
    return imap_tagged(s, "a2", NULL, "the server refused STARTTLS", NULL);
}
