/*
 * The key schedule of one connection (keysched.h): running transcript hashes (SHA-256 and
 * SHA-384 side by side, as the suite is known only from the ServerHello) with snapshots where
 * the Finished messages and the extended master secret need them, and the steps shown from
 * the key log's secrets.  mbedTLS crypto (md, hkdf) only, as in protect.c.
 */
#include "keysched.h"

#include "../core/mem.h"
#include "names.h"
#include "protect.h"

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include <stdlib.h>
#include <string.h>

#define NHASH 2 /* index = enum hs_hash */
#define HMAX 48 /* SHA-384 */

struct hs_transcript {
    mbedtls_md_context_t md[NHASH];
    bool failed;                  /* a hash could not be set up or run: nothing checked */
    unsigned hrr_seen;
    bool done;                    /* both Finished added */
    bool fin_seen[2];             /* by side */
    uint8_t fin_hash[2][NHASH][HMAX]; /* transcript hash just before that side's Finished */
    uint8_t fin_vd[2][HMAX];      /* its verify_data as received */
    size_t fin_vd_len[2];
    bool ems_seen;
    uint8_t ems_hash[NHASH][HMAX]; /* ClientHello..ClientKeyExchange (RFC 7627 session_hash) */
};

static const mbedtls_md_info_t *md_of(enum hs_hash h)
{
    return mbedtls_md_info_from_type(h == HS_HASH_SHA384 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA256);
}

struct hs_transcript *hs_transcript_new(void)
{
    struct hs_transcript *t = hs_xcalloc(1, sizeof *t);
    for (int i = 0; i < NHASH; i++) {
        mbedtls_md_init(&t->md[i]);
        if (mbedtls_md_setup(&t->md[i], md_of((enum hs_hash)i), 0) != 0 ||
            mbedtls_md_starts(&t->md[i]) != 0)
            t->failed = true;
    }
    return t;
}

void hs_transcript_free(struct hs_transcript *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < NHASH; i++)
        mbedtls_md_free(&t->md[i]);
    free(t);
}

/* The hashes of what was added so far, the running contexts left as they are. */
static void snapshot(struct hs_transcript *t, uint8_t out[NHASH][HMAX])
{
    for (int i = 0; i < NHASH && !t->failed; i++) {
        mbedtls_md_context_t c;
        mbedtls_md_init(&c);
        if (mbedtls_md_setup(&c, md_of((enum hs_hash)i), 0) != 0 ||
            mbedtls_md_clone(&c, &t->md[i]) != 0 || mbedtls_md_finish(&c, out[i]) != 0)
            t->failed = true;
        mbedtls_md_free(&c);
    }
}

static void update(struct hs_transcript *t, const uint8_t *p, size_t n)
{
    for (int i = 0; i < NHASH && !t->failed; i++)
        if (mbedtls_md_update(&t->md[i], p, n) != 0)
            t->failed = true;
}

/* RFC 8446 4.4.1: after a HelloRetryRequest the first ClientHello is replaced by
 * message_hash(254) 00 00 Hash.length Hash(ClientHello1). */
static void replace_first_hello(struct hs_transcript *t)
{
    uint8_t ch1[NHASH][HMAX];
    snapshot(t, ch1);
    for (int i = 0; i < NHASH && !t->failed; i++) {
        unsigned hl = hs_hash_len((enum hs_hash)i);
        uint8_t hdr[4] = {254, 0, 0, (uint8_t)hl};
        if (mbedtls_md_starts(&t->md[i]) != 0 || mbedtls_md_update(&t->md[i], hdr, 4) != 0 ||
            mbedtls_md_update(&t->md[i], ch1[i], hl) != 0)
            t->failed = true;
    }
}

void hs_transcript_add(struct hs_transcript *t, enum hs_side from, const uint8_t *msg, size_t n,
                       const struct hs_tls_state *st)
{
    if (t == NULL || t->done || t->failed || n < 4)
        return;
    uint8_t type = msg[0];
    if (type == HS_MT_HELLO_REQUEST)
        return;
    if (st->version == 0x0304 && (type == HS_MT_NEW_SESSION_TICKET || type == HS_MT_KEY_UPDATE))
        return;
    if (type == HS_MT_SERVER_HELLO && st->hrr_count > t->hrr_seen) {
        if (t->hrr_seen == 0)
            replace_first_hello(t);
        t->hrr_seen = st->hrr_count;
    }
    if (type == HS_MT_FINISHED && !t->fin_seen[from]) {
        snapshot(t, t->fin_hash[from]);
        size_t k = n - 4 < HMAX ? n - 4 : HMAX;
        memcpy(t->fin_vd[from], msg + 4, k);
        t->fin_vd_len[from] = n - 4;
        t->fin_seen[from] = true;
    }
    update(t, msg, n);
    if (type == HS_MT_CLIENT_KEY_EXCHANGE && !t->ems_seen) {
        snapshot(t, t->ems_hash);
        t->ems_seen = true;
    }
    if (t->fin_seen[HS_CLIENT] && t->fin_seen[HS_SERVER])
        t->done = true;
}

void hs_transcript_reset(struct hs_transcript *t, const uint8_t *const *msgs, const size_t *lens,
                         size_t n, bool hrr)
{
    if (t == NULL || t->failed)
        return;
    for (int i = 0; i < NHASH; i++)
        if (mbedtls_md_starts(&t->md[i]) != 0)
            t->failed = true;
    for (size_t k = 0; k < n; k++) {
        update(t, msgs[k], lens[k]);
        if (k == 0 && hrr)
            replace_first_hello(t);
    }
}

bool hs_transcript_complete(const struct hs_transcript *t)
{
    return t != NULL && t->done;
}

int hs_tls13_finished(enum hs_hash h, const uint8_t *secret, const uint8_t *thash,
                      uint8_t *finished_key, uint8_t *verify_data)
{
    HS_ENSURE(secret && thash && finished_key && verify_data, HS_ERR_INVALID);
    size_t hl = hs_hash_len(h);
    HS_TRY(hs_hkdf_expand_label(h, secret, hl, "finished", NULL, 0, finished_key, hl));
    const mbedtls_md_info_t *md = md_of(h);
    HS_ENSURE(md, HS_ERR_CRYPTO);
    return mbedtls_md_hmac(md, finished_key, hl, thash, hl, verify_data) == 0 ? HS_OK
                                                                             : HS_ERR_CRYPTO;
}

int hs_tls12_finished(enum hs_hash h, const uint8_t master[48], enum hs_side who,
                      const uint8_t *thash, uint8_t verify_data[12])
{
    HS_ENSURE(master && thash && verify_data, HS_ERR_INVALID);
    return hs_tls12_prf(h, master, 48, who == HS_CLIENT ? "client finished" : "server finished",
                        thash, hs_hash_len(h), verify_data, 12);
}

/* ---- the steps ---- */

struct ks {
    struct hs_field *root, *steps, *missing;
    const struct hs_tls_state *st;
    const struct hs_keylog *kl;
    const struct hs_transcript *t;
    const struct hs_suite *su;
    enum hs_hash h;
    size_t hl;
    const char *fin[2];           /* "verified", "mismatch", "unavailable" */
    char fin_reason[2][160];
};

/* A step: name, label (HKDF label, PRF label or operation), up to two inputs. */
static struct hs_field *step(struct ks *k, const char *name, const char *label, const char *in1,
                             const char *in2)
{
    struct hs_field *f = hs_f_obj(k->steps, NULL);
    hs_f_str(f, "name", name);
    hs_f_str(f, "label", label);
    struct hs_field *in = hs_f_arr(f, "inputs");
    if (in1)
        hs_f_str(in, NULL, in1);
    if (in2)
        hs_f_str(in, NULL, in2);
    return f;
}

static void step_value(struct hs_field *f, const char *source, const uint8_t *p, size_t n)
{
    hs_f_str(f, "source", source);
    hs_f_hex(f, "value", p, n);
}

static void step_none(struct hs_field *f, const char *reason)
{
    hs_f_str(f, "source", "unavailable");
    hs_f_null(f, "value");
    hs_f_str(f, "reason", reason);
}

/* A step hstrace cannot compute: its value is null, with the reason. */
static void missing_step(struct ks *k, const char *name, const char *label, const char *in1,
                         const char *in2, const char *reason)
{
    step_none(step(k, name, label, in1, in2), reason);
}

static bool has_missing(const struct ks *k, const char *label)
{
    for (const struct hs_field *c = k->missing->child; c; c = c->next)
        if (c->str && strcmp(c->str, label) == 0)
            return true;
    return false;
}

/* A secret from the key log as a step, or a null step naming the missing key log label (and
 * listing it in "missing" when the connection needs it: hs_secrets_needed). */
static const uint8_t *logged(struct ks *k, enum hs_secret kind, size_t want, const char *name,
                             const char *label, const char *in1, const char *in2)
{
    struct hs_field *f = step(k, name, label, in1, in2);
    size_t len = 0;
    const uint8_t *s =
        k->kl ? hs_keylog_find(k->kl, kind, k->st->client_random, &len) : NULL;
    char why[160];
    if (s && len == want) {
        step_value(f, "key log", s, len);
        return s;
    }
    if (s)
        snprintf(why, sizeof why, "the key log's %s has %zu bytes, not %zu",
                 hs_secret_label(kind), len, want);
    else
        snprintf(why, sizeof why, "not in the key log (%s)", hs_secret_label(kind));
    step_none(f, why);
    if ((hs_secrets_needed(k->st) & (1u << kind)) && !has_missing(k, hs_secret_label(kind)))
        hs_f_str(k->missing, NULL, hs_secret_label(kind));
    return NULL;
}

unsigned hs_secrets_needed(const struct hs_tls_state *st)
{
    if (st == NULL || !st->sh_seen || st->version < 0x0300)
        return 0;
    if (st->version != 0x0304)
        return 1u << HS_SECRET_TLS12_MASTER;
    unsigned m = 1u << HS_SECRET_CLIENT_HANDSHAKE | 1u << HS_SECRET_SERVER_HANDSHAKE |
                 1u << HS_SECRET_CLIENT_TRAFFIC_0 | 1u << HS_SECRET_SERVER_TRAFFIC_0;
    if (st->client_early_data) /* 0-RTT records are sent before the server's answer */
        m |= 1u << HS_SECRET_CLIENT_EARLY;
    return m; /* EXPORTER_SECRET protects no record and checks nothing */
}

static void computed(struct hs_field *f, int r, const uint8_t *p, size_t n)
{
    if (r == HS_OK)
        step_value(f, "computed", p, n);
    else
        step_none(f, "the computation failed");
}

/* Compares the recomputed verify_data of `who` with the one received; records the verdict. */
static void compare(struct ks *k, struct hs_field *f, enum hs_side who, const uint8_t *mine,
                    size_t n)
{
    const struct hs_transcript *t = k->t;
    hs_f_hex(f, "received", t->fin_vd[who], t->fin_vd_len[who] < HMAX ? t->fin_vd_len[who] : HMAX);
    bool same = t->fin_vd_len[who] == n && memcmp(mine, t->fin_vd[who], n) == 0;
    k->fin[who] = same ? "verified" : "mismatch";
    hs_f_str(f, "check", k->fin[who]);
}

/* Why `who`'s Finished cannot be checked when its secret is there (NULL: it can). */
static const char *fin_blocker(const struct ks *k, enum hs_side who)
{
    if (k->t == NULL || !k->t->fin_seen[who])
        return who == HS_CLIENT ? "the client's Finished was not seen (not sent, or not "
                                  "decrypted)"
                                : "the server's Finished was not seen (not sent, or not "
                                  "decrypted)";
    if (k->t->failed)
        return "the transcript hash could not be computed";
    return NULL;
}

static void fin_unavailable(struct ks *k, struct hs_field *f, enum hs_side who, const char *why)
{
    step_none(f, why);
    k->fin[who] = "unavailable";
    snprintf(k->fin_reason[who], sizeof k->fin_reason[who], "%s", why);
}

/* "client handshake key" and "... iv" from a TLS 1.3 traffic secret. */
static void keys13(struct ks *k, const char *who, const char *secret_name, const uint8_t *secret)
{
    static const char *const what[2] = {"key", "iv"};
    size_t len[2] = {hs_aead_key_len(k->su->aead), 12};
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s %s", who, what[i]);
        struct hs_field *f = step(k, name, what[i], secret_name, NULL);
        uint8_t out[32];
        if (secret == NULL) {
            step_none(f, "needs the traffic secret");
            continue;
        }
        computed(f, hs_hkdf_expand_label(k->h, secret, k->hl, what[i], NULL, 0, out, len[i]),
                 out, len[i]);
    }
}

/* A TLS 1.3 traffic secret from the key log ("client handshake" names
 * client_handshake_traffic_secret) and the key and IV made from it. */
static const uint8_t *traffic13(struct ks *k, enum hs_secret kind, const char *who,
                                const char *label, const char *from, const char *transcript)
{
    char name[64];
    snprintf(name, sizeof name, "%s_traffic_secret%s", who,
             strstr(who, "application") ? "_0" : "");
    for (char *c = name; *c; c++)
        if (*c == ' ')
            *c = '_';
    const uint8_t *secret = logged(k, kind, k->hl, name, label, from, transcript);
    keys13(k, who, name, secret);
    return secret;
}

static void finished13(struct ks *k, enum hs_side who, const uint8_t *secret,
                       const char *secret_name, const char *transcript)
{
    const char *side = hs_side_name(who);
    char name[64], key_name[64];
    snprintf(key_name, sizeof key_name, "%s finished_key", side);
    snprintf(name, sizeof name, "%s verify_data", side);
    struct hs_field *fk = step(k, key_name, "finished", secret_name, NULL);
    struct hs_field *fv = step(k, name, "HMAC", key_name, transcript);
    if (secret == NULL) {
        step_none(fk, "needs the traffic secret");
        char why[160];
        snprintf(why, sizeof why, "the key log lacks the %s handshake traffic secret", side);
        fin_unavailable(k, fv, who, why);
        return;
    }
    uint8_t fkey[HMAX], vd[HMAX];
    const char *blocker = fin_blocker(k, who);
    int r = hs_tls13_finished(k->h, secret, blocker ? secret : k->t->fin_hash[who][k->h], fkey,
                              vd);
    computed(fk, r, fkey, k->hl);
    if (blocker || r != HS_OK) {
        fin_unavailable(k, fv, who, blocker ? blocker : "the computation failed");
        return;
    }
    step_value(fv, "computed", vd, k->hl);
    compare(k, fv, who, vd, k->hl);
}

static void build13(struct ks *k, const char *group)
{
    const mbedtls_md_info_t *md = md_of(k->h);
    uint8_t zeros[HMAX] = {0}, early[HMAX], empty[HMAX], derived[HMAX];
    bool psk = k->st->server_psk;
    struct hs_field *f = step(k, "early_secret", "HKDF-Extract", "salt: 0",
                              psk ? "IKM: the pre-shared key" : "IKM: 0 (no pre-shared key)");
    bool have_early = false;
    if (psk)
        step_none(f, "a pre-shared key (resumption) went in, and no key log holds it");
    else {
        have_early = mbedtls_hkdf_extract(md, zeros, k->hl, zeros, k->hl, early) == 0;
        computed(f, have_early ? HS_OK : HS_ERR_CRYPTO, early, k->hl);
    }
    f = step(k, "derived (early)", "derived", "early_secret", "Transcript-Hash(\"\")");
    if (have_early && mbedtls_md(md, NULL, 0, empty) == 0)
        computed(f, hs_hkdf_expand_label(k->h, early, k->hl, "derived", empty, k->hl, derived,
                                         k->hl),
                 derived, k->hl);
    else
        step_none(f, "needs the early secret");
    char label[64];
    snprintf(label, sizeof label, "(EC)DHE %s", group[0] ? group : "(group unknown)");
    missing_step(k, "(EC)DHE shared secret", label, "client key_share", "server key_share",
                 "stays with the two peers: a key log does not hold it");
    missing_step(k, "handshake_secret", "HKDF-Extract", "salt: derived (early)",
                 "IKM: (EC)DHE shared secret", "needs the (EC)DHE shared secret");

    const char *ch_sh = "Transcript-Hash(ClientHello..ServerHello)";
    const uint8_t *chs = traffic13(k, HS_SECRET_CLIENT_HANDSHAKE, "client handshake",
                                   "c hs traffic", "handshake_secret", ch_sh);
    const uint8_t *shs = traffic13(k, HS_SECRET_SERVER_HANDSHAKE, "server handshake",
                                   "s hs traffic", "handshake_secret", ch_sh);
    missing_step(k, "derived (handshake)", "derived", "handshake_secret",
                 "Transcript-Hash(\"\")", "needs the handshake secret");
    missing_step(k, "master_secret", "HKDF-Extract", "salt: derived (handshake)", "IKM: 0",
                 "needs the handshake secret");

    const char *ch_sf = "Transcript-Hash(ClientHello..server Finished)";
    (void)traffic13(k, HS_SECRET_CLIENT_TRAFFIC_0, "client application", "c ap traffic",
                    "master_secret", ch_sf);
    (void)traffic13(k, HS_SECRET_SERVER_TRAFFIC_0, "server application", "s ap traffic",
                    "master_secret", ch_sf);
    /* Shown when logged; no key or check of the handshake needs it (mbedTLS exports none). */
    (void)logged(k, HS_SECRET_EXPORTER, k->hl, "exporter_master_secret", "exp master",
                 "master_secret", ch_sf);

    finished13(k, HS_SERVER, shs, "server_handshake_traffic_secret",
               "Transcript-Hash(ClientHello..CertificateVerify)");
    finished13(k, HS_CLIENT, chs, "client_handshake_traffic_secret",
               "Transcript-Hash(ClientHello..server Finished, client Certificate..)");
}

/* TLS 1.0-1.2: the key block and what it is cut into. */
static void key_block12(struct ks *k, const uint8_t *master)
{
    struct hs_field *f = step(k, "key_block", "key expansion", "master_secret",
                              "server_random + client_random");
    struct hs_protect c, s;
    if (master == NULL) {
        step_none(f, "needs the master secret");
        return;
    }
    if (hs_protect_tls12(&c, &s, k->su, k->st->version, k->st->etm, master,
                         k->st->client_random, k->st->server_random) != HS_OK) {
        step_none(f, "hstrace does not know this cipher suite's key sizes");
        return;
    }
    uint8_t seed[64], block[2 * (48 + 32 + 16)];
    memcpy(seed, k->st->server_random, 32);
    memcpy(seed + 32, k->st->client_random, 32);
    size_t n = 2 * ((size_t)c.mac_key_len + c.key_len + c.iv_len);
    int r = k->st->version == 0x0303 || c.aead != HS_AEAD_NONE
                ? hs_tls12_prf(k->h, master, 48, "key expansion", seed, 64, block, n)
                : hs_tls10_prf(master, 48, "key expansion", seed, 64, block, n);
    computed(f, r, block, n);
    const struct hs_protect *ps[2] = {&c, &s};
    for (int i = 0; i < 2; i++) {
        char name[48];
        const char *side = hs_side_name((enum hs_side)i);
        if (ps[i]->mac_key_len > 0) {
            snprintf(name, sizeof name, "%s_write_MAC_key", side);
            step_value(step(k, name, "key_block", "key_block", NULL), "computed",
                       ps[i]->mac_key, ps[i]->mac_key_len);
        }
        /* NULL suites have no key, RC4 and NULL suites no IV */
        snprintf(name, sizeof name, "%s_write_key", side);
        if (ps[i]->key_len > 0)
            step_value(step(k, name, "key_block", "key_block", NULL), "computed", ps[i]->key,
                       ps[i]->key_len);
        snprintf(name, sizeof name, "%s_write_IV", side);
        if (ps[i]->iv_len > 0)
            step_value(step(k, name, "key_block", "key_block",
                            ps[i]->explicit_iv ? "(unused: each record carries its IV)" : NULL),
                       "computed", ps[i]->iv, ps[i]->iv_len);
    }
    memset(block, 0, sizeof block);
    memset(&c, 0, sizeof c);
    memset(&s, 0, sizeof s);
}

static void finished12(struct ks *k, enum hs_side who, const uint8_t *master)
{
    char name[48];
    const char *side = hs_side_name(who);
    snprintf(name, sizeof name, "%s verify_data", side);
    struct hs_field *f = step(k, name, who == HS_CLIENT ? "client finished" : "server finished",
                              "master_secret", "Hash(handshake messages before this Finished)");
    if (master == NULL) {
        fin_unavailable(k, f, who, "the key log lacks the master secret (CLIENT_RANDOM)");
        return;
    }
    if (k->st->version != 0x0303) {
        fin_unavailable(k, f, who, "the TLS 1.0/1.1 Finished (MD5 and SHA-1) is not recomputed");
        return;
    }
    const char *blocker = fin_blocker(k, who);
    if (blocker) {
        fin_unavailable(k, f, who, blocker);
        return;
    }
    uint8_t vd[12];
    if (hs_tls12_finished(k->h, master, who, k->t->fin_hash[who][k->h], vd) != HS_OK) {
        fin_unavailable(k, f, who, "the computation failed");
        return;
    }
    step_value(f, "computed", vd, sizeof vd);
    compare(k, f, who, vd, sizeof vd);
}

static void build12(struct ks *k, const char *group)
{
    bool rsa = strcmp(k->su->kx, "RSA") == 0;
    char label[64];
    if (rsa)
        snprintf(label, sizeof label, "RSA key transport (ClientKeyExchange)");
    else
        snprintf(label, sizeof label, "%s %s", k->su->kx, group[0] ? group : "");
    struct hs_field *f = step(k, "pre_master_secret", label,
                              rsa ? "48 bytes chosen by the client" : "client public value",
                              rsa ? "encrypted to the server's RSA key" : "server public value");
    step_none(f, rsa ? "sent encrypted to the server's private key, which hstrace does not hold; "
                       "a key log holds only the master secret"
                     : "stays with the two peers: a key log holds only the master secret");
    bool ems = k->st->ems;
    if (ems) {
        f = step(k, "session_hash", "Hash", "handshake messages ClientHello..ClientKeyExchange",
                 NULL);
        if (k->t && k->t->ems_seen && !k->t->failed)
            step_value(f, "computed", k->t->ems_hash[k->h], k->hl);
        else
            step_none(f, "the ClientKeyExchange was not seen");
    }
    const uint8_t *master =
        logged(k, HS_SECRET_TLS12_MASTER, 48, "master_secret",
               ems ? "extended master secret" : "master secret", "pre_master_secret",
               ems ? "session_hash" : "client_random + server_random");
    key_block12(k, master);
    finished12(k, HS_CLIENT, master);
    finished12(k, HS_SERVER, master);
}

struct hs_field *hs_keysched_build(const struct hs_transcript *t, const struct hs_tls_state *st,
                                   const struct hs_keylog *kl, const char *group)
{
    if (st == NULL || !st->sh_seen || st->version < 0x0301 || st->version > 0x0304)
        return NULL;
    struct ks k = {.st = st, .kl = kl, .t = t, .su = hs_suite_find(st->suite)};
    k.root = hs_field_new_object();
    char buf[48];
    hs_f_str(k.root, "version", hs_fmt_version(st->version, buf, sizeof buf));
    hs_f_str(k.root, "cipher_suite", hs_fmt_suite(st->suite, buf, sizeof buf));
    k.steps = hs_f_arr(k.root, "steps");
    struct hs_field *fin = hs_f_obj(k.root, "finished");
    k.missing = hs_f_arr(k.root, "missing");
    if (k.su == NULL || k.su->tls13 != (st->version == 0x0304) ||
        (k.su->tls13 && k.su->aead == HS_AEAD_NONE)) {
        for (int i = 0; i < 2; i++)
            hs_f_str(fin, hs_side_name((enum hs_side)i), "unavailable");
        hs_f_str(fin, "reason", "hstrace does not know this cipher suite's key schedule");
        return k.root;
    }
    k.h = k.su->hash;
    k.hl = hs_hash_len(k.h);
    if (st->version == 0x0304)
        build13(&k, group ? group : "");
    else
        build12(&k, group ? group : "");
    for (int i = 0; i < 2; i++) {
        const char *side = hs_side_name((enum hs_side)i);
        hs_f_str(fin, side, k.fin[i] ? k.fin[i] : "unavailable");
    }
    for (int i = 0; i < 2; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s_reason", hs_side_name((enum hs_side)i));
        if (k.fin_reason[i][0])
            hs_f_str(fin, key, k.fin_reason[i]);
    }
    return k.root;
}
