/* What the three slide formats share: which rows, and the header and row texts (slides.h). */
#include "slides.h"

#include "../core/mem.h"
#include "glyphs.h"
#include "safe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool hs_slide_shown(const struct hs_event *ev, const struct hs_slide_opts *o)
{
    return ev->layer != HS_LAYER_LIBRARY || o->notes || ev->problem;
}

char *hs_slide_cut(const char *s, size_t cols, bool ascii)
{
    if (hs_view_cols(s, strlen(s)) <= cols)
        return hs_xstrdup(s);
    const char *ell = hs_glyphs(ascii)->ellipsis;
    size_t ell_cols = hs_view_cols(ell, strlen(ell));
    size_t n = hs_view_fit(s, cols > ell_cols ? cols - ell_cols : 0, NULL);
    return hs_xasprintf("%.*s%s", (int)n, s, ell);
}

/* "host:port", brackets around an IPv6 literal. */
static char *host_port(const char *host, unsigned port)
{
    bool v6 = strchr(host, ':') != NULL && host[0] != '[';
    return hs_xasprintf("%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

char *hs_slide_endpoint(const struct hs_trace *t, enum hs_side side, bool ascii)
{
    if (side == HS_CLIENT)
        return t->client_address ? hs_view_safe(t->client_address, ascii) : NULL;
    if (!t->address)
        return NULL;
    char *addr = hs_view_safe(t->address, ascii);
    char *s = host_port(addr, t->port);
    free(addr);
    return s;
}

char *hs_slide_target(const struct hs_trace *t, bool ascii)
{
    const struct hs_glyphs *g = hs_glyphs(ascii);
    char *line;
    if (t->host) {
        char *host = hs_view_safe(t->host, ascii);
        line = host_port(host, t->port);
        free(host);
        if (t->address && strcmp(t->address, t->host) != 0) {
            char *addr = hs_view_safe(t->address, ascii);
            char *more = hs_xasprintf("%s %s %s", line, g->to, addr);
            free(addr);
            free(line);
            line = more;
        }
    } else {
        /* A capture names no host: client -> server. */
        char *client = hs_view_safe(t->client_address ? t->client_address : "?", ascii);
        char *server = hs_slide_endpoint(t, HS_SERVER, ascii);
        line = hs_xasprintf("%s %s %s", client, g->to, server ? server : "?");
        free(client);
        free(server);
    }
    char *sni = t->sni ? hs_view_safe(t->sni, ascii) : NULL;
    char *more = sni ? hs_xasprintf("%s (SNI %s)", line, sni) : hs_xasprintf("%s (no SNI)", line);
    free(sni);
    free(line);
    return more;
}

/* Appends item to *line, after the separator when *line is not empty. */
static void add_item(char **line, const char *sep, const char *item)
{
    char *more = hs_xasprintf("%s%s%s", *line, (*line)[0] ? sep : "", item);
    free(*line);
    *line = more;
}

char *hs_slide_result(const struct hs_trace *t, bool ascii)
{
    const char *sep = hs_glyphs(ascii)->sep;
    bool failed = t->error_stage != HS_STAGE_NONE || !t->handshake_done;
    char *line = hs_xstrdup("");
    if (failed) {
        const char *stage = hs_stage_name(t->error_stage);
        char *what = stage ? hs_xasprintf("handshake failed at %s", stage)
                           : hs_xstrdup("handshake not completed");
        add_item(&line, sep, what);
        free(what);
    }
    const char *known[] = {t->version, t->cipher_suite, t->group};
    for (size_t i = 0; i < 3; i++) {
        if (known[i][0] == '\0')
            continue;
        char *s = hs_view_safe(known[i], ascii);
        add_item(&line, sep, s);
        free(s);
    }
    if (t->alpn) {
        char *alpn = hs_view_safe(t->alpn, ascii);
        char *s = hs_xasprintf("ALPN %s", alpn);
        add_item(&line, sep, s);
        free(s);
        free(alpn);
    }
    if (t->resumed)
        add_item(&line, sep, "resumed");
    if (t->verified == 1)
        add_item(&line, sep, "certificate verified");
    else if (t->verified == 0)
        add_item(&line, sep, "certificate NOT VERIFIED");
    return line;
}

char *hs_slide_failure(const struct hs_trace *t, bool ascii)
{
    if (!t->error_message && t->error_stage == HS_STAGE_NONE)
        return NULL;
    const char *stage = hs_stage_name(t->error_stage);
    char *msg = hs_view_safe(t->error_message ? t->error_message : "unknown error", ascii);
    char *line = stage ? hs_xasprintf("failed at %s: %s", stage, msg) : hs_xstrdup(msg);
    free(msg);
    return line;
}

char *hs_slide_timings(const struct hs_trace *t, bool ascii)
{
    const char *sep = hs_glyphs(ascii)->sep;
    const char *names[] = {"DNS", "TCP", "TLS", "total"};
    const double ms[] = {t->dns_ms, t->tcp_ms, t->tls_ms, t->total_ms};
    char *line = hs_xstrdup("");
    for (size_t i = 0; i < 4; i++) {
        if (ms[i] < 0)
            continue;
        char *s = hs_xasprintf("%s %.2f ms", names[i], ms[i]);
        add_item(&line, sep, s);
        free(s);
    }
    if (t->round_trips >= 0) {
        char *s = hs_xasprintf("%d round trip%s", t->round_trips, t->round_trips == 1 ? "" : "s");
        add_item(&line, sep, s);
        free(s);
    }
    if (line[0] == '\0') {
        free(line);
        return NULL;
    }
    return line;
}

char *hs_slide_detail(const struct hs_event *ev, bool ascii)
{
    char *line = hs_xstrdup("");
    if (ev->problem)
        add_item(&line, " ", "!!");
    if (ev->inferred)
        add_item(&line, " ", "(inferred)");
    if (ev->encrypted)
        add_item(&line, " ", ev->decrypted ? "[decrypted]" : "[encrypted]");
    char *summary = hs_view_safe(ev->summary, ascii);
    if (summary[0])
        add_item(&line, " ", summary);
    free(summary);
    return line;
}

char *hs_slide_name(const struct hs_event *ev, bool ascii)
{
    return hs_view_safe(ev->type[0] ? ev->type : "unknown", ascii);
}
