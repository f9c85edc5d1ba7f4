#!/usr/bin/env python3
"""mkicmp.py - the crafted parts of the ICMP/ICMPv6 test captures (scapy; see mkcap-icmp.sh).

  mkicmp.py send4               from h1: protocol unreachable, a bad IP option, timestamp,
                                address mask and information requests, router solicitation
                                and advertisement, source quench, an unknown type
  mkicmp.py send6               from h1: unknown next header, unknown hop-by-hop option
  mkicmp.py mldq 1|2            from the router: an MLDv1 query, or MLDv2 general and
                                group-and-source-specific queries
  mkicmp.py mldone              from h1: an MLDv1 done
  mkicmp.py join SECONDS        on h1: join ff05::1234, wait, leave
  mkicmp.py ndopts OUT.pcap     write ND/MLD messages with every flag and option form
  mkicmp.py badck IN4 IN6 OUT   copy the first echo request of each with a bad checksum
  mkicmp.py ext OUT.pcap        write time exceeded and unreachable messages from an MPLS
                                router: RFC 4884 lengths and RFC 4950 label stack objects
"""
import socket
import struct
import sys
import time

from scapy.all import (IP, ICMP, UDP, Ether, IPv6, IPv6ExtHdrHopByHop, HBHOptUnknown, Raw,
                       RouterAlert, ICMPv6MLQuery, ICMPv6MLQuery2, ICMPv6MLDone, conf, rdpcap,
                       send, sendp, wrpcap)
from scapy.layers.inet6 import in6_chksum
from scapy.utils import checksum

conf.verb = 0
A6 = lambda s: socket.inet_pton(socket.AF_INET6, s)


def icmp4(body):
    b = bytearray(body)
    b[2:4] = struct.pack("!H", checksum(bytes(b)))
    return bytes(b)


def send4():
    dst = "10.2.0.2"
    pk = [
        IP(dst=dst, proto=253) / Raw(b"tracequiz-proto-253"),
        IP(dst=dst, options=b"\x44\x28\x05\x00") / UDP(sport=40100, dport=40101) / Raw(b"x"),
        IP(dst=dst) / ICMP(type=13, id=0x1234, seq=1, ts_ori=36000000, ts_rx=0, ts_tx=0),
        IP(dst=dst) / ICMP(type=17, id=0x1235, seq=1, addr_mask="0.0.0.0"),
        IP(dst=dst) / ICMP(type=15, id=0x1236, seq=1),
        IP(dst="224.0.0.2", ttl=1) / ICMP(type=10),
        IP(dst="224.0.0.1", ttl=1, proto=1) / Raw(icmp4(bytes([9, 0, 0, 0, 2, 2]) + struct.pack("!H", 1800) +
                                                        bytes([10, 1, 0, 2, 0, 0, 0, 0, 10, 1, 0, 3, 255, 255, 255, 255]))),
        IP(dst=dst) / ICMP(type=4, code=0) / bytes(IP(src=dst, dst="10.1.0.2", id=7) / UDP(sport=53, dport=5353) / Raw(b"abcdefgh"))[:28],
        IP(dst=dst) / ICMP(type=44, code=3) / Raw(b"\x00\x01\x01\x00"),
    ]
    for p in pk:
        send(p)
        time.sleep(0.05)


def send6():
    dst = "fd00:2::2"
    send(IPv6(dst=dst, nh=253) / Raw(b"tracequiz-nh-253"))
    time.sleep(0.05)
    send(IPv6(dst=dst) / IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x9e, optdata=b"\0\0\0\0")]) /
         UDP(sport=40100, dport=40101) / Raw(b"x"))


def mldq(v):
    hbh = IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
    src = "fe80::ff:fe00:101"
    if v == "1":
        sendp(Ether(src="02:00:00:00:01:01", dst="33:33:00:00:00:01") / IPv6(src=src, dst="ff02::1", hlim=1) / hbh /
              ICMPv6MLQuery(mrd=500), iface="tq-r1")
        return
    sendp(Ether(src="02:00:00:00:01:01", dst="33:33:00:00:00:01") / IPv6(src=src, dst="ff02::1", hlim=1) / hbh /
          ICMPv6MLQuery2(mrd=500, QRV=2, QQIC=125, S=0), iface="tq-r1")
    sendp(Ether(src="02:00:00:00:01:01", dst="33:33:00:00:12:34") / IPv6(src=src, dst="ff05::1234", hlim=1) / hbh /
          ICMPv6MLQuery2(mrd=500, mladdr="ff05::1234", sources=["fd00:1::1", "fd00:2::2"]), iface="tq-r1")


def mldone():
    hbh = IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
    sendp(Ether(src="02:00:00:00:01:02", dst="33:33:00:00:00:02") / IPv6(src="fe80::ff:fe00:102", dst="ff02::2", hlim=1) /
          hbh / ICMPv6MLDone(mladdr="ff05::1234"), iface="tq-h1")


def join(secs):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    mreq = A6("ff05::1234") + struct.pack("@I", socket.if_nametoindex("tq-h1"))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    time.sleep(secs)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq)
    time.sleep(0.3)


def ndopts(out):
    pk = []
    t = [1700000000.0]

    def v6(body, dst="ff02::1"):
        ip = IPv6(src="fe80::1", dst=dst, nh=58, hlim=255)
        b = bytes(body)
        ck = in6_chksum(58, ip, b[:2] + b"\0\0" + b[4:])
        p = Ether(src="02:00:00:00:00:01", dst="33:33:00:00:00:01") / ip / Raw(b[:2] + struct.pack("!H", ck) + b[4:])
        t[0] += 0.001
        p.time = t[0]
        pk.append(p)

    def opt(ty, data):
        n = (len(data) + 2 + 7) // 8
        return bytes([ty, n]) + data + b"\0" * (n * 8 - 2 - len(data))

    slla = opt(1, bytes.fromhex("020000000001"))
    for fl in (0x00, 0x04, 0x03, 0x10, 0xff):
        v6(bytes([134, 0, 0, 0, 64, fl]) + struct.pack("!HII", 0, 0, 0) + slla)
    o = opt(3, bytes([48, 0x3f]) + struct.pack("!II", 0, 0xffffffff) + b"\0" * 4 + A6("2001:db8::"))
    o += opt(24, bytes([0, 0x08]) + struct.pack("!I", 0xffffffff))
    o += bytes([24, 2, 48, 0xe7]) + struct.pack("!I", 0) + A6("2001:db8:1::")[:8]
    o += opt(24, bytes([128, 0x10]) + struct.pack("!I", 5) + A6("2001:db8::1"))
    o += opt(25, b"\0\0" + struct.pack("!I", 0xffffffff) + A6("2001:db8::53"))
    o += opt(25, b"\0\0" + struct.pack("!I", 0) + A6("2001:db8::54"))
    o += opt(31, b"\0\0" + struct.pack("!I", 0xffffffff) + b"\x01a\x02bc\x00\x03xyz\x00")
    o += opt(31, b"\0\0" + struct.pack("!I", 0) + b"\x07example\x03com\x00")
    o += opt(26, bytes([0x80, 0, 0, 0, 0, 0]))
    o += opt(37, b"https://portal.example/api")
    o += opt(38, struct.pack("!H", (600 // 8) << 3 | 1) + A6("64:ff9b::")[:12])
    o += opt(200, b"\x01\x02\x03\x04\x05\x06")
    o += opt(1, bytes.fromhex("0200000000010000000000000000"))
    o += opt(14, b"\x11\x22\x33\x44\x55\x66")
    v6(bytes([134, 0, 0, 0, 64, 0x58]) + struct.pack("!HII", 1800, 0xffffffff, 0) + o)
    for fl in (0x00000000, 0x80000000, 0x00000001, 0x20000000):
        v6(bytes([136, 0, 0, 0]) + struct.pack("!I", fl) + A6("fe80::1") + opt(2, bytes.fromhex("020000000001")))
    v6(bytes([135, 0, 0, 0]) + b"\0" * 4 + A6("fe80::2"))
    v6(bytes([133, 0, 0, 0]) + b"\0" * 4 + slla)
    v6(bytes([133, 0, 0, 0]) + b"\0" * 4 + bytes([1, 0, 0, 0, 0, 0, 0, 0]))
    v6(bytes([130, 0, 0, 0]) + struct.pack("!HH", 0x8123, 0) + A6("::") + bytes([0x0f, 0x8a]) + struct.pack("!H", 0))
    rec = bytes([1, 1]) + struct.pack("!H", 2) + A6("ff05::1") + A6("2001:db8::1") + A6("2001:db8::2") + b"\xaa\xbb\xcc\xdd"
    rec2 = bytes([6, 0]) + struct.pack("!H", 0) + A6("ff05::2")
    v6(bytes([143, 0, 0, 0]) + struct.pack("!HH", 0, 2) + rec + rec2, dst="ff02::16")
    wrpcap(out, pk)


def badck(in4, in6, out):
    res = []
    for pk, off in ((rdpcap(in4)[0], 36), (rdpcap(in6)[2], 56)):
        b = bytearray(bytes(pk))
        b[off] ^= 0x12
        q = pk.__class__(bytes(b))
        q.time = pk.time
        res.append(q)
    wrpcap(out, res)


def ext(out):
    def objects(objs, version=2, bad=False):
        body = b"".join(struct.pack("!HBB", 4 + len(d), c, t) + d for c, t, d in objs)
        e = bytearray(bytes([version << 4, 0, 0, 0]) + body)
        e[2:4] = struct.pack("!H", checksum(bytes(e)) ^ (0x1111 if bad else 0))
        return bytes(e)

    def label(lbl, exp, s, ttl):
        return struct.pack("!I", lbl << 12 | exp << 9 | s << 8 | ttl)

    stack = (1, 1, label(16004, 0, 0, 1) + label(24001, 5, 1, 1))
    probe4 = bytes(IP(src="10.1.0.2", dst="10.9.9.9", ttl=1, id=0x4242) / UDP(sport=40000, dport=33434) / Raw(b"\0" * 32))
    probe6 = bytes(IPv6(src="fd00:1::2", dst="fd00:9::9", hlim=1) / UDP(sport=40000, dport=33434) / Raw(b"\0" * 32))
    pad = lambda b, n: b + b"\0" * (n - len(b))
    pk = []
    t = [1700000100.0]

    def add(p):
        t[0] += 0.01
        p.time = t[0]
        pk.append(p)

    def v4(typ, code, odl, orig, e):
        add(Ether(src="02:00:00:00:01:01", dst="02:00:00:00:01:02") / IP(src="10.1.0.1", dst="10.1.0.2", proto=1) /
            Raw(icmp4(bytes([typ, code, 0, 0, 0, odl, 0, 0]) + orig + e)))

    v4(11, 0, 32, pad(probe4, 128), objects([stack]))
    v4(11, 0, 0, pad(probe4, 128), objects([stack]))
    v4(3, 3, 32, pad(probe4, 128), objects([(5, 1, b"\xaa\xbb\xcc\xdd"), stack], bad=True))
    v4(11, 0, 32, pad(probe4, 128), objects([stack], version=3))
    ip = IPv6(src="fd00:1::1", dst="fd00:1::2", nh=58)
    b = bytes([3, 0, 0, 0, 16, 0, 0, 0]) + pad(probe6, 128) + objects([stack])
    ck = in6_chksum(58, ip, b)
    add(Ether(src="02:00:00:00:01:01", dst="02:00:00:00:01:02") / ip / Raw(b[:2] + struct.pack("!H", ck) + b[4:]))
    wrpcap(out, pk)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"send4": lambda: send4(), "send6": lambda: send6(), "mldq": lambda: mldq(args[0]),
     "mldone": lambda: mldone(), "join": lambda: join(float(args[0])), "ndopts": lambda: ndopts(args[0]),
     "badck": lambda: badck(*args), "ext": lambda: ext(args[0])}[cmd]()
