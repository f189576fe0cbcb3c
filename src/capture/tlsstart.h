/*
 * Where TLS starts in one direction of a TCP stream, by content, on any port: at the first
 * byte (a TLS record header, or an SSLv2-format ClientHello), or after a plaintext STARTTLS
 * preamble (SMTP, IMAP, POP3, FTP, XMPP): then at the start of a line, where a hello record
 * begins.  Streaming: the scanner keeps a few bytes of state, never the stream, and gives up
 * after HS_TLSSTART_MAX_PREAMBLE bytes.
 */
#ifndef HS_TLSSTART_H
#define HS_TLSSTART_H

#include "../core/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_TLSSTART_MAX_PREAMBLE (64u * 1024u)

enum hs_tlsstart_state {
    HS_TLSSTART_MORE,  /* undecided: feed more */
    HS_TLSSTART_FOUND, /* TLS starts at tls_offset */
    HS_TLSSTART_NONE,  /* not TLS (or not within the bound) */
};

/* Keywords seen in a preamble's lines. */
enum {
    HS_KW_STARTTLS = 1 << 0,  /* "STARTTLS" (SMTP, IMAP) */
    HS_KW_STLS = 1 << 1,      /* POP3 "STLS" */
    HS_KW_AUTH_TLS = 1 << 2,  /* FTP "AUTH TLS" / "AUTH SSL" */
    HS_KW_XMPP_START = 1 << 3, /* <starttls ...> */
    HS_KW_220 = 1 << 4,       /* SMTP / FTP ready */
    HS_KW_OK = 1 << 5,        /* IMAP "* OK" / "a1 OK" */
    HS_KW_PLUS_OK = 1 << 6,   /* POP3 "+OK" */
    HS_KW_234 = 1 << 7,       /* FTP AUTH accepted */
    HS_KW_PROCEED = 1 << 8,   /* XMPP <proceed ...> */
    HS_KW_EHLO = 1 << 9,      /* SMTP EHLO / HELO */
};

struct hs_tlsstart {
    enum hs_side side;
    bool midstream;           /* the stream may begin inside a record (no SYN was seen) */
    enum hs_tlsstart_state state;
    uint64_t seen;            /* stream bytes looked at */
    uint64_t tls_offset;      /* FOUND: stream offset of the first TLS byte */
    bool preamble;            /* the stream began with text */
    bool binary;              /* ... with bytes that are not TLS (mid-stream scanning) */
    bool sslv2;               /* FOUND an SSLv2-format ClientHello */
    uint8_t content_type;     /* FOUND: the first record's type (22 handshake, ...) */
    uint8_t hs_type;          /* FOUND with a handshake record: its first message type */
    unsigned keywords;        /* HS_KW_* */
    /* Scanning state. */
    uint8_t win[8];           /* a candidate start (or the first bytes), not yet decided */
    size_t nwin;
    bool line_start;
    char line[40];            /* the start of the current line, for keywords */
    size_t nline;
    /* FOUND: the TLS stream is hold[0..nhold) followed by the rest of the chunk. */
    uint8_t hold[8];
    size_t nhold;
};

void hs_tlsstart_init(struct hs_tlsstart *s, enum hs_side side, bool midstream);

/*
 * Scans the next n bytes.  Once FOUND (returned by the call that finds it), the TLS stream is
 * s->hold[0..s->nhold) followed by p[*used..n); later calls return FOUND and consume nothing.
 */
enum hs_tlsstart_state hs_tlsstart_feed(struct hs_tlsstart *s, const uint8_t *p, size_t n,
                                        size_t *used);

/* The stream ended (or lost bytes): undecided becomes NONE. */
void hs_tlsstart_end(struct hs_tlsstart *s);

/* The application protocol of a STARTTLS preamble, from both directions' keywords:
 * "SMTP", "IMAP", "POP3", "FTP", "XMPP", or NULL when unknown. */
const char *hs_starttls_protocol(unsigned client_keywords, unsigned server_keywords);

#endif
