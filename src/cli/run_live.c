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
#include "../tui/tui.h"
#include "../view/view.h"

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

int hs_cli_run_live(const struct hs_options *o)
{
    struct live_source ls = {.lo = o->live, .demo = o->demo};
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
    if (hs_cli_slides_stdout(o))
        (void)0; /* a slide ('-') takes standard output */
    else if (o->json)
        (void)hs_view_json(out, t, vo.json_ascii); /* a write error is found when closing */
    else
        hs_view_text(out, t, &vo);
    if (hs_cli_slides_write(o, t, out) != 0)
        code = HS_EXIT_WRITE;
    if (hs_outfile_watch_end(out, "standard output") != 0)
        code = HS_EXIT_WRITE;
    hs_trace_free(t);
    return code;
}
