#!/bin/sh
# parallel.sh - tracequiz dissect renders big captures on every core: the
# output must be byte for byte the one a single thread writes, in every
# format.  (A pipe's exit status is its last command's: a failing tracequiz
# shows as output that differs or is empty.)  The capture is bench/gencap's busy LAN (TCP over IPv4 and IPv6 with
# their analysis, UDP, ICMP), its first 30,000 frames: past the size where the threads
# start.  Run by make check (GENCAP and TRACEQUIZ from the build directory).
set -eu
tq=${TRACEQUIZ:-./tracequiz}
gen=${GENCAP:-./bench/gencap}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$tmp/lan.pcap" 20000 > /dev/null
fail=0
for fmt in list text pdml; do
	# (PDML's header holds the time it was written)
	TQ_THREADS=1 "$tq" dissect --format "$fmt" --frames 1-30000 "$tmp/lan.pcap" | grep -v '^<pdml ' > "$tmp/one"
	TQ_THREADS=4 "$tq" dissect --format "$fmt" --frames 1-30000 "$tmp/lan.pcap" | grep -v '^<pdml ' > "$tmp/four"
	if cmp -s "$tmp/one" "$tmp/four" && [ -s "$tmp/one" ]; then
		echo "ok   --format $fmt: 4 threads write what 1 writes ($(wc -l < "$tmp/one") lines)"
	else
		echo "FAIL --format $fmt: 4 threads and 1 differ"
		fail=1
	fi
done
# a range inside the capture, across chunks, and JSON's separators with it
TQ_THREADS=1 "$tq" dissect --format json --frames 1500-29000 "$tmp/lan.pcap" > "$tmp/one"
TQ_THREADS=3 "$tq" dissect --format json --frames 1500-29000 "$tmp/lan.pcap" > "$tmp/three"
if cmp -s "$tmp/one" "$tmp/three" && python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 27501' "$tmp/three"; then
	echo "ok   --frames 1500-29000 --format json: the same, and a valid array of 27,501 frames"
else
	echo "FAIL --frames 1500-29000 --format json"
	fail=1
fi
exit $fail
