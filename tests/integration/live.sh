#!/bin/bash
# live.sh -- live capture (-i) with a BPF filter, on a veth pair between two
# network namespaces that this test creates and removes, as root and as an
# unprivileged user holding only the capabilities the systemd unit grants.
# Traffic goes only between those namespaces. Needs root and iproute2;
# skipped otherwise.
. "$(dirname "$0")/lib.sh"

need_netns
A=mwa$$ B=mwb$$
veth_pair "$A" "$B"
ip -n "$A" addr add 10.251.0.1/24 dev vA
ip -n "$B" addr add 10.251.0.2/24 dev vB

# capture [WRAPPER...]: msiwatch (started through WRAPPER, e.g. setpriv)
# captures on vA while B sends 5 datagrams to port 9999 and 5 to 8888;
# records in $REC, standard error in $TMP/err, exit status in rc.
REC=$TMP/rec
capture() {
    rm -f "$REC"
    ip netns exec "$A" "$@" "$MSIWATCH" -i vA -f "udp port 9999" --records "$REC" --stats 2>"$TMP/err" &
    PID=$!
    # Wait until the capture is open: the first datagram may otherwise be lost.
    for _ in $(seq 1 50); do
        [ -n "$(ip netns exec "$A" ss -a -0 2>/dev/null | grep -v '^Netid')" ] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    sleep 0.5
    for i in 1 2 3 4 5; do
        ip netns exec "$B" bash -c "echo hello$i >/dev/udp/10.251.0.1/9999" 2>/dev/null
        ip netns exec "$B" bash -c "echo other$i >/dev/udp/10.251.0.1/8888" 2>/dev/null
    done
    sleep 0.5
    kill -TERM "$PID" 2>/dev/null
    wait "$PID"
    rc=$?
    PID=
}
capture
expect_eq "live capture ends cleanly on SIGTERM" "$rc" 0
# Each datagram comes from a new source port: five flows of one packet, all to 9999.
expect_eq "only the port the filter lets through: 5 UDP flows of 1 packet to 9999" \
    "$(jq -s -c 'map([.network.transport, .source.ip, .destination.ip, .destination.port, .source.packets]) | unique + [length]' "$TMP/rec" 2>/dev/null)" \
    '[["udp","10.251.0.2","10.251.0.1",9999,1],5]'
expect_eq "the stats count 5 UDP packets and no drops" \
    "$(grep '"msiwatch.stats"' "$TMP/err" | jq -c '.msiwatch.stats | [.udp, .drops.total]')" "[5,0]"

# The systemd unit runs msiwatch as an unprivileged user with only
# CAP_NET_RAW and CAP_NET_ADMIN (ambient): that must be enough to capture,
# and without them capture must fail with one line.
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
    chmod 755 "$TMP"
    cp "$MSIWATCH" "$TMP/msiwatch" && chmod 755 "$TMP/msiwatch"
    MSIWATCH=$TMP/msiwatch
    mkdir "$TMP/nobody" && chown nobody "$TMP/nobody"
    REC=$TMP/nobody/rec
    capture setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
        --inh-caps=+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin
    expect_eq "as nobody with the unit's capabilities: capture works (5 flows to 9999), clean exit" \
        "$rc:$(jq -s -c 'map(.destination.port) | unique + [length]' "$REC" 2>/dev/null)" "0:[9999,5]"
    capture setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --inh-caps=-all
    expect_eq "as nobody without capabilities: exit 1, the error line last" "$rc:$(tail -n1 "$TMP/err")" \
        "1:msiwatch: vA: cannot capture: permission denied (run as root or grant CAP_NET_RAW)"
else
    skip "capture with the unit's capabilities" "setpriv or the user nobody is missing"
fi
done_testing
