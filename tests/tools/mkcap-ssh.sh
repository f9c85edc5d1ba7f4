#!/usr/bin/env bash
# mkcap-ssh.sh [OUTDIR] - make the SSH test captures from real traffic between OpenSSH's sshd
# and ssh, each in a network namespace of its own joined by one veth pair (run as root;
# nothing leaves the namespaces).  OUTDIR defaults to tests/data.  Captured on the client's
# veth.  The host keys and the client's key are throwaway keys made at run time; the client
# logs in as root of the server namespace with its key (public key authentication).
# Needs: openssh-server, openssh-client, tcpdump, iproute2, ethtool.
#
#   ssh-22.pcap    port 22, IPv4: version exchange, KEXINIT both ways, curve25519-sha256
#                  ECDH init/reply, NEWKEYS, then encrypted packets (chacha20-poly1305):
#                  service request, public key authentication, a session channel running
#                  `echo hi`, exit-status, close, disconnect
#   ssh-2222.pcap  port 2222, IPv6: ecdh-sha2-nistp256 with an ECDSA host key, aes128-ctr
#                  with hmac-sha2-256 (a MAC after each encrypted packet), running `true`
#
#   client ns tqssh_c               server ns tqssh_s
#     sc 198.51.100.10/24   -------   ss 198.51.100.22/24
#        2001:db8::10/64                 2001:db8::22/64
# With tshark installed, each capture is checked and made again (3 tries at most) when it has
# a bad checksum, a malformed frame or a TCP retransmission.  MKCAP_KEEP=1 keeps the temp dir.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here/../data}" && pwd)
C=tqssh_c S=tqssh_s
CA=198.51.100.10 SA=198.51.100.22 CA6=2001:db8::10 SA6=2001:db8::22
CMAC=02:00:00:00:22:10 SMAC=02:00:00:00:22:22
x() { ip netns exec "$@"; }
tmp=
cleanup() {
	for p in $(cat "$tmp"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for n in $C $S; do ip netns del $n 2>/dev/null || true; done
	if [ -n "${MKCAP_KEEP:-}" ]; then echo "kept $tmp" >&2; elif [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
for n in $C $S; do ip netns del $n 2>/dev/null || true; done
tmp=$(mktemp -d /tmp/mkcap-ssh.XXXXXX)
chmod 755 "$tmp"
trap cleanup EXIT

for n in $C $S; do ip netns add $n; x $n ip link set lo up; done
ip link add sc netns $C address $CMAC type veth peer name ss netns $S address $SMAC
x $C ip addr add $CA/24 dev sc; x $C ip addr add $CA6/64 dev sc nodad
x $S ip addr add $SA/24 dev ss; x $S ip addr add $SA6/64 dev ss nodad
for i in "$C sc" "$S ss"; do
	set -- $i
	x $1 sysctl -qw net.ipv6.conf.$2.router_solicitations=0 2>/dev/null || true
	x $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	x $1 ip link set $2 up
done
x $C ip neigh replace $SA lladdr $SMAC dev sc nud permanent
x $C ip neigh replace $SA6 lladdr $SMAC dev sc nud permanent
x $S ip neigh replace $CA lladdr $CMAC dev ss nud permanent
x $S ip neigh replace $CA6 lladdr $CMAC dev ss nud permanent
sleep 1

ssh-keygen -q -t ed25519 -N '' -C 'tq host key' -f "$tmp/host_ed25519"
ssh-keygen -q -t ecdsa -b 256 -N '' -C 'tq host key' -f "$tmp/host_ecdsa"
ssh-keygen -q -t ed25519 -N '' -C 'student@tracequiz' -f "$tmp/id_ed25519"
cp "$tmp/id_ed25519.pub" "$tmp/authorized_keys"
cat > "$tmp/sshd_config" <<EOF
Port 22
Port 2222
ListenAddress $SA
ListenAddress $SA6
HostKey $tmp/host_ed25519
HostKey $tmp/host_ecdsa
PidFile $tmp/sshd.pidfile
AuthorizedKeysFile $tmp/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
X11Forwarding no
Subsystem sftp internal-sftp
EOF
# sshd wants its privilege separation directory /run/sshd: a tmpfs private to the server
# namespace's mount namespace (ip netns exec makes one) leaves the host's /run alone
ip netns exec $S sh -c "mount -t tmpfs -o mode=755 tmpfs /run && mkdir -m 755 /run/sshd && \
	exec /usr/sbin/sshd -D -e -f '$tmp/sshd_config'" >"$tmp/sshd.out" 2>&1 &
echo $! > "$tmp/sshd.pid"
for i in $(seq 50); do
	x $C bash -c "exec 3<>/dev/tcp/$SA/22" 2>/dev/null && break
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
		ip netns exec $C tcpdump -Z root -U -s 0 -i sc -w "$out/$name" "$filter" 2>/dev/null &
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
sshc() {
	x $C ssh -F /dev/null -i "$tmp/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o UserKnownHostsFile="$tmp/known_hosts" -o StrictHostKeyChecking=no \
		-o LogLevel=ERROR "$@"
}
capture ssh-22.pcap "tcp port 22" \
	sshc -o KexAlgorithms=curve25519-sha256 -o HostKeyAlgorithms=ssh-ed25519 \
	-o Ciphers=chacha20-poly1305@openssh.com root@$SA 'echo hi'
capture ssh-2222.pcap "tcp port 2222" \
	sshc -p 2222 -o KexAlgorithms=ecdh-sha2-nistp256 -o HostKeyAlgorithms=ecdsa-sha2-nistp256 \
	-o Ciphers=aes128-ctr -o MACs=hmac-sha2-256 root@$SA6 true
