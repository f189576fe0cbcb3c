/* Dropping root for good once the capture handle is open (see privs.h). */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PW_BUF 16384 /* getpw*_r scratch; an entry larger than this counts as not found */

/* A decimal id that fits id_t and is not the reserved (id_t)-1; false otherwise. */
static bool parse_id(const char *s, unsigned long *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    unsigned long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT32_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v >= UINT32_MAX)
        return false;
    *out = v;
    return true;
}

/* The passwd entry of name (or, when it is a number and no such name exists, of that uid). */
static bool lookup_user(const char *name, struct hs_privs *p)
{
    char *buf = malloc(PW_BUF);
    if (buf == NULL)
        return false;
    struct passwd pw, *res = NULL;
    unsigned long id;
    if (getpwnam_r(name, &pw, buf, PW_BUF, &res) != 0 || res == NULL) {
        res = NULL;
        if (parse_id(name, &id))
            (void)getpwuid_r((uid_t)id, &pw, buf, PW_BUF, &res);
    }
    bool found = res != NULL && strlen(res->pw_name) < sizeof p->user;
    if (found) {
        p->uid = res->pw_uid;
        p->gid = res->pw_gid;
        snprintf(p->user, sizeof p->user, "%s", res->pw_name);
    }
    free(buf);
    return found;
}

/* uid's passwd name into p->user ("" when it has none); *gid its primary group if asked. */
static bool name_of_uid(uid_t uid, struct hs_privs *p, gid_t *gid)
{
    char *buf = malloc(PW_BUF);
    if (buf == NULL)
        return false;
    struct passwd pw, *res = NULL;
    p->user[0] = '\0';
    if (getpwuid_r(uid, &pw, buf, PW_BUF, &res) == 0 && res != NULL &&
        strlen(res->pw_name) < sizeof p->user) {
        snprintf(p->user, sizeof p->user, "%s", res->pw_name);
        if (gid)
            *gid = res->pw_gid;
    } else {
        res = NULL;
    }
    free(buf);
    return res != NULL;
}

/* True when the calling thread holds a capability in any set (e.g. from setcap, or kept
 * across setuid by securebits). */
static bool holds_capabilities(void)
{
    struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &head, data) != 0)
        return false; /* cannot tell; the setuid(0) test in hs_privs_drop still stands */
    uint32_t any = 0; /* the ambient set is a subset of permitted and inheritable */
    for (int i = 0; i < 2; i++)
        any |= data[i].effective | data[i].permitted | data[i].inheritable;
    return any != 0;
}

/* Empties the calling thread's capability sets (ambient, then the others). */
static void clear_capabilities(void)
{
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct none[2];
    memset(none, 0, sizeof none);
    (void)syscall(SYS_capset, &head, none);
}

void hs_privs_shed_thread(void)
{
    if (geteuid() != 0 && holds_capabilities())
        clear_capabilities();
}

/*
 * Started by an ordinary user: whatever hstrace holds beyond that user (set-user-ID or
 * set-group-ID bits, file capabilities) came with the binary, not from the caller, so the
 * caller's environment (SUDO_UID) and -Z cannot choose who to become: it is the real user,
 * with the groups the caller already has.
 */
static int plan_from_user(const char *user, struct hs_privs *p, char *err, size_t errsz)
{
    uid_t ruid = getuid();
    if (user && p->uid != ruid) {
        snprintf(err, errsz, "-Z %s: only root can change user (hstrace was run by uid %lu)",
                 user, (unsigned long)ruid);
        return -1;
    }
    p->uid = ruid;
    p->gid = getgid();
    p->user[0] = '\0';
    p->keep_groups = true;
    p->drop = geteuid() != ruid || getegid() != p->gid || holds_capabilities();
    return 0;
}

int hs_privs_plan(const char *user, struct hs_privs *p, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    if (user && (*user == '\0' || !lookup_user(user, p))) {
        snprintf(err, errsz, "-Z: unknown user '%s'", user);
        return -1;
    }
    /* The real uid says who ran hstrace; the effective one may come from the binary. */
    if (getuid() != 0)
        return plan_from_user(user, p, err, errsz);
    if (user) {
        if (geteuid() != 0) {
            snprintf(err, errsz, "-Z %s: only root can change user (running as uid %lu)", user,
                     (unsigned long)geteuid());
            return -1;
        }
        p->drop = p->uid != 0; /* -Z root keeps root */
        return 0;
    }
    if (geteuid() != 0)
        return 0;
    const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
    if (su == NULL || *su == '\0')
        return 0; /* plain root */
    unsigned long uid, gid;
    if (!parse_id(su, &uid)) {
        snprintf(err, errsz, "SUDO_UID '%.32s' is not a user id; use -Z USER (or -Z root)", su);
        return -1;
    }
    if (uid == 0)
        return 0; /* sudo from root */
    p->uid = (uid_t)uid;
    gid_t pw_gid = 0;
    bool known = name_of_uid(p->uid, p, &pw_gid);
    if (sg && *sg) {
        if (!parse_id(sg, &gid)) {
            snprintf(err, errsz, "SUDO_GID '%.32s' is not a group id; use -Z USER", sg);
            return -1;
        }
        p->gid = (gid_t)gid;
    } else if (known) {
        p->gid = pw_gid;
    } else {
        snprintf(err, errsz, "SUDO_UID %lu has no passwd entry and SUDO_GID is not set; use "
                 "-Z USER", uid);
        return -1;
    }
    p->drop = true;
    return 0;
}

int hs_privs_drop(const struct hs_privs *p, char *err, size_t errsz)
{
    if (!p->drop)
        return 0;
    /* Nothing exec'd later gains privileges from set-user-ID bits or file capabilities; the
     * bounding set is emptied while the right to do so (CAP_SETPCAP) may still be there. */
    (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    for (unsigned long c = 0; c <= CAP_LAST_CAP; c++)
        (void)prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
    /* Groups first: after setuid there is no right to change them any more.  A caller who is
     * not root keeps the groups they ran hstrace with. */
    int r = p->keep_groups ? 0 : p->user[0] ? initgroups(p->user, p->gid) : setgroups(1, &p->gid);
    if (r != 0) {
        snprintf(err, errsz, "cannot set the groups of uid %lu: %s", (unsigned long)p->uid,
                 strerror(errno));
        return -1;
    }
    if (setresgid(p->gid, p->gid, p->gid) != 0 || setresuid(p->uid, p->uid, p->uid) != 0) {
        snprintf(err, errsz, "cannot become uid %lu gid %lu: %s", (unsigned long)p->uid,
                 (unsigned long)p->gid, strerror(errno));
        return -1;
    }
    clear_capabilities(); /* leaving root did that already; file capabilities stay till now */
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    bool same = getresuid(&ru, &eu, &su) == 0 && getresgid(&rg, &eg, &sg) == 0 &&
                ru == p->uid && eu == p->uid && su == p->uid && rg == p->gid && eg == p->gid &&
                sg == p->gid;
    /* The proof: asking for root back must fail (no saved id, no capability left). */
    bool back = setuid(0) == 0 || seteuid(0) == 0 || (p->gid != 0 && setgid(0) == 0) ||
                holds_capabilities();
    if (!same || back) {
        fprintf(stderr, "hstrace: privileges were not dropped for good (uid %lu): stopping\n",
                (unsigned long)p->uid);
        fflush(stderr);
        _exit(2);
    }
    return 0;
}
