#!/usr/bin/env python3
"""mklink.py ETH.pcap OUTDIR - derive link-layer test captures from a real Ethernet capture.

Used once to make tests/data/link-*.pcap from tests/data/link-eth.pcap:
    python3 tests/tools/mklink.py tests/data/link-eth.pcap tests/data

The frames of ETH.pcap (real traffic, captured with tcpdump on a veth pair)
are rewrapped in the link layers that Linux cannot capture here:

  link-eth-vlan.pcap   802.1Q tags (one, and two stacked), varied PRI/DEI/ID; short ones padded
  link-eth-pad.pcap    short frames padded to 60 bytes, and frames with a trailer
  link-raw.pcap        LINKTYPE_RAW (101): IPv4 and IPv6 packets, no link header
  link-raw-ipv4.pcap   LINKTYPE_IPV4 (228)
  link-raw-ipv6.pcap   LINKTYPE_IPV6 (229)
  link-null-le.pcap    LINKTYPE_NULL written by a little-endian host: family in
                       host order (AF_INET 2; AF_INET6 as BSDs number it: 24, 28, 30)
  link-null-be.pcap    the same written by a big-endian host (file header swapped too)
  link-loop.pcap       LINKTYPE_LOOP (108, OpenBSD): family in network order
  link-eth-unknown.pcap  ethertypes no dissector claims (0x0000, 0x1234, the
                       local experimental 0x88b5 and 0x88b6): data, listed
                       with the type in hex and its name or "Ethernet II"
  link-cut-*.pcap      link headers (Ethernet, 802.1Q, ARP, Linux cooked v1
                       and v2, BSD loopback) cut short: by the snapshot length
                       (the frame was longer on the wire) and by the frame
                       itself (as long on the wire as captured, so malformed)

The real captures beside them (link-eth.pcap, link-eth-nsec.pcap, link-sll.pcap,
link-sll2.pcap, link-snap60.pcap, link-ifaces.pcapng) were taken with tcpdump
and dumpcap on a veth pair by tests/tools/linkcaps.sh, which runs this script too.
Timestamps, lengths and payloads are those of the real frames.
"""
import os
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("%s: expected a little-endian pcap" % path)
    frames = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frames.append((sec, frac, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return magic, frames


def write_pcap(path, linktype, frames, magic=0xA1B2C3D4, endian="<", snaplen=262144):
    with open(path, "wb") as f:
        f.write(struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        for sec, frac, orig, data in frames:
            f.write(struct.pack(endian + "IIII", sec, frac, len(data), orig))
            f.write(data)


def ethertype(fr):
    return struct.unpack(">H", fr[3][12:14])[0]


def with_data(fr, data, orig_delta=None):
    sec, frac, orig, old = fr
    delta = len(data) - len(old) if orig_delta is None else orig_delta
    return (sec, frac, orig + delta, data)


def vlan(frames):
    out = []
    for i, fr in enumerate(frames):
        d = fr[3]
        pri, dei, vid = i % 8, (i // 8) % 2, [10, 4094, 1, 100, 0][i % 5]
        tag = struct.pack(">HH", 0x8100, pri << 13 | dei << 12 | vid)
        if i % 4 == 3:      # two stacked 802.1Q tags (Q-in-Q with 0x8100 outside)
            tag = struct.pack(">HH", 0x8100, 3 << 13 | 200) + tag
        t = d[:12] + tag + d[12:]
        if len(t) < 60:     # short tagged frames padded as a NIC delivers them; one also with 4 more bytes
            t += b"\x00" * (60 - len(t)) + (b"\xca\xfe\xf0\x0d" if i % 2 else b"")
        out.append(with_data(fr, t))
    return out


def padded(frames):
    """Frames shorter than 60 bytes padded as a NIC delivers them, and trailers."""
    out = []
    short = [fr for fr in frames if len(fr[3]) < 60]
    longer = [fr for fr in frames if len(fr[3]) >= 60 and ethertype(fr) == 0x0800][:3]
    for i, fr in enumerate(short):
        d = fr[3]
        if i % 3 == 0:
            d = d + b"\x00" * (60 - len(d))                      # zero padding
        elif i % 3 == 1:
            d = d + bytes(range(1, 61 - len(d)))                 # non-zero padding
        else:
            d = d + b"\x00" * (60 - len(d)) + b"\xde\xad\xbe\xef"  # padding, then a trailer
        out.append(with_data(fr, d))
    for i, fr in enumerate(longer):
        d = fr[3] + [b"\x01\x02\x03\x04", b"\xff" * 6, b"\x00\x00"][i % 3]   # trailer, no padding
        out.append(with_data(fr, d))
    out.sort(key=lambda f: (f[0], f[1]))
    return out


def ip_only(frames):
    return [fr for fr in frames if ethertype(fr) in (0x0800, 0x86DD)]


def strip(fr):
    return with_data(fr, fr[3][14:])


def cut_frames(frames, plan):
    """For (frame index, cut lengths): each cut twice, cut by the snaplen, then malformed."""
    out = []
    for idx, cuts in plan:
        sec, frac, orig, data = frames[idx]
        for k in cuts:
            out.append((sec, frac, orig, data[:k]))
            out.append((sec, frac, k, data[:k]))
    return out


def main():
    src, outdir = sys.argv[1], sys.argv[2]
    magic, frames = read_pcap(src)
    ip = ip_only(frames)
    write_pcap(outdir + "/link-eth-vlan.pcap", 1, vlan(frames[:16]), magic)
    write_pcap(outdir + "/link-eth-pad.pcap", 1, padded(frames), magic)
    write_pcap(outdir + "/link-raw.pcap", 101, [strip(f) for f in ip[:14]], magic)
    write_pcap(outdir + "/link-raw-ipv4.pcap", 228, [strip(f) for f in ip if ethertype(f) == 0x0800][:8], magic)
    write_pcap(outdir + "/link-raw-ipv6.pcap", 229, [strip(f) for f in ip if ethertype(f) == 0x86DD][:8], magic)
    fams6 = [24, 28, 30]
    for name, endian in (("null-le", "<"), ("null-be", ">")):
        out = []
        for i, fr in enumerate(ip[:14]):
            fam = 2 if ethertype(fr) == 0x0800 else fams6[i % 3]
            out.append(with_data(fr, struct.pack(endian + "I", fam) + fr[3][14:]))
        write_pcap(outdir + "/link-" + name + ".pcap", 0, out, magic, endian)
    out = []
    for i, fr in enumerate(ip[:8]):
        fam = 2 if ethertype(fr) == 0x0800 else 24
        out.append(with_data(fr, struct.pack(">I", fam) + fr[3][14:]))
    write_pcap(outdir + "/link-loop.pcap", 108, out, magic)

    # link headers cut short; the cuts stop before the IP header
    arp = [i for i, f in enumerate(frames) if ethertype(f) == 0x0806][0]
    tagged = vlan(frames[:16])
    cut_eth = cut_frames(frames, [(arp, [0, 1, 5, 6, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22, 30, 41])])
    cut_eth += cut_frames(tagged, [(0, [14, 15, 16, 17]), (3, [16, 17, 18, 19, 20, 21])])
    write_pcap(outdir + "/link-cut-eth.pcap", 1, cut_eth, magic)
    _, sll = read_pcap(os.path.join(os.path.dirname(src), "link-sll.pcap"))
    _, sll2 = read_pcap(os.path.join(os.path.dirname(src), "link-sll2.pcap"))
    write_pcap(outdir + "/link-cut-sll.pcap", 113,
               cut_frames(sll, [(0, [0, 1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16, 18, 24, 43])]), magic)
    write_pcap(outdir + "/link-cut-sll2.pcap", 276,
               cut_frames(sll2, [(0, [0, 1, 2, 7, 8, 9, 10, 11, 12, 17, 18, 19, 20, 22, 28, 47])]), magic)
    _, null = read_pcap(outdir + "/link-null-le.pcap")
    write_pcap(outdir + "/link-cut-null.pcap", 0, cut_frames(null, [(0, [0, 1, 2, 3]), (2, [0, 3])]), magic)
    # ethertypes nobody claims: the real frames' payloads under another type
    types = [0x0000, 0x1234, 0x88B5, 0x88B6]
    write_pcap(outdir + "/link-eth-unknown.pcap", 1,
               [with_data(fr, fr[3][:12] + struct.pack(">H", t) + fr[3][14:]) for fr, t in zip(ip[:4], types)], magic)


if __name__ == "__main__":
    main()
