/*
 * The live source runs in a worker thread on a trace of its own.  Its listener clones each
 * new event and the connection's header into a queue under a mutex; the UI thread drains the
 * queue into its own copy, so the two never share a pointer.  When the worker ends, the UI
 * joins it and takes the finished trace as it is (the source may have completed the header
 * after the last event).
 */
#include "internal.h"

#include "../core/mem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tui_feed {
    const struct hs_tui_source *src;
    struct hs_trace *trace;      /* the worker's; the UI touches it only after the join */
    pthread_t thread;
    pthread_mutex_t lock;        /* guards everything below */
    struct hs_event *queue, *queue_last;
    struct hs_trace *header;     /* the header as last seen by the listener (no events) */
    bool header_new;
    bool done;
    int code;
    void *kept;                  /* what the run kept for "save" (packets, secrets) */
    /* Step mode: the worker waits in hs_tui_step_wait while the messages (TCP and TLS rows)
     * that arrived are as many as the user asked for. */
    bool stepping, waiting;
    size_t arrived, wanted;
    pthread_cond_t go;
};

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
    hs_trace_copy_header(f->header, t);
    f->header_new = true;
    if (ev->layer != HS_LAYER_LIBRARY)
        f->arrived++;
    pthread_mutex_unlock(&f->lock);
}

static void *worker(void *arg)
{
    struct tui_feed *f = arg;
    int code = f->src->run(f->src->ctx, f->trace, &f->kept, f->stepping ? f : NULL);
    pthread_mutex_lock(&f->lock);
    f->done = true;
    f->code = code;
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

void hs_tui_step_wait(void *gate)
{
    struct tui_feed *f = gate;
    pthread_mutex_lock(&f->lock);
    f->waiting = true;
    while (f->arrived >= f->wanted)
        pthread_cond_wait(&f->go, &f->lock);
    f->waiting = false;
    pthread_mutex_unlock(&f->lock);
}

void tui_feed_allow(struct tui_feed *f, size_t wanted)
{
    pthread_mutex_lock(&f->lock);
    f->wanted = wanted;
    pthread_cond_signal(&f->go);
    pthread_mutex_unlock(&f->lock);
}

bool tui_feed_waiting(struct tui_feed *f)
{
    pthread_mutex_lock(&f->lock);
    bool w = f->waiting && f->arrived >= f->wanted;
    pthread_mutex_unlock(&f->lock);
    return w;
}

struct tui_feed *tui_feed_start(const struct hs_tui_source *src, bool step)
{
    struct tui_feed *f = hs_xcalloc(1, sizeof *f);
    f->src = src;
    f->stepping = step;
    f->wanted = step ? 1 : SIZE_MAX;
    pthread_cond_init(&f->go, NULL);
    f->trace = hs_trace_new();
    f->trace->listener = on_event;
    f->trace->listener_ctx = f;
    f->header = hs_trace_new();
    pthread_mutex_init(&f->lock, NULL);
    if (pthread_create(&f->thread, NULL, worker, f) != 0) {
        pthread_mutex_destroy(&f->lock);
        pthread_cond_destroy(&f->go);
        hs_trace_free(f->trace);
        hs_trace_free(f->header);
        free(f);
        return NULL;
    }
    if (src->started)
        src->started(src->ctx); /* e.g. the view's thread gives up what only the worker needs */
    return f;
}

bool tui_feed_drain(struct tui_feed *f, struct hs_trace *view)
{
    pthread_mutex_lock(&f->lock);
    struct hs_event *q = f->queue;
    f->queue = f->queue_last = NULL;
    bool changed = q != NULL || f->header_new;
    if (f->header_new)
        hs_trace_copy_header(view, f->header);
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

struct hs_trace *tui_feed_finish(struct tui_feed *f, int *code, void **kept)
{
    tui_feed_allow(f, SIZE_MAX); /* a stepped run waiting for a key goes on to its end */
    pthread_join(f->thread, NULL);
    *code = f->code;
    if (kept) {
        *kept = f->kept;
        f->kept = NULL;
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
    if (f->kept)
        f->src->free_kept(f->kept);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->go);
    free(f);
}
