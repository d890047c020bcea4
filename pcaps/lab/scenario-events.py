#!/usr/bin/env python3
"""scenario-events.py -- the endpoint side of the lab scenarios (scenarios.sh).

Usage: scenario-events.py SCENARIO_DIR [--all-formats OUT_DIR]

With --all-formats, nothing is written beside the pcaps: OUT_DIR gets every
scenario's events in every format below (tests/integration/scenarios.sh
checks that the verdict does not depend on the forwarder).

Reads SCENARIO_DIR/timeline.tsv (the times scenarios.sh took with `date`
around each client action) and the pcaps it recorded, and writes beside each
pcap the Windows events that "the Windows client" would have logged at those
moments: Sysmon 1/3/7/22, Security 4688 and MsiInstaller 1040/1042, in the
shapes real forwarders write (templates: ../../../shared/events/format_samples
and the python-evtx output in ../../../shared/events/evtx_attack_samples):

  *.events.nxlog.jsonl      NXLog im_msvistalog to_json() on a WEF collector,
                            through Logstash (@timestamp, @version, host, port, tags)
  *.events.xml              Windows-rendered event XML (EvtRender, as WEF and
                            Splunk XmlWinEventLog carry it), one event per line
  *.events.evtx-dump.xml    python-evtx's evtx_dump.py output (<Events>, pretty)
  *.events.winlogbeat.jsonl Winlogbeat's raw wineventlog output, one per line
  *.events.snare.txt        Snare over syslog (RFC 3164 header, MSWinEventLog, tabs)

Every time is derived from the capture: the first packet a client action
sent (DNS query or TCP SYN), its source port, the last packet of the
connection. Nothing here is random: the same captures give the same files.
The events are written, not captured on Windows; the Windows binaries'
hashes are stand-ins (derived from the path), payload.dll's are real.
Standard library only.
"""

import datetime
import hashlib
import json
import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "tools"))
import pcapfile  # noqa: E402

LAB = os.path.dirname(os.path.abspath(__file__))
CLIENT_A, CLIENT_B, SERVER = "10.77.0.10", "10.77.0.11", "10.77.0.20"
SYSMON_GUID = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"
SECURITY_GUID = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
PROVIDER_GUID = {"Microsoft-Windows-Sysmon": SYSMON_GUID, "Microsoft-Windows-Security-Auditing": SECURITY_GUID}
WEC = "wec.lab.msiwatch.test"   # the Windows Event Collector that NXLog runs on


# ---------------------------------------------------------------- pcap -----

class Pkt:
    __slots__ = ("ts", "src", "dst", "proto", "sport", "dport", "flags", "payload")


def read_pcap(path):
    try:
        e, hdr, recs = pcapfile.read(path, partial=True)
    except pcapfile.NotPcap as x:
        raise SystemExit(str(x))
    nano = pcapfile.nanosecond(hdr)
    if pcapfile.linktype(e, hdr) != 1:
        raise SystemExit("%s: not Ethernet" % path)
    out = []
    for s, frac, _, f in recs:
        f = bytes(f)
        if len(f) < 34 or f[12:14] != b"\x08\x00":
            continue
        p = Pkt()
        p.ts = s + frac / (1e9 if nano else 1e6)
        ihl = (f[14] & 15) * 4
        tot = struct.unpack("!H", f[16:18])[0]
        p.proto = f[23]
        p.src = ".".join(str(b) for b in f[26:30])
        p.dst = ".".join(str(b) for b in f[30:34])
        l4 = f[14 + ihl:14 + tot]
        p.sport = p.dport = p.flags = 0
        p.payload = b""
        if p.proto == 6 and len(l4) >= 20:
            p.sport, p.dport = struct.unpack("!HH", l4[:4])
            p.flags = l4[13]
            p.payload = l4[(l4[12] >> 4) * 4:]
        elif p.proto == 17 and len(l4) >= 8:
            p.sport, p.dport = struct.unpack("!HH", l4[:4])
            p.payload = l4[8:]
        out.append(p)
    return out


class Cap:
    def __init__(self, path):
        self.path = path
        self.pkts = read_pcap(path)

    def syn(self, client, dport, n=0):
        """The n-th connection from client to the server's dport: (time of
        the SYN, client port, time of the connection's last packet, time of
        the server's SYN-ACK)."""
        syns = [p for p in self.pkts if p.proto == 6 and p.src == client and p.dst == SERVER
                and p.dport == dport and p.flags & 0x12 == 0x02]
        if len(syns) <= n:
            raise SystemExit("%s: no connection #%d from %s to port %d" % (self.path, n, client, dport))
        s = syns[n]
        conn = [p for p in self.pkts if p.proto == 6 and
                {(p.src, p.sport), (p.dst, p.dport)} == {(client, s.sport), (SERVER, dport)}]
        synack = min(p.ts for p in conn if p.src == SERVER and p.flags & 0x12 == 0x12)
        return s.ts, s.sport, max(p.ts for p in conn), synack

    def dns(self, client, qname):
        """(time of the query, time of the answer, [addresses answered])."""
        q = r = None
        addrs = []
        want = b"".join(bytes([len(x)]) + x.encode() for x in qname.split(".")) + b"\0"
        for p in self.pkts:
            if p.proto != 17 or 53 not in (p.sport, p.dport) or want not in p.payload.lower():
                continue
            if q is None and p.src == client and p.dport == 53:
                q = p.ts
            elif q is not None and r is None and p.dst == client and p.sport == 53:
                r = p.ts
                addrs = dns_a_records(p.payload)
        if q is None or r is None:
            raise SystemExit("%s: no DNS exchange for %s" % (self.path, qname))
        return q, r, addrs


def dns_a_records(m):
    """The A records of a DNS answer (enough for dnsmasq's replies)."""
    an = struct.unpack("!H", m[6:8])[0]
    o = 12

    def skip_name(o):
        while True:
            n = m[o]
            if n == 0:
                return o + 1
            if n & 0xC0 == 0xC0:
                return o + 2
            o += n + 1
    o = skip_name(o) + 4
    out = []
    for _ in range(an):
        o = skip_name(o)
        t, _, _, rdl = struct.unpack("!HHIH", m[o:o + 10])
        o += 10
        if t == 1 and rdl == 4:
            out.append(".".join(str(b) for b in m[o:o + 4]))
        o += rdl
    return out


# --------------------------------------------------------------- times -----

def dt(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def utctime(t):            # Sysmon UtcTime
    return dt(t).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def systemtime(t):         # System/TimeCreated/@SystemTime as EvtRender writes it (100 ns)
    return dt(t).strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ" % (round((t % 1) * 1e7) % 10000000)


def evtx_dump_time(t):     # python-evtx's rendering of TimeCreated
    return dt(t).strftime("%Y-%m-%d %H:%M:%S.%f")


def local_seconds(t):      # NXLog EventTime / EventReceivedTime: collector-local (UTC here), no zone
    return dt(t).strftime("%Y-%m-%d %H:%M:%S")


def logstash_time(t):
    return dt(t).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ctime(t):              # Snare's SubmitTime
    d = dt(t)
    return d.strftime("%a %b ") + "%2d" % d.day + d.strftime(" %H:%M:%S %Y")


def rfc3164(t):
    d = dt(t)
    return d.strftime("%b ") + "%2d" % d.day + d.strftime(" %H:%M:%S")


# ------------------------------------------------------- Windows model -----

def swap16(x):
    return ((x & 0xFF) << 8) | (x >> 8)


def fake_hashes(path):
    """Stand-in MD5/SHA256/IMPHASH for a Windows binary (not the real file's)."""
    k = path.lower().encode()
    return "MD5=%s,SHA256=%s,IMPHASH=%s" % (hashlib.md5(b"md5:" + k).hexdigest().upper(),
                                            hashlib.sha256(b"sha256:" + k).hexdigest().upper(),
                                            hashlib.md5(b"imphash:" + k).hexdigest().upper())


def imphash(pe):
    """pefile's imphash of a PE32/PE32+ image (lib.func, lower case, md5)."""
    lfanew = struct.unpack("<I", pe[0x3C:0x40])[0]
    nsec, optsz = struct.unpack("<H", pe[lfanew + 6:lfanew + 8])[0], struct.unpack("<H", pe[lfanew + 20:lfanew + 22])[0]
    opt = lfanew + 24
    magic = struct.unpack("<H", pe[opt:opt + 2])[0]
    dd = opt + (112 if magic == 0x20B else 96)
    imp_rva = struct.unpack("<I", pe[dd + 8:dd + 12])[0]
    secs = []
    for i in range(nsec):
        s = opt + optsz + 40 * i
        vsz, va, rsz, rptr = struct.unpack("<IIII", pe[s + 8:s + 24])
        secs.append((va, max(vsz, rsz), rptr))

    def off(rva):
        for va, sz, rptr in secs:
            if va <= rva < va + sz:
                return rva - va + rptr
        raise ValueError("rva")

    def cstr(o):
        return pe[o:pe.index(b"\0", o)].decode()
    tsz, hi = (8, 1 << 63) if magic == 0x20B else (4, 1 << 31)
    items = []
    d = off(imp_rva)
    while True:
        oft, _, _, name, ft = struct.unpack("<IIIII", pe[d:d + 20])
        if name == 0:
            break
        lib = cstr(off(name)).lower()
        if lib.rsplit(".", 1)[-1] in ("ocx", "sys", "dll"):
            lib = lib.rsplit(".", 1)[0]
        t = off(oft or ft)
        while True:
            v = int.from_bytes(pe[t:t + tsz], "little")
            if v == 0:
                break
            fn = "ord%d" % (v & 0xFFFF) if v & hi else cstr(off(v & 0x7FFFFFFF) + 2).lower()
            items.append("%s.%s" % (lib, fn))
            t += tsz
        d += 20
    return hashlib.md5(",".join(items).encode()).hexdigest().upper()


def real_hashes(path):
    b = open(path, "rb").read()
    return "MD5=%s,SHA256=%s,IMPHASH=%s" % (hashlib.md5(b).hexdigest().upper(),
                                            hashlib.sha256(b).hexdigest().upper(), imphash(b))


# version resources of the Windows 10 22H2 (19045) binaries the events name
MS = "Microsoft Corporation"
OS = "Microsoft® Windows® Operating System"
PE_INFO = {
    "msiexec.exe": ("5.0.19041.3636 (WinBuild.160101.0800)", "Windows® installer", "Windows Installer - Unicode", MS, "msiexec.exe"),
    "cmd.exe": ("10.0.19041.3636 (WinBuild.160101.0800)", "Windows Command Processor", OS, MS, "Cmd.Exe"),
    "certutil.exe": ("10.0.19041.3636 (WinBuild.160101.0800)", "CertUtil.exe", OS, MS, "CertUtil.exe"),
    "notepad.exe": ("10.0.19041.3636 (WinBuild.160101.0800)", "Notepad", OS, MS, "NOTEPAD.EXE"),
    "wmiprvse.exe": ("10.0.19041.3636 (WinBuild.160101.0800)", "WMI Provider Host", OS, MS, "Wmiprvse.exe"),
    "msi.dll": ("5.0.19041.3636 (WinBuild.160101.0800)", "Windows Installer", "Windows Installer - Unicode", MS, "msi.dll"),
    "urlmon.dll": ("11.00.19041.3636 (WinBuild.160101.0800)", "OLE32 Extensions for Win32", "Internet Explorer", MS, "UrlMon.dll"),
    "wininet.dll": ("11.00.19041.3636 (WinBuild.160101.0800)", "Internet Extensions for Win32", "Internet Explorer", MS, "wininet.dll"),
    "davclnt.dll": ("10.0.19041.3636 (WinBuild.160101.0800)", "Web DAV Client DLL", OS, MS, "davclnt.dll"),
    "crypt32.dll": ("10.0.19041.3636 (WinBuild.160101.0800)", "Crypto API32", OS, MS, "CRYPT32.DLL"),
}
# Sysmon's network connect comes from the TCP/IP connect event, at the
# handshake's completion: the SYN-ACK's arrival plus the stack's turnaround.
# UtcTime keeps milliseconds (truncated), so it falls at or before the request.
CONNECT_LAG = 0.00002
PORT_NAMES = {80: "http", 443: "https", 445: "microsoft-ds", 53: "domain"}


class Proc:
    def __init__(self, host, pid, image, cmdline, start, parent=None, user=None, integrity="Medium",
                 cwd=None, original=None, pe_key=None, session=1, logon=None, hashes=None, seq=None):
        self.host, self.pid, self.image, self.cmdline, self.start = host, pid, image, cmdline, start
        self.parent = parent
        self.user = user or host.user
        self.integrity = integrity
        self.cwd = cwd or "C:\\Users\\%s\\" % host.user.split("\\")[1]
        key = pe_key or image.rsplit("\\", 1)[-1].lower()
        fv, desc, prod, comp, orig = PE_INFO.get(key, ("-", "-", "-", "-", "-"))
        self.pe = (fv, desc, prod, comp, original or orig)
        self.session = session
        self.logon = logon or host.user_logon
        self.hashes = hashes or fake_hashes(image)
        host.seq += 1
        self.guid = "{%s-%04x-%04x-%04x-%s}" % (host.machine, int(start) & 0xFFFF, int(start) >> 16,
                                                 swap16(seq if seq is not None else host.seq), host.guid_tail)


class Logon:
    def __init__(self, host, logon_id, when):
        self.id = logon_id
        b = logon_id.to_bytes(8, "little")
        self.guid = "{%s-%04x-%04x-%s-%s}" % (host.machine, int(when) & 0xFFFF, int(when) >> 16,
                                               b[:2].hex(), b[2:].hex())


class Host:
    def __init__(self, short, machine, ip, user, user_sid, boot, guid_tail, record_base):
        self.short, self.fqdn, self.machine, self.ip = short, short + ".lab.msiwatch.test", machine, ip
        self.user, self.user_sid = user, user_sid
        self.guid_tail = guid_tail
        self.seq = 0x100
        self.records = {"sysmon": record_base, "security": record_base * 7 + 11, "application": record_base // 9}
        self.sysmon_pid = 2988
        self.boot = boot
        self.system_logon = Logon(self, 0x3E7, boot + 9)
        self.user_logon = Logon(self, 0x2A1F3C, boot + 312)
        sysuser = "NT AUTHORITY\\SYSTEM"
        self.system = Proc(self, 4, "System", "", boot, user=sysuser, integrity="System", seq=0x01,
                           session=0, logon=self.system_logon)
        self.services = Proc(self, 676, "C:\\Windows\\System32\\services.exe", "C:\\Windows\\system32\\services.exe",
                             boot + 6, user=sysuser, integrity="System", seq=0x0B, session=0,
                             logon=self.system_logon, cwd="C:\\Windows\\system32\\")
        self.dcomlaunch = Proc(self, 812, "C:\\Windows\\System32\\svchost.exe",
                               "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", boot + 7, parent=self.services,
                               user=sysuser, integrity="System", seq=0x0D, session=0, logon=self.system_logon)
        self.webclient = Proc(self, 3968, "C:\\Windows\\System32\\svchost.exe",
                              "C:\\Windows\\system32\\svchost.exe -k LocalService -p -s WebClient", boot + 41,
                              parent=self.services, user="NT AUTHORITY\\LOCAL SERVICE", integrity="System",
                              seq=0x3E, session=0, logon=self.system_logon)
        self.explorer = Proc(self, 4712, "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", boot + 318,
                             seq=0x7A, cwd="C:\\Windows\\system32\\")
        self.cmd = Proc(self, 6236, "C:\\Windows\\System32\\cmd.exe", '"C:\\Windows\\system32\\cmd.exe" ',
                        boot + 5402, parent=self.explorer, seq=0xF4)
        self.edge = Proc(self, 7320, "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
                         '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --profile-directory=Default',
                         boot + 980, parent=self.explorer, seq=0xB2,
                         cwd="C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\")
        self.next_pid = 5000 + (int(machine[:4], 16) % 500) * 4

    def pid(self):
        self.next_pid += 4 * (7 + self.next_pid % 13)
        return self.next_pid

    def record(self, channel):
        self.records[channel] += 1
        return self.records[channel]


class Ev:
    """One Windows event: System facts, EventData in schema order, rendering."""

    def __init__(self, host, code, t, data, tc=None, lag=1.4):
        self.host, self.code, self.t = host, code, t
        self.tc = tc if tc is not None else t + 0.004      # TimeCreated (logging) time
        self.recv = self.tc + lag                           # the collector's receipt
        self.data = data                                    # list of (name, value)
        if code in (1, 3, 7, 22):
            self.kind, self.channel, self.provider = "sysmon", "Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon"
            self.version = {1: 5, 3: 5, 7: 3, 22: 5}[code]
            self.record = host.record("sysmon")
            self.exec_pid = host.sysmon_pid
            self.thread = {1: 3764, 3: 3140, 7: 3764, 22: 3152}[code]
        elif code == 4688:
            self.kind, self.channel, self.provider = "security", "Security", "Microsoft-Windows-Security-Auditing"
            self.version = 2
            self.record = host.record("security")
            self.exec_pid, self.thread = 4, 8124
        else:
            self.kind, self.channel, self.provider = "msi", "Application", "MsiInstaller"
            self.version = 0
            self.record = host.record("application")
            self.exec_pid = self.thread = 0

    def get(self, k):
        for n, v in self.data:
            if n == k:
                return v
        return None

    def shifted(self, dt_s):
        """The same event with the endpoint's clock dt_s seconds off (the
        collector's receipt time stays right)."""
        e = Ev.__new__(Ev)
        e.__dict__.update(self.__dict__)
        e.t, e.tc = self.t + dt_s, self.tc + dt_s
        e.data = [(n, utctime(e.t) if n == "UtcTime" else v) for n, v in self.data]
        return e


def sysmon1(p, t):
    h, par = p.host, p.parent
    fv, desc, prod, comp, orig = p.pe
    return Ev(h, 1, t, [
        ("RuleName", "-"), ("UtcTime", utctime(t)), ("ProcessGuid", p.guid), ("ProcessId", str(p.pid)),
        ("Image", p.image), ("FileVersion", fv), ("Description", desc), ("Product", prod), ("Company", comp),
        ("OriginalFileName", orig), ("CommandLine", p.cmdline), ("CurrentDirectory", p.cwd), ("User", p.user),
        ("LogonGuid", p.logon.guid), ("LogonId", "0x%x" % p.logon.id), ("TerminalSessionId", str(p.session)),
        ("IntegrityLevel", p.integrity), ("Hashes", p.hashes), ("ParentProcessGuid", par.guid),
        ("ParentProcessId", str(par.pid)), ("ParentImage", par.image), ("ParentCommandLine", par.cmdline),
        ("ParentUser", par.user)], tc=t + 0.011)


def sysmon3(p, t, sport, dip, dport, dhost="-", src_ip=None):
    h = p.host
    return Ev(h, 3, t, [
        ("RuleName", "-"), ("UtcTime", utctime(t)), ("ProcessGuid", p.guid), ("ProcessId", str(p.pid)),
        ("Image", p.image), ("User", p.user), ("Protocol", "tcp"), ("Initiated", "true"),
        ("SourceIsIpv6", "false"), ("SourceIp", src_ip or h.ip), ("SourceHostname", h.fqdn),
        ("SourcePort", str(sport)), ("SourcePortName", "-"), ("DestinationIsIpv6", "false"),
        ("DestinationIp", dip), ("DestinationHostname", dhost), ("DestinationPort", str(dport)),
        ("DestinationPortName", PORT_NAMES.get(dport, "-"))], tc=t + 1.062)


def sysmon7(p, t, path, hashes=None, signed=True, pe_key=None):
    key = pe_key or path.rsplit("\\", 1)[-1].lower()
    fv, desc, prod, comp, orig = PE_INFO.get(key, ("-", "-", "-", "-", "-"))
    return Ev(p.host, 7, t, [
        ("RuleName", "-"), ("UtcTime", utctime(t)), ("ProcessGuid", p.guid), ("ProcessId", str(p.pid)),
        ("Image", p.image), ("ImageLoaded", path), ("FileVersion", fv), ("Description", desc),
        ("Product", prod), ("Company", comp), ("OriginalFileName", orig),
        ("Hashes", hashes or fake_hashes(path)), ("Signed", "true" if signed else "false"),
        ("Signature", "Microsoft Windows" if signed else "-"),
        ("SignatureStatus", "Valid" if signed else "Unavailable")], tc=t + 0.007)


def sysmon22(p, t, qname, addrs):
    return Ev(p.host, 22, t, [
        ("RuleName", "-"), ("UtcTime", utctime(t)), ("ProcessGuid", p.guid), ("ProcessId", str(p.pid)),
        ("QueryName", qname), ("QueryStatus", "0"),
        ("QueryResults", "".join("::ffff:%s;" % a for a in addrs)), ("Image", p.image)], tc=t + 0.009)


def sec4688(p, t):
    """Security 4688 version 2 (command line auditing on): hexadecimal pids,
    no ProcessGuid; a standard user's process has a limited token (%%1938)."""
    h, par = p.host, p.parent
    dom, name = p.user.split("\\")
    return Ev(h, 4688, t, [
        ("SubjectUserSid", h.user_sid), ("SubjectUserName", name), ("SubjectDomainName", dom),
        ("SubjectLogonId", "0x%x" % p.logon.id), ("NewProcessId", "0x%x" % p.pid), ("NewProcessName", p.image),
        ("TokenElevationType", "%%1938"), ("ProcessId", "0x%x" % par.pid), ("CommandLine", p.cmdline),
        ("TargetUserSid", "S-1-0-0"), ("TargetUserName", "-"), ("TargetDomainName", "-"),
        ("TargetLogonId", "0x0"), ("ParentProcessName", par.image), ("MandatoryLabel", "S-1-16-8192")],
        tc=t)


def msi_event(h, code, t, package, client_pid):
    """MsiInstaller 1040/1042 (Application log, classic provider): unnamed
    Data -- the package source, the client process id, four (NULL), one empty."""
    e = Ev(h, code, t, [(None, package), (None, str(client_pid)), (None, "(NULL)"), (None, "(NULL)"),
                        (None, "(NULL)"), (None, "(NULL)"), (None, "")], tc=t)
    e.message = "%s a Windows Installer transaction: %s. Client Process Id: %d." % (
        "Beginning" if code == 1040 else "Ending", package, client_pid)
    return e


# --------------------------------------------------------- rendering -----

SYSMON_HEAD = {1: ("Process Create:", "Process Create (rule: ProcessCreate)"),
               3: ("Network connection detected:", "Network connection detected (rule: NetworkConnect)"),
               7: ("Image loaded:", "Image loaded (rule: ImageLoad)"),
               22: ("Dns query:", "Dns query (rule: DnsQuery)")}


def message(e, upper_guids=False):
    """The rendered message, CRLF-separated, as Event Viewer and NXLog show it."""
    if e.kind == "msi":
        return e.message
    if e.kind == "sysmon":
        lines = [SYSMON_HEAD[e.code][0]]
        for n, v in guid_case(e, upper_guids):
            if n == "LogonId":
                v = "0x%X" % int(v, 16)     # the rendering upper-cases it
            lines.append("%s: %s" % (n, v))
        return "\r\n".join(lines)
    d = dict(e.data)
    return ("A new process has been created.\r\n\r\nCreator Subject:\r\n\tSecurity ID:\t\t%s\r\n"
            "\tAccount Name:\t\t%s\r\n\tAccount Domain:\t\t%s\r\n\tLogon ID:\t\t0x%X\r\n\r\n"
            "Target Subject:\r\n\tSecurity ID:\t\tS-1-0-0\r\n\tAccount Name:\t\t-\r\n\tAccount Domain:\t\t-\r\n"
            "\tLogon ID:\t\t0x0\r\n\r\nProcess Information:\r\n\tNew Process ID:\t\t%s\r\n"
            "\tNew Process Name:\t%s\r\n\tToken Elevation Type:\t%%%%1938\r\n\tMandatory Label:\t\tS-1-16-8192\r\n"
            "\tCreator Process ID:\t%s\r\n\tCreator Process Name:\t%s\r\n\tProcess Command Line:\t%s\r\n\r\n"
            "Token Elevation Type indicates the type of token that was assigned to the new process in accordance "
            "with User Account Control policy.\r\n\r\nType 1 is a full token with no privileges removed or groups "
            "disabled.  A full token is only used if User Account Control is disabled or if the user is the "
            "built-in Administrator account or a service account.\r\n\r\nType 2 is an elevated token with no "
            "privileges removed or groups disabled.  An elevated token is used when User Account Control is "
            "enabled and the user chooses to start the program using Run as administrator.  An elevated token "
            "is also used when an application is configured to always require administrative privilege or to "
            "always require maximum privilege, and the user is a member of the Administrators group.\r\n\r\n"
            "Type 3 is a limited token with administrative privileges removed and administrative groups "
            "disabled.  The limited token is used when User Account Control is enabled, the application does "
            "not require administrative privilege, and the user does not choose to start the program using Run "
            "as administrator.") % (
        d["SubjectUserSid"], d["SubjectUserName"], d["SubjectDomainName"], int(d["SubjectLogonId"], 16),
        d["NewProcessId"], d["NewProcessName"], d["ProcessId"], d["ParentProcessName"], d["CommandLine"])


# NXLog im_msvistalog JSON through Logstash: the key order of the real
# samples (format_samples/nxlog_..._covenant_com_wsman_automation.jsonl),
# which is Logstash's, per event id.
NX_ORDER = {
    1: "RuleName @timestamp ParentProcessGuid Channel UserID RecordNumber ThreadID Image CurrentDirectory IntegrityLevel ProcessId Company Version Hostname Description EventReceivedTime ProviderGuid ParentProcessId UtcTime port Severity tags Task TerminalSessionId SourceModuleType OpcodeValue EventType ExecutionProcessID Opcode SourceName Product User Keywords FileVersion LogonGuid EventID Domain Category CommandLine LogonId OriginalFileName @version AccountName ProcessGuid host Hashes SeverityValue EventTime Message SourceModuleName ParentImage AccountType ParentCommandLine ParentUser",
    3: "RuleName @timestamp Channel UserID RecordNumber ThreadID Image ProcessId Version Hostname SourcePort DestinationHostname EventReceivedTime ProviderGuid DestinationPortName Protocol UtcTime port Severity SourceIsIpv6 Task tags SourceModuleType OpcodeValue Initiated EventType ExecutionProcessID Opcode DestinationPort SourcePortName SourceName User Keywords SourceHostname EventID Domain Category @version AccountName ProcessGuid host SourceIp SeverityValue EventTime Message DestinationIsIpv6 SourceModuleName DestinationIp AccountType",
    7: "RuleName @timestamp SignatureStatus Channel UserID RecordNumber ThreadID Image ProcessId Company Version Hostname ImageLoaded Description EventReceivedTime ProviderGuid Signed UtcTime port Severity tags Task SourceModuleType OpcodeValue EventType ExecutionProcessID Opcode SourceName Product Keywords FileVersion EventID Domain Category OriginalFileName @version AccountName ProcessGuid host Hashes SeverityValue EventTime Message SourceModuleName AccountType Signature",
    22: "UtcTime RuleName @timestamp port Severity Task Channel tags UserID SourceModuleType OpcodeValue EventType ExecutionProcessID Opcode RecordNumber ThreadID SourceName Keywords Image EventID Domain Category Version QueryStatus ProcessId @version AccountName ProcessGuid host Hostname EventReceivedTime SeverityValue EventTime ProviderGuid Message SourceModuleName QueryName AccountType QueryResults",
    4688: "@timestamp port Severity Task Channel tags SourceModuleType OpcodeValue EventType ExecutionProcessID Opcode RecordNumber ThreadID SubjectDomainName SubjectLogonId SourceName NewProcessId TargetLogonId Keywords TargetUserSid EventID Category NewProcessName Version CommandLine ParentProcessName @version ProcessId host Hostname EventReceivedTime SeverityValue EventTime ProviderGuid Message SubjectUserName TokenElevationType MandatoryLabel SourceModuleName SubjectUserSid TargetDomainName TargetUserName",
    # MsiInstaller (classic provider, no EventData names): the 4688 line's
    # bookkeeping keys plus the user NXLog resolves from System/Security
    1040: "@timestamp port Severity Task Channel tags SourceModuleType OpcodeValue EventType ExecutionProcessID Opcode RecordNumber ThreadID SourceName Keywords EventID Domain Category Version @version AccountName host Hostname EventReceivedTime SeverityValue EventTime Message SourceModuleName UserID AccountType",
}
NX_ORDER[1042] = NX_ORDER[1040]
# NXLog writes Keywords as a signed 64-bit integer
KEYWORDS = {"sysmon": -9223372036854775808, "security": -9214364837600034816, "msi": 36028797018963968}
KEYWORDS_HEX = {"sysmon": "0x8000000000000000", "security": "0x8020000000000000", "msi": "0x80000000000000"}


def nxlog(e):
    h = e.host
    f = {"@timestamp": logstash_time(e.recv + 0.021), "@version": "1", "host": WEC, "port": 61041,
         "tags": ["msiwatch-lab"], "Hostname": h.fqdn, "EventTime": local_seconds(e.tc),
         "EventReceivedTime": local_seconds(e.recv), "SourceModuleName": "eventlog",
         "SourceModuleType": "im_msvistalog", "Severity": "INFO", "SeverityValue": 2, "EventID": e.code,
         "SourceName": e.provider, "Channel": e.channel, "RecordNumber": e.record, "ThreadID": e.thread,
         "ExecutionProcessID": e.exec_pid, "Opcode": "Info", "OpcodeValue": 0, "Keywords": KEYWORDS[e.kind],
         "Message": message(e)}
    if e.kind == "sysmon":
        f.update({"ProviderGuid": SYSMON_GUID, "Version": e.version, "Task": e.code, "EventType": "INFO",
                  "Category": SYSMON_HEAD[e.code][1], "UserID": "S-1-5-18", "Domain": "NT AUTHORITY",
                  "AccountName": "SYSTEM", "AccountType": "User"})
    elif e.kind == "security":
        f.update({"ProviderGuid": SECURITY_GUID, "Version": 2, "Task": 13312, "EventType": "AUDIT_SUCCESS",
                  "Category": "Process Creation"})
    else:
        dom, name = h.user.split("\\")
        f.update({"Version": 0, "Task": 0, "EventType": "INFO", "Category": "None", "UserID": h.user_sid,
                  "Domain": dom, "AccountName": name, "AccountType": "User"})
    for n, v in e.data:
        if n is not None:
            f[n] = v
    order = NX_ORDER[e.code].split()
    out = {k: f[k] for k in order if k in f}
    out.update({k: v for k, v in f.items() if k not in out})
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def guid_case(e, upper):
    """(name, value) pairs with the GUIDs in the case a forwarder writes:
    Windows' own rendering (EvtRender XML, Snare) upper case, NXLog,
    python-evtx and this Winlogbeat lower case, braces everywhere."""
    return [(n, v.upper() if upper and n is not None and n.endswith("Guid") else v) for n, v in e.data]


def xesc(s, quote=None):
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace(quote, "&apos;" if quote == "'" else "&quot;") if quote else s


def xml_system(e, q, time_s, evtx_dump):
    h = e.host
    a = lambda v: q + xesc(str(v), q) + q
    if e.kind == "sysmon":
        prov = "<Provider Name=%s Guid=%s" % (a(e.provider), a(SYSMON_GUID.lower() if evtx_dump else SYSMON_GUID))
        eid, level, task, sec_user = str(e.code), 4, e.code, "S-1-5-18"
    elif e.kind == "security":
        prov = "<Provider Name=%s Guid=%s" % (a(e.provider), a(SECURITY_GUID.lower() if evtx_dump else SECURITY_GUID))
        eid, level, task, sec_user = "4688", 0, 13312, None
    else:
        prov = "<Provider Name=%s" % a("MsiInstaller")
        eid, level, task, sec_user = str(e.code), 4, 0, h.user_sid
    if evtx_dump:   # python-evtx: no self-closing tags, one element per line
        qual = ' Qualifiers="0"' if e.kind == "msi" else ' Qualifiers=""'
        sec = '<Security UserID="%s"></Security>' % sec_user if sec_user else '<Security></Security>'
        return "\n".join([
            "<System>" + prov + "></Provider>", "<EventID%s>%s</EventID>" % (qual, eid),
            "<Version>%d</Version>" % e.version, "<Level>%d</Level>" % level, "<Task>%d</Task>" % task,
            "<Opcode>0</Opcode>", "<Keywords>%s</Keywords>" % KEYWORDS_HEX[e.kind],
            '<TimeCreated SystemTime="%s"></TimeCreated>' % time_s, "<EventRecordID>%d</EventRecordID>" % e.record,
            '<Correlation ActivityID="" RelatedActivityID=""></Correlation>',
            '<Execution ProcessID="%d" ThreadID="%d"></Execution>' % (e.exec_pid, e.thread),
            "<Channel>%s</Channel>" % e.channel, "<Computer>%s</Computer>" % h.fqdn, sec, "</System>"])
    qual = "<EventID Qualifiers=%s>" % a(0) if e.kind == "msi" else "<EventID>"
    sec = "<Security UserID=%s/>" % a(sec_user) if sec_user else "<Security/>"
    return ("<System>%s/>%s%s</EventID><Version>%d</Version><Level>%d</Level><Task>%d</Task><Opcode>0</Opcode>"
            "<Keywords>%s</Keywords><TimeCreated SystemTime=%s/><EventRecordID>%d</EventRecordID><Correlation/>"
            "<Execution ProcessID=%s ThreadID=%s/><Channel>%s</Channel><Computer>%s</Computer>%s</System>") % (
        prov, qual, eid, e.version, level, task, KEYWORDS_HEX[e.kind], a(time_s), e.record, a(e.exec_pid),
        a(e.thread), e.channel, h.fqdn, sec)


def xml_line(e, rendering=False):
    """EvtRender's XML: one line, single-quoted attributes. With rendering,
    the <RenderingInfo> that WEF adds in its RenderedText content format."""
    q = "'"
    data = "".join("<Data>%s</Data>" % xesc(v) if n is None else "<Data Name='%s'>%s</Data>" % (n, xesc(v))
                   for n, v in guid_case(e, True))
    ri = ""
    if rendering:
        task = {"sysmon": SYSMON_HEAD.get(e.code, ("", ""))[1], "security": "Process Creation", "msi": "None"}[e.kind]
        kw = "<Keyword>Audit Success</Keyword>" if e.kind == "security" else \
             "<Keyword>Classic</Keyword>" if e.kind == "msi" else ""
        prov = "MsiInstaller" if e.kind == "msi" else e.provider
        ri = ("<RenderingInfo Culture='en-US'><Message>%s</Message><Level>Information</Level><Task>%s</Task>"
              "<Opcode>Info</Opcode><Channel>%s</Channel><Provider>%s</Provider><Keywords>%s</Keywords>"
              "</RenderingInfo>") % (xesc(message(e, True)), xesc(task), e.channel, prov, kw)
    return ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>%s<EventData>%s</EventData>%s"
            "</Event>") % (xml_system(e, q, systemtime(e.tc), False), data, ri)


def evtx_dump_xml(events):
    """python-evtx's evtx_dump.py: the declaration, <Events>, each event with
    one element per line, non-ASCII as character references, LogonId as the
    64-bit hex the binary XML stores."""
    out = ['<?xml version="1.1" encoding="utf-8" standalone="yes" ?>', "", "<Events>"]
    for e in events:
        rows = []
        for n, v in e.data:
            if n == "LogonId":
                v = "0x%016x" % int(v, 16)
            v = xesc(v).encode("ascii", "xmlcharrefreplace").decode()
            rows.append('<Data Name="%s">%s</Data>' % (n, v) if n is not None else "<Data>%s</Data>" % v)
        out.append('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">' +
                   xml_system(e, '"', evtx_dump_time(e.tc), True))
        out.append("<EventData>" + "\n".join(rows))
        out.append("</EventData>")
        out.append("</Event>")
        out.append("")
    out.append("</Events>")
    return "\n".join(out) + "\n"


def winlogbeat(e):
    """Winlogbeat's wineventlog output before any ingest pipeline (the shape of
    elastic/beats x-pack/winlogbeat/module/sysmon/test/testdata/sysmon-9.01.evtx.golden.json):
    ECS host/event/log, everything else under winlog, event_data keys sorted."""
    h = e.host
    ev = {"code": str(e.code), "kind": "event", "provider": e.provider}
    return json.dumps({
        "@timestamp": systemtime(e.tc), "event": ev, "host": {"name": h.short.lower()},
        "log": {"level": "information"},
        "winlog": {"api": "wineventlog", "channel": e.channel, "computer_name": h.fqdn,
                   "event_data": dict(sorted(wlb_data(e))),
                   "event_id": str(e.code), "process": {"pid": e.exec_pid, "thread": {"id": e.thread}},
                   **({"provider_guid": PROVIDER_GUID[e.provider].lower()} if e.provider in PROVIDER_GUID else {}),
                   "provider_name": e.provider, "record_id": e.record,
                   "user": {"identifier": "S-1-5-18"}, "version": e.version}},
        ensure_ascii=False, separators=(",", ":"))


def wlb_data(e):
    """event_data as Winlogbeat names it: unnamed <Data> (classic providers
    such as MsiInstaller) become param1, param2, ..."""
    k = 0
    for n, v in e.data:
        if n is None:
            k += 1
            n = "param%d" % k
        yield n, v


SNARE_CATEGORY = {4688: "Process Creation", 1040: "None", 1042: "None"}


def snare(e):
    """Snare over syslog: RFC 3164 header with the short host name, then the
    MSWinEventLog columns of the SANS HHC 2019 sample; CR and LF of the
    expanded message each become a space, as does TAB (the column separator)."""
    h = e.host
    exp = message(e, True).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    cols = ["MSWinEventLog", "1", e.channel, str(e.record), ctime(e.tc), str(e.code), e.provider, "SYSTEM", "User",
            "Information", h.short, SNARE_CATEGORY.get(e.code) or SYSMON_HEAD[e.code][1], "", exp, str(e.record)]
    return "<14>%s %s %s" % (rfc3164(e.recv), h.short, "\t".join(cols))


# ---------------------------------------------------------- scenarios -----

def load_timeline(d):
    tl = {}
    for line in open(os.path.join(d, "timeline.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        scen, mark, t = line.rstrip("\n").split("\t")
        tl.setdefault(scen, {})[mark] = float(t)
    return tl


def check_inside(scen, tl, t, what):
    a, b = tl[scen]["action_start"], tl[scen]["action_end"]
    if not a <= t <= b:
        raise SystemExit("%s: %s at %.6f is outside the client action [%.6f, %.6f]" % (scen, what, t, a, b))


def by_tc(evs):
    return sorted(evs, key=lambda e: (e.tc, e.record))


def write(d, name, text):
    with open(os.path.join(d, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print("wrote %s: %d bytes" % (name, len(text.encode())))


def lines(rows):
    return "".join(r + "\n" for r in rows)


FORMATS = {
    "nxlog.jsonl": lambda evs, kw: lines(nxlog(e) for e in evs),
    "xml": lambda evs, kw: lines(xml_line(e, **kw) for e in evs),
    "evtx-dump.xml": lambda evs, kw: evtx_dump_xml(evs),
    "winlogbeat.jsonl": lambda evs, kw: lines(winlogbeat(e) for e in evs),
    "snare.txt": lambda evs, kw: lines(snare(e) for e in evs),
}
ALL_FORMATS_DIR = None


def emit(d, scen, fmt, evs, **kw):
    """The scenario's events (in file order) in its format beside its pcap,
    or with --all-formats in every format into that directory."""
    if ALL_FORMATS_DIR is None:
        write(d, "%s.events.%s" % (scen, fmt), FORMATS[fmt](evs, kw))
        return
    for f, render in FORMATS.items():
        write(ALL_FORMATS_DIR, "%s.events.%s" % (scen, f), render(evs, kw if f == "xml" else {}))


def main():
    global ALL_FORMATS_DIR
    args = sys.argv[1:]
    if len(args) >= 2 and args[-2] == "--all-formats":
        ALL_FORMATS_DIR = args[-1]
        args = args[:-2]
    d = args[0] if args else os.path.join(LAB, "scenarios")
    tl = load_timeline(d)
    first = min(m["action_start"] for m in tl.values())
    boot = int(first) - 93611          # the clients booted a day earlier
    A = Host("WIN10-LAB", "b5a3e6c1", CLIENT_A, "LAB\\labuser", "S-1-5-21-2093451846-1187324405-3209881563-1104",
             boot, "000000000700", 48211)
    B = Host("WIN10-B", "7d2f41a9", CLIENT_B, "LAB\\labuser2", "S-1-5-21-2093451846-1187324405-3209881563-1117",
             boot + 1337, "000000000600", 30177)
    cap = lambda s: Cap(os.path.join(d, s + ".pcap"))
    MSIEXEC = "C:\\Windows\\System32\\msiexec.exe"
    SYS32 = "C:\\Windows\\System32\\"
    dll_path = "C:\\Users\\labuser\\AppData\\Local\\Temp\\payload.dll"

    def msiexec(h, cmdline, t, parent=None, image=MSIEXEC, **kw):
        # a renamed copy is the same file: msiexec.exe's version resource and hashes
        return Proc(h, h.pid(), image, cmdline, t, parent=parent or h.cmd, pe_key="msiexec.exe",
                    hashes=fake_hashes(MSIEXEC), **kw)

    def msi_service(h, t):
        return Proc(h, h.pid(), MSIEXEC, "C:\\Windows\\system32\\msiexec.exe /V", t, parent=h.services,
                    user="NT AUTHORITY\\SYSTEM", integrity="System", session=0, logon=h.system_logon,
                    cwd="C:\\Windows\\system32\\")

    def http_chain(h, scen, cmdline, dport=80, dns=None, image=MSIEXEC, cwd=None, service=True):
        """A user's msiexec run that fetches over HTTP(S): Sysmon 1, its
        module loads, the DNS query (when a name), the connection; then the
        Windows Installer service starting to install what was fetched."""
        c = cap(scen)
        evs = []
        t_syn, sport, t_end, t_est = c.syn(h.ip, dport)
        check_inside(scen, tl, t_syn, "the SYN")
        t_first = t_syn
        if dns:
            tq, tr, addrs = c.dns(h.ip, dns)
            check_inside(scen, tl, tq, "the DNS query")
            t_first = tq
        t1 = t_first - 0.35
        p = msiexec(h, cmdline, t1, image=image, cwd=cwd)
        evs.append(sysmon1(p, t1))
        evs.append(sysmon7(p, t1 + 0.021, SYS32 + "msi.dll"))
        evs.append(sysmon7(p, t_first - 0.062, SYS32 + "urlmon.dll"))
        evs.append(sysmon7(p, t_first - 0.048, SYS32 + "wininet.dll"))
        if dns:
            evs.append(sysmon22(p, tr + 0.0008, dns, addrs))
        evs.append(sysmon3(p, t_est + CONNECT_LAG, sport, SERVER, dport))
        if service:
            v = msi_service(h, t_end + 0.061)
            evs.append(sysmon1(v, v.start))
            evs.append(sysmon7(v, v.start + 0.018, SYS32 + "msi.dll"))
        return p, evs, (t_syn, sport, t_end)

    # 1. http-msi: NXLog JSON
    _, evs, _ = http_chain(A, "http-msi", "msiexec /q /i http://10.77.0.20/pkg/setup.msi")
    emit(d, "http-msi", "nxlog.jsonl", by_tc(evs))

    # 2. https-msi: rendered XML, one per line; DNS query for lab.msiwatch.test
    _, evs, _ = http_chain(A, "https-msi", "msiexec /i https://lab.msiwatch.test/pkg/setup.msi", dport=443,
                           dns="lab.msiwatch.test")
    emit(d, "https-msi", "xml", by_tc(evs))

    # 3. smb-unc: NXLog JSON with Security 4688 instead of Sysmon 1 (hex pids,
    #    no ProcessGuid); the SMB connection is the kernel's (System, pid 4)
    c = cap("smb-unc")
    t_syn, sport, t_end, t_est = c.syn(A.ip, 445)
    check_inside("smb-unc", tl, t_syn, "the SYN")
    t1 = t_syn - 0.31
    p = msiexec(A, "msiexec /i \\\\10.77.0.20\\pkgs\\setup.msi", t1)
    evs = [sec4688(p, t1), sysmon7(p, t1 + 0.019, SYS32 + "msi.dll"),
           sysmon3(A.system, t_est + CONNECT_LAG, sport, SERVER, 445)]
    v = msi_service(A, t_end + 0.074)
    evs += [sysmon1(v, v.start), sysmon7(v, v.start + 0.016, SYS32 + "msi.dll")]
    emit(d, "smb-unc", "nxlog.jsonl", by_tc(evs))

    # 4. webdav: Winlogbeat; the WebClient service (svchost) makes the connection
    c = cap("webdav")
    t_syn, sport, t_end, t_est = c.syn(A.ip, 80)
    check_inside("webdav", tl, t_syn, "the SYN")
    t1 = t_syn - 0.42
    p = msiexec(A, "msiexec /i \\\\10.77.0.20@80\\DavWWWRoot\\pkg\\setup.msi", t1)
    evs = [sysmon1(p, t1), sysmon7(p, t1 + 0.02, SYS32 + "msi.dll"), sysmon7(p, t_syn - 0.11, SYS32 + "davclnt.dll"),
           sysmon3(A.webclient, t_est + CONNECT_LAG, sport, SERVER, 80)]
    v = msi_service(A, t_end + 0.066)
    evs += [sysmon1(v, v.start), sysmon7(v, v.start + 0.017, SYS32 + "msi.dll")]
    emit(d, "webdav", "winlogbeat.jsonl", by_tc(evs))

    # 5. dll-y: Snare; no network at all (the pcap is an idle capture)
    t1 = tl["dll-y"]["action_start"] + 0.05
    p = msiexec(A, "msiexec /y " + dll_path, t1)
    evs = [sysmon1(p, t1), sysmon7(p, t1 + 0.022, SYS32 + "msi.dll"),
           sysmon7(p, t1 + 0.087, dll_path, hashes=real_hashes(os.path.join(LAB, "files", "payload.dll")),
                   signed=False)]
    emit(d, "dll-y", "snare.txt", by_tc(evs))

    # 6. renamed-ip-port: python-evtx XML; a renamed copy of msiexec, port 8081
    _, evs, _ = http_chain(A, "renamed-ip-port", "update.exe /i http://10.77.0.20:8081/pkg/setup.msi", dport=8081,
                           image="C:\\Users\\labuser\\Downloads\\update.exe", cwd="C:\\Users\\labuser\\Downloads\\")
    emit(d, "renamed-ip-port", "evtx-dump.xml", by_tc(evs))

    # 7. local-install: NXLog JSON; a local package, the installer transaction
    t1 = tl["local-install"]["action_start"] + 0.05
    p = msiexec(A, "msiexec /i C:\\pkgs\\setup.msi", t1)
    v = msi_service(A, t1 + 0.12)
    evs = [sysmon1(p, t1), sysmon7(p, t1 + 0.02, SYS32 + "msi.dll"), sysmon1(v, v.start),
           sysmon7(v, v.start + 0.016, SYS32 + "msi.dll"),
           msi_event(A, 1040, t1 + 0.31, "C:\\pkgs\\setup.msi", p.pid),
           msi_event(A, 1042, t1 + 1.87, "C:\\pkgs\\setup.msi", p.pid)]
    emit(d, "local-install", "nxlog.jsonl", by_tc(evs))

    # 8. allowlisted: rendered XML; the deployment server by name
    _, evs, _ = http_chain(A, "allowlisted", "msiexec /i http://deploy.lab.msiwatch.test/pkg/setup.msi",
                           dns="deploy.lab.msiwatch.test")
    emit(d, "allowlisted", "xml", by_tc(evs))

    # 9. seen-before: NXLog JSON (the learn capture has no events)
    _, evs, _ = http_chain(A, "seen-before", "msiexec /i http://cdn.lab.msiwatch.test/pkg/setup.msi",
                           dns="cdn.lab.msiwatch.test")
    emit(d, "seen-before", "nxlog.jsonl", by_tc(evs))

    # 10. late-skewed: as http-msi, the endpoint clock 90 s ahead, written out
    #     of order: the image loads first, then the process creation, the
    #     connection last
    _, evs, _ = http_chain(A, "late-skewed", "msiexec /q /i http://10.77.0.20/pkg/setup.msi", service=False)
    evs = [e.shifted(90.0) for e in evs]
    order = [e for e in evs if e.code == 7] + [e for e in evs if e.code == 1] + [e for e in evs if e.code == 3]
    emit(d, "late-skewed", "nxlog.jsonl", order)

    # 11. network-only: no events

    # 12. certutil: rendered XML; Security 4688 and Sysmon 1 of the same run
    c = cap("certutil")
    t_syn, sport, t_end, t_est = c.syn(A.ip, 80)
    check_inside("certutil", tl, t_syn, "the SYN")
    t1 = t_syn - 0.28
    p = Proc(A, A.pid(), SYS32 + "certutil.exe",
             "certutil.exe -urlcache -split -f http://10.77.0.20/pkg/setup.msi C:\\Users\\labuser\\x.msi", t1,
             parent=A.cmd)
    evs = [sec4688(p, t1 + 0.0004), sysmon1(p, t1), sysmon7(p, t1 + 0.031, SYS32 + "crypt32.dll"),
           sysmon3(p, t_est + CONNECT_LAG, sport, SERVER, 80)]
    emit(d, "certutil", "xml", by_tc(evs))

    # 13. two-hosts: NXLog JSON from both hosts; WIN10-LAB runs msiexec, WIN10-B
    #     browses to the same package with Edge and opens notepad
    _, evs, _ = http_chain(A, "two-hosts", "msiexec /q /i http://10.77.0.20/pkg/setup.msi")
    c = cap("two-hosts")
    tb, bport, _, tb_est = c.syn(B.ip, 80)
    check_inside("two-hosts", tl, tb, "WIN10-B's SYN")
    note = Proc(B, B.pid(), SYS32 + "notepad.exe", '"C:\\Windows\\system32\\notepad.exe" C:\\Users\\labuser2\\todo.txt',
                tb - 0.74, parent=B.explorer)
    evs += [sysmon1(note, note.start), sysmon3(B.edge, tb_est + CONNECT_LAG, bport, SERVER, 80)]
    emit(d, "two-hosts", "nxlog.jsonl", by_tc(evs))

    # 14. msiinstaller-wmi: rendered XML with WEF's RenderingInfo; an install
    #     through WMI (Win32_Product.Install from another host): the WMI provider
    #     host is the installer's client, the service fetches the package
    c = cap("msiinstaller-wmi")
    t_syn, sport, t_end, t_est = c.syn(A.ip, 80)
    check_inside("msiinstaller-wmi", tl, t_syn, "the SYN")
    wmi = Proc(A, A.pid(), SYS32 + "wbem\\WmiPrvSE.exe", "C:\\Windows\\system32\\wbem\\wmiprvse.exe -Embedding",
               t_syn - 1.62, parent=A.dcomlaunch, user="NT AUTHORITY\\SYSTEM", integrity="System", session=0,
               logon=A.system_logon, cwd="C:\\Windows\\system32\\")
    v = msi_service(A, t_syn - 0.93)
    pkg = "http://10.77.0.20/pkg/setup.msi"
    evs = [sysmon1(wmi, wmi.start), sysmon1(v, v.start), sysmon7(v, v.start + 0.017, SYS32 + "msi.dll"),
           msi_event(A, 1040, t_syn - 0.27, pkg, wmi.pid), sysmon7(v, t_syn - 0.061, SYS32 + "urlmon.dll"),
           sysmon3(v, t_est + CONNECT_LAG, sport, SERVER, 80), msi_event(A, 1042, t_end + 1.31, pkg, wmi.pid)]
    emit(d, "msiinstaller-wmi", "xml", by_tc(evs), rendering=True)


if __name__ == "__main__":
    main()
