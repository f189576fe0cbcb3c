/* Views render a finished trace; they never look at bytes other than through the model. */
#ifndef HS_VIEW_H
#define HS_VIEW_H

#include "../core/trace.h"

#include <stdbool.h>
#include <stdio.h>

/* --color: auto is on a terminal unless NO_COLOR is set (or TERM=dumb for the text view). */
enum hs_color { HS_COLOR_AUTO, HS_COLOR_ALWAYS, HS_COLOR_NEVER };

/* --notes: which library notes the ladders show (JSON and slides keep every row). */
enum hs_notes { HS_NOTES_ALL, HS_NOTES_SHORT, HS_NOTES_NONE };

struct hs_view_opts {
    bool color;    /* ANSI colours (never the only sign: words and markers stay) */
    bool ascii;    /* ASCII only: no Unicode line drawing, non-ASCII peer text escaped */
    bool json_ascii; /* JSON with \u escapes for every non-ASCII character (the locale's
                      * character set is not UTF-8) */
    bool explain;  /* a plain-words line under each row (ev->explain), wrapped */
    int debug;     /* > 0: show library "debug" rows too */
    int width;     /* columns: 0 = 100; < 0 = unlimited (for pipes: nothing is wrapped) */
    enum hs_notes notes;
};

/* "all", "short", "none"; and back (false for another word). */
const char *hs_notes_name(enum hs_notes n);
bool hs_notes_parse(const char *s, enum hs_notes *out);
/* Whether a ladder shows the row: library "debug" rows only with debug > 0; other library
 * notes as notes says (short: problems and the milestones - a key exchange, keys derived, the
 * certificate verified, the handshake done, a ticket stored). */
bool hs_view_row_shown(const struct hs_event *ev, enum hs_notes notes, int debug);
/* The round trip to label beside this row, or 0: the first row of each TLS round trip (the
 * client's flight), found by the rows before it in its trace. */
int hs_view_round_trip_label(const struct hs_event *ev);

/*
 * The annotated ladder: header (target, negotiated result), one row per event (time, arrow,
 * round-trip label, summary wrapped under its column at the width), footer (failure reason, certificate, timings, hint).  o may be
 * NULL (defaults).  Without colour, the output holds no control byte but '\n'.
 */
void hs_view_text(FILE *out, const struct hs_trace *t, const struct hs_view_opts *o);

/*
 * The header's words on the server's certificate: "certificate verified" (*tone 1),
 * "certificate NOT VERIFIED" (0), "certificate not checked" (-1, only when say_unchecked) or
 * NULL.  A resumed handshake carries no certificate: its verdict is the original session's,
 * and the words say so.
 */
const char *hs_view_cert_words(const struct hs_trace *t, bool say_unchecked, int *tone);

/*
 * The version of the JSON contract (man/hstrace-json.schema.json), "MAJOR.MINOR", written as
 * "schema_version" at the top of every document: MINOR grows when keys, event types or values
 * are added, MAJOR when anything is removed, renamed or changes type or meaning (the rules:
 * hstrace(1), JSON OUTPUT).  The schema's schema_version const must say the same.
 */
#define HS_JSON_SCHEMA_VERSION "1.0"

struct hs_jsonw;
struct hs_capture_conn;

/* The JSON document of the live contract (man/hstrace-json.schema.json) through w, always
 * complete and valid UTF-8, whatever the trace holds.  With c: the object of that connection
 * in the capture document (no "hstrace" and "schema_version"; "connection" and "tcp" at the
 * end; every event has "frames", [] when none), and the return value is where its
 * connection number starts in w's buffer (for a writer into memory); else 0. */
size_t hs_view_json_write(struct hs_jsonw *w, const struct hs_trace *t,
                          const struct hs_capture_conn *c);
/* Writes it (indented, UTF-8; pure ASCII with \uXXXX escapes when ascii) with a trailing
 * newline; 0 on success, -1 on a write error. */
int hs_view_json(FILE *out, const struct hs_trace *t, bool ascii);
/* The same on one line (JSON Lines: compact, no space), a newline after it. */
int hs_view_json_line(FILE *out, const struct hs_trace *t, bool ascii);
/* The jansson dump flags of hstrace's documents (the writer's bytes are jansson's with them). */
size_t hs_json_flags(bool ascii);

#endif
