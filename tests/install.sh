#!/usr/bin/env bash
# install.sh - `make install` into a staging folder (DESTDIR), then the
# installed program run as an admin would run it: `tracequiz serve` from
# another folder, with no --www and no --seed, finds the web app and the demo
# exercise it installed; answers; and `tracequiz backup` copies the live
# database while submissions are being written.  `make uninstall` leaves
# nothing of ours behind.
set -u
export LC_ALL=C
builddir=${TQ_BUILDDIR:?run from make check}
prefix=${TQ_PREFIX:-/usr/local}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

dest=$(mktemp -d)
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$dest" "$work"' EXIT
# make check's own make flags (-j, the jobserver) are not for this make
if ! env -u MAKEFLAGS -u MFLAGS make -s -C "$builddir" install DESTDIR="$dest" > "$work/install.log" 2>&1; then
	cat "$work/install.log"
	echo "FAIL make install DESTDIR=$dest"
	exit 1
fi
bin=$dest$prefix/bin/tracequiz
share=$dest$prefix/share/tracequiz
[ -x "$bin" ] && ok "the program: $bin" || bad "no program at $bin"
cmp -s "$share/www/index.html" "$srcdir/www/index.html" && ok "the web app under share/tracequiz/www" ||
	bad "no web app at $share/www"
[ -f "$share/seed/smtp-over-tls/exercise.yaml" ] && [ -f "$share/seed/smtp-over-tls/smtp-tls.pcap" ] &&
	ok "the demo exercise under share/tracequiz/seed" || bad "no demo exercise at $share/seed"

# the man pages render without a warning; the unit passes systemd-analyze verify
for m in man1/tracequiz.1 man5/tracequiz-exercise.5; do
	if [ ! -f "$dest$prefix/share/man/$m" ]; then
		bad "no man page $m"
	elif ! command -v groff > /dev/null; then
		echo "skip man page $m: no groff to render it"
	else
		warn=$(groff -man -ww -z "$dest$prefix/share/man/$m" 2>&1)
		[ -z "$warn" ] && ok "man page $m renders cleanly" || bad "man page $m: $warn"
	fi
done
unit=$dest$prefix/lib/systemd/system/tracequiz.service
conf=$(find "$dest" -name tracequiz.conf)
[ -n "$conf" ] && grep -q '^LISTEN=' "$conf" && ok "the settings file: ${conf#"$dest"}" || bad "no tracequiz.conf installed"
if [ ! -f "$unit" ]; then
	bad "no systemd unit at $unit"
elif ! command -v systemd-analyze > /dev/null; then
	echo "skip the unit's check: no systemd-analyze"
else
	# checked as installed, its program path pointed at the staged copy (verify runs it by path)
	mkdir -p "$work/unit"
	sed "s|$prefix/bin/tracequiz|$bin|" "$unit" > "$work/unit/tracequiz.service"
	if out=$(MANPATH=$dest$prefix/share/man systemd-analyze verify "$work/unit/tracequiz.service" 2>&1); then
		ok "systemd-analyze verify: clean"
	else
		bad "systemd-analyze verify: $out"
	fi
	level=$(systemd-analyze security --offline=yes "$work/unit/tracequiz.service" 2>/dev/null | grep -o 'exposure level for [^:]*: [0-9.]* [A-Z]*')
	[ -n "$level" ] && ok "systemd-analyze security: $level" || echo "skip the exposure level: this systemd-analyze has no --offline"
fi

# the installed program, from a folder that holds nothing of ours
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$work" || exit 1
"$bin" serve --listen 127.0.0.1:"$port" --db "$work/live.db" --access-log > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q "serving http" "$work/serve.log" 2> /dev/null && break
	sleep 0.1
done
grep -q "serving http" "$work/serve.log" && ok "serves without --www or --seed" || { cat "$work/serve.log"; bad "did not start"; }
grep -q "from $share/seed/smtp-over-tls" "$work/serve.log" && ok "the demo exercise read from the installed copy" ||
	bad "demo exercise not from $share: $(grep demo "$work/serve.log")"
page=$(curl -s "http://127.0.0.1:$port/")
[ "$page" = "$(cat "$srcdir/www/index.html")" ] && ok "GET / is the installed index.html" || bad "GET /: ${page:0:200}"
health=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz" | tr -d '\n')
[[ $health == *" 200" ]] && ok "GET /healthz: $health" || bad "GET /healthz: $health"
token=$("$bin" token add admin --db "$work/live.db")
ex=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/exercises/smtp-over-tls")
[[ $ex == *'"slug":"smtp-over-tls"'* ]] && ok "the demo exercise is served" || bad "the demo exercise: ${ex:0:200}"

# a backup of the live database while submissions are written
python3 - "$port" "$token" > "$work/grade.log" 2>&1 <<'PY' &
import http.client, json, sys, threading
def run(k):
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
    for i in range(1000):
        body = json.dumps({"exercise": "smtp-over-tls", "student": "b-%d-%d" % (k, i), "answers": {"q2": "TLS 1.2"}})
        c.request("POST", "/api/v1/grade", body, {"Authorization": "Bearer " + sys.argv[2], "Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        if r.status != 200:
            print("status", r.status)
ts = [threading.Thread(target=run, args=(k,)) for k in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
PY
writer=$!
count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from submissions").fetchone()[0])' "$1"; }
for _ in $(seq 200); do
	[ "$(count "$work/live.db")" -gt 20 ] && break
	sleep 0.05
done
if "$bin" backup --db "$work/live.db" "$work/copy.db" 2> "$work/backup.err"; then
	ok "tracequiz backup while grading"
else
	bad "tracequiz backup: $(cat "$work/backup.err")"
fi
wait $writer
live=$(count "$work/live.db")
copy=$(python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); print(d.execute("pragma integrity_check").fetchone()[0], d.execute("select count(*) from submissions").fetchone()[0], d.execute("select count(*) from users where name = ?", ("admin",)).fetchone()[0])' "$work/copy.db")
read -r integrity copied admins <<< "$copy"
[ "$integrity" = ok ] && [ "$admins" = 1 ] && [ "$copied" -gt 0 ] && [ "$copied" -le "$live" ] &&
	ok "the copy is whole: integrity $integrity, $copied of the $live submissions, the admin account" ||
	bad "the copy: $copy (live: $live)"
[ ! -s "$work/grade.log" ] && ok "4,000 submissions graded meanwhile" || bad "grading: $(head -3 "$work/grade.log")"
ls "$work" | grep -q "copy.db.tmp" && bad "a temporary file was left" || ok "no temporary file left"
"$bin" backup --db "$work/missing.db" "$work/x.db" 2> "$work/err" && bad "a missing database was backed up" ||
	{ grep -q "there is no database" "$work/err" && ok "a missing database: $(cat "$work/err")" || bad "missing: $(cat "$work/err")"; }
kill "$pid"
wait "$pid" 2> /dev/null
pid=
# the access log: a JSON line a request, with who asked and what was answered
if python3 - "$work/serve.log" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"time"')]
keys = {"time", "addr", "user", "method", "path", "status", "bytes", "ms"}
health = [l for l in lines if l["path"] == "/healthz"]
graded = [l for l in lines if l["path"] == "/api/v1/grade" and l["status"] == 200]
assert all(set(l) == keys for l in lines), lines[:2]
assert health and health[0]["status"] == 200 and health[0]["user"] is None and health[0]["addr"] == "127.0.0.1", health
assert len(graded) == 4000 and all(l["user"] == "admin" and l["bytes"] > 0 for l in graded), len(graded)
print(len(lines), "lines")
PY
then ok "the access log: a JSON line for each of the $(grep -c '^{"time"' "$work/serve.log") requests"
else bad "the access log: $(grep -m2 '^{' "$work/serve.log")"; fi

if env -u MAKEFLAGS -u MFLAGS make -s -C "$builddir" uninstall DESTDIR="$dest" > "$work/uninstall.log" 2>&1; then
	left=$(find "$dest" -type f | head -5)
	[ -z "$left" ] && ok "make uninstall leaves no file" || bad "left after uninstall: $left"
else
	bad "make uninstall: $(tail -3 "$work/uninstall.log")"
fi
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all install checks passed"
