/*
 * The fuzz harnesses (tests/fuzz/fuzz_*.c), built with gcc as plain functions, so `make check`
 * runs what the fuzzers found without clang: every input of the committed corpus
 * (tests/fuzz/corpus/NAME/, the seeds and the inputs that once crashed) goes through its
 * harness, and each bug the fuzzers found has its own test below with the minimised input.
 *
 * Bugs found by fuzzing (harness: file, function: cause):
 *   (none yet)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each harness defines LLVMFuzzerTestOneInput: give each its own name. */
#define LLVMFuzzerTestOneInput fuzz_decoder_one
#include "../fuzz/fuzz_decoder.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_x509_one
#include "../fuzz/fuzz_x509.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_capture_one
#include "../fuzz/fuzz_capture.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_keylog_one
#include "../fuzz/fuzz_keylog.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_target_one
#include "../fuzz/fuzz_target.c"
#undef LLVMFuzzerTestOneInput

typedef int (*harness_fn)(const uint8_t *data, size_t size);

/* tests/fuzz/corpus, found from $HS_TESTDATA (tests/data) or the working directory. */
static void corpus_dir(const char *name, char *out, size_t outsz)
{
    const char *data = getenv("HS_TESTDATA");
    snprintf(out, outsz, "%s/../fuzz/corpus/%s", data ? data : "tests/data", name);
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    size_t k;
    while ((k = fread(buf + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *n = len;
    return buf;
}

/* Runs every file of the harness's committed corpus through it. */
static void replay_corpus(const char *name, harness_fn fn)
{
    char dir[1024];
    corpus_dir(name, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (d == NULL) {
        print_error("cannot open %s\n", dir);
        fail();
    }
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t n;
        uint8_t *buf = read_all(path, &n);
        assert_int_equal(fn(buf, n), 0);
        free(buf);
        files++;
    }
    closedir(d);
    assert_true(files > 0);
}

static void test_corpus_decoder(void **state) { (void)state; replay_corpus("decoder", fuzz_decoder_one); }
static void test_corpus_x509(void **state) { (void)state; replay_corpus("x509", fuzz_x509_one); }
static void test_corpus_capture(void **state) { (void)state; replay_corpus("capture", fuzz_capture_one); }
static void test_corpus_keylog(void **state) { (void)state; replay_corpus("keylog", fuzz_keylog_one); }
static void test_corpus_target(void **state) { (void)state; replay_corpus("target", fuzz_target_one); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_decoder),
        cmocka_unit_test(test_corpus_x509),
        cmocka_unit_test(test_corpus_capture),
        cmocka_unit_test(test_corpus_keylog),
        cmocka_unit_test(test_corpus_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
