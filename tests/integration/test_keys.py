#!/usr/bin/env python3
"""test_keys.py - keys frozen at publish, over real HTTP against the real
server and a real SQLite file: a published exercise's keys are stored when it
is saved and graded from the row (also after a restart, whatever the capture
now dissects to); a save that changes the keys of an exercise with
submissions shows each change and how many submissions it touches, and asks
(409) until confirmed; old scores stay until POST .../regrade, which
rescores every submission and keeps the history (who, when, old, new); the
CSV and the submissions say which key version graded them; and `tracequiz
rekey` lists, without changing anything unless --apply, the exercises whose
keys the program computes differently.

Run by `make check` (TRACEQUIZ points at the program, TQ_DATA at tests/data).
"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile

from harness import TQ, Server, Who, blob, check, new_db, query, stopped_cleanly, summary

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")
HANDSHAKE = os.path.join(DATA, "tcp-handshake-eth-ipv4.pcap")
BULK = os.path.join(DATA, "tcp-port-reuse-eth-ipv4.pcap")


def evaluate(path, expr):
    out = subprocess.run([TQ, "eval", "--json", path, expr], capture_output=True, text=True)
    return json.loads(out.stdout)["value"]


def doc(syn_key="count(frame where tcp.flags.syn == 1)", prompt="How many segments carry SYN?"):
    return {"title": "Frozen keys", "questions": [
        {"id": "syns", "kind": "number", "prompt": prompt, "key": syn_key},
        {"id": "who", "kind": "choice", "prompt": "Is there a SYN without ACK?", "choices": [
            {"text": "yes", "valid": "count(frame where tcp.flags.syn == 1 && tcp.flags.ack == 0) > 0"},
            {"text": "no", "valid": "count(frame where tcp.flags.syn == 1 && tcp.flags.ack == 0) == 0"}]},
        {"id": "ack", "kind": "field", "prompt": "Fill in the acknowledgement number", "hide": {"2": ["tcp.ack"]}}]}


def rekey(db, *flags):
    out = subprocess.run([TQ, "rekey", "--db", db] + list(flags), capture_output=True, text=True)
    return out.returncode, out.stdout, out.stderr


def main():
    tmp = tempfile.mkdtemp(prefix="tq-keys-")
    db = new_db(tmp)
    handshake = open(HANDSHAKE, "rb").read()
    syns = evaluate(HANDSHAKE, "count(frame where tcp.flags.syn == 1)")
    pushes = evaluate(HANDSHAKE, "count(frame where tcp.flags.push == 1)")
    ack2 = evaluate(HANDSHAKE, "first(tcp.ack where frame.number == 2)")
    check(syns != pushes, "the handshake has %d SYNs and %d PSHs: a key change that matters" % (syns, pushes))
    s = Server(db)
    try:
        pw = re.search(r"password (\w+)", "".join(s.out)).group(1)
        admin = Who(s, "admin", pw)
        for name, role in (("ines", "instructor"), ("ivan", "instructor"), ("sam", "student"), ("sue", "student")):
            admin.req("POST", "/api/v1/users", {"name": name, "role": role, "password": name + "-secret"})
        ines, ivan = Who(s, "ines", "ines-secret"), Who(s, "ivan", "ivan-secret")
        sam, sue = Who(s, "sam", "sam-secret"), Who(s, "sue", "sue-secret")
        ines.req("POST", "/api/v1/courses", {"slug": "net", "title": "Networks"})
        ines.req("POST", "/api/v1/courses/net/students", {"students": ["sam", "sue"]})
        st, j, _, _ = ines.req("POST", "/api/v1/traces?name=hs.pcap", raw=handshake)
        sha = j["sha256"]

        # publishing computes the keys once, stored with the program's version
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": "frozen", "course": "net", "trace": sha,
                                                               "exercise": doc()})
        check(st == 201 and j["key_version"] == 1, "a new exercise is key version 1: %s %s" % (st, j.get("key_version")))
        (keys_text, program, version), = query(db, "select keys, keys_program, key_version from exercises where slug = 'frozen'")
        stored = {q["id"]: q for q in json.loads(keys_text)["questions"]}
        check(stored["syns"]["key"] == syns and stored["ack"]["key"] == {"2": {"tcp.ack": str(ack2)}} and
              stored["who"]["states"] == [1, 0] and re.match(r"\d+\.\d+", program or "") and version == 1,
              "the keys are stored with the exercise, with the version of the program that computed them (%s)" % program)

        # two students answer under key version 1
        st, j, _, _ = sam.req("POST", "/api/v1/exercises/frozen/submissions",
                              {"answers": {"syns": syns, "who": "yes", "ack": {"2": {"tcp.ack": str(ack2)}}}})
        check(st == 201 and j["score"] == 3 and j["key_version"] == 1, "sam is graded 3/3 under key version 1")
        st, j, _, _ = sue.req("POST", "/api/v1/exercises/frozen/submissions", {"answers": {"syns": pushes, "who": "no"}})
        check(st == 201 and j["score"] == 0, "sue is graded 0/3 under key version 1")

        # a save that changes nothing the grades read does not ask, and keeps the version
        st, j, _, _ = ines.req("PUT", "/api/v1/exercises/frozen", {"exercise": doc(prompt="How many SYN segments?")})
        check(st == 200 and j["key_version"] == 1, "a save that only rewords a prompt keeps key version 1")

        # a changed key: shown, counted, asked
        new = doc("count(frame where tcp.flags.push == 1)")
        st, j, _, _ = ines.req("PUT", "/api/v1/exercises/frozen", {"exercise": new})
        ch = {c["id"]: c for c in (j or {}).get("key_changes", [])}
        check(st == 409 and list(ch) == ["syns"] and ch["syns"]["old"] == syns and ch["syns"]["new"] == pushes and
              ch["syns"]["submissions"] == 2 and j["submissions"] == 2 and "confirm" in j["error"],
              "a key change after submissions is 409 with the old and new key and the submissions it touches: %s" % j)
        (kv,), = query(db, "select key_version from exercises where slug = 'frozen'")
        check(kv == 1 and json.loads(query(db, "select keys from exercises where slug = 'frozen'")[0][0])["questions"][0]["key"]
              == syns, "and nothing is stored until confirmed")
        st, j, _, _ = ines.req("PUT", "/api/v1/exercises/frozen", {"exercise": new, "confirm": "yes"})
        check(st == 400 and "confirm" in j["error"], "confirm must be true or false")
        st, j, _, _ = ines.req("PUT", "/api/v1/exercises/frozen", {"exercise": new, "confirm": True})
        check(st == 200 and j["key_version"] == 2, "confirmed, the new keys are key version 2")

        # old scores stay until a regrade
        st, j, _, _ = ines.req("GET", "/api/v1/exercises/frozen/submissions")
        subs = j["submissions"]
        check([(x["student"], x["score"], x["key_version"]) for x in subs] == [("sam", 3, 1), ("sue", 0, 1)],
              "the submissions keep their scores and key version 1 after the change")
        st, _, text, _ = ines.req("GET", "/api/v1/exercises/frozen/submissions.csv")
        table = list(csv.reader(io.StringIO(text.decode())))
        kcol = table[0].index("key version")
        check(st == 200 and [r[kcol] for r in table[1:]] == ["1", "1"], "the CSV says which key version graded each")
        st, j, _, _ = sam.req("POST", "/api/v1/exercises/frozen/submissions", {"answers": {"syns": pushes}})
        check(st == 201 and j["questions"][0]["correct"] and j["key_version"] == 2,
              "a new submission is graded on key version 2")
        st, j, _, _ = ines.req("GET", "/api/v1/exercises/frozen/keys")
        check(st == 200 and j["key_version"] == 2 and j["questions"][0]["key"] == pushes, "the keys say their version")

        # the regrade: who may, what it changes, what it keeps
        st, _, _, _ = sam.req("POST", "/api/v1/exercises/frozen/regrade")
        check(st == 403, "a student cannot regrade")
        st, _, _, _ = ivan.req("POST", "/api/v1/exercises/frozen/regrade")
        check(st == 404, "an instructor of another course cannot regrade (the exercise is not theirs to see)")
        st, j, _, _ = ines.req("POST", "/api/v1/exercises/frozen/regrade")
        check(st == 200 and j["submissions"] == 3 and j["regraded"] == 2 and j["scores_changed"] == 2 and
              j["unchanged"] == 1 and j["key_version"] == 2, "the regrade rescores the two old submissions: %s" % j)
        st, j, _, _ = ines.req("GET", "/api/v1/exercises/frozen/submissions")
        subs = j["submissions"]
        check([(x["score"], x["key_version"]) for x in subs] == [(2, 2), (1, 2), (1, 2)],
              "after it, every submission is graded on key version 2: %s" % [(x["score"], x["key_version"]) for x in subs])
        h = subs[0].get("regrades", [])
        check(len(h) == 1 and h[0]["by"] == "ines" and h[0]["old_score"] == 3 and h[0]["new_score"] == 2 and
              h[0]["old_version"] == 1 and h[0]["new_version"] == 2 and h[0]["at"] > 0 and "regrades" not in subs[2],
              "the history keeps who regraded, when, the old and the new score: %s" % h)
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/frozen/submissions")
        check(st == 200 and len(j["submissions"]) == 2 and j["submissions"][0]["score"] == 2 and
              j["submissions"][0]["regrades"][0]["old_score"] == 3, "the student sees their new score and the old one")
        st, j, _, _ = admin.req("POST", "/api/v1/exercises/frozen/regrade")
        check(st == 200 and j["regraded"] == 0 and j["unchanged"] == 3, "a second regrade changes nothing")
        check(query(db, "select count(*) from regrades")[0][0] == 2, "two lines of history in the database")
    finally:
        s.stop()
    stopped_cleanly(s)

    # the frozen keys outlive a restart, whatever the capture now dissects to
    (cid,), = query(db, "select capture_id from exercises where slug = 'frozen'")
    query(db, "update captures set data = %s where id = %d" % (blob(db, open(BULK, "rb").read()), cid))
    s = Server(db)
    try:
        sam = Who(s, "sam", "sam-secret")
        st, j, _, _ = sam.req("POST", "/api/v1/exercises/frozen/submissions", {"answers": {"syns": pushes}})
        check(st == 201 and j["questions"][0]["correct"] and j["key_version"] == 2,
              "after a restart, grading uses the frozen keys, not keys computed again on the changed capture")
    finally:
        s.stop()
    stopped_cleanly(s)

    # rekey: lists what changed, changes nothing without --apply
    before = query(db, "select slug, keys, key_version from exercises order by slug")
    now_pushes = evaluate(BULK, "count(frame where tcp.flags.push == 1)")
    rc, out, err = rekey(db, "--dry-run")
    check(rc == 1 and re.search(r"^frozen: \d+ keys? change", out, re.M) and
          ("syns: %s -> %s" % (pushes, now_pushes)) in out and "smtp-over-tls" not in out and
          "nothing was changed" in out, "rekey --dry-run lists the exercise whose key evaluates differently:\n" + out + err)
    check(query(db, "select slug, keys, key_version from exercises order by slug") == before, "and changes nothing")
    rc2, out2, _ = rekey(db)
    check(rc2 == 1 and out2 == out and query(db, "select slug, keys, key_version from exercises order by slug") == before,
          "without a flag it is the same dry run")
    rc, out, err = rekey(db, "--apply", "--dry-run")
    check(rc == 2 and "usage" in err, "--apply and --dry-run together are refused")
    rc, out, _ = rekey(db, "--apply")
    (kv,), = query(db, "select key_version from exercises where slug = 'frozen'")
    check(rc == 1 and "key version 3" in out and kv == 3, "rekey --apply stores the new keys as key version 3")
    rc, out, _ = rekey(db, "--dry-run")
    check(rc == 0 and "0 whose keys change" in out, "then nothing is left to rekey: " + out.strip())
    rc, out, err = rekey(os.path.join(tmp, "missing", "x.db"))
    check(rc == 2 and err.startswith("tracequiz:"), "a database that cannot be opened is an error: " + err.strip())
    return summary("test_keys")


if __name__ == "__main__":
    sys.exit(main())
