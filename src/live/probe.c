/*
 * --probe: hstrace's own ClientHello on the live client's connection, the server's first
 * flight read and measured, then the connection closed: no handshake.  The bytes pass the
 * same socket tap as a live trace's (live_tap_send, live_fill_rx), so the decoder draws them.
 */
#include "probe.h"

#include "probe_hello.h"
#include "probe_keys.h"
#include "probe_mlkem.h"

#include "../core/mem.h"
#include "../tls/names.h"
#include "../tls/suites.h"

#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <psa/crypto.h>
#include <stdio.h>
#include <string.h>

#define SHARE_MAX (HS_MLKEM768_EK_LEN + 32) /* the X25519MLKEM768 share, the largest */
#define HELLO_MAX (16384 + 5)               /* the ClientHello, in one record */
#define HS_BUF_MAX (64u * 1024u)            /* handshake bytes kept until the server's hello */
#define RECORD_MAX (16384 + 2048)           /* the largest record TLS allows (ciphertext) */
#define PRIV_MAX (HS_PROBE_MAX_SHARES + 1)  /* ECDH keys kept: the first shares, the retry's */

enum phase { WAIT_HELLO, AFTER_HELLO };
enum take_result { TAKE_MORE, TAKE_BAD, TAKE_ALERT };

struct probe {
    struct live *l;
    struct hs_probe_hello h;
    uint16_t groups[HS_PROBE_MAX_LIST + 1];
    int suites[HS_PROBE_MAX_LIST + 1];
    const char *alpn[HS_PROBE_MAX_LIST + 1];
    uint8_t keys[HS_PROBE_MAX_SHARES][SHARE_MAX];
    uint16_t first_shares[HS_PROBE_MAX_SHARES];
    size_t nfirst;
    uint8_t ech_enc[32], ech_payload[256];
    struct { uint16_t group; mbedtls_svc_key_id_t id; } priv[PRIV_MAX]; /* to agree with */
    size_t npriv;
    uint8_t *ch[2], *hrr_msg, *sh_msg; /* the transcript's messages (malloc'd) */
    size_t ch_len[2], hrr_len, sh_len;
    bool decrypting;             /* the flight's handshake secrets went to the decoder */

    /* The server's records, as they come. */
    enum phase phase;
    uint8_t hdr[5];
    size_t nhdr, left;
    uint8_t *hs;                 /* handshake bytes before the hello (HS_BUF_MAX) */
    size_t nhs;
    bool hello_seen, hrr_pending, hrr_seen, hrr_answered;
    struct hs_probe_answer ans, hrr;
    size_t flight_bytes, records;
    uint32_t sizes[HS_PROBE_SIZES];
    const char *flight_end;
};

bool hs_probe_group_is_pq(uint16_t group)
{
    switch (group) {
    case 512: case 513: case 514: case 0x11eb: case 0x11ec: case 0x11ed: case 0x6399:
    case 0x639a:
        return true;
    default:
        return false;
    }
}

static int psa_rng(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    return psa_generate_random(buf, n) == PSA_SUCCESS ? 0 : -1;
}

/* The public key of a fresh ECDH key pair on group: its length, or 0 when the probe cannot
 * make that group.  With keep, PSA's key (the private half) is kept in p->priv for the
 * agreement with the server's share; else it is forgotten at once. */
static size_t ecdh_public(struct probe *p, bool keep, uint16_t group, uint8_t *out, size_t cap)
{
    psa_ecc_family_t family = PSA_ECC_FAMILY_SECP_R1;
    size_t bits;
    switch (group) {
    case 29: family = PSA_ECC_FAMILY_MONTGOMERY, bits = 255; break;
    case 23: bits = 256; break;
    case 24: bits = 384; break;
    case 25: bits = 521; break;
    default: return 0;
    }
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(family));
    psa_set_key_bits(&a, bits);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&a, PSA_ALG_ECDH);
    mbedtls_svc_key_id_t id;
    if (psa_generate_key(&a, &id) != PSA_SUCCESS)
        return 0;
    size_t n = 0;
    psa_status_t st = psa_export_public_key(id, out, cap, &n);
    if (st != PSA_SUCCESS || !keep || p->npriv == PRIV_MAX) {
        psa_destroy_key(id);
        return st == PSA_SUCCESS ? n : 0;
    }
    p->priv[p->npriv].group = group;
    p->priv[p->npriv++].id = id;
    return n;
}

/* A key share for group into out (SHARE_MAX bytes): its length, 0 when not possible.  The
 * hybrid's X25519 key is not kept: without the ML-KEM secret it would be of no use. */
static size_t make_share(struct probe *p, uint16_t group, uint8_t *out)
{
    if (group != 0x11ec)
        return ecdh_public(p, true, group, out, SHARE_MAX);
    if (hs_mlkem768_random_ek(out, psa_rng, NULL) != 0)
        return 0;
    return ecdh_public(p, false, 29, out + HS_MLKEM768_EK_LEN, 32) == 32 ? SHARE_MAX : 0;
}

static bool can_make(uint16_t group)
{
    return group == 0x11ec || group == 29 || group == 23 || group == 24 || group == 25;
}

/* "X25519MLKEM768", or the code point in hex (into buf). */
static const char *group_name(uint16_t g, char *buf, size_t n)
{
    snprintf(buf, n, "0x%04x", g);
    return hs_name_group(g) ? hs_name_group(g) : buf;
}

/* The lists (from --groups, --ciphers, --alpn, else the probe's own) and the first hello. */
static bool setup(struct probe *p, const struct hs_tls_setup *s)
{
    static const uint16_t groups[] = {0x11ec, 29, 23, 24, 0};
    static const int suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
                                 0xcca9, 0xcca8, 0};
    const struct hs_live_opts *o = p->l->o;
    const uint16_t *g = o->groups ? s->groups : groups;
    for (size_t i = 0; i < HS_PROBE_MAX_LIST && g[i]; i++)
        p->groups[i] = g[i];
    const int *su = o->ciphers ? s->suites : suites;
    for (size_t i = 0; i < HS_PROBE_MAX_LIST && su[i]; i++)
        p->suites[i] = su[i];
    if (o->alpn) {
        for (size_t i = 0; i < HS_PROBE_MAX_LIST && s->alpn[i]; i++)
            p->alpn[i] = s->alpn[i];
    } else {
        p->alpn[0] = "h2";
        p->alpn[1] = "http/1.1";
    }
    struct hs_probe_hello *h = &p->h;
    h->sni = p->l->trace->sni;
    h->alpn = p->alpn;
    h->suites = p->suites;
    h->groups = p->groups;
    h->tls13_only = o->only_tls13;
    /* Shares for the first two groups of the list the probe can make. */
    for (size_t i = 0; p->groups[i] && h->nshares < 2; i++) {
        if (!can_make(p->groups[i]))
            continue;
        size_t n = make_share(p, p->groups[i], p->keys[h->nshares]);
        if (n == 0)
            return false;
        h->shares[h->nshares] = (struct hs_probe_share){p->groups[i], p->keys[h->nshares], n};
        p->first_shares[h->nshares] = p->groups[i];
        h->nshares++;
    }
    p->nfirst = h->nshares;
    uint8_t r[8];
    if (psa_rng(NULL, h->random, 32) != 0 || psa_rng(NULL, h->session_id, 32) != 0 ||
        psa_rng(NULL, r, sizeof r) != 0 || psa_rng(NULL, p->ech_enc, 32) != 0)
        return false;
    /* RFC 8701: 0x?A?A; the two GREASE extensions must differ. */
    for (int i = 0; i < 4; i++)
        h->grease[i] = (uint16_t)(0x0a0a | ((r[i] & 0xf0) << 8) | (r[i] & 0xf0));
    if (h->grease[3] == h->grease[2])
        h->grease[3] ^= 0x1010;
    h->ech = true;
    h->ech_config_id = r[4];
    h->ech_enc = p->ech_enc;
    /* An inner hello padded as RFC 9849 section 6.1.3 suggests, plus the 16-byte tag. */
    h->ech_payload_len = 128 + 32 * (r[5] % 4) + 16;
    h->ech_payload = p->ech_payload;
    return psa_rng(NULL, p->ech_payload, h->ech_payload_len) == 0;
}

/* Writes the hello in one handshake record; false when it failed (reason recorded). */
static bool send_hello(struct probe *p)
{
    uint8_t rec[HELLO_MAX];
    size_t n = hs_probe_hello_write(&p->h, rec + 5, sizeof rec - 5);
    if (n == 0 || n > 16384) {
        hs_live_usage_error(p->l->trace, "the probe's ClientHello does not fit one record "
                            "(16384 bytes): offer fewer or shorter --alpn names or --ciphers");
        return false;
    }
    rec[0] = 22;
    rec[1] = 3;
    rec[2] = p->h.retry ? 3 : 1; /* RFC 8446 section 5.1: 0x0301 for the first hello only */
    rec[3] = (uint8_t)(n >> 8);
    rec[4] = (uint8_t)n;
    int which = p->h.retry ? 1 : 0; /* kept for the transcript */
    free(p->ch[which]);
    p->ch[which] = hs_xmalloc(n);
    memcpy(p->ch[which], rec + 5, n);
    p->ch_len[which] = n;
    for (size_t off = 0; off < n + 5;) {
        int r = live_tap_send(p->l, rec + off, n + 5 - off);
        if (r <= 0) {
            p->l->stopped_ms = live_now_ms(p->l);
            live_handshake_failed(p->l, r < 0 ? r : MBEDTLS_ERR_NET_SEND_FAILED);
            return false;
        }
        off += (size_t)r;
    }
    return true;
}

/* The handshake messages gathered so far: the server's hello, when complete. */
static enum take_result take_handshake(struct probe *p)
{
    while (!p->hello_seen && p->nhs >= 4) {
        size_t len = (size_t)p->hs[1] << 16 | (size_t)p->hs[2] << 8 | p->hs[3];
        if (p->hs[0] != 2 || len > HS_BUF_MAX - 4)
            return TAKE_BAD; /* the server's first message must be its hello */
        if (p->nhs < 4 + len)
            return TAKE_MORE;
        struct hs_probe_answer a;
        if (hs_probe_read_answer(p->hs + 4, len, &a) != 0)
            return TAKE_BAD;
        /* Kept for the transcript, and read again there so that a's pointers (the cookie,
         * the server's share) stay valid. */
        uint8_t **keep = a.hrr ? &p->hrr_msg : &p->sh_msg;
        free(*keep);
        *keep = hs_xmalloc(4 + len);
        memcpy(*keep, p->hs, 4 + len);
        *(a.hrr ? &p->hrr_len : &p->sh_len) = 4 + len;
        if (hs_probe_read_answer(*keep + 4, len, &a) != 0)
            return TAKE_BAD;
        if (a.hrr) {
            p->hrr = a;
            p->hrr_pending = true;
        } else {
            p->ans = a;
            p->hello_seen = true;
        }
        memmove(p->hs, p->hs + 4 + len, p->nhs - 4 - len);
        p->nhs -= 4 + len;
        if (a.hrr)
            return TAKE_MORE; /* what follows belongs to the next flight */
    }
    return TAKE_MORE;
}

/* One complete record header: counted, checked. */
static enum take_result take_header(struct probe *p)
{
    uint8_t type = p->hdr[0];
    p->left = (size_t)p->hdr[3] << 8 | p->hdr[4];
    if (type < 20 || type > 24 || p->hdr[1] != 3 || p->left > RECORD_MAX)
        return TAKE_BAD;
    if (p->phase == AFTER_HELLO) {
        p->flight_bytes += 5 + p->left;
        if (type != 20) { /* a ChangeCipherSpec is no part of the flight's messages */
            if (p->records < HS_PROBE_SIZES)
                p->sizes[p->records] = (uint32_t)p->left;
            p->records++;
        }
        return TAKE_MORE;
    }
    if (type == 21)
        return TAKE_ALERT;
    return type == 22 || type == 20 ? TAKE_MORE : TAKE_BAD;
}

/* n bytes of the server's stream. */
static enum take_result take(struct probe *p, const uint8_t *b, size_t n)
{
    while (n > 0) {
        if (p->left == 0 && p->nhdr < 5) {
            size_t k = 5 - p->nhdr < n ? 5 - p->nhdr : n;
            memcpy(p->hdr + p->nhdr, b, k);
            p->nhdr += k, b += k, n -= k;
            if (p->nhdr < 5)
                break;
            enum take_result r = take_header(p);
            if (r != TAKE_MORE)
                return r;
            if (p->left > 0)
                continue;
        }
        size_t k = p->left < n ? p->left : n;
        bool hello_part = p->phase == WAIT_HELLO && p->hdr[0] == 22;
        if (hello_part) {
            if (k > HS_BUF_MAX - p->nhs)
                return TAKE_BAD;
            memcpy(p->hs + p->nhs, b, k);
            p->nhs += k;
        }
        p->left -= k, b += k, n -= k;
        if (p->left > 0)
            break;
        p->nhdr = 0;
        if (hello_part && take_handshake(p) == TAKE_BAD)
            return TAKE_BAD;
        if (p->hello_seen && p->phase == WAIT_HELLO) {
            p->phase = AFTER_HELLO;
            p->flight_bytes += 5 + ((size_t)p->hdr[3] << 8 | p->hdr[4]);
        }
    }
    return TAKE_MORE;
}

/* The probe stops: the decoder gets the server's last bytes, then the reason is found. */
static bool stop(struct probe *p, int ret)
{
    p->l->stopped_ms = live_now_ms(p->l);
    live_flush_feed(p->l, FEED_WAIT);
    if (p->l->trace->error_stage == HS_STAGE_NONE)
        live_handshake_failed(p->l, ret);
    return false;
}

/* A HelloRetryRequest: a second ClientHello with a share for the group asked for. */
static bool answer_hrr(struct probe *p)
{
    struct hs_trace *t = p->l->trace;
    char buf[16];
    p->hrr_pending = false;
    if (p->hrr_seen) {
        hs_trace_fail(t, HS_STAGE_TLS, "the server sent a second HelloRetryRequest");
        return false;
    }
    p->hrr_seen = true;
    struct hs_probe_hello *h = &p->h;
    uint16_t g = p->hrr.group;
    if (g != 0) {
        if (!can_make(g)) {
            hs_trace_fail(t, HS_STAGE_TLS, "the server's HelloRetryRequest asks for %s, which "
                          "the probe cannot make", group_name(g, buf, sizeof buf));
            return false;
        }
        size_t n = make_share(p, g, p->keys[0]);
        if (n == 0)
            return stop(p, MBEDTLS_ERR_SSL_HW_ACCEL_FAILED);
        h->shares[0] = (struct hs_probe_share){g, p->keys[0], n};
        h->nshares = 1;
    }
    h->retry = true;
    h->cookie = p->hrr.cookie;
    h->cookie_len = p->hrr.cookie_len;
    h->ech_enc = NULL; /* RFC 9849 section 6.2: the second GREASE ECH has an empty enc */
    if (psa_rng(NULL, p->ech_payload, h->ech_payload_len) != 0)
        return stop(p, MBEDTLS_ERR_SSL_HW_ACCEL_FAILED);
    p->hrr_answered = send_hello(p);
    return p->hrr_answered;
}

/* The agreement with the server's share, when the probe holds the private key of the group
 * it chose (x25519, secp256r1, ...): the (EC)DHE shared secret into out; its length or 0. */
static size_t agree(struct probe *p, const struct hs_probe_answer *sh, uint8_t *out, size_t cap)
{
    for (size_t i = 0; i < p->npriv; i++) {
        size_t n = 0;
        if (p->priv[i].group == sh->group &&
            psa_raw_key_agreement(PSA_ALG_ECDH, p->priv[i].id, sh->key_share, sh->key_share_len,
                                  out, cap, &n) == PSA_SUCCESS)
            return n;
    }
    return 0;
}

/* TLS 1.3 and a group the probe holds the key of: the handshake traffic secrets go to the
 * decoder (and the key log) as mbedTLS's would, so the server's flight is decrypted. */
static void derive_keys(struct probe *p)
{
    struct live *l = p->l;
    const struct hs_suite *suite = hs_suite_find(p->ans.suite);
    uint8_t shared[80], c_hs[48], s_hs[48];
    size_t n = 0;
    if (p->ans.version == 0x0304 && suite && suite->tls13 && p->ch[0] && p->ans.key_share)
        n = agree(p, &p->ans, shared, sizeof shared);
    struct hs_probe_transcript tr = {.ch1 = p->ch[0], .ch1_len = p->ch_len[0],
                                     .sh = p->sh_msg, .sh_len = p->sh_len};
    if (p->hrr_seen) {
        tr.hrr = p->hrr_msg, tr.hrr_len = p->hrr_len;
        tr.ch2 = p->ch[1], tr.ch2_len = p->ch_len[1];
    }
    if (n > 0 && (!p->hrr_seen || tr.ch2) &&
        hs_probe_tls13_secrets(suite->hash, shared, n, &tr, c_hs, s_hs) == 0) {
        unsigned hl = hs_hash_len(suite->hash);
        const uint8_t *server_random = p->sh_msg + 6;
        live_on_export_keys(l, MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
                            c_hs, hl, p->h.random, server_random, MBEDTLS_SSL_TLS_PRF_NONE);
        live_on_export_keys(l, MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                            s_hs, hl, p->h.random, server_random, MBEDTLS_SSL_TLS_PRF_NONE);
        p->decrypting = true;
    }
    memset(shared, 0, sizeof shared);
    memset(c_hs, 0, sizeof c_hs);
    memset(s_hs, 0, sizeof s_hs);
    hs_decoder_no_more_keys(l->dec); /* the application secrets need a Finished never sent */
}

/* Until the server's hello (after a HelloRetryRequest, the second one). */
static bool read_hello(struct probe *p)
{
    struct live *l = p->l;
    for (int reads = 0; reads < 100000; reads++) {
        int r = live_fill_rx(l);
        if (r <= 0)
            return stop(p, r == 0 ? MBEDTLS_ERR_SSL_CONN_EOF : r);
        l->rx_len = 0; /* the probe reads it all here */
        enum take_result tr = take(p, l->rx, (size_t)r);
        if (tr == TAKE_ALERT)
            return stop(p, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE);
        if (tr == TAKE_BAD) { /* the decoder's words when it is not TLS at all */
            l->stopped_ms = live_now_ms(l);
            live_flush_feed(l, FEED_WAIT);
            if (hs_decoder_not_tls(l->dec, HS_SERVER))
                return stop(p, MBEDTLS_ERR_SSL_INVALID_RECORD);
            hs_trace_fail(l->trace, HS_STAGE_TLS, "the server's reply to the probe is not a "
                          "ServerHello");
            return false;
        }
        if (p->hrr_pending && !answer_hrr(p))
            return false;
        if (p->hello_seen) {
            derive_keys(p);
            return true;
        }
    }
    return stop(p, MBEDTLS_ERR_SSL_INVALID_RECORD);
}

/* The rest of the flight: until a pause, the server's FIN, a time or a size bound. */
static void read_flight(struct probe *p)
{
    struct live *l = p->l;
    double hard = hs_wall_s() + HS_PROBE_FLIGHT_MS / 1000.0;
    if (hard > l->deadline)
        hard = l->deadline;
    p->flight_end = "limit";
    double last = live_now_ms(l); /* the TLS time ends with the flight's last bytes */
    while (p->flight_bytes < HS_PROBE_FLIGHT_MAX) {
        double until = hs_wall_s() + HS_PROBE_PAUSE_MS / 1000.0;
        l->deadline = until < hard ? until : hard;
        int r = live_fill_rx(l);
        if (r <= 0) {
            p->flight_end = r == 0 ? "closed" : !l->timed_out ? "error"
                            : l->deadline < hard ? "pause" : "time";
            break;
        }
        l->rx_len = 0;
        last = live_now_ms(l);
        if (take(p, l->rx, (size_t)r) != TAKE_MORE) {
            p->flight_end = "not_tls";
            break;
        }
    }
    l->timed_out = false;
    l->stopped_ms = last;
}

/* What the GREASE ECH drew: an ECH extension in the HelloRetryRequest, retry_configs in the
 * decrypted EncryptedExtensions (the server implements ECH), none there, or unknown (the
 * flight could not be decrypted). */
static const char *ech_answer(const struct probe *p)
{
    if (p->hrr_seen && p->hrr.ech)
        return "hrr_extension";
    if (p->hello_seen && p->ans.version != 0x0304)
        return "none"; /* ECH is TLS 1.3 only */
    for (const struct hs_event *ev = p->l->trace->first; ev; ev = ev->next) {
        if (ev->from != HS_SERVER || !ev->decrypted ||
            strcmp(ev->type, "EncryptedExtensions") != 0)
            continue;
        const struct hs_field *list = hs_f_get(ev->fields, "extensions");
        for (const struct hs_field *e = list ? list->child : NULL; e; e = e->next) {
            const char *t = hs_f_get_str(e, "type");
            if (t && strcmp(t, "encrypted_client_hello") == 0)
                return "retry_configs";
        }
        return "none";
    }
    return "unknown";
}

/* A registry value's number beside its name, null when there is none. */
static void id_or_null(struct hs_field *f, const char *name, bool known, long long v)
{
    if (known)
        hs_f_int(f, name, v);
    else
        hs_f_null(f, name);
}

/* The groups by name under key, and their numbers under ids, in the same order. */
static void group_list(struct hs_field *f, const char *key, const char *ids, const uint16_t *g,
                       size_t n)
{
    char buf[16];
    struct hs_field *names = hs_f_arr(f, key), *nums = hs_f_arr(f, ids);
    for (size_t i = 0; i < n; i++) {
        hs_f_str(names, NULL, group_name(g[i], buf, sizeof buf));
        hs_f_int(nums, NULL, g[i]);
    }
}

/* t->probe, and the note row that says the handshake was left there. */
static void record(struct probe *p, bool ok)
{
    struct hs_trace *t = p->l->trace;
    char buf[16];
    struct hs_field *f = hs_field_new_object();
    const struct hs_probe_answer *a = p->hello_seen ? &p->ans : NULL;
    hs_f_str(f, "selected_version", a ? hs_name_version(a->version) : NULL);
    id_or_null(f, "selected_version_id", a != NULL, a ? a->version : 0);
    hs_f_str(f, "cipher_suite", a ? hs_suite_name(a->suite) : NULL);
    id_or_null(f, "cipher_suite_id", a != NULL, a ? a->suite : 0);
    /* TLS 1.2 names its group in ServerKeyExchange, which the decoder read. */
    int named = a && !a->group && t->group[0] ? hs_group_by_name(t->group) : -1;
    uint16_t group = a && a->group ? a->group : named > 0 ? (uint16_t)named : 0;
    if (group)
        hs_f_str(f, "selected_group", group_name(group, buf, sizeof buf));
    else
        hs_f_null(f, "selected_group");
    id_or_null(f, "selected_group_id", group != 0, group);
    if (a && a->group && a->key_share_len)
        hs_f_int(f, "key_share_len", (long long)a->key_share_len);
    else
        hs_f_null(f, "key_share_len");
    hs_f_bool(f, "pq", hs_probe_group_is_pq(group));
    hs_f_bool(f, "hrr", p->hrr_seen);
    if (p->hrr_seen) {
        if (p->hrr.group)
            hs_f_str(f, "hrr_group", group_name(p->hrr.group, buf, sizeof buf));
        else
            hs_f_null(f, "hrr_group");
        id_or_null(f, "hrr_group_id", p->hrr.group != 0, p->hrr.group);
        hs_f_bool(f, "hrr_answered", p->hrr_answered);
    }
    hs_f_int(f, "server_flight_bytes", (long long)p->flight_bytes);
    hs_f_int(f, "records", (long long)p->records);
    struct hs_field *sizes = hs_f_arr(f, "record_sizes");
    for (size_t i = 0; i < p->records && i < HS_PROBE_SIZES; i++)
        hs_f_int(sizes, NULL, p->sizes[i]);
    hs_f_str(f, "flight_end", p->flight_end);
    hs_f_bool(f, "decrypted", p->decrypting);
    hs_f_str(f, "ech", ech_answer(p));
    size_t ngroups = 0;
    while (p->groups[ngroups])
        ngroups++;
    group_list(f, "offered_groups", "offered_group_ids", p->groups, ngroups);
    group_list(f, "key_shares", "key_share_ids", p->first_shares, p->nfirst);
    hs_field_free(t->probe);
    t->probe = f;

    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", live_now_ms(p->l));
    if (ok)
        hs_event_summary(ev, "probe over: the server's first flight read, the handshake not "
                         "completed (no certificate check)");
    else
        hs_event_summary(ev, "probe failed: no ServerHello read, the handshake not completed");
    ev->problem = !ok;
    hs_trace_add(t, ev);
}

bool hs_probe_stage(struct live *l, const struct hs_tls_setup *s)
{
    struct probe *p = hs_xcalloc(1, sizeof *p);
    p->l = l;
    p->hs = hs_xmalloc(HS_BUF_MAX);
    l->deadline = hs_wall_s() + l->o->timeout_s;
    bool ok = false;
    if (!setup(p, s))
        hs_trace_fail(l->trace, HS_STAGE_TLS, "cannot make the probe's key shares");
    else
        ok = send_hello(p) && read_hello(p);
    if (ok)
        read_flight(p);
    live_flush_feed(l, FEED_WAIT); /* the flight's rows, decrypted or not, before the verdicts */
    record(p, ok);
    memset(p->keys, 0, sizeof p->keys);
    for (size_t i = 0; i < p->npriv; i++)
        psa_destroy_key(p->priv[i].id);
    free(p->ch[0]);
    free(p->ch[1]);
    free(p->hrr_msg);
    free(p->sh_msg);
    free(p->hs);
    free(p);
    return ok;
}
