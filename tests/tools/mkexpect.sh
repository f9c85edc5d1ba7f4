#!/usr/bin/env bash
# mkexpect.sh CAPTURE... - write the expected outputs the dissector tests compare with,
# generated once from tshark 4.0 (two passes) and committed beside the capture:
#   NAME.list    the packet list, as `tshark -2 -r` prints it
#   NAME.fields  the visible fields of the protocols in $PROTOS (pdml2fields.py)
#   NAME.text    the tree of every frame, as `tshark -2 -V` prints it
set -eu
protos=${PROTOS:-frame,eth,sll,ip,ipv6,tcp,udp,icmp,icmpv6,null,raw,vlan}
here=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC
for cap in "$@"; do
	base=${cap%.*}
	tshark -2 -r "$cap" > "$base.list" 2>/dev/null
	tshark -2 -r "$cap" -V > "$base.text" 2>/dev/null
	tshark -2 -r "$cap" -T pdml 2>/dev/null | python3 "$here/pdml2fields.py" "$protos" > "$base.fields"
	echo "$cap: $(wc -l < "$base.list") frames, $(wc -l < "$base.fields") fields"
done
