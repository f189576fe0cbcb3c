/*
 * The JSON document of a capture (`hstrace -r FILE --json`, schema $defs/capture), written as
 * a stream: each connection is dumped as it completes, the source summary last (its counts
 * are known only at the end of the file).  Key order does not matter in JSON.
 */
#ifndef HS_JSON_CAPTURE_H
#define HS_JSON_CAPTURE_H

#include "../core/conn.h"
#include "../core/trace.h"
#include "jsonw.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct hs_json_stream {
    FILE *out;
    size_t n;   /* connections written */
    bool err;   /* a write failed */
    bool ascii; /* pure ASCII: \uXXXX for every other character */
    json_t *extra; /* more top-level keys, written by hs_capture_json_end (which takes it) */
    struct hs_jsonw w; /* the connections' writer */
};

/* Writes the document's head; hs_capture_json_conn then writes each connection (the object
 * of hs_view_json_write with its hs_capture_conn) and flushes it. */
void hs_capture_json_begin(struct hs_json_stream *s, FILE *out, bool ascii);
void hs_capture_json_conn(struct hs_json_stream *s, const struct hs_trace *t,
                          const struct hs_capture_conn *c);
/* A connection's object written now, into memory, and put into the document later, once
 * its number is known (a capture reader numbers connections by when they began, after some
 * have ended): hs_capture_json_prepare ignores c->number; hs_capture_json_put writes the
 * object with its number (c->number) and frees it.  The bytes are those hs_capture_json_conn
 * writes. */
struct hs_json_prepared;
struct hs_json_prepared *hs_capture_json_prepare(const struct hs_trace *t,
                                                 const struct hs_capture_conn *c, bool ascii);
void hs_capture_json_put(struct hs_json_stream *s, struct hs_json_prepared *p,
                         const struct hs_capture_conn *c);
/* Frees a prepared object that will not be written. */
void hs_capture_json_discard(struct hs_json_prepared *p);
/* Closes the array, writes s->extra's keys and "source"; 0, or -1 if any write failed. */
int hs_capture_json_end(struct hs_json_stream *s, const struct hs_capture_source *src);

#endif
