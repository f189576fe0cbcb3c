#!/usr/bin/env bash
# Runs every test: the cmocka unit tests, then each integration script.  Ends with the line
# "N passed, N failed[, N skipped]" and exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
: "${BUILD:=$PWD/build/rel}"
: "${HSTRACE:=$BUILD/hstrace}"
export HSTRACE BUILD
export HS_TESTDATA="$PWD/tests/data"
# Sanitizer reports must not pass for one of hstrace's own exit codes (ASan's default is 1).
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}
passed=0 failed=0 skipped=0
failures=()

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:".
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$("$t" 2>&1)
    rc=$?
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
done

# Integration scripts print "ok - NAME", "not ok - NAME" or "skip - NAME (why)" per case.
for s in tests/integration/*.sh; do
    name=$(basename "$s" .sh)
    out=$(bash "$s" 2>&1)
    rc=$?
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
done

[ ${#failures[@]} -gt 0 ] && echo "failing: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
