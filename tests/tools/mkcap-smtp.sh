#!/usr/bin/env bash
# mkcap-smtp.sh OUTDIR - make the SMTP/TLS test captures from real traffic between network
# namespaces joined by veth pairs (run as root; sends nothing outside them).  Needs python3
# (stdlib only: socket, ssl, smtplib), openssl, tcpdump and ethtool.  The server and client
# below are ours; the certificate is self-signed and made at run time.  Captured on the client.
#   smtp-starttls-25-eth-ipv4.pcap       SMTP on port 25: EHLO, STARTTLS, 220, a TLS 1.2
#                                        handshake (ECDHE-RSA-AES128-GCM-SHA256 only), then
#                                        EHLO, MAIL, RCPT, DATA with a short message, QUIT
#                                        and close_notify both ways, all inside TLS
#   smtp-starttls-25-tls13-eth-ipv6.pcap the same over IPv6 with TLS 1.3
#   tls-ooo-retrans-eth-ipv4.pcap        a TLS 1.2 (ECDHE-RSA-AES256-GCM-SHA384) HTTP fetch of
#                                        48 KB through a user-space bridge (netem may be
#                                        missing) that delays every frame, holds some of the
#                                        server's segments back a little and drops a few:
#                                        out-of-order segments, retransmissions, duplicate
#                                        ACKs and SACK as the client sees them
#
#   client ns tqsm_c          server ns tqsm_s           (SMTP: one veth pair)
#     sc 198.51.100.1/24  --  ss 198.51.100.2/24
#     2001:db8:25::1/64       2001:db8:25::2/64
#
#   client ns tqsm_c        bridge ns tqsm_r         server ns tqsm_s   (TLS: two pairs)
#     tc0 203.0.113.1/24 -- rc   [bridge.py]   rs -- ts0 203.0.113.2/24
set -eu
out=$(cd "${1:?usage: mkcap-smtp.sh OUTDIR}" && pwd)
C=tqsm_c S=tqsm_s R=tqsm_r
x() { ip netns exec "$@"; }
delns() { for n in $C $S $R; do ip netns del $n 2>/dev/null || true; done; }
delns
tmp=$(mktemp -d)
trap 'delns; rm -rf "$tmp"' EXIT
for n in $C $S $R; do ip netns add $n; x $n ip link set lo up; done
# the bridge namespace has no addresses and sends nothing of its own
x $R sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

ip link add sc netns $C type veth peer name ss netns $S
ip link add tc0 netns $C type veth peer name rc netns $R
ip link add ts0 netns $S type veth peer name rs netns $R
x $C ip link set sc address 02:00:00:00:25:01; x $S ip link set ss address 02:00:00:00:25:02
x $C ip link set tc0 address 02:00:00:00:43:01; x $S ip link set ts0 address 02:00:00:00:43:02
x $C ip addr add 198.51.100.1/24 dev sc; x $S ip addr add 198.51.100.2/24 dev ss
x $C ip addr add 2001:db8:25::1/64 dev sc nodad; x $S ip addr add 2001:db8:25::2/64 dev ss nodad
x $C ip addr add 203.0.113.1/24 dev tc0; x $S ip addr add 203.0.113.2/24 dev ts0
# checksums computed by the stack (a bridge forwarding a partial checksum would be dropped),
# no segmentation or receive offloads: every frame on the wire as sent
for i in "$C sc" "$S ss" "$C tc0" "$S ts0" "$R rc" "$R rs"; do
	set -- $i
	x $1 ethtool -K $2 tx off tso off gso off gro off >/dev/null 2>&1 || true
	x $1 ip link set $2 up
done
x $R ip link set rc promisc on; x $R ip link set rs promisc on
sleep 1

openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mail.example.org" \
	-addext "subjectAltName=DNS:mail.example.org,DNS:www.example.org" \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null

capture() { # netns iface name filter command...
	local ns=$1 dev=$2 name=$3 filter=$4; shift 4
	ip netns exec $ns tcpdump -U -s 0 -i $dev -w "$out/$name" "$filter" 2>/dev/null &
	local pid=$!
	sleep 1
	"$@"
	sleep 1
	kill $pid; wait $pid 2>/dev/null || true
}

# ---- SMTP server: one session, STARTTLS, then the mail transaction inside TLS
cat > "$tmp/smtpd.py" <<'EOF'
import socket, ssl, sys
addr, tls, cert, key = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if tls == "1.2":
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
else:
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.num_tickets = 1
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 25)); s.listen(1)
c, _ = s.accept()
buf = b""
def line():
    global buf
    while b"\r\n" not in buf:
        d = c.recv(4096)
        if not d: return None
        buf += d
    l, buf = buf.split(b"\r\n", 1)
    return l
def say(*lines):
    c.sendall(b"".join(l.encode() + b"\r\n" for l in lines))
say("220 mail.example.org ESMTP tracequiz test server")
intls = False
while True:
    l = line()
    if l is None: break
    verb = l.split(b" ", 1)[0].upper()
    if verb == b"EHLO":
        ext = ["SIZE 10240000", "8BITMIME"] + ([] if intls else ["STARTTLS"]) + ["HELP"]
        say("250-mail.example.org Hello " + l[5:].decode(),
            *["250-" + e for e in ext[:-1]], "250 " + ext[-1])
    elif verb == b"STARTTLS":
        say("220 2.0.0 Ready to start TLS")
        c = ctx.wrap_socket(c, server_side=True); intls = True; buf = b""
    elif verb == b"MAIL": say("250 2.1.0 Ok")
    elif verb == b"RCPT": say("250 2.1.5 Ok")
    elif verb == b"DATA":
        say("354 End data with <CR><LF>.<CR><LF>")
        while line() not in (b".", None): pass
        say("250 2.0.0 Ok: queued as 4F2A1C0B7E")
    elif verb == b"QUIT":
        say("221 2.0.0 Bye")
        break
    else: say("502 5.5.2 Error: command not recognized")
# wait for the client's close_notify, answer it, then close
try:
    while c.recv(4096): pass
except (ssl.SSLError, OSError): pass
try: c.unwrap()
except (ssl.SSLError, OSError): pass
c.close()
EOF

# ---- SMTP client: smtplib, STARTTLS pinned to one version (and one suite for TLS 1.2)
cat > "$tmp/smtpc.py" <<'EOF'
import smtplib, ssl, sys
addr, tls = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
if tls == "1.2":
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
else:
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
msg = ("From: Alice Example <alice@client.example.org>\r\n"
       "To: Bob Example <bob@example.org>\r\n"
       "Subject: STARTTLS test\r\n"
       "Date: Mon, 03 Jun 2024 10:00:00 +0000\r\n"
       "Message-ID: <starttls-test-1@client.example.org>\r\n"
       "MIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=us-ascii\r\n"
       "\r\n"
       "Hello Bob,\r\n"
       "this message travelled inside TLS after STARTTLS.\r\n"
       "Alice\r\n")
m = smtplib.SMTP(addr, 25, local_hostname="client.example.org")
m.ehlo()
m.starttls(context=ctx)
m.ehlo()
m.sendmail("alice@client.example.org", ["bob@example.org"], msg)
m.docmd("QUIT")
m.sock.unwrap()    # close_notify, and wait for the server's
m.sock.close()
EOF

smtp() { # server-address tls-version
	ip netns exec $S python3 "$tmp/smtpd.py" $1 $2 "$tmp/cert.pem" "$tmp/key.pem" &
	local srv=$!
	sleep 0.5
	x $C python3 "$tmp/smtpc.py" $1 $2
	wait $srv
}
capture $C sc smtp-starttls-25-eth-ipv4.pcap "tcp port 25" smtp 198.51.100.2 1.2
capture $C sc smtp-starttls-25-tls13-eth-ipv6.pcap "tcp port 25" smtp 2001:db8:25::2 1.3

# ---- the bridge: forwards frames between rc and rs after a delay; of the server's data
# segments it holds some back a little longer (reordering) and drops a few (seeded)
cat > "$tmp/bridge.py" <<'EOF'
import heapq, random, select, socket, sys, time
seed, delay, hold, p_hold, p_drop = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
random.seed(seed)
ETH_P_ALL = 3
sk = {}
for dev in ("rc", "rs"):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((dev, ETH_P_ALL)); sk[dev] = s
other = {"rc": "rs", "rs": "rc"}
q = []; n = 0
def data_from_server(f):
    # IPv4, TCP, source port 443, with payload
    if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6: return False
    ihl = (f[14] & 15) * 4; tcp = 14 + ihl
    if int.from_bytes(f[tcp:tcp + 2], "big") != 443: return False
    tlen = int.from_bytes(f[16:18], "big")
    return tlen - ihl - (f[tcp + 12] >> 4) * 4 > 0
while True:
    now = time.monotonic()
    while q and q[0][0] <= now:
        _, _, dev, f = heapq.heappop(q)
        sk[dev].send(f)
    r, _, _ = select.select(list(sk.values()), [], [], max(0, q[0][0] - now) if q else 1)
    for s in r:
        f, a = s.recvfrom(65535)
        if a[2] == socket.PACKET_OUTGOING: continue
        d = delay
        if a[0] == "rs" and data_from_server(f):
            u = random.random()
            if u < p_drop: continue
            if u < p_drop + p_hold: d += hold
        n += 1
        heapq.heappush(q, (time.monotonic() + d, n, other[a[0]], f))
EOF

cat > "$tmp/httpsd.py" <<'EOF'
import socket, ssl, sys
cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers("ECDHE-RSA-AES256-GCM-SHA384")
ctx.options |= ssl.OP_NO_TICKET
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("203.0.113.2", 443)); s.listen(1)
c, _ = s.accept()
c = ctx.wrap_socket(c, server_side=True)
req = b""
while b"\r\n\r\n" not in req:
    d = c.recv(4096)
    if not d: break
    req += d
body = b"".join(b"%05d tracequiz test data, line after line, to fill a few dozen segments.\n" % i
                for i in range(640))[:48000]
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
          b"Connection: close\r\n\r\n" % len(body) + body)
try:
    while c.recv(4096): pass
except (ssl.SSLError, OSError): pass
try: c.unwrap()
except (ssl.SSLError, OSError): pass
c.close()
EOF

cat > "$tmp/httpsc.py" <<'EOF'
import socket, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
c = ctx.wrap_socket(socket.create_connection(("203.0.113.2", 443)), server_hostname="www.example.org")
c.sendall(b"GET /data.txt HTTP/1.1\r\nHost: www.example.org\r\nConnection: close\r\n\r\n")
got = b""
while True:
    d = c.recv(65536)
    if not d: break
    got += d
    h, _, b = got.partition(b"\r\n\r\n")
    if b and len(b) >= int(h.split(b"Content-Length: ")[1].split(b"\r\n")[0]): break
c.unwrap(); c.close()
print(len(got), "bytes")
EOF

https() {
	ip netns exec $R python3 "$tmp/bridge.py" ${seed:-1} 0.005 0.004 0.12 0.04 &
	local br=$!
	ip netns exec $S python3 "$tmp/httpsd.py" "$tmp/cert.pem" "$tmp/key.pem" &
	local srv=$!
	sleep 0.5
	x $C python3 "$tmp/httpsc.py"
	wait $srv
	kill $br; wait $br 2>/dev/null || true
}
# retry with another seed until the capture shows both out-of-order segments and
# retransmissions as tshark classifies them (when tshark is there to ask)
name=tls-ooo-retrans-eth-ipv4.pcap
for seed in 1 2 3 4 5 6 7 8 9 10; do
	capture $C tc0 $name "tcp port 443" https
	command -v tshark >/dev/null || break
	ooo=$(tshark -2 -r "$out/$name" -Y tcp.analysis.out_of_order 2>/dev/null | wc -l)
	rtx=$(tshark -2 -r "$out/$name" -Y 'tcp.analysis.retransmission && !tcp.analysis.fast_retransmission' 2>/dev/null | wc -l)
	echo "$name (seed $seed): $ooo out-of-order, $rtx retransmissions"
	[ "$ooo" -gt 0 ] && [ "$rtx" -gt 0 ] && break
done
