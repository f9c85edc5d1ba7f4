#!/usr/bin/env bash
# variants.sh - a trace per student (doc/variants.md), through `tracequiz
# variants` and `tracequiz variant`: 30 variants of the demo exercise and of
# the exercises of tests/variants (the project's TCP, IPv6, DNS (UDP and TCP) and HTTP
# captures).  Every variant is dissected with the same fields as its
# original in every frame and has every key computed; each question has at
# least as many different keys over the 30 as tests/variants/expect says,
# and the questions variants cannot protect are reported as such.  Where
# tshark is installed, tshark -2 reads every variant as the original
# (tests/tools/tshark-same.py: protocols, expert infos, no bad checksum).
# Then the command line's edges: a student's deal, a bad variants: block.
#   TRACEQUIZ  the program (default ./tracequiz)
#   VARIANTS_TSHARK=0  no tshark (about 0.6 s a variant): the sanitizer builds
#              make the same bytes, which the plain build's run has checked
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
tq=${TRACEQUIZ:-$(pwd)/tracequiz}
[ -x "$tq" ] || tq=$here/tracequiz
work=$(mktemp -d /tmp/tq-variants.XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
have_tshark=0
command -v tshark >/dev/null && [ "${VARIANTS_TSHARK:-1}" != 0 ] && have_tshark=1

# the demo exercise as it is, with variants and its server's name drawn anew
mkdir "$work/demo"
cp "$here"/db/seed/smtp-over-tls/* "$work/demo/"
printf 'variants:\n  count: 30\n  rewrite: [all, {names: {smtp.campus.example: random}}]\n' >> "$work/demo/exercise.yaml"
for e in tcp ipv6 dns dnstcp http; do
	cp -r "$here/tests/variants/$e" "$work/$e"
	cp "$here/tests/data/$(sed -n 's/^capture: //p' "$work/$e/exercise.yaml")" "$work/$e/"
done

for e in demo tcp ipv6 dns dnstcp http; do
	out=$("$tq" variants "$work/$e" --check --json --out "$work/$e/out" 2>&1)
	rc=$?
	summary=$(python3 - "$out" "$e" "$here/tests/variants/expect" <<'PY'
import json, sys
rep, name = json.loads(sys.argv[1]), sys.argv[2]
want = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) == 3 and f[0] == name:
        want[f[1]] = f[2]
vs = rep["variants"]
problems = [f"variant {v['variant']}: {v['problem']}" for v in vs if not v["ok"]]
if len(vs) != 30:
    problems.append(f"{len(vs)} variants, not 30")
qs = {q["id"]: q for q in rep.get("questions", [])}
for qid, w in want.items():
    q = qs.get(qid)
    if q is None:
        problems.append(f"no question {qid}")
    elif w == "same" and (q["distinct"] != 1 or q["protected"]):
        problems.append(f"{qid}: {q['distinct']} keys, expected the same on every variant (and reported unprotected)")
    elif w != "same" and q["distinct"] < int(w):
        problems.append(f"{qid}: {q['distinct']} different keys over 30, expected at least {w}")
print("; ".join(problems[:5]) if problems else
      "30 variants, same fields, keys: " + ", ".join(f"{k} {q['distinct']}" for k, q in qs.items()))
sys.exit(1 if problems else 0)
PY
	)
	if [ $rc = 0 ] && [ $? = 0 ]; then ok "$e: $summary"; else bad "$e: rc=$rc: $summary"; fi
	if [ $have_tshark = 1 ]; then
		orig=$work/$e/$(sed -n 's/^capture: //p' "$work/$e/exercise.yaml")
		if res=$(python3 "$here/tests/tools/tshark-same.py" "$orig" "$work/$e"/out/variant-*.pcap* 2>&1); then
			ok "$e: $(echo "$res" | tail -1)"
		else
			bad "$e: $(echo "$res" | head -3 | tr '\n' ' ')"
		fi
	fi
done
[ $have_tshark = 1 ] || echo "tshark not run (not installed, or VARIANTS_TSHARK=0): the variants were checked by tracequiz's own dissector only"

# a student's trace: the same at every call, its variant named; two students differ
"$tq" variant "$work/tcp" --student alice -o "$work/a1.pcap" 2>"$work/a1.err" &&
	"$tq" variant "$work/tcp" --student alice -o "$work/a2.pcap" 2>/dev/null &&
	"$tq" variant "$work/tcp" --student bob -o "$work/b.pcap" 2>"$work/b.err"
va=$(sed -n 's/.*variant \([0-9]*\) of 30.*/\1/p' "$work/a1.err") vb=$(sed -n 's/.*variant \([0-9]*\) of 30.*/\1/p' "$work/b.err")
if cmp -s "$work/a1.pcap" "$work/a2.pcap" && [ -n "$va" ] && [ -n "$vb" ] && [ "$va" != "$vb" ] &&
	! cmp -s "$work/a1.pcap" "$work/b.pcap" && cmp -s "$work/a1.pcap" "$work/tcp/out/variant-$(printf %03d "$va").pcap"; then
	ok "a student's trace is the same at every call (variant $va for alice, $vb for bob), and is that variant's file"
else
	bad "a student's trace: alice '$va', bob '$vb'"
fi
# the keys of a student's variant are those of its trace, not the original's
k_orig=$("$tq" key "$work/tcp" --json | python3 -c 'import json,sys; print({q["id"]: q["key"] for q in json.load(sys.stdin)["questions"]}["client_port"])')
k_var=$("$tq" key "$work/tcp" --trace "$work/a1.pcap" --json | python3 -c 'import json,sys; print({q["id"]: q["key"] for q in json.load(sys.stdin)["questions"]}["client_port"])')
if [ -n "$k_var" ] && [ "$k_var" != "$k_orig" ]; then ok "alice's client port is $k_var, the original's $k_orig"
else bad "alice's key: '$k_var', the original's '$k_orig'"; fi

# bad variants: blocks are refused with the place and the reason; nothing written
refused() {
	mkdir -p "$work/bad"
	cp "$here/tests/data/tcp-handshake-eth-ipv4.pcap" "$work/bad/"
	printf 'title: t\n%s\n%s\nquestions: []\n' "${3:-capture: tcp-handshake-eth-ipv4.pcap}" "$1" > "$work/bad/exercise.yaml"
	out=$("$tq" variants "$work/bad" --check 2>&1)
	if [ $? = 1 ] && echo "$out" | grep -qF -- "$2"; then ok "refused: $2"; else bad "not refused as '$2': $out"; fi
}
refused 'variants: {count: 0}' 'variants.count: expected an integer from 1 to 1000'
refused 'variants: {rewrite: [adresses]}' "variants.rewrite[0]: unknown rewrite 'adresses'"
refused 'variants: {rewrite: [{ipv4: 10.0.0.0/31}]}' 'the prefix is /8 to /30'
refused 'variants: {rewrite: [{ipv6: "fe80::/64"}]}' 'of global unicast addresses'
refused 'variants: {rewrite: [{names: {a.example: bb.example}}]}' "differ in length"
refused 'variants: {rewrite: [{names: {ab.example: abc.exampl}}]}' "dots in different places"
refused 'variants: {rewrite: [{time: {scale: 0.9}}]}' 'time.scale: 0.9 is out of range'
refused 'variants: {count: 2, colour: red}' "unknown key 'colour'"
refused 'captures: [a.pcap, ../b.pcap]' "captures: '../b.pcap' must be a file inside" '# a pool'
refused 'captures: [a.pcap]' "capture and captures: give one capture, or a list of them, not both"
# a prefix too small for the capture's addresses: a clear error, no file
printf 'title: t\ncapture: dns-udp.pcap\nvariants: {count: 1, rewrite: [{ipv4: 10.0.0.0/30}]}\nquestions: []\n' > "$work/bad/exercise.yaml"
cp "$here/tests/data/dns-udp.pcap" "$work/bad/"
out=$("$tq" variant "$work/bad" --variant 1 -o "$work/bad/v.pcap" 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "more IPv4 addresses than 10.0.0.0/30 holds" && [ ! -e "$work/bad/v.pcap" ] &&
	[ -z "$(ls "$work/bad" | grep tmp)" ]; then ok "a full prefix: $out"
else bad "a full prefix: $out"; fi

echo "$checks checks, $fails failed"
[ $fails = 0 ]
