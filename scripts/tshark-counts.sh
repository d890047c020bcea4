#!/usr/bin/env bash
# tshark-counts.sh - print the expected msiwatch counters for capture files,
# as measured by tshark, in the format of tests/expected/counts.tsv.
#
#   scripts/tshark-counts.sh pcaps/*.pcap pcaps/*.pcapng > tests/expected/counts.tsv
#
# Needs tshark (4.0.x was used; see tests/expected/README.md), python3 (only
# to read the link type from the file header), awk, sort, wc.
# tshark runs with default preferences (IP/TCP reassembly on, single pass),
# i.e. plain `tshark -r FILE`.  Files tshark cannot read to the end (bad
# magic, cut short, corrupt record) are skipped with a note on stderr.
# Column definitions: tests/expected/README.md.
set -u
export LC_ALL=C

TSHARK=${TSHARK:-tshark}

# Outermost network layer, from frame.protocols ("eth:ethertype:ip:tcp:..."):
# the first "ip" / "ipv6" token, with no other ip/ipv6 token before it.
OUTER4='frame.protocols matches "^(?:(?!ipv6(?::|$))[^:]+:)*ip(?::|$)"'
OUTER6='frame.protocols matches "^(?:(?!ip(?::|$))[^:]+:)*ipv6(?::|$)"'
# IPv6 fragment header in the outermost IPv6 header chain.
OUTER6FRAG='frame.protocols matches "^(?:(?!ip(?:v6)?(?::|$))[^:]+:)*ipv6(?::ipv6\\.[a-z]+)*:ipv6\\.fraghdr(?::|$)"'
NOICMP='!icmp && !icmpv6'

F_IPV4="$OUTER4"
F_IPV6="$OUTER6"
F_VLAN='vlan || ieee8021ad'
F_MPLS='mpls'
F_FRAG="($OUTER4 && (ip.flags.mf#1 == 1 || ip.frag_offset#1 > 0)) || ($OUTER6FRAG)"
F_TCP="tcp && $NOICMP"
F_UDP="udp && $NOICMP"
F_HTTP="http && tcp && $NOICMP"
F_TLS="tls.handshake && tcp && $NOICMP"
F_DNS="dns && $NOICMP"
F_SMB="(smb || smb2) && tcp && $NOICMP"

ts() { "$TSHARK" -r "$1" "${@:2}" 2>/dev/null; }

# number of frames matching display filter $2
nmatch() { ts "$1" -Y "$2" -T fields -e frame.number | wc -l; }

# number of distinct non-empty values of the fields in "$3..." among frames
# matching $2 (fields joined with "|", so tcp.stream/udp.stream stay apart)
ndistinct() {
    local f=$1 flt=$2; shift 2
    local args=()
    for e in "$@"; do args+=(-e "$e"); done
    ts "$f" -Y "$flt" -T fields -E 'separator=|' "${args[@]}" |
        awk -F'|' '{k=""; e=1; for (i=1;i<=NF;i++) {k=k "|" i ":" $i; if ($i!="") e=0}} !e {print k}' |
        sort -u | wc -l
}

# rows of a tshark conversation table (-z conv,tcp / conv,udp)
nconv() { ts "$1" -q -z "conv,$2" | grep -c '<->'; }

dlt() {
    python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read(4096)
m = d[:4]
if m in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
    print(struct.unpack("<I", d[20:24])[0] & 0xFFFF)
elif m in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
    print(struct.unpack(">I", d[20:24])[0] & 0xFFFF)
elif m == b"\x0a\x0d\x0d\x0a":                     # pcapng: first IDB
    e = "<" if d[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    off = 0
    while off + 12 <= len(d):
        btype, blen = struct.unpack(e + "II", d[off:off + 8])
        if btype == 1:
            print(struct.unpack(e + "H", d[off + 8:off + 10])[0]); break
        if blen < 12: break
        off += blen
    else:
        print("?")
else:
    print("?")
EOF
}

printf 'file\tdlt\tpackets\tbytes\tipv4\tipv6\tvlan\tmpls\tfrags\ttcp\tudp\ttcp_flows\tudp_flows\thttp_flows\ttls_flows\tdns_flows\tsmb_flows\n'
for f in "$@"; do
    if ! "$TSHARK" -r "$f" -T fields -e frame.number >/dev/null 2>&1; then
        echo "tshark-counts: skipping $f: tshark cannot read it to the end:" \
             "$("$TSHARK" -r "$f" 2>&1 >/dev/null | grep -v '^Running as user' | tr '\n' ' ')" >&2
        continue
    fi
    read -r packets bytes < <(ts "$f" -T fields -e frame.cap_len |
        awk '{n++; s+=$1} END {print n+0, s+0}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$(basename "$f")" "$(dlt "$f")" "$packets" "$bytes" \
        "$(nmatch "$f" "$F_IPV4")" "$(nmatch "$f" "$F_IPV6")" \
        "$(nmatch "$f" "$F_VLAN")" "$(nmatch "$f" "$F_MPLS")" \
        "$(nmatch "$f" "$F_FRAG")" \
        "$(nmatch "$f" "$F_TCP")" "$(nmatch "$f" "$F_UDP")" \
        "$(nconv "$f" tcp)" "$(nconv "$f" udp)" \
        "$(ndistinct "$f" "$F_HTTP" tcp.stream)" \
        "$(ndistinct "$f" "$F_TLS" tcp.stream)" \
        "$(ndistinct "$f" "$F_DNS" tcp.stream udp.stream)" \
        "$(ndistinct "$f" "$F_SMB" tcp.stream)"
done
