#!/bin/bash
# forwarders.sh -- the forwarding recipes of etc/forwarders (issue 8): each
# recipe's sample of what msiwatch receives (tests/data/forwarders, listed
# with what it must give in expected.tsv) is read with -e and sent to the
# syslog listener with the recipe's framing; every event must parse
# (endpoint.malformed 0) and give one endpoint record with the expected
# event.code and host.name. The rsyslog recipe itself runs through a real
# rsyslogd (imfile to omfwd) into msiwatch; the Sysmon fragment is
# well-formed XML that enables events 1, 3, 7 and 22 for msiexec.
. "$(dirname "$0")/lib.sh"

D=$TESTS_DIR/data/forwarders
R=$TESTS_DIR/../etc/forwarders
MS=""
RS=""
trap '[ -n "$MS" ] && kill "$MS" 2>/dev/null; [ -n "$RS" ] && kill "$RS" 2>/dev/null; rm -rf "$TMP"' EXIT

# got FILE: the endpoint records of a records file as "code@host" words, in order
got() { jq -r 'select(.event.dataset == "msiwatch.endpoint") | "\(.event.code)@\(.host.name)"' "$1" | tr '\n' ' ' | sed 's/ $//'; }
stat() { grep '"msiwatch.stats"' "$TMP/err" | tail -n1 | jq -c ".msiwatch.stats | $1"; }
# listen PROTO: msiwatch on a free port of 127.0.0.1; sets MS and PORT
listen() {
    : >"$TMP/err"
    rm -f "$TMP/rec.json"
    "$MSIWATCH" -s :memory: --syslog "$1://127.0.0.1:0" --records "$TMP/rec.json" -o "$TMP/alerts.json" --stats 2>"$TMP/err" &
    MS=$!
    PORT=""
    for _ in $(seq 100); do
        PORT=$(sed -n "s/^msiwatch: syslog $1 port //p" "$TMP/err")
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
}
# wait_records N: until N endpoint records are written (or 5 s); then stop msiwatch
wait_stop() {
    for _ in $(seq 100); do
        [ "$(grep -c '"msiwatch.endpoint"' "$TMP/rec.json" 2>/dev/null)" -ge "$1" ] && break
        sleep 0.05
    done
    kill -TERM "$MS"
    wait "$MS" 2>/dev/null
    MS=""
}
# send TRANSPORT PORT FILE: each line of FILE as one message
send() {
    python3 - "$@" <<'EOF'
import socket, sys
how, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = [l.rstrip(b"\n") for l in open(path, "rb")]
if how == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for l in lines:
        s.sendto(l, ("127.0.0.1", port))
else:
    s = socket.create_connection(("127.0.0.1", port))
    for l in lines:
        s.sendall(l + b"\n" if how == "tcp-lf" else str(len(l)).encode() + b" " + l)
    s.close()
EOF
}

if ! command -v python3 >/dev/null 2>&1; then
    skip "forwarder samples over sockets" "python3 is not installed"
fi
while IFS=$'\t' read -r file transports want; do
    case $file in '#'* | '') continue ;; esac
    n=$(wc -w <<<"$want")
    check "$file: one line per expected event ($n)" test "$(grep -c . "$D/$file")" = "$n"
    rm -f "$TMP/rec.json"
    "$MSIWATCH" -s :memory: -e "$D/$file" --records "$TMP/rec.json" -o "$TMP/alerts.json" --stats 2>"$TMP/err"
    expect_eq "$file with -e: each event one record, code and host" "$(got "$TMP/rec.json")" "$want"
    expect_eq "$file with -e: nothing malformed or ignored" "$(stat '.endpoint | [.messages, .records, .malformed, .ignored]')" "[$n,$n,0,0]"
    command -v python3 >/dev/null 2>&1 || continue
    for t in $transports; do
        listen "${t%%-*}"
        send "$t" "$PORT" "$D/$file"
        wait_stop "$n"
        # UDP datagrams may be read in any order: compare as sets there
        if [ "$t" = udp ]; then
            expect_eq "$file over $t: each event one record, code and host" \
                "$(got "$TMP/rec.json" | tr ' ' '\n' | sort | tr '\n' ' ')" "$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')"
        else
            expect_eq "$file over $t: each event one record, code and host" "$(got "$TMP/rec.json")" "$want"
        fi
        expect_eq "$file over $t: nothing malformed, no syslog drop" \
            "$(stat '[.endpoint.records, .endpoint.malformed, .syslog.drops.bad_frame, .syslog.drops.oversize, .syslog.drops.truncated]')" \
            "[$n,0,0,0,0]"
    done
done <"$D/expected.tsv"

# ---- the rsyslog recipe, run by rsyslogd: imfile tails OpenWEC's files -------
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
if [ -x "$RSYSLOGD" ]; then
    mkdir -p "$TMP/rs" "$TMP/wec/192.0.2.10/WKS01"
    cp "$D/openwec.jsonl" "$TMP/wec/192.0.2.10/WKS01/messages"
    listen tcp
    # the recipe with its file pattern and target pointed at this test
    { echo "global(workDirectory=\"$TMP/rs\")"
      sed -e "s|/var/log/openwec/\*/\*/messages|$TMP/wec/*/*/messages|" \
          -e "s|target=\"msiwatch.example.net\" port=\"1514\"|target=\"127.0.0.1\" port=\"$PORT\"|" "$R/rsyslog-msiwatch.conf"
    } >"$TMP/rs/rsyslog.conf"
    check "the rsyslog recipe passes rsyslogd -N1" "$RSYSLOGD" -N1 -f "$TMP/rs/rsyslog.conf" 2>/dev/null
    "$RSYSLOGD" -n -f "$TMP/rs/rsyslog.conf" -i "$TMP/rs/pid" >"$TMP/rs/out" 2>&1 &
    RS=$!
    wait_stop 2 # stops msiwatch once both events are in
    kill "$RS"
    wait "$RS" 2>/dev/null
    RS=""
    expect_eq "rsyslog recipe (imfile, omfwd octet-counted): both OpenWEC events arrive, code and host" \
        "$(got "$TMP/rec.json")" "4688@win10.windomain.local 1040@WKS01.example.local"
    expect_eq "rsyslog recipe: RFC 5424 from rsyslog, octet-counted, nothing malformed" \
        "$(jq -r 'select(.event.dataset == "msiwatch.endpoint") | .log.syslog.hostname == "'"$(hostname)"'"' "$TMP/rec.json" | tr '\n' ' ')$(stat '[.endpoint.malformed, .syslog.drops.bad_frame, .syslog.tcp]')" \
        "true true [0,0,2]"
else
    skip "the rsyslog recipe through rsyslogd" "rsyslogd is not installed"
fi

# ---- the Sysmon fragment -----------------------------------------------------
if command -v xmllint >/dev/null 2>&1; then
    X=$R/sysmon-msiexec.xml
    check "sysmon-msiexec.xml is well-formed XML" xmllint --noout "$X"
    expect_eq "sysmon-msiexec.xml includes msiexec in events 1, 3, 7 and 22" \
        "$(for e in ProcessCreate NetworkConnect ImageLoad DnsQuery; do
               echo "$(xmllint --xpath "count(//RuleGroup/$e[@onmatch='include']/Image[@condition='end with' and .='\\msiexec.exe'])" "$X")"
           done | tr '\n' ' ')" "1 1 1 1 "
    expect_eq "sysmon-msiexec.xml also catches a renamed msiexec (OriginalFileName)" \
        "$(xmllint --xpath "string(//ProcessCreate/OriginalFileName[@condition='is'])" "$X")" "msiexec.exe"
else
    skip "the Sysmon fragment" "xmllint is not installed"
fi

done_testing
