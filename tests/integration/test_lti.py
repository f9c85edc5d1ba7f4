#!/usr/bin/env python3
"""test_lti.py - LTI 1.3 launches against the real server, from a test
platform written here (an LMS's side: its own RSA keys and key set served
over HTTP, logins it initiates, id_tokens it signs, an OAuth 2 token
endpoint that checks the tool's signed assertion, a grade column taking
scores; Debian's python3-jwt and python3-cryptography): the tool's key set;
a valid launch logs the student in and opens the exercise; their submission's
best score reaches the platform, tried again after the platform failed once;
an instructor's launch makes them the course's teacher; a key the platform
adds is fetched; and each bad launch is refused with a page that says why:
wrong signature, unknown key, expired, a state used twice, a nonce replayed,
wrong audience, wrong deployment, no state, no cookie, "alg: none", HS256
signed with the public key, an unregistered platform.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TQ, Server, check, free_port, new_db, query, stopped_cleanly, summary, token  # noqa: E402

try:
    import jwt
except ImportError:
    # Debian's python3-jwt, for a python3 that is not Debian's own (a virtualenv, pyenv)
    sys.path.append("/usr/lib/python3/dist-packages")
try:
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
except ImportError:
    print("SKIP: python3-jwt and python3-cryptography are needed (apt-get install python3-jwt python3-cryptography)")
    sys.exit(77)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CLIENT = "tq-client"
DEPLOYMENT = "dep-1"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Platform:
    """The LMS: its keys (kid -> private key), the set it publishes, an HTTP server for it."""

    def __init__(self):
        self.keys = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        self.published = ["k1"]
        self.fetches = 0
        self.port = free_port()
        self.issuer = "http://127.0.0.1:%d" % self.port
        self.tool_jwks = None            # the tool's key set URL, to check its assertions
        self.tokens, self.assertions, self.scores, self.score_posts = [], [], [], 0
        self.fail_scores = 0             # the next score posts answered 500
        self.items, self.item_scores = [], []    # line items the tool made; scores posted to them
        platform = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self, status, obj):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                path = self.path.split("?")[0]
                if path == "/token":
                    form = dict(urllib.parse.parse_qsl(data.decode()))
                    try:
                        keys = json.loads(urllib.request.urlopen(platform.tool_jwks).read())["keys"]
                        kid = jwt.get_unverified_header(form.get("client_assertion", ""))["kid"]
                        key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps([k for k in keys if k["kid"] == kid][0]))
                        claims = jwt.decode(form["client_assertion"], key, algorithms=["RS256"],
                                            audience=platform.issuer + "/token")
                        ok = claims["iss"] == claims["sub"] == CLIENT and form.get("grant_type") == "client_credentials" \
                            and form.get("scope") in ("https://purl.imsglobal.org/spec/lti-ags/scope/score",
                                                      "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                                                      "https://purl.imsglobal.org/spec/lti-nrps/scope/"
                                                      "contextmembership.readonly") and \
                            form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                    except Exception as e:      # noqa: BLE001 - any failure is a refusal
                        ok, claims = False, str(e)
                    platform.assertions.append(claims)
                    if not ok:
                        self.answer(401, {"error": "invalid_client"})
                        return
                    tok = "tok-%d" % len(platform.tokens)
                    platform.tokens.append(tok)
                    self.answer(200, {"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
                elif path == "/lineitems":
                    item = json.loads(data)
                    if self.headers.get("Authorization", "")[7:] not in platform.tokens or \
                            self.headers.get("Content-Type") != "application/vnd.ims.lis.v2.lineitem+json":
                        self.answer(401, {"error": "unauthorized"})
                        return
                    item["id"] = platform.issuer + "/lineitems/%d/lineitem" % (len(platform.items) + 2)
                    platform.items.append(item)
                    self.answer(201, item)
                elif path.startswith("/lineitems/") and path.endswith("/lineitem/scores") and path != "/lineitems/1/lineitem/scores":
                    platform.item_scores.append((path, json.loads(data)))
                    self.answer(200, {})
                elif path == "/lineitems/1/lineitem/scores":
                    platform.score_posts += 1
                    if platform.fail_scores > 0:
                        platform.fail_scores -= 1
                        self.answer(500, {"error": "down for a moment"})
                        return
                    auth = self.headers.get("Authorization", "")
                    if auth[7:] not in platform.tokens or self.headers.get("Content-Type") != \
                            "application/vnd.ims.lis.v1.score+json" or "type_id=3" not in self.path:
                        self.answer(401, {"error": "unauthorized"})
                        return
                    platform.scores.append(json.loads(data))
                    self.answer(200, {})
                else:
                    self.send_error(404)

            def do_GET(self):
                if self.path.startswith("/lineitems?"):
                    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                    self.answer(200, [i for i in platform.items if i.get("resourceLinkId") == q.get("resource_link_id")])
                    return
                if self.path == "/members":
                    if self.headers.get("Authorization", "")[7:] not in platform.tokens or \
                            self.headers.get("Accept") != "application/vnd.ims.lti-nrps.v2.membershipcontainer+json":
                        self.answer(401, {"error": "unauthorized"})
                        return
                    learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
                    self.answer(200, {"id": platform.issuer + "/members", "context": {"id": "course-7"}, "members": [
                        {"user_id": "stu-42", "roles": [learner], "status": "Active"},
                        {"user_id": "stu-new", "roles": ["Learner"]},
                        {"user_id": "ta-9", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]},
                        {"user_id": "gone-1", "roles": [learner], "status": "Inactive"}]})
                    return
                if self.path != "/jwks":
                    self.send_error(404)
                    return
                platform.fetches += 1
                body = json.dumps({"keys": [platform.jwk(k) for k in platform.published]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def jwk(self, kid):
        n = self.keys[kid].public_key().public_numbers()
        return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
                "n": b64(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big")), "e": b64(n.e.to_bytes(3, "big"))}

    def claims(self, nonce, sub="stu-42", roles=None, **over):
        now = int(time.time())
        c = {"iss": self.issuer, "aud": CLIENT, "sub": sub, "nonce": nonce, "iat": now, "exp": now + 300,
             "name": "Stu Dent",
             CLAIM + "deployment_id": DEPLOYMENT, CLAIM + "message_type": "LtiResourceLinkRequest",
             CLAIM + "version": "1.3.0",
             CLAIM + "roles": roles or ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
             CLAIM + "context": {"id": "course-7", "label": "NET101", "title": "Computer networks"},
             CLAIM + "resource_link": {"id": "link-1"},
             CLAIM + "target_link_uri": "http://tool.example/lti/launch",
             CLAIM + "custom": {"exercise": "smtp-over-tls"},
             "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                 "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                           "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                 "lineitem": self.issuer + "/lineitems/1/lineitem?type_id=3",
                 "lineitems": self.issuer + "/lineitems?type_id=3"},
             "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                 "context_memberships_url": self.issuer + "/members", "service_versions": ["2.0"]}}
        c.update(over)
        return c

    def deep_claims(self, nonce, roles=None, multiple=True):
        c = self.claims(nonce, sub="prof-1", roles=roles or ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
                        **{CLAIM + "message_type": "LtiDeepLinkingRequest"})
        for k in (CLAIM + "resource_link", CLAIM + "custom", "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"):
            del c[k]
        c["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
            "deep_link_return_url": self.issuer + "/deeplink-return", "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"], "accept_multiple": multiple, "data": "opaque-7"}
        return c

    def sign(self, claims, kid="k1", key=None):
        pem = (key or self.keys[kid]).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption())
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})

    def forged(self, claims, alg):
        """A token with alg none, or HS256 whose secret is the public key (the classic confusion)."""
        head = b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "k1"}).encode())
        body = b64(json.dumps(claims).encode())
        if alg == "none":
            return head + "." + body + "."
        pub = self.keys["k1"].public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)
        return head + "." + body + "." + b64(hmac.new(pub, (head + "." + body).encode(), hashlib.sha256).digest())


def login(s, platform, issuer=None):
    """The platform starts a login: (status, the state, the nonce, the state cookie, the response)."""
    qs = urllib.parse.urlencode({"iss": issuer or platform.issuer, "login_hint": "stu-42", "client_id": CLIENT,
                                 "target_link_uri": "http://127.0.0.1:%d/lti/launch" % s.port, "lti_message_hint": "m"})
    st, _, text, r = s.request("GET", "/lti/login?" + qs)
    loc = r.getheader("Location") or ""
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
    cookie = (r.getheader("Set-Cookie") or "").split(";")[0]
    return st, q.get("state"), q.get("nonce"), cookie, r, q, loc, text


def launch(s, token, state, cookie, origin):
    form = {}
    if token is not None:
        form["id_token"] = token
    if state is not None:
        form["state"] = state
    h = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
    if cookie:
        h["Cookie"] = cookie
    st, _, text, r = s.request("POST", "/lti/launch", raw=urllib.parse.urlencode(form).encode(), headers=h)
    return st, text.decode("utf-8", "replace"), r


def main():
    tmp = tempfile.mkdtemp(prefix="tq-lti-")
    db = new_db(tmp)
    p = Platform()
    out = subprocess.run([TQ, "lti", "add", "--issuer", p.issuer, "--client-id", CLIENT, "--auth-url", p.issuer + "/auth",
                          "--token-url", p.issuer + "/token", "--jwks-url", p.issuer + "/jwks", "--deployment", DEPLOYMENT,
                          "--db", db], capture_output=True, text=True)
    check(out.returncode == 0 and "registered" in out.stdout, "tracequiz lti add registers the platform: %s" %
          (out.stdout + out.stderr).strip())
    out = subprocess.run([TQ, "lti", "add", "--issuer", "ftp://x", "--client-id", CLIENT, "--auth-url", p.issuer,
                          "--token-url", p.issuer, "--jwks-url", p.issuer, "--deployment", "d", "--db", db],
                         capture_output=True, text=True)
    check(out.returncode == 2 and "--issuer" in out.stderr, "a registration with a URL that is not http(s) is refused")
    bad = subprocess.run([TQ, "serve", "--db", db, "--frame-ancestors", "https://x.edu/path"], capture_output=True,
                         text=True)
    check(bad.returncode == 2 and "--frame-ancestors" in bad.stderr, "--frame-ancestors takes origins only")
    s = Server(db, "--frame-ancestors", "https://school.instructure.com")
    p.tool_jwks = "http://127.0.0.1:%d/lti/jwks" % s.port
    try:
        # the LMS may show tracequiz's pages in its frame: its origin (and those given) in frame-ancestors
        st, _, _, r = s.request("GET", "/")
        csp = r.getheader("Content-Security-Policy") or ""
        st2, _, _, r2 = s.request("GET", "/api/v1/openapi.json")
        check(st == 200 and "frame-ancestors 'self' %s https://school.instructure.com" % p.issuer in csp and
              "frame-ancestors 'none'" in (r2.getheader("Content-Security-Policy") or ""),
              "the app's page may be framed by the platform and the origin given, the API by nothing: %s" % csp)
        # the tool's own key set
        st, j, _, _ = s.request("GET", "/lti/jwks")
        keys = j.get("keys", []) if j else []
        check(st == 200 and len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and
              keys[0]["kid"] and len(base64.urlsafe_b64decode(keys[0]["n"] + "==")) == 256,
              "GET /lti/jwks: the tool's RSA key of 2048 bits")
        st, j2, _, _ = s.request("GET", "/lti/jwks")
        check(j2 == j, "and the same key on the next request")

        # a login: redirected to the platform with a state and a nonce, the state in a cookie
        st, state, nonce, cookie, r, q, loc, _ = login(s, p)
        check(st == 302 and loc.startswith(p.issuer + "/auth?") and q.get("client_id") == CLIENT and
              q.get("response_mode") == "form_post" and q.get("response_type") == "id_token" and
              q.get("scope") == "openid" and q.get("prompt") == "none" and q.get("login_hint") == "stu-42" and
              q.get("lti_message_hint") == "m" and q.get("redirect_uri") == "http://127.0.0.1:%d/lti/launch" % s.port,
              "GET /lti/login redirects to the platform's authorization with the OIDC parameters")
        check(state and nonce and len(state) == 64 and cookie == "tq_lti_state=" + state and
              "HttpOnly" in (r.getheader("Set-Cookie") or ""), "a state and a nonce, the state kept in an HttpOnly cookie")

        # the valid launch
        t0 = time.time()
        st, text, r = launch(s, p.sign(p.claims(nonce)), state, cookie, p.issuer)
        session = (r.getheader("Set-Cookie") or "").split(";")[0]
        check(st == 303 and r.getheader("Location") == "/#/exercises/smtp-over-tls" and session.startswith("tq_session="),
              "a valid launch opens a session and goes to the exercise (%d %s)" % (st, r.getheader("Location")))
        st, me, _, _ = s.request("GET", "/api/v1/session", headers={"Cookie": session})
        check(st == 200 and me["role"] == "student" and me["name"] == "lti1-stu-42", "the launch's user is a student: %s" % me)
        st, ex, _, _ = s.request("GET", "/api/v1/exercises/smtp-over-tls", headers={"Cookie": session})
        check(st == 200 and ex["exercise"]["questions"], "and reads the exercise")
        st, cl, _, _ = s.request("GET", "/api/v1/courses", headers={"Cookie": session})
        mine = [c for c in cl.get("courses", []) if c.get("enrolled")]
        check(st == 200 and [c["title"] for c in mine] == ["Computer networks"],
              "the context became a course, the student enrolled in it: %s" % mine)
        # the student answers: the score goes to the platform's grade column (which fails once first)
        p.fail_scores = 1
        h = {"Cookie": session, "X-CSRF-Token": me["csrf"]}
        st, graded, _, _ = s.request("POST", "/api/v1/exercises/smtp-over-tls/submissions",
                                     {"answers": {"q1": "smtp.campus.example", "q2": "TLS 1.2", "q3": 3}}, h)
        check(st == 201 and graded["score"] == 3, "the launched student submits: 3 of 3")

        def refused(what, st, text, status, words, logged=None, since=0):
            """A refusal: the status, the page's words, and (logged) the detail in the server's log."""
            time.sleep(0.05)        # the drain thread reads the log
            log = "".join(s.out[since:])
            ok = st == status and "<h1>tracequiz could not open this activity</h1>" in text and words in text and \
                (logged is None or logged in log)
            check(ok, "%s: refused, %d, with a page that says so%s%s" % (
                what, status, ", the log says why" if logged else "",
                "" if ok else " (%d: %s | log: %s)" % (st, text[:200], log[-300:])))

        # a state is used once
        st, text, _ = launch(s, p.sign(p.claims(nonce)), state, cookie, p.issuer)
        refused("the same state twice", st, text, 403, "expired or was used already")
        # each bad token, each on a login of its own
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cases = [
            ("a wrong signature", lambda n: p.sign(p.claims(n), kid="k1", key=other), 401, "could not be verified",
             "signature does not verify"),
            ("an unknown key", lambda n: p.sign(p.claims(n), kid="k9", key=other), 401, "could not be verified",
             "no key 'k9'"),
            ("an expired token", lambda n: p.sign(p.claims(n, exp=int(time.time()) - 600, iat=int(time.time()) - 900)),
             401, "was refused", "has expired"),
            ("a replayed nonce", lambda n: p.sign(p.claims(nonce)), 401, "was refused", "nonce is not the login's"),
            ("a wrong audience", lambda n: p.sign(p.claims(n, aud="another-tool")), 401, "was refused", "audience"),
            ("a wrong issuer", lambda n: p.sign(p.claims(n, iss="http://lms.invalid")), 401, "was refused",
             "issuer is not the platform's"),
            ("a wrong deployment", lambda n: p.sign(p.claims(n, **{CLAIM + "deployment_id": "dep-9"})), 401,
             "was refused", "deployment is not one registered"),
            ("alg none", lambda n: p.forged(p.claims(n), "none"), 401, "could not be verified", "signed with 'none'"),
            ("HS256 with the public key", lambda n: p.forged(p.claims(n), "HS256"), 401, "could not be verified",
             "signed with 'HS256'"),
            ("a learner's deep linking request", lambda n: p.sign(p.deep_claims(n, roles=[
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])), 403, "instructors add tracequiz activities",
             "from a learner"),
            ("a message of another type", lambda n: p.sign(p.claims(n, **{CLAIM + "message_type": "LtiSubmissionReview"})),
             401, "was refused", "neither a resource link's"),
            ("a launch without a user", lambda n: p.sign(p.claims(n, sub="")), 401, "was refused", "names no user"),
        ]
        for what, make, status, words, logged in cases:
            st, state2, nonce2, cookie2, _, _, _, _ = login(s, p)
            since = len(s.out)
            st, text, _ = launch(s, make(nonce2), state2, cookie2, p.issuer)
            refused(what, st, text, status, words, logged, since)
        st, state2, nonce2, cookie2, _, _, _, _ = login(s, p)
        st, text, _ = launch(s, p.sign(p.claims(nonce2)), None, cookie2, p.issuer)
        refused("no state", st, text, 400, "no state")
        st, text, _ = launch(s, p.sign(p.claims(nonce2)), state2, None, p.issuer)
        refused("no state cookie (another browser)", st, text, 403, "did not start in this browser")
        st, _, _, _, _, _, _, text = login(s, p, issuer="http://lms.invalid")
        refused("a login from an unregistered platform", st, text.decode(), 403, "not registered")
        logged = "".join(s.out)
        check(nonce not in logged and state not in logged, "the log holds no state and no nonce")

        # a key the platform adds: its set fetched again (not before 10 s after the last fetch)
        p.keys["k2"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        p.published = ["k1", "k2"]
        time.sleep(max(0.0, 10.5 - (time.time() - t0)))
        before = p.fetches
        st, state3, nonce3, cookie3, _, _, _, _ = login(s, p)
        st, text, r = launch(s, p.sign(p.claims(nonce3), kid="k2"), state3, cookie3, p.issuer)
        check(st == 303 and p.fetches == before + 1, "a launch signed with a new key fetches the key set again and "
              "passes (%d; %d fetch)" % (st, p.fetches - before))

        # the score sent, after the platform's failure, once; a worse answer later sends the best again
        deadline = time.time() + 20
        while not p.scores and time.time() < deadline:
            time.sleep(0.2)
        sc = p.scores[0] if p.scores else {}
        check(sc.get("userId") == "stu-42" and sc.get("scoreGiven") == 3 and sc.get("scoreMaximum") == 3 and
              sc.get("activityProgress") == "Completed" and sc.get("gradingProgress") == "FullyGraded" and
              sc.get("timestamp", "").endswith("Z"),
              "the best score reaches the platform's grade column: %s" % sc)
        check(p.score_posts == 2 and len(p.tokens) == 1 and isinstance(p.assertions[0], dict),
              "after one post the platform failed, tried again; one access token, asked with the tool's signed "
              "assertion (%d posts, %d tokens: %s)" % (p.score_posts, len(p.tokens), p.assertions[:1]))
        check("not sent (try 1" in "".join(s.out), "the failed post is in the log")
        st, graded, _, _ = s.request("POST", "/api/v1/exercises/smtp-over-tls/submissions",
                                     {"answers": {"q1": "smtp", "q2": "TLS 1.3", "q3": 1}}, h)
        deadline = time.time() + 10
        while len(p.scores) < 2 and time.time() < deadline:
            time.sleep(0.2)
        check(st == 201 and graded["score"] == 0 and len(p.scores) == 2 and p.scores[1]["scoreGiven"] == 3,
              "a worse answer later: the best, 3, is sent again (%s)" % p.scores[1:])
        # the row goes once the platform has answered: a moment after it recorded the score
        deadline = time.time() + 10
        while query(db, "select count(*) from lti_scores")[0][0] and time.time() < deadline:
            time.sleep(0.1)
        check(query(db, "select count(*) from lti_scores")[0][0] == 0, "and nothing is left to send")
        # the course's teacher sends every score again (the demo course's: the admin teaches it)
        bearer = {"Authorization": "Bearer " + token(db)}
        st, j, _, _ = s.request("POST", "/api/v1/courses/demo/lti-grades", headers=bearer)
        deadline = time.time() + 10
        while len(p.scores) < 3 and time.time() < deadline:
            time.sleep(0.2)
        check(st == 200 and j["queued"] == 1 and len(p.scores) == 3 and p.scores[2]["scoreGiven"] == 3,
              "POST .../courses/demo/lti-grades sends every score again: %s" % j)
        deadline = time.time() + 10
        while query(db, "select count(*) from lti_scores")[0][0] and time.time() < deadline:
            time.sleep(0.1)
        st, j, _, _ = s.request("GET", "/api/v1/courses/demo/lti-grades", headers=bearer)
        st2, _, _, _ = s.request("GET", "/api/v1/courses/demo/lti-grades", headers={"Cookie": session})
        check(st == 200 and j["pending"] == [] and st2 == 403, "none pending; a student may not ask")

        # a link the LMS gave no grade column, but lets the tool make one: made once, and scores go there
        ags = {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                         "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
               "lineitems": p.issuer + "/lineitems"}
        for who in ("stu-77", "stu-78"):
            st, state6, nonce6, cookie6, _, _, _, _ = login(s, p)
            st, text, r = launch(s, p.sign(p.claims(nonce6, sub=who, **{
                CLAIM + "resource_link": {"id": "link-2"},
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": ags})), state6, cookie6, p.issuer)
            ses6 = (r.getheader("Set-Cookie") or "").split(";")[0]
        st, me6, _, _ = s.request("GET", "/api/v1/session", headers={"Cookie": ses6})
        st, graded, _, _ = s.request("POST", "/api/v1/exercises/smtp-over-tls/submissions",
                                     {"answers": {"q1": "smtp.campus.example", "q2": "TLS 1.0", "q3": 3}},
                                     {"Cookie": ses6, "X-CSRF-Token": me6["csrf"]})
        deadline = time.time() + 10
        while not p.item_scores and time.time() < deadline:
            time.sleep(0.2)
        it = p.items[0] if p.items else {}
        check(len(p.items) == 1 and it.get("resourceLinkId") == "link-2" and it.get("scoreMaximum") == 3 and
              it.get("resourceId") == "smtp-over-tls" and it.get("label") == "SMTP over TLS",
              "the grade column is made once, for the link, out of the exercise's points: %s" % p.items)
        check(st == 201 and p.item_scores and p.item_scores[0][0] == "/lineitems/2/lineitem/scores" and
              p.item_scores[0][1]["userId"] == "stu-78" and p.item_scores[0][1]["scoreGiven"] == 2,
              "and the student's score goes to it: %s" % p.item_scores)

        # the tool's key rotated: the new one signs, the old one still published
        out = subprocess.run([TQ, "lti", "rotate-key", "--keep-days", "2", "--db", db], capture_output=True, text=True)
        st, j, _, _ = s.request("GET", "/lti/jwks")
        kids = [k["kid"] for k in j.get("keys", [])]
        new_kid = kids[0] if kids else None
        check(out.returncode == 0 and len(kids) == 2 and kids[1] == keys[0]["kid"] and new_kid != keys[0]["kid"],
              "tracequiz lti rotate-key: a new key signs, the old one is still published (%s)" % kids)

        # deep linking: the instructor picks an exercise, it goes back signed to the platform
        st, state5, nonce5, cookie5, _, _, _, _ = login(s, p)
        st, text, r = launch(s, p.sign(p.deep_claims(nonce5)), state5, cookie5, p.issuer)
        ctx = re.search(r'name="ctx" value="([^"]+)"', text)
        check(st == 200 and 'action="/lti/deeplink"' in text and 'type="checkbox" name="exercise" value="smtp-over-tls"'
              in text and ctx, "a deep linking launch shows the instructor the exercises to pick (%d)" % st)
        ctx = ctx.group(1) if ctx else ""
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        st, _, body, r = s.request("POST", "/lti/deeplink", headers=form,
                                   raw=urllib.parse.urlencode({"ctx": ctx, "exercise": "smtp-over-tls"}).encode())
        body = body.decode()
        back = re.search(r'<form id="lti-post" method="post" action="([^"]+)">\s*<input type="hidden" name="JWT" '
                         r'value="([^"]+)"', body)
        check(st == 200 and back and back.group(1) == p.issuer + "/deeplink-return" and
              '<script src="/js/lti-post.js"></script>' in body, "the pick comes back as a page that posts to the "
              "platform's return URL")
        tool = json.loads(urllib.request.urlopen(p.tool_jwks).read())["keys"]
        resp = {}
        try:
            tok = back.group(2)
            kid = jwt.get_unverified_header(tok)["kid"]
            key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps([k for k in tool if k["kid"] == kid][0]))
            resp = jwt.decode(tok, key, algorithms=["RS256"], audience=p.issuer)
            if kid != new_kid:
                resp = {"error": "signed with %s, not the new key %s" % (kid, new_kid)}
        except Exception as e:      # noqa: BLE001 - reported by the check
            resp = {"error": str(e)}
        items = resp.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items", [])
        it = items[0] if items else {}
        check(resp.get("iss") == CLIENT and resp.get(CLAIM + "message_type") == "LtiDeepLinkingResponse" and
              resp.get(CLAIM + "version") == "1.3.0" and resp.get(CLAIM + "deployment_id") == DEPLOYMENT and
              resp.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") == "opaque-7" and resp.get("nonce"),
              "the response is signed by the tool's key, for the platform, with its data: %s" % {
                  k: v for k, v in resp.items() if "content_items" not in k})
        check(len(items) == 1 and it.get("type") == "ltiResourceLink" and it.get("custom") == {"exercise": "smtp-over-tls"}
              and it.get("url", "").endswith("/lti/launch") and it.get("lineItem", {}).get("scoreMaximum") == 3 and
              it.get("lineItem", {}).get("resourceId") == "smtp-over-tls",
              "a resource link to the exercise with its grade column (3 points): %s" % it)
        st, _, body, _ = s.request("POST", "/lti/deeplink", headers=form,
                                   raw=urllib.parse.urlencode({"ctx": ctx[:-4] + "AAAA", "exercise": "smtp-over-tls"}).encode())
        refused("a deep linking form whose context was tampered with", st, body.decode(), 403, "has expired or was not")
        st, _, body, _ = s.request("POST", "/lti/deeplink", headers=form,
                                   raw=urllib.parse.urlencode({"ctx": ctx, "exercise": "nope"}).encode())
        refused("a deep linking form naming no exercise there is", st, body.decode(), 400, "no exercise")

        # an instructor's launch: the course's teacher
        st, state4, nonce4, cookie4, _, _, _, _ = login(s, p)
        st, text, r = launch(s, p.sign(p.claims(nonce4, sub="prof-1",
                                                roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"])),
                             state4, cookie4, p.issuer)
        prof = (r.getheader("Set-Cookie") or "").split(";")[0]
        st, me, _, _ = s.request("GET", "/api/v1/session", headers={"Cookie": prof})
        st2, cl, _, _ = s.request("GET", "/api/v1/courses", headers={"Cookie": prof})
        taught = [c["title"] for c in cl.get("courses", []) if c.get("teaching")]
        check(me and me["role"] == "instructor" and taught == ["Computer networks"],
              "an instructor's launch makes an instructor who teaches the course: %s %s" % (me, taught))

        # the roster from the LMS (NRPS): members not launched yet become the course's, the inactive not
        st, j, _, _ = s.request("POST", "/api/v1/courses/lti1-course-7/lti-members",
                                headers={"Cookie": prof, "X-CSRF-Token": me["csrf"]})
        enrolled = sorted(r[0] for r in query(db, "select u.name from enrolments n join users u on u.id = n.user_id "
                                                  "join courses c on c.id = n.course_id where c.slug = 'lti1-course-7'"))
        teachers = sorted(r[0] for r in query(db, "select u.name from teachers t join users u on u.id = t.user_id "
                                                  "join courses c on c.id = t.course_id where c.slug = 'lti1-course-7'"))
        check(st == 200 and j["members"] == 3 and j["accounts_made"] == 2 and
              enrolled == ["lti1-stu-42", "lti1-stu-77", "lti1-stu-78", "lti1-stu-new"] and
              teachers == ["lti1-prof-1", "lti1-ta-9"],
              "the course's teacher syncs its roster from the LMS: %s; enrolled %s, teachers %s" % (j, enrolled, teachers))
        st, j, _, _ = s.request("POST", "/api/v1/courses/demo/lti-members", headers={"Authorization": "Bearer " + token(db)})
        check(st == 422 and "lists no members" in j["error"], "a course that is no LMS's has no roster to sync")
    finally:
        s.stop()
    stopped_cleanly(s)
    p.httpd.shutdown()
    return summary("lti")


if __name__ == "__main__":
    sys.exit(main())
