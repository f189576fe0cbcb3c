/* Helpers shared by the message decoders: error texts, summary building, name fallbacks. */
#include "msg.h"

#include "../core/escape.h"
#include "../core/mem.h"
#include "names.h"
#include "suites.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *result_word(int r)
{
    switch (r) {
    case HS_ERR_TRUNCATED: return "truncated";
    case HS_ERR_LIMIT: return "too many entries";
    case HS_ERR_UNSUPPORTED: return "unsupported";
    default: return "invalid";
    }
}

void hs_msg_fail(struct hs_msg *m, const char *what, int r, size_t off)
{
    if (m->err[0] != '\0')
        return;
    snprintf(m->err, sizeof m->err, "%s.%s: %s at +%zu", m->name ? m->name : "message", what,
             result_word(r), off);
}

bool hs_u16_in(const uint16_t *list, unsigned n, uint16_t v)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

void hs_msg_violation(struct hs_msg *m, const char *fmt, ...)
{
    char text[sizeof m->violation];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (m->violations == NULL)
        m->violations = hs_f_arr(m->f, "violations");
    hs_f_str(m->violations, NULL, text);
    if (m->nviolations++ == 0)
        snprintf(m->violation, sizeof m->violation, "%s", text);
    m->ev->problem = true;
}

void hs_msg_sum(struct hs_msg *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    m->sumlen = hs_bufvf(m->sum, sizeof m->sum, m->sumlen, fmt, ap);
    va_end(ap);
}

void hs_msg_sum_text(struct hs_msg *m, const uint8_t *p, size_t n)
{
    char *e = hs_escape(p, n);
    hs_msg_sum(m, "%s", e);
    free(e);
}

void hs_msg_done(struct hs_msg *m)
{
    if (m->nviolations > 0) {
        hs_msg_sum(m, "; %s", m->violation);
        if (m->nviolations > 1)
            hs_msg_sum(m, " (and %u more)", m->nviolations - 1);
    }
    if (m->sumlen > 0) {
        /* Peer text in the summary was escaped as it was added; cut at a whole character. */
        size_t len = m->sumlen;
        if (len == sizeof m->sum - 1)
            while (len > 0 && ((uint8_t)m->sum[len] & 0xc0) == 0x80)
                len--;
        free(m->ev->summary);
        m->ev->summary = hs_xmemdup(m->sum, len + 1);
        m->ev->summary[len] = '\0';
    }
    if (m->err[0] != '\0') {
        hs_f_str(m->f, "error", m->err);
        m->ev->problem = true;
    }
}

const char *hs_fmt_suite(uint16_t id, char *buf, size_t n)
{
    if (hs_is_grease(id)) {
        snprintf(buf, n, "GREASE(0x%04x)", id);
        return buf;
    }
    const char *s = hs_suite_name(id);
    if (s)
        return s;
    snprintf(buf, n, "0x%04x", id);
    return buf;
}

static const char *fmt_named(const char *name, uint16_t id, char *buf, size_t n)
{
    if (hs_is_grease(id))
        snprintf(buf, n, "GREASE(0x%04x)", id);
    else if (name)
        return name;
    else
        snprintf(buf, n, "0x%04x", id);
    return buf;
}

const char *hs_fmt_extension(uint16_t id, char *buf, size_t n)
{
    const char *name = hs_name_extension(id);
    if (name)
        return name;
    snprintf(buf, n, "unknown(%u)", id);
    return buf;
}

const char *hs_fmt_group(uint16_t id, char *buf, size_t n)
{
    return fmt_named(hs_name_group(id), id, buf, n);
}

const char *hs_fmt_sigscheme(uint16_t id, char *buf, size_t n)
{
    return fmt_named(hs_name_sigscheme(id), id, buf, n);
}

const char *hs_fmt_version(uint16_t v, char *buf, size_t n)
{
    return fmt_named(hs_name_version(v), v, buf, n);
}
