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
[ -d "$shared" ] || shared=/work/shared
protos=${PROTOS:-frame,eth,sll,ip,ipv6,tcp,udp,icmp,icmpv6,dns}
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
: > "$tmp/listdiff"
while read -r cap; do
	rel=${cap#"$shared"/}
	"$tq" dissect --format pdml "$cap" > "$tmp/ours.pdml" 2>"$tmp/err" || { echo "$rel: tracequiz failed: $(cat "$tmp/err")"; continue; }
	"$shared/tools/pdml-compare" --protos "$protos" --json "$cap" "$tmp/ours.pdml" > "$tmp/one" 2>&1
	head -n 1 "$tmp/one" >> "$tmp/all.json"
	# packet list: lines whose protocol column names a layer we dissect must be identical
	"$tq" dissect "$cap" > "$tmp/ours.list" 2>/dev/null
	tshark -2 -r "$cap" > "$tmp/theirs.list" 2>/dev/null
	paste -d '\n' "$tmp/theirs.list" "$tmp/ours.list" | python3 -c '
import sys
ours_protos = {"TCP", "UDP", "ICMP", "ICMPv6", "IPv4", "IPv6", "Ethernet", "SLL", "NULL", "Raw", "VLAN", "ARP", "HTTP2", "HTTP", "HTTP/JSON", "HTTP/XML", "SSH", "SSHv2", "SSHv1", "TELNET", "DNS", "MDNS", "LLMNR"}
lines = sys.stdin.read().split("\n")
n = same = 0
for t, o in zip(lines[0::2], lines[1::2]):
    tok = t.split()
    proto = tok[5] if len(tok) > 5 and tok[3] == "\u2192" else (tok[4] if len(tok) > 4 else "")
    if proto not in ours_protos:
        continue
    n += 1
    if t == o:
        same += 1
    else:
        print("DIFF " + sys.argv[1] + ": " + t.strip()[:160])
print("LIST %d %d" % (n, same))' "$rel" >> "$tmp/listdiff"
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
python3 - "$tmp/all.json" "$tmp/listdiff" <<'PY'
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
n = same = 0
diffs = []
for line in open(sys.argv[2]):
    if line.startswith("LIST "):
        x, y = line.split()[1:3]
        n += int(x); same += int(y)
    elif line.startswith("DIFF "):
        diffs.append(line[5:].rstrip())
print()
print("packet list: %d of %d lines identical to tshark -2 (lines whose protocol we dissect)" % (same, n))
for d in diffs[:10]:
    print("  differs: " + d)
print("overall: found %.1f%% value %.1f%% label %.1f%% of %d fields" % (p(a[1], a[0]), p(a[2], a[0]), p(a[3], a[0]), a[0]))
PY
# the issue's line-for-line check: frame 1 of the SMTP over TLS exercise, as tshark -2 -V
f1="$shared/cnp3/q-pkt-tls-smtp/smtp-tls.pcap"
if [ -f "$f1" ]; then
	if diff <("$tq" dissect --format text --frame 1 "$f1") <(tshark -2 -r "$f1" -V -Y frame.number==1 2>/dev/null) > "$tmp/f1.diff"; then
		echo "text: frame 1 of cnp3/q-pkt-tls-smtp/smtp-tls.pcap is identical to tshark -2 -V"
	else
		echo "text: frame 1 of cnp3/q-pkt-tls-smtp/smtp-tls.pcap differs from tshark -2 -V:"; head -20 "$tmp/f1.diff"
	fi
fi

# The stream protocols: SMTP, STARTTLS, TLS (certificates sit inside tls in PDML) and
# IMF on the SMTP and TLS captures, with every packet-list line compared, not only
# the lines of the layers above.
echo
echo "stream protocols (tcp,smtp,tls,imf,fake-field-wrapper):"
sprotos=tcp,smtp,tls,imf,fake-field-wrapper
: > "$tmp/s.json"
{ ls "$shared"/cnp3/q-pkt-tls-smtp/smtp-tls.pcap "$shared"/cnp3/q-pkt-tls-1/tls.pcap 2>/dev/null
  find "$shared/traces/smtp" -name '*.pcap' -o -name '*.pcapng' 2>/dev/null | sort; } > "$tmp/slist"
lines=0 same=0
while read -r cap; do
	rel=${cap#"$shared"/}
	"$tq" dissect --format pdml "$cap" > "$tmp/ours.pdml" 2>/dev/null || { echo "  $rel: tracequiz failed"; continue; }
	"$shared/tools/pdml-compare" --protos "$sprotos" --json "$cap" "$tmp/ours.pdml" 2>/dev/null | head -n 1 >> "$tmp/s.json"
	"$tq" dissect "$cap" > "$tmp/ours.list" 2>/dev/null
	tshark -2 -r "$cap" > "$tmp/theirs.list" 2>/dev/null
	n=$(wc -l < "$tmp/theirs.list")
	d=$(diff "$tmp/theirs.list" "$tmp/ours.list" | grep -c '^<')
	lines=$((lines + n)); same=$((same + n - d))
	echo "  $rel: packet list $((n - d)) of $n lines identical"
done < "$tmp/slist"
python3 - "$tmp/s.json" "$lines" "$same" <<'PY'
import json, sys
tot = [0, 0, 0, 0]
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except Exception:
        continue
    for v in d.values():
        for i, k in enumerate(("fields", "found", "value", "label")):
            tot[i] += v[k]
p = lambda n, m: 100.0 * n / m if m else 100.0
print("stream protocols overall: found %.1f%% value %.1f%% label %.1f%% of %d fields; packet list %s of %s lines identical"
      % (p(tot[1], tot[0]), p(tot[2], tot[0]), p(tot[3], tot[0]), tot[0], sys.argv[3], sys.argv[2]))
PY

# The application protocols: DNS (mDNS, LLMNR), HTTP with its bodies, HTTP/2, SSH and
# Telnet, WebSocket, on the course's captures of them and, with FIDELITY_ALL=1, on the project's
# own (tests/data, made by tests/tools/mkcap-*.sh; a NAME.decode beside one holds its
# tshark -d rules), which test_dissect already compares field by field in make check.
echo
aprotos=dns,mdns,llmnr,http,http2,ssh,telnet,websocket,data-text-lines,json,media,urlencoded-form
echo "application protocols ($aprotos):"
: > "$tmp/a.json"
{ for t in mcq-pkt-dns-1 pkt-dns-id mcq-pkt-http2-1 q-pkt-ssh-1 mcq-http-trace; do
	ls "$shared/cnp3/$t"/*.pcap 2>/dev/null; done
  if [ "${FIDELITY_ALL:-0}" = 1 ]; then
	ls "$here"/tests/data/dns-*.pcap "$here"/tests/data/http-*.pcap "$here"/tests/data/http2-*.pcap \
	   "$here"/tests/data/ssh-*.pcap "$here"/tests/data/telnet-*.pcap 2>/dev/null
  fi; } > "$tmp/alist"
lines=0 same=0
while read -r cap; do
	rel=${cap#"$shared"/}
	rel=${rel#"$here"/}
	d=()
	if [ -f "${cap%.*}.decode" ]; then
		while read -r rule; do [ -n "$rule" ] && d+=(-d "$rule"); done < "${cap%.*}.decode"
	fi
	"$tq" dissect --format pdml "${d[@]}" "$cap" > "$tmp/ours.pdml" 2>/dev/null || { echo "  $rel: tracequiz failed"; continue; }
	theirs=()
	if [ ${#d[@]} -gt 0 ]; then
		tshark -2 -T pdml -r "$cap" "${d[@]}" > "$tmp/theirs.pdml" 2>/dev/null
		theirs=("$tmp/theirs.pdml")
	fi
	"$shared/tools/pdml-compare" --protos "$aprotos" --json "$cap" "$tmp/ours.pdml" "${theirs[@]}" 2>/dev/null | head -n 1 >> "$tmp/a.json" || true
	"$tq" dissect "${d[@]}" "$cap" > "$tmp/ours.list" 2>/dev/null
	tshark -2 -r "$cap" "${d[@]}" > "$tmp/theirs.list" 2>/dev/null
	n=$(wc -l < "$tmp/theirs.list")
	k=$(diff "$tmp/theirs.list" "$tmp/ours.list" | grep -c '^<' || true)
	lines=$((lines + n)); same=$((same + n - k))
	echo "  $rel: packet list $((n - k)) of $n lines identical"
done < "$tmp/alist"
python3 - "$tmp/a.json" "$lines" "$same" <<'PY'
import json, sys
tot, per = [0, 0, 0, 0], {}
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except Exception:
        continue
    for proto, v in d.items():
        acc = per.setdefault(proto, [0, 0, 0, 0])
        for i, k in enumerate(("fields", "found", "value", "label")):
            tot[i] += v[k]
            acc[i] += v[k]
p = lambda n, m: 100.0 * n / m if m else 100.0
for proto, a in sorted(per.items(), key=lambda kv: -kv[1][0]):
    print("  %-16s fields %6d  found %5.1f%%  value %5.1f%%  label %5.1f%%" % (proto, a[0], p(a[1], a[0]), p(a[2], a[0]), p(a[3], a[0])))
print("application protocols overall: found %.1f%% value %.1f%% label %.1f%% of %d fields; packet list %s of %s lines identical"
      % (p(tot[1], tot[0]), p(tot[2], tot[0]), p(tot[3], tot[0]), tot[0], sys.argv[3], sys.argv[2]))
PY
