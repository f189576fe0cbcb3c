/*
 * A live trace (a target, or --demo): the live source's options from the command line, then
 * the interactive view (on a terminal) with the source as its run function, or one run
 * rendered as the text ladder or the JSON document.
 */
#include "run.h"

#include "slides.h"
#include "textopts.h"
#include "usage.h"

#include "../core/outfile.h"
#include "../core/result.h"
#include "../live/live.h"
#include "../live/privs.h"
#include "../live/saved.h"
#include "../live/scenario.h"
#include "../tui/tui.h"
#include "../view/glyphs.h"
#include "../view/view.h"

#include <jansson.h>

#include <stdio.h>

/* ---- the interactive view's source ---- */

struct live_source {
    struct hs_live_opts lo;
    bool demo;
};

static int source_run(const void *ctx, struct hs_trace *t, void **kept, void *gate)
{
    const struct live_source *s = ctx;
    struct hs_live_opts lo = s->lo;
    if (gate) { /* --step: the handshake waits for the view before each step */
        lo.before_step = hs_tui_step_wait;
        lo.step_ctx = gate;
    }
    struct hs_live_saved *sv = NULL;
    int code = s->demo ? hs_demo_run_keep(&lo, t, &sv) : hs_live_run_keep(&lo, t, &sv);
    *kept = sv;
    return code;
}

static int source_save(const void *kept, const char *path, bool replace, char *msg,
                       size_t msgsz)
{
    const struct hs_live_saved *sv = kept;
    if (hs_live_saved_write(sv, path, replace, msg, msgsz) != 0)
        return -1;
    snprintf(msg, msgsz, "%zu packets%s", sv->packets.n,
             hs_saved_wants_pcapng(path) && sv->keylog ? " and the TLS secrets" : "");
    return 0;
}

static void source_free(void *kept)
{
    hs_live_saved_free(kept);
}

/* Capabilities are per thread: the worker opens the capture, the view's thread needs none. */
static void source_started(const void *ctx)
{
    (void)ctx;
    hs_privs_shed_thread();
}

/* ---- a demo scenario of several connections: printed as -r prints a capture ---- */

/* The document's "demo" object: the scenario, its lesson, and for a resumption the time
 * saved. */
static json_t *demo_json(const struct hs_demo_scenario *sc, const struct hs_demo_summary *sum)
{
    json_t *j = json_object();
    json_object_set_new(j, "scenario", json_string(sc->name));
    json_object_set_new(j, "lesson", json_string(sc->lesson));
    bool two = sum->connections >= 2;
    json_object_set_new(j, "resumed", json_boolean(two && sum->resumed));
    json_object_set_new(j, "saved_ms", two && sum->resumed
                                           ? json_real(sum->tls_ms[0] - sum->tls_ms[1])
                                           : json_null());
    return j;
}

/* ms rounded to the microsecond, as the documents give times. */
static double to_us(double ms)
{
    return (double)(long long)(ms * 1000.0 + (ms < 0 ? -0.5 : 0.5)) / 1000.0;
}

/* --reconnect: how the second connection resumed, or why not (JSON "reconnect"). */
static json_t *reconnect_json(const struct hs_demo_summary *sum)
{
    bool two = sum->connections >= 2, res = two && sum->resumed;
    return json_pack("{s:b,s:o,s:o,s:o}", "resumed", res, "how",
                     res && sum->how ? json_string(sum->how) : json_null(), "saved_ms",
                     res ? json_real(to_us(sum->tls_ms[0] - sum->tls_ms[1])) : json_null(),
                     "reason",
                     !res && sum->why[0] ? json_string(sum->why) : json_null());
}

/* The closing line of the text output: what the second connection gained, or why not. */
static void several_footer(FILE *out, const char *what, const struct hs_demo_summary *sum,
                           const struct hs_view_opts *vo)
{
    const struct hs_glyphs *g = hs_glyphs(vo->ascii);
    fprintf(out, "%s %s: %u connection%s", g->rule, what, sum->connections,
            sum->connections == 1 ? "" : "s");
    if (sum->connections >= 2 && sum->resumed)
        fprintf(out, "; the second resumed the first one's session: TLS %.2f ms %s %.2f ms, "
                "%.2f ms saved%s%s%s", sum->tls_ms[0], g->to, sum->tls_ms[1],
                sum->tls_ms[0] - sum->tls_ms[1], sum->how ? " (" : "", sum->how ? sum->how : "",
                sum->how ? ")" : "");
    else if (sum->connections >= 2)
        fprintf(out, "; the second did not resume the session%s%s", sum->why[0] ? ": " : "",
                sum->why);
    else if (sum->why[0])
        fprintf(out, "; %s", sum->why);
    fprintf(out, " %s\n", g->rule);
}

/* A demo scenario of several connections, or --reconnect (sc: the demo's scenario, else
 * NULL): every connection printed as -r prints a capture's, then what the second gained. */
static int run_several(const struct hs_options *o, const struct hs_live_opts *lo,
                       const struct hs_demo_scenario *sc)
{
    struct hs_collected col = {0};
    struct hs_demo_summary sum;
    int code = sc ? hs_demo_run_each(lo, hs_cli_collect, &col, &sum)
                  : hs_live_run_each(lo, hs_cli_collect, &col, &sum);
    bool scenario = sc && sc->connections > 1; /* else --reconnect made it several */
    char what[64];
    if (sc)
        snprintf(what, sizeof what, "--demo %s%s", sc->name, scenario ? "" : " --reconnect");
    else
        snprintf(what, sizeof what, "--reconnect");
    if (hs_tui_wanted(o)) {
        struct hs_tui_opts to = hs_tui_opts(o);
        if (hs_tui_run_traces(&to, col.t, col.n, what) != HS_TUI_UNAVAILABLE) {
            hs_cli_collected_free(&col);
            return code;
        }
    }
    struct hs_view_opts vo = hs_text_opts(o);
    FILE *out = hs_outfile_watch(stdout); /* keeps the reason of a write error */
    struct hs_conn_printer pr = {.out = out, .vo = &vo, .json = o->json};
    if (!o->json && scenario)
        fprintf(out, "demo scenario %s: %s\n\n", sc->name, sc->lesson);
    for (size_t i = 0; i < col.n; i++) { /* each printed trace is freed */
        struct hs_capture_conn cc = {.number = i + 1,
                                     .packets = i < HS_DEMO_MAX_CONNS ? sum.packets[i] : 0};
        hs_cli_print_conn(&pr, col.t[i], &cc);
    }
    col.n = 0;
    hs_cli_collected_free(&col);
    if (o->json) {
        struct hs_capture_source src = {.file = sc ? what : "", .connections = sum.connections,
                                        .tls_connections = sum.connections};
        for (unsigned i = 0; i < sum.connections && i < HS_DEMO_MAX_CONNS; i++)
            src.packets += sum.packets[i];
        hs_cli_json_begin(&pr);
        pr.js.extra = json_object();
        if (scenario)
            json_object_set_new(pr.js.extra, "demo", demo_json(sc, &sum));
        if (lo->reconnect)
            json_object_set_new(pr.js.extra, "reconnect", reconnect_json(&sum));
        (void)hs_capture_json_end(&pr.js, &src); /* a write error is found when closing */
    } else {
        several_footer(out, what, &sum, &vo);
    }
    if (hs_outfile_watch_end(out, "standard output") != 0)
        code = HS_EXIT_WRITE;
    return code;
}

int hs_cli_run_live(const struct hs_options *o)
{
    if (o->demo_list) {
        FILE *out = hs_outfile_watch(stdout); /* keeps the reason of a write error */
        hs_demo_list(out);
        return hs_outfile_watch_end(out, "standard output") != 0 ? HS_EXIT_WRITE : 0;
    }
    const struct hs_demo_scenario *sc = o->demo ? hs_demo_find(o->live.scenario) : NULL;
    struct live_source ls = {.lo = o->live, .demo = o->demo};
    if ((sc && sc->connections > 1) || o->live.reconnect) {
        ls.lo.may_prompt = false;
        return run_several(o, &ls.lo, sc);
    }
    /* The interactive view owns the terminal: no passphrase prompt under it. */
    ls.lo.may_prompt = !hs_tui_wanted(o);
    if (hs_tui_wanted(o)) {
        struct hs_tui_opts to = hs_tui_opts(o);
        struct hs_tui_source src = {.run = source_run, .save = source_save,
                                    .free_kept = source_free, .started = source_started,
                                    .ctx = &ls,
                                    .timeout_s = o->live.timeout_s};
        int code = hs_tui_run_live(&to, &src);
        if (code != HS_TUI_UNAVAILABLE)
            return code;
        if (o->step)
            return hs_usage_failed(o, hs_step_refused());
    }

    struct hs_trace *t = hs_trace_new();
    int code = o->demo ? hs_demo_run(&ls.lo, t) : hs_live_run(&ls.lo, t);
    if (code == HS_EXIT_USAGE && !o->json) {
        /* The source already said what was wrong with the request; there is no trace. */
        hs_trace_free(t);
        return code;
    }
    struct hs_view_opts vo = hs_text_opts(o);
    FILE *out = hs_outfile_watch(stdout); /* keeps the reason of a write error */
    if (hs_cli_slides_stdout(o)) {
        (void)0; /* a slide ('-') takes standard output */
    } else if (o->json) {
        (void)hs_view_json(out, t, vo.json_ascii); /* a write error is found when closing */
    } else {
        if (sc && o->live.scenario) /* named on the command line: say what it teaches */
            fprintf(out, "demo scenario %s: %s\n\n", sc->name, sc->lesson);
        hs_view_text(out, t, &vo);
    }
    if (hs_cli_slides_write(o, t, out) != 0)
        code = HS_EXIT_WRITE;
    if (hs_outfile_watch_end(out, "standard output") != 0)
        code = HS_EXIT_WRITE;
    hs_trace_free(t);
    return code;
}
