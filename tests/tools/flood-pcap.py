#!/usr/bin/env python3
"""flood-pcap.py -- flood captures for tests/integration/floods.sh (issue 7),
written to a classic pcap (Ethernet, microsecond times, one packet per
microsecond from 2026-01-01). Python 3 only; deterministic.

  syn N    N TCP SYNs, each its own flow: 10.x.y.z:(1024 + i % 50000) to
           10.255.0.1:80, with x.y.z and the port derived from i
  udp N    N one-packet UDP flows: the same addresses to 10.255.0.1:9999,
           8 bytes of payload
  frag N   N IPv4 datagrams of which only the first fragment is sent (1000
           bytes of UDP, MF set, id i), then one whole datagram in two
           fragments (10.254.0.1 to 10.255.0.1:9999, 1600 bytes of payload)

usage: flood-pcap.py MODE N OUT
"""
import struct
import sys

ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
T0 = 1767225600


def ip4(src, proto, payload, ident=0, mf=False, off=0):
    tot = 20 + len(payload)
    fo = (0x2000 if mf else 0) | (off // 8)
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, tot, ident & 0xFFFF, fo, 64, proto, 0,
                       src, bytes([10, 255, 0, 1])) + payload


def src_of(i):
    return bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    mode, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    frames = []
    if mode == "syn":
        for i in range(n):
            tcp = struct.pack(">HHIIBBHHH", 1024 + i % 50000, 80, i, 0, 5 << 4, 0x02, 64240, 0, 0)
            frames.append(ETH + ip4(src_of(i), 6, tcp))
    elif mode == "udp":
        for i in range(n):
            udp = struct.pack(">HHHH", 1024 + i % 50000, 9999, 16, 0) + b"flood..."
            frames.append(ETH + ip4(src_of(i), 17, udp))
    elif mode == "frag":
        for i in range(n):
            udp = struct.pack(">HHHH", 1024, 9999, 2008, 0) + bytes(992)
            frames.append(ETH + ip4(src_of(i), 17, udp, ident=i, mf=True))
        body = struct.pack(">HHHH", 1024, 9999, 1608, 0) + bytes(range(256)) * 6 + bytes(64)
        src = bytes([10, 254, 0, 1])
        frames.append(ETH + ip4(src, 17, body[:800], ident=7, mf=True))
        frames.append(ETH + ip4(src, 17, body[800:], ident=7, off=800))
    else:
        sys.exit("flood-pcap: unknown mode %s" % mode)
    with open(out, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, f in enumerate(frames):
            t = T0 * 1000000 + i
            fh.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(f), len(f)))
            fh.write(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
