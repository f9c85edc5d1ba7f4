#!/bin/sh
# filters.sh - display filters (tracequiz dissect -Y) against what tshark -2 -Y
# selected on the same captures (tests/data/filters.expected, made by
# tests/tools/mkfilters.sh).  Each filter must select exactly tshark's frames,
# and a filter tshark refuses must be refused too, with a message.
set -u
here=$(cd "$(dirname "$0")" && pwd)
data=${TQ_DATA:-$here/data}
tq=${TRACEQUIZ:-./tracequiz}
[ -x "$tq" ] || { echo "filters: no tracequiz at $tq (set TRACEQUIZ)" >&2; exit 99; }
tab=$(printf '\t')
n=0 bad=0
while IFS="$tab" read -r cap filter want; do
	n=$((n + 1))
	if got=$("$tq" dissect "$data/$cap" -Y "$filter" 2>/tmp/filters.err.$$); then
		got=$(printf '%s\n' "$got" | awk 'NF { print $1 }' | paste -sd, -)
		[ -n "$got" ] || got=-
	else
		if [ ! -s /tmp/filters.err.$$ ]; then
			got="error without a message"
		else
			got=error
		fi
	fi
	if [ "$got" != "$want" ]; then
		bad=$((bad + 1))
		echo "FAIL $cap: $filter"
		echo "  tshark:    $want"
		echo "  tracequiz: $got"
		[ "$got" = error ] && sed 's/^/  /' /tmp/filters.err.$$
	fi
done < "$data/filters.expected"
rm -f /tmp/filters.err.$$
echo "filters: $((n - bad)) of $n display filters select what tshark -2 -Y selects"
[ "$n" -gt 0 ] && [ "$bad" = 0 ]
