#!/usr/bin/env python3
"""mkip.py DIR - derive the odd-case IP test captures from the real ones mkcap-ip.sh made.

Used once to make tests/data/ipv4-*.pcap and ipv6-*.pcap below from captures in DIR
(tests/data): the frames are real (timestamps, addresses, payloads), only their
order is changed, some are repeated or left out, and a few header fields are edited:

  ipv4-frag-reorder.pcap   the fragments of each datagram in another order (last first,
                           middle first), from ipv4-frag-icmp.pcap
  ipv4-frag-dup.pcap       a fragment repeated before the datagram is complete, one
                           repeated with different bytes, one repeated after completion,
                           a second last fragment that ends elsewhere (multiple tails),
                           a fragment running past the end (too long)
  ipv4-frag-lost.pcap      datagrams that never complete: middle or last fragment lost
  ipv6-frag-reorder.pcap, ipv6-frag-dup.pcap, ipv6-frag-lost.pcap
                           the same from ipv6-frag-icmp.pcap
  ipv4-bad.pcap            header lengths below 20 and beyond the packet, total length
                           beyond the frame, below the header, zero, an IPv6 packet
                           behind the IPv4 ethertype, version 5, the reserved flag, small
                           TTLs, options that are cut short, too long, unknown, or
                           padded with NOPs and EOL
  ipv6-bad.pcap            payload length beyond the frame, shorter than a header, zero;
                           an extension header or option that runs past the packet,
                           version 4 behind the IPv6 ethertype
"""
import os
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    hdr = data[:24]
    off, frames = 24, []
    while off + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        frames.append([sec, usec, bytearray(data[off + 16:off + 16 + caplen]), wirelen])
        off += 16 + caplen
    return hdr, frames


def write_pcap(path, hdr, frames):
    with open(path, "wb") as f:
        f.write(hdr)
        for sec, usec, b, wirelen in frames:
            f.write(struct.pack("<IIII", sec, usec, len(b), max(wirelen, len(b)) if wirelen else len(b)))
            f.write(bytes(b))


def retime(frames, step=1000):
    """Keep the first timestamp, then space frames step microseconds apart, in file order."""
    sec, usec = frames[0][0], frames[0][1]
    out = []
    for f in frames:
        out.append([sec, usec, bytearray(f[2]), f[3]])
        usec += step
        sec, usec = sec + usec // 1000000, usec % 1000000
    return out


def ip_cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def fix_ipv4(frame):
    """Recomputes the IPv4 header checksum of an Ethernet frame."""
    hl = (frame[14] & 15) * 4
    frame[24:26] = b"\0\0"
    if 20 <= hl <= len(frame) - 14:
        frame[24:26] = struct.pack("!H", ip_cksum(bytes(frame[14:14 + hl])))
    return frame


def set_len(frame, f, n):
    """Cuts the frame's payload to n bytes and sets the IP length fields (Ethernet, IPv4 or IPv6)."""
    v = frame[14] >> 4
    if v == 4:
        hl = (frame[14] & 15) * 4
        del frame[14 + hl + n:]
        frame[16:18] = struct.pack("!H", hl + n)
        fix_ipv4(frame)
    else:
        del frame[62 + n:]
        frame[18:20] = struct.pack("!H", 8 + n)
    f[3] = len(frame)


def frag_fields(frame, off_bytes=None, more=None):
    """Rewrites the fragment offset (bytes) and the more-fragments flag."""
    if frame[14] >> 4 == 4:
        v = struct.unpack("!H", frame[20:22])[0]
        if off_bytes is not None:
            v = (v & 0xe000) | (off_bytes // 8)
        if more is not None:
            v = (v & ~0x2000) | (0x2000 if more else 0)
        frame[20:22] = struct.pack("!H", v)
        fix_ipv4(frame)
    else:
        v = struct.unpack("!H", frame[56:58])[0]
        if off_bytes is not None:
            v = (v & 7) | (off_bytes // 8) << 3
        if more is not None:
            v = (v & ~1) | (1 if more else 0)
        frame[56:58] = struct.pack("!H", v)


def frag_derive(src, prefix, outdir):
    hdr, fr = read_pcap(src)
    # the first request: fragments 0 (a), 1 (b), 2 (c, last); the first reply: d, e, f
    a, b, c, d, e, f = fr[0:6]
    g, h, i, j, k, l = fr[6:12]
    write_pcap(os.path.join(outdir, prefix + "-frag-reorder.pcap"), hdr,
               retime([c, a, b, e, f, d, h, g, i, l, k, j]))

    def clone(x):
        return [x[0], x[1], bytearray(x[2]), x[3]]
    pl = 34 if prefix == "ipv4" else 62
    conflict = clone(e)                                    # same place, other bytes
    conflict[2][pl + 100] ^= 0xff
    tail2 = clone(i)                                       # another last fragment, shorter
    set_len(tail2[2], tail2, 96)
    toolong = clone(k)                                     # a middle fragment ending past the last
    frag_fields(toolong[2], off_bytes=2000, more=True)
    write_pcap(os.path.join(outdir, prefix + "-frag-dup.pcap"), hdr,
               retime([a, b, clone(b), c, clone(b),           # duplicate, then a late one
                       d, e, conflict, f,                     # reply: a conflicting copy
                       g, tail2, i, h,                        # request 2: multiple tails
                       j, k, toolong, l]))                    # reply 2: too long
    write_pcap(os.path.join(outdir, prefix + "-frag-lost.pcap"), hdr,
               retime([a, c, d, e, g, h, i]))


def ipv4_bad(rr_path, icmp6_path, outdir):
    hdr, rr = read_pcap(rr_path)
    _, v6 = read_pcap(icmp6_path)
    base = rr[0]           # ping -R request: 60-byte header with the record route option
    plain = [base[0], base[1], bytearray(base[2]), base[3]]   # the same without the option
    del plain[2][34:74]
    plain[2][14] = 0x45
    plain[2][16:18] = struct.pack("!H", len(plain[2]) - 14)
    fix_ipv4(plain[2])
    plain[3] = len(plain[2])

    def lncb(b):
        b[30:34] = bytes([224, 0, 0, 251])
        fix_ipv4(b)

    def mk(src, edit):
        x = [src[0], src[1], bytearray(src[2]), src[3]]
        edit(x[2])
        x[3] = len(x[2])
        return x

    def hl(n):
        return lambda b: (b.__setitem__(14, 0x40 | n), fix_ipv4(b))

    def tl(n):
        return lambda b: (b.__setitem__(slice(16, 18), struct.pack("!H", n)), fix_ipv4(b))

    def opts(o):
        # replaces the options of the ping -R request with o (padded to 40 bytes with EOL)
        def e(b):
            b[34:74] = bytes(o) + bytes(40 - len(o))
            fix_ipv4(b)
        return e

    def ttl(n):
        return lambda b: (b.__setitem__(22, n), fix_ipv4(b))

    def proto(n):
        return lambda b: (b.__setitem__(23, n), fix_ipv4(b))

    def version(n):
        return lambda b: (b.__setitem__(14, n << 4 | (b[14] & 15)), fix_ipv4(b))

    def v6_in_v4(b):
        b[12:14] = b"\x08\x00"

    def reserved(b):
        b[20] |= 0x80
        fix_ipv4(b)

    out = [
        mk(plain, hl(4)),                           # header length 16: bogus
        mk(plain, hl(15)),                          # header length 60, total length 84
        mk(plain, lambda b: (hl(15)(b), tl(40)(b))),  # header length 60, total length 40
        mk(plain, tl(1000)),                        # total length beyond the frame
        mk(plain, tl(12)),                          # total length below the header length
        mk(plain, tl(0)),                           # total length 0
        mk(base, reserved),                         # the reserved ("evil") bit
        mk(base, opts([1, 1, 1, 1, 7, 11, 8, 10, 9, 0, 1, 10, 9, 0, 2])),  # NOPs, a short record route
        mk(base, opts([148, 4, 0, 1, 0])),          # router alert with value 1, then EOL
        mk(base, opts([7, 39, 4] + [10, 9, 0, 1] * 9)),  # record route, pointer at the start
        mk(base, opts([7, 2])),                     # record route of length 2: too short
        mk(base, opts([7, 60, 4])),                 # record route longer than the options
        mk(base, opts([222, 6, 1, 2, 3, 4])),       # an unknown option
        mk(base, opts([1, 7])),                     # a length byte missing at the end
        mk(base, opts([68, 12, 5, 0x01, 0, 0, 0, 1, 0, 0, 0, 2])),  # timestamp, overflow 0 flag 1
        mk(base, opts([130, 11, 0xd7, 0x88, 0, 0, 0, 0, 0, 0, 0])),  # security
        mk(base, opts([131, 11, 4, 10, 9, 0, 2, 10, 9, 0, 7])),  # loose source route
        mk(base, opts([137, 7, 8, 10, 9, 0, 2])),   # strict source route, pointer at the end
        mk(base, opts([136, 4, 0x12, 0x34])),       # stream id
        mk(base, opts([0, 7, 7, 7])),               # EOL then garbage
        mk(v6[0], v6_in_v4),                        # an IPv6 packet behind ethertype 0x0800
        mk(base, ttl(1)),                           # TTL 1 to a unicast address
        mk(plain, lambda b: (lncb(b), ttl(2)(b))),  # TTL 2 to the local network control block
        mk(plain, version(5)),                      # version 5
        mk(base, proto(253)),                       # a protocol with no dissector
    ]
    write_pcap(os.path.join(outdir, "ipv4-bad.pcap"), hdr, retime(out))


def ipv6_bad(icmp6_path, mld_path, v4_path, outdir):
    hdr, v6 = read_pcap(icmp6_path)
    _, mld = read_pcap(mld_path)
    _, v4 = read_pcap(v4_path)

    def mk(src, edit):
        x = [src[0], src[1], bytearray(src[2]), src[3]]
        edit(x[2])
        x[3] = len(x[2])
        return x

    def plen(n):
        return lambda b: b.__setitem__(slice(18, 20), struct.pack("!H", n))

    def hbh_len(n):
        return lambda b: b.__setitem__(55, n)

    def v4_in_v6(b):
        b[12:14] = b"\x86\xdd"

    def opt_len(n):
        # the MLD report's hop-by-hop header: router alert at 56, PadN at 60
        return lambda b: b.__setitem__(61, n)

    out = [
        mk(v6[2], plen(2000)),           # payload length beyond the frame (last fragment)
        mk(v6[2], plen(4)),              # payload length shorter than the fragment header
        mk(mld[0], hbh_len(9)),          # hop-by-hop header longer than the packet
        mk(mld[0], opt_len(5)),          # PadN running past its header
        mk(mld[0], plen(0)),             # payload length 0 without a jumbo option
        mk(v6[0], plen(0)),              # payload length 0, no hop-by-hop header
        mk(v4[0], v4_in_v6),             # an IPv4 packet behind ethertype 0x86dd
    ]
    write_pcap(os.path.join(outdir, "ipv6-bad.pcap"), hdr, retime(out))


def main():
    d = sys.argv[1]
    frag_derive(os.path.join(d, "ipv4-frag-icmp.pcap"), "ipv4", d)
    frag_derive(os.path.join(d, "ipv6-frag-icmp.pcap"), "ipv6", d)
    ipv4_bad(os.path.join(d, "ipv4-options-rr.pcap"), os.path.join(d, "ipv6-frag-icmp.pcap"), d)
    ipv6_bad(os.path.join(d, "ipv6-frag-icmp.pcap"), os.path.join(d, "ipv6-hbh-mld.pcap"),
             os.path.join(d, "ipv4-options-rr.pcap"), d)


if __name__ == "__main__":
    main()
