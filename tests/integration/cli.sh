#!/bin/bash
# cli.sh -- the command line contract of DESIGN.md section 3: help, version,
# exit statuses with one clear line on standard error, options refused until
# implemented, broken inputs (missing file, not a capture, truncated capture,
# a record length past the end, an unknown link type), several files in
# order, standard input, the BPF filter, output failures, the progress line.
. "$(dirname "$0")/lib.sh"

W=$PCAPS/zeek-wikipedia.pcap

# run ARGS...: runs msiwatch, sets $rc, $out (stdout) and $err (stderr).
run() {
    "$MSIWATCH" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}
lines() { printf '%s' "$1" | grep -c '' || true; }

run --help
expect_eq "--help exits 0" "$rc" 0
missing=""
for o in --read --interface --filter --events --syslog --state --output --records --geoip \
         --allowlist --hostmap --config --stats --help --version; do
    grep -q -- "$o" "$TMP/out" || missing="$missing $o"
done
expect_eq "--help names every option of DESIGN.md section 3" "$missing" ""

run --version
expect_eq "--version prints the version" "$out" "msiwatch 0.1.0"

run
expect_eq "no source: exit 2" "$rc" 2
expect_eq "no source: one line naming the way out" "$err" "msiwatch: no input: give -r FILE, -i IFACE, -e FILE or --syslog URL (see --help)"

run -e "$TMP/no-such-events.jsonl"
expect_eq "-e with a missing file: exit 1, one line naming it" "$rc:$(lines "$err")" "1:1"
check "-e with a missing file: the line names the file" grep -q "no-such-events.jsonl: No such file" "$TMP/err"
for u in "udp://127.0.0.1" "tcp://localhost:514" "http://127.0.0.1:514" "udp://127.0.0.1:99999" "tls://127.0.0.1:6514"; do
    run --syslog "$u"
    expect_eq "--syslog $u: bad usage, exit 2 with one line" "$rc:$(lines "$err")" "2:1"
done
run --syslog-allow 10.0.0.0/33 -e /dev/null
expect_eq "--syslog-allow with a bad network: exit 2" "$rc:$err" \
    "2:msiwatch: bad value for --syslog-allow: \"10.0.0.0/33\" (expected a network such as 10.0.0.0/8 or 2001:db8::/32, or an address)"
run --event-utc-offset 25:00 -e /dev/null
expect_eq "--event-utc-offset out of range: exit 2" "$rc" 2
run -e - -r - </dev/null
expect_eq "standard input cannot be both -e and -r" "$rc:$err" "2:msiwatch: standard input ('-') can be read only once, by one -r or one -e"

run -r "$W" --allowlist "$TMP/no-such-allowlist"
expect_eq "--allowlist with a missing file: exit 2, one line" "$rc:$(lines "$err")" "2:1"
printf 'domain ok.example\nbogus line here\n' >"$TMP/bad-allow"
run -r "$W" --allowlist "$TMP/bad-allow"
expect_eq "--allowlist with a bad line: exit 2 naming the line" "$rc:$err" \
    "2:msiwatch: $TMP/bad-allow:2: expected \"domain|host|share|url|client VALUE\""
printf '10.0.0.1 ws01\nnot-an-address ws02\n' >"$TMP/bad-hostmap"
run -r "$W" --hostmap "$TMP/bad-hostmap"
expect_eq "--hostmap with a bad line: exit 2 naming the line" "$rc:$err" \
    "2:msiwatch: $TMP/bad-hostmap:2: expected \"ADDRESS NAME\""
run -r "$W" -s "$TMP/no-such-dir/state.db"
expect_eq "-s in a missing directory: exit 1, one line" "$rc:$(lines "$err")" "1:1"

run -e /dev/null -G "$TMP/no-such.mmdb"
expect_eq "-G with a missing database: exit 2, one line naming it" "$rc:$err" \
    "2:msiwatch: $TMP/no-such.mmdb: cannot open: No such file or directory"
run -e /dev/null -G "$TESTS_DIR/data/mmdb/README.md"
expect_eq "-G with a file that is not a database: exit 2" "$rc" 2

# -c: the configuration file (keys are the long options; the command line wins)
run -c "$TESTS_DIR/../etc/msiwatch.conf" -e /dev/null -s :memory:
expect_eq "the sample etc/msiwatch.conf is valid, key by key" "$rc:$err" "0:"
printf '# a test\n[msiwatch]\nread = %s\nstats = yes\nmax-flows = 7\nobserver-name = from-file\n' "$W" >"$TMP/t.conf"
run -c "$TMP/t.conf" -s :memory: --records -
expect_eq "-c: sources, flags and bounds from the file" \
    "$rc:$(printf '%s\n' "$out" | jq -r .observer.name | sort -u):$(printf '%s\n' "$err" | grep -c '"msiwatch.stats"')" \
    "0:from-file:1"
expect_eq "-c: the max-flows bound of the file applies (flows evicted)" \
    "$(printf '%s\n' "$err" | jq '.msiwatch.stats.flows.evicted > 0')" "true"
run --config="$TMP/t.conf" -s :memory: --records - --observer-name from-cli
expect_eq "-c: the command line wins over the file" "$(printf '%s\n' "$out" | jq -r .observer.name | sort -u)" "from-cli"
printf 'read = %s\n\nmax-flowz = 3\n' "$W" >"$TMP/bad.conf"
run -c "$TMP/bad.conf"
expect_eq "-c: an unknown key names the file, line and key (exit 2)" "$rc:$err" \
    "2:msiwatch: $TMP/bad.conf:3: unknown key \"max-flowz\" (the keys are the long options, see --help)"
printf 'max-flows = lots\n' >"$TMP/bad.conf"
run -c "$TMP/bad.conf" -r "$W"
expect_eq "-c: a bad value names the file, line and key (exit 2)" "$rc:$err" \
    "2:msiwatch: $TMP/bad.conf:1: max-flows: bad value for --max-flows: \"lots\" (a whole number from 1 to 100000000)"
printf 'config = /etc/other.conf\n' >"$TMP/bad.conf"
run -c "$TMP/bad.conf" -r "$W"
expect_eq "-c: a file cannot name another" "$rc:$err" \
    "2:msiwatch: $TMP/bad.conf:1: config: a configuration file cannot name another"
printf '[network]\nmax-flows = 3\n' >"$TMP/bad.conf"
run -c "$TMP/bad.conf" -r "$W"
expect_eq "-c: an unknown section is refused" "$rc" 2
run -c "$TMP/no-such.conf" -r "$W"
expect_eq "-c with a missing file: exit 2 naming it" "$rc:$err" "2:msiwatch: $TMP/no-such.conf: No such file or directory"

run -r "$W" --bogus
expect_eq "unknown option: exit 2" "$rc:$err" "2:msiwatch: unknown option --bogus (see --help)"
run -r "$W" --max-flows 0
expect_eq "bad number: exit 2 and the accepted range" "$rc:$err" \
    "2:msiwatch: bad value for --max-flows: \"0\" (a whole number from 1 to 100000000)"
run -r "$W" --max-flows 12x
expect_eq "number with trailing junk: exit 2" "$rc" 2
run -r "$W" -r
expect_eq "option without its value: exit 2" "$rc:$err" "2:msiwatch: option -r needs a value (see --help)"
run -r "$W" -i lo
expect_eq "-r with -i: exit 2" "$rc" 2
run -r "$W" stray
expect_eq "stray argument: exit 2" "$rc" 2
run -r - -r -
expect_eq "standard input twice: exit 2" "$rc" 2
run -r "$W" -f "tcp and and"
expect_eq "bad BPF filter: exit 2, one line" "$rc:$(lines "$err")" "2:1"

run -r "$TMP/nonexistent.pcap"
expect_eq "missing file: exit 1, one line naming it" "$rc:$err" \
    "1:msiwatch: $TMP/nonexistent.pcap: No such file or directory"
run -r "$W" -r "$TMP/nonexistent.pcap"
expect_eq "a missing second file is found before anything is read" "$rc:$out" "1:"

run -r "$PCAPS/not-a-capture.pcap"
expect_eq "not a capture: exit 1, one line" "$rc:$err" \
    "1:msiwatch: $PCAPS/not-a-capture.pcap: not a pcap or pcapng capture file"

run -r "$PCAPS/gen-truncated.pcap" --records - --stats
first=$(printf '%s\n' "$err" | grep -v '"msiwatch.stats"')
expect_eq "truncated capture: exit 1" "$rc" 1
check "truncated capture: one line saying so" \
    test "$(lines "$first")" = 1 -a -n "$(printf '%s' "$first" | grep 'truncated capture')"
# The 9 whole records before the cut are still processed and their flows written.
expect_eq "truncated capture: the packets before the cut count" \
    "$(printf '%s\n' "$err" | grep '"msiwatch.stats"' | jq .msiwatch.stats.packets)" 9
check "truncated capture: flows of those packets are written" test "$(lines "$out")" -gt 0

run -r "$PCAPS/gen-badlen.pcap" --stats
expect_eq "record length past the end: exit 1" "$rc" 1
expect_eq "record length past the end: records before it count" \
    "$(printf '%s\n' "$err" | grep '"msiwatch.stats"' | jq .msiwatch.stats.packets)" 4

run -r "$PCAPS/gen-user0.pcap" --stats
expect_eq "unknown link type: exit 0" "$rc" 0
expect_eq "unknown link type: one warning line" "$(printf '%s\n' "$err" | grep -c 'is not decoded')" 1
expect_eq "unknown link type: every packet counted as unknown_link" \
    "$(printf '%s\n' "$err" | grep '"msiwatch.stats"' | jq '.msiwatch.stats | [.packets, .drops.unknown_link]' -c)" "[10,10]"

stats() { "$MSIWATCH" "$@" --stats 2>&1 >/dev/null | jq -c "$STATSQ"; }
STATSQ='.msiwatch.stats | [.packets, .bytes, .tcp, .udp, .flows.total]'
one=$(stats -r "$W")
expect_eq "wikipedia.pcap: packets, bytes, tcp, udp, flows" "$one" "[136,25260,78,48,34]"
expect_eq "standard input gives the same counts as the file" "$("$MSIWATCH" -r - --stats < "$W" 2>&1 >/dev/null | jq -c "$STATSQ")" "$one"
# arkime-dns-udp.pcap: 5 frames, 752 bytes, 5 UDP, 3 UDP conversations (tshark -z conv,udp)
two=$(stats -r "$W" -r "$PCAPS/arkime-dns-udp.pcap")
expect_eq "two files in one run add up" "$two" "[141,26012,78,53,37]"
# tshark -r zeek-wikipedia.pcap -Y udp -T fields -e frame.cap_len: 48 frames, 5581 bytes
expect_eq "-f udp keeps the UDP frames only" "$(stats -r "$W" -f udp)" "[48,5581,0,48,24]"

run -r "$W" --records /dev/full
expect_eq "records to a full disk: exit 1" "$rc" 1
check "records to a full disk: says it could not write" grep -q "cannot write /dev/full" "$TMP/err"
run -r "$W" -o "$TMP/no/such/dir/alerts.json"
expect_eq "alert file in a missing folder: exit 1" "$rc" 1

if command -v script >/dev/null; then
    script -qec "$MSIWATCH -r $W" /dev/null >"$TMP/tty" 2>&1
    check "progress line on a terminal: bytes, packets and percent" grep -q "136 packets, 100%" "$TMP/tty"
else
    skip "progress line on a terminal" "script(1) is not installed"
fi
"$MSIWATCH" -r "$W" 2>"$TMP/notty" >/dev/null
expect_eq "no progress line when standard error is not a terminal" "$(cat "$TMP/notty")" ""

# --user: root is left once everything is open; the state file goes to the user
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    "$MSIWATCH" --user nobody --syslog tcp://127.0.0.1:0 -s "$TMP/u.db" 2>"$TMP/u.err" &
    upid=$!
    for _ in $(seq 50); do grep -q port "$TMP/u.err" && break; sleep 0.05; done
    expect_eq "--user nobody: the process runs as nobody" \
        "$(awk '/^Uid:/ { print $2 } /^Gid:/ { print $2 }' /proc/$upid/status | tr '\n' ' ')" \
        "$(id -u nobody) $(id -g nobody) "
    expect_eq "--user nobody: the state file and its WAL belong to it" \
        "$(stat -c %U "$TMP/u.db" "$TMP/u.db-wal" | sort -u)" "nobody"
    kill "$upid"; wait "$upid"
    expect_eq "--user nobody: stops cleanly on SIGTERM" "$?" 0
    # -r files are opened after the switch: the capture must be readable by
    # nobody (the source tree may sit in a private directory)
    chmod 755 "$TMP"
    cp "$W" "$TMP/w.pcap" && chmod 644 "$TMP/w.pcap"
    run --user nobody -s :memory: -r "$TMP/w.pcap" --records "$TMP/u-rec.json"
    expect_eq "--user nobody: a replay still writes its records (opened before the switch)" \
        "$rc:$(grep -c '"msiwatch.flow"' "$TMP/u-rec.json")" "0:34"
    run --user no-such-user-here -r "$W"
    expect_eq "--user with an unknown user: exit 1, one line" "$rc:$err" \
        "1:msiwatch: --user no-such-user-here: no such user"
else
    skip "--user" "needs root and a user nobody"
fi

# alerts, records and the state file are not for every local user: 0640
# under the usual umask 022, and a stricter umask stays
mkdir -p "$TMP/modes"
(umask 022 && "$MSIWATCH" -s "$TMP/modes/st.db" -r "$PCAPS/lab/scenarios/network-only.pcap" \
    -o "$TMP/modes/alerts.json" --records "$TMP/modes/records.json" 2>/dev/null)
expect_eq "umask 022: alerts, records and state file created 0640, and the alert written" \
    "$(stat -c '%a' "$TMP/modes/alerts.json" "$TMP/modes/records.json" "$TMP/modes/st.db" | tr '\n' ' ')$(grep -c AN0445 "$TMP/modes/alerts.json")" \
    "640 640 640 1"
(umask 077 && "$MSIWATCH" -s :memory: -r "$PCAPS/lab/scenarios/network-only.pcap" -o "$TMP/modes/strict.json")
expect_eq "umask 077 stays: 0600" "$(stat -c '%a' "$TMP/modes/strict.json")" 600

done_testing
