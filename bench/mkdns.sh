#!/usr/bin/env bash
# mkdns.sh OUTFILE [QUERIES] - write a large capture of real DNS traffic, for bench/run.sh
# (run as root; needs tcpdump, python3 and BIND's named (Debian's bind9); sends nothing off
# the machine).
#
# named, authoritative only (no recursion), answers on 127.0.0.1:53 over UDP and TCP for zones
# made here: bench.test (SOA, NS with glue, A, AAAA, MX, TXT (SPF, DMARC, DKIM, some long
# enough to be truncated over UDP), CNAME and CNAME chains, SRV, CAA, a pool of 24 A
# records, a wildcard, a delegated subzone), and the reverse zones of its IPv4 and IPv6
# addresses (PTR).  A threaded Python client (stdlib only) sends queries while
# `tcpdump -i lo -s 0` writes what passes.  All of it happens in a network namespace made for
# the purpose (its own lo, MTU 1500, offloads off); where no namespace can be made, on the
# machine's own lo (port 53 only captured; it must then be free).
#
# The queries: A most, then AAAA, PTR, MX, TXT, CNAME, SRV, NS, SOA, CAA, now and then ANY;
# mostly names that exist, some that do not (NXDOMAIN), some with no data of the type asked
# (NODATA), some referrals to the subzone, a few for zones the server does not serve
# (REFUSED); EDNS on most (payload 1232, 1400 or 4096, the DO bit on some, a client COOKIE on
# many, which named answers with its own), RD on most, random case now and then.  Each UDP
# socket has an address and port pair of its own (127.0.0.2-254) and sends 1 to 3 queries;
# an answer with TC set is asked again over TCP, and a few clients use TCP from the start
# (1 to 4 length-prefixed queries on one connection).
#
# It sends queries until the capture holds FRAMES frames (environment, default 200000), or
# exactly QUERIES queries when that is given.  Also: THREADS (client threads, default 16),
# SEED (default 1; the zones and the choices, not the timing).
set -u
export LC_ALL=C

out=${1:?usage: mkdns.sh OUTFILE [QUERIES]}
queries=${2:-0}
frames=${FRAMES:-200000}
threads=${THREADS:-16}
seed=${SEED:-1}
port=53

die() { echo "mkdns: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (it captures and makes a network namespace)"
for t in tcpdump python3; do
	command -v $t >/dev/null 2>&1 || die "$t is missing"
done
named=$(command -v named 2>/dev/null || { [ -x /usr/sbin/named ] && echo /usr/sbin/named; })
[ -n "$named" ] || die "named is missing (apt-get install bind9)"
case $queries in *[!0-9]*) die "QUERIES must be a number";; esac
case $frames in ''|*[!0-9]*) die "FRAMES must be a number";; esac
case $threads in ''|*[!0-9]*|0) die "THREADS must be a positive number";; esac

ns=tqbench-dns-$$
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

# ---------------------------------------------------------------- the network
run=()                  # the prefix that runs a command on that network
if ip netns add "$ns" 2>/dev/null; then
	use_ns=1
	run=(ip netns exec "$ns")
	ip -n "$ns" link set lo mtu 1500 up || die "cannot bring up lo in $ns"
	if command -v ethtool >/dev/null 2>&1; then
		"${run[@]}" ethtool -K lo tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
		    echo "mkdns: ethtool could not turn lo's offloads off; some frames will be bigger than the MTU" >&2
	else
		echo "mkdns: ethtool is missing; some frames will be bigger than the MTU (lo's offloads stay on)" >&2
	fi
else
	echo "mkdns: no network namespace (ip netns add failed): capturing port $port on this machine's lo" >&2
fi

# ---------------------------------------------------------------- zones and client
cat > "$tmp/mkdns.py" <<'EOF'
import os, random, socket, struct, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

HOST, PORT = "127.0.0.1", int(os.environ["PORT"])
DIR = os.path.join(os.environ["TMPDIR_DNS"], "named")
ZONE = "bench.test"
NHOSTS, NALIAS, NBIG = 2000, 300, 40
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray").split()
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "DNSKEY": 48, "CAA": 257, "ANY": 255}

def plan(seed):
    """the zones' contents, the same for the zone files and the client."""
    rng = random.Random(seed)
    hosts = []
    for i in range(1, NHOSTS + 1):
        v4 = ["10.%d.%d.%d" % (1 + (i >> 8) % 200, i & 255, rng.randint(1, 254))
              for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        v6 = ["2001:db8:%x:%x::%x" % (i >> 8, i & 255, rng.randint(1, 0xffff))] if rng.random() < 0.6 else []
        hosts.append(("host%04d" % i, v4, v6, rng.random() < 0.1, rng.random() < 0.1))
    aliases = [("alias%03d" % i, rng.randrange(NHOSTS), rng.random() < 0.3) for i in range(NALIAS)]
    return hosts, aliases

def rev4(a):
    return ".".join(reversed(a.split("."))) + ".in-addr.arpa"

def rev6(a):
    head, tail = a.split("::")
    groups = head.split(":")
    full = groups + ["0"] * (8 - len(groups) - 1) + [tail]
    nib = "".join("%04x" % int(g, 16) for g in full)
    return ".".join(reversed(nib)) + ".ip6.arpa"

def txt(strings):
    return " ".join('"%s"' % s for s in strings)

def make_zones():
    seed = int(os.environ["SEED"])
    rng = random.Random(seed + 1)
    hosts, aliases = plan(seed)
    soa = "@ IN SOA ns1.bench.test. hostmaster.bench.test. ( 2024060101 7200 3600 1209600 300 )\n"
    z = ["$TTL 3600\n", soa,
         "@ NS ns1\n@ NS ns2\n",
         "@ A 10.0.0.1\n@ AAAA 2001:db8::1\n",
         "@ MX 10 mx1\n@ MX 20 mx2\n@ MX 30 mx.backup.example.\n",
         '@ TXT "v=spf1 ip4:10.0.0.0/8 ip6:2001:db8::/32 include:_spf.example.net -all"\n',
         '@ TXT "google-site-verification=%s"\n' % "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(43)),
         '@ CAA 0 issue "letsencrypt.org"\n@ CAA 0 iodef "mailto:security@bench.test"\n',
         "ns1 A 10.0.0.2\nns1 AAAA 2001:db8::2\nns2 A 10.0.0.3\nns2 AAAA 2001:db8::3\n",
         "mx1 A 10.0.1.1\nmx2 A 10.0.1.2\nmx2 AAAA 2001:db8:0:1::2\n",
         "www CNAME @\nmail CNAME mx1\nftp 300 CNAME www\n",
         '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@bench.test; pct=100"\n',
         'sel1._domainkey TXT %s\n' % txt(["v=DKIM1; k=rsa; p=" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(200)),
                                          "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(192))]),
         "_sip._udp SRV 10 60 5060 sip1\n_sip._udp SRV 10 40 5060 sip2\n_sip._udp SRV 20 0 5060 sip-backup\n",
         "_xmpp-client._tcp SRV 5 0 5222 host0001\n_ldap._tcp SRV 0 100 389 host0002\n",
         "sip1 A 10.0.2.1\nsip2 A 10.0.2.2\nsip-backup A 10.0.2.3\n",
         "".join("pool A 10.0.3.%d\n" % i for i in range(1, 25)),
         "*.wild A 10.0.4.4\n*.wild AAAA 2001:db8:0:4::4\n",
         "sub NS ns.sub\nsub NS ns2.sub\nns.sub A 10.0.5.5\nns2.sub A 10.0.5.6\n"]
    r4, r6 = [], []
    for name, v4, v6, mx, tx in hosts:
        for a in v4:
            z.append("%s A %s\n" % (name, a))
            r4.append("%s. PTR %s.bench.test.\n" % (rev4(a), name))
        for a in v6:
            z.append("%s AAAA %s\n" % (name, a))
            r6.append("%s. PTR %s.bench.test.\n" % (rev6(a), name))
        if mx:
            z.append("%s MX 10 mx1\n%s MX 20 mx2\n" % (name, name))
        if tx:
            z.append('%s TXT "owner=%s" "dept=%s"\n' % (name, rng.choice(WORDS), rng.choice(WORDS)))
    for name, h, chain in aliases:
        if chain:           # alias -> edge -> host
            z.append("%s CNAME edge-%s.cdn\nedge-%s.cdn CNAME %s\n" % (name, name, name, hosts[h][0]))
        else:
            z.append("%s CNAME %s\n" % (name, hosts[h][0]))
    for i in range(NBIG):   # 600 B to 2.4 KB: truncated over UDP without EDNS, some with
        n = rng.randint(3, 9)
        z.append("big%02d TXT %s\n" % (i, txt(["".join(rng.choice(WORDS)[0] + "%x" % rng.getrandbits(32)
                                                          for _ in range(rng.randint(10, 25)))[:250] for _ in range(n)])))
    with open(os.path.join(DIR, "db.bench.test"), "w") as f:
        f.write("".join(z))
    for zone, recs in (("10.in-addr.arpa", r4), ("8.b.d.0.1.0.0.2.ip6.arpa", r6)):
        with open(os.path.join(DIR, "db." + zone), "w") as f:
            f.write("$TTL 3600\n" + soa + "@ NS ns1.bench.test.\n@ NS ns2.bench.test.\n" + "".join(recs))

# ---------------------------------------------------------------- messages
def qname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"

def query(rng, qid, name, qtype, edns, tcp=False):
    flags = 0x0100 if rng.random() < 0.85 else 0           # RD
    if rng.random() < 0.05:
        flags |= 0x0010                                      # CD
    ar = 1 if edns else 0
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, ar) + qname(name) + struct.pack("!HH", TYPES[qtype], 1)
    if edns:
        size, do, cookie = edns
        opts = b""
        if cookie:
            opts += struct.pack("!HH", 10, 8) + cookie
        msg += b"\0" + struct.pack("!HHIH", 41, size, 0x8000 if do else 0, len(opts)) + opts
    return struct.pack("!H", len(msg)) + msg if tcp else msg

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

def recv_exact(s, n):
    got = bytearray()
    while len(got) < n:
        d = s.recv(n - len(got))
        if not d:
            raise EOFError("peer closed after %d of %d bytes" % (len(got), n))
        got += d
    return bytes(got)

def probe():
    """exit 0 once the server answers SOA bench.test with authority."""
    rng = random.Random(0)
    for _ in range(100):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.2)
        try:
            s.sendto(query(rng, 1, ZONE, "SOA", None), (HOST, PORT))
            r = s.recv(4096)
            if len(r) >= 12 and r[3] & 15 == 0 and r[2] & 4:
                return 0
        except OSError:
            time.sleep(0.1)
        finally:
            s.close()
    return 1

def client():
    nq, frames, threads = (int(os.environ[k]) for k in ("QUERIES", "FRAMES", "THREADS"))
    pcap, seed = os.environ["PCAP"], int(os.environ["SEED"])
    master = random.Random(seed + 2)
    hosts, aliases = plan(seed)
    lock = threading.Lock()
    errors, rcodes = [], {}
    sent = [0, 0, 0]            # queries over UDP, over TCP, of them retried over TCP after TC

    def pick(rng):
        """(name, type) of one question."""
        r = rng.random()
        h = hosts[rng.randrange(NHOSTS)]
        if r < 0.50:
            name = h[0] + "." + ZONE
            t = rng.choices(("A", "AAAA", "MX", "TXT", "ANY"), (60, 30, 5, 4, 1))[0]
        elif r < 0.60:
            a = aliases[rng.randrange(NALIAS)][0]
            name, t = a + "." + ZONE, rng.choice(("A", "A", "AAAA", "CNAME"))
        elif r < 0.68:
            if h[2] and rng.random() < 0.3:
                name = rev6(rng.choice(h[2]))
            else:
                name = rev4(rng.choice(h[1]))
            t = "PTR"
        elif r < 0.76:
            name, t = rng.choice([(ZONE, "MX"), (ZONE, "TXT"), (ZONE, "NS"), (ZONE, "SOA"), (ZONE, "A"),
                                  (ZONE, "AAAA"), (ZONE, "CAA"), (ZONE, "DNSKEY"), ("www." + ZONE, "A"),
                                  ("www." + ZONE, "AAAA"), ("mail." + ZONE, "A"), ("ftp." + ZONE, "A"),
                                  ("_dmarc." + ZONE, "TXT"), ("sel1._domainkey." + ZONE, "TXT"),
                                  ("pool." + ZONE, "A"), ("ns1." + ZONE, "AAAA")])
        elif r < 0.80:
            name, t = rng.choice([("_sip._udp." + ZONE, "SRV"), ("_xmpp-client._tcp." + ZONE, "SRV"),
                                  ("_ldap._tcp." + ZONE, "SRV"), ("_kerberos._udp." + ZONE, "SRV")])
        elif r < 0.83:
            name, t = "big%02d.%s" % (rng.randrange(NBIG), ZONE), "TXT"
        elif r < 0.86:
            name, t = "%s%d.wild.%s" % (rng.choice(WORDS), rng.randint(1, 999), ZONE), rng.choice(("A", "AAAA"))
        elif r < 0.88:
            name, t = "%s.sub.%s" % (rng.choice(WORDS), ZONE), rng.choice(("A", "AAAA", "MX"))
        elif r < 0.98:          # names that do not exist
            name = rng.choice(["%s%d" % (rng.choice(WORDS), rng.randint(1, 9999)),
                               "host%04d" % rng.randint(NHOSTS + 1, 9999),
                               "%s.%s" % (rng.choice(WORDS), rng.choice(WORDS)),
                               "wpad", "isatap", "_http._tcp"]) + "." + ZONE
            t = rng.choice(("A", "A", "AAAA", "MX", "TXT", "SRV"))
        else:                   # zones this server does not serve
            name, t = rng.choice(["www.example.com", "example.org", "mail.example.net", "tracequiz.invalid"]), \
                rng.choice(("A", "AAAA", "MX"))
        if rng.random() < 0.05:     # 0x20: random case
            name = "".join(c.upper() if rng.random() < 0.5 else c for c in name)
        return name, t

    def edns(rng):
        if rng.random() < 0.15:
            return None
        return (rng.choice((1232, 1232, 1232, 1400, 4096)), rng.random() < 0.2,
                rng.getrandbits(64).to_bytes(8, "big") if rng.random() < 0.6 else None)

    def bind(s, i):
        # an address and port pair of its own (253 addresses x 28232 ports; the port is a
        # bijection of i // 253 for each address)
        a = 2 + i % 253
        src = "127.0.0.%d" % a
        try:
            s.bind((src, 32768 + ((i // 253) * 7919 + a * 997) % 28232))
        except OSError:
            s.bind((src, 0))

    def note(resp, qid):
        if len(resp) < 12 or struct.unpack("!H", resp[:2])[0] != qid or not resp[2] & 0x80:
            raise ValueError("a bad answer")
        rc = resp[3] & 15
        with lock:
            rcodes[rc] = rcodes.get(rc, 0) + 1
        return resp[2] & 2          # TC

    def over_tcp(rng, i, qs):
        s = socket.socket()
        try:
            bind(s, i)
            s.settimeout(5)
            s.connect((HOST, PORT))
            for qid, name, t, e in qs:
                s.sendall(query(rng, qid, name, t, e, tcp=True))
                n = struct.unpack("!H", recv_exact(s, 2))[0]
                note(recv_exact(s, n), qid)
        finally:
            s.close()
        with lock:
            sent[1] += len(qs)

    def one(i, seed):
        rng = random.Random(seed)
        try:
            if rng.random() < 0.03:                     # a client that uses TCP
                qs = []
                for _ in range(rng.randint(1, 4)):
                    name, t = pick(rng)
                    qs.append((rng.getrandbits(16), name, t, edns(rng)))
                over_tcp(rng, 2 * i, qs)
                return
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                bind(s, 2 * i)
                s.settimeout(2)
                for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                    name, t = pick(rng)
                    qid, e = rng.getrandbits(16), edns(rng)
                    s.sendto(query(rng, qid, name, t, e), (HOST, PORT))
                    with lock:
                        sent[0] += 1
                    if note(s.recv(65535), qid):        # truncated: ask again over TCP
                        over_tcp(rng, 2 * i + 1, [(rng.getrandbits(16), name, t, e)])
                        with lock:
                            sent[2] += 1
            finally:
                s.close()
        except (OSError, EOFError, ValueError) as e:
            with lock:
                errors.append(repr(e))

    state = {"off": 0, "n": 0}
    done, batch = 0, threads * 32
    with ThreadPoolExecutor(threads) as pool:
        while True:
            if nq:
                left = nq - sent[0] - sent[1] + sent[2]
                if left <= 0:
                    break
                n = min(batch, max(1, left // 2))
            else:                   # batches sized not to overshoot much (~4 frames a client)
                have = count_frames(pcap, state)
                if have >= frames:
                    break
                per = have / done if done and have else 4
                n = max(1, min(batch, int((frames - have) / per) + 1))
            list(pool.map(lambda a: one(*a), [(done + j, master.getrandbits(32)) for j in range(n)]))
            done += n
            if len(errors) > max(20, done // 10):
                print("too many failed queries, e.g. %s" % errors[0], file=sys.stderr)
                sys.exit(1)
    names = {0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED", 1: "FORMERR"}
    codes = ",".join("%s:%d" % (names.get(k, str(k)), v) for k, v in sorted(rcodes.items()))
    print(sent[0], sent[1], sent[2], codes, len(errors), errors[0] if errors else "", flush=True)

if __name__ == "__main__":
    {"zones": make_zones, "probe": lambda: sys.exit(probe()), "client": client}[sys.argv[1]]()
EOF
export PORT=$port TMPDIR_DNS=$tmp SEED=$seed
mkdir -p "$tmp/named" || die "cannot make $tmp/named"
python3 "$tmp/mkdns.py" zones || die "cannot make the zones"

cat > "$tmp/named/named.conf" <<EOF
options {
	directory "$tmp/named";
	pid-file "$tmp/named/named.pid";
	session-keyfile "$tmp/named/session.key";
	managed-keys-directory "$tmp/named";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-query { any; };
	dnssec-validation no;
	notify no;
	minimal-responses no;
	tcp-clients 1000;
	version "tqbench";
};
controls { };
zone "bench.test" { type primary; file "db.bench.test"; };
zone "10.in-addr.arpa" { type primary; file "db.10.in-addr.arpa"; };
zone "8.b.d.0.1.0.0.2.ip6.arpa" { type primary; file "db.8.b.d.0.1.0.0.2.ip6.arpa"; };
EOF
# -g: in the foreground, logging to stderr; -4: IPv4 only; as root (no -u)
"${run[@]}" "$named" -g -4 -c "$tmp/named/named.conf" > "$tmp/server.out" 2> "$tmp/server.err" &
srv_pid=$!
if ! "${run[@]}" python3 "$tmp/mkdns.py" probe || ! kill -0 "$srv_pid" 2>/dev/null; then
	die "named did not start or does not serve bench.test: $(grep -iE 'error|fail|not loaded|bad' "$tmp/server.err" | head -n 3)"
fi

# -U: whole records as they come (the client counts them); -B: a 64 MiB buffer, no drops;
# -Z root: keep writing where root may.
"${run[@]}" tcpdump -i lo -s 0 -U -B 65536 -Z root -w "$part" "port $port" 2> "$tmp/tcpdump.err" &
dump_pid=$!
for _ in $(seq 100); do
	grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && [ -s "$part" ] && break
	kill -0 "$dump_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null || die "tcpdump did not start: $(head -n 3 "$tmp/tcpdump.err")"
sleep 0.5

# in the background, so that a signal to this script is acted on at once
PCAP=$part QUERIES=$queries FRAMES=$frames THREADS=$threads \
    "${run[@]}" python3 "$tmp/mkdns.py" client > "$tmp/client.out" 2> "$tmp/client.err" &
cli_pid=$!
wait "$cli_pid" || die "the client failed: $(tail -n 3 "$tmp/client.err")"
cli_pid=''
res=$(cat "$tmp/client.out")
sleep 1                                   # the last FINs and ACKs
kill -INT "$dump_pid"; wait "$dump_pid" 2>/dev/null; dump_pid=
kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; srv_pid=

read -r nudp ntcp nretry codes failed first <<< "$res"
captured=$(awk '/packets captured/ { print $1 }' "$tmp/tcpdump.err")
dropped=$(awk '/dropped by kernel/ { print $1 }' "$tmp/tcpdump.err")
if [ -z "$captured" ] || [ "$captured" -eq 0 ]; then
	die "tcpdump captured nothing: $(tail -n 3 "$tmp/tcpdump.err")"
fi
# what tshark makes of the start of it: the queries must show as DNS
if command -v tshark >/dev/null 2>&1; then
	ndns=$(tshark -r "$part" -c 2000 -Y dns 2>/dev/null | wc -l)
	[ "$ndns" -gt 0 ] || echo "mkdns: warning: tshark finds no DNS in the first 2000 frames" >&2
fi
mv "$part" "$out" || die "cannot write $out"
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
echo "mkdns: $out: $captured frames, $(stat -c %s "$out") bytes, $nudp queries over UDP and $ntcp over TCP" \
     "($nretry of them after a truncated answer; rcode:count $codes; $failed failed${first:+, e.g. $first})," \
     "${dropped:-?} dropped by the kernel, ${secs}s" >&2
[ "${dropped:-0}" = 0 ] || echo "mkdns: warning: tcpdump lost frames; some answers are missing" >&2
exit 0
