#!/bin/bash
# valgrind.sh -- a subset of the suite under valgrind's memcheck (issue 7:
# "with valgrind on a subset"): replays of real and lab captures with their
# events, the syslog parser on hostile lines, and the parser unit tests.
# Any invalid read or write, use of uninitialised memory or definite leak
# fails the point. Skipped when valgrind is not installed (.ci/run installs
# it) or the binaries are built with AddressSanitizer (the two do not mix).
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
    skip "memcheck" "valgrind is not installed"
    done_testing
    exit 0
fi
if nm "$MSIWATCH" 2>/dev/null | grep -q __asan_init; then
    skip "memcheck" "this build uses AddressSanitizer"
    done_testing
    exit 0
fi
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite)
UNIT=$(dirname "$MSIWATCH")/tests/unit
L=$PCAPS/lab

vg() { # vg NAME COMMAND...
    local name=$1
    shift
    if "${VG[@]}" "$@" >"$TMP/out" 2>"$TMP/vg"; then
        ok "memcheck: $name"
    else
        not_ok "memcheck: $name"
        diag "$(grep -v '^msiwatch:' "$TMP/vg" | head -30)"
    fi
}

vg "replay of zeek-wikipedia.pcap with records" "$MSIWATCH" -s :memory: -r "$PCAPS/zeek-wikipedia.pcap" --records /dev/null
vg "three lab recordings with their events, alerts and records" "$MSIWATCH" -s "$TMP/vg.db" \
    -r "$L/http-msi.pcap" -r "$L/webdav-msi.pcap" -r "$L/smb2-msi.pcap" \
    -e "$L/http-msi.events.jsonl" -e "$L/webdav-msi.events.jsonl" -e "$L/smb2-msi.events.jsonl" --records /dev/null
vg "SMB1, SMB3 and TLS lab recordings" "$MSIWATCH" -s :memory: -r "$L/smb1-msi.pcap" -r "$L/smb3-encrypted-msi.pcap" \
    -r "$L/https-msi.pcap" -r "$L/http-gzip-msi.pcap" --records /dev/null
vg "every event sample" "$MSIWATCH" -s :memory: --records /dev/null \
    $(find "$TESTS_DIR/data/events" -type f \( -name '*.json*' -o -name '*.xml' -o -name '*.txt' \) | sort | head -60 | sed 's/^/-e /')
for t in test_http test_smb test_tls test_syslog test_winevent test_msiexec test_rarity; do
    if [ -x "$UNIT/$t" ]; then
        vg "unit test $t" "$UNIT/$t"
    else
        not_ok "memcheck: unit test $t (not built)"
    fi
done
done_testing
