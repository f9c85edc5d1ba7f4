#!/bin/sh
# mkfilters.sh - runs every display filter of tests/data/filters.in through
# tshark -2 -Y and writes what it selects to tests/data/filters.expected, for
# tests/filters.sh (which needs no tshark).  Run it again after adding filters.
#
# filters.in: one test a line, "CAPTURE<TAB>FILTER" (CAPTURE in tests/data);
# blank lines and lines starting with # are skipped.
# filters.expected: "CAPTURE<TAB>FILTER<TAB>FRAMES", FRAMES the selected frame
# numbers joined by commas, "-" for none, or "error" when tshark refuses the
# filter.
set -eu
dir=$(cd "$(dirname "$0")/../data" && pwd)
command -v tshark >/dev/null || { echo "mkfilters: tshark is missing (apt-get install tshark)" >&2; exit 1; }
tab=$(printf '\t')
out=$dir/filters.expected.part
: > "$out"
n=0
while IFS="$tab" read -r cap filter; do
	case $cap in ''|'#'*) continue;; esac
	[ -f "$dir/$cap" ] || { echo "mkfilters: no capture $cap" >&2; rm -f "$out"; exit 1; }
	if frames=$(TZ=UTC tshark -2 -r "$dir/$cap" -Y "$filter" -T fields -e frame.number 2>/dev/null); then
		frames=$(printf '%s\n' "$frames" | grep . | paste -sd, -)
		[ -n "$frames" ] || frames=-
	else
		frames=error
	fi
	printf '%s\t%s\t%s\n' "$cap" "$filter" "$frames" >> "$out"
	n=$((n + 1))
done < "$dir/filters.in"
mv "$out" "$dir/filters.expected"
echo "mkfilters: $n filters, $(tshark --version | head -1)"
