#!/usr/bin/env bash
# mkhttp.sh OUTFILE [CONNECTIONS] - write a large capture of real HTTP/1.1 traffic, for
# bench/run.sh (run as root; needs tcpdump and python3, and uses nginx when it is installed;
# sends nothing off the machine).
#
# A real HTTP/1.1 server listens on 127.0.0.1:80 (port 80, so that tshark dissects it as HTTP):
# nginx (Debian's nginx; a minimal nginx.conf of its own, in the foreground, no access log,
# gzip for text to clients that ask for it) when it is installed, else Python's
# http.server.ThreadingHTTPServer speaking HTTP/1.1.  It serves a small static site made
# here: HTML pages of 200 B to 60 KB (log-uniform), a style sheet, JSON files, an icon, a
# robots.txt; a form that answers POST, a login that redirects.  A threaded Python client makes
# many short connections while `tcpdump -i lo -s 0` writes what passes.  All of it happens in
# a network namespace made for the purpose (its own lo, MTU 1500, segmentation and receive
# offloads off so that the capture holds Ethernet-sized segments, real checksums); where no
# namespace can be made, on the machine's own lo (bigger segments, and only port 80 captured;
# the port must then be free).
#
# Each connection: TCP handshake from 127.0.0.2-254 (an address and port pair of its own, so
# that no pair is reused within the capture, up to 7 million connections); then, most often,
# one request and a close (by the server after `Connection: close`, or by the client), else
# 2 to 5 requests on a kept-alive connection.  Requests: GET most (pages, the style sheet,
# JSON, the icon; some with a query string, some conditional (304), some for a byte range
# (206 from nginx), some for pages that do not exist (404)), HEAD now and then, a few POSTs
# of form bodies (200, 303, or 405 for a static page); the headers of several browsers,
# curl, wget, python-requests and a crawler.
#
# It makes connections until the capture holds FRAMES frames (environment, default 200000),
# or exactly CONNECTIONS connections when that is given.  Also: THREADS (client threads,
# default 24), SEED (default 1; the site and the choices, not the timing), SERVER (nginx or
# python; default nginx when installed).
set -u
export LC_ALL=C

out=${1:?usage: mkhttp.sh OUTFILE [CONNECTIONS]}
conns=${2:-0}
frames=${FRAMES:-200000}
threads=${THREADS:-24}
seed=${SEED:-1}
port=80

die() { echo "mkhttp: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (it captures and makes a network namespace)"
for t in tcpdump python3; do
	command -v $t >/dev/null 2>&1 || die "$t is missing"
done
case $conns in *[!0-9]*) die "CONNECTIONS must be a number";; esac
case $frames in ''|*[!0-9]*) die "FRAMES must be a number";; esac
case $threads in ''|*[!0-9]*|0) die "THREADS must be a positive number";; esac
server=${SERVER:-}
if [ -z "$server" ]; then
	if command -v nginx >/dev/null 2>&1; then server=nginx; else server=python; fi
fi
case $server in
nginx) command -v nginx >/dev/null 2>&1 || die "SERVER=nginx, but nginx is missing (apt-get install nginx)";;
python) ;;
*) die "SERVER must be nginx or python";;
esac

ns=tqbench-http-$$
tmp=$(mktemp -d) || die "cannot make a temporary directory"
part=$out.part.$$
srv_pid='' dump_pid='' cli_pid='' use_ns=''
cleanup() {
	[ -z "$cli_pid" ] || kill "$cli_pid" 2>/dev/null
	[ -z "$srv_pid" ] || kill "$srv_pid" 2>/dev/null   # nginx: TERM to the master stops its workers
	[ -z "$dump_pid" ] || kill -INT "$dump_pid" 2>/dev/null
	[ -z "$cli_pid$srv_pid$dump_pid" ] || wait 2>/dev/null
	[ -z "$use_ns" ] || ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp" "$part"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
start=$(date +%s.%N)

# ---------------------------------------------------------------- the network
run=()                  # the prefix that runs a command on that network
if ip netns add "$ns" 2>/dev/null; then
	use_ns=1
	run=(ip netns exec "$ns")
	ip -n "$ns" link set lo mtu 1500 up || die "cannot bring up lo in $ns"
	if command -v ethtool >/dev/null 2>&1; then
		"${run[@]}" ethtool -K lo tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
		    echo "mkhttp: ethtool could not turn lo's offloads off; some frames will be bigger than the MTU" >&2
	else
		echo "mkhttp: ethtool is missing; some frames will be bigger than the MTU (lo's offloads stay on)" >&2
	fi
else
	echo "mkhttp: no network namespace (ip netns add failed): capturing port $port on this machine's lo" >&2
fi

# ---------------------------------------------------------------- site, server and client
cat > "$tmp/mkhttp.py" <<'EOF'
import email.utils, functools, http.client, http.server, os, random, socket, struct, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

HOST, PORT = "127.0.0.1", int(os.environ["PORT"])
WWW = os.path.join(os.environ["TMPDIR_HTTP"], "www")
VHOST = "www.tracequiz.test"

WORDS = ("packet frame segment window header checksum offset payload stream socket "
         "handshake retransmission acknowledgement sequence capture filter dissector "
         "protocol layer address port route latency bandwidth buffer queue timer the a of "
         "and to in is that for on with as by this from at be are it an or which").split()

def text(rng, n):
    out, size = [], 0
    while size < n:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]

def page(rng, title, size):
    head = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<title>%s</title>\n<link rel="stylesheet" href="/style.css">\n</head>\n<body>\n'
            '<h1>%s</h1>\n' % (title, title))
    tail = '<p><a href="/index.html">Home</a> <a href="/about.html">About</a></p>\n</body>\n</html>\n'
    body = []
    left = size - len(head) - len(tail)
    while left > 0:
        n = min(left, rng.randint(80, 900))
        p = "<p>%s</p>\n" % text(rng, max(1, n - 8))
        body.append(p)
        left -= len(p)
    return (head + "".join(body) + tail).encode()

def make_site():
    rng = random.Random(int(os.environ["SEED"]))
    os.makedirs(os.path.join(WWW, "articles"))
    os.makedirs(os.path.join(WWW, "api"))
    def put(path, data):
        with open(os.path.join(WWW, path), "wb") as f:
            f.write(data)
    put("index.html", page(rng, "tracequiz bench", 8000))
    put("about.html", page(rng, "About", 2500))
    put("contact.html", page(rng, "Contact", 1200))
    put("account.html", page(rng, "Your account", 900))
    for i in range(1, 61):
        put("articles/%03d.html" % i, page(rng, "Article %d" % i, int(200 * 300 ** rng.random())))
    css = "".join("%s.%s { margin: %dpx; padding: %dpx; color: #%06x; }\n"
                  % (rng.choice(("div", "p", "h1", "h2", "a", "li")), rng.choice(WORDS),
                     rng.randint(0, 20), rng.randint(0, 20), rng.getrandbits(24)) for _ in range(60))
    put("style.css", css.encode())
    items = ",\n".join('  {"id": %d, "name": "%s", "size": %d, "tags": ["%s", "%s"]}'
                       % (i, text(rng, 20), rng.randint(40, 1500), rng.choice(WORDS), rng.choice(WORDS))
                       for i in range(60))
    put("api/items.json", ("[\n%s\n]\n" % items).encode())
    put("api/status.json", b'{"status": "ok", "version": "1.4.2", "uptime": 81234}\n')
    put("robots.txt", b"User-agent: *\nDisallow: /api/\n")
    ico = bytes([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0]) + bytes(rng.getrandbits(8) for _ in range(304))
    put("favicon.ico", ico)

def python_server():
    class H(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "tqbench/1.0"
        def log_message(self, *a):
            pass
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            path = self.path.split("?", 1)[0]
            if path == "/submit":
                body = b"<!DOCTYPE html><title>Thanks</title><p>Thanks, your message was received.</p>\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif path == "/login":
                self.send_response(303)
                self.send_header("Location", "/account.html")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.send_error(405)
    class S(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024
    srv = S((HOST, PORT), functools.partial(H, directory=WWW))
    print("ready", flush=True)
    srv.serve_forever()

def probe():
    """exit 0 once something listens on HOST:PORT."""
    for _ in range(100):
        try:
            socket.create_connection((HOST, PORT), timeout=1).close()
            return 0
        except OSError:
            time.sleep(0.1)
    return 1

def count_frames(path, state):
    """frames in the pcap tcpdump is writing (it writes whole records, -U)."""
    try:
        with open(path, "rb") as f:
            if state["off"] == 0:
                hdr = f.read(24)
                if len(hdr) < 24:
                    return 0
                state["endian"] = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
                state["off"] = 24
            f.seek(state["off"])
            fmt = state["endian"] + "IIII"
            while True:
                h = f.read(16)
                if len(h) < 16:
                    break
                incl = struct.unpack(fmt, h)[2]
                f.seek(incl, 1)
                if f.tell() > os.fstat(f.fileno()).st_size:
                    break
                state["off"] = f.tell()
                state["n"] += 1
    except OSError:
        pass
    return state["n"]

FIREFOX = ("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
           [("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
            ("Accept-Language", "en-US,en;q=0.5"), ("Accept-Encoding", "gzip, deflate"),
            ("Connection", "keep-alive"), ("Upgrade-Insecure-Requests", "1")])
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
          [("Connection", "keep-alive"), ("Upgrade-Insecure-Requests", "1"),
           ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"),
           ("Accept-Encoding", "gzip, deflate"), ("Accept-Language", "fr-BE,fr;q=0.9,en-US;q=0.8,en;q=0.7")])
SAFARI = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
          [("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
           ("Accept-Language", "nl-BE,nl;q=0.9"), ("Accept-Encoding", "gzip, deflate"), ("Connection", "keep-alive")])
CURL = ("curl/7.88.1", [("Accept", "*/*")])
WGET = ("Wget/1.21.3", [("Accept", "*/*"), ("Accept-Encoding", "identity"), ("Connection", "Keep-Alive")])
REQUESTS = ("python-requests/2.28.1", [("Accept-Encoding", "gzip, deflate"), ("Accept", "*/*"), ("Connection", "keep-alive")])
BOT = ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
       [("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("Accept-Encoding", "gzip, deflate"), ("From", "googlebot(at)googlebot.com")])
AGENTS = [(FIREFOX, 25), (CHROME, 30), (SAFARI, 10), (CURL, 12), (WGET, 5), (REQUESTS, 10), (BOT, 8)]
MISSING = ["/wp-login.php", "/articles/999.html", "/.env", "/admin/", "/old/page.html",
           "/images/logo.png", "/api/v2/items.json", "/favicon.png", "/sitemap.xml"]

def client():
    conns, frames, threads = (int(os.environ[k]) for k in ("CONNECTIONS", "FRAMES", "THREADS"))
    pcap, master = os.environ["PCAP"], random.Random(int(os.environ["SEED"]))
    files = sorted("/" + os.path.relpath(os.path.join(d, f), WWW)
                   for d, _, fs in os.walk(WWW) for f in fs)
    articles = [f for f in files if f.startswith("/articles/")]
    big = [f for f in articles if os.path.getsize(WWW + f) > 4096]
    agents = [a for a, w in AGENTS for _ in range(w)]
    now = email.utils.formatdate(time.time(), usegmt=True)
    lock = threading.Lock()
    errors, stats = [], {}

    def one_request(rng, agent, referer):
        """(method, path, headers, body) of one request."""
        ua, hdrs = agent
        hdrs = list(hdrs)
        r = rng.random()
        body = None
        if r < 0.04:                                   # a form
            method = "POST"
            path = rng.choice(["/submit", "/submit", "/login", rng.choice(articles)])
            if path == "/login":
                body = "user=%s&password=%s" % (rng.choice(WORDS), text(rng, rng.randint(6, 14)).replace(" ", ""))
            else:
                body = "name=%s+%s&email=%s%%40example.test&message=%s" % (
                    rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS),
                    text(rng, rng.randint(10, 600)).replace(" ", "+"))
            body = body.encode()
            hdrs = [h for h in hdrs if h[0] != "Accept"] + [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", str(len(body)))]
        else:
            method = "HEAD" if r < 0.12 else "GET"
            r = rng.random()
            if r < 0.55:
                path = rng.choice(articles)
            elif r < 0.65:
                path = "/index.html" if rng.random() < 0.5 else "/"
            elif r < 0.72:
                path = "/style.css"
            elif r < 0.82:
                path = rng.choice(["/api/items.json", "/api/status.json"])
                hdrs = [h if h[0] != "Accept" else ("Accept", "application/json") for h in hdrs]
            elif r < 0.86:
                path = "/favicon.ico"
            elif r < 0.88:
                path = "/robots.txt"
            elif r < 0.94:
                path = rng.choice(MISSING)
            else:
                path = rng.choice(["/about.html", "/contact.html"])
            if method == "GET":
                q = rng.random()
                if q < 0.08:
                    path += "?ref=%s&utm_source=%s" % (rng.choice(WORDS), rng.choice(["news", "mail", "feed"]))
                elif q < 0.13:
                    hdrs.append(("If-Modified-Since", now))
                elif q < 0.16 and big:
                    path = rng.choice(big)
                    hdrs.append(("Range", "bytes=0-%d" % rng.choice([1023, 4095, 2047])))
        if referer and ua.startswith("Mozilla/5.0 (") and "Googlebot" not in ua:
            hdrs.append(("Referer", "http://%s%s" % (VHOST, referer)))
        if rng.random() < 0.15 and "Googlebot" not in ua:
            hdrs.append(("Cookie", "session=%016x; theme=%s" % (rng.getrandbits(64), rng.choice(["dark", "light"]))))
        return method, path, [("Host", VHOST), ("User-Agent", ua)] + hdrs, body

    def one(i, seed):
        rng = random.Random(seed)
        agent = rng.choice(agents)
        nreq = 1 if rng.random() < 0.7 else rng.randint(2, 5)
        close_by_server = rng.random() < 0.5        # the last request says Connection: close
        s = socket.socket()
        try:
            # an address and port pair of its own (253 addresses x 28232 ports; the port
            # is a bijection of i // 253 for each address)
            a = 2 + i % 253
            src = "127.0.0.%d" % a
            try:
                s.bind((src, 32768 + ((i // 253) * 7919 + a * 997) % 28232))
            except OSError:
                s.bind((src, 0))
            s.settimeout(30)
            s.connect((HOST, PORT))
            referer = None
            for k in range(nreq):
                method, path, hdrs, body = one_request(rng, agent, referer)
                last = k == nreq - 1
                if last and close_by_server:
                    hdrs = [h for h in hdrs if h[0] != "Connection"] + [("Connection", "close")]
                req = "%s %s HTTP/1.1\r\n%s\r\n" % (method, path, "".join("%s: %s\r\n" % h for h in hdrs))
                s.sendall(req.encode() + (body or b""))
                resp = http.client.HTTPResponse(s, method=method)
                resp.begin()
                resp.read()
                with lock:
                    stats[resp.status] = stats.get(resp.status, 0) + 1
                if resp.will_close:
                    break
                referer = path.split("?", 1)[0]
            if close_by_server:
                s.recv(1)                            # wait for the server's FIN
        except (OSError, http.client.HTTPException) as e:
            with lock:
                errors.append(repr(e))
        finally:
            s.close()

    state = {"off": 0, "n": 0}
    done, batch = 0, threads * 16
    with ThreadPoolExecutor(threads) as pool:
        while True:
            if conns:
                n = min(batch, conns - done)
                if n <= 0:
                    break
            else:                   # batches sized not to overshoot much (~12 frames a connection)
                have = count_frames(pcap, state)
                if have >= frames:
                    break
                per = have / done if done and have else 12
                n = max(1, min(batch, int((frames - have) / per) + 1))
            list(pool.map(lambda a: one(*a), [(done + j, master.getrandbits(32)) for j in range(n)]))
            done += n
            if len(errors) > max(20, done // 10):
                print("too many failed connections, e.g. %s" % errors[0], file=sys.stderr)
                sys.exit(1)
    codes = ",".join("%d:%d" % kv for kv in sorted(stats.items()))
    print(done, sum(stats.values()), codes, len(errors), errors[0] if errors else "", flush=True)

if __name__ == "__main__":
    {"site": make_site, "server": python_server, "probe": lambda: sys.exit(probe()),
     "client": client}[sys.argv[1]]()
EOF
export PORT=$port TMPDIR_HTTP=$tmp SEED=$seed

python3 "$tmp/mkhttp.py" site || die "cannot make the site"

if [ $server = nginx ]; then
	mkdir -p "$tmp/nginx" || die "cannot make $tmp/nginx"
	cat > "$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
user root;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events {
	worker_connections 4096;
}
http {
	access_log off;
	types {
		text/html html;
		text/css css;
		text/plain txt;
		application/json json;
		image/x-icon ico;
	}
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 15s;
	keepalive_requests 100;
	if_modified_since before;
	gzip on;
	gzip_min_length 1000;
	gzip_types text/css application/json;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen 127.0.0.1:$port backlog=4096;
		server_name www.tracequiz.test;
		root $tmp/www;
		index index.html;
		location = /submit {
			default_type text/html;
			return 200 "<!DOCTYPE html><title>Thanks</title><p>Thanks, your message was received.</p>\n";
		}
		location = /login {
			return 303 /account.html;
		}
	}
}
EOF
	# -e: the error log from the start, not the compiled-in /var/log/nginx/error.log
	"${run[@]}" nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
	    > "$tmp/server.out" 2> "$tmp/server.err" &
	srv_pid=$!
else
	"${run[@]}" python3 "$tmp/mkhttp.py" server > "$tmp/server.out" 2> "$tmp/server.err" &
	srv_pid=$!
fi
if ! "${run[@]}" python3 "$tmp/mkhttp.py" probe || ! kill -0 "$srv_pid" 2>/dev/null; then
	die "the HTTP server ($server) did not start: $(cat "$tmp/server.err" "$tmp/nginx/error.log" 2>/dev/null | head -n 3)"
fi

# -U: whole records as they come (the client counts them); -B: a 64 MiB buffer, no drops;
# -Z root: keep writing where root may.
"${run[@]}" tcpdump -i lo -s 0 -U -B 65536 -Z root -w "$part" "tcp port $port" 2> "$tmp/tcpdump.err" &
dump_pid=$!
for _ in $(seq 100); do
	grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && [ -s "$part" ] && break
	kill -0 "$dump_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null || die "tcpdump did not start: $(head -n 3 "$tmp/tcpdump.err")"
sleep 0.5

# in the background, so that a signal to this script is acted on at once
PCAP=$part CONNECTIONS=$conns FRAMES=$frames THREADS=$threads \
    "${run[@]}" python3 "$tmp/mkhttp.py" client > "$tmp/client.out" 2> "$tmp/client.err" &
cli_pid=$!
wait "$cli_pid" || die "the client failed: $(tail -n 3 "$tmp/client.err")"
cli_pid=''
res=$(cat "$tmp/client.out")
sleep 1                                   # the last FINs and ACKs
kill -INT "$dump_pid"; wait "$dump_pid" 2>/dev/null; dump_pid=
kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; srv_pid=

read -r nconn nreq codes failed first <<< "$res"
captured=$(awk '/packets captured/ { print $1 }' "$tmp/tcpdump.err")
dropped=$(awk '/dropped by kernel/ { print $1 }' "$tmp/tcpdump.err")
if [ -z "$captured" ] || [ "$captured" -eq 0 ]; then
	die "tcpdump captured nothing: $(tail -n 3 "$tmp/tcpdump.err")"
fi
# what tshark makes of the start of it: the requests must show as HTTP
if command -v tshark >/dev/null 2>&1; then
	nhttp=$(tshark -r "$part" -c 2000 -Y http 2>/dev/null | wc -l)
	[ "$nhttp" -gt 0 ] || echo "mkhttp: warning: tshark finds no HTTP in the first 2000 frames" >&2
fi
mv "$part" "$out" || die "cannot write $out"
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
echo "mkhttp: $out: $captured frames, $(stat -c %s "$out") bytes, $nconn connections, $nreq requests" \
     "(status:count $codes; $failed failed${first:+, e.g. $first}), server $server," \
     "${dropped:-?} dropped by the kernel, ${secs}s" >&2
[ "${dropped:-0}" = 0 ] || echo "mkhttp: warning: tcpdump lost frames; some streams have gaps" >&2
exit 0
