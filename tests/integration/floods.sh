#!/bin/bash
# floods.sh -- floods keep msiwatch within its bounds (issue 7, "floods").
# Captures from tests/tools/flood-pcap.py (deterministic): a SYN flood of
# 300,000 distinct flows and 1,000,000 one-packet UDP flows with a small
# --max-flows: the flows held never exceed the bound (flows.active_peak) and
# every flow past it is an eviction, counted exactly; a flood of 20,000
# datagrams that never complete: the fragment bytes held never exceed
# --frag-max-bytes (ipfrag.held_bytes_peak), or the datagrams
# --frag-max-datagrams, every eviction is counted, and a whole datagram sent
# after the flood is still reassembled. An SMB session with 10 and 70
# CREATE requests sent before any answer: every file's record, the 64
# pending requests the parser holds, and the ones pushed out past them. Syslog, on loopback: a TCP sender
# keeps being served while another floods TCP with 200,000 lines, UDP is
# flooded with 100,000 datagrams and 100 idle connections try to get in past
# --syslog-max-connections 20 (19 take the free slots, 81 are refused and
# counted); the idle ones are closed after --syslog-idle-timeout 3 and
# counted; a new sender is served afterwards; each of the 80 good events
# arrives once. The waits poll the stats (SIGUSR1, about ten a second,
# which once kept the idle timeouts from ever running) with generous limits; the
# good TCP sender sends between flood chunks so that it is never the one
# found idle. Peak memory (VmHWM: the child's ru_maxrss for the replays,
# /proc/PID/status for the listener) is reported as a diagnostic and bounded
# at 256 MiB, a generous margin (not checked under AddressSanitizer).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed"; exit 0; }
FLOOD="python3 ${TESTS_DIR:-$(dirname "$0")/..}/tools/flood-pcap.py"
MAXRSS_KB=262144

# run PCAP ARGS...: rc, stats in $TMP/stats, peak memory (KiB, the kernel's
# ru_maxrss of the child, which is its VmHWM at exit) in $hwm
run() {
    local f=$1
    shift
    hwm=$(python3 -c '
import os, subprocess, sys
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1], "w"))
_, status, ru = os.wait4(p.pid, 0)
print(ru.ru_maxrss, os.waitstatus_to_exitcode(status))' "$TMP/allerr" "$MSIWATCH" -r "$f" "$@" --stats)
    rc=${hwm#* }
    hwm=${hwm% *}
    grep '"msiwatch.stats"' "$TMP/allerr" | tail -n1 >"$TMP/stats"
}
stat() { jq -c ".msiwatch.stats | $1" "$TMP/stats"; }
# Under AddressSanitizer freed memory waits in its quarantine (256 MiB), so
# the peak says nothing about msiwatch's bounds there: reported, not checked.
ASAN=""
nm "$MSIWATCH" 2>/dev/null | grep -q __asan_init && ASAN=1
mem_check() { # mem_check DESCRIPTION
    if [ -n "$ASAN" ]; then
        skip "$1" "AddressSanitizer build (its quarantine holds freed memory)"
    else
        check "$1" test -n "$hwm" -a "${hwm:-0}" -lt "$MAXRSS_KB"
    fi
}

$FLOOD syn 300000 "$TMP/syn.pcap"
run "$TMP/syn.pcap" --max-flows 1000
diag "SYN flood, 300000 flows, --max-flows 1000: VmHWM ${hwm:-?} kB"
expect_eq "SYN flood: exit 0, every SYN a TCP flow" "$rc:$(stat '[.packets, .tcp, .flows.total, .flows.tcp]')" \
    "0:[300000,300000,300000,300000]"
expect_eq "SYN flood: never more than 1000 flows; 299000 evicted, 1000 left at the end" \
    "$(stat '.flows | [.active_peak, .evicted, .timed_out, .ended_at_exit, .alloc_failed]')" "[1000,299000,0,1000,0]"
mem_check "SYN flood: peak memory under 256 MiB"
rm -f "$TMP/syn.pcap"

$FLOOD udp 1000000 "$TMP/udp.pcap"
run "$TMP/udp.pcap" --max-flows 5000
diag "UDP flood, 1000000 one-packet flows, --max-flows 5000: VmHWM ${hwm:-?} kB"
expect_eq "UDP flood: exit 0, every datagram a flow" "$rc:$(stat '[.packets, .udp, .flows.total, .flows.udp]')" \
    "0:[1000000,1000000,1000000,1000000]"
expect_eq "UDP flood: never more than 5000 flows; 995000 evicted, 5000 left at the end" \
    "$(stat '.flows | [.active_peak, .evicted, .timed_out, .ended_at_exit, .alloc_failed]')" "[5000,995000,0,5000,0]"
mem_check "UDP flood: peak memory under 256 MiB"
rm -f "$TMP/udp.pcap"

# 20000 first fragments of 1000 bytes of data (1020 held with the header),
# then a whole datagram in two fragments (800 + 808 bytes of data)
$FLOOD frag 20000 "$TMP/frag.pcap"
run "$TMP/frag.pcap" --frag-max-datagrams 100
diag "fragment flood, --frag-max-datagrams 100: VmHWM ${hwm:-?} kB"
expect_eq "fragment flood: exit 0, 20002 fragments, the whole datagram reassembled into one UDP packet" \
    "$rc:$(stat '[.packets, .frags, .ipfrag.fragments, .ipfrag.reassembled, .udp]')" "0:[20002,20002,20002,1,1]"
# 20001 datagrams begun, at most 100 at once: the 20001st evicts one more,
# completes and leaves 99 incomplete ones of 1020 bytes
expect_eq "fragment flood, --frag-max-datagrams 100: at most 100 datagrams, 19901 evicted, 99 held at the end" \
    "$(stat '.ipfrag | [.held_datagrams_peak, .evicted, .timeouts, .held_bytes]')" "[100,19901,0,$((99 * 1020))]"
mem_check "fragment flood (datagrams bound): peak memory under 256 MiB"

run "$TMP/frag.pcap" --frag-max-bytes 65536
diag "fragment flood, --frag-max-bytes 65536: VmHWM ${hwm:-?} kB"
# 64 incomplete datagrams fit (65280 bytes); the whole datagram's two
# fragments (820 and 808 bytes) each evict one: 62 left
expect_eq "fragment flood, --frag-max-bytes 65536: held bytes peak at 65280, 19938 evicted, 62 held at the end" \
    "$(stat '.ipfrag | [.held_bytes_peak, .evicted, .reassembled, .held_bytes]')" "[65280,19938,1,$((62 * 1020))]"
mem_check "fragment flood (bytes bound): peak memory under 256 MiB"
rm -f "$TMP/frag.pcap"

# ---- SMB requests no one answers ---------------------------------------------
# smbpipe N: a tree connect, then N CREATEs (f000.msi ...) before any answer,
# then the N answers, no close. Each create record is written when its file
# is closed, here at the end, in the order the files were opened. Past 64
# unanswered requests, request 2 + i takes slot i % 64 and writes the record
# it held then, without an answer: the 66th to 71st messages (f064 to f069)
# push out f002 to f007, whose answers then find nothing.
smb_names() { # the create records' names, "-" after one without a status
    "$MSIWATCH" -s :memory: -r "$1" --records - -o /dev/null 2>/dev/null |
        jq -r 'select(.event.dataset == "msiwatch.smb" and .msiwatch.smb.command == "create")
               | .msiwatch.smb.name + (if .msiwatch.smb.status then "" else "-" end)' | tr '\n' ' '
}
$FLOOD smbpipe 10 "$TMP/smb.pcap"
expect_eq "SMB: 10 CREATEs before any answer: every file's record, answered, in order" \
    "$(smb_names "$TMP/smb.pcap")" "$(printf 'f%03d.msi ' $(seq 0 9))"
$FLOOD smbpipe 70 "$TMP/smb.pcap"
expect_eq "SMB: 70 CREATEs before any answer: 64 held, the 6 pushed out written unanswered first" \
    "$(smb_names "$TMP/smb.pcap")" \
    "$(printf 'f%03d.msi- ' $(seq 2 7))$(printf 'f%03d.msi ' 0 1 $(seq 8 69))"
rm -f "$TMP/smb.pcap"

# ---- syslog ------------------------------------------------------------------
"$MSIWATCH" --syslog udp://127.0.0.1:0 --syslog tcp://127.0.0.1:0 --syslog-max-connections 20 \
    --syslog-idle-timeout 3 --records "$TMP/rec.json" -o /dev/null --stats 2>"$TMP/err" &
MS=$!
trap '[ -n "$MS" ] && kill "$MS" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do
    [ "$(grep -c 'port' "$TMP/err")" -ge 2 ] && break
    sleep 0.05
done
port() { sed -n "s/^msiwatch: syslog $1 port //p" "$TMP/err" | head -n1; }
python3 - "$MS" "$(port udp)" "$(port tcp)" "$TMP" <<'PY'
import json, os, signal, socket, sys, time
pid, U, T, D = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
out = open(D + "/py.out", "w")

def ev(i):
    return ('{"EventTime":"2026-11-28 10:00:00","Hostname":"WS01.corp.example","SourceName":"Microsoft-Windows-Sysmon",'
            '"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"UtcTime":"2026-11-28 10:00:00.000",'
            '"ProcessGuid":"{11111111-2222-3333-4444-%012d}","ProcessId":"%d",'
            '"Image":"C:\\\\Windows\\\\System32\\\\msiexec.exe","CommandLine":"msiexec /q /i http://10.1.2.3/x%d.msi",'
            '"ParentProcessGuid":"{11111111-2222-3333-4444-000000000000}","ParentProcessId":"4",'
            '"ParentImage":"C:\\\\Windows\\\\explorer.exe","OriginalFileName":"msiexec.exe"}' % (i, i, i)).encode()

def stats():
    """A fresh stats record: SIGUSR1, then the last one written."""
    n0 = open(D + "/err").read().count('"msiwatch.stats"')
    os.kill(pid, signal.SIGUSR1)
    for _ in range(200):
        # whole lines only: the last one may be in the middle of being written
        lines = [l for l in open(D + "/err") if '"msiwatch.stats"' in l and l.endswith("\n")]
        if len(lines) > n0:
            return json.loads(lines[-1])["msiwatch"]["stats"]
        time.sleep(0.05)
    raise SystemExit("no stats record")

def until(cond, what, tries=600):
    for _ in range(tries):
        s = stats()
        if cond(s):
            return s
        time.sleep(0.1)
    print("timeout waiting for", what, json.dumps(s.get("syslog")), file=out)
    return s

def records():
    try:
        return [json.loads(l)["process"]["pid"] for l in open(D + "/rec.json")
                if '"msiwatch.endpoint"' in l and l.endswith("\n")]
    except FileNotFoundError:
        return []

# a good sender, connected first
good = socket.create_connection(("127.0.0.1", T))
for i in range(1, 11):
    good.sendall(ev(i) + b"\n")
until(lambda s: s["syslog"]["tcp"] >= 10, "the first good events")
# a TCP flood of 200000 irrelevant lines, then it hangs up
fl = socket.create_connection(("127.0.0.1", T))
line = b"<13>Nov 28 10:00:00 flooder app: nothing to see here, line %d\n"
for k in range(10):  # with good events 11 .. 20 in between
    fl.sendall(b"".join(line % i for i in range(k * 20000, (k + 1) * 20000)))
    good.sendall(ev(11 + k) + b"\n")
fl.close()
s = until(lambda s: s["syslog"]["tcp"] >= 200020 and s["syslog"]["connections_open"] == 1, "the TCP flood")
print("tcp_flood", s["syslog"]["tcp"], s["syslog"]["connections"], file=out)
# 100 idle connections: 19 free slots
idle = []
for _ in range(100):
    c = socket.create_connection(("127.0.0.1", T))
    idle.append(c)
s = until(lambda s: s["syslog"]["connections"] + s["syslog"]["drops"]["connections_refused"] >= 102, "the idle ones")
print("idle", s["syslog"]["connections"] - 2, s["syslog"]["drops"]["connections_refused"],
      s["syslog"]["connections_open"], file=out)
# a UDP flood of 100000 datagrams while the good sender goes on
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(100000):
    u.sendto(line % i, ("127.0.0.1", U))
    if i % 2500 == 0:
        good.sendall(ev(21 + i // 2500) + b"\n")  # events 21 .. 60
good.close()
# once the UDP flood is read, good UDP events 61 .. 70
last = -1
for _ in range(100):
    s = stats()
    if s["syslog"]["udp"] == last:
        break
    last = s["syslog"]["udp"]
    time.sleep(0.2)
print("udp_flood_read", 0 < last <= 100000, file=out)
for i in range(61, 71):
    u.sendto(ev(i), ("127.0.0.1", U))
until(lambda s: len(records()) >= 70, "the good events", 100)
# the idle ones are closed after 3 s of silence; the refused ones were
# closed at once: all 100 see the end of their connection
s = until(lambda s: s["syslog"]["idle_closed"] >= 19 and s["syslog"]["connections_open"] == 0, "idle timeout")
closed = sum(1 for c in idle if c.recv(1) == b"")
print("idle_closed", s["syslog"]["idle_closed"], closed, file=out)
# a new sender is served
n = socket.create_connection(("127.0.0.1", T))
for i in range(71, 81):
    n.sendall(ev(i) + b"\n")
n.close()
until(lambda s: len(records()) >= 80, "the new sender", 100)
st = open("/proc/%d/status" % pid).read()
print("hwm", [l.split()[1] for l in st.splitlines() if l.startswith("VmHWM")][0], file=out)
PY
kill -TERM "$MS"; wait "$MS"; rc=$?
MS=""
py() { sed -n "s/^$1 //p" "$TMP/py.out"; }
diag "$(cat "$TMP/py.out")"
expect_eq "syslog: the TCP flood's 200000 lines and the first 20 good events read over 2 connections" \
    "$(py tcp_flood)" "200020 2"
expect_eq "syslog: of 100 idle connections, 19 take the free slots and 81 are refused and counted; 20 open" \
    "$(py idle)" "19 81 20"
expect_eq "syslog: the UDP flood is read (some datagrams may be lost in the kernel)" "$(py udp_flood_read)" "True"
expect_eq "syslog: every good event arrives once (TCP during the floods, UDP after)" \
    "$(jq -r 'select(.event.dataset == "msiwatch.endpoint") | .process.pid' "$TMP/rec.json" | sort -n | uniq | wc -l):$(grep -c '"msiwatch.endpoint"' "$TMP/rec.json")" \
    "80:80"
expect_eq "syslog: the 19 idle connections closed after --syslog-idle-timeout and counted; all 100 closed by msiwatch" \
    "$(py idle_closed)" "19 100"
expect_eq "syslog: exit 0 on SIGTERM" "$rc" 0
hwm=$(py hwm)
mem_check "syslog floods: peak memory under 256 MiB"

done_testing
