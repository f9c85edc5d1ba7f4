#!/usr/bin/env python3
"""test_hostile.py - every route of the OpenAPI document, with every method,
fed hostile bodies as the admin (who may reach every handler): random bytes,
JSON of every wrong type, deep nesting, long strings, NUL bytes, broken
multipart forms, a YAML bomb, path segments that are not names.  The server
must answer each with a 4xx and a JSON message (never a 5xx, never a dropped
connection), store nothing half, and stop cleanly; under the sanitizers that
last check also says no request corrupted memory or leaked it.

HOSTILE_SEED (default 1) and HOSTILE_ROUNDS (default 3) set the random inputs.
"""
import json
import os
import random
import re
import sys
import tempfile

from harness import Server, check, multipart, new_db, query, summary

SEED = int(os.environ.get("HOSTILE_SEED", "1"))
ROUNDS = int(os.environ.get("HOSTILE_ROUNDS", "3"))

YAML_BOMB = b"""a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
title: [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""


def bodies(rnd):
    """(description, raw bytes, extra headers) of hostile bodies."""
    values = [None, True, 0, -1, 2 ** 63, 1e308, "", "x" * 70000, "\u0000", "' OR 1=1 --", "<script>", [], {}, [[[]]]]
    keys = ["name", "password", "role", "slug", "title", "course", "trace", "exercise", "published", "students",
            "expr", "answers", "student", "open"]
    out = [("no body", b"", {}), ("not JSON", b"{nope", {}), ("a JSON string", b'"x"', {}),
           ("deep nesting", b"[" * 100000 + b"]" * 100000, {}), ("NUL inside", b'{"name": "a\\u0000b"}', {}),
           ("invalid UTF-8", b'{"name": "\xff\xfe"}', {}), ("duplicate keys", b'{"name": 1, "name": 2}', {})]
    for _ in range(ROUNDS * 4):
        body = {k: rnd.choice(values) for k in rnd.sample(keys, rnd.randint(1, len(keys)))}
        out.append(("wrong types %s" % sorted(body), json.dumps(body).encode(), {}))
    out.append(("random bytes", bytes(rnd.getrandbits(8) for _ in range(4096)), {}))
    out.append(("an exercise as YAML bomb", json.dumps({"slug": "bomb", "course": "demo", "trace": "0" * 64,
                                                         "exercise": YAML_BOMB.decode()}).encode(), {}))
    form, hdr = multipart({"slug": "y", "course": "demo"}, {"exercise": ("exercise.yaml", YAML_BOMB),
                                                          "capture": ("c.pcap", b"\xd4\xc3\xb2\xa1" + b"\0" * 20)})
    out.append(("a form with a YAML bomb and a broken capture", form, hdr))
    out.append(("a form without its boundary", form, {"Content-Type": "multipart/form-data"}))
    out.append(("a form cut short", form[:len(form) // 2], hdr))
    many, mhdr = multipart({"f%d" % i: "v" for i in range(50)}, {})
    out.append(("a form of 50 parts", many, mhdr))
    return out


def main():
    rnd = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix="tq-hostile-")
    db = new_db(tmp)
    s = Server(db)
    bad, n = [], 0
    try:
        pw = re.search(r"password (\w+)", "".join(s.out)).group(1)
        st, j, _, r = s.request("POST", "/api/v1/session", {"name": "admin", "password": pw})
        auth = {"Cookie": (r.getheader("Set-Cookie") or "").split(";")[0], "X-CSRF-Token": j["csrf"]}
        st, api, _, _ = s.request("GET", "/api/v1/openapi.json")
        before = query(db, "select (select count(*) from exercises), (select count(*) from captures),"
                           " (select count(*) from courses)")[0]
        fillers = ["x", "smtp-over-tls", "demo", "0" * 64, "../../etc/passwd", "%00", "a" * 300, "-1", "99999999999"]
        for path in api["paths"]:
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
                for desc, raw, hdr in bodies(rnd) if method in ("POST", "PUT", "PATCH") else [("no body", None, {})]:
                    concrete = re.sub(r"\{[^}]+\}", lambda m: rnd.choice(fillers), path)
                    if path in ("/api/v1/session",) and method == "DELETE":
                        continue            # logging out would end the test's session
                    if path == "/api/v1/exercises/{slug}" and method == "DELETE":
                        concrete = "/api/v1/exercises/" + rnd.choice(["x", "%00", "a" * 300])   # keep the demo
                    h = dict(auth, **hdr)
                    if raw is not None and "Content-Type" not in hdr:
                        h["Content-Type"] = "application/json"
                    n += 1
                    try:
                        st, j, text, _ = s.request(method, concrete, headers=h, raw=raw)
                    except Exception as e:          # noqa: BLE001 - a dropped connection is the failure we look for
                        bad.append("%s %s (%s): %s" % (method, concrete[:60], desc, e))
                        continue
                    ok_json = j is not None and isinstance(j.get("error") if isinstance(j, dict) else None, str)
                    # a refused LTI launch or login is a page for the browser the LMS sent, not JSON
                    ok_page = path.startswith("/lti/") and text.startswith(b"<!doctype html>") and \
                        b"could not open this activity" in text
                    if st >= 500 or (st >= 400 and not ok_json and not ok_page):
                        bad.append("%s %s (%s): %d %s" % (method, concrete[:60], desc, st, text[:120]))
        after = query(db, "select (select count(*) from exercises), (select count(*) from captures),"
                          " (select count(*) from courses)")[0]
        check(n > 300, "%d hostile requests sent to %d paths" % (n, len(api["paths"])))
        check(not bad, "every one answered with a JSON error and no 5xx (%d not: %s)" % (len(bad), bad[:6]))
        check(after == before, "nothing was stored by them (exercises, captures, courses: %s -> %s)" % (before, after))
        st, _, _, _ = s.request("GET", "/healthz")
        check(st == 200, "the server still answers")
    finally:
        s.stop()
    check(s.proc.returncode == 0, "the server stops cleanly (under the sanitizers: no memory error, no leak)%s" %
          ("\n" + "".join(s.out[-40:]) if s.proc.returncode else ""))
    return summary("hostile")


if __name__ == "__main__":
    sys.exit(main())
