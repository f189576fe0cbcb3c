/* TCP connections of a capture and per-direction reassembly (serial-number arithmetic). */
#include "flow.h"

#include "../core/mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- reassembly ---- */

#define PIECE_MALLOC_COST 32u /* what malloc adds to each block, roughly */
#define COALESCE_AFTER 64u    /* with this many pieces held, data that continues one joins it */
#define PREPEND_MAX 256u      /* ... or precedes one this small */

/* A held out-of-order piece: captured bytes, or a run the snaplen cut (lost). */
struct hs_piece {
    struct hs_piece *next;
    uint32_t seq, len;
    uint32_t cap;           /* bytes allocated at data (pieces may grow) */
    bool lost;
    double ts;
    uint64_t frame;         /* of its first byte */
    uint8_t *data;          /* NULL when lost */
};

/* The table's bound on held memory across all connections. */
struct hs_hold_pool {
    size_t bytes, max;
    struct hs_reasm *oldest, *newest; /* directions holding pieces, by when they began to */
    uint64_t evictions;
};

static size_t piece_cost(const struct hs_piece *h)
{
    return sizeof *h + PIECE_MALLOC_COST + (h->data ? h->cap + PIECE_MALLOC_COST : 0);
}

static void cost_add(struct hs_reasm *r, size_t n)
{
    r->cost += n;
    if (r->pool)
        r->pool->bytes += n;
}

static void cost_sub(struct hs_reasm *r, size_t n)
{
    r->cost -= n;
    if (r->pool)
        r->pool->bytes -= n;
}

static void pool_leave(struct hs_reasm *r)
{
    struct hs_hold_pool *pl = r->pool;
    if (pl == NULL || !r->in_pool)
        return;
    if (r->pool_prev)
        r->pool_prev->pool_next = r->pool_next;
    else
        pl->oldest = r->pool_next;
    if (r->pool_next)
        r->pool_next->pool_prev = r->pool_prev;
    else
        pl->newest = r->pool_prev;
    r->pool_prev = r->pool_next = NULL;
    r->in_pool = false;
}

/* A direction that begins to hold joins the pool's list (newest); one that stops leaves it. */
static void pool_update(struct hs_reasm *r)
{
    struct hs_hold_pool *pl = r->pool;
    if (pl == NULL || (r->held != NULL) == r->in_pool)
        return;
    if (r->in_pool) {
        pool_leave(r);
        return;
    }
    r->pool_next = NULL;
    r->pool_prev = pl->newest;
    if (pl->newest)
        pl->newest->pool_next = r;
    else
        pl->oldest = r;
    pl->newest = r;
    r->in_pool = true;
}

static void piece_free(struct hs_reasm *r, struct hs_piece *h)
{
    if (!h->lost)
        r->held_bytes -= h->len;
    r->pieces--;
    cost_sub(r, piece_cost(h));
    free(h->data);
    free(h);
}

/* a - b as a signed distance: correct while the two are less than 2^31 apart (RFC 1982). */
static int64_t seq_diff(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    return d < 0x80000000u ? (int64_t)d : (int64_t)d - 0x100000000LL;
}

void hs_reasm_init(struct hs_reasm *r, int dir, size_t max_held)
{
    memset(r, 0, sizeof *r);
    r->dir = dir;
    r->max_held = max_held;
}

void hs_reasm_free(struct hs_reasm *r)
{
    struct hs_piece *p = r->held;
    while (p) {
        struct hs_piece *n = p->next;
        piece_free(r, p);
        p = n;
    }
    r->held = r->tail = NULL;
    r->held_bytes = 0;
    pool_update(r);
}

static void deliver(struct hs_reasm *r, const uint8_t *p, uint32_t n, bool lost, double ts,
                    uint64_t frame, const struct hs_reasm_out *out)
{
    if (n == 0)
        return;
    /* Everything about r is settled before the callback, which may swap the flow's sides. */
    r->next += n;
    if (lost) {
        r->st.gaps++;
        r->st.gap_bytes += n;
        if (out && out->gap)
            out->gap(out->ctx, r->dir, n, ts);
    } else {
        r->st.bytes += n;
        if (out && out->data)
            out->data(out->ctx, r->dir, p, n, ts, frame);
    }
}

/* Delivers the held pieces that now continue the stream. */
static void drain(struct hs_reasm *r, double ts, const struct hs_reasm_out *out)
{
    while (r->held && seq_diff(r->held->seq, r->next) <= 0) {
        struct hs_piece *h = r->held;
        r->held = h->next;
        if (r->held == NULL)
            r->tail = NULL;
        int64_t ahead = seq_diff(h->seq + h->len, r->next);
        uint32_t skip = ahead > 0 ? h->len - (uint32_t)ahead : 0;
        /* Unlinked and accounted for first: the callback may swap the flow's sides. */
        size_t cost = piece_cost(h);
        uint8_t *data = h->data;
        bool lost = h->lost;
        double when = h->ts > ts ? h->ts : ts;
        uint64_t frame = h->frame;
        if (!lost)
            r->held_bytes -= h->len;
        r->pieces--;
        cost_sub(r, cost);
        free(h);
        pool_update(r);
        if (ahead > 0)
            deliver(r, lost ? NULL : data + skip, (uint32_t)ahead, lost, when, frame, out);
        free(data);
    }
}

/* The hole before the first held piece is lost: report it and go on from there. */
static void skip_hole(struct hs_reasm *r, double ts, const struct hs_reasm_out *out)
{
    if (r->held == NULL)
        return;
    int64_t hole = seq_diff(r->held->seq, r->next);
    if (hole > 0)
        deliver(r, NULL, (uint32_t)hole, true, ts, 0, out);
    drain(r, ts, out);
}

static struct hs_piece *piece_new(struct hs_reasm *r, uint32_t seq, const uint8_t *p,
                                  uint32_t n, bool lost, double ts, uint64_t frame)
{
    struct hs_piece *h = hs_xmalloc(sizeof *h);
    h->next = NULL;
    h->seq = seq;
    h->len = n;
    h->cap = lost ? 0 : n;
    h->lost = lost;
    h->ts = ts;
    h->frame = frame;
    h->data = lost ? NULL : hs_xmemdup(p, n);
    if (!lost)
        r->held_bytes += n;
    r->pieces++;
    cost_add(r, piece_cost(h));
    return h;
}

/* Room for n more bytes in a held piece (the allocation doubles as it grows). */
static void piece_reserve(struct hs_reasm *r, struct hs_piece *h, uint32_t n)
{
    if (n <= h->cap - h->len)
        return;
    uint32_t cap = h->len + n;
    if (cap < 2 * h->cap && h->cap <= UINT32_MAX / 2)
        cap = 2 * h->cap;
    h->data = hs_xrealloc(h->data, cap);
    cost_add(r, cap - h->cap);
    h->cap = cap;
}

/* Appends n bytes to a held piece they continue. */
static void piece_extend(struct hs_reasm *r, struct hs_piece *h, const uint8_t *p, uint32_t n,
                         double ts)
{
    piece_reserve(r, h, n);
    memcpy(h->data + h->len, p, n);
    h->len += n;
    h->ts = ts;
    r->held_bytes += n;
}

/* Puts n bytes in front of a small held piece they precede (data arriving backwards). */
static void piece_prepend(struct hs_reasm *r, struct hs_piece *h, const uint8_t *p, uint32_t n,
                          uint64_t frame)
{
    piece_reserve(r, h, n);
    memmove(h->data + n, h->data, h->len);
    memcpy(h->data, p, n);
    h->seq -= n;
    h->len += n;
    h->frame = frame;
    r->held_bytes += n;
}

/*
 * Inserts [seq, seq+n) into the sorted held list, keeping only the bytes no held piece covers
 * (the first copy wins).  Returns true if any byte overlapped a held piece; counts overlaps
 * whose bytes differ.
 */
static bool insert(struct hs_reasm *r, uint32_t seq, const uint8_t *p, uint32_t n, bool lost,
                   double ts, uint64_t frame)
{
    bool overlapped = false;
    struct hs_piece **link = &r->held, *prev = NULL;
    if (r->tail && seq_diff(seq, r->tail->seq + r->tail->len) >= 0) {
        /* At or past the end of the last piece: no walk (the usual order after a hole). */
        prev = r->tail;
        link = &r->tail->next;
    }
    while (n > 0) {
        /* Skip the pieces that end at or before seq. */
        while (*link && seq_diff((*link)->seq + (*link)->len, seq) <= 0) {
            prev = *link;
            link = &(*link)->next;
        }
        struct hs_piece *cur = *link;
        uint32_t take = n;
        if (cur && seq_diff(cur->seq, seq) <= 0) {
            /* seq lies inside cur: these bytes are already held. */
            uint32_t off = (uint32_t)seq_diff(seq, cur->seq);
            uint32_t k = cur->len - off < n ? cur->len - off : n;
            if (!lost && !cur->lost && memcmp(cur->data + off, p, k) != 0)
                r->st.conflicts++;
            overlapped = true;
            seq += k;
            if (!lost)
                p += k;
            n -= k;
            continue;
        }
        if (cur && seq_diff(cur->seq, seq) < (int64_t)n)
            take = (uint32_t)seq_diff(cur->seq, seq);
        if (!lost && prev && !prev->lost && r->pieces >= COALESCE_AFTER &&
            prev->seq + prev->len == seq && take <= UINT32_MAX - prev->len) {
            /* Many pieces held: bytes that continue one join it (bounded memory and walks). */
            piece_extend(r, prev, p, take, ts);
        } else if (!lost && cur && !cur->lost && r->pieces >= COALESCE_AFTER &&
                   seq + take == cur->seq && take <= PREPEND_MAX && cur->len <= PREPEND_MAX) {
            /* The move it costs stays small.  link still leads to cur: bytes after these
             * overlap it and are compared with it on the next turn. */
            piece_prepend(r, cur, p, take, frame);
        } else {
            struct hs_piece *h = piece_new(r, seq, p, take, lost, ts, frame);
            h->next = cur;
            *link = h;
            link = &h->next;
            prev = h;
            if (cur == NULL)
                r->tail = h;
        }
        seq += take;
        if (!lost)
            p += take;
        n -= take;
    }
    return overlapped;
}

void hs_reasm_add(struct hs_reasm *r, const struct hs_tcp_seg *seg, const struct hs_reasm_out *out)
{
    uint32_t seq = seg->seq;
    if (out)
        r->out = *out;
    if (seg->flags & HS_TCP_SYN) {
        /* The SYN takes one sequence number; data (TCP Fast Open) follows it. */
        if (r->st.bytes == 0 && r->held == NULL) {
            r->next = seq + 1;
            r->started = true;
        }
        seq++;
    }
    uint32_t wire = seg->payload_wire, cap = seg->payload;
    if (cap > wire)
        wire = cap;
    if (wire == 0)
        return;
    if (cap > 0 && seg->data == NULL)
        cap = 0;
    const uint8_t *p = seg->data;
    r->st.segments++;
    if (!r->started) { /* capture began mid-connection: the stream starts here */
        r->next = seq;
        r->started = true;
    }

    int64_t d = seq_diff(seq, r->next);
    bool repeated = false;
    if (d < 0) {
        /* Bytes before next were delivered already: a retransmission (or overlap). */
        uint32_t old = (uint32_t)-d;
        repeated = true;
        if (old >= wire) {
            r->st.retransmissions++;
            return;
        }
        seq += old;
        wire -= old;
        if (old >= cap) {
            cap = 0;
        } else {
            p += old;
            cap -= old;
        }
        d = 0;
    }
    if (d == 0 && r->held == NULL && (cap == 0 || cap == wire)) {
        /* In order, nothing waiting: straight through (a snaplen-cut tail after data is held
         * instead, so that it follows the data even if the data's delivery swaps the sides). */
        if (repeated)
            r->st.retransmissions++;
        deliver(r, p, cap, false, seg->ts, seg->frame, out);
        deliver(r, NULL, wire - cap, true, seg->ts, seg->frame, out);
        return;
    }
    bool ov = insert(r, seq, p, cap, false, seg->ts, seg->frame);
    if (wire > cap && insert(r, seq + cap, NULL, wire - cap, true, seg->ts, seg->frame))
        ov = true;
    if (repeated || ov)
        r->st.retransmissions++;
    else if (d > 0)
        r->st.out_of_order++;
    pool_update(r);
    drain(r, seg->ts, out);
    while ((r->held_bytes > r->max_held || r->pieces > HS_FLOW_MAX_PIECES) && r->held)
        skip_hole(r, seg->ts, out);
    /* Over the bound across connections: the direction holding longest gives up its holes. */
    struct hs_hold_pool *pl = r->pool;
    while (pl && pl->bytes > pl->max && pl->oldest) {
        struct hs_reasm *o = pl->oldest;
        pl->evictions++;
        hs_reasm_flush(o, seg->ts, &o->out);
    }
}

void hs_reasm_flush(struct hs_reasm *r, double ts, const struct hs_reasm_out *out)
{
    while (r->held)
        skip_hole(r, ts, out);
}

/* ---- the connection table ---- */

struct hs_flow_table {
    struct hs_flow **buckets;
    size_t nbuckets;            /* a power of two */
    size_t entries;             /* open + closed */
    size_t open, max_open, max_held;
    uint64_t numbered;
    struct hs_flow *lru_head, *lru_tail;   /* open */
    struct hs_flow *tomb_head, *tomb_tail; /* closed, by close time */
    struct hs_hold_pool pool;
};

struct hs_flow_table *hs_flow_table_new(size_t max_open, size_t max_held)
{
    struct hs_flow_table *t = hs_xcalloc(1, sizeof *t);
    t->nbuckets = 1024;
    t->buckets = hs_xcalloc(t->nbuckets, sizeof *t->buckets);
    t->max_open = max_open ? max_open : HS_FLOW_MAX_OPEN;
    t->max_held = max_held ? max_held : HS_FLOW_MAX_HELD;
    t->pool.max = HS_FLOW_MAX_HELD_TOTAL;
    return t;
}

static void flow_free(struct hs_flow *f)
{
    hs_reasm_free(&f->dir[0]);
    hs_reasm_free(&f->dir[1]);
    free(f);
}

void hs_flow_table_free(struct hs_flow_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct hs_flow *f = t->buckets[i];
        while (f) {
            struct hs_flow *n = f->hnext;
            flow_free(f);
            f = n;
        }
    }
    free(t->buckets);
    free(t);
}

/* An endpoint ordering, so that both directions hash alike. */
static int endpoint_cmp(const struct hs_ip_addr *a, uint16_t pa, const struct hs_ip_addr *b,
                        uint16_t pb)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int c = memcmp(a->a, b->a, a->family == 4 ? 4 : 16);
    if (c != 0)
        return c;
    return pa == pb ? 0 : pa < pb ? -1 : 1;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t tuple_hash(const struct hs_ip_addr *a, uint16_t pa, const struct hs_ip_addr *b,
                           uint16_t pb)
{
    if (endpoint_cmp(a, pa, b, pb) > 0) {
        const struct hs_ip_addr *x = a;
        a = b;
        b = x;
        uint16_t y = pa;
        pa = pb;
        pb = y;
    }
    size_t alen = a->family == 4 ? 4 : 16;
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv(h, &a->family, 1);
    h = fnv(h, a->a, alen);
    h = fnv(h, &pa, sizeof pa);
    h = fnv(h, b->a, alen);
    h = fnv(h, &pb, sizeof pb);
    return h;
}

static void grow(struct hs_flow_table *t)
{
    size_t n = t->nbuckets * 2;
    struct hs_flow **b = hs_xcalloc(n, sizeof *b);
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct hs_flow *f = t->buckets[i];
        while (f) {
            struct hs_flow *next = f->hnext;
            size_t k = (size_t)(f->hash & (n - 1));
            f->hnext = b[k];
            b[k] = f;
            f = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static void hash_remove(struct hs_flow_table *t, struct hs_flow *f)
{
    struct hs_flow **l = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*l && *l != f)
        l = &(*l)->hnext;
    if (*l)
        *l = f->hnext;
    t->entries--;
}

/* Doubly linked lists through lru_prev/lru_next (an open flow is in the LRU list, a closed
 * one in the tombstone list). */
static void list_unlink(struct hs_flow **head, struct hs_flow **tail, struct hs_flow *f)
{
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        *head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        *tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void list_append(struct hs_flow **head, struct hs_flow **tail, struct hs_flow *f)
{
    f->lru_next = NULL;
    f->lru_prev = *tail;
    if (*tail)
        (*tail)->lru_next = f;
    else
        *head = f;
    *tail = f;
}

static void tomb_forget(struct hs_flow_table *t, struct hs_flow *f)
{
    list_unlink(&t->tomb_head, &t->tomb_tail, f);
    hash_remove(t, f);
    flow_free(f);
}

static void expire_tombs(struct hs_flow_table *t, double now)
{
    size_t closed = t->entries - t->open;
    while (t->tomb_head &&
           /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): tomb_forget moved tomb_head on */
           (t->tomb_head->close_ts < now - HS_FLOW_TOMBSTONE_S || closed > t->max_open)) {
        tomb_forget(t, t->tomb_head);
        closed--;
    }
}

static bool matches(const struct hs_flow *f, const struct hs_tcp_seg *s, bool *from_server)
{
    if (s->sport == f->port[HS_CLIENT] && s->dport == f->port[HS_SERVER] &&
        hs_ip_equal(&s->src, &f->addr[HS_CLIENT]) && hs_ip_equal(&s->dst, &f->addr[HS_SERVER])) {
        *from_server = false;
        return true;
    }
    if (s->sport == f->port[HS_SERVER] && s->dport == f->port[HS_CLIENT] &&
        hs_ip_equal(&s->src, &f->addr[HS_SERVER]) && hs_ip_equal(&s->dst, &f->addr[HS_CLIENT])) {
        *from_server = true;
        return true;
    }
    return false;
}

struct hs_flow *hs_flow_lookup(struct hs_flow_table *t, struct hs_tcp_seg *seg,
                               enum hs_flow_lookup *how)
{
    expire_tombs(t, seg->ts);
    uint64_t h = tuple_hash(&seg->src, seg->sport, &seg->dst, seg->dport);
    bool syn_only = (seg->flags & (HS_TCP_SYN | HS_TCP_ACK)) == HS_TCP_SYN;
    for (struct hs_flow *f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->hnext) {
        bool from_server;
        if (f->hash != h || !matches(f, seg, &from_server))
            continue;
        if (!f->closed) {
            seg->from_server = from_server;
            list_unlink(&t->lru_head, &t->lru_tail, f);
            list_append(&t->lru_head, &t->lru_tail, f);
            *how = HS_FLOW_OPEN;
            return f;
        }
        if (!syn_only) {
            seg->from_server = from_server;
            f->packets++;
            *how = HS_FLOW_CLOSED;
            return f;
        }
        tomb_forget(t, f); /* a new connection on the same 4-tuple */
        break;
    }
    if (t->open >= t->max_open) {
        *how = HS_FLOW_FULL;
        return NULL;
    }

    struct hs_flow *f = hs_xcalloc(1, sizeof *f);
    bool sender_is_client;
    if (seg->flags & HS_TCP_SYN)
        sender_is_client = !(seg->flags & HS_TCP_ACK);
    else if (seg->sport != seg->dport)
        sender_is_client = seg->sport > seg->dport; /* ephemeral ports are the high ones */
    else
        sender_is_client = true;
    enum hs_side s = sender_is_client ? HS_CLIENT : HS_SERVER;
    enum hs_side d = sender_is_client ? HS_SERVER : HS_CLIENT;
    f->addr[s] = seg->src;
    f->port[s] = seg->sport;
    f->addr[d] = seg->dst;
    f->port[d] = seg->dport;
    f->syn_seen = (seg->flags & HS_TCP_SYN) != 0;
    f->number = ++t->numbered;
    f->first_ts = f->last_ts = seg->ts;
    f->hash = h;
    hs_reasm_init(&f->dir[HS_CLIENT], HS_CLIENT, t->max_held);
    hs_reasm_init(&f->dir[HS_SERVER], HS_SERVER, t->max_held);
    f->dir[HS_CLIENT].pool = f->dir[HS_SERVER].pool = &t->pool;
    size_t k = (size_t)(h & (t->nbuckets - 1));
    f->hnext = t->buckets[k];
    t->buckets[k] = f;
    t->entries++;
    t->open++;
    list_append(&t->lru_head, &t->lru_tail, f);
    if (t->entries > t->nbuckets)
        grow(t);
    seg->from_server = !sender_is_client;
    *how = HS_FLOW_NEW;
    return f;
}

void hs_flow_segment(struct hs_flow *f, const struct hs_tcp_seg *seg, const struct hs_reasm_out *out)
{
    enum hs_side from = seg->from_server ? HS_SERVER : HS_CLIENT;
    f->packets++;
    if (seg->ts > f->last_ts)
        f->last_ts = seg->ts;
    if (seg->flags & HS_TCP_SYN)
        f->syn_seen = true;
    if (seg->flags & HS_TCP_RST)
        f->rst = true;
    if (out) {
        hs_reasm_add(&f->dir[from], seg, out);
        /* A callback may have swapped the sides mid-delivery: bytes that became ready in the
         * moved direction go out now, not at its next segment. */
        drain(&f->dir[HS_CLIENT], seg->ts, out);
        drain(&f->dir[HS_SERVER], seg->ts, out);
    } else {
        hs_reasm_free(&f->dir[from]);
    }
    if (seg->flags & HS_TCP_FIN)
        f->fin[from] = true;
}

bool hs_flow_continues(const struct hs_flow *f, const struct hs_tcp_seg *seg)
{
    const struct hs_reasm *r = &f->dir[seg->from_server ? HS_SERVER : HS_CLIENT];
    if (!r->started)
        return true;
    uint32_t ahead = seg->seq - r->next, behind = r->next - seg->seq;
    return ahead <= HS_FLOW_MAX_HELD || behind <= HS_FLOW_MAX_HELD;
}

bool hs_flow_done(const struct hs_flow *f)
{
    return f->rst || (f->fin[HS_CLIENT] && f->fin[HS_SERVER]);
}

void hs_flow_swap(struct hs_flow *f)
{
    struct hs_ip_addr a = f->addr[0];
    f->addr[0] = f->addr[1];
    f->addr[1] = a;
    uint16_t p = f->port[0];
    f->port[0] = f->port[1];
    f->port[1] = p;
    /* The pool links point at the structs: out of its list while they move. */
    pool_leave(&f->dir[0]);
    pool_leave(&f->dir[1]);
    struct hs_reasm r = f->dir[0];
    f->dir[0] = f->dir[1];
    f->dir[1] = r;
    f->dir[0].dir = 0;
    f->dir[1].dir = 1;
    pool_update(&f->dir[0]);
    pool_update(&f->dir[1]);
    bool fin = f->fin[0];
    f->fin[0] = f->fin[1];
    f->fin[1] = fin;
}

void hs_flow_close(struct hs_flow_table *t, struct hs_flow *f, double ts)
{
    if (f->closed)
        return;
    hs_reasm_free(&f->dir[0]);
    hs_reasm_free(&f->dir[1]);
    f->user = NULL;
    f->closed = true;
    f->close_ts = ts;
    list_unlink(&t->lru_head, &t->lru_tail, f);
    list_append(&t->tomb_head, &t->tomb_tail, f);
    t->open--;
}

struct hs_flow *hs_flow_idlest(const struct hs_flow_table *t)
{
    return t->lru_head;
}

size_t hs_flow_open_count(const struct hs_flow_table *t)
{
    return t->open;
}

uint64_t hs_flow_numbered(const struct hs_flow_table *t)
{
    return t->numbered;
}

uint64_t hs_flow_hold_evictions(const struct hs_flow_table *t)
{
    return t->pool.evictions;
}
