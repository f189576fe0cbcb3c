/*
 * The -r pipeline on an arbitrary file: pcap/pcapng reader → frame parser → TCP connections
 * and reassembly → TLS start → decoder → one trace per connection, each rendered by every
 * view (text, JSON, the capture JSON stream) and freed.  The reader takes a path, so the
 * input goes to a memfd opened through /proc/self/fd.  A key log with the secrets of the
 * seed sessions (fuzz_keys.h) is passed as --keylog; inputs whose size is 3 mod 4 also get a
 * --filter, so the selection code runs.
 */
#include "fuzz_common.h"
#include "fuzz_keys.h"

#include "capture/replay.h"
#include "view/json_capture.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cap_sink {
    struct hs_json_stream js;
    unsigned sel;
};

static void cap_on_conn(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c)
{
    struct cap_sink *s = ctx;
    fuzz_render(t, s->sel++);
    fuzz_check_json(t, c, s->sel & (HS_JSONW_ASCII | HS_JSONW_COMPACT));
    hs_capture_json_conn(&s->js, t, c);
    hs_trace_free(t);
}

/* A memfd holding n bytes of p; its path in *path. */
static int cap_memfile(const char *name, const void *p, size_t n, char *path, size_t pathsz)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(write(fd, p, n) == (ssize_t)n);
    snprintf(path, pathsz, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    static char keypath[64];
    if (devnull == NULL) {
        devnull = fopen("/dev/null", "w");
        FUZZ_CHECK(devnull != NULL);
        (void)cap_memfile("keys", fuzz_keylog_text, strlen(fuzz_keylog_text), keypath,
                      sizeof keypath);
    }
    char path[64];
    int fd = cap_memfile("capture", data, size, path, sizeof path);

    struct hs_replay_opts ro = {.path = path, .keylog = keypath,
                                .filter = size % 4 == 3 ? "10.0.0.2:443" : NULL};
    struct cap_sink s = {.sel = size > 0 ? data[size - 1] : 0};
    hs_capture_json_begin(&s.js, devnull, (s.sel & 0x10) != 0); /* both encodings */
    struct hs_replay_summary sum;
    int r = hs_replay(&ro, cap_on_conn, &s, &sum);
    FUZZ_CHECK(r >= 0 && r <= 2);
    FUZZ_CHECK(memchr(sum.error, '\0', sizeof sum.error) != NULL);
    (void)hs_capture_json_end(&s.js, &sum.src);
    close(fd);
    return 0;
}
