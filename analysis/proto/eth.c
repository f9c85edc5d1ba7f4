/* eth.c - Ethernet II (IEEE 802.3 framing, DIX type field) and IEEE 802.1Q VLAN tags. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"

static const struct tq_tfs lg_tfs = {
	"Locally administered address (this is NOT the factory default)",
	"Globally unique address (factory default)",
};
static const struct tq_tfs ig_tfs = {
	"Group address (multicast/broadcast)",
	"Individual address (unicast)",
};

static struct tq_field hf_eth = HF("eth", "Ethernet II", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_dst = HF("eth.dst", "Destination", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_src = HF("eth.src", "Source", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_addr = HF("eth.addr", "Address", FT_ETHER, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_res = HF("eth.dst_resolved", "Destination (resolved)", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_src_res = HF("eth.src_resolved", "Source (resolved)", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_addr_res = HF("eth.addr_resolved", "Address (resolved)", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_oui = HF("eth.dst.oui", "Destination OUI", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_src_oui = HF("eth.src.oui", "Source OUI", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_addr_oui = HF("eth.addr.oui", "Address OUI", FT_UINT24, BASE_DEC, NULL, 0);
static struct tq_field hf_dst_oui_res = HF("eth.dst.oui_resolved", "Destination OUI (resolved)", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_src_oui_res = HF("eth.src.oui_resolved", "Source OUI (resolved)", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_addr_oui_res = HF("eth.addr.oui_resolved", "Address OUI (resolved)", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_lg = HF("eth.dst.lg", "LG bit", FT_BOOLEAN, 24, &lg_tfs, 0x020000);
static struct tq_field hf_src_lg = HF("eth.src.lg", "LG bit", FT_BOOLEAN, 24, &lg_tfs, 0x020000);
static struct tq_field hf_lg = HF("eth.lg", "LG bit", FT_BOOLEAN, 24, &lg_tfs, 0x020000);
static struct tq_field hf_dst_ig = HF("eth.dst.ig", "IG bit", FT_BOOLEAN, 24, &ig_tfs, 0x010000);
static struct tq_field hf_src_ig = HF("eth.src.ig", "IG bit", FT_BOOLEAN, 24, &ig_tfs, 0x010000);
static struct tq_field hf_ig = HF("eth.ig", "IG bit", FT_BOOLEAN, 24, &ig_tfs, 0x010000);
static struct tq_field hf_type = HF("eth.type", "Type", FT_UINT16, BASE_HEX, tq_etype_vals, 0);
static struct tq_field hf_padding = HF("eth.padding", "Padding", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_trailer = HF("eth.trailer", "Trailer", FT_BYTES, BASE_NONE, NULL, 0);
static const struct tq_vals fcs_status_vals[] = {
	{ 0, "Bad" }, { 1, "Good" }, { 2, "Unverified" }, { 0, NULL },
};
static struct tq_field hf_fcs = HF("eth.fcs", "Frame check sequence", FT_UINT32, BASE_HEX, NULL, 0);
static struct tq_field hf_fcs_status = HF("eth.fcs.status", "FCS Status", FT_UINT8, BASE_NONE, fcs_status_vals, 0);
static struct tq_expert ei_padding_bad = EI("eth.padding_bad",
    "Padding identification may be inaccurate and impact trailer dissector", PI_NOTE, PI_PROTOCOL);

static const struct tq_vals pri_vals[] = {
	{ 0, "Best Effort (default)" }, { 1, "Background" }, { 2, "Excellent Effort" },
	{ 3, "Critical Applications" }, { 4, "Video, < 100ms latency and jitter" },
	{ 5, "Voice, < 10ms latency and jitter" }, { 6, "Internetwork Control" },
	{ 7, "Network Control" }, { 0, NULL },
};
static const struct tq_tfs dei_tfs = { "Eligible", "Ineligible" };

static struct tq_field hf_vlan = HF("vlan", "802.1Q Virtual LAN", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_vlan_pri = HF("vlan.priority", "Priority", FT_UINT16, BASE_DEC, pri_vals, 0xe000);
static struct tq_field hf_vlan_dei = HF("vlan.dei", "DEI", FT_BOOLEAN, 16, &dei_tfs, 0x1000);
static struct tq_field hf_vlan_id = HF("vlan.id", "ID", FT_UINT16, BASE_DEC, NULL, 0x0fff);
static struct tq_field hf_vlan_etype = HF("vlan.etype", "Type", FT_UINT16, BASE_HEX, tq_etype_vals, 0);
static struct tq_field hf_vlan_trailer = HF("vlan.trailer", "Trailer", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_eth, &hf_dst, &hf_src, &hf_addr, &hf_dst_res, &hf_src_res, &hf_addr_res,
	&hf_dst_oui, &hf_src_oui, &hf_addr_oui, &hf_dst_oui_res, &hf_src_oui_res, &hf_addr_oui_res,
	&hf_dst_lg, &hf_src_lg, &hf_lg, &hf_dst_ig, &hf_src_ig, &hf_ig, &hf_type, &hf_padding, &hf_trailer,
	&hf_fcs, &hf_fcs_status, &ei_padding_bad.f,
	&hf_vlan, &hf_vlan_pri, &hf_vlan_dei, &hf_vlan_id, &hf_vlan_etype, &hf_vlan_trailer,
};

static struct tq_dissector vlan = { .name = "vlan", .dissect = tq_dissect_vlan };

void
tq_register_eth(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_ETHERTYPE, 0x8100, &vlan);
	tq_dissector_add(TQ_TAB_ETHERTYPE, 0x88a8, &vlan);
}

struct addr_fields {
	const struct tq_field *res, *oui, *oui_res, *lg, *ig;
};

static void
oui_node(struct tq_pkt *pk, struct tq_node *t, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, const char *vendor)
{
	const uint8_t *a = s->p + off;
	struct tq_node *n = TQ_HIDDEN(pk, tq_add(pk, t, f, s, off, 3));
	if (vendor)
		tq_set_valtext(pk, n, "%02x:%02x:%02x (%s)", a[0], a[1], a[2], vendor);
	else
		tq_set_valtext(pk, n, "%02x:%02x:%02x", a[0], a[1], a[2]);
}

/* The children Wireshark gives each address: resolved name, OUI, and the LG/IG bits. */
static void
addr_children(struct tq_pkt *pk, struct tq_node *t, const struct addr_fields *af,
    const struct tq_slice *s, uint32_t off)
{
	char name[96] = "";
	const uint8_t *a = s->p + off;
	const char *vendor = NULL;

	if (tq_want_hidden(pk)) {
		vendor = tq_oui_name(a);
		tq_ether_name(a, name, sizeof(name));
	}
	TQ_HIDDEN(pk, tq_add_str(pk, t, af->res, s, off, 6, name));
	oui_node(pk, t, af->oui, s, off, vendor);
	if (vendor)
		TQ_HIDDEN(pk, tq_add_str(pk, t, af->oui_res, s, off, 6, vendor));
	struct tq_node *n = tq_add(pk, t, &hf_addr, s, off, 6);
	(void)n;
	TQ_HIDDEN(pk, tq_add_str(pk, t, &hf_addr_res, s, off, 6, name));
	oui_node(pk, t, &hf_addr_oui, s, off, vendor);
	if (vendor)
		TQ_HIDDEN(pk, tq_add_str(pk, t, &hf_addr_oui_res, s, off, 6, vendor));
	tq_add(pk, t, af->lg, s, off, 3);
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_lg, s, off, 3));
	tq_add(pk, t, af->ig, s, off, 3);
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_ig, s, off, 3));
}

static const struct addr_fields dst_f = { &hf_dst_res, &hf_dst_oui, &hf_dst_oui_res, &hf_dst_lg, &hf_dst_ig };
static const struct addr_fields src_f = { &hf_src_res, &hf_src_oui, &hf_src_oui_res, &hf_src_lg, &hf_src_ig };

/*
 * What follows the payload, as Wireshark's add_ethernet_trailer with its
 * default preferences: zeros up to the 60-byte minimum are padding; then,
 * when the FCS is not known to be absent (fcs_len != 0), a frame of 64 bytes
 * or more with 4 bytes left ends with an (unverified) FCS; the rest is a
 * trailer.  s is the Ethernet (or VLAN) header and payload; end is where the
 * payload ended, in reported bytes.  Nothing is shown for bytes that were
 * not captured.
 */
static void
add_trailer(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t end,
    const struct tq_field *trailer_f, int fcs_len)
{
	if (end >= s->rlen || end >= s->len)
		return;
	uint32_t tlen = s->len - end;           /* captured */
	uint32_t trlen = s->rlen - end;         /* reported */
	uint32_t pkt_len = pk->fr->len;
	int maybe_padded = pkt_len >= 60 && pkt_len - trlen < 60;
	uint32_t pad = 0;

	if (maybe_padded) {
		pad = 60 - (pkt_len - trlen);
		for (uint32_t i = 0; i < pad; i++) {
			if (i >= tlen || s->p[end + i] != 0) {
				pad = 0;
				break;
			}
		}
		if (pad) {
			tq_add(pk, t, &hf_padding, s, end, pad);
			tlen -= pad;
			trlen -= pad;
		}
	}
	int has_fcs = 0;
	if (fcs_len != 0 && s->rlen >= 64 && trlen >= 4) {
		trlen -= 4;
		if (tlen > trlen)
			tlen = trlen;
		has_fcs = 1;
	}
	if (tlen) {
		struct tq_node *n = tq_add(pk, t, trailer_f, s, end + pad, tlen);
		if (maybe_padded && pad == 0)
			tq_expert(pk, n, &ei_padding_bad, "Didn't find padding of zeros, and an undecoded "
			    "trailer exists. There may be padding of non-zeros.");
	}
	if (has_fcs) {
		uint32_t at = end + pad + trlen;
		struct tq_node *n = tq_add(pk, t, &hf_fcs, s, at, 4);
		if (n)
			tq_set_valtext(pk, n, "0x%08x [unverified]", (uint32_t)n->v.u);
		tq_add_gen(pk, t, &hf_fcs_status, s, at, 2);
	}
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
 * As packet-eth.c: the addresses go to the columns as they are read, and the
 * tree item comes only once the whole 14-byte header is there.
 */
int
tq_dissect_eth(struct tq_pkt *pk, struct tq_slice *s)
{
	if (s->len < 14) {
		tq_col_proto(pk, "Ethernet");
		if (s->len >= 6)
			tq_addr_set(&pk->dl_dst, AT_ETHER, s->p);
		if (s->len >= 12)
			tq_addr_set(&pk->dl_src, AT_ETHER, s->p + 6);
		tq_layer(pk, "eth");
		cut_short(pk, s, s->len < 6 ? 6 : s->len < 12 ? 12 : 14, "Ethernet");
		return (int)s->len;
	}
	struct tq_cursor c = tq_cursor_make(s->p, s->len);
	const uint8_t *dst = c.p;
	tq_skip(&c, 6);
	const uint8_t *src = c.p;
	tq_skip(&c, 6);
	uint16_t etype = tq_get_be16(&c);

	tq_addr_set(&pk->dl_src, AT_ETHER, src);
	tq_addr_set(&pk->dl_dst, AT_ETHER, dst);
	tq_col_proto(pk, "Ethernet");
	tq_col_info_set(pk, "Ethernet II");     /* what the list says when no dissector claims the type */

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_eth, s, 0, 14);
	if (t) {
		char sn[96], dn[96], sa[32], da[32];
		tq_ether_name(src, sn, sizeof(sn));
		tq_ether_name(dst, dn, sizeof(dn));
		tq_ether_str(src, sa, sizeof(sa));
		tq_ether_str(dst, da, sizeof(da));
		tq_set_label(pk, t, "Ethernet II, Src: %s (%s), Dst: %s (%s)", sn, sa, dn, da);
		struct tq_node *d = tq_add(pk, t, &hf_dst, s, 0, 6);
		addr_children(pk, d, &dst_f, s, 0);
		struct tq_node *sr = tq_add(pk, t, &hf_src, s, 6, 6);
		addr_children(pk, sr, &src_f, s, 6);
		tq_add(pk, t, &hf_type, s, 12, 2);
	}
	struct tq_slice pl = tq_sub_rest(s, 14);
	int used = tq_dissect_ethertype(pk, etype, &pl);
	if (used >= 0)
		add_trailer(pk, t, s, 14 + (uint32_t)used, &hf_trailer, -1);
	return (int)s->rlen;
}

int
tq_dissect_vlan(struct tq_pkt *pk, struct tq_slice *s)
{
	/* as packet-vlan.c: the TCI makes the item and the Info; the type follows */
	tq_col_proto(pk, "VLAN");
	tq_col_info_clear(pk);
	if (s->len < 2) {
		tq_layer(pk, "vlan");
		cut_short(pk, s, 2, "VLAN");
		return (int)s->len;
	}
	uint16_t tci = tq_peek_be16(s->p, s->len, 0);
	tq_col_info_set(pk, "PRI: %u  DEI: %u  ID: %u", tci >> 13, (tci >> 12) & 1, tci & 0x0fff);
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_vlan, s, 0, s->len < 4 ? s->len : 4);
	tq_append(pk, t, ", PRI: %u, DEI: %u, ID: %u", tci >> 13, (tci >> 12) & 1, tci & 0x0fff);
	tq_add(pk, t, &hf_vlan_pri, s, 0, 2);
	tq_add(pk, t, &hf_vlan_dei, s, 0, 2);
	tq_add(pk, t, &hf_vlan_id, s, 0, 2);
	if (s->len < 4) {
		cut_short(pk, s, 4, "VLAN");
		return (int)s->len;
	}
	uint16_t etype = tq_peek_be16(s->p, s->len, 2);
	tq_add(pk, t, &hf_vlan_etype, s, 2, 2);
	struct tq_slice pl = tq_sub_rest(s, 4);
	int used = tq_dissect_ethertype(pk, etype, &pl);
	/* the trailer of a tagged frame is the VLAN's, with no FCS (packet-vlan.c) */
	if (used >= 0)
		add_trailer(pk, t, s, 4 + (uint32_t)used, &hf_vlan_trailer, 0);
	return (int)s->rlen;
}
