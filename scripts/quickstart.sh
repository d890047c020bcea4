#!/bin/sh
# quickstart.sh -- the README's first command: install the build
# dependencies (Debian 12; through sudo when not root), build msiwatch, and
# replay the bundled demo captures, printing the flows and counters of one
# and the alerts that three lab recordings and their endpoint events give.
set -eu
cd "$(dirname "$0")/.."
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
PKGS="build-essential autoconf automake libtool pkg-config libpcap-dev libndpi-dev
libmaxminddb-dev libjansson-dev libsqlite3-dev libpsl-dev libssl-dev zlib1g-dev libexpat1-dev libinih-dev jq bsdutils rsyslog openssl python3 sqlite3
systemd groff-base man-db libxml2-utils tcpreplay"
# shellcheck disable=SC2086
if ! dpkg-query -W $PKGS >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
fi
[ -x configure ] || autoreconf -fi >/dev/null
[ -f Makefile ] || ./configure -q
make -s -j"$(nproc)" >/dev/null
echo "== msiwatch $(./msiwatch --version | cut -d' ' -f2) built; replaying pcaps/zeek-wikipedia.pcap"
./msiwatch -r pcaps/zeek-wikipedia.pcap --records demo-records.json --stats 2>demo-stats.json
echo "== flows (from demo-records.json):"
jq -r '"\(.network.transport) \(.source.ip):\(.source.port) -> \(.destination.ip):\(.destination.port)  \(.msiwatch.flow.ndpi)  \(.network.packets) packets, \(.network.bytes) bytes"' demo-records.json
echo "== counters (from demo-stats.json):"
jq -c '.msiwatch.stats | {packets, bytes, tcp, udp, flows: .flows.total, drops: .drops.total, protocols: .ndpi.flows}' demo-stats.json
rm -f demo-records.json demo-stats.json
echo "== AN0445 alerts from three lab recordings (HTTP, WebDAV, SMB) and their endpoint events:"
L=pcaps/lab
./msiwatch -s :memory: -r $L/http-msi.pcap -r $L/webdav-msi.pcap -r $L/smb2-msi.pcap \
    -e $L/http-msi.events.jsonl -e $L/webdav-msi.events.jsonl -e $L/smb2-msi.events.jsonl |
    jq -r '"severity \(.event.severity)  \(.host.name)  \(.msiwatch.reasons | join(","))\n  \(.message)"'
