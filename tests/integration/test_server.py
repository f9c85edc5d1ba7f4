#!/usr/bin/env python3
"""test_server.py - the real `tracequiz serve` on a free loopback port with a
fresh SQLite file, driven over HTTP: every route it has, bad input, the
authorization of tokens, data surviving a restart, and a kill -9 under load
losing no submission that was answered.

Run by `make check` (TRACEQUIZ points at the program); standard library only.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import TQ, Server, check, count_submissions, failures, intact, new_db, query, summary, token

def main():
    tmp = tempfile.mkdtemp(prefix="tq-it-")
    db = new_db(tmp)
    s = Server(db)
    try:
        check(any("created the account 'admin' with the password" in l for l in s.out), "first start prints the admin password once")
        st, j, _, r = s.request("GET", "/healthz")
        check(st == 200 and j == {"status": "ok", "database": "ok"}, "GET /healthz: up, the database answering")
        check(r.getheader("Content-Type") == "application/json", "JSON replies say so")
        st, j, _, _ = s.request("POST", "/healthz", {})
        check(st == 405 and "use GET" in j["error"], "POST /healthz is 405 with a JSON message")
        st, j, _, _ = s.request("GET", "/api/v1/nowhere")
        check(st == 404 and "no API route" in j["error"], "unknown API route is 404")
        st, _, text, r = s.request("GET", "/")
        check(st == 200 and b"tracequiz" in text and r.getheader("Content-Type").startswith("text/html"), "GET / serves www/index.html")
        check("default-src 'self'" in (r.getheader("Content-Security-Policy") or ""), "pages carry a content security policy")
        st, j, _, _ = s.request("GET", "/../etc/passwd")
        check(st == 404, "no path outside www/")

        st, j, _, _ = s.request("GET", "/api/v1/exercises")
        check(st == 401 and "log in" in j["error"], "the exercises are for accounts: 401 without one")
        subprocess.run([TQ, "user", "add", "early", "--role", "student", "--db", db], capture_output=True, text=True,
                       input="early bird\n")
        st, j, _, r = s.request("POST", "/api/v1/session", {"name": "early", "password": "early bird"})
        early = {"Cookie": (r.getheader("Set-Cookie") or "").split(";")[0]}
        st, j, _, _ = s.request("GET", "/api/v1/exercises", headers=early)
        check(st == 200 and [e["slug"] for e in j["exercises"]] == ["smtp-over-tls"], "the demo exercise is listed")
        st, j, text, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls", headers=early)
        check(st == 200 and len(j["exercise"]["questions"]) == 3, "the student's view of the demo")
        check(b'"key"' not in text and b"valid" not in text and b"feedback" not in text,
              "the student's view holds no key, no validity, no feedback")
        st, j, _, _ = s.request("GET", "/api/v1/exercises/nope", headers=early)
        check(st == 404 and "no exercise 'nope'" in j["error"], "unknown exercise is 404")

        # grading through the auto-grader endpoint
        right = {"exercise": "smtp-over-tls", "student": "alice",
                 "answers": {"q1": "smtp.campus.example", "q2": "TLS 1.2", "q3": 3}}
        st, j, _, _ = s.request("POST", "/api/v1/grade", right)
        check(st == 401 and "API token" in j["error"], "grading without a token is 401")
        st, j, _, _ = s.request("POST", "/api/v1/grade", right, {"Authorization": "Bearer 00"})
        check(st == 401 and "not valid" in j["error"], "a wrong token is 401")
        tok = token(db)
        auth = {"Authorization": "Bearer " + tok}
        st, j, _, _ = s.request("POST", "/api/v1/grade", right, auth)
        check(st == 200 and j["score"] == 3 and j["max"] == 3, "the demo answered right scores full marks")
        wrong = dict(right, answers={"q1": "smtp", "q2": "TLS 1.3", "q3": 4})
        st, j, _, _ = s.request("POST", "/api/v1/grade", wrong, auth)
        q1 = [q for q in j["questions"] if q["id"] == "q1"][0]
        check(st == 200 and j["score"] == 0 and "not a fully qualified domain name" in q1["feedback"],
              "a wrong q1 that is part of the name gets the FQDN feedback")
        check(count_submissions(db) == 2, "both submissions are stored")

        # bad input: a clear message, nothing stored
        before = count_submissions(db)
        st, j, _, _ = s.request("POST", "/api/v1/grade", raw=b"{not json", headers=auth)
        check(st == 400 and "not valid JSON" in j["error"], "malformed JSON is 400")
        st, j, _, _ = s.request("POST", "/api/v1/grade", [1, 2], auth)
        check(st == 400 and "JSON object" in j["error"], "a JSON array is 400")
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, student=5), auth)
        check(st == 400 and j["error"].startswith("student:"), "a student id of the wrong type is 400")
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, answers=[1]), auth)
        check(st == 400 and j["error"].startswith("answers:"), "answers of the wrong type are 400")
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, answers={"q9": 1}), auth)
        check(st == 400 and "no question 'q9'" in j["error"], "an answer to no question is 400")
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, extra=1), auth)
        check(st == 400 and "unknown key 'extra'" in j["error"], "an unknown key is 400")
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, exercise="nope"), auth)
        check(st == 404, "grading an unknown exercise is 404")
        # an oversize body is refused from its announced length, before it is read
        sk = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        sk.sendall(("POST /api/v1/grade HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (tok, 2 << 20)).encode())
        reply = b""
        while True:
            chunk = sk.recv(65536)
            if not chunk:
                break
            reply += chunk
            if b"\r\n\r\n" in reply and reply.endswith(b"}\n"):
                break
        sk.close()
        check(reply.startswith(b"HTTP/1.1 413") and b"larger than" in reply, "an oversize body is 413")
        # and one that does not say its length is cut when it passes the cap
        st, j, _, _ = s.request("POST", "/api/v1/grade", raw=iter([b"x" * 65536] * 40),
                                headers=dict(auth, **{"Transfer-Encoding": "chunked"}))
        check(st == 413 and "larger than" in j["error"], "an oversize chunked body is 413")
        st, j, _, _ = s.request("GET", "/api/v1/grade", headers=auth)
        check(st == 405, "GET /api/v1/grade is 405")
        check(count_submissions(db) == before, "nothing was stored by the bad requests")
        # the auto-grader's students are its own: 'admin' here is an external id of the demo course
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, student="admin"), auth)
        ext = query(db, "select name, role, external from users where ext_id = 'admin'")
        adm = query(db, "select role, external from users where name = 'admin'")
        check(st == 200 and ext == [("demo/admin", "student", 1)] and adm == [("admin", 0)],
              "an external student named 'admin' is the course's 'demo/admin', never the admin's account")
        before += 1

        # SQL and HTML in strings are data
        evil = "x'); DROP TABLE submissions; -- <script>alert(1)</script>"
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, student=evil,
                                answers={"q1": evil, "q2": "<b>TLS 1.2</b>", "q3": "1; DELETE FROM users"}), auth)
        check(st == 200 and j["score"] == 0, "SQL and HTML in every string field are graded as text")
        names = [r[0] for r in query(db, "select ext_id from users")]
        check(evil in names and count_submissions(db) == before + 1, "and stored as they were, the tables intact")

        # sessions: a student logs in, reads the trace, submits, sees their own history
        subprocess.run([TQ, "user", "add", "stu", "--role", "student", "--db", db], capture_output=True, text=True,
                       input="correct horse\n")
        st, j, _, _ = s.request("POST", "/api/v1/session", {"name": "stu", "password": "wrong"})
        check(st == 401 and "wrong name or password" in j["error"], "a wrong password is 401")
        st, j, _, r = s.request("POST", "/api/v1/session", {"name": "stu", "password": "correct horse"})
        cookie = (r.getheader("Set-Cookie") or "").split(";")[0]
        check(st == 200 and j["role"] == "student" and len(j["csrf"]) == 64, "a student logs in")
        sc = r.getheader("Set-Cookie") or ""
        check("HttpOnly" in sc and "SameSite=Strict" in sc and len(cookie) == len("tq_session=") + 64,
              "the session cookie is HttpOnly, SameSite=Strict, 256 random bits")
        ses = {"Cookie": cookie}
        csrf = dict(ses, **{"X-CSRF-Token": j["csrf"]})
        st, j, _, _ = s.request("GET", "/api/v1/session", headers=ses)
        check(st == 200 and j["name"] == "stu", "GET /api/v1/session says who is logged in")
        st, j, _, r = s.request("GET", "/api/v1/exercises/smtp-over-tls/frames?from=1&count=5", headers=ses)
        check(st == 200 and j["total"] == 29 and len(j["frames"]) == 5 and j["frames"][3]["info"].startswith("S: 220"),
              "the packet list comes in pages")
        etag = r.getheader("ETag")
        st, _, text, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/frames?from=1&count=5",
                                   headers=dict(ses, **{"If-None-Match": etag}))
        check(st == 304 and not text, "a page the client has is 304 Not Modified")
        st, j, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/frames?count=5000", headers=ses)
        check(st == 400 and "count" in j["error"], "a page of 5000 frames is 400")
        st, j, text, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/frames/4", headers=ses)
        check(st == 200 and j["frame"] == 4 and b"smtp.rsp.parameter" in text, "frame 4's tree and bytes")
        check(b'"tcp.flags"' not in text and b'"tcp.options"' not in text, "the student's tree leaves out the excluded fields")
        st, j, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/frames/99", headers=ses)
        check(st == 404, "a frame past the end is 404")
        st, j, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/keys", headers=ses)
        check(st == 403, "a student cannot read the keys")
        st, j, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/keys", headers=auth)
        check(st == 200 and j["questions"][0]["key"] == "smtp.campus.example", "the course's instructor reads the keys")
        st, j, _, _ = s.request("POST", "/api/v1/exercises/smtp-over-tls/submissions", {"answers": {"q3": 3}}, ses)
        check(st == 403 and "X-CSRF-Token" in j["error"], "a change with a cookie needs the CSRF header")
        st, j, _, _ = s.request("POST", "/api/v1/exercises/smtp-over-tls/submissions",
                                {"answers": {"q1": "smtp.campus.example", "q2": "TLS 1.2", "q3": 3}}, csrf)
        check(st == 201 and j["score"] == 3, "a student submits and gets the grade")
        st, j, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/submissions", headers=ses)
        check(st == 200 and [x["student"] for x in j["submissions"]] == ["stu"], "a student sees only their own submissions")
        st, j, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls/submissions", headers=auth)
        check(st == 200 and len(j["submissions"]) > 3, "the instructor sees all the submissions")
        st, j, _, _ = s.request("POST", "/api/v1/grade", right, csrf)
        check(st == 403, "a student's session cannot use the auto-grader endpoint")
        st, j, _, r = s.request("DELETE", "/api/v1/session", headers=csrf)
        check(st == 200 and "Max-Age=0" in (r.getheader("Set-Cookie") or ""), "logging out clears the cookie")
        st, j, _, _ = s.request("GET", "/api/v1/session", headers=ses)
        check(st == 401, "the old cookie no longer works")
        # failures past the free ones each double the wait (1 s, 2 s...); a try during a wait is refused
        # and not counted: wait them out until four count, then the right password comes during the
        # 2 s the fourth earned (with three, a try in the next second would be allowed: not a test)
        counted, deadline = 0, time.time() + 30
        while counted < 4 and time.time() < deadline:
            st, j, _, r = s.request("POST", "/api/v1/session", {"name": "stu", "password": "guess"})
            if st == 401:
                counted += 1
            elif st == 429:
                time.sleep(float(r.getheader("Retry-After") or 1))
        st, j, _, _ = s.request("POST", "/api/v1/session", {"name": "stu", "password": "correct horse"})
        check(counted == 4 and st == 429 and "too many failed logins" in j["error"],
              "failed logins lock the account a while: the right password is refused (%d failures, %d %s)" %
              (counted, st, j))

        # a student account's token cannot grade
        subprocess.run([TQ, "user", "add", "bob", "--role", "student", "--db", db], capture_output=True, text=True, input="")
        out = subprocess.run([TQ, "token", "add", "bob", "--db", db], capture_output=True, text=True)
        check(out.returncode != 0 and "tokens are for instructors" in out.stderr, "no token for a student")
        # an instructor who does not teach the demo course
        subprocess.run([TQ, "user", "add", "carol", "--role", "instructor", "--db", db], capture_output=True, text=True, input="")
        st, j, _, _ = s.request("POST", "/api/v1/grade", right, {"Authorization": "Bearer " + token(db, "carol")})
        check(st == 403 and "does not teach" in j["error"], "another course's instructor cannot grade the demo")
    finally:
        s.stop()
    clean = s.proc.returncode == 0 and any("finishing the requests in flight" in l for l in s.out)
    check(clean, "SIGTERM stops cleanly")
    if not clean:
        print("  exit status %s; the server's last words:" % s.proc.returncode)
        time.sleep(0.5)     # the drain thread reads the rest
        sys.stdout.write("".join("  | " + l for l in s.out[-40:]))

    # data survives a restart
    n = count_submissions(db)
    s = Server(db)
    try:
        check(not any("created the account" in l for l in s.out), "a restart creates no second admin")
        st, j, _, _ = s.request("POST", "/api/v1/grade", right, auth)
        check(st == 200 and count_submissions(db) == n + 1, "the old token still works after a restart, data kept")

        # kill -9 under load: every answered submission is in the database
        answered = []
        stop = threading.Event()

        def load(k):
            i = 0
            while not stop.is_set():
                body = dict(right, student="load%d-%d" % (k, i))
                try:
                    st, j, _, _ = s.request("POST", "/api/v1/grade", body, auth)
                except Exception:
                    return
                if st == 200:
                    answered.append(body["student"])
                i += 1
        threads = [threading.Thread(target=load, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        time.sleep(2)
        s.proc.kill()
        stop.set()
        for t in threads:
            t.join()
        s.proc.wait()
    except Exception:
        s.stop(signal.SIGKILL)
        raise
    ok = intact(db)
    stored = {r[0] for r in query(db, "select coalesce(u.ext_id, u.name) from submissions s join users u on u.id = s.user_id")}
    lost = [a for a in answered if a not in stored]
    check(len(answered) > 100, "the load got %d answers before kill -9" % len(answered))
    check(not lost, "kill -9: every answered submission is stored (%d lost)" % len(lost))
    check(ok, "kill -9: the database's integrity check is ok")
    s = Server(db)
    st, j, _, _ = s.request("GET", "/healthz")
    check(st == 200, "the server starts again after kill -9")
    s.stop()

    # the logs for journald: JSON lines with their priority; a server error logged with its request
    s = Server(db, "--log-json", "--access-log", env={"JOURNAL_STREAM": "8:1234"})
    try:
        st, _, _, _ = s.request("GET", "/healthz")
        query(db, "alter table submissions rename to submissions_away")
        st, j, _, _ = s.request("POST", "/api/v1/grade", dict(right, student="logged"), auth)
        query(db, "alter table submissions_away rename to submissions")
        check(st == 503 and "could not be stored" in j["error"], "a database failure is 503: %s" % j)
    finally:
        s.stop()
    lines = [l for l in s.out if l.startswith("<")]

    def entry(line):
        try:
            return int(line[1]), json.loads(line[3:])
        except ValueError:
            return None, None
    parsed = [entry(l) for l in lines]
    access = [e for p, e in parsed if p == 6 and e and e.get("path") == "/healthz"]
    failed = [e for p, e in parsed if p == 4 and e and e.get("path") == "/api/v1/grade"]
    stop = [e for p, e in parsed if p == 5 and e and "finishing the requests" in e.get("msg", "")]
    check(len(lines) == len([l for l in s.out if l.strip()]) and None not in [p for p, _ in parsed],
          "under journald every line begins with its priority and holds JSON")
    check(access and access[0]["status"] == 200 and "time" in access[0], "the access line of GET /healthz, priority 6")
    check(failed and failed[0]["status"] == 503 and failed[0]["level"] == "warning" and "could not be stored" in
          failed[0]["msg"] and failed[0]["method"] == "POST", "the failed grade: priority 4, its request and message: %s" %
          (failed[:1],))
    check(stop and stop[0]["level"] == "notice", "SIGTERM's message, a notice")

    return summary("server")


if __name__ == "__main__":
    sys.exit(main())
