#!/bin/sh
# follow.sh - tracequiz follow against what tshark's Follow Stream printed
# for every TCP, UDP and HTTP/2 stream of the test captures, in ascii, hex and raw
# (tests/data/follow.expected, made by tests/tools/mkfollow.sh: a SHA-256 of
# each output; tests/data/follow/ holds a few whole, compared byte for byte
# with a diff on failure).  A malformed stream is refused with a message.
# Built with sanitizers (TQ_SANITIZED set by make check), one case in 4.
set -u
here=$(cd "$(dirname "$0")" && pwd)
data=${TQ_DATA:-$here/data}
tq=${TRACEQUIZ:-./tracequiz}
[ -x "$tq" ] || { echo "follow: no tracequiz at $tq (set TRACEQUIZ)" >&2; exit 99; }
tab=$(printf '\t')
# vendor names are in no follow output: the manuf file is not read (half of each run's time)
TQ_MANUF=/dev/null
export TQ_MANUF
# under the sanitizers (10x slower) one case in 4 is enough to exercise every path
stride=1
[ -n "${TQ_SANITIZED:-}" ] && stride=4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
k=0
while IFS="$tab" read -r cap stream fmt want; do
	k=$((k + 1))
	[ $((k % stride)) = 0 ] || [ "$stride" = 1 ] || continue
	n=$((n + 1))
	got=$("$tq" follow "$data/$cap" "$stream" --format "$fmt" 2>"$tmp/err" | sha256sum | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		bad=$((bad + 1))
		echo "FAIL $cap $stream $fmt differs from tshark -qz follow"
		sed 's/^/  /' "$tmp/err"
	fi
done < "$data/follow.expected"
for f in "$data"/follow/*; do
	base=$(basename "$f")                      # CAPTURE.PROTO-N.FORMAT, CAPTURE.http2-N-S.FORMAT
	fmt=${base##*.}
	rest=${base%.*}
	stream=${rest##*.}
	cap=${rest%.*}
	pcap=$data/$cap.pcap
	[ -f "$pcap" ] || pcap=$data/$cap.pcapng
	n=$((n + 1))
	case $stream in
	http2-*) id=${stream##*-}; s=${stream#http2-}; spec="tcp.stream==${s%-*} && http2.streamid==$id";;
	*) spec="${stream%-*}.stream==${stream#*-}";;
	esac
	if ! "$tq" follow "$pcap" "$spec" --format "$fmt" > "$tmp/out" 2>&1 ||
	    ! cmp -s "$tmp/out" "$f"; then
		bad=$((bad + 1))
		echo "FAIL $base:"
		diff "$f" "$tmp/out" | head -20 | sed 's/^/  /'
	fi
done
# what is not a stream is refused, with a message
for spec in "tcp.stream" "tcp.stream==x" "ip.stream==1" "tcp.stream==1 2" "tcp.stream==99999999999" \
	"tcp.stream==0 && http2.streamid" "udp.stream==0 && http2.streamid==1" "tcp.stream==0 and"; do
	n=$((n + 1))
	if "$tq" follow "$data/tcp-handshake-eth-ipv4.pcap" "$spec" > /dev/null 2>"$tmp/err" || [ ! -s "$tmp/err" ]; then
		bad=$((bad + 1))
		echo "FAIL '$spec' was not refused with a message"
	fi
done
echo "follow: $((n - bad)) of $n streams and formats as tshark's Follow Stream prints them"
[ "$n" -gt 0 ] && [ "$bad" = 0 ]
