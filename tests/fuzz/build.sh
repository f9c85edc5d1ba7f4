#!/usr/bin/env bash
# build.sh [OUTDIR] - build the libFuzzer harnesses with clang (ASan + UBSan + libFuzzer).
# The library's sources (those Makefile.am lists) are compiled straight into
# the harness; config.h comes from a configure run in OUTDIR/cfg (default
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
clang $flags -std=gnu11 -I"$out/cfg" -I"$src/analysis" $(pkg-config --cflags libpcap jansson libcrypto 2>/dev/null) \
	$srcs "$src/tests/fuzz/fuzz_dissect.c" \
	-o "$out/fuzz_dissect" $(pkg-config --libs libpcap jansson libcrypto 2>/dev/null || echo -lpcap -ljansson -lcrypto) -lpthread
echo "$out/fuzz_dissect"
