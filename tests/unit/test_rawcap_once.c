/*
 * The socket that turns receive time stamps on early (live/rawcap.c) is opened once per
 * process, even when several traces ask for it at the same moment from their own threads
 * (several targets, cli/many.c): no second socket, no data race.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "live/rawcap.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 16
#define ATTEMPTS 40

static pthread_barrier_t start;

static void *ask(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    hs_rawcap_stamps_early();
    return NULL;
}

/* Open file descriptors of this process. */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

/* In a fresh process: THREADS threads ask at once, then again; exits with the number of
 * descriptors opened (1 is right). */
static int child(void)
{
    int before = count_fds();
    if (before <= 0)
        return 100;
    for (int round = 0; round < 2; round++) {
        pthread_t th[THREADS];
        if (pthread_barrier_init(&start, NULL, THREADS) != 0)
            return 101;
        for (int i = 0; i < THREADS; i++)
            if (pthread_create(&th[i], NULL, ask, NULL) != 0)
                return 102;
        for (int i = 0; i < THREADS; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&start);
    }
    return count_fds() - before;
}

static void test_one_socket_for_all_threads(void **state)
{
    (void)state;
    /* Each attempt in its own process, where the socket is not open yet: a race shows as
     * more than one descriptor opened in some of them. */
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(child());
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_socket_for_all_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
