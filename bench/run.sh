#!/bin/bash
# run.sh -- issue 6's benchmark, run by `make bench` (never by make check):
# builds the benchmark captures with bench/make-capture, then, with each file
# in the page cache, runs side by side a bare pcap_next_ex loop, msiwatch
# with alerts only, msiwatch with --records, ndpiReader -q and Suricata 7
# (no rules, EVE http/tls/smb/dns/fileinfo), and prints MB/s, packets/s, CPU
# seconds, peak RSS and the ratio to the bare loop; then msiwatch's record
# counts against Suricata's EVE counts on the same file. bench/README.md
# explains every number.
#
# Usage: bench/run.sh [mix] [mix-small] [concurrent]    (default: all three)
#   mix         about 1 GiB, tens of thousands of flows: mostly TLS bulk, then
#               HTTP downloads with bodies, SMB file reads, DNS (issue 6), made
#               of pcaps/lab/bulk/ and the recordings below
#   mix-small   about 1 GiB of the small recorded conversations only (about
#               200,000 flows, two thirds DNS): per-flow cost (what `mix` was
#               until 2026-11-29)
#   concurrent  one million TCP flows open at once
# Environment (all optional):
#   BENCH_DIR     where captures and outputs go (default /var/tmp/msiwatch-bench)
#   BENCH_MIB     size of the mix and mix-small captures in MiB (default 1024)
#   BENCH_FLOWS   flows of the concurrent capture (default 1000000)
#   BENCH_CLIENTS client addresses the copies share (make-capture -c; default:
#                 one per copy)
#   BENCH_REPEAT  rounds, each running every tool once in turn; each tool's
#                 run with the median wall time is shown (default 3)
#   BENCH_TOOLS   tools to run (default "bareloop bareloop-256k msiwatch msiwatch-readahead
#                 msiwatch-records ndpiReader suricata")
#   BENCH_NO_INSTALL=1  install nothing; a missing tool is skipped
#   MSIWATCH, BENCH_BIN, PCAPS  the binary, the folder of make-capture and bareloop,
#                 the bundled captures (make bench sets them)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
MSIWATCH=${MSIWATCH:-$SRC/msiwatch}
BENCH_BIN=${BENCH_BIN:-$SRC/bench}
PCAPS=${PCAPS:-$SRC/pcaps}
OUT=${BENCH_DIR:-/var/tmp/msiwatch-bench}
MIB=${BENCH_MIB:-1024}
FLOWS=${BENCH_FLOWS:-1000000}
REPEAT=${BENCH_REPEAT:-3}
TOOLS=${BENCH_TOOLS:-bareloop bareloop-256k msiwatch msiwatch-readahead msiwatch-records ndpiReader suricata}
SURICATA_YAML=$SRC/bench/suricata.yaml
TIME=/usr/bin/time

CAPTURES=("$@")
[ ${#CAPTURES[@]} -gt 0 ] || CAPTURES=(mix mix-small concurrent)

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }

# ---- what the harness needs --------------------------------------------
# time (peak RSS), jq (counts), libndpi-bin (ndpiReader), and Suricata 7 from
# Debian's bookworm-backports: its source is added when no suricata 7 is
# installable from the configured ones.
install_deps() {
    local pkgs=""
    [ -x $TIME ] || pkgs="$pkgs time"
    command -v jq >/dev/null || pkgs="$pkgs jq"
    command -v ndpiReader >/dev/null || pkgs="$pkgs libndpi-bin"
    local want_suri=0
    if ! command -v suricata >/dev/null || ! suricata -V 2>/dev/null | grep -q 'version 7\.'; then
        want_suri=1
    fi
    [ -n "$pkgs" ] || [ $want_suri = 1 ] || return 0
    if [ "${BENCH_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        say "run.sh: not installing (not root, no apt-get, or BENCH_NO_INSTALL=1):$pkgs$([ $want_suri = 1 ] && echo ' suricata(7)')"
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [ -n "$pkgs" ]; then
        say "run.sh: apt-get install$pkgs"
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    fi
    if [ $want_suri = 1 ]; then
        if ! apt-cache policy suricata 2>/dev/null | grep -q 'Candidate: 1:7\.'; then
            say "run.sh: adding bookworm-backports (/etc/apt/sources.list.d/msiwatch-bench-backports.sources)"
            cat >/etc/apt/sources.list.d/msiwatch-bench-backports.sources <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
            apt-get update -qq
        fi
        local v
        v=$(apt-cache policy suricata | sed -n 's/^ *\(1:7\.[^ ]*\) .*/\1/p' | head -1)
        [ -n "$v" ] || die "no Suricata 7 in the apt sources"
        say "run.sh: apt-get install suricata=$v"
        # The backports' suricata needs the backports' libhtp2, which apt's
        # default pins do not pick: retry with the backports as target release.
        apt-get install -y -qq --no-install-recommends "suricata=$v" >/dev/null 2>&1 ||
            apt-get install -y -qq --no-install-recommends -t bookworm-backports "suricata=$v" >/dev/null
    fi
}

have_tool() {
    case $1 in
    bareloop | bareloop-256k) [ -x "$BENCH_BIN/bareloop" ] ;;
    msiwatch | msiwatch-readahead | msiwatch-records) [ -x "$MSIWATCH" ] ;;
    ndpiReader) command -v ndpiReader >/dev/null ;;
    suricata) command -v suricata >/dev/null && suricata -V 2>/dev/null | grep -q 'version 7\.' ;;
    *) return 1 ;;
    esac
}

# ---- the captures --------------------------------------------------------
# Inputs: the lab recordings and the real captures that hold whole TLS,
# HTTP, SMB or DNS conversations (make-capture -v says what it keeps), and
# for mix the lab's bulk transfers (HTTPS 2 MiB, HTTP 1 MiB, SMB2 1 MiB).
INPUTS=("$PCAPS"/lab/*.pcap "$PCAPS"/lab/scenarios/*.pcap "$PCAPS"/arkime-tls-split-client-hello.pcap
    "$PCAPS"/zeek-wikipedia.pcap "$PCAPS"/arkime-dns-tcp.pcap "$PCAPS"/arkime-dns-udp.pcap)
BULK=("$PCAPS"/lab/bulk/*.pcap)
# mix's byte shares TLS,HTTP,SMB,DNS: a kind's recorded conversations are taken
# in turn, so the one bulk transfer of each kind carries most of its bytes
# (TLS 98%, HTTP 86%, SMB 93%); 1% of DNS is about 27,000 lookups
MIX_SHARES=60,25,14,1

make_capture() { # NAME: writes $OUT/NAME.pcap
    local f=$OUT/$1.pcap c=()
    [ -n "${BENCH_CLIENTS:-}" ] && c=(-c "$BENCH_CLIENTS")
    case $1 in
    mix) "$BENCH_BIN/make-capture" "${c[@]}" -o "$f" -s "$MIB" -w "$MIX_SHARES" "${INPUTS[@]}" "${BULK[@]}" \
        2>"$OUT/$1.make.txt" ;;
    mix-small) "$BENCH_BIN/make-capture" "${c[@]}" -o "$f" -s "$MIB" "${INPUTS[@]}" 2>"$OUT/$1.make.txt" ;;
    concurrent) "$BENCH_BIN/make-capture" "${c[@]}" -o "$f" -n "$FLOWS" "${INPUTS[@]}" 2>"$OUT/$1.make.txt" ;;
    *) die "unknown capture $1 (mix, mix-small or concurrent)" ;;
    esac
    sed 's/^make-capture: /  /' "$OUT/$1.make.txt" >&2
}

# ---- one timed run -------------------------------------------------------
# cmd_for TOOL FILE CAPTURE: sets CMD to the command line of TOOL on FILE
cmd_for() {
    local mf=()
    [ "$3" = concurrent ] && mf=(--max-flows $((FLOWS + FLOWS / 10)))
    case $1 in
    bareloop) CMD=("$BENCH_BIN/bareloop" "$2") ;;
    # the same loop reading through a 256 KiB stdio buffer, as msiwatch does
    bareloop-256k) CMD=("$BENCH_BIN/bareloop" -b 262144 "$2") ;;
    msiwatch) CMD=("$MSIWATCH" -s :memory: -r "$2" -o /dev/null --stats "${mf[@]}") ;;
    # the same with a reader thread reading the file ahead into a 4 MiB ring
    msiwatch-readahead) CMD=("$MSIWATCH" -s :memory: -r "$2" -o /dev/null --stats --read-ahead 4 "${mf[@]}") ;;
    msiwatch-records) CMD=("$MSIWATCH" -s :memory: -r "$2" -o /dev/null --records /dev/null --stats "${mf[@]}") ;;
    ndpiReader) CMD=(ndpiReader -q -i "$2") ;;
    suricata)
        CMD=(suricata --runmode single -k none -c "$SURICATA_YAML" -S /dev/null -l "$OUT/suricata")
        # a million flows at once need more than the default memcaps (32 MB of
        # flows, 256 MB of reassembly, 16 MB of DNS state lose records)
        [ "$3" = concurrent ] && CMD+=(--set flow.memcap=4gb --set stream.memcap=4gb
            --set stream.reassembly.memcap=4gb --set app-layer.protocols.dns.global-memcap=4gb)
        [ "${4:-}" = eve ] || CMD+=(--set outputs.0.eve-log.filename=/dev/null)
        CMD+=(-r "$2")
        ;;
    esac
}

warm() { cat "$1" >/dev/null; } # the file in the page cache

# run_once TOOL FILE CAPTURE: one timed run; prints "wall_ns user sys maxrss_kb"
# (wall time from the clock in nanoseconds, the rest from time(1))
run_once() {
    local t0 t1
    cmd_for "$1" "$2" "$3"
    mkdir -p "$OUT/suricata"
    warm "$2"
    t0=$(date +%s%N)
    if ! $TIME -f '%U %S %M' -o "$OUT/time.txt" "${CMD[@]}" >"$OUT/$1.out" 2>"$OUT/$1.err"; then
        say "run.sh: $1 failed: ${CMD[*]}"
        tail -5 "$OUT/$1.err" >&2
        return 1
    fi
    t1=$(date +%s%N)
    echo "$((t1 - t0)) $(tail -1 "$OUT/time.txt")"
}

# cpu_check: the same fixed loop timed on each CPU. On a quiet machine the
# times are equal; on a virtual machine whose CPUs share their host's cores
# with others they need not be (seen here: one CPU 1.4 to 2.6 times slower
# than the other for minutes), and then a tool's time depends on where the
# scheduler puts it: the rounds below spread every tool over the same spells.
cpu_check() { # prints "cpu0 T s, cpu1 T s, ..."
    command -v taskset >/dev/null || return 0
    local c t0 t1 out=""
    for ((c = 0; c < $(nproc); c++)); do
        t0=$(date +%s%N)
        taskset -c "$c" awk 'BEGIN { for (i = 0; i < 10000000; i++) s += i }' 2>/dev/null || continue
        t1=$(date +%s%N)
        out="$out, cpu$c $(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.2f", n / 1e9 }') s"
    done
    echo "${out#, }"
}

# ---- counts ----------------------------------------------------------------
# shellcheck disable=SC2016  # jq variables, not shell ones
MW_COUNT='reduce inputs as $r ({};
  ($r.event.dataset) as $d |
  if $d == "msiwatch.http" then .http += 1
    | (if $r.msiwatch.http.body == "complete" then .http_whole += 1 else . end)
    | (if $r.file.hash.sha256 then .http_hashed += 1 else . end)
  elif $d == "msiwatch.tls" then (if $r.tls.client.server_name then .tls_sni += 1 else . end)
  elif $d == "msiwatch.smb" then
    (if $r.msiwatch.smb.command == "tree_connect" then .smb_tree += 1
     elif $r.msiwatch.smb.command == "create" then .smb_create += 1
       | (if ($r.msiwatch.smb.read_bytes // 0) > 0 then .smb_read += 1 else . end)
     else . end)
  elif $d == "msiwatch.dns" then (if $r.dns.type == "query" then .dns_query += 1 else .dns_answer += 1 end)
  elif $d == "msiwatch.flow" then .flows += 1
  else . end)'
# shellcheck disable=SC2016
SU_COUNT='reduce inputs as $e ({};
  if $e.event_type == "http" then .http += 1
  elif $e.event_type == "tls" then (if $e.tls.sni then .tls_sni += 1 else . end)
  elif $e.event_type == "smb" then
    ($e.smb.command) as $c |
    (if $c == "SMB2_COMMAND_TREE_CONNECT" or $c == "SMB1_COMMAND_TREE_CONNECT_ANDX" then .smb_tree += 1
     elif $c == "SMB2_COMMAND_CREATE" or $c == "SMB1_COMMAND_NT_CREATE_ANDX" then .smb_create += 1
     else . end)
  elif $e.event_type == "dns" then (if $e.dns.type == "query" then .dns_query += 1 else .dns_answer += 1 end)
  elif $e.event_type == "fileinfo" then
    (if $e.app_proto == "http" and $e.fileinfo.sha256 then .http_whole += 1
     elif $e.app_proto == "smb" then .smb_read += 1 else . end)
  else . end)'

counts() { # FILE CAPTURE: msiwatch's records and Suricata's EVE, untimed runs
    local f=$1
    cmd_for msiwatch "$f" "$2"
    "${CMD[@]}" --records "$OUT/records.json" 2>/dev/null
    jq -n -c "$MW_COUNT" "$OUT/records.json" >"$OUT/$2.mw-counts.json"
    rm -f "$OUT/records.json"
    if have_tool suricata; then
        rm -rf "$OUT/suricata" && mkdir -p "$OUT/suricata"
        cmd_for suricata "$f" "$2" eve
        "${CMD[@]}" >/dev/null 2>&1
        jq -n -c "$SU_COUNT" "$OUT/suricata/eve.json" >"$OUT/$2.su-counts.json"
        rm -f "$OUT/suricata/eve.json"
    else
        echo null >"$OUT/$2.su-counts.json"
    fi
    printf '\n%-34s %12s %12s %s\n' "records ($2)" msiwatch suricata ""
    local k label m s
    for k in http:"HTTP requests" http_whole:"HTTP bodies seen whole" tls_sni:"TLS ClientHellos with SNI" \
        smb_tree:"SMB tree connects" smb_create:"SMB creates (files opened)" smb_read:"SMB files read" \
        dns_query:"DNS queries" dns_answer:"DNS answers"; do
        label=${k#*:}
        k=${k%%:*}
        m=$(jq -r ".$k // 0" "$OUT/$2.mw-counts.json")
        s=$(jq -r "if . == null then \"-\" else .$k // 0 end" "$OUT/$2.su-counts.json")
        printf '%-34s %12s %12s %s\n' "$label" "$m" "$s" "$([ "$m" = "$s" ] || echo '  differs')"
        # Suricata hashes every file; msiwatch the bodies that can be
        # payloads (--hash-bodies payloads, the default of the timed runs)
        if [ "$k" = http_whole ]; then
            printf '%-34s %12s %12s\n' "  of them hashed (SHA-256)" "$(jq -r '.http_hashed // 0' "$OUT/$2.mw-counts.json")" "$s"
        fi
    done
}

# ---- main ------------------------------------------------------------------
install_deps
[ -x "$BENCH_BIN/make-capture" ] || die "$BENCH_BIN/make-capture is not built (make bench builds it)"
mkdir -p "$OUT"
say "run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), load $(cut -d" " -f1-3 /proc/loadavg)"
say "run.sh: msiwatch $("$MSIWATCH" --version | cut -d' ' -f2), $(suricata -V 2>/dev/null | sed -n 's/.*version \([^ ]*\).*/suricata \1/p'), $(ndpiReader -h 2>&1 | sed -n 's/.*nDPI \([0-9.]*\).*/nDPI \1/p' | head -1); $REPEAT rounds of every tool, median shown"

for cap in "${CAPTURES[@]}"; do
    say "run.sh: building the $cap capture in $OUT"
    make_capture "$cap"
    f=$OUT/$cap.pcap
    base=$("$BENCH_BIN/bareloop" "$f")
    pk=$(printf '%s' "$base" | jq -r .packets)
    by=$(printf '%s' "$base" | jq -r .bytes)
    printf '\n%s: %s, %s packets, %s bytes of packets (%s MB)\n' "$cap" "$f" "$pk" "$by" \
        "$(awk -v b="$by" 'BEGIN { printf "%.1f", b / 1e6 }')"
    printf '%-18s %8s %7s %7s %10s %7s %9s %8s %6s %6s\n' tool "wall s" "MB/s" Gbit/s packets/s \
        "CPU s" "MB/CPU s" "RSS MiB" ratio "ratio"
    printf '%-18s %8s %7s %7s %10s %7s %9s %8s %6s %6s\n' "" "" "" "" "" "" "" "" wall CPU
    bare_wall="" bare_cpu=""
    declare -A WALL=() CPUS=()
    # REPEAT rounds, each running every tool once, a round starting one tool
    # further along than the one before: every tool meets the same spells of
    # a busy host; each tool's median run is shown
    tools=()
    for t in $TOOLS; do have_tool "$t" && tools+=("$t"); done
    for t in "${tools[@]}"; do rm -f "$OUT/$cap.$t.runs" "$OUT/$cap.$t.failed"; done
    check_before=$(cpu_check)
    for ((i = 0; i < REPEAT; i++)); do
        for ((j = 0; j < ${#tools[@]}; j++)); do
            t=${tools[$(((i + j) % ${#tools[@]}))]}
            [ -e "$OUT/$cap.$t.failed" ] && continue
            run_once "$t" "$f" "$cap" >>"$OUT/$cap.$t.runs" || touch "$OUT/$cap.$t.failed"
        done
    done
    check_after=$(cpu_check)
    # msiwatch's counters from its last run (none from an earlier capture or run.sh)
    rm -f "$OUT/$cap.msiwatch-stats.json"
    if [[ " ${tools[*]} " == *" msiwatch "* ]] && [ ! -e "$OUT/$cap.msiwatch.failed" ]; then
        grep '"msiwatch.stats"' "$OUT/msiwatch.err" >"$OUT/$cap.msiwatch-stats.json" || true
    fi
    for t in $TOOLS; do
        if ! have_tool "$t"; then
            printf '%-18s %s\n' "$t" "(not installed: skipped)"
            continue
        fi
        if [ -e "$OUT/$cap.$t.failed" ]; then
            printf '%-18s %s\n' "$t" "(failed)"
            continue
        fi
        r=$(sort -n "$OUT/$cap.$t.runs" | sed -n "$(((REPEAT + 1) / 2))p")
        read -r ns user sys rss <<<"$r"
        wall=$(awk -v n="$ns" 'BEGIN { printf "%.3f", n / 1e9 }')
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { c = u + s; printf "%.2f", c < 0.01 ? 0.01 : c }')
        if [ "$t" = bareloop ]; then bare_wall=$wall bare_cpu=$cpu; fi
        WALL[$t]=$wall CPUS[$t]=$cpu
        awk -v t="$t" -v w="$wall" -v c="$cpu" -v m="$rss" -v b="$by" -v p="$pk" -v bw="$bare_wall" -v bc="$bare_cpu" \
            'BEGIN { if (w <= 0) w = 0.001;
                     printf "%-18s %8.3f %7.0f %7.2f %10.0f %7.2f %9.0f %8.1f %6s %6s\n", t, w, b / w / 1e6,
                            b * 8 / w / 1e9, p / w, c, b / c / 1e6, m / 1024,
                            (bw == "" ? "-" : sprintf("%.0f%%", 100 * bw / w)),
                            (bc == "" ? "-" : sprintf("%.0f%%", 100 * bc / c)) }'
    done
    # issue 6's targets are ratios: how many times faster than each tool
    for m in msiwatch msiwatch-readahead; do
        for o in ndpiReader suricata; do
            [ -n "${WALL[$m]:-}" ] && [ -n "${WALL[$o]:-}" ] || continue
            awk -v m="$m" -v o="$o" -v mw="${WALL[$m]}" -v ow="${WALL[$o]}" -v mc="${CPUS[$m]}" -v oc="${CPUS[$o]}" \
                'BEGIN { printf "%s against %s: %.2f times as fast by wall time, %.2f by CPU time\n", m, o, ow / mw, oc / mc }'
        done
        # the ratio columns are against libpcap's own reading (bareloop);
        # this one against the bare loop reading as msiwatch reads
        [ -n "${WALL[$m]:-}" ] && [ -n "${WALL[bareloop-256k]:-}" ] || continue
        awk -v m="$m" -v bw="${WALL[bareloop-256k]}" -v mw="${WALL[$m]}" -v bc="${CPUS[bareloop-256k]}" -v mc="${CPUS[$m]}" \
            'BEGIN { printf "%s against bareloop-256k: %.0f%% of its throughput by wall time, %.0f%% by CPU time\n", m, 100 * bw / mw, 100 * bc / mc }'
    done
    [ -z "$check_before" ] ||
        echo "CPU check (one loop on each CPU; equal on a quiet machine): before $check_before; after $check_after"
    if [ -s "$OUT/$cap.msiwatch-stats.json" ]; then
        jq -r '.msiwatch.stats | "msiwatch: \(.packets) packets, \(.drops.total) dropped; flows \(.flows.total), at most \(.flows.active_peak) at once, \(.flows.evicted) evicted; TCP gaps \(.tcp_reassembly.gaps)"' \
            "$OUT/$cap.msiwatch-stats.json"
    fi
    counts "$f" "$cap"
done
