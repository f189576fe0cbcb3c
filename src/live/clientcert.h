/*
 * The client's own certificate and key for mutual TLS (--cert, --key, --pass): read as the
 * user (after the privilege drop), regular files only, PEM or DER; an encrypted key takes its
 * passphrase from --pass env:VAR or file:PATH, or asks for it on the terminal.
 */
#ifndef HS_LIVE_CLIENTCERT_H
#define HS_LIVE_CLIENTCERT_H

#include "live.h"

#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stddef.h>

#define HS_CLIENTCERT_MAX (1024u * 1024u) /* bytes of a --cert or --key file */
#define HS_PASS_MAX 1024                  /* bytes of a passphrase */

/* Loads o->certfile and o->keyfile into crt and key and gives them to conf; 0 (also when no
 * --cert was given), or -1 with one line in err (a usage error). */
int hs_clientcert_load(const struct hs_live_opts *o, mbedtls_ssl_config *conf,
                       mbedtls_x509_crt *crt, mbedtls_pk_context *key, char *err, size_t errsz);

#endif
