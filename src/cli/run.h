/*
 * The wiring: each takes the parsed command line, picks the view (interactive, text or JSON),
 * fills the source's own options, runs it and renders what it produced.  Each returns the
 * process's exit code.
 */
#ifndef HS_CLI_RUN_H
#define HS_CLI_RUN_H

#include "options.h"

#include "../core/conn.h"
#include "../core/trace.h"
#include "../view/json_capture.h"
#include "../view/view.h"

#include <stdio.h>

/* A live trace: the target, or the built-in server (--demo). */
int hs_cli_run_live(const struct hs_options *o);

/* -r FILE: every selected TLS connection of a capture. */
int hs_cli_run_capture(const struct hs_options *o);

/* Prints connections as -r does: each a header line and its ladder, or one object of the
 * capture document (hs_cli_json_begin first; the caller ends it).  Takes the trace. */
struct hs_conn_printer {
    FILE *out;
    const struct hs_view_opts *vo;
    bool json, begun;
    struct hs_json_stream js;
    const struct hs_options *o; /* for the slides (--svg, ... with --conn N), or NULL */
    int slides_code;            /* 0, or HS_EXIT_WRITE */
    bool quiet;                 /* a slide takes standard output: no ladder, no JSON */
};
void hs_cli_print_conn(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c);
void hs_cli_json_begin(struct hs_conn_printer *p);

/* Collects traces for the interactive view's connection list (ctx: struct hs_collected). */
struct hs_collected {
    struct hs_trace **t;
    size_t n, cap;
};
void hs_cli_collect(void *ctx, struct hs_trace *trace, const struct hs_capture_conn *c);
void hs_cli_collected_free(struct hs_collected *col);

#endif
