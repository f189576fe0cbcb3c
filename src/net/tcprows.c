/* TCP rows of the ladder (live tap and capture files alike). */
#include "tcprows.h"

#include "../core/mem.h"

#include <stdio.h>
#include <string.h>

void hs_tcp_rows_init(struct hs_tcp_rows *r, double start_wall)
{
    memset(r, 0, sizeof *r);
    r->start_wall = start_wall;
    r->wscale[0] = r->wscale[1] = -1;
}

/* "mss 65495, wscale 7, SACK, TS" */
static void options_summary(const struct hs_tcp_seg *s, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
#define PUT(...)                                                                              \
    do {                                                                                      \
        if (k < n) {                                                                          \
            int w_ = snprintf(buf + k, n - k, __VA_ARGS__);                                   \
            k += w_ > 0 ? (size_t)w_ : 0;                                                     \
        }                                                                                     \
    } while (0)
    if (s->mss >= 0)
        PUT("mss %d", s->mss);
    if (s->wscale >= 0)
        PUT("%swscale %d", k ? ", " : "", s->wscale);
    if (s->sack_permitted)
        PUT("%sSACK", k ? ", " : "");
    if (s->has_ts)
        PUT("%sTS", k ? ", " : "");
#undef PUT
    if (k == 0)
        snprintf(buf, n, "no options");
}

static void add_fields(struct hs_event *ev, const struct hs_tcp_seg *s, uint32_t rel_seq,
                       uint32_t rel_ack)
{
    struct hs_field *f = ev->fields;
    struct hs_field *flags = hs_f_arr(f, "flags");
    static const struct { uint8_t bit; const char *name; } names[] = {
        {HS_TCP_SYN, "SYN"}, {HS_TCP_ACK, "ACK"}, {HS_TCP_FIN, "FIN"}, {HS_TCP_RST, "RST"},
        {HS_TCP_PSH, "PSH"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (s->flags & names[i].bit)
            hs_f_str(flags, NULL, names[i].name);
    hs_f_int(f, "seq", s->seq);
    hs_f_int(f, "ack", s->ack);
    hs_f_int(f, "relative_seq", rel_seq);
    hs_f_int(f, "relative_ack", rel_ack);
    hs_f_int(f, "window", s->window);
    hs_f_int(f, "payload", s->payload_wire);
    struct hs_field *o = hs_f_obj(f, "options");
    if (s->mss >= 0)
        hs_f_int(o, "mss", s->mss);
    if (s->wscale >= 0)
        hs_f_int(o, "wscale", s->wscale);
    hs_f_bool(o, "sack_permitted", s->sack_permitted);
    if (s->has_ts) {
        struct hs_field *ts = hs_f_obj(o, "timestamps");
        hs_f_int(ts, "tsval", s->tsval);
        hs_f_int(ts, "tsecr", s->tsecr);
    } else {
        hs_f_null(o, "timestamps");
    }
}

struct hs_event *hs_tcp_rows_event(struct hs_tcp_rows *r, const struct hs_tcp_seg *s)
{
    enum hs_side from = s->from_server ? HS_SERVER : HS_CLIENT;
    enum hs_side to = s->from_server ? HS_CLIENT : HS_SERVER;
    const char *type = NULL;
    const char *explain = NULL;
    bool syn = s->flags & HS_TCP_SYN, ack = s->flags & HS_TCP_ACK;

    if (s->flags & HS_TCP_RST) {
        type = "RST";
        explain = "A reset: this side aborts the connection at once. (RFC 9293 §3.5.2)";
        r->rst = true;
    } else if (syn && !ack && from == HS_CLIENT && !r->syn) {
        type = "SYN";
        explain = "The client asks to open a TCP connection and states its TCP options. "
                  "(RFC 9293 §3.5)";
        r->syn = true;
    } else if (syn && ack && from == HS_SERVER && !r->synack) {
        type = "SYN-ACK";
        explain = "The server accepts the connection and states its own TCP options. "
                  "(RFC 9293 §3.5)";
        r->synack = true;
    } else if (!syn && ack && from == HS_CLIENT && r->synack && !r->ack &&
               s->payload_wire == 0 && !(s->flags & HS_TCP_FIN)) {
        type = "ACK";
        explain = "The client acknowledges the SYN-ACK: the connection is open (one round "
                  "trip spent). (RFC 9293 §3.5)";
        r->ack = true;
    } else if (s->flags & HS_TCP_FIN) {
        type = "FIN";
        explain = "This side has nothing more to send and closes its half of the connection. "
                  "(RFC 9293 §3.6)";
        r->fin[from] = true;
    }
    if (type == NULL)
        return NULL;

    if (syn) {
        r->isn[from] = s->seq;
        r->wscale[from] = s->wscale;
    }
    uint32_t rel_seq = s->seq - r->isn[from];
    uint32_t rel_ack = ack ? s->ack - r->isn[to] : 0;

    struct hs_event *ev = hs_event_new(from, HS_LAYER_TCP, type, (s->ts - r->start_wall) * 1000.0);
    ev->length = s->seg_len;
    ev->problem = (s->flags & HS_TCP_RST) != 0;
    add_fields(ev, s, rel_seq, rel_ack);
    if (s->frame)
        hs_event_add_frame(ev, s->frame);

    char buf[128];
    if (syn) {
        options_summary(s, buf, sizeof buf);
        hs_event_summary(ev, "%s", buf);
    } else {
        /* The window counts in units of 2^wscale once both sides offered scaling. */
        unsigned long long win = s->window;
        if (r->wscale[0] >= 0 && r->wscale[1] >= 0 && r->wscale[from] <= 14)
            win <<= r->wscale[from];
        if (s->flags & (HS_TCP_FIN | HS_TCP_RST))
            hs_event_summary(ev, "%s%s, seq %u, ack %u", type, ack ? "+ACK" : "", rel_seq,
                             rel_ack);
        else
            hs_event_summary(ev, "seq %u, ack %u, win %llu", rel_seq, rel_ack, win);
    }
    ev->explain = hs_xstrdup(explain);
    return ev;
}

void hs_tcp_rows_add(struct hs_tcp_rows *r, struct hs_trace *t, const struct hs_tcp_seg *s)
{
    struct hs_event *ev = hs_tcp_rows_event(r, s);
    if (ev)
        hs_trace_add(t, ev);
}

bool hs_tcp_rows_offset(const struct hs_tcp_rows *r, const struct hs_tcp_seg *s, uint32_t *off)
{
    bool server = s->from_server;
    if (!(server ? r->synack : r->syn) || (s->flags & HS_TCP_SYN))
        return false;
    *off = s->seq - r->isn[server ? HS_SERVER : HS_CLIENT] - 1;
    return true;
}

void hs_tcp_rows_inferred(struct hs_trace *t, double syn_ms, double done_ms)
{
    static const struct { enum hs_side from; const char *type; const char *explain; } rows[] = {
        {HS_CLIENT, "SYN", "The client asks to open a TCP connection (inferred: connect() "
                           "started). (RFC 9293 §3.5)"},
        {HS_SERVER, "SYN-ACK", "The server accepts the connection (inferred: connect() "
                               "returned). (RFC 9293 §3.5)"},
        {HS_CLIENT, "ACK", "The client acknowledges: the connection is open (inferred). "
                           "(RFC 9293 §3.5)"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct hs_event *ev =
            hs_event_new(rows[i].from, HS_LAYER_TCP, rows[i].type, i == 0 ? syn_ms : done_ms);
        ev->inferred = true;
        if (i == 0)
            hs_event_summary(ev, "connect() called");
        else
            hs_event_summary(ev, "connect() returned after %.3f ms", done_ms - syn_ms);
        ev->explain = hs_xstrdup(rows[i].explain);
        hs_trace_add(t, ev);
    }
}

bool hs_tcp_rows_closed(const struct hs_tcp_rows *r)
{
    return r->rst || (r->fin[HS_CLIENT] && r->fin[HS_SERVER]);
}
