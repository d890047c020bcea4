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
  smbpipe N  one SMB2 session, 10.254.0.5:50000 to 10.255.0.1:445: a tree
           connect to \\fs\share (message 1, tree 5), then N CREATE
           requests for f000.msi, f001.msi, ... (messages 2 to N + 1) before
           any answer, then their N responses in order (file id i + 1), and
           no close: every file is still open at the end

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


def ip4_to(src, dst, proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0, src, dst) + payload


def smb2(cmd, mid, body, response=False, tree=0):
    """A NetBIOS-framed SMB2 message: the 64-byte header, then body."""
    hdr = struct.pack("<4sHHIHHIIQIIQ16s", b"\xfeSMB", 64, 1, 0, cmd, 1, 1 if response else 0, 0,
                      mid, 0, tree, 0x1000, bytes(16))
    m = hdr + body
    return struct.pack(">I", len(m)) + m


def smb_pipeline(n):
    cli, srv = bytes([10, 254, 0, 5]), bytes([10, 255, 0, 1])
    seq = [1000, 5000]  # next sequence number: client, server
    frames = []

    def seg(from_client, flags, data=b""):
        a, b = (cli, srv) if from_client else (srv, cli)
        sp, dp = (50000, 445) if from_client else (445, 50000)
        i = 0 if from_client else 1
        s0 = seq[i] - (1 if flags & 0x02 else 0)
        tcp = struct.pack(">HHIIBBHHH", sp, dp, s0, seq[1 - i], 5 << 4, flags, 64240, 0, 0) + data
        seq[i] += len(data)
        frames.append(ETH + ip4_to(a, b, 6, tcp))

    seq[0] += 1
    seg(True, 0x02)  # SYN
    seq[1] += 1
    seg(False, 0x12)  # SYN-ACK
    seg(True, 0x10)
    path = "\\\\fs\\share".encode("utf-16-le")
    seg(True, 0x18, smb2(3, 1, struct.pack("<HHHH", 9, 0, 72, len(path)) + path))
    seg(False, 0x18, smb2(3, 1, struct.pack("<HBBIII", 16, 1, 0, 0, 0, 0x1F01FF), True, 5))
    for i in range(n):
        name = ("f%03d.msi" % i).encode("utf-16-le")
        body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0, 0x80, 0x80, 1, 1, 0x40, 120, len(name), 0, 0)
        seg(True, 0x18, smb2(5, 2 + i, body + name, tree=5))
    for i in range(n):
        body = struct.pack("<HBBIQQQQQQII16sII", 89, 0, 0, 1, 0, 0, 0, 0, 4096, 1000, 0x80, 0,
                           struct.pack("<QQ", i + 1, i + 1), 0, 0) + b"\0"
        seg(False, 0x18, smb2(5, 2 + i, body, True, 5))
    return frames


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
    elif mode == "smbpipe":
        frames = smb_pipeline(n)
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
