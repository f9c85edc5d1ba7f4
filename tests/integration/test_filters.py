#!/usr/bin/env python3
"""test_filters.py - display filters on the server's packet list (issue 13).

The frames endpoints take filter=: over real HTTP against a real SQLite file,
every filter of tests/data/filters.expected (what tshark -2 -Y selected) is
applied to its trace as an instructor and must list exactly tshark's frames,
with "displayed" of "total" as Wireshark's status bar; an invalid filter is
400 with the message and its place; paging and "at" (the place of a frame
among those shown) work over a filter.  For a student, a filter that would
tell what the exercise hides is 403 with a sentence, and one that cannot is
applied.

Run by `make check` (TRACEQUIZ points at the program, TQ_DATA at tests/data).
"""
import json
import os
import re
import sys
import tempfile
import urllib.parse

from harness import Server, Who, check, new_db, stopped_cleanly, summary

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")


def q(s):
    return urllib.parse.quote(s, safe="")


def expected():
    """[(capture, filter, frames or 'error')] from filters.expected."""
    out = []
    for line in open(os.path.join(DATA, "filters.expected"), encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        cap, flt, want = line.split("\t")
        out.append((cap, flt, want))
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="tq-filters-")
    db = new_db(tmp)
    s = Server(db)
    try:
        pw = re.search(r"password (\w+)", "".join(s.out)).group(1)
        admin = Who(s, "admin", pw)
        for name, role in (("ines", "instructor"), ("sam", "student")):
            admin.req("POST", "/api/v1/users", {"name": name, "role": role, "password": name + "-secret"})
        ines, sam = Who(s, "ines", "ines-secret"), Who(s, "sam", "sam-secret")
        ines.req("POST", "/api/v1/courses", {"slug": "net", "title": "Networks"})
        ines.req("POST", "/api/v1/courses/net/students", {"students": ["sam"]})

        cases = expected()
        shas = {}
        for cap in sorted({c for c, _, _ in cases}):
            raw = open(os.path.join(DATA, cap), "rb").read()
            st, j, _, _ = ines.req("POST", "/api/v1/traces?name=%s" % cap, raw=raw)
            if st in (200, 201):
                shas[cap] = (j["sha256"], j["frames"])
        check(len(shas) == len({c for c, _, _ in cases}), "%d captures uploaded" % len(shas))

        # every filter tshark was asked, on the server
        bad = []
        errors = 0
        for cap, flt, want in cases:
            sha, total = shas[cap]
            st, j, _, _ = ines.req("GET", "/api/v1/traces/%s/frames?count=1000&filter=%s" % (sha, q(flt)))
            if want == "error":
                errors += 1
                if st != 400 or not j or not j.get("error") or "position" not in j:
                    bad.append("%s: %s: %s %s (tshark refuses it)" % (cap, flt, st, j))
                continue
            got = ",".join(str(r["no"]) for r in j["frames"]) if st == 200 else "status %d: %s" % (st, j)
            got = got or "-"
            want_n = 0 if want == "-" else len(want.split(","))
            if got != want or j.get("displayed") != want_n or j.get("total") != total:
                bad.append("%s: %s: tshark %s, server %s (displayed %s of %s)" %
                           (cap, flt, want, got, j and j.get("displayed"), j and j.get("total")))
        check(not bad, "%d filters over HTTP select tshark's frames, %d refused with a message%s" %
              (len(cases), errors, "".join("\n  " + b for b in bad[:10])))

        sha, total = shas["tcp-handshake-eth-ipv4.pcap"]
        base = "/api/v1/traces/%s/frames" % sha
        st, j, _, _ = ines.req("GET", base + "?filter=" + q("tcp.flags.syn == 1 && tcp.flags.ak == 0"))
        check(st == 400 and "tcp.flags.ak" in j["error"] and j["position"] == 22,
              "an unknown field: 400, named, at its place (%s %s)" % (st, j))
        st, j, _, _ = ines.req("GET", base + "?filter=" + q("   "))
        check(st == 200 and j["displayed"] == total and len(j["frames"]) == total, "a blank filter shows every frame")

        st, j, _, _ = ines.req("GET", base + "?check=1&filter=" + q("tcp.flags.syn == 1"))
        st2, k, _, _ = ines.req("GET", base + "?check=1&filter=" + q("tcp.flags.syn = = 1"))
        check(st == 200 and j == {"valid": True} and st2 == 400 and k.get("error"),
              "check=1 only reads the filter: valid, or its error (%s %s)" % (j, k))
        st, j, _, _ = ines.req("GET", "/api/v1/fields")
        fl = [x["f"] for x in j["fields"]] if st == 200 else []
        syn = [x for x in j["fields"] if x["f"] == "tcp.flags.syn"] if st == 200 else []
        check(len(fl) > 1000 and fl == sorted(fl) and syn == [{"f": "tcp.flags.syn", "n": "Syn", "t": "Boolean"}] and
              "dns.qry.name" in fl, "GET /api/v1/fields: %d fields, sorted, with names and types" % len(fl))

        # paging over a filter, and the place of a frame among those shown
        st, all_, _, _ = ines.req("GET", base + "?filter=" + q("tcp.len == 0"))
        nos = [r["no"] for r in all_["frames"]]
        st, p2, _, _ = ines.req("GET", base + "?from=2&count=2&filter=%s&at=%d" % (q("tcp.len == 0"), nos[-1]))
        check(st == 200 and [r["no"] for r in p2["frames"]] == nos[1:3] and p2["at"] == len(nos) and
              p2["displayed"] == len(nos), "a filtered list in pages: lines 2-3 of %d, the last frame at place %d (%s)" %
              (len(nos), len(nos), p2))
        st, p3, _, _ = ines.req("GET", base + "?count=1&filter=%s&at=4" % q("tcp.len == 0"))
        check(st == 200 and p3["at"] == 0, "a frame the filter leaves out is at place 0")
        st, _, _, r = ines.req("GET", base + "?filter=" + q("tcp.len == 0"))
        st2, _, _, _ = ines.req("GET", base + "?filter=" + q("tcp.len == 0"), headers={"If-None-Match": r.getheader("ETag")})
        st3, _, _, r3 = ines.req("GET", base + "?filter=" + q("tcp.len > 0"))
        check(st2 == 304 and r3.getheader("ETag") != r.getheader("ETag"), "a filtered page has an ETag of its own")

        # a student: filters that would tell what the exercise hides are refused
        doc = {"title": "Handshake", "questions": [
            {"id": "seq", "kind": "field", "prompt": "Fill in the sequence number", "hide": {"2": ["tcp.seq"]}},
            {"id": "port", "kind": "field", "prompt": "Fill in the port", "hide": {"1": ["tcp.srcport"]}},
            {"id": "syn", "kind": "field", "prompt": "SYN?", "hide": {"3": ["tcp.flags.syn"]}}]}
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": "hs", "course": "net", "trace": sha, "exercise": doc})
        check(st == 201, "an exercise that hides fields (%s)" % (j and j.get("error")))
        ines.req("PUT", "/api/v1/exercises/hs", {"published": True})
        sbase = "/api/v1/exercises/hs/frames"
        refused = ["tcp.seq == 1", "tcp.seq_raw > 0", "tcp.nxtseq == 1", "tcp.port == 80", "tcp.srcport in {80, 443}",
                   "tcp.payload contains 00:50", "tcp.payload[0:2] == 48:45", "tcp.flags == 0x012", "tcp.flags & 0x02",
                   "tcp.flags.syn == 1", "tcp.seq", "tcp.options contains 01", "data.data[0:4] == 00:00:00:01"]
        allowed = [("tcp", total), ("tcp.flags.ack == 1", None), ("tcp.len > 0", None), ("ip.src == 127.0.0.1", None),
                   ("tcp.payload", None), ("tcp.flags", None), ("tcp.analysis", None)]
        out = []
        for flt in refused:
            st, j, _, _ = sam.req("GET", sbase + "?filter=" + q(flt))
            if st != 403 or not re.search(r"hides|hidden", (j or {}).get("error", "")):
                out.append("%s: %s %s" % (flt, st, j))
        check(not out, "%d filters that would tell a hidden value are refused with a sentence%s" %
              (len(refused), "".join("\n  " + o for o in out)))
        out = []
        for flt, want in allowed:
            st, j, _, _ = sam.req("GET", sbase + "?filter=" + q(flt))
            st2, k, _, _ = ines.req("GET", sbase + "?filter=" + q(flt))
            if st != 200 or [r["no"] for r in j["frames"]] != [r["no"] for r in k["frames"]] or \
                    (want is not None and j["displayed"] != want):
                out.append("%s: %s %s" % (flt, st, j))
        check(not out, "%d filters that tell nothing hidden are applied for the student%s" %
              (len(allowed), "".join("\n  " + o for o in out)))
        st, j, _, _ = sam.req("GET", sbase + "?check=1&filter=" + q("tcp.seq == 1"))
        check(st == 403 and "hidden" in j["error"], "check=1 tells a student the filter is refused, and why")
        st, j, _, _ = sam.req("GET", sbase + "?filter=" + q("tcp.flags.ak == 1"))
        check(st == 400 and "tcp.flags.ak" in j["error"], "a student's wrong filter: 400 with the message")
        st, j, _, _ = ines.req("GET", sbase + "?filter=" + q("tcp.seq == 1"))
        check(st == 200 and j["displayed"] >= 1, "the instructor filters on the hidden field")
        st, j, _, _ = sam.req("GET", sbase + "?filter=" + q("tcp.flags.ack == 1") + "&from=1&count=3")
        check(st == 200 and all(r["info"] != "" for r in j["frames"]) and
              not any("Seq=1 " in r["info"] for r in j["frames"] if r["no"] == 2),
              "the student's filtered rows are masked as their unfiltered rows")

        # frames dealt to other places: their numbers and times are refused
        doc = {"title": "Order", "questions": [
            {"id": "o", "kind": "order", "prompt": "Put the handshake in order", "frames": [1, 2, 3]}]}
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": "ord", "course": "net", "trace": sha, "exercise": doc})
        ines.req("PUT", "/api/v1/exercises/ord", {"published": True})
        out = []
        for flt in ("frame.number == 1", "frame.time_relative > 0", "tcp.seq == 0", "tcp.ack == 1",
                    "tcp.analysis.acks_frame", "tcp.options[0:1] == 01", "tcp.options.timestamp.tsval > 5"):
            st, j, _, _ = sam.req("GET", "/api/v1/exercises/ord/frames?filter=" + q(flt))
            if st != 403:
                out.append("%s: %s %s" % (flt, st, j))
        check(not out, "filters on a dealt frame's place are refused%s" % "".join("\n  " + o for o in out))
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/ord/frames?filter=" + q("tcp.flags.syn == 1"))
        st2, whole, _, _ = sam.req("GET", "/api/v1/exercises/ord/frames?count=1000")
        rows = {r["no"]: r for r in whole["frames"]}
        check(st == 200 and j["frames"] and all(rows[r["no"]] == r for r in j["frames"]),
              "a student's filter lists the places the frames were dealt to, rows as unfiltered")

        # Follow Stream: the records the command line prints (checked against tshark by tests/follow.sh)
        import subprocess
        from harness import TQ
        for cap, proto, sub in (("tcp-handshake-eth-ipv4.pcap", "tcp", None), ("udp-eth-ipv4.pcap", "udp", None),
                                ("tcp-port-reuse-eth-ipv4.pcap", "tcp", None), ("http2-prior.pcap", "http2", 13),
                                ("http2-upgrade.pcap", "http2", 1)):
            fsha, _ = shas.get(cap) or (None, None)
            if not fsha:
                raw = open(os.path.join(DATA, cap), "rb").read()
                st, j, _, _ = ines.req("POST", "/api/v1/traces?name=%s" % cap, raw=raw)
                fsha = j["sha256"]
            spec = "tcp.stream==0 && http2.streamid==%d" % sub if sub else "%s.stream==0" % proto
            cli = subprocess.run([TQ, "follow", os.path.join(DATA, cap), spec, "--format", "raw"],
                                 capture_output=True, text=True).stdout.splitlines()
            want_nodes = [ln.split(": ", 1)[1] for ln in cli if ln.startswith("Node ")]
            want = [(1 if ln.startswith("\t") else 0, ln.strip()) for ln in cli[6:-1]]
            st, j, _, _ = ines.req("GET", "/api/v1/traces/%s/follow?proto=%s&stream=0%s" %
                                   (fsha, proto, "&sub=%d" % sub if sub else ""))
            want_filter = "tcp.stream eq 0 and http2.streamid eq %d" % sub if sub else "%s.stream eq 0" % proto
            got = [(x["node"], x["data"]) for x in j["records"]] if st == 200 else None
            nodes = ["%s:%d" % (("[%s]" if ":" in n["addr"] and not n["addr"].startswith("[") else "%s") % n["addr"], n["port"])
                     for n in j["nodes"]] if st == 200 else None
            check(st == 200 and got == want and nodes == want_nodes and j["filter"] == want_filter and
                  all(isinstance(x["frame"], int) for x in j["records"]),
                  "GET .../follow of %s %s: %d records, as tracequiz follow prints them (%s)" %
                  (cap, spec, len(want), st))
        st, j, _, _ = ines.req("GET", base.replace("/frames", "/follow") + "?stream=77")
        check(st == 200 and j["records"] == [] and j["nodes"] == [], "a stream that is not there: no record, no node")
        for bad in ("?stream=x", "?stream=-1", "", "?stream=1&proto=sctp", "?stream=0&proto=http2",
                    "?stream=0&proto=http2&sub=x"):
            st, j, _, _ = ines.req("GET", base.replace("/frames", "/follow") + bad)
            check(st == 400 and j.get("error"), "follow%s: 400 with a message (%s)" % (bad or " without a stream", j))
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/hs/follow?stream=0")
        check(st == 403 and "hides a field" in j["error"], "a student may not follow a stream whose frames hide a field")
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/ord/follow?stream=0")
        check(st == 403 and "in order" in j["error"], "nor one with frames to put in order")
        doc = {"title": "Plain", "questions": [{"id": "n", "kind": "number", "prompt": "How many?", "key": "count(frame)"}]}
        ines.req("POST", "/api/v1/exercises", {"slug": "plain", "course": "net", "trace": sha, "exercise": doc})
        ines.req("PUT", "/api/v1/exercises/plain", {"published": True})
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/plain/follow?stream=0")
        st2, k, _, _ = ines.req("GET", "/api/v1/traces/%s/follow?stream=0" % sha)
        check(st == 200 and j["records"] == k["records"], "a student follows a stream of an exercise that hides nothing")

        # key discovery: each suggestion evaluates (POST /api/v1/eval) to the answer
        hsha, _ = shas["tcp-handshake-eth-ipv4.pcap"]
        st, j, _, _ = ines.req("POST", "/api/v1/suggest", {"answer": "50001", "trace": hsha, "max": 3})
        sugg = j.get("suggestions") if st == 200 else None
        evals = [ines.req("POST", "/api/v1/eval", {"expr": x["expr"], "trace": hsha})[1].get("value") for x in sugg or []]
        check(st == 200 and sugg and all(v == 50001 for v in evals) and all(x["value"] == 50001 for x in sugg),
              "POST /api/v1/suggest: %d suggestions for 50001, each evaluating to it (%s)" %
              (len(sugg or []), sugg and sugg[0]["expr"]))
        st, j, _, _ = ines.req("POST", "/api/v1/suggest", {"answer": "no such thing anywhere", "trace": hsha})
        check(st == 200 and j["suggestions"] == [], "nothing reads as an answer the trace does not hold: no suggestion")
        st, j, _, _ = ines.req("POST", "/api/v1/suggest", {"answer": "3", "prompt": "How many frames carry the SYN flag?",
                                                         "exercise": "plain"})
        check(st == 200 and j["suggestions"] and j["suggestions"][0]["value"] == 3 and
              j["suggestions"][0]["expr"].startswith("count("),
              "on an exercise, a how-many prompt puts counts first (%s)" % (j.get("suggestions") or [{}])[0].get("expr"))
        for bad in ({"trace": hsha}, {"answer": "x"}, {"answer": "x", "trace": hsha, "max": 99}, {"answer": [1], "trace": hsha}):
            st, j, _, _ = ines.req("POST", "/api/v1/suggest", bad)
            check(st == 400 and j.get("error"), "POST /api/v1/suggest %s: 400 with a message" % json.dumps(bad)[:60])
        st, j, _, _ = sam.req("POST", "/api/v1/suggest", {"answer": "50001", "trace": hsha})
        check(st == 403, "a student may not ask for keys (%d)" % st)
    finally:
        s.stop()
    stopped_cleanly(s)
    return summary("test_filters")


if __name__ == "__main__":
    sys.exit(main())
