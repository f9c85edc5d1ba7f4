#!/bin/sh
# pg.sh - the integration tests again, on PostgreSQL: a throwaway cluster
# (tests/pgcluster.sh: initdb into a temporary folder as an unprivileged
# user, a Unix socket in that folder and no TCP), one new database per test,
# the cluster stopped and removed at the end; then two nodes on one database
# (tests/integration/test_nodes.py).  Skipped, saying why, only where
# PostgreSQL is not installed.  Run from the build folder (make check).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tests=${PG_TESTS:-"test_server test_author test_hostile test_stress test_keys test_gradebook test_hiding test_filters test_lti test_nodes"}

dir=$(mktemp -d /tmp/tq-pg.XXXXXX)
trap '"$here/pgcluster.sh" stop "$dir"' EXIT
trap 'exit 1' INT TERM
"$here/pgcluster.sh" start "$dir" 2>"$dir.why"
rc=$?
why=$(cat "$dir.why"); rm -f "$dir.why"
if [ $rc = 77 ]; then
	echo "SKIP: $why: the integration tests ran on SQLite only"
	exit 77
elif [ $rc != 0 ]; then
	echo "$why"
	echo "FAIL: the PostgreSQL cluster did not start"
	exit 1
fi
echo "PostgreSQL $(psql -X -At -d "postgresql://tracequiz@/postgres?host=$dir" -c 'show server_version') in $dir"

TQ_PG=$dir
TQ_PG_USER=tracequiz
export TQ_PG TQ_PG_USER
rc=0
for t in $tests; do
	echo "== $t on PostgreSQL"
	python3 "$here/integration/$t.py" || { echo "FAIL: $t on PostgreSQL"; rc=1; }
done
exit $rc
