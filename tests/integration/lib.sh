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

# need_netns: skip the whole script unless root with iproute2 and namespaces.
need_netns() {
    if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! ip netns add "mwprobe$$" 2>/dev/null; then
        echo "1..0 # SKIP needs root, iproute2 and network namespaces"
        exit 0
    fi
    ip netns del "mwprobe$$"
}

# veth_pair NS_A NS_B: two network namespaces joined by a veth pair, vA in
# NS_A and vB in NS_B, both up, loopback up, IPv6 off (the kernel's own
# router solicitations and MLD reports, sent at random moments after a
# link comes up, would race the tests' exact frame counts). At exit the
# process $PID (if set) is killed and the namespaces are deleted.
veth_pair() {
    VETH_NS="$1 $2"
    trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; for ns in $VETH_NS; do ip netns del "$ns" 2>/dev/null; done; rm -rf "$TMP"' EXIT
    ip netns add "$1" && ip netns add "$2" || return 1
    for ns in "$1" "$2"; do # no IPv6 in the kernel: nothing to turn off
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
            >/dev/null 2>&1 || true
    done
    ip link add vA netns "$1" type veth peer name vB netns "$2" &&
        ip -n "$1" link set vA up && ip -n "$2" link set vB up &&
        ip -n "$1" link set lo up && ip -n "$2" link set lo up
}

done_testing() { echo "1..$TAP_N"; exit 0; }

command -v jq >/dev/null || { echo "1..0 # SKIP jq is not installed"; exit 0; }
