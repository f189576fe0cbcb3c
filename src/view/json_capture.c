/* The capture document, streamed: one connection object at a time, the source summary last. */
#include "json_capture.h"

#include "view.h"

#include <stdlib.h>
#include <string.h>

#ifndef HS_VERSION
#define HS_VERSION "0.0.0"
#endif

static json_t *u64(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

json_t *hs_capture_conn_json(const struct hs_trace *t, const struct hs_capture_conn *c)
{
    json_t *doc = hs_trace_to_json(t);
    json_object_del(doc, "hstrace");
    json_object_del(doc, "schema_version");
    json_object_set_new(doc, "connection", json_integer((json_int_t)c->number));
    json_t *tcp = json_object();
    json_object_set_new(tcp, "packets", u64(c->packets));
    json_object_set_new(tcp, "retransmissions", u64(c->retransmissions));
    json_object_set_new(tcp, "out_of_order", u64(c->out_of_order));
    json_object_set_new(tcp, "conflicting_overlaps", u64(c->conflicts));
    json_object_set_new(tcp, "gaps", u64(c->gaps));
    json_object_set_new(tcp, "gap_bytes", u64(c->gap_bytes));
    json_object_set_new(tcp, "time_anomalies", u64(c->time_anomalies));
    json_object_set_new(doc, "tcp", tcp);
    /* In a capture every event names its frames, if only as [] (notes, declared gaps). */
    json_t *events = json_object_get(doc, "events");
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
        if (json_object_get(ev, "frames") == NULL)
            json_object_set_new(ev, "frames", json_array());
    return doc;
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
    if (fprintf(out, "{\n  \"hstrace\": \"%s\",\n  \"schema_version\": \"%s\",\n  \"connections\": [",
                HS_VERSION, HS_JSON_SCHEMA_VERSION) < 0)
        s->err = true;
}

void hs_capture_json_conn(struct hs_json_stream *s, const struct hs_trace *t,
                          const struct hs_capture_conn *c)
{
    json_t *doc = hs_capture_conn_json(t, c);
    fprintf(s->out, "%s\n    ", s->n ? "," : "");
    put_indented(s, doc, 4);
    json_decref(doc);
    s->n++;
    if (fflush(s->out) != 0)
        s->err = true;
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
    fputs("\n  \"source\": ", s->out);
    put_indented(s, so, 2);
    json_decref(so);
    if (fputs("\n}\n", s->out) == EOF || fflush(s->out) != 0)
        s->err = true;
    return s->err ? -1 : 0;
}
