#!/usr/bin/env bash
# build.sh [OUTDIR] - build the libFuzzer harnesses with clang (ASan + UBSan + libFuzzer):
# fuzz_dissect (captures), fuzz_expr (answer-key expressions and display
# filters), fuzz_inflate (compressed bodies) and one per application protocol
# (fuzz_dns, fuzz_http, fuzz_http2, fuzz_ssh, fuzz_telnet, fuzz_websocket) and fuzz_rewrite (variants).
# The library's sources (those Makefile.am lists) are compiled straight into
# each harness; config.h comes from a configure run in OUTDIR/cfg (default
# OUTDIR: build-fuzz).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:-build-fuzz}" && cd "${1:-build-fuzz}" && pwd)
if [ ! -f "$out/cfg/config.h" ]; then
	[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi)
	mkdir -p "$out/cfg"
	(cd "$out/cfg" && CC=clang "$src/configure" -q)
fi
# the library's C sources, as Makefile.am lists them
srcs=$(sed -n '/^libtqanalysis_la_SOURCES/,/^$/p' "$src/Makefile.am" | grep -o 'analysis/[A-Za-z0-9_/]*\.c' | sed "s#^#$src/#")
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
pkgs="libpcap jansson libcrypto libpcre2-8 zlib libnghttp2"
cflags=$(pkg-config --cflags $pkgs 2>/dev/null || true)
libs=$(pkg-config --libs $pkgs 2>/dev/null || echo -lpcap -ljansson -lcrypto -lpcre2-8 -lz -lnghttp2)
for h in fuzz_dissect fuzz_expr fuzz_dns fuzz_http fuzz_http2 fuzz_ssh fuzz_telnet fuzz_websocket fuzz_inflate fuzz_rewrite; do
	clang $flags -std=gnu11 -I"$out/cfg" -I"$src/analysis" $cflags \
		-DTQ_FUZZ_CAPTURE_DEFAULT="\"$src/tests/data/smtp-starttls-25-eth-ipv4.pcap\"" \
		$srcs "$src/tests/fuzz/$h.c" -o "$out/$h" $libs -lpthread -lm
	echo "$out/$h"
done
