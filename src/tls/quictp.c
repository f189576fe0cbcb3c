/*
 * The quic_transport_parameters extension (RFC 9000 18; 0x39, and 0xffa5 of drafts 29-32):
 * each parameter by name with its value (integers, connection IDs, flags), unknown and
 * GREASE ones by id and length.
 */
#include "msg.h"

#include "quic.h"

#include <stdio.h>

#define MAX_PARAMS 64 /* parameters shown; more are counted */

enum tp_kind { TP_INT, TP_BYTES, TP_FLAG, TP_LEN };

static const struct tp {
    uint64_t id;
    const char *name;
    enum tp_kind kind;
} tps[] = {
    {0x00, "original_destination_connection_id", TP_BYTES},
    {0x01, "max_idle_timeout", TP_INT},
    {0x02, "stateless_reset_token", TP_BYTES},
    {0x03, "max_udp_payload_size", TP_INT},
    {0x04, "initial_max_data", TP_INT},
    {0x05, "initial_max_stream_data_bidi_local", TP_INT},
    {0x06, "initial_max_stream_data_bidi_remote", TP_INT},
    {0x07, "initial_max_stream_data_uni", TP_INT},
    {0x08, "initial_max_streams_bidi", TP_INT},
    {0x09, "initial_max_streams_uni", TP_INT},
    {0x0a, "ack_delay_exponent", TP_INT},
    {0x0b, "max_ack_delay", TP_INT},
    {0x0c, "disable_active_migration", TP_FLAG},
    {0x0d, "preferred_address", TP_LEN},
    {0x0e, "active_connection_id_limit", TP_INT},
    {0x0f, "initial_source_connection_id", TP_BYTES},
    {0x10, "retry_source_connection_id", TP_BYTES},
    {0x11, "version_information", TP_BYTES},
    {0x20, "max_datagram_frame_size", TP_INT},
    {0x2ab2, "grease_quic_bit", TP_FLAG},
};

static const struct tp *tp_find(uint64_t id)
{
    for (size_t i = 0; i < sizeof tps / sizeof tps[0]; i++)
        if (tps[i].id == id)
            return &tps[i];
    return NULL;
}

int hs_ext_quic_transport_parameters(struct hs_msg *m, struct hs_cur *b, enum hs_ext_where where,
                                     struct hs_field *e, struct hs_ext_info *info)
{
    (void)m;
    (void)where;
    (void)info;
    const uint8_t *p = hs_cur_ptr(b);
    size_t n = hs_cur_left(b), off = 0;
    struct hs_field *arr = hs_f_arr(e, "parameters");
    unsigned count = 0;
    while (off < n) {
        uint64_t id, len;
        size_t at = off;
        if (!hs_quic_varint(p, n, &off, &id) || !hs_quic_varint(p, n, &off, &len) ||
            len > n - off) {
            b->off += at;
            return HS_ERR_INVALID;
        }
        const uint8_t *v = p + off;
        off += (size_t)len;
        if (++count > MAX_PARAMS)
            continue;
        const struct tp *t = tp_find(id);
        struct hs_field *o = hs_f_span(hs_f_obj(arr, NULL), b->off + at, off - at);
        char unk[40];
        if (t == NULL)
            snprintf(unk, sizeof unk, "%s(0x%llx)", id % 31 == 27 ? "grease" : "unknown",
                     (unsigned long long)id);
        hs_f_str(o, "name", t ? t->name : unk);
        hs_f_int(o, "id", (long long)id); /* a varint: below 2^62 */
        size_t vo = 0;
        uint64_t x;
        if (t && t->kind == TP_INT && hs_quic_varint(v, (size_t)len, &vo, &x) && vo == len)
            hs_f_int(o, "value", (long long)x);
        else if (t && t->kind == TP_BYTES)
            hs_f_hex(o, "value", v, (size_t)len);
        else if (t && t->kind == TP_FLAG && len == 0)
            hs_f_bool(o, "value", true);
        else
            hs_f_int(o, "length", (long long)len);
    }
    if (count > MAX_PARAMS)
        hs_f_int(e, "parameters_not_shown", (long long)(count - MAX_PARAMS));
    b->off = b->end;
    return HS_OK;
}
