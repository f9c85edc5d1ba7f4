/* arp.c - the Address Resolution Protocol (RFC 826), named as Wireshark's packet-arp.c names it. */
#include "config.h"

#include <stdio.h>

#include "../internal.h"

static const struct tq_vals hrd_vals[] = {
	{ 1, "Ethernet" }, { 6, "IEEE 802" }, { 15, "Frame Relay" }, { 16, "ATM" },
	{ 18, "Fibre Channel" }, { 20, "Serial Line" }, { 24, "IEEE 1394.1995" },
	{ 32, "InfiniBand" }, { 0, NULL },
};

static const struct tq_vals op_vals[] = {
	{ 1, "request" }, { 2, "reply" }, { 3, "reverse request" }, { 4, "reverse reply" },
	{ 8, "Inverse ARP request" }, { 9, "Inverse ARP reply" }, { 10, "ARP NAK" }, { 0, NULL },
};

static struct tq_field hf_arp = HF("arp", "Address Resolution Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_hw_type = HF("arp.hw.type", "Hardware type", FT_UINT16, BASE_DEC, hrd_vals, 0);
static struct tq_field hf_proto_type = HF("arp.proto.type", "Protocol type", FT_UINT16, BASE_HEX, tq_etype_vals, 0);
static struct tq_field hf_hw_size = HF("arp.hw.size", "Hardware size", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_proto_size = HF("arp.proto.size", "Protocol size", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opcode = HF("arp.opcode", "Opcode", FT_UINT16, BASE_DEC, op_vals, 0);
static struct tq_field hf_src_mac = HF("arp.src.hw_mac", "Sender MAC address", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_src_hw = HF("arp.src.hw", "Sender hardware address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_src_ipv4 = HF("arp.src.proto_ipv4", "Sender IP address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_src_proto = HF("arp.src.proto", "Sender protocol address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_mac = HF("arp.dst.hw_mac", "Target MAC address", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_hw = HF("arp.dst.hw", "Target hardware address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_ipv4 = HF("arp.dst.proto_ipv4", "Target IP address", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_proto = HF("arp.dst.proto", "Target protocol address", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_arp, &hf_hw_type, &hf_proto_type, &hf_hw_size, &hf_proto_size, &hf_opcode,
	&hf_src_mac, &hf_src_hw, &hf_src_ipv4, &hf_src_proto,
	&hf_dst_mac, &hf_dst_hw, &hf_dst_ipv4, &hf_dst_proto,
};

static struct tq_dissector arp = { .name = "arp", .dissect = tq_dissect_arp };

void
tq_register_arp(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_ETHERTYPE, 0x0806, &arp);
}

/* A hardware or protocol address as Wireshark writes it in the Info column. */
static void
addr_text(const uint8_t *p, unsigned n, int ether, int ipv4, char *buf, size_t len)
{
	if (ether && n == 6) {
		tq_ether_name(p, buf, len);
		return;
	}
	if (ipv4 && n == 4) {
		tq_ipv4_str(p, buf, len);
		return;
	}
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && o + 4 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, i ? ":%02x" : "%02x", p[i]);
}

/*
 * Returns the bytes of the ARP packet (8 + 2 hardware + 2 protocol
 * addresses); what the frame carries past them is the link layer's trailer.
 */
/*
 * A cut ARP packet, as tshark shows one: no item before the hardware type,
 * then an item over what was captured with the fixed fields that fit, and
 * the bounds exception at the packet's end.
 */
static int
arp_cut(struct tq_pkt *pk, struct tq_slice *s, uint32_t total)
{
	static const struct { struct tq_field *f; uint32_t off, len; } fixed[] = {
		{ &hf_hw_type, 0, 2 }, { &hf_proto_type, 2, 2 }, { &hf_hw_size, 4, 1 },
		{ &hf_proto_size, 5, 1 }, { &hf_opcode, 6, 2 },
	};
	if (s->len < 2) {
		tq_layer(pk, "arp");
	} else {
		struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_arp, s, 0, s->len);
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			if (fixed[i].off + fixed[i].len <= s->len)
				tq_add(pk, t, fixed[i].f, s, fixed[i].off, fixed[i].len);
	}
	uint32_t end = s->len < 2 ? 2 : s->len < 4 ? 4 : s->len < 5 ? 5 : s->len < 6 ? 6 : s->len < 8 ? 8 : total;
	if (s->rlen >= end)
		tq_truncated(pk, "ARP/RARP");
	else
		tq_malformed(pk, "ARP/RARP");
	return (int)s->len;
}

int
tq_dissect_arp(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "ARP");
	tq_col_info_clear(pk);
	struct tq_cursor c = tq_cursor_make(s->p, s->len);
	uint16_t hrd = tq_get_be16(&c);
	uint16_t pro = tq_get_be16(&c);
	uint8_t hln = tq_get_u8(&c);
	uint8_t pln = tq_get_u8(&c);
	uint16_t op = tq_get_be16(&c);
	uint32_t total = 8u + 2u * hln + 2u * pln;
	if (c.err || s->len < total)
		return arp_cut(pk, s, c.err ? 8 : total);
	int ether = (hrd == 1 || hrd == 6) && hln == 6;
	int ipv4 = pro == 0x0800 && pln == 4;
	uint32_t sha = 8, spa = sha + hln, tha = spa + pln, tpa = tha + hln;
	const char *opname = tq_vals_find(op_vals, op);

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_arp, s, 0, total);
	if (opname)
		tq_append(pk, t, " (%s)", opname);
	tq_add(pk, t, &hf_hw_type, s, 0, 2);
	tq_add(pk, t, &hf_proto_type, s, 2, 2);
	tq_add(pk, t, &hf_hw_size, s, 4, 1);
	tq_add(pk, t, &hf_proto_size, s, 5, 1);
	tq_add(pk, t, &hf_opcode, s, 6, 2);
	if (hln)
		tq_add(pk, t, ether ? &hf_src_mac : &hf_src_hw, s, sha, hln);
	if (pln)
		tq_add(pk, t, ipv4 ? &hf_src_ipv4 : &hf_src_proto, s, spa, pln);
	if (hln)
		tq_add(pk, t, ether ? &hf_dst_mac : &hf_dst_hw, s, tha, hln);
	if (pln)
		tq_add(pk, t, ipv4 ? &hf_dst_ipv4 : &hf_dst_proto, s, tpa, pln);

	char sh[64], sp[64], tp[64];
	addr_text(s->p + sha, hln, ether, 0, sh, sizeof(sh));
	addr_text(s->p + spa, pln, 0, ipv4, sp, sizeof(sp));
	addr_text(s->p + tpa, pln, 0, ipv4, tp, sizeof(tp));
	switch (op) {
	case 1:
		tq_col_info_set(pk, "Who has %s? Tell %s", tp, sp);
		break;
	case 2:
		tq_col_info_set(pk, "%s is at %s", sp, sh);
		break;
	default:
		tq_col_info_set(pk, "Unknown ARP opcode 0x%04x", op);
		break;
	}
	return (int)total;
}
