#!/bin/bash
# syslog.sh -- the endpoint feed over real sockets (issue 4): msiwatch
# listens on 127.0.0.1 (ports the kernel picks), util-linux logger sends
# NXLog-style Sysmon events over UDP and TCP, RFC 3164 and RFC 5424,
# newline-framed and octet-counted, from many senders at once, and through a
# real rsyslog relay (omfwd) that this test configures and starts on
# loopback; TLS (RFC 5425) with a certificate made for the test. Every event
# sent must arrive exactly once as an endpoint record. Hostile senders
# (truncated JSON, invalid UTF-8, an XML entity bomb, a 1 MB line, binary
# garbage, a sender that stops mid-frame, a sender outside the allowlist)
# are counted and do not cost the good events around them.
. "$(dirname "$0")/lib.sh"

if ! command -v logger >/dev/null 2>&1; then
    skip "syslog over sockets" "util-linux logger is not installed"
    done_testing
    exit 0
fi
PY=$(command -v python3 || true)

# ev ID [HOST]: one NXLog im_msvistalog JSON Sysmon 1 event whose ProcessId
# is ID (the key this test counts by).
ev() {
    local id=$1 host=${2:-WS01.corp.example}
    printf '{"EventTime":"2026-11-28 10:00:00","Hostname":"%s","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"UtcTime":"2026-11-28 10:00:00.%03d","ProcessGuid":"{11111111-2222-3333-4444-%012d}","ProcessId":"%d","Image":"C:\\\\Windows\\\\System32\\\\msiexec.exe","CommandLine":"msiexec /q /i http://10.1.2.3/x%d.msi","ParentProcessGuid":"{11111111-2222-3333-4444-000000000000}","ParentProcessId":"4","ParentImage":"C:\\\\Windows\\\\explorer.exe","OriginalFileName":"msiexec.exe","SourceModuleType":"im_msvistalog"}\n' \
        "$host" $((id % 1000)) "$id" "$id" "$id"
}

MS=""
start() { # start ARGS...: msiwatch in the background, records to $TMP/rec.json
    : >"$TMP/err"
    rm -f "$TMP/rec.json"
    "$MSIWATCH" "$@" --records "$TMP/rec.json" -o "$TMP/alerts.json" --stats 2>"$TMP/err" &
    MS=$!
    for _ in $(seq 100); do
        [ "$(grep -c 'port' "$TMP/err")" -ge "$NLISTEN" ] && return 0
        sleep 0.05
    done
    return 1
}
port() { sed -n "s/^msiwatch: syslog $1 port //p" "$TMP/err" | head -n1; }
stop() { kill -TERM "$MS" 2>/dev/null; wait "$MS" 2>/dev/null; MS=""; }
trap '[ -n "$MS" ] && kill "$MS" 2>/dev/null; [ -n "${RS:-}" ] && kill "$RS" 2>/dev/null' EXIT
stat() { grep '"msiwatch.stats"' "$TMP/err" | tail -n1 | jq -c ".msiwatch.stats.$1"; }
# got A B: how many records each pid from A to B has, as "count:pids" lines
pids_once() {
    local a=$1 b=$2
    jq -r 'select(.event.dataset == "msiwatch.endpoint") | .process.pid' "$TMP/rec.json" | sort -n | uniq -c |
        awk -v a="$a" -v b="$b" '$2 >= a && $2 <= b { n++; if ($1 != 1) dup++ } END { printf "%d %d\n", n, dup + 0 }'
}
# wait_records N: until N endpoint records are written (or 5 s)
wait_records() {
    for _ in $(seq 100); do
        [ "$(grep -c '"msiwatch.endpoint"' "$TMP/rec.json" 2>/dev/null)" -ge "$1" ] && return 0
        sleep 0.05
    done
}

NLISTEN=2
start --syslog udp://127.0.0.1:0 --syslog tcp://127.0.0.1:0 || not_ok "msiwatch starts its listeners"
U=$(port udp) T=$(port tcp)
check "listeners on kernel-chosen ports" test -n "$U" -a -n "$T"

for i in $(seq 1 20); do ev "$i"; done >"$TMP/a"
for i in $(seq 21 40); do ev "$i"; done >"$TMP/b"
for i in $(seq 41 60); do ev "$i"; done >"$TMP/c"
for i in $(seq 61 80); do ev "$i"; done >"$TMP/d"
logger -n 127.0.0.1 -P "$U" --udp --rfc3164 -t nxlog -f "$TMP/a"
logger -n 127.0.0.1 -P "$U" --udp --rfc5424 -t nxlog -f "$TMP/b"
logger -n 127.0.0.1 -P "$T" --tcp --rfc3164 -t nxlog -f "$TMP/c"
logger -n 127.0.0.1 -P "$T" --tcp --octet-count --rfc5424 -t nxlog -f "$TMP/d"
# eight senders at once over TCP, octet-counted and newline-framed
for k in $(seq 0 7); do
    for i in $(seq $((1000 + k * 50)) $((1049 + k * 50))); do ev "$i"; done >"$TMP/s$k"
    if [ $((k % 2)) = 0 ]; then
        logger -n 127.0.0.1 -P "$T" --tcp --octet-count --rfc5424 -t nxlog -f "$TMP/s$k" &
    else
        logger -n 127.0.0.1 -P "$T" --tcp --rfc3164 -t nxlog -f "$TMP/s$k" &
    fi
done
wait $(jobs -p | grep -v "^$MS\$") 2>/dev/null
wait_records 480
stop
expect_eq "logger UDP RFC 3164: 20 events, each once" "$(pids_once 1 20)" "20 0"
expect_eq "logger UDP RFC 5424: 20 events, each once" "$(pids_once 21 40)" "20 0"
expect_eq "logger TCP newline RFC 3164: 20 events, each once" "$(pids_once 41 60)" "20 0"
expect_eq "logger TCP octet-counted RFC 5424: 20 events, each once" "$(pids_once 61 80)" "20 0"
expect_eq "eight concurrent TCP senders: 400 events, each once" "$(pids_once 1000 1399)" "400 0"
expect_eq "the sender's host name from the syslog header is log.syslog.hostname" \
    "$(jq -r 'select(.process.pid == 30) | [.log.syslog.hostname == "'"$(hostname)"'", .host.name, .process.entity_id] | @tsv' "$TMP/rec.json")" \
    "true	WS01.corp.example	11111111-2222-3333-4444-000000000030"
expect_eq "syslog counters: 480 messages, 40 UDP, 440 TCP, no drops" \
    "$(stat 'syslog | [.messages, .udp, .tcp, .drops.not_allowed, .drops.oversize, .drops.truncated]')" "[480,40,440,0,0,0]"
expect_eq "endpoint counters: 480 Sysmon 1 records, nothing malformed" \
    "$(stat 'endpoint | [.records, .events.sysmon_1, .malformed, .ignored]')" "[480,480,0,0]"

# ---- through a real rsyslog relay --------------------------------------------
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
if [ -x "$RSYSLOGD" ]; then
    NLISTEN=2
    start --syslog udp://127.0.0.1:0 --syslog tcp://127.0.0.1:0
    U=$(port udp) T=$(port tcp)
    RP=$(( (RANDOM % 20000) + 30000 ))
    mkdir -p "$TMP/rs"
    cat >"$TMP/rs/rsyslog.conf" <<EOF
global(workDirectory="$TMP/rs" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$RP" ruleset="relay")
ruleset(name="relay") {
    action(type="omfwd" target="127.0.0.1" port="$T" protocol="tcp" TCP_Framing="octet-counted"
           template="RSYSLOG_SyslogProtocol23Format")
    action(type="omfwd" target="127.0.0.1" port="$U" protocol="udp" template="RSYSLOG_ForwardFormat")
}
EOF
    "$RSYSLOGD" -n -f "$TMP/rs/rsyslog.conf" -i "$TMP/rs/pid" >"$TMP/rs/out" 2>&1 &
    RS=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$RP) 2>/dev/null && break; sleep 0.05; done
    for i in $(seq 2001 2100); do ev "$i" WS02.corp.example; done >"$TMP/r"
    logger -n 127.0.0.1 -P "$RP" --tcp --octet-count --rfc5424 -t nxlog -f "$TMP/r"
    wait_records 200
    kill "$RS"; wait "$RS" 2>/dev/null; RS=""
    stop
    # each event arrives twice: once per relay action (TCP octet-counted, UDP)
    expect_eq "rsyslog relay: 100 events, each once over TCP and once over UDP" \
        "$(jq -r 'select(.event.dataset == "msiwatch.endpoint") | .process.pid' "$TMP/rec.json" | sort -n | uniq -c |
           awk '$2 >= 2001 && $2 <= 2100 { n++; if ($1 != 2) bad++ } END { print n, bad + 0 }')" "100 0"
    expect_eq "rsyslog relay: counters" "$(stat 'syslog | [.tcp, .udp, .drops.oversize]')" "[100,100,0]"
else
    skip "rsyslog relay" "rsyslogd is not installed"
fi

# ---- TLS (RFC 5425) ----------------------------------------------------------
if command -v openssl >/dev/null 2>&1 && [ -n "$PY" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
        -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
    NLISTEN=1
    start --syslog tls://127.0.0.1:0 --syslog-cert "$TMP/cert.pem" --syslog-key "$TMP/key.pem"
    L=$(port tls)
    for i in $(seq 3001 3030); do ev "$i"; done >"$TMP/t"
    "$PY" - "$L" "$TMP/t" <<'EOF'
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw, ctx.wrap_socket(raw) as s:
    for line in open(sys.argv[2], "rb"):
        msg = b"<13>1 2026-11-28T10:00:00Z tlshost nxlog - - - " + line.rstrip(b"\n")
        s.sendall(str(len(msg)).encode() + b" " + msg)
    s.settimeout(5)
    s.unwrap()  # close_notify, and wait for msiwatch's
EOF
    wait_records 30
    stop
    expect_eq "TLS, octet-counted: 30 events, each once" "$(pids_once 3001 3030)" "30 0"
    expect_eq "TLS: counters" "$(stat 'syslog | [.tls, .connections, .drops.tls_failed]')" "[30,1,0]"
else
    skip "TLS syslog" "openssl or python3 is not installed"
fi

# ---- signals: SIGHUP reopens the outputs (logrotate), SIGUSR1 writes stats ----
NLISTEN=1
start --syslog tcp://127.0.0.1:0
T=$(port tcp)
ev 5001 | logger -n 127.0.0.1 -P "$T" --tcp --rfc5424 -t nxlog
wait_records 1
mv "$TMP/rec.json" "$TMP/rec.json.1"
kill -HUP "$MS"
for _ in $(seq 50); do [ -f "$TMP/rec.json" ] && break; sleep 0.05; done
ev 5002 | logger -n 127.0.0.1 -P "$T" --tcp --rfc5424 -t nxlog
wait_records 1
kill -USR1 "$MS"
for _ in $(seq 50); do grep -q '"msiwatch.stats"' "$TMP/err" && break; sleep 0.05; done
check "SIGUSR1 writes a stats record while running" grep -q '"msiwatch.stats"' "$TMP/err"
stop
expect_eq "SIGHUP: the event before it stays in the moved file, the one after goes to a new file" \
    "$(jq -r .process.pid "$TMP/rec.json.1" | tr '\n' ' ')/$(jq -r .process.pid "$TMP/rec.json" | tr '\n' ' ')" "5001 /5002 "

# ---- hostile senders ---------------------------------------------------------
if [ -n "$PY" ]; then
    NLISTEN=2
    start --syslog udp://127.0.0.1:0 --syslog tcp://127.0.0.1:0 --syslog-allow 127.0.0.1/32 \
        --syslog-max-message 65536 --syslog-idle-timeout 1
    U=$(port udp) T=$(port tcp)
    ev 4001 >"$TMP/g1"; ev 4002 >"$TMP/g2"; ev 4003 >"$TMP/g3"; ev 4004 >"$TMP/g4"; ev 4005 >"$TMP/g5"
    "$PY" - "$U" "$T" "$TMP" <<'EOF'
import socket, sys, time
U, T, D = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
good = [open(f"{D}/g{i}", "rb").read().rstrip(b"\n") for i in range(1, 6)]
ents = b'<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%s;" % (b"" if i == 1 else str(i - 1).encode())) * 10) for i in range(1, 10))
bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [' + ents + b']>'
        b'<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>1</EventID>'
        b'</System><EventData><Data Name="CommandLine">&lol9;</Data></EventData></Event>')
hostile = [
    good[0][:len(good[0]) // 2],                      # truncated JSON
    good[0].replace(b"msiexec", b"msi\xff\xfeexec"),  # invalid UTF-8
    bomb,                                             # entity expansion bomb
    b"\x00\x01\x02\xff\xfe" * 200,                    # binary garbage
]
s = socket.create_connection(("127.0.0.1", T))
s.sendall(good[0] + b"\n")
for h in hostile:
    s.sendall(h.replace(b"\n", b" ") + b"\n")
s.sendall(b"{" + b"x" * (1 << 20) + b"}\n")         # a 1 MB line: over the message bound
s.sendall(good[1] + b"\n")
s.close()
# UDP: garbage datagrams between good ones
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"\xde\xad\xbe\xef" * 50, ("127.0.0.1", U))
u.sendto(good[2], ("127.0.0.1", U))
# a sender outside the allowlist (127.0.0.2 is loopback too, but not allowed)
for proto in ("tcp", "udp"):
    x = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    x.bind(("127.0.0.2", 0))
    if proto == "tcp":
        x.connect(("127.0.0.1", T))
        try:
            x.sendall(good[3] + b"\n")
        except OSError:
            pass
    else:
        x.sendto(good[3], ("127.0.0.1", U))
    x.close()
# a sender that stops mid-frame (octet count says 500, 40 bytes come)
m = socket.create_connection(("127.0.0.1", T))
m.sendall(b"500 <13>1 2026-11-28T10:00:00Z h a - - - {\"EventID\":1,")
m.close()
# and a good one after all that, octet-counted
g = socket.create_connection(("127.0.0.1", T))
msg = b"<13>1 2026-11-28T10:00:00Z h nxlog - - - " + good[4]
g.sendall(str(len(msg)).encode() + b" " + msg)
g.close()
# a sender that connects and says nothing: closed after the idle timeout (1 s)
idle = socket.create_connection(("127.0.0.1", T))
time.sleep(2.5)
closed = idle.recv(1) == b""
print("idle connection closed by msiwatch:", closed, file=open(f"{D}/idle", "w"))
EOF
    wait_records 4
    sleep 0.3
    stop
    expect_eq "hostile input: the good events around it all arrive, each once" \
        "$(jq -r 'select(.event.dataset == "msiwatch.endpoint") | .process.pid' "$TMP/rec.json" | sort -n | tr '\n' ' ')" \
        "4001 4002 4003 4005 "
    expect_eq "hostile input: truncated JSON, invalid UTF-8, the entity bomb and the garbage are malformed drops" \
        "$(stat 'endpoint | [.records, .malformed >= 5]')" "[4,true]"
    expect_eq "hostile input: the 1 MB line is an oversize drop; the cut frame is truncated; the stranger is refused" \
        "$(stat 'syslog.drops | [.oversize, .truncated, .not_allowed]')" "[1,1,2]"
    check "msiwatch exited cleanly after hostile input" grep -q '"msiwatch.stats"' "$TMP/err"
    expect_eq "a silent sender is closed after --syslog-idle-timeout" \
        "$(cat "$TMP/idle"):$(stat 'syslog.idle_closed')" "idle connection closed by msiwatch: True:1"
else
    skip "hostile syslog senders" "python3 is not installed"
fi

done_testing
