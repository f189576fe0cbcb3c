/* core/outfile: new files, key log appends, symlinks, fifos, --force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

/* Two buffers in turn, so that link(path_of(a), path_of(b)) works. */
static const char *path_of(const char *name)
{
    static char bufs[2][256];
    static int next;
    char *b = bufs[next];
    next = 1 - next;
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/hs-outfile-XXXXXX");
    umask(022);
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void get(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_new_file_and_mode(void **state)
{
    (void)state;
    char err[256];
    FILE *f = hs_outfile_fopen(path_of("k.log"), HS_OUT_NEW, 0600, err, sizeof err);
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
    assert_int_equal(mode_of(path_of("k.log")), 0600);
    f = hs_outfile_fopen(path_of("a.json"), HS_OUT_NEW, 0644, err, sizeof err);
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mode_of(path_of("a.json")), 0644);
}

static void test_existing_refused_then_forced(void **state)
{
    (void)state;
    char err[256], buf[64];
    put(path_of("old.pcap"), "old");
    assert_int_equal(link(path_of("old.pcap"), path_of("other")), 0);
    assert_int_equal(hs_outfile_open(path_of("old.pcap"), HS_OUT_NEW, 0644, err, sizeof err), -1);
    assert_int_equal(errno, EEXIST);
    assert_non_null(strstr(err, "--force"));
    get(path_of("old.pcap"), buf, sizeof buf);
    assert_string_equal(buf, "old");

    FILE *f = hs_outfile_fopen(path_of("old.pcap"), HS_OUT_REPLACE, 0600, err, sizeof err);
    assert_non_null(f);
    fputs("new", f);
    fclose(f);
    get(path_of("old.pcap"), buf, sizeof buf);
    assert_string_equal(buf, "new");
    get(path_of("other"), buf, sizeof buf); /* replaced, not written through */
    assert_string_equal(buf, "old");
    assert_int_equal(mode_of(path_of("old.pcap")), 0600);
}

static void test_symlinks_never_followed(void **state)
{
    (void)state;
    char err[256], buf[64];
    put(path_of("victim"), "precious");
    assert_int_equal(symlink(path_of("victim"), path_of("link")), 0);
    assert_int_equal(symlink(path_of("nowhere"), path_of("dangling")), 0);
    assert_int_equal(hs_outfile_open(path_of("link"), HS_OUT_REPLACE, 0600, err, sizeof err), -1);
    assert_non_null(strstr(err, "symbolic link"));
    assert_int_equal(hs_outfile_open(path_of("dangling"), HS_OUT_REPLACE, 0600, err, sizeof err), -1);
    assert_int_equal(hs_outfile_open(path_of("link"), HS_OUT_APPEND, 0600, err, sizeof err), -1);
    assert_non_null(strstr(err, "symbolic link"));
    assert_int_equal(hs_outfile_open(path_of("dangling"), HS_OUT_APPEND, 0600, err, sizeof err),
                     -1);
    get(path_of("victim"), buf, sizeof buf);
    assert_string_equal(buf, "precious");
    assert_int_equal(access(path_of("nowhere"), F_OK), -1);
}

static void test_append_keeps_and_narrows(void **state)
{
    (void)state;
    char err[256], buf[64];
    put(path_of("keys"), "one\n");
    assert_int_equal(chmod(path_of("keys"), 0644), 0);
    FILE *f = hs_outfile_fopen(path_of("keys"), HS_OUT_APPEND, 0600, err, sizeof err);
    assert_non_null(f);
    fputs("two\n", f);
    fclose(f);
    get(path_of("keys"), buf, sizeof buf);
    assert_string_equal(buf, "one\ntwo\n");
    assert_int_equal(mode_of(path_of("keys")), 0600);
    /* A missing one is created. */
    f = hs_outfile_fopen(path_of("fresh"), HS_OUT_APPEND, 0600, err, sizeof err);
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mode_of(path_of("fresh")), 0600);
}

static void test_not_regular_refused(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(mkfifo(path_of("fifo"), 0600), 0);
    /* No reader: must not block. */
    assert_int_equal(hs_outfile_open(path_of("fifo"), HS_OUT_APPEND, 0600, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(hs_outfile_open(path_of("fifo"), HS_OUT_REPLACE, 0600, err, sizeof err), -1);
    assert_int_equal(mkdir(path_of("d"), 0700), 0);
    assert_int_equal(hs_outfile_open(path_of("d"), HS_OUT_REPLACE, 0600, err, sizeof err), -1);
    assert_int_equal(hs_outfile_open(path_of("d"), HS_OUT_APPEND, 0600, err, sizeof err), -1);
    assert_int_equal(hs_outfile_open("", HS_OUT_NEW, 0600, err, sizeof err), -1);
    assert_int_equal(
        hs_outfile_open(path_of("no/such/dir"), HS_OUT_NEW, 0600, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create"));
}

/* An output that could not be completed is removed; a file that took its name meanwhile
 * is not; a complete one stays. */
static void test_close_removes_incomplete(void **state)
{
    (void)state;
    char err[512];
    FILE *f = hs_outfile_fopen(path_of("ok.json"), HS_OUT_NEW, 0644, err, sizeof err);
    assert_non_null(f);
    fputs("{}\n", f);
    assert_int_equal(hs_outfile_close(f, path_of("ok.json"), 0), 0);
    assert_int_equal(access(path_of("ok.json"), F_OK), 0);

    f = hs_outfile_fopen(path_of("bad.pcap"), HS_OUT_NEW, 0644, err, sizeof err);
    assert_non_null(f);
    assert_int_equal(hs_outfile_close(f, path_of("bad.pcap"), ENOSPC), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(access(path_of("bad.pcap"), F_OK), -1);

    f = hs_outfile_fopen(path_of("moved.pcap"), HS_OUT_NEW, 0644, err, sizeof err);
    assert_non_null(f);
    assert_int_equal(rename(path_of("moved.pcap"), path_of("elsewhere")), 0);
    put(path_of("moved.pcap"), "someone else's");
    assert_int_equal(hs_outfile_close(f, path_of("moved.pcap"), EIO), -1);
    char buf[64];
    get(path_of("moved.pcap"), buf, sizeof buf);
    assert_string_equal(buf, "someone else's");
}

/* The watched stream keeps why a write failed, though stdio forgets it once a buffer is
 * dropped (here: /dev/full, far more than one buffer). */
static void test_watch_keeps_the_reason(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    if (full == NULL)
        skip();
    FILE *f = hs_outfile_watch(full);
    assert_ptr_not_equal(f, full);
    for (int i = 0; i < 10000; i++)
        fputs("a line of the ladder\n", f);
    fflush(f);
    int saved = dup(STDERR_FILENO); /* the message goes to a file, to be checked */
    int msg = open(path_of("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && msg >= 0);
    dup2(msg, STDERR_FILENO);
    int r = hs_outfile_watch_end(f, "standard output");
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(msg);
    assert_int_equal(r, -1);
    char buf[256];
    get(path_of("stderr.txt"), buf, sizeof buf);
    assert_string_equal(buf, "hstrace: cannot write standard output: No space left on device\n");
    fclose(full);

    size_t done = 0;
    int fd = open("/dev/full", O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(hs_outfile_write_all(fd, "x", 1, &done), ENOSPC);
    assert_int_equal(done, 0);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_file_and_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_refused_then_forced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_never_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_keeps_and_narrows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_regular_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_removes_incomplete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_keeps_the_reason, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
