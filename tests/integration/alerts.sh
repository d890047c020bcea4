#!/bin/bash
# alerts.sh -- the AN0445 join end to end (issue 5) on the lab recordings
# (pcaps/lab/, real nginx, Samba and curl traffic) with endpoint events
# written here in NXLog's im_msvistalog JSON, timed against each capture:
# alert or no alert, severity, reasons, host, destination and rarity
# verdict, for HTTP, HTTPS, SMB and WebDAV fetches, a /y DLL with an unsigned
# module load, an allowlisted server, a destination seen before, events out
# of order with the endpoint clock 90 s ahead, a network-only chain, an
# MsiInstaller transaction without a command line, a local install; and a
# replay that gives the same bytes twice.
. "$(dirname "$0")/lib.sh"

if [ -z "$(command -v python3)" ]; then
    skip "alerts end to end" "python3 is not installed (used to time the events against the captures)"
    done_testing
    exit 0
fi
L=$PCAPS/lab
HOSTFQDN=WIN10-LAB.lab.msiwatch.test

# first packet time of a capture, seconds (float)
t0() {
    python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read(32)
e = "<" if b[:4] == b"\xd4\xc3\xb2\xa1" else ">"
s, us = struct.unpack(e + "II", b[24:32])
print("%.6f" % (s + us / 1e6))' "$1"
}
# UtcTime for epoch seconds + offset
utc() {
    python3 -c '
import datetime, sys
t = float(sys.argv[1]) + float(sys.argv[2])
print(datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3])' "$1" "$2"
}
# json string escaping of a Windows command line
js() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1])[1:-1])' "$1"; }

# Sysmon 1: sysmon1 BASE OFFSET GUIDN IMAGE COMMANDLINE [ORIGINALFILENAME]
sysmon1() {
    printf '{"EventTime":"2026-11-28 00:00:00","Hostname":"%s","SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"UtcTime":"%s","ProcessGuid":"{4a1b2c3d-0000-1111-2222-%012d}","ProcessId":"%d","Image":"%s","CommandLine":"%s","OriginalFileName":"%s","ParentProcessGuid":"{4a1b2c3d-0000-1111-2222-000000000001}","ParentProcessId":"4242","ParentImage":"C:\\\\Windows\\\\System32\\\\cmd.exe","User":"LAB\\\\labuser","SourceModuleType":"im_msvistalog"}\n' \
        "$HOSTFQDN" "$(utc "$1" "$2")" "$3" "$((5000 + $3))" "$(js "$4")" "$(js "$5")" "${6:-msiexec.exe}"
}
# Sysmon 3: sysmon3 BASE OFFSET GUIDN DSTIP DSTPORT
sysmon3() {
    printf '{"Hostname":"%s","SourceName":"Microsoft-Windows-Sysmon","EventID":3,"UtcTime":"%s","ProcessGuid":"{4a1b2c3d-0000-1111-2222-%012d}","ProcessId":"%d","Image":"C:\\\\Windows\\\\System32\\\\msiexec.exe","Protocol":"tcp","Initiated":"true","SourceIp":"10.77.0.10","SourcePort":"50000","DestinationIp":"%s","DestinationPort":"%s","DestinationHostname":"-","SourceModuleType":"im_msvistalog"}\n' \
        "$HOSTFQDN" "$(utc "$1" "$2")" "$3" "$((5000 + $3))" "$4" "$5"
}
# Sysmon 7: sysmon7 BASE OFFSET GUIDN DLLPATH SIGNED
sysmon7() {
    printf '{"Hostname":"%s","SourceName":"Microsoft-Windows-Sysmon","EventID":7,"UtcTime":"%s","ProcessGuid":"{4a1b2c3d-0000-1111-2222-%012d}","ProcessId":"%d","Image":"C:\\\\Windows\\\\System32\\\\msiexec.exe","ImageLoaded":"%s","Signed":"%s","SignatureStatus":"%s","SourceModuleType":"im_msvistalog"}\n' \
        "$HOSTFQDN" "$(utc "$1" "$2")" "$3" "$((5000 + $3))" "$(js "$4")" "$5" "$([ "$5" = true ] && echo Valid || echo Unavailable)"
}
MSIEXEC='C:\Windows\System32\msiexec.exe'
ALERTQ='[.event.severity, .host.name, (.msiwatch.reasons | join(",")), .destination.ip, .destination.domain, .msiwatch.alert.kind]'
alerts() { "$MSIWATCH" -s "${STATE:-:memory:}" "$@" 2>"$TMP/err"; }

# 1. HTTP: msiexec /q /i http://10.77.0.20/pkg/setup.msi, its connection, the verified MSI
T=$(t0 "$L/http-msi.pcap")
{ sysmon1 "$T" -0.4 11 "$MSIEXEC" 'msiexec.exe /q /i http://10.77.0.20/pkg/setup.msi'
  sysmon3 "$T" 0.0 11 10.77.0.20 80; } >"$TMP/http.jsonl"
alerts -r "$L/http-msi.pcap" -e "$TMP/http.jsonl" >"$TMP/a1"
expect_eq "http: one critical alert on WIN10-LAB, first-seen IP, verified MSI" "$(jq -c "$ALERTQ" "$TMP/a1")" \
    '[4,"WIN10-LAB.lab.msiwatch.test","remote-url-argument,first-seen-ip,windows-installer-user-agent,payload-msi","10.77.0.20",null,"process"]'
expect_eq "http: the evidence is the fetch, hashed, joined by the run's own connection" \
    "$(jq -c '.msiwatch.evidence.network[] | [.url.original, .file.type, .file.hash.sha256, .msiwatch.matched]' "$TMP/a1")" \
    '["http://10.77.0.20/pkg/setup.msi","msi","df7a0245532689137571a21bc450129bfa2643b3b8241252e676517626f3173a","sysmon3"]'
expect_eq "http: process, host address, rarity, rule and technique" \
    "$(jq -c '[.process.entity_id, .process.pid, .host.ip, .msiwatch.rarity.first_seen.ip, .msiwatch.rarity.baseline_complete, .rule.id, .threat.technique.id[0], .event.risk_score]' "$TMP/a1")" \
    '["4A1B2C3D-0000-1111-2222-000000000011",5011,"10.77.0.10",true,false,"AN0445","T1218.007",95]'

# 1b. enrichment: the destination's country, city and AS from two databases
alerts -r "$L/http-msi.pcap" -e "$TMP/http.jsonl" -G "$TESTS_DIR/data/mmdb/test-city.mmdb" \
    -G "$TESTS_DIR/data/mmdb/test-asn.mmdb" >"$TMP/a1g"
expect_eq "-G city and ASN databases: destination.geo and destination.as" "$(jq -c .destination "$TMP/a1g")" \
    '{"ip":"10.77.0.20","port":80,"geo":{"country_iso_code":"NL","country_name":"Netherlands","city_name":"Amsterdam"},"as":{"number":64500,"organization":{"name":"Lab Transit B.V."}}}'

# 2. the same replay twice gives the same bytes
alerts -r "$L/http-msi.pcap" -e "$TMP/http.jsonl" >"$TMP/a1b"
check "a replay gives byte-identical alerts on every run" cmp -s "$TMP/a1" "$TMP/a1b"

# 3. allowlisted deployment server: informational, naming the entry
printf '# lab deployment server\nhost 10.77.0.20\n' >"$TMP/allow"
alerts -r "$L/http-msi.pcap" -e "$TMP/http.jsonl" --allowlist "$TMP/allow" >"$TMP/a3"
expect_eq "allowlisted server: severity 0, the entry named, still written" \
    "$(jq -c '[.event.severity, .msiwatch.allowlisted, (.msiwatch.reasons | index("allowlisted") != null)]' "$TMP/a3")" \
    '[0,"host 10.77.0.20",true]'

# 4. seen before: --learn from an earlier capture of the same server, then a
#    fetch from it (port 8080, gzip) hours later is not first-seen: medium
STATE=$TMP/learn.db
alerts --learn -r "$L/http-msi.pcap" >"$TMP/learned"
expect_eq "--learn writes no alerts" "$(grep -c . "$TMP/learned")" 0
T=$(t0 "$L/http-gzip-msi.pcap")
sysmon1 "$T" -0.3 12 "$MSIEXEC" 'msiexec /i "http://10.77.0.20:8080/pkg/setup.msi" /qn' >"$TMP/gz.jsonl"
alerts -r "$L/http-gzip-msi.pcap" -e "$TMP/gz.jsonl" >"$TMP/a4"
# (the earlier sighting is the server's first answer in the learned capture: its SYN-ACK's flow)
expect_eq "seen before: medium, not first-seen, the earlier sighting's time" \
    "$(jq -c '[.event.severity, .msiwatch.rarity.first_seen.ip, .msiwatch.rarity.first_seen_at, .msiwatch.rarity.hosts]' "$TMP/a4")" \
    '[2,false,"2026-11-28T13:50:35.941133Z",1]'
# (no Sysmon 3 in this run: the host is inferred from the Windows Installer fetch)
expect_eq "seen before: the run, its gzip fetch and its reasons" \
    "$(jq -c '[(.msiwatch.reasons | join(",")), .msiwatch.evidence.network[0].url.original, .msiwatch.evidence.network[0].file.type]' "$TMP/a4")" \
    '["remote-url-argument,host-inferred-from-fetch,windows-installer-user-agent,payload-msi","http://10.77.0.20:8080/pkg/setup.msi","msi"]'
unset STATE
check "the learned state file is readable with sqlite3" \
    test "$(sqlite3 "$TMP/learn.db" "select count(*) from destinations where kind='ip' and key='10.77.0.20'" 2>/dev/null)" = 1

# 5. events out of order, endpoint clock 90 s ahead: the same verdict
T=$(t0 "$L/http-msi.pcap")
{ sysmon3 "$T" 90.0 13 10.77.0.20 80
  sysmon7 "$T" 90.6 13 'C:\Users\labuser\AppData\Local\Temp\MSI1A2B.tmp' false
  sysmon1 "$T" 89.6 13 "$MSIEXEC" 'msiexec.exe /q /i http://10.77.0.20/pkg/setup.msi'; } >"$TMP/skew.jsonl"
alerts -r "$L/http-msi.pcap" -e "$TMP/skew.jsonl" >"$TMP/a5"
expect_eq "skewed +90 s and out of order: joined, critical, with the module evidence" \
    "$(jq -c '[.event.severity, (.msiwatch.reasons | join(",")), (.msiwatch.evidence.network | length), (.msiwatch.evidence.modules[0].msiwatch.reasons | join(","))]' "$TMP/a5")" \
    '[4,"remote-url-argument,first-seen-ip,windows-installer-user-agent,payload-msi,unsigned-module-load,module-from-temp",1,"unsigned-module-load,module-from-temp"]'

# 5b. a steady offset: three runs on the host, each with the clock 90 s ahead:
#     estimated from the joins and reported
{ n=30
  for p in http-msi http-dll webdav-msi; do
      T=$(t0 "$L/$p.pcap")
      n=$((n + 1))
      case $p in
          webdav-msi) sysmon1 "$T" 89.8 "$n" "$MSIEXEC" 'msiexec /i \\10.77.0.20\DavWWWRoot\pkg\setup.msi' ;;
          *) sysmon1 "$T" 89.6 "$n" "$MSIEXEC" 'msiexec /qn /i http://10.77.0.20/pkg/setup.msi' ;;
      esac
  done; } >"$TMP/offset.jsonl"
alerts -r "$L/http-msi.pcap" -r "$L/http-dll.pcap" -r "$L/webdav-msi.pcap" -e "$TMP/offset.jsonl" >"$TMP/a5b"
# (the runs' first joins by destination lie -89.6, -90.9 and -89.8 s away: the
#  http-dll run's first match is the fetch of the same URL a second earlier)
expect_eq "a host's steady clock offset: the median of three joins, on every alert" \
    "$(jq -r '.msiwatch.clock_offset_s | if . == null then "none" else (. * 10 | round / 10 | tostring) end' "$TMP/a5b" | tr '\n' ' ')" \
    "-89.8 -89.8 -89.8 "

# 6. network-only: the Windows Installer fetch of a verified MSI, no events
alerts -r "$L/http-msi.pcap" >"$TMP/a6"
expect_eq "network-only chain: one medium alert naming the source as the host" "$(jq -c "$ALERTQ" "$TMP/a6")" \
    '[2,"10.77.0.10","network-only,first-seen-ip,windows-installer-user-agent,payload-msi","10.77.0.20",null,"network-only"]'

# 7. SMB: msiexec /i \\10.77.0.20\pkgs\setup.msi; the host from NTLMSSP
T=$(t0 "$L/smb2-msi.pcap")
sysmon1 "$T" -0.2 14 "$MSIEXEC" 'msiexec /i \\10.77.0.20\pkgs\setup.msi /quiet' >"$TMP/smb.jsonl"
alerts -r "$L/smb2-msi.pcap" -e "$TMP/smb.jsonl" >"$TMP/a7"
expect_eq "smb: high (first-seen server), joined by destination from the host NTLMSSP named" \
    "$(jq -c '[.event.severity, .host.name, (.msiwatch.reasons | join(",")), ([.msiwatch.evidence.network[] | .file.path] | unique)]' "$TMP/a7")" \
    '[3,"WIN10-LAB.lab.msiwatch.test","unc-argument,first-seen-ip",["\\\\10.77.0.20\\IPC$","\\\\10.77.0.20\\pkgs","\\\\10.77.0.20\\pkgs\\setup.msi"]]'

# 8. WebDAV: the redirector's fetch of \\10.77.0.20\DavWWWRoot\pkg\setup.msi
T=$(t0 "$L/webdav-msi.pcap")
sysmon1 "$T" -0.2 15 "$MSIEXEC" 'msiexec /i \\10.77.0.20\DavWWWRoot\pkg\setup.msi' >"$TMP/dav.jsonl"
alerts -r "$L/webdav-msi.pcap" -e "$TMP/dav.jsonl" >"$TMP/a8"
expect_eq "webdav: critical, the redirector's GET of the verified MSI joined" \
    "$(jq -c '[.event.severity, (.msiwatch.reasons | join(",")), ([.msiwatch.evidence.network[] | select(.file.type == "msi") | .url.original])]' "$TMP/a8")" \
    '[4,"webdav-argument,first-seen-ip,host-inferred-from-fetch,payload-msi",["\\\\10.77.0.20\\DavWWWRoot\\pkg\\setup.msi"]]'

# 9. HTTPS: msiexec /i https://lab.msiwatch.test/...; SNI, first-seen domain
T=$(t0 "$L/https-msi.pcap")
sysmon1 "$T" -0.2 16 "$MSIEXEC" 'msiexec /i https://lab.msiwatch.test/pkg/setup.msi /qb' >"$TMP/tls.jsonl"
alerts -r "$L/https-msi.pcap" -e "$TMP/tls.jsonl" >"$TMP/a9"
expect_eq "https: high, joined by SNI, first-seen domain" \
    "$(jq -c '[.event.severity, (.msiwatch.reasons | join(",")), .destination.domain, .msiwatch.evidence.network[0].tls.client.server_name, .msiwatch.rarity.first_seen.domain]' "$TMP/a9")" \
    '[3,"remote-url-argument,first-seen-domain,first-seen-ip,host-inferred-from-fetch","lab.msiwatch.test","lab.msiwatch.test",true]'

# 10. /y DLL: no network, an unsigned load from %TEMP% by msiexec
T=$(t0 "$L/http-msi.pcap")
{ sysmon1 "$T" 0 17 "$MSIEXEC" 'msiexec /y C:\Users\labuser\AppData\Local\Temp\payload.dll'
  sysmon7 "$T" 0.3 17 'C:\Users\labuser\AppData\Local\Temp\payload.dll' false
  sysmon7 "$T" 0.3 17 'C:\Windows\System32\kernel32.dll' true; } >"$TMP/y.jsonl"
alerts -e "$TMP/y.jsonl" >"$TMP/a10"
expect_eq "/y DLL: high, the unsigned load as evidence, the signed one not" \
    "$(jq -c '[.event.severity, (.msiwatch.reasons | join(",")), [.msiwatch.evidence.modules[] | .dll.path], .msiwatch.msiexec.action]' "$TMP/a10")" \
    '[3,"dll-register-argument,unsigned-module-load,module-from-temp",["C:\\Users\\labuser\\AppData\\Local\\Temp\\payload.dll"],"register"]'

# 11. MsiInstaller 1040 and 1042 without a command line (an install through WMI)
T=$(t0 "$L/http-msi.pcap")
for code in 1040 1042; do
    off=$([ $code = 1040 ] && echo -0.5 || echo 3)
    verb=$([ $code = 1040 ] && echo Beginning || echo Ending)
    # NXLog's EventTime: local time without a zone (UTC here, --event-utc-offset 0)
    printf '{"EventTime":"%s","Hostname":"%s","SourceName":"MsiInstaller","Channel":"Application","EventID":%s,"Message":"%s a Windows Installer transaction: http://10.77.0.20/pkg/setup.msi. Client Process Id: 6100.","SourceModuleType":"im_msvistalog"}\n' \
        "$(utc "$T" "$off" | cut -c1-19)" "$HOSTFQDN" "$code" "$verb"
done >"$TMP/wmi.jsonl"
alerts -r "$L/http-msi.pcap" -e "$TMP/wmi.jsonl" >"$TMP/a11"
expect_eq "MsiInstaller 1040+1042: one installer chain, the fetch joined, critical" \
    "$(jq -c '[.event.severity, .msiwatch.alert.kind, (.msiwatch.reasons | join(",")), .msiwatch.package]' "$TMP/a11")" \
    '[4,"installer","msiinstaller-remote-package,remote-url-argument,first-seen-ip,host-inferred-from-fetch,windows-installer-user-agent,payload-msi","http://10.77.0.20/pkg/setup.msi"]'

# 12. a local install, and an uninstall by product code: no alert
T=$(t0 "$L/http-msi.pcap")
{ sysmon1 "$T" 600 18 "$MSIEXEC" 'msiexec /i C:\pkgs\setup.msi /qn'
  sysmon1 "$T" 601 19 "$MSIEXEC" 'msiexec /x {11111111-2222-3333-4444-555555555555} /qn'; } >"$TMP/local.jsonl"
alerts -e "$TMP/local.jsonl" --stats >"$TMP/a12"
expect_eq "local install and uninstall by product code: no alert" "$(grep -c . "$TMP/a12")" 0
expect_eq "...and the counters say why: two records, no chain" \
    "$(grep '"msiwatch.stats"' "$TMP/err" | jq -c '.msiwatch.stats | [.endpoint.records, .endpoint.msiexec_suspicious, .correlation.chains]')" '[2,0,0]'

# 13. a non-msiexec process fetching the package: no process chain for it
T=$(t0 "$L/http-msi.pcap")
sysmon1 "$T" -0.3 20 'C:\Windows\System32\certutil.exe' \
    'certutil.exe -urlcache -split -f http://10.77.0.20/pkg/setup.msi C:\Users\labuser\x.msi' CertUtil.exe >"$TMP/cu.jsonl"
alerts -r "$L/http-msi.pcap" -e "$TMP/cu.jsonl" >"$TMP/a13"
expect_eq "certutil's command line is not an msiexec chain (the capture's Windows Installer fetch stays network-only)" \
    "$(jq -c '[.msiwatch.alert.kind, .event.severity]' "$TMP/a13" | tr '\n' ' ')" '["network-only",2] '

# 15. a renamed msiexec (OriginalFileName msiexec.exe) with an IP literal and a port
T=$(t0 "$L/http-gzip-msi.pcap")
sysmon1 "$T" -0.3 40 'C:\Users\labuser\Downloads\update.exe' 'update.exe /i http://10.77.0.20:8080/pkg/setup.msi /qn' \
    msiexec.exe >"$TMP/renamed.jsonl"
alerts -r "$L/http-gzip-msi.pcap" -e "$TMP/renamed.jsonl" >"$TMP/a16"
expect_eq "renamed msiexec, IP literal and port: high, renamed-msiexec among the reasons, joined on port 8080" \
    "$(jq -c '[.event.severity, (.msiwatch.reasons | index("renamed-msiexec") != null), .process.executable, .msiwatch.evidence.network[0].destination.port]' "$TMP/a16")" \
    '[4,true,"C:\\Users\\labuser\\Downloads\\update.exe",8080]'

# 16. two hosts at once, only one malicious: http-msi.pcap and a copy whose
#     client is 10.77.0.11 (addresses rewritten, checksums recomputed, 0.2 s
#     later); WIN10-B's own connection names its address. One alert, on
#     WIN10-LAB, with WIN10-LAB's fetch only.
python3 - "$L/http-msi.pcap" "$TMP/two.pcap" <<'EOF2'
import struct, sys
raw = open(sys.argv[1], "rb").read()
e = "<" if raw[:4] == b"\xd4\xc3\xb2\xa1" else ">"
recs, off = [], 24
while off + 16 <= len(raw):
    s, us, incl, orig = struct.unpack(e + "IIII", raw[off:off + 16])
    recs.append((s + us / 1e6, raw[off + 16:off + 16 + incl], orig))
    off += 16 + incl
def csum(b):
    if len(b) % 2: b += b"\0"
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while x >> 16: x = (x & 0xFFFF) + (x >> 16)
    return ~x & 0xFFFF
A, B = bytes([10, 77, 0, 10]), bytes([10, 77, 0, 11])
out = []
for t, f, orig in recs:
    out.append((t, f, orig))
    if len(f) < 34 or f[12:14] != b"\x08\x00":
        continue
    g = bytearray(f)
    ihl = (g[14] & 15) * 4
    for o in (26, 30):
        if g[o:o + 4] == A: g[o:o + 4] = B
    g[24:26] = b"\0\0"
    g[24:26] = struct.pack("!H", csum(bytes(g[14:14 + ihl])))
    if g[23] == 6:
        tl = struct.unpack("!H", g[16:18])[0] - ihl
        seg = g[14 + ihl:14 + ihl + tl]
        seg[16:18] = b"\0\0"
        ph = bytes(g[26:34]) + struct.pack("!BBH", 0, 6, tl)
        seg[16:18] = struct.pack("!H", csum(ph + bytes(seg)))
        g[14 + ihl:14 + ihl + tl] = seg
    out.append((t + 0.2, bytes(g), orig))
out.sort(key=lambda r: r[0])
with open(sys.argv[2], "wb") as w:
    w.write(raw[:24])
    for t, f, orig in out:
        w.write(struct.pack(e + "IIII", int(t), int(round((t % 1) * 1e6)) % 1000000, len(f), orig) + f)
EOF2
T=$(t0 "$L/http-msi.pcap")
{ sysmon1 "$T" -0.4 41 "$MSIEXEC" 'msiexec.exe /q /i http://10.77.0.20/pkg/setup.msi'
  sysmon3 "$T" 0.0 41 10.77.0.20 80
  sysmon1 "$T" -0.1 42 'C:\Windows\System32\notepad.exe' 'notepad.exe C:\Users\b\todo.txt' notepad.exe |
      sed 's/WIN10-LAB.lab.msiwatch.test/WIN10-B.lab.msiwatch.test/'
  printf '{"Hostname":"WIN10-B.lab.msiwatch.test","SourceName":"Microsoft-Windows-Sysmon","EventID":3,"UtcTime":"%s","ProcessGuid":"{4a1b2c3d-0000-1111-2222-000000000043}","ProcessId":"5043","Image":"C:\\\\Program Files (x86)\\\\Microsoft\\\\Edge\\\\Application\\\\msedge.exe","Protocol":"tcp","Initiated":"true","SourceIp":"10.77.0.11","SourcePort":"51000","DestinationIp":"10.77.0.20","DestinationPort":"80","DestinationHostname":"-","SourceModuleType":"im_msvistalog"}\n' "$(utc "$T" 0.2)"
} >"$TMP/two.jsonl"
alerts -r "$TMP/two.pcap" -e "$TMP/two.jsonl" >"$TMP/a17"
expect_eq "two hosts, one malicious: one alert, on WIN10-LAB, with only WIN10-LAB's fetch" \
    "$(jq -c '[.host.name, .host.ip, ([.msiwatch.evidence.network[] | .source.ip] | unique)]' "$TMP/a17" | tr '\n' ' ')" \
    '["WIN10-LAB.lab.msiwatch.test","10.77.0.10",["10.77.0.10"]] '

# 17. the AS number is a rarity key when an ASN database is loaded
STATE=$TMP/asn.db
alerts -r "$L/http-msi.pcap" -G "$TESTS_DIR/data/mmdb/test-asn.mmdb" >/dev/null
unset STATE
expect_eq "rarity table: the destination's AS number recorded as kind asn" \
    "$(sqlite3 "$TMP/asn.db" "select key from destinations where kind='asn'" 2>/dev/null)" "AS64500"

# 18. an update: the run's unsigned module load arrives after its alert was
#     written: a 2 s window (no skew) closes when the next capture, hours
#     later, moves the clock; the load comes last in the file, behind an
#     unrelated event after both captures, within a long lateness bound. The
#     alert is written again with the same event.id, revision 1.
T=$(t0 "$L/http-msi.pcap")
{ sysmon1 "$T" -0.4 50 "$MSIEXEC" 'msiexec.exe /q /i http://10.77.0.20/pkg/setup.msi'
  sysmon3 "$T" 0.0 50 10.77.0.20 80
  sysmon1 "$T" 10000 51 'C:\Windows\System32\notepad.exe' notepad.exe notepad.exe
  sysmon7 "$T" 1.0 50 'C:\Users\labuser\AppData\Local\Temp\ca.dll' false; } >"$TMP/late.jsonl"
alerts -r "$L/http-msi.pcap" -r "$L/http-gzip-msi.pcap" -e "$TMP/late.jsonl" \
    --window-after 2 --clock-skew 0 --lateness 20000 >"$TMP/a18"
expect_eq "late evidence: the alert, then an update with the same id, the module added" \
    "$(jq -c 'select(.process.pid == 5050) | [.event.id == "'"$(jq -r 'select(.process.pid == 5050) | .event.id' "$TMP/a18" | head -1)"'", .event.action, .msiwatch.alert.revision, (.msiwatch.evidence.modules | length)]' "$TMP/a18" | tr '\n' ' ')" \
    '[true,"alert",0,0] [true,"update",1,1] '

# 19. the same runs in other formats forwarders write: rendered event XML
#     (Windows Event Forwarding) and Winlogbeat JSON
T=$(t0 "$L/smb2-msi.pcap")
printf '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/><EventID>1</EventID><TimeCreated SystemTime="%sZ"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>%s</Computer></System><EventData><Data Name="UtcTime">%s</Data><Data Name="ProcessGuid">{4a1b2c3d-0000-1111-2222-000000000060}</Data><Data Name="ProcessId">5060</Data><Data Name="Image">C:\Windows\System32\msiexec.exe</Data><Data Name="OriginalFileName">msiexec.exe</Data><Data Name="CommandLine">msiexec /i \\\\10.77.0.20\\pkgs\\setup.msi /quiet</Data><Data Name="User">LAB\labuser</Data></EventData></Event>\n' \
    "$(utc "$T" -0.2 | tr ' ' T)" "$HOSTFQDN" "$(utc "$T" -0.2)" >"$TMP/smb.xml"
alerts -r "$L/smb2-msi.pcap" -e "$TMP/smb.xml" >"$TMP/a19"
expect_eq "rendered XML: the SMB run joined as from NXLog JSON" \
    "$(jq -c '[.event.severity, .process.entity_id, (.msiwatch.reasons | join(","))]' "$TMP/a19")" \
    '[3,"4A1B2C3D-0000-1111-2222-000000000060","unc-argument,first-seen-ip"]'
T=$(t0 "$L/https-msi.pcap")
printf '{"@timestamp":"%sZ","event":{"code":"1","provider":"Microsoft-Windows-Sysmon","kind":"event"},"host":{"name":"%s"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"provider_name":"Microsoft-Windows-Sysmon","computer_name":"%s","event_data":{"UtcTime":"%s","ProcessGuid":"{4A1B2C3D-0000-1111-2222-000000000061}","ProcessId":"5061","Image":"C:\\\\Windows\\\\System32\\\\msiexec.exe","OriginalFileName":"msiexec.exe","CommandLine":"msiexec /i https://lab.msiwatch.test/pkg/setup.msi /qb"}}}\n' \
    "$(utc "$T" -0.2 | tr ' ' T)" "$HOSTFQDN" "$HOSTFQDN" "$(utc "$T" -0.2)" >"$TMP/tls.winlogbeat.json"
alerts -r "$L/https-msi.pcap" -e "$TMP/tls.winlogbeat.json" >"$TMP/a20"
expect_eq "Winlogbeat JSON: the HTTPS run joined by SNI" \
    "$(jq -c '[.event.severity, .process.pid, .destination.domain]' "$TMP/a20")" '[3,5061,"lab.msiwatch.test"]'

# 20. a non-msiexec downloader with its own User-Agent: http-msi.pcap with
#     the request's User-Agent rewritten (sequence numbers, lengths and
#     checksums adjusted): certutil and a browser fetch the MSI; no alert
rewrite_ua() { # rewrite_ua NEWUA OUT
    python3 - "$L/http-msi.pcap" "$1" "$2" <<'EOF2'
import struct, sys
raw = open(sys.argv[1], "rb").read()
new = sys.argv[2].encode()
e = "<" if raw[:4] == b"\xd4\xc3\xb2\xa1" else ">"
def csum(b):
    if len(b) % 2: b += b"\0"
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while x >> 16: x = (x & 0xFFFF) + (x >> 16)
    return ~x & 0xFFFF
out, off, delta, cport = [raw[:24]], 24, 0, None
while off + 16 <= len(raw):
    s, us, incl, orig = struct.unpack(e + "IIII", raw[off:off + 16])
    f = bytearray(raw[off + 16:off + 16 + incl]); off += 16 + incl
    if len(f) > 34 and f[12:14] == b"\x08\x00" and f[23] == 6:
        ihl = (f[14] & 15) * 4
        t = 14 + ihl
        sp, dp = struct.unpack("!HH", f[t:t + 4])
        thl = (f[t + 12] >> 4) * 4
        seq, ack = struct.unpack("!II", f[t + 4:t + 12])
        data = bytes(f[t + thl:14 + struct.unpack("!H", f[16:18])[0]])
        if dp == 80 and b"User-Agent: Windows Installer" in data:
            data = data.replace(b"User-Agent: Windows Installer", b"User-Agent: " + new)
            d = len(data) - (struct.unpack("!H", f[16:18])[0] - ihl - thl)
            cport = sp
        else:
            d = 0
        if dp == 80 and sp == cport and d == 0:
            seq = (seq + delta) & 0xFFFFFFFF
        if sp == 80 and dp == cport:
            ack = (ack + delta) & 0xFFFFFFFF
        tcp = bytearray(f[t:t + thl]) + data
        struct.pack_into("!II", tcp, 4, seq, ack)
        tcp[16:18] = b"\0\0"
        ph = bytes(f[26:34]) + struct.pack("!BBH", 0, 6, len(tcp))
        struct.pack_into("!H", tcp, 16, csum(ph + bytes(tcp)))
        ip = bytearray(f[14:t])
        struct.pack_into("!H", ip, 2, len(ip) + len(tcp))
        ip[10:12] = b"\0\0"
        struct.pack_into("!H", ip, 10, csum(bytes(ip)))
        f = f[:14] + ip + tcp
        if d:
            delta += d
        orig = len(f)
    out.append(struct.pack(e + "IIII", s, us, len(f), orig) + bytes(f))
open(sys.argv[3], "wb").write(b"".join(out))
EOF2
}
rewrite_ua "Microsoft-CryptoAPI/10.0" "$TMP/certutil.pcap"
rewrite_ua "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0" "$TMP/edge.pcap"
expect_eq "the rewritten captures still give the fetch, typed and hashed, with the new User-Agent" \
    "$("$MSIWATCH" -s :memory: -r "$TMP/certutil.pcap" --records - | jq -c 'select(.event.dataset == "msiwatch.http") | [.user_agent.original, .file.type, .file.hash.sha256[0:8], .msiwatch.http.body]')" \
    '["Microsoft-CryptoAPI/10.0","msi","df7a0245","complete"]'
T=$(t0 "$L/http-msi.pcap")
sysmon1 "$T" -0.3 60 'C:\Windows\System32\certutil.exe' \
    'certutil.exe -urlcache -split -f http://10.77.0.20/pkg/setup.msi C:\Users\labuser\x.msi' CertUtil.exe >"$TMP/cu2.jsonl"
alerts -r "$TMP/certutil.pcap" -e "$TMP/cu2.jsonl" --stats >"$TMP/a21"
expect_eq "certutil downloads an MSI: no AN0445 alert (not msiexec, not a Windows Installer fetch)" \
    "$(grep -c . "$TMP/a21"):$(grep '"msiwatch.stats"' "$TMP/err" | jq -c '.msiwatch.stats.correlation.chains')" "0:0"
alerts -r "$TMP/edge.pcap" >"$TMP/a22"
expect_eq "a browser downloads an MSI: no AN0445 alert" "$(grep -c . "$TMP/a22")" 0

# 14. bounds: an events-only day of runs passes through --max-pending 100
#     (the events move the clock and close the windows), and 150 runs open
#     at once overflow it, counted
python3 - "$TMP/day.jsonl" "$TMP/burst.jsonl" <<'EOF2'
import datetime, json, sys
def ev(i, t):
    u = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return json.dumps({"Hostname": "WS%d" % (i % 7), "SourceName": "Microsoft-Windows-Sysmon", "EventID": 1,
                       "UtcTime": u, "ProcessGuid": "{4a1b2c3d-0000-1111-2222-%012d}" % i,
                       "ProcessId": str(100 + i), "Image": "C:\\Windows\\System32\\msiexec.exe",
                       "CommandLine": "msiexec /i http://10.9.9.9/p%d.msi" % i}) + "\n"
with open(sys.argv[1], "w") as f:
    for i in range(1500):
        f.write(ev(i, 1795873835 + 24 * i))
with open(sys.argv[2], "w") as f:
    for i in range(150):
        f.write(ev(i, 1795873835 + 0.005 * i))
EOF2
alerts -e "$TMP/day.jsonl" --max-pending 100 --stats >"$TMP/a14"
expect_eq "1500 runs over ten hours, --max-pending 100: 1500 low alerts, no chain dropped" \
    "$(grep -c . "$TMP/a14"):$(grep '"msiwatch.stats"' "$TMP/err" | jq -c '.msiwatch.stats.correlation | [.alerts, .drops.chains]')" "1500:[1500,0]"
alerts -e "$TMP/burst.jsonl" --max-pending 100 --stats >"$TMP/a15"
expect_eq "150 runs in one second, --max-pending 100: 100 alerts, 50 chains dropped and counted" \
    "$(grep -c . "$TMP/a15"):$(grep '"msiwatch.stats"' "$TMP/err" | jq -c '.msiwatch.stats.correlation | [.alerts, .drops.chains]')" "100:[100,50]"

# The ring of held network records keeps its count bound: a 2 MiB mix of
# the lab's conversations (bench/make-capture) holds every TLS and SMB
# record and every HTTP record that is typed or a Windows Installer or
# WebDAV fetch; with --max-held 16 all but the last 16 give way, counted
MC=${BENCH_BIN:-$(dirname "$MSIWATCH")/bench}/make-capture
if [ -x "$MC" ]; then
    "$MC" -o "$TMP/mix.pcap" -s 2 "$L"/http-msi.pcap "$L"/https-msi.pcap "$L"/smb2-msi.pcap "$L"/dns.pcap 2>/dev/null
    alerts -r "$TMP/mix.pcap" --records "$TMP/mix.rec" --stats >/dev/null
    held=$(jq -c 'select(.event.dataset == "msiwatch.tls" or .event.dataset == "msiwatch.smb" or
                  (.event.dataset == "msiwatch.http" and ((.file.type // "other") != "other" or
                   ((.user_agent.original // "") | startswith("Windows Installer")) or .msiwatch.webdav == true)))' \
        "$TMP/mix.rec" | grep -c .)
    d0=$(grep '"msiwatch.stats"' "$TMP/err" | jq '.msiwatch.stats.correlation.drops.held_network_records')
    alerts -r "$TMP/mix.pcap" --max-held 16 --stats >/dev/null
    d16=$(grep '"msiwatch.stats"' "$TMP/err" | jq '.msiwatch.stats.correlation.drops.held_network_records')
    expect_eq "held records: none given way at the default bound, all but 16 of $held at --max-held 16" \
        "$d0 $d16" "0 $((held - 16))"
    check "the mix holds more records than the small bound ($held)" test "$held" -gt 100
else
    skip "the held-records bound" "bench/make-capture is not built"
fi

done_testing
