#!/bin/bash
# live-e2e.sh -- the whole sensor live (issue 8, item 6): two network
# namespaces joined by a veth pair that this test creates; msiwatch captures
# on one end (-i) and listens for syslog on 127.0.0.1 inside its namespace;
# tcpreplay sends the http-msi lab scenario's packets from the other end,
# util-linux logger sends the scenario's endpoint events (NXLog JSON, their
# times moved to now) over UDP; the alert must come while msiwatch runs, and
# say what the same scenario replayed from files says. Needs root,
# iproute2, tcpreplay and logger; skipped otherwise. Traffic stays inside
# the two namespaces.
. "$(dirname "$0")/lib.sh"

need_netns
for t in tcpreplay logger python3; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "1..0 # SKIP $t is not installed"
        exit 0
    fi
done
S=$PCAPS/lab/scenarios
A=mwea$$ B=mweb$$
PID=""
veth_pair "$A" "$B"

# The sensor: short windows, so that the alert is written about 12 s after
# the run rather than after the default 5 minutes (10 s leaves the packets
# time to follow the events on a loaded machine).
: >"$TMP/err"
ip netns exec "$A" "$MSIWATCH" -i vA -f "host 10.77.0.10 or host 10.77.0.20" --syslog udp://127.0.0.1:0 \
    -s :memory: --window-before 5 --window-after 10 --clock-skew 2 --lateness 5 \
    --observer-name sensor-e2e -o "$TMP/alerts.json" --records "$TMP/rec.json" --stats 2>"$TMP/err" &
PID=$!
U=""
for _ in $(seq 100); do
    U=$(sed -n 's/^msiwatch: syslog udp port //p' "$TMP/err")
    [ -n "$U" ] && [ -n "$(ip netns exec "$A" ss -a -0 2>/dev/null | grep -v '^Netid')" ] && break
    sleep 0.05
done
check "msiwatch captures on vA and listens on 127.0.0.1 (UDP port $U)" test -n "$U"

# The events, their times moved so that the msiexec run starts now.
python3 - "$S/http-msi.events.nxlog.jsonl" "$TMP/events.jsonl" <<'EOF'
import datetime, json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
fmt = lambda s: "%Y-%m-%d %H:%M:%S.%f" if "." in s else "%Y-%m-%d %H:%M:%S"
t0 = min(datetime.datetime.strptime(r["UtcTime"], fmt(r["UtcTime"])) for r in lines)
delta = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - t0
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for r in lines:
        for k in ("UtcTime", "EventTime", "EventReceivedTime"):
            if k in r:
                t = datetime.datetime.strptime(r[k], fmt(r[k])) + delta
                r[k] = t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] if "." in r[k] else t.strftime("%Y-%m-%d %H:%M:%S")
        out.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")
EOF
# The events first, all taken in before the packets come (so that what the
# alert says does not depend on how the two interleave), then the packets.
ip netns exec "$A" logger -n 127.0.0.1 -P "$U" --udp --rfc5424 --size 65000 -t nxlog -f "$TMP/events.jsonl"
for _ in $(seq 100); do
    [ "$(grep -c '"msiwatch.endpoint"' "$TMP/rec.json" 2>/dev/null)" -ge 7 ] && break
    sleep 0.05
done
ip netns exec "$B" tcpreplay -q -i vB "$S/http-msi.pcap" >"$TMP/tcpreplay.out" 2>&1
check "tcpreplay sent the scenario's 21 packets" grep -q "21 packets" "$TMP/tcpreplay.out"

# The alert is written once the run's window closes on the wall clock
# (10 s + 2 s of skew after the run): wait for it, at most 30 s.
for _ in $(seq 300); do
    [ -s "$TMP/alerts.json" ] && break
    sleep 0.1
done
check "the alert is written while msiwatch runs" test -s "$TMP/alerts.json"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=""
expect_eq "msiwatch stops cleanly on SIGTERM" "$rc" "0"

# What the same scenario gives when replayed from its files.
"$MSIWATCH" -s :memory: -r "$S/http-msi.pcap" -e "$S/http-msi.events.nxlog.jsonl" -o "$TMP/replay.json" 2>/dev/null
# One difference, expected: in the replay the Sysmon 3 event (the file's
# last line, after a later Sysmon 7) is read after the fetch's packets, so
# the fetch vouches for the host (host-inferred-from-fetch); here every
# event is in before the packets and Sysmon 3 names the host.
summary='[.event.severity, .msiwatch.alert.kind, (.msiwatch.reasons - ["host-inferred-from-fetch"]), .host.name, .host.ip, .process.entity_id,
  .process.command_line, .destination.ip, (.msiwatch.evidence.network | map([.url.original, .user_agent.original,
  .file.type, .file.size, .file.hash.sha256, .source.ip, .destination.port]))]'
expect_eq "one alert" "$(jq -s length "$TMP/alerts.json")" "1"
expect_eq "live: the alert says what the replay of the same scenario says" \
    "$(jq -c "$summary" "$TMP/alerts.json")" "$(jq -c "$summary" "$TMP/replay.json")"
expect_eq "live: critical, on the run's host, with the fetched MSI" \
    "$(jq -c '[.event.severity, .host.name, .msiwatch.evidence.network[0].file.hash.sha256, .observer.name]' "$TMP/alerts.json")" \
    '[4,"WIN10-LAB.lab.msiwatch.test","df7a0245532689137571a21bc450129bfa2643b3b8241252e676517626f3173a","sensor-e2e"]'
expect_eq "live: the reasons (the host known from Sysmon 3, not inferred from the fetch)" \
    "$(jq -c '.msiwatch.reasons' "$TMP/alerts.json")" \
    '["remote-url-argument","first-seen-ip","windows-installer-user-agent","payload-msi"]'
stats=$(grep '"msiwatch.stats"' "$TMP/err" | tail -n1)
expect_eq "live: 21 packets captured, none dropped; 7 events over UDP, all endpoint records" \
    "$(jq -c '.msiwatch.stats | [.packets, .drops.total, .syslog.udp, .endpoint.records, .endpoint.malformed, .correlation.alerts]' <<<"$stats")" \
    "[21,0,7,7,0,1]"
done_testing
