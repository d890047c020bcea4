#!/bin/bash
# replay.sh -- make check's share of fuzzing: every fuzz target, linked with
# a plain main (replay.c), runs over its seed corpus and over every input
# that once crashed it (tests/fuzz/regress/<target>/). One test point per
# target. Under an ASan/UBSan build (see .ci/run) a report fails the run.
set -u
dir=$(dirname "$0")
src=${TESTS_DIR:-$dir/..}/fuzz
n=0; bad=0
TMPDIR_OUT=$(mktemp)
trap 'rm -f "$TMPDIR_OUT"' EXIT
# every target that has a source file
for f in "$src"/fuzz_*.c; do
    t=$(basename "$f" .c)
    t=${t#fuzz_}
    n=$((n + 1))
    bin=${FUZZ_BIN:-$dir}/replay_$t
    files=$(find "$src/corpus/$t" "$src/regress/$t" -type f 2>/dev/null | sort)
    count=$(printf '%s\n' "$files" | grep -c . || true)
    if [ ! -x "$bin" ]; then
        echo "not ok $n - $t: replay binary missing"; bad=1; continue
    fi
    if [ "$count" = 0 ]; then
        echo "not ok $n - $t: no corpus"; bad=1; continue
    fi
    # shellcheck disable=SC2086
    if printf '%s\n' "$files" | xargs "$bin" >"$TMPDIR_OUT" 2>&1; then
        echo "ok $n - $t: $count corpus and regression inputs replayed"
    else
        echo "not ok $n - $t: replay failed"; sed 's/^/# /' "$TMPDIR_OUT" | head -20; bad=1
    fi
done
echo "1..$n"
exit 0
