#!/bin/bash
# live-load.sh -- live capture under load (issue 6, item 4): msiwatch
# captures (-i) on one end of a veth pair inside a network namespace this
# script creates; tcpreplay sends a capture from the other end at increasing
# rates; after each step msiwatch is stopped and its --stats say how many
# packets the kernel dropped (pcap_stats). Prints a table and the first rate
# at which drops begin. Root, iproute2 and tcpreplay; traffic stays inside
# the two namespaces.
#
#   bench/live-load.sh [CAPTURE]          default: bench/make-capture -s 256 of the lab recordings
#   LOAD_RATES="100 500 1000 2000 0"      Mbit/s per step (0: tcpreplay --topspeed)
#   LOAD_WORKERS=2                        msiwatch --workers
#   LOAD_LOOPS=1                          tcpreplay --loop
#   LOAD_SENDERS=1                        tcpreplay processes at once (each at the step's rate)
set -euo pipefail
cd "$(dirname "$0")/.."
MSIWATCH=${MSIWATCH:-$PWD/msiwatch}
RATES=${LOAD_RATES:-"100 250 500 1000 2000 4000 0"}
WORKERS=${LOAD_WORKERS:-1}
LOOPS=${LOAD_LOOPS:-1}
SENDERS=${LOAD_SENDERS:-1}
DIR=${BENCH_DIR:-/var/tmp/msiwatch-bench}

die() { echo "live-load.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, capture)"
command -v ip >/dev/null || die "needs iproute2"
command -v tcpreplay >/dev/null || die "needs tcpreplay (apt-get install tcpreplay)"
command -v jq >/dev/null || die "needs jq"
[ -x "$MSIWATCH" ] || die "build msiwatch first ($MSIWATCH)"
mkdir -p "$DIR"

CAP=${1:-}
if [ -z "$CAP" ]; then
    CAP=$DIR/live-load.pcap
    if [ ! -s "$CAP" ]; then
        [ -x bench/make-capture ] || make -s bench/make-capture >/dev/null
        bench/make-capture -o "$CAP" -s 256 pcaps/lab/*.pcap pcaps/lab/scenarios/*.pcap >/dev/null
    fi
fi
[ -s "$CAP" ] || die "$CAP: no capture"

A=mwload-a$$ B=mwload-b$$
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$A"
ip netns add "$B"
ip link add vA netns "$A" type veth peer name vB netns "$B"
# the capture has full-size frames: no offloads, room for them
ip -n "$A" link set vA mtu 9000 up
ip -n "$B" link set vB mtu 9000 up

printf '%-10s %-12s %-12s %-12s %-12s %-12s %-10s\n' "rate" "sent Mbit/s" "sent pkt/s" "sent pkts" "captured" "kernel drop" "drop %"
first_drop=
for r in $RATES; do
    out=$DIR/live-load.$r
    ip netns exec "$A" "$MSIWATCH" -s :memory: -i vA --workers "$WORKERS" -o /dev/null --stats \
        2>"$out.err" >/dev/null &
    PID=$!
    for _ in $(seq 1 50); do
        [ -n "$(ip netns exec "$A" ss -a -0 2>/dev/null | grep -v '^Netid')" ] && break
        sleep 0.1
    done
    sleep 0.3
    if [ "$r" = 0 ]; then speed=(--topspeed); label=top; else speed=(--mbps="$r"); label=$r; fi
    rm -f "$out".tcpreplay.* # a run with more senders may have left more
    for k in $(seq 1 "$SENDERS"); do
        ip netns exec "$B" tcpreplay -i vB --preload-pcap "${speed[@]}" --loop="$LOOPS" "$CAP" >"$out.tcpreplay.$k" 2>&1 &
    done
    wait $(jobs -p | grep -v "^$PID$") 2>/dev/null || true
    cat "$out".tcpreplay.* >"$out.tcpreplay"
    sleep 1
    kill -TERM "$PID"
    wait "$PID" || true
    PID=
    st=$(grep '"msiwatch.stats"' "$out.err" | tail -1)
    captured=$(jq -r '.msiwatch.stats.packets' <<<"$st")
    kdrop=$(jq -r '.msiwatch.stats.drops.capture_kernel' <<<"$st")
    sent=$(grep -oE 'Actual: [0-9]+ packets' "$out.tcpreplay" | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s }')
    mbps=$(grep -oE 'Rated: [0-9.]+ Bps, [0-9.]+ Mbps' "$out.tcpreplay" | grep -oE '[0-9.]+ Mbps' | cut -d' ' -f1 |
        awk '{ s += $1 } END { printf "%.1f", s }')
    pps=$(grep -oE '[0-9.]+ pps' "$out.tcpreplay" | cut -d' ' -f1 | awk '{ s += $1 } END { printf "%.0f", s }')
    pct=$(awk -v d="$kdrop" -v c="$captured" 'BEGIN { t = d + c; printf "%.2f", t ? 100 * d / t : 0 }')
    printf '%-10s %-12s %-12s %-12s %-12s %-12s %-10s\n' "$label" "${mbps:-?}" "${pps%.*}" "${sent:-?}" "$captured" "$kdrop" "$pct"
    if [ -z "$first_drop" ] && [ "${kdrop:-0}" -gt 0 ]; then
        first_drop="$label (${mbps:-?} Mbit/s sent)"
    fi
done
echo "drops begin at: ${first_drop:-no drops up to the highest rate}"
echo "(capture $CAP, $WORKERS worker(s), $SENDERS sender(s); per-step outputs in $DIR/live-load.*)"
