#!/usr/bin/env python3
"""tshark-same.py ORIGINAL VARIANT...: does tshark -2 read each variant as it
reads the original?  Checksums are validated (IPv4, TCP, UDP; ICMP always
is).  Per frame: the same protocols, the same Malformed, the same expert
infos (group and severity) but checksums', and no bad checksum at all (a
variant carries the checksums the wire carried, even where the original was
captured on its sender with checksum offloading).  Prints what differs;
exits 1 if anything does."""
import subprocess
import sys

CHECKSUM = "16777216"            # PI_CHECKSUM


def read(path):
    out = subprocess.run(
        ["tshark", "-r", path, "-2", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
         "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "occurrence=a", "-E", "separator=|",
         "-e", "frame.protocols", "-e", "_ws.malformed", "-e", "_ws.expert.group", "-e", "_ws.expert.severity"],
        capture_output=True, text=True, check=True).stdout.splitlines()
    frames = []
    for line in out:
        protos, malformed, groups, sevs = (line.split("|") + ["", "", "", ""])[:4]
        experts = [e for e in zip(groups.split(","), sevs.split(",")) if e[0]]
        frames.append((protos, malformed, sorted(e for e in experts if e[0] != CHECKSUM),
                       sum(1 for e in experts if e[0] == CHECKSUM)))
    return frames


def main():
    orig = read(sys.argv[1])
    bad = 0
    for path in sys.argv[2:]:
        var = read(path)
        why = None
        if len(var) != len(orig):
            why = f"{len(var)} frames, the original {len(orig)}"
        for i, (a, b) in enumerate(zip(orig, var)):
            if why:
                break
            if a[0] != b[0]:
                why = f"frame {i + 1}: protocols {b[0]}, the original's {a[0]}"
            elif a[1] != b[1]:
                why = f"frame {i + 1}: Malformed '{b[1]}', the original's '{a[1]}'"
            elif a[2] != b[2]:
                why = f"frame {i + 1}: expert infos {b[2]}, the original's {a[2]}"
            elif b[3]:
                why = f"frame {i + 1}: {b[3]} bad checksum(s) (the original: {a[3]})"
        if why:
            bad += 1
            print(f"{path}: {why}")
    print(f"tshark read {len(sys.argv) - 2 - bad} of {len(sys.argv) - 2} variants as the original")
    sys.exit(1 if bad else 0)


main()
