/*
 * The capture reader's driver: one pass over the file, one frame at a time.  Each TCP segment
 * goes to its connection: the TCP rows first (with the frame's own time), then reassembly,
 * whose in-order bytes go through the TLS-start scanner until TLS is found, then to the
 * connection's decoder.  A connection is finished when it closes (both FINs or an RST), when
 * it stays idle for HS_REPLAY_IDLE_S, or at the end of the file.
 */
#include "replay.h"

#include "flow.h"
#include "hellorand.h"
#include "pcapread.h"
#include "quicconn.h"
#include "timefix.h"
#include "tlsstart.h"
#include "verdict.h"

#include "../core/mem.h"
#include "../net/packet.h"
#include "../net/tcprows.h"
#include "../tls/decoder.h"
#include "../tls/keylog.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct replay;

/* A ring with the replay's sentinel: the open connections that may still be TLS, in the
 * order they began (next of the sentinel: the earliest). */
struct start_link {
    struct start_link *prev, *next; /* NULL when not in the ring */
    uint64_t number;                /* the flow's number */
};

/* One TCP connection being read. */
struct conn {
    struct replay *rp;
    struct hs_flow *flow;
    struct hs_trace *trace;     /* NULL once known not to be TLS */
    struct hs_tcp_rows rows;
    struct hs_decoder *dec;     /* from the first TLS byte on */
    struct hs_tlsstart start[2];
    bool direct[2];             /* this direction's bytes go straight to the decoder */
    bool dead;                  /* not TLS: only counted until it closes */
    bool over;                  /* TLS over HS_REPLAY_MAX_DECODING: its packets are dropped */
    struct hs_time_fix tfix;    /* packets whose time was clamped */
    struct conn *prev, *next;   /* connections with a decoder (for new keys) */
    struct start_link began;    /* among the open connections that may be TLS */
};

/* A finished TLS connection waiting for those that began before it to be numbered first. */
struct waiting {
    uint64_t began;             /* the flow's number: the order of first packets */
    void *prepared;             /* what hs_replay_opts.prepare made of the trace, or NULL */
    bool filter_ok;             /* --filter matches (--conn is decided with the number) */
    struct hs_trace *trace;
    struct hs_capture_conn s;
};

struct replay {
    const struct hs_replay_opts *o;
    hs_replay_fn fn;
    void *ctx;
    struct hs_replay_summary *sum;
    struct hs_flow_table *flows;
    struct hs_keylog *keys;
    struct conn *decoding;      /* list of connections with a decoder */
    struct start_link starts;   /* the ring's sentinel */
    struct waiting *wait;       /* finished TLS connections, by when they began */
    size_t nwait;
    bool no_keys;               /* a pcap file and no key log: no secret can ever come */
    unsigned long tls_number;   /* TLS connections finished so far */
    size_t ndecoding;           /* connections with a decoder */
    bool full_notice, over_notice;
    /* More secrets than the key log holds: keep those of the file's own ClientHellos. */
    bool restricted;            /* the limit was reached */
    struct hs_randoms randoms;  /* the ClientHello randoms, when the file could be read again */
    int randoms_read;           /* 0 if they were read */
    size_t secrets_over;        /* secrets refused at the limit */
    struct hs_quic_table *quic; /* QUIC connections (UDP) */
};

/* ---- the filter ---- */

struct filter {
    char host[256];
    long port;                  /* -1: any */
    struct hs_ip_addr addr;
    bool is_addr;
};

static void filter_parse(const char *s, struct filter *f)
{
    memset(f, 0, sizeof *f);
    f->port = -1;
    const char *colon = strrchr(s, ':');
    size_t hostlen = strlen(s);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close) {
            s++;
            hostlen = (size_t)(close - s);
            if (close[1] == ':')
                f->port = strtol(close + 2, NULL, 10);
        }
    } else if (colon && strchr(s, ':') == colon) { /* one colon: HOST:PORT */
        hostlen = (size_t)(colon - s);
        f->port = strtol(colon + 1, NULL, 10);
    }
    if (hostlen >= sizeof f->host)
        hostlen = sizeof f->host - 1;
    memcpy(f->host, s, hostlen);
    f->host[hostlen] = '\0';
    uint8_t buf[16];
    if (inet_pton(AF_INET, f->host, buf) == 1) {
        f->addr.family = 4;
        memcpy(f->addr.a, buf, 4);
        f->is_addr = true;
    } else if (inet_pton(AF_INET6, f->host, buf) == 1) {
        f->addr.family = 6;
        memcpy(f->addr.a, buf, 16);
        f->is_addr = true;
    }
}

static bool filter_match(const char *spec, const struct hs_flow *fl, const struct hs_trace *t)
{
    if (spec == NULL)
        return true;
    struct filter f;
    filter_parse(spec, &f);
    if (f.port >= 0 && f.port != fl->port[0] && f.port != fl->port[1])
        return false;
    if (f.host[0] == '\0' || strcmp(f.host, "*") == 0)
        return true;
    for (int i = 0; i < 2; i++) {
        if (f.is_addr && hs_ip_equal(&f.addr, &fl->addr[i]))
            return true;
        char a[64];
        hs_ip_ntop(&fl->addr[i], a, sizeof a);
        if (strcasecmp(a, f.host) == 0)
            return true;
    }
    return t->sni && strcasecmp(t->sni, f.host) == 0;
}

/* ---- connections ---- */

static double rel_ms(const struct conn *c, double ts)
{
    double ms = (ts - c->flow->first_ts) * 1000.0;
    return ms > 0 ? ms : 0;
}

static void conn_unlink(struct conn *c)
{
    struct replay *rp = c->rp;
    if (c->prev)
        c->prev->next = c->next;
    else if (rp->decoding == c)
        rp->decoding = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

/* c can no longer hold back the numbering (finished, or known not to be TLS). */
static void starts_unlink(struct conn *c)
{
    struct start_link *s = &c->began;
    if (s->next == NULL)
        return;
    s->prev->next = s->next;
    s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

static void conn_free(struct conn *c)
{
    conn_unlink(c);
    starts_unlink(c);
    if (c->dec)
        c->rp->ndecoding--;
    hs_decoder_free(c->dec);
    hs_trace_free(c->trace);
    free(c);
}

static struct conn *conn_new(struct replay *rp, struct hs_flow *f, const struct hs_tcp_seg *seg)
{
    struct conn *c = hs_xcalloc(1, sizeof *c);
    c->rp = rp;
    c->flow = f;
    c->trace = hs_trace_new();
    hs_tcp_rows_init(&c->rows, f->first_ts);
    bool mid = !(seg->flags & HS_TCP_SYN);
    hs_tlsstart_init(&c->start[HS_CLIENT], HS_CLIENT, mid);
    hs_tlsstart_init(&c->start[HS_SERVER], HS_SERVER, mid);
    f->user = c;
    /* Flows are numbered as they begin: the latest goes last. */
    struct start_link *s = &c->began, *ring = &rp->starts;
    s->number = f->number;
    s->prev = ring->prev;
    s->next = ring;
    ring->prev->next = s;
    ring->prev = s;
    return c;
}

/* The guess of who is the client was wrong (no SYN; the hello says otherwise). */
static void conn_swap(struct conn *c)
{
    hs_flow_swap(c->flow);
    struct hs_tlsstart s = c->start[0];
    c->start[0] = c->start[1];
    c->start[1] = s;
    c->start[0].side = HS_CLIENT;
    c->start[1].side = HS_SERVER;
    for (struct hs_event *e = c->trace->first; e; e = e->next)
        if (e->layer == HS_LAYER_TCP)
            e->from = e->from == HS_CLIENT ? HS_SERVER : HS_CLIENT;
    bool fin = c->rows.fin[0];
    c->rows.fin[0] = c->rows.fin[1];
    c->rows.fin[1] = fin;
}

static void starttls_note(struct conn *c, double t_ms)
{
    const struct hs_tlsstart *cl = &c->start[HS_CLIENT], *sv = &c->start[HS_SERVER];
    const char *proto = hs_starttls_protocol(cl->keywords, sv->keywords);
    uint64_t server_bytes = sv->state == HS_TLSSTART_FOUND ? sv->tls_offset : sv->seen;
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", t_ms);
    hs_f_str(ev->fields, "starttls", proto ? proto : "unknown protocol");
    hs_f_int(ev->fields, "client_plaintext_bytes", (long long)cl->tls_offset);
    hs_f_int(ev->fields, "server_plaintext_bytes", (long long)server_bytes);
    hs_event_summary(ev, "STARTTLS (%s): TLS starts after %llu bytes of plaintext (client), "
                     "%llu (server)", proto ? proto : "unknown protocol",
                     (unsigned long long)cl->tls_offset, (unsigned long long)server_bytes);
    ev->explain = hs_xstrdup("The connection began in plain text; after the server's go-ahead "
                             "the client started TLS on the same TCP connection.");
    hs_trace_add(c->trace, ev);
}

/* TLS was found in direction `dir`: the decoder starts (roles settled first). */
static int tls_found(struct conn *c, int dir, double t_ms)
{
    const struct hs_tlsstart *st = &c->start[dir];
    if (c->dec == NULL) {
        if (!c->flow->syn_seen && st->content_type == 22 &&
            ((st->hs_type == 1 && dir == HS_SERVER) || (st->hs_type == 2 && dir == HS_CLIENT))) {
            conn_swap(c);
            dir = !dir;
        }
        c->dec = hs_decoder_new(c->trace, c->rp->keys);
        hs_decoder_key_schedule(c->dec, c->rp->o->key_schedule);
        hs_decoder_report(c->dec, true);
        struct replay *rp = c->rp;
        rp->ndecoding++;
        if (rp->no_keys)
            hs_decoder_no_more_keys(c->dec);
        c->next = rp->decoding;
        if (rp->decoding)
            rp->decoding->prev = c;
        rp->decoding = c;
        /* A client that sent nothing before TLS: the server's first byte is TLS too (the
         * decoder says so if it is not). */
        int other = !dir;
        if (c->start[other].seen == 0 && c->start[other].state == HS_TLSSTART_MORE)
            c->direct[other] = true;
    }
    if (dir == HS_CLIENT && c->start[HS_CLIENT].preamble)
        starttls_note(c, t_ms);
    c->direct[dir] = true;
    return dir;
}

static void check_dead(struct conn *c)
{
    if (c->dec || c->dead)
        return;
    const struct hs_tlsstart *cl = &c->start[HS_CLIENT], *sv = &c->start[HS_SERVER];
    bool mid = cl->midstream;
    if (cl->state == HS_TLSSTART_NONE && (!mid || sv->state == HS_TLSSTART_NONE)) {
        c->dead = true;
        hs_trace_free(c->trace);
        c->trace = NULL;
        starts_unlink(c);
    }
}

/* A new TLS connection while HS_REPLAY_MAX_DECODING are decoded: dropped, with a notice. */
static void over_limit(struct conn *c)
{
    struct replay *rp = c->rp;
    c->over = c->dead = true;
    hs_trace_free(c->trace);
    c->trace = NULL;
    starts_unlink(c);
    rp->sum->not_decoded++;
    rp->sum->src.dropped_packets += c->flow->packets;
    if (!rp->over_notice)
        fprintf(stderr, "hstrace: more than %u TLS connections open at once: new ones are not "
                "decoded\n", HS_REPLAY_MAX_DECODING);
    rp->over_notice = true;
}

static void on_data(void *ctx, int dir, const uint8_t *p, size_t n, double ts, uint64_t frame)
{
    struct conn *c = ctx;
    if (c->dead)
        return;
    double t = rel_ms(c, ts);
    if (c->direct[dir]) {
        hs_decoder_feed(c->dec, (enum hs_side)dir, t, p, n, frame);
        return;
    }
    struct hs_tlsstart *st = &c->start[dir];
    size_t used;
    enum hs_tlsstart_state r = hs_tlsstart_feed(st, p, n, &used);
    if (r == HS_TLSSTART_FOUND && c->dec == NULL && c->rp->ndecoding >= HS_REPLAY_MAX_DECODING) {
        over_limit(c);
        return;
    }
    if (r == HS_TLSSTART_FOUND) {
        uint8_t hold[sizeof st->hold];
        size_t nhold = st->nhold;
        /* The scanner may have looked at the header only: the message type that settles who
         * is the client is the byte after it. */
        if (st->content_type == 22 && st->hs_type == 0 && nhold == 5 && used < n)
            st->hs_type = p[used];
        memcpy(hold, st->hold, nhold);
        dir = tls_found(c, dir, t);
        hs_decoder_feed(c->dec, (enum hs_side)dir, t, hold, nhold, frame);
        hs_decoder_feed(c->dec, (enum hs_side)dir, t, p + used, n - used, frame);
    } else if (r == HS_TLSSTART_NONE) {
        check_dead(c);
    }
}

static void on_gap(void *ctx, int dir, size_t n, double ts)
{
    struct conn *c = ctx;
    if (c->dead)
        return;
    if (c->direct[dir]) {
        hs_decoder_gap(c->dec, (enum hs_side)dir, rel_ms(c, ts), n);
        return;
    }
    /* Bytes lost before TLS was found: look again from wherever the stream resumes. */
    if (c->start[dir].state == HS_TLSSTART_MORE) {
        uint64_t seen = c->start[dir].seen;
        unsigned kw = c->start[dir].keywords;
        bool pre = c->start[dir].preamble;
        hs_tlsstart_init(&c->start[dir], (enum hs_side)dir, true);
        c->start[dir].seen = seen + n;
        c->start[dir].keywords = kw;
        c->start[dir].preamble = pre;
    }
}

static const struct hs_reasm_out *reasm_out(struct conn *c)
{
    static struct hs_reasm_out out = {.data = on_data, .gap = on_gap};
    out.ctx = c;
    return &out;
}

/* ---- outcome ---- */

/*
 * Where the handshake ended: the later Finished; without keys for TLS 1.3 (Finished hidden),
 * the client's first encrypted record after the ServerHello if the server sent an encrypted
 * record after it (so the client's flight was accepted).  < 0 when it did not end.
 */
static double handshake_end(struct hs_trace *t)
{
    const struct hs_event *fc = hs_capture_find(t, HS_LAYER_TLS, HS_CLIENT, "Finished");
    const struct hs_event *fs = hs_capture_find(t, HS_LAYER_TLS, HS_SERVER, "Finished");
    if (fc && fs)
        return fc->t_ms > fs->t_ms ? fc->t_ms : fs->t_ms;
    const struct hs_event *sh = hs_capture_find(t, HS_LAYER_TLS, HS_SERVER, "ServerHello");
    if (sh == NULL || strcmp(t->version, "TLS 1.3") != 0)
        return -1;
    const struct hs_event *client_enc = NULL;
    for (const struct hs_event *e = sh->next; e; e = e->next) {
        if (e->layer != HS_LAYER_TLS || !e->encrypted || e->decrypted)
            continue;
        if (client_enc == NULL && e->from == HS_CLIENT)
            client_enc = e;
        else if (client_enc && e->from == HS_SERVER) {
            t->handshake_done = true;
            return client_enc->t_ms;
        }
    }
    return -1;
}

static void outcome(struct conn *c, bool closed, double end_ms)
{
    struct hs_trace *t = c->trace;
    const struct hs_flow *f = c->flow;
    hs_capture_ends(t, f->addr, f->port);

    const struct hs_event *syn = hs_capture_find(t, HS_LAYER_TCP, HS_CLIENT, "SYN");
    const struct hs_event *ack = hs_capture_find(t, HS_LAYER_TCP, HS_CLIENT, "ACK");
    const struct hs_event *synack = hs_capture_find(t, HS_LAYER_TCP, HS_SERVER, "SYN-ACK");
    if (syn && ack)
        t->tcp_ms = ack->t_ms - syn->t_ms;
    else if (syn && synack)
        t->tcp_ms = synack->t_ms - syn->t_ms;

    hs_capture_verdict(t, handshake_end(t), end_ms, closed);
}

static void stats_of(const struct conn *c, struct hs_capture_conn *s)
{
    memset(s, 0, sizeof *s);
    s->packets = c->flow->packets;
    for (int i = 0; i < 2; i++) {
        const struct hs_reasm_stats *r = &c->flow->dir[i].st;
        s->retransmissions += r->retransmissions;
        s->out_of_order += r->out_of_order;
        s->conflicts += r->conflicts;
        s->gaps += r->gaps;
        s->gap_bytes += r->gap_bytes;
    }
    s->time_anomalies = c->tfix.back + c->tfix.jump;
}

/* Reassembly that needed work gets a note at the end of the ladder. */
static void stats_note(struct conn *c, const struct hs_capture_conn *s, double t_ms)
{
    if (s->retransmissions == 0 && s->out_of_order == 0 && s->gaps == 0)
        return;
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", t_ms);
    hs_f_int(ev->fields, "packets", (long long)s->packets);
    hs_f_int(ev->fields, "retransmissions", (long long)s->retransmissions);
    hs_f_int(ev->fields, "out_of_order", (long long)s->out_of_order);
    hs_f_int(ev->fields, "conflicting_overlaps", (long long)s->conflicts);
    hs_f_int(ev->fields, "gaps", (long long)s->gaps);
    hs_f_int(ev->fields, "gap_bytes", (long long)s->gap_bytes);
    hs_event_summary(ev, "TCP reassembly: %llu packets, %llu retransmitted, %llu out of order, "
                     "%llu gaps (%llu bytes)%s", (unsigned long long)s->packets,
                     (unsigned long long)s->retransmissions, (unsigned long long)s->out_of_order,
                     (unsigned long long)s->gaps, (unsigned long long)s->gap_bytes,
                     s->conflicts ? ", overlaps with different bytes" : "");
    hs_trace_add(c->trace, ev);
}

/* Keeps a finished TLS connection in the order the connections began. */
static void wait_add(struct replay *rp, const struct waiting *w)
{
    if (rp->wait == NULL)
        rp->wait = hs_xmalloc((HS_REPLAY_MAX_WAITING + 1) * sizeof *rp->wait);
    struct waiting cur = *w;
    if (!cur.filter_ok) { /* never shown: only its number counts */
        hs_trace_free(cur.trace);
        cur.trace = NULL;
    } else if (rp->o->prepare) {
        cur.prepared = rp->o->prepare(rp->ctx, cur.trace, &cur.s);
        cur.trace = NULL;
    }
    size_t i = rp->nwait;
    while (i > 0 && rp->wait[i - 1].began > cur.began) {
        rp->wait[i] = rp->wait[i - 1];
        i--;
    }
    rp->wait[i] = cur;
    rp->nwait++;
}

/*
 * Connections are numbered by when they began (their first packet), not by when they ended:
 * a finished one waits while one that began before it may still turn out to be TLS.  More
 * than HS_REPLAY_MAX_WAITING waiting: the earliest goes on anyway (memory stays bounded).
 * The bound is a count, whatever the output: the numbers are the same in every view.
 */
static void hand_over(struct replay *rp, bool all)
{
    while (rp->nwait > 0) {
        struct waiting *w = &rp->wait[0];
        const struct start_link *first = rp->starts.next;
        bool earlier_open = first != &rp->starts && first->number < w->began;
        uint64_t quic = hs_quic_first_open(rp->quic);
        earlier_open = earlier_open || (quic != 0 && quic <= w->began);
        if (!all && earlier_open && rp->nwait <= HS_REPLAY_MAX_WAITING)
            return;
        struct waiting cur = *w;
        memmove(rp->wait, rp->wait + 1, --rp->nwait * sizeof *rp->wait);
        cur.s.number = ++rp->tls_number;
        const struct hs_replay_opts *o = rp->o;
        bool chosen = cur.filter_ok && (o->conn == 0 || (unsigned long)o->conn == cur.s.number);
        rp->sum->selected += chosen;
        if (cur.prepared && chosen)
            o->put(rp->ctx, cur.prepared, &cur.s);
        else if (cur.prepared)
            o->discard(rp->ctx, cur.prepared);
        else if (chosen)
            rp->fn(rp->ctx, cur.trace, &cur.s);
        else
            hs_trace_free(cur.trace);
    }
}

/* A QUIC connection ended (quicconn.h): numbered among the others by when it began. */
static void quic_done(void *ctx, struct hs_trace *trace, const struct hs_capture_conn *s,
                      uint64_t began, const struct hs_ip_addr addr[2], const uint16_t port[2])
{
    struct replay *rp = ctx;
    struct hs_flow ends = {.addr = {addr[0], addr[1]}, .port = {port[0], port[1]}};
    struct waiting w = {.began = began, .trace = trace, .s = *s};
    w.filter_ok = filter_match(rp->o->filter, &ends, trace);
    rp->sum->src.tls_connections++;
    rp->sum->src.quic_connections++;
    wait_add(rp, &w);
    hand_over(rp, false);
}

/* The connection ended (closed, idle or end of file): decode what is left, hand it over. */
static void finish(struct replay *rp, struct conn *c, bool closed)
{
    struct hs_flow *f = c->flow;
    for (int i = 0; i < 2; i++)
        hs_reasm_flush(&f->dir[i], f->last_ts, reasm_out(c));
    for (int i = 0; i < 2; i++)
        if (!c->dead && c->start[i].state == HS_TLSSTART_MORE && !c->direct[i])
            hs_tlsstart_end(&c->start[i]);
    check_dead(c);
    if (!c->dead && c->dec == NULL) {
        c->dead = true;
        hs_trace_free(c->trace);
        c->trace = NULL;
    }
    if (c->over) {
        /* counted when it went over */
    } else if (c->dead) {
        rp->sum->not_tls++;
    } else {
        double end_ms = rel_ms(c, f->last_ts);
        hs_decoder_finish(c->dec, end_ms);
        rp->sum->src.tls_connections++;
        struct waiting w = {.began = f->number};
        stats_of(c, &w.s);
        stats_note(c, &w.s, end_ms);
        hs_time_fix_note(&c->tfix, c->trace, end_ms);
        outcome(c, closed, end_ms);
        w.filter_ok = filter_match(rp->o->filter, f, c->trace);
        w.trace = c->trace;
        c->trace = NULL;
        wait_add(rp, &w);
    }
    f->user = NULL;
    conn_free(c);
    hs_flow_close(rp->flows, f, f->last_ts);
    hand_over(rp, false);
}

/* Connections idle for long are over (the capture may never show their end); not f. */
static void finish_idle(struct replay *rp, const struct hs_flow *f, double now)
{
    struct hs_flow *idle;
    while ((idle = hs_flow_idlest(rp->flows)) && idle != f &&
           idle->last_ts < now - HS_REPLAY_IDLE_S)
        finish(rp, idle->user, false);
}

static void on_segment(struct replay *rp, struct hs_tcp_seg *seg)
{
    /* The packet's connection first, by addresses, ports and sequence number: its time may
     * be wrong (timefix.h) and must not end the connection nor start another. */
    enum hs_flow_lookup how;
    struct hs_flow *f = hs_flow_lookup(rp->flows, seg, &how);
    if (how == HS_FLOW_OPEN && !hs_time_fix(&((struct conn *)f->user)->tfix, f, seg)) {
        finish(rp, f->user, false); /* idle long, and this packet is not its continuation */
        f = hs_flow_lookup(rp->flows, seg, &how);
    }
    finish_idle(rp, f, seg->ts);
    if (how == HS_FLOW_FULL) /* finishing idle connections may have made room */
        f = hs_flow_lookup(rp->flows, seg, &how);
    if (how == HS_FLOW_FULL) {
        rp->sum->src.dropped_packets++;
        if (!rp->full_notice)
            fprintf(stderr, "hstrace: more than %u connections open at once: new ones are not "
                    "followed\n", HS_FLOW_MAX_OPEN);
        rp->full_notice = true;
        return;
    }
    if (how == HS_FLOW_CLOSED)
        return;
    struct conn *c = how == HS_FLOW_NEW ? conn_new(rp, f, seg) : f->user;
    if (c->over)
        rp->sum->src.dropped_packets++;
    if (c->dead) {
        hs_flow_segment(f, seg, NULL);
    } else {
        hs_tcp_rows_add(&c->rows, c->trace, seg);
        hs_flow_segment(f, seg, reasm_out(c));
    }
    if (hs_flow_done(f))
        finish(rp, c, true);
}

static void take_secrets(struct replay *rp, struct hs_pcap_reader *rd)
{
    size_t n;
    const char *text = hs_pcap_take_secrets(rd, &n);
    if (text == NULL || n == 0)
        return;
    size_t bad = 0, over = 0, again = 0;
    if (hs_keylog_parse(rp->keys, text, n, &bad, &over) == HS_ERR_LIMIT && !rp->restricted) {
        rp->restricted = true;
        rp->randoms_read = hs_randoms_read(rp->o->path, &rp->randoms);
        if (rp->randoms_read == 0) {
            /* Room for the secrets that matter; this text again, with only those. */
            (void)hs_keylog_restrict(rp->keys, hs_randoms_has, &rp->randoms);
            int r = hs_keylog_parse(rp->keys, text, n, &again, &over);
            (void)r; /* the secrets refused are counted in over */
        }
    }
    rp->secrets_over += over;
    if (bad > 0)
        fprintf(stderr, "hstrace: %zu malformed key log line%s in the capture's secrets\n", bad,
                bad == 1 ? "" : "s");
    for (struct conn *c = rp->decoding; c; c = c->next)
        hs_decoder_keys_changed(c->dec);
}

static void secrets_notice(const struct replay *rp)
{
    if (!rp->restricted)
        return;
    if (rp->randoms_read == 0)
        fprintf(stderr, "hstrace: %s: more secrets than the key log's limit (%d): only those of "
                "the %zu ClientHello%s in the file are kept (%zu), the others dropped\n", rp->o->path,
                HS_KEYLOG_MAX_ENTRIES, rp->randoms.n, rp->randoms.n == 1 ? "" : "s",
                hs_keylog_count(rp->keys));
    else
        fprintf(stderr, "hstrace: %s: more secrets than the key log's limit (%d): the first "
                "were kept, %zu later ones dropped\n", rp->o->path, HS_KEYLOG_MAX_ENTRIES,
                rp->secrets_over);
}

/* UDP is out of scope; a packet that looks like DTLS or QUIC is worth saying so. */
static void count_udp(struct hs_replay_summary *sum, const struct hs_tcp_seg *u)
{
    sum->src.udp_packets++;
    const uint8_t *p = u->data;
    size_t n = u->payload;
    bool port = u->sport == 443 || u->dport == 443 || u->sport == 4433 || u->dport == 4433;
    /* DTLS record: type 20-25, version 0xfeff / 0xfefd / 0xfefc (RFC 6347, RFC 9147). */
    bool dtls = p && n >= 13 && p[0] >= 20 && p[0] <= 25 && p[1] == 0xfe && p[2] >= 0xfc;
    /* QUIC long header: form and fixed bits set, a 32-bit version (RFC 9000 17.2). */
    bool quic = p && n >= 7 && (p[0] & 0xc0) == 0xc0 && port;
    if (port || dtls || quic)
        sum->udp_tls_like++;
}

static int cmp_number(const void *a, const void *b)
{
    const struct hs_flow *x = *(struct hs_flow *const *)a, *y = *(struct hs_flow *const *)b;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* End of file: every open connection, in the order they began. */
static void finish_all(struct replay *rp)
{
    size_t n = hs_flow_open_count(rp->flows), k = 0;
    if (n == 0)
        return;
    struct hs_flow **v = hs_xmalloc(n * sizeof *v);
    for (struct hs_flow *f = hs_flow_idlest(rp->flows); f && k < n; f = f->lru_next)
        v[k++] = f;
    qsort(v, k, sizeof *v, cmp_number);
    for (size_t i = 0; i < k; i++)
        finish(rp, v[i]->user, false);
    free(v);
}

int hs_replay(const struct hs_replay_opts *ro, hs_replay_fn fn, void *ctx,
              struct hs_replay_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    sum->src.file = ro->path;
    char err[200];
    struct hs_pcap_reader *rd = hs_pcap_open(ro->path, err, sizeof err);
    if (rd == NULL) {
        snprintf(sum->error, sizeof sum->error, "%s", err);
        sum->src.error = sum->error;
        return 2;
    }
    struct replay rp = {.o = ro, .fn = fn, .ctx = ctx, .sum = sum};
    rp.starts.prev = rp.starts.next = &rp.starts;

    rp.flows = hs_flow_table_new(HS_FLOW_MAX_OPEN, HS_FLOW_MAX_HELD);
    rp.keys = hs_keylog_new();
    rp.quic = hs_quic_table_new(rp.keys, ro->key_schedule);
    if (ro->keylog) {
        size_t bad = 0;
        char kerr[512];
        int lr = hs_keylog_load(rp.keys, ro->keylog, &bad, kerr, sizeof kerr);
        if (lr == HS_ERR_LIMIT)
            fprintf(stderr, "hstrace: %s\n", kerr);
        else if (lr != HS_OK)
            fprintf(stderr, "hstrace: key log not read: %s; nothing will be decrypted with "
                    "it\n", kerr);
        else if (bad > 0)
            fprintf(stderr, "hstrace: %s: %zu malformed line%s ignored\n", ro->keylog, bad,
                    bad == 1 ? "" : "s");
    }
    /* Only pcapng carries secrets (Decryption Secrets Blocks) that may come later. */
    rp.no_keys = hs_keylog_count(rp.keys) == 0 && !hs_pcap_is_pcapng(rd);

    int status = 0;
    struct hs_frame fr;
    int r;
    while ((r = hs_pcap_next(rd, &fr)) == 1) {
        take_secrets(&rp, rd);
        sum->src.packets++;
        struct hs_tcp_seg seg;
        memset(&seg, 0, sizeof seg);
        seg.ts = fr.ts;
        seg.frame = fr.number;
        enum hs_packet_status ps = hs_packet_parse(fr.linktype, fr.data, fr.caplen, fr.origlen,
                                                   &seg);
        if (ps == HS_PKT_TCP)
            on_segment(&rp, &seg);
        else if (ps == HS_PKT_UDP && !hs_quic_datagram(rp.quic, &seg,
                                                       hs_flow_numbered(rp.flows) + 1))
            count_udp(sum, &seg);
    }
    take_secrets(&rp, rd);
    if (r < 0) {
        snprintf(sum->error, sizeof sum->error, "%s", hs_pcap_error(rd));
        sum->src.error = sum->error;
        status = 1;
    }
    finish_all(&rp);
    hs_quic_finish_all(rp.quic, quic_done, &rp);
    hand_over(&rp, true);
    free(rp.wait);
    secrets_notice(&rp);
    sum->src.connections = hs_flow_numbered(rp.flows);
    sum->hold_evictions = hs_flow_hold_evictions(rp.flows);
    hs_flow_table_free(rp.flows);
    hs_quic_table_free(rp.quic);
    hs_keylog_free(rp.keys);
    hs_randoms_free(&rp.randoms);
    hs_pcap_close(rd);
    return status;
}
