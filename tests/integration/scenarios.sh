#!/bin/bash
# scenarios.sh -- the correlator's end-to-end lab scenarios (issue 5,
# pcaps/lab/scenarios/, recorded by pcaps/lab/scenarios.sh): each is a real
# capture with the Windows events of the same moments in the format a real
# forwarder writes (NXLog JSON, rendered XML, python-evtx XML, Winlogbeat,
# Snare). Asserts, scenario by scenario, what pcaps/lab/scenarios/README.md
# expects: alert or none, kind, severity, reasons, host, destination, rarity
# verdict, evidence and process; and that the rarity file survives a restart
# and reads with sqlite3.
. "$(dirname "$0")/lib.sh"

S=$PCAPS/lab/scenarios
FQDN=WIN10-LAB.lab.msiwatch.test

# run NAME ARGS...: the alerts of one scenario with a fresh table, one JSON per line
run() {
    local n=$1
    shift
    "$MSIWATCH" -s :memory: "$@" >"$TMP/$n.out" 2>"$TMP/$n.err" || { diag "exit $?" "$(cat "$TMP/$n.err")"; }
}
# verdict FILE: one line per alert, the fields the scenarios table names
verdict() {
    jq -c '[.msiwatch.alert.kind, .event.severity, (.msiwatch.reasons | join(",")), .host.name, .host.ip,
            .destination.domain, .destination.ip, .destination.port, .msiwatch.rarity.first_seen]' "$1"
}
# evidence FILE: how each joined record was matched, its source and what it fetched
evidence() {
    jq -c '[.msiwatch.evidence.network[] | [.msiwatch.matched, .source.ip, (.url.original // .file.path // .tls.client.server_name)]]' "$1"
}

# 1. HTTP fetch of an MSI (NXLog JSON)
run http-msi -r "$S/http-msi.pcap" -e "$S/http-msi.events.nxlog.jsonl"
expect_eq "http-msi: one alert, critical, first-seen IP, the Windows Installer fetch of the MSI" \
    "$(verdict "$TMP/http-msi.out")" \
    '["process",4,"remote-url-argument,first-seen-ip,windows-installer-user-agent,payload-msi","'$FQDN'","10.77.0.10",null,"10.77.0.20",80,{"ip":true}]'
expect_eq "http-msi: joined by the run's own Sysmon 3 (logged after the fetch), the MSI's SHA-256" \
    "$(jq -c '[(.msiwatch.evidence.network[] | [.msiwatch.matched, .file.type, .file.hash.sha256]), .process.executable, .process.command_line]' "$TMP/http-msi.out")" \
    '[["sysmon3","msi","df7a0245532689137571a21bc450129bfa2643b3b8241252e676517626f3173a"],"C:\\Windows\\System32\\msiexec.exe","msiexec /q /i http://10.77.0.20/pkg/setup.msi"]'

# 2. HTTPS (rendered XML): the run's own DNS answer, in the capture just
#    before the connection, does not make the name "seen before"
run https-msi -r "$S/https-msi.pcap" -e "$S/https-msi.events.xml"
expect_eq "https-msi: high, first-seen domain and IP although its DNS answer came first" \
    "$(verdict "$TMP/https-msi.out")" \
    '["process",3,"remote-url-argument,first-seen-domain,first-seen-ip","'$FQDN'","10.77.0.10","lab.msiwatch.test","10.77.0.20",443,{"domain":true,"registered_domain":true,"ip":true}]'
expect_eq "https-msi: joined by the SNI connection the Sysmon 3 names" "$(evidence "$TMP/https-msi.out")" \
    '[["sysmon3","10.77.0.10","lab.msiwatch.test"]]'
run https-nograce -r "$S/https-msi.pcap" -e "$S/https-msi.events.xml" --first-seen-grace 0
expect_eq "https-msi with --first-seen-grace 0: the DNS answer counts, the name is not first-seen: medium" \
    "$(jq -c '[.event.severity, (.msiwatch.reasons | join(",")), .msiwatch.rarity.first_seen]' "$TMP/https-nograce.out")" \
    '[2,"remote-url-argument",{"domain":false,"registered_domain":false,"ip":true}]'

# 3. UNC over SMB (Security 4688, hexadecimal pids, no ProcessGuid)
run smb-unc -r "$S/smb-unc.pcap" -e "$S/smb-unc.events.nxlog.jsonl"
expect_eq "smb-unc: high, first-seen IP in the reasons and in the rarity verdict alike" \
    "$(verdict "$TMP/smb-unc.out")" \
    '["process",3,"unc-argument,first-seen-ip","'$FQDN'","10.77.0.10",null,"10.77.0.20",445,{"ip":true}]'
expect_eq "smb-unc: the trees and the file joined by the UNC server; the pid from the 4688" \
    "$(jq -c '[([.msiwatch.evidence.network[] | .file.path // .url.original]), .process.pid, .process.entity_id]' "$TMP/smb-unc.out")" \
    '[["\\\\10.77.0.20\\IPC$","\\\\10.77.0.20\\pkgs","\\\\10.77.0.20\\pkgs\\setup.msi"],7240,null]'

# 4. WebDAV (Winlogbeat): the WebClient service's Sysmon 3 names the source
run webdav -r "$S/webdav.pcap" -e "$S/webdav.events.winlogbeat.jsonl"
expect_eq "webdav: critical, the redirector's GET of the MSI, the host not merely inferred" \
    "$(verdict "$TMP/webdav.out")" \
    '["process",4,"webdav-argument,first-seen-ip,payload-msi","'$FQDN'","10.77.0.10",null,"10.77.0.20",80,{"ip":true}]'
expect_eq "webdav: OPTIONS/PROPFIND and the GET, as UNC paths" "$(evidence "$TMP/webdav.out")" \
    '[["destination","10.77.0.10","\\\\10.77.0.20\\DavWWWRoot\\"],["destination","10.77.0.10","\\\\10.77.0.20\\DavWWWRoot\\pkg\\setup.msi"],["destination","10.77.0.10","\\\\10.77.0.20\\DavWWWRoot\\pkg\\setup.msi"]]'

# 5. /y DLL, no network (Snare over syslog, short host name)
run dll-y -r "$S/dll-y.pcap" -e "$S/dll-y.events.snare.txt"
expect_eq "dll-y: high, unsigned and from %TEMP%, no destination" "$(verdict "$TMP/dll-y.out")" \
    '["process",3,"dll-register-argument,unsigned-module-load,module-from-temp","WIN10-LAB",null,null,null,null,null]'
expect_eq "dll-y: only payload.dll as module evidence, with both reasons" \
    "$(jq -c '[.msiwatch.evidence.modules[] | [.dll.path, .dll.code_signature.signed, (.msiwatch.reasons | join(","))]]' "$TMP/dll-y.out")" \
    '[["C:\\Users\\labuser\\AppData\\Local\\Temp\\payload.dll",false,"unsigned-module-load,module-from-temp"]]'

# 6. a renamed msiexec with an IP literal and a port (python-evtx XML)
run renamed -r "$S/renamed-ip-port.pcap" -e "$S/renamed-ip-port.events.evtx-dump.xml"
expect_eq "renamed-ip-port: critical, renamed-msiexec, port 8081" "$(verdict "$TMP/renamed.out")" \
    '["process",4,"remote-url-argument,renamed-msiexec,first-seen-ip,windows-installer-user-agent,payload-msi","'$FQDN'","10.77.0.10",null,"10.77.0.20",8081,{"ip":true}]'
expect_eq "renamed-ip-port: the program is update.exe, originally msiexec.exe" \
    "$(jq -c '[.process.executable, .process.pe.original_file_name]' "$TMP/renamed.out")" \
    '["C:\\Users\\labuser\\Downloads\\update.exe","msiexec.exe"]'

# 7. a local install: no alert
run local -r "$S/local-install.pcap" -e "$S/local-install.events.nxlog.jsonl" --stats
expect_eq "local-install: no alert" "$(grep -c . "$TMP/local.out")" 0
expect_eq "local-install: every event read, none malformed, no chain" \
    "$(grep '"msiwatch.stats"' "$TMP/local.err" | jq -c '.msiwatch.stats | [.endpoint.malformed, .correlation.chains]')" '[0,0]'

# 8. a deployment server on the allowlist: informational, the entry named
run allow -r "$S/allowlisted.pcap" -e "$S/allowlisted.events.xml" --allowlist "$S/allowlist.sample"
expect_eq "allowlisted: informational, the chain's reasons kept, first-seen reported not hidden" \
    "$(verdict "$TMP/allow.out")" \
    '["process",0,"remote-url-argument,first-seen-domain,first-seen-ip,windows-installer-user-agent,payload-msi,allowlisted","'$FQDN'","10.77.0.10","deploy.lab.msiwatch.test","10.77.0.20",80,{"domain":true,"registered_domain":true,"ip":true}]'
expect_eq "allowlisted: the entry that matched" "$(jq -r '.msiwatch.allowlisted' "$TMP/allow.out")" \
    'domain deploy.lab.msiwatch.test'
run noallow -r "$S/allowlisted.pcap" -e "$S/allowlisted.events.xml"
expect_eq "allowlisted without --allowlist: critical" "$(jq -c '[.event.severity, .msiwatch.allowlisted]' "$TMP/noallow.out")" '[4,null]'

# 9. a destination seen in earlier traffic (--learn), then a restart
DB=$TMP/state.db
"$MSIWATCH" -s "$DB" --learn -r "$S/seen-before-learn.pcap" >"$TMP/learn.out" 2>&1
expect_eq "seen-before: --learn writes no alert" "$(grep -c . "$TMP/learn.out")" 0
"$MSIWATCH" -s "$DB" -r "$S/seen-before.pcap" -e "$S/seen-before.events.nxlog.jsonl" >"$TMP/seen.out" 2>"$TMP/seen.err"
expect_eq "seen-before: after a restart, medium, no first-seen reason" "$(verdict "$TMP/seen.out")" \
    '["process",2,"remote-url-argument,windows-installer-user-agent,payload-msi","'$FQDN'","10.77.0.10","cdn.lab.msiwatch.test","10.77.0.20",80,{"domain":false,"registered_domain":false,"ip":false}]'
expect_eq "seen-before: the verdict says when, how many hosts, and that the baseline is short" \
    "$(jq -c '.msiwatch.rarity | [.first_seen_at, .hosts, .baseline_days, .baseline_complete]' "$TMP/seen.out")" \
    "$(jq -nc --arg t "$(sqlite3 "$DB" "select strftime('%Y-%m-%dT%H:%M:%S', first_seen_us / 1000000, 'unixepoch') || printf('.%06dZ', first_seen_us % 1000000) from destinations where kind = 'fqdn' and key = 'cdn.lab.msiwatch.test'" 2>/dev/null)" '[$t, 1, 0, false]')"
if command -v sqlite3 >/dev/null; then
    expect_eq "seen-before: sqlite3 reads the table: the name, its registered domain and the address" \
        "$(sqlite3 "$DB" "select kind || ' ' || key || ' ' || hosts from destinations where key in ('cdn.lab.msiwatch.test', 'msiwatch.test', '10.77.0.20') order by kind")" \
        "$(printf 'domain msiwatch.test 1\nfqdn cdn.lab.msiwatch.test 1\nip 10.77.0.20 1')"
    expect_eq "seen-before: the file passes integrity_check" "$(sqlite3 "$DB" 'pragma integrity_check')" ok
else
    skip "seen-before: sqlite3 reads the table" "sqlite3 is not installed"
    skip "seen-before: integrity_check" "sqlite3 is not installed"
fi
run seen-empty -r "$S/seen-before.pcap" -e "$S/seen-before.events.nxlog.jsonl"
expect_eq "seen-before with an empty table: critical, first-seen domain" \
    "$(jq -c '[.event.severity, (.msiwatch.reasons | join(","))]' "$TMP/seen-empty.out")" \
    '[4,"remote-url-argument,first-seen-domain,first-seen-ip,windows-installer-user-agent,payload-msi"]'

# 10. events out of order, the endpoint clock 90 s ahead
run late -r "$S/late-skewed.pcap" -e "$S/late-skewed.events.nxlog.jsonl"
expect_eq "late-skewed: as http-msi, joined by its Sysmon 3 across the skew" "$(verdict "$TMP/late.out")" \
    '["process",4,"remote-url-argument,first-seen-ip,windows-installer-user-agent,payload-msi","'$FQDN'","10.77.0.10",null,"10.77.0.20",80,{"ip":true}]'
expect_eq "late-skewed: the alert's time is the endpoint's, 90 s after the fetch" \
    "$(jq -r '[.["@timestamp"], .msiwatch.evidence.network[0]["@timestamp"]] | map(sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) | .[0] - .[1] | floor' "$TMP/late.out")" 89

# 11. a network-only chain, no events
run netonly -r "$S/network-only.pcap"
expect_eq "network-only: medium, the fetch's source as host" "$(verdict "$TMP/netonly.out")" \
    '["network-only",2,"network-only,first-seen-ip,windows-installer-user-agent,payload-msi","10.77.0.10","10.77.0.10",null,"10.77.0.20",80,{"ip":true}]'

# 12. certutil and its CryptoAPI fetch of the MSI: no AN0445 alert
run certutil -r "$S/certutil.pcap" -e "$S/certutil.events.xml" --stats
expect_eq "certutil: no alert, not even network-only" "$(grep -c . "$TMP/certutil.out")" 0
expect_eq "certutil: its events were read (4688, Sysmon 1, 7, 3), none malformed" \
    "$(grep '"msiwatch.stats"' "$TMP/certutil.err" | jq -c '.msiwatch.stats | [.endpoint.records, .endpoint.malformed]')" '[4,0]'

# 13. two hosts at once, one malicious
run two -r "$S/two-hosts.pcap" -e "$S/two-hosts.events.nxlog.jsonl"
expect_eq "two-hosts: exactly one alert, on WIN10-LAB, critical" "$(verdict "$TMP/two.out")" \
    '["process",4,"remote-url-argument,first-seen-ip,windows-installer-user-agent,payload-msi","'$FQDN'","10.77.0.10",null,"10.77.0.20",80,{"ip":true}]'
expect_eq "two-hosts: only WIN10-LAB's fetch as evidence" "$(evidence "$TMP/two.out")" \
    '[["sysmon3","10.77.0.10","http://10.77.0.20/pkg/setup.msi"]]'

# 14. an install through WMI: MsiInstaller 1040/1042 with a remote package
run wmi -r "$S/msiinstaller-wmi.pcap" -e "$S/msiinstaller-wmi.events.xml"
expect_eq "msiinstaller-wmi: one installer chain, critical" "$(verdict "$TMP/wmi.out")" \
    '["installer",4,"msiinstaller-remote-package,remote-url-argument,first-seen-ip,windows-installer-user-agent,payload-msi","'$FQDN'","10.77.0.10",null,"10.77.0.20",80,{"ip":true}]'
expect_eq "msiinstaller-wmi: the package, and the client process from its Sysmon 1" \
    "$(jq -c '[.msiwatch.package, .process.pid, .process.executable]' "$TMP/wmi.out")" \
    '["http://10.77.0.20/pkg/setup.msi",8148,"C:\\Windows\\System32\\wbem\\WmiPrvSE.exe"]'

# every event file parses fully
for f in "$S"/*.events.*; do
    case $f in
    *.xml) n=$(grep -o '<Event[ >]' "$f" | wc -l) ;;
    *) n=$(grep -c . "$f") ;;
    esac
    "$MSIWATCH" -s :memory: -e "$f" --records - --stats >"$TMP/recs" 2>"$TMP/recs.err"
    expect_eq "$(basename "$f"): all $n events give an endpoint record, none malformed" \
        "$(grep -c '"msiwatch.endpoint"' "$TMP/recs") $(grep '"msiwatch.stats"' "$TMP/recs.err" | jq -c '.msiwatch.stats.endpoint | [.records, .malformed]')" \
        "$n [$n,0]"
done

# the verdict does not depend on the forwarder: every scenario's events in
# each of the five formats (scenario-events.py --all-formats) give the same
# alerts as the committed file (host compared by its short name: Snare sends
# no domain)
short() {
    jq -c '[.msiwatch.alert.kind, .event.severity, (.msiwatch.reasons | join(",")), (.host.name | split(".")[0]),
            .destination.ip, .destination.port, .process.executable, .process.pid]' "$1" | tr '\n' ' '
}
if command -v python3 >/dev/null; then
    mkdir -p "$TMP/all"
    cp -r "$S" "$TMP/sc"
    python3 "$PCAPS/lab/scenario-events.py" "$TMP/sc" --all-formats "$TMP/all" >/dev/null
    for s in http-msi https-msi smb-unc webdav dll-y renamed-ip-port local-install allowlisted seen-before late-skewed \
        certutil two-hosts msiinstaller-wmi; do
        al=
        [ $s = allowlisted ] && al="--allowlist $S/allowlist.sample"
        mine=$(ls "$S/$s".events.*)
        "$MSIWATCH" -s :memory: -r "$S/$s.pcap" -e "$mine" $al >"$TMP/want" 2>/dev/null
        for f in nxlog.jsonl xml evtx-dump.xml winlogbeat.jsonl snare.txt; do
            "$MSIWATCH" -s :memory: -r "$S/$s.pcap" -e "$TMP/all/$s.events.$f" $al >"$TMP/got" 2>/dev/null
            expect_eq "$s in $f: the same verdict" "$(short "$TMP/got")" "$(short "$TMP/want")"
        done
    done
else
    skip "every scenario in every event format" "python3 is not installed"
fi

# No alert of the scenarios above carries an empty object or string: a field
# has a value or is left out, in the evidence lists too.
empty=$(cat "$TMP"/*.out | jq -r '. as $a | paths(. == {} or . == "") | map(tostring) | join(".")' | sort -u)
expect_eq "no alert of the scenarios has an empty object or string" "$empty" ""

done_testing
