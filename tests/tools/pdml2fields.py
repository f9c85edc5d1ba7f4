#!/usr/bin/env python3
"""pdml2fields.py - flatten tshark's PDML into the expected-field lines the dissector tests read.

usage: pdml2fields.py PROTOS < tshark.pdml > NAME.fields

One line per visible named field whose top-level protocol is in PROTOS (comma
list), in tshark's order:
    frame \t proto \t name \t pos \t size \t show \t showname
Tabs, newlines and backslashes inside values are written as \\t, \\n, \\\\.
"""
import sys
import xml.etree.ElementTree as ET


def esc(s):
    return (s or "").replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def walk(elem, proto, num, keep, out):
    for child in elem:
        if child.tag not in ("field", "proto"):
            continue
        name = child.get("name") or ""
        top = proto
        if child.tag == "proto":
            top = name or proto
        if name == "geninfo":
            continue
        if name and child.get("hide") != "yes" and top in keep:
            out.append("\t".join([str(num), top, name, child.get("pos") or "0", child.get("size") or "0",
                                  esc(child.get("show")), esc(child.get("showname"))]))
        walk(child, top, num, keep, out)


def main():
    keep = set(sys.argv[1].split(","))
    root = ET.parse(sys.stdin).getroot()
    out = []
    for num, pkt in enumerate(root.findall("packet"), 1):
        walk(pkt, "", num, keep, out)
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
