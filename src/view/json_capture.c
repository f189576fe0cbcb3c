/* The capture document, streamed: one connection object at a time, the source summary last. */
#include "json_capture.h"

#include "view.h"

#include "jsonw.h"

#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HS_VERSION
#define HS_VERSION "0.0.0"
#endif

static json_t *u64(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Writes the dump of j with every line after the first indented by `indent` spaces (JSON
 * strings hold no raw newline, so this only moves the layout). */
static void put_indented(struct hs_json_stream *s, json_t *j, int indent)
{
    char *text = json_dumps(j, hs_json_flags(s->ascii));
    if (text == NULL) {
        s->err = true;
        return;
    }
    /* Line by line, each newline followed by the indent: whole runs, not characters. */
    static const char spaces[] = "                ";
    size_t pad = (size_t)indent < sizeof spaces - 1 ? (size_t)indent : sizeof spaces - 1;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (fwrite(p, 1, n, s->out) != n || (nl && fwrite(spaces, 1, pad, s->out) != pad))
            s->err = true;
        p += n;
    }
    free(text);
}

void hs_capture_json_begin(struct hs_json_stream *s, FILE *out, bool ascii)
{
    s->out = out;
    s->ascii = ascii;
    s->n = 0;
    s->err = false;
    s->extra = NULL;
    /* Each connection sits at depth 2: in "connections", in the document. */
    hs_jsonw_init(&s->w, out, ascii ? HS_JSONW_ASCII : 0, 2);
    if (fprintf(out, "{\n  \"hstrace\": \"%s\",\n  \"schema_version\": \"%s\",\n  \"connections\": [",
                HS_VERSION, HS_JSON_SCHEMA_VERSION) < 0)
        s->err = true;
}

void hs_capture_json_conn(struct hs_json_stream *s, const struct hs_trace *t,
                          const struct hs_capture_conn *c)
{
    if (s->n)
        hs_jsonw_raw(&s->w, ",", 1);
    hs_jsonw_raw(&s->w, "\n    ", 5);
    (void)hs_view_json_write(&s->w, t, c);
    s->n++;
    /* Each connection as soon as it is known: one write of its whole text. */
    if (hs_jsonw_flush(&s->w) != 0 || fflush(s->out) != 0)
        s->err = true;
}

struct hs_json_prepared {
    char *text;
    size_t len;
    size_t number_at; /* where the connection's number goes (a "0" holds its place) */
};

struct hs_json_prepared *hs_capture_json_prepare(const struct hs_trace *t,
                                                 const struct hs_capture_conn *c, bool ascii)
{
    struct hs_capture_conn unnumbered = *c;
    unnumbered.number = 0;
    struct hs_jsonw w;
    hs_jsonw_init(&w, NULL, ascii ? HS_JSONW_ASCII : 0, 2);
    size_t at = hs_view_json_write(&w, t, &unnumbered);
    struct hs_json_prepared *p = hs_xcalloc(1, sizeof *p);
    p->text = hs_jsonw_take(&w, &p->len);
    p->number_at = at;
    hs_jsonw_free(&w);
    return p;
}

void hs_capture_json_put(struct hs_json_stream *s, struct hs_json_prepared *p,
                         const struct hs_capture_conn *c)
{
    if (s->n)
        hs_jsonw_raw(&s->w, ",", 1);
    hs_jsonw_raw(&s->w, "\n    ", 5);
    s->n++;
    /* The object as it was written, its number in the place kept for it (a "0"). */
    size_t rest = p->len - p->number_at - 1;
    if (hs_jsonw_flush(&s->w) != 0 || fwrite(p->text, 1, p->number_at, s->out) != p->number_at ||
        fprintf(s->out, "%lu", c->number) < 0 ||
        fwrite(p->text + p->number_at + 1, 1, rest, s->out) != rest || fflush(s->out) != 0)
        s->err = true;
    hs_capture_json_discard(p);
}

void hs_capture_json_discard(struct hs_json_prepared *p)
{
    if (p) {
        free(p->text);
        free(p);
    }
}

int hs_capture_json_end(struct hs_json_stream *s, const struct hs_capture_source *src)
{
    json_t *so = json_object();
    json_object_set_new(so, "file", json_string(src->file ? src->file : ""));
    if (json_object_get(so, "file") == NULL) /* not UTF-8: say so rather than fail */
        json_object_set_new(so, "file", json_string("(file name not valid UTF-8)"));
    json_object_set_new(so, "packets", u64(src->packets));
    json_object_set_new(so, "connections", u64(src->connections));
    json_object_set_new(so, "tls_connections", u64(src->tls_connections));
    json_object_set_new(so, "shown", json_integer((json_int_t)s->n));
    if (src->quic_connections > 0) /* QUIC connections found (among tls_connections) */
        json_object_set_new(so, "quic_connections", u64(src->quic_connections));
    json_object_set_new(so, "udp_packets", u64(src->udp_packets));
    json_object_set_new(so, "dropped_packets", u64(src->dropped_packets));
    json_object_set_new(so, "error", src->error ? json_string(src->error) : json_null());
    if (src->error && json_object_get(so, "error") == NULL)
        json_object_set_new(so, "error", json_string("capture file error"));
    fprintf(s->out, "%s],", s->n ? "\n  " : "");
    const char *key;
    json_t *v;
    json_object_foreach(s->extra, key, v) {
        json_t *k = json_string(key);
        char *name = k ? json_dumps(k, JSON_ENCODE_ANY | hs_json_flags(s->ascii)) : NULL;
        fprintf(s->out, "\n  %s: ", name ? name : "\"?\"");
        free(name);
        json_decref(k);
        put_indented(s, v, 2);
        fputc(',', s->out);
    }
    json_decref(s->extra);
    s->extra = NULL;
    hs_jsonw_free(&s->w);
    fputs("\n  \"source\": ", s->out);
    put_indented(s, so, 2);
    json_decref(so);
    if (fputs("\n}\n", s->out) == EOF || fflush(s->out) != 0)
        s->err = true;
    return s->err ? -1 : 0;
}
