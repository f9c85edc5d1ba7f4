#!/usr/bin/env python3
"""test_stress.py - many requests at once on one server, the kinds that share
state: grading and evaluating on the demo exercise while an instructor saves
it again and again (each save drops the loaded exercise that readers still
hold), frames read as staff and as a student, and traces uploaded and
previewed, more than the eight the server keeps open (so they are evicted
while read).  Every answer must be a 2xx, the server must stop cleanly, and
the submissions answered must all be stored.  Under the sanitizers
(--enable-sanitizers, --enable-sanitizers=thread) a race, a use after free or
a leak makes the server's exit status non-zero, and the test fails.

STRESS_SECONDS (default 8) sets how long the load runs.
"""
import glob
import http.client
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

from harness import TQ, Server, check, count_submissions, new_db, summary, token

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")
SECONDS = float(os.environ.get("STRESS_SECONDS", "8"))


def main():
    tmp = tempfile.mkdtemp(prefix="tq-stress-")
    db = new_db(tmp)
    s = Server(db, "--threads", "4", "--heavy-per-user", "64")
    counts, problems = {}, []
    lock = threading.Lock()
    try:
        auth = {"Authorization": "Bearer " + token(db)}
        st, j, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls", headers=auth)
        doc = j["exercise"]
        subprocess.run([TQ, "user", "add", "stu", "--role", "student", "--db", db], capture_output=True, text=True,
                       input="stress test\n")
        st, j, _, r = s.request("POST", "/api/v1/session", {"name": "stu", "password": "stress test"})
        student = {"Cookie": (r.getheader("Set-Cookie") or "").split(";")[0]}
        captures = sorted(glob.glob(os.path.join(DATA, "*.pcap")))[:12]
        shas = []
        stop = time.time() + SECONDS
        graded = []

        def one(kind, rnd):
            if kind == "grade":
                name = "stress-%d" % rnd.randrange(1 << 30)
                st, _, _, _ = s.request("POST", "/api/v1/grade", {"exercise": "smtp-over-tls", "student": name,
                                        "answers": {"q1": "smtp.campus.example", "q2": "TLS 1.2", "q3": 3}}, auth)
                if st == 200:
                    with lock:
                        graded.append(name)
                return st
            if kind == "eval":
                return s.request("POST", "/api/v1/eval", {"exercise": "smtp-over-tls", "expr": "count(frame where tls)"},
                                 auth)[0]
            if kind == "save":
                return s.request("PUT", "/api/v1/exercises/smtp-over-tls", {"exercise": doc}, auth)[0]
            if kind == "frame":
                return s.request("GET", "/api/v1/exercises/smtp-over-tls/frames/%d" % rnd.randint(1, 29), headers=auth)[0]
            if kind == "student":
                return s.request("GET", "/api/v1/exercises/smtp-over-tls/frames/%d" % rnd.randint(1, 29),
                                 headers=student)[0]
            if kind == "page":
                return s.request("GET", "/api/v1/exercises/smtp-over-tls/frames?from=%d&count=20" % rnd.randint(1, 29),
                                 headers=auth)[0]
            if kind == "upload":
                path = rnd.choice(captures)
                st, j, _, _ = s.request("POST", "/api/v1/traces?name=" + os.path.basename(path),
                                        raw=open(path, "rb").read(), headers=auth)
                if st in (200, 201):
                    with lock:
                        shas.append(j["sha256"])
                return st
            if kind == "preview":
                with lock:
                    sha = rnd.choice(shas) if shas else None
                if not sha:
                    return 200
                return s.request("GET", "/api/v1/traces/%s/frames/1" % sha, headers=auth)[0]
            raise ValueError(kind)

        def worker(kinds, seed):
            rnd = random.Random(seed)
            while time.time() < stop:
                kind = rnd.choice(kinds)
                try:
                    st = one(kind, rnd)
                except (OSError, http.client.HTTPException) as e:
                    st = "error: %s" % e
                with lock:
                    counts[kind] = counts.get(kind, 0) + 1
                    if not isinstance(st, int) or st >= 300:
                        problems.append((kind, st))

        plans = [["grade"], ["grade"], ["eval", "frame"], ["save"], ["frame", "page"], ["upload", "preview"],
                 ["preview", "page", "student"], ["grade", "student", "save"]]
        threads = [threading.Thread(target=worker, args=(p, k)) for k, p in enumerate(plans)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("requests: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())))
        check(sum(counts.values()) > 50 and all(counts.get(k) for k in ("grade", "save", "frame", "student", "preview")),
              "the load ran every kind of request (%d requests)" % sum(counts.values()))
        check(not problems, "every request got a 2xx (%d did not: %s)" % (len(problems), problems[:5]))
        check(len(set(shas)) > 8, "more traces were previewed than the server keeps open (%d)" % len(set(shas)))
    finally:
        s.stop()
    check(s.proc.returncode == 0, "the server stops cleanly: no race, no use after free, no leak under the sanitizers%s" %
          ("\n" + "".join(s.out[-60:]) if s.proc.returncode else ""))
    check(count_submissions(db) == len(graded), "every graded submission is stored (%d)" % len(graded))
    return summary("stress")


if __name__ == "__main__":
    sys.exit(main())
