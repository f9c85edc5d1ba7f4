#!/bin/sh
# parallel.sh - tracequiz dissect renders big captures on every core, and
# pass 2 follows pass 1 on threads: the output must be byte for byte the one
# a single thread writes, in every format.  The first capture is
# bench/gencap's busy LAN (TCP over IPv4 and IPv6 with their analysis, UDP,
# ICMP), its first 30,000 frames: past the size where the threads start.  (A
# pipe's exit status is its last command's: a failing tracequiz shows as
# output that differs or is empty.)  Run by make check (GENCAP and TRACEQUIZ
# from the build directory).  PARALLEL_FRAMES (30000) and PARALLEL_ROUNDS (60)
# size the two big captures, PARALLEL_FORMATS (list text) the formats of the
# test captures' round: ThreadSanitizer's run takes fewer, enough for every
# thread to take many chunks.
set -eu
tq=${TRACEQUIZ:-./tracequiz}
gen=${GENCAP:-./bench/gencap}
frames=${PARALLEL_FRAMES:-30000}
rounds=${PARALLEL_ROUNDS:-60}
formats=${PARALLEL_FORMATS:-list text}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$tmp/lan.pcap" 20000 > /dev/null
fail=0
# same LABEL THREADS ARGS...: dissect ARGS on THREADS threads writes what one
# thread writes (PDML's header holds the time it was written: not compared)
same() {
	label=$1 threads=$2
	shift 2
	TQ_THREADS=1 "$tq" dissect "$@" | grep -v '^<pdml ' > "$tmp/one"
	TQ_THREADS=$threads "$tq" dissect "$@" | grep -v '^<pdml ' > "$tmp/many"
	if cmp -s "$tmp/one" "$tmp/many" && [ -s "$tmp/one" ]; then
		echo "ok   $label: $threads threads write what 1 writes ($(wc -l < "$tmp/one") lines)"
	else
		echo "FAIL $label: $threads threads and 1 differ"
		fail=1
	fi
}
for fmt in list text pdml; do
	same "--format $fmt" 4 --format "$fmt" --frames "1-$frames" "$tmp/lan.pcap"
done
# a range inside the capture, across chunks, and JSON's separators with it
last=$((frames - 1000))
TQ_THREADS=1 "$tq" dissect --format json --frames "1500-$last" "$tmp/lan.pcap" > "$tmp/one"
TQ_THREADS=3 "$tq" dissect --format json --frames "1500-$last" "$tmp/lan.pcap" > "$tmp/three"
if cmp -s "$tmp/one" "$tmp/three" &&
    python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == int(sys.argv[2])' "$tmp/three" $((last - 1499)); then
	echo "ok   --frames 1500-$last --format json: the same, and a valid array of $((last - 1499)) frames"
else
	echo "FAIL --frames 1500-$last --format json"
	fail=1
fi
# many short TCP conversations (the test captures' SMTP, STARTTLS, TLS 1.2 and
# 1.3, port reuse, reordering, bulk data; 60 rounds, 24,660 frames, 10 MB):
# on threads, pass 2 renders rounds whose conversations are over while pass 1
# reads the next ones
data=${TESTDATA:-$(dirname "$0")/data}
tools=$(dirname "$0")/tools
python3 "$tools/repeat-flows.py" "$tmp/flows.pcap" "$rounds" "$data/smtp-starttls-25-eth-ipv4.pcap" \
    "$data/smtp-starttls-25-tls13-eth-ipv6.pcap" "$data/smtp-plain-25-eth-ipv6.pcap" \
    "$data/tcp-port-reuse-eth-ipv4.pcap" "$data/tls-ooo-retrans-eth-ipv4.pcap" "$data/tls12-hs-fragments.pcap" \
    "$data/tls12-resumed.pcap" "$data/tls13-psk-resumed.pcap" "$data/tcp-bulk-eth-ipv6.pcap" \
    "$data/tls12-clientauth-ocsp.pcap"
for fmt in list text; do
	same "short conversations, pass 2 following pass 1, --format $fmt" 2 --format "$fmt" "$tmp/flows.pcap"
done

# display filters and answer-key expressions: the field index is built on
# threads (chunks of 1,024 frames appended in order) and must hold what one
# thread puts in it
filt() {
	label=$1 threads=$2 cap=$3
	shift 3
	TQ_THREADS=1 "$tq" "$@" > "$tmp/one" 2>&1
	TQ_THREADS=$threads "$tq" "$@" > "$tmp/many" 2>&1
	if cmp -s "$tmp/one" "$tmp/many" && [ -s "$tmp/one" ]; then
		echo "ok   $label: $threads threads give what 1 gives ($(wc -l < "$tmp/one") lines)"
	else
		echo "FAIL $label: $threads threads and 1 differ"
		diff "$tmp/one" "$tmp/many" | head -5
		fail=1
	fi
}
filt "-Y tcp.analysis.flags" 4 lan dissect -Y 'tcp.analysis.flags || icmp' "$tmp/lan.pcap"
filt "-Y tls.handshake, text" 2 flows dissect --format text -Y 'tls.handshake.type == 1 || smtp.req.command == "EHLO"' "$tmp/flows.pcap"
filt "-Y slices and functions" 3 flows dissect -Y 'tcp.payload[0:4] == "EHLO" or count(tls.handshake.ciphersuite) > 20 or len(tcp.payload) == 517' "$tmp/flows.pcap"
filt "eval distinct names" 2 flows eval "$tmp/flows.pcap" 'list(tls.handshake.extensions_server_name where tls.handshake.type == 1)' --explain
filt "eval count" 4 lan eval "$tmp/lan.pcap" 'count(frame where tcp.analysis.retransmission or udp.length > 100)'

# pass 2 following pass 1 on threads (forced on small files by TQ_ASYNC_MIN=0)
# writes what one thread writes after the whole of pass 1, warnings and exit
# status included, on every capture the tests keep: stream reassembly, port
# reuse, fragments, ICMP errors, damaged and cut files
n=0 bad=0
for f in "$data"/*.pcap "$data"/*.pcapng "$data"/regress/*; do
	[ -f "$f" ] || continue
	for fmt in $formats; do
		TQ_THREADS=1 "$tq" dissect --format "$fmt" "$f" > "$tmp/one" 2> "$tmp/one.err"
		echo "exit $?" >> "$tmp/one.err"
		TQ_ASYNC_MIN=0 TQ_THREADS=2 "$tq" dissect --format "$fmt" "$f" > "$tmp/two" 2> "$tmp/two.err"
		echo "exit $?" >> "$tmp/two.err"
		n=$((n + 1))
		if ! cmp -s "$tmp/one" "$tmp/two" || ! cmp -s "$tmp/one.err" "$tmp/two.err"; then
			echo "FAIL --format $fmt $f: pass 2 following pass 1 writes something else"
			diff "$tmp/one" "$tmp/two" | head -5
			diff "$tmp/one.err" "$tmp/two.err" | head -5
			bad=$((bad + 1))
		fi
	done
done
if [ $bad -eq 0 ] && [ $n -gt 0 ]; then
	echo "ok   pass 2 following pass 1: $n dissections of the test captures as one thread writes them"
else
	echo "FAIL pass 2 following pass 1: $bad of $n differ"
	fail=1
fi
exit $fail
