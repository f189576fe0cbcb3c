/*
 * The built-in demo: an mbedTLS server in a thread on 127.0.0.1 (an ephemeral port), with a
 * CA and a "localhost" certificate generated at start, in memory.  The live client traces one
 * handshake against it, trusting that CA only.
 */
#include "live.h"
#include "live_internal.h"
#include "privs.h"

#include "../core/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <psa/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DER_MAX 2048
#define SERVER_IO_TIMEOUT_MS 5000 /* the server gives up on a silent client after this */

struct demo {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context ca_key, srv_key;
    mbedtls_x509_crt ca;         /* trusted by the client */
    mbedtls_x509_crt chain;      /* served: the leaf, then the CA */
    mbedtls_ssl_config conf;
    mbedtls_ssl_ticket_context tickets;
    const char *alpn[3];

    int listen_fd;
    unsigned port;
    pthread_t thread;
    bool thread_started;
    atomic_bool stop;
};

static int gen_key(struct demo *d, mbedtls_pk_context *key)
{
    int r = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (r == 0)
        r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key),
                                mbedtls_ctr_drbg_random, &d->drbg);
    return r;
}

/* "YYYYMMDDhhmmss" for now + delta seconds, as x509write wants it. */
static void x509_time(time_t delta, char out[16])
{
    time_t t = time(NULL) + delta;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

/* Writes one certificate (subject_key signed by issuer_key) and appends it to crt. */
static int make_cert(struct demo *d, mbedtls_x509_crt *crt, mbedtls_pk_context *subject_key,
                     mbedtls_pk_context *issuer_key, const char *subject, const char *issuer,
                     bool is_ca, unsigned char serial)
{
    mbedtls_x509write_cert w;
    mbedtls_x509write_crt_init(&w);
    unsigned char *der = hs_xmalloc(DER_MAX);
    char nb[16], na[16];
    x509_time(-3600, nb);
    x509_time(30 * 86400, na);
    unsigned char serial_raw[2] = {0x4d, serial};

    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, subject_key);
    mbedtls_x509write_crt_set_issuer_key(&w, issuer_key);
    int r = mbedtls_x509write_crt_set_subject_name(&w, subject);
    if (r == 0)
        r = mbedtls_x509write_crt_set_issuer_name(&w, issuer);
    if (r == 0)
        r = mbedtls_x509write_crt_set_serial_raw(&w, serial_raw, sizeof serial_raw);
    if (r == 0)
        r = mbedtls_x509write_crt_set_validity(&w, nb, na);
    if (r == 0)
        r = mbedtls_x509write_crt_set_basic_constraints(&w, is_ca, is_ca ? 0 : -1);
    if (r == 0)
        r = mbedtls_x509write_crt_set_subject_key_identifier(&w);
    if (r == 0)
        r = mbedtls_x509write_crt_set_authority_key_identifier(&w);
    if (r == 0)
        r = mbedtls_x509write_crt_set_key_usage(
            &w, is_ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN
                      : MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    if (r == 0 && !is_ca) {
        static const unsigned char loopback[4] = {127, 0, 0, 1};
        mbedtls_x509_san_list ip = {0}, dns = {0};
        dns.node.type = MBEDTLS_X509_SAN_DNS_NAME;
        dns.node.san.unstructured_name.p = (unsigned char *)"localhost";
        dns.node.san.unstructured_name.len = 9;
        dns.next = &ip;
        ip.node.type = MBEDTLS_X509_SAN_IP_ADDRESS;
        ip.node.san.unstructured_name.p = (unsigned char *)loopback;
        ip.node.san.unstructured_name.len = 4;
        r = mbedtls_x509write_crt_set_subject_alternative_name(&w, &dns);
    }
    if (r == 0) {
        r = mbedtls_x509write_crt_der(&w, der, DER_MAX, mbedtls_ctr_drbg_random, &d->drbg);
        /* The DER is written at the end of the buffer. */
        if (r > 0)
            r = mbedtls_x509_crt_parse_der(crt, der + DER_MAX - r, (size_t)r);
    }
    mbedtls_x509write_crt_free(&w);
    free(der);
    return r;
}

/* stepped: the client waits for key presses, so the server waits for it without a bound. */
static int demo_setup(struct demo *d, bool stepped)
{
    int r = mbedtls_ctr_drbg_seed(&d->drbg, mbedtls_entropy_func, &d->entropy, NULL, 0);
    if (r == 0)
        r = gen_key(d, &d->ca_key);
    if (r == 0)
        r = gen_key(d, &d->srv_key);
    const char *ca_name = "CN=hstrace demo CA,O=hstrace";
    if (r == 0)
        r = make_cert(d, &d->ca, &d->ca_key, &d->ca_key, ca_name, ca_name, true, 1);
    if (r == 0)
        r = make_cert(d, &d->chain, &d->srv_key, &d->ca_key, "CN=localhost,O=hstrace demo",
                      ca_name, false, 2);
    if (r == 0)
        r = mbedtls_x509_crt_parse_der(&d->chain, d->ca.raw.p, d->ca.raw.len);
    if (r != 0)
        return r;

    r = mbedtls_ssl_config_defaults(&d->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0)
        return r;
    mbedtls_ssl_conf_rng(&d->conf, mbedtls_ctr_drbg_random, &d->drbg);
    mbedtls_ssl_conf_read_timeout(&d->conf, stepped ? 0 : SERVER_IO_TIMEOUT_MS);
    mbedtls_ssl_conf_min_tls_version(&d->conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&d->conf, MBEDTLS_SSL_VERSION_TLS1_3);
    d->alpn[0] = "h2";
    d->alpn[1] = "http/1.1";
    d->alpn[2] = NULL;
    r = mbedtls_ssl_conf_alpn_protocols(&d->conf, d->alpn);
    if (r == 0)
        r = mbedtls_ssl_conf_own_cert(&d->conf, &d->chain, &d->srv_key);
    if (r == 0)
        r = mbedtls_ssl_ticket_setup(&d->tickets, mbedtls_ctr_drbg_random, &d->drbg,
                                     MBEDTLS_CIPHER_AES_256_GCM, 86400);
    if (r != 0)
        return r;
    mbedtls_ssl_conf_session_tickets_cb(&d->conf, mbedtls_ssl_ticket_write,
                                        mbedtls_ssl_ticket_parse, &d->tickets);
    mbedtls_ssl_conf_new_session_tickets(&d->conf, 1);

    /* Listen on 127.0.0.1, port chosen by the kernel. */
    d->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (d->listen_fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (bind(d->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(d->listen_fd, 4) != 0 ||
        getsockname(d->listen_fd, (struct sockaddr *)&sa, &sl) != 0)
        return -1;
    d->port = ntohs(sa.sin_port);
    return 0;
}

/* mbedtls_net_send, without SIGPIPE: a client that gave up (--timeout) must not kill us. */
static int demo_send(void *ctx, const unsigned char *buf, size_t len)
{
    const mbedtls_net_context *net = ctx;
    for (;;) {
        ssize_t n = send(net->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return MBEDTLS_ERR_SSL_WANT_WRITE;
        return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET
                                                     : MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

/* Serves one connection: handshake (tickets included), wait for close_notify, answer it. */
static void serve_one(struct demo *d, int fd)
{
    mbedtls_net_context net = {.fd = fd};
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    if (mbedtls_ssl_setup(&ssl, &d->conf) == 0) {
        mbedtls_ssl_set_bio(&ssl, &net, demo_send, NULL, mbedtls_net_recv_timeout);
        int r;
        do {
            r = mbedtls_ssl_handshake(&ssl);
        } while ((r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) &&
                 !atomic_load(&d->stop));
        if (r == 0) {
            unsigned char buf[512];
            do {
                r = mbedtls_ssl_read(&ssl, buf, sizeof buf);
            } while (r > 0 || r == MBEDTLS_ERR_SSL_WANT_READ);
            if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
                mbedtls_ssl_close_notify(&ssl);
        }
    }
    mbedtls_ssl_free(&ssl);
    mbedtls_net_free(&net);
}

static void *server_main(void *arg)
{
    struct demo *d = arg;
    hs_privs_shed_thread(); /* serving needs no privilege; the capture is the client's */
    while (!atomic_load(&d->stop)) {
        struct pollfd pfd = {.fd = d->listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        /* Each flight leaves at once: with Nagle, the TLS 1.2 server's ChangeCipherSpec and
         * Finished waited ~40 ms for the client's delayed ACK. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve_one(d, fd);
        break; /* one handshake is the demo */
    }
    return NULL;
}

static void demo_free(struct demo *d)
{
    if (d->thread_started) {
        atomic_store(&d->stop, true);
        pthread_join(d->thread, NULL);
    }
    if (d->listen_fd >= 0)
        close(d->listen_fd);
    mbedtls_ssl_ticket_free(&d->tickets);
    mbedtls_ssl_config_free(&d->conf);
    mbedtls_x509_crt_free(&d->ca);
    mbedtls_x509_crt_free(&d->chain);
    mbedtls_pk_free(&d->ca_key);
    mbedtls_pk_free(&d->srv_key);
    mbedtls_ctr_drbg_free(&d->drbg);
    mbedtls_entropy_free(&d->entropy);
}

int hs_demo_run(const struct hs_live_opts *o, struct hs_trace *trace)
{
    struct hs_live_saved *none = NULL;
    int code = hs_demo_run_keep(o, trace, &none);
    hs_live_saved_free(none);
    return code;
}

int hs_demo_run_keep(const struct hs_live_opts *o, struct hs_trace *trace,
                     struct hs_live_saved **keep)
{
    *keep = NULL;
    struct demo *d = hs_xcalloc(1, sizeof *d);
    d->listen_fd = -1;
    atomic_init(&d->stop, false);
    mbedtls_entropy_init(&d->entropy);
    mbedtls_ctr_drbg_init(&d->drbg);
    mbedtls_pk_init(&d->ca_key);
    mbedtls_pk_init(&d->srv_key);
    mbedtls_x509_crt_init(&d->ca);
    mbedtls_x509_crt_init(&d->chain);
    mbedtls_ssl_config_init(&d->conf);
    mbedtls_ssl_ticket_init(&d->tickets);

    int code;
    if (psa_crypto_init() != PSA_SUCCESS || demo_setup(d, o->before_step != NULL) != 0) {
        hs_trace_fail(trace, HS_STAGE_TLS, "cannot start the demo server: %s",
                      errno ? strerror(errno) : "mbedTLS setup failed");
        code = trace->exit_code;
    } else if (pthread_create(&d->thread, NULL, server_main, d) != 0) {
        hs_trace_fail(trace, HS_STAGE_TLS, "cannot start the demo server thread");
        code = trace->exit_code;
    } else {
        d->thread_started = true;
        char target[32];
        snprintf(target, sizeof target, "localhost:%u", d->port);
        struct hs_live_opts dopt = *o;
        dopt.family = 4; /* the server listens on 127.0.0.1 only */
        dopt.port = 0;
        if (dopt.alpn == NULL)
            dopt.alpn = "h2,http/1.1"; /* so the demo shows ALPN being negotiated */
        struct hs_live_extra extra = {.target = target, .ca = &d->ca, .keep = keep};
        code = hs_live_trace(&dopt, &extra, trace);
    }
    demo_free(d);
    free(d);
    return code;
}
