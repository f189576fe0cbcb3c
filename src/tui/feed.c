/*
 * The live source runs in a worker thread on a trace of its own.  Its listener clones each
 * new event and the connection's header into a queue under a mutex; the UI thread drains the
 * queue into its own copy, so the two never share a pointer.  When the worker ends, the UI
 * joins it and takes the finished trace as it is (the source may have completed the header
 * after the last event).
 */
#include "internal.h"

#include "../core/mem.h"
#include "../live/live.h"
#include "../live/privs.h"
#include "../live/saved.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct tui_feed {
    const struct hs_options *o;
    struct hs_trace *trace;      /* the worker's; the UI touches it only after the join */
    pthread_t thread;
    pthread_mutex_t lock;        /* guards everything below */
    struct hs_event *queue, *queue_last;
    struct hs_trace *header;     /* the header as last seen by the listener (no events) */
    bool header_new;
    bool done;
    int code;
    struct hs_live_saved *saved; /* the worker's packets and secrets, for "save" */
};

static char *dup_or_null(const char *s)
{
    return s ? hs_xstrdup(s) : NULL;
}

/* Copies what the header shows (not the events, not the listener). */
static void copy_header(struct hs_trace *dst, const struct hs_trace *src)
{
    free(dst->host);
    free(dst->address);
    free(dst->sni);
    free(dst->client_address);
    free(dst->error_message);
    free(dst->alpn);
    free(dst->hint);
    hs_field_free(dst->chain);
    hs_field_free(dst->problems);
    dst->host = dup_or_null(src->host);
    dst->port = src->port;
    dst->address = dup_or_null(src->address);
    dst->sni = dup_or_null(src->sni);
    dst->client_address = dup_or_null(src->client_address);
    dst->error_stage = src->error_stage;
    dst->error_message = dup_or_null(src->error_message);
    dst->exit_code = src->exit_code;
    dst->handshake_done = src->handshake_done;
    memcpy(dst->version, src->version, sizeof dst->version);
    memcpy(dst->cipher_suite, src->cipher_suite, sizeof dst->cipher_suite);
    memcpy(dst->group, src->group, sizeof dst->group);
    dst->alpn = dup_or_null(src->alpn);
    dst->resumed = src->resumed;
    dst->chain = hs_field_clone(src->chain);
    dst->verified = src->verified;
    dst->problems = hs_field_clone(src->problems);
    dst->dns_ms = src->dns_ms;
    dst->tcp_ms = src->tcp_ms;
    dst->tls_ms = src->tls_ms;
    dst->total_ms = src->total_ms;
    dst->round_trips = src->round_trips;
    dst->tcp_inferred = src->tcp_inferred;
    dst->hint = dup_or_null(src->hint);
}

/* The worker thread's side: called by hs_trace_add. */
static void on_event(void *ctx, struct hs_trace *t, struct hs_event *ev)
{
    struct tui_feed *f = ctx;
    struct hs_event *copy = hs_event_clone(ev);
    pthread_mutex_lock(&f->lock);
    if (f->queue_last)
        f->queue_last->next = copy;
    else
        f->queue = copy;
    f->queue_last = copy;
    copy_header(f->header, t);
    f->header_new = true;
    pthread_mutex_unlock(&f->lock);
}

static void *worker(void *arg)
{
    struct tui_feed *f = arg;
    int code = f->o->demo ? hs_demo_run_keep(f->o, f->trace, &f->saved)
                          : hs_live_run_keep(f->o, f->trace, &f->saved);
    pthread_mutex_lock(&f->lock);
    f->done = true;
    f->code = code;
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

struct tui_feed *tui_feed_start(const struct hs_options *o)
{
    struct tui_feed *f = hs_xcalloc(1, sizeof *f);
    f->o = o;
    f->trace = hs_trace_new();
    f->trace->listener = on_event;
    f->trace->listener_ctx = f;
    f->header = hs_trace_new();
    pthread_mutex_init(&f->lock, NULL);
    if (pthread_create(&f->thread, NULL, worker, f) != 0) {
        pthread_mutex_destroy(&f->lock);
        hs_trace_free(f->trace);
        hs_trace_free(f->header);
        free(f);
        return NULL;
    }
    hs_privs_shed_thread(); /* the view needs no privilege; the worker opens the capture */
    return f;
}

bool tui_feed_drain(struct tui_feed *f, struct hs_trace *view)
{
    pthread_mutex_lock(&f->lock);
    struct hs_event *q = f->queue;
    f->queue = f->queue_last = NULL;
    bool changed = q != NULL || f->header_new;
    if (f->header_new)
        copy_header(view, f->header);
    f->header_new = false;
    pthread_mutex_unlock(&f->lock);

    /* The view has no listener; hs_trace_add puts each copy where the source put it. */
    while (q) {
        struct hs_event *next = q->next;
        q->next = NULL;
        hs_trace_add(view, q);
        q = next;
    }
    return changed;
}

bool tui_feed_done(struct tui_feed *f)
{
    pthread_mutex_lock(&f->lock);
    bool done = f->done;
    pthread_mutex_unlock(&f->lock);
    return done;
}

struct hs_trace *tui_feed_finish(struct tui_feed *f, int *code, struct hs_live_saved **saved)
{
    pthread_join(f->thread, NULL);
    *code = f->code;
    if (saved) {
        *saved = f->saved;
        f->saved = NULL;
    }
    struct hs_trace *t = f->trace;
    t->listener = NULL;
    t->listener_ctx = NULL;
    f->trace = NULL;
    return t;
}

void tui_feed_free(struct tui_feed *f)
{
    if (f == NULL)
        return;
    if (f->trace) {
        /* Never freed under a running worker: finish first. */
        int code;
        hs_trace_free(tui_feed_finish(f, &code, NULL));
    }
    for (struct hs_event *q = f->queue; q;) {
        struct hs_event *next = q->next;
        hs_event_free(q);
        q = next;
    }
    hs_trace_free(f->header);
    hs_live_saved_free(f->saved);
    pthread_mutex_destroy(&f->lock);
    free(f);
}
