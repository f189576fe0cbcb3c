/*
 * Giving up root, as tcpdump -Z does: root (or CAP_NET_RAW) is needed only to open the capture
 * handle, so once it is open the process becomes an ordinary user for good, before it reads a
 * byte from the peer or creates a file.  The user is -Z USER, else the one who ran sudo
 * (SUDO_UID / SUDO_GID), else, for a set-user-ID root binary, the real user.  Plain root with
 * no sudo and no -Z stays root.
 */
#ifndef HS_PRIVS_H
#define HS_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hs_privs {
    bool drop;       /* false: nothing to do (not root, -Z root, or plain root) */
    uid_t uid;
    gid_t gid;
    char user[64];   /* passwd name, for the supplementary groups; "" when it has none */
};

/*
 * Decides who to become: user is -Z's argument (a name, or a number) or NULL.  Looks names up
 * now, so a bad -Z is a usage error before anything runs.  0, or -1 with the reason in err.
 */
int hs_privs_plan(const char *user, struct hs_privs *p, char *err, size_t errsz);

/*
 * Becomes p's user: supplementary groups (initgroups), gid, uid, all three ids each; then
 * checks that root cannot be regained.  Process-wide (every thread).  0 (also when there is
 * nothing to do), or -1 with the reason in err; a process that could become root again after
 * the drop is ended at once (exit status 2).
 */
int hs_privs_drop(const struct hs_privs *p, char *err, size_t errsz);

/* hs_privs_plan then hs_privs_drop, for sources that drop at start (e.g. reading a file). */
int hs_privs_become_user(const char *user, char *err, size_t errsz);

#endif
