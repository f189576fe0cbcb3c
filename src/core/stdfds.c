/* Descriptors 0-2 always open (see stdfds.h). */
#include "stdfds.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int hs_stdfds_ensure(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* The lowest free number: this one, as every lower one is open. */
        int n = open("/dev/null", O_RDWR);
        if (n < 0)
            return -1;
        if (n != fd) {
            int d = dup2(n, fd);
            close(n);
            if (d != fd)
                return -1;
        }
    }
    return 0;
}
