#include "result.h"

const char *hs_result_name(int r)
{
    switch (r) {
    case HS_OK: return "ok";
    case HS_ERR_TRUNCATED: return "truncated";
    case HS_ERR_INVALID: return "invalid";
    case HS_ERR_LIMIT: return "limit reached";
    case HS_ERR_CRYPTO: return "decryption failed";
    case HS_ERR_UNSUPPORTED: return "unsupported";
    case HS_ERR_IO: return "i/o error";
    }
    return "error";
}
