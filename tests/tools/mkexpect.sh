#!/usr/bin/env bash
# mkexpect.sh CAPTURE... - write the expected outputs the dissector tests compare with,
# generated once from tshark 4.0 (two passes) and committed beside the capture:
#   NAME.list    the packet list, as `tshark -2 -r` prints it
#   NAME.fields  the visible fields of the protocols in $PROTOS (pdml2fields.py)
#   NAME.text    the tree of every frame, as `tshark -2 -V` prints it
# A NAME.decode file beside the capture holds tshark -d rules (one per line,
# as tcp.port==2222,ssh) that both tshark here and the tests apply.
set -eu
protos=${PROTOS:-frame,eth,sll,ip,ipv6,tcp,udp,icmp,icmpv6,null,raw,vlan}
here=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC
for cap in "$@"; do
	base=${cap%.*}
	d=()
	if [ -f "$base.decode" ]; then
		while read -r rule; do [ -n "$rule" ] && d+=(-d "$rule"); done < "$base.decode"
	fi
	tshark -2 -r "$cap" "${d[@]}" > "$base.list" 2>/dev/null
	tshark -2 -r "$cap" "${d[@]}" -V > "$base.text" 2>/dev/null
	tshark -2 -r "$cap" "${d[@]}" -T pdml 2>/dev/null | python3 "$here/pdml2fields.py" "$protos" > "$base.fields"
	echo "$cap: $(wc -l < "$base.list") frames, $(wc -l < "$base.fields") fields"
done
