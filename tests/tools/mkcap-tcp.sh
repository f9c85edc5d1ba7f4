#!/usr/bin/env bash
# mkcap-tcp.sh OUTDIR - make the TCP/UDP test captures from real traffic between two
# network namespaces joined by a veth pair (run as root; sends nothing outside them;
# needs python3 and nftables).
#   tcp-handshake-eth-ipv4.pcap  a short exchange: handshake, a few lines each way, FIN close
#   tcp-bulk-eth-ipv6.pcap       a transfer over a lossy link (netem): window scaling, SACK,
#                                retransmissions, duplicate ACKs
#   udp-eth-ipv4.pcap            datagrams both ways on unassigned ports
set -eu
out=${1:?usage: mkcap-tcp.sh OUTDIR}
A=tqlead_a B=tqlead_b
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $A; ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
ip -n $A addr add 192.0.2.1/24 dev va; ip -n $B addr add 192.0.2.2/24 dev vb
ip -n $A addr add 2001:db8:77::1/64 dev va nodad; ip -n $B addr add 2001:db8:77::2/64 dev vb nodad
ip -n $A link set va address 02:00:00:00:77:01; ip -n $B link set vb address 02:00:00:00:77:02
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set va up; ip -n $B link set vb up
ip netns exec $A ethtool -K va tso off gso off gro off 2>/dev/null || true
ip netns exec $B ethtool -K vb tso off gso off gro off 2>/dev/null || true
sleep 1

capture() { # name filter command...
	local name=$1 filter=$2; shift 2
	ip netns exec $A tcpdump -U -s 0 -i va -w "$out/$name" "$filter" 2>/dev/null &
	local pid=$!
	sleep 1
	"$@"
	sleep 1
	kill $pid; wait $pid 2>/dev/null || true
}

# 1. a short conversation over IPv4
short() {
	ip netns exec $B python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 50001)); s.listen(1)
c, _ = s.accept()
c.sendall(b"hello from the server\r\n")
print(c.recv(100))
c.sendall(b"bye\r\n")
c.recv(100); c.close()' &
	local srv=$!
	sleep 0.5
	ip netns exec $A python3 -c '
import socket, time
c = socket.create_connection(("192.0.2.2", 50001))
print(c.recv(100)); c.sendall(b"hi, this is the client\r\n"); time.sleep(0.05)
print(c.recv(100)); c.shutdown(socket.SHUT_WR); time.sleep(0.05); c.close()'
	wait $srv
}
capture tcp-handshake-eth-ipv4.pcap "tcp port 50001" short

# 2. a bulk transfer over IPv6 with loss
bulk() {
	# B drops about one segment in ten as it arrives (nftables; netem may be missing;
	# a drop on the way out of A would be retried locally and never reach the wire)
	ip netns exec $B nft add table inet loss
	ip netns exec $B nft add chain inet loss in "{ type filter hook input priority 0; }"
	ip netns exec $B nft add rule inet loss in tcp dport 50002 numgen random mod 100 '<' 10 drop
	ip netns exec $B python3 -c '
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("2001:db8:77::2", 50002)); s.listen(1)
c, _ = s.accept(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
c.sendall(str(n).encode()); c.close()' &
	local srv=$!
	sleep 0.5
	ip netns exec $A python3 -c '
import socket, random
random.seed(7)
c = socket.create_connection(("2001:db8:77::2", 50002))
for i in range(40):
    c.sendall(bytes(random.randrange(256) for _ in range(1400)))
c.shutdown(socket.SHUT_WR); print(c.recv(100)); c.close()'
	wait $srv
	ip netns exec $B nft delete table inet loss
}
capture tcp-bulk-eth-ipv6.pcap "tcp port 50002" bulk

# 3. UDP both ways
udp() {
	ip netns exec $B python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("192.0.2.2", 50003))
for i in range(3):
    d, a = s.recvfrom(2000); s.sendto(d.upper(), a)' &
	local srv=$!
	sleep 0.5
	ip netns exec $A python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("192.0.2.1", 50004))
for m in (b"one", b"two two", b"x" * 300):
    s.sendto(m, ("192.0.2.2", 50003)); print(s.recvfrom(2000)); time.sleep(0.01)'
	wait $srv
}
capture udp-eth-ipv4.pcap "udp" udp
