#!/usr/bin/env python3
"""test_security.py - the security review's attacks, each tried on the real
server over real HTTP against a fresh SQLite file, each refused:

- account takeover: an instructor enrols another course's student and sets
  their password; an auto-grader's token grades as a local account; tokens
  beyond their scope or past their expiry;
- memory before authentication: sixteen unauthenticated 60 MiB uploads held
  open; uploads past the in-flight budget;
- heavy work: a student's request while eight evaluations of a big trace
  run; an account's third heavy job; an evaluation past its memory budget;
- the cache of loaded captures: shared between exercises, bounded in bytes;
- slow connections from five addresses against a normal request;
- logins: the same time for known and unknown names, delays for who fails,
  never a lock of the account from elsewhere;
- the low findings: cross-site posts, the Secure cookie, bad URLs and
  libmicrohttpd's own errors as JSON, one 404 for what a student may not
  see, the choices' limit, attempts, rate and answer size.

Figures (latencies, memory) are printed; bounds are generous, so that a slow
machine or a sanitizer build does not fail a test that holds.

Run by `make check` (TRACEQUIZ points at the program, TQ_DATA at tests/data,
GENCAP at bench/gencap).
"""
import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

from harness import TQ, Server, Who, add_user, check, multipart, query, request, summary, token

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")
HANDSHAKE = os.path.join(DATA, "tcp-handshake-eth-ipv4.pcap")
SMTP = os.path.join(DATA, "smtp-starttls-587-tls12-sll-ipv6.pcap")
CAPTURES = [os.path.join(DATA, n) for n in ("tls-port-reuse-eth-ipv4.pcap", "tls-reassembly-split-eth-ipv4.pcap",
                                            "tcp-bulk-eth-ipv6.pcap")]
GENCAP = os.environ.get("GENCAP") or os.path.join(os.getcwd(), "bench", "gencap")
MIB = 1 << 20


def stop(s, what):
    """Stops a server and checks it ends cleanly: under the sanitizers, no error, leak or race."""
    s.stop()
    check(s.proc.returncode == 0, "the %s server stops cleanly%s" % (what, "" if s.proc.returncode == 0 else
          " (exit status %s):\n%s" % (s.proc.returncode, "".join(s.out[-40:]))))


def in_parallel(fn, n):
    """fn run n times at once, in threads; returns when all have ended."""
    threads = [threading.Thread(target=fn) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def bearer(tok):
    return {"Authorization": "Bearer " + tok}


def admin_password(srv):
    return re.search(r"password (\w+)", "".join(srv.out)).group(1)


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def raw_exchange(port, data, src="127.0.0.1", timeout=10):
    """Sends bytes on a fresh connection and returns what comes back until the server closes or a reply is whole."""
    sk = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0))
    sk.sendall(data)
    out = b""
    try:
        while True:
            chunk = sk.recv(65536)
            if not chunk:
                break
            out += chunk
            head, _, body = out.partition(b"\r\n\r\n")
            m = re.search(rb"Content-Length: (\d+)", head, re.I)
            if m and len(body) >= int(m.group(1)):
                break
    except OSError:
        pass
    sk.close()
    return out


def body_json(reply):
    """The JSON body of a raw reply (libmicrohttpd 0.9.75 may write an error's header twice: the last part)."""
    try:
        return json.loads(reply.rpartition(b"\r\n\r\n")[2])
    except ValueError:
        return None


def upload(srv, headers, path, name):
    with open(path, "rb") as f:
        data = f.read()
    return request(srv.port, "POST", "/api/v1/traces?name=" + name, raw=data,
                   headers=dict(headers, **{"Content-Type": "application/octet-stream"}))


def exercise(key="count(frame where tcp.flags.syn == 1)", extra=None):
    doc = {"title": "Handshake", "questions": [{"id": "syns", "kind": "number", "prompt": "SYNs?", "key": key}]}
    doc.update(extra or {})
    return doc


# ---------------------------------------------------------------- account takeover and tokens

def takeover(tmp):
    db = os.path.join(tmp, "takeover.db")
    s = Server(db)
    try:
        admin = Who(s, "admin", admin_password(s))
        for name in ("i1", "i2"):
            st, _, _, _ = admin.req("POST", "/api/v1/users", {"name": name, "role": "instructor", "password": name + "-secret"})
        st, _, _, _ = admin.req("POST", "/api/v1/users", {"name": "stu3", "role": "student", "password": "stu3-secret"})
        i1, i2 = Who(s, "i1", "i1-secret"), Who(s, "i2", "i2-secret")
        i1.req("POST", "/api/v1/courses", {"slug": "c1", "title": "Course one"})
        i2.req("POST", "/api/v1/courses", {"slug": "c2", "title": "Course two"})
        st, j, _, _ = i1.req("POST", "/api/v1/courses/c1/students", {"students": ["stu1", "stu2"]})
        pw = {e["name"]: e["password"] for e in j["enrolled"]}
        check(st == 200 and set(pw) == {"stu1", "stu2"}, "c1's instructor enrols two new students, passwords shown once")

        # the takeover path of the review: enrol another course's student, set their password
        st, j, _, _ = i2.req("POST", "/api/v1/courses/c2/students", {"students": ["stu1"]})
        check(st == 200 and "password" not in j["enrolled"][0], "c2's instructor may enrol c1's student (no password given)")
        st, j, _, _ = i2.req("POST", "/api/v1/users/stu1/password", {"password": "hijacked-123"})
        check(st == 403, "but cannot set their password (%d)" % st)
        st, j, _, _ = i2.req("POST", "/api/v1/users/stu1/reset-code")
        check(st == 403 and "admin" in j["error"], "nor get a reset code for them: %s" % (j or {}).get("error"))
        st, _, _, _ = request(s.port, "POST", "/api/v1/session", {"name": "stu1", "password": "hijacked-123"})
        st2, _, _, _ = request(s.port, "POST", "/api/v1/session", {"name": "stu1", "password": pw["stu1"]})
        check(st == 401 and st2 == 200, "stu1's password is unchanged: the old one works, the attacker's does not")
        st, j, _, _ = i1.req("POST", "/api/v1/users/stu1/reset-code")
        check(st == 403, "once stu1 studies in c2 too, c1's instructor cannot reset it either: only an admin")
        st, j, _, _ = i1.req("POST", "/api/v1/users/admin/reset-code")
        st2, _, _, _ = i1.req("POST", "/api/v1/users/i2/reset-code")
        check(st == 403 and st2 == 403, "no instructor gets a code for an admin or an instructor")

        # the way that stays: a one-time code, handed to the student of one's own course
        st, j, _, _ = i1.req("POST", "/api/v1/users/stu2/reset-code")
        code = j and j.get("code")
        check(st == 200 and code and len(code) >= 16 and j["link"].endswith("code=" + code) and j["expires"] > time.time(),
              "c1's instructor gets a one-time code and link for stu2, c1's own student")
        st, _, _, _ = request(s.port, "POST", "/api/v1/password-reset", {"name": "stu1", "code": code, "password": "x" * 10})
        check(st == 401, "the code does not work for another name")
        st, _, _, _ = request(s.port, "POST", "/api/v1/password-reset", {"name": "stu2", "code": code, "password": "y" * 10})
        check(st == 401, "and was used up by that try")
        st, j, _, _ = i1.req("POST", "/api/v1/users/stu2/reset-code")
        code = j["code"]
        st, j, _, _ = request(s.port, "POST", "/api/v1/password-reset", {"name": "stu2", "code": code, "password": "new-pass-2"})
        check(st == 200 and j["password_set"], "stu2 sets a new password with a fresh code")
        st, _, _, _ = request(s.port, "POST", "/api/v1/session", {"name": "stu2", "password": pw["stu2"]})
        st2, _, _, _ = request(s.port, "POST", "/api/v1/session", {"name": "stu2", "password": "new-pass-2"})
        check(st == 401 and st2 == 200, "the old password no longer works, the new one does")
        st, _, _, _ = request(s.port, "POST", "/api/v1/password-reset", {"name": "stu2", "code": code, "password": "again-123"})
        check(st == 401, "a code is used once")
        st, j, _, _ = admin.req("POST", "/api/v1/users/stu1/password", {"password": "admin-set-1"})
        check(st == 200, "an admin may still set any password")

        # the auto-grader's students are its own: an external id never maps onto a local account
        with open(HANDSHAKE, "rb") as f:
            form, hdr = multipart({"slug": "ex1", "course": "c1", "published": "true"},
                                  {"exercise": ("exercise.yaml", json.dumps(exercise()).encode()),
                                   "capture": ("h.pcap", f.read())})
        st, j, _, _ = i1.req("POST", "/api/v1/exercises", raw=form, headers=hdr)
        check(st == 201, "c1's instructor makes an exercise from a folder upload (%d %s)" % (st, j))
        st, j, _, _ = i2.req("POST", "/api/v1/exercises", {"slug": "ex2", "course": "c2", "trace": j["trace"],
                                                           "exercise": exercise()})
        check(st == 403 or st == 201, "(c2's exercise: %d)" % st)
        if st == 403:   # i2 may not use i1's trace: upload it again
            st, j2, _, _ = upload(s, i2.h, HANDSHAKE, "h.pcap")
            st, j, _, _ = i2.req("POST", "/api/v1/exercises", {"slug": "ex2", "course": "c2", "trace": j2["sha256"],
                                                               "exercise": exercise()})
        st, j, _, _ = i1.req("POST", "/api/v1/tokens", {"name": "lms", "scope": "grade", "courses": ["c1"]})
        grade_tok = j["token"]
        check(st == 201 and j["scope"] == "grade", "c1's instructor makes a grade token limited to c1")
        st, j, _, _ = i1.req("POST", "/api/v1/tokens", {"name": "x", "scope": "grade", "courses": ["c2"]})
        check(st == 422 and "teach" in j["error"], "but not one for c2, a course they do not teach")
        st, j, _, _ = request(s.port, "POST", "/api/v1/grade", {"exercise": "ex1", "student": "stu3",
                                                                "answers": {"syns": 2}}, bearer(grade_tok))
        check(st == 200 and j["score"] == 1, "the grade token grades 'stu3' on ex1")
        local = query(db, "select count(*) from submissions s join users u on u.id = s.user_id "
                          "where u.name = 'stu3'")[0][0]
        ext = query(db, "select name, external, cast(pw_hash is null as integer) from users where ext_id = 'stu3'")
        enrolled = query(db, "select count(*) from enrolments n join users u on u.id = n.user_id "
                             "where u.name = 'stu3'")[0][0]
        check(local == 0 and enrolled == 0 and ext == [("c1/stu3", 1, 1)],
              "as c1's external student 'c1/stu3' without a password: the local stu3 is untouched (%s)" % ext)
        st, j, _, _ = request(s.port, "POST", "/api/v1/grade", {"exercise": "ex2", "student": "stu3",
                                                                "answers": {"syns": 2}}, bearer(grade_tok))
        check(st == 403, "the token limited to c1 cannot grade c2's exercise")
        st, _, _, _ = request(s.port, "GET", "/api/v1/traces", headers=bearer(grade_tok))
        st2, _, _, _ = request(s.port, "POST", "/api/v1/tokens", {"name": "more"}, bearer(grade_tok))
        check(st == 403 and st2 == 403, "a grade token reads nothing and makes no token")
        st, j, _, _ = i1.req("POST", "/api/v1/tokens", {"name": "ro", "scope": "read"})
        ro = j["token"]
        st, _, _, _ = request(s.port, "GET", "/api/v1/exercises", headers=bearer(ro))
        st2, j, _, _ = request(s.port, "POST", "/api/v1/courses", {"slug": "c9", "title": "x"}, bearer(ro))
        check(st == 200 and st2 == 403 and "read" in j["error"], "a read token reads and changes nothing")
        st, j, _, _ = i1.req("POST", "/api/v1/tokens", {"name": "day", "days": 1})
        day, day_exp = j["token"], j["expires"]
        st, j, _, _ = request(s.port, "POST", "/api/v1/tokens", {"name": "long", "days": 3650}, bearer(day))
        check(st == 201 and j["expires"] <= day_exp, "a token's token expires no later than it")
        query(db, "update tokens set expires = 1 where name = 'day'")
        st, j, _, _ = request(s.port, "GET", "/api/v1/exercises", headers=bearer(day))
        check(st == 401, "an expired token is refused")
        # a password reset or a role change ends the account's tokens
        st, _, _, _ = admin.req("POST", "/api/v1/users/i1/password", {"password": "i1-new-secret"})
        st, _, _, _ = request(s.port, "GET", "/api/v1/exercises", headers=bearer(ro))
        st2, _, _, _ = request(s.port, "POST", "/api/v1/grade", {"exercise": "ex1", "student": "z", "answers": {}},
                               bearer(grade_tok))
        check(st == 401 and st2 == 401, "setting i1's password revokes i1's tokens")
        i2tok = json.loads(i2.req("POST", "/api/v1/tokens", {"name": "t"})[2])["token"]
        st, j, _, _ = admin.req("PATCH", "/api/v1/users/i2", {"role": "student"})
        st2, _, _, _ = request(s.port, "GET", "/api/v1/exercises", headers=bearer(i2tok))
        st3, _, _, _ = i2.req("GET", "/api/v1/session")
        check(st == 200 and st2 == 401 and st3 == 401, "a role change ends the account's tokens and sessions")
        return s
    except Exception:
        s.stop()
        raise


# ---------------------------------------------------------------- bodies before authentication

def bodies(tmp):
    db = os.path.join(tmp, "bodies.db")
    s = Server(db, "--max-inflight-mb", "100")
    try:
        tok = token(db)
        request(s.port, "GET", "/healthz")
        before = rss_mib(s.proc.pid)
        socks, answered, t0 = [], 0, time.time()
        for i in range(16):
            sk = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            sk.sendall(b"POST /api/v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                       b"Content-Length: %d\r\n\r\n" % (60 * MIB))
            # push as much of the body as the server takes in a moment, as an attacker would
            sk.setblocking(False)
            chunk, sent, until = b"\0" * 65536, 0, time.time() + 0.5
            while time.time() < until and sent < 60 * MIB - 1:
                try:
                    sent += sk.send(chunk)
                except BlockingIOError:
                    time.sleep(0.01)
                except OSError:
                    break
            sk.setblocking(True)
            sk.settimeout(10)
            try:
                reply = sk.recv(4096)
            except OSError:
                reply = b""
            answered += reply.startswith(b"HTTP/1.1 401") and b'"error"' in reply
            socks.append(sk)
        took = time.time() - t0
        after = rss_mib(s.proc.pid)
        print("     16 unauthenticated 60 MiB uploads: %d answered 401 in %.2f s; server RSS %.1f -> %.1f MiB"
              % (answered, took, before, after))
        check(answered == 16, "each unauthenticated 60 MiB upload is answered 401 before its body is read")
        check(after - before < 32, "the server's memory did not grow with them (%+.1f MiB)" % (after - before))
        for sk in socks:
            sk.close()
        # a student may not upload: 403 at once
        add_user(db, "stu", "student", "stu-secret")
        stu = Who(s, "stu", "stu-secret")
        sk = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        sk.sendall(("POST /api/v1/traces HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\nContent-Length: %d\r\n\r\n"
                    % (stu.h["Cookie"], stu.h["X-CSRF-Token"], 60 * MIB)).encode())
        reply = sk.recv(4096)
        sk.close()
        check(reply.startswith(b"HTTP/1.1 403"), "a student's upload is 403 before its body is read")
        # the budget of bodies in flight: 100 MiB here
        held = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        held.sendall(("POST /api/v1/traces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % (tok, 60 * MIB)).encode())
        time.sleep(0.3)
        st, j, _, r = upload(s, bearer(tok), HANDSHAKE, "h.pcap")
        check(st == 201, "an upload within the budget beside it is stored (%d)" % st)
        second = raw_exchange(s.port, ("POST /api/v1/traces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                                       "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
                                       % (tok, 60 * MIB)).encode())
        check(second.startswith(b"HTTP/1.1 503") and b"Retry-After" in second,
              "a second 60 MiB upload past the 100 MiB budget is 503 with Retry-After, before its body")
        held.close()
        time.sleep(0.3)
        st, j, _, _ = request(s.port, "GET", "/api/v1/server", headers=bearer(tok))
        check(st == 200 and j["bodies"]["bytes"] == 0, "the budget is given back when a body's connection ends")
        # an upload streamed to disk, in a form, is the same capture as a raw one
        with open(SMTP, "rb") as f:
            data = f.read()
        form, hdr = multipart({}, {"file": ("smtp.pcap", data)})
        st, j, _, _ = request(s.port, "POST", "/api/v1/traces", raw=form, headers=dict(bearer(tok), **hdr))
        check(st in (200, 201) and j["size"] == len(data) and j["frames"] == 29, "a form's capture is streamed and stored whole")
    finally:
        stop(s, "bodies")


# ---------------------------------------------------------------- heavy work

def big_capture(tmp, frames):
    path = os.path.join(tmp, "big-%d.pcap" % frames)
    if not os.path.exists(path):
        subprocess.run([GENCAP, path, str(frames)], check=True, capture_output=True)
    return path


def heavy(tmp):
    if not os.access(GENCAP, os.X_OK):
        print("     (no bench/gencap: heavy work not tested)")
        return
    big = big_capture(tmp, 120000)
    db = os.path.join(tmp, "heavy.db")
    s = Server(db, "--heavy-threads", "2", "--heavy-per-user", "8")
    try:
        tok = token(db)
        st, j, _, _ = upload(s, bearer(tok), big, "big.pcap")
        sha, nframes = j["sha256"], j["frames"]
        check(st == 201, "a %.0f MiB capture of %d frames is uploaded" % (os.path.getsize(big) / MIB, nframes))
        add_user(db, "stu", "student", "stu-secret")
        stu = Who(s, "stu", "stu-secret")
        path = "/api/v1/exercises/smtp-over-tls/frames/4"
        stu.req("GET", path)    # the demo exercise loaded
        quiet = []
        for _ in range(10):
            t = time.time()
            stu.req("GET", path)
            quiet.append(time.time() - t)
        results = []

        def evaluate():
            st, j, _, _ = request(s.port, "POST", "/api/v1/eval", {"expr": "count(frame where tcp.seq > 1000)", "trace": sha},
                                  bearer(tok), timeout=600)
            results.append((st, j))

        threads = [threading.Thread(target=evaluate) for _ in range(8)]
        t0 = time.time()
        for t in threads:
            t.start()
        time.sleep(0.2)
        busy = []
        while any(t.is_alive() for t in threads) and len(busy) < 200:
            t = time.time()
            st, _, _, _ = stu.req("GET", path)
            busy.append(time.time() - t)
            time.sleep(0.05)
        for t in threads:
            t.join()
        took = time.time() - t0
        ok = sum(1 for st, j in results if st == 200 and isinstance(j.get("value"), int))
        print("     8 evaluations of a %d-frame trace in %.1f s; a student's frame meanwhile: p50 %.1f ms, max %.1f ms "
              "over %d requests (idle: p50 %.1f ms)" % (nframes, took,
                                                          1000 * statistics.median(busy) if busy else 0,
                                                          1000 * max(busy) if busy else 0, len(busy),
                                                          1000 * statistics.median(quiet)))
        check(ok == 8, "the 8 evaluations all answer (%d)" % ok)
        check(busy and max(busy) < 1.0, "a student's request is served in under a second while they run (target 100 ms)")
    finally:
        stop(s, "heavy")
    # an account's third heavy job waits for none: 429; an index past its memory budget: 422
    db = os.path.join(tmp, "heavy2.db")
    s = Server(db, "--heavy-threads", "1", "--heavy-per-user", "2")
    try:
        tok = token(db)
        st, j, _, _ = upload(s, bearer(tok), big, "big.pcap")
        sha = j["sha256"]
        statuses = []

        def evaluate():
            st, _, _, _ = request(s.port, "POST", "/api/v1/eval", {"expr": "count(frame where tcp.seq > 1000)", "trace": sha},
                                  bearer(tok), timeout=600)
            statuses.append(st)

        in_parallel(evaluate, 4)
        check(statuses.count(429) >= 1 and statuses.count(200) >= 2,
              "an account's heavy jobs beyond 2 at once are 429 (%s)" % sorted(statuses))
    finally:
        stop(s, "heavy")
    db = os.path.join(tmp, "heavy3.db")
    s = Server(db, "--job-mb", "1")
    try:
        tok = token(db)
        st, j, _, _ = upload(s, bearer(tok), big, "big.pcap")
        st, j, _, _ = request(s.port, "POST", "/api/v1/eval", {"expr": "count(frame where tcp.seq > 1000)",
                                                               "trace": j["sha256"]}, bearer(tok), timeout=600)
        check(st == 422 and "MiB" in j["error"], "an evaluation past its memory budget stops with a message: %s"
              % (j or {}).get("error"))
        # an imported task's capture is worked on within the same budget: its literal answer is
        # checked against an index of every value of the trace, which does not fit in 1 MiB
        task = ("name: Big\nproblems:\n    trace:\n        type: network-trace\n        trace: big.pcap.xml\n"
                "        hide:\n            1:\n            - tcp.seq\n"
                "    port:\n        type: code_single_line\n        header: Which port?\n        answer: 50001\n")
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("Big/task.yaml", task)
            z.write(big, "Big/public/big.pcap")
        st, j, _, _ = request(s.port, "POST", "/api/v1/import?name=big.zip", raw=zbuf.getvalue(), headers=bearer(tok),
                              timeout=600)
        said = (j or {}).get("error", "") + (j or {}).get("report", "")
        check(st in (200, 422) and "MiB" in said and ("could not be checked" in said or st == 422),
              "an import's work on its capture keeps the job's memory budget (%s): %s" %
              (st, [l for l in said.splitlines() if "MiB" in l][:1]))
    finally:
        stop(s, "heavy")


# ---------------------------------------------------------------- the cache

def cache(tmp):
    db = os.path.join(tmp, "cache.db")
    s = Server(db, "--cache-mb", "1")
    try:
        tok = token(db)
        shas = []
        for path in CAPTURES:
            st, j, _, _ = upload(s, bearer(tok), path, os.path.basename(path))
            shas.append(j["sha256"])
        slugs = []
        for k, sha in enumerate([shas[0], shas[0], shas[1], shas[2]]):
            slug = "cx%d" % k
            st, j, _, _ = request(s.port, "POST", "/api/v1/exercises", {"slug": slug, "course": "demo", "trace": sha,
                                  "exercise": exercise("count(frame where tcp)")}, bearer(tok))
            slugs.append(slug)

        def figures():
            return request(s.port, "GET", "/api/v1/server", headers=bearer(tok))[1]["cache"]

        keys = {}
        for slug in slugs[:2]:
            st, j, _, _ = request(s.port, "GET", "/api/v1/exercises/" + slug, headers=bearer(tok))
            keys[slug] = j["keys"]["questions"][0]["key"]
        f = figures()
        print("     two exercises on one capture: %d capture(s), %.2f MiB, %d exercises" %
              (f["captures"], f["bytes"] / MIB, f["exercises"]))
        check(f["captures"] == 1 and f["exercises"] == 2, "two exercises on the same trace share one loaded capture")
        for slug in slugs:
            st, j, _, _ = request(s.port, "GET", "/api/v1/exercises/" + slug, headers=bearer(tok))
            keys[slug] = j["keys"]["questions"][0]["key"]
            f = figures()
            check(f["bytes"] <= f["budget"] or f["captures"] == 1,
                  "after %s: %d captures, %.2f MiB within the %.0f MiB cache (or the one in use)"
                  % (slug, f["captures"], f["bytes"] / MIB, f["budget"] / MIB))
        st, j, _, _ = request(s.port, "GET", "/api/v1/exercises/" + slugs[0], headers=bearer(tok))
        check(st == 200 and j["keys"]["questions"][0]["key"] == keys[slugs[0]],
              "an exercise whose capture left the cache is loaded again, the same keys")
    finally:
        stop(s, "cache")
    if not os.access(GENCAP, os.X_OK):
        return
    # the review's case: one big capture used by three exercises is loaded once
    big = big_capture(tmp, 120000)
    db = os.path.join(tmp, "cache2.db")
    s = Server(db)
    try:
        tok = token(db)
        st, j, _, _ = upload(s, bearer(tok), big, "big.pcap")
        rss = [rss_mib(s.proc.pid)]
        for k in range(3):
            request(s.port, "POST", "/api/v1/exercises", {"slug": "big%d" % k, "course": "demo", "trace": j["sha256"],
                    "exercise": exercise("count(frame where tcp.seq > 1000)")}, bearer(tok), timeout=600)
        for k in range(3):
            request(s.port, "GET", "/api/v1/exercises/big%d" % k, headers=bearer(tok), timeout=600)
            rss.append(rss_mib(s.proc.pid))
        f = request(s.port, "GET", "/api/v1/server", headers=bearer(tok))[1]["cache"]
        print("     3 exercises on one %.0f MiB capture: RSS %s MiB; cache %d capture, %.1f MiB" %
              (os.path.getsize(big) / MIB, " -> ".join("%.0f" % x for x in rss), f["captures"], f["bytes"] / MIB))
        check(f["captures"] == 1, "three exercises on a big capture hold it once")
        check(rss[3] - rss[1] < max(0.5 * (rss[1] - rss[0]), 30),
              "the second and third cost little memory (%+.0f MiB, the first %+.0f MiB)" % (rss[3] - rss[1], rss[1] - rss[0]))
    finally:
        stop(s, "cache")
    # after a restart the cache is cold: twelve requests of one account for the same exercise wait
    # for its one load, none refused for holding too many heavy jobs (they hold none)
    s = Server(db)
    try:
        statuses = []

        def frame():
            st, _, _, _ = request(s.port, "GET", "/api/v1/exercises/big0/frames/1", headers=bearer(tok), timeout=600)
            statuses.append(st)

        in_parallel(frame, 12)
        check(statuses == [200] * 12, "12 requests for an exercise still loading all wait for its one load (%s)"
              % sorted(statuses))
    finally:
        stop(s, "cache")


# ---------------------------------------------------------------- slow connections

def slow(tmp):
    db = os.path.join(tmp, "slow.db")
    s = Server(db, "--max-connections", "64", "--per-ip", "16", "--header-timeout", "2", "--quiet")
    try:
        slow_socks = []
        for a in range(2, 7):
            for _ in range(20):
                try:
                    sk = socket.create_connection(("127.0.0.1", s.port), timeout=5, source_address=("127.0.0.%d" % a, 0))
                    sk.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                    slow_socks.append(sk)
                except OSError:
                    pass
        halt = threading.Event()

        def drip():
            while not halt.is_set():
                for sk in slow_socks:
                    try:
                        sk.send(b"X-a: b\r\n")
                    except OSError:
                        pass
                time.sleep(0.5)

        dripper = threading.Thread(target=drip)
        dripper.start()
        time.sleep(0.3)
        times = []
        for _ in range(5):
            t = time.time()
            st, _, _, _ = request(s.port, "GET", "/healthz", timeout=20)
            times.append((time.time() - t, st))
        halt.set()
        dripper.join()
        print("     %d slow-header connections from 5 addresses; a normal request meanwhile: %s" %
              (len(slow_socks), ", ".join("%d in %.0f ms" % (st, 1000 * d) for d, st in times)))
        check(all(st == 200 and d < 1.0 for d, st in times), "normal requests are served while slow clients hold connections")
        time.sleep(3)
        closed = 0
        for sk in slow_socks:
            try:
                sk.settimeout(0.2)
                closed += sk.recv(1) == b""
            except ConnectionResetError:
                closed += 1
            except OSError:
                pass
            sk.close()
        check(closed >= 0.9 * len(slow_socks), "slow clients are cut at the header deadline (%d of %d closed)"
              % (closed, len(slow_socks)))
    finally:
        stop(s, "slow")


# ---------------------------------------------------------------- logins

def logins(tmp):
    db = os.path.join(tmp, "logins.db")
    s = Server(db)
    try:
        pw = admin_password(s)
        known, unknown = [], []
        for k in range(4):
            t = time.time()
            request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": "wrong"}, src="127.0.0.%d" % (10 + k))
            known.append(time.time() - t)
            t = time.time()
            request(s.port, "POST", "/api/v1/session", {"name": "nobody%d" % k, "password": "wrong"}, src="127.0.0.20")
            unknown.append(time.time() - t)
        kn, un = statistics.median(known), statistics.median(unknown)
        print("     a failed login: known name %.0f ms, unknown name %.0f ms (medians of 4)" % (1000 * kn, 1000 * un))
        check(0.5 <= kn / un <= 2, "a login takes as long for a known name as for an unknown one (within 2x)")
        sts = [request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": "wrong"}, src="127.0.0.30")[0]
               for _ in range(4)]
        st, j, _, r = request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": pw}, src="127.0.0.30")
        check(sts[:3] == [401, 401, 401] and sts[3] == 429 and st == 429 and int(r.getheader("Retry-After")) >= 1,
              "failures of one name from one address earn a delay (%s, then %d)" % (sts, st))
        st, _, _, _ = request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": pw}, src="127.0.0.1")
        check(st == 200, "the account is not locked: the admin logs in from another address at once")
        time.sleep(int(r.getheader("Retry-After")) + 0.5)
        st, _, _, _ = request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": pw}, src="127.0.0.30")
        check(st == 200, "and from the first address once its delay has passed")
    finally:
        stop(s, "logins")


# ---------------------------------------------------------------- the low findings

def low(tmp):
    db = os.path.join(tmp, "low.db")
    s = Server(db, "--submit-per-minute", "4")
    try:
        pw = admin_password(s)
        port = s.port
        # cross-site posts
        st, j, _, _ = request(port, "POST", "/api/v1/session", raw=json.dumps({"name": "admin", "password": pw}).encode(),
                              headers={"Content-Type": "text/plain"})
        check(st == 415 and j and "application/json" in j["error"], "a text/plain login (a cross-site form) is 415")
        st, j, _, _ = request(port, "POST", "/api/v1/session", {"name": "admin", "password": pw},
                              {"Origin": "http://evil.example"})
        check(st == 403 and j, "a login from another origin is 403")
        st, j, _, _ = request(port, "POST", "/api/v1/session", {"name": "admin", "password": pw},
                              {"Sec-Fetch-Site": "cross-site"})
        check(st == 403, "a request a browser marks cross-site is 403")
        st, j, _, r = request(port, "POST", "/api/v1/session", {"name": "admin", "password": pw},
                              {"Origin": "http://127.0.0.1:%d" % port, "Sec-Fetch-Site": "same-origin"})
        check(st == 200 and "Secure" not in r.getheader("Set-Cookie"), "our own page logs in (no Secure cookie over HTTP)")
        admin = Who(s, "admin", pw)
        # bad URLs and libmicrohttpd's own errors: JSON
        for what, data, code in (
                ("invalid UTF-8 in the URL", b"GET /api/v1/exercises/%ff%fe/frames HTTP/1.1\r\nHost: x\r\n\r\n", b"400"),
                ("raw invalid UTF-8 in the URL", b"GET /caf\xe9 HTTP/1.1\r\nHost: x\r\n\r\n", b"400"),
                ("an overlong form in the URL", b"GET /x%e0%80%80 HTTP/1.1\r\nHost: x\r\n\r\n", b"400"),
                ("a surrogate in the URL", b"GET /x%ed%a0%80 HTTP/1.1\r\nHost: x\r\n\r\n", b"400"),
                ("an HTTP version from the future", b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", b"505"),
                ("a malformed chunk", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 b"Content-Type: application/json\r\n\r\nzz\r\n", b"400"),
                ("headers past the connection's memory", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 +
                 b"\r\n\r\n", b"431"),
                ("a malformed Content-Length", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n",
                 b"400")):
            reply = raw_exchange(port, data)
            j = body_json(reply)
            check(reply[9:12] == code and isinstance(j, dict) and j.get("error") and b"application/json" in reply,
                  "%s: %s with a JSON message (%s)" % (what, code.decode(), (j or {}).get("error", reply[:60])))
        # one 404 for what a student may not see
        st, j, _, _ = admin.req("POST", "/api/v1/courses", {"slug": "closed", "title": "Closed"})
        st, t, _, _ = upload(s, admin.h, HANDSHAKE, "h.pcap")
        sha = t["sha256"]
        admin.req("POST", "/api/v1/exercises", {"slug": "secret", "course": "closed", "trace": sha, "exercise": exercise()})
        admin.req("POST", "/api/v1/exercises", {"slug": "draft", "course": "demo", "trace": sha, "exercise": exercise(),
                                                "published": False})
        add_user(db, "stu", "student", "stu-secret")
        add_user(db, "sue", "student", "sue-secret")
        stu = Who(s, "stu", "stu-secret")
        replies = {}
        for slug in ("secret", "draft", "nothing-here"):
            for sub in ("", "/frames", "/trace", "/submissions"):
                st, j, _, _ = stu.req("GET", "/api/v1/exercises/" + slug + sub)
                replies[(slug, sub)] = (st, j["error"].replace(slug, "SLUG"))
        same = len(set(replies.values())) == 1 and list(replies.values())[0][0] == 404
        check(same, "a student gets the same 404 for another course's exercise, a draft and none (%s)"
              % sorted(set(replies.values())))
        # the choices' limit, attempts and answers' size
        doc = {"title": "Choices", "attempts": 3, "questions": [
            {"id": "c", "kind": "choice", "prompt": "Which is right?", "limit": 2,
             "choices": [{"text": "right", "valid": True}, {"text": "wrong one"}, {"text": "wrong two"},
                         {"text": "wrong three"}]},
            {"id": "t", "kind": "text", "prompt": "Say x", "answer": "x"}]}
        st, j, _, _ = admin.req("POST", "/api/v1/exercises", {"slug": "pick", "course": "demo", "trace": sha, "exercise": doc})
        check(st == 201, "an exercise with a choice limit of 2 and 3 attempts is saved (%s)" % (j if st != 201 else ""))
        st, j, _, _ = stu.req("GET", "/api/v1/exercises/pick")
        shown = [c["text"] for c in j["exercise"]["questions"][0]["choices"]]
        st, j2, _, _ = stu.req("GET", "/api/v1/exercises/pick")
        check(len(shown) == 2 and "right" in shown and [c["text"] for c in j2["exercise"]["questions"][0]["choices"]] == shown,
              "a student sees 2 of the 4 choices, a valid one among them, the same each time (%s)" % shown)
        hidden = [t for t in ("wrong one", "wrong two", "wrong three") if t not in shown][0]
        st, j, _, _ = stu.req("POST", "/api/v1/exercises/pick/submissions", {"answers": {"c": hidden}})
        check(st == 201 and not j["questions"][0]["correct"] and "not one of the choices" in j["questions"][0]["feedback"],
              "a choice the student was not shown is not one of theirs")
        st, j, _, _ = stu.req("POST", "/api/v1/exercises/pick/submissions", {"answers": {"t": "x" * 100000}})
        check(st == 413 and "too long" in j["error"], "a 100 kB answer is refused: %s" % (j or {}).get("error"))
        st, j, _, _ = stu.req("POST", "/api/v1/exercises/pick/submissions", {"answers": {"c": "right", "t": "x"}})
        check(st == 201 and j["score"] == j["max"] and j["attempts_left"] == 1, "the right choice scores; one attempt left")
        st, j, _, _ = stu.req("POST", "/api/v1/exercises/pick/submissions", {"answers": {"c": "right"}})
        st2, j2, _, _ = stu.req("POST", "/api/v1/exercises/pick/submissions", {"answers": {"c": "right"}})
        check(st == 201 and st2 == 403 and "3 attempts" in j2["error"], "a fourth attempt of three is refused")
        sue = Who(s, "sue", "sue-secret")
        codes = [sue.req("POST", "/api/v1/exercises/smtp-over-tls/submissions", {"answers": {"q3": k}})[0] for k in range(5)]
        check(codes[:4] == [201] * 4 and codes[4] == 429, "a fifth submission within a minute is 429 (%s)" % codes)
    finally:
        stop(s, "low")
    # behind HTTPS, the cookie is Secure: by setting, or from a trusted proxy's X-Forwarded-Proto
    db = os.path.join(tmp, "https.db")
    s = Server(db, "--behind-https")
    try:
        st, _, _, r = request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": admin_password(s)})
        check(st == 200 and "Secure" in r.getheader("Set-Cookie"), "--behind-https: the session cookie is Secure")
    finally:
        stop(s, "low")
    db = os.path.join(tmp, "proxy.db")
    s = Server(db, "--trusted-proxy", "127.0.0.1")
    try:
        st, _, _, r = request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": admin_password(s)},
                              {"X-Forwarded-Proto": "https"})
        st2, _, _, r2 = request(s.port, "POST", "/api/v1/session", {"name": "admin", "password": admin_password(s)},
                                {"X-Forwarded-Proto": "https"}, src="127.0.0.2")
        check(st == 200 and "Secure" in r.getheader("Set-Cookie") and "Secure" not in r2.getheader("Set-Cookie"),
              "X-Forwarded-Proto is believed from the trusted proxy only")
    finally:
        stop(s, "low")


# ---------------------------------------------------------------- hidden, redacted and dealt values

def walk(nodes):
    for n in nodes:
        yield n
        yield from walk(n.get("n", []))


def hexpos(frame, off, n):
    return frame["sources"][0]["bytes"][2 * off:2 * (off + n)]


def views(tmp):
    db = os.path.join(tmp, "views.db")
    s = Server(db)
    try:
        admin = Who(s, "admin", admin_password(s))
        st, t, _, _ = upload(s, admin.h, HANDSHAKE, "h.pcap")
        doc = {"title": "Views", "view": {"redact": ["tcp.options.timestamp.tsval"]}, "questions": [
            {"id": "f", "kind": "field", "prompt": "Fill in the sequence number", "hide": {"4": ["tcp.seq"]}},
            {"id": "o", "kind": "order", "prompt": "Put them in order", "frames": [9, 10, 11, 12]}]}
        st, j, _, _ = admin.req("POST", "/api/v1/exercises", {"slug": "views", "course": "demo", "trace": t["sha256"],
                                                              "exercise": doc})
        check(st == 201, "an exercise hides tcp.seq in frame 4, redacts TSval, orders frames 9-12 (%s)" % (j if st != 201 else ""))
        add_user(db, "stu", "student", "stu-secret")
        stu = Who(s, "stu", "stu-secret")
        # a hidden field: not restated in its frame
        st, f4, text, _ = stu.req("GET", "/api/v1/exercises/views/frames/4")
        tcp = [n for n in f4["tree"] if n.get("f") == "tcp"][0]
        seq = [n for n in walk(f4["tree"]) if n.get("f") == "tcp.seq"][0]
        check("Seq: ??" in tcp["l"] and "Seq: 1," not in tcp["l"] and seq["l"].endswith("??") and "v" not in seq,
              "the hidden tcp.seq is not restated in the TCP line: %s" % tcp["l"])
        check(hexpos(f4, 38, 4) == "????????", "its bytes are masked in the hex")
        # a redacted field: value, bytes, summary, and the packet list's Info
        st, f5, _, _ = stu.req("GET", "/api/v1/exercises/views/frames/5")
        tsval = [n for n in walk(f5["tree"]) if n.get("f") == "tcp.options.timestamp.tsval"][0]
        opt = [n for n in walk(f5["tree"]) if n.get("f") == "tcp.options.timestamp"][0]
        opts = [n for n in walk(f5["tree"]) if n.get("f") == "tcp.options"][0]
        check(tsval["l"].endswith("(redacted)") and "v" not in tsval and "3537797767" not in json.dumps(f5) and
              "TSval ??" in opt["l"] and "v" not in opt and "v" not in opts,
              "a redacted value is gone from its item, the option's summary and the options' bytes: %s" % opt["l"])
        check(hexpos(f5, 58, 4) == "????????", "and from the hex")
        st, page, _, _ = stu.req("GET", "/api/v1/exercises/views/frames?from=1&count=12")
        rows = {r["no"]: r for r in page["frames"]}
        check("TSval=??" in rows[5]["info"] and "3537797767" not in rows[5]["info"] and "TSecr=982314553" in rows[5]["info"],
              "the packet list's Info masks the redacted TSval, no more: %s" % rows[5]["info"])
        check("Seq=??" in rows[4]["info"] and "Seq=1 " not in rows[4]["info"] and "TSval=??" in rows[4]["info"] and
              "Ack=1 " in rows[4]["info"], "the row of the frame with a field to fill in masks it, no more: %s" % rows[4]["info"])
        # an order question's frames: no sequence numbers, acknowledgments or timestamps
        leaks = []
        for place in (9, 10, 11, 12):
            st, f, _, _ = stu.req("GET", "/api/v1/exercises/views/frames/%d" % place)
            tcp = [n for n in f["tree"] if n.get("f") == "tcp"][0]
            for n in walk(f["tree"]):
                if n.get("f") in ("tcp.seq", "tcp.ack", "tcp.seq_raw", "tcp.ack_raw", "tcp.options.timestamp.tsecr",
                                  "ip.id") and ("v" in n or not n["l"].endswith("??")):
                    leaks.append((place, n["l"]))
            if re.search(r"(Seq|Ack): \d", tcp["l"]):
                leaks.append((place, tcp["l"]))
            info = rows[place]["info"]
            if re.search(r"(Seq|Ack|TSval|TSecr)=\d", info):
                leaks.append((place, info))
            if rows[place]["time"] != "??":
                leaks.append((place, rows[place]["time"]))
        check(not leaks, "a dealt frame shows no sequence, acknowledgment, timestamp or IP id (%s)" % leaks[:3])
        st, f, _, _ = admin.req("GET", "/api/v1/exercises/views/frames/9")
        check("Seq: 25" in f["tree"][3]["l"] if len(f["tree"]) > 3 else False, "staff see the frames as they are")
    finally:
        stop(s, "views")


def main():
    tmp = tempfile.mkdtemp(prefix="tq-security-")
    stop(takeover(tmp), "takeover")
    bodies(tmp)
    heavy(tmp)
    cache(tmp)
    slow(tmp)
    logins(tmp)
    views(tmp)
    low(tmp)
    return summary("test_security")


if __name__ == "__main__":
    sys.exit(main())
