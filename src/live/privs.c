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

int hs_privs_plan(const char *user, struct hs_privs *p, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    uid_t euid = geteuid(), ruid = getuid();
    if (user) {
        if (*user == '\0' || !lookup_user(user, p)) {
            snprintf(err, errsz, "-Z: unknown user '%s'", user);
            return -1;
        }
        if (euid != 0) {
            if (p->uid == euid && p->uid == ruid)
                return 0; /* already that user */
            snprintf(err, errsz, "-Z %s: only root can change user (running as uid %lu)", user,
                     (unsigned long)euid);
            return -1;
        }
        p->drop = p->uid != 0; /* -Z root keeps root */
        return 0;
    }
    if (euid != 0)
        return 0;
    if (ruid != 0) {
        /* Installed set-user-ID root: the environment is the caller's, trust only the kernel. */
        p->uid = ruid;
        p->gid = getgid();
        (void)name_of_uid(ruid, p, NULL);
        p->drop = true;
        return 0;
    }
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

/* True when the process still holds a capability (e.g. kept across setuid by securebits). */
static bool holds_capabilities(void)
{
    struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &head, data) != 0)
        return false; /* cannot tell; the setuid(0) test below still stands */
    return (data[0].effective | data[0].permitted | data[1].effective | data[1].permitted) != 0;
}

int hs_privs_drop(const struct hs_privs *p, char *err, size_t errsz)
{
    if (!p->drop)
        return 0;
    /* Groups first: after setuid there is no right to change them any more. */
    int r = p->user[0] ? initgroups(p->user, p->gid) : setgroups(1, &p->gid);
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

int hs_privs_become_user(const char *user, char *err, size_t errsz)
{
    struct hs_privs p;
    if (hs_privs_plan(user, &p, err, errsz) != 0)
        return -1;
    return hs_privs_drop(&p, err, errsz);
}
