/*
 * Internal to the decoder: what the message decoders learn about the connection (and the
 * record layer needs), and the context one message is decoded in.  The record layer
 * (decoder.c and the files decoder_internal.h lists) owns framing and keys; hello.c,
 * extensions.c, messages.c decode contents.
 */
#ifndef HS_MSG_H
#define HS_MSG_H

#include "../core/trace.h"
#include "cursor.h"
#include "decoder.h"
#include "hpke.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_MAX_EXTENSIONS 128  /* extensions decoded per message; more is a limit error */
#define HS_MAX_LIST_ITEMS 256  /* entries listed per vector (suites, groups, ...) */
#define HS_MAX_CHAIN_SUMMARY HS_MAX_CHAIN

#define HS_MAX_OFFER_VERSIONS 16
#define HS_MAX_OFFER_GROUPS 64
#define HS_MAX_OFFER_SHARES 8

/* The handshake message types hstrace decodes or acts on (RFC 8446 4, RFC 5246 7.4, RFC 6066
 * 8, RFC 8879; their names: names.c). */
enum hs_msg_type {
    HS_MT_HELLO_REQUEST = 0,
    HS_MT_CLIENT_HELLO = 1,
    HS_MT_SERVER_HELLO = 2,
    HS_MT_NEW_SESSION_TICKET = 4,
    HS_MT_END_OF_EARLY_DATA = 5,
    HS_MT_ENCRYPTED_EXTENSIONS = 8,
    HS_MT_CERTIFICATE = 11,
    HS_MT_SERVER_KEY_EXCHANGE = 12,
    HS_MT_CERTIFICATE_REQUEST = 13,
    HS_MT_SERVER_HELLO_DONE = 14,
    HS_MT_CERTIFICATE_VERIFY = 15,
    HS_MT_CLIENT_KEY_EXCHANGE = 16,
    HS_MT_FINISHED = 20,
    HS_MT_CERTIFICATE_STATUS = 22,
    HS_MT_KEY_UPDATE = 24,
    HS_MT_COMPRESSED_CERTIFICATE = 25,
    HS_MT_NEXT_PROTOCOL = 67,
};

/* What the latest ClientHello offered, to check the server's choices against.  A list longer
 * than its array is marked cut and then not used for checks: no false alarms. */
struct hs_offer {
    bool valid;                 /* a ClientHello was decoded whole */
    uint16_t legacy_version;
    uint16_t suites[HS_MAX_LIST_ITEMS];
    unsigned nsuites;
    bool suites_cut;
    uint16_t versions[HS_MAX_OFFER_VERSIONS]; /* supported_versions, when sent */
    unsigned nversions;
    bool versions_sent, versions_cut;
    uint16_t groups[HS_MAX_OFFER_GROUPS];     /* supported_groups, when sent */
    unsigned ngroups;
    bool groups_sent, groups_cut;
    uint16_t shares[HS_MAX_OFFER_SHARES];     /* groups of the key_share entries */
    unsigned nshares;
    bool shares_cut;
    uint16_t exts[HS_MAX_EXTENSIONS];         /* extension types */
    unsigned nexts;
};

/* Encrypted Client Hello (RFC 9849), as far as the wire and the key log tell (ech.c). */
struct hs_ech_state {
    bool offered;           /* the first ClientHello carried an outer encrypted_client_hello */
    bool inner_on_wire;     /* a ClientHello on the wire carried the inner marker */
    uint16_t kdf, aead;     /* the outer's HPKE suite */
    uint8_t config_id;
    bool retry_configs;     /* EncryptedExtensions carried retry_configs */
    bool required_alert;    /* an ech_required alert was seen */
    bool hrr_confirmation;  /* a HelloRetryRequest carried the 8-byte confirmation */
    bool decrypted;         /* ClientHelloInner decrypted with a key log entry */
    unsigned key_ordinal;   /* that entry: 1 = the key log's first ECH random */
    bool key_random_differs; /* the entry's random is not the inner hello's */
    char why_not[160];      /* why the key log's ECH entries did not decrypt it, "" */
    uint8_t inner_random[32];
    uint8_t outer_random[32];
    char inner_sni[256];    /* escaped, "" when none */
    uint8_t *inner;         /* the ClientHelloInner, expanded, with its header (owned) */
    size_t ninner;
    uint8_t *inner1;        /* after a HelloRetryRequest: the first ClientHelloInner (owned) */
    size_t ninner1;
    uint8_t *hrr;           /* the HelloRetryRequest, for the transcript (owned) */
    size_t nhrr;
    size_t hrr_conf_off;    /* where its 8-byte confirmation is */
    struct hs_offer inner_offer;
    int accepted;           /* 1 accepted, 0 rejected, -1 not checked (see check_why) */
    const char *check_why;  /* why the acceptance signal was not checked */
    bool decoding_inner;    /* while the inner hello is being decoded */
    bool trial_done;        /* the server's first encrypted record was tried (echtrial.c) */
    bool trial_matched;     /* ... and a handshake secret of another random decrypted it */
    uint8_t trial_random[32];
    struct hs_hpke_ctx hpke; /* after a decryption: the second ClientHello uses it too */
};

/* The connection as learned from decoded messages. */
struct hs_tls_state {
    /* From the (first) ClientHello. */
    bool ch_seen;
    unsigned ch_count;
    uint8_t client_random[32];      /* of the first ClientHello: the key log's index */
    uint8_t last_client_random[32]; /* of the latest one (TLS 1.2 renegotiation) */
    uint8_t ch_session_id[32];
    size_t ch_session_id_len;
    bool client_offers_tls13;   /* supported_versions lists 0x0304 */
    bool client_early_data;     /* offered 0-RTT */
    bool client_ticket;         /* sent a non-empty session_ticket */
    struct hs_offer offer;      /* of the latest ClientHello */
    /* From the ServerHello. */
    bool sh_seen;
    unsigned hrr_count;         /* HelloRetryRequests seen */
    uint16_t hrr_suite;         /* the suite the HelloRetryRequest named */
    uint16_t version;           /* negotiated, 0 while unknown */
    uint16_t suite;
    uint8_t server_random[32];
    bool server_psk;            /* TLS 1.3: pre_shared_key accepted */
    bool server_early_accepted; /* TLS 1.3: early_data in EncryptedExtensions */
    bool sid_resumed;           /* TLS 1.2: ServerHello echoed the client's session id */
    bool etm;                   /* TLS 1.0-1.2: encrypt_then_mac in both hellos (for the
                                   keys that follow the next ChangeCipherSpec) */
    bool ems;                   /* TLS 1.0-1.2: extended_master_secret in both hellos (RFC
                                   7627) */
    bool server_certificate;
    bool finished[2];           /* by side */
    bool end_of_early_data;
    uint8_t keyupdate_request;  /* set by a KeyUpdate: 0 or 1 */
    struct hs_ech_state ech;
};

/* One message being decoded. */
struct hs_msg {
    struct hs_tls_state *st;
    struct hs_trace *trace;
    struct hs_event *ev;
    struct hs_field *f;         /* ev->fields */
    enum hs_side from;
    const char *name;           /* message name used in error texts */
    char err[200];              /* the first decode error, "" when none */
    char violation[200];        /* the first protocol violation, "" when none */
    unsigned nviolations;
    struct hs_field *violations; /* the array field, once there is one */
    char sum[768];              /* the summary being built (already escaped parts) */
    size_t sumlen;
    const struct hs_keylog *keys; /* the decoder's key log (ECH entries), or NULL */
};

/* Records the first decode error as "<name>.<what>: truncated|invalid|limit at +<off>". */
void hs_msg_fail(struct hs_msg *m, const char *what, int r, size_t off);
/* Whether list (n entries) holds v. */
bool hs_u16_in(const uint16_t *list, unsigned n, uint16_t v);

/* Records a protocol violation (a rule of the RFCs the sender broke, which the receiver must
 * answer by aborting): a string in the array field "violations", the row marked a problem,
 * and the first one added to the summary by hs_msg_done. */
void hs_msg_violation(struct hs_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends formatted text to the summary (the caller escapes peer text first). */
void hs_msg_sum(struct hs_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends peer bytes to the summary, escaped. */
void hs_msg_sum_text(struct hs_msg *m, const uint8_t *p, size_t n);
/* Moves the summary and the error (fields "error", problem) into the event. */
void hs_msg_done(struct hs_msg *m);

/* Names with a fallback for unknown values, in a caller buffer (>= 40 bytes). */
const char *hs_fmt_suite(uint16_t id, char *buf, size_t n);
const char *hs_fmt_group(uint16_t id, char *buf, size_t n);
const char *hs_fmt_extension(uint16_t id, char *buf, size_t n); /* "unknown(N)" fallback */
const char *hs_fmt_sigscheme(uint16_t id, char *buf, size_t n);
const char *hs_fmt_version(uint16_t v, char *buf, size_t n);

/* What hello messages' extensions say, for summaries and the connection state. */
enum hs_ext_where { HS_EXT_CH, HS_EXT_SH, HS_EXT_HRR, HS_EXT_EE, HS_EXT_CERT, HS_EXT_CR,
                    HS_EXT_NST };

struct hs_ext_info {
    unsigned count;
    const char *sni;            /* escaped, points into the fields tree */
    uint16_t best_version;      /* CH: highest non-GREASE supported_versions entry */
    uint16_t selected_version;  /* SH/HRR: supported_versions */
    uint16_t share_groups[8];   /* CH: key_share groups (non-GREASE) */
    unsigned nshare;
    uint16_t share_group;       /* SH: key_share group; HRR: selected_group */
    bool has_share;
    char alpn[160];             /* protocols, comma-separated (escaped) */
    unsigned nalpn;
    bool early_data;
    bool psk;
    uint32_t max_early_data;
    bool has_max_early_data;
    bool ticket_nonempty;
    unsigned ngroups;
    uint16_t types[HS_MAX_EXTENSIONS]; /* the extension types, in order */
    unsigned ntypes;
    struct hs_offer *offer;     /* CH: the lists are also kept here (NULL elsewhere) */
    bool ech_outer, ech_inner;  /* CH: encrypted_client_hello of type outer / inner */
    size_t ech_enc_off, ech_enc_len;         /* CH outer: enc, offsets in the message */
    size_t ech_payload_off, ech_payload_len; /* CH outer: payload */
};

/* ech.c: encrypted_client_hello (RFC 9849 5, 7) in a ClientHello, HelloRetryRequest or
 * EncryptedExtensions, and ech_outer_extensions (5.1); extension decoders as in extensions.c. */
int hs_ext_ech(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where, struct hs_field *e,
               struct hs_ext_info *info);
int hs_ext_ech_outer_extensions(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,
                                struct hs_field *e, struct hs_ext_info *info);
/* An ECHConfigList's entries (RFC 9849 4) from list into arr. */
int hs_decode_ech_configs(struct hs_cur *list, struct hs_field *arr);
/* keyshare.c: a key share's length checked against its group (hybrid and ML-KEM groups
 * split into their parts); client: a ClientHello's share, else the server's. */
void hs_check_key_share(struct hs_msg *m, struct hs_field *o, uint16_t group,
                        const struct hs_cur *key, bool client);
/* echopen.c: with the key log's ECH entries, decrypts the ClientHelloInner of the outer
 * hello p/n and decodes it into the field "client_hello_inner"; then, at the ServerHello
 * p/n, checks the acceptance signal (RFC 9849 7.2). */
void hs_ech_open(struct hs_msg *m, const uint8_t *p, size_t n, const struct hs_ext_info *info);
void hs_ech_check_accept(struct hs_msg *m, const uint8_t *p, size_t n, uint16_t suite);
/* The same for a HelloRetryRequest p/n (RFC 9849 7.2.1): its confirmation, or its absence. */
void hs_ech_check_hrr(struct hs_msg *m, const uint8_t *p, size_t n, uint16_t suite);
/* An accepted ECH: the key schedule's transcript t restarted with the ClientHelloInner(s)
 * (and the HelloRetryRequest) and the ServerHello sh/n. */
struct hs_transcript;
void hs_ech_transcript(const struct hs_tls_state *st, struct hs_transcript *t, const uint8_t *sh,
                       size_t n);
/* Frees the ECH state's buffers. */
void hs_ech_free(struct hs_ech_state *e);
/* The connection's ECH verdict for the trace (hs_trace.ech): accepted, rejected, not accepted
 * or unknown, with the reason. */
struct hs_field *hs_ech_verdict(const struct hs_tls_state *st, const struct hs_keylog *keys);

/* Decodes an extensions block (`extensions<0..2^16-1>`, length prefix included) into an
 * array "extensions" of m->f's child `parent`.  Returns HS_OK or the first error. */
int hs_decode_extensions(struct hs_msg *m, struct hs_cur *c, enum hs_ext_where where,
                         struct hs_field *parent, struct hs_ext_info *info);

/* quic_transport_parameters (quictp.c): an extension decoder of hs_decode_extensions. */
int hs_ext_quic_transport_parameters(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,
                                     struct hs_field *e, struct hs_ext_info *info) HS_MUST_CHECK;

/* DistinguishedNames (RFC 8446 4.2.4, RFC 5246 7.4.4), each with its 2-byte length, from
 * list into arr as readable names (at most HS_MAX_LIST_ITEMS); *count gets how many.
 * HS_OK, or HS_ERR_INVALID with *bad_at the offset of the bad entry. */
int hs_decode_dn_list(struct hs_cur *list, struct hs_field *arr, unsigned *count, size_t *bad_at);

/* Handshake message decoders: p/n is the whole message including its 4-byte header. */
void hs_decode_client_hello(struct hs_msg *m, const uint8_t *p, size_t n);
void hs_decode_server_hello(struct hs_msg *m, const uint8_t *p, size_t n);
void hs_decode_sslv2_client_hello(struct hs_msg *m, const uint8_t *p, size_t n);
void hs_decode_handshake(struct hs_msg *m, const uint8_t *p, size_t n);
void hs_decode_alert(struct hs_msg *m, const uint8_t *p, size_t n);
void hs_decode_ccs(struct hs_msg *m, const uint8_t *p, size_t n, bool tls13_compat);

/* offer.c: the server's hello checked against the client's offer (RFC 8446 4.1.3, 4.1.4,
 * 4.2, 4.2.1, 4.2.8; RFC 5246 7.4.1.3; RFC 5746 3.6).  info is the hello's extensions. */
void hs_check_server_hello(struct hs_msg *m, bool hrr, uint16_t legacy, bool have_suite,
                           uint16_t suite, const struct hs_ext_info *info);

/* The connection as the explanations need it (explain.h), from the decoder's state. */
struct hs_explain_ctx;
void hs_explain_ctx_from(struct hs_explain_ctx *cx, const struct hs_tls_state *st,
                         const struct hs_trace *trace);

#endif
