/* reasm.h - IP fragment reassembly shared by IPv4 and IPv6, shown as Wireshark 4.0 shows it. */
#ifndef TQ_REASM_H
#define TQ_REASM_H

#include "internal.h"

/*
 * The fields of one protocol's reassembly subtree (Wireshark's fragment_items):
 * "ip.fragments", "ipv6.fragment", ...  The two protocols differ in the abbrev
 * of "reassembled in" and in the type of the fragments item.
 */
struct tq_reasm_fields {
	struct tq_field fragments, fragment, overlap, overlap_conflict, multiple_tails, too_long,
	    error, count, in, length, data;
	const char *name;            /* "IPv4", "IPv6" */
};

#define TQ_REASM_FIELDS(pfx, nm, in_abbrev, frags_type) { \
	.fragments = HF(pfx ".fragments", nm " Fragments", frags_type, BASE_NONE, NULL, 0), \
	.fragment = HF(pfx ".fragment", nm " Fragment", FT_FRAMENUM, BASE_NONE, NULL, 0), \
	.overlap = HF(pfx ".fragment.overlap", "Fragment overlap", FT_BOOLEAN, BASE_NONE, NULL, 0), \
	.overlap_conflict = HF(pfx ".fragment.overlap.conflict", "Conflicting data in fragment overlap", \
	    FT_BOOLEAN, BASE_NONE, NULL, 0), \
	.multiple_tails = HF(pfx ".fragment.multipletails", "Multiple tail fragments found", \
	    FT_BOOLEAN, BASE_NONE, NULL, 0), \
	.too_long = HF(pfx ".fragment.toolongfragment", "Fragment too long", FT_BOOLEAN, BASE_NONE, NULL, 0), \
	.error = HF(pfx ".fragment.error", "Defragmentation error", FT_FRAMENUM, BASE_NONE, NULL, 0), \
	.count = HF(pfx ".fragment.count", "Fragment count", FT_UINT32, BASE_DEC, NULL, 0), \
	.in = HF(in_abbrev, "Reassembled " nm " in frame", FT_FRAMENUM, BASE_NONE, NULL, 0), \
	.length = HF(pfx ".reassembled.length", "Reassembled " nm " length", FT_UINT32, BASE_DEC, NULL, 0), \
	.data = HF(pfx ".reassembled.data", "Reassembled " nm " data", FT_BYTES, BASE_NONE, NULL, 0), \
	.name = nm }

void tq_reasm_register(struct tq_reasm_fields *rf);

/* One fragment as the IP header describes it. */
struct tq_ip_frag {
	const struct tq_addr *src, *dst;
	uint32_t ident;              /* the key: IPv4 identification and protocol, IPv6 identification */
	uint32_t offset;             /* in bytes */
	int more;
};

enum {
	TQ_REASM_PART,               /* a fragment: its payload is data */
	TQ_REASM_WHOLE,              /* this frame completes the datagram: *whole holds it */
};

/*
 * Adds the fragment whose payload is *payload (pass 1) or looks it up
 * (pass 2), as Wireshark's fragment_add_check() and process_reassembled_data():
 * call it only for a fragment whose payload was captured whole.
 *
 * In pass 2, on the frame that completes the datagram, *whole is set to the
 * reassembled payload, in a data source of its own, and the fragments
 * subtree is added under iptree; on the datagram's other fragments,
 * "Reassembled ... in frame" is added under iptree at the position of *at.
 * *reassembled_in is the frame that completed the datagram, 0 if none.
 * *illegal is set when the fragments overlap with other bytes, have more
 * than one end or run past it (Wireshark's "[Illegal ... fragments]").
 * Nothing returned needs freeing: the rebuilt bytes live in pk->arena.
 */
int tq_reasm_ip(struct tq_pkt *pk, struct tq_reasm_fields *rf, int kind, const struct tq_ip_frag *fr,
    const struct tq_slice *payload, struct tq_node *iptree, const struct tq_slice *at,
    struct tq_slice *whole, uint32_t *reassembled_in, int *illegal);

#endif
