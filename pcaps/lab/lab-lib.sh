# shellcheck shell=bash
# lab-lib.sh -- the msiwatch traffic lab's common parts (DESIGN.md section 8),
# sourced by record.sh (the protocol recordings) and scenarios.sh (the
# end-to-end correlator scenarios with endpoint events).  Not run by itself.
#
# The sourcing script sets LAB_PROG (its name, for messages) and then calls,
# in this order:
#   lab_require_root                   stop unless root
#   lab_check_deps [CMD:PACKAGE ...]   stop with one line naming missing packages
#   lab_begin                          root check, namespaces free, $WORK, the
#                                      teardown trap (also on failure)
#   lab_net_pair | lab_net_bridge      the namespaces and links
#   lab_payloads FILES REBUILD | lab_serve_payloads FILES
#   lab_tls_cert; lab_nginx_start; lab_samba_prepare; lab_dnsmasq_start
#   wait_port PORT ...
# then records with cap_start NAME / cap_stop around client commands run by
# inC (client namespace) and inS (server namespace).
#
# Every setting below can be overridden by the caller before sourcing.

NS_C=${NS_C:-mwlab-c}
NS_S=${NS_S:-mwlab-s}
IF_C=${IF_C:-mwlab-c0}
IF_S=${IF_S:-mwlab-s0}
IP_C=${IP_C:-10.77.0.10}
IP_S=${IP_S:-10.77.0.20}
MAC_C=${MAC_C:-02:77:00:00:00:10}
MAC_S=${MAC_S:-02:77:00:00:00:20}
SNI=${SNI:-lab.msiwatch.test}
SMB_USER=${SMB_USER:-labuser}
SMB_PASS=${SMB_PASS:-'Lab-Passw0rd!'}
SMB_DOMAIN=${SMB_DOMAIN:-MWLAB}
WKS=${WKS:-WIN10-LAB}
DAV_UA=${DAV_UA:-'Microsoft-WebDAV-MiniRedir/10.0.19045'}
NGINX_DAV_MOD=${NGINX_DAV_MOD:-/usr/lib/nginx/modules/ngx_http_dav_ext_module.so}
LAB_PROG=${LAB_PROG:-lab-lib.sh}
# extra namespaces the teardown must remove (lab_net_bridge adds its clients)
LAB_EXTRA_NS=()

die() { echo "$LAB_PROG: $*" >&2; exit 1; }

lab_require_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (sudo $0)"; }

# ---- dependency check: command -> Debian package --------------------------
# lab_check_deps [CMD:PACKAGE ...]: the base set plus the caller's extras.
lab_check_deps() {
    local missing=() pair
    local base=(ip:iproute2 tcpdump:tcpdump nginx:nginx smbd:samba smbpasswd:samba smbclient:smbclient
                dnsmasq:dnsmasq curl:curl dig:dnsutils openssl:openssl unshare:util-linux ethtool:ethtool)
    for pair in "${base[@]}" "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [[ -f $NGINX_DAV_MOD ]] || missing+=(libnginx-mod-http-dav-ext)
    if ((${#missing[@]})); then
        die "missing Debian packages: $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')(apt-get install -y them)"
    fi
}

# ---- temp dir, teardown ----------------------------------------------------
# lab_begin [NS ...]: the namespaces this run will create (default the pair).
lab_begin() {
    lab_require_root
    local ns want=("$@")
    ((${#want[@]})) || want=("$NS_C" "$NS_S")
    for ns in "${want[@]}"; do
        ip netns list | grep -qE "^$ns( |\$)" \
            && die "namespace $ns already exists (another run? remove with: ip netns del $ns)"
    done
    WORK=$(mktemp -d /tmp/mwlab.XXXXXX)
    chmod 755 "$WORK"            # smbd serves the share as labuser, nginx workers read www/
    PIDS=()
    trap lab_cleanup EXIT
    trap 'exit 130' INT TERM
}
lab_cleanup() {
    local rc=$? p ns
    set +e
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    # anything still left inside our namespaces (smbd children, dhclient, samba-dcerpcd)
    for ns in $NS_C $NS_S "${LAB_EXTRA_NS[@]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    done
    for ns in $NS_C $NS_S "${LAB_EXTRA_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    if ((rc != 0)); then
        echo "$LAB_PROG: failed (rc=$rc); logs were in $WORK:" >&2
        tail -n 5 "$WORK"/*.log 2>/dev/null >&2
    fi
    rm -rf "$WORK"
    exit $rc
}

inC() { ip netns exec "$NS_C" "$@"; }
inS() { ip netns exec "$NS_S" "$@"; }

# offloads off: tcpdump then sees wire-sized (<= 1514 byte) frames with real
# checksums instead of 64 KB GSO super-segments with partial checksums
lab_offloads_off() { # NS IF
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx-checksumming off >/dev/null
}
lab_ns_init() { # NS: IPv6 off (no ND/MLD noise), lo up
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$1" ip link set lo up
}
lab_wait_ping() { # NS
    local _
    for _ in $(seq 50); do ip netns exec "$1" ping -c1 -W1 "$IP_S" >/dev/null 2>&1 && return 0; sleep 0.1; done
}

# ---- network: one veth pair (record.sh) --------------------------------------
lab_net_pair() {
    ip netns add "$NS_C"
    ip netns add "$NS_S"
    ip link add "$IF_C" address "$MAC_C" mtu 1500 netns "$NS_C" type veth \
        peer name "$IF_S" address "$MAC_S" mtu 1500 netns "$NS_S"
    lab_ns_init "$NS_C"
    lab_ns_init "$NS_S"
    inC ip addr add "$IP_C/24" dev "$IF_C"
    inS ip addr add "$IP_S/24" dev "$IF_S"
    inC ip link set "$IF_C" up
    inS ip link set "$IF_S" up
    lab_offloads_off "$NS_C" "$IF_C"
    lab_offloads_off "$NS_S" "$IF_S"
    lab_wait_ping "$NS_C"
}

# ---- network: a bridge in the server namespace, several clients --------------
# lab_net_bridge BRIDGE "NS IF IP MAC PORT PORTMAC" ...
# The server's address and MAC ($IP_S, $MAC_S) are on the bridge; each client
# namespace has one veth whose peer PORT is a bridge port. STP, forward delay
# and multicast snooping are off, so the bridge itself sends nothing and the
# ports forward at once. Capturing on the bridge sees every frame between the
# clients and the server, like a SPAN port on the server's switch port.
lab_net_bridge() {
    local br=$1; shift
    local spec ns ifc ip mac port pmac
    ip netns add "$NS_S"
    lab_ns_init "$NS_S"
    inS ip link add "$br" address "$MAC_S" mtu 1500 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    for spec in "$@"; do
        read -r ns ifc ip mac port pmac <<<"$spec"
        ip netns add "$ns"
        [[ $ns == "$NS_C" ]] || LAB_EXTRA_NS+=("$ns")
        lab_ns_init "$ns"
        ip link add "$ifc" address "$mac" mtu 1500 netns "$ns" type veth \
            peer name "$port" address "$pmac" mtu 1500 netns "$NS_S"
        ip netns exec "$ns" ip addr add "$ip/24" dev "$ifc"
        ip netns exec "$ns" ip link set "$ifc" up
        inS ip link set "$port" master "$br"
        inS ip link set "$port" up
        lab_offloads_off "$ns" "$ifc"
        lab_offloads_off "$NS_S" "$port"
    done
    inS ip addr add "$IP_S/24" dev "$br"
    inS ip link set "$br" up
    lab_offloads_off "$NS_S" "$br"
    for spec in "$@"; do
        read -r ns _ <<<"$spec"
        lab_wait_ping "$ns"
    done
}

# ---- payloads: a real MSI (wixl) and a real DLL (mingw-w64) -----------------
# lab_payloads FILES REBUILD: build both (checks the toolchain), keep the
# committed FILES copies unless REBUILD=1 or they are missing, then serve.
lab_payloads() {
    local files=$1 rebuild=$2 f
    mkdir -p "$WORK/build" "$files"
    (
    cd "$WORK/build" || exit 1
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
    )
    for f in setup.msi payload.dll; do
        if ((rebuild)) || [[ ! -s $files/$f ]]; then cp "$WORK/build/$f" "$files/$f"; chmod 644 "$files/$f"; fi
    done
    lab_serve_payloads "$files"
}
# lab_serve_payloads FILES: FILES/setup.msi and payload.dll under /pkg/ on the
# web server and setup.msi in the SMB share.
lab_serve_payloads() {
    local files=$1 f
    for f in setup.msi payload.dll; do
        [[ -s $files/$f ]] || die "$files/$f missing (record.sh builds it)"
    done
    mkdir -p "$WORK/www/pkg" "$WORK/share"
    cp "$files/setup.msi" "$files/payload.dll" "$WORK/www/pkg/"
    cp "$files/setup.msi" "$WORK/share/"
    chmod 644 "$WORK/www/pkg/"* "$WORK/share/"*
    chmod 755 "$WORK/www" "$WORK/www/pkg" "$WORK/share"
}

# ---- TLS certificate (self-signed) --------------------------------------------
lab_tls_cert() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$SNI" \
        -addext "subjectAltName=DNS:$SNI" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>"$WORK/openssl.log"
}

# ---- nginx: HTTP + WebDAV on :80, HTTPS on :443, gzip on :8080 -----------------
# LAB_NGINX_TYPES: the MIME types; LAB_NGINX_EXTRA: more server blocks.
LAB_NGINX_TYPES=${LAB_NGINX_TYPES:-'application/x-msi msi; application/x-msdownload dll;'}
LAB_NGINX_EXTRA=${LAB_NGINX_EXTRA:-}
lab_nginx_start() {
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
    types { $LAB_NGINX_TYPES }
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
$LAB_NGINX_EXTRA
}
EOF
    inS nginx -t -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx-test.log" 2>&1 \
        || die "nginx config test failed: $(tail -n1 "$WORK/nginx-test.log")"
    ip netns exec "$NS_S" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.log" 2>&1 &
    PIDS+=($!)
}

# ---- Samba: share pkgs, user labuser ---------------------------------------------
# smbd needs a Unix account for labuser.  It is created only inside a private
# mount namespace (bind-mounted passwd/group copies), never in the host's /etc.
# Sets S (server state dir, $S/smb.conf for SMB2+, $S/smb-nt1.conf for NT1) and
# C (client state dir, $C/smb.conf so smbclient does not read /etc/samba).
lab_samba_prepare() {
    S="$WORK/samba"
    mkdir -p "$S"/{private,lock,state,cache,pid,ncalrpc,log}
    chmod 700 "$S/private"
    cp /etc/passwd "$S/passwd"; cp /etc/group "$S/group"
    echo "$SMB_USER:x:7700:7700:msiwatch lab:/nonexistent:/usr/sbin/nologin" >> "$S/passwd"
    echo "$SMB_USER:x:7700:" >> "$S/group"
    lab_smbconf SMB2_02 > "$S/smb.conf"
    lab_smbconf NT1 > "$S/smb-nt1.conf"
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
}
lab_smbconf() { # $1 = server min protocol
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

SMBD_PID=
start_smbd() { # $1 = config file
    ip netns exec "$NS_S" unshare -m --propagation private bash -c '
        set -e
        mount --bind "$1/passwd" /etc/passwd
        mount --bind "$1/group" /etc/group
        printf "%s\n%s\n" "$3" "$3" | smbpasswd -c "$2" -s -a "$4" >/dev/null
        exec smbd -s "$2" --foreground --debug-stdout
    ' _ "$S" "$1" "$SMB_PASS" "$SMB_USER" >"$WORK/smbd.log" 2>&1 &
    SMBD_PID=$!
    PIDS+=("$SMBD_PID")
}
stop_smbd() {
    [[ -n $SMBD_PID ]] || return 0
    local _ p
    kill "$SMBD_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SMBD_PID" 2>/dev/null || break; sleep 0.1; done
    for p in $(ip netns pids "$NS_S"); do
        [[ $(cat /proc/"$p"/comm 2>/dev/null) == smbd || $(cat /proc/"$p"/comm 2>/dev/null) == samba-* ]] && kill "$p" 2>/dev/null
    done
    sleep 0.3
    SMBD_PID=
}

# ---- dnsmasq: DNS (lab.msiwatch.test A, cdn CNAME) + DHCP 10.77.0.100-150 --------
# LAB_DNSMASQ_EXTRA: more configuration lines (host-record=..., cname=...).
LAB_DNSMASQ_EXTRA=${LAB_DNSMASQ_EXTRA:-}
lab_dnsmasq_start() {
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
    [[ -z $LAB_DNSMASQ_EXTRA ]] || printf '%s\n' "$LAB_DNSMASQ_EXTRA" >> "$WORK/dnsmasq.conf"
    ip netns exec "$NS_S" dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" >"$WORK/dnsmasq.log" 2>&1 &
    PIDS+=($!)
}

wait_port() { # $1 = port (tcp) on server
    local _
    for _ in $(seq 100); do
        inC bash -c "exec 3<>/dev/tcp/$IP_S/$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "server port $1 did not come up"
}

# ---- capture helpers -----------------------------------------------------------
# cap_start NAME writes $CAP_DIR/NAME (default $OUT) from $CAP_IF in $CAP_NS
# (default the client's veth).
CAP_PID=
cap_start() { # $1 = pcap name
    local _
    CAP_FILE="${CAP_DIR:-$OUT}/$1"
    rm -f "$CAP_FILE"
    : > "$WORK/tcpdump.log"
    ip netns exec "${CAP_NS:-$NS_C}" tcpdump -i "${CAP_IF:-$IF_C}" -n -s 0 -U --immediate-mode -Z root \
        -w "$CAP_FILE" >"$WORK/tcpdump.log" 2>&1 &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
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
check_file() { # $1 = downloaded file, $2 = reference
    cmp -s "$1" "$2" || die "downloaded $(basename "$2") differs from the served file"
    rm -f "$1"
}

# lab_expected DIR NAME ...: DIR/expected.txt, per DIR/NAME.pcap the fields
# tshark (optional) shows of its requests, SNI, SMB trees and files, DNS and DHCP
lab_expected() {
    local dir=$1 f
    shift
    if ! command -v tshark >/dev/null 2>&1; then
        echo "tshark not installed: expected.txt not refreshed" >&2
        return 0
    fi
    {
        echo "# $(tshark -v 2>/dev/null | head -n1)"
        echo "# per pcap: tshark -r F -T fields -e http.request.method -e http.host -e http.request.uri -e http.user_agent -e tls.handshake.extensions_server_name -e smb2.tree -e smb2.filename -e smb.path -e smb.file -e dns.qry.name -e dhcp.option.hostname -Y 'http.request || tls.handshake.type==1 || smb2.tree || smb2.filename || smb.path || smb.file || dns || dhcp'"
        for f in "$@"; do
            [[ -f $dir/$f.pcap ]] || continue
            echo "== $f.pcap"
            tshark -r "$dir/$f.pcap" -T fields -e http.request.method -e http.host -e http.request.uri \
                -e http.user_agent -e tls.handshake.extensions_server_name -e smb2.tree -e smb2.filename \
                -e smb.path -e smb.file -e dns.qry.name -e dhcp.option.hostname \
                -Y 'http.request || tls.handshake.type==1 || smb2.tree || smb2.filename || smb.path || smb.file || dns || dhcp' 2>/dev/null
        done
    } > "$dir/expected.txt"
    echo "wrote $dir/expected.txt"
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
# shellcheck disable=SC2034  # used by the sourcing scripts
MSI_HDRS=(--http1.1 -sS -f
          -H 'Host:' -H 'User-Agent:' -H 'Accept:'
          -H 'Connection: Keep-Alive' -H 'Accept: */*' -H 'User-Agent: Windows Installer')
# the base of every request whose header block is given in full
DAV_BASE=(--http1.1 -sS -f -H 'Host:' -H 'User-Agent:' -H 'Accept:')

# The Windows WebDAV redirector (\\10.77.0.20\pkg\setup.msi or
# \\10.77.0.20\DavWWWRoot\pkg\setup.msi): OPTIONS /, PROPFIND (Depth: 0),
# GET, all on one keep-alive connection (curl --next reuses it).  Header
# order as MiniRedir sends it, Host last (see the note above on -H 'Host:').
# lab_webdav_fetch NS HOST PATH PROPFIND_OUT GET_OUT
lab_webdav_fetch() {
    local ns=$1 host=$2 path=$3
    ip netns exec "$ns" curl "${DAV_BASE[@]}" -X OPTIONS \
            -H 'Connection: Keep-Alive' -H "User-Agent: $DAV_UA" -H 'translate: f' -H "Host: $host" \
            -o /dev/null "http://$IP_S/" \
        --next "${DAV_BASE[@]}" -X PROPFIND \
            -H 'Connection: Keep-Alive' -H "User-Agent: $DAV_UA" -H 'Depth: 0' -H 'translate: f' \
            -H 'Content-Length: 0' -H "Host: $host" \
            -o "$4" "http://$IP_S$path" \
        --next "${DAV_BASE[@]}" \
            -H 'Cache-Control: no-cache' -H 'Connection: Keep-Alive' -H 'Pragma: no-cache' \
            -H "User-Agent: $DAV_UA" -H 'translate: f' -H "Host: $host" \
            -o "$5" "http://$IP_S$path"
}
