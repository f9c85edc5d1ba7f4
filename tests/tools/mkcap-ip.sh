#!/usr/bin/env bash
# mkcap-ip.sh OUTDIR - make the IPv4/IPv6 test captures from real traffic between two
# network namespaces joined by a veth pair with a small MTU (run as root; sends nothing
# outside them).  tests/tools/mkip.py derives the odd cases (reordered, duplicated,
# lost and overlapping fragments, bad headers) from some of these.
#   ipv4-frag-icmp.pcap      ping -s 3000 over MTU 1280: 3 fragments each way, twice
#   ipv6-frag-icmp.pcap      the same over IPv6
#   ipv4-frag-udp.pcap       UDP datagrams of 1500 and 900 bytes over MTU 576, echoed
#   ipv6-frag-udp.pcap       UDP datagrams of 3000 and 1300 bytes over MTU 1280, echoed
#   ipv4-options-rr.pcap     ping -R: record route, filled in by the echo reply
#   ipv4-options-ts.pcap     ping -T tsonly, -T tsandaddr and -T tsprespec
#   ipv4-options-igmp.pcap   IGMP reports joining and leaving a group: router alert
#   ipv4-trunc.pcap          ping with a snap length that cuts the header (-s 30) and
#                            the options (-s 40)
#   ipv6-hbh-mld.pcap        MLDv2 reports: hop-by-hop router alert and PadN
#   ipv6-exthdrs-udp.pcap    UDP with hop-by-hop and destination options headers set
#                            by sendmsg(), one datagram fragmented
#   ipv6-routing.pcap        routing headers Linux will not send itself (type 0, type 2,
#                            RPL, segment routing with a TLV, an unknown type, one too
#                            long), a long chain with an atomic fragment, no next
#                            header with and without bytes after it, an unknown
#                            protocol, options that ask for an ICMP error, a jumbo
#                            payload option: written whole through a raw IPv6 socket
#   ipv6-srh.pcap            SRv6 (seg6 inline encap): segment routing header, type 4
#   ipv6-trunc.pcap          IPv6 with a snap length that cuts the header or an
#                            extension header
set -eu
out=${1:?usage: mkcap-ip.sh OUTDIR}
A=tqip_a B=tqip_b
cleanup() {
	[ -z "${echo_pid:-}" ] || kill "$echo_pid" 2>/dev/null || true
	ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add $A; ip netns add $B
for n in $A $B; do   # before the links exist, so that they inherit it
	ip netns exec $n sysctl -qw net.ipv6.conf.all.router_solicitations=0 \
	    net.ipv6.conf.default.router_solicitations=0 net.ipv4.ip_no_pmtu_disc=1
done
ip link add va netns $A type veth peer name vb netns $B
ip -n $A link set va address 02:00:00:00:99:01; ip -n $B link set vb address 02:00:00:00:99:02
ip -n $A addr add 10.9.0.1/24 dev va; ip -n $B addr add 10.9.0.2/24 dev vb
ip -n $A addr add fd00:9::1/64 dev va nodad; ip -n $B addr add fd00:9::2/64 dev vb nodad
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set va up mtu 1280; ip -n $B link set vb up mtu 1280
# no ARP or neighbour discovery in the captures
ip -n $A neigh replace 10.9.0.2 lladdr 02:00:00:00:99:02 dev va nud permanent
ip -n $B neigh replace 10.9.0.1 lladdr 02:00:00:00:99:01 dev vb nud permanent
ip -n $A -6 neigh replace fd00:9::2 lladdr 02:00:00:00:99:02 dev va nud permanent
ip -n $B -6 neigh replace fd00:9::1 lladdr 02:00:00:00:99:01 dev vb nud permanent
sleep 4   # the links' own MLD reports are over

capture() { # name snaplen filter command...
	local name=$1 snap=$2 filter=$3; shift 3
	ip netns exec $A tcpdump -U -s "$snap" -i va -w "$out/$name" "$filter" 2>/dev/null &
	local pid=$!
	sleep 1
	"$@" >/dev/null || echo "$name: $* failed" >&2
	sleep 1
	kill $pid; wait $pid 2>/dev/null || true
}
inA() { ip netns exec $A "$@"; }

# a UDP echo server on B, on both families
ip netns exec $B python3 -c '
import socket, select
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.bind(("10.9.0.2", 40007))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(("fd00:9::2", 40007))
while True:
    for s in select.select([s4, s6], [], [])[0]:
        d, a = s.recvfrom(65535)
        s.sendto(d[: len(d) * 3 // 5], a)' &
echo_pid=$!
sleep 0.5

capture ipv4-frag-icmp.pcap 0 'not arp' inA ping -c 2 -i 0.3 -s 3000 10.9.0.2
capture ipv6-frag-icmp.pcap 0 'ip6' inA ping -6 -c 2 -i 0.3 -s 3000 fd00:9::2

udp_send() { # family addr size...
	inA python3 -c '
import socket, sys, time
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(1)
for n in sys.argv[3:]:
    s.sendto(bytes(i % 251 for i in range(int(n))), (sys.argv[2], 40007))
    s.recvfrom(65535)
    time.sleep(0.1)' "$@"
}
# a smaller path MTU for IPv4 only (IPv6 needs 1280 on the link)
ip -n $A route replace 10.9.0.0/24 dev va mtu lock 576
ip -n $B route replace 10.9.0.0/24 dev vb mtu lock 576
capture ipv4-frag-udp.pcap 0 'ip' udp_send 4 10.9.0.2 1500 900
ip -n $A route replace 10.9.0.0/24 dev va
ip -n $B route replace 10.9.0.0/24 dev vb
capture ipv6-frag-udp.pcap 0 'ip6' udp_send 6 fd00:9::2 3000 1300

capture ipv4-options-rr.pcap 0 'ip' inA ping -c 2 -i 0.3 -R 10.9.0.2
ts_pings() {
	inA ping -c 1 -T tsonly 10.9.0.2
	inA ping -c 1 -T tsandaddr 10.9.0.2
	inA ping -c 1 -T tsprespec 10.9.0.2 10.9.0.1 10.9.0.2
}
capture ipv4-options-ts.pcap 0 'ip' ts_pings
igmp() {
	inA python3 -c '
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m = struct.pack("4s4s", socket.inet_aton("239.1.2.3"), socket.inet_aton("10.9.0.1"))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, m)
time.sleep(0.5)
s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, m)
time.sleep(0.5)'
}
capture ipv4-options-igmp.pcap 0 'igmp' igmp
trunc_pings() { inA ping -c 1 10.9.0.2; inA ping -c 1 -R 10.9.0.2; }
capture ipv4-trunc-30.pcap 30 'ip' trunc_pings
capture ipv4-trunc-40.pcap 40 'ip' trunc_pings

mld() {
	inA python3 -c '
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
m = socket.inet_pton(socket.AF_INET6, "ff15::4242") + struct.pack("@I", socket.if_nametoindex("va"))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, m)
time.sleep(0.5)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, m)
time.sleep(0.5)'
}
capture ipv6-hbh-mld.pcap 0 'ip6' mld

exthdrs() {
	inA python3 -c '
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(1)
dst = ("fd00:9::2", 40007)
P6 = socket.IPPROTO_IPV6
def opts(body):
    # next header and length are filled in by the kernel; pad to a multiple of 8
    body = bytes(body)
    n = (2 + len(body) + 7) // 8 * 8
    pad = n - 2 - len(body)
    if pad == 1:
        body += b"\x00"
    elif pad > 1:
        body += bytes([1, pad - 2]) + bytes(pad - 2)
    return bytes([0, n // 8 - 1]) + body
a2 = socket.inet_pton(socket.AF_INET6, "fd00:9::2")
hbh = opts([0x05, 2, 0, 0])                      # router alert (MLD)
dsto = opts([0x1e, 6, 1, 2, 3, 4, 5, 6])         # an experimental option
tel = opts([0x04, 1, 4])                         # tunnel encapsulation limit
data = bytes(range(40))
for anc, size in (
        ([(P6, socket.IPV6_HOPOPTS, hbh)], 40),
        ([(P6, socket.IPV6_DSTOPTS, dsto)], 40),
        ([(P6, socket.IPV6_DSTOPTS, tel)], 40),
        ([(P6, socket.IPV6_HOPOPTS, hbh), (P6, socket.IPV6_DSTOPTS, tel)], 40),
        ([(P6, socket.IPV6_HOPOPTS, hbh), (P6, socket.IPV6_DSTOPTS, dsto)], 2000)):
    try:
        s.sendmsg([bytes(i % 251 for i in range(size))], anc, 0, dst)
    except OSError as e:
        print("skipped", anc, e)
    time.sleep(0.1)'
}
capture ipv6-exthdrs-udp.pcap 0 'ip6' exthdrs

crafted() {
	inA python3 -c '
import socket, struct, time
def a(s):
    return socket.inet_pton(socket.AF_INET6, s)
src, dst = a("fd00:9::1"), a("fd00:9::2")
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def udp(final, payload):
    u = struct.pack("!HHHH", 40008, 40009, 8 + len(payload), 0) + payload
    c = csum(src + final + struct.pack("!II", len(u), 17) + u) or 0xffff
    return u[:6] + struct.pack("!H", c) + u[8:]
def ext(nxt, body):                    # body after next header and length, multiple of 8 - 2
    return bytes([nxt, (len(body) + 2) // 8 - 1]) + body
def packet(chain, final=dst, payload=b"tracequiz ipv6 extension headers", plen=None):
    # chain: [(proto, builder(nxt) -> bytes)], the last one followed by UDP, or by
    # nothing (59), or by bytes of an unknown protocol (253)
    rest = udp(final, payload)
    nxt = 17
    for proto, build in reversed(chain):
        if proto in (59, 253):
            rest, nxt = build(0), proto
            continue
        rest = build(nxt) + rest
        nxt = proto
    n = len(rest) if plen is None else plen
    return struct.pack("!IHBB", 6 << 28 | 0x12345, n, nxt, 64) + src + dst + rest
rh0 = lambda segs, left: (43, lambda n: ext(n, bytes([0, left, 0, 0, 0, 0]) + b"".join(segs)))
rpl = (43, lambda n: ext(n, bytes([3, 1, 0x88, 0x00, 0, 0]) + a("fd00:9::5")[8:] + a("fd00:9::2")[8:]))
srh = (43, lambda n: ext(n, bytes([4, 0, 1, 0]) + struct.pack("!H", 0x1234)
                         + a("fd00:9::2") + a("fd00:9::7") + bytes([4, 6]) + bytes(6)))
unk = (43, lambda n: ext(n, bytes([253, 0]) + bytes(range(1, 13))))
hbh = (0, lambda n: ext(n, bytes([1, 0, 0x05, 2, 0, 0])))                  # PadN(0) RA
dsto3 = (60, lambda n: ext(n, bytes([0, 0, 0x3e, 2, 0xaa, 0xbb])))        # Pad1 Pad1 unknown
dsto = (60, lambda n: ext(n, bytes([0xc9, 16]) + a("fd00:9::1") + bytes([1, 2, 0, 0])))   # home address
dsto2 = (60, lambda n: ext(n, bytes([0x3e, 4, 0xde, 0xad, 0xbe, 0xef])))  # unknown option
frag0 = (44, lambda n: bytes([n, 0, 0, 0]) + struct.pack("!I", 0x0badcafe))  # atomic fragment
rt2 = (43, lambda n: ext(n, bytes([2, 1, 0, 0, 0, 0]) + a("fd00:9::1")))   # Mobile IPv6 home address
rtlong = (43, lambda n: bytes([n, 9, 0, 0, 0, 0, 0, 0]) + a("fd00:9::2"))  # says 80 bytes, has 24
jumbo = (0, lambda n: ext(n, bytes([0xc2, 4, 0, 0, 0, 80])))             # jumbo payload length 80
icmperr = (60, lambda n: ext(n, bytes([0x8f, 0, 1, 2, 0, 0])))          # unknown, "discard and send ICMP"
tail = (59, lambda n: b"")
tail_data = (59, lambda n: b"after no next header")
unknown = (253, lambda n: b"experimental protocol 253")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
for chain, final in (
        ([rh0([dst], 0)], dst),
        ([rh0([a("fd00:9::5"), dst], 2)], dst),
        ([rh0([a("fd00:9::5"), a("fd00:9::6")], 2)], a("fd00:9::6")),
        ([rh0([a("fd00:9::5")], 0)], dst),
        ([rpl], dst),
        ([srh], a("fd00:9::7")),
        ([unk], dst),
        ([hbh, dsto2, rh0([dst], 0), frag0, dsto2], dst),
        ([dsto, tail], dst),
        ([hbh, dsto3, tail], dst),
        ([rt2], dst),
        ([rtlong], dst),
        ([dsto2, tail_data], dst),
        ([rh0([dst], 0), unknown], dst),
        ([icmperr], dst)):
    s.sendto(packet(chain, final), ("fd00:9::2", 0))
    time.sleep(0.05)
try:
    s.sendto(packet([jumbo], dst, plen=0), ("fd00:9::2", 0))
except OSError as e:
    print("jumbo:", e)'
}
capture ipv6-routing.pcap 0 'ip6' crafted

srh() {
	inA sysctl -qw net.ipv6.conf.all.seg6_enabled=1
	ip netns exec $B sysctl -qw net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.vb.seg6_enabled=1
	inA ip -6 route add fd00:99::/64 encap seg6 mode inline segs fd00:9::2,fd00:9::5 dev va
	inA ip -6 route add fd00:98::/64 encap seg6 mode encap segs fd00:9::2 dev va
	inA ping -6 -c 1 -W 0.3 fd00:99::1 || true
	inA ping -6 -c 1 -W 0.3 fd00:98::1 || true
}
capture ipv6-srh.pcap 0 'ip6' srh
trunc6() { inA ping -6 -c 1 fd00:9::2; mld; }
capture ipv6-trunc-50.pcap 50 'ip6' trunc6
capture ipv6-trunc-60.pcap 60 'ip6' trunc6
