/*
 * ipv6.c - IPv6 (RFC 8200): the fixed header and the extension headers
 * hop-by-hop options, routing, fragment and destination options, with
 * fragment reassembly as Wireshark shows it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "../reasm.h"
#include "ip_common.h"

static struct tq_field hf_ipv6 = HF("ipv6", "Internet Protocol Version 6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_version = HF("ipv6.version", "Version", FT_UINT8, BASE_DEC, NULL, 0xf0);
static struct tq_field hf_ip_version = HF("ip.version", "Version", FT_UINT8, BASE_DEC, NULL, 0xf0);
static struct tq_field hf_tclass = HF("ipv6.tclass", "Traffic Class", FT_UINT32, BASE_HEX, NULL, 0x0ff00000);
static struct tq_field hf_dscp = HF("ipv6.tclass.dscp", "Differentiated Services Codepoint", FT_UINT32, BASE_DEC, tq_dscp_vals, 0x0fc00000);
static struct tq_field hf_ecn = HF("ipv6.tclass.ecn", "Explicit Congestion Notification", FT_UINT32, BASE_DEC, tq_ecn_vals, 0x00300000);
static struct tq_field hf_flow = HF("ipv6.flow", "Flow Label", FT_UINT24, BASE_HEX, NULL, 0x0fffff);
static struct tq_field hf_plen = HF("ipv6.plen", "Payload Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_nxt = HF("ipv6.nxt", "Next Header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_hlim = HF("ipv6.hlim", "Hop Limit", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_src = HF("ipv6.src", "Source Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_dst = HF("ipv6.dst", "Destination Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_addr = HF("ipv6.addr", "Source or Destination Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_src_host = HF("ipv6.src_host", "Source Host", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dst_host = HF("ipv6.dst_host", "Destination Host", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_host = HF("ipv6.host", "Source or Destination Host", FT_STRING, BASE_NONE, NULL, 0);

/* extension headers */
static struct tq_field hf_hopopts = HF("ipv6.hopopts", "IPv6 Hop-by-Hop Option", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_hopopts_nxt = HF("ipv6.hopopts.nxt", "Next Header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_hopopts_len = HF("ipv6.hopopts.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_hopopts_len_oct = HF("ipv6.hopopts.len_oct", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_dstopts = HF("ipv6.dstopts", "Destination Options for IPv6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_dstopts_nxt = HF("ipv6.dstopts.nxt", "Next Header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_dstopts_len = HF("ipv6.dstopts.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_dstopts_len_oct = HF("ipv6.dstopts.len_oct", "Length", FT_UINT16, BASE_DEC, NULL, 0);

static const struct tq_vals opt_type_vals[] = {
	{ 0x00, "Pad1" }, { 0x01, "PadN" }, { 0x04, "Tunnel Encapsulation Limit" },
	{ 0x05, "Router Alert" }, { 0x07, "CALIPSO" }, { 0x08, "SMF_DPD" }, { 0x0f, "Performance and Diagnostic Metrics" },
	{ 0x26, "Quick-Start" }, { 0x63, "RPL Option" }, { 0xc2, "Jumbo Payload" }, { 0xc9, "Home Address" },
	{ 0x8b, "ILNP Nonce" }, { 0x8c, "Line-Identification Option" }, { 0, NULL },
};
static const struct tq_vals opt_action_vals[] = {
	{ 0, "Skip and continue" }, { 1, "Discard" },
	{ 2, "Discard and send ICMP Parameter Problem" },
	{ 3, "Discard and send ICMP if not multicast" }, { 0, NULL },
};
static const struct tq_vals rtalert_vals[] = {
	{ 0, "MLD" }, { 1, "RSVP" }, { 2, "Active Networks" }, { 0, NULL },
};

static struct tq_field hf_opt = HF("ipv6.opt", "IPv6 Option", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_type = HF("ipv6.opt.type", "Type", FT_UINT8, BASE_HEX, opt_type_vals, 0);
static struct tq_field hf_opt_action = HF("ipv6.opt.type.action", "Action", FT_UINT8, BASE_DEC, opt_action_vals, 0xc0);
static struct tq_field hf_opt_change = HF("ipv6.opt.type.change", "May Change", FT_BOOLEAN, 8, &tq_tfs_yes_no, 0x20);
static struct tq_field hf_opt_rest = HF("ipv6.opt.type.rest", "Low-Order Bits", FT_UINT8, BASE_HEX, NULL, 0x1f);
static struct tq_field hf_opt_len = HF("ipv6.opt.length", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_pad1 = HF("ipv6.opt.pad1", "Pad1", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_padn = HF("ipv6.opt.padn", "PadN", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_rtalert = HF("ipv6.opt.router_alert", "Router Alert", FT_UINT16, BASE_DEC, rtalert_vals, 0);
static struct tq_field hf_opt_jumbo = HF("ipv6.opt.jumbo", "Payload Length", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_tel = HF("ipv6.opt.tel", "Tunnel Encapsulation Limit", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_opt_unknown = HF("ipv6.opt.unknown", "Unknown Option Payload", FT_BYTES, BASE_NONE, NULL, 0);

static const struct tq_vals routing_type_vals[] = {
	{ 0, "Source Route" }, { 1, "Nimrod" }, { 2, "Type 2 Routing" }, { 3, "RPL Source Route" },
	{ 4, "Segment Routing" }, { 0, NULL },
};
static struct tq_field hf_routing = HF("ipv6.routing", "Routing Header for IPv6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_nxt = HF("ipv6.routing.nxt", "Next Header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_routing_len = HF("ipv6.routing.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_routing_len_oct = HF("ipv6.routing.len_oct", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_routing_type = HF("ipv6.routing.type", "Type", FT_UINT8, BASE_DEC, routing_type_vals, 0);
static struct tq_field hf_routing_segleft = HF("ipv6.routing.segleft", "Segments Left", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_routing_src_reserved = HF("ipv6.routing.src.reserved", "Reserved", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_src_addr = HF("ipv6.routing.src.addr", "Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_mipv6_reserved = HF("ipv6.routing.mipv6.reserved", "Reserved", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_mipv6_addr = HF("ipv6.routing.mipv6.home_address", "Home Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_srh_last = HF("ipv6.routing.srh.last_entry", "Last Entry", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_routing_srh_flags = HF("ipv6.routing.srh.flags", "Flags", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_routing_srh_tag = HF("ipv6.routing.srh.tag", "Tag", FT_UINT16, BASE_HEX, NULL, 0);
static struct tq_field hf_routing_srh_addr = HF("ipv6.routing.srh.addr", "Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_data = HF("ipv6.routing.unknown_data", "Type-Specific Data", FT_BYTES, BASE_NONE, NULL, 0);

static struct tq_field hf_frag = HF("ipv6.fraghdr", "Fragment Header for IPv6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_frag_nxt = HF("ipv6.fraghdr.nxt", "Next header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_frag_res8 = HF("ipv6.fraghdr.reserved_octet", "Reserved octet", FT_UINT16, BASE_HEX, NULL, 0xff00);
static struct tq_field hf_frag_offset = HF("ipv6.fraghdr.offset", "Offset", FT_UINT16, BASE_DEC, NULL, 0xfff8);
static struct tq_field hf_frag_resbits = HF("ipv6.fraghdr.reserved_bits", "Reserved bits", FT_UINT16, BASE_DEC, NULL, 0x0006);
static struct tq_field hf_frag_more = HF("ipv6.fraghdr.more", "More Fragments", FT_BOOLEAN, 16, &tq_tfs_yes_no, 0x0001);
static struct tq_field hf_frag_ident = HF("ipv6.fraghdr.ident", "Identification", FT_UINT32, BASE_HEX, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_ipv6, &hf_version, &hf_ip_version, &hf_tclass, &hf_dscp, &hf_ecn, &hf_flow, &hf_plen,
	&hf_nxt, &hf_hlim, &hf_src, &hf_dst, &hf_addr, &hf_src_host, &hf_dst_host, &hf_host,
	&hf_hopopts, &hf_hopopts_nxt, &hf_hopopts_len, &hf_hopopts_len_oct, &hf_dstopts, &hf_dstopts_nxt,
	&hf_dstopts_len, &hf_dstopts_len_oct, &hf_opt, &hf_opt_type, &hf_opt_action, &hf_opt_change,
	&hf_opt_rest, &hf_opt_len, &hf_opt_pad1, &hf_opt_padn, &hf_opt_rtalert, &hf_opt_jumbo,
	&hf_opt_tel, &hf_opt_unknown, &hf_routing, &hf_routing_nxt, &hf_routing_len, &hf_routing_len_oct,
	&hf_routing_type, &hf_routing_segleft, &hf_routing_src_reserved, &hf_routing_src_addr,
	&hf_routing_mipv6_reserved, &hf_routing_mipv6_addr, &hf_routing_srh_last, &hf_routing_srh_flags,
	&hf_routing_srh_tag, &hf_routing_srh_addr, &hf_routing_data,
	&hf_frag, &hf_frag_nxt, &hf_frag_res8, &hf_frag_offset, &hf_frag_resbits, &hf_frag_more, &hf_frag_ident,
};

static struct tq_reasm_fields reasm_fields = TQ_REASM_FIELDS("ipv6", "IPv6");

void
tq_register_ipv6(void)
{
	TQ_REGISTER(fields);
	tq_reasm_register(&reasm_fields);
}

/* Options of a hop-by-hop or destination options header (RFC 8200 4.2). */
static void
options(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off, uint32_t end)
{
	while (off < end) {
		uint8_t type = s->p[off];
		struct tq_node *o = tq_add(pk, t, &hf_opt, s, off, 1);
		const char *name = tq_vals_find(opt_type_vals, type);
		tq_set_label(pk, o, "IPv6 Option (%s)", name ? name : "Unknown");
		struct tq_node *ty = tq_add(pk, o, &hf_opt_type, s, off, 1);
		tq_add(pk, ty, &hf_opt_action, s, off, 1);
		tq_add(pk, ty, &hf_opt_change, s, off, 1);
		tq_add(pk, ty, &hf_opt_rest, s, off, 1);
		if (type == 0) {
			tq_add(pk, o, &hf_opt_pad1, s, off, 1);
			off++;
			continue;
		}
		if (end - off < 2) {
			tq_malformed(pk, "IPv6");
			return;
		}
		uint8_t len = s->p[off + 1];
		tq_add(pk, o, &hf_opt_len, s, off + 1, 1);
		if (len > end - off - 2) {
			tq_malformed(pk, "IPv6");
			return;
		}
		tq_set_len(o, 2u + len);
		uint32_t d = off + 2;
		switch (type) {
		case 0x01:
			if (len)
				tq_add(pk, o, &hf_opt_padn, s, d, len);
			else
				tq_set_valtext(pk, tq_add(pk, o, &hf_opt_padn, s, d, 0), "<none>");
			break;
		case 0x05:
			if (len == 2)
				tq_add(pk, o, &hf_opt_rtalert, s, d, 2);
			break;
		case 0xc2:
			if (len == 4)
				tq_add(pk, o, &hf_opt_jumbo, s, d, 4);
			break;
		case 0x04:
			if (len == 1)
				tq_add(pk, o, &hf_opt_tel, s, d, 1);
			break;
		default:
			if (len)
				tq_add(pk, o, &hf_opt_unknown, s, d, len);
			break;
		}
		off = d + len;
	}
}

/* A header with options: hop-by-hop (0) or destination options (60). Returns its length, 0 if malformed. */
static uint32_t
opts_header(struct tq_pkt *pk, struct tq_node *ip, const struct tq_slice *s, uint32_t off, int hop)
{
	if (s->len - off < 8) {
		tq_malformed(pk, "IPv6");
		return 0;
	}
	uint8_t len = s->p[off + 1];
	uint32_t total = ((uint32_t)len + 1) * 8;
	if (total > s->len - off) {
		tq_malformed(pk, "IPv6");
		return 0;
	}
	struct tq_node *t = tq_add_proto(pk, ip, hop ? &hf_hopopts : &hf_dstopts, s, off, total);
	tq_add(pk, t, hop ? &hf_hopopts_nxt : &hf_dstopts_nxt, s, off, 1);
	struct tq_node *l = tq_add(pk, t, hop ? &hf_hopopts_len : &hf_dstopts_len, s, off + 1, 1);
	(void)l;
	struct tq_node *lo = tq_add_u(pk, t, hop ? &hf_hopopts_len_oct : &hf_dstopts_len_oct, s, off + 1, 1, total);
	tq_gen(lo);
	tq_set_valtext(pk, lo, "%u bytes", total);
	options(pk, t, s, off + 2, off + total);
	return total;
}

static uint32_t
routing_header(struct tq_pkt *pk, struct tq_node *ip, const struct tq_slice *s, uint32_t off)
{
	if (s->len - off < 8) {
		tq_malformed(pk, "IPv6");
		return 0;
	}
	uint8_t len = s->p[off + 1], type = s->p[off + 2];
	uint32_t total = ((uint32_t)len + 1) * 8;
	if (total > s->len - off) {
		tq_malformed(pk, "IPv6");
		return 0;
	}
	struct tq_node *t = tq_add_proto(pk, ip, &hf_routing, s, off, total);
	const char *tn = tq_vals_find(routing_type_vals, type);
	tq_append(pk, t, " (%s)", tn ? tn : "Unknown");
	tq_add(pk, t, &hf_routing_nxt, s, off, 1);
	tq_add(pk, t, &hf_routing_len, s, off + 1, 1);
	struct tq_node *lo = tq_gen(tq_add_u(pk, t, &hf_routing_len_oct, s, off + 1, 1, total));
	tq_set_valtext(pk, lo, "%u bytes", total);
	tq_add(pk, t, &hf_routing_type, s, off + 2, 1);
	tq_add(pk, t, &hf_routing_segleft, s, off + 3, 1);
	uint32_t d = off + 4, end = off + total;
	if (type == 0) {
		tq_add(pk, t, &hf_routing_src_reserved, s, d, 4);
		for (d += 4; end - d >= 16; d += 16)
			tq_add(pk, t, &hf_routing_src_addr, s, d, 16);
	} else if (type == 2 && total == 24) {
		tq_add(pk, t, &hf_routing_mipv6_reserved, s, d, 4);
		tq_add(pk, t, &hf_routing_mipv6_addr, s, d + 4, 16);
	} else if (type == 4) {
		tq_add(pk, t, &hf_routing_srh_last, s, d, 1);
		tq_add(pk, t, &hf_routing_srh_flags, s, d + 1, 1);
		tq_add(pk, t, &hf_routing_srh_tag, s, d + 2, 2);
		for (d += 4; end - d >= 16; d += 16)
			tq_add(pk, t, &hf_routing_srh_addr, s, d, 16);
	} else if (end > d) {
		tq_add(pk, t, &hf_routing_data, s, d, end - d);
	}
	return total;
}

static void
addr_fields(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    const struct tq_field *f, const struct tq_field *fhost)
{
	char a[64];
	tq_ipv6_str(s->p + off, a, sizeof(a));
	tq_add(pk, t, f, s, off, 16);
	tq_hide(tq_add(pk, t, &hf_addr, s, off, 16));
	tq_hide(tq_add_str(pk, t, fhost, s, off, 16, a));
	tq_hide(tq_add_str(pk, t, &hf_host, s, off, 16, a));
}

int
tq_dissect_ipv6(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "IPv6");
	if (s->len < 40) {
		tq_add_proto(pk, tq_root(pk), &hf_ipv6, s, 0, s->len);
		tq_malformed(pk, "IPv6");
		return (int)s->len;
	}
	struct tq_cursor c = tq_cursor_make(s->p, s->len);
	uint32_t vtf = tq_get_be32(&c);
	uint16_t plen = tq_get_be16(&c);
	uint8_t nxt = tq_get_u8(&c);
	tq_skip(&c, 1);
	const uint8_t *src = s->p + 8, *dst = s->p + 24;

	if (!pk->in_error) {
		tq_addr_set(&pk->net_src, AT_IPV6, src);
		tq_addr_set(&pk->net_dst, AT_IPV6, dst);
	}
	tq_addr_set(&pk->src, AT_IPV6, src);
	tq_addr_set(&pk->dst, AT_IPV6, dst);
	pk->ttl = s->p[7];

	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_ipv6, s, 0, 40);
	if (t) {
		char sa[64], da[64];
		tq_ipv6_str(src, sa, sizeof(sa));
		tq_ipv6_str(dst, da, sizeof(da));
		tq_append(pk, t, ", Src: %s, Dst: %s", sa, da);
		tq_add(pk, t, &hf_version, s, 0, 1);
		struct tq_node *iv = tq_hide(tq_add(pk, t, &hf_ip_version, s, 0, 1));
		tq_append(pk, iv, " [This field makes the filter match on \"ip.version == 6\" possible]");
		struct tq_node *tc = tq_add(pk, t, &hf_tclass, s, 0, 4);
		uint8_t tclass = (uint8_t)(vtf >> 20);
		tq_set_valtext(pk, tc, "0x%02x (DSCP: %s, ECN: %s)", tclass,
		    tq_dscp_short(tclass >> 2), tq_ecn_short(tclass & 3));
		tq_add(pk, tc, &hf_dscp, s, 0, 4);
		tq_add(pk, tc, &hf_ecn, s, 0, 4);
		tq_add(pk, t, &hf_flow, s, 1, 3);
		tq_add(pk, t, &hf_plen, s, 4, 2);
		tq_add(pk, t, &hf_nxt, s, 6, 1);
		tq_add(pk, t, &hf_hlim, s, 7, 1);
		addr_fields(pk, t, s, 8, &hf_src, &hf_src_host);
		addr_fields(pk, t, s, 24, &hf_dst, &hf_dst_host);
	}

	/* the payload ends where the payload length says, if that much was captured */
	uint32_t end = 40u + plen;
	if (plen == 0 || end > s->len)
		end = s->len;
	struct tq_slice ip = tq_sub(s, 0, end);
	uint32_t off = 40;

	for (int guard = 0; guard < 16; guard++) {
		uint32_t hl;
		switch (nxt) {
		case 0:
		case 60:
			hl = opts_header(pk, t, &ip, off, nxt == 0);
			break;
		case 43:
			hl = routing_header(pk, t, &ip, off);
			break;
		case 44: {
			if (ip.len - off < 8) {
				tq_malformed(pk, "IPv6");
				return (int)end;
			}
			uint16_t offm = tq_peek_be16(ip.p, ip.len, off + 2);
			uint32_t ident = tq_peek_be32(ip.p, ip.len, off + 4);
			uint8_t fnxt = ip.p[off];
			struct tq_node *f = tq_add_proto(pk, t, &hf_frag, &ip, off, 8);
			tq_add(pk, f, &hf_frag_nxt, &ip, off, 1);
			tq_add(pk, f, &hf_frag_res8, &ip, off + 1, 1);
			struct tq_node *on = tq_add_u(pk, f, &hf_frag_offset, &ip, off + 2, 2, offm >> 3);
			tq_set_valtext(pk, on, "%u (%u bytes)", offm >> 3, (offm >> 3) * 8u);
			tq_add(pk, f, &hf_frag_resbits, &ip, off + 2, 2);
			tq_add(pk, f, &hf_frag_more, &ip, off + 2, 2);
			tq_add(pk, f, &hf_frag_ident, &ip, off + 4, 4);
			off += 8;
			struct tq_ip_frag fr = {
				.src = &pk->src, .dst = &pk->dst, .ident = ident,
				.offset = (uint32_t)(offm >> 3) * 8, .more = offm & 1, .proto = fnxt,
			};
			struct tq_slice pl = tq_sub_rest(&ip, off);
			struct tq_slice whole;
			uint32_t rin = 0;
			int r = tq_reasm_ip(pk, &reasm_fields, CONV_IP6FRAG, &fr, &pl, t, &whole, &rin);
			if (r == TQ_REASM_WHOLE) {
				tq_dissect_ipproto(pk, fnxt, &whole);
			} else if (r == TQ_REASM_NOT_FRAGMENT) {
				nxt = fnxt;
				continue;
			} else {
				tq_col_info_set(pk, "IPv6 fragment (off=%u more=%c ident=0x%08x nxt=%u)",
				    fr.offset, fr.more ? 'y' : 'n', ident, fnxt);
				tq_dissect_data(pk, &pl);
			}
			return (int)end;
		}
		case 59:
			if (ip.len > off)
				tq_dissect_data(pk, &(struct tq_slice){ ip.p + off, ip.len - off, ip.rlen - off, ip.pos + off, ip.ds });
			return (int)end;
		default: {
			struct tq_slice pl = tq_sub_rest(&ip, off);
			pk->ipproto = nxt;
			tq_dissect_ipproto(pk, nxt, &pl);
			return (int)end;
		}
		}
		if (hl == 0)
			return (int)end;
		nxt = ip.p[off];
		off += hl;
	}
	return (int)end;
}
