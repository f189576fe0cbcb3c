/* --starttls, shared by starttls.c (the socket, XMPP, LDAP, PostgreSQL, the table) and
 * starttls_lines.c (the line-based protocols: SMTP, IMAP, POP3, FTP). */
#ifndef HS_STARTTLS_INTERNAL_H
#define HS_STARTTLS_INTERNAL_H

#include "client_internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_BUF 8192     /* received, not yet taken */
#define ST_LINE 4096    /* one reply line */
#define ST_LINES 100    /* lines of one reply */
#define ST_TOTAL 65536  /* bytes the server may send during the exchange */
#define ST_SHOW 160     /* characters of a line in a summary */

struct st {
    struct live *l;
    const char *proto;        /* "SMTP", ... (in reasons) */
    uint8_t in[ST_BUF];
    size_t len;
    double t_in;              /* when the first byte still in `in` arrived */
    uint64_t off_in;          /* its offset in the server's stream */
    size_t total;             /* bytes received so far */
    const char *waiting;      /* what the client waits for (in reasons) */
    char wait_text[64];       /* ... when it is made up */
    char line[ST_LINE + 1];   /* the last line read */
};

/* Fails the trace: stage starttls, the reason formatted (peer text escaped by the caller);
 * returns false. */
bool st_fail(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets the row's summary to text (malloc'd, taken), whose peer parts were escaped already
 * (hs_escape): a last pass only, so a peer's backslash escapes are not doubled. */
void st_summary(struct hs_event *ev, char *text);
/* Sends p[0..n) as the client's row `type` (summary: show); false when the trace failed. */
bool st_send(struct st *s, const char *type, const uint8_t *p, size_t n, const char *show);
/* The same for one text line; CRLF is added. */
bool st_send_text(struct st *s, const char *type, const char *line);
/* Reads more into `in`; false (the trace failed) on EOF, error, timeout or too much. */
bool st_fill(struct st *s);
/* Drops the first n bytes of `in`. */
void st_take(struct st *s, size_t n);
/* A server row's time: the capture's for the first byte in `in`, else the socket's. */
double st_row_time(struct st *s);

/* The line-based protocols (starttls_lines.c): true once the server accepted STARTTLS. */
bool st_smtp(struct st *s);
bool st_imap(struct st *s);
bool st_pop3(struct st *s);
bool st_ftp(struct st *s);

#endif
