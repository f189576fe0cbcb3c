/*
 * Alerts for learners: one entry per alert description (RFC 8446 §6, RFC 5246 §7.2, RFC 6066,
 * RFC 7301, RFC 7507, RFC 9849): who sends it and what it means, ending with its reference.
 * To add an alert, add its line to the table.
 */
#include "explain.h"

#include <stdio.h>

struct alert_text {
    uint8_t code;
    const char *text;
};

static const struct alert_text alert_texts[] = {
    {0, "close_notify: the sender will send nothing more on this connection. Closing this way "
        "lets the peer tell a complete conversation from one an attacker cut short. "
        "(RFC 8446 §6.1)"},
    {10, "unexpected_message: sent by the side that received a message that does not belong at "
         "this point of the handshake or connection. (RFC 8446 §6.2)"},
    {20, "bad_record_mac: sent by the side that received a record it could not decrypt or whose "
         "integrity check failed, from damaged data or keys that differ between the sides. "
         "(RFC 8446 §6.2)"},
    {21, "decryption_failed: an old alert for a record that did not decrypt; TLS 1.2 forbids "
         "sending it, because telling it apart from bad_record_mac helped attacks on CBC. "
         "(RFC 5246 §7.2.2)"},
    {22, "record_overflow: sent by the side that received a record longer than the protocol "
         "allows (2^14 bytes of plaintext plus the protection overhead). (RFC 8446 §6.2)"},
    {30, "decompression_failure: an old alert for data that did not decompress; TLS 1.3 has no "
         "compression. (RFC 5246 §7.2.2)"},
    {40, "handshake_failure: the sender found no set of parameters it accepts among those "
         "offered, such as a common cipher suite, group or signature algorithm. (RFC 8446 §6.2)"},
    {41, "no_certificate: an SSL 3.0 alert that no version of TLS sends. (RFC 5246 §7.2.2)"},
    {42, "bad_certificate: sent by the side that received a certificate that is corrupt or whose "
         "signatures do not verify. (RFC 8446 §6.2)"},
    {43, "unsupported_certificate: sent by the side that received a certificate of a type it "
         "does not support. (RFC 8446 §6.2)"},
    {44, "certificate_revoked: sent by the side that learned the peer's certificate was revoked "
         "by its signer. (RFC 8446 §6.2)"},
    {45, "certificate_expired: sent by the side that received a certificate that has expired or "
         "is not valid yet (its clock counts too). (RFC 8446 §6.2)"},
    {46, "certificate_unknown: sent by the side that rejected the peer's certificate for a "
         "reason the other alerts do not name. (RFC 8446 §6.2)"},
    {47, "illegal_parameter: sent by the side that received a field out of range or "
         "inconsistent with other fields, such as a choice that was never offered. "
         "(RFC 8446 §6.2)"},
    {48, "unknown_ca: sent by the side whose checks found that the peer's chain does not lead to "
         "a CA it trusts, or the CA certificate could not be found. (RFC 8446 §6.2)"},
    {49, "access_denied: the peer's certificate or PSK was valid, but the sender's access "
         "policy refuses to go on. (RFC 8446 §6.2)"},
    {50, "decode_error: sent by the side that could not parse a message: a field out of its "
         "range or a length that does not add up. (RFC 8446 §6.2)"},
    {51, "decrypt_error: sent by the side whose cryptographic check of the handshake failed: a "
         "signature, a Finished value or a PSK binder did not verify. (RFC 8446 §6.2)"},
    {60, "export_restriction: an old alert for export-grade parameters; TLS 1.2 forbids "
         "sending it. (RFC 5246 §7.2.2)"},
    {70, "protocol_version: sent by the side that recognises the peer's protocol version but "
         "does not support it, e.g. a server that requires a newer version. (RFC 8446 §6.2)"},
    {71, "insufficient_security: sent by a server instead of handshake_failure when it needs "
         "stronger parameters than any the client offered. (RFC 8446 §6.2)"},
    {80, "internal_error: the sender hit a problem of its own, unrelated to the peer or the "
         "protocol (such as running out of memory). (RFC 8446 §6.2)"},
    {86, "inappropriate_fallback: sent by a server to a client that retried with a lower version "
         "(TLS_FALLBACK_SCSV) although both support a higher one: a sign of a downgrade. "
         "(RFC 7507 §3)"},
    {90, "user_canceled: the sender's user or application called the handshake off; a "
         "close_notify should follow. (RFC 8446 §6.1)"},
    {100, "no_renegotiation: TLS 1.2, sent by the side that refuses a request to renegotiate; "
          "always a warning, the connection goes on. (RFC 5246 §7.2.2)"},
    {109, "missing_extension: sent by the side that received a handshake message without an "
          "extension it must carry, such as a TLS 1.3 ClientHello without signature_algorithms. "
          "(RFC 8446 §6.2)"},
    {110, "unsupported_extension: sent by the side that received an extension forbidden in that "
          "message, or one in a ServerHello or Certificate that was never offered. "
          "(RFC 8446 §6.2)"},
    {111, "certificate_unobtainable: sent by a server that could not fetch the client's "
          "certificate from the URL the client gave. (RFC 6066 §9)"},
    {112, "unrecognized_name: sent by a server that has no site for the name the client asked "
          "for with server_name (SNI); before TLS 1.3 it may be only a warning. "
          "(RFC 8446 §6.2, RFC 6066 §3)"},
    {113, "bad_certificate_status_response: sent by a client that received an invalid or "
          "unacceptable OCSP response (status_request) from the server. (RFC 8446 §6.2)"},
    {114, "bad_certificate_hash_value: sent by a server when a certificate it fetched from the "
          "client's URL does not match the hash the client gave. (RFC 6066 §9)"},
    {115, "unknown_psk_identity: sent by a server that wants a PSK key exchange but accepts none "
          "of the identities the client offered (it may send decrypt_error instead). "
          "(RFC 8446 §6.2)"},
    {116, "certificate_required: sent by a server that requires a client certificate when the "
          "client sent none. (RFC 8446 §6.2)"},
    {120, "no_application_protocol: sent by a server that supports none of the application "
          "protocols the client offered with ALPN. (RFC 7301 §3.2)"},
    {121, "ech_required: sent by the client, not the server: the server did not accept its "
          "Encrypted Client Hello, so the client stops and may retry with the configurations "
          "the server returned. (RFC 9849 §6.1.6, draft-ietf-tls-esni)"},
};

const char *hs_alert_meaning(uint8_t desc)
{
    for (size_t i = 0; i < sizeof alert_texts / sizeof alert_texts[0]; i++)
        if (alert_texts[i].code == desc)
            return alert_texts[i].text;
    return NULL;
}

const char *hs_explain_alert(int desc, int level, enum hs_side from, char *buf, size_t n)
{
    const char *who = from == HS_SERVER ? "server" : "client";
    if (n == 0)
        return buf;
    if (desc < 0 || desc > 255) {
        snprintf(buf, n, "An alert from the %s, encrypted, so its level and description cannot be "
                         "read without the keys; a fatal alert ends the connection. "
                         "(RFC 8446 §6)", who);
        return buf;
    }
    const char *meaning = hs_alert_meaning((uint8_t)desc);
    char head[80];
    const char *kind = level == 2 ? "A fatal alert" : level == 1 ? "A warning" : "An alert";
    snprintf(head, sizeof head, "%s from the %s%s", kind, who,
             level == 2 ? "; it ends the connection." : ".");
    if (desc == 0)
        snprintf(head, sizeof head, "The %s closes the connection cleanly.", who);
    if (meaning)
        snprintf(buf, n, "%s %s", head, meaning);
    else
        snprintf(buf, n, "%s alert %d has no meaning in the TLS registry hstrace knows; fatal "
                         "alerts end the connection. (RFC 8446 §6)", head, desc);
    return buf;
}
