/* Finding where TLS starts in a stream: at byte 0, after a STARTTLS preamble, or mid-stream. */
#include "tlsstart.h"

#include <string.h>
#include <strings.h>

#include "../tls/record.h"

#define REC_HDR HS_REC_HDR
#define REC_MAX_BODY HS_REC_MAX_BODY12 /* the bound of TLS 1.2 and below: no version known yet */

void hs_tlsstart_init(struct hs_tlsstart *s, enum hs_side side, bool midstream)
{
    memset(s, 0, sizeof *s);
    s->side = side;
    s->midstream = midstream;
    s->line_start = true;
}

/* After a preamble: the hello of this side at the start of a line (6 bytes: header + type),
 * or, from the server, an alert refusing it. */
static bool hello_header(const struct hs_tlsstart *s, const uint8_t *w)
{
    if (hs_record_hello(w, s->side, REC_MAX_BODY))
        return true;
    return s->side == HS_SERVER && w[0] == HS_CT_ALERT && hs_record_shaped(w) &&
           hs_record_length(w) == 2 && (w[5] == 1 || w[5] == 2);
}

/* A byte that may start a hello (or the server's refusing alert) after a preamble. */
static bool hello_start(uint8_t c)
{
    return c == HS_CT_HANDSHAKE || c == HS_CT_ALERT;
}

static bool is_text(uint8_t c)
{
    return (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t';
}

static bool starts(const char *line, const char *word)
{
    return strncasecmp(line, word, strlen(word)) == 0;
}

static void line_keywords(struct hs_tlsstart *s)
{
    s->line[s->nline] = '\0';
    const char *l = s->line;
    while (*l == ' ' || *l == '\t')
        l++;
    if (s->side == HS_CLIENT) {
        if (strcasestr(l, "STARTTLS") && l[0] != '<')
            s->keywords |= HS_KW_STARTTLS;
        if (starts(l, "STLS"))
            s->keywords |= HS_KW_STLS;
        if (starts(l, "AUTH TLS") || starts(l, "AUTH SSL"))
            s->keywords |= HS_KW_AUTH_TLS;
        if (starts(l, "<starttls"))
            s->keywords |= HS_KW_XMPP_START;
        if (starts(l, "EHLO") || starts(l, "HELO"))
            s->keywords |= HS_KW_EHLO;
    } else {
        if (starts(l, "220"))
            s->keywords |= HS_KW_220;
        if (starts(l, "234"))
            s->keywords |= HS_KW_234;
        if (starts(l, "+OK"))
            s->keywords |= HS_KW_PLUS_OK;
        if (starts(l, "* OK") || strstr(l, " OK ") || starts(l, "OK"))
            s->keywords |= HS_KW_OK;
        if (starts(l, "<proceed"))
            s->keywords |= HS_KW_PROCEED;
    }
}

/* One preamble byte that is not part of a candidate: line tracking. */
static void text_byte(struct hs_tlsstart *s, uint8_t c)
{
    if (c == '\n' || c == '>') {
        /* XMPP stanzas end with '>' and need not end a line. */
        if (c == '>' && s->nline < sizeof s->line - 1)
            s->line[s->nline++] = (char)c;
        line_keywords(s);
        s->nline = 0;
        s->line_start = true;
        return;
    }
    s->line_start = false;
    if (c != '\r' && s->nline < sizeof s->line - 1)
        s->line[s->nline++] = (char)(c ? c : ' ');
}

static enum hs_tlsstart_state found(struct hs_tlsstart *s, const uint8_t *h, size_t nh,
                                    uint64_t offset)
{
    s->state = HS_TLSSTART_FOUND;
    s->tls_offset = offset;
    memcpy(s->hold, h, nh);
    s->nhold = nh;
    s->sslv2 = (h[0] & 0x80) != 0;
    s->content_type = s->sslv2 ? HS_CT_HANDSHAKE : h[0];
    s->hs_type = s->sslv2 ? 1 : (s->content_type == HS_CT_HANDSHAKE && nh > REC_HDR ? h[5] : 0);
    return s->state;
}

/* Mid-stream: a record header whose record ends exactly at the end of the chunk or at
 * another record header (a lone header in random bytes is too easy to meet). */
static bool chained_record(const uint8_t *p, size_t n, size_t i)
{
    if (REC_HDR > n - i || !hs_record_plausible(p + i, REC_MAX_BODY))
        return false;
    size_t end = REC_HDR + hs_record_length(p + i);
    if (end > n - i)
        return false;
    if (end == n - i)
        return true;
    return REC_HDR <= n - i - end && hs_record_plausible(p + i + end, REC_MAX_BODY);
}

enum hs_tlsstart_state hs_tlsstart_feed(struct hs_tlsstart *s, const uint8_t *p, size_t n,
                                        size_t *used)
{
    *used = 0;
    if (s->state != HS_TLSSTART_MORE)
        return s->state;
    size_t i = 0;

    /* The first five bytes: TLS from the start, or text, or neither. */
    if (s->seen < REC_HDR && !s->preamble && !s->binary) {
        while (i < n && s->nwin < REC_HDR)
            s->win[s->nwin++] = p[i++];
        s->seen += i;
        if (s->nwin < REC_HDR) {
            /* Decide early for bytes that can start nothing. */
            uint8_t c = s->win[0];
            bool maybe = hs_record_type_known(c) || (s->side == HS_CLIENT && (c & 0x80)) ||
                         is_text(c) || s->midstream;
            if (!maybe)
                s->state = HS_TLSSTART_NONE;
            return s->state;
        }
        if (hs_record_plausible(s->win, REC_MAX_BODY) ||
            (s->side == HS_CLIENT && hs_record_sslv2_hello(s->win, REC_MAX_BODY))) {
            *used = i;
            return found(s, s->win, REC_HDR, 0);
        }
        if (is_text(s->win[0])) {
            /* A preamble: look at these bytes again as text. */
            uint8_t first[REC_HDR];
            memcpy(first, s->win, REC_HDR);
            s->nwin = 0;
            s->preamble = true;
            s->seen -= REC_HDR;
            for (size_t k = 0; k < REC_HDR; k++) {
                s->seen++;
                if (s->nwin > 0 || (s->line_start && hello_start(first[k])))
                    s->win[s->nwin++] = first[k];
                else
                    text_byte(s, first[k]);
            }
        } else if (!s->midstream) {
            s->state = HS_TLSSTART_NONE;
            return s->state;
        } else {
            /* Mid-stream binary: scan this chunk from its start. */
            s->nwin = 0;
            s->binary = true;
            s->seen -= i;
            i = 0;
        }
    }

    if (!s->preamble) {
        /* Mid-stream binary: look for a record boundary inside this chunk. */
        for (; i < n; i++) {
            if (s->seen >= HS_TLSSTART_MAX_PREAMBLE) {
                s->state = HS_TLSSTART_NONE;
                return s->state;
            }
            if (chained_record(p, n, i)) {
                *used = i + REC_HDR;
                uint64_t at = s->seen;
                s->seen += REC_HDR;
                return found(s, p + i, REC_HDR, at);
            }
            s->seen++;
        }
        return s->state;
    }

    /* Preamble: a hello may start only where a line (or an XMPP tag) ended. */
    for (; i < n; i++) {
        uint8_t c = p[i];
        s->seen++;
        if (s->nwin > 0) {
            s->win[s->nwin++] = c;
            if (s->nwin < REC_HDR + 1)
                continue;
            if (hello_header(s, s->win)) {
                *used = i + 1;
                return found(s, s->win, s->nwin, s->seen - s->nwin);
            }
            /* Not a hello: these bytes were text after all. */
            uint8_t w[sizeof s->win];
            size_t nw = s->nwin;
            memcpy(w, s->win, nw);
            s->nwin = 0;
            for (size_t k = 0; k < nw; k++) {
                if (s->nwin > 0) {
                    s->win[s->nwin++] = w[k];
                } else if (s->line_start && k > 0 && hello_start(w[k])) {
                    s->win[s->nwin++] = w[k];
                } else {
                    text_byte(s, w[k]);
                }
            }
            continue;
        }
        if (s->seen > HS_TLSSTART_MAX_PREAMBLE) {
            s->state = HS_TLSSTART_NONE;
            return s->state;
        }
        if (s->line_start && hello_start(c)) {
            s->win[s->nwin++] = c;
            continue;
        }
        text_byte(s, c);
    }
    return s->state;
}

void hs_tlsstart_end(struct hs_tlsstart *s)
{
    if (s->state == HS_TLSSTART_MORE)
        s->state = HS_TLSSTART_NONE;
}

const char *hs_starttls_protocol(unsigned c, unsigned s)
{
    if ((c & HS_KW_XMPP_START) || (s & HS_KW_PROCEED))
        return "XMPP";
    if ((c & HS_KW_STLS) || (s & HS_KW_PLUS_OK))
        return "POP3";
    if ((c & HS_KW_AUTH_TLS) || (s & HS_KW_234))
        return "FTP";
    if ((c & HS_KW_STARTTLS) && (s & HS_KW_220))
        return "SMTP";
    if ((c & HS_KW_EHLO) && (s & HS_KW_220))
        return "SMTP";
    if ((c & HS_KW_STARTTLS) && (s & HS_KW_OK))
        return "IMAP";
    return NULL;
}
