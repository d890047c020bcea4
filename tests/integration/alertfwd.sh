#!/bin/bash
# alertfwd.sh -- alert forwarding (--alert-syslog, issue 8) through a real
# rsyslog on loopback: msiwatch replays the http-msi lab scenario (one
# critical alert) and sends the alert to rsyslogd over UDP and over TCP
# (RFC 6587 octet counting); rsyslog writes each message's PRI, APP-NAME,
# HOSTNAME, MSGID, STRUCTURED-DATA, TIMESTAMP and MSG to a file, and the MSG
# must be byte for byte the alert line msiwatch wrote to -o. Without a
# collector, the alert is counted as dropped, never lost silently.
. "$(dirname "$0")/lib.sh"

RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
if [ ! -x "$RSYSLOGD" ]; then
    skip "alert forwarding through rsyslog" "rsyslogd is not installed"
    done_testing
fi
S=$PCAPS/lab/scenarios
RS=""
trap '[ -n "$RS" ] && kill "$RS" 2>/dev/null; rm -rf "$TMP"' EXIT

# a free port of the kind asked: bind port 0 and read what the kernel gave
free_port() {
    python3 -c "import socket,sys; s=socket.socket(type=socket.SOCK_$1); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
}
UP=$(free_port DGRAM)
TP=$(free_port STREAM)
mkdir -p "$TMP/rs"
cat >"$TMP/rs/rsyslog.conf" <<EOF
global(workDirectory="$TMP/rs" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="fields" type="string"
         string="%pri%|%app-name%|%hostname%|%procid%|%msgid%|%structured-data%|%timereported:::date-rfc3339%|%msg%\n")
input(type="imudp" address="127.0.0.1" port="$UP" ruleset="u")
input(type="imtcp" address="127.0.0.1" port="$TP" ruleset="t")
ruleset(name="u") {
    if \$app-name == "probe" then { action(type="omfile" file="$TMP/rs/probe.log") stop }
    action(type="omfile" file="$TMP/rs/udp.log" template="fields")
}
ruleset(name="t") { action(type="omfile" file="$TMP/rs/tcp.log" template="fields") }
EOF
"$RSYSLOGD" -n -f "$TMP/rs/rsyslog.conf" -i "$TMP/rs/pid" >"$TMP/rs/out" 2>&1 &
RS=$!
# ready when TCP connects and a UDP probe comes through (to its own file)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$TP) 2>/dev/null && break; sleep 0.05; done
for _ in $(seq 100); do
    logger -n 127.0.0.1 -P "$UP" --udp --rfc5424 -t probe ready 2>/dev/null
    [ -s "$TMP/rs/probe.log" ] && break
    sleep 0.05
done

# replay LOGFILE ARGS...: the scenario, forwarded (msiwatch's pid in PID); waits for rsyslog's line
replay() {
    local log=$1
    shift
    "$MSIWATCH" -s :memory: -r "$S/http-msi.pcap" -e "$S/http-msi.events.nxlog.jsonl" \
        --observer-name sensor-01.example -o "$TMP/alerts.json" --stats "$@" 2>"$TMP/err" &
    PID=$!
    wait "$PID"
    echo "rc=$?" >>"$TMP/err"
    for _ in $(seq 100); do [ -s "$log" ] && break; sleep 0.05; done
}
fields() { cut -d'|' -f1-7 "$1"; }
msg() { cut -d'|' -f8- "$1"; }
stat() { grep '"msiwatch.stats"' "$TMP/err" | jq -c ".msiwatch.stats.alert_syslog | $1"; }

# ---- UDP, default facility (local0) -------------------------------------------
rm -f "$TMP/alerts.json"
replay "$TMP/rs/udp.log" --alert-syslog "udp://127.0.0.1:$UP"
check "msiwatch exits 0" grep -qx 'rc=0' "$TMP/err"
expect_eq "one alert written to -o (critical)" "$(jq -c '[.event.severity, .event.id]' "$TMP/alerts.json")" \
    '[4,"3c5a16cc33bb698c"]'
expect_eq "UDP: one message received" "$(wc -l <"$TMP/rs/udp.log")" "1"
TS=$(jq -r '."@timestamp"' "$TMP/alerts.json")
expect_eq "UDP: PRI 130 (local0, critical), APP-NAME msiwatch, HOSTNAME the observer, PROCID, MSGID alert, no SD, TIMESTAMP the alert's" \
    "$(fields "$TMP/rs/udp.log")" "130|msiwatch|sensor-01.example|$PID|alert|-|$TS"
expect_eq "UDP: MSG is byte for byte the alert written to -o" "$(msg "$TMP/rs/udp.log")" "$(cat "$TMP/alerts.json")"
expect_eq "UDP: the received MSG parses as the alert" "$(msg "$TMP/rs/udp.log" | jq -c '[.rule.id, .host.name, .event.severity]')" \
    '["AN0445","WIN10-LAB.lab.msiwatch.test",4]'
expect_eq "UDP: stats: 1 sent, nothing queued or dropped" \
    "$(stat '[.sent, .queued, .drops.queue_full, .drops.oversize, .drops.send_failed, .drops.at_exit]')" "[1,0,0,0,0,0]"

# ---- TCP, octet-counted, the facility from a configuration file ---------------
rm -f "$TMP/alerts.json"
printf 'alert-syslog = tcp://127.0.0.1:%s\nalert-syslog-facility = local4\n' "$TP" >"$TMP/fwd.conf"
replay "$TMP/rs/tcp.log" -c "$TMP/fwd.conf"
check "msiwatch exits 0" grep -qx 'rc=0' "$TMP/err"
expect_eq "TCP: one message received" "$(wc -l <"$TMP/rs/tcp.log")" "1"
expect_eq "TCP: PRI 162 (local4, critical), APP-NAME msiwatch, HOSTNAME, MSGID, TIMESTAMP" \
    "$(fields "$TMP/rs/tcp.log")" "162|msiwatch|sensor-01.example|$PID|alert|-|$TS"
expect_eq "TCP: MSG is byte for byte the alert written to -o" "$(msg "$TMP/rs/tcp.log")" "$(cat "$TMP/alerts.json")"
expect_eq "TCP: stats: 1 sent on 1 connection" "$(stat '[.sent, .connects, .disconnects, .drops.at_exit]')" "[1,1,0,0]"

kill "$RS"
wait "$RS" 2>/dev/null
RS=""

# ---- no collector: counted, not lost silently ---------------------------------
rm -f "$TMP/alerts.json"
"$MSIWATCH" -s :memory: -r "$S/http-msi.pcap" -e "$S/http-msi.events.nxlog.jsonl" -o "$TMP/alerts.json" \
    --alert-syslog "tcp://127.0.0.1:$TP" --stats 2>"$TMP/err"
expect_eq "TCP collector down: exit 0, the alert still in -o" "$?:$(jq -r .event.id "$TMP/alerts.json")" "0:3c5a16cc33bb698c"
expect_eq "TCP collector down: nothing sent, the alert counted as dropped at exit" \
    "$(stat '[.sent, .connects, .connect_failed > 0, .drops.at_exit]')" "[0,0,true,1]"

# ---- bad settings are bad usage -----------------------------------------------
"$MSIWATCH" -s :memory: -r "$S/http-msi.pcap" --alert-syslog "http://127.0.0.1:514" 2>"$TMP/err"
expect_eq "a URL that is not udp:// or tcp://: exit 2, one line" "$?:$(cat "$TMP/err")" \
    '2:msiwatch: bad --alert-syslog "http://127.0.0.1:514": expected udp://HOST:PORT or tcp://HOST:PORT'
"$MSIWATCH" -s :memory: -r "$S/http-msi.pcap" --alert-syslog "udp://127.0.0.1:514" --alert-syslog-facility local9 2>"$TMP/err"
expect_eq "an unknown facility: exit 2" "$?" "2"

done_testing
