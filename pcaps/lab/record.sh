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

NS_C=mwlab-c
NS_S=mwlab-s
IF_C=mwlab-c0
IF_S=mwlab-s0
IP_C=10.77.0.10
IP_S=10.77.0.20
MAC_C=02:77:00:00:00:10
MAC_S=02:77:00:00:00:20
SNI=lab.msiwatch.test
SMB_USER=labuser
SMB_PASS='Lab-Passw0rd!'
SMB_DOMAIN=MWLAB
WKS=WIN10-LAB
DAV_UA='Microsoft-WebDAV-MiniRedir/10.0.19045'
NGINX_DAV_MOD=/usr/lib/nginx/modules/ngx_http_dav_ext_module.so

REBUILD=0
if [[ ${1:-} == --rebuild-payloads ]]; then REBUILD=1; shift; fi
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${1:-$SCRIPT_DIR}" && cd "${1:-$SCRIPT_DIR}" && pwd)

die() { echo "record.sh: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (sudo $0)"

# ---- dependency check: command -> Debian package --------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need ip iproute2
need tcpdump tcpdump
need nginx nginx
need smbd samba
need smbpasswd samba
need smbclient smbclient
need dnsmasq dnsmasq
need wixl wixl
need msiinfo msitools
need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
need curl curl
need dig dnsutils
need dhclient isc-dhcp-client
need openssl openssl
need unshare util-linux
need ethtool ethtool
[[ -f $NGINX_DAV_MOD ]] || missing+=(libnginx-mod-http-dav-ext)
if ((${#missing[@]})); then
    die "missing Debian packages: $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')(apt-get install -y them)"
fi
ip netns list | grep -qwE "^($NS_C|$NS_S)" && die "namespace $NS_C or $NS_S already exists (another run? remove with: ip netns del $NS_C; ip netns del $NS_S)"

# ---- temp dir, teardown ----------------------------------------------------
WORK=$(mktemp -d /tmp/mwlab.XXXXXX)
chmod 755 "$WORK"            # smbd serves the share as labuser, nginx workers read www/
PIDS=()
cleanup() {
    local rc=$?
    set +e
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    # anything still left inside our namespaces (smbd children, dhclient, samba-dcerpcd)
    for ns in $NS_C $NS_S; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    done
    ip netns del $NS_C 2>/dev/null
    ip netns del $NS_S 2>/dev/null
    if ((rc != 0)); then
        echo "record.sh: failed (rc=$rc); logs were in $WORK:" >&2
        tail -n 5 "$WORK"/*.log 2>/dev/null >&2
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inC() { ip netns exec $NS_C "$@"; }
inS() { ip netns exec $NS_S "$@"; }

# ---- network ----------------------------------------------------------------
ip netns add $NS_C
ip netns add $NS_S
ip link add $IF_C address $MAC_C mtu 1500 netns $NS_C type veth peer name $IF_S address $MAC_S mtu 1500 netns $NS_S
for ns in $NS_C $NS_S; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec $ns ip link set lo up
done
inC ip addr add $IP_C/24 dev $IF_C
inS ip addr add $IP_S/24 dev $IF_S
inC ip link set $IF_C up
inS ip link set $IF_S up
# offloads off: tcpdump then sees wire-sized (<= 1514 byte) frames with real
# checksums instead of 64 KB GSO super-segments with partial checksums
inC ethtool -K $IF_C tso off gso off gro off tx-checksumming off >/dev/null
inS ethtool -K $IF_S tso off gso off gro off tx-checksumming off >/dev/null
for _ in $(seq 50); do inC ping -c1 -W1 $IP_S >/dev/null 2>&1 && break; sleep 0.1; done

# ---- payloads: a real MSI (wixl) and a real DLL (mingw-w64) -----------------
mkdir -p "$WORK/build" "$WORK/www/pkg" "$WORK/share" "$OUT/files"
cd "$WORK/build"
printf 'msiwatch lab payload: installed by setup.msi\n' > readme.txt
touch -d '2024-01-01 00:00:00 UTC' readme.txt
cat > lab.wxs <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="5E1A9E2B-7C3D-4F10-9A11-0000000000A1" Name="msiwatch lab package" Language="1033"
           Version="1.0.0" Manufacturer="msiwatch lab" UpgradeCode="5E1A9E2B-7C3D-4F10-9A11-0000000000A2">
    <Package InstallerVersion="200" Compressed="yes" Comments="msiwatch lab test package" />
    <Media Id="1" Cabinet="lab.cab" EmbedCab="yes" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="msiwatch-lab">
          <Component Id="ReadmeComp" Guid="5E1A9E2B-7C3D-4F10-9A11-0000000000A4">
            <File Id="ReadmeFile" Name="readme.txt" Source="readme.txt" KeyPath="yes" />
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="ReadmeComp" /></Feature>
  </Product>
</Wix>
EOF
wixl -o setup.msi lab.wxs
cat > payload.c <<'EOF'
#include <windows.h>
__declspec(dllexport) int msiwatch_lab(void) { return 42; }
BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID reserved)
{ (void)h; (void)reason; (void)reserved; return TRUE; }
EOF
x86_64-w64-mingw32-gcc -O2 -c payload.c -o payload.o
# fixed image base and no timestamp: the DLL is byte-for-byte reproducible
x86_64-w64-mingw32-gcc -shared -s -Wl,--no-insert-timestamp -Wl,--image-base=0x6b400000 -o payload.dll payload.o
for f in setup.msi payload.dll; do
    if ((REBUILD)) || [[ ! -s $OUT/files/$f ]]; then cp "$f" "$OUT/files/$f"; chmod 644 "$OUT/files/$f"; fi
done
cp "$OUT/files/setup.msi" "$OUT/files/payload.dll" "$WORK/www/pkg/"
cp "$OUT/files/setup.msi" "$WORK/share/"
chmod 644 "$WORK/www/pkg/"* "$WORK/share/"*
chmod 755 "$WORK/www" "$WORK/www/pkg" "$WORK/share"
cd "$WORK"

# ---- TLS certificate (self-signed) --------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$SNI" \
    -addext "subjectAltName=DNS:$SNI" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>"$WORK/openssl.log"

# ---- nginx: HTTP + WebDAV on :80, HTTPS on :443 ----------------------------------
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<EOF
load_module $NGINX_DAV_MOD;
user root;
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx-error.log info;
events { worker_connections 64; }
http {
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    types { application/x-msi msi; application/x-msdownload dll; }
    default_type application/octet-stream;
    server_tokens off;
    keepalive_timeout 30;
    server {
        listen $IP_S:80;
        server_name $IP_S;
        root $WORK/www;
        location / {
            dav_ext_methods PROPFIND OPTIONS;
            autoindex off;
        }
    }
    server {
        listen $IP_S:443 ssl;
        server_name $SNI;
        ssl_certificate $WORK/tls.crt;
        ssl_certificate_key $WORK/tls.key;
        # TLS 1.2 as Windows 10 SChannel typically negotiates; the server
        # certificate then travels in clear (nginx 1.22's default anyway)
        ssl_protocols TLSv1.2;
        root $WORK/www;
    }
    server {
        # gzip Content-Encoding for every type, as some CDNs and proxies do
        listen $IP_S:8080;
        server_name $IP_S;
        root $WORK/www;
        gzip on;
        gzip_types *;
        gzip_min_length 0;
        gzip_http_version 1.0;
    }
}
EOF
inS nginx -t -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx-test.log" 2>&1 \
    || die "nginx config test failed: $(tail -n1 "$WORK/nginx-test.log")"
ip netns exec $NS_S nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)

# ---- Samba: share pkgs, user labuser ---------------------------------------------
# smbd needs a Unix account for labuser.  It is created only inside a private
# mount namespace (bind-mounted passwd/group copies), never in the host's /etc.
S="$WORK/samba"
mkdir -p "$S"/{private,lock,state,cache,pid,ncalrpc,log}
chmod 700 "$S/private"
cp /etc/passwd "$S/passwd"; cp /etc/group "$S/group"
echo "$SMB_USER:x:7700:7700:msiwatch lab:/nonexistent:/usr/sbin/nologin" >> "$S/passwd"
echo "$SMB_USER:x:7700:" >> "$S/group"
smbconf() { # $1 = server min protocol
cat <<EOF
[global]
    workgroup = $SMB_DOMAIN
    netbios name = LABSRV
    server string = msiwatch lab
    server role = standalone server
    security = user
    map to guest = never
    passdb backend = tdbsam:$S/private/passdb.tdb
    private dir = $S/private
    lock directory = $S/lock
    state directory = $S/state
    cache directory = $S/cache
    pid directory = $S/pid
    ncalrpc dir = $S/ncalrpc
    log file = $S/log/log.%m
    log level = 1
    interfaces = $IF_S
    bind interfaces only = yes
    smb ports = 445
    disable netbios = yes
    server min protocol = $1
    lanman auth = no
    ntlm auth = ntlmv2-only
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
    kernel oplocks = no
    usershare path =
    registry shares = no
    include system krb5 conf = no

[pkgs]
    path = $WORK/share
    read only = yes
    browseable = yes
    valid users = $SMB_USER
EOF
}
smbconf SMB2_02 > "$S/smb.conf"
smbconf NT1 > "$S/smb-nt1.conf"
# client side config (so smbclient does not read /etc/samba/smb.conf)
C="$WORK/smbclient"
mkdir -p "$C"/{private,lock,state,cache,pid}
cat > "$C/smb.conf" <<EOF
[global]
    workgroup = $SMB_DOMAIN
    netbios name = $WKS
    private dir = $C/private
    lock directory = $C/lock
    state directory = $C/state
    cache directory = $C/cache
    pid directory = $C/pid
    disable netbios = yes
    client min protocol = NT1
    client ntlmv2 auth = yes
    include system krb5 conf = no
EOF

SMBD_PID=
start_smbd() { # $1 = config file
    ip netns exec $NS_S unshare -m --propagation private bash -c '
        set -e
        mount --bind "$1/passwd" /etc/passwd
        mount --bind "$1/group" /etc/group
        printf "%s\n%s\n" "$3" "$3" | smbpasswd -c "$2" -s -a "$4" >/dev/null
        exec smbd -s "$2" --foreground --debug-stdout
    ' _ "$S" "$1" "$SMB_PASS" "$SMB_USER" >"$WORK/smbd.log" 2>&1 &
    SMBD_PID=$!
    PIDS+=($SMBD_PID)
}
stop_smbd() {
    [[ -n $SMBD_PID ]] || return 0
    kill "$SMBD_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SMBD_PID" 2>/dev/null || break; sleep 0.1; done
    for p in $(ip netns pids $NS_S); do
        [[ $(cat /proc/"$p"/comm 2>/dev/null) == smbd || $(cat /proc/"$p"/comm 2>/dev/null) == samba-* ]] && kill "$p" 2>/dev/null
    done
    sleep 0.3
    SMBD_PID=
}

# ---- dnsmasq: DNS (lab.msiwatch.test A, cdn CNAME) + DHCP 10.77.0.100-150 --------
cat > "$WORK/dnsmasq.conf" <<EOF
no-resolv
no-hosts
no-poll
interface=$IF_S
bind-interfaces
listen-address=$IP_S
except-interface=lo
user=root
group=root
pid-file=$WORK/dnsmasq.pid
log-facility=$WORK/dnsmasq-queries.log
log-queries
log-dhcp
domain=msiwatch.test
host-record=lab.msiwatch.test,$IP_S
cname=cdn.msiwatch.test,lab.msiwatch.test
dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h
dhcp-option=option:router,$IP_S
dhcp-option=option:dns-server,$IP_S
dhcp-leasefile=$WORK/dnsmasq.leases
dhcp-authoritative
EOF
ip netns exec $NS_S dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" >"$WORK/dnsmasq.log" 2>&1 &
PIDS+=($!)

wait_port() { # $1 = port (tcp) on server
    for _ in $(seq 100); do
        inC bash -c "exec 3<>/dev/tcp/$IP_S/$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "server port $1 did not come up"
}
wait_port 80
wait_port 443
wait_port 8080

# ---- capture helpers -----------------------------------------------------------
CAP_PID=
cap_start() { # $1 = pcap name
    CAP_FILE="$OUT/$1"
    rm -f "$CAP_FILE"
    : > "$WORK/tcpdump.log"
    ip netns exec $NS_C tcpdump -i $IF_C -n -s 0 -U --immediate-mode -Z root -w "$CAP_FILE" >"$WORK/tcpdump.log" 2>&1 &
    CAP_PID=$!
    PIDS+=($CAP_PID)
    for _ in $(seq 100); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.05; done
    grep -q 'listening on' "$WORK/tcpdump.log" || die "tcpdump did not start: $(cat "$WORK/tcpdump.log")"
    sleep 0.2
}
cap_stop() {
    sleep 1     # let FIN/ACKs land
    kill -TERM "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    CAP_PID=
    echo "recorded $(basename "$CAP_FILE"): $(stat -c %s "$CAP_FILE") bytes"
}
DL="$WORK/dl"
mkdir -p "$DL"
check_file() { # $1 = downloaded file, $2 = reference
    cmp -s "$1" "$2" || die "downloaded $(basename "$2") differs from the served file"
    rm -f "$1"
}

# msiexec (Windows Installer, via WinINet/URLMon) sends exactly:
#   GET /pkg/setup.msi HTTP/1.1 / Connection: Keep-Alive / Accept: */* /
#   User-Agent: Windows Installer / Host: <host>   (no Accept-Encoding)
# curl: an empty -H 'Name:' removes a default header.  Removing curl's own Host
# header (-H 'Host:') and then giving -H 'Host: ...' as the last custom header
# makes curl send the custom headers in command-line order, so the header block
# is byte-for-byte the one above.  What curl cannot reproduce: the TCP/IP and
# TLS stacks (window sizes, TCP options, the TLS ClientHello cipher list and
# extensions, TLS 1.3) are Linux/OpenSSL, not Windows/SChannel; and curl closes
# the connection when it is done instead of leaving it idle in keep-alive.
MSI_HDRS=(--http1.1 -sS -f
          -H 'Host:' -H 'User-Agent:' -H 'Accept:'
          -H 'Connection: Keep-Alive' -H 'Accept: */*' -H 'User-Agent: Windows Installer')

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
#    GET, all on one keep-alive connection (curl --next reuses it).  Header
#    order as MiniRedir sends it, Host last (see the note above on -H 'Host:').
DAV_BASE=(--http1.1 -sS -f -H 'Host:' -H 'User-Agent:' -H 'Accept:')
cap_start webdav-msi.pcap
inC curl "${DAV_BASE[@]}" -X OPTIONS \
        -H 'Connection: Keep-Alive' -H "User-Agent: $DAV_UA" -H 'translate: f' -H "Host: $IP_S" \
        -o /dev/null "http://$IP_S/" \
    --next "${DAV_BASE[@]}" -X PROPFIND \
        -H 'Connection: Keep-Alive' -H "User-Agent: $DAV_UA" -H 'Depth: 0' -H 'translate: f' \
        -H 'Content-Length: 0' -H "Host: $IP_S" \
        -o "$DL/propfind.xml" "http://$IP_S/pkg/setup.msi" \
    --next "${DAV_BASE[@]}" \
        -H 'Cache-Control: no-cache' -H 'Connection: Keep-Alive' -H 'Pragma: no-cache' \
        -H "User-Agent: $DAV_UA" -H 'translate: f' -H "Host: $IP_S" \
        -o "$DL/setup.msi" "http://$IP_S/pkg/setup.msi"
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
if command -v tshark >/dev/null 2>&1; then
    {
        echo "# $(tshark -v 2>/dev/null | head -n1)"
        echo "# per pcap: tshark -r F -T fields -e http.request.method -e http.host -e http.request.uri -e http.user_agent -e tls.handshake.extensions_server_name -e smb2.tree -e smb2.filename -e smb.path -e smb.file -e dns.qry.name -e dhcp.option.hostname -Y 'http.request || tls.handshake.type==1 || smb2.tree || smb2.filename || smb.path || smb.file || dns || dhcp'"
        for f in http-msi http-dll http-gzip-msi https-msi webdav-msi smb1-msi smb2-msi smb3-msi smb3-encrypted-msi dns dhcp; do
            [[ -f $OUT/$f.pcap ]] || continue
            echo "== $f.pcap"
            tshark -r "$OUT/$f.pcap" -T fields -e http.request.method -e http.host -e http.request.uri \
                -e http.user_agent -e tls.handshake.extensions_server_name -e smb2.tree -e smb2.filename \
                -e smb.path -e smb.file -e dns.qry.name -e dhcp.option.hostname \
                -Y 'http.request || tls.handshake.type==1 || smb2.tree || smb2.filename || smb.path || smb.file || dns || dhcp' 2>/dev/null
        done
    } > "$OUT/expected.txt"
    echo "wrote expected.txt"
else
    echo "tshark not installed: expected.txt not refreshed" >&2
fi
sha256sum "$OUT/files/setup.msi" "$OUT/files/payload.dll"
echo "done"
