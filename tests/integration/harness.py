"""harness.py - what the integration tests share: the real `tracequiz serve`
on a free loopback port, HTTP requests, checks that print ok/FAIL lines, and
the database, an SQLite file or (with TQ_PG, set by tests/pg.sh) a new
database of a throwaway PostgreSQL cluster.  Standard library only."""
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time

TQ = os.environ.get("TRACEQUIZ") or os.path.join(os.getcwd(), "tracequiz")
PG = os.environ.get("TQ_PG")                 # the cluster's socket folder: the tests run on PostgreSQL
PG_USER = os.environ.get("TQ_PG_USER", "tracequiz")
made = [0]
failures = []
checks = [0]


def check(cond, what):
    checks[0] += 1
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, db, *args, port=None, env=None):
        self.db = db
        self.port = port or free_port()
        self.proc = subprocess.Popen([TQ, "serve", "--listen", "127.0.0.1:%d" % self.port, "--db", db] + list(args),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=dict(os.environ, **env) if env else None)
        self.out = []
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.out.append(line)
            if "serving http://" in line:
                threading.Thread(target=self.drain, daemon=True).start()
                return
        raise RuntimeError("the server did not start: " + "".join(self.out))

    def drain(self):
        for line in self.proc.stdout:
            self.out.append(line)

    def request(self, method, path, body=None, headers=None, raw=None, src=None):
        return request(self.port, method, path, body, headers, raw, src)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def request(port, method, path, body=None, headers=None, raw=None, src=None, timeout=30):
    """One request (from a chosen loopback address src): (status, JSON or None, bytes, response).
    A body is sent as JSON unless raw bytes (or an iterator of them, chunked) are given."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(src, 0) if src else None)
    h = dict(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        h.setdefault("Content-Type", "application/json")
    try:
        c.request(method, path, body=data, headers=h, encode_chunked="Transfer-Encoding" in h)
    except BrokenPipeError:
        pass        # the server answered before reading all: read its answer
    r = c.getresponse()
    text = r.read()
    c.close()
    try:
        j = json.loads(text)
    except ValueError:
        j = None
    return r.status, j, text, r


class Who:
    """An account's session (from a chosen loopback address): its cookie and CSRF header on every request."""

    def __init__(self, srv, name, password, src=None):
        self.srv, self.src = srv, src
        st, j, _, r = srv.request("POST", "/api/v1/session", {"name": name, "password": password}, src=src)
        if st != 200:
            raise RuntimeError("%s cannot log in: %s %s" % (name, st, j))
        self.h = {"Cookie": (r.getheader("Set-Cookie") or "").split(";")[0], "X-CSRF-Token": j["csrf"]}

    def req(self, method, path, body=None, raw=None, headers=None):
        return self.srv.request(method, path, body, dict(self.h, **(headers or {})), raw=raw, src=self.src)


def add_user(db, name, role, password):
    """An account made with the command line, its password on stdin."""
    out = subprocess.run([TQ, "user", "add", name, "--role", role, "--db", db], input=password + "\n",
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)


def token(db, user="admin"):
    out = subprocess.run([TQ, "token", "add", user, "--db", db], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip()


def new_db(tmp):
    """A new, empty database for a test: an SQLite file in folder tmp, or with TQ_PG a new
    database of the cluster, as its URI."""
    if not PG:
        return os.path.join(tmp, "tracequiz.db")
    made[0] += 1
    name = "tq_%d_%d" % (os.getpid(), made[0])
    psql("postgresql://%s@/postgres?host=%s" % (PG_USER, PG), "CREATE DATABASE " + name)
    return "postgresql://%s@/%s?host=%s" % (PG_USER, name, PG)


NULL = "\x01null"


def psql(uri, sql):
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", "\x1f", "-R", "\x1e",
                          "-P", "null=" + NULL, "-d", uri, "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("psql: " + out.stderr)
    return out.stdout


def query(db, sql):
    """The rows of one query on the test's database, as tuples: integers as int, NULL as None."""
    if not db.startswith("postgresql://"):
        con = sqlite3.connect(db)
        rows = con.execute(sql).fetchall()
        con.commit()
        con.close()
        return rows

    def value(v):
        if v == NULL:
            return None
        try:
            return int(v)
        except ValueError:
            return v
    text = psql(db, sql).rstrip("\n")
    return [tuple(value(v) for v in row.split("\x1f")) for row in text.split("\x1e") if row] if text else []


def blob(db, data):
    """Bytes as an SQL literal of the test's database."""
    return ("decode('%s', 'hex')" if db.startswith("postgresql://") else "x'%s'") % data.hex()


def intact(db):
    """The database's own check of itself: SQLite's integrity_check; PostgreSQL answering."""
    if db.startswith("postgresql://"):
        return query(db, "select 1") == [(1,)]
    return query(db, "pragma integrity_check") == [("ok",)]


def count_submissions(db):
    return query(db, "select count(*) from submissions")[0][0]




def stopped_cleanly(s):
    """Checks that server s, stopped, exited 0: under the sanitizers, no leak and no error."""
    check(s.proc.returncode == 0, "the server stops cleanly (under the sanitizers: no leak, no error)%s" %
          ("\n" + "".join(s.out[-40:]) if s.proc.returncode else ""))


def summary(name):
    print("%s: %d of %d checks passed" % (name, checks[0] - len(failures), checks[0]))
    return 1 if failures else 0


def multipart(fields, files):
    """A multipart/form-data body: fields {name: text}, files {name: (filename, bytes)}."""
    boundary = "tqboundary7MA4YWxkTrZu0gW"
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    for k, (fn, data) in files.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n" % (boundary, k, fn)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, {"Content-Type": "multipart/form-data; boundary=" + boundary}
