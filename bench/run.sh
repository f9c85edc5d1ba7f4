#!/usr/bin/env bash
# run.sh - how fast `tracequiz dissect` is, and how much memory it takes, beside
# tshark and tcpdump on the same capture.  Prints figures; never fails a build.
#
#   make bench                                   (from the build directory)
#   TRACEQUIZ=/path/to/tracequiz bench/run.sh    (directly)
#
# The capture is made once by bench/gencap.c (built here with cc ... -lpcap) and
# cached in bench/out/ (git-ignored): FRAMES (default 250000) frames of a busy
# Ethernet LAN, IPv4 and IPv6, several hundred TCP streams (handshake, small
# writes, delayed ACKs, FIN or RST), UDP request/response and media-like flows,
# and ICMP/ICMPv6 echo sessions; gencap.c's header comment describes it in full.
#
# Each command runs RUNS times (default 3), output to /dev/null; the table shows
# the median wall time and the median peak resident set size measured by
# /usr/bin/time (Debian's `time` package), and the ratios other / tracequiz.
#   TRACEQUIZ   the program to measure (default: ./tracequiz, else the source tree's)
#   FRAMES      frames in the generated capture (default 250000)
#   RUNS        runs of each command (default 3)
#   FORMATS     which comparisons, any of list,text,pdml,filter,json (default all five);
#               filter: the packet list through a display filter (-Y FILTER, tshark -2 -Y);
#               json: the web app's frame JSON, beside tracequiz's own text tree (it has no
#               tshark counterpart: sharkd answers one frame at a time)
#   FILTER      that display filter (default tcp.analysis.retransmission)
#   CAPTURE     measure this capture file instead of generating one
#   BENCH_OUT   where the generator and the captures are kept (default bench/out)
#
# Three more tables measure the same commands on captures of real traffic, each made once
# on a loopback interface, in a network namespace of its own where one can be made (run
# as root; each script's header comment describes its capture), and cached in bench/out/
# like the other:
#   bench/mktls.sh   TLS 1.2 and 1.3 sessions between a Python server and client (needs
#                    openssl, tcpdump, python3)
#   bench/mkhttp.sh  HTTP/1.1 on port 80, nginx (or Python's http.server when nginx is not
#                    installed) and a Python client making many short connections (needs
#                    tcpdump, python3)
#   bench/mkdns.sh   DNS over UDP and TCP, BIND's named authoritative for zones made there
#                    and a Python client (needs tcpdump, python3, named: apt-get install bind9)
#   TLS         0 skips the TLS table (default 1)
#   TLS_FRAMES  frames in the TLS capture (default 200000)
#   TLS_CAPTURE measure this capture file as the TLS one instead of making one
#   HTTP, HTTP_FRAMES, HTTP_CAPTURE   the same for the HTTP table (default 1, 200000)
#   DNS, DNS_FRAMES, DNS_CAPTURE      the same for the DNS table (default 1, 200000)
set -u
export LC_ALL=C TZ=${TZ:-UTC}

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
out=${BENCH_OUT:-$here/out}
runs=${RUNS:-3}
frames=${FRAMES:-250000}
tls_frames=${TLS_FRAMES:-200000}
http_frames=${HTTP_FRAMES:-200000}
dns_frames=${DNS_FRAMES:-200000}
formats=,${FORMATS:-list,text,pdml,filter,json},
filter=${FILTER:-tcp.analysis.retransmission}

tq=${TRACEQUIZ:-}
if [ -z "$tq" ]; then
	if [ -x ./tracequiz ]; then
		tq=$(pwd)/tracequiz
	elif [ -x "$srcdir/tracequiz" ]; then
		tq=$srcdir/tracequiz
	fi
fi
if [ -z "$tq" ] || [ ! -x "$tq" ]; then
	echo "bench: skipped, no tracequiz program to measure (build it, or set TRACEQUIZ=/path/to/tracequiz)"
	exit 0
fi
timecmd=/usr/bin/time
if [ ! -x "$timecmd" ] || ! "$timecmd" -f '%e %M' -o /dev/null true 2>/dev/null; then
	echo "bench: skipped, GNU time is missing (apt-get install time): it measures peak memory"
	exit 0
fi
mkdir -p "$out" || { echo "bench: skipped, cannot create $out"; exit 0; }

tmp=$(mktemp -d) || exit 0
trap 'rm -rf "$tmp"' EXIT

have() { command -v "$1" >/dev/null 2>&1; }
skipped=()

# ---------------------------------------------------------------- the captures
# main_capture: sets cap and origin, or says why not and returns 1.
main_capture() {
	if [ -n "${CAPTURE:-}" ]; then
		cap=$CAPTURE
		origin="given"
		return 0
	fi
	local gen=$out/gencap
	cap=$out/bench-$frames.pcap
	origin="made by bench/gencap.c"
	if [ ! -x "$gen" ] || [ "$here/gencap.c" -nt "$gen" ]; then
		echo "bench: building the capture generator"
		if ! ${CC:-cc} -O2 -o "$gen" "$here/gencap.c" -lpcap; then
			echo "bench: skipped, cannot build bench/gencap.c (it needs a C compiler and libpcap-dev)"
			return 1
		fi
		rm -f "$out"/bench-*.pcap      # a new generator makes new captures
	fi
	if [ ! -s "$cap" ]; then
		echo "bench: writing $cap (once; later runs reuse it)"
		if ! "$gen" "$cap.tmp" "$frames"; then
			rm -f "$cap.tmp"
			echo "bench: skipped, the capture generator failed"
			return 1
		fi
		mv "$cap.tmp" "$cap"
	fi
}

# made_capture KIND FRAMES GIVEN SCRIPT WHAT TOOL...: sets cap and origin to the capture of
# KIND (TLS, HTTP, DNS): GIVEN when that is set, else $out/KIND-FRAMES.pcap, made by
# bench/SCRIPT (with TOOL...) from WHAT if need be; or says why not and returns 1.
made_capture() {
	local kind=$1 n=$2 given=$3 script=$4 what=$5 t
	shift 5
	if [ -n "$given" ]; then
		cap=$given
		origin="given"
		return 0
	fi
	cap=$out/$(echo "$kind" | tr A-Z a-z)-$n.pcap
	origin="made by bench/$script"
	[ -s "$cap" ] && return 0
	for t in "$@"; do
		if ! have $t && [ ! -x "/usr/sbin/$t" ]; then
			echo "bench: $kind table skipped, $t is missing (bench/$script needs $*)"
			return 1
		fi
	done
	if [ "$(id -u)" != 0 ]; then
		echo "bench: $kind table skipped, making its capture needs root (bench/$script captures on a loopback"
		echo "       interface); run as root once, or set ${kind}_CAPTURE=file, or $kind=0"
		return 1
	fi
	echo "bench: writing $cap from $what (once; later runs reuse it)"
	FRAMES=$n bash "$here/$script" "$cap" 2>&1 | sed 's/^/  /'
	if [ "${PIPESTATUS[0]}" != 0 ] || [ ! -s "$cap" ]; then
		rm -f "$cap"
		echo "bench: $kind table skipped, bench/$script failed"
		return 1
	fi
}

# measure ID CMD...: runs CMD $runs times; sets T[ID] (median wall seconds), M[ID]
# (median peak RSS, KiB) and C[ID] (median user+system CPU seconds), or F[ID]
# with the reason it failed.
declare -A T M C F
measure() {
	local id=$1 i rc e m u s
	shift
	: > "$tmp/e"
	: > "$tmp/m"
	: > "$tmp/c"
	for ((i = 0; i < runs; i++)); do
		"$timecmd" -f '%e %M %U %S' -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			F[$id]="exit $rc: $(grep -v 'Running as user' "$tmp/err" | head -n 1 | cut -c 1-60)"
			return
		fi
		read -r e m u s < <(tail -n 1 "$tmp/time")
		echo "$e" >> "$tmp/e"
		echo "$m" >> "$tmp/m"
		awk -v u="$u" -v s="$s" 'BEGIN { print u + s }' >> "$tmp/c"
	done
	T[$id]=$(sort -n "$tmp/e" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	M[$id]=$(sort -n "$tmp/m" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	C[$id]=$(sort -n "$tmp/c" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
}

# ---------------------------------------------------------------- the runs
# run_all CAP: measures every command of $formats on CAP (T, M, C, F start empty).
run_all() {
	local cap=$1
	T=() M=() C=() F=()
	cat "$cap" > /dev/null          # warm the page cache: every tool reads it from memory
	if [[ $formats == *,list,* ]]; then
		echo "bench: packet list ..." >&2
		measure tq_list "$tq" dissect "$cap"
		if have tshark; then
			measure ts_list tshark -r "$cap"
			measure ts2_list tshark -2 -r "$cap"
		fi
		if have tcpdump; then
			measure td_list tcpdump -nr "$cap"
		fi
	fi
	if [[ $formats == *,text,* ]]; then
		echo "bench: text tree ..." >&2
		measure tq_text "$tq" dissect --format text "$cap"
		have tshark && measure ts2_text tshark -2 -V -r "$cap"
	fi
	if [[ $formats == *,json,* ]]; then
		echo "bench: JSON ..." >&2
		[[ $formats == *,text,* ]] || measure tq_text "$tq" dissect --format text "$cap"
		measure tq_json "$tq" dissect --format json "$cap"
	fi
	if [[ $formats == *,pdml,* ]]; then
		echo "bench: PDML ..." >&2
		measure tq_pdml "$tq" dissect --format pdml "$cap"
		have tshark && measure ts2_pdml tshark -2 -T pdml -r "$cap"
	fi
	if [[ $formats == *,filter,* ]]; then
		echo "bench: display filter ..." >&2
		measure tq_filter "$tq" dissect -Y "$filter" "$cap"
		have tshark && measure ts2_filter tshark -2 -Y "$filter" -r "$cap"
	fi
}

# ---------------------------------------------------------------- the table
# row ID LABEL BASE TTARGET MTARGET: one line; the ratios are ID's figure over
# BASE's (tracequiz's): above 1 means tracequiz is faster / smaller.
row() {
	local id=$1 label=$2 base=$3 tt=$4 mt=$5
	if [ -n "${F[$id]:-}" ]; then
		printf '  %-36s %s\n' "$label" "failed (${F[$id]})"
		return
	fi
	[ -n "${T[$id]:-}" ] || return
	awk -v label="$label" -v t="${T[$id]}" -v m="${M[$id]}" -v c="${C[$id]}" \
	    -v bt="${T[$base]:-}" -v bm="${M[$base]:-}" -v self="$([ "$id" = "$base" ] && echo 1)" \
	    -v tt="$tt" -v mt="$mt" 'BEGIN {
		line = sprintf("  %-36s %8.2f %7.2f %9.1f", label, t, c, m / 1024)
		if (self != "" || bt == "") { print line; exit }
		rt = bt > 0 ? t / bt : 0; rm = bm > 0 ? m / bm : 0
		line = line sprintf(" %8.2fx %7.2fx", rt, rm)
		goal = ""
		if (tt != "") goal = sprintf("time >= %gx %s", tt, rt >= tt ? "met" : "MISSED")
		if (mt != "") goal = goal (goal != "" ? ", " : "") sprintf("RSS >= %gx %s", mt, rm >= mt ? "met" : "MISSED")
		print line (goal != "" ? "   " goal : "")
	}'
}

table() {
	printf '  %-36s %8s %7s %9s %9s %8s   %s\n' "" "time (s)" "cpu (s)" "RSS (MiB)" "time/tq" "RSS/tq" "target (ratio over tracequiz)"
	if [[ $formats == *,list,* ]]; then
		echo "packet list"
		row tq_list "tracequiz dissect F" tq_list "" ""
		row ts_list "tshark -r F" tq_list 2 5
		row ts2_list "tshark -2 -r F" tq_list 5 5
		row td_list "tcpdump -nr F" tq_list 1 ""
	fi
	if [[ $formats == *,text,* ]]; then
		echo "text tree"
		row tq_text "tracequiz dissect --format text F" tq_text "" ""
		row ts2_text "tshark -2 -V -r F" tq_text 5 5
	fi
	if [[ $formats == *,json,* ]]; then
		echo "the web app's JSON (doc/json.md), beside the text tree"
		row tq_json "tracequiz dissect --format json F" tq_json "" ""
		if [ -n "${T[tq_json]:-}" ] && [ -n "${T[tq_text]:-}" ]; then
			awk -v j="${T[tq_json]}" -v t="${T[tq_text]}" 'BEGIN { r = t > 0 ? j / t : 0
				printf "  %-36s %8.2fx the time of --format text   target <= 1.5x %s\n", "", r, r <= 1.5 ? "met" : "MISSED" }'
		fi
	fi
	if [[ $formats == *,pdml,* ]]; then
		echo "PDML"
		row tq_pdml "tracequiz dissect --format pdml F" tq_pdml "" ""
		row ts2_pdml "tshark -2 -T pdml -r F" tq_pdml 5 5
	fi
	if [[ $formats == *,filter,* ]]; then
		echo "display filter $filter"
		row tq_filter "tracequiz dissect -Y FILTER F" tq_filter "" ""
		row ts2_filter "tshark -2 -Y FILTER -r F" tq_filter 5 5
	fi
}

# describe CAP: "N frames, X MB"
describe() {
	local n
	n=$("$tq" dissect "$1" 2>/dev/null | wc -l)
	echo "$n frames, $(awk -v s="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", s / 1e6 }')"
}
load() {
	echo "  load      $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null) (other work on the machine inflates wall times; cpu is less affected)"
}

# ---------------------------------------------------------------- the generated capture
tables=0 cap=
if ! main_capture; then
	cap=
elif [ ! -r "$cap" ]; then
	echo "bench: skipped, cannot read $cap"
	cap=
fi
echo
echo "tracequiz benchmark"
if [ -n "$cap" ]; then
	echo "  capture   $cap ($origin)"
	echo "            $(describe "$cap")"
fi
echo "  tracequiz $tq ($("$tq" --version 2>/dev/null))"
have tshark && echo "  tshark    $(tshark --version 2>/dev/null | head -n 1)"
have tcpdump && echo "  tcpdump   $(tcpdump --version 2>&1 | head -n 1)"
echo "  machine   $(nproc) CPU, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
echo "  method    median of $runs runs, output to /dev/null, TZ=$TZ; /usr/bin/time: wall time, peak RSS"
if [ -n "$cap" ]; then
	load
	echo
	run_all "$cap"
	table
	tables=$((tables + 1))
fi

# ---------------------------------------------------------------- the captures of real traffic
for kind in TLS HTTP DNS; do
	case $kind in
	TLS)	on=${TLS:-1}
		args=("$tls_frames" "${TLS_CAPTURE:-}" mktls.sh "real TLS sessions" openssl tcpdump python3)
		title="real TLS 1.2 and 1.3 sessions on loopback";;
	HTTP)	on=${HTTP:-1}
		args=("$http_frames" "${HTTP_CAPTURE:-}" mkhttp.sh "real HTTP/1.1 connections" tcpdump python3)
		title="real HTTP/1.1 on port 80, many short connections on loopback";;
	DNS)	on=${DNS:-1}
		args=("$dns_frames" "${DNS_CAPTURE:-}" mkdns.sh "real DNS queries to named" tcpdump python3 named)
		title="real DNS queries and answers over UDP and TCP on loopback";;
	esac
	[ "$on" != 0 ] || continue
	echo
	if ! made_capture "$kind" "${args[@]}"; then
		cap=
	elif [ ! -r "$cap" ]; then
		echo "bench: $kind table skipped, cannot read $cap"
		cap=
	fi
	if [ -n "$cap" ]; then
		echo "$kind capture: $title, $(describe "$cap")"
		echo "  capture   $cap ($origin)"
		load
		echo
		run_all "$cap"
		table
		tables=$((tables + 1))
	fi
done

have tshark || skipped+=("tshark is not installed (apt-get install tshark): no tshark figures")
have tcpdump || skipped+=("tcpdump is not installed (apt-get install tcpdump): no tcpdump figures")
echo
if [ $tables -gt 0 ]; then
	echo "  time: wall clock; cpu: user + system; RSS: peak resident set size (for tracequiz it includes"
	echo "  the capture file, which it maps whole).  time/tq, RSS/tq: the tool's median wall time and RSS"
	echo "  over tracequiz's; above 1, tracequiz is faster or smaller."
	echo "  targets: packet list at least 2x faster than tshark -r, 5x faster than tshark -2 -r, and at"
	echo "           least as fast as tcpdump -nr; text and PDML at least 5x faster than tshark -2;"
	echo "           peak memory at most a fifth of tshark's."
fi
for s in "${skipped[@]+"${skipped[@]}"}"; do
	echo "  skipped: $s"
done
exit 0
