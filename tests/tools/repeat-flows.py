#!/usr/bin/env python3
"""repeat-flows.py OUT.pcap ROUNDS IN.pcap... - many short TCP conversations.

Writes ROUNDS rounds of the frames of the IN captures (Ethernet, IPv4 or IPv6,
all of the same link type), one after another in time.  In round r every TCP
port from 1024 up is moved by r (within 1024..65535), so each round holds
conversations of its own that end before the next round starts: the capture
tests/parallel.sh needs for pass 2 to follow pass 1 closely.  Checksums are
left as they were (tracequiz, like tshark, does not check TCP's by default).
"""
import struct
import sys


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('<I', data[:4])
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit('repeat-flows: %s: not a little-endian pcap file' % path)
    linktype, = struct.unpack('<I', data[20:24])
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        frames.append((sec, frac, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return magic, linktype, frames


def tcp_offset(frame):
    """Where the TCP header starts in an Ethernet frame, or None."""
    if len(frame) < 14:
        return None
    etype, = struct.unpack('!H', frame[12:14])
    if etype == 0x0800 and len(frame) >= 34 and frame[23] == 6:
        return 14 + (frame[14] & 15) * 4
    if etype == 0x86dd and len(frame) >= 54 and frame[20] == 6:
        return 54
    return None


def moved(frame, r):
    at = tcp_offset(frame)
    if at is None or len(frame) < at + 4:
        return frame
    ports = []
    for p in struct.unpack('!HH', frame[at:at + 4]):
        ports.append(p if p < 1024 else 1024 + (p - 1024 + r) % 64512)
    return frame[:at] + struct.pack('!HH', *ports) + frame[at + 4:]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.splitlines()[0])
    out, rounds = sys.argv[1], int(sys.argv[2])
    caps = [read_pcap(p) for p in sys.argv[3:]]
    magic, linktype = caps[0][0], caps[0][1]
    if any(c[0] != magic or c[1] != linktype for c in caps):
        sys.exit('repeat-flows: the captures differ in link type or time resolution')
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', magic, 2, 4, 0, 0, 262144, linktype))
        t = 1700000000
        for r in range(rounds):
            for _, _, frames in caps:
                first = frames[0][0]
                for sec, frac, orig, data in frames:
                    f.write(struct.pack('<IIII', t + sec - first, frac, len(data), orig) + moved(data, r))
                t += frames[-1][0] - first + 2


main()
