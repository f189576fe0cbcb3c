#!/usr/bin/env bash
# Hostile servers: tests/hostile/run.sh (server.py's crafted replies against hstrace, and the
# interactive view shown an escape-laden certificate); its ok / not ok lines are ours.
exec bash "$(dirname "$0")/../hostile/run.sh" "$@"
