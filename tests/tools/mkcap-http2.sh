#!/usr/bin/env bash
# mkcap-http2.sh [OUTDIR] - make the cleartext HTTP/2 (h2c) test captures from real traffic
# between nghttpd and the nghttp and curl clients, each in a network namespace of its own
# joined by one veth pair (run as root; nothing leaves the namespaces).  OUTDIR defaults to
# tests/data.  Captured on the client's veth.  Port 80 so that dissectors take it as HTTP.
# Needs: nghttp2-server (nghttpd), nghttp2-proxy (nghttpx), nghttp2-client (nghttp), curl (built with nghttp2, as
# Debian's is), python3, tcpdump, iproute2, ethtool.
#
#   http2-prior.pcap    nghttp with prior knowledge (IPv4): the connection preface
#                       "PRI * HTTP/2.0", SETTINGS and their ACKs, PRIORITY frames (nghttp's
#                       dependency tree on idle streams 3-11), three requests sent at once on
#                       one connection (streams 13, 15, 17): GET / (HTML), GET /big.txt
#                       (38400 bytes: DATA frames of 16384, 16384 and 5632 bytes, each
#                       spanning many TCP segments), GET /missing (404), then GOAWAY
#   http2-upgrade.pcap  curl --http2 (IPv6) to nghttpx: an HTTP/1.1 GET with Upgrade: h2c and
#                       HTTP2-Settings, 101 Switching Protocols, the answer on stream 1 in
#                       HTTP/2, then a second request (stream 3) on the same connection
#
#   client ns tqh2_c                server ns tqh2_s
#     h2c 198.51.100.10/24  -------   h2s 198.51.100.80/24
#         2001:db8::10/64                 2001:db8::80/64     (www.tq.test)
# With tshark installed, each capture is checked and made again (3 tries at most) when it has
# a bad checksum, a malformed frame or a TCP retransmission.  MKCAP_KEEP=1 keeps the temp dir.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here/../data}" && pwd)
C=tqh2_c S=tqh2_s
CA=198.51.100.10 SA=198.51.100.80 CA6=2001:db8::10 SA6=2001:db8::80
CMAC=02:00:00:00:20:10 SMAC=02:00:00:00:20:80
x() { ip netns exec "$@"; }
tmp=
cleanup() {
	for p in $(cat "$tmp"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for n in $C $S; do ip netns del $n 2>/dev/null || true; done
	if [ -n "${MKCAP_KEEP:-}" ]; then echo "kept $tmp" >&2; elif [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
for n in $C $S; do ip netns del $n 2>/dev/null || true; done
tmp=$(mktemp -d /tmp/mkcap-http2.XXXXXX)
chmod 755 "$tmp"
trap cleanup EXIT

for n in $C $S; do ip netns add $n; x $n ip link set lo up; done
ip link add h2c netns $C address $CMAC type veth peer name h2s netns $S address $SMAC
x $C ip addr add $CA/24 dev h2c; x $C ip addr add $CA6/64 dev h2c nodad
x $S ip addr add $SA/24 dev h2s; x $S ip addr add $SA6/64 dev h2s nodad
for i in "$C h2c" "$S h2s"; do
	set -- $i
	x $1 sysctl -qw net.ipv6.conf.$2.router_solicitations=0 2>/dev/null || true
	x $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	x $1 ip link set $2 up
done
x $C ip neigh replace $SA lladdr $SMAC dev h2c nud permanent
x $C ip neigh replace $SA6 lladdr $SMAC dev h2c nud permanent
x $S ip neigh replace $CA lladdr $CMAC dev h2s nud permanent
x $S ip neigh replace $CA6 lladdr $CMAC dev h2s nud permanent
sleep 1

site=$tmp/htdocs; mkdir -p "$site"
cat > "$site/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>tracequiz h2c test</title></head>
<body>
<h1>HTTP/2 over cleartext TCP</h1>
<p>Served by nghttpd for the tracequiz captures. See <a href="/big.txt">a big file</a>.</p>
</body>
</html>
EOF
python3 -c '
import sys
sys.stdout.write("".join(f"line {i:05d}: HTTP/2 frames carry this text in DATA frames of at most 16384 bytes\n" for i in range(480)))
' > "$site/big.txt"
cat > "$site/style.css" <<'EOF'
body { font-family: sans-serif; }
EOF

# nghttpd answers prior-knowledge HTTP/2 only: it serves http2-prior directly (IPv4), and
# behind nghttpx (IPv6), whose cleartext frontend also takes HTTP/1.1 with Upgrade: h2c
ip netns exec $S nghttpd --no-tls -d "$site" -a $SA 80 >"$tmp/nghttpd.out" 2>&1 &
echo $! > "$tmp/nghttpd.pid"
ip netns exec $S nghttpd --no-tls -d "$site" -a 127.0.0.1 8080 >"$tmp/nghttpd2.out" 2>&1 &
echo $! > "$tmp/nghttpd2.pid"
: > "$tmp/nghttpx.conf"
ip netns exec $S nghttpx --conf="$tmp/nghttpx.conf" --workers=1 --no-via --no-server-rewrite \
	--frontend="$SA6,80;no-tls" --backend="127.0.0.1,8080;;proto=h2;no-tls" \
	--pid-file="$tmp/nghttpx.pidfile" --errorlog-file="$tmp/nghttpx.log" \
	>"$tmp/nghttpx.out" 2>&1 &
echo $! > "$tmp/nghttpx.pid"
for i in $(seq 50); do
	x $C bash -c "exec 3<>/dev/tcp/$SA/80" 2>/dev/null && \
	x $C bash -c "exec 3<>/dev/tcp/$SA6/80" 2>/dev/null && break
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
		ip netns exec $C tcpdump -Z root -U -s 0 -i h2c -w "$out/$name" "$filter" 2>/dev/null &
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
# nghttp sends the three requests at once on one connection (-n: discard the bodies)
capture http2-prior.pcap "tcp port 80" \
	x $C nghttp -nv -H ':authority: www.tq.test' \
	http://$SA/ http://$SA/big.txt http://$SA/missing

upgrade() {
	x $C curl -sS --http2 -o /dev/null --resolve www.tq.test:80:$SA6 \
		http://www.tq.test/ -o /dev/null http://www.tq.test/style.css
}
capture http2-upgrade.pcap "tcp port 80" upgrade
