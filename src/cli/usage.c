#include "usage.h"

#include "options.h"

#include "../core/escape.h"
#include "../core/mem.h"
#include "../core/trace.h"
#include "../view/safe.h"
#include "../view/view.h"

#include <stdlib.h>

void hs_usage(FILE *out)
{
    fputs("usage: hstrace [options] HOST[:PORT] | https://HOST[:PORT]/ | [IPV6]:PORT\n"
          "       hstrace --demo [SCENARIO] [options]\n"
          "       hstrace -r FILE [options]\n"
          "       hstrace [options] TARGET TARGET... | -f FILE   (several targets)\n"
          "       hstrace --probe HOST[:PORT] [options]\n"
          "\n"
          "Traces one HTTPS connection: DNS, the TCP handshake and the TLS handshake, drawn as\n"
          "a ladder between Client and Server with the fields of every message.\n"
          "\n"
          "Connection:\n"
          "  -p PORT              port (default: from the target, else 443)\n"
          "  -4, -6               use IPv4 / IPv6 only\n"
          "      --sni NAME       server name to send (default: the host name)\n"
          "      --no-sni         send no server_name extension\n"
          "      --alpn LIST      offer these ALPN protocols (comma-separated, e.g. h2,http/1.1)\n"
          "      --tls1.2         offer TLS 1.2 only\n"
          "      --tls1.3         offer TLS 1.3 only\n"
          "      --ciphers LIST   offer these cipher suites (IANA or OpenSSL names)\n"
          "      --groups LIST    offer these key-exchange groups (e.g. x25519,secp256r1)\n"
          "      --cafile FILE    trust these CA certificates (default: the system bundle)\n"
          "      --capath DIR     trust the CA certificates in this directory\n"
          "  -k, --insecure       go on when certificate verification fails\n"
          "      --cert FILE      the client's certificate (chain) for servers that ask for one\n"
          "                       (PEM or DER; with --key)\n"
          "      --key FILE       the private key of --cert (PEM or DER)\n"
          "      --pass SRC       an encrypted key's passphrase: env:VAR or file:PATH (first\n"
          "                       line); without it hstrace asks on the terminal\n"
          "      --timeout SEC    bound on connect and on the handshake (default 10)\n"
          "      --probe          send hstrace's own ClientHello (X25519MLKEM768 and x25519\n"
          "                       shares, GREASE ECH, ...; --groups, --alpn, --sni, --ciphers,\n"
          "                       --tls1.3 adjust it), read the server's first flight and\n"
          "                       close: which version, suite and group (post-quantum?) the\n"
          "                       server picks; no handshake, no certificate check\n"
          "      --starttls PROTO talk PROTO in plaintext first, then TLS on the same socket:\n"
          "                       smtp (port 25), imap (143), pop3 (110), ftp (21), xmpp\n"
          "                       (5222), ldap (389) or postgres (5432)\n"
          "\n"
          "Output:\n"
          "      --json           one JSON document on stdout (see man/hstrace-json.schema.json)\n"
          "      --plain          the text ladder, not the interactive view (the default when\n"
          "                       not on a terminal)\n"
          "      --color WHEN     auto, always or never (NO_COLOR is honoured)\n"
          "      --ascii          draw with ASCII only, no Unicode line drawing\n"
          "      --explain        under each message, what it does in this connection and\n"
          "                       the RFC section it follows (interactive view: key e)\n"
          "      --keys           the key schedule, checked (secret material: shows keys)\n"
          "      --step           interactive view: one message per key press (Space or Right;\n"
          "                       Backspace or Left goes back, End shows all); a live\n"
          "                       handshake waits for each key, a capture shows its rows\n"
          "                       one by one\n"
          "      --notes WHICH    library notes in the ladder: all (default), short (key\n"
          "                       exchange, keys derived, certificate verified, handshake\n"
          "                       done, ticket stored) or none (interactive view: key L)\n"
          "      --compare TARGET trace TARGET with TLS 1.2, then TLS 1.3 (other options\n"
          "                       equal): both ladders, their times and round trips\n"
          "      --reconnect      then a second connection that resumes the first one's session\n"
          "                       (TLS 1.3 ticket; TLS 1.2 ticket or session id): both\n"
          "                       ladders and the time saved, or why it did not resume\n"
          "      --http[=PATH]    after the handshake GET PATH (default /; also --http /PATH)\n"
          "                       over HTTP/1.1: status line, headers, time to first byte\n"
          "      --early-data     0-RTT early data (unavailable: needs an mbedTLS built with\n"
          "                       MBEDTLS_SSL_EARLY_DATA; a usage error says so)\n"
          "      --keylog FILE    append the TLS secrets in NSS key log format (SSLKEYLOGFILE)\n"
          "      --debug N        also show mbedTLS debug lines up to level N (1-4)\n"
          "\n"
          "Slides (after the trace; FILE '-' = stdout instead of the ladder; -r needs --conn N):\n"
          "      --svg FILE       the ladder as an SVG picture (lanes, arrows, times)\n"
          "      --mermaid FILE   a Mermaid sequenceDiagram (Client->>Server: ClientHello)\n"
          "      --markdown FILE  a Markdown table, one row per message\n"
          "\n"
          "Captures:\n"
          "  -w, --write FILE     save the connection's packets (pcapng if FILE ends in .pcapng,\n"
          "                       with the TLS secrets embedded; else pcap)\n"
          "  -r, --read FILE      draw the TLS connections of a pcap/pcapng file\n"
          "      --conn N         with -r: only the Nth connection\n"
          "      --filter HOST[:PORT]  with -r: only connections to/from this host (and port)\n"
          "      --force          let -w, slides and saves replace an existing file (never a\n"
          "                       symlink)\n"
          "\n"
          "Several targets (two or more on the command line, or -f):\n"
          "  -f, --file FILE      also trace the targets of FILE, one a line ('#' comments;\n"
          "                       '-' = standard input; at most 10000 targets, lines of\n"
          "                       1024 bytes)\n"
          "      --jobs N         trace N targets at once (1-64, default 4)\n"
          "      --ladders        under each summary line, the target's ladder\n"
          "                       One summary line per target (--json: one JSON document a\n"
          "                       line), in input order; no packet capture (TCP rows are\n"
          "                       inferred); exit status the worst of the targets' (2, 6, 3,\n"
          "                       4, 5, 1, 0 from worst); SIGINT/SIGTERM: 128 + the signal\n"
          "\n"
          "Privileges:\n"
          "  -Z, --user USER      when run by root: become USER once the capture is open\n"
          "                       (default under sudo: the user who ran sudo; -Z root keeps\n"
          "                       root); set-user-ID and setcap installs become the caller\n"
          "\n"
          "Other:\n"
          "      --demo [SCENARIO]  trace a handshake with the built-in local server (offline);\n"
          "                       SCENARIO: tls13 (default), tls12, tls12-rsa, hrr,\n"
          "                       resumption, mtls, expired, wrong-name, unknown-ca,\n"
          "                       version-mismatch, no-shared-cipher, early-data;\n"
          "                       --demo list says what each one teaches;\n"
          "                       --demo compare: --compare against the built-in server\n"
          "  -h, --help           this help\n"
          "  -V, --version        the version\n"
          "\n"
          "Exit status: 0 done (and verified unless -k; --probe: a ServerHello was read),\n"
          "1 TLS failure, 2 usage error,\n"
          "3 DNS or connect failure, 4 timeout, 5 certificate verification failed,\n"
          "6 an output (standard output, -w, a slide, key log) could not be written.\n",
          out);
}

int hs_usage_failed(const struct hs_options *o, const char *msg)
{
    if (!o->json)
        return HS_EXIT_USAGE;
    /* The live document's shape, whatever was asked (the error may come before -r is read). */
    struct hs_trace *t = hs_trace_new();
    if (o->live.target)
        t->host = hs_xstrdup(o->live.target);
    t->port = o->live.port;
    char *esc = hs_escape_str(msg && *msg ? msg : "usage error"); /* what the user typed */
    hs_trace_fail(t, HS_STAGE_USAGE, "%s", esc);
    free(esc);
    (void)hs_view_json(stdout, t, !hs_view_locale_utf8());
    fflush(stdout);
    hs_trace_free(t);
    return HS_EXIT_USAGE;
}
