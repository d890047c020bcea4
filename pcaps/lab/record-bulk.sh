#!/usr/bin/env bash
# msiwatch traffic lab: records the bulk transfers the benchmark mix is made
# of (bench/run.sh, issue 6) into pcaps/lab/bulk/.
#
# Usage:  sudo pcaps/lab/record-bulk.sh [OUTDIR]
#
#   OUTDIR defaults to pcaps/lab/bulk.
#
# Same lab as record.sh (lab-lib.sh: namespaces mwlab-c and mwlab-s joined by
# one veth pair, MTU 1500, IPv6 and offloads off, nginx and smbd in mwlab-s,
# tcpdump on the client's veth), three recordings, each one whole connection:
#   https-bulk.pcap  curl, HTTPS (TLS 1.2, SNI lab.msiwatch.test): bulk-2m.bin
#   http-bulk.pcap   curl, plain HTTP, Content-Length (no gzip): bulk-1m.bin
#   smb2-bulk.pcap   smbclient -m SMB2 (dialect 0x0210): get bulk-1m.bin
# The served files are made here, not committed: AES-128-CTR of zeros under a
# fixed key (incompressible, the same bytes on every run); their SHA-256 is
# checked against the one README.md gives.
#
# Needs root and the Debian packages record.sh needs, without wixl, msitools,
# mingw and dhclient (the committed files/ are served as they are).

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${1:-$SCRIPT_DIR/bulk}" && cd "${1:-$SCRIPT_DIR/bulk}" && pwd)

# shellcheck disable=SC2034  # read by lab-lib.sh
LAB_PROG=record-bulk.sh
# shellcheck source=lab-lib.sh
. "$SCRIPT_DIR/lab-lib.sh"

lab_require_root
lab_check_deps sha256sum:coreutils
lab_begin "$NS_C" "$NS_S"
lab_net_pair
lab_serve_payloads "$SCRIPT_DIR/files"
cd "$WORK"

# ---- the bulk files: deterministic, incompressible -----------------------------
# bulk_file NAME BYTES IV SHA256: AES-128-CTR keystream under the key
# "msiwatch lab bul" (ASCII), counter block IV, in www/bulk/ and the SMB share
BULK_KEY=6d73697761746368206c61622062756c
bulk_file() {
    mkdir -p "$WORK/www/bulk"
    head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K $BULK_KEY -iv "$3" > "$WORK/www/bulk/$1"
    [[ $(sha256sum < "$WORK/www/bulk/$1" | cut -d' ' -f1) == "$4" ]] \
        || die "$1: SHA-256 is not $4 (openssl enc changed?)"
    cp "$WORK/www/bulk/$1" "$WORK/share/$1"
    chmod 644 "$WORK/www/bulk/$1" "$WORK/share/$1"
    chmod 755 "$WORK/www/bulk"
}
bulk_file bulk-2m.bin 2097152 00000000000000000000000000000002 \
    09d9a1549459b30b999f3cdd6ea747f8e4c832ad973381a62f8508b4d9e543c2
bulk_file bulk-1m.bin 1048576 00000000000000000000000000000001 \
    6bce61d9002cbfb9ffa0c99f11e62f7973e7c894a7886e9026b036e405fb639d

lab_tls_cert
lab_nginx_start
lab_samba_prepare
wait_port 80
wait_port 443

DL="$WORK/dl"
mkdir -p "$DL"
# bulk_record PCAP FILE CMD...: CMD (in mwlab-c) fetches FILE into $DL while
# PCAP is captured. The download must equal the served file and tcpdump must
# lose nothing; the capture is taken again (5 tries) when tshark sees a
# retransmission, a duplicate ACK or frames out of order (on the 2-core lab
# machine the veth's frames now and then reach tcpdump swapped), so that
# every copy of it in a benchmark mix replays as a clean conversation.
bulk_record() {
    local pcap=$1 file=$2 try bad
    shift 2
    for try in 1 2 3 4 5; do
        cap_start "$pcap"
        inC "$@" >"$WORK/client.log" 2>&1 || die "$1 failed: $(tail -n 2 "$WORK/client.log" | tr '\n' ' ')"
        cap_stop
        grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.log" \
            || die "tcpdump dropped packets: $(tr '\n' ' ' < "$WORK/tcpdump.log")"
        check_file "$DL/$file" "$WORK/www/bulk/$file"
        command -v tshark >/dev/null 2>&1 || return 0
        bad=$(tshark -r "$OUT/$pcap" -Y 'tcp.analysis.flags && !tcp.analysis.window_update && !tcp.analysis.window_full' \
            2>/dev/null | wc -l)
        ((bad == 0)) && return 0
        echo "$pcap: $bad frames flagged by tshark (try $try), recording again"
    done
    die "$pcap: no clean recording in 5 tries"
}
GET=(curl --http1.1 -sS -f)

# 1. https-bulk.pcap: bulk-2m.bin over TLS, SNI lab.msiwatch.test
bulk_record https-bulk.pcap bulk-2m.bin \
    "${GET[@]}" -k --resolve "$SNI:443:$IP_S" -o "$DL/bulk-2m.bin" "https://$SNI/bulk/bulk-2m.bin"

# 2. http-bulk.pcap: bulk-1m.bin over plain HTTP (nginx sends Content-Length)
bulk_record http-bulk.pcap bulk-1m.bin "${GET[@]}" -o "$DL/bulk-1m.bin" "http://$IP_S/bulk/bulk-1m.bin"

# 3. smb2-bulk.pcap: get bulk-1m.bin from \\10.77.0.20\pkgs, SMB 2.1 as in smb2-msi.pcap
start_smbd "$S/smb.conf"
wait_port 445
bulk_record smb2-bulk.pcap bulk-1m.bin \
    smbclient "//$IP_S/pkgs" -s "$C/smb.conf" -p 445 -U "$SMB_USER%$SMB_PASS" -W "$SMB_DOMAIN" \
    --option="netbios name=$WKS" -m SMB2 -c "get bulk-1m.bin $DL/bulk-1m.bin"
stop_smbd

lab_expected "$OUT" https-bulk http-bulk smb2-bulk
echo "done"
