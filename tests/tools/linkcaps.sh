#!/usr/bin/env bash
# linkcaps.sh OUTDIR - how the real link-layer captures of tests/data were made (run as root).
#
# A veth pair, one end in a network namespace, and one short burst of real
# traffic (ARP/NDP, ICMP and ICMPv6 echo, UDP and TCP over IPv4 and IPv6),
# captured at once by several tcpdumps and a dumpcap:
#   link-eth.pcap        tcpdump -i vtq0 (Ethernet, microseconds)
#   link-eth-nsec.pcap   tcpdump -i vtq0 --time-stamp-precision=nano
#   link-sll.pcap        tcpdump -i any -y LINUX_SLL   (Linux cooked v1; without -y, tcpdump
#                        4.99 on Debian 12 writes v2 for -i any)
#   link-sll2.pcap       tcpdump -i any -y LINUX_SLL2  (Linux cooked v2)
#   link-snap60.pcap     tcpdump -i vtq0 -s 60         (snaplen-truncated)
#   link-ifaces.pcapng   dumpcap -i vtq0 -i lo         (two interfaces; lo has a description)
# Then tests/tools/mklink.py derives the link types Linux cannot capture here
# from link-eth.pcap, and tests/tools/mkexpect.sh writes tshark's expected output.
set -eu
out=$(cd "${1:?usage: linkcaps.sh OUTDIR}" && pwd)
ip link add vtq0 type veth peer name vtq1
ip netns add tqns
trap 'ip link del vtq0 2>/dev/null; ip netns del tqns 2>/dev/null' EXIT
ip link set vtq1 netns tqns
ip addr add 10.99.0.1/24 dev vtq0
ip -6 addr add fd00:99::1/64 dev vtq0 nodad
ip link set vtq0 up
ip netns exec tqns sh -c 'ip addr add 10.99.0.2/24 dev vtq1 && ip -6 addr add fd00:99::2/64 dev vtq1 nodad && ip link set vtq1 up && ip link set lo up'
sleep 4         # let the new links' own MLD reports and router solicitations pass

traffic() {
	ip neigh flush dev vtq0; ip netns exec tqns ip neigh flush dev vtq1
	ip netns exec tqns python3 - <<'PY' &
import socket, threading
def tcp(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 40000)); s.listen(1); c, _ = s.accept(); d = c.recv(100); c.sendall(b"ok " + d); c.close(); s.close()
def udp(fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.bind((addr, 40001)); d, a = s.recvfrom(100); s.sendto(b"pong", a); s.close()
ts = [threading.Thread(target=f, args=a) for f, a in ((tcp, (socket.AF_INET, "10.99.0.2")), (tcp, (socket.AF_INET6, "fd00:99::2")), (udp, (socket.AF_INET, "10.99.0.2")), (udp, (socket.AF_INET6, "fd00:99::2")))]
[t.start() for t in ts]; [t.join() for t in ts]
PY
	local srv=$!
	sleep 0.5
	ping -c1 -W1 10.99.0.2 >/dev/null
	ping -6 -c1 -W1 fd00:99::2 >/dev/null
	python3 - <<'PY'
import socket, time
for fam, addr in ((socket.AF_INET, "10.99.0.2"), (socket.AF_INET6, "fd00:99::2")):
    u = socket.socket(fam, socket.SOCK_DGRAM); u.sendto(b"hi", (addr, 40001)); u.settimeout(1); u.recvfrom(100); u.close()
    s = socket.create_connection((addr, 40000)); s.sendall(b"hello"); s.recv(100); s.close(); time.sleep(0.1)
PY
	wait "$srv"
}

f='net 10.99.0.0/24 or net fd00:99::/64 or arp'
pids=()
tcpdump -q -i vtq0 -w "$out/link-eth.pcap" 2>/dev/null & pids+=($!)
tcpdump -q -i vtq0 --time-stamp-precision=nano -w "$out/link-eth-nsec.pcap" 2>/dev/null & pids+=($!)
tcpdump -q -i any -y LINUX_SLL -w "$out/link-sll.pcap" "$f" 2>/dev/null & pids+=($!)
tcpdump -q -i any -y LINUX_SLL2 -w "$out/link-sll2.pcap" "$f" 2>/dev/null & pids+=($!)
tcpdump -q -i vtq0 -s 60 -w "$out/link-snap60.pcap" 2>/dev/null & pids+=($!)
sleep 2; traffic; sleep 1
kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true

dumpcap -q -i vtq0 -i lo -w "$out/link-ifaces.pcapng" 2>/dev/null & dc=$!
sleep 2
ping -c1 -W1 10.99.0.2 >/dev/null; ping -c1 -W1 127.0.0.1 >/dev/null
ping -6 -c1 -W1 ::1 >/dev/null; ping -6 -c1 -W1 fd00:99::2 >/dev/null
sleep 1; kill -INT "$dc"; wait "$dc" 2>/dev/null || true

python3 "$(dirname "$0")/mklink.py" "$out/link-eth.pcap" "$out"
