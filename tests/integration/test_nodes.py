#!/usr/bin/env python3
"""test_nodes.py - two tracequiz nodes on one PostgreSQL database, as behind a
university's load balancer (run by tests/pg.sh, which makes the cluster):

- both start at once on a new database: it is migrated once, one admin made;
- a session made on node A works on node B;
- an exercise saved on A is served by B, and when A saves it again B serves
  the new version (re-keyed, a new ETag) though B had the old one loaded;
- 64 clients grade through both for 20 s while A is killed with SIGKILL and
  started again: every submission that got a 2xx is in the database once,
  and no request to B failed.
"""
import os
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PG, Server, Who, check, new_db, query, request, summary, token  # noqa: E402

DATA = os.environ.get("TQ_DATA") or os.path.join(os.path.dirname(__file__), "..", "data")
HANDSHAKE = os.path.join(DATA, "tcp-handshake-eth-ipv4.pcap")
MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "db", "migrations", "postgresql")
SECONDS = float(os.environ.get("NODES_SECONDS", "20"))
CLIENTS = 64


def doc(key):
    return {"title": "Two nodes", "questions": [{"id": "n", "kind": "number", "prompt": "How many?", "key": key}]}


def start_together(db):
    """Two servers started at the same moment on db."""
    nodes = [None, None]
    errors = []

    def start(k):
        try:
            nodes[k] = Server(db)
        except Exception as e:      # reported below
            errors.append(str(e))
    threads = [threading.Thread(target=start, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for n in nodes:
            if n:
                n.stop()
        raise RuntimeError("; ".join(errors))
    return nodes


def main():
    if not PG:
        print("SKIP: test_nodes needs PostgreSQL (tests/pg.sh runs it)")
        return 77
    tmp = tempfile.mkdtemp(prefix="tq-nodes-")
    db = new_db(tmp)
    a, b = start_together(db)
    try:
        made = [l for n in (a, b) for l in n.out if "created the account 'admin'" in l]
        check(len(made) == 1, "two nodes starting together on a new database make one admin account (%d)" % len(made))
        migrations = len([f for f in os.listdir(MIGRATIONS) if f.endswith(".sql")])
        applied = query(db, "select count(*), max(version) from tq_schema")[0]
        check(applied == (migrations, migrations) and
              query(db, "select count(*) from courses")[0][0] == 1 and
              query(db, "select count(*) from exercises")[0][0] == 1,
              "the schema is migrated once (%s of %d migrations); one demo course, one demo exercise" %
              (applied, migrations))
        password = made[0].split("password ")[1].split()[0] if made else ""

        # a session made on A works on B
        admin = Who(a, "admin", password)
        st, j, _, _ = b.request("GET", "/api/v1/exercises", headers=admin.h)
        check(st == 200 and "smtp-over-tls" in [e["slug"] for e in j["exercises"]], "a session made on node A works on node B")
        on_b = Who(b, "admin", password)
        st, _, _, _ = a.request("DELETE", "/api/v1/session", headers=on_b.h)
        st2, _, _, _ = b.request("GET", "/api/v1/exercises", headers=on_b.h)
        check(st2 == 401, "a session ended on node A is ended on node B (%d, then %d)" % (st, st2))
        admin = Who(a, "admin", password)

        # an exercise saved on A, served by B; saved again on A, B serves the new one
        st, j, _, _ = admin.req("POST", "/api/v1/traces?name=hs.pcap", raw=open(HANDSHAKE, "rb").read(),
                                headers={"Content-Type": "application/vnd.tcpdump.pcap"})
        sha = j.get("sha256", "")
        st, j, _, _ = admin.req("POST", "/api/v1/exercises", {"slug": "nodes", "course": "demo", "trace": sha,
                                                               "exercise": doc("count(frame where tcp.flags.syn == 1)")})
        check(st == 201, "an exercise is saved on node A")
        st, j, _, r = b.request("GET", "/api/v1/exercises/nodes/frames/2", headers=admin.h)
        etag = r.getheader("ETag")
        check(st == 200 and etag, "node B serves it")
        auth = {"Authorization": "Bearer " + token(db)}
        st, j, _, _ = b.request("POST", "/api/v1/grade", {"exercise": "nodes", "student": "s0", "answers": {"n": 2}}, auth)
        check(st == 200 and j["score"] == 1, "node B grades it on its key (2 SYN)")
        st, j, _, _ = admin.req("PUT", "/api/v1/exercises/nodes",
                                {"exercise": doc("count(frame where tcp.flags.push == 1)"), "confirm": True})
        pushes = {k["id"]: k.get("key") for k in j.get("keys", {}).get("questions", [])}.get("n")
        check(st == 200 and pushes not in (None, 2), "node A saves it again with a new key (%s)" % pushes)
        st, _, _, r = b.request("GET", "/api/v1/exercises/nodes/frames/2", headers=dict(admin.h, **{"If-None-Match": etag}))
        check(st == 200 and r.getheader("ETag") not in (None, etag), "node B serves the new version: a new ETag")
        st, j, _, _ = b.request("POST", "/api/v1/grade", {"exercise": "nodes", "student": "s1", "answers": {"n": pushes}},
                                auth)
        check(st == 200 and j["score"] == 1 and j["key_version"] == 2, "and grades on the new key, version 2")

        # 64 clients grading through both while A is killed and started again
        right = {"exercise": "nodes", "answers": {"n": pushes}}
        answered, b_failed, a_failed = [], [], [0]
        stop = threading.Event()
        ports = {"a": a.port, "b": b.port}

        def client(k):
            node = "ab"[k % 2]
            src = "127.0.1.%d" % (k + 1)     # a client each: the per-address limit is not what is tested
            i = 0
            while not stop.is_set():
                body = dict(right, student="c%d-%d" % (k, i))
                i += 1
                try:
                    st, _, _, _ = request(ports[node], "POST", "/api/v1/grade", body, auth, src=src, timeout=10)
                except Exception as e:
                    st = str(e)
                if isinstance(st, int) and 200 <= st < 300:
                    answered.append(body["student"])
                elif node == "b":
                    b_failed.append(st)
                else:
                    a_failed[0] += 1
                    time.sleep(0.05)     # node A is down: its clients wait for it
        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        t0 = time.time()
        for t in threads:
            t.start()
        time.sleep(SECONDS / 4)
        a.stop(signal.SIGKILL)
        killed = time.time() - t0
        a = Server(db, port=a.port)
        back = time.time() - t0
        time.sleep(max(0.0, SECONDS - (time.time() - t0)))
        stop.set()
        for t in threads:
            t.join()
        print("  %d submissions graded in %.0f s through two nodes; node A killed at %.1f s, back at %.1f s; "
              "%d requests to A failed meanwhile" % (len(answered), time.time() - t0, killed, back, a_failed[0]))
        check(len(answered) > 500, "the clients got %d grades" % len(answered))
        check(not b_failed, "no request to node B failed (%d did: %s)" % (len(b_failed), b_failed[:5]))
        stored = dict(query(db, "select u.ext_id, count(*) from submissions s join users u on u.id = s.user_id "
                                "where u.ext_id like 'c%-%' group by u.ext_id"))
        lost = [s for s in answered if s not in stored]
        twice = [s for s, n in stored.items() if n != 1]
        check(not lost and not twice, "every submission that got a 2xx is in the database once (%d lost, %d not once)" %
              (len(lost), len(twice)))
        st, j, _, _ = a.request("GET", "/healthz")
        check(st == 200 and j["database"] == "ok", "node A answers again after SIGKILL")
    finally:
        for n in (a, b):
            n.stop()
    return summary("nodes")


if __name__ == "__main__":
    sys.exit(main())
