#!/bin/bash
# tshark-streams.sh -- the reference for tests/integration/streams.sh: for
# each TCP stream of each capture, tshark's own reassembly ("follow,tcp,raw")
# gives the bytes of each direction; print their SHA-256 and length.
# Usage: scripts/tshark-streams.sh FILE...   (tshark 4.0, default preferences)
# Output, tab-separated: file ip_a port_a ip_b port_b sha256_a len_a sha256_b len_b,
# where a is tshark's node 0 (the sender of the stream's first packet) and
# sha256_a covers the bytes that a sent.
set -euo pipefail
for f in "$@"; do
    n=$(tshark -r "$f" -T fields -e tcp.stream 2>/dev/null | sort -n | uniq | grep -c . || true)
    for ((s = 0; s < n; s++)); do
        tshark -r "$f" -q -z "follow,tcp,raw,$s" 2>/dev/null | python3 -c '
import sys, hashlib
node = {}; data = [bytearray(), bytearray()]
for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("Node "):
        k, v = line[5:].split(": ", 1); node[int(k)] = v; continue
    if not line or line.startswith("=") or line.startswith("Follow") or line.startswith("Filter"):
        continue
    side = 1 if line.startswith("\t") else 0
    data[side] += bytes.fromhex(line.strip())
name = sys.argv[1].rsplit("/", 1)[-1]
def ep(s):
    ip, port = s.rsplit(":", 1)
    return ip.strip("[]") + "\t" + port
print("\t".join([name, ep(node.get(0, "?:0")), ep(node.get(1, "?:0")),
      hashlib.sha256(data[0]).hexdigest(), str(len(data[0])),
      hashlib.sha256(data[1]).hexdigest(), str(len(data[1]))]))
' "$f"
    done
done
