#!/usr/bin/env python3
"""mktcpseg.py PORT OUT.pcap - a client stream of three TLS records cut across
segments so that one segment ends one record and starts the next, unfinished:

  segment 1   the first 10 bytes of record 1
  segment 2   the last 45 bytes of record 1, the first 10 of record 2
  segment 3   the last 45 bytes of record 2 and all of record 3

On 443 it tests desegmentation of several PDUs in one segment; on a port no
Wireshark dissector claims (5556) it tests the TLS heuristic as well."""
import struct
import sys


def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, data=b''):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    pseudo = bytes(src) + bytes(dst) + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    return bytes.fromhex('020000000002' '020000000001' '0800') + ip + tcp


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    client, server, cport = [192, 0, 2, 1], [192, 0, 2, 2], 40000
    records = [b'\x17\x03\x03\x00\x32' + bytes(range(50)),
               b'\x17\x03\x03\x00\x32' + bytes(range(50, 100)),
               b'\x17\x03\x03\x00\x05' + b'abcde']
    stream = b''.join(records)
    frames = [frame(client, server, cport, port, 1000, 0, 0x02),
              frame(server, client, port, cport, 5000, 1001, 0x12),
              frame(client, server, cport, port, 1001, 5001, 0x10)]
    for a, b in ((0, 10), (10, 65), (65, len(stream))):
        frames.append(frame(client, server, cport, port, 1001 + a, 5001, 0x18, stream[a:b]))
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(frames):
            f.write(struct.pack('<IIII', 1700000000 + i, 0, len(p), len(p)) + p)


main()
