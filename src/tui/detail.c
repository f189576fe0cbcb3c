/*
 * The detail pane: the selected message's decoded fields as a tree that folds, and (x) its
 * bytes as a hex dump with the selected field's bytes highlighted.  Encrypted records show
 * the ciphertext as on the wire and the decrypted plaintext; field spans point into the
 * plaintext.
 *
 *   ServerHello · server → client · 122 bytes
 *   The server picks the protocol version ...
 *     version: TLS 1.2
 *     random: 2a9abb51...
 *   ▸ extensions [2]
 *   ── bytes 6..37 of 122 (random) ──────────────
 *   plaintext, 122 bytes
 *   0000  02 00 00 76 03 03 2a 9a  bb 51 ...   ...v..*..Q
 */
#include "internal.h"

#include "../core/mem.h"
#include "../tls/explain.h"
#include "../view/safe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 32, HEX_WIDE = 72 };

/* ---- fold state and the flattened tree ---- */

static bool is_open(const struct tui_detail *d, const struct hs_field *f)
{
    for (size_t i = 0; i < d->nopen; i++)
        if (d->open[i] == f)
            return true;
    return false;
}

static void set_open(struct tui_detail *d, const struct hs_field *f, bool open)
{
    for (size_t i = 0; i < d->nopen; i++) {
        if (d->open[i] == f) {
            if (!open)
                d->open[i] = d->open[--d->nopen];
            return;
        }
    }
    if (!open)
        return;
    if (d->nopen == d->capopen) {
        d->capopen = d->capopen ? 2 * d->capopen : 16;
        d->open = hs_xrealloc(d->open, d->capopen * sizeof *d->open);
    }
    d->open[d->nopen++] = f;
}

static bool is_container(const struct hs_field *f)
{
    return f->kind == HS_F_OBJECT || f->kind == HS_F_ARRAY;
}

static void push_row(struct tui_detail *d, const struct hs_field *f, int depth, long index)
{
    if (d->nrows == d->caprows) {
        d->caprows = d->caprows ? 2 * d->caprows : 64;
        d->rows = hs_xrealloc(d->rows, d->caprows * sizeof *d->rows);
    }
    d->rows[d->nrows++] = (struct tui_tree_row){f, depth, index};
}

static void flatten_children(struct tui_detail *d, const struct hs_field *parent, int depth)
{
    long i = 0;
    for (const struct hs_field *c = parent->child; c; c = c->next, i++) {
        push_row(d, c, depth, parent->kind == HS_F_ARRAY ? i : -1);
        if (is_container(c) && depth < MAX_DEPTH && is_open(d, c))
            flatten_children(d, c, depth + 1);
    }
}

static void flatten(struct tui_detail *d)
{
    const struct hs_field *keep = d->sel < d->nrows ? d->rows[d->sel].f : NULL;
    d->nrows = 0;
    if (d->ev && d->ev->fields)
        flatten_children(d, d->ev->fields, 0);
    d->sel = 0;
    for (size_t i = 0; keep && i < d->nrows; i++)
        if (d->rows[i].f == keep)
            d->sel = i;
}

void tui_detail_reset(struct tui_detail *d)
{
    d->ev = NULL;
    d->nopen = d->nrows = 0;
    d->sel = d->top = 0;
    d->hex_top = 0;
}

void tui_detail_set(struct tui_detail *d, const struct hs_event *ev)
{
    if (d->ev == ev)
        return;
    tui_detail_reset(d);
    d->ev = ev;
    d->hex_follow = true;
    flatten(d);
}

void tui_detail_free(struct tui_detail *d)
{
    free(d->open);
    free(d->rows);
    memset(d, 0, sizeof *d);
}

/* The parent of f inside the event's tree (NULL for top-level fields). */
static const struct hs_field *parent_of(const struct hs_field *root, const struct hs_field *f,
                                        int depth)
{
    for (const struct hs_field *c = root->child; c; c = c->next) {
        if (c == f)
            return root;
        if (is_container(c) && depth < MAX_DEPTH) {
            const struct hs_field *p = parent_of(c, f, depth + 1);
            if (p)
                return p;
        }
    }
    return NULL;
}

void tui_detail_reveal(struct tui_detail *d, const struct hs_field *f)
{
    if (d->ev == NULL || f == NULL)
        return;
    const struct hs_field *root = d->ev->fields;
    for (const struct hs_field *p = parent_of(root, f, 0); p && p != root;
         p = parent_of(root, p, 0))
        set_open(d, p, true);
    flatten(d);
    for (size_t i = 0; i < d->nrows; i++)
        if (d->rows[i].f == f)
            d->sel = i;
    d->hex_follow = true;
}

/* The field at the same place in another copy of the tree: the path of child positions from
 * old_root to f, walked again from new_root.  NULL when the copies differ there. */
static const struct hs_field *same_place(const struct hs_field *old_root,
                                         const struct hs_field *new_root,
                                         const struct hs_field *f)
{
    size_t path[MAX_DEPTH + 1];
    int n = 0;
    for (const struct hs_field *c = f; c && c != old_root; n++) {
        const struct hs_field *p = parent_of(old_root, c, 0);
        if (p == NULL || n > MAX_DEPTH)
            return NULL;
        size_t i = 0;
        for (const struct hs_field *s = p->child; s != c; s = s->next)
            i++;
        path[n] = i;
        c = p;
    }
    const struct hs_field *at = new_root;
    while (n-- > 0) {
        const struct hs_field *c = at->child;
        for (size_t i = 0; c && i < path[n]; i++)
            c = c->next;
        if (c == NULL)
            return NULL;
        at = c;
    }
    return at;
}

void tui_detail_move(struct tui_detail *d, const struct hs_event *ev)
{
    const struct hs_event *old = d->ev;
    if (old == ev)
        return;
    if (old == NULL || ev == NULL || strcmp(old->type, ev->type) != 0 || !old->fields || !ev->fields) {
        tui_detail_reset(d);
        tui_detail_set(d, ev);
        return;
    }
    const struct hs_field *keep = d->sel < d->nrows ? d->rows[d->sel].f : NULL;
    keep = keep ? same_place(old->fields, ev->fields, keep) : NULL;
    size_t kept = 0;
    for (size_t i = 0; i < d->nopen; i++) {
        const struct hs_field *f = same_place(old->fields, ev->fields, d->open[i]);
        if (f && is_container(f))
            d->open[kept++] = f;
    }
    d->nopen = kept;
    d->ev = ev;
    d->nrows = 0; /* the old rows point into the old tree */
    flatten(d);
    for (size_t i = 0; keep && i < d->nrows; i++)
        if (d->rows[i].f == keep)
            d->sel = i;
}

/* ---- keys ---- */

bool tui_detail_tree_key(struct tui_detail *d, int key, bool *leave)
{
    *leave = false;
    if (d->nrows == 0) {
        if (key == KEY_LEFT || key == 'h')
            *leave = true;
        return key == KEY_LEFT || key == 'h';
    }
    size_t last = d->nrows - 1;
    size_t page = d->tree_h > 2 ? (size_t)d->tree_h - 1 : 1;
    const struct tui_tree_row *r = &d->rows[d->sel];
    switch (key) {
    case KEY_UP: case 'k':
        if (d->sel > 0)
            d->sel--;
        break;
    case KEY_DOWN: case 'j':
        if (d->sel < last)
            d->sel++;
        break;
    case KEY_PPAGE:
        d->sel = d->sel > page ? d->sel - page : 0;
        break;
    case KEY_NPAGE: case ' ':
        d->sel = d->sel + page < last ? d->sel + page : last;
        break;
    case KEY_HOME: case 'g':
        d->sel = 0;
        break;
    case KEY_END: case 'G':
        d->sel = last;
        break;
    case KEY_RIGHT: case '\n': case '\r': case KEY_ENTER: case 'l':
        if (is_container(r->f) && r->f->child) {
            bool open = is_open(d, r->f);
            /* Enter toggles; → only opens (and then steps into the first child). */
            if (open && key != KEY_RIGHT && key != 'l')
                set_open(d, r->f, false);
            else if (!open)
                set_open(d, r->f, true);
            else if (d->sel < last)
                d->sel++;
            flatten(d);
        }
        break;
    case KEY_LEFT: case 'h':
        if (is_container(r->f) && is_open(d, r->f)) {
            set_open(d, r->f, false);
            flatten(d);
        } else if (r->depth > 0) {
            const struct hs_field *p = parent_of(d->ev->fields, r->f, 0);
            for (size_t i = 0; p && i < d->nrows; i++)
                if (d->rows[i].f == p)
                    d->sel = i;
        } else {
            *leave = true;
        }
        break;
    default:
        return false;
    }
    d->hex_follow = true;
    return true;
}

bool tui_detail_hex_key(struct tui_detail *d, int key)
{
    long page = d->hex_h > 2 ? d->hex_h - 1 : 1;
    switch (key) {
    case KEY_UP: case 'k': d->hex_top--; break;
    case KEY_DOWN: case 'j': d->hex_top++; break;
    case KEY_PPAGE: d->hex_top -= page; break;
    case KEY_NPAGE: case ' ': d->hex_top += page; break;
    case KEY_HOME: case 'g': d->hex_top = 0; break;
    case KEY_END: case 'G': d->hex_top = 1L << 30; break;
    default: return false;
    }
    d->hex_follow = false;
    return true; /* clamped at the next draw */
}

bool tui_detail_hit(struct tui_detail *d, int y)
{
    int y0 = d->tree_y0;
    if (y < y0 || y >= y0 + d->tree_h)
        return false;
    size_t i = d->top + (size_t)(y - y0);
    if (i >= d->nrows)
        return false;
    d->sel = i;
    d->hex_follow = true;
    return true;
}

/* ---- drawing: the tree ---- */

/* A name for an array element: its position and a telling string child, if any. */
static char *element_label(const struct tui_tree_row *r)
{
    static const char *const hints[] = {"type", "subject", "name", "group", "value"};
    const char *hint = NULL;
    if (r->f->kind == HS_F_OBJECT)
        for (size_t i = 0; i < sizeof hints / sizeof hints[0] && !hint; i++)
            hint = hs_f_get_str(r->f, hints[i]);
    return hint ? hs_xasprintf("[%ld] %s", r->index, hint) : hs_xasprintf("[%ld]", r->index);
}

static char *value_text(const struct hs_field *f, bool open)
{
    switch (f->kind) {
    case HS_F_STRING: return hs_xstrdup(f->str ? f->str : "");
    case HS_F_INT: return hs_xasprintf("%lld", f->num);
    case HS_F_BOOL: return hs_xstrdup(f->num ? "true" : "false");
    case HS_F_NULL: return hs_xstrdup("null");
    case HS_F_ARRAY:
        return open ? hs_xstrdup("") : hs_xasprintf("[%zu]", hs_f_count(f));
    case HS_F_OBJECT:
        return open ? hs_xstrdup("") : hs_xasprintf("{%zu}", hs_f_count(f));
    }
    return hs_xstrdup("");
}

static void draw_tree_row(WINDOW *w, const struct tui_ui *ui, int y, const struct tui_detail *d,
                          size_t i, bool focused)
{
    const struct tui_tree_row *r = &d->rows[i];
    int width = getmaxx(w);
    bool sel = i == d->sel;
    attr_t extra = sel ? (focused ? A_REVERSE : A_UNDERLINE) : A_NORMAL;
    int x = 1 + 2 * (r->depth < 12 ? r->depth : 12);
    tui_clear_to(w, ui, y, 0, TP_NORMAL, extra);
    bool container = is_container(r->f);
    bool open = container && is_open(d, r->f);
    if (container && r->f->child)
        tui_glyph(w, ui, y, x, open ? ui->g->opened : ui->g->closed, 1, TP_DIM, extra | A_BOLD);
    x += 2;
    char *label = r->f->name ? hs_xstrdup(r->f->name) : element_label(r);
    x += tui_text(w, ui, y, x, label, width - x, container ? TP_BOLD : TP_NORMAL, extra);
    free(label);
    char *value = value_text(r->f, open);
    if (value[0] && x < width - 2) {
        if (!container) {
            tui_text(w, ui, y, x, ":", 1, TP_NORMAL, extra);
            x += 2;
        } else {
            x += 1;
        }
        tui_text(w, ui, y, x, value, width - x, container ? TP_DIM : TP_NORMAL, extra);
    }
    free(value);
}

/* ---- drawing: the hex dump ---- */

int tui_hex_per_line(int width)
{
    return width >= HEX_WIDE ? 16 : 8;
}

struct section {
    char title[96];
    const uint8_t *p;
    size_t n;
    bool spans;           /* field spans point into these bytes */
};

static size_t sections_of(const struct hs_event *ev, struct section s[2])
{
    size_t k = 0;
    if (ev == NULL)
        return 0;
    if (ev->wire && ev->nwire) {
        s[k] = (struct section){.p = ev->wire, .n = ev->nwire};
        snprintf(s[k].title, sizeof s[k].title, "ciphertext: the record on the wire, %zu bytes",
                 ev->nwire);
        k++;
    }
    if (ev->bytes && ev->nbytes) {
        s[k] = (struct section){.p = ev->bytes, .n = ev->nbytes, .spans = true};
        snprintf(s[k].title, sizeof s[k].title, "%s, %zu bytes",
                 ev->encrypted ? "plaintext (decrypted)" : "the message", ev->nbytes);
        k++;
    }
    return k;
}

static long section_lines(const struct section *s, int per)
{
    return 1 + (long)((s->n + (size_t)per - 1) / (size_t)per);
}

static void draw_hex_line(WINDOW *w, const struct tui_ui *ui, int y, const struct section *s,
                          size_t start, int per, size_t hoff, size_t hlen)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%04zx", start);
    tui_text(w, ui, y, 1, buf, 8, TP_DIM, 0);
    int hex_x = 7, asc_x = 7 + per * 3 + (per > 8 ? 1 : 0) + 1;
    for (int i = 0; i < per; i++) {
        size_t at = start + (size_t)i;
        if (at >= s->n)
            break;
        bool lit = hlen > 0 && at >= hoff && at - hoff < hlen;
        enum tui_paint p = lit ? TP_HILITE : TP_NORMAL;
        int x = hex_x + i * 3 + (i >= 8 ? 1 : 0);
        snprintf(buf, sizeof buf, "%02x", s->p[at]);
        tui_text(w, ui, y, x, buf, 2, p, 0);
        /* Bridge the gap inside a highlighted run so it reads as one block. */
        if (lit && i + 1 < per && at + 1 < s->n && at + 1 - hoff < hlen)
            tui_text(w, ui, y, x + 2, i == 7 ? "  " : " ", i == 7 ? 2 : 1, p, 0);
        char ch[2] = {(s->p[at] >= 0x20 && s->p[at] < 0x7f) ? (char)s->p[at] : '.', 0};
        tui_text(w, ui, y, asc_x + i, ch, 1, p, 0);
    }
}

static void draw_hex(WINDOW *w, const struct tui_ui *ui, struct tui_detail *d, int y0, int h,
                     const struct hs_field *f)
{
    int width = getmaxx(w);
    int per = tui_hex_per_line(width);
    struct section s[2];
    size_t ns = sections_of(d->ev, s);

    /* The separator names the highlighted span. */
    tui_glyph(w, ui, y0, 0, ui->g->hline, width, TP_DIM, 0);
    char head[160];
    size_t plain_n = ns ? s[ns - 1].n : 0;
    bool span = f && f->len > 0 && ns > 0 && s[ns - 1].spans && f->off < plain_n &&
                f->len <= plain_n - f->off;
    if (ns == 0)
        snprintf(head, sizeof head, " bytes: none recorded for this row ");
    else if (span)
        snprintf(head, sizeof head, " bytes %zu..%zu (%zu) of %zu: %s ", (size_t)f->off,
                 (size_t)f->off + f->len - 1, (size_t)f->len, plain_n,
                 f->name ? f->name : "element");
    else
        snprintf(head, sizeof head, " bytes (the selected field has no span) ");
    tui_text(w, ui, y0, 2, head, width - 4, TP_DIM, A_BOLD);
    y0++;
    h--;
    d->hex_h = h;
    if (h <= 0 || ns == 0)
        return;

    long total = 0, target = -1;
    for (size_t k = 0; k < ns; k++) {
        if (s[k].spans && span)
            target = total + 1 + (long)(f->off / (size_t)per);
        total += section_lines(&s[k], per) + (k + 1 < ns ? 1 : 0);
    }
    if (d->hex_follow && target >= 0 && (target < d->hex_top || target >= d->hex_top + h))
        d->hex_top = target - 1;
    d->hex_follow = false;
    if (d->hex_top > total - h)
        d->hex_top = total - h;
    if (d->hex_top < 0)
        d->hex_top = 0;

    long line = 0;
    for (size_t k = 0; k < ns; k++) {
        long n = section_lines(&s[k], per);
        for (long i = 0; i < n; i++, line++) {
            long y = y0 + line - d->hex_top;
            if (y < y0 || y >= y0 + h)
                continue;
            if (i == 0)
                tui_text(w, ui, (int)y, 1, s[k].title, width - 2, TP_ENC, A_BOLD);
            else
                draw_hex_line(w, ui, (int)y, &s[k], (size_t)(i - 1) * (size_t)per, per,
                              span && s[k].spans ? f->off : 0, span && s[k].spans ? f->len : 0);
        }
        line++; /* the blank line between sections */
    }
}

/* ---- drawing: the explanations ---- */

/* Draws s (hstrace's own prose) word-wrapped over at most maxl lines from line y; returns the
 * lines used. */
static int draw_wrapped(WINDOW *w, const struct tui_ui *ui, int y, const char *s, int maxl,
                        enum tui_paint p)
{
    int width = getmaxx(w) - 2;
    if (width < 8 || maxl <= 0)
        return 0;
    char *t = hs_view_prose(s, ui->ascii);
    char *line = hs_xmalloc(strlen(t) + 1);
    const char *at = t;
    int used = 0;
    while (*at && used < maxl) {
        size_t n = strlen(at), cut = n;
        if (used + 1 < maxl && hs_view_cols(at, n) > (size_t)width) {
            cut = 0;
            for (size_t j = 1; j < n; j++) {
                if (at[j] != ' ')
                    continue;
                if (hs_view_cols(at, j) > (size_t)width)
                    break;
                cut = j;
            }
            if (cut == 0) /* one word wider than the pane: cut by the drawing */
                cut = strcspn(at, " ");
        }
        memcpy(line, at, cut);
        line[cut] = '\0';
        tui_text(w, ui, y + used, 1, line, width, p, 0);
        used++;
        at += cut;
        while (*at == ' ')
            at++;
    }
    free(line);
    free(t);
    return used;
}

/* The name the field table knows row f by: its key, an extension's type, or (for an array
 * element) its array's name. */
static const char *field_key(const struct tui_detail *d, const struct hs_field *f)
{
    if (f->name)
        return f->name;
    const char *type = f->kind == HS_F_OBJECT ? hs_f_get_str(f, "type") : NULL;
    if (type)
        return type;
    const struct hs_field *parent = parent_of(d->ev->fields, f, 0);
    return parent ? parent->name : NULL;
}

const char *tui_detail_field_explain(const struct tui_detail *d, const char **key)
{
    const struct hs_field *f = d->ev && d->sel < d->nrows ? d->rows[d->sel].f : NULL;
    const char *k = f ? field_key(d, f) : NULL;
    if (key)
        *key = k;
    return k ? hs_explain_field(d->ev->type, k) : NULL;
}

/* The message's explanation, then the selected field's; returns the lines used. */
static int draw_explain(WINDOW *w, const struct tui_ui *ui, struct tui_detail *d, int y, int room)
{
    if (d->explain_off || room < 6)
        return 0;
    int used = 0;
    if (d->ev->explain && d->ev->explain[0])
        used += draw_wrapped(w, ui, y, d->ev->explain, room >= 14 ? 3 : 1, TP_DIM);
    const char *key;
    const char *fx = tui_detail_field_explain(d, &key);
    if (fx && room >= 10) {
        char *text = hs_xasprintf("%s: %s", key, fx);
        used += draw_wrapped(w, ui, y + used, text, room >= 14 ? 2 : 1, TP_LIB);
        free(text);
    }
    return used;
}

/* ---- drawing: the pane ---- */

static void draw_heading(WINDOW *w, const struct tui_ui *ui, const struct hs_event *ev)
{
    int width = getmaxx(w);
    tui_clear_to(w, ui, 0, 0, TP_BAR, 0);
    if (ev == NULL) {
        tui_text(w, ui, 0, 1, "no message selected", width - 2, TP_BAR, 0);
        return;
    }
    const char *state = ev->encrypted ? (ev->decrypted ? " \xc2\xb7 decrypted" : " \xc2\xb7 encrypted, no key")
                                      : "";
    char *line;
    if (ev->layer == HS_LAYER_LIBRARY)
        line = hs_xasprintf("%s \xc2\xb7 a step inside the TLS library (mbedTLS), not on the wire",
                            ev->type);
    else
        line = hs_xasprintf("%s \xc2\xb7 %s \xe2\x86\x92 %s \xc2\xb7 %zu bytes%s%s", ev->type,
                            hs_side_name(ev->from), hs_side_name(ev->from == HS_CLIENT ? HS_SERVER : HS_CLIENT),
                            ev->length, state, ev->problem ? " \xc2\xb7 PROBLEM" : "");
    tui_text(w, ui, 0, 1, line, width - 2, TP_BAR, A_BOLD);
    free(line);
}

void tui_detail_draw(WINDOW *w, const struct tui_ui *ui, struct tui_detail *d, int focus)
{
    int h = getmaxy(w);
    werase(w);
    draw_heading(w, ui, d->ev);
    if (d->ev == NULL || h < 3)
        return;

    int y = 1 + draw_explain(w, ui, d, 1, h - 1);
    int avail = h - y;
    /* With the hex dump on: half each, or the dump alone when the pane is short. */
    d->tree_h = avail;
    d->hex_h = 0;
    if (d->hex)
        d->tree_h = avail >= 10 ? (avail - 1) / 2 : 0;
    d->tree_y0 = y;
    if (d->tree_h > 0) {
        if (d->nrows == 0) {
            tui_text(w, ui, y, 1, d->ev->summary ? d->ev->summary : "(no decoded fields)",
                     getmaxx(w) - 2, d->ev->summary ? TP_LIB : TP_DIM, 0);
        } else {
            if (d->sel < d->top)
                d->top = d->sel;
            if (d->sel >= d->top + (size_t)d->tree_h)
                d->top = d->sel - (size_t)d->tree_h + 1;
            for (int i = 0; i < d->tree_h && d->top + (size_t)i < d->nrows; i++)
                draw_tree_row(w, ui, y + i, d, d->top + (size_t)i, focus == 1);
        }
    }
    if (d->hex) {
        const struct hs_field *f = d->sel < d->nrows ? d->rows[d->sel].f : NULL;
        int hy = y + d->tree_h;
        draw_hex(w, ui, d, hy, h - hy, f);
        if (focus == 2)
            tui_text(w, ui, hy, getmaxx(w) - 10, " [focus] ", 9, TP_DIM, A_REVERSE);
    }
}
