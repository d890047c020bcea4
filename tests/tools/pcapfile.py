"""pcapfile.py -- the classic pcap reader shared by tests/tools/mutate-pcap.py,
tests/fuzz/make-seeds.py and pcaps/lab/scenario-events.py (Python 3 only)."""
import struct


class NotPcap(Exception):
    pass


def read(path, partial=False):
    """(byte order, header, records) of a classic pcap file of either byte
    order; the header is the 24-byte file header (bytearray), each record is
    [seconds, fraction, original length, bytearray frame]. Raises NotPcap for
    another format, and for a record cut short unless partial (then the
    records before it are returned)."""
    b = open(path, "rb").read()
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise NotPcap("%s: not a classic pcap file" % path)
    if len(b) < 24:
        raise NotPcap("%s: shorter than a pcap header" % path)
    recs, off = [], 24
    while off + 16 <= len(b):
        ts, tu, incl, orig = struct.unpack(e + "IIII", b[off:off + 16])
        if off + 16 + incl > len(b):
            if partial:
                break
            raise NotPcap("%s: truncated record at offset %d" % (path, off))
        recs.append([ts, tu, orig, bytearray(b[off + 16:off + 16 + incl])])
        off += 16 + incl
    return e, bytearray(b[:24]), recs


def linktype(e, hdr):
    return struct.unpack(e + "I", bytes(hdr[20:24]))[0] & 0xFFFF


def nanosecond(hdr):
    """Whether the records' fractions are nanoseconds (else microseconds)."""
    return bytes(hdr[:4]) in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
