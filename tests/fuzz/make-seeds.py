#!/usr/bin/env python3
"""make-seeds.py -- seed corpora for the decode, ipfrag, reasm and events fuzz
targets, cut from the project's real captures (pcaps/) and event samples
(tests/data/events/). Python 3 only, deterministic; run from the top of the
tree: tests/fuzz/make-seeds.py (it rewrites tests/fuzz/corpus/{decode,ipfrag,
reasm,app,events,event_json,event_xml,event_snare,event_kv}/, keeping the inputs
the fuzzer found). The input layouts
are described at the top of each fuzz_<target>.c."""
import glob
import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import pcapfile  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus")

# fuzz_decode.c's table of link types, in order
DLTS = [1, 0, 12, 14, 108, 101, 113, 228, 229, 276, 105, 127, 239, 147]


def ip_of_ether(f):
    """Offset of the IP header in an Ethernet frame (VLAN tags skipped)."""
    off, et = 12, None
    while off + 2 <= len(f):
        et = struct.unpack(">H", f[off:off + 2])[0]
        if et in (0x8100, 0x88A8, 0x9100):
            off += 4
            continue
        break
    if et in (0x0800, 0x86DD):
        return off + 2
    return None


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(data)


def clean(target):
    """Remove the seeds this script made; inputs the fuzzer found and
    libFuzzer's -merge=1 added (named by their SHA-1) stay."""
    d = os.path.join(OUT, target)
    for f in glob.glob(os.path.join(d, "*")):
        b = os.path.basename(f)
        if not (len(b) == 40 and all(c in "0123456789abcdef" for c in b)):
            os.remove(f)


def pcaps():
    for p in sorted(glob.glob(os.path.join(TOP, "pcaps", "*.pcap")) +
                    glob.glob(os.path.join(TOP, "pcaps", "lab", "*.pcap"))):
        try:
            e, hdr, recs = pcapfile.read(p, partial=True)
        except pcapfile.NotPcap:
            continue
        yield os.path.basename(p)[:-5], pcapfile.linktype(e, hdr), [bytes(r[3]) for r in recs]


def decode_seeds():
    clean("decode")
    for name, lt, frames in pcaps():
        if lt not in DLTS:
            continue
        # the first frame, the largest, and a few in between, each distinct
        picks, seen = [], set()
        cand = frames[:3] + sorted(frames, key=len)[-1:] + frames[3::max(1, len(frames) // 4)]
        for f in cand:
            if f not in seen and len(picks) < 6:
                seen.add(f)
                picks.append(f)
        for i, f in enumerate(picks):
            put("decode", "%s-%d" % (name, i), bytes([DLTS.index(lt)]) + f[:2000])


def ip_packets(lt, frames):
    for f in frames:
        if lt == 1:
            o = ip_of_ether(f)
            if o is not None:
                yield f[o:]
        elif lt in (12, 101):
            yield f


def ipfrag_step(ip):
    """One fuzz_ipfrag.c script step for an IP fragment, or None."""
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20:
        hl = (ip[0] & 15) * 4
        fo = struct.unpack(">H", ip[6:8])[0]
        mf, off = (fo >> 13) & 1, fo & 0x1FFF
        if not mf and off == 0:
            return None
        data = ip[hl:struct.unpack(">H", ip[2:4])[0]]
        src, ident, proto = ip[15], ip[5], ip[9]
        flags = 0
    elif v == 6 and len(ip) >= 48 and ip[6] == 44:
        fo = struct.unpack(">H", ip[42:44])[0]
        mf, off = fo & 1, fo >> 3
        data = ip[48:40 + struct.unpack(">H", ip[4:6])[0]]
        src, ident, proto = ip[23], ip[47], ip[40]
        flags = 1
    else:
        return None
    flags |= mf << 1 | (src & 31) << 3
    return bytes([flags, ident]) + struct.pack(">HH", off, len(data)) + bytes([proto, 1]) + data


def ipfrag_seeds():
    clean("ipfrag")
    for name, lt, frames in pcaps():
        steps = [s for s in (ipfrag_step(ip) for ip in ip_packets(lt, frames)) if s]
        if steps:
            put("ipfrag", name, b"".join(steps)[:20000])
            # the same fragments in reverse order: the out-of-order paths
            put("ipfrag", name + "-reversed", b"".join(reversed(steps))[:20000])


def tcp_segments(ip):
    """(src, dst, sport, dport, seq, ack, flags, payload) or None."""
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20 and ip[9] == 6:
        hl = (ip[0] & 15) * 4
        end = min(len(ip), struct.unpack(">H", ip[2:4])[0])
        src, dst, t = ip[12:16], ip[16:20], ip[hl:end]
    elif v == 6 and len(ip) >= 40 and ip[6] == 6:
        src, dst, t = ip[8:24], ip[24:40], ip[40:40 + struct.unpack(">H", ip[4:6])[0]]
    else:
        return None
    if len(t) < 20:
        return None
    sp, dp, seq, ack = struct.unpack(">HHII", t[:12])
    th = (t[12] >> 4) * 4
    return (src, dst, sp, dp, seq, ack, t[13], t[th:])


def reasm_seeds():
    clean("reasm")
    for name, lt, frames in pcaps():
        segs = [s for s in (tcp_segments(ip) for ip in ip_packets(lt, frames)) if s]
        if not segs:
            continue
        first = segs[0]
        key = (first[0], first[2])
        peer = (first[1], first[3])
        isn = {}
        out = []
        for s in segs:
            me = (s[0], s[2])
            if me == key:
                d = 0
            elif me == peer:
                d = 1
            else:
                continue
            isn.setdefault(d, (s[4] - 1) & 0xFFFFFFFF if s[6] & 2 == 0 else s[4])
            rel = (s[4] - isn[d]) & 0xFFFFFFFF
            pay = s[7]
            if rel > 0xFFFF:
                break
            # a segment longer than 255 bytes becomes several steps
            while True:
                chunk = pay[:255]
                out.append(bytes([d, s[6]]) + struct.pack(">H", rel & 0xFFFF) + bytes([len(chunk)]) + chunk)
                pay = pay[255:]
                rel += len(chunk)
                if not pay or rel > 0xFFFF:
                    break
            if s[6] & 0x10 and 1 - d in isn:
                arel = (s[5] - isn[1 - d]) & 0xFFFFFFFF
                if arel <= 0xFFFF:
                    out.append(bytes([(1 - d) | 4, 0x10]) + struct.pack(">H", arel) + b"\0")
            if sum(map(len, out)) > 30000:
                break
        if len(out) < 2 or 0 not in isn:
            continue
        # offsets are relative to each direction's own ISN (fuzz_reasm.c
        # puts the reverse one 2^30 above the first)
        hdr = struct.pack(">I", isn[0]) + b"\0"
        put("reasm", name, hdr + b"".join(out))


# fuzz_app.c's parsers, by server port
APP_PORTS = {80: 0, 8080: 0, 443: 1, 445: 2, 139: 2, 53: 3}


def app_seeds():
    """Each TCP conversation on a known port as fuzz_app.c steps: its
    payloads in capture order (the lab and bundled captures are in order),
    and the same with the middle data segment lost (a gap step)."""
    clean("app")
    for name, lt, frames in pcaps():
        convs = {}
        for s in (tcp_segments(ip) for ip in ip_packets(lt, frames)):
            if not s or not s[7]:
                continue
            a, b = (s[0], s[2]), (s[1], s[3])
            key = (min(a, b), max(a, b))
            convs.setdefault(key, []).append(s)
        for i, (key, segs) in enumerate(sorted(convs.items())):
            first = segs[0]
            server = first[3] if first[3] in APP_PORTS else first[2]
            if server not in APP_PORTS:
                continue
            client = (first[0], first[2]) if first[3] == server else (first[1], first[3])
            steps = [(0 if (s[0], s[2]) == client else 1, s[7]) for s in segs]
            for variant in ("", "-gap"):
                out, mid = [], len(steps) // 2
                for k, (d, pay) in enumerate(steps):
                    if variant and k == mid:
                        out.append(struct.pack(">BH", d | 2, len(pay)))
                    else:
                        out.append(struct.pack(">BH", d, len(pay)) + pay)
                    if sum(map(len, out)) > 40000:
                        break
                if variant and len(steps) < 3:
                    continue
                put("app", "%s-%d%s" % (name, i, variant), bytes([APP_PORTS[server]]) + b"".join(out))


def events_seeds():
    clean("events")
    for p in sorted(glob.glob(os.path.join(TOP, "tests", "data", "events", "*", "*"))):
        base = os.path.basename(p)
        if base.startswith(("LICENSE", "PROVENANCE")):
            continue
        b = open(p, "rb").read()
        fmt = os.path.basename(os.path.dirname(p))
        # the first 6000 bytes, cut at a line end; max message 4096 bytes
        cut = b[:6000]
        if len(b) > 6000 and b"\n" in cut:
            cut = cut[:cut.rindex(b"\n") + 1]
        put("events", "%s-%s" % (fmt, os.path.splitext(base)[0]), bytes([6]) + cut)
        # the same with a 128-byte bound: the oversize paths
        put("events", "%s-%s-small" % (fmt, os.path.splitext(base)[0]), bytes([1]) + cut[:3000])


# fuzz_event_<format>.c: the opening each target puts before its input
OPENINGS = {"event_json": b"{", "event_xml": b"<Event", "event_snare": b"MSWinEventLog\t",
            "event_kv": b"EventCode="}


def event_format_seeds():
    """The single-event samples of corpus/winevent/, each in the corpus of
    its format's target, without the opening that target adds (a sample is
    cut at the first occurrence of the opening; what comes before it, such
    as a syslog header or a BOM, is the sender's and is dropped)."""
    for t in OPENINGS:
        clean(t)
    for p in sorted(glob.glob(os.path.join(OUT, "winevent", "*"))):
        b = open(p, "rb").read()
        if b.startswith(b"\xef\xbb\xbf"):
            b = b[3:]
        b = b.lstrip()
        for t, o in OPENINGS.items():
            i = b.find(o)
            if i < 0 or (t == "event_json" and i != 0) or (t == "event_xml" and b[:i].strip(b" \t\r\n") not in (b"",)
                                                           and not b.startswith(b"<?xml")):
                continue
            put(t, os.path.basename(p), b[i + len(o):])
            break


def main():
    decode_seeds()
    ipfrag_seeds()
    reasm_seeds()
    app_seeds()
    events_seeds()
    event_format_seeds()
    for t in ("decode", "ipfrag", "reasm", "app", "events") + tuple(OPENINGS):
        n = len(os.listdir(os.path.join(OUT, t)))
        print("%s: %d files" % (t, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
