#!/usr/bin/env python3
"""mkgzip.py OUT.pcap - HTTP/1.1 responses on port 80 whose bodies are
compressed in every way a decompressor can take differently: a gzip stream
that is whole, cut short, with a right and a wrong header CRC (FHCRC), a
wrong CRC-32 or length in its trailer, garbage after it, nothing inside;
zlib-wrapped (with a right and a wrong Adler-32) and raw deflate
("Content-Encoding: deflate"); bodies that inflate to more than 64 KiB, with
a gzip length field that is right and one that lies; streams that break
after some output (Wireshark keeps the passes of output before the break).
Each response comes on a connection of its own after its GET, made up here
(198.51.100.0/24), so that tshark's answer for each case is the oracle."""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktgen import tcp4 as frame, write_pcap  # noqa: E402

TEXT = b''.join(b'line %d of a page that compresses well, as HTML does\n' % i for i in range(40))
# long lines: few tree items (the robustness test dissects each frame hundreds of times)
BIG = b''.join(b'%04d ' % i + b'the same words again and again, over 64 KiB once inflated; ' * 16 + b'\n'
               for i in range(100))


def deflate(data, wbits):
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


def gzip_member(data, flags=0, hcrc=None, crc=None, isize=None):
    """A gzip member by hand, so that each field can be set wrong."""
    head = struct.pack('<BBBBIBB', 0x1f, 0x8b, 8, flags, 1700000000, 0, 3)
    if flags & 0x02:
        good = zlib.crc32(head) & 0xffff
        head += struct.pack('<H', good if hcrc is None else hcrc)
    body = deflate(data, -15)
    trailer = struct.pack('<II', zlib.crc32(data) if crc is None else crc,
                          len(data) & 0xffffffff if isize is None else isize)
    return head + body + trailer


def cases():
    whole = gzip_member(TEXT)
    return [
        ('gzip', whole),
        ('gzip', whole[:len(whole) // 2]),                      # cut short
        ('gzip', gzip_member(TEXT, flags=0x02)),                # right header CRC
        ('gzip', gzip_member(TEXT, flags=0x02, hcrc=0x1234)),   # wrong header CRC
        ('gzip', gzip_member(TEXT, crc=0xdeadbeef)),            # wrong CRC-32
        ('gzip', gzip_member(TEXT, isize=7)),                   # wrong length
        ('gzip', whole + b'trailing bytes'),
        ('deflate', deflate(TEXT, 15)),                         # zlib-wrapped
        ('deflate', deflate(TEXT, -15)),                        # raw
        ('gzip', gzip_member(BIG)),                             # 64 KiB and more
        ('x-gzip', gzip_member(BIG, isize=100)),                # a length that lies
        ('deflate', deflate(BIG, 15)),                          # more than 4x its size
        ('gzip', b'\x1f\x8b' + b'not a gzip stream at all'),
        ('gzip', gzip_member(b'')),                             # inflates to nothing
        ('deflate', deflate(TEXT, 15)[:-4] + b'\0\0\0\0'),      # wrong Adler-32, one pass
        ('deflate', deflate(BIG, 15)[:-4] + b'\0\0\0\0'),       # wrong Adler-32, passes before
        ('gzip', gzip_member(BIG)[:500]),                      # cut short after a pass
        ('deflate', b'\x78\x9c\xff' + deflate(TEXT, -15)),      # zlib header, corrupt data
    ]


def main():
    out = sys.argv[1]
    client, server = [198, 51, 100, 10], [198, 51, 100, 80]
    frames = []
    for i, (enc, body) in enumerate(cases()):
        cport = 41000 + i
        req = b'GET /page%d.txt HTTP/1.1\r\nHost: 198.51.100.80\r\nAccept-Encoding: gzip, deflate\r\n\r\n' % i
        resp = (b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: %s\r\n'
                b'Content-Length: %d\r\n\r\n' % (enc.encode(), len(body))) + body
        frames += [frame(client, server, cport, 80, 1000, 0, 0x02),
                   frame(server, client, 80, cport, 5000, 1001, 0x12),
                   frame(client, server, cport, 80, 1001, 5001, 0x10),
                   frame(client, server, cport, 80, 1001, 5001, 0x18, req),
                   frame(server, client, 80, cport, 5001, 1001 + len(req), 0x18, resp)]
    write_pcap(out, frames)


if __name__ == '__main__':
    main()
