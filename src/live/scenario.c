/* The demo's scenarios, one table entry each (see scenario.h). */
#include "scenario.h"

#include <mbedtls/ssl.h>
#include <string.h>

#define TLS12 MBEDTLS_SSL_VERSION_TLS1_2
#define TLS13 MBEDTLS_SSL_VERSION_TLS1_3

static const int rsa_kx[] = {MBEDTLS_TLS_RSA_WITH_AES_128_GCM_SHA256, 0};
static const int aes256_only[] = {MBEDTLS_TLS1_3_AES_256_GCM_SHA384, 0};
static const uint16_t p256_only[] = {MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, 0};

#ifdef MBEDTLS_SSL_EARLY_DATA
#define EARLY_DATA_WHY "not implemented in this version of hstrace"
#else
#define EARLY_DATA_WHY "the installed mbedTLS is built without MBEDTLS_SSL_EARLY_DATA (0-RTT)"
#endif

static const struct hs_demo_scenario scenarios[] = {
    {.name = "tls13",
     .lesson = "TLS 1.3, one round trip: everything after ServerHello is encrypted",
     .min_version = TLS12, .max_version = TLS13, .tickets = true, .connections = 1},
    {.name = "tls12",
     .lesson = "TLS 1.2 with ECDHE: ServerKeyExchange carries the signed key share, two round "
               "trips",
     .min_version = TLS12, .max_version = TLS12, .connections = 1},
    {.name = "tls12-rsa",
     .lesson = "TLS 1.2 with RSA key exchange: the classic twelve steps, the premaster secret "
               "encrypted to the server's RSA key (no forward secrecy)",
     .min_version = TLS12, .max_version = TLS12, .suites = rsa_kx, .rsa = true,
     .connections = 1},
    {.name = "hrr",
     .lesson = "HelloRetryRequest: the server takes only secp256r1, the client's key share was "
               "x25519, so it asks again (one more round trip)",
     .min_version = TLS13, .max_version = TLS13, .groups = p256_only,
     .client_groups = "x25519,secp256r1", .connections = 1},
    {.name = "resumption",
     .lesson = "session resumption: the second connection presents the first one's ticket, "
               "no certificate is sent; the time saved",
     .min_version = TLS13, .max_version = TLS13, .tickets = true, .connections = 2},
    {.name = "mtls",
     .lesson = "mutual TLS: CertificateRequest, then the client's Certificate and "
               "CertificateVerify",
     .min_version = TLS12, .max_version = TLS13, .client_auth = true, .connections = 1},
    {.name = "expired",
     .lesson = "an expired server certificate: the client refuses it (certificate_expired)",
     .min_version = TLS12, .max_version = TLS13, .cert = HS_DEMO_CERT_EXPIRED,
     .connections = 1},
    {.name = "wrong-name",
     .lesson = "a certificate for wrong.example, not localhost: the name check fails "
               "(bad_certificate)",
     .min_version = TLS12, .max_version = TLS13, .cert = HS_DEMO_CERT_WRONG_NAME,
     .connections = 1},
    {.name = "unknown-ca",
     .lesson = "a certificate signed by a CA the client does not trust (unknown_ca)",
     .min_version = TLS12, .max_version = TLS13, .cert = HS_DEMO_CERT_UNKNOWN_CA,
     .connections = 1},
    {.name = "version-mismatch",
     .lesson = "the server speaks only TLS 1.3, the client offers only TLS 1.2: "
               "protocol_version alert",
     .min_version = TLS13, .max_version = TLS13, .client_tls12 = true, .connections = 1},
    {.name = "no-shared-cipher",
     .lesson = "no cipher suite in common (the server takes only TLS_AES_256_GCM_SHA384): "
               "handshake_failure alert",
     .min_version = TLS13, .max_version = TLS13, .suites = aes256_only,
     .client_ciphers = "TLS_AES_128_GCM_SHA256", .client_tls13 = true, .connections = 1},
    {.name = "early-data",
     .lesson = "0-RTT: application data in the first flight of a resumed connection",
     .unavailable = EARLY_DATA_WHY,
     .min_version = TLS13, .max_version = TLS13, .tickets = true, .connections = 2},
};

#define N_SCENARIOS (sizeof scenarios / sizeof scenarios[0])

const struct hs_demo_scenario *hs_demo_find(const char *name)
{
    if (name == NULL)
        name = HS_DEMO_DEFAULT;
    for (size_t i = 0; i < N_SCENARIOS; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    return NULL;
}

const char *hs_early_data_unavailable(void)
{
    return EARLY_DATA_WHY;
}

void hs_demo_list(FILE *out)
{
    for (size_t i = 0; i < N_SCENARIOS; i++) {
        const struct hs_demo_scenario *s = &scenarios[i];
        fprintf(out, "%-17s %s", s->name, s->lesson);
        if (s->unavailable)
            fprintf(out, " [unavailable: %s]", s->unavailable);
        fputc('\n', out);
    }
}

void hs_demo_names(char *buf, size_t size)
{
    size_t used = 0;
    if (size > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < N_SCENARIOS && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", scenarios[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}
