"""pktgen.py - what the capture generators of tests/tools share: IPv4 TCP
segments in Ethernet frames with right checksums, and a pcap file of them."""
import struct


def checksum(b):
    """The Internet checksum (RFC 1071) of b."""
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def tcp4(src, dst, sport, dport, seq, ack, flags, data=b''):
    """An Ethernet frame of one TCP segment from src to dst (IPv4 addresses as
    4 integers); the MAC addresses follow the last byte of the address."""
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    pseudo = bytes(src) + bytes(dst) + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    mac = lambda a: bytes([2, 0, 0, 0, 0, a[3]])
    return mac(dst) + mac(src) + b'\x08\x00' + ip + tcp


def write_pcap(path, frames, step_us=1000000):
    """A microsecond pcap (Ethernet) of frames, step_us apart from 1700000000 s."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(frames):
            t = i * step_us
            f.write(struct.pack('<IIII', 1700000000 + t // 1000000, t % 1000000, len(p), len(p)) + p)
