#!/usr/bin/env bash
# keys.sh - how long the answer keys of a 10-question exercise take on a big
# capture: open it (pass 1), build one field index for the ten expressions
# (each frame dissected once), evaluate the ten.  The issue's goal: at least
# 100,000 frames in under a second on this machine.  Beside it, for scale, the
# time tshark takes to answer ONE of the questions.  Prints figures; never fails.
#
#   make bench-keys                              (from the build directory)
#   KEYS=/path/to/bench/keys bench/keys.sh       (directly)
#
# The capture is bench/run.sh's: bench/gencap.c's busy LAN (TCP over IPv4 and
# IPv6, UDP flows, ICMP and ICMPv6 echo), FRAMES frames (default 250000), made
# once and cached in bench/out/ (shared with run.sh).
#   KEYS        the bench/keys program (default: ./bench/keys, made by make bench-keys)
#   FRAMES      frames in the generated capture (default 250000)
#   RUNS        runs (default 3); the run with the median total is shown
#   CAPTURE     measure this capture file instead (the questions suit gencap's)
#   BENCH_OUT   where the generator and the capture are kept (default bench/out)
#   TSHARK=0    leave tshark out
set -u
export LC_ALL=C TZ=${TZ:-UTC}

here=$(cd "$(dirname "$0")" && pwd)
out=${BENCH_OUT:-$here/out}
runs=${RUNS:-3}
frames=${FRAMES:-250000}

keys=${KEYS:-}
if [ -z "$keys" ] && [ -x ./bench/keys ]; then
	keys=$(pwd)/bench/keys
fi
if [ -z "$keys" ] || [ ! -x "$keys" ]; then
	echo "bench-keys: skipped, no bench/keys program (run make bench-keys in the build directory, or set KEYS=)"
	exit 0
fi
timecmd=/usr/bin/time
if [ ! -x "$timecmd" ] || ! "$timecmd" -f '%e %M' -o /dev/null true 2>/dev/null; then
	echo "bench-keys: skipped, GNU time is missing (apt-get install time): it measures peak memory"
	exit 0
fi
mkdir -p "$out" || { echo "bench-keys: skipped, cannot create $out"; exit 0; }

# ---------------------------------------------------------------- the capture (as run.sh makes it)
if [ -n "${CAPTURE:-}" ]; then
	cap=$CAPTURE
	origin="given"
else
	gen=$out/gencap
	cap=$out/bench-$frames.pcap
	origin="made by bench/gencap.c"
	if [ ! -x "$gen" ] || [ "$here/gencap.c" -nt "$gen" ]; then
		echo "bench-keys: building the capture generator"
		if ! ${CC:-cc} -O2 -o "$gen" "$here/gencap.c" -lpcap; then
			echo "bench-keys: skipped, cannot build bench/gencap.c (it needs a C compiler and libpcap-dev)"
			exit 0
		fi
		rm -f "$out"/bench-*.pcap      # a new generator makes new captures
	fi
	if [ ! -s "$cap" ]; then
		echo "bench-keys: writing $cap (once; later runs reuse it)"
		if ! "$gen" "$cap.tmp" "$frames"; then
			rm -f "$cap.tmp"
			echo "bench-keys: skipped, the capture generator failed"
			exit 0
		fi
		mv "$cap.tmp" "$cap"
	fi
fi
if [ ! -r "$cap" ]; then
	echo "bench-keys: skipped, cannot read $cap"
	exit 0
fi
cat "$cap" > /dev/null          # warm the page cache

tmp=$(mktemp -d) || exit 0
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- the exercise
# Ten questions a teacher would ask about such a trace, and their keys.
q=(
	"How many frames carry TCP payload?"
	"How many TCP connections are opened (SYN without ACK)?"
	"How many TCP streams does the trace hold?"
	"What is the TTL of the first ICMP echo reply?"
	"What type of message is the first ICMPv6 one?"
	"How many UDP bytes (headers included) go to port 7710?"
	"What is the largest window a server advertises?"
	"In which frame does the third connection opened send its first FIN?"
	"How many frames does the host that pings first send?"
	"How many IPv6 hosts send echo requests, and the first of them?"
)
x=(
	'count(frame where tcp.len > 0)'
	'count(frame where tcp.flags.syn == 1 and tcp.flags.ack == 0)'
	'len(distinct(tcp.stream))'
	'first(ip.ttl where icmp.type == 0)'
	'label(first(icmpv6.type))'
	'sum(udp.length where udp.dstport == 7710)'
	'max(tcp.window_size_value where tq.from_client == 0)'
	'first(frame.number where tcp.stream == nth(3, tcp.stream where tcp.flags.syn == 1 and tcp.flags.ack == 0) and tcp.flags.fin == 1)'
	'count(frame where ip.src == first(ip.src where icmp.type == 8))'
	'str(len(distinct(ipv6.src where icmpv6.type == "Echo (ping) request"))) + " hosts, first " + str(first(ipv6.src where icmpv6.type == 128))'
)

# ---------------------------------------------------------------- the runs
for ((r = 0; r < runs; r++)); do
	if ! "$timecmd" -f '%e %M' -o "$tmp/time.$r" "$keys" "$cap" "${x[@]}" > "$tmp/out.$r" 2> "$tmp/err.$r"; then
		echo "bench-keys: bench/keys failed: $(head -n 1 "$tmp/err.$r")"
		exit 0
	fi
	awk -F '\t' '$1 == "total" { print $2 }' "$tmp/out.$r" > "$tmp/total.$r"
	if [ ! -s "$tmp/total.$r" ]; then
		echo "bench-keys: bench/keys printed no total: $(head -n 1 "$tmp/err.$r")"
		exit 0
	fi
done
# the run with the median total
med=$(for ((r = 0; r < runs; r++)); do echo "$(cat "$tmp/total.$r") $r"; done | sort -n |
	awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }')
rss=$(for ((r = 0; r < runs; r++)); do tail -n 1 "$tmp/time.$r" | cut -d ' ' -f 2; done | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
res=$tmp/out.$med

nframes=$(awk -F '\t' '$1 == "open" { print $4 }' "$res")
size=$(stat -c %s "$cap")
echo
echo "answer-keys benchmark"
echo "  capture   $cap ($origin)"
echo "            $nframes frames, $(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }')"
echo "  program   $keys (libtqanalysis: open, tq_findex_build once, tq_expr_eval ten times)"
echo "  machine   $(nproc) CPU, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
echo "  method    the run with the median total of $runs; times measured inside the program (wall clock"
echo "            and the process's CPU time); peak RSS by /usr/bin/time"
echo "  load      $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null) (other work on the machine inflates wall times; cpu is less affected)"
echo
awk -F '\t' -v rss="$rss" '
	BEGIN { printf "  %-58s %9s %9s\n", "", "time (s)", "cpu (s)" }
	$1 == "open"  { printf "  %-58s %9.3f %9.3f\n", "open the capture (pass 1)", $2, $3 }
	$1 == "index" { printf "  %-58s %9.3f %9.3f\n", sprintf("build the field index (%d fields, %d occurrences)", $4, $5), $2, $3 }
	$1 == "expr"  { e += $2; ec += $3; lines[$4] = $2; cpus[$4] = $3; vals[$4] = $5 }
	$1 == "total" { total = $2; tcpu = $3 }
	END {
		for (i = 1; i in lines; i++)
			printf "  %-58s %9.4f %9.4f   %s\n", sprintf("key %2d", i), lines[i], cpus[i], vals[i]
		printf "  %-58s %9.4f %9.4f\n", "ten keys, evaluation only", e, ec
		printf "  %-58s %9.3f %9.3f   (%s)\n", "total: open + index + ten keys", total, tcpu,
		    total < 1 ? "goal < 1 s: met" : "goal < 1 s: MISSED"
		printf "  %-58s %9.1f MiB\n", "peak RSS", rss / 1024
	}' "$res"
echo
echo "  the questions:"
for i in "${!q[@]}"; do
	printf '  %2d  %s\n      %s\n' "$((i + 1))" "${q[$i]}" "${x[$i]}"
done

# ---------------------------------------------------------------- tshark, for scale
if [ "${TSHARK:-1}" != 0 ] && command -v tshark > /dev/null 2>&1; then
	echo
	echo "  tshark $(tshark --version 2>/dev/null | head -n 1 | awk '{ print $3 }'), one question, one run each (reads the whole file every time;"
	echo "  the ten keys above agree with what tshark -T fields gives for the ten questions):"
	t1() {        # label, then the pipeline as a string (stderr dropped)
		local label=$1 cmd=$2 start end v
		start=$(date +%s.%N)
		v=$(bash -c "$cmd" 2>/dev/null)
		end=$(date +%s.%N)
		printf '  %-58s %9.3f %9s   %s\n' "$label" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "" "$v"
	}
	t1 "key 4: -Y 'icmp.type == 0' -T fields -e ip.ttl | head -1" \
	    "tshark -r '$cap' -Y 'icmp.type == 0' -T fields -e ip.ttl | head -n 1"
	t1 "key 2: -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' | wc -l" \
	    "tshark -r '$cap' -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' | wc -l"
fi
exit 0
