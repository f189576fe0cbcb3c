/* What a TLS record header may look like (see record.h). */
#include "record.h"

bool hs_record_type_known(uint8_t type)
{
    return type >= HS_CT_CHANGE_CIPHER_SPEC && type <= HS_CT_HEARTBEAT;
}

bool hs_record_shaped(const uint8_t *h)
{
    return hs_record_type_known(h[0]) && h[1] == 3 && h[2] <= 4;
}

bool hs_record_plausible(const uint8_t *h, size_t max_body)
{
    size_t len = hs_record_length(h);
    return hs_record_shaped(h) && len > 0 && len <= max_body;
}

bool hs_record_hello(const uint8_t *h, enum hs_side side, size_t max_body)
{
    return h[0] == HS_CT_HANDSHAKE && hs_record_plausible(h, max_body) &&
           hs_record_length(h) >= 4 && h[5] == (side == HS_CLIENT ? 1 : 2);
}

bool hs_record_sslv2_hello(const uint8_t *h, size_t max_body)
{
    size_t len = hs_sslv2_length(h);
    return (h[0] & 0x80) && len >= HS_SSLV2_MIN_BODY && len <= max_body && h[2] == 1 &&
           ((h[3] == 0 && h[4] == 2) || (h[3] == 3 && h[4] <= 4));
}
