#!/usr/bin/env bash
# msiwatch lab scenarios: end-to-end recordings for the correlator (issue 5),
# each a pcap and the Windows endpoint events that go with it.
#
# Usage:  sudo pcaps/lab/scenarios.sh [OUTDIR]
#
#   OUTDIR defaults to pcaps/lab/scenarios.  The served payloads are the
#   committed pcaps/lab/files/setup.msi and payload.dll (record.sh builds them).
#
# Topology: the server namespace mwlab-s holds a bridge (mwlab-br0, 10.77.0.20,
# MAC 02:77:00:00:00:20) with two client namespaces on it: mwlab-c (10.77.0.10,
# "WIN10-LAB") and mwlab-b (10.77.0.11, "WIN10-B"); MTU 1500, IPv6 and
# offloads off.  nginx (HTTP + WebDAV :80, HTTPS :443, :8081), smbd and
# dnsmasq run in mwlab-s as in record.sh (lab-lib.sh); every scenario is
# captured with tcpdump on the bridge, which sees what a SPAN port on the
# server's switch port would.  The time just before and just after each
# client action (date +%s.%N) goes to OUTDIR/timeline.tsv; scenario-events.py
# then writes each scenario's endpoint events from those times and the
# packets' own timestamps (first DNS query or SYN of the fetch, its source
# port, the end of the connection).
#
# Needs root and the Debian packages record.sh needs (without wixl, msitools,
# mingw and dhclient), plus python3.  tshark (optional) writes expected.txt.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${1:-$SCRIPT_DIR/scenarios}" && cd "${1:-$SCRIPT_DIR/scenarios}" && pwd)
FILES=$SCRIPT_DIR/files

NS_B=mwlab-b
IF_B=mwlab-b0
IP_B=10.77.0.11
MAC_B=02:77:00:00:00:11
BR=mwlab-br0
IF_S=$BR                     # the server's interface is the bridge (dnsmasq, smbd bind to it)
SMB_DOMAIN_CLIENT=LAB        # the events' user is LAB\labuser

# scenario extras: a listener on 8081, a home page, names for the deployment
# server and the CDN
LAB_NGINX_TYPES='application/x-msi msi; application/x-msdownload dll; text/html html;'
LAB_DNSMASQ_EXTRA="host-record=deploy.lab.msiwatch.test,10.77.0.20
host-record=cdn.lab.msiwatch.test,10.77.0.20"
# shellcheck disable=SC2034  # read by lab-lib.sh
LAB_PROG=scenarios.sh
# shellcheck source=lab-lib.sh
. "$SCRIPT_DIR/lab-lib.sh"

lab_require_root
lab_check_deps python3:python3
lab_begin "$NS_C" "$NS_S" "$NS_B"
LAB_NGINX_EXTRA="    server {
        # a second plain HTTP listener: msiexec /i http://10.77.0.20:8081/...
        listen $IP_S:8081;
        server_name $IP_S;
        root $WORK/www;
    }"

# ---- network: a bridge in mwlab-s, clients mwlab-c and mwlab-b -------------------
lab_net_bridge "$BR" \
    "$NS_C $IF_C $IP_C $MAC_C mwlab-s0 02:77:00:00:01:10" \
    "$NS_B $IF_B $IP_B $MAC_B mwlab-s1 02:77:00:00:01:11"
inB() { ip netns exec "$NS_B" "$@"; }

# ---- servers -----------------------------------------------------------------------
lab_serve_payloads "$FILES"
cat > "$WORK/www/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>msiwatch lab CDN</title></head>
<body><h1>msiwatch lab CDN</h1><p>Nothing to see here.</p></body></html>
EOF
chmod 644 "$WORK/www/index.html"
cd "$WORK"
lab_tls_cert
lab_nginx_start
lab_samba_prepare
lab_dnsmasq_start
for p in 80 443 8080 8081; do wait_port "$p"; done

CAP_NS=$NS_S
CAP_IF=$BR
CAP_DIR=$OUT
DL="$WORK/dl"
mkdir -p "$DL"
TL="$OUT/timeline.tsv"
printf '# scenario\tmark\tepoch seconds (date +%%s.%%N on the recording host; the pcaps use the same clock)\n' > "$TL"
mark() { printf '%s\t%s\t%s\n' "$1" "$2" "$(date +%s.%N)" >> "$TL"; }

# scenario NAME: capture NAME.pcap around the client action that follows
# (run by act), with the times around it in timeline.tsv
scenario() { SCEN=$1; cap_start "$1.pcap"; mark "$1" capture_start; }
act() { mark "$SCEN" action_start; "$@"; mark "$SCEN" action_end; }
done_scenario() { cap_stop; mark "$SCEN" capture_end; sleep 1; }
idle() { sleep 2; }

# a browser's request (Edge 120 on Windows 10) for a navigation or download
EDGE_UA='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0'
edge_hdrs() { # HOST: the header block Chromium sends for a navigation, in its order
    EDGE=("${DAV_BASE[@]}" -H "Host: $1" -H 'Connection: keep-alive' -H 'Upgrade-Insecure-Requests: 1'
          -H "User-Agent: $EDGE_UA"
          -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'
          -H 'Accept-Encoding: gzip, deflate' -H 'Accept-Language: en-US,en;q=0.9')
}
# the Windows DNS client's query (A) for NAME, from a client namespace
dns_a() { # NS NAME
    ip netns exec "$1" dig +nocookie +time=2 +tries=1 @"$IP_S" "$2" A >>"$WORK/dig.log"
    grep -q "^$2\..*IN[[:space:]]*A[[:space:]]*$IP_S" "$WORK/dig.log" || die "no DNS answer for $2"
}
msi_fetch() { # NS HOSTHEADER URL [curl args]: the Windows Installer fetch
    local ns=$1 host=$2 url=$3; shift 3
    ip netns exec "$ns" curl "${MSI_HDRS[@]}" -H "Host: $host" "$@" -o "$DL/setup.msi" "$url"
}

# 9a. seen-before-learn (first, so it is the earliest): a browser on
#     WIN10-LAB resolves cdn.lab.msiwatch.test and loads its home page; the
#     correlator's --learn reads this capture
learn_fetch() {
    dns_a "$NS_C" cdn.lab.msiwatch.test
    edge_hdrs cdn.lab.msiwatch.test
    inC curl "${EDGE[@]}" --resolve cdn.lab.msiwatch.test:80:$IP_S -o "$DL/index.html" \
        http://cdn.lab.msiwatch.test/index.html
}
scenario seen-before-learn
act learn_fetch
done_scenario
grep -q 'msiwatch lab CDN' "$DL/index.html" || die "the home page did not arrive"

# 1. http-msi: msiexec /q /i http://10.77.0.20/pkg/setup.msi
scenario http-msi
act msi_fetch "$NS_C" "$IP_S" "http://$IP_S/pkg/setup.msi"
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 2. https-msi: msiexec /i https://lab.msiwatch.test/pkg/setup.msi (DNS, then TLS with SNI)
https_fetch() {
    dns_a "$NS_C" "$SNI"
    msi_fetch "$NS_C" "$SNI" "https://$SNI/pkg/setup.msi" -k --resolve "$SNI:443:$IP_S"
}
scenario https-msi
act https_fetch
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 3. smb-unc: msiexec /i \\10.77.0.20\pkgs\setup.msi: SMB 3.1.1 (signed, not
#    encrypted), NTLMSSP user labuser, domain LAB, workstation WIN10-LAB
smb_fetch() {
    inC smbclient "//$IP_S/pkgs" -s "$C/smb.conf" -p 445 -m SMB3 -U "$SMB_USER%$SMB_PASS" -W "$SMB_DOMAIN_CLIENT" \
        --option="netbios name=$WKS" -c "get setup.msi $DL/setup.msi" >"$WORK/smbclient.log" 2>&1 \
        || die "smbclient failed: $(tail -n 2 "$WORK/smbclient.log" | tr '\n' ' ')"
}
start_smbd "$S/smb.conf"
wait_port 445
scenario smb-unc
act smb_fetch
done_scenario
stop_smbd
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 4. webdav: msiexec /i \\10.77.0.20@80\DavWWWRoot\pkg\setup.msi: the WebDAV
#    redirector's OPTIONS, PROPFIND and GET
scenario webdav
act lab_webdav_fetch "$NS_C" "$IP_S" /pkg/setup.msi "$DL/propfind.xml" "$DL/setup.msi"
done_scenario
grep -q 'setup.msi' "$DL/propfind.xml" || die "PROPFIND answer does not name setup.msi"
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 5. dll-y: msiexec /y of a DLL in %TEMP%: no network; an idle capture
scenario dll-y
act idle
done_scenario

# 6. renamed-ip-port: a renamed msiexec fetching from port 8081
scenario renamed-ip-port
act msi_fetch "$NS_C" "$IP_S:8081" "http://$IP_S:8081/pkg/setup.msi"
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 7. local-install: msiexec /i C:\pkgs\setup.msi: no network; an idle capture
scenario local-install
act idle
done_scenario

# 8. allowlisted: the deployment server by name (dnsmasq: deploy.lab.msiwatch.test A 10.77.0.20)
deploy_fetch() {
    dns_a "$NS_C" deploy.lab.msiwatch.test
    msi_fetch "$NS_C" deploy.lab.msiwatch.test http://deploy.lab.msiwatch.test/pkg/setup.msi \
        --resolve "deploy.lab.msiwatch.test:80:$IP_S"
}
scenario allowlisted
act deploy_fetch
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 9b. seen-before: msiexec fetches from the CDN the learn capture saw
cdn_fetch() {
    dns_a "$NS_C" cdn.lab.msiwatch.test
    msi_fetch "$NS_C" cdn.lab.msiwatch.test http://cdn.lab.msiwatch.test/pkg/setup.msi \
        --resolve "cdn.lab.msiwatch.test:80:$IP_S"
}
scenario seen-before
act cdn_fetch
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 10. late-skewed: http-msi again (its events: clock +90 s, out of order)
scenario late-skewed
act msi_fetch "$NS_C" "$IP_S" "http://$IP_S/pkg/setup.msi"
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 11. network-only: the Windows Installer fetch, no events at all
scenario network-only
act msi_fetch "$NS_C" "$IP_S" "http://$IP_S/pkg/setup.msi"
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# 12. certutil -urlcache -split -f: the "CertUtil URL Agent" request, then
#     CryptoAPI's "Microsoft-CryptoAPI/10.0", on one keep-alive connection
certutil_fetch() {
    inC curl "${DAV_BASE[@]}" -H 'Cache-Control: no-cache' -H 'Connection: Keep-Alive' -H 'Pragma: no-cache' \
            -H 'Accept: */*' -H 'User-Agent: CertUtil URL Agent' -H "Host: $IP_S" \
            -o "$DL/setup.msi" "http://$IP_S/pkg/setup.msi" \
        --next "${DAV_BASE[@]}" -H 'Connection: Keep-Alive' -H 'Accept: */*' \
            -H 'User-Agent: Microsoft-CryptoAPI/10.0' -H "Host: $IP_S" \
            -o "$DL/setup2.msi" "http://$IP_S/pkg/setup.msi"
}
scenario certutil
act certutil_fetch
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"
check_file "$DL/setup2.msi" "$FILES/setup.msi"

# 13. two-hosts: WIN10-LAB's msiexec and WIN10-B's Edge fetch setup.msi at
#     the same moment (WIN10-B 0.15 s later)
two_fetch() {
    local pa pb rc=0
    msi_fetch "$NS_C" "$IP_S" "http://$IP_S/pkg/setup.msi" & pa=$!
    sleep 0.15
    edge_hdrs "$IP_S"
    inB curl "${EDGE[@]}" -o "$DL/setup-b.msi" "http://$IP_S/pkg/setup.msi" & pb=$!
    wait "$pa" || rc=$?
    wait "$pb" || rc=$?
    ((rc == 0)) || die "a two-hosts fetch failed"
}
scenario two-hosts
act two_fetch
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"
check_file "$DL/setup-b.msi" "$FILES/setup.msi"

# 14. msiinstaller-wmi: an install through WMI; the Windows Installer
#     service fetches the package
scenario msiinstaller-wmi
act msi_fetch "$NS_C" "$IP_S" "http://$IP_S/pkg/setup.msi"
done_scenario
check_file "$DL/setup.msi" "$FILES/setup.msi"

# ---- the endpoint events, from timeline.tsv and the captures -----------------------
python3 "$SCRIPT_DIR/scenario-events.py" "$OUT"

# ---- the allowlisted scenario's allowlist (kept when it exists) ---------------------
if [[ ! -e $OUT/allowlist.sample ]]; then
    cat > "$OUT/allowlist.sample" <<'EOF'
# msiwatch lab: the approved deployment server of the "allowlisted" scenario
# (msiwatch --allowlist allowlist.sample). One entry per line; '#' starts a
# comment. Every lab scenario uses the same server, 10.77.0.20, so with this
# file all of them are allowlisted: give it to the allowlisted scenario only.

# the deployment server by name (and every name under it)
domain deploy.lab.msiwatch.test
# ... by address
host 10.77.0.20
# ... and its package share
share \\10.77.0.20\pkgs
EOF
    echo "wrote allowlist.sample"
fi

# ---- expected.txt (tshark, optional) ---------------------------------------------------
if command -v tshark >/dev/null 2>&1; then
    F='http.request || tls.handshake.type==1 || smb2.tree || smb2.filename || ntlmssp.auth.hostname || dns.flags.response==1'
    {
        echo "# $(tshark -v 2>/dev/null | head -n1)"
        echo "# per pcap: tshark -r F -T fields -e ip.src -e http.request.method -e http.host -e http.request.uri -e http.user_agent -e tls.handshake.extensions_server_name -e smb2.tree -e smb2.filename -e ntlmssp.auth.username -e ntlmssp.auth.domain -e ntlmssp.auth.hostname -e dns.qry.name -e dns.a -Y '$F'"
        for f in "$OUT"/*.pcap; do
            echo "== $(basename "$f")"
            tshark -r "$f" -T fields -e ip.src -e http.request.method -e http.host -e http.request.uri \
                -e http.user_agent -e tls.handshake.extensions_server_name -e smb2.tree -e smb2.filename \
                -e ntlmssp.auth.username -e ntlmssp.auth.domain -e ntlmssp.auth.hostname \
                -e dns.qry.name -e dns.a -Y "$F" 2>/dev/null
        done
    } > "$OUT/expected.txt"
    echo "wrote expected.txt"
else
    echo "tshark not installed: expected.txt not refreshed" >&2
fi
echo "done"
