#!/usr/bin/env python3
"""async-diff.py TRACEQUIZ SEED.pcap... - differential fuzzing of pass 2 following pass 1.

Damages copies of the seed captures (bytes changed, record lengths changed,
files cut or extended) and dissects each one twice: on one thread
(TQ_THREADS=1), and with pass 1 and the scout on threads of their own, forced
on small files (TQ_ASYNC_MIN=0).  Output, messages and exit status must be
the same, and the exit status 0 or 1.  A case that differs is kept as
bad-N.pcap in the output directory.  Best run with an ASan/UBSan build:

    SECS=300 OUT=/tmp/async-diff tests/fuzz/async-diff.py build-asan/tracequiz tests/data/tls*.pcap

Environment: SECS (how long, default 240), OUT (default ./async-diff), SEED.
"""
import os
import random
import subprocess
import sys
import time


def damage(b):
    b = bytearray(b)
    for _ in range(random.randint(1, 8)):
        op = random.random()
        if op < 0.5 and len(b) > 24:
            i = random.randrange(24 if random.random() < 0.8 else 0, len(b))
            b[i] = random.randrange(256)
        elif op < 0.7:
            b = b[:random.randrange(1, len(b) + 1)]
        elif op < 0.85 and len(b) > 40:
            i = random.randrange(24, len(b) - 4)
            b[i:i + 4] = random.randrange(1 << 32).to_bytes(4, 'little')
        else:
            b += bytes(random.randrange(256) for _ in range(random.randrange(1, 64)))
    return bytes(b)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.splitlines()[0])
    tq, seeds = sys.argv[1], [open(p, 'rb').read() for p in sys.argv[2:]]
    out = os.environ.get('OUT', 'async-diff')
    os.makedirs(out, exist_ok=True)
    random.seed(int(os.environ.get('SEED', '7')))
    one = dict(os.environ, TQ_THREADS='1')
    threads = dict(os.environ, TQ_ASYNC_MIN='0', TQ_THREADS='2')
    case = os.path.join(out, 'case.pcap')
    end = time.time() + float(os.environ.get('SECS', '240'))
    n = bad = 0
    while time.time() < end:
        with open(case, 'wb') as f:
            f.write(damage(random.choice(seeds)))
        for fmt in ('list', 'text'):
            a = subprocess.run([tq, 'dissect', '--format', fmt, case], env=one, capture_output=True)
            b = subprocess.run([tq, 'dissect', '--format', fmt, case], env=threads, capture_output=True)
            n += 1
            if (a.returncode, a.stdout, a.stderr) != (b.returncode, b.stdout, b.stderr) or b.returncode not in (0, 1):
                bad += 1
                os.rename(case, os.path.join(out, 'bad-%d.pcap' % bad))
                print('differs (--format %s): exit %d and %d; %s' % (fmt, a.returncode, b.returncode,
                      b.stderr.decode(errors='replace')[-300:]))
                break
    print('%d dissections compared, %d differ' % (n, bad))
    sys.exit(1 if bad else 0)


main()
