#!/bin/sh
# import.sh - tracequiz import inginious on task folders this script writes
# in the INGInious format (with the project's captures), and on every task of
# the CNP3 course in ../shared/cnp3 when it is there (read in place, never
# copied): each imports; the keys of hidden fields, the orders and the valid
# choices are those the task expects (the values tshark shows); the report
# names each mapping and what needs the instructor; an import into a folder
# that holds an exercise, a task with no capture, or a task.yaml that is not
# YAML is refused and leaves nothing behind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data
shared=${SHARED:-$here/../../shared}
[ -d "$shared" ] || shared=/work/shared
tq=${TRACEQUIZ:-./tracequiz}
[ -x "$tq" ] || { echo "import: no tracequiz at $tq (set TRACEQUIZ)" >&2; exit 99; }
TQ_MANUF=/dev/null
export TQ_MANUF
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0

ok() { n=$((n + 1)); echo "ok   $1"; }
ko() { n=$((n + 1)); bad=$((bad + 1)); echo "FAIL $1"; }

# import TASKDIR NAME: imports into $tmp/out/NAME, the report in $tmp/NAME.log
import() {
	if "$tq" import inginious "$1" "$tmp/out/$2" > "$tmp/$2.log" 2>&1 && [ -f "$tmp/out/$2/exercise.yaml" ] &&
	    [ -f "$tmp/out/$2/import-report.md" ]; then
		ok "$2 imports"
	else
		ko "$2 does not import:"
		sed 's/^/  /' "$tmp/$2.log"
	fi
}

# key NAME ID JSON: the question's key (tracequiz key --json), compact
key() {
	got=$("$tq" key "$tmp/out/$1" --json 2>&1 | python3 -c '
import json, sys
d = json.load(sys.stdin)
q = [q for q in d["questions"] if q["id"] == sys.argv[1]]
v = q[0]["key"] if q else "no question"
if q and q[0].get("states") is not None:
    v = [i + 1 for i, s in enumerate(q[0]["states"]) if s]
print(json.dumps(v, separators=(",", ":"), sort_keys=True))' "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1 $2: $got"; else ko "$1 $2: $got, want $3"; fi
}

# says NAME TEXT: the report says it
says() {
	if grep -qF -- "$2" "$tmp/out/$1/import-report.md"; then ok "$1 report: $2"; else ko "$1 report lacks: $2"; fi
}

mkdir -p "$tmp/out" "$tmp/tasks"

# ---- task folders written here, in the INGInious format
t=$tmp/tasks/handshake
mkdir -p "$t/public"
cp "$data/tcp-handshake-eth-ipv4.pcap" "$t/public/handshake.pcap"
cat > "$t/task.yaml" <<'EOF'
accessible: true
author: tracequiz tests
context: |-
    The three segments of a ``TCP`` handshake, as in the `RFC <https://www.rfc-editor.org/rfc/rfc9293>`_.

    .. raw:: html

       <script>alert(1)</script>
environment_type: mcq
name: A handshake
problems:
    seq:
        type: network-trace
        name: Sequence numbers
        header: Which *sequence* numbers do the segments carry?
        trace: handshake.pcap.xml
        exclude:
        - tcp.flags.str
        - geninfo.timestamp
        - tcp.no_such_field
        redact: tcp.checksum
        hide:
            0:
            - tcp.seq
            1:
            - tcp.flags.psh
            - tcp.ack
        feedback:
            tcp.seq: The ``SYN`` flag takes one number.
        shuffle: true
        shuffle-feedback: Look at the flags.
    which:
        type: multiple_choice
        header: Which statements hold?
        multiple: true
        limit: 2
        choices:
        - text: The client sends the first ``SYN``.
          valid: true
          feedback: Yes.
        - text: The server sends a ``FIN``.
        - text: Three segments open the connection.
          valid: true
    port:
        type: code_single_line
        header: Which port does the server listen on?
        answer: 50001
    listen:
        type: multiple_choice
        header: Which port does the server listen on?
        choices:
        - text: The server listens on port ``50002``.
          valid: true
        - text: The server listens on port ``50001``.
        - text: The client sends the first segment.
          valid: true
    host:
        type: code_single_line
        header: Which host name does the client ask for?
        answer: ftp.example.org
    name:
        type: code_single_line
        header: What does the run script check?
    other:
        type: network-trace
        trace: another.pcap.xml
EOF
import "$t" handshake
key handshake seq '{"1":{"tcp.seq":"0"},"2":{"tcp.ack":"1","tcp.flags.push":"0"}}'
key handshake seq-order '[1,2,3,4,5,6,7,8,9,10,11,12]'
key handshake which '[1,3]'
key handshake port '50001'
says handshake '`tcp.flags.psh` read as `tcp.flags.push`'
says handshake '`geninfo.timestamp` read as `frame.time`'
says handshake '`tcp.no_such_field` is no field tracequiz knows'
says handshake '**problem name (code_single_line) needs you**'
says handshake '**problem other shows another trace**'
says handshake 'directive left out'
says handshake "port: the course's answer \`50001\` is, on this trace, \`first(tcp.dstport)\`"
says handshake "**host: does the course's answer agree with the trace?** No value of the trace reads as \`ftp.example.org\`"
says handshake "**listen: does the course's validity agree with the trace?** It marks choice 1 (“The server listens on port 50002.”) right, and no value of the trace reads as \`50002\`; it marks choice 2 (“The server listens on port 50001.”) wrong, and on this trace \`50001\` is \`first(tcp.dstport)\`"
key handshake listen '[1,3]'
if grep -q 'script\|alert' "$tmp/out/handshake/exercise.yaml"; then ko "the raw HTML is left out"; else ok "the raw HTML is left out"; fi
if grep -qF '[RFC](https://www.rfc-editor.org/rfc/rfc9293)' "$tmp/out/handshake/exercise.yaml" &&
    grep -qF 'The `SYN` flag takes one number.' "$tmp/out/handshake/exercise.yaml"; then
	ok "reStructuredText links and code become Markdown"
else
	ko "reStructuredText links and code become Markdown"
fi
# graded as the course grades it: the hidden values in any base
if printf '%s' '{"seq": {"1": {"tcp.seq": "0x0"}, "2": {"tcp.ack": "1", "tcp.flags.push": "0"}}}' |
    "$tq" grade "$tmp/out/handshake" - 2>&1 | grep -q 'seq: right'; then
	ok "the imported field question grades a right answer right"
else
	ko "the imported field question grades a right answer right"
fi

# answers a run script compares with, read from it (never run)
t4=$tmp/tasks/dnsrun
mkdir -p "$t4"
cp "$data/dns-udp.pcap" "$t4/dns.pcap"
cat > "$t4/task.yaml" <<'EOF'
name: DNS answers
problems:
    trace:
        type: network-trace
        trace: dns.xml
    q1:
        type: code_single_line
        header: Which name does the first query ask about?
    q2:
        type: code_single_line
        header: Which mail server has preference 10?
    q3:
        type: code_single_line
        header: How many responses does the trace hold?
    q4:
        type: code_single_line
        header: What does the script compute?
EOF
cat > "$t4/run" <<'EOF'
#!/bin/bash
# checks the answers (a test script: tracequiz reads it, never runs it)
a=$(getinput q1)
if [ "$a" = "tq.test" ]; then feedback-result success; fi
python3 - <<'PY'
from inginious import input
answer = input.get_input("q2")
if answer.strip().lower() == 'mail.tq.test':
    pass
if int(input.get_input("q3")) == 34:
    pass
n = len(input.get_input("q4")) * 2
PY
exit 1
EOF
import "$t4" dnsrun
key dnsrun q1 '"tq.test"'
key dnsrun q2 '"mail.tq.test"'
key dnsrun q3 '34'
says dnsrun 'its answer `tq.test` read from line 4 of the `run` script'
says dnsrun 'its answer `34` read from line 10 of the `run` script'
says dnsrun '**problem q4 (code_single_line) needs you**'
says dnsrun 'q2: the course'"'"'s answer `mail.tq.test` is, on this trace, `first(dns.mx.mail_exchange)`'

# the network-trace plugin's labels: a hidden label is the fields of that
# label its frame holds, an excluded one every field of the label
t5=$tmp/tasks/labels
mkdir -p "$t5"
cp "$data/ipv6-frag-icmp.pcap" "$t5/frag.pcap"
cat > "$t5/task.yaml" <<'EOF'
name: Fragments
problems:
    frag:
        type: network-trace
        trace: frag.pcap.xml
        exclude:
        - Hop Limit
        hide:
            0:
            - M flag
            - Identification
            2:
            - Next Header
            - Checksum
            3:
            - Urgent Pointer
        feedback:
            M flag: The last fragment has it clear.
    nxt:
        type: multiple_choice
        header: Which protocol does the fragment header name next?
        choices:
        - text: "58"
          valid: true
        - text: "17"
EOF
import "$t5" labels
key labels frag '{"1":{"ipv6.fraghdr.ident":"0xbe8bfbc6","ipv6.fraghdr.more":"1"},"3":{"icmpv6.checksum":"0x4a64","ipv6.fraghdr.nxt":"58","ipv6.nxt":"44"}}'
says labels '`M flag` (the network-trace plugin'"'"'s label in Header Fragment) read as `ipv6.fraghdr.more`'
says labels '`Checksum` (the network-trace plugin'"'"'s label in ICMPv6) read as `icmpv6.checksum`'
says labels '`Urgent Pointer`, a label of the network-trace plugin, names no field of frame 4: left out'
says labels 'nxt: choices 1, 2 agree with the trace: `58` (marked right) is'
if grep -q 'ipv6.hlim' "$tmp/out/labels/exercise.yaml" && grep -q 'ipv6.fraghdr.more: The last fragment has it clear' "$tmp/out/labels/exercise.yaml"; then
	ok "an excluded label and a label's feedback are read as their fields"
else
	ko "an excluded label and a label's feedback are read as their fields"
fi

# refused, and nothing left behind
before=$(ls -la "$tmp/out/handshake" | sha256sum)
if "$tq" import inginious "$t" "$tmp/out/handshake" > "$tmp/again.log" 2>&1 || ! grep -q 'already holds an exercise' "$tmp/again.log" ||
    [ "$(ls -la "$tmp/out/handshake" | sha256sum)" != "$before" ]; then
	ko "an import into a folder that holds an exercise is refused, the folder as it was"
else
	ok "an import into a folder that holds an exercise is refused, the folder as it was"
fi
t2=$tmp/tasks/nocap
mkdir -p "$t2"
printf 'name: x\nproblems:\n    a:\n        type: network-trace\n        trace: gone.pcap.xml\n' > "$t2/task.yaml"
if "$tq" import inginious "$t2" "$tmp/out/nocap" > "$tmp/nocap.log" 2>&1 || [ -e "$tmp/out/nocap/exercise.yaml" ] ||
    ! grep -q "not in the task folder" "$tmp/nocap.log"; then
	ko "a task whose capture is not there is refused with a message"
else
	ok "a task whose capture is not there is refused with a message"
fi
t3=$tmp/tasks/notyaml
mkdir -p "$t3"
printf 'name: [x\nproblems: {\n' > "$t3/task.yaml"
if "$tq" import inginious "$t3" "$tmp/out/notyaml" > "$tmp/notyaml.log" 2>&1 || ! grep -q 'YAML error at line' "$tmp/notyaml.log" ||
    [ -e "$tmp/out/notyaml/exercise.yaml" ]; then
	ko "a task.yaml that is not YAML is refused with its line"
else
	ok "a task.yaml that is not YAML is refused with its line"
fi
if "$tq" import inginious "$tmp/tasks/none" "$tmp/out/none" > "$tmp/none.log" 2>&1 || ! grep -q 'task.yaml' "$tmp/none.log"; then
	ko "a folder without task.yaml is refused"
else
	ok "a folder without task.yaml is refused"
fi
if ls -a "$tmp/out/nocap" "$tmp/out/notyaml" 2>/dev/null | grep -q '\.import$'; then
	ko "no temporary file left"
else
	ok "no temporary file left"
fi

# ---- a task folder as an archive: zip and tar.gz import as the folder does;
# hostile archives are refused with what was wrong, nothing written, and the
# temporary folder removed
ar=$tmp/archives
mkdir -p "$ar"
TMPDIR=$tmp/unpack
export TMPDIR
mkdir -p "$TMPDIR"
python3 - "$t" "$ar" <<'PY'
import io, os, sys, tarfile, zipfile
src, out = sys.argv[1], sys.argv[2]
def walk():
    for root, _, files in os.walk(src):
        for f in sorted(files):
            p = os.path.join(root, f)
            yield p, os.path.relpath(p, src)
with zipfile.ZipFile(os.path.join(out, "handshake.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for p, rel in walk():
        z.write(p, "handshake/" + rel)
    z.writestr("__MACOSX/handshake/._task.yaml", b"\0\5\26\7")
with tarfile.open(os.path.join(out, "A Handshake.tar.gz"), "w:gz") as t:
    t.add(src, arcname=".")
def tgz(name, *entries):
    with tarfile.open(os.path.join(out, name), "w:gz") as t:
        for e in entries:
            ti = tarfile.TarInfo(e[0])
            if e[1] == "link":
                ti.type, ti.linkname = tarfile.SYMTYPE, e[2]
                t.addfile(ti)
            elif e[1] == "tree":
                t.add(src, arcname=e[0])
            else:
                ti.size = len(e[1])
                t.addfile(ti, io.BytesIO(e[1]))
tgz("climb.tar.gz", ("task/../../evil", b"x"))
tgz("absolute.tar.gz", ("/tmp/tq-evil", b"x"))
tgz("links.tar.gz", ("t", "tree"), ("t/passwd", "link", "/etc/passwd"), ("t/public/x.pcap", "link", "/etc/shadow"))
tgz("two.tar.gz", ("a", "tree"), ("b", "tree"))
tgz("twice.tar.gz", ("task.yaml", b"a"), ("task.yaml", b"b"))
tgz("notask.tar.gz", ("README", b"nothing here\n"))
with zipfile.ZipFile(os.path.join(out, "bomb.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("public/big.pcap", "w") as f:
        block = bytes(1 << 20)
        for _ in range(330):
            f.write(block)
with zipfile.ZipFile(os.path.join(out, "many.zip"), "w") as z:
    for i in range(4100):
        z.writestr("f%d" % i, b"")
open(os.path.join(out, "noise.zip"), "wb").write(bytes(range(256)) * 40)
PY
import "$ar/handshake.zip" zip
key zip seq '{"1":{"tcp.seq":"0"},"2":{"tcp.ack":"1","tcp.flags.push":"0"}}'
key zip which '[1,3]'
says zip '# Import of handshake.zip:handshake'
import "$ar/A Handshake.tar.gz" tgz
if diff -r -x import-report.md -x exercise.yaml "$tmp/out/handshake" "$tmp/out/tgz" >/dev/null &&
    [ "$(grep -v '^#' "$tmp/out/handshake/exercise.yaml")" = "$(grep -v '^#' "$tmp/out/tgz/exercise.yaml")" ]; then
	ok "a task's tar.gz gives the exercise its folder gives"
else
	ko "a task's tar.gz gives the exercise its folder gives"
fi
import "$ar/links.tar.gz" links
says links '`t/passwd` in the archive is a link: left out'
# refused NAME TEXT: the archive does not import, says TEXT, writes nothing
refused() {
	# (a refusal exits 1 whatever: under the sanitizers, a leak on its way out shows in the log)
	if "$tq" import inginious "$ar/$1" "$tmp/out/r-$1" > "$tmp/r.log" 2>&1 || [ -e "$tmp/out/r-$1/exercise.yaml" ] ||
	    ! grep -qF -- "$2" "$tmp/r.log" || grep -q 'Sanitizer' "$tmp/r.log"; then
		ko "$1 is refused: $2"
		sed 's/^/  /' "$tmp/r.log" | head -5
	else
		ok "$1 is refused: $2"
	fi
}
refused climb.tar.gz "climbs out of its folder with '..': refused"
refused absolute.tar.gz "is an absolute path: refused"
refused two.tar.gz "holds 2 tasks (a, b): upload one task folder at a time"
refused twice.tar.gz "'task.yaml': the archive holds it twice"
refused notask.tar.gz "no task.yaml at the top of the archive"
refused bomb.zip "unpacks to more than 320 MiB"
refused many.zip "more than 4096 entries"
refused noise.zip "not an archive tracequiz reads"
if [ -e /tmp/tq-evil ] || [ -e "$tmp/evil" ] || [ -n "$(ls -A "$TMPDIR")" ]; then
	ko "nothing is written outside, the temporary folders are removed"
else
	ok "nothing is written outside, the temporary folders are removed"
fi
unset TMPDIR

# ---- the CNP3 course's tasks, read where they are
c=$shared/cnp3
if [ -d "$c" ]; then
	for d in "$c"/*/; do
		[ -f "$d/task.yaml" ] && import "$d" "$(basename "$d")"
	done
	# hidden fields: the values tshark shows (tshark -T fields -e ..., once)
	key tcp-syn-seq-ack test '{"2":{"tcp.ack":"1"},"3":{"tcp.ack":"1","tcp.seq":"1"}}'
	key ip6-tcp test '{"1":{"ipv6.nxt":"6"}}'
	key pkt-dns-id id '{"2":{"dns.id":"0x16eb"}}'
	# orders: every frame of the trace
	key tcp-reorder-twh test '[1,2,3]'
	key ip6-frag-icmp6 test '[1,2]'
	# choices, valid as the course says
	key q-pkt-tls-1 mcq '[2]'
	key q-pkt-tls-smtp q2 '[2]'
	key mcq-http-trace q1 '[1,2,4,10]'
	key mcq-pkt-dns-1 q1 '[1,2,4,6,7]'
	key mcq-pkt-http2-1 q1 '[1,2,4,6,8,9,11]'
	key q-pkt-ssh-1 qcm '[1,2,3,5,6,7]'
	says pkt-dns-id '`geninfo.num` read as `frame.number`'
	says q-pkt-tls-smtp '`ip6` read as `ipv6`'
	says mcq-pkt-dns-1 'is read from `dns-trace-28772.pcap`'
	says q-pkt-tls-1 '**problem q1 (code_single_line) needs you**'
	# the choices' validity checked against the trace where a choice names a value
	says mcq-http-trace 'q1: choices 1, 7 agree with the trace: `HTTP/1.0` (marked right) is `first(http.request.version)`; `HTTP/1.1` (marked wrong) is not there'
	says mcq-pkt-dns-1 'q1: choices 7, 8 agree with the trace: `0xedc5` (marked right) is `first(dns.id)`; `0x0120` (marked wrong, in another field) is `first(dns.flags)`'
	says mcq-pkt-http2-1 'q1: choices 9, 10 agree with the trace: `nghttpx` (marked right) is `first(http2.headers.server)`'
	says q-pkt-ssh-1 'qcm: choices 7, 8 agree with the trace: `ecdsa-sha2-nistp256` (marked right) is `first(ssh.host_key.type)`; `ssh-rsa` (marked wrong) is not there'
	says q-pkt-tls-1 'mcq: the trace holds both `TLS 1.0` (marked wrong) and the value marked right, in `tls.record.version`: their validity is the course'"'"'s word'
	if grep -l "does the course's validity agree" "$tmp"/out/*/import-report.md | grep -v '/handshake/\|/zip/\|/tgz/\|/links/' >/dev/null; then
		ko "no CNP3 choice is flagged: $(grep -l "does the course's validity agree" "$tmp"/out/*/import-report.md | tr '\n' ' ')"
	else
		ok "no CNP3 choice is flagged: where the trace decides, it agrees with the course"
	fi
else
	echo "import: $c is not there: the CNP3 tasks are skipped"
fi

# ---- import, export, import: the same exercise
# roundtrip NAME: $tmp/out/NAME exported to INGInious and imported again
roundtrip() {
	if "$tq" export inginious "$tmp/out/$1" "$tmp/exp/$1" > "$tmp/$1.exp.log" 2>&1 &&
	    "$tq" import inginious "$tmp/exp/$1" "$tmp/back/$1" > "$tmp/$1.back.log" 2>&1 &&
	    grep -v '^#' "$tmp/out/$1/exercise.yaml" > "$tmp/a.yaml" && grep -v '^#' "$tmp/back/$1/exercise.yaml" > "$tmp/b.yaml" &&
	    cmp -s "$tmp/a.yaml" "$tmp/b.yaml" && head -c 5 "$tmp/exp/$1/"*.xml | grep -q '<?xml'; then
		ok "$1: import, export, import gives the same exercise (and a PDML)"
	else
		ko "$1: import, export, import gives another exercise:"
		diff "$tmp/a.yaml" "$tmp/b.yaml" 2>&1 | head -10 | sed 's/^/  /'
		cat "$tmp/$1.exp.log" "$tmp/$1.back.log" 2>/dev/null | tail -5 | sed 's/^/  /'
	fi
}
mkdir -p "$tmp/exp" "$tmp/back"
roundtrip handshake
if [ -d "$c" ]; then
	for d in "$c"/*/; do
		[ -f "$d/task.yaml" ] && roundtrip "$(basename "$d")"
	done
fi
if "$tq" export inginious "$tmp/out/handshake" "$tmp/exp/handshake" > "$tmp/exp-again.log" 2>&1 ||
    ! grep -q 'already holds a task' "$tmp/exp-again.log"; then
	ko "an export into a folder that holds a task is refused"
else
	ok "an export into a folder that holds a task is refused"
fi

# ---- key discovery: the first suggestion's value (tracequiz eval) is the answer
hits=0 asked=0
# discover CAPTURE ANSWER PROMPT
discover() {
	asked=$((asked + 1))
	first=$("$tq" suggest "$1" "$2" --prompt "$3" --max 1 2>/dev/null)
	if [ -n "$first" ] && "$tq" eval "$1" "$first" --json 2>/dev/null | python3 -c '
import json, sys
v, want = json.load(sys.stdin), sys.argv[1]
norm = lambda s: s.strip().lower().rstrip(".") if len(s.strip()) > 1 else s.strip().lower()
if isinstance(v, dict):
    v = v.get("value", v)
ok = str(v) == want if isinstance(v, int) else isinstance(v, str) and norm(v) == norm(want)
sys.exit(0 if ok else 1)' "$2"; then
		hits=$((hits + 1))
		echo "ok   suggest \"$2\" on $(basename "$1"): $first"
	else
		echo "miss suggest \"$2\" on $(basename "$1"): ${first:-nothing}"
	fi
}
discover "$data/dns-udp.pcap" "mail.tq.test" "Which mail server of tq.test has preference 10?"
discover "$data/http2-prior.pcap" "/missing" "Which path does the request answered with 404 ask for?"
discover "$data/ssh-22.pcap" "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10" "Which software does the server run?"
discover "$data/tcp-handshake-eth-ipv4.pcap" "50001" "Which port does the server listen on?"
discover "$data/smtp-starttls-25-eth-ipv4.pcap" "mail.example.org" "What is the name of the SMTP server?"
discover "$data/dns-udp.pcap" "34" "How many DNS responses does the trace hold?"
if [ -d "$c" ]; then
	# the free-text answers of the CNP3 tasks, as the course checks them (../shared/cnp3/README.md)
	S=$c/q-pkt-tls-smtp/smtp-tls.pcap T=$c/q-pkt-tls-1/tls.pcap
	discover "$S" "AM0PR0102CA0002.outlook.office365.com" "What is the name of the SMTP server ?"
	discover "$S" "3" "How many messages are sent by the client before transmitting its first encrypted record ?"
	discover "$T" "28" "How many different cipher suites are proposed by this client ?"
	discover "$T" "www.computer-networking.info" "What is the name of the server contacted in this trace ?"
	discover "$T" "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" "What is the cipher suite used in this trace ?"
	discover "$T" "Let's Encrypt" "What is the issuer of the certificate used in this trace ?"
	discover "$T" "2020-01-05" "On which day will the certificate announced by this server will be invalid ?"
fi
if [ $((hits * 10)) -ge $((asked * 9)) ]; then
	ok "key discovery: the first suggestion is the answer for $hits of $asked answers (90% wanted)"
else
	ko "key discovery: the first suggestion is the answer for $hits of $asked answers (90% wanted)"
fi
# from an exercise's literal answer
first=$("$tq" suggest "$tmp/out/handshake" port --max 1 2>&1)
if [ -n "$first" ] && [ "$("$tq" eval "$tmp/out/handshake/handshake.pcap" "$first" 2>&1)" = 50001 ]; then
	ok "suggest EXERCISE QUESTION reads the question's answer (50001): $first"
else
	ko "suggest EXERCISE QUESTION reads the question's answer (50001): $first"
fi
if "$tq" suggest "$tmp/out/handshake" name > /dev/null 2>&1; then
	ko "suggest on a question without a literal answer is refused"
else
	ok "suggest on a question without a literal answer is refused"
fi

echo "import: $((n - bad)) of $n checks passed"
[ "$bad" = 0 ]
