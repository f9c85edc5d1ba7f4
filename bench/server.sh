#!/usr/bin/env bash
# server.sh - tracequiz serve under load, with wrk (Debian's wrk): the
# auto-grading endpoint (POST /api/v1/grade on the demo exercise, each
# submission graded and committed before its answer) on SQLite, then on
# PostgreSQL with one node and with two nodes on one database (a throwaway
# cluster, tests/pgcluster.sh, durable: fsync on), side by side; the frame
# tree endpoint (GET /api/v1/exercises/smtp-over-tls/frames/4, a tree and its
# bytes as JSON) as an instructor and as a student (the exercise's view
# applied), and a page of the packet list, then the server's memory.  The
# goals: at least 5,000 submissions/s with p99 under 50 ms, 64 connections,
# on this 2-core machine; the frame tree at least twice as many requests/s as
# before the streaming writer (set BEFORE to a tracequiz built from an older
# commit to see both side by side).  Prints figures; never fails.
#
#   make bench-server                     (from the build directory)
#   TRACEQUIZ=./tracequiz bench/server.sh
#   BEFORE=/path/to/old/tracequiz TRACEQUIZ=./tracequiz bench/server.sh
#
#   SECONDS_EACH  seconds per run (default 30)
#   CONNECTIONS   wrk connections (default 64)
#   THREADS       wrk threads (default 2)
#   BEFORE        another tracequiz: the frame and list runs again with it, side by side
#   PG            0: no PostgreSQL runs
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
tq=${TRACEQUIZ:-./tracequiz}
old=${BEFORE:-}
secs=${SECONDS_EACH:-30}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
if ! command -v wrk > /dev/null; then
	echo "bench/server.sh: wrk is missing (apt-get install wrk)" >&2
	exit 0
fi
for b in "$tq" ${old:+"$old"}; do
	if [ ! -x "$b" ]; then
		echo "bench/server.sh: no tracequiz at $b (set TRACEQUIZ, BEFORE)" >&2
		exit 0
	fi
done

tmp=$(mktemp -d)
pid=
trap 'stop; rm -rf "$tmp"' EXIT

# node BIN DB LOG: a server on DB with the demo exercise, started; sets pid, port
node() {
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$1" serve --listen 127.0.0.1:"$port" --db "$2" --seed "$here/../db/seed/smtp-over-tls" \
		--www "$here/../www" > "$3" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "serving http" "$3" 2> /dev/null && break
		sleep 0.1
	done
}
# start BIN [DB]: a server on a fresh database (or DB) with the demo exercise; sets pid, port, token, cookie
start() {
	local bin=$1 db=${2:-$tmp/bench-$RANDOM.db} pw
	node "$bin" "$db" "$tmp/server.log"
	dbfile=$db
	token=$("$bin" token add admin --db "$db")
	pw=$("$bin" user add stu --role student --db "$db" | awk '{ print $2 }')
	cookie=$(python3 - "$port" "$pw" <<'PY'
import json, sys, urllib.request
r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%s/api/v1/session" % sys.argv[1],
    data=json.dumps({"name": "stu", "password": sys.argv[2]}).encode(), headers={"Content-Type": "application/json"}))
print(r.headers["Set-Cookie"].split(";")[0])
PY
)
}
stop() {
	for p in $pid ${pid2:-}; do
		kill "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	pid= pid2=
	[ -n "${pgdir:-}" ] && "$here/../tests/pgcluster.sh" stop "$pgdir"
	pgdir=
}

rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' /proc/"$pid"/status; }
hwm() { awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' /proc/"$pid"/status; }

# a wrk script: the header given, and the summary line
lua() {
	cat <<EOF
wrk.headers["$1"] = "$2"
done = function(summary, latency, requests)
  io.write(string.format("=> %.0f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors (non-2xx %d), %.0f bytes each\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.bytes / math.max(summary.requests, 1)))
end
EOF
}
# load WHO PATH: wrk on PATH as the instructor (staff) or the student
load() {
	if [ "$1" = staff ]; then lua Authorization "Bearer $token"; else lua Cookie "$cookie"; fi > "$tmp/run.lua"
	wrk -t"$threads" -c"$conns" -d"${secs}s" -s "$tmp/run.lua" "http://127.0.0.1:$port$2" | grep "=>"
}

frame=/api/v1/exercises/smtp-over-tls/frames/4
list="/api/v1/exercises/smtp-over-tls/frames?from=1&count=100"
declare -A R
# reads: the frame and list runs of BIN, as LABEL, into R
reads() {
	local bin=$1 label=$2
	start "$bin"
	R[$label,frame,staff]=$(load staff "$frame")
	R[$label,frame,student]=$(load student "$frame")
	R[$label,list,staff]=$(load staff "$list")
	R[$label,list,student]=$(load student "$list")
	R[$label,rss]="RSS $(rss), peak $(hwm)"
	stop
}

echo "tracequiz serve, $(nproc) cores; wrk $threads threads, $conns connections, ${secs} s each"
echo "  now:    $tq ($("$tq" --version 2>/dev/null))"
[ -n "$old" ] && echo "  before: $old ($("$old" --version 2>/dev/null))"

start "$tq"
echo "idle: RSS $(rss)"
count() {
	case $dbfile in
	postgresql://*) psql -X -At -d "$dbfile" -c "select count(*) from submissions" ;;
	*) python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from submissions").fetchone()[0])' "$dbfile" ;;
	esac
}
n0=$(count)
# each request a different student: every one creates a row, as a class would; with the token of
# the server started last
grade_lua() {
cat > "$tmp/grade.lua" <<EOF
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
request = function()
  n = n + 1
  local body = string.format('{"exercise":"smtp-over-tls","student":"bench-%d-%d","answers":{"q1":"smtp.campus.example","q2":"TLS 1.2","q3":3}}', math.random(1, 1000000), n)
  return wrk.format(nil, nil, nil, body)
end
-- the answers other than 200: how many, and the last one's status and message
local threads = {}
setup = function(thread) table.insert(threads, thread) end
response = function(status, headers, body)
  if status ~= 200 then odd = (odd or 0) + 1; last = status .. " " .. string.sub(body or "", 1, 120) end
end
done = function(summary, latency, requests)
  local n, said = 0, ""
  for _, t in ipairs(threads) do
    n = n + (t:get("odd") or 0)
    if t:get("last") then said = t:get("last") end
  end
  io.write(string.format("  => %.0f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors (non-2xx %d)%s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, n > 0 and (", the last: " .. said) or ""))
end
EOF
}
# grade PORT...: wrk POSTs to /api/v1/grade on each port at once, the connections shared out; a line each, then the sum
grade() {
	local k=0 c=$((conns / $#)) t=$((threads / $# > 0 ? threads / $# : 1)) runs=""
	grade_lua
	for p in "$@"; do
		k=$((k + 1))
		wrk -t"$t" -c"$c" -d"${secs}s" -s "$tmp/grade.lua" "http://127.0.0.1:$p/api/v1/grade" | grep "=>" > "$tmp/grade.$k" &
		runs="$runs $!"
	done
	# shellcheck disable=SC2086
	wait $runs
	for k in $(seq $#); do
		[ $# -gt 1 ] && sed "s/^  =>/  node $k =>/" "$tmp/grade.$k" || cat "$tmp/grade.$k"
	done
	[ $# -gt 1 ] && cat "$tmp"/grade.[0-9] | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "requests/s,") n += $i }
		END { printf "  both => %.0f requests/s\n", n }'
}

echo
echo "POST /api/v1/grade (demo exercise, graded and committed before the answer), SQLite:"
grade "$port"
echo "  submissions stored: $n0 -> $(count); RSS $(rss), peak $(hwm)"
stop

# the same on PostgreSQL: one node, then two nodes on one database (the cluster's folder
# outside $tmp, which its user could not reach)
pgdir=$(mktemp -d /tmp/tq-bench-pg.XXXXXX)
if [ "${PG:-1}" != 0 ] && PG_FSYNC=on "$here/../tests/pgcluster.sh" start "$pgdir" 2> "$tmp/pg.why"; then
	pgv=$(psql -X -At -d "postgresql://tracequiz@/postgres?host=$pgdir" -c "show server_version" | cut -d' ' -f1)
	for nodes in 1 2; do
		psql -X -q -d "postgresql://tracequiz@/postgres?host=$pgdir" -c "create database bench$nodes"
		start "$tq" "postgresql://tracequiz@/bench$nodes?host=$pgdir"
		ports=$port
		if [ $nodes = 2 ]; then
			first=$pid
			node "$tq" "$dbfile" "$tmp/server2.log"
			pid2=$pid pid=$first
			ports="$ports $port"
		fi
		n0=$(count)
		echo
		echo "POST /api/v1/grade, PostgreSQL $pgv (fsync on), $nodes node$([ $nodes = 2 ] && echo s) on one database:"
		# shellcheck disable=SC2086
		grade $ports
		echo "  submissions stored: $n0 -> $(count); node 1 RSS $(rss), peak $(hwm)"
		for p in $pid ${pid2:-}; do kill "$p"; wait "$p" 2> /dev/null; done
		pid= pid2=
	done
	"$here/../tests/pgcluster.sh" stop "$pgdir"
else
	echo
	echo "POST /api/v1/grade on PostgreSQL: not run ($(tail -1 "$tmp/pg.why" 2> /dev/null || echo PG=0))"
	"$here/../tests/pgcluster.sh" stop "$pgdir"
fi
pgdir=

reads "$tq" now
[ -n "$old" ] && reads "$old" before
for what in frame list; do
	echo
	if [ $what = frame ]; then
		echo "GET $frame (frame tree and bytes; a student's with the exercise's view applied):"
	else
		echo "GET $list (a page of the packet list):"
	fi
	for who in staff student; do
		for label in before now; do
			[ -n "${R[$label,$what,$who]:-}" ] || continue
			printf '  %-10s %-7s %s\n' "$([ $who = staff ] && echo instructor || echo student)" "$label" "${R[$label,$what,$who]}"
		done
		if [ -n "${R[before,$what,$who]:-}" ]; then
			awk -v a="${R[before,$what,$who]}" -v b="${R[now,$what,$who]}" 'BEGIN {
				split(a, x, " "); split(b, y, " ");
				if (x[2] > 0) printf "  %-18s now / before: %.2fx the requests/s\n", "", y[2] / x[2] }'
		fi
	done
done
echo
echo "memory after the reads: now ${R[now,rss]}${old:+; before ${R[before,rss]:-}}"
