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
# HTTP downloads made here (python3): argv 2 is the body ("big-msi", or a
# file), argv 3 how many body bytes ride in the segment with the response
# head (the rest in segments of 1460).
# - big-msi: real packages are megabytes, and their first directory sector
#   (with the root entry whose class ID says MSI) often lies past the first
#   64 KiB that are sniffed: a 200 KiB OLE file whose root entry sits at
#   150 KiB.
# - a body whose first segment holds 1 byte cannot be typed by it: its bytes
#   are kept until the type is known; the lab's files with a whole head in
#   the first segment are typed where they lie.
gen_http() {
    python3 - "$@" <<'EOF2'
import struct, sys
if sys.argv[2] == "big-msi":
    body = bytearray(200 * 1024)
    body[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<H", body, 0x1E, 9)             # 512-byte sectors
    secid = 150 * 1024 // 512 - 1                      # directory at 150 KiB
    struct.pack_into("<I", body, 0x30, secid)
    root = (secid + 1) * 512
    body[root:root + 10] = "Root Entry".encode("utf-16-le")[:10]
    body[root + 0x42] = 5                              # root storage
    body[root + 0x50:root + 0x60] = bytes([0x84, 0x10, 0x0C, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46])  # MSI
else:
    body = open(sys.argv[2], "rb").read()
first = int(sys.argv[3])
req = b"GET /big.msi HTTP/1.1\r\nHost: 192.0.2.80\r\nUser-Agent: Windows Installer\r\n\r\n"
head = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-msi\r\nContent-Length: %d\r\n\r\n" % len(body)
resp = head + bytes(body)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
C, S = bytes([10, 0, 0, 5]), bytes([192, 0, 2, 80])
def pkt(src, dst, sp, dp, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp
frames, t = [], 1700000000.0
def add(f):
    global t
    frames.append((t, f)); t += 0.0001
cs, ss = 1000, 5000
add(pkt(C, S, 40000, 80, cs, 0, 0x02)); add(pkt(S, C, 80, 40000, ss, cs + 1, 0x12))
add(pkt(C, S, 40000, 80, cs + 1, ss + 1, 0x10)); add(pkt(C, S, 40000, 80, cs + 1, ss + 1, 0x18, req))
off = 0
while off < len(resp):
    seg = resp[off:len(head) + first] if off == 0 else resp[off:off + 1460]
    add(pkt(S, C, 80, 40000, ss + 1 + off, cs + 1 + len(req), 0x10, seg)); off += len(seg)
add(pkt(S, C, 80, 40000, ss + 1 + off, cs + 1 + len(req), 0x11)); add(pkt(C, S, 40000, 80, cs + 1 + len(req), ss + 2 + off, 0x11))
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for ts, f in frames:
        out.write(struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(f), len(f)) + f)
EOF2
}
if command -v python3 >/dev/null 2>&1; then
    FQ='select(.event.dataset == "msiwatch.http") | [.file.type, .file.size, .file.hash.sha256, .msiwatch.http.body]'
    gen_http "$TMP/big-msi.pcap" big-msi 1000
    expect_eq "a 200 KiB MSI whose root entry lies at 150 KiB is still typed msi, and hashed whole" \
        "$("$MSIWATCH" -r "$TMP/big-msi.pcap" --records - 2>/dev/null | jq -c "$FQ | .[0,1,3]" | tr '\n' ' ')" \
        '"msi" 204800 "complete" '
    gen_http "$TMP/big-msi1.pcap" big-msi 1
    expect_eq "the same with 1 body byte in the first segment: the same type and hash" \
        "$("$MSIWATCH" -r "$TMP/big-msi1.pcap" --records - 2>/dev/null | jq -c "$FQ")" \
        "$("$MSIWATCH" -r "$TMP/big-msi.pcap" --records - 2>/dev/null | jq -c "$FQ")"
    for f in setup.msi:msi payload.dll:pe-dll; do
        file=$PCAPS/lab/files/${f%%:*}
        want="[\"${f#*:}\",$(stat -c %s "$file"),\"$(sha256sum <"$file" | cut -d' ' -f1)\",\"complete\"]"
        for first in 1 1000; do
            gen_http "$TMP/f.pcap" "$file" "$first"
            expect_eq "${f%%:*} with $first body bytes in the head's segment: typed ${f#*:}, hashed whole" \
                "$("$MSIWATCH" -r "$TMP/f.pcap" --records - 2>/dev/null | jq -c "$FQ")" "$want"
        done
    done
else
    skip "large MSI typing" "python3 is not installed"
fi

# The bulk recordings (pcaps/lab/bulk/, record-bulk.sh; the benchmark mix is
# made of them): one connection each, read whole, the served files' SHA-256
# from README.md there.
B=$PCAPS/lab/bulk
bq() { "$MSIWATCH" -r "$B/$1" --records - 2>/dev/null | jq -c "$2"; }
expect_eq "http-bulk: the 1 MiB body, whole, of no payload type: not hashed (--hash-bodies payloads)" \
  "$(bq http-bulk.pcap 'select(.event.dataset == "msiwatch.http") | [.url.original, .http.response.status_code, .file.size, .file.type, .file.hash.sha256, .msiwatch.http.body]')" \
  '["http://10.77.0.20/bulk/bulk-1m.bin",200,1048576,"other",null,"complete"]'
expect_eq "http-bulk with --hash-bodies all: the 1 MiB body hashed whole" \
  "$("$MSIWATCH" -s :memory: -r "$B/http-bulk.pcap" --records - -o /dev/null --hash-bodies all | jq -c 'select(.event.dataset == "msiwatch.http") | .file.hash.sha256')" \
  '"6bce61d9002cbfb9ffa0c99f11e62f7973e7c894a7886e9026b036e405fb639d"'
expect_eq "--hash-bodies payloads still hashes the lab's MSI and DLL" \
  "$("$MSIWATCH" -s :memory: -r "$PCAPS/lab/http-dll.pcap" --records - -o /dev/null | jq -r 'select(.event.dataset == "msiwatch.http") | "\(.file.type)=\(.file.hash.sha256)"' | tr '\n' ' ')" \
  "msi=$(sha256sum <"$PCAPS/lab/files/setup.msi" | cut -d' ' -f1) pe-dll=$(sha256sum <"$PCAPS/lab/files/payload.dll" | cut -d' ' -f1) "
expect_eq "https-bulk: one ClientHello, the SNI" \
  "$(bq https-bulk.pcap 'select(.event.dataset == "msiwatch.tls") | .tls.client.server_name')" '"lab.msiwatch.test"'
expect_eq "smb2-bulk: the trees, the file opened and the 1 MiB read in one 24-bit-length message" \
  "$(bq smb2-bulk.pcap 'select(.event.dataset == "msiwatch.smb") | [.msiwatch.smb.command, .msiwatch.smb.tree, .file.name, .msiwatch.smb.read_bytes]' | tr '\n' ' ')" \
  '["tree_connect","\\\\10.77.0.20\\IPC$",null,null] ["tree_connect","\\\\10.77.0.20\\pkgs",null,null] ["create","\\\\10.77.0.20\\pkgs","bulk-1m.bin",1048576] '
# a segment lost inside the 1 MiB READ answer (frame 401 of 818): the body
# is being passed over, so the parser stays in step (the CLOSE and LOGOFF
# answers after it parse: no message rejected)
python3 "$TESTS_DIR/tools/mutate-pcap.py" drop "$B/smb2-bulk.pcap" "$TMP/smb2-gap.pcap" --at 400
expect_eq "smb2-bulk with a segment lost in the READ body: the read counted, one gap, the parser still in step" \
  "$("$MSIWATCH" -s :memory: -r "$TMP/smb2-gap.pcap" --records - -o /dev/null --stats 2>"$TMP/gap.st" | jq -c 'select(.msiwatch.smb.command == "create") | .msiwatch.smb.read_bytes') $(jq -c '.msiwatch.stats | [.tcp_reassembly.gaps, .tcp_reassembly.gap_bytes, .parsers.smb]' "$TMP/gap.st")" \
  '1048576 [1,1448,{"flows":1,"records":3,"bad":0,"gave_up":0}]'
expect_eq "bulk: one flow each, no gap, nothing out of order or retransmitted" \
  "$(for f in https-bulk http-bulk smb2-bulk; do "$MSIWATCH" -r "$B/$f.pcap" -o /dev/null --stats 2>&1 | jq -r '.msiwatch.stats | "\(.flows.total) \(.tcp_reassembly.gaps) \(.tcp_reassembly.out_of_order) \(.tcp_reassembly.retransmits)"'; done | tr '\n' ' ')" \
  "1 0 0 0 1 0 0 0 1 0 0 0 "

done_testing
