/*
 * The QUIC connection table (quicconn.h): which datagrams are QUIC, to which connection and
 * side each belongs, the packets coalesced in a datagram, and the end of a connection (its
 * header, outcome and decryption report).
 */
#include "quicconn_internal.h"

#include "verdict.h"

#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COALESCED 16 /* packets read from one datagram */
#define SCRATCH (2u * 65536u)

struct hs_quic_table *hs_quic_table_new(struct hs_keylog *keys, bool key_schedule)
{
    struct hs_quic_table *t = hs_xcalloc(1, sizeof *t);
    t->keys = keys;
    t->key_schedule = key_schedule;
    return t;
}

static void conn_free(struct qconn *c)
{
    for (int lv = 0; lv < QL_COUNT; lv++)
        for (int s = 0; s < 2; s++)
            for (size_t i = 0; i < c->cs[lv][s].npieces; i++)
                free(c->cs[lv][s].held[i].p);
    hs_decoder_free(c->dec);
    hs_trace_free(c->trace);
    free(c);
}

void hs_quic_table_free(struct hs_quic_table *t)
{
    if (t == NULL)
        return;
    while (t->conns) {
        struct qconn *c = t->conns;
        t->conns = c->next;
        conn_free(c);
    }
    free(t->buckets);
    free(t->scratch);
    free(t);
}

uint64_t hs_quic_connections(const struct hs_quic_table *t)
{
    return t ? t->seen : 0;
}

uint64_t hs_quic_first_open(const struct hs_quic_table *t)
{
    return t ? t->first_began : 0;
}

/* The bucket of a datagram's ends, the same both ways. */
static size_t bucket(const struct hs_ip_addr *a, uint16_t pa, const struct hs_ip_addr *b,
                     uint16_t pb)
{
    uint32_t h[2] = {2166136261u, 2166136261u};
    const struct hs_ip_addr *ip[2] = {a, b};
    uint16_t port[2] = {pa, pb};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 16; i++)
            h[k] = (h[k] ^ ip[k]->a[i]) * 16777619u;
        h[k] = ((h[k] ^ port[k]) * 16777619u ^ (uint32_t)(port[k] >> 8)) * 16777619u;
    }
    return (h[0] + h[1]) % QUIC_BUCKETS;
}

static bool same_end(const struct qconn *c, int side, const struct hs_ip_addr *a, uint16_t port)
{
    return c->port[side] == port && hs_ip_equal(&c->addr[side], a);
}

/* The connection of a datagram between these ends, and the sender's side; NULL when none. */
static struct qconn *by_ends(struct hs_quic_table *t, const struct hs_tcp_seg *u, int *side)
{
    if (t->buckets == NULL)
        return NULL;
    for (struct qconn *c = t->buckets[bucket(&u->src, u->sport, &u->dst, u->dport)]; c;
         c = c->hnext)
        for (int s = 0; s < 2; s++)
            if (same_end(c, s, &u->src, u->sport) && same_end(c, !s, &u->dst, u->dport)) {
                *side = s;
                return c;
            }
    return NULL;
}

static bool cid_is(const uint8_t *cid, size_t len, const uint8_t *want, size_t want_len)
{
    return len == want_len && memcmp(cid, want, len) == 0;
}

/*
 * A client Initial to a Destination Connection ID the connection never used is a new
 * connection when it opens with the Initial keys of that ID (a client may also send an
 * Initial the keys of its connection do not open: it stays in that connection).
 */
/* Whether the client Initial h (at p) opens with the Initial keys of `dcid` in `version`. */
static bool opens_with(struct hs_quic_table *t, uint32_t version, const uint8_t *dcid,
                       size_t dcid_len, const struct hs_quic_hdr *h, const uint8_t *p)
{
    struct hs_quic_keys k[2];
    if (h->type != HS_QPT_INITIAL ||
        hs_quic_initial_keys(version, dcid, dcid_len, &k[0], &k[1]) != HS_OK)
        return false;
    if (t->scratch == NULL)
        t->scratch = hs_xmalloc(SCRATCH);
    uint64_t pn;
    size_t n;
    memcpy(t->scratch, p, h->size);
    return hs_quic_open(&k[HS_CLIENT], h, t->scratch, -1, &pn, t->scratch + h->size, &n) ==
           HS_OK;
}

static bool new_attempt(struct hs_quic_table *t, const struct qconn *c,
                        const struct hs_quic_hdr *h, const uint8_t *p)
{
    if (cid_is(h->dcid, h->dcid_len, c->odcid, c->odcid_len) ||
        (c->scid_known && cid_is(h->dcid, h->dcid_len, c->scid, c->scid_len)))
        return false;
    if (hs_quic_family(h->version) == HS_QV_UNKNOWN)
        return true; /* nothing to try */
    return opens_with(t, h->version, h->dcid, h->dcid_len, h, p);
}

/*
 * A client packet of a version hstrace does not know, read in the v1 layout (*v1): the
 * version whose Initial keys for `dcid` open it, v1's or the drafts' (clients forcing a
 * Version Negotiation with a reserved version use one of them: ngtcp2 the drafts' salt), or 0.
 */
static uint32_t opens_in_v1_layout(struct hs_quic_table *t, const uint8_t *dcid, size_t dcid_len,
                                   const uint8_t *p, size_t n, struct hs_quic_hdr *v1)
{
    static const uint32_t salts_of[] = {0x00000001u, 0xff00001du};
    if (hs_quic_parse_header_v1(p, n, v1) != HS_OK)
        return 0;
    for (size_t i = 0; i < sizeof salts_of / sizeof salts_of[0]; i++)
        if (opens_with(t, salts_of[i], dcid, dcid_len, v1, p))
            return salts_of[i];
    return 0;
}

/* A long header of an unknown version that still looks like a client's first packet. */
static bool plausible(struct hs_quic_table *t, const struct hs_quic_hdr *h, const uint8_t *p,
                      size_t n)
{
    if ((h->version & 0x0f0f0f0fu) == 0x0a0a0a0au) /* reserved: forces negotiation */
        return h->dcid_len >= 8 && h->scid_len <= HS_QUIC_MAX_CID;
    struct hs_quic_hdr v1;
    return opens_in_v1_layout(t, h->dcid, h->dcid_len, p, n, &v1) != 0;
}

static struct qconn *conn_new(struct hs_quic_table *t, const struct hs_tcp_seg *u,
                              const struct hs_quic_hdr *h, uint64_t began)
{
    if (t->nconns >= HS_QUIC_MAX_CONNS) {
        if (!t->full_notice)
            fprintf(stderr, "hstrace: more than %u QUIC connections: new ones are not "
                    "decoded\n", HS_QUIC_MAX_CONNS);
        t->full_notice = true;
        return NULL;
    }
    struct qconn *c = hs_xcalloc(1, sizeof *c);
    c->began = began;
    c->serial = t->seen;
    c->first_ts = c->last_ts = u->ts;
    c->addr[HS_CLIENT] = u->src;
    c->addr[HS_SERVER] = u->dst;
    c->port[HS_CLIENT] = u->sport;
    c->port[HS_SERVER] = u->dport;
    c->version = h->version;
    memcpy(c->odcid, h->dcid, h->dcid_len);
    c->odcid_len = h->dcid_len;
    memcpy(c->ccid, h->scid, h->scid_len);
    c->ccid_len = h->scid_len;
    c->client_hs_t = c->server_app_t = -1;
    for (int lv = 0; lv < QL_COUNT; lv++)
        c->largest[lv][0] = c->largest[lv][1] = -1;
    if (hs_quic_initial_keys(h->version, h->dcid, h->dcid_len, &c->init[HS_CLIENT],
                             &c->init[HS_SERVER]) != HS_OK)
        c->init[0].ready = c->init[1].ready = false;
    c->trace = hs_trace_new();
    c->dec = hs_decoder_new(c->trace, t->keys);
    hs_decoder_key_schedule(c->dec, t->key_schedule);
    c->next = t->conns;
    t->conns = c;
    if (t->buckets == NULL)
        t->buckets = hs_xcalloc(QUIC_BUCKETS, sizeof *t->buckets);
    size_t b = bucket(&c->addr[0], c->port[0], &c->addr[1], c->port[1]);
    c->hnext = t->buckets[b];
    t->buckets[b] = c;
    if (t->nconns++ == 0)
        t->first_began = began;
    t->seen++;
    return c;
}

/* A long-header packet of a version hstrace cannot read: one row, not decoded. */
static void unknown_version(struct qconn *c, int side, const struct hs_quic_hdr *h, size_t n,
                            double ts, uint64_t frame)
{
    char vb[64];
    struct hs_event *ev = hs_event_new((enum hs_side)side, HS_LAYER_QUIC, "Long header",
                                       hs_quic_ms(c, ts));
    ev->length = n;
    hs_event_add_frame(ev, frame);
    hs_f_fmt(ev->fields, "version", "0x%08x", h->version);
    hs_f_int(ev->fields, "version_id", h->version);
    hs_f_hex(ev->fields, "dcid", h->dcid, h->dcid_len);
    hs_f_hex(ev->fields, "scid", h->scid, h->scid_len);
    hs_event_summary(ev, "%zu bytes of version %s: not decoded", n,
                     hs_quic_version_name(h->version, vb, sizeof vb));
    c->not_decoded++;
    hs_quic_row(c, ev);
}

/* A client packet of an unknown version that opens in the v1 layout: *h becomes that header
 * and the connection's Initial keys those that opened it. */
static bool unknown_as_v1(struct hs_quic_table *t, struct qconn *c, int side, const uint8_t *p,
                          size_t n, struct hs_quic_hdr *h)
{
    struct hs_quic_hdr v1;
    uint32_t keys_of = side == HS_CLIENT
                           ? opens_in_v1_layout(t, c->odcid, c->odcid_len, p, n, &v1)
                           : 0;
    if (keys_of == 0 || hs_quic_initial_keys(keys_of, c->odcid, c->odcid_len,
                                             &c->init[HS_CLIENT], &c->init[HS_SERVER]) != HS_OK)
        return false;
    *h = v1;
    return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* The packets of one datagram of c, in order. */
static void datagram(struct hs_quic_table *t, struct qconn *c, int side, const uint8_t *p,
                     size_t n, double ts, uint64_t frame)
{
    size_t off = 0;
    for (int k = 0; off < n && k < MAX_COALESCED; k++) {
        if (k > 0 && all_zero(p + off, n - off)) /* padding after a long-header packet */
            return;
        struct hs_quic_hdr h;
        size_t dlen = side == HS_CLIENT ? c->scid_len : c->ccid_len;
        int r = hs_quic_parse_header(p + off, n - off, dlen, &h);
        if (r == HS_ERR_UNSUPPORTED) {
            if (!unknown_as_v1(t, c, side, p + off, n - off, &h)) {
                unknown_version(c, side, &h, n - off, ts, frame);
                return;
            }
            r = HS_OK;
        }
        if (r != HS_OK) {
            struct hs_event *ev = hs_event_new((enum hs_side)side, HS_LAYER_QUIC, "Error",
                                               hs_quic_ms(c, ts));
            ev->problem = true;
            hs_event_add_frame(ev, frame);
            hs_f_str(ev->fields, "error", "not a QUIC packet");
            hs_event_summary(ev, "%zu bytes that are not a QUIC packet", n - off);
            hs_quic_row(c, ev);
            return;
        }
        hs_quicpkt(t, c, side, &h, p + off, ts, frame);
        off += h.size;
    }
}

bool hs_quic_datagram(struct hs_quic_table *t, const struct hs_tcp_seg *u, uint64_t began)
{
    const uint8_t *p = u->data;
    size_t n = u->payload;
    if (t == NULL || p == NULL || n < 1 || u->payload < u->payload_wire)
        return false;
    int side = HS_CLIENT;
    struct qconn *c = by_ends(t, u, &side);
    struct hs_quic_hdr h;
    if (c == NULL || (side == HS_CLIENT && (p[0] & 0x80))) {
        /* Only a client's Initial (in a datagram of at least the 1200 bytes RFC 9000 14.1
         * asks for) starts a connection; one of a version hstrace cannot read does too, as
         * the server may answer it with a Version Negotiation, when the version is a
         * reserved one or the packet opens as a v1 or draft Initial (other UDP traffic
         * whose first byte happens to look like a long header does not). */
        int pr = (p[0] & 0x80) ? hs_quic_parse_header(p, n, 0, &h) : HS_ERR_INVALID;
        bool starts = n >= 1200 && ((pr == HS_OK && h.type == HS_QPT_INITIAL) ||
                                    (pr == HS_ERR_UNSUPPORTED && plausible(t, &h, p, n)));
        if (starts && (c == NULL || new_attempt(t, c, &h, p))) {
            c = conn_new(t, u, &h, began);
            side = HS_CLIENT;
            if (c == NULL)
                return true;
        } else if (c == NULL) {
            return false;
        }
    }
    c->packets++;
    if (u->ts > c->last_ts)
        c->last_ts = u->ts;
    if (t->scratch == NULL)
        t->scratch = hs_xmalloc(SCRATCH);
    datagram(t, c, side, p, n > 65535 ? 65535 : n, u->ts, u->frame);
    return true;
}

/* ---- the end ---- */

static void header(struct qconn *c)
{
    struct hs_trace *t = c->trace;
    char buf[64];
    hs_capture_ends(t, c->addr, c->port);
    struct hs_field *q = hs_field_new_object();
    hs_f_fmt(q, "version", "0x%08x", c->version);
    hs_f_int(q, "version_id", c->version);
    hs_f_str(q, "version_name", hs_quic_version_name(c->version, buf, sizeof buf));
    hs_f_hex(q, "original_dcid", c->odcid, c->odcid_len);
    hs_f_hex(q, "client_cid", c->ccid, c->ccid_len);
    if (c->scid_known)
        hs_f_hex(q, "server_cid", c->scid, c->scid_len);
    else
        hs_f_null(q, "server_cid");
    hs_f_bool(q, "retry", c->retry);
    if (c->retry)
        hs_f_int(q, "retry_token_length", (long long)c->retry_token);
    hs_f_int(q, "packets", (long long)c->packets);
    t->quic = q;
}

/* Where the handshake ended: the later Finished; without keys, the client's first Handshake
 * packet when the server went on to send 1-RTT packets.  < 0 when it did not end. */
static double handshake_end(const struct qconn *c)
{
    const struct hs_event *fc = hs_capture_find(c->trace, HS_LAYER_TLS, HS_CLIENT, "Finished");
    const struct hs_event *fs = hs_capture_find(c->trace, HS_LAYER_TLS, HS_SERVER, "Finished");
    if (fc && fs)
        return fc->t_ms > fs->t_ms ? fc->t_ms : fs->t_ms;
    if (fc == NULL && c->client_hs_t >= 0 && c->server_app_t > c->client_hs_t)
        return c->client_hs_t;
    return -1;
}

static void finish(struct hs_quic_table *t, struct qconn *c, hs_quic_done_fn fn, void *ctx)
{
    double end_ms = hs_quic_ms(c, c->last_ts);
    hs_quic_streams_end(c, end_ms);
    hs_decoder_finish(c->dec, end_ms);
    if (c->rows_dropped > 0) {
        struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note",
                                           c->rows_dropped_t);
        hs_f_int(ev->fields, "packets", (long long)c->rows_dropped);
        hs_event_summary(ev, "%llu more QUIC packets not shown (limit %u rows)",
                         (unsigned long long)c->rows_dropped, HS_QUIC_MAX_ROWS);
        hs_trace_add(c->trace, ev);
    }
    header(c);
    if (c->vn_offer[0] && c->version != 0 && hs_quic_family(c->version) == HS_QV_UNKNOWN) {
        char vb[64];
        hs_trace_fail(c->trace, HS_STAGE_TLS, "the server does not speak %s: its Version "
                      "Negotiation offers %s (a client that can goes on in a new connection)",
                      hs_quic_version_name(c->version, vb, sizeof vb), c->vn_offer);
    }
    hs_capture_verdict(c->trace, handshake_end(c), end_ms, c->close_seen);
    c->trace->decryption = hs_quic_report(t, c);
    struct hs_capture_conn s = {.packets = c->packets};
    for (int lv = 0; lv < QL_COUNT; lv++)
        for (int side = 0; side < 2; side++) {
            s.retransmissions += c->cs[lv][side].retransmitted;
            s.out_of_order += c->cs[lv][side].out_of_order;
            s.gaps += c->cs[lv][side].dropped;
        }
    struct hs_trace *trace = c->trace;
    c->trace = NULL;
    fn(ctx, trace, &s, c->began, c->addr, c->port);
}

static int cmp_began(const void *a, const void *b)
{
    const struct qconn *x = *(struct qconn *const *)a, *y = *(struct qconn *const *)b;
    if (x->began != y->began)
        return x->began < y->began ? -1 : 1;
    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

void hs_quic_finish_all(struct hs_quic_table *t, hs_quic_done_fn fn, void *ctx)
{
    if (t == NULL || t->nconns == 0)
        return;
    struct qconn **v = hs_xmalloc(t->nconns * sizeof *v);
    size_t k = 0;
    for (struct qconn *c = t->conns; c && k < t->nconns; c = c->next)
        v[k++] = c;
    t->conns = NULL; /* none is open any more (hs_quic_first_open) */
    t->nconns = 0;
    t->first_began = 0;
    if (t->buckets)
        memset(t->buckets, 0, QUIC_BUCKETS * sizeof *t->buckets);
    qsort(v, k, sizeof *v, cmp_began);
    for (size_t i = 0; i < k; i++) {
        finish(t, v[i], fn, ctx);
        conn_free(v[i]);
    }
    free(v);
}
