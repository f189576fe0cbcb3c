/*
 * Several targets (hstrace [options] TARGET TARGET..., or -f FILE): a pool of --jobs threads,
 * each tracing one target at a time; the results in input order, each written as soon as it
 * and all before it are done: a JSON Lines document each (--json), else one summary line each
 * (and with --ladders the ladder under it).  Interruptible: SIGINT or SIGTERM stops it.
 */
#ifndef HS_CLI_MANY_H
#define HS_CLI_MANY_H

#include "options.h"

#include <stdbool.h>

#define HS_JOBS_MAX 64
#define HS_JOBS_DEFAULT 4

/* Whether the command line asks for several targets (two or more, or -f). */
bool hs_cli_many_wanted(const struct hs_options *o);

/* What in o does not go with several targets, or NULL. */
const char *hs_cli_many_conflict(const struct hs_options *o);

/* Reads -f, traces every target, prints them; the process's exit code (see the man page:
 * the worst of the targets', 128 + the signal when interrupted). */
int hs_cli_run_many(const struct hs_options *o);

#endif
