/*
 * Several targets at once (see many.h).  Threads: the main thread reads the list, starts the
 * workers, prints in input order and watches for SIGINT/SIGTERM (blocked in every thread,
 * taken with sigtimedwait); each worker takes the next target and runs hs_live_run on its
 * own trace, verifying against the trust anchors it loaded for its first target (one chain
 * per worker, see live/anchors.c).  The live source keeps everything of a trace in that
 * trace's own state; what mbedTLS keeps for the whole process (PSA crypto, the debug
 * threshold) is set before the workers start (hs_live_prepare_threads).  Privileges:
 * capabilities belong to a thread and the drop happens after a capture is opened, so with
 * several targets no packet capture is opened at all and the process gives up root (or its
 * capabilities) before any worker starts (main.c, as for -r): the TCP rows are inferred.
 */
#include "many.h"

#include "slides.h"
#include "targets.h"
#include "textopts.h"
#include "usage.h"

#include "../core/escape.h"
#include "../core/mem.h"
#include "../core/outfile.h"
#include "../core/trace.h"
#include "../live/live.h"
#include "../view/view.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAKE_MS 50 /* how often the printer looks for a signal */

bool hs_cli_many_wanted(const struct hs_options *o)
{
    return o->targets_file != NULL || (o->ntargets > 1 && !o->demo && !o->read_path);
}

const char *hs_cli_many_conflict(const struct hs_options *o)
{
    if (o->compare)
        return "--compare traces one target: not with several targets or -f";
    if (o->demo)
        return "--demo traces the built-in server: not with several targets or -f";
    if (o->read_path)
        return "-r reads a capture: it takes no target (nor -f)";
    if (o->live.write_path)
        return "-w saves one connection: not with several targets or -f";
    if (o->step)
        return "--step shows one handshake: not with several targets or -f";
    if (o->live.reconnect)
        return "--reconnect draws two connections to one target: not with several targets or -f";
    if (o->conn || o->filter)
        return "--conn and --filter pick connections of a capture (-r FILE)";
    if (hs_cli_slides_any(o))
        return "--svg, --mermaid and --markdown draw one trace: not with several targets or -f";
    if (o->json && o->ladders)
        return "--ladders goes with the text output: each JSON document holds every row";
    return NULL;
}

enum slot { SLOT_WAITING, SLOT_RUNNING, SLOT_DONE, SLOT_INTERRUPTED };

struct many {
    const struct hs_options *o;
    struct hs_target_list list;
    pthread_mutex_t mu;
    pthread_cond_t changed;  /* a worker finished a target */
    size_t next;             /* the next target to start */
    size_t running;          /* started and not finished */
    enum slot *slot;
    struct hs_trace **trace; /* [i] once slot[i] is SLOT_DONE, until printed */
    atomic_bool stop;        /* a signal came: start nothing more, cancel what runs */
};

static void *worker(void *arg)
{
    struct many *m = arg;
    struct hs_live_opts lo = m->o->live;
    lo.may_prompt = false; /* the terminal is nobody's while several traces run */
    lo.no_capture = true;
    lo.cancel = &m->stop;
    struct hs_live_anchors *anchors = NULL; /* this worker's, loaded for its first target */
    bool loaded = false;
    pthread_mutex_lock(&m->mu);
    while (!atomic_load(&m->stop) && m->next < m->list.n) {
        size_t i = m->next++;
        m->slot[i] = SLOT_RUNNING;
        m->running++;
        pthread_mutex_unlock(&m->mu);
        struct hs_trace *t = hs_trace_new();
        lo.target = m->list.v[i];
        if (!loaded) {
            anchors = hs_live_anchors_load(&lo);
            loaded = true;
        }
        (void)hs_live_run_anchored(&lo, anchors, t);
        pthread_mutex_lock(&m->mu);
        /* Once stopped, a trace may have been cut short: it is not a result. */
        bool cut = atomic_load(&m->stop);
        m->slot[i] = cut ? SLOT_INTERRUPTED : SLOT_DONE;
        m->trace[i] = cut ? NULL : t;
        m->running--;
        pthread_cond_broadcast(&m->changed);
        if (cut) {
            pthread_mutex_unlock(&m->mu);
            hs_trace_free(t);
            pthread_mutex_lock(&m->mu);
        }
    }
    pthread_mutex_unlock(&m->mu);
    hs_live_anchors_free(anchors);
    return NULL;
}

/* ---- output ---- */

/* How bad an exit code is, for "the worst of all targets": the earlier a target stopped, the
 * worse (usage, write, connect, timeout, verify, TLS, success). */
static int badness(int code)
{
    static const int rank[] = {[HS_EXIT_OK] = 0, [HS_EXIT_TLS] = 1, [HS_EXIT_VERIFY] = 2,
                               [HS_EXIT_TIMEOUT] = 3, [HS_EXIT_CONNECT] = 4, [HS_EXIT_WRITE] = 5,
                               [HS_EXIT_USAGE] = 6};
    return code >= 0 && code < (int)(sizeof rank / sizeof rank[0]) ? rank[code] : 7;
}

struct printer {
    FILE *out;
    const struct hs_options *o;
    struct hs_view_opts vo;
    int target_w;  /* the target column's width */
};

#define SUITE_W 45 /* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
#define GROUP_W 17 /* X25519MLKEM768, secp256r1, ... */
#define TARGET_W_MAX 48

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* The result word of a trace: its error stage, "write", "ok" for a completed handshake,
 * "probe" for a --probe that read the server's hello (no handshake is completed then). */
static const char *result_word(const struct hs_trace *t)
{
    const char *stage = hs_stage_name(t->error_stage);
    if (stage)
        return stage;
    if (t->exit_code == HS_EXIT_WRITE)
        return "write";
    return t->handshake_done ? "ok" : t->probe ? "probe" : "failed";
}

static const char *cert_word(const struct hs_trace *t)
{
    return t->verified > 0 ? "verified" : t->verified == 0 ? "NOT-VERIFIED" : "not-checked";
}

static void print_header(const struct printer *p)
{
    fprintf(p->out, "%-*s  %-7s  %-7s  %-*s  %-*s  %-12s  %11s\n", p->target_w, "TARGET",
            "RESULT", "VERSION", SUITE_W, "SUITE", GROUP_W, "GROUP", "CERTIFICATE", "TLS");
}

/* One summary line: target, result, version, suite, group, certificate, TLS time, and for a
 * failure its reason.  Everything a peer or the user wrote is escaped. */
static void print_line(const struct printer *p, const char *target, const struct hs_trace *t)
{
    char *tg = hs_escape_str(target);
    char *ver = hs_escape_str(or_dash(t->version));
    char *suite = hs_escape_str(or_dash(t->cipher_suite));
    char *group = hs_escape_str(or_dash(t->group));
    char tls[32] = "-";
    if (t->tls_ms > 0)
        snprintf(tls, sizeof tls, "%.2f ms", t->tls_ms);
    fprintf(p->out, "%-*s  %-7s  %-7s  %-*s  %-*s  %-12s  %11s", p->target_w, tg,
            result_word(t), ver, SUITE_W, suite, GROUP_W, group, cert_word(t), tls);
    if (t->error_message) /* escaped when recorded */
        fprintf(p->out, "  %s", t->error_message);
    fputc('\n', p->out);
    free(tg);
    free(ver);
    free(suite);
    free(group);
}

static void print_one(const struct printer *p, const char *target, const struct hs_trace *t)
{
    if (p->o->json) {
        /* Written to memory, then one write.  A write error is found when closing. */
        (void)hs_view_json_line(p->out, t, p->vo.json_ascii);
    } else {
        print_line(p, target, t);
        if (p->o->ladders) {
            hs_view_text(p->out, t, &p->vo);
            fputc('\n', p->out);
        }
    }
    fflush(p->out); /* each result as soon as it is known */
}

/* ---- the run ---- */

/* The target list: the command line's, then -f's.  0, or a usage error (said). */
static int read_list(const struct hs_options *o, struct hs_target_list *l)
{
    char err[512];
    for (int i = 0; i < o->ntargets; i++) {
        char where[32];
        snprintf(where, sizeof where, "argument %d", i + 1);
        if (hs_target_list_add(l, o->targets[i], strlen(o->targets[i]), o->live.port, where,
                               err, sizeof err) != 0)
            goto bad;
    }
    if (o->targets_file &&
        hs_target_list_read(l, o->targets_file, o->live.port, err, sizeof err) != 0)
        goto bad;
    if (l->n > 0)
        return 0;
    snprintf(err, sizeof err, "%s", "no target given (the list is empty)");
bad:
    fprintf(stderr, "hstrace: %s\n", err);
    return hs_usage_failed(o, err);
}

/* A SIGINT or SIGTERM waiting for us (they are blocked in every thread), or 0. */
static int pending_signal(const sigset_t *set)
{
    struct timespec zero = {0, 0};
    int s = sigtimedwait(set, NULL, &zero);
    return s == SIGINT || s == SIGTERM ? s : 0;
}

static void wait_changed(struct many *m)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += WAKE_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    (void)pthread_cond_timedwait(&m->changed, &m->mu, &until);
}

/* Prints the results in input order as they come; returns the worst exit code printed and
 * sets *signo when a signal stopped the run (*printed: how many were printed). */
static int print_in_order(struct many *m, const struct printer *p, const sigset_t *sigs,
                          int *signo, size_t *printed)
{
    int worst = HS_EXIT_OK;
    size_t i = 0;
    pthread_mutex_lock(&m->mu);
    while (i < m->list.n) {
        if (m->slot[i] == SLOT_DONE) {
            struct hs_trace *t = m->trace[i];
            m->trace[i] = NULL;
            pthread_mutex_unlock(&m->mu);
            print_one(p, m->list.v[i], t);
            if (badness(t->exit_code) > badness(worst))
                worst = t->exit_code;
            hs_trace_free(t);
            pthread_mutex_lock(&m->mu);
            i++;
            continue;
        }
        if (atomic_load(&m->stop) && m->running == 0)
            break; /* nothing more will come */
        wait_changed(m);
        if (!atomic_load(&m->stop)) {
            pthread_mutex_unlock(&m->mu);
            int s = pending_signal(sigs);
            pthread_mutex_lock(&m->mu);
            if (s) {
                *signo = s;
                atomic_store(&m->stop, true);
            }
        }
    }
    pthread_mutex_unlock(&m->mu);
    *printed = i;
    return worst;
}

/* Says on stderr what an interrupted run left out. */
static void say_interrupted(const struct many *m, int signo, size_t printed)
{
    char *first = printed < m->list.n ? hs_escape_str(m->list.v[printed]) : NULL;
    fprintf(stderr, "hstrace: interrupted by %s: %zu of %zu targets printed", 
            signo == SIGINT ? "SIGINT" : "SIGTERM", printed, m->list.n);
    if (first)
        fprintf(stderr, "; not printed from target %zu (%s) on\n", printed + 1, first);
    else
        fputc('\n', stderr);
    free(first);
}

int hs_cli_run_many(const struct hs_options *o)
{
    struct many m = {.o = o};
    int code = read_list(o, &m.list);
    if (code != 0) {
        hs_target_list_free(&m.list);
        return code;
    }
    if (hs_live_prepare_threads(&o->live) != 0) {
        fputs("hstrace: cannot initialise mbedTLS\n", stderr);
        hs_target_list_free(&m.list);
        return HS_EXIT_TLS;
    }
    m.slot = hs_xcalloc(m.list.n, sizeof *m.slot);
    m.trace = hs_xcalloc(m.list.n, sizeof *m.trace);
    pthread_mutex_init(&m.mu, NULL);
    pthread_cond_init(&m.changed, NULL);

    /* Blocked in every thread (the workers inherit the mask): the printer takes them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    size_t want = (size_t)(o->jobs > 0 ? o->jobs : HS_JOBS_DEFAULT);
    if (want > m.list.n)
        want = m.list.n;
    pthread_t *th = hs_xcalloc(want, sizeof *th);
    size_t started = 0;
    int err = 0;
    while (started < want && (err = pthread_create(&th[started], NULL, worker, &m)) == 0)
        started++;
    if (started == 0) {
        fprintf(stderr, "hstrace: cannot start a thread: %s\n", strerror(err));
        code = HS_EXIT_TLS;
    } else {
        struct printer p = {.out = hs_outfile_watch(stdout), .o = o, .vo = hs_text_opts(o)};
        p.target_w = 6; /* "TARGET" */
        for (size_t i = 0; i < m.list.n; i++) {
            size_t w = strlen(m.list.v[i]);
            if (w > (size_t)p.target_w)
                p.target_w = w > TARGET_W_MAX ? TARGET_W_MAX : (int)w;
        }
        if (!o->json) {
            print_header(&p);
            fflush(p.out);
        }
        int signo = 0;
        size_t printed = 0;
        code = print_in_order(&m, &p, &sigs, &signo, &printed);
        for (size_t i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        if (signo) {
            say_interrupted(&m, signo, printed);
            code = 128 + signo;
        }
        if (hs_outfile_watch_end(p.out, "standard output") != 0)
            code = HS_EXIT_WRITE;
    }
    free(th);
    for (size_t i = 0; i < m.list.n; i++)
        hs_trace_free(m.trace[i]);
    free(m.trace);
    free(m.slot);
    pthread_cond_destroy(&m.changed);
    pthread_mutex_destroy(&m.mu);
    hs_target_list_free(&m.list);
    return code;
}
