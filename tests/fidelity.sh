#!/usr/bin/env bash
# fidelity.sh - how close `tracequiz dissect --format pdml` is to tshark, field by field.
# Runs ../shared/tools/pdml-compare on every capture of ../shared/traces and ../shared/cnp3
# and prints, per capture and overall, the share of tshark's fields we found at the same
# place, with the same value (show) and the same label (showname).
#   PROTOS   protocols to count (default: the link, network and transport layers)
#   SHARED   where the shared folder is (default: ../shared beside the source tree)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared}
protos=${PROTOS:-frame,eth,sll,ip,ipv6,tcp,udp,icmp,icmpv6}
tq=${TRACEQUIZ:-$here/tracequiz}
[ -x "$tq" ] || tq=$(pwd)/tracequiz
if ! command -v tshark >/dev/null 2>&1; then
	echo "fidelity: skipped, tshark is not installed (apt-get install tshark)"; exit 0
fi
if [ ! -x "$shared/tools/pdml-compare" ]; then
	echo "fidelity: skipped, $shared/tools/pdml-compare is missing"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export TZ=${TZ:-UTC}
: > "$tmp/all.json"
find "$shared/traces" "$shared/cnp3" -name '*.pcap' -o -name '*.pcapng' | sort > "$tmp/list"
while read -r cap; do
	rel=${cap#"$shared"/}
	"$tq" dissect --format pdml "$cap" > "$tmp/ours.pdml" 2>"$tmp/err" || { echo "$rel: tracequiz failed: $(cat "$tmp/err")"; continue; }
	"$shared/tools/pdml-compare" --protos "$protos" --json "$cap" "$tmp/ours.pdml" > "$tmp/one" 2>&1
	head -n 1 "$tmp/one" >> "$tmp/all.json"
	python3 - "$rel" "$tmp/one" <<'PY'
import json, sys
rel, path = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
try:
    d = json.loads(lines[0])
except Exception:
    print("%-58s %s" % (rel, " ".join(lines)[:200])); sys.exit(0)
t = [sum(v[k] for v in d.values()) for k in ("fields", "found", "value", "label")]
p = lambda n, m: 100.0 * n / m if m else 100.0
extra = [l for l in lines[1:] if l.startswith("packet count")]
print("%-58s fields %5d  found %5.1f%%  value %5.1f%%  label %5.1f%% %s" % (rel, t[0], p(t[1], t[0]), p(t[2], t[0]), p(t[3], t[0]), " ".join(extra)))
PY
done < "$tmp/list"
python3 - "$tmp/all.json" <<'PY'
import json, sys, collections
tot = collections.defaultdict(lambda: [0, 0, 0, 0])
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except Exception:
        continue
    for proto, v in d.items():
        for i, k in enumerate(("fields", "found", "value", "label")):
            tot[proto][i] += v[k]
p = lambda n, m: 100.0 * n / m if m else 100.0
print()
for proto in sorted(tot, key=lambda x: -tot[x][0]):
    s = tot[proto]
    print("  %-10s fields %6d  found %5.1f%%  value %5.1f%%  label %5.1f%%" % (proto, s[0], p(s[1], s[0]), p(s[2], s[0]), p(s[3], s[0])))
a = [sum(s[i] for s in tot.values()) for i in range(4)]
print("overall: found %.1f%% value %.1f%% label %.1f%% of %d fields" % (p(a[1], a[0]), p(a[2], a[0]), p(a[3], a[0]), a[0]))
PY
