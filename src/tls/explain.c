/* One plain-words sentence per message type, for learners reading the ladder. */
#include "msg.h"

#include <string.h>

struct explanation {
    const char *type;
    const char *text;       /* TLS 1.2 and below, or any version */
    const char *text13;     /* TLS 1.3, when it differs */
};

static const struct explanation table[] = {
    {"ClientHello",
     "The client opens the handshake: the versions, cipher suites and key-exchange groups it "
     "supports, and which site it wants (SNI).",
     "The client opens the handshake: the versions, cipher suites and groups it supports, its "
     "half of the key exchange (key_share) and which site it wants (SNI)."},
    {"ServerHello",
     "The server picks the protocol version and cipher suite for the connection.",
     "The server picks the protocol version and cipher suite and sends its half of the key "
     "exchange; everything after this is encrypted."},
    {"HelloRetryRequest",
     "The server needs a different key-exchange group and asks the client to send its hello "
     "again.", NULL},
    {"EncryptedExtensions",
     "The server's remaining choices (such as ALPN), sent encrypted now that keys exist.", NULL},
    {"Certificate",
     "A chain of certificates: the identity of the sender and the authorities that vouch for "
     "it.", NULL},
    {"CertificateRequest", "The server asks the client to prove its identity with a certificate.",
     NULL},
    {"CertificateVerify",
     "A signature over the handshake so far, proving the sender holds the certificate's private "
     "key.", NULL},
    {"ServerKeyExchange",
     "The server's half of the key exchange, signed with its certificate key.", NULL},
    {"ServerHelloDone", "The server has sent everything for this step and waits for the client.",
     NULL},
    {"ClientKeyExchange",
     "The client's half of the key exchange; both sides can now compute the session keys.", NULL},
    {"ChangeCipherSpec",
     "From here on, this side's records are encrypted with the new keys.",
     "A no-op kept only so that old middleboxes accept TLS 1.3 traffic."},
    {"Finished",
     "A keyed checksum of the whole handshake: both sides check that nobody tampered with it.",
     NULL},
    {"NewSessionTicket",
     "A ticket the client can present later to resume the session without a full handshake.",
     NULL},
    {"KeyUpdate", "The sender switches to fresh keys derived from the current ones.", NULL},
    {"EndOfEarlyData", "The client has finished sending 0-RTT early data.", NULL},
    {"CertificateStatus",
     "A signed statement (OCSP) that the server's certificate has not been revoked.", NULL},
    {"Alert", "A warning or error message; a fatal alert ends the connection.", NULL},
    {"ApplicationData", "Encrypted application data (for example HTTP) exchanged after the "
                        "handshake.", NULL},
    {"EncryptedHandshake",
     "The rest of this side's handshake, already encrypted with the handshake keys. Without the "
     "key log its messages cannot be read: they are named here by their place after the "
     "ServerHello.", NULL},
    {"HelloRequest", "The server asks the client to start a new handshake (renegotiation).", NULL},
    {"CompressedCertificate", "The certificate chain, compressed to save bytes.", NULL},
};

const char *hs_explain(const char *type, enum hs_side from, bool tls13)
{
    (void)from;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].type, type) == 0)
            return tls13 && table[i].text13 ? table[i].text13 : table[i].text;
    }
    return NULL;
}
