#!/usr/bin/env python3
"""test_author.py - the routes that make and run a course, over real HTTP
against the real server and a fresh SQLite file: accounts, courses and
enrolments, trace uploads (raw and multipart, a text file, a capture cut in
half, the same capture twice), downloads and previews, exercises created,
changed and deleted (keys computed on save, a broken document storing
nothing), INGInious tasks imported from their zip, live evaluation, statistics and the CSV export, API tokens, the
OpenAPI document, and the authorization matrix: who may do what.

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
import zipfile

from harness import TQ, Server, Who, check, multipart, new_db, query, summary

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")
HANDSHAKE = os.path.join(DATA, "tcp-handshake-eth-ipv4.pcap")
SMTP = os.path.join(DATA, "smtp-starttls-587-tls12-sll-ipv6.pcap")


def exercise_doc(key="count(frame where tcp.flags.syn == 1)"):
    return {"title": "The three-way handshake",
            "intro": "Read the handshake.",
            "questions": [
                {"id": "syns", "kind": "number", "prompt": "How many segments carry SYN?", "key": key},
                {"id": "ack2", "kind": "number", "prompt": "The acknowledgement number of frame 2?",
                 "key": "first(tcp.ack where frame.number == 2)"}]}


def main():
    tmp = tempfile.mkdtemp(prefix="tq-author-")
    db = new_db(tmp)
    s = Server(db)
    try:
        pw = re.search(r"password (\w+)", "".join(s.out)).group(1)
        admin = Who(s, "admin", pw)

        # accounts: the admin makes them; nobody else may
        for name, role in (("ines", "instructor"), ("ivan", "instructor"), ("sam", "student"), ("sue", "student")):
            st, j, _, _ = admin.req("POST", "/api/v1/users", {"name": name, "role": role, "password": name + "-secret"})
            check(st == 201 and j["role"] == role and "password" not in j, "the admin makes %s a %s" % (name, role))
        st, j, _, _ = admin.req("POST", "/api/v1/users", {"name": "gen", "role": "student"})
        check(st == 201 and len(j["password"]) == 32, "an account without a password gets one, shown once")
        st, j, _, _ = admin.req("POST", "/api/v1/users", {"name": "ines", "role": "student", "password": "whatever1"})
        check(st == 409 and "already" in j["error"], "a second account 'ines' is 409")
        st, j, _, _ = admin.req("POST", "/api/v1/users", {"name": "x y", "role": "root"})
        check(st == 422 and "role" in j["error"], "a bad name or role is 422 and says what is wanted")
        ines, ivan = Who(s, "ines", "ines-secret"), Who(s, "ivan", "ivan-secret")
        sam, sue = Who(s, "sam", "sam-secret"), Who(s, "sue", "sue-secret")
        st, _, _, _ = ines.req("POST", "/api/v1/users", {"name": "z", "role": "admin"})
        check(st == 403, "an instructor cannot make accounts")
        st, j, _, _ = admin.req("GET", "/api/v1/users")
        check(st == 200 and {u["name"] for u in j["users"]} >= {"admin", "ines", "sam"} and
              not any("pw_hash" in u for u in j["users"]), "the admin lists the accounts, without password hashes")
        st, _, _, _ = ines.req("POST", "/api/v1/users", {"name": "z", "role": "admin"}, headers={"X-CSRF-Token": "no"})
        check(st == 403, "a change without the session's CSRF token is 403")

        # courses and enrolments
        st, j, _, _ = ines.req("POST", "/api/v1/courses", {"slug": "net101", "title": "Computer networks"})
        check(st == 201 and j["slug"] == "net101", "an instructor creates a course, and teaches it")
        st, j, _, _ = ivan.req("POST", "/api/v1/courses", {"slug": "net101", "title": "again"})
        check(st == 409, "a second course net101 is 409")
        st, j, _, _ = ines.req("POST", "/api/v1/courses", {"slug": "Net 101", "title": "x"})
        check(st == 422 and "slug" in j["error"], "a course slug with capitals and spaces is 422")
        st, _, _, _ = sam.req("POST", "/api/v1/courses", {"slug": "mine", "title": "x"})
        check(st == 403, "a student cannot create a course")
        st, j, _, _ = ines.req("POST", "/api/v1/courses/net101/students", {"students": ["sam", "newbie"]})
        made = {e["name"]: e.get("password") for e in j.get("enrolled", [])}
        check(st == 200 and made.get("sam") is None and len(made.get("newbie") or "") == 32,
              "enrolling creates the missing student accounts, their passwords shown once")
        st, j, _, _ = ines.req("POST", "/api/v1/courses/net101/students", {"students": ["newbie2", "ivan"]})
        check(st == 409 and "ivan" in j["error"] and not query(db, "select 1 from users where name = 'newbie2'"),
              "a batch with an instructor in it enrols nobody and creates nobody")
        st, _, _, _ = ivan.req("POST", "/api/v1/courses/net101/students", {"students": ["sue"]})
        check(st == 403, "another instructor cannot enrol students in ines's course")
        st, _, _, _ = sam.req("GET", "/api/v1/courses/net101/students")
        check(st == 403, "a student cannot list a course's students")
        st, j, _, _ = ines.req("GET", "/api/v1/courses/net101/students")
        check(st == 200 and [x["name"] for x in j["students"]] == ["newbie", "sam"], "the teacher lists the students")
        st, j, _, _ = sam.req("GET", "/api/v1/courses")
        check(st == 200 and {c["slug"]: c["enrolled"] for c in j["courses"]} == {"demo": False, "net101": True},
              "a student sees the open demo course and their own")
        st, _, _, _ = sue.req("GET", "/api/v1/courses/net101")
        check(st == 404, "a course a student is not in does not exist for them")
        st, _, _, _ = ines.req("POST", "/api/v1/courses/net101/teachers", {"name": "ivan"})
        check(st == 403, "only an admin adds a teacher")

        # traces: raw and multipart uploads, the same capture stored once
        handshake = open(HANDSHAKE, "rb").read()
        st, j, _, _ = ines.req("POST", "/api/v1/traces?name=../../hs.pcap", raw=handshake,
                               headers={"Content-Type": "application/vnd.tcpdump.pcap"})
        sha = j.get("sha256", "")
        check(st == 201 and j["new"] and j["frames"] == 12 and j["size"] == len(handshake) and j["name"] == "hs.pcap",
              "a raw capture upload is stored: 201, its frames counted, its name kept safe")
        body, hdr = multipart({}, {"file": ("again.pcap", handshake)})
        st, j, _, _ = ivan.req("POST", "/api/v1/traces", raw=body, headers=hdr)
        check(st == 200 and not j["new"] and j["sha256"] == sha and query(db, "select count(*) from captures")[0][0] == 2,
              "the same capture uploaded again (multipart) is stored once, by SHA-256")
        before = query(db, "select count(*) from captures")[0][0]
        st, j, _, _ = ines.req("POST", "/api/v1/traces?name=notes.txt", raw=b"these are my notes\n" * 20)
        check(st == 422 and "not a capture" in j["error"], "a text file uploaded as a capture is 422: %s" % j.get("error"))
        st, j, _, _ = ines.req("POST", "/api/v1/traces?name=half.pcap", raw=handshake[:len(handshake) // 2])
        check(st == 422 and "trunc" in j["error"], "a capture cut in half is 422: %s" % j.get("error"))
        st, j, _, _ = ines.req("POST", "/api/v1/traces", raw=b"")
        check(st in (400, 422), "an empty upload is refused")
        body, hdr = multipart({}, {"other": ("x.pcap", handshake)})
        st, j, _, _ = ines.req("POST", "/api/v1/traces", raw=body, headers=hdr)
        check(st == 400 and "'file'" in j["error"], "a form without its 'file' part is 400")
        check(query(db, "select count(*) from captures")[0][0] == before, "the refused uploads stored nothing")
        st, _, _, _ = sam.req("POST", "/api/v1/traces", raw=handshake)
        check(st == 403, "a student cannot upload a trace")
        st, j, _, _ = ines.req("GET", "/api/v1/traces")
        check(st == 200 and sha in [t["sha256"] for t in j["traces"]], "an instructor lists their traces")
        st, _, text, r = ines.req("GET", "/api/v1/traces/%s/download" % sha)
        check(st == 200 and text == handshake and "attachment" in (r.getheader("Content-Disposition") or ""),
              "the trace downloads byte for byte, as an attachment")
        st, j, _, _ = ines.req("GET", "/api/v1/traces/%s/frames?from=1&count=3" % sha)
        check(st == 200 and j["total"] == 12 and "[SYN]" in j["frames"][0]["info"], "an instructor previews the packet list")
        st, j, _, _ = ines.req("GET", "/api/v1/traces/%s/frames/2" % sha)
        check(st == 200 and j["frame"] == 2, "and a frame's tree")
        sue_sha = ""
        st, j, _, _ = admin.req("POST", "/api/v1/traces?name=smtp.pcap", raw=open(SMTP, "rb").read())
        sue_sha = j.get("sha256", "")
        st, _, _, _ = ines.req("GET", "/api/v1/traces/%s" % sue_sha)
        check(st == 403, "an instructor cannot read a trace that is neither theirs nor their courses'")
        st, _, _, _ = ines.req("GET", "/api/v1/traces/zz")
        check(st == 404, "a trace name that is not a SHA-256 is 404")

        # eval: an expression on a trace, as a key's live preview
        st, j, _, _ = ines.req("POST", "/api/v1/eval", {"expr": "count(frame where tcp.flags.syn == 1)", "trace": sha})
        check(st == 200 and j["value"] == 2 and j["from"], "eval gives the value and the frames it came from")
        st, j, _, _ = ines.req("POST", "/api/v1/eval", {"expr": "count(frame where tcp.flgs.syn == 1)", "trace": sha})
        check(st == 422 and "tcp.flags.syn" in j["error"] and j["position"] > 0,
              "an unknown field is 422, with the closest name and the position")
        st, j, _, _ = ines.req("POST", "/api/v1/eval", {"expr": "(" * 5000, "trace": sha})
        check(st == 422, "a hostile expression is refused")
        st, _, _, _ = sam.req("POST", "/api/v1/eval", {"expr": "1", "trace": sha})
        check(st == 403, "a student cannot evaluate")
        st, _, _, _ = ines.req("POST", "/api/v1/eval", {"expr": "1", "exercise": "smtp-over-tls"})
        check(st == 403, "an instructor cannot evaluate on another course's exercise")
        st, j, _, _ = admin.req("POST", "/api/v1/eval", {"expr": "count(frame where smtp)", "exercise": "smtp-over-tls"})
        check(st == 200 and j["value"] > 0, "the admin evaluates on the demo exercise")

        # exercises: created from JSON plus a stored trace, keys returned
        new = {"slug": "tcp-hs", "course": "net101", "trace": sha, "exercise": exercise_doc()}
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", new)
        keys = {k["id"]: k.get("key") for k in j.get("keys", {}).get("questions", [])}
        check(st == 201 and keys == {"syns": 2, "ack2": 1}, "an exercise is created and its keys computed: %s" % keys)
        st, _, _, _ = ines.req("POST", "/api/v1/exercises", new)
        check(st == 409, "a second exercise tcp-hs is 409")
        n_ex = query(db, "select count(*) from exercises")[0][0]
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", dict(new, slug="tcp-var",
                               exercise=dict(exercise_doc(), variants={"count": 30})))
        check(st == 422 and "tracequiz variants" in j.get("error", "") and
              query(db, "select count(*) from exercises")[0][0] == n_ex,
              "an exercise with variants is refused, saying the server does not deal them yet: %s" % j.get("error"))
        bad = dict(new, slug="broken", exercise=dict(exercise_doc(), questions=[{"id": "q", "kind": "number", "prmpt": "x"}]))
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", bad)
        check(st == 422 and "questions[0]" in j["error"], "a broken document is 422 naming its place: %s" % j.get("error"))
        bad = dict(new, slug="nokey", exercise=exercise_doc("first(tcp.ack where frame.number == 99)"))
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", bad)
        check(st == 422 and "cannot be computed" in j["error"] and j["keys"], "a published exercise with a failing key is 422")
        check(query(db, "select count(*) from exercises")[0][0] == n_ex, "and nothing was stored")
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", dict(bad, published=False))
        check(st == 201 and not j["published"], "the same saved as a draft is kept, unpublished")
        st, _, _, _ = ivan.req("POST", "/api/v1/exercises", dict(new, slug="ivans"))
        check(st == 403, "an instructor cannot add an exercise to a course they do not teach")
        st, _, _, _ = ines.req("POST", "/api/v1/exercises", dict(new, slug="other", trace=sue_sha))
        check(st == 403, "nor build one on a trace that is not theirs")

        # an exercise folder uploaded: exercise.yaml beside its capture
        yaml = ("title: Handshake from a folder\ncapture: hs.pcap\nquestions:\n"
                "  - id: seq\n    kind: field\n    prompt: Fill in the numbers\n    hide:\n      2: [tcp.ack]\n")
        body, hdr = multipart({"slug": "tcp-folder", "course": "net101"},
                              {"exercise": ("exercise.yaml", yaml.encode()), "capture": ("hs.pcap", handshake)})
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", raw=body, headers=hdr)
        check(st == 201 and j["trace"] == sha, "an exercise folder uploaded as a form is created, its capture stored once")
        body, hdr = multipart({"slug": "tcp-folder2", "course": "net101"},
                              {"exercise": ("exercise.yaml", b"title: [unclosed\n"), "capture": ("hs.pcap", handshake)})
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", raw=body, headers=hdr)
        check(st == 422 and "exercise.yaml" in j["error"], "a YAML error is 422: %s" % j.get("error"))

        # an INGInious task's folder as a zip: the exercise comes back as a draft to save, its
        # capture stored as a trace (once), and nothing else stored until the instructor saves
        task_yaml = ("name: A handshake\ncontext: The ``SYN`` and its answer.\nproblems:\n"
                     "    trace:\n        type: network-trace\n        trace: hs.pcap.xml\n"
                     "        hide:\n            1:\n            - tcp.ack\n"
                     "    port:\n        type: code_single_line\n        header: Which port?\n        answer: 50001\n")
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("TCP task/task.yaml", task_yaml)
            z.writestr("TCP task/public/hs.pcap", handshake)
        archive = zbuf.getvalue()
        n_ex, n_cap = query(db, "select count(*) from exercises")[0][0], query(db, "select count(*) from captures")[0][0]
        st, j, _, _ = ines.req("POST", "/api/v1/import?name=tasks.zip", raw=archive)
        qs = {q["id"]: q for q in j.get("exercise", {}).get("questions", [])}
        check(st == 200 and j["slug"] == "tcp-task" and j["trace"]["sha256"] == sha and not j["trace"]["new"] and
              j["exercise"]["title"] == "A handshake" and "capture" not in j["exercise"] and
              qs["trace"]["hide"] == {"2": ["tcp.ack"]} and "port" in qs and
              "# Import of tasks.zip:TCP task" in j["report"] and "first(tcp.dstport)" in j["report"],
              "a task's zip is imported: the draft, its trace, the slug of its folder and the report (%s)" % st)
        check(query(db, "select count(*) from exercises")[0][0] == n_ex and
              query(db, "select count(*) from captures")[0][0] == n_cap,
              "the import stores no exercise, and the capture it already had once")
        st, j2, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": j["slug"], "course": "net101", "published": False,
                                "trace": j["trace"]["sha256"], "exercise": j["exercise"]})
        keys = {k["id"]: k.get("key") for k in j2.get("keys", {}).get("questions", [])}
        check(st == 201 and keys.get("port") == 50001 and keys.get("trace") == {"2": {"tcp.ack": "1"}},
              "the imported draft saves as it came, its keys computed (%s %s)" % (st, keys))
        body, hdr = multipart({}, {"file": ("task.zip", archive)})
        st, j, _, _ = ines.req("POST", "/api/v1/import", raw=body, headers=hdr)
        check(st == 200 and j.get("slug") == "tcp-task", "the same sent as a form's file part")
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w") as z:
            z.writestr("task.yaml", task_yaml)
            z.writestr("../../escape.pcap", handshake)
        st, j, _, _ = ines.req("POST", "/api/v1/import?name=evil.zip", raw=zbuf.getvalue())
        check(st == 422 and "evil.zip: the archive's entry '../../escape.pcap' climbs out" in j.get("error", ""),
              "an archive entry that climbs out is 422 and named: %s" % j.get("error"))
        st, j, _, _ = ines.req("POST", "/api/v1/import?name=notes.zip", raw=b"these are my notes\n" * 20)
        check(st == 422 and "not an archive" in j.get("error", ""), "a file that is no archive is 422")
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w") as z:
            z.writestr("task.yaml", "name: x\nproblems:\n    a:\n        type: network-trace\n        trace: gone.xml\n")
        st, j, _, _ = ines.req("POST", "/api/v1/import", raw=zbuf.getvalue())
        check(st == 422 and "not in the task folder" in j.get("error", "") and "# Import of task" in j.get("report", ""),
              "a task whose capture is missing is 422, with the report so far: %s" % j.get("error"))
        st, _, _, _ = ines.req("POST", "/api/v1/import", raw=b"")
        check(st in (400, 422), "an empty import is refused")
        st, _, _, _ = sam.req("POST", "/api/v1/import", raw=archive)
        check(st == 403, "a student cannot import")
        check(query(db, "select count(*) from exercises")[0][0] == n_ex + 1, "the refused imports stored nothing")

        # what students see
        st, j, _, _ = sam.req("GET", "/api/v1/exercises")
        check(st == 200 and sorted(e["slug"] for e in j["exercises"]) == ["smtp-over-tls", "tcp-folder", "tcp-hs"],
              "an enrolled student lists the published exercises of their courses, not the draft")
        st, j, text, _ = sam.req("GET", "/api/v1/exercises/tcp-hs")
        check(st == 200 and b"count(" not in text and "keys" not in j, "a student reads the exercise without its keys")
        st, _, _, _ = sam.req("GET", "/api/v1/exercises/nokey")
        check(st == 404, "a draft does not exist for students")
        st, j, _, _ = sue.req("GET", "/api/v1/exercises/tcp-hs")
        check(st == 404 and "no exercise" in j["error"], "to a student not enrolled, the exercise does not exist (404)")
        st, _, _, _ = sue.req("GET", "/api/v1/exercises/tcp-hs/frames")
        check(st == 404, "nor its trace")
        st, j, _, _ = ines.req("GET", "/api/v1/exercises/tcp-hs")
        check(st == 200 and j["keys"] and j["exercise"]["questions"][0]["key"].startswith("count("),
              "the teacher reads the whole document and the keys")
        st, _, _, _ = ivan.req("GET", "/api/v1/exercises/tcp-hs/keys")
        check(st == 404, "another instructor cannot read the keys (the exercise is not theirs to see)")
        st, _, text, _ = sam.req("GET", "/api/v1/exercises/tcp-hs/trace")
        check(st == 200 and text == handshake, "a student downloads the trace of an exercise that hides nothing")
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/tcp-folder/trace")
        check(st == 403 and "hides" in j["error"], "but not of one that hides fields")

        # an order question: each student sees the frames dealt to other places, without numbers or times
        order_doc = {"title": "Back in order", "questions": [
            {"id": "o", "kind": "order", "prompt": "Put the handshake back in order", "frames": [1, 2, 3]}]}
        st, j, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": "tcp-order", "course": "net101", "trace": sha,
                                                               "exercise": order_doc})
        check(st == 201 and j["keys"]["questions"][0]["key"] == [1, 2, 3], "an order question's key is the frames' order")
        st, staff_list, _, _ = ines.req("GET", "/api/v1/exercises/tcp-order/frames?from=1&count=4")
        st2, seen, _, r = sam.req("GET", "/api/v1/exercises/tcp-order/frames?from=1&count=4")
        # (a student's rows mask the numbers that would tell the order: compared without them)
        masked = lambda t: re.sub(r"(Seq|Ack|TSval|TSecr)=\d+", r"\1=??", t)
        info = {masked(x["info"]): x["no"] for x in staff_list["frames"][:3]}
        deal = [info.get(x["info"]) for x in seen["frames"][:3]]
        check(st == st2 == 200 and sorted(deal) == [1, 2, 3] and deal != [1, 2, 3] and
              [x["no"] for x in seen["frames"]] == [1, 2, 3, 4] and all(x["time"] == "??" for x in seen["frames"][:3]) and
              seen["frames"][3]["time"] != "??",
              "a student's packet list shows the dealt frames at other places, without their times: %s" % deal)
        place_of = {frame: i + 1 for i, frame in enumerate(deal)}
        st, j, text, _ = sam.req("GET", "/api/v1/exercises/tcp-order/frames/%d" % place_of[2])
        check(st == 200 and j["frame"] == place_of[2] and j["tree"][0]["l"].startswith("Frame %d:" % place_of[2]) and
              b"frame.time" not in text and b"frame.number" not in text and b"tcp.analysis" not in text and
              b"SYN, ACK" in text, "the frame at a place is the dealt one, numbered by its place, no field naming frames")
        st, j, _, _ = sam.req("POST", "/api/v1/exercises/tcp-order/submissions", {"answers": {"o": [1, 2, 3]}})
        check(st == 201 and j["score"] == 0, "the places in ascending order are wrong")
        right_places = [place_of[1], place_of[2], place_of[3]]
        st, j, _, _ = sam.req("POST", "/api/v1/exercises/tcp-order/submissions", {"answers": {"o": right_places}})
        check(st == 201 and j["score"] == 1, "the places of the frames in their order are right")
        st, j, _, _ = sam.req("GET", "/api/v1/exercises/tcp-order/submissions")
        check(j["submissions"][-1]["answers"]["o"] == right_places, "the answer is kept as the student gave it (places)")
        st, _, _, _ = sam.req("GET", "/api/v1/exercises/tcp-order/trace")
        check(st == 403, "nor can the trace of an order question be downloaded by a student")

        # answers, statistics, CSV
        for ans in ({"syns": 2, "ack2": 1}, {"syns": 3, "ack2": "=1+1"}, {"syns": 3, "ack2": 1}):
            st, j, _, _ = sam.req("POST", "/api/v1/exercises/tcp-hs/submissions", {"answers": ans})
        check(st == 201 and j["score"] == 1, "a student submits and is graded")
        st, j, _, _ = sam.req("GET", "/api/v1/exercises")
        mine = {x["slug"]: x for x in j["exercises"]}
        check(mine["tcp-hs"]["attempts"] == 3 and mine["tcp-hs"]["best"] == {"score": 2, "max": 2} and
              mine["tcp-folder"]["attempts"] == 0 and "best" not in mine["tcp-folder"],
              "the student's list gives their attempts and best score at each exercise")
        st, _, _, _ = sue.req("POST", "/api/v1/exercises/tcp-hs/submissions", {"answers": {"syns": 2}})
        check(st == 404, "a student not enrolled cannot submit")
        st, j, _, _ = ines.req("GET", "/api/v1/exercises/tcp-hs/stats")
        q = {x["id"]: x for x in j.get("questions", [])}
        check(st == 200 and j["submissions"] == 3 and j["students"] == 1 and q["syns"]["correct"] == 1 and
              abs(q["syns"]["success_rate"] - 1 / 3) < 1e-9 and q["syns"]["common_wrong"] == [{"answer": "3", "count": 2}],
              "statistics: success rate per question and the most common wrong answers")
        st, _, _, _ = sam.req("GET", "/api/v1/exercises/tcp-hs/stats")
        check(st == 403, "a student cannot read the statistics")
        st, _, text, r = ines.req("GET", "/api/v1/exercises/tcp-hs/submissions.csv")
        table = list(csv.reader(io.StringIO(text.decode())))
        check(st == 200 and r.getheader("Content-Type").startswith("text/csv") and len(table) == 4 and
              table[0][:5] == ["id", "student", "time", "score", "max"] and table[1][1] == "sam",
              "the CSV export has a header and a line per submission")
        check(table[2][table[0].index("ack2")] == "'=1+1", "a formula in an answer is defused in the CSV")
        st, _, _, _ = sam.req("GET", "/api/v1/exercises/tcp-hs/submissions.csv")
        check(st == 403, "a student cannot export the submissions")

        # a change re-keys it: grading follows the new key, and cached views are not reused
        st, _, _, r = sam.req("GET", "/api/v1/exercises/tcp-hs/frames/2")
        old_etag = r.getheader("ETag")
        st, _, _, _ = sam.req("GET", "/api/v1/exercises/tcp-hs/frames/2", headers={"If-None-Match": old_etag})
        check(st == 304, "a frame the student has is 304")
        pushes = json.loads(subprocess.run([TQ, "eval", "--json", HANDSHAKE, "count(frame where tcp.flags.push == 1)"],
                                         capture_output=True, text=True).stdout)["value"]
        st, j, _, _ = ines.req("PUT", "/api/v1/exercises/tcp-hs",
                               {"exercise": exercise_doc("count(frame where tcp.flags.push == 1)")})
        check(st == 409 and j["key_changes"][0]["id"] == "syns", "a key change after submissions asks first (409)")
        st, j, _, _ = ines.req("PUT", "/api/v1/exercises/tcp-hs",
                               {"exercise": exercise_doc("count(frame where tcp.flags.push == 1)"), "confirm": True})
        keys = {k["id"]: k.get("key") for k in j.get("keys", {}).get("questions", [])}
        check(st == 200 and keys.get("syns") == pushes != 2, "an update re-keys the exercise: %s" % keys)
        st, j, _, _ = sam.req("POST", "/api/v1/exercises/tcp-hs/submissions", {"answers": {"syns": pushes}})
        check(st == 201 and j["questions"][0]["correct"], "and the next submission is graded on the new key")
        st, _, _, r = sam.req("GET", "/api/v1/exercises/tcp-hs/frames/2", headers={"If-None-Match": old_etag})
        check(st == 200 and r.getheader("ETag") != old_etag, "after a save the old ETag no longer matches")
        st, _, _, _ = ivan.req("PUT", "/api/v1/exercises/tcp-hs", {"exercise": exercise_doc()})
        check(st == 403, "another instructor cannot change it")
        st, _, _, _ = sam.req("PUT", "/api/v1/exercises/tcp-hs", {"exercise": exercise_doc()})
        check(st == 403, "nor can a student")
        st, j, _, _ = ines.req("PUT", "/api/v1/exercises/tcp-hs", {"exercise": exercise_doc(), "slug": "renamed"})
        check(st == 422 and "slug" in j["error"], "an update cannot rename")
        st, _, _, _ = ines.req("PUT", "/api/v1/exercises/none", {"exercise": exercise_doc()})
        check(st == 404, "updating an exercise that does not exist is 404")

        # API tokens of an instructor: their course only
        st, j, _, _ = ines.req("POST", "/api/v1/tokens", {"name": "LMS"})
        tok = j.get("token", "")
        check(st == 201 and len(tok) == 64, "an instructor makes an API token, shown once")
        bearer = {"Authorization": "Bearer " + tok}
        st, j, _, _ = s.request("POST", "/api/v1/grade", {"exercise": "tcp-hs", "student": "lms-7", "answers": {"syns": 1}},
                                bearer)
        check(st == 200 and j["max"] == 2, "the token grades their course's exercise")
        st, j, _, _ = s.request("POST", "/api/v1/grade", {"exercise": "smtp-over-tls", "student": "lms-7", "answers": {}},
                                bearer)
        check(st == 403, "but not another course's")
        st, j, _, _ = ines.req("GET", "/api/v1/tokens")
        check(st == 200 and [t["name"] for t in j["tokens"]] == ["LMS"] and "token" not in j["tokens"][0],
              "tokens are listed without their secret")
        tid = j["tokens"][0]["id"]
        st, _, _, _ = ivan.req("DELETE", "/api/v1/tokens/%d" % tid)
        check(st == 404, "another instructor cannot revoke it")
        st, _, _, _ = ines.req("DELETE", "/api/v1/tokens/%d" % tid)
        st2, _, _, _ = s.request("GET", "/api/v1/exercises", headers=bearer)
        check(st == 200 and st2 == 401, "a revoked token no longer works")
        st, _, _, _ = sam.req("POST", "/api/v1/tokens", {"name": "x"})
        check(st == 403, "a student has no API tokens")

        # deleting keeps submissions unless told
        st, j, _, _ = ines.req("DELETE", "/api/v1/exercises/tcp-hs")
        check(st == 409 and "submissions.csv" in j["error"], "deleting an exercise with submissions asks first")
        st, _, _, _ = sam.req("DELETE", "/api/v1/exercises/tcp-hs?submissions=delete")
        check(st == 403, "a student cannot delete an exercise")
        st, j, _, _ = ines.req("DELETE", "/api/v1/exercises/tcp-hs?submissions=delete")
        st2, _, _, _ = ines.req("GET", "/api/v1/exercises/tcp-hs")
        check(st == 200 and j["submissions_deleted"] == 5 and st2 == 404 and
              not query(db, "select 1 from submissions s join exercises e on e.id = s.exercise_id where e.slug = 'tcp-hs'"),
              "deleting it with its submissions")

        # the OpenAPI document, and every path in it routed
        st, api, _, _ = s.request("GET", "/api/v1/openapi.json")
        check(st == 200 and api["openapi"].startswith("3.") and len(api["paths"]) >= 20, "GET /api/v1/openapi.json")
        unrouted = []
        for path in api.get("paths", {}):
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            st, j, _, _ = admin.req("GET", concrete)
            if j and "no API route" in j.get("error", "") or (j and "there is no route" in j.get("error", "")):
                unrouted.append(path)
        check(not unrouted, "every path of the OpenAPI document is routed (unrouted: %s)" % unrouted)
        # the route table and the document, row for row: a route added to one and not the other fails
        table = subprocess.run([TQ, "routes"], capture_output=True, text=True).stdout.split("\n")
        rows_t = {(m, p) for m, p, _ in (ln.split() for ln in table if ln.strip()) if p != "/**"}
        rows_d = {(m.upper(), re.sub(r"\{[^}]+\}", "*", p)) for p, ops in api.get("paths", {}).items()
                  for m in ops if m in ("get", "post", "put", "patch", "delete")}
        check(len(rows_t) > 40 and rows_t == rows_d,
              "tracequiz routes and doc/openapi.json name the same %d routes (only in the table: %s; only in the "
              "document: %s)" % (len(rows_t), sorted(rows_t - rows_d), sorted(rows_d - rows_t)))

        # HTML and SQL in names are data
        evil = "<img/src=x>'--"
        st, j, _, _ = ines.req("POST", "/api/v1/courses", {"slug": "evil", "title": evil})
        st, j, _, _ = ines.req("GET", "/api/v1/courses/evil")
        check(st == 200 and j["title"] == evil, "HTML and SQL in a course title are stored and returned as they were")

        # a lost password: staff never set one; an admin does, or hands a reset code (test_security.py)
        st, j, _, _ = ines.req("GET", "/api/v1/exercises/tcp-folder")
        check(st == 200 and j.get("course") == "net101", "the teacher's view of an exercise names its course")
        st, _, _, _ = ivan.req("POST", "/api/v1/users/sam/reset-code")
        check(st == 403, "an instructor gets no reset code for a student not in their courses")
        st, _, _, _ = ines.req("POST", "/api/v1/users/sue/reset-code")
        check(st == 403, "nor for one in nobody's course of theirs")
        st, _, _, _ = ines.req("POST", "/api/v1/users/sam/reset-code")
        check(st == 403, "nor for their own student whose account an admin made")
        st, _, _, _ = sue.req("POST", "/api/v1/users/sam/reset-code")
        st2, _, _, _ = ines.req("POST", "/api/v1/users/sam/password")
        check(st == 403 and st2 == 403, "students get no codes; instructors set no passwords")
        st, j, _, _ = admin.req("POST", "/api/v1/users/sam/password")
        newpw = j.get("password", "")
        st2, _, _, _ = sam.req("GET", "/api/v1/session")
        check(st == 200 and len(newpw) == 32 and st2 == 401, "an admin resets a student's password: a new one, "
              "shown once, and the old session ends")
        st, _, _, _ = s.request("POST", "/api/v1/session", {"name": "sam", "password": "sam-secret"})
        st2, _, _, _ = s.request("POST", "/api/v1/session", {"name": "sam", "password": newpw})
        check(st == 401 and st2 == 200, "the old password no longer works, the new one does")
        st, j, _, _ = admin.req("POST", "/api/v1/users/ines/password", {"password": "short"})
        check(st == 422, "a chosen password of fewer than 8 characters is refused")
    finally:
        s.stop()
    check(s.proc.returncode == 0, "the server stops cleanly (under the sanitizers: no leak, no error)%s" %
          ("".join(s.out[-30:]) if s.proc.returncode else ""))

    # everything survives a restart
    s = Server(db)
    try:
        ines = Who(s, "ines", "ines-secret")
        st, j, _, _ = ines.req("GET", "/api/v1/exercises")
        check(st == 200 and "tcp-folder" in [e["slug"] for e in j["exercises"]], "after a restart the exercises are there")
    finally:
        s.stop()
    return summary("author")


if __name__ == "__main__":
    sys.exit(main())
