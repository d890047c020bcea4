#!/bin/bash
# outputs.sh -- output never lies (issue 7): when the alert output or the
# records cannot be written (a full device, a closed pipe, a full file
# system), msiwatch names the output and the reason on standard error, stops
# and exits 1; it never exits 0 after losing a line. Replays, an events-only
# replay, and a live syslog listener (which stops by itself once its output
# is gone). The full file system is a 16 KiB tmpfs this test mounts (root
# only; skipped otherwise).
. "$(dirname "$0")/lib.sh"
W=$PCAPS/zeek-wikipedia.pcap
M=$PCAPS/lab/http-msi.pcap # one alert (network-only), about 1.4 KB
export MSIWATCH_STATE=:memory: # no rarity memory between runs: the alert always comes

# run ARGS...: rc, stderr in $err (stats lines removed)
run() {
    "$MSIWATCH" "$@" >/dev/null 2>"$TMP/err"
    rc=$?
    err=$(grep -v '"msiwatch.stats"' "$TMP/err")
}
# closed ARGS...: msiwatch with standard output a pipe whose reader has gone
# (closed before msiwatch starts, so every write fails with EPIPE)
closed() {
    python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.call(sys.argv[2:], stdout=w, stderr=open(sys.argv[1], "w")))' "$TMP/err" "$MSIWATCH" "$@"
    rc=$?
    err=$(grep -v '"msiwatch.stats"' "$TMP/err")
}

run -r "$M" -o "$TMP/alerts.json"
expect_eq "the alert is written to a file: exit 0, one line" "$rc:$err:$(wc -l <"$TMP/alerts.json")" "0::1"

run -r "$M" -o /dev/full
expect_eq "alerts to a full device: exit 1, one line naming it" "$rc:$err" \
    "1:msiwatch: cannot write /dev/full: No space left on device"
run -r "$W" --records /dev/full -o "$TMP/a2.json"
expect_eq "records to a full device: exit 1, one line naming it" "$rc:$err" \
    "1:msiwatch: cannot write /dev/full: No space left on device"

if command -v python3 >/dev/null; then
    closed -r "$M"
    expect_eq "alerts to a closed pipe: exit 1, one line naming standard output" "$rc:$err" \
        "1:msiwatch: cannot write standard output: Broken pipe"
    closed -r "$W" --records - -o /dev/null
    expect_eq "records to a closed pipe: exit 1, one line naming standard output" "$rc:$err" \
        "1:msiwatch: cannot write standard output: Broken pipe"
    # a replay of three files stops at the first failed write: when glibc
    # flushes its first 4 KiB of records to the pipe, a few dozen packets in
    # (of 408; exactly where depends on how the lines fill stdio's buffer)
    closed -r "$W" -r "$W" -r "$W" --records - -o /dev/null --stats
    n=$(grep '"msiwatch.stats"' "$TMP/err" | jq .msiwatch.stats.packets)
    expect_eq "closed pipe: the replay stops at the first failed write, within the first 100 packets of 408" \
        "$rc:$([ "${n:-0}" -gt 0 ] && [ "${n:-0}" -le 100 ] && echo early)" "1:early"
else
    skip "closed pipe" "python3 is not installed"
fi

# `| head -c 10`: more than a pipe's 64 KiB of records, so the writes after
# head has gone fail whatever the timing
"$MSIWATCH" -r "$W" -r "$W" -r "$W" -r "$W" --records - -o /dev/null 2>"$TMP/err" | head -c 10 >"$TMP/head"
rc=${PIPESTATUS[0]}
expect_eq "records into | head -c 10: exit 1, says standard output is a broken pipe" \
    "$rc:$(cat "$TMP/err"):$(cat "$TMP/head")" \
    '1:msiwatch: cannot write standard output: Broken pipe:{"@timesta'

# an events-only replay
printf '%s\n' '{"EventTime":"2026-11-28 10:00:00","Hostname":"WS01.corp.example","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"UtcTime":"2026-11-28 10:00:00.000","ProcessGuid":"{11111111-2222-3333-4444-000000000001}","ProcessId":"1","Image":"C:\\Windows\\System32\\msiexec.exe","CommandLine":"msiexec /q /i http://10.1.2.3/x1.msi","ParentProcessGuid":"{11111111-2222-3333-4444-000000000000}","ParentProcessId":"4","ParentImage":"C:\\Windows\\explorer.exe","OriginalFileName":"msiexec.exe"}' >"$TMP/ev.json"
run -e "$TMP/ev.json" -o "$TMP/a3.json"
expect_eq "events-only replay: the msiexec event gives one alert" "$rc:$(jq -r .rule.id "$TMP/a3.json")" "0:AN0445"
run -e "$TMP/ev.json" -o /dev/full
expect_eq "events-only replay, alerts to a full device: exit 1, one line naming it" "$rc:$err" \
    "1:msiwatch: cannot write /dev/full: No space left on device"

# a live listener whose alert output fails stops by itself
if command -v python3 >/dev/null; then
    "$MSIWATCH" --syslog udp://127.0.0.1:0 -o /dev/full 2>"$TMP/lerr" &
    MS=$!
    trap 'kill "$MS" 2>/dev/null; rm -rf "$TMP"' EXIT
    for _ in $(seq 100); do grep -q 'udp port' "$TMP/lerr" && break; sleep 0.05; done
    port=$(sed -n 's/^msiwatch: syslog udp port //p' "$TMP/lerr")
    python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(open(sys.argv[1], "rb").read(), ("127.0.0.1", int(sys.argv[2])))' \
        "$TMP/ev.json" "$port"
    for _ in $(seq 100); do kill -0 "$MS" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$MS" 2>/dev/null; then
        not_ok "live listener with a failed alert output stops by itself"
        kill "$MS"
    else
        wait "$MS"; rc=$?
        expect_eq "live listener with a failed alert output stops by itself: exit 1, says why" \
            "$rc:$(grep -v 'udp port' "$TMP/lerr")" "1:msiwatch: cannot write /dev/full: No space left on device"
    fi
else
    skip "live listener with a failed output" "python3 is not installed"
fi

# a full file system (root: a 16 KiB tmpfs)
if [ "$(id -u)" = 0 ] && mkdir -p "$TMP/small" && mount -t tmpfs -o size=16k tmpfs "$TMP/small" 2>/dev/null; then
    run -r "$W" --records "$TMP/small/records.json" -o /dev/null
    expect_eq "records to a full file system: exit 1, one line naming the file" "$rc:$err" \
        "1:msiwatch: cannot write $TMP/small/records.json: No space left on device"
    umount "$TMP/small"
else
    skip "records to a full file system" "needs root and tmpfs"
fi

done_testing
