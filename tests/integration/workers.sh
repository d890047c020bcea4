#!/bin/bash
# workers.sh -- several workers give the records and alerts of one
# (--workers, src/pool.c): every bundled capture replayed with 1, 2 and 3
# workers, records and alerts compared byte for byte (event.created, the
# wall clock of endpoint records, aside); the lab scenarios with their
# endpoint events, alerts compared; the summed counters; live capture with
# several workers refused with a sentence.
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

# the option's bounds, and live capture
"$MSIWATCH" -r "$f" --workers 65 >/dev/null 2>"$TMP/e65"
expect_eq "--workers 65: refused (exit 2)" "$?" 2
"$MSIWATCH" -i lo --workers 2 >/dev/null 2>"$TMP/elive"
rc=$?
expect_eq "--workers 2 with -i: refused with a sentence (exit 2)" "$rc $(grep -c 'live capture (-i) runs with one worker' "$TMP/elive")" "2 1"

done_testing
