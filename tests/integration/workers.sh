#!/bin/bash
# workers.sh -- several workers give the records and alerts of one
# (--workers, src/pool.c): every bundled capture replayed with 1, 2 and 3
# workers, records and alerts compared byte for byte (event.created, the
# wall clock of endpoint records, aside); the lab scenarios with their
# endpoint events, alerts compared; the summed counters.
. "$(dirname "$0")/lib.sh"

strip() { jq -c 'del(.event.created)' "$1"; }

n=0 same2=0 same3=0
for f in "$PCAPS"/*.pcap* "$PCAPS"/lab/*.pcap; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    for w in 1 2 3; do
        "$MSIWATCH" -s :memory: -r "$f" --workers $w --records "$TMP/r$w" >"$TMP/a$w" 2>/dev/null
        echo "rc $?" >>"$TMP/a$w"
    done
    if [ "$(strip "$TMP/r1")" = "$(strip "$TMP/r2")" ] && cmp -s "$TMP/a1" "$TMP/a2"; then
        same2=$((same2 + 1))
    else
        diag "$(basename "$f"): 2 workers differ"
    fi
    if [ "$(strip "$TMP/r1")" = "$(strip "$TMP/r3")" ] && cmp -s "$TMP/a1" "$TMP/a3"; then
        same3=$((same3 + 1))
    else
        diag "$(basename "$f"): 3 workers differ"
    fi
    rm -f "$TMP"/r[123]
done
expect_eq "2 workers: the same records and alerts as one, on all $n captures" "$same2" "$n"
expect_eq "3 workers: the same records and alerts as one, on all $n captures" "$same3" "$n"
[ "$n" -ge 40 ] && ok "the comparison covered $n captures" || not_ok "only $n captures found"

# the lab scenarios: packets and events merged; the alerts of one worker
S=$PCAPS/lab/scenarios
for s in http-msi https-msi smb-unc webdav two-hosts msiinstaller-wmi late-skewed; do
    ev=$(ls "$S/$s".events.*)
    "$MSIWATCH" -s :memory: -r "$S/$s.pcap" -e "$ev" >"$TMP/s1"
    "$MSIWATCH" -s :memory: -r "$S/$s.pcap" -e "$ev" --workers 2 >"$TMP/s2"
    expect_eq "$s with its events, 2 workers: the same alert" "$(md5sum <"$TMP/s2") $(grep -c . "$TMP/s2")" \
        "$(md5sum <"$TMP/s1") 1"
done

# the counters are summed over the workers
f=$PCAPS/zeek-wikipedia.pcap
"$MSIWATCH" -s :memory: -r "$f" --stats 2>"$TMP/st1" >/dev/null
"$MSIWATCH" -s :memory: -r "$f" --stats --workers 3 2>"$TMP/st3" >/dev/null
sel='.msiwatch.stats | [.packets, .bytes, .tcp, .udp, .flows.total, .tcp_reassembly.segments, .correlation.chains]'
expect_eq "--stats with 3 workers: packets, bytes, flows and segments summed" \
    "$(grep '"msiwatch.stats"' "$TMP/st3" | jq -c "$sel")" "$(grep '"msiwatch.stats"' "$TMP/st1" | jq -c "$sel")"

# the option's bounds
"$MSIWATCH" -r "$f" --workers 65 >/dev/null 2>"$TMP/e65"
expect_eq "--workers 65: refused (exit 2)" "$?" 2

# live capture with 2 workers, on a veth pair between two namespaces made
# here: an HTTP download of the lab MSI (python3 on both ends) gives its
# record with the MSI's SHA-256, and five UDP datagrams five flows
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v python3 >/dev/null ||
    ! ip netns add "mwwa$$" 2>/dev/null; then
    skip "live capture with 2 workers" "needs root, iproute2, python3 and network namespaces"
    done_testing
fi
ip netns del "mwwa$$"
A=mwwa$$ B=mwwb$$
veth_pair "$A" "$B"
ip -n "$A" addr add 10.252.0.1/24 dev vA
ip -n "$B" addr add 10.252.0.2/24 dev vB
mkdir -p "$TMP/www/pkg"
cp "$PCAPS/lab/files/setup.msi" "$TMP/www/pkg/"
(cd "$TMP/www" && exec ip netns exec "$A" timeout 60 python3 -m http.server --bind 10.252.0.1 8080 >/dev/null 2>&1) &
SRV=$!
ip netns exec "$A" "$MSIWATCH" -s :memory: -i vA --workers 2 --records "$TMP/live" --stats >"$TMP/lalerts" 2>"$TMP/lerr" &
PID=$!
for _ in $(seq 1 50); do
    [ -n "$(ip netns exec "$A" ss -a -0 2>/dev/null | grep -v '^Netid')" ] &&
        ip netns exec "$A" ss -ltn 2>/dev/null | grep -q 10.252.0.1:8080 && break
    sleep 0.1
done
sleep 0.5
ip netns exec "$B" python3 -c '
import urllib.request
r = urllib.request.Request("http://10.252.0.1:8080/pkg/setup.msi", headers={"User-Agent": "Windows Installer"})
urllib.request.urlopen(r, timeout=10).read()'
for i in 1 2 3 4 5; do
    ip netns exec "$B" bash -c "echo hello$i >/dev/udp/10.252.0.1/9999" 2>/dev/null
done
sleep 1.5
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
expect_eq "live, 2 workers: ends cleanly on SIGTERM" "$rc" 0
expect_eq "live, 2 workers: the download's HTTP record, typed and hashed" \
    "$(jq -c 'select(.event.dataset == "msiwatch.http") | [.url.original, .user_agent.original, .file.type, .file.hash.sha256]' "$TMP/live")" \
    "[\"http://10.252.0.1:8080/pkg/setup.msi\",\"Windows Installer\",\"msi\",\"$(sha256sum <"$PCAPS/lab/files/setup.msi" | cut -d' ' -f1)\"]"
expect_eq "live, 2 workers: five UDP flows of one packet to 9999" \
    "$(jq -s -c 'map(select(.destination.port == 9999) | [.network.transport, .source.packets]) | unique + [length]' "$TMP/live")" \
    '[["udp",1],5]'
expect_eq "live, 2 workers: the Windows Installer fetch alerts as a network-only chain" \
    "$(jq -c '[.msiwatch.alert.kind, .event.severity, .host.ip, .destination.port]' "$TMP/lalerts")" \
    '["network-only",2,"10.252.0.2",8080]'
kill "$SRV" 2>/dev/null
expect_eq "live, 2 workers: no capture drops" "$(grep '"msiwatch.stats"' "$TMP/lerr" | jq -c '.msiwatch.stats.drops.total')" 0

# PACKET_FANOUT: one msiwatch with 2 workers and one with 1 worker capture
# vA at once while tcpreplay sends the lab recordings from vB (each socket
# gets the same frames). Each worker of the pair reads its own socket; the
# records and alerts must be the same as the single worker's, field by
# field, but for flow ids (each worker numbers its own packets), alert ids
# (a hash that includes the time) and times (on a veth the kernel stamps
# each socket's copy when it queues it: microseconds apart).
if ! command -v tcpreplay >/dev/null; then
    skip "live fanout against one worker" "needs tcpreplay"
    done_testing
fi
norm='walk(if type == "object" and (.flow | type) == "object" then .flow |= del(.id)
    elif type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$") then "time" else . end) | del(.event.id)'
ip netns exec "$A" "$MSIWATCH" -s :memory: -i vA --records "$TMP/f1" --stats -o "$TMP/fa1" 2>"$TMP/fe1" &
P1=$!
ip netns exec "$A" "$MSIWATCH" -s :memory: -i vA --workers 2 --records "$TMP/f2" --stats -o "$TMP/fa2" 2>"$TMP/fe2" &
PID=$!
for _ in $(seq 1 50); do
    [ "$(ip netns exec "$A" ss -a -0 2>/dev/null | grep -vc '^Netid')" -ge 3 ] && break
    sleep 0.1
done
sleep 0.5
ip netns exec "$B" tcpreplay -q -i vB --mbps 50 "$PCAPS"/lab/*.pcap >"$TMP/replay.out" 2>&1
sleep 1.5
kill -TERM "$P1" "$PID"
wait "$P1"
rc1=$?
wait "$PID"
rc2=$?
PID=
expect_eq "fanout: both end cleanly on SIGTERM" "$rc1 $rc2" "0 0"
s1=$(grep '"msiwatch.stats"' "$TMP/fe1" | tail -1)
s2=$(grep '"msiwatch.stats"' "$TMP/fe2" | tail -1)
sent=$(grep -o '[0-9]* packets' "$TMP/replay.out" | head -1 | cut -d' ' -f1)
# The namespaces' own ARP may add a frame or two, and under load one
# instance may see one that the other, not yet or no longer reading, does
# not (seen once: 325 frames against 326): the IP frames, all tcpreplay's,
# must be the same for both; all frames at least what tcpreplay sent.
p1=$(jq -r '.msiwatch.stats.packets' <<<"$s1")
p2=$(jq -r '.msiwatch.stats.packets' <<<"$s2")
ip1=$(jq -r '.msiwatch.stats | .ipv4 + .ipv6' <<<"$s1")
ip2=$(jq -r '.msiwatch.stats | .ipv4 + .ipv6' <<<"$s2")
within() { [ "$1" -ge "$sent" ] && [ "$1" -le $((sent + 4)) ] && echo sent; }
expect_eq "fanout: 2 workers saw each IP frame once, as 1 worker did, and every frame tcpreplay sent" \
    "$ip2 $(within "$p2") $(within "$p1")" "$ip1 sent sent"
expect_eq "fanout: the stats say the workers read the interface, and both had packets" \
    "$(jq -c '.msiwatch.stats.workers | [.input, (.packets | length), (.packets | all(. > 0)), (.packets | add)]' <<<"$s2")" \
    "[\"fanout\",2,true,$p2]"
expect_eq "fanout: every HTTP, TLS, SMB and DNS record of the lab (one worker's count)" \
    "$(jq -s -c 'map(.event.dataset) | group_by(.) | map([.[0], length])' "$TMP/f2")" \
    "$(jq -s -c 'map(.event.dataset) | group_by(.) | map([.[0], length])' "$TMP/f1")"
expect_eq "fanout: the records are one worker's, field by field (ids and times aside)" \
    "$(jq -c "$norm" "$TMP/f2" | sort | sha256sum)" "$(jq -c "$norm" "$TMP/f1" | sort | sha256sum)"
expect_eq "fanout: the same alerts (ids and times aside)" \
    "$(jq -c "$norm" "$TMP/fa2" | sort)" "$(jq -c "$norm" "$TMP/fa1" | sort)"
expect_eq "fanout: the alerts are the lab's four Windows Installer fetches" \
    "$(jq -r '.msiwatch.evidence.network[0].url.original' "$TMP/fa2" | sort | tr '\n' ' ')" \
    "http://10.77.0.20/pkg/payload.dll http://10.77.0.20/pkg/setup.msi http://10.77.0.20/pkg/setup.msi http://10.77.0.20:8080/pkg/setup.msi "
expect_eq "fanout: the plain setup.msi downloads are whole on 2 workers (both directions met)" \
    "$(jq -r 'select(.event.dataset == "msiwatch.http" and .url.original == "http://10.77.0.20/pkg/setup.msi" and .http.response.status_code == 200) | .file.hash.sha256' "$TMP/f2" | sort | uniq -c | tr -s ' ')" \
    " 3 $(sha256sum <"$PCAPS/lab/files/setup.msi" | cut -d' ' -f1)"
done_testing
