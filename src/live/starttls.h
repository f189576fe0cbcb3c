/*
 * --starttls: the plaintext exchange some protocols run on the socket before TLS (SMTP, IMAP,
 * POP3, FTP, XMPP, LDAP, PostgreSQL), drawn as rows of layer starttls.
 */
#ifndef HS_STARTTLS_H
#define HS_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>

/* The protocol's default port (smtp 25, imap 143, ...), 0 when name is none of them. */
unsigned hs_starttls_port(const char *name);
/* The names, comma-separated ("smtp, imap, ..."), for usage messages. */
void hs_starttls_names(char *out, size_t n);

struct live;
/*
 * Runs the exchange l->o->starttls asks for on the connected socket (a no-op without it):
 * its rows go into the trace, the bytes are skipped in the decoder's stream offsets, and
 * the trace's starttls_ms is set; the TLS time then starts after it.  false when the server
 * does not offer STARTTLS, refused it, closed, broke the protocol or timed out: the trace
 * failed with the reason (stage starttls or timeout).
 */
bool hs_live_starttls(struct live *l);

#endif
