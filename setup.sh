#!/usr/bin/env bash
# setup.sh - install what tracequiz needs on Debian 12, build it, and run it or its tests.
#
#   ./setup.sh demo    build, show the demo exercise's keys, start the server with it (http://127.0.0.1:8080/)
#   ./setup.sh test    build normally and with ASan+UBSan, run the whole test suite
#                      (unit and integration tests under both builds, the browser
#                      tests, the stress test under ThreadSanitizer, then the
#                      fidelity figures)
#   ./setup.sh build   only install and build (build/tracequiz)
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)
what=${1:-demo}

# Debian packages: the build (autotools, compiler), the libraries, the test tools.
build_pkgs="build-essential autoconf automake libtool pkg-config libpcap-dev libmicrohttpd-dev
  libsqlite3-dev libjansson-dev libcmocka-dev libyaml-dev libsodium-dev libssl-dev libpcre2-dev
  zlib1g-dev libnghttp2-dev libarchive-dev libpq-dev libcurl4-openssl-dev"
test_pkgs="tshark tcpdump python3 time chromium systemd groff-base postgresql python3-jwt python3-cryptography"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		echo "setup.sh: need root to install packages: $*" >&2; exit 1; fi
}

install_pkgs() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "setup.sh: installing ${missing[*]}"
	as_root apt-get update -qq
	# tshark asks whether non-root users may capture; answer no without a prompt
	echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() { # dir [configure flags...]
	local dir=$1; shift
	[ -x configure ] || autoreconf -fi >/dev/null
	mkdir -p "$dir"
	( cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "$@"; } && make -j"$(nproc)" >/dev/null )
}

case "$what" in
build)
	install_pkgs $build_pkgs
	build build
	echo "setup.sh: built build/tracequiz"
	;;
demo)
	install_pkgs $build_pkgs
	build build
	demo=db/seed/smtp-over-tls
	echo "setup.sh: built build/tracequiz; the demo exercise's trace ($demo/smtp-tls.pcap):"
	build/tracequiz dissect "$demo/smtp-tls.pcap"
	echo
	echo "its questions' keys, computed from the trace (tracequiz key $demo):"
	build/tracequiz key "$demo"
	echo
	echo "setup.sh: starting the server with the demo exercise on tracequiz.db (Ctrl-C stops it)"
	exec build/tracequiz serve --listen "${LISTEN:-127.0.0.1:8080}" --db "${DB:-tracequiz.db}"
	;;
test)
	install_pkgs $build_pkgs $test_pkgs
	build build
	# two at a time, as under ASan: CI has 30 minutes on two cores
	( cd build && make -j2 check ) || { cat build/test-suite.log 2>/dev/null | tail -80; exit 1; }
	# the release tarball builds, installs and uninstalls cleanly out of tree (its full test suite
	# is the one above: here the unit test of the cursor and the installation test)
	( cd build && make -j2 distcheck TESTS="tests/unit/test_cursor tests/install.sh" > distcheck.log 2>&1 ) ||
		{ tail -60 build/distcheck.log; echo "setup.sh: make distcheck failed"; exit 1; }
	build build-asan --enable-sanitizers
	# two at a time: the robustness test alone takes most of ten minutes under ASan;
	# on PostgreSQL only the tests whose paths differ most from SQLite's (the
	# plain build above ran them all there)
	# (and tshark, which reads the same variants as above, not again)
	( cd build-asan && ASAN_OPTIONS=detect_leaks=1 VARIANTS_TSHARK=0 \
		PG_TESTS="test_server test_author test_lti test_nodes" make -j2 check ) || { cat build-asan/test-suite.log 2>/dev/null | tail -80; exit 1; }
	# the web app in headless Chromium against the real server (playwright-core from npm)
	command -v node >/dev/null || install_pkgs nodejs npm
	( cd build && make check-browser ) || exit 1
	# shared state under ThreadSanitizer: the server's (stress test) and the
	# dissector's (pages mapped ahead of pass 1, pass 2 on every core)
	build build-tsan --enable-sanitizers=thread
	( cd build-tsan && PARALLEL_FRAMES=8000 PARALLEL_ROUNDS=16 PARALLEL_FORMATS=text \
		make check TESTS="tests/integration/test_stress.py tests/parallel.sh" ) ||
		{ cat build-tsan/test-suite.log 2>/dev/null | tail -80; exit 1; }
	( cd build && make fidelity )
	;;
*)
	echo "usage: ./setup.sh demo|test|build" >&2
	exit 2
	;;
esac
