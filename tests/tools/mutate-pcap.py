#!/usr/bin/env python3
"""mutate-pcap.py -- malformed captures from real ones, for
tests/integration/malformed.sh (issue 7). Python 3 only; deterministic for a
given --seed. Reads a classic pcap (either byte order) and writes one
mutation of it:

  truncate        the file cut in the middle of record --at
  caplen-past-end record --at claims more captured bytes than the file holds
                  (the file ends inside it)
  caplen-absurd   record --at has caplen 0xFFFFFFF0 (and the real bytes follow)
  garbage         two records inserted after record --at, stamped with its
                  time: an Ethernet frame whose IPv4 header length runs past
                  the frame, then --len random bytes
  flip-link, flip-ip, flip-l4, flip-payload
                  in every Ethernet/IP packet, one random byte of that layer
                  XORed with a random non-zero value (packets without that
                  layer are left alone); prints how many were changed
  linktype        the file header's link type set to --value
  drop            record --at left out (a frame the capture lost)

usage: mutate-pcap.py MODE IN OUT [--at K] [--seed N] [--len N] [--value N]
"""
import argparse
import os
import random
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapfile  # noqa: E402


def record(e, r, caplen=None):
    data = bytes(r[3])
    return struct.pack(e + "IIII", r[0], r[1], len(data) if caplen is None else caplen, r[2]) + data


def layers(f):
    """[(start, end)] of link, IP header, transport header and payload of an
    Ethernet frame, or None when it is not IPv4/IPv6 over Ethernet."""
    off = 12
    while off + 2 <= len(f) and struct.unpack(">H", f[off:off + 2])[0] in (0x8100, 0x88A8):
        off += 4
    if off + 2 > len(f):
        return None
    et = struct.unpack(">H", f[off:off + 2])[0]
    ip = off + 2
    if et == 0x0800 and len(f) >= ip + 20:
        l4 = ip + (f[ip] & 15) * 4
        proto = f[ip + 9]
    elif et == 0x86DD and len(f) >= ip + 40:
        l4, proto = ip + 40, f[ip + 6]
    else:
        return None
    if proto == 6 and len(f) >= l4 + 20:
        pay = l4 + (f[l4 + 12] >> 4) * 4
    elif proto == 17 and len(f) >= l4 + 8:
        pay = l4 + 8
    else:
        pay = l4
    pay = min(pay, len(f))
    return [(0, ip), (ip, min(l4, len(f))), (min(l4, len(f)), pay), (pay, len(f))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--at", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--len", type=int, default=200)
    ap.add_argument("--value", type=int, default=147)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    try:
        e, hdr, recs = pcapfile.read(a.inp)
    except (OSError, pcapfile.NotPcap) as x:
        sys.exit("mutate-pcap: %s" % x)
    if a.mode not in ("linktype",) and not a.mode.startswith("flip-") and a.at >= len(recs):
        sys.exit("mutate-pcap: --at %d: the file has %d records" % (a.at, len(recs)))
    out = bytearray()
    changed = 0
    if a.mode == "truncate":
        out = hdr + b"".join(record(e, r) for r in recs[:a.at])
        whole = record(e, recs[a.at])
        out += whole[:16 + len(recs[a.at][3]) // 2]
    elif a.mode == "caplen-past-end":
        out = hdr + b"".join(record(e, r) for r in recs[:a.at])
        r = recs[a.at]
        out += record(e, r, caplen=len(r[3]) + 1000)
    elif a.mode == "caplen-absurd":
        out = hdr + b"".join(record(e, r) for r in recs[:a.at])
        out += b"".join(record(e, r, caplen=0xFFFFFFF0 if i == a.at else None)
                        for i, r in enumerate(recs[a.at:], a.at))
    elif a.mode == "garbage":
        ts, tu = recs[a.at][0], recs[a.at][1]
        bad_ihl = bytes(12) + b"\x08\x00" + b"\x4f" + bytes(23)  # IHL 60 bytes in a 24-byte header
        junk = bytes(rnd.randrange(256) for _ in range(a.len))
        extra = [[ts, tu, len(bad_ihl), bytearray(bad_ihl)], [ts, tu, len(junk), bytearray(junk)]]
        out = hdr + b"".join(record(e, r) for r in recs[:a.at + 1] + extra + recs[a.at + 1:])
    elif a.mode.startswith("flip-"):
        which = ["flip-link", "flip-ip", "flip-l4", "flip-payload"].index(a.mode)
        for r in recs:
            ls = layers(r[3])
            if ls is None:
                continue
            s, t = ls[which]
            if t <= s:
                continue
            i = rnd.randrange(s, t)
            r[3][i] ^= rnd.randrange(1, 256)
            changed += 1
        out = hdr + b"".join(record(e, r) for r in recs)
    elif a.mode == "drop":
        out = hdr + b"".join(record(e, r) for i, r in enumerate(recs) if i != a.at)
    elif a.mode == "linktype":
        hdr[20:24] = struct.pack(e + "I", a.value)
        out = hdr + b"".join(record(e, r) for r in recs)
    else:
        sys.exit("mutate-pcap: unknown mode %s" % a.mode)
    open(a.out, "wb").write(out)
    if a.mode.startswith("flip-"):
        print(changed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
