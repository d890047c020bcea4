#!/bin/bash
# tshark-records.sh -- the reference for tests/integration/records.sh: what
# tshark 4.0 extracts from a capture, as sorted unique lines
#   http-host-path <TAB> host <TAB> path      (HTTP requests; heuristics on for any port)
#   http-ua        <TAB> User-Agent
#   tls-sni        <TAB> server name          (ClientHello)
#   smb-tree       <TAB> \\server\share       (SMB2 TREE_CONNECT and SMB1 TREE_CONNECT_ANDX requests)
#                  (tshark joins the trees of one frame with commas: split)
#   smb-file       <TAB> name                 (SMB2 CREATE, SMB1 NT_CREATE_ANDX and OPEN_ANDX requests)
#   dns-qname      <TAB> question name        (queries and responses, port 53)
# Host names and DNS names are lower-cased (msiwatch lower-cases them).
# Usage: scripts/tshark-records.sh FILE  > expected.tsv
set -uo pipefail
f=$1
T() { tshark -r "$f" --enable-heuristic http_tcp -o tcp.desegment_tcp_streams:TRUE "$@" 2>/dev/null; }
{
T -Y 'http.request' -T fields -E separator=/t -e http.host -e http.request.uri |
    awk -F'\t' '{ h = tolower($1); sub(/:[0-9]+$/, "", h); u = $2
        if (u ~ /^[A-Za-z][A-Za-z0-9+.-]*:\/\//) { sub(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\/]*/, "", u); if (u == "") u = "/" }
        sub(/\?.*/, "", u); printf "http-host-path\t%s\t%s\n", h, u }'
T -Y 'http.request && http.user_agent' -T fields -e http.user_agent | sed 's/^/http-ua\t/'
T -Y 'tls.handshake.type == 1 && tls.handshake.extensions_server_name' -T fields \
    -e tls.handshake.extensions_server_name | tr 'A-Z' 'a-z' | sed 's/^/tls-sni\t/'
T -Y 'smb2.cmd == 3 && smb2.flags.response == 0' -T fields -e smb2.tree | tr ',' '\n' | grep . | sed 's/^/smb-tree\t/'
T -Y 'smb.cmd == 0x75 && smb.flags.response == 0' -T fields -e smb.path | tr ',' '\n' | grep . | sed 's/^/smb-tree\t/'
T -Y 'smb2.cmd == 5 && smb2.flags.response == 0' -T fields -e smb2.filename | tr ',' '\n' | grep . | sed 's/^/smb-file\t/'
T -Y '(smb.cmd == 0xa2 || smb.cmd == 0x2d) && smb.flags.response == 0' -T fields -e smb.file | grep . | sed 's/^/smb-file\t/'
T -Y 'dns && udp.port == 53 || dns && tcp.port == 53' -T fields -e dns.qry.name | tr ',' '\n' | grep . |
    tr 'A-Z' 'a-z' | sed 's/^/dns-qname\t/'
} | LC_ALL=C sort -u
exit 0
