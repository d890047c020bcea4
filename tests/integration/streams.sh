#!/bin/bash
# streams.sh -- TCP reassembly on real captures, checked byte for byte
# against tshark's own reassembly: for every TCP stream of the captures in
# tests/expected/streams.tsv (made by scripts/tshark-streams.sh, tshark 4.0
# "follow,tcp,raw"), the SHA-256 and length of each direction must equal the
# digest msiwatch computes over what it reassembled (--flow-digests).
# Retransmissions, out-of-order segments, IPv6 atomic fragments, VLAN/QinQ,
# MPLS, SLL2 and NULL links are all in there. Also: zeek's reassembly.pcap,
# whose segments are cut by the snap length and partly never captured.
. "$(dirname "$0")/lib.sh"

EXP=$TESTS_DIR/expected/streams.tsv

# One line per stream direction pair, endpoints in a canonical order, so
# that tshark's "first sender" and msiwatch's "client" compare alike.
canon() {
    awk -F'\t' 'BEGIN { OFS = "\t" } {
        a = $2 " " $3; b = $4 " " $5
        if (a < b) print a, b, $6, $7, $8, $9; else print b, a, $8, $9, $6, $7 }' | sort
}

for file in $(cut -f1 "$EXP" | sort -u); do
    grep -P "^\Q$file\E\t" "$EXP" | canon >"$TMP/want"
    "$MSIWATCH" -r "$PCAPS/$file" --flow-digests --records - 2>"$TMP/err" |
        jq -r --arg f "$file" 'select(.event.dataset == "msiwatch.flow" and .network.transport == "tcp") | .msiwatch.flow.tcp as $t |
            [$f, .source.ip, .source.port, .destination.ip, .destination.port,
             $t.client_sha256, $t.client_bytes, $t.server_sha256, $t.server_bytes] | map(tostring) | @tsv' |
        canon >"$TMP/got"
    n=$(grep -c . "$TMP/want")
    if diff "$TMP/want" "$TMP/got" >"$TMP/diff"; then
        ok "$file: all $n TCP streams reassembled byte-identical to tshark"
    else
        not_ok "$file: all $n TCP streams reassembled byte-identical to tshark"
        diag "$(cat "$TMP/diff")"
    fi
done

# zeek-tcp-reassembly.pcap: the client sends 33208 bytes (sequence 1 to
# 33208); the capture holds 28832 of them, the rest was cut by the snap
# length or never captured. Derived from tshark's fields: the union of
# [tcp.seq, tcp.seq + captured payload) over the client's segments.
R=$("$MSIWATCH" -r "$PCAPS/zeek-tcp-reassembly.pcap" --flow-digests --records - --stats 2>"$TMP/st")
expect_eq "reassembly.pcap: captured client bytes all delivered, in order" \
    "$(printf '%s' "$R" | jq -c 'select(.event.dataset == "msiwatch.flow") | .msiwatch.flow.tcp | [.client_bytes, .server_bytes]')" "[28832,0]"
expect_eq "reassembly.pcap: every missing byte reported as a gap" \
    "$(jq -c '.msiwatch.stats.tcp_reassembly.gap_bytes' "$TMP/st")" 4376
expect_eq "reassembly.pcap: the snap-length cut segments are decoded, not dropped" \
    "$(jq -c '.msiwatch.stats | [.snaplen_truncated, .tcp, .drops.total]' "$TMP/st")" "[5,117,0]"

# Depth: only the first N bytes of each direction are reassembled.
D=$("$MSIWATCH" -r "$PCAPS/arkime-wireshark-retrans.pcap" --reasm-depth 1000 --records - --stats 2>"$TMP/st")
expect_eq "--reasm-depth stops each direction at the depth" \
    "$(printf '%s' "$D" | jq -c 'select(.event.dataset == "msiwatch.flow") | .msiwatch.flow.tcp | [.client_bytes, .server_bytes]')" "[1000,576]"
expect_eq "--reasm-depth is counted" "$(jq -c '.msiwatch.stats.tcp_reassembly.depth_bypass' "$TMP/st")" 1

done_testing
