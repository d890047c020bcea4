#!/bin/bash
# peers.sh -- the network records against other tools' recorded output
# (issue 3): for every capture of ../shared/pcaps whose peer (suricata-verify
# test.yaml, Zeek Baseline logs, nDPI .out, Arkime .test) asserts SMB share
# or file names, TLS SNIs, HTTP hosts/paths or User-Agents, every value the
# peer asserts is among the values msiwatch's records carry
# (tests/expected/peers/<key>.tsv, made by scripts/peer-expected.py, whose
# header says which peer file and fields each came from).  Peer sets are
# often partial (a test.yaml checks a few fields, nDPI keeps the first
# request of a flow), so the check is "peer lines are a subset of msiwatch's";
# for the kinds a peer lists completely (Zeek, Arkime: "# complete:" in the
# header), msiwatch-only lines are reported as diagnostics.  Where the peer
# and msiwatch deliberately differ, tests/expected/peers-exceptions.tsv says
# so line by line (key, kind, value, reason).  One test point per capture.
. "$(dirname "$0")/lib.sh"

EXP=$TESTS_DIR/expected/peers
EXC=$TESTS_DIR/expected/peers-exceptions.tsv
SHARED=${SHARED_PCAPS:-$TESTS_DIR/../../shared/pcaps}

# The same fields as records.sh, in the kinds of scripts/peer-expected.py.
extract() {
    "$MSIWATCH" -r "$1" --records - 2>/dev/null | jq -r '
      if .event.dataset == "msiwatch.http" and .http.request.method then
          "url-host-path\t\(.url.domain // "")\t\(.url.path // "")",
          "url-host\t\(.url.domain // "")",
          "url-path\t\(.url.path // "")",
          (if .user_agent.original then "user-agent\t\(.user_agent.original)" else empty end)
      elif .event.dataset == "msiwatch.tls" and .tls.client.server_name then
          "sni\t\(.tls.client.server_name)"
      elif .event.dataset == "msiwatch.smb" then
          (if (.msiwatch.smb.tree // "") != "" then "share\t\(.msiwatch.smb.tree)" else empty end),
          (if .msiwatch.smb.command == "create" and (.msiwatch.smb.name // "") != "" then
              "file\t\(.msiwatch.smb.name)" else empty end)
      else empty end' | LC_ALL=C sort -u
}

# peer_lines KEY FILE: the peer's lines less the exceptions listed for KEY
# (the value is every column between the kind and the reason).
peer_lines() {
    local key=$1 file=$2
    awk -F'\t' -v k="$key" '$1 == k && NF >= 4 {
            s = $2; for (i = 3; i < NF; i++) s = s "\t" $i; print s }' "$EXC" >"$TMP/exc"
    grep -v '^#' "$file" | grep . | grep -vxF -f "$TMP/exc" | LC_ALL=C sort -u
    # stale exceptions (the peer no longer asserts the line) are reported
    grep -v '^#' "$file" | grep -xF -f "$TMP/exc" | LC_ALL=C sort -u >"$TMP/exc-used"
}

# missing WANT GOT: the WANT lines GOT does not have; a url-host-path-prefix
# line is there when GOT has a url-host-path with that host and a path
# starting with that prefix.
missing() {
    awk -F'\t' '
        FNR == NR { got[$0] = 1; if ($1 == "url-host-path") hp[++n] = $2 "\t" $3; next }
        $1 == "url-host-path-prefix" {
            for (i = 1; i <= n; i++) {
                split(hp[i], a, "\t")
                if (a[1] == $2 && index(a[2], $3) == 1) next
            }
            print; next
        }
        !($0 in got) { print }' "$2" "$1"
}

count_kinds() { cut -f1 "$1" | LC_ALL=C sort | uniq -c | awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }'; }

if [ ! -d "$SHARED" ]; then
    skip "peer-recorded output over ../shared/pcaps" "../shared/pcaps is not there"
    done_testing
fi

n=0
for exp in "$EXP"/*.tsv; do
    [ -f "$exp" ] || continue
    n=$((n + 1))
    key=$(basename "$exp" .tsv)
    cap=$(sed -n 's/^# capture: //p' "$exp")
    if [ ! -f "$SHARED/$cap" ]; then
        skip "$key" "$cap is not in $SHARED"
        continue
    fi
    extract "$SHARED/$cap" >"$TMP/got"
    peer_lines "$key" "$exp" >"$TMP/want"
    missing "$TMP/want" "$TMP/got" >"$TMP/miss"
    nexc=$(grep -c . "$TMP/exc-used")
    desc="$key: $(grep -c . "$TMP/want") peer lines ($(count_kinds "$TMP/want")) in msiwatch's records"
    [ "$nexc" -gt 0 ] && desc="$desc, $nexc excepted"
    if [ ! -s "$TMP/miss" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        diag "peer lines msiwatch does not have ($(grep -c . "$TMP/miss")):" "$(head -40 "$TMP/miss")"
    fi
    if [ "$(grep -c . "$TMP/exc")" -ne "$nexc" ]; then
        diag "stale exceptions (the peer file has no such line):" "$(grep -vxF -f "$TMP/exc-used" "$TMP/exc")"
    fi
    complete=$(sed -n 's/^# complete: //p' "$exp")
    if [ -n "$complete" ] && [ "$complete" != "-" ]; then
        for kind in $complete; do
            grep "^$kind	" "$TMP/got"
        done | LC_ALL=C sort -u | LC_ALL=C comm -23 - <(grep -v '^#' "$exp" | LC_ALL=C sort -u) >"$TMP/extra"
        if [ -s "$TMP/extra" ]; then
            diag "msiwatch-only in kinds the peer lists completely ($complete):" "$(head -20 "$TMP/extra")"
        fi
    fi
done
[ "$n" -gt 0 ] || not_ok "no peer expectations in $EXP (run scripts/peer-expected.py)"

done_testing
