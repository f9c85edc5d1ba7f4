#!/usr/bin/env bash
# mkcap-http.sh [OUTDIR] - make the HTTP/1.1 test captures from real traffic between nginx
# (and a small python backend behind it) and curl, wget and a python WebSocket client, each
# side in a network namespace of its own joined by one veth pair (run as root; nothing
# leaves the namespaces).  OUTDIR defaults to tests/data.  Captured on the client's veth.
# Needs: nginx, curl, wget, python3 with python3-websockets (Debian's /usr/bin/python3),
# tcpdump, iproute2, ethtool.
#
#   http-keepalive.pcap     curl, one TCP connection (IPv4, port 80): GET / (text/html),
#                           GET /data.json (application/json), GET /missing (404), GET /docs
#                           (301 redirect, not followed), a Range request (206 Partial
#                           Content), then HEAD /
#   http-chunked-gzip.pcap  one connection: GET /page.html with Accept-Encoding: gzip (nginx
#                           gzip: Content-Encoding: gzip, Transfer-Encoding: chunked), GET
#                           /dyn/deflate (Content-Encoding: deflate, zlib stream, with
#                           Content-Length, from the backend), GET /dyn/chunked (chunked, the
#                           chunks sent apart in time, so in separate segments)
#   http-large.pcap         GET /big.txt: a 227200-byte text/plain body over ~160 segments
#   http-post-8080.pcap     nginx on port 8080 proxying to the backend: a form POST
#                           (application/x-www-form-urlencoded, user=alice&pass=s3cret, 200
#                           with Set-Cookie) and a JSON POST (201 Created, Location)
#   http-wget.pcap          wget -p over IPv6: the page, then its stylesheet and image on the
#                           same connection (User-Agent Wget, Accept-Encoding: identity)
#   http-websocket.pcap     GET /ws with Upgrade: websocket (101 Switching Protocols through
#                           nginx), masked text frames from the client, a ping and pong,
#                           unmasked text and binary frames from the server, close frames
#
#   client ns tqhttp_c              server ns tqhttp_s
#     hc 198.51.100.10/24   -------   hs 198.51.100.80/24
#        2001:db8::10/64                 2001:db8::80/64     (www.tq.test)
# With tshark installed, each capture is checked and made again (3 tries at most) when it has
# a bad checksum, a malformed frame or a TCP retransmission.  MKCAP_KEEP=1 keeps the temp dir.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here/../data}" && pwd)
C=tqhttp_c S=tqhttp_s
CA=198.51.100.10 SA=198.51.100.80 CA6=2001:db8::10 SA6=2001:db8::80
CMAC=02:00:00:00:80:10 SMAC=02:00:00:00:80:80
PY=/usr/bin/python3
x() { ip netns exec "$@"; }
tmp=
cleanup() {
	for p in $(cat "$tmp"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for n in $C $S; do ip netns del $n 2>/dev/null || true; done
	if [ -n "${MKCAP_KEEP:-}" ]; then echo "kept $tmp" >&2; elif [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
for n in $C $S; do ip netns del $n 2>/dev/null || true; done
tmp=$(mktemp -d /tmp/mkcap-http.XXXXXX)
chmod 755 "$tmp"
trap cleanup EXIT

for n in $C $S; do ip netns add $n; x $n ip link set lo up; done
ip link add hc netns $C address $CMAC type veth peer name hs netns $S address $SMAC
x $C ip addr add $CA/24 dev hc; x $C ip addr add $CA6/64 dev hc nodad
x $S ip addr add $SA/24 dev hs; x $S ip addr add $SA6/64 dev hs nodad
for i in "$C hc" "$S hs"; do
	set -- $i
	x $1 sysctl -qw net.ipv6.conf.$2.router_solicitations=0 2>/dev/null || true
	x $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	x $1 ip link set $2 up
done
x $C ip neigh replace $SA lladdr $SMAC dev hc nud permanent
x $C ip neigh replace $SA6 lladdr $SMAC dev hc nud permanent
x $S ip neigh replace $CA lladdr $CMAC dev hs nud permanent
x $S ip neigh replace $CA6 lladdr $CMAC dev hs nud permanent
sleep 1

# ---------------------------------------------------------------- the site
site=$tmp/site; mkdir -p "$site/docs" "$tmp/ngx"
$PY - "$site" <<'EOF'
import json, struct, sys, zlib
d = sys.argv[1]
def w(name, data, mode="w"):
    with open(f"{d}/{name}", mode) as f: f.write(data)
w("index.html", """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tracequiz test site</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<h1>Welcome to www.tq.test</h1>
<p>This small site is served by nginx inside a network namespace for the tracequiz
packet captures. See <a href="/page.html">a longer page</a>, <a href="/data.json">some JSON</a>
and <a href="/docs/">the documentation</a>.</p>
<p><img src="/logo.png" alt="logo" width="16" height="16"></p>
</body>
</html>
""")
w("style.css", "body { font-family: sans-serif; margin: 2em; color: #222; }\nh1 { color: #036; }\n"
  "a { color: #06c; }\nimg { border: 0; }\n")
w("data.json", json.dumps({"name": "tracequiz", "version": 1, "protocols": ["dns", "http", "ssh"],
  "ok": True, "ratio": 0.75, "owner": None}, indent=2) + "\n")
w("docs/index.html", "<!DOCTYPE html>\n<html><head><title>docs</title></head>"
  "<body><p>Documentation index.</p></body></html>\n")
para = ("The Hypertext Transfer Protocol is a stateless, application-level protocol for "
        "distributed, collaborative, hypertext information systems. ")
body = "".join(f"<h2>Section {i}</h2>\n<p>{para * 4}</p>\n" for i in range(1, 31))
w("page.html", "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>A longer page</title>"
  "</head>\n<body>\n" + body + "</body></html>\n")
# 227200 bytes of numbered text lines (71 bytes each)
lines = [f"line {i:06d}: abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 012\n" for i in range(3200)]
w("big.txt", "".join(lines))
# a 16x16 PNG, one colour
def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))
raw = b"".join(b"\0" + b"\x00\x66\xcc" * 16 for _ in range(16))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
w("logo.png", png, "wb")
EOF

# ---------------------------------------------------------------- the backend (127.0.0.1:8081)
cat > "$tmp/backend.py" <<'EOF'
import json, sys, time, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tqbackend/1.0"
    sys_version = ""
    def log_message(self, *a): pass
    def send(self, code, ctype, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in extra: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == "/dyn/deflate":
            text = ("deflate is the zlib format of RFC 1950 around RFC 1951 data.\n" * 40).encode()
            if "deflate" in self.headers.get("Accept-Encoding", ""):
                self.send(200, "text/plain; charset=utf-8", zlib.compress(text, 9),
                          [("Content-Encoding", "deflate"), ("Vary", "Accept-Encoding")])
            else:
                self.send(200, "text/plain; charset=utf-8", text)
        elif self.path == "/dyn/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i, part in enumerate(["first chunk\n", "second chunk, a little longer\n",
                                      "third\n", "fourth and last chunk of the response\n"]):
                b = part.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(b), b)); self.wfile.flush()
                time.sleep(0.2)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send(404, "text/plain", b"not found\n")
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(n)
        if self.path == "/login":
            f = parse_qs(data.decode())
            user = f.get("user", ["?"])[0]
            self.send(200, "text/html; charset=utf-8",
                      f"<html><body><p>Welcome, {user}!</p></body></html>\n".encode(),
                      [("Set-Cookie", "session=0123456789abcdef; Path=/; HttpOnly"),
                       ("Cache-Control", "no-store")])
        elif self.path == "/api/items":
            item = json.loads(data)
            item["id"] = 42
            self.send(201, "application/json", (json.dumps(item) + "\n").encode(),
                      [("Location", "/api/items/42")])
        else:
            self.send(404, "text/plain", b"not found\n")
ThreadingHTTPServer(("127.0.0.1", 8081), H).serve_forever()
EOF

# ---------------------------------------------------------------- the WebSocket server (127.0.0.1:8082)
cat > "$tmp/wsserver.py" <<'EOF'
import asyncio, websockets
async def echo(ws, path=None):
    async for msg in ws:
        if isinstance(msg, str):
            await ws.send("echo: " + msg)
        else:
            await ws.send(bytes(reversed(msg)))
async def main():
    async with websockets.serve(echo, "127.0.0.1", 8082, compression=None,
                                server_header="tqws/1.0"):
        await asyncio.Future()
asyncio.run(main())
EOF
cat > "$tmp/wsclient.py" <<'EOF'
import asyncio, socket, websockets
async def main():
    s = socket.create_connection(("198.51.100.80", 80))
    async with websockets.connect("ws://www.tq.test/ws", sock=s, compression=None,
                                  user_agent_header="tqwsclient/1.0",
                                  origin="http://www.tq.test") as ws:
        await ws.send("Hello, WebSocket!")
        print(await ws.recv())
        pong = await ws.ping(b"tq-ping")
        await pong
        await ws.send(bytes(range(16)))
        print(await ws.recv())
        await ws.send("x" * 300)   # 16-bit extended payload length
        print(len(await ws.recv()))
asyncio.run(main())
EOF

cat > "$tmp/nginx.conf" <<EOF
worker_processes 1;
daemon off;
user root;
pid $tmp/ngx/nginx.pid;
error_log $tmp/ngx/error.log info;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $tmp/ngx/access.log;
	client_body_temp_path $tmp/ngx/body;
	proxy_temp_path $tmp/ngx/proxy;
	fastcgi_temp_path $tmp/ngx/fastcgi;
	uwsgi_temp_path $tmp/ngx/uwsgi;
	scgi_temp_path $tmp/ngx/scgi;
	sendfile on;
	keepalive_timeout 65;
	gzip on;
	gzip_vary on;
	gzip_min_length 256;
	gzip_proxied any;
	gzip_types text/css application/json application/javascript text/plain;
	etag on;
	server {
		listen $SA:80;
		listen [$SA6]:80;
		server_name www.tq.test;
		root $site;
		index index.html;
		location /dyn/ {
			proxy_pass http://127.0.0.1:8081;
			proxy_http_version 1.1;
			proxy_buffering off;
			gzip off;
		}
		location /ws {
			proxy_pass http://127.0.0.1:8082;
			proxy_http_version 1.1;
			proxy_set_header Upgrade \$http_upgrade;
			proxy_set_header Connection "upgrade";
			proxy_set_header Host \$host;
		}
	}
	server {
		listen $SA:8080;
		server_name www.tq.test;
		location / {
			proxy_pass http://127.0.0.1:8081;
			proxy_http_version 1.1;
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$remote_addr;
		}
	}
}
EOF
ip netns exec $S nginx -p "$tmp/ngx" -c "$tmp/nginx.conf" >"$tmp/nginx.out" 2>&1 &
echo $! > "$tmp/nginx.pid"
ip netns exec $S $PY "$tmp/backend.py" >"$tmp/backend.out" 2>&1 &
echo $! > "$tmp/backend.pid"
ip netns exec $S $PY "$tmp/wsserver.py" >"$tmp/ws.out" 2>&1 &
echo $! > "$tmp/ws.pid"
for i in $(seq 50); do
	if x $C curl -s -o /dev/null --max-time 1 http://$SA/ && x $S $PY -c 'import socket
for p in (8081, 8082): socket.create_connection(("127.0.0.1", p))' 2>/dev/null; then break; fi
	sleep 0.2
done

# 0 when tshark (if installed) finds no bad checksum (a rare 0xffff for 0x0000 counts), no
# malformed frame and no TCP retransmission or loss in the file: else we capture again
clean() {
	command -v tshark >/dev/null || return 0
	[ -z "$(tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-o udp.check_checksum:TRUE -Y 'ip.checksum.status==0 or tcp.checksum.status==0
		or udp.checksum.status==0 or _ws.malformed or tcp.analysis.retransmission
		or tcp.analysis.lost_segment or tcp.analysis.out_of_order' 2>/dev/null)" ]
}
capture() { # name filter command...
	local name=$1 filter=$2 try pid; shift 2
	for try in 1 2 3; do
		ip netns exec $C tcpdump -Z root -U -s 0 -i hc -w "$out/$name" "$filter" 2>/dev/null &
		pid=$!
		sleep 1
		"$@" >> "$tmp/client.out" 2>&1 || echo "warning: $* failed" >&2
		sleep 1
		kill $pid; wait $pid 2>/dev/null || true
		clean "$out/$name" && break
		echo "$name: bad checksum, malformed frame or lost segment: capturing again" >&2
	done
	echo "wrote $out/$name ($(stat -c %s "$out/$name") bytes)"
}
W=http://www.tq.test
R="--resolve www.tq.test:80:$SA --resolve www.tq.test:8080:$SA"
cu() { x $C curl -s -S $R "$@"; }

keepalive() {
	cu -o /dev/null $W/ -o /dev/null $W/data.json -o /dev/null $W/missing \
		-o /dev/null $W/docs \
		--next $R -s -o /dev/null -r 0-99 $W/page.html \
		--next $R -s -o /dev/null -I $W/
}
capture http-keepalive.pcap "tcp port 80" keepalive

chunked_gzip() {
	cu -o /dev/null --compressed $W/page.html \
		--next $R -s -o /dev/null -H "Accept-Encoding: deflate" $W/dyn/deflate \
		--next $R -s -o /dev/null $W/dyn/chunked
}
capture http-chunked-gzip.pcap "tcp port 80" chunked_gzip

capture http-large.pcap "tcp port 80" cu -o /dev/null $W/big.txt

post() {
	cu -o /dev/null -d 'user=alice&pass=s3cret' $W:8080/login \
		--next $R -s -o /dev/null -H "Content-Type: application/json" \
		-d '{"name":"widget","qty":3,"tags":["a","b"]}' $W:8080/api/items
}
capture http-post-8080.pcap "tcp port 8080" post

wg() {
	x $C sh -c "cd '$tmp' && wget -nv -p -nd -P wget-out --header='Host: www.tq.test' 'http://[$SA6]/'"
}
capture http-wget.pcap "tcp port 80" wg

capture http-websocket.pcap "tcp port 80" x $C $PY "$tmp/wsclient.py"
