#!/usr/bin/env python3
"""mktcpseg.py PORT OUT.pcap - a client stream of three TLS records cut across
segments so that one segment ends one record and starts the next, unfinished:

  segment 1   the first 10 bytes of record 1
  segment 2   the last 45 bytes of record 1, the first 10 of record 2
  segment 3   the last 45 bytes of record 2 and all of record 3

On 443 it tests desegmentation of several PDUs in one segment; on a port no
Wireshark dissector claims (5556) it tests the TLS heuristic as well."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktgen import tcp4 as frame, write_pcap  # noqa: E402


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
    write_pcap(out, frames)

main()
