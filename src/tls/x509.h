/* A certificate's summary, as the fields a user checks: who, by whom, when, what key. */
#ifndef HS_X509_H
#define HS_X509_H

#include "../core/field.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Summarises one DER certificate into a new object: subject, issuer, serial (hex),
 * not_before, not_after (ISO 8601 UTC, "2026-01-01T00:00:00Z"), san (array of strings,
 * "DNS:x", "IP:x", ...), public_key ("EC P-256", "RSA 2048", "Ed25519", ...),
 * signature_algorithm ("ecdsa-with-SHA256", "sha256WithRSAEncryption", ...), sha256
 * (fingerprint, lowercase hex), self_signed (bool), and the extensions of
 * hs_x509_extensions.  An unparseable certificate yields an object with "error" and sha256
 * only.  Never NULL.
 */
struct hs_field *hs_x509_summary(const uint8_t *der, size_t n);

/*
 * The extensions a user checks, from a DER Extensions SEQUENCE (exts NULL: none), added to o:
 * basic_constraints {critical, ca, path_len}, key_usage, ext_key_usage,
 * authority_info_access, crl_distribution_points (arrays of strings) and scts (array of
 * {version, log_id, time}); each null when absent, "malformed: ..." when it does not parse.
 */
void hs_x509_extensions(struct hs_field *o, const uint8_t *exts, size_t n);

/*
 * A DER Name (e.g. from CertificateRequest.certificate_authorities) as "CN=..., O=..." in
 * DER order, escaped; "" for an empty name, NULL when it does not parse.  The caller frees it.
 */
char *hs_x509_dn_string(const uint8_t *der, size_t n);

#endif
