#!/usr/bin/env python3
"""peer-expected.py -- turn the output that other tools' test suites recorded
for the captures in ../shared/pcaps into tests/expected/peers/<key>.tsv, the
reference of tests/integration/peers.sh (issue 3).

Usage: scripts/peer-expected.py [--shared DIR] [--out DIR] [--check-yaml]

  --shared DIR   the shared capture folder (default: ../shared/pcaps beside
                 the repository); its EXPECTED.tsv says which peer file goes
                 with which capture.
  --out DIR      where to write (default: tests/expected/peers in the repository).
  --check-yaml   also parse every test.yaml with PyYAML (when installed) and
                 fail if the built-in reader disagrees with it.

Python 3 standard library only.  The suricata-verify test.yaml files are read
with a small reader for the subset of YAML they use (block mappings and
sequences, plain / single- / double-quoted scalars, also folded over
more-indented lines, comments); PyYAML is not
needed and is used only by --check-yaml.

One file per capture for which a peer asserts at least one line; <key> is the
capture's path under the shared folder with "/" replaced by "--" (a Zeek
".pcap.gz" trace is keyed by its gunzipped copy, which is what msiwatch
reads).  Each file: a "#" header naming the capture, every peer file read
(repository, path, commit) and the fields taken from it, and the kinds in
which the peer lists everything it saw ("complete"); then sorted unique lines

  share          <TAB> \\\\server\\share   SMB tree, written as the peer writes it
                                            (all four peers write the UNC form
                                            \\\\server\\share as sent in TREE_CONNECT;
                                            no case change)
  file           <TAB> name                SMB file name as sent, relative to the
                                            share (no case change, a leading "\\"
                                            kept where the peer keeps it)
  sni            <TAB> server name         TLS ClientHello SNI, lower-cased
  url-host-path  <TAB> host <TAB> path     HTTP request: host lower-cased, port
                                            dropped, path without the query; an
                                            absolute-URI target gives its path
                                            (as tests/integration/records.sh)
  user-agent     <TAB> User-Agent          as sent

and, where a peer asserts only part of a request, three further kinds:

  url-host       <TAB> host                HTTP Host asserted without a path
                                            (Zeek http.log.cut, suricata-verify
                                            http.hostname without http.url, nDPI
                                            HTTP flows without [URL: ])
  url-path       <TAB> path                request path asserted without a host
                                            (suricata-verify fileinfo.filename of
                                            an HTTP file)
  url-host-path-prefix <TAB> host <TAB> p  nDPI's [URL: ] is cut at 255 bytes by
                                            ndpiReader; a cut URL without "?"
                                            asserts only that the path starts
                                            with p

Sources and what is taken (only what the peer really asserts):
  suricata-verify test.yaml   checks[].filter.match with event_type smb
      (smb.share, smb.named_pipe -> share: Suricata logs IPC$ trees as
      named_pipe; smb.filename -> file), tls (tls.sni), http (http.hostname +
      http.url, http.http_user_agent), fileinfo (fileinfo.filename -> file for
      SMB, -> url-path for HTTP; plus the smb./http. fields of the block).
      Filters with count: 0 (absence) and filters that check only counts or
      other fields give nothing.  Filters under "requires:" (version or
      feature alternatives) are all taken: the values they assert agree.
  Zeek Baseline logs           smb_mapping.log (path -> share),
      smb_files.log (path -> share, name -> file; "<share_root>" is Zeek's name
      for the share's root directory and gives nothing), files.log (source SMB:
      filename -> file), http.log / http.log.cut (host + uri -> url-host-path,
      host alone -> url-host, user_agent -> user-agent), ssl.log and the
      concatenated ssl-out.log of the tls13 test (server_name -> sni; the
      blocks are matched to the traces in TEST-EXEC.txt order).  Zeek escapes
      "\\" as "\\\\" and bytes as \\xNN in its logs: undone here.
  nDPI .out                    per flow: [URL: host/path] -> url-host-path
      (first request of the flow only), [User-Agent: ] -> user-agent,
      [Hostname/SNI: ] -> sni for TCP flows whose master protocol is TLS (91);
      for HTTP (7) flows the same field is the Host header, taken as url-host
      only when the flow has no [URL: ].  DNS/LLMNR/NetBIOS/QUIC/... names are
      not taken.
  Arkime .test JSON            per session: http.uri (host/path?query, or
      /path when there was no Host) -> url-host-path, http.useragent ->
      user-agent, http.host of a TLS session without http.uri -> sni (Arkime
      files the SNI there), smb.share -> share, smb.filename -> file.

Zeek and Arkime list every value they parsed, so their kinds are "complete"
and peers.sh also reports msiwatch-only lines of those kinds (as diagnostics);
suricata-verify checks a few fields and nDPI keeps the first request of a flow,
so theirs are partial.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# ---------------------------------------------------------------- YAML subset


class YamlError(Exception):
    pass


def _yaml_scalar(s, lineno):
    """Decode one scalar (the text after "key:" or "- "), comment removed."""
    s = s.strip()
    if s == "":
        return None
    if s[0] == '"':
        out, i = [], 1
        esc = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r",
               "0": "\0", "a": "\a", "b": "\b", "e": "\x1b", " ": " "}
        while i < len(s):
            c = s[i]
            if c == '"':
                rest = s[i + 1:].strip()
                if rest and not rest.startswith("#"):
                    raise YamlError("line %d: text after a quoted scalar" % lineno)
                return "".join(out)
            if c == "\\":
                n = s[i + 1:i + 2]
                if n in esc:
                    out.append(esc[n])
                    i += 2
                    continue
                width = {"x": 2, "u": 4, "U": 8}.get(n)
                if width:
                    out.append(chr(int(s[i + 2:i + 2 + width], 16)))
                    i += 2 + width
                    continue
                raise YamlError("line %d: unknown escape \\%s" % (lineno, n))
            out.append(c)
            i += 1
        raise YamlError("line %d: unterminated double-quoted scalar" % lineno)
    if s[0] == "'":
        out, i = [], 1
        while i < len(s):
            if s[i] == "'":
                if s[i + 1:i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                rest = s[i + 1:].strip()
                if rest and not rest.startswith("#"):
                    raise YamlError("line %d: text after a quoted scalar" % lineno)
                return "".join(out)
            out.append(s[i])
            i += 1
        raise YamlError("line %d: unterminated single-quoted scalar" % lineno)
    if s[0] in "[{|>&*!%@`":
        raise YamlError("line %d: YAML construct outside the subset: %r" % (lineno, s))
    s = re.sub(r"\s+#.*$", "", s)
    if re.fullmatch(r"[-+]?[0-9]+", s):
        return int(s)
    if re.fullmatch(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", s):
        return float(s)
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if s in ("null", "Null", "NULL", "~"):
        return None
    return s


def _split_key(text, lineno):
    """'key: value' -> (key, value text) or None when text is not a mapping entry."""
    if text[:1] in ('"', "'"):
        q = text[0]
        end = text.find(q, 1)
        if end < 0 or text[end + 1:end + 2] != ":":
            return None
        return _yaml_scalar(text[:end + 1], lineno), text[end + 2:]
    m = re.match(r"([^#:\s][^:]*?)\s*:(\s+|$)(.*)$", text)
    if not m:
        return None
    return m.group(1), m.group(3)


def yaml_load(text):
    """Parse the block-style YAML subset of suricata-verify's test.yaml."""
    lines = []
    for n, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw[:len(raw) - len(raw.lstrip())]:
            raise YamlError("line %d: tab in indentation" % n)
        stripped = raw.strip()
        if stripped == "" or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        lines.append((len(raw) - len(raw.lstrip(" ")), stripped, n))
    pos = [0]

    def parse_block(indent):
        if pos[0] >= len(lines):
            return None
        ind, text, n = lines[pos[0]]
        if ind < indent:
            return None
        if text == "-" or text.startswith("- "):
            return parse_seq(ind)
        return parse_map(ind)

    def parse_seq(indent):
        out = []
        while pos[0] < len(lines):
            ind, text, n = lines[pos[0]]
            if ind < indent:
                break
            if ind > indent:
                raise YamlError("line %d: bad indentation" % n)
            if not (text == "-" or text.startswith("- ")):
                break
            rest = text[1:].lstrip(" ")
            if rest == "" or rest.startswith("#"):
                pos[0] += 1
                out.append(parse_block(indent + 1))
                continue
            kv = _split_key(rest, n)
            if kv is None:
                pos[0] += 1
                out.append(_yaml_scalar(continued(rest, indent), n))
                continue
            # "- key: value" opens a mapping whose keys sit at the column of "key"
            col = indent + (len(text) - len(rest))
            lines[pos[0]] = (col, rest, n)
            out.append(parse_map(col))
        return out

    def parse_map(indent):
        out = {}
        while pos[0] < len(lines):
            ind, text, n = lines[pos[0]]
            if ind < indent:
                break
            if ind > indent:
                raise YamlError("line %d: bad indentation" % n)
            if text.startswith("- ") or text == "-":
                break
            kv = _split_key(text, n)
            if kv is None:
                raise YamlError("line %d: expected 'key: value': %r" % (n, text))
            key, rest = kv
            pos[0] += 1
            if rest.strip() == "" or rest.strip().startswith("#"):
                # a nested block, or a sequence at the same indentation as the key
                if pos[0] < len(lines) and (lines[pos[0]][0] > indent or
                                            (lines[pos[0]][0] == indent and
                                             (lines[pos[0]][1].startswith("- ") or lines[pos[0]][1] == "-"))):
                    nxt = lines[pos[0]][0]
                    out[key] = parse_block(nxt)
                else:
                    out[key] = None
            else:
                out[key] = _yaml_scalar(continued(rest, indent), n)
        return out

    def continued(rest, indent):
        # a scalar goes on over more-indented lines, folded with single spaces
        while pos[0] < len(lines) and lines[pos[0]][0] > indent:
            rest = rest.rstrip() + " " + lines[pos[0]][1]
            pos[0] += 1
        return rest

    doc = parse_block(0)
    if pos[0] != len(lines):
        raise YamlError("line %d: unexpected text" % lines[pos[0]][2])
    return doc


def _norm_yaml(o):
    """PyYAML and the subset reader may differ in scalar types; compare as text."""
    if isinstance(o, dict):
        return {str(k): _norm_yaml(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_norm_yaml(v) for v in o]
    if isinstance(o, bool):
        return "true" if o else "false"
    return None if o is None else str(o)


# ---------------------------------------------------------------- helpers


def lc_host(h):
    """Host as msiwatch writes url.domain: lower case, without port."""
    h = (h or "").strip().lower()
    if h.startswith("[") and "]" in h:           # [v6]:port
        return h[:h.index("]") + 1]
    if h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h


def split_target(t):
    """Request target -> path without query; absolute URI -> its path."""
    m = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]*(.*)$", t)
    if m:
        t = m.group(1) or "/"
    return t.split("?", 1)[0]


class Peer:
    """The lines one capture's peer files assert, and where they came from."""

    def __init__(self, capture):
        self.capture = capture
        self.lines = set()
        self.sources = []            # (file, repo, path, commit, [fields taken], count)
        self.complete = set()
        self.notes = []

    def add(self, kind, *vals):
        if any(v is None for v in vals):
            return
        vals = [str(v) for v in vals]
        if any(re.search(r"[\t\n\r]", v) for v in vals):
            self.notes.append("skipped a %s value with a tab or newline: %r" % (kind, vals))
            return
        self.lines.add("\t".join([kind] + vals))


# ---------------------------------------------------------------- suricata-verify

def suricata(peer, text, src):
    doc = yaml_load(text)
    taken = set()
    n0 = len(peer.lines)
    for chk in (doc or {}).get("checks") or []:
        if not isinstance(chk, dict) or not isinstance(chk.get("filter"), dict):
            continue
        flt = chk["filter"]
        if flt.get("count") is not None and int(flt["count"]) == 0:
            continue                 # asserts absence
        m = flt.get("match") or {}
        et = m.get("event_type")
        if et not in ("smb", "tls", "http", "fileinfo"):
            continue

        def take(field):
            v = m.get(field)
            if v is not None:
                taken.add("%s %s" % (et, field))
            return None if v is None else str(v)
        if et in ("smb", "fileinfo"):
            for f in ("smb.share", "smb.named_pipe"):
                peer.add("share", take(f))
            peer.add("file", take("smb.filename"))
        if et == "tls":
            v = take("tls.sni")
            peer.add("sni", v.lower() if v is not None else None)
        if et in ("http", "fileinfo"):
            host, url = take("http.hostname"), take("http.url")
            if host is not None and url is not None:
                peer.add("url-host-path", lc_host(host), split_target(url))
            elif host is not None:
                peer.add("url-host", lc_host(host))
            elif url is not None:
                peer.add("url-path", split_target(url))
            peer.add("user-agent", take("http.http_user_agent"))
        if et == "fileinfo":
            fn = take("fileinfo.filename")
            if fn is not None:
                app = m.get("app_proto")
                smb = app == "smb" or m.get("dest_port") in (139, 445) or any(k.startswith("smb.") for k in m)
                http = app == "http" or any(k.startswith("http.") for k in m) or fn.startswith("/")
                if smb and not http:
                    peer.add("file", fn)
                elif http and not smb:
                    # redundant when the block gives host and URL already
                    if m.get("http.hostname") is None or m.get("http.url") is None:
                        peer.add("url-path", split_target(fn))
                else:
                    peer.notes.append("%s: fileinfo.filename %r: neither clearly SMB nor HTTP, not taken" % (src, fn))
    return sorted(taken), len(peer.lines) - n0


# ---------------------------------------------------------------- Zeek

ZEEK_ESC = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def zeek_unescape(v):
    def rep(m):
        g = m.group(1)
        return "\\" if g == "\\" else chr(int(g[1:], 16))
    return ZEEK_ESC.sub(rep, v)


def zeek_blocks(text):
    """A Zeek ASCII log (possibly several concatenated, or a zeek-cut -m .cut
    file) -> list of blocks, each a list of {field: value} (unset/empty -> None)."""
    blocks, fields, rows, sep = [], None, None, "\t"
    unset, empty = "-", "(empty)"
    for line in text.splitlines():
        if line.startswith("###"):
            continue
        if line.startswith("#"):
            if line.startswith("#separator"):
                if rows is not None:
                    blocks.append(rows)
                rows, fields = None, None
                sep = line.split(" ", 1)[1].encode().decode("unicode_escape")
            elif line.startswith("#fields"):
                fields = line.split(sep)[1:]
                rows = []
            elif line.startswith("#unset_field"):
                unset = line.split(sep)[1]
            elif line.startswith("#empty_field"):
                empty = line.split(sep)[1]
            continue
        if fields is None:            # zeek-cut -m: the first line names the columns
            fields = line.split(sep)
            rows = []
            continue
        vals = line.split(sep)
        rows.append({f: (None if v in (unset, empty) else zeek_unescape(v)) for f, v in zip(fields, vals)})
    if rows is not None:
        blocks.append(rows)
    return blocks


def zeek_traces(exec_text):
    """Trace paths (relative to Zeek's testing/Traces, .gz dropped) of the zeek
    runs in a TEST-EXEC.txt, in order."""
    out = []
    for line in exec_text.splitlines():
        if "zeek" not in line or "$TRACES/" not in line:
            continue
        m = re.search(r"\$TRACES/([^\s|<>;]+)", line)
        if m:
            out.append(re.sub(r"\.gz$", "", m.group(1)))
    return out


def zeek(peer, text, src, shared, base):
    blocks = zeek_blocks(text)
    exec_file = os.path.join(os.path.dirname(os.path.join(shared, src)), "TEST-EXEC.txt")
    want = re.sub(r"\.gz$", "", peer.capture[len("zeek/"):])
    if len(blocks) > 1:
        traces = zeek_traces(open(exec_file, encoding="utf-8").read()) if os.path.exists(exec_file) else []
        if len(traces) != len(blocks):
            peer.notes.append("%s: %d log blocks but %d zeek runs in TEST-EXEC.txt: not taken" %
                              (src, len(blocks), len(traces)))
            return [], 0
        rows = [r for t, b in zip(traces, blocks) if t == want for r in b]
    else:
        rows = blocks[0] if blocks else []
        traces = zeek_traces(open(exec_file, encoding="utf-8").read()) if os.path.exists(exec_file) else []
        if len(set(traces)) > 1 and traces[-1] != want:
            peer.notes.append("%s: one log block but zeek runs over %s: not taken" % (src, " ".join(traces)))
            return [], 0
    n0 = len(peer.lines)
    taken = set()
    if base == "smb_mapping.log":
        for r in rows:
            peer.add("share", r.get("path"))
        taken.add("path -> share")
        peer.complete.add("share")
    elif base == "smb_files.log":
        for r in rows:
            peer.add("share", r.get("path"))
            if r.get("name") not in (None, "<share_root>"):
                peer.add("file", r.get("name"))
        taken.update(["path -> share", "name -> file"])
        peer.complete.add("file")
    elif base == "files.log":
        for r in rows:
            if r.get("source") == "SMB":
                peer.add("file", r.get("filename"))
                taken.add("filename (source SMB) -> file")
    elif base in ("http.log", "http.log.cut"):
        for r in rows:
            host, uri = r.get("host"), r.get("uri")
            if uri is not None:
                peer.add("url-host-path", lc_host(host), split_target(uri))
                taken.add("host + uri -> url-host-path")
            elif host is not None:
                peer.add("url-host", lc_host(host))
                taken.add("host -> url-host")
            if "user_agent" in r:
                peer.add("user-agent", r.get("user_agent"))
                taken.add("user_agent -> user-agent")
        peer.complete.update(k for k in ("url-host-path", "url-host", "user-agent")
                             if any(l.startswith(k + "\t") for l in peer.lines))
    elif base in ("ssl.log", "ssl-out.log"):
        for r in rows:
            v = r.get("server_name")
            peer.add("sni", v.lower() if v else None)
        taken.add("server_name -> sni")
        peer.complete.add("sni")
    return sorted(taken), len(peer.lines) - n0


# ---------------------------------------------------------------- nDPI

NDPI_FLOW = re.compile(r"^\s+\d+\s+(TCP|UDP|ICMP|ICMPV6|\S+)\s.*\[proto: ([^\]]*)\]")
NDPI_URL_MAX = 255                   # ndpiReader's ndpi_flow_info.http.url[256]


# A field ends at the first "]" followed by "[" or by the end of the line --
# except where that "[" opens a "[NAME=value]" group: a User-Agent may hold
# such brackets itself ("...-[MANUFACTURER=LGE][RELEASE=5.1.1]...").
NDPI_NEXT = r"\](?=\[(?![A-Za-z_]+=)|\s*$)"


def ndpi_field(line, name):
    m = re.search(r"\[" + re.escape(name) + r": (.*?)" + NDPI_NEXT, line.rstrip("\n"))
    return m.group(1) if m else None


def ndpi(peer, text, src):
    n0 = len(peer.lines)
    taken = set()
    for line in text.splitlines():
        m = NDPI_FLOW.match(line)
        if not m:
            continue
        l4, proto = m.group(1), m.group(2)
        master = proto.split("/", 1)[0].split(".")[0]
        if l4 != "TCP":
            continue
        host, url, ua = ndpi_field(line, "Hostname/SNI"), ndpi_field(line, "URL"), ndpi_field(line, "User-Agent")
        if master == "91":
            if host:
                peer.add("sni", host.lower())
                taken.add("[Hostname/SNI] of TLS flows -> sni")
        elif master == "7":
            if url:
                if url.startswith("/"):
                    h, p = "", url
                else:
                    h, _, p = url.partition("/")
                    p = "/" + p
                if len(url) >= NDPI_URL_MAX and "?" not in url:
                    peer.add("url-host-path-prefix", lc_host(h), p)
                    taken.add("[URL] cut at 255 bytes -> url-host-path-prefix")
                else:
                    peer.add("url-host-path", lc_host(h), p.split("?", 1)[0])
                    taken.add("[URL] -> url-host-path")
            elif host:
                peer.add("url-host", lc_host(host))
                taken.add("[Hostname/SNI] of HTTP flows without [URL] -> url-host")
            if ua:
                peer.add("user-agent", ua)
                taken.add("[User-Agent] -> user-agent")
    return sorted(taken), len(peer.lines) - n0


# ---------------------------------------------------------------- Arkime

def arkime(peer, text, src):
    n0 = len(peer.lines)
    taken = set()
    doc = json.loads(text)
    for s in doc.get("sessions3", []):
        b = s.get("body", {})
        protos = b.get("protocol", [])
        http = b.get("http") or {}
        uris = http.get("uri") or []
        for u in uris:
            if u.startswith("/"):
                h, p = "", u
            else:
                h, _, p = u.partition("/")
                p = "/" + p
            peer.add("url-host-path", lc_host(h), p.split("?", 1)[0])
            taken.add("http.uri -> url-host-path")
        for ua in http.get("useragent") or []:
            peer.add("user-agent", ua)
            taken.add("http.useragent -> user-agent")
        if not uris:
            for h in http.get("host") or []:
                if "tls" in protos:
                    peer.add("sni", h.lower())
                    taken.add("http.host of TLS sessions -> sni")
                elif h:
                    peer.add("url-host", lc_host(h))
                    taken.add("http.host without http.uri -> url-host")
        smb = b.get("smb") or {}
        for sh in smb.get("share") or []:
            peer.add("share", sh)
            taken.add("smb.share -> share")
        for fn in smb.get("filename") or []:
            peer.add("file", fn)
            taken.add("smb.filename -> file")
    peer.complete.update(["share", "file", "sni", "url-host-path", "user-agent", "url-host"])
    return sorted(taken), len(peer.lines) - n0


# ---------------------------------------------------------------- main

ZEEK_LOGS = ("smb_mapping.log", "smb_files.log", "files.log", "http.log", "http.log.cut",
             "ssl.log", "ssl-out.log")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=os.path.normpath(os.path.join(REPO, "..", "shared", "pcaps")))
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "expected", "peers"))
    ap.add_argument("--check-yaml", action="store_true")
    args = ap.parse_args()
    shared = args.shared
    exp = os.path.join(shared, "EXPECTED.tsv")
    if not os.path.exists(exp):
        sys.exit("peer-expected.py: %s not found" % exp)

    by_cap = {}
    with open(exp, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(head, line.rstrip("\n").split("\t")))
            by_cap.setdefault(row["capture"], []).append(row)

    if args.check_yaml:
        try:
            import yaml
        except ImportError:
            sys.exit("peer-expected.py: --check-yaml needs PyYAML")
        for cap, rows in by_cap.items():
            for r in rows:
                if os.path.basename(r["expected_output_file"]) == "test.yaml":
                    t = open(os.path.join(shared, r["expected_output_file"]), encoding="utf-8").read()
                    if _norm_yaml(yaml_load(t)) != _norm_yaml(yaml.safe_load(t)):
                        sys.exit("peer-expected.py: the YAML reader and PyYAML disagree on %s" %
                                 r["expected_output_file"])
        print("peer-expected.py: the YAML reader agrees with PyYAML on every test.yaml", file=sys.stderr)

    os.makedirs(args.out, exist_ok=True)
    written, empty = [], []
    for cap in sorted(by_cap):
        real = cap
        if cap.endswith(".gz") and os.path.exists(os.path.join(shared, cap[:-3])):
            real = cap[:-3]
        peer = Peer(real)
        for r in by_cap[cap]:
            src = r["expected_output_file"]
            path = os.path.join(shared, src)
            base = os.path.basename(src)
            if not os.path.exists(path):
                peer.notes.append("%s: not in the shared folder" % src)
                continue
            text = open(path, encoding="utf-8", errors="surrogateescape").read()
            if src.startswith("suricata-verify/") and base == "test.yaml":
                taken, n = suricata(peer, text, src)
            elif src.startswith("zeek/") and base in ZEEK_LOGS:
                taken, n = zeek(peer, text, src, shared, base)
            elif src.startswith("ndpi/") and src.endswith(".out"):
                taken, n = ndpi(peer, text, src)
            elif src.startswith("arkime/") and src.endswith(".test"):
                taken, n = arkime(peer, text, src)
            else:
                continue             # README.md, rules, TEST-EXEC.txt, other logs
            peer.sources.append((src, r["repo"], r["path_in_repo"], r["commit"], taken, n))
        key = real.replace("/", "--")
        out = os.path.join(args.out, key + ".tsv")
        if not peer.lines:
            empty.append(cap)
            if os.path.exists(out):
                os.remove(out)
            continue
        kinds = {l.split("\t", 1)[0] for l in peer.lines}
        with open(out, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("# Peer-recorded values for %s, made by scripts/peer-expected.py.\n" % real)
            f.write("# capture: %s\n" % real)
            for src, repo, pth, commit, taken, n in peer.sources:
                if not taken:
                    continue
                f.write("# source: %s (%s %s @ %s): %s\n" % (src, repo, pth, commit[:12], "; ".join(taken)))
            comp = sorted(peer.complete & kinds)
            f.write("# complete: %s\n" % (" ".join(comp) if comp else "-"))
            for n in peer.notes:
                f.write("# note: %s\n" % n)
            for l in sorted(peer.lines):
                f.write(l + "\n")
        written.append((key, len(peer.lines)))
    for key, n in written:
        print("%-70s %4d" % (key, n), file=sys.stderr)
    print("peer-expected.py: %d files in %s; %d captures with peer output but no share/file/sni/url line: %s" %
          (len(written), os.path.relpath(args.out), len(empty), " ".join(empty)), file=sys.stderr)


if __name__ == "__main__":
    main()
