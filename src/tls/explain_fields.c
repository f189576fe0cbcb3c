/*
 * Fields for learners: one entry per (message, field), where the message "*" stands for any
 * message that has no entry of its own.  Field names are those of the field tree; an
 * extension is looked up by its type name ("key_share").  Each text ends with its reference.
 */
#include "explain.h"

#include <string.h>

struct field_text {
    const char *msg;   /* row type, or "*" */
    const char *field;
    const char *text;
};

static const struct field_text field_texts[] = {
    /* The hellos. */
    {"ClientHello", "version",
     "legacy_version: in TLS 1.3 it stays 0x0303 (TLS 1.2) and the versions really offered are "
     "in supported_versions. (RFC 8446 §4.1.2)"},
    {"ServerHello", "version",
     "legacy_version: a TLS 1.3 server still writes TLS 1.2 here and names TLS 1.3 in "
     "supported_versions. (RFC 8446 §4.1.3)"},
    {"ClientHello", "random",
     "32 fresh random bytes from the client. Both randoms go into the key derivation and the "
     "handshake transcript, which is what makes each handshake unique and stops replay. "
     "(RFC 8446 §4.1.2, RFC 5246 §7.4.1.2)"},
    {"ServerHello", "random",
     "32 fresh random bytes from the server; when a TLS 1.3 server negotiates an older "
     "version its last 8 bytes are a fixed marker, so the client can detect a downgrade. "
     "(RFC 8446 §4.1.3)"},
    {"HelloRetryRequest", "random",
     "Not random: every HelloRetryRequest carries the same fixed value, SHA-256 of "
     "\"HelloRetryRequest\", which is how it is told from a ServerHello. (RFC 8446 §4.1.3)"},
    {"ClientHello", "session_id",
     "In TLS 1.2, non-empty to resume an earlier session (the server echoes it if it agrees); "
     "in TLS 1.3 a legacy field, often random for middlebox compatibility. It does not prevent "
     "replay. (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2)"},
    {"*", "session_id",
     "The server's session id: in TLS 1.2 the id to resume this session later (the client's "
     "own when it resumes); in TLS 1.3 an echo of the client's legacy value. (RFC 8446 §4.1.3, "
     "RFC 5246 §7.4.1.3)"},
    {"*", "cipher_suites",
     "The suites the client accepts, most preferred first. Each names the record protection "
     "(cipher and hash) and, before TLS 1.3, also the key exchange and signature. "
     "(RFC 8446 §4.1.2, RFC 5246 §7.4.1.2)"},
    {"*", "cipher_suite",
     "The one suite the server chose from the client's list. (RFC 8446 §4.1.3, RFC 5246 "
     "§7.4.1.3)"},
    {"*", "compression_methods",
     "Always just null today: TLS-level compression leaked secrets (CRIME) and TLS 1.3 "
     "removed it. (RFC 8446 §4.1.2)"},
    {"*", "extensions",
     "Optional features, each a type and a length; a server may only answer extensions the "
     "client offered. (RFC 8446 §4.2)"},
    /* Extensions. */
    {"*", "server_name",
     "SNI: the host name the client wants, in clear text, so one address can serve many sites "
     "and pick the right certificate. (RFC 6066 §3)"},
    {"*", "supported_versions",
     "In the ClientHello the versions offered; in the ServerHello the one chosen. This, not "
     "the version field, is how TLS 1.3 is negotiated. (RFC 8446 §4.2.1)"},
    {"*", "supported_groups",
     "The key-exchange groups (elliptic curves, finite fields) the client accepts, most "
     "preferred first. (RFC 8446 §4.2.7, RFC 8422 §5.1.1)"},
    {"ClientHello", "key_share",
     "The client's Diffie-Hellman public keys, one per group it guesses the server will pick; a "
     "wrong guess costs a HelloRetryRequest. (RFC 8446 §4.2.8)"},
    {"HelloRetryRequest", "key_share",
     "The group the server wants a key share for, and no key of its own. (RFC 8446 §4.2.8)"},
    {"*", "key_share",
     "The server's Diffie-Hellman public key, in one of the groups the client sent a share for. "
     "(RFC 8446 §4.2.8)"},
    {"*", "signature_algorithms",
     "The signature schemes the sender accepts in CertificateVerify and certificates. "
     "(RFC 8446 §4.2.3)"},
    {"*", "signature_algorithms_cert",
     "The signature schemes the sender accepts in certificates, when they differ from those "
     "for CertificateVerify. (RFC 8446 §4.2.3)"},
    {"*", "application_layer_protocol_negotiation",
     "ALPN: the client lists application protocols (h2, http/1.1), the server picks one in the "
     "handshake. (RFC 7301 §3.1)"},
    {"*", "pre_shared_key",
     "In the ClientHello, tickets (PSK identities) from earlier connections with binders that "
     "prove the client knows their keys; in the ServerHello, the one accepted. "
     "(RFC 8446 §4.2.11)"},
    {"*", "psk_key_exchange_modes",
     "Whether a resumption may use the PSK alone (psk_ke) or with a fresh Diffie-Hellman "
     "exchange too (psk_dhe_ke, forward secret). (RFC 8446 §4.2.9)"},
    {"*", "early_data",
     "0-RTT: the client sends data before the server's reply, under the PSK's keys; it has no "
     "forward secrecy and can be replayed. (RFC 8446 §4.2.10)"},
    {"*", "cookie",
     "A value the server puts in a HelloRetryRequest and the client echoes in its second hello, "
     "e.g. to check the client's address or keep the server stateless. (RFC 8446 §4.2.2)"},
    {"*", "extended_master_secret",
     "Both sides derive the master secret from a hash of the whole handshake, not only the "
     "randoms, so two connections can never share one. (RFC 7627 §4)"},
    {"*", "session_ticket",
     "TLS 1.2 session tickets: empty to say the client supports them, or an earlier ticket to "
     "resume with. (RFC 5077 §3.2)"},
    {"*", "renegotiation_info",
     "Binds a renegotiation to the connection it happens in, against the renegotiation attack. "
     "(RFC 5746 §3.2)"},
    {"*", "status_request",
     "Asks the server to staple a fresh OCSP response about its certificate. (RFC 6066 §8)"},
    {"*", "encrypt_then_mac",
     "For CBC suites: compute the MAC over the ciphertext instead of the plaintext. "
     "(RFC 7366 §2)"},
    {"*", "ec_point_formats",
     "The elliptic-curve point encodings accepted; in practice uncompressed only. "
     "(RFC 8422 §5.1.2)"},
    {"*", "record_size_limit",
     "The largest record the sender is willing to receive. (RFC 8449 §4)"},
    {"*", "padding",
     "Zero bytes that only change the ClientHello's length, to get past buggy middleboxes. "
     "(RFC 7685 §3)"},
    {"*", "encrypted_client_hello",
     "ECH: the real ClientHello, encrypted to a key the server published, so the SNI is not "
     "sent in clear. (RFC 9849 §5)"},
    {"*", "compress_certificate",
     "The certificate compression algorithms the sender can decompress. (RFC 8879 §3)"},
    {"*", "post_handshake_auth",
     "The client can answer a certificate request after the handshake. (RFC 8446 §4.2.6)"},
    {"*", "certificate_authorities",
     "The CAs the sender trusts, to help the peer pick a certificate. (RFC 8446 §4.2.4)"},
    /* Key exchange and certificates. */
    {"*", "group",
     "The named group of the ephemeral key exchange. (RFC 8422 §5.4, RFC 8446 §4.2.7)"},
    {"*", "selected_group",
     "The group the server wants a key share for in the client's second hello. "
     "(RFC 8446 §4.2.8)"},
    {"*", "public_key",
     "An ephemeral Diffie-Hellman public key; the matching private key never leaves its owner. "
     "(RFC 8422 §5.4, §5.7)"},
    {"*", "encrypted_premaster_length",
     "The length of the pre-master secret encrypted to the server's RSA key: the size of the "
     "RSA modulus. (RFC 5246 §7.4.7.1)"},
    {"*", "certificates",
     "The chain, sender's certificate first; each one is signed by the next. (RFC 8446 §4.4.2)"},
    {"*", "subject",
     "Who the certificate names; browsers check the server name against the SAN list, not "
     "this. (RFC 5280 §4.1.2.6)"},
    {"*", "issuer", "The CA that signed this certificate. (RFC 5280 §4.1.2.4)"},
    {"*", "san",
     "subjectAltName: the names (DNS, IP) the certificate is valid for, which the client "
     "matches against the server it wanted. (RFC 5280 §4.2.1.6)"},
    {"*", "not_before", "The certificate is not valid before this time. (RFC 5280 §4.1.2.5)"},
    {"*", "not_after", "The certificate is not valid after this time. (RFC 5280 §4.1.2.5)"},
    {"*", "serial", "Unique per issuing CA; revocation lists name certificates by it. "
                    "(RFC 5280 §4.1.2.2)"},
    {"*", "signature_algorithm",
     "The algorithm the issuer used to sign this certificate. (RFC 5280 §4.1.1.2)"},
    {"*", "signature_scheme",
     "The algorithm of this signature, one of those the peer listed in signature_algorithms. "
     "(RFC 8446 §4.4.3)"},
    {"*", "signature",
     "The signature itself, made with the private key of the sender's certificate. "
     "(RFC 8446 §4.4.3)"},
    {"*", "verify_data",
     "The Finished value: an HMAC (TLS 1.3) or PRF output (TLS 1.2) over the handshake "
     "transcript; the peer recomputes and compares it. (RFC 8446 §4.4.4, RFC 5246 §7.4.9)"},
    /* Tickets and alerts. */
    {"*", "lifetime",
     "How long, in seconds, the ticket may be used (TLS 1.3: at most 7 days; TLS 1.2: a hint). "
     "(RFC 8446 §4.6.1, RFC 5077 §3.3)"},
    {"*", "age_add",
     "A random number the client adds to the ticket's age when it uses it, so observers cannot "
     "link the connections. (RFC 8446 §4.6.1)"},
    {"*", "nonce",
     "Makes each ticket from this connection derive a different PSK. (RFC 8446 §4.6.1)"},
    {"*", "ticket_length",
     "The ticket is opaque to the client: only the server can read it. (RFC 8446 §4.6.1, "
     "RFC 5077 §3.3)"},
    {"*", "max_early_data_size",
     "How many bytes of 0-RTT data the client may send when it uses this ticket. "
     "(RFC 8446 §4.6.1)"},
    {"*", "level",
     "warning or fatal; in TLS 1.3 every alert but close_notify and user_canceled is fatal "
     "whatever this says. (RFC 8446 §6)"},
    {"*", "description", "What went wrong, one code per reason. (RFC 8446 §6.2)"},
    {"*", "request_update",
     "Whether the peer should update its sending keys too. (RFC 8446 §4.6.3)"},
};

const char *hs_explain_field(const char *msg_type, const char *field)
{
    if (field == NULL)
        return NULL;
    const char *any = NULL;
    for (size_t i = 0; i < sizeof field_texts / sizeof field_texts[0]; i++) {
        if (strcmp(field_texts[i].field, field) != 0)
            continue;
        if (msg_type && strcmp(field_texts[i].msg, msg_type) == 0)
            return field_texts[i].text;
        if (any == NULL && strcmp(field_texts[i].msg, "*") == 0)
            any = field_texts[i].text;
    }
    return any;
}
