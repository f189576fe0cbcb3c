#!/usr/bin/env bash
# Runs every test: the cmocka unit tests, then each integration script.  Ends with the line
# "N passed, N failed[, N skipped]" and exits non-zero if anything failed.
#   usage: tests/run.sh [-j N]   (or TEST_JOBS=N; default: the number of CPUs plus one)
# N tests run at a time.  Each one's output goes to its own file, BUILD/test-logs/NAME.log
# (test-logs-valgrind/ with VALGRIND=1), and its summary is printed whole once it and every
# test before it are done: the output reads as a serial run's, in the same order.  The
# slowest tests (by BUILD/test-times, the last run's times, else tests/test-times) start
# first; the scripts named in SERIAL run alone.
set -u
cd "$(dirname "$0")/.." || exit 2
: "${BUILD:=$PWD/build/rel}"
: "${HSTRACE:=$BUILD/hstrace}"
export HSTRACE BUILD
export HS_TESTDATA="$PWD/tests/data"
# Sanitizer reports must not pass for one of hstrace's own exit codes (ASan's default is 1).
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}

# Scripts that must not share the machine with other tests, each with its reason.  Every
# script takes free ports, its own scratch dir and tmux socket, captures with a filter on its
# own ports, and kills its own peers by PID; but
#   live_exit: times hstrace's exit against a run without capture to within half a packet
#              socket's close (a few milliseconds), which other tests' load would blur.
SERIAL="live_exit"

jobs=${TEST_JOBS:-}
while getopts j: opt; do
    case $opt in
    j) jobs=$OPTARG ;;
    *) echo "usage: tests/run.sh [-j N]" >&2; exit 2 ;;
    esac
done
if [ -z "$jobs" ]; then
    jobs=$(($(nproc 2>/dev/null || echo 1) + 1))
fi
if ! [[ $jobs =~ ^[1-9][0-9]{0,2}$ ]]; then
    echo "tests/run.sh: -j / TEST_JOBS must be a number from 1 to 999, not '$jobs'" >&2
    exit 2
fi

names=() paths=()
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    names+=("$(basename "$t")"); paths+=("$t")
done
for s in tests/integration/*.sh; do
    names+=("$(basename "$s" .sh)"); paths+=("$s")
done
total=${#names[@]}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hstrace-run.XXXXXX") || exit 2
# The valgrind pass (VALGRIND=1) shares the release build: its logs and times kept apart.
mode=${VALGRIND:+-valgrind}
logs=$BUILD/test-logs$mode
mkdir -p "$logs" 2>/dev/null || logs=$tmp
stop() {
    local p
    for p in $(jobs -p); do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Start order: the unit tests (seconds in all) first, so that the output starts at once, then
# the scripts slowest first by the recorded times (seconds NAME per line), a script with no
# recorded time before them all.
times=$BUILD/test-times$mode
[ -s "$times" ] || times=tests/test-times
declare -A secs=()
if [ -s "$times" ]; then
    while read -r sec name; do
        [[ $sec =~ ^[0-9]+(\.[0-9]+)?$ ]] && [ -n "$name" ] && secs[$name]=$sec
    done <"$times"
fi
order=()
mapfile -t order < <(for i in "${!names[@]}"; do
    if [[ ${paths[$i]} == *.sh ]]; then
        printf '%s %s\n' "${secs[${names[$i]}]:-1e9}" "$i"
    else
        printf '1e10 %s\n' "$i"
    fi
done | LC_ALL=C sort -s -k1,1gr | cut -d' ' -f2)

# Started with `&` by a script (`make check &`, some CI agents), this runner ignores SIGINT
# and SIGQUIT, and so would every test: they get them back at their default (mtls.sh's
# Ctrl-C at the passphrase prompt needs SIGINT).
if env --default-signal=INT,QUIT true 2>/dev/null; then
    default_signals=(env "--default-signal=INT,QUIT")
else
    default_signals=(python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGXFSZ):
    signal.signal(s, signal.SIG_DFL)  # python ignores the last two itself
os.execvp(sys.argv[1], sys.argv[1:])')
fi

# One test in the background: its output through a pipe (as $(...) gave it before: a script's
# programs see no regular file on stdout), its exit code written last, as the "done" mark.
usec() { echo "${EPOCHREALTIME/[.,]/}"; }
start() {
    local i=$1 t0 rc cs
    t0=$(usec)
    (
        local cmd=("${paths[$i]}")
        [[ ${paths[$i]} == *.sh ]] && cmd=(bash "${paths[$i]}")
        "${default_signals[@]}" "${cmd[@]}" </dev/null 2>&1 | cat >"$logs/${names[$i]}.log"
        rc=${PIPESTATUS[0]}
        cs=$((($(usec) - t0) / 10000))
        printf '%d.%02d\n' $((cs / 100)) $((cs % 100)) >"$tmp/$i.time"
        echo "$rc" >"$tmp/$i.rc.part" && mv "$tmp/$i.rc.part" "$tmp/$i.rc"
    ) &
}

passed=0 failed=0 skipped=0
failures=()
# The summary of test i, as the serial runner printed it.
# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:";
# integration scripts print "ok - NAME", "not ok - NAME" or "skip - NAME (why)" per case.
report() {
    local i=$1 name=${names[$1]} out rc p f s k
    out=$(cat "$logs/$name.log")
    rc=$(cat "$tmp/$i.rc")
    if [[ $name == test_* ]]; then
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
        s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
        passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
        if [ "$rc" -ne 0 ] || [ -n "$f" ]; then
            [ -z "$f" ] && failed=$((failed + 1))
            failures+=("$name")
            printf '%s\n' "$out" | grep -E 'FAILED|ERROR|error|Assert|Sanitizer' | head -20
        fi
        printf '%-28s %s passed, %s failed\n' "$name" "${p:-0}" "${f:-0}"
        return
    fi
    p=$(grep -c '^ok - ' <<<"$out")
    f=$(grep -c '^not ok - ' <<<"$out")
    k=$(grep -c '^skip - ' <<<"$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        out+=$'\n'"not ok - $name exited $rc"
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + k))
    grep -E '^(not ok|skip) - |^#' <<<"$out" | head -60
    [ "$f" -gt 0 ] && failures+=("$name")
    printf '%-28s %s passed, %s failed, %s skipped\n' "$name" "$p" "$f" "$k"
}

# Prints every finished test not yet printed whose predecessors are all printed.
next=0
flush() {
    while [ "$next" -lt "$total" ] && [ -e "$tmp/$next.rc" ]; do
        report "$next"
        next=$((next + 1))
    done
}

running=0
for i in "${order[@]}"; do
    if [[ " $SERIAL " == *" ${names[$i]} "* ]]; then
        while [ "$running" -gt 0 ]; do wait -n; running=$((running - 1)); flush; done
        start "$i"
        wait -n
        flush
        continue
    fi
    while [ "$running" -ge "$jobs" ]; do wait -n; running=$((running - 1)); flush; done
    start "$i"
    running=$((running + 1))
done
wait
flush

# This run's times, for the next run's start order.
for i in "${!names[@]}"; do
    [ -s "$tmp/$i.time" ] && printf '%s %s\n' "$(cat "$tmp/$i.time")" "${names[$i]}"
done >"$tmp/times" && cp "$tmp/times" "$BUILD/test-times$mode" 2>/dev/null

[ ${#failures[@]} -gt 0 ] && echo "failing: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
