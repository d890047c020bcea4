#!/usr/bin/env bash
# msiwatch traffic lab: records the project's own lab pcaps (DESIGN.md section 8).
#
# Usage:  sudo pcaps/lab/record.sh [--rebuild-payloads] [OUTDIR]
#
#   OUTDIR defaults to the directory of this script (pcaps/lab).
#   --rebuild-payloads  serve freshly built setup.msi / payload.dll and overwrite
#                       OUTDIR/files/ (wixl stamps a random package code and the
#                       build time into every MSI, so by default the committed
#                       OUTDIR/files/ copies are served when present, keeping the
#                       hashes in README.md valid; the payloads are still built
#                       every run to check the toolchain).
#
# It builds two network namespaces, mwlab-c (client, 10.77.0.10) and mwlab-s
# (server, 10.77.0.20), joined by one veth pair (MTU 1500, IPv6 off so no
# ND/MLD noise), runs real servers in mwlab-s (nginx, smbd, dnsmasq) with their
# own configuration under a temporary directory, runs real clients in mwlab-c
# (curl, smbclient, dig, dhclient) and captures every scenario with tcpdump on
# the client's veth into its own pcap.  Everything is torn down on exit.
#
# Needs root and these Debian 12 packages (the script installs nothing):
#   iproute2 tcpdump nginx libnginx-mod-http-dav-ext samba smbclient dnsmasq
#   msitools wixl gcc-mingw-w64-x86-64 curl dnsutils isc-dhcp-client openssl
#   util-linux (unshare, mount) ethtool
# tshark (optional) is used to write expected.txt.

set -euo pipefail

REBUILD=0
if [[ ${1:-} == --rebuild-payloads ]]; then REBUILD=1; shift; fi
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${1:-$SCRIPT_DIR}" && cd "${1:-$SCRIPT_DIR}" && pwd)

# namespaces, servers, capture helpers and the msiexec / WebDAV header blocks
# are shared with scenarios.sh
# shellcheck disable=SC2034  # read by lab-lib.sh
LAB_PROG=record.sh
# shellcheck source=lab-lib.sh
. "$SCRIPT_DIR/lab-lib.sh"

lab_require_root
lab_check_deps wixl:wixl msiinfo:msitools x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 dhclient:isc-dhcp-client
lab_begin "$NS_C" "$NS_S"

# ---- network: mwlab-c <-> mwlab-s, one veth pair ---------------------------------
lab_net_pair

# ---- payloads: a real MSI (wixl) and a real DLL (mingw-w64) -----------------
lab_payloads "$OUT/files" "$REBUILD"
cd "$WORK"

# ---- servers: nginx (HTTP + WebDAV :80, HTTPS :443, gzip :8080), Samba, dnsmasq ----
lab_tls_cert
lab_nginx_start
lab_samba_prepare
lab_dnsmasq_start
wait_port 80
wait_port 443
wait_port 8080

DL="$WORK/dl"
mkdir -p "$DL"

# 1. http-msi.pcap
cap_start http-msi.pcap
inC curl "${MSI_HDRS[@]}" -H "Host: $IP_S" -o "$DL/setup.msi" "http://$IP_S/pkg/setup.msi"
cap_stop
check_file "$DL/setup.msi" "$OUT/files/setup.msi"

# 2. http-dll.pcap: setup.msi then payload.dll on one keep-alive connection
cap_start http-dll.pcap
inC curl "${MSI_HDRS[@]}" -H "Host: $IP_S" \
    -o "$DL/setup.msi" "http://$IP_S/pkg/setup.msi" \
    -o "$DL/payload.dll" "http://$IP_S/pkg/payload.dll"
cap_stop
check_file "$DL/setup.msi" "$OUT/files/setup.msi"
check_file "$DL/payload.dll" "$OUT/files/payload.dll"

# 2b. http-gzip-msi.pcap: setup.msi from port 8080 with Content-Encoding: gzip
#     (the client asks for it; the body on the wire is gzip, typed after inflating)
cap_start http-gzip-msi.pcap
inC curl "${MSI_HDRS[@]}" -H "Host: $IP_S:8080" -H 'Accept-Encoding: gzip' \
    -o "$DL/setup.msi.gz" "http://$IP_S:8080/pkg/setup.msi"
cap_stop
gunzip -c "$DL/setup.msi.gz" > "$DL/setup.msi"
check_file "$DL/setup.msi" "$OUT/files/setup.msi"

# 3. https-msi.pcap: SNI lab.msiwatch.test
cap_start https-msi.pcap
inC curl "${MSI_HDRS[@]}" -k --resolve "$SNI:443:$IP_S" -H "Host: $SNI" \
    -o "$DL/setup.msi" "https://$SNI/pkg/setup.msi"
cap_stop
check_file "$DL/setup.msi" "$OUT/files/setup.msi"

# 4. webdav-msi.pcap: the Windows WebDAV redirector (\\10.77.0.20\pkg\setup.msi
#    or \\10.77.0.20\DavWWWRoot\pkg\setup.msi): OPTIONS /, PROPFIND (Depth: 0),
#    GET, all on one keep-alive connection (lab_webdav_fetch in lab-lib.sh).
cap_start webdav-msi.pcap
lab_webdav_fetch "$NS_C" "$IP_S" /pkg/setup.msi "$DL/propfind.xml" "$DL/setup.msi"
cap_stop
grep -q 'setup.msi' "$DL/propfind.xml" || die "PROPFIND answer does not name setup.msi"
check_file "$DL/setup.msi" "$OUT/files/setup.msi"

# 5./6. SMB: smbclient as WIN10-LAB, NTLMSSP user labuser, get setup.msi from \\10.77.0.20\pkgs
smb_get() { # $1 = pcap, rest = extra smbclient args
    local pcap=$1; shift
    cap_start "$pcap"
    local rc=0
    inC smbclient "//$IP_S/pkgs" -s "$C/smb.conf" -p 445 -U "$SMB_USER%$SMB_PASS" -W $SMB_DOMAIN \
        --option="netbios name=$WKS" "$@" -c "get setup.msi $DL/setup.msi" >"$WORK/smbclient.log" 2>&1 || rc=$?
    cap_stop
    if ((rc != 0)); then
        echo "smbclient failed for $pcap: $(tail -n 2 "$WORK/smbclient.log" | tr '\n' ' ')" >&2
        rm -f "$OUT/$pcap"
        return 1
    fi
    check_file "$DL/setup.msi" "$OUT/files/setup.msi"
}
start_smbd "$S/smb.conf"
wait_port 445
smb_get smb2-msi.pcap -m SMB2 || die "SMB2 recording failed"
smb_get smb3-msi.pcap -m SMB3 || die "SMB3 recording failed"
smb_get smb3-encrypted-msi.pcap -m SMB3 --option='client smb encrypt=required' \
    || echo "note: SMB3 encrypted recording failed; smb3-encrypted-msi.pcap not written" >&2
stop_smbd
start_smbd "$S/smb-nt1.conf"
wait_port 445
smb_get smb1-msi.pcap -m NT1 --option='client min protocol=NT1' \
    || echo "note: SMB1 (NT1) refused; smb1-msi.pcap not written" >&2
stop_smbd

# 7. dns.pcap: UDP then TCP, A lab.msiwatch.test and CNAME cdn.msiwatch.test
cap_start dns.pcap
for name in lab.msiwatch.test cdn.msiwatch.test; do
    inC dig +nocookie +time=2 +tries=1 @$IP_S "$name" A >>"$WORK/dig.log"
done
for name in lab.msiwatch.test cdn.msiwatch.test; do
    inC dig +nocookie +tcp +time=2 +tries=1 @$IP_S "$name" A >>"$WORK/dig.log"
done
cap_stop
[[ $(grep -c "^lab.msiwatch.test.*IN[[:space:]]*A[[:space:]]*$IP_S" "$WORK/dig.log") -eq 4 ]] \
    || die "DNS answers missing: $(cat "$WORK/dig.log")"

# 8. dhcp.pcap: dhclient sends host name WIN10-LAB (option 12), like a Windows client
cat > "$WORK/dhclient.conf" <<EOF
send host-name "$WKS";
send vendor-class-identifier "MSFT 5.0";
request subnet-mask, domain-name, routers, domain-name-servers;
timeout 20;
EOF
printf '#!/bin/sh\nexit 0\n' > "$WORK/dhclient-script"   # do not touch /etc/resolv.conf or routes
chmod 755 "$WORK/dhclient-script"
cap_start dhcp.pcap
inC dhclient -1 -v -cf "$WORK/dhclient.conf" -lf "$WORK/dhclient.leases" -pf "$WORK/dhclient.pid" \
    -sf "$WORK/dhclient-script" $IF_C >"$WORK/dhclient.log" 2>&1 || die "dhclient failed: $(tail -n1 "$WORK/dhclient.log")"
[[ -s $WORK/dhclient.pid ]] && PIDS+=($(cat "$WORK/dhclient.pid"))
cap_stop
grep -qE 'fixed-address 10\.77\.0\.(1[0-4][0-9]|150);' "$WORK/dhclient.leases" \
    || die "no DHCP lease in 10.77.0.100-150: $(cat "$WORK/dhclient.log")"

# ---- expected.txt (tshark, optional) ---------------------------------------------------
lab_expected "$OUT" http-msi http-dll http-gzip-msi https-msi webdav-msi smb1-msi smb2-msi smb3-msi \
    smb3-encrypted-msi dns dhcp
sha256sum "$OUT/files/setup.msi" "$OUT/files/payload.dll"
echo "done"
