/*
 * The live client's state, shared by its stages (client.c) and the socket tap and hooks that
 * mbedTLS calls (sockio.c).  Only the client's thread touches it.
 */
#ifndef HS_LIVE_CLIENT_INTERNAL_H
#define HS_LIVE_CLIENT_INTERNAL_H

#include "keyfile.h"
#include "live.h"
#include "privs.h"
#include "tap.h"
#include "verify.h"

#include "../net/tcprows.h"
#include "../tls/decoder.h"
#include "../tls/keylog.h"

#include <mbedtls/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hs_tls_setup;

#define RX_BUF 32768           /* one socket read; mbedTLS is served from it */
#define SEG_TIMES 512          /* captured data segments remembered per direction */
#define HELD_ROWS 4            /* FIN/RST rows held per direction */
#define SEG_WAIT_MS 100        /* how long a byte waits for the segment that carried it */

/* A captured data segment: where its payload sits in the stream, and when it passed. */
struct live_segtime {
    uint32_t off, len;
    double t_ms;
    uint64_t frame;
};

#define PENDING_MAX (1u << 20) /* socket bytes waiting for their segments, at most */

/* Bytes that passed the socket, waiting for the captured segments that carried them. */
struct live_chunk {
    struct live_chunk *next;
    enum hs_side side;
    double t_sock;            /* when the socket passed them */
    size_t len, off;          /* off: given to the decoder so far */
    uint8_t data[];
};

/* How far live_flush_feed goes. */
enum live_feed_how {
    FEED_READY,               /* the bytes whose segments are known */
    FEED_WAIT,                /* all, waiting a little for missing segments */
    FEED_ALL,                 /* all now, the socket's time where a segment is missing */
};

/* One direction of the connection as the decoder sees it. */
struct live_stream {
    uint64_t fed;             /* bytes given to the decoder so far */
    double last_t;            /* the time of the last of them (rows of a side never go back) */
    struct live_segtime seg[SEG_TIMES]; /* captured data segments, in arrival order */
    size_t nseg;
    struct hs_event *held[HELD_ROWS];   /* captured FIN/RST rows waiting for earlier bytes */
    uint32_t held_off[HELD_ROWS];       /* the stream offset each one waits for */
    size_t nheld;
};

struct live {
    const struct hs_live_opts *o;
    struct hs_trace *trace;
    double start_wall;        /* wall-clock seconds at the start */
    int fd;
    double connected_ms;      /* when connect() returned (ms since the start) */
    double stopped_ms;        /* when the handshake failed, if it did (else 0) */
    double deadline;          /* wall-clock seconds: reads and writes give up after it */
    double first_sent_ms, first_recv_ms; /* the first TLS bytes each way (0: none yet): the
                                            handshake's first round trip */
    bool timed_out, peer_eof;
    int sock_errno;

    struct hs_decoder *dec;
    struct hs_keylog *keys;
    struct hs_keyfile *keyfile; /* --keylog, SSLKEYLOGFILE */

    struct hs_tap *cap;
    struct hs_tcp_rows rows;
    bool write_refused;       /* -w without a capture: the request fails before connecting */
    struct hs_privs privs;    /* who to become once the capture is open */
    bool settled;             /* become_user ran */
    bool privs_failed;        /* could not become that user: nothing more runs */
    mbedtls_x509_crt *own_ca; /* where --cafile/--capath/the system bundle go (NULL: given) */
    bool ca_failed;           /* a CA file (or --cert, --key, --pass) cannot be read: usage
                                 error */
    struct hs_tls_setup *tls; /* where --cert and --key go */

    struct live_stream stream[2]; /* [HS_CLIENT], [HS_SERVER] */
    bool seg_late;            /* a segment did not come through the capture in time */
    struct live_chunk *pend_head, *pend_tail; /* in the order they passed the socket */
    size_t pend_bytes;

    uint8_t rx[RX_BUF];       /* read from the socket, not yet given to mbedTLS */
    size_t rx_off, rx_len;

    char broken[160];         /* the handshake broke (EOF, reset, socket error): the reason
                                 unless a fatal alert is found once all was read */

    struct hs_verify verify;
    char last_note[160];      /* the last library note, not to repeat it */
    double paused_ms;         /* step mode: time spent waiting in o->before_step */
    bool step_begun;          /* step mode: the first pause is behind */
};

/* ms since the trace started. */
double live_now_ms(const struct live *l);
/* Moves the capture thread's segments into the trace (this thread owns the trace). */
void live_drain_capture(struct live *l);
/* Takes n bytes side sent (t_sock: when the socket saw them) for the decoder; they reach it
 * with the time of their captured segment once it came (see sockio.c). */
void live_feed(struct live *l, enum hs_side side, double t_sock, const uint8_t *p, size_t n);
/* Gives the decoder the socket's bytes still waiting for their segments (see sockio.c). */
void live_flush_feed(struct live *l, enum live_feed_how how);
/* The capture time of the segment that carried side's stream byte `at` (bytes not given to
 * the decoder, e.g. --starttls's), waiting a little for it; t_sock when none came. */
double live_segment_time(struct live *l, enum hs_side side, uint64_t at, double t_sock);
/* Feeds what is pending, then adds the FIN/RST rows still held back (the trace is ending). */
void live_release_held(struct live *l);
/* Step mode (steppause.c): shows the rows so far, waits in o->before_step and moves the
 * deadline by the wait; a no-op without the hook. */
void live_step_pause(struct live *l);
/* Step mode: the note saying the trace was stepped (after the handshake). */
void live_step_note(struct live *l);
/* ms left before the deadline (0: passed). */
int live_remaining_ms(const struct live *l);
/* Waits for events on the socket until the deadline; false on timeout (flag set). */
bool live_wait_fd(struct live *l, short events);
/* Reads what the socket has into rx (stamped, handed to the decoder); < 0 at EOF or error. */
int live_fill_rx(struct live *l);

/* --http (http.c): after the handshake, GET o->http_path and read the response (bounded in
 * size and by --timeout) into trace->http; the NewSessionTickets that come meanwhile are
 * read too. */
void live_http_stage(struct live *l, mbedtls_ssl_context *ssl);
/* The handshake stopped with mbedTLS error ret (a socket read's or write's too): records the
 * one-line reason, or leaves it to settle_verdict once all was read (client.c). */
void live_handshake_failed(struct live *l, int ret);

/* The BIO callbacks given to mbedTLS (ctx is the struct live). */
int live_tap_send(void *ctx, const unsigned char *buf, size_t len);
int live_tap_recv(void *ctx, unsigned char *buf, size_t len);
/* mbedTLS's key export: the secrets go to the decoder, the key log and the key log file. */
void live_on_export_keys(void *ctx, mbedtls_ssl_key_export_type type,
                         const unsigned char *secret, size_t secret_len,
                         const unsigned char client_random[32],
                         const unsigned char server_random[32], mbedtls_tls_prf_types tls_prf_type);
/* mbedTLS's debug hook: library notes, and with --debug the raw lines. */
void live_on_debug(void *ctx, int level, const char *file, int line, const char *str);

#endif
