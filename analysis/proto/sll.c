/* sll.c - Linux "cooked" capture headers, v1 (16 bytes) and v2 (20 bytes); see pcap-linktype(7). */
#include "config.h"

#include "../internal.h"

static const struct tq_vals pkttype_vals[] = {
	{ 0, "Unicast to us" }, { 1, "Broadcast" }, { 2, "Multicast" },
	{ 3, "Unicast to another host" }, { 4, "Sent by us" }, { 0, NULL },
};

/* ARPHRD_ values, named as Wireshark names them. */
static const struct tq_vals hatype_vals[] = {
	{ 1, "Ethernet" }, { 6, "IEEE 802" }, { 24, "IEEE 1394.1995" }, { 32, "InfiniBand" },
	{ 512, "PPP" }, { 768, "IPIP tunnel" }, { 769, "IPv6-in-IPv6 tunnel" }, { 772, "Loopback" },
	{ 776, "IPv6-in-IPv4" }, { 778, "GRE over IP" }, { 801, "IEEE 802.11" },
	{ 803, "IEEE 802.11 + radiotap header" }, { 820, "IEEE 802.15.4" },
	{ 824, "Netlink" }, { 65534, "zero header length" }, { 0, NULL },
};

static struct tq_field hf_sll = HF("sll", "Linux cooked capture v1", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_pkttype = HF("sll.pkttype", "Packet type", FT_UINT16, BASE_DEC, pkttype_vals, 0);
static struct tq_field hf_pkttype8 = HF("sll.pkttype", "Packet type", FT_UINT8, BASE_DEC, pkttype_vals, 0);
static struct tq_field hf_hatype = HF("sll.hatype", "Link-layer address type", FT_UINT16, BASE_DEC, hatype_vals, 0);
static struct tq_field hf_halen = HF("sll.halen", "Link-layer address length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_halen8 = HF("sll.halen", "Link-layer address length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_src_eth = HF("sll.src.eth", "Source", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_src_other = HF("sll.src.other", "Source", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_unused = HF("sll.unused", "Unused", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_etype = HF("sll.etype", "Protocol", FT_UINT16, BASE_HEX, tq_etype_vals, 0);
static struct tq_field hf_ifindex = HF("sll.ifindex", "Interface index", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_reserved = HF("sll.reserved", "Reserved", FT_UINT16, BASE_HEX, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_sll, &hf_pkttype, &hf_pkttype8, &hf_hatype, &hf_halen, &hf_halen8, &hf_src_eth,
	&hf_src_other, &hf_unused, &hf_etype, &hf_ifindex, &hf_reserved,
};

void
tq_register_sll(void)
{
	TQ_REGISTER(fields);
}

/*
 * A header cut short: Wireshark's bounds exception, "[Packet size limited
 * during capture: P truncated]" when the read that failed (ending at end)
 * is within what was on the wire, else "[Malformed Packet: P]".
 */
static void
cut_short(struct tq_pkt *pk, const struct tq_slice *s, uint32_t end, const char *proto)
{
	if (s->rlen >= end)
		tq_truncated(pk, proto);
	else
		tq_malformed(pk, proto);
}

/*
 * The 8-byte address slot: an Ethernet source when there is one, then what
 * is unused.  Returns 0, or -1 after reporting the slot cut short.
 */
static int
address(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    uint16_t hatype, uint16_t halen)
{
	if (halen > 8)
		halen = 8;
	if (halen && s->len < off + halen) {
		cut_short(pk, s, off + halen, "SLL");
		return -1;
	}
	if (halen == 6 && (hatype == 1 || hatype == 772)) {
		tq_add(pk, t, &hf_src_eth, s, off, 6);
		tq_addr_set(&pk->dl_src, AT_ETHER, s->p + off);
	} else if (halen) {
		tq_add(pk, t, &hf_src_other, s, off, halen);
	}
	if (s->len < off + 8) {
		cut_short(pk, s, off + 8, "SLL");
		return -1;
	}
	if (halen < 8)
		tq_add(pk, t, &hf_unused, s, off + halen, 8u - halen);
	return 0;
}

/* Wireshark's Info for a packet type: its name, or "Unknown (n)". */
static void
info_pkttype(struct tq_pkt *pk, unsigned v)
{
	const char *n = tq_vals_find(pkttype_vals, v);
	if (n)
		tq_col_info_set(pk, "%s", n);
	else
		tq_col_info_set(pk, "Unknown (%u)", v);
}

/*
 * v1, in packet-sll.c's order: the packet and address types make the
 * columns and the item, then each field is shown as far as the capture goes.
 */
int
tq_dissect_sll(struct tq_pkt *pk, struct tq_slice *s)
{
	if (s->len < 4) {
		tq_layer(pk, "sll");
		cut_short(pk, s, s->len < 2 ? 2 : 4, "SLL");
		return (int)s->len;
	}
	tq_col_proto(pk, "SLL");
	info_pkttype(pk, tq_peek_be16(s->p, s->len, 0));
	uint16_t hatype = tq_peek_be16(s->p, s->len, 2);
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_sll, s, 0, s->len < 16 ? s->len : 16);
	tq_add(pk, t, &hf_pkttype, s, 0, 2);
	tq_add(pk, t, &hf_hatype, s, 2, 2);
	if (s->len < 6) {
		cut_short(pk, s, 6, "SLL");
		return (int)s->len;
	}
	uint16_t halen = tq_peek_be16(s->p, s->len, 4);
	tq_add(pk, t, &hf_halen, s, 4, 2);
	if (address(pk, t, s, 6, hatype, halen) != 0)
		return (int)s->len;
	if (s->len < 16) {
		cut_short(pk, s, 16, "SLL");
		return (int)s->len;
	}
	uint16_t etype = tq_peek_be16(s->p, s->len, 14);
	tq_add(pk, t, &hf_etype, s, 14, 2);

	struct tq_slice pl = tq_sub_rest(s, 16);
	tq_dissect_ethertype(pk, etype, &pl);
	return (int)s->len;
}

/*
 * v2, as packet-sll.c reads it: the fixed fields first, and only then the
 * Protocol column, the Info (tshark 4.0 reads the packet type there as 16
 * bits with the address length, hence "Unknown (1030)") and the item.
 */
int
tq_dissect_sll2(struct tq_pkt *pk, struct tq_slice *s)
{
	if (s->len < 12) {
		tq_layer(pk, "sll");
		cut_short(pk, s, s->len < 2 ? 2 : s->len < 8 ? 8 : s->len < 10 ? 10 : 12, "SLL");
		return (int)s->len;
	}
	tq_col_proto(pk, "SLL");
	info_pkttype(pk, tq_peek_be16(s->p, s->len, 10));
	uint16_t etype = tq_peek_be16(s->p, s->len, 0);
	uint16_t hatype = tq_peek_be16(s->p, s->len, 8);
	uint8_t halen = tq_peek_u8(s->p, s->len, 11);
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_sll, s, 0, s->len < 20 ? s->len : 20);
	tq_set_label(pk, t, "Linux cooked capture v2");

	tq_add(pk, t, &hf_etype, s, 0, 2);
	tq_add(pk, t, &hf_ifindex, s, 4, 4);
	tq_add(pk, t, &hf_hatype, s, 8, 2);
	tq_add(pk, t, &hf_pkttype8, s, 10, 1);
	tq_add(pk, t, &hf_halen8, s, 11, 1);
	if (address(pk, t, s, 12, hatype, halen) != 0)
		return (int)s->len;

	struct tq_slice pl = tq_sub_rest(s, 20);
	tq_dissect_ethertype(pk, etype, &pl);
	return (int)s->len;
}
