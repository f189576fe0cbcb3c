/*
 * The explanation of each TLS row, written for the connection it belongs to: the same message
 * reads differently with RSA key exchange and with ECDHE, in TLS 1.2 and 1.3, in a resumed
 * handshake, after a HelloRetryRequest or with 0-RTT data.  Each text ends with the section of
 * the RFC it follows.  Alerts: explain_alerts.c; fields: explain_fields.c.
 */
#include "explain.h"

#include "../core/mem.h"
#include "msg.h"
#include "suites.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum hs_kx_kind hs_kx_kind_of(uint16_t suite, uint16_t version)
{
    if (version == 0x0304)
        return HS_KXK_TLS13;
    const struct hs_suite *s = hs_suite_find(suite);
    if (s == NULL || s->kx == NULL)
        return HS_KXK_UNKNOWN;
    if (s->tls13)
        return HS_KXK_TLS13;
    if (strcmp(s->kx, "RSA") == 0 || strcmp(s->kx, "RSA_EXPORT") == 0)
        return HS_KXK_RSA;
    if (strncmp(s->kx, "ECDHE", 5) == 0)
        return strstr(s->kx, "PSK") ? HS_KXK_PSK : HS_KXK_ECDHE;
    if (strncmp(s->kx, "DHE", 3) == 0)
        return strstr(s->kx, "PSK") ? HS_KXK_PSK : HS_KXK_DHE;
    if (strstr(s->kx, "PSK"))
        return HS_KXK_PSK;
    return HS_KXK_OTHER;
}

void hs_explain_ctx_from(struct hs_explain_ctx *cx, const struct hs_tls_state *st,
                         const struct hs_trace *trace)
{
    *cx = (struct hs_explain_ctx){
        .version = st->version,
        .suite = st->suite,
        .kx = st->suite ? hs_kx_kind_of(st->suite, st->version) : HS_KXK_UNKNOWN,
        .suite_name = st->suite ? hs_suite_name(st->suite) : NULL,
        .group = trace && trace->group[0] ? trace->group : NULL,
        .offers_tls13 = st->client_offers_tls13,
        .hello_count = st->ch_count,
        .hrr_count = st->hrr_count,
        .psk = st->server_psk,
        .resumed = st->sid_resumed || (trace && trace->resumed),
        .early_offered = st->client_early_data,
        .early_accepted = st->server_early_accepted,
        .early_ended = st->end_of_early_data,
        .client_finished = st->finished[HS_CLIENT],
        .ems = st->ems,
        .server_certificate = st->server_certificate,
    };
}

/* ---- building a text ---- */

struct text {
    char buf[1024];
    size_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    t->len = hs_bufvf(t->buf, sizeof t->buf, t->len, fmt, ap);
    va_end(ap);
}

static bool has_ext(const struct hs_event *ev, const char *name)
{
    const struct hs_field *arr = hs_f_get(ev->fields, "extensions");
    for (const struct hs_field *e = arr ? arr->child : NULL; e; e = e->next) {
        const char *type = hs_f_get_str(e, "type");
        if (type && strcmp(type, name) == 0)
            return true;
    }
    return false;
}

static bool tls13(const struct hs_explain_ctx *cx)
{
    return cx->version == 0x0304;
}

/* " on x25519" when the group is known. */
static const char *on_group(const struct hs_explain_ctx *cx, char *buf, size_t n)
{
    if (cx->group == NULL || strncmp(cx->group, "DHE", 3) == 0)
        return "";
    snprintf(buf, n, " on %s", cx->group);
    return buf;
}

/* ---- the hellos ---- */

static void client_hello(struct text *t, const struct hs_event *ev, const struct hs_explain_ctx *cx)
{
    bool psk = has_ext(ev, "pre_shared_key");
    if (cx->hrr_count > 0 && cx->hello_count >= 2) {
        put(t, "The client sends its hello again, as the HelloRetryRequest asked: the same offer "
               "with a key_share for the group the server chose%s.",
            has_ext(ev, "cookie") ? " and the server's cookie echoed back" : "");
    } else if (cx->offers_tls13) {
        put(t, "The client opens the handshake with a fresh 32-byte random and the versions, "
               "cipher suites, groups and signature algorithms it accepts; because it offers TLS 1.3 it "
               "already sends a key_share (its Diffie-Hellman public key), so the keys can be "
               "agreed in one round trip.");
        if (psk)
            put(t, " Its pre_shared_key offers a ticket from an earlier connection, to resume "
                   "without the server's certificate.");
        else
            put(t, " The session id is a legacy field here, kept for middlebox compatibility.");
    } else {
        put(t, "The client opens the handshake with a fresh 32-byte random, the highest version it "
               "supports and the cipher suites and extensions it accepts.");
        const char *sid = hs_f_get_str(ev->fields, "session_id");
        if (sid && sid[0])
            put(t, " Its non-empty session id asks to resume that earlier session; the "
                   "randoms, not the session id, make each connection's keys unique.");
        else if (has_ext(ev, "session_ticket"))
            put(t, " The session_ticket extension says it can resume with a ticket.");
    }
    if (cx->early_offered && !(cx->hrr_count > 0 && cx->hello_count >= 2))
        put(t, " It also announces 0-RTT early data, sent before the server replies and open to "
               "replay.");
    put(t, " (RFC %s)", cx->offers_tls13 ? (cx->early_offered ? "8446 §4.1.2, §4.2.10"
                                                              : "8446 §4.1.2")
                                         : "5246 §7.4.1.2");
}

static void server_hello(struct text *t, const struct hs_event *ev, const struct hs_explain_ctx *cx)
{
    char g[48];
    const char *suite = cx->suite_name ? cx->suite_name : "a cipher suite";
    if (tls13(cx)) {
        if (cx->psk) {
            put(t, "The server accepts the pre-shared key from an earlier connection, so no "
                   "certificate follows: both sides already trust the key.");
            if (has_ext(ev, "key_share"))
                put(t, " It still answers the key_share%s, so these keys stay secret even if the "
                       "ticket leaks later.", on_group(cx, g, sizeof g));
            put(t, " Every handshake message after this one is encrypted. (RFC 8446 §4.1.3, "
                   "§2.2)");
            return;
        }
        put(t, "The server picks TLS 1.3 (in supported_versions, the version field stays 1.2), "
               "%s, and sends its own key_share%s; from the two shares each side computes the "
               "same secret, and every handshake message after this one is encrypted. "
               "(RFC 8446 §4.1.3)",
            suite, on_group(cx, g, sizeof g));
        return;
    }
    if (cx->resumed) {
        put(t, "The server echoes the client's session id: it resumes that earlier session, so no "
               "certificate or key exchange follows, and new keys come from the saved master "
               "secret and the two fresh randoms. (RFC 5246 §7.4.1.3, §7.3)");
        return;
    }
    put(t, "The server picks %s and %s and sends its own 32-byte random.",
        cx->version == 0x0303 ? "TLS 1.2" : "the version", suite);
    switch (cx->kx) {
    case HS_KXK_RSA:
        put(t, " With RSA key exchange there is no Diffie-Hellman: the client will make the "
               "pre-master secret and encrypt it to the key in the server's certificate.");
        break;
    case HS_KXK_ECDHE:
        put(t, " With ECDHE each side will send an ephemeral elliptic-curve public key; the "
               "server's comes signed in ServerKeyExchange.");
        break;
    case HS_KXK_DHE:
        put(t, " With DHE each side will send an ephemeral Diffie-Hellman public key; the "
               "server's comes signed in ServerKeyExchange.");
        break;
    default:
        break;
    }
    put(t, " (RFC 5246 §7.4.1.3%s)", cx->kx == HS_KXK_ECDHE ? ", RFC 8422 §2" : "");
}

static void hello_retry(struct text *t, const struct hs_event *ev)
{
    const char *grp = hs_f_get_str(ev->fields, "selected_group");
    bool cookie = has_ext(ev, "cookie");
    if (grp == NULL) {
        const struct hs_field *arr = hs_f_get(ev->fields, "extensions");
        for (const struct hs_field *e = arr ? arr->child : NULL; e && !grp; e = e->next)
            grp = hs_f_get_str(e, "selected_group");
    }
    if (grp)
        put(t, "None of the client's key shares is for a group the server will use, so instead of a "
               "ServerHello it asks for a new ClientHello with a key_share for %s; this costs one "
               "extra round trip.", grp);
    else
        put(t, "The server asks the client to send its ClientHello again, with the changes this "
               "message names; this costs one extra round trip.");
    if (cookie)
        put(t, " The client must echo the cookie, which lets the server stay stateless or check "
               "the client's address.");
    put(t, " (RFC 8446 §4.1.4)");
}

/* ---- key exchange and authentication ---- */

static void certificate(struct text *t, const struct hs_event *ev, const struct hs_explain_ctx *cx)
{
    long long count = 0;
    hs_f_get_int(ev->fields, "count", &count);
    if (ev->from == HS_CLIENT) {
        put(t, "%s (RFC %s)",
            count == 0 ? "The client answers the CertificateRequest with an empty list: it has no "
                         "certificate to offer, and the server decides whether to go on."
                       : "The client's certificate chain, sent because the server asked for one; "
                         "its CertificateVerify will prove it owns the key.",
            tls13(cx) ? "8446 §4.4.2" : "5246 §7.4.6");
        return;
    }
    put(t, "The server's certificate chain: its own certificate first (its names and public key), "
           "then the CA certificates that link it to a root the client trusts.");
    if (tls13(cx))
        put(t, " In TLS 1.3 it travels encrypted. (RFC 8446 §4.4.2)");
    else if (cx->kx == HS_KXK_RSA)
        put(t, " Its RSA public key is the one the client will encrypt the pre-master secret to. "
               "(RFC 5246 §7.4.2)");
    else if (cx->kx == HS_KXK_ECDHE || cx->kx == HS_KXK_DHE)
        put(t, " Its key signs the ServerKeyExchange that follows. (RFC 5246 §7.4.2)");
    else
        put(t, " (RFC 5246 §7.4.2)");
}

static void server_key_exchange(struct text *t, const struct hs_explain_ctx *cx)
{
    char g[48];
    if (cx->kx == HS_KXK_ECDHE)
        put(t, "The server's ephemeral ECDH public key%s, signed with its certificate's key over "
               "both randoms so the client knows it is the server's. A fresh key per connection "
               "gives forward secrecy. (RFC 8422 §5.4)", on_group(cx, g, sizeof g));
    else if (cx->kx == HS_KXK_DHE)
        put(t, "The server's Diffie-Hellman group (p, g) and ephemeral public key, signed with its "
               "certificate's key over both randoms. A fresh key per connection gives forward "
               "secrecy. (RFC 5246 §7.4.3)");
    else if (cx->kx == HS_KXK_PSK)
        put(t, "The server's part of a pre-shared-key exchange: a hint which key to use and, for "
               "(EC)DHE_PSK suites, its ephemeral public key. (RFC 4279 §2, RFC 5489 §2)");
    else
        put(t, "The server's key-exchange parameters, needed when its certificate alone does not "
               "let the client send a pre-master secret. (RFC 5246 §7.4.3)");
}

static void client_key_exchange(struct text *t, const struct hs_event *ev,
                                const struct hs_explain_ctx *cx)
{
    char g[48];
    long long v;
    bool rsa = hs_f_get_int(ev->fields, "encrypted_premaster_length", &v) || cx->kx == HS_KXK_RSA;
    const char *ref;
    if (rsa) {
        put(t, "The client alone made the 48-byte pre-master secret (its offered version and 46 "
               "random bytes) and sends it encrypted to the RSA key in the server's certificate; "
               "the server makes none of its own and only its private key can read this one.");
        ref = "5246 §7.4.7.1";
    } else if (cx->kx == HS_KXK_ECDHE) {
        put(t, "The client's ephemeral ECDH public key%s. Each side combines its own private key "
               "with the other's public key and gets the same pre-master secret, which never "
               "crosses the wire.", on_group(cx, g, sizeof g));
        ref = "8422 §5.7";
    } else if (cx->kx == HS_KXK_DHE) {
        put(t, "The client's ephemeral Diffie-Hellman public key. Each side combines its own "
               "private key with the other's public key and gets the same pre-master secret, "
               "which never crosses the wire.");
        ref = "5246 §7.4.7.2";
    } else {
        put(t, "The client's part of the key exchange, from which both sides get the pre-master "
               "secret.");
        ref = "5246 §7.4.7";
    }
    if (cx->ems)
        put(t, " With extended_master_secret the master secret also covers a hash of the whole "
               "handshake. (RFC %s, RFC 7627 §4)", ref);
    else
        put(t, " (RFC %s)", ref);
}

static void certificate_verify(struct text *t, const struct hs_event *ev,
                               const struct hs_explain_ctx *cx)
{
    const char *scheme = hs_f_get_str(ev->fields, "signature_scheme");
    char with[96] = "";
    if (scheme)
        snprintf(with, sizeof with, " (%s)", scheme);
    const char *who = ev->from == HS_SERVER ? "server" : "client";
    if (tls13(cx))
        put(t, "The %s signs the handshake transcript so far with the private key of its "
               "certificate%s, proving it holds that key%s. (RFC 8446 §4.4.3)", who, with,
            ev->from == HS_SERVER ? " and tying the key exchange to its name" : "");
    else
        put(t, "The client signs all handshake messages so far with the private key of its "
               "certificate%s, proving it owns the certificate it sent. (RFC 5246 §7.4.8)", with);
}

static void finished(struct text *t, const struct hs_event *ev, const struct hs_explain_ctx *cx)
{
    if (tls13(cx)) {
        put(t, "An HMAC over the whole handshake transcript, keyed from the %s's handshake traffic "
               "secret: the peer recomputes it, so any changed message or wrong key shows here.",
            ev->from == HS_SERVER ? "server" : "client");
        if (ev->from == HS_CLIENT)
            put(t, " After it the client too sends under the application traffic keys.");
        put(t, " (RFC 8446 §4.4.4)");
        return;
    }
    put(t, "The first message under the new keys: 12 bytes computed from the master secret and a "
           "hash of all handshake messages; the peer recomputes it, so any changed message or "
           "wrong key shows here. (RFC 5246 §7.4.9)");
}

static void change_cipher_spec(struct text *t, const struct hs_explain_ctx *cx)
{
    if (tls13(cx) || cx->hrr_count > 0 || (cx->version == 0 && cx->offers_tls13))
        put(t, "A dummy record TLS 1.3 sends only so that middleboxes expecting TLS 1.2 let the "
               "connection through; it changes nothing and the peer ignores it. (RFC 8446 §D.4)");
    else
        put(t, "Not a handshake message but a record type of its own: from the next record on, "
               "this side encrypts with the keys just derived%s. (RFC 5246 §7.1)",
            cx->resumed ? " from the resumed master secret" : " from the master secret");
}

static void new_session_ticket(struct text *t, const struct hs_event *ev,
                               const struct hs_explain_ctx *cx)
{
    long long life = -1, early = -1;
    hs_f_get_int(ev->fields, "lifetime", &life);
    hs_f_get_int(ev->fields, "max_early_data_size", &early);
    if (tls13(cx)) {
        put(t, "After the handshake the server gives the client a ticket for resuming later with "
               "a pre-shared key");
        if (life >= 0)
            put(t, ", valid for at most %lld s", life);
        put(t, "; to the client the ticket is opaque.");
        if (early > 0)
            put(t, " It allows up to %lld bytes of 0-RTT data next time, data an attacker could "
                   "replay.", early);
        put(t, " (RFC 8446 §4.6.1)");
        return;
    }
    put(t, "The server hands the client its session state sealed with a key only the server "
           "knows; the client presents it in a later ClientHello to resume without a full "
           "handshake");
    if (life > 0)
        put(t, " (lifetime hint %lld s)", life);
    put(t, ". (RFC 5077 §3.3)");
}

/* ---- records and the rest ---- */

static void application_data(struct text *t, const struct hs_event *ev,
                             const struct hs_explain_ctx *cx)
{
    if (ev->from == HS_CLIENT && cx->early_offered && !cx->early_ended && !cx->client_finished &&
        (cx->version == 0 || tls13(cx))) {
        put(t, "0-RTT early data: the client sends it with keys from the earlier session, before "
               "the server's reply, and an attacker can replay it. (RFC 8446 §2.3, §8)");
        return;
    }
    if (tls13(cx))
        put(t, "Application data (for example HTTP) under the application traffic keys; in TLS 1.3 "
               "every encrypted record says application_data on the wire. (RFC 8446 §5.2)");
    else
        put(t, "Application data (for example HTTP), encrypted and authenticated with the keys "
               "from the master secret. (RFC 5246 §6.2.3)");
}

/* Messages whose explanation does not depend on the connection. */
static const struct {
    const char *type;
    const char *text;
} fixed[] = {
    {"ServerHelloDone", "The server has sent its whole first flight and waits for the client's "
                        "key exchange. (RFC 5246 §7.4.5)"},
    {"EndOfEarlyData", "The client ends its 0-RTT early data; what it sends next uses the "
                       "handshake keys. (RFC 8446 §4.5)"},
    {"CertificateStatus", "An OCSP response signed by the CA, stapled by the server: its "
                          "certificate was not revoked when the response was made. (RFC 6066 §8)"},
    {"HelloRequest", "The server asks the client to start a new handshake (renegotiation). "
                     "(RFC 5246 §7.4.1.1)"},
    {"EncryptedHandshake", "The rest of this side's handshake, encrypted with the handshake keys; "
                           "without the key log it cannot be read, so it is named by its place "
                           "after the ServerHello. (RFC 8446 §2, §5.2)"},
    {"Heartbeat", "A heartbeat, a keep-alive record that the peer answers with the same payload. "
                  "(RFC 6520 §4)"},
    {"NextProtocol", "The client's choice of application protocol under NPN, an extension that "
                     "never became a standard; the standard way is ALPN. (RFC 7301 §3)"},
    {"NotTLS", "These bytes do not start with a TLS record header (content type, version, "
               "length), so the peer is not speaking TLS here. (RFC 8446 §5.1)"},
    {"Error", "hstrace could not read this part of the stream as TLS; the reason is on the row. "
              "TLS data is a series of records, each with a type, version and length. "
              "(RFC 8446 §5.1)"},
};

static void by_type(struct text *t, const struct hs_event *ev, const struct hs_explain_ctx *cx)
{
    const char *ty = ev->type;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(fixed[i].type, ty) == 0) {
            put(t, "%s", fixed[i].text);
            return;
        }
    }
    if (strcmp(ty, "ClientHello") == 0) {
        if (hs_f_get(ev->fields, "challenge"))
            put(t, "A ClientHello in the old SSL 2.0 format, which some clients still used to "
                   "offer TLS to old servers. (RFC 5246 §E.2)");
        else
            client_hello(t, ev, cx);
    } else if (strcmp(ty, "ServerHello") == 0) {
        server_hello(t, ev, cx);
    } else if (strcmp(ty, "HelloRetryRequest") == 0) {
        hello_retry(t, ev);
    } else if (strcmp(ty, "EncryptedExtensions") == 0) {
        put(t, "The server's answers to the client's extensions that key setup does not need (ALPN, "
               "the server name%s), the first message under the handshake keys. (RFC 8446 §4.3.1)",
            cx->early_accepted ? ", and here early_data: it accepts the 0-RTT data" : "");
    } else if (strcmp(ty, "Certificate") == 0 || strcmp(ty, "CompressedCertificate") == 0) {
        certificate(t, ev, cx);
        if (strcmp(ty, "CompressedCertificate") == 0)
            put(t, " It is compressed. (RFC 8879 §4)");
    } else if (strcmp(ty, "CertificateRequest") == 0) {
        put(t, "The server asks the client for a certificate, naming the signature algorithms%s it "
               "accepts. (RFC %s)", tls13(cx) ? "" : " and CAs",
            tls13(cx) ? "8446 §4.3.2" : "5246 §7.4.4");
    } else if (strcmp(ty, "CertificateVerify") == 0) {
        certificate_verify(t, ev, cx);
    } else if (strcmp(ty, "ServerKeyExchange") == 0) {
        server_key_exchange(t, cx);
    } else if (strcmp(ty, "ClientKeyExchange") == 0) {
        client_key_exchange(t, ev, cx);
    } else if (strcmp(ty, "ChangeCipherSpec") == 0) {
        change_cipher_spec(t, cx);
    } else if (strcmp(ty, "Finished") == 0) {
        finished(t, ev, cx);
    } else if (strcmp(ty, "NewSessionTicket") == 0) {
        new_session_ticket(t, ev, cx);
    } else if (strcmp(ty, "KeyUpdate") == 0) {
        const char *req = hs_f_get_str(ev->fields, "request_update");
        put(t, "The sender switches to fresh traffic keys derived from its current ones%s. "
               "(RFC 8446 §4.6.3)", req && strcmp(req, "update_requested") == 0
                                        ? " and asks the peer to do the same" : "");
    } else if (strcmp(ty, "ApplicationData") == 0) {
        application_data(t, ev, cx);
    } else {
        put(t, "A handshake message hstrace does not decode; every handshake message starts with "
               "a type and a 3-byte length. (RFC 8446 §4)");
    }
}

char *hs_explain_event(const struct hs_event *ev, const struct hs_explain_ctx *cx)
{
    if (ev == NULL || cx == NULL || ev->layer != HS_LAYER_TLS)
        return NULL;
    struct text t = {.len = 0};
    if (strcmp(ev->type, "Alert") == 0) {
        long long code = -1;
        const char *level = hs_f_get_str(ev->fields, "level");
        if (!hs_f_get_int(ev->fields, "code", &code))
            code = -1;
        int lv = level == NULL ? 0 : strcmp(level, "fatal") == 0 ? 2 : strcmp(level, "warning") == 0;
        hs_explain_alert((int)code, lv, ev->from, t.buf, sizeof t.buf);
        t.len = strlen(t.buf);
    } else {
        by_type(&t, ev, cx);
    }
    return hs_xstrdup(t.buf);
}
