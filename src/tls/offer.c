/*
 * The server's hello checked against what the client offered.  A server may only choose from
 * the offer; when it does not, the client must abort the handshake, and a tracer should say
 * which rule was broken rather than leave the user with the client's terse alert (or, from
 * mbedTLS, "Bad input parameters").  Each finding is a "violations" entry on the row.
 */
#include "msg.h"

#include "suites.h"

#include <stdio.h>

/* RFC 8446 4.2: a server may answer only the extensions the client sent (cookie excepted, in
 * a HelloRetryRequest); RFC 5746 3.6: renegotiation_info also answers the SCSV. */
static void check_extensions(struct hs_msg *m, const struct hs_offer *o, bool hrr,
                             const struct hs_ext_info *info)
{
    for (unsigned i = 0; i < info->ntypes; i++) {
        uint16_t t = info->types[i];
        if (hs_u16_in(o->exts, o->nexts, t) || (hrr && t == 44))
            continue;
        if (t == 0xff01 && !o->suites_cut && hs_u16_in(o->suites, o->nsuites, 0x00ff))
            continue;
        char unk[24];
        hs_msg_violation(m, "extension %s was not in the ClientHello",
                         hs_fmt_extension(t, unk, sizeof unk));
    }
}

/* RFC 8446 4.2.1; RFC 5246 7.4.1.3 (a server picks at most the client's version). */
static void check_version(struct hs_msg *m, const struct hs_offer *o, uint16_t legacy,
                          const struct hs_ext_info *info)
{
    char buf[48], mine[48];
    uint16_t v = info->selected_version;
    if (v != 0) {
        if (!o->versions_sent)
            return; /* reported as an extension not offered */
        if (!o->versions_cut && !hs_u16_in(o->versions, o->nversions, v))
            hs_msg_violation(m, "version %s was not in the client's supported_versions",
                             hs_fmt_version(v, buf, sizeof buf));
        else if (v < 0x0304 && (v >> 8) != 0x7f)
            hs_msg_violation(m, "supported_versions selects %s: only TLS 1.3 or later may be "
                             "selected this way", hs_fmt_version(v, buf, sizeof buf));
        return;
    }
    if (o->versions_sent) {
        /* A server that ignores the extension negotiates by legacy_version; the client
         * listed every version it accepts. */
        if (!o->versions_cut && !hs_u16_in(o->versions, o->nversions, legacy))
            hs_msg_violation(m, "version %s was not in the client's supported_versions",
                             hs_fmt_version(legacy, buf, sizeof buf));
    } else if (legacy > o->legacy_version) {
        hs_msg_violation(m, "version %s is above the client's %s",
                         hs_fmt_version(legacy, buf, sizeof buf),
                         hs_fmt_version(o->legacy_version, mine, sizeof mine));
    }
}

/* RFC 8446 4.1.4 and 4.2.8: the groups a HelloRetryRequest and a ServerHello may name. */
static void check_groups(struct hs_msg *m, const struct hs_offer *o, bool hrr,
                         const struct hs_ext_info *info)
{
    char buf[48];
    if (!info->has_share)
        return;
    uint16_t g = info->share_group;
    if (hrr) {
        if (o->groups_sent && !o->groups_cut && !hs_u16_in(o->groups, o->ngroups, g))
            hs_msg_violation(m, "asks for group %s, which was not in the client's "
                             "supported_groups", hs_fmt_group(g, buf, sizeof buf));
        else if (!o->shares_cut && hs_u16_in(o->shares, o->nshares, g))
            hs_msg_violation(m, "asks for a key share for %s, which the client already sent",
                             hs_fmt_group(g, buf, sizeof buf));
    } else if (!o->shares_cut && !hs_u16_in(o->shares, o->nshares, g)) {
        hs_msg_violation(m, "key share for group %s, for which the client sent none",
                         hs_fmt_group(g, buf, sizeof buf));
    }
}

void hs_check_server_hello(struct hs_msg *m, bool hrr, uint16_t legacy, bool have_suite,
                           uint16_t suite, const struct hs_ext_info *info)
{
    const struct hs_tls_state *st = m->st;
    const struct hs_offer *o = &st->offer;
    char buf[48];
    if (m->from != HS_SERVER || !o->valid)
        return;
    if (hrr && st->hrr_count > 0)
        hs_msg_violation(m, "a second HelloRetryRequest: the client must abort (RFC 8446 "
                         "4.1.4)");
    if (have_suite && !o->suites_cut && !hs_u16_in(o->suites, o->nsuites, suite))
        hs_msg_violation(m, "cipher suite %s was not offered by the client",
                         hs_fmt_suite(suite, buf, sizeof buf));
    else if (have_suite && !hrr && st->hrr_count > 0 && suite != st->hrr_suite)
        hs_msg_violation(m, "cipher suite %s differs from the HelloRetryRequest's",
                         hs_fmt_suite(suite, buf, sizeof buf));
    check_version(m, o, legacy, info);
    check_extensions(m, o, hrr, info);
    uint16_t v = info->selected_version ? info->selected_version : legacy;
    if (v == 0x0304 || (v >> 8) == 0x7f)
        check_groups(m, o, hrr, info);
}
