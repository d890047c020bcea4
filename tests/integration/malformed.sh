#!/bin/bash
# malformed.sh -- hostile captures (issue 7, "malformed captures"): files made
# from the real recordings by tests/tools/mutate-pcap.py (deterministic, fixed
# seeds). A file cut inside a record, a record whose length runs past the end,
# an absurd record length: exit 1 with one line naming the file and the
# problem, the packets before it processed and counted. Garbage records in the
# middle of the lab's MSI download: counted as drops, and the HTTP record with
# the MSI's SHA-256 is still output exactly as in the clean run. Bytes flipped
# in the link, IP, transport and payload layers of every packet of every lab
# recording: exit 0 (never a signal), every packet counted. A link type
# msiwatch does not decode: a warning, every packet counted as unknown_link.
# A capture from a pipe survives SIGUSR1 and SIGHUP, and stops cleanly on
# SIGTERM; so does an events file from a pipe.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed"; exit 0; }
MUTATE="python3 ${TESTS_DIR:-$(dirname "$0")/..}/tools/mutate-pcap.py"
P=$PCAPS/lab/http-msi.pcap
SHA=df7a0245532689137571a21bc450129bfa2643b3b8241252e676517626f3173a
HQ='select(.event.dataset == "msiwatch.http") | [.url.original, .http.response.status_code, .file.type, .file.size, .file.hash.sha256]'

# run FILE ARGS...: rc, records in $TMP/out, stats in $TMP/stats, other stderr lines in $TMP/err
run() {
    rm -f "$TMP/out" # --records appends
    "$MSIWATCH" -r "$@" --records "$TMP/out" -o /dev/null --stats 2>"$TMP/allerr"
    rc=$?
    grep '"msiwatch.stats"' "$TMP/allerr" >"$TMP/stats"
    grep -v '"msiwatch.stats"' "$TMP/allerr" >"$TMP/err"
}
stat() { jq -c ".msiwatch.stats | $1" "$TMP/stats"; }

run "$P"
expect_eq "clean run: exit 0, 22 packets" "$rc:$(stat .packets)" "0:22"
clean_http=$(jq -c "$HQ" "$TMP/out")
expect_eq "clean run: the MSI download and its hash" "$clean_http" \
    "[\"http://10.77.0.20/pkg/setup.msi\",200,\"msi\",9728,\"$SHA\"]"
clean_notip=$(stat .not_ip)

# two garbage records after record 10 (inside the download)
$MUTATE garbage "$P" "$TMP/garbage.pcap" --at 10 --seed 1 --len 200
run "$TMP/garbage.pcap"
expect_eq "garbage records: exit 0, nothing on standard error" "$rc:$(cat "$TMP/err")" "0:"
expect_eq "garbage records: 24 packets; the bad IPv4 header length and the unknown frame counted" \
    "$(stat '[.packets, .drops.bad_ipv4_header_length, .drops.total, .not_ip]')" "[24,1,1,$((clean_notip + 1))]"
expect_eq "garbage records: the HTTP record is exactly the clean run's" "$(jq -c "$HQ" "$TMP/out")" "$clean_http"

# cut inside record 18 (the download is complete by then, its flow is not)
$MUTATE truncate "$P" "$TMP/trunc.pcap" --at 18
run "$TMP/trunc.pcap"
expect_eq "file cut inside a record: exit 1 and one line saying so" \
    "$rc:$(cat "$TMP/err")" \
    "1:msiwatch: $TMP/trunc.pcap: truncated capture, the last record is cut short (truncated dump file; tried to read 66 captured bytes, only got 33)"
expect_eq "file cut inside a record: the 18 whole records counted" "$(stat .packets)" 18
expect_eq "file cut inside a record: the HTTP record before the cut is written" "$(jq -c "$HQ" "$TMP/out")" "$clean_http"

$MUTATE caplen-past-end "$P" "$TMP/past.pcap" --at 18
run "$TMP/past.pcap"
expect_eq "record length past the end of the file: exit 1 and one line saying so" \
    "$rc:$(cat "$TMP/err")" \
    "1:msiwatch: $TMP/past.pcap: truncated capture, the last record is cut short (truncated dump file; tried to read 1066 captured bytes, only got 66)"
expect_eq "record length past the end: the records before it counted and written" \
    "$(stat .packets):$(jq -c "$HQ" "$TMP/out")" "18:$clean_http"

$MUTATE caplen-absurd "$P" "$TMP/absurd.pcap" --at 18
run "$TMP/absurd.pcap"
expect_eq "record length 0xFFFFFFF0: exit 1 and one line saying so" \
    "$rc:$(cat "$TMP/err")" \
    "1:msiwatch: $TMP/absurd.pcap: invalid packet capture length 4294967280, bigger than snaplen of 262144"
expect_eq "record length 0xFFFFFFF0: the records before it counted and written" \
    "$(stat .packets):$(jq -c "$HQ" "$TMP/out")" "18:$clean_http"

$MUTATE linktype "$P" "$TMP/lt.pcap" --value 200
run "$TMP/lt.pcap"
expect_eq "unknown link type: exit 0 and one warning" "$rc:$(cat "$TMP/err")" \
    "0:msiwatch: $TMP/lt.pcap: link type JUNIPER_ST (200) is not decoded; its packets are counted as unknown_link"
expect_eq "unknown link type: every packet counted as unknown_link, no record" \
    "$(stat '[.packets, .drops.unknown_link, .drops.total]'):$(wc -c <"$TMP/out")" "[22,22,22]:0"

# A capture (or with -e, an events file) read from a pipe: msiwatch is
# given all but the last HELD bytes and waits for the rest (pid in $pid, the
# pipe's writer on fd 3). pipe_start OPTION FILE HELD
pipe_start() {
    rm -f "$TMP/fifo"; mkfifo "$TMP/fifo"
    "$MSIWATCH" "$1" - --stats <"$TMP/fifo" >/dev/null 2>"$TMP/allerr" &
    pid=$!
    exec 3>"$TMP/fifo"
    head -c -"$3" "$2" >&3
    for _ in $(seq 100); do # until its handlers are installed (SigCgt bits 1 and 10)
        cgt=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        [ -n "$cgt" ] && [ $((0x$cgt & 0x201)) = $((0x201)) ] && break
        sleep 0.05
    done
    for _ in $(seq 100); do # and it waits for the rest of the file
        [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = pipe_read ] && break
        sleep 0.05
    done
}
pipe_result() { # exit status:packets:other stderr lines
    echo "$rc:$(grep '"msiwatch.stats"' "$TMP/allerr" | tail -n1 | jq .msiwatch.stats.packets):$(grep -v '"msiwatch.stats"' "$TMP/allerr")"
}

# SIGUSR1 (stats) and SIGHUP (reopen) while it waits must not end the replay
# (they once broke the blocking read: "error reading dump file: Interrupted
# system call", exit 1).
pipe_start -r "$P" 100
kill -USR1 "$pid"; kill -HUP "$pid"
tail -c 100 "$P" >&3
exec 3>&-
wait "$pid"; rc=$?
expect_eq "capture from a pipe survives SIGUSR1 and SIGHUP: exit 0, every packet, no error" "$(pipe_result)" "0:22:"

# SIGTERM while it waits: a clean stop (exit 0, the packets read so far
# counted), not "Interrupted system call" and exit 1.
pipe_start -r "$P" 100
kill -TERM "$pid"
wait "$pid"; rc=$?
exec 3>&-
expect_eq "capture from a pipe stopped by SIGTERM: exit 0, the 20 whole packets before the wait, no error" \
    "$(pipe_result)" "0:20:"

# The same for events read from a pipe (-e -): the events before the last
# line are taken, SIGTERM ends the wait cleanly
EV=$PCAPS/lab/scenarios/http-msi.events.nxlog.jsonl
pipe_start -e "$EV" "$(tail -n1 "$EV" | wc -c)"
kill -TERM "$pid"
wait "$pid"; rc=$?
exec 3>&-
expect_eq "events from a pipe stopped by SIGTERM: exit 0, the events before the wait, no error" \
    "$rc:$(grep '"msiwatch.stats"' "$TMP/allerr" | tail -n1 | jq .msiwatch.stats.endpoint.records):$(grep -v '"msiwatch.stats"' "$TMP/allerr")" \
    "0:$(($(grep -c . "$EV") - 1)):"

# Bytes flipped in every packet, one layer at a time, two seeds, every lab
# recording and the Wikipedia capture: no crash, no error, every packet counted.
for layer in link ip l4 payload; do
    bad=""; n=0; flipped=0
    for f in "$PCAPS"/lab/*.pcap "$PCAPS"/zeek-wikipedia.pcap; do
        "$MSIWATCH" -r "$f" --stats 2>"$TMP/cs" >/dev/null
        want=$(jq '.msiwatch.stats.packets' "$TMP/cs")
        for seed in 1 2; do
            c=$($MUTATE "flip-$layer" "$f" "$TMP/flip.pcap" --seed "$seed")
            flipped=$((flipped + c))
            run "$TMP/flip.pcap"
            n=$((n + 1))
            if [ "$rc" != 0 ] || [ -s "$TMP/err" ] || [ "$(stat .packets)" != "$want" ]; then
                bad="$bad $(basename "$f"):$seed:rc=$rc"
            fi
        done
    done
    expect_eq "bytes flipped in the $layer layer ($n files, $flipped packets changed): exit 0, all packets counted" "$bad" ""
done

done_testing
