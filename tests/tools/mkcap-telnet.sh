#!/usr/bin/env bash
# mkcap-telnet.sh [OUTDIR] - make telnet-login.pcap from a real Telnet session between
# inetutils telnetd (started by openbsd-inetd) and the inetutils telnet client driven by
# expect, each in a network namespace of its own joined by one veth pair (run as root;
# nothing leaves the namespaces).  OUTDIR defaults to tests/data.  Captured on the client's
# veth.  A throwaway local user `student` (password `test`) is made for the login and
# removed again at the end; utmp, wtmp, btmp and lastlog writes stay inside the server's
# mount namespace, whose host name is tqserver.
# Needs: inetutils-telnetd, openbsd-inetd, inetutils-telnet, expect, passwd (useradd),
# tcpdump, iproute2, ethtool, util-linux (unshare).
#
#   telnet-login.pcap  option negotiation as Debian's client and server do it (DO/WILL
#                      TERMINAL-TYPE with the xterm subnegotiation, NAWS 80x24, TERMINAL-
#                      SPEED, NEW-ENVIRON, ECHO, SUPPRESS-GO-AHEAD, ...), the login prompt,
#                      the user name and password typed one character per segment (the
#                      password not echoed), the shell prompt, `echo hello`, `exit`
#
#   client ns tqtel_c               server ns tqtel_s
#     tc 198.51.100.10/24   -------   ts 198.51.100.23/24
# With tshark installed, each capture is checked and made again (3 tries at most) when it has
# a bad checksum, a malformed frame or a TCP retransmission.  MKCAP_KEEP=1 keeps the temp dir.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here/../data}" && pwd)
C=tqtel_c S=tqtel_s
CA=198.51.100.10 SA=198.51.100.23
CMAC=02:00:00:00:23:10 SMAC=02:00:00:00:23:23
U=student MARK="tracequiz throwaway user"
x() { ip netns exec "$@"; }
deluser() {
	if getent passwd $U >/dev/null; then
		if [ "$(getent passwd $U | cut -d: -f5)" = "$MARK" ]; then
			pkill -u $U 2>/dev/null || true
			userdel -r $U 2>/dev/null || userdel $U
		else
			echo "mkcap-telnet.sh: a user $U exists and is not ours; not touching it" >&2
			exit 1
		fi
	fi
}
tmp=
cleanup() {
	for p in $(cat "$tmp"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for n in $C $S; do ip netns del $n 2>/dev/null || true; done
	deluser
	if [ -n "${MKCAP_KEEP:-}" ]; then echo "kept $tmp" >&2; elif [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
for n in $C $S; do ip netns del $n 2>/dev/null || true; done
deluser
tmp=$(mktemp -d /tmp/mkcap-telnet.XXXXXX)
chmod 755 "$tmp"
trap cleanup EXIT

useradd -m -s /bin/bash -c "$MARK" $U
echo "$U:test" | chpasswd

for n in $C $S; do ip netns add $n; x $n ip link set lo up; done
ip link add tc netns $C address $CMAC type veth peer name ts netns $S address $SMAC
x $C ip addr add $CA/24 dev tc
x $S ip addr add $SA/24 dev ts
for i in "$C tc" "$S ts"; do
	set -- $i
	x $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=1 2>/dev/null || true
	x $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	x $1 ip link set $2 up
done
x $C ip neigh replace $SA lladdr $SMAC dev tc nud permanent
x $S ip neigh replace $CA lladdr $CMAC dev ts nud permanent
sleep 1

echo "$SA:23 stream tcp nowait root /usr/sbin/telnetd telnetd" > "$tmp/inetd.conf"
: > "$tmp/wtmp"; : > "$tmp/btmp"; : > "$tmp/lastlog"
# inetd's pid file and login's utmp go to a private /run; wtmp, btmp, lastlog to empty files
ip netns exec $S unshare -u sh -c "hostname tqserver; \
	mount -t tmpfs -o mode=755 tmpfs /run; : > /run/utmp; \
	for f in wtmp btmp lastlog; do [ -e /var/log/\$f ] && mount --bind '$tmp'/\$f /var/log/\$f; done; \
	exec /usr/sbin/inetd -i '$tmp/inetd.conf'" >"$tmp/inetd.out" 2>&1 &
echo $! > "$tmp/inetd.pid"
for i in $(seq 50); do
	x $C bash -c "exec 3<>/dev/tcp/$SA/23" 2>/dev/null && break
	sleep 0.2
done
sleep 0.5

cat > "$tmp/login.exp" <<EOF
set timeout 15
# a typist: about 0.1 s between keys
set send_human {.1 .2 1 .05 .5}
spawn telnet $SA
stty rows 24 columns 80 < \$spawn_out(slave,name)
expect "login: "
sleep 0.7
send -h "$U\r"
expect "Password: "
sleep 0.7
send -h "test\r"
expect -re {\\\$ \$}
sleep 0.5
send -h "echo hello\r"
expect -re {hello\r\n.*\\\$ \$}
sleep 0.5
send -h "exit\r"
expect eof
EOF

# 0 when tshark (if installed) finds no bad checksum (a rare 0xffff for 0x0000 counts), no
# malformed frame and no TCP retransmission or loss in the file: else we capture again
clean() {
	command -v tshark >/dev/null || return 0
	[ -z "$(tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-Y 'ip.checksum.status==0 or tcp.checksum.status==0 or _ws.malformed
		or tcp.analysis.retransmission or tcp.analysis.lost_segment
		or tcp.analysis.out_of_order' 2>/dev/null)" ]
}
name=telnet-login.pcap
for try in 1 2 3; do
	ip netns exec $C tcpdump -Z root -U -s 0 -i tc -w "$out/$name" "tcp port 23" 2>/dev/null &
	tpid=$!
	sleep 1
	x $C env TERM=xterm LANG=C.UTF-8 expect -f "$tmp/login.exp" > "$tmp/client.out" 2>&1 \
		|| { echo "warning: the scripted login failed:" >&2; tail -5 "$tmp/client.out" >&2; }
	sleep 1
	kill $tpid; wait $tpid 2>/dev/null || true
	clean "$out/$name" && break
	echo "$name: bad checksum, malformed frame or lost segment: capturing again" >&2
done
echo "wrote $out/$name ($(stat -c %s "$out/$name") bytes)"
