/* The client certificate and key for mutual TLS (see clientcert.h). */
#include "clientcert.h"

#include "../core/infile.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/platform_util.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* A file's bytes as mbedTLS's parsers take them: PEM with its NUL counted, DER without. */
static unsigned char *read_pem_or_der(const char *path, const char *what, size_t *n, char *err,
                                      size_t errsz)
{
    char why[400];
    char *text = hs_infile_read(path, HS_CLIENTCERT_MAX, n, why, sizeof why);
    if (text == NULL) {
        snprintf(err, errsz, "%s not read: %s", what, why);
        return NULL;
    }
    if (strstr(text, "-----BEGIN ") != NULL)
        (*n)++;
    return (unsigned char *)text;
}

/* The first line of s (its end of line cut) into pass. */
static void first_line(const char *s, char *pass, size_t n)
{
    size_t k = strcspn(s, "\r\n");
    if (k >= n)
        k = n - 1;
    memcpy(pass, s, k);
    pass[k] = '\0';
}

/* The signal that came while the prompt had echo off (0: none). */
static volatile sig_atomic_t prompt_signal;

static void note_signal(int sig)
{
    prompt_signal = sig;
}

/* The signals that end a process at a terminal: while echo is off each is held until the
 * terminal is restored, then delivered as usual. */
static const int prompt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU};
#define N_PROMPT_SIGNALS (sizeof prompt_signals / sizeof prompt_signals[0])

/* Asks on the terminal (stdin) with echo off; false when it cannot. */
static bool ask_terminal(const char *keyfile, char *pass, size_t n)
{
    struct termios old, quiet;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old) != 0)
        return false;
    /* No SA_RESTART: a signal ends the read, the terminal is restored, then it is raised. */
    struct sigaction catch = {.sa_handler = note_signal}, saved[N_PROMPT_SIGNALS];
    sigemptyset(&catch.sa_mask);
    prompt_signal = 0;
    for (size_t i = 0; i < N_PROMPT_SIGNALS; i++)
        sigaction(prompt_signals[i], &catch, &saved[i]);
    quiet = old;
    quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    bool asked = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    char line[HS_PASS_MAX + 2];
    ssize_t r = 0;
    if (asked) {
        fprintf(stderr, "Passphrase for %s: ", keyfile);
        fflush(stderr);
        r = prompt_signal ? -1 : read(STDIN_FILENO, line, sizeof line - 1);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    for (size_t i = 0; i < N_PROMPT_SIGNALS; i++)
        sigaction(prompt_signals[i], &saved[i], NULL);
    if (prompt_signal)
        raise(prompt_signal); /* with the terminal as it was and the caller's handler */
    if (!asked)
        return false;
    if (r < 0)
        r = 0;
    line[r] = '\0';
    first_line(line, pass, n);
    mbedtls_platform_zeroize(line, sizeof line);
    return true;
}

/* The passphrase --pass names (env:VAR, file:PATH) into pass; 0, or -1 with err. */
static int pass_from_option(const char *spec, char *pass, size_t n, char *err, size_t errsz)
{
    if (strncmp(spec, "env:", 4) == 0) {
        const char *v = getenv(spec + 4);
        if (v == NULL) {
            snprintf(err, errsz, "--pass %s: the environment variable is not set", spec);
            return -1;
        }
        first_line(v, pass, n);
        return 0;
    }
    /* file:PATH (the option parser accepted nothing else) */
    size_t len;
    char why[400];
    char *text = hs_infile_read(spec + 5, HS_PASS_MAX, &len, why, sizeof why);
    if (text == NULL) {
        snprintf(err, errsz, "passphrase file not read: %s", why);
        return -1;
    }
    first_line(text, pass, n);
    mbedtls_platform_zeroize(text, len);
    free(text);
    return 0;
}

/* Parses the key, asking for its passphrase when it is encrypted and none was given. */
static int parse_key(const struct hs_live_opts *o, mbedtls_pk_context *key,
                     const unsigned char *buf, size_t n, mbedtls_ctr_drbg_context *drbg,
                     char *err, size_t errsz)
{
    char pass[HS_PASS_MAX + 1] = "";
    int ret = -1, r;
    if (o->pass && pass_from_option(o->pass, pass, sizeof pass, err, errsz) != 0)
        goto out;
    r = mbedtls_pk_parse_key(key, buf, n, (const unsigned char *)pass, strlen(pass),
                             mbedtls_ctr_drbg_random, drbg);
    if (r == MBEDTLS_ERR_PK_PASSWORD_REQUIRED && o->pass == NULL) {
        if (!o->may_prompt || !ask_terminal(o->keyfile, pass, sizeof pass)) {
            snprintf(err, errsz, "the key %s is encrypted: give its passphrase with --pass "
                     "env:VAR or --pass file:PATH", o->keyfile);
            goto out;
        }
        r = mbedtls_pk_parse_key(key, buf, n, (const unsigned char *)pass, strlen(pass),
                                 mbedtls_ctr_drbg_random, drbg);
    }
    if (r == MBEDTLS_ERR_PK_PASSWORD_MISMATCH || r == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
        snprintf(err, errsz, "wrong passphrase for the key %s", o->keyfile);
        goto out;
    }
    if (r != 0) {
        char msg[160];
        mbedtls_strerror(r, msg, sizeof msg);
        snprintf(err, errsz, "cannot read the key %s: %s", o->keyfile, msg);
        goto out;
    }
    ret = 0;
out:
    mbedtls_platform_zeroize(pass, sizeof pass);
    return ret;
}

int hs_clientcert_load(const struct hs_live_opts *o, mbedtls_ssl_config *conf,
                       mbedtls_x509_crt *crt, mbedtls_pk_context *key, char *err, size_t errsz)
{
    if (o->certfile == NULL)
        return 0;
    size_t n;
    unsigned char *buf = read_pem_or_der(o->certfile, "client certificate", &n, err, errsz);
    if (buf == NULL)
        return -1;
    int r = mbedtls_x509_crt_parse(crt, buf, n);
    free(buf);
    if (r != 0) {
        char msg[160];
        mbedtls_strerror(r, msg, sizeof msg);
        snprintf(err, errsz, "cannot read the client certificate %s: %s", o->certfile, msg);
        return -1;
    }
    buf = read_pem_or_der(o->keyfile, "client key", &n, err, errsz);
    if (buf == NULL)
        return -1;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0);
    if (r != 0)
        snprintf(err, errsz, "cannot initialise mbedTLS's random generator");
    else
        r = parse_key(o, key, buf, n, &drbg, err, errsz);
    mbedtls_platform_zeroize(buf, n);
    free(buf);
    if (r == 0 && mbedtls_pk_check_pair(&crt->pk, key, mbedtls_ctr_drbg_random, &drbg) != 0) {
        snprintf(err, errsz, "the key %s does not belong to the certificate %s", o->keyfile,
                 o->certfile);
        r = -1;
    }
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    if (r != 0)
        return -1;
    if (mbedtls_ssl_conf_own_cert(conf, crt, key) != 0) {
        snprintf(err, errsz, "cannot use the client certificate %s", o->certfile);
        return -1;
    }
    return 0;
}
