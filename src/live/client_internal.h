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

struct live {
    const struct hs_live_opts *o;
    struct hs_trace *trace;
    double start_wall;        /* wall-clock seconds at the start */
    int fd;
    double deadline;          /* wall-clock seconds: reads and writes give up after it */
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

    uint8_t rx[RX_BUF];       /* read from the socket, not yet given to mbedTLS */
    size_t rx_off, rx_len;

    char broken[160];         /* the handshake broke (EOF, reset, socket error): the reason
                                 unless a fatal alert is found once all was read */

    struct hs_verify verify;
    char last_note[160];      /* the last library note, not to repeat it */
};

/* ms since the trace started. */
double live_now_ms(const struct live *l);
/* Moves the capture thread's segments into the trace (this thread owns the trace). */
void live_drain_capture(struct live *l);
/* ms left before the deadline (0: passed). */
int live_remaining_ms(const struct live *l);
/* Waits for events on the socket until the deadline; false on timeout (flag set). */
bool live_wait_fd(struct live *l, short events);
/* Reads what the socket has into rx (stamped, handed to the decoder); < 0 at EOF or error. */
int live_fill_rx(struct live *l);

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
