/*
 * The built-in demo: an mbedTLS server in a thread on 127.0.0.1 (an ephemeral port), with a
 * CA and a "localhost" certificate generated at start, in memory, set up as the scenario
 * (scenario.h) says.  The live client traces its connections against it, trusting that CA only.
 */
#include "live.h"
#include "live_internal.h"
#include "privs.h"
#include "scenario.h"

#include "../core/conn.h"

#include "../core/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
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

#define DER_MAX 4096
#define SERVER_IO_TIMEOUT_MS 5000 /* the server gives up on a silent client after this */
#define DAY (24 * 3600)

struct demo {
    const struct hs_demo_scenario *sc;
    bool stepped;                /* the client waits for key presses: no read bound */
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context ca_key, other_ca_key, srv_key, cli_key;
    mbedtls_x509_crt ca;         /* trusted by the client */
    mbedtls_x509_crt other_ca;   /* unknown-ca: the issuer the client is not given */
    mbedtls_x509_crt chain;      /* served: the leaf, then its CA */
    mbedtls_x509_crt cli_chain;  /* mtls: the client's certificate */
    mbedtls_ssl_config conf;
    mbedtls_ssl_ticket_context tickets;
    const char *alpn[3];

    unsigned conns;              /* connections to serve: the scenario's, 2 with --reconnect */
    int listen_fd;
    unsigned port;
    pthread_t thread;
    bool thread_started;
    atomic_bool stop;
};

/* One certificate to write: who, signed by whom, valid when, for which names. */
struct cert_spec {
    const char *subject, *issuer;
    bool is_ca;
    unsigned char serial;
    time_t from, to;     /* validity, in seconds from now */
    const char *dns;     /* the DNS name in the SAN (a leaf), or NULL */
    bool loopback_ip;    /* ... and 127.0.0.1 */
    unsigned key_usage;
};

static int gen_key(struct demo *d, mbedtls_pk_context *key, bool rsa)
{
    int r = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(rsa ? MBEDTLS_PK_RSA
                                                                : MBEDTLS_PK_ECKEY));
    if (r == 0 && rsa)
        r = mbedtls_rsa_gen_key(mbedtls_pk_rsa(*key), mbedtls_ctr_drbg_random, &d->drbg, 2048,
                                65537);
    else if (r == 0)
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

/* The subject alternative names of a leaf: the DNS name, and 127.0.0.1 if asked. */
static int set_san(mbedtls_x509write_cert *w, const struct cert_spec *cs)
{
    static const unsigned char loopback[4] = {127, 0, 0, 1};
    mbedtls_x509_san_list ip = {0}, dns = {0};
    dns.node.type = MBEDTLS_X509_SAN_DNS_NAME;
    dns.node.san.unstructured_name.p = (unsigned char *)cs->dns;
    dns.node.san.unstructured_name.len = strlen(cs->dns);
    dns.next = cs->loopback_ip ? &ip : NULL;
    ip.node.type = MBEDTLS_X509_SAN_IP_ADDRESS;
    ip.node.san.unstructured_name.p = (unsigned char *)loopback;
    ip.node.san.unstructured_name.len = 4;
    return mbedtls_x509write_crt_set_subject_alternative_name(w, &dns);
}

/* Writes one certificate (subject_key signed by issuer_key) and appends it to crt. */
static int make_cert(struct demo *d, mbedtls_x509_crt *crt, mbedtls_pk_context *subject_key,
                     mbedtls_pk_context *issuer_key, const struct cert_spec *cs)
{
    mbedtls_x509write_cert w;
    mbedtls_x509write_crt_init(&w);
    unsigned char *der = hs_xmalloc(DER_MAX);
    char nb[16], na[16];
    x509_time(cs->from, nb);
    x509_time(cs->to, na);
    unsigned char serial_raw[2] = {0x4d, cs->serial};

    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, subject_key);
    mbedtls_x509write_crt_set_issuer_key(&w, issuer_key);
    int r = mbedtls_x509write_crt_set_subject_name(&w, cs->subject);
    if (r == 0)
        r = mbedtls_x509write_crt_set_issuer_name(&w, cs->issuer);
    if (r == 0)
        r = mbedtls_x509write_crt_set_serial_raw(&w, serial_raw, sizeof serial_raw);
    if (r == 0)
        r = mbedtls_x509write_crt_set_validity(&w, nb, na);
    if (r == 0)
        r = mbedtls_x509write_crt_set_basic_constraints(&w, cs->is_ca, cs->is_ca ? 0 : -1);
    if (r == 0)
        r = mbedtls_x509write_crt_set_subject_key_identifier(&w);
    if (r == 0)
        r = mbedtls_x509write_crt_set_authority_key_identifier(&w);
    if (r == 0)
        r = mbedtls_x509write_crt_set_key_usage(&w, cs->key_usage);
    if (r == 0 && cs->dns)
        r = set_san(&w, cs);
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

#define CA_NAME "CN=hstrace demo CA,O=hstrace"
#define OTHER_CA_NAME "CN=hstrace other CA,O=somebody else"
#define CA_USAGE (MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN)

/* The CA the client trusts, the server's chain as the scenario wants it, and for mtls the
 * client's certificate. */
static int make_certs(struct demo *d)
{
    const struct hs_demo_scenario *sc = d->sc;
    bool other = sc->cert == HS_DEMO_CERT_UNKNOWN_CA;
    struct cert_spec ca = {.subject = CA_NAME, .issuer = CA_NAME, .is_ca = true, .serial = 1,
                           .from = -3600, .to = 30 * DAY, .key_usage = CA_USAGE};
    struct cert_spec leaf = {.subject = "CN=localhost,O=hstrace demo",
                             .issuer = other ? OTHER_CA_NAME : CA_NAME, .serial = 2,
                             .from = -3600, .to = 30 * DAY, .dns = "localhost",
                             .loopback_ip = true, .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE};
    if (sc->rsa) /* the RSA key exchange encrypts the premaster secret to this key */
        leaf.key_usage |= MBEDTLS_X509_KU_KEY_ENCIPHERMENT;
    if (sc->cert == HS_DEMO_CERT_EXPIRED) {
        leaf.from = -60 * DAY;
        leaf.to = -DAY;
    } else if (sc->cert == HS_DEMO_CERT_WRONG_NAME) {
        leaf.subject = "CN=wrong.example,O=hstrace demo";
        leaf.dns = "wrong.example";
        leaf.loopback_ip = false;
    }
    int r = gen_key(d, &d->ca_key, false);
    if (r == 0)
        r = gen_key(d, &d->srv_key, sc->rsa);
    if (r == 0)
        r = make_cert(d, &d->ca, &d->ca_key, &d->ca_key, &ca);
    mbedtls_x509_crt *issuer = &d->ca;
    mbedtls_pk_context *issuer_key = &d->ca_key;
    if (r == 0 && other) {
        struct cert_spec oca = ca;
        oca.subject = oca.issuer = OTHER_CA_NAME;
        oca.serial = 3;
        issuer = &d->other_ca;
        issuer_key = &d->other_ca_key;
        r = gen_key(d, issuer_key, false);
        if (r == 0)
            r = make_cert(d, issuer, issuer_key, issuer_key, &oca);
    }
    if (r == 0)
        r = make_cert(d, &d->chain, &d->srv_key, issuer_key, &leaf);
    if (r == 0)
        r = mbedtls_x509_crt_parse_der(&d->chain, issuer->raw.p, issuer->raw.len);
    if (r == 0 && sc->client_auth) {
        struct cert_spec cli = {.subject = "CN=hstrace demo client,O=hstrace demo",
                                .issuer = CA_NAME, .serial = 4, .from = -3600, .to = 30 * DAY,
                                .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE};
        r = gen_key(d, &d->cli_key, false);
        if (r == 0)
            r = make_cert(d, &d->cli_chain, &d->cli_key, &d->ca_key, &cli);
    }
    return r;
}

/* The server's TLS settings: the scenario's versions, suites, groups, client authentication
 * and tickets. */
static int server_config(struct demo *d)
{
    const struct hs_demo_scenario *sc = d->sc;
    int r = mbedtls_ssl_config_defaults(&d->conf, MBEDTLS_SSL_IS_SERVER,
                                        MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0)
        return r;
    mbedtls_ssl_conf_rng(&d->conf, mbedtls_ctr_drbg_random, &d->drbg);
    mbedtls_ssl_conf_read_timeout(&d->conf, d->stepped ? 0 : SERVER_IO_TIMEOUT_MS);
    mbedtls_ssl_conf_min_tls_version(&d->conf, (mbedtls_ssl_protocol_version)sc->min_version);
    mbedtls_ssl_conf_max_tls_version(&d->conf, (mbedtls_ssl_protocol_version)sc->max_version);
    if (sc->suites)
        mbedtls_ssl_conf_ciphersuites(&d->conf, sc->suites);
    if (sc->groups)
        mbedtls_ssl_conf_groups(&d->conf, sc->groups);
    if (sc->client_auth) {
        mbedtls_ssl_conf_authmode(&d->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_ca_chain(&d->conf, &d->ca, NULL);
    }
    d->alpn[0] = "h2";
    d->alpn[1] = "http/1.1";
    d->alpn[2] = NULL;
    r = mbedtls_ssl_conf_alpn_protocols(&d->conf, d->alpn);
    if (r == 0)
        r = mbedtls_ssl_conf_own_cert(&d->conf, &d->chain, &d->srv_key);
    if (r != 0 || !sc->tickets) {
        mbedtls_ssl_conf_new_session_tickets(&d->conf, 0);
        return r;
    }
    r = mbedtls_ssl_ticket_setup(&d->tickets, mbedtls_ctr_drbg_random, &d->drbg,
                                 MBEDTLS_CIPHER_AES_256_GCM, 86400);
    if (r != 0)
        return r;
    mbedtls_ssl_conf_session_tickets_cb(&d->conf, mbedtls_ssl_ticket_write,
                                        mbedtls_ssl_ticket_parse, &d->tickets);
    mbedtls_ssl_conf_new_session_tickets(&d->conf, 1);
    return 0;
}

static int demo_setup(struct demo *d)
{
    int r = mbedtls_ctr_drbg_seed(&d->drbg, mbedtls_entropy_func, &d->entropy, NULL, 0);
    if (r == 0)
        r = make_certs(d);
    if (r == 0)
        r = server_config(d);
    if (r != 0)
        return r;

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

/* --http against the demo: a small page for any GET (the request is not parsed further),
 * then close_notify; returns the code that ends serve_one's read loop. */
static int answer_get(mbedtls_ssl_context *ssl)
{
    static const char body[] = "hello from the hstrace demo server\n";
    char resp[256];
    int n = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", sizeof body - 1,
                     body);
    for (int done = 0; n > 0 && done < n;) {
        int w = mbedtls_ssl_write(ssl, (const unsigned char *)resp + done, (size_t)(n - done));
        if (w == MBEDTLS_ERR_SSL_WANT_WRITE || w == MBEDTLS_ERR_SSL_WANT_READ)
            continue;
        if (w < 0)
            return w;
        done += w;
    }
    return MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY; /* so the server closes too */
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
                if (r >= 4 && memcmp(buf, "GET ", 4) == 0) /* --http: one answer, then close */
                    r = answer_get(&ssl);
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
    unsigned served = 0;
    while (!atomic_load(&d->stop) && served < d->conns) {
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
        served++;
    }
    return NULL;
}

static struct demo *demo_new(const struct hs_demo_scenario *sc)
{
    struct demo *d = hs_xcalloc(1, sizeof *d);
    d->sc = sc;
    d->conns = sc ? sc->connections : 1;
    d->listen_fd = -1;
    atomic_init(&d->stop, false);
    mbedtls_entropy_init(&d->entropy);
    mbedtls_ctr_drbg_init(&d->drbg);
    mbedtls_pk_init(&d->ca_key);
    mbedtls_pk_init(&d->other_ca_key);
    mbedtls_pk_init(&d->srv_key);
    mbedtls_pk_init(&d->cli_key);
    mbedtls_x509_crt_init(&d->ca);
    mbedtls_x509_crt_init(&d->other_ca);
    mbedtls_x509_crt_init(&d->chain);
    mbedtls_x509_crt_init(&d->cli_chain);
    mbedtls_ssl_config_init(&d->conf);
    mbedtls_ssl_ticket_init(&d->tickets);
    return d;
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
    mbedtls_x509_crt_free(&d->other_ca);
    mbedtls_x509_crt_free(&d->chain);
    mbedtls_x509_crt_free(&d->cli_chain);
    mbedtls_pk_free(&d->ca_key);
    mbedtls_pk_free(&d->other_ca_key);
    mbedtls_pk_free(&d->srv_key);
    mbedtls_pk_free(&d->cli_key);
    mbedtls_ctr_drbg_free(&d->drbg);
    mbedtls_entropy_free(&d->entropy);
    free(d);
}

/* Starts the server; on failure says why in trace and returns false. */
static bool demo_start(struct demo *d, struct hs_trace *trace)
{
    if (d->sc == NULL) { /* options.c lets no unknown name through; this is a safety net */
        hs_trace_fail(trace, HS_STAGE_USAGE, "unknown demo scenario");
        return false;
    }
    if (d->sc->unavailable) {
        hs_trace_fail(trace, HS_STAGE_USAGE, "demo scenario %s is unavailable: %s", d->sc->name,
                      d->sc->unavailable);
        return false;
    }
    errno = 0;
    if (psa_crypto_init() != PSA_SUCCESS || demo_setup(d) != 0) {
        hs_trace_fail(trace, HS_STAGE_TLS, "cannot start the demo server: %s",
                      errno ? strerror(errno) : "mbedTLS setup failed");
        return false;
    }
    if (pthread_create(&d->thread, NULL, server_main, d) != 0) {
        hs_trace_fail(trace, HS_STAGE_TLS, "cannot start the demo server thread");
        return false;
    }
    d->thread_started = true;
    return true;
}

/* One client connection to the running server, with what the scenario makes it offer. */
static int demo_trace(struct demo *d, const struct hs_live_opts *o, struct hs_trace *trace,
                      struct hs_live_saved **keep, const mbedtls_ssl_session *resume,
                      mbedtls_ssl_session *session, bool *have_session)
{
    const struct hs_demo_scenario *sc = d->sc;
    char target[32];
    snprintf(target, sizeof target, "localhost:%u", d->port);
    struct hs_live_opts dopt = *o;
    dopt.family = 4; /* the server listens on 127.0.0.1 only */
    dopt.port = 0;
    if (dopt.alpn == NULL)
        dopt.alpn = "h2,http/1.1"; /* so the demo shows ALPN being negotiated */
    if (sc->client_ciphers)
        dopt.ciphers = sc->client_ciphers;
    if (sc->client_groups)
        dopt.groups = sc->client_groups;
    if (sc->client_tls12 || sc->client_tls13) {
        dopt.only_tls12 = sc->client_tls12;
        dopt.only_tls13 = sc->client_tls13;
    }
    struct hs_live_extra extra = {.target = target, .ca = &d->ca, .keep = keep,
                                  .tickets_first = true,
                                  .resume = resume, .session = session,
                                  .have_session = have_session};
    if (sc->client_auth) {
        dopt.certfile = dopt.keyfile = dopt.pass = NULL;
        extra.own_cert = &d->cli_chain;
        extra.own_key = &d->cli_key;
    }
    return hs_live_trace(&dopt, &extra, trace);
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
    struct demo *d = demo_new(hs_demo_find(o->scenario));
    d->stepped = o->before_step != NULL;
    int code = demo_start(d, trace) ? demo_trace(d, o, trace, keep, NULL, NULL, NULL)
                                    : trace->exit_code;
    demo_free(d);
    return code;
}

/* hs_live_each's tracer: one connection to the running demo server. */
struct demo_run {
    struct demo *d;
    const struct hs_live_opts *o;
};

static int demo_tracer(void *tctx, struct hs_trace *t, struct hs_live_saved **keep,
                       const mbedtls_ssl_session *resume, mbedtls_ssl_session *session,
                       bool *have_session)
{
    const struct demo_run *r = tctx;
    return demo_trace(r->d, r->o, t, keep, resume, session, have_session);
}

int hs_demo_run_each(const struct hs_live_opts *o,
                     void (*fn)(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c),
                     void *ctx, struct hs_demo_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    struct demo *d = demo_new(hs_demo_find(o->scenario));
    if (o->reconnect && d->conns < 2)
        d->conns = 2;
    int code = 0;
    struct hs_trace *t = hs_trace_new();
    if (!demo_start(d, t)) {
        code = t->exit_code;
        sum->connections = 1;
        fn(ctx, t, &(struct hs_capture_conn){.number = 1});
    } else {
        hs_trace_free(t);
        struct demo_run r = {.d = d, .o = o};
        unsigned n = d->conns < HS_DEMO_MAX_CONNS ? d->conns : HS_DEMO_MAX_CONNS;
        code = hs_live_each(n, demo_tracer, &r, fn, ctx, sum);
    }
    demo_free(d);
    return code;
}
