/*
 * The wiring: each takes the parsed command line, picks the view (interactive, text or JSON),
 * fills the source's own options, runs it and renders what it produced.  Each returns the
 * process's exit code.
 */
#ifndef HS_CLI_RUN_H
#define HS_CLI_RUN_H

#include "options.h"

/* A live trace: the target, or the built-in server (--demo). */
int hs_cli_run_live(const struct hs_options *o);

/* -r FILE: every selected TLS connection of a capture. */
int hs_cli_run_capture(const struct hs_options *o);

#endif
