#!/usr/bin/env python3
"""test_gradebook.py - a course's gradebook and a person's own password, over
real HTTP against the real server and a fresh SQLite file: the best score and
the attempts of several students at several exercises, an auto-grader's
student and a staff account's tries kept apart, who may read it (the course's
teachers and admins; not a student, not another course's instructor), the
CSV export with a hostile name, whether a student may download an exercise's
trace (the exercise says so, and the download agrees), and a password changed
by its owner (the old one asked for, throttled, the other sessions ended).

Run by `make check` (TRACEQUIZ points at the program, TQ_DATA at tests/data).
"""
import csv
import io
import os
import re
import sys
import tempfile

from harness import Server, Who, check, new_db, stopped_cleanly, summary

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")
HANDSHAKE = os.path.join(DATA, "tcp-handshake-eth-ipv4.pcap")

HOSTILE_EXT = '=cmd|"x",y'       # an auto-grader's student id: any text
HOSTILE_LOCAL = '=cmd|"x"'       # a local account's name: no space, ',' or '/'


def two_numbers(points=1):
    return [{"id": "syns", "kind": "number", "prompt": "How many segments carry SYN?", "points": points,
             "key": "count(frame where tcp.flags.syn == 1)"},
            {"id": "ack2", "kind": "number", "prompt": "The acknowledgement number of frame 2?", "points": points,
             "key": "first(tcp.ack where frame.number == 2)"}]


def main():
    tmp = tempfile.mkdtemp(prefix="tq-gradebook-")
    db = new_db(tmp)
    s = Server(db)
    try:
        pw = re.search(r"password (\w+)", "".join(s.out)).group(1)
        admin = Who(s, "admin", pw)
        for name, role in (("ines", "instructor"), ("ivan", "instructor"), ("ann", "student"), ("bob", "student"),
                           ("cid", "student"), ("tess", "student"), (HOSTILE_LOCAL, "student")):
            st, j, _, _ = admin.req("POST", "/api/v1/users", {"name": name, "role": role, "password": "pw-" + name + "-0"})
            check(st == 201, "the admin makes %s a %s" % (name, role))
        ines, ivan = Who(s, "ines", "pw-ines-0"), Who(s, "ivan", "pw-ivan-0")
        ann, bob = Who(s, "ann", "pw-ann-0"), Who(s, "bob", "pw-bob-0")
        tess, evil = Who(s, "tess", "pw-tess-0"), Who(s, HOSTILE_LOCAL, "pw-" + HOSTILE_LOCAL + "-0")

        st, _, _, _ = ines.req("POST", "/api/v1/courses", {"slug": "net101", "title": "Networks 101"})
        st2, _, _, _ = ivan.req("POST", "/api/v1/courses", {"slug": "net202", "title": "Networks 202"})
        st3, j, _, _ = ines.req("POST", "/api/v1/courses/net101/students",
                                {"students": ["ann", "bob", "cid", "tess", HOSTILE_LOCAL]})
        check(st == st2 == 201 and st3 == 200, "two courses, five students enrolled in ines's")
        st, j, _, _ = ines.req("POST", "/api/v1/traces?name=hs.pcap", raw=open(HANDSHAKE, "rb").read())
        sha = j["sha256"]
        made = []
        for slug, doc in (("hs1", {"title": "Handshake", "questions": two_numbers()}),
                          ("hs2", {"title": "Handshake, worth more", "questions": two_numbers(3)}),
                          ("hs-hide", {"title": "Hidden", "questions": [
                              {"id": "f", "kind": "field", "prompt": "Fill in", "hide": {"2": ["tcp.ack"]}}]}),
                          ("hs-excl", {"title": "Excluded", "view": {"exclude": ["tcp.options"]},
                                       "questions": two_numbers()})):
            st, j, _, _ = ines.req("POST", "/api/v1/exercises", {"slug": slug, "course": "net101", "trace": sha,
                                                                   "exercise": doc})
            made.append(st)
        check(made == [201] * 4, "four exercises in net101: %s" % made)

        # submissions: ann three times at hs1 (best 2 of 2 in the middle) and once at hs2; bob once; cid never
        scores = []
        for ans in ({"syns": 2, "ack2": 0}, {"syns": 2, "ack2": 1}, {"syns": 0, "ack2": 0}):
            st, j, _, _ = ann.req("POST", "/api/v1/exercises/hs1/submissions", {"answers": ans})
            scores.append(j.get("score"))
        st, j, _, _ = ann.req("POST", "/api/v1/exercises/hs2/submissions", {"answers": {"syns": 2}})
        scores.append(j.get("score"))
        st, j, _, _ = bob.req("POST", "/api/v1/exercises/hs1/submissions", {"answers": {"syns": 5, "ack2": 5}})
        scores.append(j.get("score"))
        st, j, _, _ = evil.req("POST", "/api/v1/exercises/hs2/submissions", {"answers": {"syns": 2, "ack2": 1}})
        scores.append(j.get("score"))
        check(scores == [1, 2, 0, 3, 0, 6], "the students are graded: %s" % scores)
        # a staff test account: tess tries hs1, then becomes an instructor
        st, _, _, _ = tess.req("POST", "/api/v1/exercises/hs1/submissions", {"answers": {"syns": 2, "ack2": 1}})
        st2, _, _, _ = admin.req("PATCH", "/api/v1/users/tess", {"role": "instructor"})
        check(st == 201 and st2 == 200, "tess submits, then is made an instructor")
        # an auto-grader's student, with a hostile id
        st, j, _, _ = ines.req("POST", "/api/v1/tokens", {"name": "LMS", "scope": "grade"})
        bearer = {"Authorization": "Bearer " + j["token"]}
        st, j, _, _ = s.request("POST", "/api/v1/grade", {"exercise": "hs1", "student": HOSTILE_EXT,
                                                          "answers": {"syns": 2}}, bearer)
        st2, j2, _, _ = s.request("POST", "/api/v1/grade", {"exercise": "hs1", "student": HOSTILE_EXT,
                                                            "answers": {"syns": 0}}, bearer)
        check(st == st2 == 200 and j["score"] == 1 and j2["score"] == 0, "the auto-grader grades an external student twice")

        # the gradebook
        st, g, _, r = ines.req("GET", "/api/v1/courses/net101/gradebook")
        check(st == 200 and g["course"] == "net101" and g["title"] == "Networks 101", "the teacher reads the gradebook")
        ex = {e["slug"]: e for e in g.get("exercises", [])}
        check(sorted(ex) == ["hs-excl", "hs-hide", "hs1", "hs2"] and ex["hs1"]["max"] == 2 and ex["hs2"]["max"] == 6 and
              ex["hs-hide"]["max"] == 1 and ex["hs1"]["title"] == "Handshake",
              "its exercises, each with its title and max: %s" % [(e["slug"], e["max"]) for e in g.get("exercises", [])])
        rows = {x["user"]: x for x in g.get("rows", [])}
        ext_user = "net101/" + HOSTILE_EXT
        check(set(rows) == {"ann", "bob", "cid", "tess", HOSTILE_LOCAL, ext_user},
              "a row per person enrolled or who submitted: %s" % sorted(rows))
        a = rows["ann"]["cells"]
        check(a.get("hs1") == {"best": 2, "max": 2, "attempts": 3} and a.get("hs2") == {"best": 3, "max": 6, "attempts": 1}
              and "hs-hide" not in a, "ann: best 2 / 2 in 3 attempts at hs1, 3 / 6 in 1 at hs2: %s" % a)
        check(rows["ann"]["total"] == 5 and rows["ann"]["attempts"] == 4, "ann's total and attempts")
        check(rows["bob"]["cells"] == {"hs1": {"best": 0, "max": 2, "attempts": 1}}, "bob: 0 / 2 in one attempt")
        check(rows["cid"]["cells"] == {} and rows["cid"]["kind"] == "student", "cid, enrolled, never tried: empty cells")
        check(rows[HOSTILE_LOCAL]["cells"]["hs2"]["best"] == 6, "a full mark")
        ext = rows[ext_user]
        check(ext["kind"] == "external" and ext["name"] == HOSTILE_EXT and
              ext["cells"]["hs1"] == {"best": 1, "max": 2, "attempts": 2},
              "the auto-grader's student is marked external, named by its id, best of its two: %s" % ext)
        check(rows["tess"]["kind"] == "staff" and rows["tess"]["cells"]["hs1"]["attempts"] == 1,
              "an instructor's tries are marked staff")
        kinds = [x["kind"] for x in g["rows"]]
        check(kinds == sorted(kinds, key=["student", "external", "staff"].index) and
              [x["user"] for x in g["rows"] if x["kind"] == "student"] == sorted(["ann", "bob", "cid", HOSTILE_LOCAL]),
              "students first (by name), then external ones, then staff: %s" % kinds)
        st, g2, _, _ = admin.req("GET", "/api/v1/courses/net101/gradebook")
        check(st == 200 and g2["rows"] == g["rows"], "an admin reads it too")

        # who may not
        st, j, _, _ = ann.req("GET", "/api/v1/courses/net101/gradebook")
        st2, _, _, _ = ann.req("GET", "/api/v1/courses/net101/gradebook.csv")
        check(st == st2 == 403, "a student may not read the gradebook, nor its CSV")
        st, j, _, _ = ivan.req("GET", "/api/v1/courses/net101/gradebook")
        st2, _, _, _ = ivan.req("GET", "/api/v1/courses/net101/gradebook.csv")
        check(st == st2 == 403 and "teach" in j["error"], "nor an instructor of another course: %s" % j)
        st, j, _, _ = ivan.req("GET", "/api/v1/courses/net202/gradebook")
        check(st == 200 and j["rows"] == [] and j["exercises"] == [], "an empty course's gradebook is empty")
        st, _, _, _ = ines.req("GET", "/api/v1/courses/nope/gradebook")
        st2, _, _, _ = s.request("GET", "/api/v1/courses/net101/gradebook")
        check(st == 404 and st2 == 401, "an unknown course is 404; nobody logged in is 401")
        st, _, _, _ = ines.req("POST", "/api/v1/courses/net101/gradebook", {})
        check(st == 405, "the gradebook is read only (405)")

        # the CSV
        st, _, text, r = ines.req("GET", "/api/v1/courses/net101/gradebook.csv")
        body = text.decode()
        table = list(csv.reader(io.StringIO(body)))
        check(st == 200 and r.getheader("Content-Type").startswith("text/csv") and
              "gradebook.csv" in (r.getheader("Content-Disposition") or ""), "the CSV is text/csv, an attachment")
        head = table[0]
        check(head[:3] == ["user", "name", "kind"] and head[3:5] == ["hs-excl best", "hs-excl attempts"] and
              head[-1] == "total" and len(head) == 3 + 2 * 4 + 1, "its header: %s" % head)
        by_user = {line[0]: dict(zip(head, line)) for line in table[1:]}
        check(len(table) == 7 and by_user["ann"]["hs1 best"] == "2" and by_user["ann"]["hs1 attempts"] == "3" and
              by_user["ann"]["hs-hide best"] == "" and by_user["ann"]["hs-hide attempts"] == "0" and
              by_user["ann"]["total"] == "5", "a line per person, best and attempts per exercise: %s" % by_user.get("ann"))
        ext_line = by_user.get(ext_user, {})
        check(ext_line.get("name") == "'" + HOSTILE_EXT and ext_line.get("kind") == "external",
              "an external student's hostile id is quoted and its formula defused: %r" % ext_line.get("name"))
        check('"\'=cmd|""x"",y"' in body, "its quotes are doubled and its comma kept inside the quotes")
        check(("'" + HOSTILE_LOCAL) in by_user and by_user["'" + HOSTILE_LOCAL]["kind"] == "student",
              "a local account named like a formula is defused too")
        check(not [c for line in table for c in line if c[:1] and c[:1] in "=+-@\t\r"],
              "no cell of the CSV starts like a formula")
        check(by_user["tess"]["kind"] == "staff", "the staff's line says so")

        # whether a student may download an exercise's trace: the exercise says, the download agrees
        agree = []
        for slug in ("hs1", "hs-hide", "hs-excl"):
            st, j, _, _ = ann.req("GET", "/api/v1/exercises/" + slug)
            st2, _, data, _ = ann.req("GET", "/api/v1/exercises/%s/trace" % slug)
            agree.append((slug, j["exercise"].get("downloadable"), st2))
        check(agree == [("hs1", True, 200), ("hs-hide", False, 403), ("hs-excl", False, 403)],
              "downloadable says what GET .../trace does: %s" % agree)
        st, j, _, _ = ines.req("GET", "/api/v1/exercises/hs-hide/trace")
        check(st == 200, "the teacher downloads any of them")

        # a password changed by its owner
        ann2 = Who(s, "ann", "pw-ann-0")
        st, j, _, _ = ann.req("POST", "/api/v1/account/password", {"old": "wrong-one", "new": "pw-ann-1-new"})
        check(st == 403 and "old password" in j["error"], "a wrong old password is refused (403): %s" % j)
        st, j, _, _ = ann.req("POST", "/api/v1/account/password", {"old": "pw-ann-0", "new": "short"})
        check(st == 422 and "8" in j["error"], "a new password under 8 characters is refused (422)")
        st, j, _, _ = ann.req("POST", "/api/v1/account/password", {"old": "pw-ann-0", "new": "pw-ann-0"})
        check(st == 422, "the same password again is refused")
        st, j, _, _ = ann.req("POST", "/api/v1/account/password", {"password": "pw-ann-1-new"})
        check(st == 400, "a body without old and new is 400")
        st, j, _, _ = ann.req("POST", "/api/v1/account/password", {"old": "pw-ann-0", "new": "pw-ann-1-new"},
                              headers={"X-CSRF-Token": "no"})
        check(st == 403 and "CSRF" in j["error"], "a change without the session's CSRF token is refused")
        st, j, _, _ = ann.req("POST", "/api/v1/account/password", {"old": "pw-ann-0", "new": "pw-ann-1-new"})
        check(st == 200 and j["password_changed"] and j["sessions_ended"] == 1,
              "the right old password changes it, ending the other session: %s" % j)
        st, _, _, _ = ann.req("GET", "/api/v1/session")
        st2, _, _, _ = ann2.req("GET", "/api/v1/session")
        check(st == 200 and st2 == 401, "the session that changed it stays, the other one ends")
        st, _, _, _ = s.request("POST", "/api/v1/session", {"name": "ann", "password": "pw-ann-0"})
        st2, _, _, _ = s.request("POST", "/api/v1/session", {"name": "ann", "password": "pw-ann-1-new"})
        check(st == 401 and st2 == 200, "the old password no longer works, the new one does")
        st, j, _, _ = ines.req("POST", "/api/v1/account/password", {"old": "pw-ines-0", "new": "pw-ines-1-new"})
        st2, _, _, _ = s.request("POST", "/api/v1/grade", {"exercise": "hs1", "student": "z", "answers": {}}, bearer)
        check(st == 200 and st2 == 200, "an instructor changes theirs too; their API tokens stay")
        # wrong old passwords are throttled, as logins are
        got = []
        for _ in range(8):
            st, j, _, r = bob.req("POST", "/api/v1/account/password", {"old": "guess", "new": "pw-bob-1-new"})
            got.append(st)
            if st == 429:
                break
        check(got[:3] == [403] * 3 and got[-1] == 429 and int(r.getheader("Retry-After") or 0) >= 1,
              "wrong old passwords are slowed down after a few: %s" % got)
        st, _, _, _ = bob.req("POST", "/api/v1/account/password", {"old": "pw-bob-0", "new": "pw-bob-1-new"})
        check(st == 429, "even the right one waits its turn")
        st, _, _, _ = s.request("POST", "/api/v1/account/password", {"old": "a", "new": "bbbbbbbb"})
        check(st == 401, "nobody logged in: 401")

        # an admin resets any account's password: generated, shown once
        st, j, _, _ = admin.req("POST", "/api/v1/users/ivan/password")
        newpw = j.get("password", "")
        st2, _, _, _ = s.request("POST", "/api/v1/session", {"name": "ivan", "password": newpw})
        check(st == 200 and len(newpw) == 32 and st2 == 200, "an admin resets an instructor's password")
    finally:
        s.stop()
    stopped_cleanly(s)
    return summary("gradebook")


if __name__ == "__main__":
    sys.exit(main())
