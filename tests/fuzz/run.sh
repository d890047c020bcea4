#!/bin/bash
# run.sh SECONDS [TARGET...] -- run every libFuzzer target built by `make
# fuzz` (or only those named) for SECONDS each on a copy of its corpus;
# new crashes land in tests/fuzz/findings/<target>/ (move them to
# tests/fuzz/regress/<target>/ once fixed, so make check replays them).
# With FUZZ_WORK=DIR the working corpus is DIR/<target> and is kept (to
# measure coverage or merge new inputs into corpus/ with -merge=1).
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
    if [ -n "${FUZZ_WORK:-}" ]; then work=$FUZZ_WORK/$t; mkdir -p "$work"; else work=$(mktemp -d); fi
    cp -r "$here/corpus/$t/." "$work/" 2>/dev/null
    mkdir -p "$here/findings/$t"
    echo "== $t: $secs s"
    "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$here/findings/$t/" "$work" 2>&1 |
        grep -E "^stat::number_of_executed_units|^stat::peak_rss|ERROR|SUMMARY" || true
    [ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
done
