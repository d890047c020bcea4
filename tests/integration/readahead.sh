#!/bin/bash
# readahead.sh -- replay's reader thread (--read-ahead, src/readahead.c)
# changes nothing but speed: every bundled capture replayed with a ring of
# 4 MiB, the smallest (1 MiB, which the bulk recordings wrap several times)
# and none, records and alerts compared byte for byte (event.created
# aside); several files in one run; a truncated capture (the same records,
# error and exit status); a BPF filter; standard input (read in the parsing
# thread); none by default; the stats; the option's bounds.
. "$(dirname "$0")/lib.sh"

strip() { jq -c 'del(.event.created)' "$1"; }

# run NAME ARGS...: records to $TMP/NAME.r, alerts and exit status to
# $TMP/NAME.a, standard error to $TMP/NAME.e
run() {
    local name=$1
    shift
    "$MSIWATCH" -s :memory: --records "$TMP/$name.r" "$@" >"$TMP/$name.a" 2>"$TMP/$name.e"
    echo "rc $?" >>"$TMP/$name.a"
}

same() { [ "$(strip "$TMP/$1.r")" = "$(strip "$TMP/$2.r")" ] && cmp -s "$TMP/$1.a" "$TMP/$2.a"; }

n=0 same4=0 same1=0
for f in "$PCAPS"/*.pcap* "$PCAPS"/lab/*.pcap "$PCAPS"/lab/bulk/*.pcap "$PCAPS"/lab/scenarios/*.pcap; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    run r0 -r "$f" --read-ahead 0
    run r4 -r "$f" --read-ahead 4
    run r1 -r "$f" --read-ahead 1
    if same r0 r4; then same4=$((same4 + 1)); else diag "$(basename "$f"): --read-ahead 4 differs"; fi
    if same r0 r1; then same1=$((same1 + 1)); else diag "$(basename "$f"): --read-ahead 1 differs"; fi
done
expect_eq "--read-ahead 4: the records and alerts of none, on all $n captures" "$same4" "$n"
expect_eq "--read-ahead 1: the records and alerts of none, on all $n captures" "$same1" "$n"
[ "$n" -ge 60 ] && ok "the comparison covered $n captures" || not_ok "only $n captures found"

B=$PCAPS/lab/bulk
run m0 -r "$B/http-bulk.pcap" -r "$B/https-bulk.pcap" -r "$B/smb2-bulk.pcap" --read-ahead 0
run m1 -r "$B/http-bulk.pcap" -r "$B/https-bulk.pcap" -r "$B/smb2-bulk.pcap" --read-ahead 1
check "three files in one run, ring of 1 MiB: the same records and alerts" same m0 m1
expect_eq "... and they are the bulk transfers' (HTTP body of 1 MiB, TLS SNI, SMB read of 1 MiB)" \
    "$(jq -c 'select(.event.dataset == "msiwatch.http") | .http.response.body.bytes' "$TMP/m1.r"),$(jq -r 'select(.event.dataset == "msiwatch.tls") | .tls.client.server_name' "$TMP/m1.r" | sort -u | wc -l),$(jq -c 'select(.event.dataset == "msiwatch.smb" and .msiwatch.smb.read_bytes == 1048576) | .msiwatch.smb.read_bytes' "$TMP/m1.r")" \
    "1048576,1,1048576"

# a capture cut inside a packet: the packets before the cut, then the error
head -c 1500000 "$B/https-bulk.pcap" >"$TMP/cut.pcap"
run t0 -r "$TMP/cut.pcap" --read-ahead 0
run t4 -r "$TMP/cut.pcap"
check "a truncated capture: the same records and exit status as without read-ahead" same t0 t4
expect_eq "... and the same error" "$(cat "$TMP/t4.e")" "$(cat "$TMP/t0.e")"
check "... which names the truncation" grep -q "truncated capture" "$TMP/t4.e"
expect_eq "... exit status 1" "$(tail -1 "$TMP/t4.a")" "rc 1"
expect_eq "... and the records of the packets before the cut (the TLS SNI)" \
    "$(jq -r 'select(.event.dataset == "msiwatch.tls") | .tls.client.server_name' "$TMP/t4.r")" "lab.msiwatch.test"

f=$PCAPS/lab/scenarios/http-msi.pcap
run f0 -r "$f" -f "tcp port 80" --read-ahead 0
run f4 -r "$f" -f "tcp port 80"
check "a BPF filter: the same records" same f0 f4
expect_eq "... and only port 80's" "$(jq -r '.destination.port // .server.port // empty' "$TMP/f4.r" | sort -u | tr '\n' ' ')" "80 "

# packets larger than the ring: a D-Bus capture (libpcap allows 128 MiB
# packets there) of 2 MiB, 100 bytes and 3 MiB; msiwatch does not decode
# D-Bus but counts every packet and byte
{
    printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\xe7\x00\x00\x00'
    printf '\x00\xf1\x53\x65\x00\x00\x00\x00\x00\x00\x20\x00\x00\x00\x20\x00'; head -c 2097152 /dev/zero
    printf '\x00\xf1\x53\x65\x01\x00\x00\x00\x64\x00\x00\x00\x64\x00\x00\x00'; head -c 100 /dev/zero
    printf '\x00\xf1\x53\x65\x02\x00\x00\x00\x00\x00\x30\x00\x00\x00\x30\x00'; head -c 3145728 /dev/zero
} >"$TMP/dbus.pcap"
timeout 60 "$MSIWATCH" -s :memory: -r "$TMP/dbus.pcap" --read-ahead 1 --stats -o /dev/null 2>"$TMP/db1"
expect_eq "packets larger than the ring (2 and 3 MiB, ring of 1 MiB): exit 0" "$?" 0
expect_eq "... every packet and byte counted" \
    "$(grep '"msiwatch.stats"' "$TMP/db1" | jq -c '.msiwatch.stats | [.packets, .bytes, .drops.unknown_link]')" \
    "[3,5242980,3]"

# no memory for the ring (a 1 GiB ring under a 512 MB address-space
# limit): one warning line, then the file read in the parsing thread, with
# the same records (not under AddressSanitizer, which needs the address
# space for itself)
f=$PCAPS/lab/scenarios/http-msi.pcap
if nm "$MSIWATCH" 2>/dev/null | grep -q __asan_init; then
    skip "no memory for the ring: a warning, the same records" "AddressSanitizer build"
else
    run n0 -r "$f" --read-ahead 0
    (ulimit -v 524288 && run nm -r "$f" --read-ahead 1024)
    check "no memory for the ring: the same records and alerts" same n0 nm
    expect_eq "... and one warning line, naming the cause" "$(cat "$TMP/nm.e")" \
        "msiwatch: $f: no read-ahead (out of memory for a read-ahead buffer of 1024 MiB); reading in the parsing thread"
fi

# the stats: the reader's waits with a file; none for standard input
"$MSIWATCH" -s :memory: -r "$B/https-bulk.pcap" --read-ahead 4 --stats -o /dev/null 2>"$TMP/st4"
"$MSIWATCH" -s :memory: -r "$B/https-bulk.pcap" --stats -o /dev/null 2>"$TMP/std"
"$MSIWATCH" -s :memory: -r "$B/https-bulk.pcap" --read-ahead 0 --stats -o /dev/null 2>"$TMP/st0"
"$MSIWATCH" -s :memory: -r - --stats -o /dev/null <"$B/https-bulk.pcap" 2>"$TMP/sti"
stat_of() { grep '"msiwatch.stats"' "$1" | jq -c "$2"; }
expect_eq "--stats: read_ahead.worker_waits and reader_waits, numbers" \
    "$(stat_of "$TMP/st4" '.msiwatch.stats.read_ahead | [(.worker_waits | type), (.reader_waits | type)]')" \
    '["number","number"]'
expect_eq "--read-ahead 0: no read_ahead in the stats" "$(stat_of "$TMP/st0" '.msiwatch.stats.read_ahead')" null
expect_eq "no --read-ahead: no reader thread (the default is 0), no read_ahead in the stats" "$(stat_of "$TMP/std" '.msiwatch.stats.read_ahead')" null
expect_eq "standard input is read in the parsing thread: no read_ahead" "$(stat_of "$TMP/sti" '.msiwatch.stats.read_ahead')" null
sel='.msiwatch.stats | [.packets, .bytes, .flows.total, .tcp_reassembly.segments]'
expect_eq "... and the same packets, bytes, flows and segments all three ways" \
    "$(stat_of "$TMP/st4" "$sel") $(stat_of "$TMP/sti" "$sel")" "$(stat_of "$TMP/st0" "$sel") $(stat_of "$TMP/st0" "$sel")"

# bounds, and the configuration key
"$MSIWATCH" -r "$f" --read-ahead 1025 >/dev/null 2>"$TMP/e1"
expect_eq "--read-ahead 1025: refused (exit 2)" "$?" 2
check "... with a message naming the option" grep -q -- "read-ahead" "$TMP/e1"
"$MSIWATCH" -r "$f" --read-ahead x >/dev/null 2>/dev/null
expect_eq "--read-ahead x: refused (exit 2)" "$?" 2
printf 'read-ahead = 4\n' >"$TMP/c.conf"
"$MSIWATCH" -c "$TMP/c.conf" -s :memory: -r "$f" --stats -o /dev/null 2>"$TMP/stc"
expect_eq "read-ahead = 4 in the configuration file: a reader thread" "$(stat_of "$TMP/stc" '.msiwatch.stats.read_ahead | [(.worker_waits | type), (.reader_waits | type)]')" '["number","number"]'
"$MSIWATCH" -c "$TMP/c.conf" --read-ahead 0 -s :memory: -r "$f" --stats -o /dev/null 2>"$TMP/stc"
expect_eq "... and --read-ahead 0 on the command line overrides it: none" "$(stat_of "$TMP/stc" '.msiwatch.stats.read_ahead')" null

done_testing
