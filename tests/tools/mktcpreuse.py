#!/usr/bin/env python3
"""mktcpreuse.py OUT.pcap - TCP connections that reuse their ports, one client
port per case, to pin how Wireshark 4.0 splits (or not) streams on a key:

  40001  closed with FINs; the client's SYN comes again with the same ISN (a
         retransmission, same stream), the server answers with a new ISN (its
         SYN+ACK is flagged "ports reused" and moves the relative numbers;
         pass 2 flags the first SYN+ACK too), data, the SYN+ACK again
  40002  reset by the server; a SYN with a new ISN starts a new stream
  40003  still open (no FIN, no RST); a SYN with a new ISN starts a new stream
  40004  a SYN, its retransmission, then a SYN with a new ISN: a new stream"""
import struct
import sys

FLAGS = {'F': 0x01, 'S': 0x02, 'R': 0x04, 'P': 0x08, 'A': 0x10}

CASES = {
    40001: """c S 1000 0 0
              s SA 5000 1001 0
              c A 1001 5001 0
              c PA 1001 5001 10
              s PA 5001 1011 20
              c A 1011 5021 0
              c FA 1011 5021 0
              s FA 5021 1012 0
              c A 1012 5022 0
              c S 1000 0 0
              s SA 9000 1001 0
              c A 1001 9001 0
              c PA 1001 9001 10
              s PA 9001 1011 20
              c A 1011 9021 0
              s SA 9000 1001 0
              s PA 9021 1011 5""",
    40002: """c S 1000 0 0
              s SA 5000 1001 0
              c A 1001 5001 0
              c PA 1001 5001 10
              s R 5001 0 0
              c S 3000 0 0
              s SA 7000 3001 0
              c A 3001 7001 0
              c PA 3001 7001 5""",
    40003: """c S 1000 0 0
              s SA 5000 1001 0
              c A 1001 5001 0
              c PA 1001 5001 10
              s A 5001 1011 0
              c S 70000 0 0
              s SA 90000 70001 0
              c A 70001 90001 0
              c PA 70001 90001 20
              s PA 90001 70021 30
              c FA 70021 90031 0
              s FA 90031 70022 0
              c A 70022 90032 0""",
    40004: """c S 1000 0 0
              c S 1000 0 0
              c S 2000 0 0
              s SA 5000 2001 0
              c A 2001 5001 0""",
}


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
    macs = '020000000002' '020000000001' if src[3] == 1 else '020000000001' '020000000002'
    return bytes.fromhex(macs + '0800') + ip + tcp


def main():
    out = sys.argv[1]
    client, server, sport = [192, 0, 2, 1], [192, 0, 2, 2], 443
    frames = []
    for cport, spec in CASES.items():
        for line in spec.splitlines():
            d, fl, seq, ack, n = line.split()
            flags = sum(FLAGS[c] for c in fl)
            data = bytes((i * 7) & 0xff for i in range(int(n)))
            if d == 'c':
                frames.append(frame(client, server, cport, sport, int(seq), int(ack), flags, data))
            else:
                frames.append(frame(server, client, sport, cport, int(seq), int(ack), flags, data))
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(frames):
            # 10 ms apart: well past the out-of-order threshold
            t = i * 10000
            f.write(struct.pack('<IIII', 1700000000 + t // 1000000, t % 1000000, len(p), len(p)) + p)


main()
