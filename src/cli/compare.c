/*
 * --compare TARGET and --demo compare: the same server traced twice with every other option
 * equal, first offering TLS 1.2 only, then TLS 1.3 only.  The two ladders are printed side by
 * side when the terminal has room for two (160 columns), else one above the other, each with
 * its times, then one line comparing TLS time and round trips; --json gives the connections
 * document of -r (view/json_capture.h) with the two traces.
 */
#include "compare.h"

#include "run.h"
#include "slides.h"
#include "textopts.h"

#include "../core/mem.h"
#include "../core/outfile.h"
#include "../core/result.h"
#include "../live/live.h"
#include "../view/glyphs.h"
#include "../view/json_capture.h"
#include "../view/safe.h"
#include "../view/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SIDE_BY_SIDE_W = 160, GAP = 2 };

bool hs_cli_compare_claims(struct hs_options *o, const char *name)
{
    if (strcmp(name, "compare") != 0)
        return false;
    o->compare = true;
    return true;
}

const char *hs_cli_compare_conflict(const struct hs_options *o, int rest)
{
    if (!o->compare)
        return NULL;
    if (rest > 0)
        return o->demo ? "--demo compare takes no target" : "--compare takes one target, as its value";
    if (o->demo && o->live.target)
        return "--compare TARGET and --demo compare exclude each other";
    if (o->read_path || o->live.write_path)
        return "--compare traces two live connections: it goes with neither -r nor -w";
    if (o->live.only_tls12 || o->live.only_tls13)
        return "--compare offers TLS 1.2, then TLS 1.3 itself: no --tls1.2 or --tls1.3";
    if (o->conn || o->filter)
        return "--conn and --filter pick connections of a capture (-r FILE)";
    if (hs_cli_slides_any(o))
        return "--compare draws no slides (--svg, --mermaid, --markdown)";
    return NULL;
}

/* The TLS round trips of a trace: the highest round-trip label of its rows. */
static int tls_round_trips(const struct hs_trace *t)
{
    int n = 0;
    for (const struct hs_event *e = t->first; e; e = e->next)
        if (e->round_trip > n)
            n = e->round_trip;
    return n;
}

/* Columns a line of the text view takes on screen (its colour escapes take none). */
static size_t line_cols(const char *s, size_t n)
{
    size_t cols = 0, i = 0;
    while (i < n) {
        if (s[i] == '\x1b') {
            while (i < n && s[i] != 'm')
                i++;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] != '\x1b')
            j++;
        cols += hs_view_cols(s + i, j - i);
        i = j;
    }
    return cols;
}

/* The text ladder of t in a string, drawn width columns wide. */
static char *ladder_text(const struct hs_trace *t, const struct hs_view_opts *vo, int width)
{
    struct hs_view_opts o = *vo;
    o.width = width;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return hs_xstrdup("(out of memory)\n");
    hs_view_text(f, t, &o);
    fclose(f);
    return buf ? buf : hs_xstrdup("");
}

/* The two ladders in columns of half the width each, line by line. */
static void side_by_side(FILE *out, char *const text[2], int half)
{
    char *at[2] = {text[0], text[1]};
    while (*at[0] || *at[1]) {
        for (int k = 0; k < 2; k++) {
            char *nl = strchr(at[k], '\n');
            size_t n = nl ? (size_t)(nl - at[k]) : strlen(at[k]);
            fwrite(at[k], 1, n, out);
            size_t cols = line_cols(at[k], n);
            if (k == 0 && *at[1])
                fprintf(out, "%*s", (int)(cols < (size_t)half ? (size_t)half - cols : 0) + GAP, "");
            at[k] += n + (nl != NULL);
        }
        fputc('\n', out);
    }
}

/* "compare:" then one item per version and their difference, wrapped between items at the
 * width (< 0: one line). */
static void put_comparison(FILE *out, struct hs_trace *const t[2], const char *sep, int width)
{
    int rt[2] = {tls_round_trips(t[0]), tls_round_trips(t[1])};
    char *items[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 2; k++) {
        if (!t[k]->handshake_done)
            items[k] = hs_xasprintf("TLS 1.%d did not complete", k ? 3 : 2);
        else
            items[k] = hs_xasprintf("TLS 1.%d handshake %.2f ms, %d round trip%s", k ? 3 : 2,
                                    t[k]->tls_ms, rt[k], rt[k] == 1 ? "" : "s");
    }
    if (t[0]->handshake_done && t[1]->handshake_done)
        items[2] = hs_xasprintf("TLS 1.3 against 1.2: %+d round trip%s, %+.2f ms", rt[1] - rt[0],
                                abs(rt[1] - rt[0]) == 1 ? "" : "s", t[1]->tls_ms - t[0]->tls_ms);
    size_t col = strlen("compare:"), sep_w = hs_view_cols(sep, strlen(sep));
    fputs("compare:", out);
    for (int k = 0; k < 3 && items[k]; k++) {
        size_t w = strlen(items[k]); /* ASCII */
        if (k > 0 && width >= 0 && col + sep_w + w > (size_t)width) {
            fputs("\n  ", out);
            col = 2;
        } else {
            fputs(k ? sep : " ", out);
            col += k ? sep_w : 1;
        }
        fputs(items[k], out);
        col += w;
        free(items[k]);
    }
    fputc('\n', out);
}

static void print_text(FILE *out, struct hs_trace *const t[2], const struct hs_view_opts *vo)
{
    const struct hs_glyphs *g = hs_glyphs(vo->ascii);
    if (vo->width >= SIDE_BY_SIDE_W) {
        int half = (vo->width - GAP) / 2;
        char *text[2];
        for (int k = 0; k < 2; k++) {
            char *ladder = ladder_text(t[k], vo, half);
            text[k] = hs_xasprintf("%s TLS 1.%d %s\n%s", g->rule, k ? 3 : 2, g->rule, ladder);
            free(ladder);
        }
        side_by_side(out, text, half);
        free(text[0]);
        free(text[1]);
    } else {
        for (int k = 0; k < 2; k++) {
            fprintf(out, "%s TLS 1.%d %s\n", g->rule, k ? 3 : 2, g->rule);
            hs_view_text(out, t[k], vo);
            fputc('\n', out);
        }
    }
    put_comparison(out, t, g->sep, vo->width);
}

int hs_cli_run_compare(const struct hs_options *o)
{
    struct hs_trace *t[2];
    int code[2];
    for (int k = 0; k < 2; k++) {
        struct hs_live_opts lo = o->live;
        lo.only_tls12 = k == 0;
        lo.only_tls13 = k == 1;
        t[k] = hs_trace_new();
        code[k] = o->demo ? hs_demo_run(&lo, t[k]) : hs_live_run(&lo, t[k]);
    }
    struct hs_view_opts vo = hs_text_opts(o);
    FILE *out = hs_outfile_watch(stdout); /* keeps the reason of a write error */
    if (o->json) {
        struct hs_json_stream js;
        hs_capture_json_begin(&js, out, vo.json_ascii);
        for (int k = 0; k < 2; k++)
            hs_capture_json_conn(&js, t[k], &(struct hs_capture_conn){.number = (unsigned)k + 1});
        struct hs_capture_source src = {.file = "", .connections = 2, .tls_connections = 2};
        (void)hs_capture_json_end(&js, &src); /* a write error is found when closing */
    } else {
        print_text(out, t, &vo);
    }
    int rc = code[0] ? code[0] : code[1];
    if (hs_outfile_watch_end(out, "standard output") != 0)
        rc = HS_EXIT_WRITE;
    hs_trace_free(t[0]);
    hs_trace_free(t[1]);
    return rc;
}
