/* One result type for every fallible function, and the two macros that propagate it. */
#ifndef HS_RESULT_H
#define HS_RESULT_H

enum hs_result {
    HS_OK = 0,
    HS_ERR_TRUNCATED = -1,   /* the input ended early (need more, or lost bytes) */
    HS_ERR_INVALID = -2,     /* the input breaks the protocol */
    HS_ERR_LIMIT = -3,       /* a stated bound was reached */
    HS_ERR_CRYPTO = -4,      /* a key derivation or decryption failed */
    HS_ERR_UNSUPPORTED = -5, /* valid, but hstrace does not handle it */
    HS_ERR_IO = -6,          /* a file or socket operation failed */
};

#define HS_MUST_CHECK __attribute__((warn_unused_result))

#define HS_TRY(expr)                                                                          \
    do {                                                                                      \
        int hs_try_r_ = (expr);                                                               \
        if (hs_try_r_ != HS_OK)                                                               \
            return hs_try_r_;                                                                 \
    } while (0)

#define HS_ENSURE(cond, err)                                                                  \
    do {                                                                                      \
        if (!(cond))                                                                          \
            return (err);                                                                     \
    } while (0)

const char *hs_result_name(int r);

#endif
