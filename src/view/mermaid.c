/*
 * The ladder as a Mermaid sequenceDiagram (slides.h):
 *
 *   sequenceDiagram
 *       participant Client as Client 127.0.0.1:58611
 *       participant Server as Server 127.0.0.1:4433
 *       Client->>Server: SYN (0.015 ms) mss 65495, wscale 10, SACK, TS
 *       Server-->>Client: Certificate (19.697 ms) [decrypted] 2 certs: ...
 *       Server-xClient: Alert (3.100 ms) !! fatal handshake_failure
 *
 * The negotiated result is a Note over both at the top, the failure one at the bottom.
 * Plaintext messages are ->>, encrypted ones -->> (dotted), problem rows end in a cross
 * (-x, --x); library notes are "Note left of Client: ...".
 * A message's text runs to the end of its line and may not hold '#', ';' or a newline
 * (Mermaid's grammar): each of '#', ';', '<', '>', '&' is written as an entity code (#35;,
 * #59;, #lt;, #gt;, #amp;), which Mermaid turns back into the character.
 */
#include "slides.h"

#include "../core/mem.h"
#include "glyphs.h"

#include <stdlib.h>
#include <string.h>

enum { DETAIL_COLS = 90, LINE_COLS = 120 };

/* s (safe, no control byte) as Mermaid text for the rest of a line. */
static void mm_put(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '#': fputs("#35;", out); break;
        case ';': fputs("#59;", out); break;
        case '<': fputs("#lt;", out); break;
        case '>': fputs("#gt;", out); break;
        case '&': fputs("#amp;", out); break;
        case '\n': case '\r': fputc(' ', out); break; /* never there: hs_view_safe escapes them */
        default: fputc(*s, out);
        }
    }
}

/* "    PREFIX text\n", the text cut to cols. */
static void mm_line(FILE *out, const char *prefix, const char *s, size_t cols, bool ascii)
{
    char *cut = hs_slide_cut(s, cols, ascii);
    fprintf(out, "    %s", prefix);
    mm_put(out, cut);
    fputc('\n', out);
    free(cut);
}

static const char *arrow(const struct hs_event *ev)
{
    if (ev->problem)
        return ev->encrypted ? "--x" : "-x";
    return ev->encrypted ? "-->>" : "->>";
}

int hs_view_mermaid(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o)
{
    fputs("sequenceDiagram\n", out);
    char *target = hs_slide_target(t, o->ascii);
    mm_line(out, "title hstrace: ", target, LINE_COLS, o->ascii);
    free(target);

    static const char *const names[] = {"Client", "Server"};
    for (int side = HS_CLIENT; side <= HS_SERVER; side++) {
        char *addr = hs_slide_endpoint(t, (enum hs_side)side, o->ascii);
        char *alias = addr ? hs_xasprintf("%s %s", names[side], addr) : hs_xstrdup(names[side]);
        char *prefix = hs_xasprintf("participant %s as ", names[side]);
        mm_line(out, prefix, alias, LINE_COLS, o->ascii);
        free(prefix);
        free(alias);
        free(addr);
    }
    char *result = hs_slide_result(t, o->ascii);
    if (result[0])
        mm_line(out, "Note over Client,Server: ", result, LINE_COLS, o->ascii);
    free(result);

    for (const struct hs_event *ev = t->first; ev; ev = ev->next) {
        if (!hs_slide_shown(ev, o))
            continue;
        char *detail = hs_slide_detail(ev, o->ascii);
        char *cut = hs_slide_cut(detail, DETAIL_COLS, o->ascii);
        char *text;
        char *prefix;
        if (ev->layer == HS_LAYER_LIBRARY) {
            text = hs_xasprintf("%s (%.3f ms)", cut, ev->t_ms);
            prefix = hs_xstrdup("Note left of Client: ");
        } else {
            char *name = hs_slide_name(ev, o->ascii);
            text = hs_xasprintf("%s (%.3f ms)%s%s", name, ev->t_ms, cut[0] ? " " : "", cut);
            free(name);
            bool c = ev->from == HS_CLIENT;
            prefix = hs_xasprintf("%s%s%s: ", c ? "Client" : "Server", arrow(ev),
                                  c ? "Server" : "Client");
        }
        mm_line(out, prefix, text, LINE_COLS + 40, o->ascii);
        free(prefix);
        free(text);
        free(cut);
        free(detail);
    }

    char *fail = hs_slide_failure(t, o->ascii);
    if (fail) {
        char *line = hs_xasprintf("%s %s", hs_glyphs(o->ascii)->fail, fail);
        mm_line(out, "Note over Client,Server: ", line, LINE_COLS, o->ascii);
        free(line);
        free(fail);
    }
    return ferror(out) ? -1 : 0;
}
