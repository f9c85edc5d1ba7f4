#!/bin/sh
# pgcluster.sh start DIR | stop DIR - a throwaway PostgreSQL cluster for the
# tests and benchmarks: initdb into DIR/data as an unprivileged user (the
# postgres user when run as root: PostgreSQL refuses root), its Unix socket
# in DIR, no TCP, a superuser "tracequiz" trusted on the socket.  start
# prints nothing and exits 0 when the cluster runs; 77 when PostgreSQL is
# not installed; 1 (saying why) when it would not start.  stop stops it and
# removes DIR.  Connect with postgresql://tracequiz@/DB?host=DIR.
set -u
what=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: pgcluster.sh start|stop DIR" >&2; exit 2; }

bindir=$(pg_config --bindir 2>/dev/null)
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as=""
if [ "$(id -u)" = 0 ]; then
	user=postgres
	id "$user" >/dev/null 2>&1 || user=nobody
	as="runuser -u $user --"
fi

case "$what" in
start)
	if [ ! -x "$bindir/initdb" ] || ! command -v psql >/dev/null; then
		echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
		exit 77
	fi
	mkdir -p "$dir" || exit 1
	[ -n "$as" ] && chown "$user" "$dir"
	if ! $as "$bindir/initdb" -D "$dir/data" -U tracequiz -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		echo "pgcluster.sh: initdb failed" >&2
		exit 1
	fi
	# fsync off unless asked (PG_FSYNC=on): a throwaway cluster; the kill tests kill tracequiz, not PostgreSQL
	if ! $as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k $dir -c listen_addresses= -c fsync=${PG_FSYNC:-off} -c max_connections=300" start >/dev/null; then
		cat "$dir/server.log" >&2
		echo "pgcluster.sh: the cluster did not start" >&2
		exit 1
	fi
	;;
stop)
	[ -d "$dir/data" ] && $as "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$dir"
	;;
*)
	echo "usage: pgcluster.sh start|stop DIR" >&2
	exit 2
	;;
esac
