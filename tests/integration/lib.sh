# lib.sh -- shared by the integration tests: TAP output and helpers.
# Each test script sources it, calls ok/not_ok/check per case, then done_testing.
set -u
: "${MSIWATCH:?run through make check (MSIWATCH is the binary under test)}"
: "${PCAPS:?run through make check (PCAPS is the bundled captures folder)}"
TAP_N=0
TAP_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/msiwatch-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
not_ok() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $1"; TAP_FAILED=1; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESCRIPTION COMMAND...: one test point, passing when the command succeeds.
check() {
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# expect_eq DESCRIPTION GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "got:  $2" "want: $3"; fi
}

done_testing() { echo "1..$TAP_N"; exit 0; }

command -v jq >/dev/null || { echo "1..0 # SKIP jq is not installed"; exit 0; }
