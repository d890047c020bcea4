#!/bin/bash
# live.sh -- live capture (-i) with a BPF filter, on a veth pair between two
# network namespaces that this test creates and removes. Traffic goes only
# between those namespaces. Needs root and iproute2; skipped otherwise.
. "$(dirname "$0")/lib.sh"

need_netns
A=mwa$$ B=mwb$$
veth_pair "$A" "$B"
ip -n "$A" addr add 10.251.0.1/24 dev vA
ip -n "$B" addr add 10.251.0.2/24 dev vB

ip netns exec "$A" "$MSIWATCH" -i vA -f "udp port 9999" --records "$TMP/rec" --stats 2>"$TMP/err" &
PID=$!
# Wait until the capture is open: the first datagram may otherwise be lost.
for _ in $(seq 1 50); do
    [ -n "$(ip netns exec "$A" ss -a -0 2>/dev/null | grep -v '^Netid')" ] && break
    sleep 0.1
done
sleep 0.5
for i in 1 2 3 4 5; do
    ip netns exec "$B" bash -c "echo hello$i >/dev/udp/10.251.0.1/9999" 2>/dev/null
    ip netns exec "$B" bash -c "echo other$i >/dev/udp/10.251.0.1/8888" 2>/dev/null
done
sleep 0.5
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
expect_eq "live capture ends cleanly on SIGTERM" "$rc" 0
# Each datagram comes from a new source port: five flows of one packet, all to 9999.
expect_eq "only the port the filter lets through: 5 UDP flows of 1 packet to 9999" \
    "$(jq -s -c 'map([.network.transport, .source.ip, .destination.ip, .destination.port, .source.packets]) | unique + [length]' "$TMP/rec" 2>/dev/null)" \
    '[["udp","10.251.0.2","10.251.0.1",9999,1],5]'
expect_eq "the stats count 5 UDP packets and no drops" \
    "$(grep '"msiwatch.stats"' "$TMP/err" | jq -c '.msiwatch.stats | [.udp, .drops.total]')" "[5,0]"
done_testing
