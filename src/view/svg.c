/*
 * The ladder as an SVG picture (slides.h): white background, two lanes "Client" and "Server"
 * with their addresses, one row per message (time in ms on the left, the arrow with the name
 * above it and the summary under it), encrypted rows dashed, problem rows red, the header as
 * the title and the failure reason at the bottom.  Only sans-serif and monospace, no script,
 * no external reference: it renders the same anywhere.
 */
#include "slides.h"

#include "../core/escape.h"
#include "../core/mem.h"
#include "glyphs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    WIDTH = 1000,
    X_TIME = 120,        /* right edge of the time column */
    X_CLIENT = 190,      /* the lanes */
    X_SERVER = 850,
    HEAD_H = 140,        /* title, result line, lane titles */
    ROW_H = 50,          /* a message row */
    NOTE_H = 26,         /* a library note row */
    FOOT_H = 70,
    SUMMARY_COLS = 88,   /* monospace 12 px between the lanes */
    NOTE_COLS = 84,
    TITLE_COLS = 86,     /* sans-serif 20 px */
    LINE_COLS = 110,     /* sans-serif 15 px */
    HEAD_SIZE = 12,      /* arrow heads */
};

/* Colours that read on white and on a washed-out projector. */
#define C_TEXT "#1f2937"
#define C_DIM "#4b5563"
#define C_CLIENT "#1d4ed8"
#define C_SERVER "#7e22ce"
#define C_TCP "#374151"
#define C_ENC "#b45309"
#define C_BAD "#c81e1e"
#define C_GOOD "#15803d"

/* Writes s as XML character data (also fit for an attribute): the five markup characters as
 * entities; what XML 1.0 does not allow (controls, U+FFFE, U+FFFF, bytes that are not UTF-8)
 * as \xNN or \u{NNNN}, as hstrace escapes everywhere. */
static void xml_put(FILE *out, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        uint32_t cp = 0;
        size_t len;
        switch (c) {
        case '&': fputs("&amp;", out); i++; continue;
        case '<': fputs("&lt;", out); i++; continue;
        case '>': fputs("&gt;", out); i++; continue;
        case '"': fputs("&quot;", out); i++; continue;
        case '\'': fputs("&apos;", out); i++; continue;
        default: break;
        }
        if (c >= 0x20 && c < 0x7f) {
            fputc(c, out);
            i++;
        } else if (c < 0x80 || (len = hs_utf8_decode(p + i, n - i, &cp)) == 0) {
            fprintf(out, "\\x%02x", c);
            i++;
        } else if (cp == 0xfffe || cp == 0xffff || (cp >= 0x80 && cp < 0xa0)) {
            fprintf(out, "\\u{%04x}", (unsigned)cp);
            i += len;
        } else {
            fwrite(p + i, 1, len, out);
            i += len;
        }
    }
}

/* <text ATTRS>s</text> */
static void text(FILE *out, const char *attrs, const char *s)
{
    fprintf(out, "<text %s>", attrs);
    xml_put(out, s);
    fputs("</text>\n", out);
}

static void header(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o, int h)
{
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" fill=\"" C_TEXT "\">\n",
            WIDTH, h, WIDTH, h);
    char *target = hs_slide_target(t, o->ascii);
    char *title = hs_slide_cut(target, TITLE_COLS, o->ascii);
    fputs("<title>hstrace: ", out);
    xml_put(out, target);
    fputs("</title>\n", out);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH, h);
    text(out, "x=\"24\" y=\"36\" font-size=\"20\" font-weight=\"bold\"", title);
    free(title);
    free(target);

    char *result = hs_slide_result(t, o->ascii);
    char *line = hs_slide_cut(result, LINE_COLS, o->ascii);
    bool bad = t->verified == 0 || t->error_stage != HS_STAGE_NONE || !t->handshake_done;
    text(out, bad ? "x=\"24\" y=\"64\" font-size=\"15\" fill=\"" C_BAD "\""
                  : "x=\"24\" y=\"64\" font-size=\"15\"",
         line);
    free(line);
    free(result);

    /* The lanes' titles and addresses. */
    const struct { enum hs_side side; int x; const char *name, *colour; } lanes[] = {
        {HS_CLIENT, X_CLIENT, "Client", C_CLIENT}, {HS_SERVER, X_SERVER, "Server", C_SERVER}};
    for (size_t i = 0; i < 2; i++) {
        fprintf(out, "<text x=\"%d\" y=\"104\" font-size=\"18\" font-weight=\"bold\" "
                "text-anchor=\"middle\" fill=\"%s\">%s</text>\n",
                lanes[i].x, lanes[i].colour, lanes[i].name);
        char *addr = hs_slide_endpoint(t, lanes[i].side, o->ascii);
        if (addr) {
            char *cut = hs_slide_cut(addr, 40, o->ascii);
            char attrs[160];
            snprintf(attrs, sizeof attrs, "x=\"%d\" y=\"122\" font-size=\"12\" "
                     "font-family=\"monospace\" text-anchor=\"middle\" fill=\"" C_DIM "\"",
                     lanes[i].x);
            text(out, attrs, cut);
            free(cut);
            free(addr);
        }
    }
    fprintf(out, "<text x=\"%d\" y=\"104\" font-size=\"13\" text-anchor=\"end\" fill=\"" C_DIM
            "\">ms</text>\n", X_TIME);
}

static void put_time(FILE *out, int y, double t_ms)
{
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-family=\"monospace\" "
            "text-anchor=\"end\" fill=\"" C_DIM "\">%.3f</text>\n", X_TIME, y, t_ms);
}

static void note_row(FILE *out, const struct hs_event *ev, const struct hs_slide_opts *o, int y)
{
    put_time(out, y + 17, ev->t_ms);
    char *detail = hs_slide_detail(ev, o->ascii);
    char *cut = hs_slide_cut(detail, NOTE_COLS, o->ascii);
    fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>\n", X_CLIENT + 12, y + 13,
            ev->problem ? C_BAD : C_GOOD);
    char attrs[160];
    snprintf(attrs, sizeof attrs, "x=\"%d\" y=\"%d\" font-size=\"12\" font-family=\"monospace\" "
             "fill=\"%s\"", X_CLIENT + 22, y + 17, ev->problem ? C_BAD : C_DIM);
    text(out, attrs, cut);
    free(cut);
    free(detail);
}

static void arrow_row(FILE *out, const struct hs_event *ev, const struct hs_slide_opts *o, int y)
{
    int ya = y + 26; /* the arrow's line */
    bool right = ev->from == HS_CLIENT;
    const char *colour = ev->problem ? C_BAD
                         : ev->layer == HS_LAYER_TCP ? C_TCP
                         : right ? C_CLIENT : C_SERVER;
    int tip = right ? X_SERVER - 1 : X_CLIENT + 1;
    int base = right ? tip - HEAD_SIZE : tip + HEAD_SIZE;
    int start = right ? X_CLIENT + 1 : X_SERVER - 1;
    put_time(out, ya + 4, ev->t_ms);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
            "stroke-width=\"%s\"%s/>\n", start, ya, base, ya, colour,
            ev->problem ? "3" : "2", ev->encrypted ? " stroke-dasharray=\"9 6\"" : "");
    fprintf(out, "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n", tip, ya, base,
            ya - HEAD_SIZE / 2, base, ya + HEAD_SIZE / 2, colour);

    char *name = hs_slide_name(ev, o->ascii);
    char attrs[200];
    snprintf(attrs, sizeof attrs, "x=\"%d\" y=\"%d\" font-size=\"15\" font-weight=\"bold\" "
             "text-anchor=\"middle\" fill=\"%s\"%s", (X_CLIENT + X_SERVER) / 2, ya - 7, colour,
             ev->encrypted ? " font-style=\"italic\"" : "");
    text(out, attrs, name);
    free(name);

    char *detail = hs_slide_detail(ev, o->ascii);
    if (detail[0]) {
        char *cut = hs_slide_cut(detail, SUMMARY_COLS, o->ascii);
        snprintf(attrs, sizeof attrs, "x=\"%d\" y=\"%d\" font-size=\"12\" "
                 "font-family=\"monospace\" text-anchor=\"middle\" fill=\"%s\"",
                 (X_CLIENT + X_SERVER) / 2, ya + 17,
                 ev->problem ? C_BAD : ev->encrypted ? C_ENC : C_DIM);
        text(out, attrs, cut);
        free(cut);
    }
    free(detail);
}

static void footer(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o, int y)
{
    char *fail = hs_slide_failure(t, o->ascii);
    if (fail) {
        char *line = hs_xasprintf("%s %s", hs_glyphs(o->ascii)->fail, fail);
        char *cut = hs_slide_cut(line, LINE_COLS, o->ascii);
        char attrs[120];
        snprintf(attrs, sizeof attrs, "x=\"24\" y=\"%d\" font-size=\"15\" font-weight=\"bold\" "
                 "fill=\"" C_BAD "\"", y + 30);
        text(out, attrs, cut);
        free(cut);
        free(line);
        free(fail);
    }
    char *timings = hs_slide_timings(t, o->ascii);
    if (timings) {
        char attrs[120];
        snprintf(attrs, sizeof attrs, "x=\"24\" y=\"%d\" font-size=\"13\" fill=\"" C_DIM "\"",
                 y + 54);
        text(out, attrs, timings);
        free(timings);
    }
}

int hs_view_svg(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o)
{
    int rows_h = 0;
    for (const struct hs_event *ev = t->first; ev; ev = ev->next)
        if (hs_slide_shown(ev, o))
            rows_h += ev->layer == HS_LAYER_LIBRARY ? NOTE_H : ROW_H;
    int bottom = HEAD_H + rows_h + 10;
    header(out, t, o, bottom + FOOT_H);
    fprintf(out, "<g stroke=\"#9ca3af\" stroke-width=\"2\">"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
            X_CLIENT, HEAD_H - 10, X_CLIENT, bottom, X_SERVER, HEAD_H - 10, X_SERVER, bottom);
    int y = HEAD_H;
    for (const struct hs_event *ev = t->first; ev; ev = ev->next) {
        if (!hs_slide_shown(ev, o))
            continue;
        if (ev->layer == HS_LAYER_LIBRARY) {
            note_row(out, ev, o, y);
            y += NOTE_H;
        } else {
            arrow_row(out, ev, o, y);
            y += ROW_H;
        }
    }
    footer(out, t, o, bottom);
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}
