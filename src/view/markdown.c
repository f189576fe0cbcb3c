/*
 * The ladder as a Markdown table (slides.h):
 *
 *   ## hstrace: localhost:4433 → 127.0.0.1 (SNI localhost)
 *
 *   TLS 1.3 · TLS_AES_256_GCM_SHA384 · x25519 · certificate verified
 *
 *   | ms | direction | message | details |
 *   |---:|---|---|---|
 *   | 0.015 | Client → Server | SYN | mss 65495, wscale 10, SACK, TS |
 *   | 19.697 | Client ← Server | *Certificate* | \[decrypted\] 2 certs: ... |
 *
 * Encrypted messages in italics with their [decrypted]/[encrypted] marker, problem rows in
 * bold with "!!".  Text from the trace gets a backslash before every ASCII punctuation
 * character that could end a cell or start markup inside one ('|', '\', '*', '_', '`', '<'
 * of HTML or an autolink, '[', ']', '&', '~'), so each row stays one row on one line.
 */
#include "slides.h"

#include "../core/mem.h"
#include "glyphs.h"

#include <stdlib.h>
#include <string.h>

/* s (safe: no control byte) as Markdown inline text. */
static void md_put(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\|*_`<[]&~", *s))
            fputc('\\', out);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
    }
}

/* One cell: " text |", with the emphasis mark around it (none: ""). */
static void md_cell(FILE *out, const char *s, const char *mark)
{
    fputc(' ', out);
    if (s[0]) {
        fputs(mark, out);
        md_put(out, s);
        fputs(mark, out);
    }
    fputs(" |", out);
}

/* hstrace's own cell: no markup in it ("Client <- Server" opens no tag). */
static void md_own_cell(FILE *out, const char *s)
{
    fprintf(out, " %s |", s);
}

int hs_view_markdown(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o)
{
    const struct hs_glyphs *g = hs_glyphs(o->ascii);
    char *target = hs_slide_target(t, o->ascii);
    fputs("## hstrace: ", out);
    md_put(out, target);
    fputs("\n\n", out);
    free(target);
    char *result = hs_slide_result(t, o->ascii);
    if (result[0]) {
        md_put(out, result);
        fputs("\n\n", out);
    }
    free(result);

    fputs("| ms | direction | message | details |\n|---:|---|---|---|\n", out);
    char *dirs[2] = {hs_xasprintf("Client %s Server", g->to),
                     hs_xasprintf("Client %s Server", g->from)};
    for (const struct hs_event *ev = t->first; ev; ev = ev->next) {
        if (!hs_slide_shown(ev, o))
            continue;
        bool library = ev->layer == HS_LAYER_LIBRARY;
        fprintf(out, "| %.3f |", ev->t_ms);
        md_own_cell(out, library ? "Client" : dirs[ev->from == HS_CLIENT ? 0 : 1]);
        char *name = library ? hs_xstrdup("note") : hs_slide_name(ev, o->ascii);
        md_cell(out, name, ev->problem ? "**" : ev->encrypted ? "*" : "");
        free(name);
        char *detail = hs_slide_detail(ev, o->ascii);
        md_cell(out, detail, ev->problem ? "**" : "");
        free(detail);
        fputc('\n', out);
    }
    free(dirs[0]);
    free(dirs[1]);

    char *fail = hs_slide_failure(t, o->ascii);
    if (fail) {
        fprintf(out, "\n**%s ", g->fail);
        md_put(out, fail);
        fputs("**\n", out);
        free(fail);
    }
    char *timings = hs_slide_timings(t, o->ascii);
    if (timings) {
        fputc('\n', out);
        md_put(out, timings);
        fputc('\n', out);
        free(timings);
    }
    return ferror(out) ? -1 : 0;
}
