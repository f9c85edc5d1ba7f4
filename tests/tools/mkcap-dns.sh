#!/usr/bin/env bash
# mkcap-dns.sh [OUTDIR] - make the DNS test captures from real traffic between an
# authoritative BIND 9 server and dig, each in a network namespace of its own, joined by one
# veth pair (run as root; nothing leaves the namespaces).  OUTDIR defaults to tests/data.
# Needs: bind9 (named), bind9-utils (dnssec-keygen, dnssec-signzone), bind9-dnsutils (dig),
# tcpdump, iproute2, ethtool, nftables (optional: the retransmitted query), avahi-daemon
# (optional: dns-mdns.pcap).  Captured on the client's veth, Ethernet link type.
#
#   dns-udp.pcap   dig over UDP, IPv4 and IPv6, against zones we write here: tq.test (signed
#                  with NSEC: DNSKEY, RRSIG, NSEC, DS of a child), sub.tq.test (signed with
#                  NSEC3), a reverse zone for 198.51.100.0/24 and one for 2001:db8::/64.
#                  A AAAA NS CNAME SOA PTR MX TXT (several strings; non-ASCII and escaped
#                  bytes) SRV CAA HTTPS SVCB NAPTR SSHFP TLSA LOC HINFO DNAME URI RP, a
#                  DO-bit query, EDNS options NSID, COOKIE, CLIENT-SUBNET, EXPIRE, PADDING,
#                  a query without EDNS, NXDOMAIN (with NSEC and NSEC3 denial), NOERROR/NODATA,
#                  REFUSED (zone not served), ANY (+notcp), a query without RD, CHAOS TXT
#                  version.bind, and one query sent twice (the first answer dropped by
#                  nftables in the server namespace, dig retries after one second)
#   dns-tcp.pcap   dig +tcp: single queries, several queries on one TCP connection
#                  (+keepopen), an AXFR of a small zone, large answers (60 TXT records;
#                  200 A records) whose one DNS message spans several TCP segments, and an
#                  ANY query for the signed apex (dig sends ANY over TCP by itself)
#   dns-tc.pcap    a UDP answer truncated to 512 bytes (TC bit), once with EDNS
#                  (+bufsize=512) and once without, each retried over TCP by dig
#   dns-mdns.pcap  mDNS: avahi-daemon's probes and announcements (IPv4 and IPv6) as it
#                  starts, its answers to one-shot queries sent by dig to 224.0.0.251:5353
#                  (A, DNS-SD service browsing PTR, SRV, TXT, reverse PTR), and a standard
#                  IPv6 query with the QU bit from port 5353 to ff02::fb (skipped when
#                  avahi-daemon is missing)
#
#   client ns tqdns_c                server ns tqdns_s
#     dc 198.51.100.10/24   ---------  ds 198.51.100.53/24
#        2001:db8::10/64                  2001:db8::53/64
# With tshark installed, each capture is checked and made again (3 tries at most) when it has
# a bad checksum, a malformed frame or a TCP retransmission.  MKCAP_KEEP=1 keeps the temp dir.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here/../data}" && pwd)
C=tqdns_c S=tqdns_s
CA=198.51.100.10 SA=198.51.100.53 CA6=2001:db8::10 SA6=2001:db8::53
CMAC=02:00:00:00:53:10 SMAC=02:00:00:00:53:53
x() { ip netns exec "$@"; }
tmp=
cleanup() {
	for p in $(cat "$tmp"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for n in $C $S; do ip netns del $n 2>/dev/null || true; done
	if [ -n "${MKCAP_KEEP:-}" ]; then echo "kept $tmp" >&2; elif [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
for n in $C $S; do ip netns del $n 2>/dev/null || true; done
tmp=$(mktemp -d /tmp/mkcap-dns.XXXXXX)
chmod 755 "$tmp"
trap cleanup EXIT

for n in $C $S; do ip netns add $n; x $n ip link set lo up; done
ip link add dc netns $C address $CMAC type veth peer name ds netns $S address $SMAC
x $C ip addr add $CA/24 dev dc; x $C ip addr add $CA6/64 dev dc nodad
x $S ip addr add $SA/24 dev ds; x $S ip addr add $SA6/64 dev ds nodad
for i in "$C dc" "$S ds"; do
	set -- $i
	x $1 sysctl -qw net.ipv6.conf.$2.router_solicitations=0 2>/dev/null || true
	x $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	x $1 ip link set $2 up
done
# static neighbours: no ARP or neighbour discovery between the DNS packets
x $C ip neigh replace $SA lladdr $SMAC dev dc nud permanent
x $C ip neigh replace $SA6 lladdr $SMAC dev dc nud permanent
x $S ip neigh replace $CA lladdr $CMAC dev ds nud permanent
x $S ip neigh replace $CA6 lladdr $CMAC dev ds nud permanent
sleep 1

# ---------------------------------------------------------------- zones
z=$tmp/zones; mkdir -p "$z"
cat > "$z/sub.tq.test" <<'EOF'
$TTL 3600
@	IN SOA	ns1.tq.test. hostmaster.tq.test. 2024060101 7200 900 1209600 300
	IN NS	ns1.tq.test.
	IN A	198.51.100.80
www	IN A	198.51.100.81
	IN AAAA	2001:db8::81
EOF
cat > "$z/tq.test" <<'EOF'
$TTL 3600
@	IN SOA	ns1.tq.test. hostmaster.tq.test. 2024060101 7200 900 1209600 300
	IN NS	ns1.tq.test.
	IN NS	ns2.tq.test.
	IN MX	10 mail.tq.test.
	IN MX	20 mail2.tq.test.
	IN TXT	"v=spf1 ip4:198.51.100.0/24 -all"
	IN CAA	0 issue "ca.example.net"
	IN CAA	128 iodef "mailto:security@tq.test"
	IN A	198.51.100.53
	IN AAAA	2001:db8::53
ns1	IN A	198.51.100.53
	IN AAAA	2001:db8::53
ns2	IN A	198.51.100.54
mail	IN A	198.51.100.25
	IN AAAA	2001:db8::25
mail2	IN A	198.51.100.26
www	IN CNAME	web.tq.test.
web	IN A	198.51.100.80
	IN A	198.51.100.81
	IN AAAA	2001:db8::80
alias	IN CNAME	www.tq.test.
txt	IN TXT	"first string" "second string" "third string with spaces"
	IN TXT	"caf\195\169 na\195\175ve \"quoted\" back\\slash tab\009end \000nul"
	IN TXT	""
_sip._udp	IN SRV	10 60 5060 sip1.tq.test.
		IN SRV	10 40 5060 sip2.tq.test.
_http._tcp	IN SRV	0 0 80 web.tq.test.
sip1	IN A	198.51.100.61
sip2	IN A	198.51.100.62
svc	IN HTTPS	1 . alpn="h2,http/1.1" port=8443 ipv4hint=198.51.100.80 ipv6hint=2001:db8::80
	IN HTTPS	0 web.tq.test.
_dns	IN SVCB	1 ns1.tq.test. alpn="dot" port=853
naptr	IN NAPTR	100 10 "S" "SIP+D2U" "" _sip._udp.tq.test.
	IN NAPTR	102 10 "U" "E2U+sip" "!^.*$!sip:info@tq.test!" .
ssh	IN A	198.51.100.22
	IN SSHFP	4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
_443._tcp.web	IN TLSA	3 1 1 a9f3c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d
loc	IN LOC	52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m
host	IN HINFO	"x86_64" "Linux"
	IN RP	hostmaster.tq.test. txt.tq.test.
old	IN DNAME	sub.tq.test.
_ftp._tcp	IN URI	10 1 "ftp://ftp.tq.test/public"
sub	IN NS	ns1.tq.test.
EOF
# 60 TXT records of ~120 bytes at big.tq.test (about 7.5 KB), 200 A records at many.tq.test
for i in $(seq -w 1 60); do
	echo "big	IN TXT	\"record $i: the quick brown fox jumps over the lazy dog, 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQ\""
done >> "$z/tq.test"
for i in $(seq 1 200); do echo "many	IN A	198.51.100.$i"; done >> "$z/tq.test"
cat > "$z/100.51.198.in-addr.arpa" <<'EOF'
$TTL 3600
@	IN SOA	ns1.tq.test. hostmaster.tq.test. 2024060101 7200 900 1209600 300
	IN NS	ns1.tq.test.
10	IN PTR	client.tq.test.
25	IN PTR	mail.tq.test.
53	IN PTR	ns1.tq.test.
80	IN PTR	web.tq.test.
EOF
cat > "$z/0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" <<'EOF'
$TTL 3600
@	IN SOA	ns1.tq.test. hostmaster.tq.test. 2024060101 7200 900 1209600 300
	IN NS	ns1.tq.test.
3.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0	IN PTR	ns1.tq.test.
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0	IN PTR	client.tq.test.
EOF
cat > "$z/xfr.test" <<'EOF'
$TTL 600
@	IN SOA	ns1.tq.test. hostmaster.tq.test. 7 3600 600 86400 60
	IN NS	ns1.tq.test.
	IN MX	10 mail.xfr.test.
	IN TXT	"zone transfer test"
mail	IN A	198.51.100.25
www	IN A	198.51.100.80
	IN AAAA	2001:db8::80
ftp	IN CNAME	www.xfr.test.
EOF

# sign: sub.tq.test with NSEC3 (1 iteration, salt), tq.test with NSEC and the DS of sub
(
	cd "$z"
	k() { dnssec-keygen -q -K "$z" -a ECDSAP256SHA256 -n ZONE "$@"; }
	k -f KSK sub.tq.test >/dev/null; k sub.tq.test >/dev/null
	k -f KSK tq.test >/dev/null; k tq.test >/dev/null
	for f in Ksub.tq.test.*.key; do echo "\$INCLUDE $z/$f"; done >> sub.tq.test
	for f in Ktq.test.*.key; do echo "\$INCLUDE $z/$f"; done >> tq.test
	dnssec-signzone -q -K "$z" -3 a1b2c3d4 -H 1 -o sub.tq.test -d "$z" sub.tq.test >/dev/null
	cat dsset-sub.tq.test. >> tq.test
	dnssec-signzone -q -K "$z" -o tq.test tq.test >/dev/null
)

cat > "$tmp/named.conf" <<EOF
options {
	directory "$tmp";
	pid-file "$tmp/named.pid.file";
	listen-on port 53 { $SA; };
	listen-on-v6 port 53 { $SA6; };
	recursion no;
	allow-transfer { $CA; $CA6; };
	server-id "ns1.tq.test";
	version "tracequiz test server";
	dnssec-validation no;
	minimal-responses no-auth-recursive;
	minimal-any no;
	notify no;
	edns-udp-size 1232;
	max-records-per-type 0;
	max-udp-size 1232;
};
controls { };
logging { channel l { file "$tmp/named.log"; severity info; }; category default { l; }; };
zone "tq.test" { type primary; file "$z/tq.test.signed"; };
zone "sub.tq.test" { type primary; file "$z/sub.tq.test.signed"; };
zone "xfr.test" { type primary; file "$z/xfr.test"; };
zone "100.51.198.in-addr.arpa" { type primary; file "$z/100.51.198.in-addr.arpa"; };
zone "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" {
	type primary; file "$z/0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"; };
EOF
named-checkconf -z "$tmp/named.conf" >/dev/null
ip netns exec $S named -f -c "$tmp/named.conf" -n 1 >"$tmp/named.out" 2>&1 &
echo $! > "$tmp/named.pid"
for i in $(seq 50); do
	x $C dig +short +tries=1 +timeout=1 @$SA ns1.tq.test A >/dev/null 2>&1 && break
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
		ip netns exec $C tcpdump -Z root -U -s 0 -i dc -w "$out/$name" "$filter" 2>/dev/null &
		pid=$!
		sleep 1
		"$@"
		sleep 1
		kill $pid; wait $pid 2>/dev/null || true
		clean "$out/$name" && break
		echo "$name: bad checksum, malformed frame or lost segment: capturing again" >&2
	done
	echo "wrote $out/$name ($(stat -c %s "$out/$name") bytes)"
}
d() { x $C dig +tries=1 +timeout=2 "$@" >> "$tmp/dig.out" 2>&1 || true; }

udp_queries() {
	d @$SA tq.test SOA
	d @$SA6 tq.test NS
	d @$SA www.tq.test A
	d @$SA6 web.tq.test AAAA
	d @$SA alias.tq.test A
	d @$SA tq.test MX
	d @$SA6 txt.tq.test TXT
	d @$SA -x 198.51.100.53
	d @$SA6 -x 2001:db8::53
	d @$SA _sip._udp.tq.test SRV
	d @$SA tq.test CAA
	d @$SA svc.tq.test HTTPS
	d @$SA _dns.tq.test SVCB
	d @$SA naptr.tq.test NAPTR
	d @$SA ssh.tq.test SSHFP
	d @$SA _443._tcp.web.tq.test TLSA
	d @$SA loc.tq.test LOC
	d @$SA host.tq.test HINFO
	d @$SA host.tq.test RP
	d @$SA www.old.tq.test A
	d @$SA _ftp._tcp.tq.test URI
	d @$SA +dnssec +norec tq.test DNSKEY
	d @$SA +dnssec web.tq.test A
	d @$SA +dnssec sub.tq.test DS
	d @$SA +dnssec nosuch.tq.test A
	d @$SA6 +dnssec nosuch.sub.tq.test AAAA
	d @$SA web.tq.test MX
	d @$SA +nsid +cookie=0123456789abcdef +subnet=198.51.100.0/24 +expire tq.test SOA
	d @$SA6 +nsid +subnet=2001:db8::/48 +padding=128 ns1.tq.test AAAA
	d @$SA +noedns mail.tq.test A
	d @$SA +norec www.example.com A
	d @$SA +notcp mail.tq.test ANY
	d @$SA +qr +noadflag +nocookie version.bind CH TXT
	if command -v nft >/dev/null; then
		# drop the first answer: dig sends the same query again after one second
		x $S nft add table inet tq
		x $S nft add chain inet tq out '{ type filter hook output priority 0; }'
		x $S nft add rule inet tq out udp sport 53 numgen inc mod 2 == 0 drop
		x $C dig +tries=2 +timeout=1 @$SA mail2.tq.test A >> "$tmp/dig.out" 2>&1 || true
		x $S nft delete table inet tq
	fi
}
capture dns-udp.pcap "udp port 53" udp_queries

tcp_queries() {
	d +tcp @$SA tq.test SOA
	d +tcp @$SA6 web.tq.test AAAA
	d +tcp +dnssec @$SA www.tq.test A
	d +tcp +keepopen @$SA mail.tq.test A mail.tq.test AAAA tq.test MX _sip._udp.tq.test SRV nosuch.tq.test A
	d @$SA xfr.test AXFR
	d +tcp @$SA big.tq.test TXT
	d +tcp @$SA6 many.tq.test A
	d @$SA tq.test ANY
}
capture dns-tcp.pcap "port 53" tcp_queries

tc_queries() {
	d @$SA +bufsize=512 big.tq.test TXT
	d @$SA6 +noedns many.tq.test A
}
capture dns-tc.pcap "port 53" tc_queries

kill "$(cat "$tmp/named.pid")" 2>/dev/null || true

if command -v avahi-daemon >/dev/null; then
	mkdir -p "$tmp/avahi"
	cat > "$tmp/avahi/avahi-daemon.conf" <<EOF
[server]
host-name=tqhost
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=ds
enable-dbus=no
ratelimit-interval-usec=0
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=yes
publish-workstation=no
publish-addresses=yes
[reflector]
[rlimits]
EOF
	mkdir -p "$tmp/avahi/services"
	cat > "$tmp/avahi/services/http.service" <<'EOF'
<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group>
  <name>tracequiz web</name>
  <service><type>_http._tcp</type><port>80</port><txt-record>path=/index.html</txt-record></service>
</service-group>
EOF
	x $S ip route add 224.0.0.0/4 dev ds 2>/dev/null || true
	x $C ip route add 224.0.0.0/4 dev dc 2>/dev/null || true
	mdns() {
		# avahi runs on its own private runtime dir; it probes and announces on start
		# (ip netns exec gives it a mount namespace of its own: the mounts stay there)
		ip netns exec $S sh -c "mkdir -p /run/avahi-daemon /etc/avahi/services; \
			mount -t tmpfs none /run/avahi-daemon; \
			mount --bind $tmp/avahi/services /etc/avahi/services; \
			exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f $tmp/avahi/avahi-daemon.conf" \
			>"$tmp/avahi.out" 2>&1 &
		echo $! > "$tmp/avahi.pid"
		sleep 4
		d -p 5353 @224.0.0.251 tqhost.local A
		d -p 5353 @224.0.0.251 _services._dns-sd._udp.local PTR
		d -p 5353 @224.0.0.251 _http._tcp.local PTR
		d -p 5353 @224.0.0.251 -x 198.51.100.53
		d -p 5353 @224.0.0.251 tracequiz\\032web._http._tcp.local SRV
		d -p 5353 @224.0.0.251 tracequiz\\032web._http._tcp.local TXT
		# a standard (port 5353 to port 5353) IPv6 query with the unicast-response bit
		x $C python3 - <<'PYEOF' || true
import socket, struct
q = struct.pack(">HHHHHH", 0, 0, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l for l in (b"tqhost", b"local")) + b"\0"
q += struct.pack(">HH", 28, 0x8001)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 5353))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex("dc"))
s.settimeout(2)
s.sendto(q, ("ff02::fb", 5353, 0, socket.if_nametoindex("dc")))
try: s.recvfrom(2048)
except OSError: pass
PYEOF
	}
	capture dns-mdns.pcap "udp port 5353" mdns
else
	echo "avahi-daemon missing: dns-mdns.pcap not made" >&2
fi
