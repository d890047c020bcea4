#!/bin/bash
# run.sh SECONDS [TARGET...] -- run every libFuzzer target built by `make
# fuzz` (or only those named) for SECONDS each on a copy of its corpus;
# new crashes land in tests/fuzz/findings/<target>/ (move them to
# tests/fuzz/regress/<target>/ once fixed, so make check replays them).
set -u
secs=${1:-60}
shift
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then targets="$*"; else
    targets=$(for src in "$here"/fuzz_*.c; do t=$(basename "$src" .c); echo "${t#fuzz_}"; done)
fi
for t in $targets; do
    bin=./tests/fuzz/fuzz_$t
    [ -x "$bin" ] || { echo "run 'make fuzz' first ($bin missing)"; exit 2; }
    work=$(mktemp -d)
    cp -r "$here/corpus/$t/." "$work/" 2>/dev/null
    mkdir -p "$here/findings/$t"
    echo "== $t: $secs s"
    "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$here/findings/$t/" "$work" 2>&1 |
        grep -E "^stat::number_of_executed_units|^stat::peak_rss|ERROR|SUMMARY" || true
    rm -rf "$work"
done
