#!/usr/bin/env python3
"""gen-test-pcaps.py - derive synthetic test captures for msiwatch from real ones.

Usage:  python3 scripts/gen-test-pcaps.py [PCAPDIR]      (default: <repo>/pcaps)

Python 3 standard library only.  Deterministic: the outputs depend only on the
input capture (no clock, no randomness), so re-running it reproduces the
committed files byte for byte.  Every output keeps the classic-pcap global
header of the source (magic/byte order, time resolution, version, snaplen) and
the source's per-record timestamps; only the link type and record data change.

Source: PCAPDIR/zeek-wikipedia.pcap (Zeek testing/btest/Traces/wikipedia.pcap,
BSD-3-Clause; see pcaps/LICENSES.md).  It is Ethernet (DLT 1), 136 frames:
126 IP frames (121 IPv4, 5 IPv6) plus 6 ARP and 4 STP (802.3/LLC) frames.

Outputs (written into PCAPDIR):

  gen-mpls.pcap       DLT_EN10MB (1).  Each IPv4/IPv6 Ethernet frame becomes
                      dst MAC + src MAC + ethertype 0x8847 + two MPLS label
                      stack entries (label 100, TC 0, S=0, TTL 64; label 200,
                      TC 0, S=1, TTL 64) + the original IP packet.  Non-IP
                      frames (ARP, STP) are dropped: MPLS has no way to say
                      "ARP follows" and the payload after the stack is found
                      from the first nibble (4/6).  126 frames.
  gen-sll2.pcap       LINKTYPE_LINUX_SLL2 (276).  IP frames only (126).
                      20-byte header, all fields big-endian:
                        protocol type  (2) 0x0800 / 0x86dd (original ethertype)
                        reserved       (2) 0
                        interface index(4) 2
                        ARPHRD type    (2) 1 (ARPHRD_ETHER)
                        packet type    (1) 4 (PACKET_OUTGOING) when the frame's
                                           source MAC is the capturing host
                                           00:24:7e:e0:1d:b5 (141.142.220.118,
                                           the DNS/HTTP client), otherwise
                                           0 (PACKET_HOST), as asked, even for
                                           broadcast/multicast frames
                        address length (1) 6
                        address        (8) source MAC + 2 zero bytes
  gen-null.pcap       LINKTYPE_NULL (0).  IP frames only (126).  4-byte address
                      family in the byte order of the file header (the writer's
                      "host order"; little-endian here): AF_INET = 2 for IPv4;
                      IPv6 uses 30 (macOS/Darwin AF_INET6), except the first
                      IPv6 frame, which uses 24 (NetBSD/OpenBSD/BSD/OS), and the
                      second, which uses 28 (FreeBSD/DragonFly), so a reader
                      must accept all three BSD values.  tshark 4.0 decodes all
                      three as IPv6.
  gen-truncated.pcap  the source, cut part-way through the data of record 10:
                      global header + records 1-9 complete + record 10's
                      16-byte header + the first half of its captured bytes.
  gen-badlen.pcap     the source byte for byte, except record 5's incl_len
                      (captured length) field is 300000: larger than the
                      snaplen (65535), than libpcap/wiretap's 262144 limit,
                      and than the rest of the file.
  gen-user0.pcap      LINKTYPE_USER0 (147), a link type no reader knows: the
                      first 10 records of the source, bytes unchanged.
  not-a-capture.pcap  a few lines of plain text with a .pcap name.

In gen-mpls/gen-sll2/gen-null "the original IP packet" is the Ethernet payload
cut to the IP length (IPv4 total length / IPv6 40 + payload length) when the
frame holds more than that, so Ethernet padding is not carried into the new
encapsulation (zeek-wikipedia.pcap's IP frames happen to carry none).  A
record's orig_len is adjusted by the same delta as its incl_len.
"""

import os
import struct
import sys

SRC = "zeek-wikipedia.pcap"
CAPTURE_HOST_MAC = bytes.fromhex("00247ee01db5")

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL2 = 276

MPLS_LABELS = (100, 200)
MPLS_TTL = 64
SLL2_IFINDEX = 2
ARPHRD_ETHER = 1
PACKET_HOST = 0
PACKET_OUTGOING = 4
AF_INET = 2
AF_INET6_BSD = 24      # NetBSD, OpenBSD, BSD/OS
AF_INET6_FREEBSD = 28  # FreeBSD, DragonFly BSD
AF_INET6_DARWIN = 30   # macOS

TRUNCATE_RECORD = 10   # 1-based
BADLEN_RECORD = 5      # 1-based
BADLEN_VALUE = 300000

NOT_A_CAPTURE = """\
This is not a packet capture.

It is a short plain-text file that happens to be called not-a-capture.pcap.
msiwatch must reject it cleanly (bad magic number) instead of crashing,
looping, or reporting zero packets as if the file were a valid empty capture.
"""


class Pcap:
    """A classic libpcap file: global header fields plus a list of records."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        magic = data[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            self.endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            self.endian = ">"
        else:
            raise ValueError("%s: not a classic pcap file" % path)
        self.raw = data
        (_, self.vmaj, self.vmin, self.thiszone, self.sigfigs, self.snaplen,
         self.linktype) = struct.unpack(self.endian + "IHHiIII", data[:24])
        self.magic = magic
        self.records = []      # (ts_sec, ts_frac, orig_len, data, offset)
        off = 24
        while off < len(data):
            if off + 16 > len(data):
                raise ValueError("%s: truncated record header" % path)
            ts_s, ts_f, incl, orig = struct.unpack(self.endian + "IIII",
                                                   data[off:off + 16])
            body = data[off + 16:off + 16 + incl]
            if len(body) != incl:
                raise ValueError("%s: truncated record data" % path)
            self.records.append((ts_s, ts_f, orig, body, off))
            off += 16 + incl

    def header(self, linktype):
        return self.magic + struct.pack(self.endian + "HHiIII", self.vmaj,
                                        self.vmin, self.thiszone, self.sigfigs,
                                        self.snaplen, linktype)

    def record(self, ts_s, ts_f, orig_len, body):
        return struct.pack(self.endian + "IIII", ts_s, ts_f, len(body),
                           orig_len) + body


def ether_ip(frame):
    """Return (dst, src, ethertype, ip_packet, trimmed) for an Ethernet II
    frame carrying IPv4/IPv6 directly, else None.  The IP packet is cut to
    its own length; `trimmed` is the number of bytes cut off."""
    if len(frame) < 14:
        return None
    dst, src = frame[0:6], frame[6:12]
    etype = struct.unpack("!H", frame[12:14])[0]
    payload = frame[14:]
    if etype == 0x0800 and len(payload) >= 20 and payload[0] >> 4 == 4:
        iplen = struct.unpack("!H", payload[2:4])[0]
    elif etype == 0x86DD and len(payload) >= 40 and payload[0] >> 4 == 6:
        iplen = 40 + struct.unpack("!H", payload[4:6])[0]
    else:
        return None
    if iplen and iplen < len(payload):
        return dst, src, etype, payload[:iplen], len(payload) - iplen
    return dst, src, etype, payload, 0


def mpls_entry(label, bos, ttl):
    return struct.pack("!I", (label << 12) | (0 << 9) | (bos << 8) | ttl)


LINKTYPE_USER0 = 147


def gen_mpls(p):
    out = [p.header(LINKTYPE_ETHERNET)]
    for ts_s, ts_f, orig, body, _ in p.records:
        e = ether_ip(body)
        if e is None:
            continue
        dst, src, _etype, ip, trimmed = e
        stack = b"".join(mpls_entry(lbl, int(i == len(MPLS_LABELS) - 1),
                                    MPLS_TTL)
                         for i, lbl in enumerate(MPLS_LABELS))
        new = dst + src + struct.pack("!H", 0x8847) + stack + ip
        out.append(p.record(ts_s, ts_f, orig + len(new) - len(body), new))
    return b"".join(out)


def gen_sll2(p):
    out = [p.header(LINKTYPE_LINUX_SLL2)]
    for ts_s, ts_f, orig, body, _ in p.records:
        e = ether_ip(body)
        if e is None:
            continue
        _dst, src, etype, ip, _ = e
        ptype = PACKET_OUTGOING if src == CAPTURE_HOST_MAC else PACKET_HOST
        hdr = struct.pack("!HHIHBB8s", etype, 0, SLL2_IFINDEX, ARPHRD_ETHER,
                          ptype, 6, src + b"\0\0")
        assert len(hdr) == 20
        new = hdr + ip
        out.append(p.record(ts_s, ts_f, orig + len(new) - len(body), new))
    return b"".join(out)


def gen_null(p):
    out = [p.header(LINKTYPE_NULL)]
    n6 = 0
    for ts_s, ts_f, orig, body, _ in p.records:
        e = ether_ip(body)
        if e is None:
            continue
        _dst, _src, etype, ip, _ = e
        if etype == 0x0800:
            af = AF_INET
        else:
            n6 += 1
            af = {1: AF_INET6_BSD, 2: AF_INET6_FREEBSD}.get(n6, AF_INET6_DARWIN)
        new = struct.pack(p.endian + "I", af) + ip
        out.append(p.record(ts_s, ts_f, orig + len(new) - len(body), new))
    return b"".join(out)


def gen_truncated(p):
    _, _, _, body, off = p.records[TRUNCATE_RECORD - 1]
    assert len(body) >= 2
    return p.raw[:off + 16 + len(body) // 2]


def gen_badlen(p):
    _, _, _, _, off = p.records[BADLEN_RECORD - 1]
    raw = bytearray(p.raw)
    raw[off + 8:off + 12] = struct.pack(p.endian + "I", BADLEN_VALUE)
    return bytes(raw)


def gen_user0(p):
    out = [p.header(LINKTYPE_USER0)]
    for ts_s, ts_f, orig, body, _ in p.records[:10]:
        out.append(p.record(ts_s, ts_f, orig, body))
    return b"".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    pdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..",
                                                              "pcaps")
    p = Pcap(os.path.join(pdir, SRC))
    if p.linktype & 0xFFFF != LINKTYPE_ETHERNET:
        sys.exit("%s: expected Ethernet, got link type %d" % (SRC, p.linktype))
    outputs = [
        ("gen-mpls.pcap", gen_mpls(p)),
        ("gen-sll2.pcap", gen_sll2(p)),
        ("gen-null.pcap", gen_null(p)),
        ("gen-truncated.pcap", gen_truncated(p)),
        ("gen-badlen.pcap", gen_badlen(p)),
        ("gen-user0.pcap", gen_user0(p)),
        ("not-a-capture.pcap", NOT_A_CAPTURE.encode("ascii")),
    ]
    for name, data in outputs:
        with open(os.path.join(pdir, name), "wb") as f:
            f.write(data)
        print("%-20s %7d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
