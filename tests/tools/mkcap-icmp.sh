#!/usr/bin/env bash
# mkcap-icmp.sh OUTDIR - make the ICMP and ICMPv6 test captures from real traffic between
# three network namespaces, h1 - r - h2, joined by veth pairs (run as root; sends nothing
# outside them).  Needs iputils-ping, traceroute, ndisc6, radvd, netcat and python3-scapy;
# tests/tools/mkicmp.py sends or writes the crafted parts.  Captured on h1.
#   icmp-echo-eth-ipv4.pcap      ping: 56, 4 and 0 data bytes, a pattern, broadcast and
#                                multicast pings, TTL 1 (time exceeded), an unanswered ping
#   icmp-echo-frag-ipv4.pcap     ping -s 3000 over a 1280 MTU: request and reply reassembled
#   icmp-unreach-udp.pcap        UDP to a closed port, traceroute (UDP): port unreachable,
#                                time exceeded
#   icmp-traceroute-ipv4.pcap    traceroute -I and -T: time exceeded about ICMP and TCP
#   icmp-types-ipv4.pcap         network, host, admin-filtered unreachables, fragmentation
#                                needed (next-hop MTU), host unreachable after ARP fails,
#                                protocol unreachable, parameter problem, timestamp and
#                                reply, address mask, information request, router
#                                solicitation and advertisement, source quench, unknown type
#   icmp-redirect-ipv4-ipv6.pcap ICMP and ICMPv6 redirects (target link-layer address and
#                                redirected header options)
#   icmpv6-echo-eth.pcap         ping -6 with neighbor solicitation/advertisement, to
#                                ff02::1, hop limit 1 (time exceeded), unanswered
#   icmpv6-errors.pcap           port unreachable (UDP, traceroute6), no route, reject and
#                                prohibit routes, packet too big, address unreachable,
#                                parameter problems (next header, hop-by-hop option)
#   icmpv6-nd-ra-eth.pcap        radvd: router advertisements with prefix, route, RDNSS,
#                                DNSSL, MTU, advertisement interval and home agent options;
#                                rdisc6 (RS), ndisc6 (NS/NA), duplicate address detection
#   icmpv6-mld.pcap              MLDv2 reports joining and leaving, MLDv2 general and
#                                source-specific queries, an MLDv1 query, reports and done
#   icmpv6-nd-options.pcap       crafted: every RA flag, NA flag and ND option form
#   icmp-bad-checksum.pcap       crafted: an ICMP and an ICMPv6 echo request with a bad checksum
#   icmp-extensions-mpls.pcap    crafted: errors from an MPLS router, RFC 4884 lengths and
#                                RFC 4950 label stacks (ICMP and ICMPv6)
set -eu
out=$(cd "${1:?usage: mkcap-icmp.sh OUTDIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
H1=tqh1 R=tqr H2=tqh2
x() { ip netns exec "$@"; }
cleanup() {
	[ -z "${radvd_pid:-}" ] || kill "$radvd_pid" 2>/dev/null || true
	for n in $H1 $R $H2; do ip netns del $n 2>/dev/null || true; done
	rm -rf "${tmp:-/nonexistent}"
}
trap cleanup EXIT
cleanup
tmp=$(mktemp -d)

for n in $H1 $R $H2; do ip netns add $n; ip -n $n link set lo up; done
ip link add tq-h1 netns $H1 address 02:00:00:00:01:02 type veth peer name tq-r1 netns $R address 02:00:00:00:01:01
ip link add tq-h2 netns $H2 address 02:00:00:00:02:02 type veth peer name tq-r2 netns $R address 02:00:00:00:02:01
x $R sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for n in $H1 $R $H2; do
	x $n sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_echo_ignore_broadcasts=0
done
ip -n $H1 addr add 10.1.0.2/24 dev tq-h1
ip -n $H1 addr add 10.1.0.3/24 dev tq-h1
ip -n $H1 addr add fd00:1::2/64 dev tq-h1 nodad
ip -n $R addr add 10.1.0.1/24 dev tq-r1
ip -n $R addr add fd00:1::1/64 dev tq-r1 nodad
ip -n $R addr add 10.2.0.1/24 dev tq-r2
ip -n $R addr add fd00:2::1/64 dev tq-r2 nodad
ip -n $H2 addr add 10.2.0.2/24 dev tq-h2
ip -n $H2 addr add fd00:2::2/64 dev tq-h2 nodad
ip -n $R link set tq-r2 mtu 1280
ip -n $H2 link set tq-h2 mtu 1280
for p in "$H1 tq-h1" "$R tq-r1" "$R tq-r2" "$H2 tq-h2"; do set -- $p; ip -n $1 link set $2 up; done
ip -n $H1 route add default via 10.1.0.1
ip -n $H1 -6 route add default via fd00:1::1
ip -n $H2 route add default via 10.2.0.1
ip -n $H2 -6 route add default via fd00:2::1
ip -n $R route add unreachable 10.50.0.0/16
ip -n $R route add prohibit 10.51.0.0/16
ip -n $R -6 route add unreachable fd00:50::/32
ip -n $R -6 route add prohibit fd00:51::/32
ip -n $R route add 10.9.0.0/24 via 10.1.0.3
ip -n $R -6 route add fd00:9::/64 via fe80::ff:fe00:102 dev tq-r1
sleep 2
x $H1 ping -c1 -W2 10.2.0.2 >/dev/null || true
x $H1 ping -6 -c1 -W2 fd00:2::2 >/dev/null || true

# cap NAME FILTER COMMANDS...: capture on h1 while the commands run
cap() {
	local name=$1 filter=$2
	shift 2
	ip netns exec $H1 tcpdump -q -U -i tq-h1 -w "$out/$name" "$filter" 2>/dev/null &
	local tp=$!
	sleep 1
	eval "$@"
	sleep 1
	kill $tp
	wait $tp 2>/dev/null || true
}

cap icmp-echo-eth-ipv4.pcap icmp '
	x $H1 ping -c3 -i0.2 10.2.0.2 >/dev/null
	x $H1 ping -c1 -s 4 10.2.0.2 >/dev/null
	x $H1 ping -c1 -s 0 10.2.0.2 >/dev/null
	x $H1 ping -c1 -s 12 -p 41 10.1.0.1 >/dev/null
	x $H1 ping -c1 -b -W1 255.255.255.255 >/dev/null 2>&1 || true
	x $H1 ping -c1 -W1 224.0.0.1 >/dev/null 2>&1 || true
	x $H1 ping -c1 -t1 -W1 10.2.0.2 >/dev/null || true
	x $H2 sysctl -qw net.ipv4.icmp_echo_ignore_all=1
	x $H1 ping -c1 -W1 10.2.0.2 >/dev/null || true
	x $H2 sysctl -qw net.ipv4.icmp_echo_ignore_all=0'
cap icmp-echo-frag-ipv4.pcap 'icmp or (ip[6:2] & 0x3fff != 0)' 'x $H1 ping -c1 -s 3000 -W1 10.2.0.2 >/dev/null'
cap icmp-unreach-udp.pcap 'icmp or udp' '
	echo hello | x $H1 nc -u -w1 -q1 10.2.0.2 9999 || true
	x $H1 traceroute -n -q1 -m3 10.2.0.2 >/dev/null'
cap icmp-traceroute-ipv4.pcap 'icmp or tcp' '
	x $H1 traceroute -n -I -q1 -m3 10.2.0.2 >/dev/null
	x $H1 traceroute -n -T -p 80 -q1 -m3 10.2.0.2 >/dev/null'
x $H1 ip route flush cache
cap icmp-types-ipv4.pcap icmp '
	x $H1 ping -c1 -W1 10.99.0.1 >/dev/null || true
	sleep 1.1   # a router sends one route error a second (net.ipv4.route.error_cost)
	x $H1 ping -c1 -W1 10.50.0.1 >/dev/null || true
	sleep 1.1
	x $H1 ping -c1 -W1 10.51.0.1 >/dev/null || true
	x $H1 ping -c1 -M do -s 1400 -W1 10.2.0.2 >/dev/null || true
	x $H1 ping -c1 -W4 10.2.0.99 >/dev/null || true
	x $H1 $py $here/mkicmp.py send4'
cap icmp-redirect-ipv4-ipv6.pcap 'icmp or icmp6' '
	x $H1 ping -c1 -W1 10.9.0.5 >/dev/null || true
	x $H1 ping -6 -c1 -W1 fd00:9::5 >/dev/null || true'
for n in $H1 $R $H2; do ip -n $n -6 neigh flush all; done
cap icmpv6-echo-eth.pcap icmp6 '
	x $H1 ping -6 -c3 -i0.2 fd00:2::2 >/dev/null
	x $H1 ping -6 -c1 -s 4 fd00:1::1 >/dev/null
	x $H1 ping -6 -c1 -W1 ff02::1%tq-h1 >/dev/null || true
	x $H1 ping -6 -c1 -t1 -W1 fd00:2::2 >/dev/null || true
	x $H2 sysctl -qw net.ipv6.icmp.echo_ignore_all=1
	x $H1 ping -6 -c1 -W1 fd00:2::2 >/dev/null || true
	x $H2 sysctl -qw net.ipv6.icmp.echo_ignore_all=0'
cap icmpv6-errors.pcap 'icmp6 or udp' '
	echo hello | x $H1 nc -6 -u -w1 -q1 fd00:2::2 9999 || true
	x $H1 traceroute6 -n -q1 -m3 fd00:2::2 >/dev/null || true
	x $H1 ping -6 -c1 -W1 fd00:99::1 >/dev/null || true
	x $H1 ping -6 -c1 -W1 fd00:50::1 >/dev/null || true
	x $H1 ping -6 -c1 -W1 fd00:51::1 >/dev/null || true
	x $H1 ping -6 -c1 -M do -s 1400 -W1 fd00:2::2 >/dev/null || true
	x $H1 ping -6 -c1 -W4 fd00:2::99 >/dev/null || true
	x $H1 $py $here/mkicmp.py send6'
cat > "$tmp/radvd.conf" <<'RADVD'
interface tq-r1 {
	AdvSendAdvert on; MinRtrAdvInterval 3; MaxRtrAdvInterval 10;
	AdvManagedFlag on; AdvOtherConfigFlag on; AdvHomeAgentFlag on; AdvHomeAgentInfo on;
	HomeAgentPreference 10; HomeAgentLifetime 1200; AdvDefaultPreference high;
	AdvLinkMTU 1400; AdvReachableTime 30000; AdvRetransTimer 1000; AdvCurHopLimit 64;
	AdvDefaultLifetime 1800; AdvIntervalOpt on;
	prefix fd00:1::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime infinity; AdvPreferredLifetime 3600; };
	prefix fd00:abcd::/64 { AdvOnLink on; AdvAutonomous off; AdvValidLifetime 86400; AdvPreferredLifetime 14400; };
	route fd00:2::/64 { AdvRoutePreference low; AdvRouteLifetime 1800; };
	RDNSS fd00:1::53 fd00:1::54 { AdvRDNSSLifetime 600; };
	DNSSL example.com tq.test { AdvDNSSLLifetime 600; };
};
RADVD
cap icmpv6-nd-ra-eth.pcap icmp6 '
	x $R radvd -C $tmp/radvd.conf -p $tmp/radvd.pid -m stderr -d 0 2>/dev/null
	sleep 1.5
	x $H1 rdisc6 -1 tq-h1 >/dev/null || true
	sleep 0.5
	x $H1 ndisc6 -1 fd00:1::1 tq-h1 >/dev/null || true
	sleep 0.3
	kill $(cat $tmp/radvd.pid)
	sleep 0.5'
x $H1 sysctl -qw net.ipv6.conf.tq-h1.mldv2_unsolicited_report_interval=100 net.ipv6.conf.tq-h1.mldv1_unsolicited_report_interval=100
cap icmpv6-mld.pcap ip6 '
	x $H1 $py $here/mkicmp.py join 3 &
	jp=$!
	sleep 0.4
	x $R $py $here/mkicmp.py mldq 2
	sleep 1
	x $R $py $here/mkicmp.py mldq 1
	wait $jp
	x $H1 $py $here/mkicmp.py mldone'
$py "$here/mkicmp.py" ndopts "$out/icmpv6-nd-options.pcap"
$py "$here/mkicmp.py" badck "$out/icmp-echo-eth-ipv4.pcap" "$out/icmpv6-echo-eth.pcap" "$out/icmp-bad-checksum.pcap"
$py "$here/mkicmp.py" ext "$out/icmp-extensions-mpls.pcap"
ls -l "$out"/icmp*.pcap
