#!/bin/bash
# records.sh -- the network records against tshark: for every capture in
# pcaps/, every lab recording in pcaps/lab/ and, when ../shared/pcaps is
# there, every capture in it, the sets of
# HTTP (host, path) pairs, User-Agents, TLS SNIs, SMB tree paths, SMB file
# names and DNS question names in msiwatch's records equal the sets tshark
# 4.0 extracts (tests/expected/records/, made by
# scripts/make-expected-records.sh). Where tshark is wrong, or msiwatch
# deliberately differs, tests/expected/records-exceptions.tsv says so line
# by line with the reason. One test point per capture.
. "$(dirname "$0")/lib.sh"

EXP=$TESTS_DIR/expected/records
EXC=$TESTS_DIR/expected/records-exceptions.tsv
SHARED=${SHARED_PCAPS:-$TESTS_DIR/../../shared/pcaps}

extract() {
    "$MSIWATCH" -r "$1" --records - 2>/dev/null | jq -r '
      if .event.dataset == "msiwatch.http" and .http.request.method then
          "http-host-path\t\(.url.domain // "")\t\(.url.path // "")",
          (if .user_agent.original then "http-ua\t\(.user_agent.original)" else empty end)
      elif .event.dataset == "msiwatch.tls" and .tls.client.server_name then
          "tls-sni\t\(.tls.client.server_name)"
      elif .event.dataset == "msiwatch.smb" and .msiwatch.smb.command == "tree_connect" then
          "smb-tree\t\(.msiwatch.smb.tree)"
      elif .event.dataset == "msiwatch.smb" and .msiwatch.smb.command == "create" and (.msiwatch.smb.name // "") != "" then
          "smb-file\t\(.msiwatch.smb.name)"
      elif .event.dataset == "msiwatch.dns" and (.dns.question.name // "") != "" and
           (.source.port == 53 or .destination.port == 53) then
          "dns-qname\t\(.dns.question.name)"
      else empty end' | LC_ALL=C sort -u
}

# apply_exceptions KEY FILE: drop tshark lines listed as "tshark-only", add
# lines listed as "msiwatch-only" (each with its reason in the file).
apply_exceptions() {
    local key=$1 want=$2
    awk -F'\t' -v k="$key" '$1 == k && $2 == "tshark-only" { print $3 "\t" $4 (NF > 5 ? "\t" $5 : "") }' "$EXC" |
        sed 's/\t$//' >"$TMP/drop"
    awk -F'\t' -v k="$key" '$1 == k && $2 == "msiwatch-only" { print $3 "\t" $4 (NF > 5 ? "\t" $5 : "") }' "$EXC" |
        sed 's/\t$//' >"$TMP/add"
    { grep -vxF -f "$TMP/drop" "$want" 2>/dev/null || true; cat "$TMP/add"; } | LC_ALL=C sort -u
}

compare() { # compare KEY CAPTURE
    local key=$1 cap=$2
    if [ ! -f "$EXP/$key.tsv" ]; then
        not_ok "$key: no expected file (run scripts/make-expected-records.sh)"
        return
    fi
    extract "$cap" >"$TMP/got"
    apply_exceptions "$key" "$EXP/$key.tsv" >"$TMP/want"
    if diff "$TMP/want" "$TMP/got" >"$TMP/diff"; then
        ok "$key: $(grep -c . "$TMP/want") records' fields equal tshark's"
    else
        not_ok "$key: records' fields equal tshark's"
        diag "< tshark only, > msiwatch only:" "$(grep '^[<>]' "$TMP/diff" | head -40)"
    fi
}

for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
    b=$(basename "$f")
    case "$b" in gen-truncated*|gen-badlen*|gen-user0*|not-a-capture*) continue;; esac
    compare "$b" "$f"
done

for f in "$PCAPS"/lab/*.pcap; do
    compare "lab--$(basename "$f")" "$f"
done

# No record carries an empty object ("tls":{}) or string: a field is there
# with a value or not at all. Over every capture in pcaps/ and pcaps/lab/,
# and each lab capture seen one way only, as on an asymmetric SPAN port (a
# response without its request, a request without its response).
: >"$TMP/empty"
empty_fields() { # empty_fields LABEL MSIWATCH-ARGS...
    local label=$1
    shift
    "$MSIWATCH" "$@" --records - -o /dev/null 2>/dev/null |
        jq -r --arg f "$label" \
            '. as $r | paths(. == {} or . == "") | "\($f) \($r.event.dataset) \(map(tostring) | join("."))"' >>"$TMP/empty"
}
for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng "$PCAPS"/lab/*.pcap; do
    empty_fields "$(basename "$f")" -r "$f"
done
from_servers="src port 80 or src port 443 or src port 445 or src port 139 or src port 53"
to_servers="dst port 80 or dst port 443 or dst port 445 or dst port 139 or dst port 53"
for f in "$PCAPS"/lab/*.pcap; do
    empty_fields "$(basename "$f") (servers to clients)" -r "$f" -f "$from_servers"
    empty_fields "$(basename "$f") (clients to servers)" -r "$f" -f "$to_servers"
done
n=$(sort -u "$TMP/empty" | grep -c .)
if [ "$n" -eq 0 ]; then
    ok "no record in any capture has an empty object or string"
else
    not_ok "no record in any capture has an empty object or string"
    diag "capture, dataset, path:" "$(sort -u "$TMP/empty" | head -20)"
fi

if [ -d "$SHARED" ]; then
    while read -r rel; do
        compare "shared--${rel//\//--}" "$SHARED/$rel"
    done < <(cd "$SHARED" && find . -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sed 's|^\./||' | LC_ALL=C sort)
else
    skip "the conformance run over ../shared/pcaps" "../shared/pcaps is not there"
fi

done_testing
