/*
 * Key share lengths by group (RFC 8446 4.2.8.2, RFC 7748, draft-ietf-tls-ecdhe-mlkem,
 * draft-ietf-tls-mlkem, draft-tls-westerbaan-xyber768d00, FIPS 203): the client's and the
 * server's, and for the hybrid groups the parts in their order on the wire.
 */
#include "msg.h"

#include <stdio.h>

#define MLKEM512_EK 800
#define MLKEM512_CT 768
#define MLKEM768_EK 1184
#define MLKEM768_CT 1088
#define MLKEM1024_EK 1568
#define MLKEM1024_CT 1568

struct part {
    const char *client, *server; /* what the part is, from each side */
    unsigned client_len, server_len;
};

static const struct share_kind {
    uint16_t group;
    unsigned nparts;
    struct part parts[2];
} kinds[] = {
    {23, 1, {{"P-256 point", "P-256 point", 65, 65}}},
    {24, 1, {{"P-384 point", "P-384 point", 97, 97}}},
    {25, 1, {{"P-521 point", "P-521 point", 133, 133}}},
    {29, 1, {{"X25519", "X25519", 32, 32}}},
    {30, 1, {{"X448", "X448", 56, 56}}},
    {0x0200, 1, {{"ML-KEM-512 encapsulation key", "ML-KEM-512 ciphertext", MLKEM512_EK,
                  MLKEM512_CT}}},
    {0x0201, 1, {{"ML-KEM-768 encapsulation key", "ML-KEM-768 ciphertext", MLKEM768_EK,
                  MLKEM768_CT}}},
    {0x0202, 1, {{"ML-KEM-1024 encapsulation key", "ML-KEM-1024 ciphertext", MLKEM1024_EK,
                  MLKEM1024_CT}}},
    /* draft-ietf-tls-ecdhe-mlkem: X25519MLKEM768 puts ML-KEM first, the NIST curves last */
    {0x11ec, 2, {{"ML-KEM-768 encapsulation key", "ML-KEM-768 ciphertext", MLKEM768_EK,
                  MLKEM768_CT},
                 {"X25519", "X25519", 32, 32}}},
    {0x11eb, 2, {{"P-256 point", "P-256 point", 65, 65},
                 {"ML-KEM-768 encapsulation key", "ML-KEM-768 ciphertext", MLKEM768_EK,
                  MLKEM768_CT}}},
    {0x11ed, 2, {{"P-384 point", "P-384 point", 97, 97},
                 {"ML-KEM-1024 encapsulation key", "ML-KEM-1024 ciphertext", MLKEM1024_EK,
                  MLKEM1024_CT}}},
    /* the pre-standard Kyber drafts: the classical part first */
    {0x6399, 2, {{"X25519", "X25519", 32, 32},
                 {"Kyber768 public key", "Kyber768 ciphertext", MLKEM768_EK, MLKEM768_CT}}},
    {0x639a, 2, {{"P-256 point", "P-256 point", 65, 65},
                 {"Kyber768 public key", "Kyber768 ciphertext", MLKEM768_EK, MLKEM768_CT}}},
};

void hs_check_key_share(struct hs_msg *m, struct hs_field *o, uint16_t group,
                        const struct hs_cur *key, bool client)
{
    const struct share_kind *k = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && k == NULL; i++)
        if (kinds[i].group == group)
            k = &kinds[i];
    if (k == NULL)
        return;
    /* A server share for a group the client did not send is reported as that (offer.c). */
    const struct hs_offer *o_ = &m->st->offer;
    if (!client && o_->valid && !o_->shares_cut && !hs_u16_in(o_->shares, o_->nshares, group))
        return;
    size_t len = hs_cur_left(key), want = 0;
    for (unsigned i = 0; i < k->nparts; i++)
        want += client ? k->parts[i].client_len : k->parts[i].server_len;
    if (k->nparts > 1) {
        struct hs_field *a = hs_f_arr(o, "parts");
        size_t at = key->off;
        for (unsigned i = 0; i < k->nparts; i++) {
            const struct part *p = &k->parts[i];
            size_t plen = client ? p->client_len : p->server_len;
            struct hs_field *f = hs_f_obj(a, NULL);
            hs_f_str(f, "name", client ? p->client : p->server);
            hs_f_int(f, "length", (long long)plen);
            if (len == want) {
                hs_f_span(f, at, plen);
                at += plen;
            }
        }
    }
    if (len == want)
        return;
    char buf[48];
    hs_f_int(o, "expected_key_length", (long long)want);
    const char *gname = hs_fmt_group(group, buf, sizeof buf);
    if (k->nparts > 1) {
        const struct part *a = &k->parts[0], *b = &k->parts[1];
        hs_msg_violation(m, "%s key share of %zu bytes: the %s's is %zu (%u %s + %u %s)", gname,
                         len, client ? "client" : "server", want,
                         client ? a->client_len : a->server_len, client ? a->client : a->server,
                         client ? b->client_len : b->server_len, client ? b->client : b->server);
    } else {
        hs_msg_violation(m, "%s key share of %zu bytes: the %s's is %zu", gname, len,
                         client ? "client" : "server", want);
    }
}
