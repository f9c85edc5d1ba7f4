#!/usr/bin/env bash
# exercises.sh - keys and grading of real course questions, end to end through
# `tracequiz key` and `tracequiz grade`: the demo exercise on the captures of
# ../shared/traces/smtp (their README's table), and the CNP3 questions of
# tests/exercises/ on the course's own captures in ../shared/cnp3.  Those
# captures are not the project's to copy, so without ../shared this skips.
#   TRACEQUIZ  the program (default ./tracequiz)     SHARED  the shared folder
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
tq=${TRACEQUIZ:-$(pwd)/tracequiz}
[ -x "$tq" ] || tq=$here/tracequiz
shared=${SHARED:-$here/../shared}
[ -d "$shared" ] || shared=/work/shared
if [ ! -d "$shared/cnp3" ] || [ ! -d "$shared/traces/smtp" ]; then
	echo "exercises: skipped, $shared/cnp3 and traces/smtp are not there"; exit 77
fi
fails=0 checks=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

# key EXERCISE TRACE QUESTION EXPECTED-JSON-OR-ERROR
key() {
	local out
	out=$("$tq" key "$1" --trace "$2" --json 2>/dev/null)
	if python3 - "$out" "$3" "$4" <<'PY'
import json, sys
keys = {q["id"]: q for q in json.loads(sys.argv[1])["questions"]}
q, want = keys[sys.argv[2]], sys.argv[3]
if want.startswith("error:"):
    sys.exit(0 if q["key"] is None and want[6:] in (q["error"] or "") else 1)
sys.exit(0 if q["error"] is None and q["key"] == json.loads(want) else 1)
PY
	then ok "key $(basename "$1") $(basename "$2") $3 = $4"
	else bad "key $(basename "$1") $(basename "$2") $3: want $4, got $(echo "$out" | tr -d '\n' | head -c 400)"; fi
}

# states EXERCISE TRACE QUESTION STATES-JSON: which choices the trace makes valid (1) or not (0)
states() {
	local out
	out=$("$tq" key "$1" --trace "$2" --json 2>/dev/null)
	if python3 - "$out" "$3" "$4" <<'PY'
import json, sys
keys = {q["id"]: q for q in json.loads(sys.argv[1])["questions"]}
sys.exit(0 if keys[sys.argv[2]].get("states") == json.loads(sys.argv[3]) else 1)
PY
	then ok "states $(basename "$1") $(basename "$2") $3 = $4"
	else bad "states $(basename "$1") $(basename "$2") $3: want $4, got $(echo "$out" | tr -d '\n' | head -c 400)"; fi
}

# grade EXERCISE TRACE ANSWERS-JSON QUESTION right|wrong [FEEDBACK-SUBSTRING]
grade() {
	local out
	out=$(echo "$3" | "$tq" grade "$1" - --trace "$2" --json 2>&1)
	if python3 - "$out" "$4" "$5" "${6:-}" <<'PY'
import json, sys
res = {q["id"]: q for q in json.loads(sys.argv[1])["questions"]}
q = res[sys.argv[2]]
if q["correct"] != (sys.argv[3] == "right"): sys.exit(1)
if (q["score"] == q["max"]) != (sys.argv[3] == "right"): sys.exit(1)
if sys.argv[4] and sys.argv[4] not in q["feedback"]: sys.exit(1)
PY
	then ok "grade $(basename "$1") $4 $3: $5"
	else bad "grade $(basename "$1") $4 $3: want $5 ${6:-}, got $(echo "$out" | tr -d '\n' | head -c 400)"; fi
}

demo=$here/db/seed/smtp-over-tls
t=$shared/traces/smtp
key "$demo" "$shared/cnp3/q-pkt-tls-smtp/smtp-tls.pcap" q1 '"AM0PR0102CA0002.outlook.office365.com"'
key "$demo" "$shared/cnp3/q-pkt-tls-smtp/smtp-tls.pcap" q2 '"TLS 1.2"'
key "$demo" "$shared/cnp3/q-pkt-tls-smtp/smtp-tls.pcap" q3 3
key "$demo" "$t/implicit-465-tls13-sll2-ipv6.pcap" q1 'error:no frame has smtp.rsp.parameter'
key "$demo" "$t/implicit-465-tls13-sll2-ipv6.pcap" q2 '"TLS 1.3"'
key "$demo" "$t/implicit-465-tls13-sll2-ipv6.pcap" q3 1
key "$demo" "$t/plain-25-eth-ipv6.pcap" q1 '"relay.campus.example"'
key "$demo" "$t/plain-25-eth-ipv6.pcap" q2 'error:no frame has tls.handshake'
key "$demo" "$t/plain-25-eth-ipv6.pcap" q3 'error:no frame has'
for f in starttls-587-tls12-sll-ipv6.pcap:smtp.campus.example:1.2 starttls-587-tls13-eth-ipv4.pcap:mx.mailhost.example:1.3 \
    starttls-587-tls13-eth-ipv4.pcapng:mx.mailhost.example:1.3; do
	IFS=: read -r cap name ver <<< "$f"
	key "$demo" "$t/$cap" q1 "\"$name\""
	key "$demo" "$t/$cap" q2 "\"TLS $ver\""
	key "$demo" "$t/$cap" q3 3
done
s=$shared/cnp3/q-pkt-tls-smtp/smtp-tls.pcap
grade "$demo" "$s" '{"q1": " am0pr0102ca0002.OUTLOOK.office365.com. ", "q2": "TLS 1.2", "q3": "0x3"}' q1 right
grade "$demo" "$s" '{"q1": "AM0PR0102CA0002", "q2": "TLS 1.2", "q3": 3}' q1 wrong "not a fully qualified domain name"
grade "$demo" "$s" '{"q2": "TLS 1.2"}' q2 right "the server selects"
grade "$demo" "$s" '{"q2": "TLS 1.0"}' q2 wrong "Check the ServerHello"
grade "$demo" "$s" '{"q3": 3}' q3 right
grade "$demo" "$s" '{"q3": 4}' q3 wrong "acknowledgements are not messages"
grade "$demo" "$s" '{"q3": 43540}' q3 wrong "(tcp.srcport) of frame 1"

ex=$here/tests/exercises
c=$shared/cnp3
tls=$c/q-pkt-tls-1/tls.pcap
key "$ex/cnp3-tls-1" "$tls" q1 28
key "$ex/cnp3-tls-1" "$tls" q2 '"www.computer-networking.info"'
key "$ex/cnp3-tls-1" "$tls" q3 '"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"'
key "$ex/cnp3-tls-1" "$tls" q5 '"2020-01-05"'
grade "$ex/cnp3-tls-1" "$tls" '{"q4": "LET S ENCRYPT authority"}' q4 right
grade "$ex/cnp3-tls-1" "$tls" '{"q4": "DigiCert"}' q4 wrong
grade "$ex/cnp3-tls-1" "$tls" '{"q3": "tls_ecdhe_rsa_with_aes_256_gcm_sha384"}' q3 right
grade "$ex/cnp3-tls-1" "$tls" '{"q2": "WWW.computer-networking.info."}' q2 right
grade "$ex/cnp3-tls-1" "$tls" '{"q1": 27}' q1 wrong

ip6=$c/ip6-tcp/ip6-packet196.pcap
key "$ex/cnp3-ip6-tcp" "$ip6" nxt '{"1": {"ipv6.nxt": "6"}}'
grade "$ex/cnp3-ip6-tcp" "$ip6" '{"nxt": {"1": {"ipv6.nxt": "6"}}}' nxt right
grade "$ex/cnp3-ip6-tcp" "$ip6" '{"nxt": {"1": {"ipv6.nxt": "0x06"}}}' nxt right
grade "$ex/cnp3-ip6-tcp" "$ip6" '{"nxt": {"ipv6.nxt": "0x6"}}' nxt right
grade "$ex/cnp3-ip6-tcp" "$ip6" '{"nxt": {"1": {"ipv6.nxt": "17"}}}' nxt wrong "same values as the IPv4 Protocol field"

syn=$c/tcp-syn-seq-ack/tcp-rfc793-70-72.pcap
key "$ex/cnp3-tcp-syn-seq-ack" "$syn" acks '{"2": {"tcp.ack": "1"}, "3": {"tcp.ack": "1", "tcp.seq": "1"}}'
grade "$ex/cnp3-tcp-syn-seq-ack" "$syn" '{"acks": {"2": {"tcp.ack": "1"}, "3": {"tcp.ack": 1, "tcp.seq": "0x1"}}}' acks right
grade "$ex/cnp3-tcp-syn-seq-ack" "$syn" '{"acks": {"2": {"tcp.ack": "0"}, "3": {"tcp.ack": "1", "tcp.seq": "1"}}}' acks wrong "SYN flag consumes one sequence number"

twh=$c/tcp-reorder-twh/tcp-rfc793-90-92.pcap
key "$ex/cnp3-tcp-reorder-twh" "$twh" order '[1, 2, 3]'
grade "$ex/cnp3-tcp-reorder-twh" "$twh" '{"order": [1, 2, 3]}' order right
grade "$ex/cnp3-tcp-reorder-twh" "$twh" '{"order": [2, 1, 3]}' order wrong "SYN set and ACK reset"

# the course's application-layer tasks: DNS, HTTP, HTTP/2, SSH (their answers from task.yaml)
states "$ex/cnp3-dns-1" "$c/mcq-pkt-dns-1/dns-trace-28772.pcap" q1 '[1, 1, 0, 1, 0, 1, 1, 0]'
grade "$ex/cnp3-dns-1" "$c/mcq-pkt-dns-1/dns-trace-28772.pcap" \
    '{"q1": ["In this packet trace, DNS is used over UDP", "The query of the first packet was for a record of type NS", "The first packet contains a query", "The second packet is a retransmission of the first one", "The identifier of the request in the second packet is 0xedc5"]}' q1 right
grade "$ex/cnp3-dns-1" "$c/mcq-pkt-dns-1/dns-trace-28772.pcap" '{"q1": ["The second packet contains a response"]}' q1 wrong
dnsid=$c/pkt-dns-id/dns-req.pcap
key "$ex/cnp3-dns-id" "$dnsid" id '{"2": {"dns.id": "0x16eb"}}'
grade "$ex/cnp3-dns-id" "$dnsid" '{"id": {"2": {"dns.id": "0x16EB"}}}' id right
grade "$ex/cnp3-dns-id" "$dnsid" '{"id": {"2": {"dns.id": "5867"}}}' id right
grade "$ex/cnp3-dns-id" "$dnsid" '{"id": {"2": {"dns.id": "0x16ec"}}}' id wrong
states "$ex/cnp3-ssh-1" "$c/q-pkt-ssh-1/ssh.pcap" qcm '[1, 1, 1, 0, 1, 1, 1, 0]'
states "$ex/cnp3-http-trace" "$c/mcq-http-trace/http-trace.pcap" q1 '[1, 1, 0, 1, 0, 0, 0, 0, 0, 1]'
states "$ex/cnp3-http2-1" "$c/mcq-pkt-http2-1/nghttp-trace-1355.pcap" q1 '[1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1]'

# the same protocols on the project's own captures (tests/tools/mkcap-*.sh)
d=$here/tests/data
key "$ex/dns-messages" "$d/dns-udp.pcap" answers 3
key "$ex/dns-messages" "$d/dns-udp.pcap" mx '"mail.tq.test"'
key "$ex/dns-messages" "$d/dns-udp.pcap" responses 34
# tshark -Y 'dns.flags.response == 0' -T fields -e dns.qry.name | sort -u | wc -l
key "$ex/dns-messages" "$d/dns-udp.pcap" names 25
key "$ex/dns-messages" "$d/dns-udp.pcap" authoritative '"yes"'
# filter() with an aggregate on 'it' (tshark -Y dns.flags.response==0 -T fields -e dns.qry.name | sort | uniq -c)
key "$ex/dns-messages" "$d/dns-udp.pcap" repeated 5
key "$ex/dns-messages" "$d/dns-udp.pcap" order '[1, 2, 3, 4]'
grade "$ex/dns-messages" "$d/dns-udp.pcap" '{"order": [1, 2, 3, 4]}' order right
grade "$ex/dns-messages" "$d/dns-udp.pcap" '{"order": [2, 1, 3, 4]}' order wrong
grade "$ex/dns-messages" "$d/dns-udp.pcap" '{"mx": "MAIL.tq.test."}' mx right
key "$ex/dns-tcp-length" "$d/dns-tcp.pcap" length '{"4": {"dns.length": "48"}}'
grade "$ex/dns-tcp-length" "$d/dns-tcp.pcap" '{"length": {"4": {"dns.length": "0x30"}}}' length right
grade "$ex/dns-tcp-length" "$d/dns-tcp.pcap" '{"length": {"4": {"dns.length": "50"}}}' length wrong
key "$ex/http2-get" "$d/http2-prior.pcap" method '"GET"'
key "$ex/http2-get" "$d/http2-prior.pcap" path '"/"'
key "$ex/http2-get" "$d/http2-prior.pcap" window 65535
key "$ex/http2-get" "$d/http2-prior.pcap" missing '"/missing"'
key "$ex/http2-get" "$d/http2-prior.pcap" rank 3
key "$ex/ssh-negotiation" "$d/ssh-22.pcap" cipher '"chacha20-poly1305@openssh.com"'
key "$ex/ssh-negotiation" "$d/ssh-22.pcap" server '"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"'
key "$ex/ssh-negotiation" "$d/ssh-2222.pcap" cipher 'error:no frame has ssh'
# intersect() keeps the client's order; text() reads bytes; label() of a list (tshark -T fields)
key "$ex/ssh-negotiation" "$d/ssh-22.pcap" agreed '"chacha20-poly1305@openssh.com"'
key "$ex/ssh-negotiation" "$d/ssh-22.pcap" banner '"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"'
key "$ex/ssh-negotiation" "$d/ssh-22.pcap" messages '"Key Exchange Init, Elliptic Curve Diffie-Hellman Key Exchange Init"'
grade "$ex/ssh-negotiation" "$d/ssh-22.pcap" '{"agreed": "chacha20-poly1305@openssh.com"}' agreed right
grade "$ex/ssh-negotiation" "$d/ssh-22.pcap" '{"agreed": "aes128-ctr"}' agreed wrong
key "$ex/ssh-port-2222" "$d/ssh-2222.pcap" cipher '"aes128-ctr"'
key "$ex/ssh-port-2222" "$d/ssh-2222.pcap" kex '"ecdh-sha2-nistp256"'
grade "$ex/ssh-port-2222" "$d/ssh-2222.pcap" '{"cipher": "aes128-ctr"}' cipher right
key "$ex/telnet-login" "$d/telnet-login.pcap" user '"student"'
key "$ex/telnet-login" "$d/telnet-login.pcap" password '"test"'
key "$ex/telnet-login" "$d/telnet-login.pcap" typed_user '"student"'
grade "$ex/telnet-login" "$d/telnet-login.pcap" '{"user": "student", "password": "test"}' password right
grade "$ex/telnet-login" "$d/telnet-login.pcap" '{"password": "tset"}' password wrong

echo "exercises: $((checks - fails)) of $checks checks passed"
[ "$fails" = 0 ]
