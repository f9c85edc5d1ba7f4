#!/bin/sh
# run.sh - the browser tests: starts the real tracequiz server (four of them:
# the demo exercise, a field question, a 100,000-frame trace, IPv4 fragments
# reassembled), each on a free
# loopback port with a fresh database, creates a student, and drives the web
# app in Debian's headless Chromium (playwright-core, never a downloaded browser).
#
#   tests/browser/run.sh PATH/TO/tracequiz PATH/TO/www [CHECK-REGEX]
#
# Prints one ok/FAIL line per check and "N passed, N failed"; exits 1 when a
# check failed, 77 (skipped) when Chromium or Node is missing.  Screenshots go
# to tests/browser/screenshots/ (or $TQ_SHOTS).
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 TRACEQUIZ WWW-DIR [CHECK-REGEX]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
www=$(cd "$2" && pwd)
only=${3:-}
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
	echo "skip: no Chromium at $chromium (apt-get install chromium)"
	exit 77
fi
if ! command -v node >/dev/null 2>&1; then
	echo "skip: no node (apt-get install nodejs npm)"
	exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
	echo "skip: playwright-core needs Node.js 18 or later; this is $(node --version)"
	exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
	echo "installing playwright-core (npm ci) in $here"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || {
		echo "FAIL npm ci in $here"
		exit 1
	}
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tq-browser.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

student=student1
student_pw=browser-test-pw

# start NAME SEED-DIR: a server on a free port; sets url and admin_pw
start() {
	name=$1
	"$bin" serve --listen 127.0.0.1:0 --db "$tmp/$name.db" --www "$www" --seed "$2" --threads 4 \
		>"$tmp/$name.out" 2>&1 &
	pid=$!
	pids="$pids $pid"
	i=0
	while ! grep -q 'serving http' "$tmp/$name.out" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 300 ]; then
			echo "FAIL the $name server did not start:"
			cat "$tmp/$name.out"
			exit 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	url=$(sed -n 's|.*serving \(http://[0-9.:]*\)/.*|\1|p' "$tmp/$name.out")
	admin_pw=$(sed -n "s/.*'admin' with the password \([0-9a-f]*\).*/\1/p" "$tmp/$name.out")
	printf '%s\n' "$student_pw" | "$bin" user add "$student" --role student --db "$tmp/$name.db" >/dev/null
}

# an LTI platform (tests/lti.mjs serves it on this port), registered before the demo server starts
lti_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" lti add --db "$tmp/demo.db" --issuer "http://127.0.0.1:$lti_port" --client-id tq-browser \
	--auth-url "http://127.0.0.1:$lti_port/auth" --token-url "http://127.0.0.1:$lti_port/token" \
	--jwks-url "http://127.0.0.1:$lti_port/jwks" --deployment dep-browser >/dev/null || exit 1
start demo "$top/db/seed/smtp-over-tls"
demo_url=$url
demo_admin=$admin_pw

# an exercise with a field question, on the demo's capture
mkdir -p "$tmp/field"
cp "$top/db/seed/smtp-over-tls/smtp-tls.pcap" "$tmp/field/"
cat >"$tmp/field/exercise.yaml" <<'YAML'
title: Hidden fields
intro: Two values are hidden in the trace. Fill them in.
capture: smtp-tls.pcap
questions:
  - id: f1
    kind: field
    prompt: What does the server say after its code in frame 4, and which port does frame 1 go to?
    hide:
      4: [smtp.rsp.parameter]
      1: [tcp.dstport]
YAML
start field "$tmp/field"
field_url=$url

# 100,000 frames
mkdir -p "$tmp/big"
node "$here/mkcap.mjs" "$tmp/big/big.pcap" 100000
cat >"$tmp/big/exercise.yaml" <<'YAML'
title: A large trace
intro: 100,000 UDP datagrams, to scroll through.
capture: big.pcap
questions:
  - id: n
    kind: number
    prompt: How many frames does the trace hold?
    key: count(frame)
YAML
start big "$tmp/big"
big_url=$url

# a reassembled buffer: IPv4 fragments
mkdir -p "$tmp/frag"
cp "$top/tests/data/ipv4-frag-udp.pcap" "$tmp/frag/"
cat >"$tmp/frag/exercise.yaml" <<'YAML'
title: Fragments
intro: A UDP datagram in three IPv4 fragments.
capture: ipv4-frag-udp.pcap
questions:
  - id: n
    kind: number
    prompt: How many fragments carry the first datagram?
    key: first(ip.fragment.count)
YAML
start frag "$tmp/frag"
frag_url=$url

frame1=""
if command -v tshark >/dev/null 2>&1; then
	frame1="$tmp/frame1.txt"
	tshark -2 -V -x -r "$top/db/seed/smtp-over-tls/smtp-tls.pcap" -Y frame.number==1 >"$frame1" 2>/dev/null
fi

rc=0
TQ_URL=$demo_url TQ_ADMIN_PW=$demo_admin TQ_STUDENT=$student TQ_STUDENT_PW=$student_pw \
TQ_FIELD_URL=$field_url TQ_BIG_URL=$big_url TQ_FRAG_URL=$frag_url TQ_TSHARK_FRAME1=$frame1 TQ_LTI_PORT=$lti_port \
TQ_SHOTS=${TQ_SHOTS:-$here/screenshots} CHROMIUM=$chromium \
	node "$here/main.mjs" ${only:+"$only"} || rc=$?
if [ $rc -ne 0 ]; then
	for s in demo field big frag; do
		if [ -s "$tmp/$s.out" ]; then
			echo "--- the $s server said:"
			tail -n 20 "$tmp/$s.out"
		fi
	done
fi
exit $rc
