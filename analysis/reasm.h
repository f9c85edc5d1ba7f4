/* reasm.h - IP fragment reassembly shared by IPv4 and IPv6, shown as Wireshark shows it. */
#ifndef TQ_REASM_H
#define TQ_REASM_H

#include "internal.h"

/* The fields of one protocol's reassembly subtree ("ip.fragments", "ipv6.fragment", ...). */
struct tq_reasm_fields {
	struct tq_field fragments, fragment, count, length, data, in;
	const char *name;            /* "IPv4", "IPv6" */
};

#define TQ_REASM_FIELDS(pfx, nm) { \
	.fragments = HF(pfx ".fragments", nm " Fragments", FT_NONE, BASE_NONE, NULL, 0), \
	.fragment = HF(pfx ".fragment", nm " Fragment", FT_FRAMENUM, BASE_NONE, NULL, 0), \
	.count = HF(pfx ".fragment.count", "Fragment count", FT_UINT32, BASE_DEC, NULL, 0), \
	.length = HF(pfx ".reassembled.length", "Reassembled " nm " length", FT_UINT32, BASE_DEC, NULL, 0), \
	.data = HF(pfx ".reassembled.data", "Reassembled " nm " data", FT_BYTES, BASE_NONE, NULL, 0), \
	.in = HF(pfx ".reassembled_in", "Reassembled " nm " in frame", FT_FRAMENUM, BASE_NONE, NULL, 0), \
	.name = nm }

void tq_reasm_register(struct tq_reasm_fields *rf);

/* One fragment as the IP header describes it. */
struct tq_ip_frag {
	const struct tq_addr *src, *dst;
	uint32_t ident;
	uint32_t offset;             /* in bytes */
	int more;
	uint8_t proto;
};

enum {
	TQ_REASM_NOT_FRAGMENT,       /* offset 0 and no more fragments: dissect as is */
	TQ_REASM_PART,               /* a fragment: the payload is data */
	TQ_REASM_WHOLE,              /* this frame completes the datagram: *whole holds it */
};

/*
 * Adds the fragment (pass 1) or looks it up (pass 2).  In pass 2, on the
 * frame that completes the datagram, *whole is the reassembled payload in a
 * data source of its own and the fragments subtree is added under the root;
 * on the other fragments, "Reassembled ... in frame" is added under iptree.
 * *reassembled_in is set (0 if never) for the packet-list Info.
 */
int tq_reasm_ip(struct tq_pkt *pk, struct tq_reasm_fields *rf, int kind, const struct tq_ip_frag *fr,
    const struct tq_slice *payload, struct tq_node *iptree, struct tq_slice *whole, uint32_t *reassembled_in);

#endif
