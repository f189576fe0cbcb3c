/*
 * The decryption report of one connection (captures): which key log secrets it needed, which
 * the key log held for its client random, and what became of its protected records.
 */
#include "decoder_internal.h"

#include <stdio.h>

/* The labels of the secrets in mask, in enum order, into arr. */
static void labels(struct hs_field *arr, unsigned mask)
{
    for (int k = 0; k < HS_SECRET_COUNT; k++)
        if (mask & (1u << k))
            hs_f_str(arr, NULL, hs_secret_label((enum hs_secret)k));
}

/* "A, B" of the labels in mask, into buf. */
static const char *label_list(unsigned mask, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < HS_SECRET_COUNT && used < n; k++)
        if (mask & (1u << k)) {
            int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
                             hs_secret_label((enum hs_secret)k));
            if (w < 0)
                break;
            used += (size_t)w;
        }
    return buf;
}

struct hs_field *dec_report(const struct hs_decoder *d)
{
    const struct tally *t = &d->tally;
    unsigned needed = hs_secrets_needed(&d->st), present = 0;
    /* the ClientHello the ServerHello answered (the latest one after a renegotiation) */
    const uint8_t *random = d->st.sh_seen ? d->cur_client_random : d->st.client_random;
    for (int k = 0; k < HS_SECRET_COUNT && d->keys && d->st.ch_seen; k++) {
        size_t len = 0;
        if (hs_keylog_find(d->keys, (enum hs_secret)k, random, &len))
            present |= 1u << k;
    }
    unsigned long protected_ = t->decrypted + t->nokey + t->failed + t->unsupported;
    unsigned found = needed & present, missing = needed & ~present;
    char why[320], list[256];
    const char *st;
    if (t->unsupported > 0) {
        st = "unsupported suite";
        snprintf(why, sizeof why, "hstrace cannot decrypt this cipher suite: %s",
                 t->unsupported_why);
    } else if (t->failed > 0) {
        st = "wrong keys";
        snprintf(why, sizeof why, "%lu record%s failed authentication with %s", t->failed,
                 t->failed == 1 ? "" : "s", label_list(t->failed_kinds, list, sizeof list));
    } else if (protected_ == 0) {
        st = "not encrypted";
        snprintf(why, sizeof why, "%s", d->st.sh_seen ? "no record of this connection was "
                                                        "encrypted"
                                                      : "no ServerHello: no record was encrypted");
    } else if (found == 0) {
        st = "no keys";
        snprintf(why, sizeof why, "%s", hs_keylog_count(d->keys) == 0
                                            ? "no key log"
                                            : "the key log holds no secret for this client random");
    } else if (t->nokey > 0) {
        st = "partial";
        snprintf(why, sizeof why, "%lu of %lu encrypted records decrypted", t->decrypted,
                 protected_);
    } else {
        /* A missing secret that protected none of the records seen (say the application
         * traffic secrets of a handshake that failed) does not make it partial. */
        st = "decrypted";
        snprintf(why, sizeof why, "all %lu encrypted record%s decrypted%s", protected_,
                 protected_ == 1 ? "" : "s",
                 missing ? "; no record needed the missing secrets" : "");
    }
    struct hs_field *r = hs_field_new_object();
    hs_f_str(r, "status", st);
    labels(hs_f_arr(r, "found"), found);
    labels(hs_f_arr(r, "missing"), missing);
    hs_f_str(r, "reason", why);
    return r;
}
