/*
 * The connection list (a capture with several connections), as sngrep's call list:
 *
 *     #  Client → Server                               SNI              TLS      Msgs  Result
 *     1  10.0.0.2:51000 → 93.184.216.34:443            example.com      TLS 1.3    12  ok
 *     2  10.0.0.2:51002 → 10.0.0.9:8443                (no SNI)         TLS 1.2     9  failed at tls
 */
#include "internal.h"

#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_NUM = 5, COL_SNI = 30, COL_VER = 8, COL_MSGS = 6 };

const char *tui_trace_result(const struct hs_trace *t)
{
    switch (t->error_stage) {
    case HS_STAGE_NONE: break;
    case HS_STAGE_DNS: return "failed at dns";
    case HS_STAGE_CONNECT: return "failed at connect";
    case HS_STAGE_TIMEOUT: return "timeout";
    case HS_STAGE_TLS: return "failed at tls";
    case HS_STAGE_STARTTLS: return "failed at starttls";
    case HS_STAGE_VERIFY: return "NOT VERIFIED";
    case HS_STAGE_USAGE: return "not run";
    }
    if (!t->handshake_done)
        return "incomplete";
    if (t->verified == 0)
        return "NOT VERIFIED";
    return t->resumed ? "ok (resumed)" : "ok";
}

static char *endpoints(const struct hs_trace *t)
{
    const char *server = t->address ? t->address : t->host ? t->host : "?";
    bool v6 = strchr(server, ':') != NULL && server[0] != '[';
    char *srv = v6 ? hs_xasprintf("[%s]:%u", server, t->port) : hs_xasprintf("%s:%u", server, t->port);
    char *line = hs_xasprintf("%s \xe2\x86\x92 %s", t->client_address ? t->client_address : "?", srv);
    free(srv);
    return line;
}

static size_t tls_messages(const struct hs_trace *t)
{
    size_t n = 0;
    for (const struct hs_event *ev = t->first; ev; ev = ev->next)
        n += ev->layer == HS_LAYER_TLS;
    return n;
}

/* Fixed columns for version, count and result; the SNI and the end points share the rest. */
static void columns(int width, int *ep_x, int *sni_x, int *ver_x, int *msg_x, int *res_x)
{
    *ep_x = COL_NUM;
    *res_x = width - 14;
    *msg_x = *res_x - COL_MSGS - 1;
    *ver_x = *msg_x - COL_VER - 1;
    int shared = *ver_x - *ep_x - 2;
    int sni_w = shared - 44 > COL_SNI ? COL_SNI : shared - 44 > 10 ? shared - 44 : 10;
    *sni_x = *ver_x - sni_w - 1;
}

void tui_connlist_draw(WINDOW *w, const struct tui_ui *ui, struct hs_trace *const *t, size_t n,
                       struct tui_connlist *c)
{
    int h = getmaxy(w), width = getmaxx(w);
    int ep_x, sni_x, ver_x, msg_x, res_x;
    columns(width, &ep_x, &sni_x, &ver_x, &msg_x, &res_x);
    werase(w);
    tui_text(w, ui, 0, 1, "#", 3, TP_DIM, A_BOLD);
    tui_text(w, ui, 0, ep_x, "Client \xe2\x86\x92 Server", sni_x - ep_x - 1, TP_DIM, A_BOLD);
    tui_text(w, ui, 0, sni_x, "SNI", ver_x - sni_x - 1, TP_DIM, A_BOLD);
    tui_text(w, ui, 0, ver_x, "TLS", COL_VER, TP_DIM, A_BOLD);
    tui_text(w, ui, 0, msg_x, "  Msgs", COL_MSGS, TP_DIM, A_BOLD);
    tui_text(w, ui, 0, res_x, "Result", width - res_x, TP_DIM, A_BOLD);

    int vis = h - 1;
    if (vis <= 0 || n == 0)
        return;
    if (c->sel >= n)
        c->sel = n - 1;
    if (c->sel < c->top)
        c->top = c->sel;
    if (c->sel >= c->top + (size_t)vis)
        c->top = c->sel - (size_t)vis + 1;
    for (int y = 1; y < h && c->top + (size_t)(y - 1) < n; y++) {
        size_t i = c->top + (size_t)(y - 1);
        const struct hs_trace *tr = t[i];
        attr_t extra = i == c->sel ? A_REVERSE : A_NORMAL;
        tui_clear_to(w, ui, y, 0, TP_NORMAL, extra);
        char buf[32];
        snprintf(buf, sizeof buf, "%3zu", i + 1);
        tui_text(w, ui, y, 0, buf, 4, TP_DIM, extra);
        char *ep = endpoints(tr);
        tui_text(w, ui, y, ep_x, ep, sni_x - ep_x - 1, TP_NORMAL, extra);
        free(ep);
        tui_text(w, ui, y, sni_x, tr->sni ? tr->sni : "(no SNI)", ver_x - sni_x - 1,
                 tr->sni ? TP_NORMAL : TP_DIM, extra);
        tui_text(w, ui, y, ver_x, tr->version[0] ? tr->version : "?", COL_VER, TP_NORMAL, extra);
        snprintf(buf, sizeof buf, "%6zu", tls_messages(tr));
        tui_text(w, ui, y, msg_x, buf, COL_MSGS, TP_NORMAL, extra);
        const char *res = tui_trace_result(tr);
        bool good = strncmp(res, "ok", 2) == 0;
        tui_text(w, ui, y, res_x, res, width - res_x, good ? TP_GOOD : TP_PROBLEM, extra);
    }
}

bool tui_connlist_key(struct tui_connlist *c, size_t n, int key, int page)
{
    if (n == 0)
        return false;
    size_t step = page > 1 ? (size_t)page - 1 : 1;
    switch (key) {
    case KEY_UP: case 'k': if (c->sel > 0) c->sel--; break;
    case KEY_DOWN: case 'j': if (c->sel + 1 < n) c->sel++; break;
    case KEY_PPAGE: c->sel = c->sel > step ? c->sel - step : 0; break;
    case KEY_NPAGE: case ' ': c->sel = c->sel + step < n ? c->sel + step : n - 1; break;
    case KEY_HOME: case 'g': c->sel = 0; break;
    case KEY_END: case 'G': c->sel = n - 1; break;
    default: return false;
    }
    return true;
}

long tui_connlist_hit(const struct tui_connlist *c, size_t n, int y)
{
    if (y < 1)
        return -1;
    size_t i = c->top + (size_t)(y - 1);
    return i < n ? (long)i : -1;
}
