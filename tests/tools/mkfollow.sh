#!/bin/sh
# mkfollow.sh - what tshark's Follow Stream prints for every TCP, UDP and
# HTTP/2 stream of the captures in tests/data (and a nonexistent stream of
# each kind), in its three formats, for tests/follow.sh (which needs no tshark).
# tests/data/follow.expected holds one line per case,
# "CAPTURE<TAB>STREAM<TAB>FORMAT<TAB>SHA256" (STREAM tcp.stream==N,
# udp.stream==N or "tcp.stream==N && http2.streamid==S", the SHA-256 of
# `tshark -qz follow,PROTO,FORMAT,N[,S]`'s output), and tests/data/follow/
# a few outputs whole, to read.
set -eu
dir=$(cd "$(dirname "$0")/../data" && pwd)
command -v tshark >/dev/null || { echo "mkfollow: tshark is missing (apt-get install tshark)" >&2; exit 1; }
tab=$(printf '\t')
out=$dir/follow.expected.part
: > "$out"
mkdir -p "$dir/follow"
for path in "$dir"/*.pcap "$dir"/*.pcapng; do
	cap=$(basename "$path")
	for proto in tcp udp; do
		last=$(tshark -r "$path" -T fields -e "$proto.stream" 2>/dev/null | tr ',' '\n' | grep . | sort -n | tail -1)
		[ -n "$last" ] || continue
		for s in $(seq 0 $((last + 1))); do
			for fmt in ascii hex raw; do
				sum=$(tshark -r "$path" -qz "follow,$proto,$fmt,$s" 2>/dev/null | sha256sum | cut -d' ' -f1)
				printf '%s\t%s.stream==%s\t%s\t%s\n' "$cap" "$proto" "$s" "$fmt" "$sum" >> "$out"
			done
		done
	done
done
# HTTP/2 streams: every (tcp.stream, http2.streamid) a second pass shows, and one stream id none has
for path in "$dir"/*.pcap "$dir"/*.pcapng; do
	cap=$(basename "$path")
	pairs=$(tshark -2 -r "$path" -Y http2 -T fields -e tcp.stream -e http2.streamid 2>/dev/null |
		awk -F'\t' '{ n = split($2, ids, ","); for (i = 1; i <= n; i++) print $1, ids[i]; if ($1 > last) last = $1 }
			END { if (NR) print 0, 999 }' | sort -u -k1,1n -k2,2n)
	[ -n "$pairs" ] || continue
	printf '%s\n' "$pairs" | while read -r s id; do
		for fmt in ascii hex raw; do
			sum=$(tshark -r "$path" -qz "follow,http2,$fmt,$s,$id" 2>/dev/null | sha256sum | cut -d' ' -f1)
			printf '%s\ttcp.stream==%s && http2.streamid==%s\t%s\t%s\n' "$cap" "$s" "$id" "$fmt" "$sum" >> "$out"
		done
	done
done
mv "$out" "$dir/follow.expected"
# whole outputs: small streams that show each case (out of order, the snaplen, IPv6, UDP)
for c in "tcp-handshake-eth-ipv4.pcap tcp 0 ascii" "tcp-handshake-eth-ipv4.pcap tcp 0 hex" \
	"smtp-snaplen130-eth-ipv4.pcap tcp 0 ascii" "tcp-port-reuse-eth-ipv4.pcap tcp 0 ascii" \
	"udp-eth-ipv4.pcap udp 0 raw" "telnet-login.pcap tcp 0 ascii" "http2-prior.pcap http2 0-13 ascii"; do
	set -- $c
	tshark -r "$dir/$1" -qz "follow,$2,$4,$(echo "$3" | tr - ,)" 2>/dev/null > "$dir/follow/${1%.*}.$2-$3.$4"
done
echo "mkfollow: $(wc -l < "$dir/follow.expected") cases"
