#!/usr/bin/env bash
# server.sh - tracequiz serve under load, with wrk (Debian's wrk): the
# auto-grading endpoint (POST /api/v1/grade on the demo exercise, each
# submission graded and committed to SQLite before its answer) and the frame
# tree endpoint (GET /api/v1/exercises/smtp-over-tls/frames/4, a tree and
# its bytes as JSON), then the server's memory.  The issue's goal for the
# first: at least 5,000 submissions/s with p99 under 50 ms, 64 connections,
# 30 s, on this 2-core machine.  Prints figures; never fails.
#
#   make bench-server                     (from the build directory)
#   TRACEQUIZ=./tracequiz bench/server.sh
#
#   SECONDS_EACH  seconds per run (default 30)
#   CONNECTIONS   wrk connections (default 64)
#   THREADS       wrk threads (default 2)
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
tq=${TRACEQUIZ:-./tracequiz}
secs=${SECONDS_EACH:-30}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
if ! command -v wrk > /dev/null; then
	echo "bench/server.sh: wrk is missing (apt-get install wrk)" >&2
	exit 0
fi
if [ ! -x "$tq" ]; then
	echo "bench/server.sh: no tracequiz at $tq (set TRACEQUIZ)" >&2
	exit 0
fi

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tq" serve --listen 127.0.0.1:"$port" --db "$tmp/bench.db" --seed "$here/../db/seed/smtp-over-tls" \
	--www "$here/../www" > "$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null; wait $pid 2> /dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
	grep -q "serving http" "$tmp/server.log" 2> /dev/null && break
	sleep 0.1
done
token=$("$tq" token add admin --db "$tmp/bench.db")

rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' /proc/"$pid"/status; }
hwm() { awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' /proc/"$pid"/status; }

# each request a different student: every one creates a row, as a class would
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
done = function(summary, latency, requests)
  io.write(string.format("  => %.0f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors (non-2xx %d)\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
EOF
cat > "$tmp/frame.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $token"
done = function(summary, latency, requests)
  io.write(string.format("  => %.0f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors (non-2xx %d), %.0f bytes each\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.bytes / math.max(summary.requests, 1)))
end
EOF

echo "tracequiz serve on 127.0.0.1:$port, $(nproc) cores; wrk $threads threads, $conns connections, ${secs} s each"
echo "idle: RSS $(rss)"
count() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from submissions").fetchone()[0])' "$tmp/bench.db"; }
before=$(count)
echo
echo "POST /api/v1/grade (demo exercise, graded and committed before the answer):"
wrk -t"$threads" -c"$conns" -d"${secs}s" -s "$tmp/grade.lua" "http://127.0.0.1:$port/api/v1/grade" | grep "=>"
after=$(count)
echo "  submissions stored: $before -> $after; RSS $(rss), peak $(hwm)"
echo
echo "GET /api/v1/exercises/smtp-over-tls/frames/4 (frame tree and bytes, as an instructor sees it):"
wrk -t"$threads" -c"$conns" -d"${secs}s" -s "$tmp/frame.lua" \
	"http://127.0.0.1:$port/api/v1/exercises/smtp-over-tls/frames/4" | grep "=>"
echo "  RSS $(rss), peak $(hwm)"
echo
echo "GET /api/v1/exercises/smtp-over-tls/frames?from=1&count=100 (a page of the packet list):"
wrk -t"$threads" -c"$conns" -d"${secs}s" -s "$tmp/frame.lua" \
	"http://127.0.0.1:$port/api/v1/exercises/smtp-over-tls/frames?from=1&count=100" | grep "=>"
echo "  RSS $(rss), peak $(hwm)"
