#!/bin/bash
# bench/syslog-ingest.sh -- the endpoint side of issue 6: how many forwarded
# events per second one msiwatch process takes over TCP syslog when 1% of
# them are relevant (Sysmon 1) and the rest are events the prefilter drops
# (Sysmon 13 registry sets, as NXLog JSON). Prints events/s and CPU
# seconds. Not a test: run by hand (or by `make bench` once the harness of
# issue 6 exists).
#   bench/syslog-ingest.sh [EVENTS]      default 500000
set -eu
N=${1:-500000}
MSIWATCH=${MSIWATCH:-$(dirname "$0")/../msiwatch}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 - "$N" "$TMP/events" <<'EOF2'
import sys
n = int(sys.argv[1])
rel = '<13>1 2026-11-28T10:00:00Z ws nxlog - - - {"EventTime":"2026-11-28 10:00:00","Hostname":"WS%d.corp.example","SourceName":"Microsoft-Windows-Sysmon","EventID":1,"UtcTime":"2026-11-28 10:00:00.%03d","ProcessGuid":"{11111111-2222-3333-4444-%012d}","ProcessId":"%d","Image":"C:\\\\Windows\\\\System32\\\\msiexec.exe","CommandLine":"msiexec /i C:\\\\pkgs\\\\a.msi /qn","SourceModuleType":"im_msvistalog"}\n'
noise = '<13>1 2026-11-28T10:00:00Z ws nxlog - - - {"EventTime":"2026-11-28 10:00:00","Hostname":"WS%d.corp.example","SourceName":"Microsoft-Windows-Sysmon","EventID":13,"UtcTime":"2026-11-28 10:00:00.%03d","EventType":"SetValue","ProcessGuid":"{11111111-2222-3333-4444-%012d}","ProcessId":"%d","Image":"C:\\\\Windows\\\\System32\\\\svchost.exe","TargetObject":"HKLM\\\\System\\\\CurrentControlSet\\\\Services\\\\bam\\\\State\\\\UserSettings\\\\S-1-5-21-1\\\\x","Details":"Binary Data","SourceModuleType":"im_msvistalog"}\n'
with open(sys.argv[2], "w") as f:
    for i in range(n):
        f.write((rel if i % 100 == 0 else noise) % (i % 50, i % 1000, i, i))
EOF2
BYTES=$(stat -c %s "$TMP/events")
"$MSIWATCH" -s :memory: --syslog tcp://127.0.0.1:0 --syslog-max-connections 4 --records /dev/null -o /dev/null \
    --stats 2>"$TMP/err" &
MS=$!
for _ in $(seq 100); do grep -q port "$TMP/err" && break; sleep 0.05; done
PORT=$(sed -n 's/^msiwatch: syslog tcp port //p' "$TMP/err")
START=$(date +%s.%N)
python3 - "$PORT" "$TMP/events" <<'EOF2'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "rb") as f:
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        s.sendall(b)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
EOF2
# wait until every message is counted
for _ in $(seq 600); do
    kill -USR1 "$MS"
    sleep 0.1
    got=$(grep '"msiwatch.stats"' "$TMP/err" | tail -1 | jq '.msiwatch.stats.syslog.messages')
    [ "${got:-0}" -ge "$N" ] && break
done
END=$(date +%s.%N)
CPU=$(awk '{print ($14 + $15) / 100}' /proc/$MS/stat)
kill "$MS"; wait "$MS" 2>/dev/null || true
STATS=$(grep '"msiwatch.stats"' "$TMP/err" | tail -1)
echo "events sent:        $N ($((BYTES / 1048576)) MiB), 1% Sysmon 1, 99% Sysmon 13"
echo "received:           $(echo "$STATS" | jq '.msiwatch.stats.syslog.messages')"
echo "records / ignored:  $(echo "$STATS" | jq -c '.msiwatch.stats.endpoint | [.records, .ignored, .malformed]')"
echo "wall seconds:       $(echo "$END - $START" | bc -l | cut -c1-6)"
echo "events per second:  $(echo "$N / ($END - $START)" | bc -l | cut -d. -f1)"
echo "msiwatch CPU s:     $CPU"
