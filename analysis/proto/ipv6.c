/*
 * ipv6.c - IPv6 (RFC 8200): the fixed header and the extension headers
 * hop-by-hop and destination options (RFC 8200 4.2, RFC 2711 router alert,
 * RFC 2473 tunnel limit, RFC 6275 home address), routing (type 0, RFC 6275
 * type 2, RFC 6554 RPL, RFC 8754 segment routing), fragment, with fragment
 * reassembly, as Wireshark 4.0's packet-ipv6.c shows them.
 *
 * The extension headers nest in the IPv6 item; its length grows by each
 * header once the chain reaches the protocol it carries.  Reads past the
 * data end the dissection as Wireshark's exceptions do (see tq_have()).
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

static struct tq_expert ei_bogus_version = EI("ipv6.bogus_ipv6_version", "Bogus IPv6 version", PI_ERROR, PI_MALFORMED);
static struct tq_expert ei_plen_exceeds = EI("ipv6.plen_exceeds_framing",
    "IPv6 payload length does not match expected framing length", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_plen_zero = EI("ipv6.plen_zero",
    "IPv6 payload length equals 0 (maybe because of \"TCP segmentation offload\" (TSO))", PI_CHAT, PI_PROTOCOL);
static struct tq_expert ei_jumbo_missing = EI("ipv6.opt.jumbo.missing",
    "IPv6 payload length equals 0 and Hop-By-Hop present and Jumbo Payload option missing", PI_ERROR, PI_MALFORMED);
static struct tq_expert ei_unknown_data = EI("ipv6.opt.unknown_data.expert", "Unknown Data (not interpreted)",
    PI_NOTE, PI_UNDECODED);

/* hop-by-hop and destination options headers */
static struct tq_field hf_hopopts = HF("ipv6.hopopts", "IPv6 Hop-by-Hop Option", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_hopopts_nxt = HF("ipv6.hopopts.nxt", "Next Header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_hopopts_len = HF("ipv6.hopopts.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_hopopts_len_oct = HF("ipv6.hopopts.len_oct", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_dstopts = HF("ipv6.dstopts", "Destination Options for IPv6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_dstopts_nxt = HF("ipv6.dstopts.nxt", "Next Header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_dstopts_len = HF("ipv6.dstopts.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_dstopts_len_oct = HF("ipv6.dstopts.len_oct", "Length", FT_UINT16, BASE_DEC, NULL, 0);

static const struct tq_vals opt_type_vals[] = {
	{ 0x00, "Pad1" }, { 0x01, "PadN" }, { 0x04, "Tunnel Encapsulation Limit" }, { 0x05, "Router Alert" },
	{ 0x07, "CALIPSO" }, { 0x08, "SMF_DPD" }, { 0x0f, "Performance and Diagnostic Metrics" },
	{ 0x1e, "Experimental (0x1E)" }, { 0x26, "Quick-Start" }, { 0x30, "Path MTU Option" },
	{ 0x31, "IOAM Option" }, { 0x3e, "Experimental (0x3E)" },
	{ 0x41, "Tunnel Payload Forwarding (TPF) Information" }, { 0x5e, "Experimental (0x5E)" },
	{ 0x63, "RPL Option" }, { 0x6d, "MPL Option" }, { 0x7e, "Experimental (0x7E)" },
	{ 0x8a, "Endpoint Identification" }, { 0x8b, "ILNP Nonce" }, { 0x8c, "Line-Identification Option" },
	{ 0x9e, "Experimental (0x9E)" }, { 0xbe, "Experimental (0xBE)" }, { 0xc2, "Jumbo Payload" },
	{ 0xc9, "Home Address" }, { 0xde, "Experimental (0xDE)" }, { 0xee, "IP_DFF" },
	{ 0xfe, "Experimental (0xFE)" }, { 0, NULL },
};
static const struct tq_vals opt_action_vals[] = {
	{ 0, "Skip and continue" }, { 1, "Discard" }, { 2, "Discard and send ICMP Parameter Problem" },
	{ 3, "Discard and send ICMP if not multicast" }, { 0, NULL },
};
static const struct tq_vals rtalert_vals[] = {
	{ 0, "MLD" }, { 1, "RSVP" }, { 2, "Active Network" }, { 0, NULL },
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
static struct tq_field hf_opt_hoa = HF("ipv6.opt.mipv6.home_address", "MIPv6 Home Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_experimental = HF("ipv6.opt.experimental", "Experimental Option", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_opt_unknown = HF("ipv6.opt.unknown", "Unknown Option Payload", FT_BYTES, BASE_NONE, NULL, 0);

/* routing header */
static const struct tq_vals routing_type_vals[] = {
	{ 0, "Source Route" }, { 1, "Nimrod" }, { 2, "Type 2 Routing" }, { 3, "RPL Source Route" },
	{ 4, "Segment Routing" }, { 5, "Compact Routing Header 16" }, { 6, "Compact Routing Header 32" },
	{ 253, "Experiment 1" }, { 254, "Experiment 2" }, { 0, NULL },
};
static struct tq_field hf_routing = HF("ipv6.routing", "Routing Header for IPv6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_nxt = HF("ipv6.routing.nxt", "Next Header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_routing_len = HF("ipv6.routing.len", "Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_routing_len_oct = HF("ipv6.routing.len_oct", "Length", FT_UINT16, BASE_DEC, NULL, 0);
static struct tq_field hf_routing_type = HF("ipv6.routing.type", "Type", FT_UINT8, BASE_DEC, routing_type_vals, 0);
static struct tq_field hf_routing_segleft = HF("ipv6.routing.segleft", "Segments Left", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_routing_data = HF("ipv6.routing.unknown_data", "Type-Specific Data", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_src_reserved = HF("ipv6.routing.src.reserved", "Reserved", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_src_addr = HF("ipv6.routing.src.addr", "Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_mipv6_reserved = HF("ipv6.routing.mipv6.reserved", "Reserved", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_routing_mipv6_hoa = HF("ipv6.routing.mipv6.home_address", "Home Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_rpl_cmpri = HF("ipv6.routing.rpl.cmprI", "Compressed Internal Octets (CmprI)", FT_UINT32, BASE_DEC, NULL, 0xf0000000);
static struct tq_field hf_rpl_cmpre = HF("ipv6.routing.rpl.cmprE", "Compressed Final Octets (CmprE)", FT_UINT32, BASE_DEC, NULL, 0x0f000000);
static struct tq_field hf_rpl_pad = HF("ipv6.routing.rpl.pad", "Padding Bytes", FT_UINT32, BASE_DEC, NULL, 0x00f00000);
static struct tq_field hf_rpl_reserved = HF("ipv6.routing.rpl.reserved", "Reserved", FT_UINT32, BASE_DEC, NULL, 0x000fffff);
static struct tq_field hf_rpl_addr_count = HF("ipv6.routing.rpl.addr_count", "Total Address Count", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_rpl_addr = HF("ipv6.routing.rpl.address", "Address", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_rpl_full_addr = HF("ipv6.routing.rpl.full_address", "Full Address", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_srh_last = HF("ipv6.routing.srh.last_entry", "Last Entry", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_srh_flags = HF("ipv6.routing.srh.flags", "Flags", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_srh_tag = HF("ipv6.routing.srh.tag", "Tag", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_srh_addr = HF("ipv6.routing.srh.addr", "Address", FT_IPV6, BASE_NONE, NULL, 0);

static struct tq_expert ei_rt_deprecated = EI("ipv6.routing.deprecated", "Routing header type is deprecated",
    PI_NOTE, PI_DEPRECATED);
static struct tq_expert ei_rt_undecoded = EI("ipv6.routing.undecoded", "Undecoded IPv6 routing header field",
    PI_NOTE, PI_UNDECODED);
static struct tq_expert ei_rt_invalid_length = EI("ipv6.routing.invalid_length", "Invalid IPv6 Routing header length",
    PI_ERROR, PI_MALFORMED);
static struct tq_expert ei_rpl_dst_addr = EI("ipv6.src_route_list.dst_addr",
    "Destination address must not appear in the source route list", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_rpl_src_addr = EI("ipv6.src_route_list.src_addr",
    "Source address must not appear in the source route list", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_rpl_mcast = EI("ipv6.src_route_list.multicast_addr",
    "Multicast addresses must not appear in the source route list", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_rpl_dup = EI("ipv6.src_route_list.mult_inst_same_addr",
    "Multiple instances of the same address must not appear in the source route list", PI_WARN, PI_PROTOCOL);

/* fragment header */
static struct tq_field hf_frag = HF("ipv6.fraghdr", "Fragment Header for IPv6", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_frag_nxt = HF("ipv6.fraghdr.nxt", "Next header", FT_UINT8, BASE_DEC, tq_ipproto_vals, 0);
static struct tq_field hf_frag_res8 = HF("ipv6.fraghdr.reserved_octet", "Reserved octet", FT_UINT8, BASE_HEX, NULL, 0);
static struct tq_field hf_frag_offset = HF("ipv6.fraghdr.offset", "Offset", FT_UINT16, BASE_DEC, NULL, 0xfff8);
static struct tq_field hf_frag_resbits = HF("ipv6.fraghdr.reserved_bits", "Reserved bits", FT_UINT16, BASE_DEC, NULL, 0x0006);
static struct tq_field hf_frag_more = HF("ipv6.fraghdr.more", "More Fragments", FT_BOOLEAN, 16, &tq_tfs_yes_no, 0x0001);
static struct tq_field hf_frag_ident = HF("ipv6.fraghdr.ident", "Identification", FT_UINT32, BASE_HEX, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_ipv6, &hf_version, &hf_ip_version, &hf_tclass, &hf_dscp, &hf_ecn, &hf_flow, &hf_plen,
	&hf_nxt, &hf_hlim, &hf_src, &hf_dst, &hf_addr, &hf_src_host, &hf_dst_host, &hf_host,
	&ei_bogus_version.f, &ei_plen_exceeds.f, &ei_plen_zero.f, &ei_jumbo_missing.f, &ei_unknown_data.f,
	&hf_hopopts, &hf_hopopts_nxt, &hf_hopopts_len, &hf_hopopts_len_oct, &hf_dstopts, &hf_dstopts_nxt,
	&hf_dstopts_len, &hf_dstopts_len_oct, &hf_opt, &hf_opt_type, &hf_opt_action, &hf_opt_change,
	&hf_opt_rest, &hf_opt_len, &hf_opt_pad1, &hf_opt_padn, &hf_opt_rtalert, &hf_opt_jumbo,
	&hf_opt_tel, &hf_opt_hoa, &hf_opt_experimental, &hf_opt_unknown,
	&hf_routing, &hf_routing_nxt, &hf_routing_len, &hf_routing_len_oct, &hf_routing_type,
	&hf_routing_segleft, &hf_routing_data, &hf_routing_src_reserved, &hf_routing_src_addr,
	&hf_routing_mipv6_reserved, &hf_routing_mipv6_hoa, &hf_rpl_cmpri, &hf_rpl_cmpre, &hf_rpl_pad,
	&hf_rpl_reserved, &hf_rpl_addr_count, &hf_rpl_addr, &hf_rpl_full_addr, &hf_srh_last,
	&hf_srh_flags, &hf_srh_tag, &hf_srh_addr,
	&ei_rt_deprecated.f, &ei_rt_undecoded.f, &ei_rt_invalid_length.f, &ei_rpl_dst_addr.f,
	&ei_rpl_src_addr.f, &ei_rpl_mcast.f, &ei_rpl_dup.f,
	&hf_frag, &hf_frag_nxt, &hf_frag_res8, &hf_frag_offset, &hf_frag_resbits, &hf_frag_more, &hf_frag_ident,
};

static struct tq_reasm_fields reasm_fields = TQ_REASM_FIELDS("ipv6", "IPv6", "ipv6.reassembled.in", FT_NONE);

static struct tq_dissector ipv6 = { .name = "ipv6", .dissect = tq_dissect_ipv6 };

void
tq_register_ipv6(void)
{
	TQ_REGISTER(fields);
	tq_reasm_register(&reasm_fields);
	tq_dissector_add(TQ_TAB_ETHERTYPE, 0x86dd, &ipv6);
	tq_dissector_add(TQ_TAB_IP_PROTO, 41, &ipv6);
}

/* What one IPv6 header and its chain of extension headers have in common. */
struct v6 {
	struct tq_pkt *pk;
	struct tq_node *item;        /* the IPv6 item */
	uint32_t item_len;           /* 40 plus the extension headers seen */
	const uint8_t *dst;          /* the destination in the header, for RPL */
	const uint8_t *src;
	int plen_ok;                 /* the payload length is not 0 and fits the frame */
};

/* col_append_sep_str(COL_INFO, " , ", what): each extension header names itself. */
static void
info_append(struct tq_pkt *pk, const char *what)
{
	if (!pk->want_cols || pk->in_error)
		return;
	if (pk->info->len > pk->fence)
		tq_col_info_append(pk, " , %s", what);
	else
		tq_col_info_append(pk, "%s", what);
}

static void
addr_fields(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    const struct tq_field *f, const struct tq_field *fhost)
{
	if (!t)
		return;        /* no tree (the packet list, pass 1): nothing to name */
	char a[64];
	tq_ipv6_str(s->p + off, a, sizeof(a));
	tq_add(pk, t, f, s, off, 16);
	TQ_HIDDEN(pk, tq_add(pk, t, &hf_addr, s, off, 16));
	TQ_HIDDEN(pk, tq_gen(tq_add_str(pk, t, fhost, s, off, 16, a)));
	TQ_HIDDEN(pk, tq_gen(tq_add_str(pk, t, &hf_host, s, off, 16, a)));
}

/* ------------------------------------------------------------------ options */

static int
is_experimental(uint8_t type)
{
	return (type & 0x1f) == 0x1e;
}

/*
 * The options of a hop-by-hop or destination options header, from off to
 * end; s runs to the end of the packet, as an option may run past its
 * header.  Returns 0, or -1 after an exception.
 */
static int
options(struct v6 *v, struct tq_node *t, const struct tq_slice *s, uint32_t off, uint32_t end, const char *proto)
{
	struct tq_pkt *pk = v->pk;
	while (off < end) {
		if (!tq_have(pk, s, off, 1, proto))
			return -1;
		uint8_t type = s->p[off];
		uint32_t next = off + 1 < s->len ? s->p[off + 1] : 0;
		uint32_t ilen = 2 + next;
		if (ilen > s->len - off)
			ilen = s->len - off;
		const char *name = tq_vals_find(opt_type_vals, type);
		struct tq_node *o = tq_add(pk, t, &hf_opt, s, off, ilen);
		if (name)
			tq_set_label(pk, o, "%s", name);
		else
			tq_set_label(pk, o, "Unknown IPv6 Option (%u)", type);
		struct tq_node *ty = tq_add(pk, o, &hf_opt_type, s, off, 1);
		if (type != 0) {
			tq_add(pk, ty, &hf_opt_action, s, off, 1);
			tq_add(pk, ty, &hf_opt_change, s, off, 1);
			tq_add(pk, ty, &hf_opt_rest, s, off, 1);
		}
		if (type == 0) {
			tq_add(pk, o, &hf_opt_pad1, s, off, 1);
			off++;
			continue;
		}
		if (!tq_have(pk, s, off + 1, 1, proto))
			return -1;
		uint8_t len = s->p[off + 1];
		tq_add(pk, o, &hf_opt_len, s, off + 1, 1);
		uint32_t d = off + 2;
		if (!tq_have(pk, s, d, len, proto))
			return -1;
		switch (type) {
		case 0x01:
			if (len)
				tq_add(pk, o, &hf_opt_padn, s, d, len);
			else
				tq_set_valtext(pk, tq_add(pk, o, &hf_opt_padn, s, d, 0), "<none>");
			break;
		case 0x04:
			tq_add(pk, o, &hf_opt_tel, s, d, 1);
			break;
		case 0x05:
			tq_add(pk, o, &hf_opt_rtalert, s, d, 2);
			break;
		case 0xc2:
			tq_add(pk, o, &hf_opt_jumbo, s, d, 4);
			break;
		case 0xc9:
			tq_add(pk, o, &hf_opt_hoa, s, d, 16);
			break;
		default:
			if (is_experimental(type)) {
				tq_add(pk, o, &hf_opt_experimental, s, d, len);
			} else {
				struct tq_node *u = tq_add(pk, o, &hf_opt_unknown, s, d, len);
				tq_expert(pk, u, &ei_unknown_data, NULL);
			}
			break;
		}
		off = d + len;
	}
	return 0;
}

/*
 * A hop-by-hop (hop) or destination options header at off of s.  Returns
 * its length, or 0 after an exception.
 */
static uint32_t
opts_header(struct v6 *v, struct tq_node *ip, const struct tq_slice *s, uint32_t off, int hop)
{
	struct tq_pkt *pk = v->pk;
	const char *proto = hop ? "IPv6 Hop-by-Hop" : "IPv6 Destination";
	info_append(pk, hop ? "IPv6 hop-by-hop options" : "IPv6 destination options");
	if (!tq_have(pk, s, off, 2, proto)) {
		tq_layer(pk, hop ? hf_hopopts.abbrev : hf_dstopts.abbrev);   /* called, even if it shows nothing */
		return 0;
	}
	uint32_t total = ((uint32_t)s->p[off + 1] + 1) * 8;
	uint32_t ilen = total < s->len - off ? total : s->len - off;
	struct tq_node *t = tq_add_proto(pk, ip, hop ? &hf_hopopts : &hf_dstopts, s, off, ilen);
	tq_add(pk, t, hop ? &hf_hopopts_nxt : &hf_dstopts_nxt, s, off, 1);
	tq_add(pk, t, hop ? &hf_hopopts_len : &hf_dstopts_len, s, off + 1, 1);
	struct tq_node *lo = tq_gen(tq_add_u(pk, t, hop ? &hf_hopopts_len_oct : &hf_dstopts_len_oct, s, off + 1, 1, total));
	tq_set_valtext(pk, lo, "%u bytes", total);
	v->item_len += total;
	if (options(v, t, s, off + 2, off + total, proto) < 0)
		return 0;
	if (!tq_have(pk, s, off, total, proto))
		return 0;
	return total;
}

/* ------------------------------------------------------------------ routing */

static int
is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

/* While segments are left, the final destination is in the routing header: Wireshark shows it as the destination. */
static void
final_dst(struct tq_pkt *pk, uint8_t segleft, const uint8_t *a)
{
	/* inside an ICMP error the packet keeps its header's destination, for
	 * its conversation too, as Wireshark's */
	if (!segleft || pk->in_error)
		return;
	tq_addr_set(&pk->net_dst, AT_IPV6, a);
	tq_addr_set(&pk->dst, AT_IPV6, a);
}

/* RFC 6554 4: the addresses of an RPL source route, rebuilt from the destination's prefix. */
static void
rpl_addresses(struct v6 *v, struct tq_node *t, const struct tq_slice *s, uint32_t off, uint32_t hl, uint8_t segleft)
{
	struct tq_pkt *pk = v->pk;
	uint32_t w = tq_peek_be32(s->p, s->len, off);
	uint32_t cmpri = w >> 28, cmpre = (w >> 24) & 0xf, pad = (w >> 20) & 0xf;
	tq_add(pk, t, &hf_rpl_cmpri, s, off, 4);
	tq_add(pk, t, &hf_rpl_cmpre, s, off, 4);
	tq_add(pk, t, &hf_rpl_pad, s, off, 4);
	tq_add(pk, t, &hf_rpl_reserved, s, off, 4);
	int32_t count = ((int32_t)hl * 8 - (int32_t)pad - (16 - (int32_t)cmpre)) / (16 - (int32_t)cmpri) + 1;
	tq_gen(tq_add_u(pk, t, &hf_rpl_addr_count, s, off, 2, (uint64_t)(int64_t)count));
	uint32_t a = off + 4;
	uint8_t seen[16][16];
	int nseen = 0;
	for (int32_t i = 1; i <= count; i++) {
		uint32_t n = i == count ? 16 - cmpre : 16 - cmpri;
		if (a + n > s->len)
			return;
		uint8_t full[16];
		memcpy(full, v->dst, 16);
		memcpy(full + 16 - n, s->p + a, n);
		tq_add(pk, t, &hf_rpl_addr, s, a, n);
		char buf[64];
		tq_ipv6_str(full, buf, sizeof(buf));
		struct tq_node *fa = tq_gen(tq_add_u(pk, t, &hf_rpl_full_addr, s, a, n, 0));
		if (fa) {
			uint8_t *copy = tq_arena_alloc(pk->arena, 16);
			if (copy) {
				memcpy(copy, full, 16);
				fa->v.b.p = copy;
				fa->v.b.n = 16;
				fa->flags |= NF_LOCAL;
			}
		}
		tq_set_label(pk, fa, "Address[%d]: %s", i, buf);
		if (is_multicast(full))
			tq_expert(pk, fa, &ei_rpl_mcast, NULL);
		if (!memcmp(full, v->src, 16))
			tq_expert(pk, fa, &ei_rpl_src_addr, NULL);
		if (!memcmp(full, v->dst, 16))
			tq_expert(pk, fa, &ei_rpl_dst_addr, NULL);
		for (int k = 0; k < nseen; k++)
			if (!memcmp(seen[k], full, 16)) {
				tq_expert(pk, fa, &ei_rpl_dup, NULL);
				break;
			}
		if (nseen < 16)
			memcpy(seen[nseen++], full, 16);
		if (i == count)
			final_dst(pk, segleft, full);
		a += n;
	}
}

/*
 * The routing type's fields are read from a part of the packet as long as
 * the header says: past the packet's end, Wireshark reports that part as
 * longer than what contains it.
 */
static int
in_header(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (off <= s->rlen && s->rlen - off >= len)
		return tq_have(pk, s, off, len, "IPv6 Routing");
	tq_malformed_why(pk, "IPv6 Routing", "length of contained item exceeds length of containing item");
	return 0;
}

/* A routing header at off of s.  Returns its length, or 0 after an exception. */
static uint32_t
routing_header(struct v6 *v, struct tq_node *ip, const struct tq_slice *s, uint32_t off)
{
	struct tq_pkt *pk = v->pk;
	const char *proto = "IPv6 Routing";
	info_append(pk, "IPv6 routing");
	if (!tq_have(pk, s, off, 4, proto)) {
		tq_layer(pk, hf_routing.abbrev);
		return 0;
	}
	uint8_t hl = s->p[off + 1], type = s->p[off + 2], segleft = s->p[off + 3];
	uint32_t total = ((uint32_t)hl + 1) * 8;
	uint32_t ilen = total < s->len - off ? total : s->len - off;
	struct tq_node *t = tq_add_proto(pk, ip, &hf_routing, s, off, ilen);
	const char *tn = tq_vals_find(routing_type_vals, type);
	tq_append(pk, t, " (%s)", tn ? tn : "Unknown");
	tq_add(pk, t, &hf_routing_nxt, s, off, 1);
	struct tq_node *ln = tq_add(pk, t, &hf_routing_len, s, off + 1, 1);
	if (type == 0 && (hl & 1))
		tq_expert(pk, ln, &ei_rt_invalid_length, "IPv6 Routing Header extension header length must not be odd");
	struct tq_node *lo = tq_gen(tq_add_u(pk, t, &hf_routing_len_oct, s, off + 1, 1, total));
	tq_set_valtext(pk, lo, "%u bytes", total);
	struct tq_node *ty = tq_add(pk, t, &hf_routing_type, s, off + 2, 1);
	if (type == 0 && !(hl & 1))
		tq_expert(pk, ty, &ei_rt_deprecated, NULL);
	tq_add(pk, t, &hf_routing_segleft, s, off + 3, 1);
	v->item_len += total;
	uint32_t d = off + 4, end = off + total;
	/* the type's own fields, then the addresses, which must all be there */
	switch (type) {
	case 0:
		if (!tq_have(pk, s, d, 4, proto))
			return 0;
		tq_add(pk, t, &hf_routing_src_reserved, s, d, 4);
		d += 4;
		break;
	case 2:
		if (!tq_have(pk, s, d, 4, proto))
			return 0;
		tq_add(pk, t, &hf_routing_mipv6_reserved, s, d, 4);
		d += 4;
		break;
	case 4:
		if (!tq_have(pk, s, d, 4, proto))
			return 0;
		tq_add(pk, t, &hf_srh_last, s, d, 1);
		tq_add(pk, t, &hf_srh_flags, s, d + 1, 1);
		tq_add(pk, t, &hf_srh_tag, s, d + 2, 2);
		d += 4;
		break;
	default:
		break;
	}
	char buf[64];
	switch (type) {
	case 0:
		for (int i = 1; end - d >= 16; d += 16, i++) {
			if (!in_header(pk, s, d, 16))
				return 0;
			tq_ipv6_str(s->p + d, buf, sizeof(buf));
			tq_set_label(pk, tq_add(pk, t, &hf_routing_src_addr, s, d, 16), "Address[%d]: %s", i, buf);
			if (end - d < 32)
				final_dst(pk, segleft, s->p + d);
		}
		if (!in_header(pk, s, off, total))
			return 0;
		break;
	case 2:
		if (!in_header(pk, s, off, total))
			return 0;
		if (end - d >= 16) {
			tq_ipv6_str(s->p + d, buf, sizeof(buf));
			tq_set_label(pk, tq_add(pk, t, &hf_routing_mipv6_hoa, s, d, 16), "Address[1]: %s", buf);
			final_dst(pk, segleft, s->p + d);
		}
		break;
	case 3:
		if (!in_header(pk, s, off, total))
			return 0;
		rpl_addresses(v, t, s, d, hl, segleft);
		break;
	case 4: {
		if (!in_header(pk, s, off, total))
			return 0;
		uint32_t n = s->p[off + 4] + 1u;
		if (end - d >= 16)
			final_dst(pk, segleft, s->p + d);  /* the first segment is the last one (RFC 8754 2) */
		for (uint32_t i = 0; i < n && end - d >= 16; i++, d += 16) {
			tq_ipv6_str(s->p + d, buf, sizeof(buf));
			tq_set_label(pk, tq_add(pk, t, &hf_srh_addr, s, d, 16), "Address[%u]: %s", i, buf);
		}
		break;
	}
	default:
		if (!in_header(pk, s, off, total))
			return 0;
		if (end > d) {
			struct tq_node *u = tq_add(pk, t, &hf_routing_data, s, d, end - d);
			tq_expert(pk, u, &ei_rt_undecoded, NULL);
		}
		break;
	}
	return total;
}

/* ------------------------------------------------------------------ the chain */

/*
 * The protocol the chain ends with.  The IPv6 item takes in the extension
 * headers now; when nothing but data took the payload, the Info column
 * names the protocol, as Wireshark does for one it has no dissector for.
 */
static void
upper(struct v6 *v, uint8_t nxt, struct tq_slice *pl)
{
	struct tq_pkt *pk = v->pk;
	tq_set_len(v->item, v->item_len);
	pk->ipproto = nxt;
	if (nxt == 59) {
		tq_col_info_set(pk, "IPv6 no next header");
		tq_dissect_data(pk, pl);
		return;
	}
	struct tq_info_mark m;
	tq_info_mark(pk, &m);
	tq_dissect_ipproto(pk, nxt, pl);
	if (tq_info_unchanged(pk, &m)) {
		const char *n = tq_vals_find(tq_ipproto_vals, nxt);
		tq_col_info_set(pk, "Unknown IP Protocol: %s (%u)", n ? n : "Unknown", nxt);
	}
}

/*
 * The extension headers from off of ip on, then what they carry.  ip is
 * the rest of the packet (or the reassembled payload); t the IPv6 item.
 */
static void
chain(struct v6 *v, struct tq_node *t, struct tq_slice *ip, uint32_t off, uint8_t nxt)
{
	struct tq_pkt *pk = v->pk;
	for (int guard = 0; guard < 32; guard++) {
		uint32_t hl;
		switch (nxt) {
		case 0:
		case 60:
			hl = opts_header(v, t, ip, off, nxt == 0);
			break;
		case 43:
			hl = routing_header(v, t, ip, off);
			break;
		case 44: {
			if (!tq_have(pk, ip, off, 8, "IPv6 Fragment")) {
				tq_layer(pk, hf_frag.abbrev);
				return;
			}
			uint8_t fnxt = ip->p[off];
			uint16_t offm = tq_peek_be16(ip->p, ip->len, off + 2);
			uint32_t ident = tq_peek_be32(ip->p, ip->len, off + 4);
			struct tq_node *f = tq_add_proto(pk, t, &hf_frag, ip, off, 8);
			tq_add(pk, f, &hf_frag_nxt, ip, off, 1);
			tq_add(pk, f, &hf_frag_res8, ip, off + 1, 1);
			struct tq_node *on = tq_add(pk, f, &hf_frag_offset, ip, off + 2, 2);
			tq_set_valtext(pk, on, "%u (%u bytes)", offm >> 3, (offm >> 3) * 8u);
			tq_add(pk, f, &hf_frag_resbits, ip, off + 2, 2);
			tq_add(pk, f, &hf_frag_more, ip, off + 2, 2);
			tq_add(pk, f, &hf_frag_ident, ip, off + 4, 4);
			v->item_len += 8;
			struct tq_slice at = tq_sub(ip, off, 0);
			off += 8;
			uint32_t foff = (uint32_t)(offm >> 3) * 8;
			int more = offm & 1;
			if (!foff && !more) {
				nxt = fnxt;            /* an atomic fragment: the chain goes on */
				continue;
			}
			struct tq_slice pl = tq_sub_rest(ip, off);
			struct tq_slice whole;
			uint32_t rin = 0;
			int illegal = 0, r = TQ_REASM_PART;
			if (v->plen_ok && pl.len == pl.rlen && ip->ds == 0) {
				struct tq_ip_frag fr = {
					.src = &pk->src, .dst = &pk->dst, .ident = ident, .offset = foff, .more = more,
				};
				r = tq_reasm_ip(pk, &reasm_fields, CONV_IP6FRAG, &fr, &pl, t, &at, &whole, &rin, &illegal);
			}
			if (r == TQ_REASM_WHOLE) {
				if (illegal)
					tq_col_info_set(pk, "[Illegal IPv6 fragments]");
				*ip = whole;
				off = 0;
				nxt = fnxt;
				continue;
			}
			tq_col_info_set(pk, "IPv6 fragment (off=%u more=%c ident=0x%08x nxt=%u)", foff, more ? 'y' : 'n',
			    ident, fnxt);
			tq_dissect_data(pk, &pl);
			return;
		}
		default: {
			struct tq_slice pl = tq_sub_rest(ip, off);
			upper(v, nxt, &pl);
			return;
		}
		}
		if (hl == 0)
			return;
		nxt = ip->p[off];
		off += hl;
	}
}

int
tq_dissect_ipv6(struct tq_pkt *pk, struct tq_slice *s)
{
	tq_col_proto(pk, "IPv6");
	tq_col_info_clear(pk);
	uint32_t ilen = s->len < 40 ? s->len : 40;
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_ipv6, s, 0, ilen);
	if (!tq_have(pk, s, 0, 1, "IPv6"))
		return (int)s->len;
	struct tq_node *vn = tq_add(pk, t, &hf_version, s, 0, 1);
	struct tq_node *iv = TQ_HIDDEN(pk, tq_add(pk, t, &hf_ip_version, s, 0, 1));
	tq_append(pk, iv, " [This field makes the filter match on \"ip.version == 6\" possible]");
	if ((s->p[0] >> 4) != 6) {
		tq_expert(pk, vn, &ei_bogus_version, NULL);
		return 0;              /* rejected: the caller shows the bytes as data */
	}
	if (!tq_have(pk, s, 0, 4, "IPv6"))
		return (int)s->len;
	uint32_t vtf = tq_peek_be32(s->p, s->len, 0);
	struct tq_node *tc = tq_add(pk, t, &hf_tclass, s, 0, 4);
	uint8_t tclass = (uint8_t)(vtf >> 20);
	tq_set_valtext(pk, tc, "0x%02x (DSCP: %s, ECN: %s)", tclass, tq_dscp_short(tclass >> 2), tq_ecn_short(tclass & 3));
	tq_add(pk, tc, &hf_dscp, s, 0, 4);
	tq_add(pk, tc, &hf_ecn, s, 0, 4);
	tq_add(pk, t, &hf_flow, s, 1, 3);
	if (!tq_have(pk, s, 4, 4, "IPv6"))
		return (int)s->len;
	uint16_t plen = tq_peek_be16(s->p, s->len, 4);
	uint8_t nxt = s->p[6];
	struct tq_node *pn = tq_add(pk, t, &hf_plen, s, 4, 2);

	/* the datagram ends where the payload length says, unless that is past the frame */
	struct tq_slice ip = *s;
	uint32_t avail = s->rlen > 40 ? s->rlen - 40 : 0;
	if (plen == 0) {
		if (nxt == 0) {
			tq_col_info_set(pk, "Invalid IPv6 payload length");
			tq_expert(pk, pn, &ei_jumbo_missing, NULL);
		} else {
			tq_expert(pk, pn, &ei_plen_zero, NULL);
		}
		ip = tq_sub(s, 0, 40);
	} else if (plen > avail) {
		if (!pk->in_error)
			tq_expert(pk, pn, &ei_plen_exceeds, "IPv6 payload length exceeds framing length (%u bytes)", avail);
	} else {
		ip = tq_sub(s, 0, 40u + plen);
	}
	tq_add(pk, t, &hf_nxt, s, 6, 1);
	tq_add(pk, t, &hf_hlim, s, 7, 1);
	pk->ttl = s->p[7];
	if (!tq_have(pk, s, 8, 16, "IPv6"))
		return (int)s->len;
	const uint8_t *src = s->p + 8;
	addr_fields(pk, t, s, 8, &hf_src, &hf_src_host);
	if (!pk->in_error)
		tq_addr_set(&pk->net_src, AT_IPV6, src);
	tq_addr_set(&pk->src, AT_IPV6, src);
	if (!tq_have(pk, s, 24, 16, "IPv6"))
		return (int)s->len;
	const uint8_t *dst = s->p + 24;
	addr_fields(pk, t, s, 24, &hf_dst, &hf_dst_host);
	if (!pk->in_error)
		tq_addr_set(&pk->net_dst, AT_IPV6, dst);
	tq_addr_set(&pk->dst, AT_IPV6, dst);
	if (t) {
		char sa[64], da[64];
		tq_ipv6_str(src, sa, sizeof(sa));
		tq_ipv6_str(dst, da, sizeof(da));
		tq_append(pk, t, ", Src: %s, Dst: %s", sa, da);
	}

	if (plen == 0 && pk->in_error)
		return 40;         /* what Wireshark shows of such a packet in an ICMPv6 error */
	struct v6 v = { .pk = pk, .item = t, .item_len = 40, .dst = dst, .src = src,
	    .plen_ok = plen && plen <= avail };
	chain(&v, t, &ip, 40, nxt);
	return (int)(plen && plen <= avail ? 40u + plen : (plen ? s->len : 40u));
}
