#!/usr/bin/env python3
"""test_hiding.py - hiding is total within the frame (issue 11 a).

A field a field question hides in frame N, or one the view redacts, must not
be said again anywhere a student can read frame N: not by its own label, nor
by a twin (tcp.seq_raw), a summary line (the protocol line, the flags line,
tcp.flags.str, an option's summary), a generated field computed from it
(tcp.nxtseq, "TCP payload (N bytes)", a fragment's range), the packet-list
row, nor the bytes of the hex pane.  For every kind of field, on captures made
for the project, this test makes an exercise over HTTP as an instructor, reads
the trace as a student, and checks that what the staff view of the frame says
of the field (its label, and a list of restatement patterns per field) is
nowhere in the student's tree, values or rows; that its bytes are "??"; that
the other frames are as the staff see them; and that the staff still see
everything.  DNS is left out: there is no DNS dissector yet.

Run by `make check` (TRACEQUIZ points at the program, TQ_DATA at tests/data).
"""
import os
import re
import sys
import tempfile

from harness import Server, Who, check, new_db, stopped_cleanly, summary

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")
ARROW = "\u2192"

# (capture, frame, field): every kind of field the issue names, each hidden alone
HIDDEN = [
    ("tcp-handshake-eth-ipv4", 2, "tcp.srcport"),
    ("tcp-handshake-eth-ipv4", 1, "tcp.dstport"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.seq"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.ack"),
    ("tcp-handshake-eth-ipv4", 4, "tcp.len"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.window_size_value"),
    ("tcp-handshake-eth-ipv4", 1, "tcp.flags.syn"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.flags.syn"),
    ("tcp-handshake-eth-ipv4", 1, "tcp.flags.ack"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.flags.ack"),
    ("tcp-handshake-eth-ipv4", 10, "tcp.flags.fin"),
    ("tcp-handshake-eth-ipv4", 4, "tcp.flags.push"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.options.mss_val"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.options.timestamp.tsval"),
    ("tcp-handshake-eth-ipv4", 2, "tcp.options.timestamp.tsecr"),
    ("tcp-handshake-eth-ipv4", 1, "ip.src"),
    ("tcp-handshake-eth-ipv4", 1, "ip.dst"),
    ("tcp-handshake-eth-ipv4", 1, "ip.ttl"),
    ("tcp-bulk-eth-ipv6", 6, "tcp.seq"),
    ("tcp-bulk-eth-ipv6", 4, "tcp.len"),
    ("tcp-bulk-eth-ipv6", 4, "tcp.options.timestamp.tsval"),
    ("tcp-bulk-eth-ipv6", 4, "tcp.options.timestamp.tsecr"),
    ("tcp-bulk-eth-ipv6", 5, "tcp.window_size_value"),
    ("tcp-bulk-eth-ipv6", 4, "ipv6.src"),
    ("tcp-bulk-eth-ipv6", 4, "ipv6.dst"),
    ("tcp-bulk-eth-ipv6", 4, "ipv6.hlim"),
    ("tcp-bulk-eth-ipv6", 4, "ipv6.flow"),
    ("tcp-bulk-eth-ipv6", 4, "ipv6.plen"),
    ("tcp-bulk-eth-ipv6", 4, "ipv6.nxt"),
    ("ipv6-frag-udp", 2, "ipv6.fraghdr.offset"),
    ("ipv6-frag-udp", 3, "ipv6.fraghdr.offset"),
    ("ipv6-frag-udp", 2, "ipv6.fraghdr.ident"),
    ("ipv6-frag-udp", 1, "ipv6.fraghdr.more"),
    ("ipv6-frag-udp", 3, "ipv6.fraghdr.more"),
    ("ipv6-frag-udp", 3, "udp.length"),
    ("ipv6-frag-udp", 3, "udp.srcport"),
    ("ipv6-exthdrs-udp", 3, "ipv6.nxt"),
    ("ipv6-exthdrs-udp", 3, "ipv6.plen"),
    ("ipv6-exthdrs-udp", 3, "udp.srcport"),
    ("ipv6-exthdrs-udp", 3, "udp.dstport"),
    ("ipv6-exthdrs-udp", 3, "udp.length"),
    ("ipv6-exthdrs-udp", 3, "udp.checksum"),
    ("icmpv6-echo-eth", 3, "icmpv6.echo.identifier"),
    ("icmpv6-echo-eth", 3, "icmpv6.echo.sequence_number"),
    ("icmpv6-echo-eth", 3, "icmpv6.type"),
    ("icmpv6-echo-eth", 4, "icmpv6.type"),
    ("icmpv6-echo-eth", 3, "ipv6.hlim"),
    ("icmpv6-echo-eth", 3, "ipv6.src"),
    ("udp-eth-ipv4", 5, "udp.srcport"),
    ("udp-eth-ipv4", 5, "udp.dstport"),
    ("udp-eth-ipv4", 5, "udp.length"),
    ("udp-eth-ipv4", 5, "udp.checksum"),
    ("udp-eth-ipv4", 5, "ip.src"),
    ("udp-eth-ipv4", 5, "ip.ttl"),
    ("udp-eth-ipv4", 5, "ip.id"),
    ("udp-eth-ipv4", 5, "ip.proto"),
    ("icmpv6-echo-eth", 3, "ipv6.nxt"),
]

# (capture, field): redacted in every frame; the packet list then shows the rows, masked
REDACTED = [
    ("tcp-handshake-eth-ipv4", "tcp.seq"),
    ("tcp-handshake-eth-ipv4", "tcp.srcport"),
    ("tcp-handshake-eth-ipv4", "tcp.flags.syn"),
    ("tcp-handshake-eth-ipv4", "tcp.flags.ack"),
    ("tcp-handshake-eth-ipv4", "tcp.options.timestamp.tsecr"),
    ("tcp-bulk-eth-ipv6", "tcp.len"),
    ("udp-eth-ipv4", "udp.length"),
    ("udp-eth-ipv4", "udp.dstport"),
    ("ipv6-frag-udp", "ipv6.fraghdr.offset"),
    ("ipv6-frag-udp", "ipv6.fraghdr.ident"),
    ("icmpv6-echo-eth", "icmpv6.type"),
    ("icmpv6-echo-eth", "icmpv6.echo.sequence_number"),
    ("icmpv6-echo-eth", "ipv6.hlim"),
]

# fields the restatement table does not follow into the Info column and whose value is too short
# to be found there as a word: such a frame's Info is "??" whole
WHOLE_INFO = {"ipv6.nxt", "ipv6.plen", "ip.proto"}

FLAG_NAMES = {"tcp.flags.fin": "FIN", "tcp.flags.syn": "SYN", "tcp.flags.reset": "RST", "tcp.flags.push": "PSH",
              "tcp.flags.ack": "ACK", "tcp.flags.urg": "URG"}


def walk(nodes):
    for n in nodes or []:
        yield n
        yield from walk(n.get("n"))


def nodes_of(frame, field):
    return [n for n in walk(frame["tree"]) if n.get("f") == field]


def label(frame, field):
    ns = nodes_of(frame, field)
    return ns[0]["l"] if ns else None


def value(frame, field):
    ns = nodes_of(frame, field)
    return ns[0].get("v") if ns else None


def restatements(field, st, row):
    """What the staff view of the frame (st: its tree, row: its packet-list row) says of field,
    as (what, text or compiled pattern) pairs, none of which a student may read."""
    v = value(st, field)
    out = [("its own label", label(st, field))]
    twin = lambda f: ("the label of " + f, label(st, f) and re.compile(r"(?<![\w ])%s(?!\w)" % re.escape(label(st, f))))
    info = row["info"]
    if field in ("tcp.srcport", "udp.srcport"):
        out += [("Src Port: V", "Src Port: %s," % v), ("V \u2192 in Info", "%s %s " % (v, ARROW)),
                ("server port V", "server port %s" % v)]
    elif field in ("tcp.dstport", "udp.dstport"):
        out += [("Dst Port: V", "Dst Port: %s" % v), ("\u2192 V in Info", re.compile(r"%s %s\b" % (ARROW, v))),
                ("server port V", "server port %s" % v)]
    elif field == "tcp.seq":
        out += [("Seq: V", "Seq: %s," % v), ("Seq=V", "Seq=%s " % v), twin("tcp.seq_raw"), twin("tcp.nxtseq")]
    elif field == "tcp.ack":
        out += [("Ack: V", "Ack: %s," % v), ("Ack=V", "Ack=%s " % v), twin("tcp.ack_raw")]
    elif field == "tcp.len":
        out += [("Len: V", re.compile(r"Len: %s\b" % v)), ("Len=V", re.compile(r"Len=%s\b" % v)),
                ("TCP payload (V bytes)", "TCP payload (%s bytes)" % v), ("Data (V bytes)", "Data (%s bytes)" % v),
                twin("tcp.nxtseq"), twin("data.len"), twin("tcp.analysis.bytes_in_flight")]
    elif field == "tcp.window_size_value":
        calc = value(st, "tcp.window_size")
        out += [twin("tcp.window_size"), ("Win=V", "Win=%s " % calc)]
    elif field in FLAG_NAMES:
        name = FLAG_NAMES[field]
        out += [twin("tcp.flags"), twin("tcp.flags.str"), ("tcp.flags.str's value", value(st, "tcp.flags.str")),
                ("the flags summary naming " + name, re.compile(r"\((?:[A-Z]+, )*%s(?:, [A-Z]+)*\)" % name)),
                ("the list's [%s]" % name, re.compile(r"\[(?:[A-Z]+, )*%s\b" % name)),
                ("Info's flags", re.search(r"\[[A-Z, ]+\]", info).group(0)), twin("tcp.completeness")]
        if field in ("tcp.flags.syn", "tcp.flags.fin"):
            out += [twin("tcp.nxtseq")]
        if field == "tcp.flags.ack":
            # set or not, the frame says an acknowledgment number: "??"
            out += [twin("tcp.ack"), twin("tcp.ack_raw"), ("a summary without Ack", re.compile(r"Seq: \S+, Len:")),
                    ("a row without Ack=", re.compile(r"Seq=\S+ Win=")), ("Ack: V", re.compile(r"Ack: \d")),
                    ("Ack=V", re.compile(r"Ack=\d")), twin("tcp.analysis.acks_frame")]
        for f in (field, "tcp.flags.str"):
            for n in nodes_of(st, f):
                out += [("its expert info", k["l"]) for k in walk(n.get("n")) if k.get("f") == "_ws.expert"]
    elif field == "tcp.options.mss_val":
        out += [("Maximum segment size: V", "Maximum segment size: %s" % v), ("MSS=V", "MSS=%s " % v),
                twin("tcp.options.mss")]
    elif field == "tcp.options.timestamp.tsval":
        out += [("TSval V", "TSval %s," % v), ("TSval=V", "TSval=%s " % v), twin("tcp.options.timestamp")]
    elif field == "tcp.options.timestamp.tsecr":
        out += [("TSecr V", re.compile(r"TSecr %s\b" % v)), ("TSecr=V", re.compile(r"TSecr=%s\b" % v)),
                twin("tcp.options.timestamp")]
    elif field in ("ip.src", "ipv6.src", "ip.dst", "ipv6.dst"):
        side = "Src" if field.endswith("src") else "Dst"
        out += [("%s: V" % side, "%s: %s" % (side, v)), ("the address as a word", re.compile(r"(?<![\w:.])%s(?![\w:])" % re.escape(v))),
                twin(field + "_host")]
    elif field == "ip.ttl":
        out += [("ttl=V", "ttl=%s" % v)]
    elif field == "ip.id":
        out += [("the identification", re.compile(r"\b%s\b" % v)), ("ID=", "ID=%s" % v[2:])]
    elif field == "ipv6.hlim":
        out += [("hop limit=V", "hop limit=%s" % v)]
    elif field == "ipv6.flow":
        out += [("the flow label", re.compile(r"\b0x0*%s\b" % v[2:].lstrip("0")))]
    elif field == "ipv6.fraghdr.offset":
        off = int(v) * 8
        out += [("off=V in Info", "off=%d " % off),
                ("this frame's fragment range", "Frame: %d, payload: %d-" % (st["frame"], off))]
    elif field == "ipv6.fraghdr.ident":
        out += [("ident=V", "ident=%s" % v), ("the identification", re.compile(r"\b%s\b" % v))]
    elif field == "ipv6.fraghdr.more":
        out += [("more=y|n", re.compile(r"more=[yn]"))]
    elif field == "udp.length":
        n = int(v) - 8
        out += [("Len=V-8", re.compile(r"Len=%d\b" % n)), ("UDP payload (V-8 bytes)", "UDP payload (%d bytes)" % n),
                ("Data (V-8 bytes)", "Data (%d bytes)" % n), twin("data.len")]
    elif field == "udp.checksum":
        out += [("the checksum", re.compile(r"\b%s\b" % v))]
    elif field == "icmpv6.echo.identifier":
        out += [("id=V", "id=%s" % v), ("the identifier", re.compile(r"\b%s\b" % v))]
    elif field == "icmpv6.echo.sequence_number":
        out += [("seq=V", "seq=%s," % v)]
    elif field == "icmpv6.type":
        name = re.sub(r"^Type: (.*) \(\d+\)$", r"\1", label(st, field))
        out += [("the type's name", name), ("(reply in N)", "(reply in"), ("(request in N)", "(request in"),
                twin("icmpv6.resp_in"), twin("icmpv6.resp_to"), twin("icmpv6.resptime")]
    return [(w, t) for w, t in out if t]


def strings(frame, row):
    """Everything a student reads of a frame: its labels, its values, its row."""
    out = []
    for n in walk(frame["tree"]):
        out.append(n.get("l", ""))
        if "v" in n:
            out.append(n["v"])
    if row:
        out += [row["src"], row["dst"], row["proto"], row["info"]]
    return out


def said(pattern, texts):
    for t in texts:
        if (pattern.search(t) if hasattr(pattern, "search") else pattern in t):
            return t
    return None


def own_bytes_masked(st, seen, field):
    ok = True
    for n in nodes_of(st, field):
        off, ln = n["h"]
        ds = n.get("ds", 0)
        if ln == 0:
            continue
        hex_ = seen["sources"][ds]["bytes"]
        ok = ok and set(hex_[2 * off:2 * (off + ln)]) == {"?"}
    return ok


class Trace:
    def __init__(self, ines, name):
        raw = open(os.path.join(DATA, name + ".pcap"), "rb").read()
        st, j, _, _ = ines.req("POST", "/api/v1/traces?name=%s.pcap" % name, raw=raw)
        if st not in (200, 201):
            raise RuntimeError("upload %s: %s %s" % (name, st, j))
        self.sha, self.total = j["sha256"], j["frames"]
        st, j, _, _ = ines.req("GET", "/api/v1/traces/%s/frames?from=1&count=1000" % self.sha)
        self.rows = {r["no"]: r for r in j["frames"]}
        self.trees = {}
        for k in range(1, self.total + 1):
            st, j, _, _ = ines.req("GET", "/api/v1/traces/%s/frames/%d" % (self.sha, k))
            self.trees[k] = j


def main():
    tmp = tempfile.mkdtemp(prefix="tq-hiding-")
    db = new_db(tmp)
    s = Server(db)
    try:
        pw = re.search(r"password (\w+)", "".join(s.out)).group(1)
        admin = Who(s, "admin", pw)
        for name, role in (("ines", "instructor"), ("sam", "student")):
            admin.req("POST", "/api/v1/users", {"name": name, "role": role, "password": name + "-secret"})
        ines, sam = Who(s, "ines", "ines-secret"), Who(s, "sam", "sam-secret")
        st, _, _, _ = ines.req("POST", "/api/v1/courses", {"slug": "net", "title": "Networks"})
        st2, _, _, _ = ines.req("POST", "/api/v1/courses/net/students", {"students": ["sam"]})
        check(st == 201 and st2 in (200, 201), "a course with a student")
        traces = {}
        for name in sorted({c for c, _, _ in HIDDEN} | {c for c, _ in REDACTED}):
            traces[name] = Trace(ines, name)
        n_patterns = 0
        fields = set()

        # field questions: one field hidden in one frame
        for i, (cap, frame, field) in enumerate(HIDDEN):
            t = traces[cap]
            slug = "hide-%d" % i
            doc = {"title": "Hide %s" % field, "questions": [
                {"id": "f", "kind": "field", "prompt": "Fill in %s" % field, "hide": {str(frame): [field]}}]}
            st, j, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": slug, "course": "net", "trace": t.sha, "exercise": doc})
            check(st == 201, "%s: frame %d hides %s (%s)" % (cap, frame, field, j.get("error") if j else st))
            if st != 201:
                continue
            fields.add(field)
            staff = t.trees[frame]
            st, seen, _, _ = sam.req("GET", "/api/v1/exercises/%s/frames/%d" % (slug, frame))
            st2, page, _, _ = sam.req("GET", "/api/v1/exercises/%s/frames?from=1&count=1000" % slug)
            rows = {r["no"]: r for r in page["frames"]} if st2 == 200 else {}
            texts = strings(seen, rows.get(frame))
            pats = restatements(field, staff, t.rows[frame])
            n_patterns += len(pats)
            leaks = ["%s (%r in %r)" % (w, getattr(p, "pattern", p), said(p, texts)) for w, p in pats if said(p, texts)]
            check(st == 200 and not leaks, "%s frame %d, %s hidden: none of %d restatements is said%s" %
                  (cap, frame, field, len(pats), ": " + "; ".join(leaks) if leaks else ""))
            check(any(n.get("f") == field and n.get("hidden") and n["l"].endswith(": ??") for n in walk(seen["tree"])) and
                  own_bytes_masked(staff, seen, field), "%s frame %d: %s shown ?? and its bytes masked" % (cap, frame, field))
            mine_row = rows.get(frame, {})
            whole = mine_row.get("info") == "??" and t.rows[frame]["info"] != "??"
            check(not whole or field in WHOLE_INFO,
                  "%s frame %d: the row masks %s word by word (%r), the rest of its Info kept" %
                  (cap, frame, field, mine_row.get("info")))
            if field in ("ipv6.nxt", "ip.proto"):
                name = re.match(r".*: (.+) \(\d+\)$", label(staff, field) or "")
                names = name and name.group(1) == t.rows[frame]["proto"]
                check(mine_row.get("proto") == ("??" if names else t.rows[frame]["proto"]),
                      "%s frame %d: the Protocol column (%s) is masked only when it names the hidden %s (%s)" %
                      (cap, frame, t.rows[frame]["proto"], field, mine_row.get("proto")))
            others = [k for k in rows if k != frame]
            check(all(rows[k] == t.rows[k] for k in others) and len(rows) == t.total,
                  "%s: the other %d rows are as the staff see them" % (slug, len(others)))
            near = [k for k in (frame - 1, frame + 1) if 1 <= k <= t.total]
            same = True
            for k in near:
                st, other, _, _ = sam.req("GET", "/api/v1/exercises/%s/frames/%d" % (slug, k))
                same = same and st == 200 and other == t.trees[k]
            check(same, "%s: frames %s are as the staff see them" % (slug, near))
            st, mine, _, _ = ines.req("GET", "/api/v1/exercises/%s/frames/%d" % (slug, frame))
            check(st == 200 and mine == staff and label(mine, field), "%s: the teacher still sees %s in frame %d" %
                  (slug, field, frame))

        # redaction: one field in every frame, rows and trees
        for i, (cap, field) in enumerate(REDACTED):
            t = traces[cap]
            slug = "redact-%d" % i
            doc = {"title": "Redact %s" % field, "view": {"redact": [field]}, "questions": [
                {"id": "n", "kind": "number", "prompt": "How many frames?", "key": "count(frame)"}]}
            st, j, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": slug, "course": "net", "trace": t.sha, "exercise": doc})
            check(st == 201, "%s: %s redacted (%s)" % (cap, field, j.get("error") if j else st))
            if st != 201:
                continue
            fields.add(field)
            st, page, _, _ = sam.req("GET", "/api/v1/exercises/%s/frames?from=1&count=1000" % slug)
            rows = {r["no"]: r for r in page["frames"]}
            leaks, masked, kept = [], 0, 0
            for k in range(1, t.total + 1):
                staff = t.trees[k]
                if not nodes_of(staff, field):
                    kept += rows[k] == t.rows[k]
                    continue
                st, seen, _, _ = sam.req("GET", "/api/v1/exercises/%s/frames/%d" % (slug, k))
                texts = strings(seen, rows[k])
                pats = restatements(field, staff, t.rows[k])
                n_patterns += len(pats)
                leaks += ["frame %d: %s (%r in %r)" % (k, w, getattr(p, "pattern", p), said(p, texts))
                          for w, p in pats if said(p, texts)]
                masked += 1
            without = t.total - masked
            check(masked and not leaks and kept == without,
                  "%s redacted in %d frames of %s: no restatement in trees or rows, %d other rows unchanged%s" %
                  (field, masked, cap, without, ": " + "; ".join(leaks[:6]) if leaks else ""))

        # what else a student may fetch of an exercise that hides a field
        st, j, text, _ = sam.req("GET", "/api/v1/exercises/hide-2")
        v = value(traces["tcp-handshake-eth-ipv4"].trees[2], "tcp.seq_raw")
        check(st == 200 and v.encode() not in text, "the exercise's document says nothing of the hidden value")
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/hide-2/trace")
        check(st == 403, "nor may the student download its trace")
        print("%d hidden or redacted cases over %d fields, %d restatement patterns checked" %
              (len(HIDDEN) + len(REDACTED), len(fields), n_patterns))
    finally:
        s.stop()
    stopped_cleanly(s)
    return summary("test_hiding")


if __name__ == "__main__":
    sys.exit(main())
