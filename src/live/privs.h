/*
 * Giving up root, as tcpdump -Z does: root (or CAP_NET_RAW) is needed only to open the capture
 * handle, so once it is open the process becomes an ordinary user for good, before it reads a
 * byte from the peer or opens a file the user named.  Who ran hstrace is the real uid.  Real
 * root: the user is -Z USER, else the one who ran sudo (SUDO_UID / SUDO_GID); plain root with
 * no sudo and no -Z stays root.  Anyone else (a set-user-ID or set-group-ID binary, file
 * capabilities): the real user and group, every capability dropped; -Z naming anyone else is
 * refused and SUDO_* are ignored (the environment is the caller's).
 */
#ifndef HS_PRIVS_H
#define HS_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hs_privs {
    bool drop;       /* false: nothing to do (nothing to shed, -Z root, or plain root) */
    bool keep_groups; /* an ordinary caller: keep the supplementary groups they have */
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
 * Becomes p's user: no_new_privs, the capability bounding set emptied (when allowed),
 * supplementary groups (initgroups, unless kept), gid, uid, all three ids each, every
 * capability of the calling thread dropped; then checks that root cannot be regained.  The
 * ids change in every thread; capabilities only in the calling one (a thread started earlier
 * sheds its own: hs_privs_shed_thread).  0 (also when there is nothing to do), or -1 with the
 * reason in err; a process that could become root again after the drop is ended at once
 * (exit status 2).
 */
int hs_privs_drop(const struct hs_privs *p, char *err, size_t errsz);

/*
 * For threads started before the drop that need no privilege (the demo server, the
 * interactive view): drops the calling thread's capabilities when the process is not root
 * (capabilities are per thread; root's threads all lose theirs when the uid changes).
 */
void hs_privs_shed_thread(void);

#endif
