/* Value-to-name tables from the IANA TLS registries (RFC 8446, 8447, 8701 and the registries
 * they create), plus a few widely deployed pre-standard code points. */
#include "names.h"

#include <stddef.h>
#include <strings.h>

struct name16 {
    uint16_t v;
    const char *name;
};

static const char *find16(const struct name16 *t, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].v == v)
            return t[i].name;
    return NULL;
}

#define FIND(tab, v) find16((tab), sizeof(tab) / sizeof((tab)[0]), (v))

static const struct name16 handshake_types[] = {
    {0, "HelloRequest"},        {1, "ClientHello"},          {2, "ServerHello"},
    {3, "HelloVerifyRequest"},  {4, "NewSessionTicket"},     {5, "EndOfEarlyData"},
    {6, "HelloRetryRequest"},   {8, "EncryptedExtensions"},  {9, "RequestConnectionId"},
    {10, "NewConnectionId"},    {11, "Certificate"},         {12, "ServerKeyExchange"},
    {13, "CertificateRequest"}, {14, "ServerHelloDone"},     {15, "CertificateVerify"},
    {16, "ClientKeyExchange"},  {17, "ClientCertificateRequest"}, {20, "Finished"},
    {21, "CertificateURL"},     {22, "CertificateStatus"},   {23, "SupplementalData"},
    {24, "KeyUpdate"},          {25, "CompressedCertificate"}, {26, "EktKey"},
    {67, "NextProtocol"},       {254, "MessageHash"},
};

const char *hs_name_handshake(uint8_t type) { return FIND(handshake_types, type); }

static const struct name16 content_types[] = {
    {20, "change_cipher_spec"}, {21, "alert"}, {22, "handshake"}, {23, "application_data"},
    {24, "heartbeat"}, {25, "tls12_cid"}, {26, "ack"},
};

const char *hs_name_content_type(uint8_t type) { return FIND(content_types, type); }

static const struct name16 extensions[] = {
    {0, "server_name"},
    {1, "max_fragment_length"},
    {2, "client_certificate_url"},
    {3, "trusted_ca_keys"},
    {4, "truncated_hmac"},
    {5, "status_request"},
    {6, "user_mapping"},
    {7, "client_authz"},
    {8, "server_authz"},
    {9, "cert_type"},
    {10, "supported_groups"},
    {11, "ec_point_formats"},
    {12, "srp"},
    {13, "signature_algorithms"},
    {14, "use_srtp"},
    {15, "heartbeat"},
    {16, "application_layer_protocol_negotiation"},
    {17, "status_request_v2"},
    {18, "signed_certificate_timestamp"},
    {19, "client_certificate_type"},
    {20, "server_certificate_type"},
    {21, "padding"},
    {22, "encrypt_then_mac"},
    {23, "extended_master_secret"},
    {24, "token_binding"},
    {25, "cached_info"},
    {26, "tls_lts"},
    {27, "compress_certificate"},
    {28, "record_size_limit"},
    {29, "pwd_protect"},
    {30, "pwd_clear"},
    {31, "password_salt"},
    {32, "ticket_pinning"},
    {33, "tls_cert_with_extern_psk"},
    {34, "delegated_credential"},
    {35, "session_ticket"},
    {36, "TLMSP"},
    {37, "TLMSP_proxying"},
    {38, "TLMSP_delegate"},
    {39, "supported_ekt_ciphers"},
    {41, "pre_shared_key"},
    {42, "early_data"},
    {43, "supported_versions"},
    {44, "cookie"},
    {45, "psk_key_exchange_modes"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {49, "post_handshake_auth"},
    {50, "signature_algorithms_cert"},
    {51, "key_share"},
    {52, "transparency_info"},
    {53, "connection_id_deprecated"},
    {54, "connection_id"},
    {55, "external_id_hash"},
    {56, "external_session_id"},
    {57, "quic_transport_parameters"},
    {58, "ticket_request"},
    {59, "dnssec_chain"},
    {60, "sequence_number_encryption_algorithms"},
    {61, "rrc"},
    {62, "tls_flags"},
    {13172, "next_protocol_negotiation"},  /* pre-standard NPN, still sent by some clients */
    {17513, "application_settings_old"},   /* ALPS, Chrome's first code point */
    {17613, "application_settings"},       /* ALPS */
    {30031, "channel_id_old"},
    {30032, "channel_id"},
    {0xfd00, "ech_outer_extensions"},
    {0xfe0d, "encrypted_client_hello"},
    {0xff01, "renegotiation_info"},
    {0xffa5, "quic_transport_parameters_draft"},
};

const char *hs_name_extension(uint16_t type)
{
    if (hs_is_grease(type))
        return "GREASE";
    return FIND(extensions, type);
}

static const struct name16 groups[] = {
    {1, "sect163k1"},        {2, "sect163r1"},        {3, "sect163r2"},
    {4, "sect193r1"},        {5, "sect193r2"},        {6, "sect233k1"},
    {7, "sect233r1"},        {8, "sect239k1"},        {9, "sect283k1"},
    {10, "sect283r1"},       {11, "sect409k1"},       {12, "sect409r1"},
    {13, "sect571k1"},       {14, "sect571r1"},       {15, "secp160k1"},
    {16, "secp160r1"},       {17, "secp160r2"},       {18, "secp192k1"},
    {19, "secp192r1"},       {20, "secp224k1"},       {21, "secp224r1"},
    {22, "secp256k1"},       {23, "secp256r1"},       {24, "secp384r1"},
    {25, "secp521r1"},       {26, "brainpoolP256r1"}, {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"}, {29, "x25519"},          {30, "x448"},
    {31, "brainpoolP256r1tls13"}, {32, "brainpoolP384r1tls13"}, {33, "brainpoolP512r1tls13"},
    {34, "GC256A"},          {35, "GC256B"},          {36, "GC256C"},
    {37, "GC256D"},          {38, "GC512A"},          {39, "GC512B"},
    {40, "GC512C"},          {41, "curveSM2"},
    {256, "ffdhe2048"},      {257, "ffdhe3072"},      {258, "ffdhe4096"},
    {259, "ffdhe6144"},      {260, "ffdhe8192"},
    {512, "MLKEM512"},       {513, "MLKEM768"},       {514, "MLKEM1024"},
    {0x11eb, "SecP256r1MLKEM768"}, {0x11ec, "X25519MLKEM768"}, {0x11ed, "SecP384r1MLKEM1024"},
    {0x6399, "X25519Kyber768Draft00"}, {0x639a, "SecP256r1Kyber768Draft00"},
    {0xff01, "arbitrary_explicit_prime_curves"}, {0xff02, "arbitrary_explicit_char2_curves"},
};

const char *hs_name_group(uint16_t group)
{
    if (hs_is_grease(group))
        return "GREASE";
    return FIND(groups, group);
}

/* Other spellings users type for the common groups (OpenSSL, NIST, mbedTLS). */
static const struct name16 group_aliases[] = {
    {23, "P-256"}, {23, "prime256v1"}, {23, "P256"}, {23, "secp256r1"},
    {24, "P-384"}, {24, "P384"},       {25, "P-521"}, {25, "P521"},
    {29, "X25519"}, {30, "X448"},      {0x11ec, "x25519_mlkem768"},
    {0x11ec, "X25519MLKEM768"},        {0x6399, "x25519_kyber768"},
    {0x11eb, "secp256r1_mlkem768"},    {0x11eb, "p256_mlkem768"},
};

int hs_group_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strcasecmp(groups[i].name, name) == 0)
            return groups[i].v;
    for (size_t i = 0; i < sizeof group_aliases / sizeof group_aliases[0]; i++)
        if (strcasecmp(group_aliases[i].name, name) == 0)
            return group_aliases[i].v;
    return -1;
}

static const struct name16 sigschemes[] = {
    {0x0101, "rsa_md5"},                 /* TLS 1.2 hash/signature pairs (RFC 5246) */
    {0x0201, "rsa_pkcs1_sha1"},          {0x0202, "dsa_sha1"},
    {0x0203, "ecdsa_sha1"},              {0x0301, "rsa_sha224"},
    {0x0302, "dsa_sha224"},              {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"},        {0x0402, "dsa_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},  {0x0420, "rsa_pkcs1_sha256_legacy"},
    {0x0501, "rsa_pkcs1_sha384"},        {0x0502, "dsa_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},  {0x0520, "rsa_pkcs1_sha384_legacy"},
    {0x0601, "rsa_pkcs1_sha512"},        {0x0602, "dsa_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},  {0x0620, "rsa_pkcs1_sha512_legacy"},
    {0x0704, "eccsi_sha256"},            {0x0705, "iso_ibs1"},
    {0x0706, "iso_ibs2"},                {0x0707, "iso_chinese_ibs"},
    {0x0708, "sm2sig_sm3"},              {0x0709, "gostr34102012_256a"},
    {0x070a, "gostr34102012_256b"},      {0x070b, "gostr34102012_256c"},
    {0x070c, "gostr34102012_256d"},      {0x070d, "gostr34102012_512a"},
    {0x070e, "gostr34102012_512b"},      {0x070f, "gostr34102012_512c"},
    {0x0804, "rsa_pss_rsae_sha256"},     {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},     {0x0807, "ed25519"},
    {0x0808, "ed448"},                   {0x0809, "rsa_pss_pss_sha256"},
    {0x080a, "rsa_pss_pss_sha384"},      {0x080b, "rsa_pss_pss_sha512"},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"},                 {0x0905, "mldsa65"},
    {0x0906, "mldsa87"},
};

const char *hs_name_sigscheme(uint16_t scheme)
{
    if (hs_is_grease(scheme))
        return "GREASE";
    return FIND(sigschemes, scheme);
}

struct alert_info {
    uint8_t v;
    const char *name;
    const char *cause;
};

static const struct alert_info alerts[] = {
    {0, "close_notify", "The sender is closing the connection normally."},
    {10, "unexpected_message",
     "A message arrived that the sender did not expect at this point of the protocol."},
    {20, "bad_record_mac",
     "A record failed its integrity check: corrupted data, or the two sides derived different keys."},
    {21, "decryption_failed", "A record could not be decrypted (an obsolete alert)."},
    {22, "record_overflow", "A record was longer than the protocol allows."},
    {30, "decompression_failure", "Compressed data could not be decompressed (an obsolete alert)."},
    {40, "handshake_failure",
     "The two sides share no acceptable set of parameters (version, cipher suite, group or signature algorithm)."},
    {41, "no_certificate", "No certificate was available (an SSL 3.0 alert)."},
    {42, "bad_certificate", "A certificate was corrupt or its signature did not verify."},
    {43, "unsupported_certificate", "The certificate is of a type the peer does not support."},
    {44, "certificate_revoked", "The certificate was revoked by its issuer."},
    {45, "certificate_expired", "The certificate has expired or is not yet valid."},
    {46, "certificate_unknown",
     "The certificate was rejected for another reason, often an untrusted chain or a name mismatch."},
    {47, "illegal_parameter", "A field in a handshake message was out of range or inconsistent."},
    {48, "unknown_ca", "The certificate chain does not lead to a certificate authority the peer trusts."},
    {49, "access_denied", "The certificate was valid, but the peer's policy refused access."},
    {50, "decode_error", "A message could not be parsed: a length or field was wrong."},
    {51, "decrypt_error",
     "A cryptographic check failed: a signature, the Finished message or a key exchange did not verify."},
    {60, "export_restriction", "An export-grade parameter was refused (an obsolete alert)."},
    {70, "protocol_version",
     "The peer does not support the protocol version offered (too old or too new)."},
    {71, "insufficient_security",
     "The peer requires stronger parameters than any the other side offered."},
    {80, "internal_error", "The sender hit an internal problem unrelated to the peer."},
    {86, "inappropriate_fallback",
     "The client retried with a lower version although the server supports a higher one."},
    {90, "user_canceled", "The handshake was canceled on purpose by the sender."},
    {100, "no_renegotiation", "The sender refuses to renegotiate the connection."},
    {109, "missing_extension", "A required extension was not sent."},
    {110, "unsupported_extension",
     "An extension appeared in a message where it is not allowed or was not requested."},
    {111, "certificate_unobtainable", "A certificate could not be fetched from its URL."},
    {112, "unrecognized_name", "The server has no site matching the requested server name (SNI)."},
    {113, "bad_certificate_status_response", "The OCSP response for the certificate was invalid."},
    {114, "bad_certificate_hash_value", "A certificate hash did not match."},
    {115, "unknown_psk_identity", "The server does not know the pre-shared key identity offered."},
    {116, "certificate_required", "The server requires a client certificate and the client sent none."},
    {120, "no_application_protocol",
     "The server supports none of the application protocols offered with ALPN."},
    {121, "ech_required", "The server requires Encrypted Client Hello."},
};

static const struct alert_info *alert_find(uint8_t desc)
{
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
        if (alerts[i].v == desc)
            return &alerts[i];
    return NULL;
}

const char *hs_name_alert(uint8_t desc)
{
    const struct alert_info *a = alert_find(desc);
    return a ? a->name : NULL;
}

const char *hs_alert_cause(uint8_t desc)
{
    const struct alert_info *a = alert_find(desc);
    return a ? a->cause : NULL;
}

static const struct name16 versions[] = {
    {0x0002, "SSL 2.0"},  {0x0300, "SSL 3.0"},  {0x0301, "TLS 1.0"},  {0x0302, "TLS 1.1"},
    {0x0303, "TLS 1.2"},  {0x0304, "TLS 1.3"},  {0xfeff, "DTLS 1.0"}, {0xfefd, "DTLS 1.2"},
    {0xfefc, "DTLS 1.3"}, {0x7f0e, "TLS 1.3 draft 14"}, {0x7f0f, "TLS 1.3 draft 15"},
    {0x7f10, "TLS 1.3 draft 16"}, {0x7f11, "TLS 1.3 draft 17"}, {0x7f12, "TLS 1.3 draft 18"},
    {0x7f13, "TLS 1.3 draft 19"}, {0x7f14, "TLS 1.3 draft 20"}, {0x7f15, "TLS 1.3 draft 21"},
    {0x7f16, "TLS 1.3 draft 22"}, {0x7f17, "TLS 1.3 draft 23"}, {0x7f18, "TLS 1.3 draft 24"},
    {0x7f19, "TLS 1.3 draft 25"}, {0x7f1a, "TLS 1.3 draft 26"}, {0x7f1b, "TLS 1.3 draft 27"},
    {0x7f1c, "TLS 1.3 draft 28"},
};

const char *hs_name_version(uint16_t v)
{
    if (hs_is_grease(v))
        return "GREASE";
    return FIND(versions, v);
}

bool hs_is_grease(uint16_t v)
{
    /* RFC 8701: 0x0a0a, 0x1a1a, ..., 0xfafa. */
    return (v & 0x0f0f) == 0x0a0a && (v >> 12) == ((v >> 4) & 0x0f);
}
