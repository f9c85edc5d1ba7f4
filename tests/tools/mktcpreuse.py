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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktgen import tcp4 as frame, write_pcap  # noqa: E402

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
    # 10 ms apart: well past the out-of-order threshold
    write_pcap(out, frames, 10000)

main()
