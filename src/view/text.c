/*
 * The text ladder.
 *
 *   hstrace 0.1.0
 *   example.com:443 → 93.184.216.34 (SNI example.com)
 *   TLS 1.3 · TLS_AES_128_GCM_SHA256 · x25519 · ALPN h2 · certificate verified
 *
 *          ms Client                          Server
 *             │                              │
 *       0.000 │──────────── SYN ────────────►│  mss 1460, wscale 7
 *       0.061 │◄────────── SYN-ACK ──────────│  mss 65495, wscale 7
 *       0.420 │ ·                            │  derived handshake traffic keys
 *       1.002 │◄╌╌╌╌╌╌╌╌╌ Finished ╌╌╌╌╌╌╌╌╌╌│  [decrypted] verify_data 32 bytes
 *
 * Encrypted messages have dashed arrows (ASCII: dotted); problems carry "!!" and are red.
 *
 *   certificate: verified
 *     0  CN=example.com ← CN=Example CA
 *   DNS 1.20 ms · TCP 0.06 ms · TLS 4.80 ms · total 6.10 ms · 2 round trips
 *
 * The ladder part (time, lanes) has a fixed width so every summary starts in the same column;
 * a summary wider than the terminal goes on under that column, never cut.  The first row of
 * each TLS round trip (the client's flight) carries "RT n".  Every string printed comes from the model and
 * passes hs_view_safe() once more on the way out.
 */
#include "view.h"

#include "../core/mem.h"
#include "glyphs.h"
#include "probeline.h"
#include "keys.h"
#include "safe.h"

#include <stdlib.h>
#include <string.h>

#ifndef HS_VERSION
#define HS_VERSION "0.0.0"
#endif

enum {
    TIME_W = 9,                                   /* "   12.345" */
    LANE_W = 30,                                  /* between the two bars */
    SERVER_COL = TIME_W + 1 + 1 + LANE_W,         /* column of the server bar */
    LADDER_W = SERVER_COL + 1 + 2,                /* where the summary starts (44) */
    DEFAULT_W = 100,
    MIN_ROOM = 16,                                /* summary columns kept on narrow screens */
    LABEL_MAX = LANE_W - 6,                       /* arrow label columns */
};

/* Colours chosen to stay legible on dark terminals and on light projector screens. */
enum paint { P_NONE, P_CLIENT, P_SERVER, P_ENC, P_PROBLEM, P_LIB, P_DIM, P_BOLD, P_GOOD };
static const char *const sgr[] = {
    [P_NONE] = "",           [P_CLIENT] = "\x1b[36m", [P_SERVER] = "\x1b[35m",
    [P_ENC] = "\x1b[33m",    [P_PROBLEM] = "\x1b[1;31m", [P_LIB] = "\x1b[32m",
    [P_DIM] = "\x1b[2m",     [P_BOLD] = "\x1b[1m",    [P_GOOD] = "\x1b[1;32m",
};

struct ctx {
    FILE *out;
    const struct hs_view_opts *o;
    const struct hs_glyphs *g;
    int width;   /* total columns, < 0 unlimited */
};

const char *hs_view_cert_words(const struct hs_trace *t, bool say_unchecked, int *tone)
{
    *tone = t->verified;
    if (t->verified == 1)
        return t->resumed && t->chain == NULL
                   ? "certificate verified when the session was made (none sent on resumption)"
                   : "certificate verified";
    if (t->verified == 0)
        return "certificate NOT VERIFIED";
    return say_unchecked ? "certificate not checked" : NULL;
}

/* One piece of a line: text (already safe) and its colour. */
struct seg {
    const char *text;
    enum paint paint;
};

static void pen(const struct ctx *c, enum paint p)
{
    if (c->o->color && p != P_NONE)
        fputs(sgr[p], c->out);
}

static void unpen(const struct ctx *c, enum paint p)
{
    if (c->o->color && p != P_NONE)
        fputs("\x1b[0m", c->out);
}

static void put_painted(const struct ctx *c, enum paint p, const char *s, size_t n)
{
    if (n == 0)
        return;
    pen(c, p);
    fwrite(s, 1, n, c->out);
    unpen(c, p);
}

/* Columns left for text that starts at column `at` (-1: unlimited). */
static int room_from(const struct ctx *c, int at)
{
    if (c->width < 0)
        return -1;
    int room = c->width - at;
    return room < MIN_ROOM ? MIN_ROOM : room;
}

/*
 * Prints the segments (safe strings) in at most room columns (room < 0: all of them); when
 * they do not fit, the text is cut at a character boundary and ends with an ellipsis.
 */
static void put_segs(const struct ctx *c, const struct seg *segs, size_t nsegs, int room)
{
    size_t total = 0;
    for (size_t i = 0; i < nsegs; i++)
        total += hs_view_cols(segs[i].text, strlen(segs[i].text));
    if (room < 0 || total <= (size_t)room) {
        for (size_t i = 0; i < nsegs; i++)
            put_painted(c, segs[i].paint, segs[i].text, strlen(segs[i].text));
        return;
    }
    size_t ell = hs_view_cols(c->g->ellipsis, strlen(c->g->ellipsis));
    size_t budget = (size_t)room > ell ? (size_t)room - ell : 0;
    enum paint last = P_NONE;
    for (size_t i = 0; i < nsegs && budget > 0; i++) {
        size_t used;
        size_t n = hs_view_fit(segs[i].text, budget, &used);
        put_painted(c, segs[i].paint, segs[i].text, n);
        budget -= used;
        last = segs[i].paint;
        if (segs[i].text[n] != '\0')
            break;
    }
    put_painted(c, last, c->g->ellipsis, strlen(c->g->ellipsis));
}

/* Prints one safe string word-wrapped to room columns (the first line has `used` of them
 * taken already, the last by a space this prints before the text); lines after the first start with `indent` spaces plus whatever lead()
 * prints (the ladder's empty lanes, say). */
static void put_wrapped(const struct ctx *c, const char *s, enum paint p, int room, int used,
                        int indent, void (*lead)(const struct ctx *))
{
    size_t len = strlen(s);
    bool first = true;
    while (first || len > 0) {
        size_t n = len;
        int fits = first && room >= 0 ? (room - used > 1 ? room - used : 1) : room;
        if (fits >= 0 && hs_view_cols(s, len) > (size_t)fits) {
            n = hs_view_fit(s, (size_t)fits, NULL);
            size_t brk = n;
            while (brk > 0 && s[brk] != ' ')
                brk--;
            if (brk > 0)
                n = brk;
            else if (first && used > 0 && hs_view_cols(s, strcspn(s, " ")) <= (size_t)room)
                n = 0; /* the first word fits a line of its own: it starts the next one */
            else if (n == 0)
                n = 1; /* a character wider than the room: print it anyway */
        }
        if (!first) {
            fprintf(c->out, "%*s", indent, "");
            if (lead)
                lead(c);
        } else if (used > 0 && n > 0) {
            fputc(' ', c->out); /* `used` counts it: between the markers and the text */
        }
        put_painted(c, p, s, n);
        fputc('\n', c->out);
        s += n;
        len -= n;
        while (len > 0 && *s == ' ') {
            s++;
            len--;
        }
        first = false;
    }
}

/* ---- header ---- */

static bool needs_brackets(const char *host)
{
    return strchr(host, ':') != NULL && host[0] != '[';
}

static void put_target(const struct ctx *c, const struct hs_trace *t)
{
    bool ascii = c->o->ascii;
    char *host = hs_view_safe(t->host ? t->host : t->address ? t->address : "?", ascii);
    char *addr = hs_view_safe(t->address, ascii);
    char *sni = hs_view_safe(t->sni, ascii);
    char *client = hs_view_safe(t->client_address, ascii);

    char *line = needs_brackets(host) ? hs_xasprintf("[%s]:%u", host, t->port)
                                      : hs_xasprintf("%s:%u", host, t->port);
    /* A capture names no host: its header reads client -> server. */
    if (t->client_address && !t->host) {
        char *more = hs_xasprintf("%s %s %s", client, c->g->to, line);
        free(line);
        line = more;
    }
    if (t->address && t->host && strcmp(t->address, t->host) != 0) {
        char *more = hs_xasprintf("%s %s %s", line, c->g->to, addr);
        free(line);
        line = more;
    }
    char *more = t->sni ? hs_xasprintf("%s (SNI %s)", line, sni)
                        : hs_xasprintf("%s (no SNI)", line);
    free(line);
    line = more;
    if (t->client_address && t->host) {
        more = hs_xasprintf("%s from %s", line, client);
        free(line);
        line = more;
    }
    put_wrapped(c, line, P_BOLD, room_from(c, 0), 0, 2, NULL);
    free(line);
    free(host);
    free(addr);
    free(sni);
    free(client);
}

/*
 * The negotiated result as items joined by " · ", or what is known of it on failure; wrapped
 * between items (never inside one) when the line is wider than the screen.
 */
static void put_result(const struct ctx *c, const struct hs_trace *t)
{
    struct seg items[8];
    size_t n = 0;
    char *owned[8] = {0};
    size_t nowned = 0;
    bool failed = t->error_stage != HS_STAGE_NONE || !t->handshake_done;

    if (failed) {
        const char *stage = hs_stage_name(t->error_stage);
        owned[nowned] = stage ? hs_xasprintf("handshake failed at %s", stage)
                              : hs_xstrdup("handshake not completed");
        items[n++] = (struct seg){owned[nowned++], P_PROBLEM};
    }
    const char *known[] = {t->version, t->cipher_suite, t->group};
    for (size_t i = 0; i < 3; i++) {
        if (known[i][0] == '\0')
            continue;
        owned[nowned] = hs_view_safe(known[i], c->o->ascii);
        items[n++] = (struct seg){owned[nowned++], P_NONE};
    }
    if (t->alpn) {
        char *alpn = hs_view_safe(t->alpn, c->o->ascii);
        owned[nowned] = hs_xasprintf("ALPN %s", alpn);
        free(alpn);
        items[n++] = (struct seg){owned[nowned++], P_NONE};
    } else if (!failed) {
        items[n++] = (struct seg){"no ALPN", P_NONE};
    }
    if (t->resumed)
        items[n++] = (struct seg){"resumed", P_NONE};
    int tone;
    const char *cert = hs_view_cert_words(t, !failed, &tone);
    if (cert)
        items[n++] = (struct seg){cert, tone > 0 ? P_GOOD : tone == 0 ? P_PROBLEM : P_NONE};

    int room = room_from(c, 0);
    size_t sep_w = hs_view_cols(c->g->sep, strlen(c->g->sep));
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = hs_view_cols(items[i].text, strlen(items[i].text));
        if (i > 0 && room >= 0 && col + sep_w + w > (size_t)room) {
            fputs("\n  ", c->out);
            col = 2;
        } else if (i > 0) {
            put_painted(c, P_DIM, c->g->sep, strlen(c->g->sep));
            col += sep_w;
        }
        put_painted(c, items[i].paint, items[i].text, strlen(items[i].text));
        col += w;
    }
    if (n > 0)
        fputc('\n', c->out);
    for (size_t i = 0; i < nowned; i++)
        free(owned[i]);
}

/* A QUIC connection (captures): its version and connection IDs, one dim line. */
static void put_quic(const struct ctx *c, const struct hs_trace *t)
{
    if (t->quic == NULL)
        return;
    const char *version = hs_f_get_str(t->quic, "version_name");
    const char *client = hs_f_get_str(t->quic, "client_cid");
    const char *server = hs_f_get_str(t->quic, "server_cid");
    const struct hs_field *retry = hs_f_get(t->quic, "retry_token_length");
    char *line = hs_xasprintf("%s%sclient CID %s%sserver CID %s%s", version ? version : "QUIC",
                              c->g->sep, client && client[0] ? client : "(empty)", c->g->sep,
                              server ? (server[0] ? server : "(empty)") : "?",
                              retry ? " (after a Retry)" : "");
    put_wrapped(c, line, P_DIM, room_from(c, 0), 0, 2, NULL);
    free(line);
}

/* The first ClientHello's fingerprints, one dim line (JA3 is its MD5; the JSON has more). */
static void put_fingerprints(const struct ctx *c, const struct hs_trace *t)
{
    const char *ja3 = t->fingerprints ? hs_f_get_str(t->fingerprints, "ja3") : NULL;
    const char *ja4 = t->fingerprints ? hs_f_get_str(t->fingerprints, "ja4") : NULL;
    if (ja3 == NULL || ja4 == NULL)
        return;
    char *line = hs_xasprintf("JA3 %s%sJA4 %s", ja3, c->g->sep, ja4);
    put_wrapped(c, line, P_DIM, room_from(c, 0), 0, 2, NULL);
    free(line);
}

/* ---- rows ---- */

static void put_time(const struct ctx *c, double t_ms)
{
    if (t_ms < 99999.9995 && t_ms > -9999.9995)
        fprintf(c->out, "%*.3f ", TIME_W, t_ms);
    else
        fprintf(c->out, "%*.0f ", TIME_W, t_ms);
}

static void put_blank_lanes(const struct ctx *c)
{
    fputs(c->g->bar, c->out);
    fprintf(c->out, "%*s", LANE_W, "");
    fputs(c->g->bar, c->out);
}

/* One cell of an arrow's shaft: solid for plaintext, dashed (ASCII: dotted) for encrypted. */
static const char *shaft(const struct ctx *c, bool dashed)
{
    return dashed ? c->g->dashed : c->g->solid;
}

static void put_arrow(const struct ctx *c, const struct hs_event *ev)
{
    char *type = hs_view_safe(ev->type[0] ? ev->type : "unknown", c->o->ascii);
    size_t type_cols = hs_view_cols(type, strlen(type));
    size_t type_bytes = strlen(type);
    bool cut = false;
    if (type_cols > LABEL_MAX) {
        size_t ell = hs_view_cols(c->g->ellipsis, strlen(c->g->ellipsis));
        type_bytes = hs_view_fit(type, LABEL_MAX - ell, &type_cols);
        type_cols += ell;
        cut = true;
    }
    bool right = ev->from == HS_CLIENT;
    bool dashed = ev->encrypted;
    enum paint p = ev->problem ? P_PROBLEM : right ? P_CLIENT : P_SERVER;
    int label_w = (int)type_cols + 2;
    int start = (LANE_W - label_w) / 2;

    fputs(c->g->bar, c->out);
    pen(c, p);
    for (int i = 0; i < LANE_W;) {
        if (i == 0 && !right) {
            fputs(c->g->left, c->out);
            i++;
        } else if (i == LANE_W - 1 && right) {
            fputs(c->g->right, c->out);
            i++;
        } else if (i == start) {
            fputc(' ', c->out);
            fwrite(type, 1, type_bytes, c->out);
            if (cut)
                fputs(c->g->ellipsis, c->out);
            fputc(' ', c->out);
            i += label_w;
        } else {
            fputs(shaft(c, dashed), c->out);
            i++;
        }
    }
    unpen(c, p);
    fputs(c->g->bar, c->out);
    free(type);
}

/* A library annotation: a dot next to the client's bar, the text in the summary column. */
static void put_note_lanes(const struct ctx *c, const struct hs_event *ev)
{
    bool debug = strcmp(ev->type, "debug") == 0;
    fputs(c->g->bar, c->out);
    pen(c, P_LIB);
    fprintf(c->out, " %s%s", c->g->dot, debug ? " debug" : "");
    unpen(c, P_LIB);
    fprintf(c->out, "%*s", LANE_W - 2 - (debug ? 6 : 0), "");
    fputs(c->g->bar, c->out);
}

static void explain_lead(const struct ctx *c)
{
    put_blank_lanes(c);
    fputs("    ", c->out);
}

static void summary_lead(const struct ctx *c)
{
    put_blank_lanes(c);
    fputs("  ", c->out);
}

/* rt: the round trip to label beside the row, or 0. */
static void put_event(const struct ctx *c, const struct hs_event *ev, int rt)
{
    bool library = ev->layer == HS_LAYER_LIBRARY;
    char *summary = hs_view_safe(ev->summary, c->o->ascii);
    char label[16];
    struct seg segs[4];
    size_t n = 0;

    put_time(c, ev->t_ms);
    if (library)
        put_note_lanes(c, ev);
    else
        put_arrow(c, ev);

    /* Markers, then the summary, separated by single spaces (no trailing blank); a summary
     * wider than the room goes on under its own column, word by word. */
    snprintf(label, sizeof label, "[RT %d]", rt);
    if (rt > 0)
        segs[n++] = (struct seg){label, P_BOLD};
    if (ev->problem)
        segs[n++] = (struct seg){"!!", P_PROBLEM};
    if (ev->inferred)
        segs[n++] = (struct seg){"(inferred)", P_DIM};
    if (ev->encrypted)
        segs[n++] = (struct seg){ev->decrypted ? "[decrypted]" : "[encrypted]", P_ENC};
    if (n > 0 || summary[0] != '\0')
        fputs("  ", c->out);
    int used = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(' ', c->out);
        put_painted(c, segs[i].paint, segs[i].text, strlen(segs[i].text));
        used += (i > 0) + (int)hs_view_cols(segs[i].text, strlen(segs[i].text));
    }
    if (summary[0] != '\0') {
        used += n > 0;
        put_wrapped(c, summary, ev->problem ? P_PROBLEM : library ? P_LIB : P_NONE,
                    room_from(c, LADDER_W), used, TIME_W + 1, summary_lead);
    } else {
        fputc('\n', c->out);
    }

    if (c->o->explain && ev->explain && ev->explain[0]) {
        char *explain = hs_view_prose(ev->explain, c->o->ascii);
        int room = room_from(c, LADDER_W + 2);
        fprintf(c->out, "%*s", TIME_W + 1, "");
        explain_lead(c);
        put_wrapped(c, explain, P_DIM, room, 0, TIME_W + 1, explain_lead);
        free(explain);
    }
    free(summary);
}

static bool shown(const struct ctx *c, const struct hs_event *ev)
{
    return hs_view_row_shown(ev, c->o->notes, c->o->debug);
}

static void put_lane_titles(const struct ctx *c)
{
    fprintf(c->out, "%*s ", TIME_W, "ms");
    put_painted(c, P_CLIENT, "Client", 6);
    fprintf(c->out, "%*s", SERVER_COL + 1 - 6 - (TIME_W + 1 + 6), "");
    put_painted(c, P_SERVER, "Server", 6);
    fputc('\n', c->out);
    fprintf(c->out, "%*s", TIME_W + 1, "");
    put_blank_lanes(c);
    fputc('\n', c->out);
}

/* ---- footer ---- */

static void put_certificate(const struct ctx *c, const struct hs_trace *t)
{
    size_t nchain = t->chain ? hs_f_count(t->chain) : 0;
    if (t->verified < 0 && nchain == 0)
        return;
    if (t->verified == 1) {
        struct seg s[] = {{"certificate: ", P_NONE}, {"verified", P_GOOD}};
        put_segs(c, s, 2, room_from(c, 0));
    } else if (t->verified == 0) {
        char *problems = hs_xstrdup("");
        for (const struct hs_field *p = t->problems ? t->problems->child : NULL; p; p = p->next) {
            if (p->kind != HS_F_STRING)
                continue;
            char *one = hs_view_safe(p->str, c->o->ascii);
            char *joined = hs_xasprintf("%s%s%s", problems, problems[0] ? ", " : ": ", one);
            free(one);
            free(problems);
            problems = joined;
        }
        struct seg s[] = {{"certificate: ", P_NONE}, {"NOT VERIFIED", P_PROBLEM},
                          {problems, P_PROBLEM}};
        put_segs(c, s, 3, room_from(c, 0));
        free(problems);
    } else {
        struct seg s[] = {{"certificate: not checked", P_NONE}};
        put_segs(c, s, 1, room_from(c, 0));
    }
    fputc('\n', c->out);

    size_t i = 0;
    for (const struct hs_field *cert = t->chain ? t->chain->child : NULL; cert;
         cert = cert->next, i++) {
        const char *subject = hs_f_get_str(cert, "subject");
        const char *issuer = hs_f_get_str(cert, "issuer");
        const char *error = hs_f_get_str(cert, "error");
        char *line;
        if (subject || issuer) {
            char *s = hs_view_safe(subject ? subject : "?", c->o->ascii);
            char *is = hs_view_safe(issuer ? issuer : "?", c->o->ascii);
            line = hs_xasprintf("%s %s %s", s, c->g->from, is);
            free(s);
            free(is);
        } else {
            char *e = hs_view_safe(error ? error : "no summary", c->o->ascii);
            line = hs_xasprintf("(unreadable certificate: %s)", e);
            free(e);
        }
        char *num = hs_xasprintf("  %zu  ", i);
        struct seg s[] = {{num, P_DIM}, {line, P_NONE}};
        put_segs(c, s, 2, room_from(c, 0));
        fputc('\n', c->out);
        free(num);
        free(line);
    }
}

static char *append_timing(char *line, const char *sep, const char *name, double ms)
{
    if (ms < 0)
        return line;
    char *more = hs_xasprintf("%s%s%s %.2f ms", line, line[0] ? sep : "", name, ms);
    free(line);
    return more;
}

static void put_timings(const struct ctx *c, const struct hs_trace *t)
{
    char *line = hs_xstrdup("");
    line = append_timing(line, c->g->sep, "DNS", t->dns_ms);
    line = append_timing(line, c->g->sep, "TCP", t->tcp_ms);
    line = append_timing(line, c->g->sep, "STARTTLS", t->starttls_ms);
    line = append_timing(line, c->g->sep, "TLS", t->tls_ms);
    line = append_timing(line, c->g->sep, "total", t->total_ms);
    if (t->round_trips >= 0) {
        char *more = hs_xasprintf("%s%s%d round trip%s", line, line[0] ? c->g->sep : "",
                                  t->round_trips, t->round_trips == 1 ? "" : "s");
        free(line);
        line = more;
    }
    if (line[0]) {
        struct seg s[] = {{line, P_NONE}};
        put_segs(c, s, 1, room_from(c, 0));
        fputc('\n', c->out);
    }
    free(line);
}

/* ", "-joined strings of an array field after `head` ("" when it is empty). */
static char *join_labels(const struct hs_field *arr, const char *head)
{
    char *out = hs_xstrdup("");
    for (const struct hs_field *f = arr ? arr->child : NULL; f; f = f->next) {
        if (f->kind != HS_F_STRING)
            continue;
        char *more = hs_xasprintf("%s%s%s", out, out[0] ? ", " : head, f->str);
        free(out);
        out = more;
    }
    return out;
}

/* Captures: "decryption: STATUS: found ...; missing ... (reason)". */
static void put_decryption(const struct ctx *c, const struct hs_trace *t)
{
    if (t->decryption == NULL)
        return;
    const char *status = hs_f_get_str(t->decryption, "status");
    const char *reason = hs_f_get_str(t->decryption, "reason");
    char *found = join_labels(hs_f_get(t->decryption, "found"), ": found ");
    char *missing = join_labels(hs_f_get(t->decryption, "missing"),
                                found[0] ? "; missing " : ": missing ");
    char *raw = hs_xasprintf("decryption: %s%s%s%s%s%s", status ? status : "?", found, missing,
                             reason ? " (" : "", reason ? reason : "", reason ? ")" : "");
    char *line = hs_view_safe(raw, c->o->ascii);
    bool bad = status && strcmp(status, "decrypted") != 0 && strcmp(status, "not encrypted") != 0;
    put_wrapped(c, line, bad ? P_PROBLEM : P_NONE, room_from(c, 0), 0, 2, NULL);
    free(line);
    free(raw);
    free(missing);
    free(found);
}

/* --http: "http: REQUEST -> STATUS LINE . first byte N ms . H headers, B bytes", the error
 * if any, then one indented line per header field. */
static void put_http(const struct ctx *c, const struct hs_trace *t)
{
    if (t->http == NULL)
        return;
    const char *req = hs_f_get_str(t->http, "request");
    const char *status = hs_f_get_str(t->http, "status_line");
    const char *error = hs_f_get_str(t->http, "error");
    const struct hs_field *headers = hs_f_get(t->http, "headers");
    long long bytes = 0;
    (void)hs_f_get_int(t->http, "bytes", &bytes);
    char ttfb[48] = "";
    if (t->http_ttfb_ms >= 0)
        snprintf(ttfb, sizeof ttfb, "%sfirst byte %.2f ms", c->g->sep, t->http_ttfb_ms);
    char *raw = hs_xasprintf("http: %s %s %s%s%s%zu header%s, %lld bytes%s%s", req ? req : "?",
                             c->g->to, status ? status : "no response", ttfb, c->g->sep,
                             hs_f_count(headers), hs_f_count(headers) == 1 ? "" : "s", bytes,
                             error ? c->g->sep : "", error ? error : "");
    char *line = hs_view_safe(raw, c->o->ascii);
    put_wrapped(c, line, error || status == NULL ? P_PROBLEM : P_NONE, room_from(c, 0), 0, 2,
                NULL);
    free(line);
    free(raw);
    for (const struct hs_field *h = headers ? headers->child : NULL; h; h = h->next) {
        const char *name = hs_f_get_str(h, "name"), *value = hs_f_get_str(h, "value");
        raw = hs_xasprintf("  %s: %s", name ? name : "", value ? value : "");
        line = hs_view_safe(raw, c->o->ascii);
        put_wrapped(c, line, P_NONE, room_from(c, 0), 0, 4, NULL);
        free(line);
        free(raw);
    }
}

/* "ECH: STATUS (reason), inner SNI X" when a ClientHello offered Encrypted Client Hello. */
static void put_ech(const struct ctx *c, const struct hs_trace *t)
{
    if (t->ech == NULL)
        return;
    const char *status = hs_f_get_str(t->ech, "status");
    const char *reason = hs_f_get_str(t->ech, "reason");
    const char *inner = hs_f_get_str(t->ech, "inner_sni");
    const char *why = hs_f_get_str(t->ech, "not_decrypted");
    char *raw = hs_xasprintf("ECH: %s (%s)%s%s%s%s", status ? status : "?", reason ? reason : "",
                             inner ? ", inner SNI " : "", inner ? inner : "",
                             why ? "; " : "", why ? why : "");
    char *line = hs_view_safe(raw, c->o->ascii);
    bool bad = status && strcmp(status, "rejected") == 0;
    put_wrapped(c, line, bad ? P_PROBLEM : P_NONE, room_from(c, 0), 0, 5, NULL);
    free(line);
    free(raw);
}

static void key_line(void *ctx, const char *line, bool problem)
{
    const struct ctx *c = ctx;
    put_painted(c, problem ? P_PROBLEM : P_NONE, line, strlen(line));
    fputc('\n', c->out);
}

/* --keys: the key schedule under the ladder, never cut (see view/keys.h). */
static void put_keys(const struct ctx *c, const struct hs_trace *t)
{
    if (t->key_schedule == NULL)
        return;
    fputc('\n', c->out);
    hs_view_keys(t->key_schedule, c->o->ascii, key_line, (void *)c);
}

void hs_view_text(FILE *out, const struct hs_trace *t, const struct hs_view_opts *o)
{
    static const struct hs_view_opts defaults = {0};
    if (o == NULL)
        o = &defaults;
    struct ctx c = {
        .out = out,
        .o = o,
        .g = hs_glyphs(o->ascii),
        .width = o->width == 0 ? DEFAULT_W : o->width < 0 ? -1 : o->width,
    };

    pen(&c, P_BOLD);
    fputs("hstrace " HS_VERSION, out);
    unpen(&c, P_BOLD);
    fputc('\n', out);
    put_target(&c, t);
    put_result(&c, t);
    put_quic(&c, t);
    put_fingerprints(&c, t);
    fputc('\n', out);

    /* No ladder at all when nothing happened on the wire (a DNS failure, say). */
    size_t rows = 0;
    for (const struct hs_event *ev = t->first; ev; ev = ev->next)
        rows += shown(&c, ev);
    if (rows > 0) {
        put_lane_titles(&c);
        for (const struct hs_event *ev = t->first; ev; ev = ev->next)
            if (shown(&c, ev))
                put_event(&c, ev, hs_view_round_trip_label(ev));
        fprintf(out, "%*s", TIME_W + 1, "");
        put_blank_lanes(&c);
        fputs("\n\n", out);
    }

    if (t->error_message || t->error_stage != HS_STAGE_NONE) {
        const char *stage = hs_stage_name(t->error_stage);
        char *msg = hs_view_safe(t->error_message ? t->error_message : "unknown error", o->ascii);
        char *line = stage ? hs_xasprintf("%s failed at %s: %s", c.g->fail, stage, msg)
                           : hs_xasprintf("%s %s", c.g->fail, msg);
        put_wrapped(&c, line, P_PROBLEM, room_from(&c, 0), 0, 2, NULL);
        free(line);
        free(msg);
    }
    char *probe = hs_view_probe_line(t); /* --probe: what the server answered */
    if (probe) {
        char *line = hs_view_safe(probe, o->ascii);
        put_wrapped(&c, line, P_NONE, room_from(&c, 0), 0, 2, NULL);
        free(line);
        free(probe);
    }
    put_certificate(&c, t);
    put_timings(&c, t);
    put_decryption(&c, t);
    put_http(&c, t);
    put_ech(&c, t);
    put_keys(&c, t);
    if (t->hint) {
        char *hint = hs_view_safe(t->hint, o->ascii);
        char *line = hs_xasprintf("hint: %s", hint);
        put_wrapped(&c, line, P_NONE, room_from(&c, 0), 0, 6, NULL);
        free(line);
        free(hint);
    }
    fflush(out);
}
