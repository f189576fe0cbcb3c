#!/bin/sh
# Runs each named harness (build/fuzz/fuzz_NAME) for SECONDS on build/fuzz/corpus-NAME, a
# working copy topped up from the committed seeds (tests/fuzz/corpus/NAME, never written).
# Findings go to build/fuzz/artifacts-NAME/, the log to build/fuzz/NAME.log.  Exits 1 if any
# harness found a crash, a leak, a timeout or an out-of-memory.
#   usage: tests/fuzz/run.sh SECONDS NAME...   (extra libFuzzer flags in $FUZZ_FLAGS)
set -u
cd "$(dirname "$0")/../.."
secs=$1
shift
out=build/fuzz
failed=""
for name in "$@"; do
    corpus=$out/corpus-$name
    art=$out/artifacts-$name
    mkdir -p "$corpus" "$art"
    if [ -d tests/fuzz/corpus/$name ]; then
        cp -n tests/fuzz/corpus/$name/* "$corpus"/ 2>/dev/null || true
    fi
    echo "fuzz $name: ${secs}s (log $out/$name.log)"
    # shellcheck disable=SC2086
    if "$out/fuzz_$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$art/" ${FUZZ_FLAGS:-} "$corpus" \
            >"$out/$name.log" 2>&1; then
        grep -E '^#[0-9]+' "$out/$name.log" | tail -n 1
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$out/$name.log"
    else
        echo "fuzz $name: FAILED, see $out/$name.log and $art/"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*check failed)' "$out/$name.log" | head -n 5
        failed="$failed $name"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: findings in:$failed"
    exit 1
fi
