#!/usr/bin/env bash
# mktls.sh OUTFILE [SESSIONS] - write a large capture of real TLS sessions, for bench/run.sh
# (run as root; needs openssl, tcpdump and python3; sends nothing off the machine).
#
# A Python (stdlib ssl) server listens on 127.0.0.1:443 with self-signed RSA and ECDSA
# certificates made here by openssl; a threaded Python client runs many sessions against
# it while `tcpdump -i lo -s 0` writes what passes.  All of it happens in a network
# namespace made for the purpose (its own lo, MTU 1500, segmentation and receive offloads
# off so that the capture holds Ethernet-sized segments rather than 64 KiB super-packets,
# real checksums); where no namespace can be made, on the machine's own lo (bigger
# segments, and only port 443 captured).
#
# Each session: TCP handshake from 127.0.0.2-9 (an address and port pair of its own, so no
# port is reused within the capture, up to 512,000 sessions), TLS 1.2 (ECDHE with RSA or
# ECDSA, AES-GCM or ChaCha20) or TLS 1.3, SNI and ALPN, now and then a resumed session; then
# a few KB to tens of KB of application data each way (log-uniform, 2 KB to 64 KB), written as
# 16 KB records spanning a dozen segments, mid-sized records straddling segment
# boundaries, and bursts of small records under TCP_CORK, several records to a segment;
# close_notify both ways, FIN.
#
# It runs sessions until the capture holds FRAMES frames (environment, default 200000),
# or exactly SESSIONS sessions when that is given.  Also: THREADS (client threads,
# default 24), SEED (default 1; the sizes and choices, not the timing).
set -u
export LC_ALL=C

out=${1:?usage: mktls.sh OUTFILE [SESSIONS]}
sessions=${2:-0}
frames=${FRAMES:-200000}
threads=${THREADS:-24}
seed=${SEED:-1}
port=443

die() { echo "mktls: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (it captures and makes a network namespace)"
for t in openssl tcpdump python3; do
	command -v $t >/dev/null 2>&1 || die "$t is missing"
done
case $sessions in *[!0-9]*) die "SESSIONS must be a number";; esac
case $frames in ''|*[!0-9]*) die "FRAMES must be a number";; esac

ns=tqbench-tls-$$
tmp=$(mktemp -d) || die "cannot make a temporary directory"
part=$out.part.$$
srv_pid='' dump_pid='' cli_pid='' use_ns=''
cleanup() {
	[ -z "$cli_pid" ] || kill "$cli_pid" 2>/dev/null
	[ -z "$srv_pid" ] || kill "$srv_pid" 2>/dev/null
	[ -z "$dump_pid" ] || kill -INT "$dump_pid" 2>/dev/null
	[ -z "$cli_pid$srv_pid$dump_pid" ] || wait 2>/dev/null
	[ -z "$use_ns" ] || ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp" "$part"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
start=$(date +%s.%N)

# ---------------------------------------------------------------- certificates
for k in rsa ec; do
	if [ $k = rsa ]; then alg=(-newkey rsa:2048); else alg=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1); fi
	openssl req -x509 "${alg[@]}" -nodes -days 30 -keyout "$tmp/$k.key" -out "$tmp/$k.crt" \
	    -subj "/C=BE/O=tracequiz bench/CN=bench.tracequiz.test" \
	    -addext "subjectAltName=DNS:bench.tracequiz.test,DNS:localhost,IP:127.0.0.1" \
	    >/dev/null 2>&1 || die "openssl cannot make a $k certificate"
done

# ---------------------------------------------------------------- the network
run=()                  # the prefix that runs a command on that network
if ip netns add "$ns" 2>/dev/null; then
	use_ns=1
	run=(ip netns exec "$ns")
	ip -n "$ns" link set lo mtu 1500 up || die "cannot bring up lo in $ns"
	if command -v ethtool >/dev/null 2>&1; then
		"${run[@]}" ethtool -K lo tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
		    echo "mktls: ethtool could not turn lo's offloads off; some frames will be bigger than the MTU" >&2
	else
		echo "mktls: ethtool is missing; some frames will be bigger than the MTU (lo's offloads stay on)" >&2
	fi
else
	echo "mktls: no network namespace (ip netns add failed): capturing port $port on this machine's lo" >&2
fi

# ---------------------------------------------------------------- server and client
cat > "$tmp/tls.py" <<'EOF'
import os, random, socket, socketserver, ssl, struct, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

HOST, PORT = "127.0.0.1", int(os.environ["PORT"])
SNI = "bench.tracequiz.test"
TMP = os.environ["TMPDIR_TLS"]

def recv_exact(s, n):
    got = bytearray()
    while len(got) < n:
        d = s.recv(min(65536, n - len(got)))
        if not d:
            raise EOFError("peer closed after %d of %d bytes" % (len(got), n))
        got += d
    return bytes(got)

def send_data(s, n, rng):
    """n bytes of application data, in varied record sizes and groupings."""
    left = n
    while left > 0:
        mode = rng.random()
        if mode < 0.35:                        # full records spanning many segments
            k = min(left, 16384 * rng.randint(1, 3))
            s.sendall(os.urandom(k)); left -= k
        elif mode < 0.7:                       # mid-sized records across segment edges
            k = min(left, rng.randint(700, 6000))
            s.sendall(os.urandom(k)); left -= k
        else:                                  # several small records to a segment
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            for _ in range(rng.randint(2, 12)):
                if left <= 0:
                    break
                k = min(left, rng.randint(20, 900))
                s.sendall(os.urandom(k)); left -= k
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)

def server():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    for k in ("rsa", "ec"):
        ctx.load_cert_chain(os.path.join(TMP, k + ".crt"), os.path.join(TMP, k + ".key"))
    ctx.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    ctx.set_alpn_protocols(["h2", "http/1.1", "tq/1"])

    class H(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                s = ctx.wrap_socket(self.request, server_side=True)
                up, down, seed = struct.unpack("!III", recv_exact(s, 12))
                recv_exact(s, up)
                send_data(s, down, random.Random(seed))
                s.unwrap()
            except (OSError, EOFError, ValueError):
                pass

    class S(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 512
    srv = S((HOST, PORT), H)
    print("ready", flush=True)
    srv.serve_forever()

def count_frames(path, state):
    """frames in the pcap tcpdump is writing (it writes whole records, -U)."""
    try:
        with open(path, "rb") as f:
            if state["off"] == 0:
                hdr = f.read(24)
                if len(hdr) < 24:
                    return 0
                state["endian"] = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
                state["off"] = 24
            f.seek(state["off"])
            fmt = state["endian"] + "IIII"
            while True:
                h = f.read(16)
                if len(h) < 16:
                    break
                incl = struct.unpack(fmt, h)[2]
                f.seek(incl, 1)
                if f.tell() > os.fstat(f.fileno()).st_size:
                    break
                state["off"] = f.tell()
                state["n"] += 1
    except OSError:
        pass
    return state["n"]

def client():
    sessions, frames, threads = (int(os.environ[k]) for k in ("SESSIONS", "FRAMES", "THREADS"))
    pcap, master = os.environ["PCAP"], random.Random(int(os.environ["SEED"]))
    ctxs = []
    for ver, ciphers in ((ssl.TLSVersion.TLSv1_3, None),
                         (ssl.TLSVersion.TLSv1_3, None),
                         (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"),
                         (ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES256-GCM-SHA384"),
                         (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES256-GCM-SHA384"),
                         (ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305")):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.check_hostname, c.verify_mode = False, ssl.CERT_NONE
        c.minimum_version = c.maximum_version = ver
        if ciphers:
            c.set_ciphers(ciphers)
        c.set_alpn_protocols(master.choice([["h2", "http/1.1"], ["http/1.1"], ["tq/1"]]))
        ctxs.append(c)
    saved = {}                     # context index -> a session to resume
    lock = threading.Lock()
    errors = []

    def one(i, seed):
        rng = random.Random(seed)
        ci = rng.randrange(len(ctxs))
        sess = None
        with lock:
            if ci in saved and rng.random() < 0.2:
                sess = saved[ci]
        raw = socket.socket()
        try:
            # a source address and port of its own: the kernel would otherwise now and
            # then reuse a port whose last connection the server closed first
            src = "127.0.0.%d" % (2 + i % 8)
            try:
                raw.bind((src, 1024 + (i // 8) % 64000))
            except OSError:
                raw.bind((src, 0))
            raw.connect((HOST, PORT))
            s = ctxs[ci].wrap_socket(raw, server_hostname=SNI, session=sess)
            up = int(2000 * 32 ** rng.random())
            down = int(2000 * 32 ** rng.random())
            s.sendall(struct.pack("!III", up, down, rng.getrandbits(32)))
            send_data(s, up, rng)
            recv_exact(s, down)
            if s.session is not None:
                with lock:
                    saved[ci] = s.session
            s.unwrap()
        except (OSError, EOFError, ValueError) as e:
            with lock:
                errors.append(repr(e))
        finally:
            raw.close()

    state = {"off": 0, "n": 0}
    done, batch = 0, threads * 8
    with ThreadPoolExecutor(threads) as pool:
        while True:
            if sessions:
                n = min(batch, sessions - done)
                if n <= 0:
                    break
            else:                   # batches sized not to overshoot much (~50 frames a session)
                have = count_frames(pcap, state)
                if have >= frames:
                    break
                per = have / done if done and have else 50
                n = max(1, min(batch, int((frames - have) / per) + 1))
            list(pool.map(lambda a: one(*a), [(done + j, master.getrandbits(32)) for j in range(n)]))
            done += n
            if len(errors) > max(20, done // 10):
                print("too many failed sessions, e.g. %s" % errors[0], file=sys.stderr)
                sys.exit(1)
    print(done, len(errors), errors[0] if errors else "", flush=True)

if __name__ == "__main__":
    server() if sys.argv[1] == "server" else client()
EOF
export PORT=$port TMPDIR_TLS=$tmp

"${run[@]}" python3 "$tmp/tls.py" server > "$tmp/server.out" 2> "$tmp/server.err" &
srv_pid=$!
for _ in $(seq 100); do
	grep -q ready "$tmp/server.out" 2>/dev/null && break
	kill -0 "$srv_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q ready "$tmp/server.out" 2>/dev/null ||
    die "the TLS server did not start: $(head -n 3 "$tmp/server.err")"

# -U: whole records as they come (the client counts them); -B: a 64 MiB buffer, no drops;
# -Z root: keep writing where root may.
"${run[@]}" tcpdump -i lo -s 0 -U -B 65536 -Z root -w "$part" "tcp port $port" 2> "$tmp/tcpdump.err" &
dump_pid=$!
for _ in $(seq 100); do
	grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && [ -s "$part" ] && break
	kill -0 "$dump_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null || die "tcpdump did not start: $(head -n 3 "$tmp/tcpdump.err")"
sleep 0.5

# in the background, so that a signal to this script is acted on at once
PCAP=$part SESSIONS=$sessions FRAMES=$frames THREADS=$threads SEED=$seed \
    "${run[@]}" python3 "$tmp/tls.py" client > "$tmp/client.out" 2> "$tmp/client.err" &
cli_pid=$!
wait "$cli_pid" || die "the client failed: $(tail -n 3 "$tmp/client.err")"
cli_pid=''
res=$(cat "$tmp/client.out")
sleep 1                                   # the last FINs and ACKs
kill -INT "$dump_pid"; wait "$dump_pid" 2>/dev/null; dump_pid=
kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; srv_pid=

read -r nsess failed first <<< "$res"
captured=$(awk '/packets captured/ { print $1 }' "$tmp/tcpdump.err")
dropped=$(awk '/dropped by kernel/ { print $1 }' "$tmp/tcpdump.err")
if [ -z "$captured" ] || [ "$captured" -eq 0 ]; then
	die "tcpdump captured nothing: $(tail -n 3 "$tmp/tcpdump.err")"
fi
mv "$part" "$out" || die "cannot write $out"
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
echo "mktls: $out: $captured frames, $(stat -c %s "$out") bytes, $nsess sessions" \
     "($failed failed${first:+, e.g. $first}), ${dropped:-?} dropped by the kernel, ${secs}s" >&2
[ "${dropped:-0}" = 0 ] || echo "mktls: warning: tcpdump lost frames; some streams have gaps" >&2
exit 0
