#!/bin/bash
# lab.sh -- field-by-field records from the lab recordings (pcaps/lab/,
# README there): the msiexec-style fetches of a real MSI and DLL with the
# SHA-256 of the served files (pcaps/lab/files/), WebDAV UNC paths, the SNI,
# the SMB tree, file and NTLMSSP identity, DNS names and the DHCP host name.
. "$(dirname "$0")/lib.sh"
L=$PCAPS/lab
# The SHA-256 of the gzip body of http-gzip-msi.pcap (nginx sent it chunked):
# computed outside msiwatch from tshark's "follow,tcp,raw" of the response,
# de-chunked by hand; 3080 bytes, which gunzip to setup.msi (df7a0245...).
gzip_sha() { echo fafc617de6fcb6f05755e8a7019ebf65d835a0de0400acb66e79b80c24cb2e6a; }
q() { "$MSIWATCH" -r "$L/$1" --records - 2>/dev/null | jq -c "$2"; }
HQ='select(.event.dataset == "msiwatch.http") | [.http.request.method, .url.original, .user_agent.original,
    .http.response.status_code, .file.type, .file.size, .file.hash.sha256, .msiwatch.http.body]'
expect_eq "http-msi: the MSI fetch, typed and hashed" "$(q http-msi.pcap "$HQ")" \
  '["GET","http://10.77.0.20/pkg/setup.msi","Windows Installer",200,"msi",9728,"df7a0245532689137571a21bc450129bfa2643b3b8241252e676517626f3173a","complete"]'
expect_eq "http-dll: two fetches on one keep-alive connection" "$(q http-dll.pcap "$HQ" | tr '\n' ' ')" \
  '["GET","http://10.77.0.20/pkg/setup.msi","Windows Installer",200,"msi",9728,"df7a0245532689137571a21bc450129bfa2643b3b8241252e676517626f3173a","complete"] ["GET","http://10.77.0.20/pkg/payload.dll","Windows Installer",200,"pe-dll",12288,"4c7ac11f0d204249c17f31ce4e81d6bb3841989006569bd1aec6a2f0222fce14","complete"] '
expect_eq "http-gzip-msi: gzip Content-Encoding, typed after inflating; size and hash of the body as sent" \
  "$(q http-gzip-msi.pcap 'select(.event.dataset == "msiwatch.http") | [.url.original, .url.port, .msiwatch.http.content_encoding, .msiwatch.http.decoded, .file.type, .file.size, .file.hash.sha256]')" \
  "[\"http://10.77.0.20:8080/pkg/setup.msi\",8080,\"gzip\",true,\"msi\",3080,\"$(gzip_sha)\"]"
expect_eq "webdav: UNC paths of the redirector's requests" \
  "$(q webdav-msi.pcap 'select(.event.dataset == "msiwatch.http") | [.http.request.method, .msiwatch.webdav, .file.path]' | tr '\n' ' ')" \
  '["OPTIONS",true,"\\\\10.77.0.20\\DavWWWRoot\\"] ["PROPFIND",true,"\\\\10.77.0.20\\DavWWWRoot\\pkg\\setup.msi"] ["GET",true,"\\\\10.77.0.20\\DavWWWRoot\\pkg\\setup.msi"] '
expect_eq "https: SNI and the highest version offered (curl offers 1.3; the server chose 1.2)" "$(q https-msi.pcap 'select(.event.dataset == "msiwatch.tls") | [.tls.client.server_name, .tls.version]')" \
  '["lab.msiwatch.test","1.3"]'
expect_eq "smb2: tree, full UNC path of the create, NTLMSSP identity" \
  "$(q smb2-msi.pcap 'select(.event.dataset == "msiwatch.smb" and .msiwatch.smb.command == "create" and .file.name == "setup.msi") | [.file.path, .user.name, .user.domain, .msiwatch.smb.workstation, .msiwatch.smb.read_bytes]')" \
  '["\\\\10.77.0.20\\pkgs\\setup.msi","labuser","MWLAB","WIN10-LAB",9728]'
expect_eq "dns: the names asked" "$(q dns.pcap 'select(.event.dataset == "msiwatch.dns") | .dns.question.name' | sort -u | tr '\n' ' ')" \
  '"cdn.msiwatch.test" "lab.msiwatch.test" '
expect_eq "dhcp: the client's host name and MAC-bearing identity" \
  "$(q dhcp.pcap 'select(.event.dataset == "msiwatch.dhcp" and .host.hostname) | .host.hostname' | sort -u)" '"WIN10-LAB"'
done_testing
